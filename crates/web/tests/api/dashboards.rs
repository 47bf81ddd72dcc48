//! The leadership dashboards at `/dieu-hanh` through HTTP: access control, the overview's figures
//! against `GET /api/v1/index` (same source), N/A rendering, the ranking's order and the dossiers
//! that cost points.

use std::collections::BTreeMap;

use super::*;

/// A browser with a cookie jar that does not follow redirects (shared with the steering pages' tests).
pub(super) struct Browser {
    pub(super) base: String,
    pub(super) client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub(super) fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    pub(super) async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, String, String) {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie)
        };
        let r = req.send().await.unwrap();
        for value in r.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, val) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_string(), val.to_string());
        }
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, location, r.text().await.unwrap())
    }

    pub(super) async fn get(&mut self, path: &str) -> (u16, String, String) {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub(super) async fn signed_in(app: &TestApp, username: &str) -> Browser {
        let mut b = Browser::new(app);
        let (_, _, form) = b.get("/dang-nhap").await;
        let marker = "name=\"csrf\" value=\"";
        let start = form.find(marker).unwrap() + marker.len();
        let csrf = form[start..start + 64].to_string();
        let req = b.client.post(format!("{}/dang-nhap", b.base)).form(&[
            ("username", username),
            ("password", "demo"),
            ("csrf", &csrf),
            ("next", "/dieu-hanh"),
        ]);
        let (status, _, body) = b.send(req).await;
        assert_eq!(status, 303, "{username} signs in: {body}");
        b
    }
}

/// The value of `attr="…"` on each element carrying `marker` (itself an attribute).
pub(super) fn attr_values(html: &str, marker: &str, attr: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, _) in html.match_indices(&format!("{marker}=\"")) {
        let rest = &html[i + marker.len() + 2..];
        let key = rest[..rest.find('"').unwrap()].to_string();
        let tag_end = rest.find('>').unwrap();
        let tag = &rest[..tag_end];
        let value = tag
            .find(&format!("{attr}=\""))
            .map(|j| {
                let v = &tag[j + attr.len() + 2..];
                v[..v.find('"').unwrap()].to_string()
            })
            .unwrap_or_default();
        out.push((key, value));
    }
    out
}

/// Imports October 2025 histories into the app (as `motcua import` does).
async fn import_october(app: &TestApp) {
    // Through the app's own engine: the live index it serves is updated by the same writer.
    let engine = app.state.engine();
    let records = [
        // 23575: closed on time, online, digitised, verified against population data.
        json!({"MaHoSo": "000.00.12.H21-251006-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575",
            "KenhThucHien": 2, "NgayNopHoSo": "2025-10-06T09:00:00+07:00",
            "NgayTiepNhan": "2025-10-06T09:10:00+07:00", "NgayHenTra": "2025-10-08T17:00:00+07:00",
            "NgayKetThucXuLy": "2025-10-07T10:00:00+07:00", "TrangThaiHoSo": 9,
            "HoSoCoThanhPhanSoHoa": 1, "DuocLayTuCSDLDanCu": 1, "TaiKhoanDuocXacThucVoiVNeID": 1,
            "LichSu": [{"TrangThaiHoSo": 2, "ThoiGian": "2025-10-06T09:10:00+07:00"},
                {"TrangThaiHoSo": 9, "ThoiGian": "2025-10-07T10:00:00+07:00"}]}),
        // 23575: still open at the end of October, due on the 10th: late; at the counter, not digitised.
        json!({"MaHoSo": "000.00.12.H21-251006-0002", "MaTTHC": "1.001193", "DonViXuLy": "23575",
            "KenhThucHien": 1, "NgayNopHoSo": "2025-10-06T10:00:00+07:00",
            "NgayTiepNhan": "2025-10-06T10:05:00+07:00", "NgayHenTra": "2025-10-10T17:00:00+07:00",
            "TrangThaiHoSo": 4, "HoSoCoThanhPhanSoHoa": 0,
            "LichSu": [{"TrangThaiHoSo": 2, "ThoiGian": "2025-10-06T10:05:00+07:00"},
                {"TrangThaiHoSo": 4, "ThoiGian": "2025-10-06T10:06:00+07:00"}]}),
        // 21583: closed on time at the counter, no population data.
        json!({"MaHoSo": "000.00.12.H21-251007-0003", "MaTTHC": "1.001193", "DonViXuLy": "21583",
            "KenhThucHien": 1, "NgayNopHoSo": "2025-10-07T09:00:00+07:00",
            "NgayTiepNhan": "2025-10-07T09:05:00+07:00", "NgayHenTra": "2025-10-09T17:00:00+07:00",
            "NgayKetThucXuLy": "2025-10-08T15:00:00+07:00", "TrangThaiHoSo": 9, "HoSoCoThanhPhanSoHoa": 1,
            "LichSu": [{"TrangThaiHoSo": 2, "ThoiGian": "2025-10-07T09:05:00+07:00"},
                {"TrangThaiHoSo": 9, "ThoiGian": "2025-10-08T15:00:00+07:00"}]}),
    ];
    for r in records {
        let record = serde_json::from_value(r).unwrap();
        engine.import_record(&record).await.unwrap();
    }
}

