// instance.mjs — one instance of a loaded module and the calling sequence the Rust host follows
// (engine/src/wasm/host.rs `Instance`): place a case's values, then `decide`, `check` and
// `read_let`, each result read back from memory as raw values. `Policy` (policy.mjs) builds on it.

import { ABI_VERSION, RESULT, STATUS, ERROR_KIND, CONFLICT, ABSENT } from "./abi.mjs";
import { QingdanError, m, malformed, foreignAbi, trapped, badInput } from "./errors.mjs";
import { kindOf, formatDecimal, formatDate } from "./values.mjs";
import { CaseReader } from "./casereader.mjs";
import { Arena, DECODER, ptrOf, lenOf, narrowAbsent } from "./words.mjs";

/**
 * A module's instance, reused for every case, and the values of the case placed last: the
 * lower level of a `Policy` (`reset`, `readCase`, `place`, `decide`, `check`, `letValue`,
 * `show`), whose results carry indices, not names.
 */
export class Instance {
  constructor(module, manifest, lang) {
    this.module = module;
    this.manifest = manifest;
    this.lang = lang;
    this.name = manifest.policy;
    this.hash = manifest.hash;
    this.instance = null;
    this.reader = null;
    this.keys = null;
    this.dates = null;
    this.placed = null;
  }

  /** A fresh instance (a new memory); the case placed last is forgotten. */
  async reset() {
    let instance;
    try {
      instance = await WebAssembly.instantiate(this.module, {});
    } catch (e) {
      throw trapped(e, this.lang);
    }
    const ex = instance.exports;
    const abi = ex.abi_version instanceof WebAssembly.Global ? ex.abi_version.value : undefined;
    if (abi !== ABI_VERSION) throw foreignAbi(typeof abi === "number" ? abi : -1, this.lang);
    const missing = (name) => malformed(`export \`${name}\` is missing or has the wrong type`, this.lang);
    if (!(ex.memory instanceof WebAssembly.Memory)) throw missing("memory");
    const arity = { begin: 0, decide: 1, check: 1, read_let: 1 };
    for (const [name, n] of Object.entries(arity)) {
      if (typeof ex[name] !== "function" || ex[name].length !== n) throw missing(name);
    }
    this.instance = instance;
    this.exports = ex;
    this.placed = null;
    if (!this.keys) {
      this.keys = this.manifest.lists.map((l) => this.listKeys(l));
      this.reader = new CaseReader(this.manifest, this.keys);
    }
    return this;
  }

  // ---------------------------------------------------------------- memory access

  view() {
    return new DataView(this.exports.memory.buffer);
  }

  i32(at) {
    const v = this.view();
    if (at < 0 || at + 4 > v.byteLength) throw malformed("result out of memory", this.lang);
    return v.getInt32(at, true);
  }

  i64(at) {
    const v = this.view();
    if (at < 0 || at + 8 > v.byteLength) throw malformed("result out of memory", this.lang);
    return v.getBigInt64(at, true);
  }

  resultField(field) {
    return this.i32(this.manifest.layout.result + field);
  }

  call(name, ...args) {
    try {
      return this.exports[name](...args);
    } catch (e) {
      // A trap (WebAssembly.RuntimeError), or the engine's own stack limit (RangeError).
      throw trapped(e, this.lang);
    }
  }

  badWord(w, ty) {
    return malformed(`a result word 0x${BigInt.asUintN(64, w).toString(16)} does not fit type ${JSON.stringify(ty)}`, this.lang);
  }

  /** A word read from memory as a value of `ty` (words.rs `decode`). */
  decode(w, ty) {
    if (w === ABSENT) return null;
    switch (kindOf(ty)) {
      case "Opt":
        return this.decode(w, ty.Opt);
      case "Bool":
        return w === 1n;
      case "Int":
      case "Decimal":
        return w;
      case "Date":
        if (w < -2147483648n || w > 2147483647n) throw this.badWord(w, ty);
        return Number(w);
      case "Enum":
      case "Row":
        if (w < 0n || w > 0xffffffffn) throw this.badWord(w, ty);
        return Number(w);
      case "Text": {
        const mem = new Uint8Array(this.exports.memory.buffer);
        const p = ptrOf(w);
        const n = lenOf(w);
        if (p + n > mem.length) throw this.badWord(w, ty);
        try {
          return DECODER.decode(mem.subarray(p, p + n));
        } catch {
          throw this.badWord(w, ty);
        }
      }
      default: {
        const p = ptrOf(w);
        const n = lenOf(w);
        const v = this.view();
        if (p + 8 * n > v.byteLength) throw this.badWord(w, ty);
        const words = [];
        for (let i = 0; i < n; i++) words.push(v.getBigInt64(p + 8 * i, true));
        return words.map((x) => this.decode(x, ty.Set));
      }
    }
  }

  /**
   * The key of each row of a list, read from its key column; none (an empty array) when the
   * module does not keep the column. Bounded by the module's memory, whatever `rows` says.
   */
  listKeys(list) {
    return this.listColumn(list, list.key);
  }

