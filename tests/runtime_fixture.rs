//! The runtime crate's example module (runtime/tests/fixtures/subsidy.wasm, used by its
//! README, crate docs and tests) is exactly what today's `qingdan build` makes of the
//! policy beside it. When the compiler changes on purpose, rebuild it:
//!     cargo run -- build runtime/tests/fixtures/subsidy.qd -o runtime/tests/fixtures/subsidy.wasm

use std::path::PathBuf;
use std::process::Command;

/// `runtime/tests/fixtures/<name>.wasm` is what `qingdan build` makes of `<name>.qd`.
fn assert_built_today(name: &str) {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runtime/tests/fixtures");
    let dir = tempfile::tempdir().expect("temp dir");
    let built = dir.path().join(format!("{name}.wasm"));
    let out = Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .arg("build")
        .arg(fixtures.join(format!("{name}.qd")))
        .arg("-o")
        .arg(&built)
        .output()
        .expect("qingdan runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kept = std::fs::read(fixtures.join(format!("{name}.wasm"))).expect("the kept module");
    assert!(
        std::fs::read(&built).expect("the built module") == kept,
        "runtime/tests/fixtures/{name}.wasm is stale: rebuild it with \
         `cargo run -- build runtime/tests/fixtures/{name}.qd -o runtime/tests/fixtures/{name}.wasm`"
    );
}

#[test]
fn the_runtime_example_module_is_what_the_compiler_builds_today() {
    assert_built_today("subsidy");
}

/// The list-row example (runtime/tests/fixtures/rows.wasm, for `Case::set_row`) likewise.
#[test]
fn the_runtime_rows_module_is_what_the_compiler_builds_today() {
    assert_built_today("rows");
}
