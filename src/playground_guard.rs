//! Who may talk to `qingdan playground`: the page it served, and nothing else.
//!
//! The server listens on loopback, but every web page the drafter has open can still send
//! it requests: a cross-site `text/plain` POST needs no preflight, and a page whose own
//! name is re-pointed at 127.0.0.1 (DNS rebinding) is, to the browser, same-origin with
//! us and can read the answers. So each request passes, in order:
//!
//! 1. `Host` names this server: `127.0.0.1`, `localhost` or `[::1]` (or the address it
//!    was told to listen on) with the port it listens on. A rebinding page's requests
//!    carry its own name. Refused with 421 `foreign-host`.
//! 2. A request that says where it comes from (`Origin`, `Sec-Fetch-Site`) comes from this
//!    server's own origin; only opening the page by a link from elsewhere is let through,
//!    as that cannot read what it gets. Refused with 403 `foreign-origin`.
//! 3. Every POST and every `/api/` call carries `X-Qingdan-Token`: a random value drawn
//!    when the server starts, written into the page (`index.html`) it serves, which no
//!    other origin can read. Refused with 403 `no-token` or `wrong-token`.
//! 4. A POST says its body is `application/json`, which a plain HTML form or a request
//!    without preflight cannot. Refused with 415 `not-json`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::playground_cmd::error;

/// The header the page sends its token in.
pub const TOKEN_HEADER: &str = "x-qingdan-token";

/// Where the page reads its token: a `<meta>` element of this name.
const TOKEN_META: &str = "qingdan-token";

pub struct Guard {
    /// The address the server listens on (its port is the only one accepted).
    bound: SocketAddr,
    /// 32 random bytes in hex, drawn once per run.
    token: String,
}

impl Guard {
    /// A guard for a server listening on `bound`, with a fresh token from the operating
    /// system's random source.
    pub fn new(bound: SocketAddr) -> Result<Guard, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no random token: {e}"))?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Guard { bound, token })
    }

    /// Whether `host` (a `Host` header's value, or an origin without its scheme) names
    /// this server.
    fn names_us(&self, host: &str) -> bool {
        let (name, port) = split_port(host);
        let port = match port {
            None => 80,
            Some(p) => match p.parse::<u16>() {
                Ok(p) => p,
                Err(_) => return false,
            },
        };
        if port != self.bound.port() {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        // An IPv6 address only in brackets, as a `Host` header writes it.
        let ip = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            Some(v6) => v6.parse::<std::net::Ipv6Addr>().map(IpAddr::V6),
            None => name.parse::<std::net::Ipv4Addr>().map(IpAddr::V4),
        };
        match ip {
            Ok(ip) if ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || ip == IpAddr::V6(Ipv6Addr::LOCALHOST) => true,
            // Told to listen on a particular address: that address names us too.
            Ok(ip) => ip == self.bound.ip() && !ip.is_unspecified(),
            Err(_) => false,
        }
    }

    /// Why this request is refused, if it is.
    fn refusal(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        if !text(header::HOST).is_some_and(|h| self.names_us(h)) {
            let host = text(header::HOST).unwrap_or("");
            return Some(error(
                StatusCode::MISDIRECTED_REQUEST,
                "foreign-host",
                &format!("this server answers only to 127.0.0.1, localhost or [::1] on its port, not to Host `{host}`"),
                &format!("本服务只回应本机地址（127.0.0.1、localhost、[::1]）及其端口，不回应 Host `{host}`"),
            ));
        }
        if !self.same_origin(headers) {
            let origin = text(header::ORIGIN).unwrap_or("another site");
            return Some(error(
                StatusCode::FORBIDDEN,
                "foreign-origin",
                &format!("requests from {origin} are refused: only the playground's own page may call it"),
                &format!("拒绝来自 {origin} 的请求：只有试验台自己的页面可以调用"),
            ));
        }
        let api = *method == Method::POST || path.starts_with("/api/");
        if api {
            if let Some(refused) = self.token_refusal(headers) {
                return Some(refused);
            }
        }
        if *method == Method::POST && !is_json(text(header::CONTENT_TYPE)) {
            return Some(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not-json",
                "the body must be sent as Content-Type: application/json",
                "请求体必须以 Content-Type: application/json 发送",
            ));
        }
        None
    }

    /// `Origin`, when sent, is ours; `Sec-Fetch-Site`, when sent, says same-origin or
    /// "typed by the user", except for opening the page itself from a link.
    fn same_origin(&self, headers: &HeaderMap) -> bool {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(origin) = text("origin") {
            let ours = origin.strip_prefix("http://").is_some_and(|host| self.names_us(host));
            if !ours {
                return false;
            }
        }
        match text("sec-fetch-site") {
            None | Some("same-origin" | "none") => true,
            // A top-level navigation from elsewhere gets the page but cannot read it.
            Some(_) => {
                text("sec-fetch-mode") == Some("navigate") && text("sec-fetch-dest") == Some("document")
            }
        }
    }

    fn token_refusal(&self, headers: &HeaderMap) -> Option<Response> {
        match headers.get(TOKEN_HEADER).map(HeaderValue::as_bytes) {
            None => Some(error(
                StatusCode::FORBIDDEN,
                "no-token",
                "the request carries no X-Qingdan-Token: only the playground's page may call the API",
                "请求没有 X-Qingdan-Token：只有试验台的页面可以调用接口",
            )),
            Some(given) if !same_bytes(given, self.token.as_bytes()) => Some(error(
                StatusCode::FORBIDDEN,
                "wrong-token",
                "the X-Qingdan-Token is not this server's (it changes each time the playground starts: reload the page)",
                "X-Qingdan-Token 不是本服务的（试验台每次启动都会更换：请重新加载页面）",
            )),
            Some(_) => None,
        }
    }

    /// The page with its token: a `<meta name="qingdan-token">` element added to the
    /// head (or at the start, for a page without one).
    pub fn with_token(&self, html: &str) -> String {
        let meta = format!("<meta name=\"{TOKEN_META}\" content=\"{}\">", self.token);
        match html.find("<head>") {
            Some(at) => format!("{}{meta}{}", &html[..at + 6], &html[at + 6..]),
            None => format!("{meta}{html}"),
        }
    }
}

