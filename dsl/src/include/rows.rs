//! The rows of a list read from a data file, kept compact.
//!
//! A row written in a policy is an [`Item`]: a `FieldInit` per field, each with its name,
//! an expression and spans, about 1,400 bytes for a row the file holds in 80. A list read
//! from a file may hold 100,000 rows, so its rows are kept as their cells' texts (one
//! buffer) and spans, with each row's key, dates and span beside them: what most passes
//! read. The checker and lowering, which read every field, get each row as an `Item` again,
//! one at a time and into the same `Item` ([`RowCursor`]), read from its cells the way it
//! was read the first time; only rows that read cleanly the first time are kept, so they
//! read cleanly again.
//!
//! A cell's text is most often the file's own text at the cell's span (an unquoted CSV
//! cell): such a cell keeps only its span, and is read from the file's text, which the
//! source map holds for diagnostics anyway. Only texts the file writes otherwise (quoted,
//! escaped, a YAML list joined) are copied.

use std::borrow::Cow;

use super::{read_row, CellAt, Column, RowAt, RowCell};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{InForce, Item, ItemKey, KeyValue, ListBody, ListDecl, TypeExpr};

/// A list's rows wherever they are written: in the policy, or in a data file.
#[derive(Clone, Copy)]
pub enum ListRows<'a> {
    Written(&'a [Item]),
    /// Rows read from a file, with the file's text.
    File(&'a FileRows, &'a str),
}

/// What identifies a row: its key, the days it is in force and its span.
#[derive(Clone)]
pub struct RowHead<'a> {
    key: HeadKey<'a>,
    pub in_force: Option<InForce>,
    pub span: Span,
}

/// A row's key: written in the policy, or a file's cell, made into a key only when asked
/// for (most passes over a file's rows read only their dates or spans).
#[derive(Clone, Copy)]
enum HeadKey<'a> {
    Written(&'a ItemKey),
    Cell { text: &'a str, int: bool, span: Span },
}

impl RowHead<'_> {
    /// The row's key: borrowed if written in the policy, made from its cell if read from a
    /// file.
    pub fn key(&self) -> Cow<'_, ItemKey> {
        match self.key {
            HeadKey::Written(key) => Cow::Borrowed(key),
            HeadKey::Cell { text, int, span } => {
                let value = match int {
                    // The cell read as an integer the first time.
                    true => KeyValue::Int(super::parse_int(text).unwrap_or_default()),
                    false => KeyValue::Text(text.to_string()),
                };
                Cow::Owned(ItemKey { value, bare: false, span })
            }
        }
    }
}

impl<'a> ListRows<'a> {
    /// The rows of `list`: its own, or those read from its file (`included`; none when the
    /// file could not be read), whose text `sources` holds.
    pub fn of(list: &'a ListDecl, included: Option<&'a FileRows>, sources: &'a SourceMap) -> ListRows<'a> {
        match (&list.body, included) {
            (ListBody::Items(items), _) => ListRows::Written(items),
            (ListBody::From(_), Some(rows)) => ListRows::File(rows, &sources.get(rows.file).text),
            (ListBody::From(_), None) => ListRows::Written(&[]),
        }
    }

    pub fn len(self) -> usize {
        match self {
            ListRows::Written(items) => items.len(),
            ListRows::File(rows, _) => rows.heads.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Each row's key, dates and span, without reading its fields.
    pub fn heads(self) -> Box<dyn Iterator<Item = RowHead<'a>> + 'a> {
        match self {
            ListRows::Written(items) => Box::new(items.iter().map(|item| RowHead {
                key: HeadKey::Written(&item.key),
                in_force: item.in_force,
                span: item.span,
            })),
            ListRows::File(rows, source) => {
                Box::new((0..rows.heads.len()).map(move |r| rows.head(r, source)))
            }
        }
    }

    /// Each row whole, in order, one at a time (see [`RowCursor`]).
    pub fn cursor(self) -> RowCursor<'a> {
        let (columns, declared) = match self {
            ListRows::Written(_) => (Vec::new(), Vec::new()),
            ListRows::File(rows, _) => {
                let columns = rows.reading.columns();
                let declared = rows.names.iter().map(|(n, _)| super::column_of(&columns, n)).collect();
                (columns, declared)
            }
        };
        let key = ItemKey { value: KeyValue::Int(0), bare: false, span: Span::default() };
        let item = Item { key, in_force: None, fields: Vec::new(), span: Span::default() };
        RowCursor { rows: self, next: 0, columns, declared, item }
    }
}

/// A list's rows one at a time, each borrowed until the next: a row written in the policy
/// as it is, a file's row read again from its cells into one item reused from row to row.
pub struct RowCursor<'a> {
    rows: ListRows<'a>,
    next: usize,
    /// For a file's rows: the columns they were read with, the column of each of the
    /// file's cell names, and the item each row is read into.
    columns: Vec<Column<'a>>,
    declared: Vec<Option<usize>>,
    item: Item,
}

impl RowCursor<'_> {
    /// The next row, or `None` after the last.
    pub fn next_row(&mut self) -> Option<&Item> {
        match self.rows {
            ListRows::Written(items) => {
                self.next += 1;
                items.get(self.next - 1)
            }
            ListRows::File(rows, source) => {
                while self.next < rows.len() {
                    self.next += 1;
                    if rows.read_into(self.next - 1, source, &self.columns, &self.declared, &mut self.item) {
                        return Some(&self.item);
                    }
                }
                None
            }
        }
    }
}

