//! Versions in force over time: lets and rules that carry `自 … 起` / `至 … 止` (both ends
//! inclusive) and share a name, and the policy's `以 … 为准` field that dates a case.
//!
//! What is checked here, each with a day that shows it: a range that ends before it starts
//! (E0140), two versions of one name in force on one day (E0141), a day on which a
//! versioned let has no version (E0142: a parameter must have a value on every day, so
//! lowering can choose among its versions without ever leaving it empty), versions in a
//! policy that names no date field (E0143), a date field that is not a required date of an
//! input (E0144), versions of one let of different types (E0145). List rows may carry a
//! range too (written after an item's key, or in a data file's `施行日期`/`废止日期`
//! columns): a backwards one is E0140, and dated rows need the date field as versions do.

use std::collections::BTreeMap;

use super::env::ListId;
use super::{Checker, Ty};
use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::syntax::ast::{Decl, InForce, Module, Path};
use crate::value::Date;

/// The day after `d` (and before it): witnesses are days next to a version's end.
pub fn next_day(d: Date) -> Date {
    Date::from_days_since_epoch(d.days_since_epoch() + 1)
}

pub fn previous_day(d: Date) -> Date {
    Date::from_days_since_epoch(d.days_since_epoch() - 1)
}

/// A day on which both ranges are in force, if there is one: the later start (or, with
/// both starts open, the earlier end).
pub fn common_day(a: &InForce, b: &InForce) -> Option<Date> {
    let day = match (a.from, b.from) {
        (Some(x), Some(y)) => x.max(y),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => match (a.until, b.until) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => Date::parse("2000-01-01").expect("a valid date"),
        },
    };
    (a.holds_on(day) && b.holds_on(day)).then_some(day)
}

/// The first day not covered by versions sorted by start (an open start first), if any.
pub fn first_gap(sorted: &[InForce]) -> Option<Date> {
    let first = sorted.first()?;
    if let Some(from) = first.from {
        return Some(previous_day(from));
    }
    let mut covered_until = first.until;
    for v in &sorted[1..] {
        let end = covered_until?;
        match v.from {
            Some(from) if from > next_day(end) => return Some(next_day(end)),
            _ => {}
        }
        covered_until = v.until.map(|u| u.max(end));
    }
    covered_until.map(next_day)
}

/// The declarations of a module that carry a version range, by name, in file order.
fn versioned(module: &Module) -> BTreeMap<&str, Vec<(usize, InForce)>> {
    let mut by_name: BTreeMap<&str, Vec<(usize, InForce)>> = BTreeMap::new();
    for (i, decl) in module.decls.iter().enumerate() {
        let in_force = match decl {
            Decl::Let(l) => l.in_force,
            Decl::Rule(r) => r.in_force,
            _ => None,
        };
        if let Some(v) = in_force {
            by_name.entry(decl.name().name.as_str()).or_default().push((i, v));
        }
    }
    by_name
}

