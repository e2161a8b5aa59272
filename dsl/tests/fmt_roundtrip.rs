//! Property tests of the formatter over generated programs, and of the parser's
//! robustness on arbitrary and mutated text.
//!
//! Programs are generated in two layers. Proptest strategies build the structure as a
//! list of tokens, following the grammar level by level (so brackets appear only where
//! the generator chose a bracketed primary, as a person would write them). A second
//! input, a list of "style" bytes, then decides how each token is spelled: English or
//! Chinese keyword, ASCII or full-width punctuation (every full-width form the grammar
//! accepts, digits too, which the formatter must write in ASCII), quotes and escapes, and
//! what lies between tokens (spaces, newlines, blank lines, comments).

use proptest::prelude::*;
use proptest::test_runner::Config;

use qingdan_dsl::fmt::{format, format_with};
use qingdan_dsl::source::{FileId, Lang};
use qingdan_dsl::syntax::ast::Module;
use qingdan_dsl::syntax::dump::dump;
use qingdan_dsl::syntax::keywords::Kw;
use qingdan_dsl::syntax::{self, Comment};

// ------------------------------------------------------------------ tokens

#[derive(Clone, Debug)]
enum T {
    K(Kw),
    Id(String),
    /// A number or date literal, or a numeric clause id.
    Num(String),
    /// A string literal's value.
    Str(String),
    /// Punctuation with a full-width twin spelled by [`full_width`]: `,` `:` `(` `)` `?`
    /// `!=` `>=` `<=`.
    P(&'static str),
    /// A comma the grammar lets one leave out.
    OptComma,
    /// Other symbols: `{ } [ ] . = == < > + *`, sometimes spelled full-width.
    S(&'static str),
    /// Binary `-` and `/`, always spaced so that `2022 - 12 - 20` stays a subtraction.
    Spaced(&'static str),
    Neg,
    /// Between declarations: a newline, blank lines, comment lines.
    Gap,
}

type S = BoxedStrategy<Vec<T>>;

fn t(tok: T) -> S {
    Just(vec![tok]).boxed()
}

fn k(kw: Kw) -> S {
    t(T::K(kw))
}

fn p(s: &'static str) -> S {
    t(T::P(s))
}

fn sym(s: &'static str) -> S {
    t(T::S(s))
}

fn cat(parts: Vec<S>) -> S {
    parts.prop_map(|v| v.concat()).boxed()
}

macro_rules! seq {
    ($($e:expr),* $(,)?) => { cat(vec![$($e),*]) };
}

fn opt(s: S) -> S {
    prop::option::of(s).prop_map(Option::unwrap_or_default).boxed()
}

/// Zero to `n` copies, one after another.
fn many(s: S, n: usize) -> S {
    prop::collection::vec(s, 0..=n).prop_map(|v| v.concat()).boxed()
}

/// Mostly none, sometimes one, rarely two: keeps expressions small.
fn few(s: S) -> S {
    prop_oneof![10 => Just(vec![]), 3 => s.clone(), 1 => seq![s.clone(), s]].boxed()
}

/// Like [`few`], rarer still: for operator chains, which multiply an expression's size.
fn rare(s: S) -> S {
    prop_oneof![16 => Just(vec![]), 3 => s.clone(), 1 => seq![s.clone(), s]].boxed()
}

/// One to `n` items separated by `sep`.
fn sep_by(s: S, sep: T, n: usize) -> S {
    prop::collection::vec(s, 1..=n)
        .prop_map(move |items| {
            let mut out = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push(sep.clone());
                }
                out.extend(item);
            }
            out
        })
        .boxed()
}

// ------------------------------------------------------------------ words and literals

/// Names that are not keywords, several of which begin with one (`inx`, `当月`, `无人`).
const NAMES: &[&str] = &[
    "a",
    "b",
    "x",
    "y2",
    "foo",
    "bar_baz",
    "_t",
    "Grid",
    "inx",
    "iffy",
    "notes",
    "order",
    "ored",
    "sums",
    "anyway",
    "total_x",
    "key2",
    "forall",
    "申请",
    "类别",
    "频次",
    "当月",
    "非常",
    "无人",
    "任一项",
    "天数",
    "结论甲",
    "状态",
    "如果说",
    "且慢",
    "x申请",
];

const TYPE_NAMES: &[&str] =
    &["int", "bool", "decimal", "text", "date", "整数", "布尔", "小数", "文本", "日期", "Row", "状态"];

fn id() -> S {
    prop::sample::select(NAMES).prop_map(|n| vec![T::Id(n.to_string())]).boxed()
}

fn int() -> S {
    prop_oneof![(0u32..1000).prop_map(|n| n.to_string()), (0u32..1_000_000).prop_map(|n| format!("00{n}")),]
        .prop_map(|n| vec![T::Num(n)])
        .boxed()
}

fn decimal() -> S {
    (0u32..10_000, "[0-9]{1,4}").prop_map(|(w, f)| vec![T::Num(format!("{w}.{f}"))]).boxed()
}

fn date() -> S {
    (1000u32..3000, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| vec![T::Num(format!("{y:04}-{m:02}-{d:02}"))])
        .boxed()
}

fn string() -> S {
    const CHARS: &[&str] = &["a", "Z", " ", "文", "字", "\"", "\\", "“", "”", "\n", "\t", "//", "，"];
    prop::collection::vec(prop::sample::select(CHARS), 0..6).prop_map(|v| vec![T::Str(v.concat())]).boxed()
}

fn clause_id() -> S {
    prop_oneof![id(), (0u32..30).prop_map(|n| vec![T::Num(n.to_string())])].boxed()
}

fn path() -> S {
    seq![id(), few(seq![sym("."), id()])]
}

fn ty() -> S {
    let name = prop::sample::select(TYPE_NAMES).prop_map(|n| vec![T::Id(n.to_string())]);
    seq![few(k(Kw::SetOf)), name.boxed(), opt(p("?"))]
}

// ------------------------------------------------------------------ expressions

/// An expression, built level by level as the grammar reads it; `depth` bounds the
/// nesting of bracketed parts.
fn expr(depth: u32) -> S {
    let sub = (depth > 0).then(|| expr(depth - 1));
    let postfix_op = match &sub {
        Some(s) => prop_oneof![
            3 => seq![sym("."), id()],
            1 => seq![sym("["), s.clone(), sym("]")],
        ]
        .boxed(),
        None => seq![sym("."), id()],
    };
    let postfix = seq![primary(sub.clone()), few(postfix_op)];
    let neg = seq![rare(t(T::Neg)), postfix];
    let mul = chain(neg, vec![sym("*"), t(T::Spaced("/"))]);
    let add = chain(mul, vec![sym("+"), t(T::Spaced("-"))]);
    let cmp_op =
        prop_oneof![sym("=="), p("!="), sym("<"), p("<="), sym(">"), p(">="), k(Kw::In), k(Kw::NotIn),];
    let cmp_tail = prop_oneof![
        4 => seq![cmp_op.boxed(), add.clone()],
        1 => k(Kw::IsSome),
        1 => k(Kw::IsNone),
        1 => seq![k(Kw::Has), id()],
    ];
    let cmp = seq![add, prop_oneof![2 => Just(vec![]), 1 => cmp_tail].boxed()];
    let not = seq![rare(k(Kw::Not)), cmp];
    let and = chain(not, vec![k(Kw::And)]);
    let or = chain(and, vec![k(Kw::Or)]);
    match sub {
        Some(s) => prop_oneof![
            6 => or,
            1 => seq![k(Kw::If), s.clone(), k(Kw::Then), s.clone(), k(Kw::Else), s],
        ]
        .boxed(),
        None => or,
    }
}

/// `x (op x)*`, usually just `x`.
fn chain(x: S, ops: Vec<S>) -> S {
    let op = prop::strategy::Union::new(ops).boxed();
    seq![x.clone(), rare(seq![op, x])]
}

fn primary(sub: Option<S>) -> S {
    let leaf = prop_oneof![
        4 => id(),
        1 => int(),
        1 => decimal(),
        1 => date(),
        1 => string(),
        1 => k(Kw::True),
        1 => k(Kw::False),
        1 => k(Kw::None),
    ]
    .boxed();
    let Some(s) = sub else { return leaf };
    let args = prop_oneof![
        1 => Just(vec![]),
        3 => seq![sep_by(s.clone(), T::P(","), 3), opt(p(","))],
    ]
    .boxed();
    let quant_kind = prop_oneof![k(Kw::Any), k(Kw::All), k(Kw::Count), k(Kw::Sum)];
    let quant = seq![
        quant_kind.boxed(),
        p("("),
        id(),
        k(Kw::In),
        s.clone(),
        opt(seq![k(Kw::Of), s.clone()]),
        opt(seq![k(Kw::Where), s.clone()]),
        p(")"),
    ];
    prop_oneof![
        12 => leaf,
        1 => seq![p("("), s, p(")")],
        1 => seq![id(), p("("), args.clone(), p(")")],
        1 => seq![sym("["), args, sym("]")],
        1 => quant,
    ]
    .boxed()
}

// ------------------------------------------------------------------ declarations

fn fields() -> S {
    many(seq![id(), p(":"), ty(), t(T::OptComma)], 3)
}

fn record_lit(e: &S) -> S {
    seq![sym("{"), many(seq![id(), p(":"), e.clone(), t(T::OptComma)], 3), sym("}")]
}

fn outcome(e: &S) -> S {
    seq![path(), opt(record_lit(e)), opt(string())]
}

fn cite() -> S {
    let citation = seq![id(), sym("."), clause_id(), few(seq![sym("."), clause_id()])];
    seq![k(Kw::Cite), sep_by(citation, T::P(","), 3)]
}

fn source() -> S {
    seq![
        k(Kw::Source),
        id(),
        string(),
        opt(seq![p("("), date(), p(")")]),
        sym("{"),
        many(seq![k(Kw::Clause), clause_id(), string()], 3),
        sym("}"),
    ]
}

fn enumeration() -> S {
    let variant = seq![id(), opt(seq![sym("{"), fields(), sym("}")]), t(T::OptComma)];
    seq![k(Kw::Enum), id(), sym("{"), many(variant, 4), sym("}")]
}

fn record(kw: Kw) -> S {
    seq![k(kw), id(), sym("{"), fields(), sym("}")]
}

fn list(e: &S) -> S {
    let key = prop_oneof![string(), int(), id()].boxed();
    let items = seq![sym("{"), many(seq![k(Kw::Item), key, record_lit(e)], 3), sym("}")];
    let body = prop_oneof![3 => items, 1 => seq![k(Kw::From), string()]].boxed();
    seq![k(Kw::List), id(), p(":"), id(), k(Kw::Key), id(), body]
}

fn rule(e: &S) -> S {
    seq![
        k(Kw::Rule),
        id(),
        opt(seq![k(Kw::ForDecision), id()]),
        opt(cite()),
        sym("{"),
        k(Kw::When),
        e.clone(),
        k(Kw::Then),
        outcome(e),
        few(seq![k(Kw::Unless), e.clone()]),
        sym("}"),
    ]
}

fn exception(e: &S) -> S {
    seq![
        k(Kw::Exception),
        id(),
        k(Kw::To),
        id(),
        opt(cite()),
        sym("{"),
        k(Kw::When),
        e.clone(),
        opt(seq![k(Kw::Then), outcome(e)]),
        few(seq![k(Kw::Unless), e.clone()]),
        sym("}"),
    ]
}

fn decision(e: &S) -> S {
    let combining = prop_oneof![
        seq![k(Kw::Priority), id(), many(seq![sym(">"), id()], 3)],
        k(Kw::First),
        k(Kw::Collect),
        k(Kw::Unique),
    ];
    let end = prop_oneof![Just(vec![]), seq![k(Kw::Default), outcome(e)], k(Kw::Total),];
    seq![k(Kw::Decision), id(), p(":"), id(), k(Kw::By), combining.boxed(), end.boxed()]
}

fn check(e: &S) -> S {
    let scope = seq![k(Kw::ForEach), id(), k(Kw::In), e.clone(), opt(seq![k(Kw::Where), e.clone()])];
    let modality = prop_oneof![k(Kw::Must), k(Kw::May), k(Kw::MustNot)].boxed();
    seq![k(Kw::Check), id(), opt(cite()), sym("{"), opt(scope), modality, e.clone(), opt(string()), sym("}"),]
}

fn test_decl(e: &S) -> S {
    let given = seq![k(Kw::Given), id(), record_lit(e)];
    let fires = seq![k(Kw::Fires), sym("["), many(seq![id(), t(T::OptComma)], 3), sym("]")];
    let expect = seq![k(Kw::Expect), id(), sym("="), path(), opt(fires)];
    seq![k(Kw::Test), id(), sym("{"), many(given, 2), many(expect, 2), sym("}")]
}

fn declaration() -> S {
    let e = expr(2);
    prop_oneof![
        seq![k(Kw::Use), id()],
        source(),
        enumeration(),
        record(Kw::Record),
        record(Kw::Input),
        list(&e),
        seq![k(Kw::Let), id(), opt(seq![p(":"), ty()]), sym("="), e.clone()],
        rule(&e),
        exception(&e),
        decision(&e),
        check(&e),
        test_decl(&e),
    ]
    .boxed()
}

fn program_tokens() -> S {
    seq![t(T::Gap), k(Kw::Policy), id(), many(seq![t(T::Gap), declaration()], 8), t(T::Gap),]
}

// ------------------------------------------------------------------ spelling

/// Spelling decisions, read from a list of bytes. The list is read round and round
/// (shifted each time); an empty list spells everything plainly, which is what
/// shrinking aims for.
struct Style<'a> {
    bytes: &'a [u8],
    at: usize,
    /// In a noisy program every separator is a line break, odd whitespace or a comment.
    noisy: bool,
}

