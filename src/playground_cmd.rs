//! `qingdan playground`: a local web page where a drafter edits a policy and tries cases.
//!
//! The server is small on purpose: it serves the page's files (built into the binary,
//! `playground_page.rs`) and a JSON API over the same stages the CLI runs — check (with
//! the analyser), format, graph (with clause coverage, `trace_cmd.rs`), build, and the cases and list rows the page needs
//! (`playground_cases.rs`, `playground_row_names.rs`). Cases are evaluated in the browser, by the compiled module through
//! `hosts/js/src/qingdan.mjs`, never here. It listens on 127.0.0.1 unless told otherwise,
//! answers only its own page (`playground_guard.rs`), reads only inside its policy folder
//! (`loader.rs`), and refuses bodies over [`MAX_BODY`] and malformed requests with JSON
//! errors. The work a request asks for runs off the thread that answers requests, a few
//! jobs at a time, each within a time budget, so one heavy policy cannot stall the page.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use clap::Args;
use qingdan_dsl::diag::render::{self, RenderOptions};
use qingdan_dsl::syntax::lex::MAX_FILE_BYTES;
use qingdan_dsl::{Diagnostic, Lang, Program};
use serde::Deserialize;
use serde_json::{json, Value as Json};

use crate::exit;
use crate::files;
use crate::i18n::messages::{self, ServerFailure};
use crate::loader::FsLoader;
use crate::playground_guard::Guard;
use crate::playground_page::Web;

/// The largest request body: a policy is at most 8 MiB by the front end's own cap, but a
/// page edits one file of a few dozen kilobytes.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// How many requests' work may run at once. A job that outlives its budget still runs
/// to its end (the analyser cannot be stopped halfway) and keeps its place until then, so
/// this also bounds the memory such jobs can hold.
const JOBS: usize = 4;

/// A thread that checks a policy gets the stack the CLI's main thread has (`main.rs`).
const JOB_STACK_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, Args)]
pub struct PlaygroundArgs {
    /// The folder of policies the page opens (default: `policies`).
    #[arg(default_value = "policies")]
    pub dir: PathBuf,
    #[arg(long, default_value_t = 8700)]
    pub port: u16,
    /// The address to listen on. Only loopback by default: the page edits files' text and
    /// builds modules, which is nobody else's business. Requests must name the server as
    /// 127.0.0.1, localhost, [::1] or this address, with its port (against DNS rebinding).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Serve the page's files from this folder instead of those built into the binary (for
    /// working on the page: edits show on reload, without rebuilding).
    #[arg(long, value_name = "DIR")]
    pub web: Option<PathBuf>,
    /// How long one request's work (check and analysis, graph, build, format) may take, in
    /// milliseconds; a request over it gets 503 `over-budget`.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub budget_ms: u64,
}

struct Site {
    /// The policy folder; requests name files relative to it.
    root: PathBuf,
    /// The page's files.
    web: Web,
    /// Who may call (and the token the page is given).
    guard: Arc<Guard>,
    /// What a posted policy may read: data files in its folder, used policies in `root`.
    loader: FsLoader,
    budget: Duration,
    /// Places for jobs running at once ([`JOBS`]).
    jobs: Arc<tokio::sync::Semaphore>,
}

