//! Testing a policy: expectations read from a case file (or taken from the policy's inline
//! `test` blocks), compared with what the interpreter decides, and the coverage a set of
//! cases reaches. Pure, like the rest of the engine: the CLI (`qingdan test`) finds and
//! reads the files and prints; this module turns text into expectations and decision
//! results into verdicts.
//!
//! A case file is a YAML list:
//!
//! ```yaml
//! - case: 战时防汛转移临时准入                    # the case's name
//!   given: { 类别: 应急处置, 每月频次: 4 }         # what `qingdan eval` reads as one case
//!   expect:
//!     准入结论: 临时准入                            # short form: the outcome variant
//!     复核提示: { outcome: 需复核, values: { 截止日期: 2024-07-31 }, fires: [替代清单事项] }
//! ```
//!
//! "Fires" is [`DecisionResult::fired`]: the rules and exceptions of the decision that
//! took effect, an exception without `then` that cancelled its target included
//! (LANGUAGE.md §17).

use crate::value::FromLiteral;
use qingdan_dsl::check::suggest::closest;
use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::value::Decimal;
use qingdan_dsl::Code;
use serde_yaml::Value as Yaml;

use crate::cases::CaseReader;
use crate::eval::{Conflict, DecisionResult};
use crate::ir::{Combining, DecisionId, Expectation, Policy, RuleId, Type};
use crate::value::{format_decimal, Value};

/// The outcome a case expects of a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcomes {
    One(u32),
    /// For a `collect` decision: the set of outcome variants, sorted, without repeats.
    Set(Vec<u32>),
}

/// What one case expects of one decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    pub decision: DecisionId,
    pub outcomes: Outcomes,
    /// Values of the outcome's fields that must match: (field index, text as [`shown`]
    /// renders it). Fields not listed are not compared.
    pub values: Vec<(u32, String)>,
    /// All and only the rules and exceptions expected to fire, sorted; `None` when the
    /// case does not say.
    pub fires: Option<Vec<RuleId>>,
}

impl Expect {
    /// An `expect` line of an inline `test` block.
    pub fn inline(e: &Expectation) -> Expect {
        Expect {
            decision: e.decision,
            outcomes: Outcomes::One(e.variant),
            values: Vec::new(),
            fires: e.fires.clone().map(sorted),
        }
    }

    /// The one variant the case expects, when it expects one (values are compared on it).
    pub fn variant(&self) -> Option<u32> {
        match &self.outcomes {
            Outcomes::One(v) => Some(*v),
            Outcomes::Set(vs) => match vs.as_slice() {
                [v] => Some(*v),
                _ => None,
            },
        }
    }
}

/// Why (part of) a case could not be read: a failure of that case, never of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where in the case: `expect.准入结论.fires[1]`, `given.申请.每月频次`; empty for the
    /// case as a whole.
    pub path: String,
    /// The case reader's code, for a problem in `given`.
    pub code: Option<Code>,
    pub message: Msg,
}

/// One case of a case file, read as far as it could be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileCase {
    pub name: String,
    /// The line where the case starts, when the file is a plain list at the left margin.
    pub line: Option<usize>,
    /// The case's slot values; `None` when `given` could not be read.
    pub given: Option<Vec<Value>>,
    /// The expectations that could be read (a bad one is a problem instead).
    pub expects: Vec<Expect>,
    pub problems: Vec<Problem>,
}

/// A file that is not a list of cases at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub line: Option<usize>,
    pub message: Msg,
}

