//! List searches at index speed. Lists are fixed when a policy is loaded, so a quantifier
//! over a list's rows whose filter compares a column with a value that does not depend on
//! the row (`任一(t 属于 清单 满足 t.名称 == 申请.事项名称 且 …)`, counts and sums alike)
//! need only look at the rows holding that value: the rows of each such column are grouped
//! by value once, here, and the quantifier visits the group (in row order) instead of
//! every row. The rest of the filter is still tested on each candidate, so the result —
//! first match, sums, errors — is the one a scan gives.
//!
//! Exactness needs care about what a scan would have evaluated on the rows it skips:
//! - the conjuncts before the equality are tested on every row by a scan; skipping them
//!   is only allowed if they cannot fail (no arithmetic, no sum: see [`infallible`]);
//! - the value compared (and the `c` of the form `c 或 t.列 == v`) is evaluated by a
//!   scan at the first row that reaches it; evaluating it once up front gives the same
//!   result if it cannot fail, or if the equality is the first conjunct and the list has
//!   rows (the scan then evaluates it at row 0 before anything else).
//!
//! Membership in a set that does not depend on the row (`r.类型 属于 [行政执法, 许可审批检查]`)
//! is searched the same way: the rows visited are the groups of the set's elements, merged
//! back into row order (a set holds each value once, so the groups do not overlap).
//!
//! Where the equality is the whole filter, a count is the size of the group, and a sum of a
//! column of the row (`求和(t 属于 清单 取 t.分钟 满足 t.部门 == 申请.部门)`) is the group's
//! total, added up once here: a search of a department's rows costs the same for 40 rows
//! or 40,000. A group whose total a scan could not give (an absent term, an overflow) has
//! none here, and is visited row by row, so the scan's error is the one given.
//!
//! `全部` (all) is not indexed: a row outside the group already makes it false, but which
//! earlier rows a scan would have tested first (and failed on) matters.
//!
//! Searches of a row's words in a case's text (`任一(w 属于 r.识别词 满足 包含(X, w))`) are
//! planned here too, and answered by an automaton (see `words.rs`); so are searches for rows
//! with a text similar to the case's (`相似度(t.名称, X) >= θ` as a conjunct), which visit the
//! rows sharing a bigram with it (see `near.rs`), alone or within an equality's group.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use qingdan_dsl::syntax::ast::QuantKind;

use super::similarity::KnownUnits;
use super::{near, words};

use crate::ir::visit::each_child;
use crate::ir::{CmpOp, Expr, ExprKind, ListId, Policy, Quant};
use crate::value::Value;

type Map<K, V> = HashMap<K, V, FixedState>;

/// How one quantifier uses an index: rows grouped by a column's value, or a row's words
/// found in a text.
pub(super) enum Search<'p> {
    Group(Plan<'p>),
    Words(words::Plan<'p>),
    /// Rows with a similar text, for the quantifier at the binder level given.
    Near(u32, near::Plan<'p>),
}

/// How one quantifier uses a grouping of rows.
pub(super) struct Plan<'p> {
    /// The binder level of the quantifier's row variable (checked again at run time).
    pub level: u32,
    /// Which grouping of [`Indexes::tables`] to read.
    pub table: usize,
    /// The row-independent value the column is compared with.
    pub key: &'p Expr,
    /// In `c 或 t.列 == v`: `c`; when it holds, every row passes the conjunct and all rows
    /// are visited.
    pub unless: Option<&'p Expr>,
    /// Whether `key` is a set and the column is tested for membership in it (`属于`), so
    /// that the rows are those of each of its elements.
    pub member: bool,
    /// Whether the equality is the whole filter, so that the group is exactly the rows
    /// that pass it: a count is the group's size.
    pub whole: bool,
    /// For a sum of a column over such a filter: which of [`Indexes::totals`] holds each
    /// group's total.
    pub totals: Option<usize>,
    /// A similarity conjunct that narrows the group further (or, when `unless` holds,
    /// all rows).
    pub near: Option<near::Plan<'p>>,
}

/// The indexes of one policy: rows grouped by the value of each searched column, and the
/// plan of every quantifier that can use one (keyed by the quantifier's address in the
/// policy, which the evaluator borrows for its whole life).
#[derive(Default)]
pub(super) struct Indexes<'p> {
    plans: Map<usize, Search<'p>>,
    tables: Vec<Map<Value, Vec<u32>>>,
    /// The words of each column searched in a text, compiled.
    words: Vec<words::Table>,
    /// The rows of each column searched by similarity, by bigram.
    near: Vec<near::Table>,
    /// Per grouping and summed column, each group's total (groups whose total a scan
    /// would not give are left out).
    totals: Vec<Map<Value, i64>>,
}

