//! Property tests of lists laid out as tables, on generated lists with Chinese text,
//! optional cells, comments between and inside rows, full-width punctuation and rows
//! written over several lines: the output parses back to the same tree, formatting it
//! again changes nothing, no comment is lost; and when the table fits, every row is one
//! line and each field starts at the same column in every row (a Chinese character
//! counting two columns).

use proptest::prelude::*;
use proptest::test_runner::Config;
use unicode_width::UnicodeWidthStr;

use qingdan_dsl::fmt::format_text;
use qingdan_dsl::source::FileId;
use qingdan_dsl::syntax::{self, dump::dump};

/// Field names: Chinese and English, of different widths.
const NAMES: &[&str] = &["名称", "层级", "频次", "备注", "日期", "code", "n", "所属领域"];

#[derive(Clone, Debug)]
struct Row {
    key: String,
    /// One value per column; `None` leaves the field out (an optional field).
    cells: Vec<Option<String>>,
    /// Written one field per line in the source.
    broken: bool,
    /// A comment after the first field, inside the braces (needs `broken`).
    inner_comment: bool,
    /// Comment lines and a blank line before the row.
    before: Option<String>,
    trailing_comment: bool,
    full_width: bool,
}

#[derive(Clone, Debug)]
struct List {
    columns: Vec<&'static str>,
    rows: Vec<Row>,
}

fn text(max_chars: usize) -> impl Strategy<Value = String> {
    let chars = prop::sample::select(&["区", "民", "政", "局", "街", "道", "a", "Z", "7", " ", "，"][..]);
    prop::collection::vec(chars, 0..=max_chars).prop_map(|v| format!("\"{}\"", v.concat()))
}

/// A cell's value: text, a number, a date, a set, a name.
fn value(wide: bool) -> BoxedStrategy<String> {
    let max = if wide { 40 } else { 5 };
    prop_oneof![
        3 => text(max),
        1 => (0u32..100_000).prop_map(|n| n.to_string()),
        1 => (0u32..1000, 0u32..100).prop_map(|(w, f)| format!("{w}.{f:02}")),
        1 => (2000u32..2030, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        1 => prop::collection::vec(text(2), 0..=if wide { 4 } else { 1 }).prop_map(|v| format!("[{}]", v.join(", "))),
        1 => prop::sample::select(&["县级", "乡镇", "真", "无"][..]).prop_map(String::from),
    ]
    .boxed()
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        text(4).prop_map(|t| if t == "\"\"" { "\"空\"".to_string() } else { t }),
        prop::sample::select(&["GT001", "甲项", "k_2"][..]).prop_map(String::from),
    ]
}

fn comment() -> impl Strategy<Value = String> {
    prop::sample::select(&["// 说明", "// note", "//", "// 第二组：街道"][..]).prop_map(String::from)
}

fn row(columns: usize, wide: bool, comments: bool) -> impl Strategy<Value = Row> {
    let cells = prop::collection::vec(prop::option::weighted(0.7, value(wide)), columns);
    let before = prop::option::weighted(if comments { 0.3 } else { 0.0 }, (comment(), any::<bool>()))
        .prop_map(|c| c.map(|(c, blank)| if blank { format!("\n  {c}") } else { c }));
    (key(), cells, any::<bool>(), prop::bool::weighted(if comments { 0.2 } else { 0.0 }), before)
        .prop_flat_map(move |(key, cells, broken, inner, before)| {
            let trailing = prop::bool::weighted(if comments { 0.3 } else { 0.0 });
            (Just((key, cells, broken, inner, before)), trailing, prop::bool::weighted(0.3))
        })
        .prop_map(|((key, cells, broken, inner, before), trailing_comment, full_width)| Row {
            key,
            cells,
            inner_comment: inner && broken,
            broken,
            before,
            trailing_comment,
            full_width,
        })
}

fn list(max_columns: usize, wide: bool, comments: bool) -> impl Strategy<Value = List> {
    prop::sample::subsequence(NAMES, 1..=max_columns).prop_flat_map(move |columns| {
        let n = columns.len();
        prop::collection::vec(row(n, wide, comments), 1..=12)
            .prop_map(move |rows| List { columns: columns.clone(), rows })
    })
}

