//! Source texts: a `来源` that names its instrument's full text (`全文 "…"`) has its clauses
//! found in that text by their number as the instrument writes it (`（五）`, `第二十四条`,
//! `一、`), and each quotation checked against the clause's words; a clause that gives no
//! words takes them from the text.
//!
//! Matching ignores whitespace and the difference between full-width and half-width forms
//! (`（，）` and `(,)`), nothing else; `……` in a quotation stands for an omission, so the
//! pieces between must appear in order within the clause. The text is indexed once
//! (every numbered line), so a source of many clauses costs one pass over its text.

use std::collections::HashMap;
use std::ops::Range;

use crate::check::env::{ClauseInfo, Env};
use crate::diag::{msg, Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{ClauseDecl, ClauseKind, Decl, Module, SourceDecl};

/// The full text each source declaration names: (module, declaration index) → its file.
pub type SourceTexts = HashMap<(usize, usize), FileId>;

/// How a line of an instrument opens its numbered part. The order is the order of lookup:
/// a clause id is first looked for as `（N）`, then `第N条`, then `N、`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Marker {
    /// `（五）` / `(5)`
    Bracketed,
    /// `第二十四条`
    Article,
    /// `一、` / `1.`
    Enumerated,
}

/// Every numbered line of a text: where it starts, and the first line of each number.
#[derive(Debug, Default)]
pub struct TextIndex {
    /// Byte offsets of the lines that open with a number, in order.
    starts: Vec<usize>,
    /// (marker, number) → byte offset of the first such line.
    first: HashMap<(Marker, u32), usize>,
    len: usize,
    /// Each clause's words folded for matching, made once however many quotations of it
    /// there are (by the clause's start).
    folded: HashMap<usize, Folded>,
}

impl TextIndex {
    pub fn new(text: &str) -> TextIndex {
        let mut index = TextIndex { len: text.len(), ..TextIndex::default() };
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some(key) = line_marker(line) {
                index.starts.push(offset);
                index.first.entry(key).or_insert(offset);
            }
            offset += line.len();
        }
        index
    }

    /// The byte range of the clause numbered `id`: from its line to the next numbered
    /// line (of any kind) or the end of the text.
    pub fn clause(&self, id: &str) -> Option<Range<usize>> {
        let n = number_value(id)?;
        let start = [Marker::Bracketed, Marker::Article, Marker::Enumerated]
            .iter()
            .find_map(|m| self.first.get(&(*m, n)).copied())?;
        let next = self.starts.partition_point(|&s| s <= start);
        Some(start..self.starts.get(next).copied().unwrap_or(self.len))
    }

    /// The instrument's clauses in text order: the lines of its finest numbering (`（N）`
    /// if it has any, else `第N条`, else `N、`), each with its number and its heading as
    /// written (`(五)`).
    pub fn clauses<'t>(&self, text: &'t str) -> Vec<(u32, &'t str)> {
        let finest = [Marker::Bracketed, Marker::Article, Marker::Enumerated]
            .into_iter()
            .find(|m| self.first.keys().any(|(k, _)| k == m));
        let Some(finest) = finest else { return Vec::new() };
        let mut found: Vec<(u32, &str)> = Vec::new();
        for &start in &self.starts {
            let line = text[start..].lines().next().unwrap_or("");
            if let Some((m, n)) = line_marker(line) {
                if m == finest && self.first.get(&(m, n)) == Some(&start) {
                    found.push((n, marker_text(line.trim_start(), m)));
                }
            }
        }
        found
    }

    /// How many numbered parts the text has (for messages).
    pub fn numbered(&self) -> usize {
        self.starts.len()
    }
}

/// The marker a line opens with, if any (leading whitespace ignored).
fn line_marker(line: &str) -> Option<(Marker, u32)> {
    let head: String = line.trim_start().chars().take(16).map(fold_width).collect();
    if let Some(rest) = head.strip_prefix('(') {
        let (n, rest) = leading_number(rest)?;
        return rest.starts_with(')').then_some((Marker::Bracketed, n));
    }
    if let Some(rest) = head.strip_prefix('第') {
        let (n, rest) = leading_number(rest)?;
        return rest.starts_with('条').then_some((Marker::Article, n));
    }
    let (n, rest) = leading_number(&head)?;
    (rest.starts_with('、') || rest.starts_with('.')).then_some((Marker::Enumerated, n))
}

