//! Which data files a policy's `来自` may read on the command line: only inside the
//! policy file's folder (E0128 otherwise, before anything is looked up), more with
//! `--allow-read DIR`, and only regular files (a FIFO, a device or a folder is E0121, at
//! once rather than never). The playground's side is in tests/hostile.rs.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// A policy whose list comes from `path`.
fn listing(path: &str) -> String {
    format!(
        "政策 列表\n记录 行 {{\n  编号: 文本\n  名称: 文本\n}}\n清单 表: 行 键 编号 来自 \"{path}\"\n\
         输入 申请 {{ k: 表 }}\n枚举 结论 {{ 是 }}\n规则 r {{ 当 申请.k.名称 == \"x\" 则 是 \"x\" }}\n\
         决定 d: 结论 按 优先 是 默认 是 \"y\"\n"
    )
}

const ROWS: &str = "编号,名称\nk1,甲\n";

/// `base/policies/` with `p.qd` (its list from `from`), `rows.csv` and `sub/`; `base/common/rows.csv`
/// beside it; `base/policies/link.csv` a symbolic link to the common one.
fn scene(from: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(policies.join("sub")).expect("folder");
    std::fs::create_dir_all(dir.path().join("common")).expect("folder");
    std::fs::write(policies.join("rows.csv"), ROWS).expect("rows");
    std::fs::write(dir.path().join("common/rows.csv"), ROWS).expect("rows");
    std::os::unix::fs::symlink("../common/rows.csv", policies.join("link.csv")).expect("symlink");
    let policy = policies.join("p.qd");
    std::fs::write(&policy, listing(from)).expect("policy");
    (dir, policy)
}

fn check(args: &[&str]) -> (u8, serde_json::Value, String) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = common::run_in_process(all);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\n{err}"));
    (code, json, err)
}

/// The error codes (the policies here cite no clause: W0001 is beside the point).
fn codes(json: &serde_json::Value) -> Vec<String> {
    let diags = json["diagnostics"].as_array().expect("a list").iter();
    diags.filter(|d| d["severity"] == "error").map(|d| d["code"].as_str().unwrap_or("").into()).collect()
}

