//! Plans, reported values and their approval, the PAR index, directives and the steering report.

use serde_json::{json, Value};

use super::{assert_error, spawn_app, TestApp, CONGDAN1_ID};

/// Loads the sample bundles of `data/plans/` through the admin import.
pub(super) async fn import_samples(app: &TestApp) {
    let admin = app.token("quantri").await;
    for (name, text) in motcua_domain::plans::SAMPLE_BUNDLES {
        let bundle: Value = serde_json::from_str(text).unwrap();
        let (status, body) = app.post("/api/v1/plans/import", &bundle, Some(&admin)).await;
        assert_eq!(status, 200, "{name}: {body}");
    }
}

fn row<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id} in {plan}"))
}

#[tokio::test]
async fn the_sample_plan_is_listed_publicly_with_targets_and_statuses() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/plans").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["plans"], json!([]));
    import_samples(&app).await;
    let (status, body) = app.get("/api/v1/plans").await;
    assert_eq!(status, 200, "{body}");
    // The 2024 plan (measuring the history) and the current year's plan (moving with live work).
    let ids: Vec<&str> = body["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"cds-2024") && ids.contains(&"cds-2026"), "{ids:?}");
    let plan = body["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "cds-2024")
        .unwrap();
    assert_eq!(plan["sample"], true);
    let indicators = plan["indicators"].as_array().unwrap();
    assert_eq!(indicators.len(), 12);
    assert!(indicators.iter().filter(|i| i["source"] == "system").count() >= 4);
    for i in indicators {
        assert!(i["targets"]["2024-Q1"].is_number(), "{i}");
        assert!(
            ["achieved", "on_track", "at_risk", "missed"].contains(&i["status"].as_str().unwrap()),
            "{i}"
        );
        assert!(
            i["source_ref"]["query"].as_str().unwrap().starts_with("GET /api/v1/"),
            "{i}"
        );
    }
    // Q1: approved sample values count; the period is over, so achieved or missed.
    let (status, q1) = app.get("/api/v1/plans/cds-2024?period=2024-Q1").await;
    assert_eq!(status, 200, "{q1}");
    assert_eq!(q1["period"], "2024-Q1");
    assert_eq!(
        (
            row(&q1, "cds-08")["actual"].as_f64(),
            row(&q1, "cds-08")["target"].as_f64()
        ),
        (Some(41.5), Some(45.0))
    );
    assert_eq!(row(&q1, "cds-08")["status"], "missed");
    assert_eq!(row(&q1, "cds-12")["status"], "achieved");
    assert_eq!(row(&q1, "cds-11")["status"], "achieved");
    // No 2024 dossiers in this store: system indicators have no value, and the period is over.
    assert!(row(&q1, "cds-01")["actual"].is_null());
    assert_eq!(row(&q1, "cds-01")["status"], "missed");
    assert!(q1.get("values").is_none(), "entered values are for officers");
    // Q2: the satisfaction value is not approved, so it does not count.
    let (_, q2) = app.get("/api/v1/plans/cds-2024?period=2024-Q2").await;
    assert!(row(&q2, "cds-12")["actual"].is_null(), "{q2}");
    assert_eq!(row(&q2, "cds-08")["actual"], 48.0);

    let (status, body) = app.get("/api/v1/plans/nope").await;
    assert_error(status, &body, 404);
    let (status, body) = app.get("/api/v1/plans/cds-2024?period=2024-Q5").await;
    assert_error(status, &body, 422);
}

#[tokio::test]
async fn system_indicators_move_when_dossiers_are_processed() {
    let app = spawn_app().await;
    let admin = app.token("quantri").await;
    let counter = app.token("tiepnhan1").await;
    let specialist = app.token("chuyenvien1").await;
    let leader = app.token("lanhdao1").await;
    let citizen = app.token("congdan1").await;
    // A counter dossier is received on the spot: its receipt year is the plan's year.
    let first = app.counter_dossier(&counter).await;
    let (_, view) = app.get_as(&format!("/api/v1/dossiers/{first}"), Some(&counter)).await;
    let year: i32 = view["received_at"].as_str().unwrap()[..4].parse().unwrap();
    let metrics = [
        "online_share",
        "on_time_share",
        "electronic_result_share",
        "digitised_share",
    ];
    let indicators: Vec<Value> = metrics
        .iter()
        .enumerate()
        .map(|(n, m)| {
            json!({"id": format!("s{n}"), "name": m, "name_en": m, "unit_of_measure": "%",
                "direction": "higher_is_better", "responsible_unit": "000.00.12.H21", "source": "system",
                "metric": m, "targets": {format!("{year}"): 50.0}})
        })
        .collect();
    let bundle = json!({"plans": [{"id": "live", "name": "Kế hoạch thử", "name_en": "Test plan", "year": year,
        "indicators": indicators}]});
    let (status, body) = app.post("/api/v1/plans/import", &bundle, Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    let measure = || async {
        let (status, plan) = app.get(&format!("/api/v1/plans/live?period={year}")).await;
        assert_eq!(status, 200, "{plan}");
        metrics
            .iter()
            .enumerate()
            .map(|(n, _)| row(&plan, &format!("s{n}"))["actual"].clone())
            .collect::<Vec<Value>>()
    };
    // One counter dossier received, none closed: 0 % online, nothing closed with a result yet.
    let before = measure().await;
    assert_eq!(before[0], json!(0.0), "{before:?}");
    assert!(before[2].is_null(), "{before:?}");

    // An online dossier accepted at the counter: half the received dossiers are online.
    let online = json!({"procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID, "birth_date": "1990-05-01"}});
    let (status, sub) = app.submit(&citizen, None, &online).await;
    assert_eq!(status, 201, "{sub}");
    let code = sub["MaHoSo"].as_str().unwrap().to_string();
    let (_, still) = app.get(&format!("/api/v1/plans/live?period={year}")).await;
    assert_eq!(row(&still, "s0")["actual"], json!(0.0), "not received yet: not counted");
    app.act_ok(&counter, &code, "accept", "").await;
    let after = measure().await;
    assert_eq!(after[0], json!(50.0), "{after:?}");

    // Closing the first dossier with a result gives the result indicators a value.
    app.act_ok(&specialist, &first, "forward", "").await;
    app.act_ok(&leader, &first, "approve", "").await;
    app.act_ok(&specialist, &first, "finish", "").await;
    let closed = measure().await;
    assert!(closed[2].is_number(), "{closed:?}");
    assert_ne!(before, closed);
    let (_, plan) = app.get(&format!("/api/v1/plans/live?period={year}")).await;
    let online_row = row(&plan, "s0");
    assert_eq!(
        (online_row["numerator"].as_u64(), online_row["denominator"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(
        online_row["source_ref"]["query"]
            .as_str()
            .unwrap()
            .contains("/api/v1/index?unit=52"),
        "{online_row}"
    );
}

#[tokio::test]
async fn reported_values_are_entered_with_evidence_and_approved_by_someone_else() {
    let app = spawn_app().await;
    import_samples(&app).await;
    let counter = app.token("tiepnhan1").await; // officer of the service centre, responsible for cds-12
    let specialist = app.token("chuyenvien1").await; // another unit
    let leader = app.token("lanhdao1").await; // leader of another unit
    let admin = app.token("quantri").await;
    let path = "/api/v1/plans/cds-2024/indicators/cds-12/values";
    let entry = json!({"period": "2024-Q3", "value": 88.6, "evidence_ref": "https://example.gov.vn/khao-sat-q3.pdf",
        "note": "Khảo sát quý III"});

    let (status, body) = app.post(path, &entry, None).await;
    assert_error(status, &body, 401);
    let (status, body) = app.post(path, &entry, Some(&specialist)).await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .post(
            path,
            &json!({"period": "2024-Q3", "value": 88.6, "evidence_ref": " "}),
            Some(&counter),
        )
        .await;
    assert_error(status, &body, 422);
    assert!(body["error"]["fields"]["evidence_ref"].is_string(), "{body}");
    let (status, body) = app
        .post(
            path,
            &json!({"period": "2025-Q1", "value": 1, "evidence_ref": "x"}),
            Some(&counter),
        )
        .await;
    assert_error(status, &body, 422);
    let (status, body) = app
        .post(
            "/api/v1/plans/cds-2024/indicators/cds-03/values",
            &entry,
            Some(&counter),
        )
        .await;
    assert_error(status, &body, 422); // a system indicator takes no entered values

    let (status, value) = app.post(path, &entry, Some(&counter)).await;
    assert_eq!(status, 201, "{value}");
    assert_eq!(value["submitted_by"], "tiepnhan1");
    assert!(value["approved_by"].is_null());
    let id = value["id"].as_i64().unwrap();
    // Not counted before approval; officers see it pending.
    let (_, q3) = app
        .get_as("/api/v1/plans/cds-2024?period=2024-Q3", Some(&specialist))
        .await;
    assert!(row(&q3, "cds-12")["actual"].is_null(), "{q3}");
    assert_eq!(q3["values"][0]["id"], id, "{q3}");

    let approve = format!("{path}/{id}/approve");
    let (status, body) = app.post(&approve, &json!({}), Some(&counter)).await;
    assert_error(status, &body, 403);
    let (status, body) = app.post(&approve, &json!({}), Some(&leader)).await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .post(
            &format!("/api/v1/plans/cds-2024/indicators/cds-11/values/{id}/approve"),
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_error(status, &body, 404);
    let (status, approved) = app.post(&approve, &json!({}), Some(&admin)).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["approved_by"], "quantri");
    let (status, body) = app.post(&approve, &json!({}), Some(&admin)).await;
    assert_error(status, &body, 409);

    let (_, q3) = app.get("/api/v1/plans/cds-2024?period=2024-Q3").await;
    let cds12 = row(&q3, "cds-12");
    assert_eq!(cds12["actual"], 88.6);
    assert_eq!(cds12["value_id"], id);
    assert_eq!(cds12["status"], "achieved", "88.6 ≥ 88 and the quarter is over");
    // An administrator's own value needs another approver.
    let (status, own) = app.post(path, &entry, Some(&admin)).await;
    assert_eq!(status, 201, "{own}");
    let (status, body) = app
        .post(&format!("{path}/{}/approve", own["id"]), &json!({}), Some(&admin))
        .await;
    assert_error(status, &body, 403);
    let (status, list) = app.get_as(&format!("{path}?period=2024-Q3"), Some(&specialist)).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["values"].as_array().unwrap().len(), 2);
    // Imports are for province administrators, and a bad bundle writes nothing.
    let (status, body) = app
        .post("/api/v1/plans/import", &json!({"plans": []}), Some(&counter))
        .await;
    assert_error(status, &body, 403);
    let bad = json!({"plans": [{"id": "x", "name": "x", "name_en": "x", "year": 2024, "indicators": []}]});
    let (status, body) = app.post("/api/v1/plans/import", &bad, Some(&admin)).await;
    assert_error(status, &body, 422);
    let (_, all) = app.get("/api/v1/plans").await;
    assert_eq!(
        all["plans"].as_array().unwrap().len(),
        2,
        "the two sample plans, nothing more"
    );
}

#[tokio::test]
async fn par_index_directives_and_the_steering_report() {
    let app = spawn_app().await;
    import_samples(&app).await;
    let officer = app.token("chuyenvien1").await;
    let citizen = app.token("congdan1").await;

    let (status, body) = app.get("/api/v1/par-index").await;
    assert_error(status, &body, 401);
    let (status, body) = app.get_as("/api/v1/par-index", Some(&citizen)).await;
    assert_error(status, &body, 403);
    let (status, par) = app.get_as("/api/v1/par-index", Some(&officer)).await;
    assert_eq!(status, 200, "{par}");
    assert_eq!(par["years"], json!([2022, 2023]));
    assert_eq!(par["comparison"]["year"], 2023);
    assert_eq!(par["comparison"]["previous_year"], 2022);
    let lost = par["comparison"]["lost"].as_array().unwrap();
    assert!(!lost.is_empty());
    assert!(lost.iter().all(|n| n["change"].as_f64().unwrap() < 0.0));
    let (status, first) = app.get_as("/api/v1/par-index?year=2022", Some(&officer)).await;
    assert_eq!(status, 200);
    assert!(first["comparison"]["previous_year"].is_null());
    let (status, body) = app.get_as("/api/v1/par-index?year=1999", Some(&officer)).await;
    assert_error(status, &body, 404);

    let (status, list) = app
        .get_as("/api/v1/directives?status=overdue&as_of=2024-03-31", Some(&officer))
        .await;
    assert_eq!(status, 200, "{list}");
    let overdue: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    // 03 (deadline 20 March) and 09 (25 March) are open; 02 (due 31 March, done 8 April) is due that day.
    assert_eq!(overdue, ["cd-2024-03", "cd-2024-09"]);
    let (status, body) = app.get_as("/api/v1/directives?status=late", Some(&officer)).await;
    assert_error(status, &body, 422);

    // The report's plan figures equal the plan page's, and every figure names its source.
    let (status, report) = app
        .get_as("/api/v1/reports/steering?period=2024-Q1", Some(&officer))
        .await;
    assert_eq!(status, 200, "{report}");
    let (_, page) = app.get("/api/v1/plans/cds-2024?period=2024-Q1").await;
    let section = &report["plans"][0];
    for (a, b) in section["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .zip(page["indicators"].as_array().unwrap())
    {
        for field in ["id", "target", "actual", "status", "source_ref"] {
            assert_eq!(a[field], b[field], "{field} of {}", a["id"]);
        }
    }
    assert_eq!(section["status_counts"], page["status_counts"]);
    assert_eq!(report["contains_sample_data"], true);
    assert_eq!(report["previous_period"], "2023-Q4");
    assert_eq!(report["par"]["comparison"]["year"], 2023);
    assert_eq!(report["directives"]["as_of"], "2024-03-31");
    let states = &report["directives"]["states"];
    assert_eq!(
        (states["overdue"].as_u64(), states["due_soon"].as_u64()),
        (Some(2), Some(2)),
        "{states}"
    );
    assert_eq!(states["completed_late"], 1, "{states}");
    assert!(report["index"]["province"]["source"]["query"]
        .as_str()
        .unwrap()
        .contains("from=2024-01-01&to=2024-03-31"));
    let bottlenecks = report["bottlenecks"].as_array().unwrap();
    assert!(!bottlenecks.is_empty());
    for b in bottlenecks {
        assert!(
            b["evidence"]["query"].as_str().unwrap().starts_with("GET /api/v1/"),
            "{b}"
        );
    }
    let severities: Vec<f64> = bottlenecks.iter().map(|b| b["severity"].as_f64().unwrap()).collect();
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "{severities:?}");

    let (status, same) = app
        .get_as("/api/v1/reports/steering.json?period=2024-Q1", Some(&officer))
        .await;
    assert_eq!(status, 200);
    assert_eq!(same["plans"], report["plans"]);
    // The PDF and the workbook: by suffix and by Accept, named after the period.
    let pdf = app
        .client
        .get(format!("{}/api/v1/reports/steering.pdf?period=2024-Q1", app.base))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("bao-cao-ban-chi-dao-2024-Q1.pdf"));
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let r = app
        .client
        .get(format!("{}/api/v1/reports/steering?period=2024-Q1", app.base))
        .bearer_auth(&officer)
        .header("accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let mut workbooks = Vec::new();
    for (path, accept) in [("steering.xlsx", "*/*"), ("steering", xlsx_type)] {
        let r = app
            .client
            .get(format!("{}/api/v1/reports/{path}?period=2024-Q1", app.base))
            .bearer_auth(&officer)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], xlsx_type);
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("bao-cao-ban-chi-dao-2024-Q1.xlsx"));
        workbooks.push(r.bytes().await.unwrap().to_vec());
    }
    workbook_matches_report(&workbooks[0], &report);
    let (status, body) = app.get_as("/api/v1/reports/steering?period=Q1", Some(&officer)).await;
    assert_error(status, &body, 422);
    let (status, body) = app.get_as("/api/v1/reports/other", Some(&officer)).await;
    assert_error(status, &body, 404);
    let (status, body) = app.get_as("/api/v1/reports/steering", Some(&citizen)).await;
    assert_error(status, &body, 403);
}

/// The workbook's figures equal the JSON report's (the dashboards' figures): plan targets,
/// actuals and statuses, the index by unit, directive completion and the bottlenecks.
fn workbook_matches_report(bytes: &[u8], report: &Value) {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("workbook");
    let num = |d: Option<&Data>| match d {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    };
    let same = |a: Option<f64>, b: &Value| match (a, b.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    };
    let text = |d: Option<&Data>| d.map(|v| v.to_string()).unwrap_or_default();

    let plans = book.worksheet_range("1. Chỉ tiêu kế hoạch").expect("plans sheet");
    let indicators = report["plans"][0]["indicators"].as_array().unwrap();
    assert_eq!(indicators.len(), 12);
    for (i, ind) in indicators.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(text(plans.get_value((row, 1))), ind["id"].as_str().unwrap());
        assert!(
            same(num(plans.get_value((row, 4))), &ind["target"]),
            "target of {}",
            ind["id"]
        );
        assert!(
            same(num(plans.get_value((row, 5))), &ind["actual"]),
            "actual of {}",
            ind["id"]
        );
        let status = serde_json::from_value::<Option<motcua_domain::plans::Status>>(ind["status"].clone()).unwrap();
        assert_eq!(text(plans.get_value((row, 7))), motcua_reports::status_vi(status));
        assert!(text(plans.get_value((row, 10))).contains(ind["source_ref"]["query"].as_str().unwrap()));
    }

    let index = book.worksheet_range("2. Chỉ số QĐ 766").expect("index sheet");
    let rows: Vec<&Value> = std::iter::once(&report["index"]["province"])
        .chain(report["index"]["units"].as_array().unwrap())
        .collect();
    assert_eq!(index.end().map(|(r, _)| r as usize), Some(rows.len()));
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(text(index.get_value((row, 1))), r["unit"].as_str().unwrap());
        assert!(same(num(index.get_value((row, 3))), &r["total"]));
        assert!(same(num(index.get_value((row, 5))).map(|v| v * 100.0), &r["percent"]));
        assert!(same(num(index.get_value((row, 7))), &r["change"]));
        assert!(same(num(index.get_value((row, 8))), &r["received"]));
    }

    let par = book.worksheet_range("3. PAR Index").expect("par sheet");
    for (i, n) in report["par"]["comparison"]["lost"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let row = i as u32 + 1;
        assert_eq!(text(par.get_value((row, 0))), n["id"].as_str().unwrap());
        assert!(same(num(par.get_value((row, 5))), &n["change"]));
    }

    let units = book
        .worksheet_range("4. Nhiệm vụ theo đơn vị")
        .expect("directives sheet");
    for (i, u) in report["directives"]["by_unit"].as_array().unwrap().iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(text(units.get_value((row, 0))), u["unit"].as_str().unwrap());
        assert!(same(num(units.get_value((row, 2))), &u["assigned"]));
        assert!(same(num(units.get_value((row, 5))), &u["overdue"]));
        assert!(same(
            num(units.get_value((row, 8))).map(|v| v * 100.0),
            &u["on_time_rate"]
        ));
    }
    let attention = book
        .worksheet_range("4b. Quá hạn, sắp đến hạn")
        .expect("attention sheet");
    let ids: Vec<String> = (1..=report["directives"]["attention"].as_array().unwrap().len() as u32)
        .map(|r| text(attention.get_value((r, 0))))
        .collect();
    let expected: Vec<&str> = report["directives"]["attention"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, expected);

    let bottlenecks = book.worksheet_range("5. Điểm nghẽn").expect("bottlenecks sheet");
    for (i, b) in report["bottlenecks"].as_array().unwrap().iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(text(bottlenecks.get_value((row, 2))), b["subject"].as_str().unwrap());
        assert!(same(num(bottlenecks.get_value((row, 3))), &b["severity"]));
        assert!(text(bottlenecks.get_value((row, 5))).contains(b["evidence"]["query"].as_str().unwrap()));
    }
}
