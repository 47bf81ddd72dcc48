//! Counting dossiers into numerators and denominators, and turning them into points.

use serde::{Deserialize, Serialize};

use super::classify::DossierFacts;
use super::config::{basis_points, hundredths, IndexConfig};
use super::period::Period;

/// Every numerator and denominator the records give. Counters of disjoint sets of dossiers
/// (units, days of receipt) add up with [`merge`](IndexAccumulator::merge); the backlog B and the
/// closings F of a period are not per-day quantities, so per-day stores must classify against
/// the queried period, or keep facts, not only sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IndexAccumulator {
    /// |R|: denominator of 1.4, 3.3, 4.2, 4.3, 4.5b.
    pub received: u64,
    /// 1.4.
    pub synced: u64,
    /// 3.3.
    pub online: u64,
    /// 3.3, variant requiring an electronic result.
    pub online_with_e_result: u64,
    /// 3.6 denominator: R with fees.
    pub with_fees: u64,
    /// 3.6: R with fees, paid online.
    pub paid_online: u64,
    /// 4.2.
    pub digitised: u64,
    /// 4.3.
    pub reused_data: u64,
    /// 4.5b.
    pub identity_checked: u64,
    /// |D|: denominator of 2.1 and 5.4.
    pub handled: u64,
    /// |B| (part of D), for display.
    pub backlog: u64,
    /// 2.1.
    pub on_time: u64,
    /// 5.4: on time and neither rated "not satisfied" nor complained about.
    pub on_time_satisfied: u64,
    /// |F|: denominator of 4.1.
    pub closed_with_result: u64,
    /// 4.1.
    pub electronic_result: u64,
}

/// The indicators computed from dossier records; any other indicator needs an [`ExternalIndicator`].
pub const RECORD_INDICATORS: [&str; 9] = ["1.4", "2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "4.5b", "5.4"];

impl IndexAccumulator {
    pub fn new() -> IndexAccumulator {
        IndexAccumulator::default()
    }

    /// Counts one dossier.
    pub fn add(&mut self, f: &DossierFacts) {
        let inc = |counter: &mut u64, yes: bool| *counter = counter.saturating_add(u64::from(yes));
        if f.received_in_period {
            inc(&mut self.received, true);
            inc(&mut self.synced, f.synced);
            inc(&mut self.online, f.online);
            inc(&mut self.online_with_e_result, f.online_with_e_result);
            inc(&mut self.with_fees, f.has_fees);
            inc(&mut self.paid_online, f.has_fees && f.paid_online);
            inc(&mut self.digitised, f.digitised);
            inc(&mut self.reused_data, f.reused_data);
            inc(&mut self.identity_checked, f.identity_checked);
        }
        if f.handled() {
            inc(&mut self.handled, true);
            inc(&mut self.backlog, f.backlog && !f.received_in_period);
            inc(&mut self.on_time, f.on_time);
            inc(&mut self.on_time_satisfied, f.on_time && !f.dissatisfied);
        }
        if f.closed_with_result {
            inc(&mut self.closed_with_result, true);
            inc(&mut self.electronic_result, f.electronic_result);
        }
    }

    /// Adds the counts of another (disjoint) set of dossiers.
    pub fn merge(&mut self, other: &IndexAccumulator) {
        let pairs = [
            (&mut self.received, other.received),
            (&mut self.synced, other.synced),
            (&mut self.online, other.online),
            (&mut self.online_with_e_result, other.online_with_e_result),
            (&mut self.with_fees, other.with_fees),
            (&mut self.paid_online, other.paid_online),
            (&mut self.digitised, other.digitised),
            (&mut self.reused_data, other.reused_data),
            (&mut self.identity_checked, other.identity_checked),
            (&mut self.handled, other.handled),
            (&mut self.backlog, other.backlog),
            (&mut self.on_time, other.on_time),
            (&mut self.on_time_satisfied, other.on_time_satisfied),
            (&mut self.closed_with_result, other.closed_with_result),
            (&mut self.electronic_result, other.electronic_result),
        ];
        for (mine, theirs) in pairs {
            *mine = mine.saturating_add(theirs);
        }
    }

    /// (numerator, denominator) of a record indicator, `None` for the others.
    pub fn counts(&self, id: &str, config: &IndexConfig) -> Option<(u64, u64)> {
        Some(match id {
            "1.4" => (self.synced, self.received),
            "2.1" => (self.on_time, self.handled),
            "3.3" if config.online_requires_electronic_result => (self.online_with_e_result, self.received),
            "3.3" => (self.online, self.received),
            "3.6" => (self.paid_online, self.with_fees),
            "4.1" => (self.electronic_result, self.closed_with_result),
            "4.2" => (self.digitised, self.received),
            "4.3" => (self.reused_data, self.received),
            "4.5b" => (self.identity_checked, self.received),
            "5.4" => (self.on_time_satisfied, self.handled),
            _ => return None,
        })
    }
}

impl<'a> Extend<&'a DossierFacts> for IndexAccumulator {
    fn extend<I: IntoIterator<Item = &'a DossierFacts>>(&mut self, facts: I) {
        facts.into_iter().for_each(|f| self.add(f));
    }
}

/// Numerator and denominator of an indicator motcua does not compute from dossier records
/// (catalogue publication data, payment configuration, the feedback module). Several values with
/// the same id are summed, so per-unit values add up to the province.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalIndicator {
    pub id: String,
    pub numerator: u64,
    pub denominator: u64,
}

