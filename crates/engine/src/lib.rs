//! The dossier lifecycle engine: every submission and action goes through [`Engine`], which checks
//! the input at the edge, routes by competence, decides with the domain state machine and appends
//! the events with their projections through the group-committing writer.

pub mod catalog;
pub mod documents;
pub mod inbox;
pub mod index;
pub mod outbox;
pub mod population;
pub mod simulate;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, FixedOffset, Utc};
use motcua_domain::calendar::{vietnam, OfficeHours, WorkCalendar};
use motcua_domain::catalog::{FeeKind, Level};
use motcua_domain::dossier::exchange::{self, ExchangeRecord};
use motcua_domain::dossier::{
    self, counter_deltas, default_workflow, legal_time_for, Actor, Applicant, Command, Context, DeclaredDocument,
    DossierState, Event, LegalTime, NewDossier, Rejection, Status, SubmissionChannel, Workflow,
};
use motcua_domain::ids::{self, UnitCode};
use motcua_domain::roles::Role;
use motcua_domain::units::{UnitDirectory, UnitLevel, FIRST_DAY_2025};
use motcua_store::audit::{AuditEntry, AuditLog};
use motcua_store::dossiers::{AppendOutcome, AppendRequest, AppendTarget, DossierWriter, IdempotencyRecord};
use motcua_store::{Organisation, Store, User};

pub use catalog::CatalogView;
use documents::PaperFlags;
pub use index::IndexCache;

/// Legal time assumed when the catalogue states none for a procedure (about 5 % of them).
pub const FALLBACK_LEGAL_TIME: LegalTime = LegalTime::WorkingMinutes(15 * dossier::WORKING_DAY_MINUTES);

/// Why the engine refused; the HTTP layer maps each kind to its status.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Bad input, per field (422).
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<(String, String)>,
    },
    /// Not allowed in this state or to this user (409).
    #[error("{0}")]
    NotAllowed(String),
    /// The dossier changed since it was read (409).
    #[error("the dossier was changed by someone else meanwhile; reload it and try again")]
    Conflict,
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this to this dossier at all (403).
    #[error("{0}")]
    Forbidden(String),
    /// A service the request depends on did not answer (503).
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl EngineError {
    fn invalid(field: &str, reason: impl Into<String>) -> EngineError {
        let reason = reason.into();
        EngineError::Invalid {
            message: format!("{field}: {reason}"),
            fields: vec![(field.to_string(), reason)],
        }
    }
}

impl From<Rejection> for EngineError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::NotAllowed(m) => EngineError::NotAllowed(m),
            Rejection::Invalid { field, reason } => EngineError::invalid(field, reason),
        }
    }
}

impl From<motcua_store::StoreError> for EngineError {
    fn from(e: motcua_store::StoreError) -> Self {
        EngineError::Internal(e.into())
    }
}

pub type EngineResult<T> = Result<T, EngineError>;

/// A submission as received at the edge (`POST /api/v1/dossiers`).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    /// National procedure code, e.g. `1.001193`.
    pub procedure: String,
    /// The competent unit (`DonViXuLy`): a commune code such as `23575` or a department's code.
    pub unit: String,
    /// 1 counter, 2 online, 3 post.
    pub channel: i64,
    pub applicant: Applicant,
    /// The papers handed in (optional); when given, every name must be one of the procedure's
    /// documents and every unconditional one must be there.
    #[serde(default)]
    pub documents: Vec<DeclaredDocument>,
}

/// An action as received at the edge (`POST /api/v1/dossiers/{code}/actions`).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// `accept`, `refuse`, `request_supplement`, `supplement`, `forward`, `send_back`, `approve`,
    /// `request_payment`, `pay`, `extend`, `withdraw`, `stop`, `finish`, `return_result`, `transfer`.
    pub action: String,
    #[serde(default)]
    pub note: String,
    /// `forward`: the step to go to (default: the first next step).
    pub to: Option<String>,
    /// `request_payment`: the amount due in đồng.
    pub amount_dong: Option<i64>,
    /// `pay`: paid through the online gateway.
    pub online: Option<bool>,
    /// `extend`: the new appointment (RFC 3339).
    pub new_due: Option<String>,
    /// `transfer`: the competent unit that takes over.
    pub to_unit: Option<String>,
    /// `finish`: the result is issued electronically.
    pub electronic_result: Option<bool>,
}

/// Options of a submission beyond the dossier itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct SubmitOptions {
    /// Counter intake: look the applicant up in the population registry by personal id, prefill
    /// what is missing, refuse what contradicts it, and record the identity as verified.
    pub verify_identity: bool,
}

/// What a submission produced.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub code: String,
    /// The dossier now.
    pub state: DossierState,
    /// The answer given when the dossier was created (the same for every replay of the key).
    pub receipt: Receipt,
    /// True when an earlier request with the same idempotency key produced it.
    pub replayed: bool,
}

/// The answer to a submission.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    pub status: u8,
    pub received_at: Option<DateTime<FixedOffset>>,
    pub due: Option<DateTime<FixedOffset>>,
}

/// What an idempotency key was first used for; a key is never reused for something else.
enum KeyUse<'a> {
    Submit,
    Action { code: &'a str, action: &'a str },
}

/// Checks that a stored idempotency record answers the same kind of request.
fn check_replay(stored_code: &str, response: &serde_json::Value, expected: KeyUse) -> EngineResult<()> {
    let same = match expected {
        KeyUse::Submit => response["kind"] == "submit",
        KeyUse::Action { code, action } => {
            response["kind"] == "action" && stored_code == code && response["action"] == action
        }
    };
    if same {
        Ok(())
    } else {
        Err(EngineError::invalid(
            "Idempotency-Key",
            "this key was already used for a different request; use a new key for each request",
        ))
    }
}

fn actor_of(user: &User) -> Actor {
    Actor {
        username: user.username.clone(),
        role: user.role,
        unit: user.unit_code.clone(),
    }
}

