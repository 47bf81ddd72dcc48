//! The HTTP API, through a real server on a free port over a fresh SQLite deployment.

use motcua_store::{reference, NewUser, Role, Store, User};
use motcua_web::{AppState, WebSettings};
use serde_json::{json, Value};

#[path = "api/backoffice.rs"]
mod backoffice;
#[path = "api/pages.rs"]
mod pages;
#[path = "api/plans.rs"]
mod plans;

struct TestApp {
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The served state (tests that feed the app directly use its engine, so live views see it).
    state: AppState,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A test account: username, role, organisation, e-ID level, personal id.
type Account = (&'static str, Role, Option<&'static str>, i64, Option<&'static str>);

/// Demo-like accounts.
const ACCOUNTS: &[Account] = &[
    ("tiepnhan1", Role::CounterOfficer, Some("000.00.12.H21"), 0, None),
    ("chuyenvien1", Role::Specialist, Some("23575"), 0, None),
    ("lanhdao1", Role::Leader, Some("23575"), 0, None),
    ("chuyenvien2", Role::Specialist, Some("21583"), 0, None),
    ("congdan1", Role::Citizen, None, 2, Some(CONGDAN1_ID)),
    ("congdan2", Role::Citizen, None, 2, Some("052085006789")),
    ("quantri", Role::ProvinceAdmin, None, 0, None),
];

/// congdan1's personal id (female, born 1990, registered in Gia Lai).
const CONGDAN1_ID: &str = "064190012345";

async fn spawn_app() -> TestApp {
    spawn_app_inner(false).await
}

/// An app that stores uploaded documents (in its temporary directory).
async fn spawn_app_with_files() -> TestApp {
    spawn_app_inner(true).await
}

async fn spawn_app_inner(files: bool) -> TestApp {
    spawn_app_configured(files, |_| {}).await
}

/// An app whose settings the test adjusts (e.g. an OpenID Provider configured).
async fn spawn_app_configured(files: bool, configure: impl FnOnce(&mut WebSettings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display()))
        .await
        .unwrap();
    reference::load_reference_if_empty(&store).await.unwrap();
    let units = store.units().await.unwrap();
    let orgs = reference::province_organisations(&units, "52", "H21").unwrap();
    store.upsert_organisations(&orgs).await.unwrap();
    // One hash for every account: argon2 is slow in debug builds.
    let hash = motcua_web::auth::hash_password("demo").unwrap();
    for &(username, role, unit, eid_level, personal_id) in ACCOUNTS {
        store
            .upsert_user(&NewUser {
                user: User {
                    username: username.into(),
                    full_name: format!("Test {username}"),
                    role,
                    unit_code: unit.map(Into::into),
                    eid_level,
                    personal_id: personal_id.map(Into::into),
                },
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
    }
    // The demo's synthetic population registry (congdan1 and congdan2 first).
    store
        .upsert_citizens(&motcua_engine::population::synthetic_citizens(200, 6))
        .await
        .unwrap();
    let mut settings = WebSettings {
        files_dir: files.then(|| dir.path().join("files")),
        ..WebSettings::default()
    };
    configure(&mut settings);
    let state = AppState::load(store, settings).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(motcua_web::serve(listener, state.clone(), async move {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        _dir: dir,
        shutdown: Some(tx),
        state,
    }
}

impl TestApp {
    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.post(format!("{}{path}", self.base)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

impl TestApp {
    async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// A bearer token for a test account (password `demo`).
    async fn token(&self, username: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/token",
                &json!({"username": username, "password": "demo"}),
                None,
            )
            .await;
        assert_eq!(status, 200, "{username}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    async fn get_as(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Self::send(req).await
    }

    /// The raw body text of a GET, to search it for data that must not be there.
    async fn get_text(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn post_keyed(&self, path: &str, body: &Value, token: Option<&str>, key: Option<&str>) -> (u16, Value) {
        let mut req = self.client.post(format!("{}{path}", self.base)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        Self::send(req).await
    }

    async fn submit(&self, token: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
        self.post_keyed("/api/v1/dossiers", body, Some(token), key).await
    }

    /// A counter submission of a birth registration (1.001193) for UBND Phường Pleiku: the code.
    async fn counter_dossier(&self, counter_token: &str) -> String {
        let (status, body) = self.submit(counter_token, None, &counter_body("Nguyễn Văn An")).await;
        assert_eq!(status, 201, "{body}");
        body["MaHoSo"].as_str().unwrap().to_string()
    }

    async fn act(&self, token: &str, code: &str, action: &Value) -> (u16, Value) {
        self.post_keyed(&format!("/api/v1/dossiers/{code}/actions"), action, Some(token), None)
            .await
    }

    /// An action that must succeed: the new view.
    async fn act_ok(&self, token: &str, code: &str, action: &str, note: &str) -> Value {
        let (status, body) = self.act(token, code, &json!({"action": action, "note": note})).await;
        assert_eq!(status, 200, "{action} on {code}: {body}");
        body
    }
}

fn counter_body(name: &str) -> Value {
    json!({"procedure": "1.001193", "unit": "23575", "channel": 1, "applicant": {"name": name}})
}

/// `^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$` (TT 01/2018), without a regex crate.
fn is_dossier_code(code: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = code.split('-').collect();
    let [unit, day, seq] = parts[..] else {
        return false;
    };
    let blocks: Vec<&str> = unit.split('.').collect();
    let [a, b, c, d] = blocks[..] else {
        return false;
    };
    digits(a, 3)
        && digits(b, 2)
        && digits(c, 2)
        && d.len() == 3
        && d.as_bytes()[0].is_ascii_uppercase()
        && digits(&d[1..], 2)
        && digits(day, 6)
        && digits(seq, 4)
}

fn is_rfc3339_vn(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| {
            chrono::DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|_| s.ends_with("+07:00"))
        })
        .unwrap_or(false)
}

fn assert_error(status: u16, body: &Value, expected_status: u16) {
    assert_eq!(status, expected_status, "{body}");
    assert!(
        body["error"]["code"].is_string() && body["error"]["message"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn operations_endpoints() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.0, 200);
    assert_eq!(app.get("/readyz").await.0, 200);
    app.get("/api/v1/calendar/2024").await;
    let (status, body) = app.get("/metrics").await;
    assert_eq!(status, 200);
    let text = body.as_str().unwrap();
    assert!(text.contains("motcua_http_requests_total"), "{text}");
    assert!(
        text.contains("route=\"/api/v1/calendar/{year}\""),
        "route templates, not paths: {text}"
    );
}

#[tokio::test]
async fn calendar_routes() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/calendar/2030").await;
    assert_eq!(status, 200);
    assert_eq!(body["lunar_new_year"], "2030-02-02");
    assert!(body["working_saturdays"].is_array());

    let (_, body) = app.get("/api/v1/calendar/2024").await;
    let days: Vec<&str> = body["days_off"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        [
            "2024-01-01",
            "2024-02-08",
            "2024-02-09",
            "2024-02-12",
            "2024-02-13",
            "2024-02-14",
            "2024-04-18",
            "2024-04-29",
            "2024-04-30",
            "2024-05-01",
            "2024-09-02",
            "2024-09-03"
        ]
    );
    assert_eq!(body["working_saturdays"], json!(["2024-05-04"]));
    let swapped = body["days_off"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2024-04-29")
        .unwrap();
    assert_eq!(swapped["kind"], "swapped");

    let (status, body) = app
        .get("/api/v1/calendar/due?from=2024-06-03T09:00:00%2B07:00&working_days=3")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["received_at"], "2024-06-03T09:00:00+07:00");
    assert_eq!(body["due"], "2024-06-06T09:00:00+07:00");
    // After the 15:00 cut-off on a Friday: received Monday 07:00.
    let (_, body) = app
        .get("/api/v1/calendar/due?from=2024-06-07T15:00:00%2B07:00&working_hours=4")
        .await;
    assert_eq!(body["received_at"], "2024-06-10T07:00:00+07:00");
    assert_eq!(body["due"], "2024-06-10T11:00:00+07:00");
    let (_, body) = app
        .get("/api/v1/calendar/due?from=2024-06-03T09:00:00%2B07:00&working_days=0")
        .await;
    assert_eq!(body["due"], "2024-06-03T17:00:00+07:00");

    let (status, body) = app.get("/api/v1/lunar/2030-02-02").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"day": 1, "month": 1, "year": 2030, "leap_month": false}));
}

#[tokio::test]
async fn calendar_bad_input_is_4xx_json() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/calendar/abc",
        "/api/v1/calendar/1800",
        "/api/v1/calendar/99999999999",
        "/api/v1/calendar/due?from=yesterday&working_days=3",
        "/api/v1/calendar/due?from=2024-06-03T09:00:00%2B07:00",
        "/api/v1/calendar/due?from=2024-06-03T09:00:00%2B07:00&working_days=-1",
        "/api/v1/calendar/due?from=2024-06-03T09:00:00%2B07:00&working_days=3&working_hours=2",
        "/api/v1/calendar/due?from=2024-06-03T09:00:00%2B07:00&working_days=999999",
        "/api/v1/calendar/due?from=2101-06-03T09:00:00%2B07:00&working_days=3",
        "/api/v1/lunar/2024-02-30",
        "/api/v1/lunar/1700-01-01",
    ] {
        let (status, body) = app.get(path).await;
        assert!((400..500).contains(&status), "{path}: {status} {body}");
        assert!(body["error"]["message"].is_string(), "{path}: {body}");
    }
}

#[tokio::test]
async fn personal_id_checks() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/personal-ids/check",
            &json!({"number": "064190000123", "birth_date": "1990-05-01", "sex": "female"}),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["valid"], true, "{body}");
    assert_eq!(body["kind"], "personal_id");
    assert_eq!(body["birth_registration_province"], "064");

