// The dependency graph (`qingdan graph --as json`) drawn as SVG, laid out here in layers:
// inputs and lists (and clauses, when shown) → lets, as deep as they chain → exceptions →
// rules → decisions and checks. Within a layer, nodes are ordered by the barycentre of their
// neighbours (a few sweeps each way) to keep edges short and crossings few.

import { t } from "./i18n.mjs";
import { escapeHtml } from "./editor.mjs";

const NS = "http://www.w3.org/2000/svg";
const ROW = 26; // vertical pitch of nodes
const BOX = 20; // node height
const GAP = 90; // between layers
const PAD = 16;

/** Width of a label in px at 12px: CJK characters are square, others about 0.6 em. */
export function textWidth(s) {
  let w = 0;
  for (const ch of s) w += ch.codePointAt(0) >= 0x2e80 ? 12.5 : 7;
  return w;
}

/** The record an input node belongs to: `申请` of `申请.每月频次`. */
export function recordOf(n) {
  if (n.kind !== "input") return null;
  const dot = n.label.indexOf(".");
  return dot > 0 ? n.label.slice(0, dot) : null;
}

/** `graph` with only the nodes `ids` (a decision and what it depends on) and their edges. */
export function focused(graph, ids) {
  const keep = new Set(ids);
  return { nodes: graph.nodes.filter((n) => keep.has(n.id)), edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)) };
}

/**
 * Positions for `graph` ({ nodes, edges }): `{ nodes: Map(id → { node, x, y, w, layer }), edges,
 * width, height }`. `showClauses` false leaves clause nodes and their edges out.
 */
