//! Shared by the benchmarks (engine/benches/eval.rs and the root benches/wasm.rs): a
//! synthetic 30-rule admission policy, a typical case, and generated JSON Lines cases.

use qingdan_dsl::program::check_files;
use qingdan_dsl::NoFiles;
use qingdan_engine::value::FromLiteral;
use qingdan_engine::{lower, Policy, Value};

/// A grid-admission policy shaped like the real one: categories, workload, evidence,
/// funding, emergencies, with 30 rules and exceptions over enums, ints, bools, optional
/// text and dates.
pub fn admission_policy() -> String {
    let mut text = String::from(
        r#"政策 网格事务准入基准
来源 杭州决定 "杭州市人大常委会关于深化“四治融合”的决定" (2022-12-20) { 条款 五 "网格事务准入" 条款 十 "平战结合" }
枚举 事项类别 { 政策宣传, 信息采集, 纠纷排查, 隐患排查, 群体关爱, 代办服务, 应急处置, 执法检查, 行政许可, 资格认证 }
枚举 运行状态 { 平时, 战时 }
枚举 结论 { 常态准入, 临时准入, 退回补正, 不予准入 }
输入 申请 {
  类别: 事项类别
  法律依据: 文本?
  每月频次: 整数
  单次耗时分钟: 整数
  经费随转: 布尔
  需照片留痕: 布尔
  需填报表格数: 整数
  重复采集: 布尔
  自建渠道: 布尔
  运行状态: 运行状态
  申请日期: 日期
  期限天数: 整数?
  覆盖网格数: 整数
  预算: 小数
}
令 月工作量分钟 = 申请.每月频次 * 申请.单次耗时分钟
令 人均经费 = 申请.预算 / 申请.覆盖网格数
"#,
    );
    let refusals = [
        ("执法类", "申请.类别 == 执法检查"),
        ("许可类", "申请.类别 == 行政许可"),
        ("认证类", "申请.类别 == 资格认证"),
        ("工作量超限", "月工作量分钟 > 600 且 申请.运行状态 == 平时"),
        ("频次过高", "申请.每月频次 > 30"),
        ("重复采集", "申请.重复采集"),
        ("自建渠道", "申请.自建渠道"),
        ("表格过多", "申请.需填报表格数 > 5"),
        ("覆盖过广", "申请.覆盖网格数 > 5000 且 申请.运行状态 == 平时"),
        ("单次过长", "申请.单次耗时分钟 > 240"),
    ];
    let returns = [
        ("缺少依据", "申请.法律依据 无值"),
        ("经费未随转", "非 申请.经费随转"),
        ("照片留痕", "申请.需照片留痕"),
        ("经费不足", "人均经费 < 100"),
        ("表格偏多", "申请.需填报表格数 > 2"),
        ("期限过长", "申请.期限天数 有值 且 申请.期限天数 > 365"),
        ("日期过早", "申请.申请日期 < 2023-01-01"),
        ("宣传过频", "申请.类别 == 政策宣传 且 申请.每月频次 > 8"),
        ("采集过频", "申请.类别 == 信息采集 且 申请.每月频次 > 4"),
        ("关爱超时", "申请.类别 == 群体关爱 且 申请.单次耗时分钟 > 120"),
    ];
    for (name, cond) in refusals {
        text.push_str(&format!("规则 {name} 引用 杭州决定.五 {{ 当 {cond} 则 不予准入 \"{name}\" }}\n"));
    }
    for (name, cond) in returns {
        text.push_str(&format!("规则 {name} 引用 杭州决定.五 {{ 当 {cond} 则 退回补正 \"{name}\" }}\n"));
    }
    for (i, cat) in ["应急处置", "纠纷排查", "隐患排查", "代办服务"].iter().enumerate() {
        text.push_str(&format!(
            "规则 战时临时{i} 引用 杭州决定.十 {{ 当 申请.运行状态 == 战时 且 申请.类别 == {cat} 则 临时准入 \"战时临时准入\" }}\n"
        ));
    }
    text.push_str(
        "例外 应急免表格 针对 表格偏多 引用 杭州决定.十 { 当 申请.运行状态 == 战时 }\n\
         例外 应急经费 针对 经费未随转 引用 杭州决定.十 { 当 申请.运行状态 == 战时 且 申请.类别 == 应急处置 }\n\
         例外 短期免依据 针对 缺少依据 引用 杭州决定.十 { 当 申请.期限天数 有值 且 申请.期限天数 <= 7 且 申请.运行状态 == 战时 }\n\
         例外 宣传照片 针对 照片留痕 引用 杭州决定.五 { 当 申请.类别 == 政策宣传 且 申请.需照片留痕 则 不予准入 \"以照片留痕考核宣传\" }\n\
         规则 常规信息采集 引用 杭州决定.五 { 当 申请.类别 == 信息采集 且 申请.每月频次 <= 4 则 常态准入 \"常规采集\" }\n\
         规则 常规关爱 引用 杭州决定.五 { 当 申请.类别 == 群体关爱 则 常态准入 \"群体关爱\" }\n\
         决定 准入结论: 结论 按 优先 不予准入 > 退回补正 > 临时准入 > 常态准入 默认 常态准入 \"符合准入条件\"\n",
    );
    text
}

