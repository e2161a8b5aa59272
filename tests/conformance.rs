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

/// The module (built by `wasm`) through the runtime crate alone: read, decided and written by
/// `qingdan_runtime` (`Instance::decide_json`), as an embedding Rust service would.
fn runtime(name: &str, cases: &[String]) -> Vec<String> {
    let bytes = std::fs::read(root().join(format!("target/conformance/{name}.wasm"))).expect("module");
    let module = qingdan_runtime::Module::load(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut inst = module.instantiate().unwrap_or_else(|e| panic!("{name}: {e}"));
    let options = qingdan_runtime::LineOptions::default();
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            inst.decide_json(&module, case.trim_end(), i + 1, &options)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        })
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
    let (mut total, mut interp_ok, mut cli_ok, mut wasm_ok, mut cli_wasm_ok, mut runtime_ok) =
        (0, 0, 0, 0, 0, 0);
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
        runtime_ok += agreeing("runtime", &name, &runtime(&name, &cases), &want, &mut differences);
    }
    eprintln!(
        "conformance: interpreter {interp_ok}/{total}, cli {cli_ok}/{total}, wasm {wasm_ok}/{total}, \
         cli --wasm {cli_wasm_ok}/{total}, runtime {runtime_ok}/{total}"
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

// ------------------------------------------------------------------ generated small policies

/// How many small policies the generator writes (`gen00` … `gen09` in corpus.txt).
const GENERATED: u64 = 10;

/// A small deterministic generator (xorshift64*), so the corpus is the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// What one generated policy has: the shapes it draws (list key type, decision kind, which
/// rules, lets and checks) and the thresholds its rules compare with.
struct Shape {
    int_key: bool,
    keys: Vec<String>,
    by: &'static str,
    exception: bool,
    late: bool,
    long_name: bool,
    spare: bool,
    any_row: bool,
    checks: bool,
    heavy: i64,
    quota_base: i64,
}

/// The kinds of decision a generated policy may have.
const BY: [&str; 3] = ["first", "priority refuse > review > grant", "collect"];

impl Shape {
    fn draw(r: &mut Rng) -> Shape {
        let int_key = r.chance(40);
        let rows = r.range(2, 4) as usize;
        let keys = (0..rows)
            .map(|i| if int_key { format!("{}", 100 + i * 7) } else { format!("\"U{}\"", i + 1) })
            .collect();
        Shape {
            int_key,
            keys,
            by: BY[(r.next() % BY.len() as u64) as usize],
            exception: r.chance(70),
            late: r.chance(60),
            long_name: r.chance(50),
            spare: r.chance(50),
            any_row: r.chance(50),
            checks: r.chance(60),
            heavy: r.range(50, 400),
            quota_base: r.range(1, 6),
        }
    }
}

/// The text of generated policy `n`: enum, record, list rows, inputs of every scalar type, a
/// set and an optional, lets (one converting an int to a decimal), rules, an exception, a
/// decision of the drawn kind and checks that read the case.
fn generated_policy(n: u64, s: &Shape, r: &mut Rng) -> String {
    let key_ty = if s.int_key { "int" } else { "text" };
    let seed = n + 1;
    let mut out = format!(
        "policy gen{n:02}\n// Written by tests/conformance.rs (`generated_policy`, seed {seed}): a small policy of the\n\
         // language's shapes for the conformance corpus, not a real one. Rewrite it with\n\
         // `QINGDAN_CONFORMANCE=write cargo test --test conformance generated`.\n\
         source rules \"Generated rules\" (2025-01-01) {{\n  clause 1 \"First\"\n  clause 2 \"Second\"\n}}\n\
         enum level {{ low, mid, high }}\nrecord unit_row {{ code: {key_ty}, quota: int, rate: decimal }}\n\
         list units: unit_row key code {{\n"
    );
    for (i, key) in s.keys.iter().enumerate() {
        let rate = format!("{}.{:02}", r.range(0, 2), r.range(0, 99));
        out += &format!("  item {key} {{ quota: {}, rate: {rate} }}\n", s.quota_base + i as i64 * 2);
    }
    out += "}\ninput app {\n  people: int\n  amount: decimal\n  name: text\n  filed: date\n  level: level\n  tags: set of text\n  unit: units\n";
    if s.spare {
        out += "  spare: int?\n";
    }
    out += "}\nenum verdict { grant { amount: decimal, until: date }, review, refuse }\n";
    out += "let total: decimal = app.people\nlet weighted = app.amount + app.people * app.unit.rate\nlet share = app.amount / app.people\n";
    out += &format!(
        "rule heavy cite rules.1 {{\n  when weighted > {}.{}\n  then refuse \"weighted amount too high\"\n}}\n",
        s.heavy,
        r.range(0, 9)
    );
    if s.exception {
        out += &format!(
            "exception hardship to heavy cite rules.2 {{\n  when app.level == high and \"urgent\" in app.tags\n  then grant {{ amount: share, until: app.filed + {} }} \"hardship is granted a share\"\n}}\n",
            r.range(10, 90)
        );
    }
    out += "rule over_quota cite rules.1 {\n  when app.people > app.unit.quota\n  then review \"more people than the unit's quota\"\n}\n";
    if s.late {
        out += &format!(
            "rule late cite rules.2 {{\n  when app.filed > 2025-{:02}-{:02}\n  then review \"filed late\"\n}}\n",
            r.range(1, 12),
            r.range(1, 28)
        );
    }
    if s.long_name {
        out += &format!(
            "rule long_name cite rules.1 {{\n  when length(app.name) > {}\n  then review \"a long name\"\n}}\n",
            r.range(2, 8)
        );
    }
    if s.spare {
        out += "rule spare_used cite rules.2 {\n  when app.spare is some and app.spare > 2\n  then review \"spare places used\"\n}\n";
    }
    if s.any_row {
        out += "rule exact_quota cite rules.2 {\n  when any(u in units where u.quota == app.people)\n  then grant { amount: total, until: app.filed } \"people match a quota\"\n}\n";
    }
    out += &format!(
        "decision d: verdict by {} default grant {{ amount: app.amount, until: app.filed }} \"granted as asked\"\n",
        s.by
    );
    if s.checks {
        out += "check no_negative cite rules.1 {\n  must app.amount >= 0 \"amounts are not negative\"\n}\n";
        out += "check not_low_and_urgent cite rules.2 {\n  must not app.level == low and \"urgent\" in app.tags \"a low level is not urgent\"\n}\n";
    }
    out
}

/// The cases of generated policy `n`: drawn values (boundaries among them: no people, a
/// negative amount, a key no row has), then a wrong type, an unknown field, a missing field
/// and an unknown variant.
fn generated_cases(s: &Shape, r: &mut Rng) -> String {
    let names = ["张三", "李四的长名字示例", "Ann", "", "O'Neil \"Jr\""];
    let tags = ["urgent", "review", "其他"];
    let mut lines = Vec::new();
    let case = |r: &mut Rng| {
        let unit = if r.chance(10) {
            if s.int_key {
                "999".to_string()
            } else {
                "\"U9\"".to_string()
            }
        } else {
            r.pick(&s.keys).clone()
        };
        let chosen: Vec<String> =
            tags.iter().filter(|_| r.chance(45)).map(|t| serde_json::to_string(t).expect("JSON")).collect();
        let amount = match r.range(0, 5) {
            0 => format!("\"{}.{:06}\"", r.range(0, 900), r.range(0, 999_999)),
            1 => format!("-{}.5", r.range(0, 9)),
            _ => format!("{}.{:02}", r.range(0, 600), r.range(0, 99)),
        };
        let mut fields = vec![
            ("people", r.range(0, 12).to_string()),
            ("amount", amount),
            ("name", serde_json::to_string(r.pick(&names)).expect("JSON")),
            ("filed", format!("\"2025-{:02}-{:02}\"", r.range(1, 12), r.range(1, 28))),
            ("level", format!("\"{}\"", r.pick(&["low", "mid", "high"]))),
            ("tags", format!("[{}]", chosen.join(","))),
            ("unit", unit),
        ];
        if s.spare && r.chance(70) {
            fields.push(("spare", if r.chance(30) { "null".into() } else { r.range(0, 5).to_string() }));
        }
        fields
    };
    let json = |fields: &[(&str, String)]| {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", body.join(","))
    };
    for _ in 0..10 {
        let fields = case(r);
        lines.push(json(&fields));
    }
    let first = case(r);
    let mut wrong = first.clone();
    wrong[0].1 = "\"3\"".into();
    let mut unknown = first.clone();
    unknown.push(("peopel", "1".into()));
    let missing: Vec<_> = first.iter().filter(|(k, _)| *k != "filed").cloned().collect();
    let mut variant = first;
    variant[4].1 = "\"hihg\"".into();
    for fields in [wrong, unknown, missing, variant] {
        lines.push(json(&fields));
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// `(policy file, case file, policy text, case text)` of every generated entry.
fn generated() -> Vec<(PathBuf, PathBuf, String, String)> {
    (0..GENERATED)
        .map(|n| {
            let mut r = Rng::new(n + 1); // the seed `generated_policy` names
            let shape = Shape::draw(&mut r);
            let policy = generated_policy(n, &shape, &mut r);
            let cases = generated_cases(&shape, &mut r);
            let name = format!("gen{n:02}");
            (
                corpus().join(format!("generated/{name}.qd")),
                corpus().join(format!("{name}.cases.jsonl")),
                policy,
                cases,
            )
        })
        .collect()
}

/// The generated policies and cases in the corpus are what the generator writes, and every
/// one is an entry of corpus.txt (so every host runs them). With `QINGDAN_CONFORMANCE=write`
/// they are written (then write the expected results with the same variable).
#[test]
fn generated_policies_are_what_the_generator_writes() {
    let write = std::env::var("QINGDAN_CONFORMANCE").is_ok_and(|v| v == "write");
    let listed: Vec<String> = entries().into_iter().map(|(_, policy)| policy).collect();
    let mut stale = Vec::new();
    for (policy_file, cases_file, policy, cases) in generated() {
        let relative = policy_file.strip_prefix(root()).expect("in the repository");
        let relative = relative.to_string_lossy().replace('\\', "/");
        assert!(listed.contains(&relative), "corpus.txt does not list {relative}");
        for (file, text) in [(&policy_file, &policy), (&cases_file, &cases)] {
            if std::fs::read_to_string(file).ok().as_deref() == Some(text.as_str()) {
                continue;
            }
            if write {
                std::fs::create_dir_all(file.parent().expect("a folder")).expect("folder made");
                std::fs::write(file, text).expect("generated file written");
            } else {
                stale.push(file.display().to_string());
            }
        }
    }
    assert!(stale.is_empty(), "the generator writes otherwise: {stale:?}; run `{REGENERATE} generated`");
}

/// Lines the corpus leaves out (their words come from `serde_json`, which a host reading a
/// parsed case cannot give): the runtime crate reads them as the engine does, byte for byte —
/// malformed JSON with its column, a number beyond an f64 where an integer is read, a field
/// given twice, a case that is no object, a case nested under its input's name.
#[test]
fn the_runtime_reads_what_the_corpus_leaves_out_as_the_engine_does() {
    let p =
        qingdan::load_policy(&root().join("tests/fixtures/conformance/numbers.qd"), None).expect("policy");
    let bytes = compile(&p, "conformance").expect("module").bytes;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("numbers.wasm"), &bytes).expect("module written");
    let module = qingdan_runtime::Module::load(&bytes).expect("module loads");
    let mut inst = module.instantiate().expect("instance");
    let rest = r#""amount":1,"note":"a","grid":101,"tallies":[],"maybe":null,"shares":[]"#;
    let cases: Vec<String> = [
        format!(r#"{{"seats":1e400,{rest}}}"#),
        format!(r#"{{"seats":"x","note":1e400,{rest}}}"#),
        format!(r#"{{"seats":1,{rest}"#),
        format!(r#"{{"seats":1,"seats":2,{rest}}}"#),
        format!(r#"{{"seats":1,"note":"中文",{rest},}}"#),
        format!(r#"{{"x":{{"seats":1,{rest}}}}}"#),
        format!(r#"{{"x":{{"seats":1,{rest}}},"seats":1}}"#),
        format!(r#"{{"seats":1,"tallies":[1,1e999],{rest}}}"#),
        "[1,2]".to_string(),
        "\"case\"".to_string(),
        "{}".to_string(),
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect();
    let options = qingdan_runtime::LineOptions::default();
    let by_runtime: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| inst.decide_json(&module, c.trim_end(), i + 1, &options).expect("a line"))
        .collect();
    let by_engine = interpreter(&p, &cases);
    for (i, (r, e)) in by_runtime.iter().zip(&by_engine).enumerate() {
        assert_eq!(r, e, "line {}: {}", i + 1, cases[i]);
    }
    assert!(by_engine[0].contains("malformed JSON at column 14: number out of range"), "{}", by_engine[0]);
}
