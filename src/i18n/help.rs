//! `--help` and usage errors in Chinese. The English texts are the doc comments of
//! `cli.rs` (clap derive); the Chinese ones are here, by command and argument, and
//! [`command`] puts them into the `Command` before the arguments are parsed. What clap
//! writes itself (headings, `-h`, the `help` command, usage errors) is told in Chinese by
//! [`render_zh`]. A test walks every command and argument: none is left in English.

use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ErrorKind};
use clap::{Arg, Command, CommandFactory, ValueEnum};
use qingdan_dsl::Lang;

use crate::cli::{Cli, Format};
use crate::graph_cmd::GraphFormat;

/// (command, argument id — empty for the command's own description, text).
const ZH: &[(&str, &str, &str)] = &[
    ("", "", "清单：基层治理的政策即代码"),
    ("", "lang", "消息的语言（默认：中文区域设置下为中文，否则为每个文件关键字的语言）"),
    ("", "format", "诊断信息的输出格式"),
    ("", "color", "人读输出中的颜色：auto（在终端上时）、always、never"),
    ("", "allow_read", "也从这个文件夹读取数据文件（`来自`/`from`）；默认政策只读取自己文件夹及其下的文件。可重复。不用于 `playground`"),
    ("", "help", "显示帮助"),
    ("", "version", "显示版本"),
    ("check", "", "解析政策文件或文件夹，解析名称并检查类型"),
    ("check", "paths", "要检查的文件（`.qd`）或文件夹；文件夹会递归查找"),
    ("check", "deny_warnings", "把警告当作错误：有警告时检查不通过（用于持续集成）"),
    ("fmt", "", "就地格式化政策文件（规范布局、半角标点）"),
    ("fmt", "paths", "要格式化的文件（`.qd`）或文件夹"),
    ("fmt", "check", "只列出未格式化的文件，不做任何修改"),
    ("fmt", "keywords", "用这种语言写关键字，而不是文件中占多数的语言"),
    ("explain", "", "解释一个诊断代码（如 E0101），或列出所有代码"),
    ("explain", "code", "诊断代码，如 E0101"),
    ("eval", "", "判定案例：输入文件中的每个案例得出每个决定（或 `--decision` 指定的那个）"),
    ("eval", "policy", "政策文件（或包含它及其所用政策的文件夹）"),
    ("eval", "wasm", "用 `qingdan build` 编译的模块判定，而不是解释器"),
    ("eval", "trust", "只运行由这个公钥（`qingdan keygen` 生成的 `.pub` 文件）签名的模块；可重复以信任多个公钥"),
    ("eval", "input", "案例文件：`.yaml`/`.yml`、`.json`，或 JSON Lines（`.jsonl`，`-` 表示标准输入）"),
    ("eval", "input_format", "不论文件名，按这种格式读取输入"),
    ("eval", "decision", "只判定这个决定"),
    ("eval", "name", "路径中有多个政策时，用哪一个"),
    ("eval", "explain", "说明理由：触发和被推翻的规则、读取的值、引用的条款"),
    ("eval", "notice", "另为每个案例写一份决定通知书（`.docx`）到这个文件夹，用政策文件夹下 `notices/` 中的模板（每个结论一份）"),
    ("eval", "notice_date", "通知书上的日期（`YYYY-MM-DD`；默认：今天）"),
    ("eval", "as_of", "按这一天（`YYYY-MM-DD`）施行的版本和清单行决定每个案件，而不按案件日期字段给的日期；与 --wasm 同用时，把这一天填入每个案件的日期字段"),
    ("diff", "", "采用修订版会改变什么：每个决定中结论改变的输入（各附一例）、每个清单增删改的行，加 `--cases` 时列出判定不同的已记录案例；`--markdown` 输出修订对照表。无变化退出码 0，有变化 1，用法错误或政策有错误 2"),
    ("diff", "old", "现行版本（政策文件，或包含它的文件夹）"),
    ("diff", "new", "拟修订版本（用 `--at` 时不写）"),
    ("diff", "at", "把 OLD 与它自己在两天的施行版本相比：`--at 2024-12-31 --at 2025-01-01`"),
    ("diff", "policy", "路径中有多个政策时，用哪一个"),
    ("diff", "cases", "已记录的案例（YAML、JSON、JSON Lines，或 `qingdan test` 的案例文件）：列出结论改变的案例"),
    ("diff", "markdown", "输出 Markdown 修订对照表（新旧并列），可贴入审核材料"),
    ("diff", "docx", "另写一份 Word 修订对照表（`.docx`，横向，每个决定一张表：条款/规则、原规定、修订后、影响的情形、示例）"),
    ("export", "", "把一个清单导出为发布用的工作簿（`--as xlsx`，默认），或 CSV、Markdown、HTML"),
    ("export", "policy", "政策文件（或包含它及其所用政策的文件夹）"),
    ("export", "list", "要导出的清单"),
    ("export", "output", "写到哪里（默认：清单名加格式的扩展名；CSV、Markdown、HTML 不指定文件时写到标准输出）"),
    ("export", "as_format", "格式（默认：按输出文件的扩展名，否则为 xlsx）"),
    ("export", "name", "路径中有多个政策时，用哪一个"),
    ("import", "", "从科室已有的工作簿或 CSV 文件，推断出开始写政策用的记录和清单声明（按单元格推断类型，猜出并核对键）"),
    ("import", "file", "科室保存的工作簿（`.xlsx`、`.xls`、`.ods`）或 CSV 文件（UTF-8 或 GBK）"),
    ("import", "sheet", "读哪个工作表（默认：第一个）"),
    ("import", "name", "清单的名称（默认：文件名去掉扩展名）"),
    ("trace", "", "条款覆盖：每个来源的每个条款被哪些规则、例外、检查引用，文字从何而来，哪些条款没有引用（`--as text|markdown|json`）"),
    ("trace", "paths", "政策文件或文件夹（其下每个 `.qd`，连同所用的政策）"),
    ("trace", "source", "只看这个来源：声明时的名称（`杭州决定`）或标题"),
    ("trace", "as_format", "输出：文本（用政策的语言）、Markdown 或 JSON"),
    ("graph", "", "政策的依赖图（`--as dot|mermaid|json`），或一个字段、条款影响什么（`--impact`），一个决定依赖什么（`--why`）"),
    ("graph", "path", "政策文件（或包含它及其所用政策的文件夹）"),
    ("graph", "policy", "路径中有多个政策时，用哪一个"),
    ("graph", "as_format", "导出格式。默认：整张图为 dot；加 --impact 或 --why 时为名称列表，指定格式时为该格式的子图"),
    ("graph", "impact", "列出依赖这个输入字段（`申请.每月频次`，只有一个输入有它时可写 `每月频次`）或条款（`杭州决定.五`）的每个决定和检查"),
    ("graph", "why", "列出这个决定（或检查、规则、令）依赖的一切"),
    ("test", "", "运行每个政策的 `测试` 块和案例文件（`X.cases.yaml`、`cases.yaml`）：通过/失败及差异、规则覆盖率，加 `--snapshot` 时为每个案例写快照文件"),
    ("test", "paths", "政策文件（`.qd`）或文件夹，递归查找"),
    ("test", "snapshot", "同时为每个案例写一个快照文件：每个决定及其理由（insta 格式）；有变化时写成旁边的 `.snap.new` 待审"),
    ("test", "snapshot_dir", "快照放在哪里（默认：每个政策文件夹下的 `snapshots/`）"),
    ("test", "check", "与 --snapshot 同用：什么也不写，列出会改变的快照文件（退出码 1）"),
    ("test", "review", "逐个审阅待审的快照（`.snap.new`）：显示差异，询问接受、拒绝或跳过"),
    ("test", "accept", "与 --review 同用：不询问，接受所有待审快照。与 --snapshot 同用：有变化的快照直接写入，不留待审"),
    ("test", "reject", "与 --review 同用：不询问，拒绝（删除）所有待审快照"),
    ("test", "prune_snapshots", "与 --snapshot 同用：删除已没有案例对应的快照文件"),
    ("test", "as_of", "按这一天（`YYYY-MM-DD`）施行的版本和清单行决定每个案例，而不按案例日期字段给的日期：看某天施行的修订会让哪些预期不再成立"),
    ("build", "", "把政策编译为自包含的 WebAssembly 模块（见 docs/wasm-abi.md）"),
    ("build", "policy", "政策文件（或包含它及其所用政策的文件夹）"),
    ("build", "output", "模块写到哪里（默认：政策名加 `.wasm`）"),
    ("build", "name", "路径中有多个政策时，用哪一个"),
    ("build", "sign", "用这个私钥（`qingdan keygen` 生成的 `.key` 文件）给模块签名，要求签名的宿主（`eval --trust`）才会运行它"),
    ("keygen", "", "生成用于给模块签名的 Ed25519 密钥对：PREFIX.key（私钥，只有你能读）和 PREFIX.pub（公钥，供 `eval --trust` 使用）。已有的文件不会被替换"),
    ("keygen", "prefix", "密钥文件名的前缀"),
    ("playground", "", "在本地网页中编辑政策、试判案例（http://127.0.0.1:8700/）"),
    ("playground", "dir", "网页打开的政策文件夹（默认：`policies`）"),
    ("playground", "port", "监听的端口"),
    ("playground", "host", "监听的地址。默认只在本机回环地址：网页会编辑文件、编译模块，与他人无关。请求必须以 127.0.0.1、localhost、[::1] 或这个地址加端口称呼服务器（防 DNS 重绑定）"),
    ("playground", "web", "网页文件所在位置（默认：当前目录的 `playground/`，否则源代码旁的）"),
    ("playground", "budget_ms", "一个请求的工作（检查和分析、依赖图、编译、格式化）最多可用多少毫秒；超时的请求得到 503 `over-budget`"),
    ("dump-wat", "", "以 WebAssembly 文本格式打印编译好的模块及其清单"),
    ("dump-wat", "module", "模块文件（`.wasm`）"),
    ("dump-ast", "", "打印文件的语法树（用于调试语言）"),
    ("dump-ast", "path", "政策文件（`.qd`）"),
    ("dump-ir", "", "打印政策降级后的中间表示（槽位、令、规则、决定）"),
    ("dump-ir", "path", "政策文件（或包含它的文件夹）"),
    ("dump-ir", "policy", "路径中有多个政策时，用哪一个"),
    ("lsp", "", "编辑器用的语言服务器（LSP，经标准输入输出）"),
    ("serve", "", "决定服务：通过 HTTP 对案例作出决定，每个决定记入决定日志（SQLite 或 PostgreSQL），可按编号查询"),
    ("serve", "dir", "要提供服务的政策文件夹（其中所有 `.qd` 文件一起检查）"),
    ("serve", "addr", "监听的地址；不是本机回环地址时必须给出 `--tokens`"),
    ("serve", "log", "决定日志：`sqlite:路径`（默认：政策文件夹中的 `decisions.sqlite`），或 `postgres://…`（多个副本共用一个日志）"),
    ("serve", "tokens", "令牌文件，每行一个：`令牌 调用方 政策[,政策…]`（`*` 表示全部政策）"),
    ("serve", "max_body", "请求体最大字节数（一个案例，或 JSON 数组形式的一批）"),
    ("serve", "max_batch", "一批最多可含多少个案例"),
    ("serve", "timeout_ms", "读取请求体、判定一个案例或一批中的一段，最多可用多少毫秒"),
    ("serve", "reload_ms", "每隔多少毫秒查看文件夹中的政策是否改动（0：不查看）"),
    ("serve", "trace", "给运维人员的事件（标准错误输出）：text 每行一条、json 每条一个 JSON 对象、off 不输出；每个请求一条（含决定编号）、每批一条、重新加载与日志失败各一条"),
    ("log", "", "列出或导出决定日志（CSV，或 JSON Lines）"),
    ("log", "db", "决定日志：`qingdan serve` 写的 SQLite 文件，或 `postgres://…`"),
    ("log", "policy", "只列这个政策的决定"),
    ("log", "since", "只列这一日期（`YYYY-MM-DD`）或时刻（RFC 3339，UTC）及以后的决定"),
    ("log", "outcome", "只列这个结论的决定"),
    ("log", "as_", "CSV（默认）或 JSON Lines（全局的 `--format json` 也给出 JSON Lines）"),
    ("replay", "", "用修订后的政策重新判定日志中的案例，列出结论改变的（报告同 `diff --cases`）。没有改变时退出码 0，有改变时 1"),
    ("replay", "db", "决定日志"),
    ("replay", "policy", "修订后的政策（文件或文件夹）；日志中同名政策的决定被重新判定"),
    ("replay", "name", "路径中有多个政策时，用哪一个"),
    ("replay", "since", "只重判这一日期或时刻及以后的决定"),
];

