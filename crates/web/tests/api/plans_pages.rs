//! The steering pages at `/dieu-hanh` (plans, reported values, PAR index, directives,
//! bottlenecks) through HTTP: who may see, enter, approve and report; entering then approving a
//! value moves the plan page's figure and status; the pages' figures equal the steering report.

use serde_json::Value;

use super::dashboards::{attr_values, Browser};
use super::plans::import_samples;
use super::*;

const PAGES: [&str; 7] = [
    "/dieu-hanh/ke-hoach",
    "/dieu-hanh/ke-hoach/cds-2024?period=2024-Q1",
    "/dieu-hanh/ke-hoach/cds-2024/chi-tieu/cds-12?period=2024-Q1",
    "/dieu-hanh/cai-cach-hanh-chinh?nam=2023",
    "/dieu-hanh/chi-dao",
    "/dieu-hanh/chi-dao/cd-2024-03",
    "/dieu-hanh/diem-nghen?period=2024-Q1",
];

/// The session's CSRF token from a page with a POST form.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..start + 64].to_string()
}

async fn post_form(b: &mut Browser, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let req = b.client.post(format!("{}{path}", b.base)).form(form);
    b.send(req).await
}

/// (target, actual, status) of an indicator row of a plan page.
fn figures(html: &str, indicator: &str) -> (String, String, String) {
    let pick = |attr: &str| {
        attr_values(html, "data-indicator", attr)
            .into_iter()
            .find(|(k, _)| k == indicator)
            .unwrap_or_else(|| panic!("no row {indicator}"))
            .1
    };
    (pick("data-target"), pick("data-actual"), pick("data-status"))
}

