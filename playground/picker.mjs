// The case form's reference picker: a field whose value is a row of a list (or a set of rows)
// is picked by key AND name, searchable — a drafter types part of 履职事项's name and sees the
// matching rows, instead of scrolling 146 bare codes. The names come from `POST /api/rows`
// (src/playground_rows.rs): the module itself keeps only the columns its rules read.
// Keyboard: ↑/↓ move, Enter picks, Escape closes; the list shows at most SHOWN rows.

import { t } from "./i18n.mjs";

const SHOWN = 60;

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

/** `keys` (row keys as the module decodes them) with their names, `[{ key, name, text, search }]`. */
export function rowChoices(keys, names) {
  return keys.map((key) => {
    const name = names ? names.get(String(key)) : null;
    const text = name ? `${key} · ${name}` : String(key);
    return { key, name, text, search: text.toLowerCase() };
  });
}

/** The rows matching `query`: every space-separated word in the key or the name. */
export function filterRows(choices, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return choices.filter((c) => words.every((w) => c.search.includes(w)));
}

/**
 * A search box over `choices` with a dropdown. `onPick(choice)` when one is picked (null for
 * "none" when `optional`). Returns `{ el, input, refresh(text) }`.
 */
function searchBox(choices, id, { optional = false, placeholder, onPick }) {
  const input = el("input", { type: "text", class: "picker-input", "data-testid": id, placeholder, role: "combobox", "aria-expanded": "false", autocomplete: "off" });
  const list = el("ul", { class: "picker-list", role: "listbox", "data-testid": `${id}-options`, hidden: true });
  const wrap = el("span", { class: "row-picker" }, [input, list]);
  let shown = [];
  let active = -1;
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  };
  const open = () => {
    const query = input.dataset.typed === "1" ? input.value : "";
    const found = filterRows(choices, query);
    // "None" is offered until the drafter types: then Enter picks the first match.
    shown = (optional && query.trim() === "" ? [null] : []).concat(found.slice(0, SHOWN));
    active = shown.length ? 0 : -1;
    list.textContent = "";
    shown.forEach((c, i) => {
      const item = el("li", { role: "option", class: "picker-option", "data-testid": "picker-option", "data-index": String(i), "data-key": c === null ? "" : String(c.key) }, c === null
        ? [el("span", { class: "muted", text: t("noneOption") })]
        : [el("code", { class: "picker-key", text: String(c.key) }), c.name ? el("span", { class: "picker-name", text: c.name }) : null]);
      list.append(item);
    });
    if (found.length > SHOWN) list.append(el("li", { class: "picker-more muted", text: t("pickerMore", { n: found.length - SHOWN }) }));
    if (!found.length) list.append(el("li", { class: "picker-more muted", "data-testid": "picker-empty", text: t("pickerNone") }));
    highlight();
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const highlight = () => {
    for (const li of list.querySelectorAll(".picker-option")) li.classList.toggle("active", Number(li.dataset.index) === active);
    list.querySelector(".active")?.scrollIntoView({ block: "nearest" });
  };
  const pick = (i) => {
    if (i < 0 || i >= shown.length) return;
    close();
    input.dataset.typed = "0";
    onPick(shown[i]);
  };
  // Focusing the box, or clicking it again after a pick, starts a new search over all rows.
  const start = () => {
    input.dataset.typed = "0";
    input.select();
    open();
  };
  input.addEventListener("focus", start);
  input.addEventListener("click", () => {
    if (list.hidden) start();
  });
  input.addEventListener("input", (e) => {
    e.stopPropagation(); // typing searches; only picking changes the case
    input.dataset.typed = "1";
    open();
  });
  input.addEventListener("change", (e) => e.stopPropagation());
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (list.hidden) open();
      else if (shown.length) {
        active = (active + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
        highlight();
      }
    } else if (e.key === "Enter" && !e.isComposing) {
      e.preventDefault();
      if (!list.hidden) pick(active);
    } else if (e.key === "Escape") {
      close();
      input.dispatchEvent(new Event("blur"));
    }
  });
  // mousedown, not click: the input's blur would close the list before the click lands.
  list.addEventListener("mousedown", (e) => {
    const li = e.target.closest(".picker-option");
    if (!li) return;
    e.preventDefault();
    pick(Number(li.dataset.index));
  });
  return { el: wrap, input, list, close };
}

/** A control for one row (`{ el, get, set }`, as caseform.mjs's controls). */
export function rowPicker(keys, names, id, optional) {
  const choices = rowChoices(keys, names);
  let value = null;
  let box;
  const show = () => {
    const c = value === null ? null : choices.find((x) => String(x.key) === String(value));
    box.input.value = c ? c.text : value === null ? "" : String(value);
    box.input.title = box.input.value;
  };
  box = searchBox(choices, id, {
    optional,
    placeholder: optional ? t("noneOption") : t("pickerSearch"),
    onPick: (c) => {
      value = c === null ? null : c.key;
      show();
      box.el.dispatchEvent(new Event("change", { bubbles: true }));
    },
  });
  box.input.addEventListener("blur", () => {
    box.close();
    show();
  });
  return {
    el: box.el,
    get: () => value,
    set: (v) => {
      const c = choices.find((x) => String(x.key) === String(v));
      value = c ? c.key : optional || !choices.length ? null : choices[0].key;
      show();
    },
  };
}

/** A control for a set of rows: the chosen rows as tags, a search box to add more. */
export function rowSetPicker(keys, names, id) {
  const choices = rowChoices(keys, names);
  const chosen = [];
  const tags = el("span", { class: "tag-list" });
  let box;
  const draw = () => {
    tags.textContent = "";
    chosen.forEach((key, i) => {
      const c = choices.find((x) => String(x.key) === String(key));
      const rm = el("button", { type: "button", class: "tag-remove", title: t("removeTag"), "aria-label": t("removeTag"), text: "×" });
      rm.addEventListener("click", () => {
        chosen.splice(i, 1);
        draw();
        box.el.dispatchEvent(new Event("change", { bubbles: true }));
      });
      tags.append(el("span", { class: "tag", "data-testid": `${id}-tag`, title: c ? c.text : String(key) }, [el("span", { text: c && c.name ? `${key} ${c.name}` : String(key) }), rm]));
    });
  };
  box = searchBox(choices, id, {
    placeholder: t("pickerAdd"),
    onPick: (c) => {
      if (c && !chosen.some((k) => String(k) === String(c.key))) chosen.push(c.key);
      box.input.value = "";
      draw();
      box.el.dispatchEvent(new Event("change", { bubbles: true }));
    },
  });
  box.input.addEventListener("blur", () => {
    box.close();
    box.input.value = "";
  });
  const wrap = el("span", { class: "tags row-set" }, [tags, box.el]);
  return {
    el: wrap,
    get: () => [...chosen],
    set: (v) => {
      chosen.length = 0;
      for (const x of Array.isArray(v) ? v : []) {
        const c = choices.find((y) => String(y.key) === String(x));
        if (c && !chosen.some((k) => String(k) === String(c.key))) chosen.push(c.key);
      }
      draw();
    },
  };
}
