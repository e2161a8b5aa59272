// Keeping the drafter's work: opening and saving the policy folder's files through the server
// (src/playground_files.rs). Each file the page has opened carries the version (SHA-256 of its
// bytes) it was read at; Save sends it back, and the server writes only if the file is still at
// that version. Otherwise it answers 409 with the text on disk, and the conflict dialog shows both
// versions and lets the drafter keep theirs or take the disk's. A marker per file in the picker
// says what is unsaved; Ctrl+S saves; leaving the page with unsaved edits asks first; "new policy"
// creates a `.qd` (and its folders) in the policy folder.

import { escapeHtml } from "./editor.mjs";
import { t } from "./i18n.mjs";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const UNSAVED = "● ";

/** The policy's name from its header line (`政策 X` / `policy X`), for the picker. */
function headerName(text) {
  const m = /^\s*(?:政策|policy)\s+(\S+)/m.exec(text);
  return m ? m[1] : "";
}

export class Files {
  /**
   * `app` gives what the page's state is made of: `state` (`policies`, `path`, `edits`),
   * `editor`, `apiJson(path, body)`, `toast(text, kind)`, `serverMessage(data, status)`,
   * `open(path)` (shows a file in the editor), `changed()` (the page's markers redrawn), `blank` (a new policy's text) and `blankPath`
   * (the picker's "new blank policy" entry, saved like any new file).
   */
  constructor(app) {
    this.app = app;
    this.conflict = null; // { path, text, disk } while the conflict dialog is open
    $("save").addEventListener("click", () => this.save());
    document.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        this.save();
      }
    });
    window.addEventListener("beforeunload", (e) => {
      if (this.unsavedPaths().length === 0) return;
      e.preventDefault();
      e.returnValue = ""; // older browsers want it set
    });
    $("keep-mine").addEventListener("click", () => this.keepMine());
    $("take-theirs").addEventListener("click", () => this.takeTheirs());
    $("conflict-cancel").addEventListener("click", () => $("conflict").close());
    $("new-file").addEventListener("click", () => this.askNewFile());
    $("new-file-create").addEventListener("click", () => this.createNewFile());
    $("new-file-cancel").addEventListener("click", () => $("new-file-dialog").close());
    $("new-file-path").addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.createNewFile();
    });
  }

  file(path) {
    return this.app.state.policies.find((p) => p.path === path);
  }

  /** The text the page holds for `path`: the editor's, else the remembered edit, else the file's. */
  textOf(path) {
    const { state, editor } = this.app;
    if (path === state.path) return editor.text;
    return state.edits.get(path) ?? this.file(path)?.text;
  }

  isUnsaved(path) {
    const p = this.file(path);
    const text = this.textOf(path);
    if (!p) return path === this.app.state.path && text !== undefined;
    return text !== undefined && text !== p.text;
  }

  unsavedPaths() {
    const paths = new Set([...this.app.state.policies.map((p) => p.path), ...this.app.state.edits.keys()]);
    return [...paths].filter((p) => this.isUnsaved(p));
  }

  /** The picker's entries, each file marked when it has unsaved edits. */
  renderPicker() {
    const { state, blankPath } = this.app;
    const picker = $("policy-picker");
    picker.innerHTML =
      state.policies
        .map((p) => {
          const mark = this.isUnsaved(p.path) ? UNSAVED : "";
          return `<option value="${escapeHtml(p.path)}" data-unsaved="${mark ? "yes" : "no"}">${escapeHtml(`${mark}${p.name} — ${p.path}`)}</option>`;
        })
        .join("") + `<option value="${escapeHtml(blankPath)}" data-i18n="newPolicy">${escapeHtml(t("newPolicy"))}</option>`;
    picker.value = state.path ?? "";
  }

  /** Updates the markers after an edit (called by the page on every change of the text). */
  markUnsaved() {
    const picker = $("policy-picker");
    for (const option of picker.options) {
      const p = this.file(option.value);
      if (!p) continue;
      const unsaved = this.isUnsaved(p.path);
      if ((option.dataset.unsaved === "yes") !== unsaved) {
        option.dataset.unsaved = unsaved ? "yes" : "no";
        option.textContent = `${unsaved ? UNSAVED : ""}${p.name} — ${p.path}`;
      }
    }
    const here = this.isUnsaved(this.app.state.path);
    $("save").disabled = !here;
    $("save").classList.toggle("unsaved", here);
  }

  /**
   * Reads `path` from disk for its version (the list of policies carries none). An editor still
   * showing the file's text unedited takes the text as the server decodes it.
   */
  async ensureVersion(path) {
    const p = this.file(path);
    if (!p || p.version) return p;
    const got = await this.app.apiJson("/api/file/open", { path });
    if (got.status !== 200) {
      this.app.toast(t("openFailed", { m: this.app.serverMessage(got.data, got.status) }), "error");
      return null;
    }
    const unedited = !this.isUnsaved(path);
    p.version = got.data.version;
    if (unedited && got.data.text !== p.text) {
      p.text = got.data.text;
      if (this.app.state.path === path) this.app.editor.setText(p.text);
    } else p.text = got.data.text;
    this.markUnsaved();
    return p;
  }

  async save() {
    const path = this.app.state.path;
    if (!path) return;
    const p = this.file(path) ? await this.ensureVersion(path) : null;
    if (this.file(path) && !p) return;
    await this.write(path, this.textOf(path), p ? p.version : null);
  }

  /** Sends `text` for `path` at `version` (`null`: a new file); true when it was written. */
  async write(path, text, version) {
    let got;
    try {
      got = await this.app.apiJson("/api/file/save", { path, text, version });
    } catch (e) {
      this.app.toast(t("networkError", { m: e.message }), "error");
      return false;
    }
    if (got.status === 200) {
      this.saved(path, text, got.data.version);
      this.app.toast(t("saved", { f: path }), "ok");
      return true;
    }
    if (got.status === 409) {
      this.showConflict(path, text, got.data.disk);
      return false;
    }
    this.app.toast(t("saveFailed", { m: this.app.serverMessage(got.data, got.status) }), "error");
    return false;
  }

  /** `path` now holds `text` at `version` on disk. */
  saved(path, text, version) {
    const { state } = this.app;
    let p = this.file(path);
    if (!p) {
      p = { path, name: headerName(text), text, version };
      state.policies.push(p);
      state.policies.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.renderPicker();
    }
    Object.assign(p, { text, version });
    this.app.changed();
  }

  showConflict(path, text, disk) {
    this.conflict = { path, text, disk };
    const theirs = disk && typeof disk.text === "string" ? disk.text : null;
    $("conflict-path").textContent = path;
    $("take-theirs").disabled = theirs === null;
    if (!$("conflict").open) $("conflict").showModal();
    if (theirs === null) {
      $("conflict-mine").textContent = text;
      $("conflict-theirs").textContent = t("diskGone");
      return;
    }
    // The lines between the common beginning and end are marked, and both panes open there.
    const [a, b] = [text.split("\n"), theirs.split("\n")];
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    $("conflict-where").textContent = t("conflictWhere", { l: head + 1 });
    for (const [id, lines] of [["conflict-mine", a], ["conflict-theirs", b]]) {
      const pane = $(id);
      pane.innerHTML = lines
        .map((line, i) => {
          const changed = i >= head && i < lines.length - tail;
          return `<span class="${changed ? "changed" : ""}">${escapeHtml(line)}${i < lines.length - 1 ? "\n" : ""}</span>`;
        })
        .join("");
      const first = pane.children[Math.min(head, lines.length - 1)];
      pane.scrollTop = Math.max(0, first.offsetTop - pane.offsetTop - 60);
    }
  }

  /** Writes the page's text over the disk's (the version the conflict showed). */
  async keepMine() {
    const c = this.conflict;
    if (!c) return;
    $("conflict").close();
    await this.write(c.path, c.text, c.disk ? c.disk.version : null);
  }

  /** Drops the page's edits and shows the disk's text. */
  takeTheirs() {
    const c = this.conflict;
    if (!c || !c.disk) return;
    $("conflict").close();
    const { state, editor } = this.app;
    let p = this.file(c.path);
    if (!p) {
      this.saved(c.path, c.disk.text, c.disk.version);
      p = this.file(c.path);
    }
    Object.assign(p, { text: c.disk.text, version: c.disk.version });
    state.edits.delete(c.path);
    if (state.path === c.path) editor.setText(c.disk.text);
    this.app.changed();
  }

  askNewFile() {
    const input = $("new-file-path");
    input.value = t("newFileDefault");
    $("new-file-error").textContent = "";
    $("new-file-dialog").showModal();
    input.focus();
    input.select();
  }

  /** Creates the file named in the dialog with a new policy's text, and opens it. */
  async createNewFile() {
    let path = $("new-file-path").value.trim().replace(/^\/+/, "");
    if (path && !/\.qd$/i.test(path)) path += ".qd";
    const stem = path.split("/").pop().replace(/\.qd$/i, "") || "新政策";
    const text = this.app.blank.replace(/^(政策|policy) \S+/m, `$1 ${stem}`);
    let got;
    try {
      got = await this.app.apiJson("/api/file/save", { path, text, version: null });
    } catch (e) {
      $("new-file-error").textContent = t("networkError", { m: e.message });
      return;
    }
    if (got.status !== 200) {
      $("new-file-error").textContent = this.app.serverMessage(got.data, got.status);
      return;
    }
    $("new-file-dialog").close();
    this.saved(path, text, got.data.version);
    this.app.open(path);
    this.app.toast(t("created", { f: path }), "ok");
  }
}
