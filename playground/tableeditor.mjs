// The table editor: the rows of a policy's lists kept in CSV or YAML files (`来自 "x.csv"`), as a
// table the drafter edits like a spreadsheet. Each cell is checked against its column's declared
// type as it is typed (the server's `/api/file/rows` says the types); Save sends the rows to
// `/api/file/rows/save`, which writes them in the file's own format only if the policy still
// checks with them, and otherwise answers with the diagnostics, shown under the table. A file
// changed on disk since it was read is not overwritten (409): the page offers to reload it.

import { escapeHtml } from "./editor.mjs";
import { t } from "./i18n.mjs";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const SET_SEPARATORS = /[;；、]/;
const BOOLS = ["true", "真", "是", "TRUE", "True", "false", "假", "否", "FALSE", "False"];

/** Why `text` does not fit a value of `kind` (`null` when it does). */
function elementProblem(text, column) {
  switch (column.kind) {
    case "int":
      return /^[+-]?\d+$/.test(text) ? null : t("cellInt");
    case "decimal":
      return /^[+-]?\d+(\.\d+)?$/.test(text) ? null : t("cellDecimal");
    case "date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      const d = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
      return d && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? null : t("cellDate");
    }
    case "bool":
      return BOOLS.includes(text) ? null : t("cellBool");
    case "enum":
      return column.variants.includes(text) ? null : t("cellEnum", { v: column.variants.join("、") });
    default:
      return null;
  }
}

/** Why a cell's text does not fit its column (`null` when it does). */
export function cellProblem(text, column, isKey) {
  const v = text.trim();
  if (v === "") return isKey ? t("cellKey") : column.optional || column.set || column.kind === "text" ? null : t("cellRequired");
  if (column.set) {
    for (const part of v.split(SET_SEPARATORS).map((p) => p.trim()).filter(Boolean)) {
      const why = elementProblem(part, column);
      if (why) return `${part}: ${why}`;
    }
    return null;
  }
  return elementProblem(v, column);
}

export class TableEditor {
  /**
   * `app`: `state` (`path`), `apiJson(path, body)`, `toast(text, kind)`, `serverMessage(data, status)`,
   * `rowsSaved()` (the page checks and builds the policy again).
   */
  constructor(app) {
    this.app = app;
    this.tables = []; // from /api/file/rows: { file, lists, key, format, columns, rows, version }
    this.current = null; // the table shown
    this.saved = null; // its rows as last read or saved (JSON text), to tell unsaved edits
    $("table-file").addEventListener("change", () => this.show($("table-file").value));
    $("table-add").addEventListener("click", () => this.addRow());
    $("table-save").addEventListener("click", () => this.save());
    $("table").addEventListener("input", (e) => this.edited(e.target));
    $("table").addEventListener("focusin", (e) => {
      this.focused = e.target.dataset && e.target.dataset.r !== undefined ? e.target : null;
      this.mark();
    });
    window.addEventListener("beforeunload", (e) => {
      if (!this.isUnsaved()) return;
      e.preventDefault();
      e.returnValue = "";
    });
    $("table").addEventListener("click", (e) => {
      const del = e.target.closest("[data-remove]");
      if (del) this.removeRow(Number(del.dataset.remove));
    });
  }

  /** Reads the lists of the policy at `path` (a saved `.qd`). */
  async load(path) {
    this.tables = [];
    this.current = null;
    let got = null;
    if (path) {
      try {
        got = await this.app.apiJson("/api/file/rows", { path });
      } catch {
        got = null;
      }
    }
    if (path !== this.app.state.path) return;
    this.tables = got && got.status === 200 ? got.data.files.filter((f) => f.columns) : [];
    $("table-panel").hidden = this.tables.length === 0;
    $("table-file").innerHTML = this.tables
      .map((f) => `<option value="${escapeHtml(f.file)}">${escapeHtml(`${f.file} — ${f.lists.join("、")}`)}</option>`)
      .join("");
    if (this.tables.length) this.show(this.tables[0].file);
  }

  isUnsaved() {
    return !!this.current && JSON.stringify(this.current.rows) !== this.saved;
  }

  show(file) {
    this.current = this.tables.find((f) => f.file === file) || null;
    if (!this.current) return;
    this.saved = JSON.stringify(this.current.rows);
    $("table-diagnostics").innerHTML = "";
    this.render();
  }

  keyIndex() {
    return this.current.columns.findIndex((c) => c.name === this.current.key);
  }

