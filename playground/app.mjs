// The playground page: editor → /api/check (debounced) → /api/build + /api/graph → the module
// evaluated here, in the browser, through qingdan.mjs; the server never decides a case.

import { loadPolicy, QingdanError } from "./host/qingdan.mjs";
import { Editor, escapeHtml } from "./editor.mjs";
import { CaseForm } from "./caseform.mjs";
import { layout, draw, ancestors, focused } from "./graph.mjs";
import { readTests, indexOfByte } from "./syntax.mjs";
import { t, setLang, getLang, translatePage } from "./i18n.mjs";
import { Files } from "./files.mjs";
import { Recorder } from "./record.mjs";
import { TableEditor } from "./tableeditor.mjs";
import { CaseFilePanel } from "./casepanel.mjs";
import { GraphView } from "./graphview.mjs";
import { CoveragePanel } from "./coverage.mjs";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const DEBOUNCE_MS = 300;
const START = "grid_admission/admission.qd";
const BLANK_PATH = "scratch/新政策.qd";
const BLANK = `政策 新政策

来源 杭州决定 "杭州市人大常委会关于深化“四治融合”的决定" (2022-12-20) {
  条款 五 "优化网格运行机制：完善网格事务准入审查机制"
}

枚举 结论 { 准入, 退回补正, 不予准入 }

输入 申请 {
  每月频次: 整数
  单次耗时分钟: 整数
  法律依据: 文本?
}

令 月工作量分钟 = 申请.每月频次 * 申请.单次耗时分钟

规则 工作量超限 引用 杭州决定.五 {
  当 月工作量分钟 > 600
  则 不予准入 "每月占用网格员工作时间超过 10 小时"
}

规则 缺少法律依据 引用 杭州决定.五 {
  当 申请.法律依据 无值
  则 退回补正 "申请未写明法律依据"
}

决定 准入结论: 结论 按 优先 不予准入 > 退回补正 > 准入 默认 准入 "符合准入条件"

测试 一般事项 {
  给定 申请 { 每月频次: 2, 单次耗时分钟: 30, 法律依据: "《物业管理条例》" }
  预期 准入结论 = 准入
}
`;

const state = {
  policies: [], // { path, name, text } from /api/policies
  path: null,
  edits: new Map(), // path → edited text
  seq: 0, // the latest check; older answers are dropped
  timer: null,
  diagnostics: [],
  summary: { errors: 0, warnings: 0 },
  good: null, // { path, text, bytes, policy, graph, why, tests }
  prefill: true, // fill the form from the first test at the next build
  loadedTest: null, // the test whose case the form shows, until the drafter changes it
  result: null, // the last evaluation: { decisions, violations } | { error } | { caseError }
  graphDecision: null,
  selectedNode: null,
  building: false,
};

// ------------------------------------------------------------------ server

const MAX_BODY = 2 * 1024 * 1024; // the server's limit (src/playground_cmd.rs MAX_BODY)

// The server answers API calls only with the token it wrote into this page (a <meta> element),
// which pages of other origins cannot read (src/playground_guard.rs).
const TOKEN = document.querySelector('meta[name="qingdan-token"]')?.content || "";

function serverGet(path) {
  return fetch(path, { headers: { "x-qingdan-token": TOKEN } });
}

async function api(path, body) {
  const json = JSON.stringify(body);
  if (new TextEncoder().encode(json).length > MAX_BODY) {
    // The server would refuse it (413) and close the connection while the body is still on its
    // way, which a browser reports as a network error: say why here instead.
    const error = { code: "too-large", message: t("tooLarge"), message_zh: t("tooLarge") };
    return new Response(JSON.stringify({ error }), { status: 413, headers: { "content-type": "application/json" } });
  }
  return fetch(path, { method: "POST", headers: { "content-type": "application/json", "x-qingdan-token": TOKEN }, body: json });
}

/** POSTs a JSON text made elsewhere (record.mjs writes exact numbers itself). */
function postText(path, json) {
  return fetch(path, { method: "POST", headers: { "content-type": "application/json", "x-qingdan-token": TOKEN }, body: json });
}

async function apiJson(path, body) {
  const res = await api(path, body);
  let data = null;
  try {
    data = await res.json();
  } catch {
    throw new Error(`${path}: HTTP ${res.status}`);
  }
  return { status: res.status, data };
}

