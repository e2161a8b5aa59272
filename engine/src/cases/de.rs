//! The typed deserializer shared by JSON and YAML: `serde` seeds that walk a case object
//! with the policy's lookup tables in hand and write each value straight into its slot.
//!
//! Problems are not `serde` errors: they are recorded in [`Ctx`] (the first one wins) and
//! the rest of the case is still consumed, so a document of many cases goes on with the
//! next one. The only deliberate `serde` error is the early stop of a single JSON line that
//! turned out too large.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::Code;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::MAX_FIELDS;
use super::{parse_date, parse_decimal, shorten, with_suggestion, CaseReader, DecimalError, Entry, RowIndex};
use crate::ir::{SlotId, Type};
use crate::value::Value;

/// What differs between the formats.
pub(crate) trait Format {
    /// YAML scalars are untyped text (`名称: 123` is a name, `金额: 12.50` keeps its two
    /// decimals), so text-like fields read any scalar's source text. JSON has types.
    const SCALAR_TEXT: bool;

    /// Reads a decimal from the number's (or string's) text, never through a float;
    /// `None` for `null`.
    fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Result<Option<i64>, Bad>, D::Error>;
}

/// A problem found while reading one value. Boxed: every value travels back through
/// several `Result`s, which stay small this way (problems are rare, values are not).
pub(crate) struct Bad(Box<BadValue>);

pub(crate) struct BadValue {
    pub code: Code,
    pub message: Msg,
    /// Continues the field's path: `[2]` for a set element.
    pub at: String,
}

impl std::ops::Deref for Bad {
    type Target = BadValue;

    fn deref(&self) -> &BadValue {
        &self.0
    }
}

impl std::ops::DerefMut for Bad {
    fn deref_mut(&mut self) -> &mut BadValue {
        &mut self.0
    }
}

impl Bad {
    fn new(code: Code, message: Msg) -> Bad {
        Bad(Box::new(BadValue { code, message, at: String::new() }))
    }

    fn wrong(r: &CaseReader<'_>, ty: &Type, found: Found<'_>) -> Bad {
        let (expected, found) = (r.describe(ty), found.describe());
        Bad::new(
            Code::E0302,
            msg(
                format!("应为{}，实际是{}", expected.zh, found.zh),
                format!("expected {}, found {}", expected.en, found.en),
            ),
        )
    }
}

/// A problem with its full path, as it goes into a [`super::CaseError`].
#[derive(Debug)]
pub(crate) struct Problem {
    pub code: Code,
    pub message: Msg,
    pub path: String,
}

/// What a value turned out to be, for "found …" in messages.
#[derive(Clone, Copy)]
pub(crate) enum Found<'a> {
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(&'a str),
    Null,
    List,
    Object,
}

impl Found<'_> {
    pub(crate) fn describe(self) -> Msg {
        match self {
            Found::Bool(b) => msg(format!("`{b}`"), format!("`{b}`")),
            Found::Int(i) => msg(format!("数 `{i}`"), format!("the number `{i}`")),
            Found::Float(f) => msg(format!("数 `{f}`"), format!("the number `{f}`")),
            Found::Text(t) => msg(format!("文本 `\"{}\"`", shorten(t)), format!("text `\"{}\"`", shorten(t))),
            Found::Null => msg("null", "null"),
            Found::List => msg("列表", "a list"),
            Found::Object => msg("对象", "an object"),
        }
    }
}

/// A set of bits, inline for the usual few hundred slots.
pub(crate) struct Bits {
    small: [u64; 4],
    large: Vec<u64>,
}

impl Bits {
    pub fn new(n: usize) -> Bits {
        let large = if n > 256 { vec![0; n.div_ceil(64)] } else { Vec::new() };
        Bits { small: [0; 4], large }
    }

    fn words(&mut self) -> &mut [u64] {
        if self.large.is_empty() {
            &mut self.small
        } else {
            &mut self.large
        }
    }

