// The JavaScript host (hosts/js/src/qingdan.mjs) against the engine: every bundled case gives
// the expected outcomes (and fired rules, and values) its case file states, and exactly what
// the interpreter gives (`qingdan eval --format json --explain`, the result model, byte for
// byte through `decideJson`): outcomes, typed values, reasons, fired and overridden rules with
// what they read and cite, conflicts, violations, errors with their codes.
// Two fixtures probe case reading (every error, with the interpreter's code, path and
// message) and evaluation errors; hand-made modules probe bad input of every kind.
//
// Run from the repository root:
//   cargo build --release && playground/test/prepare.sh && node --test playground/test/

import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";

import {
  ABI_VERSION,
  MANIFEST_SECTION,
  QingdanError,
  JsonNumber,
  brief,
  formatDate,
  formatDecimal,
  loadPolicy,
  parseDate,
  parseDecimal,
  parseJson,
} from "../../hosts/js/src/qingdan.mjs";
import { isCustom, section, sealed, sections, str, uleb, vec } from "./bytes.mjs";

const WASM = new URL("../../target/wasm/", import.meta.url);

function file(name) {
  const url = new URL(name, WASM);
  if (!fs.existsSync(url)) {
    throw new Error(`${url.pathname} is missing: run \`cargo build --release && playground/test/prepare.sh\` from the repository root`);
  }
  return fs.readFileSync(url);
}

const text = (name) => file(name).toString("utf8");
const jsonLines = (name) => text(name).split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));

const BUNDLED = ["admission", "withdrawal", "duties", "catalogue", "handback", "referral", "review", "community"];
// Ints used as decimals in every place (tests/fixtures/conversions): the module's words
// must read back as the same decimal the interpreter computes.
const CONVERSIONS = ["conv_int", "conv_rows", "conv_member"];
// A let and a rule with versions and a list with dated rows: explanations name them (docs/result.md).
const DATED = ["dated"];
const counts = { bundled: 0, bundledSame: 0, fixture: 0, inputs: 0, errors: 0 };

after(() => {
  console.log(
    `JS host: ${counts.bundled} bundled cases passed (expectations met; the ${counts.bundledSame} of the ` +
      `case files also equal to the interpreter's results); ${counts.fixture} fixture cases and ` +
      `${counts.inputs} fixture inputs agreed with the interpreter; ${counts.errors} bad-input checks passed`,
  );
});

// ------------------------------------------------------------------ helpers

/** A value as `qingdan test` compares it (testing.rs `shown`): set elements sorted by text. */
function shown(policy, v, ty) {
  if (v === null) return "none";
  if (typeof ty === "object" && "Opt" in ty) return shown(policy, v, ty.Opt);
  if (typeof ty === "object" && "Set" in ty) {
    const texts = [...new Set(v.map((x) => shown(policy, x, ty.Set)))];
    texts.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `[${texts.join(", ")}]`;
  }
  return policy.show(v, ty);
}

/** Asserts what a case file expects of one decision (testing.rs `compare`). */
function meetsExpectation(policy, name, expect, explanation, what) {
  const mf = policy.manifest;
  const d = mf.decisions.findIndex((x) => x.name === name);
  assert.ok(d >= 0, `${what}: no decision ${name}`);
  const decision = mf.decisions[d];
  const variants = mf.enums[decision.outcome_enum].variants;
  const got = explanation.outcomes.map((o) => o.outcome);
  if (Array.isArray(expect.outcome)) {
    assert.deepEqual([...new Set(got)].sort(), [...expect.outcome].sort(), `${what}: outcomes of ${name}`);
  } else if (decision.combining === "collect") {
    assert.ok(got.length > 0 && got.every((o) => o === expect.outcome), `${what}: ${name} gave ${got}, expected ${expect.outcome}`);
  } else {
    assert.deepEqual(got, [expect.outcome], `${what}: outcome of ${name}`);
  }
  if (expect.fires !== null) {
    assert.deepEqual(explanation.fired.map((r) => r.rule).sort(), [...expect.fires].sort(), `${what}: rules fired for ${name}`);
  }
  const wanted = Object.entries(expect.values);
  if (wanted.length > 0) {
    // The raw result, for values compared as `qingdan test` compares them.
    const { result } = policy.decide(d);
    const single = Array.isArray(expect.outcome) ? expect.outcome[0] : expect.outcome;
    const v = variants.findIndex((x) => x.name === single);
    const ok = result.outcomes.some(
      (o) =>
        o.variant === v &&
        wanted.every(([field, value]) => {
          const k = variants[v].fields.findIndex(([f]) => f === field);
          return shown(policy, o.fields[k], variants[v].fields[k][1]) === value;
        }),
    );
    assert.ok(ok, `${what}: values of ${name}: expected ${JSON.stringify(expect.values)}, got ${JSON.stringify(explanation.outcomes)}`);
  }
}

