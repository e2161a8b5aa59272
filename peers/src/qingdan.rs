//! qingdan itself: the synthetic policy lowered once, decided by the interpreter and by its
//! WASM module.

#[path = "../../engine/benches/common.rs"]
#[allow(dead_code)]
mod common;

use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::{DecisionResult, Evaluator, Frame};
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::{Policy, Value};

use crate::{Application, Verdict};

/// The policy with what decides and reads for it. The policy is leaked: it lives as long as
/// the benchmark, and the evaluator and reader borrow it.
pub struct Qingdan {
    pub policy: &'static Policy,
    pub evaluator: Evaluator<'static>,
    pub reader: CaseReader<'static>,
    pub module: host::Module,
}

impl Qingdan {
    pub fn new() -> Qingdan {
        let policy: &'static Policy = Box::leak(Box::new(common::lowered(&common::admission_policy())));
        let bytes = compile(policy, "peers").expect("the synthetic policy compiles").bytes;
        Qingdan {
            policy,
            evaluator: Evaluator::new(policy),
            reader: CaseReader::new(policy),
            module: host::Module::load(&bytes).expect("its module loads"),
        }
    }

    /// The case an application is, read from its JSON line as `qingdan eval` reads it.
    pub fn case(&self, app: &Application) -> Vec<Value> {
        self.reader.json_line(&app.qingdan_json(), 1).expect("a generated case reads")
    }

    /// The interpreter on a case, in a frame kept between cases (as `qingdan eval` does).
    pub fn interpret(&self, frame: &mut Option<Frame<'static>>, case: &[Value]) -> DecisionResult {
        let mut f = frame.take().unwrap_or_else(|| self.evaluator.frame(&[])).rebind(case);
        let result = self.evaluator.decide(0, &mut f).expect("the synthetic decision decides");
        *frame = Some(f.rebind(&[]));
        result
    }

    /// From JSON text: the case line read, then decided.
    pub fn interpret_json(&self, frame: &mut Option<Frame<'static>>, line: &str) -> DecisionResult {
        let case = self.reader.json_line(line, 1).expect("a generated case reads");
        self.interpret(frame, &case)
    }

    /// The module on a case: placed, then decided.
    pub fn run_module(&self, instance: &mut host::Instance, case: &[Value]) -> DecisionResult {
        instance.place(case).expect("placed");
        instance.decide(0).expect("the module runs").expect("the synthetic decision decides")
    }

    pub fn verdict(&self, result: &DecisionResult) -> Verdict {
        let decision = &self.policy.decisions[result.decision as usize];
        let variants = &self.policy.enums[decision.outcome_enum as usize].variants;
        let outcome = &variants[result.outcomes[0].variant as usize].name;
        Verdict {
            outcome: crate::OUTCOMES[crate::rank_of(outcome).expect("a conclusion of 准入结论") as usize],
            fired: result.fired.iter().map(|&r| self.policy.rules[r as usize].name.clone()).collect(),
        }
    }

    /// Rules and exceptions whose condition held for this result (fired or overridden): the
    /// generator must show each one holding and not holding.
    pub fn held(&self, result: &DecisionResult) -> Vec<String> {
        let rules = result.fired.iter().chain(result.overridden.iter());
        rules.map(|&r| self.policy.rules[r as usize].name.clone()).collect()
    }

    pub fn rule_names(&self) -> Vec<String> {
        self.policy.rules.iter().map(|r| r.name.clone()).collect()
    }
}

impl Default for Qingdan {
    fn default() -> Self {
        Qingdan::new()
    }
}
