//! The formatter: AST + comments → canonical text. Its output parses back to the same
//! tree (modulo spans) and formatting it again changes nothing.
//!
//! Layout rules:
//! - Two spaces per level; no line is ever broken inside an expression.
//! - Keywords, and the primitive type names, in one language (the file's, or the one asked
//!   for); ASCII punctuation and ASCII-quoted strings.
//! - Top level: the `policy` line, then a blank line before every declaration, except
//!   between consecutive one-line declarations of the same kind (`use`, `let`, one-line
//!   `enum`, `decision`, `list … from`), which keep a blank line only where the source
//!   had one.
//! - Inside a block, a blank line the source had between two of its lines is kept (at
//!   most one), never right after `{` or before `}`.
//! - `enum X { A, B }` on one line when no variant has fields, it fits in [`WIDTH`]
//!   columns and no comment follows its name inside the braces; otherwise one variant per
//!   line. Records, inputs, sources, lists, rules (`when`/`then`/`unless`), checks (scope,
//!   then modality) and tests put one member per line; an empty block is `head {}`. A
//!   list's items are the rows of a table, one per line with columns aligned (see
//!   [`table`]); an item that cannot be a row is one line under the same two conditions
//!   as an enum, else one field per line. A `given` always puts one field per line. Decisions, `let`, `use` and outcomes (even with
//!   fields) are one line.
//! - Comments: see [`comments`].

mod comments;
mod expr;
mod table;
#[cfg(test)]
mod tests;

use unicode_width::UnicodeWidthStr;

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, Lang, Span};
use crate::syntax::ast::*;
use crate::syntax::keywords::Kw;
use crate::syntax::{self, Comment};
use expr::{path, string_lit, Words};

/// The widest line (in terminal columns, a Chinese character counting two) that a
/// one-line `enum` or list `item` may take.
pub const WIDTH: usize = 100;

/// Formats a module in its own keyword language.
pub fn format(module: &Module, comments: &[Comment], source: &str) -> String {
    format_with(module, comments, source, module.lang)
}

/// Formats a module with the keywords (and primitive type names) of `lang`.
/// `comments` and `source` are those the module was parsed from.
pub fn format_with(module: &Module, comments: &[Comment], source: &str, lang: Lang) -> String {
    let mut comment_starts: Vec<u32> = comments.iter().map(|c| c.span.start).collect();
    comment_starts.sort_unstable();
    let mut layout = Layout { w: Words { lang }, comment_starts, lines: Vec::new() };
    layout.module(module);
    comments::weave(&layout.lines, comments, source)
}

/// Parses and formats one file's text. Any error stops formatting, since the parser puts
/// placeholders (such as `0` for an out-of-range number) where the text was wrong.
pub fn format_text(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = syntax::parse(text, FileId(0));
    let failed = parsed.diagnostics.iter().any(|d| d.code.severity() == Severity::Error);
    match parsed.module {
        Some(module) if !failed => Ok(format(&module, &parsed.comments, text)),
        _ => Err(parsed.diagnostics),
    }
}

/// One output line, before comments are woven in.
struct Line {
    indent: usize,
    text: String,
    /// The source bytes this line stands for: comments there are placed with this line.
    /// Lines are in source order and their ranges do not overlap.
    range: (u32, u32),
    /// The indentation of comments placed before this line: a closing brace's comments
    /// belong to the members above it.
    comment_indent: usize,
    blank: Blank,
}

/// Whether a blank line precedes a line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Blank {
    No,
    Always,
    IfSourceHadOne,
}

struct Layout {
    w: Words,
    /// Where each comment starts, in order.
    comment_starts: Vec<u32>,
    lines: Vec<Line>,
}

fn range(span: Span) -> (u32, u32) {
    (span.start, span.end)
}

fn fits(indent: usize, text: &str) -> bool {
    indent * 2 + text.width() <= WIDTH
}

