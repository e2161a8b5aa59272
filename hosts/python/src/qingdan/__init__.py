"""qingdan: run policies compiled by `qingdan build` (WebAssembly) with wasmtime.

    from qingdan import Policy, QingdanError
    policy = Policy.load("admission.wasm")
    result = policy.decide({"申请": {...}}, "准入结论")
    result.outcome, result.outcomes[0].values, result.to_json()
"""

from ._errors import QingdanError
from ._policy import CheckHit, CheckResult, DecisionResult, Outcome, Policy

__all__ = ["Policy", "QingdanError", "DecisionResult", "Outcome", "CheckResult", "CheckHit"]
