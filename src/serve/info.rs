//! What the service tells about itself: the policies and their inputs, a logged decision,
//! health, status (versions, the last reload's diagnostics), Prometheus metrics, and the
//! OpenAPI document of every route.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value as Json};

use super::auth::Caller;
use super::catalog;
use super::errors;
use super::Service;

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn policies(State(svc): State<Arc<Service>>, Extension(caller): Extension<Caller>) -> Response {
    let catalog = svc.catalog();
    let list: Vec<Json> = catalog
        .values()
        .filter(|s| caller.may(&s.name))
        .map(|s| {
            json!({ "name": s.name, "version": s.version(), "hash": s.hash,
                    "decisions": s.deciders.keys().collect::<Vec<_>>() })
        })
        .collect();
    axum::Json(json!({ "policies": list })).into_response()
}

pub async fn policy(
    State(svc): State<Arc<Service>>,
    Path(name): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let catalog = svc.catalog();
    match catalog.get(&name) {
        Some(s) if caller.may(&name) => axum::Json(catalog::describe(s)).into_response(),
        Some(_) => errors::forbidden(&name),
        None => errors::unknown_policy(&name),
    }
}

pub async fn decision(
    State(svc): State<Arc<Service>>,
    Path(id): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let svc2 = svc.clone();
    let id2 = id.clone();
    let found = tokio::task::spawn_blocking(move || svc2.logger.get(&id2)).await;
    match found {
        Ok(Ok(Some(r))) if caller.may(&r.policy) => axum::Json(r.to_json()).into_response(),
        Ok(Ok(_)) => errors::not_found(&id),
        Ok(Err(why)) => errors::log_failed(&why),
        Err(_) => errors::log_failed("lookup failed"),
    }
}

pub async fn status(State(svc): State<Arc<Service>>) -> Response {
    let catalog = svc.catalog();
    let policies: Vec<Json> =
        catalog.values().map(|s| json!({ "name": s.name, "version": s.version(), "hash": s.hash })).collect();
    let reload = svc.reload_state();
    axum::Json(json!({
        "policies": policies,
        "log": svc.logger.describe(),
        "started": svc.started,
        "reload": {
            "last_checked": reload.checked,
            "ok": !reload.has_errors,
            "diagnostics": reload.diagnostics,
        },
        "versions": svc.versions(),
    }))
    .into_response()
}

pub async fn metrics(State(svc): State<Arc<Service>>) -> Response {
    let m = &svc.metrics;
    let text = format!(
        "# HELP qingdan_decisions_total Decisions taken and logged.\n\
         # TYPE qingdan_decisions_total counter\n\
         qingdan_decisions_total {}\n\
         # HELP qingdan_case_errors_total Single cases refused (bad input or a failed decision).\n\
         # TYPE qingdan_case_errors_total counter\n\
         qingdan_case_errors_total {}\n\
         # HELP qingdan_policies Policies served.\n\
         # TYPE qingdan_policies gauge\n\
         qingdan_policies {}\n\
         # HELP qingdan_reloads_total Reloads of the policy folder that were swapped in.\n\
         # TYPE qingdan_reloads_total counter\n\
         qingdan_reloads_total {}\n\
         # HELP qingdan_trace_events_dropped_total Operator events dropped because too many were waiting.\n\
         # TYPE qingdan_trace_events_dropped_total counter\n\
         qingdan_trace_events_dropped_total {}\n",
        m.decisions.load(Ordering::Relaxed),
        m.case_errors.load(Ordering::Relaxed),
        svc.catalog().len(),
        m.reloads.load(Ordering::Relaxed),
        super::trace::DROPPED.load(Ordering::Relaxed),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

pub async fn openapi() -> Response {
    axum::Json(openapi_document()).into_response()
}

/// Every route: method, path (OpenAPI's template syntax, which axum's is too), summary.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("post", "/v1/policies/{policy}/decisions/{decision}", "Decide one case (a JSON object)"),
    (
        "post",
        "/v1/policies/{policy}/decisions/{decision}/batch",
        "Decide many cases (JSON array or JSON Lines); JSON Lines back",
    ),
    ("get", "/v1/policies", "The policies served"),
    ("get", "/v1/policies/{policy}", "A policy: inputs as JSON Schema, decisions, outcomes"),
    ("get", "/v1/decisions/{id}", "A logged decision with its explanation"),
    ("get", "/v1/status", "Versions served, the log, the last reload's diagnostics"),
    ("get", "/v1/openapi.json", "This document"),
    ("get", "/healthz", "Liveness"),
    ("get", "/metrics", "Prometheus metrics"),
];

/// The OpenAPI 3.1 document, built from [`ROUTES`] (the router is checked against the same
/// table by `tests/serve.rs`).
pub fn openapi_document() -> Json {
    let error = json!({ "type": "object", "properties": { "error": { "type": "object", "properties": {
        "code": { "type": "string", "description": "a stable code (`qingdan explain CODE`)" },
        "message": { "type": "string" }, "message_zh": { "type": "string" }, "path": { "type": "string" } },
        "required": ["code", "message"] } } });
    let result = json!({ "type": "object", "description": "the case's result as `qingdan eval --format json --explain --decision D` prints it, with `decision_id` first",
        "properties": { "decision_id": { "type": "string", "format": "uuid" }, "case": { "type": "integer" }, "decisions": { "type": "object" } },
        "required": ["decision_id", "case", "decisions"] });
    let mut paths = serde_json::Map::new();
    for (method, path, summary) in ROUTES {
        let params: Vec<Json> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let ok = match *path {
            "/v1/policies/{policy}/decisions/{decision}" => {
                json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Result" } } })
            }
            "/v1/policies/{policy}/decisions/{decision}/batch" => {
                json!({ "application/x-ndjson": { "schema": { "$ref": "#/components/schemas/Result" } } })
            }
            "/healthz" | "/metrics" => json!({ "text/plain": { "schema": { "type": "string" } } }),
            _ => json!({ "application/json": { "schema": { "type": "object" } } }),
        };
        let mut op = json!({ "summary": summary, "parameters": params, "responses": {
            "200": { "description": "OK", "content": ok },
            "default": { "description": "an error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } } } });
        if *method == "post" {
            op["requestBody"] = json!({ "required": true, "content": {
                "application/json": { "schema": { "type": ["object", "array"], "description": "a case as `GET /v1/policies/{policy}` describes its inputs" } },
                "application/x-ndjson": { "schema": { "type": "string" } } } });
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "qingdan decision service", "version": env!("CARGO_PKG_VERSION") },
        "components": {
            "schemas": { "Error": error, "Result": result },
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
    })
}
