//! The playground's files: opening and saving the files of its policy folder.
//!
//! `POST /api/file/open {"path"}` answers the file's text and its *version* (the SHA-256 of
//! its bytes); `POST /api/file/save {"path", "text", "version"}` writes the text back only
//! if the file is still at that version (`"version": null`: only if there is no such file
//! yet, creating its folders), and otherwise answers 409 with the text now on disk, so the
//! page can show both and let the drafter choose. The write goes through `replace.rs`
//! (a temporary file beside it, then a rename), so a server killed in the middle leaves
//! the old file or the new one, never half of one; the file keeps its byte order mark and
//! line endings.
//!
//! Who may call is `playground_guard.rs`'s concern (Host, Origin, token, JSON) and the body
//! cap is the server's; here is *what* may be opened and written ([`Files::resolve`]): a relative path inside the folder, no `..`, no hidden
//! names, one of the file kinds a policy folder holds, no folder on the way that is a
//! symbolic link, and a file that is a link only if it ends inside the folder.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::playground_cmd::error;

/// The kinds of file the page may write: policies, list rows, case files, workbooks.
const WRITABLE: [&str; 5] = ["qd", "csv", "yaml", "yml", "xlsx"];

/// The largest file the page opens (the front end's own cap on a policy).
const MAX_OPEN_BYTES: usize = qingdan_dsl::syntax::lex::MAX_FILE_BYTES;

/// The longest path a request may name, in bytes.
const MAX_PATH_BYTES: usize = 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The policy folder, as the server writes into it.
pub struct Files {
    /// The folder with every link resolved; `None` if it could not be resolved (then
    /// nothing is opened or written).
    root: Option<PathBuf>,
    /// One save at a time: the version check and the write must not interleave with
    /// another save's.
    saving: Mutex<()>,
}

/// The routes, for any router state (the handlers carry their own).
pub fn routes<S: Clone + Send + Sync + 'static>(root: &Path) -> Router<S> {
    let files = Arc::new(Files { root: std::fs::canonicalize(root).ok(), saving: Mutex::new(()) });
    let (for_open, for_save, for_record) = (files.clone(), files.clone(), files.clone());
    let (for_rows, for_rows_save) = (files.clone(), files);
    Router::new()
        .route(
            "/api/file/open",
            post(move |body: Result<Bytes, BytesRejection>| on_blocking(for_open.clone(), body, open)),
        )
        .route(
            "/api/file/save",
            post(move |body: Result<Bytes, BytesRejection>| on_blocking(for_save.clone(), body, save)),
        )
        .route(
            "/api/file/record",
            post(move |body: Result<Bytes, BytesRejection>| {
                on_blocking(for_record.clone(), body, crate::playground_record::record)
            }),
        )
        .route(
            "/api/file/rows",
            post(move |body: Result<Bytes, BytesRejection>| {
                on_blocking(for_rows.clone(), body, crate::playground_rows::rows)
            }),
        )
        .route(
            "/api/file/rows/save",
            post(move |body: Result<Bytes, BytesRejection>| {
                on_blocking(for_rows_save.clone(), body, crate::playground_rows::save_rows)
            }),
        )
}

#[derive(Deserialize)]
struct OpenRequest {
    path: String,
}

#[derive(Deserialize)]
struct SaveRequest {
    path: String,
    text: String,
    /// The version the page opened; `None` for a file that is to be created.
    version: Option<String>,
}

/// Reads the body as `R` and runs `job` on a blocking thread (file work).
async fn on_blocking<R: serde::de::DeserializeOwned + Send + 'static>(
    files: Arc<Files>,
    body: Result<Bytes, BytesRejection>,
    job: fn(&Files, R) -> Response,
) -> Response {
    let request = match parse::<R>(body) {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    match tokio::task::spawn_blocking(move || job(&files, request)).await {
        Ok(answer) => answer,
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error", "内部错误"),
    }
}

fn parse<R: serde::de::DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<R, Response> {
    let bytes = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "the request is larger than the playground takes",
            "请求超过试验台能处理的大小",
        ),
        status => error(status, "bad-request", &r.body_text(), "请求无法读取"),
    })?;
    serde_json::from_slice::<R>(&bytes).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "malformed",
            &format!("expected JSON {{\"path\", \"text\", \"version\"}}: {e}"),
            &format!("应为 JSON {{\"path\", \"text\", \"version\"}}：{e}"),
        )
    })
}

