//! A data file's columns in the editor: hover on a column's name (a CSV header cell, a YAML
//! row's key) tells what it fills — a field of the list's record with its declaration, or
//! one of the reserved date columns `施行日期` / `废止日期` (`from` / `until`) that date a row
//! when the record declares no field of that name; completion where a column's name is
//! typed offers those not yet written, the reserved ones included. The list and its record
//! are those of the policies near the file that read it (`data_files::policies_naming`).

use std::path::Path;

use qingdan_dsl::include::{is_row_date_column, split_sheet};
use qingdan_dsl::syntax::ast::{Decl, FieldDecl, ListBody, RecordDecl};
use qingdan_dsl::{Lang, Program};
use serde_json::{json, Value};

use super::analysis::{self, Snapshot};
use super::data_files;
use super::documents::Document;
use crate::loader::FsLoader;

/// Where the data file is being read from: what the editor asked about and where to look.
pub struct DataDoc<'a> {
    pub uri: &'a str,
    pub doc: &'a Document,
    pub open: &'a Snapshot,
    pub fs: &'a FsLoader,
    pub root: Option<&'a Path>,
}

/// The list a policy reads from the data file, with its record's fields.
struct Reader {
    lang: Lang,
    list: String,
    record: String,
    /// Each field as declared (`名称: 文本`).
    fields: Vec<(String, String)>,
}

impl Reader {
    fn declares(&self, column: &str) -> Option<&str> {
        self.fields.iter().find(|(name, _)| name == column).map(|(_, decl)| decl.as_str())
    }
}

/// A hover on the column name under `offset`, or null.
pub fn hover(d: &DataDoc<'_>, offset: usize) -> Value {
    let text = &d.doc.text;
    let Some((start, end)) = column_at(d.uri, text, offset) else { return Value::Null };
    let Some(reader) = reader(d) else { return Value::Null };
    let column = text[start..end].trim();
    let body = match (reader.declares(column), date_column_words(column, reader.lang)) {
        (Some(decl), _) => field_words(&reader, decl),
        (None, Some(words)) => words,
        (None, None) => unknown_words(&reader, column),
    };
    json!({
        "contents": { "kind": "markdown", "value": body },
        "range": d.doc.index.range(text, start, end),
    })
}

/// Completion where a column's name is being typed: the record's fields and the reserved
/// date columns that the file does not have yet.
pub fn complete(d: &DataDoc<'_>, offset: usize) -> Value {
    let text = &d.doc.text;
    if !naming_a_column(d.uri, text, offset) {
        return Value::Null;
    }
    let Some(reader) = reader(d) else { return Value::Null };
    let written = written_columns(d.uri, text, offset);
    let mut items: Vec<Value> = reader
        .fields
        .iter()
        .filter(|(name, _)| !written.contains(name))
        .map(|(name, decl)| json!({ "label": name, "kind": 5, "detail": decl }))
        .collect();
    let (from, until) = date_column_names(reader.lang);
    for name in [from, until] {
        if reader.declares(name).is_none() && !written.iter().any(|w| w == name) {
            let detail =
                date_column_words(name, reader.lang).and_then(|w| w.lines().nth(2).map(str::to_string));
            items.push(json!({ "label": name, "kind": 5, "detail": detail }));
        }
    }
    json!({ "isIncomplete": false, "items": items })
}

/// The reserved columns' names in the policy's language.
fn date_column_names(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Zh => ("施行日期", "废止日期"),
        Lang::En => ("from", "until"),
    }
}

/// What a reserved date column means, when `column` is one.
fn date_column_words(column: &str, lang: Lang) -> Option<String> {
    if !is_row_date_column(column) {
        return None;
    }
    let from = matches!(column, "施行日期" | "from");
    let what = match (lang, from) {
        (Lang::Zh, true) => "这一行自哪天起施行（含当天）；空着表示不限",
        (Lang::Zh, false) => "这一行施行到哪天为止（含当天）；空着表示不限",
        (Lang::En, true) => "the first day the row is in force (inclusive); empty: no start",
        (Lang::En, false) => "the last day the row is in force (inclusive); empty: no end",
    };
    let (head, rest) = match lang {
        Lang::Zh => (
            "保留的日期列",
            "每次查找清单只看案件日期（政策的 `以 … 为准`）施行的行；记录不必声明这一列。",
        ),
        Lang::En => (
            "reserved date column",
            "every search of the list sees only the rows in force on the case's date (the policy's `as of`); the record does not declare this column.",
        ),
    };
    let head = match lang {
        Lang::Zh => format!("**{column}**（{head}）"),
        Lang::En => format!("**{column}** ({head})"),
    };
    Some(format!("{head}\n\n{what}\n\n{rest}"))
}

fn field_words(r: &Reader, decl: &str) -> String {
    match r.lang {
        Lang::Zh => format!("**字段**（记录 `{}`，清单 `{}`）\n\n```qingdan\n{decl}\n```", r.record, r.list),
        Lang::En => {
            format!("**field** (record `{}`, list `{}`)\n\n```qingdan\n{decl}\n```", r.record, r.list)
        }
    }
}

