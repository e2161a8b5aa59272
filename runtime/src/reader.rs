//! A JSON case read into a [`Case`] by the runtime alone, with the engine's codes, paths
//! and words (E0301–E0307): what `qingdan eval` reads from a JSON Lines line, so that a
//! Rust service needs no engine to take cases as JSON. The same checks as the engine's
//! `CaseReader` (engine/src/cases) and the JavaScript host's casereader.mjs, walked over
//! the text: objects are split into raw members, and a number is read by `serde_json` as
//! the engine reads it — a decimal from its own text, any other value as `serde_json`
//! has it (`3.0` and `-0` are floats, so never integers).

use std::collections::HashMap;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::case::Case;
use crate::error::{message, Code, Error, Message};
use crate::host::Module;
use crate::manifest::Manifest;
use crate::text::{closest, parse_date, parse_decimal, shorten, DecimalError};
use crate::value::{in_range, Type, Value};

/// Most fields (counted over all nesting levels) or set elements one case may have.
pub const MAX_FIELDS: usize = 10_000;

/// Longest JSON text one case may be.
pub const MAX_CASE_BYTES: usize = 1 << 20;

impl Module {
    /// Reads a case from its JSON text (one object, as a line of a JSON Lines file): E0301
    /// for malformed JSON, E0302–E0306 for a value of the wrong type, a missing or unknown
    /// field, an unknown value or row, E0307 for a case too large — each with the field's
    /// path and the engine's words.
    pub fn read_case_json(&self, text: &str) -> Result<Case<'_>, Error> {
        if text.len() > MAX_CASE_BYTES {
            let mib = MAX_CASE_BYTES >> 20;
            return Err(case_error(
                Code::E0307,
                "",
                message(
                    format!("这一行超过 {mib} MiB，已跳过未读"),
                    format!("the line is longer than {mib} MiB and was skipped unread"),
                ),
            ));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let root: &RawValue = serde_json::from_str(text).map_err(|e| syntax_error(text, &e))?;
        let keys = self.row_keys()?;
        let r = Reader::new(&self.manifest, keys, self.reading_tables());
        let mut ctx = Ctx {
            values: vec![Value::None; self.manifest.slots.len()],
            seen: vec![false; self.manifest.slots.len()],
            inputs: vec![false; self.manifest.inputs.len()],
            error: None,
            fields: 0,
            too_large: false,
            line: text,
        };
        r.level(&mut ctx, 0, true, root)?;
        if let Some(e) = ctx.error.take().or_else(|| r.missing(&ctx)) {
            return Err(e);
        }
        Ok(Case::from_values(self, ctx.values))
    }
}

fn case_error(code: Code, path: &str, message: Message) -> Error {
    Error { code, message, path: (!path.is_empty()).then(|| path.to_string()) }
}

/// E0301 for a text that is not JSON. Splitting into raw values skips over objects with
/// words of its own (a trailing comma is "key must be a string" there): the error is taken
/// from `serde_json` walking the text as the engine's reader walks it, when that fails too.
fn syntax_error(text: &str, raw: &serde_json::Error) -> Error {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(e) => malformed(&e, text, 0),
        Ok(_) => malformed(raw, text, 0),
    }
}

/// E0301 from a `serde_json` error in the part of `line` that starts at byte `offset`,
/// worded as the engine words it (the column in characters).
fn malformed(e: &serde_json::Error, line: &str, offset: usize) -> Error {
    let full = e.to_string();
    let detail = match full.rfind(" at line ") {
        Some(i) if e.line() > 0 => &full[..i],
        _ => full.as_str(),
    };
    let column = if e.line() > 1 || offset == 0 {
        char_column(line, e.line(), e.column())
    } else {
        char_column(line, 1, offset + e.column())
    };
    let (zh, en) = match column {
        0 => (format!("JSON 格式错误：{detail}"), format!("malformed JSON: {detail}")),
        c => (
            format!("JSON 格式错误（第 {c} 列）：{detail}"),
            format!("malformed JSON at column {c}: {detail}"),
        ),
    };
    case_error(Code::E0301, "", message(zh, en))
}

