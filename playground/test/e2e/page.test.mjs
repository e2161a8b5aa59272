// End-to-end test of the playground page's workbench parts, in headless Chromium (the harness
// of playground.test.mjs: Debian's Chromium driven by playwright-core; skipped unless
// QINGDAN_E2E=1). The server is the binary copied ALONE into an empty folder with a copy of
// policies/ beside it: the page and its modules come from inside the binary.
//
// It checks: the page served that way loads its module and decides a case; the whole case
// file runs in the browser with the same ✓ counts, per-case verdicts and coverage as
// `qingdan test` on every bundled policy, and on an edited policy whose cases now fail (with
// the expected/actual diff shown); the reference picker finds a duty-list row by part of its
// name; booleans show as 是/否 (Yes/No); the checks heading says what is under it; the editor
// wraps long lines in both its layers alike; the dependency graph of an 80+ node policy
// focuses on one decision, groups inputs by record, zooms and pans; the clause coverage beside
// the graph is `qingdan trace`'s, and a citer clicked there is shown in the editor. Screenshots:
// target/playground-cases.png (the case file run), target/playground-graph.png and
// target/playground-coverage.png.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REPO, BIN, skip, freePort, waitForServer, launchChromium, stopServer, copyTree } from "./harness.mjs";

const SHOT_CASES = path.join(REPO, "target/playground-cases.png");
const SHOT_GRAPH = path.join(REPO, "target/playground-graph.png");
const SHOT_COVERAGE = path.join(REPO, "target/playground-coverage.png");


// The bundled policies (path inside policies/), each with the cases `qingdan test` runs.
const BUNDLED = [
  "grid_admission/admission.qd",
  "grid_admission/withdrawal.qd",
  "township_duties/duties.qd",
  "enforcement_catalogue/catalogue.qd",
  "enforcement_catalogue/referral.qd",
  "enforcement_catalogue/withdrawal.qd",
  "legality_review/review.qd",
  "community_work/admission.qd",
];

let folder = null; // the empty folder the binary was copied into
let server = null;
let serverLog = "";
let base = null;
let context = null;
let page = null;
let userDataDir = null;

const $ = (id) => page.locator(`[data-testid="${id}"]`);

/** `qingdan test FILE --format json` (the copied binary, in the copied folder): its one policy report. */
function cliTest(file, cwd = folder) {
  let out;
  try {
    out = execFileSync(path.join(folder, "qingdan"), ["test", file, "--format", "json"], { cwd, encoding: "utf8" });
  } catch (e) {
    if (e.status !== 1) throw e; // 1: some case failed, which is a report too
    out = e.stdout;
  }
  const doc = JSON.parse(out);
  assert.equal(doc.policies.length, 1, out);
  return { summary: doc.summary, report: doc.policies[0] };
}

