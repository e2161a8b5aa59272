// Tokens of .qd text, for highlighting and for reading the `test` blocks' cases. Keywords are
// those of dsl/src/syntax/keywords.rs and grammar.pest (both sets; Chinese keywords, like
// English ones, end at a word boundary, so `当月` is one name while `当 月` is `当` and `月`).

const KEYWORDS_EN = [
  "policy", "use", "source", "clause", "enum", "record", "input", "list", "item", "key", "from", "let", "rule",
  "for", "cite", "when", "then", "unless", "exception", "to", "decision", "by", "priority", "first", "collect",
  "unique", "default", "total", "merge", "check", "in", "where", "must", "may", "test", "given", "expect", "fires", "and",
  "or", "not", "has", "if", "else", "any", "all", "count", "sum", "of",
];
const KEYWORDS_ZH = [
  "政策", "使用", "来源", "条款", "枚举", "记录", "输入", "清单", "条目", "键", "来自", "令", "规则", "用于", "引用",
  "当", "则", "除非", "例外", "针对", "决定", "按", "优先", "首个", "汇总", "唯一", "默认", "完备", "合并", "检查", "每个",
  "属于", "不属于", "满足", "不得", "须", "应", "可", "测试", "给定", "预期", "触发", "且", "或", "非", "有值", "无值",
  "具有", "如果", "否则", "任一", "全部", "计数", "求和", "取", "集合",
];
const LITERALS = new Map([
  ["true", true], ["false", false], ["none", null], ["真", true], ["假", false], ["无", null],
]);
/** Two-word English keywords: first word → second word. */
const PAIRS = new Map([["not", "in"], ["must", "not"], ["is", ["some", "none"]], ["set", "of"]]);
const TYPES = new Set(["bool", "int", "decimal", "text", "date", "布尔", "整数", "小数", "文本", "日期"]);
const BUILTINS = new Set([
  "length", "contains", "starts_with", "min", "max", "year", "month", "days_between",
  "长度", "包含", "开头是", "最小", "最大", "年份", "月份", "相差天数",
]);
/** Keywords after which a name is being declared. */
const DECLARES = new Set([
  "policy", "source", "enum", "record", "input", "list", "let", "rule", "exception", "decision", "check", "test",
  "clause", "item", "use",
  "政策", "来源", "枚举", "记录", "输入", "清单", "令", "规则", "例外", "决定", "检查", "测试", "条款", "条目", "使用",
]);

export const KEYWORDS = new Set([...KEYWORDS_EN, ...KEYWORDS_ZH]);

const WS = /[ \t\r\n\u3000\uFEFF]+/y;
const COMMENT = /\/\/[^\n]*/y;
const STRING = /"(?:[^"\\\n]|\\.)*"?|“(?:[^”\\\n]|\\.)*”?/y;
// Digits, dots, minus signs and operators also in the full-width forms the grammar accepts
// (`fmt` writes them in ASCII).
const DATE = /[0-9０-９]{4}[-－][0-9０-９]{2}[-－][0-9０-９]{2}(?![0-9０-９])/y;
const NUMBER = /[0-9０-９]+(?:[.．][0-9０-９]+)?/y;
const WORD = /[\p{XID_Start}_][\p{XID_Continue}]*/uy;
const SPACES = /[ \t\u3000]+/y;
const OPS = /[=＝][=＝]|[!！][=＝]|[<＜][=＝]|[>＞][=＝]|[<>≤≥≠=+\-*\/?？＜＞＝＋－＊／]/y;

function at(re, text, i) {
  re.lastIndex = i;
  const m = re.exec(text);
  return m ? m[0].length : 0;
}

/**
 * The length of a keyword that is one only in its place (a name everywhere else, as
 * keywords.rs's CONTEXTUAL says), or 0: `自`/`至`/`until` before a date (Chinese ones may
 * touch it: `自2025-01-01起`), `起`/`止` right after one, and in a policy's head
 * `以 … 为准` / `as of`.
 */
