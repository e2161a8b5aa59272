//! Built-in functions. Each has an English and a Chinese name; the checker types calls
//! here, later stages evaluate them by [`Builtin`].

use super::types::Ty;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Length,
    Contains,
    StartsWith,
    Min,
    Max,
    Year,
    Month,
    DaysBetween,
    Similarity,
}

pub const BUILTINS: &[(Builtin, &str, &str, usize)] = &[
    (Builtin::Length, "length", "长度", 1),
    (Builtin::Contains, "contains", "包含", 2),
    (Builtin::StartsWith, "starts_with", "开头是", 2),
    (Builtin::Min, "min", "最小", 2),
    (Builtin::Max, "max", "最大", 2),
    (Builtin::Year, "year", "年份", 1),
    (Builtin::Month, "month", "月份", 1),
    (Builtin::DaysBetween, "days_between", "相差天数", 2),
    (Builtin::Similarity, "similarity", "相似度", 2),
];

impl Builtin {
    pub fn lookup(name: &str) -> Option<(Builtin, usize)> {
        BUILTINS.iter().find(|b| b.1 == name || b.2 == name).map(|b| (b.0, b.3))
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        BUILTINS.iter().flat_map(|b| [b.1, b.2])
    }

    /// The result type for (present, non-optional) argument types, or `None` if the
    /// arguments do not fit.
    pub fn result(self, args: &[Ty]) -> Option<Ty> {
        use Ty::*;
        match (self, args) {
            (_, a) if a.contains(&Error) => Some(Error),
            (Builtin::Length, [Text | Set(_)]) => Some(Int),
            (Builtin::Contains, [Text, Text]) | (Builtin::StartsWith, [Text, Text]) => Some(Bool),
            (Builtin::Contains, [Set(elem), x]) => (x.fits(elem) || elem.fits(x)).then_some(Bool),
            (Builtin::Min | Builtin::Max, [a, b]) if a.is_numeric() && b.is_numeric() => a.join(b),
            (Builtin::Min | Builtin::Max, [Date, Date]) => Some(Date),
            (Builtin::Year | Builtin::Month, [Date]) => Some(Int),
            (Builtin::DaysBetween, [Date, Date]) => Some(Int),
            (Builtin::Similarity, [Text, Text]) => Some(Decimal),
            _ => None,
        }
    }

    /// What the function accepts, for error messages: (中文, English).
    pub fn signature(self) -> (&'static str, &'static str) {
        match self {
            Builtin::Length => ("长度(文本 或 集合) → 整数", "length(text or set) → int"),
            Builtin::Contains => (
                "包含(文本, 文本) 或 包含(集合, 元素) → 布尔",
                "contains(text, text) or contains(set, element) → bool",
            ),
            Builtin::StartsWith => ("开头是(文本, 文本) → 布尔", "starts_with(text, text) → bool"),
            Builtin::Min => ("最小(数, 数) 或 最小(日期, 日期)", "min(number, number) or min(date, date)"),
            Builtin::Max => ("最大(数, 数) 或 最大(日期, 日期)", "max(number, number) or max(date, date)"),
            Builtin::Year => ("年份(日期) → 整数", "year(date) → int"),
            Builtin::Month => ("月份(日期) → 整数", "month(date) → int"),
            Builtin::DaysBetween => ("相差天数(日期, 日期) → 整数", "days_between(date, date) → int"),
            Builtin::Similarity => {
                ("相似度(文本, 文本) → 小数（0 到 1）", "similarity(text, text) → decimal (0 to 1)")
            }
        }
    }
}
