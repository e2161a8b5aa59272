//! Writing over a file the user has (`fmt`, `build -o`, `test --snapshot`): the new
//! contents replace the old all at once, and the file stays the same file.
//!
//! - A symbolic link is followed: its target is written, and the link still points there.
//! - Only regular files are written. A device, a FIFO, a folder or a socket is refused
//!   (renaming over `/dev/null` as root would delete it; writing a FIFO can block forever).
//! - The usual way is a temporary file beside the target, given the target's owner and
//!   mode before it is renamed over it, so an interrupted run never leaves half a file and
//!   a 0640 file does not become world-readable.
//! - A file with several hard links is written in place, so that every link still names
//!   the one file (a rename would split them). Its former contents are first copied to a
//!   backup beside it and restored if the write fails; the backup goes once the write is
//!   done. The same path is taken when the owner cannot be given to a temporary file.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use qingdan_dsl::diag::{msg, Msg};

/// Why a file was not written.
#[derive(Debug)]
pub enum ReplaceError {
    /// The path names something other than a regular file (after following links).
    NotRegular { path: PathBuf, kind: Msg },
    /// Reading, writing or renaming failed; the file is as it was.
    Io { path: PathBuf, error: io::Error },
    /// An in-place write failed and so did restoring the former contents, which are kept
    /// in `backup`.
    Damaged { path: PathBuf, error: io::Error, backup: PathBuf },
}

impl ReplaceError {
    /// What went wrong, in both languages (shown as E0011).
    pub fn message(&self) -> Msg {
        match self {
            ReplaceError::NotRegular { path, kind } => {
                let p = path.display();
                msg(
                    format!("无法写入 `{p}`：它是{}，不是普通文件；qingdan 只写普通文件", kind.zh),
                    format!(
                        "cannot write `{p}`: it is {}, not a regular file; qingdan writes only regular files",
                        kind.en
                    ),
                )
            }
            ReplaceError::Io { path, error } => {
                let what = msg(format!("`{}`", path.display()), format!("`{}`", path.display()));
                crate::streams::write_failure(&what, error)
            }
            ReplaceError::Damaged { path, error, backup } => {
                let (p, b) = (path.display(), backup.display());
                msg(
                    format!("写入 `{p}` 失败（{error}），恢复原内容也失败：原内容保存在 `{b}`"),
                    format!("writing `{p}` failed ({error}) and so did restoring it: its former contents are in `{b}`"),
                )
            }
        }
    }
}

/// Replaces the contents of the file at `path` with `bytes` (creating it if there is none),
/// keeping its identity as the module comment describes.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), ReplaceError> {
    let target = follow_links(path).map_err(|error| ReplaceError::Io { path: path.into(), error })?;
    let io = |error| ReplaceError::Io { path: target.clone(), error };
    let meta = match fs::symlink_metadata(&target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return write_new(&target, bytes).map_err(io),
        Err(e) => return Err(io(e)),
    };
    if !meta.file_type().is_file() {
        return Err(ReplaceError::NotRegular { path: target, kind: kind_of(&meta) });
    }
    if meta.nlink() > 1 {
        return write_in_place(&target, bytes);
    }
    match write_beside(&target, bytes, &meta).map_err(io)? {
        Beside::Replaced => Ok(()),
        Beside::OwnerNotKept => write_in_place(&target, bytes),
    }
}

/// The file a chain of symbolic links ends at (which may not exist yet).
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    /// As Linux's own limit on links followed in one lookup.
    const MAX_LINKS: usize = 40;
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&current)?;
                current = folder_of(&current).join(to);
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!("more than {MAX_LINKS} symbolic links in a row")))
}

