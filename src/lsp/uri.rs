//! `file:` URIs and paths, both ways. Only `file:` URIs name files we can check; a client's
//! other schemes (`untitled:`) are kept as given and checked under a made-up path.

/// The path of a `file:` URI, percent-decoded; `None` for other schemes or a bad escape.
pub fn to_path(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path`: only the local host (empty or `localhost`) is ours.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `file:` URI of an absolute path, every byte outside the unreserved set and `/`
/// escaped (so `规则.qd` becomes `%E8%A7%84…`, as VS Code writes it).
pub fn from_path(path: &str) -> String {
    let mut uri = String::from("file://");
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_paths_round_trip_through_escapes() {
        let path = "/政策/社区 工作/准入.qd";
        let uri = from_path(path);
        assert!(uri.is_ascii(), "{uri}");
        assert_eq!(to_path(&uri).as_deref(), Some(path));
        assert_eq!(to_path("file:///a/%E7%94%B2.qd").as_deref(), Some("/a/甲.qd"));
        assert_eq!(to_path("untitled:Untitled-1"), None);
        assert_eq!(to_path("file:///a/%G1"), None);
    }
}
