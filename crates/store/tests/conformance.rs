//! The store conformance suite: every store operation, run against SQLite always and against
//! PostgreSQL when `MOTCUA_TEST_PG_URL` is set (each PostgreSQL test gets its own database).

use motcua_domain::calendar;
use motcua_store::reference::{self, embedded_catalog, embedded_units};
use motcua_store::{Backend, NewUser, Role, Store, User};

use motcua_store::on_both_backends;
use motcua_store::replace_database;
use motcua_store::testing::TestDb;

#[path = "conformance/admin.rs"]
mod admin;
#[path = "conformance/backoffice.rs"]
mod backoffice;
#[path = "conformance/inbox.rs"]
mod inbox;
#[path = "conformance/index.rs"]
mod index;

on_both_backends!(
    migrations_are_idempotent,
    reference_data_loads_once_and_reimport_changes_nothing,
    procedures_round_trip,
    calendar_tables_round_trip,
    organisations_of_gia_lai,
    accounts_and_tokens,
    settings_round_trip,
    plans_round_trip_and_replace,
    reported_values_need_another_approver,
    par_trees_and_scores_round_trip,
    directives_round_trip,
    bundles_validate_before_writing,
    directive_progress_is_added,
);

async fn migrations_are_idempotent(store: &Store) {
    assert!(
        store.migrate().await.unwrap().is_empty(),
        "second migrate applies nothing"
    );
    store.ping().await.unwrap();
}

async fn reference_data_loads_once_and_reimport_changes_nothing(store: &Store) {
    let load = reference::load_reference_if_empty(store).await.unwrap();
    let units = load.units.expect("units loaded into the empty store");
    assert!(units.inserted > 3_321, "both eras of units: {units:?}");
    assert_eq!(load.procedures.unwrap().inserted, 2_642);
    assert_eq!(load.calendar_years, 3);
    // Second time: nothing to do.
    let again = reference::load_reference_if_empty(store).await.unwrap();
    assert!(again.units.is_none() && again.procedures.is_none() && again.calendar_years == 0);
    // Importing the same data explicitly changes nothing either.
    let re = store.import_units(&embedded_units().unwrap()).await.unwrap();
    assert_eq!((re.inserted, re.updated), (0, 0));
    let re = store.import_procedures(&embedded_catalog().unwrap()).await.unwrap();
    assert_eq!((re.inserted, re.updated, re.unchanged), (0, 0, 2_642));
    let stored = store.units().await.unwrap();
    assert_eq!(stored.len() as u64, units.inserted);
    let merges = store.unit_merges().await.unwrap();
    assert!(merges.iter().any(|m| m.new_code == "52" && m.old_code == "64"));
}

async fn procedures_round_trip(store: &Store) {
    let catalog = embedded_catalog().unwrap();
    let sample: Vec<_> = catalog
        .iter()
        .filter(|p| p.code == "1.001193" || p.code == "1.004222")
        .cloned()
        .collect();
    assert_eq!(sample.len(), 2);
    let first = store.import_procedures(&sample).await.unwrap();
    assert_eq!(first.inserted, 2);
    let back = store.procedure("1.001193").await.unwrap().unwrap();
    assert_eq!(&back, sample.iter().find(|p| p.code == "1.001193").unwrap());
    assert!(store.procedure("9.999999").await.unwrap().is_none());
    let mut changed = sample[0].clone();
    changed.name.push_str(" (sửa)");
    let second = store.import_procedures(&[changed.clone()]).await.unwrap();
    assert_eq!(second.updated, 1);
    assert_eq!(
        store.procedure(&changed.code).await.unwrap().unwrap().name,
        changed.name
    );
    assert_eq!(store.count_procedures().await.unwrap(), 2);
}

async fn calendar_tables_round_trip(store: &Store) {
    assert!(store.calendar_years().await.unwrap().is_empty());
    for s in calendar::seeded_schedules() {
        store.put_calendar_year(&s, "test").await.unwrap();
    }
    let back = store.calendar_years().await.unwrap();
    assert_eq!(back, calendar::seeded_schedules());
    // An admin edit replaces the year.
    let mut edited = back[0].clone();
    edited.working_saturdays.clear();
    store.put_calendar_year(&edited, "quantri").await.unwrap();
    assert_eq!(store.calendar_years().await.unwrap()[0], edited);
}

