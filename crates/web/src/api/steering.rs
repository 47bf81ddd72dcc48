//! `GET /api/v1/reports/steering?period=2024-Q1`: the steering-committee report, every figure
//! with the query that produced it, as JSON, PDF or an Excel workbook. The PDF and the workbook
//! are rendered from the same [`SteeringReport`] the JSON answer carries.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use motcua_domain::index::IndexTable;
use motcua_domain::plans::{
    completion_by_unit, directive_state, rank_bottlenecks, BottleneckKind, DirectiveRow, DirectiveSection,
    DirectiveState, IndexSection, IndexUnitRow, ParSection, PlanPeriod, SourceRef, SteeringReport,
};
use motcua_reports::{Issuer, SteeringContext};
use serde::Deserialize;
use utoipa::IntoParams;

use super::forms::{province_names, BinaryFile};
use super::plans::{index_query, par_view, parse_period, period_days, plan_section, require_officer, today};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

/// The body the report is issued in the name of, under the province's people's committee.
const STEERING_BODY: &str = "Ban Chỉ đạo chuyển đổi số và cải cách hành chính tỉnh";

/// How many bottlenecks the report names.
const BOTTLENECKS: usize = 10;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SteeringQuery {
    /// `2024-Q1`, `2024` or `2024-03`; default the running quarter.
    pub period: Option<String>,
}

/// The formats of the report, by suffix or `Accept`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Pdf,
    Xlsx,
}

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn format_of(name: &str, headers: &HeaderMap) -> ApiResult<Format> {
    match name {
        "steering.json" => return Ok(Format::Json),
        "steering.pdf" => return Ok(Format::Pdf),
        "steering.xlsx" => return Ok(Format::Xlsx),
        "steering" => {}
        other => return Err(ApiError::NotFound(format!("no report {other:?}"))),
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    // The first acceptable type in the client's order; no header or */* means JSON.
    for item in accept.split(',') {
        let mime = item.split(';').next().unwrap_or("").trim();
        match mime {
            "application/json" | "*/*" | "application/*" | "" => return Ok(Format::Json),
            "application/pdf" => return Ok(Format::Pdf),
            XLSX_MIME => return Ok(Format::Xlsx),
            _ => {}
        }
    }
    Ok(Format::Json)
}

/// The report as a file: `bao-cao-ban-chi-dao-2024-Q1.pdf` (the period is ASCII).
fn file_response(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response()
}

/// Who issues the report and the names of the units it cites by code.
async fn context(state: &AppState) -> ApiResult<SteeringContext> {
    let (authority, place) = province_names(state).await?;
    let unit_names = state
        .store()
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.code, o.name))
        .collect();
    Ok(SteeringContext {
        issuer: Issuer {
            authority,
            body: STEERING_BODY.to_string(),
            place,
        },
        unit_names,
    })
}

