//! The types the checker assigns, and the two relations it needs: whether a value of one
//! type may stand where another is expected (`fits`), and the common type of two
//! branches (`join`).

use super::env::{EnumId, Env, ListId, RecordId};
use crate::diag::{msg, Msg};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    Int,
    Decimal,
    Text,
    Date,
    Enum(EnumId),
    /// A record or an input.
    Record(RecordId),
    /// One row of a list, held by its key.
    Row(ListId),
    /// A whole list (the value of a list's name).
    List(ListId),
    Set(Box<Ty>),
    Opt(Box<Ty>),
    /// The type of `none` and of the elements of `[]`: fits any optional / any set.
    Nothing,
    /// Stands in after an error, so one mistake is reported once.
    Error,
}

impl Ty {
    pub fn opt(self) -> Ty {
        match self {
            Ty::Opt(_) | Ty::Error => self,
            other => Ty::Opt(Box::new(other)),
        }
    }

    pub fn set(self) -> Ty {
        Ty::Set(Box::new(self))
    }

    /// The type without its optional wrapper.
    pub fn present(&self) -> &Ty {
        match self {
            Ty::Opt(inner) => inner,
            other => other,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Decimal | Ty::Error)
    }

    pub fn is_ordered(&self) -> bool {
        matches!(self, Ty::Int | Ty::Decimal | Ty::Date | Ty::Error)
    }

    /// Whether a value of type `self` may be used where `expected` is wanted.
    pub fn fits(&self, expected: &Ty) -> bool {
        match (self, expected) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (a, b) if a == b => true,
            (Ty::Int, Ty::Decimal) => true,
            (Ty::Nothing, Ty::Opt(_)) => true,
            (Ty::Set(a), Ty::Set(b)) => **a == Ty::Nothing || a.fits(b),
            (Ty::Opt(a), Ty::Opt(b)) => a.fits(b),
            (a, Ty::Opt(b)) => a.fits(b),
            _ => false,
        }
    }

    /// The common type of two alternatives (`if` branches, set elements), if any.
    pub fn join(&self, other: &Ty) -> Option<Ty> {
        if self.fits(other) {
            Some(other.clone())
        } else if other.fits(self) {
            Some(self.clone())
        } else {
            match (self, other) {
                (Ty::Nothing, t) | (t, Ty::Nothing) => Some(t.clone().opt()),
                (Ty::Opt(a), b) | (b, Ty::Opt(a)) => a.join(b).map(Ty::opt),
                _ => None,
            }
        }
    }

    /// The type's name in both languages, for messages.
    pub fn describe(&self, env: &Env) -> Msg {
        let (zh, en) = self.names(env);
        msg(zh, en)
    }

    fn names(&self, env: &Env) -> (String, String) {
        let same = |s: &str| (s.to_string(), s.to_string());
        match self {
            Ty::Bool => ("布尔".into(), "bool".into()),
            Ty::Int => ("整数".into(), "int".into()),
            Ty::Decimal => ("小数".into(), "decimal".into()),
            Ty::Text => ("文本".into(), "text".into()),
            Ty::Date => ("日期".into(), "date".into()),
            Ty::Enum(id) => same(&env.enums[id.0].name),
            Ty::Record(id) => same(&env.records[id.0].name),
            Ty::Row(id) => {
                let name = &env.lists[id.0].name;
                (format!("{name} 的条目"), format!("row of {name}"))
            }
            Ty::List(id) => {
                let name = &env.lists[id.0].name;
                (format!("清单 {name}"), format!("list {name}"))
            }
            Ty::Set(inner) => {
                let (zh, en) = inner.names(env);
                (format!("集合 {zh}"), format!("set of {en}"))
            }
            Ty::Opt(inner) => {
                let (zh, en) = inner.names(env);
                (format!("{zh}?"), format!("{en}?"))
            }
            Ty::Nothing => ("无".into(), "none".into()),
            Ty::Error => ("未知".into(), "unknown".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_allows_widening_only() {
        assert!(Ty::Int.fits(&Ty::Decimal));
        assert!(!Ty::Decimal.fits(&Ty::Int));
        assert!(Ty::Int.fits(&Ty::Int.opt()));
        assert!(!Ty::Int.opt().fits(&Ty::Int));
        assert!(Ty::Nothing.set().fits(&Ty::Text.set()));
        assert_eq!(Ty::Nothing.join(&Ty::Date), Some(Ty::Date.opt()));
        assert_eq!(Ty::Int.join(&Ty::Decimal), Some(Ty::Decimal));
        assert_eq!(Ty::Text.join(&Ty::Int), None);
    }
}
