//! Tests of the `rampart` binary: the crate architecture and the command line.

mod admission;
mod architecture;
mod automation;
mod automation_e2e;
mod blackouts;
mod browser_scan;
mod cli;
mod cluster;
mod console_admin_browser;
mod console_browser;
mod console_scans_browser;
mod crash;
mod docs;
mod e2e;
mod engines;
mod faults;
mod identity_cli;
mod report_crash;
mod safety;
mod scan_formats;
mod secrets;
mod server_losses;
mod server_proc;
