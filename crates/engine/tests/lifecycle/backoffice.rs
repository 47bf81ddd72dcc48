//! Back office in the engine: the population registries (embedded; HTTP against a real local
//! server that can be told to fail or stall), look-up logging, counter intake with identity
//! verification, the inbox queues and search, claim and assign — on both backends.

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use motcua_domain::dossier::{Applicant, Status};
use motcua_domain::roles::Role;
use motcua_engine::inbox::InboxParams;
use motcua_engine::population::{
    parse_population_csv, synthetic_citizens, BreakerState, HttpRegistry, HttpRegistryConfig, LookupRequest,
    PopulationRegistry, RegistryError,
};
use motcua_engine::{EngineError, Submission, SubmitOptions};
use motcua_store::{on_both_backends, Store};

use super::{at, counter, leader, specialist, user, world, CENTRE, PLEIKU};

// ---------------------------------------------------------------- CSV and synthetic citizens

#[test]
fn csv_import_validates_every_line() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let header = "personal_id,full_name,birth_date,sex,permanent_residence,current_residence,place_of_origin,ethnicity,nationality";
    let good = format!(
        "{header}\n064190012345,Nguyễn Thị Lan,1990-03-14,nữ,\"Phường Pleiku, tỉnh Gia Lai\",,,Kinh,\n\
         052085006789,Trần Văn Minh,1985-09-02,nam,Phường Quy Nhơn,,,,Việt Nam\n"
    );
    let people = parse_population_csv(&good, today).unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].nationality, "Việt Nam");
    assert_eq!(people[0].permanent_residence, "Phường Pleiku, tỉnh Gia Lai");
    // Sex disagreeing with the number, year disagreeing, unknown province, a bad date, a
    // duplicate: every bad line is reported with its number, and nothing is returned.
    let bad = format!(
        "{header}\n064190012345,A,1990-03-14,nam,X,,,,\n064190012346,B,1991-03-14,nữ,X,,,,\n\
         999190012347,C,1990-03-14,nữ,X,,,,\n064190012348,D,14/03/1990,nữ,X,,,,\n\
         052085006789,E,1985-09-02,nam,X,,,,\n052085006789,E,1985-09-02,nam,X,,,,\n"
    );
    let errors = parse_population_csv(&bad, today).unwrap_err();
    assert_eq!(errors.len(), 5, "{errors:?}");
    for (line, field) in [
        (2, "personal_id"),
        (3, "personal_id"),
        (4, "personal_id"),
        (5, "birth_date"),
        (7, "personal_id"),
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("line {line}: {field}"))),
            "line {line}: {errors:?}"
        );
    }
    assert!(
        errors.iter().all(|e| !e.contains("052085006789")),
        "numbers masked in messages"
    );
    assert!(parse_population_csv("id,name\n1,2\n", today).is_err());
}

#[test]
fn synthetic_citizens_obey_the_personal_id_rules() {
    let people = synthetic_citizens(3_000, 6);
    assert_eq!(people.len(), 3_000);
    assert_eq!(people[0].personal_id, "064190012345");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut seen = std::collections::HashSet::new();
    for p in &people {
        let check =
            motcua_domain::ids::check_personal_id(&p.personal_id, Some(p.birth_date), Some(p.sex), today).unwrap();
        assert!(check.valid, "{:?}: {:?}", p, check.problems);
        assert!(seen.insert(p.personal_id.clone()), "unique");
    }
    assert_eq!(synthetic_citizens(50, 6), people[..50].to_vec(), "deterministic");
}

// ---------------------------------------------------------------- HTTP registry

