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

test("effective dates: 自/至/起/止, 以 … 为准 and from/until/as of are keywords in their places only", () => {
  assert.deepEqual(kinds("政策 救助 以 申请.申请日期 为准"), [
    ["keyword", "政策"], ["def", "救助"], ["keyword", "以"], ["name", "申请"], ["punct", "."], ["name", "申请日期"],
    ["keyword", "为准"],
  ]);
  assert.deepEqual(kinds("令 限额 自 2025-01-01 起 至 2025-12-31 止 = 3"), [
    ["keyword", "令"], ["def", "限额"], ["keyword", "自"], ["date", "2025-01-01"], ["keyword", "起"],
    ["keyword", "至"], ["date", "2025-12-31"], ["keyword", "止"], ["op", "="], ["number", "3"],
  ]);
  // Glued to the date, as the grammar allows; a row's range after its key.
  assert.deepEqual(kinds("条目 \"A\" 自2026-01-01起 {}").slice(2, 5), [
    ["keyword", "自"], ["date", "2026-01-01"], ["keyword", "起"],
  ]);
  assert.deepEqual(kinds("policy aid as of application.day"), [
    ["keyword", "policy"], ["def", "aid"], ["keyword", "as of"], ["name", "application"], ["punct", "."], ["name", "day"],
  ]);
  assert.deepEqual(kinds("let limit from 2025-01-01 until 2025-12-31 = 3").slice(2, 6), [
    ["keyword", "from"], ["date", "2025-01-01"], ["keyword", "until"], ["date", "2025-12-31"],
  ]);
  // Elsewhere they are names.
  assert.deepEqual(kinds("令 自 = 以 + 至 + until"), [
    ["keyword", "令"], ["def", "自"], ["op", "="], ["name", "以"], ["op", "+"], ["name", "至"], ["op", "+"], ["name", "until"],
  ]);
});
