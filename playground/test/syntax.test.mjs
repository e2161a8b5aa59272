// The page's highlighter reads the full-width forms the grammar accepts as what they stand for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tokenize } from "../syntax.mjs";

const kinds = (text) => tokenize(text).map((t) => [t.kind, t.text]);

test("full-width operators, digits and dates are highlighted as their ASCII forms are", () => {
  assert.deepEqual(kinds("当 年龄 ＞＝ １８"), [["keyword", "当"], ["name", "年龄"], ["op", "＞＝"], ["number", "１８"]]);
  assert.deepEqual(kinds("x ＞= 1．5"), [["name", "x"], ["op", "＞="], ["number", "1．5"]]);
  assert.deepEqual(kinds("d ＜ ２０２５－０１－０１"), [["name", "d"], ["op", "＜"], ["date", "２０２５－０１－０１"]]);
  assert.deepEqual(kinds("a ！＝ b"), [["name", "a"], ["op", "！＝"], ["name", "b"]]);
  // A full-width digit inside a name stays part of the name.
  assert.deepEqual(kinds("第１条"), [["name", "第１条"]]);
});
