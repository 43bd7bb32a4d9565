//! `rampart-testbed --listen ADDR`: runs the vulnerable testbed until interrupted.

use clap::Parser;
use std::net::SocketAddr;

#[derive(Parser)]
#[command(about = "a deliberately vulnerable web application for measuring DAST scanners")]
struct Args {
    /// Address of the HTTP listener.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Address of the HTTPS listener (self-signed certificate); `none` disables it.
    #[arg(long, default_value = "127.0.0.1:0")]
    https_listen: String,
    /// Base URL of an out-of-scope site the pages link to (e.g. a second testbed).
    #[arg(long)]
    outside_url: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let https_listen = match args.https_listen.as_str() {
        "none" => None,
        a => Some(a.parse::<SocketAddr>()?),
    };
    let handle = rampart_testbed::spawn(rampart_testbed::TestbedConfig {
        listen: args.listen,
        https_listen,
        outside_url: args.outside_url,
    })
    .await?;
    println!("{}", handle.base_url());
    if let Some(u) = handle.https_url() {
        println!("{u}");
    }
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}
