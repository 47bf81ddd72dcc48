//! The officers' inbox: queues of a unit's dossiers by state, counts per queue, search, paging,
//! and assignments (claim / assign within the unit).
//!
//! Every queue is a range of an index that ends in `code` (migration 0005), so a page is found in
//! the index alone and only its rows are read from the table. Queue sizes come from tallies the
//! database keeps by trigger per unit, status, step and hour of due (migration 0013), plus index
//! ranges shorter than an hour for the time-bound queues.

use crate::{now_ms, Result, Store, StoreError};

/// Whose dossiers: the competent unit's (specialists, leaders) or the receiving centre's
/// (counter officers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboxScope {
    Competent(String),
    Receiving(String),
}

impl InboxScope {
    fn column(&self) -> &'static str {
        match self {
            InboxScope::Competent(_) => "unit",
            InboxScope::Receiving(_) => "receiving_unit",
        }
    }

    fn unit(&self) -> &str {
        match self {
            InboxScope::Competent(u) | InboxScope::Receiving(u) => u,
        }
    }
}

/// The queues, named as the back office names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Online (and postal) dossiers waiting for reception (status 1), province-wide for counters.
    ChoTiepNhan,
    /// Received since the start of today (status 2 or 4).
    MoiTiepNhan,
    /// In processing (status 4), including those waiting for approval.
    DangXuLy,
    /// Waiting for the applicant's supplement (status 5).
    ChoBoSung,
    /// In processing at an approval step (status 4, a leader's step).
    ChoKy,
    /// Result ready, to be returned (status 9).
    ChoTraKetQua,
    /// Open (2, 4, 6) and past the effective due (waiting for a supplement pauses the clock).
    QuaHan,
    /// Open (2, 4, 6) and due within the horizon.
    SapDenHan,
}

impl Queue {
    pub const ALL: [Queue; 8] = [
        Queue::ChoTiepNhan,
        Queue::MoiTiepNhan,
        Queue::DangXuLy,
        Queue::ChoBoSung,
        Queue::ChoKy,
        Queue::ChoTraKetQua,
        Queue::QuaHan,
        Queue::SapDenHan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::ChoTiepNhan => "cho_tiep_nhan",
            Queue::MoiTiepNhan => "moi_tiep_nhan",
            Queue::DangXuLy => "dang_xu_ly",
            Queue::ChoBoSung => "cho_bo_sung",
            Queue::ChoKy => "cho_ky",
            Queue::ChoTraKetQua => "cho_tra_ket_qua",
            Queue::QuaHan => "qua_han",
            Queue::SapDenHan => "sap_den_han",
        }
    }

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Queue::ChoTiepNhan => "Chờ tiếp nhận trực tuyến",
            Queue::MoiTiepNhan => "Mới tiếp nhận",
            Queue::DangXuLy => "Đang xử lý",
            Queue::ChoBoSung => "Chờ bổ sung",
            Queue::ChoKy => "Chờ ký duyệt",
            Queue::ChoTraKetQua => "Chờ trả kết quả",
            Queue::QuaHan => "Quá hạn",
            Queue::SapDenHan => "Sắp đến hạn",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Queue::ChoTiepNhan => "Awaiting reception (online)",
            Queue::MoiTiepNhan => "Newly received",
            Queue::DangXuLy => "In processing",
            Queue::ChoBoSung => "Awaiting supplement",
            Queue::ChoKy => "Awaiting approval",
            Queue::ChoTraKetQua => "Result to return",
            Queue::QuaHan => "Overdue",
            Queue::SapDenHan => "Due soon",
        }
    }
}

