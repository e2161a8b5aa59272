//! The file system side: finding `.qd` files and reading them with a size cap (only
//! regular files, for what a policy names). What a policy may name is `loader.rs`'s
//! concern; writing over a file is `replace.rs`'s.

use std::io::Read;
use std::path::{Path, PathBuf};

use qingdan_dsl::program::InputFile;
use qingdan_dsl::syntax::lex::MAX_FILE_BYTES;

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

/// The `.qd` files below `dir`. Only regular files (or links to them): a named pipe that
/// happens to end in `.qd` would block the reader forever.
/// Folders reached through a symbolic link are not entered: a link to `..` would make the
/// walk endless (it once listed one file forty times, down to the longest path allowed).
pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    walk_to(dir, usize::MAX, out);
}

/// As [`walk`], at most `depth` levels below `dir` (0: `dir`'s own files).
pub(crate) fn walk_to(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    // `file_type` does not follow links: a linked folder counts as a link, not a folder.
    let mut paths: Vec<(PathBuf, bool)> =
        entries.filter_map(|e| e.ok()).map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir()))).collect();
    paths.sort();
    for (p, is_dir) in paths {
        if is_dir {
            if depth > 0 {
                walk_to(&p, depth - 1, out);
            }
        } else if p.extension().is_some_and(|e| e == "qd") && p.is_file() {
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
        return Err(reason("是文件夹，其中没有 .qd 文件", "it is a folder that holds no .qd files"));
    }
    read_capped_to(path, MAX_FILE_BYTES)
}

/// Reads at most `cap + 1` bytes of a file, so a caller can tell "too large" unread.
pub fn read_capped_to(path: &Path, cap: usize) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    read_up_to(file, cap)
}

/// Reads a file a policy names (data rows, a used policy), at most `cap + 1` bytes, only
/// if it is a regular file. A named pipe would block the reader until something writes
/// to it (forever, in the playground's case), and a device may never end: the file is
/// opened without blocking and its type is checked on the open handle, so nothing can
/// be swapped in between.
pub fn read_regular(path: &Path, cap: usize) -> Result<Vec<u8>, String> {
    let file = open_without_blocking(path).map_err(|e| io_reason(&e))?;
    let kind = file.metadata().map_err(|e| io_reason(&e))?.file_type();
    if !kind.is_file() {
        return Err(not_regular(kind));
    }
    read_up_to(file, cap)
}

fn read_up_to(file: std::fs::File, cap: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    file.take(cap as u64 + 1).read_to_end(&mut bytes).map_err(|e| io_reason(&e))?;
    Ok(bytes)
}

/// Opening a FIFO for reading waits for a writer unless `O_NONBLOCK` is given; on a
/// regular file the flag changes nothing.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// What a non-regular file is, in both languages.
fn not_regular(kind: std::fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_fifo() {
            Some(("命名管道（FIFO）", "a named pipe (FIFO)"))
        } else if kind.is_char_device() || kind.is_block_device() {
            Some(("设备", "a device"))
        } else if kind.is_socket() {
            Some(("套接字", "a socket"))
        } else {
            None
        };
        if let Some((zh, en)) = what {
            return reason(&format!("不是普通文件，而是{zh}"), &format!("not a regular file but {en}"));
        }
    }
    if kind.is_dir() {
        return reason("不是普通文件，而是文件夹", "not a regular file but a folder");
    }
    reason("不是普通文件", "not a regular file")
}

/// A reason in the language asked for in this run, else in both.
fn reason(zh: &str, en: &str) -> String {
    crate::i18n::messages::file_reason(crate::i18n::asked_in_run(), zh, en)
}

/// Why a file could not be read, in both languages (the message around it is in one).
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => reason("文件不存在", "no such file"),
        std::io::ErrorKind::PermissionDenied => reason("没有读取权限", "permission denied"),
        _ => e.to_string(),
    }
}

pub fn inputs(paths: &[PathBuf]) -> Vec<InputFile> {
    expand(paths).into_iter().map(|p| (display(&p), read_capped(&p))).collect()
}
