//! The slips a drafter used to writing Chinese documents makes in a policy file, each
//! named with its own code and the fix: a sentence's `。` or `；` at the end of a line
//! (E0012), a comparison or connective written as a word, `大于`, `并且` (E0013), a
//! citation without the dot between source and clause (E0014), and a full-width character
//! the grammar does not accept (E0015). The full-width forms it does accept are in
//! [`super::fullwidth`].

use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::{FileId, Span};

/// Words for operators, with the operator the language wants. Longer words first, so
/// that `大于等于` is not read as `大于`.
pub const OPERATOR_WORDS: &[(&str, &str)] = &[
    ("大于等于", ">="),
    ("小于等于", "<="),
    ("不等于", "!="),
    ("不少于", ">="),
    ("不低于", ">="),
    ("不多于", "<="),
    ("不高于", "<="),
    ("不超过", "<="),
    ("等于", "=="),
    ("大于", ">"),
    ("小于", "<"),
    ("超过", ">"),
    ("高于", ">"),
    ("多于", ">"),
    ("低于", "<"),
    ("少于", "<"),
    ("并且", "且"),
    ("而且", "且"),
    ("或者", "或"),
];

/// E0012: `。`, `；` or `;` where a sentence would end.
pub fn stray_full_stop(file: FileId, at: usize, c: char, line_end: bool) -> Diagnostic {
    let help = if line_end {
        msg(
            format!("删去行末的 `{c}`：每条语句到行尾自然结束，不用句号或分号"),
            format!(
                "delete the `{c}`: a statement ends at the end of its line, with no full stop or semicolon"
            ),
        )
    } else {
        msg(
            format!("删去 `{c}`，把后面的内容另起一行"),
            format!("delete the `{c}` and put what follows on a line of its own"),
        )
    };
    Diagnostic::new(
        Code::E0012,
        Span::new(file, at, at + c.len_utf8()),
        msg(format!("多余的 `{c}`"), format!("stray `{c}`")),
    )
    .label(msg("政策文件里不用句号或分号", "policy files use no full stops or semicolons"))
    .help(help)
}

/// E0015: a full-width character with no certain ASCII meaning.
pub fn refused_fullwidth(file: FileId, at: usize, c: char, ascii: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0015,
        Span::new(file, at, at + c.len_utf8()),
        msg(format!("这里不能用全角符号 `{c}`"), format!("full-width `{c}` is not accepted here")),
    )
    .help(msg(
        format!("改用半角的 `{ascii}`（`qingdan fmt` 无法自动改正这个符号）"),
        format!("type the ASCII `{ascii}` instead (`qingdan fmt` cannot repair this one)"),
    ))
}

/// The operator word `word` starts with, the operator it stands for and what follows it
/// in the same word (`大于18` → `大于`, `>`, `18`).
pub fn operator_word(word: &str) -> Option<(&'static str, &'static str, &str)> {
    OPERATOR_WORDS.iter().find_map(|&(w, op)| word.strip_prefix(w).map(|rest| (w, op, rest)))
}

/// E0013 for a word operator found where the grammar failed, or `=` where a comparison
/// was expected.
pub fn operator_slip(file: FileId, at: usize, found: &str, comparison_expected: bool) -> Option<Diagnostic> {
    let span = Span::new(file, at, at + found.len());
    if comparison_expected && matches!(found, "=" | "＝") {
        return Some(
            Diagnostic::new(
                Code::E0013,
                span,
                msg(
                    format!("比较是否相等要写 `==`，不是 `{found}`"),
                    format!("equality is `==`, not `{found}`"),
                ),
            )
            .help(msg(
                "把 `=` 改成 `==`（`=` 只用于 `令` 和 `预期`）",
                "write `==` (a single `=` belongs to `let` and `expect`)",
            )),
        );
    }
    let (word, op, rest) = operator_word(found)?;
    let fixed = if rest.is_empty() { op.to_string() } else { format!("{op} {rest}") };
    let english = match op {
        "且" => " (or `and`)",
        "或" => " (or `or`)",
        _ => "",
    };
    Some(
        Diagnostic::new(
            Code::E0013,
            span,
            msg(
                format!("`{word}` 要写成运算符 `{op}`"),
                format!("`{word}` is written as the operator `{op}`"),
            ),
        )
        .label(msg(format!("应为 `{op}`"), format!("expected `{op}`")))
        .help(msg(
            format!("把 `{found}` 改成 `{fixed}`"),
            format!("write `{fixed}` instead of `{found}`{english}"),
        )),
    )
}

/// The hint for a name that has an operator word inside it (`年龄大于18`: the drafter
/// meant `年龄 > 18`), for the checker's "unknown name".
pub fn operator_inside_name(name: &str) -> Option<Msg> {
    let (at, (word, op, rest)) =
        name.char_indices().skip(1).find_map(|(i, _)| operator_word(&name[i..]).map(|found| (i, found)))?;
    let before = &name[..at];
    let fixed = [before, op, rest].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
    Some(msg(
        format!("`{word}` 不是运算符，这里读成了一个名称；比较要写成 `{fixed}`"),
        format!("`{word}` is not an operator, so this reads as one name; write the comparison as `{fixed}`"),
    ))
}

