//! `qingdan import FILE [--sheet S]`: from a list the office already keeps (a workbook or a
//! CSV file), the record and list declarations a drafter starts from. Each column's type is
//! inferred from its cells (whole numbers, decimals, dates, 是/否, else text; codes with
//! leading zeros stay text), a column of few distinct words becomes an enum, a column with
//! blanks is optional, and the key is a column whose cells are all there and all differ
//! (one named like a code first). The proposal is printed; it checks clean beside the file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use qingdan_dsl::include::{self, Table};
use qingdan_dsl::{FileId, Lang, Span};

use crate::exit;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The workbook (`.xlsx`, `.xls`, `.ods`) or CSV file (UTF-8 or GBK) the office keeps.
    pub file: PathBuf,
    /// The sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The list's name (default: the file's name without its extension).
    #[arg(long)]
    pub name: Option<String>,
}

/// At most this many distinct words make a column an enum (and each must recur).
const MAX_VARIANTS: usize = 8;

/// Header words that say "this column identifies the row", in the order preferred.
const KEY_WORDS: [&str; 8] = ["编号", "代码", "编码", "序号", "code", "key", "id", "no"];

/// What a column's cells are.
#[derive(Debug, PartialEq)]
enum Kind {
    Int,
    Decimal,
    Date,
    Bool,
    Text,
    Enum(Vec<String>),
}

struct ColumnGuess {
    name: String,
    kind: Kind,
    optional: bool,
    unique: bool,
}

pub(crate) fn run(args: &ImportArgs, lang: Option<Lang>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let lang = lang.unwrap_or(Lang::Zh);
    let table = match read(&args.file, args.sheet.as_deref()) {
        Ok(t) => t,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {}: {why}", args.file.display());
            return exit::FAILED;
        }
    };
    // The reserved date columns date the rows; they are not fields of the record.
    let columns: Vec<ColumnGuess> = (0..table.headers.len())
        .filter(|&c| !include::is_row_date_column(&table.headers[c].text))
        .map(|c| guess(&table, c))
        .collect();
    let dated = table.headers.iter().any(|h| include::is_row_date_column(&h.text));
    if columns.is_empty() {
        let _ =
            writeln!(err, "qingdan: {}: {}", args.file.display(), pick(lang, "没有表头行", "no header row"));
        return exit::FAILED;
    }
    let list = args.name.clone().unwrap_or_else(|| stem(&args.file));
    let source = match &args.sheet {
        Some(s) => format!("{}#{s}", file_name(&args.file)),
        None => file_name(&args.file),
    };
    let text = proposal(&list, &source, &columns, table.rows.len(), dated);
    // Laid out as `qingdan fmt` lays it out (what it cannot parse is shown as built).
    let _ = write!(out, "{}", qingdan_dsl::fmt::format_text(&text).unwrap_or(text));
    exit::OK
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