/// `serde_json` counts columns in bytes; editors count characters.
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(l) = text.split('\n').nth(line.saturating_sub(1)) else { return byte_column };
    let mut end = byte_column.saturating_sub(1).min(l.len());
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    l[..end].chars().count() + usize::from(byte_column > 0)
}

/// An object's members, each value still raw text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Members<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'a>, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    members.push((key, map.next_value::<&'a RawValue>()?));
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A raw JSON value, looked at.
enum Json<'a> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(String),
    List(Vec<&'a RawValue>),
    Object(&'a RawValue),
}

/// What a value turned out to be, for "found …" in messages.
fn found(j: &Json<'_>) -> Message {
    match j {
        Json::Null => message("null", "null"),
        Json::Bool(b) => message(format!("`{b}`"), format!("`{b}`")),
        Json::Int(i) => message(format!("数 `{i}`"), format!("the number `{i}`")),
        Json::Float(f) => message(format!("数 `{f}`"), format!("the number `{f}`")),
        Json::Text(t) => message(format!("文本 `\"{}\"`", shorten(t)), format!("text `\"{}\"`", shorten(t))),
        Json::List(_) => message("列表", "a list"),
        Json::Object(_) => message("对象", "an object"),
    }
}

/// A value that could not be read; `at` continues the field's path (`[2]`).
struct Bad {
    code: Code,
    message: Message,
    at: String,
}

fn bad(code: Code, message: Message) -> Bad {
    Bad { code, message, at: String::new() }
}

/// One level of objects: the root, an input, a nested record.
struct Level {
    entries: HashMap<String, Entry>,
    names: Vec<String>,
    path: String,
    input: Option<usize>,
}

#[derive(Clone, Copy)]
enum Entry {
    Slot(usize),
    Level(usize),
}

impl Level {
    fn insert(&mut self, name: &str, entry: Entry) {
        if !self.entries.contains_key(name) {
            self.entries.insert(name.to_string(), entry);
            self.names.push(name.to_string());
        }
    }

    fn child_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }
}

/// A module's lookup tables for reading cases, made once ([`Module::read_case_json`]).
pub(crate) struct Tables {
    levels: Vec<Level>,
    /// With one input, the name a case may be nested under (unless it is also a field).
    wrapper: Option<String>,
    /// Per slot, its path as errors show it: `申请.地址.区`.
    slot_paths: Vec<String>,
}

struct Reader<'m> {
    m: &'m Manifest,
    keys: &'m [Vec<Value>],
    levels: &'m [Level],
    wrapper: Option<&'m str>,
    slot_paths: &'m [String],
}

struct Ctx<'t> {
    values: Vec<Value>,
    seen: Vec<bool>,
    inputs: Vec<bool>,
    error: Option<Error>,
    fields: usize,
    too_large: bool,
    line: &'t str,
}

impl Ctx<'_> {
    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    fn count(&mut self) {
        self.fields += 1;
        if self.fields > MAX_FIELDS && !self.too_large {
            self.too_large = true;
            self.error = Some(case_error(
                Code::E0307,
                "",
                message(
                    format!("案例的字段超过 {MAX_FIELDS} 个，其余部分未读"),
                    format!("the case has more than {MAX_FIELDS} fields; the rest was not read"),
                ),
            ));
        }
    }

    /// A raw value looked at; a number beyond an f64 is malformed JSON, as `serde_json`
    /// says when the engine reads it.
    fn look<'a>(&self, raw: &'a RawValue) -> Result<Json<'a>, Error> {
        let text = raw.get();
        let offset = (text.as_ptr() as usize).wrapping_sub(self.line.as_ptr() as usize);
        let broken = |e: serde_json::Error| malformed(&e, self.line, offset.min(self.line.len()));
        Ok(match text.as_bytes().first() {
            Some(b'n') => Json::Null,
            Some(b't') => Json::Bool(true),
            Some(b'f') => Json::Bool(false),
            Some(b'"') => Json::Text(serde_json::from_str(text).map_err(broken)?),
            Some(b'[') => Json::List(serde_json::from_str(text).map_err(broken)?),
            Some(b'{') => Json::Object(raw),
            _ => {
                let n: serde_json::Number = serde_json::from_str(text).map_err(broken)?;
                match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => Json::Int(i128::from(u)),
                    (_, Some(i)) => Json::Int(i128::from(i)),
                    _ => Json::Float(n.as_f64().unwrap_or(f64::NAN)),
                }
            }
        })
    }
}

