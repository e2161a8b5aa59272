//! A lexical pre-scan that runs before the grammar. It finds what the grammar cannot judge
//! well or safely: the size and encoding of the file, unterminated strings (so the error
//! points at the opening quote), nesting deeper than the recursive parser may safely go,
//! and the comments the formatter must keep.

use super::{fullwidth, slips};
use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::{FileId, Span};

/// The largest policy file accepted (a generated 2,000-item list is about 0.3 MiB).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The deepest nesting of brackets and `if` accepted. Real policies stay below 10.
pub const MAX_NESTING: usize = 64;

/// A `//` comment: its span covers the whole comment including the slashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
    /// True when code precedes the comment on its line.
    pub trailing: bool,
}

/// Turns raw bytes into text, or explains why they are not a policy file.
pub fn decode(bytes: &[u8], file: FileId) -> Result<&str, Diagnostic> {
    let at_start = Span::new(file, 0, 0);
    if bytes.len() > MAX_FILE_BYTES {
        let (mib, max) = (bytes.len() as f64 / 1_048_576.0, MAX_FILE_BYTES / 1_048_576);
        return Err(Diagnostic::new(
            Code::E0006,
            at_start,
            msg(
                format!("文件有 {mib:.1} MiB，超过上限 {max} MiB"),
                format!("file is {mib:.1} MiB, more than the {max} MiB limit"),
            ),
        )
        .help(msg(
            "把大清单拆成多个文件，或用 `来自 \"….csv\"` 引入数据",
            "split a large list into several files, or include its rows with `from \"….csv\"`",
        )));
    }
    let binary = |offset: usize, what_zh: &str, what_en: &str| {
        Diagnostic::new(
            Code::E0005,
            Span::new(file, 0, 0),
            msg(
                format!("文件不是 UTF-8 文本：第 {offset} 字节处{what_zh}"),
                format!("file is not UTF-8 text: {what_en} at byte {offset}"),
            ),
        )
        .help(msg(
            "政策文件须是 UTF-8 编码的文本；如果是 GBK 编码，请先转换为 UTF-8",
            "policy files must be UTF-8 text; convert GBK-encoded files to UTF-8 first",
        ))
    };
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(binary(nul, "有空字节（二进制文件？）", "a NUL byte (a binary file?)"));
    }
    std::str::from_utf8(bytes).map_err(|e| binary(e.valid_up_to(), "编码无效", "invalid encoding"))
}

/// What the pre-scan found: comments always; problems that stop parsing, if any.
pub struct Scan {
    pub comments: Vec<Comment>,
    pub errors: Vec<Diagnostic>,
}

pub fn scan(text: &str, file: FileId) -> Scan {
    let mut s = Scanner {
        text,
        file,
        comments: Vec::new(),
        errors: Vec::new(),
        code_on_line: false,
        open: Vec::new(),
        bracket_error: None,
    };
    s.run();
    Scan { comments: s.comments, errors: s.errors }
}

struct Scanner<'a> {
    text: &'a str,
    file: FileId,
    comments: Vec<Comment>,
    errors: Vec<Diagnostic>,
    code_on_line: bool,
    /// Brackets opened and not yet closed, with their offsets.
    open: Vec<(char, usize)>,
    /// The first mismatched or unclosed bracket; reported unless nesting is too deep.
    bracket_error: Option<Diagnostic>,
}

