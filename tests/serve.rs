//! `qingdan serve` over real HTTP, on the SQLite decision log: results exactly as `qingdan
//! eval` prints them, each logged and retrievable; batches; the API's description; bad
//! input answered with coded JSON errors and nothing logged; tokens; hot reload; `qingdan
//! log` and `qingdan replay`.

mod serve_support;

use std::path::Path;

use serve_support::*;

/// The tests that run on both stores: SQLite always, PostgreSQL when a server is given.
macro_rules! on_both_stores {
    ($($name:ident),*) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&super::Store::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { if let Some(store) = super::Store::postgres() { super::$name(&store) } })*
        }
    };
}

on_both_stores!(
    decides_every_bundled_case_as_eval_prints_it_and_logs_it,
    bad_input_gets_coded_errors_and_nothing_is_logged,
    a_decision_the_log_refuses_is_not_given
);

fn decides_every_bundled_case_as_eval_prints_it_and_logs_it(store: &Store) {
    let f = Folder::on(store);
    let cases = f.cases();
    assert!(cases.len() >= 10, "the bundled cases: {}", cases.len());
    let expected = f.eval_lines(&cases);
    assert_eq!(expected.len(), cases.len());
    let s = f.start(&[]);
    let mut ids = Vec::new();
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        let r = s.post(&decide_path(), case.as_bytes());
        assert_eq!(r.status, 200, "case {}: {}", i + 1, r.text());
        let got = r.json();
        let id = got["decision_id"].as_str().expect("an id").to_string();
        let want: serde_json::Value = serde_json::from_str(want).expect("eval JSON");
        assert_eq!(normalised(got, i + 1), want, "case {}", i + 1);
        // The log has it, with the policy's version and the same result.
        let logged = s.get(&format!("/v1/decisions/{id}"));
        assert_eq!(logged.status, 200);
        let logged = logged.json();
        assert_eq!(logged["policy"], POLICY);
        assert_eq!(logged["caller"], "local");
        assert_eq!(logged["hash"].as_str().map(str::len), Some(64));
        assert_eq!(normalised(logged["result"].clone(), i + 1), want);
        assert_eq!(&logged["input"], &serde_json::from_str::<serde_json::Value>(case).expect("case"));
        ids.push(id);
    }
    // Time-ordered ids (UUID v7): in the order they were given.
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ids);

    // The batch forms: JSON Lines and a JSON array, answered as the eval lines, in order.
    let jsonl = cases.join("\n") + "\n";
    let array = format!("[{}]", cases.join(","));
    for body in [jsonl, array] {
        let r = s.post(&(decide_path() + "/batch"), body.as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.head.contains("application/x-ndjson"), "{}", r.head);
        let lines = r.lines();
        assert_eq!(lines.len(), cases.len());
        for (i, (got, want)) in lines.into_iter().zip(&expected).enumerate() {
            assert!(got["decision_id"].is_string(), "line {}", i + 1);
            let want: serde_json::Value = serde_json::from_str(want).expect("eval JSON");
            assert_eq!(normalised(got, i + 1), want, "line {}", i + 1);
        }
    }
    drop(s);

    // `qingdan log`: every decision, filtered by outcome; CSV by default.
    let logged = f.logged();
    assert_eq!(logged.len(), cases.len() * 3);
    let outcome = logged[0]["outcome"].as_str().expect("outcome").to_string();
    let same = logged.iter().filter(|r| r["outcome"] == outcome.as_str()).count();
    let csv = qingdan().args(["log", "--outcome", &outcome, "--db"]).arg(&f.log).output().expect("log");
    assert!(csv.status.success());
    let csv = String::from_utf8(csv.stdout).expect("utf-8");
    assert!(csv.starts_with("id,time,policy,version,decision,caller,outcome,input\n"), "{csv}");
    assert_eq!(csv.lines().count(), same + 1);
    let later = qingdan().args(["log", "--since", "2999-01-01", "--db"]).arg(&f.log).output().expect("log");
    assert_eq!(String::from_utf8_lossy(&later.stdout).lines().count(), 1, "only the header");

    // `qingdan replay`: the same policy changes nothing; a longer notice period does.
    let same = qingdan().args(["replay", "--db"]).arg(&f.log).arg(f.policy_file()).output().expect("replay");
    assert_eq!(same.status.code(), Some(0), "{}", String::from_utf8_lossy(&same.stdout));
    let text = std::fs::read_to_string(f.policy_file()).expect("policy");
    let revised = f.tmp.path().join("policies/revised");
    std::fs::create_dir_all(&revised).expect("mkdir");
    for e in std::fs::read_dir(&f.dir).expect("dir").flatten() {
        if e.file_type().expect("type").is_file() {
            std::fs::copy(e.path(), revised.join(e.file_name())).expect("copy");
        }
    }
    assert!(text.contains("令 提前申请天数 = 42"));
    std::fs::write(
        revised.join("admission.qd"),
        text.replace("令 提前申请天数 = 42", "令 提前申请天数 = 90"),
    )
    .expect("revise");
    let changed = qingdan()
        .args(["--format", "json", "replay", "--db"])
        .arg(&f.log)
        .arg(revised.join("admission.qd"))
        .output()
        .expect("replay");
    assert_eq!(changed.status.code(), Some(1), "{}", String::from_utf8_lossy(&changed.stderr));
    let report: serde_json::Value = serde_json::from_slice(&changed.stdout).expect("JSON report");
    assert_eq!(report["read"], cases.len() * 3);
    let changes = report["changed"].as_array().expect("changes");
    assert!(!changes.is_empty());
    assert!(changes.iter().all(|c| c["decision"] == DECISION && c["old"] != c["new"]));
    assert!(changes.iter().any(|c| c["old"].as_str().is_some_and(|o| o.starts_with("准入"))));
}

