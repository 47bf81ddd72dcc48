//! The binary as a user runs it: help, demo, serve on the same data dir, imports, errors.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn motcua(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("MOTCUA_DATA_DIR", data_dir)
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("MOTCUA_LOG", "warn");
    cmd
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn terminate(server: &mut Server) -> std::process::ExitStatus {
    let pid = server.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "server did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_healthy(base: &str, within: Duration) -> Duration {
    let started = Instant::now();
    while started.elapsed() < within {
        if get(&format!("{base}/healthz")).is_some_and(|(s, _)| s == 200) {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{base} not healthy within {within:?}");
}

/// One blocking HTTP/1.1 request over a TCP stream (`Connection: close`): status and body, or
/// None when the connection failed or the answer was cut short (shorter than its Content-Length).
fn request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    stream.set_write_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.unwrap_or("").as_bytes());
    stream.write_all(&bytes).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let body = &response[split + 4..];
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    if length.is_some_and(|n| body.len() != n) {
        return None;
    }
    Some((status, String::from_utf8_lossy(body).to_string()))
}

fn post_json(url: &str, token: Option<&str>, key: Option<&str>, body: &serde_json::Value) -> Option<(u16, String)> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    if let Some(k) = key {
        headers.push(("Idempotency-Key", k));
    }
    request("POST", url, &headers, Some(&body.to_string()))
}

fn token_for(base: &str, username: &str) -> String {
    let (status, body) = post_json(
        &format!("{base}/api/v1/auth/token"),
        None,
        None,
        &serde_json::json!({"username": username, "password": "demo"}),
    )
    .expect("token request");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// One blocking HTTP/1.1 GET: status and body.
fn get(url: &str) -> Option<(u16, String)> {
    request("GET", url, &[], None)
}

#[test]
fn help_lists_every_subcommand() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for sub in [
        "serve", "demo", "import", "simulate", "bench", "index", "migrate", "backup",
    ] {
        assert!(text.contains(sub), "--help lacks {sub}:\n{text}");
    }
    let out = Command::new(BIN).args(["import", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("units") && text.contains("catalog") && text.contains("dossiers"));
}

#[test]
fn demo_serves_then_serve_reopens_the_same_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut demo = Server(
        motcua(dir.path())
            .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let ready = wait_healthy(&base, Duration::from_secs(60));
    eprintln!("demo healthy after {ready:?}");
    assert_eq!(get(&format!("{base}/readyz")).unwrap().0, 200);
    let (status, body) = get(&format!("{base}/api/v1/procedures/1.001193")).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(terminate(&mut demo).success(), "graceful shutdown exits 0");

    // `serve` on the same data dir serves the same deployment, demo accounts included.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut serve = Server(
        motcua(dir.path())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_healthy(&base, Duration::from_secs(60));
    let (status, body) = get(&format!("{base}/api/v1/organisations")).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("UBND Phường Pleiku"));
    assert!(terminate(&mut serve).success());

    // A backup of the stopped deployment, then a second demo on the same dir replaces the first.
    let copy = dir.path().join("backup.sqlite");
    let out = motcua(dir.path())
        .args(["backup", "--out"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata(&copy).unwrap().len() > 1_000_000);
}

#[test]
fn import_is_idempotent_and_reports_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/catalog/procedures.jsonl.gz");
    let first = motcua(dir.path())
        .args(["import", "catalog", catalog])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    // The fresh deployment already held the embedded catalogue: nothing changes.
    assert!(text.contains("0 inserted, 0 updated, 2642 unchanged"), "{text}");
    let units = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/units");
    let out = motcua(dir.path()).args(["import", "units", units]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("units: 0 inserted, 0 updated"), "{text}");
}

