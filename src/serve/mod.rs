//! `qingdan serve`: a decision service over HTTP with a decision log.
//!
//! `catalog` loads the folder's policies (and `reload` watches it), `decide` and `batch`
//! answer cases with exactly what `qingdan eval --format json --explain` prints, `store`
//! logs each decision (group commit; SQLite or PostgreSQL) before it is answered, `auth` names callers,
//! `info` tells about policies, versions, health and metrics, `errors` words refusals with
//! the CLI's codes; `log_cmd` is `qingdan log` and `qingdan replay`.

pub mod auth;
mod batch;
pub mod catalog;
mod decide;
mod errors;
pub mod info;
pub mod log_cmd;
mod reload;
mod split;
pub mod store;
pub mod trace;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use clap::Args;
use futures_util::future::Either;
use std::future::IntoFuture;

use crate::exit;
use auth::{Caller, Tokens};
use catalog::Served;
use store::Logger;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The folder of policies to serve (every `.qd` file in it, checked together).
    pub dir: PathBuf,
    /// The address to listen on; anything but loopback requires `--tokens`.
    #[arg(long, default_value = "127.0.0.1:8710")]
    pub addr: SocketAddr,
    /// The decision log: `sqlite:PATH` (default: `decisions.sqlite` in the policy folder),
    /// or `postgres://…` (one log shared by several replicas).
    #[arg(long, value_name = "STORE")]
    pub log: Option<String>,
    /// Bearer tokens, one per line: `TOKEN CALLER POLICY[,POLICY…]` (`*`: every policy).
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// The largest request body in bytes (one case, or a JSON array batch).
    #[arg(long, default_value_t = 1024 * 1024, value_name = "BYTES")]
    pub max_body: usize,
    /// The most cases one batch may hold.
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    pub max_batch: usize,
    /// How long reading a request's body, or deciding a case or a chunk of a batch, may take.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub timeout_ms: u64,
    /// How often the folder is looked at for changed policies (0: never).
    #[arg(long, default_value_t = 1_000, value_name = "MS")]
    pub reload_ms: u64,
    /// Events for the operator on standard error: one per request (with its decision id),
    /// per batch chunk, reload and log failure.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub trace: trace::TraceFormat,
}

pub struct Limits {
    pub body: usize,
    pub batch: usize,
    pub timeout: Duration,
}

#[derive(Default)]
pub struct Metrics {
    pub decisions: AtomicU64,
    pub case_errors: AtomicU64,
    pub reloads: AtomicU64,
}

impl Metrics {
    fn decided(&self, n: u64) {
        self.decisions.fetch_add(n, Ordering::Relaxed);
    }
}

type Catalog = BTreeMap<String, Arc<Served>>;

pub struct Service {
    catalog: RwLock<Arc<Catalog>>,
    /// Every version served since start: policy → hashes, oldest first.
    history: RwLock<BTreeMap<String, Vec<String>>>,
    reload: RwLock<reload::State>,
    pub logger: Logger,
    pub metrics: Metrics,
    pub tokens: Option<Tokens>,
    pub limits: Limits,
    pub started: String,
}

impl Service {
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().map(|c| c.clone()).unwrap_or_default()
    }

    fn reload_state(&self) -> reload::State {
        self.reload.read().map(|s| s.clone()).unwrap_or_default()
    }

    fn versions(&self) -> BTreeMap<String, Vec<String>> {
        self.history.read().map(|h| h.clone()).unwrap_or_default()
    }

    /// Swaps in a new catalog at once, remembering its versions.
    fn install(&self, catalog: Catalog) {
        if let Ok(mut h) = self.history.write() {
            for s in catalog.values() {
                let seen = h.entry(s.name.clone()).or_default();
                if !seen.contains(&s.hash) {
                    seen.push(s.hash.clone());
                }
            }
        }
        if let Ok(mut c) = self.catalog.write() {
            *c = Arc::new(catalog);
        }
    }

    /// The policy a request names, if it has the decision and the caller may ask it.
    fn find(&self, policy: &str, decision: &str, caller: &Caller) -> Result<Arc<Served>, Response> {
        let catalog = self.catalog();
        let served = catalog.get(policy).ok_or_else(|| errors::unknown_policy(policy))?;
        if !caller.may(policy) {
            return Err(errors::forbidden(policy));
        }
        if !served.deciders.contains_key(decision) {
            return Err(errors::unknown_decision(policy, decision));
        }
        Ok(served.clone())
    }
}

