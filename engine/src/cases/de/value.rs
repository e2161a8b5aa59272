//! One value of a declared type: what `null` means where it is found, optional values,
//! the typed visitor for every scalar type, set elements, and decimals written as text.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use qingdan_dsl::diag::msg;
use qingdan_dsl::Code;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::super::MAX_FIELDS;
use super::super::{parse_date, parse_decimal, shorten, CaseReader, DecimalError, RowIndex};
use super::{Bad, Format, Found};
use crate::ir::Type;
use crate::value::Value;

type Read<E> = Result<Result<Value, Bad>, E>;

/// What a `null` means where it is found.
#[derive(Clone, Copy)]
enum Null {
    /// An optional field: absent.
    Absent,
    /// A required field: missing (E0303).
    Missing,
    /// A set element: a wrong type (E0302).
    Wrong,
}

impl Null {
    fn read(self, r: &CaseReader<'_>, ty: &Type) -> Result<Value, Bad> {
        match self {
            Null::Absent => Ok(Value::None),
            Null::Missing => {
                let ty = r.describe(ty);
                Err(Bad::new(
                    Code::E0303,
                    msg(
                        format!("必填字段（{}）的值是 null", ty.zh),
                        format!("the field is required ({}) but is null", ty.en),
                    ),
                ))
            }
            Null::Wrong => Err(Bad::wrong(r, ty, Found::Null)),
        }
    }
}

/// A field's value of `ty`, where `null` means absent.
pub(super) fn read<'de, F: Format, D: Deserializer<'de>>(
    r: &CaseReader<'_>,
    d: D,
    ty: &Type,
) -> Read<D::Error> {
    let (ty, null) = match ty {
        Type::Opt(inner) => (&**inner, Null::Absent),
        other => (other, Null::Missing),
    };
    if F::SCALAR_TEXT {
        // Text-like YAML fields are read as the scalar's text, where `~` would be text.
        d.deserialize_option(OptVisitor::<F> { r, ty, null, _format: PhantomData })
    } else {
        // JSON's `null` comes to the typed visitor itself: no extra look-ahead per field.
        value::<F, D>(r, d, ty, null)
    }
}

struct OptVisitor<'a, 'p, 't, F> {
    r: &'a CaseReader<'p>,
    ty: &'t Type,
    null: Null,
    _format: PhantomData<F>,
}

impl<'de, F: Format> Visitor<'de> for OptVisitor<'_, '_, '_, F> {
    type Value = Result<Value, Bad>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(self.null.read(self.r, self.ty))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.null.read(self.r, self.ty))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        value::<F, D>(self.r, d, self.ty, self.null)
    }
}

/// A value of `ty` (not optional itself); `null` as `null` says.
fn value<'de, F: Format, D: Deserializer<'de>>(
    r: &CaseReader<'_>,
    d: D,
    ty: &Type,
    null: Null,
) -> Read<D::Error> {
    let typed = Typed::<F> { r, ty, null, _format: PhantomData };
    match ty {
        Type::Decimal => Ok(match F::decimal(d)? {
            Ok(Some(v)) => Ok(Value::Dec(v)),
            Ok(None) => null.read(r, ty),
            Err(bad) => Err(bad),
        }),
        Type::Opt(_) => read::<F, D>(r, d, ty),
        Type::Text | Type::Date | Type::Enum(_) if F::SCALAR_TEXT => d.deserialize_str(typed),
        Type::Row(l) if F::SCALAR_TEXT && r.text_keyed(*l) => d.deserialize_str(typed),
        _ => d.deserialize_any(typed),
    }
}

/// Reads a decimal from its text: shared by both formats.
pub(crate) fn decimal_from_text(text: &str) -> Result<i64, Bad> {
    parse_decimal(text).map_err(|e| match e {
        DecimalError::NotANumber => decimal_wrong(Found::Text(text)),
        DecimalError::TooPrecise => Bad::new(
            Code::E0302,
            msg(
                format!("`{}` 的小数点后超过 6 位：金额按原值精确计算，不会四舍五入", shorten(text)),
                format!(
                    "`{}` has more than 6 digits after the point; amounts are exact and never rounded",
                    shorten(text)
                ),
            ),
        ),
        DecimalError::OutOfRange => Bad::new(
            Code::E0302,
            msg(
                format!("`{}` 超出小数的范围", shorten(text)),
                format!("`{}` is out of range for a decimal", shorten(text)),
            ),
        ),
    })
}

/// A decimal's JSON or YAML value was not a number or text.
pub(crate) fn decimal_wrong(found: Found<'_>) -> Bad {
    let found = found.describe();
    Bad::new(
        Code::E0302,
        msg(
            format!("应为小数，实际是{}", found.zh),
            format!("expected a decimal number, found {}", found.en),
        ),
    )
}

/// Reads any value but a decimal, by its slot type.
struct Typed<'a, 'p, 't, F> {
    r: &'a CaseReader<'p>,
    ty: &'t Type,
    null: Null,
    _format: PhantomData<F>,
}

