//! `motcua bench inbox`: the officers' inbox of one unit holding many open dossiers. The dossiers
//! are made through the engine (counter intake, some forwarded to the leader, some waiting for a
//! supplement, some with the result ready) under a clock that runs through several weeks, so
//! the queues include overdue and due-soon dossiers; then queue pages (first and deep), searches
//! by code, personal id and name are timed, each with every queue's count.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::TimeZone;
use motcua_domain::dossier::Applicant;
use motcua_domain::roles::Role;
use motcua_engine::inbox::InboxParams;
use motcua_engine::{ActionRequest, Engine, Submission};
use motcua_store::{reference, Store, User};

use super::{percentile_ms, BenchOptions};

const UNIT: &str = "23575";
const CENTRE: &str = "000.00.12.H21";

fn officer(name: &str, role: Role, unit: &str) -> User {
    User {
        username: name.into(),
        full_name: name.into(),
        role,
        unit_code: Some(unit.into()),
        eid_level: 0,
        personal_id: None,
    }
}

pub async fn run(dossiers: u64, options: &BenchOptions) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-inbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (store, backend, pg_cleanup) = match &options.database_url {
        Some(url) if url.starts_with("postgres") => {
            let name = format!("motcua_bench_inbox_{}", std::process::id());
            let admin = Store::connect(url).await.context("PostgreSQL for the benchmark")?;
            admin.create_database(&name).await?;
            admin.close().await;
            let db_url = motcua_store::replace_database(url, &name);
            (Store::open(&db_url).await?, "postgres", Some((url.clone(), name)))
        }
        Some(other) => anyhow::bail!("--database-url must be postgres://… (SQLite is the default): {other}"),
        None => {
            let url = format!("sqlite://{}", dir.join("bench.sqlite").display());
            (Store::open(&url).await?, "sqlite", None)
        }
    };
    let result = measure(&store, backend, dossiers, options).await;
    store.close().await;
    if let Some((admin_url, name)) = pg_cleanup {
        if let Ok(admin) = Store::connect(&admin_url).await {
            let _ = admin.drop_database(&name).await;
            admin.close().await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A valid synthetic personal id for dossier `i` (province 064, born 1980–1999).
fn personal_id(i: u64) -> String {
    let year = 80 + i % 20;
    let sex = i % 2;
    format!("064{sex}{year:02}{:06}", (i * 7919) % 1_000_000)
}

async fn measure(store: &Store, backend: &str, dossiers: u64, options: &BenchOptions) -> anyhow::Result<()> {
    reference::load_reference_if_empty(store).await?;
    let units = store.units().await?;
    store
        .upsert_organisations(&reference::province_organisations(&units, "52", "H21")?)
        .await?;
    // The clock starts on a Monday morning and moves 23 seconds per reading: the dossiers are
    // received over several weeks, and by the end the early ones are overdue.
    let start = motcua_web::vietnam()
        .with_ymd_and_hms(2026, 3, 2, 7, 30, 0)
        .single()
        .context("start instant")?
        .timestamp_millis();
    let clock = Arc::new(AtomicI64::new(start));
    let c = clock.clone();
    let engine = Engine::start(store.clone()).await?.with_clock(move || {
        let t = c.fetch_add(23_000, Ordering::Relaxed);
        motcua_web::vietnam()
            .timestamp_millis_opt(t)
            .single()
            .unwrap_or_else(|| chrono::Utc::now().with_timezone(&motcua_web::vietnam()))
    });
    let counter = officer("tiepnhan1", Role::CounterOfficer, CENTRE);
    let specialist = officer("chuyenvien1", Role::Specialist, UNIT);
    let made = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut clients = Vec::new();
    for _ in 0..options.concurrency.max(1) {
        let (engine, next, counter, specialist) = (engine.clone(), next.clone(), counter.clone(), specialist.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= dossiers {
                    break;
                }
                let sub = Submission {
                    procedure: "1.001193".into(),
                    unit: UNIT.into(),
                    channel: 1,
                    applicant: Applicant {
                        name: format!("Nguyễn Văn Người Nộp {i}"),
                        personal_id: Some(personal_id(i)),
                        ..Default::default()
                    },
                    documents: Vec::new(),
                };
                let code = engine.submit(&counter, sub, None).await?.code;
                // A tenth waits for the leader, a twentieth for a supplement.
                let action = match i % 20 {
                    0 | 1 => Some("forward"),
                    2 => Some("request_supplement"),
                    _ => None,
                };
                if let Some(what) = action {
                    let req = ActionRequest {
                        action: what.into(),
                        note: "Thiếu tờ khai có chữ ký".into(),
                        ..Default::default()
                    };
                    engine.act_request(&specialist, &code, &req, None).await?;
                }
            }
            Ok::<(), motcua_engine::EngineError>(())
        }));
    }
    for c in clients {
        c.await??;
    }
    engine.audit().flush().await?;
    let make_s = made.elapsed().as_secs_f64();
    // Freeze the clock at the end of intake for the measurement.
    let end = clock.load(Ordering::Relaxed);
    let engine = engine.with_clock(move || {
        motcua_web::vietnam()
            .timestamp_millis_opt(end)
            .single()
            .unwrap_or_else(|| chrono::Utc::now().with_timezone(&motcua_web::vietnam()))
    });
    let sample_code = store
        .dossier_codes(Some(UNIT), 0, i64::MAX)
        .await?
        .get((dossiers / 2) as usize)
        .cloned()
        .context("a dossier code")?;
    let specialist_leader = officer("lanhdao1", Role::Leader, UNIT);
    let targets = Targets {
        sample_code,
        max_page: (dossiers / 20).clamp(1, 5_000),
        dossiers,
    };
    println!("inbox on {backend}: {dossiers} dossiers of one unit (made in {make_s:.1} s), 400 requests per phase");
    let fresh = time_requests(&engine, &specialist_leader, &targets).await?;
    for (queue, count) in &fresh.counts {
        println!("  {queue:<16} {count:>8}");
    }
    let fresh_json = fresh.print("right after intake");
    // What the database's maintenance (PostgreSQL's autovacuum, within a minute of such a load)
    // or `motcua import` does after a bulk change: statistics and visibility refreshed.
    let t = Instant::now();
    store.refresh_statistics().await?;
    let refresh_s = t.elapsed().as_secs_f64();
    let settled = time_requests(&engine, &specialist_leader, &targets).await?;
    let settled_json = settled.print(&format!("after refreshing statistics ({refresh_s:.1} s)"));
    println!(
        "{}",
        serde_json::json!({"bench": "inbox", "backend": backend, "dossiers": dossiers,
            "requests": fresh.samples.len(), "p50_ms": fresh_json["p50_ms"], "p99_ms": fresh_json["p99_ms"],
            "fresh": fresh_json, "settled": settled_json, "refresh_s": refresh_s,
            "queues": fresh.counts.into_iter().collect::<std::collections::BTreeMap<_, _>>()})
    );
    Ok(())
}

