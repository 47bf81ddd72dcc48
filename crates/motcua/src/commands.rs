//! The subcommands that work on a deployment.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use motcua_domain::catalog;
use motcua_domain::units;
use motcua_store::reference::text_maybe_gzip;
use motcua_store::Store;
use motcua_web::{AppState, WebSettings};

use crate::config::Config;
use crate::setup::{self, DEMO_ACCOUNTS, DEMO_PASSWORD};
use crate::ImportKind;

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn run_server(config: &Config, store: Store, listen: &str) -> anyhow::Result<()> {
    let mut settings = WebSettings {
        token_ttl: chrono::Duration::hours(config.token_ttl_hours),
        files_dir: Some(config.data_dir.join("files")),
        ..WebSettings::default()
    };
    let public_url = config.public_url.clone().unwrap_or_else(|| {
        format!(
            "http://{}",
            listen.replace("0.0.0.0:", "127.0.0.1:").replace("[::]:", "[::1]:")
        )
    });
    settings.payments = motcua_web::payment_gateway::PaymentSettings {
        secret: config.payment_secret.clone().unwrap_or_default(),
        public_url: Some(public_url.clone()),
    };
    if let (Some(issuer), Some(client_id), Some(client_secret)) =
        (&config.oidc_issuer, &config.oidc_client_id, &config.oidc_client_secret)
    {
        settings.oidc = Some(motcua_web::oidc::OidcSettings {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            redirect_url: format!("{public_url}/dang-nhap/vneid/callback"),
        });
    }
    let mut engine = motcua_engine::Engine::start(store.clone())
        .await?
        .with_files_dir(config.data_dir.join("files"));
    if let Some(url) = &config.population_url {
        let registry = motcua_engine::population::HttpRegistry::new(motcua_engine::population::HttpRegistryConfig {
            timeout: std::time::Duration::from_millis(config.population_timeout_ms),
            ..motcua_engine::population::HttpRegistryConfig::new(url.clone())
        })?;
        engine = engine.with_registry(std::sync::Arc::new(registry));
        tracing::info!(url = %motcua_store::redact_url(url), "population look-ups go to the provincial platform");
    }
    let state = AppState::with_engine(engine, settings).await?;
    motcua_web::pages::payment::spawn_reconciler(state.clone(), std::time::Duration::from_secs(300));
    tokio::spawn(motcua_engine::outbox::run_delivery(
        state.engine().clone(),
        Box::new(motcua_engine::outbox::ByTopic {
            portal_sync: Box::new(motcua_engine::outbox::PortalSyncFile {
                dir: config.data_dir.join("portal-sync"),
            }),
            other: Box::new(motcua_engine::outbox::LogDelivery),
        }),
        std::time::Duration::from_secs(5),
    ));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("motcua serving on http://{addr}/");
    tracing::info!(%addr, "serving");
    let audit = state.engine().audit().clone();
    motcua_web::serve(listener, state, shutdown_signal()).await?;
    // Audit entries still queued are committed before the database closes.
    if let Err(e) = audit.flush().await {
        tracing::error!(error = %e, "audit entries could not be flushed at shutdown");
    }
    store.close().await;
    Ok(())
}

pub async fn serve(config: Config, listen: Option<String>) -> anyhow::Result<()> {
    let (store, load) = setup::open_deployment(&config).await?;
    log_reference_load(&load);
    let listen = listen.unwrap_or_else(|| config.listen.clone());
    run_server(&config, store, &listen).await
}

fn log_reference_load(load: &motcua_store::reference::ReferenceLoad) {
    if load.units.is_some() || load.procedures.is_some() || load.calendar_years > 0 {
        tracing::info!(
            units = ?load.units.as_ref().map(|s| s.inserted),
            procedures = ?load.procedures.as_ref().map(|s| s.inserted),
            calendar_years = load.calendar_years,
            "reference data loaded into the empty database"
        );
    }
}

