//! The fast path for a JSON case: a byte scanner that reads a plain, valid case straight
//! into its slots, and declines (returns `None`) at the first thing it does not handle —
//! an escape in a string, an error of any kind, a number it would need to think about.
//! A declined line goes to the `serde` reader ([`super::de`]), which reads everything and
//! words every error, so errors have one source and the scanner needs no messages.
//!
//! Why a second reader: the `serde` seed costs about 1.2 µs for a 10-field case (the
//! layers of `serde_json` visitors), the scanner about 0.5 µs (benches/cases.rs), and batch
//! runs read a million lines a second. A property test in
//! `tests.rs` holds the two to the same answer whenever the scanner gives one.

use std::sync::Arc;

use super::de::Bits;
use super::{parse_date, parse_decimal, CaseReader, Entry, RowIndex, MAX_FIELDS};
use crate::ir::Type;
use crate::value::Value;

/// The case's values, or `None` if the full reader must look at it.
///
/// Bytes, not text: checking a whole line for UTF-8 cost more than reading it (Chinese text
/// takes the slow path of `from_utf8`). A line the scanner takes is valid UTF-8 anyway:
/// outside strings it allows only ASCII, and a string is a name it matched against the
/// policy's own, or a text value it checks on its own.
pub(super) fn scan(r: &CaseReader<'_>, b: &[u8]) -> Option<Vec<Value>> {
    let mut s = Scanner { b, i: 0 };
    let mut case =
        Case { values: vec![Value::None; r.slot_count()], seen: Bits::new(r.slot_count()), fields: 0 };
    s.level(r, r.root, true, &mut case)?;
    s.ws();
    if s.i != s.b.len() {
        return None;
    }
    if !r.required.iter().all(|&slot| case.seen.get(slot as usize)) {
        return None;
    }
    Some(case.values)
}

/// The bytes of `word` that are `"`, `\\` or below 0x20, as their high bits (the classic
/// SWAR tests: a byte is zero after xor-ing the one sought; a byte is below n when
/// subtracting n borrows). A borrow can flag bytes above a true one, never below: the
/// lowest flag is exact.
fn special(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    quote | backslash | control
}

struct Case {
    values: Vec<Value>,
    seen: Bits,
    fields: usize,
}

struct Scanner<'s> {
    b: &'s [u8],
    i: usize,
}

