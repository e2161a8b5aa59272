//! Run-time values and their types. Types are known from the checker, so a value carries no
//! more than it needs: an enum value is its variant index, a row reference its row index.

use std::fmt;
use std::sync::Arc;

/// A run-time type; enums and lists by their index in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Type {
    Bool,
    Int,
    Decimal,
    Text,
    Date,
    Enum(u32),
    Row(u32),
    Set(Box<Type>),
    Opt(Box<Type>),
}

impl Type {
    /// The type without its `?`. Optional types never nest (the checker's `opt` does not
    /// wrap an optional again), so one level is all there is.
    pub fn required(&self) -> &Type {
        match self {
            Type::Opt(inner) => inner,
            other => other,
        }
    }
}

/// Decimals are evaluated as integers scaled by 10^6: exact for money and rates, and as
/// fast as integers. Literals with more digits after the point are rounded by the checker.
pub const DECIMAL_SCALE: i64 = 1_000_000;

/// Integers and scaled decimals range over ±(2^63 − 1): `i64::MIN` is never a number, so
/// that compiled WASM modules can use it to mean "absent" in a single 64-bit word. Input
/// outside the range is refused and results outside it are an overflow, in the
/// interpreter and in the module alike.
pub const ABSENT_BITS: i64 = i64::MIN;

/// `n` if it is in the number range.
#[inline]
pub fn in_range(n: i64) -> Option<i64> {
    (n != ABSENT_BITS).then_some(n)
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Value {
    /// An optional value that is absent.
    #[default]
    None,
    Bool(bool),
    Int(i64),
    /// Scaled by [`DECIMAL_SCALE`].
    Dec(i64),
    Text(Arc<str>),
    /// Days since 1970-01-01.
    Date(i32),
    /// The index of a variant in its enum.
    Enum(u32),
    /// The index of a row in its list.
    Row(u32),
    /// Elements sorted and without repeats, so equal sets are equal values.
    Set(Arc<[Value]>),
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort();
        items.dedup();
        Value::Set(items.into())
    }

    pub fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// An integer or decimal as a scaled decimal, for mixed arithmetic.
    pub fn as_scaled(&self) -> Option<i64> {
        match self {
            Value::Int(i) => i.checked_mul(DECIMAL_SCALE),
            Value::Dec(d) => Some(*d),
            _ => None,
        }
    }
}

/// Formats a scaled decimal without trailing zeros: 12.5, 0.05, 3.
pub fn format_decimal(scaled: i64) -> String {
    let sign = if scaled < 0 { "-" } else { "" };
    let abs = scaled.unsigned_abs();
    let (whole, frac) = (abs / DECIMAL_SCALE as u64, abs % DECIMAL_SCALE as u64);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian; Howard Hinnant's
/// `civil_from_days`, the inverse of the front end's `Date::days_since_epoch`).
pub fn format_date(days: i32) -> String {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

impl fmt::Display for Value {
    /// A plain rendering without type context (enum and row values print as indices);
    /// the engine's `Policy::show` renders with names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Dec(d) => f.write_str(&format_decimal(*d)),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Date(d) => f.write_str(&format_date(*d)),
            Value::Enum(v) => write!(f, "#{v}"),
            Value::Row(r) => write!(f, "row#{r}"),
            Value::Set(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_scaled_exactly() {
        assert_eq!(format_decimal(12_500_000), "12.5");
        assert_eq!(format_decimal(-50_000), "-0.05");
        assert_eq!(format_decimal(3_000_000), "3");
    }

    #[test]
    fn dates_are_written_as_iso_days() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(19_782), "2024-02-29");
        assert_eq!(format_date(-1), "1969-12-31");
    }

    #[test]
    fn sets_are_canonical() {
        assert_eq!(
            Value::set(vec![Value::Int(2), Value::Int(1), Value::Int(2)]),
            Value::set(vec![Value::Int(1), Value::Int(2)])
        );
    }
}
