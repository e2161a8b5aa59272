//! Literals and expressions: operator chains and comparisons with their depth bound,
//! postfix fields and indexes, primaries, quantifiers.

use pest::iterators::Pair;

use super::*;

impl Builder {
    // ------------------------------------------------------------ literals

    pub(super) fn string(&self, p: Pair<'_, Rule>) -> Text {
        let span = self.span(&p);
        let raw = p.into_inner().next().map_or("", |i| i.as_str());
        Text { value: unescape(raw), span }
    }

    pub(super) fn int(&mut self, p: &Pair<'_, Rule>) -> i64 {
        fullwidth::to_ascii(p.as_str()).parse().unwrap_or_else(|_| {
            self.out_of_range(p);
            0
        })
    }

    fn out_of_range(&mut self, p: &Pair<'_, Rule>) {
        self.diags.push(
            Diagnostic::new(
                Code::E0003,
                self.span(p),
                msg(
                    format!("数字 `{}` 超出范围", p.as_str()),
                    format!("number `{}` is out of range", p.as_str()),
                ),
            )
            .help(msg(
                "整数须在 ±9223372036854775807 之内；小数最多 6 位小数",
                "integers must lie within ±9223372036854775807; decimals have at most 6 digits after the point",
            )),
        );
    }

    fn decimal(&mut self, p: &Pair<'_, Rule>) -> Decimal {
        Decimal::parse(&fullwidth::to_ascii(p.as_str())).unwrap_or_else(|| {
            self.out_of_range(p);
            Decimal { mantissa: 0, scale: 0 }
        })
    }

    pub(super) fn date(&mut self, p: &Pair<'_, Rule>) -> Date {
        Date::parse(&fullwidth::to_ascii(p.as_str())).unwrap_or_else(|| {
            self.diags.push(
                Diagnostic::new(
                    Code::E0004,
                    self.span(p),
                    msg(
                        format!("`{}` 不是有效日期", p.as_str()),
                        format!("`{}` is not a valid date", p.as_str()),
                    ),
                )
                .help(msg(
                    "日期写作 年-月-日，例如 2022-12-20；月份 01–12，日期须在该月之内",
                    "write dates as YYYY-MM-DD, e.g. 2022-12-20, with a month 01-12 and a day that exists",
                )),
            );
            Date { year: 1970, month: 1, day: 1 }
        })
    }

    // ------------------------------------------------------------ expressions

    pub(super) fn expr(&mut self, p: Pair<'_, Rule>) -> Built<Expr> {
        self.expr_depth(p).map(|(e, _)| e)
    }

