// Plain JavaScript: node decide.mjs POLICY.wasm CASE.json — prints each decision's outcome.
import fs from "node:fs";
import { load, parseJson, QingdanError } from "qingdan";

const [wasm, casePath] = process.argv.slice(2);
const policy = await load(fs.readFileSync(wasm));
try {
  const results = policy.decide(parseJson(fs.readFileSync(casePath, "utf8")));
  for (const [name, r] of Object.entries(results)) console.log(`${name}: ${r.outcome} ${JSON.stringify(r.outcomes[0]?.values ?? {})}`);
  console.log(`checks: ${policy.check(parseJson(fs.readFileSync(casePath, "utf8"))).violations.length} violated`);
} catch (e) {
  if (!(e instanceof QingdanError)) throw e;
  console.log(`error ${e.code} at ${e.path || "-"}`);
  process.exitCode = 1;
}