function serverMessage(data, status) {
  const e = data && data.error;
  if (!e) return `HTTP ${status}`;
  return `${e.code}: ${getLang() === "zh" ? e.message_zh || e.message : e.message}`;
}

// ------------------------------------------------------------------ status line and toasts

function setStatus(kind, key, vars) {
  const s = $("status");
  s.className = `status status-${kind}`;
  s.dataset.state = kind;
  s.dataset.key = key;
  s.dataset.vars = JSON.stringify(vars || {});
  s.textContent = t(key, vars);
}

let toastTimer = null;
function toast(text, kind = "info") {
  const el = $("toast");
  el.textContent = text;
  el.className = `toast toast-${kind} show`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("show"), 3500);
}

// ------------------------------------------------------------------ the editor and checking

const editor = new Editor($("editor-wrap"), (text) => {
  state.edits.set(state.path, text);
  markEdited();
  clearTimeout(state.timer);
  state.timer = setTimeout(check, DEBOUNCE_MS);
});

// Opening and saving the folder's files (files.mjs).
const files = new Files({ state, editor, apiJson, toast, serverMessage, open: openPolicy, changed: markEdited, blank: BLANK, blankPath: BLANK_PATH });
$("wrap-lines").addEventListener("change", () => editor.setWrap($("wrap-lines").checked));

function currentFile() {
  return state.policies.find((p) => p.path === state.path);
}

function markEdited() {
  const p = currentFile();
  const edited = p ? editor.text !== p.text : true;
  $("revert").disabled = !edited || !p;
  $("edited").hidden = !edited;
  files.markUnsaved();
}

/** Whether a diagnostic's `file` is the text in the editor. */
function inEditor(file) {
  if (!file) return true;
  const f = file.replace(/\\/g, "/");
  const p = state.path;
  return f === p || f.endsWith(`/${p}`) || p.endsWith(`/${f}`);
}

async function check() {
  const seq = ++state.seq;
  const text = editor.text;
  const path = state.path;
  setStatus("busy", "checking");
  let got;
  try {
    got = await apiJson("/api/check", { path, text, lang: getLang() });
  } catch (e) {
    if (seq === state.seq) setStatus("error", "networkError", { m: e.message });
    return;
  }
  if (seq !== state.seq) return;
  if (got.status !== 200) {
    setStatus("error", "serverError", { m: serverMessage(got.data, got.status) });
    return;
  }
  state.diagnostics = got.data.diagnostics;
  state.summary = got.data.summary;
  renderDiagnostics();
  updateTests(text);
  if (state.summary.errors > 0) {
    setStatus("error", "hasErrors");
    markStale();
    return;
  }
  await build(seq, path, text);
}

async function build(seq, path, text) {
  if (state.good && state.good.path === path && state.good.text === text) {
    setStatus("ok", "ready");
    markStale();
    return;
  }
  setStatus("busy", "building");
  let wasm;
  let graph;
  try {
    [wasm, graph] = await Promise.all([api("/api/build", { path, text }), apiJson("/api/graph", { path, text })]);
  } catch (e) {
    if (seq === state.seq) setStatus("error", "networkError", { m: e.message });
    return;
  }
  if (seq !== state.seq) return;
  if (!wasm.ok) {
    let data = null;
    try {
      data = await wasm.json();
    } catch {
      // not JSON
    }
    if (data && Array.isArray(data.diagnostics)) {
      state.diagnostics = data.diagnostics;
      state.summary = {
        errors: data.diagnostics.filter((d) => d.severity === "error").length,
        warnings: data.diagnostics.filter((d) => d.severity !== "error").length,
      };
      renderDiagnostics();
    }
    setStatus("error", "serverError", { m: serverMessage(data, wasm.status) });
    markStale();
    return;
  }
  const bytes = new Uint8Array(await wasm.arrayBuffer());
  if (seq !== state.seq) return;
  let policy;
  try {
    policy = await loadPolicy(bytes, { lang: getLang() });
  } catch (e) {
    setStatus("error", "serverError", { m: e.message });
    return;
  }
  if (seq !== state.seq) return;
  const samePolicy = state.good && state.good.path === path;
  state.good = {
    path,
    text,
    bytes,
    policy,
    graph: graph.status === 200 ? graph.data.graph : null,
    why: graph.status === 200 ? graph.data.why : {},
  };
  const tests = readTests(text);
  if (state.prefill || !samePolicy) {
    const first = tests.find((x) => Object.keys(x.given).length > 0);
    caseForm.build(policy, first ? first.given : null);
    state.loadedTest = first || null;
    $("test-picker").value = first ? first.name : "";
    state.prefill = false;
  } else {
    caseForm.build(policy, null);
    if (state.loadedTest) state.loadedTest = tests.find((x) => x.name === state.loadedTest.name) || null;
  }
  if (!state.graphDecision || !(state.graphDecision in state.good.why)) {
    state.graphDecision = policy.manifest.decisions[0]?.name ?? null;
  }
  state.selectedNode = null;
  renderGraphControls();
  coverage.show(graph.status === 200 ? graph.data.coverage : null, policy.manifest.policy);
  setStatus("ok", "ready");
  markStale();
  evaluate();
  // After the build (whose analysis is the heavy part), two light calls: the case files, and
  // the rows' names for the pickers.
  caseFiles.run(state.good);
  // Until the rows come, the form's pickers show keys; the form is built again then.
  $("case-form").dataset.rows = "pending";
  refreshRows(state.good);
}

