//! Splits a batch body into its cases as the bytes arrive, whatever its size: JSON Lines
//! (a case per line) or one JSON array (a case per item). Only the case being read is held,
//! so a batch of a million cases costs the memory of one; a case longer than [`MAX_CASE`]
//! is dropped as it streams by and answered with E0307, as `eval` does with a long line.

use qingdan_dsl::Code;
use serde_json::json;

/// The longest case kept: the same bound `eval` puts on a JSON Lines line.
pub const MAX_CASE: usize = 1024 * 1024;

/// One piece of the body: a case's text, or the error line answering it (numbered `0`
/// here: the caller knows the case's number).
pub type Piece = Result<String, String>;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Form {
    /// Nothing but white space seen yet: the first other byte decides.
    Unknown,
    Lines,
    /// Inside the top-level array: where the scan stands in the current item.
    Array(Scan),
    /// After the array's closing `]`: only white space may follow.
    Closed,
}

/// Where a byte stands in a JSON value: the depth of brackets and whether it is in a string.
#[derive(Clone, Copy, PartialEq, Debug, Default)]
struct Scan {
    depth: u32,
    in_string: bool,
    escaped: bool,
}

#[derive(Debug)]
pub struct Splitter {
    form: Form,
    /// Bytes of the current case (and what follows it, not yet scanned).
    pending: Vec<u8>,
    /// Where the current case starts in `pending` (the bytes before it are spent).
    start: usize,
    /// How far `pending` has been scanned.
    scanned: usize,
    /// The current case passed [`MAX_CASE`]: its bytes are dropped until it ends.
    skipping: bool,
    /// A fault of the whole body (text after the array), said once.
    fault: Option<String>,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter {
            form: Form::Unknown,
            pending: Vec::new(),
            start: 0,
            scanned: 0,
            skipping: false,
            fault: None,
        }
    }
}

