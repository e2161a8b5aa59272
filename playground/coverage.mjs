// Clause coverage beside the dependency graph: for each source the policy declares (and those of
// the policies it uses), which rules, exceptions, checks, defaults and list rows cite each clause,
// and the clauses nothing cites, with the reason a policy gives for leaving one out of scope. The
// report is `qingdan trace --as json`'s, which the server sends with the graph (`/api/graph`'s
// `coverage`, src/trace_cmd/). `coverageHtml` draws it (a pure function of the report, tested in
// test/coverage.test.mjs); `CoveragePanel` puts it on the page and turns a click on a citer into
// the page's own "go to this rule" (the graph's selection and the editor's).

import { escapeHtml } from "./editor.mjs";
import { getLang } from "./i18n.mjs";

// The panel's words, [中文, English]: the report's own names and reasons are shown as written.
const WORDS = {
  declaredAs: ["声明为", "declared as"],
  fullText: ["全文", "full text"],
  clauses: ["共 {n} 条", "{n} clauses"],
  implemented: ["有引用", "cited"],
  out_of_scope: ["范围外", "out of scope"],
  uncited: ["无人引用", "cited by nothing"],
  citedHeading: ["有引用的条款", "Clauses cited"],
  uncitedHeading: ["无人引用的条款", "Clauses nothing cites"],
  noReason: ["未说明为何不在范围内", "no policy says why it is out of scope"],
  allCited: ["每一条都有引用", "every clause is cited"],
  noSources: ["本政策没有声明来源（来源 … { 条款 … }），没有可报告的条款", "This policy declares no sources (source … { clause … }): no clauses to report"],
  waiting: ["政策没有错误后显示", "shown once the policy has no errors"],
  rule: ["规则", "rule"],
  exception: ["例外", "exception"],
  check: ["检查", "check"],
  default: ["默认结论", "default of"],
  row: ["清单行", "list rows"],
  checked: ["引文已与全文核对", "quotation checked against the text"],
  from_text: ["文字取自全文", "words taken from the text"],
  summary: ["摘要", "summary"],
  unverified: ["引文未核", "quotation, unverified"],
  unmarked: ["引文无从核对且未注明", "quotation, unchecked and unmarked"],
  goTo: ["在编辑器中转到 {n}", "go to {n} in the editor"],
};

function word(lang, key, vars = {}) {
  let s = WORDS[key] ? WORDS[key][lang === "en" ? 1 : 0] : key;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

const STATUSES = ["implemented", "out_of_scope", "uncited"];

/** The dependency graph's node kinds (graph.mjs) a citer of each kind is drawn as. */
export const GRAPH_KINDS = { rule: ["rule"], exception: ["exception"], check: ["check"], default: ["decision"], row: ["list"] };

/** How many clauses of `source` have each status. */
export function counts(source) {
  const n = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const c of source.clauses) n[c.status] = (n[c.status] || 0) + 1;
  return n;
}

/**
 * A clause's citers in groups of one kind (and, for rows, one list), in the report's order:
 * `{ policy, kind, list, names }`. A row citer's name is `LIST KEY`.
 */
export function citerGroups(clause) {
  const groups = [];
  for (const c of clause.cited_by) {
    let list = null;
    let name = c.name;
    if (c.kind === "row") {
      const space = c.name.indexOf(" ");
      list = space < 0 ? c.name : c.name.slice(0, space);
      name = space < 0 ? "" : c.name.slice(space + 1);
    }
    const last = groups[groups.length - 1];
    if (last && last.policy === c.policy && last.kind === c.kind && last.list === list) last.names.push(name);
    else groups.push({ policy: c.policy, kind: c.kind, list, names: [name] });
  }
  return groups;
}

/** A citer the editor can go to: one of the edited policy's own (`policy`), a link; else text. */
function citerLink(lang, g, name, policy) {
  const label = escapeHtml(name);
  if (g.policy !== policy) return `<span class="cov-name">${label}</span>`;
  const target = g.kind === "row" ? g.list : name;
  return `<a href="#" class="cov-citer" data-testid="cov-citer" data-kind="${escapeHtml(g.kind)}" data-name="${escapeHtml(target)}" title="${escapeHtml(word(lang, "goTo", { n: target }))}">${label}</a>`;
}

function citersHtml(lang, clause, policy) {
  const sep = lang === "en" ? ", " : "、";
  return citerGroups(clause)
    .map((g) => {
      const who = g.policy !== policy ? `${escapeHtml(g.policy)} · ` : "";
      const kind = g.kind === "row" ? `${word(lang, "row")} ${g.list}` : word(lang, g.kind);
      const names = g.names.map((n) => citerLink(lang, g, n, policy)).join(sep);
      return `<div class="cov-group"><span class="cov-kind">${who}${escapeHtml(kind)}</span> ${names}</div>`;
    })
    .join("");
}

function clauseLabel(c) {
  return escapeHtml(c.heading || c.id);
}

