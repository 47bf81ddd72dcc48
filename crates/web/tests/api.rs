//! The HTTP API, through a real server on a free port over a fresh SQLite deployment.

use motcua_store::{reference, NewUser, Role, Store, User};
use motcua_web::{AppState, WebSettings};
use serde_json::{json, Value};

struct TestApp {
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display()))
        .await
        .unwrap();
    reference::load_reference_if_empty(&store).await.unwrap();
    let hash = motcua_web::auth::hash_password("demo").unwrap();
    store
        .upsert_user(&NewUser {
            user: User {
                username: "chuyenvien1".into(),
                full_name: "Phạm Văn Hùng".into(),
                role: Role::Specialist,
                unit_code: Some("23575".into()),
                eid_level: 0,
                personal_id: None,
            },
            password_hash: hash,
        })
        .await
        .unwrap();
    let state = AppState::load(store, WebSettings::default()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(motcua_web::serve(listener, state, async move {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        _dir: dir,
        shutdown: Some(tx),
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
