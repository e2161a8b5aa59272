//! The `qingdan` command line end to end: exit codes, output formats, and bad input
//! (unreadable, binary, huge and deeply nested files) that must yield a diagnostic and a
//! non-zero exit, never a panic or a stack overflow.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the real binary, so that stack use and exit codes are what a user gets.
fn qingdan(args: &[&str]) -> Run {
    let out = Command::new(BIN).args(args).env("NO_COLOR", "1").output().expect("run qingdan");
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).to_string_lossy().into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

fn json_codes(run: &Run) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    let diags = json["diagnostics"].as_array().expect("diagnostics array");
    diags.iter().map(|d| d["code"].as_str().expect("code").to_string()).collect()
}

/// The bundled policies have no error and no warning of the front end. The analyser's
/// findings about them (W04xx) are stated in each policy's README.md and snapshotted by
/// tests/analyse.rs.
#[test]
fn bundled_policies_check_clean() {
    let run = qingdan(&["check", &repo("policies")]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 个错误"), "{}", run.stdout);
    let json = qingdan(&["check", "--format", "json", &repo("policies")]);
    let front_end: Vec<String> = json_codes(&json).into_iter().filter(|c| !c.starts_with("W04")).collect();
    assert!(front_end.is_empty(), "{front_end:?}");
}

#[test]
fn errors_exit_1_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(dir.path(), "bad.qd", "政策 坏\n令 甲 = 乙\n".as_bytes());
    let run = qingdan(&["check", bad.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("E0101") && run.stderr.contains("未知名称 `乙`"), "{}", run.stderr);

    assert_eq!(qingdan(&["check"]).code, 2, "a missing argument is a usage error");
    assert_eq!(qingdan(&["frobnicate"]).code, 2);
    let missing = qingdan(&["check", "--format", "json", "/no/such/policy.qd"]);
    assert_eq!(missing.code, 2);
    assert_eq!(json_codes(&missing), ["E0009"]);
}

#[test]
fn unreadable_file_is_a_diagnostic() {
    // As root, permissions do not stop reading; a symlink loop does.
    let dir = tempfile::tempdir().expect("temp dir");
    let looped = dir.path().join("loop.qd");
    std::os::unix::fs::symlink(&looped, &looped).expect("symlink");
    let run = qingdan(&["check", looped.to_str().expect("path")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0009") && run.stderr.contains("loop.qd"), "{}", run.stderr);
}

#[test]
fn binary_file_is_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = write(dir.path(), "photo.qd", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let run = qingdan(&["check", "--format", "json", png.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert_eq!(json_codes(&run), ["E0005"]);
    let gbk = write(dir.path(), "gbk.qd", &[0xd5, 0xfe, 0xb2, 0xdf, 0x20, 0xbc, 0xd7]);
    let run = qingdan(&["check", gbk.to_str().expect("path")]);
    assert!(run.stderr.contains("E0005") && run.stderr.contains("GBK"), "{}", run.stderr);
}

#[test]
fn ten_megabyte_file_is_rejected_without_being_read_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("政策 巨大\n");
    let line = "// 这一行只是为了让文件变大，不含任何声明。\n";
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(line);
    }
    let big = write(dir.path(), "big.qd", text.as_bytes());
    let run = qingdan(&["check", "--format", "json", big.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert_eq!(json_codes(&run), ["E0006"]);
}

#[test]
fn ten_thousand_levels_of_nesting_do_not_overflow_the_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deep = |body: String| format!("政策 深\n输入 申请 {{ 频次: 整数 }}\n令 值 = {body}\n");
    let cases = [
        ("parens.qd", deep(format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000)))),
        ("ifs.qd", deep(format!("{}1{}", "如果 真 则 ".repeat(10_000), " 否则 0".repeat(10_000)))),
        ("nots.qd", deep(format!("{}真", "非 ".repeat(10_000)))),
        ("chain.qd", deep(vec!["申请.频次"; 10_000].join(" + "))),
        ("sets.qd", format!("政策 深\n输入 申请 {{ 标签: {}整数 }}\n", "集合 ".repeat(10_000))),
    ];
    for (name, text) in cases {
        let path = write(dir.path(), name, text.as_bytes());
        let run = qingdan(&["check", "--format", "json", path.to_str().expect("path")]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert_eq!(json_codes(&run), ["E0007"], "{name}");
    }
}

#[test]
fn json_output_is_stable_and_complete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad =
        write(dir.path(), "bad.qd", "政策 坏\n输入 申请 { 频次: 整数 }\n令 甲 = 申请.频率\n".as_bytes());
    let run = qingdan(&["check", "--format", "json", "--lang", "en", bad.to_str().expect("path")]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let diags = json["diagnostics"].as_array().expect("array");
    let d = diags.iter().find(|d| d["severity"] == "error").expect("an error");
    assert_eq!(d["code"], "E0103");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "`申请` has no field `频率`");
    assert_eq!(d["help"], "did you mean `频次`?");
    assert_eq!(d["start"]["line"], 3);
    assert_eq!(d["start"]["column"], 10, "columns count characters, not bytes");
    assert_eq!(json["summary"]["errors"], 1);
}

#[test]
fn fmt_rewrites_atomically_and_check_mode_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let messy = "政策 甲\n枚举 结论{准入，不予准入}\n令 x=1+2  // 注释\n";
    let path = write(dir.path(), "a.qd", messy.as_bytes());
    let p = path.to_str().expect("path");
    let check = qingdan(&["fmt", "--check", p]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains("需要重新格式化："),
        "a Chinese policy's message is Chinese: {}",
        check.stdout
    );
    let check_en = qingdan(&["fmt", "--check", "--lang", "en", p]);
    assert!(check_en.stdout.contains("would reformat"), "{}", check_en.stdout);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), messy);

    assert_eq!(qingdan(&["fmt", p]).code, 0);
    let formatted = std::fs::read_to_string(&path).expect("read");
    assert!(formatted.contains("枚举 结论 { 准入, 不予准入 }"), "{formatted}");
    assert!(formatted.contains("// 注释"), "comments survive: {formatted}");
    assert_eq!(qingdan(&["fmt", "--check", p]).code, 0, "formatting is idempotent");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");

    let english = qingdan(&["fmt", "--keywords", "en", p]);
    assert_eq!(english.code, 0);
    assert!(std::fs::read_to_string(&path).expect("read").starts_with("policy 甲"));
}