function wordingHtml(lang, c) {
  if (!c.wording.length) return "";
  const w = c.wording.map((x) => word(lang, x)).join(lang === "en" ? ", " : "，");
  return ` <span class="cov-wording">${escapeHtml(w)}</span>`;
}

function citedClause(lang, c, policy) {
  return `<li class="cov-clause" data-testid="cov-clause" data-clause="${escapeHtml(c.id)}" data-status="${c.status}"><div class="cov-head"><span class="cov-id">${clauseLabel(c)}</span>${wordingHtml(lang, c)}</div>${citersHtml(lang, c, policy)}</li>`;
}

function uncitedClause(lang, c) {
  const out = c.status === "out_of_scope";
  const tag = `<span class="cov-tag ${c.status}">${escapeHtml(word(lang, c.status))}</span>`;
  const why = out ? escapeHtml(c.out_of_scope) : `<span class="muted">${escapeHtml(word(lang, "noReason"))}</span>`;
  return `<li class="cov-clause" data-testid="cov-clause" data-clause="${escapeHtml(c.id)}" data-status="${c.status}"><span class="cov-id">${clauseLabel(c)}</span> ${tag} <span class="cov-reason">${why}</span></li>`;
}

function countsHtml(lang, s) {
  const n = counts(s);
  const chips = STATUSES.map((st) => `<span class="cov-chip ${st}" data-status="${st}">${n[st]} ${escapeHtml(word(lang, st))}</span>`).join(" ");
  return `<p class="cov-counts" data-testid="cov-counts">${chips} <span class="muted">${escapeHtml(word(lang, "clauses", { n: s.clauses.length }))}</span></p>`;
}

function sourceHtml(lang, s, policy) {
  const date = s.date ? ` <span class="muted">(${escapeHtml(s.date)})</span>` : "";
  const names = s.declared_as.map((d) => escapeHtml(d.slice(d.indexOf(".") + 1))).join(lang === "en" ? ", " : "、");
  const text = s.full_text ? ` · ${escapeHtml(word(lang, "fullText"))} <code>${escapeHtml(s.full_text)}</code>` : "";
  const cited = s.clauses.filter((c) => c.status === "implemented");
  const rest = s.clauses.filter((c) => c.status !== "implemented");
  let html = `<section class="cov-source" data-testid="cov-source" data-title="${escapeHtml(s.title)}">`;
  html += `<h3>${escapeHtml(s.title)}${date}</h3>`;
  html += `<p class="cov-meta">${escapeHtml(word(lang, "declaredAs"))} ${names}${text}</p>`;
  html += countsHtml(lang, s);
  if (cited.length) {
    html += `<h4>${escapeHtml(word(lang, "citedHeading"))}</h4><ul class="cov-clauses">${cited.map((c) => citedClause(lang, c, policy)).join("")}</ul>`;
  }
  html += `<h4>${escapeHtml(word(lang, "uncitedHeading"))}</h4>`;
  html += rest.length
    ? `<ul class="cov-clauses" data-testid="cov-uncited">${rest.map((c) => uncitedClause(lang, c)).join("")}</ul>`
    : `<p class="muted">${escapeHtml(word(lang, "allCited"))}</p>`;
  return `${html}</section>`;
}

/**
 * The coverage report as HTML in `lang` ("zh" | "en"). `policy` is the edited policy's name: its
 * own citers are links the page can follow, those of policies it uses are plain text. A `null`
 * report (the policy has errors, nothing built yet) says when it will be shown.
 */
export function coverageHtml(report, { lang = "zh", policy = null } = {}) {
  if (!report) return `<p class="muted">${escapeHtml(word(lang, "waiting"))}</p>`;
  if (!report.sources.length) return `<p class="muted" data-testid="cov-none">${escapeHtml(word(lang, "noSources"))}</p>`;
  return report.sources.map((s) => sourceHtml(lang, s, policy)).join("");
}

export class CoveragePanel {
  /**
   * `root` holds `[data-testid=coverage]`; `reveal(kinds, name)` shows the edited policy's
   * graph node of one of `kinds` (`GRAPH_KINDS`: a row's list, a default's decision) named `name`.
   */
  constructor(root, { reveal }) {
    this.root = root;
    this.box = root.querySelector('[data-testid="coverage"]');
    this.report = null;
    this.policy = null;
    this.box.addEventListener("click", (ev) => {
      const a = ev.target.closest(".cov-citer");
      if (!a) return;
      ev.preventDefault();
      reveal(GRAPH_KINDS[a.dataset.kind] || [], a.dataset.name);
    });
    this.draw();
  }

  /** Shows `report` (or `null`) for the policy named `policy`. */
  show(report, policy) {
    this.report = report || null;
    this.policy = policy;
    this.draw();
  }

  /** Draws again in the page's language. */
  draw() {
    this.box.innerHTML = coverageHtml(this.report, { lang: getLang(), policy: this.policy });
    this.root.dataset.sources = String(this.report ? this.report.sources.length : 0);
  }
}
