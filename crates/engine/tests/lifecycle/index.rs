//! The live QĐ 766 index (issue #7) on a real store: after imported and live histories, the
//! in-memory index equals the reference classification of every stored dossier's exchange record
//! for random units and periods, and the facts rebuilt from the event log equal the live ones.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use motcua_domain::dossier::Status;
use motcua_domain::index::{IndexFact, Period};
use motcua_engine::simulate::{simulate, SimulationContext, SimulationSpec};
use motcua_engine::{index_unit, ActionRequest};
use motcua_store::{on_both_backends, reference, Store};

use super::{at, counter, leader, specialist, submission, user, world, World};
use motcua_domain::roles::Role;

on_both_backends!(live_index_equals_the_reference_and_the_rebuild);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn act(name: &str) -> ActionRequest {
    ActionRequest {
        action: name.into(),
        note: "ghi chú".into(),
        ..Default::default()
    }
}

/// Every stored fact by code.
async fn facts(store: &Store) -> BTreeMap<String, IndexFact> {
    let mut all = BTreeMap::new();
    store.index_facts(|page| all.extend(page)).await.unwrap();
    all
}

/// Imports a simulated history across the 2025 reorganisation, then runs live dossiers through
/// the engine: supplements, stops, results, returns, and actions on imported open dossiers.
async fn histories(w: &World, store: &Store) -> usize {
    let e = &w.engine;
    store.import_units(&reference::embedded_units().unwrap()).await.unwrap();
    store
        .import_unit_merges(&reference::embedded_merges().unwrap())
        .await
        .unwrap();
    e.reload().await.unwrap();
    let ctx = SimulationContext::embedded("52", "H21").unwrap();
    let spec = SimulationSpec {
        province: "52".into(),
        from: day(2024, 12, 1),
        to: day(2025, 9, 30),
        dossiers: 600,
        seed: 11,
    };
    let records: Vec<_> = simulate(&spec, &ctx).unwrap().collect();
    for r in &records {
        e.import_record(r).await.unwrap();
    }
    // Actions on imported dossiers still open: the original record's fields must survive.
    w.set(at(2025, 10, 2, 9, 0));
    let mut acted = 0;
    for r in records.iter().filter(|r| r.status == Status::InProgress).take(15) {
        let state = e.state(&r.code).await.unwrap();
        let tries = [
            (
                user("tn", Role::CounterOfficer, Some(&state.receiving_unit)),
                "withdraw",
            ),
            (user("cv", Role::Specialist, Some(&state.unit)), "request_supplement"),
            (user("ld", Role::Leader, Some(&state.unit)), "stop"),
        ];
        for (who, what) in &tries {
            if e.act_request(who, &r.code, &act(what), None).await.is_ok() {
                acted += 1;
                break;
            }
        }
    }
    assert!(acted > 0, "no imported open dossier could be acted on");
    // Live dossiers in October 2025.
    for i in 0..16u32 {
        w.set(at(2025, 10, 6 + i % 5, 8 + i % 6, 5 * i % 60));
        let code = e
            .submit(&counter(), submission(1 + i64::from(i % 2)), None)
            .await
            .unwrap()
            .code;
        if i % 2 == 1 {
            // Online: accepted at the counter later.
            w.set(at(2025, 10, 13 + i % 3, 8, 30));
            e.act_request(&counter(), &code, &act("accept"), None).await.unwrap();
        }
        w.set(at(2025, 10, 20 + i % 5, 9, 0));
        if i % 3 == 0 {
            e.act_request(&specialist(), &code, &act("request_supplement"), None)
                .await
                .unwrap();
            if i % 6 == 0 {
                // Still waiting at the end of the history.
                continue;
            }
            w.set(at(2025, 10, 27, 10, 0));
            e.act_request(&counter(), &code, &act("supplement"), None)
                .await
                .unwrap();
        }
        e.act_request(&specialist(), &code, &act("forward"), None)
            .await
            .unwrap();
        if i % 4 == 1 {
            e.act_request(&leader(), &code, &act("stop"), None).await.unwrap();
            continue;
        }
        e.act_request(&leader(), &code, &act("approve"), None).await.unwrap();
        w.set(at(2025, 11, 3 + i % 4, 15, 0));
        e.act_request(&specialist(), &code, &act("finish"), None).await.unwrap();
        if i % 2 == 0 {
            e.act_request(&counter(), &code, &act("return_result"), None)
                .await
                .unwrap();
        }
    }
    records.len() + 16
}

/// xorshift64*: deterministic random choices without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

