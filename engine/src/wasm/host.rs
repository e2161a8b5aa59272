//! The engine's side of the Rust host: the runtime (`qingdan-runtime`) loads a module on
//! wasmtime, places cases and reads results back; here its answers become the
//! interpreter's (evaluation errors with their spans, a policy with the module's interface)
//! and its errors the front end's diagnostics, so the CLI and the result writer use a
//! module as they use the interpreter.

use std::fmt;
use std::ops::{Deref, DerefMut};

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::{Code, Lang};
use qingdan_runtime as rt;

use super::integrity::Trust;
use super::manifest::ManifestOf;
use crate::cases::{CaseReader, RawLine};
use crate::eval::{CheckResult, DecisionResult, EvalError};
use crate::ir::Policy;
use crate::result::{Decide as ResultDecide, ResultError, ResultWriter};
use crate::value::Value;

pub use rt::host::FUEL_PER_CALL;

/// Why the host could not load a module or evaluate a case with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    pub code: Code,
    pub message: Msg,
}

impl HostError {
    pub fn render(&self, lang: Lang) -> String {
        format!("{}[{}]: {}", self.code, self.code.slug(), self.message.get(lang))
    }
}

impl std::error::Error for HostError {}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// The registry's code of a runtime code (the same `E0…` text; a test holds them equal).
pub fn code_of(code: rt::Code) -> Code {
    Code::ALL.iter().copied().find(|c| c.as_str() == code.as_str()).unwrap_or(Code::E0501)
}

impl From<rt::Error> for HostError {
    fn from(e: rt::Error) -> HostError {
        HostError { code: code_of(e.code), message: msg(e.message.zh, e.message.en) }
    }
}

/// A compiled module with its manifest (`module.manifest`), ready to instantiate.
pub struct Module(rt::Module);

impl Deref for Module {
    type Target = rt::Module;
    fn deref(&self) -> &rt::Module {
        &self.0
    }
}

impl DerefMut for Module {
    fn deref_mut(&mut self) -> &mut rt::Module {
        &mut self.0
    }
}

impl Module {
    /// Validates and compiles `bytes`; checks its seal, manifest and ABI version.
    pub fn load(bytes: &[u8]) -> Result<Module, HostError> {
        Ok(Module(rt::Module::load(bytes)?))
    }

    /// As [`Module::load`], requiring of the module's seal what `trust` says.
    pub fn load_with(bytes: &[u8], trust: &Trust) -> Result<Module, HostError> {
        Ok(Module(rt::Module::load_with(bytes, trust)?))
    }

    /// A fresh instance: its own memory, reused for every case evaluated with it.
    pub fn instantiate(&self) -> Result<Instance, HostError> {
        Ok(Instance(self.0.instantiate()?))
    }

    /// A policy with the module's interface (no rule bodies): for reading cases and
    /// telling results with names. The list rows are read from a fresh instance.
    pub fn policy(&self) -> Result<Policy, HostError> {
        Ok(self.manifest.to_policy(self.0.list_rows()?))
    }
}

/// An instantiated module.
pub struct Instance(rt::Instance);

impl Deref for Instance {
    type Target = rt::Instance;
    fn deref(&self) -> &rt::Instance {
        &self.0
    }
}

impl Instance {
    /// Writes a case (one value per slot) into memory and has the module accept it.
    pub fn place(&mut self, case: &[Value]) -> Result<(), HostError> {
        Ok(self.0.place(case)?)
    }

    /// Decides decision `d` for the case placed last.
    pub fn decide(&mut self, d: u32) -> Result<Result<DecisionResult, EvalError>, HostError> {
        Ok(self.0.decide(d)?.map_err(|f| self.eval_error(f)))
    }

    /// Evaluates check `c` for the case placed last.
    pub fn check(&mut self, c: u32) -> Result<Result<CheckResult, EvalError>, HostError> {
        Ok(self.0.check(c)?.map_err(|f| self.eval_error(f)))
    }