pub fn run(args: &PlaygroundArgs, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> u8 {
    // No one policy speaks for the folder: the asked language (`--lang`, a Chinese locale).
    let lang = crate::i18n::asked_or_en();
    let web = Web::from_option(args.web.as_deref());
    if !web.has_index() {
        let _ = writeln!(err, "qingdan: {}", messages::playground_no_index(lang, &web.describe()));
        return exit::USAGE;
    }
    if !args.dir.is_dir() {
        let _ = writeln!(
            err,
            "qingdan: {}",
            messages::not_a_policy_folder(lang, &args.dir.display().to_string())
        );
        return exit::USAGE;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .max_blocking_threads(JOBS)
        .thread_stack_size(JOB_STACK_BYTES)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(
                err,
                "qingdan: {}",
                messages::server_failed(lang, ServerFailure::Start, &e.to_string())
            );
            return exit::USAGE;
        }
    };
    let addr = SocketAddr::new(args.host, args.port);
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(
                    err,
                    "qingdan: {}",
                    messages::server_failed(lang, ServerFailure::Listen(addr), &e.to_string())
                );
                return exit::USAGE;
            }
        };
        let shown = listener.local_addr().unwrap_or(addr);
        let guard = match Guard::new(shown) {
            Ok(g) => Arc::new(g),
            Err(e) => {
                let _ = writeln!(err, "qingdan: {}", messages::server_failed(lang, ServerFailure::Start, &e));
                return exit::USAGE;
            }
        };
        let site = Arc::new(Site {
            root: args.dir.clone(),
            web,
            guard: guard.clone(),
            loader: FsLoader::within(&args.dir),
            budget: Duration::from_millis(args.budget_ms),
            jobs: Arc::new(tokio::sync::Semaphore::new(JOBS)),
        });
        let url = format!("http://{shown}/");
        let _ = writeln!(out, "{}", messages::playground_at(lang, &url, &args.dir.display().to_string()));
        let _ = out.flush();
        match axum::serve(listener, app(site, guard)).await {
            Ok(()) => exit::OK,
            Err(e) => {
                let _ = writeln!(
                    err,
                    "qingdan: {}",
                    messages::server_failed(lang, ServerFailure::Stopped, &e.to_string())
                );
                exit::FAILED
            }
        }
    })
}

fn app(site: Arc<Site>, guard: Arc<Guard>) -> Router {
    Router::new()
        .route("/api/policies", get(policies))
        .route("/api/check", post(check))
        .route("/api/format", post(format))
        .route("/api/graph", post(graph))
        .route("/api/build", post(build))
        .merge(crate::playground_files::routes(&site.root))
        .route("/api/cases", post(cases))
        .route("/api/rows", post(rows))
        .route("/", get(index))
        .route("/{*file}", get(page_file))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(refuse_declared_too_large))
        .layer(axum::middleware::from_fn_with_state(guard, crate::playground_guard::guard))
        .with_state(site)
}

/// A JSON error: `{"error": {"code", "message", "message_zh"}}`.
pub(crate) fn error(status: StatusCode, code: &str, en: &str, zh: &str) -> Response {
    (status, axum::Json(json!({ "error": { "code": code, "message": en, "message_zh": zh } })))
        .into_response()
}

/// A request about one policy text: where it lives (for `use` and data files) and what
/// it says now.
#[derive(Deserialize)]
struct Edit {
    path: String,
    text: String,
    lang: Option<String>,
    keywords: Option<String>,
}

fn too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        &format!("the request is larger than {MAX_BODY} bytes"),
        &format!("请求超过 {MAX_BODY} 字节"),
    )
}

/// Refuses a body whose declared length is over [`MAX_BODY`] from the headers, before any
/// of it is read. The body limit alone answers only once the excess has arrived, and then
/// closes with the rest unread, which resets the connection and can lose the answer; this
/// way a client that waits for an answer before sending the body gets it.
async fn refuse_declared_too_large(request: Request, next: Next) -> Response {
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    next.run(request).await
}

/// Reads the body as an [`Edit`], or answers why not.
fn edit(body: Result<Bytes, BytesRejection>) -> Result<Edit, Response> {
    let bytes = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        status => error(status, "bad-request", &r.body_text(), "请求无法读取"),
    })?;
    serde_json::from_slice::<Edit>(&bytes).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "malformed",
            &format!("expected JSON {{\"path\": …, \"text\": …}}: {e}"),
            &format!("应为 JSON {{\"path\": …, \"text\": …}}：{e}"),
        )
    })
}