/// Removes an earlier demo's database from the data dir (and only those files).
fn remove_earlier_demo(dir: &Path) -> anyhow::Result<()> {
    for name in ["motcua.sqlite", "motcua.sqlite-wal", "motcua.sqlite-shm"] {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// Simulated dossiers a demo starts with (`MOTCUA_DEMO_DOSSIERS` overrides).
const DEMO_HISTORY_DOSSIERS: u64 = 20_000;

pub async fn demo(mut config: Config, listen: Option<String>) -> anyhow::Result<()> {
    let started = Instant::now();
    if std::env::var_os("MOTCUA_DATA_DIR").is_none() {
        config.data_dir = std::env::temp_dir().join(format!("motcua-demo-{}", std::process::id()));
    }
    // The demo is always the embedded SQLite database of its data dir.
    config.database_url = None;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    remove_earlier_demo(&config.data_dir)?;
    let (store, load) = setup::open_deployment(&config).await?;
    log_reference_load(&load);
    setup::create_demo_accounts(&store).await?;
    let sample = setup::load_sample_plans(&store).await?;
    let citizens = motcua_engine::population::synthetic_citizens(DEMO_CITIZENS, 6);
    store.upsert_citizens(&citizens).await?;
    let history = std::env::var("MOTCUA_DEMO_DOSSIERS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEMO_HISTORY_DOSSIERS);
    let imported = load_demo_history(&config, &store, history).await?;
    let listen = listen.unwrap_or_else(|| config.listen.clone());
    println!(
        "motcua demo — Gia Lai (mã tỉnh {}), data in {}",
        config.province_code,
        config.data_dir.display()
    );
    println!("Tài khoản demo / demo accounts (mật khẩu / password: {DEMO_PASSWORD}):");
    for a in DEMO_ACCOUNTS {
        println!("  {:<12} {}", a.username, a.what);
    }
    println!(
        "Dữ liệu mẫu điều hành / sample steering data: {} plan(s), {} PAR year(s), {} directives (data/plans)",
        sample.plans, sample.par_years, sample.directives
    );
    println!(
        "{imported} simulated dossiers since 2024-01-01 loaded; prepared in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    run_server(&config, store, &listen).await
}

pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let store = Store::connect(&url).await?;
    let applied = store.migrate().await?;
    if applied.is_empty() {
        println!("the database is up to date");
    } else {
        println!("applied migrations {applied:?}");
    }
    store.close().await;
    Ok(())
}

pub async fn index_rebuild(config: Config) -> anyhow::Result<()> {
    let store = Store::open(&config.database_url()).await?;
    let started = std::time::Instant::now();
    let dossiers = store.rebuild_index_facts().await?;
    store.close().await;
    println!(
        "index facts of {dossiers} dossiers recomputed from the event log in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn backup(config: Config, out: &Path) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url()).await?;
    store.backup_to(out).await?;
    store.close().await;
    println!("backup written to {}", out.display());
    Ok(())
}

fn spinner(message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn print_summary(what: &str, s: &motcua_store::ImportSummary) {
    println!(
        "{what}: {} inserted, {} updated, {} unchanged",
        s.inserted, s.updated, s.unchanged
    );
}

pub async fn import(config: Config, kind: ImportKind, path: &Path) -> anyhow::Result<()> {
    let (store, _) = setup::open_deployment(&config).await?;
    match kind {
        ImportKind::Units => import_units(&store, path).await?,
        ImportKind::Catalog => import_catalog(&store, path).await?,
        ImportKind::Dossiers => import_dossiers(&store, path).await?,
        ImportKind::Population => import_population(&store, path).await?,
    }
    store.close().await;
    println!("a running server picks up the change when restarted");
    Ok(())
}

/// Citizens of the embedded population registry (CSV, see `motcua_engine::population::CSV_HEADER`):
/// every line is validated first; one bad line rejects the file; importing twice changes nothing.
async fn import_population(store: &Store, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let today = chrono::Utc::now().with_timezone(&motcua_web::vietnam()).date_naive();
    let citizens = match motcua_engine::population::parse_population_csv(&text, today) {
        Ok(c) => c,
        Err(errors) => {
            for e in errors.iter().take(50) {
                eprintln!("{e}");
            }
            bail!(
                "{} was not imported: {} bad line(s); nothing was written",
                path.display(),
                errors.len()
            );
        }
    };
    let summary = store.upsert_citizens(&citizens).await?;
    print_summary("citizens", &summary);
    Ok(())
}

/// Walks the audit log's hash chain; fails naming the first altered, deleted or reordered entry.
pub async fn audit_verify(config: Config) -> anyhow::Result<()> {
    let store = Store::open(&config.database_url()).await?;
    let result = store.verify_audit().await;
    store.close().await;
    let v = result?;
    match v.first_break {
        None => {
            println!(
                "audit log intact: {} entries, head {} {}",
                v.entries, v.head_seq, v.head_hash
            );
            Ok(())
        }
        Some(b) => bail!(
            "audit log broken at entry {} ({:?}): {}; {} entries before it verified",
            b.seq,
            b.kind,
            b.message,
            v.entries
        ),
    }
}

/// Synthetic citizens the demo's population registry holds.
const DEMO_CITIZENS: usize = 3_000;

async fn import_units(store: &Store, path: &Path) -> anyhow::Result<()> {
    let (units_file, merges_file) = if path.is_dir() {
        (
            Some(path.join("units.csv")),
            Some(path.join("merges.csv")).filter(|p| p.exists()),
        )
    } else {
        let head = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        if head.starts_with("new_code") {
            (None, Some(path.to_path_buf()))
        } else {
            (Some(path.to_path_buf()), None)
        }
    };
    if let Some(file) = units_file {
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let parsed = units::parse_units_csv(&text).with_context(|| format!("{} was not imported", file.display()))?;
        let bar = spinner("storing units");
        let summary = store.import_units(&parsed).await?;
        bar.finish_and_clear();
        print_summary("units", &summary);
    }
    if let Some(file) = merges_file {
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let parsed = units::parse_merges_csv(&text).with_context(|| format!("{} was not imported", file.display()))?;
        let summary = store.import_unit_merges(&parsed).await?;
        print_summary("merges", &summary);
    }
    Ok(())
}

async fn import_catalog(store: &Store, path: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = text_maybe_gzip(&bytes)?;
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    let bar = ProgressBar::new(lines);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} procedures parsed")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (procedures, errors) = catalog::parse_catalog_jsonl(&text);
    bar.set_position(lines);
    bar.finish_and_clear();
    for e in &errors {
        eprintln!("skipped: {e}");
    }
    if procedures.is_empty() {
        bail!("{} holds no procedure that could be read", path.display());
    }
    println!("{}", catalog::coverage(&procedures));
    let summary = store.import_procedures(&procedures).await?;
    print_summary("procedures", &summary);
    println!("{} lines skipped", errors.len());
    Ok(())
}

/// Historical dossiers in the national exchange format: every line is checked first and reported
/// with its line number; valid lines are imported one transaction each (never half a dossier);
/// codes already present are skipped, so importing a file twice changes nothing.
async fn import_dossiers(store: &Store, path: &Path) -> anyhow::Result<()> {
    use motcua_domain::dossier::exchange;
    use motcua_engine::Engine;

    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = text_maybe_gzip(&bytes)?;
    let (records, errors) = exchange::parse_jsonl(&text);
    for e in &errors {
        eprintln!("skipped: {e}");
    }
    if records.is_empty() && !errors.is_empty() {
        bail!(
            "{} holds no dossier that could be read ({} lines skipped)",
            path.display(),
            errors.len()
        );
    }
    let engine = Engine::start(store.clone()).await?;
    let bar = ProgressBar::new(records.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} dossiers {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let counts = import_records(&engine, records.into_iter(), &bar).await?;
    bar.finish_and_clear();
    if counts.imported > 0 {
        store.refresh_statistics().await?;
    }
    println!(
        "dossiers: {} imported, {} already present, {} lines skipped",
        counts.imported,
        counts.present,
        errors.len() as u64 + counts.failed
    );
    Ok(())
}

/// What an import of records did.
#[derive(Default)]
struct ImportCounts {
    imported: u64,
    present: u64,
    failed: u64,
}

/// Imports numbered records, a few hundred in flight so the writer commits them in batches;
/// a record that fails is reported with its number and skipped.
async fn import_records(
    engine: &motcua_engine::Engine,
    records: impl Iterator<Item = (usize, motcua_domain::dossier::exchange::ExchangeRecord)>,
    bar: &ProgressBar,
) -> anyhow::Result<ImportCounts> {
    use motcua_engine::ImportOutcome;
    let mut tasks = tokio::task::JoinSet::new();
    let mut counts = ImportCounts::default();
    let mut pending = records;
    loop {
        while tasks.len() < 256 {
            let Some((line, record)) = pending.next() else { break };
            let engine = engine.clone();
            tasks.spawn(async move { (line, engine.import_record(&record).await) });
        }
        let Some(done) = tasks.join_next().await else { break };
        let (line, outcome) = done?;
        bar.inc(1);
        match outcome {
            Ok(ImportOutcome::Imported) => counts.imported += 1,
            Ok(ImportOutcome::AlreadyPresent) => counts.present += 1,
            Err(e) => {
                counts.failed += 1;
                bar.suspend(|| eprintln!("line {line}: skipped: {e}"));
            }
        }
    }
    Ok(counts)
}

/// `motcua simulate`: a synthetic history of the province in the import format.
pub async fn simulate(
    config: &Config,
    spec: motcua_engine::simulate::SimulationSpec,
    out: &Path,
) -> anyhow::Result<()> {
    use std::io::Write;
    let ctx = motcua_engine::simulate::SimulationContext::embedded(&spec.province, &config.level1_code)?;
    let records = motcua_engine::simulate::simulate(&spec, &ctx)?;
    let file = std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let bar = ProgressBar::new(spec.dossiers);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} dossiers {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut n = 0u64;
    for record in records {
        writeln!(writer, "{}", motcua_domain::dossier::exchange::to_json_line(&record))?;
        n += 1;
        if n.is_multiple_of(1000) {
            bar.set_position(n);
        }
    }
    writer.flush()?;
    bar.finish_and_clear();
    println!("{n} dossiers written to {}", out.display());
    Ok(())
}

/// Loads a simulated history (from 2024-01-01 to yesterday, across the 2025 reorganisation of units)
/// into the demo, so that inboxes, the index, the 2024 sample plan and the assistant's status answers
/// have data from the first minute.
async fn load_demo_history(config: &Config, store: &Store, dossiers: u64) -> anyhow::Result<u64> {
    use motcua_engine::simulate::{simulate, SimulationContext, SimulationSpec};
    let today = chrono::Utc::now()
        .with_timezone(&motcua_domain::calendar::vietnam())
        .date_naive();
    let from = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(today);
    let to = today.pred_opt().unwrap_or(today).max(from);
    let spec = SimulationSpec {
        province: config.province_code.clone(),
        from,
        to,
        dossiers,
        seed: 2026,
    };
    let ctx = SimulationContext::embedded(&spec.province, &config.level1_code)?;
    let records: Vec<_> = simulate(&spec, &ctx)?.enumerate().map(|(i, r)| (i + 1, r)).collect();
    let engine = motcua_engine::Engine::start(store.clone()).await?;
    let counts = import_records(&engine, records.into_iter(), &ProgressBar::hidden()).await?;
    Ok(counts.imported)
}

/// Writes dossiers in the national exchange format (personal identification numbers masked).
pub async fn export_dossiers(
    config: Config,
    out: &Path,
    unit: Option<&str>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    use std::io::Write;

    let (store, _) = setup::open_deployment(&config).await?;
    let engine = motcua_engine::Engine::start(store.clone()).await?;
    let tz = motcua_domain::calendar::vietnam();
    let start_ms = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).single())
            .map_or(0, |t| t.timestamp_millis())
    };
    let from_ms = from.map_or(i64::MIN, start_ms);
    let to_ms = to.and_then(|d| d.succ_opt()).map_or(i64::MAX, start_ms);
    let codes = store.dossier_codes(unit, from_ms, to_ms).await?;
    let file = std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    for code in &codes {
        let record = engine.export_record(code).await?;
        writeln!(writer, "{}", motcua_domain::dossier::exchange::to_json_line(&record))?;
    }
    writer.flush()?;
    store.close().await;
    println!("{} dossiers written to {}", codes.len(), out.display());
    Ok(())
}
