//! Values as 64-bit words, the one representation inside a module: encoding constants
//! into the module's static data, and decoding words read back from its memory.
//!
//! | type            | word                                                    |
//! |-----------------|---------------------------------------------------------|
//! | absent (any)    | `i64::MIN`                                              |
//! | bool            | 0 or 1                                                  |
//! | int, date       | the number; a date in days since 1970-01-01            |
//! | decimal         | the value × 10^6                                        |
//! | enum, row       | variant index, row index                                |
//! | text            | UTF-8 address << 32 \| byte length                      |
//! | set             | address of its sorted words << 32 \| element count      |

use std::collections::HashMap;
use std::sync::Arc;

use crate::ir::Type;
use crate::value::{Value, ABSENT_BITS};

/// Constant data laid out from a base address: texts (each once) and sets.
pub(super) struct Statics {
    base: u32,
    pub(super) bytes: Vec<u8>,
    texts: HashMap<String, i64>,
}

fn pack(ptr: u32, len: u32) -> i64 {
    ((u64::from(ptr) << 32) | u64::from(len)) as i64
}

impl Statics {
    pub(super) fn new(base: u32) -> Statics {
        Statics { base, bytes: Vec::new(), texts: HashMap::new() }
    }

    fn here(&self) -> u32 {
        self.base + self.bytes.len() as u32
    }

    fn align(&mut self) {
        while !self.bytes.len().is_multiple_of(8) {
            self.bytes.push(0);
        }
    }

    pub(super) fn text(&mut self, s: &str) -> i64 {
        if let Some(w) = self.texts.get(s) {
            return *w;
        }
        let w = pack(self.here(), s.len() as u32);
        self.bytes.extend_from_slice(s.as_bytes());
        self.texts.insert(s.to_string(), w);
        w
    }

    /// A table of words, 8-aligned; returns its address.
    pub(super) fn words(&mut self, words: &[i64]) -> u32 {
        self.align();
        let at = self.here();
        for w in words {
            self.bytes.extend_from_slice(&w.to_le_bytes());
        }
        at
    }

    /// A list column: each row's word stored in `width` bytes (little-endian, two's
    /// complement), absent as the narrowest value of that width. Returns its address.
    pub(super) fn column(&mut self, words: &[i64], width: u32) -> u32 {
        self.align();
        let at = self.here();
        for &w in words {
            let narrow = if w == ABSENT_BITS { narrow_absent(width) } else { w };
            self.bytes.extend_from_slice(&narrow.to_le_bytes()[..width as usize]);
        }
        at
    }

    /// The word of a constant value.
    pub(super) fn word(&mut self, v: &Value) -> i64 {
        match v {
            Value::None => ABSENT_BITS,
            Value::Bool(b) => i64::from(*b),
            Value::Int(i) | Value::Dec(i) => *i,
            Value::Date(d) => i64::from(*d),
            Value::Enum(e) | Value::Row(e) => i64::from(*e),
            Value::Text(t) => self.text(t),
            Value::Set(items) => {
                // Sets are sorted as values sort, which is how the module sorts them too.
                let words: Vec<i64> = items.iter().map(|v| self.word(v)).collect();
                pack(self.words(&words), words.len() as u32)
            }
        }
    }

    pub(super) fn len(&self) -> u32 {
        self.bytes.len() as u32
    }
}

/// Why a word could not be read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadWord {
    pub word: i64,
    pub ty: Type,
}

/// Reads a word of type `ty` back into a value; texts and sets are read from `memory`.
/// A word pointing outside memory, or text that is not UTF-8, is an error, not a panic.
pub fn decode(word: i64, ty: &Type, memory: &[u8]) -> Result<Value, BadWord> {
    let bad = || BadWord { word, ty: ty.clone() };
    if word == ABSENT_BITS {
        return Ok(Value::None);
    }
    let span = |unit: usize| {
        let (ptr, len) = ((word as u64 >> 32) as usize, (word as u64 & 0xFFFF_FFFF) as usize);
        memory.get(ptr..ptr.checked_add(len.checked_mul(unit)?)?)
    };
    Ok(match ty {
        Type::Opt(inner) => decode(word, inner, memory)?,
        Type::Bool => Value::Bool(word == 1),
        Type::Int => Value::Int(word),
        Type::Decimal => Value::Dec(word),
        Type::Date => Value::Date(i32::try_from(word).map_err(|_| bad())?),
        Type::Enum(_) => Value::Enum(u32::try_from(word).map_err(|_| bad())?),
        Type::Row(_) => Value::Row(u32::try_from(word).map_err(|_| bad())?),
        Type::Text => {
            let bytes = span(1).ok_or_else(bad)?;
            Value::Text(Arc::from(std::str::from_utf8(bytes).map_err(|_| bad())?))
        }
        Type::Set(inner) => {
            let bytes = span(8).ok_or_else(bad)?;
            let items = bytes
                .chunks_exact(8)
                .map(|c| decode(i64::from_le_bytes(c.try_into().unwrap_or_default()), inner, memory))
                .collect::<Result<Vec<_>, _>>()?;
            Value::Set(items.into())
        }
    })
}

/// The value a `width`-byte column uses for absent: the smallest of that width.
pub fn narrow_absent(width: u32) -> i64 {
    match width {
        1 => i64::from(i8::MIN),
        2 => i64::from(i16::MIN),
        4 => i64::from(i32::MIN),
        _ => ABSENT_BITS,
    }
}

/// The fewest bytes (1, 2, 4 or 8) that hold every word of a column, keeping the
/// smallest value of the width free to mean absent. Texts and sets need all 8.
pub fn column_width(words: &[i64], ty: &Type) -> u32 {
    if matches!(ty.required(), Type::Text | Type::Set(_)) {
        return 8;
    }
    let present = words.iter().filter(|&&w| w != ABSENT_BITS);
    let (lo, hi) = present.fold((0i64, 0i64), |(lo, hi), &w| (lo.min(w), hi.max(w)));
    [1, 2, 4].into_iter().find(|&w| lo > narrow_absent(w) && hi <= -(narrow_absent(w) + 1)).unwrap_or(8)
}

/// Widens a column entry read as `width` little-endian bytes back into a word.
pub fn widen(bytes: &[u8]) -> i64 {
    let width = bytes.len() as u32;
    let mut buf = [0u8; 8];
    buf[..bytes.len()].copy_from_slice(bytes);
    let shift = 64 - 8 * width.clamp(1, 8);
    let v = (i64::from_le_bytes(buf) << shift) >> shift;
    if width < 8 && v == narrow_absent(width) {
        ABSENT_BITS
    } else {
        v
    }
}
