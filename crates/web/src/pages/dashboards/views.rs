//! The dashboard pages.

use std::time::Instant;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use motcua_domain::calendar::WorkingTimeLeft;
use motcua_domain::catalog::OnlineLevel;
use motcua_domain::dossier::exchange::{export_record, ExchangeRecord};
use motcua_domain::dossier::lateness::{culprit, processing_stay, step_stays, summarise, StepStay};
use motcua_domain::index::{classify, DossierFacts, IndexTable, Period};

use super::chart::{self, Bar};
use super::export::{self, Export, Heading, OverviewData};
use super::old_units::{self, Merged, Predecessor};
use super::period::{DashQuery, Picked};
use super::{num, percent, require_reader};
use crate::pages::{datetime, error_page, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Rows per page of an indicator's dossier list.
const PAGE_SIZE: usize = 50;
/// Indicators whose lost points are listed dossier by dossier.
const LISTED: [&str; 3] = ["2.1", "3.3", "4.2"];

fn internal(lang: Lang, e: impl Into<anyhow::Error>) -> Response {
    error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()))
}

/// A unit's name in the page's language.
fn unit_name(state: &AppState, code: &str, lang: Lang) -> Option<String> {
    state.engine().organisation(code).map(|o| match lang {
        Lang::En if !o.name_en.is_empty() => o.name_en,
        _ => o.name,
    })
}

fn today(state: &AppState) -> chrono::NaiveDate {
    state.engine().now().date_naive()
}

/// One row of the indicator table.
pub struct IndRow {
    pub id: String,
    pub group: String,
    pub name: String,
    pub numerator: u64,
    pub denominator: u64,
    pub ratio: String,
    pub score: String,
    pub score_raw: String,
    pub max: String,
    pub na: bool,
    pub listed: bool,
    pub ratio_value: Option<f64>,
    pub score_value: Option<f64>,
    pub max_value: f64,
}

pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub score: String,
    pub max: String,
    pub percent: String,
    pub na: bool,
    pub score_value: Option<f64>,
    pub max_value: f64,
    pub share: Option<f64>,
}

pub struct MonthRow {
    pub label: String,
    pub total: String,
    pub max: String,
    pub percent: String,
    pub na: bool,
    pub total_value: f64,
    pub max_value: f64,
    pub share: Option<f64>,
}

/// Đề án 06 targets over the dossiers received in the period.
pub struct D06 {
    pub received: u64,
    pub population: u64,
    pub population_share: String,
    pub vneid: u64,
    pub vneid_share: String,
    /// (code, name) of units with dossiers received but none verified against population data.
    pub zero_units: Vec<(String, String)>,
}

impl D06 {
    /// `count` out of the dossiers received, `None` without any.
    pub fn share(&self, count: u64) -> Option<f64> {
        (self.received > 0).then(|| count as f64 / self.received as f64)
    }
}

#[derive(Template)]
#[template(path = "dieu_hanh/overview.html")]
struct OverviewPage {
    l: Layout,
    p: Picked,
    period_error: bool,
    /// The unit's code, empty for the province.
    unit: String,
    scope: String,
    total: String,
    total_raw: String,
    max: String,
    max_raw: String,
    groups: Vec<GroupRow>,
    groups_svg: String,
    indicators: Vec<IndRow>,
    trend_year: i32,
    trend: Vec<MonthRow>,
    trend_svg: String,
    d06: D06,
    export_base: String,
    /// The old (pre-2025) unit the reader asked for, shown as the unit it merged into.
    merged: Option<Merged>,
    /// The old communes this unit was formed from.
    predecessors: Vec<Predecessor>,
}

impl OverviewPage {
    fn cap_value(&self) -> Option<&str> {
        None
    }
}

/// The period of the query, or the default with the error flag.
fn period_of(state: &AppState, q: &DashQuery) -> (Picked, bool) {
    let today = today(state);
    match q.picked(today) {
        Ok(p) => (p, false),
        Err(()) => (DashQuery::default_picked(today), true),
    }
}

/// `GET /dieu-hanh`: the province.
pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    page_of(&state, &ctx, None, None, &q).await
}

