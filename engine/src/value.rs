//! Run-time values: the representation lives in `qingdan-runtime` (a module's host and the
//! interpreter share it); what turns the front end's literals into values is here.

use qingdan_dsl::value::{Date, Decimal};
pub use qingdan_runtime::value::{format_date, format_decimal, in_range, Value, ABSENT_BITS, DECIMAL_SCALE};

/// Values from the front end's literals (the runtime knows nothing of the front end).
pub trait FromLiteral: Sized {
    /// A decimal scaled by [`DECIMAL_SCALE`]; `None` when it has more than six places or
    /// does not fit.
    fn from_decimal(d: Decimal) -> Option<Self>;
    fn from_date(d: Date) -> Self;
}

impl FromLiteral for Value {
    fn from_decimal(d: Decimal) -> Option<Value> {
        let shift = 6i64.checked_sub(i64::from(d.scale))?;
        let factor = 10i64.checked_pow(u32::try_from(shift).ok()?)?;
        d.mantissa.checked_mul(factor).map(Value::Dec)
    }

    fn from_date(d: Date) -> Value {
        Value::Date(d.days_since_epoch() as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_scaled_exactly() {
        let d = Decimal::parse("12.50").expect("decimal");
        assert_eq!(Value::from_decimal(d), Some(Value::Dec(12_500_000)));
        assert_eq!(Value::from_decimal(Decimal { mantissa: 1, scale: 7 }), None);
    }

    #[test]
    fn the_runtime_writes_dates_as_the_front_end_reads_them() {
        for text in ["1970-01-01", "2024-02-29", "1969-12-31", "2100-03-01", "0001-01-01"] {
            let d = Date::parse(text).expect("date");
            assert_eq!(Value::from_date(d), Value::Date(d.days_since_epoch() as i32));
            assert_eq!(format_date(d.days_since_epoch() as i32), text);
        }
    }
}
