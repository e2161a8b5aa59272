// End-to-end test of `qingdan playground` in a real browser: Debian's Chromium, headless,
// driven by playwright-core (no browser download). Run from this folder with `npm test`, or
// `QINGDAN_E2E=1 node --test playground/test/e2e/` from the repository root (it is skipped
// without QINGDAN_E2E=1, so that `node --test playground/test/` stays the JS host's tests).
//
// It starts `target/debug/qingdan playground --port <free port>` from the repository root
// (QINGDAN=path overrides the binary; QINGDAN_E2E_URL=http://127.0.0.1:PORT/ uses a server that
// is already running), loads the page, types a rule with an error and sees the diagnostic,
// fixes it, fills a case, checks the decision and its explanation, formats, downloads the
// module, switches to English, and saves screenshots to target/playground-e2e.png (and
// -en.png). It also checks the JSON API's refusals (413, 400; a request without the page's
// token), that a page of another site cannot use the API even when its name is re-pointed at
// 127.0.0.1 (DNS rebinding, simulated with Chromium's host resolver rules), and that the server
// listens on 127.0.0.1 only.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REPO, BIN, T, skip, freePort, waitForServer, launchChromium, stopServer, rawPost } from "./harness.mjs";

const SHOT = path.join(REPO, "target/playground-e2e.png");
const SHOT_EN = path.join(REPO, "target/playground-e2e-en.png");


let server = null; // the child process, when this test started it
let serverLog = "";
let base = null; // http://127.0.0.1:PORT
let port = null;
let context = null;
let page = null;
let userDataDir = null;
let token = null; // the API token the page was given (read from its <meta>)

const $ = (id) => page.locator(`[data-testid="${id}"]`);

function connects(host, p) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: p, timeout: 2000 });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(false));
  });
}

