//! Evaluating IR expressions over one case. Lets are computed on first use and
//! remembered for the rest of the evaluation; nothing is allocated per expression except
//! set values and texts built by the policy itself.

use std::borrow::Cow;
use std::cmp::Ordering;

use qingdan_dsl::check::builtins::Builtin;
use qingdan_dsl::syntax::ast::QuantKind;
use qingdan_dsl::value::Date;
use smallvec::SmallVec;

use super::{index, near, words, EvalError, Evaluator, Frame};
use crate::ir::{ArithOp, CmpOp, Expr, ExprKind};
use crate::value::{in_range, Value, DECIMAL_SCALE};

type Eval = Result<Value, EvalError>;

impl Evaluator<'_> {
    pub(super) fn eval(&self, e: &Expr, f: &mut Frame<'_>) -> Eval {
        Ok(match &e.kind {
            ExprKind::Const(v) => v.clone(),
            ExprKind::Slot(s) => f.case.get(*s as usize).cloned().unwrap_or_default(),
            ExprKind::Let(l) => self.let_value(*l, f)?,
            ExprKind::Local(n) => f.locals.get(*n as usize).cloned().unwrap_or_default(),
            ExprKind::RowField { row, list, field } => match self.eval(row, f)? {
                Value::Row(r) => self.policy.lists[*list as usize].rows[r as usize][*field as usize].clone(),
                _ => Value::None,
            },
            ExprKind::ListRows(l) => {
                Value::Set((0..self.policy.lists[*l as usize].rows.len() as u32).map(Value::Row).collect())
            }
            ExprKind::Lookup { list, key } => {
                let key = self.eval(key, f)?;
                self.keys(*list).get(&key).map_or(Value::None, |r| Value::Row(*r))
            }
            ExprKind::HasKey { list, key } => Value::Bool(self.keys(*list).contains_key(&self.eval(key, f)?)),
            ExprKind::Not(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
            | ExprKind::Cmp(..)
            | ExprKind::IsSome(_) => Value::Bool(self.truth(e, f)?),
            ExprKind::Neg(x) => match self.eval(x, f)? {
                Value::Int(i) => Value::Int(i.checked_neg().ok_or(EvalError::Overflow(e.span))?),
                Value::Dec(d) => Value::Dec(d.checked_neg().ok_or(EvalError::Overflow(e.span))?),
                other => other,
            },
            ExprKind::ToDecimal(x) => to_decimal(self.eval(x, f)?).ok_or(EvalError::Overflow(e.span))?,
            ExprKind::Arith(op, a, b) => {
                // Operands read in place where they can be (input fields, constants).
                let result = match (self.peek(a, f), self.peek(b, f)) {
                    (Some(x), Some(y)) => arith(*op, x.clone(), y.clone()),
                    _ => {
                        let x = self.eval(a, f)?;
                        arith(*op, x, self.eval(b, f)?)
                    }
                };
                result.map_err(|fault| match fault {
                    Fault::DivisionByZero => EvalError::DivisionByZero(e.span),
                    Fault::Overflow => EvalError::Overflow(e.span),
                })?
            }
            ExprKind::In(x, set) => {
                let member = |x: &Value, set: &Value| match set {
                    Value::Set(items) => items.binary_search(x).is_ok(),
                    _ => false,
                };
                // Both read in place where they can be (a row's set field, a variable).
                if let (Some(x), Some(set)) = (self.peek(x, f), self.peek(set, f)) {
                    return Ok(Value::Bool(member(x, set)));
                }
                // A set written out (`类型 属于 [行政执法, 许可审批检查]`, tested on every
                // row a search visits) is not built: its elements are compared in place.
                if let (Some(x), ExprKind::SetOf(items)) = (self.peek(x, f), &set.kind) {
                    let mut elements = items.iter().map(|i| self.peek(i, f));
                    if elements.clone().all(|i| i.is_some()) {
                        return Ok(Value::Bool(elements.any(|i| i == Some(x))));
                    }
                }
                let x = self.eval(x, f)?;
                Value::Bool(member(&x, &self.eval(set, f)?))
            }
            ExprKind::If(c, t, o) => {
                if self.eval(c, f)?.as_bool() {
                    self.eval(t, f)?
                } else {
                    self.eval(o, f)?
                }
            }
            ExprKind::SetOf(items) => {
                Value::set(items.iter().map(|i| self.eval(i, f)).collect::<Result<_, _>>()?)
            }
            ExprKind::Call(b, args) => {
                // Arguments read in place where they can be (a row's text, an input
                // field), else evaluated; builtins take at most three, kept on the stack.
                if args.iter().all(|a| self.peek(a, f).is_some()) {
                    let args: SmallVec<[&Value; 3]> = args.iter().filter_map(|a| self.peek(a, f)).collect();
                    if let (Builtin::Similarity, [Value::Text(a), Value::Text(b)]) = (b, args.as_slice()) {
                        // A list's texts have their units computed when the policy loaded.
                        return Ok(Value::Dec(super::similarity::similarity_known(a, b, &self.known_units)));
                    }
                    return call(*b, &args).ok_or(EvalError::Overflow(e.span));
                }
                let owned =
                    args.iter().map(|a| self.eval(a, f)).collect::<Result<SmallVec<[Value; 3]>, _>>()?;
                let args: SmallVec<[&Value; 3]> = owned.iter().collect();
                call(*b, &args).ok_or(EvalError::Overflow(e.span))?
            }
            ExprKind::Quant(q) => {
                if f.locals.is_empty() && !self.search_memos.is_empty() {
                    if let Some(memo) = self.search_memos.get(&(e as *const Expr as usize)) {
                        let case = f.case;
                        return memo.answer(case, || self.quantify(e, q, f));
                    }
                }
                self.quantify(e, q, f)?
            }
        })
    }

    /// A quantifier's value: `any`, `all`, `count` or `sum` over a list's rows or a set.
    fn quantify(&self, e: &Expr, q: &crate::ir::Quant, f: &mut Frame<'_>) -> Eval {
        let items = match &q.over.kind {
            // Rows are numbered; no need to build the set of them. A search by a
            // column visits only the rows holding the value (see `index.rs`).
            ExprKind::ListRows(_) | ExprKind::RowField { .. } => match self.indexed_rows(q, f)? {
                Some(Found::Rows(rows)) => Items::Picked(rows),
                Some(Found::Count(n)) => return Ok(Value::Int(n as i64)),
                Some(Found::Total(total)) => return Ok(sum_of(e, total)),
                Some(Found::Any(found)) => return Ok(Value::Bool(found)),
                None => match &q.over.kind {
                    ExprKind::ListRows(l) => Items::Rows(self.policy.lists[*l as usize].rows.len() as u32),
                    _ => self.items(&q.over, f)?,
                },
            },
            _ => self.items(&q.over, f)?,
        };
        let (mut count, mut sum, mut all) = (0i64, 0i64, true);
        for i in 0..items.len() {
            f.locals.push(items.get(i));
            let selected = match &q.filter {
                Some(c) => self.truth(c, f),
                None => Ok(true),
            };
            let result = selected.and_then(|sel| {
                if q.kind == QuantKind::All {
                    all &= sel;
                } else if sel {
                    count += 1;
                    if q.kind == QuantKind::Sum {
                        let v = match &q.of {
                            Some(of) => self.eval(of, f)?,
                            None => f.locals.last().cloned().unwrap_or_default(),
                        };
                        sum = add_to_sum(sum, &v).ok_or(EvalError::Overflow(e.span))?;
                    }
                }
                Ok(())
            });
            f.locals.pop();
            result?;
            if (q.kind == QuantKind::Any && count > 0) || (q.kind == QuantKind::All && !all) {
                break;
            }
        }
        Ok(match q.kind {
            QuantKind::Any => Value::Bool(count > 0),
            QuantKind::All => Value::Bool(all),
            QuantKind::Count => Value::Int(count),
            QuantKind::Sum => sum_of(e, sum),
        })
    }

    /// The elements of a set a quantifier goes over.
    fn items(&self, over: &Expr, f: &mut Frame<'_>) -> Result<Items<'_>, EvalError> {
        Ok(match self.eval(over, f)? {
            Value::Set(items) => Items::Set(items),
            _ => Items::Rows(0),
        })
    }

    /// A condition's truth, without building a `Value` where the operands can be read in
    /// place: this is the interpreter's hot path (rules are mostly comparisons of input
    /// fields with constants).
    pub(super) fn truth(&self, e: &Expr, f: &mut Frame<'_>) -> Result<bool, EvalError> {
        match &e.kind {
            ExprKind::Cmp(op, a, b) => {
                if let (Some(x), Some(y)) = (self.peek(a, f), self.peek(b, f)) {
                    return Ok(compare(*op, x, y));
                }
                let x = self.eval(a, f)?;
                Ok(compare(*op, &x, &self.eval(b, f)?))
            }
            ExprKind::And(a, b) => Ok(self.truth(a, f)? && self.truth(b, f)?),
            ExprKind::Or(a, b) => Ok(self.truth(a, f)? || self.truth(b, f)?),
            ExprKind::Not(x) => Ok(!self.truth(x, f)?),
            ExprKind::IsSome(x) => match self.peek(x, f) {
                Some(v) => Ok(*v != Value::None),
                None => Ok(self.eval(x, f)? != Value::None),
            },
            _ => match self.peek(e, f) {
                Some(v) => Ok(v.as_bool()),
                None => Ok(self.eval(e, f)?.as_bool()),
            },
        }
    }

    /// Computes a let into the frame if it is not there yet.
    pub(super) fn ensure_let(&self, l: u32, f: &mut Frame<'_>) -> Result<(), EvalError> {
        if f.lets.get(l as usize).is_some_and(Option::is_none) {
            let value = &self.policy.lets[l as usize].value;
            let v = match int_product(value, f.case) {
                Some(product) => product,
                None => self.let_body(l, f)?,
            };
            f.lets[l as usize] = Some(v);
        }
        Ok(())
    }

    /// The value of let `l` in this case (computed once, then remembered).
    pub fn let_value(&self, l: u32, f: &mut Frame<'_>) -> Eval {
        if let Some(v) = f.lets.get(l as usize).and_then(Option::as_ref) {
            return Ok(v.clone());
        }
        let v = self.let_body(l, f)?;
        if let Some(slot) = f.lets.get_mut(l as usize) {
            *slot = Some(v.clone());
        }
        Ok(v)
    }
}

impl Evaluator<'_> {
    /// A let's value. Its variables are numbered from its own outermost binder, so the
    /// variables bound where it is used (a check's row, an enclosing quantifier) are set
    /// aside meanwhile; otherwise its first variable would read theirs.
    fn let_body(&self, l: u32, f: &mut Frame<'_>) -> Eval {
        if let Some(Some(constant)) = self.constant_lets.get(l as usize) {
            return constant.clone();
        }
        if let Some(Some(steps)) = self.let_steps.get(l as usize) {
            let case = f.case;
            return steps.answer(case, || self.let_now(l, f));
        }
        if let Some(Some(memo)) = self.let_memos.get(l as usize) {
            let case = f.case;
            return memo.answer(case, || self.let_now(l, f));
        }
        self.let_now(l, f)
    }

    fn let_now(&self, l: u32, f: &mut Frame<'_>) -> Eval {
        let value = &self.policy.lets[l as usize].value;
        if f.locals.is_empty() {
            return self.eval(value, f);
        }
        let outer = std::mem::take(&mut f.locals);
        let v = self.eval(value, f);
        f.locals = outer;
        v
    }
}

