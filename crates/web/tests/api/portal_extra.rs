//! Portal journeys over HTTP: online payment through the sandbox gateway (signed callback,
//! replay, bad signature, reconciliation), the satisfaction rating and the PAKN form.

use std::collections::BTreeMap;
use std::time::Duration;

use motcua_domain::dossier::Status;
use motcua_store::payments::{PAID, PENDING};
use motcua_store::{reference, NewUser, Store, User};
use motcua_web::pages::payment::reconcile;
use motcua_web::payment_gateway::PaymentSettings;
use motcua_web::{AppState, WebSettings};
use serde_json::json;

use super::{TestApp, ACCOUNTS, CONGDAN1_ID};

struct Portal {
    app: TestApp,
    state: AppState,
    /// A client that does not follow redirects (to see where they go).
    raw: reqwest::Client,
}

/// An app whose gateway posts callbacks to `callback_base` (None: to the app itself).
async fn spawn(callback_base: Option<&str>) -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display()))
        .await
        .unwrap();
    reference::load_reference_if_empty(&store).await.unwrap();
    let units = store.units().await.unwrap();
    let orgs = reference::province_organisations(&units, "52", "H21").unwrap();
    store.upsert_organisations(&orgs).await.unwrap();
    let hash = motcua_web::auth::hash_password("demo").unwrap();
    for &(username, role, unit, eid_level, personal_id) in ACCOUNTS {
        let user = User {
            username: username.into(),
            full_name: format!("Test {username}"),
            role,
            unit_code: unit.map(Into::into),
            eid_level,
            personal_id: personal_id.map(Into::into),
        };
        store
            .upsert_user(&NewUser {
                user,
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let settings = WebSettings {
        payments: PaymentSettings {
            secret: "merchant-secret".into(),
            public_url: Some(callback_base.unwrap_or(&base).to_string()),
        },
        ..WebSettings::default()
    };
    let state = AppState::load(store, settings).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(motcua_web::serve(listener, state.clone(), async move {
        let _ = rx.await;
    }));
    Portal {
        app: TestApp {
            base,
            client: reqwest::Client::new(),
            _dir: dir,
            shutdown: Some(tx),
            state: state.clone(),
        },
        state,
        raw: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

/// The value of `name="csrf"` in a page.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token");
    let rest = &html[at + 19..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

impl Portal {
    /// A portal session cookie (`mc_sid=…`) for a stored account.
    async fn session(&self, username: &str) -> String {
        let (user, _) = self.state.store().user_credentials(username).await.unwrap().unwrap();
        let cookie = motcua_web::pages::session::sign_in(&self.state, &user, 2, false)
            .await
            .unwrap();
        cookie.to_str().unwrap().split(';').next().unwrap().to_string()
    }

    async fn page(&self, path: &str, cookie: &str) -> (u16, String) {
        let r = self
            .raw
            .get(format!("{}{path}", self.app.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn form(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.raw
            .post(format!("{}{path}", self.app.base))
            .header("cookie", cookie)
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// congdan1's online dossier, accepted, with `amount` đồng of fees requested (status 6).
    async fn dossier_with_fees_due(&self, amount: i64) -> String {
        let app = &self.app;
        let citizen = app.token("congdan1").await;
        let counter = app.token("tiepnhan1").await;
        let specialist = app.token("chuyenvien1").await;
        let body = json!({
            "procedure": "1.001193", "unit": "23575", "channel": 2,
            "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID, "birth_date": "1990-05-01"}
        });
        let (status, sub) = app.submit(&citizen, None, &body).await;
        assert_eq!(status, 201, "{sub}");
        let code = sub["MaHoSo"].as_str().unwrap().to_string();
        app.act_ok(&counter, &code, "accept", "").await;
        let (status, v) = app
            .act(
                &specialist,
                &code,
                &json!({"action": "request_payment", "amount_dong": amount}),
            )
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["status"]["code"], 6, "{v}");
        code
    }

    /// Pays through the portal and the sandbox page; returns the return redirect.
    async fn pay(&self, code: &str, cookie: &str, decision: &str) -> String {
        let (status, html) = self.page(&format!("/thanh-toan/{code}"), cookie).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("50.000 ₫"), "{html}");
        let r = self
            .form(&format!("/thanh-toan/{code}"), cookie, &[("csrf", &csrf_of(&html))])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let gateway_page = location(&r);
        assert!(gateway_page.starts_with("/sandbox-thanh-toan/SBX"), "{gateway_page}");
        let (status, html) = self.page(&gateway_page, cookie).await;
        assert_eq!(status, 200);
        assert!(html.contains(code) && html.contains("50.000 ₫"), "{html}");
        let r = self
            .form(
                &gateway_page,
                cookie,
                &[("csrf", &csrf_of(&html)), ("decision", decision)],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let back = location(&r);
        assert!(back.starts_with(&format!("/thanh-toan/{code}/ket-qua?")), "{back}");
        back
    }

    async fn status(&self, code: &str) -> (Status, bool) {
        let s = self.state.engine().state(code).await.unwrap();
        (s.status, s.paid_online)
    }
}

/// The signed fields of a return URL (the same fields the callback carried).
fn fields_of(url: &str) -> BTreeMap<String, String> {
    let query = url.split_once('?').unwrap().1;
    query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), urlencoding::decode(v).unwrap().into_owned())
        })
        .collect()
}

#[tokio::test]
async fn signed_callback_pays_once_and_bad_signatures_are_refused() {
    let p = spawn(None).await;
    let code = p.dossier_with_fees_due(50_000).await;
    let cookie = p.session("congdan1").await;

    // Someone else cannot pay (or see) congdan1's fees.
    let other = p.session("congdan2").await;
    assert_eq!(p.page(&format!("/thanh-toan/{code}"), &other).await.0, 404);
    // Without a session the page asks to sign in.
    let r = p
        .raw
        .get(format!("{}/thanh-toan/{code}", p.app.base))
        .send()
        .await
        .unwrap();
    assert!(location(&r).starts_with("/dang-nhap?next="), "{}", location(&r));
    // A POST without the CSRF token is refused.
    assert_eq!(
        p.form(&format!("/thanh-toan/{code}"), &cookie, &[])
            .await
            .status()
            .as_u16(),
        403
    );

    let back = p.pay(&code, &cookie, "confirm").await;
    // The callback (server to server) advanced the dossier before the payer came back.
    assert_eq!(p.status(&code).await, (Status::InProgress, true));
    let (status, html) = p.page(&back, &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("Thanh toán thành công"), "{html}");
    let payments = p.state.store().payments_of_dossier(&code).await.unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!((payments[0].status.as_str(), payments[0].amount_dong), (PAID, 50_000));
    let record = p.state.engine().export_record(&code).await.unwrap();
    assert_eq!(record.paid_online, Some(true));
    assert_eq!(serde_json::to_value(&record).unwrap()["DuocThanhToanTrucTuyen"], 1);

    // The same callback again: accepted, nothing changes.
    let fields = fields_of(&back);
    let callback = format!("{}/thanh-toan/callback", p.app.base);
    let r = p.raw.post(&callback).form(&fields).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "already settled");
    let events = p.state.store().dossier_events(&code).await.unwrap();
    let pays = events
        .iter()
        .filter(|e| format!("{:?}", e.event.action) == "Act(Pay)")
        .count();
    assert_eq!(pays, 1, "one pay event");
    assert_eq!(p.status(&code).await, (Status::InProgress, true));

    // Tampered or unsigned callbacks are refused.
    let mut tampered = fields.clone();
    tampered.insert("amount".into(), "1".into());
    let r = p.raw.post(&callback).form(&tampered).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let mut unsigned = fields.clone();
    unsigned.remove("signature");
    assert_eq!(
        p.raw
            .post(&callback)
            .form(&unsigned)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    // A forged return URL shows nothing.
    let forged = back.replace("status=paid", "status=failed");
    assert_eq!(p.page(&forged, &cookie).await.0, 400);
}

#[tokio::test]
async fn a_cancelled_payment_leaves_the_fees_due() {
    let p = spawn(None).await;
    let code = p.dossier_with_fees_due(50_000).await;
    let cookie = p.session("congdan1").await;
    let back = p.pay(&code, &cookie, "cancel").await;
    assert_eq!(p.status(&code).await, (Status::FeesDue, false));
    let (_, html) = p.page(&back, &cookie).await;
    assert!(html.contains("Thanh toán không thành công"), "{html}");
    // The payer can try again.
    p.pay(&code, &cookie, "confirm").await;
    assert_eq!(p.status(&code).await, (Status::InProgress, true));
}

#[tokio::test]
async fn reconciliation_settles_a_payment_whose_callback_was_lost() {
    // The gateway posts its callbacks to an address where nothing listens.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let p = spawn(Some(&dead_url)).await;
    let code = p.dossier_with_fees_due(50_000).await;
    let cookie = p.session("congdan1").await;
    let back = p.pay(&code, &cookie, "confirm").await;
    // Paid at the gateway, but motcua has not heard: pending, the dossier waits.
    assert_eq!(p.status(&code).await, (Status::FeesDue, false));
    let (_, html) = p.page(&back, &cookie).await;
    assert!(html.contains("Đang chờ xác nhận thanh toán"), "{html}");
    assert_eq!(
        p.state.store().payments_of_dossier(&code).await.unwrap()[0].status,
        PENDING
    );
    // Payments younger than the threshold are left for their callback.
    assert_eq!(reconcile(&p.state, Duration::from_secs(3600)).await.unwrap(), 0);
    assert_eq!(reconcile(&p.state, Duration::ZERO).await.unwrap(), 1);
    assert_eq!(p.status(&code).await, (Status::InProgress, true));
    assert_eq!(
        p.state.store().payments_of_dossier(&code).await.unwrap()[0].status,
        PAID
    );
    // Nothing left to do.
    assert_eq!(reconcile(&p.state, Duration::ZERO).await.unwrap(), 0);
}

#[tokio::test]
async fn rating_once_after_the_result_and_pakn_with_its_deadline() {
    let p = spawn(None).await;
    let app = &p.app;
    let code = p.dossier_with_fees_due(50_000).await;
    let cookie = p.session("congdan1").await;
    // No rating before the result.
    let r = p
        .raw
        .get(format!("{}/danh-gia/{code}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let leader = app.token("lanhdao1").await;
    app.act_ok(&counter, &code, "pay", "").await;
    app.act_ok(&specialist, &code, "forward", "").await;
    app.act_ok(&leader, &code, "approve", "").await;
    app.act_ok(&specialist, &code, "finish", "").await;

    let (status, html) = p.page(&format!("/danh-gia/{code}?lang=en"), &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("Rate your satisfaction"), "{html}");
    let csrf = csrf_of(&html);
    // Choosing nothing is an error shown in the summary.
    let r = p.form(&format!("/danh-gia/{code}"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("error-summary"));
    let r = p
        .form(
            &format!("/danh-gia/{code}"),
            &cookie,
            &[("csrf", &csrf), ("rating", "hai_long")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // A second rating does not replace the first.
    p.form(
        &format!("/danh-gia/{code}"),
        &cookie,
        &[("csrf", &csrf), ("rating", "khong_hai_long")],
    )
    .await;
    let (_, html) = p.page(&format!("/danh-gia/{code}?lang=vi"), &cookie).await;
    assert!(
        html.contains("Cảm ơn bạn đã đánh giá") && html.contains("Hài lòng"),
        "{html}"
    );
    let other = p.session("congdan2").await;
    assert_eq!(p.page(&format!("/danh-gia/{code}"), &other).await.0, 404);

    // PAKN without a session: the visitor's own CSRF cookie.
    let r = p
        .raw
        .get(format!("{}/phan-anh-kien-nghi?ma={code}", app.base))
        .send()
        .await
        .unwrap();
    let anon = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains(&code), "the dossier code is prefilled");
    let csrf = csrf_of(&html);
    let r = p
        .form("/phan-anh-kien-nghi", &anon, &[("csrf", &csrf), ("ma", "abc")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#ma\"") && html.contains("href=\"#body\""),
        "{html}"
    );
    let fields = [
        ("csrf", csrf.as_str()),
        ("ma", code.as_str()),
        ("name", "Nguyễn Thị Lan"),
        ("contact", "0912345678"),
        ("subject", "Thái độ tiếp nhận"),
        ("body", "Cán bộ hướng dẫn chưa rõ."),
    ];
    let r = p.form("/phan-anh-kien-nghi", &anon, &fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let done = location(&r);
    let pakn_code = fields_of(&done)["ma"].clone();
    assert!(pakn_code.starts_with("PAKN-"), "{pakn_code}");
    let (status, html) = p.page(&done, &anon).await;
    assert_eq!(status, 200);
    assert!(html.contains(&pakn_code), "{html}");
    let item = p.state.store().feedback(&pakn_code).await.unwrap().unwrap();
    let engine = p.state.engine();
    let created = chrono::DateTime::from_timestamp_millis(item.created_at_ms)
        .unwrap()
        .fixed_offset();
    let expected = engine
        .calendar()
        .due(created, motcua_domain::calendar::WorkDuration::Days(15))
        .unwrap();
    assert_eq!(item.due_at_ms, expected.timestamp_millis());
    assert!(html.contains(&motcua_web::pages::datetime(&expected)), "{html}");
    // A form without the token is refused.
    assert_eq!(
        p.form("/phan-anh-kien-nghi", &anon, &fields[1..])
            .await
            .status()
            .as_u16(),
        403
    );

    // Both reach the exchange record.
    let v = serde_json::to_value(engine.export_record(&code).await.unwrap()).unwrap();
    assert_eq!(
        (v["DanhGia"].as_str(), v["CoPAKN"].as_i64()),
        (Some("hai_long"), Some(1)),
        "{v}"
    );
}

/// Numerator and denominator of an indicator in a `GET /api/v1/index` answer.
fn indicator(api: &serde_json::Value, id: &str) -> (i64, i64) {
    let i = api["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["indicators"].as_array().unwrap())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id} in {api}"));
    (i["numerator"].as_i64().unwrap(), i["denominator"].as_i64().unwrap())
}

#[tokio::test]
async fn a_rating_through_the_portal_moves_indicator_5_4_of_the_live_index() {
    let p = spawn(None).await;
    let app = &p.app;
    let code = p.dossier_with_fees_due(50_000).await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let leader = app.token("lanhdao1").await;
    app.act_ok(&counter, &code, "pay", "").await;
    app.act_ok(&specialist, &code, "forward", "").await;
    app.act_ok(&leader, &code, "approve", "").await;
    app.act_ok(&specialist, &code, "finish", "").await;
    // Wide enough to hold the receipt even when it moves to the next working morning.
    let today = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::vietnam())
        .date_naive();
    let index = format!(
        "/api/v1/index?unit=23575&from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(14)
    );
    let (status, before) = app.get(&index).await;
    assert_eq!(status, 200, "{before}");
    // The only dossier of the unit: handled, on time, neither rated nor complained about.
    assert_eq!(indicator(&before, "5.4"), (1, 1), "{before}");

    let cookie = p.session("congdan1").await;
    let (_, html) = p.page(&format!("/danh-gia/{code}"), &cookie).await;
    let csrf = csrf_of(&html);
    let r = p
        .form(
            &format!("/danh-gia/{code}"),
            &cookie,
            &[("csrf", &csrf), ("rating", "khong_hai_long"), ("comment", "Chờ lâu")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, after) = app.get(&index).await;
    assert_eq!(indicator(&after, "5.4"), (0, 1), "{after}");
    // The rating is an event of the dossier's log, with the comment as its note.
    let events = p.state.store().dossier_events(&code).await.unwrap();
    let rated = events.last().unwrap();
    assert_eq!(
        (rated.event.action.as_str(), rated.event.note.as_str()),
        ("rate", "Chờ lâu")
    );
    assert_eq!(rated.event.status, Status::ResultReady);
}
