//! Feedback and complaints (PAKN) through the pages: a citizen files one on the portal, the
//! service centre transfers it to the competent unit, a specialist answers, a leader publishes,
//! and the public list shows the answer without the sender's data. Access by unit and role, the
//! 15-working-day clock, and the audit trail.

use super::backoffice_pages::Officer;
use super::*;

/// The service centre of the test province (tiepnhan1's unit), where PAKN not about a dossier go.
const CENTRE: &str = "000.00.12.H21";

/// Files a PAKN item from the portal as an anonymous visitor: its tracking code.
async fn file_pakn(app: &TestApp, dossier: &str, subject: &str) -> String {
    let mut visitor = Officer::anonymous(app);
    let form = visitor.get("/phan-anh-kien-nghi").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let r = visitor
        .post(
            "/phan-anh-kien-nghi",
            &[
                ("csrf", &csrf),
                ("ma", dossier),
                ("name", "Hoàng Thị Mai"),
                ("contact", "0987 111 222"),
                ("subject", subject),
                (
                    "body",
                    "Tôi là Hoàng Thị Mai, số điện thoại 0987 111 222, nhà ở 5 Lê Lợi.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location
        .strip_prefix("/phan-anh-kien-nghi/da-gui?ma=")
        .expect("the confirmation page")
        .to_string()
}

async fn audit_actions(app: &TestApp, action: &str) -> Vec<Value> {
    let admin = app.token("quantri").await;
    let (status, audit) = app
        .get_as(&format!("/api/v1/audit?action={action}&per_page=50"), Some(&admin))
        .await;
    assert_eq!(status, 200, "{audit}");
    audit["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn pakn_is_transferred_answered_published_and_shown_without_personal_data() {
    let app = spawn_app().await;
    let code = file_pakn(&app, "", "Chậm cấp giấy khai sinh").await;
    let store = app.state.store();
    let filed = store.feedback(&code).await.unwrap().unwrap();
    assert_eq!(
        filed.unit.as_deref(),
        Some(CENTRE),
        "no dossier: the service centre receives it"
    );

    // The deadline: 15 working days of the work calendar, at least three calendar weeks.
    let calendar = app.state.engine().calendar();
    let created = motcua_store::dossiers::instant_from_ms(filed.created_at_ms).unwrap();
    let due = motcua_store::dossiers::instant_from_ms(filed.due_at_ms).unwrap();
    assert_eq!(
        calendar.working_minutes_between(created, due).unwrap(),
        15 * calendar.day_minutes(),
        "15 working days from filing"
    );
    // Counted day by day: the due date is the 15th working day after the filing date.
    let local =
        |t: chrono::DateTime<chrono::FixedOffset>| t.with_timezone(&motcua_domain::calendar::vietnam()).date_naive();
    let working_days = local(created)
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= local(due))
        .filter(|d| calendar.is_working_day(*d).unwrap())
        .count();
    assert_eq!(working_days, 15, "{created} → {due}");
    assert!(due - created >= chrono::Duration::days(18), "{created} → {due}");

    // Anonymous visitors sign in; citizens and officers of other units do not see it.
    let mut anon = Officer::anonymous(&app);
    let r = anon.get("/can-bo/phan-anh").await;
    assert_eq!(r.status, 303);
    assert!(r.location.starts_with("/dang-nhap?next="), "{}", r.location);
    let mut citizen = Officer::signed_in(&app, "congdan1").await;
    assert_eq!(citizen.get("/can-bo/phan-anh").await.status, 403);
    assert_eq!(citizen.get(&format!("/can-bo/phan-anh/{code}")).await.status, 403);
    let mut specialist = Officer::signed_in(&app, "chuyenvien1").await;
    let list = specialist.get("/can-bo/phan-anh").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(!list.body.contains(&code), "another unit's item is not listed");
    assert_eq!(specialist.get(&format!("/can-bo/phan-anh/{code}")).await.status, 404);

    // The centre lists it with the clock and opens it (a read of personal data, audited).
    let mut desk = Officer::signed_in(&app, "tiepnhan1").await;
    let list = desk.get("/can-bo/phan-anh").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&format!("data-pakn=\"{code}\"")), "{}", list.body);
    assert!(
        list.body.contains("còn 14 ngày") || list.body.contains("còn 15 ngày"),
        "the working-day clock: {}",
        list.body
    );
    let page = desk.get(&format!("/can-bo/phan-anh/{code}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Hoàng Thị Mai") && page.body.contains("0987 111 222"));
    assert!(audit_actions(&app, "feedback.view")
        .await
        .iter()
        .any(|e| e["target"] == code.as_str() && e["actor"] == "tiepnhan1"));

    // A transfer needs a unit and a reason; with both the item moves and keeps its deadline.
    let csrf = page.csrf();
    let url = format!("/can-bo/phan-anh/{code}/chuyen");
    let r = desk
        .post(&url, &[("csrf", &csrf), ("to_unit", "23575"), ("reason", "  ")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("error-summary") && r.body.contains("href=\"#reason\""));
    let r = desk
        .post(&url, &[("csrf", &csrf), ("to_unit", CENTRE), ("reason", "x")])
        .await;
    assert_eq!(r.status, 422, "not to itself");
    let r = desk
        .post(&url, &[("csrf", "wrong"), ("to_unit", "23575"), ("reason", "x")])
        .await;
    assert_eq!(r.status, 403, "CSRF");
    let reason = "Thuộc thẩm quyền UBND phường Pleiku";
    let r = desk
        .post(&url, &[("csrf", &csrf), ("to_unit", "23575"), ("reason", reason)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, "/can-bo/phan-anh?xong=chuyen");
    assert_eq!(desk.get(&format!("/can-bo/phan-anh/{code}")).await.status, 404);
    let moved = store.feedback(&code).await.unwrap().unwrap();
    assert_eq!(moved.unit.as_deref(), Some("23575"));
    assert_eq!(moved.due_at_ms, filed.due_at_ms, "a transfer keeps the deadline");
    let transfers = audit_actions(&app, "feedback.transfer").await;
    assert!(
        transfers
            .iter()
            .any(|e| e["target"] == code.as_str() && e["details"]["to"] == "23575" && e["details"]["reason"] == reason),
        "{transfers:?}"
    );

    // The competent unit now has it, with the transfer's history; another unit still does not.
    let list = specialist.get("/can-bo/phan-anh").await;
    assert!(list.body.contains(&code));
    let page = specialist.get(&format!("/can-bo/phan-anh/{code}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(reason));
    let mut other = Officer::signed_in(&app, "chuyenvien2").await;
    assert_eq!(other.get(&format!("/can-bo/phan-anh/{code}")).await.status, 404);
    let other_csrf = other.get("/can-bo/phan-anh").await.csrf();
    let r = other
        .post(
            &format!("/can-bo/phan-anh/{code}/tra-loi"),
            &[("csrf", &other_csrf), ("answer", "Không phải của chúng tôi")],
        )
        .await;
    assert_eq!(r.status, 404, "another unit cannot answer");

    // The specialist answers; publishing is a leader's decision.
    let csrf = page.csrf();
    let answer_url = format!("/can-bo/phan-anh/{code}/tra-loi");
    let r = specialist.post(&answer_url, &[("csrf", &csrf), ("answer", "")]).await;
    assert_eq!(r.status, 422);
    let answer = "Giấy khai sinh đã được cấp ngày 05/11; đề nghị đến nhận tại bộ phận một cửa.";
    let r = specialist
        .post(&answer_url, &[("csrf", &csrf), ("answer", answer)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, format!("/can-bo/phan-anh/{code}?xong=tra-loi"));
    let publish_url = format!("/can-bo/phan-anh/{code}/cong-khai");
    let question = "Thời gian cấp giấy khai sinh bị chậm";
    let r = specialist
        .post(
            &publish_url,
            &[("csrf", &csrf), ("question", question), ("confirm", "1")],
        )
        .await;
    assert_eq!(r.status, 403, "a specialist does not publish");
    let mut leader = Officer::signed_in(&app, "lanhdao1").await;
    let page = leader.get(&format!("/can-bo/phan-anh/{code}")).await;
    assert!(page.body.contains("name=\"confirm\""), "{}", page.body);
    let csrf = page.csrf();
    let r = leader
        .post(&publish_url, &[("csrf", &csrf), ("question", question)])
        .await;
    assert_eq!(r.status, 422, "the leader confirms there is no personal data");
    let r = leader
        .post(
            &publish_url,
            &[
                ("csrf", &csrf),
                ("question", "Bà Mai (0987 111 222) hỏi về giấy khai sinh"),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "the sender's contact is not published");
    assert!(r.body.contains("href=\"#question\""));
    let before = app.get_text("/phan-anh-kien-nghi/cong-khai", None).await.1;
    assert!(!before.contains(question), "nothing is public before publication");
    let r = leader
        .post(
            &publish_url,
            &[("csrf", &csrf), ("question", question), ("confirm", "1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let done = leader.get(&r.location).await;
    assert!(done.body.contains("data-status=\"published\""));
    // Published: the answer can no longer be changed.
    let r = specialist
        .post(&answer_url, &[("csrf", &csrf), ("answer", "Sửa")])
        .await;
    assert_eq!(r.status, 403, "the CSRF token is the leader's session's");
    let own_csrf = specialist.get("/can-bo/phan-anh").await.csrf();
    let r = specialist
        .post(&answer_url, &[("csrf", &own_csrf), ("answer", "Sửa")])
        .await;
    assert_eq!(r.status, 422);
    assert!(audit_actions(&app, "feedback.publish")
        .await
        .iter()
        .any(|e| e["target"] == code.as_str() && e["actor"] == "lanhdao1"));

    // The public list: the question as rewritten and the answer, nothing of the sender.
    let (status, public) = app.get_text("/phan-anh-kien-nghi/cong-khai", None).await;
    assert_eq!(status, 200);
    assert!(public.contains(question) && public.contains(answer), "{public}");
    for personal in ["Hoàng Thị Mai", "0987 111 222", "5 Lê Lợi", "Chậm cấp giấy khai sinh"] {
        assert!(!public.contains(personal), "{personal} is on the public page");
    }
    let (_, en) = app.get_text("/phan-anh-kien-nghi/cong-khai?lang=en", None).await;
    assert!(en.contains("Answers to feedback") && en.contains(answer));
}

#[tokio::test]
async fn pakn_about_a_dossier_goes_to_its_unit_and_shows_overdue() {
    let app = spawn_app().await;
    let counter = app.token("tiepnhan1").await;
    let dossier = app.counter_dossier(&counter).await;
    let code = file_pakn(&app, &dossier, "Hồ sơ chưa được giải quyết").await;
    let store = app.state.store();
    let item = store.feedback(&code).await.unwrap().unwrap();
    assert_eq!(item.unit.as_deref(), Some("23575"), "the dossier's competent unit");
    assert_eq!(item.dossier_code.as_deref(), Some(dossier.as_str()));
    // An item whose deadline passed a month ago.
    let now = app.state.engine().now().timestamp_millis();
    let late = motcua_store::feedback::FeedbackItem {
        code: "PAKN-250101-00AA11".into(),
        name: "Lê Văn Tâm".into(),
        contact: "tam@example.vn".into(),
        subject: "Phản ánh cũ".into(),
        body: "Nội dung".into(),
        status: "open".into(),
        created_at_ms: now - 60 * 86_400_000,
        due_at_ms: now - 30 * 86_400_000,
        unit: Some("23575".into()),
        ..Default::default()
    };
    store.insert_feedback(&late).await.unwrap();
    let mut specialist = Officer::signed_in(&app, "chuyenvien1").await;
    let list = specialist.get("/can-bo/phan-anh").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&code) && list.body.contains(&late.code));
    assert!(list.body.contains("data-overdue=\"1\""), "{}", list.body);
    assert!(list.body.contains("<strong class=\"overdue\">quá "), "{}", list.body);
    // Soonest due first: the late one leads.
    assert!(list.body.find(&late.code).unwrap() < list.body.find(&code).unwrap());
    let page = specialist.get(&format!("/can-bo/phan-anh/{code}")).await;
    assert!(page.body.contains(&format!("/can-bo/ho-so/{dossier}")));
    // The other lists are empty, the counts say so; English works.
    let answered = specialist.get("/can-bo/phan-anh?loai=da-tra-loi").await;
    assert!(answered.body.contains("data-empty"));
    assert!(answered.body.contains("data-tab=\"chua-tra-loi\"") && answered.body.contains("data-count=\"2\""));
    let en = specialist.get("/can-bo/phan-anh?lang=en").await;
    assert!(en.body.contains("Feedback and complaints") && en.body.contains("overdue"));
}