/// Reads a case file for the policy of `reader`. Each case is read on its own: a mistake
/// in one is that case's [`Problem`] and the others still run.
pub fn read_case_file(reader: &CaseReader<'_>, text: &str) -> Result<Vec<FileCase>, FileError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(line) = qingdan_dsl::yaml_depth::too_deep(body, qingdan_dsl::yaml_depth::MAX_DEPTH) {
        return Err(FileError { line: Some(line), message: qingdan_dsl::yaml_depth::too_deep_message() });
    }
    let doc: Yaml = serde_yaml::from_str(body).map_err(|e| FileError {
        line: e.location().map(|l| l.line()),
        message: msg(format!("YAML 格式错误：{e}"), format!("malformed YAML: {e}")),
    })?;
    let entries = match doc {
        Yaml::Null => return Ok(Vec::new()),
        Yaml::Sequence(entries) => entries,
        _ => {
            return Err(FileError {
                line: None,
                message: msg(
                    "案例文件应是案例的列表，每项以 `- case:` 开头",
                    "a case file is a list of cases, each starting with `- case:`",
                ),
            })
        }
    };
    let starts = entry_lines(body);
    let starts = (starts.len() == entries.len()).then_some(starts);
    Ok(entries
        .iter()
        .enumerate()
        .map(|(i, entry)| read_case(reader, entry, i, starts.as_ref().map(|s| s[i])))
        .collect())
}

/// Lines (1-based) where entries of a block list at the left margin start: the same
/// heuristic as the case reader's, used only when the count matches.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('-') && l[1..].chars().next().is_none_or(|c| c == ' ' || c == '\t'))
        .map(|(i, _)| i + 1)
        .collect()
}

fn read_case(reader: &CaseReader<'_>, entry: &Yaml, i: usize, line: Option<usize>) -> FileCase {
    let mut case = FileCase {
        name: format!("#{}", i + 1),
        line,
        given: None,
        expects: Vec::new(),
        problems: Vec::new(),
    };
    let Yaml::Mapping(map) = entry else {
        case.problems.push(problem(
            "",
            msg(
                "每个案例是含 `case`、`given`、`expect` 的映射",
                "each case is a mapping with `case`, `given` and `expect`",
            ),
        ));
        return case;
    };
    let (mut named, mut given, mut expect) = (false, None, None);
    for (k, v) in map {
        match scalar(k).as_deref() {
            Some("case") => match scalar(v) {
                Some(name) if !name.trim().is_empty() => {
                    case.name = name;
                    named = true;
                }
                _ => case
                    .problems
                    .push(problem("case", msg("案例名称应是文字", "the case's name should be text"))),
            },
            Some("given") => given = Some(v),
            Some("expect") => expect = Some(v),
            other => {
                let key = other.unwrap_or_default();
                let (zh, en) = alternatives(key, ["case", "given", "expect"].into_iter(), "可写", "keys");
                case.problems.push(problem(
                    key,
                    msg(format!("案例没有键 `{key}`{zh}"), format!("a case has no key `{key}`{en}")),
                ));
            }
        }
    }
    if !named && !case.problems.iter().any(|p| p.path == "case") {
        case.problems
            .push(problem("case", msg("缺少 `case`：案例的名称", "missing `case`: the case's name")));
    }
    match given {
        None => case.problems.push(problem(
            "given",
            msg("缺少 `given`：案例的输入", "missing `given`: the inputs of the case"),
        )),
        Some(g) => match read_given(reader, g) {
            Ok(values) => case.given = Some(values),
            Err(p) => case.problems.push(p),
        },
    }
    match expect {
        None => case.problems.push(problem(
            "expect",
            msg("缺少 `expect`：各决定的预期结论", "missing `expect`: the outcome expected of each decision"),
        )),
        Some(e) => read_expects(reader.policy(), e, &mut case),
    }
    case
}