impl Site {
    /// The file a request's path names, inside the policy folder: relative, without `..`.
    fn locate(&self, path: &str) -> Result<PathBuf, Response> {
        let p = Path::new(path);
        let inside = p.components().all(|c| matches!(c, Component::Normal(_))) && !path.is_empty();
        if !inside {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "bad-path",
                &format!("`{path}` is not a relative path inside the policy folder"),
                &format!("`{path}` 不是政策文件夹内的相对路径"),
            ));
        }
        Ok(self.root.join(p))
    }

    /// Checks `text` as the file at `path`, analyser included, as `qingdan check` does
    /// (but reading nothing outside the policy folder).
    fn checked(&self, e: &Edit) -> Result<Program, Response> {
        let file = self.locate(&e.path)?;
        let input = (files::display(&file), Ok(e.text.clone().into_bytes()));
        Ok(crate::commands::check_and_analyse(vec![input], &mut self.loader.clone()))
    }
}

/// Runs `job` on a thread of its own, once one of the [`JOBS`] places is free, and waits
/// for it no longer than the budget (the wait for a place included). The thread that
/// answers requests only waits, so other requests are answered meanwhile.
async fn off_thread(site: Arc<Site>, job: impl FnOnce(&Site) -> Response + Send + 'static) -> Response {
    let budget = site.budget;
    let deadline = tokio::time::Instant::now() + budget;
    let place = match tokio::time::timeout_at(deadline, site.jobs.clone().acquire_owned()).await {
        Ok(Ok(place)) => place,
        _ => return over_budget("busy", budget),
    };
    let work = tokio::task::spawn_blocking(move || {
        let answer = job(site.as_ref());
        drop(place);
        answer
    });
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error (please report it with the policy that caused it)",
            "内部错误（请连同引起它的政策一起报告）",
        ),
        Err(_) => over_budget("over-budget", budget),
    }
}

/// 503: the work did not finish (`over-budget`), or could not start (`busy`: earlier
/// requests' work still holds every place), within the budget.
fn over_budget(code: &str, budget: Duration) -> Response {
    let ms = budget.as_millis();
    let (en, zh) = if code == "busy" {
        (
            format!("the server is busy with earlier requests that took longer than {ms} ms; try again when they end"),
            format!("服务正忙于超过 {ms} 毫秒的先前请求；请待其结束后再试"),
        )
    } else {
        (
            format!("this took longer than the playground's budget of {ms} ms (`--budget-ms`); the policy may be too large to analyse as you type, try `qingdan check`"),
            format!("处理时间超过试验台的 {ms} 毫秒预算（`--budget-ms`）；政策可能太大，无法边写边分析，可改用 `qingdan check`"),
        )
    };
    error(StatusCode::SERVICE_UNAVAILABLE, code, &en, &zh)
}

/// Reads the request's [`Edit`] and answers with what `job` makes of it, off the thread.
async fn on_edit(
    site: Arc<Site>,
    body: Result<Bytes, BytesRejection>,
    job: fn(&Site, &Edit) -> Response,
) -> Response {
    match edit(body) {
        Ok(e) => off_thread(site, move |site| job(site, &e)).await,
        Err(r) => r,
    }
}

fn diagnostics(diags: &[Diagnostic], sources: &qingdan_dsl::SourceMap, lang: Option<&str>) -> Json {
    let opts = RenderOptions { lang: lang.and_then(Lang::parse), color: false };
    // At most so many of one code in one file: the page marks each in the editor.
    let (shown, _) = qingdan_dsl::diag::cap::cap(diags, sources, qingdan_dsl::diag::cap::JSON_PER_CODE);
    serde_json::to_value(render::to_json(&shown, sources, opts)).unwrap_or(Json::Null)
}

fn summary(diags: &[Diagnostic]) -> Json {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    json!({ "errors": errors, "warnings": diags.len() - errors })
}

