//! The lifecycle engine end to end on a real store, SQLite always and PostgreSQL when configured:
//! intake, the full processing path, rules, idempotency, concurrency, rebuild == live, outbox.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone};
use motcua_domain::calendar::{self, vietnam};
use motcua_domain::dossier::{Applicant, Status};
use motcua_domain::roles::Role;
use motcua_engine::{ActionRequest, Engine, EngineError, Submission};
use motcua_store::{on_both_backends, reference, Store, User};

#[path = "lifecycle/backoffice.rs"]
mod backoffice;
#[path = "lifecycle/feedback.rs"]
mod feedback;
#[path = "lifecycle/index.rs"]
mod index;

const PLEIKU: &str = "23575";
const QUY_NHON: &str = "21583";
const CENTRE: &str = "000.00.12.H21";

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
    vietnam().with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

struct World {
    engine: Engine,
    clock: Arc<AtomicI64>,
}

impl World {
    fn set(&self, t: DateTime<FixedOffset>) {
        self.clock.store(t.timestamp_millis(), Ordering::SeqCst);
    }
}

async fn world(store: &Store) -> World {
    let catalog = reference::embedded_catalog().unwrap();
    let wanted = ["1.001193", "1.004222", "1.012783", "1.000894"];
    let subset: Vec<_> = catalog
        .into_iter()
        .filter(|p| wanted.contains(&p.code.as_str()))
        .collect();
    store.import_procedures(&subset).await.unwrap();
    let units = reference::embedded_units().unwrap();
    let orgs = reference::province_organisations(&units, "52", "H21").unwrap();
    store.upsert_organisations(&orgs).await.unwrap();
    for s in calendar::seeded_schedules() {
        store.put_calendar_year(&s, "test").await.unwrap();
    }
    let clock = Arc::new(AtomicI64::new(at(2024, 6, 3, 9, 0).timestamp_millis()));
    let c = clock.clone();
    let engine = Engine::start(store.clone())
        .await
        .unwrap()
        .with_clock(move || vietnam().timestamp_millis_opt(c.load(Ordering::SeqCst)).unwrap());
    World { engine, clock }
}

fn user(name: &str, role: Role, unit: Option<&str>) -> User {
    User {
        username: name.into(),
        full_name: name.into(),
        role,
        unit_code: unit.map(Into::into),
        eid_level: if role == Role::Citizen { 2 } else { 0 },
        personal_id: (name == "congdan1").then(|| "064190012345".into()),
    }
}

fn counter() -> User {
    user("tiepnhan1", Role::CounterOfficer, Some(CENTRE))
}
fn specialist() -> User {
    user("chuyenvien1", Role::Specialist, Some(PLEIKU))
}
fn leader() -> User {
    user("lanhdao1", Role::Leader, Some(PLEIKU))
}
fn citizen() -> User {
    user("congdan1", Role::Citizen, None)
}

fn submission(channel: i64) -> Submission {
    Submission {
        procedure: "1.001193".into(),
        unit: PLEIKU.into(),
        channel,
        applicant: Applicant {
            name: "Nguyễn Thị Lan".into(),
            personal_id: Some("064190012345".into()),
            phone: Some("0912345678".into()),
            ..Default::default()
        },
        documents: Vec::new(),
    }
}

fn action(name: &str) -> ActionRequest {
    ActionRequest {
        action: name.into(),
        note: "ghi chú".into(),
        ..Default::default()
    }
}

on_both_backends!(
    counter_submission_runs_the_full_path,
    online_submission_waits_for_the_counter,
    rules_refuse_wrong_actors_and_second_supplement,
    same_idempotency_key_gives_the_same_dossier,
    codes_stay_unique_under_concurrent_submissions,
    concurrent_actions_one_wins_the_other_conflicts,
    rebuild_from_the_log_equals_the_live_projections,
    bad_input_is_rejected_with_field_reasons,
    documents_are_checked_and_stored_once,
    configured_workflows_apply_to_new_dossiers,
    declared_papers_are_checked_against_the_catalogue,
    two_processes_on_one_database_never_act_on_a_stale_state,
);

