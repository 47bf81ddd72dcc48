//! Finding a procedure: the home page, search with filters and paging, the procedure page.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::catalog::{
    Channel, Fee, FeeKind, Level, OnlineLevel, Procedure, ProcessingTime, RequiredDocument, SearchFilter, TimeUnit,
};
use serde::Deserialize;

use super::{error_page, render, Ctx, Lang, Layout};
use crate::state::AppState;

const PER_PAGE: usize = 20;
/// Procedures shown as "most used" on the home page.
const MOST_USED: usize = 8;
/// Common procedures shown before any dossier exists (birth, marriage and death registration,
/// residence confirmation, copy certification, household business registration, land).
const STARTERS: &[&str] = &[
    "1.001193", "1.000894", "1.000656", "2.000635", "2.000815", "2.000908", "1.001612", "1.004227",
];

/// A procedure in a list.
pub struct Item {
    pub code: String,
    pub name: String,
    pub field: String,
    pub levels: String,
    pub online: &'static str,
    pub online_full: bool,
}

fn level_key(l: &Level) -> &'static str {
    match l {
        Level::Province => "level.province",
        Level::Commune => "level.commune",
        Level::Central => "level.central",
        Level::Other => "level.other",
    }
}

fn online_key(o: OnlineLevel) -> &'static str {
    match o {
        OnlineLevel::Full => "online.full",
        OnlineLevel::Partial => "online.partial",
        OnlineLevel::None => "online.none",
    }
}

fn item(p: &Procedure, lang: Lang) -> Item {
    Item {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        levels: p
            .level
            .iter()
            .map(|l| lang.t(level_key(l)))
            .collect::<Vec<_>>()
            .join(", "),
        online: lang.t(online_key(p.online)),
        online_full: p.online == OnlineLevel::Full,
    }
}

/// Whether a citizen can submit this procedure online here: offered online and decided by the
/// province or a commune (the engine refuses central-level procedures).
pub fn submittable(p: &Procedure) -> bool {
    p.online != OnlineLevel::None && p.level.iter().any(|l| matches!(l, Level::Province | Level::Commune))
}

/// What a line of the catalogue's "Thành phần hồ sơ" asks of the citizen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// A paper handed in (an upload online).
    HandIn,
    /// A paper shown at the counter ("Giấy tờ phải xuất trình"), not kept in the dossier.
    Show,
    /// Guidance: the parser keeps notes and instruction sentences as lines with no count.
    Note,
}

/// Classifies a document line: a line with neither originals nor copies is guidance (the
/// "Lưu ý" group, "Trường hợp … thì không phải nộp" sentences), a line under a heading about
/// papers to show ("xuất trình") is shown, anything else is handed in.
pub fn doc_kind(d: &RequiredDocument) -> DocKind {
    let group = d.group.as_deref().map(motcua_domain::text::fold).unwrap_or_default();
    if d.originals + d.copies == 0 || group.contains("luu y") {
        DocKind::Note
    } else if group.contains("xuat trinh") {
        DocKind::Show
    } else {
        DocKind::HandIn
    }
}

