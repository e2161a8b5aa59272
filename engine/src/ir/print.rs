//! A readable listing of the IR (`qingdan dump-ir`): every slot, let, rule and decision
//! with resolved names, one per line, expressions as S-expressions.

use std::fmt::Write;

use super::*;

impl Policy {
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "policy {}", self.name);
        for (i, input) in self.inputs.iter().enumerate() {
            let _ = writeln!(out, "input #{i} {}", input.name);
            for &s in &input.fields {
                let slot = &self.slots[s as usize];
                let _ = writeln!(out, "  slot {s} {}: {}", slot.path.join("."), self.type_name(&slot.ty));
            }
        }
        for (i, l) in self.lists.iter().enumerate() {
            let _ = writeln!(out, "list #{i} {} key {} ({} rows)", l.name, l.fields[l.key].0, l.rows.len());
        }
        for (i, l) in self.lets.iter().enumerate() {
            let _ = writeln!(out, "let {i} {}: {} = {}", l.name, self.type_name(&l.ty), self.expr(&l.value));
        }
        for (i, r) in self.rules.iter().enumerate() {
            let to = r
                .exception_to
                .map(|t| format!(" exception-to {}", self.rules[t as usize].name))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "rule {i} {} decision {}{to}",
                r.name, self.decisions[r.decision as usize].name
            );
            let _ = writeln!(out, "  when {}", self.expr(&r.when));
            for u in &r.unless {
                let _ = writeln!(out, "  unless {}", self.expr(u));
            }
            if let Some(o) = &r.then {
                let _ = writeln!(out, "  then {}", self.outcome(r.decision, o));
            }
            for c in &r.cites {
                let (source, clause) = self.clause_text(*c);
                let _ = writeln!(out, "  cite {source}.{}", clause.id);
            }
        }
        for (i, d) in self.decisions.iter().enumerate() {
            let rules: Vec<&str> = d.rules.iter().map(|r| self.rules[*r as usize].name.as_str()).collect();
            let _ = writeln!(
                out,
                "decision {i} {}: {} by {:?} rules [{}]",
                d.name,
                self.enums[d.outcome_enum as usize].name,
                d.combining,
                rules.join(", ")
            );
            if let Some(o) = &d.default {
                let _ = writeln!(out, "  default {}", self.outcome(i as DecisionId, o));
            }
        }
        for (i, c) in self.checks.iter().enumerate() {
            let scope = c.scope.as_ref().map(|s| format!(" for {}", self.expr(&s.over))).unwrap_or_default();
            let _ = writeln!(out, "check {i} {}{scope} {:?} {}", c.name, c.modality, self.expr(&c.body));
        }
        out
    }

    fn outcome(&self, d: DecisionId, o: &OutcomeExpr) -> String {
        let e = &self.enums[self.decisions[d as usize].outcome_enum as usize];
        let fields: Vec<String> = o.fields.iter().map(|f| self.expr(f)).collect();
        let payload = if fields.is_empty() { String::new() } else { format!(" {{{}}}", fields.join(", ")) };
        format!("{}{payload} {:?}", e.variants[o.variant as usize].name, o.reason.as_deref().unwrap_or(""))
    }

    pub fn type_name(&self, t: &Type) -> String {
        match t {
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Decimal => "decimal".into(),
            Type::Text => "text".into(),
            Type::Date => "date".into(),
            Type::Enum(e) => self.enums[*e as usize].name.clone(),
            Type::Row(l) => format!("row<{}>", self.lists[*l as usize].name),
            Type::Set(inner) => format!("set<{}>", self.type_name(inner)),
            Type::Opt(inner) => format!("{}?", self.type_name(inner)),
        }
    }

    pub fn expr(&self, e: &Expr) -> String {
        let x = |e: &Expr| self.expr(e);
        match &e.kind {
            // A whole decimal prints with `.0`, so that a listing tells it from an int.
            ExprKind::Const(Value::Dec(d)) if d % crate::value::DECIMAL_SCALE == 0 => {
                format!("{}.0", self.show(&Value::Dec(*d), &e.ty))
            }
            ExprKind::Const(v) => self.show(v, &e.ty),
            ExprKind::Slot(s) => format!("${}", self.slots[*s as usize].path.join(".")),
            ExprKind::Let(l) => self.lets[*l as usize].name.clone(),
            ExprKind::Local(n) => format!("%{n}"),
            ExprKind::RowField { row, list, field } => {
                format!("{}.{}", x(row), self.lists[*list as usize].fields[*field as usize].0)
            }
            ExprKind::ListRows(l) => format!("rows({})", self.lists[*l as usize].name),
            ExprKind::Lookup { list, key } => format!("{}[{}]", self.lists[*list as usize].name, x(key)),
            ExprKind::HasKey { list, key } => {
                format!("(has-key {} {})", self.lists[*list as usize].name, x(key))
            }
            ExprKind::Not(a) => format!("(not {})", x(a)),
            ExprKind::Neg(a) => format!("(- {})", x(a)),
            ExprKind::ToDecimal(a) => format!("(decimal {})", x(a)),
            ExprKind::And(a, b) => format!("(and {} {})", x(a), x(b)),
            ExprKind::Or(a, b) => format!("(or {} {})", x(a), x(b)),
            ExprKind::Cmp(op, a, b) => format!("({op:?} {} {})", x(a), x(b)),
            ExprKind::Arith(op, a, b) => format!("({op:?} {} {})", x(a), x(b)),
            ExprKind::In(a, b) => format!("(in {} {})", x(a), x(b)),
            ExprKind::IsSome(a) => format!("(is-some {})", x(a)),
            ExprKind::If(c, t, f) => format!("(if {} {} {})", x(c), x(t), x(f)),
            ExprKind::SetOf(items) => format!("[{}]", items.iter().map(x).collect::<Vec<_>>().join(", ")),
            ExprKind::Call(b, args) => {
                format!("({b:?} {})", args.iter().map(x).collect::<Vec<_>>().join(" "))
            }
            ExprKind::Quant(q) => {
                let f = q.filter.as_ref().map(|f| format!(" where {}", x(f))).unwrap_or_default();
                let o = q.of.as_ref().map(|o| format!(" of {}", x(o))).unwrap_or_default();
                format!("({:?} {}{o}{f})", q.kind, x(&q.over))
            }
        }
    }
}