/** Asks for the rows' names of `good`'s lists and redraws the form's pickers with them. */
async function refreshRows(good) {
  let got;
  try {
    got = await apiJson("/api/rows", { path: good.path, text: good.text });
  } catch {
    return; // the pickers keep showing keys (and the names they had)
  }
  if (got.status !== 200 || state.good !== good) return;
  caseForm.setRows(got.data);
  const test = state.loadedTest;
  caseForm.build(good.policy, null);
  state.loadedTest = test;
  $("case-form").dataset.rows = "ready";
}

function markStale() {
  const stale = !state.good || state.good.path !== state.path || state.good.text !== editor.text;
  for (const id of ["results", "graph-panel", "case-panel", "coverage-panel"]) $(id).classList.toggle("stale", stale && !!state.good);
  $("download-wasm").disabled = state.summary.errors > 0 || !state.good || state.good.path !== state.path;
}

// ------------------------------------------------------------------ diagnostics

const isAnalysis = (d) => /^[EW]04/.test(d.code);

function diagItem(d, i, withRelated) {
  const here = inEditor(d.file);
  const where = t("line", { l: d.start.line, c: d.start.column }) + (here ? "" : ` ${t("otherFile", { f: d.file })}`);
  const related = withRelated || d.related.length
    ? d.related
        .map(
          (r, j) =>
            `<li><a href="#" class="goto" data-diag="${i}" data-related="${j}">${escapeHtml(t("line", { l: r.start.line, c: r.start.column }))}</a> ${escapeHtml(r.message || "")}</li>`,
        )
        .join("")
    : "";
  return `<li class="diag diag-${d.severity}" data-testid="diagnostic" data-code="${escapeHtml(d.code)}" data-severity="${d.severity}" data-diag="${i}" tabindex="0">
    <div class="diag-head"><span class="sev">${escapeHtml(t(d.severity === "error" ? "error" : "warning"))}</span>
      <code class="code" data-testid="diagnostic-code">${escapeHtml(d.code)}</code><span class="slug">${escapeHtml(d.slug)}</span>
      <span class="where">${escapeHtml(where)}</span></div>
    <div class="msg" data-testid="diagnostic-message">${escapeHtml(d.message)}${d.label ? ` <span class="label">— ${escapeHtml(d.label)}</span>` : ""}</div>
    ${d.help ? `<div class="help" data-testid="diagnostic-help"><b>${escapeHtml(t("help"))}：</b>${escapeHtml(d.help)}</div>` : ""}
    ${related ? `<ul class="related"><span>${escapeHtml(t("related"))}：</span>${related}</ul>` : ""}
  </li>`;
}