    /// The value of let `l` for the case placed last.
    pub fn let_value(&mut self, l: u32) -> Result<Result<Value, EvalError>, HostError> {
        Ok(self.0.let_value(l)?.map_err(|f| self.eval_error(f)))
    }

    /// The interpreter's error for what the module reported, with the span of its site.
    fn eval_error(&self, f: rt::decided::Failure) -> EvalError {
        use rt::decided::Failure;
        match f {
            Failure::DivisionByZero { site } => EvalError::DivisionByZero(self.manifest.site(site)),
            Failure::Overflow { site } => EvalError::Overflow(self.manifest.site(site)),
            Failure::NoRuleApplies { decision } => EvalError::NoRuleApplies(decision),
        }
    }
}

impl From<HostError> for ResultError {
    fn from(e: HostError) -> ResultError {
        ResultError { code: e.code, message: e.message, path: None, line: None }
    }
}

/// A module instance with one case placed in it, deciding for the result writer.
pub struct ModuleCase<'a> {
    pub inst: &'a mut Instance,
    /// The module's policy ([`Module::policy`]): names for errors.
    pub policy: &'a Policy,
    pub case: &'a [Value],
}

impl ResultDecide for ModuleCase<'_> {
    fn decide(&mut self, d: u32) -> Result<DecisionResult, ResultError> {
        self.inst.decide(d)?.map_err(|e| ResultError::of_eval(self.policy, &e))
    }

    fn check(&mut self, c: u32) -> Result<CheckResult, ResultError> {
        self.inst.check(c)?.map_err(|e| ResultError::of_eval(self.policy, &e))
    }

    fn slot(&self, s: u32) -> Value {
        self.case.get(s as usize).cloned().unwrap_or_default()
    }

    fn let_value(&mut self, l: u32) -> Result<Value, ResultError> {
        self.inst.let_value(l)?.map_err(|e| ResultError::of_eval(self.policy, &e))
    }
}

impl Module {
    /// The result writer for this module's policy (`policy` from [`Module::policy`]): every
    /// decision (or `decision` alone) and, with every decision, the checks that read the case.
    pub fn result_writer<'p>(
        &self,
        policy: &'p Policy,
        decision: Option<u32>,
        explain: bool,
    ) -> ResultWriter<'p> {
        let (decisions, checks) = match decision {
            Some(d) => (vec![d], Vec::new()),
            None => (
                (0..policy.decisions.len() as u32).collect(),
                (0..self.manifest.checks.len() as u32)
                    .filter(|&c| self.manifest.checks[c as usize].reads_case)
                    .collect(),
            ),
        };
        let reads = |r: u32| self.manifest.rules.get(r as usize).map(|x| x.reads.clone()).unwrap_or_default();
        ResultWriter::new(policy, decisions, checks, explain, &reads)
    }
}

impl Instance {
    /// Case `n` (a JSON object on one line, as a JSON Lines case file holds it) decided by
    /// this instance, as one line of the result model: byte for byte the line `qingdan eval
    /// --format json` writes for it.
    pub fn result_json(
        &mut self,
        writer: &ResultWriter<'_>,
        policy: &Policy,
        n: usize,
        name: Option<&str>,
        case_json: &str,
    ) -> String {
        let mut out = String::new();
        let reader = CaseReader::new(policy);
        let raw = RawLine { case: n, line: n, bytes: case_json.as_bytes().to_vec() };
        match reader.read_line(&raw) {
            Err(e) => writer.error(&mut out, n, name, &ResultError::of_case(&e, false)),
            Ok(values) => match self.place(&values) {
                Err(e) => writer.error(&mut out, n, name, &e.into()),
                Ok(()) => {
                    writer.case(&mut out, n, name, &mut ModuleCase { inst: self, policy, case: &values });
                }
            },
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_code_is_the_registry_code_of_the_same_name_and_slug() {
        for c in rt::Code::all() {
            let ours = code_of(c);
            assert_eq!((ours.as_str(), ours.slug()), (c.as_str(), c.slug()), "{c}");
        }
    }
}
