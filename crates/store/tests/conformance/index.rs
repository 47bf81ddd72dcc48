//! The stored QĐ 766 index: a bulk replacement packs the facts into segments in one transaction
//! (a dropped one leaves the old facts), and rows upserted afterwards overlay the segments.

use std::collections::BTreeMap;

use motcua_domain::index::{IndexFact, OPEN};
use motcua_store::{on_both_backends, Store};

on_both_backends!(bulk_facts_are_replaced_whole_and_overlaid_by_rows);

fn fact(i: i64) -> IndexFact {
    let t = 1_735_689_600_000_000_000 + i * 1_000_000_007;
    IndexFact {
        unit: ["23575", "23581", "000.00.12.H21"][(i % 3) as usize].into(),
        received: (i % 11 != 0).then_some(t),
        closing: (i % 3 != 0).then_some(t + 86_400_000_000_000),
        due: (i % 7 != 0).then_some(t + 3 * 86_400_000_000_000),
        flags: (i % 2048) as u16,
        supplements: if i % 13 == 0 { vec![(t + 5, OPEN)] } else { Vec::new() },
    }
}

/// The stored facts, a later one of a code replacing an earlier one.
async fn stored(store: &Store) -> BTreeMap<String, IndexFact> {
    let mut all = BTreeMap::new();
    store.index_facts(|page| all.extend(page)).await.unwrap();
    all
}

async fn bulk_facts_are_replaced_whole_and_overlaid_by_rows(store: &Store) {
    // Several segments' worth, codes not in order.
    let first: Vec<(String, IndexFact)> = (0..40_000i64).rev().map(|i| (format!("H21-{i:07}"), fact(i))).collect();
    let mut bulk = store.begin_index_bulk().await.unwrap();
    bulk.push(first[..25_000].to_vec()).await.unwrap();
    bulk.push(first[25_000..].to_vec()).await.unwrap();
    assert_eq!(bulk.finish().await.unwrap(), 40_000);
    let mut expected: BTreeMap<String, IndexFact> = first.iter().cloned().collect();
    assert_eq!(stored(store).await, expected);
    assert!(!store.index_facts_incomplete().await.unwrap());

    // Live rows overlay the segments: changed facts and a new dossier.
    let live: Vec<(String, IndexFact)> = vec![
        ("H21-0000005".into(), fact(99_999)),
        ("H21-0039999".into(), fact(12)),
        ("H21-9999999".into(), fact(3)),
    ];
    store.put_index_facts(&live).await.unwrap();
    expected.extend(live.iter().cloned());
    assert_eq!(stored(store).await, expected);

    // A bulk replacement dropped before it finishes leaves everything as it was.
    let mut abandoned = store.begin_index_bulk().await.unwrap();
    abandoned
        .push(vec![("H21-0000005".to_string(), fact(1))])
        .await
        .unwrap();
    drop(abandoned);
    assert_eq!(stored(store).await, expected);

    // A finished one replaces the segments and the rows.
    let second: Vec<(String, IndexFact)> = (0..10i64).map(|i| (format!("N-{i}"), fact(i + 7))).collect();
    let mut bulk = store.begin_index_bulk().await.unwrap();
    bulk.push(second.clone()).await.unwrap();
    assert_eq!(bulk.finish().await.unwrap(), 10);
    assert_eq!(stored(store).await, second.into_iter().collect::<BTreeMap<_, _>>());
}
