//! The citizen portal's pages through HTTP, as a browser without JavaScript uses them: cookies
//! kept by hand, redirects not followed, forms posted with their CSRF token.

use std::collections::BTreeMap;

use super::*;

/// A browser: its own cookie jar, redirects shown rather than followed.
struct Browser {
    base: String,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The CSRF token of the page's form.
    fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        self.body[start..start + 64].to_string()
    }
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = if self.cookies.is_empty() {
            req
        } else {
            req.header("cookie", self.cookie_header())
        };
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        for value in headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), val.to_string());
            }
        }
        Page {
            status,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// A `multipart/form-data` POST: text fields and (field, file name, bytes) files.
    async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Page {
        let boundary = "----motcua-test-boundary-7d1f";
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

    /// Signs in through the form; the page after the redirect.
    async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/dang-nhap").await;
        let csrf = form.csrf();
        self.post(
            "/dang-nhap",
            &[("username", username), ("password", password), ("csrf", &csrf)],
        )
        .await
    }
}

fn assert_portal_page(page: &Page, lang: &str, what: &str) {
    assert!(
        page.body.starts_with("<!DOCTYPE html>") && page.body.contains(&format!("<html lang=\"{lang}\"")),
        "{what}: {}",
        &page.body[..page.body.len().min(300)]
    );
    assert!(page.header("content-type").starts_with("text/html"), "{what}");
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{what}: {csp}"
    );
    assert_eq!(page.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(page.header("x-frame-options"), "DENY", "{what}");
    assert!(!page.header("referrer-policy").is_empty(), "{what}");
    // Nothing inline that the policy would block.
    assert!(!page.body.contains(" style=\""), "{what}: inline style");
    assert!(!page.body.contains("<script>"), "{what}: inline script");
    assert!(page.body.contains("href=\"#main\""), "{what}: skip link");
    assert!(page.body.contains("<main id=\"main\""), "{what}: main landmark");
}

#[tokio::test]
async fn every_page_renders_in_vietnamese_with_security_headers() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    for path in [
        "/",
        "/thu-tuc",
        "/thu-tuc?q=khai+sinh",
        "/thu-tuc/1.001193",
        "/tra-cuu",
        "/tro-ly-ao",
        "/dang-nhap",
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_portal_page(&page, "vi", path);
        assert!(page.body.contains("Cổng dịch vụ công tỉnh Gia Lai"), "{path}");
    }
    // The home page has a labelled search box and the most used procedures.
    let home = b.get("/").await;
    assert!(home.body.contains("<label for=\"home-q\""), "{}", home.body);
    assert!(home.body.contains("href=\"/thu-tuc/1.001193\""), "{}", home.body);
    assert!(home.body.contains("/thu-tuc?level=commune"));
}

#[tokio::test]
async fn english_by_query_is_remembered_in_a_cookie() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let page = b.get("/thu-tuc/1.001193?lang=en").await;
    assert_eq!(page.status, 200);
    assert_portal_page(&page, "en", "english procedure page");
    assert!(page.body.contains("Gia Lai Province Public Service Portal"));
    assert!(page.body.contains("Apply online"), "online submission button");
    assert_eq!(b.cookies.get("mc_lang").map(String::as_str), Some("en"));
    // Remembered on the next page; the switch leads back to Vietnamese.
    let home = b.get("/").await;
    assert_portal_page(&home, "en", "english home");
    assert!(home.body.contains("href=\"/?lang=vi\""), "{}", home.body);
    let back = b.get("/?lang=vi").await;
    assert_portal_page(&back, "vi", "back to vietnamese");
}

#[tokio::test]
async fn search_with_and_without_diacritics_filters_and_pages() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    for q in ["đăng+ký+khai+sinh", "dang+ky+khai+sinh"] {
        let page = b.get(&format!("/thu-tuc?q={q}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("href=\"/thu-tuc/1.001193\""), "{q}");
    }
    let all = b.get("/thu-tuc").await;
    assert!(
        all.body.contains("rel=\"next\""),
        "the whole catalogue has several pages"
    );
    let second = b.get("/thu-tuc?page=2").await;
    assert!(second.body.contains("rel=\"prev\""));
    let commune = b.get("/thu-tuc?level=commune&q=khai+sinh").await;
    assert!(
        commune.body.contains("<option value=\"commune\" selected>"),
        "{}",
        commune.body
    );
    assert!(commune.body.contains("href=\"/thu-tuc/1.001193\""));
    let province = b.get("/thu-tuc?level=province&q=khai+sinh").await;
    assert!(
        !province.body.contains("href=\"/thu-tuc/1.001193\""),
        "a commune procedure"
    );
    // Bad parameters never fail the page.
    let odd = b.get("/thu-tuc?page=999999&level=nowhere").await;
    assert_eq!(odd.status, 200);
}