/// The policy has errors: 422 with them.
fn unprocessable(diags: &[Diagnostic], sources: &qingdan_dsl::SourceMap, lang: Option<&str>) -> Response {
    let body = json!({
        "error": { "code": "policy-has-errors", "message": "the policy has errors", "message_zh": "政策有错误" },
        "diagnostics": diagnostics(diags, sources, lang),
    });
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}

async fn policies(State(site): State<Arc<Site>>) -> Response {
    off_thread(site, list_policies).await
}

fn list_policies(site: &Site) -> Response {
    let found = files::expand(std::slice::from_ref(&site.root));
    let list: Vec<Json> = found
        .iter()
        .filter_map(|p| {
            let text = String::from_utf8(files::read_regular(p, MAX_FILE_BYTES).ok()?).ok()?;
            let rel = p.strip_prefix(&site.root).ok()?.to_string_lossy().replace('\\', "/");
            let name = qingdan_dsl::syntax::parse::policy_name(&text).unwrap_or_default().to_string();
            Some(json!({ "path": rel, "name": name, "text": text }))
        })
        .collect();
    axum::Json(json!({ "root": files::display(&site.root), "policies": list })).into_response()
}

async fn check(State(site): State<Arc<Site>>, body: Result<Bytes, BytesRejection>) -> Response {
    on_edit(site, body, check_edit).await
}

fn check_edit(site: &Site, e: &Edit) -> Response {
    match site.checked(e) {
        Ok(program) => axum::Json(json!({
            "diagnostics": diagnostics(&program.diagnostics, &program.sources, e.lang.as_deref()),
            "summary": summary(&program.diagnostics),
        }))
        .into_response(),
        Err(r) => r,
    }
}

async fn format(State(site): State<Arc<Site>>, body: Result<Bytes, BytesRejection>) -> Response {
    on_edit(site, body, format_edit).await
}

fn format_edit(site: &Site, e: &Edit) -> Response {
    // Diagnostics name the file as `/api/check` does.
    let file = match site.locate(&e.path) {
        Ok(f) => files::display(&f),
        Err(r) => return r,
    };
    let parsed = qingdan_dsl::syntax::parse(&e.text, qingdan_dsl::FileId(0));
    let failed = parsed.diagnostics.iter().any(|d| d.is_error());
    match parsed.module {
        Some(module) if !failed => {
            let lang = e.keywords.as_deref().and_then(Lang::parse).unwrap_or(module.lang);
            let text = qingdan_dsl::fmt::format_with(&module, &parsed.comments, &e.text, lang);
            axum::Json(json!({ "text": text })).into_response()
        }
        _ => {
            let mut sources = qingdan_dsl::SourceMap::default();
            sources.add(qingdan_dsl::SourceFile::new(file, e.text.clone()));
            unprocessable(&parsed.diagnostics, &sources, e.lang.as_deref())
        }
    }
}

/// Checks and lowers the edited policy, or answers with its errors.
fn lowered(site: &Site, e: &Edit) -> Result<(Program, qingdan_engine::Policy), Response> {
    let program = site.checked(e)?;
    if program.has_errors() {
        return Err(unprocessable(&program.diagnostics, &program.sources, e.lang.as_deref()));
    }
    let name = qingdan_dsl::syntax::parse::policy_name(&e.text).map(str::to_string);
    match qingdan_engine::lower(&program, name.as_deref()) {
        Ok(p) => Ok((program, p)),
        Err(err) => Err(error(StatusCode::UNPROCESSABLE_ENTITY, "lowering", &err.message, &err.message)),
    }
}

async fn graph(State(site): State<Arc<Site>>, body: Result<Bytes, BytesRejection>) -> Response {
    on_edit(site, body, graph_edit).await
}