/// `GET /dieu-hanh/don-vi/{code}`: one unit.
pub async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    if let Err(r) = require_reader(&ctx) {
        return r;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    if state.engine().organisation(&code).is_some() {
        return page_of(&state, &ctx, Some(&code), None, &q).await;
    }
    // A pre-2025 commune: the page of the commune it merged into, which counts its dossiers.
    match old_units::merged_into(&state, &code) {
        Some(m) => {
            let new_code = m.new_code.clone();
            page_of(&state, &ctx, Some(&new_code), Some(m), &q).await
        }
        None => error_page(ctx.lang, StatusCode::NOT_FOUND, None),
    }
}

async fn page_of(state: &AppState, ctx: &Ctx, unit: Option<&str>, merged: Option<Merged>, q: &DashQuery) -> Response {
    if let Err(r) = require_reader(ctx) {
        return r;
    }
    let lang = ctx.lang;
    let Ok(export) = Export::of(q) else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let (p, period_error) = period_of(state, q);
    let engine = state.engine();
    let table = match engine.index_table(unit, p.period).await {
        Ok(t) => t,
        Err(e) => return internal(lang, e),
    };
    // The trend: each month of the period's year, up to today.
    let trend_year = p.to.year();
    let today = today(state);
    let mut trend = Vec::new();
    let mut trend_bars = Vec::new();
    for m in 1..=12 {
        let Ok(month) = Period::month(trend_year, m) else {
            continue;
        };
        if month.from > today {
            break;
        }
        let month = Period {
            from: month.from,
            to: month.to.min(today),
        };
        let t = match engine.index_table(unit, month).await {
            Ok(t) => t,
            Err(e) => return internal(lang, e),
        };
        let share = (t.max > 0.0).then(|| t.total / t.max);
        let shown = share
            .map(|s| percent(s, lang))
            .unwrap_or_else(|| lang.t("dh.na.short").to_string());
        trend_bars.push(Bar {
            label: format!("{m}"),
            share,
            value: shown.trim_end_matches(" %").to_string(),
        });
        trend.push(MonthRow {
            label: format!("{m:02}/{trend_year}"),
            total: num(t.total, lang),
            max: num(t.max, lang),
            percent: shown,
            na: share.is_none(),
            total_value: t.total,
            max_value: t.max,
            share,
        });
    }
    let d06 = match d06(state, unit, p.period, lang).await {
        Ok(d) => d,
        Err(e) => return internal(lang, e),
    };
    let scope = match unit {
        Some(code) => unit_name(state, code, lang).unwrap_or_else(|| code.to_string()),
        None => lang.t("dh.province").to_string(),
    };
    let (groups, indicators) = rows(&table, lang);
    let bars: Vec<Bar> = table
        .groups
        .iter()
        .map(|g| Bar {
            label: group_name(g, lang).to_string(),
            share: (g.max > 0.0).then(|| g.score / g.max),
            value: if g.na {
                lang.t("dh.na.short").to_string()
            } else {
                format!("{} / {}", num(g.score, lang), num(g.max, lang))
            },
        })
        .collect();
    let path = match unit {
        // The old code asked for stays in the export links, so they repeat the note.
        Some(code) => format!(
            "/dieu-hanh/don-vi/{}",
            merged.as_ref().map_or(code, |m| m.old_code.as_str())
        ),
        None => "/dieu-hanh".to_string(),
    };
    if let Some(export) = export {
        let mut notes = Vec::new();
        if let Some(m) = &merged {
            notes.push(merged_note(m, lang));
        }
        let heading = Heading {
            title: format!("{} – {scope}", lang.t("dh.title")),
            scope: match unit {
                Some(code) => format!("{scope} ({code})"),
                None => scope.clone(),
            },
            period: p.clone(),
            notes,
            exported_at: state.engine().now(),
        };
        let total_line = format!(
            "{} {} {}",
            num(table.total, lang),
            lang.t("dh.of"),
            num(table.max, lang)
        );
        let mut doc = export::overview_doc(
            heading,
            lang,
            OverviewData {
                groups: &groups,
                indicators: &indicators,
                trend_year,
                trend: &trend,
                d06: &d06,
            },
        );
        doc.info.insert(2, (lang.t("dh.total").to_string(), total_line));
        let stem = format!("chi-so-766-{}-{}-{}", unit.unwrap_or("toan-tinh"), p.from, p.to);
        return export::respond(doc, export, &stem, lang).await;
    }
    let predecessors = unit
        .map(|code| old_units::predecessors(state, code))
        .unwrap_or_default();
    let page = OverviewPage {
        export_base: export::export_base(&path, &p.query(), lang),
        merged,
        predecessors,
        l: Layout::new(ctx, format!("{} – {scope}", lang.t("dh.title")), "/dieu-hanh"),
        period_error,
        unit: unit.unwrap_or("").to_string(),
        scope,
        total: num(table.total, lang),
        total_raw: format!("{:.2}", table.total),
        max: num(table.max, lang),
        max_raw: format!("{:.2}", table.max),
        groups_svg: chart::horizontal("chart-groups", lang.t("dh.groups.chart"), &bars),
        groups,
        indicators,
        trend_year,
        trend_svg: chart::columns("chart-trend", lang.t("dh.trend.chart"), &trend_bars),
        trend,
        d06,
        p,
    };
    render(ctx, StatusCode::OK, &page)
}

