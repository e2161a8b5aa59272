//! Findings as diagnostics for `qingdan check`: codes E04xx (a declared `unique` or
//! `total` decision that does not hold) and W04xx (everything else), in both languages,
//! with the witness in the help line.

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::{Code, Diagnostic, Program, SourceMap, Span};

use crate::ir::{Policy, RuleId};

use super::findings::{Analysis, Finding, FindingKind, Question, Witness};

/// Lowers and analyses every policy of a checked program without errors; the findings
/// of all of them as diagnostics (none when the program has errors: it cannot be lowered).
pub fn program_diagnostics(program: &Program) -> Vec<Diagnostic> {
    if program.has_errors() || program.checked.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for pm in &program.modules {
        let Ok(policy) = crate::lower(program, Some(&pm.module.name.name)) else { continue };
        let analysis = super::analyse(&policy);
        out.extend(diagnostics(&policy, &analysis, &program.sources));
    }
    out
}

/// The diagnostics for one policy's findings.
pub fn diagnostics(p: &Policy, a: &Analysis, sources: &SourceMap) -> Vec<Diagnostic> {
    a.findings.iter().map(|f| diagnostic(p, f, sources)).collect()
}

/// A span cut to its first line: a rule is marked at its header, not over its whole body.
fn head(span: Span, sources: &SourceMap) -> Span {
    let text = sources.text(span);
    match text.find('\n') {
        Some(i) => Span { end: span.start + text[..i].trim_end().len() as u32, ..span },
        None => span,
    }
}

fn rule_name(p: &Policy, r: RuleId) -> &str {
    p.rules.get(r as usize).map_or("?", |x| x.name.as_str())
}

fn decision_name(p: &Policy, f: &Finding) -> String {
    f.decision.and_then(|d| p.decisions.get(d as usize)).map_or_else(String::new, |d| d.name.clone())
}

/// `申请.每月频次 = 601，申请.运行状态 = 平时`; the other fields do not matter.
fn witness_text(w: &Witness) -> Msg {
    const SHOWN: usize = 8;
    let parts: Vec<String> = w.shown.iter().take(SHOWN).map(|(n, v)| format!("{n} = {v}")).collect();
    let more = w.shown.len() > SHOWN;
    let (zh, en) = if parts.is_empty() {
        ("任意输入".to_string(), "any input".to_string())
    } else {
        (parts.join("，"), parts.join(", "))
    };
    msg(format!("{zh}{}", if more { "，……" } else { "" }), format!("{en}{}", if more { ", …" } else { "" }))
}

fn example(w: &Option<Witness>) -> Msg {
    match w {
        Some(w) => {
            let t = witness_text(w);
            msg(format!("例如输入 {}", t.zh), format!("for example an input with {}", t.en))
        }
        None => msg("", ""),
    }
}

/// Joins an example and a hint into one help text.
fn help(example: Msg, hint: Msg) -> Msg {
    let join =
        |a: &str, b: &str, sep: &str| if a.is_empty() { b.to_string() } else { format!("{a}{sep}{b}") };
    msg(join(&example.zh, &hint.zh, "；"), join(&example.en, &hint.en, "; "))
}