  /**
   * For each list with dated rows (`dates` in the manifest), each row's first and last day
   * (days since the epoch; null: open), read once from the module's data as the keys are;
   * an empty array for other lists. Explanations name a dated row with its days.
   */
  rowDates() {
    this.dates ??= this.manifest.lists.map((l) => {
      if (!Array.isArray(l.dates)) return [];
      const [from, until] = l.dates.map((f) => this.listColumn(l, f));
      return from.map((d, r) => [d, until[r] ?? null]);
    });
    return this.dates;
  }

  /** The values of field `field` of each row of a list, from its column (none: not kept). */
  listColumn(list, field) {
    const col = list.columns.find((c) => c.field === field);
    if (!col) return [];
    const v = this.view();
    if (col.at + list.rows * col.width > v.byteLength) throw malformed("a list column lies outside memory", this.lang);
    const keys = new Array(list.rows);
    for (let r = 0; r < list.rows; r++) {
      const at = col.at + r * col.width;
      let w;
      if (col.width === 8) w = v.getBigInt64(at, true);
      else {
        w = BigInt(col.width === 1 ? v.getInt8(at) : col.width === 2 ? v.getInt16(at, true) : v.getInt32(at, true));
        if (w === narrowAbsent(col.width)) w = ABSENT;
      }
      keys[r] = this.decode(w, list.fields[field][1]);
    }
    return keys;
  }

  // ---------------------------------------------------------------- showing values

  /** A value as the engine shows it (`Policy::show`): names, keys, exact numbers. */
  show(v, ty) {
    if (v === null || v === undefined) return "none";
    switch (kindOf(ty)) {
      case "Opt":
        return this.show(v, ty.Opt);
      case "Enum": {
        const variant = this.manifest.enums[ty.Enum].variants[v];
        return variant ? variant.name : `#${v}`;
      }
      case "Row": {
        if (v >= this.manifest.lists[ty.Row].rows) return `row#${v}`;
        const k = this.keys[ty.Row][v];
        return k === null || k === undefined ? "none" : String(k);
      }
      case "Set":
        return `[${v.map((x) => this.show(x, ty.Set)).join(", ")}]`;
      case "Bool":
        return v ? "true" : "false";
      case "Decimal":
        return formatDecimal(v);
      case "Date":
        return formatDate(v);
      default:
        return String(v);
    }
  }

  // ---------------------------------------------------------------- the calling sequence

  /** Reads a case object (shaped as a case file's `given`) into slot values. */
  readCase(obj) {
    return this.reader.read(obj, this.lang);
  }

  /** Writes slot values into memory and has the module accept them (`begin`). */
  place(values) {
    const mf = this.manifest;
    const L = mf.layout;
    this.placed = null;
    if (!Array.isArray(values) || values.length !== mf.slots.length) {
      const n = Array.isArray(values) ? values.length : 0;
      throw badInput(
        m(`案例有 ${n} 个字段，模块的输入有 ${mf.slots.length} 个`, `the case has ${n} fields, the module's input has ${mf.slots.length}`),
        this.lang,
      );
    }
    const arena = new Arena(L.arena, L.arena_size, this.lang);
    let words;
    try {
      words = values.map((v, s) => arena.word(v, mf.slots[s].ty));
    } catch (e) {
      if (e instanceof QingdanError) throw e;
      throw badInput(m(`输入值无法编码：${e.message}`, `a value cannot be encoded: ${e.message}`), this.lang);
    }
    const mem = new Uint8Array(this.exports.memory.buffer);
    const slots = new Uint8Array(8 * words.length);
    const dv = new DataView(slots.buffer);
    words.forEach((w, i) => dv.setBigInt64(8 * i, w, true));
    const bytes = arena.bytes();
    if (L.slots + slots.length > mem.length || L.arena + bytes.length > mem.length) {
      throw malformed("the input layout lies outside memory", this.lang);
    }
    mem.set(slots, L.slots);
    mem.set(bytes, L.arena);
    const s = this.call("begin");
    if (s === STATUS.OK) {
      this.placed = values;
      return;
    }
    if (s === STATUS.BAD_INPUT) {
      const path = this.slotPath(this.resultField(RESULT.BAD_SLOT));
      throw badInput(m(`字段 \`${path}\` 不符合模块的输入布局`, `field \`${path}\` does not fit the module's input layout`), this.lang);
    }
    throw malformed(`\`begin\` answered status ${s}`, this.lang);
  }

  slotPath(slot) {
    const s = this.manifest.slots[slot];
    if (!s) return `#${slot}`;
    return `${this.manifest.inputs[s.input].name}.${s.path.join(".")}`;
  }

