//! Steering data: plans, indicators, targets and reported values; the PAR-index tree and yearly
//! scores; directives with assignees and progress reports (issue #8).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use motcua_domain::plans::{
    Directive, DirectiveStatus, ParScore, ParTree, ParYear, Plan, PlanIndicator, PlansBundle, ProgressReport,
};
use serde::Serialize;
use sqlx::Row;

use crate::{enum_from_str, enum_name, now_ms, Result, Store, StoreError};

/// A value entered for a reported indicator; it counts only once approved by another user.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportedValue {
    pub id: i64,
    pub plan_id: String,
    pub indicator_id: String,
    pub period: String,
    pub value: f64,
    /// Document reference or URL of the evidence.
    pub evidence_ref: String,
    pub note: String,
    pub submitted_by: String,
    /// Milliseconds since the epoch.
    pub submitted_at: i64,
    pub approved_by: Option<String>,
    pub approved_at: Option<i64>,
}

/// A value to record.
#[derive(Clone, Debug)]
pub struct NewValue<'a> {
    pub plan_id: &'a str,
    pub indicator_id: &'a str,
    pub period: &'a str,
    pub value: f64,
    pub evidence_ref: &'a str,
    pub note: &'a str,
    pub submitted_by: &'a str,
}

/// What an import of a [`PlansBundle`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BundleImport {
    pub plans: u32,
    pub par_trees: u32,
    pub par_years: u32,
    pub directives: u32,
    /// Reported values added (a value already recorded with the same figures is skipped).
    pub values: u32,
}

/// Why an approval was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("no such value")]
    NotFound,
    #[error("a value must be approved by someone other than its submitter")]
    OwnValue,
    #[error("the value is already approved")]
    AlreadyApproved,
}

const VALUE_COLUMNS: &str = "id, plan_id, indicator_id, period, value, evidence_ref, note, submitted_by, \
     submitted_at, approved_by, approved_at";

fn value_from_row(r: &sqlx::any::AnyRow) -> ReportedValue {
    ReportedValue {
        id: r.get(0),
        plan_id: r.get(1),
        indicator_id: r.get(2),
        period: r.get(3),
        value: r.get(4),
        evidence_ref: r.get(5),
        note: r.get(6),
        submitted_by: r.get(7),
        submitted_at: r.get(8),
        approved_by: r.get(9),
        approved_at: r.get(10),
    }
}

/// year, node, self-assessed, appraised, evidence.
type ScoreRow = (i64, String, Option<f64>, Option<f64>, String);

fn parse_date(text: &str) -> Result<NaiveDate> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("date {text:?}: {e}")))
}

