//! The typed intermediate representation of one policy: what the interpreter, the
//! dependency graph, the analyser and the WASM compiler all read.
//!
//! Everything is resolved: input fields are slots in a flat array, lets and rules are
//! indices, enum values are variant indices, list rows are materialised tables, every
//! operator is specialised to its operand types. Spans come along for explanations.

mod lower;
mod print;
pub mod verify;
pub mod visit;

pub use lower::{lower, lower_at, LowerError};
pub use verify::verify;

use qingdan_dsl::check::builtins::Builtin;
use qingdan_dsl::syntax::ast::Modality;
use qingdan_dsl::Span;

use crate::value::Value;

/// Indices into the policy's tables.
pub type SlotId = u32;
pub type LetId = u32;
pub type RuleId = u32;
pub type DecisionId = u32;
pub type CheckId = u32;
pub type EnumId = u32;
pub type ListId = u32;
pub type SourceId = u32;

#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    /// The policy's keyword language: the language of explanations shown to people.
    pub lang: qingdan_dsl::Lang,
    /// The inputs a case provides, each field a slot of [`Policy::slots`].
    pub inputs: Vec<Input>,
    pub slots: Vec<Slot>,
    pub enums: Vec<EnumDef>,
    pub lists: Vec<ListDef>,
    pub sources: Vec<SourceDef>,
    /// In dependency order: a let only reads lets before it.
    pub lets: Vec<Let>,
    /// Rules and exceptions, in file order.
    pub rules: Vec<Rule>,
    pub decisions: Vec<Decision>,
    pub checks: Vec<Check>,
    /// The policy's inline `test` blocks, with their cases as slot values.
    pub tests: Vec<TestCase>,
    /// The case field versions and dated list rows are chosen by (`以 … 为准`), when the
    /// lowered policy reads it: a host deciding "as of" another day sets this slot.
    pub decision_date: Option<SlotId>,
}

#[derive(Clone, Debug)]
pub struct TestCase {
    pub name: String,
    /// One value per slot; slots of inputs the test does not give are absent.
    pub case: Vec<Value>,
    pub expects: Vec<Expectation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Expectation {
    pub decision: DecisionId,
    pub variant: u32,
    /// The rules expected to fire (all and only these), when given.
    pub fires: Option<Vec<RuleId>>,
}

/// A run-time type (the runtime's: a module's manifest carries the same).
pub use qingdan_runtime::value::Type;

#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    /// Slots of this input's fields, in declaration order.
    pub fields: Vec<SlotId>,
    pub span: Span,
}

/// One input field. Fields of record type are flattened: `申请.地址.区` is its own slot.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The path below the input: `["地址", "区"]`.
    pub path: Vec<String>,
    pub input: u32,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<VariantDef>,
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    /// The values an outcome of this variant carries.
    pub fields: Vec<(String, Type)>,
}

#[derive(Clone, Debug)]
pub struct ListDef {
    pub name: String,
    pub fields: Vec<(String, Type)>,
    /// Index of the key field.
    pub key: usize,
    /// Rows, each with one value per field.
    pub rows: Rows,
    /// Where each row is written (in the policy, or in its CSV/YAML file).
    pub row_spans: Vec<Span>,
    pub span: Span,
    /// For a list with dated rows, its two date columns (first and last day, absent:
    /// open), appended by lowering; explanations name a row with its days.
    pub dates: Option<(usize, usize)>,
}

/// A list's rows, each with one value per field, one after another in one vector: a list
/// read from a file may hold 100,000 rows, which as a vector each would be as many
/// allocations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rows {
    width: usize,
    len: usize,
    values: Vec<Value>,
}

impl Rows {
    /// No rows yet, room for `rows` of `width` values.
    pub fn with_capacity(width: usize, rows: usize) -> Rows {
        Rows { width, len: 0, values: Vec::with_capacity(width.saturating_mul(rows)) }
    }

    /// Rows from vectors of `width` values each.
    pub fn from_rows(width: usize, rows: impl IntoIterator<Item = Vec<Value>>) -> Rows {
        let mut all = Rows::with_capacity(width, 0);
        for row in rows {
            all.push(row);
        }
        all
    }