#[test]
fn bad_input_gives_one_line_and_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{not json}\n").unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["import".into(), "catalog".into(), bad.display().to_string()],
        vec!["import".into(), "catalog".into(), "/no/such/file.jsonl".into()],
        vec!["import".into(), "dossiers".into(), "/no/such/file.jsonl".into()],
        vec![
            "simulate".into(),
            "--province".into(),
            "52".into(),
            "--from".into(),
            "2025-02-01".into(),
            "--to".into(),
            "2025-01-01".into(),
            "--dossiers".into(),
            "10".into(),
            "--out".into(),
            dir.path().join("reversed.jsonl").display().to_string(),
        ],
    ];
    for args in cases {
        let out = motcua(dir.path()).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.trim_end().lines().last().unwrap_or("").starts_with("motcua: "),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let out = motcua(dir.path())
        .env("MOTCUA_TOKEN_TTL_HOURS", "forever")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("MOTCUA_TOKEN_TTL_HOURS"));

    // A malformed line of a dossier import is reported with its number and skipped, never a panic;
    // a file of which nothing could be read is a failure.
    let out = motcua(dir.path())
        .args(["import", "dossiers"])
        .arg(&bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1"), "{err}");
    assert!(!out.status.success());
    assert!(
        err.trim_end().lines().last().unwrap_or("").starts_with("motcua: "),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// What the load threads saw.
#[derive(Default)]
struct LoadLog {
    /// Idempotency key and `MaHoSo` of every acknowledged (201) submission.
    acknowledged: Vec<(String, String)>,
    /// Keys whose request got no complete answer (in flight at the kill, or refused after it).
    uncertain: Vec<String>,
    /// Any other answer: key, status, body.
    unexpected: Vec<(String, u16, String)>,
    /// Requests that failed while the server was still up.
    dropped_before_kill: usize,
}

fn submission(key: &str) -> serde_json::Value {
    serde_json::json!({
        "procedure": "1.001193",
        "unit": "23575",
        "channel": 1,
        "applicant": {"name": format!("Crash {key}")}
    })
}

/// The crash test of issue #3: `kill -9` under concurrent load, restart with `serve`, and every
/// acknowledged dossier is there, once, under its own code.
#[test]
fn acknowledged_submissions_survive_kill_9_under_load() {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    const CLIENTS: usize = 8;
    const LOAD: Duration = Duration::from_secs(2);

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut demo = Server(
        motcua(dir.path())
            .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_healthy(&base, Duration::from_secs(60));
    let token = token_for(&base, "tiepnhan1");

    let killed = Arc::new(AtomicBool::new(false));
    let log = Arc::new(Mutex::new(LoadLog::default()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (killed, log, token) = (killed.clone(), log.clone(), token.clone());
            let url = format!("{base}/api/v1/dossiers");
            std::thread::spawn(move || {
                for i in 0.. {
                    let key = format!("crash-{client}-{i}");
                    let answer = post_json(&url, Some(&token), Some(&key), &submission(&key));
                    let mut log = log.lock().unwrap();
                    match answer {
                        Some((201, body)) => {
                            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                            let code = v["MaHoSo"].as_str().expect("MaHoSo").to_string();
                            log.acknowledged.push((key, code));
                        }
                        Some((status, body)) => log.unexpected.push((key, status, body)),
                        None => {
                            log.uncertain.push(key);
                            if killed.load(Ordering::SeqCst) {
                                return;
                            }
                            log.dropped_before_kill += 1;
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(LOAD);
    // Requests keep going until the server is gone: some are in flight at the kill.
    killed.store(true, Ordering::SeqCst);
    let pid = demo.0.id().to_string();
    assert!(Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    let status = demo.0.wait().unwrap();
    assert!(!status.success(), "killed by SIGKILL: {status:?}");
    for c in clients {
        c.join().unwrap();
    }
    let log = Arc::try_unwrap(log).ok().unwrap().into_inner().unwrap();
    eprintln!(
        "{} acknowledged, {} uncertain, {} unexpected in {LOAD:?} with {CLIENTS} clients",
        log.acknowledged.len(),
        log.uncertain.len(),
        log.unexpected.len()
    );
    assert!(
        log.unexpected.is_empty(),
        "answers other than 201: {:?}",
        &log.unexpected[..log.unexpected.len().min(5)]
    );
    assert_eq!(log.dropped_before_kill, 0, "requests failed while the server was up");
    assert!(
        log.acknowledged.len() >= 300,
        "the server was not under real load: {} acknowledged submissions",
        log.acknowledged.len()
    );
    // No two acknowledged submissions share a code, and every code has the TT 01/2018 shape.
    let mut by_code: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, code) in &log.acknowledged {
        assert!(code.starts_with("000.00.12.H21-") && code.len() == 25, "{code}");
        if let Some(other) = by_code.insert(code, key) {
            panic!("{code} acknowledged for both {other} and {key}");
        }
    }

    // Restart on the same data dir.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut serve = Server(
        motcua(dir.path())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_healthy(&base, Duration::from_secs(60));
    assert_eq!(get(&format!("{base}/readyz")).unwrap().0, 200);
    for (key, code) in &log.acknowledged {
        let (status, body) = get(&format!("{base}/api/v1/dossiers/{code}")).expect("GET after restart");
        assert_eq!(
            status, 200,
            "acknowledged dossier {code} ({key}) lost after kill -9: {body}"
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["MaHoSo"], code.as_str());
        assert_eq!(v["status"]["code"], 4, "{body}");
    }
    // Idempotency records survived with their dossiers: a repeat answers with the same code.
    let token = token_for(&base, "tiepnhan1");
    let url = format!("{base}/api/v1/dossiers");
    let step = (log.acknowledged.len() / 20).max(1);
    for (key, code) in log.acknowledged.iter().step_by(step) {
        let (status, body) = post_json(&url, Some(&token), Some(key), &submission(key)).unwrap();
        assert_eq!(status, 201, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["MaHoSo"], code.as_str(), "repeat of acknowledged key {key}");
    }
    // A key that was in flight at the kill gives one dossier, whether or not it had landed.
    let mut settled = Vec::new();
    for key in &log.uncertain {
        let mut codes = BTreeSet::new();
        for _ in 0..2 {
            let (status, body) = post_json(&url, Some(&token), Some(key), &submission(key)).unwrap();
            assert_eq!(status, 201, "{body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            codes.insert(v["MaHoSo"].as_str().unwrap().to_string());
        }
        assert_eq!(codes.len(), 1, "{key} gave {codes:?}");
        let code = codes.pop_first().unwrap();
        assert!(
            !by_code.contains_key(code.as_str()),
            "{key} got {code}, acknowledged for another key"
        );
        settled.push((key.clone(), code));
    }
    assert!(terminate(&mut serve).success());

    // In the database: exactly one dossier per key, under the acknowledged code.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let states = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("motcua.sqlite").display());
        let store = motcua_store::Store::connect(&url).await.unwrap();
        let (states, _) = store.projection_snapshot().await.unwrap();
        store.close().await;
        states
    });
    let mut codes_by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, state) in &states {
        let v: serde_json::Value = serde_json::from_str(state).unwrap();
        if let Some(name) = v["applicant"]["name"]
            .as_str()
            .filter(|n| n.starts_with("Crash crash-"))
        {
            codes_by_name.entry(name.to_string()).or_default().push(code.clone());
        }
    }
    let duplicated: Vec<_> = codes_by_name.iter().filter(|(_, codes)| codes.len() > 1).collect();
    assert!(duplicated.is_empty(), "keys with more than one dossier: {duplicated:?}");
    for (key, code) in log.acknowledged.iter().chain(&settled) {
        assert_eq!(
            codes_by_name.get(&format!("Crash {key}")),
            Some(&vec![code.clone()]),
            "{key}"
        );
    }
    assert_eq!(
        codes_by_name.len(),
        log.acknowledged.len() + settled.len(),
        "every stored load dossier belongs to an acknowledged or a re-submitted key"
    );
}

#[test]
fn simulated_history_imports_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.jsonl");
    let out = motcua(dir.path())
        .args([
            "simulate",
            "--province",
            "52",
            "--from",
            "2025-06-01",
            "--to",
            "2025-08-31",
        ])
        .args(["--dossiers", "300", "--seed", "7", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 300);
    for (args, expected) in [
        ("first", "300 imported, 0 already present"),
        ("second", "0 imported, 300 already present"),
    ] {
        let out = motcua(dir.path())
            .args(["import", "dossiers"])
            .arg(&file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains(expected),
            "{args} import: {stdout}"
        );
    }
    // The imported dossiers' index facts are recomputed from the event log.
    let out = motcua(dir.path()).args(["index", "rebuild"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("index facts of 300 dossiers recomputed"),
        "index rebuild: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
