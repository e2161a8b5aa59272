//! `qingdan playground` against everyone who is not its own page, through real HTTP: a
//! DNS-rebinding page (a foreign `Host`), pages of other origins, requests without the
//! page's token or with a wrong one, the cross-site `text/plain` POST a form can send,
//! posted policies whose `来自` reaches outside the policy folder (an absolute path, `..`,
//! a symbolic link) or names a FIFO, a device or a folder, and one heavy request while
//! others wait. Every refusal is a JSON error with a stable code; the page's own requests
//! still work. Fixtures: `tests/hostile/` (`policies/` is the folder the server opens;
//! `secret.csv` and `outside.qd` are put beside it, out of its reach).
#![cfg(unix)]

use std::path::{Path, PathBuf};

mod server;

use server::{edit, read_reply, web, Reply, Server};

/// A scene: a policy folder (`policies/`, copied from `tests/hostile/policies`) and, beside
/// it, a secret the policies must not reach and a policy the playground must not load.
struct Scene {
    dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        let root = dir.path().join("policies");
        std::fs::create_dir_all(root.join("folder.csv")).expect("a folder named like a data file");
        std::fs::create_dir(root.join("sub")).expect("a subfolder");
        for name in ["a.qd", "rows.csv"] {
            std::fs::copy(fixtures.join("policies").join(name), root.join(name)).expect("fixture");
        }
        std::fs::copy(fixtures.join("secret.csv"), dir.path().join("secret.csv")).expect("secret");
        std::fs::create_dir(dir.path().join("elsewhere")).expect("folder");
        std::fs::copy(fixtures.join("outside.qd"), dir.path().join("elsewhere/outside.qd")).expect("policy");
        std::os::unix::fs::symlink("../secret.csv", root.join("link.csv")).expect("symlink");
        for fifo in ["pipe.csv", "trap.qd"] {
            let made =
                std::process::Command::new("mkfifo").arg(root.join(fifo)).status().expect("mkfifo runs");
            assert!(made.success(), "mkfifo {fifo}");
        }
        Scene { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("policies")
    }

    fn secret(&self) -> PathBuf {
        self.dir.path().join("secret.csv")
    }

    fn start(&self, web: &Path, options: &[&str]) -> Server {
        server::start(web, &self.root(), options)
    }
}

/// A policy whose list comes from `path`; its one rule reads the `password` column, so a
/// built module carries that column's cells.
fn listing(path: &str) -> String {
    format!(
        "政策 列表\n记录 行 {{\n  api_key: 文本\n  password: 文本\n}}\n\
         清单 表: 行 键 api_key 来自 \"{path}\"\n输入 申请 {{ k: 表 }}\n枚举 结论 {{ 是 }}\n\
         规则 r {{ 当 申请.k.password == \"x\" 则 是 \"x\" }}\n决定 d: 结论 按 优先 是 默认 是 \"y\"\n"
    )
}

const SECRETS: [&str; 2] = ["sk-SECRET-456", "hunter3"];

fn leaks(reply: &Reply) -> bool {
    let body = String::from_utf8_lossy(&reply.body);
    SECRETS.iter().any(|s| body.contains(s))
}