/**
 * Asserts that the JS host's line for a case (`decideJson`, the result model) is byte for
 * byte the interpreter's line (`qingdan eval --format json --explain`) — but for the `line`
 * an error gets from `eval` when it reads a whole file (docs/result.md), which a host given
 * one case object has no way of knowing.
 */
function sameAsInterpreter(policy, input, line, options, what) {
  const got = policy.decideJson(input, { ...options, explain: true });
  assert.equal(got, `${line.replace(/,"line":\d+(?=\}\}$)/, "")}\n`, `${what}: the eval line`);
}

function attempt(f) {
  try {
    return f();
  } catch (e) {
    if (e instanceof QingdanError) return e;
    throw e;
  }
}

// ------------------------------------------------------------------ every bundled case

for (const name of [...BUNDLED, "edge", ...CONVERSIONS, ...DATED]) {
  test(`${name}: every case meets its expectations and agrees with the interpreter`, async (t) => {
    const policy = await loadPolicy(file(`${name}.wasm`));
    // Read losslessly, so that no number of a case passes through a float.
    const report = parseJson(text(`${name}.cases.json`));
    assert.equal(report.policies.length, 1);
    const cases = report.policies[0].cases;
    const interp = jsonLines(`${name}.interp.json`);
    const lines = text(`${name}.interp.json`).split("\n").filter((l) => l.trim() !== "");
    const fromFile = cases.filter((c) => c.source === "case file");
    assert.equal(fromFile.length, interp.length, "one interpreter record per case of the case file");
    let n = 0;
    for (const c of cases) {
      const what = `${name}: ${c.name}`;
      assert.notEqual(c.given, null, `${what}: the case's input could not be read`);
      const got = policy.evaluate(c.given, { explain: true });
      assert.ok(!got.error, `${what}: ${JSON.stringify(got.error)}`);
      for (const [decision, expect] of Object.entries(c.expect)) {
        meetsExpectation(policy, decision, expect, got.decisions[decision], what);
      }
      n += 1;
      if (c.source === "case file") {
        const record = interp[fromFile.indexOf(c)];
        assert.equal(record.name, c.name, `${what}: interpreter record order`);
        // Byte for byte, as `qingdan eval --format json --explain` prints the case.
        sameAsInterpreter(policy, c.given, lines[fromFile.indexOf(c)], { n: record.case, name: c.name }, what);
        if (BUNDLED.includes(name)) counts.bundledSame += 1;
      }
      if (BUNDLED.includes(name)) counts.bundled += 1;
      else counts.fixture += 1;
    }
    assert.ok(n >= (BUNDLED.includes(name) ? 7 : name === "edge" ? 4 : 2), `${name}: only ${n} cases`);
    t.diagnostic(`${n} cases`);
  });
}