impl Evaluator<'_> {
    /// The rows a quantifier over a list needs to visit when it searches by an indexed
    /// column, or its answer; `None` when it must scan them all.
    fn indexed_rows(&self, q: &crate::ir::Quant, f: &mut Frame<'_>) -> Result<Option<Found<'_>>, EvalError> {
        let plan = match self.indexes.plan(q) {
            None => return Ok(None),
            Some(index::Search::Words(plan)) => return Ok(self.has_word(plan, f)?.map(Found::Any)),
            Some(index::Search::Near(level, near)) if f.locals.len() == *level as usize => {
                return Ok(self.near_rows(near, None, f)?.map(Found::Rows));
            }
            Some(index::Search::Near(..)) => return Ok(None),
            Some(index::Search::Group(plan)) => plan,
        };
        if f.locals.len() != plan.level as usize {
            return Ok(None);
        }
        if let Some(c) = plan.unless {
            if self.truth(c, f)? {
                // Every row passes the equality's conjunct: a similarity one may narrow them.
                return Ok(match &plan.near {
                    Some(near) => self.near_rows(near, None, f)?.map(Found::Rows),
                    None => None,
                });
            }
        }
        let owned;
        let key = match self.peek(plan.key, f) {
            Some(v) => v,
            None => {
                owned = self.eval(plan.key, f)?;
                &owned
            }
        };
        let group = match plan.member {
            true => self.members(plan.table, key),
            false => Cow::Borrowed(self.indexes.rows(plan.table, key)),
        };
        if let Some(near) = &plan.near {
            // Only with other conjuncts: no count or total of the group stands for the answer.
            return Ok(Some(Found::Rows(self.near_rows(near, Some(&group), f)?.unwrap_or(group))));
        }
        // Where the group is exactly the rows that pass, a count is its size and a sum
        // of a column its total (see index.rs; a membership's groups have no totals).
        let found = match q.kind {
            QuantKind::Count if plan.whole => Some(Found::Count(group.len())),
            QuantKind::Sum => self.indexes.total(plan, key).map(Found::Total),
            _ => None,
        };
        Ok(Some(found.unwrap_or(Found::Rows(group))))
    }

    /// The rows (of `within`, if given) whose text is similar enough to the case's to pass
    /// a similarity conjunct (see `near.rs`); `None` where every row must be visited (the
    /// threshold is not above 0).
    fn near_rows(
        &self,
        near: &near::Plan<'_>,
        within: Option<&[u32]>,
        f: &mut Frame<'_>,
    ) -> Result<Option<Cow<'_, [u32]>>, EvalError> {
        let at_least = match self.eval(near.at_least, f)? {
            Value::Dec(at_least) if at_least > 0 => at_least,
            _ => return Ok(None),
        };
        // An absent text has no similarity to any row: no comparison with it passes.
        let Value::Text(text) = self.eval(near.text, f)? else { return Ok(Some(Cow::Borrowed(&[]))) };
        let mut rows = self.indexes.near(near.table).reaching(&text, at_least, near.strict);
        if let Some(within) = within {
            rows.retain(|r| within.binary_search(r).is_ok());
        }
        Ok(Some(Cow::Owned(rows)))
    }

    /// The rows of grouping `table` whose column is an element of `set`, in row order.
    fn members(&self, table: usize, set: &Value) -> Cow<'_, [u32]> {
        let Value::Set(elements) = set else { return Cow::Borrowed(&[]) };
        let mut groups = elements.iter().map(|v| self.indexes.rows(table, v)).filter(|g| !g.is_empty());
        match (groups.next(), groups.next()) {
            (None, _) => Cow::Borrowed(&[]),
            (Some(only), None) => Cow::Borrowed(only),
            (Some(first), Some(second)) => {
                let mut rows: Vec<u32> = first.iter().chain(second).copied().collect();
                groups.for_each(|g| rows.extend_from_slice(g));
                // The groups are disjoint: sorting restores the row order a scan visits.
                rows.sort_unstable();
                Cow::Owned(rows)
            }
        }
    }
}