fn diagnostic(p: &Policy, f: &Finding, sources: &SourceMap) -> Diagnostic {
    let d = decision_name(p, f);
    let at = head(f.span, sources);
    let rule_at = |r: RuleId| head(p.rules[r as usize].span, sources);
    match &f.kind {
        FindingKind::UniqueOverlap { rules: [first, second] } => {
            let (a, b) = (rule_name(p, *first), rule_name(p, *second));
            Diagnostic::new(
                Code::E0401,
                at,
                msg(
                    format!("`唯一` 决定 `{d}` 的规则 `{a}` 和 `{b}` 可以同时触发"),
                    format!("rules `{a}` and `{b}` of the `unique` decision `{d}` can fire together"),
                ),
            )
            .secondary(rule_at(*first), msg(format!("与 `{b}` 同时触发"), format!("fires together with `{b}`")))
            .help(help(
                example(&f.witness),
                msg(
                    "让两条规则的条件互斥（例如给其中一条加 `除非`），或改用 `优先` 或 `首个` 组合",
                    "make their conditions exclusive (an `unless` on one of them), or combine by `priority` or `first`",
                ),
            ))
        }
        FindingKind::Gap => Diagnostic::new(
            Code::E0402,
            at,
            msg(
                format!("`完备` 决定 `{d}` 对某些输入没有任何规则触发"),
                format!("no rule of the `total` decision `{d}` fires for some inputs"),
            ),
        )
        .help(help(
            example(&f.witness),
            msg(
                "为这些情形补一条规则，或给决定一个 `默认` 结论",
                "add a rule for these inputs, or give the decision a `default`",
            ),
        )),
        FindingKind::TiedValues { variant, pairs } => tied(p, f, *variant, pairs, at, sources),
        FindingKind::Shadowed { rule, by } => {
            let r = rule_name(p, *rule);
            let mut diag = Diagnostic::new(
                Code::W0402,
                at,
                msg(
                    format!("`首个` 决定 `{d}` 中，规则 `{r}` 触发时前面总有规则先触发，它从不决定结论"),
                    format!("in the `first` decision `{d}`, an earlier rule always fires where `{r}` does, so `{r}` never decides"),
                ),
            );
            for b in by {
                diag = diag.secondary(rule_at(*b), msg("先触发的规则", "fires first"));
            }
            let by_name = by.first().map_or("?", |b| rule_name(p, *b));
            diag.help(help(
                example(&f.witness),
                msg(
                    format!("此时 `{by_name}` 先触发；把 `{r}` 移到前面，或删除它"),
                    format!("`{by_name}` fires first there; move `{r}` up, or remove it"),
                ),
            ))
        }
        FindingKind::Dead { rule, under_target } => dead(p, *rule, *under_target, at, &rule_at),
        FindingKind::ExceptionConflict { base, rules: [a, b] } => {
            let (base, a_name, b_name) = (rule_name(p, *base), rule_name(p, *a), rule_name(p, *b));
            Diagnostic::new(
                Code::W0404,
                at,
                msg(
                    format!("规则 `{base}` 的例外 `{a_name}` 和 `{b_name}` 可以同时成立而结论不同，此时决定 `{d}` 没有结论"),
                    format!("exceptions `{a_name}` and `{b_name}` of `{base}` can hold together with different outcomes; `{d}` then has no outcome"),
                ),
            )
            .secondary(rule_at(*a), msg("例外", "exception"))
            .secondary(rule_at(*b), msg("例外", "exception"))
            .help(help(
                example(&f.witness),
                msg(
                    format!("让一个例外针对另一个（`例外 … 针对 {a_name}`），或让它们的条件互斥"),
                    format!("make one an exception to the other (`exception … to {a_name}`), or their conditions exclusive"),
                ),
            ))
        }
        FindingKind::UnusedInput { slot } => {
            let s = &p.slots[*slot as usize];
            let input = p.inputs.get(s.input as usize).map_or("?", |i| i.name.as_str());
            let name = format!("{input}.{}", s.path.join("."));
            Diagnostic::new(
                Code::W0405,
                at,
                msg(
                    format!("输入字段 `{name}` 没有被任何规则、定义或检查读取"),
                    format!("input field `{name}` is read by no rule, let or check"),
                ),
            )
            .help(msg("删除它，或在条件中使用它", "remove it, or use it in a condition"))
        }
        FindingKind::Undecided { question, terms } => undecided(p, &d, question, terms, at, sources),
        FindingKind::ListCheck { check, rows } => list_check(p, *check, rows, at, sources),
        FindingKind::DuplicateRows { list, rows: [first, second] } => {
            let l = &p.lists[*list as usize];
            let key = |r: &u32| {
                l.rows
                    .get(*r as usize)
                    .map_or_else(String::new, |row| p.show(&row[l.key], &crate::ir::Type::Text))
            };
            let (k1, k2) = (key(first), key(second));
            let mut diag = Diagnostic::new(
                Code::W0408,
                at,
                msg(
                    format!("清单 `{}` 的条目 `{k2}` 与 `{k1}` 除键以外完全相同", l.name),
                    format!("row `{k2}` of `{}` equals `{k1}` in every field but the key", l.name),
                ),
            );
            if let Some(s) = l.row_spans.get(*first as usize) {
                diag = diag.secondary(head(*s, sources), msg(format!("条目 `{k1}`"), format!("row `{k1}`")));
            }
            diag.help(msg(
                "删除重复的条目，或写明两者的区别",
                "remove the repeated row, or record what tells them apart",
            ))
        }
        FindingKind::UnknownKey { list, key } => {
            let l = &p.lists[*list as usize];
            let k = p.show(key, &crate::ir::Type::Text);
            let keys: Vec<String> =
                l.rows.iter().map(|r| p.show(&r[l.key], &crate::ir::Type::Text)).collect();
            let suggestion = qingdan_dsl::check::suggest::did_you_mean(&k, keys.iter().map(String::as_str));
            Diagnostic::new(
                Code::W0409,
                at,
                msg(
                    format!("清单 `{}` 中没有键为 `{k}` 的条目", l.name),
                    format!("`{}` has no row with key `{k}`", l.name),
                ),
            )
            .label(msg("这个条件永远不会用到它", "a condition on it never holds"))
            .help(qingdan_dsl::check::suggest::with_hint(
                suggestion,
                msg(
                    "检查键的拼写，或先在清单中加入这一条目",
                    "check the key's spelling, or add the row to the list",
                ),
            ))
        }
    }
}

