//! Dossier status and channel codes as exchanged with the National Public Service Portal
//! (vietnam-rules §4).

use serde::{Deserialize, Serialize};

/// `TrangThaiHoSo`. Serialised as its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Mới đăng ký: submitted online or by post, not yet accepted.
    Submitted = 1,
    /// Được tiếp nhận.
    Accepted = 2,
    /// Không được tiếp nhận.
    Refused = 3,
    /// Đang xử lý.
    InProgress = 4,
    /// Yêu cầu bổ sung giấy tờ: the clock is stopped.
    SupplementRequested = 5,
    /// Yêu cầu thực hiện nghĩa vụ tài chính.
    FeesDue = 6,
    /// Công dân yêu cầu rút hồ sơ.
    Withdrawn = 7,
    /// Dừng xử lý.
    Stopped = 8,
    /// Đã xử lý xong: result ready.
    ResultReady = 9,
    /// Đã trả kết quả.
    Returned = 10,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Accepted,
        Status::Refused,
        Status::InProgress,
        Status::SupplementRequested,
        Status::FeesDue,
        Status::Withdrawn,
        Status::Stopped,
        Status::ResultReady,
        Status::Returned,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: i64) -> Option<Status> {
        Status::ALL.into_iter().find(|s| i64::from(s.code()) == code)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký",
            Status::Accepted => "Được tiếp nhận",
            Status::Refused => "Không được tiếp nhận",
            Status::InProgress => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Status::FeesDue => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::ResultReady => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Status::Submitted => "Submitted, awaiting acceptance",
            Status::Accepted => "Accepted",
            Status::Refused => "Refused",
            Status::InProgress => "In progress",
            Status::SupplementRequested => "Supplement requested",
            Status::FeesDue => "Fees due",
            Status::Withdrawn => "Withdrawn by the applicant",
            Status::Stopped => "Processing stopped",
            Status::ResultReady => "Result ready",
            Status::Returned => "Result returned",
        }
    }

    /// Processing has ended (`NgayKetThucXuLy` is set): refused, withdrawn, stopped or result ready/returned.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Status::Refused | Status::Withdrawn | Status::Stopped | Status::ResultReady | Status::Returned
        )
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = i64::deserialize(d)?;
        Status::from_code(code).ok_or_else(|| serde::de::Error::custom(format!("unknown dossier status {code} (1–10)")))
    }
}

/// `KenhThucHien`: how the dossier was submitted. Serialised as its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubmissionChannel {
    /// Trực tiếp, at a one-stop counter.
    Counter = 1,
    /// Trực tuyến.
    Online = 2,
    /// Bưu chính công ích.
    Post = 3,
}

impl SubmissionChannel {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: i64) -> Option<SubmissionChannel> {
        match code {
            1 => Some(SubmissionChannel::Counter),
            2 => Some(SubmissionChannel::Online),
            3 => Some(SubmissionChannel::Post),
            _ => None,
        }
    }

    /// The catalogue channel whose processing time applies.
    pub fn catalog_channel(self) -> crate::catalog::Channel {
        match self {
            SubmissionChannel::Counter => crate::catalog::Channel::Counter,
            SubmissionChannel::Online => crate::catalog::Channel::Online,
            SubmissionChannel::Post => crate::catalog::Channel::Post,
        }
    }
}

impl Serialize for SubmissionChannel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for SubmissionChannel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = i64::deserialize(d)?;
        SubmissionChannel::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown channel {code} (1 counter, 2 online, 3 post)")))
    }
}

/// How a step (or the whole dossier) ended against its deadline: Trước hạn / Đúng hạn / Quá hạn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Finished on a working day before the due day.
    Early,
    /// Finished on the due day, not after the due instant.
    OnTime,
    /// Finished after the due instant.
    Late,
}

impl Verdict {
    /// Judges a finish instant against a due instant. Days are compared in Vietnam local time
    /// whatever offset the instants carry (an import may give UTC).
    pub fn judge(
        finished: chrono::DateTime<chrono::FixedOffset>,
        due: chrono::DateTime<chrono::FixedOffset>,
    ) -> Verdict {
        let local =
            |t: chrono::DateTime<chrono::FixedOffset>| t.with_timezone(&crate::calendar::vietnam()).date_naive();
        if finished > due {
            Verdict::Late
        } else if local(finished) < local(due) {
            Verdict::Early
        } else {
            Verdict::OnTime
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Verdict::Early => "Trước hạn",
            Verdict::OnTime => "Đúng hạn",
            Verdict::Late => "Quá hạn",
        }
    }
}

/// Both codes travel as JSON integers, so their OpenAPI schema is an integer.
#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::{RefOr, Schema};

    fn integer(description: &str, max: u8) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Integer))
            .minimum(Some(1))
            .maximum(Some(max))
            .description(Some(description))
            .into()
    }

    impl utoipa::PartialSchema for super::Status {
        fn schema() -> RefOr<Schema> {
            integer("TrangThaiHoSo: 1 submitted … 10 result returned", 10)
        }
    }
    impl utoipa::ToSchema for super::Status {}

    impl utoipa::PartialSchema for super::SubmissionChannel {
        fn schema() -> RefOr<Schema> {
            integer("KenhThucHien: 1 counter, 2 online, 3 post", 3)
        }
    }
    impl utoipa::ToSchema for super::SubmissionChannel {}
}
