//! `motcua bench lifecycle`: full dossier lifecycles (counter submission → forward → approve →
//! finish → return) through the engine on a fresh database, with many concurrent clients. Every
//! command is acknowledged only after its transaction committed with fsync (group commit), so the
//! events/s figure is of durable events. The disk's raw fsync rate is measured in the same run.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use motcua_domain::dossier::Applicant;
use motcua_domain::roles::Role;
use motcua_engine::{ActionRequest, Engine, Submission};
use motcua_store::{reference, Store, User};
use tokio::sync::Mutex;

use super::{percentile_ms, BenchOptions};

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

/// fsyncs per second of 4 KiB appends to a file in `dir`, for one second.
fn disk_fsyncs_per_s(dir: &std::path::Path) -> anyhow::Result<f64> {
    let path = dir.join("fsync-probe");
    let mut f = std::fs::File::create(&path)?;
    let block = [0u8; 4096];
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(1) {
        f.write_all(&block)?;
        f.sync_data()?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(f);
    let _ = std::fs::remove_file(&path);
    Ok(rate)
}

pub async fn run(dossiers: u64, options: &BenchOptions) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (store, backend, pg_cleanup) = match &options.database_url {
        Some(url) if url.starts_with("postgres") => {
            let name = format!("motcua_bench_{}", std::process::id());
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
    let result = measure(&store, backend, dossiers, options, &dir).await;
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

async fn measure(
    store: &Store,
    backend: &str,
    dossiers: u64,
    options: &BenchOptions,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    reference::load_reference_if_empty(store).await?;
    let units = store.units().await?;
    store
        .upsert_organisations(&reference::province_organisations(&units, "52", "H21")?)
        .await?;
    let engine = Engine::start(store.clone()).await?;
    let fsyncs = disk_fsyncs_per_s(dir)?;

    // A dossier code has a 4-digit sequence per receiving unit and day, so a large run receives
    // at the one-stop counters of several organisations (at most 9,000 dossiers each).
    let receiving: Vec<String> = store
        .organisations()
        .await?
        .into_iter()
        .map(|o| o.code)
        .take((dossiers as usize).div_ceil(9_000).max(1))
        .collect();
    let counters: Arc<Vec<User>> = Arc::new(
        receiving
            .iter()
            .enumerate()
            .map(|(i, unit)| officer(&format!("tiepnhan{i}"), Role::CounterOfficer, unit))
            .collect(),
    );
    let specialist = officer("chuyenvien1", Role::Specialist, "23575");
    let leader = officer("lanhdao1", Role::Leader, "23575");
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<u64>::with_capacity(dossiers as usize * 5)));
    let events_before = store.dossier_totals().await?.1;
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..options.concurrency.max(1) {
        let (engine, next, latencies) = (engine.clone(), next.clone(), latencies.clone());
        let (counters, specialist, leader) = (counters.clone(), specialist.clone(), leader.clone());
        clients.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= dossiers {
                    break;
                }
                let counter = &counters[i as usize % counters.len()];
                let t = Instant::now();
                let sub = Submission {
                    procedure: "1.001193".into(),
                    unit: "23575".into(),
                    channel: 1,
                    applicant: Applicant {
                        name: format!("Người nộp {i}"),
                        ..Default::default()
                    },
                    documents: Vec::new(),
                };
                let code = engine.submit(counter, sub, Some(&format!("bench-{i}"))).await?.code;
                mine.push(t.elapsed().as_nanos() as u64);
                for (who, what) in [
                    (&specialist, "forward"),
                    (&leader, "approve"),
                    (&specialist, "finish"),
                    (counter, "return_result"),
                ] {
                    let t = Instant::now();
                    let req = ActionRequest {
                        action: what.into(),
                        ..Default::default()
                    };
                    engine.act_request(who, &code, &req, None).await?;
                    mine.push(t.elapsed().as_nanos() as u64);
                }
            }
            latencies.lock().await.extend(mine);
            Ok::<(), motcua_engine::EngineError>(())
        }));
    }
    for c in clients {
        c.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let events = store.dossier_totals().await?.1 - events_before;
    let mut samples = std::mem::take(&mut *latencies.lock().await);
    samples.sort_unstable();
    let events_per_s = events as f64 / elapsed;
    let commands_per_s = samples.len() as f64 / elapsed;
    let (p50, p99) = (percentile_ms(&samples, 50.0), percentile_ms(&samples, 99.0));
    println!(
        "lifecycle on {backend}: {dossiers} dossiers, {} clients",
        options.concurrency
    );
    println!("  events          {events:>12}");
    println!("  elapsed         {elapsed:>12.2} s");
    println!("  events/s        {events_per_s:>12.0}   (durable: acknowledged after commit + fsync)");
    println!("  commands/s      {commands_per_s:>12.0}");
    println!("  p50 per command {p50:>12.2} ms");
    println!("  p99 per command {p99:>12.2} ms");
    println!("  disk fsyncs/s   {fsyncs:>12.0}   (raw 4 KiB append + fdatasync, same disk)");
    println!(
        "{}",
        serde_json::json!({"bench": "lifecycle", "backend": backend, "dossiers": dossiers, "events": events,
            "clients": options.concurrency, "events_per_s": events_per_s.round(), "commands_per_s": commands_per_s.round(),
            "p50_ms": p50, "p99_ms": p99, "disk_fsyncs_per_s": fsyncs.round()})
    );
    Ok(())
}