#[tokio::test]
async fn dashboards_are_for_leaders_viewers_and_admins() {
    let app = spawn_app().await;
    let mut anon = Browser::new(&app);
    let (status, location, _) = anon.get("/dieu-hanh?ky=nam&nam=2025").await;
    assert_eq!(status, 303);
    assert_eq!(location, "/dang-nhap?next=%2Fdieu-hanh%3Fky%3Dnam%26nam%3D2025");
    for path in [
        "/dieu-hanh/xep-hang?cap=xa",
        "/dieu-hanh/chi-so/2.1",
        "/dieu-hanh/don-vi/23575",
    ] {
        assert_eq!(anon.get(path).await.0, 303, "{path}");
    }
    for who in ["congdan1", "chuyenvien1", "tiepnhan1"] {
        let mut b = Browser::signed_in(&app, who).await;
        for path in ["/dieu-hanh", "/dieu-hanh/xep-hang?cap=so", "/dieu-hanh/chi-so/4.2"] {
            let (status, _, body) = b.get(path).await;
            assert_eq!(status, 403, "{who} {path}");
            assert!(!body.contains("data-total"), "{who} sees no figure");
        }
    }
    // A leadership viewer and a province administrator (accounts without a unit) read them too.
    let store = Store::open(&format!("sqlite://{}", app._dir.path().join("t.sqlite").display()))
        .await
        .unwrap();
    let hash = motcua_web::auth::hash_password("demo").unwrap();
    for (username, role) in [("theodoi1", Role::LeadershipViewer), ("quantri1", Role::ProvinceAdmin)] {
        let user = User {
            username: username.into(),
            full_name: format!("Test {username}"),
            role,
            unit_code: None,
            eid_level: 0,
            personal_id: None,
        };
        store
            .upsert_user(&NewUser {
                user,
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
        let mut b = Browser::signed_in(&app, username).await;
        for path in ["/dieu-hanh", "/dieu-hanh/xep-hang?cap=so", "/dieu-hanh/chi-so/2.1"] {
            assert_eq!(b.get(path).await.0, 200, "{username} {path}");
        }
    }
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    let (status, _, body) = leader.get("/dieu-hanh").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<html lang=\"vi\">") && body.contains("Tổng điểm"));
    let (status, _, body) = leader.get("/dieu-hanh?lang=en").await;
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"en\">") && body.contains("Total score"));
    assert_eq!(leader.get("/dieu-hanh/don-vi/99999").await.0, 404);
    assert_eq!(leader.get("/dieu-hanh/chi-so/1.4").await.0, 404);
    assert_eq!(leader.get("/dieu-hanh/xep-hang?cap=huyen").await.0, 400);
}