/// The codes of a `/api/check` answer's diagnostics (or of a 422's).
fn codes(reply: &Reply) -> Vec<String> {
    reply.json()["diagnostics"]
        .as_array()
        .map(|ds| ds.iter().filter_map(|d| d["code"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The first diagnostic with `code`.
fn diagnostic(reply: &Reply, code: &str) -> serde_json::Value {
    let found =
        reply.json()["diagnostics"].as_array().and_then(|ds| ds.iter().find(|d| d["code"] == code).cloned());
    found.unwrap_or_else(|| panic!("no {code} in {}", reply.text()))
}

#[test]
fn the_page_flow_works_with_the_token_its_page_carries() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    assert_eq!(s.token.len(), 64, "a 32-byte token in hex: {}", s.token);
    let listed = s.request("GET", "/api/policies", b"");
    assert_eq!(listed.status, 200, "{}", listed.text());
    let paths: Vec<String> = listed.json()["policies"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["path"].as_str().map(str::to_string))
        .collect();
    // The FIFO named `trap.qd` is not a policy file: skipped, not waited on.
    assert_eq!(paths, ["a.qd"]);
    let checked = s.request("POST", "/api/check", &edit("b.qd", &listing("rows.csv")));
    assert_eq!(
        (checked.status, checked.json()["summary"]["errors"].as_u64()),
        (200, Some(0)),
        "{}",
        checked.text()
    );
    let built = s.request("POST", "/api/build", &edit("b.qd", &listing("sub/../rows.csv")));
    assert_eq!((built.status, built.kind.as_str()), (200, "application/wasm"), "{}", built.text());
    assert!(
        built.body.windows(9).any(|w| w == b"p-visible"),
        "the module carries the rows of its own folder"
    );
    let formatted = s.request("POST", "/api/format", &edit("b.qd", "政策 p\n"));
    assert_eq!(formatted.status, 200);
    let graphed = s.request("POST", "/api/graph", &edit("b.qd", &listing("rows.csv")));
    assert_eq!(graphed.status, 200);
}

#[test]
fn a_foreign_host_is_refused_so_a_rebinding_page_gets_neither_page_nor_token() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    let port = s.addr.port();
    let foreign = [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("0.0.0.0:{port}"),
        format!("127.0.0.2:{port}"),
    ];
    for host in &foreign {
        for path in ["/", "/index.html", "/app.mjs", "/api/policies"] {
            let r = s.raw("GET", path, &[("Host", host), ("X-Qingdan-Token", &s.token)], b"");
            assert_eq!((r.status, r.code().as_str()), (421, "foreign-host"), "GET {path} Host {host}");
            assert!(!r.text().contains(&s.token), "the token leaks to Host {host}");
            assert!(!r.text().contains("样例"), "a policy leaks to Host {host}");
        }
        let posted = s.raw(
            "POST",
            "/api/check",
            &[("Host", host), ("Content-Type", "application/json"), ("X-Qingdan-Token", &s.token)],
            &edit("b.qd", &listing("rows.csv")),
        );
        assert_eq!((posted.status, posted.code().as_str()), (421, "foreign-host"), "POST Host {host}");
    }
    let no_host = s.raw("GET", "/api/policies", &[("X-Qingdan-Token", &s.token)], b"");
    assert_eq!((no_host.status, no_host.code().as_str()), (421, "foreign-host"));
    // The loopback names of this port are ours.
    for host in [format!("localhost:{port}"), format!("[::1]:{port}"), format!("127.0.0.1:{port}")] {
        let r = s.raw("GET", "/api/policies", &[("Host", &host), ("X-Qingdan-Token", &s.token)], b"");
        assert_eq!(r.status, 200, "Host {host}: {}", r.text());
    }
}

#[test]
fn requests_from_another_origin_are_refused() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    let (host, port) = (s.addr.to_string(), s.addr.port());
    let other_port = format!("http://127.0.0.1:{}", port.wrapping_add(1));
    let secure = format!("https://{host}");
    for origin in ["http://evil.example", "null", other_port.as_str(), secure.as_str()] {
        let headers = [("Host", host.as_str()), ("Origin", origin), ("X-Qingdan-Token", &s.token)];
        let r = s.raw("GET", "/api/policies", &headers, b"");
        assert_eq!((r.status, r.code().as_str()), (403, "foreign-origin"), "Origin {origin}");
        let posted = s.raw(
            "POST",
            "/api/build",
            &[headers[0], headers[1], headers[2], ("Content-Type", "application/json")],
            &edit("b.qd", &listing("rows.csv")),
        );
        assert_eq!((posted.status, posted.code().as_str()), (403, "foreign-origin"), "POST Origin {origin}");
    }
    for site in ["cross-site", "same-site"] {
        let headers = [("Host", host.as_str()), ("Sec-Fetch-Site", site), ("X-Qingdan-Token", &s.token)];
        let r = s.raw("GET", "/api/policies", &headers, b"");
        assert_eq!((r.status, r.code().as_str()), (403, "foreign-origin"), "Sec-Fetch-Site {site}");
    }
    // The page's own origin, by each loopback name.
    for origin in [format!("http://{host}"), format!("http://localhost:{port}")] {
        let headers = [
            ("Host", host.as_str()),
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("X-Qingdan-Token", &s.token),
        ];
        assert_eq!(s.raw("GET", "/api/policies", &headers, b"").status, 200, "Origin {origin}");
    }
    // A link from elsewhere may open the page (that page cannot read it)…
    let navigation = [
        ("Host", host.as_str()),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-Dest", "document"),
    ];
    assert_eq!(s.raw("GET", "/", &navigation, b"").status, 200);
    // …but a navigation carries no token, so it cannot reach the API.
    let r = s.raw("GET", "/api/policies", &navigation, b"");
    assert_eq!((r.status, r.code().as_str()), (403, "no-token"));
}

#[test]
fn api_calls_without_the_right_token_are_refused() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    let other_run = scene.start(web.path(), &[]);
    assert_ne!(s.token, other_run.token, "each run draws its own token");
    let host = s.addr.to_string();
    let zeros = "0".repeat(64);
    let body = edit("b.qd", &listing("rows.csv"));
    let calls = [
        ("GET", "/api/policies"),
        ("POST", "/api/check"),
        ("POST", "/api/format"),
        ("POST", "/api/graph"),
        ("POST", "/api/build"),
    ];
    for (method, path) in calls {
        let sent = |token: Option<&str>| {
            let mut headers = vec![("Host", host.as_str()), ("Content-Type", "application/json")];
            headers.extend(token.map(|t| ("X-Qingdan-Token", t)));
            s.raw(method, path, &headers, &body)
        };
        let r = sent(None);
        assert_eq!((r.status, r.code().as_str()), (403, "no-token"), "{method} {path}");
        for wrong in [zeros.as_str(), other_run.token.as_str(), "", &s.token[..63]] {
            let r = sent(Some(wrong));
            assert_eq!(
                (r.status, r.code().as_str()),
                (403, "wrong-token"),
                "{method} {path} token {wrong:?}"
            );
            assert!(r.json()["error"]["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
        }
        assert!(sent(Some(&s.token)).status < 300, "{method} {path} with the token");
    }
    // A POST anywhere needs the token, not only under /api/.
    let r = s.raw("POST", "/", &[("Host", &host), ("Content-Type", "application/json")], b"{}");
    assert_eq!((r.status, r.code().as_str()), (403, "no-token"));
}

#[test]
fn a_cross_site_text_plain_post_is_refused() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    let host = s.addr.to_string();
    let secret = scene.secret().to_string_lossy().into_owned();
    let body = edit("b.qd", &listing(&secret));
    // What a form on another site can send: text/plain, its Origin, no token.
    let r = s.raw(
        "POST",
        "/api/check",
        &[("Host", &host), ("Content-Type", "text/plain"), ("Origin", "http://evil.example")],
        &body,
    );
    assert_eq!((r.status, r.code().as_str()), (403, "foreign-origin"));
    assert!(!leaks(&r));
    // Without an Origin (an old browser), the token is still missing.
    let r = s.raw("POST", "/api/build", &[("Host", &host), ("Content-Type", "text/plain")], &body);
    assert_eq!((r.status, r.code().as_str()), (403, "no-token"));
    // And with the token, a body that is not declared JSON is still refused.
    for kind in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let r = s.raw(
            "POST",
            "/api/check",
            &[("Host", &host), ("Content-Type", kind), ("X-Qingdan-Token", &s.token)],
            &body,
        );
        assert_eq!((r.status, r.code().as_str()), (415, "not-json"), "{kind}");
    }
    let r = s.raw("POST", "/api/check", &[("Host", &host), ("X-Qingdan-Token", &s.token)], &body);
    assert_eq!((r.status, r.code().as_str()), (415, "not-json"), "no Content-Type");
}

