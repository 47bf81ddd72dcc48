//! Roles of accounts. Every action checks role together with unit and state.

use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    CounterOfficer,
    Specialist,
    Leader,
    UnitAdmin,
    ProvinceAdmin,
    LeadershipViewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::CounterOfficer => "counter_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::UnitAdmin => "unit_admin",
            Role::ProvinceAdmin => "province_admin",
            Role::LeadershipViewer => "leadership_viewer",
        }
    }

    /// Officers work for an organisation; citizens act for themselves.
    pub fn is_officer(self) -> bool {
        !matches!(self, Role::Citizen)
    }

    /// Vietnamese name, for pages and documents.
    pub fn name_vi(self) -> &'static str {
        match self {
            Role::Citizen => "Công dân",
            Role::CounterOfficer => "Cán bộ một cửa",
            Role::Specialist => "Chuyên viên",
            Role::Leader => "Lãnh đạo",
            Role::UnitAdmin => "Quản trị đơn vị",
            Role::ProvinceAdmin => "Quản trị tỉnh",
            Role::LeadershipViewer => "Lãnh đạo theo dõi",
        }
    }
}
