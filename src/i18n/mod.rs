//! The command line's own words in both languages, and which language it speaks.
//!
//! The language is, in order: `--lang zh|en`; a Chinese locale (`LC_ALL`, `LC_MESSAGES`,
//! `LANG`, the first one set deciding, as POSIX orders them); for a command given a policy,
//! the policy's own keyword language; else English. The first two are known before the
//! arguments are parsed, so `--help` and usage errors can be told in them too ([`help`]).
//! Every message the CLI writes itself lives in [`messages`], as a zh/en pair.

use std::ffi::{OsStr, OsString};

use qingdan_dsl::Lang;

pub mod help;
pub mod messages;

thread_local! {
    /// The language asked for in this run, for messages written where no policy is at
    /// hand (a file that cannot be read). Each run is on a thread of its own.
    static ASKED: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Remembers the run's asked language (see [`asked_in_run`]).
pub fn set_asked_in_run(lang: Option<Lang>) {
    ASKED.with(|a| a.set(lang));
}

/// The language asked for in this run (`--lang` or a Chinese locale), if any.
pub fn asked_in_run() -> Option<Lang> {
    ASKED.with(|a| a.get())
}

/// The language asked for in this run, else English: for messages about files that
/// belong to no policy (modules, keys).
pub fn asked_or_en() -> Lang {
    asked_in_run().unwrap_or(Lang::En)
}

/// The language asked for before parsing: `--lang` in `args`, else a Chinese locale.
/// `None` leaves it to each policy (and English where there is none).
pub fn asked(args: &[OsString]) -> Option<Lang> {
    flag(args).or_else(|| locale(|name| std::env::var_os(name)))
}

/// `--lang zh`, `--lang=en` among the arguments (before a `--` that ends the options).
fn flag(args: &[OsString]) -> Option<Lang> {
    let mut rest = args.iter().skip(1).map(|a| a.as_os_str());
    let mut found = None;
    while let Some(arg) = rest.next() {
        let value = match arg.to_str() {
            Some("--") => break,
            Some("--lang") => rest.next(),
            Some(a) => a.strip_prefix("--lang=").map(OsStr::new),
            None => None,
        };
        // The last one wins, as clap takes the last of a repeated option.
        if let Some(lang) = value.and_then(|v| parse(v.to_str()?)) {
            found = Some(lang);
        }
    }
    found
}

fn parse(value: &str) -> Option<Lang> {
    match value {
        "zh" => Some(Lang::Zh),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// A Chinese locale (`zh_CN.UTF-8`, `zh_TW`, `zh`) in the first of `LC_ALL`, `LC_MESSAGES`,
/// `LANG` that is set and not empty. Any other locale says nothing: an English system
/// still shows a Chinese policy's messages in Chinese.
pub fn locale(var: impl Fn(&str) -> Option<OsString>) -> Option<Lang> {
    let value = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().filter_map(|n| var(n)).find(|v| !v.is_empty())?;
    let value = value.to_string_lossy();
    (value == "zh" || value.starts_with("zh_") || value.starts_with("zh-")).then_some(Lang::Zh)
}

/// One of a zh/en pair.
pub fn pick<T>(lang: Lang, zh: T, en: T) -> T {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A value as people read it: `true`/`false` as 是/否 in Chinese. Only for human output;
/// JSON and YAML keep `true` and `false`.
pub fn shown_value(lang: Lang, value: &str) -> &str {
    match (lang, value) {
        (Lang::Zh, "true") => "是",
        (Lang::Zh, "false") => "否",
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_flag_is_found_in_both_spellings_and_the_last_wins() {
        assert_eq!(flag(&args(&["qingdan", "--lang", "zh", "--help"])), Some(Lang::Zh));
        assert_eq!(flag(&args(&["qingdan", "check", "--lang=en", "x"])), Some(Lang::En));
        assert_eq!(flag(&args(&["qingdan", "--lang=zh", "--lang", "en"])), Some(Lang::En));
        assert_eq!(flag(&args(&["qingdan", "--", "--lang", "zh"])), None);
        assert_eq!(flag(&args(&["qingdan", "--lang", "fr"])), None);
    }

    #[test]
    fn a_chinese_locale_asks_for_chinese_and_others_for_nothing() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| OsString::from(v))
        };
        assert_eq!(locale(env(&[("LANG", "zh_CN.UTF-8")])), Some(Lang::Zh));
        assert_eq!(locale(env(&[("LC_MESSAGES", "zh_TW"), ("LANG", "en_US.UTF-8")])), Some(Lang::Zh));
        // LC_ALL comes first; an empty one is as if unset.
        assert_eq!(locale(env(&[("LC_ALL", "C.UTF-8"), ("LANG", "zh_CN.UTF-8")])), None);
        assert_eq!(locale(env(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")])), Some(Lang::Zh));
        assert_eq!(locale(env(&[("LANG", "en_US.UTF-8")])), None);
        assert_eq!(locale(env(&[])), None);
    }

    #[test]
    fn booleans_read_as_shi_and_fou_only_in_chinese() {
        assert_eq!(shown_value(Lang::Zh, "true"), "是");
        assert_eq!(shown_value(Lang::Zh, "false"), "否");
        assert_eq!(shown_value(Lang::En, "true"), "true");
        assert_eq!(shown_value(Lang::Zh, "600"), "600");
    }
}
