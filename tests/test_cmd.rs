//! `qingdan test` end to end: pass/fail counts and exit codes, the diff of failing cases
//! (snapshot), case-reading errors with file, case and path, coverage, JSON, which case file
//! belongs to which policy, and `--snapshot` / `--snapshot --check` on a temporary copy of a
//! policy whose threshold is edited.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");
const MIXED: &str = "tests/fixtures/test_cmd/mixed";
const PASSING: &str = "tests/fixtures/test_cmd/passing";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary from the repository root, so that relative paths (and so the output)
/// are the same on every machine.
fn qingdan(args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run qingdan");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// Copies the files of a fixture folder (not its subfolders) into `to`.
fn copy_folder(from: &str, to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("fixture folder") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy fixture");
        }
    }
}

#[test]
fn failing_cases_show_a_diff_and_the_summary_line() {
    let run = qingdan(&["test", MIXED]);
    assert_eq!(run.code, 1, "a failing case exits 1\n{}{}", run.stdout, run.stderr);
    assert!(run.stdout.lines().any(|l| l == "5 passed, 5 failed"), "{}", run.stdout);
    assert!(run.stdout.contains("从未触发：执法事项不得下沉"), "coverage names the unfired rule");
    snapshot("test_cmd_mixed", &run.stdout);
}

#[test]
fn english_labels_when_asked() {
    let run = qingdan(&["test", MIXED, "--lang", "en"]);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    for line in [
        "    ✓ 战时防汛转移临时准入",
        "    ✗ 结论写错",
        "        decision 准入结论 (- expected, + actual):",
        "        - outcome: 常态准入",
        "        + outcome: 退回补正",
        "        - values: { 截止日期: 2024-08-01 }",
        "        + values: { 截止日期: 2024-07-31 }",
        "        - fires: [战时临时准入]",
        "        + fires: [战时经费后补, 战时临时准入]",
        "        - outcome: [需复核, 可简化]",
        "        + outcome: [可简化]",
        "        tests/fixtures/test_cmd/mixed/cases.yaml:50: case `预期写错`, `expect.准入结论.fires[0]`: decision `准入结论` has no rule or exception `工作量超标`; did you mean `工作量超限`?",
        "5 passed, 5 failed",
        "  测试准入: 7 of 8 rules and exceptions fired",
        "    never fired: 执法事项不得下沉",
    ] {
        assert!(out.lines().any(|l| l == line), "missing line {line:?} in\n{out}");
    }
    assert!(!out.contains("通过"), "no Chinese labels with --lang en");
}

#[test]
fn a_folder_where_everything_passes_exits_0_with_full_coverage() {
    let run = qingdan(&["test", PASSING]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.lines().any(|l| l == "7 passed, 0 failed"), "{}", run.stdout);
    assert_eq!(run.stdout.matches(": 100% rule coverage").count(), 2, "{}", run.stdout);
    // `helper.cases.yaml` belongs to helper.qd; the plain `cases.yaml` to main.qd, the
    // policy without a case file of its own.
    let blocks: Vec<&str> = run.stdout.split("\n\n").collect();
    let helper = blocks.iter().find(|b| b.starts_with("policy task_withdrawal")).expect("helper block");
    let main = blocks.iter().find(|b| b.starts_with("policy task_admission")).expect("main block");
    assert!(
        helper.contains("passing/helper.cases.yaml\n") && !helper.contains("passing/cases.yaml"),
        "{helper}"
    );
    assert!(main.contains("passing/cases.yaml\n") && main.contains("test blocks\n    ✓ ordinary"), "{main}");
}

