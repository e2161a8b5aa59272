//! The rows of a list read from a data file, kept compact.
//!
//! A row written in a policy is an [`Item`]: a `FieldInit` per field, each with its name,
//! an expression and spans, about 1,400 bytes for a row the file holds in 80. A list read
//! from a file may hold 100,000 rows, so its rows are kept as their cells' texts (one
//! buffer) and spans, with each row's key, dates and span beside them: what most passes
//! read. The checker and lowering, which read every field, get each row as an `Item` again,
//! one at a time ([`ListRows::items`]), read from its cells the way it was read the first
//! time; only rows that read cleanly the first time are kept, so they read cleanly again.

use std::borrow::Cow;

use super::{read_row, CellAt, Column, RowAt, RowCell};
use crate::source::{FileId, Span};
use crate::syntax::ast::{InForce, Item, ItemKey, ListBody, ListDecl, TypeExpr};

/// A list's rows wherever they are written: in the policy, or in a data file.
#[derive(Clone, Copy)]
pub enum ListRows<'a> {
    Written(&'a [Item]),
    File(&'a FileRows),
}

/// What identifies a row: its key, the days it is in force and its span.
#[derive(Clone, Copy)]
pub struct RowHead<'a> {
    pub key: &'a ItemKey,
    pub in_force: Option<InForce>,
    pub span: Span,
}

