//! The procedure catalogue: search (with or without diacritics), browse by level and field, detail.

use std::collections::BTreeMap;

use axum::extract::State;
use motcua_domain::catalog::{Channel, Fee, Procedure, ProcessingTime, SearchFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

const MAX_PAGE_SIZE: usize = 100;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProcedureQuery {
    /// Words of the procedure's name, with or without diacritics.
    pub q: Option<String>,
    /// `province`, `commune`, `central` or `other`.
    pub level: Option<String>,
    /// Field (lĩnh vực) exactly as listed, e.g. `Hộ tịch`.
    pub field: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<usize>,
    /// Items per page (default 20, at most 100).
    pub per_page: Option<usize>,
}

/// One procedure in a result list.
#[derive(Serialize, ToSchema)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub level: Vec<String>,
    pub field: String,
    pub agency: String,
    /// `full`, `partial` or `none` (NĐ 42/2022).
    pub online: String,
    /// Processing time per channel (`counter`, `online`, `post`).
    pub processing_time: BTreeMap<String, ProcessingTime>,
    /// Relevance when `q` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureList {
    pub items: Vec<ProcedureSummary>,
    /// Matches in all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// A procedure with the per-channel figures lifted to the top level.
#[derive(Serialize, ToSchema)]
pub struct ProcedureDetail {
    #[serde(flatten)]
    pub procedure: Procedure,
    /// Processing time per channel (`counter`, `online`, `post`), as stated by the catalogue.
    pub processing_time: BTreeMap<String, ProcessingTime>,
    /// Every fee of every channel.
    pub fees: Vec<ChannelFee>,
}

#[derive(Serialize, ToSchema)]
pub struct ChannelFee {
    pub channel: Channel,
    #[serde(flatten)]
    pub fee: Fee,
}

/// The first stated processing time of each channel.
fn processing_times(p: &Procedure) -> BTreeMap<String, ProcessingTime> {
    let mut times = BTreeMap::new();
    for option in &p.channels {
        if let Some(time) = &option.processing_time {
            times
                .entry(crate::enum_name(&option.channel))
                .or_insert_with(|| time.clone());
        }
    }
    times
}

fn summary(p: &Procedure, score: Option<f32>) -> ProcedureSummary {
    ProcedureSummary {
        code: p.code.clone(),
        name: p.name.clone(),
        level: p.level.iter().map(crate::enum_name).collect(),
        field: p.field.clone(),
        agency: p.agency.clone(),
        online: crate::enum_name(&p.online),
        processing_time: processing_times(p),
        score,
    }
}

/// Searches or lists the catalogue; with `q`, the best match comes first.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalogue", params(ProcedureQuery),
    responses((status = 200, body = ProcedureList), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>, Query(q): Query<ProcedureQuery>) -> ApiResult<Json<ProcedureList>> {
    let level = match q.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(
            serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| {
                ApiError::invalid(
                    "level",
                    format!("{text:?} is not one of province, commune, central, other"),
                )
            })?,
        ),
    };
    let field = q
        .field
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(motcua_domain::text::nfc);
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::invalid("page", "pages start at 1"));
    }
    let per_page = q.per_page.unwrap_or(20);
    if per_page == 0 || per_page > MAX_PAGE_SIZE {
        return Err(ApiError::invalid("per_page", format!("must be 1–{MAX_PAGE_SIZE}")));
    }
    let catalog = state.catalog();
    let filter = SearchFilter { level, field };
    let query = q.q.as_deref().map(str::trim).unwrap_or("");
    // An empty query lists every procedure passing the filter, in code order.
    let scored = !query.is_empty();
    let hits: Vec<(usize, Option<f32>)> = catalog
        .index
        .search(query, &filter)
        .into_iter()
        .map(|(i, s)| (i, scored.then_some(s)))
        .collect();
    let total = hits.len();
    let items = hits
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .filter_map(|(i, score)| catalog.procedures.get(i).map(|p| summary(p, score)))
        .collect();
    Ok(Json(ProcedureList {
        items,
        total,
        page,
        per_page,
    }))
}

/// One procedure with its parsed times, fees, documents and online level, and the raw texts.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "National procedure code, e.g. 1.001193")),
    responses((status = 200, body = ProcedureDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn detail(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<ProcedureDetail>> {
    let catalog = state.catalog();
    let procedure = catalog
        .offered(code.trim())
        .ok_or_else(|| ApiError::NotFound(format!("no procedure with code {:?}", code.trim())))?;
    let fees = procedure
        .channels
        .iter()
        .flat_map(|c| {
            c.fees.iter().map(|fee| ChannelFee {
                channel: c.channel,
                fee: fee.clone(),
            })
        })
        .collect();
    Ok(Json(ProcedureDetail {
        processing_time: processing_times(procedure),
        fees,
        procedure: procedure.clone(),
    }))
}
