//! `qingdan eval POLICY --input CASES --notice DIR`: one decision notice (`.docx`) per case,
//! filled from the templates the policy's folder keeps in `notices/`:
//!
//! - `notices/<决定>/<结论>.docx`, else `notices/<结论>.docx` — one template per outcome
//!   (准入通知书 for 常态准入, 退回补正通知书 for 退回补正, …); an office edits them in Word
//!   or WPS (letterhead, wording) and keeps the `{{placeholders}}` (see `notice_facts.rs`).
//! - A notice is named from the case (`case:` in a test case file, else 案例001…), with the
//!   decision added when one case gets notices for several decisions.
//!
//! Every template is read and checked before anything is written: one that is not a Word
//! document is E0701, a folder without templates E0702; a placeholder that names nothing
//! is W0701 (once per template and name), an outcome without a template W0702 (when other
//! outcomes of its decision have one: a decision without any template gets no notices).

use std::io::Write;
use std::path::{Path, PathBuf};

use qingdan_dsl::value::Date;
use qingdan_dsl::Lang;
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::{explain, Evaluator};
use qingdan_engine::{Policy, Value};

use crate::docx::fill::fill_part;
use crate::docx::{NotDocx, Package};
use crate::exit;
use crate::notice_facts::{facts, Case, Facts};

/// The largest template read (a letterhead with a seal image is a few hundred KiB).
const MAX_TEMPLATE: usize = 16 * 1024 * 1024;

pub struct NoticeArgs<'a> {
    pub policy_path: &'a Path,
    pub input: &'a str,
    pub dir: &'a Path,
    /// The date the notices bear (`--notice-date`), else today.
    pub date: Option<Date>,
}

/// A template read and checked.
struct Template {
    path: PathBuf,
    package: Package,
}

/// Writes the notices; returns the exit code (0, or 2 when nothing could be written).
pub fn run(policy: &Policy, args: &NoticeArgs<'_>, err: &mut dyn Write) -> u8 {
    let lang = policy.lang;
    let folder = notices_folder(args.policy_path);
    let templates = match read_templates(&folder, lang) {
        Ok(t) => t,
        Err(message) => {
            let _ = writeln!(err, "qingdan: {message}");
            return exit::USAGE;
        }
    };
    let cases = match read_cases(policy, args.input) {
        Ok(c) => c,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {}: {why}", args.input);
            return exit::USAGE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(args.dir) {
        let what = msg_path(args.dir);
        let _ = writeln!(
            err,
            "qingdan: E0011[write-failed]: {}",
            crate::streams::write_failure(&what, &e).get(lang)
        );
        return exit::USAGE;
    }
    let date = args.date.unwrap_or_else(today);
    let mut writer =
        Writer { policy, templates: &templates, dir: args.dir, date, err, warned: Vec::new(), written: 0 };
    let mut used_names: Vec<String> = Vec::new();
    for (i, (name, case)) in cases.iter().enumerate() {
        let Ok(values) = case else { continue };
        let base = file_base(name.as_deref(), i + 1, lang, &mut used_names);
        if let Err(code) = writer.case(&base, name.as_deref().unwrap_or(&base), values) {
            return code;
        }
    }
    let n = writer.written;
    let _ = match lang {
        Lang::Zh => writeln!(err, "已写出 {n} 份通知书到 {}", args.dir.display()),
        Lang::En => writeln!(err, "wrote {n} notices to {}", args.dir.display()),
    };
    exit::OK
}

fn msg_path(p: &Path) -> qingdan_dsl::diag::Msg {
    qingdan_dsl::diag::msg(format!("`{}`", p.display()), format!("`{}`", p.display()))
}

/// `notices/` beside the policy file (or inside the folder given).
fn notices_folder(policy_path: &Path) -> PathBuf {
    let base =
        if policy_path.is_dir() { policy_path } else { policy_path.parent().unwrap_or(Path::new(".")) };
    base.join("notices")
}

/// Every `.docx` in `notices/` and its sub-folders, read and checked.
fn read_templates(folder: &Path, lang: Lang) -> Result<Vec<Template>, String> {
    let mut paths = Vec::new();
    for dir in std::iter::once(folder.to_path_buf()).chain(sub_folders(folder)) {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            let docx = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("docx"));
            // `~$x.docx` is Word's lock file while a template is open.
            let lock = p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("~$"));
            if docx && !lock && p.is_file() {
                paths.push(p);
            }
        }
    }
    paths.sort();
    if paths.is_empty() {
        let f = folder.display();
        return Err(match lang {
            Lang::Zh => format!("E0702[no-notice-templates]: `{f}` 中没有通知书模板（.docx）；每种结论一个，例如 `{f}/退回补正.docx`"),
            Lang::En => format!("E0702[no-notice-templates]: no notice templates (.docx) in `{f}`; one per outcome, e.g. `{f}/Returned.docx`"),
        });
    }
    paths.into_iter().map(|path| read_template(path, lang)).collect()
}

