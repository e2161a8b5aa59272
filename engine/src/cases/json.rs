//! JSON cases: one object, an array of objects, or JSON Lines (one object per line).

use std::io::{BufRead, ErrorKind};
use std::marker::PhantomData;

use qingdan_dsl::diag::msg;
use qingdan_dsl::Code;
use serde::de::{DeserializeSeed, Deserializer};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::de::{decimal_from_text, decimal_wrong, Bad, CaseSeed, Ctx, Format, Found, Problem};
use super::{CaseError, CaseReader, CaseResult, MAX_LINE_BYTES};

pub(crate) struct Json;

impl Format for Json {
    const SCALAR_TEXT: bool = false;

    /// The number's own text (or the string's), sliced from the input: with plain
    /// `serde_json` a number reaches a visitor only as an `f64`, and `arbitrary_precision`
    /// would slow every number of every line (and change `serde_json` for the whole
    /// workspace), while `raw_value` only adds this one type.
    fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Result<Option<i64>, Bad>, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        Ok(match raw.get() {
            "null" => Ok(None),
            text => json_decimal(text).map(Some),
        })
    }
}

fn json_decimal(raw: &str) -> Result<i64, Bad> {
    match raw.as_bytes().first() {
        Some(b'"') if !raw.contains('\\') => decimal_from_text(&raw[1..raw.len() - 1]),
        Some(b'"') => match serde_json::from_str::<String>(raw) {
            Ok(text) => decimal_from_text(&text),
            Err(_) => Err(decimal_wrong(Found::Text(raw))),
        },
        Some(b'-' | b'0'..=b'9') => decimal_from_text(raw),
        Some(b't') => Err(decimal_wrong(Found::Bool(true))),
        Some(b'f') => Err(decimal_wrong(Found::Bool(false))),
        Some(b'[') => Err(decimal_wrong(Found::List)),
        Some(b'{') => Err(decimal_wrong(Found::Object)),
        _ => Err(decimal_wrong(Found::Null)),
    }
}

impl CaseReader<'_> {
    /// Cases from a JSON text: one object is one case, an array holds many. A syntax error
    /// anywhere is one E0301 error for the file (JSON Lines isolate bad lines instead).
    pub fn read_json(&self, text: &str) -> Vec<CaseResult> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: &RawValue = match serde_json::from_str(body) {
            Ok(raw) => raw,
            Err(e) => return vec![Err(malformed(&e, body, 1, Some(1)))],
        };
        let mut lines = LineCounter::new(text);
        if raw.get().starts_with('[') {
            let items: Vec<&RawValue> = match serde_json::from_str(raw.get()) {
                Ok(items) => items,
                Err(e) => return vec![Err(malformed(&e, raw.get(), 1, Some(lines.line_of(raw.get()))))],
            };
            items
                .iter()
                .enumerate()
                .map(|(i, item)| self.json_case(item.get(), i + 1, Some(lines.line_of(item.get()))))
                .collect()
        } else {
            vec![self.json_case(raw.get(), 1, Some(lines.line_of(raw.get())))]
        }
    }

    /// One JSON Lines line as case number `case` (1-based): the fast path of batch runs.
    /// The error's `line` is left to the caller, who knows where the line was.
    pub fn json_line(&self, line: &str, case: usize) -> CaseResult {
        if line.len() > MAX_LINE_BYTES {
            return Err(too_long(case, None));
        }
        self.json_case(line, case, None)
    }

    /// Streams JSON Lines: one case per non-blank line, each read into a reused buffer of
    /// at most [`MAX_LINE_BYTES`]; a longer line is skipped to its end unkept (E0307).
    pub fn lines<R: BufRead>(&self, reader: R) -> JsonLines<'_, '_, R> {
        JsonLines { reader: self, lines: Splitter::new(reader), buf: Vec::new() }
    }

    /// One case from its JSON text; `line` is where the text starts in the file.
    fn json_case(&self, text: &str, case: usize, line: Option<usize>) -> CaseResult {
        match super::fast::scan(self, text.as_bytes()) {
            Some(values) => Ok(values),
            None => self.serde_case(text, case, line),
        }
    }

    /// The full reader: every case, every error (the scanner's answer when it has one).
    pub(super) fn serde_case(&self, text: &str, case: usize, line: Option<usize>) -> CaseResult {
        let mut ctx = Ctx::new(self, true);
        ctx.begin();
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = CaseSeed::<Json> { ctx: &mut ctx, _format: PhantomData }
            .deserialize(&mut de)
            .and_then(|()| de.end());
        let error = |p: Problem| CaseError { case, path: p.path, code: p.code, message: p.message, line };
        match parsed {
            Ok(()) => ctx.finish().map_err(error),
            // Too large wins (it was stopped on purpose), then syntax: a broken line is
            // reported as broken before anything read from it.
            Err(_) if ctx.too_large => Err(error(ctx.finish().err().unwrap_or_else(too_large_problem))),
            Err(e) => Err(malformed(&e, text, case, line)),
        }
    }
}

