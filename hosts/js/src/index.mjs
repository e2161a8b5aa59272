// index.mjs — the npm package's API: `load(bytes, options)` → a `QingdanPolicy` that decides
// cases and runs checks, with typed results (typed.mjs) and one error class, `QingdanError`.
// The lower-level host (`loadPolicy`, `evaluate` as `qingdan eval --explain` tells it) stays
// in qingdan.mjs, exported as `qingdan/host`.

import { loadPolicy } from "./load.mjs";
import { QingdanError } from "./errors.mjs";
import { kindOf } from "./values.mjs";
import { typedValue } from "./typed.mjs";
import { EVAL_CODES } from "./resultmodel.mjs";

export { QingdanError } from "./errors.mjs";
export { parseJson, JsonNumber } from "./json.mjs";

/** What an evaluation failure says, in both languages, as `qingdan eval` says it. */
const EVALUATION_ERRORS = {
  division_by_zero: ["除数为零", "division by zero"],
  overflow: ["数值超出范围", "number out of range"],
};

/**
 * Loads a module built by `qingdan build`. `options.lang` ("zh" | "en") picks the language
 * of messages (default: the policy's); `options.trust` requires a signature by one of the
 * given public keys. Throws `QingdanError` (E0501, E0502, E0507) for a module it cannot use.
 */
export async function load(bytes, options = {}) {
  return new QingdanPolicy(await loadPolicy(bytes, options));
}

/** A loaded policy: one instance, reused for every case (not for concurrent use). */
export class QingdanPolicy {
  constructor(host) {
    this.host = host;
    this.manifest = host.manifest;
    this.name = host.name;
    this.hash = host.hash;
    this.lang = host.lang;
    this.decisions = host.manifest.decisions.map((d) => d.name);
    this.checks = host.manifest.checks.map((c) => c.name);
  }

  /**
   * Decides one case: every decision as `{ NAME: result }`, or only `decision` (a name) as
   * its result. Throws `QingdanError`: E0301–E0307 for a case that does not fit (with
   * `path`), E0503–E0505 from the module, E0601–E0603 when evaluation fails (division by
   * zero, overflow, no rule for a total decision; the error's `kind` says which by name),
   * E0902 for a decision the policy does not have.
   */
  decide(caseObject, decision) {
    const indices = decision === undefined || decision === null ? this.decisions.map((_, d) => d) : [this.decisionIndex(decision)];
    this.host.place(this.host.readCase(caseObject));
    const out = {};
    for (const d of indices) out[this.decisions[d]] = this.result(this.succeeded(this.host.decide(d)).result);
    return decision === undefined || decision === null ? out : out[decision];
  }

  /**
   * The checks that read the case: `{ violations, permissions }`, each hit
   * `{ check, reason, cites, rows }` with the rows (typed) that break or use it.
   */
  check(caseObject) {
    const mf = this.manifest;
    this.host.place(this.host.readCase(caseObject));
    const violations = [];
    const permissions = [];
    mf.checks.forEach((check, c) => {
      if (!check.reads_case) return;
      const { hits } = this.succeeded(this.host.check(c));
      if (hits.length === 0) return;
      const elem = check.over && kindOf(check.over) === "Set" ? check.over.Set : null;
      const rows = elem === null ? [] : hits.filter((h) => h !== null).map((h) => typedValue(this.host, h, elem));
      const cites = check.cites.map((x) => {
        const { source, clause } = this.host.clause(x);
        return `${source}.${clause}`;
      });
      const hit = { check: check.name, reason: check.reason ?? null, cites, rows };
      (check.modality === "may" ? permissions : violations).push(hit);
    });
    return { violations, permissions };
  }

  decisionIndex(name) {
    const d = this.decisions.indexOf(name);
    if (d < 0) {
      const en = `no decision \`${name}\` (decisions: ${this.decisions.join(", ")})`;
      throw new QingdanError("E0902", `没有名为 \`${name}\` 的决定（决定：${this.decisions.join("、")}）`, en, "", this.lang);
    }
    return d;
  }

  /** A raw answer's value, or its evaluation error thrown as a `QingdanError`. */
  succeeded(got) {
    if (!got.error) return got;
    const e = got.error;
    let [zh, en] = EVALUATION_ERRORS[e.kind] ?? ["", ""];
    if (e.kind === "no_rule_applies") {
      const name = this.decisions[e.decision];
      zh = `决定 \`${name}\` 声明为完备，却没有规则适用`;
      en = `decision \`${name}\` is declared total but no rule applies`;
    }
    const error = new QingdanError(EVAL_CODES[e.kind], zh, en, "", this.lang);
    error.kind = e.kind;
    if (e.kind === "no_rule_applies") error.decision = this.decisions[e.decision];
    else error.site = e.site;
    throw error;
  }

  /** A raw decision result with names and typed values. */
  result(raw) {
    const mf = this.manifest;
    const decision = mf.decisions[raw.decision];
    const variants = mf.enums[decision.outcome_enum].variants;
    const ruleName = (r) => mf.rules[r].name;
    const outcomes = raw.outcomes.map((o) => {
      const variant = variants[o.variant];
      const values = Object.fromEntries(variant.fields.map(([name, ty], i) => [name, typedValue(this.host, o.fields[i], ty)]));
      const reason = o.rule !== null ? (mf.rules[o.rule].reason ?? null) : (decision.default_reason ?? null);
      return { outcome: variant.name, values, reason, rule: o.rule !== null ? ruleName(o.rule) : null };
    });
    return {
      outcome: outcomes.length > 0 ? outcomes[0].outcome : null,
      outcomes,
      fired: raw.fired.map(ruleName),
      overridden: raw.overridden.map(ruleName),
      by_default: raw.by_default,
      conflicts: raw.conflicts.map((c) => c.rules.map(ruleName)),
    };
  }
}

export { startRunner, Runner } from "./runner.mjs";