describe("the playground in headless Chromium", { skip }, () => {
  before(async () => {
    if (process.env.QINGDAN_E2E_URL) {
      base = process.env.QINGDAN_E2E_URL.replace(/\/$/, "");
      port = Number(new URL(base).port);
    } else {
      assert.ok(fs.existsSync(BIN), `no ${BIN}: run \`cargo build\` first`);
      port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = spawn(BIN, ["playground", "--port", String(port)], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
      server.stdout.on("data", (d) => (serverLog += d));
      server.stderr.on("data", (d) => (serverLog += d));
    }
    await waitForServer(`${base}/`, 60_000, server, () => serverLog);
    ({ context, page, userDataDir } = await launchChromium("qingdan-e2e-chromium-", {
      args: [
        // A page of another site whose name resolves to this machine: DNS rebinding.
        "--host-resolver-rules=MAP evil.test 127.0.0.1",
      ],
      acceptDownloads: true,
    }));
  }, { timeout: 120_000 });

  after(async () => {
    if (context) await context.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    await stopServer(server);
  });

  /** Waits until the page has checked, compiled and evaluated the text in the editor. */
  async function settled() {
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid="status"]');
      const app = window.qingdanPlayground;
      // The rows' names come after the build and the form is built again with them: a
      // field filled before that could be filled in the form being replaced.
      const rows = document.querySelector('[data-testid="case-form"]')?.dataset.rows === "ready";
      return s && s.dataset.state === "ok" && app && app.state.good && app.state.good.text === app.editor.text && rows;
    });
  }

  /**
   * Waits until the first decision's outcome is `want`; on timeout, fails with what the page
   * held (status, outcome, the form's values, whether the module has the rule added by the
   * test), so that a failure in CI says why.
   */
  async function outcomeIs(want) {
    try {
      await page.waitForFunction((w) => document.querySelector('[data-testid="outcome"]')?.textContent === w, want, { timeout: T });
    } catch (e) {
      const seen = await page.evaluate(() => {
        const app = window.qingdanPlayground;
        const fields = Object.fromEntries((app.caseForm.fields || []).map((f) => [f.key, f.get()]));
        const rules = app.state.good?.policy?.manifest?.rules?.map((r) => r.name) ?? [];
        return {
          status: document.querySelector('[data-testid="status"]')?.dataset.state,
          outcome: document.querySelector('[data-testid="outcome"]')?.textContent ?? null,
          error: document.querySelector('[data-testid="eval-error"]')?.textContent ?? null,
          rows: document.querySelector('[data-testid="case-form"]')?.dataset.rows,
          hasTestRule: rules.includes("测试频次上限"),
          fields,
        };
      });
      throw new Error(`the outcome did not become ${want}: ${e.message}\n${JSON.stringify(seen, (k, v) => (typeof v === "bigint" ? `${v}n` : v), 1)}`);
    }
  }

  const RULE = [
    "",
    "",
    "// 端到端测试加入的规则",
    "规则 测试频次上限 引用 减负规定.填表 {",
    "  当 申请.每月频率 > 20",
    '  则 不予准入 { 目录条目: [] } "每月频次过高，占用网格员时间"',
    "}",
    "",
  ].join("\n");

  test("the page opens on the grid admission policy and decides its first test in the browser", { timeout: 90_000 }, async () => {
    const wasm = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/api/build")) wasm.push(r.headers()["content-type"]);
    });
    await page.goto(`${base}/`);
    await settled();
    assert.equal(await $("policy-picker").inputValue(), "grid_admission/admission.qd");
    const text = await $("editor").inputValue();
    assert.match(text, /^政策 网格事务准入$/m);
    // Highlighted: keywords of the Chinese set, and the declared name.
    assert.ok((await page.locator(".highlight .t-keyword", { hasText: "规则" }).count()) > 10);
    assert.equal(await page.locator(".highlight .t-def", { hasText: "网格事务准入" }).first().textContent(), "网格事务准入");
    // The form was filled from the policy's first test (平时常态准入), and it passes.
    assert.equal(await $("field-申请.事项名称").inputValue(), "养老服务补贴政策宣传");
    assert.equal(await $("outcome").first().textContent(), "常态准入");
    assert.match(await $("expectation").textContent(), /✓/);
    assert.ok(wasm.length >= 1 && wasm.every((c) => c && c.startsWith("application/wasm")), `built: ${wasm}`);
    // The analyser's finding on this policy (W0401, tied values) has its own panel.
    assert.ok((await $("analysis").locator('[data-testid="diagnostic"][data-code="W0401"]').count()) >= 1);
    // The graph is drawn, with the decision and its rules.
    assert.ok((await $("graph").locator('[data-kind="rule"]').count()) >= 20);
    assert.equal(await $("graph").locator('[data-kind="decision"]').count(), 1);
  });

  test("a rule with an error shows its diagnostic in the list and in the text; fixing it clears it", { timeout: 90_000 }, async () => {
    const area = $("editor");
    await area.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type(RULE);
    const diag = $("diagnostics").locator('[data-testid="diagnostic"][data-severity="error"]');
    await diag.first().waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="diagnostic"][data-code="E0103"]'));
    const item = $("diagnostics").locator('[data-testid="diagnostic"][data-code="E0103"]');
    assert.equal(await item.locator('[data-testid="diagnostic-code"]').textContent(), "E0103");
    assert.match(await item.locator('[data-testid="diagnostic-message"]').textContent(), /每月频率/);
    assert.equal(await $("diag-summary").getAttribute("data-errors"), "1");
    // Marked in the text (wavy underline) and in the gutter.
    assert.equal(await page.locator(".highlight .mark-error").first().textContent(), "每月频率");
    assert.ok((await page.locator(".gutter .ln-error").count()) >= 1);
    // Clicking the diagnostic selects the name it is about; typing replaces it: the fix.
    await item.click();
    const sel = await area.evaluate((el) => el.value.slice(el.selectionStart, el.selectionEnd));
    assert.equal(sel, "每月频率");
    await page.keyboard.type("每月频次");
    await page.waitForFunction(() => document.querySelector('[data-testid="diag-summary"]').dataset.errors === "0");
    await settled();
    assert.equal(await $("diagnostics").locator('[data-testid="diagnostic"][data-severity="error"]').count(), 0);
    assert.equal(await page.locator(".highlight .mark-error").count(), 0);
    assert.equal(await page.locator(".gutter .ln-error").count(), 0);
    assert.ok((await $("graph").locator('[data-label="测试频次上限"]').count()) === 1, "the new rule is in the graph");
  });

  test("filling a case decides it in the browser, with the fired rule, its reason and cited clause", { timeout: 90_000 }, async () => {
    const calls = [];
    const onRequest = (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/")) calls.push(r.url());
    };
    page.on("request", onRequest);
    // The kind of task (政策宣传, ZZ-1-02 from the form's test) is kept: only the frequency is
    // too high, and only the rule added above fires.
    await $("field-申请.事项名称").fill("社区消防安全宣传");
    await $("field-申请.每月频次").fill("30");
    await $("field-申请.单次耗时分钟").fill("10");
    await $("field-申请.每网格经费").fill("2000.00");
    await $("field-申请.拟实施日期").fill("2025-03-01");
    await outcomeIs("不予准入");
    const decision = $("results").locator('[data-testid="decision"][data-decision="准入结论"]');
    assert.equal(await decision.locator('[data-testid="outcome"]').textContent(), "不予准入");
    assert.equal(await decision.locator('[data-testid="outcome-reason"]').textContent(), "每月频次过高，占用网格员时间");
    const fired = decision.locator('[data-testid="fired-rule"]');
    assert.deepEqual(await fired.evaluateAll((els) => els.map((e) => e.dataset.rule)), ["测试频次上限"]);
    const rule = fired.first();
    assert.match(await rule.locator('[data-testid="read-value"]').first().textContent(), /申请\.每月频次\s*30/);
    assert.match(await rule.locator('[data-testid="cite"]').first().textContent(), /减负规定\.填表/);
    // The clause's text as the policy declares it.
    const clause = fs.readFileSync(path.join(REPO, "policies/grid_admission/admission.qd"), "utf8").match(/条款 填表 (?:摘要 |未核 )?"([^"]*)"/)[1];
    assert.equal(await rule.locator('[data-testid="cite-text"]').first().textContent(), clause);
    // The graph emphasises the rule that fired and shows the outcome on the decision.
    assert.match(await $("graph").locator('[data-label="测试频次上限"]').getAttribute("class"), /\bfired\b/);
    assert.match(await $("graph").locator('[data-kind="decision"] text').textContent(), /准入结论 = 不予准入/);
    // An exception overrides a rule: 战时 + 应急处置 (an emergency kind of task, ZZ-7-03) is
    // admitted until the emergency response is lifted, and the funding rule (费随事转) is
    // overridden by 应急经费事后结算.
    await $("field-申请.每月频次").fill("10");
    await $("field-申请.单次耗时分钟").fill("90");
    await $("field-申请.每网格经费").fill("0");
    await $("field-申请.类别").selectOption({ label: "应急处置" });
    await $("field-申请.事项种类").fill("ZZ-7-03");
    await $("field-申请.运行状态").selectOption({ label: "战时" });
    await outcomeIs("临时准入");
    const until = await decision.locator('[data-testid="outcome-value"]').evaluateAll((els) => els.map((e) => e.textContent));
    assert.ok(until.some((v) => /随应急响应解除 = (true|是)/.test(v)), `values: ${until}`);
    const overridden = await decision.locator('[data-testid="overridden-rule"]').evaluateAll((els) => els.map((e) => e.dataset.rule));
    assert.ok(overridden.includes("费随事转"), `overridden: ${overridden}`);
    // A value the case reader refuses is shown on its field, not thrown.
    await $("field-申请.每月频次").fill("很多");
    await $("eval-error").waitFor();
    assert.equal(await $("eval-error").getAttribute("data-code"), "E0302");
    assert.match(await $("field-error-申请.每月频次").textContent(), /E0302/);
    await $("field-申请.每月频次").fill("30");
    await $("field-申请.运行状态").selectOption({ label: "平时" });
    await $("field-申请.类别").selectOption({ label: "安全隐患排查" });
    await $("field-申请.事项种类").fill("ZZ-4-01");
    await $("field-申请.单次耗时分钟").fill("10");
    await $("field-申请.每网格经费").fill("2000.00");
    await outcomeIs("不予准入");
    page.off("request", onRequest);
    assert.deepEqual(calls, [], "cases are evaluated in the browser: no server calls while filling the form");
    await page.screenshot({ path: SHOT, fullPage: true });
  });

  test("the English toggle changes the page's labels", { timeout: 90_000 }, async () => {
    await $("lang-toggle").click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    assert.equal(await $("diagnostics-title").textContent(), "Diagnostics");
    assert.equal(await $("format-button").textContent(), "Format");
    assert.equal(await $("download-wasm").textContent(), "Download .wasm");
    assert.equal(await $("results-title").textContent(), "Decision and why");
    assert.equal(await $("graph-title").textContent(), "Dependency graph");
    assert.equal(await $("lang-toggle").textContent(), "中文");
    await settled();
    assert.match(await $("results").textContent(), /Rules that fired/);
    // Messages come in English too: the analyser's finding is re-checked with lang "en".
    await page.waitForFunction(() => /[a-z]{4,}/.test(document.querySelector('[data-testid="analysis"] [data-testid="diagnostic-message"]')?.textContent || ""));
    await page.screenshot({ path: SHOT_EN, fullPage: true });
    await $("lang-toggle").click();
    await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
    assert.equal(await $("diagnostics-title").textContent(), "诊断");
  });

  test("Format rewrites the text (here with English keywords) and the policy still decides the same", { timeout: 90_000 }, async () => {
    await $("keywords-select").selectOption("en");
    await $("format-button").click();
    await page.waitForFunction(() => /^policy 网格事务准入$/m.test(document.querySelector('[data-testid="editor"]').value));
    const text = await $("editor").inputValue();
    assert.match(text, /^rule 测试频次上限 cite 减负规定\.填表 \{$/m);
    await settled();
    await outcomeIs("不予准入");
  });

  test("Download .wasm gives the compiled module", { timeout: 90_000 }, async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), $("download-wasm").click()]);
    assert.equal(download.suggestedFilename(), "admission.wasm");
    const bytes = fs.readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]); // \0asm
  });

  test("the API refuses oversized and malformed requests with JSON errors", { timeout: 90_000 }, async () => {
    token = await page.evaluate(() => document.querySelector('meta[name="qingdan-token"]').content);
    assert.match(token, /^[0-9a-f]{64}$/);
    const big = Buffer.from(JSON.stringify({ path: "x.qd", text: "a".repeat(3 * 1024 * 1024) }));
    const r413 = await rawPost(port, token, "/api/check", big);
    assert.equal(r413.status, 413);
    const e413 = JSON.parse(r413.text);
    assert.equal(typeof e413.error.code, "string");
    assert.ok(e413.error.message && e413.error.message_zh);
    const r400 = await rawPost(port, token, "/api/check", Buffer.from('{"path": "x.qd", "text": '));
    assert.equal(r400.status, 400);
    assert.match(r400.headers["content-type"], /application\/json/);
    assert.equal(typeof JSON.parse(r400.text).error.code, "string");
    const missing = await rawPost(port, token, "/api/check", Buffer.from('{"path": "x.qd"}'));
    assert.equal(missing.status, 400);
    assert.equal(typeof JSON.parse(missing.text).error.message, "string");
  });

  test("without the page's token, or from another site, the API refuses", { timeout: 90_000 }, async () => {
    const body = Buffer.from(JSON.stringify({ path: "x.qd", text: "政策 x\n" }));
    const cases = [
      [{ "X-Qingdan-Token": null }, 403, "no-token"],
      [{ "X-Qingdan-Token": "0".repeat(64) }, 403, "wrong-token"],
      [{ Origin: "http://evil.test" }, 403, "foreign-origin"],
      [{ Host: `evil.test:${port}` }, 421, "foreign-host"],
      [{ "Content-Type": "text/plain" }, 415, "not-json"],
    ];
    for (const [headers, status, code] of cases) {
      const r = await rawPost(port, token, "/api/check", body, headers);
      assert.equal(r.status, status, JSON.stringify(headers));
      assert.equal(JSON.parse(r.text).error.code, code);
    }
    // A page of another site whose name now points at this machine (DNS rebinding) is, to the
    // browser, same-origin with the server: the server itself must refuse it.
    const evil = `http://evil.test:${port}`;
    const other = await context.newPage();
    try {
      // Opening the page by that name gets the refusal, not the page (and so not its token)…
      const opened = await other.goto(`${evil}/`);
      assert.equal(opened.status(), 421);
      // …and the API, called from a document of that origin, refuses too.
      const got = await other.evaluate(async () => {
        const read = await fetch("/api/policies");
        const posted = await fetch("/api/check", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ path: "x.qd", text: "政策 x\n" }) });
        const page = await fetch("/index.html");
        return { read: read.status, code: (await read.json()).error.code, posted: posted.status, page: page.status, html: await page.text() };
      });
      assert.deepEqual([got.read, got.code, got.posted, got.page], [421, "foreign-host", 421, 421]);
      assert.ok(!got.html.includes(token), "the rebinding page must not get the token");
    } finally {
      await other.close();
    }
  });

  test("the server listens on 127.0.0.1 only", { skip: process.env.QINGDAN_E2E_URL ? "not our server" : false, timeout: 30_000 }, async () => {
    assert.equal(await connects("127.0.0.1", port), true);
    // A socket bound to 127.0.0.1 (not 0.0.0.0) does not answer other loopback addresses…
    assert.equal(await connects("127.0.0.2", port), false, "answers on 127.0.0.2: bound to more than 127.0.0.1");
    assert.equal(await connects("::1", port), false, "answers on [::1]");
    // …nor the machine's other interfaces.
    for (const addrs of Object.values(os.networkInterfaces())) {
      for (const a of addrs || []) {
        if (a.internal) continue;
        assert.equal(await connects(a.address, port), false, `answers on ${a.address}`);
      }
    }
    // And the kernel's table says so (Linux): the listening socket's local address is 127.0.0.1.
    if (fs.existsSync("/proc/net/tcp")) {
      const hex = port.toString(16).toUpperCase().padStart(4, "0");
      const listening = (file) =>
        fs.existsSync(file)
          ? fs.readFileSync(file, "utf8").split("\n").slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[1] && f[1].endsWith(`:${hex}`) && f[3] === "0A")
          : [];
      const v4 = listening("/proc/net/tcp");
      const v6 = listening("/proc/net/tcp6");
      assert.deepEqual(v4.map((f) => f[1]), [`0100007F:${hex}`]);
      assert.deepEqual(v6, []);
    }
  });
});
