//! Typing expressions, with narrowing of optional values after `is some` / `has`.

use super::builtins::Builtin;
use super::env::{Def, EnumId};
use super::suggest::{did_you_mean, with_hint};
use super::types::Ty;
use super::{Checker, Cx};
use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, Quant, QuantKind, UnaryOp};
use crate::syntax::slips;

/// The text that identifies a value for narrowing: `申请.法律依据`, `x.牵头部门`.
pub fn path_key(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.name.clone()),
        ExprKind::Field(base, f) => Some(format!("{}.{}", path_key(base)?, f.name)),
        // `部门清单[申请.主管部门编号]` names the same row wherever it is written.
        ExprKind::Index(base, key) => {
            let key = match &key.kind {
                ExprKind::Text(t) => format!("{t:?}"),
                ExprKind::Int(i) => i.to_string(),
                _ => path_key(key)?,
            };
            Some(format!("{}[{key}]", path_key(base)?))
        }
        _ => None,
    }
}

/// The values a condition proves present when it evaluates to `outcome`.
pub fn facts(cond: &Expr, outcome: bool) -> Vec<String> {
    match (&cond.kind, outcome) {
        (ExprKind::IsSome(e, some), _) if *some == outcome => path_key(e).into_iter().collect(),
        (ExprKind::Has(e, f), true) => path_key(e).map(|k| format!("{k}.{}", f.name)).into_iter().collect(),
        (ExprKind::Binary(BinaryOp::And, a, b), true) | (ExprKind::Binary(BinaryOp::Or, a, b), false) => {
            let mut f = facts(a, outcome);
            f.extend(facts(b, outcome));
            f
        }
        (ExprKind::Unary(UnaryOp::Not, e), _) => facts(e, !outcome),
        _ => Vec::new(),
    }
}

/// A name that denotes something other than a value: an enum (for `结论.准入`) or a policy
/// (for `P.X`).
enum Static {
    Enum(EnumId),
    Policy(usize),
}