impl<'p> Indexes<'p> {
    pub fn new(policy: &'p Policy) -> Indexes<'p> {
        let mut builder = Builder {
            policy,
            infallible_lets: Vec::new(),
            columns: Map::default(),
            summed: Map::default(),
            word_columns: Map::default(),
            near_columns: Map::default(),
            out: Indexes::default(),
        };
        builder.infallible_lets = policy.lets.iter().map(|_| false).collect();
        for (i, l) in policy.lets.iter().enumerate() {
            // Lets only read earlier lets, so one pass in order settles them all.
            builder.infallible_lets[i] = builder.infallible(&l.value);
        }
        for l in &policy.lets {
            builder.scan(&l.value, 0);
        }
        for r in &policy.rules {
            r.exprs().for_each(|e| builder.scan(e, 0));
        }
        for d in &policy.decisions {
            d.exprs().for_each(|e| builder.scan(e, 0));
        }
        for c in &policy.checks {
            match &c.scope {
                Some(scope) => {
                    builder.scan(&scope.over, 0);
                    scope.filter.iter().for_each(|e| builder.scan(e, 1));
                    builder.scan(&c.body, 1);
                }
                None => builder.scan(&c.body, 0),
            }
        }
        builder.out
    }

    pub fn plan(&self, q: &Quant) -> Option<&Search<'p>> {
        if self.plans.is_empty() {
            return None;
        }
        self.plans.get(&(q as *const Quant as usize))
    }

    /// Similarity table `t` (of a [`near::Plan`]).
    pub fn near(&self, t: usize) -> &near::Table {
        &self.near[t]
    }

    /// Word table `t` (of a [`words::Plan`]).
    pub fn words(&self, t: usize) -> &words::Table {
        &self.words[t]
    }

    /// The rows of grouping `table` whose column holds `value`, in row order.
    pub fn rows(&self, table: usize, value: &Value) -> &[u32] {
        self.tables[table].get(value).map_or(&[], Vec::as_slice)
    }

    /// The total a plan's sum has for the rows holding `value`: `None` where it must be
    /// added up row by row.
    pub fn total(&self, plan: &Plan<'_>, value: &Value) -> Option<i64> {
        let totals = &self.totals[plan.totals?];
        match totals.get(value) {
            Some(&total) => Some(total),
            // No row holds the value: the sum of nothing.
            None if self.rows(plan.table, value).is_empty() => Some(0),
            None => None,
        }
    }

    /// How many quantifiers search by index (for tests).
    pub fn planned(&self) -> usize {
        self.plans.len()
    }

    /// How many search by a column's value, by membership in a set, by words, by
    /// similarity alone (for tests).
    pub fn planned_kinds(&self) -> [usize; 4] {
        let mut kinds = [0; 4];
        for plan in self.plans.values() {
            kinds[match plan {
                Search::Group(p) if p.member => 1,
                Search::Group(_) => 0,
                Search::Words(_) => 2,
                Search::Near(..) => 3,
            }] += 1;
        }
        kinds
    }
}

/// The `similarity` units of every text in the policy's lists (cells and set elements),
/// if the policy compares texts by similarity at all. The texts live in the policy, which
/// outlives the evaluator that holds these.
pub(super) fn list_text_units(policy: &Policy) -> KnownUnits {
    let mut known = KnownUnits::default();
    if !super::similarity::compared_in(policy) {
        return known;
    }
    let mut learn = |v: &Value| match v {
        Value::Text(t) => known.learn(t),
        Value::Set(items) => items.iter().for_each(|i| {
            if let Value::Text(t) = i {
                known.learn(t);
            }
        }),
        _ => {}
    };
    policy.lists.iter().flat_map(|l| l.rows.iter().flatten()).for_each(&mut learn);
    known
}