function contextual(text, i, prev) {
  for (const w of ["自", "至", "until"]) {
    if (!text.startsWith(w, i)) continue;
    const gap = at(SPACES, text, i + w.length);
    if ((gap || w !== "until") && at(DATE, text, i + w.length + gap)) return w.length;
  }
  if ((text[i] === "起" || text[i] === "止") && prev?.kind === "date" && prev.end <= i) return 1;
  const lineStart = text.lastIndexOf("\n", i - 1) + 1;
  const line = text.slice(lineStart, (text.indexOf("\n", i) + 1 || text.length + 1) - 1);
  const before = text.slice(lineStart, i);
  if (/^[ \t\u3000]*政策[ \t\u3000]/.test(line)) {
    if (text.startsWith("为准", i)) return 2;
    if (text[i] === "以" && /[ \t\u3000]/.test(text[i + 1] ?? "") && text.slice(i).split("\n")[0].includes("为准")) return 1;
  }
  if (/^[ \t]*policy[ \t]/.test(line) && /[ \t]$/.test(before)) {
    const m = /^as[ \t]+of(?![\p{XID_Continue}])/u.exec(text.slice(i, i + 16));
    if (m) return m[0].length;
  }
  return 0;
}

/**
 * Tokens of `text`: `{ start, end, kind, text }` with kind one of comment, string, date,
 * number, keyword, literal, type, builtin, name, def (a name being declared), op, punct.
 * Whitespace is skipped. Never fails: an unknown character is a `punct` token of its own.
 */