    let (_, body) = app
        .post(
            "/api/v1/personal-ids/check",
            &json!({"number": "064190000123", "birth_date": "1991-05-01", "sex": "male"}),
            None,
        )
        .await;
    assert_eq!(body["valid"], false);
    assert_eq!(body["problems"].as_array().unwrap().len(), 2, "{body}");

    let (status, body) = app
        .post("/api/v1/personal-ids/check", &json!({"number": "0641900001234"}), None)
        .await;
    assert_error(status, &body, 422);
    let (status, body) = app
        .post("/api/v1/personal-ids/check", &json!({"numbr": "x"}), None)
        .await;
    assert_error(status, &body, 422);
    let (status, body) = app
        .post(
            "/api/v1/personal-ids/check",
            &json!({"number": "064190000123", "birth_date": "1990-13-01"}),
            None,
        )
        .await;
    assert_error(status, &body, 422);
    let (_, body) = app
        .post("/api/v1/personal-ids/check", &json!({"number": "123456789"}), None)
        .await;
    assert_eq!(body["kind"], "cmnd");
    assert_eq!(body["valid"], false);
}

#[tokio::test]
async fn catalogue_search_and_detail() {
    let app = spawn_app().await;
    for q in ["đăng%20ký%20khai%20sinh", "dang%20ky%20khai%20sinh"] {
        let (status, body) = app.get(&format!("/api/v1/procedures?q={q}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["items"][0]["code"], "1.001193", "{q}: {}", body["items"][0]);
        assert!(body["total"].as_u64().unwrap() >= 1);
    }
    let (_, body) = app.get("/api/v1/procedures/1.004222").await;
    assert_eq!(
        body["processing_time"]["online"],
        json!({"value": 7, "unit": "working_days"}),
        "{}",
        body["processing_time"]
    );
    let (_, body) = app.get("/api/v1/procedures/1.012783").await;
    let times = body["processing_time"].as_object().unwrap();
    assert!(
        times
            .values()
            .any(|t| *t == json!({"value": 15, "unit": "working_days"})),
        "{times:?}"
    );
    assert!(body["documents"].is_array() && body["fees"].is_array());
    assert!(["full", "partial", "none"].contains(&body["online"].as_str().unwrap()));

    let (_, all) = app.get("/api/v1/procedures?per_page=100").await;
    assert_eq!(all["total"], 2642);
    let (_, commune) = app.get("/api/v1/procedures?level=commune").await;
    assert!(commune["total"].as_u64().unwrap() < 2642);

    let (status, body) = app.get("/api/v1/procedures/9.999999").await;
    assert_error(status, &body, 404);
    let (status, body) = app.get("/api/v1/procedures?level=galaxy").await;
    assert_error(status, &body, 422);
    let (status, body) = app.get("/api/v1/procedures?per_page=0").await;
    assert_error(status, &body, 422);
}

#[tokio::test]
async fn units_of_gia_lai() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/units?parent=52&on=2025-07-01").await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 135);
    let (_, body) = app.get("/api/v1/units?level=province&on=2025-07-01").await;
    assert_eq!(body["total"], 34);
    let (_, body) = app.get("/api/v1/units?level=province&on=2025-01-01").await;
    assert_eq!(body["total"], 63);
    let (status, body) = app.get("/api/v1/units?on=someday").await;
    assert_error(status, &body, 422);
}

#[tokio::test]
async fn tokens_authenticate() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/auth/token",
            &json!({"username": "chuyenvien1", "password": "demo"}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    assert!(body["expires_at"].as_str().unwrap().ends_with("+07:00"));
    let r = app
        .client
        .get(format!("{}/api/v1/auth/me", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["role"], "specialist");
    assert_eq!(me["unit_code"], "23575");

    let (status, body) = app
        .post(
            "/api/v1/auth/token",
            &json!({"username": "chuyenvien1", "password": "wrong"}),
            None,
        )
        .await;
    assert_error(status, &body, 401);
    let (status, body) = app
        .post(
            "/api/v1/auth/token",
            &json!({"username": "ghost", "password": "demo"}),
            None,
        )
        .await;
    assert_error(status, &body, 401);
    let (status, body) = app.get("/api/v1/auth/me").await;
    assert_error(status, &body, 401);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/nothing-here").await;
    assert_error(status, &body, 404);
    let (status, body) = app.post("/api/v1/procedures", &json!({}), None).await;
    assert_error(status, &body, 405);
    let r = app
        .client
        .post(format!("{}/api/v1/personal-ids/check", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

#[test]
fn committed_openapi_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let generated = motcua_web::openapi::document();
    if std::env::var_os("MOTCUA_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date: run `MOTCUA_UPDATE_OPENAPI=1 cargo test -p motcua-web --test api committed_openapi` and commit it"
    );
    let spec: Value = serde_json::from_str(&generated).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/calendar/{year}",
        "/api/v1/calendar/due",
        "/api/v1/lunar/{date}",
        "/api/v1/personal-ids/check",
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/auth/token",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from the OpenAPI description"
        );
    }
}

#[test]
fn dossier_code_pattern_helper() {
    assert!(is_dossier_code("000.00.12.H21-251013-0001"));
    for bad in [
        "000.00.12.H21-251013-001",
        "000.00.12.h21-251013-0001",
        "000.0.12.H21-251013-0001",
        "000.00.12.H21-2510130-0001",
        "000.00.12.H21-251013-0001-1",
        "000.00.12.H2X-251013-0001",
    ] {
        assert!(!is_dossier_code(bad), "{bad}");
    }
}

#[tokio::test]
async fn counter_submission_is_accepted_on_the_spot_and_idempotent() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let body = json!({
        "procedure": "1.001193",
        "unit": "23575",
        "channel": 1,
        "applicant": {"name": "Nguyễn Văn An", "personal_id": CONGDAN1_ID, "phone": "0912 345 678"}
    });
    let (status, first) = app.submit(&counter, Some("counter-key-1"), &body).await;
    assert_eq!(status, 201, "{first}");
    let code = first["MaHoSo"].as_str().unwrap().to_string();
    assert!(is_dossier_code(&code), "{code}");
    assert!(
        code.starts_with("000.00.12.H21-"),
        "received by the service centre: {code}"
    );
    assert_eq!(first["status"], 4, "accepted on the spot and started: {first}");
    assert!(is_rfc3339_vn(&first["received_at"]), "{first}");
    assert!(is_rfc3339_vn(&first["due"]), "{first}");
    let received = chrono::DateTime::parse_from_rfc3339(first["received_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(first["due"].as_str().unwrap()).unwrap();
    assert!(due > received, "{first}");

    // The same key answers with the same dossier; a new key makes a new one.
    let (status, again) = app.submit(&counter, Some("counter-key-1"), &body).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["MaHoSo"], code.as_str());
    assert_eq!(again["status"], first["status"]);
    assert_eq!(again["due"], first["due"]);
    let (status, other) = app.submit(&counter, Some("counter-key-2"), &body).await;
    assert_eq!(status, 201, "{other}");
    let other_code = other["MaHoSo"].as_str().unwrap();
    assert!(is_dossier_code(other_code), "{other_code}");
    assert_ne!(other_code, code);
    // Without a key every submission is a new dossier; codes never repeat.
    let mut codes = std::collections::BTreeSet::from([code.clone(), other_code.to_string()]);
    for _ in 0..3 {
        assert!(codes.insert(app.counter_dossier(&counter).await));
    }
    assert!(
        codes
            .iter()
            .all(|c| is_dossier_code(c) && c.starts_with("000.00.12.H21-")),
        "{codes:?}"
    );

    // Keys are per account: congdan1 reusing the officer's key string gets her own dossier.
    let citizen = app.token("congdan1").await;
    let online =
        json!({"procedure": "1.001193", "unit": "23575", "channel": 2, "applicant": {"name": "Nguyễn Thị Lan"}});
    let (status, hers) = app.submit(&citizen, Some("counter-key-1"), &online).await;
    assert_eq!(status, 201, "{hers}");
    assert_ne!(hers["MaHoSo"], code.as_str());

    // The stored record matches what was acknowledged.
    let (status, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&counter)).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["MaHoSo"], code.as_str());
    assert_eq!(view["status"]["code"], 4);
    assert_eq!(view["received_at"], first["received_at"]);
    assert_eq!(view["due"], first["due"]);
    assert_eq!(view["channel"], 1);
    assert_eq!(view["step_id"], "chuyen_vien");
    assert_eq!(view["applicant"]["phone"], "0912345678", "{view}");
}

