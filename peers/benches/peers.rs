//! qingdan beside Cedar and ZEN on the synthetic 30-rule admission decision, in one run:
//! first the agreement check (10,000 generated applications, all engines alike), then each
//! engine timed on the same 512 generated applications taken in turn, on input built
//! beforehand and from JSON text. Run with `cargo bench` in peers/ (README.md there).

use std::hint::black_box;

use criterion::Criterion;
use qingdan_peers::agreement::{check_covering, Engines};
use qingdan_peers::Application;

/// Applications timed, cycled through: varied, so that rules fire as in real use.
const SAMPLE: usize = 512;

/// Each call takes the next application of the sample.
struct Cycle(usize);

impl Cycle {
    fn advance(&mut self) -> usize {
        self.0 = (self.0 + 1) % SAMPLE;
        self.0
    }
}

fn bench(c: &mut Criterion, engines: &Engines) {
    let Engines { qingdan, cedar, zen } = engines;
    let apps = Application::generated(2026, SAMPLE);
    let cases: Vec<_> = apps.iter().map(|a| qingdan.case(a)).collect();
    let qingdan_json: Vec<String> = apps.iter().map(Application::qingdan_json).collect();
    let requests: Vec<_> = apps.iter().map(|a| cedar.request_for(a)).collect();
    let cedar_json: Vec<String> = apps.iter().map(Application::cedar_json).collect();
    let zen_json: Vec<String> = apps.iter().map(Application::zen_json).collect();
    let inputs: Vec<_> = zen_json.iter().map(|j| zen.input(j)).collect();
    let mean_len = |texts: &[String]| texts.iter().map(String::len).sum::<usize>() / texts.len();
    println!(
        "JSON text per application: qingdan {} bytes, Cedar {} bytes, ZEN {} bytes",
        mean_len(&qingdan_json),
        mean_len(&cedar_json),
        mean_len(&zen_json)
    );

    let mut group = c.benchmark_group("peers");
    group.bench_function("qingdan_interpreter", |b| {
        let (mut frame, mut i) = (None, Cycle(0));
        b.iter(|| qingdan.interpret(&mut frame, black_box(&cases[i.advance()])))
    });
    group.bench_function("qingdan_module_place_and_decide", |b| {
        let mut instance = qingdan.module.instantiate().expect("an instance");
        let mut i = Cycle(0);
        b.iter(|| qingdan.run_module(&mut instance, black_box(&cases[i.advance()])))
    });
    group.bench_function("qingdan_from_json", |b| {
        let (mut frame, mut i) = (None, Cycle(0));
        b.iter(|| qingdan.interpret_json(&mut frame, black_box(&qingdan_json[i.advance()])))
    });
    group.bench_function("cedar_prebuilt_request", |b| {
        let mut i = Cycle(0);
        b.iter(|| cedar.outcome(&cedar.authorize(black_box(&requests[i.advance()]))))
    });
    group.bench_function("cedar_from_json", |b| {
        let mut i = Cycle(0);
        b.iter(|| cedar.decide_json(black_box(&cedar_json[i.advance()])))
    });
    group.bench_function("zen_prebuilt_input", |b| {
        let mut i = Cycle(0);
        b.iter(|| zen.outcome(&zen.evaluate(black_box(&inputs[i.advance()]).clone())))
    });
    group.bench_function("zen_from_json", |b| {
        let mut i = Cycle(0);
        b.iter(|| zen.decide_json(black_box(&zen_json[i.advance()])))
    });
    group.finish();
}

fn main() {
    let engines = Engines::new();
    let report = check_covering(&engines, &Application::generated(2026, 10_000));
    println!("{report}");
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &engines);
    c.final_summary();
}