impl Evaluator<'_> {
    /// Whether the row a word search is at lists a word of the case's text (see
    /// `words.rs`); `None` where it must scan.
    fn has_word(&self, plan: &words::Plan<'_>, f: &mut Frame<'_>) -> Result<Option<bool>, EvalError> {
        let Some(&Value::Row(r)) = f.locals.get(plan.row_level as usize) else { return Ok(None) };
        if f.locals.len() != plan.level as usize {
            return Ok(None);
        }
        let t = plan.table;
        // Usually the text's rows are found already: read them without taking the text.
        if let (Some(Value::Text(text)), Some(hits)) = (self.peek(plan.text, f), f.words.get(t)) {
            if let Some(found) = hits.known(text, r) {
                return Ok(Some(found));
            }
        }
        // `包含` of an absent text is false for every word.
        let Value::Text(text) = self.eval(plan.text, f)? else { return Ok(Some(false)) };
        if f.words.len() <= t {
            f.words.resize_with(t + 1, Default::default);
        }
        Ok(Some(f.words[t].has_word(self.indexes.words(t), &text, r)))
    }
}

/// A sum's value, of the sum expression `e`'s type.
fn sum_of(e: &Expr, sum: i64) -> Value {
    match e.ty {
        crate::ir::Type::Decimal => Value::Dec(sum),
        _ => Value::Int(sum),
    }
}