impl Scanner<'_> {
    fn run(&mut self) {
        let mut depth = 0usize;
        // Prefix operators in a row (`非 非 x`, `- - x`): each nests its operand one level
        // deeper, as a bracket does, but nothing closes them, so they count until the
        // next other token.
        let mut prefixes = 0usize;
        let mut chars = self.text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\n' => self.code_on_line = false,
                '/' if chars.peek().map(|p| p.1) == Some('/') => {
                    let end = self.text[i..].find('\n').map_or(self.text.len(), |n| i + n);
                    self.comments.push(Comment {
                        span: Span::new(self.file, i, end),
                        text: self.text[i..end].trim_end().to_string(),
                        trailing: self.code_on_line,
                    });
                    while chars.peek().is_some_and(|p| p.0 < end) {
                        chars.next();
                    }
                }
                '"' | '“' => {
                    self.code_on_line = true;
                    prefixes = 0;
                    let close = if c == '"' { '"' } else { '”' };
                    self.skip_string(i, c, close, &mut chars);
                }
                c if c.is_whitespace() => {}
                _ => {
                    self.code_on_line = true;
                    self.check_fullwidth(i, c);
                    self.track_bracket(i, c);
                    let token = self.token(i, c, &mut chars);
                    depth = depth.saturating_add_signed(token.delta);
                    prefixes = if token.prefix { prefixes + 1 } else { 0 };
                    if depth + prefixes > MAX_NESTING && self.errors.iter().all(|e| e.code != Code::E0007) {
                        self.too_deep(i, c, prefixes > 0);
                    }
                }
            }
        }
        if let Some(&(c, at)) = self.open.last() {
            let close = closer(c);
            let d = self.bracket_diag(
                at,
                c,
                msg(format!("`{c}` 没有对应的 `{close}`"), format!("`{c}` is never closed")),
                msg(format!("在适当位置补上 `{close}`"), format!("add the missing `{close}`")),
            );
            self.bracket_error.get_or_insert(d);
        }
        let too_deep = self.errors.iter().any(|e| e.code == Code::E0007);
        if let (Some(d), false) = (self.bracket_error.take(), too_deep) {
            self.errors.push(d);
        }
    }

    /// Characters the grammar does not accept but a drafter types by habit: a full stop or
    /// semicolon ending a sentence (or a `。` typed for the dot between two names), and the
    /// full-width forms that have no certain ASCII meaning. Each is named with what to type instead, before the grammar fails
    /// somewhere later.
    fn check_fullwidth(&mut self, i: usize, c: char) {
        if self.errors.iter().filter(|e| matches!(e.code, Code::E0012 | Code::E0015)).count() >= 20 {
            return;
        }
        let after = &self.text[i + c.len_utf8()..];
        let between_words = self.text[..i].ends_with(is_word_char) && after.starts_with(is_word_char);
        let diag = if c == '。' && between_words {
            // `办法。三`, `申请。年龄`: a dot typed in Chinese mode, not a sentence's end.
            slips::refused_fullwidth(self.file, i, c, ".")
        } else if matches!(c, '。' | '；' | ';') {
            slips::stray_full_stop(self.file, i, c, at_line_end(after))
        } else if c == '！' && after.starts_with(['=', '＝']) {
            return;
        } else {
            match fullwidth::REFUSED.iter().find(|(f, _)| *f == c) {
                Some((_, ascii)) => slips::refused_fullwidth(self.file, i, c, ascii),
                None => return,
            }
        };
        self.errors.push(diag);
    }

    fn track_bracket(&mut self, i: usize, c: char) {
        match fullwidth::ascii_bracket(c) {
            Some('(' | '[' | '{') => self.open.push((c, i)),
            Some(close @ (')' | ']' | '}')) => match self.open.pop() {
                Some((o, _)) if closer(o) == close => {}
                Some((o, _)) => {
                    let want = closer(o);
                    let d = self.bracket_diag(
                        i,
                        c,
                        msg(format!("`{o}` 却用 `{c}` 结束"), format!("`{o}` is closed by `{c}`")),
                        msg(format!("把 `{c}` 改成 `{want}`"), format!("write `{want}` instead of `{c}`")),
                    );
                    self.bracket_error.get_or_insert(d);
                }
                None => {
                    let d = self.bracket_diag(
                        i,
                        c,
                        msg(format!("多余的 `{c}`"), format!("unexpected `{c}`")),
                        msg(
                            "删除它，或补上与之对应的左括号",
                            "remove it, or add the opening bracket it closes",
                        ),
                    );
                    self.bracket_error.get_or_insert(d);
                }
            },
            _ => {}
        }
    }

    fn bracket_diag(&self, at: usize, c: char, message: Msg, help: Msg) -> Diagnostic {
        Diagnostic::new(Code::E0001, Span::new(self.file, at, at + c.len_utf8()), message).help(help)
    }

    fn skip_string(
        &mut self,
        start: usize,
        open: char,
        close: char,
        chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    ) {
        while let Some(&(_, c)) = chars.peek() {
            if c == '\n' {
                break;
            }
            chars.next();
            if c == '\\' {
                chars.next();
            } else if c == close {
                return;
            }
        }
        self.errors.push(
            Diagnostic::new(
                Code::E0002,
                Span::new(self.file, start, start + open.len_utf8()),
                msg("字符串在行尾之前没有结束", "string is not closed before the end of the line"),
            )
            .label(msg("字符串从这里开始", "the string starts here"))
            .help(msg(
                format!("在字符串末尾加上 `{close}`；字符串不能跨行"),
                format!("add `{close}` at the end of the string; strings cannot span lines"),
            )),
        );
    }

    /// What the token starting with `c` does to the nesting (consuming the rest of a word).
    fn token(
        &self,
        i: usize,
        c: char,
        chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    ) -> Nesting {
        let delta = match fullwidth::ascii_bracket(c) {
            Some('(' | '[' | '{') => 1,
            Some(_) => -1,
            None if is_word_char(c) => return self.word(i, c, chars),
            None => 0,
        };
        Nesting { delta, prefix: matches!(c, '-' | '－') }
    }

    /// The word starting with `c` (consumed): +1 for `if`, -1 for `else`, and whether it
    /// is the prefix `not`.
    fn word(&self, i: usize, c: char, chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Nesting {
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !is_word_char(d) {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        let (delta, prefix) = match &self.text[i..end] {
            "if" | "如果" => (1, false),
            "else" | "否则" => (-1, false),
            "not" | "非" => (0, true),
            _ => (0, false),
        };
        Nesting { delta, prefix }
    }

    fn too_deep(&mut self, i: usize, c: char, in_prefixes: bool) {
        let message = if in_prefixes {
            msg(
                format!("括号、“如果”和连用的“非”或负号共嵌套超过 {MAX_NESTING} 层"),
                format!(
                    "brackets, `if` and repeated `not` or `-` nested more than {MAX_NESTING} levels deep"
                ),
            )
        } else {
            msg(
                format!("括号或“如果”嵌套超过 {MAX_NESTING} 层"),
                format!("brackets or `if` nested more than {MAX_NESTING} levels deep"),
            )
        };
        self.errors.push(
            Diagnostic::new(Code::E0007, Span::new(self.file, i, i + c.len_utf8()), message).help(msg(
                "用 `令` 把内层表达式拆成有名字的中间结果",
                "split the inner expression into named steps with `let`",
            )),
        );
    }
}

/// A token's effect on the nesting depth.
struct Nesting {
    /// +1 for an opening bracket or `if`, -1 for a closing bracket or `else`.
    delta: isize,
    /// A prefix operator (`not`, `-`), which nests what follows it.
    prefix: bool,
}

/// The ASCII bracket that closes `open` (full-width or not); full-width and ASCII halves
/// may be mixed, as the grammar allows.
fn closer(open: char) -> char {
    match fullwidth::ascii_bracket(open) {
        Some('(') => ')',
        Some('[') => ']',
        _ => '}',
    }
}

/// Whether only spaces or a comment follow on this line.
fn at_line_end(after: &str) -> bool {
    let line = after.split('\n').next().unwrap_or_default().trim_start();
    line.is_empty() || line.starts_with("//")
}

pub fn is_word_char(c: char) -> bool {
    c == '_' || pest::unicode::XID_CONTINUE(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_and_ignores_slashes_in_strings() {
        let s = scan("policy p // 说明\nsource s \"a // b\" {}\n// 独占一行", FileId(0));
        let texts: Vec<_> = s.comments.iter().map(|c| (c.text.as_str(), c.trailing)).collect();
        assert_eq!(texts, [("// 说明", true), ("// 独占一行", false)]);
        assert!(s.errors.is_empty());
    }

    #[test]
    fn reports_unterminated_strings_and_deep_nesting() {
        let s = scan("policy p\nlet x = \"abc\nlet y = 1", FileId(0));
        assert_eq!(s.errors[0].code, Code::E0002);
        let deep = format!("let x = {}1{}", "(".repeat(100), ")".repeat(100));
        let s = scan(&deep, FileId(0));
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].code, Code::E0007);
    }

    /// A chain of prefix operators nests like brackets: 100,000 of them are one E0007 at
    /// the 65th, before the grammar runs.
    #[test]
    fn long_chains_of_not_and_minus_are_too_deep() {
        for op in ["非 ", "not ", "-", "- "] {
            let text = format!("let x = {}1", op.repeat(100_000));
            let s = scan(&text, FileId(0));
            assert_eq!(s.errors.iter().map(|e| e.code).collect::<Vec<_>>(), [Code::E0007], "{op}");
            let at = "let x = ".len() + MAX_NESTING * op.len();
            assert_eq!(s.errors[0].span.start as usize, at, "{op}");
        }
        let nested = format!("let x = {}{}1{}", "(".repeat(60), "非 ".repeat(5), ")".repeat(60));
        assert_eq!(scan(&nested, FileId(0)).errors.len(), 1, "60 brackets and 5 `not` are 65 levels");
        let fine = format!("let x = {}{}1{}", "(".repeat(60), "- ".repeat(4), ")".repeat(60));
        assert!(scan(&fine, FileId(0)).errors.is_empty());
        let dates = "source s \"t\" (2022-12-20) { clause a \"x\" }\nlet y = 1 - -2 - 3";
        assert!(scan(dates, FileId(0)).errors.is_empty());
    }

    fn codes(text: &str) -> Vec<Code> {
        scan(text, FileId(0)).errors.iter().map(|e| e.code).collect()
    }

    #[test]
    fn names_sentence_punctuation_and_full_width_forms_without_meaning() {
        assert_eq!(codes("policy p\nlet x = 1。\nlet y = 2； // c\nlet z = 3;"), [Code::E0012; 3]);
        assert_eq!(codes("政策 p\n令 x = 办法。三"), [Code::E0015], "a dot typed in Chinese mode");
        assert_eq!(codes("政策 p\n令 x = ‘a’"), [Code::E0015, Code::E0015]);
        assert_eq!(codes("政策 p\n令 x = a ！＝ b ！= c ≠ d"), [], "`！＝` is accepted");
        assert_eq!(codes("政策 p\n令 x = a ！ b"), [Code::E0015]);
        assert_eq!(codes("政策 p // 句号。分号；‘’\n令 x = \"。；‘\""), [], "comments and strings are text");
    }

    #[test]
    fn full_width_brackets_nest_and_pair_with_ascii_ones() {
        assert_eq!(codes("政策 p\n枚举 E ｛ A } \n令 x = 【1, 2］[0]"), []);
        let mismatched = scan("政策 p\n枚举 E ｛ A ）", FileId(0));
        assert_eq!(mismatched.errors.len(), 1);
        assert_eq!(mismatched.errors[0].code, Code::E0001);
        let deep = format!("令 x = {}1{}", "［".repeat(100), "］".repeat(100));
        assert_eq!(codes(&deep), [Code::E0007]);
        assert_eq!(codes(&format!("令 x = {}1", "－".repeat(100))), [Code::E0007]);
    }

    #[test]
    fn rejects_binary_and_invalid_utf8() {
        assert_eq!(decode(b"ab\0cd", FileId(0)).map_err(|d| d.code), Err(Code::E0005));
        assert_eq!(decode(&[0x66, 0xff, 0xfe], FileId(0)).map_err(|d| d.code), Err(Code::E0005));
        assert_eq!(decode("政策 p".as_bytes(), FileId(0)).ok(), Some("政策 p"));
    }
}
