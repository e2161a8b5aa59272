//! The agreement check: every engine decides each generated application, and all must give
//! the same conclusion and the same fired rules; the applications must show each rule and
//! exception both holding and not.

use std::collections::BTreeMap;
use std::fmt;

use crate::cedar::Cedar;
use crate::qingdan::Qingdan;
use crate::zen::Zen;
use crate::{Application, Verdict, OUTCOMES};

/// The three engines, built once.
pub struct Engines {
    pub qingdan: Qingdan,
    pub cedar: Cedar,
    pub zen: Zen,
}

impl Engines {
    pub fn new() -> Engines {
        Engines { qingdan: Qingdan::new(), cedar: Cedar::new(), zen: Zen::new() }
    }
}

impl Default for Engines {
    fn default() -> Self {
        Engines::new()
    }
}

/// What the check saw.
pub struct Report {
    pub cases: usize,
    /// Per rule or exception: in how many cases its condition held, and failed.
    pub held: BTreeMap<String, (usize, usize)>,
    /// Per conclusion: how many cases got it.
    pub outcomes: BTreeMap<&'static str, usize>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fewest_held = self.held.values().map(|h| h.0).min().unwrap_or(0);
        let fewest_failed = self.held.values().map(|h| h.1).min().unwrap_or(0);
        write!(
            f,
            "agreement: {} cases decided alike (conclusion and fired rules) by the interpreter, the \
             module, qingdan from JSON, Cedar (built and from JSON) and ZEN (built and from JSON); \
             each of {} rules and exceptions held in ≥ {fewest_held} and failed in ≥ {fewest_failed}; ",
            self.cases,
            self.held.len()
        )?;
        let counts: Vec<String> = OUTCOMES.iter().map(|o| format!("{o} {}", self.outcomes[o])).collect();
        write!(f, "conclusions: {}", counts.join(", "))
    }
}

/// Decides every application with every engine and path; panics on the first disagreement,
/// naming the application and each engine's verdict.
pub fn check(engines: &Engines, apps: &[Application]) -> Report {
    let Engines { qingdan, cedar, zen } = engines;
    let mut frame = None;
    let mut instance = qingdan.module.instantiate().expect("an instance");
    let mut held: BTreeMap<String, (usize, usize)> =
        qingdan.rule_names().into_iter().map(|n| (n, (0, 0))).collect();
    let mut outcomes: BTreeMap<&'static str, usize> = OUTCOMES.iter().map(|o| (*o, 0)).collect();
    for app in apps {
        let case = qingdan.case(app);
        let interpreted = qingdan.interpret(&mut frame, &case);
        let want = qingdan.verdict(&interpreted);
        let response = cedar.authorize(&cedar.request_for(app));
        // Evaluated twice on one built input: the benchmark reuses its inputs.
        let zen_input = zen.input(&app.zen_json());
        let zen_rows = zen.evaluate(zen_input.clone());
        let zen_again = zen.verdict(&zen.evaluate(zen_input));
        let others: [(&str, Verdict); 5] = [
            ("module", qingdan.verdict(&qingdan.run_module(&mut instance, &case))),
            ("qingdan from JSON", qingdan.verdict(&qingdan.interpret_json(&mut frame, &app.qingdan_json()))),
            ("Cedar", cedar.verdict(&response)),
            ("ZEN", zen.verdict(&zen_rows)),
            ("ZEN again on its input", zen_again),
        ];
        for (engine, verdict) in &others {
            assert_eq!(&want, verdict, "{engine} decides otherwise than the interpreter on {app:?}");
        }
        // The JSON paths the benchmark times conclude as the verdicts above.
        let rank = crate::rank_of(want.outcome);
        assert_eq!(Some(cedar.decide_json(&app.cedar_json())), rank, "Cedar from JSON on {app:?}");
        assert_eq!(Some(zen.decide_json(&app.zen_json())), rank, "ZEN from JSON on {app:?}");
        *outcomes.get_mut(want.outcome).expect("a conclusion") += 1;
        let holding = qingdan.held(&interpreted);
        for (name, (yes, no)) in held.iter_mut() {
            if holding.contains(name) {
                *yes += 1;
            } else {
                *no += 1;
            }
        }
    }
    Report { cases: apps.len(), held, outcomes }
}

/// [`check`], then that the cases reached every rule's both sides and every conclusion.
pub fn check_covering(engines: &Engines, apps: &[Application]) -> Report {
    let report = check(engines, apps);
    for (name, (yes, no)) in &report.held {
        assert!(*yes > 0 && *no > 0, "rule {name}: held in {yes} cases, failed in {no}");
    }
    for (outcome, n) in &report.outcomes {
        assert!(*n > 0, "no case concluded {outcome}");
    }
    report
}