function renderDiagnostics() {
  const all = state.diagnostics;
  const lang = all.map((d, i) => [d, i]).filter(([d]) => !isAnalysis(d));
  const found = all.map((d, i) => [d, i]).filter(([d]) => isAnalysis(d));
  const errors = all.filter((d) => d.severity === "error").length;
  const warnings = all.length - errors;
  const summary = $("diag-summary");
  summary.textContent = `${errors} ${t("errors")} · ${warnings} ${t("warnings")}`;
  summary.className = `summary ${errors ? "has-errors" : warnings ? "has-warnings" : "clean"}`;
  summary.dataset.errors = errors;
  summary.dataset.warnings = warnings;
  let html = lang.map(([d, i]) => diagItem(d, i, false)).join("");
  if (!lang.length) html = `<li class="empty" data-testid="no-diagnostics">${escapeHtml(t(errors || warnings ? "noErrors" : "noDiagnostics"))}</li>`;
  if (found.length) html += `<li class="note">${escapeHtml(t("moreInAnalysis", { n: found.length }))}</li>`;
  $("diagnostics").innerHTML = html;
  const languageErrors = lang.some(([d]) => d.severity === "error");
  $("analysis").innerHTML = found.length
    ? found.map(([d, i]) => diagItem(d, i, true)).join("")
    : `<li class="empty">${escapeHtml(t(languageErrors ? "analysisWaiting" : "noFindings"))}</li>`;
  editor.setMarks(all.filter((d) => inEditor(d.file)).map((d) => ({ start: d.start, end: d.end, severity: d.severity, code: d.code, message: d.message })));
}

function onDiagClick(ev) {
  const item = ev.target.closest("[data-diag]");
  if (!item) return;
  ev.preventDefault();
  const d = state.diagnostics[Number(item.dataset.diag)];
  if (!d) return;
  const r = ev.target.closest("[data-related]");
  const span = r ? d.related[Number(r.dataset.related)] : d;
  if (!inEditor(span.file || d.file)) return;
  editor.goTo(span.start, span.end);
}

for (const id of ["diagnostics", "analysis"]) {
  $(id).addEventListener("click", onDiagClick);
  $(id).addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") onDiagClick(ev);
  });
}

// ------------------------------------------------------------------ tests in the text, the case form

function updateTests(text) {
  const tests = readTests(text);
  const picker = $("test-picker");
  const keep = picker.value;
  picker.innerHTML =
    `<option value="">${escapeHtml(tests.length ? `— ${t("loadTest")} —` : t("noTests"))}</option>` +
    tests.map((x) => `<option value="${escapeHtml(x.name)}">${escapeHtml(x.name)}</option>`).join("");
  picker.value = tests.some((x) => x.name === keep) ? keep : "";
  state.tests = tests;
}

$("test-picker").addEventListener("change", () => {
  const test = (state.tests || []).find((x) => x.name === $("test-picker").value);
  if (!test || !state.good) return;
  caseForm.build(state.good.policy, test.given);
  state.loadedTest = test;
  evaluate();
});

const caseForm = new CaseForm($("case-form"), () => {
  state.loadedTest = null;
  $("test-picker").value = "";
  evaluate();
});

// "Record as test case" (record.mjs).
new Recorder({ state, caseForm, files, api: postText, toast, serverMessage });

// The rows of the policy's lists kept in data files (tableeditor.mjs).
const tables = new TableEditor({
  state,
  apiJson,
  toast,
  serverMessage,
  // The module carries the list's rows: check and build again with the saved ones.
  rowsSaved: () => {
    if (state.good) state.good.text = null;
    check();
  },
});

function evaluate() {
  const good = state.good;
  if (!good) return;
  caseForm.clearErrors();
  let r;
  try {
    r = good.policy.evaluate(caseForm.value(), { explain: true });
  } catch (e) {
    if (e instanceof QingdanError) {
      const msg = getLang() === "zh" ? e.zh : e.en;
      r = { caseError: { code: e.code, slug: e.slug, path: e.path, message: msg, full: e.message } };
      caseForm.markError(e.path, `${e.code} ${msg}`);
    } else {
      r = { caseError: { code: e.name || "Error", path: "", message: e.message, full: e.message } };
    }
  }
  state.result = r;
  renderResults();
  renderGraph();
}

// ------------------------------------------------------------------ results

/** Names (input fields and lets) whose values are booleans, to show them as 是/否. */
function boolNames(mf) {
  const isBool = (ty) => ty === "Bool" || (typeof ty === "object" && ty.Opt === "Bool");
  const names = new Set();
  for (const slot of mf.slots) if (isBool(slot.ty)) names.add(`${mf.inputs[slot.input].name}.${slot.path.join(".")}`);
  for (const l of mf.lets) if (isBool(l.ty)) names.add(l.name);
  return { names, isBool };
}

/** A boolean value's text in the page's words (是/否, Yes/No); any other value as it is. */
function yesNo(text, bool) {
  return bool && (text === "true" || text === "false") ? t(text) : text;
}

