"""qingdan: run policies compiled by `qingdan build` (WebAssembly) with wasmtime.

    from qingdan import Policy, QingdanError
    policy = Policy.load("admission.wasm")
    result = policy.decide({"申请": {...}}, "准入结论")
    result.outcome, result.outcomes[0].values, result.to_json()
    line = policy.decide_json(parse_json(text))   # the result model's line (docs/result.md)
"""

from ._errors import QingdanError
from ._json import JsonFloat, parse_json
from ._policy import CheckHit, CheckResult, DecisionResult, Outcome, Policy
from ._resultmodel import MODEL_VERSION

__all__ = [
    "Policy", "QingdanError", "DecisionResult", "Outcome", "CheckResult", "CheckHit",
    "parse_json", "JsonFloat", "MODEL_VERSION",
]
