// node js_results.mjs POLICY.wasm CASES.json: each case of `qingdan test --format json` output decided
// by the npm package, one JSON line per case ({ decisions, checks } or { error: code }) — what
// the Python host's tests compare with.
import fs from "node:fs";
import { load, parseJson } from "../../js/src/index.mjs";

const [wasm, casesPath] = process.argv.slice(2);
const policy = await load(fs.readFileSync(wasm));
for (const c of JSON.parse(fs.readFileSync(casesPath, "utf8")).policies.flatMap((p) => p.cases)) {
  const given = parseJson(JSON.stringify(c.given));
  try {
    process.stdout.write(`${JSON.stringify({ decisions: policy.decide(given), checks: policy.check(given) })}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: e.code })}\n`);
  }
}