    /// Adds a row; it must have `width` values.
    pub fn push(&mut self, row: impl IntoIterator<Item = Value>) {
        let before = self.values.len();
        self.values.extend(row);
        assert_eq!(self.values.len() - before, self.width, "a row has one value per field");
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, row: usize) -> Option<&[Value]> {
        (row < self.len).then(|| &self.values[row * self.width..(row + 1) * self.width])
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[Value]> + ExactSizeIterator + Clone + '_ {
        (0..self.len).map(|r| &self[r])
    }
}

impl std::ops::Index<usize> for Rows {
    type Output = [Value];

    fn index(&self, row: usize) -> &[Value] {
        self.get(row).expect("a row of the list")
    }
}

impl<'r> IntoIterator for &'r Rows {
    type Item = &'r [Value];
    type IntoIter = Box<dyn Iterator<Item = &'r [Value]> + 'r>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[derive(Clone, Debug)]
pub struct SourceDef {
    pub name: String,
    pub title: String,
    pub clauses: Vec<ClauseDef>,
}

#[derive(Clone, Debug)]
pub struct ClauseDef {
    pub id: String,
    pub text: String,
}

/// A citation: clause `clause` of source `source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cite {
    pub source: SourceId,
    pub clause: u32,
}

#[derive(Clone, Debug)]
pub struct Let {
    pub name: String,
    pub ty: Type,
    pub value: Expr,
    pub span: Span,
    /// For a let with versions, the days of each (by start), so that an explanation can
    /// say which one gave the value; lowered at a fixed day, only the one in force then.
    /// Empty for a let without versions.
    pub versions: Vec<Version>,
}

impl Let {
    /// The version in force on `day` (the only one, when lowered at a fixed day).
    pub fn version_on(&self, day: Option<qingdan_dsl::value::Date>) -> Option<&Version> {
        if self.versions.len() == 1 {
            return self.versions.first();
        }
        let day = day?;
        let on_or_before = |d: &Option<String>, after: bool| {
            d.as_deref().and_then(qingdan_dsl::value::Date::parse).is_none_or(|d| {
                if after {
                    d <= day
                } else {
                    day <= d
                }
            })
        };
        self.versions.iter().find(|v| on_or_before(&v.from, true) && on_or_before(&v.until, false))
    }
}

/// The days a version of a rule or let is in force (a manifest carries it too).
pub use qingdan_runtime::manifest::Version;

