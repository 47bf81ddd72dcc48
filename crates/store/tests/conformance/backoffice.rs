//! Back office stores: the audit hash chain (and its verification against tampering done directly
//! in SQL), the embedded population registry and its look-up log.

use motcua_domain::ids::Sex;
use motcua_store::audit::{AuditBreakKind, AuditEntry, AuditLog};
use motcua_store::on_both_backends;
use motcua_store::population::{CitizenRecord, PopulationLookup};
use motcua_store::Store;

on_both_backends!(
    audit_chain_verifies_when_untouched,
    audit_verify_names_an_altered_entry,
    audit_verify_names_a_deleted_entry,
    audit_verify_names_reordered_entries,
    audit_verify_notices_entries_cut_off_the_end,
    audit_checkpoint_speeds_the_viewer_and_the_full_walk_still_sees_everything,
    audit_checkpoint_cannot_hide_later_tampering,
    audit_entries_are_paged_newest_first,
    population_import_is_idempotent_and_keyed_by_hash,
);

async fn write_entries(store: &Store, n: usize) {
    let log = AuditLog::start(store.clone());
    for i in 0..n {
        log.record(AuditEntry {
            actor: format!("user{}", i % 3),
            action: if i % 2 == 0 {
                "dossier.view"
            } else {
                "population.lookup"
            }
            .into(),
            target: format!("000.00.12.H21-260105-{:04}", i + 1),
            details: serde_json::json!({"pid": "064*******45", "i": i}),
        })
        .await;
        if i == n / 2 {
            // Two batches: the chain continues across transactions.
            log.flush().await.unwrap();
        }
    }
    log.flush().await.unwrap();
}

async fn audit_chain_verifies_when_untouched(store: &Store) {
    let empty = store.verify_audit().await.unwrap();
    assert_eq!((empty.entries, empty.first_break), (0, None));
    write_entries(store, 25).await;
    let v = store.verify_audit().await.unwrap();
    assert_eq!(v.entries, 25);
    assert_eq!(v.head_seq, 25);
    assert_eq!(v.first_break, None, "{v:?}");
}

