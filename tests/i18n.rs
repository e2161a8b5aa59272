//! The command line in the drafter's language: `--help` (top level and subcommands) and
//! usage errors in Chinese under `--lang zh` or a Chinese locale, in English under
//! `--lang en`, help on standard output; a Chinese policy's `test` coverage line, `eval`
//! values (是/否) and file errors in Chinese.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary from the repository root with `LANG` set to `lang` (and the locale
/// variables that would override it removed).
fn qingdan_in(lang: &str, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .env("NO_COLOR", "1")
        .output()
        .expect("run qingdan");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn qingdan(args: &[&str]) -> Run {
    qingdan_in("C.UTF-8", args)
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

fn is_chinese_help(text: &str) -> bool {
    text.contains("用法：qingdan")
        && text.contains("选项：")
        && !text.contains("Usage:")
        && !text.contains("Print help")
}

#[test]
fn help_is_chinese_with_lang_zh_and_goes_to_stdout() {
    let run = qingdan(&["--lang", "zh", "--help"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "help is output, not an error");
    assert!(is_chinese_help(&run.stdout), "{}", run.stdout);
    assert!(run.stdout.contains("命令：") && run.stdout.contains("显示帮助"), "{}", run.stdout);
    snapshot("i18n_help_zh", &run.stdout);
    let short = qingdan(&["-h", "--lang=zh"]);
    assert_eq!(short.code, 0);
    assert!(is_chinese_help(&short.stdout), "{}", short.stdout);
}

#[test]
fn help_is_chinese_under_a_chinese_locale_and_english_when_asked() {
    let run = qingdan_in("zh_CN.UTF-8", &["--help"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(is_chinese_help(&run.stdout), "{}", run.stdout);
    let en = qingdan_in("zh_CN.UTF-8", &["--lang", "en", "--help"]);
    assert_eq!(en.code, 0);
    assert!(en.stdout.contains("Usage: qingdan") && en.stdout.contains("Print help"), "{}", en.stdout);
    assert!(!en.stdout.contains("用法"), "{}", en.stdout);
    let plain = qingdan_in("en_US.UTF-8", &["--help"]);
    assert!(plain.stdout.contains("Usage: qingdan"), "{}", plain.stdout);
}

#[test]
fn a_subcommands_help_is_chinese() {
    let run = qingdan(&["--lang", "zh", "test", "--help"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(is_chinese_help(&run.stdout), "{}", run.stdout);
    assert!(run.stdout.contains("参数：") && run.stdout.contains("逐个审阅待审的快照"), "{}", run.stdout);
    snapshot("i18n_help_test_zh", &run.stdout);
    // Long help with described choices: the descriptions too.
    let graph = qingdan_in("zh_CN.UTF-8", &["graph", "--help"]);
    assert!(graph.stdout.contains("- mermaid: Mermaid 流程图"), "{}", graph.stdout);
    assert!(graph.stdout.contains("- human: 给人看"), "{}", graph.stdout);
    let via_help = qingdan(&["--lang", "zh", "help", "fmt"]);
    assert!(via_help.stdout.contains("就地格式化政策文件"), "{}", via_help.stdout);
}

#[test]
fn usage_errors_are_chinese_on_stderr_with_exit_2() {
    let run = qingdan(&["--lang", "zh", "tset"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(run.stderr.starts_with("错误：未知的命令 `tset`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("是否想写 `test`？") && run.stderr.contains("用法：qingdan"),
        "{}",
        run.stderr
    );
    let missing = qingdan_in("zh_CN.UTF-8", &["check"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.starts_with("错误：缺少必需的参数"), "{}", missing.stderr);
    let value = qingdan(&["--lang", "zh", "--format", "xml", "check", "x.qd"]);
    assert_eq!(value.code, 2);
    assert!(value.stderr.contains("的值 `xml` 无效；可选值：human, json, yaml"), "{}", value.stderr);
    let en = qingdan(&["--lang", "en", "tset"]);
    assert!(en.stderr.starts_with("error: unrecognized subcommand 'tset'"), "{}", en.stderr);
}

#[test]
fn a_file_error_is_in_the_language_asked_for() {
    let zh = qingdan(&["--lang", "zh", "check", "no/such/file.qd"]);
    assert_eq!(zh.code, 2);
    assert!(zh.stderr.contains("文件不存在") && !zh.stderr.contains("no such file"), "{}", zh.stderr);
    let en = qingdan(&["--lang", "en", "check", "no/such/file.qd"]);
    assert!(en.stderr.contains("no such file") && !en.stderr.contains("文件不存在"), "{}", en.stderr);
}

#[test]
fn a_chinese_policys_coverage_line_is_chinese() {
    let run = qingdan(&["test", "policies/legality_review"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.lines().any(|l| l.ends_with("：规则覆盖率 100%（所有规则和例外都被触发）")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\n覆盖率：\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("rule coverage"), "{}", run.stdout);
}

/// Yes/no values read 是/否 in Chinese text, and stay `true`/`false` in JSON.
#[test]
fn booleans_are_shi_and_fou_in_chinese_text_only() {
    let args = ["eval", "tests/fixtures/eval/admission.qd", "--input", "tests/fixtures/eval/cases.yaml"];
    let text = qingdan(&[&args[..], &["--explain"]].concat());
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("读取：申请.经费随转 = 否"), "{}", text.stdout);
    assert!(!text.stdout.contains("= false") && !text.stdout.contains("= true"), "{}", text.stdout);
    let en = qingdan(&[&args[..], &["--explain", "--lang", "en"]].concat());
    assert!(en.stdout.contains("read: 申请.经费随转 = false"), "{}", en.stdout);
    let json = qingdan(&[&args[..], &["--explain", "--format", "json"]].concat());
    assert!(json.stdout.contains(r#""申请.经费随转","value":false"#), "JSON keeps false: {}", json.stdout);
    assert!(!json.stdout.contains("\"否\""), "{}", json.stdout);
}

#[test]
fn the_list_of_codes_is_in_the_language_asked_for() {
    let line = |run: &Run| run.stdout.lines().find(|l| l.starts_with("E0101")).map(str::to_string);
    let zh = qingdan(&["--lang", "zh", "explain"]);
    assert_eq!(line(&zh).as_deref(), Some("E0101  unknown-name                 未知名称"));
    let both = qingdan(&["explain"]);
    assert_eq!(line(&both).as_deref(), Some("E0101  unknown-name                 未知名称 / unknown name"));
    let unknown = qingdan_in("zh_CN.UTF-8", &["explain", "E9999"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.starts_with("qingdan: 未知的代码 `E9999`"), "{}", unknown.stderr);
}

#[test]
fn the_playground_says_what_is_wrong_in_the_language_asked_for() {
    let zh = qingdan(&["--lang", "zh", "playground", "no-such-folder"]);
    assert_eq!(zh.code, 2, "{}", zh.stderr);
    assert!(zh.stderr.contains("no-such-folder：不是存放政策的文件夹"), "{}", zh.stderr);
    let located = qingdan_in("zh_CN.UTF-8", &["playground", "no-such-folder"]);
    assert!(located.stderr.contains("不是存放政策的文件夹"), "{}", located.stderr);
    let en = qingdan(&["playground", "no-such-folder"]);
    assert!(en.stderr.contains("no-such-folder: not a folder of policies"), "{}", en.stderr);
}
