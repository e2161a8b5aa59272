//! Regions in words: a box of cells as conditions a reviewer reads ("每月频次 属于 5..8",
//! "运行状态 = 平时", "留痕要求 包含 照片"), in both languages.

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::{Lang, SourceMap};
use serde::Serialize;

use crate::value::{format_date, format_decimal, Value};

use super::mdd::{CellBox, CellSet, DimId};
use super::space::{CellKind, DimOf, Domain, Sort, Space, DATE_MAX, DATE_MIN};

/// One condition of a region: what it is about, and what it says of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// An input field (`申请.每月频次`) or, for a term, its text as written.
    pub subject: String,
    pub zh: String,
    pub en: String,
}

impl Condition {
    pub fn text(&self, lang: Lang) -> String {
        let says = if lang == Lang::Zh { &self.zh } else { &self.en };
        if self.subject.is_empty() {
            return says.clone();
        }
        format!("{} {says}", self.subject)
    }
}

/// The conditions of a box, field by field (terms after fields).
pub(crate) fn describe_box(
    space: &Space<'_>,
    bx: &CellBox,
    sources: &[Option<&SourceMap>],
) -> Vec<Condition> {
    let mut entries: Vec<&(DimId, CellSet)> = bx.iter().collect();
    entries.sort_by_key(|(d, _)| *d);
    entries.into_iter().filter_map(|(d, cells)| describe_dim(space, *d, cells, sources)).collect()
}

fn describe_dim(
    space: &Space<'_>,
    d: DimId,
    allowed: &CellSet,
    sources: &[Option<&SourceMap>],
) -> Option<Condition> {
    let dim = &space.dims[d as usize];
    if allowed.count() == dim.cells.len() {
        return None;
    }
    match dim.of {
        DimOf::Field(f) => {
            let field = &space.fields[f];
            let said = match &field.domain {
                Domain::Scalar(sort) => ranges(space, d, allowed, *sort),
                Domain::Rows { .. } => rows(space, f, d, allowed),
                _ => values(space, d, &allowed.iter().collect::<Vec<_>>()),
            };
            Some(Condition { subject: field.name.clone(), zh: said.zh, en: said.en })
        }
        DimOf::Bit(f, b) => {
            let field = &space.fields[f];
            let Domain::Bits { shown, .. } = &field.domain else { return None };
            let yes = allowed.iter().any(|c| dim.cells[c as usize].kind == CellKind::Truth(true));
            let name = shown.get(b).cloned().unwrap_or_default();
            let said = if yes {
                msg(format!("包含 {name}"), format!("contains {name}"))
            } else {
                msg(format!("不包含 {name}"), format!("does not contain {name}"))
            };
            Some(Condition { subject: field.name.clone(), zh: said.zh, en: said.en })
        }
        DimOf::Term(t) => {
            let term = &space.terms[t];
            let subject = sources
                .get(term.policy)
                .copied()
                .flatten()
                .map(|s| format!("`{}`", one_line(s.text(term.span))))
                .unwrap_or_else(|| format!("`{}`", space.policies[term.policy].expr(&term.expr)));
            let said = match term.sort {
                None => {
                    let yes = allowed.iter().any(|c| dim.cells[c as usize].kind == CellKind::Truth(true));
                    if yes {
                        msg("成立", "holds")
                    } else {
                        msg("不成立", "does not hold")
                    }
                }
                Some(sort) => ranges(space, d, allowed, sort),
            };
            Some(Condition { subject, zh: said.zh, en: said.en })
        }
    }
}