struct Views {
    /// Configured workflows by (procedure, unit or "" for the province-wide one).
    workflows: Arc<HashMap<(String, String), Workflow>>,
    calendar: Arc<WorkCalendar>,
    catalog: Arc<CatalogView>,
    organisations: Arc<HashMap<String, Organisation>>,
    /// Units of both eras with the 2025 merges, for mapping pre-2025 codes in the index.
    units: Arc<UnitDirectory>,
}

#[derive(Clone)]
pub struct Engine {
    store: Store,
    writer: DossierWriter,
    views: Arc<RwLock<Views>>,
    /// Where dossier documents are stored (content-addressed); none refuses uploads.
    files_dir: Option<std::path::PathBuf>,
    /// States this process last wrote, read back by the next action on the same dossier instead
    /// of the database. A stale entry (another process wrote meanwhile) only makes the append
    /// fail its version check, which evicts it: the caller gets 409 and the retry reads afresh.
    /// Views always read the database.
    recent: Arc<std::sync::Mutex<HashMap<String, DossierState>>>,
    /// The clock; tests and the simulator replace it.
    clock: Arc<dyn Fn() -> DateTime<FixedOffset> + Send + Sync>,
    /// Every dossier's index fact, kept current by the writer after each commit.
    index: Arc<IndexCache>,
    /// Where personal ids are looked up (Đề án 06).
    registry: Arc<dyn population::PopulationRegistry>,
    /// The tamper-evident audit log's appender.
    audit: AuditLog,
}

impl Engine {
    /// Loads the calendar, catalogue and organisations from the store and starts the writer.
    pub async fn start(store: Store) -> anyhow::Result<Engine> {
        // The facts are loaded before the writer starts, so no commit can be missed or undone.
        if store.index_facts_incomplete().await? {
            let n = store.rebuild_index_facts().await?;
            tracing::info!(dossiers = n, "index facts computed from the event log");
        }
        let index = Arc::new(IndexCache::new());
        let mut loader = index::IndexLoader::default();
        store.index_facts(|page| loader.add(&page)).await?;
        index.install(loader);
        let listener = index.clone();
        let writer = DossierWriter::start_with(store.clone(), Some(Arc::new(move |facts| listener.apply(facts))));
        let engine = Engine {
            audit: writer.audit_log(),
            writer,
            index,
            views: Arc::new(RwLock::new(Views {
                workflows: Arc::new(HashMap::new()),
                calendar: Arc::new(WorkCalendar::default()),
                catalog: Arc::new(CatalogView::new(Vec::new())),
                organisations: Arc::new(HashMap::new()),
                units: Arc::new(UnitDirectory::new(Vec::new(), Vec::new())),
            })),
            clock: Arc::new(|| Utc::now().with_timezone(&vietnam())),
            files_dir: None,
            recent: Arc::new(std::sync::Mutex::new(HashMap::new())),
            registry: Arc::new(population::EmbeddedRegistry::new(store.clone())),
            store,
        };
        engine.reload().await?;
        engine.store.backfill_dossier_search_columns().await?;
        let recorded = engine.record_missing_feedback().await?;
        if recorded > 0 {
            tracing::info!(
                events = recorded,
                "ratings and complaints recorded in the dossiers' logs"
            );
        }
        Ok(engine)
    }

