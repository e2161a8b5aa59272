//! List rows with effective dates (`条目 K 自 … 起 { … }`, a data file's `施行日期` /
//! `废止日期` columns) lowered to ordinary expressions, as versions are, so that the
//! interpreter, its list indexes, the analyser and the WASM compiler need nothing of their
//! own and cannot disagree.
//!
//! A list with a dated row gets two more columns, the first and last day of each row
//! (absent: open), and every read of the list as a whole sees only the rows in force on
//! the decision date: a quantifier's (or a check's) filter begins with the row's date
//! test, a lookup `L[k]` of a row not in force is absent, and `x in L` asks for a row in
//! force. A reference (an input field or a cell whose type is the list) names its row
//! whatever the date: it is not a search.
//!
//! The date test `not (from > day) and not (until < day)` holds on both ends (inclusive,
//! as versions are) and when an end is absent, since an ordering with an absent operand is
//! false in both the interpreter and the module.

use super::*;
use crate::value::FromLiteral;

/// The column names of a row's first and last day, in the policy's language.
fn column_names(lang: qingdan_dsl::Lang) -> (&'static str, &'static str) {
    match lang {
        qingdan_dsl::Lang::Zh => ("施行日期", "废止日期"),
        qingdan_dsl::Lang::En => ("from", "until"),
    }
}

/// A row's first and last days, as a dated list's two date columns hold them (absent: open).
pub(super) fn row_days(in_force: Option<qingdan_dsl::syntax::ast::InForce>) -> (Value, Value) {
    let day = |d: Option<qingdan_dsl::value::Date>| d.map_or(Value::None, Value::from_date);
    (day(in_force.and_then(|v| v.from)), day(in_force.and_then(|v| v.until)))
}

impl Lowerer<'_> {
    /// For a list with a dated row: its two date columns appended to `fields` (`rows`
    /// fills them in every row), and their indexes remembered for the searches lowered
    /// later (and returned).
    pub(super) fn date_columns(
        &mut self,
        list: usize,
        fields: &mut Vec<(String, Type)>,
    ) -> Option<(usize, usize)> {
        let items = self.list_items(list);
        if items.heads().all(|item| item.in_force.is_none()) {
            self.dated_lists.push(None);
            return None;
        }
        let (from, until) = column_names(self.policy.lang);
        let opt_date = Type::Opt(Box::new(Type::Date));
        let at = fields.len() as u32;
        fields.push((from.to_string(), opt_date.clone()));
        fields.push((until.to_string(), opt_date));
        self.dated_lists.push(Some((at, at + 1)));
        Some((at as usize, at as usize + 1))
    }

    /// Whether `list` has dated rows.
    fn dated(&self, list: ListId) -> Option<(u32, u32)> {
        self.dated_lists.get(list as usize).copied().flatten()
    }

    /// The decision date as an expression: the case's field, or the fixed day.
    fn day_expr(&self, span: Span) -> Lowered<Expr> {
        match self.date {
            Some(DecisionDate::Fixed(d)) => {
                Ok(self.node(ExprKind::Const(Value::from_date(d)), Type::Date, span))
            }
            Some(DecisionDate::Slot(s)) => Ok(self.node(ExprKind::Slot(s), Type::Date, span)),
            None => unsupported("dated list rows in a policy without a decision date", span),
        }
    }

    /// `row` (a row of `list`, present) is in force on the decision date.
    fn row_in_force(&self, row: Expr, list: ListId, (from, until): (u32, u32)) -> Lowered<Expr> {
        let span = row.span;
        let day = self.day_expr(span)?;
        let opt_date = Type::Opt(Box::new(Type::Date));
        let column = |field: u32| {
            let kind = ExprKind::RowField { row: Box::new(row.clone()), list, field };
            self.node(kind, opt_date.clone(), span)
        };
        let not_beyond = |op: CmpOp, end: Expr| {
            let cmp = self.node(ExprKind::Cmp(op, Box::new(end), Box::new(day.clone())), Type::Bool, span);
            self.node(ExprKind::Not(Box::new(cmp)), Type::Bool, span)
        };
        let started = not_beyond(CmpOp::Gt, column(from));
        let not_ended = not_beyond(CmpOp::Lt, column(until));
        Ok(self.node(ExprKind::And(Box::new(started), Box::new(not_ended)), Type::Bool, span))
    }

    /// A search's filter over `over`, with the row (bound at `level`) tested first for
    /// being in force when `over` is a dated list's rows: `in force and C` selects, and
    /// for `all`, whose `where` is what every row must satisfy, `not in force or C` lets a
    /// row not in force pass without reading it.
    pub(super) fn filter_in_force(
        &self,
        over: &Expr,
        level: usize,
        all: bool,
        filter: Option<Expr>,
    ) -> Lowered<Option<Expr>> {
        let ExprKind::ListRows(list) = over.kind else { return Ok(filter) };
        let Some(columns) = self.dated(list) else { return Ok(filter) };
        let row = self.node(ExprKind::Local(level as u32), Type::Row(list), over.span);
        let test = self.row_in_force(row, list, columns)?;
        let b = Box::new;
        Ok(match (filter, all) {
            (None, true) => None,
            (None, false) => Some(test),
            (Some(f), false) => Some(self.node(ExprKind::And(b(test), b(f)), Type::Bool, over.span)),
            (Some(f), true) => {
                let outside = self.node(ExprKind::Not(b(test)), Type::Bool, over.span);
                Some(self.node(ExprKind::Or(b(outside), b(f)), Type::Bool, over.span))
            }
        })
    }

    /// `L[k]` as found, or absent when the row found is not in force.
    pub(super) fn lookup_in_force(&self, lookup: Expr) -> Lowered<Expr> {
        let ExprKind::Lookup { list, .. } = lookup.kind else { return Ok(lookup) };
        let Some(columns) = self.dated(list) else { return Ok(lookup) };
        let (ty, span) = (lookup.ty.clone(), lookup.span);
        let found = self.node(ExprKind::IsSome(Box::new(lookup.clone())), Type::Bool, span);
        let in_force = self.row_in_force(lookup.clone(), list, columns)?;
        let test = self.node(ExprKind::And(Box::new(found), Box::new(in_force)), Type::Bool, span);
        let absent = self.node(ExprKind::Const(Value::None), ty.clone(), span);
        Ok(self.node(ExprKind::If(Box::new(test), Box::new(lookup), Box::new(absent)), ty, span))
    }

    /// `x in L` for a dated list: a row of L (or a row found by its key) in force.
    pub(super) fn member_in_force(&self, kind: ExprKind, span: Span) -> Lowered<ExprKind> {
        let (list, row) = match kind {
            ExprKind::HasKey { list, key } if self.dated(list).is_some() => {
                let ty = Type::Opt(Box::new(Type::Row(list)));
                (list, self.node(ExprKind::Lookup { list, key }, ty, span))
            }
            ExprKind::IsSome(row) => match row.ty.required() {
                Type::Row(list) if self.dated(*list).is_some() => (*list, *row),
                _ => return Ok(ExprKind::IsSome(row)),
            },
            other => return Ok(other),
        };
        let columns = self.dated(list).expect("a dated list");
        let found = self.node(ExprKind::IsSome(Box::new(row.clone())), Type::Bool, span);
        let in_force = self.row_in_force(row, list, columns)?;
        Ok(ExprKind::And(Box::new(found), Box::new(in_force)))
    }
}