/// `given` is read by the case reader, as `qingdan eval` reads a YAML case, so that both
/// accept the same text and word errors the same way (with the field path).
fn read_given(reader: &CaseReader<'_>, given: &Yaml) -> Result<Vec<Value>, Problem> {
    if !given.is_mapping() {
        return Err(problem(
            "given",
            msg(
                "`given` 应是输入字段的映射，与 `qingdan eval` 读取的案例相同",
                "`given` should be a mapping of input fields, as `qingdan eval` reads a case",
            ),
        ));
    }
    // The YAML is re-read from a serialized copy, where a decimal's text comes from its
    // float; that is exact up to 15 significant digits, so anything longer must be quoted.
    if let Some((path, text)) = imprecise(given, "given".into()) {
        return Err(Problem {
            path,
            code: None,
            message: msg(
                format!("数字 `{text}` 位数过多，无法精确读取；请加引号写成文字，如 \"{text}\""),
                format!(
                    "the number `{text}` has too many digits to be read exactly; quote it, as \"{text}\""
                ),
            ),
        });
    }
    let text = serde_yaml::to_string(given).map_err(|e| {
        problem("given", msg(format!("无法读取 `given`：{e}"), format!("cannot read `given`: {e}")))
    })?;
    let mut cases = reader.read_yaml(&text);
    match (cases.pop(), cases.is_empty()) {
        (Some(Ok(values)), true) => Ok(values),
        (Some(Err(e)), true) => {
            Err(Problem { path: join("given", &e.path), code: Some(e.code), message: e.message })
        }
        _ => Err(problem("given", msg("`given` 应是一个案例", "`given` should be one case"))),
    }
}

/// The first float with more significant digits than an `f64` keeps exactly.
fn imprecise(y: &Yaml, path: String) -> Option<(String, String)> {
    match y {
        Yaml::Number(n) if n.is_f64() => {
            let text = n.as_f64().map(|f| f.to_string()).unwrap_or_default();
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
            (significant > 15).then_some((path, text))
        }
        Yaml::Mapping(m) => {
            m.iter().find_map(|(k, v)| imprecise(v, join(&path, &scalar(k).unwrap_or_default())))
        }
        Yaml::Sequence(items) => {
            items.iter().enumerate().find_map(|(i, v)| imprecise(v, format!("{path}[{i}]")))
        }
        Yaml::Tagged(t) => imprecise(&t.value, path),
        _ => None,
    }
}

fn read_expects(p: &Policy, expect: &Yaml, case: &mut FileCase) {
    let Yaml::Mapping(map) = expect else {
        case.problems.push(problem(
            "expect",
            msg(
                "`expect` 应把决定对应到结论，如 `准入结论: 临时准入`",
                "`expect` should map decisions to outcomes, as `admission: admitted`",
            ),
        ));
        return;
    };
    if map.is_empty() {
        case.problems.push(problem("expect", msg("`expect` 没有写任何决定", "`expect` names no decision")));
    }
    for (k, spec) in map {
        let name = scalar(k).unwrap_or_default();
        let path = join("expect", &name);
        let Some(d) = p.decisions.iter().position(|d| d.name == name) else {
            let (zh, en) =
                alternatives(&name, p.decisions.iter().map(|d| d.name.as_str()), "决定", "decisions");
            case.problems.push(problem(
                &path,
                msg(
                    format!("政策中没有决定 `{name}`{zh}"),
                    format!("the policy has no decision `{name}`{en}"),
                ),
            ));
            continue;
        };
        if let Some(e) = read_expect(p, d as DecisionId, spec, &path, &mut case.problems) {
            case.expects.push(e);
        }
    }
}

