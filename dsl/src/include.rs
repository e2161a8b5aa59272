//! List rows kept in CSV or YAML files (`list L: T key k from "rows.csv"`). Drafters keep
//! long catalogues in spreadsheets; this turns each row into the same [`Item`] a row
//! written in the policy would be, with spans pointing into the data file, so the checker
//! treats both alike.
//!
//! Cells are read by the declared type of their column: `整数` cells as integers, enum
//! columns as variant names, `集合` cells split on `;`, `；` or `、`, empty cells as absent
//! (or, in a column whose type is a set and not optional, as the empty set).

use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Expr, ExprKind, FieldInit, Ident, Item, ItemKey, KeyValue, TypeExpr};
use crate::value::{Date, Decimal};

/// How to read one column: its declared type, by name.
pub struct Column<'a> {
    pub name: &'a str,
    pub ty: Option<&'a TypeExpr>,
}

/// Parses CSV (a header row of field names, then one row per item).
pub fn csv_rows(
    text: &str,
    file: FileId,
    key: &str,
    columns: &[Column<'_>],
) -> Result<Vec<Item>, Diagnostic> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_error(&e, file, text))?.clone();
    let header_spans = cell_spans(text, 0, first_line_end(text, 0), headers.len(), file);
    let mut items = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e, file, text))?;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let end = first_line_end(text, start);
        let spans = cell_spans(text, start, end, record.len(), file);
        let row_span = Span::new(file, start, end);
        let cells = headers
            .iter()
            .zip(record.iter())
            .enumerate()
            .map(|(i, (h, v))| (h, v, header_spans[i], spans[i]));
        items.push(row(cells, row_span, key, columns)?);
    }
    Ok(items)
}

