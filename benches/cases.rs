//! How long reading one case takes: a realistic 10-field application (the admission input),
//! as one JSON Lines line, into the slot vector the interpreter reads.
//! Run with `cargo bench --bench cases`; figures go to BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qingdan_dsl::program::check_files;
use qingdan_dsl::NoFiles;
use qingdan_engine::cases::CaseReader;

/// The admission input as first bundled (policies/grid_admission grows; the benchmark
/// keeps its case fixed so figures compare across versions).
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

/// Ten fields: text, enums, optional text and int, ints, booleans, a date.
const LINE: &str = r#"{"名称":"防汛转移","类别":"应急处置","法律依据":"防洪法","每月频次":4,"单次耗时分钟":60,"经费随转":true,"需照片留痕":false,"运行状态":"战时","申请日期":"2024-07-01","期限天数":30}"#;

fn bench(c: &mut Criterion) {
    let program = check_files(vec![("admission.qd".into(), Ok(POLICY.as_bytes().to_vec()))], &mut NoFiles);
    let policy = qingdan_engine::lower(&program, None).expect("the policy lowers");
    let reader = CaseReader::new(&policy);
    assert!(reader.json_line(LINE, 1).is_ok(), "the benchmark case reads");
    // An escape in a string sends the line past the scanner to the `serde` reader.
    let escaped = LINE.replace("防汛转移", "防汛\\u8f6c移");
    assert!(reader.json_line(&escaped, 1).is_ok(), "the escaped case reads");

    let mut group = c.benchmark_group("cases");
    group.throughput(Throughput::Elements(1));
    group.bench_function("json_line_10_fields", |b| b.iter(|| reader.json_line(black_box(LINE), 1)));
    group.bench_function("json_line_10_fields_serde_reader", |b| {
        b.iter(|| reader.json_line(black_box(&escaped), 1))
    });
    // The floor: serde_json only checking the line's syntax, keeping nothing.
    group.bench_function("serde_json_ignored_any", |b| {
        b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(LINE)).is_ok())
    });

    // What an embedding Rust service holds: the case already parsed into a
    // `serde_json::Value`, read without printing it back to text.
    let tree: serde_json::Value = serde_json::from_str(LINE).expect("the case is JSON");
    assert_eq!(reader.json_value(&tree, 1), reader.json_line(LINE, 1), "the tree reads as its text");
    group.bench_function("json_value_10_fields", |b| b.iter(|| reader.json_value(black_box(&tree), 1)));
    // Printing it back and reading the text: what an embedder did before `json_value`.
    group.bench_function("json_value_printed_and_read_as_text", |b| {
        b.iter(|| reader.json_line(&serde_json::to_string(black_box(&tree)).expect("printable"), 1))
    });

    // The stream: 10,000 such lines through `lines` (line splitting, UTF-8 check, reading).
    let stream: String = std::iter::repeat_n(format!("{LINE}\n"), 10_000).collect();
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("lines_10000", |b| {
        b.iter(|| reader.lines(black_box(stream.as_bytes())).filter(Result::is_ok).count())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
