// End-to-end test of saving from `qingdan playground` (src/playground_files.rs, playground/files.mjs)
// in Debian's headless Chromium through playwright-core, as playground.test.mjs does. The server
// runs on a temporary COPY of policies/ (never the repository's own), so every write lands there:
// an edit saved with Ctrl+S is there after a reload and in the file's bytes; a file changed on disk
// meanwhile is not overwritten and the conflict shows both versions (take theirs, keep mine); the
// "new policy" dialog creates a file and its folder; leaving with unsaved edits asks first; and the
// new endpoints refuse a cross-origin POST, a request without the token and a rebinding Host.
// a list row is edited in the table (each cell checked as typed) and saved into the CSV's bytes.
// Screenshots: target/playground-conflict.png, target/playground-table.png. Skipped unless QINGDAN_E2E=1.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REPO, BIN, skip, freePort, waitForServer, launchChromium, stopServer, rawPost } from "./harness.mjs";

const SHOT = path.join(REPO, "target/playground-conflict.png");
const TABLE_SHOT = path.join(REPO, "target/playground-table.png");


let server = null;
let serverLog = "";
let base = null;
let port = null;
let context = null;
let page = null;
let userDataDir = null;
let work = null; // the temporary folder holding the copy of policies/
let root = null; // work/policies
let token = null;

const YAML_ROWS = "# 2026 年修订\n- code: X1\n  n: 1\n";
const $ = (id) => page.locator(`[data-testid="${id}"]`);
const onDisk = (rel) => fs.readFileSync(path.join(root, rel), "utf8");