fn too_large_problem() -> Problem {
    Problem { code: Code::E0307, message: msg("案例过大", "the case is too large"), path: String::new() }
}

/// E0301 from a `serde_json` error; its line counts from `line` (the case's first line).
fn malformed(e: &serde_json::Error, text: &str, case: usize, line: Option<usize>) -> CaseError {
    // `serde_json` ends its message with "at line L column C", L counting from the start of
    // the case: give the column alone, and the line in the file as the error's line.
    let full = e.to_string();
    let detail = match full.rfind(" at line ") {
        Some(i) if e.line() > 0 => &full[..i],
        _ => full.as_str(),
    };
    let (zh, en) = match char_column(text, e.line(), e.column()) {
        0 => (format!("JSON 格式错误：{detail}"), format!("malformed JSON: {detail}")),
        c => (
            format!("JSON 格式错误（第 {c} 列）：{detail}"),
            format!("malformed JSON at column {c}: {detail}"),
        ),
    };
    let at = match line {
        Some(l) if e.line() > 0 => Some(l + e.line() - 1),
        other => other,
    };
    CaseError { case, path: String::new(), code: Code::E0301, message: msg(zh, en), line: at }
}

/// `serde_json` counts columns in bytes; editors count characters (a Chinese character
/// is three bytes of UTF-8).
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(l) = text.split('\n').nth(line.saturating_sub(1)) else { return byte_column };
    let mut end = byte_column.saturating_sub(1).min(l.len());
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    l[..end].chars().count() + usize::from(byte_column > 0)
}

fn too_long(case: usize, line: Option<usize>) -> CaseError {
    CaseError {
        case,
        path: String::new(),
        code: Code::E0307,
        message: msg(
            format!("这一行超过 {} MiB，已跳过未读", MAX_LINE_BYTES >> 20),
            format!("the line is longer than {} MiB and was skipped unread", MAX_LINE_BYTES >> 20),
        ),
        line,
    }
}

/// Line numbers of positions in a text, counted forwards once (the items of an array come
/// in order, so the whole count is linear).
struct LineCounter<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> LineCounter<'t> {
        LineCounter { text, offset: 0, line: 1 }
    }

    /// The line `part` (a slice of the text) starts on.
    fn line_of(&mut self, part: &str) -> usize {
        let at = (part.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        if at < self.offset || at > self.text.len() {
            return self.line;
        }
        self.line += memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.offset..at]).count();
        self.offset = at;
        self.line
    }
}

/// The cases of a JSON Lines stream, from [`CaseReader::lines`].
pub struct JsonLines<'r, 'p, R> {
    reader: &'r CaseReader<'p>,
    lines: Splitter<R>,
    buf: Vec<u8>,
}

impl<R: BufRead> Iterator for JsonLines<'_, '_, R> {
    type Item = CaseResult;

    fn next(&mut self) -> Option<CaseResult> {
        Some(match self.lines.next_into(&mut self.buf)? {
            Ok((case, line)) => self.reader.line_case(&self.buf, case, line),
            Err(e) => Err(e),
        })
    }
}

