// The clause coverage panel's drawing (coverage.mjs) on reports as `qingdan trace --as json`
// gives them: cited clauses with their citers grouped by kind (rows by list), links only for the
// edited policy's own citers, the clauses nothing cites with the out-of-scope reason or the
// note that none is given, the counts, both languages, and what shows without a report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { coverageHtml, citerGroups, counts, GRAPH_KINDS } from "../coverage.mjs";

const clause = (id, status, extra = {}) => ({ id, heading: null, wording: [], cited_by: [], out_of_scope: null, status, ...extra });

// Shaped as src/trace_cmd/mod.rs serialises `Trace`.
const REPORT = {
  sources: [
    {
      title: "杭州市人大常委会关于深化“四治融合”的决定",
      date: "2022-12-20",
      declared_as: ["社区工作事项准入.杭州决定"],
      full_text: "sources/hangzhou-2022.txt",
      clauses: [
        clause("一", "out_of_scope", { heading: "(一)", wording: ["from_text"], out_of_scope: "党组织领导基层治理的总体要求" }),
        clause("(二)", "uncited", { heading: "(二)" }),
        clause("四", "implemented", {
          heading: "(四)",
          wording: ["checked"],
          cited_by: [
            { policy: "社区工作事项准入", kind: "row", name: "依法履职事项清单 13" },
            { policy: "社区工作事项准入", kind: "row", name: "依法履职事项清单 21" },
            { policy: "社区工作事项准入", kind: "rule", name: "依法履职相近事项" },
            { policy: "社区工作事项准入", kind: "rule", name: "申报编号<为>依法履职" },
            { policy: "网格事务准入", kind: "exception", name: "他人的例外" },
            { policy: "社区工作事项准入", kind: "default", name: "准入结论" },
          ],
        }),
      ],
    },
    {
      title: "中华人民共和国城市居民委员会组织法",
      date: null,
      declared_as: ["社区工作事项准入.居委会组织法"],
      full_text: null,
      clauses: [clause("3", "implemented", { wording: ["unverified"], cited_by: [{ policy: "社区工作事项准入", kind: "check", name: "协助事项编号唯一" }] })],
    },
  ],
};

/** The items of the list after `heading` in `html`, as [clause id, status, text without tags]. */
function items(html) {
  return [...html.matchAll(/<li class="cov-clause"[^>]*data-clause="([^"]*)" data-status="([^"]*)">(.*?)<\/li>/g)].map((m) => [m[1], m[2], m[3].replace(/<[^>]+>/g, "")]);
}

test("citers are grouped by kind in the report's order, rows by their list", () => {
  const groups = citerGroups(REPORT.sources[0].clauses[2]);
  assert.deepEqual(groups.map((g) => [g.policy, g.kind, g.list, g.names]), [
    ["社区工作事项准入", "row", "依法履职事项清单", ["13", "21"]],
    ["社区工作事项准入", "rule", null, ["依法履职相近事项", "申报编号<为>依法履职"]],
    ["网格事务准入", "exception", null, ["他人的例外"]],
    ["社区工作事项准入", "default", null, ["准入结论"]],
  ]);
  assert.deepEqual(counts(REPORT.sources[0]), { implemented: 1, out_of_scope: 1, uncited: 1 });
  assert.deepEqual(GRAPH_KINDS.default, ["decision"]);
  assert.deepEqual(GRAPH_KINDS.row, ["list"]);
});

test("per source: cited clauses with their citers, then the clauses nothing cites with the reason", () => {
  const html = coverageHtml(REPORT, { lang: "zh", policy: "社区工作事项准入" });
  const sources = html.split('<section class="cov-source"').slice(1);
  assert.equal(sources.length, 2);
  const [first, second] = sources;
  assert.match(first, /<h3>杭州市人大常委会关于深化“四治融合”的决定 <span class="muted">\(2022-12-20\)<\/span><\/h3>/);
  assert.match(first, /声明为 杭州决定 · 全文 <code>sources\/hangzhou-2022.txt<\/code>/);
  assert.match(first, /1 有引用<\/span> <span class="cov-chip out_of_scope" data-status="out_of_scope">1 范围外<\/span> <span class="cov-chip uncited" data-status="uncited">1 无人引用<\/span> <span class="muted">共 3 条/);
  const cited = first.slice(first.indexOf("有引用的条款"), first.indexOf("无人引用的条款"));
  const rest = first.slice(first.indexOf("无人引用的条款"));
  assert.deepEqual(items(cited), [
    ["四", "implemented", "(四) 引文已与全文核对清单行 依法履职事项清单 13、21规则 依法履职相近事项、申报编号&lt;为&gt;依法履职网格事务准入 · 例外 他人的例外默认结论 准入结论"],
  ]);
  assert.deepEqual(items(rest), [
    ["一", "out_of_scope", "(一) 范围外 党组织领导基层治理的总体要求"],
    ["(二)", "uncited", "(二) 无人引用 未说明为何不在范围内"],
  ]);
  // The edited policy's own citers are links to their graph node (a row's: its list); another policy's are not.
  const links = [...first.matchAll(/<a href="#" class="cov-citer" data-testid="cov-citer" data-kind="([^"]*)" data-name="([^"]*)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(links, [
    ["row", "依法履职事项清单"],
    ["row", "依法履职事项清单"],
    ["rule", "依法履职相近事项"],
    ["rule", "申报编号&lt;为&gt;依法履职"],
    ["default", "准入结论"],
  ]);
  assert.ok(!first.includes('data-name="他人的例外"'), "a used policy's citer is not a link here");
  // A source without a full text: no path; every clause cited.
  assert.doesNotMatch(second, /全文/);
  assert.match(second, /每一条都有引用/);
  assert.deepEqual(items(second), [["3", "implemented", "3 引文未核检查 协助事项编号唯一"]]);
});

test("in English, and with no report or no sources", () => {
  const html = coverageHtml(REPORT, { lang: "en", policy: "社区工作事项准入" });
  assert.match(html, /declared as 杭州决定 · full text/);
  assert.match(html, />1 cited<\/span>.*>1 out of scope<\/span>.*>1 cited by nothing<\/span> <span class="muted">3 clauses/);
  assert.match(html, /Clauses cited<\/h4>.*Clauses nothing cites<\/h4>/);
  assert.match(html, /list rows 依法履职事项清单<\/span> <a[^>]*>13<\/a>, <a[^>]*>21<\/a>/);
  assert.match(html, /default of<\/span> <a[^>]*title="go to 准入结论 in the editor">准入结论<\/a>/);
  assert.match(html, /cited by nothing<\/span> <span class="cov-reason"><span class="muted">no policy says why it is out of scope/);
  assert.match(html, /every clause is cited/);
  assert.match(coverageHtml(null, { lang: "en" }), /shown once the policy has no errors/);
  assert.match(coverageHtml({ sources: [] }, { lang: "zh" }), /本政策没有声明来源/);
  // Without the edited policy's name, nothing is a link.
  assert.doesNotMatch(coverageHtml(REPORT, { lang: "zh" }), /cov-citer/);
});
