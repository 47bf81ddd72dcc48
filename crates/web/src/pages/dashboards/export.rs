//! Excel and PDF exports of every dashboard view (`?xuat=xlsx` or `?xuat=pdf` on the view's own
//! URL, same period, unit and language). The exports are built from the very rows the page
//! renders: each number travels as the page's text (printed in the PDF) and its raw value (stored
//! in the workbook), so the figures cannot differ. They hold dossier codes and procedures, never
//! personal data.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_reports::{DashCell, DashTable, DashboardDoc};

use super::period::{DashQuery, Picked};
use super::views::{CauseRow, GroupRow, IndRow, LostRow, MonthRow, RankRow, D06};
use crate::pages::{error_page, Lang};

/// The file format asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    Xlsx,
    Pdf,
}

impl Export {
    /// `None` for the page itself; `Err` for an unknown format.
    #[allow(clippy::result_unit_err)]
    pub fn of(q: &DashQuery) -> Result<Option<Export>, ()> {
        match q.xuat.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("xlsx") => Ok(Some(Export::Xlsx)),
            Some("pdf") => Ok(Some(Export::Pdf)),
            Some(_) => Err(()),
        }
    }
}

/// The view's URL for an export, without the format: `path?query&lang=..&xuat=` (the template
/// appends `xlsx` or `pdf`).
pub fn export_base(path: &str, query: &str, lang: Lang) -> String {
    format!("{path}?{query}&lang={}&xuat=", lang.code())
}

/// Who made the export and what it holds, as the workbook's first sheet and the PDF's heading.
pub struct Heading {
    pub title: String,
    pub scope: String,
    pub period: Picked,
    pub notes: Vec<String>,
    pub exported_at: chrono::DateTime<chrono::FixedOffset>,
}

fn doc(h: Heading, lang: Lang, tables: Vec<DashTable>) -> DashboardDoc {
    let mut info = vec![
        (lang.t("dh.scope").to_string(), h.scope),
        (
            lang.t("dh.period").to_string(),
            format!(
                "{} – {}",
                h.period.from.format("%d/%m/%Y"),
                h.period.to.format("%d/%m/%Y")
            ),
        ),
        (
            lang.t("dh.export.at").to_string(),
            crate::pages::datetime(&h.exported_at),
        ),
    ];
    for n in h.notes {
        info.push((lang.t("dh.export.note").to_string(), n));
    }
    info.push((
        lang.t("dh.export.note").to_string(),
        lang.t("dh.export.privacy").to_string(),
    ));
    DashboardDoc {
        title: h.title,
        info,
        tables,
        today: h.exported_at.date_naive(),
        page_label: lang.t("dh.page").to_string(),
        info_sheet: lang.t("dh.export.info").to_string(),
    }
}

fn text(s: impl Into<String>) -> DashCell {
    DashCell::Text(s.into())
}

fn number(value: Option<f64>, shown: &str) -> DashCell {
    DashCell::Number {
        value,
        shown: shown.to_string(),
    }
}

fn ratio(value: Option<f64>, shown: &str) -> DashCell {
    DashCell::Ratio {
        value,
        shown: shown.to_string(),
    }
}

fn columns(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| lang.t(k).to_string()).collect()
}

fn table(title: String, sheet: &str, columns: Vec<String>, wide: usize, rows: Vec<Vec<DashCell>>) -> DashTable {
    DashTable {
        title,
        sheet: sheet.to_string(),
        columns,
        wide,
        rows,
    }
}

/// The overview of the province or of one unit.
pub struct OverviewData<'a> {
    pub groups: &'a [GroupRow],
    pub indicators: &'a [IndRow],
    pub trend_year: i32,
    pub trend: &'a [MonthRow],
    pub d06: &'a D06,
}

pub fn overview_doc(h: Heading, lang: Lang, d: OverviewData) -> DashboardDoc {
    let groups = d
        .groups
        .iter()
        .map(|g| {
            vec![
                text(&g.name),
                number(g.score_value, &g.score),
                number(Some(g.max_value), &g.max),
                ratio(g.share, &g.percent),
            ]
        })
        .collect();
    let indicators = d
        .indicators
        .iter()
        .map(|i| {
            vec![
                text(&i.id),
                text(&i.name),
                DashCell::Integer(i.numerator),
                DashCell::Integer(i.denominator),
                ratio(i.ratio_value, &i.ratio),
                number(i.score_value, &i.score),
                number(Some(i.max_value), &i.max),
            ]
        })
        .collect();
    let trend = d
        .trend
        .iter()
        .map(|m| {
            vec![
                text(&m.label),
                number(m.share.map(|_| m.total_value), &m.total),
                number(Some(m.max_value), &m.max),
                ratio(m.share, &m.percent),
            ]
        })
        .collect();
    let d06 = d.d06;
    let kpis = vec![
        vec![
            text(lang.t("dh.d06.population")),
            DashCell::Integer(d06.population),
            DashCell::Integer(d06.received),
            ratio(d06.share(d06.population), &d06.population_share),
        ],
        vec![
            text(lang.t("dh.d06.vneid")),
            DashCell::Integer(d06.vneid),
            DashCell::Integer(d06.received),
            ratio(d06.share(d06.vneid), &d06.vneid_share),
        ],
    ];
    let zero = d06
        .zero_units
        .iter()
        .map(|(code, name)| vec![text(code), text(name)])
        .collect();
    let tables = vec![
        table(
            lang.t("dh.groups").to_string(),
            lang.t("dh.groups"),
            columns(lang, &["dh.col.group", "dh.col.score", "dh.col.max", "dh.col.percent"]),
            0,
            groups,
        ),
        table(
            lang.t("dh.indicators").to_string(),
            lang.t("dh.indicators"),
            columns(
                lang,
                &[
                    "dh.col.id",
                    "dh.col.indicator",
                    "dh.col.numerator",
                    "dh.col.denominator",
                    "dh.col.ratio",
                    "dh.col.score",
                    "dh.col.max",
                ],
            ),
            1,
            indicators,
        ),
        table(
            format!("{} {}", lang.t("dh.trend"), d.trend_year),
            lang.t("dh.trend"),
            columns(lang, &["dh.col.month", "dh.total", "dh.col.max", "dh.col.percent"]),
            0,
            trend,
        ),
        table(
            lang.t("dh.d06").to_string(),
            lang.t("dh.d06"),
            columns(
                lang,
                &["dh.col.kpi", "dh.col.count", "dh.col.received_count", "dh.col.share"],
            ),
            0,
            kpis,
        ),
        table(
            lang.t("dh.d06.zero").to_string(),
            lang.t("dh.export.sheet.zero"),
            columns(lang, &["dh.col.id", "dh.col.unit"]),
            1,
            zero,
        ),
    ];
    doc(h, lang, tables)
}

