//! The file system side: finding `.qd` files, reading them with a size cap, loading the
//! YAML/CSV files and sibling policies that policies refer to (writing is `replace.rs`).

use std::io::Read;
use std::path::{Path, PathBuf};

use qingdan_dsl::program::InputFile;
use qingdan_dsl::syntax::lex::MAX_FILE_BYTES;
use qingdan_dsl::syntax::parse::policy_name;
use qingdan_dsl::Loader;

/// Expands folders into the `.qd` files below them (sorted, so output is stable).
/// A path that does not exist is returned as is; reading it reports the error.
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "qd") {
            out.push(p);
        }
    }
}

pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Reads a file, but never more than one byte past the size limit: a huge file is
/// reported as too large without being loaded whole.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    if path.is_dir() {
        return Err("it is a folder that holds no .qd files".into());
    }
    read_capped_to(path, MAX_FILE_BYTES)
}

/// Reads at most `cap + 1` bytes of a file, so a caller can tell "too large" unread.
pub fn read_capped_to(path: &Path, cap: usize) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::new();
    file.take(cap as u64 + 1).read_to_end(&mut bytes).map_err(|e| io_reason(&e))?;
    Ok(bytes)
}

/// Why a file could not be read, in both languages (the message around it is in one).
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在 / no such file".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限 / permission denied".into(),
        _ => e.to_string(),
    }
}

pub fn inputs(paths: &[PathBuf]) -> Vec<InputFile> {
    expand(paths).into_iter().map(|p| (display(&p), read_capped(&p))).collect()
}

/// Resolves data files relative to the policy that names them, and finds used policies
/// among the `.qd` files in the same folder.
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), String> {
        let full = Path::new(from).parent().unwrap_or(Path::new("")).join(path);
        let bytes = read_capped(&full)?;
        Ok((display(&full), bytes))
    }

    /// Looks in the file's folder, then in the folder above it (with its subfolders), so
    /// that `policies/a/x.qd` finds a policy in `policies/b/`.
    fn find_policy(&mut self, from: &str, name: &str) -> Option<(String, Vec<u8>)> {
        let dir = Path::new(from).parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let parent = dir.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let parent = if dir == Path::new(".") { None } else { Some(parent) };
        std::iter::once(dir).chain(parent).find_map(|d| {
            let mut files = Vec::new();
            walk(d, &mut files);
            files.into_iter().find_map(|p| {
                let bytes = read_capped(&p).ok()?;
                let text = std::str::from_utf8(&bytes).ok()?;
                (policy_name(text) == Some(name)).then(|| (display(&p), bytes))
            })
        })
    }
}