// As `qingdan eval --explain` says them (tests/result_versions.rs holds its JSON to the same cases).
test("dated: explanations name the version that applied and a dated row's days, in the policy's words", async () => {
  const policy = await loadPolicy(file("dated.wasm"));
  const old = "until 2025-12-31";
  const before = policy.evaluate({ application: { day: "2025-12-31", income: 800, wanted: "FM-06" } }, { explain: true });
  assert.ok(!before.error, JSON.stringify(before.error));
  const low = before.decisions.income.fired[0];
  assert.equal(low.version, old);
  assert.deepEqual(low.read[2], { name: "limit", value: "1000", version: old });
  const listed = before.decisions.listed;
  assert.deepEqual(listed.outcomes[0].values, [{ name: "task", value: "FM-06", in_force: old }]);
  assert.deepEqual(listed.fired[0].read, [{ name: "found", value: "FM-06", in_force: old }]);
  const after = policy.evaluate({ application: { day: "2026-01-01", income: 1500, wanted: "FM-06-2026" } }, { explain: true });
  assert.equal(after.decisions.income.fired[0].version, "from 2026-01-01");
  assert.equal(after.decisions.income.fired[0].read[2].version, "from 2026-01-01");
  assert.equal(after.decisions.listed.outcomes[0].values[0].in_force, "from 2026-01-01");
  // A row open at both ends is named by its key alone; a brief result names no row's days.
  const open = policy.evaluate({ application: { day: "2026-06-01", income: 2500, wanted: "FM-07" } }, { explain: true });
  assert.deepEqual(open.decisions.listed.outcomes[0].values, [{ name: "task", value: "FM-07" }]);
  const brief = policy.evaluate({ application: { day: "2025-12-31", income: 800, wanted: "FM-06" } });
  assert.deepEqual(brief.decisions.listed.outcomes[0].values, [{ name: "task", value: "FM-06" }]);
});

test("an int used as a decimal outcome value reads back as that decimal, not scaled down", async () => {
  const policy = await loadPolicy(file("conv_int.wasm"));
  const got = policy.evaluate({ x: 2000, 按户: false }, { explain: true });
  assert.ok(!got.error, JSON.stringify(got.error));
  const small = got.decisions.d.outcomes.find((o) => o.outcome === "小");
  assert.deepEqual(small.values, [{ name: "金额", value: "2000" }]);
});

test("a brief result is the interpreter's summary without --explain", async () => {
  const policy = await loadPolicy(file("admission.wasm"));
  const report = parseJson(text("admission.cases.json"));
  const c = report.policies[0].cases.find((x) => x.source === "case file");
  const full = policy.evaluate(c.given, { explain: true });
  const plain = policy.evaluate(c.given);
  for (const [d, e] of Object.entries(plain.decisions)) {
    assert.deepEqual(brief(e), brief(full.decisions[d]));
    for (const r of [...e.fired, ...e.overridden]) assert.deepEqual([r.read, r.cites], [[], []]);
  }
  const one = policy.evaluate(c.given, { decision: "准入结论" });
  assert.deepEqual(Object.keys(one.decisions), ["准入结论"]);
  assert.deepEqual(one.violations, [], "checks run only when every decision is asked for");
  assert.throws(() => policy.evaluate(c.given, { decision: "nope" }), RangeError);
});

// ------------------------------------------------------------------ fixtures: reading and errors

for (const name of ["edge", "casereading"]) {
  test(`${name}: fixture inputs give the interpreter's results and errors`, async (t) => {
    const policy = await loadPolicy(file(`${name}.wasm`));
    const inputs = parseJson(fs.readFileSync(new URL(`fixtures/${name}.inputs.json`, import.meta.url), "utf8"));
    const interp = jsonLines(`${name}.inputs.interp.json`);
    assert.equal(inputs.length, interp.length);
    // One instance for all of them: errors in one case leave the next one unharmed.
    const lines = text(`${name}.inputs.interp.json`).split("\n").filter((l) => l.trim() !== "");
    inputs.forEach((input, i) => {
      sameAsInterpreter(policy, input, lines[i], { n: i + 1 }, `${name} input ${i + 1}`);
      counts.inputs += 1;
    });
    t.diagnostic(`${inputs.length} inputs`);
  });
}