pub fn router(svc: Arc<Service>) -> Router {
    let body_limit = svc.limits.body;
    Router::new()
        .route("/v1/policies/{policy}/decisions/{decision}", post(decide::decide_one))
        .route("/v1/policies/{policy}/decisions/{decision}/batch", post(batch::decide_batch))
        .route("/v1/policies", get(info::policies))
        .route("/v1/policies/{policy}", get(info::policy))
        .route("/v1/decisions/{id}", get(info::decision))
        .route("/v1/status", get(info::status))
        .route("/v1/openapi.json", get(info::openapi))
        .route("/healthz", get(info::healthz))
        .route("/metrics", get(info::metrics))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(svc.clone(), auth::identify))
        .layer(axum::middleware::from_fn(trace::request))
        .with_state(svc)
}

pub fn run(args: &ServeArgs, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> u8 {
    match start(args, out, err) {
        Ok(code) => code,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {why}");
            exit::USAGE
        }
    }
}

fn start(args: &ServeArgs, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> Result<u8, String> {
    if !args.dir.is_dir() {
        return Err(format!("{}: not a folder of policies", args.dir.display()));
    }
    if !args.addr.ip().is_loopback() && args.tokens.is_none() {
        return Err(format!(
            "listening on {} (not loopback) requires --tokens FILE: every caller must be named",
            args.addr
        ));
    }
    let tokens = args.tokens.as_deref().map(Tokens::read).transpose()?;
    let events = trace::init(args.trace);
    let loaded = catalog::load(&args.dir);
    if loaded.has_errors {
        return Err(format!("the policies have errors; nothing is served\n{}", loaded.diagnostics));
    }
    let spec =
        args.log.clone().unwrap_or_else(|| format!("sqlite:{}", args.dir.join("decisions.sqlite").display()));
    let logger = Logger::start(store::open(&spec)?, store::open(&spec)?);
    let svc = Arc::new(Service {
        catalog: RwLock::default(),
        history: RwLock::default(),
        reload: RwLock::new(reload::State::after(&loaded)),
        logger,
        metrics: Metrics::default(),
        tokens,
        limits: Limits {
            body: args.max_body,
            batch: args.max_batch,
            timeout: Duration::from_millis(args.timeout_ms),
        },
        started: store::rfc3339(store::now_ms()),
    });
    svc.install(loaded.policies.into_iter().map(|(k, v)| (k, Arc::new(v))).collect());
    // One worker per core: connections are read and answered in parallel; deciding and
    // logging run on the blocking pool and the log's own thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
        let shown = listener.local_addr().unwrap_or(args.addr);
        if args.reload_ms > 0 {
            reload::watch(svc.clone(), args.dir.clone(), Duration::from_millis(args.reload_ms));
        }
        let _ = writeln!(
            out,
            "qingdan serve: http://{shown}/ ({} policies, log {})",
            svc.catalog().len(),
            svc.logger.describe()
        );
        let _ = out.flush();
        let serving = std::pin::pin!(axum::serve(listener, router(svc)).into_future());
        // This thread holds standard error for the command, so the events are written here.
        let writing = std::pin::pin!(trace::write_events(events, err));
        if let Either::Left((Err(e), _)) = futures_util::future::select(serving, writing).await {
            return Err(format!("the server stopped: {e}"));
        }
        Ok(exit::OK)
    })
}