/// What to list.
#[derive(Clone, Debug)]
pub struct InboxQuery {
    pub scope: InboxScope,
    /// None with a search: every state.
    pub queue: Option<Queue>,
    pub search: Option<InboxSearch>,
    /// Only dossiers assigned to this user.
    pub assignee: Option<String>,
    /// Only dossiers of this procedure.
    pub procedure: Option<String>,
    /// Midnight of today (Vietnam), in ms: the start of `moi_tiep_nhan`.
    pub today_ms: i64,
    /// Now and the end of the "due soon" horizon, in ms.
    pub now_ms: i64,
    pub soon_ms: i64,
    /// Step ids at which a leader approves (for `cho_ky`).
    pub sign_steps: Vec<String>,
    pub limit: i64,
    pub offset: i64,
}

/// A search: exact code, exact personal id (by its keyed hash), or part of the name (folded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboxSearch {
    Code(String),
    PidHash(String),
    NameFold(String),
}

/// One dossier in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxRow {
    pub code: String,
    pub procedure: String,
    pub unit: String,
    pub receiving_unit: String,
    pub channel: i64,
    pub status: i64,
    pub step: Option<String>,
    pub applicant_name: String,
    /// Raw; the caller masks it.
    pub applicant_pid: Option<String>,
    pub submitted_at: i64,
    pub received_at: Option<i64>,
    pub appointment: Option<i64>,
    pub effective_due: Option<i64>,
    pub assignee: Option<String>,
}

/// The width of a tally's due bucket (`inbox_tallies.due_hour`, migration 0013).
const HOUR_MS: i64 = 3_600_000;

/// A bound value of a generated condition.
#[derive(Clone, Debug)]
enum V {
    I(i64),
    T(String),
}

/// The condition of a queue (without the scope), its ORDER BY, and its values.
fn queue_condition(q: Queue, query: &InboxQuery, n: &mut usize) -> (String, &'static str, Vec<V>) {
    let mut next = || {
        *n += 1;
        format!("${n}")
    };
    let open = "status IN (2, 4, 6)";
    match q {
        Queue::ChoTiepNhan => ("status = 1".into(), "submitted_at, code", vec![]),
        Queue::MoiTiepNhan => {
            let a = next();
            (
                // The exact text of the partial indexes' condition (migration 0009).
                format!("status IN (2, 4) AND received_at >= {a}"),
                "effective_due, code",
                vec![V::I(query.today_ms)],
            )
        }
        Queue::DangXuLy => ("status = 4".into(), "effective_due, code", vec![]),
        Queue::ChoBoSung => ("status = 5".into(), "effective_due, code", vec![]),
        Queue::ChoTraKetQua => ("status = 9".into(), "effective_due, code", vec![]),
        Queue::ChoKy => {
            if query.sign_steps.is_empty() {
                return ("1 = 0".into(), "effective_due, code", vec![]);
            }
            let marks: Vec<String> = query.sign_steps.iter().map(|_| next()).collect();
            (
                format!("status = 4 AND step IN ({})", marks.join(", ")),
                "effective_due, code",
                query.sign_steps.iter().map(|s| V::T(s.clone())).collect(),
            )
        }
        Queue::QuaHan => {
            let a = next();
            (
                format!("{open} AND effective_due < {a}"),
                "effective_due, code",
                vec![V::I(query.now_ms)],
            )
        }
        Queue::SapDenHan => {
            let (a, b) = (next(), next());
            (
                format!("{open} AND effective_due >= {a} AND effective_due < {b}"),
                "effective_due, code",
                vec![V::I(query.now_ms), V::I(query.soon_ms)],
            )
        }
    }
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &[V],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in values {
        query = match v {
            V::I(i) => query.bind(*i),
            V::T(t) => query.bind(t.clone()),
        };
    }
    query
}

