"""QingdanError: every failure the package reports, with the Rust engine's codes."""

SLUGS = {
    "E0301": "case-malformed",
    "E0302": "case-wrong-type",
    "E0303": "case-missing-field",
    "E0304": "case-unknown-field",
    "E0305": "case-unknown-variant",
    "E0306": "case-unknown-key",
    "E0307": "case-too-large",
    "E0501": "wasm-malformed",
    "E0502": "wasm-foreign-abi",
    "E0503": "wasm-input-too-large",
    "E0504": "wasm-stopped",
    "E0505": "wasm-bad-input",
    "E0507": "wasm-untrusted",
    "E0601": "eval-division-by-zero",
    "E0602": "eval-overflow",
    "E0603": "eval-no-rule-applies",
    "E0902": "unknown-decision",
}


class QingdanError(Exception):
    """A case that does not fit, a module that cannot be used, or an evaluation failure.

    ``code`` is stable, the engine's: E0301-E0307, E0501-E0507, E0601-E0603 for evaluation
    failures (``kind`` names them: ``division_by_zero``, ``overflow``, ``no_rule_applies``), and
    E0902 for a decision the policy does not have.
    ``path`` names the case's field ("申请.事项名称"), empty when none.
    """

    def __init__(self, code, zh, en, path="", lang="en"):
        self.code = code
        self.slug = SLUGS.get(code, code)
        self.zh = zh
        self.en = en
        self.path = path
        self.lang = lang
        # For E0601-E0603: the failure by name; E0603 also names its decision.
        self.kind = None
        self.decision = None
        text = zh if lang == "zh" else en
        where = ""
        if path:
            where = f"`{path}`：" if lang == "zh" else f"`{path}`: "
        super().__init__(f"{code}[{self.slug}]: {where}{text}")


def malformed(why, lang="en"):
    return QingdanError("E0501", f"不是有效的 qingdan WASM 模块：{why}", f"not a valid qingdan WASM module: {why}", "", lang)