impl Checker<'_> {
    pub(super) fn check_versions(&mut self, m: usize) {
        let module = &self.modules[m];
        let groups = versioned(module);
        if let Some(p) = &module.as_of {
            self.check_as_of(m, p);
        }
        if let (None, Some((_, first))) = (&module.as_of, groups.values().flatten().next()) {
            self.diags.push(no_date_field(first.span));
        }
        self.check_dated_rows(m);
        for versions in groups.values() {
            for (_, v) in versions {
                if let (Some(from), Some(until)) = (v.from, v.until) {
                    if until < from {
                        self.diags.push(backwards(v.span, from, until));
                    }
                }
            }
            self.check_overlaps(m, versions);
            if matches!(module.decls[versions[0].0], Decl::Let(_)) {
                self.check_let_versions(m, versions);
            }
        }
    }

    fn check_overlaps(&mut self, m: usize, versions: &[(usize, InForce)]) {
        for (k, (_, b)) in versions.iter().enumerate() {
            let ok = |(_, v): &&(usize, InForce)| v.from.zip(v.until).is_none_or(|(f, u)| f <= u);
            if !ok(&&versions[k]) {
                continue;
            }
            let earlier = versions[..k].iter().filter(ok).find_map(|(_, a)| Some((a, common_day(a, b)?)));
            if let Some((a, day)) = earlier {
                let name = &self.modules[m].decls[versions[k].0].name().name;
                self.diags.push(overlap(name, b.span, a.span, day));
            }
        }
    }

    /// List rows with a range: each range runs forwards (E0140), and the policy names the
    /// date a case is decided at (E0143, once per list). Keys stay unique (E0119), so a
    /// revised row is a new row under a new key and rows never overlap as versions do.
    fn check_dated_rows(&mut self, m: usize) {
        let module = &self.modules[m];
        for (i, decl) in module.decls.iter().enumerate() {
            let Decl::List(l) = decl else { continue };
            let rows = self.rows(m, i, l);
            let mut ranges = rows.heads().filter_map(|item| item.in_force).peekable();
            if let (None, Some(first)) = (&module.as_of, ranges.peek()) {
                self.diags.push(rows_without_date_field(first.span));
            }
            for v in ranges {
                if let (Some(from), Some(until)) = (v.from, v.until) {
                    if until < from {
                        self.diags.push(row_backwards(v.span, from, until));
                    }
                }
            }
        }
    }

    /// A list of another policy named here: when its rows have dates and this policy names
    /// no decision date, the searches here could not tell which rows are in force (E0143,
    /// at the first mention, once per list). The list's own policy is told by
    /// [`Self::check_dated_rows`].
    pub(super) fn note_list_use(&mut self, m: usize, list: ListId, span: crate::Span) {
        let owner = self.env.lists[list.0].module;
        if owner == m || self.modules[m].as_of.is_some() || self.dated_use_told.contains(&(m, list.0)) {
            return;
        }
        let name = &self.env.lists[list.0].name;
        let decls = &self.modules[owner].decls;
        let dated = decls.iter().enumerate().any(|(i, d)| match d {
            Decl::List(l) if &l.name.name == name => {
                self.rows(owner, i, l).heads().any(|r| r.in_force.is_some())
            }
            _ => false,
        });
        if dated {
            self.dated_use_told.insert((m, list.0));
            self.diags.push(rows_without_date_field(span));
        }
    }

    /// A let's versions: one type, and a version for every day.
    fn check_let_versions(&mut self, m: usize, versions: &[(usize, InForce)]) {
        let decl = &self.modules[m].decls[versions[0].0];
        let name = decl.name().name.clone();
        let first_ty = self.let_type(m, versions[0].0);
        for (i, v) in &versions[1..] {
            let ty = self.let_type(m, *i);
            let comparable = !matches!(ty, Ty::Error) && !matches!(first_ty, Ty::Error);
            if comparable && ty != first_ty {
                let (a, b) = (first_ty.describe(&self.env), ty.describe(&self.env));
                self.diags.push(type_differs(&name, v.span, versions[0].1.span, &a, &b));
            }
        }
        let mut sorted: Vec<InForce> = versions.iter().map(|(_, v)| *v).collect();
        if sorted.iter().any(|v| v.from.zip(v.until).is_some_and(|(f, u)| u < f)) {
            return;
        }
        sorted.sort_by_key(|v| v.from);
        if let Some(day) = first_gap(&sorted) {
            let near = sorted.iter().find(|v| v.until.is_some_and(|u| next_day(u) == day));
            let near = near.or(sorted.iter().find(|v| v.from.is_some_and(|f| previous_day(f) == day)));
            let span = near.map_or(sorted[0].span, |v| v.span);
            self.diags.push(gap(&name, span, day));
        }
    }

    /// `以 申请.申请日期 为准`: a required date field of one of the policy's inputs.
    fn check_as_of(&mut self, m: usize, p: &Path) {
        let ty = self.as_of_type(m, p);
        if ty != Some(Ty::Date) {
            let shown = ty.map(|t| t.describe(&self.env));
            self.diags.push(bad_as_of(p, shown));
        }
    }

    fn as_of_type(&self, m: usize, p: &Path) -> Option<Ty> {
        let (input, fields) = p.parts.split_first()?;
        let Some(super::Def::Input(mut record)) = self.env.peek(m, &input.name) else { return None };
        let mut ty = None;
        for f in fields {
            let field = self.env.records[record.0].field(&f.name)?;
            if let Ty::Record(r) = field.ty {
                record = r;
            }
            ty = Some(field.ty.clone());
        }
        ty
    }
}

fn no_date_field(span: crate::Span) -> Diagnostic {
    Diagnostic::new(
        Code::E0143,
        span,
        msg(
            "有施行日期的版本，但政策没有指明以哪个日期为准",
            "versions with dates, but the policy does not say which date a case is decided at",
        ),
    )
    .help(msg(
        "在政策名后写明案件的日期字段，如 `政策 救助 以 申请.申请日期 为准`",
        "name the case's date field after the policy's name, e.g. `policy aid as of application.date`",
    ))
}

fn backwards(span: crate::Span, from: Date, until: Date) -> Diagnostic {
    Diagnostic::new(
        Code::E0140,
        span,
        msg(
            format!("版本自 {from} 起施行，却至 {until} 止：废止日期早于施行日期"),
            format!("the version is in force from {from} until {until}: it ends before it starts"),
        ),
    )
    .help(msg("检查两个日期是否写反了", "check whether the two dates are swapped"))
}

