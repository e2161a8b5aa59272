// The whole case file in the browser: the cases `qingdan test` runs for a policy (its `test`
// blocks, then `X.cases.yaml` or the folder's `cases.yaml`), as `POST /api/cases` gives them
// (src/playground_cases.rs: read by the engine's own reader, `given` as the JS host's case
// reader takes it), decided here by the compiled module and compared as
// engine/src/testing.rs `compare` does: ✓/✗ per case, the expected/actual diff of outcome,
// values and fired rules, and rule coverage as `qingdan test` prints it.

import { QingdanError } from "./host/qingdan.mjs";
import { t, getLang } from "./i18n.mjs";
import { escapeHtml } from "./editor.mjs";

/** Texts in the order Rust sorts `String`s: by UTF-8 bytes, which is code point order. */
function byCodePoint(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** A value as a test compares it (testing.rs `shown`): `none`, set elements sorted and once. */
export function shown(policy, v, ty) {
  if (v === null || v === undefined) return "none";
  if (typeof ty === "object" && "Opt" in ty) return shown(policy, v, ty.Opt);
  if (typeof ty === "object" && "Set" in ty) {
    const texts = [...new Set(v.map((x) => shown(policy, x, ty.Set)))].sort(byCodePoint);
    return `[${texts.join(", ")}]`;
  }
  return policy.show(v, ty);
}

const sortedIds = (xs) => [...new Set(xs)].sort((a, b) => a - b);
const message = (m) => (getLang() === "zh" ? m.message_zh || m.message : m.message);

/** What a decision gave, as a test compares it (testing.rs `observe`). */
function observe(policy, result) {
  const mf = policy.manifest;
  const variants = mf.enums[mf.decisions[result.decision].outcome_enum].variants;
  return {
    variants: result.outcomes.map((o) => o.variant),
    values: result.outcomes.map((o) => variants[o.variant].fields.map(([, ty], i) => shown(policy, o.fields[i], ty))),
    fires: sortedIds(result.fired),
    conflicts: result.conflicts.map((c) => c.rules),
  };
}

/**
 * One decision's expectation against what it gave (testing.rs `compare`, and the diff
 * test_cmd's `decision_report` prints). `expect`: `{ outcome, values, fires }` by name.
 */
function compare(policy, d, expect, actual) {
  const mf = policy.manifest;
  const decision = mf.decisions[d];
  const variants = mf.enums[decision.outcome_enum].variants;
  const index = (name) => variants.findIndex((v) => v.name === name);
  const collect = decision.combining === "collect";
  const set = Array.isArray(expect.outcome) ? sortedIds(expect.outcome.map(index)) : null;
  const one = set ? null : index(expect.outcome);
  const wanted = set ? (set.length === 1 ? set[0] : null) : one;
  let outcomeOk;
  if (set) outcomeOk = JSON.stringify(sortedIds(actual.variants)) === JSON.stringify(set);
  else if (collect) outcomeOk = actual.variants.length > 0 && actual.variants.every((v) => v === one);
  else outcomeOk = actual.variants.length === 1 && actual.variants[0] === one;
  const fields = wanted === null ? [] : variants[wanted].fields;
  const expectedValues = Object.entries(expect.values || {});
  const candidates = actual.variants.map((v, i) => [v, i]).filter(([v]) => v === wanted).map(([, i]) => i);
  const matches = (i) => expectedValues.every(([name, text]) => actual.values[i][fields.findIndex(([f]) => f === name)] === text);
  const matching = candidates.find(matches);
  const valuesOk = expectedValues.length === 0 || matching !== undefined;
  const ruleId = (name) => mf.rules.findIndex((r) => r.name === name);
  const expectedFires = expect.fires === null || expect.fires === undefined ? null : sortedIds(expect.fires.map(ruleId));
  const firesOk = expectedFires === null || JSON.stringify(expectedFires) === JSON.stringify(actual.fires);
  const shownAt = matching ?? candidates[0] ?? (actual.variants.length ? 0 : null);
  // The diff, as `qingdan test` prints it.
  const names = (ids) => ids.map((r) => mf.rules[r].name);
  let actualOutcome;
  if (actual.variants.length === 0) actualOutcome = { conflict: actual.conflicts.flatMap(names) };
  else if (actual.variants.length === 1 && !set) actualOutcome = variants[actual.variants[0]].name;
  else actualOutcome = sortedIds(actual.variants).map((v) => variants[v].name);
  let actualValues = [];
  if (shownAt !== null) {
    const v = actual.variants[shownAt];
    const all = variants[v].fields.map(([name], i) => [name, actual.values[shownAt][i]]);
    actualValues = v === wanted ? all.filter(([n]) => expectedValues.some(([x]) => x === n)) : all;
  }
  return {
    decision: decision.name,
    passed: outcomeOk && valuesOk && firesOk,
    outcomeOk,
    valuesOk,
    firesOk,
    expected: { outcome: expect.outcome, values: expectedValues, fires: expectedFires === null ? null : names(expectedFires) },
    actual: { outcome: actualOutcome, values: actualValues, fires: expectedFires === null ? null : names(actual.fires) },
  };
}

/**
 * Runs every case of `data` (the answer of `/api/cases`, read with `parseJson` so that no
 * number passes through a float) with `policy` (a qingdan.mjs Policy). Returns
 * `{ groups: [{ source, inline, error, cases: [{ name, line, given, passed, problems, decisions }] }],
 *    passed, failed, coverage: { rules, fired, unfired, unproduced: [[decision, [outcomes]]] } }`.
 */
export function runCases(policy, data) {
  const mf = policy.manifest;
  const fired = new Array(mf.rules.length).fill(false);
  const produced = mf.decisions.map(() => new Set());
  let passed = 0;
  let failed = 0;
  const groups = data.groups.map((g) => {
    const cases = g.cases.map((c) => {
      const run = runOne(policy, c, fired, produced);
      if (run.passed) passed++;
      else failed++;
      return run;
    });
    return { source: g.source, inline: g.inline, error: g.error, cases };
  });
  const unfired = mf.rules.map((r, i) => [r.name, i]).filter(([, i]) => !fired[i]).map(([n]) => n);
  const unproduced = Object.entries(data.coverage.outcomes)
    .map(([name, can]) => {
      const d = mf.decisions.findIndex((x) => x.name === name);
      const variants = d < 0 ? [] : mf.enums[mf.decisions[d].outcome_enum].variants;
      return [name, can.filter((o) => !produced[d]?.has(variants.findIndex((v) => v.name === o)))];
    })
    .filter(([, missing]) => missing.length > 0);
  return {
    groups,
    passed,
    failed,
    problems: data.problems || [],
    coverage: { rules: mf.rules.length, fired: mf.rules.length - unfired.length, unfired, unproduced },
  };
}

function runOne(policy, c, fired, produced) {
  const mf = policy.manifest;
  const out = { name: c.name, line: c.line, given: c.given, problems: c.problems.map((p) => ({ path: p.path, code: p.code, text: message(p) })), decisions: [] };
  if (c.given !== null) {
    let placed = true;
    try {
      policy.place(policy.readCase(c.given));
    } catch (e) {
      if (!(e instanceof QingdanError)) throw e;
      out.problems.push({ path: e.path ? `given.${e.path}` : "given", code: e.code, text: getLang() === "zh" ? e.zh : e.en });
      placed = false;
    }
    const results = new Map();
    for (const [name, expect] of placed ? Object.entries(c.expect) : []) {
      const d = mf.decisions.findIndex((x) => x.name === name);
      if (!results.has(d)) results.set(d, policy.decide(d));
      const got = results.get(d);
      if (got.error) {
        out.problems.push({ path: `expect.${name}`, code: null, text: policy.tellError(got.error).message });
        continue;
      }
      const actual = observe(policy, got.result);
      for (const r of actual.fires) fired[r] = true;
      for (const v of actual.variants) produced[d].add(v);
      out.decisions.push(compare(policy, d, expect, actual));
    }
  }
  out.passed = out.problems.length === 0 && out.decisions.every((x) => x.passed);
  return out;
}

// ------------------------------------------------------------------ drawing

const outcomeText = (o) => {
  if (Array.isArray(o)) return `[${o.join(", ")}]`;
  if (o && typeof o === "object") return t("cfConflict", { r: o.conflict.join("、") });
  return String(o);
};

function diffRows(d) {
  const row = (label, ok, expected, actual) =>
    `<tr class="${ok ? "same" : "differs"}"><th>${escapeHtml(label)}</th><td data-testid="cf-expected">${escapeHtml(expected)}</td><td data-testid="cf-actual">${escapeHtml(actual)}</td></tr>`;
  let html = row(t("cfOutcome"), d.outcomeOk, outcomeText(d.expected.outcome), outcomeText(d.actual.outcome));
  if (d.expected.values.length) {
    const text = (vs) => vs.map(([n, v]) => `${n} = ${v}`).join("，") || "—";
    html += row(t("cfValues"), d.valuesOk, text(d.expected.values), text(d.actual.values));
  }
  if (d.expected.fires !== null) {
    const text = (rs) => (rs.length ? rs.join("、") : t("cfNoRule"));
    html += row(t("cfFires"), d.firesOk, text(d.expected.fires), text(d.actual.fires));
  }
  return html;
}

function caseHtml(c, gi, ci) {
  const where = c.line ? t("cfLine", { l: c.line }) : "";
  let body = "";
  if (!c.passed) {
    const decisions = c.decisions
      .filter((d) => !d.passed)
      .map(
        (d) => `<table class="cf-diff" data-testid="cf-diff" data-decision="${escapeHtml(d.decision)}">
          <caption>${escapeHtml(t("decision"))} ${escapeHtml(d.decision)}</caption>
          <tr><th></th><th>${escapeHtml(t("cfExpected"))}</th><th>${escapeHtml(t("cfActual"))}</th></tr>${diffRows(d)}</table>`,
      )
      .join("");
    const problems = c.problems.length
      ? `<ul class="cf-problems">${c.problems.map((p) => `<li data-testid="cf-problem">${p.code ? `<code>${escapeHtml(p.code)}</code> ` : ""}${p.path ? `<code>${escapeHtml(p.path)}</code> ` : ""}${escapeHtml(p.text)}</li>`).join("")}</ul>`
      : "";
    body = `<div class="cf-detail">${problems}${decisions}</div>`;
  }
  const load = c.given !== null ? `<button type="button" class="small cf-load" data-group="${gi}" data-case="${ci}" data-testid="cf-load">${escapeHtml(t("cfLoad"))}</button>` : "";
  return `<li class="cf-case ${c.passed ? "pass" : "fail"}" data-testid="cf-case" data-passed="${c.passed}" data-name="${escapeHtml(c.name)}">
    <div class="cf-head"><span class="cf-mark">${c.passed ? "✓" : "✗"}</span> <span class="cf-name">${escapeHtml(c.name)}</span>
    <span class="muted cf-where">${escapeHtml(where)}</span> ${load}</div>${body}</li>`;
}

/** The coverage lines `qingdan test` prints, in the page's language. */
function coverageHtml(cov) {
  const head =
    cov.rules === 0 ? t("cfNoRules") : cov.unfired.length === 0 ? t("cfFullCoverage", { n: cov.rules }) : t("cfCoverage", { n: cov.rules, f: cov.fired });
  let html = `<div class="cf-coverage" data-testid="cf-coverage" data-fired="${cov.fired}" data-rules="${cov.rules}"><b>${escapeHtml(t("cfCoverageTitle"))}</b> ${escapeHtml(head)}`;
  const sep = getLang() === "zh" ? "、" : ", ";
  if (cov.unfired.length) html += `<div data-testid="cf-unfired"><span class="k">${escapeHtml(t("cfNeverFired"))}</span> ${escapeHtml(cov.unfired.join(sep))}</div>`;
  for (const [d, vs] of cov.unproduced) html += `<div data-testid="cf-unproduced"><span class="k">${escapeHtml(t("cfNeverProduced"))}</span> ${escapeHtml(`${d} → ${vs.join(sep)}`)}</div>`;
  return `${html}</div>`;
}

/** Draws a `runCases` report into `box`. */
export function renderCaseFile(box, report) {
  if (!report) {
    box.innerHTML = `<p class="muted">${escapeHtml(t("cfWaiting"))}</p>`;
    return;
  }
  const total = report.passed + report.failed;
  if (total === 0 && report.groups.every((g) => !g.error)) {
    box.innerHTML = `<p class="muted" data-testid="cf-none">${escapeHtml(t("cfNone"))}</p>${report.problems.map((p) => `<p class="cf-file-error">${escapeHtml(message(p))}</p>`).join("")}`;
    return;
  }
  const summary = `<div class="cf-summary ${report.failed ? "bad" : "ok"}" data-testid="cf-summary" data-passed="${report.passed}" data-failed="${report.failed}">
    ${escapeHtml(report.failed ? t("cfSomeFail", { p: report.passed, f: report.failed, n: total }) : t("cfAllPass", { n: total }))}</div>`;
  const groups = report.groups
    .map((g, gi) => {
      const title = g.inline ? t("cfInline", { f: g.source }) : g.source;
      const n = g.cases.length;
      const ok = g.cases.filter((c) => c.passed).length;
      const err = g.error ? `<p class="cf-file-error" data-testid="cf-file-error">${escapeHtml(`${g.source}${g.error.line ? `:${g.error.line}` : ""}: ${message(g.error)}`)}</p>` : "";
      return `<section class="cf-group" data-testid="cf-group" data-source="${escapeHtml(g.source)}">
        <h4>${escapeHtml(title)} <span class="count">${ok}/${n}</span></h4>${err}
        <ul class="cf-cases">${g.cases.map((c, ci) => caseHtml(c, gi, ci)).join("")}</ul></section>`;
    })
    .join("");
  const problems = report.problems.map((p) => `<p class="cf-file-error">${escapeHtml(message(p))}</p>`).join("");
  box.innerHTML = summary + problems + coverageHtml(report.coverage) + groups;
}
