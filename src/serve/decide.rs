//! `POST /v1/policies/{policy}/decisions/{decision}`: one case in, its result out as
//! `qingdan eval --format json --explain --decision D` prints it, with the `decision_id`
//! under which it was logged. The answer is sent only after the log committed it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use qingdan_dsl::Code;
use serde_json::Value as Json;

use super::auth::Caller;
use super::catalog::Served;
use super::errors;
use super::store::{now_ms, rfc3339, uuid_v7, Record};
use super::trace::{self, DecisionId};
use super::Service;

/// The first outcome of `decision` in an eval JSON line (empty on a conflict).
pub fn outcome_of(line: &str, decision: &str) -> String {
    let body: Json = serde_json::from_str(line).unwrap_or_default();
    body["decisions"][decision]["outcomes"][0]["outcome"].as_str().unwrap_or_default().to_string()
}

/// The eval line with `"decision_id"` as its first member.
pub fn with_id(line: &str, id: &str) -> String {
    match line.strip_prefix('{') {
        Some(rest) => format!("{{\"decision_id\":\"{id}\",{rest}"),
        None => line.to_string(),
    }
}

/// A record for a case decided now.
pub fn record(served: &Served, decision: &str, caller: &str, input: String, result: String) -> Record {
    let now = now_ms();
    Record {
        id: uuid_v7(now),
        time: rfc3339(now),
        policy: served.name.clone(),
        hash: served.hash.clone(),
        decision: decision.to_string(),
        caller: caller.to_string(),
        outcome: outcome_of(&result, decision),
        input,
        result,
    }
}

pub async fn decide_one(
    State(svc): State<Arc<Service>>,
    Path((policy, decision)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    body: Body,
) -> Response {
    let served = match svc.find(&policy, &decision, &caller) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let limits = &svc.limits;
    let bytes = match tokio::time::timeout(limits.timeout, axum::body::to_bytes(body, limits.body)).await {
        Err(_) => return errors::timed_out(limits.timeout.as_millis() as u64),
        Ok(Err(_)) => return errors::too_large(limits.body),
        Ok(Ok(b)) => b,
    };
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        return errors::error(
            StatusCode::BAD_REQUEST,
            Code::E0301,
            "the body is not UTF-8",
            "请求体不是 UTF-8 文本",
        );
    };
    if !text.trim_start().starts_with('{') {
        return errors::error(
            StatusCode::BAD_REQUEST,
            Code::E0301,
            "expected one case, a JSON object; many cases go to …/batch",
            "应为一个案例（JSON 对象）；多个案例请发往 …/batch",
        );
    }
    let job = {
        let (served, decision, text) = (served.clone(), decision.clone(), text.clone());
        tokio::task::spawn_blocking(move || decide_text(&served, &decision, &text, 1))
    };
    let (line, ok) = match tokio::time::timeout(limits.timeout, job).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => {
            return errors::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::E0908,
                "internal error",
                "内部错误",
            )
        }
        Err(_) => return errors::timed_out(limits.timeout.as_millis() as u64),
    };
    if !ok {
        svc.metrics.case_errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return errors::bad_case(&line);
    }
    let rec = record(&served, &decision, &caller.name, text, line);
    let (id, answer) = (rec.id.clone(), with_id(&rec.result, &rec.id));
    if let Err(why) = svc.logger.commit(vec![rec]).await {
        trace::log_failed(&why);
        return errors::log_failed(&why);
    }
    svc.metrics.decided(1);
    let mut response = ([(header::CONTENT_TYPE, "application/json")], answer).into_response();
    response.extensions_mut().insert(DecisionId(id));
    response
}

/// Decides one case's JSON text as case number `n`: eval's line and whether it decided.
pub fn decide_text(served: &Served, decision: &str, text: &str, n: usize) -> (String, bool) {
    let Some(decider) = served.deciders.get(decision) else { return (String::new(), false) };
    decider.decide(n, served.reader.json_line(text, n))
}