#[tokio::test]
async fn overview_figures_equal_the_index_api() {
    let app = spawn_app().await;
    import_october(&app).await;
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    for (page, unit) in [
        ("/dieu-hanh?", "52"),
        ("/dieu-hanh/don-vi/23575?", "23575"),
        ("/dieu-hanh/don-vi/21583?", "21583"),
    ] {
        let (status, _, body) = leader.get(&format!("{page}ky=thang&nam=2025&thang=10")).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("data-period=\"2025-10-01..2025-10-31\""));
        let (status, api) = app
            .get(&format!("/api/v1/index?unit={unit}&from=2025-10-01&to=2025-10-31"))
            .await;
        assert_eq!(status, 200);
        let total = attr_values(&body, "data-total", "data-total");
        assert_eq!(
            total[0].0,
            format!("{:.2}", api["total"].as_f64().unwrap()),
            "{unit} total"
        );
        let numerators: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-numerator")
            .into_iter()
            .collect();
        let denominators: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-denominator")
            .into_iter()
            .collect();
        let scores: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-score").into_iter().collect();
        let mut seen = 0;
        for i in api["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["indicators"].as_array().unwrap())
        {
            let id = i["id"].as_str().unwrap();
            assert_eq!(numerators[id], i["numerator"].to_string(), "{unit} {id}");
            assert_eq!(denominators[id], i["denominator"].to_string(), "{unit} {id}");
            let score = i["score"]
                .as_f64()
                .map(|s| format!("{s:.2}"))
                .unwrap_or_else(|| "na".into());
            assert_eq!(scores[id], score, "{unit} {id}");
            seen += 1;
        }
        assert_eq!(seen, numerators.len());
    }
    // The province: 3 received, 2 on time of 3 handled; 23575's late dossier is listed under 2.1.
    let (_, _, body) = leader.get("/dieu-hanh?ky=thang&nam=2025&thang=10").await;
    let dens: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-denominator")
        .into_iter()
        .collect();
    assert_eq!(dens["2.1"], "3");
    // Đề án 06: 1 of 3 verified against population data; 21583 never used it.
    assert!(body.contains("data-kpi=\"population\" data-count=\"1\""), "{body}");
    assert!(body.contains("data-zero-unit=\"21583\"") && !body.contains("data-zero-unit=\"23575\""));
    let (status, _, late) = leader
        .get("/dieu-hanh/chi-so/2.1?ky=thang&nam=2025&thang=10&unit=23575")
        .await;
    assert_eq!(status, 200, "{late}");
    assert!(late.contains("data-code=\"000.00.12.H21-251006-0002\""));
    assert!(!late.contains("data-code=\"000.00.12.H21-251006-0001\""));
    assert!(
        late.contains("Đang xử lý") && late.contains("quá "),
        "still open, with its lateness"
    );
    let (_, _, undigitised) = leader.get("/dieu-hanh/chi-so/4.2?ky=thang&nam=2025&thang=10").await;
    assert!(undigitised.contains("data-total=\"1\"") && undigitised.contains("251006-0002"));
}

#[tokio::test]
async fn na_indicators_are_shown_and_left_out() {
    let app = spawn_app().await;
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    let (status, _, body) = leader.get("/dieu-hanh?ky=tuy-chon&tu=2025-01-01&den=2025-01-31").await;
    assert_eq!(status, 200);
    let scores: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-score").into_iter().collect();
    assert_eq!(scores["2.1"], "na", "no dossier: N/A");
    assert!(
        body.contains("data-max=\"0.00\""),
        "N/A indicators are left out of the maximum"
    );
    assert!(body.contains(">N/A</abbr>"));
    let (_, _, en) = leader.get("/dieu-hanh?ky=quy&nam=2025&quy=1&lang=en").await;
    assert!(en.contains("Not applicable (N/A)"));
    // A bad period is explained on the page, which falls back to the default.
    let (status, _, bad) = leader.get("/dieu-hanh?ky=thang&nam=2025&thang=13&lang=vi").await;
    assert_eq!(status, 200);
    assert!(bad.contains("data-error-summary") && bad.contains("Kỳ đánh giá không hợp lệ"));
    // Charts are named images, each followed by its table.
    assert!(body.contains("role=\"img\" aria-labelledby=\"chart-groups-title\""));
    assert!(body.contains("role=\"img\" aria-labelledby=\"chart-trend-title\""));
}

#[tokio::test]
async fn ranking_is_sorted_by_total() {
    let app = spawn_app().await;
    import_october(&app).await;
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    let (status, _, body) = leader
        .get("/dieu-hanh/xep-hang?cap=xa&ky=thang&nam=2025&thang=10")
        .await;
    assert_eq!(status, 200, "{body}");
    let rows = attr_values(&body, "data-unit", "data-total");
    assert!(rows.len() > 2, "every commune is ranked");
    let totals: Vec<f64> = rows.iter().map(|(_, t)| t.parse().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{rows:?}");
    // Both units with dossiers lead the others; 21583 (all on time) ahead of 23575.
    let pos = |code: &str| rows.iter().position(|(c, _)| c == code).unwrap();
    assert!(pos("21583") < pos("23575") && pos("23575") < 2, "{rows:?}");
    // The unit's page, for the same period (`&` escaped as askama does).
    let link = "href=\"/dieu-hanh/don-vi/23575?ky=thang&#38;nam=2025&#38;thang=10\"";
    assert!(body.contains(link), "{body}");
    assert!(
        rows.iter().all(|(c, _)| c.bytes().all(|b| b.is_ascii_digit())),
        "communes only: {rows:?}"
    );
    let (status, _, depts) = leader.get("/dieu-hanh/xep-hang?cap=so").await;
    assert_eq!(status, 200);
    let depts = attr_values(&depts, "data-unit", "data-total");
    assert!(
        !depts.is_empty() && depts.iter().all(|(c, _)| c.contains('.')),
        "{depts:?}"
    );
}