/// A stand-in for the provincial platform: answers by mode (0 normal, 1 fail with 503, 2 stall).
struct FakePlatform {
    base: String,
    mode: Arc<AtomicU8>,
    hits: Arc<AtomicU32>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn fake_platform() -> FakePlatform {
    use axum::http::StatusCode;
    use axum::routing::post;
    let mode = Arc::new(AtomicU8::new(0));
    let hits = Arc::new(AtomicU32::new(0));
    let (m, h) = (mode.clone(), hits.clone());
    let app = axum::Router::new().route(
        "/dancu/citizens/lookup",
        post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let (m, h) = (m.clone(), h.clone());
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                match m.load(Ordering::SeqCst) {
                    1 => return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({}))),
                    2 => tokio::time::sleep(Duration::from_secs(5)).await,
                    _ => {}
                }
                let pid = body["personal_id"].as_str().unwrap_or_default().to_string();
                match synthetic_citizens(20, 6).into_iter().find(|c| c.personal_id == pid) {
                    Some(c) => (StatusCode::OK, axum::Json(serde_json::to_value(c).unwrap())),
                    None => (
                        StatusCode::NOT_FOUND,
                        axum::Json(serde_json::json!({"error": "not found"})),
                    ),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    FakePlatform {
        base: format!("http://{addr}/dancu"),
        mode,
        hits,
        _stop: tx,
    }
}

fn config(base: &str) -> HttpRegistryConfig {
    HttpRegistryConfig {
        timeout: Duration::from_millis(300),
        retries: 2,
        backoff: Duration::from_millis(10),
        failure_threshold: 3,
        cool_down: Duration::from_millis(400),
        ..HttpRegistryConfig::new(base)
    }
}

#[tokio::test]
async fn http_registry_answers_found_and_not_found() {
    let platform = fake_platform().await;
    let registry = HttpRegistry::new(config(&platform.base)).unwrap();
    let found = registry.lookup("064190012345").await.unwrap().expect("found");
    assert_eq!(found.full_name, "Nguyễn Thị Lan");
    assert!(registry.lookup("064190099999").await.unwrap().is_none());
    assert_eq!(registry.source(), "http");
    assert_eq!(platform.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn http_registry_retries_with_backoff_then_gives_up() {
    let platform = fake_platform().await;
    let registry = HttpRegistry::new(config(&platform.base)).unwrap();
    platform.mode.store(1, Ordering::SeqCst);
    let err = registry.lookup("064190012345").await.unwrap_err();
    assert!(matches!(err, RegistryError::Unavailable(_)), "{err:?}");
    assert_eq!(platform.hits.load(Ordering::SeqCst), 3, "one attempt and two retries");
    // A timeout is a failure too, after the configured time per attempt.
    platform.mode.store(2, Ordering::SeqCst);
    let started = std::time::Instant::now();
    assert!(registry.lookup("064190012345").await.is_err());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[tokio::test]
async fn http_registry_circuit_opens_then_half_opens() {
    let platform = fake_platform().await;
    let registry = HttpRegistry::new(HttpRegistryConfig {
        retries: 0,
        ..config(&platform.base)
    })
    .unwrap();
    platform.mode.store(1, Ordering::SeqCst);
    for _ in 0..3 {
        assert!(matches!(
            registry.lookup("064190012345").await,
            Err(RegistryError::Unavailable(_))
        ));
    }
    assert_eq!(registry.breaker_state(), BreakerState::Open);
    let hits = platform.hits.load(Ordering::SeqCst);
    // While open, nothing goes out.
    assert_eq!(
        registry.lookup("064190012345").await.unwrap_err(),
        RegistryError::CircuitOpen
    );
    assert_eq!(platform.hits.load(Ordering::SeqCst), hits);
    // After the cool-down one trial goes out; it fails, so the circuit opens again at once.
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(registry.breaker_state(), BreakerState::HalfOpen);
    assert!(matches!(
        registry.lookup("064190012345").await,
        Err(RegistryError::Unavailable(_))
    ));
    assert_eq!(platform.hits.load(Ordering::SeqCst), hits + 1);
    assert_eq!(registry.breaker_state(), BreakerState::Open);
    // The platform recovers: the next trial closes the circuit.
    platform.mode.store(0, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(registry.lookup("064190012345").await.unwrap().is_some());
    assert_eq!(registry.breaker_state(), BreakerState::Closed);
}

// ---------------------------------------------------------------- engine stories, both backends

on_both_backends!(
    lookups_are_logged_masked_and_verified_intake_is_flagged,
    inbox_queues_search_claim_assign
);

fn lookup(pid: &str) -> LookupRequest {
    serde_json::from_value(serde_json::json!({"personal_id": pid, "purpose": "tiếp nhận hồ sơ"})).unwrap()
}

async fn lookups_are_logged_masked_and_verified_intake_is_flagged(store: &Store) {
    let w = world(store).await;
    store.upsert_citizens(&synthetic_citizens(100, 6)).await.unwrap();
    let e = &w.engine;
    let found = e.lookup_citizen(&counter(), &lookup("064190012345")).await.unwrap();
    assert_eq!(found.unwrap().full_name, "Nguyễn Thị Lan");
    assert!(e
        .lookup_citizen(&specialist(), &lookup("064190099999"))
        .await
        .unwrap()
        .is_none());
    for who in [
        leader(),
        user("congdan1", Role::Citizen, None),
        user("qt", Role::ProvinceAdmin, None),
    ] {
        assert!(matches!(
            e.lookup_citizen(&who, &lookup("064190012345")).await,
            Err(EngineError::Forbidden(_))
        ));
    }
    assert!(matches!(
        e.lookup_citizen(&counter(), &lookup("999190012345")).await,
        Err(EngineError::Invalid { .. })
    ));
    let log = store.population_lookups(10).await.unwrap();
    assert_eq!(log.len(), 2, "refused and invalid look-ups never reach the registry");
    assert_eq!(log[1].outcome, "found");
    assert_eq!(log[0].outcome, "not_found");
    assert_eq!(log[1].pid_masked, "064*******45");
    assert_eq!(log[1].actor, "tiepnhan1");
    assert_eq!(log[1].source, "embedded");
    assert!(log.iter().all(|l| !format!("{l:?}").contains("064190012345")));

    // Counter intake with verification: the name and birth date come from the registry.
    let sub = Submission {
        procedure: "1.001193".into(),
        unit: PLEIKU.into(),
        channel: 1,
        applicant: Applicant {
            name: String::new(),
            personal_id: Some("064190012345".into()),
            ..Default::default()
        },
        documents: Vec::new(),
    };
    let options = SubmitOptions { verify_identity: true };
    let done = e.submit_with(&counter(), sub.clone(), None, options).await.unwrap();
    assert!(done.state.identity_verified);
    assert_eq!(done.state.applicant.name, "Nguyễn Thị Lan");
    assert_eq!(
        done.state.applicant.birth_date,
        chrono::NaiveDate::from_ymd_opt(1990, 3, 14)
    );
    let record = e.export_record(&done.code).await.unwrap();
    let v = serde_json::to_value(&record).unwrap();
    assert_eq!(v["DuocLayTuCSDLDanCu"], serde_json::json!(1));
    // A contradicting name is refused; an unknown number too; nothing is created.
    let mut wrong = sub.clone();
    wrong.applicant.name = "Trần Văn Khác".into();
    let err = e.submit_with(&counter(), wrong, None, options).await.unwrap_err();
    assert!(
        matches!(&err, EngineError::Invalid { fields, .. } if fields[0].0 == "applicant.name"),
        "{err:?}"
    );
    let mut unknown = sub.clone();
    unknown.applicant.personal_id = Some("064190099999".into());
    unknown.applicant.name = "Ai Đó".into();
    assert!(e.submit_with(&counter(), unknown, None, options).await.is_err());
    // Without verification the counter's dossier is not flagged.
    let mut plain = sub.clone();
    plain.applicant.name = "Nguyễn Thị Lan".into();
    let done = e.submit(&counter(), plain, None).await.unwrap();
    assert!(!done.state.identity_verified);
    // Only the counter verifies.
    let mut online = sub;
    online.channel = 2;
    online.applicant.name = "Nguyễn Thị Lan".into();
    assert!(e
        .submit_with(&user("congdan1", Role::Citizen, None), online, None, options)
        .await
        .is_err());
    assert_eq!(store.dossier_totals().await.unwrap().0, 2);
}

async fn inbox_queues_search_claim_assign(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    w.set(at(2024, 6, 3, 9, 0));
    let mut codes = Vec::new();
    for i in 0..6 {
        let sub = Submission {
            procedure: "1.001193".into(),
            unit: PLEIKU.into(),
            channel: 1,
            applicant: Applicant {
                name: format!("Phạm Thị Hương {i}"),
                personal_id: Some(format!("06419001234{i}")),
                ..Default::default()
            },
            documents: Vec::new(),
        };
        codes.push(e.submit(&counter(), sub, None).await.unwrap().code);
    }
    let act = |who: motcua_store::User, code: String, action: &'static str| async move {
        let req = motcua_engine::ActionRequest {
            action: action.into(),
            note: "Thiếu tờ khai có chữ ký".into(),
            ..Default::default()
        };
        e.act_request(&who, &code, &req, None).await.unwrap()
    };
    act(specialist(), codes[0].clone(), "forward").await;
    act(specialist(), codes[1].clone(), "request_supplement").await;
    // Much later: the others are overdue.
    w.set(at(2024, 7, 1, 9, 0));
    let page = e
        .inbox(
            &specialist(),
            &InboxParams {
                queue: Some("dang_xu_ly".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let count = |q: &str| page.counts.iter().find(|c| c.queue == q).unwrap().count;
    assert_eq!(count("dang_xu_ly"), 5);
    assert_eq!(count("cho_ky"), 1);
    assert_eq!(count("cho_bo_sung"), 1);
    assert_eq!(count("qua_han"), 5);
    assert_eq!(count("cho_tra_ket_qua"), 0);
    assert_eq!(page.total, 5);
    assert_eq!(page.items.len(), 5);
    let first = &page.items[0];
    let left = first.time_left.as_ref().unwrap();
    assert!(left.overdue && left.vi.starts_with("quá "), "{left:?}");
    assert_eq!(
        first.applicant_personal_id.as_deref().map(|p| p.contains('*')),
        Some(true)
    );
    // Paging.
    let p2 = e
        .inbox(
            &specialist(),
            &InboxParams {
                queue: Some("dang_xu_ly".into()),
                page: Some(2),
                per_page: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(p2.items.len(), 2);
    assert_eq!(p2.items[0].code, page.items[2].code);
    // Search by code, by personal id (through the keyed hash), by part of the name without accents.
    let search = |q: &str| InboxParams {
        q: Some(q.into()),
        ..Default::default()
    };
    let by_code = e.inbox(&specialist(), &search(&codes[3])).await.unwrap();
    assert_eq!(
        by_code.items.iter().map(|i| &i.code).collect::<Vec<_>>(),
        vec![&codes[3]]
    );
    let by_pid = e.inbox(&specialist(), &search("064 190 012 344")).await.unwrap();
    assert_eq!(
        by_pid.items.iter().map(|i| &i.code).collect::<Vec<_>>(),
        vec![&codes[4]]
    );
    let by_name = e.inbox(&specialist(), &search("pham thi huong")).await.unwrap();
    assert_eq!(by_name.total, 6);
    // Another unit's officer finds nothing of Pleiku's; a citizen has no inbox.
    let other = user("chuyenvien2", Role::Specialist, Some("21583"));
    assert_eq!(e.inbox(&other, &search(&codes[3])).await.unwrap().total, 0);
    assert!(matches!(
        e.inbox(&user("congdan1", Role::Citizen, None), &InboxParams::default())
            .await,
        Err(EngineError::Forbidden(_))
    ));
    // The counter's view: its centre's dossiers.
    let centre = e
        .inbox(
            &counter(),
            &InboxParams {
                queue: Some("cho_bo_sung".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(centre.unit, CENTRE);
    assert_eq!(centre.total, 1);
    // Claim and assign within the unit.
    e.claim(&specialist(), &codes[2]).await.unwrap();
    let colleague = user("chuyenvien3", Role::Specialist, Some(PLEIKU));
    assert!(matches!(
        e.claim(&colleague, &codes[2]).await,
        Err(EngineError::NotAllowed(_))
    ));
    assert!(matches!(
        e.claim(&other, &codes[2]).await,
        Err(EngineError::Forbidden(_))
    ));
    assert!(matches!(
        e.assign(&specialist(), &codes[2], "chuyenvien1").await,
        Err(EngineError::Forbidden(_))
    ));
    // Assigning needs an account of the unit (the test store has none besides what it creates).
    assert!(matches!(
        e.assign(&leader(), &codes[2], "nobody").await,
        Err(EngineError::Invalid { .. })
    ));
    let mine = e
        .inbox(
            &specialist(),
            &InboxParams {
                queue: Some("dang_xu_ly".into()),
                mine: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.items.iter().map(|i| &i.code).collect::<Vec<_>>(), vec![&codes[2]]);
    assert_eq!(mine.items[0].assignee.as_deref(), Some("chuyenvien1"));
    assert_eq!(
        e.state(&codes[0]).await.unwrap().status,
        Status::InProgress,
        "claiming changes no state"
    );
}
