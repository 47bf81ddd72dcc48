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

/// One blocking HTTP/1.1 GET over a TCP stream: status and body.
fn get(url: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

#[test]
fn help_lists_every_subcommand() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for sub in ["serve", "demo", "import", "simulate", "bench", "migrate", "backup"] {
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
        vec!["import".into(), "dossiers".into(), bad.display().to_string()],
        vec![
            "simulate".into(),
            "--province".into(),
            "52".into(),
            "--from".into(),
            "2025-01-01".into(),
            "--to".into(),
            "2025-02-01".into(),
            "--dossiers".into(),
            "10".into(),
            "--out".into(),
            "x.jsonl".into(),
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
}