/// A file a request may open or write.
pub(crate) struct Target {
    /// Inside the folder (it may be a link to another file inside the folder).
    pub path: PathBuf,
    /// Folders on the way that do not exist yet, outermost first.
    missing: Vec<PathBuf>,
}

/// Why a path is refused.
fn refuse(status: StatusCode, code: &str, path: &str, en: &str, zh: &str) -> Response {
    error(status, code, &format!("`{path}`: {en}"), &format!("`{path}`：{zh}"))
}

impl Files {
    /// Holds off other writes (saves, recorded cases) until dropped. A poisoned lock only
    /// means an earlier write panicked; the file is whole either way.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.saving.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The policy folder (resolved), or `.` when it could not be (then [`Files::resolve`]
    /// refuses every path anyway).
    pub(crate) fn root_or_here(&self) -> &Path {
        self.root.as_deref().unwrap_or(Path::new("."))
    }

    /// The file `rel` names, if the page may open or write it (see the module comment).
    pub(crate) fn resolve(&self, rel: &str) -> Result<Target, Response> {
        let Some(root) = &self.root else {
            return Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "no-folder",
                "the policy folder cannot be found any more",
                "找不到政策文件夹",
            ));
        };
        let names = plain_names(rel)?;
        let (last, folders) = names.split_last().ok_or_else(|| not_inside(rel))?;
        if !has_writable_kind(last) {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "file-kind",
                rel,
                "the playground writes only .qd, .csv, .yaml, .yml and .xlsx files",
                "试验台只写 .qd、.csv、.yaml、.yml 和 .xlsx 文件",
            ));
        }
        let mut at = root.clone();
        let mut missing = Vec::new();
        for name in folders {
            at.push(name);
            if !missing.is_empty() {
                missing.push(at.clone());
                continue;
            }
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => return Err(linked_folder(rel)),
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(refuse(
                        StatusCode::BAD_REQUEST,
                        "not-a-folder",
                        rel,
                        &format!("`{name}` is a file, not a folder"),
                        &format!("`{name}` 是文件，不是文件夹"),
                    ))
                }
                Err(_) => missing.push(at.clone()),
            }
        }
        at.push(last);
        if missing.is_empty() {
            self.check_file(rel, &at, root)?;
        }
        Ok(Target { path: at, missing })
    }

    /// An existing file must be a regular file, or a link to one inside the folder.
    fn check_file(&self, rel: &str, file: &Path, root: &Path) -> Result<(), Response> {
        let Ok(meta) = std::fs::symlink_metadata(file) else { return Ok(()) };
        if meta.file_type().is_symlink() {
            let inside =
                std::fs::canonicalize(file).is_ok_and(|real| real.starts_with(root) && real.is_file());
            if !inside {
                return Err(refuse(
                    StatusCode::FORBIDDEN,
                    "outside-folder",
                    rel,
                    "it is a link to something outside the policy folder",
                    "它是指向政策文件夹以外的链接",
                ));
            }
            return Ok(());
        }
        if !meta.is_file() {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "not-regular",
                rel,
                "not a regular file",
                "不是普通文件",
            ));
        }
        Ok(())
    }
}

/// The names of a relative path with no `..`, `.`, root, hidden or empty parts.
fn plain_names(rel: &str) -> Result<Vec<String>, Response> {
    if rel.is_empty() || rel.len() > MAX_PATH_BYTES || rel.contains(['\0', '\\']) {
        return Err(not_inside(rel));
    }
    let mut names = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(n) => {
                let n = n.to_string_lossy();
                if n.starts_with('.') {
                    return Err(refuse(
                        StatusCode::BAD_REQUEST,
                        "hidden",
                        rel,
                        "hidden files and folders (names starting with `.`) are not the page's",
                        "隐藏的文件和文件夹（以 `.` 开头）不归页面管",
                    ));
                }
                names.push(n.into_owned());
            }
            _ => return Err(not_inside(rel)),
        }
    }
    Ok(names)
}