#[test]
fn describes_itself() {
    let f = Folder::new();
    let s = f.start(&[]);
    let doc = s.get("/v1/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    // Every documented route answers (with its own answer or a coded error, never the
    // router's bare 404), and every route is documented (the table is the router's).
    let fill = |p: &str| {
        p.replace("{policy}", &enc(POLICY)).replace("{decision}", &enc(DECISION)).replace("{id}", "nope")
    };
    let mut count = 0;
    for (path, ops) in paths {
        for method in ops.as_object().expect("ops").keys() {
            let r = s.request(&method.to_uppercase(), &fill(path), &[], b"{}");
            assert!(r.status != 404 || r.code().starts_with('E'), "{method} {path}: {}", r.status);
            assert_ne!(r.status, 405, "{method} {path}");
            count += 1;
        }
    }
    assert_eq!(count, 9);
    assert_eq!(s.get("/nope").status, 404);

    let p = s.get(&format!("/v1/policies/{}", enc(POLICY))).json();
    assert_eq!(p["decisions"][0]["name"], DECISION);
    let outcomes = p["decisions"][0]["outcomes"].as_array().expect("outcomes");
    assert!(outcomes.iter().any(|o| o == "不予准入"));
    let props = &p["inputs"]["properties"];
    assert_eq!(props["每月频次"]["type"], "integer");
    assert_eq!(props["适用对象"]["enum"][0], "村");
    assert!(p["inputs"]["required"].as_array().expect("required").iter().any(|r| r == "事项名称"));

    let list = s.get("/v1/policies").json();
    assert_eq!(list["policies"][0]["name"], POLICY);
    assert_eq!(s.get("/healthz").text(), "ok\n");
    let status = s.get("/v1/status").json();
    assert_eq!(status["reload"]["ok"], true);
    assert!(status["log"].as_str().is_some_and(|l| l.starts_with("sqlite:")), "{status}");

    s.post(&decide_path(), f.cases()[0].as_bytes());
    let metrics = s.get("/metrics");
    assert!(metrics.head.contains("text/plain"));
    assert!(metrics.text().contains("\nqingdan_decisions_total 1\n"), "{}", metrics.text());
}

fn bad_input_gets_coded_errors_and_nothing_is_logged(store: &Store) {
    let f = Folder::on(store);
    let s = f.start(&["--max-body", "4096", "--max-batch", "3", "--timeout-ms", "400"]);
    let path = decide_path();
    let case: serde_json::Value = serde_json::from_str(&f.cases()[0]).expect("case");

    let r = s.post(&path, b"{\"\xe4\xba\x8b");
    assert!(r.status == 400 || r.status == 422, "{}", r.status);
    let r = s.post(&path, b"{not json");
    assert_eq!((r.status, r.code()), (422, "E0301".into()), "{}", r.text());
    let mut wrong = case.clone();
    wrong["每月频次"] = "often".into();
    let r = s.post(&path, wrong.to_string().as_bytes());
    assert_eq!(r.status, 422);
    assert!(r.code().starts_with("E03"), "{}", r.text());
    assert_eq!(r.json()["error"]["path"], "申请.每月频次");
    let r = s.post(&path, format!("[{case}]").as_bytes());
    assert_eq!((r.status, r.code()), (400, "E0301".into()));
    let r = s.post(&format!("/v1/policies/nope/decisions/{}", enc(DECISION)), case.to_string().as_bytes());
    assert_eq!((r.status, r.code()), (404, "E0901".into()));
    let r = s.post(&format!("/v1/policies/{}/decisions/nope", enc(POLICY)), case.to_string().as_bytes());
    assert_eq!((r.status, r.code()), (404, "E0902".into()));
    let r = s.post(&path, &vec![b' '; 5000]);
    assert_eq!((r.status, r.code()), (413, "E0903".into()));
    assert_eq!(s.get("/v1/decisions/nope").code(), "E0907");

    // A slow client: the head, a part of the body, then nothing.
    let mut slow = s.send("POST", &path, &[], 100, b"{\"");
    let r = read_reply(&mut slow);
    assert_eq!((r.status, r.code()), (503, "E0906".into()));

    // A batch over --max-batch: the cases it may hold, then a coded last line.
    let five: Vec<String> = (0..5).map(|_| case.to_string()).collect();
    let r = s.post(&(path.clone() + "/batch"), (five.join("\n") + "\n").as_bytes());
    let lines = r.lines();
    assert_eq!(lines.len(), 4, "{}", r.text());
    assert!(lines[..3].iter().all(|l| l["decision_id"].is_string()));
    assert_eq!(lines[3]["error"]["code"], "E0903");
    // Bad lines in a batch are that case's error, the others are decided.
    let mixed = format!("{case}\n{{bad\n\n{}\n", wrong);
    let lines = s.post(&(path.clone() + "/batch"), mixed.as_bytes()).lines();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["decision_id"].is_string());
    assert_eq!((lines[1]["case"].as_u64(), lines[1]["error"]["code"].as_str()), (Some(2), Some("E0301")));
    assert_eq!(lines[2]["error"]["path"], "申请.每月频次");

    // A JSON array is streamed too: larger than --max-body, its cases are decided; one
    // left open ends with a coded line after the cases before it.
    let padded = format!("{{{}{}", " ".repeat(2000), &case.to_string()[1..]);
    let array = format!("[{padded},\n{padded} , {padded}]");
    assert!(array.len() > 4096);
    let lines = s.post(&(path.clone() + "/batch"), array.as_bytes()).lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l["decision_id"].is_string()), "{lines:?}");
    let lines = s.post(&(path.clone() + "/batch"), format!("[{case},{case},{{\"x").as_bytes()).lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!((lines[2]["case"].as_u64(), lines[2]["error"]["code"].as_str()), (Some(3), Some("E0301")));

    // Still serving; only the decided cases are in the log.
    assert_eq!(s.post(&path, case.to_string().as_bytes()).status, 200);
    drop(s);
    assert_eq!(f.logged().len(), 3 + 1 + 3 + 2 + 1);
}

