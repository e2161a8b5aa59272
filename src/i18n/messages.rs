//! The messages the command line writes itself (not diagnostics, which are data of the
//! front end), each as a zh/en pair, so that no command holds its own wording.

use qingdan_dsl::Lang;

use super::pick;

/// `fmt`: a file that was (or with `--check` would be) rewritten.
pub fn fmt_file(lang: Lang, check_only: bool, name: &str) -> String {
    match (lang, check_only) {
        (Lang::Zh, true) => format!("需要重新格式化：{name}"),
        (Lang::Zh, false) => format!("已格式化：{name}"),
        (Lang::En, true) => format!("would reformat {name}"),
        (Lang::En, false) => format!("formatted {name}"),
    }
}

/// `graph --impact`: nothing depends on the name.
pub fn nothing_depends_on(lang: Lang, name: &str) -> String {
    pick(lang, format!("没有决定或检查依赖 `{name}`"), format!("no decision or check depends on `{name}`"))
}

/// `graph --why`: the name depends on nothing.
pub fn depends_on_nothing(lang: Lang, name: &str) -> String {
    pick(lang, format!("`{name}` 不依赖任何东西"), format!("`{name}` depends on nothing"))
}

/// A kind of node of the dependency graph, as `--impact`/`--why` list it.
pub fn node_kind(lang: Lang, kind: &str) -> &str {
    if lang == Lang::En {
        return kind;
    }
    match kind {
        "input" => "输入",
        "let" => "令",
        "rule" => "规则",
        "exception" => "例外",
        "decision" => "决定",
        "check" => "检查",
        "list" => "清单",
        "row" => "行",
        "clause" => "条款",
        other => other,
    }
}

/// A graph query's name that resolves to nothing, or to several fields.
pub fn graph_query_error(lang: Lang, e: &qingdan_engine::graph::QueryError) -> String {
    use qingdan_engine::graph::QueryError;
    match (lang, e) {
        (Lang::En, e) => e.to_string(),
        (Lang::Zh, QueryError::Unknown { name, suggestion }) => {
            let hint = suggestion.as_ref().map(|s| format!("；是否想写 `{s}`？")).unwrap_or_default();
            format!("`{name}` 不是输入字段、条款、令、清单、规则、决定或检查{hint}")
        }
        (Lang::Zh, QueryError::Ambiguous { name, candidates }) => {
            let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
            format!("多个输入都有字段 `{name}`：{}；请连输入名一起写", list.join("、"))
        }
    }
}

/// `eval`'s progress line on a terminal while JSON Lines are decided (an indicatif template).
pub fn progress_template(lang: Lang) -> &'static str {
    pick(lang, "{spinner} 已判定 {pos} 个案例 {per_sec}", "{spinner} {pos} cases {per_sec}")
}

/// `eval`'s last line on a terminal: how many cases were read.
pub fn cases_decided(lang: Lang, n: usize) -> String {
    pick(lang, format!("共 {n} 个案例"), format!("{n} cases"))
}

/// `eval --decision` naming no decision.
pub fn no_such_decision(lang: Lang, name: &str, decisions: &[&str]) -> String {
    pick(
        lang,
        format!("没有决定 `{name}`（现有决定：{}）", decisions.join("、")),
        format!("no decision `{name}` (decisions: {})", decisions.join(", ")),
    )
}

/// `eval --input` naming a folder.
pub fn input_is_folder(lang: Lang) -> &'static str {
    pick(
        lang,
        "是文件夹，不是案例文件（--input 应是 .yaml、.json 或 .jsonl 文件，或用 - 表示标准输入）",
        "is a folder, not a case file (--input takes a .yaml, .json or .jsonl file, or - for stdin)",
    )
}

/// `explain` with a code that does not exist.
pub fn unknown_code(lang: Lang, code: &str) -> String {
    pick(
        lang,
        format!("未知的代码 `{code}`；`qingdan explain` 会列出所有代码"),
        format!("unknown code `{code}`; `qingdan explain` lists them all"),
    )
}

/// `playground --allow-read`.
pub fn playground_allow_read(lang: Lang) -> &'static str {
    pick(
        lang,
        "试验台只读取政策文件夹内的数据文件；--allow-read 用于其他命令",
        "the playground reads data files only inside its policy folder; --allow-read is for the other commands",
    )
}

/// Why a file could not be read: in the language asked for, else in both (the file's own
/// language is not known when it cannot be read).
pub fn file_reason(lang: Option<Lang>, zh: &str, en: &str) -> String {
    match lang {
        Some(lang) => pick(lang, zh, en).to_string(),
        None => format!("{zh} / {en}"),
    }
}

