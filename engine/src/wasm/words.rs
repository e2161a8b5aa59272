//! Values as 64-bit words, the one representation inside a module: encoding constants
//! into the module's static data (decoding is the runtime's, re-exported here).
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

pub use qingdan_runtime::words::{decode, narrow_absent, pack, widen, BadWord};

use crate::ir::Type;
use crate::value::{Value, ABSENT_BITS};

/// Constant data laid out from a base address: texts (each once) and sets.
pub(super) struct Statics {
    base: u32,
    pub(super) bytes: Vec<u8>,
    texts: HashMap<String, i64>,
    /// Where the texts laid out first, with their `similarity` units before their bytes,
    /// end (`runtime::units` reads the units of a text below it).
    units_end: u32,
}

impl Statics {
    /// Statics from `base`, starting with `compared`, the texts `similarity` may compare,
    /// each with its units.
    pub(super) fn new(base: u32, compared: &[&str]) -> Statics {
        let mut statics = Statics { base, bytes: Vec::new(), texts: HashMap::new(), units_end: base };
        for text in compared {
            // The units, sorted as the module sorts words (signed), then their count:
            // the text's bytes start right after, 8-aligned.
            let mut units: Vec<i64> =
                crate::eval::similarity::units(text).iter().map(|&u| u as i64).collect();
            units.sort_unstable();
            statics.words(&units);
            statics.bytes.extend_from_slice(&(units.len() as u64).to_le_bytes());
            statics.text(text);
        }
        statics.units_end = statics.here();
        statics
    }

    /// The end of the texts with units: every text below it has them.
    pub(super) fn units_end(&self) -> u32 {
        self.units_end
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