fn graph_edit(site: &Site, e: &Edit) -> Response {
    let (program, policy) = match lowered(site, e) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let g = match qingdan_engine::graph::build(&policy) {
        Ok(g) => g,
        Err(cycle) => {
            let text = cycle.to_string();
            return error(StatusCode::UNPROCESSABLE_ENTITY, "cycle", &text, &text);
        }
    };
    let exported: Json = serde_json::from_str(&g.view().json()).unwrap_or(Json::Null);
    let why: serde_json::Map<String, Json> = g
        .nodes()
        .filter(|(_, n)| matches!(n.kind, qingdan_engine::graph::NodeKind::Decision(_)))
        .map(|(id, n)| {
            let mut ids: Vec<String> =
                g.dependencies(&[id]).iter().map(|d| format!("n{}", d.index())).collect();
            ids.push(format!("n{}", id.index()));
            (n.label.clone(), json!(ids))
        })
        .collect();
    axum::Json(json!({ "graph": exported, "why": why, "coverage": coverage(&program) })).into_response()
}

/// Clause coverage of the edited policy and those it uses, as `qingdan trace --as json`
/// gives it: the page shows it beside the graph, from the same checked program.
fn coverage(program: &Program) -> Json {
    program.checked.as_ref().map_or(Json::Null, |checked| {
        serde_json::to_value(crate::trace_cmd::collect(program, checked)).unwrap_or(Json::Null)
    })
}

async fn build(State(site): State<Arc<Site>>, body: Result<Bytes, BytesRejection>) -> Response {
    on_edit(site, body, build_edit).await
}

fn build_edit(site: &Site, e: &Edit) -> Response {
    let (program, policy) = match lowered(site, e) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match qingdan_engine::wasm::compile(&policy, &crate::build_cmd::source_hash(&program)) {
        Ok(c) => ([(header::CONTENT_TYPE, "application/wasm")], c.bytes).into_response(),
        Err(b) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wasm-unsupported",
            &format!("cannot compile to WASM: {} is not supported", b.what),
            &format!("无法编译为 WASM：不支持{}", b.what),
        ),
    }
}

async fn cases(State(site): State<Arc<Site>>, body: Result<Bytes, BytesRejection>) -> Response {
    on_edit(site, body, cases_edit).await
}

/// The cases `qingdan test` would run for the edited policy (`playground_cases.rs`).
fn cases_edit(site: &Site, e: &Edit) -> Response {
    let file = match site.locate(&e.path) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match lowered_without_analysis(site, e) {
        Ok(policy) => crate::playground_cases::answer(&site.root, &file, &e.text, &policy),
        Err(r) => r,
    }
}

/// Checks (the front end only) and lowers the edited policy, for the calls that come after
/// `/api/check` has run the analyser on the same text: cases and rows need the policy, not
/// the analyser's findings, which cost most of the time.
fn lowered_without_analysis(site: &Site, e: &Edit) -> Result<qingdan_engine::Policy, Response> {
    let file = site.locate(&e.path)?;
    let input = (files::display(&file), Ok(e.text.clone().into_bytes()));
    let program = qingdan_dsl::program::check_files(vec![input], &mut site.loader.clone());
    if program.has_errors() {
        return Err(unprocessable(&program.diagnostics, &program.sources, e.lang.as_deref()));
    }
    let name = qingdan_dsl::syntax::parse::policy_name(&e.text).map(str::to_string);
    qingdan_engine::lower(&program, name.as_deref())
        .map_err(|err| error(StatusCode::UNPROCESSABLE_ENTITY, "lowering", &err.message, &err.message))
}

async fn rows(State(site): State<Arc<Site>>, body: Result<Bytes, BytesRejection>) -> Response {
    on_edit(site, body, |site, e| match lowered_without_analysis(site, e) {
        Ok(policy) => crate::playground_row_names::answer(&policy),
        Err(r) => r,
    })
    .await
}

async fn index(State(site): State<Arc<Site>>) -> Response {
    site.web.serve(&site.guard, "index.html")
}

async fn page_file(
    State(site): State<Arc<Site>>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    site.web.serve(&site.guard, &file)
}