function ruleLink(name) {
  return `<a href="#" class="rule-link" data-rule="${escapeHtml(name)}">${escapeHtml(name)}</a>`;
}

let bools = { names: new Set(), isBool: () => false };

/** Which version applied, or a dated row's days, after a value or a rule (as `eval --explain`). */
function days(label, version) {
  if (!label) return "";
  return ` <span class="muted" data-testid="${version ? "version" : "in-force"}">(${escapeHtml(version ? t("version", { v: label }) : label)})</span>`;
}

function trace(tr, testid) {
  const head = `${ruleLink(tr.rule)}${days(tr.version, true)}${tr.exception_to ? ` <span class="exc">${escapeHtml(t("exceptionTo", { r: tr.exception_to }))}</span>` : ""}`;
  const outcome = tr.outcome ? `<span class="badge">${escapeHtml(tr.outcome)}</span>` : tr.exception_to ? `<span class="muted">${escapeHtml(t("cancels"))}</span>` : "";
  const read = tr.read.length
    ? `<div class="read"><span class="k">${escapeHtml(t("read"))}</span><table>${tr.read
        .map((x) => `<tr data-testid="read-value"><td>${escapeHtml(x.name)}</td><td><code>${escapeHtml(yesNo(x.value, bools.names.has(x.name)))}</code>${days(x.version, true)}${days(x.in_force, false)}</td></tr>`)
        .join("")}</table></div>`
    : "";
  const cites = citesHtml(tr.cites);
  return `<li class="trace" data-testid="${testid}" data-rule="${escapeHtml(tr.rule)}">
    <div class="trace-head">${head} ${outcome}</div>
    ${tr.reason ? `<div class="reason">${escapeHtml(tr.reason)}</div>` : ""}${read}${cites}</li>`;
}

/** Cited clauses with their text (a rule's, or a default outcome's). */
function citesHtml(cites) {
  if (!cites || cites.length === 0) return "";
  const items = cites
    .map((c) => `<li data-testid="cite"><b>${escapeHtml(`${c.source}.${c.clause}`)}</b> <q data-testid="cite-text">${escapeHtml(c.text)}</q></li>`)
    .join("");
  return `<div class="cites"><span class="k">${escapeHtml(t("cites"))}</span><ul>${items}</ul></div>`;
}