/// "Mã 23575 (Xã A) là đơn vị trước ngày 01/07/2025 …": why another unit's figures are shown.
fn merged_note(m: &Merged, lang: Lang) -> String {
    format!(
        "{} {} ({}) {} {}: {} ({}). {}",
        lang.t("dh.old.code"),
        m.old_code,
        m.old_name,
        lang.t("dh.old.until"),
        m.until,
        m.new_name,
        m.new_code,
        lang.t("dh.old.counted")
    )
}

fn group_name(g: &motcua_domain::index::GroupScore, lang: Lang) -> &str {
    match lang {
        Lang::En if !g.name_en.is_empty() => &g.name_en,
        _ => &g.name,
    }
}

fn rows(table: &IndexTable, lang: Lang) -> (Vec<GroupRow>, Vec<IndRow>) {
    let na = || lang.t("dh.na.short").to_string();
    let groups = table
        .groups
        .iter()
        .map(|g| GroupRow {
            id: g.id.clone(),
            name: group_name(g, lang).to_string(),
            score: if g.na { na() } else { num(g.score, lang) },
            max: num(g.max, lang),
            percent: if g.max > 0.0 {
                percent(g.score / g.max, lang)
            } else {
                na()
            },
            na: g.na,
            score_value: (!g.na).then_some(g.score),
            max_value: g.max,
            share: (g.max > 0.0).then(|| g.score / g.max),
        })
        .collect();
    let indicators = table
        .groups
        .iter()
        .flat_map(|g| g.indicators.iter().map(move |i| (g, i)))
        .map(|(g, i)| IndRow {
            id: i.id.clone(),
            group: g.id.clone(),
            name: match lang {
                Lang::En if !i.name_en.is_empty() => i.name_en.clone(),
                _ => i.name.clone(),
            },
            numerator: i.numerator,
            denominator: i.denominator,
            ratio: i.ratio.map(|r| percent(r, lang)).unwrap_or_else(na),
            score: i.score.map(|s| num(s, lang)).unwrap_or_else(na),
            score_raw: i.score.map(|s| format!("{s:.2}")).unwrap_or_else(|| "na".into()),
            max: num(i.max, lang),
            na: i.na,
            listed: LISTED.contains(&i.id.as_str()),
            ratio_value: i.ratio,
            score_value: i.score,
            max_value: i.max,
        })
        .collect();
    (groups, indicators)
}

/// One dossier of the period with its facts.
struct Classified {
    code: String,
    procedure: String,
    procedure_name: String,
    unit: String,
    record: ExchangeRecord,
    facts: DossierFacts,
    /// Processed through a workflow here (its log says which step it was at, and when).
    has_steps: bool,
}

/// Every dossier of `unit` (or the province) that counts in the period, classified as
/// [`Engine::index_table`](motcua_engine::Engine::index_table) classifies them.
async fn classified(state: &AppState, unit: Option<&str>, period: Period) -> anyhow::Result<Vec<Classified>> {
    let rows = state
        .store()
        .dossiers_for_index(unit, period.end().timestamp_millis())
        .await?;
    let out = tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .filter_map(|(code, st, original)| {
                let original = original.and_then(|v| serde_json::from_value::<ExchangeRecord>(v).ok());
                let record = export_record(&code, &st, original.as_ref());
                let facts = classify(&record, &period)?;
                let has_steps = st.workflow.is_some() || !st.path.is_empty();
                Some(Classified {
                    has_steps,
                    code,
                    procedure: st.procedure.clone(),
                    procedure_name: st.procedure_name.clone(),
                    unit: st.unit.clone(),
                    record,
                    facts,
                })
            })
            .collect()
    })
    .await?;
    Ok(out)
}