/// `test`'s coverage line for one policy.
pub fn coverage(lang: Lang, policy: &str, rules: usize, fired: usize) -> String {
    match (lang, rules, fired == rules) {
        (Lang::Zh, 0, _) => format!("  {policy}：没有规则"),
        (Lang::En, 0, _) => format!("  {policy}: no rules"),
        (Lang::Zh, _, true) => format!("  {policy}：规则覆盖率 100%（所有规则和例外都被触发）"),
        (Lang::En, _, true) => format!("  {policy}: 100% rule coverage"),
        (Lang::Zh, n, false) => format!("  {policy}：{n} 条规则和例外中 {fired} 条被触发"),
        (Lang::En, n, false) => format!("  {policy}: {fired} of {n} rules and exceptions fired"),
    }
}

/// `test`'s labels of what coverage missed.
pub fn never_fired(lang: Lang) -> &'static str {
    pick(lang, "从未触发", "never fired")
}

pub fn never_produced(lang: Lang) -> &'static str {
    pick(lang, "从未得出的结论", "outcomes never produced")
}

pub fn coverage_heading(lang: Lang) -> &'static str {
    pick(lang, "覆盖率：", "coverage:")
}

/// `test`'s summary. The English line is read by CI tooling: it is always written, on
/// its own line; in Chinese a second line says the same.
pub fn test_summary(lang: Lang, passed: usize, failed: usize) -> String {
    let en = format!("{passed} passed, {failed} failed\n");
    match lang {
        Lang::Zh => format!("{en}通过 {passed} 个，失败 {failed} 个\n"),
        Lang::En => en,
    }
}

/// `test --review` with nothing to review.
pub fn no_pending_snapshots(lang: Lang) -> &'static str {
    pick(lang, "没有待审的快照（.snap.new）", "no pending snapshots (.snap.new)")
}

/// `test --review`: which snapshot is shown.
pub fn reviewing(lang: Lang, n: usize, of: usize, snap: &str) -> String {
    pick(lang, format!("快照 {n}/{of}：{snap}"), format!("snapshot {n}/{of}: {snap}"))
}

pub fn cannot_read(lang: Lang, file: &str) -> String {
    pick(lang, format!("无法读取 {file}"), format!("cannot read {file}"))
}

pub fn diff_legend(lang: Lang) -> &'static str {
    pick(lang, "（- 原快照，+ 新快照）", "(- old snapshot, + new snapshot)")
}

pub fn review_prompt(lang: Lang) -> &'static str {
    pick(lang, "接受 a / 拒绝 r / 跳过 s？", "[a]ccept / [r]eject / [s]kip? ")
}

pub fn review_summary(lang: Lang, accepted: usize, rejected: usize, skipped: usize) -> String {
    pick(
        lang,
        format!("接受 {accepted} 个，拒绝 {rejected} 个，跳过 {skipped} 个"),
        format!("accepted {accepted}, rejected {rejected}, skipped {skipped}"),
    )
}

/// `test --accept`/`--reject` need something to apply to; `--snapshot-dir` something to
/// look in.
pub fn review_flags_misused(lang: Lang) -> &'static str {
    pick(
        lang,
        "--accept 须与 --snapshot 或 --review 同用，--reject 须与 --review 同用，--snapshot-dir 须与 --snapshot 或 --review 同用",
        "--accept goes with --snapshot or --review, --reject with --review, --snapshot-dir with --snapshot or --review",
    )
}

/// What became of a snapshot file in `test --snapshot`.
pub fn snapshot_state(lang: Lang, state: &str) -> &'static str {
    match (lang, state) {
        (Lang::Zh, "created") => "新建",
        (Lang::Zh, "updated") => "更新",
        (Lang::Zh, "pending") => "有变化，待审",
        (Lang::Zh, "would create") => "将新建",
        (Lang::Zh, "would update") => "将更新",
        (Lang::Zh, "obsolete") => "已无案例对应",
        (Lang::Zh, "pruned") => "已无案例对应，已删除",
        (_, "created") => "created",
        (_, "updated") => "updated",
        (_, "pending") => "changed, pending review",
        (_, "would create") => "would create",
        (_, "would update") => "would update",
        (_, "obsolete") => "obsolete (no case writes it)",
        (_, "pruned") => "obsolete, removed",
        _ => "",
    }
}

/// After `test --snapshot` left changes pending.
pub fn review_hint(lang: Lang, n: usize) -> String {
    pick(
        lang,
        format!("{n} 个快照有变化：用 `qingdan test --review` 审阅（或 `cargo insta review`）"),
        format!(
            "{n} snapshot(s) changed: review them with `qingdan test --review` (or `cargo insta review`)"
        ),
    )
}

/// `eval --wasm`/`dump-wat`: a file too large to be a module.
pub fn module_too_large(lang: Lang, max: usize) -> String {
    pick(
        lang,
        format!("大于 {max} 字节，不是政策模块"),
        format!("larger than {max} bytes, not a policy module"),
    )
}

