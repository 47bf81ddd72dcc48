//! `motcua`: the one-stop e-government platform for a Vietnamese province, in one binary.

mod bench;
mod commands;
mod config;
mod setup;
mod telemetry;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Một cửa — one-stop e-government platform for a Vietnamese province",
    long_about = "Citizen portal, back office, live QĐ 766 measurement and a virtual assistant, in one binary.\n\
        Settings come from a TOML file (--config, MOTCUA_CONFIG or ./motcua.toml) and MOTCUA_* variables:\n\
        MOTCUA_DATABASE_URL (sqlite://PATH or postgres://…; default SQLite under the data dir),\n\
        MOTCUA_LISTEN (default 127.0.0.1:8080), MOTCUA_DATA_DIR (default ./motcua-data),\n\
        MOTCUA_LOG_FORMAT (text|json), MOTCUA_LOG (log filter, e.g. info,motcua=debug)."
)]
struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve an existing deployment (an empty database is initialised with the reference data).
    Serve {
        /// Address to listen on (overrides MOTCUA_LISTEN).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Create a fresh demo deployment (SQLite, Gia Lai units, the catalogue, demo accounts) and serve it.
    Demo {
        /// Address to listen on (overrides MOTCUA_LISTEN).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Load reference data or historical dossiers; importing the same file twice changes nothing.
    Import {
        #[arg(value_enum)]
        kind: ImportKind,
        /// The file (or, for units, a directory holding units.csv and merges.csv).
        path: PathBuf,
    },
    /// Write a realistic synthetic dossier history of a province in the import format (JSON Lines).
    Simulate {
        /// Province code (GSO), e.g. 52.
        #[arg(long)]
        province: String,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: chrono::NaiveDate,
        /// Number of dossiers.
        #[arg(long)]
        dossiers: u64,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file (JSON Lines).
        #[arg(long)]
        out: PathBuf,
    },
    /// Run a built-in benchmark; prints a table, then one JSON line with the figures.
    Bench {
        #[arg(value_enum)]
        name: bench::BenchName,
        /// Dossiers to process (lifecycle, index).
        #[arg(long, default_value_t = 20_000)]
        dossiers: u64,
        /// Operations to time (calendar, search).
        #[arg(long, default_value_t = 200_000)]
        iterations: u64,
        /// Run the database benchmarks on PostgreSQL (postgres://…; a fresh database is created).
        #[arg(long)]
        database_url: Option<String>,
        /// Concurrent clients of the database benchmarks.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Skip the DuckDB peer of the index benchmark (slow at 10M dossiers).
        #[arg(long)]
        no_peer: bool,
    },
    /// Write dossiers in the national exchange format (JSON Lines; personal ids masked).
    Export {
        #[arg(value_enum)]
        kind: ExportKind,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Only this competent unit (DonViXuLy).
        #[arg(long)]
        unit: Option<String>,
        /// First submission day, YYYY-MM-DD.
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last submission day, YYYY-MM-DD.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
    },
    /// The live QĐ 766 index.
    Index {
        #[command(subcommand)]
        action: IndexAction,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Write a consistent copy of the SQLite database while the server may be running.
    Backup {
        /// Destination file; must not exist.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, Subcommand)]
enum IndexAction {
    /// Recompute every dossier's index fact from the event log (with the original records of
    /// imported dossiers), in one transaction.
    Rebuild,
}

#[derive(Subcommand)]
enum AuditAction {
    /// Walk the hash chain; exit non-zero naming the first altered, deleted or reordered entry.
    Verify,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ImportKind {
    /// Administrative units (units.csv / merges.csv of data/units, or a directory with both).
    Units,
    /// Procedure catalogue in the National Public Service Portal's JSON Lines shape (.jsonl or .jsonl.gz).
    Catalog,
    /// Historical dossiers in the national exchange format (JSON Lines, see docs).
    Dossiers,
    /// Citizens of the embedded population registry (CSV: personal_id,full_name,birth_date,sex,
    /// permanent_residence,current_residence,place_of_origin,ethnicity,nationality).
    Population,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportKind {
    /// Dossiers in the national exchange format.
    Dossiers,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match config::Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    telemetry::init(&config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&e.into()),
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { listen } => commands::serve(config, listen).await,
            Command::Demo { listen } => commands::demo(config, listen).await,
            Command::Import { kind, path } => commands::import(config, kind, &path).await,
            Command::Simulate {
                province,
                from,
                to,
                dossiers,
                seed,
                out,
            } => {
                let spec = motcua_engine::simulate::SimulationSpec {
                    province,
                    from,
                    to,
                    dossiers,
                    seed,
                };
                commands::simulate(&config, spec, &out).await
            }
            Command::Bench {
                name,
                dossiers,
                iterations,
                database_url,
                concurrency,
                no_peer,
            } => {
                let options = bench::BenchOptions {
                    database_url,
                    concurrency,
                    peer: !no_peer,
                };
                bench::run(name, dossiers, iterations, &options).await
            }
            Command::Export {
                kind: ExportKind::Dossiers,
                out,
                unit,
                from,
                to,
            } => commands::export_dossiers(config, &out, unit.as_deref(), from, to).await,
            Command::Index {
                action: IndexAction::Rebuild,
            } => commands::index_rebuild(config).await,
            Command::Migrate => commands::migrate(config).await,
            Command::Audit {
                action: AuditAction::Verify,
            } => commands::audit_verify(config).await,
            Command::Backup { out } => commands::backup(config, &out).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// One line on stderr with the reason and its causes, never a panic trace.
fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("motcua: {e:#}");
    ExitCode::FAILURE
}
