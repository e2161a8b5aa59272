//! Text → AST: runs the pest grammar and builds the tree, turning pest's errors into
//! diagnostics that name what was expected in the file's own language.

use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::*;
use super::fullwidth;
use super::keywords::Kw;
use crate::diag::{msg, Code, Diagnostic};
use crate::source::{FileId, Lang, Span};
use crate::value::{Date, Decimal};

use super::errors::syntax_errors;

mod expr;
pub use super::errors::{header_is_chinese, policy_name};

#[derive(pest_derive::Parser)]
#[grammar = "syntax/grammar.pest"]
pub struct QdParser;

/// The deepest expression tree accepted (chains such as `a + a + … + a` count too).
pub const MAX_EXPR_DEPTH: u32 = 256;

/// The deepest `set of set of …` accepted.
pub const MAX_SET_DEPTH: u32 = 8;

/// The diagnostic has been recorded; building the rest of the file is pointless.
pub struct Stop;

type Built<T> = Result<T, Stop>;

/// Parses one file. On a syntax error there is no tree, only the diagnostic.
pub fn parse_text(text: &str, file: FileId) -> (Option<Module>, Vec<Diagnostic>) {
    match QdParser::parse(Rule::file, text) {
        Err(e) => (None, syntax_errors(e, text, file)),
        Ok(mut pairs) => {
            let mut b = Builder { file, diags: Vec::new(), en: 0, zh: 0 };
            let root = pairs.next().expect("the file rule always yields one pair");
            let module = b.file(root).ok();
            (module, b.diags)
        }
    }
}

struct Builder {
    file: FileId,
    diags: Vec<Diagnostic>,
    en: u32,
    zh: u32,
}

/// The meaningful children of a pair: keywords are dropped (after being counted).
fn kids<'i>(b: &mut Builder, p: Pair<'i, Rule>) -> Vec<Pair<'i, Rule>> {
    p.into_inner()
        .filter(|c| {
            if Kw::from_rule(c.as_rule()).is_some() {
                if c.as_str().is_ascii() {
                    b.en += 1;
                } else {
                    b.zh += 1;
                }
                false
            } else {
                c.as_rule() != Rule::EOI
            }
        })
        .collect()
}

