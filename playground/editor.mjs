// The editor: a <textarea> the drafter types into, transparent, over a <pre> that shows the
// same text highlighted, with diagnostics underlined; a gutter of line numbers with markers.
// No dependencies: the browser's own text editing (undo, IME for Chinese input, selection)
// stays intact, and the overlay is redrawn from the textarea's value. Long lines wrap (or
// not) in both alike: the <pre> is given the textarea's inner width and the same wrapping
// rules (style.css `.editor.wrap`), and the gutter's numbers sit at each line's measured top.

import { tokenize, indexOf } from "./syntax.mjs";

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
export const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ESC[c]);

const LINE_HEIGHT = 20; // px; style.css sets the same for .code and .gutter

export class Editor {
  /**
   * `root` holds `.gutter`, `.highlight` and `textarea`. `onInput(text)` is called on every
   * change of the text (typing, paste, undo, `setText`).
   */
  constructor(root, onInput) {
    this.root = root;
    this.area = root.querySelector("textarea");
    this.pre = root.querySelector(".highlight");
    this.gutter = root.querySelector(".gutter");
    this.onInput = onInput;
    this.marks = [];
    this.wrap = root.classList.contains("wrap");
    this.lineTops = null; // when wrapping: the top of each line in the <pre>, px
    this.area.addEventListener("input", () => this.changed());
    this.area.addEventListener("scroll", () => this.syncScroll());
    this.area.addEventListener("keydown", (e) => this.keydown(e));
    new ResizeObserver(() => (this.wrap ? this.render() : this.syncScroll())).observe(this.area);
  }

  /** Wrap long lines (both layers alike) or scroll sideways. */
  setWrap(on) {
    this.wrap = on;
    this.root.classList.toggle("wrap", on);
    this.area.setAttribute("wrap", on ? "soft" : "off");
    this.area.scrollLeft = 0;
    this.render();
  }

  get text() {
    return this.area.value;
  }

  /** Replaces the whole text (keeping the caret near where it was). */
  setText(text, { keepCaret = true } = {}) {
    const caret = this.area.selectionStart;
    const top = this.area.scrollTop;
    this.area.value = text;
    if (keepCaret) {
      const c = Math.min(caret, text.length);
      this.area.setSelectionRange(c, c);
      this.area.scrollTop = top;
    } else {
      this.area.setSelectionRange(0, 0);
      this.area.scrollTop = 0;
      this.area.scrollLeft = 0;
    }
    this.changed();
  }

  changed() {
    this.render();
    this.onInput(this.area.value);
  }

  keydown(e) {
    // Tab indents (two spaces) instead of leaving the editor; Shift+Tab and Escape still leave.
    if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      document.execCommand("insertText", false, "  ");
    }
  }

  /**
   * Diagnostics to mark: `[{ start: {line, column}, end: {line, column}, severity, code,
   * message, index }]` (1-based, columns in characters, the end exclusive).
   */
  setMarks(marks) {
    const text = this.area.value;
    this.marks = marks.map((m) => {
      let a = indexOf(text, m.start.line, m.start.column);
      let b = indexOf(text, m.end.line, m.end.column);
      if (b < a) [a, b] = [b, a];
      return { ...m, a, b };
    });
    this.render();
  }

  render() {
    const text = this.area.value;
    // The <pre> wraps at the textarea's inner width (its scrollbar left out).
    this.pre.style.width = this.wrap ? `${this.area.clientWidth}px` : "";
    this.pre.innerHTML = highlight(text, this.marks, { lineStarts: this.wrap }) + "\n";
    const lines = text.split("\n").length;
    this.lineTops = this.wrap ? measureLineTops(this.pre) : null;
    const byLine = new Map();
    for (const m of this.marks) {
      const prev = byLine.get(m.start.line);
      if (!prev || (prev.severity !== "error" && m.severity === "error")) byLine.set(m.start.line, m);
    }
    let html = "";
    for (let l = 1; l <= lines; l++) {
      const m = byLine.get(l);
      // A wrapped line is as tall as its rows.
      const tall = this.lineTops && l < this.lineTops.length ? this.lineTops[l] - this.lineTops[l - 1] : LINE_HEIGHT;
      const h = tall > LINE_HEIGHT ? ` style="height:${tall}px"` : "";
      html += m
        ? `<div class="ln ln-${m.severity}" data-line="${l}"${h} title="${escapeHtml(`${m.code}: ${m.message}`)}">${l}</div>`
        : `<div class="ln"${h}>${l}</div>`;
    }
    this.gutter.innerHTML = html;
    this.syncScroll();
  }

  syncScroll() {
    const x = this.area.scrollLeft;
    const y = this.area.scrollTop;
    this.pre.style.transform = `translate(${-x}px, ${-y}px)`;
    this.gutter.style.transform = `translateY(${-y}px)`;
  }

  /** Selects [a, b) (UTF-16 indices), focuses the editor and scrolls it into view. */
  select(a, b = a) {
    this.area.focus({ preventScroll: true });
    this.area.setSelectionRange(a, b);
    const text = this.area.value;
    let line = 0;
    for (let i = text.indexOf("\n"); i >= 0 && i < a; i = text.indexOf("\n", i + 1)) line++;
    const view = this.area.clientHeight;
    const y = this.lineTops && this.lineTops[line] !== undefined ? this.lineTops[line] : line * LINE_HEIGHT;
    if (y < this.area.scrollTop || y > this.area.scrollTop + view - 2 * LINE_HEIGHT) {
      this.area.scrollTop = Math.max(0, y - view / 3);
    }
    this.syncScroll();
  }

  /** Moves the caret to a 1-based line and column (characters). */
  goTo(start, end) {
    const text = this.area.value;
    const a = indexOf(text, start.line, start.column);
    const b = end ? indexOf(text, end.line, end.column) : a;
    this.select(a, Math.max(a, b));
  }
}