/// What a `null` means where it is found.
#[derive(Clone, Copy)]
enum Null {
    Absent,
    Missing,
    Wrong,
}

impl Tables {
    pub(crate) fn new(m: &Manifest) -> Tables {
        let single = m.inputs.len() == 1;
        let mut levels: Vec<Level> = Vec::new();
        let new_level = |path: String, input: Option<usize>| Level {
            entries: HashMap::new(),
            names: Vec::new(),
            path,
            input,
        };
        if !single {
            levels.push(new_level(String::new(), None));
        }
        for (i, input) in m.inputs.iter().enumerate() {
            let at = levels.len();
            levels.push(new_level(input.name.clone(), Some(i)));
            if !single {
                levels[0].insert(&input.name, Entry::Level(at));
            }
            for &s in &input.fields {
                let path = &m.slots[s as usize].path;
                let mut lv = at;
                for (depth, name) in path.iter().enumerate() {
                    if depth + 1 == path.len() {
                        levels[lv].insert(name, Entry::Slot(s as usize));
                        continue;
                    }
                    lv = match levels[lv].entries.get(name.as_str()) {
                        Some(Entry::Level(l)) => *l,
                        _ => {
                            let next = levels.len();
                            let sub = new_level(format!("{}.{name}", levels[lv].path), None);
                            levels.push(sub);
                            levels[lv].insert(name, Entry::Level(next));
                            next
                        }
                    };
                }
            }
        }
        let wrapper = match m.inputs.as_slice() {
            [only] if !levels[0].entries.contains_key(only.name.as_str()) => Some(only.name.clone()),
            _ => None,
        };
        let slot_paths = m
            .slots
            .iter()
            .map(|s| {
                let input = m.inputs.get(s.input as usize).map_or("", |i| i.name.as_str());
                std::iter::once(input).chain(s.path.iter().map(String::as_str)).collect::<Vec<_>>().join(".")
            })
            .collect();
        Tables { levels, wrapper, slot_paths }
    }
}

