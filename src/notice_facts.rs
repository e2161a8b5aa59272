//! What a decision notice says about one case: the placeholders a template may use and
//! their values, in the policy's language. `{{结果}}` the outcome, `{{理由}}` the reasons of
//! the rules that decided it, `{{条款}}` the clauses they cite (quoted), `{{补正事项}}` and
//! every other value the outcome carries by its name, `{{日期}}`, `{{案例}}`, `{{决定}}`,
//! `{{规则}}`, and each input field by name (`{{事项名称}}`, or `{{申请.事项名称}}`).

use qingdan_dsl::value::Date;
use qingdan_dsl::Lang;
use qingdan_engine::eval::explain::{Explanation, ShownCite};
use qingdan_engine::eval::DecisionResult;
use qingdan_engine::ir::Type;
use qingdan_engine::{Policy, Value};

use crate::docx::fill::Fill;

/// The placeholders of one case's notice for one decision.
pub struct Facts {
    values: Vec<(String, Fill)>,
}

impl Facts {
    pub fn get(&self, name: &str) -> Option<Fill> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    /// Every name, for a warning that lists what a template could have used.
    pub fn names(&self) -> Vec<&str> {
        self.values.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// The words of fixed placeholders: (中文, English).
pub const OUTCOME: (&str, &str) = ("结果", "outcome");
pub const REASONS: (&str, &str) = ("理由", "reasons");
pub const CLAUSES: (&str, &str) = ("条款", "clauses");
pub const RULES: (&str, &str) = ("规则", "rules");
pub const DATE: (&str, &str) = ("日期", "date");
pub const CASE: (&str, &str) = ("案例", "case");
pub const DECISION: (&str, &str) = ("决定", "decision");

pub struct Case<'a> {
    pub name: &'a str,
    pub values: &'a [Value],
    pub result: &'a DecisionResult,
    pub shown: &'a Explanation,
    pub date: Date,
}

pub fn facts(policy: &Policy, case: &Case<'_>) -> Facts {
    let lang = policy.lang;
    let mut values: Vec<(String, Fill)> = Vec::new();
    let mut put = |names: (&str, &str), fill: Fill| {
        // Both languages' names work in every template: an office may copy an English one.
        values.push((names.0.to_string(), fill.clone()));
        values.push((names.1.to_string(), fill));
    };
    let e = case.shown;
    put(OUTCOME, Fill::Text(e.outcomes.iter().map(|o| o.outcome.clone()).collect::<Vec<_>>().join("、")));
    put(DECISION, Fill::Text(e.decision.clone()));
    put(CASE, Fill::Text(case.name.to_string()));
    put(DATE, Fill::Text(long_date(case.date, lang)));
    put(REASONS, items(reasons(e), lang));
    put(RULES, items(rules(e, lang), lang));
    put(CLAUSES, items(cites(e).iter().map(|c| quote_clause(policy, c)).collect(), lang));
    // The outcome's values by name: a set (the corrections) is one paragraph per item.
    for outcome in &case.result.outcomes {
        let decision = &policy.decisions[case.result.decision as usize];
        let variant = &policy.enums[decision.outcome_enum as usize].variants[outcome.variant as usize];
        for ((name, ty), value) in variant.fields.iter().zip(&outcome.fields) {
            values.push((name.clone(), shown_fill(policy, value, ty, lang)));
        }
    }
    for (i, slot) in policy.slots.iter().enumerate() {
        let value = case.values.get(i).cloned().unwrap_or_default();
        let text = Fill::Text(shown(policy, &value, &slot.ty, lang));
        let input = &policy.inputs[slot.input as usize].name;
        values.push((format!("{input}.{}", slot.path.join(".")), text.clone()));
        values.push((slot.path.join("."), text));
    }
    Facts { values }
}

/// A list placeholder; empty lists read "无" / "none" rather than vanish with their line.
fn items(list: Vec<String>, lang: Lang) -> Fill {
    if list.is_empty() {
        Fill::Text(none_word(lang).into())
    } else {
        Fill::Items(list)
    }
}

fn none_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "无",
        Lang::En => "none",
    }
}

