//! The open documents and the protocol's positions. A position's `character` counts UTF-16
//! code units (the protocol's default encoding): a Chinese character is one, a character
//! outside the Basic Multilingual Plane (𠀀, 😀) two, while the front end counts bytes.
//! Every conversion between the two goes through [`LineIndex`].

use std::collections::HashMap;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// Where each line of a text starts, for converting byte offsets and positions both ways.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { starts }
    }

    /// The position of byte `offset` (clamped to the text, moved back to a character start).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let character = text[self.starts[line]..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }

    /// The byte offset of `pos`, or `None` when its line is past the end of the text. A
    /// character past the end of its line means the end of the line (as the protocol says);
    /// one inside a surrogate pair means the character it halves.
    pub fn offset(&self, text: &str, pos: Position) -> Option<usize> {
        let start = *self.starts.get(pos.line as usize)?;
        let line_end = self.starts.get(pos.line as usize + 1).map_or(text.len(), |&next| next - 1);
        let line = text[start..line_end].trim_end_matches('\r');
        let mut units = 0;
        for (i, c) in line.char_indices() {
            units += c.len_utf16();
            if units > pos.character as usize {
                return Some(start + i);
            }
        }
        Some(start + line.len())
    }
}

/// An open document: the client's text (which may differ from the disk) and its version.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
    pub index: LineIndex,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let index = LineIndex::new(&text);
        Document { text, version, index }
    }

    pub fn offset(&self, pos: Position) -> Option<usize> {
        self.index.offset(&self.text, pos)
    }

    /// Applies one change (a range replaced, or the whole text); an edit whose range lies
    /// outside the text changes nothing and says why.
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent) -> Result<(), String> {
        let Some(range) = change.range else {
            *self = Document::new(change.text, self.version);
            return Ok(());
        };
        let (Some(start), Some(end)) = (self.offset(range.start), self.offset(range.end)) else {
            return Err(format!(
                "edit at {}:{}–{}:{} is outside the document ({} lines)",
                range.start.line,
                range.start.character,
                range.end.line,
                range.end.character,
                self.index.starts.len()
            ));
        };
        if start > end {
            return Err("edit range ends before it starts".into());
        }
        self.text.replace_range(start..end, &change.text);
        self.index = LineIndex::new(&self.text);
        Ok(())
    }
}

/// The open documents by URI.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<String, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: String, text: String, version: i32) {
        self.open.insert(uri, Document::new(text, version));
    }

    pub fn close(&mut self, uri: &str) {
        self.open.remove(uri);
    }

    pub fn get(&self, uri: &str) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &str) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Document)> {
        self.open.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_outside_the_bmp_included() {
        // 𠀀 (U+20000) is four bytes and two UTF-16 units; 甲 three bytes and one unit.
        let text = "令 𠀀甲 = 1\n规则 乙";
        let index = LineIndex::new(text);
        let jia = text.find('甲').expect("甲");
        assert_eq!(index.position(text, jia), Position::new(0, 4));
        assert_eq!(index.offset(text, Position::new(0, 4)), Some(jia));
        let yi = text.find('乙').expect("乙");
        assert_eq!(index.position(text, yi), Position::new(1, 3));
        assert_eq!(index.offset(text, Position::new(1, 3)), Some(yi));
    }

    #[test]
    fn positions_inside_a_pair_or_past_a_line_are_clamped_and_past_the_text_refused() {
        let text = "令 𠀀 = 1\r\n乙";
        let index = LineIndex::new(text);
        let wide = text.find('𠀀').expect("𠀀");
        assert_eq!(index.offset(text, Position::new(0, 3)), Some(wide));
        assert_eq!(index.offset(text, Position::new(0, 99)), text.find('\r'));
        assert_eq!(index.offset(text, Position::new(2, 0)), None);
    }

    #[test]
    fn edits_replace_their_range_and_out_of_range_edits_change_nothing() {
        let mut doc = Document::new("令 甲 = 1\n".into(), 1);
        let edit = |l1, c1, l2, c2, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.into(),
        };
        doc.apply(edit(0, 2, 0, 3, "𠀀乙")).expect("in range");
        assert_eq!(doc.text, "令 𠀀乙 = 1\n");
        assert!(doc.apply(edit(5, 0, 5, 1, "x")).is_err());
        assert_eq!(doc.text, "令 𠀀乙 = 1\n");
    }
}
