//! The result model's line (docs/result.schema.json, version [`MODEL_VERSION`]) written by
//! the runtime alone: byte for byte what `qingdan eval --format json [--explain]` writes for
//! the same case, so that a Rust service needs no engine to answer in the model. The same
//! walk as the engine's `ResultWriter` and the JavaScript host's resultmodel.mjs, over the
//! module's manifest.

use crate::error::Error;
use crate::host::{Instance, Module};
use crate::manifest::{Manifest, TraceRead, Version};
use crate::value::{format_date, format_decimal, Type, Value};
use crate::Case;

/// The version of the result model every line states (`"model":1`).
pub const MODEL_VERSION: u32 = 1;

/// What to write for a case: its name, one decision only (then no checks), explanations.
#[derive(Clone, Debug, Default)]
pub struct LineOptions<'a> {
    pub name: Option<&'a str>,
    pub decision: Option<&'a str>,
    /// The values each rule read and the text of the clauses cited.
    pub explain: bool,
}

/// A string as JSON, escaped as `serde_json` escapes it.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

fn quoted_or_null(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_string(), quoted)
}

/// `{"model":1,"case":N,` and the name.
fn head(n: usize, name: Option<&str>) -> String {
    let name = name.map(|x| format!("\"name\":{},", quoted(x))).unwrap_or_default();
    format!("{{\"model\":{MODEL_VERSION},\"case\":{n},{name}")
}

/// The line of a case that could not be read or decided.
pub fn error_line(n: usize, name: Option<&str>, e: &Error) -> String {
    format!(
        "{}\"error\":{{\"code\":\"{}\",\"message\":{{\"zh\":{},\"en\":{}}},\"path\":{}}}}}\n",
        head(n, name),
        e.code.as_str(),
        quoted(&e.message.zh),
        quoted(&e.message.en),
        quoted_or_null(e.path.as_deref().filter(|p| !p.is_empty()))
    )
}

/// Writes one case's line; `Err` ends it with the error object.
struct Writer<'a> {
    module: &'a Module,
    m: &'a Manifest,
    explain: bool,
    /// Let values read for explanations, once per case.
    lets: Vec<Option<Value>>,
}

impl Instance {
    /// Case number `n` decided and written as one line of the result model (ending in a
    /// newline), as `qingdan eval --format json` writes it; an error of the case, the
    /// module or the evaluation becomes the line's `error` object. E0902 (returned, not
    /// written) when `options.decision` names no decision.
    pub fn result_line(
        &mut self,
        module: &Module,
        case: &Case<'_>,
        n: usize,
        options: &LineOptions<'_>,
    ) -> Result<String, Error> {
        let m = &module.manifest;
        let (decisions, checks): (Vec<u32>, Vec<u32>) = match options.decision {
            Some(name) => (vec![module.decision(name)?], Vec::new()),
            None => (
                (0..m.decisions.len() as u32).collect(),
                (0..m.checks.len() as u32).filter(|&c| m.checks[c as usize].reads_case).collect(),
            ),
        };
        let mut w = Writer { module, m, explain: options.explain, lets: vec![None; m.lets.len()] };
        let body = case
            .missing_error()
            .map_or(Ok(()), Err)
            .and_then(|()| self.place(case.values()))
            .and_then(|()| w.decided(self, case.values(), &decisions, &checks));
        Ok(match body {
            Ok(body) => format!("{}{body}", head(n, options.name)),
            Err(e) => error_line(n, options.name, &e),
        })
    }
}

