//! Ratings, complaints and the portal sync of live dossiers (issue #7): each is an event in the
//! dossier's log, so the live index fact changes in the writer's transaction, and the live index,
//! the reference classification and the facts rebuilt from the log agree on 1.4 and 5.4.

use std::collections::BTreeMap;

use motcua_domain::dossier::exchange::Rating;
use motcua_domain::dossier::{EventAction, Status};
use motcua_domain::index::{IndexFact, Period};
use motcua_engine::outbox::{deliver_pending, Delivery, PORTAL_SYNC};
use motcua_engine::{ActionRequest, EngineError};
use motcua_store::feedback::FeedbackItem;
use motcua_store::{on_both_backends, Store};

use super::{at, citizen, counter, leader, specialist, submission, user, world, World, PLEIKU};
use motcua_domain::roles::Role;

on_both_backends!(ratings_complaints_and_sync_reach_the_live_index);

fn act(name: &str) -> ActionRequest {
    ActionRequest {
        action: name.into(),
        note: "ghi chú".into(),
        ..Default::default()
    }
}

/// Accepts the portal sync of one dossier only; every other message fails (and is retried later).
struct OnlyPortalSyncOf(String);

impl Delivery for OnlyPortalSyncOf {
    fn deliver(&self, topic: &str, code: &str, _payload: &serde_json::Value) -> Result<(), String> {
        if topic == PORTAL_SYNC && code == self.0 {
            Ok(())
        } else {
            Err("unreachable in this test".into())
        }
    }
}

/// A dossier of Pleiku received on Monday 3 June 2024 (online ones submitted by the applicant
/// and accepted at the counter), processed the same day; `finish` leaves it at status 9.
async fn dossier(w: &World, online: bool, finish: bool) -> String {
    let e = &w.engine;
    w.set(at(2024, 6, 3, 8, 0));
    let code = if online {
        let code = e.submit(&citizen(), submission(2), None).await.unwrap().code;
        e.act_request(&counter(), &code, &act("accept"), None).await.unwrap();
        code
    } else {
        e.submit(&counter(), submission(1), None).await.unwrap().code
    };
    if finish {
        w.set(at(2024, 6, 3, 10, 0));
        e.act_request(&specialist(), &code, &act("forward"), None)
            .await
            .unwrap();
        e.act_request(&leader(), &code, &act("approve"), None).await.unwrap();
        w.set(at(2024, 6, 3, 14, 0));
        let s = e.act_request(&specialist(), &code, &act("finish"), None).await.unwrap();
        assert_eq!(s.status, Status::ResultReady);
    }
    code
}

async fn facts(store: &Store) -> BTreeMap<String, IndexFact> {
    let mut all = BTreeMap::new();
    store.index_facts(|page| all.extend(page)).await.unwrap();
    all
}

async fn remarks(store: &Store, code: &str, action: EventAction) -> usize {
    let events = store.dossier_events(code).await.unwrap();
    events.iter().filter(|e| e.event.action == action).count()
}