#[tokio::test]
async fn unknown_pages_are_readable_html_and_the_api_keeps_json() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let page = b.get("/thu-tuc/9.999999").await;
    assert_eq!(page.status, 404);
    assert_portal_page(&page, "vi", "404");
    assert!(page.body.contains("Không tìm thấy trang"));
    let page = b.get("/khong-co-trang-nay").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("<html lang=\"vi\""));
    let api = b.get("/api/v1/khong-co").await;
    assert_eq!(api.status, 404);
    assert!(api.header("content-type").starts_with("application/json"));
    // The stylesheet and script are cached for a year under a content-hashed name.
    let home = b.get("/").await;
    let start = home.body.find("href=\"/static/app.").unwrap() + 6;
    let css = &home.body[start..start + home.body[start..].find('"').unwrap()];
    let asset = b.get(css).await;
    assert_eq!(asset.status, 200, "{css}");
    assert!(asset.header("cache-control").contains("immutable"));
    assert!(asset.header("content-type").starts_with("text/css"));
    assert_eq!(b.get("/static/app.0000.css").await.status, 404);
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    // No token cookie at all.
    let page = b
        .post("/dang-nhap", &[("username", "congdan1"), ("password", "demo")])
        .await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("<html lang=\"vi\""));
    // A token cookie, but the form carries another token.
    let form = b.get("/dang-nhap").await;
    assert!(b.cookies.contains_key("mc_csrf"));
    let wrong = "0".repeat(64);
    let page = b
        .post(
            "/dang-nhap",
            &[("username", "congdan1"), ("password", "demo"), ("csrf", &wrong)],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(!b.cookies.contains_key("mc_sid"));
    let page = b.post("/tro-ly-ao", &[("question", "khai sinh"), ("csrf", "")]).await;
    assert_eq!(page.status, 403);
    // The right token works.
    let page = b
        .post(
            "/dang-nhap",
            &[("username", "congdan1"), ("password", "demo"), ("csrf", &form.csrf())],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    // Signed in, the session's own token is required: the visitor token no longer counts.
    let visitor_token = form.csrf();
    let page = b.post("/dang-xuat", &[("csrf", &visitor_token)]).await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn sign_in_success_failure_sign_out_and_rate_limit() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let page = b.sign_in("congdan1", "wrong").await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("error-summary") && page.body.contains("href=\"#username\""));
    assert!(page.body.contains("<title>Lỗi:"), "the title says there is an error");
    assert!(!b.cookies.contains_key("mc_sid"));

    let page = b.sign_in("congdan1", "demo").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/ca-nhan");
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("mc_sid="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP in tests: {cookie}");
    let mine = b.get("/ca-nhan").await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("Test congdan1"));
    assert!(mine.header("cache-control").contains("no-store"));

    let csrf = mine.csrf();
    let out = b.post("/dang-xuat", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert!(!b.cookies.contains_key("mc_sid"));
    let again = b.get("/ca-nhan").await;
    assert_eq!(again.status, 303);
    assert_eq!(again.location(), "/dang-nhap?next=%2Fca-nhan");

    // Behind HTTPS (a proxy says so) the cookie is Secure.
    let form = b.get("/dang-nhap").await;
    let req = b
        .client
        .post(format!("{}/dang-nhap", b.base))
        .header("x-forwarded-proto", "https")
        .form(&[("username", "congdan2"), ("password", "demo"), ("csrf", &form.csrf())]);
    let page = b.send(req).await;
    assert_eq!(page.status, 303);
    assert!(page.header("set-cookie").contains("Secure"));

    // Five wrong passwords for one account from one address: then even the right one waits.
    let mut limited = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(limited.sign_in("congdan1", "nope").await.status, 401);
    }
    let page = limited.sign_in("congdan1", "demo").await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("15"), "{}", page.body);
    // Another account from the same address is not affected.
    assert_eq!(limited.sign_in("congdan2", "demo").await.status, 303);
}

