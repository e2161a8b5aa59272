//! Lists as tables. A list's items are rows of one record type, and a drafter reads them
//! as a spreadsheet: one row per line, each field in its own column.
//!
//! ```text
//! 清单 部门清单: 部门 键 编号 {
//!   条目 "XQ-MZ"  { 名称: "区民政局",     层级: 县级 }
//!   条目 "JD-DGW" { 名称: "街道党工委",   层级: 乡镇, 备注: "…" }
//!   条目 "JD-ZF"  {                       层级: 乡镇 }
//! }
//! ```
//!
//! Columns follow the order in which fields first appear (a field a row leaves out, an
//! optional one, is a blank cell), and are as wide as their widest cell, measured in
//! terminal columns (a Chinese character is two). Only spaces are added, so the rows
//! parse back to the same tree. A row stays out of the table, and is laid out as any
//! item is, when a comment lies inside its braces (the comment must stay next to its
//! field), when its fields are in another order than the columns (the order is part of
//! the tree), or when the table would not fit in the line limit with it: rows are taken
//! narrowest first while the table still fits. Everything is decided from the tree and
//! where comments are, so formatting the output again gives the same output.

use std::collections::BTreeSet;

use unicode_width::UnicodeWidthStr;

use super::expr::Words;
use crate::syntax::ast::Item;

/// More columns than this is no table a person reads (and the column search is
/// quadratic in them): the list is laid out item by item.
const MAX_COLUMNS: usize = 64;

/// One item as a row: its head (`条目 KEY`) and its cells with their columns.
struct Row {
    head: String,
    /// (column, `name: value`), in column order.
    cells: Vec<(usize, String)>,
}

/// Each item's line in the table, or `None` for an item laid out on its own. `eligible`
/// says which items may be rows at all (no comment inside their braces); `budget` is
/// the width a row may take after its indentation.
pub(super) fn rows(
    items: &[Item],
    heads: Vec<String>,
    w: Words,
    eligible: impl Fn(&Item) -> bool,
    budget: usize,
) -> Vec<Option<String>> {
    let mut out = vec![None; items.len()];
    let Some(columns) = columns(items) else { return out };
    let mut candidates: Vec<(usize, Row)> = items
        .iter()
        .zip(heads)
        .enumerate()
        .filter(|(_, (item, _))| eligible(item))
        .filter_map(|(i, (item, head))| Some((i, row(item, head, &columns, w)?)))
        .collect();
    // Narrowest first (ties in source order), so that the rows left out are the widest.
    candidates.sort_by_cached_key(|(i, r)| (natural_width(r), *i));
    let fits = |n: usize| {
        let table = &candidates[..n];
        let widths = widths(table.iter().map(|(_, r)| r), columns.len());
        table.iter().all(|(_, r)| line(r, &widths).width() <= budget)
    };
    // A table that fits still fits without a row, so the rows that fit are a prefix.
    let (mut lo, mut hi) = (0, candidates.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let table = &candidates[..lo];
    let widths = widths(table.iter().map(|(_, r)| r), columns.len());
    for (i, r) in table {
        out[*i] = Some(line(r, &widths));
    }
    out
}

/// The columns: an order of the field names that every row's own order agrees with
/// (each row says "this field before that one"), the name that appeared first taken
/// whenever there is a choice. Rows that contradict each other cannot all agree; a name
/// caught in such a cycle is placed by first appearance, and a row it contradicts stays
/// out of the table. `None` when there are too many names.
fn columns(items: &[Item]) -> Option<Vec<String>> {
    let mut names: Vec<&str> = Vec::new();
    let mut before: BTreeSet<(usize, usize)> = BTreeSet::new();
    for item in items {
        let mut prev: Option<usize> = None;
        for f in &item.fields {
            let at = match names.iter().position(|n| *n == f.name.name) {
                Some(at) => at,
                None if names.len() == MAX_COLUMNS => return None,
                None => {
                    names.push(&f.name.name);
                    names.len() - 1
                }
            };
            if let Some(p) = prev.filter(|&p| p != at) {
                before.insert((p, at));
            }
            prev = Some(at);
        }
    }
    let mut placed = vec![false; names.len()];
    let mut order = Vec::with_capacity(names.len());
    while order.len() < names.len() {
        let waiting = |n: usize| before.iter().any(|&(p, m)| m == n && !placed[p]);
        let free = (0..names.len()).find(|&n| !placed[n] && !waiting(n));
        let next = free.or_else(|| (0..names.len()).find(|&n| !placed[n])).expect("a name left");
        placed[next] = true;
        order.push(names[next].to_string());
    }
    Some(order)
}

/// An item as a row, or `None` when it has no fields (`条目 KEY {}` needs no column) or
/// its fields are not in column order (or repeat one).
fn row(item: &Item, head: String, columns: &[String], w: Words) -> Option<Row> {
    if item.fields.is_empty() {
        return None;
    }
    let mut cells = Vec::with_capacity(item.fields.len());
    for f in &item.fields {
        let column = columns.iter().position(|c| *c == f.name.name)?;
        if cells.last().is_some_and(|&(prev, _)| prev >= column) {
            return None;
        }
        cells.push((column, w.field(f)));
    }
    Some(Row { head, cells })
}

/// The row on one line without alignment: what decides which rows go first.
fn natural_width(r: &Row) -> usize {
    r.head.width() + r.cells.iter().map(|(_, c)| c.width() + 2).sum::<usize>() + 4
}

/// The width of the head column and of each field column (a cell followed by another
/// counts its comma).
fn widths<'r>(rows: impl Iterator<Item = &'r Row>, n: usize) -> Widths {
    let mut w = Widths { head: 0, columns: vec![0; n] };
    for r in rows {
        w.head = w.head.max(r.head.width());
        let last = r.cells.len().saturating_sub(1);
        for (k, (column, text)) in r.cells.iter().enumerate() {
            let comma = usize::from(k < last);
            w.columns[*column] = w.columns[*column].max(text.width() + comma);
        }
    }
    w
}

struct Widths {
    head: usize,
    columns: Vec<usize>,
}

/// `条目 KEY  { a: 1,   b: 2 }`: each cell padded to its column, a blank for a column
/// the row leaves out, nothing after the last cell but ` }`.
fn line(r: &Row, w: &Widths) -> String {
    let mut out = pad(&r.head, w.head);
    let last_column = r.cells.last().map_or(0, |&(c, _)| c);
    out.push_str(" {");
    let mut cells = r.cells.iter().peekable();
    for column in 0..=last_column {
        match cells.next_if(|(c, _)| *c == column) {
            Some((_, text)) if column == last_column => {
                out.push(' ');
                out.push_str(text);
            }
            Some((_, text)) => {
                out.push(' ');
                out.push_str(&pad(&format!("{text},"), w.columns[column]));
            }
            // A column no row of the table fills (only rows laid out on their own have
            // it) takes no room.
            None if w.columns[column] == 0 => {}
            None => out.push_str(&" ".repeat(w.columns[column] + 1)),
        }
    }
    out.push_str(" }");
    out
}

fn pad(text: &str, width: usize) -> String {
    let mut out = text.to_string();
    out.push_str(&" ".repeat(width.saturating_sub(text.width())));
    out
}