export function tokenize(text) {
  const out = [];
  let i = 0;
  let declaring = false;
  while (i < text.length) {
    let n = at(WS, text, i);
    if (n) {
      i += n;
      continue;
    }
    const push = (kind, len) => {
      out.push({ start: i, end: i + len, kind, text: text.slice(i, i + len) });
      i += len;
    };
    if ((n = at(COMMENT, text, i))) {
      push("comment", n);
      continue;
    }
    const c = text[i];
    if (c === '"' || c === "“") {
      push("string", at(STRING, text, i));
      declaring = false;
      continue;
    }
    if ((n = at(DATE, text, i))) {
      push("date", n);
      continue;
    }
    if ((n = at(NUMBER, text, i))) {
      push(declaring ? "def" : "number", n); // a clause id may be a number: `条款 23`
      declaring = false;
      continue;
    }
    if ((n = contextual(text, i, out[out.length - 1]))) {
      push("keyword", n);
      declaring = false;
      continue;
    }
    if ((n = at(WORD, text, i))) {
      const word = text.slice(i, i + n);
      const pair = PAIRS.get(word);
      if (pair) {
        const sp = at(SPACES, text, i + n);
        if (sp) {
          WORD.lastIndex = i + n + sp;
          const next = WORD.exec(text);
          const seconds = Array.isArray(pair) ? pair : [pair];
          if (next && seconds.includes(next[0])) {
            push("keyword", n + sp + next[0].length);
            continue;
          }
        }
      }
      if (LITERALS.has(word)) push("literal", n);
      else if (KEYWORDS.has(word)) {
        push("keyword", n);
        declaring = DECLARES.has(word);
        continue;
      } else if (declaring) push("def", n);
      else if (TYPES.has(word)) push("type", n);
      else if (BUILTINS.has(word) && /^[ \t]*[(（]/.test(text.slice(i + n, i + n + 4))) push("builtin", n);
      else push("name", n);
      declaring = false;
      continue;
    }
    if ((n = at(OPS, text, i))) {
      push("op", n);
      continue;
    }
    const cp = text.codePointAt(i);
    push("punct", cp > 0xffff ? 2 : 1);
    if (c !== ":" && c !== "：") declaring = false;
  }
  return out;
}

// ------------------------------------------------------------------ positions

/** Index (UTF-16) in `text` of a 1-based line and column counted in characters (code points). */
export function indexOf(text, line, column) {
  let i = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", i);
    if (nl < 0) return text.length;
    i = nl + 1;
  }
  for (let c = 1; c < column && i < text.length && text[i] !== "\n"; c++) {
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return i;
}

/** Index (UTF-16) in `text` of a UTF-8 byte offset. */
export function indexOfByte(text, byte) {
  let b = 0;
  let i = 0;
  while (i < text.length && b < byte) {
    const cp = text.codePointAt(i);
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** 1-based line of a UTF-16 index. */
export function lineOf(text, index) {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

// ------------------------------------------------------------------ tests written in the policy

/**
 * The `test` blocks of a policy text: `[{ name, given: { INPUT: { field: value } }, expect:
 * [{ decision, outcome, fires }] }]`. Values are those a case file would hold: texts, enum
 * variants and row keys as strings, numbers as their text (`{ number: "12.50" }`), dates as
 * `{ date: "2025-01-06" }`, booleans, null, arrays, nested objects. Blocks that do not read
 * cleanly are skipped: this is for filling in a form, the checker is the judge.
 */
export function readTests(text) {
  const toks = tokenize(text).filter((t) => t.kind !== "comment");
  const tests = [];
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.kind !== "keyword" || (tk.text !== "test" && tk.text !== "测试")) continue;
    const name = toks[i + 1];
    if (!name || toks[i + 2]?.text !== "{") continue;
    const p = { toks, i: i + 3 };
    const test = { name: name.text, given: {}, expect: [] };
    try {
      while (p.i < toks.length && toks[p.i].text !== "}") {
        const k = toks[p.i];
        if (k.text === "given" || k.text === "给定") {
          const input = toks[p.i + 1].text;
          p.i += 2;
          test.given[input] = readValue(p);
        } else if (k.text === "expect" || k.text === "预期") {
          const decision = toks[p.i + 1].text;
          p.i += 3; // name =
          const path = [toks[p.i].text];
          p.i++;
          while (toks[p.i]?.text === ".") {
            path.push(toks[p.i + 1].text);
            p.i += 2;
          }
          const e = { decision, outcome: path[path.length - 1], fires: null };
          if (toks[p.i]?.text === "fires" || toks[p.i]?.text === "触发") {
            p.i += 2; // fires [
            e.fires = [];
            while (toks[p.i].text !== "]") {
              if (toks[p.i].kind === "name" || toks[p.i].kind === "def") e.fires.push(toks[p.i].text);
              p.i++;
            }
            p.i++;
          }
          test.expect.push(e);
        } else throw new Error("unexpected");
      }
      tests.push(test);
      i = p.i;
    } catch {
      // not readable: leave it to the checker
    }
  }
  return tests;
}

const isComma = (t) => t && t.kind === "punct" && (t.text === "," || t.text === "，" || t.text === "、");

function readValue(p) {
  const tk = p.toks[p.i];
  if (!tk) throw new Error("end");
  if (tk.text === "{") {
    p.i++;
    const obj = {};
    while (p.toks[p.i].text !== "}") {
      const key = p.toks[p.i].text;
      const colon = p.toks[p.i + 1];
      if (!colon || (colon.text !== ":" && colon.text !== "：")) throw new Error("colon");
      p.i += 2;
      obj[key] = readValue(p);
      if (isComma(p.toks[p.i])) p.i++;
    }
    p.i++;
    return obj;
  }
  if (tk.text === "[") {
    p.i++;
    const items = [];
    while (p.toks[p.i].text !== "]") {
      items.push(readValue(p));
      if (isComma(p.toks[p.i])) p.i++;
    }
    p.i++;
    return items;
  }
  p.i++;
  switch (tk.kind) {
    case "string":
      return unquote(tk.text);
    case "date":
      return { date: tk.text };
    case "number":
      return { number: tk.text };
    case "literal":
      return LITERALS.get(tk.text);
    case "op":
      if (tk.text === "-" && p.toks[p.i]?.kind === "number") return { number: `-${p.toks[p.i++].text}` };
      throw new Error("op");
    case "name":
    case "def":
      return tk.text;
    default:
      throw new Error("value");
  }
}

function unquote(s) {
  const body = s.slice(1, s.length - 1);
  return body.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}
