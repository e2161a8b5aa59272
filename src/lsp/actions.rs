//! Formatting (`qingdan fmt` on the editor's text) and quick fixes for the diagnostics
//! that name one certain edit (see `fixes.rs`).

use lsp_types::Range;
use qingdan_dsl::Lang;
use serde_json::{json, Value};

use super::analysis::Analysis;
use super::documents::Document;
use super::fixes::fix_for;
use super::transport::codes;
use super::{invalid_params, Failure, Reply};

/// The whole text formatted, as one edit; none when it is formatted already. A text with
/// syntax errors is not formatted (the tree holds placeholders where the text was wrong).
pub fn format(doc: &Document) -> Reply {
    let program =
        qingdan_dsl::program::parse_files(vec![("document.qd".into(), Ok(doc.text.clone().into_bytes()))]);
    let Some(pm) = program.modules.first().filter(|_| !program.has_errors()) else {
        let zh = doc.text.trim_start().starts_with("政策");
        let why = if zh {
            "文件有语法错误，改正后才能格式化"
        } else {
            "the file has syntax errors: fix them before formatting"
        };
        return Err(Failure(codes::REQUEST_FAILED, why.into()));
    };
    let source = &program.sources.get(pm.file).text;
    let formatted = qingdan_dsl::fmt::format_with(&pm.module, &pm.comments, source, pm.module.lang);
    if &formatted == source {
        return Ok(json!([]));
    }
    let whole = doc.index.range(&doc.text, 0, doc.text.len());
    Ok(json!([{ "range": whole, "newText": formatted }]))
}

/// Quick fixes for the diagnostics of the document that touch the requested range.
pub fn code_actions(a: &Analysis, uri: &str, params: &Value) -> Reply {
    let wanted: Range = serde_json::from_value(params["range"].clone())
        .map_err(|e| invalid_params(format!("bad `range`: {e}")))?;
    let lang: Lang = a.lang();
    let text = a.text(a.file);
    let mut actions = Vec::new();
    for d in a.program.diagnostics.iter().filter(|d| d.span.file == a.file) {
        let range = a.range(d.span);
        if range.end < wanted.start || wanted.end < range.start {
            continue;
        }
        let Some(fix) = fix_for(d, text) else { continue };
        actions.push(json!({
            "title": fix.title(lang),
            "kind": "quickfix",
            "isPreferred": true,
            "diagnostics": [{ "range": range, "code": d.code.as_str(), "message": d.message.get(lang) }],
            "edit": { "changes": { uri: [{ "range": range, "newText": fix.replacement }] } },
        }));
    }
    Ok(json!(actions))
}
