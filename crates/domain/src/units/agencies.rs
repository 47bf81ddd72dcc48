//! The demo organisation of a province after the 2025 restructuring: its People's Committee,
//! public administration service centre and departments, with QCVN 102:2016 electronic codes.
//!
//! The electronic codes here are DEMO-ASSIGNED. Real codes are issued by each province and may
//! differ (and may have been reissued after the 2025 mergers); treat them as replaceable data,
//! never as rules. Only the shape is normative.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{AdminUnit, UnitLevel};
use crate::ids::{UnitCode, UnitCodeError};

/// What kind of body an [`Agency`] is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// Trung tâm Phục vụ hành chính công: receives dossiers for the whole province.
    ServiceCentre,
    /// A specialised body of the People's Committee (Sở, Văn phòng, Thanh tra, …).
    Department,
    /// Ủy ban nhân dân.
    PeopleCommittee,
}

/// A provincial body that receives or handles dossiers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Internal code, usable as `DonViXuLy`: the electronic code as text.
    pub code: String,
    /// QCVN 102:2016 electronic code (demo-assigned).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub electronic_code: UnitCode,
    /// Vietnamese name (NFC).
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Kind of body.
    pub kind: AgencyKind,
    /// GSO code of the province it belongs to.
    pub province_code: String,
}

impl Agency {
    /// The agency as a row of the unit table (level `agency`, parent = the province).
    pub fn to_admin_unit(&self, valid_from: Option<NaiveDate>) -> AdminUnit {
        let kind = match self.kind {
            AgencyKind::ServiceCentre => "Trung tâm",
            AgencyKind::Department => "Sở",
            AgencyKind::PeopleCommittee => "Ủy ban nhân dân",
        };
        AdminUnit {
            code: self.code.clone(),
            name: self.name.clone(),
            level: UnitLevel::Agency,
            kind: kind.to_owned(),
            parent_code: Some(self.province_code.clone()),
            valid_from,
            valid_to: None,
        }
    }
}

/// `Y1Y2` of the provincial service centre: `000.00.12.H21`, the shape of the receiving unit in
/// the dossier-code example of TT 01/2018.
pub const SERVICE_CENTRE_LEVEL2: u8 = 12;

/// `(Y1Y2, Vietnamese name, English name, kind)`; demo numbering of the bodies a province has
/// after the 2025 restructuring (Sở Ngoại vụ, Sở Kế hoạch và Đầu tư, Sở Thông tin và Truyền
/// thông, … were merged away). Names say "tỉnh"; a centrally-run city would say "thành phố"
/// (not needed for the demo province).
const PROVINCIAL_BODIES: [(u8, &str, &str, AgencyKind); 16] = [
    (
        0,
        "Ủy ban nhân dân tỉnh",
        "Provincial People's Committee",
        AgencyKind::PeopleCommittee,
    ),
    (
        1,
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Office of the Provincial People's Committee",
        AgencyKind::Department,
    ),
    (2, "Sở Nội vụ", "Department of Home Affairs", AgencyKind::Department),
    (3, "Sở Tư pháp", "Department of Justice", AgencyKind::Department),
    (4, "Sở Tài chính", "Department of Finance", AgencyKind::Department),
    (
        5,
        "Sở Công Thương",
        "Department of Industry and Trade",
        AgencyKind::Department,
    ),
    (
        6,
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        AgencyKind::Department,
    ),
    (7, "Sở Xây dựng", "Department of Construction", AgencyKind::Department),
    (
        8,
        "Sở Khoa học và Công nghệ",
        "Department of Science and Technology",
        AgencyKind::Department,
    ),
    (
        9,
        "Sở Văn hóa, Thể thao và Du lịch",
        "Department of Culture, Sports and Tourism",
        AgencyKind::Department,
    ),
    (
        10,
        "Sở Giáo dục và Đào tạo",
        "Department of Education and Training",
        AgencyKind::Department,
    ),
    (11, "Sở Y tế", "Department of Health", AgencyKind::Department),
    (
        SERVICE_CENTRE_LEVEL2,
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Provincial Public Administration Service Centre",
        AgencyKind::ServiceCentre,
    ),
    (
        13,
        "Sở Dân tộc và Tôn giáo",
        "Department of Ethnic and Religious Affairs",
        AgencyKind::Department,
    ),
    (14, "Thanh tra tỉnh", "Provincial Inspectorate", AgencyKind::Department),
    (15, "Công an tỉnh", "Provincial Police", AgencyKind::Department),
];

/// The People's Committee, service centre and departments of a province, with demo electronic
/// codes `000.00.Y1Y2.{level1}` (People's Committee `000.00.00`, Văn phòng `000.00.01`, service
/// centre `000.00.12`, …). `level1` is the province's level-1 code, e.g. `"H21"`; a malformed one
/// yields an empty list (use [`try_provincial_agencies`] to get the reason).
pub fn provincial_agencies(province_code: &str, level1: &str) -> Vec<Agency> {
    try_provincial_agencies(province_code, level1).unwrap_or_default()
}

/// [`provincial_agencies`], failing on a malformed `level1`.
pub fn try_provincial_agencies(province_code: &str, level1: &str) -> Result<Vec<Agency>, UnitCodeError> {
    PROVINCIAL_BODIES
        .iter()
        .map(|&(level2, name, name_en, kind)| {
            let electronic_code = UnitCode::from_parts(0, 0, level2, level1)?;
            Ok(Agency {
                code: electronic_code.to_string(),
                electronic_code,
                name: name.to_owned(),
                name_en: name_en.to_owned(),
                kind,
                province_code: province_code.to_owned(),
            })
        })
        .collect()
}

/// First `Y1Y2` block used for communes; 00–49 are left to provincial bodies.
const COMMUNE_FIRST_LEVEL2: usize = 50;
/// Communes per `Y1Y2` block (`Z1Z2` = 01..=99; 00 would read as the block's own unit).
const COMMUNES_PER_BLOCK: usize = 99;
/// How many communes [`commune_electronic_code`] can number in one province (4,950; the largest
/// 2025 province has 165).
pub const COMMUNE_CODE_CAPACITY: usize = (100 - COMMUNE_FIRST_LEVEL2) * COMMUNES_PER_BLOCK;

/// Demo electronic code of the commune at 0-based position `index` (communes of the province
/// ordered by GSO code): `000.Z1Z2.Y1Y2.{level1}` with `Y1Y2 = 50 + index / 99` and
/// `Z1Z2 = 1 + index % 99`, so index 0 → `000.01.50.H21`, 98 → `000.99.50.H21`, 99 →
/// `000.01.51.H21`. DEMO-ASSIGNED: real commune codes are provincial data and may differ.
/// Errors for a malformed `level1` or an index of [`COMMUNE_CODE_CAPACITY`] or more.
pub fn commune_electronic_code(level1: &str, index: usize) -> Result<UnitCode, UnitCodeError> {
    let level2 = COMMUNE_FIRST_LEVEL2 + index / COMMUNES_PER_BLOCK;
    let level3 = 1 + index % COMMUNES_PER_BLOCK;
    let level2 = u8::try_from(level2).unwrap_or(u8::MAX);
    // `level3` is at most 99, so the conversion cannot fail; from_parts range-checks `level2`.
    let level3 = u8::try_from(level3).unwrap_or(u8::MAX);
    UnitCode::from_parts(0, level3, level2, level1)
}