/// One decision's expectation: the short form (an outcome, or a list of them for
/// `collect`) or the long form `{ outcome, values, fires }`.
fn read_expect(
    p: &Policy,
    d: DecisionId,
    spec: &Yaml,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Option<Expect> {
    let before = problems.len();
    let (outcome, outcome_path, values, fires) = match spec {
        Yaml::Mapping(m) => {
            let (mut outcome, mut values, mut fires) = (None, None, None);
            for (k, v) in m {
                match scalar(k).as_deref() {
                    Some("outcome") => outcome = Some(v),
                    Some("values") => values = Some(v),
                    Some("fires") => fires = Some(v),
                    other => {
                        let key = other.unwrap_or_default();
                        let keys = ["outcome", "values", "fires"].into_iter();
                        let (zh, en) = alternatives(key, keys, "可写", "keys");
                        problems.push(problem(
                            &join(path, key),
                            msg(
                                format!("预期中没有键 `{key}`{zh}"),
                                format!("an expectation has no key `{key}`{en}"),
                            ),
                        ));
                    }
                }
            }
            let Some(outcome) = outcome else {
                problems.push(problem(
                    path,
                    msg("缺少 `outcome`：预期的结论", "missing `outcome`: the expected outcome"),
                ));
                return None;
            };
            (outcome, join(path, "outcome"), values, fires)
        }
        short => (short, path.to_string(), None, None),
    };
    let outcomes = read_outcomes(p, d, outcome, &outcome_path, problems)?;
    let mut expect = Expect { decision: d, outcomes, values: Vec::new(), fires: None };
    if let Some(values) = values {
        expect.values = read_values(p, &expect, values, &join(path, "values"), problems);
    }
    if let Some(fires) = fires {
        expect.fires = read_fires(p, d, fires, &join(path, "fires"), problems);
    }
    (problems.len() == before).then_some(expect)
}

fn read_outcomes(
    p: &Policy,
    d: DecisionId,
    outcome: &Yaml,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Option<Outcomes> {
    let decision = &p.decisions[d as usize];
    let variants = &p.enums[decision.outcome_enum as usize].variants;
    let all = || variants.iter().map(|v| v.name.as_str());
    let variant = |y: &Yaml, path: &str, problems: &mut Vec<Problem>| {
        let name = scalar(y);
        if let Some(v) = name.as_deref().and_then(|n| variants.iter().position(|v| v.name == n)) {
            return Some(v as u32);
        }
        let message = match name {
            Some(n) => {
                let (zh, en) = alternatives(&n, all(), "结论", "outcomes");
                msg(
                    format!("决定 `{}` 没有结论 `{n}`{zh}", decision.name),
                    format!("decision `{}` has no outcome `{n}`{en}", decision.name),
                )
            }
            None => {
                let (zh, en) = alternatives("", all(), "结论", "outcomes");
                msg(format!("应写一个结论{zh}"), format!("expected an outcome{en}"))
            }
        };
        problems.push(problem(path, message));
        None
    };
    match outcome {
        Yaml::Sequence(items) if decision.combining == Combining::Collect => {
            if items.is_empty() {
                problems.push(problem(
                    path,
                    msg(
                        "汇总决定至少有一个结论（没有规则触发时为默认结论）",
                        "a collect decision has at least one outcome (the default when no rule fires)",
                    ),
                ));
                return None;
            }
            let found: Vec<Option<u32>> = items
                .iter()
                .enumerate()
                .map(|(i, y)| variant(y, &format!("{path}[{i}]"), problems))
                .collect();
            found.into_iter().collect::<Option<Vec<u32>>>().map(|vs| Outcomes::Set(sorted(vs)))
        }
        Yaml::Sequence(_) => {
            problems.push(problem(
                path,
                msg(
                    format!("决定 `{}` 只有一个结论；结论列表只用于汇总（collect）决定", decision.name),
                    format!(
                        "decision `{}` has one outcome; a list of outcomes is for `collect` decisions",
                        decision.name
                    ),
                ),
            ));
            None
        }
        y => variant(y, path, problems).map(Outcomes::One),
    }
}

fn read_values(
    p: &Policy,
    expect: &Expect,
    values: &Yaml,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(u32, String)> {
    let decision = &p.decisions[expect.decision as usize];
    let enum_def = &p.enums[decision.outcome_enum as usize];
    let Some(v) = expect.variant() else {
        problems.push(problem(
            path,
            msg("`values` 只能与一个结论一起写", "`values` go with a single expected outcome"),
        ));
        return Vec::new();
    };
    let variant = &enum_def.variants[v as usize];
    let Yaml::Mapping(map) = values else {
        problems.push(problem(
            path,
            msg("`values` 应是字段到值的映射", "`values` should map the outcome's fields to values"),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, y) in map {
        let name = scalar(k).unwrap_or_default();
        let at = join(path, &name);
        let Some(field) = variant.fields.iter().position(|(f, _)| *f == name) else {
            let message = if variant.fields.is_empty() {
                msg(
                    format!("结论 `{}` 不带字段值", variant.name),
                    format!("outcome `{}` carries no values", variant.name),
                )
            } else {
                let fields = variant.fields.iter().map(|(f, _)| f.as_str());
                let (zh, en) = alternatives(&name, fields, "字段", "fields");
                msg(
                    format!("结论 `{}` 没有字段 `{name}`{zh}", variant.name),
                    format!("outcome `{}` has no field `{name}`{en}", variant.name),
                )
            };
            problems.push(problem(&at, message));
            continue;
        };
        match expected_text(y, &variant.fields[field].1) {
            Ok(text) => out.push((field as u32, text)),
            Err(message) => problems.push(problem(&at, message)),
        }
    }
    out
}

fn read_fires(
    p: &Policy,
    d: DecisionId,
    fires: &Yaml,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Option<Vec<RuleId>> {
    let decision = &p.decisions[d as usize];
    let Yaml::Sequence(items) = fires else {
        problems.push(problem(
            path,
            msg(
                "`fires` 应是规则名称的列表，没有规则触发时写 `[]`",
                "`fires` should be a list of rule names, `[]` for none",
            ),
        ));
        return None;
    };
    let mut rules = Vec::new();
    for (i, y) in items.iter().enumerate() {
        let name = scalar(y).unwrap_or_default();
        let at = format!("{path}[{i}]");
        match p.rules.iter().position(|r| r.name == name) {
            Some(r) if p.rules[r].decision == d => rules.push(r as RuleId),
            Some(r) => {
                let other = &p.decisions[p.rules[r].decision as usize].name;
                problems.push(problem(
                    &at,
                    msg(
                        format!("规则 `{name}` 属于决定 `{other}`，不属于 `{}`", decision.name),
                        format!("rule `{name}` belongs to decision `{other}`, not `{}`", decision.name),
                    ),
                ));
            }
            None => {
                let own = p.rules.iter().filter(|r| r.decision == d).map(|r| r.name.as_str());
                let (zh, en) = alternatives(&name, own, "规则和例外", "rules and exceptions");
                problems.push(problem(
                    &at,
                    msg(
                        format!("决定 `{}` 没有规则或例外 `{name}`{zh}", decision.name),
                        format!("decision `{}` has no rule or exception `{name}`{en}", decision.name),
                    ),
                ));
            }
        }
    }
    Some(sorted(rules))
}

/// An expected value as [`shown`] renders the actual one: numbers without trailing zeros,
/// `真`/`假` as booleans, `无` and `null` as none, lists as sorted sets.
fn expected_text(y: &Yaml, ty: &Type) -> Result<String, Msg> {
    let (inner, optional) = match ty {
        Type::Opt(t) => (&**t, true),
        t => (t, false),
    };
    match y {
        Yaml::Null => Ok("none".into()),
        Yaml::Sequence(items) => {
            let Type::Set(element) = inner else {
                return Err(msg("这个字段不是集合，应写一个值", "this field is not a set; write one value"));
            };
            let mut texts = items
                .iter()
                .map(|i| scalar(i).map(|t| normalize(&t, element)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| msg("集合的元素应是单个值", "set elements should be single values"))?;
            texts.sort();
            texts.dedup();
            Ok(format!("[{}]", texts.join(", ")))
        }
        y => match scalar(y) {
            Some(t) if optional && t == "无" => Ok("none".into()),
            Some(t) => Ok(normalize(&t, inner)),
            None => Err(msg("应写一个值，而不是映射", "expected a value, found a mapping")),
        },
    }
}

fn normalize(text: &str, ty: &Type) -> String {
    match ty {
        Type::Int | Type::Decimal => number_text(text).unwrap_or_else(|| text.to_string()),
        Type::Bool => match text {
            "真" => "true".into(),
            "假" => "false".into(),
            t => t.to_string(),
        },
        Type::Opt(t) => normalize(text, t),
        _ => text.to_string(),
    }
}

/// A number as the interpreter shows it: `200.00` and `200` are both `200`.
fn number_text(text: &str) -> Option<String> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.to_string());
    }
    match Decimal::parse(text).and_then(Value::from_decimal)? {
        Value::Dec(scaled) => Some(format_decimal(scaled)),
        _ => None,
    }
}

/// A value as a test compares it: [`Policy::show`], except that a set lists its elements
/// sorted by their text, so that an expected list can be written in any order.
pub fn shown(p: &Policy, v: &Value, ty: &Type) -> String {
    match (v, ty) {
        (Value::None, _) => "none".into(),
        (v, Type::Opt(inner)) => shown(p, v, inner),
        (Value::Set(items), Type::Set(inner)) => {
            let mut texts: Vec<String> = items.iter().map(|i| shown(p, i, inner)).collect();
            texts.sort();
            texts.dedup();
            format!("[{}]", texts.join(", "))
        }
        (v, ty) => p.show(v, ty),
    }
}

/// What a decision gave for a case, as a test compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actual {
    /// The outcome variants, in the result's order; empty when in conflict.
    pub variants: Vec<u32>,
    /// Per outcome, its values as [`shown`] renders them, in field order.
    pub values: Vec<Vec<String>>,
    /// The rules and exceptions that fired (LANGUAGE.md §17), sorted.
    pub fires: Vec<RuleId>,
    /// Rules in conflict, per conflict.
    pub conflicts: Vec<Vec<RuleId>>,
}

/// Tells what `result` means for a test: its outcomes, their values as shown, the rules
/// that fired.
pub fn observe(p: &Policy, result: &DecisionResult) -> Actual {
    let enum_def = &p.enums[p.decisions[result.decision as usize].outcome_enum as usize];
    let values = result
        .outcomes
        .iter()
        .map(|o| {
            let fields = &enum_def.variants[o.variant as usize].fields;
            fields.iter().zip(&o.fields).map(|((_, ty), v)| shown(p, v, ty)).collect()
        })
        .collect();
    let conflicts = result
        .conflicts
        .iter()
        .map(|c| match c {
            Conflict::Exceptions { rules, .. } | Conflict::Unique { rules } => rules.clone(),
        })
        .collect();
    Actual {
        variants: result.outcomes.iter().map(|o| o.variant).collect(),
        values,
        fires: sorted(result.fired.to_vec()),
        conflicts,
    }
}

/// How an [`Actual`] measures up to an [`Expect`], part by part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub outcome_ok: bool,
    pub values_ok: bool,
    pub fires_ok: bool,
    /// The actual outcome whose values a diff should show: one of the expected variant
    /// (the matching one, if any), else the first.
    pub shown: Option<usize>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.outcome_ok && self.values_ok && self.fires_ok
    }
}

pub fn compare(p: &Policy, expect: &Expect, actual: &Actual) -> Verdict {
    let collect = p.decisions[expect.decision as usize].combining == Combining::Collect;
    let outcome_ok = match &expect.outcomes {
        Outcomes::One(v) if !collect => actual.variants == [*v],
        // A collect decision may give one variant twice (from two rules); as a set it is one.
        Outcomes::One(v) => !actual.variants.is_empty() && actual.variants.iter().all(|a| a == v),
        Outcomes::Set(vs) => sorted(actual.variants.clone()) == *vs,
    };
    let candidates: Vec<usize> =
        (0..actual.variants.len()).filter(|&i| Some(actual.variants[i]) == expect.variant()).collect();
    let matches = |i: usize| {
        expect.values.iter().all(|(field, text)| actual.values[i].get(*field as usize) == Some(text))
    };
    let matching = candidates.iter().copied().find(|&i| matches(i));
    let values_ok = expect.values.is_empty() || matching.is_some();
    let fires_ok = expect.fires.as_ref().is_none_or(|f| *f == by_name(p, &actual.fires));
    let first = (!actual.variants.is_empty()).then_some(0);
    Verdict { outcome_ok, values_ok, fires_ok, shown: matching.or(candidates.first().copied()).or(first) }
}

/// Which rules the cases fired and which outcomes they produced, over a whole run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    fired: Vec<bool>,
    /// Per decision, per variant of its outcome enum.
    produced: Vec<Vec<bool>>,
}

