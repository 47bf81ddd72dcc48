//! The inbox's queue sizes read from the tallies the triggers keep (migration 0013) equal the
//! sizes counted from the dossiers, after inserts, every kind of update and deletes, for both
//! scopes and for clocks on and off the hour.

use motcua_store::inbox::{InboxQuery, InboxScope};
use motcua_store::on_both_backends;
use motcua_store::Store;

on_both_backends!(queue_tallies_equal_counting_the_dossiers);

const HOUR: i64 = 3_600_000;
/// 2026-11-02 08:00 +07:00.
const BASE: i64 = 1_762_045_200_000;

/// A small deterministic generator (the same data on both backends).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn due_sql(rng: &mut Lcg) -> String {
    match rng.below(10) {
        0 => "NULL".into(),
        // Some exactly on an hour, the rest anywhere within ±4 days of the base.
        1 | 2 => (BASE + (rng.below(192) as i64 - 96) * HOUR).to_string(),
        _ => (BASE + rng.below(192 * HOUR as u64) as i64 - 96 * HOUR).to_string(),
    }
}

async fn exec(store: &Store, sql: &str) {
    store
        .execute_raw_for_tests(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn queue_tallies_equal_counting_the_dossiers(store: &Store) {
    let mut rng = Lcg(20261128);
    let units = ["U1", "U2"];
    let centres = ["C1", "C2"];
    let statuses = [1, 2, 3, 4, 4, 4, 5, 6, 9, 10];
    let steps = ["'thu_ly'", "'trinh_ky'", "'ky'", "NULL"];
    for i in 0..400 {
        let status = statuses[rng.below(10) as usize];
        let sql = format!(
            "INSERT INTO dossiers (code, procedure_code, unit, receiving_unit, channel, status, step, \
             applicant_name, submitted_at, received_at, effective_due, version, state, updated_at) \
             VALUES ('D{i:04}', '1.001193', '{}', '{}', 1, {status}, {}, 'A', {BASE}, {}, {}, 1, '{{}}', 0)",
            units[rng.below(2) as usize],
            centres[rng.below(2) as usize],
            steps[rng.below(4) as usize],
            BASE - 86_400_000 + rng.below(2 * 86_400_000) as i64,
            due_sql(&mut rng),
        );
        exec(store, &sql).await;
    }
    check(store, "after inserts").await;
    for round in 0..150 {
        let code = format!("D{:04}", rng.below(400));
        let sql = match rng.below(6) {
            0 => format!(
                "UPDATE dossiers SET status = {} WHERE code = '{code}'",
                statuses[rng.below(10) as usize]
            ),
            1 => format!(
                "UPDATE dossiers SET step = {} WHERE code = '{code}'",
                steps[rng.below(4) as usize]
            ),
            2 => format!(
                "UPDATE dossiers SET effective_due = {} WHERE code = '{code}'",
                due_sql(&mut rng)
            ),
            3 => format!(
                "UPDATE dossiers SET unit = '{}' WHERE code = '{code}'",
                units[rng.below(2) as usize]
            ),
            4 => format!(
                "UPDATE dossiers SET status = 4, step = 'ky', receiving_unit = '{}', version = version + 1 \
                 WHERE code = '{code}'",
                centres[rng.below(2) as usize]
            ),
            _ => format!("DELETE FROM dossiers WHERE code = '{code}'"),
        };
        exec(store, &sql).await;
        if round % 50 == 49 {
            check(store, &format!("after {} changes", round + 1)).await;
        }
    }
    // A rebuild of the projections deletes every row and writes them again.
    exec(store, "DELETE FROM dossiers").await;
    check(store, "after deleting everything").await;
    let left: Vec<(String, String)> = store
        .query_pairs_for_tests("SELECT unit, CAST(n AS TEXT) FROM inbox_tallies")
        .await
        .unwrap();
    assert!(left.is_empty(), "no tally row outlives its dossiers: {left:?}");
}

async fn check(store: &Store, when: &str) {
    let clocks = [
        BASE,                  // on the hour
        BASE + 17 * 60_000,    // within an hour
        BASE + HOUR - 1,       // just before the next hour
        BASE - 30 * HOUR + 5,  // a day earlier
        BASE + 50 * HOUR + 59, // two days later
    ];
    let horizons = [20 * 60_000, HOUR, 8 * HOUR, 40 * HOUR + 123];
    for scope in [
        InboxScope::Competent("U1".into()),
        InboxScope::Competent("U2".into()),
        InboxScope::Receiving("C1".into()),
        InboxScope::Competent("none".into()),
    ] {
        for (i, now) in clocks.iter().enumerate() {
            let query = InboxQuery {
                scope: scope.clone(),
                queue: None,
                search: None,
                assignee: None,
                procedure: None,
                today_ms: now - 8 * HOUR,
                now_ms: *now,
                soon_ms: now + horizons[i % horizons.len()],
                sign_steps: vec!["trinh_ky".into(), "ky".into()],
                limit: 20,
                offset: 0,
            };
            let tallied = store.inbox_counts(&query).await.unwrap();
            let counted = store.inbox_counts_scanning(&query).await.unwrap();
            assert_eq!(tallied, counted, "{when}, {scope:?}, now {now}");
        }
    }
}
