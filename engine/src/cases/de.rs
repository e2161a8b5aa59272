//! The typed deserializer shared by JSON and YAML: `serde` seeds that walk a case object
//! with the policy's lookup tables in hand and write each value straight into its slot.
//!
//! Problems are not `serde` errors: they are recorded in [`Ctx`] (the first one wins) and
//! the rest of the case is still consumed, so a document of many cases goes on with the
//! next one. The only deliberate `serde` error is the early stop of a single JSON line that
//! turned out too large.

use std::fmt;
use std::marker::PhantomData;

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::Code;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::MAX_FIELDS;
use super::{shorten, with_suggestion, CaseReader, Entry};
use crate::ir::{SlotId, Type};
use crate::value::Value;

mod value;

use value::read;
pub(crate) use value::{decimal_from_text, decimal_wrong};

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
