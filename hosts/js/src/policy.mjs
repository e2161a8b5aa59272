// policy.mjs — a `Policy`: a module's instance (instance.mjs) whose results are told with names,
// as `qingdan eval --format json [--explain]` tells them: `evaluate` for one case, `tell` for a
// decision's explanation, `brief` for the short form.

import { Instance } from "./instance.mjs";
import { kindOf } from "./values.mjs";
import { modelTexts, resultJson } from "./resultmodel.mjs";
import { decisionDay, versionOn, rowDays, versionLabel } from "./versions.mjs";

/**
 * A loaded module with one instance, reused for every case. Create with `loadPolicy`.
 *
 * High level: `evaluate(case, { decision, explain })`. Lower level, as the Rust host:
 * `readCase(case)` → slot values, `place(values)`, `decide(d)`, `check(c)`, `letValue(l)`.
 */
export class Policy extends Instance {
  /** Built by `loadPolicy`: the compiled module, its manifest, the language of messages. */
  constructor(module, manifest, lang) {
    super(module, manifest, lang);
  }

  // ---------------------------------------------------------------- telling results

  /** An evaluation error as `qingdan eval` reports it, in both languages. */
  tellError(e) {
    let zh;
    let en;
    if (e.kind === "division_by_zero") [zh, en] = ["除数为零", "division by zero"];
    else if (e.kind === "overflow") [zh, en] = ["数值超出范围", "number out of range"];
    else {
      const name = this.manifest.decisions[e.decision].name;
      zh = `决定 \`${name}\` 声明为完备，却没有规则适用`;
      en = `decision \`${name}\` is declared total but no rule applies`;
    }
    const out = { kind: e.kind, message: this.lang === "zh" ? zh : en, zh, en };
    if (e.kind === "no_rule_applies") out.decision = this.manifest.decisions[e.decision].name;
    else out.site = e.site;
    return out;
  }

  /**
   * A value named as explanations name it (eval/explain.rs `NamedValue`): shown with names;
   * `version` (a let's, or null) and, with `dated`, a dated row's days, as labels.
   */
  named(name, value, ty, version, dated) {
    const shown = { name, value: this.show(value, ty) };
    if (version) shown.version = versionLabel(version, this.manifest.lang);
    const days = dated ? rowDays(this, value, ty) : null;
    if (days) shown.in_force = versionLabel(days, this.manifest.lang);
    return shown;
  }

  /** A `[source, clause]` citation with its names and text, as explanations show it. */
  clause([s, c]) {
    const source = this.manifest.sources[s];
    return { source: source.name, clause: source.clauses[c][0], text: source.clauses[c][1] };
  }

  /**
   * A decision result told with names (eval/explain.rs `tell`): the same object as
   * `qingdan eval --format json --explain` prints for the decision. Without `explain`,
   * rule traces carry no values read and no citations. Returns `{ explanation }` or
   * `{ error }` (a let read for the explanation may fail).
   */
  tell(result, explain, lets) {
    const mf = this.manifest;
    const decision = mf.decisions[result.decision];
    const variants = mf.enums[decision.outcome_enum].variants;
    const outcomes = result.outcomes.map((o) => {
      const variant = variants[o.variant];
      const reason = o.rule !== null ? (mf.rules[o.rule].reason ?? null) : (decision.default_reason ?? null);
      const shown = { outcome: variant.name };
      if (variant.fields.length > 0) {
        shown.values = variant.fields.map(([name, ty], i) => this.named(name, o.fields[i], ty, null, explain));
      }
      shown.reason = reason;
      shown.rule = o.rule !== null ? mf.rules[o.rule].name : null;
      // The default's clauses (a rule's are in its trace), as eval/explain.rs `tell`.
      if (o.rule === null && explain && (decision.default_cites ?? []).length > 0) {
        shown.cites = decision.default_cites.map((c) => this.clause(c));
      }
      return shown;
    });
    const trace = (r) => {
      const rule = mf.rules[r];
      const enumDef = mf.enums[mf.decisions[rule.decision].outcome_enum];
      const read = [];
      if (explain) {
        for (const x of rule.reads) {
          if ("Slot" in x) {
            const slot = mf.slots[x.Slot];
            const name = `${mf.inputs[slot.input].name}.${slot.path.join(".")}`;
            read.push(this.named(name, this.placed[x.Slot], slot.ty, null, true));
          } else {
            const def = mf.lets[x.Let];
            if (!lets.has(x.Let)) lets.set(x.Let, this.letValue(x.Let));
            const got = lets.get(x.Let);
            if (got.error) throw { evalError: got.error };
            const version = versionOn(def.versions, decisionDay(mf, this.placed));
            read.push(this.named(def.name, got.value, def.ty, version, true));
          }
        }
      }
      const t = { rule: rule.name };
      // For a version of a rule, its days (`自 2025-01-01 起`), as eval/explain.rs `trace`.
      if (rule.version) t.version = versionLabel(rule.version, this.manifest.lang);
      if (rule.exception_to !== null && rule.exception_to !== undefined) t.exception_to = mf.rules[rule.exception_to].name;
      t.outcome = rule.outcome !== null && rule.outcome !== undefined ? enumDef.variants[rule.outcome].name : null;
      t.reason = rule.reason ?? null;
      t.read = read;
      t.cites = explain ? rule.cites.map((c) => this.clause(c)) : [];
      return t;
    };
    try {
      const fired = result.fired.map(trace);
      const overridden = result.overridden.map(trace);
      const conflicts = result.conflicts.map((c) => c.rules.map((r) => mf.rules[r].name));
      return {
        explanation: { decision: decision.name, outcomes, by_default: result.by_default, fired, overridden, conflicts },
      };
    } catch (e) {
      if (e && e.evalError) return { error: e.evalError };
      throw e;
    }
  }

