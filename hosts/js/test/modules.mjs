// A hand-made module whose `begin` never returns (a loop), sealed as `qingdan build` seals:
// what an untrusted module may do, for the runner's time limit.

import crypto from "node:crypto";

import { ABI_VERSION, MANIFEST_SECTION } from "../src/qingdan.mjs";
import { SEAL_SECTION, SEAL_FORMAT } from "../src/seal.mjs";

const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const str = (s) => {
  const b = [...Buffer.from(s)];
  return [...uleb(b.length), ...b];
};
const section = (id, body) => [id, ...uleb(body.length), ...body];
const vec = (items) => [...uleb(items.length), ...items.flat()];

export const ENDLESS_MANIFEST = {
  abi: ABI_VERSION,
  policy: "endless",
  lang: "en",
  hash: "0".repeat(64),
  layout: {
    result: 64, slots: 120, let_values: 128, let_flags: 128, speakers: 128, scratch: 128, outcomes: 144,
    outcome_stride: 8, fired: 160, overridden: 168, conflicts: 176, ranks: 200, statics: 208, arena: 4096,
    arena_size: 65536, heap: 69632, pages: 8,
  },
  inputs: [{ name: "form", fields: [0] }],
  slots: [{ input: 0, path: ["name"], ty: "Text" }],
  enums: [{ name: "answer", variants: [{ name: "yes", fields: [] }] }],
  lists: [],
  lets: [],
  rules: [],
  decisions: [{ name: "verdict", outcome_enum: 0, combining: "priority", ranks: [0], default: 0, default_reason: null, rules: [] }],
  checks: [],
  sources: [],
  sites: [],
};

/** The module: `begin` loops for ever; `decide`, `check`, `read_let` answer 0. */
export function endlessModule(manifest = ENDLESS_MANIFEST) {
  const types = section(1, vec([[0x60, 0x00, 0x01, 0x7f], [0x60, 0x01, 0x7f, 0x01, 0x7f]]));
  const funcs = section(3, vec([[0], [1], [1], [1]]));
  const mem = section(5, vec([[0x01, 8, 16]]));
  const globals = section(6, vec([[0x7f, 0x00, 0x41, ...uleb(ABI_VERSION), 0x0b]]));
  const names = ["begin", "decide", "check", "read_let"];
  const exps = section(7, vec([[...str("memory"), 0x02, 0x00], [...str("abi_version"), 0x03, 0x00], ...names.map((n, i) => [...str(n), 0x00, i])]));
  const body = (code) => {
    const b = [0x00, ...code, 0x0b];
    return [...uleb(b.length), ...b];
  };
  const loop = [0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00]; // loop br 0 end; i32.const 0
  const code = section(10, vec([body(loop), body([0x41, 0x00]), body([0x41, 0x00]), body([0x41, 0x00])]));
  const custom = section(0, [...str(MANIFEST_SECTION), ...Buffer.from(JSON.stringify(manifest))]);
  const unsealed = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...funcs, ...mem, ...globals, ...exps, ...code, ...custom]);
  const digest = crypto.createHash("sha256").update(unsealed).digest();
  return Uint8Array.from([...unsealed, ...section(0, [...str(SEAL_SECTION), SEAL_FORMAT, 0, ...digest])]);
}