function renderResults() {
  const box = $("results");
  const r = state.result;
  const good = state.good;
  if (!good || !r) {
    box.innerHTML = `<p class="muted">${escapeHtml(t("noModule"))}</p>`;
    return;
  }
  if (r.caseError) {
    const e = r.caseError;
    box.innerHTML = `<div class="eval-error" data-testid="eval-error" data-code="${escapeHtml(e.code)}"><b>${escapeHtml(t("caseError"))}</b>
      <div><code>${escapeHtml(e.code)}</code> ${e.path ? `<code>${escapeHtml(e.path)}</code> ` : ""}${escapeHtml(e.message)}</div></div>`;
    return;
  }
  if (r.error) {
    const e = r.error;
    const site = e.site && e.site[0] === 0 && good.text === editor.text ? `<a href="#" class="site-link" data-start="${e.site[1]}" data-end="${e.site[2]}">${escapeHtml(t("line", { l: lineOfByte(good.text, e.site[1]), c: "…" }))}</a>` : "";
    box.innerHTML = `<div class="eval-error" data-testid="eval-error" data-kind="${escapeHtml(e.kind)}"><b>${escapeHtml(t("evalError"))}</b>
      <div>${escapeHtml(getLang() === "zh" ? e.zh : e.en)} ${site}</div></div>`;
    return;
  }
  const mf = good.policy.manifest;
  bools = boolNames(mf);
  const fieldIsBool = (decision, outcome, field) => {
    const dd = mf.decisions.find((x) => x.name === decision);
    const variant = dd && mf.enums[dd.outcome_enum].variants.find((v) => v.name === outcome);
    const f = variant && variant.fields.find(([n]) => n === field);
    return Boolean(f && bools.isBool(f[1]));
  };
  let html = "";
  for (const [name, d] of Object.entries(r.decisions)) {
    const expect = state.loadedTest ? state.loadedTest.expect.find((x) => x.decision === name) : null;
    const outcomes = d.outcomes
      .map(
        (o) => `<div class="outcome-row">
          <span class="outcome" data-testid="outcome">${escapeHtml(o.outcome)}</span>
          ${(o.values || []).map((v) => `<span class="value" data-testid="outcome-value">${escapeHtml(v.name)} = <code>${escapeHtml(yesNo(v.value, fieldIsBool(name, o.outcome, v.name)))}</code>${days(v.in_force, false)}</span>`).join(" ")}
          <div class="reason" data-testid="outcome-reason">${o.reason ? escapeHtml(o.reason) : ""}</div>
          <div class="by muted">${o.rule ? t("byRule", { r: ruleLink(o.rule) }) : escapeHtml(t("byDefault"))}</div>
          ${citesHtml(o.cites)}
        </div>`,
      )
      .join("");
    let verdict = "";
    if (expect) {
      const ok = d.outcomes.some((o) => o.outcome === expect.outcome);
      verdict = `<div class="verdict ${ok ? "ok" : "bad"}" data-testid="expectation">${ok ? "✓" : "✗"} ${escapeHtml(t("expected", { o: expect.outcome }))} · ${escapeHtml(state.loadedTest.name)} — ${escapeHtml(t(ok ? "matches" : "differs"))}</div>`;
    }
    const conflicts = d.conflicts.length
      ? `<h4>${escapeHtml(t("conflicts"))}</h4><ul class="conflicts">${d.conflicts.map((c) => `<li data-testid="conflict">${escapeHtml(t("conflictOf", { r: c.join("、") }))}</li>`).join("")}</ul>`
      : "";
    html += `<section class="decision" data-testid="decision" data-decision="${escapeHtml(name)}">
      <h3><span class="k">${escapeHtml(t("decision"))}</span> ${escapeHtml(name)}</h3>
      ${outcomes}${verdict}${conflicts}
      <h4>${escapeHtml(t("fired"))} <span class="count">${d.fired.length}</span></h4>
      ${d.fired.length ? `<ul class="traces">${d.fired.map((x) => trace(x, "fired-rule")).join("")}</ul>` : `<p class="muted">${escapeHtml(t("noneFired"))}</p>`}
      ${d.overridden.length ? `<h4>${escapeHtml(t("overridden"))} <span class="count">${d.overridden.length}</span></h4><ul class="traces overridden">${d.overridden.map((x) => trace(x, "overridden-rule")).join("")}</ul>` : ""}
    </section>`;
  }
  // The heading says what is under it: the checks broken, or that there are none.
  const broken = r.violations.length;
  html += `<section class="violations"><h4 data-testid="violations-title">${escapeHtml(t(broken ? "violationsFound" : "violations"))}${broken ? ` <span class="count">${broken}</span>` : ""}</h4>${
    r.violations.length ? `<ul>${r.violations.map((v) => checkHit(v, "violation")).join("")}</ul>` : `<p class="muted">${escapeHtml(t("noViolations"))}</p>`
  }</section>`;
  // Permissions the case uses (`可` checks): the right to refuse unadmitted work, say.
  if ((r.permissions || []).length) {
    html += `<section class="permissions"><h4>${escapeHtml(t("permissions"))}</h4><ul>${r.permissions.map((v) => checkHit(v, "permission")).join("")}</ul></section>`;
  }
  box.innerHTML = html;
}

/** A check the case meets, with its reason, rows and cited clauses. */
function checkHit(v, testid) {
  const rows = v.rows.length ? ` <span class="muted">${escapeHtml(t("rows", { r: v.rows.join("、") }))}</span>` : "";
  const cites = v.cites.length ? ` <span class="muted">${escapeHtml(t("citesList", { c: v.cites.join("、") }))}</span>` : "";
  return `<li data-testid="${testid}" data-check="${escapeHtml(v.check)}">${ruleLink(v.check)} ${escapeHtml(v.reason || "")}${rows}${cites}</li>`;
}

function lineOfByte(text, byte) {
  const i = indexOfByte(text, byte);
  let line = 1;
  for (let j = text.indexOf("\n"); j >= 0 && j < i; j = text.indexOf("\n", j + 1)) line++;
  return line;
}

/** Moves the editor to a graph node's definition (a rule, let, … by name). */
function goToNode(node) {
  const good = state.good;
  if (!node || !node.span || node.span.file !== 0 || !good) return false;
  const text = editor.text === good.text ? editor.text : good.text;
  editor.select(indexOfByte(text, node.span.start), indexOfByte(text, node.span.end));
  return true;
}

