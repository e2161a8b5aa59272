//! Syntax errors: pest's "expected …" turned into a diagnostic that names what was expected
//! in the file's language, with hints for the mistakes drafters make (a keyword glued to a
//! name, “” inside “…”, a keyword used as a name, a missing header); and recovery, so that
//! one run reports several syntax errors of a file.

use pest::Parser as _;

use super::keywords::{glued_chinese_keyword, Kw};
use super::lex::is_word_char;
use super::parse::{QdParser, Rule};
use super::slips;
use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::{FileId, Lang, Span};

/// The most syntax errors reported for one file.
const MAX_SYNTAX_ERRORS: usize = 20;

/// pest stops at the first error. To report more, the declaration that failed is blanked
/// out (keeping every byte offset) and the file parsed again, up to a limit.
pub(super) fn syntax_errors(first: pest::error::Error<Rule>, text: &str, file: FileId) -> Vec<Diagnostic> {
    let mut diags = vec![syntax_error(&first, text, file)];
    let mut blanked = text.to_string();
    let mut error = first;
    while diags.len() < MAX_SYNTAX_ERRORS && is_recoverable(diags[diags.len() - 1].code) {
        let pos = error_pos(&error);
        let Some((start, end)) = failed_declaration(&blanked, pos) else { break };
        blanked.replace_range(start..end, &blank(&blanked[start..end]));
        match QdParser::parse(Rule::file, &blanked) {
            Ok(_) => break,
            Err(e) => {
                diags.push(syntax_error(&e, text, file));
                error = e;
            }
        }
    }
    diags
}

/// Codes after which the next declaration is worth parsing: a missing header or a keyword
/// used as a name would only repeat.
fn is_recoverable(code: Code) -> bool {
    matches!(code, Code::E0001 | Code::E0013 | Code::E0014)
}

fn error_pos(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// The lines of the declaration that failed at `pos`: from the last line before it that
/// starts a declaration, to the next line that does.
fn failed_declaration(text: &str, pos: usize) -> Option<(usize, usize)> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| starts_declaration(&text[i..]))
        .collect();
    // An error right at a declaration's first word means the one before it ended early.
    let start = starts.iter().rev().find(|&&s| s < pos).or(starts.first()).copied()?;
    let end = starts.iter().find(|&&s| s > start && s >= pos).copied()?;
    (start > 0 || !starts_with_policy(text)).then_some((start, end))
}

fn starts_declaration(line: &str) -> bool {
    const HEADS: &[&str] = &[
        "use",
        "source",
        "enum",
        "record",
        "input",
        "list",
        "let",
        "rule",
        "exception",
        "decision",
        "check",
        "test",
        "使用",
        "来源",
        "枚举",
        "记录",
        "输入",
        "清单",
        "令",
        "规则",
        "例外",
        "决定",
        "检查",
        "测试",
    ];
    HEADS.iter().any(|h| line.strip_prefix(h).is_some_and(|rest| rest.starts_with([' ', '\t', '\u{3000}'])))
}

/// The same bytes with everything but line breaks turned into spaces.
fn blank(text: &str) -> String {
    text.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }).collect()
}

fn syntax_error(e: &pest::error::Error<Rule>, text: &str, file: FileId) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let found = token_at(text, pos);
    let span = Span::new(file, pos, pos + found.len());
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if text[..pos].trim().is_empty() || !starts_with_policy(text) {
        return missing_header(file, text);
    }
    if expected.contains(&Rule::ident) && is_keyword(found) {
        return Diagnostic::new(
            Code::E0008,
            span,
            msg(
                format!("`{found}` 是关键字，不能用作名称"),
                format!("`{found}` is a keyword and cannot be used as a name"),
            ),
        )
        .help(msg(
            format!("换一个名称，例如 `{found}项`"),
            format!("choose another name, such as `{found}_name`"),
        ));
    }
    if let Some(slip) = slip_at(text, file, pos, found, &expected) {
        return slip;
    }
    let wanted = describe_expected(&expected);
    let found_text = if found.is_empty() {
        msg("文件结尾", "the end of the file")
    } else {
        msg(format!("`{found}`"), format!("`{found}`"))
    };
    let after_cjk_string = text[..pos].trim_end().ends_with('”');
    let quote_hint = after_cjk_string.then(|| {
        msg(
            "“…”字符串在第一个 ” 处结束；文字里要用“”时，请把整段改用英文引号 \"…\"",
            "a “…” string ends at the first ”; to put “” inside the text, quote the whole text with \"…\"",
        )
    });
    let hint = quote_hint.or_else(|| {
        glued_chinese_keyword(found).map(|kw| {
            let rest = &found[kw.len()..];
            msg(
                format!("中文关键字后面要空一格：`{kw} {rest}`"),
                format!("put a space after the Chinese keyword: `{kw} {rest}`"),
            )
        })
    });
    Diagnostic::new(
        Code::E0001,
        span,
        msg(
            format!("此处应为{}，却是{}", wanted.zh, found_text.zh),
            format!("expected {}, found {}", wanted.en, found_text.en),
        ),
    )
    .label(msg(format!("应为{}", wanted.zh), format!("expected {}", wanted.en)))
    .help_opt(hint)
}

/// A drafter's slip where the grammar failed: a word for an operator, `=` for `==`, a
/// citation without its dot.
fn slip_at(text: &str, file: FileId, pos: usize, found: &str, expected: &[Rule]) -> Option<Diagnostic> {
    let comparison_expected = expected.contains(&Rule::cmp_op);
    slips::operator_slip(file, pos, found, comparison_expected).or_else(|| {
        let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let after = &text[pos + found.len()..];
        let line_rest = &after[..after.find('\n').unwrap_or(after.len())];
        slips::citation_without_dot(file, pos, [&text[line_start..pos], found, line_rest])
    })
}