export function layout(graph, { showClauses = false } = {}) {
  const nodes = graph.nodes.filter((n) => showClauses || n.kind !== "clause");
  if (!nodes.length) return { nodes: new Map(), edges: [], preds: new Map(), width: 0, height: 0 };
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const preds = new Map(nodes.map((n) => [n.id, []]));
  const succs = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    preds.get(e.to).push(e.from);
    succs.get(e.from).push(e.to);
  }
  // Let depth: 0 for a let reading no let, else one more than the deepest let it reads.
  const depth = new Map();
  const letDepth = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0; // a cycle (the checker reports it); do not loop
    seen.add(id);
    let d = 0;
    for (const p of preds.get(id)) if (byId.get(p).kind === "let") d = Math.max(d, letDepth(p, seen) + 1);
    depth.set(id, d);
    return d;
  };
  let maxLet = -1;
  for (const n of nodes) if (n.kind === "let") maxLet = Math.max(maxLet, letDepth(n.id));
  const hasExceptions = nodes.some((n) => n.kind === "exception");
  const letBase = 1;
  const exceptionLayer = letBase + maxLet + 1;
  const ruleLayer = exceptionLayer + (hasExceptions ? 1 : 0);
  const lastLayer = ruleLayer + 1;
  const layerOf = (n) => {
    switch (n.kind) {
      case "let":
        return letBase + depth.get(n.id);
      case "exception":
        return exceptionLayer;
      case "rule":
        return ruleLayer;
      case "decision":
      case "check":
        return lastLayer;
      default:
        return 0; // input, list, clause
    }
  };
  const layers = [];
  for (const n of nodes) (layers[layerOf(n)] ??= []).push(n.id);
  const used = layers.filter((l) => l && l.length);
  // Decisions above checks, inputs above lists above clauses, to start with.
  const rank = { input: 0, list: 1, clause: 2, decision: 0, check: 1 };
  for (const l of used) l.sort((a, b) => (rank[byId.get(a).kind] ?? 0) - (rank[byId.get(b).kind] ?? 0));
  const pos = new Map();
  const index = () => used.forEach((l) => l.forEach((id, i) => pos.set(id, i - l.length / 2)));
  index();
  const bary = (id, near) => {
    const ns = near.get(id).filter((x) => pos.has(x));
    if (!ns.length) return pos.get(id);
    return ns.reduce((s, x) => s + pos.get(x), 0) / ns.length;
  };
  for (let sweep = 0; sweep < 6; sweep++) {
    const order = sweep % 2 === 0 ? used.slice(1) : used.slice(0, -1).reverse();
    const near = sweep % 2 === 0 ? preds : succs;
    for (const l of order) {
      const keyed = l.map((id) => [bary(id, near), pos.get(id), id]);
      keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      l.splice(0, l.length, ...keyed.map((k) => k[2]));
      index();
    }
  }
  // Inputs of one record together (in the order of their mean position), before lists and clauses.
  const first = used[0];
  const record = (id) => recordOf(byId.get(id));
  const mean = new Map();
  for (const id of first) {
    const r = record(id);
    if (r === null) continue;
    const m = mean.get(r) || { sum: 0, n: 0 };
    mean.set(r, { sum: m.sum + pos.get(id), n: m.n + 1 });
  }
  const groupPos = (id) => (record(id) === null ? pos.get(id) : mean.get(record(id)).sum / mean.get(record(id)).n);
  first.sort((a, b) => (rank[byId.get(a).kind] ?? 0) - (rank[byId.get(b).kind] ?? 0) || groupPos(a) - groupPos(b) || String(record(a)).localeCompare(String(record(b))) || pos.get(a) - pos.get(b));
  // Rows of the first layer: a title row before each record's group.
  const rowsOf = (l, li) => {
    if (li !== 0) return l.map((_, i) => i);
    const rows = [];
    let row = 0;
    let last;
    for (const id of l) {
      const r = record(id);
      if (r !== null && r !== last) row++;
      last = r;
      rows.push(row++);
    }
    return rows;
  };
  const rowLists = used.map(rowsOf);
  const count = (li) => (rowLists[li].length ? rowLists[li][rowLists[li].length - 1] + 1 : 0);
  // Coordinates: layers left to right, each as wide as its widest label, centred vertically.
  const tall = Math.max(...used.map((_, li) => count(li)));
  const shownLabel = (id) => {
    const n = byId.get(id);
    const r = recordOf(n);
    return r === null ? n.label : n.label.slice(r.length + 1);
  };
  const out = new Map();
  const groups = [];
  let x = PAD;
  used.forEach((l, li) => {
    const w = Math.max(...l.map((id) => textWidth(shownLabel(id)))) + 16;
    const top = PAD + ((tall - count(li)) * ROW) / 2;
    l.forEach((id, i) => {
      const nw = textWidth(shownLabel(id)) + 16;
      out.set(id, { node: byId.get(id), text: shownLabel(id), x, y: top + rowLists[li][i] * ROW, w: nw, colW: w, layer: li });
    });
    if (li === 0) {
      for (const id of l) {
        const r = record(id);
        if (r === null) continue;
        const p = out.get(id);
        const g = groups.find((x) => x.label === r);
        if (!g) groups.push({ label: r, x: p.x - 6, y: p.y - ROW + 2, w: Math.max(w, textWidth(r) + 16) + 12, h: ROW + BOX + 4 });
        else g.h = p.y + BOX + 4 - g.y;
      }
    }
    x += w + GAP;
  });
  return { nodes: out, edges, preds, groups, width: x - GAP + PAD, height: PAD * 2 + tall * ROW };
}