impl Style<'_> {
    fn next(&mut self) -> usize {
        let n = self.bytes.len().max(1);
        let round = (self.at / n) as u8;
        let b = self.bytes.get(self.at % n).map_or(0, |b| b.wrapping_add(round));
        self.at += 1;
        usize::from(b)
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.next() % n == n - 1
    }

    fn pick<'s>(&mut self, options: &[&'s str]) -> &'s str {
        options[self.next() % options.len()]
    }
}

fn render(tokens: &[T], style: &[u8]) -> String {
    let mut st = Style { bytes: style, at: 0, noisy: false };
    st.noisy = st.one_in(4);
    let mut out = String::new();
    let mut prev: Option<&T> = None;
    for tok in tokens {
        if matches!(tok, T::Gap) {
            out.push_str(&gap(&mut st));
            prev = None;
            continue;
        }
        if matches!(tok, T::OptComma) && st.one_in(2) {
            continue;
        }
        if let Some(before) = prev {
            out.push_str(&separator(&mut st, needs_space(before, tok)));
        }
        out.push_str(&spell(&mut st, tok));
        prev = Some(tok);
    }
    out
}

fn is_word(t: &T) -> bool {
    matches!(t, T::K(_) | T::Id(_) | T::Num(_))
}

fn needs_space(a: &T, b: &T) -> bool {
    (is_word(a) && is_word(b)) || matches!(a, T::Spaced(_)) || matches!(b, T::Spaced(_))
}