async fn organisations_of_gia_lai(store: &Store) {
    reference::load_reference_if_empty(store).await.unwrap();
    let units = store.units().await.unwrap();
    let orgs = reference::province_organisations(&units, "52", "H21").unwrap();
    store.upsert_organisations(&orgs).await.unwrap();
    store.upsert_organisations(&orgs).await.unwrap();
    let stored = store.organisations().await.unwrap();
    assert_eq!(stored.len(), orgs.len());
    let communes = stored.iter().filter(|o| o.admin_unit_code.is_some()).count();
    assert_eq!(communes, 135);
    let pleiku = store.organisation("23575").await.unwrap().unwrap();
    assert_eq!(pleiku.name, "UBND Phường Pleiku");
    let centre = store.organisation("000.00.12.H21").await.unwrap().unwrap();
    assert_eq!(centre.kind, "service_centre");
}

async fn accounts_and_tokens(store: &Store) {
    let user = User {
        username: "congdan1".into(),
        full_name: "Nguyễn Thị Lan".into(),
        role: Role::Citizen,
        unit_code: None,
        eid_level: 2,
        personal_id: Some("064190012345".into()),
    };
    store
        .upsert_user(&NewUser {
            user: user.clone(),
            password_hash: "$argon2id$placeholder".into(),
        })
        .await
        .unwrap();
    let (found, hash) = store.user_credentials("congdan1").await.unwrap().unwrap();
    assert_eq!(found, user);
    assert_eq!(hash, "$argon2id$placeholder");
    assert!(store.user_credentials("nobody").await.unwrap().is_none());
    let future = chrono::Utc::now().timestamp_millis() + 60_000;
    store.insert_token("digest-live", "congdan1", future).await.unwrap();
    store.insert_token("digest-expired", "congdan1", 1).await.unwrap();
    assert_eq!(
        store.token_owner("digest-live").await.unwrap().unwrap().user.username,
        "congdan1"
    );
    assert!(store.token_owner("digest-expired").await.unwrap().is_none());
    assert_eq!(store.purge_expired_tokens().await.unwrap(), 1);
    assert_eq!(store.users().await.unwrap().len(), 1);
    // Debug output never shows the personal id.
    assert!(!format!("{found:?}").contains("064190012345"));
}

async fn settings_round_trip(store: &Store) {
    assert_eq!(store.setting("province_code").await.unwrap(), None);
    store.set_setting("province_code", "52").await.unwrap();
    store.set_setting("province_code", "64").await.unwrap();
    assert_eq!(store.setting("province_code").await.unwrap().as_deref(), Some("64"));
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    assert_eq!(sqlite.store.backend(), Backend::Sqlite);
    assert_eq!(pg.store.backend(), Backend::Postgres);
    let a = sqlite.store.table_columns().await.unwrap();
    let b = pg.store.table_columns().await.unwrap();
    assert!(a.contains_key("procedures") && a.contains_key("schema_migrations"));
    assert_eq!(a, b);
    sqlite.finish().await;
    pg.finish().await;
}

#[tokio::test]
async fn sqlite_backup_is_a_readable_copy() {
    let db = TestDb::sqlite().await;
    db.store.set_setting("k", "v").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("copy.sqlite");
    db.store.backup_to(&dest).await.unwrap();
    assert!(db.store.backup_to(&dest).await.is_err(), "never overwrites");
    let copy = Store::open(&format!("sqlite://{}", dest.display())).await.unwrap();
    assert_eq!(copy.setting("k").await.unwrap().as_deref(), Some("v"));
    copy.close().await;
    db.finish().await;
}

