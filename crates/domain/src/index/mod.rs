//! The national service-quality index (QĐ 766/QĐ-TTg), as a pure computation over exchange
//! records (issue #7, vietnam-rules §5).
//!
//! [`classify`] reads one dossier's facts for a period, an [`IndexAccumulator`] counts them into
//! numerators and denominators, and [`score`] turns those into the table of `GET /api/v1/index`
//! under a versioned [`IndexConfig`].

mod classify;
mod config;
mod fact;
mod period;
mod score;

pub use classify::{classify, classify_with_legal_due, DossierFacts};
pub use config::{ConfigError, GroupDef, GroupId, IndexConfig, IndicatorDef};
pub use fact::{accumulate, flag, nanos, period_nanos, IndexFact, Row, NO_DUE, OPEN};
pub use period::{Period, PeriodError};
pub use score::{
    score, ExternalIndicator, GroupScore, IndexAccumulator, IndexTable, IndicatorScore, IndicatorSource,
    RECORD_INDICATORS,
};

#[cfg(test)]
mod tests;
