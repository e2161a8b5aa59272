// A few bytes of the WASM binary format, for tests that take modules apart and make small
// ones: LEB128, names, sections, vectors, the list of a module's sections, and sealing a
// module again after an edit (as engine/src/wasm/integrity.rs `reseal` does).

import crypto from "node:crypto";

import { SEAL_SECTION, SEAL_FORMAT } from "../../hosts/js/src/seal.mjs";

export const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
export const str = (s) => {
  const b = [...Buffer.from(s)];
  return [...uleb(b.length), ...b];
};
export const section = (id, body) => [id, ...uleb(body.length), ...body];
export const vec = (items) => [...uleb(items.length), ...items.flat()];

/** The module's sections: [{ id, start, end, bodyStart }]. */
export function sections(bytes) {
  const out = [];
  let i = 8;
  while (i < bytes.length) {
    const start = i;
    const id = bytes[i++];
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[i++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    out.push({ id, start, bodyStart: i, end: i + size });
    i += size;
  }
  return out;
}

/** Whether section `s` of `bytes` is the custom section named `name`. */
export function isCustom(bytes, s, name) {
  const n = Buffer.from(name);
  return s.id === 0 && bytes[s.bodyStart] === n.length && Buffer.from(bytes.subarray(s.bodyStart + 1, s.bodyStart + 1 + n.length)).equals(n);
}

/** The module sealed again: its old seal (if it ends with one) replaced by a fresh, unsigned one. */
export function sealed(bytes) {
  const all = sections(bytes);
  const last = all[all.length - 1];
  const body = last && isCustom(bytes, last, SEAL_SECTION) ? bytes.subarray(0, last.start) : bytes;
  const digest = crypto.createHash("sha256").update(body).digest();
  return Uint8Array.from([...body, ...section(0, [...str(SEAL_SECTION), SEAL_FORMAT, 0, ...digest])]);
}