impl<'m> Reader<'m> {
    fn new(m: &'m Manifest, keys: &'m [Vec<Value>], t: &'m Tables) -> Reader<'m> {
        let (levels, wrapper, slot_paths) = (&t.levels[..], t.wrapper.as_deref(), &t.slot_paths[..]);
        Reader { m, keys, levels, wrapper, slot_paths }
    }

    /// An object of level `level`; `Err` only for malformed JSON, which ends the case.
    fn level(&self, ctx: &mut Ctx<'_>, level: usize, root: bool, raw: &RawValue) -> Result<(), Error> {
        let lv = &self.levels[level];
        let looked = ctx.look(raw)?;
        let Json::Object(raw) = looked else {
            let names: Vec<String> = lv.names.iter().take(8).map(|n| format!("`{n}`")).collect();
            let more = if lv.names.len() > 8 { "…" } else { "" };
            let f = found(&looked);
            let message = message(
                format!("应为对象（含字段 {}{more}），实际是{}", names.join("、"), f.zh),
                format!("expected an object (with fields {}{more}), found {}", names.join(", "), f.en),
            );
            ctx.fail(case_error(Code::E0302, &lv.path, message));
            return Ok(());
        };
        let offset = (raw.get().as_ptr() as usize).wrapping_sub(ctx.line.as_ptr() as usize);
        let Members(members) = serde_json::from_str(raw.get())
            .map_err(|e| malformed(&e, ctx.line, offset.min(ctx.line.len())))?;
        if let Some(i) = lv.input {
            ctx.inputs[i] = true;
        }
        let mut first = true;
        let mut wrapped = false;
        for (key, value) in members {
            if ctx.too_large {
                return Ok(());
            }
            if ctx.error.is_some() {
                ctx.count();
                continue;
            }
            let wrapper = if root && first { self.wrapper } else { None };
            first = false;
            ctx.count();
            if ctx.too_large {
                continue;
            }
            let entry = if wrapped { None } else { lv.entries.get(key.as_str()).copied() };
            match entry {
                Some(Entry::Slot(s)) if ctx.seen[s] => {
                    let message =
                        message(format!("字段 `{key}` 写了两次"), format!("field `{key}` is given twice"));
                    ctx.fail(case_error(Code::E0301, &self.slot_paths[s], message));
                }
                Some(Entry::Slot(s)) => {
                    ctx.seen[s] = true;
                    let (ty, null) = match &self.m.slots[s].ty {
                        Type::Opt(inner) => (&**inner, Null::Absent),
                        other => (other, Null::Missing),
                    };
                    match self.value(ctx, ty, value, null)? {
                        Ok(v) => ctx.values[s] = v,
                        Err(b) => ctx.fail(case_error(
                            b.code,
                            &format!("{}{}", self.slot_paths[s], b.at),
                            b.message,
                        )),
                    }
                }
                Some(Entry::Level(l)) => self.level(ctx, l, false, value)?,
                None if !wrapped && wrapper == Some(key.as_str()) => {
                    wrapped = true;
                    self.level(ctx, level, false, value)?;
                }
                None => ctx.fail(self.unknown_field(level, &key, wrapped)),
            }
        }
        Ok(())
    }

    fn unknown_field(&self, level: usize, name: &str, wrapped: bool) -> Error {
        let lv = &self.levels[level];
        let path = lv.child_path(name);
        if wrapped {
            let input = self.wrapper.unwrap_or_default();
            let message = message(
                format!("案例已写在 `{input}` 之下，顶层不能再有 `{}`", shorten(name)),
                format!(
                    "the case is nested under `{input}`, so `{}` cannot also be at the top",
                    shorten(name)
                ),
            );
            return case_error(Code::E0304, &path, message);
        }
        let (head, what) = if lv.path.is_empty() {
            (
                message(
                    format!("没有名为 `{}` 的输入", shorten(name)),
                    format!("there is no input `{}`", shorten(name)),
                ),
                message("输入", "inputs"),
            )
        } else {
            (
                message(
                    format!("`{}` 没有字段 `{}`", lv.path, shorten(name)),
                    format!("`{}` has no field `{}`", lv.path, shorten(name)),
                ),
                message("字段", "fields"),
            )
        };
        case_error(
            Code::E0304,
            &path,
            with_suggestion(head, name, &lv.names.iter().map(String::as_str).collect::<Vec<_>>(), &what),
        )
    }

    fn missing(&self, ctx: &Ctx<'_>) -> Option<Error> {
        for (i, input) in self.m.inputs.iter().enumerate() {
            let required = input.fields.iter().any(|&s| !matches!(self.m.slots[s as usize].ty, Type::Opt(_)));
            if required && !ctx.inputs[i] {
                let message =
                    message(format!("缺少输入 `{}`", input.name), format!("missing input `{}`", input.name));
                return Some(case_error(Code::E0303, &input.name, message));
            }
        }
        let s =
            (0..self.m.slots.len()).find(|&s| !ctx.seen[s] && !matches!(self.m.slots[s].ty, Type::Opt(_)))?;
        let slot = &self.m.slots[s];
        let name = slot.path.last().map_or("", String::as_str);
        let ty = self.describe(&slot.ty);
        let message =
            message(format!("缺少字段 `{name}`（{}）", ty.zh), format!("missing field `{name}` ({})", ty.en));
        Some(case_error(Code::E0303, &self.slot_paths[s], message))
    }

    /// What a value of `ty` looks like in a case file, for "expected …" messages.
    fn describe(&self, ty: &Type) -> Message {
        let enum_name = |e: u32| self.m.enums.get(e as usize).map_or("", |e| e.name.as_str());
        let list_name = |l: u32| self.m.lists.get(l as usize).map_or("", |l| l.name.as_str());
        let (zh, en) = describe_type(ty, &enum_name, &list_name);
        message(zh, en)
    }

    fn wrong(&self, ty: &Type, j: &Json<'_>) -> Bad {
        let (expected, f) = (self.describe(ty), found(j));
        bad(
            Code::E0302,
            message(
                format!("应为{}，实际是{}", expected.zh, f.zh),
                format!("expected {}, found {}", expected.en, f.en),
            ),
        )
    }

    fn int_keyed(&self, l: u32) -> bool {
        let list = &self.m.lists[l as usize];
        matches!(list.fields.get(list.key).map(|f| &f.1), Some(Type::Int))
    }

    /// The row with `key`: the first with a text key, the last with an int key (as the
    /// engine's lookup tables keep them).
    fn row(&self, l: u32, key: &Value) -> Option<Value> {
        let keys = self.keys.get(l as usize)?;
        let found = match key {
            Value::Int(_) => keys.iter().rposition(|k| k == key),
            _ => keys.iter().position(|k| k == key),
        };
        found.map(|r| Value::Row(r as u32))
    }

    fn unknown_key(&self, l: u32, key: &str) -> Message {
        let list = &self.m.lists[l as usize];
        let head = message(
            format!("`{}` 中没有键为 `{}` 的条目", list.name, shorten(key)),
            format!("`{}` has no row with key `{}`", list.name, shorten(key)),
        );
        let mut texts: Vec<&str> = Vec::new();
        if !self.int_keyed(l) {
            for k in self.keys.get(l as usize).map_or(&[][..], Vec::as_slice) {
                if let Value::Text(t) = k {
                    if !texts.contains(&&**t) {
                        texts.push(t);
                    }
                }
            }
        }
        if texts.len() > 1_000 {
            texts.clear();
        }
        match closest(key, texts.iter().copied()) {
            Some(c) => message(
                format!("{}；是不是想写 `{c}`？", head.zh),
                format!("{}; did you mean `{c}`?", head.en),
            ),
            None => head,
        }
    }

    /// A value of `ty` (not optional itself); `Err` only for malformed JSON.
    fn value(
        &self,
        ctx: &Ctx<'_>,
        ty: &Type,
        raw: &RawValue,
        null: Null,
    ) -> Result<Result<Value, Bad>, Error> {
        if let Type::Opt(inner) = ty {
            return self.value(ctx, inner, raw, Null::Absent);
        }
        if *ty == Type::Decimal {
            return Ok(self.decimal(ctx, raw, null));
        }
        let j = ctx.look(raw)?;
        Ok(match (&j, ty) {
            (Json::Null, _) => self.null(ty, null),
            (Json::Bool(b), Type::Bool) => Ok(Value::Bool(*b)),
            (Json::Int(i), _) => self.int(ty, *i, &j),
            (Json::Float(f), Type::Int) if f.fract() == 0.0 && f.abs() >= 9.2e18 => Err(bad(
                Code::E0302,
                message(format!("整数 `{f}` 超出范围"), format!("the integer `{f}` is out of range")),
            )),
            (Json::Float(f), Type::Int) => Err(bad(
                Code::E0302,
                message(format!("应为整数，实际是 `{f}`"), format!("expected an integer, found `{f}`")),
            )),
            (Json::Text(t), _) => self.text(ty, t, &j),
            (Json::List(items), Type::Set(inner)) => self.set(ctx, inner, items)?,
            _ => Err(self.wrong(ty, &j)),
        })
    }

    fn null(&self, ty: &Type, null: Null) -> Result<Value, Bad> {
        match null {
            Null::Absent => Ok(Value::None),
            Null::Missing => {
                let d = self.describe(ty);
                Err(bad(
                    Code::E0303,
                    message(
                        format!("必填字段（{}）的值是 null", d.zh),
                        format!("the field is required ({}) but is null", d.en),
                    ),
                ))
            }
            Null::Wrong => Err(self.wrong(ty, &Json::Null)),
        }
    }

    fn int(&self, ty: &Type, v: i128, j: &Json<'_>) -> Result<Value, Bad> {
        match ty {
            Type::Int => i64::try_from(v).ok().and_then(in_range).map(Value::Int).ok_or_else(|| {
                bad(
                    Code::E0302,
                    message(format!("整数 `{v}` 超出范围"), format!("the integer `{v}` is out of range")),
                )
            }),
            Type::Row(l) if self.int_keyed(*l) => i64::try_from(v)
                .ok()
                .and_then(|k| self.row(*l, &Value::Int(k)))
                .ok_or_else(|| bad(Code::E0306, self.unknown_key(*l, &v.to_string()))),
            _ => Err(self.wrong(ty, j)),
        }
    }

    fn text(&self, ty: &Type, v: &str, j: &Json<'_>) -> Result<Value, Bad> {
        match ty {
            Type::Text => Ok(Value::text(v)),
            Type::Date => parse_date(v.as_bytes()).map(Value::Date).ok_or_else(|| {
                bad(
                    Code::E0302,
                    message(
                        format!("`{}` 不是有效的日期（应写作 YYYY-MM-DD，如 2024-07-01）", shorten(v)),
                        format!("`{}` is not a valid date (write YYYY-MM-DD, e.g. 2024-07-01)", shorten(v)),
                    ),
                )
            }),
            Type::Enum(e) => {
                let def = &self.m.enums[*e as usize];
                match def.variants.iter().position(|x| x.name == v) {
                    Some(i) => Ok(Value::Enum(i as u32)),
                    None => {
                        let head = message(
                            format!("`{}` 没有值 `{}`", def.name, shorten(v)),
                            format!("`{}` has no variant `{}`", def.name, shorten(v)),
                        );
                        let names: Vec<&str> = def.variants.iter().map(|x| x.name.as_str()).collect();
                        Err(bad(
                            Code::E0305,
                            with_suggestion(head, v, &names, &message("可选的值", "its variants")),
                        ))
                    }
                }
            }
            Type::Row(l) if !self.int_keyed(*l) => {
                self.row(*l, &Value::text(v)).ok_or_else(|| bad(Code::E0306, self.unknown_key(*l, v)))
            }
            _ => Err(self.wrong(ty, j)),
        }
    }

    fn set(&self, ctx: &Ctx<'_>, inner: &Type, items: &[&RawValue]) -> Result<Result<Value, Bad>, Error> {
        let mut values = Vec::new();
        let mut problem: Option<Bad> = None;
        for (n, item) in items.iter().enumerate() {
            if problem.is_none() {
                match self.value(ctx, inner, item, Null::Wrong)? {
                    Ok(v) => values.push(v),
                    Err(mut b) => {
                        b.at = format!("[{n}]{}", b.at);
                        problem = Some(b);
                    }
                }
            }
            if n + 1 > MAX_FIELDS && problem.is_none() {
                problem = Some(bad(
                    Code::E0307,
                    message(
                        format!("集合的元素超过 {MAX_FIELDS} 个"),
                        format!("the set has more than {MAX_FIELDS} elements"),
                    ),
                ));
            }
        }
        Ok(match problem {
            Some(b) => Err(b),
            None => Ok(Value::set(values)),
        })
    }

    /// A decimal from the number's (or string's) own text, never through a float.
    fn decimal(&self, ctx: &Ctx<'_>, raw: &RawValue, null: Null) -> Result<Value, Bad> {
        let text = raw.get();
        let wrong = |j: Json<'_>| {
            let f = found(&j);
            bad(
                Code::E0302,
                message(
                    format!("应为小数，实际是{}", f.zh),
                    format!("expected a decimal number, found {}", f.en),
                ),
            )
        };
        let from_text = |t: &str| {
            parse_decimal(t).map(Value::Dec).map_err(|e| match e {
                DecimalError::NotANumber => wrong(Json::Text(t.to_string())),
                DecimalError::TooPrecise => bad(
                    Code::E0302,
                    message(
                        format!("`{}` 的小数点后超过 6 位：金额按原值精确计算，不会四舍五入", shorten(t)),
                        format!(
                            "`{}` has more than 6 digits after the point; amounts are exact and never rounded",
                            shorten(t)
                        ),
                    ),
                ),
                DecimalError::OutOfRange => bad(
                    Code::E0302,
                    message(
                        format!("`{}` 超出小数的范围", shorten(t)),
                        format!("`{}` is out of range for a decimal", shorten(t)),
                    ),
                ),
            })
        };
        match text.as_bytes().first() {
            Some(b'n') => self.null(&Type::Decimal, null),
            Some(b'"') => match serde_json::from_str::<String>(text) {
                Ok(t) => from_text(&t),
                Err(_) => Err(wrong(Json::Text(text.to_string()))),
            },
            Some(b'-' | b'0'..=b'9') => from_text(text),
            Some(b't') => Err(wrong(Json::Bool(true))),
            Some(b'f') => Err(wrong(Json::Bool(false))),
            Some(b'[') => Err(wrong(Json::List(Vec::new()))),
            _ => Err(wrong(ctx.look(raw).unwrap_or(Json::Null))),
        }
    }
}