impl Layout {
    fn kw(&self, k: Kw) -> &'static str {
        self.w.kw(k)
    }

    fn emit(&mut self, indent: usize, text: String, range: (u32, u32)) {
        let after_open = self.lines.last().is_some_and(|l| l.text.ends_with('{'));
        let blank = if after_open { Blank::No } else { Blank::IfSourceHadOne };
        self.lines.push(Line { indent, text, range, comment_indent: indent, blank });
    }

    /// The `}` that ends the block spanning `span`.
    fn close(&mut self, indent: usize, span: Span) {
        self.lines.push(Line {
            indent,
            text: "}".to_string(),
            range: (span.end.saturating_sub(1), span.end),
            comment_indent: indent + 1,
            blank: Blank::No,
        });
    }

    /// `head {}` when there are no members, else `head {`, the members, `}`.
    fn block<T>(
        &mut self,
        indent: usize,
        head: String,
        (span, head_end): (Span, u32),
        members: &[T],
        mut member: impl FnMut(&mut Self, &T),
    ) {
        if members.is_empty() {
            self.emit(indent, format!("{head} {{}}"), range(span));
            return;
        }
        self.emit(indent, format!("{head} {{"), (span.start, head_end));
        for m in members {
            member(self, m);
        }
        self.close(indent, span);
    }

    /// Whether a comment lies between the end of a block's head and the end of the block.
    /// Such a block is not joined onto one line, so that the comment can stay next to its
    /// member; comments before `head_end` move out of the block either way, so they must
    /// not decide, or a second formatting would join what the first one broke.
    fn has_comment_in_body(&self, head_end: u32, span: Span) -> bool {
        let first = self.comment_starts.partition_point(|&c| c < head_end);
        self.comment_starts.get(first).is_some_and(|&c| c < span.end)
    }

    fn module(&mut self, m: &Module) {
        let mut head = format!("{} {}", self.kw(Kw::Policy), m.name.name);
        let mut head_end = m.name.span.end;
        if let Some(p) = &m.as_of {
            let end = if self.w.lang == Lang::Zh { " 为准" } else { "" };
            head.push_str(&format!(" {} {}{end}", self.kw(Kw::AsOf), expr::path(p)));
            head_end = p.span.end;
        }
        let start = m.span.start.min(m.name.span.start);
        self.emit(0, head, (start, head_end));
        let mut prev: Option<(std::mem::Discriminant<Decl>, bool)> = None;
        for d in &m.decls {
            let first = self.lines.len();
            self.decl(d);
            let kind = std::mem::discriminant(d);
            let one_line = self.lines.len() == first + 1;
            self.lines[first].blank = match prev {
                Some((k, true)) if k == kind && one_line => Blank::IfSourceHadOne,
                _ => Blank::Always,
            };
            prev = Some((kind, one_line));
        }
    }

    fn decl(&mut self, d: &Decl) {
        match d {
            Decl::Use(name) => {
                let text = format!("{} {}", self.kw(Kw::Use), name.name);
                self.emit(0, text, range(name.span));
            }
            Decl::Source(s) => self.source(s),
            Decl::Enum(e) => self.enumeration(e),
            Decl::Record(r) => self.record(Kw::Record, r),
            Decl::Input(r) => self.record(Kw::Input, r),
            Decl::List(l) => self.list(l),
            Decl::Let(l) => {
                let ty = l.ty.as_ref().map_or(String::new(), |t| format!(": {}", self.w.ty(t)));
                let value = self.w.expr(&l.value);
                let versions = self.in_force(&l.in_force);
                let text = format!("{} {}{versions}{ty} = {value}", self.kw(Kw::Let), l.name.name);
                self.emit(0, text, range(l.span));
            }
            Decl::Rule(r) => self.rule(r),
            Decl::Decision(d) => self.decision(d),
            Decl::Check(c) => self.check(c),
            Decl::Test(t) => self.test(t),
        }
    }

    fn source(&mut self, s: &SourceDecl) {
        let mut head = format!("{} {} {}", self.kw(Kw::Source), s.name.name, string_lit(&s.title.value));
        let mut head_end = s.title.span.end;
        if let Some((date, span)) = &s.date {
            head.push_str(&format!(" ({date})"));
            head_end = span.end;
        }
        if let Some(path) = &s.full_text {
            head.push_str(&format!(" {} {}", self.kw(Kw::FullText), string_lit(&path.value)));
            head_end = path.span.end;
        }
        self.block(0, head, (s.span, head_end), &s.clauses, |l, c| {
            let line = l.clause(c);
            l.emit(1, line, range(c.span));
        });
    }

    fn clause(&self, c: &ClauseDecl) -> String {
        let mut line = format!("{} {}", self.kw(Kw::Clause), c.id.name);
        match c.kind {
            ClauseKind::Quotation => {}
            ClauseKind::Summary => line.push_str(&format!(" {}", self.kw(Kw::Summary))),
            ClauseKind::Unverified => line.push_str(&format!(" {}", self.kw(Kw::Unverified))),
        }
        if let Some(text) = &c.text {
            line.push_str(&format!(" {}", string_lit(&text.value)));
        }
        if let Some(why) = &c.out_of_scope {
            line.push_str(&format!(" {} {}", self.kw(Kw::OutOfScope), string_lit(&why.value)));
        }
        line
    }

    fn fields_decl(&self, fields: &[FieldDecl]) -> String {
        let parts: Vec<String> =
            fields.iter().map(|f| format!("{}: {}", f.name.name, self.w.ty(&f.ty))).collect();
        format!("{{ {} }}", parts.join(", "))
    }

    fn enumeration(&mut self, e: &EnumDecl) {
        let head = format!("{} {}", self.kw(Kw::Enum), e.name.name);
        let names: Vec<&str> = e.variants.iter().map(|v| v.name.name.as_str()).collect();
        let one_line = if names.is_empty() {
            format!("{head} {{}}")
        } else {
            format!("{head} {{ {} }}", names.join(", "))
        };
        let plain = e.variants.iter().all(|v| v.fields.is_empty());
        if plain && fits(0, &one_line) && !self.has_comment_in_body(e.name.span.end, e.span) {
            self.emit(0, one_line, range(e.span));
            return;
        }
        self.block(0, head, (e.span, e.name.span.end), &e.variants, |l, v| {
            let mut text = v.name.name.clone();
            if !v.fields.is_empty() {
                text.push(' ');
                text.push_str(&l.fields_decl(&v.fields));
            }
            l.emit(1, text, range(v.span));
        });
    }

    fn record(&mut self, kw: Kw, r: &RecordDecl) {
        let head = format!("{} {}", self.kw(kw), r.name.name);
        self.block(0, head, (r.span, r.name.span.end), &r.fields, |l, f| {
            let text = format!("{}: {}", f.name.name, l.w.ty(&f.ty));
            l.emit(1, text, range(f.span));
        });
    }

    fn list(&mut self, l: &ListDecl) {
        let head = format!(
            "{} {}: {} {} {}",
            self.kw(Kw::List),
            l.name.name,
            l.row_type.name,
            self.kw(Kw::Key),
            l.key.name
        );
        match &l.body {
            ListBody::From(file) => {
                let text = format!("{head} {} {}", self.kw(Kw::From), string_lit(&file.value));
                self.emit(0, text, range(l.span));
            }
            ListBody::Items(items) => {
                let heads = items.iter().map(|i| self.item_head(i)).collect();
                let eligible = |i: &Item| !self.has_comment_in_body(item_head_end(i), i.span);
                let rows = table::rows(items, heads, self.w, eligible, WIDTH - 2);
                let rows: Vec<(&Item, Option<String>)> = items.iter().zip(rows).collect();
                self.block(0, head, (l.span, l.key.span.end), &rows, |l, (item, row)| match row {
                    Some(text) => l.emit(1, text.clone(), range(item.span)),
                    None => l.item(item),
                });
            }
        }
    }

    /// `item KEY`.
    fn item_head(&self, i: &Item) -> String {
        let key = match &i.key.value {
            KeyValue::Int(n) => n.to_string(),
            KeyValue::Text(t) if i.key.bare => t.clone(),
            KeyValue::Text(t) => string_lit(t),
        };
        format!("{} {key}{}", self.kw(Kw::Item), self.in_force(&i.in_force))
    }

    /// An item laid out on its own: one line when it fits and no comment is inside its
    /// braces, else one field per line.
    fn item(&mut self, i: &Item) {
        let head = self.item_head(i);
        let one_line = format!("{head} {}", self.w.record(&i.fields));
        if fits(1, &one_line) && !self.has_comment_in_body(item_head_end(i), i.span) {
            self.emit(1, one_line, range(i.span));
            return;
        }
        self.block(1, head, (i.span, item_head_end(i)), &i.fields, |l, f| {
            let text = l.w.field(f);
            l.emit(2, text, range(f.span));
        });
    }

    /// A version's range as written after a name (with its leading space), or nothing.
    fn in_force(&self, v: &Option<InForce>) -> String {
        let Some(v) = v else { return String::new() };
        let zh = self.w.lang == Lang::Zh;
        let mut out = String::new();
        if let Some(d) = v.from {
            out.push_str(&format!(" {} {d}{}", self.kw(Kw::Since), if zh { " 起" } else { "" }));
        }
        if let Some(d) = v.until {
            out.push_str(&format!(" {} {d}{}", self.kw(Kw::Until), if zh { " 止" } else { "" }));
        }
        out
    }

    fn rule(&mut self, r: &RuleDecl) {
        let mut head = match &r.kind {
            RuleKind::Rule { .. } => format!("{} {}", self.kw(Kw::Rule), r.name.name),
            RuleKind::Exception { target } => {
                format!("{} {} {} {}", self.kw(Kw::Exception), r.name.name, self.kw(Kw::To), target.name)
            }
        };
        let mut head_end = r.name.span.end;
        if let RuleKind::Exception { target } = &r.kind {
            head_end = target.span.end;
        }
        head.push_str(&self.in_force(&r.in_force));
        head_end = r.in_force.map_or(head_end, |v| v.span.end);
        match &r.kind {
            RuleKind::Rule { decision: Some(d), .. } => {
                head.push_str(&format!(" {} {}", self.kw(Kw::ForDecision), d.name));
                head_end = d.span.end;
            }
            RuleKind::Rule { decision: None } => {}
            RuleKind::Exception { .. } => {}
        }
        head.push_str(&self.w.cites(&r.cites));
        head_end = r.cites.last().map_or(head_end, |c| c.span.end.max(head_end));
        self.emit(0, format!("{head} {{"), (r.span.start, head_end));
        let when = format!("{} {}", self.kw(Kw::When), self.w.expr(&r.when));
        self.emit(1, when, range(r.when.span));
        if let Some(o) = &r.then {
            let then = format!("{} {}", self.kw(Kw::Then), self.w.outcome(o));
            self.emit(1, then, range(o.span));
        }
        for u in &r.unless {
            let unless = format!("{} {}", self.kw(Kw::Unless), self.w.expr(u));
            self.emit(1, unless, range(u.span));
        }
        self.close(0, r.span);
    }

    fn decision(&mut self, d: &DecisionDecl) {
        let combining = match &d.combining {
            Combining::Priority(order) => {
                let names: Vec<&str> = order.iter().map(|i| i.name.as_str()).collect();
                let merge =
                    if d.merge.is_some() { format!(" {}", self.kw(Kw::Merge)) } else { String::new() };
                format!("{} {}{merge}", self.kw(Kw::Priority), names.join(" > "))
            }
            Combining::First => self.kw(Kw::First).to_string(),
            Combining::Collect => self.kw(Kw::Collect).to_string(),
            Combining::Unique => self.kw(Kw::Unique).to_string(),
        };
        let end = match &d.end {
            DecisionEnd::Default(o, cites) => {
                format!(" {} {}{}", self.kw(Kw::Default), self.w.outcome(o), self.w.cites(cites))
            }
            DecisionEnd::Total(_) => format!(" {}", self.kw(Kw::Total)),
            DecisionEnd::Missing => String::new(),
        };
        let text = format!(
            "{} {}: {} {} {combining}{end}",
            self.kw(Kw::Decision),
            d.name.name,
            d.ty.name,
            self.kw(Kw::By)
        );
        self.emit(0, text, range(d.span));
    }

    fn check(&mut self, c: &CheckDecl) {
        let head = format!("{} {}{}", self.kw(Kw::Check), c.name.name, self.w.cites(&c.cites));
        let head_end = c.cites.last().map_or(c.name.span.end, |p| p.span.end);
        self.emit(0, format!("{head} {{"), (c.span.start, head_end));
        if let Some(s) = &c.scope {
            let mut text = format!(
                "{} {} {} {}",
                self.kw(Kw::ForEach),
                s.var.name,
                self.kw(Kw::In),
                self.w.expr(&s.over)
            );
            let mut end = s.over.span.end;
            if let Some(f) = &s.filter {
                text.push_str(&format!(" {} {}", self.kw(Kw::Where), self.w.expr(f)));
                end = f.span.end;
            }
            self.emit(1, text, (s.var.span.start, end));
        }
        self.emit(1, self.check_body(c), self.check_body_range(c));
        self.close(0, c.span);
    }

    fn check_body(&self, c: &CheckDecl) -> String {
        let modality = self.kw(match c.modality {
            Modality::Must => Kw::Must,
            Modality::May => Kw::May,
            Modality::MustNot => Kw::MustNot,
        });
        let mut body = self.w.expr(&c.body);
        // In English `must` + `not x` would read back as `must not` + `x`.
        let not = format!("{} ", self.kw(Kw::Not));
        let glued = format!("{modality} {}", self.kw(Kw::Not)) == self.kw(Kw::MustNot);
        if glued && body.starts_with(&not) {
            body = format!("({body})");
        }
        let reason = c.reason.as_ref().map_or(String::new(), |r| format!(" {}", string_lit(&r.value)));
        format!("{modality} {body}{reason}")
    }

    fn check_body_range(&self, c: &CheckDecl) -> (u32, u32) {
        let end = c.reason.as_ref().map_or(c.body.span.end, |r| r.span.end);
        (c.body.span.start, end)
    }

    fn test(&mut self, t: &TestDecl) {
        let head = format!("{} {}", self.kw(Kw::Test), t.name.name);
        let parts: Vec<TestPart> =
            (t.givens.iter().map(TestPart::Given)).chain(t.expects.iter().map(TestPart::Expect)).collect();
        self.block(0, head, (t.span, t.name.span.end), &parts, |l, p| match p {
            TestPart::Given(g) => l.given(g),
            TestPart::Expect(e) => l.expect(e),
        });
    }

    fn given(&mut self, g: &Given) {
        let head = format!("{} {}", self.kw(Kw::Given), g.input.name);
        self.block(1, head, (g.span, g.input.span.end), &g.fields, |l, f| {
            let text = l.w.field(f);
            l.emit(2, text, range(f.span));
        });
    }

    fn expect(&mut self, e: &Expect) {
        let mut text = format!("{} {} = {}", self.kw(Kw::Expect), e.decision.name, path(&e.outcome));
        if let Some(fires) = &e.fires {
            let names: Vec<&str> = fires.iter().map(|i| i.name.as_str()).collect();
            text.push_str(&format!(" {} [{}]", self.kw(Kw::Fires), names.join(", ")));
        }
        self.emit(1, text, range(e.span));
    }
}

enum TestPart<'a> {
    Given(&'a Given),
    Expect(&'a Expect),
}

/// Where an item's head (`条目 KEY`, and its range if it has one) ends and its braces begin.
fn item_head_end(i: &Item) -> u32 {
    i.in_force.map_or(i.key.span.end, |v| v.span.end)
}