async fn counter_submission_runs_the_full_path(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    let done = e.submit(&counter(), submission(1), Some("k1")).await.unwrap();
    assert!(done.code.starts_with("000.00.12.H21-240603-"), "{}", done.code);
    assert_eq!(done.state.status, Status::InProgress);
    assert_eq!(done.state.received_at, Some(at(2024, 6, 3, 9, 0)));
    assert!(done.state.appointment.is_some());
    let code = done.code;
    w.set(at(2024, 6, 3, 10, 0));
    let s = e
        .act_request(&specialist(), &code, &action("forward"), None)
        .await
        .unwrap();
    assert_eq!(s.step.as_deref(), Some("lanh_dao"));
    w.set(at(2024, 6, 3, 11, 0));
    e.act_request(&leader(), &code, &action("approve"), None).await.unwrap();
    w.set(at(2024, 6, 3, 14, 0));
    let s = e
        .act_request(&specialist(), &code, &action("finish"), None)
        .await
        .unwrap();
    assert_eq!(s.status, Status::ResultReady);
    assert_eq!(s.finished_at, Some(at(2024, 6, 3, 14, 0)));
    w.set(at(2024, 6, 4, 8, 0));
    let s = e
        .act_request(&counter(), &code, &action("return_result"), None)
        .await
        .unwrap();
    assert_eq!(s.status, Status::Returned);
    let codes: Vec<u8> = s.history.iter().map(|h| h.status.code()).collect();
    assert_eq!(codes, [2, 4, 9, 10]);
    let events = store.dossier_events(&code).await.unwrap();
    assert_eq!(events.len() as i64, s.version);
    assert!(events
        .iter()
        .skip(2)
        .all(|e| e.event.verdict.is_some() || e.event.status.code() >= 9));
    // Applicant notifications and portal sync wait in the outbox, then are delivered.
    let pending = store.pending_outbox(100).await.unwrap();
    assert!(pending
        .iter()
        .any(|m| m.topic == "notification" && m.payload["kind"] == "result_ready"));
    let delivered = motcua_engine::outbox::deliver_pending(e, &motcua_engine::outbox::LogDelivery)
        .await
        .unwrap();
    assert_eq!(delivered, pending.len());
    assert!(store.pending_outbox(100).await.unwrap().is_empty());
}

async fn online_submission_waits_for_the_counter(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    // Saturday evening: submitted, not received.
    w.set(at(2024, 6, 8, 20, 0));
    let done = e.submit(&citizen(), submission(2), None).await.unwrap();
    assert_eq!(done.state.status, Status::Submitted);
    assert!(done.state.received_at.is_none());
    assert!(
        done.code.starts_with("000.53.") || done.code.contains(".H21-240608-"),
        "{}",
        done.code
    );
    assert!(done.state.identity_verified, "VNeID level 2 and own personal id");
    // Monday 08:00 the counter accepts.
    w.set(at(2024, 6, 10, 8, 0));
    let s = e
        .act_request(&counter(), &done.code, &action("accept"), None)
        .await
        .unwrap();
    assert_eq!(s.status, Status::InProgress);
    assert_eq!(s.received_at, Some(at(2024, 6, 10, 8, 0)));
    // A second online dossier is refused with reasons.
    let other = e.submit(&citizen(), submission(2), None).await.unwrap();
    let mut refuse = action("refuse");
    refuse.note = String::new();
    assert!(matches!(
        e.act_request(&counter(), &other.code, &refuse, None).await,
        Err(EngineError::Invalid { .. })
    ));
    let s = e
        .act_request(&counter(), &other.code, &action("refuse"), None)
        .await
        .unwrap();
    assert_eq!(s.status, Status::Refused);
    assert!(s.finished_at.is_some());
}

