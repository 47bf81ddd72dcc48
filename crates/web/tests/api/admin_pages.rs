//! Administration at `/can-bo/quan-tri` through HTTP, as an administrator's browser without
//! JavaScript uses it: who may open what, unit administrators confined to their unit, validation
//! that writes nothing, and changes visible through the public API and portal, and audited.

use motcua_store::audit::AuditQuery;

use super::*;

/// An administrator's browser: the back office's (cookie jar, redirects shown, forms with CSRF).
use super::backoffice_pages::Officer as Browser;

const PAGES: &[&str] = &[
    "/can-bo/quan-tri",
    "/can-bo/quan-tri/nguoi-dung",
    "/can-bo/quan-tri/nguoi-dung/chuyenvien1",
    "/can-bo/quan-tri/thu-tuc",
    "/can-bo/quan-tri/thu-tuc/1.001193",
    "/can-bo/quan-tri/quy-trinh/1.001193",
    "/can-bo/quan-tri/lich?nam=2026",
    "/can-bo/quan-tri/don-vi",
    "/can-bo/quan-tri/nhat-ky",
];

/// Adds a unit administrator of UBND Phường Pleiku (password `demo`).
async fn add_unit_admin(app: &TestApp) {
    app.state
        .store()
        .upsert_user(&NewUser {
            user: User {
                username: "qtpleiku".into(),
                full_name: "Quản trị Pleiku".into(),
                role: Role::UnitAdmin,
                unit_code: Some("23575".into()),
                eid_level: 0,
                personal_id: None,
            },
            password_hash: motcua_web::auth::hash_password("demo").unwrap(),
        })
        .await
        .unwrap();
}

