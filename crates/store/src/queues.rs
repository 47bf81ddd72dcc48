//! Back-office inbox queries: a unit's dossiers by queue, counted and paged, and search by code,
//! personal identification number or name. Every query is bounded by a unit (the `dossiers_inbox`
//! index leads with `unit`) or by an exact code / personal id, and pages with LIMIT.

use motcua_domain::dossier::DossierState;

use crate::{Result, Store, StoreError};

/// Whose dossiers a queue holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    /// The competent unit (`dossiers.unit`, indexed with status and due).
    Unit(&'a str),
    /// The receiving counter (`dossiers.receiving_unit`; not indexed yet).
    Receiving(&'a str),
    /// Every unit of the deployment (online submissions any counter may accept).
    Province,
}

/// Which dossiers of a scope a queue lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Status codes; empty means any.
    pub statuses: Vec<i64>,
    /// Only dossiers at one of these steps (empty: any step).
    pub steps: Vec<String>,
    /// `effective_due` at or after this (ms).
    pub due_from: Option<i64>,
    /// `effective_due` before this (ms).
    pub due_before: Option<i64>,
    /// `received_at` at or after this (ms).
    pub received_from: Option<i64>,
    /// Only this procedure.
    pub procedure: Option<String>,
    /// Sort by submission instead of due time (queues of dossiers not yet received).
    pub by_submission: bool,
}

/// How to look a dossier up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Code(String),
    PersonalId(String),
    /// A part of the applicant's name (matched case-sensitively on the stored NFC text).
    Name(String),
}

/// One listed dossier with its current state.
#[derive(Clone, Debug)]
pub struct InboxItem {
    pub code: String,
    pub state: DossierState,
}

enum Bind {
    Int(i64),
    Text(String),
}

struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }

    /// Appends `clause` with `?` replaced by the next `$n`.
    fn push(&mut self, clause: &str, binds: Vec<Bind>) {
        let mut out = String::with_capacity(clause.len() + 8);
        let mut binds = binds.into_iter();
        for c in clause.chars() {
            if c == '?' {
                if let Some(b) = binds.next() {
                    self.binds.push(b);
                    out.push_str(&format!("${}", self.binds.len()));
                    continue;
                }
            }
            out.push(c);
        }
        self.text.push_str(&out);
    }

    fn placeholders(n: usize) -> String {
        vec!["?"; n].join(", ")
    }
}

fn scope_clause(sql: &mut Sql, scope: Scope) {
    match scope {
        Scope::Unit(u) => sql.push(" AND unit = ?", vec![Bind::Text(u.to_string())]),
        Scope::Receiving(u) => sql.push(" AND receiving_unit = ?", vec![Bind::Text(u.to_string())]),
        Scope::Province => {}
    }
}

fn filter_clause(sql: &mut Sql, f: &QueueFilter) {
    if !f.statuses.is_empty() {
        let clause = format!(" AND status IN ({})", Sql::placeholders(f.statuses.len()));
        sql.push(&clause, f.statuses.iter().map(|s| Bind::Int(*s)).collect());
    }
    if !f.steps.is_empty() {
        let clause = format!(" AND step IN ({})", Sql::placeholders(f.steps.len()));
        sql.push(&clause, f.steps.iter().map(|s| Bind::Text(s.clone())).collect());
    }
    if let Some(v) = f.due_from {
        sql.push(" AND effective_due >= ?", vec![Bind::Int(v)]);
    }
    if let Some(v) = f.due_before {
        sql.push(" AND effective_due < ?", vec![Bind::Int(v)]);
    }
    if let Some(v) = f.received_from {
        sql.push(" AND received_at >= ?", vec![Bind::Int(v)]);
    }
    if let Some(p) = &f.procedure {
        sql.push(" AND procedure_code = ?", vec![Bind::Text(p.clone())]);
    }
}

fn bind_all<'q>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, (String, String), sqlx::any::AnyArguments<'q>>,
    binds: Vec<Bind>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, (String, String), sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Int(v) => q.bind(v),
            Bind::Text(v) => q.bind(v),
        };
    }
    q
}