struct Builder<'p> {
    policy: &'p Policy,
    infallible_lets: Vec<bool>,
    /// A column (which starts at its list) → its grouping in `out.tables`.
    columns: Map<Column, usize>,
    /// A grouping and a summed field → its totals in `out.totals`.
    summed: Map<(usize, u32), usize>,
    /// A list's column of words → its table in `out.words` (`None`: it could not be built).
    word_columns: Map<(ListId, u32), Option<usize>>,
    /// A list's column searched by similarity → its table in `out.near`.
    near_columns: Map<(ListId, u32), usize>,
    out: Indexes<'p>,
}

impl<'p> Builder<'p> {
    /// Finds the quantifiers in `e`, where `depth` binders are in scope.
    fn scan(&mut self, e: &'p Expr, depth: u32) {
        if let ExprKind::Quant(q) = &e.kind {
            self.scan(&q.over, depth);
            if let Some(filter) = &q.filter {
                self.scan(filter, depth + 1);
            }
            if let Some(of) = &q.of {
                self.scan(of, depth + 1);
            }
            self.consider(q, depth);
            self.consider_words(q, depth);
            return;
        }
        each_child(e, &mut |c| self.scan(c, depth));
    }

    fn consider(&mut self, q: &'p Quant, level: u32) {
        let ExprKind::ListRows(list) = q.over.kind else { return };
        let (Some(filter), false) = (&q.filter, q.kind == QuantKind::All) else { return };
        if self.policy.lists[list as usize].rows.is_empty() {
            return;
        }
        let mut conjuncts = Vec::new();
        flatten_and(filter, &mut conjuncts);
        // The first equality and the first similarity conjunct that every row reaches
        // without failing (a scan stops at the first conjunct that may fail).
        let (mut group, mut near) = (None, None);
        for (i, c) in conjuncts.iter().enumerate() {
            if let (None, Some((column, key, unless, member))) = (&group, equality_on_row(c, list, level)) {
                let up_front = [Some(key), unless].into_iter().flatten().all(|e| self.infallible(e));
                if i == 0 || up_front {
                    group = Some((column, key, unless, member));
                }
            }
            if near.is_none() {
                near = self.near(c, list, level);
            }
            if !self.infallible(c) {
                break;
            }
        }
        let search = match (group, near) {
            (Some((column, key, unless, member)), near) => {
                let table = self.table(list, column);
                let whole = conjuncts.len() == 1 && unless.is_none();
                let summed = match (&q.kind, &q.of) {
                    (QuantKind::Sum, Some(of)) if whole && !member => row_field(of, list, level),
                    _ => None,
                };
                let totals = summed.map(|field| self.totals(list, table, field));
                Search::Group(Plan { level, table, key, unless, member, whole, totals, near })
            }
            (None, Some(near)) => Search::Near(level, near),
            (None, None) => return,
        };
        self.out.plans.insert(q as *const Quant as usize, search);
    }