/// Rows read from a data file (see the module's comment).
#[derive(Debug, Default)]
pub struct FileRows {
    heads: Vec<Head>,
    /// Where each row's cells start in `cells`; one entry more than rows.
    starts: Vec<u32>,
    /// Each cell's span in the file: 8 bytes a cell (a list of 100,000 rows of nine
    /// columns has 900,000 cells).
    cells: Vec<(u32, u32)>,
    /// Each cell's name, as an index into `names`; empty while every cell is under the
    /// name at its place in its row (a table's: the header's n-th name for the n-th cell).
    cell_names: Vec<u32>,
    /// The cells whose text is not the file's text at their span, in order: the cell's
    /// index and where its text is in `texts`.
    copied: Vec<(u32, u32, u32)>,
    texts: String,
    /// The names cells are under, each once, with where the name is written (a CSV
    /// header cell) or `None` where each cell carries its own name (YAML).
    names: Vec<(String, Option<Span>)>,
    /// The days of the rows that are dated (by row), in order: most lists are not.
    in_force: Vec<(u32, InForce)>,
    file: FileId,
    reading: Reading,
}

/// A row's key cell (an index into `cells`) and its span; 12 bytes.
#[derive(Debug)]
struct Head {
    key: u32,
    span: (u32, u32),
}

/// How the rows were read, to read them again the same way.
#[derive(Debug, Default)]
pub(super) struct Reading {
    pub key: Key,
    pub columns: Vec<(String, Option<TypeExpr>)>,
    /// Whether date cells may be spreadsheet serial numbers (workbooks).
    pub serials: bool,
}

/// The key column's name, its place among the declared columns, and whether its keys are
/// integers (its declared type), found once.
#[derive(Debug, Default)]
pub(super) struct Key {
    pub name: String,
    pub column: Option<usize>,
    pub int: bool,
}

impl Reading {
    pub(super) fn new(key: &str, columns: &[Column<'_>], serials: bool) -> Reading {
        let column = super::column_of(columns, key);
        let int = super::is_int(column.and_then(|k| columns[k].ty));
        let key = Key { name: key.to_string(), column, int };
        let columns = columns.iter().map(|c| (c.name.to_string(), c.ty.cloned())).collect();
        Reading { key, columns, serials }
    }

    fn columns(&self) -> Vec<Column<'_>> {
        self.columns.iter().map(|(name, ty)| Column { name, ty: ty.as_ref() }).collect()
    }
}

impl FileRows {
    pub(super) fn new(file: FileId, reading: Reading) -> FileRows {
        FileRows { starts: vec![0], file, reading, ..FileRows::default() }
    }