test("evaluation errors are results, told as the interpreter tells them", async () => {
  const policy = await loadPolicy(file("edge.wasm"));
  const inputs = parseJson(fs.readFileSync(new URL("fixtures/edge.inputs.json", import.meta.url), "utf8"));
  const kinds = inputs.slice(0, 4).map((c) => policy.evaluate(c).error);
  assert.deepEqual(
    kinds.map((e) => [e.kind, e.message]),
    [
      ["division_by_zero", "division by zero"],
      // `or` decides without the division here; `staffing` then finds no rule …
      ["no_rule_applies", "decision `staffing` is declared total but no rule applies"],
      ["overflow", "number out of range"],
      ["no_rule_applies", "decision `staffing` is declared total but no rule applies"],
    ],
  );
  // … but explaining `flags` reads the let that divides by zero, and fails first.
  assert.equal(policy.evaluate(inputs[1], { explain: true }).error.kind, "division_by_zero");
  assert.equal(kinds[3].decision, "staffing");
  assert.ok(Array.isArray(kinds[0].site) && kinds[0].site.length === 3, "a failing expression's span");
  const conflict = policy.evaluate(inputs[5], { explain: true }).decisions.admission;
  assert.deepEqual(conflict.outcomes, []);
  assert.deepEqual(conflict.conflicts, [["wartime_admits", "emergency_limits"]]);
  const unique = policy.evaluate(inputs[4]).decisions.staffing;
  assert.deepEqual(unique.conflicts, [["many_workers", "very_many_workers"]]);
});

// ------------------------------------------------------------------ values

test("decimals and dates are exact, as the engine reads and shows them", () => {
  assert.equal(parseDecimal("12.50"), 12500000n);
  assert.equal(parseDecimal("-0.05"), -50000n);
  assert.equal(parseDecimal("1.5e3"), 1500000000n);
  assert.equal(parseDecimal("100e-8"), 1n);
  assert.equal(parseDecimal("1.5000000"), 1500000n);
  assert.equal(parseDecimal("9223372036854.775807"), 2n ** 63n - 1n);
  assert.equal(parseDecimal("9223372036854.775808"), "out-of-range");
  assert.equal(parseDecimal("-9223372036854.775808"), "out-of-range", "i64::MIN means absent");
  assert.equal(parseDecimal("0.0000001"), "too-precise");
  assert.equal(parseDecimal(".5"), "not-a-number");
  assert.equal(parseDecimal("1e"), "not-a-number");
  assert.equal(formatDecimal(12500000n), "12.5");
  assert.equal(formatDecimal(-50000n), "-0.05");
  assert.equal(formatDecimal(3000000n), "3");
  assert.equal(formatDecimal(-(2n ** 63n - 1n)), "-9223372036854.775807");
  for (const d of ["0000-01-01", "1969-12-31", "1970-01-01", "2024-02-29", "9999-12-31"]) {
    assert.equal(formatDate(parseDate(d)), d);
  }
  assert.equal(parseDate("0000-01-01"), -719528);
  assert.equal(parseDate("9999-12-31"), 2932896);
  assert.equal(parseDate("2023-02-29"), null);
  const v = parseJson('{"a": 12.50, "b": 9007199254740993, "c": 0.1, "d": 1234567890.12345678, "e": [1e2]}');
  assert.equal(v.a, 12.5);
  assert.ok(v.b instanceof JsonNumber && v.b.text === "9007199254740993");
  assert.equal(v.c, 0.1);
  assert.ok(v.d instanceof JsonNumber);
  assert.ok(v.e[0] instanceof JsonNumber && v.e[0].text === "1e2", "1e2 is a float to the engine, never an integer");
  assert.throws(() => parseJson('{"a": 1,}'), (e) => e.code === "E0301");
  assert.throws(() => parseJson('{"a": 1, "a": 2}'), (e) => e.code === "E0301");
});