    /// `c` as a similarity conjunct a search can be narrowed by (see `near.rs`).
    fn near(&mut self, c: &'p Expr, list: ListId, level: u32) -> Option<near::Plan<'p>> {
        let (field, text, at_least, strict) = near::recognise(c, list, level)?;
        let free = |e: &Expr| !reads_local(e, level) && !binds(e) && self.infallible(e);
        if !free(text) || !free(at_least) {
            return None;
        }
        let rows = &self.policy.lists[list as usize].rows;
        let tables = &mut self.out.near;
        let table = *self.near_columns.entry((list, field)).or_insert_with(|| {
            tables.push(near::Table::new(rows, field));
            tables.len() - 1
        });
        Some(near::Plan { table, text, at_least, strict })
    }

    /// Plans `q` as a search of a row's words in a text (see `words.rs`), where the text
    /// reads no variable and cannot fail.
    fn consider_words(&mut self, q: &'p Quant, level: u32) {
        let Some((row_level, list, field, text)) = words::recognise(q, level) else { return };
        if reads_any_local(text) || !self.infallible(text) {
            return;
        }
        let rows = &self.policy.lists[list as usize].rows;
        let words = &mut self.out.words;
        let table = *self.word_columns.entry((list, field)).or_insert_with(|| {
            let table = words::Table::new(rows, field)?;
            words.push(table);
            Some(words.len() - 1)
        });
        if let Some(table) = table {
            let plan = words::Plan { row_level, level, table, text };
            self.out.plans.insert(q as *const Quant as usize, Search::Words(plan));
        }
    }

    fn table(&mut self, list: ListId, column: Column) -> usize {
        if let Some(&t) = self.columns.get(&column) {
            return t;
        }
        let mut groups: Map<Value, Vec<u32>> = Map::default();
        for r in 0..self.policy.lists[list as usize].rows.len() as u32 {
            groups.entry(cell(self.policy, r, &column)).or_default().push(r);
        }
        self.out.tables.push(groups);
        let t = self.out.tables.len() - 1;
        self.columns.insert(column, t);
        t
    }

    /// Each group's total of `field` in grouping `table` of `list`, as the search's loop
    /// adds it up (in row order, the sum's own checks): groups it could not add up are
    /// left out.
    fn totals(&mut self, list: ListId, table: usize, field: u32) -> usize {
        if let Some(&t) = self.summed.get(&(table, field)) {
            return t;
        }
        let rows = &self.policy.lists[list as usize].rows;
        let totals = self.out.tables[table]
            .iter()
            .filter_map(|(value, group)| {
                let total = group.iter().try_fold(0i64, |sum, &r| {
                    super::expr::add_to_sum(sum, &rows[r as usize][field as usize])
                });
                Some((value.clone(), total?))
            })
            .collect();
        self.out.totals.push(totals);
        let t = self.out.totals.len() - 1;
        self.summed.insert((table, field), t);
        t
    }

    /// Whether evaluating `e` can never end in an error (so a scan's evaluating it on a
    /// row that an index skips makes no difference). Arithmetic, conversions and sums can
    /// overflow or divide by zero; everything else only reads and compares.
    fn infallible(&self, e: &Expr) -> bool {
        let here = match &e.kind {
            ExprKind::Arith(..) | ExprKind::Neg(_) | ExprKind::ToDecimal(_) => false,
            ExprKind::Quant(q) => q.kind != QuantKind::Sum,
            ExprKind::Let(l) => self.infallible_lets.get(*l as usize).copied().unwrap_or(false),
            _ => true,
        };
        let mut children = true;
        if here {
            each_child(e, &mut |c| children &= self.infallible(c));
        }
        here && children
    }
}

/// The conjuncts of `e` in the order `且` tests them.
fn flatten_and<'p>(e: &'p Expr, out: &mut Vec<&'p Expr>) {
    match &e.kind {
        ExprKind::And(a, b) => {
            flatten_and(a, out);
            flatten_and(b, out);
        }
        _ => out.push(e),
    }
}

/// A column a search compares: a field of the row, or a field of the row another list's
/// reference column names (`t.事项种类.编号`), as steps from the searched list.
type Column = Vec<(ListId, u32)>;

/// `t.列 == v`, `v == t.列`, `t.列 属于 v`, or `c 或 <one of those>`, where `t` is the row
/// variable at `level` over `list` and neither `v` nor `c` reads it: the column, `v`, `c`,
/// and whether `v` is a set the column is a member of.
fn equality_on_row(e: &Expr, list: ListId, level: u32) -> Option<(Column, &Expr, Option<&Expr>, bool)> {
    match &e.kind {
        ExprKind::In(a, set) => {
            let column = row_column(a, list, level)?;
            (!reads_local(set, level) && !binds(set)).then_some((column, &**set, None, true))
        }
        ExprKind::Cmp(CmpOp::Eq, a, b) => {
            let (column, key) = match (row_column(a, list, level), row_column(b, list, level)) {
                (Some(column), None) => (column, &**b),
                (None, Some(column)) => (column, &**a),
                _ => return None,
            };
            (!reads_local(key, level) && !binds(key)).then_some((column, key, None, false))
        }
        ExprKind::Or(c, eq) if !reads_local(c, level) && !binds(c) => {
            let (column, key, None, member) = equality_on_row(eq, list, level)? else { return None };
            Some((column, key, Some(&**c), member))
        }
        _ => None,
    }
}

