//! What `qingdan test` found, per policy, group and case, and how it is printed: text
//! with a diff per failure, or JSON.

use qingdan_dsl::Lang;
use qingdan_engine::testing::Verdict;
use serde_json::{json, Value as Json};

use crate::i18n::messages;

pub(super) struct PolicyReport {
    pub(super) name: String,
    pub(super) file: String,
    pub(super) lang: Lang,
    pub(super) groups: Vec<Group>,
    pub(super) rules: usize,
    pub(super) unfired: Vec<String>,
    pub(super) unproduced: Vec<(String, Vec<String>)>,
}

/// The cases of one source: the policy's test blocks, or one case file.
pub(super) struct Group {
    /// The file the cases come from, as shown.
    pub(super) source: String,
    pub(super) inline: bool,
    pub(super) cases: Vec<CaseReport>,
}

pub(super) struct CaseReport {
    pub(super) name: String,
    pub(super) line: Option<usize>,
    /// Problems reading the case, and errors deciding it, as they are printed.
    pub(super) problems: Vec<(String, Option<&'static str>, String)>,
    pub(super) decisions: Vec<DecisionReport>,
    /// The case's input as JSON (`null` when it could not be read), for other hosts to
    /// evaluate: what `qingdan eval` reads back to the same values.
    pub(super) given: Json,
    /// Per decision, what the case expects of it (see [`expect_json`]).
    pub(super) expect: Json,
}

impl CaseReport {
    pub(super) fn passed(&self) -> bool {
        self.problems.is_empty() && self.decisions.iter().all(|d| d.verdict.passed())
    }
}

pub(super) struct DecisionReport {
    pub(super) decision: String,
    pub(super) verdict: Verdict,
    pub(super) expected: Side,
    pub(super) actual: Side,
}

/// One side of a diff: the outcome(s), the values compared and the rules that fired.
pub(super) struct Side {
    pub(super) outcome: Shown,
    pub(super) values: Vec<(String, String)>,
    pub(super) fires: Option<Vec<String>>,
}

/// An outcome as a diff shows it.
pub(super) enum Shown {
    One(String),
    /// The outcomes of a `collect` decision, as a set.
    Set(Vec<String>),
    /// No outcome: these rules are in conflict.
    Conflict(Vec<String>),
}

impl Shown {
    pub(super) fn text(&self, l: &Labels) -> String {
        match self {
            Shown::One(v) => v.clone(),
            Shown::Set(vs) => list(vs.iter().cloned()),
            Shown::Conflict(rules) => format!("{} {}", l.conflict, list(rules.iter().cloned())),
        }
    }

    pub(super) fn json(&self) -> Json {
        match self {
            Shown::One(v) => json!(v),
            Shown::Set(vs) => json!(vs),
            Shown::Conflict(rules) => json!({ "conflict": rules }),
        }
    }
}

/// Labels of the text output, in the policy's language.
pub(super) struct Labels {
    pub(super) zh: bool,
    pub(super) pass: &'static str,
    pub(super) fail: &'static str,
    pub(super) colon: &'static str,
    pub(super) conflict: &'static str,
    pub(super) outcome: &'static str,
    pub(super) values: &'static str,
    pub(super) fires: &'static str,
}

impl Labels {
    pub(super) fn new(lang: Lang) -> Labels {
        if lang == Lang::Zh {
            Labels {
                zh: true,
                pass: "✓ 通过",
                fail: "✗ 失败",
                colon: "：",
                conflict: "冲突，未能决定",
                outcome: "结论",
                values: "字段值",
                fires: "触发",
            }
        } else {
            Labels {
                zh: false,
                pass: "✓",
                fail: "✗",
                colon: ": ",
                conflict: "conflict, not decided:",
                outcome: "outcome",
                values: "values",
                fires: "fires",
            }
        }
    }
}

impl PolicyReport {
    pub(super) fn text(&self) -> String {
        let l = Labels::new(self.lang);
        let mut s = if l.zh {
            format!("政策 {}（{}）\n", self.name, self.file)
        } else {
            format!("policy {} ({})\n", self.name, self.file)
        };
        if self.groups.is_empty() {
            s.push_str(if l.zh { "  没有测试案例\n" } else { "  no test cases\n" });
        }
        for g in &self.groups {
            let title = match (g.inline, l.zh) {
                (true, true) => "测试块".to_string(),
                (true, false) => "test blocks".to_string(),
                (false, _) => g.source.clone(),
            };
            s.push_str(&format!("  {title}\n"));
            for c in &g.cases {
                s.push_str(&format!("    {} {}\n", if c.passed() { l.pass } else { l.fail }, c.name));
                let at = match c.line {
                    Some(line) => format!("{}:{line}", g.source),
                    None => g.source.clone(),
                };
                for (path, code, message) in &c.problems {
                    let code = code.map(|c| format!("{c} ")).unwrap_or_default();
                    s.push_str(&if l.zh {
                        format!("        {at}：案例 `{}` 的 `{path}`：{code}{message}\n", c.name)
                    } else {
                        format!("        {at}: case `{}`, `{path}`: {code}{message}\n", c.name)
                    });
                }
                for d in c.decisions.iter().filter(|d| !d.verdict.passed()) {
                    s.push_str(&d.diff(&l));
                }
            }
        }
        s.push('\n');
        s
    }