pub fn lowered(text: &str) -> Policy {
    let program = check_files(vec![("bench.qd".into(), Ok(text.as_bytes().to_vec()))], &mut NoFiles);
    assert!(
        program.diagnostics.is_empty(),
        "{:?}",
        program.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
    );
    lower(&program, None).expect("lowers")
}

/// A typical application: nothing wrong with it, so every rule is tested and none fires.
pub fn typical_case(p: &Policy) -> Vec<Value> {
    let slot = |name: &str| p.slots.iter().position(|s| s.path[0] == name).expect("slot");
    let mut case = vec![Value::None; p.slots.len()];
    let date = qingdan_dsl::value::Date::parse("2024-05-01").expect("date");
    for (name, v) in [
        ("类别", Value::Enum(1)),
        ("法律依据", Value::text("《浙江省网格化服务管理条例》")),
        ("每月频次", Value::Int(2)),
        ("单次耗时分钟", Value::Int(30)),
        ("经费随转", Value::Bool(true)),
        ("需照片留痕", Value::Bool(false)),
        ("需填报表格数", Value::Int(1)),
        ("重复采集", Value::Bool(false)),
        ("自建渠道", Value::Bool(false)),
        ("运行状态", Value::Enum(0)),
        ("申请日期", Value::from_date(date)),
        ("覆盖网格数", Value::Int(120)),
        ("预算", Value::Dec(60_000 * 1_000_000)),
    ] {
        case[slot(name)] = v;
    }
    case
}

/// `n` varied applications as JSON Lines: different categories, workloads, evidence and
/// modes, so that every kind of rule fires somewhere.
pub fn jsonl_cases(n: usize) -> String {
    let cats =
        ["政策宣传", "信息采集", "纠纷排查", "隐患排查", "群体关爱", "代办服务", "应急处置", "执法检查"];
    let mut out = String::with_capacity(n * 330);
    for i in 0..n {
        let basis = if i % 7 == 0 {
            String::new()
        } else {
            "\"法律依据\":\"《浙江省网格化服务管理条例》\",".to_string()
        };
        let term = if i % 3 == 0 { format!(",\"期限天数\":{}", i % 400) } else { String::new() };
        out.push_str(&format!(
            "{{\"类别\":\"{}\",{basis}\"每月频次\":{},\"单次耗时分钟\":{},\"经费随转\":{},\"需照片留痕\":{},\"需填报表格数\":{},\"重复采集\":{},\"自建渠道\":false,\"运行状态\":\"{}\",\"申请日期\":\"2024-0{}-1{}\",\"覆盖网格数\":{},\"预算\":\"{}.50\"{term}}}\n",
            cats[i % cats.len()],
            i % 12 + 1,
            (i * 7) % 90 + 10,
            i % 5 != 0,
            i % 11 == 0,
            i % 4,
            i % 97 == 0,
            if i % 13 == 0 { "战时" } else { "平时" },
            i % 9 + 1,
            i % 10,
            i % 300 + 1,
            (i * 37) % 90_000 + 500,
        ));
    }
    out
}