/// The clause numbers a text names right after a source's name: `第（五）（六）项` → 5, 6;
/// `（二）` → 2; `第二十四条` → 24. Lets list rows that write their basis in words
/// (`杭州决定第（四）项`) count as citing the clause.
pub fn mentioned_numbers(after: &str) -> Vec<u32> {
    let folded: String = after.chars().take(64).map(fold_width).collect();
    let rest = folded.strip_prefix('第').unwrap_or(&folded);
    let mut found = Vec::new();
    let mut rest = rest;
    while let Some(inner) = rest.strip_prefix('(') {
        let Some((n, after)) = leading_number(inner) else { break };
        let Some(after) = after.strip_prefix(')') else { break };
        found.push(n);
        rest = after;
    }
    if found.is_empty() {
        if let Some((n, after)) = leading_number(rest) {
            if after.starts_with('条') {
                found.push(n);
            }
        }
    }
    found
}

/// The marker as the line writes it: `(五)`, `第五条`, `五、`.
fn marker_text(line: &str, marker: Marker) -> &str {
    let close: &[char] = match marker {
        Marker::Bracketed => &[')', '）'],
        Marker::Article => &['条'],
        Marker::Enumerated => &['、', '.', '．'],
    };
    line.find(close).map_or(line, |i| &line[..i + line[i..].chars().next().map_or(0, char::len_utf8)])
}

/// A number at the start of `s` (Arabic digits or Chinese numerals) and what follows it.
fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || CHINESE_DIGITS.contains(*c) || "十百千两".contains(*c)))
        .map_or(s.len(), |(i, _)| i);
    Some((number_value(&s[..end])?, &s[end..]))
}

const CHINESE_DIGITS: &str = "零一二三四五六七八九";

/// The value of a clause number written in Arabic digits or Chinese numerals (below
/// 10,000): `24`, `二十四`, `十`, `一百零五`.
pub fn number_value(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok().filter(|n| *n < 10_000);
    }
    let (mut total, mut digit) = (0u32, None::<u32>);
    for c in s.chars() {
        if let Some(d) = CHINESE_DIGITS.chars().position(|x| x == c) {
            digit = Some(d as u32);
        } else if c == '两' {
            digit = Some(2);
        } else {
            let unit = match c {
                '十' => 10,
                '百' => 100,
                '千' => 1000,
                _ => return None,
            };
            total += digit.take().unwrap_or(1) * unit;
        }
    }
    Some(total + digit.unwrap_or(0))
}

/// Full-width forms as their half-width twins (`（` → `(`, `，` → `,`, `２` → `2`).
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A text with whitespace dropped and widths folded, with the byte offset in the original
/// of each character kept, so that a place found here can be shown there.
#[derive(Debug)]
struct Folded {
    chars: String,
    origin: Vec<usize>,
}

impl Folded {
    fn new(text: &str, base: usize) -> Folded {
        let mut folded = Folded { chars: String::new(), origin: Vec::new() };
        for (i, c) in text.char_indices() {
            if !c.is_whitespace() {
                let f = fold_width(c);
                for _ in 0..f.len_utf8() {
                    folded.origin.push(base + i);
                }
                folded.chars.push(f);
            }
        }
        folded.origin.push(base + text.len());
        folded
    }
}

/// Where a quotation leaves its clause's text.
#[derive(Debug, PartialEq)]
pub struct Mismatch {
    /// The piece of the quotation (between omissions) that is not in the text.
    pub piece: String,
    /// The passage of the text closest to it (original spelling) and its byte range.
    pub nearest: String,
    pub nearest_range: Range<usize>,
    /// Where they part (whitespace dropped, widths folded): the last words they share,
    /// and what each says next.
    pub agreed: String,
    pub quote_then: String,
    pub text_then: String,
}

/// Checks that `quote` (with `……` for omissions) lies within `text[range]`.
pub fn check_quotation(text: &str, range: Range<usize>, quote: &str) -> Result<(), Mismatch> {
    quotation_in(text, &Folded::new(&text[range.clone()], range.start), quote)
}

