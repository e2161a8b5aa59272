// resultmodel.mjs — one case as a line of the result model (docs/result.schema.json, version
// 1): byte for byte the line `qingdan eval --format json [--explain]` writes and the Rust host
// (engine/src/result, `Instance::result_json`) gives. The policy's names, reasons and clauses
// are escaped once per policy (`modelTexts`); values are typed as they are written.

import { QingdanError } from "./errors.mjs";
import { kindOf, formatDecimal, formatDate } from "./values.mjs";
import { decisionDay, versionOn, rowDays } from "./versions.mjs";

export const MODEL_VERSION = 1;

const q = (s) => JSON.stringify(s);
const qOrNull = (s) => (s === null || s === undefined ? "null" : JSON.stringify(s));

/** The codes of evaluation errors (dsl/src/diag/codes.rs E0601–E0603). */
export const EVAL_CODES = { division_by_zero: "E0601", overflow: "E0602", no_rule_applies: "E0603" };

function citesText(mf, cites, explain) {
  const items = (cites ?? []).map(([s, c]) => {
    const source = mf.sources[s];
    const [id, text] = source.clauses[c];
    return `{"source":${q(source.name)},"clause":${q(id)}${explain ? `,"text":${q(text)}` : ""}}`;
  });
  return `[${items.join(",")}]`;
}

/** The policy's texts, escaped once (as `ResultWriter::new`). */
export function modelTexts(mf, explain) {
  const exceptions = mf.rules.map(() => []);
  mf.rules.forEach((rule, r) => {
    if (rule.exception_to !== null && rule.exception_to !== undefined) exceptions[rule.exception_to].push(r);
  });
  const rules = mf.rules.map((rule, r) => {
    const variants = mf.enums[mf.decisions[rule.decision].outcome_enum].variants;
    const outcome = rule.outcome !== null && rule.outcome !== undefined ? variants[rule.outcome].name : null;
    const name = q(rule.name);
    const reason = qOrNull(rule.reason);
    const cites = citesText(mf, rule.cites, explain);
    const to = rule.exception_to !== null && rule.exception_to !== undefined ? mf.rules[rule.exception_to].name : null;
    const version = explain && rule.version ? `,"version":${daysJson(rule.version)}` : "";
    return {
      name,
      head: `{"rule":${name},"exception_to":${qOrNull(to)},"outcome":${qOrNull(outcome)},"reason":${reason},"cites":${cites}${version}`,
      outcomeTail: `},"reason":${reason},"rule":${name},"cites":${cites}}`,
      exceptions: exceptions[r],
    };
  });
  const decisions = mf.decisions.map((d) => ({
    key: `${q(d.name)}:`,
    defaultTail: `},"reason":${qOrNull(d.default_reason)},"rule":null,"cites":${citesText(mf, d.default_cites, explain)}}`,
  }));
  const variants = mf.enums.map((e) =>
    e.variants.map((v) => ({ head: `{"outcome":${q(v.name)},"values":{`, keys: v.fields.map(([name]) => `${q(name)}:`) })),
  );
  const checks = mf.checks.map((c) => ({
    head: `{"check":${q(c.name)},"reason":${qOrNull(c.reason)},"cites":${citesText(mf, c.cites, explain)},"rows":[`,
    elem: c.over && kindOf(c.over) === "Set" ? c.over.Set : null,
  }));
  const slotNames = mf.slots.map((s) => `"name":${q(`${mf.inputs[s.input].name}.${s.path.join(".")}`)}`);
  const letNames = mf.lets.map((l) => `"name":${q(l.name)}`);
  return { explain, rules, decisions, variants, checks, slotNames, letNames };
}

/** A value of type `ty` in the model's typing (as engine/src/result/json.rs `push_value`). */
export function valueJson(host, v, ty) {
  if (v === null || v === undefined) return "null";
  switch (kindOf(ty)) {
    case "Opt":
      return valueJson(host, v, ty.Opt);
    case "Bool":
      return v ? "true" : "false";
    case "Int":
      return String(v);
    case "Decimal":
      return `"${formatDecimal(v)}"`;
    case "Date":
      return `"${formatDate(v)}"`;
    case "Text":
      return q(v);
    case "Set":
      return `[${v.map((x) => valueJson(host, x, ty.Set)).join(",")}]`;
    default:
      // Enum values by variant name, rows by key: as the engine shows them.
      return q(host.show(v, ty));
  }
}

/** The days of a version or a dated row: `{"from":"YYYY-MM-DD","until":null}`. */
function daysJson(v) {
  return `{"from":${qOrNull(v.from)},"until":${qOrNull(v.until)}}`;
}

/** `,"in_force":{"field":{…},…}` for an outcome's fields that name a dated row; "" if none. */
function rowsInForce(host, fields, values) {
  const items = [];
  fields.forEach(([name, ty], j) => {
    const days = rowDays(host, values[j], ty);
    if (days) items.push(`${q(name)}:${daysJson(days)}`);
  });
  return items.length ? `,"in_force":{${items.join(",")}}` : "";
}

function errorLine(head, code, zh, en, path) {
  return `${head}"error":{"code":"${code}","message":{"zh":${q(zh)},"en":${q(en)}},"path":${qOrNull(path || null)}}}\n`;
}

/** Thrown inside `resultJson` to end the case with its error object. */
class Stop {
  constructor(code, zh, en, path) {
    Object.assign(this, { code, zh, en, path });
  }
}

function stopFromEval(host, e) {
  const told = host.tellError(e);
  const path = e.kind === "no_rule_applies" ? told.decision : null;
  return new Stop(EVAL_CODES[e.kind], told.zh, told.en, path);
}