/// Choices of a value with a description of their own, in Chinese: (argument id, value, text).
const VALUES_ZH: &[(&str, &str, &str)] = &[
    ("format", "human", "给人看（`text` 同此）"),
    ("as_format", "dot", "Graphviz（`dot -Tsvg`）"),
    ("as_format", "mermaid", "Mermaid 流程图（在 GitHub 和 GitLab 的 Markdown 中显示为图）"),
    ("as_format", "json", "节点和边，每行一个（结构见 `engine/src/graph/export.rs`）"),
    ("as_", "csv", "逗号分隔，每个决定一行"),
    ("as_", "json", "JSON Lines，每个决定一行（含输入和结果）"),
    ("trace", "text", "每个事件一行 `键=值`"),
    ("trace", "json", "每个事件一个 JSON 对象（供日志收集系统读取）"),
    ("trace", "off", "不输出"),
];

fn zh_text(command: &str, id: &str) -> Option<&'static str> {
    ZH.iter().find(|(c, a, _)| *c == command && *a == id).map(|(_, _, t)| *t)
}

/// The command line's definition with its texts in `lang`.
pub fn command(lang: Lang) -> Command {
    let cmd = Cli::command();
    match lang {
        Lang::En => cmd,
        Lang::Zh => localize(cmd, "", true),
    }
}