fn quotation_in(text: &str, clause: &Folded, quote: &str) -> Result<(), Mismatch> {
    let mut cursor = 0;
    for piece in quote.split('…').filter(|p| !p.trim().is_empty()) {
        let folded = Folded::new(piece, 0).chars;
        match clause.chars[cursor..].find(&folded) {
            Some(at) => cursor += at + folded.len(),
            None => return Err(nearest(text, clause, cursor, piece, &folded)),
        }
    }
    Ok(())
}

/// The passage after `cursor` that shares the longest beginning with the missing piece,
/// as long as the piece (a binary search on the length of the beginning found).
fn nearest(text: &str, clause: &Folded, cursor: usize, piece: &str, folded: &str) -> Mismatch {
    let hay = &clause.chars[cursor..];
    let bounds: Vec<usize> = folded.char_indices().map(|(i, _)| i).skip(1).chain([folded.len()]).collect();
    let (mut lo, mut hi, mut at) = (0usize, bounds.len(), None);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        match hay.find(&folded[..bounds[mid - 1]]) {
            Some(i) => {
                lo = mid;
                at = Some(i);
            }
            None => hi = mid - 1,
        }
    }
    let start = cursor + at.unwrap_or(0);
    let want = folded.chars().count() + 4;
    let end = clause.chars[start..].char_indices().nth(want).map_or(clause.chars.len(), |(i, _)| start + i);
    let from = clause.origin[start.min(clause.origin.len() - 1)];
    let to = clause.origin[end.min(clause.origin.len() - 1)];
    let common = if lo == 0 { 0 } else { bounds[lo - 1] };
    Mismatch {
        piece: piece.trim().to_string(),
        nearest: text[from..to].to_string(),
        nearest_range: from..to,
        agreed: last_chars(&folded[..common], 12),
        quote_then: first_chars(&folded[common..], 12),
        text_then: first_chars(&clause.chars[start + common..], 12),
    }
}

fn first_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn last_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

/// Checks every clause of every source that names a full text, fills in the words of
/// those that give none, and reports what does not match.
pub fn verify(
    modules: &[&Module],
    texts: &SourceTexts,
    map: &SourceMap,
    env: &mut Env,
    diags: &mut Vec<Diagnostic>,
) {
    let mut indexes: HashMap<FileId, TextIndex> = HashMap::new();
    for (m, module) in modules.iter().enumerate() {
        for (i, decl) in module.decls.iter().enumerate() {
            let Decl::Source(source) = decl else { continue };
            let Some(info) = env.sources.iter_mut().find(|s| s.module == m && s.name == source.name.name)
            else {
                continue;
            };
            match texts.get(&(m, i)) {
                Some(&file) => {
                    info.text_file = Some(file);
                    let text = &map.get(file).text;
                    let index = indexes.entry(file).or_insert_with(|| TextIndex::new(text));
                    let mut seen: HashMap<usize, &ClauseDecl> = HashMap::new();
                    for (decl, info) in source.clauses.iter().zip(&mut info.clauses) {
                        check_clause(source, decl, info, (file, text, index), &mut seen, diags);
                    }
                }
                None if source.full_text.is_none() => {
                    for decl in source.clauses.iter().filter(|c| c.text.is_none()) {
                        diags.push(no_words(decl));
                    }
                }
                None => {} // the text could not be read: reported when it was loaded
            }
        }
    }
}

fn check_clause<'a>(
    source: &SourceDecl,
    decl: &'a ClauseDecl,
    info: &mut ClauseInfo,
    (file, text, index): (FileId, &str, &mut TextIndex),
    seen: &mut HashMap<usize, &'a ClauseDecl>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(range) = index.clause(&decl.id.name) else {
        diags.push(not_found(source, decl, index.numbered()));
        return;
    };
    // `五` and `5` are one clause: the second is a duplicate, and checking it again would
    // let one clause of a long text be copied and matched once per spelling.
    if let Some(first) = seen.insert(range.start, decl) {
        seen.insert(range.start, first);
        diags.push(same_clause(decl, first));
        return;
    }
    match (&decl.text, decl.kind) {
        (None, ClauseKind::Summary) => diags.push(no_words(decl)),
        (None, _) => {
            info.text = clause_words(&text[range]);
            info.from_text = true;
        }
        (Some(quote), ClauseKind::Quotation | ClauseKind::Unverified) => {
            let folded = index
                .folded
                .entry(range.start)
                .or_insert_with(|| Folded::new(&text[range.clone()], range.start));
            if let Err(m) = quotation_in(text, folded, &quote.value) {
                diags.push(mismatch(decl, quote.span, file, &m));
            }
        }
        (Some(_), ClauseKind::Summary) => {}
    }
}