#[test]
fn json_report_has_cases_diffs_and_coverage() {
    let run = qingdan(&["test", MIXED, "--format", "json"]);
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(doc["summary"], serde_json::json!({ "passed": 5, "failed": 5 }));
    let policy = &doc["policies"][0];
    let cases = policy["cases"].as_array().expect("cases");
    let statuses: Vec<&str> = cases.iter().map(|c| c["status"].as_str().expect("status")).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "passed").count(), 5);
    let wrong = cases.iter().find(|c| c["name"] == "截止日期和触发规则写错").expect("case");
    assert_eq!(wrong["line"], 35);
    assert_eq!(
        wrong["diff"][0],
        serde_json::json!({
            "decision": "准入结论",
            "outcome_ok": true,
            "values_ok": false,
            "fires_ok": false,
            "expected": { "outcome": "临时准入", "values": { "截止日期": "2024-08-01" }, "fires": ["战时临时准入"] },
            "actual": { "outcome": "临时准入", "values": { "截止日期": "2024-07-31" }, "fires": ["战时经费后补", "战时临时准入"] },
        })
    );
    // Each case also carries its input as JSON and what it expects, for other hosts.
    assert_eq!(
        wrong["expect"],
        serde_json::json!({ "准入结论": { "outcome": "临时准入", "values": { "截止日期": "2024-08-01" }, "fires": ["战时临时准入"] } })
    );
    assert_eq!(wrong["given"]["类别"], "应急处置");
    assert_eq!(wrong["given"]["每月频次"], 4);
    assert_eq!(wrong["given"]["申请日期"], "2024-07-01");
    let set = cases.iter().find(|c| c["name"] == "汇总结论写错").expect("case");
    assert_eq!(set["diff"][0]["expected"]["outcome"], serde_json::json!(["需复核", "可简化"]));
    assert_eq!(
        set["expect"],
        serde_json::json!({ "复核提示": { "outcome": ["需复核", "可简化"], "values": {}, "fires": null } })
    );
    let typo = cases.iter().find(|c| c["name"] == "输入写错").expect("case");
    assert_eq!(typo["problems"][0]["path"], "given.申请.每月频率");
    assert_eq!(typo["problems"][0]["code"], "E0304");
    assert_eq!(typo["given"], serde_json::Value::Null, "a given that cannot be read is null");
    assert_eq!(policy["coverage"]["unfired"], serde_json::json!(["执法事项不得下沉"]));
    assert_eq!(policy["coverage"]["rules"], 8);
}