fn one_line(s: &str) -> String {
    let joined: Vec<&str> = s.split_whitespace().collect();
    let text = joined.join(" ");
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Enum, bool and optional values: `= 平时`, `≠ 战时`, `属于 {A, B}`, `无值`.
fn values(space: &Space<'_>, d: DimId, allowed: &[u32]) -> Msg {
    let dim = &space.dims[d as usize];
    let name = |c: u32| cell_name(space, d, c);
    // `allowed` is in order.
    let excluded: Vec<u32> =
        (0..dim.cells.len() as u32).filter(|c| allowed.binary_search(c).is_err()).collect();
    match (allowed, excluded.as_slice()) {
        ([one], _) => is(name(*one)),
        (_, [one]) => is_not(name(*one)),
        _ => one_of(allowed.iter().map(|c| name(*c)).collect()),
    }
}

fn is(v: Msg) -> Msg {
    if v.zh == "无值" {
        return v;
    }
    msg(format!("= {}", v.zh), format!("= {}", v.en))
}

fn is_not(v: Msg) -> Msg {
    if v.zh == "无值" {
        return msg("有值", "is some");
    }
    msg(format!("≠ {}", v.zh), format!("≠ {}", v.en))
}

fn one_of(names: Vec<Msg>) -> Msg {
    let zh: Vec<String> = names.iter().map(|n| n.zh.clone()).collect();
    let en: Vec<String> = names.iter().map(|n| n.en.clone()).collect();
    msg(format!("属于 {{{}}}", zh.join(", ")), format!("in {{{}}}", en.join(", ")))
}

/// A finite cell's name (`无值` for the absent value).
fn cell_name(space: &Space<'_>, d: DimId, c: u32) -> Msg {
    let dim = &space.dims[d as usize];
    let cell = &dim.cells[c as usize];
    match (&cell.kind, &dim.of) {
        (CellKind::Absent, _) => msg("无值", "none"),
        (CellKind::Value(i), DimOf::Field(f)) => match &space.fields[*f].domain {
            Domain::Finite { shown, .. } => {
                let s = shown.get(*i).cloned().unwrap_or_default();
                msg(s.clone(), s)
            }
            _ => msg("?", "?"),
        },
        _ => msg("?", "?"),
    }
}

/// Row cells: by the one row field conditions read (`的 纳入方式 = 临时`), else by key.
fn rows(space: &Space<'_>, f: usize, d: DimId, allowed: &CellSet) -> Msg {
    let Domain::Rows { keys, paths, bare, .. } = &space.fields[f].domain else { return msg("?", "?") };
    let dim = &space.dims[d as usize];
    let mut absent = false;
    let mut members = Vec::new();
    let mut reps = Vec::new();
    for c in allowed.iter() {
        let cell = &dim.cells[c as usize];
        match &cell.kind {
            CellKind::Absent => absent = true,
            CellKind::Class(m) => {
                members.extend(m.iter().map(|k| plain(&keys[*k])));
                reps.push(cell.rep.clone());
            }
            _ => {}
        }
    }
    let body = match (members.is_empty(), *bare, paths.as_slice()) {
        (true, _, _) => None,
        (false, false, [path]) => Some(by_path(space, f, &reps, path)),
        _ => Some(by_keys(&members)),
    };
    match (absent, body) {
        (true, None) => msg("无值", "none"),
        (true, Some(b)) => msg(format!("无值，或 {}", b.zh), format!("none, or {}", b.en)),
        (false, Some(b)) => b,
        (false, None) => msg("?", "?"),
    }
}

/// `的 纳入方式 属于 {常态, 临时}`: the values of the one row field conditions read.
fn by_path(space: &Space<'_>, f: usize, reps: &[Vec<Value>], path: &[String]) -> Msg {
    let Some(p) = space.fields[f].slots.iter().position(Option::is_some) else { return msg("?", "?") };
    let policy = space.policies[p];
    let list = match space.fields[f].slots[p].map(|s| &policy.slots[s as usize].ty) {
        Some(crate::ir::Type::Row(l)) => *l,
        Some(crate::ir::Type::Opt(inner)) => match **inner {
            crate::ir::Type::Row(l) => l,
            _ => return msg("?", "?"),
        },
        _ => return msg("?", "?"),
    };
    let mut vals: Vec<String> = reps
        .iter()
        .filter_map(|rep| match rep.get(p) {
            Some(Value::Row(r)) => Some(super::rows::follow_shown(policy, list, *r, path)),
            _ => None,
        })
        .collect();
    vals.sort();
    vals.dedup();
    let field = path.join(".");
    if let [one] = vals.as_slice() {
        return msg(format!("的 {field} = {one}"), format!("with {field} = {one}"));
    }
    msg(
        format!("的 {field} 属于 {{{}}}", vals.join(", ")),
        format!("with {field} in {{{}}}", vals.join(", ")),
    )
}

fn by_keys(keys: &[String]) -> Msg {
    const SHOWN: usize = 6;
    let n = keys.len();
    let list: Vec<String> = keys.iter().take(SHOWN).cloned().collect();
    if n == 1 {
        return msg(format!("= {}", list[0]), format!("= {}", list[0]));
    }
    let more_zh = if n > SHOWN { format!(" 等 {n} 条") } else { String::new() };
    let more_en = if n > SHOWN { format!(" ({n} rows)") } else { String::new() };
    msg(format!("属于 {{{}}}{more_zh}", list.join(", ")), format!("in {{{}}}{more_en}", list.join(", ")))
}

/// Ordered cells merged into stretches: `属于 5..8`, `≥ 601`, `= 600`, `无值`.
fn ranges(space: &Space<'_>, d: DimId, allowed: &CellSet, sort: Sort) -> Msg {
    let dim = &space.dims[d as usize];
    let mut parts: Vec<Msg> = Vec::new();
    let mut stretch: Option<(i64, i64)> = None;
    let mut texts: Vec<String> = Vec::new();
    let mut other_text = false;
    let flush = |s: &mut Option<(i64, i64)>, parts: &mut Vec<Msg>| {
        if let Some((lo, hi)) = s.take() {
            parts.push(stretch_text(sort, lo, hi));
        }
    };
    // A run of stretches is one stretch, from its first cell to its last: looked at
    // run by run, not cell by cell (a field may be cut into many thousands of cells).
    let cells = &dim.cells;
    let is_stretch = |c: u32| matches!(cells[c as usize].kind, CellKind::Range(..));
    let items = allowed.runs().iter().flat_map(|r| {
        // Only the absent cell (the first) comes before the stretches of a number field.
        let single = (!is_stretch(r.start) && sort != Sort::Text).then_some((r.start, r.start));
        let from = r.start + u32::from(single.is_some());
        let rest: Box<dyn Iterator<Item = (u32, u32)>> = match sort {
            Sort::Text => Box::new((from..r.end).map(|c| (c, c))),
            _ => Box::new((from < r.end).then_some((from, r.end - 1)).into_iter()),
        };
        single.into_iter().chain(rest)
    });
    for (c, last) in items {
        match &cells[c as usize].kind {
            CellKind::Range(lo, _) => {
                let CellKind::Range(_, hi) = cells[last as usize].kind else { continue };
                match stretch {
                    Some((a, b)) if b.checked_add(1) == Some(*lo) => stretch = Some((a, hi)),
                    _ => {
                        flush(&mut stretch, &mut parts);
                        stretch = Some((*lo, hi));
                    }
                }
            }
            CellKind::Absent => parts.push(msg("无值", "none")),
            CellKind::Text(t) => texts.push(format!("\"{t}\"")),
            CellKind::OtherText => other_text = true,
            _ => {}
        }
    }
    flush(&mut stretch, &mut parts);
    if sort == Sort::Text {
        let named: std::collections::HashSet<&String> = texts.iter().collect();
        let listed: Vec<String> = dim
            .cells
            .iter()
            .filter_map(|c| match &c.kind {
                CellKind::Text(t) => Some(format!("\"{t}\"")),
                _ => None,
            })
            .filter(|t| !named.contains(t))
            .collect();
        if other_text && listed.is_empty() {
            let any =
                dim.cells.iter().any(|c| c.kind == CellKind::Absent) && !parts.iter().any(|p| p.zh == "无值");
            if any {
                parts.push(msg("有值", "is some"));
            }
        } else if other_text {
            parts.push(msg(
                format!("不属于 {{{}}}", listed.join(", ")),
                format!("not in {{{}}}", listed.join(", ")),
            ));
        } else if texts.len() == 1 {
            parts.push(msg(format!("= {}", texts[0]), format!("= {}", texts[0])));
        } else if !texts.is_empty() {
            parts.push(one_of(texts.iter().map(|t| msg(t.clone(), t.clone())).collect()));
        }
    }
    let zh: Vec<String> = parts.iter().map(|p| p.zh.clone()).collect();
    let en: Vec<String> = parts.iter().map(|p| p.en.clone()).collect();
    msg(zh.join(" 或 "), en.join(" or "))
}

fn stretch_text(sort: Sort, lo: i64, hi: i64) -> Msg {
    let (min, max) = if sort == Sort::Date { (DATE_MIN, DATE_MAX) } else { (i64::MIN, i64::MAX) };
    let v = |x: i64| unit_text(sort, x);
    match (lo == min, hi == max) {
        _ if lo == hi => msg(format!("= {}", v(lo)), format!("= {}", v(lo))),
        (true, true) => msg("任意", "any"),
        (true, false) => msg(format!("≤ {}", v(hi)), format!("≤ {}", v(hi))),
        (false, true) => msg(format!("≥ {}", v(lo)), format!("≥ {}", v(lo))),
        (false, false) => msg(format!("属于 {}..{}", v(lo), v(hi)), format!("in {}..{}", v(lo), v(hi))),
    }
}

fn unit_text(sort: Sort, x: i64) -> String {
    match sort {
        Sort::Int | Sort::Text => x.to_string(),
        Sort::Dec => format_decimal(x),
        Sort::Date => format_date(x.clamp(DATE_MIN, DATE_MAX) as i32),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Text(t) => t.to_string(),
        other => other.to_string(),
    }
}