impl<F> Typed<'_, '_, '_, F> {
    fn wrong(&self, found: Found<'_>) -> Result<Value, Bad> {
        Err(Bad::wrong(self.r, self.ty, found))
    }

    fn int(&self, v: i128) -> Result<Value, Bad> {
        match self.ty {
            Type::Int => {
                i64::try_from(v).ok().and_then(crate::value::in_range).map(Value::Int).ok_or_else(|| {
                    Bad::new(
                        Code::E0302,
                        msg(format!("整数 `{v}` 超出范围"), format!("the integer `{v}` is out of range")),
                    )
                })
            }
            Type::Row(l) if !self.r.text_keyed(*l) => {
                match i64::try_from(v).ok().and_then(|k| self.row_int(*l, k)) {
                    Some(row) => Ok(row),
                    None => Err(Bad::new(Code::E0306, self.r.unknown_key(*l, &v.to_string()))),
                }
            }
            _ => self.wrong(Found::Int(v)),
        }
    }

    fn row_int(&self, l: u32, k: i64) -> Option<Value> {
        match self.r.rows.get(l as usize) {
            Some(RowIndex::Int(m)) => m.get(&k).map(|&i| Value::Row(i)),
            _ => None,
        }
    }

    fn text(&self, v: &str) -> Result<Value, Bad> {
        match self.ty {
            Type::Text => Ok(Value::Text(Arc::from(v))),
            Type::Date => parse_date(v.as_bytes()).map(Value::Date).ok_or_else(|| {
                Bad::new(
                    Code::E0302,
                    msg(
                        format!("`{}` 不是有效的日期（应写作 YYYY-MM-DD，如 2024-07-01）", shorten(v)),
                        format!("`{}` is not a valid date (write YYYY-MM-DD, e.g. 2024-07-01)", shorten(v)),
                    ),
                )
            }),
            Type::Enum(e) => match self.r.variants.get(*e as usize).and_then(|m| m.get(v.as_bytes())) {
                Some(i) => Ok(Value::Enum(i)),
                None => Err(Bad::new(Code::E0305, self.r.unknown_variant(*e, v))),
            },
            Type::Row(l) => match self.r.rows.get(*l as usize) {
                Some(RowIndex::Text(m)) => match m.get(v.as_bytes()) {
                    Some(i) => Ok(Value::Row(i)),
                    None => Err(Bad::new(Code::E0306, self.r.unknown_key(*l, v))),
                },
                _ => self.wrong(Found::Text(v)),
            },
            Type::Decimal => decimal_from_text(v).map(Value::Dec),
            _ => self.wrong(Found::Text(v)),
        }
    }
}

impl<'de, F: Format> Visitor<'de> for Typed<'_, '_, '_, F> {
    type Value = Result<Value, Bad>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.r.describe(self.ty).en)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(match self.ty {
            Type::Bool => Ok(Value::Bool(v)),
            _ => self.wrong(Found::Bool(v)),
        })
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.int(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.int(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(self.int(v))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(self.int(i128::try_from(v).unwrap_or(i128::MAX)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(match self.ty {
            // A JSON number with a point or an exponent, or one too big for 64 bits.
            Type::Int if v.fract() == 0.0 && v.abs() >= 9.2e18 => Err(Bad::new(
                Code::E0302,
                msg(format!("整数 `{v}` 超出范围"), format!("the integer `{v}` is out of range")),
            )),
            Type::Int => Err(Bad::new(
                Code::E0302,
                msg(format!("应为整数，实际是 `{v}`"), format!("expected an integer, found `{v}`")),
            )),
            _ => self.wrong(Found::Float(v)),
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.text(v))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.null.read(self.r, self.ty))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(self.null.read(self.r, self.ty))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Type::Set(inner) = self.ty else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(self.wrong(Found::List));
        };
        let mut items = Vec::new();
        let mut bad: Option<Bad> = None;
        let mut n = 0usize;
        // Elements after a problem are skipped unread: nothing is kept of them.
        while let Some(item) = seq.next_element_seed(Element::<F> {
            r: self.r,
            ty: inner,
            skip: bad.is_some(),
            _format: PhantomData,
        })? {
            match item {
                Some(Ok(v)) => items.push(v),
                Some(Err(mut b)) => {
                    b.at = format!("[{n}]{}", b.at);
                    bad = Some(b);
                }
                None => {}
            }
            n += 1;
            if n > MAX_FIELDS && bad.is_none() {
                bad = Some(Bad::new(
                    Code::E0307,
                    msg(
                        format!("集合的元素超过 {MAX_FIELDS} 个"),
                        format!("the set has more than {MAX_FIELDS} elements"),
                    ),
                ));
            }
        }
        Ok(match bad {
            Some(b) => Err(b),
            None => Ok(Value::set(items)),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(self.wrong(Found::Object))
    }
}

/// One element of a set; `None` when skipped after an earlier bad element.
struct Element<'a, 'p, 't, F> {
    r: &'a CaseReader<'p>,
    ty: &'t Type,
    skip: bool,
    _format: PhantomData<F>,
}

impl<'de, F: Format> DeserializeSeed<'de> for Element<'_, '_, '_, F> {
    type Value = Option<Result<Value, Bad>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if self.skip {
            d.deserialize_ignored_any(IgnoredAny)?;
            return Ok(None);
        }
        value::<F, D>(self.r, d, self.ty, Null::Wrong).map(Some)
    }
}
