//! Who is asking: bearer tokens from `--tokens FILE`, each naming a caller and the policies
//! it may ask. Without a token file (allowed on loopback only) every caller is `local`.
//!
//! The file has one token per line: `TOKEN CALLER POLICY[,POLICY…]` (or `*` for every
//! policy); blank lines and lines starting with `#` are skipped.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::errors;
use super::Service;

#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
    /// `None`: every policy.
    pub allowed: Option<Vec<String>>,
}

impl Caller {
    pub fn may(&self, policy: &str) -> bool {
        self.allowed.as_ref().is_none_or(|a| a.iter().any(|p| p == policy))
    }
}

/// Tokens by their SHA-256, so that a lookup's time does not depend on how much of a
/// guessed token is right.
pub struct Tokens(HashMap<[u8; 32], Caller>);

impl Tokens {
    pub fn read(path: &std::path::Path) -> Result<Tokens, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut map = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [token, name, policies] = parts[..] else {
                return Err(format!("{}:{}: expected `TOKEN CALLER POLICIES`", path.display(), i + 1));
            };
            if token.len() < 16 {
                return Err(format!(
                    "{}:{}: a token must have at least 16 characters",
                    path.display(),
                    i + 1
                ));
            }
            let allowed = (policies != "*").then(|| policies.split(',').map(str::to_string).collect());
            map.insert(digest(token), Caller { name: name.to_string(), allowed });
        }
        Ok(Tokens(map))
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Names the caller (from its token when tokens are required) before any handler runs.
pub async fn identify(State(svc): State<Arc<Service>>, mut request: Request, next: Next) -> Response {
    let caller = match &svc.tokens {
        None => Caller { name: "local".into(), allowed: None },
        Some(tokens) => {
            let given = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            match given.and_then(|t| tokens.0.get(&digest(t.trim()))) {
                Some(c) => c.clone(),
                None if is_open(request.uri().path()) => {
                    Caller { name: "anonymous".into(), allowed: Some(Vec::new()) }
                }
                None => return errors::unauthorized(),
            }
        }
    };
    request.extensions_mut().insert(caller.clone());
    let mut response = next.run(request).await;
    // For the request's event, which is written outside this layer.
    response.extensions_mut().insert(caller);
    response
}

/// What a load balancer asks without a token.
fn is_open(path: &str) -> bool {
    path == "/healthz"
}