fn read(path: &Path, sheet: Option<&str>) -> Result<Table, String> {
    let bytes = crate::files::read_capped(path)?;
    let name = file_name(path);
    let shown = |d: qingdan_dsl::Diagnostic| format!("{} {} / {}", d.code, d.message.zh, d.message.en);
    if include::is_workbook(&name) {
        return include::workbook_table(&bytes, &name, sheet, Span::new(FileId(0), 0, 0), FileId(0))
            .map(|(_, t)| t)
            .map_err(shown);
    }
    let (text, _) =
        include::decode_csv(&bytes).ok_or("既不是 UTF-8 也不是 GBK 文本 / neither UTF-8 nor GBK text")?;
    include::csv_table(&text, FileId(0)).map_err(shown)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn stem(path: &Path) -> String {
    let name = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // `任务清单.gbk.csv` → `任务清单`; a name must be one word.
    let first = name.split('.').next().unwrap_or_default();
    identifier(first)
}

/// A header as a field name: one word (letters, digits, `_`), else `_` for the rest.
fn identifier(text: &str) -> String {
    let mut out: String =
        text.trim().chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// A column's cells, trimmed, blanks included.
fn cells(table: &Table, col: usize) -> Vec<&str> {
    table.rows.iter().map(|r| r.cells.get(col).map_or("", |c| c.text.trim())).collect()
}

fn guess(table: &Table, col: usize) -> ColumnGuess {
    let all = cells(table, col);
    let filled: Vec<&str> = all.iter().copied().filter(|c| !c.is_empty()).collect();
    let distinct: BTreeSet<&str> = filled.iter().copied().collect();
    ColumnGuess {
        name: table.headers[col].text.trim().to_string(),
        kind: kind_of(&filled, &distinct),
        optional: filled.len() < all.len(),
        unique: !filled.is_empty() && filled.len() == all.len() && distinct.len() == filled.len(),
    }
}

fn kind_of(filled: &[&str], distinct: &BTreeSet<&str>) -> Kind {
    let every = |f: fn(&str) -> bool| !filled.is_empty() && filled.iter().all(|c| f(c));
    // A code with a leading zero (`001`) is an identifier, not a number.
    let leading_zero = filled.iter().any(|c| c.len() > 1 && c.starts_with('0') && !c.starts_with("0."));
    if !leading_zero && every(|c| c.parse::<i64>().is_ok()) {
        return Kind::Int;
    }
    if !leading_zero && every(|c| qingdan_dsl::value::Decimal::parse(c).is_some()) {
        return Kind::Decimal;
    }
    if every(|c| qingdan_dsl::value::Date::parse(c).is_some()) {
        return Kind::Date;
    }
    if every(|c| matches!(c, "是" | "否" | "true" | "false" | "TRUE" | "FALSE")) {
        return Kind::Bool;
    }
    let words = distinct.iter().all(|v| identifier(v) == *v && !is_keyword(v));
    if words && distinct.len() <= MAX_VARIANTS && distinct.len() * 2 <= filled.len() {
        return Kind::Enum(distinct.iter().map(|v| v.to_string()).collect());
    }
    Kind::Text
}

/// A word the language reserves (in either keyword set), or a type's name.
fn is_keyword(word: &str) -> bool {
    use qingdan_dsl::syntax::keywords::{Kw, PRIMITIVE_TYPES};
    Kw::ALL.iter().any(|k| k.text(Lang::Zh) == word || k.text(Lang::En) == word)
        || PRIMITIVE_TYPES.iter().any(|(en, zh)| *en == word || *zh == word)
}

/// The key column: one named like a code whose cells all differ, else the first such column.
fn key_column(columns: &[ColumnGuess]) -> Option<usize> {
    let candidate = |c: &ColumnGuess| c.unique && matches!(c.kind, Kind::Text | Kind::Int);
    KEY_WORDS
        .iter()
        .find_map(|w| columns.iter().position(|c| candidate(c) && c.name.to_lowercase().contains(w)))
        .or_else(|| columns.iter().position(candidate))
}

fn type_name(kind: &Kind, enum_name: &str) -> String {
    match kind {
        Kind::Int => "整数".into(),
        Kind::Decimal => "小数".into(),
        Kind::Date => "日期".into(),
        Kind::Bool => "布尔".into(),
        Kind::Text => "文本".into(),
        Kind::Enum(_) => enum_name.into(),
    }
}

/// The declarations, in Chinese keywords (`qingdan fmt --keywords en` translates them).
fn proposal(list: &str, source: &str, columns: &[ColumnGuess], rows: usize, dated: bool) -> String {
    let record = format!("{list}行");
    let mut text = format!("// 由 `qingdan import` 从 {source}（{rows} 行）推断：请核对类型、可选和键。\n");
    if dated {
        // Dated rows need the date a case is decided at (E0143): a stand-in input to replace.
        text.push_str(&format!(
            "// 行有施行日期、废止日期：案件按它的日期只看施行的行；把 `案件.日期` 换成政策中案件的日期字段\n\
             政策 {list} 以 案件.日期 为准\n\n输入 案件 {{\n  日期: 日期\n}}\n\n"
        ));
    } else {
        text.push_str(&format!("政策 {list}\n\n"));
    }
    let mut fields = Vec::new();
    for c in columns {
        let name = identifier(&c.name);
        if name != c.name {
            text.push_str(&format!("// 列 “{}” 不能作字段名：在文件中把表头改为 `{name}`\n", c.name));
        }
        let enum_name = format!("{name}选项");
        if let Kind::Enum(variants) = &c.kind {
            text.push_str(&format!("枚举 {enum_name} {{ {} }}\n\n", variants.join(", ")));
        }
        let optional = if c.optional { "?" } else { "" };
        fields.push(format!("  {name}: {}{optional}", type_name(&c.kind, &enum_name)));
    }
    text.push_str(&format!("记录 {record} {{\n{}\n}}\n\n", fields.join("\n")));
    match key_column(columns) {
        Some(k) => {
            text.push_str(&format!("清单 {list}: {record} 键 {} 来自 \"{source}\"\n", identifier(&columns[k].name)))
        }
        None => text.push_str(&format!(
            "// 没有哪一列每行都有且各不相同，不能作键：请在文件中加一列编号\n// 清单 {list}: {record} 键 编号 来自 \"{source}\"\n"
        )),
    }
    text
}
