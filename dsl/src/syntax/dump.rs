//! A readable print of the AST without spans, for `qingdan dump-ast` and for comparing
//! two trees "modulo spans" (the formatter's round-trip tests do exactly that).
//!
//! The output is an S-expression: declarations and their members one per line, small
//! nodes (types, expressions, outcomes) on one line when they fit in [`WIDTH`] columns.
//! Every field of every node is printed, with two deliberate normalisations, both of which
//! the formatter may also apply: the keyword language is shown once, as `lang=`, and a
//! primitive type name is shown in English whichever language it was written in.

use super::ast::*;
use super::keywords::{Kw, PRIMITIVE_TYPES};
use crate::source::Lang;

/// Lines longer than this are broken, one child per line.
const WIDTH: usize = 100;

/// Prints a module as an indented S-expression, ending with a newline.
pub fn dump(module: &Module) -> String {
    let lang = match module.lang {
        crate::source::Lang::En => "en",
        crate::source::Lang::Zh => "zh",
    };
    let as_of = module.as_of.as_ref().map_or(String::new(), |p| format!(" as_of={}", path(p)));
    let head = format!("module {} lang={lang}{as_of}", module.name.name);
    let tree = S::block(head, module.decls.iter().map(decl).collect());
    let mut out = String::new();
    tree.render(0, &mut out);
    out.push('\n');
    out
}

/// A node of the printed tree.
enum S {
    Atom(String),
    List {
        head: String,
        kids: Vec<S>,
        /// Declarations always put their children on separate lines.
        block: bool,
    },
}

impl S {
    fn atom(s: impl Into<String>) -> S {
        S::Atom(s.into())
    }

    fn node(head: impl Into<String>, kids: Vec<S>) -> S {
        S::List { head: head.into(), kids, block: false }
    }

    fn block(head: impl Into<String>, kids: Vec<S>) -> S {
        S::List { head: head.into(), kids, block: true }
    }

    fn flat(&self, out: &mut String) {
        match self {
            S::Atom(a) => out.push_str(a),
            S::List { head, kids, .. } => {
                out.push('(');
                out.push_str(head);
                for k in kids {
                    out.push(' ');
                    k.flat(out);
                }
                out.push(')');
            }
        }
    }