#[test]
fn a_posted_policy_reads_no_data_file_outside_its_folder() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    let secret = scene.secret().to_string_lossy().into_owned();
    let escapes = [
        secret.as_str(),
        "../secret.csv",
        "./../secret.csv",
        "sub/../../secret.csv",
        "link.csv",
        "/etc/passwd",
    ];
    for path in escapes {
        let checked = s.request("POST", "/api/check", &edit("b.qd", &listing(path)));
        assert_eq!(checked.status, 200, "{path}: {}", checked.text());
        assert!(!leaks(&checked), "{path}: {}", checked.text());
        let d = diagnostic(&checked, "E0128");
        // At the include's path, with a hint, in the language of the text.
        assert_eq!(d["start"]["line"], 6, "{path}: {d}");
        assert!(d["message"].as_str().is_some_and(|m| m.contains("不予读取")), "{d}");
        assert!(d["help"].as_str().is_some_and(|h| h.contains("--allow-read")), "{d}");
        let built = s.request("POST", "/api/build", &edit("b.qd", &listing(path)));
        assert_eq!((built.status, built.code().as_str()), (422, "policy-has-errors"), "{path}");
        assert!(codes(&built).contains(&"E0128".to_string()) && !leaks(&built), "{path}: {}", built.text());
    }
    // A policy in a subfolder reaches no higher than its own folder.
    let checked = s.request("POST", "/api/check", &edit("sub/b.qd", &listing("../rows.csv")));
    assert!(codes(&checked).contains(&"E0128".to_string()), "{}", checked.text());
    // Nor does a policy whose subfolder is itself a link out of the policy folder.
    std::os::unix::fs::symlink("../elsewhere", scene.root().join("linked")).expect("symlink");
    let checked = s.request("POST", "/api/check", &edit("linked/b.qd", &listing("outside.qd")));
    assert!(codes(&checked).contains(&"E0128".to_string()), "{}", checked.text());
}