/// What an index finds for a search: the rows to visit, or the answer itself (a count, a
/// sum's total).
enum Found<'a> {
    Rows(Cow<'a, [u32]>),
    Count(usize),
    Total(i64),
    /// A search's answer: whether a row lists a word of a text.
    Any(bool),
}

/// `slot × slot` of two integers — the workload lets (`频次 × 分钟`) — computed without the
/// general evaluator; `None` for anything else, including an overflow (the general path
/// then reports it).
fn int_product(e: &Expr, case: &[Value]) -> Option<Value> {
    let ExprKind::Arith(ArithOp::IntMul, a, b) = &e.kind else { return None };
    match (&a.kind, &b.kind) {
        (ExprKind::Slot(x), ExprKind::Slot(y)) => match (case.get(*x as usize)?, case.get(*y as usize)?) {
            (Value::Int(x), Value::Int(y)) => x.checked_mul(*y).and_then(in_range).map(Value::Int),
            _ => None,
        },
        _ => None,
    }
}

impl Evaluator<'_> {
    /// A value that can be read where it is (a constant, an input field, a computed let, a
    /// bound variable, or a field of a row any of those names), without evaluating or
    /// cloning: comparisons of row fields inside quantifiers are the hot path of policies
    /// that search their lists.
    fn peek<'a>(&'a self, e: &'a Expr, f: &'a Frame<'_>) -> Option<&'a Value> {
        match &e.kind {
            ExprKind::Const(v) => Some(v),
            ExprKind::Slot(s) => f.case.get(*s as usize),
            ExprKind::Let(l) => match f.lets.get(*l as usize).and_then(Option::as_ref) {
                Some(v) => Some(v),
                None => self.constant_lets.get(*l as usize)?.as_ref()?.as_ref().ok(),
            },
            ExprKind::Local(n) => f.locals.get(*n as usize),
            ExprKind::RowField { row, list, field } => match self.peek(row, f)? {
                Value::Row(r) => {
                    self.policy.lists.get(*list as usize)?.rows.get(*r as usize)?.get(*field as usize)
                }
                _ => None,
            },
            _ => None,
        }
    }
}

