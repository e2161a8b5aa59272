//! Which case files belong to which policy in a folder, and reading them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::syntax::lex::MAX_FILE_BYTES;

use crate::files;

/// The folder a file is in (`.` for a bare file name).
pub(crate) fn folder(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Which case files of `dir` belong to which policy (by file stem), and what is wrong
/// with the folder: an `X.cases.yaml` without `X.qd`, or a `cases.yaml` whose main
/// policy cannot be told.
pub(crate) fn scan_folder(dir: &Path) -> (HashMap<String, Vec<PathBuf>>, Vec<Msg>) {
    let mut owned: HashMap<String, Vec<PathBuf>> = HashMap::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return (owned, problems) };
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let is_file = |name: &str| dir.join(name).is_file();
    let stems: Vec<&str> =
        names.iter().filter(|n| is_file(n)).filter_map(|n| n.strip_suffix(".qd")).collect();
    let mut plain = Vec::new();
    for name in names.iter().filter(|n| is_file(n)) {
        if name == "cases.yaml" || name == "cases.yml" {
            plain.push(name.as_str());
            continue;
        }
        let Some(stem) = name.strip_suffix(".cases.yaml").or_else(|| name.strip_suffix(".cases.yml")) else {
            continue;
        };
        if stems.contains(&stem) {
            owned.entry(stem.to_string()).or_default().push(dir.join(name));
        } else {
            let file = files::display(&dir.join(name));
            problems.push(msg(
                format!("{file}：同一文件夹中没有它所属的政策 `{stem}.qd`"),
                format!("{file}: no policy `{stem}.qd` beside it, which it would belong to"),
            ));
        }
    }
    if !plain.is_empty() {
        let mains: Vec<&str> = stems.iter().copied().filter(|s| !owned.contains_key(*s)).collect();
        match mains.as_slice() {
            [main] => owned.entry(main.to_string()).or_default().extend(plain.iter().map(|n| dir.join(n))),
            _ => {
                let file = files::display(&dir.join(plain[0]));
                let qd: Vec<String> = mains.iter().map(|s| format!("{s}.qd")).collect();
                let (zh, en) = if qd.is_empty() {
                    (
                        "这里每个政策都已有自己的 X.cases.yaml".to_string(),
                        "every policy here has its own X.cases.yaml".to_string(),
                    )
                } else {
                    (format!("可能属于 {}", qd.join("、")), format!("it could belong to {}", qd.join(", ")))
                };
                problems.push(msg(
                    format!("{file}：无法确定所属的主政策（{zh}）；请改名为 X.cases.yaml，X 为它所测试的政策文件名"),
                    format!("{file}: cannot tell which policy it belongs to ({en}); rename it X.cases.yaml after the policy X.qd it tests"),
                ));
            }
        }
    }
    (owned, problems)
}

/// A case file's text, with the same size cap as policy files.
pub(crate) fn read_text(path: &Path) -> Result<String, Msg> {
    let bytes = files::read_capped(path).map_err(|why| msg(why.clone(), why))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(msg(
            format!("文件超过 {} MiB", MAX_FILE_BYTES >> 20),
            format!("larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    String::from_utf8(bytes).map_err(|_| msg("不是 UTF-8 文本", "not UTF-8 text"))
}
