//! The rows of a policy's lists kept in data files (`清单 L: T 键 k 来自 "rows.csv"`), for
//! the playground's table editor.
//!
//! `POST /api/file/rows {"path"}` answers, for each CSV or YAML file a list of the policy
//! takes its rows from: the file, its columns (in the file's order) with the type the
//! record declares for each (so the page checks cells as they are typed), its rows as cell
//! texts, and its version. `POST /api/file/rows/save {"path", "file", "version", "rows"}`
//! writes rows back in the file's own format: a CSV keeps its header line as it is and
//! quotes only the cells that need it; a YAML file is written as a list of mappings in the
//! column order; both keep their byte order mark and line endings, and a file that is not
//! UTF-8 but GB18030/GBK is written back in GB18030. Before writing, the
//! policy is checked with the new rows in place of the file's, and a save that would make
//! it fail to check is refused with the diagnostics. Writes go through `replace.rs`, after
//! the same version check as any save (409 with the disk's rows).

use std::path::Path;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qingdan_dsl::diag::render::{self, RenderOptions};
use qingdan_dsl::program::{LoadError, Loader};
use qingdan_dsl::syntax::ast::{Decl, ListBody, Module, TypeExpr};
use serde::Deserialize;
use serde_json::{json, Value as Json};

use crate::playground_cmd::error;
use crate::playground_files::{decode, encode, version_of, Files, Identity};

#[derive(Deserialize)]
pub struct RowsRequest {
    /// The policy (`.qd`).
    path: String,
}

#[derive(Deserialize)]
pub struct SaveRowsRequest {
    /// The policy whose check must still pass.
    path: String,
    /// The data file, relative to the policy folder (as `/api/file/rows` named it).
    file: String,
    version: String,
    /// Cell texts, one row per entry, in the file's column order.
    rows: Vec<Vec<String>>,
    /// A YAML file is written anew from its rows, so its comments cannot be kept: a save
    /// of a file that has some is refused (`yaml-comments`) unless the drafter agreed.
    #[serde(default)]
    drop_comments: bool,
}

fn unprocessable(code: &str, en: &str, zh: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, code, en, zh)
}

/// A column's declared type as the page checks it: `kind` is `int`, `decimal`, `text`,
/// `date`, `bool`, `enum` (with its `variants`) or `ref` (a row of another list, by key).
fn column_type(ty: Option<&TypeExpr>, module: &Module) -> Json {
    let Some(ty) = ty else { return json!({ "kind": "text", "optional": true, "set": false }) };
    let name = ty.name.name.as_str();
    let builtin = match name {
        "int" | "整数" => Some("int"),
        "decimal" | "小数" => Some("decimal"),
        "text" | "文本" => Some("text"),
        "date" | "日期" => Some("date"),
        "bool" | "布尔" => Some("bool"),
        _ => None,
    };
    let mut out = json!({ "optional": ty.optional, "set": ty.set_depth > 0 });
    if let Some(kind) = builtin {
        out["kind"] = json!(kind);
        return out;
    }
    let variants = module.decls.iter().find_map(|d| match d {
        Decl::Enum(e) if e.name.name == name => {
            Some(e.variants.iter().map(|v| v.name.name.clone()).collect::<Vec<_>>())
        }
        _ => None,
    });
    match variants {
        Some(v) => {
            out["kind"] = json!("enum");
            out["of"] = json!(name);
            out["variants"] = json!(v);
        }
        None => {
            out["kind"] = json!("ref");
            out["of"] = json!(name);
        }
    }
    out
}

/// The lists of `module` that come from files: (file as written, list name, record type).
fn listed_files(module: &Module) -> Vec<(String, String, String, String)> {
    module
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::List(l) => match &l.body {
                ListBody::From(text) => Some((
                    text.value.clone(),
                    l.name.name.clone(),
                    l.row_type.name.clone(),
                    l.key.name.clone(),
                )),
                ListBody::Items(_) => None,
            },
            _ => None,
        })
        .collect()
}

/// `written` (relative to the policy `rel`'s folder) relative to the policy folder.
fn beside(rel: &str, written: &str) -> String {
    match rel.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{written}"),
        None => written.to_string(),
    }
}

fn read_policy(files: &Files, rel: &str) -> Result<(std::path::PathBuf, String, Module), Response> {
    if !rel.ends_with(".qd") {
        return Err(unprocessable("not-a-policy", "lists belong to a policy (.qd)", "清单属于政策（.qd）"));
    }
    let file = files.resolve(rel)?.path;
    let text = std::fs::read(&file).ok().and_then(|b| decode(&b)).map(|(t, _)| t).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "no-such-file",
            &format!("`{rel}` cannot be read"),
            &format!("无法读取 `{rel}`"),
        )
    })?;
    let parsed = qingdan_dsl::syntax::parse(&text, qingdan_dsl::FileId(0));
    let module = parsed.module.ok_or_else(|| {
        unprocessable("policy-has-errors", "the saved policy has syntax errors", "已保存的政策有语法错误")
    })?;
    Ok((file, text, module))
}

