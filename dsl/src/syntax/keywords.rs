//! The two keyword sets. The grammar accepts both; this table is what the formatter prints
//! and what syntax errors name. Keep it in step with `grammar.pest` (a test checks it).

use super::parse::Rule;
use crate::source::Lang;

macro_rules! keywords {
    ($($kw:ident $rule:ident $en:literal $zh:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Kw { $($kw,)* }

        impl Kw {
            pub const ALL: &'static [Kw] = &[$(Kw::$kw,)*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Kw::$kw, Lang::En) => $en, (Kw::$kw, Lang::Zh) => $zh,)*
                }
            }

            pub fn from_rule(rule: Rule) -> Option<Kw> {
                match rule {
                    $(Rule::$rule => Some(Kw::$kw),)*
                    _ => None,
                }
            }
        }
    };
}

keywords! {
    Policy kw_policy "policy" "政策";
    Use kw_use "use" "使用";
    Source kw_source "source" "来源";
    Clause kw_clause "clause" "条款";
    FullText kw_full_text "full text" "全文";
    Summary kw_summary "summary" "摘要";
    Unverified kw_unverified "unverified" "未核";
    OutOfScope kw_out_of_scope "out of scope" "范围外";
    Enum kw_enum "enum" "枚举";
    Record kw_record "record" "记录";
    Input kw_input "input" "输入";
    List kw_list "list" "清单";
    Item kw_item "item" "条目";
    Key kw_key "key" "键";
    From kw_from "from" "来自";
    Let kw_let "let" "令";
    Rule kw_rule "rule" "规则";
    ForDecision kw_for_decision "for" "用于";
    Cite kw_cite "cite" "引用";
    When kw_when "when" "当";
    Then kw_then "then" "则";
    Unless kw_unless "unless" "除非";
    Exception kw_exception "exception" "例外";
    To kw_to "to" "针对";
    Decision kw_decision "decision" "决定";
    By kw_by "by" "按";
    Priority kw_priority "priority" "优先";
    First kw_first "first" "首个";
    Collect kw_collect "collect" "汇总";
    Unique kw_unique "unique" "唯一";
    Default kw_default "default" "默认";
    Total kw_total "total" "完备";
    Merge kw_merge "merge" "合并";
    Check kw_check "check" "检查";
    ForEach kw_for_each "for" "每个";
    In kw_in "in" "属于";
    NotIn kw_not_in "not in" "不属于";
    Where kw_where "where" "满足";
    MustNot kw_must_not "must not" "不得";
    Must kw_must "must" "须";
    May kw_may "may" "可";
    Test kw_test "test" "测试";
    Given kw_given "given" "给定";
    Expect kw_expect "expect" "预期";
    Fires kw_fires "fires" "触发";
    And kw_and "and" "且";
    Or kw_or "or" "或";
    Not kw_not "not" "非";
    IsSome kw_is_some "is some" "有值";
    IsNone kw_is_none "is none" "无值";
    Has kw_has "has" "具有";
    If kw_if "if" "如果";
    Else kw_else "else" "否则";
    True kw_true "true" "真";
    False kw_false "false" "假";
    None kw_none "none" "无";
    Any kw_any "any" "任一";
    All kw_all "all" "全部";
    Count kw_count "count" "计数";
    Sum kw_sum "sum" "求和";
    Of kw_of "of" "取";
    SetOf kw_set_of "set of" "集合";
    Since kw_since "from" "自";
    Until kw_until "until" "至";
    AsOf kw_as_of "as of" "以";
}

/// Words that are keywords only in one place (a source's head, after a clause's number)
/// and stay usable as names everywhere else: never "a keyword, cannot be a name".
pub const CONTEXTUAL: &[Kw] =
    &[Kw::FullText, Kw::Summary, Kw::Unverified, Kw::OutOfScope, Kw::Since, Kw::Until, Kw::AsOf];

/// Chinese keywords that drafters may glue to the next word (`当月工作量`), for hints.
pub fn glued_chinese_keyword(word: &str) -> Option<&'static str> {
    let mut best: Option<&'static str> = None;
    for kw in Kw::ALL.iter().filter(|k| !CONTEXTUAL.contains(k)) {
        let zh = kw.text(Lang::Zh);
        if word.len() > zh.len() && word.starts_with(zh) && best.is_none_or(|b| zh.len() > b.len()) {
            best = Some(zh);
        }
    }
    best
}

/// Names of the primitive types, in both languages.
pub const PRIMITIVE_TYPES: &[(&str, &str)] =
    &[("bool", "布尔"), ("int", "整数"), ("decimal", "小数"), ("text", "文本"), ("date", "日期")];