    pub fn len(&self) -> usize {
        self.heads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    /// Every row as an item, read again from its cells and the file's text `source`
    /// (tests, and tools that want them all).
    pub fn to_items(&self, source: &str) -> Vec<Item> {
        let mut rows = ListRows::File(self, source).cursor();
        std::iter::from_fn(|| rows.next_row().cloned()).collect()
    }

    /// Reads one row from its cells: keeps it if every cell is good, else reports each
    /// bad one into `diags`. `source` is the file's text, as the source map will hold it.
    /// `columns` are the ones `self` was made to read with (the caller's, so that they
    /// are not built again for every row).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn read<'c>(
        &mut self,
        source: &str,
        cells: impl Iterator<Item = RowCell<'c>> + Clone,
        columns: &[Column<'_>],
        row_span: Span,
        row_at: RowAt<'_>,
        diags: &mut Vec<crate::diag::Diagnostic>,
    ) {
        let (key, serials) = (&self.reading.key, self.reading.serials);
        let read = read_row(cells.clone(), row_span, row_at, key, columns, serials, None, diags);
        let Some(read) = read else { return };
        let row = self.heads.len() as u32;
        let key = (self.cells.len() + read.key_at) as u32;
        self.heads.push(Head { key, span: (row_span.start, row_span.end) });
        self.in_force.extend(read.in_force.map(|days| (row, days)));
        for (place, c) in cells.enumerate() {
            self.name_cell(place, &c);
            if source.get(c.span.range()) != Some(c.text) {
                let start = self.texts.len() as u32;
                self.texts.push_str(c.text);
                self.copied.push((self.cells.len() as u32, start, self.texts.len() as u32));
            }
            self.cells.push((c.span.start, c.span.end));
        }
        self.starts.push(self.cells.len() as u32);
    }

    /// Notes the name of the next cell, at `place` in its row: nothing while every cell
    /// is under the name at its place.
    fn name_cell(&mut self, place: usize, c: &RowCell<'_>) {
        let name = self.name_index(place, c);
        let named = self.cell_names.len() == self.cells.len() && !self.cells.is_empty();
        if !named && name == place as u32 {
            return;
        }
        if !named {
            // The first cell out of place: every cell before it, in the rows before and in
            // its own, was at its place.
            let rows = self.starts.windows(2).map(|w| w[1] - w[0]);
            let this_row = self.cells.len() as u32 - self.starts.last().copied().unwrap_or(0);
            self.cell_names = rows.chain([this_row]).flat_map(|n| 0..n).collect();
        }
        self.cell_names.push(name);
    }

    /// Room for about `rows` rows of `cells` cells, so that a large file's rows are not
    /// copied as the vectors grow (and do not keep the slack growing leaves): `done` gives
    /// back what the guess left over. Copied texts are few, and grow as they come.
    pub(super) fn reserve(&mut self, rows: usize, cells: usize) {
        self.heads.reserve_exact(rows);
        self.starts.reserve_exact(rows);
        self.cells.reserve_exact(rows.saturating_mul(cells));
    }

    /// Gives back the room reading did not use.
    pub(super) fn done(mut self) -> FileRows {
        self.heads.shrink_to_fit();
        self.starts.shrink_to_fit();
        self.cells.shrink_to_fit();
        self.cell_names.shrink_to_fit();
        self.texts.shrink_to_fit();
        self.copied.shrink_to_fit();
        self.in_force.shrink_to_fit();
        self
    }

    /// The text of cell `i`: the file's text `source` at its span, or as copied.
    fn text<'s>(&'s self, i: usize, source: &'s str) -> &'s str {
        match self.copied.binary_search_by_key(&(i as u32), |c| c.0) {
            Ok(c) => &self.texts[self.copied[c].1 as usize..self.copied[c].2 as usize],
            Err(_) => &source[self.cells[i].0 as usize..self.cells[i].1 as usize],
        }
    }

    /// The name of cell `i`, at `place` in its row, as an index into `names`.
    fn name_at(&self, i: usize, place: usize) -> usize {
        self.cell_names.get(i).map_or(place, |&n| n as usize)
    }

    /// The index of a cell's name in `names`, added if new. A CSV file's names are its
    /// header's (found at once: the n-th cell is under the n-th), a YAML file's the few
    /// field names its rows repeat.
    fn name_index(&mut self, place: usize, c: &RowCell<'_>) -> u32 {
        let at = (c.name_span != c.span).then_some(c.name_span);
        let is = |(n, s): &(String, Option<Span>)| n == c.name && *s == at;
        if self.names.get(place).is_some_and(is) {
            return place as u32;
        }
        let found = self.names.iter().position(is);
        found.unwrap_or_else(|| {
            self.names.push((c.name.to_string(), at));
            self.names.len() - 1
        }) as u32
    }

    /// Row `r`'s key, dates and span.
    fn head<'s>(&'s self, r: usize, source: &'s str) -> RowHead<'s> {
        let head = &self.heads[r];
        let (start, end) = self.cells[head.key as usize];
        let text = super::trim_cell(self.text(head.key as usize, source));
        let key =
            HeadKey::Cell { text, int: self.reading.key.int, span: Span { file: self.file, start, end } };
        let in_force =
            self.in_force.binary_search_by_key(&(r as u32), |d| d.0).ok().map(|i| self.in_force[i].1);
        let span = Span { file: self.file, start: head.span.0, end: head.span.1 };
        RowHead { key, in_force, span }
    }

    /// Reads row `r` again from its cells into `item`, reusing what it held; `declared` is
    /// the column of each of `names`. False if the row does not read (it always does: only
    /// rows that read cleanly were kept, and reading is the same again).
    fn read_into(
        &self,
        r: usize,
        source: &str,
        columns: &[Column<'_>],
        declared: &[Option<usize>],
        item: &mut Item,
    ) -> bool {
        let (from, to) = (self.starts[r] as usize, self.starts[r + 1] as usize);
        let span = |(start, end): (u32, u32)| Span { file: self.file, start, end };
        let cells = (from..to).map(|i| {
            let n = self.name_at(i, i - from);
            let (name, at) = &self.names[n];
            let cell = span(self.cells[i]);
            RowCell {
                name,
                column: declared[n],
                text: self.text(i, source),
                name_span: at.unwrap_or(cell),
                span: cell,
                at: CellAt(None),
            }
        });
        let mut ignored = Vec::new();
        let (key, serials) = (&self.reading.key, self.reading.serials);
        let row_span = span(self.heads[r].span);
        let fields = Some(&mut item.fields);
        let read = read_row(cells, row_span, RowAt(None), key, columns, serials, fields, &mut ignored);
        debug_assert!(read.is_some(), "a kept row reads again: {ignored:?}");
        let Some(read) = read else { return false };
        read.key.put(&mut item.key.value);
        item.key.span = read.key_span;
        item.in_force = read.in_force;
        item.span = row_span;
        true
    }
}