/// E0014: a citation whose source and clause are not joined by a dot. The grammar fails
/// at the start of such a citation: `before` is the line up to there, `found` the word
/// there (the source's name) and `after` the rest of the line.
pub fn citation_without_dot(
    file: FileId,
    at: usize,
    [before, found, after]: [&str; 3],
) -> Option<Diagnostic> {
    let is_word = |s: &str| !s.is_empty() && s.chars().all(super::lex::is_word_char);
    let before = before.trim_end();
    let after_cite = ["引用", "cite"]
        .iter()
        .any(|kw| before.strip_suffix(kw).is_some_and(|b| b.is_empty() || b.ends_with(char::is_whitespace)));
    let in_cite_list =
        before.ends_with([',', '，', '、']) && (before.contains("引用") || before.contains("cite"));
    if !(after_cite || in_cite_list) || !is_word(found) {
        return None;
    }
    let rest = after.trim_start();
    let clause_end = rest.find(|c: char| !super::lex::is_word_char(c)).unwrap_or(rest.len());
    let clause = &rest[..clause_end];
    let (span, help) = if is_word(clause) {
        let fixed = format!("{found}.{clause}");
        let end = at + found.len() + (after.len() - rest.len()) + clause.len();
        (Span::new(file, at, end), msg(format!("写成 `{fixed}`"), format!("write `{fixed}`")))
    } else {
        // The clause is glued to the source (`引用 办法第三条`): where to cut is the drafter's call.
        let help = msg(
            format!("在 `{found}` 的来源名称与条款编号之间加 `.`，例如 `办法.第三条`"),
            format!("put a `.` between the source's name and the clause in `{found}`, as in `rules.art3`"),
        );
        (Span::new(file, at, at + found.len()), help)
    };
    Some(
        Diagnostic::new(
            Code::E0014,
            span,
            msg("引用的来源和条款之间缺少 `.`", "a citation needs a `.` between the source and the clause"),
        )
        .label(msg("应写作 `来源.条款`", "expected `SOURCE.CLAUSE`"))
        .help(help),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Lang;

    fn parse_codes(text: &str) -> Vec<(Code, String)> {
        let parsed = crate::syntax::parse(text, FileId(0));
        parsed
            .diagnostics
            .iter()
            .map(|d| (d.code, d.help.as_ref().map_or(String::new(), |h| h.get(Lang::Zh).to_string())))
            .collect()
    }

    #[test]
    fn the_longest_operator_word_wins() {
        assert_eq!(operator_word("大于等于18"), Some(("大于等于", ">=", "18")));
        assert_eq!(operator_word("大于"), Some(("大于", ">", "")));
        assert_eq!(operator_word("不等于"), Some(("不等于", "!=", "")));
        assert_eq!(operator_word("大于标准"), Some(("大于", ">", "标准")));
        assert_eq!(operator_word("年龄"), None);
    }

    #[test]
    fn an_operator_word_inside_a_name_is_shown_as_the_comparison() {
        let hint = operator_inside_name("年龄不少于18").expect("a hint");
        assert!(hint.get(Lang::Zh).contains("`年龄 >= 18`"), "{}", hint.get(Lang::Zh));
        assert!(operator_inside_name("大于标准户数").is_none(), "a name that starts with the word is a name");
        assert!(operator_inside_name("名称").is_none());
    }

    #[test]
    fn each_slip_gets_its_code_and_fix() {
        let head = "政策 p\n来源 办法 \"某办法\" { 条款 三 \"x\" }\n";
        let rule =
            |cite: &str, when: &str| format!("{head}规则 r 引用 {cite} {{\n  当 {when}\n  则 A \"x\"\n}}\n");
        assert_eq!(
            parse_codes(&rule("办法.三", "a 小于等于 1")),
            [(Code::E0013, "把 `小于等于` 改成 `<=`".into())]
        );
        assert_eq!(parse_codes(&rule("办法.三", "a 或者 b")), [(Code::E0013, "把 `或者` 改成 `或`".into())]);
        assert_eq!(parse_codes(&rule("办法.三", "a ＝ 1"))[0].0, Code::E0013);
        assert_eq!(parse_codes(&rule("办法 三", "a"))[0], (Code::E0014, "写成 `办法.三`".into()));
        assert_eq!(parse_codes(&rule("办法.三，办法 三", "a"))[0], (Code::E0014, "写成 `办法.三`".into()));
        assert_eq!(parse_codes(&rule("办法.三", "a > 1")), []);
        // A word for an operator that stands where a name may: no slip, a name.
        assert_eq!(parse_codes(&format!("{head}令 大于 = 1\n")), []);
    }
}