async fn d06(state: &AppState, unit: Option<&str>, period: Period, lang: Lang) -> anyhow::Result<D06> {
    let all = classified(state, unit, period).await?;
    let received: Vec<&Classified> = all.iter().filter(|c| c.facts.received_in_period).collect();
    let population = received
        .iter()
        .filter(|c| c.record.population_data == Some(true))
        .count() as u64;
    let vneid = received.iter().filter(|c| c.record.vneid_account == Some(true)).count() as u64;
    let mut by_unit: std::collections::BTreeMap<&str, bool> = std::collections::BTreeMap::new();
    for c in &received {
        *by_unit.entry(c.unit.as_str()).or_default() |= c.record.population_data == Some(true);
    }
    let zero_units = by_unit
        .into_iter()
        .filter(|(_, used)| !used)
        .map(|(code, _)| {
            (
                code.to_string(),
                unit_name(state, code, lang).unwrap_or_else(|| code.to_string()),
            )
        })
        .collect();
    let n = received.len() as u64;
    let share = |k: u64| {
        if n == 0 {
            lang.t("dh.na.short").to_string()
        } else {
            percent(k as f64 / n as f64, lang)
        }
    };
    Ok(D06 {
        received: n,
        population_share: share(population),
        population,
        vneid_share: share(vneid),
        vneid,
        zero_units,
    })
}

/// One unit of the ranking.
pub struct RankRow {
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub total: String,
    pub total_raw: String,
    pub max: String,
    pub percent: String,
    /// `None` when no indicator applies (N/A).
    pub total_value: Option<f64>,
    pub max_value: f64,
    pub share: Option<f64>,
}

#[derive(Template)]
#[template(path = "dieu_hanh/ranking.html")]
struct RankingPage {
    l: Layout,
    p: Picked,
    period_error: bool,
    unit: String,
    cap: &'static str,
    heading: &'static str,
    rows: Vec<RankRow>,
    millis: u128,
    export_base: String,
}

impl RankingPage {
    fn cap_value(&self) -> Option<&str> {
        Some(self.cap)
    }
}