    /// The same engine with another clock (for tests and simulations).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<FixedOffset> + Send + Sync + 'static) -> Engine {
        self.clock = Arc::new(clock);
        self
    }

    /// The same engine asking another population registry (e.g. [`population::HttpRegistry`]).
    pub fn with_registry(mut self, registry: Arc<dyn population::PopulationRegistry>) -> Engine {
        self.registry = registry;
        self
    }

    /// Which population registry answers look-ups (`embedded`, `http`).
    pub fn registry_source(&self) -> &'static str {
        self.registry.source()
    }

    /// The audit log's appender (reads of personal data are recorded by the HTTP layer).
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// Records an audit entry about a dossier (or `-`), with masked details.
    pub async fn audit_event(&self, actor: &str, action: &str, target: &str, details: serde_json::Value) {
        self.audit
            .record(AuditEntry {
                actor: actor.to_string(),
                action: action.to_string(),
                target: target.to_string(),
                details,
            })
            .await;
    }

    /// The same engine storing documents under `dir`.
    pub fn with_files_dir(mut self, dir: std::path::PathBuf) -> Engine {
        self.files_dir = Some(dir);
        self
    }

    pub fn now(&self) -> DateTime<FixedOffset> {
        (self.clock)()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn read_views<T>(&self, f: impl FnOnce(&Views) -> T) -> T {
        match self.views.read() {
            Ok(v) => f(&v),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.read_views(|v| v.calendar.clone())
    }

    pub fn catalog(&self) -> Arc<CatalogView> {
        self.read_views(|v| v.catalog.clone())
    }

    pub fn organisation(&self, code: &str) -> Option<Organisation> {
        self.read_views(|v| v.organisations.get(code).cloned())
    }

    /// Units of both eras with the 2025 merges (the dashboards explain pre-2025 codes with it).
    pub fn unit_directory(&self) -> Arc<UnitDirectory> {
        self.read_views(|v| v.units.clone())
    }

    /// Rebuilds the in-memory calendar, catalogue and organisations from the store.
    pub async fn reload(&self) -> anyhow::Result<()> {
        let calendar = Arc::new(WorkCalendar::new(
            self.store.calendar_years().await?,
            OfficeHours::default(),
        )?);
        let withdrawn: std::collections::HashSet<String> = self
            .store
            .procedure_settings()
            .await?
            .into_iter()
            .filter(|s| !s.enabled)
            .map(|s| s.code)
            .collect();
        let (withdrawn, offered): (Vec<_>, Vec<_>) = self
            .store
            .procedures()
            .await?
            .into_iter()
            .partition(|p| withdrawn.contains(&p.code));
        let catalog =
            Arc::new(tokio::task::spawn_blocking(move || CatalogView::with_withdrawn(offered, withdrawn)).await?);
        let organisations: HashMap<String, Organisation> = self
            .store
            .organisations()
            .await?
            .into_iter()
            .map(|o| (o.code.clone(), o))
            .collect();
        let workflows = self
            .store
            .workflows()
            .await?
            .into_iter()
            .map(|w| ((w.procedure.clone(), w.unit.clone().unwrap_or_default()), w))
            .collect();
        let units = Arc::new(UnitDirectory::new(
            self.store.units().await?,
            self.store.unit_merges().await?,
        ));
        let views = Views {
            workflows: Arc::new(workflows),
            calendar,
            catalog,
            organisations: Arc::new(organisations),
            units,
        };
        match self.views.write() {
            Ok(mut guard) => *guard = views,
            Err(poisoned) => *poisoned.into_inner() = views,
        }
        Ok(())
    }

    /// The workflow in force for a procedure at a unit: configured, else the default one.
    pub async fn workflow_for(&self, procedure: &str, unit: &str, legal_time: LegalTime) -> EngineResult<Workflow> {
        let configured = self.read_views(|v| {
            let key = |u: &str| (procedure.to_string(), u.to_string());
            v.workflows
                .get(&key(unit))
                .or_else(|| v.workflows.get(&key("")))
                .cloned()
        });
        Ok(configured.unwrap_or_else(|| default_workflow(procedure, legal_time)))
    }

    /// Stores a validated workflow and makes it the one in force for new dossiers.
    pub async fn put_workflow(&self, workflow: &Workflow, by: &str) -> EngineResult<()> {
        workflow
            .validate()
            .map_err(|e| EngineError::invalid("workflow", e.to_string()))?;
        if self.catalog().get(&workflow.procedure).is_none() {
            return Err(EngineError::invalid(
                "procedure",
                format!("no procedure {:?}", workflow.procedure),
            ));
        }
        self.store.put_workflow(workflow, by).await?;
        self.reload().await.map_err(EngineError::Internal)
    }

    /// The workflow configured for exactly this procedure and unit (`""`: the province-wide
    /// one), without falling back.
    pub fn configured_workflow(&self, procedure: &str, unit: &str) -> Option<Workflow> {
        self.read_views(|v| v.workflows.get(&(procedure.to_string(), unit.to_string())).cloned())
    }

    /// Removes the workflow configured for `procedure` at `unit` (`""`: the province-wide one),
    /// so new dossiers there follow the next one down (the province's, then the default);
    /// false when there was none.
    pub async fn remove_workflow(&self, procedure: &str, unit: &str) -> EngineResult<bool> {
        let removed = self.store.delete_workflow(procedure, unit).await?;
        self.reload().await.map_err(EngineError::Internal)?;
        Ok(removed)
    }

    /// The organisations that may decide a procedure handled at `levels`, by name.
    pub fn competent_units(&self, levels: &[Level]) -> Vec<Organisation> {
        let mut units: Vec<Organisation> = self.read_views(|v| {
            v.organisations
                .values()
                .filter(|o| self.check_competence(o, levels).is_ok())
                .cloned()
                .collect()
        });
        units.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
        units
    }

    /// Whether `org` may decide a procedure handled at `levels`.
    pub fn is_competent(&self, org: &Organisation, levels: &[Level]) -> bool {
        self.check_competence(org, levels).is_ok()
    }

    /// Checks that `org` may decide `procedure` (NĐ 118: routing by competence).
    fn check_competence(&self, org: &Organisation, levels: &[Level]) -> EngineResult<()> {
        let needed = match org.kind.as_str() {
            "people_committee" if org.admin_unit_code.is_some() => Level::Commune,
            "department" | "people_committee" => Level::Province,
            _ => {
                return Err(EngineError::invalid(
                    "unit",
                    format!(
                        "{} receives dossiers but does not decide them; name the competent unit",
                        org.name
                    ),
                ))
            }
        };
        if levels.contains(&needed) {
            Ok(())
        } else {
            Err(EngineError::invalid(
                "unit",
                format!(
                    "{} is not competent for this procedure (handled at level {})",
                    org.name,
                    levels
                        .iter()
                        .map(|l| format!("{l:?}").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }

    /// Validates a submission, creates the dossier and (for a counter submission) accepts it.
    pub async fn submit(&self, user: &User, sub: Submission, idempotency_key: Option<&str>) -> EngineResult<Submitted> {
        self.submit_with(user, sub, idempotency_key, SubmitOptions::default())
            .await
    }

    /// [`Engine::submit`] with options (counter intake verifying the applicant's identity).
    pub async fn submit_with(
        &self,
        user: &User,
        sub: Submission,
        idempotency_key: Option<&str>,
        options: SubmitOptions,
    ) -> EngineResult<Submitted> {
        self.submit_recorded(user, sub, idempotency_key, options, PaperFlags::default())
            .await
    }

    /// Creates the dossier, recording what its files said about the papers.
    async fn submit_recorded(
        &self,
        user: &User,
        sub: Submission,
        idempotency_key: Option<&str>,
        options: SubmitOptions,
        papers: PaperFlags,
    ) -> EngineResult<Submitted> {
        if let Some(key) = idempotency_key {
            if let Some((code, response)) = self.store.idempotent_response(&user.username, key).await? {
                check_replay(&code, &response, KeyUse::Submit)?;
                return self.replayed(code, response).await;
            }
        }
        let catalog = self.catalog();
        let procedure = catalog.offered(sub.procedure.trim()).ok_or_else(|| {
            let message = if catalog.is_withdrawn(sub.procedure.trim()) {
                format!("procedure {:?} is not offered in this province", sub.procedure)
            } else {
                format!("no procedure with code {:?}", sub.procedure)
            };
            EngineError::invalid("procedure", message)
        })?;
        let unit = self.organisation(sub.unit.trim()).ok_or_else(|| {
            EngineError::invalid(
                "unit",
                format!("no organisation with code {:?} in this province", sub.unit),
            )
        })?;
        self.check_competence(&unit, &procedure.level)?;
        let channel = SubmissionChannel::from_code(sub.channel)
            .ok_or_else(|| EngineError::invalid("channel", "must be 1 (counter), 2 (online) or 3 (post)"))?;
        let mut applicant = sub.applicant;
        let registry_verified = if options.verify_identity {
            if channel == SubmissionChannel::Online || user.role != Role::CounterOfficer {
                return Err(EngineError::invalid(
                    "verify_identity",
                    "identity is verified against the population registry at counter intake, by a counter officer",
                ));
            }
            self.verify_applicant(user, &procedure.code, &mut applicant).await?;
            true
        } else {
            false
        };
        let applicant = self.check_applicant(applicant)?;
        let documents = check_documents(procedure, sub.documents)?;
        let receiving = match channel {
            SubmissionChannel::Online => unit.clone(),
            SubmissionChannel::Counter | SubmissionChannel::Post => user
                .unit_code
                .as_deref()
                .and_then(|c| self.organisation(c))
                .ok_or_else(|| {
                    EngineError::NotAllowed(
                        "only a one-stop counter officer records counter and postal submissions".into(),
                    )
                })?,
        };
        let receiving_code: UnitCode = receiving
            .electronic_code
            .parse()
            .map_err(|e| EngineError::Internal(anyhow::anyhow!("organisation {}: {e}", receiving.code)))?;
        let legal_time = legal_time_for(procedure, channel.catalog_channel(), FALLBACK_LEGAL_TIME);
        let fees_dong = procedure
            .channels
            .iter()
            .filter(|c| c.channel == channel.catalog_channel())
            .flat_map(|c| c.fees.iter())
            .filter(|f| f.kind == FeeKind::Amount)
            .filter_map(|f| f.amount_dong)
            .max()
            .unwrap_or(0);
        let is_own = user.role == Role::Citizen;
        // Verified: a level-2 e-ID account applying for its own holder, or a registry look-up at
        // the counter (both count for QĐ 766 4.5b through DuocLayTuCSDLDanCu).
        let identity_verified = registry_verified
            || is_own && user.eid_level >= 2 && user.personal_id.is_some() && user.personal_id == applicant.personal_id;
        let new = NewDossier {
            procedure: procedure.code.clone(),
            procedure_name: procedure.name.clone(),
            unit: unit.code.clone(),
            receiving_unit: receiving.code.clone(),
            channel,
            applicant,
            applicant_username: is_own.then(|| user.username.clone()),
            eid_level: if is_own { user.eid_level.clamp(0, 2) as u8 } else { 0 },
            identity_verified,
            legal_time,
            fees_dong,
            documents,
            digitised_components: papers.digitised,
            reused_data: papers.reused,
        };
        let workflow = self.workflow_for(&new.procedure, &new.unit, legal_time).await?;
        let now = self.now();
        let calendar = self.calendar();
        let ctx = Context {
            now,
            calendar: &calendar,
        };
        let actor = actor_of(user);
        let events = dossier::create(new, &actor, &ctx, &workflow)?;
        let state = dossier::replay(&events)
            .map_err(|e| EngineError::Internal(e.into()))?
            .ok_or_else(|| EngineError::Internal(anyhow::anyhow!("creation produced no event")))?;
        let target = AppendTarget::Create {
            receiving_unit: receiving_code,
            day: now.date_naive(),
        };
        let code = self
            .append(
                target,
                None,
                events,
                state.clone(),
                &actor,
                idempotency_key,
                submission_response(&state),
            )
            .await?;
        match code {
            Appended::New(code) => {
                self.remember(&code, &state);
                let details = serde_json::json!({"channel": state.channel.code(), "status": state.status.code(),
                    "identity_verified": state.identity_verified, "eid_level": state.eid_level});
                self.audit_event(&user.username, "dossier.submit", &code, details).await;
                Ok(Submitted {
                    code,
                    receipt: receipt_of(&state),
                    state,
                    replayed: false,
                })
            }
            Appended::Replayed(code, response) => {
                check_replay(&code, &response, KeyUse::Submit)?;
                self.replayed(code, response).await
            }
        }
    }

    async fn replayed(&self, code: String, response: serde_json::Value) -> EngineResult<Submitted> {
        let state = self
            .store
            .dossier(&code)
            .await?
            .ok_or_else(|| EngineError::Internal(anyhow::anyhow!("idempotency record names a missing dossier")))?;
        let receipt = serde_json::from_value(response).unwrap_or_else(|_| receipt_of(&state));
        Ok(Submitted {
            code,
            state,
            receipt,
            replayed: true,
        })
    }

    fn check_applicant(&self, mut a: Applicant) -> EngineResult<Applicant> {
        a.name = motcua_domain::text::nfc(a.name.trim());
        if a.name.is_empty() {
            return Err(EngineError::invalid(
                "applicant.name",
                "the applicant's name is required",
            ));
        }
        if a.name.chars().count() > 200 {
            return Err(EngineError::invalid("applicant.name", "at most 200 characters"));
        }
        if let Some(pid) = a.personal_id.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let today = self.now().date_naive();
            let check = ids::check_personal_id(pid, a.birth_date, None, today)
                .map_err(|e| EngineError::invalid("applicant.personal_id", e.to_string()))?;
            if !check.valid {
                return Err(EngineError::invalid("applicant.personal_id", check.problems.join("; ")));
            }
            a.personal_id = Some(pid.chars().filter(char::is_ascii_digit).collect());
        } else {
            a.personal_id = None;
        }
        if let Some(phone) = a.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
            let ok = (digits.starts_with('0') && digits.len() == 10 || digits.starts_with("+84") && digits.len() == 12)
                && digits.trim_start_matches('+').chars().all(|c| c.is_ascii_digit());
            if !ok {
                return Err(EngineError::invalid(
                    "applicant.phone",
                    "a Vietnamese phone number has 10 digits, e.g. 0912345678",
                ));
            }
            a.phone = Some(digits);
        }
        Ok(a)
    }

    /// Validates an action request and takes it.
    pub async fn act_request(
        &self,
        user: &User,
        code: &str,
        req: &ActionRequest,
        idempotency_key: Option<&str>,
    ) -> EngineResult<DossierState> {
        let action = dossier::Action::parse(req.action.trim()).ok_or_else(|| {
            EngineError::invalid(
                "action",
                format!(
                    "unknown action {:?}; one of: {}",
                    req.action,
                    dossier::Action::ALL
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        if req.note.chars().count() > 4000 {
            return Err(EngineError::invalid("note", "at most 4,000 characters"));
        }
        use dossier::Action as A;
        let command = match action {
            A::Accept => {
                let state = self.state(code).await?;
                Command::Accept {
                    workflow: self
                        .workflow_for(&state.procedure, &state.unit, state.legal_time)
                        .await?,
                }
            }
            A::Refuse => Command::Refuse,
            A::RequestSupplement => Command::RequestSupplement,
            A::Supplement => Command::Supplement,
            A::Forward => Command::Forward { to: req.to.clone() },
            A::SendBack => Command::SendBack,
            A::Approve => Command::Approve,
            A::RequestPayment => Command::RequestPayment {
                amount_dong: req
                    .amount_dong
                    .ok_or_else(|| EngineError::invalid("amount_dong", "the amount due is required"))?,
            },
            A::Pay => Command::Pay {
                online: req.online.unwrap_or(false),
            },
            A::Extend => {
                let text = req
                    .new_due
                    .as_deref()
                    .ok_or_else(|| EngineError::invalid("new_due", "the new appointment is required"))?;
                let new_due = DateTime::parse_from_rfc3339(text.trim())
                    .map_err(|_| EngineError::invalid("new_due", format!("{text:?} is not an RFC 3339 time")))?;
                Command::Extend { new_due }
            }
            A::Withdraw => Command::Withdraw,
            A::Stop => Command::Stop,
            A::Finish => Command::Finish {
                electronic_result: req.electronic_result.unwrap_or(false),
            },
            A::ReturnResult => Command::ReturnResult,
            A::Transfer => {
                let to = req
                    .to_unit
                    .as_deref()
                    .map(str::trim)
                    .ok_or_else(|| EngineError::invalid("to_unit", "the unit to transfer to is required"))?;
                let org = self.organisation(to).ok_or_else(|| {
                    EngineError::invalid("to_unit", format!("no organisation {to:?} in this province"))
                })?;
                let state = self.state(code).await?;
                let catalog = self.catalog();
                let procedure = catalog.get(&state.procedure).ok_or_else(|| {
                    EngineError::Internal(anyhow::anyhow!("procedure {} left the catalogue", state.procedure))
                })?;
                self.check_competence(&org, &procedure.level).map_err(|e| match e {
                    EngineError::Invalid { message, .. } => EngineError::invalid("to_unit", message),
                    other => other,
                })?;
                Command::Transfer {
                    to_unit: org.code.clone(),
                    workflow: self.workflow_for(&state.procedure, &org.code, state.legal_time).await?,
                }
            }
        };
        self.act(user, code, command, &req.note, idempotency_key).await
    }

    /// Takes `command` on dossier `code` for `user`.
    pub async fn act(
        &self,
        user: &User,
        code: &str,
        command: Command,
        note: &str,
        idempotency_key: Option<&str>,
    ) -> EngineResult<DossierState> {
        if let Some(key) = idempotency_key {
            if let Some((stored_code, response)) = self.store.idempotent_response(&user.username, key).await? {
                let expected = KeyUse::Action {
                    code,
                    action: command.action().as_str(),
                };
                check_replay(&stored_code, &response, expected)?;
                return self.state(code).await;
            }
        }
        let state = match self.recent_state(code) {
            Some(s) => s,
            None => self.state(code).await?,
        };
        // Someone with no part in the dossier is refused outright, whatever the action.
        if !(Self::may_view_full(user, &state) || Self::may_view_events(user, &state)) {
            return Err(EngineError::Forbidden(
                "only the applicant and the officers handling this dossier act on it".into(),
            ));
        }
        let calendar = self.calendar();
        let ctx = Context {
            now: self.now(),
            calendar: &calendar,
        };
        let actor = actor_of(user);
        let events = state.decide(&command, &actor, &ctx, note)?;
        let mut next = state.clone();
        for e in &events {
            next = dossier::apply(Some(next), e).map_err(|e| EngineError::Internal(e.into()))?;
        }
        let target = AppendTarget::Existing {
            code: code.to_string(),
            expected_version: state.version,
        };
        let action = command.action().as_str();
        let response = serde_json::json!({"kind": "action", "action": action});
        let appended = self
            .append(
                target,
                Some(&state),
                events,
                next.clone(),
                &actor,
                idempotency_key,
                response,
            )
            .await;
        match appended {
            Ok(Appended::New(_)) => {
                self.remember(code, &next);
                let details = serde_json::json!({"status": next.status.code(), "version": next.version});
                self.audit_event(&user.username, &format!("dossier.{action}"), code, details)
                    .await;
                Ok(next)
            }
            Err(e) => {
                self.forget(code);
                Err(e)
            }
            Ok(Appended::Replayed(stored_code, response)) => {
                self.forget(code);
                check_replay(&stored_code, &response, KeyUse::Action { code, action })?;
                self.state(code).await
            }
        }
    }

    /// Most entries [`Engine::recent`] keeps before starting afresh (a few MB).
    const RECENT_CAPACITY: usize = 20_000;

    fn recent_state(&self, code: &str) -> Option<DossierState> {
        self.recent.lock().ok().and_then(|m| m.get(code).cloned())
    }

    fn remember(&self, code: &str, state: &DossierState) {
        if let Ok(mut m) = self.recent.lock() {
            if m.len() >= Self::RECENT_CAPACITY {
                m.clear();
            }
            if state.status.is_closed() && state.status != Status::ResultReady {
                m.remove(code);
            } else {
                m.insert(code.to_string(), state.clone());
            }
        }
    }

    fn forget(&self, code: &str) {
        if let Ok(mut m) = self.recent.lock() {
            m.remove(code);
        }
    }

    /// The current state, or not found.
    pub async fn state(&self, code: &str) -> EngineResult<DossierState> {
        self.store
            .dossier(code)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("no dossier {code}")))
    }

    #[allow(clippy::too_many_arguments)]
    async fn append(
        &self,
        target: AppendTarget,
        before: Option<&DossierState>,
        events: Vec<Event>,
        state: DossierState,
        actor: &Actor,
        idempotency_key: Option<&str>,
        response: serde_json::Value,
    ) -> EngineResult<Appended> {
        let mut counters = Vec::new();
        let mut outbox = Vec::new();
        let mut previous = before.cloned();
        for e in &events {
            let after = dossier::apply(previous.clone(), e).map_err(|e| EngineError::Internal(e.into()))?;
            counters.extend(counter_deltas(previous.as_ref(), e, &after));
            outbox.extend(outbox::messages_for(previous.as_ref(), e, &after));
            previous = Some(after);
        }
        let request = AppendRequest {
            target: target.clone(),
            events,
            state,
            counters,
            idempotency: idempotency_key.map(|key| IdempotencyRecord {
                actor: actor.username.clone(),
                key: key.to_string(),
                response,
            }),
            outbox,
        };
        match self.writer.append(request).await? {
            AppendOutcome::Appended { code, .. } => Ok(Appended::New(code)),
            AppendOutcome::Duplicate { code, response } => Ok(Appended::Replayed(code, response)),
            AppendOutcome::Conflict => {
                // A concurrent request with the same key may have won: answer as it did.
                if let Some(key) = idempotency_key {
                    if let Some((code, response)) = self.store.idempotent_response(&actor.username, key).await? {
                        return Ok(Appended::Replayed(code, response));
                    }
                }
                match target {
                    AppendTarget::Existing { .. } => Err(EngineError::Conflict),
                    AppendTarget::Create { .. } | AppendTarget::Imported { .. } => {
                        Err(EngineError::Internal(anyhow::anyhow!("conflict on a new dossier")))
                    }
                }
            }
            AppendOutcome::SequenceExhausted => Err(EngineError::NotAllowed(
                "the receiving unit has received 9,999 dossiers today; receive at another unit".into(),
            )),
        }
    }

    /// Open dossiers (of one unit or all) already overdue or due within `within_hours` working
    /// hours, soonest first: the scheduler's flags behind inbox warnings.
    pub async fn deadline_flags(
        &self,
        unit: Option<&str>,
        within_hours: u32,
        limit: i64,
    ) -> EngineResult<Vec<DeadlineFlag>> {
        let now = self.now();
        let calendar = self.calendar();
        let horizon = calendar
            .add_working_minutes(now, i64::from(within_hours) * 60)
            .map_err(|e| EngineError::invalid("within_hours", e.to_string()))?;
        let rows = self.store.dossiers_due_before(unit, horizon, limit).await?;
        let mut flags = Vec::with_capacity(rows.len());
        for (code, status, due_ms) in rows {
            let Some(due) = motcua_store::dossiers::instant_from_ms(due_ms) else {
                continue;
            };
            let left = calendar
                .time_left(now, due)
                .map_err(|e| EngineError::Internal(e.into()))?;
            flags.push(DeadlineFlag {
                code,
                status: u8::try_from(status).unwrap_or(0),
                due,
                overdue: left.overdue,
                time_left_vi: left.vi(),
                time_left_en: left.en(),
            });
        }
        Ok(flags)
    }

    /// Loads one historical record of the national exchange format as a dossier. Atomic per
    /// record; a code already present is left untouched (importing a file twice changes nothing).
    pub async fn import_record(&self, record: &ExchangeRecord) -> EngineResult<ImportOutcome> {
        let catalog = self.catalog();
        let channel = record.channel.catalog_channel();
        let (name, legal_time) = match catalog.get(&record.procedure) {
            Some(p) => (p.name.clone(), legal_time_for(p, channel, FALLBACK_LEGAL_TIME)),
            None => (String::new(), FALLBACK_LEGAL_TIME),
        };
        let event = exchange::import_event(record, &name, legal_time);
        let state = dossier::apply(None, &event).map_err(|e| EngineError::invalid("record", e.reason))?;
        let request = AppendRequest {
            target: AppendTarget::Imported {
                code: record.code.clone(),
            },
            events: vec![event],
            state,
            counters: Vec::new(),
            idempotency: None,
            outbox: Vec::new(),
        };
        match self.writer.append(request).await? {
            AppendOutcome::Appended { .. } => Ok(ImportOutcome::Imported),
            AppendOutcome::Duplicate { .. } => Ok(ImportOutcome::AlreadyPresent),
            other => Err(EngineError::Internal(anyhow::anyhow!(
                "unexpected import outcome {other:?}"
            ))),
        }
    }

    /// A dossier in the national exchange format (what the province syncs to the national portal);
    /// an imported dossier keeps the fields of its original record that motcua does not track.
    pub async fn export_record(&self, code: &str) -> EngineResult<ExchangeRecord> {
        let state = self.state(code).await?;
        let original = self
            .store
            .dossier_events(code)
            .await?
            .into_iter()
            .next()
            .filter(|e| e.event.action == dossier::EventAction::Import)
            .and_then(|e| e.event.data.record)
            .and_then(|v| serde_json::from_value::<ExchangeRecord>(v).ok());
        Ok(exchange::export_record(code, &state, original.as_ref()))
    }

    /// Records the applicant's rating of a dossier whose result is ready (QĐ 766 5.4). True when
    /// it was recorded; false when the dossier was already rated (the first rating stays).
    pub async fn rate(&self, user: &User, code: &str, rating: exchange::Rating, comment: &str) -> EngineResult<bool> {
        let remark = dossier::Remark::Rate {
            rating,
            comment: comment.to_string(),
        };
        let first = self.remark(code, &remark, &actor_of(user)).await?;
        if first {
            let details = serde_json::json!({"rating": rating.as_str()});
            self.audit_event(&user.username, "dossier.rate", code, details).await;
        }
        Ok(first)
    }

    /// Records that PAKN item `feedback_code` (sent by `sender`, when signed in) names the
    /// dossier (QĐ 766 5.4); false when a complaint was already recorded.
    pub async fn record_complaint(&self, code: &str, feedback_code: &str, sender: Option<&str>) -> EngineResult<bool> {
        let remark = dossier::Remark::Complain {
            feedback_code: feedback_code.to_string(),
        };
        self.remark(code, &remark, &citizen(sender.unwrap_or(PAKN_SENDER)))
            .await
    }

    /// Records that the dossier's exchange record reached the National Public Service Portal
    /// (QĐ 766 1.4); false when an earlier delivery was already recorded.
    pub async fn record_portal_sync(&self, code: &str) -> EngineResult<bool> {
        self.remark(
            code,
            &dossier::Remark::SyncToPortal,
            &Actor::system(outbox::PORTAL_SYNC),
        )
        .await
    }

    /// Records in the dossiers' logs the ratings and complaints stored without their event (rows
    /// from before the log held them, or a complaint whose event failed after its item was kept);
    /// returns how many events were appended. One that the dossier refuses is logged and left.
    pub async fn record_missing_feedback(&self) -> EngineResult<usize> {
        let missing = self.store.feedback_missing_from_logs().await?;
        let mut remarks = Vec::new();
        for (code, username, rating, comment) in missing.ratings {
            let Some(rating) = exchange::Rating::parse(&rating) else {
                tracing::warn!(dossier = %code, rating, "unknown stored rating left out of the log");
                continue;
            };
            remarks.push((code, dossier::Remark::Rate { rating, comment }, citizen(&username)));
        }
        for (code, feedback_code, sender) in missing.complaints {
            let actor = citizen(sender.as_deref().unwrap_or(PAKN_SENDER));
            remarks.push((code, dossier::Remark::Complain { feedback_code }, actor));
        }
        let mut recorded = 0;
        for (code, remark, actor) in remarks {
            match self.remark(&code, &remark, &actor).await {
                Ok(appended) => recorded += usize::from(appended),
                Err(e @ (EngineError::NotFound(_) | EngineError::NotAllowed(_) | EngineError::Invalid { .. })) => {
                    tracing::warn!(dossier = %code, error = %e, "stored rating or complaint left out of the log");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(recorded)
    }

    /// Appends the event of `remark` through the writer (the index fact follows in the same
    /// transaction). A concurrent action wins the version check; the remark is then decided again
    /// on the fresh state.
    async fn remark(&self, code: &str, remark: &dossier::Remark, actor: &Actor) -> EngineResult<bool> {
        const ATTEMPTS: usize = 5;
        for _ in 0..ATTEMPTS {
            let state = self.state(code).await?;
            let calendar = self.calendar();
            let ctx = Context {
                now: self.now(),
                calendar: &calendar,
            };
            let Some(event) = state.remark(remark, actor, &ctx)? else {
                return Ok(false);
            };
            let next = dossier::apply(Some(state.clone()), &event).map_err(|e| EngineError::Internal(e.into()))?;
            let target = AppendTarget::Existing {
                code: code.to_string(),
                expected_version: state.version,
            };
            let appended = self
                .append(
                    target,
                    Some(&state),
                    vec![event],
                    next.clone(),
                    actor,
                    None,
                    serde_json::Value::Null,
                )
                .await;
            match appended {
                Ok(Appended::New(_)) => {
                    // Keeps the next action of this process from reading the version before it.
                    self.forget(code);
                    return Ok(true);
                }
                Err(EngineError::Conflict) => self.forget(code),
                Err(e) => return Err(e),
                Ok(Appended::Replayed(..)) => {
                    return Err(EngineError::Internal(anyhow::anyhow!(
                        "a remark carries no idempotency key"
                    )))
                }
            }
        }
        Err(EngineError::Conflict)
    }

    /// The QĐ 766 table of a unit (a competent unit's code, or a pre-2025 one, which means the unit
    /// it merged into; the province code or None for every unit of the province) over a period,
    /// from the live index.
    pub async fn index_table(
        &self,
        unit: Option<&str>,
        period: motcua_domain::index::Period,
    ) -> EngineResult<motcua_domain::index::IndexTable> {
        use motcua_domain::index::{score, IndexConfig};
        let label = unit.map(str::to_string).unwrap_or_else(|| self.province_code());
        let acc = self.index_counts(unit, &period);
        Ok(score(&label, period, &acc, &IndexConfig::qd766_2022(), &[]))
    }

    /// Numerators and denominators of a unit (as [`Self::index_table`]) over a period, from the
    /// live index.
    pub fn index_counts(
        &self,
        unit: Option<&str>,
        period: &motcua_domain::index::Period,
    ) -> motcua_domain::index::IndexAccumulator {
        let (start, end) = motcua_domain::index::period_nanos(period);
        let province = self.province_code();
        let units = self.read_views(|v| v.units.clone());
        match unit.filter(|u| *u != province && !u.is_empty()) {
            None => self.index.count(|_| true, start, end),
            Some(wanted) => {
                let wanted = index_unit(&units, wanted);
                // The few recorded units are mapped once per query, not once per dossier.
                let mut mapped: HashMap<&str, bool> = HashMap::new();
                let recorded = self.index.units();
                for u in &recorded {
                    mapped.insert(u.as_str(), index_unit(&units, u) == wanted);
                }
                self.index
                    .count(|u| mapped.get(u).copied().unwrap_or(false), start, end)
            }
        }
    }

    /// The reference computation of [`Self::index_counts`]: classifies every stored dossier's
    /// exchange record against the period (slow; kept as the oracle of the live index).
    pub async fn index_counts_reference(
        &self,
        unit: Option<&str>,
        period: &motcua_domain::index::Period,
    ) -> EngineResult<motcua_domain::index::IndexAccumulator> {
        use motcua_domain::index::{classify, IndexAccumulator};
        let province = self.province_code();
        let units = self.read_views(|v| v.units.clone());
        let wanted = unit
            .filter(|u| *u != province && !u.is_empty())
            .map(|u| index_unit(&units, u));
        let rows = self.store.dossiers_for_index(None, i64::MAX).await?;
        let mut acc = IndexAccumulator::new();
        for (code, state, original) in rows {
            if wanted.as_ref().is_some_and(|w| index_unit(&units, &state.unit) != *w) {
                continue;
            }
            let original = original.and_then(|v| serde_json::from_value::<ExchangeRecord>(v).ok());
            let record = exchange::export_record(&code, &state, original.as_ref());
            if let Some(facts) = classify(&record, period) {
                acc.add(&facts);
            }
        }
        Ok(acc)
    }

    /// Recomputes every index fact from the event log and reloads the live index from them.
    pub async fn rebuild_index(&self) -> EngineResult<u64> {
        let n = self.store.rebuild_index_facts().await?;
        self.reload_index().await?;
        Ok(n)
    }

    /// Reloads the live index from the stored facts. Returns the number of dossiers.
    pub async fn reload_index(&self) -> EngineResult<u64> {
        let mut loader = index::IndexLoader::default();
        self.store.index_facts(|page| loader.add(&page)).await?;
        let n = loader.len() as u64;
        self.index.install(loader);
        Ok(n)
    }

    /// The unit a recorded or queried code counts under (see [`index_unit`]).
    pub fn index_unit_of(&self, code: &str) -> String {
        self.read_views(|v| index_unit(&v.units, code))
    }

    /// The live index itself (for the benchmark and the dashboards).
    pub fn index(&self) -> &Arc<IndexCache> {
        &self.index
    }

    /// The GSO code of the deployment's province (every organisation carries it).
    pub fn province_code(&self) -> String {
        self.read_views(|v| v.organisations.values().next().map(|o| o.province_code.clone()))
            .unwrap_or_default()
    }

    /// Who may see a dossier's personal data: the applicant, officers of the competent unit, and
    /// counter officers while the dossier is at the counter (reception, supplement, fees, return).
    pub fn may_view_full(user: &User, state: &DossierState) -> bool {
        match user.role {
            Role::Citizen => state.applicant_username.as_deref() == Some(user.username.as_str()),
            Role::CounterOfficer => {
                user.unit_code.as_deref() == Some(state.receiving_unit.as_str())
                    || matches!(
                        state.status,
                        Status::Submitted | Status::SupplementRequested | Status::FeesDue | Status::ResultReady
                    )
            }
            Role::Specialist | Role::Leader | Role::UnitAdmin => user.unit_code.as_deref() == Some(state.unit.as_str()),
            Role::ProvinceAdmin | Role::LeadershipViewer => false,
        }
    }

    /// Who may read the audit trail: officers of the competent or receiving unit.
    pub fn may_view_events(user: &User, state: &DossierState) -> bool {
        user.role.is_officer()
            && user.role != Role::LeadershipViewer
            && (user.unit_code.as_deref() == Some(state.unit.as_str())
                || user.unit_code.as_deref() == Some(state.receiving_unit.as_str()))
    }
}

/// The unit a recorded or queried unit code counts under: a unit in force since the 2025
/// reorganisation as it is, a pre-2025 commune as the commune it merged into, anything else
/// (an agency, an unknown code) as it is.
pub fn index_unit(units: &UnitDirectory, code: &str) -> String {
    if units.get(code, FIRST_DAY_2025).is_some() {
        return code.to_string();
    }
    units
        .map_to_2025(code, UnitLevel::Commune)
        .unwrap_or_else(|| code.to_string())
}

/// An open dossier near or past its (effective) due instant.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DeadlineFlag {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    pub status: u8,
    pub due: DateTime<FixedOffset>,
    pub overdue: bool,
    /// "còn 0 ngày 3 giờ" / "quá 1 ngày 2 giờ".
    pub time_left_vi: String,
    pub time_left_en: String,
}

/// What importing one historical record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported,
    AlreadyPresent,
}

enum Appended {
    New(String),
    /// An earlier request with the same key: its code and stored response.
    Replayed(String, serde_json::Value),
}

/// A catalogue document that applies only in some cases ("Trường hợp …", "(nếu có)").
fn is_conditional(folded_name: &str) -> bool {
    ["doi voi", "neu ", "ngoai ra"]
        .iter()
        .any(|p| folded_name.starts_with(p))
        || folded_name.contains("truong hop")
        || folded_name.contains("neu co")
}

/// Checks declared papers against the procedure's required documents: each must name one of
/// them, and when papers are declared, every unconditional required document must be among them.
fn check_documents(
    procedure: &motcua_domain::catalog::Procedure,
    declared: Vec<DeclaredDocument>,
) -> EngineResult<Vec<DeclaredDocument>> {
    use motcua_domain::text::fold;
    if declared.is_empty() {
        return Ok(declared);
    }
    let required: Vec<(String, &str)> = procedure
        .documents
        .iter()
        .map(|d| (fold(&d.name), d.name.as_str()))
        .collect();
    let mut matched = vec![false; required.len()];
    let mut out = Vec::with_capacity(declared.len());
    for (i, mut d) in declared.into_iter().enumerate() {
        d.component = motcua_domain::text::nfc(d.component.trim());
        let folded = fold(&d.component);
        let hit = required.iter().position(|(name, _)| {
            *name == folded || (folded.chars().count() >= 12 && name.starts_with(folded.as_str()))
        });
        match hit {
            Some(j) => matched[j] = true,
            None => {
                return Err(EngineError::invalid(
                    &format!("documents[{i}].component"),
                    format!("{:?} is not a document of procedure {}", d.component, procedure.code),
                ))
            }
        }
        if d.originals + d.copies == 0 {
            d.originals = 1;
        }
        out.push(d);
    }
    let missing: Vec<&str> = required
        .iter()
        .zip(&matched)
        .filter(|((name, _), seen)| !**seen && !is_conditional(name))
        .map(|((_, original), _)| *original)
        .collect();
    if !missing.is_empty() {
        return Err(EngineError::invalid(
            "documents",
            format!("required documents missing: {}", missing.join("; ")),
        ));
    }
    Ok(out)
}

fn receipt_of(state: &DossierState) -> Receipt {
    Receipt {
        status: state.status.code(),
        received_at: state.received_at,
        due: state.appointment,
    }
}

/// The stored answer to a submission (the writer adds `MaHoSo`).
fn submission_response(state: &DossierState) -> serde_json::Value {
    let mut v = serde_json::to_value(receipt_of(state)).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("kind".into(), "submit".into());
    }
    v
}

/// Who a PAKN item sent without signing in is recorded as.
const PAKN_SENDER: &str = "pakn";

/// A citizen acting on their dossier (a rating, a complaint).
fn citizen(username: &str) -> Actor {
    Actor {
        username: username.to_string(),
        role: Role::Citizen,
        unit: None,
    }
}