impl<'s> Scanner<'s> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.ws();
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// A string without escapes or control characters (JSON forbids raw ones).
    fn string(&mut self) -> Option<&'s [u8]> {
        self.eat(b'"')?;
        let b = self.b;
        let start = self.i;
        let mut i = start;
        // Eight bytes at a time; the lowest flagged byte is the first quote, backslash or
        // control byte, so no byte is looked at twice.
        let end = loop {
            match b.get(i..i + 8) {
                Some(chunk) => {
                    let mask = special(u64::from_le_bytes(chunk.try_into().ok()?));
                    if mask != 0 {
                        break i + (mask.trailing_zeros() / 8) as usize;
                    }
                    i += 8;
                }
                None => break i + b.get(i..)?.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)?,
            }
        };
        if b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        Some(&b[start..end])
    }

    /// A number token in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    /// Returns it and whether it is a plain integer.
    fn number(&mut self) -> Option<(&'s str, bool)> {
        self.ws();
        let start = self.i;
        let digits = |s: &mut Self| {
            let from = s.i;
            while s.b.get(s.i).is_some_and(u8::is_ascii_digit) {
                s.i += 1;
            }
            s.i > from
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return None,
        }
        let mut integer = true;
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            integer = false;
            digits(self).then_some(())?;
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            digits(self).then_some(())?;
        }
        // ASCII by construction.
        Some((std::str::from_utf8(&self.b[start..self.i]).ok()?, integer))
    }

    /// An integer that fits, read digit by digit (no text round trip). `-0`, leading zeros,
    /// a fraction or exponent, and anything beyond 64 bits go to the full reader, whose
    /// `serde_json` has its own view of them.
    fn int(&mut self) -> Option<i64> {
        self.ws();
        let b = self.b;
        let negative = b.get(self.i) == Some(&b'-');
        let mut i = self.i + usize::from(negative);
        let first = i;
        let mut n: i64 = 0;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            let digit = i64::from(c - b'0');
            n = n.checked_mul(10)?;
            n = if negative { n.checked_sub(digit)? } else { n.checked_add(digit)? };
            i += 1;
        }
        let digits = i - first;
        let leading_zero = b.get(first) == Some(&b'0') && digits > 1;
        let fraction = matches!(b.get(i), Some(b'.' | b'e' | b'E'));
        if digits == 0 || leading_zero || fraction || (negative && n == 0) {
            return None;
        }
        self.i = i;
        crate::value::in_range(n)
    }

    fn level(&mut self, r: &CaseReader<'_>, level: u32, root: bool, case: &mut Case) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        let lv = &r.levels[level as usize];
        let mut first = true;
        // Where the next key is expected: after the last one, in declaration order.
        let mut expect = 0;
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            case.fields += 1;
            if case.fields > MAX_FIELDS {
                return None;
            }
            let found = lv.entries.find(key, expect).map(|(at, entry)| {
                expect = at + 1;
                entry
            });
            match found {
                Some(Entry::Slot(slot)) => {
                    let s = slot as usize;
                    if case.seen.get(s) {
                        return None;
                    }
                    case.seen.set(s);
                    // Written in place: returning an `Option<Value>` through the stack cost
                    // a store-forwarding stall per field (seen in a profile).
                    self.value(r, &r.policy.slots[s].ty, &mut case.values[s])?;
                }
                Some(Entry::Level(l)) => self.level(r, l, false, case)?,
                // The case nested under the single input's name: nothing may follow it.
                None if root && first && r.wrapper.map(str::as_bytes) == Some(key) => {
                    self.level(r, level, false, case)?;
                    return self.eat(b'}');
                }
                None => return None,
            }
            first = false;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Writes the value into `out` (a `Value::None` so far) arm by arm: building it first
    /// and then moving it cost a store-forwarding stall per field (seen in a profile).
    fn value(&mut self, r: &CaseReader<'_>, ty: &Type, out: &mut Value) -> Option<()> {
        match ty {
            Type::Opt(inner) => {
                if self.peek()? != b'n' {
                    return self.value(r, inner, out);
                }
                self.literal(b"null")?;
            }
            Type::Bool => match self.peek()? {
                b't' => {
                    self.literal(b"true")?;
                    *out = Value::Bool(true);
                }
                b'f' => {
                    self.literal(b"false")?;
                    *out = Value::Bool(false);
                }
                _ => return None,
            },
            Type::Int => *out = Value::Int(self.int()?),
            Type::Decimal => {
                let text = if self.peek()? == b'"' {
                    std::str::from_utf8(self.string()?).ok()?
                } else {
                    self.number()?.0
                };
                *out = Value::Dec(parse_decimal(text).ok()?);
            }
            Type::Text => *out = Value::Text(Arc::from(std::str::from_utf8(self.string()?).ok()?)),
            Type::Date => *out = Value::Date(parse_date(self.string()?)?),
            Type::Enum(e) => *out = Value::Enum(r.variants.get(*e as usize)?.get(self.string()?)?),
            Type::Row(l) => match r.rows.get(*l as usize)? {
                RowIndex::Text(m) => *out = Value::Row(m.get(self.string()?)?),
                RowIndex::Int(m) => *out = Value::Row(*m.get(&self.int()?)?),
            },
            Type::Set(inner) => {
                self.eat(b'[')?;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.i += 1;
                } else {
                    loop {
                        let mut item = Value::None;
                        self.value(r, inner, &mut item)?;
                        items.push(item);
                        if items.len() > MAX_FIELDS {
                            return None;
                        }
                        match self.peek()? {
                            b',' => self.i += 1,
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                *out = Value::set(items);
            }
        }
        Some(())
    }
}