  /** The evaluation error a status reports (null for OK); other statuses are host errors. */
  failure(status) {
    if (status === STATUS.OK) return null;
    if (status !== STATUS.FAILED) {
      const what =
        status === STATUS.BAD_INDEX ? "no such decision, check or let" : status === STATUS.NOT_READY ? "no case was placed" : "unknown status";
      throw malformed(`status ${status}: ${what}`, this.lang);
    }
    const kind = this.resultField(RESULT.ERROR_KIND);
    const site = this.resultField(RESULT.ERROR_SITE);
    const span = this.manifest.sites[site] || null;
    if (kind === ERROR_KIND.DIVISION_BY_ZERO) return { kind: "division_by_zero", site: span };
    if (kind === ERROR_KIND.OVERFLOW) return { kind: "overflow", site: span };
    if (kind === ERROR_KIND.NO_RULE_APPLIES) {
      // For this kind `error_site` is the decision's index, not a site.
      if (!this.manifest.decisions[site]) throw malformed(`no rule applies to decision #${site}`, this.lang);
      return { kind: "no_rule_applies", decision: site };
    }
    if (kind === ERROR_KIND.OUT_OF_MEMORY) throw new QingdanError("E0504", "模块内存不足", "the module ran out of memory", "", this.lang);
    throw malformed(`unknown error kind ${kind}`, this.lang);
  }

  /** Calls an evaluating export on the placed case; refuses when the last `place` failed. */
  callPlaced(name, i) {
    if (this.placed === null) throw malformed("no case was placed", this.lang);
    return this.call(name, i);
  }

  /**
   * Decides decision `d` (an index) for the case placed last: `{ result }` with the raw
   * result (outcomes with variant, rule and field values; fired, overridden; conflicts;
   * by_default), or `{ error }`.
   */
  decide(d) {
    const status = this.callPlaced("decide", d);
    const error = this.failure(status);
    if (error) return { error };
    const mf = this.manifest;
    const L = mf.layout;
    const decision = mf.decisions[d];
    if (!decision) throw malformed("no such decision", this.lang);
    const variants = mf.enums[decision.outcome_enum].variants;
    const count = (f) => Math.max(this.resultField(f), 0);
    const nOut = count(RESULT.N_OUTCOMES);
    const nFired = count(RESULT.N_FIRED);
    const nOver = count(RESULT.N_OVERRIDDEN);
    const nConf = count(RESULT.N_CONFLICTS);
    const outcomes = [];
    for (let i = 0; i < nOut; i++) {
      const at = L.outcomes + i * L.outcome_stride;
      const variant = this.i32(at);
      const rule = this.i32(at + 4);
      const def = variants[variant];
      if (!def) throw malformed("an outcome variant is out of range", this.lang);
      const fields = def.fields.map(([, ty], k) => this.decode(this.i64(at + 8 + 8 * k), ty));
      if (rule >= mf.rules.length) throw malformed("an outcome's rule is out of range", this.lang);
      outcomes.push({ variant, rule: rule >= 0 ? rule : null, fields });
    }
    const ids = (base, n) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const r = this.i32(base + 4 * i);
        if (r < 0 || r >= mf.rules.length) throw malformed("a rule id is out of range", this.lang);
        out.push(r);
      }
      return out;
    };
    const fired = ids(L.fired, nFired);
    const overridden = ids(L.overridden, nOver);
    const conflicts = [];
    let at = L.conflicts;
    for (let i = 0; i < nConf; i++) {
      const kind = this.i32(at);
      const base = this.i32(at + 4);
      const n = Math.max(this.i32(at + 8), 0);
      const rules = ids(at + 12, n);
      if (kind === CONFLICT.EXCEPTIONS) conflicts.push({ kind: "exceptions", base, rules });
      else if (kind === CONFLICT.UNIQUE) conflicts.push({ kind: "unique", rules });
      else throw malformed(`unknown conflict kind ${kind}`, this.lang);
      at += 12 + 4 * n;
    }
    const byDefault = this.resultField(RESULT.BY_DEFAULT) === 1;
    return { result: { decision: d, outcomes, fired, overridden, conflicts, by_default: byDefault } };
  }

  /** Check `c` for the case placed last: `{ hits }` (each an element value, or null for the case), or `{ error }`. */
  check(c) {
    const status = this.callPlaced("check", c);
    const error = this.failure(status);
    if (error) return { error };
    const over = this.manifest.checks[c] ? this.manifest.checks[c].over : null;
    const elem = over && kindOf(over) === "Set" ? over.Set : "Bool";
    const n = Math.max(this.resultField(RESULT.N_HITS), 0);
    const at = this.resultField(RESULT.HITS) >>> 0;
    const hits = [];
    for (let i = 0; i < n; i++) {
      const w = this.i64(at + 8 * i);
      hits.push(w === ABSENT ? null : this.decode(w, elem));
    }
    return { hits };
  }

  /** Let `l` for the case placed last: `{ value }` or `{ error }`. */
  letValue(l) {
    const status = this.callPlaced("read_let", l);
    const error = this.failure(status);
    if (error) return { error };
    const def = this.manifest.lets[l];
    if (!def) throw malformed("no such let", this.lang);
    return { value: this.decode(this.i64(this.manifest.layout.result + RESULT.VALUE), def.ty) };
  }
}
