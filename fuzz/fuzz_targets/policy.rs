//! The front end on arbitrary bytes as a policy file: parse, check, render the diagnostics
//! (human and JSON), format, lower every policy the file declares, compile each to WASM
//! and validate the module. Nothing may panic, whatever the bytes; formatting is
//! idempotent; a policy that lowers compiles to a valid module (or a coded E0506).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan_dsl::diag::render::{self, RenderOptions};
use qingdan_dsl::{check_files, fmt, NoFiles};

fuzz_target!(|data: &[u8]| {
    let program = check_files(vec![("fuzz.qd".to_string(), Ok(data.to_vec()))], &mut NoFiles);
    let opts = RenderOptions { lang: None, color: false };
    let _ = render::human(&program.diagnostics, &program.sources, opts);
    let _ = render::to_json(&program.diagnostics, &program.sources, opts);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(once) = fmt::format_text(text) {
            let twice = fmt::format_text(&once).expect("formatted text parses again");
            assert_eq!(once, twice, "formatting is idempotent");
        }
    }
    if program.has_errors() {
        return;
    }
    for m in &program.modules {
        let Ok(policy) = qingdan_engine::lower(&program, Some(&m.module.name.name)) else { continue };
        let _ = qingdan_engine::graph::build(&policy);
        if let Ok(compiled) = qingdan_engine::wasm::compile(&policy, "fuzz") {
            if let Err(e) = wasmparser::Validator::new().validate_all(&compiled.bytes) {
                panic!("the compiler wrote an invalid module: {e}");
            }
        }
    }
});