enum Items<'a> {
    Rows(u32),
    /// Some rows of a list, in row order.
    Picked(Cow<'a, [u32]>),
    Set(std::sync::Arc<[Value]>),
}

impl Items<'_> {
    fn len(&self) -> usize {
        match self {
            Items::Rows(n) => *n as usize,
            Items::Picked(rows) => rows.len(),
            Items::Set(items) => items.len(),
        }
    }

    /// Item `i`: a row index, or a set's element (cloned: it is bound as a variable).
    fn get(&self, i: usize) -> Value {
        match self {
            Items::Rows(_) => Value::Row(i as u32),
            Items::Picked(rows) => Value::Row(rows[i]),
            Items::Set(items) => items.get(i).cloned().unwrap_or_default(),
        }
    }
}

/// Adds a term to a sum of its own type (the verifier makes every term of one sum one
/// type); an absent term or an overflow is `None`.
pub(super) fn add_to_sum(sum: i64, v: &Value) -> Option<i64> {
    match v {
        Value::Int(x) | Value::Dec(x) => in_range(sum.checked_add(*x)?),
        _ => None,
    }
}

/// An int as a decimal (a set of ints element by element); `None` when an int is too
/// large to scale. Absent stays absent.
pub fn to_decimal(v: Value) -> Option<Value> {
    Some(match v {
        Value::Int(i) => Value::Dec(in_range(i.checked_mul(DECIMAL_SCALE)?)?),
        // Scaling keeps the order, so the converted elements stay sorted.
        Value::Set(items) => Value::Set(items.iter().cloned().map(to_decimal).collect::<Option<_>>()?),
        other => other,
    })
}