/// `t.列` for the row variable at `level` of `list` (a field of the row itself): the field.
fn row_field(e: &Expr, list: ListId, level: u32) -> Option<u32> {
    match row_column(e, list, level)?.as_slice() {
        [(l, field)] if *l == list => Some(*field),
        _ => None,
    }
}

/// `t.列` (or `t.列.列…`) for the row variable at `level` of `list`: the column.
fn row_column(e: &Expr, list: ListId, level: u32) -> Option<Column> {
    let ExprKind::RowField { row, list: l, field } = &e.kind else { return None };
    let mut column = match &row.kind {
        ExprKind::Local(n) if *n == level && *l == list => Vec::new(),
        ExprKind::RowField { .. } => row_column(row, list, level)?,
        _ => return None,
    };
    column.push((*l, *field));
    Some(column)
}

/// The value of `column` in row `r` of its list, as `RowField` evaluates it: a step
/// through an absent reference is absent.
fn cell(policy: &Policy, r: u32, column: &Column) -> Value {
    let mut value = Value::Row(r);
    for &(list, field) in column {
        value = match value {
            Value::Row(r) => policy.lists[list as usize].rows[r as usize][field as usize].clone(),
            _ => Value::None,
        };
    }
    value
}

/// Whether `e` binds variables of its own (a quantifier): its variables are numbered as
/// if the row were bound, so it cannot be evaluated before the row is.
fn binds(e: &Expr) -> bool {
    let mut found = false;
    crate::ir::visit::walk(e, &mut |x| found |= matches!(x.kind, ExprKind::Quant(_)));
    found
}

/// Whether `e` reads any variable (lets cannot: they are evaluated with their own).
fn reads_any_local(e: &Expr) -> bool {
    let mut found = false;
    crate::ir::visit::walk(e, &mut |x| found |= matches!(x.kind, ExprKind::Local(_)));
    found
}

/// Whether `e` reads the variable bound at `level` (lets cannot: they are evaluated with
/// their own variables).
fn reads_local(e: &Expr, level: u32) -> bool {
    if matches!(e.kind, ExprKind::Local(n) if n == level) {
        return true;
    }
    let mut found = false;
    each_child(e, &mut |c| found |= reads_local(c, level));
    found
}

#[cfg(test)]
mod tests {
    use crate::eval::tests::policy;
    use crate::eval::{EvalError, Evaluator};
    use crate::value::Value;

    const SEARCHES: &str = r#"
policy searches
source s "S" { clause c "c" }
enum K { a, b }
enum Out { yes, no }
record Dept { code: text, name: text }
record Task { code: text, dept: depts, kind: K, minutes: int }
list depts: Dept key code {
  item "D1" { name: "one" }
  item "D2" { name: "two" }
}
list tasks: Task key code {
  item "T1" { dept: "D1", kind: a, minutes: 10 }
  item "T2" { dept: "D2", kind: b, minutes: 20 }
  item "T3" { dept: "D1", kind: b, minutes: 30 }
}
input x { dept: text, kind: K, everything: bool }
let by_dept = sum(t in tasks of t.minutes where t.dept.code == x.dept)
let by_kind = count(t in tasks where x.kind == t.kind)
let guarded = sum(t in tasks of t.minutes where x.everything or t.dept.code == x.dept)
let failing = any(t in tasks where t.kind == x.kind and 10 / (t.minutes - 30) > 0)
let scanned = any(t in tasks where t.minutes * 2 > 50 and t.code == x.dept)
let nested = count(t in tasks where t.minutes == sum(u in tasks of u.minutes where u.kind == x.kind))
rule r cite s.c { when by_dept > 0 and by_kind > 0 and guarded > 0 and failing and scanned and nested > 0 then yes "yes" }
decision d: Out by first default no "no"
"#;

    fn lets(p: &crate::ir::Policy, case: &[Value]) -> Vec<Result<Value, EvalError>> {
        let ev = Evaluator::new(p);
        let mut f = ev.frame(case);
        (0..p.lets.len() as u32).map(|l| ev.let_value(l, &mut f)).collect()
    }

