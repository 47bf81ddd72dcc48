//! Back office over HTTP: population look-ups, verified counter intake, the inbox, the audit log,
//! the authorisation matrix (role × route), and no personal id in logs or metrics.

use serde_json::{json, Value};

use super::{spawn_app, spawn_app_with_files, TestApp, CONGDAN1_ID};

/// congdan1 submits online; the counter accepts: the dossier is in processing at UBND Phường Pleiku.
async fn online_dossier_in_processing(app: &TestApp) -> String {
    let citizen = app.token("congdan1").await;
    let body = json!({"procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID}});
    let (status, created) = app.submit(&citizen, None, &body).await;
    assert_eq!(status, 201, "{created}");
    let code = created["MaHoSo"].as_str().unwrap().to_string();
    let counter = app.token("tiepnhan1").await;
    app.act_ok(&counter, &code, "accept", "").await;
    code
}

#[tokio::test]
async fn population_lookup_and_verified_counter_intake() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let lookup = |pid: &str| json!({"personal_id": pid, "dossier": null, "purpose": "tiếp nhận hồ sơ khai sinh"});
    let (status, body) = app
        .post("/api/v1/population/lookup", &lookup(CONGDAN1_ID), Some(&counter))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["full_name"], "Nguyễn Thị Lan");
    assert_eq!(body["birth_date"], "1990-03-14");
    assert_eq!(body["sex"], "female");
    assert_eq!(body["source"], "embedded");
    let (status, body) = app
        .post("/api/v1/population/lookup", &lookup("064190099999"), Some(&counter))
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = app
        .post("/api/v1/population/lookup", &lookup("12345"), Some(&counter))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app
        .post(
            "/api/v1/population/lookup",
            &json!({"personal_id": CONGDAN1_ID, "purpose": ""}),
            Some(&counter),
        )
        .await;
    assert_eq!(status, 422, "a purpose is required");

    // Counter intake asks the registry: the name and birth date are filled in and flagged.
    let body = json!({"procedure": "1.001193", "unit": "23575", "channel": 1, "verify_identity": true,
        "applicant": {"name": "", "personal_id": CONGDAN1_ID}});
    let (status, created) = app.submit(&counter, None, &body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["identity_verified"], true);
    assert_eq!(created["applicant"]["name"], "Nguyễn Thị Lan");
    assert_eq!(created["applicant"]["birth_date"], "1990-03-14");
    let code = created["MaHoSo"].as_str().unwrap();
    let specialist = app.token("chuyenvien1").await;
    let (_, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&specialist)).await;
    assert_eq!(view["identity_verified"], true);
    let body = json!({"procedure": "1.001193", "unit": "23575", "channel": 1, "verify_identity": true,
        "applicant": {"name": "Lê Văn Sai", "personal_id": CONGDAN1_ID}});
    let (status, err) = app.submit(&counter, None, &body).await;
    assert_eq!(status, 422, "{err}");
    assert!(err["error"]["fields"]["applicant.name"].is_string(), "{err}");

    // Every look-up is in the audit log, masked.
    let admin = app.token("quantri").await;
    let (status, audit) = app
        .get_as("/api/v1/audit?action=population.lookup&per_page=50", Some(&admin))
        .await;
    assert_eq!(status, 200, "{audit}");
    let items = audit["items"].as_array().unwrap();
    assert!(items.len() >= 4, "{audit}");
    assert!(items.iter().all(|i| i["actor"] == "tiepnhan1"));
    assert!(
        !audit.to_string().contains(CONGDAN1_ID),
        "numbers masked in the audit log"
    );
    assert!(audit.to_string().contains("064*******45"));
}