$("results").addEventListener("click", (ev) => {
  const a = ev.target.closest(".rule-link, .site-link");
  if (!a) return;
  ev.preventDefault();
  if (a.classList.contains("site-link")) {
    const text = state.good.text;
    editor.select(indexOfByte(text, Number(a.dataset.start)), indexOfByte(text, Number(a.dataset.end)));
    return;
  }
  revealNode(["rule", "exception", "check"], a.dataset.rule);
});

/** Selects the graph's node of one of `kinds` labelled `label` and goes to its definition. */
function revealNode(kinds, label) {
  const g = state.good && state.good.graph;
  const node = g && g.nodes.find((n) => n.label === label && kinds.includes(n.kind));
  if (!node) return false;
  state.selectedNode = node.id;
  renderGraph();
  return goToNode(node);
}

// ------------------------------------------------------------------ graph

function renderGraphControls() {
  const sel = $("graph-decision");
  const names = state.good ? Object.keys(state.good.why) : [];
  sel.innerHTML = names.map((n) => `<option value="${escapeHtml(n)}">${escapeHtml(n)}</option>`).join("");
  if (state.graphDecision) sel.value = state.graphDecision;
}

let lastLayout = null;
function renderGraph() {
  const good = state.good;
  const svg = $("graph");
  if (!good || !good.graph) {
    svg.innerHTML = "";
    return;
  }
  const showClauses = $("show-clauses").checked;
  // Focus: only what the chosen decision depends on (graph.mjs `focused`).
  const focus = graphView.focus && state.graphDecision && good.why[state.graphDecision] ? state.graphDecision : null;
  const key = `${good.text.length}:${good.hash || good.policy.hash}:${showClauses}:${focus}`;
  if (!lastLayout || lastLayout.key !== key || lastLayout.graph !== good.graph) {
    const shown = focus ? focused(good.graph, good.why[focus]) : good.graph;
    lastLayout = { key, graph: good.graph, lay: layout(shown, { showClauses }) };
  }
  const lay = lastLayout.lay;
  let why = null;
  if (state.selectedNode && lay.nodes.has(state.selectedNode)) why = ancestors(lay.preds, state.selectedNode);
  else if (state.graphDecision && good.why[state.graphDecision] && !focus) why = new Set(good.why[state.graphDecision]);
  const fired = new Set();
  const overridden = new Set();
  const outcomes = new Map();
  const r = state.result;
  if (r && r.decisions) {
    for (const [name, d] of Object.entries(r.decisions)) {
      if (name !== state.graphDecision && !state.selectedNode) continue;
      for (const x of d.fired) fired.add(x.rule);
      for (const x of d.overridden) overridden.add(x.rule);
    }
    for (const [name, d] of Object.entries(r.decisions)) outcomes.set(name, d.outcomes.map((o) => o.outcome).join("、") || "—");
  }
  draw(svg, lay, { why, fired, overridden, outcomes, selected: state.selectedNode }, (node) => {
    state.selectedNode = node && node.id !== state.selectedNode ? node.id : null;
    if (node) goToNode(node);
    renderGraph();
  });
  $("clear-selection").hidden = !state.selectedNode;
  $("graph-panel").dataset.nodes = String(lay.nodes.size);
  graphView.drawn(key);
}

$("graph-decision").addEventListener("change", () => {
  state.graphDecision = $("graph-decision").value;
  state.selectedNode = null;
  renderGraph();
});
$("show-clauses").addEventListener("change", renderGraph);
const graphView = new GraphView($("graph-scroll"), $("graph"), $("graph-focus"), renderGraph);
$("clear-selection").addEventListener("click", () => {
  state.selectedNode = null;
  renderGraph();
});

// ------------------------------------------------------------------ toolbar

$("format-button").addEventListener("click", async () => {
  const body = { path: state.path, text: editor.text };
  const kw = $("keywords-select").value;
  if (kw) body.keywords = kw;
  let got;
  try {
    got = await apiJson("/api/format", body);
  } catch (e) {
    toast(t("networkError", { m: e.message }), "error");
    return;
  }
  if (got.status === 200) {
    if (got.data.text === editor.text) toast(t("unchanged"));
    else {
      editor.setText(got.data.text);
      toast(t("formatted"), "ok");
    }
    return;
  }
  if (got.data && Array.isArray(got.data.diagnostics)) {
    state.diagnostics = got.data.diagnostics;
    renderDiagnostics();
    toast(t("formatFailed"), "error");
  } else toast(t("serverError", { m: serverMessage(got.data, got.status) }), "error");
});