impl Builder {
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.file, s.start(), trimmed_end(&s))
    }

    /// The single meaningful child of a pair.
    fn only<'i>(&mut self, p: Pair<'i, Rule>) -> Pair<'i, Rule> {
        kids(self, p).swap_remove(0)
    }

    fn ident(&self, p: Pair<'_, Rule>) -> Ident {
        // A clause number typed in full-width digits (`条款 ３`) is the clause `3`.
        let numeric_clause = p.as_rule() == Rule::clause_id && p.as_str().chars().all(fullwidth::is_digit);
        let name = if numeric_clause { fullwidth::to_ascii(p.as_str()) } else { p.as_str().to_string() };
        Ident { name, span: self.span(&p) }
    }

    fn file(&mut self, p: Pair<'_, Rule>) -> Built<Module> {
        let span = self.span(&p);
        let mut it = kids(self, p).into_iter();
        let header = it.next().expect("grammar: policy header");
        let mut head = kids(self, header).into_iter();
        let name = self.ident(head.next().expect("grammar: policy name"));
        let as_of = head.next().map(|a| {
            let p = self.only(a);
            self.path(p)
        });
        let decls = it.map(|d| self.decl(d)).collect::<Built<Vec<_>>>()?;
        let lang = if self.zh > self.en { Lang::Zh } else { Lang::En };
        Ok(Module { name, lang, as_of, decls, span })
    }

    fn decl(&mut self, p: Pair<'_, Rule>) -> Built<Decl> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let k = kids(self, p);
        Ok(match rule {
            Rule::use_decl => Decl::Use(self.ident(k[0].clone())),
            Rule::source_decl => Decl::Source(self.source(k, span)),
            Rule::enum_decl => {
                let mut it = k.into_iter();
                let name = self.ident(it.next().expect("grammar: enum name"));
                let variants = it.map(|v| self.variant(v)).collect();
                Decl::Enum(EnumDecl { name, variants, span })
            }
            Rule::record_decl | Rule::input_decl => {
                let mut it = k.into_iter();
                let name = self.ident(it.next().expect("grammar: record name"));
                let fields = self.field_list(it.next().expect("grammar: field list"));
                let record = RecordDecl { name, fields, span };
                if rule == Rule::record_decl {
                    Decl::Record(record)
                } else {
                    Decl::Input(record)
                }
            }
            Rule::list_decl => Decl::List(self.list(k, span)?),
            Rule::let_decl => {
                let mut it = k.into_iter().peekable();
                let name = self.ident(it.next().expect("grammar: let name"));
                let in_force = self.in_force_next(&mut it);
                let ty = match it.peek().map(|p| p.as_rule()) {
                    Some(Rule::type_expr) => it.next().map(|t| self.type_expr(t)),
                    _ => None,
                };
                let value = self.expr(it.next().expect("grammar: let value"))?;
                Decl::Let(LetDecl { name, in_force, ty, value, span })
            }
            Rule::rule_decl | Rule::exception_decl => Decl::Rule(self.rule(rule, k, span)?),
            Rule::decision_decl => Decl::Decision(self.decision(k, span)?),
            Rule::check_decl => Decl::Check(self.check(k, span)?),
            Rule::test_decl => Decl::Test(self.test(k, span)?),
            other => unreachable!("grammar: unexpected declaration {other:?}"),
        })
    }

    fn source(&mut self, k: Vec<Pair<'_, Rule>>, span: Span) -> SourceDecl {
        let mut it = k.into_iter();
        let name = self.ident(it.next().expect("grammar: source name"));
        let title = self.string(it.next().expect("grammar: source title"));
        let mut date = None;
        let mut full_text = None;
        let mut clauses = Vec::new();
        for p in it {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::source_date => {
                    let d = p.into_inner().next().expect("grammar: date");
                    date = Some((self.date(&d), pspan));
                }
                Rule::source_text => {
                    let s = kids(self, p).into_iter().next().expect("grammar: full text path");
                    full_text = Some(self.string(s));
                }
                _ => clauses.push(self.clause(p, pspan)),
            }
        }
        SourceDecl { name, title, date, full_text, clauses, span }
    }

    fn clause(&mut self, p: Pair<'_, Rule>, span: Span) -> ClauseDecl {
        let mut c = kids(self, p).into_iter();
        let id = self.ident(c.next().expect("grammar: clause id"));
        let (mut kind, mut text, mut out_of_scope) = (ClauseKind::Quotation, None, None);
        for part in c {
            match part.as_rule() {
                Rule::clause_kind => {
                    let k = part.into_inner().next().expect("grammar: clause kind");
                    kind = if k.as_rule() == Rule::summary {
                        ClauseKind::Summary
                    } else {
                        ClauseKind::Unverified
                    };
                    let _ = kids(self, k); // counts the keyword towards the file's language
                }
                Rule::out_of_scope => {
                    let s = kids(self, part).into_iter().next().expect("grammar: reason");
                    out_of_scope = Some(self.string(s));
                }
                _ => text = Some(self.string(part)),
            }
        }
        ClauseDecl { id, kind, text, out_of_scope, span }
    }

    fn variant(&mut self, p: Pair<'_, Rule>) -> Variant {
        let span = self.span(&p);
        let mut it = kids(self, p).into_iter();
        let name = self.ident(it.next().expect("grammar: variant name"));
        let fields = it.next().map(|f| self.field_list(f)).unwrap_or_default();
        Variant { name, fields, span }
    }

    fn field_list(&mut self, p: Pair<'_, Rule>) -> Vec<FieldDecl> {
        kids(self, p)
            .into_iter()
            .map(|f| {
                let span = self.span(&f);
                let mut it = kids(self, f).into_iter();
                let name = self.ident(it.next().expect("grammar: field name"));
                let ty = self.type_expr(it.next().expect("grammar: field type"));
                FieldDecl { name, ty, span }
            })
            .collect()
    }

    fn type_expr(&mut self, p: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&p);
        let mut set_depth = 0;
        let mut name = None;
        let mut optional = false;
        for c in kids(self, p) {
            match c.as_rule() {
                Rule::set_of => {
                    kids(self, c);
                    set_depth += 1;
                }
                Rule::optional_mark => optional = true,
                _ => name = Some(self.ident(c)),
            }
        }
        let name = name.expect("grammar: type name");
        if set_depth > MAX_SET_DEPTH {
            self.diags.push(
                Diagnostic::new(
                    Code::E0007,
                    span,
                    msg(
                        format!("`集合` 嵌套了 {set_depth} 层，最多 {MAX_SET_DEPTH} 层"),
                        format!("`set of` is nested {set_depth} deep, at most {MAX_SET_DEPTH} is allowed"),
                    ),
                )
                .help(msg("用记录类型组织多层数据", "use a record type to structure nested data")),
            );
            set_depth = MAX_SET_DEPTH;
        }
        TypeExpr { set_depth, name, optional, span }
    }

    fn list(&mut self, k: Vec<Pair<'_, Rule>>, span: Span) -> Built<ListDecl> {
        let mut it = k.into_iter();
        let name = self.ident(it.next().expect("grammar: list name"));
        let row_type = self.ident(it.next().expect("grammar: row type"));
        let key = self.ident(it.next().expect("grammar: key field"));
        let body = it.next().expect("grammar: list body");
        let body = match body.as_rule() {
            Rule::list_from => {
                let path = kids(self, body).remove(0);
                ListBody::From(self.string(path))
            }
            _ => {
                let items = kids(self, body).into_iter().map(|i| self.item(i));
                ListBody::Items(items.collect::<Built<_>>()?)
            }
        };
        Ok(ListDecl { name, row_type, key, body, span })
    }

    fn item(&mut self, p: Pair<'_, Rule>) -> Built<Item> {
        let span = self.span(&p);
        let mut it = kids(self, p).into_iter().peekable();
        let key_pair = it.next().expect("grammar: item key");
        let key_span = self.span(&key_pair);
        let inner = key_pair.into_inner().next().expect("grammar: key value");
        let (value, bare) = match inner.as_rule() {
            Rule::string => (KeyValue::Text(self.string(inner).value), false),
            Rule::int => (KeyValue::Int(self.int(&inner)), false),
            _ => (KeyValue::Text(inner.as_str().to_string()), true),
        };
        let in_force = self.in_force_next(&mut it);
        let fields = self.record_lit(it.next().expect("grammar: item fields"))?;
        Ok(Item { key: ItemKey { value, bare, span: key_span }, in_force, fields, span })
    }

    fn record_lit(&mut self, p: Pair<'_, Rule>) -> Built<Vec<FieldInit>> {
        kids(self, p)
            .into_iter()
            .map(|f| {
                let span = self.span(&f);
                let mut it = kids(self, f).into_iter();
                let name = self.ident(it.next().expect("grammar: field name"));
                let value = self.expr(it.next().expect("grammar: field value"))?;
                Ok(FieldInit { name, value, span })
            })
            .collect()
    }

    fn rule(&mut self, rule: Rule, k: Vec<Pair<'_, Rule>>, span: Span) -> Built<RuleDecl> {
        let mut it = k.into_iter().peekable();
        let name = self.ident(it.next().expect("grammar: rule name"));
        let mut kind = match rule {
            Rule::exception_decl => {
                RuleKind::Exception { target: self.ident(it.next().expect("grammar: target")) }
            }
            _ => RuleKind::Rule { decision: None },
        };
        let in_force = self.in_force_next(&mut it);
        let (mut cites, mut when, mut then, mut unless) = (Vec::new(), None, None, Vec::new());
        for p in it {
            match p.as_rule() {
                Rule::for_decision => {
                    kind = RuleKind::Rule {
                        decision: Some({
                            let c = self.only(p);
                            self.ident(c)
                        }),
                    }
                }
                Rule::cite_clause => cites = self.cites(p),
                Rule::when_clause => {
                    when = Some({
                        let c = self.only(p);
                        self.expr(c)
                    }?)
                }
                Rule::then_clause => {
                    then = Some({
                        let c = self.only(p);
                        self.outcome(c)
                    }?)
                }
                _ => unless.push({
                    let c = self.only(p);
                    self.expr(c)
                }?),
            }
        }
        let when = when.expect("grammar: when clause");
        Ok(RuleDecl { name, kind, in_force, cites, when, then, unless, span })
    }

    /// The version range that may follow a declaration's name, taken if it is next.
    fn in_force_next<'i>(
        &mut self,
        it: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
    ) -> Option<InForce> {
        let p = it.next_if(|p| p.as_rule() == Rule::in_force)?;
        let span = self.span(&p);
        let (mut from, mut until) = (None, None);
        for end in kids(self, p) {
            let is_since = end.as_rule() == Rule::since;
            let date = kids(self, end).into_iter().next().expect("grammar: a version's date");
            let date = Some(self.date(&date));
            if is_since {
                from = date;
            } else {
                until = date;
            }
        }
        Some(InForce { from, until, span })
    }

    fn cites(&mut self, p: Pair<'_, Rule>) -> Vec<Path> {
        kids(self, p)
            .into_iter()
            .map(|c| {
                let span = self.span(&c);
                let parts = kids(self, c).into_iter().map(|i| self.ident(i)).collect();
                Path { parts, span }
            })
            .collect()
    }

    fn path(&mut self, p: Pair<'_, Rule>) -> Path {
        let span = self.span(&p);
        Path { parts: kids(self, p).into_iter().map(|i| self.ident(i)).collect(), span }
    }

    fn outcome(&mut self, p: Pair<'_, Rule>) -> Built<Outcome> {
        let span = self.span(&p);
        let mut it = kids(self, p).into_iter();
        let variant = self.path(it.next().expect("grammar: outcome variant"));
        let (mut fields, mut reason) = (None, None);
        for c in it {
            match c.as_rule() {
                Rule::record_lit => fields = Some(self.record_lit(c)?),
                _ => reason = Some(self.string(c)),
            }
        }
        Ok(Outcome { variant, fields, reason, span })
    }

    fn decision(&mut self, k: Vec<Pair<'_, Rule>>, span: Span) -> Built<DecisionDecl> {
        let mut it = k.into_iter();
        let name = self.ident(it.next().expect("grammar: decision name"));
        let ty = self.ident(it.next().expect("grammar: decision type"));
        let comb = kids(self, it.next().expect("grammar: combining")).remove(0);
        let rule = comb.as_rule();
        let (marks, ranked): (Vec<_>, Vec<_>) =
            kids(self, comb).into_iter().partition(|p| p.as_rule() == Rule::merge);
        let merge = marks.into_iter().next().map(|m| {
            let s = self.span(&m);
            kids(self, m); // counts the keyword's language
            s
        });
        let combining = match rule {
            Rule::priority => Combining::Priority(ranked.into_iter().map(|i| self.ident(i)).collect()),
            Rule::first => Combining::First,
            Rule::collect => Combining::Collect,
            _ => Combining::Unique,
        };
        let end = match it.next() {
            None => DecisionEnd::Missing,
            Some(p) if p.as_rule() == Rule::total => {
                let s = self.span(&p);
                kids(self, p);
                DecisionEnd::Total(s)
            }
            Some(p) => {
                let mut parts = kids(self, p).into_iter();
                let outcome = self.outcome(parts.next().expect("grammar: default outcome"))?;
                let cites = parts.next().map(|c| self.cites(c)).unwrap_or_default();
                DecisionEnd::Default(outcome, cites)
            }
        };
        Ok(DecisionDecl { name, ty, combining, merge, end, span })
    }

    fn check(&mut self, k: Vec<Pair<'_, Rule>>, span: Span) -> Built<CheckDecl> {
        let mut it = k.into_iter();
        let name = self.ident(it.next().expect("grammar: check name"));
        let (mut cites, mut scope, mut modality, mut body, mut reason) =
            (Vec::new(), None, Modality::Must, None, None);
        for p in it {
            match p.as_rule() {
                Rule::cite_clause => cites = self.cites(p),
                Rule::check_scope => {
                    let mut s = kids(self, p).into_iter();
                    let var = self.ident(s.next().expect("grammar: scope variable"));
                    let over = self.expr(s.next().expect("grammar: scope list"))?;
                    let filter = s.next().map(|f| self.expr(f)).transpose()?;
                    scope = Some(CheckScope { var, over, filter });
                }
                Rule::modality => {
                    let m = p.into_inner().next().expect("grammar: modality");
                    modality = match m.as_rule() {
                        Rule::must_not => Modality::MustNot,
                        Rule::may => Modality::May,
                        _ => Modality::Must,
                    };
                    kids(self, m);
                }
                Rule::string => reason = Some(self.string(p)),
                _ => body = Some(self.expr(p)?),
            }
        }
        let body = body.expect("grammar: check body");
        Ok(CheckDecl { name, cites, scope, modality, body, reason, span })
    }

    fn test(&mut self, k: Vec<Pair<'_, Rule>>, span: Span) -> Built<TestDecl> {
        let mut it = k.into_iter();
        let name = self.ident(it.next().expect("grammar: test name"));
        let (mut givens, mut expects) = (Vec::new(), Vec::new());
        for p in it {
            let pspan = self.span(&p);
            let rule = p.as_rule();
            let mut c = kids(self, p).into_iter();
            if rule == Rule::given {
                let input = self.ident(c.next().expect("grammar: given input"));
                let fields = self.record_lit(c.next().expect("grammar: given fields"))?;
                givens.push(Given { input, fields, span: pspan });
            } else {
                let decision = self.ident(c.next().expect("grammar: expect decision"));
                let outcome = self.path(c.next().expect("grammar: expect outcome"));
                let fires = c.next().map(|f| kids(self, f).into_iter().map(|i| self.ident(i)));
                let fires = fires.map(|f| f.collect());
                expects.push(Expect { decision, outcome, fires, span: pspan });
            }
        }
        Ok(TestDecl { name, givens, expects, span })
    }
}