fn tied(
    p: &Policy,
    f: &Finding,
    variant: u32,
    pairs: &[super::findings::TiedPair],
    at: Span,
    sources: &SourceMap,
) -> Diagnostic {
    let d = decision_name(p, f);
    let e = f.decision.and_then(|d| p.decisions.get(d as usize)).map(|d| d.outcome_enum);
    let v = e
        .and_then(|e| p.enums.get(e as usize))
        .and_then(|e| e.variants.get(variant as usize))
        .map_or("?", |v| v.name.as_str());
    let mut rules: Vec<RuleId> = pairs.iter().flat_map(|x| [x.kept, x.dropped]).collect();
    rules.sort_unstable();
    rules.dedup();
    let n = rules.len();
    let merge = f.decision.and_then(|d| p.decisions.get(d as usize)).is_some_and(|d| d.merge);
    let message = if merge {
        msg(
            format!("给出 `{v}` 的 {n} 条规则可以同时触发而取值不同；决定 `{d}` 合并集合字段，其他字段只保留文件中第一条的取值"),
            format!("{n} rules giving `{v}` can fire together with different values; `{d}` merges set fields but keeps only the first one's other values (in file order)"),
        )
    } else {
        msg(
            format!("给出 `{v}` 的 {n} 条规则可以同时触发而取值不同，决定 `{d}` 只保留文件中第一条的取值"),
            format!("{n} rules giving `{v}` can fire together with different values; `{d}` keeps only the first one's (in file order)"),
        )
    };
    let diag = Diagnostic::new(Code::W0401, at, message);
    let Some(first) = pairs.first() else { return diag };
    let (a, b) = (rule_name(p, first.kept), rule_name(p, first.dropped));
    let names: Vec<String> = rules.iter().map(|r| format!("`{}`", rule_name(p, *r))).collect();
    let w = witness_text(&first.witness);
    diag.label(msg(format!("与 `{a}` 同时触发时，这里的取值被舍弃"), format!("its values are dropped where `{a}` fires too")))
        .secondary(head(p.rules[first.kept as usize].span, sources), msg("取值被保留", "its values are kept"))
        .help(msg(
            format!("例如输入 {} 时 `{a}` 和 `{b}` 都触发；涉及的规则：{}。要保留全部取值，另设一个 `汇总` 决定，否则让条件互斥", w.zh, names.join("、")),
            format!("for example an input with {} fires both `{a}` and `{b}`; the rules concerned: {}. To keep all the values, add a `collect` decision; otherwise make the conditions exclusive", w.en, names.join(", ")),
        ))
}