fn text(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn data_files_outside_the_policy_folder_are_refused() {
    // BASE is the folder that holds `policies/` and `common/`.
    for from in
        ["BASE/common/rows.csv", "../common/rows.csv", "./../common/rows.csv", "link.csv", "/etc/passwd"]
    {
        let (dir, policy) = scene("");
        let from = from.replace("BASE", &dir.path().to_string_lossy());
        std::fs::write(&policy, listing(&from)).expect("policy");
        let (code, json, _) = check(&[text(&policy)]);
        assert_eq!((code, codes(&json)), (1, vec!["E0128".to_string()]), "{from}: {json}");
        let d = &json["diagnostics"][0];
        assert_eq!((d["start"]["line"].as_u64(), d["severity"].as_str()), (Some(6), Some("error")));
        // In the language of the text, with a hint that names the way out.
        assert!(d["message"].as_str().is_some_and(|m| m.contains("不予读取")), "{d}");
        assert!(d["help"].as_str().is_some_and(|m| m.contains("--allow-read")), "{d}");
    }
    // Inside the folder, `..` that does not climb out is fine.
    let (_dir, policy) = scene("sub/../rows.csv");
    let (code, json, _) = check(&[text(&policy)]);
    assert_eq!((code, codes(&json)), (0, Vec::<String>::new()), "{json}");
}

#[test]
fn allow_read_opens_another_folder_and_only_that_one() {
    for from in ["../common/rows.csv", "link.csv", "BASE/common/rows.csv"] {
        let (dir, policy) = scene("");
        let from = from.replace("BASE", &dir.path().to_string_lossy());
        std::fs::write(&policy, listing(&from)).expect("policy");
        let common = dir.path().join("common");
        let (code, json, _) = check(&["--allow-read", text(&common), text(&policy)]);
        assert_eq!((code, codes(&json)), (0, Vec::<String>::new()), "{from}: {json}");
        // Another folder allowed does not open this one.
        let other = dir.path().join("policies");
        let (code, json, _) = check(&["--allow-read", text(&other), text(&policy)]);
        assert_eq!((code, codes(&json)), (1, vec!["E0128".to_string()]), "{from}: {json}");
    }
    // Every command that checks a policy takes it (a global option).
    let (dir, policy) = scene("../common/rows.csv");
    let common = dir.path().join("common");
    let (code, out, err) = common::run_in_process(["dump-ir", "--allow-read", text(&common), text(&policy)]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn allow_read_of_a_missing_folder_and_in_the_playground_are_usage_errors() {
    let (_dir, policy) = scene("rows.csv");
    let (code, _, err) = common::run_in_process(["check", "--allow-read", "/no/such/folder", text(&policy)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--allow-read /no/such/folder"), "{err}");
    let (code, _, err) = common::run_in_process(["playground", "--allow-read", "/tmp", "--port", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--allow-read"), "{err}");
}

/// Runs the binary, waiting at most `limit` (generous: it guards against a hang that
/// would otherwise stop the test suite, and measures nothing).
fn run_bounded(args: &[&str], limit: Duration) -> Option<(u8, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut out)
                .expect("reads");
            return Some((status.code().unwrap_or(-1) as u8, out));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_fifo_a_device_or_a_folder_named_as_data_is_refused_not_waited_on() {
    let (dir, policy) = scene("pipe.csv");
    let policies = dir.path().join("policies");
    let made = Command::new("mkfifo").arg(policies.join("pipe.csv")).status().expect("mkfifo runs");
    assert!(made.success());
    std::fs::create_dir(policies.join("folder.csv")).expect("folder");
    let limit = Duration::from_secs(120);
    let cases = [
        ("pipe.csv", "FIFO", vec![]),
        ("folder.csv", "文件夹", vec![]),
        ("/dev/zero", "设备", vec!["--allow-read", "/dev"]),
    ];
    for (from, what, options) in cases {
        std::fs::write(&policy, listing(from)).expect("policy");
        let mut args = vec!["check", "--format", "json"];
        args.extend(options);
        args.push(text(&policy));
        let (code, out) =
            run_bounded(&args, limit).unwrap_or_else(|| panic!("{from}: still waiting after {limit:?}"));
        let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!((code, codes(&json)), (1, vec!["E0121".to_string()]), "{from}: {json}");
        let message = json["diagnostics"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(what), "{from}: {message}");
    }
}

#[test]
fn a_fifo_among_a_folders_policies_is_skipped_not_waited_on() {
    let (dir, policy) = scene("rows.csv");
    let policies = dir.path().join("policies");
    let made = Command::new("mkfifo").arg(policies.join("trap.qd")).status().expect("mkfifo runs");
    assert!(made.success());
    let (code, out) = run_bounded(&["check", "--format", "json", text(&policies)], Duration::from_secs(120))
        .unwrap_or_else(|| panic!("still waiting on the FIFO"));
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!((code, json["summary"]["files"].as_u64()), (0, Some(1)), "{json}");
    // A policy that uses another finds it among the regular files only.
    std::fs::write(policies.join("q.qd"), "政策 用\n使用 列表\n").expect("policy");
    let (code, _) = run_bounded(&["check", text(&policies.join("q.qd"))], Duration::from_secs(120))
        .unwrap_or_else(|| panic!("still waiting on the FIFO"));
    assert_eq!(code, 0);
    drop(policy);
}

/// A folder's `.qd` files are found without entering folders reached through a symbolic
/// link: a link to `..` once made the walk list one file forty times (down to the longest
/// path allowed), each copy an error. A used policy is looked for in the policy's folder
/// and its parent's, two levels down at most, not in the whole tree above.
#[test]
fn folder_walks_skip_linked_folders_and_used_policies_are_found_nearby_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(policies.join("甲")).expect("folder");
    std::fs::write(policies.join("甲/a.qd"), "政策 甲\n").expect("policy");
    std::os::unix::fs::symlink("..", policies.join("甲/up")).expect("symlink");
    let (code, json, _) = check(&[text(&policies)]);
    assert_eq!((code, json["summary"]["files"].as_u64()), (0, Some(1)), "{json}");

    // `使用 乙`: found one subfolder over (policies/乙), not four levels down.
    let user = "政策 用户\n使用 乙\n";
    std::fs::write(policies.join("甲/user.qd"), user).expect("policy");
    std::fs::create_dir_all(policies.join("乙")).expect("folder");
    std::fs::write(policies.join("乙/b.qd"), "政策 乙\n").expect("policy");
    let (code, json, _) = check(&[text(&policies.join("甲/user.qd"))]);
    assert_eq!(code, 0, "{json}");
    std::fs::remove_file(policies.join("乙/b.qd")).expect("remove");
    let deep = policies.join("乙/c/d/e");
    std::fs::create_dir_all(&deep).expect("folders");
    std::fs::write(deep.join("b.qd"), "政策 乙\n").expect("policy");
    let (code, json, _) = check(&[text(&policies.join("甲/user.qd"))]);
    assert_eq!(code, 1, "too deep to be looked for: {json}");
}