fn separator(st: &mut Style<'_>, needed: bool) -> String {
    let roll = if st.noisy { 20 + st.next() % 8 } else { st.next() % 32 };
    match roll {
        0..=14 => " ".to_string(),
        15..=19 if !needed => String::new(),
        20 | 21 => "\n  ".to_string(),
        22 => "\n\n".to_string(),
        23 => "\t ".to_string(),
        24 => "\u{3000}".to_string(),
        25 => format!(" {}\n", comment(st)),
        26 => format!("\n  {}\n", comment(st)),
        27 => "\r\n    ".to_string(),
        _ => " ".to_string(),
    }
}

fn gap(st: &mut Style<'_>) -> String {
    match st.next() % 6 {
        0 | 1 => "\n".to_string(),
        2 => "\n\n".to_string(),
        3 => format!("\n{}\n", comment(st)),
        4 => format!(" {}\n\n{}\n  {}\n", comment(st), comment(st), comment(st)),
        _ => "\n \n\n".to_string(),
    }
}

fn comment(st: &mut Style<'_>) -> String {
    let chars = ["c", "注", "释", " ", "“", "\"", "/", "\\", "{", "}", "，", "\t", "x"];
    let len = st.next() % 8;
    let mut out = "//".to_string();
    for _ in 0..len {
        out.push_str(st.pick(&chars));
    }
    out
}