impl Checker<'_> {
    /// Types `e`. `expected` only guides the choice among enum variants with the same name;
    /// whether the result fits is the caller's question.
    pub(super) fn infer(&mut self, e: &Expr, cx: &Cx, expected: Option<&Ty>) -> Ty {
        let ty = match &e.kind {
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Decimal(_) => Ty::Decimal,
            ExprKind::Text(_) => Ty::Text,
            ExprKind::Date(_) => Ty::Date,
            ExprKind::None => Ty::Nothing,
            ExprKind::Name(n) => self.name(n, cx, expected),
            ExprKind::Field(base, f) => self.field(base, f, cx),
            ExprKind::Index(base, key) => self.index(base, key, cx),
            ExprKind::Call(f, args) => self.call(f, args, cx, e.span),
            ExprKind::Set(items) => self.set_literal(items, cx, expected, e.span),
            ExprKind::Unary(UnaryOp::Not, x) => {
                self.expect_bool(x, cx);
                Ty::Bool
            }
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let t = self.present(x, cx, None);
                self.numeric(&t, x.span, "-");
                t
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, cx, e.span),
            ExprKind::IsSome(x, _) => {
                let t = self.infer(x, cx, None);
                if !matches!(t, Ty::Opt(_) | Ty::Nothing | Ty::Error) {
                    let what = self.sources.text(x.span).to_string();
                    self.redundant_is_some(x.span, &what, &t);
                }
                Ty::Bool
            }
            ExprKind::Has(x, f) => self.has(x, f, cx),
            ExprKind::If(c, t, f) => {
                self.expect_bool(c, cx);
                let tt = self.infer(t, &cx.knowing(facts(c, true)), expected);
                let ft = self.infer(f, &cx.knowing(facts(c, false)), expected);
                tt.join(&ft).unwrap_or_else(|| {
                    self.mismatch(f.span, &tt, &ft);
                    Ty::Error
                })
            }
            ExprKind::Quant(q) => self.quantifier(q, cx),
        };
        let ty = self.narrow(e, ty, cx);
        if self.record_types {
            self.expr_types.insert(e.span, ty.clone());
        }
        ty
    }

    fn narrow(&self, e: &Expr, ty: Ty, cx: &Cx) -> Ty {
        match ty {
            Ty::Opt(inner) if path_key(e).is_some_and(|k| cx.present.contains(&k)) => *inner,
            other => other,
        }
    }

    /// Types `e` and insists that it is present (not optional).
    pub(super) fn present(&mut self, e: &Expr, cx: &Cx, expected: Option<&Ty>) -> Ty {
        let t = self.infer(e, cx, expected);
        self.unwrap_optional(t, e.span)
    }

    fn unwrap_optional(&mut self, t: Ty, span: Span) -> Ty {
        match t {
            Ty::Opt(inner) => {
                let text = self.sources.text(span).to_string();
                self.diags.push(
                    Diagnostic::new(
                        Code::E0202,
                        span,
                        msg(
                            format!("`{text}` 可能没有值，使用前须先检查"),
                            format!("`{text}` may have no value and must be checked before use"),
                        ),
                    )
                    .label(msg("可能没有值", "may be absent"))
                    .help(msg(
                        format!("先写 `{text} 有值 且 …`，或在规则的 `当` 条件里检查它"),
                        format!("write `{text} is some and …`, or check it in the rule's `when` condition"),
                    )),
                );
                *inner
            }
            other => other,
        }
    }

    pub(super) fn expect_bool(&mut self, e: &Expr, cx: &Cx) {
        let t = self.present(e, cx, Some(&Ty::Bool));
        if !t.fits(&Ty::Bool) {
            let found = t.describe(&self.env);
            self.diags.push(
                Diagnostic::new(
                    Code::E0206,
                    e.span,
                    msg(
                        format!("条件须是真假值，这里是{}", found.zh),
                        format!("a condition must be a bool, found {}", found.en),
                    ),
                )
                .help(msg(
                    "用比较写出条件，例如 `月工作量分钟 > 600`",
                    "state a condition with a comparison, e.g. `minutes > 600`",
                )),
            );
        }
    }

    /// Checks that `e` fits `expected`, reporting a mismatch otherwise.
    pub(super) fn expect(&mut self, e: &Expr, cx: &Cx, expected: &Ty) {
        let t = self.infer(e, cx, Some(expected));
        if matches!(t, Ty::Opt(_)) && !matches!(expected, Ty::Opt(_)) {
            self.unwrap_optional(t, e.span);
        } else if !t.fits(expected) {
            self.mismatch(e.span, expected, &t);
        }
    }

    pub(super) fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty) {
        let (e, f) = (expected.describe(&self.env), found.describe(&self.env));
        self.diags.push(
            Diagnostic::new(
                Code::E0201,
                span,
                msg(
                    format!("类型不匹配：应为{}，却是{}", e.zh, f.zh),
                    format!("type mismatch: expected {}, found {}", e.en, f.en),
                ),
            )
            .label(msg(format!("这是{}", f.zh), format!("this is {}", f.en))),
        );
    }

    /// `what` names the checked value as written: `申请.名称`.
    fn redundant_is_some(&mut self, span: Span, what: &str, t: &Ty) {
        let d = t.describe(&self.env);
        self.diags.push(
            Diagnostic::new(
                Code::W0003,
                span,
                msg(
                    format!("`{what}` 的类型是{}（不是可选类型），总是有值", d.zh),
                    format!("`{what}` is {} (not optional) and always present", d.en),
                ),
            )
            .help(msg("删除多余的有值检查", "remove the redundant check")),
        );
    }

    // ------------------------------------------------------------ field, index, has

    fn static_of(&self, e: &Expr, cx: &Cx) -> Option<Static> {
        match &e.kind {
            ExprKind::Name(n) if cx.local(&n.name).is_none() => match self.env.lookup(cx.module, &n.name)? {
                Def::Enum(id) => Some(Static::Enum(id)),
                Def::Policy(p) => Some(Static::Policy(p)),
                _ => None,
            },
            ExprKind::Field(base, f) => match self.static_of(base, cx)? {
                Static::Policy(p) => match self.env.lookup_in(p, &f.name)? {
                    Def::Enum(id) => Some(Static::Enum(id)),
                    _ => None,
                },
                Static::Enum(_) => None,
            },
            _ => None,
        }
    }

    fn field(&mut self, base: &Expr, f: &Ident, cx: &Cx) -> Ty {
        match self.static_of(base, cx) {
            Some(Static::Enum(e)) => return self.qualified_variant(e, f),
            Some(Static::Policy(p)) => {
                return match self.env.lookup_in(p, &f.name) {
                    Some(Def::List(l)) => {
                        self.note_list_use(cx.module, l, f.span);
                        Ty::List(l)
                    }
                    Some(def) => {
                        self.not_a_value(f, def);
                        Ty::Error
                    }
                    None => {
                        self.unknown_member(f, self.modules[p].name.name.clone());
                        Ty::Error
                    }
                };
            }
            None => {}
        }
        let bt = self.infer(base, cx, None);
        let bt = self.unwrap_optional(bt, base.span);
        let record = match &bt {
            Ty::Record(r) => Some(*r),
            Ty::Row(l) => self.env.lists[l.0].row,
            Ty::Error => return Ty::Error,
            _ => None,
        };
        let Some(r) = record else {
            if !matches!(bt, Ty::Row(_)) {
                let d = bt.describe(&self.env);
                self.diags.push(
                    Diagnostic::new(
                        Code::E0208,
                        f.span,
                        msg(
                            format!("{}没有字段 `{}`", d.zh, f.name),
                            format!("{} has no field `{}`", d.en, f.name),
                        ),
                    )
                    .help(msg(
                        "只有记录、输入和清单的条目有字段",
                        "only records, inputs and list rows have fields",
                    )),
                );
            }
            return Ty::Error;
        };
        match self.env.records[r.0].field(&f.name) {
            Some(field) => field.ty.clone(),
            None => {
                let rec = &self.env.records[r.0];
                let names: Vec<&str> = rec.fields.iter().map(|x| x.name.as_str()).collect();
                let help = slips::operator_inside_name(&f.name).or_else(|| did_you_mean(&f.name, names));
                let owner = rec.name.clone();
                self.unknown_field(f, &owner, help);
                Ty::Error
            }
        }
    }

    pub(super) fn unknown_field(&mut self, f: &Ident, owner: &str, help: Option<Msg>) {
        self.diags.push(
            Diagnostic::new(
                Code::E0103,
                f.span,
                msg(
                    format!("`{owner}` 没有字段 `{}`", f.name),
                    format!("`{owner}` has no field `{}`", f.name),
                ),
            )
            .help_opt(help),
        );
    }

    fn unknown_member(&mut self, f: &Ident, policy: String) {
        let p = self.env.policies[&policy];
        let names: Vec<&str> = self.env.scopes[p].names.keys().map(String::as_str).collect();
        let help = did_you_mean(&f.name, names);
        self.diags.push(
            Diagnostic::new(
                Code::E0101,
                f.span,
                msg(
                    format!("政策 `{policy}` 中没有 `{}`", f.name),
                    format!("policy `{policy}` has no `{}`", f.name),
                ),
            )
            .help_opt(help),
        );
    }

    pub(super) fn qualified_variant(&mut self, e: EnumId, v: &Ident) -> Ty {
        let info = &self.env.enums[e.0];
        if info.variant(&v.name).is_some() {
            return Ty::Enum(e);
        }
        let names: Vec<&str> = info.variants.iter().map(|x| x.name.as_str()).collect();
        let help = did_you_mean(&v.name, names.iter().copied());
        let (all_zh, all_en) = (names.join("、"), names.join(", "));
        let enum_name = info.name.clone();
        self.diags.push(
            Diagnostic::new(
                Code::E0104,
                v.span,
                msg(
                    format!("枚举 `{enum_name}` 没有值 `{}`", v.name),
                    format!("enum `{enum_name}` has no variant `{}`", v.name),
                ),
            )
            .help_opt(
                help.or_else(|| {
                    Some(msg(format!("可选的值：{all_zh}"), format!("its variants are: {all_en}")))
                }),
            ),
        );
        Ty::Error
    }

    fn index(&mut self, base: &Expr, key: &Expr, cx: &Cx) -> Ty {
        match self.present(base, cx, None) {
            Ty::List(l) => {
                if let Some(kt) = self.env.list_key_ty(l) {
                    self.expect(key, cx, &kt);
                }
                Ty::Row(l).opt()
            }
            Ty::Error => Ty::Error,
            other => {
                self.not_a_collection(base.span, &other);
                Ty::Error
            }
        }
    }

    fn has(&mut self, base: &Expr, f: &Ident, cx: &Cx) -> Ty {
        let field_ty = self.field(base, f, cx);
        if !matches!(field_ty, Ty::Opt(_) | Ty::Error) {
            let what = format!("{}.{}", self.sources.text(base.span), f.name);
            self.redundant_is_some(base.span.to(f.span), &what, &field_ty);
        }
        Ty::Bool
    }

    pub(super) fn not_a_collection(&mut self, span: Span, t: &Ty) {
        let d = t.describe(&self.env);
        self.diags.push(
            Diagnostic::new(
                Code::E0207,
                span,
                msg(
                    format!("这里须是集合或清单，却是{}", d.zh),
                    format!("expected a set or a list, found {}", d.en),
                ),
            )
            .help(msg(
                "`属于`、`任一`、`计数` 等只能用于集合或清单",
                "`in`, `any`, `count` and friends work on sets and lists",
            )),
        );
    }

    // ------------------------------------------------------------ operators

    fn numeric(&mut self, t: &Ty, span: Span, op: &str) -> bool {
        if t.is_numeric() {
            return true;
        }
        let d = t.describe(&self.env);
        self.diags.push(
            Diagnostic::new(
                Code::E0203,
                span,
                msg(
                    format!("运算 `{op}` 需要数值，这里是{}", d.zh),
                    format!("operator `{op}` needs numbers, found {}", d.en),
                ),
            )
            .label(msg(format!("这是{}", d.zh), format!("this is {}", d.en))),
        );
        false
    }

    fn binary(&mut self, op: BinaryOp, a: &Expr, b: &Expr, cx: &Cx, span: Span) -> Ty {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.expect_bool(a, cx);
                let known = facts(a, op == BinaryOp::And);
                self.expect_bool(b, &cx.knowing(known));
                Ty::Bool
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                // `应急处置 == 申请.类别`: the typed side tells which enum a bare variant is of.
                let (ta, tb) = if self.is_bare_variant(a, cx) {
                    let tb = self.present(b, cx, None);
                    (self.present(a, cx, Some(&tb)), tb)
                } else {
                    let ta = self.present(a, cx, None);
                    (ta.clone(), self.present(b, cx, Some(&ta)))
                };
                if !self.comparable(&ta, &tb) {
                    self.incomparable(span, &ta, &tb);
                }
                Ty::Bool
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ta = self.present(a, cx, None);
                let tb = self.present(b, cx, Some(&ta));
                self.ordered(&ta, &tb, a.span, b.span, span);
                Ty::Bool
            }
            BinaryOp::In | BinaryOp::NotIn => {
                self.membership(a, b, cx);
                Ty::Bool
            }
            _ => self.arithmetic(op, a, b, cx),
        }
    }

    /// A name that is no declaration or variable: it can only be an enum variant.
    fn is_bare_variant(&self, e: &Expr, cx: &Cx) -> bool {
        matches!(&e.kind, ExprKind::Name(n) if cx.local(&n.name).is_none() && self.env.peek(cx.module, &n.name).is_none())
    }

    fn comparable(&self, a: &Ty, b: &Ty) -> bool {
        let key_of = |t: &Ty| match t {
            Ty::Row(l) => self.env.list_key_ty(*l),
            _ => None,
        };
        a.fits(b)
            || b.fits(a)
            || key_of(a).is_some_and(|k| b.fits(&k))
            || key_of(b).is_some_and(|k| a.fits(&k))
    }

    fn incomparable(&mut self, span: Span, a: &Ty, b: &Ty) {
        let (da, db) = (a.describe(&self.env), b.describe(&self.env));
        self.diags.push(
            Diagnostic::new(
                Code::E0204,
                span,
                msg(
                    format!("{}和{}不能比较", da.zh, db.zh),
                    format!("cannot compare {} with {}", da.en, db.en),
                ),
            )
            .help(msg("比较两边须是同一类型", "both sides of a comparison must have the same type")),
        );
    }

    fn ordered(&mut self, ta: &Ty, tb: &Ty, sa: Span, sb: Span, span: Span) {
        for (t, s) in [(ta, sa), (tb, sb)] {
            if !t.is_ordered() {
                let d = t.describe(&self.env);
                self.diags.push(
                    Diagnostic::new(
                        Code::E0205,
                        s,
                        msg(format!("{}没有大小顺序", d.zh), format!("{} values have no order", d.en)),
                    )
                    .help(msg(
                        "`<`、`>` 只能比较整数、小数和日期；枚举和文字请用 `==` 或 `属于`",
                        "`<` and `>` compare numbers and dates; use `==` or `in` for enums and text",
                    )),
                );
                return;
            }
        }
        if !(ta.fits(tb) || tb.fits(ta)) {
            self.incomparable(span, ta, tb);
        }
    }

    fn membership(&mut self, a: &Expr, b: &Expr, cx: &Cx) {
        let tb = self.infer(b, cx, None);
        let elem = match self.unwrap_optional(tb, b.span) {
            Ty::Set(inner) => *inner,
            Ty::List(l) => self.env.list_key_ty(l).unwrap_or(Ty::Error),
            Ty::Error => Ty::Error,
            other => {
                self.not_a_collection(b.span, &other);
                Ty::Error
            }
        };
        let ta = self.present(a, cx, Some(&elem));
        let is_row_of_list = matches!((&ta, self.env_list_of(b, cx)), (Ty::Row(x), Some(y)) if *x == y);
        if elem != Ty::Nothing && !is_row_of_list && !self.comparable(&ta, &elem) {
            self.mismatch(a.span, &elem, &ta);
        }
    }

    fn env_list_of(&self, b: &Expr, cx: &Cx) -> Option<super::env::ListId> {
        match &b.kind {
            ExprKind::Name(n) if cx.local(&n.name).is_none() => match self.env.lookup(cx.module, &n.name)? {
                Def::List(l) => Some(l),
                _ => None,
            },
            _ => None,
        }
    }

    fn arithmetic(&mut self, op: BinaryOp, a: &Expr, b: &Expr, cx: &Cx) -> Ty {
        let ta = self.present(a, cx, None);
        let tb = self.present(b, cx, None);
        let sym = match op {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            _ => "/",
        };
        match (op, &ta, &tb) {
            (BinaryOp::Add | BinaryOp::Sub, Ty::Date, Ty::Int) | (BinaryOp::Add, Ty::Int, Ty::Date) => {
                return Ty::Date
            }
            (BinaryOp::Sub, Ty::Date, Ty::Date) => return Ty::Int,
            _ => {}
        }
        let ok_a = self.numeric(&ta, a.span, sym);
        let ok_b = self.numeric(&tb, b.span, sym);
        if op == BinaryOp::Div && is_zero(b) {
            self.diags.push(
                Diagnostic::new(Code::E0216, b.span, msg("除数为零", "division by zero"))
                    .help(msg("除数不能是 0", "the divisor cannot be 0")),
            );
        }
        match (ok_a && ok_b, op) {
            (false, _) => Ty::Error,
            (true, BinaryOp::Div) => Ty::Decimal,
            (true, _) => ta.join(&tb).unwrap_or(Ty::Error),
        }
    }

    // ------------------------------------------------------------ calls, sets, quantifiers

    fn call(&mut self, f: &Ident, args: &[Expr], cx: &Cx, span: Span) -> Ty {
        let Some((builtin, arity)) = Builtin::lookup(&f.name) else {
            for a in args {
                self.infer(a, cx, None);
            }
            self.diags.push(
                Diagnostic::new(Code::E0124, f.span, msg(format!("未知函数 `{}`", f.name), format!("unknown function `{}`", f.name)))
                    .help(with_hint(
                        did_you_mean(&f.name, Builtin::names()),
                        msg(
                        "可用的函数：长度、包含、开头是、最小、最大、年份、月份、相差天数",
                        "available functions: length, contains, starts_with, min, max, year, month, days_between",
                    ))),
            );
            return Ty::Error;
        };
        let (sig_zh, sig_en) = builtin.signature();
        if args.len() != arity {
            self.diags.push(
                Diagnostic::new(
                    Code::E0215,
                    span,
                    msg(
                        format!("`{}` 需要 {arity} 个参数，这里有 {} 个", f.name, args.len()),
                        format!("`{}` takes {arity} argument(s) but {} were given", f.name, args.len()),
                    ),
                )
                .help(msg(format!("用法：{sig_zh}"), format!("usage: {sig_en}"))),
            );
            return Ty::Error;
        }
        let tys: Vec<Ty> = args.iter().map(|a| self.present(a, cx, None)).collect();
        builtin.result(&tys).unwrap_or_else(|| {
            let found: Vec<Msg> = tys.iter().map(|t| t.describe(&self.env)).collect();
            let (fz, fe) = (
                found.iter().map(|m| m.zh.as_str()).collect::<Vec<_>>().join(", "),
                found.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join(", "),
            );
            self.diags.push(
                Diagnostic::new(
                    Code::E0201,
                    span,
                    msg(
                        format!("`{}` 的参数类型不对：({fz})", f.name),
                        format!("wrong argument types for `{}`: ({fe})", f.name),
                    ),
                )
                .help(msg(format!("用法：{sig_zh}"), format!("usage: {sig_en}"))),
            );
            Ty::Error
        })
    }

    fn set_literal(&mut self, items: &[Expr], cx: &Cx, expected: Option<&Ty>, span: Span) -> Ty {
        let elem_hint = match expected.map(Ty::present) {
            Some(Ty::Set(inner)) => Some((**inner).clone()),
            _ => None,
        };
        let mut elem = Ty::Nothing;
        for item in items {
            let t = self.present(item, cx, elem_hint.as_ref());
            match elem.join(&t) {
                Some(j) if elem != Ty::Nothing => elem = j,
                _ if elem == Ty::Nothing => elem = t,
                _ => {
                    self.mismatch(item.span, &elem, &t);
                    return Ty::Error;
                }
            }
        }
        let _ = span;
        elem.set()
    }

    fn quantifier(&mut self, q: &Quant, cx: &Cx) -> Ty {
        let over = self.present(&q.over, cx, None);
        let elem = match over {
            Ty::List(l) => Ty::Row(l),
            Ty::Set(inner) => *inner,
            Ty::Error => Ty::Error,
            other => {
                self.not_a_collection(q.over.span, &other);
                Ty::Error
            }
        };
        if let (Some(of), false) = (&q.of, q.kind == QuantKind::Sum) {
            self.diags.push(
                Diagnostic::new(
                    Code::E0001,
                    of.span,
                    msg("`取` 只能用于 `求和`", "`of` belongs to `sum` only"),
                )
                .help(msg(
                    "删除 `取 …`；`任一`、`全部`、`计数` 只看 `满足` 的条件",
                    "remove `of …`: `any`, `all` and `count` only take a `where` condition",
                )),
            );
        }
        self.warn_shadow(&q.var, cx);
        let inner = cx.with_local(&q.var.name, elem.clone());
        if let Some(filter) = &q.filter {
            self.expect_bool(filter, &inner);
        }
        match q.kind {
            QuantKind::Any | QuantKind::All => Ty::Bool,
            QuantKind::Count => Ty::Int,
            QuantKind::Sum => {
                let known = q.filter.as_ref().map(|f| facts(f, true)).unwrap_or_default();
                let (summed, span) = match &q.of {
                    Some(of) => (self.present(of, &inner.knowing(known), None), of.span),
                    None => (elem, q.var.span),
                };
                if self.numeric(&summed, span, "求和/sum") {
                    summed
                } else {
                    Ty::Error
                }
            }
        }
    }

    pub(super) fn warn_shadow(&mut self, var: &Ident, cx: &Cx) {
        let (zh, en) = if cx.local(&var.name).is_some() {
            ("外层的同名变量", "a variable of the same name around it")
        } else if self.env.peek(cx.module, &var.name).is_some() {
            ("同名的声明", "a declaration of the same name")
        } else {
            return;
        };
        self.diags.push(
            Diagnostic::new(
                Code::W0006,
                var.span,
                msg(format!("`{}` 遮蔽了{zh}", var.name), format!("`{}` shadows {en}", var.name)),
            )
            .help(msg("换一个变量名，避免混淆", "choose another variable name to avoid confusion")),
        );
    }
}

fn is_zero(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(0) => true,
        ExprKind::Decimal(d) => d.mantissa == 0,
        _ => false,
    }
}