  /**
   * One case as a line of the result model (docs/result.schema.json), byte for byte the line
   * `qingdan eval --format json [--explain]` writes for it, ending in a newline. Options:
   * `n` the case's number (1), `name`, `decision` (one decision by name, then no checks),
   * `explain`. A case that cannot be read or decided gives the line with its `error` object
   * (code, message in both languages, path) rather than throwing.
   */
  decideJson(caseObject, options = {}) {
    const explain = Boolean(options.explain);
    this.modelTexts ??= new Map();
    if (!this.modelTexts.has(explain)) this.modelTexts.set(explain, modelTexts(this.manifest, explain));
    return resultJson(this, this.modelTexts.get(explain), caseObject, options);
  }

  /**
   * Evaluates one case: every decision (or only `options.decision`, by name) and, when all
   * decisions are asked for, the checks that read the case. Returns
   * `{ decisions: { NAME: explanation }, violations: [{ check, reason, rows }] }`, or
   * `{ error: { kind, message, zh, en, site | decision } }` when evaluation fails — the
   * same content as one record of `qingdan eval --format json [--explain]`.
   * `options.explain` adds the values each rule read and the clauses it cites.
   */
  evaluate(caseObject, options = {}) {
    const values = this.readCase(caseObject);
    return this.evaluateValues(values, options);
  }

  /** As `evaluate`, for slot values already read (`readCase`). */
  evaluateValues(values, options = {}) {
    const mf = this.manifest;
    let decisions = mf.decisions.map((_, d) => d);
    // Checks that read the case: a broken `must` / `must not` is a violation, a `may` the
    // case uses is a permission (as src/eval_cmd.rs `checks_reading_the_case`).
    let checks = mf.checks.map((_, c) => c).filter((c) => mf.checks[c].reads_case);
    if (options.decision !== undefined && options.decision !== null) {
      const d = mf.decisions.findIndex((x) => x.name === options.decision);
      if (d < 0) {
        throw new RangeError(`no decision \`${options.decision}\` (decisions: ${mf.decisions.map((x) => x.name).join(", ")})`);
      }
      decisions = [d];
      checks = [];
    }
    this.place(values);
    const explain = Boolean(options.explain);
    const lets = new Map();
    const out = {};
    for (const d of decisions) {
      const got = this.decide(d);
      if (got.error) return { error: this.tellError(got.error) };
      const told = this.tell(got.result, explain, lets);
      if (told.error) return { error: this.tellError(told.error) };
      out[mf.decisions[d].name] = told.explanation;
    }
    const violations = [];
    const permissions = [];
    for (const c of checks) {
      const got = this.check(c);
      if (got.error) return { error: this.tellError(got.error) };
      if (got.hits.length === 0) continue;
      const check = mf.checks[c];
      const elem = check.over && kindOf(check.over) === "Set" ? check.over.Set : null;
      const rows = elem === null ? [] : got.hits.filter((h) => h !== null).map((h) => this.show(h, elem));
      const cites = check.cites.map((x) => {
        const { source, clause } = this.clause(x);
        return `${source}.${clause}`;
      });
      const hit = { check: check.name, reason: check.reason ?? null, cites, rows };
      (check.modality === "may" ? permissions : violations).push(hit);
    }
    return { decisions: out, violations, permissions };
  }
}

/** The short form `qingdan eval --format json` prints without `--explain`. */
export function brief(explanation) {
  const body = {
    outcomes: explanation.outcomes.map((o) => ({
      outcome: o.outcome,
      values: Object.fromEntries((o.values || []).map((v) => [v.name, v.value])),
      reason: o.reason,
      rule: o.rule,
    })),
    fired: explanation.fired.map((r) => r.rule),
    by_default: explanation.by_default,
  };
  if (explanation.conflicts.length > 0) body.conflicts = explanation.conflicts;
  return body;
}