#[test]
fn snapshots_are_written_and_a_threshold_change_is_detected() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let policy_dir = tmp.path().join("policy");
    let snaps = tmp.path().join("snaps");
    copy_folder(PASSING, &policy_dir);
    // A case whose name is not a safe file name.
    let cases = policy_dir.join("cases.yaml");
    let mut text = std::fs::read_to_string(&cases).expect("cases");
    text.push_str("\n- case: \"a/b: c?\"\n  given: { name: x, monthly_minutes: 1, legal_basis: y, budget: 1 }\n  expect: { admission: admitted }\n");
    std::fs::write(&cases, text).expect("write cases");

    let run = qingdan(&["test", path(&policy_dir), "--snapshot", "--snapshot-dir", path(&snaps)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&snaps)
        .expect("snapshot folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "task_admission__a_b__c_.snap",
            "task_admission__both__the_worse_wins.snap",
            "task_admission__no_legal_basis.snap",
            "task_admission__ordinary.snap",
            "task_admission__too_much_work.snap",
            "task_withdrawal__idle.snap",
            "task_withdrawal__repealed_and_idle.snap",
            "task_withdrawal__still_needed.snap",
        ]
    );
    let too_much = snaps.join("task_admission__too_much_work.snap");
    let before = std::fs::read_to_string(&too_much).expect("snapshot");
    assert!(
        before.starts_with("---\nsource: cases.yaml\ndescription: a case of policy task_admission, every decision with its outcome, reasons and clauses\nexpression: too much work\n---\nadmission:\n"),
        "{before}"
    );
    assert!(before.contains("- name: monthly_limit\n      value: '600'"), "{before}");
    snapshot("test_cmd_snapshot_file", &before);

    let unchanged =
        qingdan(&["test", path(&policy_dir), "--snapshot", "--snapshot-dir", path(&snaps), "--check"]);
    assert_eq!(unchanged.code, 0, "{}", unchanged.stdout);
    assert!(!unchanged.stdout.contains("would"), "{}", unchanged.stdout);

    // The policy still passes every case with a lower threshold, but the explanations of
    // the cases that read it change.
    let main = policy_dir.join("main.qd");
    let source = std::fs::read_to_string(&main).expect("policy");
    std::fs::write(&main, source.replace("let monthly_limit = 600", "let monthly_limit = 550"))
        .expect("edit");
    let check =
        qingdan(&["test", path(&policy_dir), "--snapshot", "--snapshot-dir", path(&snaps), "--check"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.lines().any(|l| l == "8 passed, 0 failed"), "{}", check.stdout);
    let would: Vec<&str> = check.stdout.lines().filter(|l| l.starts_with("would update ")).collect();
    assert_eq!(would.len(), 2, "{}", check.stdout);
    assert!(would[0].ends_with("task_admission__too_much_work.snap"), "{would:?}");
    assert!(would[1].ends_with("task_admission__both__the_worse_wins.snap"), "{would:?}");
    assert_eq!(std::fs::read_to_string(&too_much).expect("snapshot"), before, "--check writes nothing");
    assert!(!snaps.join("task_admission__too_much_work.snap.new").exists(), "--check writes nothing");

    // Without --check, the changes wait beside the snapshots for review (and exit 1).
    let write = qingdan(&["test", path(&policy_dir), "--snapshot", "--snapshot-dir", path(&snaps)]);
    assert_eq!(write.code, 1, "{}{}", write.stdout, write.stderr);
    let pending: Vec<&str> =
        write.stdout.lines().filter(|l| l.starts_with("changed, pending review ")).collect();
    assert_eq!(pending.len(), 2, "{}", write.stdout);
    assert!(write.stdout.contains("qingdan test --review"), "{}", write.stdout);
    assert_eq!(std::fs::read_to_string(&too_much).expect("snapshot"), before, "the snapshot stays");
    let new = snaps.join("task_admission__too_much_work.snap.new");
    assert!(std::fs::read_to_string(&new).expect("pending").contains("value: '550'"));
    // insta's own reader takes the pending file: its header fields and its body.
    let parsed = insta::Snapshot::from_file(&new).expect("insta reads the pending snapshot");
    assert_eq!(parsed.metadata().source(), Some("cases.yaml"));
    assert_eq!(parsed.metadata().expression(), Some("too much work"));
    let body = match parsed.contents() {
        insta::internals::SnapshotContents::Text(text) => text.to_string(),
        _ => panic!("a text snapshot"),
    };
    assert!(body.starts_with("admission:\n") && body.contains("value: '550'"), "{body}");

    // Rejected: the pending files go, the snapshots stay.
    let reject =
        qingdan(&["test", path(&policy_dir), "--review", "--reject", "--snapshot-dir", path(&snaps)]);
    assert_eq!(reject.code, 0, "{}{}", reject.stdout, reject.stderr);
    assert!(reject.stdout.contains("accepted 0, rejected 2, skipped 0"), "{}", reject.stdout);
    assert!(
        reject.stdout.contains("- value: '600'") || reject.stdout.contains("-       value: '600'"),
        "{}",
        reject.stdout
    );
    assert!(!new.exists());
    assert_eq!(std::fs::read_to_string(&too_much).expect("snapshot"), before);

    // Accepted: the pending text becomes the snapshot.
    assert_eq!(qingdan(&["test", path(&policy_dir), "--snapshot", "--snapshot-dir", path(&snaps)]).code, 1);
    let accept =
        qingdan(&["test", path(&policy_dir), "--review", "--accept", "--snapshot-dir", path(&snaps)]);
    assert_eq!(accept.code, 0, "{}{}", accept.stdout, accept.stderr);
    assert!(accept.stdout.contains("accepted 2, rejected 0, skipped 0"), "{}", accept.stdout);
    assert!(!new.exists());
    assert!(std::fs::read_to_string(&too_much).expect("snapshot").contains("value: '550'"));
    let clean =
        qingdan(&["test", path(&policy_dir), "--snapshot", "--snapshot-dir", path(&snaps), "--check"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    let nothing = qingdan(&["test", path(&policy_dir), "--review", "--snapshot-dir", path(&snaps)]);
    assert_eq!((nothing.code, nothing.stdout.as_str()), (0, "no pending snapshots (.snap.new)\n"));

    // `--snapshot --accept` writes a change in place at once.
    std::fs::write(&main, source.replace("let monthly_limit = 600", "let monthly_limit = 500"))
        .expect("edit");
    let direct =
        qingdan(&["test", path(&policy_dir), "--snapshot", "--accept", "--snapshot-dir", path(&snaps)]);
    assert_eq!(direct.code, 0, "{}{}", direct.stdout, direct.stderr);
    assert_eq!(direct.stdout.lines().filter(|l| l.starts_with("updated ")).count(), 2, "{}", direct.stdout);
    assert!(std::fs::read_to_string(&too_much).expect("snapshot").contains("value: '500'"));
    assert!(!new.exists());
}

/// A snapshot whose case is gone is reported, and removed with `--prune-snapshots`
/// (with its pending file).
#[test]
fn snapshots_of_removed_cases_are_reported_and_pruned() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let policy_dir = tmp.path().join("policy");
    copy_folder(PASSING, &policy_dir);
    let snaps = policy_dir.join("snapshots");
    assert_eq!(qingdan(&["test", path(&policy_dir), "--snapshot"]).code, 0);
    let gone = snaps.join("task_admission__no_legal_basis.snap");
    assert!(gone.is_file());
    std::fs::write(snaps.join("task_admission__no_legal_basis.snap.new"), "---\n---\nx: 1\n").expect("write");
    let cases = policy_dir.join("cases.yaml");
    let text = std::fs::read_to_string(&cases).expect("cases");
    let start = text.find("- case: no legal basis").expect("the case this test removes");
    let end = text[start + 1..].find("\n- case:").map_or(text.len(), |e| start + 1 + e + 1);
    std::fs::write(&cases, format!("{}{}", &text[..start], &text[end..])).expect("write cases");

    let report = qingdan(&["test", path(&policy_dir), "--snapshot"]);
    assert_eq!(report.code, 0, "{}{}", report.stdout, report.stderr);
    let obsolete: Vec<&str> =
        report.stdout.lines().filter(|l| l.starts_with("obsolete (no case writes it) ")).collect();
    assert_eq!(obsolete.len(), 2, "{}", report.stdout);
    assert!(gone.is_file(), "only reported");

    let prune = qingdan(&["test", path(&policy_dir), "--snapshot", "--prune-snapshots"]);
    assert_eq!(prune.code, 0, "{}{}", prune.stdout, prune.stderr);
    assert_eq!(
        prune.stdout.lines().filter(|l| l.starts_with("obsolete, removed ")).count(),
        2,
        "{}",
        prune.stdout
    );
    assert!(!gone.exists() && !snaps.join("task_admission__no_legal_basis.snap.new").exists());
    assert!(snaps.join("task_admission__too_much_work.snap").is_file(), "the others stay");
    let again = qingdan(&["test", path(&policy_dir), "--snapshot"]);
    assert!(!again.stdout.contains("obsolete"), "{}", again.stdout);
}

/// A Chinese policy's snapshots read in Chinese: headings, yes/no, the description.
#[test]
fn a_chinese_policys_snapshot_reads_in_chinese() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let snaps = tmp.path().join("snaps");
    let run = qingdan(&["test", MIXED, "--snapshot", "--snapshot-dir", path(&snaps)]);
    assert!(run.stdout.lines().any(|l| l.starts_with("新建 ")), "{}", run.stdout);
    let mut files: Vec<_> =
        std::fs::read_dir(&snaps).expect("snapshots").map(|e| e.expect("entry").path()).collect();
    files.sort();
    let first = &files[0];
    let text = std::fs::read_to_string(first).expect("snapshot");
    assert!(text.contains("description: 政策 "), "{text}");
    for heading in ["得出:", "结论:", "理由:", "按默认:", "触发:", "被推翻:"] {
        assert!(text.contains(heading), "no `{heading}` in {text}");
    }
    assert!(!text.contains("by_default") && !text.contains(": true") && !text.contains(": false"), "{text}");
    assert!(text.contains("按默认: 是") || text.contains("按默认: 否"), "{text}");
    let parsed = insta::Snapshot::from_file(first).expect("insta reads it");
    assert!(parsed.metadata().description().is_some_and(|d| d.starts_with("政策 ")));
}

