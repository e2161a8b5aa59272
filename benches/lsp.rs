//! The language server's latency: from an edit of a bundled admission policy to the
//! diagnostics it publishes (the front end with the policies and CSV rows the file names,
//! the name index, the protocol's ranges) — the typing path, which should stay well under
//! 100 ms — and, for comparison, the analyser that runs off that path once typing pauses.
//! Run with `cargo bench --bench lsp`; figures go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lsp_edit");
    group.sample_size(20);
    for name in ["community_work/admission.qd", "grid_admission/admission.qd"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies").join(name);
        let text = std::fs::read_to_string(&path).expect("a bundled policy");
        let path = path.to_string_lossy().into_owned();
        // Each run sees a different text, as after a keystroke: a comment line grows.
        let mut n = 0usize;
        let mut edited = || {
            n += 1;
            format!("{text}// 第 {n} 次编辑\n")
        };
        assert!(qingdan::lsp::diagnostics_after_edit(&path, &text).is_empty(), "{name} checks clean");
        let lines = text.lines().count();
        group.bench_function(format!("diagnostics/{name} ({lines} lines)"), |b| {
            b.iter(|| qingdan::lsp::diagnostics_after_edit(&path, &edited()))
        });
        group.bench_function(format!("front_end_only/{name} ({lines} lines)"), |b| {
            b.iter(|| qingdan::lsp::front_end_after_edit(&path, &edited()))
        });
        group.bench_function(format!("analyser/{name} ({lines} lines)"), |b| {
            b.iter(|| qingdan::lsp::analyser_after_edit(&path, &edited()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
