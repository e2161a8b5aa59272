//! The last analysis in which the document parsed, answering for its text as edited since:
//! when not even the rest of the document parses (`recover.rs` gives up — a broken
//! policy header, say), the old analysis answers, a position of the new text mapped into
//! the old one and every range of the answer mapped back. The edits since are taken as
//! one: the texts' common start and common end stand still or move together, and a
//! position inside the changed middle has no answer.

use serde_json::Value;

use super::documents::LineIndex;

pub struct Shift {
    old: String,
    old_lines: LineIndex,
    new: String,
    new_lines: LineIndex,
    /// Bytes the texts share at the start and at the end (not overlapping).
    prefix: usize,
    suffix: usize,
    /// The document's URI: only its ranges are mapped.
    uri: String,
}

impl Shift {
    pub fn new(old: &str, new: &str, uri: &str) -> Shift {
        let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
        while !old.is_char_boundary(prefix) {
            prefix -= 1;
        }
        // The shared end, not reaching into the shared start; its first byte is the same in
        // both texts, so it starts a character in both or in neither.
        let room = old.len().min(new.len()) - prefix;
        let mut suffix =
            old.bytes().rev().zip(new.bytes().rev()).take_while(|(a, b)| a == b).count().min(room);
        while !old.is_char_boundary(old.len() - suffix) {
            suffix -= 1;
        }
        Shift {
            old: old.to_string(),
            old_lines: LineIndex::new(old),
            new: new.to_string(),
            new_lines: LineIndex::new(new),
            prefix,
            suffix,
            uri: uri.to_string(),
        }
    }

    /// The offset in the old text of byte `offset` of the new one.
    pub fn to_old(&self, offset: usize) -> Option<usize> {
        across(offset, self.prefix, self.suffix, self.new.len(), self.old.len())
    }

    fn to_new(&self, offset: usize) -> Option<usize> {
        across(offset, self.prefix, self.suffix, self.old.len(), self.new.len())
    }

    /// The answer with the document's ranges moved to the new text; whatever points into
    /// the changed middle is left out (`Null` if that is the whole answer).
    pub fn answer(&self, mut reply: Value) -> Value {
        if self.map(&mut reply, true) {
            reply
        } else {
            Value::Null
        }
    }

    /// Maps the ranges inside `v` (those of the document when `ours`); false when `v`
    /// points into the changed middle and is to be dropped.
    fn map(&self, v: &mut Value, ours: bool) -> bool {
        match v {
            Value::Array(items) => {
                items.retain_mut(|item| self.map(item, ours));
                true
            }
            Value::Object(fields) => {
                let ours = fields.get("uri").and_then(Value::as_str).map_or(ours, |u| u == self.uri);
                for (key, field) in fields.iter_mut() {
                    let mapped = match key.as_str() {
                        "range" | "selectionRange" if ours => self.map_range(field),
                        // A rename's edits are grouped by URI.
                        "changes" => {
                            if let Value::Object(by_uri) = field {
                                for (uri, edits) in by_uri.iter_mut() {
                                    self.map(edits, *uri == self.uri);
                                }
                            }
                            true
                        }
                        _ => self.map(field, ours),
                    };
                    if !mapped {
                        return false;
                    }
                }
                true
            }
            _ => true,
        }
    }

    /// A range of the old text moved to the new one; false when it overlaps the changed
    /// middle (what it spanned is no longer there as it was).
    fn map_range(&self, range: &mut Value) -> bool {
        let offset = |end: &str| {
            let at = serde_json::from_value::<lsp_types::Position>(range[end].clone()).ok()?;
            self.old_lines.offset(&self.old, at)
        };
        let (Some(start), Some(end)) = (offset("start"), offset("end")) else { return false };
        let middle_end = self.old.len() - self.suffix;
        if start < middle_end && end > self.prefix {
            return false;
        }
        for (key, old) in [("start", start), ("end", end)] {
            let Some(new) = self.to_new(old) else { return false };
            range[key] = serde_json::to_value(self.new_lines.position(&self.new, new)).unwrap_or_default();
        }
        true
    }
}

/// An offset of a text of length `from_len` moved to the one of length `to_len` that shares
/// its first `prefix` and last `suffix` bytes.
fn across(offset: usize, prefix: usize, suffix: usize, from_len: usize, to_len: usize) -> Option<usize> {
    if offset <= prefix {
        Some(offset)
    } else if offset >= from_len - suffix {
        Some(offset + to_len - from_len)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
        json!({ "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } })
    }

    #[test]
    fn ranges_after_an_insertion_move_with_the_text() {
        let old = "政策 甲\n令 乙 = 1\n令 丙 = 乙\n";
        let new = "政策 甲 以\n\n令 乙 = 1\n令 丙 = 乙\n";
        let shift = Shift::new(old, new, "file:///a.qd");
        assert_eq!(shift.to_old(new.rfind('乙').expect("乙")), old.rfind('乙'));
        let answer = json!([
            { "uri": "file:///a.qd", "range": range(1, 2, 1, 3) },
            { "uri": "file:///b.qd", "range": range(1, 2, 1, 3) },
            { "uri": "file:///a.qd", "range": range(0, 3, 0, 4) },
        ]);
        assert_eq!(
            shift.answer(answer),
            json!([
                { "uri": "file:///a.qd", "range": range(2, 2, 2, 3) },
                { "uri": "file:///b.qd", "range": range(1, 2, 1, 3) },
                { "uri": "file:///a.qd", "range": range(0, 3, 0, 4) },
            ])
        );
        let rename =
            json!({ "changes": { "file:///a.qd": [{ "range": range(2, 6, 2, 7), "newText": "丁" }] } });
        assert_eq!(shift.answer(rename)["changes"]["file:///a.qd"][0]["range"], range(3, 6, 3, 7));
    }

    #[test]
    fn what_lies_in_a_replaced_stretch_has_no_answer() {
        let old = "政策 甲\n令 乙 = 1\n令 丙 = 乙\n";
        let new = "政策 甲\n令 戊己 = 1\n令 丙 = 乙\n";
        let shift = Shift::new(old, new, "file:///a.qd");
        assert_eq!(shift.to_old(new.find('戊').expect("戊") + 3), None);
        assert_eq!(shift.to_old(new.rfind('乙').expect("乙")), old.rfind('乙'));
        let answer = json!([
            { "uri": "file:///a.qd", "range": range(1, 2, 1, 3) },
            { "uri": "file:///a.qd", "range": range(2, 6, 2, 7) },
        ]);
        assert_eq!(shift.answer(answer), json!([{ "uri": "file:///a.qd", "range": range(2, 6, 2, 7) }]));
        assert_eq!(shift.answer(json!({ "contents": "x", "range": range(1, 2, 1, 3) })), Value::Null);
    }
}