#[tokio::test]
async fn full_lifecycle_over_http_with_audit_trail() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let leader = app.token("lanhdao1").await;
    let code = app.counter_dossier(&counter).await;

    let v = app.act_ok(&specialist, &code, "forward", "hồ sơ đủ điều kiện").await;
    assert_eq!(v["status"]["code"], 4, "{v}");
    assert_eq!(v["step_id"], "lanh_dao", "{v}");
    let v = app.act_ok(&leader, &code, "approve", "đồng ý").await;
    assert_eq!(v["status"]["code"], 4, "{v}");
    assert_eq!(v["step_id"], "tra_ket_qua", "{v}");
    let v = app.act_ok(&specialist, &code, "finish", "").await;
    assert_eq!(v["status"]["code"], 9, "{v}");
    assert!(is_rfc3339_vn(&v["finished_at"]), "{v}");
    assert!(
        ["early", "on_time", "late"].contains(&v["verdict"].as_str().unwrap_or("")),
        "{v}"
    );
    let v = app.act_ok(&counter, &code, "return_result", "").await;
    assert_eq!(v["status"]["code"], 10, "{v}");
    assert!(is_rfc3339_vn(&v["returned_at"]), "{v}");
    let history: Vec<u64> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_u64().unwrap())
        .collect();
    assert_eq!(history, [2, 4, 9, 10], "{v}");

    let (status, log) = app
        .get_as(&format!("/api/v1/dossiers/{code}/events"), Some(&specialist))
        .await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(log["MaHoSo"], code.as_str());
    let events = log["events"].as_array().unwrap();
    let summary: Vec<(&str, &str, u64)> = events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("receive", "tiepnhan1", 2),
            ("start", "system", 4),
            ("forward", "chuyenvien1", 4),
            ("approve", "lanhdao1", 4),
            ("finish", "chuyenvien1", 9),
            ("return_result", "tiepnhan1", 10),
        ],
        "{log}"
    );
    let mut previous_at = None;
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["version"], i as u64 + 1, "{e}");
        assert!(is_rfc3339_vn(&e["at"]), "{e}");
        let at = chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap();
        assert!(previous_at.is_none_or(|p| p <= at), "events in time order: {log}");
        previous_at = Some(at);
    }
    // Every step move (and the finish) records how the left step ended against its quota.
    for e in &events[2..5] {
        assert!(
            ["early", "on_time", "late"].contains(&e["verdict"].as_str().unwrap_or("")),
            "step verdict: {e}"
        );
    }
    assert_eq!(events[2]["step"], "lanh_dao");
    assert_eq!(events[2]["note"], "hồ sơ đủ điều kiện");
    assert_eq!(events[2]["role"], "specialist");
    assert_eq!(events[3]["role"], "leader");
    // The counter officer who received it (receiving unit) may read the trail too.
    let (status, _) = app
        .get_as(&format!("/api/v1/dossiers/{code}/events"), Some(&counter))
        .await;
    assert_eq!(status, 200);

    // A closed dossier moves no more.
    let (status, body) = app.act(&specialist, &code, &json!({"action": "forward"})).await;
    assert_error(status, &body, 409);
    let (status, body) = app.act(&counter, &code, &json!({"action": "return_result"})).await;
    assert_error(status, &body, 409);
}