#[tokio::test]
async fn status_look_up_shows_the_public_view_only() {
    let app = spawn_app().await;
    let citizen = app.token("congdan1").await;
    let body = json!({
        "procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID, "birth_date": "1990-05-01",
            "phone": "0912345678", "email": "lan@example.vn", "address": "12 Hùng Vương"}
    });
    let (status, sub) = app.submit(&citizen, None, &body).await;
    assert_eq!(status, 201, "{sub}");
    let code = sub["MaHoSo"].as_str().unwrap().to_string();
    let counter = app.token("tiepnhan1").await;
    app.act_ok(&counter, &code, "accept", "").await;

    let mut b = Browser::new(&app);
    let page = b.get(&format!("/tra-cuu?ma={code}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_portal_page(&page, "vi", "tra-cuu");
    assert!(page.body.contains(&code));
    assert!(
        page.body.contains("Đã tiếp nhận") || page.body.contains("Đang xử lý"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Ngày hẹn trả"));
    for secret in [
        "Nguyễn Thị Lan",
        CONGDAN1_ID,
        "0912345678",
        "lan@example.vn",
        "Hùng Vương",
        "1990",
    ] {
        assert!(!page.body.contains(secret), "{secret} shown on the public page");
    }
    // Lower-case level letter, as people type it.
    let lower = b.get(&format!("/tra-cuu?ma={}", code.to_lowercase())).await;
    assert_eq!(lower.status, 200);

    let bad = b.get("/tra-cuu?ma=abc").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("error-summary") && bad.body.contains("href=\"#ma\""));
    assert!(bad.body.contains("aria-invalid=\"true\"") && bad.body.contains("ma-error"));
    let unknown = b.get("/tra-cuu?ma=000.00.12.H21-200101-9999").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("<html lang=\"vi\""));
}

#[tokio::test]
async fn assistant_page_answers_without_javascript() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let page = b.get("/tro-ly-ao").await;
    let csrf = page.csrf();
    let answer = b
        .post(
            "/tro-ly-ao",
            &[("question", "làm giấy khai sinh cần gì"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("1.001193"), "{}", answer.body);
    let widget = b.get("/tro-ly-ao?q=lam+giay+khai+sinh+can+gi").await;
    assert!(widget.body.contains("1.001193"));
    let empty = b.post("/tro-ly-ao", &[("question", "  "), ("csrf", &csrf)]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("href=\"#question\""));
    // The widget is on the other pages, labelled, and posts nowhere without a token.
    let home = b.get("/").await;
    assert!(home.body.contains("<label for=\"chat-widget-q\""));
}

#[tokio::test]
async fn online_submission_journey_through_http() {
    let app = spawn_app_with_files().await;
    let mut b = Browser::new(&app);
    // Signing in is required, and comes back to the form.
    let page = b.get("/nop-ho-so/1.001193").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/dang-nhap?next=%2Fnop-ho-so%2F1.001193");
    let form = b.get(page.location()).await;
    let page = b
        .post(
            "/dang-nhap",
            &[
                ("username", "congdan1"),
                ("password", "demo"),
                ("csrf", &form.csrf()),
                ("next", "/nop-ho-so/1.001193"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/nop-ho-so/1.001193");

    // The form is prefilled from the account.
    let form = b.get("/nop-ho-so/1.001193").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert_portal_page(&form, "vi", "submission form");
    assert!(form.body.contains("value=\"Test congdan1\""));
    assert!(form.body.contains(&format!("value=\"{CONGDAN1_ID}\"")));
    assert!(form.body.contains("<option value=\"23575\""), "the commune is offered");
    let csrf = form.csrf();

    // Errors: no unit, a bad phone, a file that is not a PDF or image.
    let page = b
        .post_multipart(
            "/nop-ho-so/1.001193",
            &[
                ("csrf", &csrf),
                ("action", "continue"),
                ("name", "Nguyễn Thị Lan"),
                ("phone", "12"),
            ],
            &[("doc0", "note.txt", b"just text")],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    for anchor in ["href=\"#unit\"", "href=\"#phone\"", "href=\"#doc0\""] {
        assert!(page.body.contains(anchor), "{anchor}");
    }

    // A draft is saved and resumed.
    let page = b
        .post_multipart(
            "/nop-ho-so/1.001193",
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("unit", "23575"),
                ("name", "Nguyễn Thị Lan"),
                ("personal_id", CONGDAN1_ID),
                ("birth_date", "1990-05-01"),
                ("phone", "0912 345 678"),
            ],
            &[("doc0", "to-khai.pdf", b"%PDF-1.4 test form\n%%EOF")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let resumed = b.get(page.location()).await;
    assert!(resumed.body.contains("Đã lưu bản nháp"));
    assert!(resumed.body.contains("value=\"0912 345 678\""));
    assert!(resumed.body.contains("to-khai.pdf"));

    // Continue → check answers → send.
    let page = b
        .post_multipart(
            "/nop-ho-so/1.001193",
            &[
                ("csrf", &csrf),
                ("action", "continue"),
                ("unit", "23575"),
                ("name", "Nguyễn Thị Lan"),
                ("personal_id", CONGDAN1_ID),
                ("birth_date", "1990-05-01"),
                ("phone", "0912 345 678"),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), "/nop-ho-so/1.001193/kiem-tra");
    let check = b.get(page.location()).await;
    assert_eq!(check.status, 200);
    assert!(check.body.contains("Nguyễn Thị Lan") && check.body.contains("to-khai.pdf"));
    let sent = b.post("/nop-ho-so/1.001193/kiem-tra", &[("csrf", &check.csrf())]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let done_url = sent.location().to_string();
    assert!(done_url.starts_with("/nop-ho-so/1.001193/da-nop?ma="), "{done_url}");
    let code = done_url.rsplit('=').next().unwrap().to_string();
    assert!(is_dossier_code(&code), "{code}");

    // Confirmation: the code, a QR code to the status page, what happens next.
    let done = b.get(&done_url).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains(&code));
    assert!(done.body.contains("<svg role=\"img\""));
    assert!(done.body.contains(&format!("/tra-cuu?ma={code}")));
    assert!(done.body.contains("to-khai.pdf"), "the uploaded file was attached");
    assert!(done
        .body
        .contains("Ngày hẹn trả kết quả được ghi khi cơ quan tiếp nhận"));
    assert!(
        done.body
            .contains(&format!("href=\"/api/v1/dossiers/{code}/forms/01.pdf\"")),
        "the receipt is linked"
    );

    // Sending again makes no second dossier.
    let again = b.post("/nop-ho-so/1.001193/kiem-tra", &[("csrf", &check.csrf())]).await;
    assert_eq!(again.location(), "/ca-nhan");
    let mine = b.get("/ca-nhan").await;
    assert_eq!(mine.body.matches("/tra-cuu?ma=").count(), 1, "{}", mine.body);
    assert!(mine.body.contains(&code));

    // The dossier is the citizen's own, online, waiting for the counter, with its document.
    let token = app.token("congdan1").await;
    let (status, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(view["channel"], 2, "{view}");
    assert_eq!(view["status"]["code"], 1, "{view}");
    assert_eq!(view["applicant"]["phone"], "0912345678", "{view}");
    assert_eq!(view["eid_level"], 0, "a password sign-in is not an e-ID: {view}");
    let (status, docs) = app
        .get_as(&format!("/api/v1/dossiers/{code}/documents"), Some(&token))
        .await;
    assert_eq!(status, 200, "{docs}");
    assert_eq!(docs["items"].as_array().map(Vec::len), Some(1), "{docs}");

    // Someone else cannot see the confirmation.
    let mut other = Browser::new(&app);
    other.sign_in("congdan2", "demo").await;
    assert_eq!(other.get(&done_url).await.status, 404);
}

/// Fills and sends the online form of procedure 1.001193 for the signed-in citizen, with the
/// given document fields; returns the new dossier's code.
async fn submit_online(b: &mut Browser, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> String {
    let form = b.get("/nop-ho-so/1.001193").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.csrf();
    let mut all = vec![
        ("csrf", csrf.as_str()),
        ("action", "continue"),
        ("unit", "23575"),
        ("name", "Nguyễn Thị Lan"),
        ("personal_id", CONGDAN1_ID),
        ("birth_date", "1990-05-01"),
    ];
    all.extend_from_slice(fields);
    let page = b.post_multipart("/nop-ho-so/1.001193", &all, files).await;
    assert_eq!(page.location(), "/nop-ho-so/1.001193/kiem-tra", "{}", page.body);
    let check = b.get(page.location()).await;
    let sent = b.post("/nop-ho-so/1.001193/kiem-tra", &[("csrf", &check.csrf())]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    sent.location().rsplit('=').next().unwrap().to_string()
}

/// A paper may reuse a document of the citizen's earlier dossier instead of a new upload; the
/// dossier then records (in its log, hence the index) that its papers were digitised and reused.
#[tokio::test]
async fn earlier_documents_are_reused_and_recorded_for_the_index() {
    let app = spawn_app_with_files().await;
    let mut b = Browser::new(&app);
    b.sign_in("congdan1", "demo").await;
    let first = submit_online(&mut b, &[], &[("doc0", "to-khai.pdf", b"%PDF-1.4 first form\n%%EOF")]).await;
    let state = app.state.engine().state(&first).await.unwrap();
    assert!(state.digitised_components && !state.reused_data, "{state:?}");

    // The form offers the earlier document for every paper.
    let form = b.get("/nop-ho-so/1.001193").await;
    let key = format!("{first}#1");
    assert!(
        form.body.contains(&format!("<option value=\"{key}\">to-khai.pdf")),
        "{}",
        form.body
    );
    assert!(form.body.contains("<label for=\"reuse0\""));
    assert_portal_page(&form, "vi", "submission form with earlier documents");

    // A document that is not the citizen's is refused at the edge.
    let page = b
        .post_multipart(
            "/nop-ho-so/1.001193",
            &[
                ("csrf", &form.csrf()),
                ("action", "continue"),
                ("reuse0", "G22.999-991231-0001#1"),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("href=\"#doc0\""));

    // Reused: listed on the check page, attached as reused, recorded on the dossier.
    let second = submit_online(&mut b, &[("reuse0", &key)], &[]).await;
    assert_ne!(first, second);
    // Once the counter accepts it, the confirmation shows the due date.
    let counter = app.token("tiepnhan1").await;
    app.act_ok(&counter, &second, "accept", "").await;
    let done = b.get(&format!("/nop-ho-so/1.001193/da-nop?ma={second}")).await;
    let state = app.state.engine().state(&second).await.unwrap();
    let due = motcua_web::pages::datetime(state.appointment.as_ref().expect("an appointment after acceptance"));
    assert!(done.body.contains(&format!("<strong>{due}</strong>")), "{}", done.body);
    assert!(state.digitised_components && state.reused_data, "{state:?}");
    let token = app.token("congdan1").await;
    let (status, docs) = app
        .get_as(&format!("/api/v1/dossiers/{second}/documents"), Some(&token))
        .await;
    assert_eq!(status, 200, "{docs}");
    assert_eq!(docs["items"].as_array().map(Vec::len), Some(1), "{docs}");
    assert_eq!(docs["items"][0]["reused"], true, "{docs}");
    assert_eq!(docs["items"][0]["file_name"], "to-khai.pdf", "{docs}");

    // Another citizen is not offered congdan1's documents.
    let mut other = Browser::new(&app);
    other.sign_in("congdan2", "demo").await;
    let form = other.get("/nop-ho-so/1.001193").await;
    assert!(!form.body.contains(&key) && !form.body.contains("reuse0"));
}

/// Signed in with a level-2 e-ID, the form is prefilled from the population registry and the
/// look-up is logged (masked); with a password it is not looked up at all.
#[tokio::test]
async fn a_level_two_e_id_prefills_the_form_from_the_population_registry() {
    let app = spawn_app_with_files().await;
    let record = app
        .state
        .store()
        .citizen(CONGDAN1_ID)
        .await
        .unwrap()
        .expect("congdan1 in the registry");
    let mut b = Browser::new(&app);
    b.sign_in("congdan1", "demo").await;
    let form = b.get("/nop-ho-so/1.001193").await;
    assert!(
        !form.body.contains(&record.permanent_residence),
        "a password is not an e-ID"
    );
    assert!(app.state.store().population_lookups(10).await.unwrap().is_empty());

    let (user, _) = app.state.store().user_credentials("congdan1").await.unwrap().unwrap();
    let cookie = motcua_web::pages::session::sign_in(&app.state, &user, 2, false)
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    let (name, value) = cookie
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap();
    b.cookies.insert(name.to_string(), value.to_string());
    let form = b.get("/nop-ho-so/1.001193").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let address = record
        .current_residence
        .clone()
        .unwrap_or(record.permanent_residence.clone());
    assert!(form.body.contains(&format!("value=\"{address}\"")), "{}", form.body);
    assert!(form
        .body
        .contains(&format!("value=\"{}\"", record.birth_date.format("%Y-%m-%d"))));
    let log = app.state.store().population_lookups(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, "congdan1");
    assert!(!log[0].pid_masked.contains(CONGDAN1_ID));
    // A citizen never looks up a number through the officers' path, and not their own record
    // after a password sign-in.
    let own = motcua_engine::population::LookupRequest {
        personal_id: CONGDAN1_ID.into(),
        dossier: None,
        purpose: "x".into(),
    };
    assert!(matches!(
        app.state.engine().lookup_citizen(&user, &own).await,
        Err(motcua_engine::EngineError::Forbidden(_))
    ));
    assert!(matches!(
        app.state.engine().lookup_own_record(&user, 0, "x").await,
        Err(motcua_engine::EngineError::Forbidden(_))
    ));
}

/// Upload fields only for papers handed in; papers to show and notes are listed, not uploaded.
#[tokio::test]
async fn documents_split_into_papers_to_hand_in_to_show_and_notes() {
    let app = spawn_app_with_files().await;
    let mut b = Browser::new(&app);
    b.sign_in("congdan1", "demo").await;
    let form = b.get("/nop-ho-so/1.001193").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let inputs = form.body.matches("type=\"file\"").count();
    let labels: Vec<&str> = form
        .body
        .split("<label for=\"doc")
        .skip(1)
        .map(|l| &l[..l.find("</label>").unwrap_or(0)])
        .collect();
    // Four papers of "Giấy tờ phải nộp" with a count, and the two declaration forms.
    assert_eq!(inputs, 6, "{labels:#?}");
    assert!(labels.iter().any(|l| l.contains("<br>Giấy chứng sinh;")), "{labels:#?}");
    assert!(
        labels.iter().any(|l| l.contains("Tờ khai đăng ký khai sinh")),
        "{labels:#?}"
    );
    assert!(!labels.iter().any(|l| l.contains("xuất trình")), "{labels:#?}");
    // A paper to show is listed without a field, a note is a hint.
    let shown = form
        .body
        .find("<li>Hộ chiếu/Thẻ căn cước công dân")
        .expect("papers to show listed");
    let field_after = form.body[shown..].find("type=\"file\"");
    assert!(field_after.is_none(), "no upload field after the papers to show");
    assert!(form.body.contains("<summary>Lưu ý</summary>"));
    // An upload for a note's slot is ignored rather than stored.
    let csrf = form.csrf();
    let notes_index = (0..40)
        .find(|i| !form.body.contains(&format!("name=\"doc{i}\"")))
        .unwrap();
    let page = b
        .post_multipart(
            "/nop-ho-so/1.001193",
            &[("csrf", &csrf), ("action", "save")],
            &[(&format!("doc{notes_index}"), "x.pdf", b"%PDF-1.4 x\n%%EOF")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let resumed = b.get("/nop-ho-so/1.001193?saved=1").await;
    assert!(!resumed.body.contains("x.pdf"), "a file for a note is not kept");

    // The procedure page: the table holds the papers to hand in, the rest is listed apart.
    let proc = b.get("/thu-tuc/1.001193").await;
    assert_eq!(proc.status, 200);
    assert!(proc.body.contains("id=\"documents-shown\"") && proc.body.contains("id=\"documents-notes\""));
    let table = &proc.body[proc.body.find("aria-labelledby=\"documents\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), 1 + 6, "header row and six papers");
    assert!(!table.contains("<td>0</td>\n      <td>0</td>"), "no 0 / 0 rows");

    // aria-current: "true" for the section on the form, "page" on the list itself.
    assert!(form.body.contains("href=\"/thu-tuc\" aria-current=\"true\""));
    assert!(!form.body.contains("aria-current=\"page\""));
    let list = b.get("/thu-tuc").await;
    assert!(list.body.contains("href=\"/thu-tuc\" aria-current=\"page\""));
}

/// A dossier of congdan1 for 1.001193 at commune 23575, accepted (status 4).
async fn accepted_dossier(app: &TestApp) -> String {
    let citizen = app.token("congdan1").await;
    let counter = app.token("tiepnhan1").await;
    let body = json!({
        "procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID, "birth_date": "1990-05-01"}
    });
    let (status, sub) = app.submit(&citizen, None, &body).await;
    assert_eq!(status, 201, "{sub}");
    let code = sub["MaHoSo"].as_str().unwrap().to_string();
    app.act_ok(&counter, &code, "accept", "").await;
    code
}

/// The VNeID button appears on the sign-in page only when an OpenID Provider is configured.
#[tokio::test]
async fn vneid_sign_in_link_only_when_configured() {
    let plain = spawn_app().await;
    let page = Browser::new(&plain).get("/dang-nhap?next=/nop-ho-so/1.001193").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/dang-nhap/vneid"), "no provider, no button");

    let app = spawn_app_configured(false, |s| {
        s.oidc = Some(motcua_web::oidc::OidcSettings {
            issuer: "http://127.0.0.1:9/vneid".into(),
            client_id: "motcua".into(),
            client_secret: "secret".into(),
            redirect_url: "http://127.0.0.1/dang-nhap/vneid/callback".into(),
        })
    })
    .await;
    let mut b = Browser::new(&app);
    let page = b.get("/dang-nhap?next=/nop-ho-so/1.001193").await;
    assert!(
        page.body
            .contains("href=\"/dang-nhap/vneid?next=%2Fnop-ho-so%2F1.001193\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Đăng nhập bằng tài khoản định danh điện tử VNeID"));
    let page = b.get("/dang-nhap").await;
    assert!(page.body.contains("href=\"/dang-nhap/vneid?next=%2Fca-nhan\""));
}

/// Pay at status 6, rate at status 9 until rated, PAKN and the receipt always; only for the
/// applicant on the status page.
#[tokio::test]
async fn applicant_links_follow_the_status() {
    let app = spawn_app().await;
    let code = accepted_dossier(&app).await;
    let specialist = app.token("chuyenvien1").await;
    let (status, v) = app
        .act(
            &specialist,
            &code,
            &json!({"action": "request_payment", "amount_dong": 50000}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let pay = format!("href=\"/thanh-toan/{code}\"");
    let rate = format!("href=\"/danh-gia/{code}\"");
    let pakn = format!("href=\"/phan-anh-kien-nghi?ma={code}\"");
    let receipt = format!("href=\"/api/v1/dossiers/{code}/forms/01.pdf\"");

    let mut b = Browser::new(&app);
    b.sign_in("congdan1", "demo").await;
    let mine = b.get("/ca-nhan").await;
    assert_eq!(mine.status, 200);
    for link in [&pay, &pakn, &receipt] {
        assert!(mine.body.contains(link.as_str()), "{link}: {}", mine.body);
    }
    assert!(!mine.body.contains(&rate));
    // The receipt link works with the portal session (reads only); not for anyone else.
    let receipt_url = format!("/api/v1/dossiers/{code}/forms/01.pdf");
    let pdf = b.get(&receipt_url).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let status_page = b.get(&format!("/tra-cuu?ma={code}")).await;
    assert!(status_page.body.contains(&pay) && status_page.body.contains(&pakn));
    // Someone else looking the code up sees the public status only.
    let mut other = Browser::new(&app);
    let public = other.get(&format!("/tra-cuu?ma={code}")).await;
    assert_eq!(public.status, 200);
    assert!(!public.body.contains(&pay) && !public.body.contains(&pakn));
    assert_eq!(other.get(&receipt_url).await.status, 401);
    other.sign_in("congdan2", "demo").await;
    assert!(!other.get(&format!("/tra-cuu?ma={code}")).await.body.contains(&pay));
    assert_eq!(other.get(&receipt_url).await.status, 403);

    // Paid at the counter and finished: rate, until rated.
    let counter = app.token("tiepnhan1").await;
    let leader = app.token("lanhdao1").await;
    app.act_ok(&counter, &code, "pay", "").await;
    app.act_ok(&specialist, &code, "forward", "").await;
    app.act_ok(&leader, &code, "approve", "").await;
    app.act_ok(&specialist, &code, "finish", "").await;
    let mine = b.get("/ca-nhan").await;
    assert!(mine.body.contains(&rate) && !mine.body.contains(&pay), "{}", mine.body);
    let form = b.get(&format!("/danh-gia/{code}")).await;
    let rated = b
        .post(
            &format!("/danh-gia/{code}"),
            &[("csrf", &form.csrf()), ("rating", "hai_long")],
        )
        .await;
    assert!(rated.status < 400, "{}", rated.body);
    let mine = b.get("/ca-nhan").await;
    assert!(!mine.body.contains(&rate), "rated once: no more link");
    assert!(mine.body.contains(&pakn));
}

/// An officer asks for a paper through the API; the citizen sends it through the page; the
/// dossier is back in processing with the file attached.
#[tokio::test]
async fn supplement_round_trip_through_the_page() {
    let app = spawn_app_with_files().await;
    let code = accepted_dossier(&app).await;
    let page_url = format!("/ca-nhan/ho-so/{code}/bo-sung");
    let mut b = Browser::new(&app);
    b.sign_in("congdan1", "demo").await;
    // Nothing asked yet: the page sends the citizen to the status.
    let early = b.get(&page_url).await;
    assert_eq!(early.status, 303);
    assert!(!b.get("/ca-nhan").await.body.contains(&page_url));

    let specialist = app.token("chuyenvien1").await;
    let asked = "Giấy tờ cần bổ sung: Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh; nếu không có người làm chứng thì phải có giấy cam đoan về việc sinh.. Bản chụp bị mờ.";
    let v = app.act_ok(&specialist, &code, "request_supplement", asked).await;
    assert_eq!(v["status"]["code"], 5, "{v}");

    let mine = b.get("/ca-nhan").await;
    assert!(mine.body.contains(&format!("href=\"{page_url}\"")), "{}", mine.body);
    let form = b.get(&page_url).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert_portal_page(&form, "vi", "supplement form");
    assert!(form.body.contains("Bản chụp bị mờ."), "the request is shown");
    assert_eq!(
        form.body.matches("type=\"file\"").count(),
        1,
        "one slot: the paper asked for"
    );
    assert!(form.body.contains("<label for=\"file0\">Giấy chứng sinh;"));
    let csrf = form.csrf();

    // Someone else gets a 404; a wrong token is refused; nothing sent is an error.
    let mut other = Browser::new(&app);
    other.sign_in("congdan2", "demo").await;
    assert_eq!(other.get(&page_url).await.status, 404);
    let forged = b.post_multipart(&page_url, &[("csrf", "x")], &[]).await;
    assert_eq!(forged.status, 403);
    let empty = b.post_multipart(&page_url, &[("csrf", &csrf)], &[]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("error-summary") && empty.body.contains("href=\"#file0\""));
    let bad = b
        .post_multipart(&page_url, &[("csrf", &csrf)], &[("file0", "a.txt", b"plain text")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("href=\"#file0\""));
    let token = app.token("congdan1").await;
    let (_, still) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(still["status"]["code"], 5, "nothing half-done: {still}");

    // Sent: back to processing, the paper attached under the catalogue's name.
    let sent = b
        .post_multipart(
            &page_url,
            &[("csrf", &csrf), ("note", "Bản rõ hơn")],
            &[("file0", "giay-chung-sinh.pdf", b"%PDF-1.4 clear\n%%EOF")],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(sent.location(), format!("/tra-cuu?ma={code}"));
    let (_, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(view["status"]["code"], 4, "{view}");
    let (_, docs) = app
        .get_as(&format!("/api/v1/dossiers/{code}/documents"), Some(&token))
        .await;
    let items = docs["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{docs}");
    assert!(items[0].to_string().contains("giay-chung-sinh.pdf"), "{docs}");
    // Sending again is refused gracefully: the status page.
    let again = b.get(&page_url).await;
    assert_eq!(again.status, 303);
}

/// Withdrawal asks for confirmation, then withdraws through the engine.
#[tokio::test]
async fn withdraw_with_a_confirmation_step() {
    let app = spawn_app().await;
    let code = accepted_dossier(&app).await;
    let url = format!("/ca-nhan/ho-so/{code}/rut");
    let mut b = Browser::new(&app);
    b.sign_in("congdan1", "demo").await;
    assert!(b.get("/ca-nhan").await.body.contains(&format!("href=\"{url}\"")));
    let page = b.get(&format!("{url}?lang=en")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("I want to withdraw this dossier"), "{}", page.body);
    // The language is remembered: back to Vietnamese.
    let page = b.get(&format!("{url}?lang=vi")).await;
    assert_portal_page(&page, "vi", "withdraw");
    let csrf = page.csrf();
    assert_eq!(b.post(&url, &[("csrf", "bad"), ("confirm", "yes")]).await.status, 403);
    let unconfirmed = b.post(&url, &[("csrf", &csrf), ("reason", "Nộp nhầm")]).await;
    assert_eq!(unconfirmed.status, 422);
    assert!(unconfirmed.body.contains("href=\"#confirm\"") && unconfirmed.body.contains("Nộp nhầm"));
    let mut other = Browser::new(&app);
    other.sign_in("congdan2", "demo").await;
    let theirs = other.get(&url).await;
    assert_eq!(theirs.status, 404);

    let done = b
        .post(&url, &[("csrf", &csrf), ("reason", "Nộp nhầm"), ("confirm", "yes")])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let token = app.token("congdan1").await;
    let (_, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&token)).await;
    assert_eq!(view["status"]["code"], 7, "{view}");
    // Closed: no more withdraw link, the page goes to the status.
    assert!(!b.get("/ca-nhan").await.body.contains(&format!("href=\"{url}\"")));
    assert_eq!(b.get(&url).await.status, 303);
}