  render() {
    const { columns, rows } = this.current;
    const key = this.keyIndex();
    const head = `<tr><th class="num">#</th>${columns
      .map((c, i) => `<th class="${i === key ? "key" : ""}" title="${escapeHtml(typeTitle(c))}">${escapeHtml(c.name)}<small>${escapeHtml(typeLabel(c))}</small></th>`)
      .join("")}<th></th></tr>`;
    const body = rows
      .map(
        (row, r) =>
          `<tr data-row="${r}"><td class="num">${r + 1}</td>${row
            .map((cell, c) => `<td><input class="k-${columns[c].kind}" data-testid="cell-${r}-${c}" data-r="${r}" data-c="${c}" value="${escapeHtml(cell)}" spellcheck="false"></td>`)
            .join("")}<td><button type="button" class="small" data-remove="${r}" data-testid="remove-row-${r}" title="${escapeHtml(t("removeRow"))}">✕</button></td></tr>`,
      )
      .join("");
    $("table").innerHTML = `<thead>${head}</thead><tbody>${body}</tbody>`;
    for (const input of $("table").querySelectorAll("input")) this.validate(input);
    this.mark();
  }

  /** Checks one cell, and the key column's uniqueness for a key cell. */
  validate(input) {
    const { columns, rows } = this.current;
    const [r, c] = [Number(input.dataset.r), Number(input.dataset.c)];
    const key = this.keyIndex();
    let why = cellProblem(input.value, columns[c], c === key);
    if (!why && c === key && rows.some((row, i) => i !== r && row[c].trim() === input.value.trim())) why = t("cellDuplicate");
    input.classList.toggle("bad", !!why);
    input.title = why || "";
    input.dataset.problem = why || "";
  }

  edited(input) {
    if (!input.dataset || input.dataset.r === undefined) return;
    const [r, c] = [Number(input.dataset.r), Number(input.dataset.c)];
    this.current.rows[r][c] = input.value;
    this.validate(input);
    if (c === this.keyIndex()) for (const other of $("table").querySelectorAll(`input[data-c="${c}"]`)) this.validate(other);
    this.mark();
  }

  addRow() {
    this.current.rows.push(this.current.columns.map(() => ""));
    this.render();
    const last = $("table").querySelector(`input[data-r="${this.current.rows.length - 1}"]`);
    if (last) last.focus();
  }

  removeRow(r) {
    this.current.rows.splice(r, 1);
    this.render();
  }

  /** The unsaved marker, and Save only for a table without a bad cell. */
  mark() {
    const bad = $("table").querySelectorAll("input.bad").length;
    const unsaved = this.isUnsaved();
    $("table-edited").hidden = !unsaved;
    $("table-save").disabled = !unsaved || bad > 0;
    const here = this.focused && this.focused.isConnected && this.focused.dataset.problem;
    const where = here ? ` · ${t("cellAt", { r: Number(this.focused.dataset.r) + 1, c: this.current.columns[Number(this.focused.dataset.c)].name })}：${here}` : "";
    $("table-problems").textContent = bad ? `${t("badCells", { n: bad })}${where}` : "";
  }

  async save(dropComments = false) {
    const cur = this.current;
    if (!cur) return;
    let got;
    try {
      got = await this.app.apiJson("/api/file/rows/save", { path: this.app.state.path, file: cur.file, version: cur.version, rows: cur.rows, drop_comments: dropComments });
    } catch (e) {
      this.app.toast(t("networkError", { m: e.message }), "error");
      return;
    }
    if (got.status === 200) {
      cur.version = got.data.version;
      this.saved = JSON.stringify(cur.rows);
      $("table-diagnostics").innerHTML = "";
      this.mark();
      this.app.toast(t("saved", { f: cur.file }), "ok");
      this.app.rowsSaved();
      return;
    }
    if (got.status === 409 && got.data.error && got.data.error.code === "yaml-comments") {
      // A YAML file is written anew from its rows: its comments go, only if the drafter agrees.
      if (window.confirm(t("tableYamlComments", { f: cur.file }))) await this.save(true);
      return;
    }
    if (got.status === 409 && got.data.disk) {
      // Someone changed the file: keep nothing half-merged; show theirs after asking.
      if (window.confirm(t("tableConflict", { f: cur.file }))) {
        cur.rows = got.data.disk.rows;
        cur.version = got.data.disk.version;
        this.show(cur.file);
      }
      return;
    }
    const diags = (got.data && got.data.diagnostics) || [];
    $("table-diagnostics").innerHTML = diags
      .map((d) => `<li class="diag diag-error" data-testid="table-diagnostic" data-code="${escapeHtml(d.code)}"><code>${escapeHtml(d.code)}</code> ${escapeHtml(d.message)}${d.label ? ` — ${escapeHtml(d.label)}` : ""}</li>`)
      .join("");
    this.app.toast(t("saveFailed", { m: this.app.serverMessage(got.data, got.status) }), "error");
  }
}

/** A column's type in a word or two (an enum by its name; its variants are in the tooltip). */
function typeLabel(c) {
  const base = c.kind === "enum" ? c.of : c.kind === "ref" ? `→ ${c.of}` : t(`type_${{ int: "Int", decimal: "Decimal", text: "Text", date: "Date", bool: "Bool" }[c.kind]}`);
  return `${c.set ? t("type_set", { t: base }) : base}${c.optional ? "?" : ""}`;
}

function typeTitle(c) {
  return c.kind === "enum" ? `${typeLabel(c)}: ${c.variants.join("、")}` : typeLabel(c);
}
