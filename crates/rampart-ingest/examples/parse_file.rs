//! The parse alone, for profiling: `parse_file FORMAT CHECK FILE` parses FILE (`sarif`,
//! `cyclonedx` or `spdx`) checked against the schema (`schema`) or the importer's types only
//! (`types`) and prints the time and the count of findings. Under callgrind (instructions
//! counted, robust on a loaded machine):
//!
//! ```sh
//! cargo build --example parse_file -p rampart-ingest
//! valgrind --tool=callgrind target/debug/examples/parse_file sarif schema results.sarif
//! ```

use rampart_ingest::{parse_with, Check, Format};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [format, check, file] = args.as_slice() else {
        eprintln!("usage: parse_file sarif|cyclonedx|spdx schema|types FILE");
        std::process::exit(2);
    };
    let format = Format::parse(format).unwrap_or(Format::Sarif);
    let check = if check == "types" {
        Check::Types
    } else {
        Check::Schema
    };
    let reader = std::io::BufReader::new(std::fs::File::open(file).expect("open"));
    let started = Instant::now();
    match parse_with(format, reader, check) {
        Ok(r) => println!(
            "{} findings in {:.3} s",
            r.findings.len(),
            started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
