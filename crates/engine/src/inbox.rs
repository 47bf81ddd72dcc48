//! The officers' inbox over the store's queues: who sees which unit's dossiers, the time left in
//! working time, search, and claim / assign within the unit.

use chrono::{DateTime, FixedOffset};
use motcua_domain::dossier::{default_workflow, Status};
use motcua_domain::ids::mask_personal_number;
use motcua_domain::roles::Role;
use motcua_store::dossiers::instant_from_ms;
use motcua_store::inbox::{InboxQuery, InboxRow, InboxScope, InboxSearch, Queue};
use motcua_store::User;
use serde::Serialize;

use crate::{Engine, EngineError, EngineResult, FALLBACK_LEGAL_TIME};

/// Most items per page.
pub const MAX_PER_PAGE: u32 = 100;

/// What the caller asks for.
#[derive(Clone, Debug, Default)]
pub struct InboxParams {
    pub queue: Option<String>,
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Only what is assigned to the caller.
    pub mine: bool,
    /// Only dossiers of this procedure (national code).
    pub procedure: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueCount {
    pub queue: String,
    pub name: String,
    pub name_en: String,
    pub count: i64,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxTimeLeft {
    pub overdue: bool,
    /// "còn 2 ngày 3 giờ" / "quá 1 ngày 2 giờ", in working time.
    pub vi: String,
    pub en: String,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    pub procedure: String,
    pub procedure_name: String,
    pub unit: String,
    pub receiving_unit: String,
    pub channel: i64,
    pub status: i64,
    pub status_name: String,
    pub step: Option<String>,
    pub applicant_name: String,
    /// Masked, e.g. `064*******45`.
    pub applicant_personal_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub submitted_at: Option<DateTime<FixedOffset>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<DateTime<FixedOffset>>,
    /// The appointment (NgayHenTra).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due: Option<DateTime<FixedOffset>>,
    /// The appointment shifted by supplement pauses.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub effective_due: Option<DateTime<FixedOffset>>,
    pub time_left: Option<InboxTimeLeft>,
    pub assignee: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxPage {
    /// The caller's unit.
    pub unit: String,
    /// The queue listed (none for a search over every state).
    pub queue: Option<String>,
    /// Every queue's size for the unit.
    pub counts: Vec<QueueCount>,
    pub items: Vec<InboxItem>,
    pub page: u32,
    pub per_page: u32,
    /// Items matching in all.
    pub total: i64,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    pub assignee: String,
    pub assigned_by: String,
}

fn invalid(field: &str, reason: impl Into<String>) -> EngineError {
    let reason = reason.into();
    EngineError::Invalid {
        message: format!("{field}: {reason}"),
        fields: vec![(field.to_string(), reason)],
    }
}

/// Whose dossiers an officer's inbox holds.
fn scope_of(user: &User) -> EngineResult<InboxScope> {
    let unit = user.unit_code.clone();
    match (user.role, unit) {
        (Role::CounterOfficer, Some(u)) => Ok(InboxScope::Receiving(u)),
        (Role::Specialist | Role::Leader | Role::UnitAdmin, Some(u)) => Ok(InboxScope::Competent(u)),
        _ => Err(EngineError::Forbidden(
            "the inbox belongs to officers of a unit (counter, specialists, leaders)".into(),
        )),
    }
}

impl Engine {
    /// Step ids at which a leader decides, in every workflow in force (the `cho_ky` queue).
    fn sign_steps(&self) -> Vec<String> {
        let mut steps: Vec<String> = default_workflow("-", FALLBACK_LEGAL_TIME)
            .steps
            .iter()
            .filter(|s| s.role == Role::Leader)
            .map(|s| s.id.clone())
            .collect();
        self.read_views(|v| {
            for w in v.workflows.values() {
                steps.extend(w.steps.iter().filter(|s| s.role == Role::Leader).map(|s| s.id.clone()));
            }
        });
        steps.sort();
        steps.dedup();
        steps
    }

    /// A queue of the caller's unit, or a search, with every queue's count.
    pub async fn inbox(&self, user: &User, params: &InboxParams) -> EngineResult<InboxPage> {
        let scope = scope_of(user)?;
        let queue = match params.queue.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => Some(Queue::parse(q).ok_or_else(|| {
                invalid(
                    "queue",
                    format!(
                        "unknown queue {q:?}; one of: {}",
                        Queue::ALL.map(Queue::as_str).join(", ")
                    ),
                )
            })?),
            None => None,
        };
        let search = match params.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => Some(self.parse_search(q).await?),
            None => None,
        };
        let queue = match (queue, &search) {
            (None, None) => Some(match scope {
                InboxScope::Receiving(_) => Queue::ChoTiepNhan,
                InboxScope::Competent(_) => Queue::DangXuLy,
            }),
            (q, _) => q,
        };
        let per_page = params.per_page.unwrap_or(20).clamp(1, MAX_PER_PAGE);
        let page = params.page.unwrap_or(1).max(1);
        if page > 100_000 {
            return Err(invalid("page", "at most 100,000"));
        }
        let now = self.now();
        let calendar = self.calendar();
        let soon = calendar
            .add_working_minutes(now, 8 * 60)
            .map_err(|e| EngineError::Internal(e.into()))?;
        let today = now.with_timezone(&motcua_domain::calendar::vietnam()).date_naive();
        let today_ms = today
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(motcua_domain::calendar::vietnam()).single())
            .map_or(now.timestamp_millis(), |t| t.timestamp_millis());
        let procedure = params
            .procedure
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        if procedure.as_ref().is_some_and(|p| p.chars().count() > 50) {
            return Err(invalid("procedure", "at most 50 characters"));
        }
        let query = InboxQuery {
            scope: scope.clone(),
            procedure,
            today_ms,
            queue,
            search: search.clone(),
            assignee: params.mine.then(|| user.username.clone()),
            now_ms: now.timestamp_millis(),
            soon_ms: soon.timestamp_millis(),
            sign_steps: self.sign_steps(),
            limit: i64::from(per_page),
            offset: i64::from(page - 1) * i64::from(per_page),
        };
        let counts = self
            .store
            .inbox_counts(&InboxQuery {
                assignee: None,
                ..query.clone()
            })
            .await?;
        let (rows, total) = self.store.inbox_page(&query, &counts).await?;
        let counts = counts
            .into_iter()
            .map(|(q, count)| QueueCount {
                queue: q.as_str().into(),
                name: q.name_vi().into(),
                name_en: q.name_en().into(),
                count,
            })
            .collect();
        let items = rows.into_iter().map(|r| self.inbox_item(r, now)).collect();
        if let Some(search) = &search {
            // A search by number or name is a read of personal data: recorded, masked.
            let what = match search {
                InboxSearch::Code(c) => serde_json::json!({"code": c}),
                InboxSearch::PidHash(_) => serde_json::json!({"pid": params.q.as_deref().map(mask_personal_number)}),
                InboxSearch::NameFold(_) => serde_json::json!({"name": "…"}),
            };
            self.audit_event(&user.username, "inbox.search", "-", what).await;
        }
        Ok(InboxPage {
            unit: match scope {
                InboxScope::Competent(u) | InboxScope::Receiving(u) => u,
            },
            queue: queue.map(|q| q.as_str().to_string()),
            counts,
            items,
            page,
            per_page,
            total,
        })
    }

