//! Forms 01–06 (PDF) and the register 07 (Excel): who may print them and when they apply.

use super::*;

impl TestApp {
    /// Status, content type, content disposition and body bytes of a GET.
    async fn get_bytes(&self, path: &str, token: Option<&str>) -> (u16, String, String, Vec<u8>) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (ctype, disposition) = (header("content-type"), header("content-disposition"));
        (status, ctype, disposition, r.bytes().await.unwrap().to_vec())
    }

    /// A form that must be issued: its PDF bytes.
    async fn form_ok(&self, token: &str, code: &str, nn: &str) -> Vec<u8> {
        let (status, ctype, disposition, body) = self
            .get_bytes(&format!("/api/v1/dossiers/{code}/forms/{nn}.pdf"), Some(token))
            .await;
        assert_eq!(status, 200, "form {nn}: {}", String::from_utf8_lossy(&body));
        assert_eq!(ctype, "application/pdf");
        assert!(body.starts_with(b"%PDF-"), "form {nn}");
        assert!(disposition.contains(&format!("mau-{nn}-{code}.pdf")), "{disposition}");
        body
    }

    /// A form that must be refused with `expected` and a JSON error.
    async fn form_err(&self, token: Option<&str>, code: &str, file: &str, expected: u16) -> Value {
        let (status, body) = self
            .get_as(&format!("/api/v1/dossiers/{code}/forms/{file}"), token)
            .await;
        assert_error(status, &body, expected);
        body
    }
}

#[tokio::test]
async fn forms_are_for_the_applicant_and_the_units_concerned() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let other_unit = app.token("chuyenvien2").await;
    let citizen = app.token("congdan1").await;
    let other_citizen = app.token("congdan2").await;
    let body = json!({
        "procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID, "phone": "0987654321"}
    });
    let (status, sub) = app.submit(&citizen, None, &body).await;
    assert_eq!(status, 201, "{sub}");
    let code = sub["MaHoSo"].as_str().unwrap().to_string();
    app.act_ok(&counter, &code, "accept", "").await;

    app.form_err(None, &code, "01.pdf", 401).await;
    for (who, token) in [("congdan2", &other_citizen), ("chuyenvien2", &other_unit)] {
        let answer = app.form_err(Some(token), &code, "01.pdf", 403).await;
        assert!(!answer.to_string().contains("Nguyễn Thị Lan"), "{who}: {answer}");
    }
    // An online dossier in processing is no business of the counter any more.
    app.form_err(Some(&counter), &code, "01.pdf", 403).await;
    // The applicant and the competent unit get it; the counter gets those it received.
    let at_counter = app.counter_dossier(&counter).await;
    app.form_ok(&counter, &at_counter, "01").await;
    app.form_ok(&counter, &at_counter, "06").await;
    for token in [&citizen, &specialist] {
        let pdf = app.form_ok(token, &code, "01").await;
        assert!(pdf.len() > 5_000);
        // The personal id is not printed anywhere in the file (not even its metadata).
        assert!(!pdf.windows(CONGDAN1_ID.len()).any(|w| w == CONGDAN1_ID.as_bytes()));
    }
    app.form_ok(&specialist, &code, "06").await;
    // Unknown forms and files are 404; the register is not a dossier form.
    for file in ["07.pdf", "00.pdf", "01.txt", "01"] {
        app.form_err(Some(&specialist), &code, file, 404).await;
    }
    app.form_err(Some(&specialist), "000.00.12.H21-990101-0001", "01.pdf", 404)
        .await;
}