/// `%` and `_` are literal in a searched name.
fn like_pattern(folded: &str) -> String {
    let escaped: String = folded
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

impl InboxQuery {
    /// WHERE clause (scope, queue or search, assignee), ORDER BY, values.
    fn filter(&self) -> (String, &'static str, Vec<V>) {
        let mut n = 0usize;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let mut values = Vec::new();
        // The reception queue of a counter officer is province-wide (NĐ 118: any centre receives).
        let province_reception = self.queue == Some(Queue::ChoTiepNhan)
            && matches!(self.scope, InboxScope::Receiving(_))
            && self.search.is_none();
        let mut parts = Vec::new();
        if !province_reception {
            parts.push(format!("{} = {}", self.scope.column(), next()));
            values.push(V::T(self.scope.unit().to_string()));
        }
        let mut order = "effective_due, code";
        if let Some(search) = &self.search {
            match search {
                InboxSearch::Code(c) => {
                    parts.push(format!("code = {}", next()));
                    values.push(V::T(c.clone()));
                }
                InboxSearch::PidHash(h) => {
                    parts.push(format!("applicant_pid_hash = {}", next()));
                    values.push(V::T(h.clone()));
                }
                InboxSearch::NameFold(f) => {
                    parts.push(format!("applicant_name_fold LIKE {} ESCAPE '\\'", next()));
                    values.push(V::T(like_pattern(f)));
                }
            }
            order = "submitted_at DESC, code";
        }
        if let Some(procedure) = &self.procedure {
            parts.push(format!("procedure_code = {}", next()));
            values.push(V::T(procedure.clone()));
        }
        if let Some(assignee) = &self.assignee {
            parts.push(format!(
                "code IN (SELECT code FROM dossier_assignments WHERE assignee = {})",
                next()
            ));
            values.push(V::T(assignee.clone()));
        }
        if let Some(q) = self.queue {
            let (cond, queue_order, queue_values) = queue_condition(q, self, &mut n);
            parts.push(cond);
            values.extend(queue_values);
            if self.search.is_none() {
                order = queue_order;
            }
        }
        (parts.join(" AND "), order, values)
    }
}

impl Store {
    /// A page of the query's dossiers and how many match in all. `counts` are the queue sizes of
    /// the same scope and filters ([`Store::inbox_counts`]) when the caller has them: a queue page
    /// without search or assignee takes its total from them instead of counting again.
    pub async fn inbox_page(&self, query: &InboxQuery, counts: &[(Queue, i64)]) -> Result<(Vec<InboxRow>, i64)> {
        if query.queue.is_none() && query.search.is_none() {
            return Err(StoreError::Invalid("an inbox list needs a queue or a search".into()));
        }
        let (cond, order, values) = query.filter();
        let n = values.len();
        // The page's codes come from the index alone; only those rows are then read.
        let sql = format!(
            "SELECT d.code, d.procedure_code, d.unit, d.receiving_unit, d.channel, d.status, d.step, d.applicant_name, \
             d.applicant_pid, d.submitted_at, d.received_at, d.appointment, d.effective_due, a.assignee \
             FROM dossiers d LEFT JOIN dossier_assignments a ON a.code = d.code \
             WHERE d.code IN (SELECT code FROM dossiers WHERE {cond} ORDER BY {order} LIMIT ${} OFFSET ${}) \
             ORDER BY {}",
            n + 1,
            n + 2,
            order
                .split(", ")
                .map(|c| format!("d.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = bind_all(sqlx::query(&sql), &values)
            .bind(query.limit.clamp(1, 200))
            .bind(query.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            use sqlx::Row as _;
            items.push(InboxRow {
                code: r.try_get(0)?,
                procedure: r.try_get(1)?,
                unit: r.try_get(2)?,
                receiving_unit: r.try_get(3)?,
                channel: r.try_get(4)?,
                status: r.try_get(5)?,
                step: r.try_get(6)?,
                applicant_name: r.try_get(7)?,
                applicant_pid: r.try_get(8)?,
                submitted_at: r.try_get(9)?,
                received_at: r.try_get(10)?,
                appointment: r.try_get(11)?,
                effective_due: r.try_get(12)?,
                assignee: r.try_get(13)?,
            });
        }
        let known = match (query.queue, &query.search, &query.assignee) {
            (Some(q), None, None) => counts.iter().find(|(c, _)| *c == q).map(|(_, n)| *n),
            _ => None,
        };
        let total = match known {
            Some(n) => n,
            None => {
                let count_sql = format!("SELECT COUNT(*) FROM dossiers WHERE {cond}");
                let row = bind_all(sqlx::query(&count_sql), &values).fetch_one(&self.pool).await?;
                use sqlx::Row as _;
                row.try_get(0)?
            }
        };
        Ok((items, total))
    }

    /// How many dossiers each queue holds for the scope. Without a procedure filter (the usual
    /// case) the sizes come from the tallies the database keeps per hour of due (migration 0013):
    /// a few hundred rows per unit, whatever the number of open dossiers.
    pub async fn inbox_counts(&self, base: &InboxQuery) -> Result<Vec<(Queue, i64)>> {
        if base.procedure.is_some() || base.assignee.is_some() {
            return self.inbox_counts_scanning(base).await;
        }
        let column = base.scope.column();
        let unit = base.scope.unit().to_string();
        let now_hour = base.now_ms.div_euclid(HOUR_MS);
        // Whole hours of "due soon" inside [now, soon); the partial hours at each end are counted
        // from the dossiers below.
        let soon_first = (base.now_ms + HOUR_MS - 1).div_euclid(HOUR_MS);
        let soon_end = base.soon_ms.div_euclid(HOUR_MS).max(soon_first);
        let mut n = 4usize;
        let sign_marks: Vec<String> = base
            .sign_steps
            .iter()
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect();
        let signing = if sign_marks.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("status = 4 AND step IN ({})", sign_marks.join(", "))
        };
        let sum = |cond: &str| format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN n ELSE 0 END), 0) AS BIGINT)");
        let sql = format!(
            "SELECT {}, {}, {}, {}, {}, {}, {} FROM inbox_tallies WHERE {column} = $1",
            sum("status = 1"),
            sum("status = 4"),
            sum("status = 5"),
            sum("status = 9"),
            sum(&signing),
            sum("status IN (2, 4, 6) AND due_hour >= 0 AND due_hour < $2"),
            sum("status IN (2, 4, 6) AND due_hour >= $3 AND due_hour < $4"),
        );
        let mut query = sqlx::query(&sql)
            .bind(unit)
            .bind(now_hour)
            .bind(soon_first)
            .bind(soon_end);
        for step in &base.sign_steps {
            query = query.bind(step.clone());
        }
        let row = query.fetch_one(&self.pool).await?;
        use sqlx::Row as _;
        let tally = |i: usize| -> Result<i64> { Ok(row.try_get::<i64, _>(i)?) };
        let (awaiting, in_progress, supplement, result, signing, overdue_hours, soon_hours) = (
            tally(0)?,
            tally(1)?,
            tally(2)?,
            tally(3)?,
            tally(4)?,
            tally(5)?,
            tally(6)?,
        );
        let scanned = |q: Queue| {
            self.queue_count_scanning(InboxQuery {
                queue: Some(q),
                ..base.clone()
            })
        };
        let awaiting = match base.scope {
            // The counter's reception queue is province-wide: one partial index holds it.
            InboxScope::Receiving(_) => scanned(Queue::ChoTiepNhan).await?,
            InboxScope::Competent(_) => awaiting,
        };
        // Today's receptions: a range of the partial index on reception time.
        let received_today = scanned(Queue::MoiTiepNhan).await?;
        let overdue = overdue_hours + self.open_due_between(base, now_hour * HOUR_MS, base.now_ms).await?;
        let due_soon = if soon_end > soon_first {
            soon_hours
                + self.open_due_between(base, base.now_ms, soon_first * HOUR_MS).await?
                + self.open_due_between(base, soon_end * HOUR_MS, base.soon_ms).await?
        } else {
            self.open_due_between(base, base.now_ms, base.soon_ms).await?
        };
        Ok(Queue::ALL
            .into_iter()
            .map(|q| {
                let count = match q {
                    Queue::ChoTiepNhan => awaiting,
                    Queue::MoiTiepNhan => received_today,
                    Queue::DangXuLy => in_progress,
                    Queue::ChoBoSung => supplement,
                    Queue::ChoKy => signing,
                    Queue::ChoTraKetQua => result,
                    Queue::QuaHan => overdue,
                    Queue::SapDenHan => due_soon,
                };
                (q, count)
            })
            .collect())
    }

    /// Open dossiers (2, 4, 6) of the scope due in [from, to): a short index range (less than an
    /// hour's dues), the part of a time-bound queue the hourly tallies do not hold.
    async fn open_due_between(&self, base: &InboxQuery, from: i64, to: i64) -> Result<i64> {
        if from >= to {
            return Ok(0);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM dossiers WHERE {} = $1 AND status IN (2, 4, 6) \
             AND effective_due >= $2 AND effective_due < $3",
            base.scope.column()
        );
        let row = sqlx::query(&sql)
            .bind(base.scope.unit().to_string())
            .bind(from)
            .bind(to)
            .fetch_one(&self.pool)
            .await?;
        use sqlx::Row as _;
        Ok(row.try_get(0)?)
    }

    /// The size of one queue, counted from the dossiers' indexes.
    async fn queue_count_scanning(&self, query: InboxQuery) -> Result<i64> {
        let (cond, _, values) = InboxQuery { search: None, ..query }.filter();
        let sql = format!("SELECT COUNT(*) FROM dossiers WHERE {cond}");
        let row = bind_all(sqlx::query(&sql), &values).fetch_one(&self.pool).await?;
        use sqlx::Row as _;
        Ok(row.try_get(0)?)
    }

    /// Every queue's size counted from the dossiers' indexes: the path with a procedure filter,
    /// and the reference the tallies are tested against.
    pub async fn inbox_counts_scanning(&self, base: &InboxQuery) -> Result<Vec<(Queue, i64)>> {
        let mut out = Vec::with_capacity(Queue::ALL.len());
        for q in Queue::ALL {
            out.push((
                q,
                self.queue_count_scanning(InboxQuery {
                    queue: Some(q),
                    ..base.clone()
                })
                .await?,
            ));
        }
        Ok(out)
    }

    /// The current state of each listed dossier (for pages that show more than a row holds),
    /// in the order of `codes`; codes without a dossier are left out.
    pub async fn inbox_states(&self, codes: &[String]) -> Result<Vec<(String, motcua_domain::dossier::DossierState)>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT code, state FROM dossiers WHERE code IN ({})", marks.join(", "));
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for c in codes {
            q = q.bind(c.clone());
        }
        let mut found = std::collections::HashMap::new();
        for (code, text) in q.fetch_all(&self.pool).await? {
            let state = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
            found.insert(code, state);
        }
        Ok(codes
            .iter()
            .filter_map(|c| found.remove(c).map(|s| (c.clone(), s)))
            .collect())
    }

    /// The assignee of a dossier, if any.
    pub async fn assignee(&self, code: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT assignee FROM dossier_assignments WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// Assigns a dossier. With `only_if_free`, an assignment to someone else is kept and false
    /// returned (claiming what a colleague holds).
    pub async fn assign(&self, code: &str, unit: &str, assignee: &str, by: &str, only_if_free: bool) -> Result<bool> {
        let sql = if only_if_free {
            "INSERT INTO dossier_assignments (code, unit, assignee, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO UPDATE SET assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at \
             WHERE dossier_assignments.assignee = excluded.assignee"
        } else {
            "INSERT INTO dossier_assignments (code, unit, assignee, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO UPDATE SET unit = excluded.unit, assignee = excluded.assignee, \
             assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at"
        };
        let done = sqlx::query(sql)
            .bind(code)
            .bind(unit)
            .bind(assignee)
            .bind(by)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_round_trip() {
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.as_str()), Some(q));
        }
        assert_eq!(Queue::parse("khac"), None);
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("nguyen"), "%nguyen%");
        assert_eq!(like_pattern("a%b_c"), "%a\\%b\\_c%");
    }
}
