//! The diagnostics whose help names one certain edit, and that edit: a stray `。`/`；`
//! deleted (E0012), an operator word replaced by its operator (E0013), a refused
//! full-width character by its ASCII form (E0015), a keyword glued to the next word given
//! its space, and a misspelt name replaced by the "did you mean" candidate. Offered as quick
//! fixes by `textDocument/codeAction`.

use qingdan_dsl::syntax::slips::operator_word;
use qingdan_dsl::{Code, Diagnostic, Lang};

/// An edit of the diagnostic's own span: its text becomes `replacement`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub replacement: String,
}

impl Fix {
    pub fn title(&self, lang: Lang) -> String {
        match (lang, self.replacement.is_empty()) {
            (Lang::Zh, true) => "删去".into(),
            (Lang::Zh, false) => format!("改为 `{}`", self.replacement),
            (Lang::En, true) => "delete it".into(),
            (Lang::En, false) => format!("change to `{}`", self.replacement),
        }
    }
}

/// The fix of a diagnostic, read from its code and its (English) help; `text` is its file's.
pub fn fix_for(d: &Diagnostic, text: &str) -> Option<Fix> {
    let under = text.get(d.span.range())?;
    let help = d.help.as_ref().map_or("", |h| h.en.as_str());
    let replacement = match d.code {
        Code::E0012 => String::new(),
        Code::E0013 => operator_word(under).map(|(_, op, rest)| format!("{op}{rest}"))?,
        Code::E0015 => quoted_after(help, "type the ASCII ")?,
        _ => glued(under, help).or_else(|| quoted_after(help, "did you mean "))?,
    };
    (replacement != under).then_some(Fix { replacement })
}

/// The text in backticks right after `lead` in `help`.
fn quoted_after(help: &str, lead: &str) -> Option<String> {
    let rest = &help[help.find(lead)? + lead.len()..];
    let rest = rest.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_string())
}

/// `当月` → `当 月` when the help says to put a space after the keyword and the span is
/// exactly the glued word.
fn glued(under: &str, help: &str) -> Option<String> {
    let split = help.find("put a space after").map(|i| &help[i..])?;
    let spaced = &split[split.find('`')? + 1..];
    let spaced = &spaced[..spaced.find('`')?];
    (spaced.replacen(' ', "", 1) == under).then(|| spaced.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qingdan_dsl::program::{check_files, NoFiles};

    fn fixes(text: &str) -> Vec<(String, String)> {
        let program = check_files(vec![("a.qd".into(), Ok(text.as_bytes().to_vec()))], &mut NoFiles);
        let source = &program.sources.get(qingdan_dsl::FileId(0)).text;
        program
            .diagnostics
            .iter()
            .filter_map(|d| fix_for(d, source).map(|f| (d.code.as_str().to_string(), f.replacement)))
            .collect()
    }

    #[test]
    fn slips_and_misspellings_get_their_edit() {
        let text = "政策 甲\n输入 申请 { 年龄: 整数 }\n令 成年 = 申请.年龄 >= 18。\n令 乙 = 申请.年齡 > 1\n";
        let found = fixes(text);
        assert!(found.contains(&("E0012".into(), String::new())), "{found:?}");
        let text = "政策 甲\n输入 申请 { 年龄: 整数 }\n令 成年 = 申请.年龄 大于 18\n";
        assert!(fixes(text).contains(&("E0013".into(), ">".into())), "{:?}", fixes(text));
        let text = "政策 甲\n输入 申请 { 年龄: 整数 }\n令 成年 = 申请.年龄 >= 18\n令 乙 = 成人\n";
        assert!(fixes(text).iter().any(|(_, r)| r == "成年"), "{:?}", fixes(text));
    }
}
