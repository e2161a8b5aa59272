// The case form: one control per input slot of a compiled module's manifest (docs/wasm-abi.md
// §10), giving a case object shaped like a case file's `given` for `policy.evaluate`.
//   bool → 是/否 (Yes/No) select · enum → select · row of a list → a searchable picker of keys
//   and names (picker.mjs) · int, decimal, text → text box · date → date picker · set of enum →
//   checkboxes · set of rows → picked rows as tags · set of texts, numbers, dates → tags ·
//   optional → a "none" choice.

import { t } from "./i18n.mjs";
import { escapeHtml } from "./editor.mjs";
import { rowPicker, rowSetPicker } from "./picker.mjs";

const kindOf = (ty) => (typeof ty === "string" ? ty : Object.keys(ty)[0]);

/** A type described with names (not indices), for labels and for matching fields across rebuilds. */
export function describeType(ty, mf) {
  switch (kindOf(ty)) {
    case "Opt":
      return `${describeType(ty.Opt, mf)}?`;
    case "Set":
      return t("type_set", { t: describeType(ty.Set, mf) });
    case "Enum":
      return mf.enums[ty.Enum].name;
    case "Row":
      return mf.lists[ty.Row].name;
    default:
      return t(`type_${ty}`);
  }
}

function signature(ty, mf) {
  switch (kindOf(ty)) {
    case "Opt":
      return `${signature(ty.Opt, mf)}?`;
    case "Set":
      return `[${signature(ty.Set, mf)}]`;
    case "Enum":
      return `enum ${mf.enums[ty.Enum].name}`;
    case "Row":
      return `row ${mf.lists[ty.Row].name}`;
    default:
      return ty;
  }
}