impl<'a> ListRows<'a> {
    /// The rows of `list`: its own, or those read from its file (`included`; none when the
    /// file could not be read).
    pub fn of(list: &'a ListDecl, included: Option<&'a FileRows>) -> ListRows<'a> {
        match (&list.body, included) {
            (ListBody::Items(items), _) => ListRows::Written(items),
            (ListBody::From(_), Some(rows)) => ListRows::File(rows),
            (ListBody::From(_), None) => ListRows::Written(&[]),
        }
    }

    pub fn len(self) -> usize {
        match self {
            ListRows::Written(items) => items.len(),
            ListRows::File(rows) => rows.heads.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Each row's key, dates and span, without reading its fields.
    pub fn heads(self) -> Box<dyn Iterator<Item = RowHead<'a>> + 'a> {
        match self {
            ListRows::Written(items) => Box::new(items.iter().map(|item| RowHead {
                key: &item.key,
                in_force: item.in_force,
                span: item.span,
            })),
            ListRows::File(rows) => Box::new(rows.heads.iter().map(|h| RowHead {
                key: &h.key,
                in_force: h.in_force,
                span: h.span,
            })),
        }
    }

    /// Each row whole, in order: borrowed if written in the policy, read again from its
    /// cells if read from a file.
    pub fn items(self) -> Box<dyn Iterator<Item = Cow<'a, Item>> + 'a> {
        match self {
            ListRows::Written(items) => Box::new(items.iter().map(Cow::Borrowed)),
            ListRows::File(rows) => {
                let columns = rows.reading.columns();
                Box::new((0..rows.heads.len()).filter_map(move |r| rows.item(r, &columns).map(Cow::Owned)))
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
    cells: Vec<Cell>,
    /// Every cell's text, one after another.
    texts: String,
    /// The names cells are under, each once, with where the name is written (a CSV
    /// header cell) or `None` where each cell carries its own name (YAML).
    names: Vec<(String, Option<Span>)>,
    file: FileId,
    reading: Reading,
}

#[derive(Debug)]
struct Head {
    key: ItemKey,
    in_force: Option<InForce>,
    span: Span,
}

/// One cell: the index of its name, where its text starts in `texts` (it ends where the
/// next cell's starts), its span in the file. 16 bytes: a list of 100,000 rows of nine
/// columns has 900,000 cells.
#[derive(Debug)]
struct Cell {
    name: u32,
    text: u32,
    span: (u32, u32),
}

/// How the rows were read, to read them again the same way.
#[derive(Debug, Default)]
pub(super) struct Reading {
    pub key: String,
    pub columns: Vec<(String, Option<TypeExpr>)>,
    /// Whether date cells may be spreadsheet serial numbers (workbooks).
    pub serials: bool,
}

impl Reading {
    pub(super) fn new(key: &str, columns: &[Column<'_>], serials: bool) -> Reading {
        let columns = columns.iter().map(|c| (c.name.to_string(), c.ty.cloned())).collect();
        Reading { key: key.to_string(), columns, serials }
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

    /// Every row as an item, read again from its cells (tests, and tools that want them all).
    pub fn to_items(&self) -> Vec<Item> {
        ListRows::File(self).items().map(Cow::into_owned).collect()
    }

    /// Reads one row from its cells: keeps it if every cell is good, else reports each
    /// bad one into `diags`.
    /// `columns` are the ones `self` was made to read with (the caller's, so that they
    /// are not built again for every row).
    pub(super) fn read<'c>(
        &mut self,
        cells: &[RowCell<'c>],
        columns: &[Column<'_>],
        row_span: Span,
        row_at: RowAt<'_>,
        diags: &mut Vec<crate::diag::Diagnostic>,
    ) {
        let (key, serials) = (&self.reading.key, self.reading.serials);
        let read = read_row(cells.iter().copied(), row_span, row_at, key, columns, serials, diags);
        let Some(item) = read else { return };
        self.heads.push(Head { key: item.key, in_force: item.in_force, span: item.span });
        for c in cells {
            let name = self.name_index(c);
            let text = self.texts.len() as u32;
            self.texts.push_str(c.text);
            self.cells.push(Cell { name, text, span: (c.span.start, c.span.end) });
        }
        self.starts.push(self.cells.len() as u32);
    }

    /// Room for about `rows` rows of `cells` cells holding `text` bytes in all, so that
    /// a large file's rows are not copied as the vectors grow (and do not keep the slack
    /// growing leaves): `done` gives back what the guess left over.
    pub(super) fn reserve(&mut self, rows: usize, cells: usize, text: usize) {
        self.heads.reserve_exact(rows);
        self.starts.reserve_exact(rows);
        self.cells.reserve_exact(rows.saturating_mul(cells));
        self.texts.reserve_exact(text);
    }

    /// Gives back the room reading did not use.
    pub(super) fn done(mut self) -> FileRows {
        self.heads.shrink_to_fit();
        self.starts.shrink_to_fit();
        self.cells.shrink_to_fit();
        self.texts.shrink_to_fit();
        self
    }

    /// The text of cell `i`.
    fn text(&self, i: usize) -> &str {
        let end = self.cells.get(i + 1).map_or(self.texts.len(), |next| next.text as usize);
        &self.texts[self.cells[i].text as usize..end]
    }

    /// The index of a cell's name in `names`, added if new. A CSV file's names are its
    /// header's, a YAML file's the few field names its rows repeat.
    fn name_index(&mut self, c: &RowCell<'_>) -> u32 {
        let at = (c.name_span != c.span).then_some(c.name_span);
        let found = self.names.iter().position(|(n, s)| n == c.name && *s == at);
        found.unwrap_or_else(|| {
            self.names.push((c.name.to_string(), at));
            self.names.len() - 1
        }) as u32
    }

    /// Row `r` as an item, read again from its cells.
    fn item(&self, r: usize, columns: &[Column<'_>]) -> Option<Item> {
        let (from, to) = (self.starts[r] as usize, self.starts[r + 1] as usize);
        let span = |(start, end): (u32, u32)| Span { file: self.file, start, end };
        let cells = (from..to).map(|i| {
            let c = &self.cells[i];
            let (name, at) = &self.names[c.name as usize];
            RowCell {
                name,
                text: self.text(i),
                name_span: at.unwrap_or(span(c.span)),
                span: span(c.span),
                at: CellAt(None),
            }
        });
        let mut ignored = Vec::new();
        let (key, serials) = (&self.reading.key, self.reading.serials);
        let item = read_row(cells, self.heads[r].span, RowAt(None), key, columns, serials, &mut ignored);
        // Only rows that read cleanly were kept, and reading is the same again.
        debug_assert!(item.is_some(), "a kept row reads again: {ignored:?}");
        item
    }
}
