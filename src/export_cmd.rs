//! `qingdan export POLICY --list L`: a list as the office publishes it — a workbook
//! (`.xlsx`, with rust_xlsxwriter) whose header is the field names as written, columns as
//! wide as their text (a CJK character counts two), the header frozen, enum columns with a
//! drop-down of their variants, reference columns showing the row's key and name
//! (`B01（民政办）`, which the list reader reads back as `B01`), dates as dates; or the
//! same table as CSV (UTF-8 with a BOM, as Excel reads it), Markdown or HTML.
//!
//! Reading the exported workbook back as a list source (`来自 "L.xlsx"`) gives the same
//! rows (tests/export.rs).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use qingdan_engine::ir::{ListDef, Type};
use qingdan_engine::{Policy, Value};
use rust_xlsxwriter::{DataValidation, ExcelDateTime, Format, FormatBorder, Formula, Workbook, Worksheet};

use crate::commands::{load_policy, Output};
use crate::exit;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The policy file (or a folder holding it with the policies it uses).
    pub policy: PathBuf,
    /// The list to export.
    #[arg(long)]
    pub list: String,
    /// Where to write (default: the list's name with the format's extension; CSV,
    /// Markdown and HTML go to standard output when no file is named).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The format (default: from the output's extension, else xlsx).
    #[arg(long = "as", value_enum, value_name = "FORMAT")]
    pub as_format: Option<ExportFormat>,
    /// Which policy, when the path holds several.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Md,
    Html,
}

/// One exported cell, as the table shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64, String),
    Date(i32, String),
    Bool(bool),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) | Cell::Number(_, t) | Cell::Date(_, t) => t.clone(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.into(),
        }
    }
}

/// A list as a table: header, cells, and the variants of each enum column.
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub choices: Vec<Option<Vec<String>>>,
}

pub(crate) fn run(args: &ExportArgs, opts: &Output, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let policy = match load_policy(&args.policy, args.name.as_deref(), opts, out, err) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Some(list) = policy.lists.iter().find(|l| l.name == args.list) else {
        let names: Vec<&str> = policy.lists.iter().map(|l| l.name.as_str()).collect();
        let _ = writeln!(
            err,
            "qingdan: 没有清单 `{}`（有：{}） / no list `{}` (there are: {})",
            args.list,
            names.join("、"),
            args.list,
            names.join(", ")
        );
        return exit::USAGE;
    };
    let format =
        args.as_format.or_else(|| args.output.as_deref().and_then(format_of)).unwrap_or(ExportFormat::Xlsx);
    let sheet = sheet(&policy, list);
    let bytes = match format {
        ExportFormat::Xlsx => match xlsx(&sheet) {
            Ok(b) => b,
            Err(e) => {
                let _ = writeln!(err, "qingdan: {e}");
                return exit::FAILED;
            }
        },
        ExportFormat::Csv => csv(&sheet).into_bytes(),
        ExportFormat::Md => markdown(&sheet).into_bytes(),
        ExportFormat::Html => html(&sheet).into_bytes(),
    };
    let target = match (&args.output, format) {
        (Some(path), _) => path.clone(),
        (None, ExportFormat::Xlsx) => PathBuf::from(format!("{}.xlsx", list.name)),
        (None, _) => {
            let _ = out.write_all(&bytes);
            return exit::OK;
        }
    };
    if let Err(e) = crate::replace::replace(&target, &bytes) {
        let _ = write!(err, "{}", crate::streams::e0011_line(&e.message(), opts.asked_lang()));
        return exit::USAGE;
    }
    let _ = writeln!(out, "{} → {}（{} 行）", list.name, target.display(), sheet.rows.len());
    exit::OK
}

fn format_of(path: &std::path::Path) -> Option<ExportFormat> {
    match path.extension()?.to_str()?.to_lowercase().as_str() {
        "xlsx" => Some(ExportFormat::Xlsx),
        "csv" => Some(ExportFormat::Csv),
        "md" => Some(ExportFormat::Md),
        "html" | "htm" => Some(ExportFormat::Html),
        _ => None,
    }
}

/// The list as a table of cells.
pub fn sheet(policy: &Policy, list: &ListDef) -> Sheet {
    let header = list.fields.iter().map(|(name, _)| name.clone()).collect();
    let rows = list
        .rows
        .iter()
        .map(|row| row.iter().zip(&list.fields).map(|(v, (_, ty))| cell(policy, v, ty)).collect())
        .collect();
    let choices = list
        .fields
        .iter()
        .map(|(_, ty)| match ty.required() {
            Type::Enum(e) => {
                Some(policy.enums[*e as usize].variants.iter().map(|v| v.name.clone()).collect())
            }
            _ => None,
        })
        .collect();
    Sheet { name: list.name.clone(), header, rows, choices }
}

fn cell(policy: &Policy, value: &Value, ty: &Type) -> Cell {
    match (value, ty.required()) {
        (Value::None, _) => Cell::Empty,
        (Value::Int(i), _) => Cell::Number(*i as f64, i.to_string()),
        (Value::Dec(_), t) => {
            let shown = policy.show(value, t);
            shown.parse().map_or(Cell::Text(shown.clone()), |f| Cell::Number(f, shown))
        }
        (Value::Date(d), t) => Cell::Date(*d, policy.show(value, t)),
        (Value::Bool(b), _) => Cell::Bool(*b),
        (Value::Row(r), Type::Row(l)) => Cell::Text(row_label(policy, *l as usize, *r as usize)),
        (Value::Set(items), Type::Set(inner)) => {
            // Elements by key alone: a name may hold the `、` that separates them.
            let parts: Vec<String> = items.iter().map(|v| policy.show(v, inner)).collect();
            if parts.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(parts.join("、"))
            }
        }
        (v, t) => Cell::Text(policy.show(v, t)),
    }
}