    pub(super) fn coverage_text(&self, lang: Lang) -> String {
        let fired = self.rules - self.unfired.len();
        let mut s = format!("{}\n", messages::coverage(lang, &self.name, self.rules, fired));
        let (sep, colon) = if lang == Lang::Zh { ("、", "：") } else { (", ", ": ") };
        if !self.unfired.is_empty() {
            s.push_str(&format!("    {}{colon}{}\n", messages::never_fired(lang), self.unfired.join(sep)));
        }
        for (decision, variants) in &self.unproduced {
            let label = messages::never_produced(lang);
            s.push_str(&format!("    {label}{colon}{decision} → {}\n", variants.join(sep)));
        }
        s
    }

    pub(super) fn json(&self) -> Json {
        let cases: Vec<Json> = self
            .groups
            .iter()
            .flat_map(|g| {
                g.cases.iter().map(move |c| {
                    let problems: Vec<Json> = c
                        .problems
                        .iter()
                        .map(
                            |(path, code, message)| json!({ "path": path, "code": code, "message": message }),
                        )
                        .collect();
                    let diff: Vec<Json> = c
                        .decisions
                        .iter()
                        .filter(|d| !d.verdict.passed())
                        .map(|d| {
                            json!({
                                "decision": d.decision,
                                "outcome_ok": d.verdict.outcome_ok,
                                "values_ok": d.verdict.values_ok,
                                "fires_ok": d.verdict.fires_ok,
                                "expected": d.expected.json(),
                                "actual": d.actual.json(),
                            })
                        })
                        .collect();
                    json!({
                        "name": c.name,
                        "source": if g.inline { "test block" } else { "case file" },
                        "file": g.source,
                        "line": c.line,
                        "status": if c.passed() { "passed" } else { "failed" },
                        "problems": problems,
                        "diff": diff,
                        "given": c.given,
                        "expect": c.expect,
                    })
                })
            })
            .collect();
        let unproduced: serde_json::Map<String, Json> =
            self.unproduced.iter().map(|(d, vs)| (d.clone(), json!(vs))).collect();
        json!({
            "policy": self.name,
            "file": self.file,
            "cases": cases,
            "coverage": {
                "rules": self.rules,
                "fired": self.rules - self.unfired.len(),
                "unfired": self.unfired,
                "unproduced": unproduced,
            },
        })
    }
}

impl DecisionReport {
    /// `- expected` / `+ actual` lines for each part that differs.
    pub(super) fn diff(&self, l: &Labels) -> String {
        let mut s = if l.zh {
            format!("        决定 {}（- 预期，+ 实际）：\n", self.decision)
        } else {
            format!("        decision {} (- expected, + actual):\n", self.decision)
        };
        let mut pair = |label: &str, expected: &str, actual: &str| {
            s.push_str(&format!("        - {label}{}{expected}\n", l.colon));
            s.push_str(&format!("        + {label}{}{actual}\n", l.colon));
        };
        let (e, a) = (&self.expected, &self.actual);
        if !self.verdict.outcome_ok {
            pair(l.outcome, &e.outcome.text(l), &a.outcome.text(l));
        }
        if !self.verdict.values_ok {
            let lang = if l.zh { Lang::Zh } else { Lang::En };
            pair(l.values, &values_text(&e.values, lang), &values_text(&a.values, lang));
        }
        if !self.verdict.fires_ok {
            let fires = |f: &Option<Vec<String>>| list(f.iter().flatten().cloned());
            pair(l.fires, &fires(&e.fires), &fires(&a.fires));
        }
        s
    }
}

impl Side {
    pub(super) fn json(&self) -> Json {
        let values: serde_json::Map<String, Json> =
            self.values.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect();
        json!({ "outcome": self.outcome.json(), "values": values, "fires": self.fires })
    }
}

/// `{ field: value, … }`, yes/no as 是/否 in Chinese.
pub(super) fn values_text(values: &[(String, String)], lang: Lang) -> String {
    if values.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> =
        values.iter().map(|(k, v)| format!("{k}: {}", crate::i18n::shown_value(lang, v))).collect();
    format!("{{ {} }}", inner.join(", "))
}

pub(super) fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_a_diff_read_shi_and_fou_in_chinese() {
        let values =
            vec![("经费随转".to_string(), "false".to_string()), ("天数".to_string(), "3".to_string())];
        assert_eq!(values_text(&values, Lang::Zh), "{ 经费随转: 否, 天数: 3 }");
        assert_eq!(values_text(&values, Lang::En), "{ 经费随转: false, 天数: 3 }");
    }
}