#[tokio::test]
async fn action_idempotency_key_replays_instead_of_acting_twice() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let code = app.counter_dossier(&counter).await;
    let path = format!("/api/v1/dossiers/{code}/actions");
    let forward = json!({"action": "forward"});
    let (status, first) = app.post_keyed(&path, &forward, Some(&specialist), Some("fw-1")).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = app.post_keyed(&path, &forward, Some(&specialist), Some("fw-1")).await;
    assert_eq!(
        status, 200,
        "a repeat of an acknowledged action is answered, not refused: {again}"
    );
    assert_eq!(again["version"], first["version"]);
    let (_, log) = app
        .get_as(&format!("/api/v1/dossiers/{code}/events"), Some(&specialist))
        .await;
    let forwards = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "forward")
        .count();
    assert_eq!(forwards, 1, "{log}");
    // The same key on another dossier is a client error, not a silent replay.
    let other = app.counter_dossier(&counter).await;
    let (status, body) = app
        .post_keyed(
            &format!("/api/v1/dossiers/{other}/actions"),
            &forward,
            Some(&specialist),
            Some("fw-1"),
        )
        .await;
    assert_error(status, &body, 422);
}

#[tokio::test]
async fn online_submission_waits_for_the_counter() {
    let app = spawn_app().await;
    let citizen = app.token("congdan1").await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let body = json!({
        "procedure": "1.001193",
        "unit": "23575",
        "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID, "birth_date": "1990-05-01"}
    });
    let (status, sub) = app.submit(&citizen, Some("online-1"), &body).await;
    assert_eq!(status, 201, "{sub}");
    let code = sub["MaHoSo"].as_str().unwrap().to_string();
    assert!(is_dossier_code(&code), "{code}");
    assert_eq!(sub["status"], 1, "{sub}");
    assert!(sub["received_at"].is_null(), "{sub}");
    assert!(sub["due"].is_null(), "{sub}");

    // Nothing to process before acceptance; a citizen cannot accept.
    let (status, body) = app.act(&specialist, &code, &json!({"action": "forward"})).await;
    assert_error(status, &body, 409);
    let (status, body) = app.act(&citizen, &code, &json!({"action": "accept"})).await;
    assert_error(status, &body, 409);

    let v = app.act_ok(&counter, &code, "accept", "").await;
    assert_eq!(v["status"]["code"], 4, "{v}");
    assert!(is_rfc3339_vn(&v["received_at"]), "{v}");
    assert!(is_rfc3339_vn(&v["due"]), "{v}");
    // Accepting twice is refused: the dossier is now with the competent unit, and this counter
    // (which did not receive it) has no part in it any more.
    let (status, body) = app.act(&counter, &code, &json!({"action": "accept"})).await;
    assert_error(status, &body, 403);

    // The applicant sees her full record, identity verified (e-ID level 2, her own number).
    let (status, mine) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&citizen)).await;
    assert_eq!(status, 200);
    assert_eq!(mine["applicant"]["personal_id"], CONGDAN1_ID, "{mine}");
    assert_eq!(mine["identity_verified"], true, "{mine}");
    assert_eq!(mine["eid_level"], 2, "{mine}");
    assert_eq!(mine["channel"], 2, "{mine}");
    assert_eq!(mine["step_id"], "chuyen_vien", "{mine}");
    let history: Vec<u64> = mine["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_u64().unwrap())
        .collect();
    assert_eq!(history, [1, 2, 4], "{mine}");
}