async fn rules_refuse_wrong_actors_and_second_supplement(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    let code = e.submit(&counter(), submission(1), None).await.unwrap().code;
    let other_unit = user("chuyenvien2", Role::Specialist, Some(QUY_NHON));
    // Someone with no part in the dossier is forbidden; a participant at the wrong step is refused.
    for (who, what, outsider) in [
        (&other_unit, "forward", true),
        (&leader(), "forward", false),
        (&citizen(), "forward", true),
        (&specialist(), "approve", false),
    ] {
        let r = e.act_request(who, &code, &action(what), None).await;
        let expected = if outsider {
            matches!(r, Err(EngineError::Forbidden(_)))
        } else {
            matches!(r, Err(EngineError::NotAllowed(_)))
        };
        assert!(expected, "{} {what}: {r:?}", who.username);
    }
    e.act_request(&specialist(), &code, &action("request_supplement"), None)
        .await
        .unwrap();
    w.set(at(2024, 6, 4, 9, 0));
    let s = e
        .act_request(&counter(), &code, &action("supplement"), None)
        .await
        .unwrap();
    assert_eq!(s.paused_minutes, 480, "one working day waiting");
    let second = e
        .act_request(&specialist(), &code, &action("request_supplement"), None)
        .await;
    assert!(matches!(second, Err(EngineError::NotAllowed(_))), "{second:?}");
    let unknown = e
        .act_request(&specialist(), &code, &action("no_such_action"), None)
        .await;
    assert!(matches!(unknown, Err(EngineError::Invalid { .. })));
}

async fn same_idempotency_key_gives_the_same_dossier(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    let a = e.submit(&counter(), submission(1), Some("same")).await.unwrap();
    let b = e.submit(&counter(), submission(1), Some("same")).await.unwrap();
    assert_eq!(a.code, b.code);
    assert!(b.replayed);
    // Concurrent repeats of one key: one dossier.
    let futures: Vec<_> = (0..8)
        .map(|_| {
            let e = e.clone();
            tokio::spawn(async move { e.submit(&counter(), submission(1), Some("burst")).await.map(|d| d.code) })
        })
        .collect();
    let mut codes = HashSet::new();
    for f in futures {
        codes.insert(f.await.unwrap().unwrap());
    }
    assert_eq!(codes.len(), 1);
    assert_eq!(store.dossier_totals().await.unwrap().0, 2);
    // An action repeated with its key is taken once.
    let s1 = e
        .act_request(&specialist(), &a.code, &action("forward"), Some("fwd"))
        .await
        .unwrap();
    let s2 = e
        .act_request(&specialist(), &a.code, &action("forward"), Some("fwd"))
        .await
        .unwrap();
    assert_eq!(s1.version, s2.version);
}