async fn live_index_equals_the_reference_and_the_rebuild(store: &Store) {
    let w = world(store).await;
    let e = &w.engine;
    let total = histories(&w, store).await;
    assert_eq!(e.index().stats().dossiers, total);

    // Units: the province, every recorded unit, and pre-2025 codes of units that have dossiers.
    let recorded = e.index().units();
    let mut units: Vec<Option<String>> = vec![None, Some("52".into())];
    units.extend(recorded.iter().cloned().map(Some));
    let directory =
        motcua_domain::units::UnitDirectory::new(store.units().await.unwrap(), store.unit_merges().await.unwrap());
    let mapped: Vec<String> = recorded.iter().map(|u| index_unit(&directory, u)).collect();
    let old: Vec<String> = store
        .unit_merges()
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.old_code != m.new_code && mapped.contains(&m.new_code))
        .map(|m| m.old_code)
        .take(4)
        .collect();
    assert!(!old.is_empty(), "no pre-2025 code maps to a unit with dossiers");
    units.extend(old.into_iter().map(Some));

    let mut periods = vec![
        Period::year(2025).unwrap(),
        Period::quarter(2025, 4).unwrap(),
        Period::month(2025, 10).unwrap(),
        Period::month(2025, 7).unwrap(),
        Period::day(day(2025, 10, 27)),
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..25 {
        let from = day(2024, 11, 15) + Duration::days(rng.below(380) as i64);
        periods.push(Period::new(from, from + Duration::days(rng.below(100) as i64)).unwrap());
    }

    let check = |label: &'static str| {
        let units = units.clone();
        let periods = periods.clone();
        async move {
            let mut rng = Rng(0x0dd_ba11);
            for p in &periods {
                // Every period for the province, and three random units per period.
                let picks = [
                    0,
                    1 + rng.below(units.len() as u64 - 1) as usize,
                    2 + rng.below(units.len() as u64 - 2) as usize,
                ];
                for &k in &picks {
                    let unit = units[k].as_deref();
                    let fast = e.index_counts(unit, p);
                    let reference = e.index_counts_reference(unit, p).await.unwrap();
                    assert_eq!(fast, reference, "{label}: unit {unit:?}, period {p:?}");
                }
            }
        }
    };
    check("live").await;

    // Nothing trivial: the year of the province has every set in it.
    let year = e.index_counts(None, &Period::year(2025).unwrap());
    assert!(year.received > 300 && year.closed_with_result > 100, "{year:?}");
    assert!(year.on_time > 0 && year.on_time < year.handled, "{year:?}");
    let october = e.index_counts(None, &Period::month(2025, 10).unwrap());
    assert!(october.backlog > 0, "{october:?}");

    // Rebuild from the event log == live, in the table and in memory.
    let live = facts(store).await;
    assert_eq!(live.len(), total);
    assert_eq!(store.rebuild_index_facts().await.unwrap(), total as u64);
    assert_eq!(facts(store).await, live);
    e.rebuild_index().await.unwrap();
    check("rebuilt").await;

    // A new process loads the same index from the segments the rebuild wrote.
    let again = motcua_engine::Engine::start(store.clone()).await.unwrap();
    for p in &periods[..5] {
        assert_eq!(again.index_counts(None, p), e.index_counts(None, p));
    }

    // Live writes after the rebuild overlay the segments: a change to a dossier whose fact is in
    // a segment, and a new dossier.
    w.set(at(2025, 11, 24, 9, 0));
    let mut changed = None;
    for (code, _) in live.iter().filter(|(_, f)| f.closing.is_none() && f.received.is_some()) {
        let state = e.state(code).await.unwrap();
        let tries = [
            (user("cv", Role::Specialist, Some(&state.unit)), "request_supplement"),
            (user("ld", Role::Leader, Some(&state.unit)), "stop"),
            (
                user("tn", Role::CounterOfficer, Some(&state.receiving_unit)),
                "withdraw",
            ),
        ];
        for (who, what) in &tries {
            if e.act_request(who, code, &act(what), None).await.is_ok() {
                changed = Some(code.clone());
                break;
            }
        }
        if changed.is_some() {
            break;
        }
    }
    let changed = changed.expect("no open dossier could be acted on");
    let code = e.submit(&counter(), submission(1), None).await.unwrap().code;
    let overlaid = facts(store).await;
    assert_eq!(overlaid.len(), total + 1);
    assert!(overlaid.contains_key(&code));
    assert_ne!(overlaid[&changed], live[&changed], "the action changed the fact");
    check("live after the rebuild").await;
    let fresh = motcua_engine::Engine::start(store.clone()).await.unwrap();
    assert_eq!(fresh.index().stats().dossiers, total + 1);
    for p in &periods {
        assert_eq!(fresh.index_counts(None, p), e.index_counts(None, p), "{p:?}");
    }
}