#[tokio::test]
async fn refused_and_forbidden_actions() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let leader = app.token("lanhdao1").await;
    let other_unit = app.token("chuyenvien2").await;
    let citizen = app.token("congdan1").await;
    let code = app.counter_dossier(&counter).await;

    // A supplement request needs its list of missing papers, then may be made once only.
    let (status, body) = app
        .act(&specialist, &code, &json!({"action": "request_supplement"}))
        .await;
    assert_error(status, &body, 422);
    assert!(body["error"]["fields"]["note"].is_string(), "{body}");
    let v = app
        .act_ok(
            &specialist,
            &code,
            "request_supplement",
            "thiếu bản sao giấy chứng sinh",
        )
        .await;
    assert_eq!(v["status"]["code"], 5, "{v}");
    assert_eq!(v["supplement_requests"], 1, "{v}");
    let (status, body) = app
        .act(
            &specialist,
            &code,
            &json!({"action": "request_supplement", "note": "lần nữa"}),
        )
        .await;
    assert_error(status, &body, 409);
    let v = app.act_ok(&counter, &code, "supplement", "đã nhận bản sao").await;
    assert_eq!(v["status"]["code"], 4, "{v}");
    let (status, body) = app
        .act(
            &specialist,
            &code,
            &json!({"action": "request_supplement", "note": "lần hai"}),
        )
        .await;
    assert_error(status, &body, 409);
    assert!(body["error"]["message"].as_str().unwrap().contains("once"), "{body}");

    // Wrong unit, wrong role: refused, and nothing changes.
    let before = app
        .get_as(&format!("/api/v1/dossiers/{code}"), Some(&specialist))
        .await
        .1;
    for (token, action) in [
        (&other_unit, "forward"),
        (&other_unit, "request_payment"),
        (&leader, "forward"),
        (&leader, "approve"),
        (&counter, "forward"),
        (&citizen, "forward"),
        (&citizen, "finish"),
        (&specialist, "approve"),
        (&specialist, "return_result"),
    ] {
        let (status, body) = app
            .act(token, &code, &json!({"action": action, "amount_dong": 8000}))
            .await;
        // Callers with no part in the dossier (another unit, a counter that did not receive it)
        // are refused before the state machine (403); the others by it (409).
        if *token == other_unit || status == 403 {
            assert_error(status, &body, 403);
            assert!(*token != specialist && *token != leader, "{action}: {body}");
        } else {
            assert_error(status, &body, 409);
            assert_eq!(body["error"]["code"], "conflict", "{action}: {body}");
        }
    }
    let after = app
        .get_as(&format!("/api/v1/dossiers/{code}"), Some(&specialist))
        .await
        .1;
    assert_eq!(before["version"], after["version"], "{after}");
    // Specialist of the other unit cannot even see the trail.
    let (status, body) = app
        .get_as(&format!("/api/v1/dossiers/{code}/events"), Some(&other_unit))
        .await;
    assert_error(status, &body, 403);

    // Unknown action names and bad parameters are 422 with the field.
    for action in [
        json!({"action": "teleport"}),
        json!({"action": ""}),
        json!({"action": "FORWARD"}),
    ] {
        let (status, body) = app.act(&specialist, &code, &action).await;
        assert_error(status, &body, 422);
        assert!(body["error"]["fields"]["action"].is_string(), "{body}");
    }
    let (status, body) = app.act(&specialist, &code, &json!({"action": "request_payment"})).await;
    assert_error(status, &body, 422);
    assert!(body["error"]["fields"]["amount_dong"].is_string(), "{body}");
    let (status, body) = app
        .act(&specialist, &code, &json!({"action": "forward", "to": "nowhere"}))
        .await;
    assert_error(status, &body, 422);
    let (status, body) = app
        .act(&specialist, "000.00.12.H21-990101-0001", &json!({"action": "forward"}))
        .await;
    assert_error(status, &body, 404);

    // A refused (closed) online dossier cannot be forwarded.
    let online =
        json!({"procedure": "1.001193", "unit": "23575", "channel": 2, "applicant": {"name": "Nguyễn Thị Lan"}});
    let (_, sub) = app.submit(&citizen, None, &online).await;
    let refused = sub["MaHoSo"].as_str().unwrap().to_string();
    let (status, body) = app.act(&counter, &refused, &json!({"action": "refuse"})).await;
    assert_error(status, &body, 422);
    let v = app
        .act_ok(&counter, &refused, "refuse", "hồ sơ không thuộc thẩm quyền")
        .await;
    assert_eq!(v["status"]["code"], 3, "{v}");
    for (token, action) in [(&specialist, "forward"), (&counter, "accept"), (&citizen, "withdraw")] {
        let (status, body) = app.act(token, &refused, &json!({"action": action})).await;
        assert!(status == 409 || status == 403, "{action}: {status} {body}");
    }

    // Without (or with a bad) token: 401 for acting, 403 for the trail (never public).
    let path = format!("/api/v1/dossiers/{code}/actions");
    for token in [None, Some("not-a-token")] {
        let (status, body) = app.post_keyed(&path, &json!({"action": "forward"}), token, None).await;
        assert_error(status, &body, 401);
        let (status, body) = app
            .post_keyed("/api/v1/dossiers", &counter_body("Anonymous"), token, None)
            .await;
        assert_error(status, &body, 401);
        let (status, body) = app.get_as(&format!("/api/v1/dossiers/{code}/events"), token).await;
        assert_error(status, &body, 403);
    }
}