#[test]
fn fmt_leaves_files_with_syntax_errors_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = "政策 甲\n令 x = 99999999999999999999\n";
    let path = write(dir.path(), "b.qd", broken.as_bytes());
    let run = qingdan(&["fmt", path.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("E0003"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), broken);
}

#[test]
fn explain_prints_the_registry() {
    let run = qingdan(&["explain", "E0202"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("## E0202"), "{}", run.stdout);
    let by_slug = qingdan(&["explain", "unchecked-optional"]);
    assert_eq!(by_slug.stdout, run.stdout);
    assert_eq!(qingdan(&["explain", "E9999"]).code, 2);
    let all = qingdan(&["explain"]);
    assert_eq!(all.stdout.lines().count(), qingdan_dsl::Code::ALL.len());
}

#[test]
fn messages_follow_the_file_language_unless_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let zh = write(dir.path(), "zh.qd", "政策 甲\n令 x = y\n".as_bytes());
    let en = write(dir.path(), "en.qd", "policy a\nlet x = y\n".as_bytes());
    assert!(qingdan(&["check", zh.to_str().expect("p")]).stderr.contains("未知名称"));
    assert!(qingdan(&["check", en.to_str().expect("p")]).stderr.contains("unknown name"));
    let forced = qingdan(&["check", "--lang", "en", zh.to_str().expect("p")]);
    assert!(forced.stderr.contains("unknown name"), "{}", forced.stderr);
}

#[test]
fn used_policies_are_found_beside_the_checked_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "shared.qd", "政策 共用\n枚举 状态 { 平时, 战时 }\n".as_bytes());
    let main = write(
        dir.path(),
        "main.qd",
        "政策 主\n使用 共用\n输入 申请 { 状态: 状态 }\n检查 战时 引用 依据.一 { 须 申请.状态 == 平时 \"平时\" }\n来源 依据 \"x\" { 条款 一 \"y\" }\n".as_bytes(),
    );
    let run = qingdan(&["check", main.to_str().expect("p")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_missing_used_policy_is_one_error_not_hundreds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rows = String::from("编号,名称,主管部门\n");
    for i in 0..200 {
        rows.push_str(&format!("T{i},事项{i},D{}\n", i % 7));
    }
    write(dir.path(), "rows.csv", rows.as_bytes());
    let main = write(
        dir.path(),
        "main.qd",
        "政策 主\n使用 部门名录\n记录 事项 { 编号: 文本, 名称: 文本, 主管部门: 部门清单 }\n清单 事项清单: 事项 键 编号 来自 \"rows.csv\"\n".as_bytes(),
    );
    let run = qingdan(&["check", "--format", "json", main.to_str().expect("p")]);
    assert_eq!(run.code, 1);
    assert_eq!(json_codes(&run), ["E0106"], "follow-on errors are left out");
    assert!(run.stdout.contains("follow-on") || run.stdout.contains("后续"), "{}", run.stdout);
}

/// A small policy with one warning (its rule cites no clause), its cases and its module.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        let policy = "政策 样例\n输入 申请 { x: 整数 }\n枚举 结论 { 是, 否 }\n规则 r { 当 申请.x > 1 则 是 \"大\" }\n决定 d: 结论 按 优先 是 > 否 默认 否 \"默认\"\n";
        write(dir.path(), "p.qd", policy.as_bytes());
        write(dir.path(), "q.qd", policy.replace("> 1", "> 2").as_bytes());
        write(dir.path(), "messy.qd", "政策 乱\n令   a =   1\n".as_bytes());
        write(dir.path(), "c.yaml", b"- { x: 5 }\n- { x: 0 }\n");
        write(dir.path(), "c.jsonl", b"{\"\xe7\x94\xb3\xe8\xaf\xb7\": {\"x\": 5}}\n");
        let s = Scratch { dir };
        assert_eq!(qingdan(&["build", &s.path("p.qd"), "-o", &s.path("p.wasm")]).code, 0);
        s
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
}