#[tokio::test]
async fn inbox_over_http_with_claim_and_assign() {
    let app = spawn_app().await;
    let code = online_dossier_in_processing(&app).await;
    let specialist = app.token("chuyenvien1").await;
    let (status, page) = app.get_as("/api/v1/inbox?queue=dang_xu_ly", Some(&specialist)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["unit"], "23575");
    assert_eq!(page["total"], 1);
    let item = &page["items"][0];
    assert_eq!(item["MaHoSo"], code.as_str());
    assert_eq!(item["applicant_personal_id"], "064*******45");
    assert!(item["time_left"]["vi"].as_str().unwrap().starts_with("còn "), "{item}");
    let counts: Vec<&str> = page["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["queue"].as_str().unwrap())
        .collect();
    assert_eq!(
        counts,
        [
            "cho_tiep_nhan",
            "moi_tiep_nhan",
            "dang_xu_ly",
            "cho_bo_sung",
            "cho_ky",
            "cho_tra_ket_qua",
            "qua_han",
            "sap_den_han"
        ]
    );
    let (status, found) = app
        .get_as(&format!("/api/v1/inbox?q={CONGDAN1_ID}"), Some(&specialist))
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["total"], 1);
    let (status, found) = app
        .get_as("/api/v1/inbox?q=nguyen%20thi%20lan", Some(&specialist))
        .await;
    assert_eq!((status, found["total"].as_i64()), (200, Some(1)), "{found}");
    let (status, bad) = app.get_as("/api/v1/inbox?queue=khac", Some(&specialist)).await;
    assert_eq!(status, 422, "{bad}");
    // Claim, then a leader reassigns within the unit; other units cannot.
    let (status, claimed) = app
        .post(&format!("/api/v1/dossiers/{code}/claim"), &json!({}), Some(&specialist))
        .await;
    assert_eq!(status, 200, "{claimed}");
    let leader = app.token("lanhdao1").await;
    let (status, _) = app
        .post(&format!("/api/v1/dossiers/{code}/claim"), &json!({}), Some(&leader))
        .await;
    assert_eq!(status, 409, "held by a colleague");
    let (status, assigned) = app
        .post(
            &format!("/api/v1/dossiers/{code}/assign"),
            &json!({"user": "lanhdao1"}),
            Some(&leader),
        )
        .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(assigned["assignee"], "lanhdao1");
    let (status, _) = app
        .post(
            &format!("/api/v1/dossiers/{code}/assign"),
            &json!({"user": "chuyenvien2"}),
            Some(&leader),
        )
        .await;
    assert_eq!(status, 422, "an officer of another unit cannot be assigned");
    let other = app.token("chuyenvien2").await;
    let (status, _) = app
        .post(&format!("/api/v1/dossiers/{code}/claim"), &json!({}), Some(&other))
        .await;
    assert_eq!(status, 403);
    let (_, mine) = app
        .get_as("/api/v1/inbox?queue=dang_xu_ly&mine=true", Some(&leader))
        .await;
    assert_eq!(mine["total"], 1, "{mine}");
}

/// What a role gets on a route: a status, and for the dossier view whether it is the full one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Status(u16),
    Full,
    Public,
}