fn items(rows: Vec<(String, String)>) -> Result<Vec<InboxItem>> {
    rows.into_iter()
        .map(|(code, text)| {
            serde_json::from_str(&text)
                .map(|state| InboxItem {
                    code: code.clone(),
                    state,
                })
                .map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))
        })
        .collect()
}

impl Store {
    /// How many dossiers of `scope` the queue holds.
    pub async fn queue_count(&self, scope: Scope<'_>, filter: &QueueFilter) -> Result<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) FROM dossiers WHERE 1 = 1");
        scope_clause(&mut sql, scope);
        filter_clause(&mut sql, filter);
        let mut q = sqlx::query_as::<_, (i64,)>(&sql.text);
        for b in sql.binds {
            q = match b {
                Bind::Int(v) => q.bind(v),
                Bind::Text(v) => q.bind(v),
            };
        }
        let (n,) = q.fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// One page of the queue: soonest due first (or first submitted), then by code.
    pub async fn queue_page(
        &self,
        scope: Scope<'_>,
        filter: &QueueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<InboxItem>> {
        let mut sql = Sql::new("SELECT code, state FROM dossiers WHERE 1 = 1");
        scope_clause(&mut sql, scope);
        filter_clause(&mut sql, filter);
        let order = if filter.by_submission {
            " ORDER BY submitted_at, code"
        } else {
            " ORDER BY effective_due, code"
        };
        sql.push(order, Vec::new());
        sql.push(
            " LIMIT ? OFFSET ?",
            vec![Bind::Int(limit.clamp(1, 500)), Bind::Int(offset.max(0))],
        );
        let q = bind_all(sqlx::query_as::<_, (String, String)>(&sql.text), sql.binds);
        items(q.fetch_all(&self.pool).await?)
    }

    /// Dossiers of `scope` found by code (exact), personal id (exact) or a part of the name,
    /// newest first.
    pub async fn queue_search(&self, scope: Scope<'_>, lookup: &Lookup, limit: i64) -> Result<Vec<InboxItem>> {
        let mut sql = Sql::new("SELECT code, state FROM dossiers WHERE 1 = 1");
        scope_clause(&mut sql, scope);
        match lookup {
            Lookup::Code(c) => sql.push(" AND code = ?", vec![Bind::Text(c.clone())]),
            Lookup::PersonalId(p) => sql.push(" AND applicant_pid = ?", vec![Bind::Text(p.clone())]),
            Lookup::Name(n) => {
                // LIKE wildcards in the input are taken literally.
                let escaped: String = n
                    .chars()
                    .flat_map(|c| match c {
                        '%' | '_' | '\\' => vec!['\\', c],
                        c => vec![c],
                    })
                    .collect();
                sql.push(
                    " AND applicant_name LIKE ? ESCAPE '\\'",
                    vec![Bind::Text(format!("%{escaped}%"))],
                )
            }
        }
        sql.push(
            " ORDER BY submitted_at DESC, code LIMIT ?",
            vec![Bind::Int(limit.clamp(1, 500))],
        );
        let q = bind_all(sqlx::query_as::<_, (String, String)>(&sql.text), sql.binds);
        items(q.fetch_all(&self.pool).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::dossier::{Applicant, LegalTime, NewDossier, Status, SubmissionChannel};

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 WHERE 1 = 1");
        scope_clause(&mut sql, Scope::Unit("23575"));
        filter_clause(
            &mut sql,
            &QueueFilter {
                statuses: vec![4, 5],
                due_before: Some(10),
                ..QueueFilter::default()
            },
        );
        assert_eq!(
            sql.text,
            "SELECT 1 WHERE 1 = 1 AND unit = $1 AND status IN ($2, $3) AND effective_due < $4"
        );
        assert_eq!(sql.binds.len(), 4);
    }

    /// Writes a dossier row as the projection would (only the columns the inbox reads).
    async fn put(store: &Store, code: &str, unit: &str, receiving: &str, status: Status, due: Option<i64>, name: &str) {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-02T08:00:00+07:00").unwrap();
        let new = NewDossier {
            procedure: "1.001193".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            unit: unit.into(),
            receiving_unit: receiving.into(),
            channel: SubmissionChannel::Counter,
            applicant: Applicant {
                name: name.into(),
                personal_id: Some(format!("0641900{:05}", code.len() * 7 + name.len())),
                birth_date: None,
                phone: None,
                email: None,
                address: None,
            },
            applicant_username: None,
            eid_level: 0,
            identity_verified: false,
            legal_time: LegalTime::WithinDay,
            fees_dong: 0,
            documents: Vec::new(),
            digitised_components: false,
            reused_data: false,
        };
        let state = DossierState::created(&new, status, at);
        sqlx::query(
            "INSERT INTO dossiers (code, procedure_code, unit, receiving_unit, channel, status, step, \
             applicant_name, applicant_pid, submitted_at, effective_due, version, state, updated_at) \
             VALUES ($1, '1.001193', $2, $3, 1, $4, NULL, $5, $6, $7, $8, 1, $9, $7)",
        )
        .bind(code)
        .bind(unit)
        .bind(receiving)
        .bind(i64::from(status.code()))
        .bind(name)
        .bind(state.applicant.personal_id.clone())
        .bind(at.timestamp_millis())
        .bind(due)
        .bind(serde_json::to_string(&state).unwrap())
        .execute(&store.pool)
        .await
        .unwrap();
    }

    async fn queues_count_page_and_search(store: &Store) {
        put(
            store,
            "A-1",
            "23575",
            "23575",
            Status::InProgress,
            Some(300),
            "Nguyễn Văn An",
        )
        .await;
        put(
            store,
            "A-2",
            "23575",
            "000.00.12.H21",
            Status::InProgress,
            Some(100),
            "Lê Thị_Hoa",
        )
        .await;
        put(
            store,
            "A-3",
            "23575",
            "23575",
            Status::SupplementRequested,
            Some(200),
            "Trần Minh",
        )
        .await;
        put(
            store,
            "B-1",
            "21583",
            "21583",
            Status::InProgress,
            Some(50),
            "Nguyễn Văn An",
        )
        .await;
        put(store, "B-2", "21583", "21583", Status::Submitted, None, "Phạm Lan").await;
        let open = QueueFilter {
            statuses: vec![4, 5, 6],
            ..QueueFilter::default()
        };
        assert_eq!(store.queue_count(Scope::Unit("23575"), &open).await.unwrap(), 3);
        let page = store.queue_page(Scope::Unit("23575"), &open, 2, 0).await.unwrap();
        let codes: Vec<&str> = page.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, ["A-2", "A-3"], "soonest due first, LIMIT");
        let rest = store.queue_page(Scope::Unit("23575"), &open, 2, 2).await.unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].state.applicant.name, "Nguyễn Văn An");
        let overdue = QueueFilter {
            statuses: vec![4, 5, 6],
            due_before: Some(250),
            ..QueueFilter::default()
        };
        assert_eq!(store.queue_count(Scope::Unit("23575"), &overdue).await.unwrap(), 2);
        let at_counter = QueueFilter {
            statuses: vec![4],
            procedure: Some("1.001193".into()),
            ..QueueFilter::default()
        };
        assert_eq!(
            store
                .queue_count(Scope::Receiving("000.00.12.H21"), &at_counter)
                .await
                .unwrap(),
            1
        );
        let waiting = QueueFilter {
            statuses: vec![1],
            by_submission: true,
            ..QueueFilter::default()
        };
        assert_eq!(
            store.queue_page(Scope::Province, &waiting, 20, 0).await.unwrap().len(),
            1
        );
        // Search stays inside the scope; LIKE wildcards in the name are literal.
        let found = store
            .queue_search(Scope::Unit("23575"), &Lookup::Name("Văn An".into()), 10)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "A-1");
        let literal = store
            .queue_search(Scope::Unit("23575"), &Lookup::Name("_".into()), 10)
            .await
            .unwrap();
        assert_eq!(literal.len(), 1, "only the name with an underscore");
        let pid = found[0].state.applicant.personal_id.clone().unwrap();
        let by_pid = store
            .queue_search(Scope::Unit("23575"), &Lookup::PersonalId(pid), 10)
            .await
            .unwrap();
        assert_eq!(by_pid.len(), 1);
        let by_code = store
            .queue_search(Scope::Province, &Lookup::Code("B-2".into()), 10)
            .await
            .unwrap();
        assert_eq!(by_code.len(), 1);
    }

    crate::on_both_backends!(queues_count_page_and_search);
}