/** A value read from a `test` block (syntax.mjs readTests) as a form value. */
function plain(v) {
  if (v === null || v === undefined) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object") {
    if ("date" in v) return v.date;
    if ("number" in v) return v.number;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

const today = () => new Date().toISOString().slice(0, 10);

function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

/** A number typed in a box: an int as BigInt when it is one, else the text (the case reader says what is wrong). */
function readInt(s) {
  const x = s.trim();
  if (x === "") return null;
  return /^[-+]?[0-9]+$/.test(x) ? BigInt(x) : x;
}

export class CaseForm {
  constructor(root, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.fields = [];
    this.policy = null;
    this.rowNames = new Map(); // list name → Map(key text → row name), from /api/rows
    root.addEventListener("input", () => this.onChange());
    root.addEventListener("change", () => this.onChange());
  }

  /** The rows' names the pickers show (`/api/rows`: `{ lists: { name: { rows: [[key, name]] } } }`), or null. */
  setRows(data) {
    this.rowNames = new Map();
    for (const [list, l] of Object.entries((data && data.lists) || {})) {
      this.rowNames.set(list, new Map(l.rows.filter(([, n]) => n !== null).map(([k, n]) => [String(k), n])));
    }
  }

  /**
   * Builds the controls for `policy` (a qingdan.mjs Policy). Values come from `given` (a test's
   * `given`, by input name) when set, else from the form as it was (fields of the same name and
   * type keep what the drafter entered), else defaults.
   */
  build(policy, given = null) {
    const mf = policy.manifest;
    const before = new Map(this.fields.map((f) => [f.key, { sig: f.sig, value: f.get() }]));
    this.policy = policy;
    this.fields = [];
    const scroll = this.root.scrollTop;
    this.root.textContent = "";
    for (const [i, input] of mf.inputs.entries()) {
      const box = el("fieldset", { class: "input", "data-input": input.name });
      box.append(el("legend", { text: input.name }));
      const grid = el("div", { class: "fields" });
      for (const s of input.fields) {
        const slot = mf.slots[s];
        const key = `${input.name}.${slot.path.join(".")}`;
        const sig = signature(slot.ty, mf);
        const control = this.control(slot.ty, key);
        const label = el("label", { class: "field", "data-field": key }, [
          el("span", { class: "name", text: slot.path.join(".") }),
          el("span", { class: "type", text: describeType(slot.ty, mf) }),
          control.el,
          el("span", { class: "field-error", "data-testid": `field-error-${key}` }),
        ]);
        grid.append(label);
        const field = { key, sig, slot: s, input: i, path: slot.path, ty: slot.ty, label, ...control };
        let v;
        const g = given && given[input.name];
        if (given) v = dig(g, slot.path);
        else if (before.has(key) && before.get(key).sig === sig) v = before.get(key).value;
        if (v === undefined) v = this.defaultValue(slot.ty);
        field.set(given ? plain(v) : v);
        this.fields.push(field);
      }
      box.append(grid);
      this.root.append(box);
    }
    if (!given) this.root.scrollTop = scroll;
  }

  defaultValue(ty) {
    switch (kindOf(ty)) {
      case "Opt":
        return null;
      case "Bool":
        return false;
      case "Int":
        return 0n;
      case "Decimal":
        return "0";
      case "Text":
        return "";
      case "Date":
        return today();
      case "Set":
        return [];
      case "Enum":
        return this.policy.manifest.enums[ty.Enum].variants[0]?.name ?? null;
      case "Row":
        return this.policy.keys[ty.Row][0] ?? null;
      default:
        return null;
    }
  }

  /** A control for a value of `ty`: `{ el, get(), set(v) }`. */
  control(ty, key) {
    const mf = this.policy.manifest;
    const k = kindOf(ty);
    const id = `field-${key}`;
    if (k === "Opt") {
      const inner = ty.Opt;
      const ik = kindOf(inner);
      if (ik === "Enum" || ik === "Row" || ik === "Bool") return this.select(inner, id, true);
      const c = this.control(inner, key);
      const none = el("input", { type: "checkbox", "data-testid": `none-${key}` });
      const wrap = el("span", { class: "optional" }, [c.el, el("label", { class: "none" }, [none, el("span", { "data-i18n": "none", text: t("none") })])]);
      const sync = () => {
        for (const x of c.el.querySelectorAll ? [c.el, ...c.el.querySelectorAll("input, select")] : [c.el]) {
          if (x.tagName === "INPUT" || x.tagName === "SELECT") x.disabled = none.checked;
        }
        wrap.classList.toggle("is-none", none.checked);
      };
      none.addEventListener("change", sync);
      return {
        el: wrap,
        get: () => (none.checked ? null : c.get()),
        set: (v) => {
          none.checked = v === null || v === undefined;
          if (!none.checked) c.set(v);
          sync();
        },
      };
    }
    switch (k) {
      case "Bool":
        return this.select(ty, id, false);
      case "Enum":
      case "Row":
        return this.select(ty, id, false);
      case "Int":
      case "Decimal":
      case "Text": {
        const box = el("input", { type: "text", "data-testid": id, inputmode: k === "Text" ? undefined : "decimal", class: k === "Text" ? "text" : "number" });
        return {
          el: box,
          get: () => (k === "Int" ? readInt(box.value) : k === "Decimal" ? (box.value.trim() === "" ? null : box.value.trim()) : box.value),
          set: (v) => (box.value = v === null || v === undefined ? "" : String(v)),
        };
      }
      case "Date": {
        const box = el("input", { type: "date", "data-testid": id });
        return { el: box, get: () => (box.value === "" ? null : box.value), set: (v) => (box.value = typeof v === "string" ? v : "") };
      }
      case "Set": {
        const ek = kindOf(ty.Set);
        if (ek === "Enum") {
          const names = mf.enums[ty.Set.Enum].variants.map((v) => v.name);
          const boxes = names.map((n) => el("input", { type: "checkbox", value: n, "data-testid": `${id}-${n}` }));
          const group = el("span", { class: "choices", "data-testid": id }, names.map((n, i) => el("label", { class: "choice" }, [boxes[i], el("span", { text: n })])));
          return {
            el: group,
            get: () => boxes.filter((b) => b.checked).map((b) => b.value),
            set: (v) => boxes.forEach((b) => (b.checked = Array.isArray(v) && v.map(String).includes(b.value))),
          };
        }
        if (ek === "Row") return rowSetPicker(this.policy.keys[ty.Set.Row], this.names(ty.Set.Row), id);
        if (ek === "Bool") {
          const yes = el("input", { type: "checkbox", "data-testid": `${id}-true` });
          const no = el("input", { type: "checkbox", "data-testid": `${id}-false` });
          const group = el("span", { class: "choices", "data-testid": id }, [
            el("label", { class: "choice" }, [yes, el("span", { text: t("true") })]),
            el("label", { class: "choice" }, [no, el("span", { text: t("false") })]),
          ]);
          return {
            el: group,
            get: () => [...(no.checked ? [false] : []), ...(yes.checked ? [true] : [])],
            set: (v) => {
              yes.checked = Array.isArray(v) && v.includes(true);
              no.checked = Array.isArray(v) && v.includes(false);
            },
          };
        }
        return this.tags(ek, id);
      }
      default: {
        const box = el("input", { type: "text", "data-testid": id });
        return { el: box, get: () => box.value, set: (v) => (box.value = v ?? "") };
      }
    }
  }

  /** The names of list `l`'s rows by key text, when the server gave them. */
  names(l) {
    return this.rowNames.get(this.policy.manifest.lists[l].name) || null;
  }

  select(ty, id, optional) {
    const mf = this.policy.manifest;
    const k = kindOf(ty);
    if (k === "Row") return rowPicker(this.policy.keys[ty.Row], this.names(ty.Row), id, optional);
    let values;
    if (k === "Enum") values = mf.enums[ty.Enum].variants.map((v) => v.name);
    else if (k === "Row") values = this.policy.keys[ty.Row];
    else values = [true, false];
    const label = (v) => (k === "Bool" ? t(v ? "true" : "false") : String(v));
    const options = values.map((v, i) => el("option", { value: String(i), text: label(v), "data-i18n": k === "Bool" ? (v ? "true" : "false") : undefined }));
    if (optional) options.unshift(el("option", { value: "", text: t("noneOption"), "data-i18n": "noneOption" }));
    const sel = el("select", { "data-testid": id }, options);
    return {
      el: sel,
      get: () => (sel.value === "" ? null : values[Number(sel.value)]),
      set: (v) => {
        const i = values.findIndex((x) => String(x) === String(v));
        sel.value = v === null || v === undefined || i < 0 ? (optional ? "" : "0") : String(i);
      },
    };
  }

  /** A tag input for a set of texts, numbers or dates: Enter (or a comma) adds, × removes. */
  tags(ek, id) {
    const items = [];
    const list = el("span", { class: "tag-list" });
    const box = el("input", { type: ek === "Date" ? "date" : "text", "data-testid": id, class: "tag-input", "data-i18n-placeholder": "addTag", placeholder: t("addTag") });
    const wrap = el("span", { class: "tags" }, [list, box]);
    const draw = () => {
      list.textContent = "";
      items.forEach((x, i) => {
        const rm = el("button", { type: "button", class: "tag-remove", title: t("removeTag"), "aria-label": t("removeTag"), text: "×" });
        rm.addEventListener("click", () => {
          items.splice(i, 1);
          draw();
          this.onChange();
        });
        list.append(el("span", { class: "tag", "data-testid": `${id}-tag` }, [el("span", { text: x }), rm]));
      });
    };
    const add = () => {
      for (const part of box.value.split(/[,，、]/)) {
        const x = part.trim();
        if (x !== "" && !items.includes(x)) items.push(x);
      }
      box.value = "";
      draw();
      this.onChange();
    };
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault();
        add();
      } else if (e.key === "Backspace" && box.value === "" && items.length) {
        items.pop();
        draw();
        this.onChange();
      }
    });
    box.addEventListener("change", () => {
      if (ek === "Date" && box.value) add();
    });
    box.addEventListener("blur", () => {
      if (ek !== "Date" && box.value.trim()) add();
    });
    const conv = (x) => (ek === "Int" ? readInt(x) : x);
    return {
      el: wrap,
      get: () => items.map(conv),
      set: (v) => {
        items.length = 0;
        if (Array.isArray(v)) for (const x of v) items.push(String(x));
        draw();
      },
    };
  }

  /** The case as `policy.evaluate` reads it: fields at the top for one input, one key per input otherwise. */
  value() {
    const mf = this.policy.manifest;
    const single = mf.inputs.length === 1;
    const out = {};
    for (const f of this.fields) {
      let level = single ? out : (out[mf.inputs[f.input].name] ??= {});
      for (const p of f.path.slice(0, -1)) level = level[p] ??= {};
      level[f.path[f.path.length - 1]] = f.get();
    }
    return out;
  }

  clearErrors() {
    for (const f of this.fields) {
      f.label.classList.remove("has-error");
      f.label.querySelector(".field-error").textContent = "";
    }
  }

  /** Marks the field a case error names (`申请.标签[2]`: the field `申请.标签`). */
  markError(path, message) {
    const mf = this.policy?.manifest;
    if (!mf || !path) return;
    const bare = path.replace(/\[[0-9]+\]/g, "");
    const names = (f) => [f.key, f.path.join(".")];
    const f =
      this.fields.find((x) => names(x).includes(bare)) ||
      this.fields.filter((x) => names(x).some((n) => bare.startsWith(`${n}.`))).sort((a, b) => b.key.length - a.key.length)[0];
    if (!f) return;
    f.label.classList.add("has-error");
    f.label.querySelector(".field-error").textContent = message;
  }

  /** Fields as `{ key, value }` for the record (tests, debugging). */
  snapshot() {
    return this.fields.map((f) => ({ key: f.key, value: f.get() }));
  }
}

function dig(obj, path) {
  let v = obj;
  for (const p of path) {
    if (v === null || v === undefined || typeof v !== "object") return undefined;
    v = v[p];
  }
  return v;
}

export { escapeHtml };
