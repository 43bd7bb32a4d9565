//! Time to recover from each fault of `tests/it/faults` (the same scenarios, included with
//! `#[path]`, so the benchmark and the tests drive the faults the same way):
//!
//! - `database`: PostgreSQL away for 8 s behind a fault proxy under a scan and API traffic:
//!   the first 503, the slowest 503, the first write after the database is back, the scan's
//!   end after it;
//! - `disk`: SQLite on a full tmpfs: the first write after space returns (needs root);
//! - `partition`: an engine cut off for twice its 5 s lease: the other engine's takeover,
//!   the scan's end.
//!
//! ```sh
//! cargo build -p rampart --bin rampart --example fault_bench
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test ./target/debug/examples/fault_bench all
//! ```
//! Environment (defaults): ROUNDS=3, RAMPART_BIN=target/debug/rampart. Not a test.

#[path = "../tests/it/cluster.rs"]
mod cluster;
#[path = "../tests/it/faults/mod.rs"]
mod faults;
#[path = "../tests/it/server_proc.rs"]
mod server_proc;

use std::time::Duration;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let all = which == "all";
    if all || which == "database" {
        let mut runs = Vec::new();
        for i in 0..rounds {
            let r = faults::database::restart_mid_scan(Duration::from_secs(8)).await;
            eprintln!("database round {i}: {r:?}");
            runs.push(r);
        }
        println!("database (PostgreSQL away 8 s, {rounds} rounds, median):");
        println!(
            "  first 503 after the cut {} · slowest 503 {} · first write after the database is back {} · scan ended {} after · {} answers ({} were 503)",
            ms(median(runs.iter().map(|r| r.first_503).collect())),
            ms(median(runs.iter().map(|r| r.slowest_503).collect())),
            ms(median(runs.iter().map(|r| r.writes_again).collect())),
            ms(median(runs.iter().map(|r| r.scan_done).collect())),
            runs.iter().map(|r| r.answers).sum::<usize>() / rounds,
            runs.iter().map(|r| r.answers_503).sum::<usize>() / rounds,
        );
    }
    if all || which == "disk" {
        let mut runs = Vec::new();
        for i in 0..rounds {
            match faults::disk::full_disk().await {
                Some(r) => {
                    eprintln!("disk round {i}: {r:?}");
                    runs.push(r);
                }
                None => {
                    println!("disk: NOT RUN (RAMPART_SKIP_ROOT_TESTS=1)");
                    break;
                }
            }
        }
        if !runs.is_empty() {
            println!(
                "disk (SQLite on a full 24 MiB tmpfs, {} rounds, median):",
                runs.len()
            );
            println!(
                "  first write after space returns {} · writes accepted on the nearly full disk {}",
                ms(median(runs.iter().map(|r| r.writes_again).collect())),
                runs[0].writes_until_full,
            );
        }
    }
    if all || which == "partition" {
        let mut runs = Vec::new();
        for i in 0..rounds {
            let r = faults::partition::partitioned_engine().await;
            eprintln!("partition round {i}: {r:?}");
            runs.push(r);
        }
        println!(
            "partition (engine cut off for 2 × its {:?} lease, {rounds} rounds, median):",
            runs[0].lease
        );
        println!(
            "  other engine holds the job {} after the cut · scan ended {} after the cut",
            ms(median(runs.iter().map(|r| r.taken_over).collect())),
            ms(median(runs.iter().map(|r| r.scan_done).collect())),
        );
    }
}