/// One command and its subcommands in Chinese: descriptions, argument help, the help and
/// version flags (clap's own are replaced by ones with Chinese help), the choices of
/// enumerated values.
fn localize(cmd: Command, path: &str, root: bool) -> Command {
    let mut cmd = cmd.disable_help_flag(true);
    if root {
        // Global, so every subcommand has it (and with the root's text).
        let help = Arg::new("help").short('h').long("help").action(clap::ArgAction::Help).global(true);
        let version = Arg::new("version").short('V').long("version").action(clap::ArgAction::Version);
        cmd = cmd.disable_version_flag(true).arg(help).arg(version);
    }
    if let Some(about) = zh_text(path, "") {
        cmd = cmd.about(about).long_about(None::<&str>);
    }
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        // `help` is global: its text is the root's, wherever it is shown.
        let text = zh_text(path, &id).or_else(|| zh_text("", &id));
        cmd = cmd.mut_arg(&id, |a| {
            let a = match text {
                Some(text) => a.help(text).long_help(None::<&str>),
                None => a,
            };
            localize_values(a)
        });
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &name, false));
    }
    cmd
}

/// Enumerated values keep their parser (the derived code reads them back by type); only
/// the descriptions of their choices change.
fn localize_values(a: Arg) -> Arg {
    match a.get_id().as_str() {
        "format" => a.value_parser(Described::<Format>::zh("format")),
        "as_format" => a.value_parser(Described::<GraphFormat>::zh("as_format")),
        "trace" => a.value_parser(Described::<crate::serve::trace::TraceFormat>::zh("trace")),
        _ => a,
    }
}