impl Splitter {
    /// Takes the next bytes of the body.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// The next complete case, or `None` until more bytes come. An `Err` from the outer
    /// result is a fault of the body itself: the batch stops there.
    pub fn next(&mut self) -> Result<Option<Piece>, String> {
        loop {
            if let Some(fault) = self.fault.take() {
                return Err(fault);
            }
            let Some(end) = self.find_end() else {
                return Ok(self.cut_if_too_long());
            };
            let found = if end - self.start > MAX_CASE {
                Some(Err(too_long()))
            } else {
                piece(&self.pending[self.start..end])
            };
            self.spend(end + 1);
            if std::mem::take(&mut self.skipping) {
                continue;
            }
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    /// The body ended: the last case, if one is left, or the fault of an array not closed.
    pub fn finish(&mut self) -> Result<Option<Piece>, String> {
        if let Some(fault) = self.fault.take() {
            return Err(fault);
        }
        if let Form::Array(_) = self.form {
            return Err(body_fault("the JSON array is not closed: the body ended inside it"));
        }
        let rest = &self.pending[self.start.min(self.pending.len())..];
        let rest = if rest.len() > MAX_CASE { Some(Err(too_long())) } else { piece(rest) };
        self.spend(self.pending.len());
        if std::mem::take(&mut self.skipping) {
            return Ok(None);
        }
        Ok(rest)
    }

    /// The bytes before `to` are spent: the next case starts there. They are dropped once
    /// many, so each byte is moved a bounded number of times.
    fn spend(&mut self, to: usize) {
        self.start = to.min(self.pending.len());
        self.scanned = self.scanned.max(self.start);
        if self.start == self.pending.len() {
            self.pending.clear();
            (self.start, self.scanned) = (0, 0);
        } else if self.start > MAX_CASE {
            self.pending.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
    }

    /// Where the current case ends (the index of its separator), scanning on from where
    /// the last call stopped.
    fn find_end(&mut self) -> Option<usize> {
        while self.scanned < self.pending.len() {
            let at = self.scanned;
            let byte = self.pending[at];
            self.scanned += 1;
            match self.form {
                Form::Unknown => self.choose_form(at, byte),
                Form::Lines if byte == b'\n' => return Some(at),
                Form::Lines => {}
                Form::Array(ref mut scan) => {
                    if let Some(closing) = scan.ends_item(byte) {
                        if closing {
                            self.form = Form::Closed;
                        }
                        return Some(at);
                    }
                }
                Form::Closed if byte.is_ascii_whitespace() => {}
                Form::Closed => {
                    self.fault = Some(body_fault("text follows the batch's JSON array"));
                    self.spend(self.pending.len());
                    return None;
                }
            }
        }
        None
    }

    /// The first byte that is not white space: `[` opens an array, anything else a line.
    fn choose_form(&mut self, at: usize, byte: u8) {
        if byte.is_ascii_whitespace() {
            return;
        }
        if byte == b'[' {
            self.form = Form::Array(Scan::default());
            self.spend(at + 1);
        } else {
            self.form = Form::Lines;
        }
    }

    /// A case grown past the bound is dropped now (its bytes no longer kept) and answered.
    fn cut_if_too_long(&mut self) -> Option<Piece> {
        if self.pending.len() - self.start <= MAX_CASE {
            return None;
        }
        self.spend(self.pending.len());
        if std::mem::replace(&mut self.skipping, true) {
            return None;
        }
        Some(Err(too_long()))
    }
}

impl Scan {
    /// Takes one byte; `Some(closing)` when it ends an item (`,`, or the array's `]`).
    fn ends_item(&mut self, byte: u8) -> Option<bool> {
        if self.in_string {
            match byte {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return None;
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' if self.depth > 0 => self.depth -= 1,
            b']' => return Some(true),
            b',' if self.depth == 0 => return Some(false),
            _ => {}
        }
        None
    }
}

/// A case's bytes as a piece: blank is no case; text must be UTF-8.
fn piece(bytes: &[u8]) -> Option<Piece> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(String::from_utf8(bytes.to_vec()).map_err(|_| {
        json!({ "case": 0, "error": { "code": Code::E0301.as_str(), "path": "", "message": "the case is not UTF-8" } })
            .to_string()
    }))
}

fn too_long() -> String {
    json!({ "case": 0, "error": { "code": Code::E0307.as_str(), "path": "",
        "message": format!("the case is longer than {MAX_CASE} bytes and was skipped") } })
    .to_string()
}

fn body_fault(message: &str) -> String {
    json!({ "case": 0, "error": { "code": Code::E0301.as_str(), "message": message } }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every piece of a body fed in chunks of `size` bytes, then the fault if any.
    fn split(body: &[u8], size: usize) -> (Vec<Piece>, Option<String>) {
        let mut s = Splitter::default();
        let mut out = Vec::new();
        for chunk in body.chunks(size.max(1)) {
            s.push(chunk);
            loop {
                match s.next() {
                    Ok(Some(p)) => out.push(p),
                    Ok(None) => break,
                    Err(fault) => return (out, Some(fault)),
                }
            }
        }
        match s.finish() {
            Ok(p) => out.extend(p),
            Err(fault) => return (out, Some(fault)),
        }
        (out, None)
    }

    fn cases(pieces: &[Piece]) -> Vec<String> {
        pieces.iter().map(|p| p.clone().unwrap_or_else(|e| format!("ERR {e}"))).collect()
    }

    const ARRAY: &str = r#" [ {"a": "x,]y", "b": [1, {"c": "\"]"}]}, {"d": "\\"} ,
        {"e": "甲,乙"} ] "#;

    #[test]
    fn an_array_is_split_into_its_items_whatever_the_chunking() {
        let want = vec![
            r#"{"a": "x,]y", "b": [1, {"c": "\"]"}]}"#.to_string(),
            r#"{"d": "\\"}"#.to_string(),
            r#"{"e": "甲,乙"}"#.to_string(),
        ];
        for size in 1..=ARRAY.len() {
            let (pieces, fault) = split(ARRAY.as_bytes(), size);
            let got: Vec<String> = cases(&pieces).iter().map(|c| c.trim().to_string()).collect();
            assert_eq!((got, fault), (want.clone(), None), "chunks of {size}");
        }
    }

    #[test]
    fn json_lines_are_split_at_newlines_and_blank_lines_are_no_case() {
        let body = "{\"a\":1}\n\n  \n{\"b\":\"[\"}\n{\"c\":3}";
        for size in 1..=body.len() {
            let (pieces, fault) = split(body.as_bytes(), size);
            assert_eq!(cases(&pieces), ["{\"a\":1}", "{\"b\":\"[\"}", "{\"c\":3}"], "chunks of {size}");
            assert_eq!(fault, None);
        }
    }

    #[test]
    fn an_empty_array_and_a_trailing_comma_give_no_empty_case() {
        assert_eq!(split(b"[]", 1).0.len(), 0);
        assert_eq!(split(b"[{\"a\":1},]", 3).0.len(), 1);
    }

    #[test]
    fn an_array_not_closed_or_followed_by_text_is_a_fault_of_the_body() {
        let (pieces, fault) = split(b"[{\"a\":1}, {\"b\":", 4);
        assert_eq!(pieces.len(), 1);
        assert!(fault.expect("not closed").contains("not closed"));
        let (pieces, fault) = split(b"[{\"a\":1}] {\"b\":2}", 4);
        assert_eq!(pieces.len(), 1);
        assert!(fault.expect("text after").contains("text follows"));
    }

    #[test]
    fn a_case_too_long_is_dropped_as_it_streams_and_the_next_one_read() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_CASE + 10));
        for body in [format!("[{long}, {{\"b\":1}}]"), format!("{long}\n{{\"b\":1}}\n")] {
            let mut s = Splitter::default();
            let mut out = Vec::new();
            let mut most = 0;
            for chunk in body.as_bytes().chunks(64 * 1024) {
                s.push(chunk);
                most = most.max(s.pending.len());
                while let Ok(Some(p)) = s.next() {
                    out.push(p);
                }
            }
            out.extend(s.finish().expect("no fault"));
            assert_eq!(out.len(), 2, "{}", &body[..1]);
            assert!(
                out[0].as_ref().is_err_and(|e| e.contains("E0307")),
                "{:?}",
                out[0].as_ref().map(|t| t.len())
            );
            assert_eq!(out[1].as_deref().map(str::trim), Ok("{\"b\":1}"));
            assert!(most <= 2 * MAX_CASE + 64 * 1024, "held {most} bytes");
        }
    }

