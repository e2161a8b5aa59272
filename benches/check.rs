//! How long `qingdan check` takes on a generated policy with a 2,000-item list (the
//! size of a large township duty list), split into parsing and the whole front end.
//! Run with `cargo bench --bench check`; figures go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qingdan_dsl::program::{check_files, parse_files};
use qingdan_dsl::NoFiles;

#[path = "big_list.rs"]
mod big_list;

/// A policy with a department list and a duty list of `n` rows that refer to it.
pub fn generated_policy(n: usize) -> String {
    let mut text = String::from(
        "政策 乡镇职责\n来源 杭州决定 \"关于深化“四治融合”的决定\" { 条款 三 \"乡镇职责\" }\n\
         枚举 清单类型 { 基本, 配合, 收回 }\n枚举 领域 { 党的建设, 经济发展, 公共服务, 平安法治, 社会治理, 自然资源 }\n\
         记录 部门 { 代码: 文本, 名称: 文本 }\n\
         记录 职责 { 编号: 文本, 名称: 文本, 类型: 清单类型, 领域: 领域, 牵头: 部门清单, 配合: 集合 部门清单, 依据: 文本?, 年工作量: 整数 }\n\
         清单 部门清单: 部门 键 代码 {\n",
    );
    for d in 0..40 {
        text.push_str(&format!("  条目 \"D{d:02}\" {{ 名称: \"部门{d}\" }}\n"));
    }
    text.push_str("}\n清单 职责清单: 职责 键 编号 {\n");
    let kinds = ["基本", "配合", "收回"];
    let areas = ["党的建设", "经济发展", "公共服务", "平安法治", "社会治理", "自然资源"];
    for i in 0..n {
        text.push_str(&format!(
            "  条目 \"ZZ-{i:05}\" {{ 名称: \"第{i}项职责\", 类型: {}, 领域: {}, 牵头: \"D{:02}\", 配合: [\"D{:02}\", \"D{:02}\"], 依据: \"某法第{}条\", 年工作量: {} }}\n",
            kinds[i % 3], areas[i % 6], i % 40, (i + 1) % 40, (i + 7) % 40, i % 90 + 1, i % 500
        ));
    }
    text.push_str(
        "}\n检查 收回事项须有承接部门 引用 杭州决定.三 {\n  每个 项 属于 职责清单 满足 项.类型 == 收回\n  须 长度(项.牵头.名称) > 0 \"收回事项须写明承接部门\"\n}\n",
    );
    text
}

fn bench(c: &mut Criterion) {
    let text = generated_policy(2_000);
    let mut group = c.benchmark_group("check_2000_items");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| parse_files(vec![("duties.qd".into(), Ok(text.clone().into_bytes()))]))
    });
    group.bench_function("parse_and_check", |b| {
        b.iter(|| {
            let program =
                check_files(vec![("duties.qd".into(), Ok(text.clone().into_bytes()))], &mut NoFiles);
            assert!(!program.has_errors());
            program
        })
    });
    group.finish();
}

/// The duty list of 100,000 rows read from an 8 MB CSV file: front end (reading, checking)
/// and then the analyser (lowering, list integrity), as `qingdan check` runs them.
fn big_list(c: &mut Criterion) {
    let policy = big_list::big_list_policy("职责.csv");
    let csv = big_list::big_list_csv(100_000).into_bytes();
    let mut group = c.benchmark_group("check_csv_100000_rows");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(csv.len() as u64));
    let check = || {
        let files = vec![("职责.qd".into(), Ok(policy.clone().into_bytes()))];
        check_files(files, &mut big_list::CsvBeside(csv.clone()))
    };
    let program = check();
    assert!(!program.has_errors(), "the generated list checks");
    assert_eq!(program.included.values().map(qingdan_dsl::include::FileRows::len).sum::<usize>(), 100_000);
    group.bench_function("check", |b| b.iter(check));
    group.bench_function("check_and_analyse", |b| {
        b.iter(|| qingdan_engine::analyse::program_diagnostics(&check()).len())
    });
    group.finish();
}

criterion_group!(benches, bench, big_list);
criterion_main!(benches);