/// Where an indicator's numbers came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorSource {
    /// Counted from the dossiers.
    Records,
    /// Supplied by the caller.
    External,
    /// motcua holds no data for it: always N/A.
    Unavailable,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub id: String,
    /// Vietnamese name.
    pub name: String,
    pub name_en: String,
    pub numerator: u64,
    pub denominator: u64,
    /// numerator / denominator; `None` when N/A.
    pub ratio: Option<f64>,
    /// Points, 2 decimals; `None` when N/A.
    pub score: Option<f64>,
    pub max: f64,
    pub threshold: Option<f64>,
    /// Denominator 0 (or no data): shown as N/A and left out of the total and its maximum.
    pub na: bool,
    pub source: IndicatorSource,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupScore {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// Sum of the indicators' (rounded) points.
    pub score: f64,
    /// Sum of the maxima of the indicators that are not N/A.
    pub max: f64,
    /// The group's maximum in the configuration, before leaving out N/A indicators.
    pub nominal_max: f64,
    /// Every indicator of the group is N/A.
    pub na: bool,
    pub indicators: Vec<IndicatorScore>,
}

/// The QĐ 766 table of a unit and period (`GET /api/v1/index`, interfaces.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexTable {
    pub unit: String,
    pub period: Period,
    pub config_version: String,
    /// Sum of the (rounded) points of the indicators that are not N/A.
    pub total: f64,
    /// Sum of the maxima of the indicators that are not N/A (100 under QĐ 766 when none is N/A).
    pub max: f64,
    pub groups: Vec<GroupScore>,
}

/// `a / b` rounded half away from zero (all values are non-negative); `b > 0`.
fn div_round(a: u128, b: u128) -> u128 {
    (2 * a + b) / (2 * b)
}

/// Points in hundredths for `numerator / denominator` (denominator > 0).
///
/// Computed on integers (max in hundredths, threshold in basis points) so that the rounding to
/// 2 decimals is exact: e.g. 1/3 × 6 = 2.00, 1/8 × 6 = 0.75, 7/16 × 6 = 2.625 → 2.63, whereas
/// binary floating point can put a half just below or above the rounding point.
fn points(numerator: u64, denominator: u64, max: f64, threshold: Option<f64>) -> u64 {
    let (num, den) = (u128::from(numerator.min(denominator)), u128::from(denominator));
    let max = u128::from(hundredths(max));
    let scored = match threshold.map(basis_points) {
        // ratio ≥ T, compared exactly: num / den ≥ t / 10 000.
        Some(t) if num * 10_000 >= u128::from(t) * den => max,
        Some(t) => div_round(num * max * 10_000, den * u128::from(t)),
        None => div_round(num * max, den),
    };
    // scored ≤ max ≤ u64::MAX because num ≤ den (and num / den < T in the threshold branch).
    u64::try_from(scored).unwrap_or(u64::MAX)
}

fn from_hundredths(h: u64) -> f64 {
    h as f64 / 100.0
}

/// Scores `acc` (and the external values) with `config`.
///
/// Per indicator: ratio = numerator / denominator; with a threshold T the score is the maximum
/// when ratio ≥ T, else ratio × max / T; without, ratio × max. Each indicator's score is rounded
/// to 2 decimals, half away from zero, exactly (on integers); group scores and the total are
/// the sums of those rounded scores, so the table adds up as printed. An indicator with
/// denominator 0 — or one motcua holds no data for and no external value was given — is N/A and
/// left out of the total and of the maximum. A numerator above its denominator (only possible
/// in external values) is capped at the denominator. External values for record indicators are
/// ignored: the records are the truth for those.
pub fn score(
    unit: &str,
    period: Period,
    acc: &IndexAccumulator,
    config: &IndexConfig,
    external: &[ExternalIndicator],
) -> IndexTable {
    let mut total = 0u64;
    let mut total_max = 0u64;
    let mut groups = Vec::with_capacity(config.groups.len());
    for group in &config.groups {
        let mut group_score = 0u64;
        let mut group_max = 0u64;
        let mut indicators = Vec::new();
        for def in config.indicators.iter().filter(|i| i.group == group.id) {
            let (source, numerator, denominator) = match acc.counts(&def.id, config) {
                Some((n, d)) => (IndicatorSource::Records, n, d),
                None => {
                    let mut given = external.iter().filter(|e| e.id == def.id).peekable();
                    if given.peek().is_none() {
                        (IndicatorSource::Unavailable, 0, 0)
                    } else {
                        let (n, d) = given.fold((0u64, 0u64), |(n, d), e| {
                            (n.saturating_add(e.numerator), d.saturating_add(e.denominator))
                        });
                        (IndicatorSource::External, n, d)
                    }
                }
            };
            let na = denominator == 0;
            let points = (!na).then(|| points(numerator, denominator, def.max, def.threshold));
            if let Some(p) = points {
                group_score = group_score.saturating_add(p);
                group_max = group_max.saturating_add(hundredths(def.max));
            }
            indicators.push(IndicatorScore {
                id: def.id.clone(),
                name: def.name_vi.clone(),
                name_en: def.name_en.clone(),
                numerator,
                denominator,
                ratio: (!na).then(|| numerator.min(denominator) as f64 / denominator as f64),
                score: points.map(from_hundredths),
                max: def.max,
                threshold: def.threshold,
                na,
                source,
            });
        }
        total = total.saturating_add(group_score);
        total_max = total_max.saturating_add(group_max);
        groups.push(GroupScore {
            id: group.id.to_string(),
            name: group.name_vi.clone(),
            name_en: group.name_en.clone(),
            score: from_hundredths(group_score),
            max: from_hundredths(group_max),
            nominal_max: group.max,
            na: indicators.iter().all(|i| i.na),
            indicators,
        });
    }
    IndexTable {
        unit: unit.to_string(),
        period,
        config_version: config.version.clone(),
        total: from_hundredths(total),
        max: from_hundredths(total_max),
        groups,
    }
}