fn spell(st: &mut Style<'_>, tok: &T) -> String {
    match tok {
        T::K(kw) => keyword(st, *kw),
        T::Id(s) => s.clone(),
        T::Num(s) if st.one_in(4) => s.chars().map(full_width_char).collect(),
        T::Num(s) => s.clone(),
        T::Str(s) => quote(st, s),
        T::P(s) if st.one_in(3) => full_width(st, s).to_string(),
        T::S(s) | T::Spaced(s) if st.one_in(4) => full_width_symbol(st, s),
        T::P(s) | T::S(s) | T::Spaced(s) => s.to_string(),
        T::OptComma => full_width(st, ",").to_string(),
        T::Neg if st.one_in(4) => "－".to_string(),
        T::Neg => "-".to_string(),
        T::Gap => String::new(),
    }
}

fn keyword(st: &mut Style<'_>, kw: Kw) -> String {
    if st.one_in(2) {
        return match kw {
            Kw::Must if st.one_in(2) => "应".to_string(),
            _ => kw.text(Lang::Zh).to_string(),
        };
    }
    // `not in`, `is some`, `must not`, `set of`: any inline whitespace may join the words.
    let space = st.pick(&[" ", " ", "\t", "\u{3000}", "  "]);
    kw.text(Lang::En).replace(' ', space)
}