/// An enum's parser with its choices described anew.
#[derive(Clone)]
struct Described<E: ValueEnum + Clone + Send + Sync + 'static> {
    inner: EnumValueParser<E>,
    values: Vec<PossibleValue>,
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> Described<E> {
    fn zh(arg: &str) -> Self {
        let values = E::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|pv| match VALUES_ZH.iter().find(|(a, n, _)| *a == arg && *n == pv.get_name()) {
                Some((_, _, text)) => pv.help(*text),
                None => pv,
            })
            .collect();
        Described { inner: EnumValueParser::new(), values }
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for Described<E> {
    type Value = E;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &std::ffi::OsStr) -> Result<E, clap::Error> {
        self.inner.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values.iter().cloned()))
    }
}

/// What clap writes itself, in Chinese: its headings and texts in help, and usage errors.
const CLAP_ZH: &[(&str, &str)] = &[
    ("Usage: ", "用法："),
    ("Usage:", "用法："),
    ("Arguments:", "参数："),
    ("Options:", "选项："),
    ("Commands:", "命令："),
    ("[OPTIONS]", "[选项]"),
    ("<COMMAND>", "<命令>"),
    ("Print this message or the help of the given subcommand(s)", "显示本帮助，或给定命令的帮助"),
    ("Possible values:", "可选值："),
    ("[possible values: ", "[可选值："),
    ("[default: ", "[默认："),
    ("[aliases: ", "[别名："),
];