/// `dump-wat`: a module that cannot be printed as text.
pub fn cannot_print_module(lang: Lang, why: &str) -> String {
    pick(
        lang,
        format!("无法打印为 WebAssembly 文本：{why}"),
        format!("cannot print as WebAssembly text: {why}"),
    )
}

/// `keygen`: the operating system gave no randomness.
pub fn no_randomness(lang: Lang, why: &str) -> String {
    pick(
        lang,
        format!("操作系统未提供随机数：{why}"),
        format!("no randomness from the operating system: {why}"),
    )
}

/// `keygen`: a key file is never replaced.
pub fn key_exists(lang: Lang) -> &'static str {
    pick(lang, "已存在；密钥文件从不被替换", "already exists; keys are never replaced")
}

/// A key file that is not one.
pub fn not_a_key_file(lang: Lang, too_large: bool) -> &'static str {
    match (lang, too_large) {
        (Lang::Zh, true) => "太大，不是密钥文件",
        (Lang::Zh, false) => "不是密钥文件（不是 UTF-8 文本）",
        (Lang::En, true) => "too large to be a key file",
        (Lang::En, false) => "not a key file (not UTF-8 text)",
    }
}

/// `diff --cases`: the case file cannot be read.
pub fn cannot_read_because(lang: Lang, file: &str, why: &str) -> String {
    pick(lang, format!("无法读取 {file}：{why}"), format!("cannot read {file}: {why}"))
}

/// When the program itself fails (a bug): the asked language, else both.
pub fn internal_error(lang: Option<Lang>) -> &'static str {
    match lang {
        Some(Lang::Zh) => "qingdan：内部错误（请连同引起它的输入一起报告）",
        Some(Lang::En) => "qingdan: internal error (please report it with the input that caused it)",
        None => "qingdan: internal error (please report it with the input that caused it)\n         内部错误（请连同引起它的输入一起报告）",
    }
}

/// `playground`: the page's files are not where they were looked for.
pub fn playground_no_index(lang: Lang, web: &str) -> String {
    pick(
        lang,
        format!("{web}：没有 index.html：试验台的网页文件在哪里？（--web 文件夹）"),
        format!("{web}: no index.html: where are the playground's files? (--web DIR)"),
    )
}

/// `playground`: the folder it was given holds no policies (is not a folder).
pub fn not_a_policy_folder(lang: Lang, dir: &str) -> String {
    pick(lang, format!("{dir}：不是存放政策的文件夹"), format!("{dir}: not a folder of policies"))
}

/// `playground`: the server could not be started, listen, or went on serving.
pub fn server_failed(lang: Lang, what: ServerFailure, why: &str) -> String {
    match what {
        ServerFailure::Start => {
            pick(lang, format!("无法启动服务：{why}"), format!("cannot start the server: {why}"))
        }
        ServerFailure::Listen(addr) => {
            pick(lang, format!("无法在 {addr} 上监听：{why}"), format!("cannot listen on {addr}: {why}"))
        }
        ServerFailure::Stopped => {
            pick(lang, format!("服务已停止：{why}"), format!("the server stopped: {why}"))
        }
    }
}

/// What went wrong with the playground's server.
pub enum ServerFailure {
    Start,
    Listen(std::net::SocketAddr),
    Stopped,
}

/// `playground`: where the page is served, and from which folder.
pub fn playground_at(lang: Lang, url: &str, dir: &str) -> String {
    pick(
        lang,
        format!("qingdan 试验台：{url}  （政策文件夹：{dir}）"),
        format!("qingdan playground: {url}  (policies: {dir})"),
    )
}

/// `diff --at` given other than twice.
pub fn two_days_to_compare(lang: Lang) -> String {
    pick(
        lang,
        "`--at` 须给两次：`qingdan diff 政策.qd --at 2024-12-31 --at 2025-01-01`".to_string(),
        "give `--at` twice: `qingdan diff policy.qd --at 2024-12-31 --at 2025-01-01`".to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The progress line `eval` shows on a terminal: a template indicatif accepts, in
    /// both languages.
    #[test]
    fn the_progress_line_is_a_valid_template_in_both_languages() {
        for (lang, words) in [(Lang::Zh, "已判定 {pos} 个案例"), (Lang::En, "{pos} cases")] {
            let template = progress_template(lang);
            assert!(template.contains(words), "{template}");
            assert!(indicatif::ProgressStyle::with_template(template).is_ok(), "{template}");
        }
        assert_eq!(cases_decided(Lang::Zh, 3), "共 3 个案例");
    }

    #[test]
    fn coverage_lines_are_in_one_language() {
        assert_eq!(coverage(Lang::Zh, "甲", 4, 4), "  甲：规则覆盖率 100%（所有规则和例外都被触发）");
        assert_eq!(coverage(Lang::Zh, "甲", 4, 3), "  甲：4 条规则和例外中 3 条被触发");
        assert_eq!(coverage(Lang::En, "a", 4, 4), "  a: 100% rule coverage");
    }
}