test("integers: BigInt and exact JSON numbers go in whole; an inexact JS number is refused", async () => {
  const policy = await loadPolicy(file("edge.wasm"));
  const inputs = parseJson(fs.readFileSync(new URL("fixtures/edge.inputs.json", import.meta.url), "utf8"));
  const base = inputs[4];
  const withFactor = (factor) => ({ ...base, application: { ...base.application, factor } });
  assert.equal(policy.evaluate(withFactor(1n)).decisions.contact.outcomes[0].rule, "big_factor");
  assert.equal(policy.evaluate(withFactor(new JsonNumber("9223372036854775807"))).error.kind, "overflow");
  const e = attempt(() => policy.evaluate(withFactor(2 ** 60)));
  assert.equal(e.code, "E0302");
  assert.equal(attempt(() => policy.evaluate(withFactor(-(2n ** 63n)))).code, "E0302", "i64::MIN is not a number");
  // The values read back: a set of texts in the engine's order (UTF-8 bytes), not JS's.
  const tags = ["\u{1F642}", "\uFFFD", "a"];
  const got = policy.evaluate({ ...base, application: { ...base.application, kind: "survey", tags } });
  assert.equal(got.decisions.admission.outcomes[0].values[0].value, "[a, \uFFFD, \u{1F642}]");
  counts.errors += 1;
});

// ------------------------------------------------------------------ bad input

const ADMISSION_CASE = () => {
  const report = parseJson(text("admission.cases.json"));
  return structuredClone(report.policies[0].cases.find((x) => x.source === "case file").given);
};

async function rejects(promise, code, what) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof QingdanError, `${what}: ${e}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return true;
  });
  counts.errors += 1;
}

function throwsCode(f, code, what, path) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof QingdanError, `${what}: ${e}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    if (path !== undefined) assert.equal(e.path, path, `${what}: path`);
    return true;
  });
  counts.errors += 1;
}

/** The module with its manifest section replaced by `json` (or removed, for null), sealed again. */
function withManifest(bytes, json) {
  const s = sections(bytes).find((x) => isCustom(bytes, x, MANIFEST_SECTION));
  const before = bytes.subarray(0, s.start);
  const rest = bytes.subarray(s.end);
  const custom = json === null ? [] : section(0, [...str(MANIFEST_SECTION), ...Buffer.from(json)]);
  return sealed(Uint8Array.from([...before, ...custom, ...rest]));
}

function manifestOf(bytes) {
  const m = new WebAssembly.Module(bytes);
  return JSON.parse(Buffer.from(WebAssembly.Module.customSections(m, MANIFEST_SECTION)[0]).toString());
}

/**
 * A small hand-made module with the given manifest: `begin` runs `beginCode`, the other
 * functions answer 0. Options make it broken in one way each.
 */
function tinyModule(manifest, { beginCode = [0x41, 0x00], memory = [0x01, 8, 16], imports = false, exports = ["begin", "decide", "check", "read_let"], abi = ABI_VERSION } = {}) {
  const types = section(1, vec([[0x60, 0x00, 0x01, 0x7f], [0x60, 0x01, 0x7f, 0x01, 0x7f]]));
  const importSec = imports ? section(2, vec([[...str("env"), ...str("f"), 0x00, 0x00]])) : [];
  const base = imports ? 1 : 0;
  const funcs = section(3, vec([[0], [1], [1], [1]]));
  const mem = section(5, vec([memory]));
  const globals = section(6, vec([[0x7f, 0x00, 0x41, ...uleb(abi), 0x0b]]));
  const names = ["begin", "decide", "check", "read_let"];
  const exps = section(
    7,
    vec([[...str("memory"), 0x02, 0x00], [...str("abi_version"), 0x03, 0x00], ...exports.map((n) => [...str(n), 0x00, base + names.indexOf(n)])]),
  );
  const body = (code) => {
    const b = [0x00, ...code, 0x0b];
    return [...uleb(b.length), ...b];
  };
  const code = section(10, vec([body(beginCode), body([0x41, 0x00]), body([0x41, 0x00]), body([0x41, 0x00])]));
  const custom = section(0, [...str(MANIFEST_SECTION), ...Buffer.from(JSON.stringify(manifest))]);
  return sealed(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...importSec, ...funcs, ...mem, ...globals, ...exps, ...code, ...custom]));
}