#[tokio::test]
async fn authz_matrix_role_by_route() {
    use Expect::{Full, Public, Status as S};
    let app = spawn_app_with_files().await;
    let code = online_dossier_in_processing(&app).await;
    // A file on the dossier, uploaded by the competent specialist.
    let specialist = app.token("chuyenvien1").await;
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let (status, up) = TestApp::send(
        app.client
            .post(format!(
                "{}/api/v1/dossiers/{code}/documents?component=T%E1%BB%9D%20khai&file_name=a.pdf",
                app.base
            ))
            .bearer_auth(&specialist)
            .body(pdf),
    )
    .await;
    assert_eq!(status, 201, "{up}");
    let seq = up["seq"].as_i64().unwrap();

    let roles: [(&str, Option<&str>); 8] = [
        ("applicant", Some("congdan1")),
        ("other citizen", Some("congdan2")),
        ("anonymous", None),
        ("counter officer (service centre)", Some("tiepnhan1")),
        ("specialist (competent unit)", Some("chuyenvien1")),
        ("leader (competent unit)", Some("lanhdao1")),
        ("specialist (other unit)", Some("chuyenvien2")),
        ("province admin", Some("quantri")),
    ];
    // One row per route; columns in the order of `roles`.
    let matrix: Vec<(&str, [Expect; 8])> = vec![
        (
            "GET dossier",
            [Full, Public, Public, Public, Full, Full, Public, Public],
        ),
        (
            "GET events",
            [S(403), S(403), S(403), S(403), S(200), S(200), S(403), S(403)],
        ),
        (
            "GET documents",
            [S(200), S(403), S(401), S(403), S(200), S(200), S(403), S(403)],
        ),
        (
            "GET document",
            [S(200), S(403), S(401), S(403), S(200), S(200), S(403), S(403)],
        ),
        // `approve` at the specialist's step: those with a part in the dossier reach the state
        // machine (409: not their step); everyone else is refused before it.
        (
            "POST action",
            [S(409), S(403), S(401), S(403), S(409), S(409), S(403), S(403)],
        ),
        (
            "POST document",
            [S(409), S(403), S(401), S(403), S(201), S(201), S(403), S(403)],
        ),
        (
            "POST lookup",
            [S(403), S(403), S(401), S(200), S(200), S(403), S(200), S(403)],
        ),
        (
            "POST lookup for dossier",
            [S(403), S(403), S(401), S(403), S(200), S(403), S(403), S(403)],
        ),
        (
            "GET inbox",
            [S(403), S(403), S(401), S(200), S(200), S(200), S(200), S(403)],
        ),
        (
            "GET audit",
            [S(403), S(403), S(401), S(403), S(403), S(403), S(403), S(200)],
        ),
    ];
    let mut tokens = Vec::new();
    for (_, user) in roles {
        tokens.push(match user {
            Some(u) => Some(app.token(u).await),
            None => None,
        });
    }
    let mut failures = Vec::new();
    for (route, expected) in &matrix {
        for (i, (role, _)) in roles.iter().enumerate() {
            let token = tokens[i].as_deref();
            let with = |req: reqwest::RequestBuilder| match token {
                Some(t) => req.bearer_auth(t),
                None => req,
            };
            let url = |p: &str| format!("{}{p}", app.base);
            let c = &app.client;
            let (status, body) = match *route {
                "GET dossier" => TestApp::send(with(c.get(url(&format!("/api/v1/dossiers/{code}"))))).await,
                "GET events" => TestApp::send(with(c.get(url(&format!("/api/v1/dossiers/{code}/events"))))).await,
                "GET documents" => TestApp::send(with(c.get(url(&format!("/api/v1/dossiers/{code}/documents"))))).await,
                "GET document" => {
                    let r = with(c.get(url(&format!("/api/v1/dossiers/{code}/documents/{seq}"))))
                        .send()
                        .await
                        .unwrap();
                    (r.status().as_u16(), Value::Null)
                }
                "POST action" => {
                    TestApp::send(with(
                        c.post(url(&format!("/api/v1/dossiers/{code}/actions")))
                            .json(&json!({"action": "approve"})),
                    ))
                    .await
                }
                "POST document" => {
                    TestApp::send(with(
                        c.post(url(&format!(
                            "/api/v1/dossiers/{code}/documents?component=Gi%E1%BA%A5y&file_name=b.pdf"
                        )))
                        .body(b"%PDF-1.4\n%%EOF\n".to_vec()),
                    ))
                    .await
                }
                "POST lookup" | "POST lookup for dossier" => {
                    let dossier = (*route == "POST lookup for dossier").then_some(code.as_str());
                    TestApp::send(with(c.post(url("/api/v1/population/lookup")).json(
                        &json!({"personal_id": CONGDAN1_ID, "dossier": dossier, "purpose": "kiểm tra"}),
                    )))
                    .await
                }
                "GET inbox" => TestApp::send(with(c.get(url("/api/v1/inbox")))).await,
                "GET audit" => TestApp::send(with(c.get(url("/api/v1/audit")))).await,
                other => unreachable!("{other}"),
            };
            let got = match expected[i] {
                Full | Public if status == 200 => {
                    if body.get("applicant").is_some() {
                        Full
                    } else {
                        Public
                    }
                }
                _ => S(status),
            };
            if got != expected[i] {
                failures.push(format!(
                    "{route} as {role}: expected {:?}, got {got:?} {body}",
                    expected[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "authorisation matrix:\n{}", failures.join("\n"));
    // The public view carries no personal data at all.
    let (_, text) = app.get_text(&format!("/api/v1/dossiers/{code}"), None).await;
    assert!(
        !text.contains(CONGDAN1_ID) && !text.contains("Nguyễn Thị Lan"),
        "{text}"
    );
    // Every read of personal data and every action is in the audit log.
    let admin = tokens[7].as_deref();
    let (_, audit) = app
        .get_as(&format!("/api/v1/audit?target={code}&per_page=500"), admin)
        .await;
    let actions: Vec<String> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("{} {}", i["actor"].as_str().unwrap(), i["action"].as_str().unwrap()))
        .collect();
    for needed in [
        "congdan1 dossier.submit",
        "tiepnhan1 dossier.accept",
        "congdan1 dossier.view",
        "chuyenvien1 dossier.view",
        "lanhdao1 dossier.events",
        "congdan1 dossier.documents",
        "chuyenvien1 document.download",
        "chuyenvien1 population.lookup",
    ] {
        assert!(actions.iter().any(|a| a == needed), "{needed} missing from {actions:?}");
    }
    assert!(
        !actions
            .iter()
            .any(|a| a.starts_with("congdan2 ") || a.starts_with("chuyenvien2 ")),
        "refused requests read nothing: {actions:?}"
    );
}

/// Captures every log line of the process (the server runs in it).
#[derive(Clone, Default)]
struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_logs() -> &'static Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        capture
    })
}

#[tokio::test]
async fn no_personal_id_in_logs_or_metrics() {
    let logs = captured_logs();
    let app = spawn_app().await;
    // A number used nowhere else in the suite.
    let pid = "052085006789";
    let counter = app.token("tiepnhan1").await;
    let body = json!({"procedure": "1.001193", "unit": "23575", "channel": 1, "verify_identity": true,
        "applicant": {"name": "Trần Văn Minh", "personal_id": pid}});
    let (status, created) = app.submit(&counter, None, &body).await;
    assert_eq!(status, 201, "{created}");
    let code = created["MaHoSo"].as_str().unwrap().to_string();
    let bad = json!({"procedure": "1.001193", "unit": "23575", "channel": 1, "verify_identity": true,
        "applicant": {"name": "Sai Tên", "personal_id": pid}});
    assert_eq!(app.submit(&counter, None, &bad).await.0, 422);
    let specialist = app.token("chuyenvien1").await;
    let (status, _) = app
        .post(
            "/api/v1/population/lookup",
            &json!({"personal_id": pid, "dossier": code, "purpose": "xử lý hồ sơ"}),
            Some(&specialist),
        )
        .await;
    assert_eq!(status, 200);
    let (status, found) = app.get_as(&format!("/api/v1/inbox?q={pid}"), Some(&specialist)).await;
    assert_eq!((status, found["total"].as_i64()), (200, Some(1)), "{found}");
    let (status, _) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&specialist)).await;
    assert_eq!(status, 200);
    let (status, metrics) = app.get_text("/metrics", None).await;
    assert_eq!(status, 200);
    assert!(!metrics.contains(pid), "metrics carry a personal id");
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(text.contains(&code), "the capture works: the dossier's code was logged");
    // The client side of this test also logs (reqwest, hyper); only server lines matter, but
    // none of any kind may carry the number.
    let leaks: Vec<&str> = text.lines().filter(|l| l.contains(pid)).collect();
    assert!(leaks.is_empty(), "personal id in logs:\n{}", leaks.join("\n"));
}
