//! Printing the parts of a line: keywords in the chosen language, types, literals,
//! outcomes and expressions with the fewest brackets that keep the tree unchanged.

use crate::source::Lang;
use crate::syntax::ast::*;
use crate::syntax::keywords::{Kw, PRIMITIVE_TYPES};

/// Binding strengths of the grammar's levels, loosest first. Binary operators use
/// [`BinaryOp::precedence`], which fits between these.
const IF: u8 = 0;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const NEG: u8 = 7;
const POSTFIX: u8 = 8;
const ATOM: u8 = 9;

/// Prints syntax in one keyword language.
#[derive(Clone, Copy)]
pub(super) struct Words {
    pub lang: Lang,
}

impl Words {
    pub fn kw(self, k: Kw) -> &'static str {
        k.text(self.lang)
    }

    /// `set of set of int?`; a primitive type name is translated, other names kept.
    pub fn ty(self, t: &TypeExpr) -> String {
        let mut out = String::new();
        for _ in 0..t.set_depth {
            out.push_str(self.kw(Kw::SetOf));
            out.push(' ');
        }
        let primitive = PRIMITIVE_TYPES.iter().find(|(en, zh)| t.name.name == *en || t.name.name == *zh);
        out.push_str(match (primitive, self.lang) {
            (Some((en, _)), Lang::En) => en,
            (Some((_, zh)), Lang::Zh) => zh,
            (None, _) => &t.name.name,
        });
        if t.optional {
            out.push('?');
        }
        out
    }

    /// ` cite a.b, c.d`, or nothing.
    pub fn cites(self, cites: &[Path]) -> String {
        if cites.is_empty() {
            return String::new();
        }
        let list: Vec<String> = cites.iter().map(path).collect();
        format!(" {} {}", self.kw(Kw::Cite), list.join(", "))
    }

    pub fn field(self, f: &FieldInit) -> String {
        format!("{}: {}", f.name.name, self.expr(&f.value))
    }

    /// `{ a: 1, b: 2 }`, or `{}`.
    pub fn record(self, fields: &[FieldInit]) -> String {
        if fields.is_empty() {
            return "{}".to_string();
        }
        let parts: Vec<String> = fields.iter().map(|f| self.field(f)).collect();
        format!("{{ {} }}", parts.join(", "))
    }

    pub fn outcome(self, o: &Outcome) -> String {
        let mut out = path(&o.variant);
        if let Some(fields) = &o.fields {
            out.push(' ');
            out.push_str(&self.record(fields));
        }
        if let Some(reason) = &o.reason {
            out.push(' ');
            out.push_str(&string_lit(&reason.value));
        }
        out
    }

    pub fn expr(self, e: &Expr) -> String {
        self.at(e, IF)
    }

    /// Prints `e` where the context accepts only levels binding at least as tightly as
    /// `min`, bracketing it otherwise.
    fn at(self, e: &Expr, min: u8) -> String {
        let s = self.bare(e);
        if level(e) < min {
            format!("({s})")
        } else {
            s
        }
    }

    fn bare(self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Bool(true) => self.kw(Kw::True).to_string(),
            ExprKind::Bool(false) => self.kw(Kw::False).to_string(),
            ExprKind::Int(n) => n.to_string(),
            ExprKind::Decimal(d) => d.to_string(),
            ExprKind::Text(t) => string_lit(t),
            ExprKind::Date(d) => d.to_string(),
            ExprKind::None => self.kw(Kw::None).to_string(),
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Field(base, f) => format!("{}.{}", self.at(base, POSTFIX), f.name),
            ExprKind::Index(base, i) => format!("{}[{}]", self.at(base, POSTFIX), self.expr(i)),
            ExprKind::Call(f, args) => format!("{}({})", f.name, self.list(args)),
            ExprKind::Set(items) => format!("[{}]", self.list(items)),
            ExprKind::Unary(UnaryOp::Not, x) => {
                format!("{} {}", self.kw(Kw::Not), self.at(x, NOT))
            }
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let inner = self.at(x, NEG);
                // `- -x` rather than `--x`, which reads like a decrement.
                let gap = if inner.starts_with('-') { " " } else { "" };
                format!("-{gap}{inner}")
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r),
            ExprKind::IsSome(x, some) => {
                let kw = if *some { Kw::IsSome } else { Kw::IsNone };
                format!("{} {}", self.at(x, ADD), self.kw(kw))
            }
            ExprKind::Has(x, f) => format!("{} {} {}", self.at(x, ADD), self.kw(Kw::Has), f.name),
            ExprKind::If(c, t, f) => format!(
                "{} {} {} {} {} {}",
                self.kw(Kw::If),
                self.expr(c),
                self.kw(Kw::Then),
                self.expr(t),
                self.kw(Kw::Else),
                self.expr(f)
            ),
            ExprKind::Quant(q) => self.quant(q),
        }
    }

    fn binary(self, op: BinaryOp, l: &Expr, r: &Expr) -> String {
        let p = op.precedence();
        // Chains associate to the left; comparisons do not chain at all.
        let (lmin, rmin) = if op.is_comparison() { (ADD, ADD) } else { (p, p + 1) };
        format!("{} {} {}", self.at(l, lmin), self.op(op), self.at(r, rmin))
    }

    fn op(self, op: BinaryOp) -> &'static str {
        op.symbol().unwrap_or_else(|kw| self.kw(kw))
    }

    fn list(self, items: &[Expr]) -> String {
        let parts: Vec<String> = items.iter().map(|e| self.expr(e)).collect();
        parts.join(", ")
    }

    fn quant(self, q: &Quant) -> String {
        let kind = match q.kind {
            QuantKind::Any => Kw::Any,
            QuantKind::All => Kw::All,
            QuantKind::Count => Kw::Count,
            QuantKind::Sum => Kw::Sum,
        };
        let mut out = format!("{}({} {} {}", self.kw(kind), q.var.name, self.kw(Kw::In), self.expr(&q.over));
        for (kw, part) in [(Kw::Of, &q.of), (Kw::Where, &q.filter)] {
            if let Some(e) = part {
                out.push_str(&format!(" {} {}", self.kw(kw), self.expr(e)));
            }
        }
        out.push(')');
        out
    }
}

/// The grammar level an expression's outermost construct belongs to.
fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::If(..) => IF,
        ExprKind::Binary(op, ..) => op.precedence(),
        ExprKind::Unary(UnaryOp::Not, _) => NOT,
        ExprKind::IsSome(..) | ExprKind::Has(..) => CMP,
        ExprKind::Unary(UnaryOp::Neg, _) => NEG,
        ExprKind::Field(..) | ExprKind::Index(..) => POSTFIX,
        _ => ATOM,
    }
}

pub(super) fn path(p: &Path) -> String {
    let parts: Vec<&str> = p.parts.iter().map(|i| i.name.as_str()).collect();
    parts.join(".")
}

/// An ASCII-quoted string literal with the escapes the grammar knows.
pub(super) fn string_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