    pub fn get(&self, i: usize) -> bool {
        let words: &[u64] = if self.large.is_empty() { &self.small } else { &self.large };
        words.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    pub fn set(&mut self, i: usize) {
        if let Some(w) = self.words().get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    fn clear(&mut self) {
        self.words().fill(0);
    }
}

/// The state of reading one case (reused across the cases of a document).
pub(crate) struct Ctx<'a, 'p> {
    pub r: &'a CaseReader<'p>,
    values: Vec<Value>,
    seen: Bits,
    inputs: Bits,
    pub error: Option<Problem>,
    fields: usize,
    pub too_large: bool,
    /// A single JSON line stops at once when too large: nothing else is lost.
    abort_when_too_large: bool,
    /// The slot being read, so a YAML reader that had to give up knows where.
    pub current: Option<SlotId>,
    /// Inside a case (as opposed to between cases of a document).
    pub in_case: bool,
}

impl<'a, 'p> Ctx<'a, 'p> {
    pub fn new(r: &'a CaseReader<'p>, abort_when_too_large: bool) -> Ctx<'a, 'p> {
        let n = r.slot_count();
        Ctx {
            r,
            values: Vec::new(),
            seen: Bits::new(n),
            inputs: Bits::new(r.policy.inputs.len()),
            error: None,
            fields: 0,
            too_large: false,
            abort_when_too_large,
            current: None,
            in_case: false,
        }
    }

    /// Readies the state for the next case.
    pub fn begin(&mut self) {
        let n = self.r.slot_count();
        if self.values.len() == n {
            self.values.fill(Value::None);
        } else {
            self.values = vec![Value::None; n];
        }
        self.seen.clear();
        self.inputs.clear();
        self.error = None;
        self.fields = 0;
        self.too_large = false;
        self.current = None;
        self.in_case = true;
    }

    /// The case's values, or its first problem (a missing field is found only here).
    pub fn finish(&mut self) -> Result<Vec<Value>, Problem> {
        self.in_case = false;
        if let Some(p) = self.error.take() {
            return Err(p);
        }
        if let Some(p) = self.missing() {
            return Err(p);
        }
        Ok(std::mem::take(&mut self.values))
    }

    fn fail(&mut self, problem: Problem) {
        if self.error.is_none() {
            self.error = Some(problem);
        }
    }

    /// Counts one field; past the limit the case is too large, whatever else was wrong.
    fn count<E: serde::de::Error>(&mut self) -> Result<(), E> {
        self.fields += 1;
        if self.fields > MAX_FIELDS && !self.too_large {
            self.too_large = true;
            self.error = Some(Problem {
                code: Code::E0307,
                message: msg(
                    format!("案例的字段超过 {MAX_FIELDS} 个，其余部分未读"),
                    format!("the case has more than {MAX_FIELDS} fields; the rest was not read"),
                ),
                path: String::new(),
            });
            if self.abort_when_too_large {
                return Err(E::custom("case too large"));
            }
        }
        Ok(())
    }

    fn missing(&self) -> Option<Problem> {
        let policy = self.r.policy;
        for (i, input) in policy.inputs.iter().enumerate() {
            let required = input.fields.iter().any(|&s| !is_optional(&policy.slots[s as usize].ty));
            if required && !self.inputs.get(i) {
                return Some(Problem {
                    code: Code::E0303,
                    message: msg(
                        format!("缺少输入 `{}`", input.name),
                        format!("missing input `{}`", input.name),
                    ),
                    path: input.name.clone(),
                });
            }
        }
        let s = self.r.required.iter().map(|&s| s as usize).find(|&s| !self.seen.get(s))?;
        let slot = &policy.slots[s];
        let name = slot.path.last().map_or("", String::as_str);
        let ty = self.r.describe(&slot.ty);
        Some(Problem {
            code: Code::E0303,
            message: msg(
                format!("缺少字段 `{name}`（{}）", ty.zh),
                format!("missing field `{name}` ({})", ty.en),
            ),
            path: self.r.slot_paths[s].clone(),
        })
    }
}

fn is_optional(ty: &Type) -> bool {
    matches!(ty, Type::Opt(_))
}

/// A whole case: an object at the root level.
pub(crate) struct CaseSeed<'c, 'a, 'p, F> {
    pub ctx: &'c mut Ctx<'a, 'p>,
    pub _format: PhantomData<F>,
}

impl<'de, F: Format> DeserializeSeed<'de> for CaseSeed<'_, '_, '_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let root = self.ctx.r.root;
        d.deserialize_any(LevelSeed::<F> { ctx: self.ctx, level: root, root: true, _format: PhantomData })
    }
}

/// An object whose keys are the fields of one level (root, input or nested record).
pub(crate) struct LevelSeed<'c, 'a, 'p, F> {
    pub ctx: &'c mut Ctx<'a, 'p>,
    pub level: u32,
    pub root: bool,
    pub _format: PhantomData<F>,
}

impl<'de, F: Format> DeserializeSeed<'de> for LevelSeed<'_, '_, '_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<F> LevelSeed<'_, '_, '_, F> {
    fn not_an_object(self, found: Found<'_>) {
        let lv = &self.ctx.r.levels[self.level as usize];
        let fields: Vec<String> = lv.names.iter().take(8).map(|n| format!("`{n}`")).collect();
        let more = if lv.names.len() > 8 { "…" } else { "" };
        let found = found.describe();
        let message = msg(
            format!("应为对象（含字段 {}{more}），实际是{}", fields.join("、"), found.zh),
            format!("expected an object (with fields {}{more}), found {}", fields.join(", "), found.en),
        );
        let path = lv.path.clone();
        self.ctx.fail(Problem { code: Code::E0302, message, path });
    }
}