/// The list as a drafter might have typed it.
fn source(l: &List) -> String {
    let mut out = String::from("政策 表\n\n清单 l: r 键 k {\n");
    for r in &l.rows {
        if let Some(c) = &r.before {
            out.push_str(&format!("  {c}\n"));
        }
        let (colon, comma) = if r.full_width { ("：", "，") } else { (": ", ", ") };
        let fields: Vec<String> = (l.columns.iter().zip(&r.cells))
            .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name}{colon}{v}")))
            .collect();
        let (open, close) = if r.full_width { ("｛", "｝") } else { ("{", "}") };
        if r.broken && !fields.is_empty() {
            out.push_str(&format!("  条目 {} {open}\n", r.key));
            for (i, f) in fields.iter().enumerate() {
                let note = if i == 0 && r.inner_comment { " // 行内说明" } else { "" };
                out.push_str(&format!("    {f}{note}\n"));
            }
            out.push_str(&format!("  {close}"));
        } else {
            out.push_str(&format!("  条目 {} {open} {} {close}", r.key, fields.join(comma)));
        }
        out.push_str(if r.trailing_comment { " // 行尾\n" } else { "\n" });
    }
    out.push_str("}\n");
    out
}

fn comments(text: &str) -> Vec<String> {
    let mut c: Vec<String> = syntax::parse(text, FileId(0)).comments.into_iter().map(|c| c.text).collect();
    c.sort();
    c
}

fn tree(text: &str) -> String {
    let parsed = syntax::parse(text, FileId(0));
    dump(parsed.module.as_ref().expect("parses"))
}

fn round_trip(src: &str) -> Result<String, TestCaseError> {
    let out = format_text(src).map_err(|d| TestCaseError::fail(format!("{src}\n{:?}", d[0].message.en)))?;
    prop_assert_eq!(tree(&out), tree(src), "the tree changed:\n{}", out);
    prop_assert_eq!(format_text(&out).expect("formats again"), out.clone(), "not idempotent");
    prop_assert_eq!(comments(&out), comments(src));
    Ok(out)
}

/// The display column at which `name:` starts in a row's line, if the row has it.
fn column_of(line: &str, name: &str) -> Option<usize> {
    let pattern = format!("{name}:");
    let at = [format!(" {pattern}"), format!("{{ {pattern}")].iter().find_map(|p| line.find(p.as_str()))?;
    Some(line[..at].width())
}

fn config() -> Config {
    let default = Config::default();
    let asked = std::env::var_os("PROPTEST_CASES").is_some();
    Config { cases: if asked { default.cases } else { 256 }, failure_persistence: None, ..default }
}

proptest! {
    #![proptest_config(config())]

    /// Any list, wide cells and comments anywhere: the formatter's promises hold.
    #[test]
    fn tables_keep_the_tree_and_the_comments_and_are_idempotent(l in list(6, true, true)) {
        round_trip(&source(&l))?;
    }

    /// Narrow lists (at most three columns of short cells always fit in the line limit):
    /// one line per row, and each field at one column in every row.
    #[test]
    fn narrow_lists_read_as_aligned_tables(l in list(3, false, true)) {
        let out = round_trip(&source(&l))?;
        let rows: Vec<&str> = out.lines().filter(|line| line.trim_start().starts_with("条目")).collect();
        prop_assert_eq!(rows.len(), l.rows.len());
        for (line, r) in rows.iter().zip(&l.rows) {
            let one_line = !r.inner_comment || r.cells.iter().all(Option::is_none);
            prop_assert_eq!(line.trim_end().ends_with('}') || line.contains("} //"), one_line, "{}", out);
        }
        let table: Vec<&&str> = rows.iter().zip(&l.rows)
            .filter(|(_, r)| !r.inner_comment && r.cells.iter().any(Option::is_some))
            .map(|(line, _)| line)
            .collect();
        for name in &l.columns {
            let at: Vec<usize> = table.iter().filter_map(|line| column_of(line, name)).collect();
            prop_assert!(at.windows(2).all(|w| w[0] == w[1]), "`{}` not aligned:\n{}", name, out);
        }
        let opening: Vec<usize> = table.iter().map(|line| line.find('{').map_or(0, |at| line[..at].width())).collect();
        prop_assert!(opening.windows(2).all(|w| w[0] == w[1]), "`{{` not aligned:\n{}", out);
    }
}
