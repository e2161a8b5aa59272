//! Cases an embedder has already parsed: a `serde_json::Value` read as its JSON text would
//! be, without printing it back to text. A Rust service holds its request as a `Value`;
//! printing it to read it again cost more than the reading.
//!
//! The `serde` seed of `de.rs` walks the tree through `&Value`'s own `Deserializer`, so
//! every value, every error and every path is the text reader's. Two differences are the
//! tree's, not the reader's: a number is what `serde_json` kept of it (an integer, or an
//! `f64` whose shortest digits are read as the decimal: `12.50` arrives as `12.5`, the
//! same decimal; `1e2` arrives as `100`, which the text reader would refuse as spelled; an
//! integer beyond 64 bits arrives as the nearest `f64`, so a message about it quotes those
//! digits, `18446744073709552000` for `18446744073709551616`, with the same code and path),
//! and a key given twice in one object was already reduced to its last value by the parse.

use std::fmt;
use std::marker::PhantomData;

use qingdan_dsl::Code;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::de::{decimal_from_text, decimal_wrong, Bad, CaseSeed, Ctx, Format, Found, Problem};
use super::{CaseError, CaseReader, CaseResult};

/// JSON read from a parsed tree: typed like JSON text, decimals from the numbers kept.
pub(crate) struct JsonTree;

impl Format for JsonTree {
    const SCALAR_TEXT: bool = false;

    fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Result<Option<i64>, Bad>, D::Error> {
        d.deserialize_any(DecimalNumber)
    }
}

/// A decimal from a tree's number (its digits, never its float arithmetic) or string.
struct DecimalNumber;

impl<'de> Visitor<'de> for DecimalNumber {
    type Value = Result<Option<i64>, Bad>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(decimal_from_text(&v.to_string()).map(Some))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(decimal_from_text(&v.to_string()).map(Some))
    }

    /// Rust prints an `f64` with the fewest digits that read back to it, and never with an
    /// exponent: `12.5`, `0.0000001` (which is then too precise, as its text would be).
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(decimal_from_text(&v.to_string()).map(Some))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(decimal_from_text(v).map(Some))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Err(decimal_wrong(Found::Bool(v))))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    /// A tree's array must be walked to its end (its `Deserializer` checks).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err(decimal_wrong(Found::List)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Err(decimal_wrong(Found::Object)))
    }
}

impl CaseReader<'_> {
    /// One case, number `case` (1-based), from a parsed JSON value: what
    /// [`CaseReader::json_line`] reads from the value's text, without the text.
    pub fn json_value(&self, value: &serde_json::Value, case: usize) -> CaseResult {
        let mut ctx = Ctx::new(self, true);
        ctx.begin();
        let parsed = CaseSeed::<JsonTree> { ctx: &mut ctx, _format: PhantomData }.deserialize(value);
        let error =
            |p: Problem| CaseError { case, path: p.path, code: p.code, message: p.message, line: None };
        match parsed {
            Ok(()) => ctx.finish().map_err(error),
            // Stopped on purpose when too large; nothing else in a tree can fail to read.
            Err(e) => Err(error(ctx.finish().err().unwrap_or_else(|| Problem {
                code: Code::E0302,
                message: qingdan_dsl::diag::msg(format!("无法读取：{e}"), format!("cannot be read: {e}")),
                path: String::new(),
            }))),
        }
    }

    /// Cases from a parsed JSON document, as [`CaseReader::read_json`] reads its text: an
    /// array holds one case per element, anything else is one case.
    pub fn read_json_value(&self, value: &serde_json::Value) -> Vec<CaseResult> {
        match value {
            serde_json::Value::Array(items) => {
                items.iter().enumerate().map(|(i, item)| self.json_value(item, i + 1)).collect()
            }
            one => vec![self.json_value(one, 1)],
        }
    }
}
