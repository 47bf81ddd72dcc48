//! The back office at `/can-bo` through HTTP, as an officer's browser without JavaScript uses it:
//! access control, queues and their counts, the processing path through the action forms, counter
//! intake with the receipt, search by personal id in a POST body.

use std::collections::BTreeMap;

use super::*;

/// A browser with its own cookie jar; redirects are shown, not followed.
pub(crate) struct Officer {
    base: String,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) location: String,
    pub(crate) body: String,
}

impl Reply {
    /// The CSRF token of the page's first form.
    pub(crate) fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        self.body[start..start + 64].to_string()
    }

    /// The values of an attribute on the page (e.g. `data-username`).
    pub(crate) fn attrs(&self, name: &str) -> Vec<String> {
        let marker = format!("{name}=\"");
        self.body
            .match_indices(&marker)
            .map(|(i, _)| {
                let rest = &self.body[i + marker.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .collect()
    }

    /// The counts of the queue list, by queue slug.
    pub(crate) fn queue_counts(&self) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for (i, _) in self.body.match_indices("data-queue=\"") {
            let rest = &self.body[i + 12..];
            let slug = &rest[..rest.find('"').unwrap()];
            let c = rest.find("data-count=\"").unwrap() + 12;
            let n: i64 = rest[c..c + rest[c..].find('"').unwrap()].parse().unwrap();
            out.insert(slug.to_string(), n);
        }
        out
    }

    /// The dossier codes of the listed rows.
    pub(crate) fn listed(&self) -> Vec<String> {
        self.body
            .match_indices("<tr data-code=\"")
            .map(|(i, _)| {
                let rest = &self.body[i + 15..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .collect()
    }
}

impl Officer {
    pub(crate) async fn signed_in(app: &TestApp, username: &str) -> Officer {
        Officer::signed_in_with(app, username, "demo").await
    }

    pub(crate) async fn signed_in_with(app: &TestApp, username: &str, password: &str) -> Officer {
        let mut b = Officer::anonymous(app);
        let r = b.sign_in(username, password).await;
        assert_eq!(r.status, 303, "{username} signs in: {}", r.body);
        b
    }

    /// Signs in through the sign-in form: the reply to the POST.
    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) -> Reply {
        let csrf = self.get("/dang-nhap").await.csrf();
        self.post(
            "/dang-nhap",
            &[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/can-bo"),
            ],
        )
        .await
    }

    /// Posts `fields` to `action` with the CSRF token of the page at `page`.
    pub(crate) async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.get(page).await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    pub(crate) fn anonymous(app: &TestApp) -> Officer {
        Officer {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Reply {
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
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), val.to_string());
            }
        }
        Reply {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
            body: r.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let req = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    pub(crate) async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let boundary = "----motcua-backoffice-boundary";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.send(req).await
    }

    /// Takes an action through the dossier page's form: the reply to the POST.
    pub(crate) async fn act(&mut self, code: &str, fields: &[(&str, &str)]) -> Reply {
        let page = self.get(&format!("/can-bo/ho-so/{code}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = page.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(&format!("/can-bo/ho-so/{code}/xu-ly"), &all).await
    }
}

/// An online birth registration by congdan1 for UBND Phường Pleiku: its code.
async fn online_dossier(app: &TestApp) -> String {
    let token = app.token("congdan1").await;
    let body = json!({"procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID}});
    let (status, body) = app.submit(&token, None, &body).await;
    assert_eq!(status, 201, "{body}");
    body["MaHoSo"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn back_office_access_is_for_officers_of_the_unit() {
    let app = spawn_app().await;
    let mut anon = Officer::anonymous(&app);
    let r = anon.get("/can-bo?hang=dang-xu-ly").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location, "/dang-nhap?next=%2Fcan-bo%3Fhang%3Ddang-xu-ly");

    let mut citizen = Officer::signed_in(&app, "congdan1").await;
    assert_eq!(citizen.get("/can-bo").await.status, 403);
    assert_eq!(citizen.get("/can-bo/tiep-nhan").await.status, 403);

    let counter = app.token("tiepnhan1").await;
    let code = app.counter_dossier(&counter).await;
    let mut own = Officer::signed_in(&app, "chuyenvien1").await;
    let page = own.get(&format!("/can-bo/ho-so/{code}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Nguyễn Văn An"),
        "the competent unit sees the applicant"
    );
    // The unit and role are in the header.
    let inbox = own.get("/can-bo").await;
    assert!(
        inbox.body.contains("Chuyên viên") && inbox.body.contains("Pleiku"),
        "{}",
        inbox.body
    );

    let mut other = Officer::signed_in(&app, "chuyenvien2").await;
    let page = other.get(&format!("/can-bo/ho-so/{code}")).await;
    assert_eq!(page.status, 403);
    assert!(!page.body.contains("Nguyễn Văn An"));
    assert_eq!(
        other.get(&format!("/can-bo/ho-so/{code}/phieu-kiem-soat")).await.status,
        403
    );
    let csrf = other.get("/can-bo").await.csrf();
    let r = other
        .post(
            &format!("/can-bo/ho-so/{code}/xu-ly"),
            &[("csrf", &csrf), ("action", "forward"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, 403, "an officer of another unit cannot act");
    // Nor does another unit's inbox list it, or its search find it by name.
    let r = other.get("/can-bo?hang=dang-xu-ly").await;
    assert!(!r.body.contains(&code));
    let r = other
        .post("/can-bo/tim-kiem", &[("csrf", &csrf), ("q", "Nguyễn Văn An")])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.listed().is_empty());
    // Only counter officers receive at the counter.
    assert_eq!(own.get("/can-bo/tiep-nhan").await.status, 403);
    // A POST without the session's CSRF token is refused.
    let r = own
        .post(
            &format!("/can-bo/ho-so/{code}/xu-ly"),
            &[("csrf", "x"), ("action", "forward")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(own.get("/can-bo/ho-so/000.00.12.H21-250101-9999").await.status, 404);
}

#[tokio::test]
async fn queue_counts_equal_the_listed_dossiers() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(app.counter_dossier(&counter).await);
    }
    let online = online_dossier(&app).await;
    let mut specialist = Officer::signed_in(&app, "chuyenvien1").await;
    let first = specialist.get("/can-bo").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let counts = first.queue_counts();
    assert_eq!(counts.len(), 8, "{counts:?}");
    assert_eq!(counts["dang-xu-ly"], 3);
    assert_eq!(counts["moi-tiep-nhan"], 3);
    assert_eq!(counts["cho-tiep-nhan"], 1);
    assert_eq!(counts["cho-phe-duyet"], 0);
    for (slug, n) in &counts {
        let page = specialist.get(&format!("/can-bo?hang={slug}")).await;
        assert_eq!(page.status, 200);
        let listed = page.listed();
        assert_eq!(listed.len() as i64, *n, "queue {slug}");
        assert_eq!(
            page.queue_counts(),
            counts,
            "the counts do not depend on the queue shown"
        );
    }
    let in_progress = specialist.get("/can-bo?hang=dang-xu-ly").await;
    let mut listed = in_progress.listed();
    listed.sort();
    codes.sort();
    assert_eq!(listed, codes);
    assert!(in_progress.body.contains("còn "), "time left on the work calendar");
    assert!(in_progress.body.contains("<caption"));
    // Filtering by another procedure empties the queue; by this one keeps it.
    let other = specialist.get("/can-bo?hang=dang-xu-ly&thu_tuc=1.000000").await;
    assert_eq!(other.queue_counts()["dang-xu-ly"], 0);
    assert!(other.listed().is_empty());
    let same = specialist.get("/can-bo?hang=dang-xu-ly&thu_tuc=1.001193").await;
    assert_eq!(same.listed().len(), 3);
    // The counter officer sees the online submission waiting for acceptance, province-wide.
    let mut desk = Officer::signed_in(&app, "tiepnhan1").await;
    let page = desk.get("/can-bo?hang=cho-tiep-nhan").await;
    assert_eq!(page.listed(), vec![online.clone()]);
    assert_eq!(page.queue_counts()["cho-tiep-nhan"], 1);
    // English.
    let en = specialist.get("/can-bo?lang=en").await;
    assert!(en.body.contains("In progress") && en.body.contains("lang=\"en\""));
}

#[tokio::test]
async fn accept_forward_approve_finish_return_through_the_pages() {
    let app = spawn_app().await;
    let code = online_dossier(&app).await;
    let mut desk = Officer::signed_in(&app, "tiepnhan1").await;
    let page = desk.get(&format!("/can-bo/ho-so/{code}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-action=\"accept\"") && page.body.contains("data-action=\"refuse\""));
    assert!(!page.body.contains("data-action=\"forward\""));
    // A refusal states its reasons: the engine's 422 comes back as an error summary.
    let r = desk.act(&code, &[("action", "refuse"), ("note", "")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("error-summary") && r.body.contains("href=\"#refuse-note\""));
    let r = desk.act(&code, &[("action", "accept"), ("note", "Đủ giấy tờ")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Accepted, the dossier left the counter for the commune: back to the inbox with a banner.
    assert_eq!(r.location, "/can-bo?xong=accept");
    let banner = desk.get(&r.location).await;
    assert!(banner.body.contains("Đã thực hiện: Tiếp nhận"));

    let mut specialist = Officer::signed_in(&app, "chuyenvien1").await;
    let page = specialist.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(page.body.contains("data-action=\"forward\""), "{}", page.body);
    assert!(!page.body.contains("data-action=\"approve\""));
    assert!(page.body.contains("/api/v1/dossiers/") && page.body.contains("forms/01.pdf"));
    let r = specialist
        .act(
            &code,
            &[("action", "forward"), ("to", "lanh_dao"), ("note", "Trình ký")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, format!("/can-bo/ho-so/{code}?xong=forward"));
    let done = specialist.get(&r.location).await;
    assert!(done.body.contains("data-done") && done.body.contains("Trình ký"));
    // Forwarding again is not the specialist's to do: the engine's 409 as an error summary.
    let r = specialist.act(&code, &[("action", "forward"), ("note", "")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("error-summary"));

    let mut leader = Officer::signed_in(&app, "lanhdao1").await;
    let inbox = leader.get("/can-bo").await;
    assert_eq!(inbox.queue_counts()["cho-phe-duyet"], 1);
    assert_eq!(
        inbox.listed(),
        vec![code.clone()],
        "the leader starts at the approval queue"
    );
    let r = leader.act(&code, &[("action", "approve"), ("note", "Đồng ý")]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    let r = specialist
        .act(&code, &[("action", "finish"), ("electronic_result", "1"), ("note", "")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let inbox = desk.get("/can-bo?hang=cho-tra-ket-qua").await;
    assert_eq!(inbox.status, 200);
    // Returning names who received the result.
    let r = desk.act(&code, &[("action", "return_result"), ("receiver", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("href=\"#return_result-receiver\""));
    let r = desk
        .act(
            &code,
            &[
                ("action", "return_result"),
                ("receiver", "Nguyễn Thị Lan, CCCD"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let token = app.token("chuyenvien1").await;
    let (status, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(view["status"]["code"], 10, "{view}");
    let (_, events) = app
        .get_as(&format!("/api/v1/dossiers/{code}/events"), Some(&token))
        .await;
    assert!(
        events.to_string().contains("Người nhận kết quả: Nguyễn Thị Lan, CCCD"),
        "{events}"
    );
    // The control sheet lists the three steps with hand-over times and verdicts.
    let sheet = specialist.get(&format!("/can-bo/ho-so/{code}/phieu-kiem-soat")).await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.body.matches("<tr data-stint>").count(), 3, "{}", sheet.body);
    assert!(sheet.body.contains("forms/06.pdf"));
}

#[tokio::test]
async fn counter_intake_creates_a_dossier_with_its_receipt() {
    let app = spawn_app_with_files().await;
    let mut desk = Officer::signed_in(&app, "tiepnhan1").await;
    let search = desk.get("/can-bo/tiep-nhan?q=khai+sinh").await;
    assert_eq!(search.status, 200);
    assert!(search.body.contains("data-procedure=\"1.001193\""), "{}", search.body);
    let form = desk.get("/can-bo/tiep-nhan?thu_tuc=1.001193").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let key_at = form.body.find("name=\"key\" value=\"").unwrap() + 18;
    let key = form.body[key_at..key_at + form.body[key_at..].find('"').unwrap()].to_string();
    let docs = form.body.matches("data-doc=\"").count();
    assert!(docs > 0);
    let ticks: Vec<String> = (0..docs).map(|i| format!("received{i}")).collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("procedure", "1.001193"),
        ("key", &key),
        ("unit", "23575"),
        ("name", "Trần Văn Bình"),
        ("personal_id", "064190012399"),
        ("birth_date", "1985-01-01"),
        ("phone", "0912345678"),
        ("address", "12 Hùng Vương, Pleiku"),
    ];
    for t in &ticks {
        fields.push((t.as_str(), "1"));
    }
    // A personal id that does not match the birth date: the form comes back with the error.
    let bad = desk.post_multipart("/can-bo/tiep-nhan", &fields, &[]).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("href=\"#personal_id\"") && bad.body.contains("Trần Văn Bình"));
    fields.retain(|(k, _)| *k != "birth_date");
    fields.push(("birth_date", "1990-03-04"));
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let r = desk
        .post_multipart("/can-bo/tiep-nhan", &fields, &[("file0", "to-khai.pdf", pdf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let code = r
        .location
        .strip_prefix("/can-bo/tiep-nhan/bien-nhan/")
        .unwrap()
        .to_string();
    assert!(is_dossier_code(&code), "{code}");
    assert!(!r.location.contains("064190012399"));
    // Sending the same form twice makes one dossier.
    let again = desk
        .post_multipart("/can-bo/tiep-nhan", &fields, &[("file0", "to-khai.pdf", pdf)])
        .await;
    assert_eq!(again.location, r.location);
    let receipt = desk.get(&r.location).await;
    assert_eq!(receipt.status, 200);
    assert!(receipt.body.contains(&code) && receipt.body.contains("forms/01.pdf"));
    assert!(receipt.body.contains("data-appointment>") && !receipt.body.contains("data-appointment>—"));
    let token = app.token("chuyenvien1").await;
    let (status, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(view["status"]["code"], 4, "received on the spot and processing: {view}");
    let (_, docs) = app
        .get_as(&format!("/api/v1/dossiers/{code}/documents"), Some(&token))
        .await;
    assert_eq!(docs["items"].as_array().map(Vec::len), Some(1), "{docs}");
    let state = app.state.engine().state(&code).await.unwrap();
    assert!(state.digitised_components, "the scan counts for QĐ 766 4.2");
    // The competent unit finds it by personal id, sent in a POST body; the page shows it masked.
    let mut specialist = Officer::signed_in(&app, "chuyenvien1").await;
    let csrf = specialist.get("/can-bo").await.csrf();
    let found = specialist
        .post("/can-bo/tim-kiem", &[("csrf", &csrf), ("q", "0641 9001 2399")])
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(found.listed(), vec![code.clone()]);
    let page = specialist.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(
        page.body.contains("/can-bo/ho-so/") && page.body.contains("/tai-lieu/1"),
        "{}",
        page.body
    );
    let file = specialist.get(&format!("/can-bo/ho-so/{code}/tai-lieu/1")).await;
    assert_eq!(file.status, 200);
    assert!(file.body.starts_with("%PDF"));
}

#[tokio::test]
async fn counter_intake_looks_the_applicant_up_in_the_population_registry() {
    let app = spawn_app().await;
    let mut desk = Officer::signed_in(&app, "tiepnhan1").await;
    let form = desk.get("/can-bo/tiep-nhan?thu_tuc=1.001193").await;
    assert!(form.body.contains("data-lookup"), "{}", form.body);
    let csrf = form.csrf();
    let key_at = form.body.find("name=\"key\" value=\"").unwrap() + 18;
    let key = form.body[key_at..key_at + form.body[key_at..].find('"').unwrap()].to_string();
    let base: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("procedure", "1.001193"),
        ("key", &key),
        ("unit", "23575"),
        ("name", ""),
        ("birth_date", ""),
        ("phone", ""),
        ("address", ""),
    ];
    // An unknown number: the form says so, nothing is prefilled.
    let mut fields = base.clone();
    fields.extend([("personal_id", "064190099999"), ("action", "lookup")]);
    let r = desk.post_multipart("/can-bo/tiep-nhan", &fields, &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("href=\"#personal_id\"") && !r.body.contains("data-verified"));
    // A known number: name, birth date and residence come from the registry.
    let mut fields = base.clone();
    fields.extend([("personal_id", CONGDAN1_ID), ("action", "lookup")]);
    let r = desk.post_multipart("/can-bo/tiep-nhan", &fields, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("data-looked-up") && r.body.contains("data-verified"));
    assert!(r.body.contains("value=\"Nguyễn Thị Lan\"") && r.body.contains("value=\"1990-03-14\""));
    assert!(r.body.contains("name=\"verified\" value=\"1\""));
    // Both look-ups are logged with the officer, masked.
    let admin = app.token("quantri").await;
    let (_, audit) = app
        .get_as("/api/v1/audit?action=population.lookup&per_page=50", Some(&admin))
        .await;
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{audit}");
    assert!(items.iter().all(|i| i["actor"] == "tiepnhan1"));
    assert!(!audit.to_string().contains(CONGDAN1_ID));
    // Submitted after the look-up, the dossier records the identity as verified.
    let mut fields = base.clone();
    fields.retain(|(k, _)| !matches!(*k, "name" | "birth_date"));
    fields.extend([
        ("personal_id", CONGDAN1_ID),
        ("name", "Nguyễn Thị Lan"),
        ("birth_date", "1990-03-14"),
        ("verified", "1"),
    ]);
    let r = desk.post_multipart("/can-bo/tiep-nhan", &fields, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!r.location.contains(CONGDAN1_ID));
    let code = r.location.strip_prefix("/can-bo/tiep-nhan/bien-nhan/").unwrap();
    let token = app.token("chuyenvien1").await;
    let (_, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(view["identity_verified"], true, "{view}");
    // Without a look-up the same intake is not recorded as verified.
    let form = desk.get("/can-bo/tiep-nhan?thu_tuc=1.001193").await;
    let csrf = form.csrf();
    let fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("procedure", "1.001193"),
        ("unit", "23575"),
        ("name", "Nguyễn Thị Lan"),
        ("personal_id", CONGDAN1_ID),
        ("birth_date", "1990-03-14"),
    ];
    let r = desk.post_multipart("/can-bo/tiep-nhan", &fields, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let code = r.location.strip_prefix("/can-bo/tiep-nhan/bien-nhan/").unwrap();
    let (_, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(view["identity_verified"], false, "{view}");
    // Only counter officers look up at the counter.
    let mut specialist = Officer::signed_in(&app, "chuyenvien1").await;
    let csrf = specialist.get("/can-bo").await.csrf();
    let r = specialist
        .post_multipart(
            "/can-bo/tiep-nhan",
            &[
                ("csrf", &csrf),
                ("procedure", "1.001193"),
                ("personal_id", CONGDAN1_ID),
                ("action", "lookup"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn page_counts_equal_the_api_inbox() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    for _ in 0..2 {
        app.counter_dossier(&counter).await;
    }
    online_dossier(&app).await;
    for user in ["chuyenvien1", "tiepnhan1", "lanhdao1", "chuyenvien2"] {
        let mut officer = Officer::signed_in(&app, user).await;
        let page = officer.get("/can-bo").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let token = app.token(user).await;
        let (status, api) = app.get_as("/api/v1/inbox", Some(&token)).await;
        assert_eq!(status, 200, "{api}");
        let api_counts: BTreeMap<String, i64> = api["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["queue"].as_str().unwrap().replace('_', "-"),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect();
        let page_counts = page.queue_counts();
        assert_eq!(page_counts.len(), 8, "{page_counts:?}");
        // The page's slugs name the same queues (the approval queue is `cho_ky` in the API).
        for (slug, n) in &page_counts {
            let api_name = match slug.as_str() {
                "cho-phe-duyet" => "cho-ky",
                s => s,
            };
            assert_eq!(api_counts.get(api_name), Some(n), "{user}: {slug}");
        }
    }
}