    fn render(&self, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        let breaks = match self {
            S::Atom(_) => false,
            S::List { kids, .. } if kids.is_empty() => false,
            S::List { block: true, .. } => true,
            // Only small nodes are flattened to measure them, so dumping stays linear
            // for long lists.
            S::List { .. } => {
                let mut flat = String::new();
                self.flat(&mut flat);
                pad.len() + flat.chars().count() > WIDTH
            }
        };
        let S::List { head, kids, .. } = self else {
            out.push_str(&pad);
            self.flat(out);
            return;
        };
        if !breaks {
            out.push_str(&pad);
            self.flat(out);
            return;
        }
        out.push_str(&pad);
        out.push('(');
        out.push_str(head);
        for k in kids {
            out.push('\n');
            k.render(indent + 1, out);
        }
        out.push(')');
    }
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn path(p: &Path) -> String {
    let parts: Vec<&str> = p.parts.iter().map(|i| i.name.as_str()).collect();
    parts.join(".")
}

fn names(ids: &[Ident]) -> S {
    S::node("list", ids.iter().map(|i| S::atom(&i.name)).collect())
}

fn decl(d: &Decl) -> S {
    match d {
        Decl::Use(name) => S::node("use", vec![S::atom(&name.name)]),
        Decl::Source(s) => source(s),
        Decl::Enum(e) => S::block(format!("enum {}", e.name.name), e.variants.iter().map(variant).collect()),
        Decl::Record(r) => record("record", r),
        Decl::Input(r) => record("input", r),
        Decl::List(l) => list(l),
        Decl::Let(l) => {
            let ty = l.ty.as_ref().map_or(S::atom("(type-absent)"), type_expr);
            S::block(
                format!("let {}{}", l.name.name, in_force(&l.in_force)),
                vec![ty, S::node("value", vec![expr(&l.value)])],
            )
        }
        Decl::Rule(r) => rule(r),
        Decl::Decision(d) => decision(d),
        Decl::Check(c) => check(c),
        Decl::Test(t) => test(t),
    }
}

fn in_force(v: &Option<InForce>) -> String {
    let end = |d: Option<crate::value::Date>| d.map_or("open".to_string(), |d| d.to_string());
    v.map_or(String::new(), |v| format!(" in_force={}..={}", end(v.from), end(v.until)))
}

fn source(s: &SourceDecl) -> S {
    let date = s.date.as_ref().map_or("date=none".to_string(), |(d, _)| format!("date={d}"));
    let text = s.full_text.as_ref().map_or(String::new(), |t| format!(" text={}", quoted(&t.value)));
    let head = format!("source {} {} {date}{text}", s.name.name, quoted(&s.title.value));
    let clauses = s.clauses.iter().map(|c| S::node(clause(c), vec![]));
    S::block(head, clauses.collect())
}

fn clause(c: &ClauseDecl) -> String {
    let kind = match c.kind {
        ClauseKind::Quotation => "",
        ClauseKind::Summary => " summary",
        ClauseKind::Unverified => " unverified",
    };
    let text = c.text.as_ref().map_or(" text=none".to_string(), |t| format!(" {}", quoted(&t.value)));
    let scope =
        c.out_of_scope.as_ref().map_or(String::new(), |w| format!(" out_of_scope={}", quoted(&w.value)));
    format!("clause {}{kind}{text}{scope}", c.id.name)
}

fn variant(v: &Variant) -> S {
    S::node(format!("variant {}", v.name.name), v.fields.iter().map(field_decl).collect())
}

fn record(kw: &str, r: &RecordDecl) -> S {
    S::block(format!("{kw} {}", r.name.name), r.fields.iter().map(field_decl).collect())
}

fn field_decl(f: &FieldDecl) -> S {
    S::node(format!("field {}", f.name.name), vec![type_expr(&f.ty)])
}

fn type_expr(t: &TypeExpr) -> S {
    let name = PRIMITIVE_TYPES
        .iter()
        .find(|(en, zh)| t.name.name == *en || t.name.name == *zh)
        .map_or(t.name.name.as_str(), |(en, _)| en);
    S::node(format!("type {name} set={} optional={}", t.set_depth, t.optional), vec![])
}

fn list(l: &ListDecl) -> S {
    let head = format!("list {} row={} key={}", l.name.name, l.row_type.name, l.key.name);
    match &l.body {
        ListBody::From(file) => S::node(format!("{head} from={}", quoted(&file.value)), vec![]),
        ListBody::Items(items) => S::block(head, items.iter().map(item).collect()),
    }
}

fn item(i: &Item) -> S {
    let key = match &i.key.value {
        KeyValue::Int(n) => format!("int={n}"),
        KeyValue::Text(t) => format!("text={}", quoted(t)),
    };
    S::node(
        format!("item {key} bare={}{}", i.key.bare, in_force(&i.in_force)),
        i.fields.iter().map(field_init).collect(),
    )
}

fn field_init(f: &FieldInit) -> S {
    S::node(format!("init {}", f.name.name), vec![expr(&f.value)])
}

fn cites(cites: &[Path]) -> S {
    S::node("cite", cites.iter().map(|p| S::atom(path(p))).collect())
}

fn rule(r: &RuleDecl) -> S {
    let head = match &r.kind {
        RuleKind::Rule { decision: None } => format!("rule {} for=none", r.name.name),
        RuleKind::Rule { decision: Some(d) } => format!("rule {} for={}", r.name.name, d.name),
        RuleKind::Exception { target } => format!("exception {} to={}", r.name.name, target.name),
    } + &in_force(&r.in_force);
    let mut kids = vec![
        cites(&r.cites),
        S::node("when", vec![expr(&r.when)]),
        r.then.as_ref().map_or(S::atom("(then-absent)"), |o| S::node("then", vec![outcome(o)])),
    ];
    kids.extend(r.unless.iter().map(|u| S::node("unless", vec![expr(u)])));
    S::block(head, kids)
}

fn outcome(o: &Outcome) -> S {
    let fields = match &o.fields {
        None => S::atom("(fields-absent)"),
        Some(f) => S::node("fields", f.iter().map(field_init).collect()),
    };
    let reason =
        o.reason.as_ref().map_or("reason=none".to_string(), |r| format!("reason={}", quoted(&r.value)));
    S::node(format!("outcome {}", path(&o.variant)), vec![fields, S::atom(reason)])
}

fn decision(d: &DecisionDecl) -> S {
    let combining = match &d.combining {
        Combining::Priority(order) if d.merge.is_some() => {
            S::node("priority", vec![names(order), S::atom("merge")])
        }
        Combining::Priority(order) => S::node("priority", vec![names(order)]),
        Combining::First => S::atom("first"),
        Combining::Collect => S::atom("collect"),
        Combining::Unique => S::atom("unique"),
    };
    let end = match &d.end {
        DecisionEnd::Default(o, cs) if cs.is_empty() => S::node("default", vec![outcome(o)]),
        DecisionEnd::Default(o, cs) => S::node("default", vec![outcome(o), cites(cs)]),
        DecisionEnd::Total(_) => S::atom("total"),
        DecisionEnd::Missing => S::atom("end-absent"),
    };
    S::block(format!("decision {} type={}", d.name.name, d.ty.name), vec![combining, end])
}

fn check(c: &CheckDecl) -> S {
    let modality = match c.modality {
        Modality::Must => "must",
        Modality::May => "may",
        Modality::MustNot => "must-not",
    };
    let scope = c.scope.as_ref().map_or(S::atom("(scope-absent)"), |s| {
        let filter = s.filter.as_ref().map_or(S::atom("(where-absent)"), |f| S::node("where", vec![expr(f)]));
        S::node(format!("scope {}", s.var.name), vec![S::node("in", vec![expr(&s.over)]), filter])
    });
    let reason =
        c.reason.as_ref().map_or("reason=none".to_string(), |r| format!("reason={}", quoted(&r.value)));
    S::block(
        format!("check {}", c.name.name),
        vec![cites(&c.cites), scope, S::node(modality, vec![expr(&c.body)]), S::atom(reason)],
    )
}

fn test(t: &TestDecl) -> S {
    let givens = t
        .givens
        .iter()
        .map(|g| S::node(format!("given {}", g.input.name), g.fields.iter().map(field_init).collect()));
    let expects = t.expects.iter().map(|e| {
        let fires = e.fires.as_ref().map_or(S::atom("fires=none"), |f| S::node("fires", vec![names(f)]));
        S::node(format!("expect {} = {}", e.decision.name, path(&e.outcome)), vec![fires])
    });
    S::block(format!("test {}", t.name.name), givens.chain(expects).collect())
}

fn op_name(op: BinaryOp) -> &'static str {
    match op.symbol() {
        Ok(symbol) => symbol,
        Err(Kw::NotIn) => "not-in",
        Err(kw) => kw.text(Lang::En),
    }
}