fn rows_without_date_field(span: crate::Span) -> Diagnostic {
    let d = no_date_field(span);
    Diagnostic {
        message: msg(
            "清单的行有施行日期，但政策没有指明以哪个日期为准",
            "list rows with dates, but the policy does not say which date a case is decided at",
        ),
        ..d
    }
}

fn row_backwards(span: crate::Span, from: Date, until: Date) -> Diagnostic {
    let d = backwards(span, from, until);
    Diagnostic {
        message: msg(
            format!("这一行自 {from} 起施行，却至 {until} 止：废止日期早于施行日期"),
            format!("the row is in force from {from} until {until}: it ends before it starts"),
        ),
        ..d
    }
}

fn overlap(name: &str, span: crate::Span, other: crate::Span, day: Date) -> Diagnostic {
    Diagnostic::new(
        Code::E0141,
        span,
        msg(
            format!("`{name}` 的两个版本在 {day} 同时施行"),
            format!("two versions of `{name}` are both in force on {day}"),
        ),
    )
    .secondary(other, msg("另一个版本", "the other version"))
    .help(msg(
        "让一个版本在另一个施行的前一天止（`至 … 止` 含当天）",
        "end one version the day before the other starts (`until` includes its day)",
    ))
}

fn gap(name: &str, span: crate::Span, day: Date) -> Diagnostic {
    Diagnostic::new(
        Code::E0142,
        span,
        msg(
            format!("`{name}` 在 {day} 没有施行的版本"),
            format!("`{name}` has no version in force on {day}"),
        ),
    )
    .help(msg(
        "参数每天都须有值：最早的版本不写 `自 … 起`，最新的不写 `至 … 止`，相邻版本首尾相接",
        "a parameter needs a value on every day: leave `from` off the earliest version and `until` off \
         the latest, and let each version start the day after the one before ends",
    ))
}

fn bad_as_of(p: &Path, ty: Option<Msg>) -> Diagnostic {
    let parts: Vec<&str> = p.parts.iter().map(|i| i.name.as_str()).collect();
    let shown = parts.join(".");
    let (zh, en) = match ty {
        None => (format!("`{shown}` 不是输入的字段"), format!("`{shown}` is not a field of an input")),
        Some(t) => (
            format!("`{shown}` 的类型是 {}，不是必填的日期", t.zh),
            format!("`{shown}` has type {}, not a required date", t.en),
        ),
    };
    Diagnostic::new(Code::E0144, p.span, msg(zh, en)).help(msg(
        "以输入中一个必填的日期字段为准，如 `申请.申请日期`（类型 `日期`，不带 `?`）",
        "name a required date field of an input, e.g. `application.date` (type `date`, no `?`)",
    ))
}

fn type_differs(name: &str, span: crate::Span, first: crate::Span, a: &Msg, b: &Msg) -> Diagnostic {
    Diagnostic::new(
        Code::E0145,
        span,
        msg(
            format!("`{name}` 的这个版本是 {}，第一个版本是 {}", b.zh, a.zh),
            format!("this version of `{name}` is {}, the first is {}", b.en, a.en),
        ),
    )
    .secondary(first, msg("第一个版本", "the first version"))
    .help(msg(
        "各版本须是同一类型：写明类型，如 `令 限额: 小数 …`",
        "give every version one type, e.g. `let limit: decimal …`",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    fn v(from: Option<&str>, until: Option<&str>) -> InForce {
        InForce { from: from.map(d), until: until.map(d), span: crate::Span::default() }
    }

    #[test]
    fn a_common_day_is_in_both_ranges() {
        let a = v(Some("2024-01-01"), Some("2024-12-31"));
        assert_eq!(common_day(&a, &v(Some("2024-12-31"), None)), Some(d("2024-12-31")));
        assert_eq!(common_day(&a, &v(Some("2025-01-01"), None)), None);
        assert_eq!(
            common_day(&v(None, Some("2024-03-01")), &v(None, Some("2024-02-01"))),
            Some(d("2024-02-01"))
        );
    }

    #[test]
    fn the_first_gap_is_the_first_uncovered_day() {
        let tiled = [v(None, Some("2024-12-31")), v(Some("2025-01-01"), None)];
        assert_eq!(first_gap(&tiled), None);
        let hole = [v(None, Some("2024-12-30")), v(Some("2025-01-01"), None)];
        assert_eq!(first_gap(&hole), Some(d("2024-12-31")));
        assert_eq!(first_gap(&[v(Some("2025-01-01"), None)]), Some(d("2024-12-31")));
        assert_eq!(first_gap(&[v(None, Some("2025-01-01"))]), Some(d("2025-01-02")));
    }
}
