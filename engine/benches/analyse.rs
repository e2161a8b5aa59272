//! Analyser speed: the largest bundled policy (grid admission, with its two CSV lists), a
//! generated policy whose list has 10,000 rows, and the semantic diff of the bundled policy
//! against a copy with one threshold changed. Run with `cargo bench -p qingdan-engine
//! --bench analyse`; figures go to BENCHMARKS.md.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use qingdan_dsl::program::check_files;
use qingdan_dsl::{LoadError, Loader, NoFiles};
use qingdan_engine::analyse::{analyse, diff};
use qingdan_engine::{lower, Policy};

/// Reads the data files a bundled policy names, beside it.
struct Beside;

impl Loader for Beside {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        let full = Path::new(from).parent().unwrap_or(Path::new("")).join(path);
        let bytes = std::fs::read(&full).map_err(|e| e.to_string())?;
        Ok((full.to_string_lossy().into_owned(), bytes))
    }

    /// Full texts (`全文`) are in `policies/sources/`, the folder above the policy's.
    fn load_text(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        let folder = Path::new(from).parent().unwrap_or(Path::new(""));
        let full = folder.parent().unwrap_or(Path::new("")).join(path);
        let bytes = std::fs::read(&full).map_err(|e| e.to_string())?;
        Ok((full.to_string_lossy().into_owned(), bytes))
    }

    fn find_policy(&mut self, _from: &str, _name: &str) -> Option<(String, Vec<u8>)> {
        None
    }
}

fn bundled_admission() -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/grid_admission/admission.qd");
    let text = std::fs::read_to_string(&path).expect("the bundled admission policy");
    (path, text)
}

fn lowered(path: &Path, text: &str, loader: &mut dyn Loader) -> Policy {
    let name = path.to_string_lossy().into_owned();
    let program = check_files(vec![(name, Ok(text.as_bytes().to_vec()))], loader);
    assert!(!program.has_errors(), "{:?}", program.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>());
    lower(&program, None).expect("lowers")
}

/// A township-style duty list of `n` rows, checks over it, and a decision on an input
/// that names one of its rows.
pub fn generated_policy(n: usize) -> String {
    let mut text = String::from(
        r#"policy 大清单
source s "杭州决定" { clause 三 "乡镇职责" clause 九 "执法改革" }
enum 类型 { 基本, 配合, 收回 }
enum 状态 { 已赋权, 未赋权 }
enum 层级 { 区级, 街道 }
record 部门 { 编号: text, 层级: 层级 }
list 部门清单: 部门 key 编号 { item "QU" { 层级: 区级 } item "JD" { 层级: 街道 } }
record 事项 { 编号: text, 序号: int, 类型: 类型, 状态: 状态, 牵头: 部门清单, 承接: 部门清单? }
list 事项清单: 事项 key 编号 {
"#,
    );
    for i in 0..n {
        let (kind, state, lead) = match i % 3 {
            0 => ("基本", "已赋权", "JD"),
            1 => ("配合", "未赋权", "QU"),
            _ => ("收回", "未赋权", "QU"),
        };
        let taken = if i % 3 == 2 { ", 承接: \"QU\"" } else { "" };
        text.push_str(&format!(
            "  item \"SX-{i:05}\" {{ 序号: {i}, 类型: {kind}, 状态: {state}, 牵头: \"{lead}\"{taken} }}\n"
        ));
    }
    text.push_str(
        r#"}
check 收回有承接 cite s.三 {
  for x in 事项清单 where x.类型 == 收回
  must x has 承接 "收回事项须有承接部门"
}
check 赋权由街道牵头 cite s.九 {
  for x in 事项清单 where x.状态 == 已赋权
  must x.牵头.层级 == 街道 "赋权事项由街道牵头"
}
enum 结论 { 可以交办, 交由上级, 补充程序, 不得交办 }
input 任务 { 事项: 事项清单?, 紧急: bool, 次数: int, 日期: date }
rule 不在清单 cite s.三 { when 任务.事项 is none then 不得交办 "清单之外无事项" }
rule 基本 cite s.三 { when 任务.事项 is some and 任务.事项.类型 == 基本 then 可以交办 "基本履职" }
rule 配合 cite s.三 { when 任务.事项 is some and 任务.事项.类型 == 配合 and 任务.次数 <= 12 then 可以交办 "配合履职" }
rule 过频 cite s.三 { when 任务.次数 > 12 and not 任务.紧急 then 补充程序 "频次过高" }
rule 收回 cite s.三 { when 任务.事项 is some and 任务.事项.类型 == 收回 then 交由上级 "收回事项" }
rule 过期 cite s.九 { when 任务.日期 < 2024-01-01 then 不得交办 "申请过期" }
decision 交办审查: 结论 by priority 不得交办 > 交由上级 > 补充程序 > 可以交办 default 不得交办 "未找到依据"
"#,
    );
    text
}

fn benches(c: &mut Criterion) {
    let (path, text) = bundled_admission();
    let admission = lowered(&path, &text, &mut Beside);
    let changed_text = text.replacen("令 单项每月工作量上限分钟 = 600", "令 单项每月工作量上限分钟 = 480", 1);
    assert_ne!(changed_text, text, "the threshold the diff benchmark changes has moved");
    let changed = lowered(&path, &changed_text, &mut Beside);
    let big = lowered(Path::new("big.qd"), &generated_policy(10_000), &mut NoFiles);

    let mut g = c.benchmark_group("analyse");
    g.sample_size(20);
    g.bench_function("bundled_admission", |b| b.iter(|| analyse(&admission)));
    g.bench_function("list_10000_rows", |b| b.iter(|| analyse(&big)));
    g.bench_function("diff_bundled_admission_threshold", |b| {
        b.iter(|| diff(&admission, &changed, [None, None]).decisions.len())
    });
    g.finish();
}

criterion_group!(analyser, benches);
criterion_main!(analyser);