test("a truncated or foreign file is E0501, never a crash", async () => {
  const bytes = file("admission.wasm");
  for (const n of [0, 4, 7, 9, 100, Math.floor(bytes.length / 2), bytes.length - 1]) {
    await rejects(loadPolicy(bytes.subarray(0, n)), "E0501", `truncated to ${n} bytes`);
  }
  // The header alone is a valid, empty module: it is just not ours.
  await rejects(loadPolicy(bytes.subarray(0, 8)), "E0502", "the header alone");
  await rejects(loadPolicy(Buffer.from("not a module at all")), "E0501", "text");
  const flipped = Uint8Array.from(bytes);
  flipped[sections(flipped).find((s) => s.id === 10).bodyStart + 3] ^= 0xff;
  await rejects(loadPolicy(flipped), "E0501", "a corrupted code section");
  await rejects(loadPolicy(sealed(flipped)), "E0501", "a corrupted code section, sealed again: invalid");
});

test("a foreign ABI or a missing manifest is E0502; an unreadable manifest is E0501", async () => {
  const bytes = file("admission.wasm");
  const manifest = manifestOf(bytes);
  await rejects(loadPolicy(withManifest(bytes, JSON.stringify({ ...manifest, abi: ABI_VERSION + 1 }))), "E0502", "manifest abi");
  await rejects(loadPolicy(withManifest(bytes, null)), "E0502", "no manifest");
  await rejects(loadPolicy(withManifest(bytes, "{ not json")), "E0501", "manifest not JSON");
  const { layout, ...noLayout } = manifest;
  await rejects(loadPolicy(withManifest(bytes, JSON.stringify(noLayout))), "E0501", "manifest without layout");
  const badRule = structuredClone(manifest);
  badRule.rules[0].decision = 99;
  await rejects(loadPolicy(withManifest(bytes, JSON.stringify(badRule))), "E0501", "a rule of no decision");
  const badType = structuredClone(manifest);
  badType.slots[0].ty = { Enum: 999 };
  await rejects(loadPolicy(withManifest(bytes, JSON.stringify(badType))), "E0501", "a slot of no enum");
  // A list that claims four billion rows: no allocation follows the claim.
  const huge = structuredClone(manifest);
  huge.lists.push({ name: "huge", fields: [["k", "Text"]], key: 0, rows: 4e9, columns: [] });
  const policy = await loadPolicy(withManifest(bytes, JSON.stringify(huge)));
  assert.ok(policy.evaluate(ADMISSION_CASE()).decisions, "and it still decides");
  huge.lists[huge.lists.length - 1].columns = [{ field: 0, at: 1000, width: 8 }];
  await rejects(loadPolicy(withManifest(bytes, JSON.stringify(huge))), "E0501", "a key column past the memory");
  // The `abi_version` global itself says 2 while the manifest says 1: caught at instantiation.
  const patched = Uint8Array.from(bytes);
  const g = sections(patched).find((s) => s.id === 6);
  let i = g.bodyStart + 1; // one byte of count (13 globals)
  for (let k = 0; k < 13; k++) {
    assert.equal(patched[i], 0x7f, "an i32 global");
    i += 2; // type, mutability
    assert.equal(patched[i], 0x41, "i32.const");
    i += 1;
    if (k === 12) {
      assert.equal(patched[i], ABI_VERSION);
      patched[i] = ABI_VERSION + 1;
    }
    while (patched[i] & 0x80) i++;
    i += 2; // last byte of the constant, `end`
  }
  const e = await loadPolicy(sealed(patched)).then(
    () => null,
    (x) => x,
  );
  assert.ok(e instanceof QingdanError && e.code === "E0502", String(e));
  assert.match(e.en, new RegExp(`ABI version ${ABI_VERSION + 1}, this host speaks ${ABI_VERSION}`));
  counts.errors += 1;
});