/// Where a span's last token ends. A rule ending in `*` or `?` keeps the whitespace and
/// comments pest skipped before the repetition stopped; spans must not include them, or
/// a diagnostic would underline a comment and the formatter would misplace it.
fn trimmed_end(s: &pest::Span<'_>) -> usize {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{3000}' | '\u{FEFF}');
    let text = s.as_str();
    // Only trailing whitespace, or a comment running to the end of the input, can follow
    // the last token.
    if !text.ends_with(is_space) && s.end() != s.get_input().len() {
        return s.end();
    }
    let mut t = text;
    loop {
        t = t.trim_end_matches(is_space);
        match comment_on_last_line(t) {
            Some(start) => t = &t[..start],
            None => return s.start() + t.len(),
        }
    }
}

/// The start of a `//` comment on the last line of `t`. Strings cannot span lines, so
/// the line starts outside any string.
fn comment_on_last_line(t: &str) -> Option<usize> {
    let line_start = t.rfind('\n').map_or(0, |i| i + 1);
    let mut close = None;
    let mut chars = t[line_start..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (close, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(end), c) if c == end => close = None,
            (Some(_), _) => {}
            (None, '"') => close = Some('"'),
            (None, '“') => close = Some('”'),
            (None, '/') if chars.peek().map(|p| p.1) == Some('/') => return Some(line_start + i),
            (None, _) => {}
        }
    }
    None
}

fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
