//! Searches for rows with a similar text, by the bigrams they share. A search such as
//! `求和(t 属于 网格任务按序号 取 t.序号 满足 … 且 相似度(t.名称, 申请.事项名称) >= 名称相似度阈值 且 …)`
//! needs only the rows whose similarity to the case's text reaches the threshold. Each
//! such column's rows are listed by unit (a character bigram, see `similarity.rs`) when the
//! evaluator is made, with the number of units of each row's text. A search counts, for
//! each row listed under one of the case text's units, how many units they share, and so
//! knows each row's similarity without comparing the texts; it visits the rows that reach
//! the threshold, in row order (within the rows an equality's index picked, when the
//! filter has one too).
//!
//! Exactness: for texts `a ≠ b`, `similarity(a, b)` is `⌊2·|A ∩ B|·10⁶ / (|A| + |B|)⌋` with at
//! least one unit set non-empty, and for equal texts 1, which the same formula gives when
//! they have units. So a row sharing `c` units with the case's text has exactly the score
//! computed here, and a row sharing none scores 0, unless both texts are empty (no units,
//! similarity 1): rows whose text is empty are listed apart. A skipped row fails the
//! conjunct (its score is below the threshold; `0 >= θ` and `0 > θ` are false for `θ > 0`),
//! and the planner (`index.rs`) only plans a conjunct that every row reaches without
//! failing, with a text and a threshold that read no row and cannot fail (evaluated once,
//! up front). A threshold that is not above 0 at run time, or absent, visits every row as
//! before. A case text that is absent scores no value on any row, which no comparison
//! passes: no row is visited.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use qingdan_dsl::check::builtins::Builtin;

use crate::ir::{CmpOp, Expr, ExprKind, ListId, Rows};
use crate::value::{Value, DECIMAL_SCALE};

/// How one search narrows its rows by similarity.
pub(super) struct Plan<'p> {
    /// Which of the tables ([`super::index::Indexes`]) lists the column's rows by unit.
    pub table: usize,
    /// The text the column is compared with.
    pub text: &'p Expr,
    /// The threshold the similarity must reach.
    pub at_least: &'p Expr,
    /// Whether it must exceed it (`>`), not only reach it (`>=`).
    pub strict: bool,
}

/// `相似度(t.列, X) >= θ` (or `>`, `θ <= …`, `θ < …`, the arguments either way round),
/// where `t` is the row variable at `level` over `list` and `列` one of its fields: the
/// field, `X`, `θ` (which the caller still has to find free of the row and of errors), and
/// whether the comparison is strict.
pub(super) fn recognise(e: &Expr, list: ListId, level: u32) -> Option<(u32, &Expr, &Expr, bool)> {
    let ExprKind::Cmp(op, a, b) = &e.kind else { return None };
    let (similarity, at_least) = match op {
        CmpOp::Ge | CmpOp::Gt => (a, b),
        CmpOp::Le | CmpOp::Lt => (b, a),
        _ => return None,
    };
    let ExprKind::Call(Builtin::Similarity, args) = &similarity.kind else { return None };
    let [x, y] = args.as_slice() else { return None };
    let field = |e: &Expr| match &e.kind {
        ExprKind::RowField { row, list: l, field } if *l == list => {
            matches!(row.kind, ExprKind::Local(n) if n == level).then_some(*field)
        }
        _ => None,
    };
    let strict = matches!(op, CmpOp::Gt | CmpOp::Lt);
    match (field(x), field(y)) {
        (Some(f), None) => Some((f, y, at_least, strict)),
        (None, Some(f)) => Some((f, x, at_least, strict)),
        _ => None,
    }
}

/// One column's rows by the units of their text.
pub(super) struct Table {
    by_unit: HashMap<u64, Vec<u32>, FixedState>,
    /// How many units each row's text has (0 for a row without a text).
    units: Vec<u32>,
    /// Rows whose text is empty (it has no units, and equals only the empty text).
    empty: Vec<u32>,
}

impl Table {
    pub fn new(rows: &Rows, field: u32) -> Table {
        let mut table = Table { by_unit: HashMap::default(), units: vec![0; rows.len()], empty: Vec::new() };
        for (r, row) in rows.iter().enumerate() {
            let Some(Value::Text(t)) = row.get(field as usize) else { continue };
            if t.is_empty() {
                table.empty.push(r as u32);
            }
            let units = super::similarity::units(t);
            table.units[r] = units.len() as u32;
            for unit in units {
                table.by_unit.entry(unit).or_default().push(r as u32);
            }
        }
        table
    }

