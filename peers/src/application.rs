//! One application (a case of the synthetic admission decision), a seeded generator of them,
//! and the JSON text each engine reads: qingdan's case line (the policy's own field names),
//! Cedar's request context, ZEN's input.
//!
//! | qingdan (申请.…) | Cedar context / ZEN input | notes |
//! | --- | --- | --- |
//! | 类别 | category | the enum's Chinese label |
//! | 法律依据 (optional) | basis (absent when none) | |
//! | 每月频次 | frequency | |
//! | 单次耗时分钟 | minutes | |
//! | 经费随转 | funded | |
//! | 需照片留痕 | photos | |
//! | 需填报表格数 | forms | |
//! | 重复采集 | duplicate | |
//! | 自建渠道 | ownChannel | |
//! | 运行状态 | mode | 平时 / 战时 |
//! | 申请日期 | filed | Cedar: a `datetime`; ZEN: the date's text |
//! | 期限天数 (optional) | termDays (absent when none) | |
//! | 覆盖网格数 | grids | |
//! | 预算 (decimal, text) | Cedar: budgetCents (integer); ZEN: budget (number) | Cedar has no decimal arithmetic |
//!
//! ZEN's expressions take ASCII names only, so the peers read English field names.

use std::fmt::Write;

/// The categories of `枚举 事项类别`, in the policy's order.
pub const CATEGORIES: [&str; 10] = [
    "政策宣传",
    "信息采集",
    "纠纷排查",
    "隐患排查",
    "群体关爱",
    "代办服务",
    "应急处置",
    "执法检查",
    "行政许可",
    "资格认证",
];

const BASIS: &str = "《浙江省网格化服务管理条例》";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub category: &'static str,
    pub has_basis: bool,
    pub frequency: i64,
    pub minutes: i64,
    pub funded: bool,
    pub photos: bool,
    pub forms: i64,
    pub duplicate: bool,
    pub own_channel: bool,
    pub wartime: bool,
    /// `YYYY-MM-DD`.
    pub filed: String,
    pub term_days: Option<i64>,
    /// At least 1 (the policy divides by it) and at most 10,000, so that the budget per grid,
    /// in cents over whole grids, never rounds across 100 in qingdan's six decimal places.
    pub grids: i64,
    pub budget_cents: i64,
}

/// A small deterministic generator (SplitMix64): the same seed gives the same cases on every
/// machine, with no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

impl Application {
    /// A varied application whose values straddle every threshold of the policy (30 and 8
    /// and 4 a month, 600 minutes a month, 240 and 120 minutes, 5 and 2 forms, 5,000 grids,
    /// 100 yuan a grid exactly and a cent below, 7 and 365 days, 2023-01-01), so that each
    /// rule and exception is seen holding and not holding.
    pub fn generate(rng: &mut Rng) -> Application {
        let grids = if rng.chance(70) { rng.range(1, 500) } else { rng.range(4_900, 6_000) };
        let budget_cents = match rng.range(0, 9) {
            0 => grids * 10_000,
            1 => grids * 10_000 - 1,
            _ => grids * rng.range(2_000, 30_000) + rng.range(0, 99),
        };
        let term_days = match rng.range(0, 4) {
            0 | 1 => None,
            2 => Some(rng.range(1, 14)),
            _ => Some(rng.range(300, 400)),
        };
        let filed = format!("{}-{:02}-{:02}", rng.range(2021, 2025), rng.range(1, 12), rng.range(1, 28));
        Application {
            category: CATEGORIES[rng.range(0, 9) as usize],
            has_basis: rng.chance(75),
            frequency: if rng.chance(15) { rng.range(25, 40) } else { rng.range(1, 12) },
            minutes: if rng.chance(15) { rng.range(200, 300) } else { rng.range(5, 150) },
            funded: rng.chance(75),
            photos: rng.chance(25),
            forms: rng.range(0, 7),
            duplicate: rng.chance(8),
            own_channel: rng.chance(8),
            wartime: rng.chance(35),
            filed,
            term_days,
            grids,
            budget_cents,
        }
    }

    pub fn generated(seed: u64, n: usize) -> Vec<Application> {
        let mut rng = Rng::new(seed);
        (0..n).map(|_| Application::generate(&mut rng)).collect()
    }

    fn mode(&self) -> &'static str {
        if self.wartime {
            "战时"
        } else {
            "平时"
        }
    }

    /// The budget as decimal text, `12345.67`.
    fn budget(&self) -> String {
        format!("{}.{:02}", self.budget_cents / 100, self.budget_cents % 100)
    }

    /// A case line as `qingdan eval` reads it: the policy's field names, the decimal as text.
    pub fn qingdan_json(&self) -> String {
        let mut s = format!("{{\"类别\":\"{}\",", self.category);
        if self.has_basis {
            let _ = write!(s, "\"法律依据\":\"{BASIS}\",");
        }
        let _ = write!(
            s,
            "\"每月频次\":{},\"单次耗时分钟\":{},\"经费随转\":{},\"需照片留痕\":{},\"需填报表格数\":{},\
             \"重复采集\":{},\"自建渠道\":{},\"运行状态\":\"{}\",\"申请日期\":\"{}\",",
            self.frequency,
            self.minutes,
            self.funded,
            self.photos,
            self.forms,
            self.duplicate,
            self.own_channel,
            self.mode(),
            self.filed
        );
        if let Some(t) = self.term_days {
            let _ = write!(s, "\"期限天数\":{t},");
        }
        let _ = write!(s, "\"覆盖网格数\":{},\"预算\":\"{}\"}}", self.grids, self.budget());
        s
    }

    /// The fields every peer reads alike, as the start of a JSON object (no closing brace).
    fn peer_fields(&self) -> String {
        let mut s = format!("{{\"category\":\"{}\",", self.category);
        if self.has_basis {
            let _ = write!(s, "\"basis\":\"{BASIS}\",");
        }
        let _ = write!(
            s,
            "\"frequency\":{},\"minutes\":{},\"funded\":{},\"photos\":{},\"forms\":{},\
             \"duplicate\":{},\"ownChannel\":{},\"mode\":\"{}\",\"grids\":{}",
            self.frequency,
            self.minutes,
            self.funded,
            self.photos,
            self.forms,
            self.duplicate,
            self.own_channel,
            self.mode(),
            self.grids
        );
        if let Some(t) = self.term_days {
            let _ = write!(s, ",\"termDays\":{t}");
        }
        s
    }

    /// Cedar's request context as JSON: the date in Cedar's escape for an extension value
    /// (what a context without a schema needs), the budget in cents.
    pub fn cedar_json(&self) -> String {
        format!(
            "{},\"filed\":{{\"__extn\":{{\"fn\":\"datetime\",\"arg\":\"{}\"}}}},\"budgetCents\":{}}}",
            self.peer_fields(),
            self.filed,
            self.budget_cents
        )
    }

    /// ZEN's input as JSON: the date as text (ZEN's `d(…)` compares with it), the budget as
    /// a number (ZEN's numbers are decimals).
    pub fn zen_json(&self) -> String {
        format!("{},\"filed\":\"{}\",\"budget\":{}}}", self.peer_fields(), self.filed, self.budget())
    }
}
