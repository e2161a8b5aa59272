//! Writes the generated duty list of BENCHMARKS.md's "a 100,000-row duty list from CSV"
//! into a folder: `职责.qd` and `职责.csv` (`benches/big_list.rs` makes both).
//!
//!     cargo run --example big_list -- 100000 target/big_list/100k
//!     /usr/bin/time -v target/release/qingdan check target/big_list/100k/职责.qd

#[path = "../benches/big_list.rs"]
#[allow(dead_code)] // the in-memory loader is the benchmark's
mod big_list;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(rows), Some(dir)) = (args.next().and_then(|n| n.parse::<usize>().ok()), args.next()) else {
        eprintln!("usage: big_list ROWS FOLDER");
        std::process::exit(2);
    };
    std::fs::create_dir_all(&dir)?;
    let dir = std::path::Path::new(&dir);
    std::fs::write(dir.join("职责.qd"), big_list::big_list_policy("职责.csv"))?;
    std::fs::write(dir.join("职责.csv"), big_list::big_list_csv(rows))?;
    Ok(())
}
