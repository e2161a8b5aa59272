//! The conformance corpus (tests/conformance/): for every entry, the interpreter, the CLI
//! (`qingdan eval --format json`, with the interpreter and with `--wasm`) and the Rust WASM
//! host each give, byte for byte, the expected result-model lines. The JavaScript host is held to the same files by
//! playground/test/conformance.test.mjs.
//!
//! When the engine's answers change on purpose, rewrite the expected files with
//! `QINGDAN_CONFORMANCE=write cargo test --test conformance` and review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

use qingdan_dsl::Code;
use qingdan_engine::cases::{CaseReader, RawLine};
use qingdan_engine::eval::explain::rule_reads;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::result::{Interpreted, ResultError, ResultWriter, MODEL_VERSION};
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::Policy;

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");
const REGENERATE: &str = "QINGDAN_CONFORMANCE=write cargo test --test conformance";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    root().join("tests/conformance")
}

/// `(name, policy path)` of each entry of corpus.txt.
fn entries() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(corpus().join("corpus.txt")).expect("corpus.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            (words.next().expect("name").to_string(), words.next().expect("policy").to_string())
        })
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| format!("{l}\n")).collect()
}

/// Every line through the interpreter, as `eval` reads a JSON Lines file.
fn interpreter(p: &Policy, cases: &[String]) -> Vec<String> {
    let ev = Evaluator::new(p);
    let reader = CaseReader::new(p);
    let all = (0..p.decisions.len() as u32).collect();
    let checks = (0..p.checks.len() as u32).filter(|&c| p.checks[c as usize].reads_case()).collect();
    let writer = ResultWriter::new(p, all, checks, false, &|r| rule_reads(p, r));
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let n = i + 1;
            let mut out = String::new();
            let raw = RawLine { case: n, line: n, bytes: case.trim_end().as_bytes().to_vec() };
            match reader.read_line(&raw) {
                Ok(values) => {
                    writer.case(&mut out, n, None, &mut Interpreted { ev: &ev, frame: ev.frame(&values) });
                }
                Err(e) => writer.error(&mut out, n, None, &ResultError::of_case(&e, false)),
            }
            out
        })
        .collect()
}

/// The CLI on the whole case file: `eval POLICY` (the interpreter), or `eval --wasm MODULE`.
fn cli(policy: &[&std::ffi::OsStr], cases: &Path) -> Vec<String> {
    let out = Command::new(BIN)
        .arg("eval")
        .args(policy)
        .arg("--input")
        .arg(cases)
        .args(["--format", "json"])
        .output()
        .expect("qingdan runs");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    lines(&String::from_utf8(out.stdout).expect("UTF-8"))
}

/// The module built from the policy (kept in target/conformance/), through the Rust host
/// with the module's own policy (its manifest), one instance for every case.
fn wasm(name: &str, p: &Policy, cases: &[String]) -> Vec<String> {
    let bytes = compile(p, "conformance").unwrap_or_else(|e| panic!("{name}: {e:?}")).bytes;
    let dir = root().join("target/conformance");
    std::fs::create_dir_all(&dir).expect("target/conformance");
    std::fs::write(dir.join(format!("{name}.wasm")), &bytes).expect("module written");
    let module = host::Module::load(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let policy = module.policy().unwrap_or_else(|e| panic!("{name}: {e}"));
    let writer = module.result_writer(&policy, None, false);
    let mut inst = module.instantiate().unwrap_or_else(|e| panic!("{name}: {e}"));
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| inst.result_json(&writer, &policy, i + 1, None, case.trim_end()))
        .collect()
}

/// How many of `got` equal `want`, line by line; the first difference is reported.
fn agreeing(host: &str, name: &str, got: &[String], want: &[String], differences: &mut Vec<String>) -> usize {
    if got.len() != want.len() {
        differences.push(format!("{host} {name}: {} lines, expected {}", got.len(), want.len()));
    }
    let mut same = 0;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g == w {
            same += 1;
        } else if differences.len() < 20 {
            differences.push(format!("{host} {name} case {}:\n  got  {g}  want {w}", i + 1));
        }
    }
    same
}

#[test]
fn every_host_gives_the_expected_results_byte_for_byte() {
    let write = std::env::var("QINGDAN_CONFORMANCE").is_ok_and(|v| v == "write");
    let (mut total, mut interp_ok, mut cli_ok, mut wasm_ok, mut cli_wasm_ok) = (0, 0, 0, 0, 0);
    let mut differences = Vec::new();
    let mut stale = Vec::new();
    for (name, policy_path) in entries() {
        let policy_file = root().join(&policy_path);
        let p = qingdan::load_policy(&policy_file, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let cases_file = corpus().join(format!("{name}.cases.jsonl"));
        let cases = lines(&std::fs::read_to_string(&cases_file).expect("cases"));
        assert!(cases.len() >= 3, "{name}: only {} cases", cases.len());
        let from_interpreter = interpreter(&p, &cases);
        let expected_file = corpus().join(format!("{name}.expected.jsonl"));
        let expected_text = std::fs::read_to_string(&expected_file).unwrap_or_default();
        if from_interpreter.concat() != expected_text {
            if write {
                std::fs::write(&expected_file, from_interpreter.concat()).expect("expected file written");
            } else {
                stale.push(name.clone());
            }
        }
        let want = if write { from_interpreter.clone() } else { lines(&expected_text) };
        total += want.len();
        interp_ok += agreeing("interpreter", &name, &from_interpreter, &want, &mut differences);
        cli_ok +=
            agreeing("cli", &name, &cli(&[policy_file.as_os_str()], &cases_file), &want, &mut differences);
        wasm_ok += agreeing("wasm", &name, &wasm(&name, &p, &cases), &want, &mut differences);
        let module = root().join(format!("target/conformance/{name}.wasm"));
        let by_module = cli(&["--wasm".as_ref(), module.as_os_str()], &cases_file);
        cli_wasm_ok += agreeing("cli --wasm", &name, &by_module, &want, &mut differences);
    }
    eprintln!(
        "conformance: interpreter {interp_ok}/{total}, cli {cli_ok}/{total}, wasm {wasm_ok}/{total}, \
         cli --wasm {cli_wasm_ok}/{total}"
    );
    assert!(
        stale.is_empty(),
        "expected results are stale for {stale:?}: review the change, then run `{REGENERATE}`\n{}",
        differences.join("\n")
    );
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(total >= 300, "the corpus has only {total} cases");
}

/// The corpus holds bad input and failed evaluations, each told with its code in every host.
#[test]
fn the_corpus_holds_bad_input_and_evaluation_errors() {
    let mut codes = Vec::new();
    for (name, _) in entries() {
        let text =
            std::fs::read_to_string(corpus().join(format!("{name}.expected.jsonl"))).expect("expected");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            assert_eq!(v["model"], MODEL_VERSION, "{name}: {line}");
            if let Some(code) = v["error"]["code"].as_str() {
                assert!(v["error"]["message"]["zh"].is_string() && v["error"]["message"]["en"].is_string());
                codes.push(code.to_string());
            }
        }
    }
    // Wrong type, unknown field, unknown variant, missing row; division by zero, overflow.
    for code in [Code::E0302, Code::E0304, Code::E0305, Code::E0306, Code::E0601, Code::E0602, Code::E0603] {
        assert!(codes.iter().any(|c| c == code.as_str()), "no case in the corpus gives {code}");
    }
}