#[tokio::test]
async fn steering_pages_are_for_officers_only() {
    let app = spawn_app().await;
    import_samples(&app).await;
    let mut anon = Browser::new(&app);
    for page in PAGES {
        let (status, location, _) = anon.get(page).await;
        assert_eq!(status, 303, "{page}");
        assert!(location.starts_with("/dang-nhap?next="), "{page}: {location}");
    }
    let mut citizen = Browser::signed_in(&app, "congdan1").await;
    for page in PAGES {
        assert_eq!(citizen.get(page).await.0, 403, "{page}");
    }
    for user in ["chuyenvien1", "tiepnhan1", "lanhdao1", "quantri"] {
        let mut b = Browser::signed_in(&app, user).await;
        for page in PAGES {
            let (status, _, body) = b.get(page).await;
            assert_eq!(status, 200, "{user} {page}: {body}");
            assert!(body.contains("<table"), "{user} {page}");
        }
    }
    // The English pages use the English catalogue.
    let mut b = Browser::signed_in(&app, "quantri").await;
    let (_, _, body) = b.get("/dieu-hanh/ke-hoach/cds-2024?period=2024-Q1&lang=en").await;
    assert!(body.contains("Responsible unit") && !body.contains("[missing text]"));
    // Unknown plan, indicator, directive, PAR year: 404.
    for page in [
        "/dieu-hanh/ke-hoach/no-such",
        "/dieu-hanh/ke-hoach/cds-2024/chi-tieu/no-such",
        "/dieu-hanh/chi-dao/no-such",
        "/dieu-hanh/cai-cach-hanh-chinh?nam=1999",
    ] {
        assert_eq!(b.get(page).await.0, 404, "{page}");
    }
    // The overview links to the new pages.
    let (_, _, overview) = b.get("/dieu-hanh").await;
    for href in [
        "/dieu-hanh/ke-hoach",
        "/dieu-hanh/cai-cach-hanh-chinh",
        "/dieu-hanh/chi-dao",
        "/dieu-hanh/diem-nghen",
    ] {
        assert!(overview.contains(&format!("href=\"{href}\"")), "{href}");
    }
    // A citizen's forged POST is refused before anything is read.
    let (_, _, home) = citizen.get("/").await;
    let token = csrf_of(&home);
    let (status, _, _) = post_form(
        &mut citizen,
        "/dieu-hanh/ke-hoach/cds-2024/chi-tieu/cds-12/so-lieu",
        &[
            ("csrf", &token),
            ("period", "2024-Q3"),
            ("value", "90"),
            ("evidence_ref", "x"),
        ],
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_value_entered_then_approved_moves_the_plan_page() {
    let app = spawn_app().await;
    import_samples(&app).await;
    let plan_q3 = "/dieu-hanh/ke-hoach/cds-2024?period=2024-Q3";
    let indicator = "/dieu-hanh/ke-hoach/cds-2024/chi-tieu/cds-12?period=2024-Q3";
    let enter = "/dieu-hanh/ke-hoach/cds-2024/chi-tieu/cds-12/so-lieu";
    let mut admin = Browser::signed_in(&app, "quantri").await;
    let (_, _, before) = admin.get(plan_q3).await;
    // Q3 is over and nothing was reported: missed.
    assert_eq!(
        figures(&before, "cds-12"),
        ("88".to_string(), String::new(), "missed".to_string())
    );

    // Officers of another unit see the indicator without the form, and are refused on POST.
    let mut other = Browser::signed_in(&app, "chuyenvien1").await;
    let (_, _, page) = other.get(indicator).await;
    assert!(!page.contains(&format!("action=\"{enter}")), "no entry form for 23575");
    let token = csrf_of(&page);
    let (status, _, _) = post_form(
        &mut other,
        enter,
        &[
            ("csrf", &token),
            ("period", "2024-Q3"),
            ("value", "90"),
            ("evidence_ref", "x"),
        ],
    )
    .await;
    assert_eq!(status, 403);

    // The responsible unit's officer (000.00.12.H21) enters the value.
    let mut unit = Browser::signed_in(&app, "tiepnhan1").await;
    let (_, _, page) = unit.get(indicator).await;
    assert!(
        page.contains(&format!("action=\"{enter}")),
        "entry form for the responsible unit"
    );
    let token = csrf_of(&page);
    // Invalid input: the error summary links to each field, and nothing is written.
    let (status, _, body) = post_form(
        &mut unit,
        enter,
        &[
            ("csrf", &token),
            ("period", "2024-Q3"),
            ("value", "chín mươi"),
            ("evidence_ref", "BC 1"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("data-error-summary") && body.contains("href=\"#value\""));
    assert!(body.contains("aria-describedby=\"value-hint value-error\" aria-invalid=\"true\""));
    let (status, _, body) = post_form(
        &mut unit,
        enter,
        &[
            ("csrf", &token),
            ("period", "2024-Q3"),
            ("value", "91,5"),
            ("evidence_ref", "  "),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("href=\"#evidence_ref\""), "{body}");
    assert!(body.contains("value=\"91,5\""), "the typed value is kept");
    let (status, _, _) = post_form(
        &mut unit,
        enter,
        &[
            ("csrf", &token),
            ("period", "2023-Q3"),
            ("value", "91,5"),
            ("evidence_ref", "BC 1"),
        ],
    )
    .await;
    assert_eq!(status, 422, "a period outside the plan's year");
    // No CSRF token: refused.
    let (status, _, _) = post_form(
        &mut unit,
        enter,
        &[("period", "2024-Q3"), ("value", "91,5"), ("evidence_ref", "BC 1")],
    )
    .await;
    assert_eq!(status, 403);
    let admin_token = app.token("quantri").await;
    let (_, values) = app
        .get_as(
            "/api/v1/plans/cds-2024/indicators/cds-12/values?period=2024-Q3",
            Some(&admin_token),
        )
        .await;
    assert_eq!(values["values"], serde_json::json!([]), "nothing half-written");

    let (status, location, _) = post_form(
        &mut unit,
        enter,
        &[
            ("csrf", &token),
            ("period", "2024-Q3"),
            ("value", "91,5"),
            ("evidence_ref", "Báo cáo khảo sát quý III số 7/BC-TTPVHCC"),
            ("note", "Khảo sát 1.200 lượt"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{indicator}&xong=nhap"));
    // The same record the API shows: pending, entered by tiepnhan1.
    let (_, values) = app
        .get_as(
            "/api/v1/plans/cds-2024/indicators/cds-12/values?period=2024-Q3",
            Some(&admin_token),
        )
        .await;
    let value = &values["values"][0];
    assert_eq!(
        (value["value"].as_f64(), &value["submitted_by"]),
        (Some(91.5), &Value::from("tiepnhan1"))
    );
    assert!(value["approved_by"].is_null());
    let id = value["id"].as_i64().unwrap();
    let approve = format!("/dieu-hanh/ke-hoach/cds-2024/chi-tieu/cds-12/so-lieu/{id}/duyet");

    // Pending: the plan page is unchanged; the submitter gets no approve button and is refused.
    let (_, _, after_entry) = admin.get(plan_q3).await;
    assert_eq!(figures(&after_entry, "cds-12"), figures(&before, "cds-12"));
    let (_, _, page) = unit.get(&format!("{indicator}&xong=nhap")).await;
    assert!(page.contains("data-done") && !page.contains(&format!("action=\"{approve}\"")));
    assert_eq!(post_form(&mut unit, &approve, &[("csrf", &token)]).await.0, 403);
    // A leader of another unit may not approve either.
    let mut leader = Browser::signed_in(&app, "lanhdao1").await;
    let (_, _, page) = leader.get(indicator).await;
    assert!(!page.contains(&format!("action=\"{approve}\"")));
    let leader_token = csrf_of(&page);
    assert_eq!(
        post_form(&mut leader, &approve, &[("csrf", &leader_token)]).await.0,
        403
    );

    // The province administrator approves it.
    let (_, _, page) = admin.get(indicator).await;
    assert!(
        page.contains(&format!("action=\"{approve}\"")),
        "approve button for the admin"
    );
    let admin_csrf = csrf_of(&page);
    let (status, location, _) = post_form(&mut admin, &approve, &[("csrf", &admin_csrf)]).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{indicator}&xong=duyet"));
    let (_, _, after) = admin.get(plan_q3).await;
    assert_eq!(
        figures(&after, "cds-12"),
        ("88".to_string(), "91.5".to_string(), "achieved".to_string())
    );
    // Twice: a conflict shown on the page.
    let (status, _, body) = post_form(&mut admin, &approve, &[("csrf", &admin_csrf)]).await;
    assert_eq!(status, 409);
    assert!(body.contains("href=\"#values\""));
    // The API sees the same figure.
    let (_, api) = app.get("/api/v1/plans/cds-2024?period=2024-Q3").await;
    let row = api["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "cds-12")
        .unwrap();
    assert_eq!(
        (row["actual"].as_f64(), &row["status"]),
        (Some(91.5), &Value::from("achieved"))
    );
}

#[tokio::test]
async fn page_figures_equal_the_steering_report() {
    let app = spawn_app().await;
    import_samples(&app).await;
    let token = app.token("quantri").await;
    let (status, report) = app
        .get_as("/api/v1/reports/steering?period=2024-Q1", Some(&token))
        .await;
    assert_eq!(status, 200, "{report}");
    let mut b = Browser::signed_in(&app, "lanhdao1").await;

    // Plan indicators: target, actual and status of every row.
    let (_, _, plan) = b.get("/dieu-hanh/ke-hoach/cds-2024?period=2024-Q1").await;
    let section = report["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "cds-2024")
        .unwrap();
    let num = |v: &Value| v.as_f64().map(|x| x.to_string()).unwrap_or_default();
    let rows = section["indicators"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    for r in rows {
        let id = r["id"].as_str().unwrap();
        assert_eq!(
            figures(&plan, id),
            (
                num(&r["target"]),
                num(&r["actual"]),
                r["status"].as_str().unwrap().to_string()
            ),
            "{id}"
        );
    }
    let count = |code: &str| {
        attr_values(&plan, "data-count", "data-value")
            .into_iter()
            .find(|(k, _)| k == code)
            .map_or(0, |(_, v)| v.parse::<u64>().unwrap())
    };
    for (code, n) in section["status_counts"].as_object().unwrap() {
        assert_eq!(count(code), n.as_u64().unwrap(), "{code}");
    }

    // Bottlenecks: the report's list, in its order, with its severities.
    let (_, _, page) = b.get("/dieu-hanh/diem-nghen?period=2024-Q1").await;
    let shown = attr_values(&page, "data-bottleneck", "data-severity");
    let expected: Vec<(String, String)> = report["bottlenecks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let kind = x["kind"].as_str().unwrap();
            (
                format!("{kind}:{}", x["subject_id"].as_str().unwrap()),
                num(&x["severity"]),
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(shown, expected);
    assert!(page.contains("href=\"/api/v1/reports/steering.pdf?period=2024-Q1\""));
    assert!(page.contains("href=\"/api/v1/reports/steering.xlsx?period=2024-Q1\""));
    // A bad period is shown as an error, with the running quarter.
    let (status, _, page) = b.get("/dieu-hanh/diem-nghen?period=2024-Q9").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-error-summary") && page.contains("href=\"#period\""));

    // PAR index: the report's year, its criteria and the ones that lost points.
    let par = &report["par"]["comparison"];
    let year = par["year"].as_i64().unwrap();
    let (_, _, page) = b.get(&format!("/dieu-hanh/cai-cach-hanh-chinh?nam={year}")).await;
    for node in par["nodes"].as_array().unwrap() {
        let id = node["id"].as_str().unwrap();
        let current = attr_values(&page, "data-node", "data-current")
            .into_iter()
            .find(|(k, _)| k == id)
            .unwrap()
            .1;
        assert_eq!(current, num(&node["current"]), "{id}");
    }
    let lost: Vec<String> = attr_values(&page, "data-lost", "data-lost")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let expected: Vec<String> = par["lost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty(), "the sample years lose points somewhere");
    assert_eq!(lost, expected);
    for id in &expected {
        assert!(page.contains(&format!("id=\"tc-{id}\" data-node=\"{id}\"")), "{id}");
        assert!(page.contains(&format!("data-node=\"{id}\" data-current=")), "{id} row");
    }
    // Every node that lost points is flagged, fields included.
    let flagged = par["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["change"].as_f64().is_some_and(|c| c < 0.0))
        .count();
    assert!(flagged >= expected.len());
    assert_eq!(page.matches("kh-lost\"").count(), flagged);

    // Directives: completion per unit equals the API's for the same day.
    let (_, list) = app.get_as("/api/v1/directives", Some(&token)).await;
    let (_, _, page) = b.get("/dieu-hanh/chi-dao").await;
    for unit in list["by_unit"].as_array().unwrap() {
        let code = unit["unit"].as_str().unwrap();
        let pick = |attr: &str| {
            attr_values(&page, "data-unit", attr)
                .into_iter()
                .find(|(k, _)| k == code)
                .unwrap()
                .1
        };
        assert_eq!(pick("data-assigned"), unit["assigned"].to_string(), "{code}");
        assert_eq!(pick("data-overdue"), unit["overdue"].to_string(), "{code}");
        assert_eq!(pick("data-rate"), num(&unit["on_time_rate"]), "{code}");
    }
    let overdue = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "overdue")
        .count();
    assert!(page.contains(&format!("({overdue})</h2>")));
}

#[tokio::test]
async fn assignee_units_report_directive_progress() {
    let app = spawn_app().await;
    import_samples(&app).await;
    // cd-2024-03: assigned to 000.00.12.H21 and 23575, in progress, deadline passed.
    let page = "/dieu-hanh/chi-dao/cd-2024-03";
    let post = "/dieu-hanh/chi-dao/cd-2024-03/tien-do";
    let mut outsider = Browser::signed_in(&app, "chuyenvien2").await;
    let (_, _, html) = outsider.get(page).await;
    assert!(!html.contains(&format!("action=\"{post}")), "no form for 21583");
    let token = csrf_of(&html);
    assert_eq!(
        post_form(&mut outsider, post, &[("csrf", &token), ("note", "x")])
            .await
            .0,
        403
    );

    let mut assignee = Browser::signed_in(&app, "chuyenvien1").await;
    let (_, _, html) = assignee.get(page).await;
    assert!(html.contains("data-state=\"overdue\"") && html.contains(&format!("action=\"{post}")));
    let token = csrf_of(&html);
    let (status, _, body) = post_form(&mut assignee, post, &[("csrf", &token), ("note", "   ")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("href=\"#note\""), "{body}");
    let (status, location, _) = post_form(
        &mut assignee,
        post,
        &[
            ("csrf", &token),
            ("note", "Đã số hóa 100% kết quả còn hiệu lực"),
            ("evidence_ref", "Báo cáo 21/BC-UBND"),
            ("done", "1"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{page}?xong=bao-cao"));
    let (_, _, html) = assignee.get(&location).await;
    assert!(html.contains("data-done") && html.contains("Đã số hóa 100% kết quả còn hiệu lực"));
    assert!(
        html.contains("data-state=\"completed_late\""),
        "completed after its deadline"
    );
    // Done twice: a conflict shown on the form.
    let (status, _, body) = post_form(&mut assignee, post, &[("csrf", &token), ("note", "x"), ("done", "1")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("href=\"#done\""));

    // The API endpoint: the other assignee reports; citizens and outsiders are refused.
    let counter = app.token("tiepnhan1").await;
    let body = serde_json::json!({"note": "Đã rà soát", "evidence_ref": ""});
    let (status, item) = app
        .post("/api/v1/directives/cd-2024-03/progress", &body, Some(&counter))
        .await;
    assert_eq!(status, 201, "{item}");
    assert_eq!(item["state"], "completed_late");
    assert_eq!(item["progress"].as_array().unwrap().len(), 3);
    let citizen = app.token("congdan1").await;
    let (status, err) = app
        .post("/api/v1/directives/cd-2024-03/progress", &body, Some(&citizen))
        .await;
    assert_error(status, &err, 403);
    let (status, err) = app
        .post(
            "/api/v1/directives/cd-2024-03/progress",
            &serde_json::json!({"note": ""}),
            Some(&counter),
        )
        .await;
    assert_error(status, &err, 422);
    let (status, err) = app
        .post("/api/v1/directives/no-such/progress", &body, Some(&counter))
        .await;
    assert_error(status, &err, 404);
    let (status, _) = app.post("/api/v1/directives/cd-2024-03/progress", &body, None).await;
    assert_eq!(status, 401);
}