    /// The rows whose text's similarity to `text` reaches `at_least` (exceeds it, if
    /// `strict`; a threshold above 0), in row order.
    pub fn reaching(&self, text: &str, at_least: i64, strict: bool) -> Vec<u32> {
        let passes = |score: i64| score > at_least || (!strict && score == at_least);
        if text.is_empty() {
            // Similarity 1 with the empty rows, 0 with the rest.
            return if passes(DECIMAL_SCALE) { self.empty.clone() } else { Vec::new() };
        }
        let units = super::similarity::units(text);
        // Each row once for each unit it shares with the text.
        let mut shared: Vec<u32> =
            units.iter().filter_map(|u| self.by_unit.get(u)).flatten().copied().collect();
        shared.sort_unstable();
        let mut rows = Vec::new();
        for run in shared.chunk_by(|a, b| a == b) {
            let total = (self.units[run[0] as usize] as usize + units.len()) as i64;
            if passes(2 * run.len() as i64 * DECIMAL_SCALE / total) {
                rows.push(run[0]);
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::eval::tests::policy;
    use crate::eval::{EvalError, Evaluator};
    use crate::value::Value;

    /// Tasks named from `names`; `first` goes before every filter (a fallible conjunct
    /// there leaves nothing planned: the scan to compare with).
    fn tasks(names: &[String], first: &str) -> String {
        let items: String = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let (kind, big) = (["a", "b"][i % 2], if i % 3 == 1 { "9000000000000000000" } else { "1" });
                format!("  item \"T{i}\" {{ name: {n:?}, kind: {kind}, n: {i}, big: {big} }}\n")
            })
            .collect();
        format!(
            "policy near\nsource s \"S\" {{ clause c \"c\" }}\nenum K {{ a, b }}\nenum Out {{ yes, no }}\n\
             record Task {{ code: text, name: text, kind: K, n: int, big: int }}\n\
             list tasks: Task key code {{\n{items}}}\n\
             input x {{ name: text, kind: K, at_least: decimal, everything: bool }}\n\
             let alone = count(t in tasks where {first}similarity(t.name, x.name) >= x.at_least)\n\
             let grouped = sum(t in tasks of t.n where {first}t.kind == x.kind and similarity(t.name, x.name) > 0.5)\n\
             let guarded = count(t in tasks where {first}(x.everything or t.kind == x.kind) and x.at_least <= similarity(x.name, t.name))\n\
             let overflowing = sum(t in tasks of t.big where {first}similarity(t.name, x.name) >= 0.3)\n\
             rule r cite s.c {{ when alone > 0 and grouped > 0 and guarded > 0 and overflowing > 0 then yes \"yes\" }}\n\
             decision d: Out by first default no \"no\"\n"
        )
    }

    fn lets(p: &crate::ir::Policy, case: &[Value]) -> Vec<Result<Value, std::mem::Discriminant<EvalError>>> {
        let ev = Evaluator::new(p);
        let mut f = ev.frame(case);
        (0..p.lets.len() as u32)
            .map(|l| ev.let_value(l, &mut f).map_err(|e| std::mem::discriminant(&e)))
            .collect()
    }

    #[test]
    fn every_similarity_conjunct_is_planned_and_none_behind_a_fallible_one() {
        let names = ["养老服务补贴政策宣传", "养老补贴政策宣传", "", "防汛巡查"].map(String::from);
        let [kinds, ..] = Evaluator::new(&policy(&tasks(&names, ""))).indexed_searches_by_kind();
        assert_eq!(kinds, 2, "the two searches with an equality");
        assert_eq!(Evaluator::new(&policy(&tasks(&names, ""))).indexed_searches_by_kind()[3], 2);
        assert_eq!(Evaluator::new(&policy(&tasks(&names, "t.n * 0 == 0 and "))).indexed_searches(), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// Whatever the names (empty, one character, repeated bigrams), the case's text
        /// and the threshold (above 1, 0, below 0), the answers — overflows included —
        /// are a scan's.
        #[test]
        fn answers_are_a_scans(
            names in proptest::collection::vec("[ab网格]{0,4}", 1..8),
            name in "[ab网格]{0,5}",
            kind in 0u32..2,
            at_least in prop_oneof![Just(0i64), Just(-1), Just(1_500_000), Just(1_000_000), Just(500_000), Just(666_666), 1i64..1_000_000],
            everything: bool,
        ) {
            let case = [Value::text(&name), Value::Enum(kind), Value::Dec(at_least), Value::Bool(everything)];
            let indexed = lets(&policy(&tasks(&names, "")), &case);
            prop_assert_eq!(indexed, lets(&policy(&tasks(&names, "t.n * 0 == 0 and ")), &case));
        }
    }
}
