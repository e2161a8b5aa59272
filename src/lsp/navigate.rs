//! Go to definition, find references and rename, all from the index's mentions — across
//! the policies checked together and into the CSV/YAML files that hold list rows.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::analysis::Analysis;
use super::{invalid_params, Failure, Reply};
use qingdan_dsl::syntax::lex::is_word_char;

pub fn definition(a: &Analysis, offset: usize) -> Reply {
    Ok(match a.index.at(a.file, offset) {
        Some((_, sym)) => a.location(a.index.symbols[sym].name_span),
        None => Value::Null,
    })
}

pub fn references(a: &Analysis, offset: usize, params: &Value) -> Reply {
    let Some((_, sym)) = a.index.at(a.file, offset) else { return Ok(Value::Null) };
    let with_declaration =
        params.pointer("/context/includeDeclaration").and_then(Value::as_bool).unwrap_or(true);
    let declared = a.index.symbols[sym].name_span;
    let found: Vec<Value> = a
        .index
        .mentions_of(sym)
        .filter(|s| with_declaration || *s != declared)
        .map(|s| a.location(s))
        .collect();
    Ok(json!(found))
}

pub fn prepare_rename(a: &Analysis, offset: usize) -> Reply {
    Ok(match a.index.at(a.file, offset) {
        Some((span, sym)) => json!({ "range": a.range(span), "placeholder": a.index.symbols[sym].name }),
        None => Value::Null,
    })
}

/// Every mention of the name under the cursor becomes `newName`, in whichever file it is.
pub fn rename(a: &Analysis, offset: usize, params: &Value) -> Reply {
    let new_name = params["newName"].as_str().ok_or_else(|| invalid_params("missing `newName`"))?;
    if new_name.is_empty() || !new_name.chars().all(is_word_char) {
        return Err(Failure(super::transport::codes::REQUEST_FAILED, format!("`{new_name}` is not a name")));
    }
    let Some((_, sym)) = a.index.at(a.file, offset) else {
        return Err(Failure(super::transport::codes::REQUEST_FAILED, "no name here to rename".into()));
    };
    let mut changes: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for span in a.index.mentions_of(sym) {
        let edit = json!({ "range": a.range(span), "newText": new_name });
        changes.entry(a.uris[span.file.0 as usize].clone()).or_default().push(edit);
    }
    Ok(json!({ "changes": changes }))
}
