// The JavaScript host against the conformance corpus (tests/conformance/): every case of every
// entry, decided by the module `prepare.sh` builds (target/wasm/conformance/<name>.wasm) through
// `policy.decideJson`, gives byte for byte the expected line of the result model — the line the
// interpreter, `qingdan eval --format json` and the Rust host give (tests/conformance.rs).
//
// Run from the repository root:
//   cargo build && QINGDAN=target/debug/qingdan playground/test/prepare.sh && node --test playground/test/

import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";

import { loadPolicy, parseJson, MODEL_VERSION } from "../../hosts/js/src/qingdan.mjs";

const root = new URL("../../", import.meta.url);
const corpus = new URL("tests/conformance/", root);
const modules = new URL("target/wasm/conformance/", root);

const entries = fs
  .readFileSync(new URL("corpus.txt", corpus), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.startsWith("#"))
  .map((l) => l.split(/\s+/)[0]);

const lines = (name) =>
  fs
    .readFileSync(new URL(name, corpus), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => `${l}\n`);

let total = 0;
let same = 0;
after(() => console.log(`conformance: js ${same}/${total}`));

test("the corpus has every entry and speaks model version 1", () => {
  assert.ok(entries.length >= 13, `only ${entries.length} entries`);
  assert.equal(MODEL_VERSION, 1);
});

for (const name of entries) {
  test(`${name}: the JS host gives the expected lines byte for byte`, async () => {
    const policy = await loadPolicy(fs.readFileSync(new URL(`${name}.wasm`, modules)));
    const cases = lines(`${name}.cases.jsonl`);
    const expected = lines(`${name}.expected.jsonl`);
    assert.equal(cases.length, expected.length, `${name}: one expected line per case`);
    cases.forEach((text, i) => {
      const got = policy.decideJson(parseJson(text), { n: i + 1 });
      total += 1;
      if (got === expected[i]) same += 1;
      assert.equal(got, expected[i], `${name} case ${i + 1}`);
    });
  });
}

test("a decision alone, a name and explanations keep the model's shape", async () => {
  const policy = await loadPolicy(fs.readFileSync(new URL("admission.wasm", modules)));
  const first = parseJson(lines("admission.cases.jsonl")[0]);
  const one = JSON.parse(policy.decideJson(first, { n: 7, name: "甲", decision: "准入结论" }));
  assert.deepEqual(Object.keys(one), ["model", "case", "name", "decisions", "violations", "permissions"]);
  assert.deepEqual([one.case, one.name, Object.keys(one.decisions)], [7, "甲", ["准入结论"]]);
  const explained = JSON.parse(policy.decideJson(first, { explain: true }));
  const outcome = explained.decisions["准入结论"].outcomes[0];
  assert.ok(outcome.cites.every((c) => typeof c.text === "string"), "clauses carry their text");
  assert.throws(() => policy.decideJson(first, { decision: "nope" }), RangeError);
});
