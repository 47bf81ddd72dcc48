//! How much of what the source text states the parsers recovered.

use std::fmt;

use serde::Serialize;

use super::{channels, documents, FeeKind, Procedure};

/// Coverage of one parsed aspect.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FieldCoverage {
    /// Procedures whose text states this aspect.
    pub stated: usize,
    /// Of those, procedures for which the parser recovered it.
    pub parsed: usize,
    /// `parsed / stated` in percent (100 when nothing is stated).
    pub percent: f64,
    /// Codes that stated it but did not parse.
    pub unparsed_codes: Vec<String>,
}

impl FieldCoverage {
    fn add(&mut self, code: &str, stated: bool, parsed: bool) {
        if stated {
            self.stated += 1;
            if parsed {
                self.parsed += 1;
            } else {
                self.unparsed_codes.push(code.to_string());
            }
        }
    }

    fn finish(&mut self) {
        self.percent = if self.stated == 0 {
            100.0
        } else {
            100.0 * self.parsed as f64 / self.stated as f64
        };
    }
}

/// Parse coverage of a catalogue.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CoverageReport {
    pub procedures: usize,
    pub processing_time: FieldCoverage,
    pub fee: FieldCoverage,
    pub documents: FieldCoverage,
    /// Procedures with at least one time given as a bare number (unit assumed: working days).
    pub time_unit_assumed: usize,
}

/// Computes coverage from the parsed procedures and the raw texts they keep.
///
/// A procedure *states* a processing time when a time cell of its channel table holds a
/// value (not "Không có thông tin" / "Không quy định"), or its channel descriptions mention
/// a duration; a fee when a fee cell is "Miễn phí" or an amount, or the note says the
/// council sets it; documents when `thanh_phan_ho_so` has content beyond the table header.
pub fn coverage(procs: &[Procedure]) -> CoverageReport {
    let mut r = CoverageReport {
        procedures: procs.len(),
        ..Default::default()
    };
    for p in procs {
        let (_, facts) = channels::parse_channels(&p.raw.channels);
        let time_stated = facts.iter().any(|f| f.time_stated)
            || p.channels.iter().any(|c| channels::mentions_duration(&c.description));
        let time_parsed = p.channels.iter().any(|c| c.processing_time.is_some());
        r.processing_time.add(&p.code, time_stated, time_parsed);
        let fee_stated = facts.iter().any(|f| f.fee_stated);
        let fee_parsed = p
            .channels
            .iter()
            .flat_map(|c| &c.fees)
            .any(|f| f.kind != FeeKind::Unspecified);
        r.fee.add(&p.code, fee_stated, fee_parsed);
        r.documents.add(
            &p.code,
            documents::states_documents(&p.raw.documents),
            !p.documents.is_empty(),
        );
        if p.channels
            .iter()
            .any(|c| c.processing_time.as_ref().is_some_and(|t| t.unit_assumed))
        {
            r.time_unit_assumed += 1;
        }
    }
    r.processing_time.finish();
    r.fee.finish();
    r.documents.finish();
    r
}

impl fmt::Display for CoverageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Catalogue parse coverage over {} procedures", self.procedures)?;
        for (label, c) in [
            ("processing time", &self.processing_time),
            ("fee", &self.fee),
            ("documents", &self.documents),
        ] {
            writeln!(
                f,
                "  {label:<16} {:>5} / {:<5} stated parsed ({:.1} %)",
                c.parsed, c.stated, c.percent
            )?;
            if !c.unparsed_codes.is_empty() {
                let shown: Vec<&str> = c.unparsed_codes.iter().take(20).map(String::as_str).collect();
                let more = c.unparsed_codes.len().saturating_sub(shown.len());
                write!(f, "    not parsed: {}", shown.join(", "))?;
                if more > 0 {
                    write!(f, " … and {more} more")?;
                }
                writeln!(f)?;
            }
        }
        writeln!(
            f,
            "  processing time given as a bare number (working days assumed): {} procedures",
            self.time_unit_assumed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse_catalog_jsonl;
    use crate::catalog::tests::fixtures;

    #[test]
    fn fixture_coverage() {
        let report = coverage(&fixtures());
        println!("{report}");
        assert_eq!(report.procedures, 32);
        // The fixture deliberately includes hard cases (time only in prose, per-case times).
        assert!(report.processing_time.percent >= 85.0, "{report}");
        assert!(report.fee.percent >= 95.0, "{report}");
        assert!(report.documents.percent >= 95.0, "{report}");
    }

    /// Reads the full project data file through the system `gzip` (the crate has no gzip
    /// dependency); skipped when `gzip` or the file is unavailable.
    #[test]
    fn full_catalogue_coverage() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/catalog/procedures.jsonl.gz");
        let out = match std::process::Command::new("gzip").arg("-dc").arg(path).output() {
            Ok(o) if o.status.success() => o,
            _ => {
                println!("gzip or {path} unavailable; skipping");
                return;
            }
        };
        let text = String::from_utf8(out.stdout).unwrap();
        let (procs, errors) = parse_catalog_jsonl(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(procs.len(), 2642);
        let report = coverage(&procs);
        println!("{report}");
        let online = |l| procs.iter().filter(|p| p.online == l).count();
        println!(
            "  online levels: full {} partial {} none {}",
            online(crate::catalog::OnlineLevel::Full),
            online(crate::catalog::OnlineLevel::Partial),
            online(crate::catalog::OnlineLevel::None)
        );
        let legal = procs.iter().filter(|p| !p.legal_basis.is_empty()).count();
        let legal_stated = procs
            .iter()
            .filter(|p| p.raw.legal_basis.starts_with("Tên văn bản"))
            .count();
        println!("  legal basis: {legal} / {legal_stated} tables parsed into entries");
        assert!(report.processing_time.percent >= 95.0, "{report}");
        assert!(report.fee.percent >= 95.0, "{report}");
        assert!(report.documents.percent >= 95.0, "{report}");
    }
}