/// What the timed requests look for.
struct Targets {
    sample_code: String,
    max_page: u64,
    dossiers: u64,
}

struct Timings {
    samples: Vec<u64>,
    by_kind: std::collections::BTreeMap<&'static str, Vec<u64>>,
    counts: Vec<(String, i64)>,
}

impl Timings {
    /// Prints p50/p99 per kind and overall; returns them as JSON.
    fn print(&self, phase: &str) -> serde_json::Value {
        println!("  {phase}:");
        let mut kinds = serde_json::Map::new();
        for (kind, v) in &self.by_kind {
            let mut v = v.clone();
            v.sort_unstable();
            let (a, b) = (percentile_ms(&v, 50.0), percentile_ms(&v, 99.0));
            println!("    {kind:<20} p50 {a:>8.2} ms   p99 {b:>8.2} ms");
            kinds.insert((*kind).into(), serde_json::json!({"p50_ms": a, "p99_ms": b}));
        }
        let mut all = self.samples.clone();
        all.sort_unstable();
        let (p50, p99) = (percentile_ms(&all, 50.0), percentile_ms(&all, 99.0));
        println!("    all                  p50 {p50:>8.2} ms   p99 {p99:>8.2} ms");
        serde_json::json!({"p50_ms": p50, "p99_ms": p99, "kinds": kinds})
    }
}

/// 400 inbox requests, interleaved: queue pages (first and deep), searches by code, personal id
/// and name; each answers with every queue's count.
async fn time_requests(engine: &Engine, user: &User, targets: &Targets) -> anyhow::Result<Timings> {
    let Targets {
        sample_code,
        max_page,
        dossiers,
    } = targets;
    let (max_page, dossiers) = (*max_page, *dossiers);
    let queues = [
        "dang_xu_ly",
        "cho_ky",
        "cho_bo_sung",
        "qua_han",
        "sap_den_han",
        "moi_tiep_nhan",
        "cho_tra_ket_qua",
    ];
    let mut samples = Vec::new();
    let mut by_kind: std::collections::BTreeMap<&str, Vec<u64>> = Default::default();
    let mut counts_seen = Vec::new();
    for round in 0..400u64 {
        let (kind, params) = match round % 8 {
            0..=2 => (
                "queue_first_page",
                InboxParams {
                    queue: Some(queues[(round as usize / 8) % queues.len()].into()),
                    ..Default::default()
                },
            ),
            3 | 4 => (
                "queue_deep_page",
                InboxParams {
                    queue: Some("dang_xu_ly".into()),
                    page: Some((1 + (round * 7919) % max_page) as u32),
                    ..Default::default()
                },
            ),
            5 => (
                "search_code",
                InboxParams {
                    q: Some(sample_code.clone()),
                    ..Default::default()
                },
            ),
            6 => (
                "search_personal_id",
                InboxParams {
                    q: Some(personal_id((round * 131) % dossiers)),
                    ..Default::default()
                },
            ),
            _ => (
                "search_name",
                InboxParams {
                    q: Some(format!("nguoi nop {}", (round * 97) % dossiers)),
                    ..Default::default()
                },
            ),
        };
        let t = Instant::now();
        let page = engine.inbox(user, &params).await?;
        let ns = t.elapsed().as_nanos() as u64;
        if round == 0 {
            counts_seen = page.counts.iter().map(|c| (c.queue.clone(), c.count)).collect();
        }
        samples.push(ns);
        by_kind.entry(kind).or_default().push(ns);
    }
    Ok(Timings {
        samples,
        by_kind,
        counts: counts_seen,
    })
}