impl Coverage {
    pub fn new(p: &Policy) -> Coverage {
        Coverage {
            fired: vec![false; p.rules.len()],
            produced: p
                .decisions
                .iter()
                .map(|d| vec![false; p.enums[d.outcome_enum as usize].variants.len()])
                .collect(),
        }
    }

    pub fn record(&mut self, decision: DecisionId, actual: &Actual) {
        for &r in &actual.fires {
            if let Some(f) = self.fired.get_mut(r as usize) {
                *f = true;
            }
        }
        if let Some(produced) = self.produced.get_mut(decision as usize) {
            for &v in &actual.variants {
                if let Some(p) = produced.get_mut(v as usize) {
                    *p = true;
                }
            }
        }
    }

    /// Rules and exceptions no case fired, in file order.
    pub fn unfired(&self) -> Vec<RuleId> {
        (0..self.fired.len() as RuleId).filter(|&r| !self.fired[r as usize]).collect()
    }

    /// Per decision, the outcomes it can give (some rule's, or its default) that no case
    /// produced. Other variants of a shared enum are left out: no case could produce them.
    pub fn unproduced(&self, p: &Policy) -> Vec<(DecisionId, Vec<u32>)> {
        let mut out = Vec::new();
        for (d, decision) in p.decisions.iter().enumerate() {
            let mut can: Vec<u32> = p
                .rules
                .iter()
                .filter(|r| r.decision == d as DecisionId)
                .filter_map(|r| r.then.as_ref().map(|t| t.variant))
                .chain(decision.default.as_ref().map(|o| o.variant))
                .collect();
            can.sort_unstable();
            can.dedup();
            let missing: Vec<u32> = can.into_iter().filter(|&v| !self.produced[d][v as usize]).collect();
            if !missing.is_empty() {
                out.push((d as DecisionId, missing));
            }
        }
        out
    }
}