/// Runs the binary with standard output (or error) on /dev/full, a disk with no room left.
fn qingdan_on_full_disk(args: &[&str], stream: Stream) -> Run {
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let mut command = Command::new(BIN);
    command.args(args).env("NO_COLOR", "1");
    match stream {
        Stream::Stdout => command.stdout(full()),
        Stream::Stderr => command.stderr(full()),
    };
    let out = command.output().expect("run qingdan");
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// No command loses its output silently: with standard output on a full disk each one
/// ends with E0011 on standard error and exit code 2.
#[test]
fn every_command_reports_a_full_disk() {
    let s = Scratch::new();
    let (p, q, messy) = (s.path("p.qd"), s.path("q.qd"), s.path("messy.qd"));
    let (yaml, jsonl, wasm) = (s.path("c.yaml"), s.path("c.jsonl"), s.path("p.wasm"));
    let passing = repo("tests/fixtures/test_cmd/passing");
    let commands: &[&[&str]] = &[
        &["check", &p],
        &["--format", "json", "check", &p],
        &["fmt", "--check", &messy],
        &["explain"],
        &["explain", "E0011"],
        &["eval", &p, "--input", &yaml],
        &["eval", &p, "--input", &jsonl],
        &["--format", "json", "eval", &p, "--input", &yaml, "--explain"],
        &["eval", "--wasm", &wasm, "--input", &yaml],
        &["build", &p, "-o", &s.path("again.wasm")],
        &["dump-ast", &p],
        &["dump-ir", &p],
        &["dump-wat", &wasm],
        &["graph", &p],
        &["graph", &p, "--impact", "申请.x"],
        &["diff", &p, &q],
        &["diff", &p, &q, "--markdown"],
        &["test", &passing],
        &["--format", "json", "test", &passing],
        &["--help"],
        &["--version"],
    ];
    for args in commands {
        let run = qingdan_on_full_disk(args, Stream::Stdout);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("E0011[write-failed]"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("cannot write standard output"), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.matches("E0011").count(), 1, "one message, not one per line: {}", run.stderr);
    }
    // `fmt` writes the file and then names it on standard output.
    let formatted = qingdan_on_full_disk(&["fmt", &messy], Stream::Stdout);
    assert_eq!(formatted.code, 2, "{}", formatted.stderr);
    assert!(std::fs::read_to_string(&messy).expect("read").contains("令 a = 1"));
}

/// Diagnostics written to a full standard error are lost too: a file with only a warning
/// (exit 0 otherwise) then exits 2.
#[test]
fn a_full_standard_error_is_not_success() {
    let s = Scratch::new();
    let quiet = qingdan(&["check", &s.path("p.qd")]);
    assert_eq!(quiet.code, 0);
    assert!(quiet.stderr.contains("W0001"), "{}", quiet.stderr);
    let lost = qingdan_on_full_disk(&["check", &s.path("p.qd")], Stream::Stderr);
    assert_eq!(lost.code, 2);
}

/// A reader that stops reading (`qingdan eval … | head -1`) ends the run quietly with the
/// exit code of a program stopped by a closed pipe, as other Unix tools end.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let s = Scratch::new();
    let many = "{\"申请\": {\"x\": 5}}\n".repeat(50_000);
    let input = write(s.dir.path(), "many.jsonl", many.as_bytes());
    let mut child = Command::new(BIN)
        .args(["eval", &s.path("p.qd"), "--input", input.to_str().expect("path")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run qingdan");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("finished");
    assert_eq!(out.status.code(), Some(141), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn build_writes_through_a_symlink_and_refuses_what_is_not_a_regular_file() {
    let s = Scratch::new();
    let d = s.dir.path();
    write(d, "target.wasm", b"old");
    std::os::unix::fs::symlink("target.wasm", d.join("link.wasm")).expect("symlink");
    assert_eq!(qingdan(&["build", &s.path("p.qd"), "-o", &s.path("link.wasm")]).code, 0);
    assert!(std::fs::symlink_metadata(d.join("link.wasm")).expect("link").file_type().is_symlink());
    assert!(std::fs::read(d.join("target.wasm")).expect("target").starts_with(b"\0asm"));

    let fifo = s.path("fifo.wasm");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    std::fs::create_dir(d.join("folder.wasm")).expect("folder");
    let mut refused = vec![(fifo, "a FIFO"), (s.path("folder.wasm"), "a folder")];
    // A private device node where that may be made (as root): renaming over it would
    // delete it, as `-o /dev/null` would delete the system's.
    let null = s.path("null.wasm");
    if Command::new("mknod").args(["-m", "666", &null, "c", "1", "3"]).status().is_ok_and(|s| s.success()) {
        refused.push((null, "a device"));
    }
    for (path, kind) in refused {
        let before = std::fs::symlink_metadata(&path).expect("exists").file_type();
        let run = qingdan(&["build", "--lang", "en", &s.path("p.qd"), "-o", &path]);
        assert_eq!(run.code, 2, "{path}");
        assert!(run.stderr.contains("E0011") && run.stderr.contains(kind), "{}", run.stderr);
        assert_eq!(std::fs::symlink_metadata(&path).expect("still there").file_type(), before, "{path}");
    }
}

#[test]
fn fmt_keeps_the_file_it_formats() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let s = Scratch::new();
    let d = s.dir.path();
    let messy = std::fs::read_to_string(d.join("messy.qd")).expect("messy");
    let is_formatted = |name: &str| std::fs::read_to_string(d.join(name)).expect("read").contains("令 a = 1");

    // A symbolic link: its target is formatted, the link stays a link.
    std::fs::create_dir(d.join("real")).expect("folder");
    write(d, "real/t.qd", messy.as_bytes());
    std::os::unix::fs::symlink("real/t.qd", d.join("link.qd")).expect("symlink");
    assert_eq!(qingdan(&["fmt", &s.path("link.qd")]).code, 0);
    assert!(std::fs::symlink_metadata(d.join("link.qd")).expect("link").file_type().is_symlink());
    assert!(is_formatted("real/t.qd"));

    // Hard links: both names still name one file, which is formatted.
    write(d, "a.qd", messy.as_bytes());
    std::fs::hard_link(d.join("a.qd"), d.join("b.qd")).expect("hard link");
    assert_eq!(qingdan(&["fmt", &s.path("a.qd")]).code, 0);
    let (a, b) =
        (std::fs::metadata(d.join("a.qd")).expect("a"), std::fs::metadata(d.join("b.qd")).expect("b"));
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
    assert!(is_formatted("b.qd"));

    // Mode and owner: a private file stays private, an executable one executable.
    for (name, mode) in [("private.qd", 0o640), ("run.qd", 0o755)] {
        let path = write(d, name, messy.as_bytes());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        // Giving the file away works as root only; otherwise the owner is already ours.
        let _ = std::os::unix::fs::chown(&path, Some(1234), Some(5678));
        let before = std::fs::metadata(&path).expect("before");
        assert_eq!(qingdan(&["fmt", &s.path(name)]).code, 0);
        let after = std::fs::metadata(&path).expect("after");
        assert_eq!(after.permissions().mode() & 0o7777, mode, "{name}");
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()), "{name}");
        assert!(is_formatted(name));
    }
    let leftovers: Vec<String> = std::fs::read_dir(d)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("qingdan-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `fmt` says "formatted" only of files it wrote. The folder is made read-only; as root
/// (whom permissions do not stop) the command runs as `nobody`.
#[test]
fn fmt_names_only_the_files_it_wrote() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let s = Scratch::new();
    let d = s.dir.path();
    let ro = d.join("ro");
    std::fs::create_dir(&ro).expect("folder");
    let messy = std::fs::read_to_string(d.join("messy.qd")).expect("messy");
    let file = write(&ro, "x.qd", messy.as_bytes());
    for (path, mode) in [(d, 0o755), (ro.as_path(), 0o555), (file.as_path(), 0o644)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let privileged = std::fs::write(ro.join("probe"), "").is_ok();
    let mut command = Command::new(BIN);
    command.args(["fmt", "--lang", "en", file.to_str().expect("path")]);
    if privileged {
        let _ = std::fs::remove_file(ro.join("probe"));
        command.uid(65534).gid(65534);
    }
    let out = command.output().expect("run qingdan");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("E0011") && stderr.contains("cannot write"), "{stderr}");
    assert!(!stdout.contains("formatted"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), messy);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
}

/// Human diagnostics past column 65,535 (miette pads with a formatting width Rust caps
/// there) and 100,000 prefix operators in a row: a diagnostic, never a panic.
#[test]
fn very_long_lines_and_prefix_chains_are_diagnosed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pad = " ".repeat(70_000);
    let err = write(dir.path(), "err.qd", format!("政策 样例\n{pad}令 a = @\n").as_bytes());
    let warn = write(
        dir.path(),
        "warn.qd",
        format!("政策 样例\n输入 申请 {{ x: 整数 }}\n枚举 结论 {{ 是, 否 }}\n{pad}规则 r {{ 当 申请.x > 1 则 是 \"大\" }}\n决定 d: 结论 按 优先 是 > 否 默认 否 \"默认\"\n").as_bytes(),
    );
    let run = qingdan(&["check", err.to_str().expect("path")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("err.qd:2:70007]") && run.stderr.contains("令 a = @"), "{}", run.stderr);
    let run = qingdan(&["check", warn.to_str().expect("path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("W0001") && run.stderr.contains("warn.qd:4:70004]"), "{}", run.stderr);
    for (name, chain) in [("nots.qd", "非 ".repeat(100_000) + "真"), ("minus.qd", "-".repeat(100_000) + "1")]
    {
        let path = write(dir.path(), name, format!("政策 样例\n令 a = {chain}\n").as_bytes());
        for format in ["human", "json"] {
            let run = qingdan(&["--format", format, "check", path.to_str().expect("path")]);
            assert_eq!(run.code, 1, "{name}: {}", run.stderr);
            assert!(run.stdout.contains("E0007") || run.stderr.contains("E0007"), "{name}: {}", run.stderr);
        }
        let json = qingdan(&["--format", "json", "check", path.to_str().expect("path")]);
        let diagnostics: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
        assert_eq!(diagnostics["diagnostics"][0]["start"]["line"], 2);
        assert!(
            diagnostics["diagnostics"][0]["start"]["column"].as_u64() < Some(300),
            "at the 65th operator"
        );
    }
}

#[test]
fn eval_input_that_is_a_folder_is_a_usage_error() {
    let s = Scratch::new();
    let run = qingdan(&["eval", &s.path("p.qd"), "--input", &s.path("")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("是文件夹"), "{}", run.stderr);
    assert!(!run.stdout.contains("案例 1"), "no case was read: {}", run.stdout);
}

#[test]
fn yaml_case_files_may_start_with_a_byte_order_mark() {
    let s = Scratch::new();
    let bom = write(s.dir.path(), "bom.yaml", "\u{feff}- { x: 5 }\n- { x: 0 }\n".as_bytes());
    let with = qingdan(&["eval", &s.path("p.qd"), "--input", bom.to_str().expect("path")]);
    let without = qingdan(&["eval", &s.path("p.qd"), "--input", &s.path("c.yaml")]);
    assert_eq!(with.code, 0, "{}{}", with.stdout, with.stderr);
    assert_eq!(with.stdout, without.stdout);
}

#[test]
fn yaml_list_files_may_start_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "rows.yaml", "\u{feff}- 编号: A1\n  人数: 3\n- 编号: A2\n  人数: 7\n".as_bytes());
    let policy = write(
        dir.path(),
        "p.qd",
        "政策 列表\n记录 部门 { 编号: 文本, 人数: 整数 }\n清单 部门清单: 部门 键 编号 来自 \"rows.yaml\"\n输入 申请 { 部门: 部门清单 }\n枚举 结论 { 是, 否 }\n规则 r { 当 申请.部门.人数 > 5 则 是 \"大\" }\n决定 d: 结论 按 优先 是 > 否 默认 否 \"默认\"\n".as_bytes(),
    );
    let cases = write(dir.path(), "c.yaml", "- { 部门: A2 }\n".as_bytes());
    let run = qingdan(&["eval", policy.to_str().expect("path"), "--input", cases.to_str().expect("path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("d → 是"), "{}", run.stdout);
}
