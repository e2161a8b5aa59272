//! qingdan (interpreter, module, from JSON), Cedar and ZEN decide generated applications of
//! the synthetic admission decision alike: the same conclusion and the same fired rules.

use qingdan_peers::agreement::{check, check_covering, Engines};
use qingdan_peers::Application;

#[test]
fn all_engines_agree_on_generated_applications() {
    let engines = Engines::new();
    let report = check_covering(&engines, &Application::generated(7, 3_000));
    println!("{report}");
    assert_eq!(report.cases, 3_000);
    // Every rule and exception of the policy was compared, the exceptions included.
    assert_eq!(report.held.len(), 30);
}

#[test]
fn the_typical_application_is_admitted_by_one_rule() {
    // engine/benches/common.rs's typical case: every rule tested, only 常规信息采集 fires.
    let app = Application {
        category: "信息采集",
        has_basis: true,
        frequency: 2,
        minutes: 30,
        funded: true,
        photos: false,
        forms: 1,
        duplicate: false,
        own_channel: false,
        wartime: false,
        filed: "2024-05-01".into(),
        term_days: None,
        grids: 120,
        budget_cents: 6_000_000,
    };
    let engines = Engines::new();
    let report = check(&engines, std::slice::from_ref(&app));
    assert_eq!(report.outcomes["常态准入"], 1);
    let q = &engines.qingdan;
    let verdict = q.verdict(&q.interpret(&mut None, &q.case(&app)));
    assert_eq!(verdict.fired.into_iter().collect::<Vec<_>>(), ["常规信息采集"]);
}

#[test]
fn a_disagreement_is_caught() {
    // The check must be able to fail: a Cedar policy set with one rule's threshold moved
    // decides otherwise on some generated application.
    let mut engines = Engines::new();
    let moved = qingdan_peers::cedar::POLICIES.replace("context.forms > 5", "context.forms > 4");
    engines.cedar = qingdan_peers::cedar::Cedar::from_text(&moved);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check(&engines, &Application::generated(7, 500));
    }));
    assert!(caught.is_err(), "a moved threshold went unnoticed");
}
