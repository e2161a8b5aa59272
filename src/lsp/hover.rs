//! Hover: what the name under the cursor is — its declaration as written (a rule's shows
//! its reason), its type, an enum's variants, and for a citation (or a clause, or a rule
//! citing clauses) the full text of the clause.

use qingdan_dsl::check::Ty;
use qingdan_dsl::Lang;
use serde_json::{json, Value};

use super::analysis::Analysis;
use super::index::{Kind, SymId};
use super::Reply;

/// At most this many lines of a declaration are shown.
const MAX_LINES: usize = 12;

pub fn hover(a: &Analysis, offset: usize) -> Reply {
    let Some((span, sym)) = a.index.at(a.file, offset) else {
        return Ok(super::dates::hover(a, offset).unwrap_or(Value::Null));
    };
    let lang = a.lang();
    let mut parts =
        vec![format!("**{}** `{}`", kind_word(a.index.symbols[sym].kind, lang), a.index.symbols[sym].name)];
    parts.push(format!("```qingdan\n{}\n```", declaration_text(a, sym)));
    if let Some(ty) = type_of(a, sym, span) {
        let ty = ty.describe(&a.program.checked.as_ref().expect("typed").env);
        parts.push(format!("{}{}", if lang == Lang::Zh { "类型：" } else { "type: " }, ty.get(lang)));
    }
    parts.extend(variants(a, sym, lang));
    parts.extend(clause_texts(a, sym));
    Ok(json!({
        "contents": { "kind": "markdown", "value": parts.join("\n\n") },
        "range": a.range(span),
    }))
}

fn kind_word(kind: Kind, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        Kind::Policy => ("政策", "policy"),
        Kind::Source => ("来源", "source"),
        Kind::Clause => ("条款", "clause"),
        Kind::Enum => ("枚举", "enum"),
        Kind::Variant => ("枚举值", "variant"),
        Kind::Record => ("记录", "record"),
        Kind::Input => ("输入", "input"),
        Kind::Field => ("字段", "field"),
        Kind::List => ("清单", "list"),
        Kind::Row => ("条目", "row"),
        Kind::Let => ("令", "let"),
        Kind::Rule => ("规则", "rule"),
        Kind::Decision => ("决定", "decision"),
        Kind::Check => ("检查", "check"),
        Kind::Test => ("测试", "test"),
        Kind::Variable => ("变量", "variable"),
    };
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

/// The declaration as written, its first lines.
fn declaration_text(a: &Analysis, sym: SymId) -> String {
    let s = &a.index.symbols[sym];
    let text = a.program.sources.text(s.decl_span);
    let mut lines: Vec<&str> = text.lines().take(MAX_LINES + 1).collect();
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        lines.push("…");
    }
    lines.join("\n")
}

/// A let's inferred type, or the type the checker gave the expression under the cursor.
fn type_of(a: &Analysis, sym: SymId, span: qingdan_dsl::Span) -> Option<Ty> {
    let checked = a.program.checked.as_ref()?;
    let s = &a.index.symbols[sym];
    match s.kind {
        Kind::Let => checked.let_types.get(&s.decl?).cloned(),
        Kind::Variable => a.index.variable_types.get(&sym).cloned(),
        _ => checked.expr_types.get(&span).cloned(),
    }
}

/// An enum's variants (or a variant's siblings).
fn variants(a: &Analysis, sym: SymId, lang: Lang) -> Option<String> {
    let s = &a.index.symbols[sym];
    let enum_sym = match s.kind {
        Kind::Enum => sym,
        Kind::Variant => s.container?,
        _ => return None,
    };
    let names: Vec<String> =
        a.index.members_of(enum_sym).map(|v| format!("`{}`", a.index.symbols[v].name)).collect();
    let head = if lang == Lang::Zh { "取值：" } else { "variants: " };
    Some(format!("{head}{}", names.join(if lang == Lang::Zh { "、" } else { ", " })))
}

/// The full text of the clause, or of each clause a rule or check cites.
fn clause_texts(a: &Analysis, sym: SymId) -> Vec<String> {
    let s = &a.index.symbols[sym];
    let clauses: Vec<SymId> = match s.kind {
        Kind::Clause => vec![sym],
        Kind::Rule | Kind::Check => {
            let decl = s.decl_span;
            let mut cited: Vec<SymId> = a
                .index
                .mentions
                .iter()
                .filter(|(span, c)| {
                    span.file == decl.file
                        && decl.start <= span.start
                        && span.end <= decl.end
                        && a.index.symbols[*c].kind == Kind::Clause
                })
                .map(|(_, c)| *c)
                .collect();
            cited.dedup();
            cited
        }
        _ => return Vec::new(),
    };
    clauses.into_iter().filter_map(|c| clause_text(a, c)).collect()
}

fn clause_text(a: &Analysis, clause: SymId) -> Option<String> {
    let env = &a.program.checked.as_ref()?.env;
    let c = &a.index.symbols[clause];
    let source = &a.index.symbols[c.container?];
    let info = env.sources.iter().find(|s| s.module == source.module && s.name == source.name)?;
    let found = info.clauses.iter().find(|k| k.id == c.name)?;
    let quoted: Vec<String> = found.text.lines().map(|l| format!("> {l}")).collect();
    Some(format!("{}.{}（{}）\n{}", source.name, c.name, info.title, quoted.join("\n")))
}
