//! The peers of qingdan on its own synthetic admission decision (engine/benches/common.rs):
//! the same 30 rules and exceptions as a Cedar policy set and as a GoRules ZEN decision
//! table, each engine's answer turned into one comparable [`Verdict`], and a seeded generator
//! of applications. `tests/agree.rs` and the benchmark (benches/peers.rs) check that all three
//! decide alike; the benchmark then times them in one run (README.md here).

pub mod agreement;
pub mod application;
pub mod cedar;
pub mod qingdan;
pub mod zen;

use std::collections::BTreeSet;

pub use application::{Application, Rng};

/// The conclusions of `决定 准入结论`, worst first: the order of its `优先`.
pub const OUTCOMES: [&str; 4] = ["不予准入", "退回补正", "临时准入", "常态准入"];

/// The conclusion when no rule gives one (`默认 常态准入`).
pub const DEFAULT_OUTCOME: Rank = 3;

/// A conclusion's place in [`OUTCOMES`]: the lower, the more severe.
pub type Rank = u8;

pub fn rank_of(label: &str) -> Option<Rank> {
    OUTCOMES.iter().position(|o| *o == label).map(|i| i as Rank)
}

/// What one engine decided for one application, in a form all three can be compared in:
/// the conclusion, and the rules and exceptions that took effect, by name (qingdan's
/// `触发`: rules whose conclusion stood, whether or not it won, and exceptions that cancelled
/// their target).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: &'static str,
    pub fired: BTreeSet<String>,
}

/// The `优先` combination the peers leave to their caller: the most severe conclusion among
/// the fired rules' (`None` for an exception that only cancels), or the default.
pub fn most_severe(ranks: impl IntoIterator<Item = Option<Rank>>) -> Rank {
    ranks.into_iter().flatten().min().unwrap_or(DEFAULT_OUTCOME)
}

/// Blocks on a future that the engine completes without waiting on anything (ZEN's decision
/// tables never suspend): polled with a waker that does nothing, no runtime needed.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}
