//! A township duty list of `n` rows kept in a CSV file beside its policy: the input of
//! BENCHMARKS.md's "a 100,000-row duty list from CSV" (issue 18). Shared by
//! `benches/check.rs` (in memory) and `examples/big_list.rs` (written to files).
//!
//! The policy declares a 40-row department list in its own text and reads the duty list
//! (a reference column `牵头`, a set column `配合`, enums, an optional text, an int) from
//! `职责.csv`, with one check over every row. At 100,000 rows the CSV is about 8 MB.

/// The policy text; its duty list comes `from` the CSV file named `csv_name`.
pub fn big_list_policy(csv_name: &str) -> String {
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
    text.push_str(&format!("}}\n清单 职责清单: 职责 键 编号 来自 \"{csv_name}\"\n"));
    text.push_str(
        "检查 收回事项须有承接部门 引用 杭州决定.三 {\n  每个 项 属于 职责清单 满足 项.类型 == 收回\n  须 长度(项.牵头.名称) > 0 \"收回事项须写明承接部门\"\n}\n",
    );
    text
}

/// The CSV rows (UTF-8, header first): about 80 bytes a row.
pub fn big_list_csv(n: usize) -> String {
    let kinds = ["基本", "配合", "收回"];
    let areas = ["党的建设", "经济发展", "公共服务", "平安法治", "社会治理", "自然资源"];
    let mut text = String::with_capacity(n * 84 + 64);
    text.push_str("编号,名称,类型,领域,牵头,配合,依据,年工作量\n");
    for i in 0..n {
        let basis = if i % 10 == 9 { String::new() } else { format!("某法第{}条", i % 90 + 1) };
        text.push_str(&format!(
            "ZZ-{i:06},第{i}项网格职责,{},{},D{:02},D{:02};D{:02},{basis},{}\n",
            kinds[i % 3],
            areas[i % 6],
            i % 40,
            (i + 1) % 40,
            (i + 7) % 40,
            i % 500
        ));
    }
    text
}

/// Serves the generated CSV to the front end as if it lay beside the policy.
pub struct CsvBeside(pub Vec<u8>);

impl qingdan_dsl::program::Loader for CsvBeside {
    fn load(
        &mut self,
        _from: &str,
        path: &str,
    ) -> Result<(String, Vec<u8>), qingdan_dsl::program::LoadError> {
        Ok((path.to_string(), self.0.clone()))
    }

    fn find_policy(&mut self, _from: &str, _name: &str) -> Option<(String, Vec<u8>)> {
        None
    }
}
