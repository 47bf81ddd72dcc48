//! The population registry (Đề án 06): who a personal identification number belongs to.
//!
//! [`PopulationRegistry`] is the adapter interface; [`EmbeddedRegistry`] answers from the table
//! `population_citizens` (imported from CSV, seeded in the demo), [`HttpRegistry`] asks the
//! provincial data-sharing platform (LGSP/NDXP) over HTTP with a timeout, retries with backoff
//! and a circuit breaker. The engine logs every look-up ([`crate::Engine::lookup_citizen`]).
//!
//! HTTP protocol: `POST {base_url}/citizens/lookup` with `{"personal_id": "…"}` (the number goes
//! in the body, never in a URL) → 200 with a [`CitizenRecord`], 404 when unknown; anything else
//! is a failure.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use motcua_store::population::CitizenRecord;
use motcua_store::Store;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a look-up got no answer (as opposed to "not found").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("the population registry did not answer: {0}")]
    Unavailable(String),
    #[error("the population registry is not being asked for a while after repeated failures")]
    CircuitOpen,
    #[error("the population registry answered something unreadable: {0}")]
    BadAnswer(String),
}

/// A source of population data.
pub trait PopulationRegistry: Send + Sync {
    /// `embedded` or `http`, recorded with each look-up.
    fn source(&self) -> &'static str;

    /// The citizen with this (validated, 12-digit) number, or none.
    fn lookup<'a>(&'a self, personal_id: &'a str) -> BoxFuture<'a, Result<Option<CitizenRecord>, RegistryError>>;
}

/// The registry table in the deployment's own database.
pub struct EmbeddedRegistry {
    store: Store,
}

impl EmbeddedRegistry {
    pub fn new(store: Store) -> EmbeddedRegistry {
        EmbeddedRegistry { store }
    }
}

impl PopulationRegistry for EmbeddedRegistry {
    fn source(&self) -> &'static str {
        "embedded"
    }

    fn lookup<'a>(&'a self, personal_id: &'a str) -> BoxFuture<'a, Result<Option<CitizenRecord>, RegistryError>> {
        Box::pin(async move {
            self.store
                .citizen(personal_id)
                .await
                .map_err(|e| RegistryError::Unavailable(e.to_string()))
        })
    }
}

/// Settings of [`HttpRegistry`].
#[derive(Clone, Debug)]
pub struct HttpRegistryConfig {
    /// e.g. `http://lgsp.gialai.gov.vn/dancu/v1` (without the trailing `/citizens/lookup`).
    pub base_url: String,
    /// Per attempt.
    pub timeout: Duration,
    /// Further attempts after a failed one.
    pub retries: u32,
    /// Wait before the first retry; doubled for each next one.
    pub backoff: Duration,
    /// Consecutive failed look-ups that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit refuses before letting one trial look-up through.
    pub cool_down: Duration,
    /// Sent as a bearer token when set.
    pub api_key: Option<String>,
}

impl HttpRegistryConfig {
    pub fn new(base_url: impl Into<String>) -> HttpRegistryConfig {
        HttpRegistryConfig {
            base_url: base_url.into(),
            timeout: Duration::from_secs(3),
            retries: 2,
            backoff: Duration::from_millis(200),
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
            api_key: None,
        }
    }
}

/// The circuit breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    /// Refusing until the instant.
    Open,
    /// One trial look-up is running.
    HalfOpen,
}

#[derive(Debug)]
struct Breaker {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    trial_running: bool,
}

/// The provincial data-sharing platform's population service over HTTP.
pub struct HttpRegistry {
    client: reqwest::Client,
    config: HttpRegistryConfig,
    breaker: Mutex<Breaker>,
}

enum Attempt {
    Answer(Option<CitizenRecord>),
    /// Worth retrying (timeout, connection, 5xx).
    Transient(String),
    /// Not worth retrying (4xx other than 404, unreadable body).
    Permanent(RegistryError),
}

