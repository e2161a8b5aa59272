//! Checks one policy file with the front end alone (the lists it reads from files
//! included), printing the rows per list and the time taken: the measured command of
//! BENCHMARKS.md's "a 100,000-row workbook" row.
//!
//!     cargo run --release -p qingdan-dsl --example check_list -- POLICY.qd

use std::path::Path;
use std::time::Instant;

use qingdan_dsl::program::{check_files, LoadError, Loader};

/// Reads data files beside the policy (no confinement: a measuring tool, not the CLI).
struct Beside;

impl Loader for Beside {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        let at = Path::new(from).parent().unwrap_or(Path::new(".")).join(path);
        std::fs::read(&at)
            .map(|b| (at.display().to_string(), b))
            .map_err(|e| LoadError::Unreadable(e.to_string()))
    }

    fn find_policy(&mut self, _from: &str, _name: &str) -> Option<(String, Vec<u8>)> {
        None
    }
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check_list POLICY.qd");
        std::process::exit(2);
    };
    let started = Instant::now();
    let bytes = std::fs::read(&path).map_err(|e| e.to_string());
    let program = check_files(vec![(path.clone(), bytes)], &mut Beside);
    let elapsed = started.elapsed();
    let rows: usize = program.included.values().map(qingdan_dsl::include::FileRows::len).sum();
    let errors = program.diagnostics.iter().filter(|d| d.is_error()).count();
    println!("{path}: {rows} rows from files, {errors} errors, {:.2} s", elapsed.as_secs_f64());
    for d in program.diagnostics.iter().take(3) {
        println!("  {} {}", d.code.as_str(), d.message.en);
    }
}
