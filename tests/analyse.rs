//! The analyser through the CLI: `qingdan check` findings on the bundled policies and on
//! the valid fixtures, and `qingdan diff` of the bundled admission policy against revised
//! copies (a threshold lowered, list rows changed), as snapshots a reviewer reads.

use std::path::{Path, PathBuf};

mod common;

const ADMISSION: &str = "policies/grid_admission/admission.qd";
const CASES: &str = "policies/grid_admission/cases.yaml";

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

/// A copy of the grid admission folder with `edit` applied to the files it names.
fn revised(edit: &[(&str, &str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    // Under a `policies` folder with the bundled full texts, which the policy's sources name.
    let copy = dir.path().join("policies/grid_admission");
    std::fs::create_dir_all(&copy).expect("folder");
    let texts = dir.path().join("policies/sources");
    std::fs::create_dir(&texts).expect("folder");
    for entry in std::fs::read_dir("policies/sources").expect("bundled texts") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, texts.join(path.file_name().expect("name"))).expect("copy");
    }
    for entry in std::fs::read_dir("policies/grid_admission").expect("bundled folder") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, copy.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    for (file, from, to) in edit {
        let path = copy.join(file);
        let text = std::fs::read_to_string(&path).expect("file");
        assert!(text.contains(from), "{file} no longer has `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    }
    let policy = copy.join("admission.qd");
    (dir, policy)
}

#[test]
fn bundled_policies_check_without_errors_and_their_findings_are_stated() {
    let (code, out, err) = qingdan(&["check", "--color", "never", "policies"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 个错误"), "{out}");
    snapshot("analyse_bundled_check", &format!("{out}{err}"));
}

#[test]
fn findings_on_the_valid_fixtures() {
    let dir = Path::new("tests/fixtures/check/valid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "qd"))
        .collect();
    files.sort();
    let mut listing = String::new();
    for f in files {
        let (_, out, _) = qingdan(&["check", "--format", "json", f.to_str().expect("utf-8")]);
        let json: serde_json::Value = serde_json::from_str(&out).expect("json");
        for d in json["diagnostics"].as_array().expect("array") {
            let line = d["start"]["line"].as_u64().unwrap_or_default();
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            listing += &format!(
                "{name}:{line} {} {}\n",
                d["code"].as_str().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default()
            );
        }
    }
    snapshot("analyse_valid_fixtures", &listing);
}

#[test]
fn diff_of_a_lowered_workload_limit() {
    let (_dir, new) =
        revised(&[("admission.qd", "令 单项每月工作量上限分钟 = 600", "令 单项每月工作量上限分钟 = 480")]);
    let new = new.to_str().expect("utf-8");
    let (code, text, err) = qingdan(&["diff", ADMISSION, new, "--cases", CASES]);
    assert_eq!(code, 1, "a change is exit 1: {err}");
    snapshot("analyse_diff_threshold_text", &text);
    let (_, markdown, _) = qingdan(&["diff", ADMISSION, new, "--markdown", "--cases", CASES]);
    snapshot("analyse_diff_threshold_markdown", &markdown);
    let (_, english, _) = qingdan(&["diff", ADMISSION, new, "--lang", "en"]);
    snapshot("analyse_diff_threshold_text_en", &english);

    // The JSON form carries each change's example as a case `qingdan eval` reads.
    let (_, json, _) = qingdan(&["diff", ADMISSION, new, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let changes = json["decisions"][0]["changes"].as_array().expect("changes");
    assert!(!changes.is_empty());
    for c in changes {
        // Over the limit, an application is now returned with the minutes to cut.
        assert_eq!(c["new"].as_str().map(|s| s.starts_with("退回补正")), Some(true), "{c}");
        let example = serde_json::to_string(&c["witness"]["input"]).expect("example");
        let dir = tempfile::tempdir().expect("temp dir");
        let case = dir.path().join("case.json");
        std::fs::write(&case, &example).expect("write");
        let (_, old_out, _) = qingdan(&["eval", ADMISSION, "--input", case.to_str().expect("utf-8")]);
        let (_, new_out, _) = qingdan(&["eval", new, "--input", case.to_str().expect("utf-8")]);
        assert_ne!(old_out, new_out, "the example is decided differently");
        assert!(new_out.contains("退回补正"), "{new_out}");
    }
}

#[test]
fn diff_of_list_rows_added_removed_and_changed() {
    let csv = std::fs::read_to_string("policies/grid_admission/网格任务清单.csv").expect("list");
    let last = csv.lines().last().expect("a row").to_string();
    let removed_key = last.split(',').next().expect("key").to_string();
    let added = last.replacen(&removed_key, "WG-099", 1);
    let second = csv.lines().nth(1).expect("first row").to_string();
    let mut cells: Vec<&str> = second.split(',').collect();
    let freq = cells.iter().position(|c| c.parse::<u32>().is_ok()).expect("a number");
    let bumped = (cells[freq].parse::<u32>().expect("number") + 1).to_string();
    cells[freq] = &bumped;
    let changed = cells.join(",");
    let (_dir, new) =
        revised(&[("网格任务清单.csv", &last, &added), ("网格任务清单.csv", &second, &changed)]);
    let (code, text, err) = qingdan(&["diff", ADMISSION, new.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "{err}");
    let lists = text.split("\n清单 ").skip(1).collect::<Vec<_>>().join("\n清单 ");
    assert!(lists.contains("WG-099"), "{text}");
    assert!(lists.contains(&removed_key), "{text}");
    snapshot("analyse_diff_list_rows", &lists);
}

#[test]
fn a_policy_compared_with_itself_does_not_change() {
    let (code, text, err) = qingdan(&["diff", ADMISSION, ADMISSION, "--cases", CASES]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(text.contains("结论没有变化") && text.contains("没有案例的结论改变"), "{text}");
    assert!(!text.contains("→ 不予准入"), "{text}");
}

#[test]
fn diff_usage_errors() {
    let (code, _, err) = qingdan(&["diff", ADMISSION, "no/such/policy.qd"]);
    assert_eq!(code, 2, "{err}");
    // In the policies' language, or the one asked for.
    let (code, _, err) = qingdan(&["diff", ADMISSION, ADMISSION, "--cases", "no/such/cases.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("无法读取 no/such/cases.yaml"), "{err}");
    let (code, _, err) =
        qingdan(&["diff", ADMISSION, ADMISSION, "--cases", "no/such/cases.yaml", "--lang", "en"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read"), "{err}");
}