    #[test]
    fn a_case_that_is_not_utf8_is_answered_not_dropped() {
        let (pieces, _) = split(b"[{\"a\":\"\xff\"}]", 2);
        assert!(pieces[0].as_ref().is_err_and(|e| e.contains("E0301")));
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        /// JSON values whose texts hold every byte the scan must not take for structure.
        fn value() -> impl Strategy<Value = serde_json::Value> {
            let text = proptest::string::string_regex(r#"[a-z甲乙,\[\]{}"\\ :\n\t]{0,12}"#).expect("regex");
            let leaf = prop_oneof![
                text.prop_map(serde_json::Value::from),
                any::<i32>().prop_map(serde_json::Value::from),
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::from),
            ];
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                    proptest::collection::btree_map("[a-z甲]{1,3}", inner, 0..4)
                        .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// A case: an object (a body opening with `[` is an array of cases, not a line).
        fn case() -> impl Strategy<Value = serde_json::Value> {
            proptest::collection::btree_map("[a-z甲]{1,3}", value(), 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect()))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// Whatever the values and however the body is cut into parts, the array's
            /// items come out whole and in order, and JSON Lines alike.
            #[test]
            fn items_come_out_whole_however_the_body_is_cut(
                items in proptest::collection::vec(case(), 0..6),
                size in 1usize..40,
                pretty in any::<bool>(),
            ) {
                let text = |v: &serde_json::Value| if pretty {
                    serde_json::to_string_pretty(v).expect("json")
                } else {
                    v.to_string()
                };
                let array = format!(" [ {} ] ", items.iter().map(text).collect::<Vec<_>>().join(" ,\n"));
                let lines: String = items.iter().map(|v| v.to_string() + "\n").collect();
                for (body, is_array) in [(array, true), (lines, false)] {
                    let (pieces, fault) = split(body.as_bytes(), size);
                    prop_assert_eq!(fault, None);
                    let got: Vec<serde_json::Value> = pieces
                        .iter()
                        .map(|p| serde_json::from_str(p.as_ref().expect("a case")).expect("whole JSON"))
                        .collect();
                    prop_assert_eq!(&got, &items, "as an array: {}", is_array);
                }
            }
        }
    }
}