/// Fields of the catalogue with their number of procedures, largest first.
fn fields(procedures: &[Procedure]) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in procedures.iter().filter(|p| !p.field.is_empty()) {
        *counts.entry(p.field.as_str()).or_default() += 1;
    }
    let mut list: Vec<(String, usize)> = counts.into_iter().map(|(f, n)| (f.to_string(), n)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

/// A link with its text.
pub struct Link {
    pub href: String,
    pub text: String,
}

fn field_link(field: &str, count: usize) -> Link {
    Link {
        href: format!("/thu-tuc?field={}", urlencoding::encode(field)),
        text: format!("{field} ({count})"),
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    most_used: Vec<Item>,
    fields: Vec<Link>,
    province_count: usize,
    commune_count: usize,
}

/// `GET /`: search, the most used procedures, browse by field and level.
pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    let catalog = state.catalog();
    let codes = match state.portal().most_used(&state, MOST_USED).await {
        Ok(codes) => codes,
        Err(e) => return error_page(ctx.lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
    };
    let mut most_used: Vec<Item> = codes
        .iter()
        .filter_map(|c| catalog.offered(c))
        .map(|p| item(p, ctx.lang))
        .collect();
    for code in STARTERS {
        if most_used.len() >= MOST_USED {
            break;
        }
        if let Some(p) = catalog
            .offered(code)
            .filter(|p| !most_used.iter().any(|i| i.code == p.code))
        {
            most_used.push(item(p, ctx.lang));
        }
    }
    let count = |level: Level| catalog.procedures.iter().filter(|p| p.level.contains(&level)).count();
    let page = HomePage {
        l: Layout::new(&ctx, ctx.lang.t("home.title"), "/"),
        most_used,
        fields: fields(&catalog.procedures)
            .into_iter()
            .take(12)
            .map(|(f, n)| field_link(&f, n))
            .collect(),
        province_count: count(Level::Province),
        commune_count: count(Level::Commune),
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub level: Option<String>,
    pub field: Option<String>,
    pub page: Option<String>,
}

/// An option of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    levels: Vec<Choice>,
    fields: Vec<Choice>,
    items: Vec<Item>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    summary: String,
}

fn page_url(q: &str, level: &str, field: &str, page: usize) -> String {
    let mut parts = Vec::new();
    if !q.is_empty() {
        parts.push(format!("q={}", urlencoding::encode(q)));
    }
    if !level.is_empty() {
        parts.push(format!("level={level}"));
    }
    if !field.is_empty() {
        parts.push(format!("field={}", urlencoding::encode(field)));
    }
    parts.push(format!("page={page}"));
    format!("/thu-tuc?{}", parts.join("&"))
}

/// `GET /thu-tuc?q=&level=&field=&page=`: search with or without diacritics, filters, paging.
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return error_page(ctx.lang, StatusCode::BAD_REQUEST, None);
    };
    let lang = ctx.lang;
    let catalog = state.catalog();
    let q: String = super::clean(query.q.as_deref().unwrap_or(""))
        .chars()
        .take(200)
        .collect();
    // Unknown filter values are ignored rather than failing the page.
    let level = query
        .level
        .as_deref()
        .and_then(Level::from_code)
        .filter(|l| *l != Level::Other);
    let level_code = match level {
        Some(Level::Province) => "province",
        Some(Level::Commune) => "commune",
        Some(Level::Central) => "central",
        _ => "",
    };
    let all_fields = fields(&catalog.procedures);
    let field = super::clean(query.field.as_deref().unwrap_or(""));
    let field = if all_fields.iter().any(|(f, _)| *f == field) {
        field
    } else {
        String::new()
    };
    let filter = SearchFilter {
        level,
        field: (!field.is_empty()).then(|| field.clone()),
    };
    let hits = catalog.index.search(&q, &filter);
    let total = hits.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let items = hits
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .filter_map(|(i, _)| catalog.procedures.get(*i))
        .map(|p| item(p, lang))
        .collect();
    let levels = [
        ("", "search.any_level"),
        ("province", "level.province"),
        ("commune", "level.commune"),
        ("central", "level.central"),
    ]
    .into_iter()
    .map(|(value, key)| Choice {
        value: value.to_string(),
        label: lang.t(key).to_string(),
        selected: value == level_code,
    })
    .collect();
    let mut field_choices = vec![Choice {
        value: String::new(),
        label: lang.t("search.any_field").to_string(),
        selected: field.is_empty(),
    }];
    let mut sorted = all_fields;
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    field_choices.extend(sorted.into_iter().map(|(f, _)| Choice {
        selected: f == field,
        label: f.clone(),
        value: f,
    }));
    let summary = match (total, q.is_empty()) {
        (0, _) => lang.t("search.none").to_string(),
        (n, true) => format!("{n} {}", lang.t("search.procedures")),
        (n, false) => format!("{n} {} “{q}”", lang.t("search.results_for")),
    };
    let title = if q.is_empty() {
        lang.t("search.title").to_string()
    } else {
        format!("{} “{q}”", lang.t("search.title_for"))
    };
    let page = SearchPage {
        l: Layout::new(&ctx, title, "/thu-tuc"),
        prev: (page > 1).then(|| page_url(&q, level_code, &field, page - 1)),
        next: (page < pages).then(|| page_url(&q, level_code, &field, page + 1)),
        q,
        levels,
        fields: field_choices,
        items,
        page,
        pages,
        summary,
    };
    render(&ctx, StatusCode::OK, &page)
}

/// One channel's row: how, how long, how much.
pub struct ChannelRow {
    pub channel: &'static str,
    pub time: String,
    pub fees: Vec<String>,
    pub description: String,
}