/// The rows of a CSV text: header and rows, each as cell texts.
fn csv_table(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    Ok((header, rows))
}

/// The rows of a YAML list of mappings: the columns are the record's fields (in their
/// declared order) and any other key found.
fn yaml_table(text: &str, fields: &[String]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let items: Vec<serde_yaml::Mapping> = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let mut header: Vec<String> = fields.to_vec();
    for item in &items {
        for k in item.keys().filter_map(|k| k.as_str()) {
            if !header.iter().any(|h| h == k) {
                header.push(k.to_string());
            }
        }
    }
    let cell = |v: Option<&serde_yaml::Value>| match v {
        None | Some(serde_yaml::Value::Null) => String::new(),
        Some(serde_yaml::Value::String(s)) => s.clone(),
        Some(serde_yaml::Value::Sequence(items)) => items
            .iter()
            .map(|i| serde_yaml::to_string(i).unwrap_or_default().trim().to_string())
            .collect::<Vec<_>>()
            .join("；"),
        Some(other) => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    };
    let rows = items.iter().map(|item| header.iter().map(|h| cell(item.get(h.as_str()))).collect()).collect();
    Ok((header, rows))
}

/// How a data file's bytes are written: as UTF-8 (with its mark and line endings), or as
/// GB18030 (which GBK is a part of) when they are not UTF-8 — what spreadsheets on Chinese
/// Windows save.
#[derive(Clone, Copy)]
enum DataIdentity {
    Utf8(Identity),
    Gb18030 { crlf: bool },
}

fn decode_any(bytes: &[u8]) -> Option<(String, DataIdentity)> {
    if let Some((text, identity)) = decode(bytes) {
        return Some((text, DataIdentity::Utf8(identity)));
    }
    let text = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)?;
    let crlf = text.contains("\r\n");
    Some((text.replace("\r\n", "\n"), DataIdentity::Gb18030 { crlf }))
}

fn encode_any(text: &str, identity: DataIdentity) -> Vec<u8> {
    match identity {
        DataIdentity::Utf8(identity) => encode(text, identity),
        DataIdentity::Gb18030 { crlf } => {
            let text = if crlf { text.replace('\n', "\r\n") } else { text.to_string() };
            // GB18030 maps every character, so nothing is replaced.
            encoding_rs::GB18030.encode(&text).0.into_owned()
        }
    }
}

/// Whether a YAML text has a comment: a `#` at the start of a line or after a blank, outside
/// quotes (a plain scalar cannot hold ` #`, so this is exact for one-line scalars).
fn has_yaml_comments(text: &str) -> bool {
    text.lines().any(|line| {
        let mut quote = None;
        let mut after_blank = true;
        for c in line.chars() {
            match (quote, c) {
                (None, '#') if after_blank => return true,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            after_blank = c.is_whitespace();
        }
        false
    })
}

fn is_yaml(file: &str) -> bool {
    file.ends_with(".yaml") || file.ends_with(".yml")
}

/// A data file's table for the page, or why it cannot be shown.
fn table_of(
    rel_file: &str,
    bytes: &[u8],
    fields: &[String],
) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let (text, _) = decode_any(bytes).ok_or("neither UTF-8 nor GB18030/GBK text")?;
    if is_yaml(rel_file) {
        yaml_table(&text, fields)
    } else {
        csv_table(&text)
    }
}

