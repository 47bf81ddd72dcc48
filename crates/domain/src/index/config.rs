//! The indicator tree of QĐ 766 as versioned data (vietnam-rules §5): weights and thresholds are
//! set by a decision and revised on the portal, so a province corrects them by loading JSON, not by
//! waiting for a release.

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A group of indicators (`publicity`, `progress`, `online`, `payment`, `digitisation`, `satisfaction`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(pub String);

impl GroupId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for GroupId {
    fn from(id: &str) -> GroupId {
        GroupId(id.to_string())
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One scored indicator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDef {
    /// As numbered in QĐ 766 (`"2.1"`, `"4.5b"`).
    pub id: String,
    pub group: GroupId,
    pub name_vi: String,
    pub name_en: String,
    /// Points when the indicator is fully met; a multiple of 0.01.
    pub max: f64,
    /// Share (0 < T ≤ 1, e.g. `0.8` for 80 %) from which the indicator earns its full points;
    /// a multiple of 0.0001.
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// One group of the tree; `max` is the sum of its indicators' maxima.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupDef {
    pub id: GroupId,
    pub name_vi: String,
    pub name_en: String,
    pub max: f64,
}

/// A version of the index: groups in display order, indicators in display order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexConfig {
    pub version: String,
    /// First day this version applies to.
    pub effective_from: NaiveDate,
    pub groups: Vec<GroupDef>,
    pub indicators: Vec<IndicatorDef>,
    /// Variant of 3.3 the portal reportedly applies (vietnam-rules §5): an online dossier counts
    /// only if, when it has a result (status 9/10), the result is electronic.
    #[serde(default)]
    pub online_requires_electronic_result: bool,
}

/// What is wrong with a configuration.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid index configuration JSON: {0}")]
    Json(String),
    #[error("group {0} is defined twice")]
    DuplicateGroup(String),
    #[error("indicator {0} is defined twice")]
    DuplicateIndicator(String),
    #[error("indicator {indicator} names the unknown group {group}")]
    UnknownGroup { indicator: String, group: String },
    #[error("{what}: max {max} must be a non-negative multiple of 0.01")]
    BadMax { what: String, max: f64 },
    #[error("indicator {indicator}: threshold {threshold} must lie in (0, 1] with at most 4 decimals")]
    BadThreshold { indicator: String, threshold: f64 },
    #[error("group {group}: max {max} differs from the sum of its indicators' maxima {sum}")]
    GroupMaxMismatch { group: String, max: f64, sum: f64 },
}

/// `max` in hundredths of a point, `threshold` in basis points: scores are computed on these
/// integers so that rounding is exact (see `score`).
pub(crate) fn hundredths(points: f64) -> u64 {
    // `as` saturates: negative or NaN values become 0, which `validate` reports beforehand.
    (points * 100.0).round() as u64
}

pub(crate) fn basis_points(share: f64) -> u64 {
    (share * 10_000.0).round() as u64
}

fn is_multiple(value: f64, scale: f64) -> bool {
    value.is_finite() && ((value * scale).round() - value * scale).abs() < 1e-6
}

impl IndexConfig {
    /// QĐ 766/QĐ-TTg (23-06-2022), computed on the national portal from 01-08-2022, with the
    /// indicators and thresholds of vietnam-rules §5. 2.2 (average processing time) is shown
    /// by the portal but not scored, so it is not part of the tree.
    pub fn qd766_2022() -> IndexConfig {
        let group = |id: &str, name_vi: &str, name_en: &str, max: f64| GroupDef {
            id: GroupId::from(id),
            name_vi: name_vi.to_string(),
            name_en: name_en.to_string(),
            max,
        };
        let ind =
            |id: &str, group: &str, name_vi: &str, name_en: &str, max: f64, threshold: Option<f64>| IndicatorDef {
                id: id.to_string(),
                group: GroupId::from(group),
                name_vi: name_vi.to_string(),
                name_en: name_en.to_string(),
                max,
                threshold,
            };
        IndexConfig {
            version: "qd766-2022".to_string(),
            effective_from: NaiveDate::from_ymd_opt(2022, 8, 1).unwrap_or_default(),
            groups: vec![
                group("publicity", "Công khai, minh bạch", "Publicity and transparency", 18.0),
                group(
                    "progress",
                    "Tiến độ, kết quả giải quyết",
                    "Progress and results of handling",
                    20.0,
                ),
                group("online", "Dịch vụ trực tuyến", "Online services", 12.0),
                group("payment", "Thanh toán trực tuyến", "Online payment", 10.0),
                group("digitisation", "Số hóa hồ sơ", "Digitisation of dossiers", 22.0),
                group("satisfaction", "Mức độ hài lòng", "Satisfaction", 18.0),
            ],
            indicators: vec![
                ind(
                    "1.1",
                    "publicity",
                    "Công bố thủ tục hành chính đúng hạn",
                    "Procedures published on time",
                    6.0,
                    None,
                ),
                ind(
                    "1.2",
                    "publicity",
                    "Cập nhật, công khai thủ tục hành chính đúng hạn",
                    "Procedures updated and made public on time",
                    4.0,
                    None,
                ),
                ind(
                    "1.3",
                    "publicity",
                    "Công khai đầy đủ 7 bộ phận của thủ tục hành chính",
                    "Procedures public with all 7 components",
                    2.0,
                    None,
                ),
                ind(
                    "1.4",
                    "publicity",
                    "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia",
                    "Dossiers synchronised to the national portal",
                    6.0,
                    None,
                ),
                ind(
                    "2.1",
                    "progress",
                    "Hồ sơ giải quyết trước hạn, đúng hạn",
                    "Dossiers handled early or on time",
                    20.0,
                    None,
                ),
                ind("3.3", "online", "Hồ sơ trực tuyến", "Online dossiers", 12.0, Some(0.5)),
                ind(
                    "3.5",
                    "payment",
                    "Thủ tục có phí, lệ phí cung cấp thanh toán trực tuyến",
                    "Fee-bearing procedures offering online payment",
                    2.0,
                    Some(0.8),
                ),
                ind(
                    "3.5b",
                    "payment",
                    "Thủ tục có phí, lệ phí phát sinh thanh toán trực tuyến",
                    "Fee-bearing procedures with an actual online payment",
                    2.0,
                    Some(0.8),
                ),
                ind(
                    "3.6",
                    "payment",
                    "Hồ sơ thanh toán trực tuyến",
                    "Dossiers paid online",
                    6.0,
                    None,
                ),
                ind(
                    "4.1",
                    "digitisation",
                    "Hồ sơ có kết quả điện tử",
                    "Dossiers with an electronic result",
                    6.0,
                    None,
                ),
                ind(
                    "4.2",
                    "digitisation",
                    "Hồ sơ có thành phần được số hóa",
                    "Dossiers with digitised components",
                    4.0,
                    Some(0.8),
                ),
                ind(
                    "4.2b",
                    "digitisation",
                    "Cấp bản sao điện tử có chứng thực",
                    "Electronic certified copies",
                    2.0,
                    None,
                ),
                ind(
                    "4.3",
                    "digitisation",
                    "Tái sử dụng dữ liệu số hóa",
                    "Reuse of digitised data",
                    2.0,
                    Some(0.8),
                ),
                ind(
                    "4.4",
                    "digitisation",
                    "Kết nối kho dữ liệu cá nhân của công dân",
                    "Linked to the citizen's personal data store",
                    4.0,
                    None,
                ),
                ind(
                    "4.5a",
                    "digitisation",
                    "Thủ tục kết nối Cơ sở dữ liệu quốc gia về dân cư",
                    "Procedures connected to the population database",
                    2.0,
                    None,
                ),
                ind(
                    "4.5b",
                    "digitisation",
                    "Hồ sơ sử dụng dữ liệu dân cư hoặc tài khoản định danh điện tử VNeID",
                    "Dossiers using population data or a VNeID-verified account",
                    2.0,
                    None,
                ),
                ind(
                    "5.2",
                    "satisfaction",
                    "Phản ánh, kiến nghị được xử lý đúng hạn",
                    "Feedback handled on time",
                    6.0,
                    None,
                ),
                ind(
                    "5.3",
                    "satisfaction",
                    "Mức độ hài lòng về xử lý phản ánh, kiến nghị",
                    "Satisfaction with feedback handling",
                    6.0,
                    None,
                ),
                ind(
                    "5.4",
                    "satisfaction",
                    "Mức độ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
                    "Satisfaction with receipt and handling",
                    6.0,
                    Some(0.9),
                ),
            ],
            online_requires_electronic_result: false,
        }
    }

    /// Parses and validates a configuration.
    pub fn from_json(text: &str) -> Result<IndexConfig, Vec<ConfigError>> {
        let config: IndexConfig = serde_json::from_str(text).map_err(|e| vec![ConfigError::Json(e.to_string())])?;
        config.validate()?;
        Ok(config)
    }

    /// Every problem of the configuration. Scoring never panics on an invalid one, but its
    /// results are then meaningless, so load configurations through this check.
    pub fn validate(&self) -> Result<(), Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut groups = HashSet::new();
        for g in &self.groups {
            if !groups.insert(g.id.as_str()) {
                errors.push(ConfigError::DuplicateGroup(g.id.to_string()));
            }
            if g.max < 0.0 || !is_multiple(g.max, 100.0) {
                errors.push(ConfigError::BadMax {
                    what: format!("group {}", g.id),
                    max: g.max,
                });
            }
        }
        let mut indicators = HashSet::new();
        for i in &self.indicators {
            if !indicators.insert(i.id.as_str()) {
                errors.push(ConfigError::DuplicateIndicator(i.id.clone()));
            }
            if !groups.contains(i.group.as_str()) {
                errors.push(ConfigError::UnknownGroup {
                    indicator: i.id.clone(),
                    group: i.group.to_string(),
                });
            }
            if i.max < 0.0 || !is_multiple(i.max, 100.0) {
                errors.push(ConfigError::BadMax {
                    what: format!("indicator {}", i.id),
                    max: i.max,
                });
            }
            if let Some(t) = i.threshold {
                if t <= 0.0 || t > 1.0 || !is_multiple(t, 10_000.0) {
                    errors.push(ConfigError::BadThreshold {
                        indicator: i.id.clone(),
                        threshold: t,
                    });
                }
            }
        }
        for g in &self.groups {
            let sum: u64 = self
                .indicators
                .iter()
                .filter(|i| i.group == g.id)
                .map(|i| hundredths(i.max))
                .sum();
            if sum != hundredths(g.max) {
                errors.push(ConfigError::GroupMaxMismatch {
                    group: g.id.to_string(),
                    max: g.max,
                    sum: sum as f64 / 100.0,
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The version in force on `date`: the one with the latest `effective_from` not after it.
    pub fn in_force(configs: &[IndexConfig], date: NaiveDate) -> Option<&IndexConfig> {
        configs
            .iter()
            .filter(|c| c.effective_from <= date)
            .max_by_key(|c| c.effective_from)
    }

    pub fn indicator(&self, id: &str) -> Option<&IndicatorDef> {
        self.indicators.iter().find(|i| i.id == id)
    }
}
