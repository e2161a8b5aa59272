//! The abstract syntax tree of one `.qd` file. Every node carries a [`Span`].
//!
//! The tree records what a file means, not how it was spelled: which keyword set, which
//! punctuation (full-width or ASCII) and which layout were used are gone, so the
//! formatter's output parses back to the same tree.

use crate::source::{Lang, Span};
use crate::value::{Date, Decimal};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A dotted name such as `结论.准入` or `杭州决定.五`.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub parts: Vec<Ident>,
    pub span: Span,
}

impl Path {
    pub fn last(&self) -> &Ident {
        self.parts.last().expect("a path has at least one part")
    }
}

/// A string literal, already unescaped.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub name: Ident,
    /// The keyword set most of the file uses; decides the language of its diagnostics.
    pub lang: Lang,
    /// `以 申请.申请日期 为准`: the case field giving the date a case is decided at.
    pub as_of: Option<Path>,
    pub decls: Vec<Decl>,
    pub span: Span,
}

/// The days a version is in force: `自 from 起`, `至 until 止`, both ends inclusive; an end
/// left out is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InForce {
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub span: Span,
}

impl InForce {
    /// Whether `day` lies in the range.
    pub fn holds_on(&self, day: Date) -> bool {
        self.from.is_none_or(|f| f <= day) && self.until.is_none_or(|u| day <= u)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    Use(Ident),
    Source(SourceDecl),
    Enum(EnumDecl),
    Record(RecordDecl),
    Input(RecordDecl),
    List(ListDecl),
    Let(LetDecl),
    Rule(RuleDecl),
    Decision(DecisionDecl),
    Check(CheckDecl),
    Test(TestDecl),
}

impl Decl {
    /// The name the declaration introduces (for `use`, the policy it imports).
    pub fn name(&self) -> &Ident {
        match self {
            Decl::Use(name) => name,
            Decl::Source(d) => &d.name,
            Decl::Enum(d) => &d.name,
            Decl::Record(d) | Decl::Input(d) => &d.name,
            Decl::List(d) => &d.name,
            Decl::Let(d) => &d.name,
            Decl::Rule(d) => &d.name,
            Decl::Decision(d) => &d.name,
            Decl::Check(d) => &d.name,
            Decl::Test(d) => &d.name,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Decl::Use(name) => name.span,
            Decl::Source(d) => d.span,
            Decl::Enum(d) => d.span,
            Decl::Record(d) | Decl::Input(d) => d.span,
            Decl::List(d) => d.span,
            Decl::Let(d) => d.span,
            Decl::Rule(d) => d.span,
            Decl::Decision(d) => d.span,
            Decl::Check(d) => d.span,
            Decl::Test(d) => d.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceDecl {
    pub name: Ident,
    pub title: Text,
    pub date: Option<(Date, Span)>,
    /// `全文 "…"`: the path of the instrument's text, relative to the policy's folder.
    pub full_text: Option<Text>,
    pub clauses: Vec<ClauseDecl>,
    pub span: Span,
}

/// What a clause's string is, as its source declaration says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClauseKind {
    /// The instrument's own words (checked against the full text when there is one).
    Quotation,
    /// `摘要` / `summary`: words of the drafter, never checked.
    Summary,
    /// `未核` / `unverified`: meant as a quotation, but no text in hand checks it.
    Unverified,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClauseDecl {
    pub id: Ident,
    pub kind: ClauseKind,
    /// The clause's words; absent when they are to be taken from the full text.
    pub text: Option<Text>,
    /// `范围外 "…"`: why no policy implements this clause.
    pub out_of_scope: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<Variant>,
    pub span: Span,
}

/// An enum variant; variants of a decision's outcome enum may carry values.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

/// A `record` or an `input`: named, typed fields.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// A written type: `set of` wrappers around a named type, optionally `?`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub set_depth: u32,
    pub name: Ident,
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListDecl {
    pub name: Ident,
    pub row_type: Ident,
    pub key: Ident,
    pub body: ListBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ListBody {
    Items(Vec<Item>),
    /// Rows kept in a YAML or CSV file next to the policy.
    From(Text),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub key: ItemKey,
    /// The days the row is in force (`条目 K 自 … 起 { … }`, or a data file's `施行日期` /
    /// `废止日期` cells); `None`: every day.
    pub in_force: Option<InForce>,
    pub fields: Vec<FieldInit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ItemKey {
    pub value: KeyValue,
    /// Whether the key was written as a bare name (`item GT001`) rather than quoted.
    pub bare: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyValue {
    Text(String),
    Int(i64),
}

impl std::fmt::Display for KeyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyValue::Text(t) => f.write_str(t),
            KeyValue::Int(i) => write!(f, "{i}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub in_force: Option<InForce>,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

/// A `rule`, or an `exception … to` another rule (which may then omit `then`).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub name: Ident,
    pub kind: RuleKind,
    pub in_force: Option<InForce>,
    pub cites: Vec<Path>,
    pub when: Expr,
    pub then: Option<Outcome>,
    pub unless: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RuleKind {
    Rule { decision: Option<Ident> },
    Exception { target: Ident },
}

/// `准入`, `结论.临时准入 { 截止日期: … }`, with an optional reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub variant: Path,
    pub fields: Option<Vec<FieldInit>>,
    pub reason: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DecisionDecl {
    pub name: Ident,
    pub ty: Ident,
    pub combining: Combining,
    /// `merge` after a priority order: the set fields of the winning outcome are the union
    /// over every fired rule that gives it (the keyword's span).
    pub merge: Option<Span>,
    pub end: DecisionEnd,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Combining {
    /// Worst first: the first variant listed wins over all later ones.
    Priority(Vec<Ident>),
    First,
    Collect,
    Unique,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DecisionEnd {
    /// `default OUTCOME cite S.C, …`: the outcome when no rule applies, and the clauses
    /// that say so.
    Default(Outcome, Vec<Path>),
    Total(Span),
    Missing,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckDecl {
    pub name: Ident,
    pub cites: Vec<Path>,
    pub scope: Option<CheckScope>,
    pub modality: Modality,
    pub body: Expr,
    pub reason: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckScope {
    pub var: Ident,
    pub over: Expr,
    pub filter: Option<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modality {
    Must,
    May,
    MustNot,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub name: Ident,
    pub givens: Vec<Given>,
    pub expects: Vec<Expect>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Given {
    pub input: Ident,
    pub fields: Vec<FieldInit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    pub decision: Ident,
    pub outcome: Path,
    pub fires: Option<Vec<Ident>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    Text(String),
    Date(Date),
    None,
    Name(Ident),
    Field(Box<Expr>, Ident),
    Index(Box<Expr>, Box<Expr>),
    Call(Ident, Vec<Expr>),
    Set(Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `e is some` (true) or `e is none` (false).
    IsSome(Box<Expr>, bool),
    Has(Box<Expr>, Ident),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Quant(Box<Quant>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Quant {
    pub kind: QuantKind,
    pub var: Ident,
    pub over: Expr,
    /// The summed expression of `sum(x in L of e)`.
    pub of: Option<Expr>,
    pub filter: Option<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantKind {
    Any,
    All,
    Count,
    Sum,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    /// Binding strength; larger binds tighter. Used by the formatter to place brackets.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
        }
    }

    /// How the operator is written, for the operators that are symbols; the others are
    /// keywords, spelled in the file's keyword set.
    pub fn symbol(self) -> Result<&'static str, super::keywords::Kw> {
        use super::keywords::Kw;
        match self {
            BinaryOp::Or => Err(Kw::Or),
            BinaryOp::And => Err(Kw::And),
            BinaryOp::In => Err(Kw::In),
            BinaryOp::NotIn => Err(Kw::NotIn),
            BinaryOp::Eq => Ok("=="),
            BinaryOp::Ne => Ok("!="),
            BinaryOp::Lt => Ok("<"),
            BinaryOp::Le => Ok("<="),
            BinaryOp::Gt => Ok(">"),
            BinaryOp::Ge => Ok(">="),
            BinaryOp::Add => Ok("+"),
            BinaryOp::Sub => Ok("-"),
            BinaryOp::Mul => Ok("*"),
            BinaryOp::Div => Ok("/"),
        }
    }

    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}