fn has_writable_kind(name: &str) -> bool {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let stem = Path::new(name).file_stem().is_some_and(|s| !s.is_empty());
    stem && ext.is_some_and(|e| WRITABLE.contains(&e.as_str()))
}

fn not_inside(rel: &str) -> Response {
    refuse(
        StatusCode::BAD_REQUEST,
        "bad-path",
        rel,
        "not a relative path inside the policy folder (no `..`, no leading `/`)",
        "不是政策文件夹内的相对路径（不能有 `..`，不能以 `/` 开头）",
    )
}

fn linked_folder(rel: &str) -> Response {
    refuse(
        StatusCode::FORBIDDEN,
        "outside-folder",
        rel,
        "a folder on its way is a symbolic link: the playground writes only in the policy folder itself",
        "路径中的文件夹是符号链接：试验台只写政策文件夹本身之内",
    )
}

/// The SHA-256 of `bytes` in hex: the version the page holds.
pub fn version_of(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// How a text file is written: its byte order mark and line endings.
#[derive(Clone, Copy, Default)]
pub(crate) struct Identity {
    bom: bool,
    crlf: bool,
}

/// A file's bytes as the page edits them: without the mark, lines ending in `\n`.
pub(crate) fn decode(bytes: &[u8]) -> Option<(String, Identity)> {
    let bom = bytes.starts_with(BOM);
    let text = std::str::from_utf8(if bom { &bytes[BOM.len()..] } else { bytes }).ok()?;
    let crlf = text.contains("\r\n");
    let text = if crlf { text.replace("\r\n", "\n") } else { text.to_string() };
    Some((text, Identity { bom, crlf }))
}

/// The page's text as the file's bytes, in the file's identity.
pub(crate) fn encode(text: &str, identity: Identity) -> Vec<u8> {
    let lf = text.replace("\r\n", "\n");
    let body = if identity.crlf { lf.replace('\n', "\r\n") } else { lf };
    let mut bytes = if identity.bom { BOM.to_vec() } else { Vec::new() };
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// The file's bytes now, `None` if there is none.
fn read_now(rel: &str, file: &Path) -> Result<Option<Vec<u8>>, Response> {
    if std::fs::symlink_metadata(file).is_err() {
        return Ok(None);
    }
    let bytes = crate::files::read_regular(file, MAX_OPEN_BYTES)
        .map_err(|why| refuse(StatusCode::BAD_REQUEST, "unreadable", rel, &why, &why))?;
    if bytes.len() > MAX_OPEN_BYTES {
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            rel,
            &format!("larger than {MAX_OPEN_BYTES} bytes"),
            &format!("超过 {MAX_OPEN_BYTES} 字节"),
        ));
    }
    Ok(Some(bytes))
}

/// What the page gets for a file: its text and version (`null` text for a file that is
/// not UTF-8 text, such as a workbook).
fn file_json(bytes: &[u8]) -> serde_json::Value {
    let text = decode(bytes).map(|(t, _)| t);
    json!({ "text": text, "version": version_of(bytes) })
}

fn open(files: &Files, request: OpenRequest) -> Response {
    let rel = request.path.as_str();
    let target = match files.resolve(rel) {
        Ok(t) => t,
        Err(refused) => return refused,
    };
    match read_now(rel, &target.path) {
        Ok(Some(bytes)) if decode(&bytes).is_none() => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not-text",
            rel,
            "not UTF-8 text: the editor cannot show it",
            "不是 UTF-8 文本，编辑器无法显示",
        ),
        Ok(Some(bytes)) => {
            let mut answer = file_json(&bytes);
            answer["path"] = json!(rel);
            axum::Json(answer).into_response()
        }
        Ok(None) => {
            refuse(StatusCode::NOT_FOUND, "no-such-file", rel, "there is no such file", "没有这个文件")
        }
        Err(refused) => refused,
    }
}