/// `head; did you mean …?`, or `head (its variants: a, b, c)` when nothing is close.
fn with_suggestion(head: Message, name: &str, names: &[&str], what: &Message) -> Message {
    if let Some(c) = closest(name, names.iter().copied()) {
        return message(
            format!("{}；是不是想写 `{c}`？", head.zh),
            format!("{}; did you mean `{c}`?", head.en),
        );
    }
    const SHOWN: usize = 20;
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        list.push("…".into());
    }
    if list.is_empty() {
        return head;
    }
    message(
        format!("{}（{}：{}）", head.zh, what.zh, list.join("、")),
        format!("{} ({}: {})", head.en, what.en, list.join(", ")),
    )
}

/// What a value of `ty` looks like in a case file, for "expected …" messages, in Chinese and
/// English; `enum_name` and `list_name` name the enums and lists it refers to. The engine's
/// case reader words its messages with this too.
pub fn describe_type<'a>(
    ty: &Type,
    enum_name: &dyn Fn(u32) -> &'a str,
    list_name: &dyn Fn(u32) -> &'a str,
) -> (String, String) {
    match ty {
        Type::Bool => ("真假值（true 或 false）".into(), "true or false".into()),
        Type::Int => ("整数".into(), "an integer".into()),
        Type::Decimal => ("小数".into(), "a decimal number".into()),
        Type::Text => ("文本".into(), "text".into()),
        Type::Date => ("日期（YYYY-MM-DD）".into(), "a date (YYYY-MM-DD)".into()),
        Type::Enum(e) => {
            let name = enum_name(*e);
            (format!("`{name}` 的值"), format!("a value of `{name}`"))
        }
        Type::Row(l) => {
            let name = list_name(*l);
            (format!("`{name}` 中条目的键"), format!("the key of a row of `{name}`"))
        }
        Type::Set(inner) => {
            let (zh, en) = describe_type(inner, enum_name, list_name);
            (format!("列表（每项为{zh}）"), format!("a list (each element {en})"))
        }
        Type::Opt(inner) => {
            let (zh, en) = describe_type(inner, enum_name, list_name);
            (format!("{zh}或 null"), format!("{en} or null"))
        }
    }
}