fn missing_header(file: FileId, text: &str) -> Diagnostic {
    let start = text.len() - strip_trivia(text).len();
    let found = token_at(text, start);
    Diagnostic::new(
        Code::E0010,
        Span::new(file, start, start + found.len()),
        msg("文件须以政策声明开头", "a policy file must start with a policy header"),
    )
    .label(msg("此处应为 `政策 名称`", "expected `policy NAME` here"))
    .help(msg(
        "在文件第一行写上 `政策 名称`（或 `policy NAME`）",
        "begin the file with `policy NAME` (or `政策 名称`)",
    ))
}

/// The name in a file's `policy NAME` header, found without parsing the whole file (to
/// locate the policies that others `use`).
pub fn policy_name(text: &str) -> Option<&str> {
    let rest = strip_trivia(text);
    let after = ["policy", "政策"].iter().find_map(|kw| rest.strip_prefix(kw))?;
    let name = after.trim_start();
    let end = name.find(|c: char| !is_word_char(c)).unwrap_or(name.len());
    (end > 0 && after.len() > name.len()).then(|| &name[..end])
}

/// Whether a file is likely Chinese before its keywords are counted: by its header
/// keyword, or without one by whether Han characters outnumber ASCII letters.
pub fn header_is_chinese(text: &str) -> bool {
    let rest = strip_trivia(text);
    if rest.starts_with("政策") || rest.starts_with("policy") {
        return rest.starts_with("政策");
    }
    let han = text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
    han > text.chars().filter(char::is_ascii_alphabetic).count()
}

fn strip_trivia(text: &str) -> &str {
    let mut rest = text.trim_start_matches(['\u{feff}']);
    loop {
        let trimmed = rest.trim_start();
        match trimmed.strip_prefix("//") {
            Some(after) => rest = after.find('\n').map_or("", |n| &after[n..]),
            None => return trimmed,
        }
    }
}

fn starts_with_policy(text: &str) -> bool {
    let rest = strip_trivia(text);
    ["policy", "政策"]
        .iter()
        .any(|kw| rest.strip_prefix(kw).is_some_and(|after| !after.starts_with(is_word_char)))
}

/// The word or character at `pos`, for "found …" in messages.
fn token_at(text: &str, pos: usize) -> &str {
    let rest = &text[pos.min(text.len())..];
    let Some(first) = rest.chars().next() else {
        return "";
    };
    if is_word_char(first) {
        let end = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
        &rest[..end]
    } else {
        &rest[..first.len_utf8()]
    }
}

fn is_keyword(word: &str) -> bool {
    Kw::ALL
        .iter()
        .filter(|k| !super::keywords::CONTEXTUAL.contains(k))
        .any(|k| k.text(Lang::En) == word || k.text(Lang::Zh) == word)
        || ["is", "set", "must"].contains(&word)
}

fn describe_expected(rules: &[Rule]) -> Msg {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for r in rules {
        let (z, e) = describe_rule(*r);
        // Inner rules with no description of their own add nothing a drafter can use.
        if !z.is_empty() && !zh.contains(&z) {
            zh.push(z);
            en.push(e);
        }
    }
    if zh.is_empty() {
        return msg("其他内容", "something else");
    }
    let more = zh.len() > 6;
    zh.truncate(6);
    en.truncate(6);
    let (mut z, mut e) = (zh.join("、"), en.join(", "));
    if more {
        z.push_str(" 等");
        e.push_str(", …");
    }
    msg(z, e)
}

fn describe_rule(rule: Rule) -> (String, String) {
    if let Some(kw) = Kw::from_rule(rule) {
        let (en, zh) = (kw.text(Lang::En), kw.text(Lang::Zh));
        return (format!("`{zh}`"), format!("`{en}`"));
    }
    let (zh, en) = match rule {
        Rule::ident | Rule::name | Rule::path => ("名称", "a name"),
        Rule::string => ("带引号的文字", "a quoted text"),
        Rule::int => ("整数", "an integer"),
        Rule::date => ("日期", "a date"),
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::neg_expr
        | Rule::postfix => ("表达式", "an expression"),
        Rule::cmp_op | Rule::compare => ("比较运算符", "a comparison operator"),
        Rule::add_op | Rule::mul_op => ("运算符", "an operator"),
        Rule::type_expr => ("类型", "a type"),
        Rule::record_lit => ("`{`", "`{`"),
        Rule::outcome => ("结论", "an outcome"),
        Rule::combining => {
            ("组合方式（优先/首个/汇总/唯一）", "a combining policy (priority, first, collect, unique)")
        }
        Rule::modality => ("`须`、`可` 或 `不得`", "`must`, `may` or `must not`"),
        Rule::field_decl | Rule::field_init => ("字段", "a field"),
        Rule::clause_id => ("条款编号", "a clause number"),
        Rule::EOI => ("文件结尾", "the end of the file"),
        Rule::field_access => ("`.`", "`.`"),
        Rule::index | Rule::set_lit => ("`[`", "`[`"),
        Rule::decimal => ("小数", "a decimal"),
        Rule::use_decl
        | Rule::source_decl
        | Rule::enum_decl
        | Rule::record_decl
        | Rule::input_decl
        | Rule::list_decl
        | Rule::let_decl
        | Rule::rule_decl
        | Rule::exception_decl
        | Rule::decision_decl
        | Rule::check_decl
        | Rule::test_decl => ("声明", "a declaration"),
        _ => ("", ""),
    };
    (zh.to_string(), en.to_string())
}
