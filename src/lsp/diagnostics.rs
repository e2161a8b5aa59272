//! The front end's diagnostics as the protocol's: a range in UTF-16 columns, the stable
//! code, the message in the file's language with its help line, secondary labels as
//! related information. A diagnostic's `data` keeps the fix a code action can offer.

use std::cell::OnceCell;

use qingdan_dsl::{Diagnostic, FileId, Lang, Program, Severity};
use serde_json::{json, Value};

use super::analysis::Analysis;
use super::documents::LineIndex;
use super::fixes;

/// The diagnostics of `program` that lie in `file`, ready for `publishDiagnostics`.
pub fn of_file(program: &Program, file: FileId, uris: &dyn Fn(FileId) -> String) -> Vec<Value> {
    // Line indexes only of the files diagnostics point into (not every CSV and full text).
    let lines: Vec<OnceCell<LineIndex>> = program.sources.iter().map(|_| OnceCell::new()).collect();
    let lang = program.sources.get(file).lang;
    program
        .diagnostics
        .iter()
        .filter(|d| d.span.file == file)
        .map(|d| to_protocol(d, program, &lines, lang, uris))
        .collect()
}

/// Diagnostics for the document an analysis checked.
pub fn of_analysis(a: &Analysis) -> Vec<Value> {
    let lang = a.program.sources.get(a.file).lang;
    let lines: Vec<OnceCell<LineIndex>> =
        a.lines.iter().map(|l| l.get().cloned().map(OnceCell::from).unwrap_or_default()).collect();
    let uris = |f: FileId| a.uris[f.0 as usize].clone();
    a.program
        .diagnostics
        .iter()
        .filter(|d| d.span.file == a.file)
        .map(|d| to_protocol(d, &a.program, &lines, lang, &uris))
        .collect()
}

fn to_protocol(
    d: &Diagnostic,
    program: &Program,
    lines: &[OnceCell<LineIndex>],
    lang: Lang,
    uris: &dyn Fn(FileId) -> String,
) -> Value {
    let range = |span: qingdan_dsl::Span| {
        let text = &program.sources.get(span.file).text;
        let index = lines[span.file.0 as usize].get_or_init(|| LineIndex::new(text));
        index.range(text, span.start as usize, span.end as usize)
    };
    let mut message = d.message.get(lang).to_string();
    if let Some(help) = &d.help {
        message.push('\n');
        message.push_str(help.get(lang));
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .map(|l| json!({ "location": { "uri": uris(l.span.file), "range": range(l.span) }, "message": l.message.get(lang) }))
        .collect();
    let text = &program.sources.get(d.span.file).text;
    let fix = fixes::fix_for(d, text);
    let mut out = json!({
        "range": range(d.span),
        "severity": match d.severity() { Severity::Error => 1, Severity::Warning => 2 },
        "code": d.code.as_str(),
        "source": "qingdan",
        "message": message,
    });
    if !related.is_empty() {
        out["relatedInformation"] = json!(related);
    }
    if let Some(fix) = fix {
        out["data"] = json!({ "fix": fix.replacement, "title": fix.title(lang) });
    }
    out
}