/// Comparison of two values of one type (the verifier guarantees it); an absent value
/// equals only an absent value and is neither less nor greater than anything.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> bool {
    let ord = match (a, b) {
        // The common cases first, compared directly.
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Enum(x), Value::Enum(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Dec(x), Value::Dec(y)) => Some(x.cmp(y)),
        (Value::None, Value::None) => Some(Ordering::Equal),
        (Value::None, _) | (_, Value::None) => None,
        _ => Some(a.cmp(b)),
    };
    match (op, ord) {
        (CmpOp::Eq, o) => o == Some(Ordering::Equal),
        (CmpOp::Ne, o) => o != Some(Ordering::Equal),
        (_, None) => false,
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
    }
}

/// Why arithmetic has no result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Overflow,
    DivisionByZero,
}

/// Arithmetic on two values of the operator's own types; an absent operand gives an
/// absent result.
pub fn arith(op: ArithOp, a: Value, b: Value) -> Result<Value, Fault> {
    if a == Value::None || b == Value::None {
        return Ok(Value::None);
    }
    fn of<T>(v: Option<T>) -> Result<T, Fault> {
        v.ok_or(Fault::Overflow)
    }
    Ok(match (op, a, b) {
        (ArithOp::IntAdd, Value::Int(x), Value::Int(y)) => {
            Value::Int(of(x.checked_add(y).and_then(in_range))?)
        }
        (ArithOp::IntSub, Value::Int(x), Value::Int(y)) => {
            Value::Int(of(x.checked_sub(y).and_then(in_range))?)
        }
        (ArithOp::IntMul, Value::Int(x), Value::Int(y)) => {
            Value::Int(of(x.checked_mul(y).and_then(in_range))?)
        }
        (ArithOp::DecAdd, Value::Dec(x), Value::Dec(y)) => {
            Value::Dec(of(x.checked_add(y).and_then(in_range))?)
        }
        (ArithOp::DecSub, Value::Dec(x), Value::Dec(y)) => {
            Value::Dec(of(x.checked_sub(y).and_then(in_range))?)
        }
        (ArithOp::DecMul, Value::Dec(x), Value::Dec(y)) => {
            let n = i128::from(x) * i128::from(y);
            Value::Dec(of(div_round(n, DECIMAL_SCALE.into()))?)
        }
        (ArithOp::Div, Value::Dec(x), Value::Dec(y)) => {
            if y == 0 {
                return Err(Fault::DivisionByZero);
            }
            // 128-bit division is slow; most quotients fit 64 bits.
            Value::Dec(of(match x.checked_mul(DECIMAL_SCALE) {
                Some(n) => div_round(n.into(), y.into()),
                None => div_round(i128::from(x) * i128::from(DECIMAL_SCALE), y.into()),
            })?)
        }
        (ArithOp::DateAddDays, Value::Date(d), Value::Int(n)) => Value::Date(of(add_days(d, n))?),
        (ArithOp::DateSubDays, Value::Date(d), Value::Int(n)) => {
            Value::Date(of(n.checked_neg().and_then(|n| add_days(d, n)))?)
        }
        (ArithOp::DateDiff, Value::Date(x), Value::Date(y)) => Value::Int(i64::from(x) - i64::from(y)),
        _ => Value::None,
    })
}

/// Division rounding half away from zero, as money is rounded; `None` for ÷0 or overflow.
fn div_round(n: i128, d: i128) -> Option<i64> {
    if d == 0 {
        return None;
    }
    if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d)) {
        let (q, r) = (n / d, n % d);
        let away = 2 * (r as i128).abs() >= (d as i128).abs();
        return q.checked_add(if away { n.signum() * d.signum() } else { 0 }).and_then(in_range);
    }
    let q = n / d;
    let r = n % d;
    let q = if 2 * r.abs() >= d.abs() { q + (n.signum() * d.signum()) } else { q };
    i64::try_from(q).ok().and_then(in_range)
}