/// The range as written in the policy's language: `自 2025-01-01 起至 2025-12-31 止`,
/// `from 2025-01-01 until 2025-12-31`.
pub fn version_label(v: &Version, lang: qingdan_dsl::Lang) -> String {
    let zh = lang == qingdan_dsl::Lang::Zh;
    let from = v.from.as_ref().map(|d| if zh { format!("自 {d} 起") } else { format!("from {d}") });
    let until = v.until.as_ref().map(|d| if zh { format!("至 {d} 止") } else { format!("until {d}") });
    let parts: Vec<String> = from.into_iter().chain(until).collect();
    parts.join(if zh { "" } else { " " })
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub name: String,
    /// For one of several versions of a rule: the days it is in force. Lowering has
    /// already made its condition read the decision date; this is for explanations.
    pub version: Option<Version>,
    pub decision: DecisionId,
    /// For an exception: the rule or exception it overrides.
    pub exception_to: Option<RuleId>,
    pub when: Expr,
    pub unless: Vec<Expr>,
    /// `None` only for an exception that merely defeats its target.
    pub then: Option<OutcomeExpr>,
    pub cites: Vec<Cite>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct OutcomeExpr {
    pub variant: u32,
    /// One expression per field of the variant, in the variant's order.
    pub fields: Vec<Expr>,
    pub reason: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Decision {
    pub name: String,
    pub outcome_enum: EnumId,
    pub combining: Combining,
    /// `priority … merge`: the winning outcome's set fields are the union over every rule
    /// that gives that outcome (its other fields are the first such rule's).
    pub merge: bool,
    pub default: Option<OutcomeExpr>,
    /// The clauses the default cites (`default X cite S.C`).
    pub default_cites: Vec<Cite>,
    /// Rules (not exceptions) of this decision, in file order.
    pub rules: Vec<RuleId>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Combining {
    /// Rank of each variant: 0 is the most severe and wins.
    Priority(Vec<u32>),
    First,
    Collect,
    Unique,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub name: String,
    pub modality: Modality,
    /// `for x in over where filter`: the collection and the local the row is bound to.
    pub scope: Option<CheckScope>,
    pub body: Expr,
    pub reason: Option<String>,
    pub cites: Vec<Cite>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CheckScope {
    pub over: Expr,
    pub filter: Option<Expr>,
}

/// An expression node with its span and type.
#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(Value),
    Slot(SlotId),
    Let(LetId),
    /// A quantifier or check variable, by de Bruijn level (0 = outermost binder).
    Local(u32),
    /// A field of a row of `list`.
    RowField {
        row: Box<Expr>,
        list: ListId,
        field: u32,
    },
    /// All rows of a list (the value of its name), for quantifiers and `in`.
    ListRows(ListId),
    /// The row of `list` whose key equals the operand (absent if none).
    Lookup {
        list: ListId,
        key: Box<Expr>,
    },
    /// A key is in `list`.
    HasKey {
        list: ListId,
        key: Box<Expr>,
    },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Set membership.
    In(Box<Expr>, Box<Expr>),
    IsSome(Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    SetOf(Vec<Expr>),
    Call(Builtin, Vec<Expr>),
    Quant(Box<Quant>),
    /// An int as a decimal, or a set of ints as a set of decimals: the one place an int
    /// becomes a decimal. Lowering puts it wherever the checker let an int stand for a
    /// decimal (a declared let, an `if` branch, a set element, a row cell, an outcome
    /// value, a comparison, membership, arithmetic, `min`/`max`, a sum), so that every
    /// other operator sees operands of exactly its own types (see [`verify`]). An int
    /// too large to scale is an overflow; absent stays absent.
    ToDecimal(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Arithmetic specialised to operand types at lowering. Operands have exactly the types
/// the operator names (ints reach a decimal operator through [`ExprKind::ToDecimal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    IntAdd,
    IntSub,
    IntMul,
    /// decimal / decimal: a decimal (`/` of two ints converts both first).
    Div,
    DecAdd,
    DecSub,
    DecMul,
    DateAddDays,
    DateSubDays,
    DateDiff,
}

#[derive(Clone, Debug)]
pub struct Quant {
    pub kind: qingdan_dsl::syntax::ast::QuantKind,
    /// A list (`ListRows`) or a set.
    pub over: Expr,
    pub filter: Option<Expr>,
    pub of: Option<Expr>,
}

impl Policy {
    /// Renders a value with names: enum variants and row keys instead of indices.
    pub fn show(&self, value: &Value, ty: &Type) -> String {
        match (value, ty) {
            (Value::None, _) => "none".into(),
            (v, Type::Opt(inner)) => self.show(v, inner),
            (Value::Enum(v), Type::Enum(e)) => self.enums[*e as usize]
                .variants
                .get(*v as usize)
                .map_or_else(|| format!("#{v}"), |x| x.name.clone()),
            (Value::Row(r), Type::Row(l)) => {
                let list = &self.lists[*l as usize];
                list.rows.get(*r as usize).map_or_else(|| format!("row#{r}"), |row| plain(&row[list.key]))
            }
            (Value::Set(items), Type::Set(inner)) => {
                let shown: Vec<String> = items.iter().map(|v| self.show(v, inner)).collect();
                format!("[{}]", shown.join(", "))
            }
            (v, _) => plain(v),
        }
    }

    /// For a row of a list with dated rows, the days it is in force (as a version's are);
    /// `None` for other values and for a row open at both ends.
    pub fn row_days(&self, value: &Value, ty: &Type) -> Option<Version> {
        let (Value::Row(r), Type::Row(l)) = (value, ty.required()) else { return None };
        let list = self.lists.get(*l as usize)?;
        let (from, until) = list.dates?;
        let row = list.rows.get(*r as usize)?;
        let day = |field: usize| match row.get(field) {
            Some(Value::Date(d)) => {
                Some(qingdan_dsl::value::Date::from_days_since_epoch(i64::from(*d)).to_string())
            }
            _ => None,
        };
        let days = Version { from: day(from), until: day(until) };
        (days.from.is_some() || days.until.is_some()).then_some(days)
    }

    pub fn clause_text(&self, cite: Cite) -> (&str, &ClauseDef) {
        let source = &self.sources[cite.source as usize];
        (&source.name, &source.clauses[cite.clause as usize])
    }
}

/// Text without quotes, other values as they print.
fn plain(v: &Value) -> String {
    match v {
        Value::Text(t) => t.to_string(),
        other => other.to_string(),
    }
}
