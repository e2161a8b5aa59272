//! `POST /api/rows`: each list's rows as the case form's reference picker shows them — the
//! key and the row's name. A compiled module keeps only the columns its expressions read
//! (docs/wasm-abi.md §5), often the key alone, so a drafter picking `JB-034` out of 146 rows
//! would see bare codes; the names come from the lowered policy instead.

use axum::response::{IntoResponse, Response};
use qingdan_engine::ir::{ListDef, Type};
use qingdan_engine::Policy;
use serde_json::{json, Value as Json};

/// Field names that say "this is the row's name", in the order they are preferred.
const NAME_FIELDS: [&str; 8] = ["名称", "事项名称", "名字", "标题", "name", "title", "label", "description"];

pub fn answer(policy: &Policy) -> Response {
    let lists: serde_json::Map<String, Json> =
        policy.lists.iter().map(|l| (l.name.clone(), list_json(policy, l))).collect();
    axum::Json(json!({ "lists": lists })).into_response()
}

/// `{ key, name, rows: [[key, name]] }`: the field names and each row's key and name as
/// shown (`name` null when the list has no text field besides its key).
fn list_json(policy: &Policy, list: &ListDef) -> Json {
    let name_field = name_field(list);
    let rows: Vec<Json> = list
        .rows
        .iter()
        .map(|row| {
            let key = row.get(list.key).map(|v| policy.show(v, &list.fields[list.key].1));
            let name = name_field.and_then(|f| match row.get(f)? {
                qingdan_engine::Value::None => None,
                v => Some(policy.show(v, &list.fields[f].1)),
            });
            json!([key, name])
        })
        .collect();
    json!({
        "key": list.fields[list.key].0,
        "name": name_field.map(|f| &list.fields[f].0),
        "rows": rows,
    })
}

/// The field that names a row: one called 名称, name, … (see [`NAME_FIELDS`]), else the
/// first text field other than the key.
fn name_field(list: &ListDef) -> Option<usize> {
    let text =
        |ty: &Type| matches!(ty, Type::Text) || matches!(ty, Type::Opt(t) if matches!(**t, Type::Text));
    let candidates: Vec<usize> =
        (0..list.fields.len()).filter(|&f| f != list.key && text(&list.fields[f].1)).collect();
    NAME_FIELDS
        .iter()
        .find_map(|n| candidates.iter().copied().find(|&f| list.fields[f].0.eq_ignore_ascii_case(n)))
        .or_else(|| candidates.first().copied())
}