/// One line of a JSON Lines stream, not yet read as a case: from [`raw_lines`], for callers
/// that read lines on several threads ([`CaseReader::read_line`]).
#[derive(Clone, Debug)]
pub struct RawLine {
    pub case: usize,
    pub line: usize,
    pub bytes: Vec<u8>,
}

/// Splits a JSON Lines stream as [`CaseReader::lines`] does (capped lines, blank lines
/// skipped, case numbers counting the others) without reading the cases, so that reading
/// them can be spread over threads. An over-long line or a read error is an error item.
pub fn raw_lines<R: BufRead>(input: R) -> RawLines<R> {
    RawLines { lines: Splitter::new(input) }
}

/// The lines of a JSON Lines stream, from [`raw_lines`].
pub struct RawLines<R> {
    lines: Splitter<R>,
}

impl<R: BufRead> Iterator for RawLines<R> {
    type Item = Result<RawLine, CaseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut bytes = Vec::new();
        Some(self.lines.next_into(&mut bytes)?.map(|(case, line)| RawLine { case, line, bytes }))
    }
}

impl CaseReader<'_> {
    /// Reads a line from [`raw_lines`] as its case.
    pub fn read_line(&self, raw: &RawLine) -> CaseResult {
        self.line_case(&raw.bytes, raw.case, raw.line)
    }

    /// One JSON Lines line, as bytes: the scanner first, as it needs no UTF-8 check of the
    /// whole line (see fast.rs), then the full reader.
    fn line_case(&self, bytes: &[u8], case: usize, line: usize) -> CaseResult {
        if let Some(values) = super::fast::scan(self, bytes) {
            return Ok(values);
        }
        let result = match std::str::from_utf8(bytes) {
            Ok(text) => self.serde_case(text, case, None),
            Err(_) => Err(CaseError {
                case,
                path: String::new(),
                code: Code::E0301,
                message: msg("这一行不是 UTF-8 文本", "the line is not UTF-8 text"),
                line: None,
            }),
        };
        result.map_err(|mut e| {
            e.line = Some(line);
            e
        })
    }
}

/// Cuts a stream into the non-blank lines that hold cases, numbering lines and cases.
struct Splitter<R> {
    input: R,
    line: usize,
    case: usize,
    done: bool,
}

impl<R: BufRead> Splitter<R> {
    fn new(input: R) -> Splitter<R> {
        Splitter { input, line: 0, case: 0, done: false }
    }

    /// The next case's line into `buf` (without newline, `\r` or byte-order mark), with its
    /// case and line numbers; `None` at the end.
    fn next_into(&mut self, buf: &mut Vec<u8>) -> Option<Result<(usize, usize), CaseError>> {
        while !self.done {
            buf.clear();
            let (too_long_line, ended) = match read_capped_line(&mut self.input, buf, MAX_LINE_BYTES) {
                Ok(read) => read,
                Err(e) => {
                    self.done = true;
                    self.case += 1;
                    return Some(Err(CaseError {
                        case: self.case,
                        path: String::new(),
                        code: Code::E0009,
                        message: msg(format!("读取输入失败：{e}"), format!("cannot read the input: {e}")),
                        line: Some(self.line + 1),
                    }));
                }
            };
            if ended && buf.is_empty() && !too_long_line {
                self.done = true;
                return None;
            }
            self.line += 1;
            if too_long_line {
                self.case += 1;
                return Some(Err(too_long(self.case, Some(self.line))));
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if self.line == 1 && buf.starts_with("\u{feff}".as_bytes()) {
                buf.drain(..3);
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.case += 1;
            return Some(Ok((self.case, self.line)));
        }
        None
    }
}

/// Reads one line (without its `\n`) into `buf`, keeping at most
/// `cap` bytes: a longer line is consumed to its end but not kept. Returns (too long,
/// ended without a newline).
fn read_capped_line<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<(bool, bool)> {
    let mut too_long = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((too_long, true));
        }
        let (chunk, found) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        if !too_long {
            if buf.len() + chunk.len() > cap {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = chunk.len() + usize::from(found);
        input.consume(used);
        if found {
            return Ok((too_long, false));
        }
    }
}