    #[test]
    fn searches_by_a_column_visit_only_its_rows_and_agree_with_a_scan() {
        let p = policy(SEARCHES);
        // Every search but `scanned`, whose first conjunct (arithmetic) a scan tests on
        // every row (skipping rows could hide its overflow), and the outer search of
        // `nested`, whose value is a search numbered as if the row were bound.
        assert_eq!(Evaluator::new(&p).indexed_searches(), 5);
        let case = |dept: &str, kind: u32, everything: bool| {
            vec![Value::text(dept), Value::Enum(kind), Value::Bool(everything)]
        };
        let got = lets(&p, &case("D1", 0, false));
        assert_eq!(
            got[..4],
            [Ok(Value::Int(40)), Ok(Value::Int(1)), Ok(Value::Int(40)), Ok(Value::Bool(false))]
        );
        // The guard holds: every row counts.
        assert_eq!(lets(&p, &case("D1", 0, true))[2], Ok(Value::Int(60)));
        // A value no row holds, and an absent one (fresh texts are not in the index).
        assert_eq!(lets(&p, &case("D9", 0, false))[0], Ok(Value::Int(0)));
        assert_eq!(lets(&p, &[Value::None, Value::Enum(0), Value::Bool(false)])[0], Ok(Value::Int(0)));
        // Kind b: T2 is tested (false), then T3 divides by zero, as a scan would.
        assert!(matches!(lets(&p, &case("D1", 1, false))[3], Err(EvalError::DivisionByZero(_))));
        assert_eq!(lets(&p, &case("T3", 1, false))[4], Ok(Value::Bool(true)));
        // Kind b: T2 + T3 = 50 minutes, which no row has; kind a: T1's 10, which T1 has.
        assert_eq!(lets(&p, &case("D1", 1, false))[5], Ok(Value::Int(0)));
        assert_eq!(lets(&p, &case("D1", 0, false))[5], Ok(Value::Int(1)));
    }

    /// Membership in a set that does not read the row visits the groups of its elements:
    /// none, one, or several merged back into row order (a `first`-like answer, the first
    /// row with an overflow, shows the order). Every answer is the scan's (the same policy
    /// with a conjunct only a scan can test first).
    #[test]
    fn membership_visits_the_groups_of_the_sets_elements_in_row_order() {
        let text = |first: &str| {
            format!(
                "policy members\nsource s \"S\" {{ clause c \"c\" }}\nenum K {{ a, b, c, d }}\n\
                 enum Out {{ yes, no }}\n\
                 record Task {{ code: text, kind: K, minutes: int }}\n\
                 list tasks: Task key code {{\n\
                   item \"T1\" {{ kind: b, minutes: 10 }}\n\
                   item \"T2\" {{ kind: a, minutes: 9000000000000000000 }}\n\
                   item \"T3\" {{ kind: b, minutes: 30 }}\n\
                   item \"T4\" {{ kind: c, minutes: 9000000000000000000 }}\n}}\n\
                 input x {{ kinds: set of K, one: K, everything: bool }}\n\
                 let written = count(t in tasks where {first}t.kind in [a, x.one])\n\
                 let chosen = sum(t in tasks of t.minutes where {first}t.kind in x.kinds)\n\
                 let guarded = sum(t in tasks of t.minutes where {first}(x.everything or t.kind in x.kinds))\n\
                 let found = any(t in tasks where {first}t.kind in x.kinds and t.minutes > 20)\n\
                 rule r cite s.c {{ when written > 0 and chosen > 0 and guarded > 0 and found then yes \"yes\" }}\n\
                 decision d: Out by first default no \"no\"\n"
            )
        };
        let (indexed, scanned) = (policy(&text("")), policy(&text("t.minutes * 0 == 0 and ")));
        assert_eq!(Evaluator::new(&indexed).indexed_searches(), 4);
        assert_eq!(Evaluator::new(&scanned).indexed_searches(), 0);
        let kinds = |ks: &[u32]| Value::set(ks.iter().map(|&k| Value::Enum(k)).collect());
        let mut seen = Vec::new();
        for (set, one, everything) in [
            (vec![], 3, false),
            (vec![1], 1, false),
            (vec![1, 3], 2, false),
            (vec![0, 2], 0, false),
            (vec![1], 3, true),
        ] {
            let case = [kinds(&set), Value::Enum(one), Value::Bool(everything)];
            let got = lets(&indexed, &case);
            let errors = |r: &[Result<Value, EvalError>]| -> Vec<_> {
                r.iter().map(|v| v.as_ref().map_err(std::mem::discriminant).cloned()).collect()
            };
            assert_eq!(errors(&got), errors(&lets(&scanned, &case)), "{set:?} {one}");
            seen.push(got);
        }
        // Kinds {b} (and [a, b] written): T1 and T3, 40 minutes, T3 over 20 (T1, T2, T3
        // written); {b, d}: the same rows; {a, c}: T2 and T4 overflow the sum.
        assert_eq!(
            seen[1],
            [Ok(Value::Int(3)), Ok(Value::Int(40)), Ok(Value::Int(40)), Ok(Value::Bool(true))]
        );
        assert_eq!(seen[2][1..], [Ok(Value::Int(40)), Ok(Value::Int(40)), Ok(Value::Bool(true))]);
        assert!(matches!(seen[3][1], Err(EvalError::Overflow(_))), "{:?}", seen[3]);
        // No kinds given (and [a, d] written): T2 written, nothing summed.
        assert_eq!(seen[0][..2], [Ok(Value::Int(1)), Ok(Value::Int(0))]);
    }