describe("saving files from the playground, in headless Chromium", { skip }, () => {
  before(async () => {
    assert.ok(fs.existsSync(BIN), `no ${BIN}: run \`cargo build\` first`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "qingdan-e2e-files-"));
    root = path.join(work, "policies");
    fs.cpSync(path.join(REPO, "policies"), root, { recursive: true });
    // A small policy whose list is a YAML file with a comment (no bundled list is YAML).
    fs.mkdirSync(path.join(root, "yaml_demo"));
    fs.writeFileSync(path.join(root, "yaml_demo/demo.qd"), "policy demo\n\nrecord Row {\n  code: text\n  n: int\n}\n\nlist rows: Row key code from \"rows.yaml\"\n");
    fs.writeFileSync(path.join(root, "yaml_demo/rows.yaml"), YAML_ROWS);
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(BIN, ["playground", "--port", String(port), "--web", path.join(REPO, "playground"), root], {
      cwd: work,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout.on("data", (d) => (serverLog += d));
    server.stderr.on("data", (d) => (serverLog += d));
    await waitForServer(`${base}/`, 60_000, server, () => serverLog);
    ({ context, page, userDataDir } = await launchChromium("qingdan-e2e-chromium-", {
      args: [
        "--host-resolver-rules=MAP evil.test 127.0.0.1",
      ],
    }));
  }, { timeout: 120_000 });

  after(async () => {
    if (context) await context.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    await stopServer(server);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Opens the page on `policy` and waits until its file's version is known. */
  async function openPage(policy) {
    await page.goto(`${base}/?policy=${encodeURIComponent(policy)}`);
    token = await page.locator('meta[name="qingdan-token"]').getAttribute("content");
    await page.waitForFunction((p) => {
      const app = window.qingdanPlayground;
      return app && app.state.path === p && app.state.policies.find((x) => x.path === p)?.version;
    }, policy);
  }

  /** Waits (up to T) until `ok()` holds. */
  async function expectSoon(ok) {
    const until = Date.now() + 30_000;
    while (!ok()) {
      if (Date.now() > until) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Types `text` at the end of the editor. */
  async function typeAtEnd(text) {
    await $("editor").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText(text);
  }

  const option = (p) => page.locator(`[data-testid="policy-picker"] option[value="${p}"]`);

  test("an edit saved with Ctrl+S is in the file, and there after a reload", { timeout: 90_000 }, async () => {
    const file = "legality_review/review.qd";
    const before = onDisk(file);
    await openPage(file);
    assert.equal(await $("save").isDisabled(), true, "nothing to save yet");
    await typeAtEnd("\n// 端到端测试：保存后重新加载仍在\n");
    assert.equal(await $("save").isDisabled(), false);
    assert.match(await option(file).textContent(), /^● /, "the picker marks the unsaved file");
    assert.equal(await $("edited").isVisible(), true);
    // Leaving now asks first.
    const asked = new Promise((resolve) =>
      page.once("dialog", async (d) => {
        const type = d.type();
        await d.dismiss();
        resolve(type);
      }),
    );
    await page.close({ runBeforeUnload: true });
    assert.equal(await asked, "beforeunload");
    assert.equal(page.isClosed(), false, "the drafter stayed");
    await page.keyboard.press("Control+s");
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]').textContent.startsWith("已保存"));
    assert.equal(onDisk(file), `${before}\n// 端到端测试：保存后重新加载仍在\n`);
    assert.doesNotMatch(await option(file).textContent(), /^● /);
    assert.equal(await $("save").isDisabled(), true);
    await openPage(file);
    assert.match(await $("editor").inputValue(), /\/\/ 端到端测试：保存后重新加载仍在\n$/);
    assert.equal(await $("edited").isVisible(), false);
  });

  test("a file changed on disk meanwhile is not overwritten: both versions shown, the drafter chooses", { timeout: 90_000 }, async () => {
    const file = "grid_admission/withdrawal.qd";
    const original = onDisk(file);
    await openPage(file);
    await typeAtEnd("\n// 我的修改\n");
    const theirs = `${original}\n// 别人的修改\n`;
    fs.writeFileSync(path.join(root, file), theirs);
    await $("save").click();
    await $("conflict").waitFor({ state: "visible" });
    assert.equal(onDisk(file), theirs, "nothing overwritten");
    assert.match(await $("conflict-mine").textContent(), /我的修改\n$/);
    assert.match(await $("conflict-theirs").textContent(), /别人的修改\n$/);
    assert.equal(await $("conflict-path").textContent(), file);
    fs.mkdirSync(path.dirname(SHOT), { recursive: true });
    await page.screenshot({ path: SHOT });
    // Take theirs: the editor shows the disk's text and nothing is unsaved.
    await $("take-theirs").click();
    assert.equal(await $("editor").inputValue(), theirs);
    assert.equal(await $("save").isDisabled(), true);
    // Again, and keep mine: written over the version the dialog showed.
    await typeAtEnd("// 再改一次\n");
    const third = `${theirs}// 第三人的修改\n`;
    fs.writeFileSync(path.join(root, file), third);
    await page.keyboard.press("Control+s");
    await $("conflict").waitFor({ state: "visible" });
    await $("keep-mine").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]').textContent.startsWith("已保存"));
    assert.equal(onDisk(file), `${theirs}// 再改一次\n`);
  });

  test("a new policy is created with its folder in the policy folder, and opened", { timeout: 90_000 }, async () => {
    await openPage("legality_review/review.qd");
    await $("new-file").click();
    await $("new-file-path").fill("新文件夹/试点政策.qd");
    await $("new-file-create").click();
    await page.waitForFunction(() => window.qingdanPlayground.state.path === "新文件夹/试点政策.qd");
    const text = onDisk("新文件夹/试点政策.qd");
    assert.match(text, /^政策 试点政策$/m);
    assert.equal(await $("editor").inputValue(), text);
    // The same name again is refused in the dialog, and the file is left alone.
    await $("new-file").click();
    await $("new-file-path").fill("新文件夹/试点政策.qd");
    await $("new-file-create").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="new-file-error"]').textContent.includes("exists"));
    await $("new-file-cancel").click();
    // And a path out of the folder.
    await $("new-file").click();
    await $("new-file-path").fill("../逃出.qd");
    await $("new-file-create").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="new-file-error"]').textContent.includes("bad-path"));
    await $("new-file-cancel").click();
    assert.equal(fs.existsSync(path.join(work, "逃出.qd")), false);
  });

  test("record as test case appends the form's case to the case file, and qingdan test passes", { timeout: 90_000 }, async () => {
    const policy = "grid_admission/withdrawal.qd";
    const caseFile = "grid_admission/withdrawal.cases.yaml";
    const before = onDisk(caseFile);
    await openPage(policy);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "ok");
    const outcome = await $("outcome").first().textContent();
    await $("record-case").click();
    await $("record-name").fill("端到端记录的案例");
    await $("record-create").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]').textContent.startsWith("已记录"));
    const after = onDisk(caseFile);
    assert.ok(after.startsWith(before), "the case file's text is kept, the case appended");
    const added = after.slice(before.length);
    assert.match(added, /^- case: 端到端记录的案例$/m);
    assert.ok(added.includes(`outcome: ${outcome}`), `${outcome} in\n${added}`);
    const run = spawnSync(BIN, ["test", "--lang", "en", path.join(root, "grid_admission")], { encoding: "utf8" });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /端到端记录的案例/);
    // With unsaved edits, the page asks to save first, and nothing is recorded.
    await typeAtEnd("\n// 未保存\n");
    await $("record-case").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]').textContent.startsWith("请先保存"));
    assert.equal(await $("record-dialog").isVisible(), false);
    assert.equal(onDisk(caseFile), after);
  });

  test("a YAML list with comments is saved from the table only after the drafter agrees to drop them", { timeout: 90_000 }, async () => {
    const file = "yaml_demo/rows.yaml";
    await openPage("yaml_demo/demo.qd");
    await $("table-panel").waitFor({ state: "visible" });
    await $("table-file").selectOption(file);
    await $("cell-0-1").fill("2");
    const asked = [];
    const answer = (accept) => page.once("dialog", async (d) => {
      asked.push(d.message());
      await (accept ? d.accept() : d.dismiss());
    });
    answer(false);
    await $("table-save").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="table-edited"]').hidden === false);
    await expectSoon(() => asked.length === 1);
    assert.match(asked[0], /注释/);
    assert.equal(onDisk(file), YAML_ROWS, "declined: nothing written");
    answer(true);
    await $("table-save").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]').textContent.startsWith("已保存"));
    assert.equal(onDisk(file), "- code: X1\n  n: 2\n");
  });

  test("a list's rows are edited in the table, each cell checked, and saved into the CSV", { timeout: 90_000 }, async () => {
    const file = "grid_admission/网格任务清单.csv";
    const before = onDisk(file);
    await openPage("grid_admission/admission.qd");
    await $("table-panel").waitFor({ state: "visible" });
    await $("table-file").selectOption(file);
    const header = before.split("\n")[0].split(",");
    const freq = header.indexOf("每月频次");
    const name = header.indexOf("名称");
    assert.ok(freq > 0 && name > 0, header.join(","));
    // A word in a number column is marked as typed, and Save waits until it is fixed.
    await $(`cell-0-${freq}`).fill("很多");
    assert.match(await $(`cell-0-${freq}`).getAttribute("class"), /\bbad\b/);
    assert.match(await $(`cell-0-${freq}`).getAttribute("title"), /整数/);
    assert.equal(await $("table-save").isDisabled(), true);
    assert.equal(await $("table-edited").isVisible(), true);
    await $(`cell-1-0`).fill("WG-001");
    assert.match(await $(`cell-1-0`).getAttribute("title"), /重复/, "a key used twice");
    await $(`cell-0-${freq}`).focus();
    assert.match(await $("table-problems").textContent(), /3 格有误 · 第 1 行「每月频次」：应为整数/);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === "ok");
    await $("table-panel").scrollIntoViewIfNeeded();
    fs.mkdirSync(path.dirname(TABLE_SHOT), { recursive: true });
    await page.screenshot({ path: TABLE_SHOT });
    await $(`cell-1-0`).fill("WG-002");
    await $(`cell-0-${freq}`).fill("3");
    await $(`cell-0-${name}`).fill("防范电信网络诈骗宣传，含老年人专场");
    assert.equal(await $("table-save").isDisabled(), false);
    await page.evaluate(() => (window.moduleBeforeSave = window.qingdanPlayground.state.good.bytes));
    await $("table-save").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="toast"]').textContent.startsWith("已保存"));
    const after = onDisk(file);
    const [oldLines, newLines] = [before.split("\n"), after.split("\n")];
    assert.equal(newLines[0], oldLines[0], "the header line as it was");
    const cells = newLines[1].split(",");
    assert.deepEqual([cells[0], cells[name], cells[freq]], ["WG-001", "防范电信网络诈骗宣传，含老年人专场", "3"]);
    assert.deepEqual(newLines.slice(2), oldLines.slice(2), "the other rows byte for byte");
    assert.equal(await $("table-edited").isVisible(), false);
    // The page built the policy again: a new module, which carries the saved rows.
    await page.waitForFunction(() => {
      const good = window.qingdanPlayground.state.good;
      return good && good.bytes !== window.moduleBeforeSave && document.querySelector('[data-testid="status"]').dataset.state === "ok";
    });
  });

  test("the file endpoints refuse other origins, no token and a rebinding Host", { timeout: 90_000 }, async () => {
    await openPage("legality_review/review.qd");
    const file = "legality_review/review.qd";
    const before = onDisk(file);
    const body = Buffer.from(JSON.stringify({ path: file, text: "政策 被改\n", version: null }));
    const cases = [
      [{ Origin: "http://evil.test" }, 403, "foreign-origin"],
      [{ "Sec-Fetch-Site": "cross-site" }, 403, "foreign-origin"],
      [{ "X-Qingdan-Token": null }, 403, "no-token"],
      [{ Host: `evil.test:${port}` }, 421, "foreign-host"],
      [{ "Content-Type": "text/plain" }, 415, "not-json"],
    ];
    for (const endpoint of ["/api/file/save", "/api/file/open", "/api/file/record", "/api/file/rows", "/api/file/rows/save"]) {
      for (const [headers, status, code] of cases) {
        const r = await rawPost(port, token, endpoint, body, headers);
        assert.equal(r.status, status, `${endpoint} ${JSON.stringify(headers)}`);
        assert.equal(JSON.parse(r.text).error.code, code);
      }
    }
    // A page whose name now points at this machine (DNS rebinding), posting from the browser.
    const other = await context.newPage();
    try {
      await other.goto(`http://evil.test:${port}/nothing`).catch(() => null);
      const got = await other.evaluate(async (f) => {
        const save = await fetch("/api/file/save", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path: f, text: "政策 被改\n", version: null }) });
        const open = await fetch("/api/file/open", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ path: f }) });
        return [save.status, (await save.json()).error.code, open.status];
      }, file);
      assert.deepEqual(got, [421, "foreign-host", 421]);
    } finally {
      await other.close();
    }
    // And a cross-origin POST, as a page of another site can send it (no preflight: text/plain).
    const elsewhere = http.createServer((_, res) => res.end("<!doctype html><title>elsewhere</title>"));
    await new Promise((r) => elsewhere.listen(0, "127.0.0.1", r));
    const cross = await context.newPage();
    try {
      await cross.goto(`http://127.0.0.1:${elsewhere.address().port}/`);
      // The browser refuses that page the answer (Cross-Origin-Resource-Policy); the file below
      // shows that the server refused the request itself.
      const read = await cross.evaluate(async ([b, f]) => {
        try {
          const r = await fetch(`${b}/api/file/save`, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ path: f, text: "x", version: null }) });
          return r.type;
        } catch (e) {
          return `failed: ${e.message}`;
        }
      }, [base, file]);
      assert.ok(read === "opaque" || read.startsWith("failed"), read);
    } finally {
      await cross.close();
      elsewhere.close();
    }
    assert.equal(onDisk(file), before, "nothing written by anyone but the page");
  });
});