async fn codes_stay_unique_under_concurrent_submissions(store: &Store) {
    let w = world(store).await;
    let tasks: Vec<_> = (0..120)
        .map(|i| {
            let e = w.engine.clone();
            tokio::spawn(async move {
                let who = if i % 2 == 0 { counter() } else { citizen() };
                e.submit(&who, submission(if i % 2 == 0 { 1 } else { 2 }), None)
                    .await
                    .map(|d| d.code)
            })
        })
        .collect();
    let mut codes = HashSet::new();
    for t in tasks {
        let code = t.await.unwrap().unwrap();
        assert!(code.len() == 25, "{code}");
        assert!(codes.insert(code), "duplicate code");
    }
    // Per receiving unit and day the sequence has no gap.
    let centre: Vec<u32> = {
        let mut v: Vec<u32> = codes
            .iter()
            .filter(|c| c.starts_with(CENTRE))
            .map(|c| c[c.len() - 4..].parse().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(centre, (1..=60).collect::<Vec<_>>());
}

async fn concurrent_actions_one_wins_the_other_conflicts(store: &Store) {
    let w = world(store).await;
    let code = w.engine.submit(&counter(), submission(1), None).await.unwrap().code;
    let attempts: Vec<_> = (0..6)
        .map(|_| {
            let (e, code) = (w.engine.clone(), code.clone());
            tokio::spawn(async move { e.act_request(&specialist(), &code, &action("forward"), None).await })
        })
        .collect();
    let mut won = 0;
    for a in attempts {
        match a.await.unwrap() {
            Ok(_) => won += 1,
            Err(EngineError::Conflict | EngineError::NotAllowed(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(w.engine.state(&code).await.unwrap().version, 3);
}

async fn rebuild_from_the_log_equals_the_live_projections(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    for i in 0..12u32 {
        w.set(at(2024, 6, 3 + i % 5, 8 + i % 6, 5 * i % 60));
        let code = e.submit(&counter(), submission(1), None).await.unwrap().code;
        w.set(at(2024, 6, 10 + i % 5, 9, 0));
        if i % 3 == 0 {
            e.act_request(&specialist(), &code, &action("request_supplement"), None)
                .await
                .unwrap();
            e.act_request(&counter(), &code, &action("supplement"), None)
                .await
                .unwrap();
        }
        e.act_request(&specialist(), &code, &action("forward"), None)
            .await
            .unwrap();
        if i % 4 == 1 {
            e.act_request(&leader(), &code, &action("stop"), None).await.unwrap();
            continue;
        }
        e.act_request(&leader(), &code, &action("approve"), None).await.unwrap();
        e.act_request(&specialist(), &code, &action("finish"), None)
            .await
            .unwrap();
        if i % 2 == 0 {
            e.act_request(&counter(), &code, &action("return_result"), None)
                .await
                .unwrap();
        }
    }
    let live = store.projection_snapshot().await.unwrap();
    assert_eq!(live.0.len(), 12);
    assert!(!live.1.is_empty());
    let (dossiers, events) = store.rebuild_projections().await.unwrap();
    assert_eq!(dossiers, 12);
    assert!(events > 40);
    assert_eq!(store.projection_snapshot().await.unwrap(), live);
}

async fn bad_input_is_rejected_with_field_reasons(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    let cases: Vec<(Submission, &str)> = vec![
        (
            Submission {
                procedure: "9.999999".into(),
                ..submission(1)
            },
            "procedure",
        ),
        (
            Submission {
                unit: "99999".into(),
                ..submission(1)
            },
            "unit",
        ),
        (
            Submission {
                unit: CENTRE.into(),
                ..submission(1)
            },
            "unit",
        ),
        (
            Submission {
                channel: 7,
                ..submission(1)
            },
            "channel",
        ),
        (
            Submission {
                applicant: Applicant {
                    personal_id: Some("0641900001234".into()),
                    ..submission(1).applicant
                },
                ..submission(1)
            },
            "applicant.personal_id",
        ),
        (
            Submission {
                applicant: Applicant {
                    name: " ".into(),
                    ..submission(1).applicant
                },
                ..submission(1)
            },
            "applicant.name",
        ),
        (
            Submission {
                applicant: Applicant {
                    phone: Some("12".into()),
                    ..submission(1).applicant
                },
                ..submission(1)
            },
            "applicant.phone",
        ),
    ];
    for (sub, field) in cases {
        match e.submit(&counter(), sub, None).await {
            Err(EngineError::Invalid { fields, .. }) => assert_eq!(fields[0].0, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    // A citizen cannot record a counter submission; nothing was written by any of these.
    assert!(matches!(
        e.submit(&citizen(), submission(1), None).await,
        Err(EngineError::NotAllowed(_))
    ));
    assert_eq!(store.dossier_totals().await.unwrap(), (0, 0));
}

async fn documents_are_checked_and_stored_once(store: &Store) {
    use motcua_engine::documents::{file_path, DocumentMeta};
    let files = std::env::temp_dir().join(format!("motcua-docs-test-{}-{:?}", std::process::id(), store.backend()));
    let w = world(store).await;
    let e = w.engine.clone().with_files_dir(files.clone());
    let code = e.submit(&citizen(), submission(2), None).await.unwrap().code;
    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let meta = |component: &str| DocumentMeta {
        component: component.into(),
        file_name: "to-khai.pdf".into(),
        digitised: true,
        ..Default::default()
    };
    let first = e
        .attach_document(&citizen(), &code, meta("Tờ khai"), &pdf)
        .await
        .unwrap();
    let second = e
        .attach_document(&counter(), &code, meta("Bản sao"), &pdf)
        .await
        .unwrap();
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_eq!(first.hash, second.hash, "same content, one file");
    assert!(file_path(&files, &first.hash).exists());
    // Not a PDF/JPEG/PNG, empty, or from someone else: refused, nothing stored.
    let refused = [
        e.attach_document(&citizen(), &code, meta("x"), b"MZ\x90 executable")
            .await,
        e.attach_document(&citizen(), &code, meta("x"), b"").await,
        e.attach_document(&user("congdan2", Role::Citizen, None), &code, meta("x"), &pdf)
            .await,
        e.attach_document(
            &citizen(),
            &code,
            DocumentMeta {
                is_result: true,
                ..meta("x")
            },
            &pdf,
        )
        .await,
    ];
    assert!(refused.iter().all(Result::is_err), "{refused:?}");
    assert_eq!(store.dossier_documents(&code).await.unwrap().len(), 2);
    let (doc, bytes) = e.document_content(&citizen(), &code, 1).await.unwrap();
    assert_eq!((doc.component.as_str(), bytes), ("Tờ khai", pdf.clone()));
    assert!(e
        .document_content(&user("congdan2", Role::Citizen, None), &code, 1)
        .await
        .is_err());

    // Submitted with its files: one bad file refuses the whole application and writes nothing;
    // good ones are attached and the log records digitised (and reused) papers for the index.
    use motcua_engine::documents::NewDocument;
    use motcua_engine::SubmitOptions;
    let new_doc = |m: DocumentMeta, bytes: &[u8]| NewDocument {
        meta: m,
        bytes: bytes.to_vec(),
    };
    let (before, _) = store.dossier_totals().await.unwrap();
    let bad = e
        .submit_with_documents(
            &citizen(),
            submission(2),
            None,
            SubmitOptions::default(),
            vec![new_doc(meta("Tờ khai"), &pdf), new_doc(meta("Bản sao"), b"plain text")],
        )
        .await;
    assert!(matches!(bad, Err(EngineError::Invalid { .. })), "{bad:?}");
    assert_eq!(
        store.dossier_totals().await.unwrap().0,
        before,
        "no dossier half-written"
    );
    let reused = DocumentMeta {
        reused: true,
        ..meta("Bản sao")
    };
    let done = e
        .submit_with_documents(
            &citizen(),
            submission(2),
            None,
            SubmitOptions::default(),
            vec![new_doc(meta("Tờ khai"), &pdf), new_doc(reused, &pdf)],
        )
        .await
        .unwrap();
    assert!(done.state.digitised_components && done.state.reused_data);
    let attached = store.dossier_documents(&done.code).await.unwrap();
    assert_eq!(attached.iter().map(|d| d.reused).collect::<Vec<_>>(), [false, true]);
    let record = motcua_domain::dossier::exchange::export_record(&done.code, &done.state, None);
    assert_eq!(
        (record.digitised_components, record.reused_digitised_data),
        (Some(true), Some(true))
    );
    let plain = e.submit(&citizen(), submission(2), None).await.unwrap();
    assert!(!plain.state.digitised_components && !plain.state.reused_data);
    let _ = std::fs::remove_dir_all(&files);
}

async fn configured_workflows_apply_to_new_dossiers(store: &Store) {
    use motcua_domain::dossier::{default_workflow, LegalTime, Step};
    let w = world(store).await;
    let e = &w.engine;
    // A two-step workflow for Pleiku: the specialist finishes after the leader approves.
    let mut wf = default_workflow("1.001193", LegalTime::WorkingMinutes(480));
    wf.unit = Some(PLEIKU.into());
    wf.steps.remove(2);
    wf.steps[1].next.clear();
    wf.steps[1].actions.push(motcua_domain::dossier::Action::Finish);
    e.put_workflow(&wf, "quantri").await.unwrap();
    // Invalid ones are refused: unreachable step, quotas over the legal time.
    let mut unreachable = wf.clone();
    unreachable.steps.push(Step {
        id: "mo_coi".into(),
        next: vec![],
        ..wf.steps[0].clone()
    });
    assert!(matches!(
        e.put_workflow(&unreachable, "quantri").await,
        Err(EngineError::Invalid { .. })
    ));
    let mut too_long = wf.clone();
    too_long.steps[0].quota_minutes = 10_000;
    assert!(matches!(
        e.put_workflow(&too_long, "quantri").await,
        Err(EngineError::Invalid { .. })
    ));
    let code = e.submit(&counter(), submission(1), None).await.unwrap().code;
    e.act_request(&specialist(), &code, &action("forward"), None)
        .await
        .unwrap();
    let s = e.act_request(&leader(), &code, &action("finish"), None).await.unwrap();
    assert_eq!(s.status, Status::ResultReady);
    // Quy Nhơn keeps the default three steps.
    let other = e
        .submit(
            &counter(),
            Submission {
                unit: QUY_NHON.into(),
                ..submission(1)
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(other.state.workflow.unwrap().steps.len(), 3);
}

async fn declared_papers_are_checked_against_the_catalogue(store: &Store) {
    use motcua_domain::dossier::DeclaredDocument;
    let w = world(store).await;
    let e = &w.engine;
    let procedure = e.catalog().get("1.001193").cloned().unwrap();
    let names: Vec<String> = procedure.documents.iter().map(|d| d.name.clone()).collect();
    eprintln!("documents of 1.001193: {names:#?}");
    let all: Vec<DeclaredDocument> = names
        .iter()
        .map(|n| DeclaredDocument {
            component: n.clone(),
            originals: 1,
            copies: 0,
        })
        .collect();
    let ok = e
        .submit(
            &counter(),
            Submission {
                documents: all.clone(),
                ..submission(1)
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(ok.state.documents.len(), names.len());
    let unknown = vec![DeclaredDocument {
        component: "Giấy phép lái xe".into(),
        originals: 1,
        copies: 0,
    }];
    match e
        .submit(
            &counter(),
            Submission {
                documents: unknown,
                ..submission(1)
            },
            None,
        )
        .await
    {
        Err(EngineError::Invalid { fields, .. }) => assert_eq!(fields[0].0, "documents[0].component"),
        other => panic!("{other:?}"),
    }
    // Declaring only conditional papers leaves the unconditional ones missing.
    let conditional: Vec<DeclaredDocument> = all
        .iter()
        .filter(|d| motcua_domain::text::fold(&d.component).contains("truong hop"))
        .cloned()
        .collect();
    if !conditional.is_empty() && conditional.len() < all.len() {
        match e
            .submit(
                &counter(),
                Submission {
                    documents: conditional,
                    ..submission(1)
                },
                None,
            )
            .await
        {
            Err(EngineError::Invalid { fields, .. }) => assert_eq!(fields[0].0, "documents"),
            other => panic!("{other:?}"),
        }
    }
}

async fn two_processes_on_one_database_never_act_on_a_stale_state(store: &Store) {
    let w = world(store).await;
    let a = w.engine.clone();
    // A second engine on the same database, as a second server process would be.
    let b = Engine::start(store.clone()).await.unwrap();
    let code = a.submit(&counter(), submission(1), None).await.unwrap().code;
    a.act_request(&specialist(), &code, &action("forward"), None)
        .await
        .unwrap();
    // B approves: A's remembered state is now one version behind.
    b.act_request(&leader(), &code, &action("approve"), None).await.unwrap();
    // A acting on its stale copy is refused by the version check, not applied twice...
    let stale = a.act_request(&leader(), &code, &action("approve"), None).await;
    assert!(matches!(stale, Err(EngineError::Conflict)), "{stale:?}");
    // ...and the retry reads the database: the dossier is at the result step now.
    let s = a
        .act_request(&specialist(), &code, &action("finish"), None)
        .await
        .unwrap();
    assert_eq!(s.status, Status::ResultReady);
    assert_eq!(store.dossier_events(&code).await.unwrap().len(), 5);
}