/// Words taken from the text: the clause trimmed, and cut at `MAX_WORDS` characters so that
/// explanations and compiled modules stay small whatever the text holds.
fn clause_words(words: &str) -> String {
    const MAX_WORDS: usize = 4_000;
    let words = words.trim();
    match words.char_indices().nth(MAX_WORDS) {
        Some((cut, _)) => format!("{}……", &words[..cut]),
        None => words.to_string(),
    }
}

fn same_clause(decl: &ClauseDecl, first: &ClauseDecl) -> Diagnostic {
    let (id, other) = (&decl.id.name, &first.id.name);
    Diagnostic::new(
        Code::E0114,
        decl.id.span,
        msg(
            format!("条款 `{id}` 与条款 `{other}` 在全文中是同一条"),
            format!("clause `{id}` is the same clause of the full text as `{other}`"),
        ),
    )
    .secondary(first.id.span, msg("第一次声明在这里", "first declared here"))
    .help(msg("每一条只声明一次", "declare each clause once"))
}

fn not_found(source: &SourceDecl, decl: &ClauseDecl, numbered: usize) -> Diagnostic {
    let id = &decl.id.name;
    let path = source.full_text.as_ref().map_or("", |t| t.value.as_str());
    Diagnostic::new(
        Code::E0130,
        decl.id.span,
        msg(
            format!("在全文 `{path}` 中找不到条款 `{id}`"),
            format!("clause `{id}` is not found in the full text `{path}`"),
        ),
    )
    .help(msg(
        format!(
            "条款编号写全文中的序号（`五` 找 `（五）`、`第五条`、`五、`，`24` 找 `第二十四条`），该序号须在行首；全文共有 {numbered} 处行首编号"
        ),
        format!(
            "write the number the text gives the clause (`五` finds `（五）`, `第五条`, `五、`; `24` finds `第二十四条`) at the start of a line; the text has {numbered} numbered lines"
        ),
    ))
}

fn mismatch(decl: &ClauseDecl, span: Span, file: FileId, m: &Mismatch) -> Diagnostic {
    let id = &decl.id.name;
    let nearest = short(&m.nearest);
    let at = Span::new(file, m.nearest_range.start, m.nearest_range.end);
    let (agreed, quote, said) = (&m.agreed, &m.quote_then, &m.text_then);
    let message = if agreed.is_empty() {
        let piece = short(&m.piece);
        msg(
            format!("条款 `{id}` 的引文与全文不符：条款中找不到“{piece}”"),
            format!("the quotation of clause `{id}` is not in the full text: the clause has no “{piece}”"),
        )
    } else {
        msg(
            format!("条款 `{id}` 的引文与全文不符：与原文一致到“…{agreed}”，其后引文是“{quote}…”，原文是“{said}…”"),
            format!("the quotation of clause `{id}` is not in the full text: it agrees up to “…{agreed}”, then the quotation says “{quote}…” where the text says “{said}…”"),
        )
    };
    Diagnostic::new(Code::E0131, span, message)
    .secondary(at, msg(format!("最接近的原文：“{nearest}”"), format!("the closest passage: “{nearest}”")))
    .help(msg(
        "照原文改正引文（空白和全角半角不计；省略处写 `……`），或删去引文、从全文取；若是概括，写 `摘要`",
        "correct the quotation to the text's words (whitespace and full/half-width forms do not count; write `……` where words are left out), or drop it to take the text's words; if it is a summary, write `summary`",
    ))
}

