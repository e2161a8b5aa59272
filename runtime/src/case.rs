//! Cases built field by field and decisions told by name: the typed side of the runtime.
//! A field is named by its path (`申请.年龄`, `申请.地址.区`); a value that does not fit the
//! field's type, a field the module does not have and a required field left out are
//! refused with the engine's codes (E0302, E0304, E0303, E0305), never placed.

use crate::decided::DecisionResult;
use crate::error::{message, Code, Error};
use crate::host::{Instance, Module};
use crate::manifest::Manifest;
use crate::value::{Type, Value};

/// One case for a module: a value per input field, all absent to begin with.
#[derive(Clone, Debug)]
pub struct Case<'m> {
    manifest: &'m Manifest,
    module: &'m Module,
    values: Vec<Value>,
}

fn case_error(code: Code, path: &str, zh: String, en: String) -> Error {
    Error { code, message: message(zh, en), path: Some(path.to_string()) }
}

impl<'m> Case<'m> {
    fn slot(&self, path: &str) -> Result<usize, Error> {
        let m = self.manifest;
        m.slots
            .iter()
            .position(|s| m.inputs.get(s.input as usize).is_some_and(|i| slot_path(&i.name, &s.path) == path))
            .ok_or_else(|| {
                case_error(Code::E0304, path, format!("未知字段 `{path}`"), format!("unknown field `{path}`"))
            })
    }

    /// Sets field `path` to `value`, if it fits the field's type.
    pub fn set(&mut self, path: &str, value: Value) -> Result<&mut Case<'m>, Error> {
        let s = self.slot(path)?;
        let ty = &self.manifest.slots[s].ty;
        if !fits(self.manifest, &value, ty) {
            return Err(case_error(
                Code::E0302,
                path,
                format!("字段 `{path}` 的值 {value} 不符合它的类型"),
                format!("field `{path}`: the value {value} does not fit its type"),
            ));
        }
        self.values[s] = value;
        Ok(self)
    }

    /// Sets enum field `path` to the variant called `name`.
    pub fn set_variant(&mut self, path: &str, name: &str) -> Result<&mut Case<'m>, Error> {
        let s = self.slot(path)?;
        let variants = match self.manifest.slots[s].ty.required() {
            Type::Enum(e) => self.manifest.enums.get(*e as usize).map(|e| &e.variants),
            _ => None,
        };
        let Some(variant) = variants.and_then(|v| v.iter().position(|v| v.name == name)) else {
            return Err(case_error(
                Code::E0305,
                path,
                format!("字段 `{path}` 没有取值 `{name}`"),
                format!("field `{path}` has no value `{name}`"),
            ));
        };
        self.set(path, Value::Enum(variant as u32))
    }

    /// Sets list-row field `path` to the row whose key is `key` (a `Value::Int` or
    /// `Value::Text`, as the list's key field is), as a case file names a row: E0306 if the
    /// list has no such row, E0302 if the field is not a row of a list.
    pub fn set_row(&mut self, path: &str, key: &Value) -> Result<&mut Case<'m>, Error> {
        let s = self.slot(path)?;
        let Type::Row(l) = self.manifest.slots[s].ty.required() else {
            return Err(case_error(
                Code::E0302,
                path,
                format!("字段 `{path}` 不是清单中的条目"),
                format!("field `{path}` is not a row of a list"),
            ));
        };
        let list = &self.manifest.lists[*l as usize];
        let keys = self.module.row_keys()?.get(*l as usize).map_or(&[][..], Vec::as_slice);
        // As the engine's case reader: the first row with a text key, the last with an int key.
        let row = match key {
            Value::Int(_) => keys.iter().rposition(|k| k == key),
            _ => keys.iter().position(|k| k == key),
        };
        let Some(row) = row else {
            let shown = match key {
                Value::Text(t) => t.to_string(),
                other => other.to_string(),
            };
            return Err(case_error(
                Code::E0306,
                path,
                format!("`{}` 中没有键为 `{shown}` 的条目", list.name),
                format!("`{}` has no row with key `{shown}`", list.name),
            ));
        };
        self.set(path, Value::Row(row as u32))
    }

    /// The value of every field, in the module's slot order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// E0303 for the first required field left absent.
    pub(crate) fn missing_error(&self) -> Option<Error> {
        let path = self.missing()?;
        Some(case_error(Code::E0303, &path, format!("缺少字段 `{path}`"), format!("missing field `{path}`")))
    }

    /// A case of `module` with these slot values (read from JSON, already checked).
    pub(crate) fn from_values(module: &'m Module, values: Vec<Value>) -> Case<'m> {
        Case { manifest: &module.manifest, module, values }
    }

    /// The first required field left absent.
    fn missing(&self) -> Option<String> {
        let m = self.manifest;
        let absent = |(s, v): &(usize, &Value)| **v == Value::None && !matches!(m.slots[*s].ty, Type::Opt(_));
        let (s, _) = self.values.iter().enumerate().find(absent)?;
        let slot = &m.slots[s];
        Some(slot_path(m.inputs.get(slot.input as usize).map_or("?", |i| i.name.as_str()), &slot.path))
    }
}

