//! Built-in benchmarks. Each prints a human-readable table, then one JSON object as its last line.

use std::time::Instant;

use chrono::{Duration, TimeZone};
use clap::ValueEnum;
use motcua_domain::calendar::{WorkCalendar, WorkDuration};
use motcua_domain::catalog::{SearchFilter, SearchIndex};

mod assistant;
mod inbox;
mod index;
mod lifecycle;

/// Flags shared by the database benchmarks.
pub struct BenchOptions {
    /// `postgres://…` to run against PostgreSQL (a fresh database is created and dropped);
    /// default: SQLite in a temporary directory.
    pub database_url: Option<String>,
    /// Concurrent clients.
    pub concurrency: usize,
    /// Whether to run the peer (DuckDB) when it is installed.
    pub peer: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BenchName {
    /// Reception and due-date arithmetic of the working-time calendar.
    Calendar,
    /// Catalogue search over the embedded 2,642 procedures.
    Search,
    /// Full dossier lifecycles through the engine on a fresh database: durable events/s, latency.
    Lifecycle,
    /// The live QĐ 766 index over a simulated province: query latency, rebuild time, memory, DuckDB peer.
    Index,
    /// The virtual assistant: accuracy on the bundled question sets, index build, latency over HTTP.
    Assistant,
    /// The officers' inbox of one unit with `--dossiers` open dossiers: queue pages, searches, counts.
    Inbox,
}

/// Latency percentiles in milliseconds of a sorted sample of nanoseconds.
pub(crate) fn percentile_ms(sorted_ns: &[u64], p: f64) -> f64 {
    if sorted_ns.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted_ns.len() - 1) as f64).round() as usize;
    sorted_ns[rank.min(sorted_ns.len() - 1)] as f64 / 1e6
}

pub async fn run(name: BenchName, dossiers: u64, iterations: u64, options: &BenchOptions) -> anyhow::Result<()> {
    match name {
        BenchName::Calendar => calendar(iterations),
        BenchName::Search => search(iterations),
        BenchName::Lifecycle => lifecycle::run(dossiers, options).await,
        BenchName::Index => index::run(dossiers, options).await,
        BenchName::Assistant => assistant::run().await,
        BenchName::Inbox => inbox::run(dossiers, options).await,
    }
}

/// A deterministic spread of instants over 2024–2026 (every 17 minutes and 13 seconds).
fn instants(n: u64) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
    let tz = motcua_web::vietnam();
    let Some(start) = tz.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single() else {
        return Vec::new();
    };
    (0..n)
        .map(|i| start + Duration::seconds(((i * 1033) % (3 * 365 * 86_400)) as i64))
        .collect()
}

fn calendar(iterations: u64) -> anyhow::Result<()> {
    let cal = WorkCalendar::default();
    let inputs = instants(iterations.max(1));
    let durations = [
        WorkDuration::WithinDay,
        WorkDuration::Days(3),
        WorkDuration::Days(15),
        WorkDuration::Hours(36),
    ];
    let mut samples = Vec::with_capacity(inputs.len());
    let started = Instant::now();
    for (i, t) in inputs.iter().enumerate() {
        let t0 = Instant::now();
        let received = cal.received_at(*t)?;
        let due = cal.due(received, durations[i % durations.len()])?;
        std::hint::black_box(due);
        samples.push(t0.elapsed().as_nanos() as u64);
    }
    let total = started.elapsed().as_secs_f64();
    samples.sort_unstable();
    let per_s = inputs.len() as f64 / total;
    let (p50, p99) = (percentile_ms(&samples, 50.0), percentile_ms(&samples, 99.0));
    println!("calendar: {} reception + due computations", inputs.len());
    println!("  throughput   {per_s:>12.0} /s");
    println!("  p50          {:>12.4} ms", p50);
    println!("  p99          {:>12.4} ms", p99);
    println!(
        "{}",
        serde_json::json!({"bench": "calendar", "operations": inputs.len(), "ops_per_s": per_s.round(), "p50_ms": p50, "p99_ms": p99})
    );
    Ok(())
}

fn search(iterations: u64) -> anyhow::Result<()> {
    let procedures = motcua_store::reference::embedded_catalog()?;
    let built = Instant::now();
    let index = SearchIndex::new(&procedures);
    let build_ms = built.elapsed().as_secs_f64() * 1e3;
    let queries = [
        "đăng ký khai sinh",
        "dang ky ket hon",
        "cấp giấy phép xây dựng",
        "cap lai can cuoc",
        "đăng ký thường trú",
        "chung thuc ban sao",
        "giấy chứng nhận quyền sử dụng đất",
        "đăng ký doanh nghiệp",
    ];
    let filter = SearchFilter::default();
    let n = iterations.clamp(1, 20_000);
    let mut samples = Vec::with_capacity(n as usize);
    let started = Instant::now();
    for i in 0..n {
        let t0 = Instant::now();
        std::hint::black_box(index.search(queries[i as usize % queries.len()], &filter));
        samples.push(t0.elapsed().as_nanos() as u64);
    }
    let total = started.elapsed().as_secs_f64();
    samples.sort_unstable();
    let per_s = n as f64 / total;
    let (p50, p99) = (percentile_ms(&samples, 50.0), percentile_ms(&samples, 99.0));
    println!("search: {n} queries over {} procedures", procedures.len());
    println!("  index build  {build_ms:>12.1} ms");
    println!("  throughput   {per_s:>12.0} queries/s");
    println!("  p50          {p50:>12.4} ms");
    println!("  p99          {p99:>12.4} ms");
    println!(
        "{}",
        serde_json::json!({"bench": "search", "queries": n, "procedures": procedures.len(), "index_build_ms": build_ms, "queries_per_s": per_s.round(), "p50_ms": p50, "p99_ms": p99})
    );
    Ok(())
}