fn expr(e: &Expr) -> S {
    let b = |x: &Expr| expr(x);
    match &e.kind {
        ExprKind::Bool(v) => S::atom(v.to_string()),
        ExprKind::Int(n) => S::node(format!("int {n}"), vec![]),
        ExprKind::Decimal(d) => S::node(format!("decimal {d}"), vec![]),
        ExprKind::Text(t) => S::node(format!("text {}", quoted(t)), vec![]),
        ExprKind::Date(d) => S::node(format!("date {d}"), vec![]),
        ExprKind::None => S::atom("none"),
        ExprKind::Name(n) => S::node(format!("name {}", n.name), vec![]),
        ExprKind::Field(base, f) => S::node(format!("field {}", f.name), vec![b(base)]),
        ExprKind::Index(base, i) => S::node("index", vec![b(base), b(i)]),
        ExprKind::Call(f, args) => S::node(format!("call {}", f.name), args.iter().map(b).collect()),
        ExprKind::Set(items) => S::node("set", items.iter().map(b).collect()),
        ExprKind::Unary(UnaryOp::Not, x) => S::node("not", vec![b(x)]),
        ExprKind::Unary(UnaryOp::Neg, x) => S::node("neg", vec![b(x)]),
        ExprKind::Binary(op, l, r) => S::node(op_name(*op), vec![b(l), b(r)]),
        ExprKind::IsSome(x, true) => S::node("is-some", vec![b(x)]),
        ExprKind::IsSome(x, false) => S::node("is-none", vec![b(x)]),
        ExprKind::Has(x, f) => S::node(format!("has {}", f.name), vec![b(x)]),
        ExprKind::If(c, t, f) => S::node("if", vec![b(c), b(t), b(f)]),
        ExprKind::Quant(q) => quant(q),
    }
}

fn quant(q: &Quant) -> S {
    let kind = match q.kind {
        QuantKind::Any => "any",
        QuantKind::All => "all",
        QuantKind::Count => "count",
        QuantKind::Sum => "sum",
    };
    let opt = |label: &str, e: &Option<Expr>| {
        e.as_ref().map_or(S::atom(format!("({label}-absent)")), |e| S::node(label, vec![expr(e)]))
    };
    S::node(
        format!("{kind} {}", q.var.name),
        vec![S::node("in", vec![expr(&q.over)]), opt("of", &q.of), opt("where", &q.filter)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn dumps_without_spans_and_normalises_primitive_names() {
        let en = "policy p\nrecord r { a: set of int? }\nlet x = -1 + f(a.b[2], [true, none])";
        let zh = "政策 p\n记录 r { a: 集合 整数？ }\n令 x = -1 + f(a.b[2]，[真，无])";
        let parse = |t| crate::syntax::parse(t, FileId(0)).module.expect("parses");
        let (d_en, d_zh) = (dump(&parse(en)), dump(&parse(zh)));
        assert_eq!(
            d_en,
            "(module p lang=en\n  (record r\n    (field a (type int set=1 optional=true)))\n  \
             (let x\n    (type-absent)\n    (value (+ (neg (int 1)) (call f (index (field b (name a)) \
             (int 2)) (set true none))))))\n"
        );
        assert_eq!(d_zh.replacen("lang=zh", "lang=en", 1), d_en);
    }
}