/**
 * The top (px, from the first line's top) of each line of the text drawn in `pre`, and the
 * bottom of the last: where wrapping made a line taller, its gutter number grows with it.
 * `highlight(…, { lineStarts: true })` put an empty `<i class="lb">` at each line's start.
 */
function measureLineTops(pre) {
  const marks = pre.querySelectorAll("i.lb");
  if (!marks.length) return null;
  const first = marks[0].offsetTop;
  const tops = [...marks].map((m) => m.offsetTop - first);
  const style = getComputedStyle(pre);
  const content = pre.clientHeight - (parseFloat(style.paddingTop) || 0) - (parseFloat(style.paddingBottom) || 0);
  // The <pre> ends with one more newline than the text (so that a last empty line shows).
  tops.push(Math.max(tops[tops.length - 1] + LINE_HEIGHT, content - LINE_HEIGHT));
  return tops;
}

/** The text as HTML: tokens as `<span class="t-KIND">`, diagnostics as `<span class="mark mark-SEVERITY">`. */
export function highlight(text, marks = [], { lineStarts = false } = {}) {
  const toks = tokenize(text);
  const cuts = new Set([0, text.length]);
  const starts = new Set();
  if (lineStarts) {
    starts.add(0);
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.add(i + 1);
    for (const i of starts) cuts.add(Math.min(i, text.length));
  }
  for (const t of toks) cuts.add(t.start).add(t.end);
  const spans = [];
  const points = [];
  for (const m of marks) {
    if (m.b > m.a) {
      spans.push(m);
      cuts.add(m.a).add(m.b);
    } else {
      points.push(m);
      cuts.add(m.a);
    }
  }
  const sorted = [...cuts].sort((x, y) => x - y);
  let ti = 0;
  let out = "";
  let pi = 0;
  const pts = points.sort((x, y) => x.a - y.a);
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k];
    const b = sorted[k + 1];
    if (starts.has(a)) out += '<i class="lb"></i>';
    while (pi < pts.length && pts[pi].a <= a) {
      out += `<span class="mark-point mark-${pts[pi].severity}"></span>`;
      pi++;
    }
    while (ti < toks.length && toks[ti].end <= a) ti++;
    const tok = ti < toks.length && toks[ti].start <= a ? toks[ti] : null;
    const cls = [];
    if (tok) cls.push(`t-${tok.kind}`);
    let sev = null;
    for (const m of spans) {
      if (m.a <= a && b <= m.b && (sev === null || m.severity === "error")) sev = m.severity;
    }
    if (sev) cls.push("mark", `mark-${sev}`);
    const body = escapeHtml(text.slice(a, b));
    out += cls.length ? `<span class="${cls.join(" ")}">${body}</span>` : body;
  }
  for (; pi < pts.length; pi++) out += `<span class="mark-point mark-${pts[pi].severity}"></span>`;
  // A text that ends with a newline: its last, empty line starts at the very end.
  if (starts.has(text.length) && text.length > 0) out += '<i class="lb"></i>';
  return out;
}