/// Help as clap rendered it, with clap's own words in Chinese.
fn clap_words_zh(text: &str) -> String {
    CLAP_ZH.iter().fold(text.to_string(), |t, (en, zh)| t.replace(en, zh))
}

/// A parse "error" in `lang`: help and version as they are, mistakes told in Chinese
/// where clap's kind of error is one we know.
pub fn render(e: &clap::Error, lang: Lang) -> String {
    let text = e.render().to_string();
    match lang {
        Lang::En => text,
        Lang::Zh => render_zh(e, &text),
    }
}

fn render_zh(e: &clap::Error, text: &str) -> String {
    let ctx = |k: ContextKind| e.get(k).map(|v| v.to_string());
    let arg = ctx(ContextKind::InvalidArg).unwrap_or_default();
    let message = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::DisplayVersion => {
            let text = clap_words_zh(text);
            return if text.ends_with('\n') { text } else { format!("{text}\n") };
        }
        ErrorKind::InvalidValue => {
            let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
            let valid = ctx(ContextKind::ValidValue).map(|v| format!("；可选值：{v}")).unwrap_or_default();
            format!("`{arg}` 的值 `{value}` 无效{valid}")
        }
        ErrorKind::UnknownArgument => format!("未知的参数 `{arg}`"),
        ErrorKind::InvalidSubcommand => {
            format!("未知的命令 `{}`", ctx(ContextKind::InvalidSubcommand).unwrap_or_default())
        }
        ErrorKind::ArgumentConflict => match ctx(ContextKind::PriorArg) {
            Some(prior) => format!("`{arg}` 不能与 `{prior}` 同时使用"),
            None => format!("`{arg}` 不能与其他参数同时使用"),
        },
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::ValueValidation => {
            let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
            format!("`{arg}` 的值 `{value}` 无效")
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("`{arg}` 的值的个数不对")
        }
        // Rarer kinds: clap's own text, its words in Chinese where we know them.
        _ => return clap_words_zh(&text.replacen("error:", "错误：", 1)),
    };
    let suggestion =
        [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand, ContextKind::SuggestedValue]
            .into_iter()
            .find_map(ctx)
            .map(|s| format!("\n\n  提示：是否想写 `{s}`？"))
            .unwrap_or_default();
    let usage = ctx(ContextKind::Usage).map(|u| format!("\n\n{}", clap_words_zh(&u))).unwrap_or_default();
    format!("错误：{message}{suggestion}{usage}\n\n想了解更多，请用 `--help`。\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command's description and every argument's help has its Chinese text: an
    /// option added without one fails here.
    #[test]
    fn every_command_and_argument_has_chinese_help() {
        fn walk(cmd: &Command, path: &str, missing: &mut Vec<String>) {
            if zh_text(path, "").is_none() {
                missing.push(format!("command `{path}`"));
            }
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id != "help" && id != "version" && zh_text(path, id).or_else(|| zh_text("", id)).is_none()
                {
                    missing.push(format!("`{path}` argument `{id}`"));
                }
            }
            for s in cmd.get_subcommands() {
                walk(s, s.get_name(), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no Chinese help for: {missing:?} (add them to ZH)");
    }

    #[test]
    fn the_chinese_command_is_valid_and_reads_its_values_back() {
        let cmd = command(Lang::Zh);
        cmd.clone().debug_assert();
        let m = cmd.try_get_matches_from(["qingdan", "--format", "json", "graph", "p.qd", "--as", "mermaid"]);
        let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&m.expect("parses")).expect("reads back");
        assert_eq!(cli.format, Format::Json);
    }
}