pub fn rows(files: &Files, request: RowsRequest) -> Response {
    let rel = request.path.as_str();
    let (_, _, module) = match read_policy(files, rel) {
        Ok(x) => x,
        Err(refused) => return refused,
    };
    let mut out: Vec<Json> = Vec::new();
    for (written, list, row_type, key) in listed_files(&module) {
        let file = beside(rel, &written);
        if let Some(seen) = out.iter_mut().find(|f| f["file"] == file) {
            if let Some(lists) = seen["lists"].as_array_mut() {
                lists.push(json!(list));
            }
            continue;
        }
        let record = module.decls.iter().find_map(|d| match d {
            Decl::Record(r) if r.name.name == row_type => Some(r),
            _ => None,
        });
        let fields: Vec<String> =
            record.map(|r| r.fields.iter().map(|f| f.name.name.clone()).collect()).unwrap_or_default();
        let mut entry = json!({ "file": file, "lists": [list], "key": key, "format": if is_yaml(&file) { "yaml" } else { "csv" } });
        let read = files.resolve(&file).map_err(|_| "outside the policy folder".to_string()).and_then(|t| {
            let bytes = std::fs::read(&t.path).map_err(|e| e.to_string())?;
            let comments = is_yaml(&file) && has_yaml_comments(&String::from_utf8_lossy(&bytes));
            Ok((table_of(&file, &bytes, &fields)?, version_of(&bytes), comments))
        });
        match read {
            Ok(((header, rows), version, comments)) => {
                entry["comments"] = json!(comments);
                let columns: Vec<Json> = header
                    .iter()
                    .map(|h| {
                        let ty =
                            record.and_then(|r| r.fields.iter().find(|f| f.name.name == *h)).map(|f| &f.ty);
                        let mut c = column_type(ty, &module);
                        c["name"] = json!(h);
                        c
                    })
                    .collect();
                entry["columns"] = json!(columns);
                entry["rows"] = json!(rows);
                entry["version"] = json!(version);
            }
            Err(why) => entry["unreadable"] = json!(why),
        }
        out.push(entry);
    }
    axum::Json(json!({ "path": rel, "files": out })).into_response()
}

/// A CSV cell, quoted when it must be (a separator, a quote, a line break, or spaces at
/// either end that a reader would keep but a drafter would not see).
fn csv_cell(cell: &str) -> String {
    let plain = !cell.contains([',', '"', '\n', '\r']) && cell.trim() == cell;
    if plain {
        cell.to_string()
    } else {
        format!("\"{}\"", cell.replace('"', "\"\""))
    }
}

/// The new CSV text: the header line exactly as it was, then the rows.
fn csv_text(old: &str, rows: &[Vec<String>]) -> String {
    let header_end = old.find('\n').map_or(old.len(), |i| i + 1);
    let mut text = old[..header_end].to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for row in rows {
        text.push_str(&row.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        text.push('\n');
    }
    text
}

/// The new YAML text: a list of mappings in column order; empty cells left out; cells of
/// number and yes/no columns written as such when they read as one.
fn yaml_text(header: &[String], kinds: &[String], rows: &[Vec<String>]) -> Result<String, String> {
    let items: Vec<serde_yaml::Mapping> = rows
        .iter()
        .map(|row| {
            let mut m = serde_yaml::Mapping::new();
            for ((h, kind), cell) in header.iter().zip(kinds).zip(row) {
                if cell.is_empty() {
                    continue;
                }
                let typed = match kind.as_str() {
                    "int" | "decimal" | "bool" => serde_yaml::from_str::<serde_yaml::Value>(cell)
                        .ok()
                        .filter(|v| v.is_number() || v.is_bool()),
                    _ => None,
                };
                m.insert(h.clone().into(), typed.unwrap_or_else(|| cell.clone().into()));
            }
            m
        })
        .collect();
    serde_yaml::to_string(&items).map_err(|e| e.to_string())
}

/// A loader that gives `replaced` (a data file's new bytes) in place of the file on disk.
struct WithRows {
    inner: crate::loader::FsLoader,
    replaced: std::path::PathBuf,
    bytes: Vec<u8>,
}

impl Loader for WithRows {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        let (shown, bytes) = self.inner.load(from, path)?;
        let same = std::fs::canonicalize(&shown).is_ok_and(|p| p == self.replaced);
        Ok((shown, if same { self.bytes.clone() } else { bytes }))
    }

    fn load_text(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        self.inner.load_text(from, path)
    }

    fn find_policy(&mut self, from: &str, name: &str) -> Option<(String, Vec<u8>)> {
        self.inner.find_policy(from, name)
    }
}

pub fn save_rows(files: &Files, request: SaveRowsRequest) -> Response {
    match saved_rows(files, &request) {
        Ok(answer) => answer,
        Err(refused) => refused,
    }
}

