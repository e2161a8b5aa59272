// words.mjs — values as 64-bit words in a module's memory: a text or set is a pointer and a
// length into the input arena, where `Arena` lays out one case's texts and sets.

import { ABSENT } from "./abi.mjs";
import { QingdanError } from "./errors.mjs";
import { strip, kindOf } from "./values.mjs";

const pack = (ptr, len) => BigInt.asIntN(64, (BigInt(ptr) << 32n) | BigInt(len));
export const ptrOf = (w) => Number(BigInt.asUintN(64, w) >> 32n);
export const lenOf = (w) => Number(BigInt.asUintN(64, w) & 0xffffffffn);

export function narrowAbsent(width) {
  return width === 1 ? -128n : width === 2 ? -32768n : width === 4 ? -2147483648n : ABSENT;
}

/** The texts and sets of one case, laid out as the Rust host lays them out. */
export class Arena {
  constructor(start, size, lang) {
    this.start = start;
    this.size = size;
    this.lang = lang;
    this.chunks = [];
    this.len = 0;
  }

  put(data) {
    const pad = (8 - (this.len % 8)) % 8;
    if (pad) {
      this.chunks.push(new Uint8Array(pad));
      this.len += pad;
    }
    const at = this.len;
    if (at + data.length > this.size) {
      throw new QingdanError(
        "E0503",
        `案例中的文本和集合共需超过 ${this.size} 字节，超出模块的输入区`,
        `the case's texts and sets need more than the module's ${this.size}-byte input arena`,
        "",
        this.lang,
      );
    }
    this.chunks.push(data);
    this.len += data.length;
    return this.start + at;
  }

  word(v, ty) {
    if (v === null || v === undefined) return ABSENT;
    const t = strip(ty);
    switch (kindOf(t)) {
      case "Bool":
        return v ? 1n : 0n;
      case "Int":
      case "Decimal":
        return BigInt.asIntN(64, BigInt(v));
      case "Date":
      case "Enum":
      case "Row":
        return BigInt.asIntN(64, BigInt(v));
      case "Text": {
        const bytes = ENCODER.encode(v);
        return pack(this.put(bytes), bytes.length);
      }
      default: {
        const words = v.map((x) => this.word(x, t.Set));
        const bytes = new Uint8Array(8 * words.length);
        const dv = new DataView(bytes.buffer);
        words.forEach((w, i) => dv.setBigInt64(8 * i, w, true));
        return pack(this.put(bytes), words.length);
      }
    }
  }

  bytes() {
    const out = new Uint8Array(this.len);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const ENCODER = new TextEncoder();
export const DECODER = new TextDecoder("utf-8", { fatal: true });