/// `B01（民政办）`: the key, and the row's name (its field `名称`/`name`, else its first
/// other text field) when it has one.
fn row_label(policy: &Policy, list: usize, row: usize) -> String {
    let list = &policy.lists[list];
    let Some(values) = list.rows.get(row) else { return format!("#{row}") };
    let key = policy.show(&values[list.key], &list.fields[list.key].1);
    let named = list.fields.iter().position(|(n, _)| n == "名称" || n == "name");
    let text_field =
        list.fields.iter().enumerate().position(|(i, (_, t))| i != list.key && *t.required() == Type::Text);
    match named.or(text_field).and_then(|i| match &values[i] {
        Value::Text(t) if !t.is_empty() => Some(t.to_string()),
        _ => None,
    }) {
        Some(name) => format!("{key}（{name}）"),
        None => key,
    }
}

/// Display width: a CJK (wide) character takes two columns, as in a spreadsheet.
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if (c as u32) >= 0x1100 && unicode_wide(c) { 2 } else { 1 }).sum()
}

fn unicode_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// The workbook: one sheet named after the list, a hidden sheet `选项` holding the
/// variants the drop-downs offer (a list typed into the validation itself is capped at
/// 255 characters by Excel).
pub fn xlsx(sheet: &Sheet) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let header_format =
        Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_background_color(0xDDEBF7);
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let ws = book.add_worksheet();
    ws.set_name(sheet_name(&sheet.name))?;
    for (c, name) in sheet.header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, name, &header_format)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, r, c as u16, cell, &date_format)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    // Printed as offices print lists: landscape, every column on one page's width, the
    // header repeated on each page.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    for c in 0..sheet.header.len() {
        let widest = std::iter::once(display_width(&sheet.header[c]))
            .chain(sheet.rows.iter().map(|row| display_width(&row[c].text())))
            .max()
            .unwrap_or(8);
        ws.set_column_width(c as u16, (widest + 2).clamp(6, 60) as f64)?;
    }
    let last_row = sheet.rows.len().max(1) as u32 + 1000;
    let mut option_columns = Vec::new();
    for (c, choices) in sheet.choices.iter().enumerate() {
        let Some(choices) = choices else { continue };
        let at = option_columns.len() as u16;
        let letters = qingdan_dsl::include::column_letters(u32::from(at));
        let formula = format!("=选项!${letters}$1:${letters}${}", choices.len().max(1));
        let validation = DataValidation::new()
            .allow_list_formula(Formula::new(formula))
            .set_error_title("不在选项中")?
            .set_error_message(format!("`{}` 只能填下拉列表中的值", sheet.header[c]))?;
        ws.add_data_validation(1, c as u16, last_row, c as u16, &validation)?;
        option_columns.push(choices.clone());
    }
    if !option_columns.is_empty() {
        let options = book.add_worksheet();
        options.set_name("选项")?;
        for (c, choices) in option_columns.iter().enumerate() {
            for (r, choice) in choices.iter().enumerate() {
                options.write_string(r as u32, c as u16, choice)?;
            }
        }
        options.set_hidden(true);
    }
    book.save_to_buffer()
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(31).collect();
    if cleaned.is_empty() {
        "清单".into()
    } else {
        cleaned
    }
}

fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    cell: &Cell,
    date: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(t) => {
            ws.write_string(r, c, t)?;
        }
        Cell::Number(n, _) => {
            ws.write_number(r, c, *n)?;
        }
        Cell::Bool(b) => {
            ws.write_boolean(r, c, *b)?;
        }
        Cell::Date(days, shown) => {
            let d = qingdan_dsl::value::Date::from_days_since_epoch(i64::from(*days));
            match ExcelDateTime::from_ymd(d.year as u16, d.month, d.day) {
                Ok(when) => ws.write_datetime_with_format(r, c, &when, date)?,
                Err(_) => ws.write_string(r, c, shown)?,
            };
        }
    }
    Ok(())
}

/// CSV as Excel opens it without asking: UTF-8 with a byte-order mark.
pub fn csv(sheet: &Sheet) -> String {
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut text = String::from("\u{feff}");
    text.push_str(&line(sheet.header.clone()));
    text.push_str("\r\n");
    for row in &sheet.rows {
        text.push_str(&line(row.iter().map(Cell::text).collect()));
        text.push_str("\r\n");
    }
    text
}

pub fn markdown(sheet: &Sheet) -> String {
    let esc = |t: String| t.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut text = format!("| {} |\n", sheet.header.iter().cloned().map(esc).collect::<Vec<_>>().join(" | "));
    text.push_str(&format!("|{}\n", " --- |".repeat(sheet.header.len())));
    for row in &sheet.rows {
        text.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| esc(c.text())).collect::<Vec<_>>().join(" | ")
        ));
    }
    text
}

pub fn html(sheet: &Sheet) -> String {
    let esc =
        |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut text = format!(
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<table>\n<thead><tr>",
        esc(&sheet.name)
    );
    for h in &sheet.header {
        text.push_str(&format!("<th>{}</th>", esc(h)));
    }
    text.push_str("</tr></thead>\n<tbody>\n");
    for row in &sheet.rows {
        text.push_str("<tr>");
        for c in row {
            text.push_str(&format!("<td>{}</td>", esc(&c.text())));
        }
        text.push_str("</tr>\n");
    }
    text.push_str("</tbody>\n</table>\n</body></html>\n");
    text
}
