//! GoRules ZEN: the synthetic decision as one decision table (hit policy `collect`) between an
//! input and an output node. Each row is a rule or an exception; its outputs are the rule's
//! name and its conclusion (none for an exception that only cancels), so the collected rows
//! are the fired rules. An exception splits as in Cedar: the target's row requires the
//! exception not to hold, the exception's row requires the target to hold; a target whose
//! exception is a conjunction takes one row per way of not meeting it (rows of one rule never
//! match together). The four-way `优先` is applied to the collected rows by the caller.
//!
//! ZEN's evaluation is `async`; a decision table never suspends, so it is polled to the end
//! by [`crate::block_on`] with no runtime: what is timed is ZEN's own work.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use zen_engine::model::GraphContent;
use zen_engine::Decision;
use zen_engine::Variable;

use crate::{block_on, most_severe, rank_of, Rank, Verdict, OUTCOMES};

/// The table's input columns: id and the expression (over the input) each cell tests.
pub const COLUMNS: [(&str, &str); 15] = [
    ("category", "category"),
    ("basis", "basis"),
    ("frequency", "frequency"),
    ("minutes", "minutes"),
    ("funded", "funded"),
    ("photos", "photos"),
    ("forms", "forms"),
    ("duplicate", "duplicate"),
    ("ownChannel", "ownChannel"),
    ("mode", "mode"),
    ("filed", "filed"),
    ("termDays", "termDays"),
    ("grids", "grids"),
    // The policy's two lets: 月工作量分钟 and 人均经费.
    ("workload", "frequency * minutes"),
    ("perGrid", "budget / grids"),
];