/// The reasons of the rules that decided, each once, in file order (the default's when none did).
fn reasons(e: &Explanation) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let from_rules = e.fired.iter().filter(|t| t.outcome.is_some()).filter_map(|t| t.reason.clone());
    for r in from_rules.chain(e.outcomes.iter().filter(|o| o.rule.is_none()).filter_map(|o| o.reason.clone()))
    {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn rules(e: &Explanation, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> =
        e.fired.iter().filter(|t| t.outcome.is_some()).map(|t| t.rule.clone()).collect();
    if e.outcomes.iter().any(|o| o.rule.is_none()) {
        out.push(match lang {
            Lang::Zh => "默认结论".into(),
            Lang::En => "default outcome".into(),
        });
    }
    out
}

/// The clauses cited by the deciding rules (and the default), each once.
fn cites(e: &Explanation) -> Vec<ShownCite> {
    let mut out: Vec<ShownCite> = Vec::new();
    let rule_cites = e.fired.iter().filter(|t| t.outcome.is_some()).flat_map(|t| t.cites.iter());
    for c in rule_cites.chain(e.outcomes.iter().flat_map(|o| o.cites.iter())) {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

/// `《舟山市网格化服务管理条例》第24条：“……”` (English: `Title, clause 24: "…"`).
fn quote_clause(policy: &Policy, c: &ShownCite) -> String {
    let title =
        policy.sources.iter().find(|s| s.name == c.source).map_or(c.source.as_str(), |s| s.title.as_str());
    match policy.lang {
        Lang::Zh => {
            let clause = if c.clause.chars().all(|ch| ch.is_ascii_digit()) {
                format!("第{}条", c.clause)
            } else {
                c.clause.clone()
            };
            format!("《{title}》{clause}：“{}”", c.text)
        }
        Lang::En => format!("{title}, {}: \"{}\"", c.clause, c.text),
    }
}

fn shown_fill(policy: &Policy, value: &Value, ty: &Type, lang: Lang) -> Fill {
    match (value, ty) {
        (Value::Set(list), Type::Set(inner)) => items(
            list.iter()
                .enumerate()
                .map(|(i, v)| format!("{}. {}", i + 1, shown(policy, v, inner, lang)))
                .collect(),
            lang,
        ),
        _ => Fill::Text(shown(policy, value, ty, lang)),
    }
}

/// A value as a notice prints it: texts unquoted, dates and truth values in words.
fn shown(policy: &Policy, value: &Value, ty: &Type, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match (value, ty) {
        (Value::None, _) => none_word(lang).into(),
        (v, Type::Opt(inner)) => shown(policy, v, inner, lang),
        (Value::Bool(b), _) => match (zh, b) {
            (true, true) => "是".into(),
            (true, false) => "否".into(),
            (false, b) => if *b { "yes" } else { "no" }.into(),
        },
        (Value::Date(days), _) => long_date(Date::from_days_since_epoch(i64::from(*days)), lang),
        (Value::Text(t), _) => t.to_string(),
        (Value::Row(r), Type::Row(l)) => row_name(policy, *r, *l).unwrap_or_else(|| policy.show(value, ty)),
        (Value::Set(list), Type::Set(inner)) => {
            let parts: Vec<String> = list.iter().map(|v| shown(policy, v, inner, lang)).collect();
            if parts.is_empty() {
                none_word(lang).into()
            } else {
                parts.join(if zh { "、" } else { ", " })
            }
        }
        (v, t) => policy.show(v, t),
    }
}

/// A row as a letter names it: its `名称` / `name` field and its key, `区民政局（QU-MZ）`.
fn row_name(policy: &Policy, r: u32, l: u32) -> Option<String> {
    let list = policy.lists.get(l as usize)?;
    let row = list.rows.get(r as usize)?;
    let name = list.fields.iter().position(|(n, _)| n == "名称" || n == "name")?;
    match (&row[name], &row[list.key]) {
        (Value::Text(n), Value::Text(k)) => Some(format!("{n}（{k}）")),
        _ => None,
    }
}

/// `2025年3月1日`, or `2025-03-01` in English.
pub fn long_date(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", d.year, d.month, d.day),
        Lang::En => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
    }
}