fn save(files: &Files, request: SaveRequest) -> Response {
    let rel = request.path.as_str();
    let target = match files.resolve(rel) {
        Ok(t) => t,
        Err(refused) => return refused,
    };
    let _one_at_a_time = files.lock();
    let now = match read_now(rel, &target.path) {
        Ok(now) => now,
        Err(refused) => return refused,
    };
    let identity = match (&now, &request.version) {
        (Some(bytes), Some(v)) if version_of(bytes) == *v => match decode(bytes) {
            Some((_, identity)) => identity,
            None => {
                return refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not-text",
                    rel,
                    "not UTF-8 text: the page does not write over it as text",
                    "不是 UTF-8 文本，页面不以文本覆盖它",
                )
            }
        },
        (None, None) => Identity::default(),
        _ => return changed_on_disk(rel, now.as_deref(), request.version.is_none()),
    };
    if let Err(refused) = make_folders(rel, &target.missing) {
        return refused;
    }
    let bytes = encode(&request.text, identity);
    match crate::replace::replace(&target.path, &bytes) {
        Ok(()) => axum::Json(json!({ "path": rel, "version": version_of(&bytes) })).into_response(),
        Err(e) => {
            let m = e.message();
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "write-failed", rel, &m.en, &m.zh)
        }
    }
}

/// 409: the file is not at the version the page opened (or exists, when the page meant
/// to create it); the answer carries what is on disk now (`disk: null`: no file).
fn changed_on_disk(rel: &str, now: Option<&[u8]>, creating: bool) -> Response {
    let (code, en, zh) = if creating {
        ("exists", "there is already a file of this name", "已有同名文件")
    } else {
        (
            "changed-on-disk",
            "the file changed on disk since the page opened it: nothing was written",
            "页面打开此文件后，磁盘上的文件已被修改：未写入任何内容",
        )
    };
    let body = json!({
        "error": { "code": code, "message": format!("`{rel}`: {en}"), "message_zh": format!("`{rel}`：{zh}") },
        "disk": now.map(file_json),
    });
    (StatusCode::CONFLICT, axum::Json(body)).into_response()
}

/// Creates the folders a new file needs, one level at a time: each inside the one
/// before, which [`Files::resolve`] found inside the policy folder and not a link.
fn make_folders(rel: &str, missing: &[PathBuf]) -> Result<(), Response> {
    for folder in missing {
        match std::fs::create_dir(folder) {
            Ok(()) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::AlreadyExists
                    && !folder.is_symlink()
                    && folder.is_dir() => {}
            Err(e) => {
                return Err(refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "write-failed",
                    rel,
                    &format!("cannot create the folder: {e}"),
                    &format!("无法创建文件夹：{e}"),
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_its_mark_and_line_endings() {
        for bytes in [&b"a\r\nb\r\n"[..], b"\xEF\xBB\xBFa\nb\n", b"\xEF\xBB\xBFa\r\nb", b"a\nb"] {
            let (text, identity) = decode(bytes).expect("text");
            assert!(!text.contains('\r'));
            assert_eq!(encode(&text, identity), bytes);
        }
        assert!(decode(b"\xB9\xFA").is_none(), "GBK bytes are not UTF-8");
    }

    #[test]
    fn only_plain_relative_names_of_the_writable_kinds() {
        for good in ["a.qd", "x/y/清单.csv", "c.cases.yaml", "d.yml", "e.XLSX"] {
            assert!(
                plain_names(good).is_ok() && has_writable_kind(good.rsplit('/').next().unwrap_or("")),
                "{good}"
            );
        }
        for bad in ["", "/etc/a.qd", "../a.qd", "a/../b.qd", "./a.qd", "a\\..\\b.qd", ".git/a.qd", "a/.b.qd"]
        {
            assert!(plain_names(bad).is_err(), "{bad}");
        }
        for kind in ["a.sh", "a.qd.bak", ".qd", "a", "a.json", "a.html"] {
            assert!(!has_writable_kind(kind), "{kind}");
        }
    }
}