impl Writer<'_> {
    fn decided(
        &mut self,
        inst: &mut Instance,
        values: &[Value],
        decisions: &[u32],
        checks: &[u32],
    ) -> Result<String, Error> {
        let m = self.m;
        let mut out = String::from("\"decisions\":{");
        for (i, &d) in decisions.iter().enumerate() {
            let name = &m.decisions[d as usize].name;
            let r = inst.decide(d)?.map_err(|f| f.error(name))?;
            if i > 0 {
                out.push(',');
            }
            out += &format!("{}:{}", quoted(name), self.decision(inst, &r, values)?);
        }
        out.push('}');
        let mut hits = Vec::new();
        for &c in checks {
            let r = inst.check(c)?.map_err(|f| f.error(""))?;
            if !r.hits.is_empty() {
                hits.push(r);
            }
        }
        for (key, may) in [(",\"violations\":[", false), (",\"permissions\":[", true)] {
            out += key;
            let told: Vec<String> = hits
                .iter()
                .filter(|h| (m.checks[h.check as usize].modality == "may") == may)
                .map(|h| self.check_hit(h))
                .collect();
            out += &told.join(",");
            out.push(']');
        }
        out += "}\n";
        Ok(out)
    }

    fn cites(&self, cites: &[(u32, u32)]) -> String {
        let items: Vec<String> = cites
            .iter()
            .map(|&(s, c)| {
                let source = &self.m.sources[s as usize];
                let (id, text) = &source.clauses[c as usize];
                let text = if self.explain { format!(",\"text\":{}", quoted(text)) } else { String::new() };
                format!("{{\"source\":{},\"clause\":{}{text}}}", quoted(&source.name), quoted(id))
            })
            .collect();
        format!("[{}]", items.join(","))
    }

    fn decision(
        &mut self,
        inst: &mut Instance,
        r: &crate::decided::DecisionResult,
        values: &[Value],
    ) -> Result<String, Error> {
        let m = self.m;
        let def = &m.decisions[r.decision as usize];
        let variants = &m.enums[def.outcome_enum as usize].variants;
        let mut outcomes = Vec::new();
        for o in &r.outcomes {
            let v = &variants[o.variant as usize];
            let fields: Vec<String> = v
                .fields
                .iter()
                .zip(&o.fields)
                .map(|((name, ty), value)| format!("{}:{}", quoted(name), self.value(value, ty)))
                .collect();
            let in_force =
                if self.explain { self.rows_in_force(&v.fields, &o.fields) } else { String::new() };
            let (reason, rule, cites) = match o.rule {
                Some(rule) => {
                    let rule = &m.rules[rule as usize];
                    (rule.reason.as_deref(), quoted(&rule.name), self.cites(&rule.cites))
                }
                None => (def.default_reason.as_deref(), "null".to_string(), self.cites(&def.default_cites)),
            };
            outcomes.push(format!(
                "{{\"outcome\":{},\"values\":{{{}}},\"reason\":{},\"rule\":{rule},\"cites\":{cites}{in_force}}}",
                quoted(&v.name),
                fields.join(","),
                quoted_or_null(reason)
            ));
        }
        let held: Vec<u32> = r.fired.iter().chain(&r.overridden).copied().collect();
        let mut fired = Vec::new();
        for &rule in &r.fired {
            fired.push(self.rule(inst, rule, None, values)?);
        }
        let mut overridden = Vec::new();
        for &rule in &r.overridden {
            overridden.push(self.rule(inst, rule, Some(&held), values)?);
        }
        let conflicts: Vec<String> = r
            .conflicts
            .iter()
            .map(|c| {
                let (crate::decided::Conflict::Exceptions { rules, .. }
                | crate::decided::Conflict::Unique { rules }) = c;
                let names: Vec<String> = rules.iter().map(|&x| quoted(&m.rules[x as usize].name)).collect();
                format!("[{}]", names.join(","))
            })
            .collect();
        Ok(format!(
            "{{\"outcomes\":[{}],\"fired\":[{}],\"overridden\":[{}],\"by_default\":{},\"conflicts\":[{}]}}",
            outcomes.join(","),
            fired.join(","),
            overridden.join(","),
            r.by_default,
            conflicts.join(",")
        ))
    }

    /// A rule's trace; `held` (the rules that held) for an overridden one, to say by which.
    fn rule(
        &mut self,
        inst: &mut Instance,
        r: u32,
        held: Option<&[u32]>,
        values: &[Value],
    ) -> Result<String, Error> {
        let m = self.m;
        let rule = &m.rules[r as usize];
        let variants = &m.enums[m.decisions[rule.decision as usize].outcome_enum as usize].variants;
        let outcome = rule.outcome.and_then(|o| variants.get(o as usize)).map(|v| v.name.as_str());
        let to = rule.exception_to.map(|t| m.rules[t as usize].name.as_str());
        let mut out = format!(
            "{{\"rule\":{},\"exception_to\":{},\"outcome\":{},\"reason\":{},\"cites\":{}",
            quoted(&rule.name),
            quoted_or_null(to),
            quoted_or_null(outcome),
            quoted_or_null(rule.reason.as_deref()),
            self.cites(&rule.cites)
        );
        if self.explain {
            if let Some(v) = &rule.version {
                out += &format!(",\"version\":{}", days(v));
            }
            out += &self.reads(inst, &rule.reads, values)?;
        }
        if let Some(held) = held {
            let by: Vec<String> = (0..m.rules.len() as u32)
                .filter(|&e| m.rules[e as usize].exception_to == Some(r) && held.contains(&e))
                .map(|e| quoted(&m.rules[e as usize].name))
                .collect();
            out += &format!(",\"by\":[{}]", by.join(","));
        }
        out.push('}');
        Ok(out)
    }

    fn reads(&mut self, inst: &mut Instance, reads: &[TraceRead], values: &[Value]) -> Result<String, Error> {
        let m = self.m;
        let mut items = Vec::new();
        let day = match m.decision_date.and_then(|s| values.get(s as usize)) {
            Some(Value::Date(d)) => Some(format_date(*d)),
            _ => None,
        };
        for read in reads {
            let (name, value, ty, version) = match *read {
                TraceRead::Slot(s) => {
                    let slot = &m.slots[s as usize];
                    let input = m.inputs.get(slot.input as usize).map_or("", |i| i.name.as_str());
                    let name = std::iter::once(input).chain(slot.path.iter().map(String::as_str));
                    let value = values.get(s as usize).cloned().unwrap_or(Value::None);
                    (name.collect::<Vec<_>>().join("."), value, &slot.ty, None)
                }
                TraceRead::Let(l) => {
                    let value = match &self.lets[l as usize] {
                        Some(v) => v.clone(),
                        None => {
                            let v = inst.let_value(l)?.map_err(|f| f.error(""))?;
                            self.lets[l as usize] = Some(v.clone());
                            v
                        }
                    };
                    let named = &m.lets[l as usize];
                    (named.name.clone(), value, &named.ty, version_on(&named.versions, day.as_deref()))
                }
            };
            let version = version.map(|v| format!(",\"version\":{}", days(v))).unwrap_or_default();
            let in_force =
                self.row_days(&value, ty).map(|v| format!(",\"in_force\":{}", days(&v))).unwrap_or_default();
            items.push(format!(
                "{{\"name\":{},\"value\":{}{version}{in_force}}}",
                quoted(&name),
                self.value(&value, ty)
            ));
        }
        Ok(format!(",\"read\":[{}]", items.join(",")))
    }

    /// For a row of a list with dated rows, the days it is in force (its date cells, read
    /// from the module's data as its key is); `None` for other values and open rows.
    fn row_days(&self, v: &Value, ty: &Type) -> Option<Version> {
        let (Value::Row(r), Type::Row(l)) = (v, ty.required()) else { return None };
        let (from, until) = self.module.row_dates().ok()?.get(*l as usize)?.get(*r as usize)?;
        let day = |c: &Value| match c {
            Value::Date(d) => Some(format_date(*d)),
            _ => None,
        };
        let days = Version { from: day(from), until: day(until) };
        (days.from.is_some() || days.until.is_some()).then_some(days)
    }

    /// `,"in_force":{"field":{…},…}` for the outcome's fields that name a dated row.
    fn rows_in_force(&self, fields: &[(String, Type)], values: &[Value]) -> String {
        let items: Vec<String> = fields
            .iter()
            .zip(values)
            .filter_map(|((name, ty), v)| Some(format!("{}:{}", quoted(name), days(&self.row_days(v, ty)?))))
            .collect();
        if items.is_empty() {
            String::new()
        } else {
            format!(",\"in_force\":{{{}}}", items.join(","))
        }
    }

    fn check_hit(&self, hit: &crate::decided::CheckResult) -> String {
        let check = &self.m.checks[hit.check as usize];
        let rows: Vec<String> = match &check.over {
            Some(Type::Set(elem)) => hit.hits.iter().flatten().map(|v| self.value(v, elem)).collect(),
            _ => Vec::new(),
        };
        format!(
            "{{\"check\":{},\"reason\":{},\"cites\":{},\"rows\":[{}]}}",
            quoted(&check.name),
            quoted_or_null(check.reason.as_deref()),
            self.cites(&check.cites),
            rows.join(",")
        )
    }

    /// A value in the model's typing: decimals and dates as strings, sets as arrays, enum
    /// values by name and rows by key (as text).
    fn value(&self, v: &Value, ty: &Type) -> String {
        match (v, ty) {
            (Value::None, _) => "null".into(),
            (v, Type::Opt(inner)) => self.value(v, inner),
            (Value::Bool(b), _) => b.to_string(),
            (Value::Int(i), _) => i.to_string(),
            (Value::Dec(d), _) => format!("\"{}\"", format_decimal(*d)),
            (Value::Date(d), _) => format!("\"{}\"", format_date(*d)),
            (Value::Text(t), _) => quoted(t),
            (Value::Set(items), Type::Set(inner)) => {
                let items: Vec<String> = items.iter().map(|x| self.value(x, inner)).collect();
                format!("[{}]", items.join(","))
            }
            (v, ty) => quoted(&self.show(v, ty)),
        }
    }

    fn show(&self, v: &Value, ty: &Type) -> String {
        match (v, ty) {
            (Value::Enum(x), Type::Enum(e)) => self.m.enums[*e as usize]
                .variants
                .get(*x as usize)
                .map_or_else(|| format!("#{x}"), |v| v.name.clone()),
            (Value::Row(r), Type::Row(l)) => {
                let key =
                    self.module.row_keys().ok().and_then(|k| k.get(*l as usize)?.get(*r as usize).cloned());
                match key {
                    Some(Value::Text(t)) => t.to_string(),
                    Some(Value::None) => "none".into(),
                    Some(k) => k.to_string(),
                    None => format!("row#{r}"),
                }
            }
            (Value::Set(items), Type::Set(inner)) => {
                let items: Vec<String> = items.iter().map(|x| self.show(x, inner)).collect();
                format!("[{}]", items.join(", "))
            }
            (v, _) => v.to_string(),
        }
    }
}