/// `GET /dieu-hanh/xep-hang?cap=so|xa&…`: the units of one level by total score.
pub async fn ranking(State(state): State<AppState>, ctx: Ctx, q: Result<Query<DashQuery>, QueryRejection>) -> Response {
    if let Err(r) = require_reader(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let Ok(export) = Export::of(&q) else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let (p, period_error) = period_of(&state, &q);
    // Communes are the people's committees named by a GSO commune code (digits); every other
    // competent unit (departments, the provincial committee) is ranked at the provincial level.
    let (cap, communes, heading) = match q.cap.as_deref().unwrap_or("xa") {
        "so" => ("so", false, "dh.ranking.dept"),
        "xa" => ("xa", true, "dh.ranking.commune"),
        _ => return error_page(lang, StatusCode::BAD_REQUEST, None),
    };
    let is_commune = |o: &motcua_store::Organisation| {
        o.kind == "people_committee" && !o.code.is_empty() && o.code.bytes().all(|b| b.is_ascii_digit())
    };
    let started = Instant::now();
    let orgs = match state.store().organisations().await {
        Ok(o) => o,
        Err(e) => return internal(lang, e),
    };
    let mut scored = Vec::new();
    let ranked = orgs
        .into_iter()
        .filter(|o| o.kind != "service_centre" && is_commune(o) == communes);
    for o in ranked {
        let table = match state.engine().index_table(Some(&o.code), p.period).await {
            Ok(t) => t,
            Err(e) => return internal(lang, e),
        };
        let name = match lang {
            Lang::En if !o.name_en.is_empty() => o.name_en,
            _ => o.name,
        };
        scored.push((o.code, name, table.total, table.max));
    }
    // Highest total first; units without any applicable indicator (max 0) last; then by code.
    scored.sort_by(|a, b| {
        (b.3 > 0.0)
            .cmp(&(a.3 > 0.0))
            .then(b.2.total_cmp(&a.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    let millis = started.elapsed().as_millis();
    tracing::info!(level = cap, units = scored.len(), millis, "ranking computed");
    let rows = scored
        .into_iter()
        .enumerate()
        .map(|(i, (code, name, total, max))| RankRow {
            rank: i + 1,
            code,
            name,
            total: if max > 0.0 {
                num(total, lang)
            } else {
                lang.t("dh.na.short").to_string()
            },
            total_raw: format!("{total:.2}"),
            max: num(max, lang),
            percent: if max > 0.0 {
                percent(total / max, lang)
            } else {
                lang.t("dh.na.short").to_string()
            },
            total_value: (max > 0.0).then_some(total),
            max_value: max,
            share: (max > 0.0).then(|| total / max),
        })
        .collect::<Vec<_>>();
    if let Some(export) = export {
        let heading = Heading {
            title: lang.t(heading).to_string(),
            scope: lang.t("dh.province").to_string(),
            period: p.clone(),
            notes: vec![
                lang.t("dh.ranking.note").to_string(),
                lang.t("dh.ranking.old").to_string(),
            ],
            exported_at: state.engine().now(),
        };
        let doc = export::ranking_doc(heading, lang, &rows);
        let stem = format!("xep-hang-{cap}-{}-{}", p.from, p.to);
        return export::respond(doc, export, &stem, lang).await;
    }
    let page = RankingPage {
        export_base: export::export_base("/dieu-hanh/xep-hang", &format!("cap={cap}&{}", p.query()), lang),
        l: Layout::new(&ctx, lang.t(heading), "/dieu-hanh"),
        p,
        period_error,
        unit: String::new(),
        cap,
        heading,
        rows,
        millis,
    };
    render(&ctx, StatusCode::OK, &page)
}

/// One dossier that cost points (codes and procedures only).
pub struct LostRow {
    pub code: String,
    pub procedure_code: String,
    pub procedure: String,
    pub received: String,
    pub due: String,
    pub closed: String,
    pub lateness: String,
    pub online: &'static str,
    /// 2.1: the step that caused the lateness (its name), its unit and its own overrun.
    pub cause: String,
    /// The step's id, `xu-ly` for processing without step detail, empty without a cause.
    pub cause_step: String,
    pub cause_unit: String,
    pub step_overrun: String,
}

/// Late dossiers by the step and unit that caused their lateness.
pub struct CauseRow {
    pub step: String,
    pub name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub dossiers: u64,
    pub overrun: String,
}

#[derive(Template)]
#[template(path = "dieu_hanh/indicator.html")]
struct IndicatorPage {
    l: Layout,
    p: Picked,
    period_error: bool,
    unit: String,
    scope: String,
    id: String,
    name: String,
    explain: &'static str,
    total: usize,
    rows: Vec<LostRow>,
    page: usize,
    pages: usize,
    causes: Vec<CauseRow>,
    export_base: String,
}

impl IndicatorPage {
    fn cap_value(&self) -> Option<&str> {
        None
    }

    fn page_url(&self, page: usize) -> String {
        format!(
            "/dieu-hanh/chi-so/{}?{}&unit={}&trang={page}",
            self.id,
            self.p.query(),
            urlencoding::encode(&self.unit)
        )
    }
}

/// `GET /dieu-hanh/chi-so/{id}?unit=&…`: the dossiers that cost points on 2.1, 3.3 or 4.2.
pub async fn indicator(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    q: Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    if let Err(r) = require_reader(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    if !LISTED.contains(&id.as_str()) {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let Ok(export) = Export::of(&q) else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let (p, period_error) = period_of(&state, &q);
    let unit = q.unit.as_deref().map(str::trim).unwrap_or("").to_string();
    let engine = state.engine();
    let scope = if unit.is_empty() || unit == engine.province_code() {
        None
    } else if engine.organisation(&unit).is_some() {
        Some(unit.as_str())
    } else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let all = match classified(&state, scope, p.period).await {
        Ok(a) => a,
        Err(e) => return internal(lang, e),
    };
    let catalog = state.catalog();
    let online_level = |code: &str| catalog.get(code).map(|pr| pr.online).unwrap_or(OnlineLevel::None);
    let mut lost: Vec<&Classified> = all
        .iter()
        .filter(|c| match id.as_str() {
            "2.1" => c.facts.handled() && !c.facts.on_time,
            "3.3" => c.facts.received_in_period && !c.facts.online && online_level(&c.procedure) != OnlineLevel::None,
            _ => c.facts.received_in_period && !c.facts.digitised,
        })
        .collect();
    lost.sort_by(|a, b| a.code.cmp(&b.code));
    let total = lost.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page_no = q
        .trang
        .as_deref()
        .and_then(|t| t.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let calendar = engine.calendar();
    // The step that caused each late dossier's lateness (2.1), for the list and the summary.
    let mut causes: Vec<Option<StepStay>> = Vec::with_capacity(lost.len());
    if id == "2.1" {
        for c in &lost {
            match cause_of(&state, c, &calendar).await {
                Ok(cause) => causes.push(cause),
                Err(e) => return internal(lang, e),
            }
        }
    } else {
        causes.resize(lost.len(), None);
    }
    let day_minutes = calendar.day_minutes();
    let overrun_text = |minutes: i64| {
        let t = WorkingTimeLeft::from_minutes(-minutes, day_minutes);
        match lang {
            Lang::Vi => t.vi(),
            Lang::En => t.en(),
        }
    };
    let step_label = |s: &StepStay| match (&s.step, &s.name) {
        (Some(_), Some((vi, en))) => match lang {
            Lang::En if !en.is_empty() => en.clone(),
            _ => vi.clone(),
        },
        (Some(step), None) => step.clone(),
        (None, _) => lang.t("dh.cause.processing").to_string(),
    };
    let unit_label = |code: &str| unit_name(&state, code, lang).unwrap_or_else(|| code.to_string());
    // An export lists every dossier; the page one page of them.
    let (skip, take) = match export {
        Some(_) => (0, total),
        None => ((page_no - 1) * PAGE_SIZE, PAGE_SIZE),
    };
    let rows = lost
        .iter()
        .zip(&causes)
        .skip(skip)
        .take(take)
        .map(|(c, cause)| {
            let f = &c.facts;
            let closed_in_period = c.record.finished_at.filter(|t| *t < p.period.end());
            let lateness = match (f.due, f.overrun()) {
                (Some(due), Some(_)) => calendar
                    .time_left(due, f.reckoned_at - f.paused)
                    .map(|left| match lang {
                        Lang::Vi => left.vi(),
                        Lang::En => left.en(),
                    })
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let lateness = if f.supplement_requests > 1 {
                let extra = format!("{} {}", f.supplement_requests, lang.t("dh.supplements"));
                if lateness.is_empty() {
                    extra
                } else {
                    format!("{lateness}; {extra}")
                }
            } else {
                lateness
            };
            LostRow {
                code: c.code.clone(),
                procedure_code: c.procedure.clone(),
                procedure: c.procedure_name.clone(),
                received: c.record.received_at.map(|t| datetime(&t)).unwrap_or_default(),
                due: f.due.map(|t| datetime(&t)).unwrap_or_default(),
                closed: closed_in_period
                    .map(|t| datetime(&t))
                    .unwrap_or_else(|| lang.t("dh.still_open").to_string()),
                lateness,
                online: match online_level(&c.procedure) {
                    OnlineLevel::Full => lang.t("dh.online.full"),
                    OnlineLevel::Partial => lang.t("dh.online.partial"),
                    OnlineLevel::None => "",
                },
                cause: match cause {
                    Some(s) => step_label(s),
                    None if id == "2.1" && f.supplement_requests > 1 => {
                        lang.t("dh.cause.second_supplement").to_string()
                    }
                    None => String::new(),
                },
                cause_step: cause
                    .as_ref()
                    .map(|s| s.step.clone().unwrap_or_else(|| "xu-ly".into()))
                    .unwrap_or_default(),
                cause_unit: cause.as_ref().map(|s| unit_label(&s.unit)).unwrap_or_default(),
                step_overrun: cause
                    .as_ref()
                    .map(|s| overrun_text(s.overrun_minutes))
                    .unwrap_or_default(),
            }
        })
        .collect::<Vec<_>>();
    let cause_rows: Vec<CauseRow> = summarise(causes.iter().flatten())
        .into_iter()
        .map(|g| {
            let stay = StepStay {
                step: g.step.clone(),
                name: g.name.clone(),
                unit: g.unit.clone(),
                entered: p.period.end(),
                left: p.period.end(),
                due: None,
                overrun_minutes: g.overrun_minutes,
            };
            CauseRow {
                step: g.step.clone().unwrap_or_else(|| "xu-ly".into()),
                name: step_label(&stay),
                unit_name: unit_label(&g.unit),
                unit_code: g.unit,
                dossiers: g.dossiers,
                overrun: overrun_text(g.overrun_minutes),
            }
        })
        .collect();
    let name = motcua_domain::index::IndexConfig::qd766_2022()
        .indicators
        .iter()
        .find(|d| d.id == id)
        .map(|d| match lang {
            Lang::En => d.name_en.clone(),
            Lang::Vi => d.name_vi.clone(),
        })
        .unwrap_or_default();
    let scope_name = match scope {
        Some(code) => unit_name(&state, code, lang).unwrap_or_else(|| code.to_string()),
        None => lang.t("dh.province").to_string(),
    };
    if let Some(export) = export {
        let heading = Heading {
            title: format!("{} {id} – {name}", lang.t("dh.ind.title")),
            scope: match scope {
                Some(code) => format!("{scope_name} ({code})"),
                None => scope_name.clone(),
            },
            period: p.clone(),
            notes: vec![lang.t(explain_key(&id)).to_string()],
            exported_at: engine.now(),
        };
        let doc = export::indicator_doc(heading, lang, &id, &rows, &cause_rows);
        let stem = format!("chi-so-{id}-{}-{}-{}", scope.unwrap_or("toan-tinh"), p.from, p.to);
        return export::respond(doc, export, &stem, lang).await;
    }
    let base = format!("/dieu-hanh/chi-so/{id}");
    let query = format!("{}&unit={}", p.query(), urlencoding::encode(scope.unwrap_or("")));
    let page = IndicatorPage {
        export_base: export::export_base(&base, &query, lang),
        causes: cause_rows,
        l: Layout::new(&ctx, format!("{} {id}", lang.t("dh.ind.title")), "/dieu-hanh"),
        p,
        period_error,
        unit: scope.unwrap_or("").to_string(),
        scope: scope_name,
        explain: explain_key(&id),
        id,
        name,
        total,
        rows,
        page: page_no,
        pages,
    };
    render(&ctx, StatusCode::OK, &page)
}

fn explain_key(id: &str) -> &'static str {
    match id {
        "2.1" => "dh.ind.late",
        "3.3" => "dh.ind.counter",
        _ => "dh.ind.undigitised",
    }
}

/// The stay that made a late dossier late: from its log when it went through a workflow here,
/// else (an imported dossier) its whole processing at the unit. Units are counted as the index
/// counts them (a pre-2025 code under the unit it merged into).
async fn cause_of(
    state: &AppState,
    c: &Classified,
    calendar: &motcua_domain::calendar::WorkCalendar,
) -> anyhow::Result<Option<StepStay>> {
    let f = &c.facts;
    let mut cause = None;
    if c.has_steps {
        let events: Vec<_> = state
            .store()
            .dossier_events(&c.code)
            .await?
            .into_iter()
            .map(|stored| stored.event)
            .collect();
        cause = culprit(&step_stays(&events, f.reckoned_at, calendar)).cloned();
    }
    if cause.is_none() {
        if let Some(received) = c.record.received_at {
            let stay = processing_stay(&c.unit, received, f.reckoned_at, f.paused, f.due, calendar);
            cause = stay.overran().then_some(stay);
        }
    }
    let units = state.engine().unit_directory();
    Ok(cause.map(|mut s| {
        s.unit = motcua_engine::index_unit(&units, &s.unit);
        s
    }))
}

/// One unit the search found.
pub struct HitRow {
    pub code: String,
    pub name: String,
    /// Where an old unit went.
    pub merged: Option<Merged>,
}

#[derive(Template)]
#[template(path = "dieu_hanh/units.html")]
struct UnitsPage {
    l: Layout,
    p: Picked,
    query: String,
    hits: Vec<HitRow>,
    searched: bool,
}

/// `GET /dieu-hanh/tim-don-vi?q=&…`: units by code or name, pre-2025 communes included with the
/// unit they merged into.
pub async fn search_units(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    if let Err(r) = require_reader(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (p, _) = period_of(&state, &q);
    let query = motcua_domain::text::nfc(q.q.as_deref().unwrap_or("").trim());
    let query: String = query.chars().take(100).collect();
    let organisations = match state.store().organisations().await {
        Ok(o) => o,
        Err(e) => return internal(lang, e),
    };
    let hits = old_units::search(&state, &organisations, &query)
        .into_iter()
        .map(|h| HitRow {
            code: h.code,
            name: h.name,
            merged: h.merged,
        })
        .collect();
    let page = UnitsPage {
        l: Layout::new(&ctx, lang.t("dh.search"), "/dieu-hanh"),
        p,
        searched: !query.is_empty(),
        query,
        hits,
    };
    render(&ctx, StatusCode::OK, &page)
}