impl<'de, F: Format> Visitor<'de> for LevelSeed<'_, '_, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let LevelSeed { ctx, level, root, .. } = self;
        let r = ctx.r;
        let lv = &r.levels[level as usize];
        if let Some(i) = lv.input {
            ctx.inputs.set(i as usize);
        }
        let mut first = true;
        let mut wrapped = false;
        loop {
            if ctx.too_large {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(());
            }
            if ctx.error.is_some() {
                // The case is already wrong; skip the rest, but keep counting fields so a
                // huge case is still reported as such.
                if map.next_key::<IgnoredAny>()?.is_none() {
                    return Ok(());
                }
                ctx.count::<A::Error>()?;
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let wrapper = if root && first { r.wrapper } else { None };
            first = false;
            let Some(key) = map.next_key_seed(KeySeed { r, level, wrapper, wrapped })? else { return Ok(()) };
            ctx.count::<A::Error>()?;
            if ctx.too_large {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key {
                Key::Entry(Entry::Slot(s)) if ctx.seen.get(s as usize) => {
                    let path = r.slot_paths[s as usize].clone();
                    let name = lv
                        .names
                        .iter()
                        .find(|n| matches!(lv.entries.get(n.as_bytes()), Some(Entry::Slot(x)) if x == s));
                    let name = name.copied().unwrap_or_default();
                    let message =
                        msg(format!("字段 `{name}` 写了两次"), format!("field `{name}` is given twice"));
                    ctx.fail(Problem { code: Code::E0301, message, path });
                    map.next_value::<IgnoredAny>()?;
                }
                Key::Entry(Entry::Slot(s)) => {
                    ctx.seen.set(s as usize);
                    map.next_value_seed(SlotSeed::<F> { ctx: &mut *ctx, slot: s, _format: PhantomData })?;
                }
                Key::Entry(Entry::Level(l)) => {
                    map.next_value_seed(LevelSeed::<F> {
                        ctx: &mut *ctx,
                        level: l,
                        root: false,
                        _format: PhantomData,
                    })?;
                }
                Key::Wrapper => {
                    wrapped = true;
                    map.next_value_seed(LevelSeed::<F> {
                        ctx: &mut *ctx,
                        level,
                        root: false,
                        _format: PhantomData,
                    })?;
                }
                Key::Unknown(name) => {
                    ctx.fail(unknown_field(r, level, &name, wrapped));
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_an_object(Found::List);
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.not_an_object(Found::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.not_an_object(Found::Int(v.into()));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.not_an_object(Found::Int(v.into()));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.not_an_object(Found::Float(v));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.not_an_object(Found::Text(v));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_an_object(Found::Null);
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.not_an_object(Found::Null);
        Ok(())
    }
}

fn unknown_field(r: &CaseReader<'_>, level: u32, name: &str, wrapped: bool) -> Problem {
    let lv = &r.levels[level as usize];
    let path = lv.child_path(name);
    if wrapped {
        let input = r.wrapper.unwrap_or_default();
        let message = msg(
            format!("案例已写在 `{input}` 之下，顶层不能再有 `{}`", shorten(name)),
            format!("the case is nested under `{input}`, so `{}` cannot also be at the top", shorten(name)),
        );
        return Problem { code: Code::E0304, message, path };
    }
    let owner = if lv.path.is_empty() {
        msg("案例", "the case")
    } else {
        msg(format!("`{}`", lv.path), format!("`{}`", lv.path))
    };
    let head = if lv.path.is_empty() {
        msg(format!("没有名为 `{}` 的输入", shorten(name)), format!("there is no input `{}`", shorten(name)))
    } else {
        msg(
            format!("{} 没有字段 `{}`", owner.zh, shorten(name)),
            format!("{} has no field `{}`", owner.en, shorten(name)),
        )
    };
    let what = if lv.path.is_empty() { msg("输入", "inputs") } else { msg("字段", "fields") };
    Problem { code: Code::E0304, message: with_suggestion(head, name, &lv.names, &what), path }
}

enum Key {
    Entry(Entry),
    /// The single input's name, with the case nested under it.
    Wrapper,
    Unknown(String),
}

/// Resolves a key while it is still borrowed from the input: no allocation unless unknown.
struct KeySeed<'a, 'p> {
    r: &'a CaseReader<'p>,
    level: u32,
    wrapper: Option<&'p str>,
    wrapped: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        if self.wrapped {
            return Ok(Key::Unknown(v.to_string()));
        }
        if let Some(e) = self.r.levels[self.level as usize].entries.get(v.as_bytes()) {
            return Ok(Key::Entry(e));
        }
        Ok(if self.wrapper == Some(v) { Key::Wrapper } else { Key::Unknown(v.to_string()) })
    }
}

/// One field's value, stored into its slot.
struct SlotSeed<'c, 'a, 'p, F> {
    ctx: &'c mut Ctx<'a, 'p>,
    slot: SlotId,
    _format: PhantomData<F>,
}

impl<'de, F: Format> DeserializeSeed<'de> for SlotSeed<'_, '_, '_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let SlotSeed { ctx, slot, .. } = self;
        let r = ctx.r;
        let s = slot as usize;
        ctx.current = Some(slot);
        let result = read::<F, D>(r, d, &r.policy.slots[s].ty)?;
        ctx.current = None;
        match result {
            Ok(v) => ctx.values[s] = v,
            Err(bad) => {
                let BadValue { code, message, at } = *bad.0;
                ctx.fail(Problem { code, message, path: format!("{}{at}", r.slot_paths[s]) });
            }
        }
        Ok(())
    }
}

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
fn read<'de, F: Format, D: Deserializer<'de>>(r: &CaseReader<'_>, d: D, ty: &Type) -> Read<D::Error> {
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