$("download-wasm").addEventListener("click", async () => {
  let bytes = state.good && state.good.path === state.path && state.good.text === editor.text ? state.good.bytes : null;
  if (!bytes) {
    const res = await api("/api/build", { path: state.path, text: editor.text });
    if (!res.ok) {
      toast(t("cannotDownload"), "error");
      return;
    }
    bytes = new Uint8Array(await res.arrayBuffer());
  }
  const name = `${state.path.split("/").pop().replace(/\.qd$/, "")}.wasm`;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: "application/wasm" }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  toast(t("downloaded", { f: name }), "ok");
});

$("revert").addEventListener("click", () => {
  const p = currentFile();
  if (!p) return;
  state.edits.delete(p.path);
  editor.setText(p.text, { keepCaret: false });
});

$("policy-picker").addEventListener("change", () => openPolicy($("policy-picker").value));

$("lang-toggle").addEventListener("click", () => {
  const next = getLang() === "zh" ? "en" : "zh";
  setLang(next);
  try {
    localStorage.setItem("qingdan.lang", next);
  } catch {
    // private mode
  }
  relabel();
  check();
});

function relabel() {
  translatePage();
  caseFiles.relabel();
  coverage.draw();
  const s = $("status");
  if (s.dataset.key) s.textContent = t(s.dataset.key, JSON.parse(s.dataset.vars || "{}"));
  renderDiagnostics();
  updateTests(editor.text);
  if (state.good) {
    state.good.policy.lang = getLang();
    const test = state.loadedTest;
    caseForm.build(state.good.policy, null);
    state.loadedTest = test;
    if (test) $("test-picker").value = test.name;
    evaluate();
  } else renderResults();
}

function openPolicy(path) {
  state.path = path;
  state.prefill = true;
  state.loadedTest = null;
  state.selectedNode = null;
  state.graphDecision = null;
  const p = currentFile();
  const text = state.edits.get(path) ?? (p ? p.text : BLANK);
  if ($("policy-picker").value !== path) $("policy-picker").value = path;
  editor.setText(text, { keepCaret: false });
  clearTimeout(state.timer);
  check();
  files.ensureVersion(path);
  tables.load(p ? path : null);
}

async function init() {
  let lang = "zh";
  try {
    lang = localStorage.getItem("qingdan.lang") || new URLSearchParams(location.search).get("lang") || "zh";
  } catch {
    // private mode
  }
  const q = new URLSearchParams(location.search).get("lang");
  if (q) lang = q;
  setLang(lang);
  translatePage();
  renderResults();
  let list;
  try {
    const res = await serverGet("/api/policies");
    list = await res.json();
    if (!res.ok) throw new Error(serverMessage(list, res.status));
  } catch (e) {
    setStatus("error", "networkError", { m: e.message });
    return;
  }
  state.policies = list.policies || [];
  files.renderPicker();
  $("root-name").textContent = list.root ? `${list.root}/` : "";
  const want = new URLSearchParams(location.search).get("policy");
  const start = [want, START].find((p) => p && state.policies.some((x) => x.path === p)) || state.policies[0]?.path || BLANK_PATH;
  openPolicy(start);
}

// The case file panel: every case of the policy run with the compiled module (casepanel.mjs).
const caseFiles = new CaseFilePanel($("casefile-panel"), {
  post: api,
  current: () => state.good,
  load: (given, name) => {
    caseForm.build(state.good.policy, given);
    state.loadedTest = null;
    $("test-picker").value = "";
    toast(t("cfLoaded", { c: name }), "ok");
    evaluate();
    $("case-panel").scrollIntoView({ block: "start", behavior: "smooth" });
  },
});

// Clause coverage beside the graph (coverage.mjs); a citer clicked is shown in the editor.
const coverage = new CoveragePanel($("coverage-panel"), {
  reveal: (kinds, name) => revealNode(kinds, name) && $("editor-wrap").scrollIntoView({ block: "center" }),
});

// For tests and the curious: the page's state, read-only.
window.qingdanPlayground = { state, editor, caseForm, files, tables, caseFiles, graphView, coverage };

init();