#[test]
fn snapshots_go_beside_the_policy_by_default() {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_folder(PASSING, tmp.path());
    let run = qingdan(&["test", path(&tmp.path().join("helper.qd")), "--snapshot"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(tmp.path().join("snapshots/task_withdrawal__idle.snap").is_file(), "{}", run.stdout);
    assert!(
        !tmp.path().join("snapshots/task_admission__ordinary.snap").exists(),
        "only the policy asked for"
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    copy_folder(PASSING, dir);

    // Two policies without a case file of their own: whose is `cases.yaml`?
    std::fs::remove_file(dir.join("helper.cases.yaml")).expect("remove");
    let run = qingdan(&["test", path(dir)]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "cases.yaml: cannot tell which policy it belongs to (it could belong to helper.qd, main.qd)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.lines().any(|l| l == "1 passed, 0 failed"),
        "the inline test still runs\n{}",
        run.stdout
    );

    // A case file for a policy that is not there, and a case file that is not YAML.
    std::fs::write(dir.join("helper.cases.yaml"), "- case: [\n").expect("write");
    std::fs::write(dir.join("ghost.cases.yaml"), "[]\n").expect("write");
    let run = qingdan(&["test", path(dir)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("ghost.cases.yaml: no policy `ghost.qd` beside it"), "{}", run.stderr);
    assert!(run.stderr.contains("helper.cases.yaml:2: malformed YAML"), "{}", run.stderr);

    // A policy with errors is reported as `check` reports it.
    let bad = dir.join("bad.qd");
    std::fs::write(&bad, "政策 坏\n令 甲 = 乙\n").expect("write");
    let run = qingdan(&["test", path(&bad)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0101") && run.stderr.contains("政策有错误，未测试"), "{}", run.stderr);
    let run = qingdan(&["test", path(&bad), "--format", "json"]);
    assert_eq!(run.code, 2);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let diagnostics = doc["errors"][0]["diagnostics"]["diagnostics"].as_array().expect("diagnostics inside");
    assert!(diagnostics.iter().any(|d| d["code"] == "E0101"), "{doc}");

    assert_eq!(qingdan(&["test", "/no/such/policy.qd"]).code, 2);
    assert_eq!(qingdan(&["test", path(&tmp.path().join("empty_folder_that_is_missing"))]).code, 2);
    assert_eq!(qingdan(&["test", MIXED, "--check"]).code, 2, "--check needs --snapshot");
    let accept = qingdan(&["test", MIXED, "--accept"]);
    assert_eq!(accept.code, 2, "--accept needs --snapshot or --review");
    assert!(accept.stderr.contains("--accept goes with --snapshot or --review"), "{}", accept.stderr);
    assert_eq!(qingdan(&["test", MIXED, "--reject"]).code, 2, "--reject needs --review");
    assert_eq!(qingdan(&["test", MIXED, "--review", "--snapshot"]).code, 2, "review or write, not both");
    assert_eq!(qingdan(&["test", MIXED, "--prune-snapshots"]).code, 2, "pruning needs --snapshot");
}

/// The case-file example of LANGUAGE.md section 17.1 passes against the fixture policy it
/// names, so the documentation cannot drift from what `qingdan test` reads.
#[test]
fn language_reference_example_passes() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("LANGUAGE.md")).expect("doc");
    let section =
        doc.split("\n### 17.1 ").nth(1).and_then(|s| s.split("\n## 18 ").next()).expect("section 17.1");
    let example =
        section.split("```yaml\n").nth(1).and_then(|s| s.split("```").next()).expect("a YAML block");
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_folder(MIXED, tmp.path());
    std::fs::write(tmp.path().join("cases.yaml"), example).expect("write example");
    let run = qingdan(&["test", path(tmp.path())]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.lines().any(|l| l == "4 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn bundled_policies_pass_their_tests() {
    let run = qingdan(&["test", "policies"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.lines().any(|l| l.ends_with(" passed, 0 failed")), "{}", run.stdout);
}

/// `--review` asks on its input, one answer a line: here a reject and an accept, in
/// Chinese; the diff goes to standard output, the questions to standard error.
#[test]
fn review_asks_for_each_pending_snapshot() {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_folder(PASSING, tmp.path());
    let snaps = tmp.path().join("snapshots");
    std::fs::create_dir(&snaps).expect("folder");
    for (name, old, new) in
        [("task_admission__a", "x: 1\n", "x: 2\n"), ("task_admission__b", "y: 1\n", "y: 2\n")]
    {
        std::fs::write(snaps.join(format!("{name}.snap")), format!("---\nsource: cases.yaml\n---\n{old}"))
            .expect("write");
        std::fs::write(
            snaps.join(format!("{name}.snap.new")),
            format!("---\nsource: cases.yaml\n---\n{new}"),
        )
        .expect("write");
    }
    let mut child = Command::new(BIN)
        .args(["--lang", "zh", "test", "--review", path(tmp.path())])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run qingdan");
    child.stdin.take().expect("stdin").write_all("r\na\n".as_bytes()).expect("answers");
    let out = child.wait_with_output().expect("finished");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("快照 1/2：") && stdout.contains("- x: 1\n+ x: 2\n"), "{stdout}");
    assert!(stdout.contains("接受 1 个，拒绝 1 个，跳过 0 个"), "{stdout}");
    assert_eq!(stderr.matches("接受 a / 拒绝 r / 跳过 s？").count(), 2, "{stderr}");
    let read = |name: &str| std::fs::read_to_string(snaps.join(name)).ok();
    assert_eq!(
        read("task_admission__a.snap").as_deref(),
        Some("---\nsource: cases.yaml\n---\nx: 1\n"),
        "rejected"
    );
    assert_eq!(
        read("task_admission__b.snap").as_deref(),
        Some("---\nsource: cases.yaml\n---\ny: 2\n"),
        "accepted"
    );
    assert!(read("task_admission__a.snap.new").is_none() && read("task_admission__b.snap.new").is_none());
}
