// "Record as test case": the case in the form goes to the server (POST /api/file/record,
// src/playground_record.rs), which decides it with the saved policy and appends it, with the
// outcome it now gets, to the policy's case file; `qingdan test` then keeps it. The policy must be
// saved first: the recorded outcome is the saved policy's.

import { t } from "./i18n.mjs";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

/** JSON text of a case as the form gives it, numbers exact: ints are BigInts, long numbers JsonNumbers. */
function caseJson(v) {
  if (typeof v === "bigint") return v.toString();
  if (v && typeof v === "object" && typeof v.text === "string" && typeof v.toJSON === "function") return v.text;
  if (Array.isArray(v)) return `[${v.map(caseJson).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${caseJson(x)}`).join(",")}}`;
  return JSON.stringify(v ?? null);
}

export class Recorder {
  /**
   * `app`: `state` (`path`, `good`, `loadedTest`), `caseForm`, `files` (files.mjs),
   * `api(path, body)` (a JSON text as body), `toast(text, kind)`, `serverMessage(data, status)`.
   */
  constructor(app) {
    this.app = app;
    $("record-case").addEventListener("click", () => this.ask());
    $("record-create").addEventListener("click", () => this.record());
    $("record-cancel").addEventListener("click", () => $("record-dialog").close());
    $("record-name").addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.record();
    });
  }

  ask() {
    const { state, files, toast } = this.app;
    if (!state.good || state.good.path !== state.path) {
      toast(t("recordNoModule"), "error");
      return;
    }
    if (files.isUnsaved(state.path)) {
      toast(t("recordSaveFirst"), "error");
      return;
    }
    $("record-name").value = state.loadedTest ? state.loadedTest.name : t("recordDefaultName");
    $("record-error").textContent = "";
    $("record-dialog").showModal();
    $("record-name").focus();
    $("record-name").select();
  }

  async record() {
    const { state, caseForm, api, toast, serverMessage } = this.app;
    const body = `{"path":${JSON.stringify(state.path)},"name":${JSON.stringify($("record-name").value)},"given":${caseJson(caseForm.value())}}`;
    let got;
    try {
      const res = await api("/api/file/record", body);
      got = { status: res.status, data: await res.json() };
    } catch (e) {
      $("record-error").textContent = t("networkError", { m: e.message });
      return;
    }
    if (got.status !== 200) {
      $("record-error").textContent = serverMessage(got.data, got.status);
      return;
    }
    $("record-dialog").close();
    toast(t("recorded", { n: got.data.name, f: got.data.file }), "ok");
  }
}