/// The days of a version or a dated row: `{"from":"YYYY-MM-DD","until":null}`.
fn days(v: &Version) -> String {
    format!(
        "{{\"from\":{},\"until\":{}}}",
        quoted_or_null(v.from.as_deref()),
        quoted_or_null(v.until.as_deref())
    )
}

/// The version of a let in force on `day` (`YYYY-MM-DD`): the only one when the module was
/// made at a fixed day, else the one whose days hold it (the engine's `Let::version_on`).
fn version_on<'v>(versions: &'v [Version], day: Option<&str>) -> Option<&'v Version> {
    if versions.len() == 1 {
        return versions.first();
    }
    let day = day?;
    // ISO dates compare as text.
    versions
        .iter()
        .find(|v| v.from.as_deref().is_none_or(|f| f <= day) && v.until.as_deref().is_none_or(|u| day <= u))
}

impl Instance {
    /// A case given as JSON text (one object, as a line of a JSON Lines file) read and
    /// decided as case number `n`, written as its line of the result model: byte for byte
    /// what `qingdan eval --format json` writes for that line. A case that cannot be read
    /// gives the line with its `error` (E0301–E0307); E0902 (returned) when
    /// `options.decision` names no decision.
    pub fn decide_json(
        &mut self,
        module: &Module,
        case_json: &str,
        n: usize,
        options: &LineOptions<'_>,
    ) -> Result<String, Error> {
        if let Some(name) = options.decision {
            module.decision(name)?;
        }
        match module.read_case_json(case_json) {
            Ok(case) => self.result_line(module, &case, n, options),
            Err(e) => Ok(error_line(n, options.name, &e)),
        }
    }
}