pub fn ranking_doc(h: Heading, lang: Lang, rows: &[RankRow]) -> DashboardDoc {
    let title = h.title.clone();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                DashCell::Integer(r.rank as u64),
                text(&r.code),
                text(&r.name),
                number(r.total_value, &r.total),
                number(Some(r.max_value), &r.max),
                ratio(r.share, &r.percent),
            ]
        })
        .collect();
    let columns = columns(
        lang,
        &[
            "dh.col.rank",
            "dh.col.id",
            "dh.col.unit",
            "dh.total",
            "dh.col.max",
            "dh.col.percent",
        ],
    );
    let tables = vec![table(title, lang.t("dh.ranking"), columns, 2, rows)];
    doc(h, lang, tables)
}

/// The dossiers that cost points on one indicator, every one of them (not one page), and for 2.1
/// the summary by the step that caused the lateness.
pub fn indicator_doc(h: Heading, lang: Lang, id: &str, rows: &[LostRow], causes: &[CauseRow]) -> DashboardDoc {
    let late = id == "2.1";
    let mut keys = vec![
        "dh.col.code",
        "dh.col.procedure_code",
        "dh.col.procedure",
        "dh.col.received",
    ];
    if late {
        keys.extend([
            "dh.col.due",
            "dh.col.closed",
            "dh.col.lateness",
            "dh.col.cause",
            "dh.col.cause_unit",
            "dh.col.step_overrun",
        ]);
    }
    if id == "3.3" {
        keys.push("dh.col.online_level");
    }
    let lost = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                text(&r.code),
                text(&r.procedure_code),
                text(&r.procedure),
                text(&r.received),
            ];
            if late {
                cells.extend([
                    text(&r.due),
                    text(&r.closed),
                    text(&r.lateness),
                    text(&r.cause),
                    text(&r.cause_unit),
                    text(&r.step_overrun),
                ]);
            }
            if id == "3.3" {
                cells.push(text(r.online));
            }
            cells
        })
        .collect();
    let mut tables = vec![table(
        format!("{} – {id}", lang.t("dh.lost")),
        lang.t("dh.lost"),
        columns(lang, &keys),
        2,
        lost,
    )];
    if late {
        let rows = causes
            .iter()
            .map(|c| {
                vec![
                    text(&c.name),
                    text(&c.unit_code),
                    text(&c.unit_name),
                    DashCell::Integer(c.dossiers),
                    text(&c.overrun),
                ]
            })
            .collect();
        tables.push(table(
            lang.t("dh.causes").to_string(),
            lang.t("dh.export.sheet.causes"),
            columns(
                lang,
                &[
                    "dh.col.step",
                    "dh.col.id",
                    "dh.col.cause_unit",
                    "dh.col.count",
                    "dh.col.overrun_total",
                ],
            ),
            0,
            rows,
        ));
    }
    doc(h, lang, tables)
}

/// The export as a download: typeset off the async workers (a PDF takes a while).
pub async fn respond(doc: DashboardDoc, export: Export, stem: &str, lang: Lang) -> Response {
    let made = tokio::task::spawn_blocking(move || match export {
        Export::Xlsx => motcua_reports::render_dashboard_xlsx(&doc),
        Export::Pdf => motcua_reports::render_dashboard_pdf(&doc),
    })
    .await;
    let bytes = match made {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into())),
    };
    let (content_type, ext) = match export {
        Export::Xlsx => (motcua_reports::XLSX_CONTENT_TYPE, "xlsx"),
        Export::Pdf => ("application/pdf", "pdf"),
    };
    // The stem is built from codes, dates and ASCII words only.
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe}.{ext}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_parsed_strictly() {
        let q = |x: &str| DashQuery {
            xuat: Some(x.into()),
            ..DashQuery::default()
        };
        assert_eq!(Export::of(&DashQuery::default()), Ok(None));
        assert_eq!(Export::of(&q("xlsx")), Ok(Some(Export::Xlsx)));
        assert_eq!(Export::of(&q("pdf")), Ok(Some(Export::Pdf)));
        assert_eq!(Export::of(&q("")), Ok(None));
        assert!(Export::of(&q("csv")).is_err());
        assert_eq!(
            export_base("/dieu-hanh", "ky=nam&nam=2025", Lang::En),
            "/dieu-hanh?ky=nam&nam=2025&lang=en&xuat="
        );
    }
}
