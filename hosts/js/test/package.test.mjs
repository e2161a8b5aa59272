// The npm package's API (src/index.mjs, src/runner.mjs) on the modules playground/test/prepare.sh
// builds into target/wasm/: every bundled case decided by `load(...).decide` agrees with the
// lower-level host's `evaluate` (which host.test.mjs holds to the interpreter), values typed as
// the result model says; checks; every error a QingdanError with its code; the runner's time limit.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";

import { load, startRunner, QingdanError, parseJson } from "../src/index.mjs";
import { loadPolicy, brief } from "../src/qingdan.mjs";
import { endlessModule } from "./modules.mjs";

const WASM = new URL("../../../target/wasm/", import.meta.url);
const file = (name) => fs.readFileSync(new URL(name, WASM));
const POLICIES = ["admission", "withdrawal", "duties", "catalogue", "review", "handback", "referral", "community"];

/** A typed value as the engine shows it as text, to compare with `evaluate`'s values. */
function shown(v) {
  if (v === null) return "none";
  if (Array.isArray(v)) return `[${v.map(shown).join(", ")}]`;
  return String(v);
}

function casesOf(name) {
  return JSON.parse(file(`${name}.cases.json`)).policies.flatMap((p) => p.cases);
}

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (e) => e instanceof QingdanError && e.code === code, `expected ${code}`);
}

test("every bundled case: decide gives what evaluate gives, with typed values", async () => {
  let total = 0;
  for (const name of POLICIES) {
    const bytes = file(`${name}.wasm`);
    const policy = await load(bytes);
    const host = await loadPolicy(bytes);
    assert.deepEqual(policy.decisions, host.manifest.decisions.map((d) => d.name));
    for (const c of casesOf(name)) {
      const given = parseJson(JSON.stringify(c.given));
      const expected = host.evaluate(given);
      if (expected.error) {
        assert.throws(() => policy.decide(given), (e) => e instanceof QingdanError && e.code === expected.error.kind, c.name);
        continue;
      }
      const got = policy.decide(given);
      assert.deepEqual(Object.keys(got), Object.keys(expected.decisions), c.name);
      for (const [d, explanation] of Object.entries(expected.decisions)) {
        const short = brief(explanation);
        const mine = got[d];
        assert.equal(mine.outcome, short.outcomes[0]?.outcome ?? null, `${name} ${c.name} ${d}`);
        assert.deepEqual(mine.fired, short.fired, `${c.name} ${d}`);
        assert.deepEqual(mine.overridden, explanation.overridden.map((t) => t.rule), `${c.name} ${d}`);
        assert.equal(mine.by_default, short.by_default);
        assert.deepEqual(mine.conflicts, explanation.conflicts);
        short.outcomes.forEach((o, i) => {
          assert.equal(mine.outcomes[i].rule, o.rule);
          assert.equal(mine.outcomes[i].reason, o.reason);
          const texts = Object.fromEntries(Object.entries(mine.outcomes[i].values).map(([k, v]) => [k, shown(v)]));
          assert.deepEqual(texts, o.values, `${c.name} ${d} values`);
        });
        // One decision asked by name gives the same.
        assert.deepEqual(policy.decide(given, d), mine);
      }
      const checks = policy.check(given);
      const names = (hits) => hits.map((h) => [h.check, h.rows.map(shown).join(",")]);
      assert.deepEqual(names(checks.violations), names(expected.violations.map((v) => ({ ...v, rows: v.rows.map((r) => parseShown(r)) }))), c.name);
      total++;
    }
  }
  assert.ok(total >= 100, `only ${total} cases`);
});

// `evaluate` shows check rows as text already; as typed values they show the same.
const parseShown = (text) => ({ toString: () => text });

