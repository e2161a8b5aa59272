//! List rows in YAML: a sequence of mappings, one per item.

use super::{first_line_end, malformed, rows::Reading, CellAt, Column, FileRows, RowAt, RowCell, Rows};
use crate::diag::msg;
use crate::source::{FileId, Span};

/// Parses YAML: a sequence of mappings, one per item.
pub fn yaml_rows(text: &str, file: FileId, key: &str, columns: &[Column<'_>]) -> Rows {
    // A byte-order mark (spreadsheet exports, Windows editors) is not content, as in CSV;
    // offsets into `body` are `bom` short of offsets into the file.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    if let Some(line) = crate::yaml_depth::too_deep(body, crate::yaml_depth::MAX_DEPTH) {
        let at = bom + body.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>();
        return (
            FileRows::default(),
            vec![malformed(Span::new(file, at, at), crate::yaml_depth::too_deep_message(), "YAML")],
        );
    }
    let value: serde_yaml::Value = match serde_yaml::from_str(body) {
        Ok(value) => value,
        Err(e) => {
            let at = bom + e.location().map_or(0, |l| l.index());
            // serde_yaml's own words are English: the Chinese message says where, and why
            // only in general terms.
            let detail = msg("此处的 YAML 写法有误（检查缩进、冒号和引号）", e.to_string());
            return (FileRows::default(), vec![malformed(Span::new(file, at, at), detail, "YAML")]);
        }
    };
    let serde_yaml::Value::Sequence(rows) = value else {
        return (
            FileRows::default(),
            vec![malformed(
                Span::new(file, 0, 0),
                msg(
                    "文件须是条目的列表（每项 `- 字段: 值`）",
                    "the file must be a list of rows (`- field: value`)",
                ),
                "YAML",
            )],
        );
    };
    let starts: Vec<usize> = yaml_row_starts(body).into_iter().map(|at| bom + at).collect();
    let (mut kept, mut diags) = (FileRows::new(file, Reading::new(key, columns, false)), Vec::new());
    for (i, row_value) in rows.iter().enumerate() {
        let start = starts.get(i).copied().unwrap_or(0);
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let row_span = Span::new(file, start, first_line_end(text, start));
        let serde_yaml::Value::Mapping(map) = row_value else {
            diags.push(malformed(
                row_span,
                msg("每个条目须是“字段: 值”的映射", "each row must be a mapping of field names to values"),
                "YAML",
            ));
            continue;
        };
        let mut cells = Vec::new();
        for (k, v) in map {
            let name = yaml_scalar(k).unwrap_or_default();
            let span = yaml_field_span(text, start, end, &name, file).unwrap_or(row_span);
            let value = match v {
                serde_yaml::Value::Sequence(items) => {
                    items.iter().filter_map(yaml_scalar).collect::<Vec<_>>().join(";")
                }
                other => yaml_scalar(other).unwrap_or_default(),
            };
            cells.push((name, value, span));
        }
        let cells: Vec<RowCell<'_>> = cells
            .iter()
            .map(|(name, text, span)| RowCell {
                name: name.as_str(),
                column: super::column_of(columns, name),
                text: text.as_str(),
                name_span: *span,
                span: *span,
                at: CellAt(None),
            })
            .collect();
        kept.read(text, cells.iter().copied(), columns, row_span, RowAt(None), &mut diags);
    }
    (kept.done(), diags)
}

fn yaml_scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Null => Some(String::new()),
        _ => None,
    }
}

/// Byte offsets where top-level sequence entries (`- …` at the smallest indentation) begin.
fn yaml_row_starts(text: &str) -> Vec<usize> {
    let mut entries = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("- ") || trimmed.trim_end() == "-" {
            entries.push((line.len() - trimmed.len(), offset + line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    let min = entries.iter().map(|e| e.0).min().unwrap_or(0);
    entries.into_iter().filter(|e| e.0 == min).map(|e| e.1).collect()
}

fn yaml_field_span(text: &str, start: usize, end: usize, name: &str, file: FileId) -> Option<Span> {
    let mut offset = start;
    for line in text[start..end].split_inclusive('\n') {
        let body = line.trim_start().trim_start_matches("- ").trim_start();
        if body.strip_prefix(name).is_some_and(|rest| rest.trim_start().starts_with(':')) {
            let at = offset + line.len() - body.len();
            return Some(Span::new(file, at, offset + line.trim_end().len()));
        }
        offset += line.len();
    }
    None
}