#[tokio::test]
async fn bad_submissions_are_422_with_fields() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let citizen = app.token("congdan1").await;
    let base = |patch: Value| {
        let mut b =
            json!({"procedure": "1.001193", "unit": "23575", "channel": 1, "applicant": {"name": "Nguyễn Văn An"}});
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (base(json!({"procedure": "9.999999"})), "procedure"),
        (base(json!({"unit": "99999"})), "unit"),
        // A department is not competent for a commune-level procedure.
        (base(json!({"unit": "000.00.03.H21"})), "unit"),
        // The service centre receives but does not decide.
        (base(json!({"unit": "000.00.12.H21"})), "unit"),
        (
            base(json!({"applicant": {"name": "Nguyễn Văn An", "personal_id": "0641900123456"}})),
            "applicant.personal_id",
        ),
        (
            base(json!({"applicant": {"name": "Nguyễn Văn An", "personal_id": "06419001234"}})),
            "applicant.personal_id",
        ),
        (base(json!({"applicant": {"name": "   "}})), "applicant.name"),
        (
            base(json!({"applicant": {"name": "Nguyễn Văn An", "phone": "12345"}})),
            "applicant.phone",
        ),
        (base(json!({"channel": 4})), "channel"),
        (base(json!({"channel": 0})), "channel"),
        (base(json!({"channel": -1})), "channel"),
    ];
    for (body, field) in &cases {
        let (status, answer) = app.submit(&counter, None, body).await;
        assert_error(status, &answer, 422);
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} for {body}: {answer}"
        );
    }
    // A body of the wrong shape is 422 too (no field map to give).
    let (status, answer) = app.submit(&counter, None, &base(json!({"channel": "counter"}))).await;
    assert_error(status, &answer, 422);
    let (status, answer) = app
        .submit(
            &counter,
            None,
            &json!({"procedure": "1.001193", "unit": "23575", "channel": 1}),
        )
        .await;
    assert_error(status, &answer, 422);
    // A citizen cannot record a counter or postal submission.
    for channel in [1, 3] {
        let (status, answer) = app.submit(&citizen, None, &base(json!({"channel": channel}))).await;
        assert_error(status, &answer, 409);
    }
    // A bad Idempotency-Key header.
    let (status, answer) = app.submit(&counter, Some(&"k".repeat(201)), &base(json!({}))).await;
    assert_error(status, &answer, 422);
    assert!(answer["error"]["fields"]["Idempotency-Key"].is_string(), "{answer}");
    // Nothing was created by any of these: the first good submission gets sequence 0001.
    let (status, ok) = app.submit(&counter, None, &base(json!({}))).await;
    assert_eq!(status, 201, "{ok}");
    assert!(ok["MaHoSo"].as_str().unwrap().ends_with("-0001"), "{ok}");
}

