// casereader.mjs — reading a case object (shaped like a case file's `given`) into slot values,
// as the Rust engine reads cases (cases/mod.rs `CaseReader`), with the same errors, paths and
// messages (E0301–E0307, "did you mean").

import { ABSENT } from "./abi.mjs";
import { QingdanError, m } from "./errors.mjs";
import { I64_MAX, strip, kindOf, compareText, canonicalSet, parseDate, parseDecimal, plainNumber } from "./values.mjs";
import { JsonNumber, rustFloat } from "./json.mjs";

/** Most fields (over all levels) or set elements one case may have (cases/mod.rs). */
export const MAX_FIELDS = 10000;

/** "Did you mean" (dsl/src/check/suggest.rs `closest`): edit distance over characters. */
function closest(name, candidates) {
  const a = [...name];
  const limit = a.length <= 1 ? 0 : Math.max(Math.floor(a.length / 3), 1);
  let best = null;
  for (const c of candidates) {
    if (c === name) continue;
    const d = levenshtein(a, [...c]);
    if (d > limit) continue;
    if (best === null || d < best[0] || (d === best[0] && compareText(c, best[1]) < 0)) best = [d, c];
  }
  return best ? best[1] : null;
}

function levenshtein(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** User text quoted in a message, cut at 40 characters. */
function shorten(text) {
  const chars = [...text];
  return chars.length > 40 ? `${chars.slice(0, 40).join("")}…` : text;
}

function withSuggestion(head, name, names, what) {
  const c = closest(name, names);
  if (c !== null) return m(`${head.zh}；是不是想写 \`${c}\`？`, `${head.en}; did you mean \`${c}\`?`);
  const list = names.slice(0, 20).map((n) => `\`${n}\``);
  if (names.length > 20) list.push("…");
  if (list.length === 0) return head;
  return m(`${head.zh}（${what.zh}：${list.join("、")}）`, `${head.en} (${what.en}: ${list.join(", ")})`);
}

/** What a JS value is, for "found …" in messages (cases/de.rs `Found`). */
function found(v) {
  if (v === null) return m("null", "null");
  if (typeof v === "boolean") return m(`\`${v}\``, `\`${v}\``);
  if (typeof v === "bigint") return m(`数 \`${v}\``, `the number \`${v}\``);
  if (v instanceof JsonNumber || typeof v === "number") {
    const t = numberText(v);
    return m(`数 \`${t}\``, `the number \`${t}\``);
  }
  if (typeof v === "string") return m(`文本 \`"${shorten(v)}"\``, `text \`"${shorten(v)}"\``);
  if (Array.isArray(v)) return m("列表", "a list");
  return m("对象", "an object");
}

/** A number as the engine's messages show it: an integer exactly, a float as Rust prints it. */
function numberText(v) {
  if (typeof v === "number") return Number.isInteger(v) && !Object.is(v, -0) ? plainNumber(v) : rustFloat(v);
  const s = v.serde;
  return s.int !== undefined ? s.int.toString() : rustFloat(s.float ?? Infinity);
}

/** `serde_json` refuses a number beyond an f64 (`1e400`) where the engine asks for a float. */
const tooBig = () => new Bad("E0301", m("JSON 格式错误：数值超出范围", "malformed JSON: number out of range"));

/** A problem with one value; `at` continues the field's path (`[2]`). */
class Bad {
  constructor(code, message, at = "") {
    this.code = code;
    this.message = message;
    this.at = at;
  }
}

class Levels {
  constructor() {
    this.levels = [];
  }
  add(path, input) {
    this.levels.push({ entries: new Map(), names: [], path, input });
    return this.levels.length - 1;
  }
  insert(level, name, entry) {
    const lv = this.levels[level];
    if (!lv.entries.has(name)) {
      lv.entries.set(name, entry);
      lv.names.push(name);
    }
  }
}

/** Reads case objects into slot values for one manifest (cases/mod.rs `CaseReader`). */
export class CaseReader {
  constructor(mf, keys) {
    this.mf = mf;
    const single = mf.inputs.length === 1;
    const lv = new Levels();
    if (!single) lv.add("", null);
    mf.inputs.forEach((input, i) => {
      const at = lv.add(input.name, i);
      if (!single) lv.insert(0, input.name, { level: at });
      for (const s of input.fields) {
        const path = mf.slots[s].path;
        let cur = at;
        path.forEach((name, depth) => {
          if (depth + 1 === path.length) return lv.insert(cur, name, { slot: s });
          const e = lv.levels[cur].entries.get(name);
          if (e && e.level !== undefined) cur = e.level;
          else {
            const next = lv.add(`${lv.levels[cur].path}.${name}`, null);
            lv.insert(cur, name, { level: next });
            cur = next;
          }
        });
      }
    });
    this.levels = lv.levels;
    this.wrapper = single && !this.levels[0].entries.has(mf.inputs[0].name) ? mf.inputs[0].name : null;
    this.slotPaths = mf.slots.map((s) => [mf.inputs[s.input].name, ...s.path].join("."));
    this.required = mf.slots.map((s, i) => (kindOf(s.ty) === "Opt" ? -1 : i)).filter((i) => i >= 0);
    this.variants = mf.enums.map((e) => {
      const names = new Map();
      e.variants.forEach((v, i) => names.has(v.name) || names.set(v.name, i));
      return names;
    });
    // Per list: key → row. Text keys: the first row with the key (the reader's `Names`);
    // int keys: the last (a `HashMap` collected in row order).
    this.rows = mf.lists.map((l, i) => {
      const intKeyed = l.fields[l.key][1] === "Int";
      const index = new Map();
      keys[i].forEach((k, r) => {
        if (intKeyed && typeof k === "bigint") index.set(k.toString(), r);
        if (!intKeyed && typeof k === "string" && !index.has(k)) index.set(k, r);
      });
      return { intKeyed, index, keys: keys[i] };
    });
  }

  describe(ty) {
    const k = kindOf(ty);
    switch (k) {
      case "Bool": return m("真假值（true 或 false）", "true or false");
      case "Int": return m("整数", "an integer");
      case "Decimal": return m("小数", "a decimal number");
      case "Text": return m("文本", "text");
      case "Date": return m("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)");
      case "Enum": {
        const name = this.mf.enums[ty.Enum].name;
        return m(`\`${name}\` 的值`, `a value of \`${name}\``);
      }
      case "Row": {
        const name = this.mf.lists[ty.Row].name;
        return m(`\`${name}\` 中条目的键`, `the key of a row of \`${name}\``);
      }
      case "Set": {
        const inner = this.describe(ty.Set);
        return m(`列表（每项为${inner.zh}）`, `a list (each element ${inner.en})`);
      }
      default: {
        const inner = this.describe(ty.Opt);
        return m(`${inner.zh}或 null`, `${inner.en} or null`);
      }
    }
  }

  wrong(ty, v) {
    if (v instanceof JsonNumber && v.serde.float === null) return tooBig();
    const e = this.describe(ty);
    const f = found(v);
    return new Bad("E0302", m(`应为${e.zh}，实际是${f.zh}`, `expected ${e.en}, found ${f.en}`));
  }

  unknownVariant(e, name) {
    const def = this.mf.enums[e];
    const head = m(`\`${def.name}\` 没有值 \`${shorten(name)}\``, `\`${def.name}\` has no variant \`${shorten(name)}\``);
    return withSuggestion(head, name, def.variants.map((v) => v.name), m("可选的值", "its variants"));
  }

  unknownKey(l, key) {
    const list = this.mf.lists[l];
    const head = m(
      `\`${list.name}\` 中没有键为 \`${shorten(key)}\` 的条目`,
      `\`${list.name}\` has no row with key \`${shorten(key)}\``,
    );
    const rows = this.rows[l];
    const keys = !rows.intKeyed && rows.index.size <= 1000 ? rows.keys.filter((k) => typeof k === "string") : [];
    const c = closest(key, keys);
    return c === null ? head : m(`${head.zh}；是不是想写 \`${c}\`？`, `${head.en}; did you mean \`${c}\`?`);
  }

  /** The slot values of one case, or a thrown QingdanError naming the field. */
  read(obj, lang) {
    const ctx = {
      values: new Array(this.mf.slots.length).fill(null),
      seen: new Uint8Array(this.mf.slots.length),
      inputs: new Uint8Array(this.mf.inputs.length),
      error: null,
      fields: 0,
      tooLarge: false,
    };
    this.level(ctx, 0, true, obj);
    let p = ctx.error || this.missing(ctx);
    if (p) throw new QingdanError(p.code, p.message.zh, p.message.en, p.path, lang);
    return ctx.values;
  }

  fail(ctx, code, message, path) {
    if (!ctx.error) ctx.error = { code, message, path };
  }

  count(ctx) {
    ctx.fields += 1;
    if (ctx.fields > MAX_FIELDS && !ctx.tooLarge) {
      ctx.tooLarge = true;
      ctx.error = {
        code: "E0307",
        message: m(`案例的字段超过 ${MAX_FIELDS} 个，其余部分未读`, `the case has more than ${MAX_FIELDS} fields; the rest was not read`),
        path: "",
      };
    }
  }

  level(ctx, level, root, obj) {
    const lv = this.levels[level];
    if (obj === null || typeof obj !== "object" || Array.isArray(obj) || obj instanceof JsonNumber) {
      if (obj === undefined) obj = null;
      const fields = lv.names.slice(0, 8).map((n) => `\`${n}\``);
      const more = lv.names.length > 8 ? "…" : "";
      const f = found(obj);
      const message = m(
        `应为对象（含字段 ${fields.join("、")}${more}），实际是${f.zh}`,
        `expected an object (with fields ${fields.join(", ")}${more}), found ${f.en}`,
      );
      this.fail(ctx, "E0302", message, lv.path);
      return;
    }
    if (lv.input !== null) ctx.inputs[lv.input] = 1;
    let first = true;
    let wrapped = false;
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (value === undefined) continue; // as if the key were not there (JSON has no undefined)
      if (ctx.tooLarge) return;
      if (ctx.error) {
        this.count(ctx);
        continue;
      }
      const wrapper = root && first ? this.wrapper : null;
      first = false;
      this.count(ctx);
      if (ctx.tooLarge) continue;
      const entry = wrapped ? undefined : lv.entries.get(key);
      if (entry && entry.slot !== undefined) {
        ctx.seen[entry.slot] = 1;
        const r = this.field(this.mf.slots[entry.slot].ty, value);
        if (r instanceof Bad) this.fail(ctx, r.code, r.message, `${this.slotPaths[entry.slot]}${r.at}`);
        else ctx.values[entry.slot] = r;
      } else if (entry) {
        this.level(ctx, entry.level, false, value);
      } else if (!wrapped && wrapper === key) {
        wrapped = true;
        this.level(ctx, level, false, value);
      } else {
        this.fail(ctx, "E0304", ...this.unknownField(level, key, wrapped));
      }
    }
  }

  unknownField(level, name, wrapped) {
    const lv = this.levels[level];
    const path = lv.path === "" ? name : `${lv.path}.${name}`;
    if (wrapped) {
      const input = this.wrapper;
      return [
        m(
          `案例已写在 \`${input}\` 之下，顶层不能再有 \`${shorten(name)}\``,
          `the case is nested under \`${input}\`, so \`${shorten(name)}\` cannot also be at the top`,
        ),
        path,
      ];
    }
    const head =
      lv.path === ""
        ? m(`没有名为 \`${shorten(name)}\` 的输入`, `there is no input \`${shorten(name)}\``)
        : m(`\`${lv.path}\` 没有字段 \`${shorten(name)}\``, `\`${lv.path}\` has no field \`${shorten(name)}\``);
    const what = lv.path === "" ? m("输入", "inputs") : m("字段", "fields");
    return [withSuggestion(head, name, lv.names, what), path];
  }

  missing(ctx) {
    for (let i = 0; i < this.mf.inputs.length; i++) {
      const input = this.mf.inputs[i];
      const required = input.fields.some((s) => kindOf(this.mf.slots[s].ty) !== "Opt");
      if (required && !ctx.inputs[i]) {
        return { code: "E0303", message: m(`缺少输入 \`${input.name}\``, `missing input \`${input.name}\``), path: input.name };
      }
    }
    const s = this.required.find((s) => !ctx.seen[s]);
    if (s === undefined) return null;
    const slot = this.mf.slots[s];
    const name = slot.path[slot.path.length - 1];
    const ty = this.describe(slot.ty);
    return {
      code: "E0303",
      message: m(`缺少字段 \`${name}\`（${ty.zh}）`, `missing field \`${name}\` (${ty.en})`),
      path: this.slotPaths[s],
    };
  }

  /** A field's value of `ty`: null means absent for an optional field, missing otherwise. */
  field(ty, v) {
    if (kindOf(ty) === "Opt") return this.value(strip(ty), v, "absent");
    return this.value(ty, v, "missing");
  }

  nullValue(ty, nullMode, v) {
    if (nullMode === "absent") return null;
    if (nullMode === "missing") {
      const d = this.describe(ty);
      return new Bad("E0303", m(`必填字段（${d.zh}）的值是 null`, `the field is required (${d.en}) but is null`));
    }
    return this.wrong(ty, v);
  }

  value(ty, v, nullMode) {
    if (kindOf(ty) === "Opt") return this.field(ty, v);
    if (v === null || v === undefined) return this.nullValue(ty, nullMode, null);
    switch (kindOf(ty)) {
      case "Bool":
        return typeof v === "boolean" ? v : this.wrong(ty, v);
      case "Int":
        return this.int(ty, v);
      case "Decimal":
        return this.decimal(v);
      case "Text":
        if (typeof v !== "string") return this.wrong(ty, v);
        if (typeof v.isWellFormed === "function" && !v.isWellFormed()) {
          return new Bad("E0301", m("文本含有孤立的代理码元，不是有效的 Unicode", "the text has a lone surrogate: it is not valid Unicode"));
        }
        return v;
      case "Date": {
        if (typeof v !== "string") return this.wrong(ty, v);
        const d = parseDate(v);
        if (d !== null) return d;
        return new Bad(
          "E0302",
          m(
            `\`${shorten(v)}\` 不是有效的日期（应写作 YYYY-MM-DD，如 2024-07-01）`,
            `\`${shorten(v)}\` is not a valid date (write YYYY-MM-DD, e.g. 2024-07-01)`,
          ),
        );
      }
      case "Enum": {
        if (typeof v !== "string") return this.wrong(ty, v);
        const i = this.variants[ty.Enum].get(v);
        return i === undefined ? new Bad("E0305", this.unknownVariant(ty.Enum, v)) : i;
      }
      case "Row":
        return this.row(ty, v);
      default:
        return this.set(ty, v);
    }
  }

  /** An integer from a JS number, a BigInt or an exact JSON number. */
  int(ty, v) {
    const outOfRange = (t) => new Bad("E0302", m(`整数 \`${t}\` 超出范围`, `the integer \`${t}\` is out of range`));
    const notInt = (t) => new Bad("E0302", m(`应为整数，实际是 \`${t}\``, `expected an integer, found \`${t}\``));
    let big;
    if (typeof v === "bigint") big = v;
    else if (v instanceof JsonNumber) {
      // As cases/de.rs `visit_f64`: a float is never an integer, even `3.0` or `-0`.
      const { int, float } = v.serde;
      if (int === undefined) {
        if (float === null) return tooBig();
        return Number.isInteger(float) && Math.abs(float) >= 9.2e18 ? outOfRange(rustFloat(float)) : notInt(rustFloat(float));
      }
      big = int;
    } else if (typeof v === "number") {
      if (!Number.isInteger(v)) return Number.isFinite(v) ? notInt(plainNumber(v)) : this.wrong(ty, v);
      if (Math.abs(v) >= 9.2e18) return outOfRange(plainNumber(v));
      if (!Number.isSafeInteger(v)) {
        return new Bad(
          "E0302",
          m(
            `整数 \`${plainNumber(v)}\` 超出 JavaScript 数的精确范围：请写成 BigInt，或用 parseJson 读取`,
            `the integer \`${plainNumber(v)}\` is beyond what a JavaScript number holds exactly: pass a BigInt, or read the JSON with parseJson`,
          ),
        );
      }
      big = BigInt(v);
    } else return this.wrong(ty, v);
    if (big > I64_MAX || big <= ABSENT) return outOfRange(big);
    return big;
  }

  decimal(v) {
    let text;
    if (typeof v === "string") text = v;
    else if (v instanceof JsonNumber) text = v.text;
    else if (typeof v === "bigint") text = v.toString();
    else if (typeof v === "number" && Number.isFinite(v)) text = String(v);
    else {
      const f = found(v);
      return new Bad("E0302", m(`应为小数，实际是${f.zh}`, `expected a decimal number, found ${f.en}`));
    }
    const d = parseDecimal(text);
    if (typeof d === "bigint") return d;
    if (d === "too-precise") {
      return new Bad(
        "E0302",
        m(
          `\`${shorten(text)}\` 的小数点后超过 6 位：金额按原值精确计算，不会四舍五入`,
          `\`${shorten(text)}\` has more than 6 digits after the point; amounts are exact and never rounded`,
        ),
      );
    }
    if (d === "out-of-range") {
      return new Bad("E0302", m(`\`${shorten(text)}\` 超出小数的范围`, `\`${shorten(text)}\` is out of range for a decimal`));
    }
    const f = found(typeof v === "string" ? v : text);
    return new Bad("E0302", m(`应为小数，实际是${f.zh}`, `expected a decimal number, found ${f.en}`));
  }

  row(ty, v) {
    const l = ty.Row;
    const rows = this.rows[l];
    if (rows.intKeyed) {
      if (typeof v === "string" || typeof v === "boolean" || Array.isArray(v) || typeof v === "object" && !(v instanceof JsonNumber)) {
        return this.wrong(ty, v);
      }
      const integral = v instanceof JsonNumber ? v.serde.int !== undefined : typeof v !== "number" || Number.isInteger(v);
      if (v instanceof JsonNumber && v.serde.float === null) return tooBig();
      if (!integral) return this.wrong(ty, v);
      const k = this.int("Int", v);
      if (k instanceof Bad) {
        // An integer beyond 64 bits: no row has it as its key.
        const text = v instanceof JsonNumber || typeof v === "number" ? numberText(v) : String(v);
        return new Bad("E0306", this.unknownKey(l, text));
      }
      const r = rows.index.get(k.toString());
      return r === undefined ? new Bad("E0306", this.unknownKey(l, k.toString())) : r;
    }
    if (typeof v !== "string") return this.wrong(ty, v);
    const r = rows.index.get(v);
    return r === undefined ? new Bad("E0306", this.unknownKey(l, v)) : r;
  }

  set(ty, v) {
    if (!Array.isArray(v)) return this.wrong(ty, v);
    const inner = ty.Set;
    const items = [];
    let bad = null;
    let n = 0;
    for (const item of v) {
      if (!bad) {
        const r = this.value(inner, item === undefined ? null : item, "wrong");
        if (r instanceof Bad) {
          r.at = `[${n}]${r.at}`;
          bad = r;
        } else items.push(r);
      }
      n += 1;
      if (n > MAX_FIELDS && !bad) {
        bad = new Bad("E0307", m(`集合的元素超过 ${MAX_FIELDS} 个`, `the set has more than ${MAX_FIELDS} elements`));
      }
    }
    return bad || canonicalSet(items);
  }
}