#[test]
fn database_name_is_replaced_in_urls() {
    assert_eq!(
        replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        replace_database("postgres://127.0.0.1/test?sslmode=disable", "x"),
        "postgres://127.0.0.1/x?sslmode=disable"
    );
    assert_eq!(replace_database("postgres://127.0.0.1", "x"), "postgres://127.0.0.1/x");
}

#[test]
fn unsupported_urls_and_passwords_are_not_echoed() {
    assert_eq!(
        motcua_store::redact_url("postgres://u:secret@h/db"),
        "postgres://u:***@h/db"
    );
}

fn sample_plan() -> motcua_domain::plans::Plan {
    motcua_domain::plans::sample_bundles()
        .unwrap()
        .into_iter()
        .flat_map(|b| b.plans)
        .next()
        .unwrap()
}

async fn plans_round_trip_and_replace(store: &Store) {
    assert!(store.plans().await.unwrap().is_empty());
    let plan = sample_plan();
    store.put_plan(&plan, "quantri").await.unwrap();
    assert_eq!(store.plan(&plan.id).await.unwrap().as_ref(), Some(&plan));
    // Replacing drops removed indicators and targets and keeps the order given.
    let mut changed = plan.clone();
    changed.indicators.truncate(3);
    changed.indicators.reverse();
    changed.indicators[0].targets.insert("2024-05".into(), 12.5);
    changed.name.push_str(" (sửa)");
    store.put_plan(&changed, "quantri").await.unwrap();
    assert_eq!(store.plans().await.unwrap(), vec![changed.clone()]);
    let mut bad = changed.clone();
    bad.indicators[0].metric = Some("no_such_metric".into());
    assert!(store.put_plan(&bad, "quantri").await.is_err());
    assert_eq!(store.plan(&plan.id).await.unwrap(), Some(changed));
    assert!(store.plan("none").await.unwrap().is_none());
}

async fn reported_values_need_another_approver(store: &Store) {
    use motcua_store::plans::{ApprovalError, NewValue};
    let plan = sample_plan();
    store.put_plan(&plan, "quantri").await.unwrap();
    let new = |value: f64, by: &'static str| NewValue {
        plan_id: "cds-2024",
        indicator_id: "cds-08",
        period: "2024-Q1",
        value,
        evidence_ref: "Báo cáo 1/BC",
        note: "",
        submitted_by: by,
    };
    let first = store.submit_value(&new(40.0, "a")).await.unwrap();
    let second = store.submit_value(&new(47.5, "b")).await.unwrap();
    assert_ne!(first, second);
    assert!(store.approved_values("cds-2024", "2024-Q1").await.unwrap().is_empty());
    assert_eq!(
        store.approve_value(first, "a").await.unwrap(),
        Err(ApprovalError::OwnValue)
    );
    let approved = store.approve_value(first, "b").await.unwrap().unwrap();
    assert_eq!(approved.approved_by.as_deref(), Some("b"));
    assert!(approved.approved_at.is_some());
    assert_eq!(
        store.approve_value(first, "c").await.unwrap(),
        Err(ApprovalError::AlreadyApproved)
    );
    assert_eq!(
        store.approve_value(9_999, "c").await.unwrap(),
        Err(ApprovalError::NotFound)
    );
    let counted = store.approved_values("cds-2024", "2024-Q1").await.unwrap();
    assert_eq!(counted["cds-08"].value, 40.0);
    // The later approval wins.
    store.approve_value(second, "a").await.unwrap().unwrap();
    let counted = store.approved_values("cds-2024", "2024-Q1").await.unwrap();
    assert_eq!((counted.len(), counted["cds-08"].value), (1, 47.5));
    assert_eq!(store.values("cds-2024", Some("cds-08"), None).await.unwrap().len(), 2);
    assert!(store
        .values("cds-2024", None, Some("2024-Q2"))
        .await
        .unwrap()
        .is_empty());
    assert!(store.submit_value(&new(f64::NAN, "a")).await.is_err());
}