/**
 * Case number `n` (a case object, as a case file's `given`) decided by `host` (a `Policy`), as
 * one line of the result model. `decision` names one decision (then no checks run);
 * `explain` adds the values each rule read and the clauses' text; `name` the case's name.
 */
export function resultJson(host, texts, caseObject, { n = 1, name = null, decision = null } = {}) {
  const mf = host.manifest;
  const head = `{"model":${MODEL_VERSION},"case":${n},${name !== null && name !== undefined ? `"name":${q(name)},` : ""}`;
  let decisions = mf.decisions.map((_, d) => d);
  let checks = mf.checks.map((_, c) => c).filter((c) => mf.checks[c].reads_case);
  if (decision !== null && decision !== undefined) {
    const d = mf.decisions.findIndex((x) => x.name === decision);
    if (d < 0) throw new RangeError(`no decision \`${decision}\` (decisions: ${mf.decisions.map((x) => x.name).join(", ")})`);
    decisions = [d];
    checks = [];
  }
  try {
    const values = host.readCase(caseObject);
    host.place(values);
    return head + decided(host, texts, values, decisions, checks);
  } catch (e) {
    if (e instanceof Stop) return errorLine(head, e.code, e.zh, e.en, e.path);
    if (e instanceof QingdanError) return errorLine(head, e.code, e.zh, e.en, e.path);
    throw e;
  }
}

function decided(host, texts, values, decisions, checks) {
  const mf = host.manifest;
  const lets = new Map();
  let out = '"decisions":{';
  decisions.forEach((d, i) => {
    const got = host.decide(d);
    if (got.error) throw stopFromEval(host, got.error);
    out += (i > 0 ? "," : "") + texts.decisions[d].key + decision(host, texts, got.result, values, lets);
  });
  out += "}";
  const hits = [];
  for (const c of checks) {
    const got = host.check(c);
    if (got.error) throw stopFromEval(host, got.error);
    if (got.hits.length > 0) hits.push({ c, hits: got.hits, may: mf.checks[c].modality === "may" });
  }
  for (const [key, may] of [[',"violations":[', false], [',"permissions":[', true]]) {
    out += key + hits.filter((h) => h.may === may).map((h) => checkHit(host, texts, h)).join(",") + "]";
  }
  return `${out}}\n`;
}

function decision(host, texts, r, values, lets) {
  const mf = host.manifest;
  const enumId = mf.decisions[r.decision].outcome_enum;
  const variants = mf.enums[enumId].variants;
  const outcomes = r.outcomes.map((o) => {
    const text = texts.variants[enumId][o.variant];
    const fields = variants[o.variant].fields.map(([, ty], j) => text.keys[j] + valueJson(host, o.fields[j], ty));
    const tail = o.rule !== null ? texts.rules[o.rule].outcomeTail : texts.decisions[r.decision].defaultTail;
    if (!texts.explain) return text.head + fields.join(",") + tail;
    // The tail closes the outcome; a dated row's days go last, before that brace.
    const inForce = rowsInForce(host, variants[o.variant].fields, o.fields);
    return text.head + fields.join(",") + tail.slice(0, -1) + inForce + "}";
  });
  const held = [...r.fired, ...r.overridden];
  const rule = (rid, overridden) => {
    const t = texts.rules[rid];
    let s = t.head;
    if (texts.explain) s += reads(host, texts, mf.rules[rid].reads, values, lets);
    if (overridden) s += `,"by":[${t.exceptions.filter((e) => held.includes(e)).map((e) => texts.rules[e].name).join(",")}]`;
    return `${s}}`;
  };
  const conflicts = r.conflicts.map((c) => `[${c.rules.map((x) => texts.rules[x].name).join(",")}]`);
  return (
    `{"outcomes":[${outcomes.join(",")}],"fired":[${r.fired.map((x) => rule(x, false)).join(",")}],` +
    `"overridden":[${r.overridden.map((x) => rule(x, true)).join(",")}],"by_default":${r.by_default ? "true" : "false"},` +
    `"conflicts":[${conflicts.join(",")}]}`
  );
}

function reads(host, texts, list, values, lets) {
  const mf = host.manifest;
  const day = decisionDay(mf, values);
  const inForce = (v, ty) => {
    const days = rowDays(host, v, ty);
    return days ? `,"in_force":${daysJson(days)}` : "";
  };
  const items = list.map((x) => {
    if ("Slot" in x) {
      const [v, ty] = [values[x.Slot], mf.slots[x.Slot].ty];
      return `{${texts.slotNames[x.Slot]},"value":${valueJson(host, v, ty)}${inForce(v, ty)}}`;
    }
    if (!lets.has(x.Let)) lets.set(x.Let, host.letValue(x.Let));
    const got = lets.get(x.Let);
    if (got.error) throw stopFromEval(host, got.error);
    const def = mf.lets[x.Let];
    const version = versionOn(def.versions, day);
    const named = version ? `,"version":${daysJson(version)}` : "";
    return `{${texts.letNames[x.Let]},"value":${valueJson(host, got.value, def.ty)}${named}${inForce(got.value, def.ty)}}`;
  });
  return `,"read":[${items.join(",")}]`;
}

function checkHit(host, texts, { c, hits }) {
  const t = texts.checks[c];
  const rows = t.elem === null ? [] : hits.filter((h) => h !== null).map((h) => valueJson(host, h, t.elem));
  return `${t.head}${rows.join(",")}]}`;
}
