//! The list readers on arbitrary bytes, through the whole front end: a fixed policy
//! (tests/fixtures/check/valid/06_enforcement_catalogue_en.qd) whose lists come from a CSV
//! and a YAML file, one of which (the first byte chooses) is replaced by the input — or the
//! CSV file's list is read from a workbook (`.xlsx`, `.xls` or `.ods`) whose bytes are the
//! input. Rows that check are lowered, analysed as `qingdan check` does (list findings
//! included), and the policy's own test cases decided and checked by the interpreter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan_dsl::program::LoadError;
use qingdan_dsl::{check_files, Loader};

const POLICY: &str = include_str!("../../tests/fixtures/check/valid/06_enforcement_catalogue_en.qd");
const DEPARTMENTS: &str = include_str!("../../tests/fixtures/check/valid/data/departments.csv");
const ITEMS: &str = include_str!("../../tests/fixtures/check/valid/data/enforcement_items.yaml");

/// Serves the two data files, one of them the fuzzer's.
struct Files<'a> {
    csv: &'a [u8],
    yaml: &'a [u8],
}

impl Loader for Files<'_> {
    fn load(&mut self, _from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        match path {
            "data/departments.csv" | "data/departments.xlsx" | "data/departments.xls" | "data/departments.ods" => Ok((path.into(), self.csv.to_vec())),
            "data/enforcement_items.yaml" => Ok((path.into(), self.yaml.to_vec())),
            _ => Err(LoadError::Unreadable("no such file".into())),
        }
    }

    fn find_policy(&mut self, _from: &str, _name: &str) -> Option<(String, Vec<u8>)> {
        None
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let workbook = |ext: &str| POLICY.replace("departments.csv", &format!("departments.{ext}"));
    let (mut files, policy) = match which % 5 {
        0 => (Files { csv: rest, yaml: ITEMS.as_bytes() }, POLICY.to_string()),
        1 => (Files { csv: DEPARTMENTS.as_bytes(), yaml: rest }, POLICY.to_string()),
        2 => (Files { csv: rest, yaml: ITEMS.as_bytes() }, workbook("xlsx")),
        3 => (Files { csv: rest, yaml: ITEMS.as_bytes() }, workbook("xls")),
        _ => (Files { csv: rest, yaml: ITEMS.as_bytes() }, workbook("ods")),
    };
    let program = check_files(vec![("catalogue.qd".into(), Ok(policy.into_bytes()))], &mut files);
    let opts = qingdan_dsl::diag::render::RenderOptions { lang: None, color: false };
    let _ = qingdan_dsl::diag::render::human(&program.diagnostics, &program.sources, opts);
    if program.has_errors() {
        return;
    }
    let Ok(policy) = qingdan_engine::lower(&program, None) else { return };
    let _ = qingdan_engine::analyse::analyse(&policy);
    let ev = qingdan_engine::eval::Evaluator::new(&policy);
    for test in &policy.tests {
        let mut frame = ev.frame(&test.case);
        for d in 0..policy.decisions.len() as u32 {
            let _ = ev.decide(d, &mut frame);
        }
        for c in 0..policy.checks.len() as u32 {
            let _ = ev.check(c, &mut frame);
        }
    }
});