/// `host:port`, `[v6]:port` or a bare name, split at the port's colon.
fn split_port(host: &str) -> (&str, Option<&str>) {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => (&host[..=end], host[end + 1..].strip_prefix(':')),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    }
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Compares in time independent of where the first difference is: the token is a secret.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware: refuses what [`Guard`] refuses, and tells browsers not to frame the
/// page, guess types or hand its files to other origins.
pub async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let refused = guard.refusal(request.method(), request.uri().path(), request.headers());
    let mut response = match refused {
        Some(r) => r,
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard::new("127.0.0.1:8700".parse().expect("address")).expect("a token")
    }

    #[test]
    fn only_loopback_names_on_our_port_name_us() {
        let g = guard();
        for ours in
            ["127.0.0.1:8700", "localhost:8700", "LOCALHOST:8700", "[::1]:8700", "[0:0:0:0:0:0:0:1]:8700"]
        {
            assert!(g.names_us(ours), "{ours}");
        }
        for foreign in [
            "evil.example:8700",
            "127.0.0.1:8701",
            "127.0.0.1",
            "localhost.evil.example:8700",
            "[::1]",
            "127.0.0.1:8700:1",
            "",
            "0.0.0.0:8700",
            "10.0.0.1:8700",
            "127.0.0.2:8700",
            "::1:8700",
            "2130706433:8700",
        ] {
            assert!(!g.names_us(foreign), "{foreign}");
        }
        let lan = Guard::new("192.168.1.5:8700".parse().expect("address")).expect("a token");
        assert!(lan.names_us("192.168.1.5:8700") && lan.names_us("localhost:8700"));
        let any = Guard::new("0.0.0.0:8700".parse().expect("address")).expect("a token");
        assert!(!any.names_us("0.0.0.0:8700") && !any.names_us("192.168.1.5:8700"));
    }

    #[test]
    fn the_token_is_64_hex_digits_and_differs_per_run() {
        let (a, b) = (guard(), guard());
        assert_eq!(a.token.len(), 64);
        assert!(a.token.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.token, b.token);
    }

    #[test]
    fn the_page_gets_its_token_in_the_head() {
        let g = guard();
        let page = g.with_token("<!doctype html><html><head><title>x</title></head></html>");
        assert!(page.starts_with(&format!(
            "<!doctype html><html><head><meta name=\"qingdan-token\" content=\"{}\">",
            g.token
        )));
        assert!(g.with_token("<p>x").starts_with("<meta name=\"qingdan-token\""));
    }
}
