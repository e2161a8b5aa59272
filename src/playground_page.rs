//! The playground page's own files (`playground/*.html`, `*.mjs`, `*.css`), served from
//! inside the binary: they are embedded when it is built, so that a binary copied anywhere
//! serves its page, and never one of another version. `--web DIR` serves them from a folder
//! instead, for working on the page without rebuilding.
//!
//! The JavaScript host the page decides cases with is the npm package's source,
//! `hosts/js/src/`, served under `host/` (the page imports `./host/qingdan.mjs`): built in as
//! well, or with `--web DIR` from `DIR/../hosts/js/src` when that folder is there (the
//! repository's layout), else still from inside the binary.

use std::path::{Component, Path, PathBuf};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::playground_cmd::error;
use crate::playground_guard::Guard;

/// The page's files as they were when the binary was built: the page and its modules, not
/// its tests (nor their `node_modules`). `include_bytes!` in the derive's expansion makes
/// cargo rebuild when one of them changes.
#[derive(rust_embed::Embed)]
#[folder = "playground/"]
#[include = "*.html"]
#[include = "*.mjs"]
#[include = "*.css"]
#[exclude = "test/*"]
#[exclude = "node_modules/*"]
struct Embedded;

/// The JavaScript host (`hosts/js/src/*.mjs`), served under `host/`.
#[derive(rust_embed::Embed)]
#[folder = "hosts/js/src/"]
#[include = "*.mjs"]
struct EmbeddedHost;

/// The path prefix under which the page finds the JavaScript host.
const HOST_PREFIX: &str = "host/";

/// Where the page's files come from.
pub enum Web {
    /// Built into the binary (the default).
    Embedded,
    /// A folder on disk (`--web DIR`), read on every request.
    Folder(PathBuf),
}

impl Web {
    pub fn from_option(dir: Option<&Path>) -> Web {
        dir.map_or(Web::Embedded, |d| Web::Folder(d.to_path_buf()))
    }

    /// Whether the page can be served at all: its `index.html` is there.
    pub fn has_index(&self) -> bool {
        match self {
            Web::Embedded => Embedded::get("index.html").is_some(),
            Web::Folder(dir) => dir.join("index.html").is_file(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Web::Embedded => "(built in)".to_string(),
            Web::Folder(dir) => crate::files::display(dir),
        }
    }

    fn read(&self, file: &Path) -> Option<Vec<u8>> {
        if let Ok(host_file) = file.strip_prefix(HOST_PREFIX) {
            return self.read_host(host_file);
        }
        match self {
            Web::Embedded => {
                let name = file.to_str()?.replace('\\', "/");
                Embedded::get(&name).map(|f| f.data.into_owned())
            }
            Web::Folder(dir) => std::fs::read(dir.join(file)).ok(),
        }
    }

    /// A file of the JavaScript host: from the repository's `hosts/js/src` beside a `--web`
    /// folder when there is one, else the one built in.
    fn read_host(&self, file: &Path) -> Option<Vec<u8>> {
        if let Web::Folder(dir) = self {
            let beside = dir.join("../hosts/js/src");
            if beside.is_dir() {
                return std::fs::read(beside.join(file)).ok();
            }
        }
        let name = file.to_str()?.replace('\\', "/");
        EmbeddedHost::get(&name).map(|f| f.data.into_owned())
    }

    /// A file of the page: inside the web folder, of a kind a page uses, never the tests.
    /// The page itself carries the token its API calls need, and is never cached.
    pub fn serve(&self, guard: &Guard, file: &str) -> Response {
        let p = Path::new(file);
        let inside = p.components().all(|c| matches!(c, Component::Normal(_)));
        let hidden = p.components().next().is_some_and(|c| {
            let c = c.as_os_str().to_string_lossy();
            c == "test" || c == "node_modules" || c.starts_with('.')
        });
        let kind = content_type(p);
        let not_found =
            || error(StatusCode::NOT_FOUND, "not-found", &format!("no `{file}`"), &format!("没有 `{file}`"));
        if !inside || hidden || kind.is_empty() {
            return not_found();
        }
        let Some(bytes) = self.read(p) else {
            return not_found();
        };
        if file == "index.html" {
            let page = guard.with_token(&String::from_utf8_lossy(&bytes));
            return ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-store")], page)
                .into_response();
        }
        ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], bytes).into_response()
    }
}

/// The content type of a page file by its extension; empty for a kind the page never uses.
fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|x| x.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        // ES modules must come as JavaScript, or the browser refuses to run them.
        Some("mjs" | "js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        Some("woff2") => "font/woff2",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_its_modules_are_built_in_and_its_tests_are_not() {
        let names: Vec<String> = Embedded::iter().map(|n| n.into_owned()).collect();
        for needed in ["index.html", "app.mjs", "style.css", "casefile.mjs"] {
            assert!(names.iter().any(|n| n == needed), "{needed} not embedded: {names:?}");
        }
        assert!(names.iter().all(|n| !n.starts_with("test/")), "tests embedded: {names:?}");
        assert!(names.iter().all(|n| n.ends_with(".html") || n.ends_with(".mjs") || n.ends_with(".css")));
        let host: Vec<String> = EmbeddedHost::iter().map(|n| n.into_owned()).collect();
        for needed in ["qingdan.mjs", "load.mjs", "seal.mjs", "policy.mjs"] {
            assert!(host.iter().any(|n| n == needed), "{needed} not embedded: {host:?}");
        }
    }

    #[test]
    fn the_host_is_served_under_host_from_inside_the_binary() {
        let built = Web::Embedded.read(Path::new("host/qingdan.mjs")).expect("host/qingdan.mjs");
        let on_disk =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/hosts/js/src/qingdan.mjs")).expect("file");
        assert_eq!(built, on_disk);
        assert!(
            Web::Embedded.read(Path::new("qingdan.mjs")).is_none(),
            "the host is not in the page's folder"
        );
        assert!(Web::Embedded.read(Path::new("host/app.mjs")).is_none(), "the page is not under host/");
    }
}