/** Every node `id` depends on, itself included (what `qingdan graph --why` lists). */
export function ancestors(preds, id) {
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length) {
    for (const p of preds.get(stack.pop()) || []) {
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return seen;
}

/**
 * Draws `lay` (from `layout`) into `svg`. `state`: `why` (Set of node ids to highlight, or
 * null for all), `fired` and `overridden` (Sets of rule names), `outcomes` (Map decision name →
 * text to show), `selected` (a node id). `onClick(node)` when a node is clicked.
 */
export function draw(svg, lay, state, onClick) {
  const { why = null, fired = new Set(), overridden = new Set(), outcomes = new Map(), selected = null } = state;
  let width = lay.width;
  for (const p of lay.nodes.values()) {
    const n = p.node;
    const label = n.kind === "decision" && outcomes.has(n.label) ? `${n.label} = ${outcomes.get(n.label)}` : n.label;
    width = Math.max(width, p.x + textWidth(label) + 16 + PAD);
  }
  svg.setAttribute("viewBox", `0 0 ${width} ${lay.height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", lay.height);
  const firedIds = new Set();
  for (const [id, p] of lay.nodes) {
    const k = p.node.kind;
    if ((k === "rule" || k === "exception") && fired.has(p.node.label)) firedIds.add(id);
  }
  let html = `<defs>
    <marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrow"/></marker>
    <marker id="arrow-hot" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrow-hot"/></marker>
  </defs><g class="groups">`;
  // Record groups behind everything, so that edges leaving an input stay visible.
  for (const g of lay.groups || []) {
    html += `<g class="record-group" data-testid="graph-group" data-record="${escapeHtml(g.label)}"><rect x="${g.x}" y="${g.y}" width="${g.w}" height="${g.h}" rx="6"/><text x="${g.x + 6}" y="${g.y + 14}">${escapeHtml(g.label)}</text></g>`;
  }
  html += `</g><g class="edges">`;
  for (const e of lay.edges) {
    const a = lay.nodes.get(e.from);
    const b = lay.nodes.get(e.to);
    let d;
    if (b.layer > a.layer) {
      const x1 = a.x + a.w;
      const y1 = a.y + BOX / 2;
      const x2 = b.x;
      const y2 = b.y + BOX / 2;
      const dx = Math.max(30, (x2 - x1) / 2);
      d = `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
    } else {
      // Same layer (a list referring to a list) or backwards: an arc on the left.
      const x1 = a.x;
      const y1 = a.y + BOX / 2;
      const x2 = b.x;
      const y2 = b.y + BOX / 2;
      d = `M${x1},${y1} C${x1 - 40},${y1} ${x2 - 40},${y2} ${x2},${y2}`;
    }
    const cls = ["edge", `edge-${e.kind}`];
    if (why && !(why.has(e.from) && why.has(e.to))) cls.push("dim");
    const hot = firedIds.has(e.to) || (firedIds.has(e.from) && e.kind === "decides");
    if (hot && (!why || (why.has(e.from) && why.has(e.to)))) cls.push("hot");
    html += `<path d="${d}" class="${cls.join(" ")}" marker-end="url(#${cls.includes("hot") ? "arrow-hot" : "arrow"})"><title>${escapeHtml(`${a.node.label} → ${b.node.label} (${e.kind})`)}</title></path>`;
  }
  html += `</g><g class="nodes">`;
  for (const [id, p] of lay.nodes) {
    const n = p.node;
    const cls = ["node", `node-${n.kind}`];
    if (why && !why.has(id)) cls.push("dim");
    if (why && why.has(id)) cls.push("why");
    if (firedIds.has(id)) cls.push("fired");
    if ((n.kind === "rule" || n.kind === "exception") && overridden.has(n.label)) cls.push("overridden");
    if (selected === id) cls.push("selected");
    let label = p.text ?? n.label;
    if (n.kind === "decision" && outcomes.has(n.label)) label = `${n.label} = ${outcomes.get(n.label)}`;
    const w = n.kind === "decision" && label !== n.label ? textWidth(label) + 16 : p.w;
    html += `<g class="${cls.join(" ")}" data-node-id="${id}" data-kind="${n.kind}" data-label="${escapeHtml(n.label)}" transform="translate(${p.x},${p.y})">
      <title>${escapeHtml(`${t(`kind_${n.kind}`)}：${n.label}`)}</title>
      <rect width="${w}" height="${BOX}" rx="${n.kind === "decision" ? 10 : n.kind === "input" ? 3 : 6}"/>
      <text x="8" y="14">${escapeHtml(label)}</text></g>`;
  }
  html += "</g>";
  svg.innerHTML = html;
  svg.onclick = (ev) => {
    const g = ev.target.closest("[data-node-id]");
    onClick(g ? lay.nodes.get(g.dataset.nodeId).node : null);
  };
}
