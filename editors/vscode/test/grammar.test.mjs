// The TextMate grammar on real text, through the engine VS Code itself uses (vscode-textmate
// with the Oniguruma regex library): every keyword of both sets gets a keyword scope, names
// that start with a keyword do not, and every bundled policy tokenises to a snapshot-checked
// listing for one of them. `UPDATE=1 node --test test/` writes the snapshot anew.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");

async function loadGrammar() {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => {
      if (scope !== "source.qingdan") return null;
      const path = join(here, "..", "syntaxes", "qingdan.tmLanguage.json");
      return vsctm.parseRawGrammar(readFileSync(path, "utf8"), path);
    },
  });
  return registry.loadGrammar("source.qingdan");
}

const grammar = await loadGrammar();

/** Each line's tokens as [text, innermost scope]; `ends` collects whether each line ended
 *  outside any string (strings never span lines in the language). */
function tokenize(text, ends = []) {
  const outside = grammar.tokenizeLine("", vsctm.INITIAL).ruleStack;
  let state = vsctm.INITIAL;
  return text.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    ends.push(state.equals(outside));
    return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]]);
  });
}

/** The keyword table of dsl/src/syntax/keywords.rs: [English, Chinese] per keyword. */
function keywords() {
  const source = readFileSync(join(repo, "dsl", "src", "syntax", "keywords.rs"), "utf8");
  const found = [...source.matchAll(/^\s+\w+ kw_\w+ "([^"]+)" "([^"]+)";$/gm)].map((m) => [m[1], m[2]]);
  assert.ok(found.length > 50, `read ${found.length} keywords from keywords.rs`);
  return found;
}

const keywordScope = /^(storage\.type|keyword\.|constant\.language)/;

test("every keyword of both sets is scoped as a keyword", () => {
  for (const pair of keywords()) {
    for (const kw of pair) {
      const [tokens] = tokenize(`甲 ${kw} 乙`);
      const hit = tokens.find(([t]) => t === kw);
      assert.ok(hit, `\`${kw}\` is one token in ${JSON.stringify(tokens)}`);
      assert.match(hit[1], keywordScope, `\`${kw}\``);
    }
  }
});

test("a name that begins with a keyword is a name, as the language reads it", () => {
  for (const line of ["当月工作量", "则例", "input_field", "notice"]) {
    const [tokens] = tokenize(line);
    assert.ok(tokens.every(([, scope]) => !keywordScope.test(scope)), `${line}: ${JSON.stringify(tokens)}`);
  }
});

function policies(dir = join(repo, "policies")) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return policies(path);
    return name.endsWith(".qd") ? [path] : [];
  });
}

test("every bundled policy tokenises: each declaration keyword scoped, each string closed on its line", () => {
  const files = policies();
  assert.ok(files.length >= 8, `${files.length} policies`);
  for (const file of files) {
    const ends = [];
    const lines = tokenize(readFileSync(file, "utf8"), ends);
    lines.forEach((tokens, i) => {
      assert.ok(ends[i], `${file}:${i + 1} ends inside a string`);
      const first = tokens.find(([t]) => t.trim() !== "");
      if (first && /^(政策|来源|枚举|记录|输入|清单|令|规则|例外|决定|检查|测试|使用)$/.test(first[0])) {
        assert.match(first[1], /^storage\.type/, `${file}:${i + 1}`);
      }
    });
  }
});

test("the tokens of the referral policy match the snapshot", () => {
  const text = readFileSync(join(repo, "policies", "enforcement_catalogue", "referral.qd"), "utf8");
  const listing = tokenize(text)
    .map((tokens, i) => tokens.filter(([t, s]) => s !== "source.qingdan" && t.trim() !== "").map(([t, s]) => `${i + 1}\t${s}\t${t}`))
    .flat()
    .join("\n") + "\n";
  const snapshot = join(here, "referral.tokens.txt");
  if (process.env.UPDATE) writeFileSync(snapshot, listing);
  assert.equal(listing, readFileSync(snapshot, "utf8"));
});