/// Parses YAML: a sequence of mappings, one per item.
pub fn yaml_rows(
    text: &str,
    file: FileId,
    key: &str,
    columns: &[Column<'_>],
) -> Result<Vec<Item>, Diagnostic> {
    // A byte-order mark (spreadsheet exports, Windows editors) is not content, as in CSV;
    // offsets into `body` are `bom` short of offsets into the file.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    if let Some(line) = crate::yaml_depth::too_deep(body, crate::yaml_depth::MAX_DEPTH) {
        let at = bom + body.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>();
        return Err(malformed(Span::new(file, at, at), crate::yaml_depth::too_deep_message(), "YAML"));
    }
    let value: serde_yaml::Value = serde_yaml::from_str(body).map_err(|e| {
        let at = bom + e.location().map_or(0, |l| l.index());
        let detail = e.to_string();
        malformed(Span::new(file, at, at), msg(detail.clone(), detail), "YAML")
    })?;
    let serde_yaml::Value::Sequence(rows) = value else {
        return Err(malformed(
            Span::new(file, 0, 0),
            msg(
                "文件须是条目的列表（每项 `- 字段: 值`）",
                "the file must be a list of rows (`- field: value`)",
            ),
            "YAML",
        ));
    };
    let starts: Vec<usize> = yaml_row_starts(body).into_iter().map(|at| bom + at).collect();
    let mut items = Vec::new();
    for (i, row_value) in rows.iter().enumerate() {
        let start = starts.get(i).copied().unwrap_or(0);
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let row_span = Span::new(file, start, first_line_end(text, start));
        let serde_yaml::Value::Mapping(map) = row_value else {
            return Err(malformed(
                row_span,
                msg("每个条目须是“字段: 值”的映射", "each row must be a mapping of field names to values"),
                "YAML",
            ));
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
        let cells = cells.iter().map(|(n, v, s)| (n.as_str(), v.as_str(), *s, *s));
        items.push(row(cells, row_span, key, columns)?);
    }
    Ok(items)
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

/// Builds one item from (column name, cell text, header span, cell span).
fn row<'c>(
    cells: impl Iterator<Item = (&'c str, &'c str, Span, Span)>,
    row_span: Span,
    key: &str,
    columns: &[Column<'_>],
) -> Result<Item, Diagnostic> {
    let mut item_key = None;
    let mut fields = Vec::new();
    for (name, cell, name_span, span) in cells {
        let cell = cell.trim();
        let ty = columns.iter().find(|c| c.name == name).and_then(|c| c.ty);
        if name == key {
            if cell.is_empty() {
                return Err(malformed(
                    span,
                    msg(format!("键列 `{key}` 是空的"), format!("the key column `{key}` is empty")),
                    "",
                ));
            }
            let value = match ty.map(|t| t.name.name.as_str()) {
                Some("int" | "整数") => {
                    KeyValue::Int(cell.parse().map_err(|_| bad_cell(span, cell, "整数", "an integer"))?)
                }
                _ => KeyValue::Text(cell.to_string()),
            };
            item_key = Some(ItemKey { value, bare: false, span });
            continue;
        }
        // An empty cell is an absent value, except in a required set column, where it is
        // the empty set (a YAML `[]`, a spreadsheet cell that lists nothing).
        let empty_set = ty.is_some_and(|t| t.set_depth > 0 && !t.optional);
        if cell.is_empty() && !empty_set {
            continue;
        }
        let value = cell_value(cell, ty, span)?;
        fields.push(FieldInit { name: Ident { name: name.to_string(), span: name_span }, value, span });
    }
    let key = item_key.ok_or_else(|| {
        malformed(
            row_span,
            msg(
                format!("这一行没有键列 `{key}` 的值"),
                format!("the row has no value in the key column `{key}`"),
            ),
            "",
        )
    })?;
    Ok(Item { key, fields, span: row_span })
}

fn cell_value(cell: &str, ty: Option<&TypeExpr>, span: Span) -> Result<Expr, Diagnostic> {
    let expr = |kind| Expr { kind, span };
    let Some(ty) = ty else {
        return Ok(expr(ExprKind::Text(cell.to_string())));
    };
    if ty.set_depth > 0 {
        let inner = TypeExpr { set_depth: ty.set_depth - 1, optional: false, ..ty.clone() };
        let parts = cell.split([';', '；', '、']).map(str::trim).filter(|p| !p.is_empty());
        let items = parts.map(|p| cell_value(p, Some(&inner), span)).collect::<Result<_, _>>()?;
        return Ok(expr(ExprKind::Set(items)));
    }
    let kind = match ty.name.name.as_str() {
        "int" | "整数" => {
            ExprKind::Int(cell.parse().map_err(|_| bad_cell(span, cell, "整数", "an integer"))?)
        }
        "decimal" | "小数" => {
            let d = Decimal::parse(cell)
                .or_else(|| cell.parse::<i64>().ok().map(|m| Decimal { mantissa: m, scale: 0 }));
            ExprKind::Decimal(d.ok_or_else(|| bad_cell(span, cell, "小数", "a decimal"))?)
        }
        "date" | "日期" => ExprKind::Date(
            Date::parse(cell).ok_or_else(|| bad_cell(span, cell, "日期", "a date (YYYY-MM-DD)"))?,
        ),
        "bool" | "布尔" => match cell {
            "true" | "真" | "是" | "TRUE" | "True" => ExprKind::Bool(true),
            "false" | "假" | "否" | "FALSE" | "False" => ExprKind::Bool(false),
            _ => return Err(bad_cell(span, cell, "真假值（是/否）", "a boolean (true/false)")),
        },
        "text" | "文本" => ExprKind::Text(cell.to_string()),
        // Enum variants are names; a list reference is a key. The checker tells them apart.
        _ => ExprKind::Name(Ident { name: cell.to_string(), span }),
    };
    Ok(expr(kind))
}

fn bad_cell(span: Span, cell: &str, zh: &str, en: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0122,
        span,
        msg(format!("数据 `{cell}` 不是{zh}"), format!("value `{cell}` is not {en}")),
    )
    .help(msg("按该列声明的类型填写", "fill the cell according to the column's declared type"))
}

/// `what` names the format (`CSV`, `YAML`), or is empty when either is meant.
fn malformed(span: Span, detail: Msg, what: &str) -> Diagnostic {
    let (zh, en) = if what.is_empty() {
        ("数据文件格式错误".to_string(), "malformed data file".to_string())
    } else {
        (format!("{what} 数据文件格式错误"), format!("malformed {what} data file"))
    };
    Diagnostic::new(Code::E0122, span, msg(format!("{zh}：{}", detail.zh), format!("{en}: {}", detail.en)))
        .help(msg(
        "CSV 第一行是字段名，之后每行一个条目；YAML 是条目的列表（每项 `- 字段: 值`）",
        "CSV: a header row of field names, then one row per item; YAML: a list of rows (`- field: value`)",
    ))
}

fn csv_error(e: &csv::Error, file: FileId, text: &str) -> Diagnostic {
    let at = e.position().map_or(0, |p| p.byte() as usize).min(text.len());
    let detail = e.to_string();
    malformed(Span::new(file, at, first_line_end(text, at)), msg(detail.clone(), detail), "CSV")
}

fn first_line_end(text: &str, start: usize) -> usize {
    let start = start.min(text.len());
    text[start..].find(['\n', '\r']).map_or(text.len(), |n| start + n)
}

/// Spans of the cells of one CSV line. Exact for unquoted lines; a quoted line (where a
/// comma may sit inside a cell) gives every cell the whole line.
fn cell_spans(text: &str, start: usize, end: usize, n: usize, file: FileId) -> Vec<Span> {
    let line = &text[start..end];
    let whole = Span::new(file, start, end);
    if line.contains('"') {
        return vec![whole; n];
    }
    let mut spans = Vec::with_capacity(n);
    let mut offset = start;
    for cell in line.split(',') {
        spans.push(Span::new(file, offset, offset + cell.len()));
        offset += cell.len() + 1;
    }
    spans.resize(n, whole);
    spans
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(name: &str) -> TypeExpr {
        TypeExpr {
            set_depth: 0,
            name: Ident { name: name.into(), span: Span::default() },
            optional: false,
            span: Span::default(),
        }
    }

    #[test]
    fn csv_cells_follow_their_column_types() {
        let (int, cat) = (ty("整数"), ty("事项类别"));
        let cols = [Column { name: "频次", ty: Some(&int) }, Column { name: "类别", ty: Some(&cat) }];
        let items = csv_rows("编号,频次,类别\nA1,4,政策宣传\nA2,,应急处置\n", FileId(1), "编号", &cols)
            .expect("parses");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].key.value, KeyValue::Text("A1".into()));
        assert_eq!(items[0].fields[0].value.kind, ExprKind::Int(4));
        assert_eq!(items[1].fields.len(), 1, "an empty cell is an absent value");
        let err = csv_rows("编号,频次\nA1,四\n", FileId(1), "编号", &cols).expect_err("not an int");
        assert_eq!(err.code, Code::E0122);
        assert_eq!(err.span.start, "编号,频次\nA1,".len() as u32);
    }

    #[test]
    fn empty_cells_of_required_sets_are_empty_sets() {
        let set = TypeExpr { set_depth: 1, ..ty("文本") };
        let optional = TypeExpr { optional: true, ..set.clone() };
        let cols = [Column { name: "关键词", ty: Some(&set) }, Column { name: "备注", ty: Some(&optional) }];
        let items =
            yaml_rows("- 编号: B1\n  关键词: []\n  备注: []\n", FileId(1), "编号", &cols).expect("parses");
        let fields = &items[0].fields;
        assert_eq!(fields.len(), 1, "an empty optional set is absent");
        assert_eq!(fields[0].value.kind, ExprKind::Set(Vec::new()));
    }

    #[test]
    fn yaml_rows_locate_their_fields() {
        let text = "- 编号: B1\n  名称: 走访\n- 编号: B2\n  名称: 宣传\n";
        let items = yaml_rows(text, FileId(1), "编号", &[]).expect("parses");
        assert_eq!(items.len(), 2);
        let name_span = items[1].fields[0].span;
        assert_eq!(&text[name_span.range()], "名称: 宣传");
        assert!(yaml_rows("a: 1", FileId(1), "编号", &[]).is_err());
    }

    #[test]
    fn yaml_rows_may_start_with_a_byte_order_mark() {
        let text = "\u{feff}- 编号: A1\n  名称: 甲\n- 编号: A2\n  名称: 乙\n";
        let items = yaml_rows(text, FileId(1), "编号", &[]).expect("a BOM is not content");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].key.value, KeyValue::Text("A1".into()));
        let second = text.find("- 编号: A2").expect("second row");
        assert_eq!(items[1].span.start as usize, second, "spans still point into the file as written");
        let name = text.find("名称: 甲").expect("a field");
        assert_eq!(items[0].fields[0].span.start as usize, name);
    }
}
