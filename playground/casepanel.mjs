// The case file panel: after each build, asks the server for the policy's cases
// (`POST /api/cases`, the same text the module was built from), runs them all here with the
// module (casefile.mjs) and draws ✓/✗, diffs and coverage; "load into the form" puts one
// case's inputs into the case form.

import { parseJson, JsonNumber } from "./host/qingdan.mjs";
import { runCases, renderCaseFile } from "./casefile.mjs";
import { t, getLang } from "./i18n.mjs";

/** A case's `given` as the case form takes it: numbers as their text, one key per input. */
function formGiven(given, manifest) {
  const plain = (v) => {
    if (v instanceof JsonNumber) return v.text;
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  const g = plain(given);
  // `case_to_json` writes a single input's fields at the top, as a case file may.
  return manifest.inputs.length === 1 ? { [manifest.inputs[0].name]: g } : g;
}

export class CaseFilePanel {
  /**
   * `root` holds `[data-testid=casefile]` and the run button. `post(path, body)` is the page's
   * API call (a fetch Response); `current()` the last good build; `load(given, name)` fills
   * the case form.
   */
  constructor(root, { post, current, load }) {
    this.root = root;
    this.box = root.querySelector('[data-testid="casefile"]');
    this.post = post;
    this.current = current;
    this.load = load;
    this.seq = 0;
    this.report = null;
    this.data = null;
    root.querySelector('[data-testid="run-cases"]').addEventListener("click", () => this.run(this.current(), true));
    this.box.addEventListener("click", (ev) => {
      const b = ev.target.closest(".cf-load");
      if (!b || !this.report) return;
      const c = this.report.groups[Number(b.dataset.group)].cases[Number(b.dataset.case)];
      const good = this.current();
      if (c && good) this.load(formGiven(c.given, good.policy.manifest), c.name);
    });
    renderCaseFile(this.box, null);
  }

  /** Runs the cases of `good` (`{ path, text, policy }`); `again` re-asks even for the same text. */
  async run(good, again = false) {
    if (!good) return;
    const seq = ++this.seq;
    this.root.dataset.state = "running";
    try {
      if (again || !this.data || this.data.path !== good.path || this.data.text !== good.text) {
        const res = await this.post("/api/cases", { path: good.path, text: good.text });
        const body = await res.text();
        if (seq !== this.seq) return;
        if (!res.ok) {
          let m = `HTTP ${res.status}`;
          try {
            const e = JSON.parse(body).error;
            m = `${e.code}: ${getLang() === "zh" ? e.message_zh : e.message}`;
          } catch {
            // not JSON
          }
          this.fail(m);
          return;
        }
        this.data = { path: good.path, text: good.text, cases: parseJson(body) };
      }
      this.report = runCases(good.policy, this.data.cases);
      renderCaseFile(this.box, this.report);
      this.root.dataset.state = "done";
    } catch (e) {
      if (seq === this.seq) this.fail(e.message);
    }
  }

  fail(message) {
    this.report = null;
    this.box.innerHTML = "";
    const p = document.createElement("p");
    p.className = "cf-file-error";
    p.dataset.testid = "cf-error";
    p.textContent = t("serverError", { m: message });
    this.box.append(p);
    this.root.dataset.state = "error";
  }

  /** Redraws in the page's (new) language: the cases run again, their texts change. */
  relabel() {
    const good = this.current();
    if (good && this.data) this.run(good);
    else renderCaseFile(this.box, null);
  }
}