describe("the playground page's workbench, served by a binary copied alone", { skip }, () => {
  before(async () => {
    assert.ok(fs.existsSync(BIN), `no ${BIN}: run \`cargo build\` first`);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "qingdan-alone-"));
    fs.copyFileSync(BIN, path.join(folder, "qingdan"));
    fs.chmodSync(path.join(folder, "qingdan"), 0o755);
    copyTree(path.join(REPO, "policies"), path.join(folder, "policies"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(path.join(folder, "qingdan"), ["playground", "--port", String(port)], { cwd: folder, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout.on("data", (d) => (serverLog += d));
    server.stderr.on("data", (d) => (serverLog += d));
    await waitForServer(`${base}/`, 60_000, server, () => serverLog);
    ({ context, page, userDataDir } = await launchChromium("qingdan-e2e-page-"));
  }, { timeout: 180_000 });

  after(async () => {
    if (context) await context.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    await stopServer(server);
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  /** Waits until the page has compiled the editor's text and run its case files. */
  async function settled() {
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid="status"]');
      const app = window.qingdanPlayground;
      const cf = document.querySelector('[data-testid="casefile-panel"]');
      return s && s.dataset.state === "ok" && app && app.state.good && app.state.good.text === app.editor.text && cf.dataset.state === "done" && document.querySelector('[data-testid="case-form"]').dataset.rows === "ready" && app.caseFiles.data && app.caseFiles.data.text === app.editor.text;
    });
  }

  async function open(policy, lang = "zh") {
    await page.goto(`${base}/?policy=${encodeURIComponent(policy)}&lang=${lang}`);
    await settled();
  }

  /** The page's case file run: per case `[name, passed]`, the counts and the coverage figures. */
  async function pageRun() {
    return page.evaluate(() => {
      const r = window.qingdanPlayground.caseFiles.report;
      return {
        passed: r.passed,
        failed: r.failed,
        cases: r.groups.flatMap((g) => g.cases.map((c) => [c.name, c.passed])),
        fired: r.coverage.fired,
        rules: r.coverage.rules,
        unfired: r.coverage.unfired,
        unproduced: Object.fromEntries(r.coverage.unproduced),
      };
    });
  }

  /** A panel at its full size, cut from a full-page screenshot (where the sticky header stays on top). */
  async function shoot(locator, file) {
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = await locator.boundingBox();
    await page.screenshot({ path: file, fullPage: true, clip: box });
  }

  function sameAsCli(got, cli, what) {
    assert.deepEqual([got.passed, got.failed], [cli.summary.passed, cli.summary.failed], `${what}: passed, failed`);
    assert.deepEqual(got.cases, cli.report.cases.map((c) => [c.name, c.status === "passed"]), `${what}: verdict per case`);
    assert.deepEqual([got.fired, got.rules], [cli.report.coverage.fired, cli.report.coverage.rules], `${what}: rules fired`);
    if (cli.report.coverage.unfired) assert.deepEqual(got.unfired, cli.report.coverage.unfired, `${what}: never fired`);
    if (cli.report.coverage.unproduced) assert.deepEqual(got.unproduced, cli.report.coverage.unproduced, `${what}: outcomes never produced`);
  }

  test("the page served by the binary copied alone loads its module and decides a case", { timeout: 90_000 }, async () => {
    assert.ok(!fs.existsSync(path.join(folder, "playground")), "only the binary and policies/ in the folder");
    const modules = [];
    page.on("response", (r) => {
      if (r.url().endsWith(".mjs")) modules.push([r.url().split("/").pop(), r.status(), r.headers()["content-type"]]);
    });
    await open("grid_admission/admission.qd");
    assert.ok(modules.some(([n]) => n === "app.mjs") && modules.some(([n]) => n === "qingdan.mjs"), JSON.stringify(modules));
    for (const [n, status, kind] of modules) {
      assert.equal(status, 200, n);
      assert.match(kind, /^text\/javascript/, n);
    }
    assert.equal(await $("outcome").first().textContent(), "常态准入");
    assert.ok(await page.evaluate(() => window.qingdanPlayground.state.good.policy.manifest.decisions.length) >= 1);
  });

  test("every bundled policy's cases run in the browser with the verdicts and coverage of `qingdan test`", { timeout: 300_000 }, async () => {
    let total = 0;
    for (const policy of BUNDLED) {
      await open(policy);
      const got = await pageRun();
      const cli = cliTest(path.join("policies", policy));
      sameAsCli(got, cli, policy);
      assert.ok(got.passed >= 3, `${policy}: only ${got.passed} cases`);
      assert.equal(got.failed, 0, policy);
      // ✓ per case on the page, and the summary says all pass.
      assert.equal(await $("casefile").locator('[data-testid="cf-case"][data-passed="true"]').count(), got.passed, policy);
      assert.equal(await $("cf-summary").getAttribute("data-passed"), String(got.passed));
      assert.match(await $("cf-summary").textContent(), new RegExp(`全部 ${got.passed} 个案例通过`));
      total += got.passed;
    }
    assert.ok(total >= 60, `${total} cases in all`);
  });

  test("an edit that breaks cases shows ✗ with the expected/actual diff, as `qingdan test` counts them", { timeout: 120_000 }, async () => {
    await open("grid_admission/admission.qd");
    const text = await $("editor").inputValue();
    // A standard grid of 800 households instead of 400: a few cases' workloads change.
    const changed = text.replace("令 标准网格户数 = 400", "令 标准网格户数 = 800");
    assert.notEqual(changed, text);
    await page.evaluate((t) => window.qingdanPlayground.editor.setText(t), changed);
    await settled();
    const got = await pageRun();
    assert.ok(got.failed >= 1, `no case fails: ${JSON.stringify(got)}`);
    // The CLI on the same text, in a copy of the folder.
    // A folder called `policies`, with the source texts the policy names.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "qingdan-changed-"));
    const copy = path.join(scratch, "policies/grid_admission");
    try {
      copyTree(path.join(folder, "policies/grid_admission"), copy);
      copyTree(path.join(folder, "policies/sources"), path.join(scratch, "policies/sources"));
      fs.writeFileSync(path.join(copy, "admission.qd"), changed);
      sameAsCli(got, cliTest(path.join(copy, "admission.qd")), "edited admission");
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
    const failed = $("casefile").locator('[data-testid="cf-case"][data-passed="false"]');
    assert.equal(await failed.count(), got.failed);
    const diff = failed.first().locator('[data-testid="cf-diff"]').first();
    assert.equal(await diff.getAttribute("data-decision"), "准入结论");
    // The row that differs shows both sides, and they differ.
    const row = diff.locator("tr.differs").first();
    assert.notEqual(await row.locator('[data-testid="cf-expected"]').textContent(), await row.locator('[data-testid="cf-actual"]').textContent());
    assert.match(await $("cf-summary").textContent(), new RegExp(`${got.passed} 个通过，${got.failed} 个失败`));
    assert.match(await $("cf-coverage").textContent(), /规则覆盖/);
    // "Load into the form" puts the failing case's inputs into the case form.
    const name = await failed.first().getAttribute("data-name");
    await failed.first().locator('[data-testid="cf-load"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="outcome"]'));
    const form = await page.evaluate(() => window.qingdanPlayground.caseForm.value());
    const given = await page.evaluate((n) => window.qingdanPlayground.caseFiles.report.groups.flatMap((g) => g.cases).find((c) => c.name === n).given, name);
    assert.equal(String(form["事项名称"] ?? form["申请"]?.["事项名称"]), String(given["事项名称"]));
    await shoot($("casefile-panel"), SHOT_CASES);
  });

  test("a reference field picks a duty-list row by typing part of its name", { timeout: 90_000 }, async () => {
    await open("township_duties/duties.qd");
    const field = $("field-新任务.清单事项");
    const rows = await page.evaluate(() => window.qingdanPlayground.state.good.policy.keys[window.qingdanPlayground.state.good.policy.manifest.lists.findIndex((l) => l.name === "职责清单")].length);
    assert.ok(rows >= 146, `${rows} rows`);
    await field.click();
    await page.keyboard.type("河长");
    const options = $("field-新任务.清单事项-options").locator('[data-testid="picker-option"]');
    await options.first().waitFor();
    const keys = await options.evaluateAll((els) => els.map((e) => e.dataset.key).filter(Boolean));
    assert.ok(keys.includes("JB-034"), `options: ${keys}`);
    assert.ok(keys.length < 10, `typing narrows the list: ${keys.length} left`);
    assert.match(await options.filter({ hasText: "JB-034" }).textContent(), /落实河长制/);
    await options.filter({ hasText: "JB-034" }).click();
    assert.match(await field.inputValue(), /^JB-034 · .*河长制/);
    const value = await page.evaluate(() => window.qingdanPlayground.caseForm.value()["清单事项"]);
    assert.equal(value, "JB-034");
    // The case is decided with it: the outcome carries the row.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="outcome-value"]')].some((e) => /清单事项 = .*JB-034/.test(e.textContent)));
    // A key typed in part works too, and Enter picks the first match.
    await field.click();
    await page.keyboard.type("jb-00");
    await page.keyboard.press("Enter");
    assert.match(await field.inputValue(), /^JB-00\d · /);
  });

  test("booleans show as 是/否 (Yes/No in English), and the checks heading says what is under it", { timeout: 90_000 }, async () => {
    await open("township_duties/duties.qd");
    const bool = $("field-新任务.需专业能力");
    assert.deepEqual(await bool.locator("option").allTextContents(), ["是", "否"]);
    await bool.selectOption({ label: "是" });
    await page.waitForFunction(() => window.qingdanPlayground.caseForm.value()["需专业能力"] === true);
    const heading = await $("violations-title").textContent();
    const broken = await page.locator(".violations li").count();
    if (broken) assert.match(heading, /^未通过的检查/);
    else {
      assert.equal(heading, "检查");
      assert.match(await page.locator(".violations").textContent(), /案例通过所有检查/);
    }
    assert.ok(!/检查未通过/.test(await $("results").textContent()) || !/案例通过所有检查/.test(await $("results").textContent()), "a heading contradicting its content");
    await open("township_duties/duties.qd", "en");
    assert.deepEqual(await $("field-新任务.需专业能力").locator("option").allTextContents(), ["Yes", "No"]);
    // The case file panel speaks English too.
    assert.match(await $("cf-summary").textContent(), /^\s*all \d+ cases pass\s*$/);
    assert.match(await $("cf-coverage").textContent(), /Rule coverage:/);
  });

  test("the editor wraps long lines alike in the text and its highlighting", { timeout: 90_000 }, async () => {
    await open("township_duties/duties.qd");
    const m = await page.evaluate(() => {
      const area = document.querySelector('[data-testid="editor"]');
      const pre = document.querySelector(".highlight");
      const lines = area.value.split("\n");
      const long = lines.findIndex((l) => l.length > 120);
      const gutter = document.querySelectorAll(".gutter .ln")[long];
      return { long, areaScroll: area.scrollWidth - area.clientWidth, preWidth: pre.getBoundingClientRect().width, areaWidth: area.clientWidth, gutterHeight: gutter.getBoundingClientRect().height, preHeight: pre.scrollHeight, areaHeight: area.scrollHeight };
    });
    assert.ok(m.long >= 0, "a line over 120 characters in the policy");
    assert.ok(m.areaScroll <= 1, `no sideways scrolling when wrapping: ${m.areaScroll}`);
    assert.ok(Math.abs(m.preWidth - m.areaWidth) <= 1, `the highlighting is as wide as the text: ${m.preWidth} vs ${m.areaWidth}`);
    assert.ok(m.gutterHeight >= 40, `the long line's number spans its rows: ${m.gutterHeight}px`);
    assert.ok(Math.abs(m.preHeight - m.areaHeight) <= 2, `both layers as tall: ${m.preHeight} vs ${m.areaHeight}`);
    await $("wrap-lines").uncheck();
    assert.ok(await page.evaluate(() => {
      const area = document.querySelector('[data-testid="editor"]');
      return area.scrollWidth > area.clientWidth;
    }), "without wrapping, the long line scrolls sideways");
    await $("wrap-lines").check();
  });

  test("the dependency graph of an 80+ node policy: focus on one decision, inputs grouped, zoom and pan", { timeout: 120_000 }, async () => {
    await open("grid_admission/admission.qd");
    await $("graph-focus").uncheck();
    const all = Number(await $("graph-panel").getAttribute("data-nodes"));
    assert.ok(all >= 80, `${all} nodes`);
    await $("graph-focus").check();
    const decision = await $("graph-decision").inputValue();
    const focused = Number(await $("graph-panel").getAttribute("data-nodes"));
    const why = await page.evaluate((d) => window.qingdanPlayground.state.good.why[d], decision);
    const drawn = await $("graph").locator("[data-node-id]").evaluateAll((els) => els.map((e) => e.dataset.nodeId));
    assert.ok(drawn.length > 0 && drawn.every((id) => why.includes(id)), "only what the decision depends on");
    assert.equal(focused, drawn.length);
    // Inputs grouped by record: one titled group for 申请, its fields inside it.
    const group = $("graph").locator('[data-testid="graph-group"][data-record="申请"]');
    assert.equal(await group.count(), 1);
    const box = await group.locator("rect").boundingBox();
    const inputs = await $("graph").locator('[data-kind="input"]').all();
    assert.ok(inputs.length >= 5);
    for (const i of inputs.slice(0, 5)) {
      const b = await i.boundingBox();
      assert.ok(b.y >= box.y - 1 && b.y + b.height <= box.y + box.height + 1, "an input outside its record's box");
    }
    // Zoom: the buttons and the wheel; pan: dragging moves the window.
    const zoom = async () => Number(await $("graph").getAttribute("data-zoom"));
    const z0 = await zoom();
    await $("zoom-in").click();
    assert.ok((await zoom()) > z0, "zoom in");
    await $("zoom-out").click();
    await $("zoom-out").click();
    assert.ok((await zoom()) < z0, "zoom out");
    const area = await $("graph-scroll").boundingBox();
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    const before = await zoom();
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((z) => Number(document.querySelector('[data-testid="graph"]').dataset.zoom) > z, before);
    const viewBox = async () => (await $("graph").getAttribute("viewBox")).split(" ").map(Number);
    const [x0, y0] = await viewBox();
    await page.mouse.down();
    await page.mouse.move(area.x + area.width / 2 - 150, area.y + area.height / 2 - 60, { steps: 5 });
    await page.mouse.up();
    const [x1, y1] = await viewBox();
    assert.ok(x1 > x0 && y1 > y0, `dragging pans: ${x0},${y0} → ${x1},${y1}`);
    await $("zoom-fit").click();
    await shoot($("graph-panel"), SHOT_GRAPH);
  });

  test("a case decided under a let with versions names the version that applied, as `qingdan eval --explain`", { timeout: 90_000 }, async () => {
    await open("community_work/admission.qd");
    const name = "限期准入_第四次全国文物普查线索征集";
    // A passing case's button shows on hover.
    const item = $("casefile").locator(`[data-testid="cf-case"][data-name="${name}"]`);
    await item.hover();
    await item.locator('[data-testid="cf-load"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="decision"][data-decision="准入结论"] [data-testid="outcome"]')?.textContent === "限期准入");
    const rule = $("results").locator('[data-testid="fired-rule"][data-rule="限期准入"]');
    const read = rule.locator('[data-testid="read-value"]').filter({ hasText: "协助依据" });
    // Applied on 2025-11-01: the version in force until the end of 2025 (the CLI: `（至 2025-12-31 止的版本）`).
    assert.equal(await read.locator('[data-testid="version"]').textContent(), "(至 2025-12-31 止的版本)");
    assert.equal(await rule.locator('[data-testid="in-force"]').count(), 0, "no dated row is read");
  });

  test("clause coverage beside the graph: qingdan trace's report, citers go to the editor, both languages", { timeout: 120_000 }, async () => {
    await open("community_work/admission.qd");
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="coverage-panel"]').dataset.sources) > 0);
    // Beside the graph: to its right, level with it.
    const g = await $("graph-panel").boundingBox();
    const c = await $("coverage-panel").boundingBox();
    assert.ok(c.x >= g.x + g.width && Math.abs(c.y - g.y) < 2, `coverage at ${c.x},${c.y}; graph ${g.x},${g.y} ${g.width} wide`);
    // The same report as the CLI's, per source and clause.
    const cli = JSON.parse(execFileSync(path.join(folder, "qingdan"), ["trace", "community_work/admission.qd", "--as", "json"], { cwd: path.join(folder, "policies"), encoding: "utf8" }));
    const shown = await $("coverage").locator('[data-testid="cov-source"]').evaluateAll((els) => els.map((e) => ({
      title: e.dataset.title,
      clauses: [...e.querySelectorAll('[data-testid="cov-clause"]')].map((li) => [li.dataset.clause, li.dataset.status]).sort(),
    })));
    assert.deepEqual(shown, cli.sources.map((s) => ({ title: s.title, clauses: s.clauses.map((x) => [x.id, x.status]).sort() })));
    const hangzhou = $("coverage").locator('[data-testid="cov-source"]').filter({ hasText: "杭州市人民代表大会常务委员会" });
    assert.match(await hangzhou.locator('[data-testid="cov-counts"]').textContent(), /5 有引用 10 范围外 6 无人引用 共 21 条/);
    assert.match(await hangzhou.locator('[data-clause="十九"]').textContent(), /范围外 人大的地方性立法工作/);
    assert.match(await hangzhou.locator('[data-clause="(二)"]').textContent(), /无人引用 未说明为何不在范围内/);
    // A citer clicked: its node selected in the graph, its definition selected in the editor.
    await hangzhou.locator('[data-clause="十五"] [data-testid="cov-citer"]').click();
    const picked = await page.evaluate(() => {
      const app = window.qingdanPlayground;
      const area = document.querySelector('[data-testid="editor"]');
      const node = app.state.good.graph.nodes.find((n) => n.id === app.state.selectedNode);
      return { node: node && [node.kind, node.label], text: area.value.slice(area.selectionStart, area.selectionEnd), focused: document.activeElement === area };
    });
    assert.deepEqual(picked.node, ["exception", "法定创建"]);
    assert.match(picked.text, /^例外 法定创建 /);
    assert.ok(picked.focused, "the editor has the focus");
    const editorBox = await $("editor-wrap").boundingBox();
    const header = await page.locator("header").boundingBox();
    assert.ok(editorBox.y + editorBox.height > header.height && editorBox.y < (page.viewportSize()?.height ?? 800), "the editor scrolled into view");
    await shoot(page.locator(".graph-row"), SHOT_COVERAGE);
    // English: the panel's words change, the policy's do not.
    await $("lang-toggle").click();
    assert.equal(await $("coverage-title").textContent(), "Clause coverage");
    assert.match(await hangzhou.locator('[data-testid="cov-counts"]').textContent(), /5 cited 10 out of scope 6 cited by nothing 21 clauses/);
    assert.match(await hangzhou.locator('[data-clause="十九"]').textContent(), /out of scope 人大的地方性立法工作/);
    await $("lang-toggle").click();
  });
});
