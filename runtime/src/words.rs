//! Values as 64-bit words, the one representation inside a module: packing texts and
//! sets, and decoding words read back from its memory.
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

use std::sync::Arc;

use crate::value::{Type, Value, ABSENT_BITS};

/// A text's or set's word: its address and length (bytes, or elements).
pub fn pack(ptr: u32, len: u32) -> i64 {
    ((u64::from(ptr) << 32) | u64::from(len)) as i64
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
