//! `qingdan eval` end to end: explanations as people read them and as JSON/YAML, case
//! errors that leave the other cases running, JSON Lines on stdin, and hostile input (a
//! 1 GB stream, a case with 100,000 fields) handled with bounded memory.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");
const POLICY: &str = "tests/fixtures/eval/admission.qd";
const CASES: &str = "tests/fixtures/eval/cases.yaml";

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).to_string_lossy().into_owned()
}

/// Writes a test's input into the child's stdin.
type Feed<'a> = &'a mut dyn FnMut(&mut dyn Write);

/// Runs the binary with `stdin` fed from `input`; returns (exit code, stdout, stderr).
fn qingdan(args: &[&str], input: Option<Feed<'_>>) -> (i32, String, String) {
    run_with(Path::new(BIN), args, input.unwrap_or(&mut |_| {}))
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn explanations_for_people() {
    let (code, out, err) = qingdan(&["eval", &repo(POLICY), "--input", &repo(CASES), "--explain"], None);
    assert_eq!(code, 0, "{err}");
    snapshot("eval_text_explain", &out);
}

#[test]
fn stable_json_and_yaml() {
    let (code, json, _) =
        qingdan(&["eval", &repo(POLICY), "--input", &repo(CASES), "--format", "json"], None);
    assert_eq!(code, 0);
    for line in json.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per case");
        assert!(v["decisions"]["准入结论"]["outcomes"].is_array());
    }
    snapshot("eval_json", &json);
    let (code, yaml, _) = qingdan(
        &[
            "eval",
            &repo(POLICY),
            "--input",
            &repo(CASES),
            "--format",
            "yaml",
            "--explain",
            "--decision",
            "准入结论",
        ],
        None,
    );
    assert_eq!(code, 0);
    let parsed: serde_yaml::Value = serde_yaml::from_str(&yaml).expect("the YAML output is one sequence");
    assert_eq!(parsed.as_sequence().map(Vec::len), Some(6));
    snapshot("eval_yaml_explain", &yaml);
}

#[test]
fn a_bad_case_is_reported_and_the_others_still_run() {
    let lines = concat!(
        r#"{"名称":"甲","类别":"应急处置","每月频次":"四","单次耗时分钟":60,"经费随转":true,"需照片留痕":false,"运行状态":"战时","申请日期":"2024-07-01"}"#,
        "\n",
        r#"{"名称":"乙","类别":"应急处置","每月频次":4,"单次耗时分钟":60,"经费随转":true,"需照片留痕":false,"运行状态":"战时","申请日期":"2024-07-01"}"#,
        "\n",
        "{not json\n",
        r#"{"名称":"丙","类别":"未知类别","每月频次":4,"单次耗时分钟":60,"经费随转":true,"需照片留痕":false,"运行状态":"战时","申请日期":"2024-07-01"}"#,
        "\n",
        r#"{"名称":"丁","类别":"应急处置","每月频次":4,"经费随转":true,"需照片留痕":false,"运行状态":"战时","申请日期":"2024-07-01","多余":1}"#,
        "\n",
    );
    let mut feed = |w: &mut dyn Write| w.write_all(lines.as_bytes()).expect("write");
    let (code, out, _) = qingdan(
        &["eval", &repo(POLICY), "--input", "-", "--format", "json", "--decision", "准入结论"],
        Some(&mut feed),
    );
    assert_eq!(code, 1, "errors make the run fail");
    let results: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    let codes: Vec<&str> = results.iter().map(|r| r["error"]["code"].as_str().unwrap_or("ok")).collect();
    assert_eq!(codes, ["E0302", "ok", "E0301", "E0305", "E0304"]);
    assert_eq!(results[0]["error"]["path"], "申请.每月频次");
    // No legal basis given: returned for correction, which outranks the temporary admission.
    assert_eq!(results[1]["decisions"]["准入结论"]["outcomes"][0]["outcome"], "退回补正");
    snapshot("eval_case_errors", &out);
}

#[test]
fn a_case_with_100000_fields_is_refused() {
    let mut line = String::from("{");
    for i in 0..100_000 {
        line.push_str(&format!("\"字段{i}\":{i},"));
    }
    line.push_str("\"名称\":\"甲\"}\n");
    let mut feed = |w: &mut dyn Write| w.write_all(line.as_bytes()).expect("write");
    let (code, out, _) =
        qingdan(&["eval", &repo(POLICY), "--input", "-", "--format", "json"], Some(&mut feed));
    assert_eq!(code, 1);
    assert!(out.contains("E0307"), "{out}");
}

/// A gigabyte on stdin in one line is skipped without being held in memory, and the case
/// after it is still decided. Peak memory is measured with /usr/bin/time where it exists.
#[test]
fn a_one_gigabyte_stream_is_streamed() {
    let good = r#"{"名称":"乙","类别":"应急处置","法律依据":"防洪法","每月频次":4,"单次耗时分钟":60,"经费随转":true,"需照片留痕":false,"运行状态":"战时","申请日期":"2024-07-01"}"#;
    let mut feed = |w: &mut dyn Write| {
        let chunk = vec![b'x'; 1 << 20];
        let _ = w.write_all("{\"名称\":\"".as_bytes());
        for _ in 0..1024 {
            if w.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = w.write_all(b"\"}\n");
        let _ = w.write_all(good.as_bytes());
        let _ = w.write_all(b"\n");
    };
    let time = Path::new("/usr/bin/time");
    let policy = repo(POLICY);
    let mut args =
        vec!["eval", policy.as_str(), "--input", "-", "--format", "json", "--decision", "准入结论"];
    let (code, out, err) = if time.exists() {
        let mut full = vec!["-f", "peak-kb %M", BIN];
        full.append(&mut args);
        run_with(time, &full, &mut feed)
    } else {
        qingdan(&args, Some(&mut feed))
    };
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("E0307"));
    let decided: serde_json::Value = serde_json::from_str(lines[1]).expect("json");
    assert_eq!(decided["decisions"]["准入结论"]["outcomes"][0]["outcome"], "临时准入");
    if let Some(kb) =
        err.lines().find_map(|l| l.strip_prefix("peak-kb ")).and_then(|k| k.trim().parse::<u64>().ok())
    {
        assert!(kb < 200 * 1024, "peak memory {kb} KiB for a 1 GiB stream");
    }
}

fn run_with(program: &Path, args: &[&str], feed: Feed<'_>) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    feed(&mut stdin);
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// An optional outcome field left out (`退回 { 补正: … }` without `目录条目`, or `准入`
/// bare when its only field is optional) is none, as in a list row: the checker accepts
/// it, and the interpreter and the module decide every case (once every case failed with
/// "missing value").
#[test]
fn an_optional_outcome_field_left_out_is_none() {
    let policy = repo("tests/fixtures/eval/optional_field.qd");
    let cases = repo("tests/fixtures/eval/optional_field.cases.yaml");
    let (code, out, err) = qingdan(&["eval", &policy, "--input", &cases], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("案例 2：d → 退回 { 补正: [q, 写明种类], 目录条目: none }"), "{out}");
    assert!(out.contains("案例 3：d → 准入 { 截止: none }"), "{out}");
    let dir = tempfile::tempdir().expect("temp dir");
    let module = dir.path().join("m.wasm").to_string_lossy().into_owned();
    let (code, _, err) = qingdan(&["build", &policy, "-o", &module], None);
    assert_eq!(code, 0, "{err}");
    let by_module = qingdan(&["eval", "--wasm", &module, "--input", &cases], None);
    assert_eq!(by_module, (0, out, String::new()));
}
