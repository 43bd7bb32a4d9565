//! Faults survived with nothing lost: the database restarting under scans and API traffic
//! (`database.rs`), a full disk under SQLite (`disk.rs`), an engine partitioned from the
//! server for longer than its lease (`partition.rs`). Each scenario asserts what must hold
//! and returns its recovery times, which `examples/fault_bench.rs` (including this
//! directory with `#[path]`) measures; the tests here only assert.

#![allow(dead_code)] // the tests and the benchmark each use part of it

pub mod database;
pub mod disk;
pub mod partition;
mod traffic;

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_restarted_mid_scan_and_traffic_loses_nothing() {
        let r = super::database::restart_mid_scan(std::time::Duration::from_secs(8)).await;
        eprintln!("database restart: {r:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_disk_under_sqlite_is_a_clear_503_and_corrupts_nothing() {
        if let Some(r) = super::disk::full_disk().await {
            eprintln!("disk full: {r:?}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_partitioned_engine_s_job_runs_once_more_and_its_late_results_are_refused() {
        let r = super::partition::partitioned_engine().await;
        eprintln!("partition: {r:?}");
    }
}
