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

// ------------------------------------------------------------------ exports, causes, old units

/// Plays a dossier at the counter of 23575 through its workflow, on a second engine over the
/// app's database with its own clock (the app's clock is today's): received Monday 13-10-2025,
/// left at the specialist until 15-12-2025, then approved and finished. Returns its code.
async fn late_live_dossier(app: &TestApp) -> String {
    use chrono::TimeZone;
    use motcua_domain::calendar::vietnam;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;
    let store = Store::open(&format!("sqlite://{}", app._dir.path().join("t.sqlite").display()))
        .await
        .unwrap();
    let at = |m, d, h| vietnam().with_ymd_and_hms(2025, m, d, h, 0, 0).unwrap();
    let clock = Arc::new(AtomicI64::new(at(10, 13, 9).timestamp_millis()));
    let c = clock.clone();
    let engine = motcua_engine::Engine::start(store)
        .await
        .unwrap()
        .with_clock(move || vietnam().timestamp_millis_opt(c.load(Ordering::SeqCst)).unwrap());
    let officer = |name: &str, role: Role, unit: &str| User {
        username: name.into(),
        full_name: name.into(),
        role,
        unit_code: Some(unit.into()),
        eid_level: 0,
        personal_id: None,
    };
    let submission = motcua_engine::Submission {
        procedure: "1.001193".into(),
        unit: "23575".into(),
        channel: 1,
        applicant: motcua_domain::dossier::Applicant {
            name: "Nguyễn Thị Lan".into(),
            personal_id: Some(CONGDAN1_ID.into()),
            ..Default::default()
        },
        documents: Vec::new(),
    };
    let done = engine
        .submit(
            &officer("tiepnhan1", Role::CounterOfficer, "000.00.12.H21"),
            submission,
            None,
        )
        .await
        .unwrap();
    let act = |name: &str| motcua_engine::ActionRequest {
        action: name.into(),
        note: "ghi chú".into(),
        ..Default::default()
    };
    for (day, hour, who, action) in [
        (15, 9, officer("chuyenvien1", Role::Specialist, "23575"), "forward"),
        (15, 10, officer("lanhdao1", Role::Leader, "23575"), "approve"),
        (15, 11, officer("chuyenvien1", Role::Specialist, "23575"), "finish"),
    ] {
        clock.store(at(12, day, hour).timestamp_millis(), Ordering::SeqCst);
        engine.act_request(&who, &done.code, &act(action), None).await.unwrap();
    }
    done.code
}

impl Browser {
    async fn bytes(&mut self, path: &str) -> (u16, String, Vec<u8>) {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, kind, r.bytes().await.unwrap().to_vec())
    }
}

/// The text of a PDF as `pdftotext` reads it (poppler-utils; CI installs it).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed to read exported PDFs");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