fn full_width(st: &mut Style<'_>, s: &str) -> &'static str {
    match s {
        "," => st.pick(&["，", "、", ","]),
        ":" => "：",
        "(" => "（",
        ")" => "）",
        "?" => "？",
        "!=" => st.pick(&["≠", "！＝", "！=", "!＝"]),
        ">=" => st.pick(&["≥", "＞＝", ">＝"]),
        "<=" => st.pick(&["≤", "＜＝", "＜="]),
        _ => unreachable!("no full-width form for {s}"),
    }
}

/// A symbol typed with a Chinese input method: each character full-width, or (for a
/// two-character symbol) only one of them.
fn full_width_symbol(st: &mut Style<'_>, s: &str) -> String {
    let all: String = s.chars().map(full_width_char).collect();
    match s {
        "==" => st.pick(&["＝＝", "＝=", "=＝"]).to_string(),
        "[" => st.pick(&["［", "【"]).to_string(),
        "]" => st.pick(&["］", "】"]).to_string(),
        _ => all,
    }
}

/// The full-width twin of an ASCII digit or symbol the grammar also accepts full-width.
fn full_width_char(c: char) -> char {
    match c {
        '0'..='9' => char::from_u32('０' as u32 + (c as u32 - '0' as u32)).expect("a digit"),
        '{' => '｛',
        '}' => '｝',
        '[' => '［',
        ']' => '］',
        '.' => '．',
        '=' => '＝',
        '<' => '＜',
        '>' => '＞',
        '+' => '＋',
        '-' => '－',
        '*' => '＊',
        '/' => '／',
        _ => c,
    }
}

fn quote(st: &mut Style<'_>, s: &str) -> String {
    let cjk = st.one_in(3);
    let (open, close) = if cjk { ('“', '”') } else { ('"', '"') };
    let mut out = String::from(open);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' if st.one_in(2) => out.push('\t'),
            '\t' => out.push_str("\\t"),
            c if c == close => {
                out.push('\\');
                out.push(c);
            }
            '“' | '”' | '"' if st.one_in(3) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(close);
    out
}

fn program() -> impl Strategy<Value = String> {
    (program_tokens(), prop::collection::vec(any::<u8>(), 0..600))
        .prop_map(|(tokens, style)| render(&tokens, &style))
}

// ------------------------------------------------------------------ properties

fn comment_texts(comments: &[Comment]) -> Vec<String> {
    let mut texts: Vec<String> = comments.iter().map(|c| c.text.clone()).collect();
    texts.sort();
    texts
}

/// The dump without the module's keyword language, for comparing translations.
fn dump_any_lang(m: &Module) -> String {
    dump(m).replacen(" lang=zh", " lang=en", 1)
}

/// Formats `src` (which must parse cleanly), in its own language and in both others,
/// and checks that nothing but spelling and layout changed.
fn check_formatting(src: &str) -> Result<(), TestCaseError> {
    let parsed = syntax::parse(src, FileId(0));
    prop_assert!(
        parsed.diagnostics.is_empty(),
        "the source does not parse: {:?}",
        parsed.diagnostics.first().map(|d| &d.message.en)
    );
    let module = parsed.module.as_ref().expect("a module without diagnostics");
    let out = format(module, &parsed.comments, src);
    let again = syntax::parse(&out, FileId(0));
    prop_assert!(again.diagnostics.is_empty(), "output does not parse:\n{}", out);
    let formatted = again.module.as_ref().expect("a module without diagnostics");
    prop_assert_eq!(dump(formatted), dump(module), "output:\n{}", out);
    prop_assert_eq!(format(formatted, &again.comments, &out), out.clone());
    prop_assert_eq!(comment_texts(&again.comments), comment_texts(&parsed.comments));
    for lang in [Lang::En, Lang::Zh] {
        let tr = format_with(module, &parsed.comments, src, lang);
        let back = syntax::parse(&tr, FileId(0));
        let m = back.module.as_ref();
        prop_assert!(back.diagnostics.is_empty() && m.is_some(), "{}", tr);
        let m = m.expect("checked");
        prop_assert_eq!(m.lang, lang);
        prop_assert_eq!(dump_any_lang(m), dump_any_lang(module));
        prop_assert_eq!(format(m, &back.comments, &tr), tr.clone());
    }
    Ok(())
}

/// 256 cases, which run in a few seconds in a debug build; `PROPTEST_CASES=5000` asks
/// for a deeper search.
fn config() -> Config {
    let default = Config::default();
    let asked = std::env::var_os("PROPTEST_CASES").is_some();
    Config { cases: if asked { default.cases } else { 256 }, failure_persistence: None, ..default }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn formatting_keeps_the_tree_and_the_comments_and_is_idempotent(src in program()) {
        check_formatting(&src)?;
    }
}

// ------------------------------------------------------------------ robustness

/// Pieces of the language, for building near-programs.
const PIECES: &[&str] = &[
    "policy ",
    "政策 ",
    "rule ",
    "when ",
    "then ",
    "unless ",
    "规则 ",
    "当 ",
    "则 ",
    "if ",
    "else ",
    "如果 ",
    "否则 ",
    "{",
    "}",
    "(",
    ")",
    "（",
    "）",
    "[",
    "]",
    "“",
    "”",
    "\"",
    "\\",
    "//",
    "\n",
    " ",
    ".",
    ",",
    "，",
    "、",
    ":",
    "：",
    "?",
    "-",
    "+",
    "*",
    "/",
    "==",
    "≥",
    "<=",
    "a",
    "当月",
    "2022-12-20",
    "2023-02-29",
    "1.5",
    "1.0000000001",
    "99999999999999999999",
    "007",
    "is ",
    "some",
    "not ",
    "in ",
    "must ",
    "set of ",
    "any(",
    "sum(",
    " of ",
    " where ",
    "enum ",
    "record ",
    "list ",
    "item ",
    "key ",
    "from ",
    "let ",
    "=",
    "decision ",
    "by ",
    "priority ",
    ">",
    "check ",
    "for ",
    "test ",
    "given ",
    "expect ",
    "fires ",
    "\u{3000}",
    "\u{FEFF}",
    "\r",
    "｛",
    "｝",
    "【",
    "］",
    "＝",
    "＞＝",
    "！",
    "。",
    "；",
    "１２",
    "２０２２－１２－２０",
    "大于",
    "并且",
    "‘",
];

fn pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

/// Applies edits `(kind, position, piece)` to `src`: delete a character, insert a piece,
/// or replace a character by a piece.
fn mutate(src: &str, edits: &[(u8, usize, usize)]) -> String {
    let mut chars: Vec<String> = src.chars().map(String::from).collect();
    for &(kind, at, piece) in edits {
        let piece = PIECES[piece % PIECES.len()].to_string();
        let at = at % (chars.len() + 1);
        match kind % 3 {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 if at < chars.len() => chars[at] = piece,
            _ => chars.insert(at, piece),
        }
    }
    chars.concat()
}

/// Parsing must not panic; if the text parses cleanly, formatting must keep its tree.
fn parse_anything(src: &str) -> Result<(), TestCaseError> {
    let parsed = syntax::parse(src, FileId(0));
    if parsed.module.is_some() && parsed.diagnostics.is_empty() {
        check_formatting(src)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_never_panics_on_arbitrary_text(src in ".{0,200}") {
        parse_anything(&src)?;
    }

    #[test]
    fn parse_never_panics_on_pieces_of_the_language(src in pieces()) {
        parse_anything(&format!("policy p\n{src}"))?;
        parse_anything(&src)?;
    }

    #[test]
    fn parse_never_panics_on_mutated_programs(
        src in program(),
        edits in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        parse_anything(&mutate(&src, &edits))?;
    }
}