async fn audited(app: &TestApp, action: &str, target: &str) -> Vec<motcua_store::audit::StoredAuditEntry> {
    app.state.engine().audit().flush().await.unwrap();
    app.state
        .store()
        .audit_entries(&AuditQuery {
            action: Some(action.into()),
            target: Some(target.into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn administration_is_for_administrators_only() {
    let app = spawn_app().await;
    let mut anon = Browser::anonymous(&app);
    for path in PAGES {
        let r = anon.get(path).await;
        assert_eq!(r.status, 303, "{path}");
        assert!(r.location.starts_with("/dang-nhap?next="), "{path}: {}", r.location);
    }
    for who in ["congdan1", "chuyenvien1", "lanhdao1", "tiepnhan1"] {
        let mut b = Browser::signed_in_with(&app, who, "demo").await;
        for path in PAGES {
            assert_eq!(b.get(path).await.status, 403, "{who} {path}");
        }
        // A form posted by a non-administrator is refused too, and writes nothing.
        let csrf = b.get("/ca-nhan").await;
        let token = if csrf.status == 200 && csrf.body.contains("name=\"csrf\"") {
            csrf.csrf()
        } else {
            String::new()
        };
        let r = b
            .post(
                "/can-bo/quan-tri/thu-tuc/1.001193",
                &[("csrf", &token), ("enabled", "0"), ("fee", "1000"), ("note", "")],
            )
            .await;
        assert_eq!(r.status, 403, "{who}");
    }
    assert!(app.state.store().procedure_settings().await.unwrap().is_empty());

    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    for path in PAGES {
        let r = admin.get(path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(r.body.contains("Quản trị hệ thống"), "{path}");
    }
    let en = admin.get("/can-bo/quan-tri/nguoi-dung?lang=en").await;
    assert!(en.body.contains("Accounts and roles"), "{}", en.body);
    // Officers of every unit are listed for the province administrator, citizens never.
    let users = admin.get("/can-bo/quan-tri/nguoi-dung").await.attrs("data-username");
    assert!(users.contains(&"chuyenvien2".to_string()) && users.contains(&"tiepnhan1".to_string()));
    assert!(!users.contains(&"congdan1".to_string()));
    assert_eq!(admin.get("/can-bo/quan-tri/nguoi-dung/congdan1").await.status, 404);
    let units = admin.get("/can-bo/quan-tri/don-vi?q=pleiku").await;
    assert!(
        units.attrs("data-code").contains(&"23575".to_string()),
        "{}",
        units.body
    );
}

#[tokio::test]
async fn a_unit_administrator_manages_only_their_unit() {
    let app = spawn_app().await;
    add_unit_admin(&app).await;
    let mut b = Browser::signed_in_with(&app, "qtpleiku", "demo").await;
    let listed = b.get("/can-bo/quan-tri/nguoi-dung").await.attrs("data-username");
    assert!(listed.contains(&"chuyenvien1".to_string()) && listed.contains(&"lanhdao1".to_string()));
    assert!(!listed.contains(&"chuyenvien2".to_string()) && !listed.contains(&"quantri".to_string()));
    assert_eq!(b.get("/can-bo/quan-tri/nguoi-dung/chuyenvien1").await.status, 200);
    assert_eq!(b.get("/can-bo/quan-tri/nguoi-dung/chuyenvien2").await.status, 403);
    for path in [
        "/can-bo/quan-tri/thu-tuc",
        "/can-bo/quan-tri/lich",
        "/can-bo/quan-tri/nhat-ky",
        "/can-bo/quan-tri/quy-trinh/1.001193?don_vi=21583",
    ] {
        assert_eq!(b.get(path).await.status, 403, "{path}");
    }
    assert_eq!(b.get("/can-bo/quan-tri/don-vi").await.status, 200);

    let page = "/can-bo/quan-tri/nguoi-dung";
    let new = |unit: &'static str, role: &'static str| {
        [
            ("username", "cvpleiku9"),
            ("full_name", "Trần Thị Mai"),
            ("password", "mat-khau-dai-1"),
            ("role", role),
            ("unit", unit),
        ]
    };
    // Another unit, or a province-wide role: refused, nothing written.
    let r = b.submit(page, page, &new("21583", "specialist")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = b.submit(page, page, &new("23575", "province_admin")).await;
    assert_eq!(r.status, 422);
    assert!(app.state.store().account("cvpleiku9").await.unwrap().is_none());
    // Moving an officer of the unit to another unit is refused as well.
    let r = b
        .submit(
            "/can-bo/quan-tri/nguoi-dung/chuyenvien1",
            "/can-bo/quan-tri/nguoi-dung/chuyenvien1",
            &[("op", "role"), ("role", "specialist"), ("unit", "21583")],
        )
        .await;
    assert_eq!(r.status, 422);
    let cv1 = app.state.store().account("chuyenvien1").await.unwrap().unwrap();
    assert_eq!(cv1.user.unit_code.as_deref(), Some("23575"));
    // Disabling an account of another unit is forbidden.
    let csrf = b.get(page).await.csrf();
    let r = b
        .post(
            "/can-bo/quan-tri/nguoi-dung/chuyenvien2",
            &[("csrf", &csrf), ("op", "disable")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(
        !app.state
            .store()
            .account("chuyenvien2")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );

    let r = b.submit(page, page, &new("23575", "specialist")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let created = app.state.store().account("cvpleiku9").await.unwrap().unwrap();
    assert_eq!(created.user.role, Role::Specialist);
    assert_eq!(created.user.unit_code.as_deref(), Some("23575"));
    assert_eq!(
        audited(&app, "admin.user.create", "cvpleiku9").await[0].actor,
        "qtpleiku"
    );
}

#[tokio::test]
async fn accounts_are_created_changed_and_disabled_with_every_change_audited() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let page = "/can-bo/quan-tri/nguoi-dung";
    // Every field wrong: one message per field, nothing written.
    let r = admin
        .submit(
            page,
            page,
            &[
                ("username", "Lê"),
                ("full_name", " "),
                ("password", "ngan"),
                ("role", "citizen"),
                ("unit", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    for field in ["#username", "#full_name", "#password", "#role"] {
        assert!(r.body.contains(&format!("href=\"{field}\"")), "{field}");
    }
    assert!(r.body.contains("Nhập tên đăng nhập hợp lệ"));
    // A unit role without a unit, and a taken username.
    let r = admin
        .submit(
            page,
            page,
            &[
                ("username", "cv3"),
                ("full_name", "A"),
                ("password", "0123456789"),
                ("role", "leader"),
                ("unit", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("href=\"#unit\""));
    let r = admin
        .submit(
            &format!("{page}?lang=en"),
            &format!("{page}?lang=en"),
            &[
                ("username", "chuyenvien1"),
                ("full_name", "A"),
                ("password", "0123456789"),
                ("role", "leader"),
                ("unit", "23575"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("This username is already taken"), "{}", r.body);
    assert!(app.state.store().account("cv3").await.unwrap().is_none());
    assert_eq!(
        app.state
            .store()
            .account("chuyenvien1")
            .await
            .unwrap()
            .unwrap()
            .user
            .role,
        Role::Specialist
    );

    let r = admin
        .submit(
            page,
            page,
            &[
                ("username", "chuyenvien9"),
                ("full_name", "Nguyễn Văn Chín"),
                ("password", "mat-khau-moi-9"),
                ("role", "specialist"),
                ("unit", "21583"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, "/can-bo/quan-tri/nguoi-dung?xong=tao");
    // Stored with an argon2 hash: the new officer signs in and works in the back office.
    let mut officer = Browser::signed_in_with(&app, "chuyenvien9", "mat-khau-moi-9").await;
    assert_eq!(officer.get("/can-bo").await.status, 200);
    let filtered = admin
        .get("/can-bo/quan-tri/nguoi-dung?don_vi=21583&vai_tro=specialist")
        .await
        .attrs("data-username");
    assert_eq!(filtered, ["chuyenvien2", "chuyenvien9"]);

    let edit = "/can-bo/quan-tri/nguoi-dung/chuyenvien9";
    let r = admin
        .submit(edit, edit, &[("op", "role"), ("role", "leader"), ("unit", "23575")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let changed = app.state.store().account("chuyenvien9").await.unwrap().unwrap();
    assert_eq!(
        (changed.user.role, changed.user.unit_code.as_deref()),
        (Role::Leader, Some("23575"))
    );
    // A province-wide role carries no unit.
    let r = admin
        .submit(
            edit,
            edit,
            &[("op", "role"), ("role", "leadership_viewer"), ("unit", "23575")],
        )
        .await;
    assert_eq!(r.status, 303);
    let changed = app.state.store().account("chuyenvien9").await.unwrap().unwrap();
    assert_eq!(
        (changed.user.role, changed.user.unit_code),
        (Role::LeadershipViewer, None)
    );

    let r = admin.submit(edit, edit, &[("op", "disable")]).await;
    assert_eq!(r.status, 303);
    // The open session ends and a new sign-in is refused.
    assert_eq!(officer.get("/dieu-hanh").await.status, 303);
    let mut again = Browser::anonymous(&app);
    assert_ne!(again.sign_in("chuyenvien9", "mat-khau-moi-9").await.status, 303);
    let r = admin.submit(edit, edit, &[("op", "enable")]).await;
    assert_eq!(r.status, 303);
    assert_eq!(again.sign_in("chuyenvien9", "mat-khau-moi-9").await.status, 303);

    // No administrator can lock themselves out.
    let own = "/can-bo/quan-tri/nguoi-dung/quantri";
    for fields in [
        vec![("op", "disable")],
        vec![("op", "role"), ("role", "specialist"), ("unit", "23575")],
    ] {
        let r = admin.submit(own, own, &fields).await;
        assert_eq!(r.status, 422);
    }
    let me = app.state.store().account("quantri").await.unwrap().unwrap();
    assert!(!me.disabled && me.user.role == Role::ProvinceAdmin);

    for action in [
        "admin.user.create",
        "admin.user.role",
        "admin.user.disable",
        "admin.user.enable",
    ] {
        let entries = audited(&app, action, "chuyenvien9").await;
        assert!(!entries.is_empty(), "{action}");
        assert!(entries.iter().all(|e| e.actor == "quantri"), "{action}");
    }
    assert_eq!(audited(&app, "admin.user.role", "chuyenvien9").await.len(), 2);
}

#[tokio::test]
async fn local_fees_and_withdrawal_reach_the_portal_and_the_api() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let edit = "/can-bo/quan-tri/thu-tuc/1.001193";
    let (status, before) = app.get("/api/v1/procedures/1.001193").await;
    assert_eq!(status, 200);
    assert!(before["fees"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["amount_dong"] != 35_000));

    for (fee, note) in [
        ("12,5k", ""),
        ("-3000", ""),
        ("2.000.000.000", ""),
        ("1000", &"x".repeat(501)[..]),
    ] {
        let r = admin
            .submit(edit, edit, &[("enabled", "1"), ("fee", fee), ("note", note)])
            .await;
        assert_eq!(r.status, 422, "{fee}");
        assert!(r.body.contains("error-summary"));
    }
    let r = admin
        .submit(edit, edit, &[("enabled", "maybe"), ("fee", ""), ("note", "")])
        .await;
    assert_eq!(r.status, 422);
    assert!(app.state.store().procedure_settings().await.unwrap().is_empty());

    let note = "Nghị quyết 12/2025/NQ-HĐND";
    let r = admin
        .submit(edit, edit, &[("enabled", "1"), ("fee", "35.000"), ("note", note)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, after) = app.get("/api/v1/procedures/1.001193").await;
    let fees = after["fees"].as_array().unwrap();
    assert!(!fees.is_empty());
    for f in fees {
        assert_eq!(f["amount_dong"], 35_000, "{f}");
        assert_eq!(f["description"], note);
    }
    let portal = admin.get("/thu-tuc/1.001193").await;
    assert!(portal.body.contains("35.000"), "{}", portal.body);
    let listed = admin.get("/can-bo/quan-tri/thu-tuc?loc=phi").await;
    assert_eq!(listed.attrs("data-code"), ["1.001193"]);
    let audit = audited(&app, "admin.procedure.set", "1.001193").await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].details.contains("35000"));

    // Withdrawn: gone from the portal and the API's catalogue, no new dossier, still listed here.
    let r = admin
        .submit(edit, edit, &[("enabled", "0"), ("fee", "35000"), ("note", note)])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.get("/api/v1/procedures/1.001193").await.0, 404);
    assert_eq!(admin.get("/thu-tuc/1.001193").await.status, 404);
    let (_, search) = app.get("/api/v1/procedures?q=1.001193&per_page=50").await;
    assert!(search["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["code"] != "1.001193"));
    let token = app.token("congdan1").await;
    let body = json!({"procedure": "1.001193", "unit": "23575", "channel": 2,
        "applicant": {"name": "Nguyễn Thị Lan", "personal_id": CONGDAN1_ID}});
    let (status, refused) = app.submit(&token, None, &body).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("not offered"), "{refused}");
    let withdrawn = admin.get("/can-bo/quan-tri/thu-tuc?loc=tat").await;
    assert_eq!(withdrawn.attrs("data-code"), ["1.001193"]);

    let r = admin
        .submit(edit, edit, &[("enabled", "1"), ("fee", ""), ("note", "")])
        .await;
    assert_eq!(r.status, 303);
    let (status, restored) = app.get("/api/v1/procedures/1.001193").await;
    assert_eq!(status, 200);
    assert_eq!(restored["fees"], before["fees"]);
    let (status, _) = app.submit(&token, None, &body).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn the_calendar_table_edits_and_deadlines_follow_it() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let due = "/api/v1/calendar/due?from=2026-03-02T08:00:00%2B07:00&working_days=5";
    let (_, before) = app.get(due).await;
    let before_due = before["due"].as_str().unwrap().to_string();
    assert!(before_due.starts_with("2026-03-09"), "{before}");

    let table = motcua_domain::calendar::seeded_schedules()
        .into_iter()
        .find(|s| s.year == 2026)
        .unwrap();
    let kind = |k: motcua_domain::calendar::DayOffKind| match k {
        motcua_domain::calendar::DayOffKind::Holiday => "holiday",
        motcua_domain::calendar::DayOffKind::Compensatory => "compensatory",
        motcua_domain::calendar::DayOffKind::Swapped => "swapped",
    };
    let mut lines: Vec<String> = table
        .days_off
        .iter()
        .map(|d| format!("{} | {} | {} | {}", d.date, d.name, d.name_en, kind(d.kind)))
        .collect();
    let saturdays: Vec<String> = table.working_saturdays.iter().map(|d| d.to_string()).collect();
    let page = "/can-bo/quan-tri/lich?nam=2026";
    // A Sunday as a day off, and an unreadable line: refused, the table unchanged.
    let mut bad = lines.clone();
    bad.push("2026-03-08 | Chủ nhật | Sunday | holiday".into());
    let r = admin
        .submit(
            page,
            "/can-bo/quan-tri/lich",
            &[
                ("year", "2026"),
                ("days_off", &bad.join("\n")),
                ("saturdays", &saturdays.join("\n")),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = admin
        .submit(
            page,
            "/can-bo/quan-tri/lich",
            &[("year", "2026"), ("days_off", "2026-03-04 Nghỉ"), ("saturdays", "")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Dòng 1"), "{}", r.body);
    assert_eq!(app.get(due).await.1["due"], before["due"]);

    lines.push("2026-03-04 | Nghỉ đột xuất của tỉnh | Provincial day off | swapped".into());
    let r = admin
        .submit(
            page,
            "/can-bo/quan-tri/lich",
            &[
                ("year", "2026"),
                ("days_off", &lines.join("\n")),
                ("saturdays", &saturdays.join("\n")),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, after) = app.get(due).await;
    assert!(after["due"].as_str().unwrap().starts_with("2026-03-10"), "{after}");
    let shown = admin.get(page).await;
    assert!(shown.body.contains("04/03/2026") && shown.body.contains("Nghỉ đột xuất của tỉnh"));
    assert_eq!(audited(&app, "admin.calendar.set", "2026").await.len(), 1);
}

#[tokio::test]
async fn workflows_are_edited_through_the_engine_validation() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let page = "/can-bo/quan-tri/quy-trinh/1.001193";
    let shown = admin.get(page).await;
    let start = shown.body.find("data-budget>").unwrap() + "data-budget>".len();
    let budget: u32 = shown.body[start..start + shown.body[start..].find('<').unwrap()]
        .parse()
        .unwrap();
    let half = (budget / 2).to_string();
    let over = (budget + 1).to_string();
    let step = |minutes: &str| {
        vec![
            ("id0", "tham_dinh".to_string()),
            ("name0", "Thẩm định".to_string()),
            ("name_en0", "Review".to_string()),
            ("role0", "specialist".to_string()),
            ("minutes0", minutes.to_string()),
            ("next0", "ky".to_string()),
            ("action0", "request_supplement".to_string()),
            ("id1", "ky".to_string()),
            ("name1", "Ký duyệt".to_string()),
            ("name_en1", "Sign".to_string()),
            ("role1", "leader".to_string()),
            ("minutes1", half.clone()),
            ("next1", String::new()),
            ("action1", "approve".to_string()),
            ("action1", "finish".to_string()),
        ]
    };
    // Over the legal time, then a next step that does not exist: refused, nothing saved.
    for fields in [step(&over), {
        let mut f = step(&half);
        f[5].1 = "khong_co".into();
        f
    }] {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = admin.submit(page, page, &borrowed).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("error-summary"));
    }
    assert!(app.state.store().workflows().await.unwrap().is_empty());

    let fields = step(&half);
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = admin.submit(page, page, &borrowed).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let stored = app.state.store().workflows().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["tham_dinh", "ky"]
    );
    assert!(admin.get(page).await.body.contains("data-configured=\"true\""));
    assert_eq!(audited(&app, "admin.workflow.set", "1.001193").await.len(), 1);
}

#[tokio::test]
async fn the_audit_viewer_filters_pages_and_verifies_the_chain() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    // Some history: an officer's look-up with a personal id, and administrative changes.
    let engine = app.state.engine();
    for i in 0..55 {
        engine
            .audit_event("lanhdao1", "dossier.view", &format!("X-{i}"), json!({}))
            .await;
    }
    engine
        .audit_event(
            "chuyenvien1",
            "population.lookup",
            "-",
            json!({"personal_id": CONGDAN1_ID}),
        )
        .await;
    engine.audit().flush().await.unwrap();

    let r = admin.get("/can-bo/quan-tri/nhat-ky").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("data-chain=\"intact\""), "{}", r.body);
    assert!(!r.body.contains(CONGDAN1_ID), "a personal id is shown unmasked");
    assert!(r.body.contains("064*******45"));
    // 50 a page, newest first, with a link to older entries.
    let seqs: Vec<i64> = r.attrs("data-seq").iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(seqs.len(), 50);
    assert!(seqs.windows(2).all(|w| w[0] > w[1]));
    let next_start = r.body.find("truoc=").expect("a link to older entries");
    let next_seq: i64 = r.body[next_start + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    assert_eq!(next_seq, *seqs.last().unwrap());

    let only = admin
        .get("/can-bo/quan-tri/nhat-ky?nguoi=chuyenvien1&hanh_dong=population.lookup")
        .await;
    assert_eq!(only.attrs("data-seq").len(), 1, "{}", only.body);
    let one = admin.get("/can-bo/quan-tri/nhat-ky?ho_so=X-7").await;
    assert_eq!(one.attrs("data-seq").len(), 1);
    let today = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::vietnam())
        .date_naive();
    let dated = admin
        .get(&format!(
            "/can-bo/quan-tri/nhat-ky?hanh_dong=dossier.view&tu={today}&den={today}"
        ))
        .await;
    assert_eq!(dated.attrs("data-seq").len(), 50);
    let past = admin
        .get("/can-bo/quan-tri/nhat-ky?hanh_dong=dossier.view&tu=2020-01-01&den=2020-01-31")
        .await;
    assert!(past.attrs("data-seq").is_empty());
    let bad = admin.get("/can-bo/quan-tri/nhat-ky?tu=31/12/2025").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("href=\"#tu\""));
    let reversed = admin.get("/can-bo/quan-tri/nhat-ky?tu=2026-02-01&den=2026-01-01").await;
    assert_eq!(reversed.status, 422);
    // Reading the log is itself recorded.
    assert!(!audited(&app, "audit.read", "-").await.is_empty());
}

/// The steps of a two-step workflow as the form posts them, the first step taking `first` minutes.
fn two_steps(unit: &str, first: u32, second: u32) -> Vec<(String, String)> {
    [
        ("don_vi", unit.to_string()),
        ("id0", "tham_dinh".into()),
        ("name0", "Thẩm định".into()),
        ("name_en0", "Review".into()),
        ("role0", "specialist".into()),
        ("minutes0", first.to_string()),
        ("next0", "ky".into()),
        ("action0", "request_supplement".into()),
        ("id1", "ky".into()),
        ("name1", "Ký duyệt".into()),
        ("name_en1", "Sign".into()),
        ("role1", "leader".into()),
        ("minutes1", second.to_string()),
        ("next1", String::new()),
        ("action1", "approve".into()),
        ("action1", "finish".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A counter submission of 1.001193 at `unit` (accepted on the spot): its code and state.
async fn accepted_at(app: &TestApp, unit: &str) -> (String, motcua_domain::dossier::DossierState) {
    let counter = app.token("tiepnhan1").await;
    let body = json!({"procedure": "1.001193", "unit": unit, "channel": 1,
        "applicant": {"name": "Nguyễn Văn An"}});
    let (status, created) = app.submit(&counter, None, &body).await;
    assert_eq!(status, 201, "{created}");
    let code = created["MaHoSo"].as_str().unwrap().to_string();
    let state = app.state.engine().state(&code).await.unwrap();
    (code, state)
}

/// Working minutes the dossier's current step was given.
fn step_quota(app: &TestApp, s: &motcua_domain::dossier::DossierState) -> i64 {
    app.state
        .calendar()
        .working_minutes_between(s.step_started_at.unwrap(), s.step_due.unwrap())
        .unwrap()
}

#[tokio::test]
async fn a_unit_workflow_overrides_the_default_for_that_unit_only() {
    let app = spawn_app().await;
    add_unit_admin(&app).await;
    let mut province = Browser::signed_in_with(&app, "quantri", "demo").await;
    let base = "/can-bo/quan-tri/quy-trinh/1.001193";
    // The province administrator chooses among the competent units only.
    let picker = province.get(&format!("{base}?don_vi=23575")).await;
    assert_eq!(picker.status, 200, "{}", picker.body);
    assert_eq!(picker.attrs("data-in-force"), ["builtin"]);
    assert_eq!(picker.attrs("data-unit"), ["23575"]);
    assert!(picker.body.contains("<option value=\"21583\""), "{}", picker.body);
    assert!(!picker.body.contains("<option value=\"000.00.12.H21\""));
    for unknown in ["000.00.12.H21", "99999"] {
        assert_eq!(
            province.get(&format!("{base}?don_vi={unknown}")).await.status,
            404,
            "{unknown}"
        );
    }

    // A unit administrator opens their own unit's workflow, never the default or another unit's.
    let mut unit_admin = Browser::signed_in_with(&app, "qtpleiku", "demo").await;
    let own = unit_admin.get(base).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.attrs("data-unit"), ["23575"]);
    assert_eq!(unit_admin.get(&format!("{base}?don_vi=21583")).await.status, 403);
    for other in ["21583", ""] {
        let fields = two_steps(other, 60, 60);
        let r = unit_admin.submit(base, base, &borrowed(&fields)).await;
        assert_eq!(r.status, 403, "{other:?}");
    }
    let fields = vec![("don_vi".to_string(), "21583".to_string()), ("xoa".into(), "1".into())];
    assert_eq!(unit_admin.submit(base, base, &borrowed(&fields)).await.status, 403);
    assert!(app.state.store().workflows().await.unwrap().is_empty());

    // Their own unit: saved as the unit's override, shown as in force there only.
    let fields = two_steps("23575", 60, 120);
    let r = unit_admin.submit(base, base, &borrowed(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, format!("{base}?don_vi=23575&xong=1"));
    let stored = app.state.store().workflows().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].unit.as_deref(), Some("23575"));
    assert_eq!(unit_admin.get(base).await.attrs("data-in-force"), ["unit"]);
    let elsewhere = province.get(&format!("{base}?don_vi=21583")).await;
    assert_eq!(elsewhere.attrs("data-in-force"), ["builtin"]);
    assert_eq!(province.get(base).await.attrs("data-in-force"), ["builtin"]);
    let set = audited(&app, "admin.workflow.set", "1.001193").await;
    assert_eq!(set.len(), 1);
    assert!(set[0].details.contains("\"unit\":\"23575\""), "{}", set[0].details);

    // The engine follows it: a dossier accepted at Pleiku gets the override's 60-minute first
    // step, one accepted elsewhere the default's.
    let (x_code, x) = accepted_at(&app, "23575").await;
    let (_, y) = accepted_at(&app, "21583").await;
    assert_eq!(x.step.as_deref(), Some("tham_dinh"));
    assert_eq!(step_quota(&app, &x), 60);
    let default = motcua_domain::dossier::default_workflow("1.001193", y.legal_time);
    assert_eq!(y.step.as_deref(), Some(default.steps[0].id.as_str()));
    assert_eq!(step_quota(&app, &y), i64::from(default.steps[0].quota_minutes));
    assert_ne!(step_quota(&app, &x), step_quota(&app, &y));

    // Removing the override puts the unit back on the default, for new dossiers only.
    let fields = vec![("don_vi".to_string(), "23575".to_string()), ("xoa".into(), "1".into())];
    let r = province.submit(base, base, &borrowed(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(app.state.store().workflows().await.unwrap().is_empty());
    assert_eq!(unit_admin.get(base).await.attrs("data-in-force"), ["builtin"]);
    assert_eq!(audited(&app, "admin.workflow.remove", "1.001193").await.len(), 1);
    // Nothing left to remove.
    assert_eq!(province.submit(base, base, &borrowed(&fields)).await.status, 404);
    let (_, again) = accepted_at(&app, "23575").await;
    assert_eq!(again.step.as_deref(), Some(default.steps[0].id.as_str()));
    let kept = app.state.engine().state(&x_code).await.unwrap();
    assert_eq!(kept.step.as_deref(), Some("tham_dinh"));
}

#[tokio::test]
async fn organisations_display_fields_are_edited_validated_and_audited() {
    let app = spawn_app().await;
    add_unit_admin(&app).await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let list = admin.get("/can-bo/quan-tri/don-vi").await;
    assert!(list.attrs("data-org").contains(&"23575".to_string()), "{}", list.body);
    assert!(list.body.contains("data-reference-note"));
    assert!(list.body.contains("href=\"/can-bo/quan-tri/don-vi/co-quan/23575\""));
    let page = "/can-bo/quan-tri/don-vi/co-quan/23575";
    assert_eq!(admin.get(page).await.status, 200);
    assert_eq!(admin.get("/can-bo/quan-tri/don-vi/co-quan/99999").await.status, 404);

    // A unit administrator sees the list without edit links and may not edit, even their own.
    let mut unit_admin = Browser::signed_in_with(&app, "qtpleiku", "demo").await;
    let seen = unit_admin.get("/can-bo/quan-tri/don-vi").await;
    assert_eq!(seen.status, 200);
    assert!(!seen.body.contains("/can-bo/quan-tri/don-vi/co-quan/"));
    assert_eq!(unit_admin.get(page).await.status, 403);
    let csrf = unit_admin.get("/can-bo/quan-tri/don-vi").await.csrf();
    let r = unit_admin.post(page, &[("csrf", &csrf), ("name", "Đổi tên")]).await;
    assert_eq!(r.status, 403);

    let before = app.state.store().organisation_details("23575").await.unwrap().unwrap();
    // Every problem shown at once, nothing written.
    let r = admin
        .submit(
            page,
            page,
            &[
                ("name", "  "),
                ("phone", "12345"),
                ("email", "vanphong@"),
                ("address", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    for field in ["#name", "#phone", "#email"] {
        assert!(r.body.contains(&format!("href=\"{field}\"")), "{field}: {}", r.body);
    }
    assert_eq!(
        app.state.store().organisation_details("23575").await.unwrap().unwrap(),
        before
    );

    // Saved in NFC ("Ủy" typed with a combining hook), shown by the engine at once, audited.
    let decomposed = "U\u{0309}y ban nhân dân phường Pleiku";
    let r = admin
        .submit(
            page,
            page,
            &[
                ("name", decomposed),
                ("name_en", "Pleiku Ward People's Committee"),
                ("address", "1 Trần Hưng Đạo, phường Pleiku"),
                ("phone", "0269 3824 123"),
                ("email", "ubnd.pleiku@gialai.gov.vn"),
                ("opening_hours", "Thứ Hai – Thứ Sáu, 7:00–11:30, 13:30–17:00"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = app.state.store().organisation_details("23575").await.unwrap().unwrap();
    assert_eq!(after.name, "Ủy ban nhân dân phường Pleiku");
    assert_eq!(after.phone, "0269 3824 123");
    assert_eq!(after.updated_by.as_deref(), Some("quantri"));
    assert_eq!(
        app.state.engine().organisation("23575").unwrap().name,
        "Ủy ban nhân dân phường Pleiku"
    );
    let shown = admin.get(page).await;
    assert!(shown.body.contains("value=\"ubnd.pleiku@gialai.gov.vn\""));
    let audit = audited(&app, "admin.organisation.set", "23575").await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].details.contains("0269 3824 123"), "{}", audit[0].details);
    // The administrative units themselves stay as loaded.
    assert!(app
        .state
        .store()
        .units()
        .await
        .unwrap()
        .iter()
        .any(|u| u.code == "23575"));
}

#[tokio::test]
async fn the_audit_viewer_checks_new_entries_and_the_full_check_finds_old_tampering() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let engine = app.state.engine();
    for i in 0..30 {
        engine
            .audit_event("lanhdao1", "dossier.view", &format!("X-{i}"), json!({}))
            .await;
    }
    engine.audit().flush().await.unwrap();
    let viewer = "/can-bo/quan-tri/nhat-ky";
    let first = admin.get(viewer).await;
    assert_eq!(first.attrs("data-chain"), ["intact"], "{}", first.body);
    assert_eq!(first.attrs("data-verified-from"), ["0"]);
    let checked_first: u64 = first.attrs("data-checked")[0].parse().unwrap();
    assert!(checked_first >= 30);

    // The next load walks only what was written since (its own read entry and three more).
    for i in 0..3 {
        engine
            .audit_event("lanhdao1", "dossier.view", &format!("Y-{i}"), json!({}))
            .await;
    }
    engine.audit().flush().await.unwrap();
    let second = admin.get(viewer).await;
    assert_eq!(second.attrs("data-chain"), ["intact"]);
    let from: i64 = second.attrs("data-verified-from")[0].parse().unwrap();
    assert!(from >= 30, "{from}");
    let checked: u64 = second.attrs("data-checked")[0].parse().unwrap();
    assert!((3..=5).contains(&checked), "{checked}");

    // An old entry altered in the database: the quick check cannot see it, the full one does,
    // and from then on every load reports it.
    app.state
        .store()
        .execute_raw_for_tests("UPDATE audit_log SET target = 'X-99' WHERE seq = 5")
        .await
        .unwrap();
    assert_eq!(admin.get(viewer).await.attrs("data-chain"), ["intact"]);
    let full = admin.get(&format!("{viewer}?toan_bo=1")).await;
    assert_eq!(full.attrs("data-chain"), ["broken"], "{}", full.body);
    assert_eq!(full.attrs("data-break"), ["5"]);
    assert_eq!(full.attrs("data-full"), ["true"]);
    let later = admin.get(viewer).await;
    assert_eq!(later.attrs("data-break"), ["5"], "{}", later.body);

    // A new entry altered after the checkpoint: the quick check finds it.
    let app2 = spawn_app().await;
    let mut admin2 = Browser::signed_in_with(&app2, "quantri", "demo").await;
    assert_eq!(admin2.get(viewer).await.attrs("data-chain"), ["intact"]);
    let e2 = app2.state.engine();
    for i in 0..5 {
        e2.audit_event("lanhdao1", "dossier.view", &format!("Z-{i}"), json!({}))
            .await;
    }
    e2.audit().flush().await.unwrap();
    let head = app2
        .state
        .store()
        .audit_entries(&AuditQuery {
            limit: 1,
            ..AuditQuery::default()
        })
        .await
        .unwrap()[0]
        .seq;
    app2.state
        .store()
        .execute_raw_for_tests(&format!("UPDATE audit_log SET actor = 'x' WHERE seq = {}", head - 1))
        .await
        .unwrap();
    let quick = admin2.get(viewer).await;
    assert_eq!(quick.attrs("data-break"), [(head - 1).to_string()], "{}", quick.body);
}

/// Asks the assistant until `done` holds for the answer. A rebuild takes about a second in a
/// release build and several in a debug build on a busy machine: the bound is generous.
async fn ask_until(app: &TestApp, question: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (status, body) = app
            .post("/api/v1/assistant/ask", &json!({"question": question}), None)
            .await;
        assert_eq!(status, 200, "{body}");
        if done(&body) {
            return body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the assistant still answers {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_assistant_sees_fee_changes_and_withdrawals_without_a_restart() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let question = "lệ phí đăng ký khai sinh";
    let before = ask_until(&app, question, |_| true).await;
    assert_eq!(before["procedures"][0]["code"], "1.001193", "{before}");
    assert!(!before["answer"].as_str().unwrap().contains("35.000"), "{before}");
    let generation = app.state.assistant_generation();

    let edit = "/can-bo/quan-tri/thu-tuc/1.001193";
    let r = admin
        .submit(edit, edit, &[("enabled", "1"), ("fee", "35.000"), ("note", "")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = ask_until(&app, question, |b| {
        b["answer"].as_str().is_some_and(|a| a.contains("35.000 đồng"))
    })
    .await;
    assert_eq!(after["procedures"][0]["code"], "1.001193", "{after}");
    assert!(app.state.assistant_generation() > generation);

    // Withdrawn: the assistant stops offering it; offered again: it is back.
    let r = admin
        .submit(edit, edit, &[("enabled", "0"), ("fee", ""), ("note", "")])
        .await;
    assert_eq!(r.status, 303);
    let offers = |b: &Value| {
        b["procedures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "1.001193")
    };
    ask_until(&app, question, |b| !offers(b)).await;
    let r = admin
        .submit(edit, edit, &[("enabled", "1"), ("fee", ""), ("note", "")])
        .await;
    assert_eq!(r.status, 303);
    let back = ask_until(&app, question, offers).await;
    assert!(!back["answer"].as_str().unwrap().contains("35.000"), "{back}");
}

#[tokio::test]
async fn lists_share_one_pager() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in_with(&app, "quantri", "demo").await;
    let first = admin.get("/can-bo/quan-tri/thu-tuc").await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("<li>Trang 1 / "), "{}", first.body);
    assert!(!first.body.contains("rel=\"prev\""));
    assert!(first.body.contains("trang=2\" rel=\"next\""), "{}", first.body);
    let second = admin.get("/can-bo/quan-tri/thu-tuc?trang=2").await;
    assert!(second.body.contains("trang=1\" rel=\"prev\""));
    assert!(second.body.contains("trang=3\" rel=\"next\""));
    let last_page: usize = first.body[first.body.find("<li>Trang 1 / ").unwrap() + 14..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    let last = admin.get(&format!("/can-bo/quan-tri/thu-tuc?trang={last_page}")).await;
    assert!(last.body.contains(&format!("<li>Trang {last_page} / {last_page}</li>")));
    assert!(last.body.contains("rel=\"prev\"") && !last.body.contains("rel=\"next\""));
}