test("typed values: sets as arrays, decimals as exact text, dates ISO, absent null, rows by key", async () => {
  const policy = await load(file("admission.wasm"));
  const cases = casesOf("admission");
  let sawDate = false;
  let sawNull = false;
  let sawRow = false;
  for (const c of cases) {
    let got;
    try {
      got = policy.decide(parseJson(JSON.stringify(c.given)), "准入结论");
    } catch {
      continue;
    }
    for (const o of got.outcomes) {
      for (const [k, v] of Object.entries(o.values)) {
        if (k.endsWith("日期") && v !== null) {
          assert.match(v, /^\d{4}-\d{2}-\d{2}$/);
          sawDate = true;
        }
        if (v === null) sawNull = true;
        if (k === "职责种类" && v !== null) {
          assert.match(v, /^ZZ-/);
          sawRow = true;
        }
      }
    }
  }
  assert.ok(sawDate && sawNull && sawRow, `${sawDate} ${sawNull} ${sawRow}`);
  // The edge fixture's policy has sets and decimals in its outcomes.
  const edge = await load(file("edge.wasm"));
  const typedKinds = new Set();
  for (const c of casesOf("edge")) {
    let got;
    try {
      got = edge.decide(parseJson(JSON.stringify(c.given)));
    } catch {
      continue;
    }
    for (const r of Object.values(got)) {
      for (const o of r.outcomes) for (const v of Object.values(o.values)) typedKinds.add(Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
    }
  }
  assert.ok(typedKinds.has("array") && typedKinds.has("boolean") && typedKinds.has("string"), [...typedKinds].join(","));
});

test("errors: one class with the engine's codes and the field's path", async () => {
  const bytes = file("admission.wasm");
  await rejectsWith(load(Buffer.from("not a module at all")), "E0501");
  await rejectsWith(load(bytes.subarray(0, 8)), "E0502");
  const damaged = Uint8Array.from(bytes);
  damaged[damaged.length - 40] ^= 0xff;
  await rejectsWith(load(damaged), "E0501");
  const policy = await load(bytes, { lang: "en" });
  const given = parseJson(JSON.stringify(casesOf("admission")[0].given));
  const field = Object.keys(given)[0];
  const fails = (c, code, path) =>
    assert.throws(() => policy.decide(c), (e) => e instanceof QingdanError && e.code === code && (path === undefined || e.path.endsWith(path)), code);
  fails({ ...given, [field]: 12 }, "E0302", field);
  fails({ ...given, 没有这个字段: 1 }, "E0304", "没有这个字段");
  fails({ ...given, [field]: "字".repeat(policy.manifest.layout.arena_size / 3 + 1) }, "E0503");
  assert.throws(() => policy.decide(given, "没有这个决定"), (e) => e instanceof QingdanError && e.code === "E0902");
  // After each refusal the policy decides the next case.
  assert.ok(policy.decide(given, "准入结论").outcome);
});

test("the runner: an endless module stops at its time limit with E0504; the process and other runners go on", async () => {
  const endless = await startRunner(endlessModule(), { timeoutMs: 300 });
  await rejectsWith(endless.decide({ form: { name: "x" } }), "E0504");
  // A fresh worker for the next call, which times out again.
  await rejectsWith(endless.decide({ form: { name: "y" } }), "E0504");
  await endless.close();

  const runner = await startRunner(file("admission.wasm"), { timeoutMs: 5000 });
  const policy = await load(file("admission.wasm"));
  for (const c of casesOf("admission").slice(0, 5)) {
    const given = parseJson(JSON.stringify(c.given));
    let expected;
    try {
      expected = policy.decide(given);
    } catch (e) {
      await rejectsWith(runner.decide(given), e.code);
      continue;
    }
    assert.deepEqual(await runner.decide(given), expected);
    assert.deepEqual(await runner.check(given), policy.check(given));
  }
  await rejectsWith(runner.decide({ 没有这个字段: 1 }), "E0304");
  // Exact JSON numbers (JsonNumber) reach the worker as such: a decimal a float would not
  // keep (18 significant digits) is read exactly there too, not refused as an object.
  const exact = parseJson(JSON.stringify(casesOf("admission")[0].given).replace(/"每网格经费":[0-9.]+/, '"每网格经费":123456789012.345678'));
  assert.equal(exact.每网格经费.constructor.name, "JsonNumber");
  assert.deepEqual(await runner.decide(exact), policy.decide(exact));
  await runner.close();
  await rejectsWith(startRunner(Buffer.from("junk")), "E0501");
});
