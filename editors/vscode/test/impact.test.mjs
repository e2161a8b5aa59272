// The impact lens's command in the extension: the manifest contributes it, the client
// registers it under the name the server's lens carries, and the server's answer becomes
// quick-pick items.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const impact = require("../impact.js");

test("the manifest contributes the lens's command and the client registers it", () => {
  const manifest = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));
  const contributed = manifest.contributes.commands.map((c) => c.command);
  assert.deepEqual(contributed, [impact.SHOW_COMMAND]);
  const client = readFileSync(join(here, "..", "extension.js"), "utf8");
  assert.match(client, /registerCommand\(SHOW_COMMAND, showImpact\)/);
  assert.match(client, /command: IMPACT_COMMAND/);
});

test("the names agree with the server's lens", () => {
  const lens = readFileSync(join(repo, "src", "lsp", "lens.rs"), "utf8");
  assert.ok(lens.includes(`SHOW_COMMAND: &str = "${impact.SHOW_COMMAND}"`), "the lens's command");
  assert.ok(lens.includes(`IMPACT_COMMAND: &str = "${impact.IMPACT_COMMAND}"`), "the server's command");
});

test("the server's answer becomes quick-pick items", () => {
  const range = (line) => ({ start: { line, character: 0 }, end: { line, character: 4 } });
  const answer = [
    { name: "准入结论", kind: "决定", location: { uri: "file:///p/%E5%87%86%E5%85%A5.qd", range: range(488) } },
    { name: "未落实经费可拒绝", kind: "检查" },
  ];
  const items = impact.impactItems(answer);
  assert.deepEqual(
    items.map((i) => [i.label, i.description, i.detail]),
    [
      ["准入结论", "决定", "准入.qd:489"],
      ["未落实经费可拒绝", "检查", undefined],
    ],
  );
  assert.equal(items[0].location, answer[0].location);
  assert.equal(impact.placeHolder(items), "影响 2 项：选一项前往");
  assert.equal(impact.placeHolder(impact.impactItems([{ name: "d", kind: "decision" }])), "1 impacted: pick one to go there");
  assert.equal(impact.placeHolder(impact.impactItems(null)), "no decision depends on it");
});
