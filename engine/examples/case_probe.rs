// Temporary: instruction counts of json_line under callgrind (not to be committed).
use qingdan_engine::cases::CaseReader;
const POLICY: &str = r#"政策 网格事务准入
枚举 事项类别 { 政策宣传, 基础信息采集, 矛盾纠纷排查, 安全隐患排查, 特殊群体关爱, 代办服务, 应急处置, 执法检查 }
枚举 运行状态 { 平时, 战时 }
输入 申请 {
  名称: 文本
  类别: 事项类别
  法律依据: 文本?
  每月频次: 整数
  单次耗时分钟: 整数
  经费随转: 布尔
  需照片留痕: 布尔
  运行状态: 运行状态
  申请日期: 日期
  期限天数: 整数?
}
"#;
const LINE: &str = r#"{"名称":"防汛转移","类别":"应急处置","法律依据":"防洪法","每月频次":4,"单次耗时分钟":60,"经费随转":true,"需照片留痕":false,"运行状态":"战时","申请日期":"2024-07-01","期限天数":30}"#;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let program = qingdan_dsl::check_files(
        vec![("a.qd".into(), Ok(POLICY.as_bytes().to_vec()))],
        &mut qingdan_dsl::NoFiles,
    );
    let policy = qingdan_engine::lower(&program, None).expect("lowers");
    let reader = CaseReader::new(&policy);
    let mut ok = 0;
    let t = std::time::Instant::now();
    for _ in 0..n {
        ok += usize::from(reader.json_line(std::hint::black_box(LINE), 1).is_ok());
    }
    eprintln!("{ok} {:?} per line", t.elapsed() / n.max(1) as u32);
}
