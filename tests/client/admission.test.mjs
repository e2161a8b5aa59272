// An integrator's client of `qingdan serve`, written as one would write it: Node's `fetch`,
// no library. It decides the bundled community-work admission cases through the API and
// expects exactly what `qingdan eval --format json --explain` prints for each.
// Run from the repository root after `cargo build`: node --test tests/client/
// (QINGDAN=path/to/qingdan to use another binary.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, cpSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const qingdan = process.env.QINGDAN ?? "target/debug/qingdan";
const POLICY = "社区工作事项准入";
const DECISION = "准入结论";

/** Starts the service on a copy of the policy folder; resolves to its base URL. */
async function serve(dir) {
  const child = spawn(qingdan, ["serve", dir, "--addr", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`qingdan serve exited with ${code}`)));
  });
  const url = line.match(/http:\/\/[^/ ]+/)?.[0];
  assert.ok(url, `no address in ${line}`);
  return { url, stop: () => child.kill() };
}

test("the bundled admission cases decided through the API equal qingdan eval's JSON", async () => {
  const root = mkdtempSync(join(tmpdir(), "qingdan-client-"));
  cpSync("policies/community_work", join(root, "policies/community_work"), { recursive: true });
  cpSync("policies/sources", join(root, "policies/sources"), { recursive: true });
  const dir = join(root, "policies/community_work");
  // The cases' inputs, as `qingdan test --format json` reads them from cases.yaml.
  const tested = JSON.parse(execFileSync(qingdan, ["test", join(dir, "admission.qd"), "--format", "json"], { encoding: "utf8" }));
  const givens = tested.policies[0].cases.map((c) => c.given);
  assert.ok(givens.length >= 10);
  const input = join(root, "cases.jsonl");
  writeFileSync(input, givens.map((g) => JSON.stringify(g)).join("\n") + "\n");
  const expected = execFileSync(
    qingdan,
    ["eval", join(dir, "admission.qd"), "--input", input, "--format", "json", "--explain", "--decision", DECISION],
    { encoding: "utf8" },
  ).trim().split("\n").map((l) => JSON.parse(l));

  const { url, stop } = await serve(dir);
  try {
    const endpoint = `${url}/v1/policies/${encodeURIComponent(POLICY)}/decisions/${encodeURIComponent(DECISION)}`;
    for (const [i, given] of givens.entries()) {
      const res = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(given) });
      assert.equal(res.status, 200, await res.clone().text());
      const { decision_id: id, ...result } = await res.json();
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual({ ...result, case: i + 1 }, expected[i], `case ${i + 1}`);
      // The decision can be fetched back from the log by its id.
      const logged = await (await fetch(`${url}/v1/decisions/${id}`)).json();
      assert.deepEqual({ ...logged.result, case: i + 1 }, expected[i]);
    }
    // A batch as JSON Lines, answered as JSON Lines in order.
    const batch = await fetch(`${endpoint}/batch`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: givens.map((g) => JSON.stringify(g)).join("\n") });
    const lines = (await batch.text()).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map(({ decision_id, ...r }) => r), expected);
    // A wrong type is refused with the case reader's code and the field's path.
    const bad = await fetch(endpoint, { method: "POST", body: JSON.stringify({ ...givens[0], 每月频次: "often" }) });
    assert.equal(bad.status, 422);
    const { error } = await bad.json();
    assert.match(error.code, /^E03/);
    assert.equal(error.path, "申请.每月频次");
  } finally {
    stop();
    rmSync(root, { recursive: true, force: true });
  }
});
