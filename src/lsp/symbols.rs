//! The outline: the document's declarations, each with its members (a source's clauses,
//! an enum's variants, a record's fields, a list's rows written in the policy).

use serde_json::{json, Value};

use super::analysis::Analysis;
use super::index::{Kind, SymId};
use super::Reply;

pub fn document_symbols(a: &Analysis) -> Reply {
    let Some(m) = a.module else { return Ok(json!([])) };
    let top: Vec<Value> = (0..a.index.symbols.len())
        .filter(|&s| {
            let sym = &a.index.symbols[s];
            sym.module == m
                && sym.container.is_none()
                && !matches!(sym.kind, Kind::Policy | Kind::Variable)
                && sym.decl_span.file == a.file
        })
        .map(|s| symbol(a, s))
        .collect();
    Ok(json!(top))
}

fn symbol(a: &Analysis, s: SymId) -> Value {
    let sym = &a.index.symbols[s];
    let children: Vec<Value> = a
        .index
        .members_of(s)
        .filter(|&c| a.index.symbols[c].decl_span.file == a.file)
        .map(|c| symbol(a, c))
        .collect();
    let mut out = json!({
        "name": sym.name,
        "kind": protocol_kind(sym.kind),
        "range": a.range(sym.decl_span),
        "selectionRange": a.range(sym.name_span),
    });
    if !children.is_empty() {
        out["children"] = json!(children);
    }
    out
}

/// The protocol's `SymbolKind` numbers.
fn protocol_kind(kind: Kind) -> u32 {
    match kind {
        Kind::Policy => 2,                // Module
        Kind::Source => 3,                // Namespace
        Kind::Clause => 15,               // String
        Kind::Enum => 10,                 // Enum
        Kind::Variant => 22,              // EnumMember
        Kind::Record | Kind::Input => 23, // Struct
        Kind::Field => 8,                 // Field
        Kind::List => 18,                 // Array
        Kind::Row => 19,                  // Object
        Kind::Let => 13,                  // Variable
        Kind::Rule | Kind::Check => 12,   // Function
        Kind::Decision => 6,              // Method
        Kind::Test => 24,                 // Event
        Kind::Variable => 13,             // Variable
    }
}