    /// Builds an expression and returns its depth, refusing trees deeper than
    /// [`MAX_EXPR_DEPTH`] so that no later recursive pass can run out of stack.
    fn expr_depth(&mut self, p: Pair<'_, Rule>) -> Built<(Expr, u32)> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let leaf = match rule {
            Rule::int => Some(ExprKind::Int(self.int(&p))),
            Rule::decimal => Some(ExprKind::Decimal(self.decimal(&p))),
            Rule::date => Some(ExprKind::Date(self.date(&p))),
            Rule::string => Some(ExprKind::Text(self.string(p.clone()).value)),
            _ => None,
        };
        if let Some(kind) = leaf {
            return self.node(kind, span, 1);
        }
        if rule == Rule::quantifier {
            return self.quantifier(p, span);
        }
        let k = kids(self, p);
        let (kind, depth) = match rule {
            Rule::expr | Rule::paren => {
                let (mut e, d) = self.expr_depth(k.into_iter().next().expect("grammar: expr"))?;
                e.span = span;
                return Ok((e, d));
            }
            Rule::if_expr => {
                let mut it = k.into_iter();
                let mut next = || it.next().expect("grammar: if part");
                let (c, dc) = self.expr_depth(next())?;
                let (t, dt) = self.expr_depth(next())?;
                let (e, de) = self.expr_depth(next())?;
                let kind = ExprKind::If(Box::new(c), Box::new(t), Box::new(e));
                (kind, dc.max(dt).max(de))
            }
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                return self.chain(rule, k);
            }
            Rule::not_expr | Rule::neg_expr => return self.prefixed(k),
            Rule::cmp_expr => return self.comparison(k),
            Rule::postfix => return self.postfix(k),
            _ => return self.primary(rule, k, span),
        };
        self.node(kind, span, depth + 1)
    }

    fn node(&mut self, kind: ExprKind, span: Span, depth: u32) -> Built<(Expr, u32)> {
        if depth > MAX_EXPR_DEPTH {
            self.diags.push(
                Diagnostic::new(
                    Code::E0007,
                    span,
                    msg(
                        format!("表达式嵌套超过 {MAX_EXPR_DEPTH} 层"),
                        format!("expression nested more than {MAX_EXPR_DEPTH} levels deep"),
                    ),
                )
                .help(msg(
                    "用 `令` 把长表达式拆成有名字的中间结果",
                    "split the long expression into named steps with `let`",
                )),
            );
            return Err(Stop);
        }
        Ok((Expr { kind, span }, depth))
    }

    /// Left-associative chains: `a or b or c`, `a + b - c`, …
    fn chain(&mut self, rule: Rule, k: Vec<Pair<'_, Rule>>) -> Built<(Expr, u32)> {
        let mut it = k.into_iter();
        let (mut lhs, mut depth) = self.expr_depth(it.next().expect("grammar: operand"))?;
        while let Some(next) = it.next() {
            let (op, operand) = match rule {
                Rule::or_expr => (BinaryOp::Or, next),
                Rule::and_expr => (BinaryOp::And, next),
                _ => {
                    let op = match fullwidth::to_ascii(next.as_str()).as_str() {
                        "+" => BinaryOp::Add,
                        "-" => BinaryOp::Sub,
                        "*" => BinaryOp::Mul,
                        _ => BinaryOp::Div,
                    };
                    (op, it.next().expect("grammar: operand after operator"))
                }
            };
            let (rhs, dr) = self.expr_depth(operand)?;
            let span = lhs.span.to(rhs.span);
            let kind = ExprKind::Binary(op, Box::new(lhs), Box::new(rhs));
            (lhs, depth) = self.node(kind, span, depth.max(dr) + 1)?;
        }
        Ok((lhs, depth))
    }

    /// `not not x`, `- - x`: prefix operators applied right to left.
    fn prefixed(&mut self, k: Vec<Pair<'_, Rule>>) -> Built<(Expr, u32)> {
        let mut k = k;
        let operand = k.pop().expect("grammar: operand");
        let (mut e, mut depth) = self.expr_depth(operand)?;
        for op in k.into_iter().rev() {
            let op_span = self.span(&op);
            let unary = if op.as_rule() == Rule::not_op { UnaryOp::Not } else { UnaryOp::Neg };
            kids(self, op);
            let span = op_span.to(e.span);
            (e, depth) = self.node(ExprKind::Unary(unary, Box::new(e)), span, depth + 1)?;
        }
        Ok((e, depth))
    }

    fn comparison(&mut self, k: Vec<Pair<'_, Rule>>) -> Built<(Expr, u32)> {
        let mut it = k.into_iter();
        let (lhs, depth) = self.expr_depth(it.next().expect("grammar: comparison operand"))?;
        let Some(tail) = it.next() else {
            return Ok((lhs, depth));
        };
        let span = lhs.span.to(self.span(&tail));
        match tail.as_rule() {
            Rule::is_some | Rule::is_none => {
                let some = tail.as_rule() == Rule::is_some;
                kids(self, tail);
                self.node(ExprKind::IsSome(Box::new(lhs), some), span, depth + 1)
            }
            Rule::has => {
                let field = {
                    let c = self.only(tail);
                    self.ident(c)
                };
                self.node(ExprKind::Has(Box::new(lhs), field), span, depth + 1)
            }
            _ => {
                let mut c = kids(self, tail).into_iter();
                let op_pair = c.next().expect("grammar: comparison operator");
                let op = match fullwidth::to_ascii(op_pair.as_str()).as_str() {
                    "==" => BinaryOp::Eq,
                    "!=" | "≠" => BinaryOp::Ne,
                    "<=" | "≤" => BinaryOp::Le,
                    ">=" | "≥" => BinaryOp::Ge,
                    "<" => BinaryOp::Lt,
                    ">" => BinaryOp::Gt,
                    "in" | "属于" => BinaryOp::In,
                    _ => BinaryOp::NotIn,
                };
                kids(self, op_pair);
                let (rhs, dr) = self.expr_depth(c.next().expect("grammar: comparison rhs"))?;
                let kind = ExprKind::Binary(op, Box::new(lhs), Box::new(rhs));
                self.node(kind, span, depth.max(dr) + 1)
            }
        }
    }

    fn postfix(&mut self, k: Vec<Pair<'_, Rule>>) -> Built<(Expr, u32)> {
        let mut it = k.into_iter();
        let (mut e, mut depth) = self.expr_depth(it.next().expect("grammar: primary"))?;
        for p in it {
            let span = e.span.to(self.span(&p));
            let rule = p.as_rule();
            let inner = kids(self, p).remove(0);
            let (kind, d) = if rule == Rule::field_access {
                (ExprKind::Field(Box::new(e), self.ident(inner)), depth)
            } else {
                let (index, di) = self.expr_depth(inner)?;
                (ExprKind::Index(Box::new(e), Box::new(index)), depth.max(di))
            };
            (e, depth) = self.node(kind, span, d + 1)?;
        }
        Ok((e, depth))
    }

    fn primary(&mut self, rule: Rule, k: Vec<Pair<'_, Rule>>, span: Span) -> Built<(Expr, u32)> {
        let (kind, depth) = match rule {
            Rule::bool_true => (ExprKind::Bool(true), 0),
            Rule::bool_false => (ExprKind::Bool(false), 0),
            Rule::none_lit => (ExprKind::None, 0),
            Rule::name => (ExprKind::Name(self.ident(k.into_iter().next().expect("name"))), 0),
            Rule::set_lit | Rule::call => {
                let mut it = k.into_iter();
                let func = (rule == Rule::call).then(|| self.ident(it.next().expect("callee")));
                let mut args = Vec::new();
                let mut depth = 0;
                for a in it {
                    let (e, d) = self.expr_depth(a)?;
                    depth = depth.max(d);
                    args.push(e);
                }
                match func {
                    Some(f) => (ExprKind::Call(f, args), depth),
                    None => (ExprKind::Set(args), depth),
                }
            }
            other => unreachable!("grammar: unexpected primary {other:?}"),
        };
        self.node(kind, span, depth + 1)
    }

    fn quantifier(&mut self, p: Pair<'_, Rule>, span: Span) -> Built<(Expr, u32)> {
        // `of` and `where` both introduce an optional expression and `kids` drops the
        // keywords, so note first which expressions follow `of`.
        let after_of: Vec<bool> = {
            let mut of_next = false;
            p.clone()
                .into_inner()
                .filter_map(|c| match c.as_rule() {
                    Rule::kw_of => {
                        of_next = true;
                        None
                    }
                    Rule::kw_where => {
                        of_next = false;
                        None
                    }
                    Rule::expr => Some(of_next),
                    _ => None,
                })
                .collect()
        };
        let k = kids(self, p);
        let mut it = k.into_iter().peekable();
        let kind_pair = it.next().expect("grammar: quantifier kind");
        let kind = match kind_pair.as_str() {
            "any" | "任一" => QuantKind::Any,
            "all" | "全部" => QuantKind::All,
            "count" | "计数" => QuantKind::Count,
            _ => QuantKind::Sum,
        };
        kids(self, kind_pair);
        let var = self.ident(it.next().expect("grammar: quantifier variable"));
        let (over, mut depth) = self.expr_depth(it.next().expect("grammar: quantifier range"))?;
        let (mut of, mut filter) = (None, None);
        // The first flag belongs to the range expression.
        for (p, is_of) in it.zip(after_of.into_iter().skip(1)) {
            let (e, d) = self.expr_depth(p)?;
            depth = depth.max(d);
            if is_of {
                of = Some(e);
            } else {
                filter = Some(e);
            }
        }
        let quant = Quant { kind, var, over, of, filter };
        self.node(ExprKind::Quant(Box::new(quant)), span, depth + 1)
    }
}
