//! `qingdan diff OLD NEW --docx FILE`: the 修订对照表 as a Word document, for a review that
//! is handed in on paper. Landscape A4, a title naming both revisions, and per decision a
//! table — 条款/规则, 原规定, 修订后, 影响的情形, 示例 — whose header row repeats on each
//! page; then the list rows changed and the recorded cases decided differently. Each
//! change's example is decided again by both revisions here, to name the rule that decides
//! it and quote the clauses that rule cites.

use qingdan_dsl::Lang;
use qingdan_engine::analyse::diff::{ChangeReport, Report, Status};
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::{explain, Evaluator};
use qingdan_engine::Policy;

use crate::diff_cmd::CasesReport;
use crate::docx::write::{Body, Page, Para};
use crate::docx::Package;

/// The two revisions, with the names shown under the title.
pub struct Revisions<'p> {
    pub old: &'p Policy,
    pub new: &'p Policy,
    pub old_name: String,
    pub new_name: String,
}

struct Words {
    title: &'static str,
    old_rev: &'static str,
    new_rev: &'static str,
    decision: &'static str,
    list: &'static str,
    cases: &'static str,
    columns: [&'static str; 5],
    list_columns: [&'static str; 4],
    case_columns: [&'static str; 4],
    old: &'static str,
    new: &'static str,
    both: &'static str,
    rule: &'static str,
    default: &'static str,
    unchanged: &'static str,
    added: &'static str,
    removed: &'static str,
    undecided: &'static str,
    rows_added: &'static str,
    rows_removed: &'static str,
    no_case: &'static str,
    no_change: &'static str,
    any: &'static str,
    legend: &'static str,
    colon: &'static str,
    quote: (&'static str, &'static str),
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Zh => Words {
            title: "修订对照表",
            old_rev: "原版本",
            new_rev: "修订版本",
            decision: "决定",
            list: "清单",
            cases: "案例",
            columns: ["条款/规则", "原规定", "修订后", "影响的情形", "示例"],
            list_columns: ["条目", "字段", "原规定", "修订后"],
            case_columns: ["案例", "决定", "原规定", "修订后"],
            old: "原",
            new: "新",
            both: "原、新",
            rule: "规则",
            default: "默认结论",
            unchanged: "结论没有变化。",
            added: "新增的决定。",
            removed: "删除的决定。",
            undecided: "可能改变、未能确切判定的情形",
            rows_added: "（新增）",
            rows_removed: "（删除）",
            no_case: "没有案例的结论改变。",
            no_change: "两个版本对任何输入的结论都相同，清单也没有变化。",
            any: "所有输入",
            legend: "影响的情形：原为该结论的输入中，恰好满足这些条件的改为新结论；每个示例都由两个版本判定过。",
            colon: "：",
            quote: ("“", "”"),
        },
        Lang::En => Words {
            title: "Revision comparison table",
            old_rev: "Revision in force",
            new_rev: "Proposed revision",
            decision: "Decision",
            list: "List",
            cases: "Cases",
            columns: ["Clause / rule", "In force", "Revised", "Cases affected", "Example"],
            list_columns: ["Row", "Field", "In force", "Revised"],
            case_columns: ["Case", "Decision", "In force", "Revised"],
            old: "old",
            new: "new",
            both: "old and new",
            rule: "rule",
            default: "default outcome",
            unchanged: "No outcome changes.",
            added: "Decision added.",
            removed: "Decision removed.",
            undecided: "may change, not decided exactly",
            rows_added: "(added)",
            rows_removed: "(removed)",
            no_case: "No case changes outcome.",
            no_change: "Both revisions decide every input alike, and no list changed.",
            any: "every input",
            legend: "Cases affected: of the inputs with the old outcome, exactly those meeting these conditions get the new one; both revisions decided every example.",
            colon: ": ",
            quote: ("\"", "\""),
        },
    }
}

/// Column widths (twentieths of a point) of the change table on a landscape page.
const CHANGE_WIDTHS: [u32; 5] = [2900, 2300, 2300, 3170, 3900];
const FOUR_WIDTHS: [u32; 4] = [3000, 3000, 4285, 4285];

pub fn document(r: &Report, cases: Option<&CasesReport>, revs: &Revisions<'_>, lang: Lang) -> Package {
    let w = words(lang);
    let mut body = Body::new();
    body.paragraph(Para::Title, w.title);
    body.paragraph(Para::Subtitle, &format!("{}{}{}", w.old_rev, w.colon, revs.old_name));
    body.paragraph(Para::Subtitle, &format!("{}{}{}", w.new_rev, w.colon, revs.new_name));
    for i in &r.inputs {
        body.paragraph(Para::Note, i);
    }
    let nothing =
        r.decisions.iter().all(|d| {
            d.status == Status::Compared && d.changes.is_empty() && d.not_decided_exactly.is_empty()
        }) && r.lists.is_empty();
    if nothing {
        body.paragraph(Para::Normal, w.no_change);
    }
    for d in &r.decisions {
        body.paragraph(Para::Heading, &format!("{} {}", w.decision, d.name));
        match d.status {
            Status::Added => body.paragraph(Para::Normal, w.added),
            Status::Removed => body.paragraph(Para::Normal, w.removed),
            _ if d.changes.is_empty() && d.not_decided_exactly.is_empty() => {
                body.paragraph(Para::Normal, w.unchanged)
            }
            _ => {
                let mut rows: Vec<Vec<String>> =
                    d.changes.iter().map(|c| change_row(c, &d.name, revs, &w)).collect();
                for c in &d.not_decided_exactly {
                    let mut row = change_row(c, &d.name, revs, &w);
                    row[3] = format!("（{}）\n{}", w.undecided, row[3]);
                    rows.push(row);
                }
                body.table(&CHANGE_WIDTHS, &w.columns, &rows);
                body.paragraph(Para::Note, w.legend);
            }
        }
    }
    for l in &r.lists {
        body.paragraph(Para::Heading, &format!("{} {}", w.list, l.name));
        for n in &l.notes {
            body.paragraph(Para::Note, n);
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        rows.extend(
            l.added.iter().map(|k| vec![k.clone(), String::new(), String::new(), w.rows_added.into()]),
        );
        rows.extend(
            l.removed.iter().map(|k| vec![k.clone(), String::new(), w.rows_removed.into(), String::new()]),
        );
        for row in &l.changed {
            rows.extend(
                row.fields
                    .iter()
                    .map(|f| vec![row.key.clone(), f.field.clone(), f.old.clone(), f.new.clone()]),
            );
        }
        body.table(&FOUR_WIDTHS, &w.list_columns, &rows);
    }
    if let Some(c) = cases {
        body.paragraph(Para::Heading, &format!("{}（{}）", w.cases, c.file));
        if c.changed.is_empty() {
            body.paragraph(Para::Normal, w.no_case);
        } else {
            let rows: Vec<Vec<String>> = c
                .changed
                .iter()
                .map(|x| vec![x.case.clone(), x.decision.clone(), x.old.clone(), x.new.clone()])
                .collect();
            body.table(&FOUR_WIDTHS, &w.case_columns, &rows);
        }
    }
    body.finish(Page::Landscape, w.title)
}

/// One change: the deciding rules and their clauses, both outcomes, the conditions, the example.
fn change_row(c: &ChangeReport, decision: &str, revs: &Revisions<'_>, w: &Words) -> Vec<String> {
    let (old_why, new_why) = match &c.witness {
        Some(x) => (deciding(revs.old, decision, &x.input, w), deciding(revs.new, decision, &x.input, w)),
        None => (None, None),
    };
    let rules = |label: &str, why: &Option<Deciding>| match why {
        Some(d) => format!(
            "{label}{}{}{}",
            w.colon,
            d.rule,
            d.clauses.iter().map(|c| format!("\n{c}")).collect::<String>()
        ),
        None => String::new(),
    };
    let with_reason =
        |outcome: &str, why: &Option<Deciding>| match why.as_ref().and_then(|d| d.reason.as_ref()) {
            Some(reason) => format!("{outcome}\n{reason}"),
            None => outcome.to_string(),
        };
    // The same rule and clauses in both revisions are shown once.
    let same =
        matches!((&old_why, &new_why), (Some(a), Some(b)) if a.rule == b.rule && a.clauses == b.clauses);
    let clause_cell = if same {
        rules(w.both, &new_why)
    } else {
        [rules(w.old, &old_why), rules(w.new, &new_why)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let conditions = if c.conditions.is_empty() { w.any.to_string() } else { c.conditions.join("\n") };
    let example = match &c.witness {
        Some(x) => {
            let outcomes = format!("{}{}{}\n{}{}{}", w.old, w.colon, x.old, w.new, w.colon, x.new);
            if x.fields.is_empty() {
                outcomes
            } else {
                format!("{}\n{outcomes}", x.fields.join("\n"))
            }
        }
        None => String::new(),
    };
    vec![clause_cell, with_reason(&c.old, &old_why), with_reason(&c.new, &new_why), conditions, example]
}

/// A clause's text in a table cell: its first [`EXCERPT`] characters, so that one row
/// does not fill a page (the notices and `eval --explain` quote it whole).
fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT {
        return text.to_string();
    }
    let head: String = text.chars().take(EXCERPT).collect();
    format!("{}……", head.trim_end_matches('…'))
}

const EXCERPT: usize = 40;

/// The rule (or default) that decides an example in one revision, its reason and its
/// clauses as `SOURCE.CLAUSE “text”`.
struct Deciding {
    rule: String,
    reason: Option<String>,
    clauses: Vec<String>,
}

fn deciding(policy: &Policy, decision: &str, input: &serde_json::Value, w: &Words) -> Option<Deciding> {
    let d = policy.decisions.iter().position(|x| x.name == decision)?;
    let case = CaseReader::new(policy).read_json(&input.to_string()).into_iter().next()?.ok()?;
    let ev = Evaluator::new(policy);
    let mut frame = ev.frame(&case);
    let result = ev.decide(d as u32, &mut frame).ok()?;
    let shown = explain(&ev, &result, &mut frame).ok()?;
    let outcome = shown.outcomes.first()?;
    let cites = match &outcome.rule {
        Some(rule) => {
            shown.fired.iter().find(|t| &t.rule == rule).map(|t| t.cites.clone()).unwrap_or_default()
        }
        None => outcome.cites.clone(),
    };
    let rule = match &outcome.rule {
        Some(r) => format!("{} {r}", w.rule),
        None => w.default.to_string(),
    };
    let (open, close) = w.quote;
    let clauses = cites
        .iter()
        .map(|c| format!("{}.{} {open}{}{close}", c.source, c.clause, excerpt(&c.text)))
        .collect();
    Some(Deciding { rule, reason: outcome.reason.clone(), clauses })
}