fn no_words(decl: &ClauseDecl) -> Diagnostic {
    let id = &decl.id.name;
    Diagnostic::new(
        Code::E0132,
        decl.span,
        msg(format!("条款 `{id}` 没有文字"), format!("clause `{id}` has no words")),
    )
    .help(msg(
        "写出条款的引文或摘要；只有来源写了 `全文 \"…\"` 时才可省略引文（从全文取）",
        "give the clause's quotation or summary; the words may be left out only when the source names its `full text \"…\"` (they are taken from it)",
    ))
}

/// A long passage shortened for a one-line message.
fn short(s: &str) -> String {
    const MAX: usize = 60;
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= MAX {
        s
    } else {
        format!("{}……", s.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "一、坚持党建引领,\n\n(一)打造格局。把党的领导贯穿全过程。\n\n（二）加强“小脑+手脚”建设。迭代升级。\n二、强化自治\n第二十四条 省、自治区可以决定。\n";

    #[test]
    fn numbers_are_read_in_both_scripts() {
        for (s, n) in [
            ("五", 5),
            ("十", 10),
            ("十五", 15),
            ("二十一", 21),
            ("一百零五", 105),
            ("24", 24),
            ("两百", 200),
        ] {
            assert_eq!(number_value(s), Some(n), "{s}");
        }
        for s in ["", "准入范围", "五a", "12345"] {
            assert_eq!(number_value(s), None, "{s}");
        }
    }

    #[test]
    fn a_clause_runs_from_its_number_to_the_next_numbered_line() {
        let index = TextIndex::new(TEXT);
        let one = index.clause("一").expect("（一）");
        assert_eq!(TEXT[one].trim(), "(一)打造格局。把党的领导贯穿全过程。");
        let two = index.clause("2").expect("（二）");
        assert!(TEXT[two].starts_with("（二）加强"));
        let art = index.clause("24").expect("第二十四条");
        assert!(TEXT[art].starts_with("第二十四条"));
        assert_eq!(index.clause("三"), None);
        assert_eq!(index.numbered(), 5);
        assert_eq!(index.clauses(TEXT), vec![(1, "(一)"), (2, "（二）")]);
    }

    #[test]
    fn words_taken_from_a_text_are_capped() {
        assert_eq!(clause_words("  (一)短。\n"), "(一)短。");
        let long = "字".repeat(10_000);
        let words = clause_words(&long);
        assert_eq!(words.chars().count(), 4_000 + 2);
        assert!(words.ends_with("……"));
    }

    #[test]
    fn rows_name_clauses_after_the_source_name() {
        assert_eq!(mentioned_numbers("第（五）（六）项；舟山条例"), vec![5, 6]);
        assert_eq!(mentioned_numbers("(二)"), vec![2]);
        assert_eq!(mentioned_numbers("第二十四条第一款"), vec![24]);
        assert_eq!(mentioned_numbers("的规定"), Vec::<u32>::new());
        assert_eq!(mentioned_numbers("第五项"), Vec::<u32>::new());
    }

    #[test]
    fn quotations_match_modulo_whitespace_width_and_omissions() {
        let index = TextIndex::new(TEXT);
        let two = index.clause("二").expect("（二）");
        assert_eq!(check_quotation(TEXT, two.clone(), "（二）加强“小脑+手脚”建设。"), Ok(()));
        assert_eq!(check_quotation(TEXT, two.clone(), "加强 “小脑＋手脚” 建设"), Ok(()));
        assert_eq!(check_quotation(TEXT, two.clone(), "加强……迭代升级"), Ok(()));
        // Omitted pieces keep their order.
        assert!(check_quotation(TEXT, two.clone(), "迭代升级……加强").is_err());
        let m = check_quotation(TEXT, two, "加强“小脑+手脚”改革").expect_err("paraphrase");
        assert_eq!(m.piece, "加强“小脑+手脚”改革");
        assert!(m.nearest.starts_with("加强“小脑+手脚”建设"), "{}", m.nearest);
        assert_eq!(
            (m.agreed.as_str(), m.quote_then.as_str(), m.text_then.as_str()),
            ("加强“小脑+手脚”", "改革", "建设。迭代升级。")
        );
    }

    #[test]
    fn a_quotation_is_looked_for_within_its_own_clause_only() {
        let index = TextIndex::new(TEXT);
        let one = index.clause("一").expect("（一）");
        assert!(check_quotation(TEXT, one, "迭代升级").is_err());
    }
}