impl Store {
    /// Creates or replaces a plan with its indicators and targets (reported values are kept).
    pub async fn put_plan(&self, plan: &Plan, by: &str) -> Result<()> {
        plan.validate().map_err(|errors| {
            StoreError::Invalid(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM plan_targets WHERE plan_id = $1")
            .bind(&plan.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM plan_indicators WHERE plan_id = $1")
            .bind(&plan.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO plans (id, name, name_en, year, document, sample, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, \
             year = excluded.year, document = excluded.document, sample = excluded.sample, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(&plan.id)
        .bind(&plan.name)
        .bind(&plan.name_en)
        .bind(i64::from(plan.year))
        .bind(&plan.document)
        .bind(i64::from(plan.sample))
        .bind(by)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        for (position, ind) in plan.indicators.iter().enumerate() {
            sqlx::query(
                "INSERT INTO plan_indicators (plan_id, id, position, name, name_en, unit_of_measure, direction, \
                 aggregation, responsible_unit, source, metric) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&plan.id)
            .bind(&ind.id)
            .bind(position as i64)
            .bind(&ind.name)
            .bind(&ind.name_en)
            .bind(&ind.unit_of_measure)
            .bind(enum_name(&ind.direction))
            .bind(enum_name(&ind.aggregation))
            .bind(&ind.responsible_unit)
            .bind(enum_name(&ind.source))
            .bind(&ind.metric)
            .execute(&mut *tx)
            .await?;
            for (period, target) in &ind.targets {
                sqlx::query("INSERT INTO plan_targets (plan_id, indicator_id, period, target) VALUES ($1, $2, $3, $4)")
                    .bind(&plan.id)
                    .bind(&ind.id)
                    .bind(period)
                    .bind(*target)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every plan, newest year first, with indicators in their order.
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM plans ORDER BY year DESC, id")
            .fetch_all(&self.pool)
            .await?;
        let mut plans = Vec::with_capacity(ids.len());
        for (id,) in ids {
            if let Some(plan) = self.plan(&id).await? {
                plans.push(plan);
            }
        }
        Ok(plans)
    }

    pub async fn plan(&self, id: &str) -> Result<Option<Plan>> {
        let Some(head) = sqlx::query("SELECT id, name, name_en, year, document, sample FROM plans WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let year: i64 = head.get(3);
        let sample: i64 = head.get(5);
        let mut targets: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        let rows: Vec<(String, String, f64)> =
            sqlx::query_as("SELECT indicator_id, period, target FROM plan_targets WHERE plan_id = $1")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        for (indicator, period, target) in rows {
            targets.entry(indicator).or_default().insert(period, target);
        }
        let rows = sqlx::query(
            "SELECT id, name, name_en, unit_of_measure, direction, aggregation, responsible_unit, source, metric \
             FROM plan_indicators WHERE plan_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut indicators = Vec::with_capacity(rows.len());
        for r in rows {
            let ind_id: String = r.get(0);
            indicators.push(PlanIndicator {
                targets: targets.remove(&ind_id).unwrap_or_default(),
                id: ind_id,
                name: r.get(1),
                name_en: r.get(2),
                unit_of_measure: r.get(3),
                direction: enum_from_str(&r.get::<String, _>(4))?,
                aggregation: enum_from_str(&r.get::<String, _>(5))?,
                responsible_unit: r.get(6),
                source: enum_from_str(&r.get::<String, _>(7))?,
                metric: r.get(8),
            });
        }
        Ok(Some(Plan {
            id: head.get(0),
            name: head.get(1),
            name_en: head.get(2),
            year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("plan {id}: year {year}")))?,
            document: head.get(4),
            sample: sample != 0,
            indicators,
        }))
    }

    /// Records a value of a reported indicator (unapproved); returns its id.
    pub async fn submit_value(&self, v: &NewValue<'_>) -> Result<i64> {
        if !v.value.is_finite() {
            return Err(StoreError::Invalid("the value is not a number".into()));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO plan_values (plan_id, indicator_id, period, value, evidence_ref, note, submitted_by, \
             submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(v.plan_id)
        .bind(v.indicator_id)
        .bind(v.period)
        .bind(v.value)
        .bind(v.evidence_ref)
        .bind(v.note)
        .bind(v.submitted_by)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn value(&self, id: i64) -> Result<Option<ReportedValue>> {
        let row = sqlx::query(&format!("SELECT {VALUE_COLUMNS} FROM plan_values WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(value_from_row))
    }

    /// Approves a value on behalf of `approver`, atomically: never the submitter, never twice.
    pub async fn approve_value(&self, id: i64, approver: &str) -> Result<Result<ReportedValue, ApprovalError>> {
        let done = sqlx::query(
            "UPDATE plan_values SET approved_by = $1, approved_at = $2 \
             WHERE id = $3 AND approved_by IS NULL AND submitted_by <> $1",
        )
        .bind(approver)
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        let current = self.value(id).await?;
        Ok(match current {
            None => Err(ApprovalError::NotFound),
            Some(v) if done.rows_affected() == 1 => Ok(v),
            Some(v) if v.submitted_by == approver => Err(ApprovalError::OwnValue),
            Some(_) => Err(ApprovalError::AlreadyApproved),
        })
    }

    /// Every value of a plan, optionally of one indicator and period, newest first.
    pub async fn values(
        &self,
        plan_id: &str,
        indicator_id: Option<&str>,
        period: Option<&str>,
    ) -> Result<Vec<ReportedValue>> {
        let rows = sqlx::query(&format!(
            "SELECT {VALUE_COLUMNS} FROM plan_values WHERE plan_id = $1 \
             AND ($2 = '' OR indicator_id = $2) AND ($3 = '' OR period = $3) ORDER BY id DESC"
        ))
        .bind(plan_id)
        .bind(indicator_id.unwrap_or(""))
        .bind(period.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(value_from_row).collect())
    }

    /// Per indicator, the most recently approved value of `period`: the value that counts.
    pub async fn approved_values(&self, plan_id: &str, period: &str) -> Result<BTreeMap<String, ReportedValue>> {
        let rows = sqlx::query(&format!(
            "SELECT {VALUE_COLUMNS} FROM plan_values WHERE plan_id = $1 AND period = $2 \
             AND approved_by IS NOT NULL ORDER BY approved_at, id"
        ))
        .bind(plan_id)
        .bind(period)
        .fetch_all(&self.pool)
        .await?;
        // Later rows replace earlier ones.
        Ok(rows
            .iter()
            .map(value_from_row)
            .map(|v| (v.indicator_id.clone(), v))
            .collect())
    }

    /// Creates or replaces a version of the PAR criteria tree.
    pub async fn put_par_tree(&self, tree: &ParTree) -> Result<()> {
        tree.validate().map_err(|errors| {
            StoreError::Invalid(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })?;
        let fields = serde_json::to_string(&tree.fields).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO par_trees (version, name, sample, fields, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (version) DO UPDATE SET name = excluded.name, sample = excluded.sample, \
             fields = excluded.fields, updated_at = excluded.updated_at",
        )
        .bind(&tree.version)
        .bind(&tree.name)
        .bind(i64::from(tree.sample))
        .bind(fields)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every tree version, in version order.
    pub async fn par_trees(&self) -> Result<Vec<ParTree>> {
        let rows: Vec<(String, String, i64, String)> =
            sqlx::query_as("SELECT version, name, sample, fields FROM par_trees ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(version, name, sample, fields)| {
                let fields = serde_json::from_str(&fields)
                    .map_err(|e| StoreError::Corrupt(format!("PAR tree {version}: {e}")))?;
                Ok(ParTree {
                    version,
                    name,
                    sample: sample != 0,
                    fields,
                })
            })
            .collect()
    }

    /// Replaces the scores of a year (checked against its tree).
    pub async fn put_par_year(&self, year: &ParYear) -> Result<()> {
        let tree = self
            .par_trees()
            .await?
            .into_iter()
            .find(|t| t.version == year.tree_version)
            .ok_or_else(|| StoreError::Invalid(format!("no PAR tree {}", year.tree_version)))?;
        year.validate(&tree).map_err(|errors| {
            StoreError::Invalid(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM par_scores WHERE tree_version = $1 AND year = $2")
            .bind(&year.tree_version)
            .bind(i64::from(year.year))
            .execute(&mut *tx)
            .await?;
        for (node, s) in &year.scores {
            sqlx::query(
                "INSERT INTO par_scores (tree_version, year, node_id, self_assessed, appraised, evidence) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&year.tree_version)
            .bind(i64::from(year.year))
            .bind(node)
            .bind(s.self_assessed)
            .bind(s.appraised)
            .bind(&s.evidence)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The scored years of a tree, oldest first.
    pub async fn par_years(&self, tree_version: &str) -> Result<Vec<ParYear>> {
        let rows: Vec<ScoreRow> = sqlx::query_as(
            "SELECT year, node_id, self_assessed, appraised, evidence FROM par_scores \
             WHERE tree_version = $1 ORDER BY year, node_id",
        )
        .bind(tree_version)
        .fetch_all(&self.pool)
        .await?;
        let mut years: BTreeMap<i64, BTreeMap<String, ParScore>> = BTreeMap::new();
        for (year, node, self_assessed, appraised, evidence) in rows {
            years.entry(year).or_default().insert(
                node,
                ParScore {
                    self_assessed,
                    appraised,
                    evidence,
                },
            );
        }
        years
            .into_iter()
            .map(|(year, scores)| {
                Ok(ParYear {
                    year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("PAR year {year}")))?,
                    tree_version: tree_version.to_string(),
                    scores,
                })
            })
            .collect()
    }

    /// Creates or replaces a directive with its assignees and progress reports.
    pub async fn put_directive(&self, d: &Directive) -> Result<()> {
        d.validate()
            .map_err(|e| StoreError::Invalid(format!("directive {}: {e}", d.id)))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM directive_assignees WHERE directive_id = $1")
            .bind(&d.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM directive_reports WHERE directive_id = $1")
            .bind(&d.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO directives (id, document, title, issuer, issued_on, deadline, status, completed_at, sample) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (id) DO UPDATE SET document = excluded.document, title = excluded.title, \
             issuer = excluded.issuer, issued_on = excluded.issued_on, deadline = excluded.deadline, \
             status = excluded.status, completed_at = excluded.completed_at, sample = excluded.sample",
        )
        .bind(&d.id)
        .bind(&d.document)
        .bind(&d.title)
        .bind(&d.issuer)
        .bind(d.issued_on.to_string())
        .bind(d.deadline.to_string())
        .bind(d.status.as_str())
        .bind(d.completed_at.map(|c| c.to_string()))
        .bind(i64::from(d.sample))
        .execute(&mut *tx)
        .await?;
        let mut units: Vec<&String> = d.assignees.iter().collect();
        units.sort();
        units.dedup();
        for unit in units {
            sqlx::query("INSERT INTO directive_assignees (directive_id, unit) VALUES ($1, $2)")
                .bind(&d.id)
                .bind(unit)
                .execute(&mut *tx)
                .await?;
        }
        for r in &d.progress {
            sqlx::query(
                "INSERT INTO directive_reports (directive_id, on_date, unit, note, evidence_ref) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&d.id)
            .bind(r.on.to_string())
            .bind(&r.unit)
            .bind(&r.note)
            .bind(&r.evidence_ref)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds a progress report of an assignee unit, atomically; `completed_on` also marks the
    /// directive completed on that day, and a first report moves an open directive to
    /// in progress. `Ok(false)`: no such directive.
    pub async fn add_directive_progress(
        &self,
        id: &str,
        report: &ProgressReport,
        completed_on: Option<NaiveDate>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let found: Option<(String,)> = sqlx::query_as("SELECT status FROM directives WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((status,)) = found else {
            return Ok(false);
        };
        sqlx::query(
            "INSERT INTO directive_reports (directive_id, on_date, unit, note, evidence_ref) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(report.on.to_string())
        .bind(&report.unit)
        .bind(&report.note)
        .bind(&report.evidence_ref)
        .execute(&mut *tx)
        .await?;
        let completed = DirectiveStatus::Completed.as_str();
        match completed_on {
            Some(day) if status != completed => {
                sqlx::query("UPDATE directives SET status = $1, completed_at = $2 WHERE id = $3")
                    .bind(completed)
                    .bind(day.to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            _ if status == DirectiveStatus::Open.as_str() => {
                sqlx::query("UPDATE directives SET status = $1 WHERE id = $2")
                    .bind(DirectiveStatus::InProgress.as_str())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => {}
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Every directive, earliest deadline first.
    pub async fn directives(&self) -> Result<Vec<Directive>> {
        let rows = sqlx::query(
            "SELECT id, document, title, issuer, issued_on, deadline, status, completed_at, sample \
             FROM directives ORDER BY deadline, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let assignees: Vec<(String, String)> =
            sqlx::query_as("SELECT directive_id, unit FROM directive_assignees ORDER BY directive_id, unit")
                .fetch_all(&self.pool)
                .await?;
        let reports: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT directive_id, on_date, unit, note, evidence_ref FROM directive_reports ORDER BY directive_id, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_directive: BTreeMap<String, (Vec<String>, Vec<ProgressReport>)> = BTreeMap::new();
        for (id, unit) in assignees {
            by_directive.entry(id).or_default().0.push(unit);
        }
        for (id, on, unit, note, evidence_ref) in reports {
            by_directive.entry(id).or_default().1.push(ProgressReport {
                on: parse_date(&on)?,
                unit,
                note,
                evidence_ref,
            });
        }
        rows.iter()
            .map(|r| {
                let id: String = r.get(0);
                let status: String = r.get(6);
                let completed_at: Option<String> = r.get(7);
                let sample: i64 = r.get(8);
                let (assignees, progress) = by_directive.remove(&id).unwrap_or_default();
                Ok(Directive {
                    document: r.get(1),
                    title: r.get(2),
                    issuer: r.get(3),
                    issued_on: parse_date(&r.get::<String, _>(4))?,
                    deadline: parse_date(&r.get::<String, _>(5))?,
                    status: enum_from_str::<DirectiveStatus>(&status)?,
                    completed_at: completed_at.as_deref().map(parse_date).transpose()?,
                    sample: sample != 0,
                    assignees,
                    progress,
                    id,
                })
            })
            .collect()
    }

    /// Loads a bundle (a file of `data/plans/` or an admin import) after validating all of it:
    /// a bundle with any error writes nothing.
    pub async fn import_plans_bundle(&self, bundle: &PlansBundle, by: &str) -> Result<BundleImport> {
        bundle
            .validate()
            .map_err(|errors| StoreError::Invalid(errors.join("; ")))?;
        let mut done = BundleImport::default();
        for plan in &bundle.plans {
            self.put_plan(plan, by).await?;
            done.plans += 1;
        }
        for tree in &bundle.par_trees {
            self.put_par_tree(tree).await?;
            done.par_trees += 1;
        }
        for year in &bundle.par_years {
            self.put_par_year(year).await?;
            done.par_years += 1;
        }
        for d in &bundle.directives {
            self.put_directive(d).await?;
            done.directives += 1;
        }
        for v in &bundle.reported_values {
            let known = self.values(&v.plan, Some(&v.indicator), Some(&v.period)).await?;
            if known
                .iter()
                .any(|k| k.value == v.value && k.submitted_by == v.submitted_by && k.evidence_ref == v.evidence_ref)
            {
                continue;
            }
            let id = self
                .submit_value(&NewValue {
                    plan_id: &v.plan,
                    indicator_id: &v.indicator,
                    period: &v.period,
                    value: v.value,
                    evidence_ref: &v.evidence_ref,
                    note: &v.note,
                    submitted_by: &v.submitted_by,
                })
                .await?;
            if let Some(approver) = &v.approved_by {
                self.approve_value(id, approver)
                    .await?
                    .map_err(|e| StoreError::Invalid(format!("value of {}/{}: {e}", v.plan, v.indicator)))?;
            }
            done.values += 1;
        }
        Ok(done)
    }
}
