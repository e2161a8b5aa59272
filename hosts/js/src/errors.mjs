// errors.mjs — what the host says when a case or a module cannot be used: `QingdanError` with
// the Rust engine's codes, and the messages (in both languages) for malformed, foreign,
// trapped modules and input that does not fit.

import { ABI_VERSION } from "./abi.mjs";

const CODES = {
  E0301: ["case-malformed", "案例格式错误", "malformed case"],
  E0302: ["case-wrong-type", "案例字段值不符合类型", "case value has the wrong type"],
  E0303: ["case-missing-field", "案例缺少字段", "case field missing"],
  E0304: ["case-unknown-field", "案例中有未知字段", "unknown field in case"],
  E0305: ["case-unknown-variant", "案例中有未知枚举值", "unknown enum variant in case"],
  E0306: ["case-unknown-key", "案例引用的条目不存在", "case refers to a missing row"],
  E0307: ["case-too-large", "案例过大", "case too large"],
  E0501: ["wasm-malformed", "WASM 模块无效", "malformed WASM module"],
  E0502: ["wasm-foreign-abi", "WASM 模块接口不符", "foreign WASM module"],
  E0503: ["wasm-input-too-large", "案例超出模块输入区", "case too large for the module"],
  E0504: ["wasm-stopped", "WASM 模块执行中止", "WASM module stopped"],
  E0505: ["wasm-bad-input", "案例不符合模块输入布局", "case does not fit the module"],
  E0507: ["wasm-untrusted", "WASM 模块未经信任的签名", "WASM module not signed by a trusted key"],
  E0601: ["eval-division-by-zero", "计算中除数为零", "division by zero while deciding"],
  E0602: ["eval-overflow", "计算结果超出范围", "number out of range while deciding"],
  E0603: ["eval-no-rule-applies", "完备决定没有适用的规则", "no rule applies to a total decision"],
  E0902: ["unknown-decision", "没有这个决定", "no such decision"],
};

/**
 * A case that cannot be read, or a module that cannot be used. `code` is stable (the Rust
 * engine's code), `slug` its name, `path` the field of the case (`申请.标签[2]`, empty when
 * none), `zh` and `en` the message in each language (the text `qingdan eval` prints for the
 * case, without code and path), `message` the whole line in the chosen language.
 */
export class QingdanError extends Error {
  constructor(code, zh, en, path = "", lang = "en") {
    const slug = CODES[code] ? CODES[code][0] : code;
    const text = lang === "zh" ? zh : en;
    const where = path ? (lang === "zh" ? `\`${path}\`：` : `\`${path}\`: `) : "";
    super(`${code}[${slug}]: ${where}${text}`);
    this.name = "QingdanError";
    this.code = code;
    this.slug = slug;
    this.path = path;
    this.zh = zh;
    this.en = en;
    this.lang = lang;
  }
}

export const m = (zh, en) => ({ zh, en });

export function malformed(why, lang) {
  const w = typeof why === "string" ? m(why, why) : why;
  return new QingdanError(
    "E0501",
    `不是有效的 qingdan WASM 模块：${w.zh}`,
    `not a valid qingdan WASM module: ${w.en}`,
    "",
    lang,
  );
}

export function foreignAbi(found, lang) {
  return new QingdanError(
    "E0502",
    `模块的接口版本为 ${found}，本程序支持版本 ${ABI_VERSION}：请用当前版本的 \`qingdan build\` 重新编译`,
    `the module speaks ABI version ${found}, this host speaks ${ABI_VERSION}: rebuild it with this \`qingdan build\``,
    "",
    lang,
  );
}

export function trapped(e, lang) {
  const why = e && e.message ? e.message : String(e);
  return new QingdanError("E0504", `模块执行中止：${why}`, `the module stopped: ${why}`, "", lang);
}

export function badInput(why, lang) {
  return new QingdanError(
    "E0505",
    `案例不符合模块的输入布局：${why.zh}`,
    `the case does not fit the module: ${why.en}`,
    "",
    lang,
  );
}