fn slot_path(input: &str, path: &[String]) -> String {
    std::iter::once(input).chain(path.iter().map(String::as_str)).collect::<Vec<_>>().join(".")
}

/// Whether `v` is a value of type `ty`.
fn fits(m: &Manifest, v: &Value, ty: &Type) -> bool {
    match (v, ty) {
        (Value::None, Type::Opt(_)) => true,
        (_, Type::Opt(inner)) => fits(m, v, inner),
        (Value::Bool(_), Type::Bool)
        | (Value::Int(_), Type::Int)
        | (Value::Dec(_), Type::Decimal)
        | (Value::Text(_), Type::Text)
        | (Value::Date(_), Type::Date) => true,
        (Value::Enum(x), Type::Enum(e)) => {
            m.enums.get(*e as usize).is_some_and(|e| (*x as usize) < e.variants.len())
        }
        (Value::Row(r), Type::Row(l)) => m.lists.get(*l as usize).is_some_and(|l| *r < l.rows),
        (Value::Set(items), Type::Set(inner)) => items.iter().all(|i| fits(m, i, inner)),
        _ => false,
    }
}

/// A decision's result told with names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    /// The outcome's name (for `collect`, one per fired outcome; none in a conflict).
    pub outcomes: Vec<String>,
    /// The values the first outcome carries, by field name.
    pub values: Vec<(String, Value)>,
    /// The rules that took effect.
    pub fired: Vec<String>,
    pub by_default: bool,
    /// The result as the module gave it (indices into the manifest).
    pub raw: DecisionResult,
}

impl Module {
    /// An empty case for this module's inputs.
    pub fn case(&self) -> Case<'_> {
        Case { manifest: &self.manifest, module: self, values: vec![Value::None; self.manifest.slots.len()] }
    }

    /// The index of the decision called `name` (E0902 if there is none).
    pub fn decision(&self, name: &str) -> Result<u32, Error> {
        decision_index(&self.manifest, name)
    }
}

fn decision_index(m: &Manifest, name: &str) -> Result<u32, Error> {
    let names = || m.decisions.iter().map(|d| format!("`{}`", d.name)).collect::<Vec<_>>();
    m.decisions.iter().position(|d| d.name == name).map(|d| d as u32).ok_or_else(|| Error {
        code: Code::E0902,
        message: message(
            format!("没有决定 `{name}`（有：{}）", names().join("、")),
            format!("no decision `{name}` (there are: {})", names().join(", ")),
        ),
        path: Some(name.to_string()),
    })
}

impl Instance {
    /// Places `case` (E0303 if a required field is absent) and decides `decision` by name:
    /// every error, of the case, the module or the decision (E0601–E0603), is an [`Error`].
    pub fn decide_case(&mut self, case: &Case<'_>, decision: &str) -> Result<Decided, Error> {
        if let Some(e) = case.missing_error() {
            return Err(e);
        }
        let d = decision_index(&self.manifest, decision)?;
        self.place(case.values())?;
        let raw = self.decide(d)?.map_err(|f| {
            let name = self.manifest.decisions.get(d as usize).map_or("", |x| x.name.as_str());
            f.error(name)
        })?;
        Ok(self.tell(raw))
    }

    fn tell(&self, raw: DecisionResult) -> Decided {
        let m = &self.manifest;
        let variants = m
            .decisions
            .get(raw.decision as usize)
            .and_then(|d| m.enums.get(d.outcome_enum as usize))
            .map(|e| e.variants.as_slice())
            .unwrap_or_default();
        let outcomes =
            raw.outcomes.iter().filter_map(|o| variants.get(o.variant as usize)).collect::<Vec<_>>();
        let values = match (raw.outcomes.first(), outcomes.first()) {
            (Some(o), Some(v)) => {
                v.fields.iter().map(|(name, _)| name.clone()).zip(o.fields.iter().cloned()).collect()
            }
            _ => Vec::new(),
        };
        let rule_name = |r: &u32| m.rules.get(*r as usize).map(|r| r.name.clone());
        Decided {
            outcomes: outcomes.iter().map(|v| v.name.clone()).collect(),
            values,
            fired: raw.fired.iter().filter_map(rule_name).collect(),
            by_default: raw.by_default,
            raw,
        }
    }
}