async fn audit_verify_names_an_altered_entry(store: &Store) {
    write_entries(store, 12).await;
    sqlx_exec(store, "UPDATE audit_log SET actor = 'someone_else' WHERE seq = 7").await;
    let b = store.verify_audit().await.unwrap().first_break.expect("a break");
    assert_eq!((b.seq, b.kind), (7, AuditBreakKind::Altered), "{b:?}");
    // Recomputing the altered entry's own hash does not help: the next entry no longer links.
    let row = store
        .audit_entries(&motcua_store::audit::AuditQuery {
            target: Some("000.00.12.H21-260105-0007".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let forged = motcua_store::audit::entry_hash(
        &row.prev_hash,
        row.seq,
        row.at_ms,
        &row.actor,
        &row.action,
        &row.target,
        &row.details,
    );
    sqlx_exec(store, &format!("UPDATE audit_log SET hash = '{forged}' WHERE seq = 7")).await;
    let b = store.verify_audit().await.unwrap().first_break.expect("a break");
    assert_eq!((b.seq, b.kind), (8, AuditBreakKind::Unlinked), "{b:?}");
}

async fn audit_verify_names_a_deleted_entry(store: &Store) {
    write_entries(store, 12).await;
    sqlx_exec(store, "DELETE FROM audit_log WHERE seq = 5").await;
    let v = store.verify_audit().await.unwrap();
    let b = v.first_break.expect("a break");
    assert_eq!((b.seq, b.kind), (5, AuditBreakKind::Deleted), "{b:?}");
    assert!(b.message.contains("entry 5"), "{}", b.message);
    assert_eq!(v.entries, 4);
}

async fn audit_verify_names_reordered_entries(store: &Store) {
    write_entries(store, 12).await;
    // Swap the positions of entries 3 and 4.
    sqlx_exec(store, "UPDATE audit_log SET seq = 1000 WHERE seq = 3").await;
    sqlx_exec(store, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    sqlx_exec(store, "UPDATE audit_log SET seq = 4 WHERE seq = 1000").await;
    let b = store.verify_audit().await.unwrap().first_break.expect("a break");
    assert_eq!(b.seq, 3, "{b:?}");
    // Swapping whole rows including their numbers' content is caught as well: the links break.
    write_more_and_swap_contents(store).await;
}

/// Moves entry 9's content (with its own seq-consistent hash recomputed) into place 10 and back:
/// the chain's links no longer line up.
async fn write_more_and_swap_contents(store: &Store) {
    sqlx_exec(store, "UPDATE audit_log SET seq = 1000 WHERE seq = 3").await;
    sqlx_exec(store, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    sqlx_exec(store, "UPDATE audit_log SET seq = 4 WHERE seq = 1000").await;
    assert_eq!(store.verify_audit().await.unwrap().first_break, None, "restored");
    sqlx_exec(
        store,
        "UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 10), \
         action = (SELECT action FROM audit_log WHERE seq = 10) WHERE seq = 9",
    )
    .await;
    let b = store.verify_audit().await.unwrap().first_break.expect("a break");
    assert_eq!(b.seq, 9, "{b:?}");
}

async fn audit_verify_notices_entries_cut_off_the_end(store: &Store) {
    write_entries(store, 8).await;
    sqlx_exec(store, "DELETE FROM audit_log WHERE seq >= 7").await;
    let b = store.verify_audit().await.unwrap().first_break.expect("a break");
    assert_eq!((b.seq, b.kind), (7, AuditBreakKind::Truncated), "{b:?}");
}

async fn audit_entries_are_paged_newest_first(store: &Store) {
    write_entries(store, 30).await;
    use motcua_store::audit::AuditQuery;
    let first = store
        .audit_entries(&AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        first.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (21..=30).rev().collect::<Vec<_>>()
    );
    let next = store
        .audit_entries(&AuditQuery {
            limit: 10,
            before_seq: Some(21),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(next.first().map(|e| e.seq), Some(20));
    let by_action = store
        .audit_entries(&AuditQuery {
            action: Some("population.lookup".into()),
            actor: Some("user1".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!by_action.is_empty());
    assert!(by_action
        .iter()
        .all(|e| e.action == "population.lookup" && e.actor == "user1"));
}

fn citizen(pid: &str, name: &str) -> CitizenRecord {
    CitizenRecord {
        personal_id: pid.into(),
        full_name: name.into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 3, 14).unwrap(),
        sex: Sex::Female,
        permanent_residence: "Phường Pleiku, tỉnh Gia Lai".into(),
        current_residence: None,
        place_of_origin: None,
        ethnicity: Some("Kinh".into()),
        nationality: "Việt Nam".into(),
    }
}

async fn population_import_is_idempotent_and_keyed_by_hash(store: &Store) {
    let people = vec![
        citizen("064190012345", "Nguyễn Thị Lan"),
        citizen("064190054321", "Lê Thị Hoa"),
    ];
    let first = store.upsert_citizens(&people).await.unwrap();
    assert_eq!((first.inserted, first.updated, first.unchanged), (2, 0, 0));
    let again = store.upsert_citizens(&people).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));
    let changed = store
        .upsert_citizens(&[citizen("064190054321", "Lê Thị Hoa Mới")])
        .await
        .unwrap();
    assert_eq!(changed.updated, 1);
    assert_eq!(store.citizen_count().await.unwrap(), 2);
    let found = store.citizen("064 190 012 345").await.unwrap().expect("found");
    assert_eq!(found.full_name, "Nguyễn Thị Lan");
    assert_eq!(found.personal_id, "064190012345");
    assert!(store.citizen("064190099999").await.unwrap().is_none());
    // The raw number is stored nowhere in the registry table.
    let raw: Vec<(String, String)> = sqlx_rows(store, "SELECT pid_hash, pid_masked FROM population_citizens").await;
    assert!(raw
        .iter()
        .all(|(h, m)| !h.contains("064190012345") && m.len() == 12 && m.contains('*')));
    store
        .log_population_lookup(&PopulationLookup {
            at_ms: 1,
            actor: "tiepnhan1".into(),
            unit: Some("000.00.12.H21".into()),
            dossier: None,
            purpose: "tiếp nhận".into(),
            source: "embedded".into(),
            outcome: "found".into(),
            pid_masked: "064*******45".into(),
            pid_hash: store.pid_hash("064190012345").await.unwrap(),
        })
        .await
        .unwrap();
    let log = store.population_lookups(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].pid_hash, store.pid_hash("064190012345").await.unwrap());
}

async fn sqlx_exec(store: &Store, sql: &str) {
    store.execute_raw_for_tests(sql).await.unwrap();
}

async fn sqlx_rows(store: &Store, sql: &str) -> Vec<(String, String)> {
    store.query_pairs_for_tests(sql).await.unwrap()
}

async fn audit_checkpoint_speeds_the_viewer_and_the_full_walk_still_sees_everything(store: &Store) {
    write_entries(store, 20).await;
    let first = store.verify_audit_since_checkpoint().await.unwrap();
    assert_eq!((first.from_seq, first.entries, first.head_seq), (0, 20, 20));
    assert_eq!(first.first_break, None);
    // Only what was written since is walked.
    write_entries(store, 5).await;
    let next = store.verify_audit_since_checkpoint().await.unwrap();
    assert_eq!((next.from_seq, next.entries, next.head_seq), (20, 5, 25), "{next:?}");
    assert_eq!(next.first_break, None);

    // An old entry altered: the viewer's walk does not reach it, the full walk does, and then
    // moves the checkpoint back so the viewer reports the break as well.
    sqlx_exec(store, "UPDATE audit_log SET actor = 'someone_else' WHERE seq = 3").await;
    let quick = store.verify_audit_since_checkpoint().await.unwrap();
    assert_eq!((quick.from_seq, quick.entries), (25, 0));
    let full = store.verify_audit().await.unwrap();
    let b = full.first_break.expect("the full walk finds the altered entry");
    assert_eq!((b.seq, b.kind), (3, AuditBreakKind::Altered), "{b:?}");
    assert_eq!(full.from_seq, 0);
    let after = store.verify_audit_since_checkpoint().await.unwrap();
    assert_eq!(after.first_break.as_ref().map(|b| b.seq), Some(3), "{after:?}");
    let (_, seq, result) = store.last_full_audit_check().await.unwrap().expect("recorded");
    assert_eq!((seq, result.as_str()), (2, "broken at 3"));

    // A deleted old entry, likewise.
    sqlx_exec(store, "UPDATE audit_log SET actor = 'user2' WHERE seq = 3").await;
    assert_eq!(store.verify_audit().await.unwrap().first_break, None);
    assert_eq!(store.verify_audit_since_checkpoint().await.unwrap().from_seq, 25);
    sqlx_exec(store, "DELETE FROM audit_log WHERE seq = 10").await;
    let b = store.verify_audit().await.unwrap().first_break.expect("a break");
    assert_eq!((b.seq, b.kind), (10, AuditBreakKind::Deleted), "{b:?}");
}

async fn audit_checkpoint_cannot_hide_later_tampering(store: &Store) {
    write_entries(store, 10).await;
    assert_eq!(store.verify_audit_since_checkpoint().await.unwrap().head_seq, 10);
    write_entries(store, 10).await;
    // An entry after the checkpoint altered: found, and the checkpoint does not move past it.
    sqlx_exec(store, "UPDATE audit_log SET details = '{}' WHERE seq = 15").await;
    for _ in 0..2 {
        let v = store.verify_audit_since_checkpoint().await.unwrap();
        assert_eq!(v.from_seq, 10);
        let b = v.first_break.expect("a break");
        assert_eq!((b.seq, b.kind), (15, AuditBreakKind::Altered), "{b:?}");
    }
    // The checkpoint entry itself altered: found before anything after it is trusted.
    sqlx_exec(store, "UPDATE audit_log SET actor = 'x' WHERE seq = 10").await;
    let b = store
        .verify_audit_since_checkpoint()
        .await
        .unwrap()
        .first_break
        .expect("a break");
    assert_eq!((b.seq, b.kind), (10, AuditBreakKind::Altered), "{b:?}");
    // A checkpoint written by hand (past the tampering, without the MAC) is ignored: the walk
    // starts from the first entry and finds the break.
    let head = sqlx_rows(store, "SELECT hash, hash FROM audit_log WHERE seq = 20").await;
    store
        .set_setting("audit_checkpoint", &format!("20:{}:{}", head[0].0, "0".repeat(64)))
        .await
        .unwrap();
    let v = store.verify_audit_since_checkpoint().await.unwrap();
    assert_eq!(v.from_seq, 0);
    assert_eq!(v.first_break.map(|b| b.seq), Some(10));
}