#[test]
fn a_posted_policy_uses_no_policy_outside_the_folder() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    // `elsewhere/outside.qd` sits beside the policy folder, where `qingdan check` would look.
    let r = s.request("POST", "/api/check", &edit("b.qd", "政策 里面\n使用 外面\n"));
    assert_eq!(r.status, 200);
    assert!(codes(&r).contains(&"E0106".to_string()), "{}", r.text());
    // A policy of the folder itself is found.
    let r = s.request("POST", "/api/check", &edit("b.qd", "政策 里面\n使用 样例\n"));
    assert!(!codes(&r).contains(&"E0106".to_string()), "{}", r.text());
}

#[test]
fn a_fifo_or_a_folder_named_as_data_is_refused_and_the_server_keeps_answering() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    for (path, what) in [("pipe.csv", "FIFO"), ("folder.csv", "文件夹")] {
        let r = s.request("POST", "/api/check", &edit("b.qd", &listing(path)));
        assert_eq!(r.status, 200, "{path}");
        let d = diagnostic(&r, "E0121");
        assert!(d["message"].as_str().is_some_and(|m| m.contains(what)), "{path}: {d}");
    }
    assert_eq!(s.request("GET", "/api/policies", b"").status, 200);
}

/// A policy the analyser works hard on: `rules` rules over overlapping ranges of one field.
fn heavy(rules: usize) -> String {
    let mut text = String::from("政策 重\n输入 申请 { n: 整数 }\n枚举 结论 { 高, 低 }\n");
    for i in 0..rules {
        text.push_str(&format!("规则 r{i} {{ 当 申请.n > {i} 且 申请.n < {} 则 高 \"x{i}\" }}\n", i * 3 + 7));
    }
    text.push_str("决定 d: 结论 按 优先 高 > 低 默认 低 \"y\"\n");
    text
}

#[test]
fn a_heavy_request_in_flight_does_not_hold_up_a_small_one() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &[]);
    let host = s.addr.to_string();
    let headers =
        [("Host", host.as_str()), ("Content-Type", "application/json"), ("X-Qingdan-Token", &s.token)];
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    // 1,500 rules: seconds of analysis in a debug build, against milliseconds for the small one.
    let mut slow = s.send("POST", "/api/check", &headers, &edit("b.qd", &heavy(1500)));
    let slow_done = done_tx.clone();
    let waiter = std::thread::spawn(move || {
        let reply = read_reply(&mut slow);
        let _ = slow_done.send("heavy");
        reply
    });
    // Give the heavy request time to arrive and start; this orders the two, it bounds nothing.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let small = s.request("POST", "/api/check", &edit("b.qd", "政策 小\n令 a = 1\n"));
    let _ = done_tx.send("small");
    assert_eq!(small.status, 200, "{}", small.text());
    let first = done_rx.recv().expect("one finishes");
    assert_eq!(first, "small", "the small request waited for the heavy one");
    let heavy_reply = waiter.join().expect("the heavy request ends");
    assert!(heavy_reply.status == 200 || heavy_reply.code() == "over-budget", "{}", heavy_reply.text());
}

#[test]
fn a_request_over_its_budget_gets_a_json_error_and_the_server_goes_on() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path(), &["--budget-ms", "1"]);
    let r = s.request("POST", "/api/check", &edit("b.qd", &heavy(1000)));
    assert_eq!((r.status, r.code().as_str()), (503, "over-budget"), "{}", r.text());
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.contains("1 ms")));
    assert_eq!(s.request("GET", "/", b"").status, 200, "the page is still served");
}