/// Fired rules as an expectation names them: the versions of a rule share its name, and a
/// name stands for the first rule that has it (as `read_fires` reads it), whichever
/// version fired.
fn by_name(p: &Policy, fired: &[RuleId]) -> Vec<RuleId> {
    let first = |r: &RuleId| {
        let rule = &p.rules[*r as usize];
        let same = |x: &crate::ir::Rule| x.name == rule.name && x.decision == rule.decision;
        p.rules.iter().position(same).map_or(*r, |i| i as RuleId)
    };
    sorted(fired.iter().map(first).collect())
}

fn sorted(mut rules: Vec<u32>) -> Vec<u32> {
    rules.sort_unstable();
    rules.dedup();
    rules
}

fn problem(path: &str, message: Msg) -> Problem {
    Problem { path: path.to_string(), code: None, message }
}

fn join(path: &str, name: &str) -> String {
    match (path.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => path.to_string(),
        _ => format!("{path}.{name}"),
    }
}

/// A scalar's text; `None` for a mapping, list or null.
fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => f.to_string(),
            _ => n.to_string(),
        }),
        Yaml::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

/// What to add to "no such name": the closest name if one is near, else the list of
/// names there are (labelled, in each language).
fn alternatives<'a>(
    name: &str,
    all: impl Iterator<Item = &'a str> + Clone,
    label_zh: &str,
    label_en: &str,
) -> (String, String) {
    if let Some(h) = closest(name, all.clone()) {
        return (format!("；是不是想写 `{h}`？"), format!("; did you mean `{h}`?"));
    }
    let quoted: Vec<String> = all.map(|n| format!("`{n}`")).collect();
    if quoted.is_empty() {
        return (String::new(), String::new());
    }
    (format!("（{label_zh}：{}）", quoted.join("、")), format!(" ({label_en}: {})", quoted.join(", ")))
}

#[cfg(test)]
mod tests;