impl HttpRegistry {
    pub fn new(config: HttpRegistryConfig) -> anyhow::Result<HttpRegistry> {
        let client = reqwest::Client::builder().timeout(config.timeout).build()?;
        Ok(HttpRegistry {
            client,
            config,
            breaker: Mutex::new(Breaker {
                consecutive_failures: 0,
                open_until: None,
                trial_running: false,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Breaker> {
        match self.breaker.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The breaker as a caller would find it now.
    pub fn breaker_state(&self) -> BreakerState {
        let b = self.lock();
        match b.open_until {
            None => BreakerState::Closed,
            Some(until) if Instant::now() < until => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }

    /// May a look-up go out now? An expired open circuit lets exactly one trial through.
    fn admit(&self) -> bool {
        let mut b = self.lock();
        match b.open_until {
            None => true,
            Some(until) if Instant::now() < until => false,
            Some(_) if b.trial_running => false,
            Some(_) => {
                b.trial_running = true;
                true
            }
        }
    }

    fn succeeded(&self) {
        let mut b = self.lock();
        b.consecutive_failures = 0;
        b.open_until = None;
        b.trial_running = false;
    }

    fn failed(&self) {
        let mut b = self.lock();
        b.consecutive_failures += 1;
        let trial = std::mem::replace(&mut b.trial_running, false);
        if trial || b.consecutive_failures >= self.config.failure_threshold {
            b.open_until = Some(Instant::now() + self.config.cool_down);
            tracing::warn!(
                failures = b.consecutive_failures,
                cool_down_ms = self.config.cool_down.as_millis() as u64,
                "population registry circuit opened"
            );
        }
    }

    async fn attempt(&self, personal_id: &str) -> Attempt {
        let url = format!("{}/citizens/lookup", self.config.base_url.trim_end_matches('/'));
        let mut request = self
            .client
            .post(url)
            .json(&serde_json::json!({ "personal_id": personal_id }));
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(r) => r,
            // reqwest's message names the URL but never the body, so no number leaks into it.
            Err(e) if e.is_timeout() => return Attempt::Transient("timed out".into()),
            Err(e) => return Attempt::Transient(format!("connection failed: {e}")),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Attempt::Answer(None);
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Attempt::Transient(format!("HTTP {status}"));
        }
        if !status.is_success() {
            return Attempt::Permanent(RegistryError::BadAnswer(format!("HTTP {status}")));
        }
        match response.json::<CitizenRecord>().await {
            Ok(record) if record.personal_id == personal_id => Attempt::Answer(Some(record)),
            Ok(_) => Attempt::Permanent(RegistryError::BadAnswer("the answer is about another number".into())),
            Err(e) if e.is_timeout() => Attempt::Transient("timed out reading the answer".into()),
            Err(_) => Attempt::Permanent(RegistryError::BadAnswer("not a citizen record".into())),
        }
    }
}

impl PopulationRegistry for HttpRegistry {
    fn source(&self) -> &'static str {
        "http"
    }

    fn lookup<'a>(&'a self, personal_id: &'a str) -> BoxFuture<'a, Result<Option<CitizenRecord>, RegistryError>> {
        Box::pin(async move {
            if !self.admit() {
                return Err(RegistryError::CircuitOpen);
            }
            let mut wait = self.config.backoff;
            let mut last = String::new();
            for attempt in 0..=self.config.retries {
                if attempt > 0 {
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
                match self.attempt(personal_id).await {
                    Attempt::Answer(a) => {
                        self.succeeded();
                        return Ok(a);
                    }
                    Attempt::Transient(why) => last = why,
                    Attempt::Permanent(e) => {
                        self.failed();
                        return Err(e);
                    }
                }
            }
            self.failed();
            Err(RegistryError::Unavailable(last))
        })
    }
}

/// A look-up as asked at the edge (`POST /api/v1/population/lookup`).
#[derive(Clone, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    /// The 12-digit personal identification number.
    pub personal_id: String,
    /// The dossier the look-up is for (MaHoSo), when there is one.
    #[serde(default)]
    pub dossier: Option<String>,
    /// Why (purpose limitation): e.g. "tiếp nhận hồ sơ khai sinh".
    pub purpose: String,
}

impl std::fmt::Debug for LookupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupRequest")
            .field(
                "personal_id",
                &motcua_domain::ids::mask_personal_number(&self.personal_id),
            )
            .field("dossier", &self.dossier)
            .finish_non_exhaustive()
    }
}

use crate::{Engine, EngineError, EngineResult};
use motcua_domain::roles::Role;
use motcua_store::population::PopulationLookup;
use motcua_store::User;

impl Engine {
    /// Looks a citizen up in the population registry for a counter officer or specialist, and
    /// records who asked, why, for which dossier and what came back (the number masked and
    /// hashed, never raw) in the look-up log and the audit log.
    pub async fn lookup_citizen(&self, user: &User, req: &LookupRequest) -> EngineResult<Option<CitizenRecord>> {
        if !matches!(user.role, Role::CounterOfficer | Role::Specialist) {
            return Err(EngineError::Forbidden(
                "population data is looked up by counter officers and specialists only".into(),
            ));
        }
        self.lookup_logged(user, req).await
    }

    /// The signed-in citizen's own record, to prefill a form (the state does not ask for what it
    /// already holds), only when this sign-in was made with a level-2 e-ID: the caller passes the
    /// sign-in's level, because a password sign-in to a level-2 account is not an e-ID.
    pub async fn lookup_own_record(
        &self,
        user: &User,
        sign_in_level: i64,
        purpose: &str,
    ) -> EngineResult<Option<CitizenRecord>> {
        if user.role != Role::Citizen || sign_in_level < 2 {
            return Err(EngineError::Forbidden(
                "a citizen's own population record is read after a level-2 e-ID sign-in only".into(),
            ));
        }
        let Some(personal_id) = user.personal_id.clone() else {
            return Ok(None);
        };
        let req = LookupRequest {
            personal_id,
            dossier: None,
            purpose: purpose.to_string(),
        };
        self.lookup_logged(user, &req).await
    }

    async fn lookup_logged(&self, user: &User, req: &LookupRequest) -> EngineResult<Option<CitizenRecord>> {
        let digits: String = req.personal_id.chars().filter(|c| !c.is_whitespace()).collect();
        let purpose = motcua_domain::text::nfc(req.purpose.trim());
        if purpose.is_empty() || purpose.chars().count() > 300 {
            return Err(EngineError::Invalid {
                message: "purpose: state why the data is needed (1–300 characters)".into(),
                fields: vec![("purpose".into(), "1–300 characters".into())],
            });
        }
        let check =
            motcua_domain::ids::check_personal_id(&digits, None, None, self.now().date_naive()).map_err(|e| {
                EngineError::Invalid {
                    message: format!("personal_id: {e}"),
                    fields: vec![("personal_id".into(), e.to_string())],
                }
            })?;
        if !check.valid {
            let reason = check.problems.join("; ");
            return Err(EngineError::Invalid {
                message: format!("personal_id: {reason}"),
                fields: vec![("personal_id".into(), reason)],
            });
        }
        let dossier = match req.dossier.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(code) => {
                let state = self.state(code).await?;
                if !Engine::may_view_full(user, &state) {
                    return Err(EngineError::Forbidden(
                        "a look-up for a dossier is made by officers handling that dossier".into(),
                    ));
                }
                Some(code.to_string())
            }
            None => None,
        };
        let answer = self.registry.lookup(&digits).await;
        let outcome = match &answer {
            Ok(Some(_)) => "found",
            Ok(None) => "not_found",
            Err(_) => "error",
        };
        let masked = motcua_domain::ids::mask_personal_number(&digits);
        self.store
            .log_population_lookup(&PopulationLookup {
                at_ms: self.now().timestamp_millis(),
                actor: user.username.clone(),
                unit: user.unit_code.clone(),
                dossier: dossier.clone(),
                purpose: purpose.clone(),
                source: self.registry.source().into(),
                outcome: outcome.into(),
                pid_masked: masked.clone(),
                pid_hash: self.store.pid_hash(&digits).await?,
            })
            .await?;
        let details = serde_json::json!({"pid": masked, "outcome": outcome, "purpose": purpose,
            "source": self.registry.source()});
        self.audit_event(
            &user.username,
            "population.lookup",
            dossier.as_deref().unwrap_or("-"),
            details,
        )
        .await;
        answer.map_err(|e| EngineError::Unavailable(e.to_string()))
    }

    /// Counter intake: fills what the applicant left out from the registry and refuses what
    /// contradicts it (NĐ 47/2020 Art. 9: prefill and verify rather than ask for paper).
    pub(crate) async fn verify_applicant(
        &self,
        user: &User,
        procedure: &str,
        applicant: &mut motcua_domain::dossier::Applicant,
    ) -> EngineResult<()> {
        use motcua_domain::text::fold;
        let invalid = |field: &str, reason: &str| EngineError::Invalid {
            message: format!("{field}: {reason}"),
            fields: vec![(field.to_string(), reason.to_string())],
        };
        let Some(pid) = applicant.personal_id.clone().filter(|p| !p.trim().is_empty()) else {
            return Err(invalid(
                "applicant.personal_id",
                "the personal identification number is needed to verify the identity",
            ));
        };
        let request = LookupRequest {
            personal_id: pid,
            dossier: None,
            purpose: format!("tiếp nhận hồ sơ thủ tục {procedure} / counter intake"),
        };
        let Some(citizen) = self.lookup_citizen(user, &request).await? else {
            return Err(invalid(
                "applicant.personal_id",
                "not found in the population registry; check the number on the card",
            ));
        };
        if applicant.name.trim().is_empty() {
            applicant.name = citizen.full_name.clone();
        } else if fold(&applicant.name) != fold(&citizen.full_name) {
            return Err(invalid(
                "applicant.name",
                "does not match the population registry for this number",
            ));
        }
        match applicant.birth_date {
            None => applicant.birth_date = Some(citizen.birth_date),
            Some(d) if d != citizen.birth_date => {
                return Err(invalid(
                    "applicant.birth_date",
                    "does not match the population registry for this number",
                ))
            }
            Some(_) => {}
        }
        if applicant.address.as_deref().is_none_or(|a| a.trim().is_empty()) {
            applicant.address = Some(citizen.current_residence.unwrap_or(citizen.permanent_residence));
        }
        Ok(())
    }
}

/// The header of a population CSV file (UTF-8, comma-separated; the optional columns may be empty).
pub const CSV_HEADER: [&str; 9] = [
    "personal_id",
    "full_name",
    "birth_date",
    "sex",
    "permanent_residence",
    "current_residence",
    "place_of_origin",
    "ethnicity",
    "nationality",
];

/// Parses and checks a population CSV file. Every line is validated (the number against the
/// personal-id rules, birth date and sex included); any bad line rejects the whole file, with
/// one message per bad line (`line 7: birth_date: …`), so nothing is half-imported.
pub fn parse_population_csv(text: &str, today: chrono::NaiveDate) -> Result<Vec<CitizenRecord>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Err(vec![format!("line 1: unreadable header: {e}")]),
    };
    if header != CSV_HEADER {
        return Err(vec![format!("line 1: the header must be {}", CSV_HEADER.join(","))]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        match citizen_from_row(&row, today) {
            Ok(c) => {
                if !seen.insert(c.personal_id.clone()) {
                    errors.push(format!(
                        "line {line}: personal_id: {} appears twice in the file",
                        motcua_domain::ids::mask_personal_number(&c.personal_id)
                    ));
                } else {
                    out.push(c);
                }
            }
            Err((field, reason)) => errors.push(format!("line {line}: {field}: {reason}")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn citizen_from_row(
    row: &csv::StringRecord,
    today: chrono::NaiveDate,
) -> Result<CitizenRecord, (&'static str, String)> {
    use motcua_domain::ids::Sex;
    let field = |i: usize| row.get(i).unwrap_or("").trim();
    let optional = |i: usize| Some(motcua_domain::text::nfc(field(i))).filter(|s| !s.is_empty());
    let birth_date: chrono::NaiveDate = field(2)
        .parse()
        .map_err(|_| ("birth_date", format!("{:?} is not a date YYYY-MM-DD", field(2))))?;
    if birth_date > today {
        return Err(("birth_date", "lies in the future".into()));
    }
    let sex = match motcua_domain::text::fold(field(3)).as_str() {
        "nam" | "male" | "m" => Sex::Male,
        "nu" | "female" | "f" => Sex::Female,
        other => return Err(("sex", format!("{other:?} is not nam/nữ (male/female)"))),
    };
    let personal_id: String = field(0).chars().filter(|c| !c.is_whitespace()).collect();
    let check = motcua_domain::ids::check_personal_id(&personal_id, Some(birth_date), Some(sex), today)
        .map_err(|e| ("personal_id", e.to_string()))?;
    if !check.valid {
        return Err(("personal_id", check.problems.join("; ")));
    }
    let full_name = motcua_domain::text::nfc(field(1));
    if full_name.is_empty() || full_name.chars().count() > 200 {
        return Err(("full_name", "1–200 characters".into()));
    }
    let permanent_residence = motcua_domain::text::nfc(field(4));
    if permanent_residence.is_empty() {
        return Err(("permanent_residence", "required".into()));
    }
    Ok(CitizenRecord {
        personal_id,
        full_name,
        birth_date,
        sex,
        permanent_residence,
        current_residence: optional(5),
        place_of_origin: optional(6),
        ethnicity: optional(7),
        nationality: optional(8).unwrap_or_else(|| "Việt Nam".into()),
    })
}

/// Synthetic citizens for demos and benchmarks: deterministic for a seed, every number valid
/// under the personal-id rules (a real pre-2025 province code, the century/sex digit and the
/// birth year agreeing with the birth date). The demo accounts' holders come first.
pub fn synthetic_citizens(n: usize, seed: u64) -> Vec<CitizenRecord> {
    use motcua_domain::ids::Sex;
    const SURNAMES: [&str; 12] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    ];
    const MIDDLE_M: [&str; 6] = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công"];
    const MIDDLE_F: [&str; 6] = ["Thị", "Ngọc", "Thu", "Minh", "Thanh", "Kim"];
    const GIVEN_M: [&str; 10] = [
        "An", "Bình", "Cường", "Dũng", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Tuấn",
    ];
    const GIVEN_F: [&str; 10] = [
        "Anh", "Chi", "Dung", "Hà", "Hoa", "Lan", "Linh", "Mai", "Nhung", "Trang",
    ];
    const PLACES: [(&str, &str); 6] = [
        ("064", "Phường Pleiku, tỉnh Gia Lai"),
        ("064", "Xã Ia Grai, tỉnh Gia Lai"),
        ("064", "Phường An Khê, tỉnh Gia Lai"),
        ("052", "Phường Quy Nhơn, tỉnh Gia Lai"),
        ("052", "Xã Tuy Phước, tỉnh Gia Lai"),
        ("001", "Phường Ba Đình, thành phố Hà Nội"),
    ];
    let mut out = vec![
        CitizenRecord {
            personal_id: "064190012345".into(),
            full_name: "Nguyễn Thị Lan".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(1990, 3, 14).unwrap_or(chrono::NaiveDate::MIN),
            sex: Sex::Female,
            permanent_residence: "Phường Pleiku, tỉnh Gia Lai".into(),
            current_residence: None,
            place_of_origin: Some("tỉnh Gia Lai".into()),
            ethnicity: Some("Kinh".into()),
            nationality: "Việt Nam".into(),
        },
        CitizenRecord {
            personal_id: "052085006789".into(),
            full_name: "Trần Văn Minh".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(1985, 9, 2).unwrap_or(chrono::NaiveDate::MIN),
            sex: Sex::Male,
            permanent_residence: "Phường Quy Nhơn, tỉnh Gia Lai".into(),
            current_residence: None,
            place_of_origin: Some("tỉnh Bình Định".into()),
            ethnicity: Some("Kinh".into()),
            nationality: "Việt Nam".into(),
        },
    ];
    let mut seen: std::collections::HashSet<String> = out.iter().map(|c| c.personal_id.clone()).collect();
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // SplitMix64: plenty for synthetic names and numbers.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    while out.len() < n {
        let r = next();
        let female = r % 2 == 1;
        let year = 1940 + (r >> 8) % 80; // 1940–2019
        let day_of_year = ((r >> 20) % 365) as u32;
        let Some(birth) = chrono::NaiveDate::from_yo_opt(year as i32, day_of_year + 1) else {
            continue;
        };
        let (province, place) = PLACES[((r >> 32) % PLACES.len() as u64) as usize];
        let g = (if year >= 2000 { 2 } else { 0 }) + u64::from(female);
        let serial = (r >> 40) % 1_000_000;
        let personal_id = format!("{province}{g}{:02}{serial:06}", year % 100);
        if !seen.insert(personal_id.clone()) {
            continue;
        }
        let pick = |list: &[&str], shift: u32| list[((r >> shift) % list.len() as u64) as usize].to_string();
        let (middle, given) = if female {
            (pick(&MIDDLE_F, 12), pick(&GIVEN_F, 16))
        } else {
            (pick(&MIDDLE_M, 12), pick(&GIVEN_M, 16))
        };
        out.push(CitizenRecord {
            personal_id,
            full_name: format!("{} {middle} {given}", pick(&SURNAMES, 4)),
            birth_date: birth,
            sex: if female { Sex::Female } else { Sex::Male },
            permanent_residence: place.to_string(),
            current_residence: None,
            place_of_origin: None,
            ethnicity: Some("Kinh".into()),
            nationality: "Việt Nam".into(),
        });
    }
    out.truncate(n);
    out
}