/// The steering-committee report of a period as JSON (`steering`, `steering.json`), PDF
/// (`steering.pdf`) or an Excel workbook (`steering.xlsx`); without a suffix the `Accept`
/// header chooses (officers).
#[utoipa::path(get, path = "/api/v1/reports/{report}", tag = "plans",
    params(("report" = String, Path, description = "`steering`, `steering.json`, `steering.pdf` or `steering.xlsx`"),
        SteeringQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report: JSON, PDF (`bao-cao-ban-chi-dao-{period}.pdf`) or a workbook \
            with one sheet per section (`bao-cao-ban-chi-dao-{period}.xlsx`)",
            content((SteeringReport = "application/json"), (BinaryFile = "application/pdf"),
                (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn steering(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(report): Path<String>,
    headers: HeaderMap,
    Query(q): Query<SteeringQuery>,
) -> ApiResult<Response> {
    require_officer(&user)?;
    let format = format_of(&report, &headers)?;
    let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => parse_period(text)?,
        None => {
            let today = today(&state);
            use chrono::Datelike;
            PlanPeriod::Quarter(today.year(), (today.month() - 1) / 3 + 1)
        }
    };
    let report = build(&state, period).await?;
    if format == Format::Json {
        return Ok(Json(report).into_response());
    }
    let ctx = context(&state).await?;
    let started = std::time::Instant::now();
    let name = format!("bao-cao-ban-chi-dao-{period}");
    let response = if format == Format::Pdf {
        let pdf = tokio::task::spawn_blocking(move || motcua_reports::render_steering_pdf(&report, &ctx))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .map_err(|e| ApiError::Internal(e.into()))?;
        file_response(pdf, "application/pdf", &format!("{name}.pdf"))
    } else {
        let xlsx = tokio::task::spawn_blocking(move || motcua_reports::render_steering_xlsx(&report, &ctx))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .map_err(|e| ApiError::Internal(e.into()))?;
        file_response(xlsx, motcua_reports::XLSX_CONTENT_TYPE, &format!("{name}.xlsx"))
    };
    tracing::debug!(?format, %period, ms = started.elapsed().as_millis() as u64, "steering report rendered");
    Ok(response)
}

fn percent(t: &IndexTable) -> Option<f64> {
    (t.max > 0.0).then(|| (t.total * 10_000.0 / t.max).round() / 100.0)
}

fn unit_row(
    unit: &str,
    name: &str,
    now: &IndexTable,
    before: &IndexTable,
    period: PlanPeriod,
    previous: PlanPeriod,
) -> ApiResult<IndexUnitRow> {
    let received = now
        .groups
        .iter()
        .flat_map(|g| &g.indicators)
        .find(|i| i.id == "3.3")
        .map_or(0, |i| i.denominator);
    let handled = now
        .groups
        .iter()
        .flat_map(|g| &g.indicators)
        .find(|i| i.id == "2.1")
        .map_or(0, |i| i.denominator);
    let (p, pp) = (percent(now), percent(before));
    Ok(IndexUnitRow {
        unit: unit.to_string(),
        name: name.to_string(),
        total: now.total,
        max: now.max,
        percent: p,
        previous_total: pp.map(|_| before.total),
        previous_max: pp.map(|_| before.max),
        previous_percent: pp,
        change: p.zip(pp).map(|(a, b)| ((a - b) * 100.0).round() / 100.0),
        received,
        handled,
        source: SourceRef {
            query: index_query(unit, period_days(period)?),
            period: period.to_string(),
            unit: Some(unit.to_string()),
        },
        previous_source: SourceRef {
            query: index_query(unit, period_days(previous)?),
            period: previous.to_string(),
            unit: Some(unit.to_string()),
        },
    })
}

/// Assembles the report of `period`.
pub async fn build(state: &AppState, period: PlanPeriod) -> ApiResult<SteeringReport> {
    let engine = state.engine();
    let store = state.store();
    let today = today(state);
    let days = period_days(period)?;
    let previous = period.previous();
    let previous_days = period_days(previous)?;
    let province = engine.province_code();
    let organisations = store.organisations().await?;
    let names: BTreeMap<&str, &str> = organisations
        .iter()
        .map(|o| (o.code.as_str(), o.name.as_str()))
        .collect();

    // The QĐ 766 index of the province and of every unit with dossiers, now and before.
    let province_now = engine.index_table(None, days).await?;
    let province_before = engine.index_table(None, previous_days).await?;
    let province_row = unit_row(
        &province,
        "Toàn tỉnh",
        &province_now,
        &province_before,
        period,
        previous,
    )?;
    let mut units = Vec::new();
    if province_now.max > 0.0 || province_before.max > 0.0 {
        for org in &organisations {
            let now = engine.index_table(Some(&org.code), days).await?;
            let before = engine.index_table(Some(&org.code), previous_days).await?;
            if now.max > 0.0 || before.max > 0.0 {
                units.push(unit_row(&org.code, &org.name, &now, &before, period, previous)?);
            }
        }
    }
    units.sort_by(|a, b| {
        a.percent
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.percent.unwrap_or(f64::INFINITY))
            .then_with(|| a.unit.cmp(&b.unit))
    });
    let index = IndexSection {
        config_version: province_now.config_version.clone(),
        province: province_row,
        units,
    };

    // Plans of the period's year, measured with the same province table.
    let mut plans = Vec::new();
    for plan in store.plans().await?.into_iter().filter(|p| p.year == period.year()) {
        plans.push(plan_section(state, &plan, period, Some(&province_now)).await?);
    }

    // PAR index: the latest scored year up to the period's year, against the year before.
    let par_years = match par_view(state, None, None).await? {
        Some(view) => view.years,
        None => Vec::new(),
    };
    let par_year = par_years.iter().copied().filter(|y| *y <= period.year()).max();
    let par = match par_year {
        Some(year) => par_view(state, None, Some(year)).await?.map(|view| ParSection {
            sample: view.sample,
            source: SourceRef {
                query: format!("GET /api/v1/par-index?year={year}&version={}", view.version),
                period: year.to_string(),
                unit: None,
            },
            comparison: view.comparison,
        }),
        None => None,
    };

    // Directives as of the period's last day (today while it runs).
    let as_of = today.min(days.to);
    let all = store.directives().await?;
    let issued: Vec<_> = all.iter().filter(|d| d.issued_on <= as_of).cloned().collect();
    let mut states: BTreeMap<String, u32> = BTreeMap::new();
    let mut attention = Vec::new();
    for d in &issued {
        let state = directive_state(d, as_of);
        *states.entry(state.as_str().to_string()).or_insert(0) += 1;
        if matches!(state, DirectiveState::Overdue | DirectiveState::DueSoon) {
            attention.push(DirectiveRow {
                id: d.id.clone(),
                document: d.document.clone(),
                title: d.title.clone(),
                issuer: d.issuer.clone(),
                assignees: d.assignees.clone(),
                deadline: d.deadline,
                completed_at: d.completed_at,
                state,
            });
        }
    }
    attention.sort_by(|a, b| a.deadline.cmp(&b.deadline).then_with(|| a.id.cmp(&b.id)));
    let directives = DirectiveSection {
        as_of,
        total: u32::try_from(issued.len()).unwrap_or(u32::MAX),
        states,
        by_unit: completion_by_unit(&issued, as_of),
        attention,
        source: SourceRef {
            query: format!("GET /api/v1/directives?as_of={as_of}"),
            period: period.to_string(),
            unit: None,
        },
    };

    let mut bottlenecks = rank_bottlenecks(&plans, &index, par.as_ref(), &directives, BOTTLENECKS);
    for b in &mut bottlenecks {
        if matches!(b.kind, BottleneckKind::DirectiveUnit | BottleneckKind::IndexUnit) {
            if let Some(name) = names.get(b.subject_id.as_str()) {
                b.subject = name.to_string();
            }
        }
    }
    let contains_sample_data =
        plans.iter().any(|p| p.sample) || par.as_ref().is_some_and(|p| p.sample) || issued.iter().any(|d| d.sample);
    Ok(SteeringReport {
        title: format!("Báo cáo Ban Chỉ đạo kỳ {period}"),
        title_en: format!("Steering committee report, {period}"),
        period: period.to_string(),
        from: days.from,
        to: days.to,
        previous_period: previous.to_string(),
        province,
        generated_at: engine.now().to_rfc3339(),
        contains_sample_data,
        plans,
        index,
        par,
        directives,
        bottlenecks,
    })
}