fn saved_rows(files: &Files, request: &SaveRowsRequest) -> Result<Response, Response> {
    let (policy_file, _, module) = read_policy(files, &request.path)?;
    let listed = listed_files(&module);
    let Some((_, _, row_type, _)) = listed.iter().find(|(w, ..)| beside(&request.path, w) == request.file)
    else {
        return Err(unprocessable(
            "not-a-list-file",
            &format!("no list of `{}` comes from `{}`", request.path, request.file),
            &format!("`{}` 中没有清单来自 `{}`", request.path, request.file),
        ));
    };
    let target = files.resolve(&request.file)?;
    let _one_at_a_time = files.lock();
    let old = std::fs::read(&target.path)
        .map_err(|e| unprocessable("unreadable", &e.to_string(), &e.to_string()))?;
    let record = module.decls.iter().find_map(|d| match d {
        Decl::Record(r) if r.name.name == *row_type => Some(r),
        _ => None,
    });
    let fields: Vec<String> =
        record.map(|r| r.fields.iter().map(|f| f.name.name.clone()).collect()).unwrap_or_default();
    let (header, disk_rows) =
        table_of(&request.file, &old, &fields).map_err(|why| unprocessable("unreadable", &why, &why))?;
    if version_of(&old) != request.version {
        let body = json!({
            "error": { "code": "changed-on-disk", "message": format!("`{}` changed on disk since the page read it: nothing was written", request.file), "message_zh": format!("页面读取后 `{}` 已在磁盘上被修改：未写入任何内容", request.file) },
            "disk": { "rows": disk_rows, "version": version_of(&old) },
        });
        return Err((StatusCode::CONFLICT, axum::Json(body)).into_response());
    }
    if let Some(bad) = request.rows.iter().position(|r| r.len() != header.len()) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "row-width",
            &format!(
                "row {} has {} cells, the file has {} columns",
                bad + 1,
                request.rows[bad].len(),
                header.len()
            ),
            &format!("第 {} 行有 {} 格，文件有 {} 列", bad + 1, request.rows[bad].len(), header.len()),
        ));
    }
    let Some((old_text, identity)) = decode_any(&old) else {
        return Err(unprocessable(
            "not-text",
            "neither UTF-8 nor GB18030/GBK text",
            "既不是 UTF-8 也不是 GB18030/GBK 文本",
        ));
    };
    if is_yaml(&request.file) && !request.drop_comments && has_yaml_comments(&old_text) {
        return Err(error(
            StatusCode::CONFLICT,
            "yaml-comments",
            "this YAML file has comments, which a save from the table does not keep: nothing written",
            "此 YAML 文件有注释，从表格保存不会保留注释：未写入任何内容",
        ));
    }
    let new_text = if is_yaml(&request.file) {
        let kinds: Vec<String> = header
            .iter()
            .map(|h| {
                let ty = record.and_then(|r| r.fields.iter().find(|f| f.name.name == *h)).map(|f| &f.ty);
                column_type(ty, &module)["kind"].as_str().unwrap_or("text").to_string()
            })
            .collect();
        yaml_text(&header, &kinds, &request.rows).map_err(|why| unprocessable("unwritable", &why, &why))?
    } else {
        csv_text(&old_text, &request.rows)
    };
    let bytes = encode_any(&new_text, identity);
    // The check reads the rows as UTF-8 whatever the file's encoding: the same cells.
    check_with(files, &policy_file, &target.path, new_text.as_bytes())?;
    crate::replace::replace(&target.path, &bytes).map_err(|e| {
        let m = e.message();
        error(StatusCode::INTERNAL_SERVER_ERROR, "write-failed", &m.en, &m.zh)
    })?;
    Ok(axum::Json(json!({ "file": request.file, "version": version_of(&bytes) })).into_response())
}

/// Checks the policy with `bytes` as the data file's contents: 422 with the diagnostics
/// when it would have errors.
fn check_with(files: &Files, policy: &Path, data: &Path, bytes: &[u8]) -> Result<(), Response> {
    let replaced = std::fs::canonicalize(data).unwrap_or_else(|_| data.to_path_buf());
    let mut loader = WithRows {
        inner: crate::loader::FsLoader::within(files.root_or_here()),
        replaced,
        bytes: bytes.to_vec(),
    };
    let program =
        qingdan_dsl::program::check_files(crate::files::inputs(&[policy.to_path_buf()]), &mut loader);
    if !program.has_errors() {
        return Ok(());
    }
    let errors: Vec<_> = program.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    let (shown, _) =
        qingdan_dsl::diag::cap::cap(&errors, &program.sources, qingdan_dsl::diag::cap::JSON_PER_CODE);
    let diagnostics = serde_json::to_value(render::to_json(
        &shown,
        &program.sources,
        RenderOptions { lang: None, color: false },
    ))
    .unwrap_or(Json::Null);
    let body = json!({
        "error": { "code": "rows-break-policy", "message": "with these rows the policy would not check: nothing was written", "message_zh": "用这些行，政策将无法通过检查：未写入任何内容" },
        "diagnostics": diagnostics,
    });
    Err((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_cell("甲"), "甲");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_cell(" x"), "\" x\"");
        assert_eq!(csv_text("a,b\nold,rows\n", &[vec!["1".into(), "x,y".into()]]), "a,b\n1,\"x,y\"\n");
    }
}
