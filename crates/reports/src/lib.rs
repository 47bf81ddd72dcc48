//! Printed output of motcua: the TT 03/2025 forms 01–06 typeset as PDF with typst (fonts bundled
//! from `typst-assets`, no system fonts, no browser) and the register 07 (sổ theo dõi hồ sơ) as
//! an Excel workbook, and the steering-committee report as both. Takes plain data; knows nothing
//! of the database or HTTP.

mod dashboard;
mod forms;
mod register;
mod steering;
mod world;

pub use dashboard::{render_dashboard_pdf, render_dashboard_xlsx, DashCell, DashTable, DashboardDoc};
pub use forms::{qr_svg, render_pdf, time_vi, Addressee, DossierInfo, Form, HandOver, Instant, Issuer, PaperLine};
pub use register::{render_register, RegisterInfo, RegisterRow, XLSX_CONTENT_TYPE};
pub use steering::{
    directive_state_vi, num_vi, render_steering_pdf, render_steering_xlsx, status_vi, SteeringContext, STEERING_SHEETS,
};
pub use world::warm_up;

/// Why a form or register could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The data cannot be represented (e.g. a URL too long for a QR code).
    #[error("{0}")]
    Input(String),
    /// The typesetting failed: a defect of the templates, not of the data.
    #[error("typesetting failed: {0}")]
    Template(String),
    #[error("spreadsheet: {0}")]
    Spreadsheet(String),
}

#[cfg(test)]
mod tests;