#[tokio::test]
async fn views_show_personal_data_only_to_the_entitled() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let other_unit = app.token("chuyenvien2").await;
    let citizen = app.token("congdan1").await;
    let other_citizen = app.token("congdan2").await;
    let body = json!({
        "procedure": "1.001193",
        "unit": "23575",
        "channel": 2,
        "applicant": {
            "name": "Nguyễn Thị Lan",
            "personal_id": CONGDAN1_ID,
            "birth_date": "1990-05-01",
            "phone": "0987654321",
            "address": "12 Hùng Vương, Pleiku"
        }
    });
    let (status, sub) = app.submit(&citizen, None, &body).await;
    assert_eq!(status, 201, "{sub}");
    let online = sub["MaHoSo"].as_str().unwrap().to_string();
    app.act_ok(&counter, &online, "accept", "").await;
    // And one recorded at the counter for the same person.
    let mut at_counter = body.clone();
    at_counter["channel"] = json!(1);
    let (status, sub) = app.submit(&counter, None, &at_counter).await;
    assert_eq!(status, 201, "{sub}");
    let counter_code = sub["MaHoSo"].as_str().unwrap().to_string();

    let secrets = [CONGDAN1_ID, "0987654321", "Hùng Vương", "Nguyễn Thị Lan", "1990-05-01"];
    for code in [&online, &counter_code] {
        let path = format!("/api/v1/dossiers/{code}");
        // Anonymous and unrelated callers: the public view, nothing about the applicant.
        for (who, token) in [
            ("anonymous", None),
            ("congdan2", Some(&other_citizen)),
            ("chuyenvien2", Some(&other_unit)),
        ] {
            let (status, text) = app.get_text(&path, token.map(|t| t.as_str())).await;
            assert_eq!(status, 200, "{who}: {text}");
            for secret in secrets {
                assert!(!text.contains(secret), "{who} sees {secret:?} in {text}");
            }
            let view: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(view["MaHoSo"], code.as_str());
            assert_eq!(view["status"]["code"], 4, "{who}: {view}");
            assert!(view.get("applicant").is_none(), "{who}: {view}");
            assert!(view.get("version").is_none(), "{who}: {view}");
            assert!(is_rfc3339_vn(&view["due"]), "{who}: {view}");
            assert_eq!(view["procedure"]["code"], "1.001193");
        }
        // The competent unit's specialist gets the full record.
        let (status, full) = app.get_as(&path, Some(&specialist)).await;
        assert_eq!(status, 200);
        assert_eq!(full["applicant"]["personal_id"], CONGDAN1_ID, "{full}");
        // The audit trail is for officers of the competent or receiving unit only.
        for (who, token) in [
            ("chuyenvien2", &other_unit),
            ("congdan1", &citizen),
            ("congdan2", &other_citizen),
        ] {
            let (status, answer) = app.get_as(&format!("{path}/events"), Some(token)).await;
            assert_error(status, &answer, 403);
            let text = answer.to_string();
            assert!(!text.contains(CONGDAN1_ID), "{who}: {text}");
        }
        let (status, _) = app.get_as(&format!("{path}/events"), Some(&specialist)).await;
        assert_eq!(status, 200);
    }
    // The applicant sees her own online dossier in full.
    let (status, mine) = app.get_as(&format!("/api/v1/dossiers/{online}"), Some(&citizen)).await;
    assert_eq!(status, 200);
    assert_eq!(mine["applicant"]["personal_id"], CONGDAN1_ID, "{mine}");
    assert_eq!(mine["applicant"]["address"], "12 Hùng Vương, Pleiku", "{mine}");

    // Unknown codes are 404 JSON for everyone.
    let (status, body) = app.get_as("/api/v1/dossiers/000.00.12.H21-990101-0001", None).await;
    assert_error(status, &body, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_forwards_one_wins_the_other_gets_409() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    for round in 0..5 {
        let code = app.counter_dossier(&counter).await;
        let forward = json!({"action": "forward", "note": format!("round {round}")});
        let (a, b) = tokio::join!(
            app.act(&specialist, &code, &forward),
            app.act(&specialist, &code, &forward)
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}: {} / {}", a.1, b.1);
        let loser = if a.0 == 409 { &a.1 } else { &b.1 };
        assert_eq!(loser["error"]["code"], "conflict", "{loser}");
        let (_, log) = app
            .get_as(&format!("/api/v1/dossiers/{code}/events"), Some(&specialist))
            .await;
        let forwards = log["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "forward")
            .count();
        assert_eq!(forwards, 1, "round {round}: {log}");
        let (_, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&specialist)).await;
        assert_eq!(view["version"], 3, "{view}");
        assert_eq!(view["step_id"], "lanh_dao", "{view}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_with_one_key_make_one_dossier() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let body = counter_body("Nguyễn Văn An");
    let answers = futures_join_all(
        (0..12)
            .map(|i| {
                let key = if i % 2 == 0 { "same-key" } else { "other-key" };
                app.submit(&counter, Some(key), &body)
            })
            .collect(),
    )
    .await;
    let mut by_key: std::collections::BTreeMap<&str, std::collections::BTreeSet<String>> = Default::default();
    for (i, (status, answer)) in answers.iter().enumerate() {
        assert_eq!(*status, 201, "{answer}");
        let key = if i % 2 == 0 { "same-key" } else { "other-key" };
        by_key
            .entry(key)
            .or_default()
            .insert(answer["MaHoSo"].as_str().unwrap().to_string());
    }
    assert_eq!(by_key["same-key"].len(), 1, "{by_key:?}");
    assert_eq!(by_key["other-key"].len(), 1, "{by_key:?}");
    assert_ne!(by_key["same-key"], by_key["other-key"]);
    // Only two dossiers exist: the next one gets sequence 0003.
    let next = app.counter_dossier(&counter).await;
    assert!(next.ends_with("-0003"), "{next} (by_key: {by_key:?})");
}

/// Runs the futures concurrently on this task (no extra dependency).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

/// Keys of submissions and of actions live in one (account, key) space; a key reused for a
/// different kind of request must be refused, not answered as if that request had been done.
#[tokio::test]
async fn idempotency_key_of_a_submission_is_not_an_action_key() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let (_, sub) = app.submit(&counter, Some("k-1"), &counter_body("Nguyễn Văn An")).await;
    let code = sub["MaHoSo"].as_str().unwrap().to_string();
    let actions = format!("/api/v1/dossiers/{code}/actions");
    // The counter officer withdraws on the applicant's written request, reusing the key.
    let (status, body) = app
        .post_keyed(
            &actions,
            &json!({"action": "withdraw", "note": "đơn rút hồ sơ"}),
            Some(&counter),
            Some("k-1"),
        )
        .await;
    assert!(
        status == 422 || (status == 200 && body["status"]["code"] == 7),
        "answered {status} without withdrawing: {body}"
    );
    // A specialist (who records no submissions) reusing an action's key for a submission.
    let other = app.counter_dossier(&counter).await;
    let (status, body) = app
        .post_keyed(
            &format!("/api/v1/dossiers/{other}/actions"),
            &json!({"action": "forward"}),
            Some(&specialist),
            Some("k-2"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.submit(&specialist, Some("k-2"), &counter_body("Trần Văn B")).await;
    assert_ne!(
        status, 201,
        "a submission answered with the dossier of an earlier action: {body}"
    );
}

#[tokio::test]
async fn index_counts_the_dossiers_of_the_period() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let leader = app.token("lanhdao1").await;
    let code = app.counter_dossier(&counter).await;
    let online = app.counter_dossier(&counter).await;
    let actions = format!("/api/v1/dossiers/{code}/actions");
    for (token, action) in [(&specialist, "forward"), (&leader, "approve"), (&specialist, "finish")] {
        let (status, body) = app
            .post_keyed(&actions, &json!({"action": action}), Some(token), None)
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let _ = online;
    // Received today, or on the next working day when submitted on a day off or after 15:00.
    let today = chrono::Utc::now().with_timezone(&motcua_web::vietnam()).date_naive();
    let until = today + chrono::Duration::days(10);
    let (status, table) = app
        .get(&format!("/api/v1/index?unit=23575&from={today}&to={until}"))
        .await;
    assert_eq!(status, 200, "{table}");
    let indicator = |id: &str| {
        table["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["indicators"].as_array().unwrap().iter())
            .find(|i| i["id"] == id)
            .cloned()
            .unwrap()
    };
    // Both dossiers were received in the period (R = 2); one closed with a result (F = 1).
    assert_eq!(indicator("3.3")["denominator"], 2);
    assert_eq!(indicator("3.3")["numerator"], 0, "counter submissions are not online");
    assert_eq!(indicator("2.1")["denominator"], 2);
    assert_eq!(indicator("4.1")["denominator"], 1);
    assert!(table["total"].as_f64().unwrap() <= table["max"].as_f64().unwrap());
    // The province code covers every unit; unknown units and bad periods are refused.
    let (status, province) = app.get(&format!("/api/v1/index?unit=52&from={today}&to={until}")).await;
    assert_eq!(status, 200);
    assert_eq!(province["unit"], "52");
    let (status, body) = app
        .get(&format!("/api/v1/index?unit=99999&from={today}&to={today}"))
        .await;
    assert_error(status, &body, 404);
    let (status, body) = app.get("/api/v1/index?unit=52&from=2025-03-31&to=2025-01-01").await;
    assert_error(status, &body, 422);
    let (status, body) = app.get("/api/v1/index?unit=52&from=yesterday&to=2025-01-01").await;
    assert_error(status, &body, 422);
}

#[tokio::test]
async fn assistant_answers_procedure_and_status_questions() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/assistant/ask",
            &json!({"question": "làm giấy khai sinh cần gì"}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["intent"], "documents");
    assert_eq!(body["procedures"][0]["code"], "1.001193", "{body}");
    assert!(body["answer"].as_str().unwrap().contains("1.001193"));
    // A dossier code means a status look-up, answered from the public view only.
    let counter = app.token("tiepnhan1").await;
    let code = app.counter_dossier(&counter).await;
    let (_, body) = app
        .post(
            "/api/v1/assistant/ask",
            &json!({"question": format!("hồ sơ {code} xong chưa")}),
            None,
        )
        .await;
    assert_eq!(body["intent"], "status");
    assert_eq!(body["dossier_code"], code);
    assert!(body["procedures"].as_array().unwrap().is_empty());
    assert!(body["answer"].as_str().unwrap().contains("Đang xử lý"), "{body}");
    // Out of scope: no procedure list.
    let (_, body) = app
        .post("/api/v1/assistant/ask", &json!({"question": "giá vàng hôm nay"}), None)
        .await;
    assert_eq!(body["intent"], "other");
    assert!(body["procedures"].as_array().unwrap().is_empty());
    let (status, body) = app
        .post("/api/v1/assistant/ask", &json!({"question": "  "}), None)
        .await;
    assert_error(status, &body, 422);
}

#[path = "api/portal_extra.rs"]
mod portal_extra;

#[path = "api/backoffice_pages.rs"]
mod backoffice_pages;
#[path = "api/forms.rs"]
mod forms;

#[path = "api/dashboards.rs"]
mod dashboards;

#[path = "api/pakn_pages.rs"]
mod pakn_pages;

#[path = "api/plans_pages.rs"]
mod plans_pages;

#[path = "api/admin_pages.rs"]
mod admin_pages;