    /// A count or sum whose filter is only the equality is the group's size or total; a
    /// group a scan would overflow on is still added up row by row, to the scan's error;
    /// a value no row holds counts and sums to nothing. Each answer is the scan's (the
    /// same policy with a conjunct only a scan can test first).
    #[test]
    fn counts_and_sums_of_a_whole_group_are_its_size_and_total() {
        let text = |first: &str| {
            format!(
                "policy totals\nsource s \"S\" {{ clause c \"c\" }}\nenum Out {{ yes, no }}\n\
                 record Task {{ code: text, dept: text, minutes: int }}\n\
                 list tasks: Task key code {{\n\
                   item \"T1\" {{ dept: \"D1\", minutes: 10 }}\n\
                   item \"T2\" {{ dept: \"D2\", minutes: 9000000000000000000 }}\n\
                   item \"T3\" {{ dept: \"D1\", minutes: 30 }}\n\
                   item \"T4\" {{ dept: \"D2\", minutes: 9000000000000000000 }}\n}}\n\
                 input x {{ dept: text }}\n\
                 let minutes = sum(t in tasks of t.minutes where {first}t.dept == x.dept)\n\
                 let tasks_of = count(t in tasks where {first}t.dept == x.dept)\n\
                 rule r cite s.c {{ when minutes > 0 and tasks_of > 0 then yes \"yes\" }}\n\
                 decision d: Out by first default no \"no\"\n"
            )
        };
        let (indexed, scanned) = (policy(&text("")), policy(&text("t.minutes * 0 == 0 and ")));
        assert_eq!(Evaluator::new(&indexed).indexed_searches(), 2);
        assert_eq!(Evaluator::new(&scanned).indexed_searches(), 0);
        for dept in ["D1", "D2", "D9"] {
            let case = [Value::text(dept)];
            let got = lets(&indexed, &case);
            // The same values and the same errors (whose spans differ with the text).
            let kinds = |r: &[Result<Value, EvalError>]| -> Vec<_> {
                r.iter().map(|v| v.as_ref().map_err(std::mem::discriminant).cloned()).collect()
            };
            assert_eq!(kinds(&got), kinds(&lets(&scanned, &case)), "{dept}");
            match dept {
                "D1" => assert_eq!(got, [Ok(Value::Int(40)), Ok(Value::Int(2))]),
                "D2" => {
                    assert!(matches!(got[..], [Err(EvalError::Overflow(_)), Ok(Value::Int(2))]), "{got:?}")
                }
                _ => assert_eq!(got, [Ok(Value::Int(0)), Ok(Value::Int(0))]),
            }
        }
    }
}