    async fn parse_search(&self, q: &str) -> EngineResult<InboxSearch> {
        if let Some(code) = motcua_domain::ids::looks_like_dossier_code(q) {
            return Ok(InboxSearch::Code(code.to_string()));
        }
        let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 12 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(InboxSearch::PidHash(self.store.pid_hash(&compact).await?));
        }
        let folded = motcua_domain::text::fold(q);
        if folded.chars().count() < 2 || folded.chars().count() > 100 {
            return Err(invalid(
                "q",
                "a dossier code, a 12-digit personal id, or 2–100 letters of the name",
            ));
        }
        Ok(InboxSearch::NameFold(folded))
    }

    fn inbox_item(&self, r: InboxRow, now: DateTime<FixedOffset>) -> InboxItem {
        let status = Status::from_code(r.status);
        let effective_due = r.effective_due.and_then(instant_from_ms);
        let open = status.is_some_and(|s| !s.is_closed() && s != Status::Submitted);
        let time_left = match (open, effective_due) {
            (true, Some(due)) => self.calendar().time_left(now, due).ok().map(|t| InboxTimeLeft {
                overdue: t.overdue,
                vi: t.vi(),
                en: t.en(),
            }),
            _ => None,
        };
        InboxItem {
            procedure_name: self
                .catalog()
                .get(&r.procedure)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            status_name: status.map(|s| s.name_vi().to_string()).unwrap_or_default(),
            code: r.code,
            procedure: r.procedure,
            unit: r.unit,
            receiving_unit: r.receiving_unit,
            channel: r.channel,
            status: r.status,
            step: r.step,
            applicant_name: r.applicant_name,
            applicant_personal_id: r.applicant_pid.as_deref().map(mask_personal_number),
            submitted_at: instant_from_ms(r.submitted_at),
            received_at: r.received_at.and_then(instant_from_ms),
            due: r.appointment.and_then(instant_from_ms),
            effective_due,
            time_left,
            assignee: r.assignee,
        }
    }

    /// The caller takes an open dossier of their unit; 409 when a colleague holds it.
    pub async fn claim(&self, user: &User, code: &str) -> EngineResult<Assignment> {
        let scope = scope_of(user)?;
        let state = self.state(code).await?;
        let unit = in_scope(&scope, &state)?;
        if state.status.is_closed() {
            return Err(EngineError::NotAllowed("the dossier is closed".into()));
        }
        if !self
            .store
            .assign(code, &unit, &user.username, &user.username, true)
            .await?
        {
            let holder = self.store.assignee(code).await?.unwrap_or_default();
            return Err(EngineError::NotAllowed(format!(
                "the dossier is assigned to {holder}; a leader may reassign it"
            )));
        }
        self.audit_event(&user.username, "dossier.claim", code, serde_json::json!({}))
            .await;
        Ok(Assignment {
            code: code.to_string(),
            assignee: user.username.clone(),
            assigned_by: user.username.clone(),
        })
    }

    /// A leader (or unit admin) assigns an open dossier of the unit to an officer of the unit.
    pub async fn assign(&self, user: &User, code: &str, assignee: &str) -> EngineResult<Assignment> {
        let scope = scope_of(user)?;
        if !matches!(user.role, Role::Leader | Role::UnitAdmin) {
            return Err(EngineError::Forbidden("leaders of the unit assign dossiers".into()));
        }
        let state = self.state(code).await?;
        let unit = in_scope(&scope, &state)?;
        if state.status.is_closed() {
            return Err(EngineError::NotAllowed("the dossier is closed".into()));
        }
        let target = self
            .store
            .user_credentials(assignee.trim())
            .await?
            .map(|(u, _)| u)
            .filter(|u| u.role.is_officer() && u.unit_code.as_deref() == Some(unit.as_str()))
            .ok_or_else(|| invalid("user", format!("no officer {:?} in unit {unit}", assignee.trim())))?;
        self.store
            .assign(code, &unit, &target.username, &user.username, false)
            .await?;
        self.audit_event(
            &user.username,
            "dossier.assign",
            code,
            serde_json::json!({"assignee": target.username}),
        )
        .await;
        Ok(Assignment {
            code: code.to_string(),
            assignee: target.username,
            assigned_by: user.username.clone(),
        })
    }
}

/// The unit through which the caller reaches the dossier, or 403.
fn in_scope(scope: &InboxScope, state: &motcua_domain::dossier::DossierState) -> EngineResult<String> {
    match scope {
        InboxScope::Competent(u) if *u == state.unit => Ok(u.clone()),
        InboxScope::Receiving(u) if *u == state.receiving_unit => Ok(u.clone()),
        _ => Err(EngineError::Forbidden("the dossier belongs to another unit".into())),
    }
}