fn dead(
    p: &Policy,
    rule: RuleId,
    under_target: bool,
    at: Span,
    rule_at: &dyn Fn(RuleId) -> Span,
) -> Diagnostic {
    let r = rule_name(p, rule);
    let target = p.rules[rule as usize].exception_to;
    let message = match (under_target, target) {
        (true, Some(t)) => {
            let t = rule_name(p, t);
            msg(
                format!("例外 `{r}` 只在它针对的规则 `{t}` 不成立时才成立，永远不会起作用"),
                format!(
                    "exception `{r}` can hold only where its target `{t}` does not: it never takes effect"
                ),
            )
        }
        _ => msg(
            format!("`{r}` 的条件不可能同时成立，它永远不会触发"),
            format!("the conditions of `{r}` can never hold together: it never fires"),
        ),
    };
    let mut diag = Diagnostic::new(Code::W0403, at, message);
    if let (true, Some(t)) = (under_target, target) {
        diag = diag.secondary(rule_at(t), msg("针对的规则", "its target"));
    }
    diag.help(msg(
        "检查条件中的阈值和枚举值，以及 `除非` 是否排除了所有情形",
        "check the thresholds and values in its conditions, and whether an `unless` excludes every case",
    ))
}

fn undecided(p: &Policy, d: &str, q: &Question, terms: &[Span], at: Span, sources: &SourceMap) -> Diagnostic {
    let message = match q {
        Question::Gap => msg(
            format!("无法确切判定 `完备` 决定 `{d}` 是否覆盖所有输入：标出的条件超出分析器能精确判定的范围"),
            format!("cannot decide whether the `total` decision `{d}` covers every input: the conditions marked are beyond what the analyser decides exactly"),
        ),
        Question::UniqueOverlap([a, b]) => {
            let (a, b) = (rule_name(p, *a), rule_name(p, *b));
            msg(
                format!("无法确切判定 `唯一` 决定 `{d}` 的规则 `{a}` 和 `{b}` 是否会同时触发：标出的条件超出分析器能精确判定的范围"),
                format!("cannot decide whether rules `{a}` and `{b}` of the `unique` decision `{d}` can fire together: the conditions marked are beyond what the analyser decides exactly"),
            )
        }
    };
    let mut diag = Diagnostic::new(Code::W0406, at, message);
    for t in terms {
        diag = diag.secondary(head(*t, sources), msg("无法精确判定", "not decided exactly"));
    }
    diag.help(msg(
        "把这些条件改写为输入字段与常量的比较，或用测试覆盖这些情形",
        "write these conditions as comparisons of input fields with constants, or cover these inputs with tests",
    ))
}

fn list_check(p: &Policy, check: u32, rows: &[u32], at: Span, sources: &SourceMap) -> Diagnostic {
    let c = &p.checks[check as usize];
    let list = match c.scope.as_ref().map(|s| &s.over.kind) {
        Some(crate::ir::ExprKind::ListRows(l)) => p.lists.get(*l as usize),
        _ => None,
    };
    let keys: Vec<String> = match list {
        Some(l) => rows
            .iter()
            .filter_map(|r| l.rows.get(*r as usize))
            .map(|row| p.show(&row[l.key], &crate::ir::Type::Text))
            .collect(),
        None => Vec::new(),
    };
    let reason = c.reason.clone().unwrap_or_default();
    let shown = shorten(&keys);
    let message = if keys.is_empty() {
        msg(
            format!("清单不符合检查 `{}`：{reason}", c.name),
            format!("the lists break the check `{}`: {reason}", c.name),
        )
    } else {
        msg(
            format!("清单条目 {shown} 不符合检查 `{}`：{reason}", c.name),
            format!("rows {shown} break the check `{}`: {reason}", c.name),
        )
    };
    let mut diag =
        Diagnostic::new(Code::W0407, at, message).secondary(head(c.span, sources), msg("检查", "the check"));
    if let Some(l) = list {
        for r in rows.iter().skip(1).take(4) {
            if let Some(s) = l.row_spans.get(*r as usize) {
                diag = diag.secondary(head(*s, sources), msg("同样不符合", "also breaks it"));
            }
        }
    }
    diag.help(msg(
        "修改这些条目，或修改检查；清单在运行任何案例之前就应符合它自己的检查",
        "correct these rows, or the check: a list should meet its own checks before any case is run",
    ))
}

/// `A`, `B`, `C` and 4 more.
fn shorten(keys: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s: Vec<String> = keys.iter().take(SHOWN).map(|k| format!("`{k}`")).collect();
    if keys.len() > SHOWN {
        s.push(format!("… ({})", keys.len()));
    }
    s.join(", ")
}