#[tokio::test]
async fn each_form_applies_only_in_its_state() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let leader = app.token("lanhdao1").await;
    let citizen = app.token("congdan1").await;

    // Received at the counter, in processing: receipt and control sheet only.
    let code = app.counter_dossier(&counter).await;
    for nn in ["02", "03", "04", "05"] {
        let body = app.form_err(Some(&specialist), &code, &format!("{nn}.pdf"), 409).await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("form {nn} does not apply")),
            "{body}"
        );
    }
    app.form_ok(&specialist, &code, "01").await;

    // 02 after a supplement request.
    app.act_ok(
        &specialist,
        &code,
        "request_supplement",
        "bản sao giấy chứng sinh; giấy kết hôn",
    )
    .await;
    app.form_ok(&specialist, &code, "02").await;
    app.act_ok(&counter, &code, "supplement", "đã nhận").await;

    // 04 after the apology and new date.
    let (status, view) = app.get_as(&format!("/api/v1/dossiers/{code}"), Some(&specialist)).await;
    assert_eq!(status, 200);
    let due = chrono::DateTime::parse_from_rfc3339(view["due"].as_str().unwrap()).unwrap();
    let new_due = (due + chrono::Duration::days(10)).to_rfc3339();
    let (status, body) = app
        .act(
            &specialist,
            &code,
            &json!({"action": "extend", "note": "cần xác minh thêm", "new_due": new_due}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.form_ok(&specialist, &code, "04").await;

    // 05 after a stop (by the leader, at the approval step).
    app.act_ok(&specialist, &code, "forward", "").await;
    app.form_err(Some(&leader), &code, "05.pdf", 409).await;
    app.act_ok(&leader, &code, "stop", "người nộp đề nghị dừng").await;
    app.form_ok(&leader, &code, "05").await;
    app.form_err(Some(&leader), &code, "03.pdf", 409).await;
    // The control sheet lists every hand-over; the leader's unit prints it too.
    app.form_ok(&leader, &code, "06").await;

    // 03 for a refused online dossier, which was never received: no receipt.
    let body = json!({"procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID}});
    let (status, sub) = app.submit(&citizen, None, &body).await;
    assert_eq!(status, 201, "{sub}");
    let refused = sub["MaHoSo"].as_str().unwrap().to_string();
    app.act_ok(&counter, &refused, "refuse", "không thuộc thẩm quyền").await;
    app.form_ok(&citizen, &refused, "03").await;
    app.form_err(Some(&citizen), &refused, "01.pdf", 409).await;
    app.form_err(Some(&citizen), &refused, "06.pdf", 409).await;
}

#[tokio::test]
async fn register_07_is_for_officers_of_the_unit() {
    use calamine::Reader;
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let other_unit = app.token("chuyenvien2").await;
    let citizen = app.token("congdan1").await;
    let a = app.counter_dossier(&counter).await;
    let b = app.counter_dossier(&counter).await;
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap());
    // Received after hours counts from the next working day: the period reaches past it.
    let day = today.format("%Y-%m-%d").to_string();
    let until = (today + chrono::Duration::days(10)).format("%Y-%m-%d").to_string();
    let path = format!("/api/v1/registers/07.xlsx?unit=23575&from={day}&to={until}");

    let (status, ..) = app.get_bytes(&path, None).await;
    assert_eq!(status, 401);
    for token in [&citizen, &other_unit] {
        let (status, body) = app.get_as(&path, Some(token)).await;
        assert_error(status, &body, 403);
    }
    let (status, ctype, disposition, bytes) = app.get_bytes(&path, Some(&specialist)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        ctype,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(disposition.contains("so-theo-doi-23575-"), "{disposition}");
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("So theo doi").unwrap();
    let codes: Vec<String> = range
        .rows()
        .skip(5)
        .map(|r| r.get(1).map(|c| c.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(codes, [a.clone(), b.clone()]);

    // The service centre's register holds what it received; bad periods are 422.
    let centre = format!("/api/v1/registers/07.xlsx?from={day}&to={until}");
    let (status, .., bytes) = app.get_bytes(&centre, Some(&counter)).await;
    assert_eq!(status, 200);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.worksheet_range("So theo doi").unwrap().rows().skip(5).count(), 2);
    let (status, body) = app
        .get_as(
            "/api/v1/registers/07.xlsx?from=2026-05-02&to=2026-05-01",
            Some(&specialist),
        )
        .await;
    assert_error(status, &body, 422);
    let (status, body) = app
        .get_as("/api/v1/registers/07.xlsx?from=hôm-qua", Some(&specialist))
        .await;
    assert_error(status, &body, 422);
    let (status, body) = app.get_as("/api/v1/registers/08.xlsx", Some(&specialist)).await;
    assert_error(status, &body, 404);
}