fn sub_folders(folder: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn read_template(path: PathBuf, lang: Lang) -> Result<Template, String> {
    let shown = path.display().to_string();
    let bad = |zh: String, en: String| match lang {
        Lang::Zh => format!("E0701[notice-template-invalid]: 通知书模板 `{shown}` {zh}"),
        Lang::En => format!("E0701[notice-template-invalid]: notice template `{shown}` {en}"),
    };
    let bytes = crate::files::read_regular(&path, MAX_TEMPLATE)
        .map_err(|why| bad(format!("无法读取：{why}"), format!("cannot be read: {why}")))?;
    let package = Package::read(&bytes).map_err(|e| match e {
        NotDocx::NotZip(_) => bad(
            "不是 Word 文档（.docx）：请在 Word 或 WPS 中“另存为”Word 文档".into(),
            "is not a Word document (.docx): save it from Word or WPS as a Word document".into(),
        ),
        NotDocx::NoDocument => bad(
            "缺少正文（word/document.xml），不是 Word 文档".into(),
            "has no body (word/document.xml): not a Word document".into(),
        ),
        NotDocx::Unreadable(why) => bad(
            format!("无法解开（加密或压缩方式不支持）：{why}"),
            format!("cannot be unpacked (encrypted or an unknown compression): {why}"),
        ),
        NotDocx::TooLarge => bad(
            "解开后过大（部件过多或超过 64 MiB）".into(),
            "is too large once unpacked (too many parts, or over 64 MiB)".into(),
        ),
    })?;
    for part in text_parts(&package) {
        let xml = std::str::from_utf8(package.part(&part).unwrap_or_default()).map_err(|_| {
            bad(format!("的 {part} 不是 UTF-8 文本"), format!("has a part {part} that is not UTF-8"))
        })?;
        crate::docx::xml::Document::parse(xml).map_err(|why| {
            bad(format!("的 {part} 无法解析：{why}"), format!("has a part {part} that does not parse: {why}"))
        })?;
    }
    Ok(Template { path, package })
}

/// The parts that hold text a notice shows: the body, headers and footers.
fn text_parts(p: &Package) -> Vec<String> {
    let mut parts = vec!["word/document.xml".to_string()];
    for n in p.part_names() {
        let header = n.starts_with("word/header") || n.starts_with("word/footer");
        if header && n.ends_with(".xml") {
            parts.push(n.to_string());
        }
    }
    parts
}

type Cases = Vec<(Option<String>, Result<Vec<Value>, String>)>;

/// The cases, with their names when the file is a `qingdan test` case file.
fn read_cases(policy: &Policy, input: &str) -> Result<Cases, String> {
    let text = crate::eval_cmd::read_whole(input)?;
    let lower = input.to_lowercase();
    let reader = CaseReader::new(policy);
    let (cases, names) = if lower.ends_with(".jsonl") {
        (reader.lines(text.as_bytes()).collect(), Vec::new())
    } else if lower.ends_with(".json") {
        (reader.read_json(&text), Vec::new())
    } else {
        match crate::eval_cmd::test_file_inputs(&text) {
            Some((givens, names)) => (reader.read_yaml(&givens), names),
            None => (reader.read_yaml(&text), Vec::new()),
        }
    };
    let lang = policy.lang;
    Ok(cases
        .into_iter()
        .enumerate()
        .map(|(i, c)| (names.get(i).filter(|n| !n.is_empty()).cloned(), c.map_err(|e| e.render(lang))))
        .collect())
}

/// The file name of a case's notice, without `.docx`: its name made safe for every file
/// system, or 案例001; a name already used gets `-2`, `-3`, ….
fn file_base(name: Option<&str>, n: usize, lang: Lang, used: &mut Vec<String>) -> String {
    let safe: String = name
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .take(80)
        .collect();
    let safe = safe.trim().trim_start_matches('.').to_string();
    let mut base = if safe.is_empty() {
        match lang {
            Lang::Zh => format!("案例{n:03}"),
            Lang::En => format!("case-{n:03}"),
        }
    } else {
        safe
    };
    let first = base.clone();
    let mut k = 1;
    while used.contains(&base) {
        k += 1;
        base = format!("{first}-{k}");
    }
    used.push(base.clone());
    base
}

struct Writer<'a> {
    policy: &'a Policy,
    templates: &'a [Template],
    dir: &'a Path,
    date: Date,
    err: &'a mut dyn Write,
    /// Warnings already given (one per template and placeholder, one per outcome).
    warned: Vec<String>,
    written: usize,
}