/// One row: the rule it stands for, its conclusion, and its cells (column id, unary test).
type Row = (&'static str, Option<&'static str>, &'static [(&'static str, &'static str)]);

const REFUSE: Option<&str> = Some("不予准入");
const RETURN: Option<&str> = Some("退回补正");
const TEMPORARY: Option<&str> = Some("临时准入");
const ADMIT: Option<&str> = Some("常态准入");

pub const ROWS: &[Row] = &[
    ("执法类", REFUSE, &[("category", r#""执法检查""#)]),
    ("许可类", REFUSE, &[("category", r#""行政许可""#)]),
    ("认证类", REFUSE, &[("category", r#""资格认证""#)]),
    ("工作量超限", REFUSE, &[("workload", "> 600"), ("mode", r#""平时""#)]),
    ("频次过高", REFUSE, &[("frequency", "> 30")]),
    ("重复采集", REFUSE, &[("duplicate", "true")]),
    ("自建渠道", REFUSE, &[("ownChannel", "true")]),
    ("表格过多", REFUSE, &[("forms", "> 5")]),
    ("覆盖过广", REFUSE, &[("grids", "> 5000"), ("mode", r#""平时""#)]),
    ("单次过长", REFUSE, &[("minutes", "> 240")]),
    // 缺少依据 unless 短期免依据 (a term, of at most 7 days, in wartime).
    ("缺少依据", RETURN, &[("basis", "null"), ("termDays", "null")]),
    ("缺少依据", RETURN, &[("basis", "null"), ("termDays", "> 7")]),
    ("缺少依据", RETURN, &[("basis", "null"), ("termDays", "<= 7"), ("mode", r#""平时""#)]),
    // 经费未随转 unless 应急经费 (wartime and an emergency task).
    ("经费未随转", RETURN, &[("funded", "false"), ("mode", r#""平时""#)]),
    ("经费未随转", RETURN, &[("funded", "false"), ("mode", r#""战时""#), ("category", r#"!= "应急处置""#)]),
    // 照片留痕 unless 宣传照片.
    ("照片留痕", RETURN, &[("photos", "true"), ("category", r#"!= "政策宣传""#)]),
    ("经费不足", RETURN, &[("perGrid", "< 100")]),
    // 表格偏多 unless 应急免表格 (wartime).
    ("表格偏多", RETURN, &[("forms", "> 2"), ("mode", r#""平时""#)]),
    ("期限过长", RETURN, &[("termDays", "> 365")]),
    ("日期过早", RETURN, &[("filed", r#"< d("2023-01-01")"#)]),
    ("宣传过频", RETURN, &[("category", r#""政策宣传""#), ("frequency", "> 8")]),
    ("采集过频", RETURN, &[("category", r#""信息采集""#), ("frequency", "> 4")]),
    ("关爱超时", RETURN, &[("category", r#""群体关爱""#), ("minutes", "> 120")]),
    ("战时临时0", TEMPORARY, &[("mode", r#""战时""#), ("category", r#""应急处置""#)]),
    ("战时临时1", TEMPORARY, &[("mode", r#""战时""#), ("category", r#""纠纷排查""#)]),
    ("战时临时2", TEMPORARY, &[("mode", r#""战时""#), ("category", r#""隐患排查""#)]),
    ("战时临时3", TEMPORARY, &[("mode", r#""战时""#), ("category", r#""代办服务""#)]),
    // The exceptions, each with its target's condition.
    ("应急免表格", None, &[("forms", "> 2"), ("mode", r#""战时""#)]),
    ("应急经费", None, &[("funded", "false"), ("mode", r#""战时""#), ("category", r#""应急处置""#)]),
    ("短期免依据", None, &[("basis", "null"), ("termDays", "<= 7"), ("mode", r#""战时""#)]),
    ("宣传照片", REFUSE, &[("photos", "true"), ("category", r#""政策宣传""#)]),
    ("常规信息采集", ADMIT, &[("category", r#""信息采集""#), ("frequency", "<= 4")]),
    ("常规关爱", ADMIT, &[("category", r#""群体关爱""#)]),
];

/// The decision as JDM (GoRules' JSON Decision Model), as its editor would save it.
pub fn decision_json() -> Value {
    let inputs: Vec<Value> =
        COLUMNS.iter().map(|(id, field)| json!({ "id": id, "name": id, "field": field })).collect();
    let rules: Vec<Value> = ROWS
        .iter()
        .enumerate()
        .map(|(i, (rule, outcome, cells))| {
            let mut row = Map::new();
            row.insert("_id".into(), json!(format!("row{i}")));
            for (column, test) in cells.iter() {
                assert!(COLUMNS.iter().any(|(id, _)| id == column), "unknown column {column}");
                row.insert((*column).into(), json!(test));
            }
            row.insert("rule".into(), json!(format!("\"{rule}\"")));
            if let Some(o) = outcome {
                row.insert("outcome".into(), json!(format!("\"{o}\"")));
            }
            Value::Object(row)
        })
        .collect();
    json!({
        "nodes": [
            { "id": "input", "name": "申请", "type": "inputNode", "content": {} },
            { "id": "table", "name": "准入规则", "type": "decisionTableNode", "content": {
                "hitPolicy": "collect",
                "inputs": inputs,
                "outputs": [
                    { "id": "rule", "name": "规则", "field": "rule" },
                    { "id": "outcome", "name": "结论", "field": "outcome" }
                ],
                "rules": rules
            } },
            { "id": "output", "name": "准入结论", "type": "outputNode", "content": {} }
        ],
        "edges": [
            { "id": "in-table", "sourceId": "input", "targetId": "table" },
            { "id": "table-out", "sourceId": "table", "targetId": "output" }
        ]
    })
}

pub struct Zen {
    pub decision: Decision,
}

impl Zen {
    /// The decision, compiled once (its expressions to bytecode, the table's index).
    pub fn new() -> Zen {
        let content: GraphContent = serde_json::from_value(decision_json()).expect("the JDM reads");
        let mut decision = Decision::from(Arc::new(content));
        decision.compile();
        decision.validate().expect("the JDM is a valid graph");
        Zen { decision }
    }

    pub fn input(&self, input_json: &str) -> Variable {
        serde_json::from_str(input_json).expect("the input reads")
    }

    /// The collected rows: one object per fired rule.
    pub fn evaluate(&self, input: Variable) -> Variable {
        block_on(self.decision.evaluate(input)).expect("ZEN decides").result
    }

    /// The conclusion alone (what the benchmark times beside the engine's own work).
    pub fn outcome(&self, rows: &Variable) -> Rank {
        let Variable::Array(rows) = rows else { panic!("a collect table answers an array: {rows:?}") };
        let rows = rows.borrow();
        most_severe(rows.iter().map(|row| match row.dot("outcome") {
            Some(Variable::String(o)) => rank_of(&o),
            _ => None,
        }))
    }

    /// From JSON text: the input read, decided, concluded.
    pub fn decide_json(&self, input_json: &str) -> Rank {
        self.outcome(&self.evaluate(self.input(input_json)))
    }

    pub fn verdict(&self, rows: &Variable) -> Verdict {
        let Variable::Array(list) = rows else { panic!("a collect table answers an array: {rows:?}") };
        let fired: BTreeSet<String> = list
            .borrow()
            .iter()
            .map(|row| match row.dot("rule") {
                Some(Variable::String(r)) => r.to_string(),
                other => panic!("a row without its rule: {other:?}"),
            })
            .collect();
        Verdict { outcome: OUTCOMES[self.outcome(rows) as usize], fired }
    }
}

impl Default for Zen {
    fn default() -> Self {
        Zen::new()
    }
}