/// E0905: when the log cannot keep a decision, the caller gets an error, not the decision
/// (single and batch), the service stays up, and it answers again once the log does.
fn a_decision_the_log_refuses_is_not_given(store: &Store) {
    let f = Folder::on(store);
    let mut s = f.start(&["--trace", "json"]);
    let case = f.cases()[0].clone();
    assert_eq!(s.post(&decide_path(), case.as_bytes()).status, 200);
    f.refuse_writes(store, true);
    let r = s.post(&decide_path(), case.as_bytes());
    assert_eq!((r.status, r.code()), (503, "E0905".into()), "{}", r.text());
    let lines = s.post(&(decide_path() + "/batch"), format!("{case}\n{case}\n").as_bytes()).lines();
    assert_eq!(lines.len(), 1, "no decision line, only the refusal: {lines:?}");
    assert_eq!((lines[0]["case"].as_u64(), lines[0]["error"]["code"].as_str()), (Some(1), Some("E0905")));
    f.refuse_writes(store, false);
    assert_eq!(s.post(&decide_path(), case.as_bytes()).status, 200);
    // The operator's events: JSON objects, the refusals named by code. They are written
    // just after each answer, so the last may follow it by a moment.
    let read_events = || -> Vec<serde_json::Value> {
        s.stderr_text().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    };
    let given = |events: &[serde_json::Value]| {
        events.iter().filter(|e| e["decision_id"].as_str().is_some_and(|d| d.len() == 36)).count()
    };
    let events = (0..200)
        .map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(25));
            read_events()
        })
        .find(|events| given(events) == 2)
        .unwrap_or_else(read_events);
    s.stop_and_stderr();
    drop(s);
    assert_eq!(f.logged().len(), 2, "the two decisions given");
    let with = |target: &str, key: &str, value: &str| {
        events.iter().filter(|e| e["target"] == target && e[key] == value).count()
    };
    assert_eq!(with("qingdan::log", "code", "E0905"), 2, "{events:?}");
    assert_eq!(with("qingdan::request", "code", "E0905"), 1, "{events:?}");
    assert_eq!(given(&events), 2, "{events:?}");
}