/** A manifest for a policy with one text input and one decision, fitting a small memory. */
const TINY_MANIFEST = {
  abi: ABI_VERSION,
  policy: "tiny",
  lang: "en",
  hash: "0".repeat(64),
  layout: {
    result: 64, slots: 120, let_values: 128, let_flags: 128, speakers: 128, scratch: 128, outcomes: 144,
    outcome_stride: 8, fired: 160, overridden: 168, conflicts: 176, ranks: 200, statics: 208, arena: 4096,
    arena_size: 65536, heap: 69632, pages: 8,
  },
  inputs: [{ name: "form", fields: [0] }],
  slots: [{ input: 0, path: ["name"], ty: "Text" }],
  enums: [{ name: "answer", variants: [{ name: "yes", fields: [] }] }],
  lists: [],
  sources: [],
  lets: [],
  rules: [],
  decisions: [{ name: "asked", outcome_enum: 0, combining: "priority", ranks: [0], default: 0, default_reason: null, rules: [] }],
  checks: [],
  sites: [],
};

test("a module that imports, has no memory cap, or lacks an export is E0501; a trap is E0504", async () => {
  const manifest = TINY_MANIFEST;
  await rejects(loadPolicy(tinyModule(manifest, { imports: true })), "E0501", "imports");
  await rejects(loadPolicy(tinyModule(manifest, { memory: [0x00, 8] })), "E0501", "no memory cap");
  await rejects(loadPolicy(tinyModule(manifest, { memory: [0x01, 8, 0x80, 0x10] })), "E0501", "a cap beyond 1024 pages");
  await rejects(loadPolicy(tinyModule(manifest, { exports: ["begin", "decide", "check"] })), "E0501", "no read_let");
  await rejects(loadPolicy(tinyModule(manifest, { abi: 3 })), "E0502", "abi global 3");
  const cases = [{ name: "a form" }];
  // `begin` traps (unreachable).
  const trapping = await loadPolicy(tinyModule(manifest, { beginCode: [0x00] }));
  throwsCode(() => trapping.evaluate(cases[0]), "E0504", "a trap in begin");
  throwsCode(() => trapping.evaluate(cases[0]), "E0504", "and again: the host is still standing");
  // `begin` answers a status no module gives.
  const odd = await loadPolicy(tinyModule(manifest, { beginCode: [0x41, 0x09] }));
  throwsCode(() => odd.evaluate(cases[0]), "E0501", "begin status 9");
  // `begin` accepts, but `decide` answers 0 with garbage in memory: the result is read with bounds.
  const liar = await loadPolicy(tinyModule(manifest));
  const r = attempt(() => liar.evaluate(cases[0]));
  assert.ok(r instanceof QingdanError ? r.code === "E0501" : r.decisions, String(r));
});

test("text longer than the input arena is E0503; the instance goes on", async () => {
  const policy = await loadPolicy(file("admission.wasm"));
  const given = ADMISSION_CASE();
  const size = policy.manifest.layout.arena_size;
  throwsCode(() => policy.evaluate({ ...given, 事项名称: "长".repeat(size) }), "E0503", "one huge text");
  // A refused case does not leave the previous one to be decided.
  policy.place(policy.readCase(given));
  throwsCode(() => policy.place(policy.readCase({ ...given, 事项名称: "长".repeat(size) })), "E0503", "placed directly");
  throwsCode(() => policy.decide(0), "E0501", "no case was placed");
  const many = Array.from({ length: 3000 }, (_, i) => `数据项 ${i} ${"x".repeat(80)}`);
  throwsCode(() => policy.evaluate({ ...given, 采集数据项: many }), "E0503", "a set of texts too large together");
  assert.ok(!policy.evaluate(given).error, "the next case is decided as usual");
  assert.ok(policy.evaluate({ ...given, 事项名称: "长".repeat(size / 4) }).decisions, "a text that fits");
});