async fn ratings_complaints_and_sync_reach_the_live_index(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    // A: rated "không hài lòng"; B: a complaint; C: synced to the portal; D: rated "hài lòng";
    // E: a complaint stored without its event (recorded when the engine reconciles).
    let a = dossier(&w, true, true).await;
    let b = dossier(&w, false, true).await;
    let c = dossier(&w, false, false).await;
    let d = dossier(&w, true, true).await;
    let x = dossier(&w, false, false).await;
    // Online and still open: not yet rateable.
    let open = dossier(&w, true, false).await;
    // The day of receipt: the open dossiers are reckoned at its end, before their one-working-day
    // appointment, so every dossier is on time and only the remarks move 1.4 and 5.4.
    let day3 = Period::day(chrono::NaiveDate::from_ymd_opt(2024, 6, 3).unwrap());
    let before = e.index_counts(Some(PLEIKU), &day3);
    assert_eq!(
        (before.received, before.handled, before.on_time),
        (6, 6, 6),
        "{before:?}"
    );
    assert_eq!((before.synced, before.on_time_satisfied), (0, 6), "{before:?}");
    let (_, counters_before) = store.projection_snapshot().await.unwrap();
    let pending_before = store.pending_outbox(1000).await.unwrap().len();

    // Rating: by the applicant only, once the result is ready, once.
    w.set(at(2024, 6, 4, 9, 0));
    let stranger = user("congdan2", Role::Citizen, None);
    assert!(matches!(
        e.rate(&stranger, &a, Rating::HaiLong, "").await,
        Err(EngineError::NotAllowed(_))
    ));
    assert!(matches!(
        e.rate(&citizen(), &open, Rating::HaiLong, "").await,
        Err(EngineError::NotAllowed(_))
    ));
    let long = "x".repeat(2001);
    assert!(matches!(
        e.rate(&citizen(), &a, Rating::HaiLong, &long).await,
        Err(EngineError::Invalid { .. })
    ));
    assert!(e
        .rate(&citizen(), &a, Rating::KhongHaiLong, "Phải đi lại nhiều lần")
        .await
        .unwrap());
    assert!(!e.rate(&citizen(), &a, Rating::HaiLong, "").await.unwrap());
    assert!(e.rate(&citizen(), &d, Rating::HaiLong, "").await.unwrap());
    assert_eq!(remarks(store, &a, EventAction::Rate).await, 1);
    // The portal's table is the projection of the event, written with it.
    assert_eq!(
        store.dossier_rating(&a).await.unwrap(),
        Some(("khong_hai_long".into(), "Phải đi lại nhiều lần".into()))
    );
    let s = e.state(&a).await.unwrap();
    assert_eq!((s.rating, s.status), (Some(Rating::KhongHaiLong), Status::ResultReady));

    // Complaint, as the PAKN form files it (twice: recorded once).
    assert!(e.record_complaint(&b, "PAKN-240604-00000B", None).await.unwrap());
    assert!(!e
        .record_complaint(&b, "PAKN-240604-0000B2", Some("congdan2"))
        .await
        .unwrap());
    assert!(matches!(
        e.record_complaint("000.00.12.H21-240604-9999", "PAKN-X", None).await,
        Err(EngineError::NotFound(_))
    ));
    // A PAKN item kept without its event is recorded when the engine reconciles (at start).
    let item = FeedbackItem {
        code: "PAKN-240604-00000E".into(),
        dossier_code: Some(x.clone()),
        name: "Trần Văn Bình".into(),
        contact: "0987654321".into(),
        subject: "Chậm".into(),
        body: "Chậm".into(),
        status: "open".into(),
        created_at_ms: 1,
        due_at_ms: 2,
        unit: Some(PLEIKU.into()),
        ..FeedbackItem::default()
    };
    store.insert_feedback(&item).await.unwrap();
    assert_eq!(e.record_missing_feedback().await.unwrap(), 1);
    assert_eq!(e.record_missing_feedback().await.unwrap(), 0);
    assert!(e.state(&x).await.unwrap().complaint);

    // No notification, portal message or counter came from these events.
    assert_eq!(store.pending_outbox(1000).await.unwrap().len(), pending_before);
    let (_, counters_after) = store.projection_snapshot().await.unwrap();
    assert_eq!(counters_after, counters_before);

    // Portal sync: only C's messages reach the portal; C's log records it once, however many
    // of its status changes were delivered.
    let c_messages = store
        .pending_outbox(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.topic == PORTAL_SYNC && m.code == c)
        .count();
    assert!(c_messages >= 2, "{c_messages}");
    let delivered = deliver_pending(e, &OnlyPortalSyncOf(c.clone())).await.unwrap();
    assert_eq!(delivered, c_messages);
    assert_eq!(remarks(store, &c, EventAction::SyncToPortal).await, 1);
    assert_eq!(remarks(store, &a, EventAction::SyncToPortal).await, 0);
    assert!(e.state(&c).await.unwrap().synced_to_portal);
    assert!(!e.record_portal_sync(&c).await.unwrap());
    // The sync event carries the status on: the dossier still acts as before.
    w.set(at(2024, 6, 4, 10, 0));
    e.act_request(&specialist(), &c, &act("forward"), None).await.unwrap();

    // Hand-computed for Pleiku, 3 June 2024: six dossiers received (the open one too), all on
    // time; 1.4 = C; 5.4 = on time and neither rated "không hài lòng" (A) nor complained about
    // (B, E): C, D and the open one.
    let live = e.index_counts(Some(PLEIKU), &day3);
    assert_eq!((live.received, live.handled, live.on_time), (6, 6, 6), "{live:?}");
    assert_eq!(live.synced, 1, "{live:?}");
    assert_eq!(live.on_time_satisfied, 3, "{live:?}");
    assert_eq!(live, e.index_counts_reference(Some(PLEIKU), &day3).await.unwrap());
    let province = e.index_counts(None, &day3);
    assert_eq!(province, e.index_counts_reference(None, &day3).await.unwrap());
    let record = e.export_record(&a).await.unwrap();
    assert_eq!((record.rating, record.complaint), (Some(Rating::KhongHaiLong), None));
    let record = e.export_record(&c).await.unwrap();
    assert_eq!(record.synced_to_portal, Some(true));

    // Rebuilt from the event log alone: the same facts and counts.
    let stored = facts(store).await;
    store.rebuild_index_facts().await.unwrap();
    assert_eq!(facts(store).await, stored);
    e.rebuild_index().await.unwrap();
    assert_eq!(e.index_counts(Some(PLEIKU), &day3), live);
    // And the projections replayed from the log equal the live ones.
    let snapshot = store.projection_snapshot().await.unwrap();
    store.rebuild_projections().await.unwrap();
    assert_eq!(store.projection_snapshot().await.unwrap(), snapshot);
}