#[test]
fn tokens_name_the_caller_and_limit_the_policies() {
    let f = Folder::new();
    let tokens = f.tmp.path().join("tokens");
    std::fs::write(
        &tokens,
        format!("# token caller policies\nplatform-token-0123456789 网格平台 {POLICY}\nother-token-0123456789ab 别处 某政策\n"),
    )
    .expect("tokens");
    // Not loopback without tokens: refused before listening.
    let open = qingdan().arg("serve").arg(&f.dir).args(["--addr", "0.0.0.0:0"]).output().expect("runs");
    assert_eq!(open.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&open.stderr).contains("--tokens"));

    let s = f.start(&["--tokens", tokens.to_str().expect("path")]);
    let case = f.cases()[0].clone();
    let path = decide_path();
    let r = s.post(&path, case.as_bytes());
    assert_eq!((r.status, r.code()), (401, "E0904".into()));
    let wrong = [("Authorization", "Bearer platform-token-0123456789x")];
    assert_eq!(s.request("POST", &path, &wrong, case.as_bytes()).status, 401);
    let other = [("Authorization", "Bearer other-token-0123456789ab")];
    let r = s.request("POST", &path, &other, case.as_bytes());
    assert_eq!((r.status, r.code()), (403, "E0904".into()));
    assert_eq!(
        s.request("GET", "/v1/policies", &other, b"").json()["policies"].as_array().map(Vec::len),
        Some(0)
    );
    let good = [("Authorization", "Bearer platform-token-0123456789")];
    let r = s.request("POST", &path, &good, case.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["decision_id"].as_str().expect("id").to_string();
    let logged = s.request("GET", &format!("/v1/decisions/{id}"), &good, b"").json();
    assert_eq!(logged["caller"], "网格平台");
    assert_eq!(s.get("/healthz").status, 200);
}

#[test]
fn a_changed_policy_is_swapped_in_when_clean_and_kept_out_when_not() {
    let f = Folder::new();
    let s = f.start(&["--reload-ms", "50"]);
    let case = f.cases()[0].clone();
    let first = s.post(&decide_path(), case.as_bytes()).json();
    // Each policy has its own version: the hash `qingdan build` puts in its module.
    let hashes = |st: &serde_json::Value| -> Vec<serde_json::Value> {
        ["可选字段", POLICY].iter().map(|p| st["versions"][p].as_array().expect(p).clone().into()).collect()
    };
    let other = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/optional_field.qd");
    std::fs::copy(&other, f.dir.join("optional_field.qd")).expect("second policy");
    let status = wait_for(&s, |st| st["versions"]["可选字段"].is_array());
    let before = hashes(&status);
    assert_eq!(before[1][0], module_hash(&f.policy_file()));
    assert_eq!(before[0][0], module_hash(&other));
    let hash0 = before[1][0].clone();
    let text = std::fs::read_to_string(f.policy_file()).expect("policy");
    std::fs::write(f.policy_file(), format!("{text}\n// 修订\n")).expect("edit");
    let status = wait_for(&s, |st| hashes(st)[1].as_array().map(Vec::len) == Some(2));
    let hash1 = status["versions"][POLICY][1].clone();
    assert_eq!(hash1, module_hash(&f.policy_file()));
    assert_eq!(hashes(&status)[0], before[0], "the other policy's version is unchanged");
    let second = s.post(&decide_path(), case.as_bytes()).json();
    let logged = |r: &serde_json::Value| {
        s.get(&format!("/v1/decisions/{}", r["decision_id"].as_str().expect("id"))).json()
    };
    assert_eq!(logged(&first)["hash"], hash0);
    assert_eq!(logged(&second)["hash"], hash1);

    // A broken edit: diagnostics shown, the last clean version still serving.
    std::fs::write(f.policy_file(), format!("{text}\n规则 坏 当 = \n")).expect("break");
    let status = wait_for(&s, |st| st["reload"]["ok"] == false);
    assert!(status["reload"]["diagnostics"].as_str().is_some_and(|d| d.contains("admission.qd")), "{status}");
    let admission = status["policies"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == POLICY));
    assert_eq!(admission.expect("still served")["hash"], hash1);
    assert_eq!(s.post(&decide_path(), case.as_bytes()).status, 200);
}

/// Polls `/v1/status` until `done` holds (at most 400 times, 50 ms apart).
/// The source hash in the manifest of the module `qingdan build` makes of `policy`.
fn module_hash(policy: &Path) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let module = dir.path().join("m.wasm");
    let built = qingdan().arg("build").arg(policy).arg("-o").arg(&module).output().expect("build");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let wat = qingdan().arg("dump-wat").arg(&module).output().expect("dump-wat");
    let wat = String::from_utf8(wat.stdout).expect("utf-8");
    let hash =
        wat.split("\"hash\"").nth(1).and_then(|r| r.split('"').nth(1)).expect("a hash in the manifest");
    hash.into()
}

fn wait_for(s: &Server, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    for _ in 0..400 {
        let st = s.get("/v1/status").json();
        if done(&st) {
            return st;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the status never changed: {}", s.get("/v1/status").text());
}
