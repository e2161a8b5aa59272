//! The service's errors: JSON `{"error": {"code", "message", "message_zh", "path"?}}` with
//! the CLI's stable codes (a bad case keeps its E03xx and field path; E09xx are the
//! service's own, registered in `dsl/src/diag/codes.rs`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qingdan_dsl::Code;
use serde_json::json;

use super::trace::Refused;

pub fn error(status: StatusCode, code: Code, en: &str, zh: &str) -> Response {
    let mut response =
        (status, axum::Json(json!({ "error": { "code": code.as_str(), "message": en, "message_zh": zh } })))
            .into_response();
    response.extensions_mut().insert(Refused(code));
    response
}

pub fn unknown_policy(name: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        Code::E0901,
        &format!("no policy named `{name}` is served (GET /v1/policies lists them)"),
        &format!("没有名为 `{name}` 的政策（GET /v1/policies 列出全部）"),
    )
}

pub fn unknown_decision(policy: &str, name: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        Code::E0902,
        &format!("policy `{policy}` has no decision `{name}`"),
        &format!("政策 `{policy}` 没有决定 `{name}`"),
    )
}

pub fn too_large(limit: usize) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        Code::E0903,
        &format!("the request body is larger than {limit} bytes"),
        &format!("请求体超过 {limit} 字节"),
    )
}

pub fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        Code::E0904,
        "a valid bearer token is required (Authorization: Bearer …)",
        "须提供有效的令牌（Authorization: Bearer …）",
    )
}

pub fn forbidden(policy: &str) -> Response {
    error(
        StatusCode::FORBIDDEN,
        Code::E0904,
        &format!("this token may not ask policy `{policy}`"),
        &format!("此令牌无权使用政策 `{policy}`"),
    )
}

pub fn log_failed(why: &str) -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        Code::E0905,
        &format!("the decision could not be logged, so it is not given: {why}"),
        &format!("决定无法写入日志，因此不予答复：{why}"),
    )
}

pub fn timed_out(ms: u64) -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        Code::E0906,
        &format!("the request took longer than {ms} ms (`--timeout-ms`)"),
        &format!("请求处理超过 {ms} 毫秒（`--timeout-ms`）"),
    )
}

pub fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        Code::E0907,
        &format!("no logged decision with id `{what}`"),
        &format!("日志中没有编号为 `{what}` 的决定"),
    )
}

/// A case the reader refused, or a decision that failed, as eval printed it:
/// `{"case": n, "error": {...}}` becomes 422 with the same error object.
pub fn bad_case(eval_line: &str) -> Response {
    let body: serde_json::Value = serde_json::from_str(eval_line).unwrap_or_default();
    let mut err = body.get("error").cloned().unwrap_or_default();
    if err.get("code").is_none() {
        // A decision that failed (division by zero, a total decision with no rule).
        err["code"] = json!(Code::E0908.as_str());
    }
    let code = err["code"].as_str().and_then(Code::parse).unwrap_or(Code::E0908);
    let mut response =
        (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(json!({ "error": err }))).into_response();
    response.extensions_mut().insert(Refused(code));
    response
}