test("slot values that do not fit the layout are E0505, naming the field", async () => {
  const policy = await loadPolicy(file("admission.wasm"));
  const values = policy.readCase(ADMISSION_CASE());
  throwsCode(() => policy.place([]), "E0505", "no values");
  throwsCode(() => policy.place(values.slice(1)), "E0505", "one value short");
  const slot = policy.manifest.slots.findIndex((s) => s.path[0] === "类别");
  const bad = [...values];
  bad[slot] = 99; // no such variant: `begin` refuses it
  assert.throws(() => policy.place(bad), (e) => e.code === "E0505" && /申请\.类别/.test(e.en));
  const date = policy.manifest.slots.findIndex((s) => s.path[0] === "申请日期");
  const late = [...values];
  late[date] = 3000000; // after 9999-12-31
  assert.throws(() => policy.place(late), (e) => e.code === "E0505" && /申请\.申请日期/.test(e.en));
  const wrongShape = [...values];
  wrongShape[slot] = "not an index";
  throwsCode(() => policy.place(wrongShape), "E0505", "a value of the wrong shape");
  assert.throws(() => policy.decide(0), (e) => e.code === "E0501" && /no case was placed/.test(e.en), "nothing placed after a refusal");
  policy.place(values);
  assert.ok(policy.decide(0).result, "then a good case");
  counts.errors += 2;
});

test("case-shape errors name the field, with the engine's codes", async () => {
  const policy = await loadPolicy(file("admission.wasm"));
  const given = ADMISSION_CASE();
  throwsCode(() => policy.evaluate({ ...given, 类别: "政策宣" }), "E0305", "unknown enum", "申请.类别");
  const { 每月频次, ...missing } = given;
  throwsCode(() => policy.evaluate(missing), "E0303", "missing field", "申请.每月频次");
  throwsCode(() => policy.evaluate({ ...given, 每月频率: 1 }), "E0304", "unknown field", "申请.每月频率");
  throwsCode(() => policy.evaluate({ ...given, 每月频次: "1" }), "E0302", "wrong type", "申请.每月频次");
  throwsCode(() => policy.evaluate({ ...given, 申请部门: "QU-XX" }), "E0306", "unknown row key", "申请.申请部门");
  throwsCode(() => policy.evaluate({ ...given, 留痕要求: ["照片", "视屏"] }), "E0305", "unknown enum in a set", "申请.留痕要求[1]");
  throwsCode(() => policy.evaluate({ ...given, 采集数据项: Array.from({ length: 10001 }, (_, i) => `x${i}`) }), "E0307", "a set too large", "申请.采集数据项");
  const wide = { ...given };
  for (let i = 0; i < 10001; i++) wide[`extra${i}`] = i;
  throwsCode(() => policy.evaluate(wide), "E0307", "too many fields", "");
  throwsCode(() => policy.evaluate({ 申请: given, 类别: "政策宣传" }), "E0304", "nested and at the top", "申请.类别");
  assert.ok(policy.evaluate({ 申请: given }).decisions, "nested under the input's name");
  const e = attempt(() => policy.evaluate({ ...given, 类别: "政策宣" }));
  assert.equal(e.zh, "`事项类别` 没有值 `政策宣`；是不是想写 `政策宣传`？");
  assert.equal(e.en, "`事项类别` has no variant `政策宣`; did you mean `政策宣传`?");
  assert.equal(e.message, "E0305[case-unknown-variant]: `申请.类别`：`事项类别` 没有值 `政策宣`；是不是想写 `政策宣传`？");
});

test("the manifest describes the module", async () => {
  const policy = await loadPolicy(file("review.wasm"));
  const mf = policy.manifest;
  assert.equal(mf.abi, ABI_VERSION);
  assert.equal(policy.name, "合法性审查");
  assert.match(policy.hash, /^[0-9a-f]{64}$/);
  assert.equal(policy.lang, "zh");
  const en = await loadPolicy(file("review.wasm"), { lang: "en" });
  assert.equal(en.lang, "en");
  assert.deepEqual(
    mf.decisions.map((d) => d.name),
    ["审查范围", "审查意见"],
  );
});