impl Writer<'_> {
    /// The notices of one case: one per decision whose outcome has a template.
    fn case(&mut self, base: &str, name: &str, values: &[Value]) -> Result<(), u8> {
        let ev = Evaluator::new(self.policy);
        let mut frame = ev.frame(values);
        let mut notices: Vec<(String, Vec<u8>)> = Vec::new();
        for (d, decision) in self.policy.decisions.iter().enumerate() {
            let Ok(result) = ev.decide(d as u32, &mut frame) else { continue };
            let Ok(shown) = explain(&ev, &result, &mut frame) else { continue };
            let Some(outcome) = shown.outcomes.first().map(|o| o.outcome.clone()) else { continue };
            let Some(t) = find_template(self.templates, &decision.name, &outcome) else {
                // A decision the office has no template for at all is not one it sends notices for.
                if self.has_templates(d) {
                    self.no_template(&decision.name, &outcome);
                }
                continue;
            };
            let case = Case { name, values, result: &result, shown: &shown, date: self.date };
            let f = facts(self.policy, &case);
            let bytes = self.fill(t, &f);
            notices.push((decision.name.clone(), bytes));
        }
        let several = notices.len() > 1;
        for (decision, bytes) in notices {
            let file = if several { format!("{base}-{decision}.docx") } else { format!("{base}.docx") };
            let path = self.dir.join(file);
            if let Err(e) = crate::replace::replace(&path, &bytes) {
                let _ =
                    writeln!(self.err, "qingdan: E0011[write-failed]: {}", e.message().get(self.policy.lang));
                return Err(exit::USAGE);
            }
            self.written += 1;
        }
        Ok(())
    }
}

/// `notices/<decision>/<outcome>.docx`, else `notices/<outcome>.docx`.
fn find_template<'t>(templates: &'t [Template], decision: &str, outcome: &str) -> Option<&'t Template> {
    let named = |t: &&Template, parent: Option<&str>| {
        let stem = t.path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let dir = t.path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned());
        stem.as_deref() == Some(outcome) && parent.is_none_or(|p| dir.as_deref() == Some(p))
    };
    let in_decision = templates.iter().find(|t| named(t, Some(decision)));
    in_decision.or_else(|| templates.iter().find(|t| named(t, Some("notices"))))
}

impl Writer<'_> {
    /// Whether some outcome of decision `d` has a template.
    fn has_templates(&self, d: usize) -> bool {
        let decision = &self.policy.decisions[d];
        let variants = &self.policy.enums[decision.outcome_enum as usize].variants;
        variants.iter().any(|v| find_template(self.templates, &decision.name, &v.name).is_some())
    }

    fn fill(&mut self, t: &Template, f: &Facts) -> Vec<u8> {
        let mut out = t.package.clone();
        for part in text_parts(&t.package) {
            let xml = std::str::from_utf8(t.package.part(&part).unwrap_or_default()).unwrap_or_default();
            // Checked when the template was read, so this does not fail.
            let Ok((filled, unknown)) = fill_part(xml, &|name| f.get(name)) else { continue };
            for name in unknown {
                self.unknown_placeholder(t, &name, f);
            }
            out.set_part(&part, filled.into_bytes());
        }
        out.to_bytes()
    }

    fn unknown_placeholder(&mut self, t: &Template, name: &str, f: &Facts) {
        let key = format!("{}\u{0}{name}", t.path.display());
        if self.warned.contains(&key) {
            return;
        }
        self.warned.push(key);
        let p = t.path.display();
        let known: Vec<&str> = f.names().into_iter().filter(|n| !n.is_ascii()).collect();
        let _ = match self.policy.lang {
            Lang::Zh => writeln!(self.err, "qingdan: W0701[unknown-placeholder]: 模板 `{p}` 中的占位符 {{{{{name}}}}} 没有对应的值，原样保留（可用：{}）", known.join("、")),
            Lang::En => writeln!(self.err, "qingdan: W0701[unknown-placeholder]: placeholder {{{{{name}}}}} in template `{p}` names nothing and is left as written (known: {})", f.names().iter().filter(|n| n.is_ascii()).copied().collect::<Vec<_>>().join(", ")),
        };
    }

    fn no_template(&mut self, decision: &str, outcome: &str) {
        let key = format!("\u{1}{decision}\u{0}{outcome}");
        if self.warned.contains(&key) {
            return;
        }
        self.warned.push(key);
        let _ = match self.policy.lang {
            Lang::Zh => writeln!(self.err, "qingdan: W0702[no-notice-template]: 决定 {decision} 的结论 {outcome} 没有通知书模板（notices/{decision}/{outcome}.docx 或 notices/{outcome}.docx），这些案例不写通知书"),
            Lang::En => writeln!(self.err, "qingdan: W0702[no-notice-template]: outcome {outcome} of decision {decision} has no notice template (notices/{decision}/{outcome}.docx or notices/{outcome}.docx); its cases get no notice"),
        };
    }
}

/// Today's date (UTC) from the system clock.
fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch((secs / 86_400) as i64)
}