pub struct DocumentRow {
    pub name: String,
    pub originals: u32,
    pub copies: u32,
    pub template: Option<String>,
    pub group: Option<String>,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    l: Layout,
    p: Procedure,
    levels: String,
    online: &'static str,
    can_submit: bool,
    channels: Vec<ChannelRow>,
    documents: Vec<DocumentRow>,
    /// Papers shown at the counter.
    shown: Vec<DocumentRow>,
    /// Notes on the documents.
    notes: Vec<String>,
}

fn number(v: f64, lang: Lang) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else if lang == Lang::Vi {
        format!("{v}").replace('.', ",")
    } else {
        format!("{v}")
    }
}

/// "7 ngày làm việc" / "7 working days".
pub fn time_text(t: &ProcessingTime, lang: Lang) -> String {
    let unit = match t.unit {
        TimeUnit::WorkingDays => "unit.working_days",
        TimeUnit::Days => "unit.days",
        TimeUnit::Hours => "unit.hours",
        TimeUnit::Months => "unit.months",
        TimeUnit::Years => "unit.years",
        TimeUnit::WithinDay => return lang.t("unit.within_day").to_string(),
    };
    format!("{} {}", number(t.value, lang), lang.t(unit))
}

/// Whole đồng with the thousands separator of the language.
pub fn dong(amount: i64, lang: Lang) -> String {
    let digits = amount.unsigned_abs().to_string();
    let sep = if lang == Lang::Vi { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{out} {}", lang.t("unit.dong"))
}

fn fee_text(f: &Fee, lang: Lang) -> String {
    let head = match (f.kind, f.amount_dong) {
        (FeeKind::Amount, Some(a)) => dong(a, lang),
        (FeeKind::Free, _) => lang.t("fee.free").to_string(),
        (FeeKind::CouncilDecision, _) => lang.t("fee.council").to_string(),
        _ => String::new(),
    };
    let description = f.description.trim();
    match (head.is_empty(), description.is_empty()) {
        (true, true) => lang.t("fee.unspecified").to_string(),
        (true, false) => description.to_string(),
        (false, true) => head,
        (false, false) => format!("{head} — {description}"),
    }
}

fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::Counter => "channel.counter",
        Channel::Online => "channel.online",
        Channel::Post => "channel.post",
    }
}

/// `GET /thu-tuc/{code}`: everything a citizen needs before applying.
pub async fn procedure(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let lang = ctx.lang;
    let catalog = state.catalog();
    let Some(p) = catalog.offered(code.trim()) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let channels = p
        .channels
        .iter()
        .map(|c| ChannelRow {
            channel: lang.t(channel_key(c.channel)),
            time: c
                .processing_time
                .as_ref()
                .map(|t| time_text(t, lang))
                .unwrap_or_else(|| lang.t("procedure.not_stated").to_string()),
            fees: if c.fees.is_empty() {
                vec![lang.t("fee.unspecified").to_string()]
            } else {
                c.fees.iter().map(|f| fee_text(f, lang)).collect()
            },
            description: c.description.clone(),
        })
        .collect();
    let row = |d: &RequiredDocument| DocumentRow {
        name: d.name.clone(),
        originals: d.originals,
        copies: d.copies,
        template: d.form_template.clone().filter(|t| !t.trim().is_empty()),
        group: d.group.clone().filter(|g| !g.trim().is_empty()),
    };
    let of = |kind| p.documents.iter().filter(move |d| doc_kind(d) == kind);
    let documents = of(DocKind::HandIn).map(row).collect();
    let shown = of(DocKind::Show).map(row).collect();
    let notes = of(DocKind::Note).map(|d| d.name.clone()).collect();
    let page = ProcedurePage {
        l: Layout::new(&ctx, p.name.clone(), "/thu-tuc"),
        levels: p
            .level
            .iter()
            .map(|l| lang.t(level_key(l)))
            .collect::<Vec<_>>()
            .join(", "),
        online: lang.t(online_key(p.online)),
        can_submit: submittable(p),
        channels,
        documents,
        shown,
        notes,
        p: p.clone(),
    };
    render(&ctx, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_times_read_naturally() {
        assert_eq!(dong(1_250_000, Lang::Vi), "1.250.000 đồng");
        assert_eq!(dong(50_000, Lang::En), "50,000 dong");
        assert_eq!(dong(0, Lang::Vi), "0 đồng");
        let t = ProcessingTime::new(0.5, TimeUnit::WorkingDays);
        assert_eq!(time_text(&t, Lang::Vi), "0,5 ngày làm việc");
        assert_eq!(time_text(&t, Lang::En), "0.5 working days");
    }
}
