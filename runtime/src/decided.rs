//! What a decision or a check gave, as the interpreter and a module alike report it, and
//! why a case could not be decided.

use smallvec::SmallVec;

use crate::error::{message, Code, Error};
use crate::value::Value;

/// An outcome as decided: the variant, the values it carries, and the rule behind it
/// (`None` for the default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub variant: u32,
    pub fields: Vec<Value>,
    pub rule: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Exceptions of `base` that both hold and give different outcomes.
    Exceptions { base: u32, rules: Vec<u32> },
    /// Several rules fired in a `unique` decision.
    Unique { rules: Vec<u32> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionResult {
    pub decision: u32,
    /// One outcome (none when in conflict); every fired outcome for `collect`.
    pub outcomes: SmallVec<[Outcome; 1]>,
    /// Rules and exceptions that took effect, in file order: those whose outcome stood,
    /// and exceptions without `then` that cancelled their target.
    pub fired: SmallVec<[u32; 4]>,
    /// Rules and exceptions that held but were overridden or cancelled by an exception.
    pub overridden: SmallVec<[u32; 2]>,
    pub conflicts: Vec<Conflict>,
    pub by_default: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub check: u32,
    /// Rows (or, for a check without `for`, the case itself as `None`) that break a
    /// `must` / `must not`; for `may`, those that use the permission.
    pub hits: Vec<Option<Value>>,
}

/// Why a case could not be decided (E0601–E0603): the module reports where, by the site
/// number its manifest maps to a place in the policy's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    DivisionByZero {
        site: i32,
    },
    Overflow {
        site: i32,
    },
    /// A `total` decision where no rule applied.
    NoRuleApplies {
        decision: u32,
    },
}

impl Failure {
    /// The error it is, with the engine's codes and words (`decision`: the name of the
    /// decision that was asked for, for E0603).
    pub fn error(self, decision: &str) -> Error {
        match self {
            Failure::DivisionByZero { .. } => {
                Error::new(Code::E0601, message("除数为零", "division by zero"))
            }
            Failure::Overflow { .. } => {
                Error::new(Code::E0602, message("数值超出范围", "number out of range"))
            }
            Failure::NoRuleApplies { .. } => Error {
                code: Code::E0603,
                message: message(
                    format!("决定 `{decision}` 声明为完备，却没有规则适用"),
                    format!("decision `{decision}` is declared total but no rule applies"),
                ),
                path: Some(decision.to_string()),
            },
        }
    }
}