async fn par_trees_and_scores_round_trip(store: &Store) {
    let bundles = motcua_domain::plans::sample_bundles().unwrap();
    let tree = bundles.iter().flat_map(|b| &b.par_trees).next().unwrap().clone();
    let years: Vec<_> = bundles.iter().flat_map(|b| &b.par_years).cloned().collect();
    assert!(store.put_par_year(&years[0]).await.is_err(), "scores need their tree");
    store.put_par_tree(&tree).await.unwrap();
    for y in &years {
        store.put_par_year(y).await.unwrap();
    }
    assert_eq!(store.par_trees().await.unwrap(), vec![tree.clone()]);
    assert_eq!(store.par_years(&tree.version).await.unwrap(), years);
    let mut bad = years[1].clone();
    bad.scores.insert("no-such-node".into(), Default::default());
    assert!(store.put_par_year(&bad).await.is_err());
    assert_eq!(
        store.par_years(&tree.version).await.unwrap(),
        years,
        "nothing half-written"
    );
}

async fn directives_round_trip(store: &Store) {
    let bundles = motcua_domain::plans::sample_bundles().unwrap();
    let mut directives: Vec<_> = bundles.iter().flat_map(|b| &b.directives).cloned().collect();
    for d in &directives {
        store.put_directive(d).await.unwrap();
    }
    directives.sort_by(|a, b| a.deadline.cmp(&b.deadline).then_with(|| a.id.cmp(&b.id)));
    for d in &mut directives {
        d.assignees.sort();
    }
    assert_eq!(store.directives().await.unwrap(), directives);
    let mut done = directives[0].clone();
    done.progress.clear();
    done.assignees = vec!["23575".into()];
    store.put_directive(&done).await.unwrap();
    let back = store.directives().await.unwrap();
    assert_eq!(back.iter().find(|d| d.id == done.id), Some(&done));
}

async fn directive_progress_is_added(store: &Store) {
    use motcua_domain::plans::{DirectiveStatus, ProgressReport};
    let bundles = motcua_domain::plans::sample_bundles().unwrap();
    let mut open = bundles.iter().flat_map(|b| &b.directives).next().unwrap().clone();
    open.status = DirectiveStatus::Open;
    open.completed_at = None;
    open.progress.clear();
    store.put_directive(&open).await.unwrap();
    let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
    let report = ProgressReport {
        on: day("2024-02-01"),
        unit: open.assignees[0].clone(),
        note: "Đã rà soát 40 thủ tục".into(),
        evidence_ref: "Báo cáo 3/BC".into(),
    };
    assert!(!store.add_directive_progress("no-such", &report, None).await.unwrap());
    assert!(store.add_directive_progress(&open.id, &report, None).await.unwrap());
    let back = store.directives().await.unwrap().remove(0);
    assert_eq!((back.status, back.completed_at), (DirectiveStatus::InProgress, None));
    assert_eq!(back.progress, vec![report.clone()]);
    let last = ProgressReport {
        on: day("2024-02-20"),
        ..report.clone()
    };
    assert!(store
        .add_directive_progress(&open.id, &last, Some(last.on))
        .await
        .unwrap());
    let back = store.directives().await.unwrap().remove(0);
    assert_eq!(
        (back.status, back.completed_at),
        (DirectiveStatus::Completed, Some(last.on))
    );
    assert_eq!(back.progress, vec![report, last]);
    back.validate().unwrap();
}

async fn bundles_validate_before_writing(store: &Store) {
    let mut bundle = motcua_domain::plans::sample_bundles().unwrap().remove(0);
    bundle.reported_values[0].approved_by = Some(bundle.reported_values[0].submitted_by.clone());
    assert!(store.import_plans_bundle(&bundle, "quantri").await.is_err());
    assert!(store.plans().await.unwrap().is_empty(), "nothing written");
    let bundle = motcua_domain::plans::sample_bundles().unwrap().remove(0);
    let done = store.import_plans_bundle(&bundle, "quantri").await.unwrap();
    assert_eq!((done.plans, done.values), (1, bundle.reported_values.len() as u32));
    // Importing again adds no duplicate values.
    let again = store.import_plans_bundle(&bundle, "quantri").await.unwrap();
    assert_eq!(again.values, 0);
}