fn unknown_words(r: &Reader, column: &str) -> String {
    let names: Vec<&str> = r.fields.iter().map(|(n, _)| n.as_str()).collect();
    let (from, until) = date_column_names(r.lang);
    match r.lang {
        Lang::Zh => format!(
            "记录 `{}` 没有字段 `{column}`（清单 `{}`）\n\n可用的列：{}，以及保留的日期列 {from}、{until}",
            r.record,
            r.list,
            names.join("、")
        ),
        Lang::En => format!(
            "record `{}` has no field `{column}` (list `{}`)\n\ncolumns: {}, and the reserved date columns {from}, {until}",
            r.record,
            r.list,
            names.join(", ")
        ),
    }
}

fn is_csv(uri: &str) -> bool {
    uri.to_ascii_lowercase().ends_with(".csv")
}

/// The byte range of the column name under `offset`: a cell of a CSV's first line, or the
/// key before `:` on a YAML line.
fn column_at(uri: &str, text: &str, offset: usize) -> Option<(usize, usize)> {
    let (start, end) = if is_csv(uri) {
        header_cells(text).into_iter().find(|&(s, e)| s <= offset && offset <= e)?
    } else {
        yaml_key(text, offset)?
    };
    let cell = &text[start..end];
    let lead = cell.len() - cell.trim_start_matches([' ', '"']).len();
    let trail = cell.len() - cell.trim_end_matches([' ', '"', '\r']).len();
    (start + lead < end - trail).then_some((start + lead, end - trail))
}

/// The cells of a CSV's header line (byte ranges), commas inside quotes kept.
fn header_cells(text: &str) -> Vec<(usize, usize)> {
    let line_end = text.find('\n').unwrap_or(text.len());
    let mut cells = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text[..line_end].char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                cells.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    cells.push((start, line_end));
    cells
}

/// The key of a YAML row's line (`- 编号: …`, `  名称: …`), as a byte range in `line`.
fn line_key(line: &str) -> Option<(usize, usize)> {
    let body = line.trim_start_matches([' ', '-']);
    let start = line.len() - body.len();
    let colon = body.find(':')?;
    (!body.starts_with('#') && colon > 0).then_some((start, start + colon))
}

/// The key of the YAML line holding `offset`, when `offset` is on it.
fn yaml_key(text: &str, offset: usize) -> Option<(usize, usize)> {
    let line_start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let (start, end) = line_key(line)?;
    let (start, end) = (line_start + start, line_start + end);
    (start <= offset && offset <= end).then_some((start, end))
}

/// Whether `offset` is where a column's name is written: on a CSV's header line, or at a
/// YAML line's key (before its `:`).
fn naming_a_column(uri: &str, text: &str, offset: usize) -> bool {
    if is_csv(uri) {
        return !text[..offset.min(text.len())].contains('\n');
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    !before.contains(':') && !before.trim_start_matches([' ', '-']).starts_with('#')
}

/// The column names already written: the CSV's header cells, or the keys of the YAML row
/// that `offset` is in (from its `- ` line to the next).
fn written_columns(uri: &str, text: &str, offset: usize) -> Vec<String> {
    if is_csv(uri) {
        return header_cells(text)
            .into_iter()
            .map(|(s, e)| text[s..e].trim().trim_matches('"').to_string())
            .collect();
    }
    let row_start = text[..offset].rfind("\n-").map_or(0, |i| i + 1);
    let row_end = text[offset..].find("\n-").map_or(text.len(), |i| offset + i);
    text[row_start..row_end]
        .lines()
        .filter_map(|line| line_key(line).map(|(s, e)| line[s..e].trim().to_string()))
        .collect()
}

/// The first policy near the file that reads it, with the list and the record's fields.
fn reader(d: &DataDoc<'_>) -> Option<Reader> {
    let path = analysis::path_of(d.uri);
    data_files::policies_naming(Path::new(&path), d.root).into_iter().find_map(|policy| {
        let program = analysis::check_path(&policy.to_string_lossy(), d.open, d.fs);
        reader_in(&program, &path)
    })
}

fn reader_in(program: &Program, data: &str) -> Option<Reader> {
    for pm in &program.modules {
        let folder = Path::new(&program.sources.get(pm.file).path).parent()?.to_path_buf();
        for decl in &pm.module.decls {
            let Decl::List(list) = decl else { continue };
            let ListBody::From(from) = &list.body else { continue };
            let (file, _) = split_sheet(&from.value);
            if !analysis::same_file(&folder.join(file).to_string_lossy(), data) {
                continue;
            }
            let record = record_named(program, &list.row_type.name)?;
            let fields =
                record.fields.iter().map(|f| (f.name.name.clone(), field_text(program, f))).collect();
            return Some(Reader {
                lang: pm.module.lang,
                list: list.name.name.clone(),
                record: record.name.name.clone(),
                fields,
            });
        }
    }
    None
}

/// The record of that name, in the policy or a policy it uses.
fn record_named<'p>(program: &'p Program, name: &str) -> Option<&'p RecordDecl> {
    program.modules.iter().flat_map(|pm| &pm.module.decls).find_map(|d| match d {
        Decl::Record(r) if r.name.name == name => Some(r),
        _ => None,
    })
}

fn field_text(program: &Program, f: &FieldDecl) -> String {
    program.sources.text(f.span).trim().to_string()
}
