//! The bundled policies' cases, decided and explained, as snapshots a reviewer diffs: one
//! snapshot per case file, every case's outcome, values, fired and overridden rules, values
//! read and clauses cited. A changed threshold shows up here (see the last test).

use std::path::{Path, PathBuf};

/// (policy file, case file) pairs under `policies/`.
const BUNDLED: &[(&str, &str)] = &[
    ("grid_admission/admission.qd", "grid_admission/cases.yaml"),
    ("grid_admission/withdrawal.qd", "grid_admission/withdrawal.cases.yaml"),
    ("township_duties/duties.qd", "township_duties/cases.yaml"),
    ("enforcement_catalogue/catalogue.qd", "enforcement_catalogue/cases.yaml"),
    ("enforcement_catalogue/withdrawal.qd", "enforcement_catalogue/withdrawal.cases.yaml"),
    ("enforcement_catalogue/referral.qd", "enforcement_catalogue/referral.cases.yaml"),
    ("legality_review/review.qd", "legality_review/cases.yaml"),
    ("community_work/admission.qd", "community_work/cases.yaml"),
];

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

mod common;

/// `qingdan eval --explain --format yaml`, in-process.
fn explained(policy: &Path, cases: &Path) -> (u8, String) {
    let flags = ["eval", "--format", "yaml", "--explain", "--input"].map(std::ffi::OsStr::new);
    let args = flags.into_iter().chain([cases.as_os_str(), policy.as_os_str()]);
    let (code, out, err) = common::run_in_process(args);
    assert!(err.is_empty(), "{err}");
    (code, out)
}

#[test]
fn every_bundled_case_is_decided_and_explained() {
    for (policy, cases) in BUNDLED {
        let (code, yaml) = explained(&policies().join(policy), &policies().join(cases));
        assert_eq!(code, 0, "{policy}: a case failed to evaluate");
        let name = format!("bundled__{}", cases.replace(['/', '.'], "_"));
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true, description => *policy }, {
            insta::assert_snapshot!(name, yaml);
        });
    }
}

#[test]
fn bundled_cases_pass_with_full_rule_coverage() {
    let args: Vec<std::ffi::OsString> = vec!["test".into(), "--lang".into(), "en".into(), policies().into()];
    let (code, out, err) = common::run_in_process(args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.lines().any(|l| l.ends_with(" passed, 0 failed")), "{out}");
    let coverage: Vec<&str> = out.lines().filter(|l| l.contains("rule coverage")).collect();
    assert_eq!(coverage.len(), BUNDLED.len(), "{out}");
    assert!(coverage.iter().all(|l| l.contains("100% rule coverage")), "{out}");
}

/// Lowering the monthly workload limit from 600 to 300 minutes in a copy of the grid
/// policy changes what reviewers see: some applications are now refused.
#[test]
fn changing_one_threshold_changes_the_snapshots() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Under a `policies` folder with the bundled full texts, which the policy's sources name.
    let copy = dir.path().join("policies/grid_admission");
    std::fs::create_dir_all(&copy).expect("folder");
    let texts = dir.path().join("policies/sources");
    std::fs::create_dir(&texts).expect("folder");
    for entry in std::fs::read_dir(policies().join("sources")).expect("bundled texts") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, texts.join(path.file_name().expect("name"))).expect("copy");
    }
    for entry in std::fs::read_dir(policies().join("grid_admission")).expect("bundled folder") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, copy.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let policy = copy.join("admission.qd");
    let text = std::fs::read_to_string(&policy).expect("policy");
    let line = "令 单项每月工作量上限分钟 = 600";
    assert!(text.contains(line), "the parameter this test changes has moved");
    std::fs::write(&policy, text.replace(line, "令 单项每月工作量上限分钟 = 300")).expect("write");

    let cases = copy.join("cases.yaml");
    let (_, before) = explained(&policies().join("grid_admission/admission.qd"), &cases);
    let (_, after) = explained(&policy, &cases);
    let outcome_lines = |s: &str| -> Vec<String> {
        s.lines().filter(|l| l.trim_start().starts_with("- outcome:")).map(String::from).collect()
    };
    let changed = outcome_lines(&before).iter().zip(outcome_lines(&after)).filter(|(a, b)| *a != b).count();
    assert!(changed > 0, "halving the workload limit changed no outcome");
    assert!(after.contains("单项每月工作量上限分钟"), "the explanation shows the parameter it read");
}