/// A workbook's sheet as rows of cell texts (numbers with their full value).
fn sheet(xlsx: &[u8], index: usize) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let name = book.sheet_names()[index].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn cell_f64(d: &calamine::Data) -> Option<f64> {
    match d {
        calamine::Data::Float(f) => Some(*f),
        calamine::Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// The text inside the first element after `marker` (up to the next `<`).
fn texts_after(html: &str, marker: &str) -> Vec<String> {
    html.match_indices(marker)
        .map(|(i, _)| {
            let rest = &html[i..];
            let start = rest.find('>').unwrap() + 1;
            let end = rest[start..].find('<').unwrap();
            rest[start..start + end].to_string()
        })
        .collect()
}

#[tokio::test]
async fn exports_carry_the_pages_figures() {
    let app = spawn_app().await;
    import_october(&app).await;
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    let period = "ky=thang&nam=2025&thang=10";
    for page in ["/dieu-hanh", "/dieu-hanh/don-vi/23575"] {
        let (status, _, body) = leader.get(&format!("{page}?{period}")).await;
        assert_eq!(status, 200);
        assert!(body.contains("data-export=\"xlsx\"") && body.contains("data-export=\"pdf\""));
        let (status, kind, xlsx) = leader.bytes(&format!("{page}?{period}&xuat=xlsx")).await;
        assert_eq!(status, 200);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        // Sheet 2: the indicators, one row each, with the page's numerators, denominators, scores.
        let rows = sheet(&xlsx, 2);
        let numerators: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-numerator")
            .into_iter()
            .collect();
        let denominators: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-denominator")
            .into_iter()
            .collect();
        let scores: BTreeMap<_, _> = attr_values(&body, "data-indicator", "data-score").into_iter().collect();
        assert_eq!(rows.len() - 1, numerators.len(), "{page}: one row per indicator");
        for r in &rows[1..] {
            let id = r[0].to_string();
            assert_eq!(cell_f64(&r[2]).unwrap().to_string(), numerators[&id], "{page} {id}");
            assert_eq!(cell_f64(&r[3]).unwrap().to_string(), denominators[&id], "{page} {id}");
            let score = cell_f64(&r[5])
                .map(|s| format!("{s:.2}"))
                .unwrap_or_else(|| "na".into());
            assert_eq!(score, scores[&id], "{page} {id}");
        }
        // The PDF prints the page's total and each indicator's score as the page shows them.
        let (status, kind, pdf) = leader.bytes(&format!("{page}?{period}&xuat=pdf")).await;
        assert_eq!((status, kind.as_str()), (200, "application/pdf"));
        let text = squash(&pdf_text(&pdf));
        let total = texts_after(&body, "data-total=\"")[0].clone();
        assert!(text.contains(&squash(&total)), "{page}: total {total} in {text}");
        assert!(text.contains(&squash("Chi tiết các chỉ số")));
        for (id, raw) in &scores {
            if raw != "na" {
                assert!(text.contains(&raw.replace('.', ",")), "{page} {id} {raw}");
            }
        }
    }
    // The ranking: same order and totals.
    let (_, _, body) = leader.get(&format!("/dieu-hanh/xep-hang?cap=xa&{period}")).await;
    let ranked = attr_values(&body, "data-unit", "data-total");
    let (status, _, xlsx) = leader
        .bytes(&format!("/dieu-hanh/xep-hang?cap=xa&{period}&xuat=xlsx"))
        .await;
    assert_eq!(status, 200);
    let rows = sheet(&xlsx, 1);
    assert_eq!(rows.len() - 1, ranked.len());
    for (r, (code, total)) in rows[1..].iter().zip(&ranked) {
        assert_eq!(&r[1].to_string(), code);
        let cell = cell_f64(&r[3])
            .map(|t| format!("{t:.2}"))
            .unwrap_or_else(|| "0.00".into());
        assert_eq!(&cell, total, "{code}");
    }
    let (status, _, pdf) = leader
        .bytes(&format!("/dieu-hanh/xep-hang?cap=xa&{period}&xuat=pdf&lang=en"))
        .await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    assert!(text.contains("Ranking of communes and wards"), "{text}");
}

#[tokio::test]
async fn late_dossiers_name_the_step_that_caused_it() {
    let app = spawn_app().await;
    import_october(&app).await;
    let live = late_live_dossier(&app).await;
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    let path = "/dieu-hanh/chi-so/2.1?ky=nam&nam=2025&unit=23575";
    let (status, _, body) = leader.get(path).await;
    assert_eq!(status, 200, "{body}");
    // The live dossier: its specialist step overran; the imported one has no step detail.
    let causes: BTreeMap<_, _> = attr_values(&body, "data-code", "data-code")
        .into_iter()
        .map(|(code, _)| {
            let row = &body[body.find(&format!("data-code=\"{code}\"")).unwrap()..];
            let cause = attr_values(&row[..row.find("</tr>").unwrap()], "data-cause", "data-cause");
            (code, cause[0].0.clone())
        })
        .collect();
    assert_eq!(causes[&live], "chuyen_vien", "{causes:?}");
    assert_eq!(causes["000.00.12.H21-251006-0002"], "xu-ly");
    assert!(body.contains("Chuyên viên thẩm định"));
    // The summary: one late dossier per (step, unit), both at 23575.
    let summary = attr_values(&body, "data-cause-step", "data-count");
    assert_eq!(
        summary
            .iter()
            .map(|(s, n)| (s.as_str(), n.as_str()))
            .collect::<BTreeMap<_, _>>(),
        BTreeMap::from([("chuyen_vien", "1"), ("xu-ly", "1")])
    );
    assert!(attr_values(&body, "data-cause-step", "data-cause-unit")
        .iter()
        .all(|(_, u)| u == "23575"));
    // The export lists the same dossiers with their causes, and the summary; never the applicant's id.
    let (status, _, xlsx) = leader.bytes(&format!("{path}&xuat=xlsx")).await;
    assert_eq!(status, 200);
    let rows = sheet(&xlsx, 1);
    let listed: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(listed, causes.keys().cloned().collect::<Vec<_>>());
    let live_row = rows.iter().find(|r| r[0].to_string() == live).unwrap();
    assert_eq!(live_row[7].to_string(), "Chuyên viên thẩm định");
    assert!(live_row[9].to_string().starts_with("quá "), "{live_row:?}");
    let summary_sheet = sheet(&xlsx, 2);
    assert_eq!(summary_sheet.len(), 3);
    let (status, _, pdf) = leader.bytes(&format!("{path}&xuat=pdf")).await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    assert!(squash(&text).contains(&squash(&live)) && text.contains("Chuyên viên thẩm định"));
    for bytes in [&xlsx, &pdf] {
        let raw = String::from_utf8_lossy(bytes);
        assert!(!raw.contains(CONGDAN1_ID));
    }
    assert!(!text.contains(CONGDAN1_ID) && !text.contains("Nguyễn Thị Lan"));
}

#[tokio::test]
async fn exports_are_for_readers_only_and_formats_are_checked() {
    let app = spawn_app().await;
    let mut anon = Browser::new(&app);
    for path in [
        "/dieu-hanh?xuat=xlsx",
        "/dieu-hanh/xep-hang?cap=so&xuat=pdf",
        "/dieu-hanh/chi-so/2.1?xuat=xlsx",
        "/dieu-hanh/don-vi/23575?xuat=pdf",
        "/dieu-hanh/tim-don-vi?q=ia",
    ] {
        assert_eq!(anon.get(path).await.0, 303, "{path}");
    }
    let mut citizen = Browser::signed_in(&app, "congdan1").await;
    for path in [
        "/dieu-hanh?xuat=xlsx",
        "/dieu-hanh/chi-so/2.1?xuat=pdf",
        "/dieu-hanh/tim-don-vi?q=ia",
    ] {
        let (status, kind, _) = citizen.bytes(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
    }
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    assert_eq!(leader.get("/dieu-hanh?xuat=csv").await.0, 400);
    assert_eq!(leader.get("/dieu-hanh/chi-so/3.3?xuat=doc").await.0, 400);
    let (status, kind, _) = leader.bytes("/dieu-hanh/chi-so/3.3?xuat=xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"));
}

#[tokio::test]
async fn old_units_lead_to_the_units_they_merged_into() {
    use motcua_domain::units::{UnitDirectory, UnitLevel, FIRST_DAY_2025};
    let app = spawn_app().await;
    let engine = app.state.engine();
    let dir = UnitDirectory::bundled().unwrap();
    // An old commune of today's Gia Lai merged into a commune with another code.
    let (old, new) = dir
        .units()
        .iter()
        .filter(|u| u.level == UnitLevel::Commune && !u.is_valid_on(FIRST_DAY_2025))
        .find_map(|u| {
            let new = dir.map_to_2025(&u.code, UnitLevel::Commune)?;
            let fresh = dir.get(&u.code, FIRST_DAY_2025).is_none() && engine.organisation(&u.code).is_none();
            (new != u.code && fresh && engine.organisation(&new).is_some()).then(|| (u.clone(), new))
        })
        .expect("an old commune of Gia Lai");
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    let (status, _, body) = leader
        .get(&format!("/dieu-hanh/tim-don-vi?q={}&ky=nam&nam=2025", old.code))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&format!("data-hit=\"{}\" data-merged-into=\"{new}\"", old.code)),
        "{body}"
    );
    let by_name = urlencoding::encode(&motcua_domain::text::fold(&old.name)).into_owned();
    let (_, _, body) = leader.get(&format!("/dieu-hanh/tim-don-vi?q={by_name}")).await;
    assert!(
        body.contains(&format!("data-hit=\"{}\"", old.code)),
        "by name without diacritics"
    );
    // The old code's page is the new unit's, with the note; the new unit lists where it came from.
    let (status, _, page) = leader
        .get(&format!("/dieu-hanh/don-vi/{}?ky=nam&nam=2025", old.code))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("data-old-unit=\"{}\"", old.code)));
    assert!(page.contains(&format!("<span class=\"code\">{new}</span>")));
    let (_, _, new_page) = leader.get(&format!("/dieu-hanh/don-vi/{new}")).await;
    assert!(new_page.contains("data-predecessors") && new_page.contains(&old.code));
    // The same figures: the old code counts under the new unit.
    let totals = |html: &str| attr_values(html, "data-total", "data-total")[0].0.clone();
    let (_, _, new_year) = leader.get(&format!("/dieu-hanh/don-vi/{new}?ky=nam&nam=2025")).await;
    assert_eq!(totals(&page), totals(&new_year));
    let (_, _, ranking) = leader.get("/dieu-hanh/xep-hang?cap=xa").await;
    assert!(ranking.contains("data-old-units-note"));
    assert_eq!(leader.get("/dieu-hanh/don-vi/00000").await.0, 404);
}