fn folder_of(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

fn kind_of(meta: &Metadata) -> Msg {
    let t = meta.file_type();
    if t.is_dir() {
        msg("文件夹", "a folder")
    } else if t.is_char_device() || t.is_block_device() {
        msg("设备", "a device")
    } else if t.is_fifo() {
        msg("命名管道", "a FIFO")
    } else if t.is_socket() {
        msg("套接字", "a socket")
    } else {
        msg("特殊文件", "a special file")
    }
}

/// A new, empty file beside `target` that no one else has opened: `create_new` refuses a
/// name that exists (a leftover, or a link planted there).
fn temporary_beside(target: &Path, purpose: &str, mode: u32) -> io::Result<(PathBuf, File)> {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let pid = std::process::id();
    let mut last = io::Error::other("no temporary name was free");
    for n in 0..100 {
        let tmp = folder_of(target).join(format!(".{name}.qingdan-{purpose}-{pid}-{n}"));
        match OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Writes `bytes` to a temporary file beside `target`, created with `mode` (less the
/// umask), and renames it there. `prepare` runs on the written file before the rename.
fn rename_into_place(
    target: &Path,
    bytes: &[u8],
    mode: u32,
    prepare: impl FnOnce(&File) -> io::Result<()>,
) -> io::Result<()> {
    let (tmp, mut file) = temporary_beside(target, "new", mode)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| prepare(&file))
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, target));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// A file that did not exist gets the mode a plain create gives (0666 less the umask).
fn write_new(target: &Path, bytes: &[u8]) -> io::Result<()> {
    rename_into_place(target, bytes, 0o666, |_| Ok(()))
}

enum Beside {
    Replaced,
    /// The temporary file could not be given the target's owner (only root may give a
    /// file away): nothing was replaced.
    OwnerNotKept,
}

fn write_beside(target: &Path, bytes: &[u8], meta: &Metadata) -> io::Result<Beside> {
    let mut owner_refused = false;
    // Private until it has the target's owner and mode.
    let result = rename_into_place(target, bytes, 0o600, |file| {
        // Owner first: changing it clears the set-user-ID and set-group-ID bits.
        std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).inspect_err(|e| {
            owner_refused = e.kind() == io::ErrorKind::PermissionDenied;
        })?;
        file.set_permissions(fs::Permissions::from_mode(meta.permissions().mode() & 0o7777))
    });
    match result {
        Ok(()) => Ok(Beside::Replaced),
        Err(_) if owner_refused => Ok(Beside::OwnerNotKept),
        Err(e) => Err(e),
    }
}

/// Rewrites the file itself, keeping a backup of its former contents until done.
fn write_in_place(target: &Path, bytes: &[u8]) -> Result<(), ReplaceError> {
    let io = |error| ReplaceError::Io { path: target.into(), error };
    let old = fs::read(target).map_err(io)?;
    let (backup, mut file) = temporary_beside(target, "backup", 0o600).map_err(io)?;
    if let Err(e) = file.write_all(&old).and_then(|()| file.sync_all()) {
        let _ = fs::remove_file(&backup);
        return Err(io(e));
    }
    let mut file = OpenOptions::new().write(true).open(target).map_err(io)?;
    let overwrite = |file: &mut File, data: &[u8]| -> io::Result<()> {
        use std::io::Seek;
        file.rewind()?;
        file.write_all(data)?;
        file.set_len(data.len() as u64)?;
        file.sync_all()
    };
    let result = match overwrite(&mut file, bytes) {
        Ok(()) => Ok(()),
        Err(error) => match overwrite(&mut file, &old) {
            Ok(()) => Err(io(error)),
            Err(_) => return Err(ReplaceError::Damaged { path: target.into(), error, backup }),
        },
    };
    let _ = fs::remove_file(&backup);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_a_chain_of_links_to_a_file_that_may_not_exist() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink("b", &a).expect("link a → b");
        std::os::unix::fs::symlink("c", &b).expect("link b → c");
        assert_eq!(follow_links(&a).expect("followed"), dir.path().join("c"));
        replace(&a, b"new").expect("written through the links");
        assert_eq!(fs::read(dir.path().join("c")).expect("c"), b"new");
        assert!(fs::symlink_metadata(&a).expect("a").file_type().is_symlink());
    }

    #[test]
    fn a_link_cycle_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("a", &a).expect("link a → a");
        assert!(matches!(replace(&a, b"x"), Err(ReplaceError::Io { .. })));
    }

    #[test]
    fn no_temporary_file_is_left_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        fs::write(&one, "old").expect("one");
        fs::hard_link(&one, &two).expect("hard link");
        replace(&one, b"in place").expect("in place");
        replace(&dir.path().join("new"), b"created").expect("created");
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .expect("listing")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["new", "one", "two"]);
        assert_eq!(fs::read(&two).expect("two"), b"in place");
    }
}