fn add_days(d: i32, n: i64) -> Option<i32> {
    // Keep dates within years 0..=9999 so they always print as YYYY-MM-DD.
    let days = i64::from(d).checked_add(n)?;
    (-719_528..=2_932_896).contains(&days).then_some(days as i32)
}

fn call(b: Builtin, args: &[&Value]) -> Option<Value> {
    Some(match (b, args) {
        (Builtin::Length, [Value::Text(t)]) => Value::Int(t.chars().count() as i64),
        (Builtin::Length, [Value::Set(s)]) => Value::Int(s.len() as i64),
        (Builtin::Contains, [Value::Text(t), Value::Text(s)]) => Value::Bool(t.contains(&**s)),
        (Builtin::Contains, [Value::Set(items), x]) => Value::Bool(items.binary_search(x).is_ok()),
        (Builtin::StartsWith, [Value::Text(t), Value::Text(s)]) => Value::Bool(t.starts_with(&**s)),
        (Builtin::Min | Builtin::Max, [Value::None, _] | [_, Value::None]) => Value::None,
        (Builtin::Min | Builtin::Max, [x, y]) => {
            let x_first = compare(CmpOp::Le, x, y) == (b == Builtin::Min);
            Value::clone(if x_first { x } else { y })
        }
        (Builtin::Year, [Value::Date(d)]) => {
            Value::Int(i64::from(Date::from_days_since_epoch(i64::from(*d)).year))
        }
        (Builtin::Month, [Value::Date(d)]) => {
            Value::Int(i64::from(Date::from_days_since_epoch(i64::from(*d)).month))
        }
        (Builtin::DaysBetween, [Value::Date(a), Value::Date(b)]) => Value::Int(i64::from(*b) - i64::from(*a)),
        (Builtin::Similarity, [Value::Text(a), Value::Text(b)]) => {
            Value::Dec(super::similarity::similarity(a, b))
        }
        _ => Value::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arithmetic_is_exact_and_rounds_half_away_from_zero() {
        let d = |x: i64| Value::Dec(x);
        assert_eq!(arith(ArithOp::Div, d(1_000_000), d(3_000_000)), Ok(d(333_333)));
        assert_eq!(arith(ArithOp::Div, d(2_000_000), d(3_000_000)), Ok(d(666_667)));
        assert_eq!(arith(ArithOp::Div, d(-2_000_000), d(3_000_000)), Ok(d(-666_667)));
        assert_eq!(arith(ArithOp::Div, d(1_000_000), d(0)), Err(Fault::DivisionByZero));
        assert_eq!(arith(ArithOp::DecAdd, Value::None, d(0)), Ok(Value::None));
        assert_eq!(arith(ArithOp::DecMul, d(1_500_000), d(3_000_000)), Ok(d(4_500_000)));
        assert_eq!(arith(ArithOp::IntMul, Value::Int(i64::MAX), Value::Int(2)), Err(Fault::Overflow));
        assert_eq!(arith(ArithOp::IntSub, Value::Int(-i64::MAX), Value::Int(1)), Err(Fault::Overflow));
    }

    #[test]
    fn ints_become_decimals_only_by_conversion() {
        assert_eq!(to_decimal(Value::Int(3)), Some(Value::Dec(3_000_000)));
        assert_eq!(to_decimal(Value::None), Some(Value::None));
        assert_eq!(to_decimal(Value::Int(i64::MAX / DECIMAL_SCALE + 1)), None);
        let ints = Value::set(vec![Value::Int(-2), Value::Int(3)]);
        assert_eq!(to_decimal(ints), Some(Value::set(vec![Value::Dec(-2_000_000), Value::Dec(3_000_000)])));
    }

    #[test]
    fn comparisons_treat_absence_carefully() {
        assert!(compare(CmpOp::Eq, &Value::Dec(3_000_000), &Value::Dec(3_000_000)));
        assert!(!compare(CmpOp::Lt, &Value::None, &Value::Int(1)));
        assert!(!compare(CmpOp::Ge, &Value::None, &Value::Int(1)));
        assert!(compare(CmpOp::Ne, &Value::None, &Value::Int(1)));
    }
}
