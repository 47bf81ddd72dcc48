//! Hand-computed examples of each definition (issue #7) and properties of the aggregation.

use chrono::{DateTime, Duration, NaiveDate};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::*;
use crate::dossier::exchange::ExchangeRecord;
use crate::dossier::Instant;

fn t(local: &str) -> Instant {
    DateTime::parse_from_rfc3339(&format!("{local}:00+07:00")).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn october() -> Period {
    Period::month(2025, 10).unwrap()
}

/// A valid record: counter channel, in progress, received 2025-10-13 09:20, due 10-16 17:00,
/// with `fields` overriding (a `null` removes the field).
fn record(fields: Value) -> ExchangeRecord {
    let mut base = json!({
        "MaHoSo": "000.00.12.H21-251013-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575",
        "KenhThucHien": 1, "NgayNopHoSo": "2025-10-13T09:15:00+07:00",
        "NgayTiepNhan": "2025-10-13T09:20:00+07:00", "NgayHenTra": "2025-10-16T17:00:00+07:00",
        "TrangThaiHoSo": 4, "LichSu": [],
    });
    let object: &mut Map<String, Value> = base.as_object_mut().unwrap();
    for (key, value) in fields.as_object().unwrap() {
        if value.is_null() {
            object.remove(key);
        } else {
            object.insert(key.clone(), value.clone());
        }
    }
    serde_json::from_value(base).unwrap()
}

/// `LichSu` from (status, local time) pairs.
fn history(entries: &[(u8, &str)]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|(s, at)| json!({"TrangThaiHoSo": s, "ThoiGian": format!("{at}:00+07:00")}))
            .collect(),
    )
}

fn facts(r: &ExchangeRecord) -> DossierFacts {
    classify(r, &october()).expect("the dossier counts in the period")
}

// --- Period -------------------------------------------------------------------------------------

#[test]
fn period_is_whole_local_days_half_open() {
    let p = october();
    assert_eq!(p.from, date(2025, 10, 1));
    assert_eq!(p.to, date(2025, 10, 31));
    assert_eq!(p.start(), t("2025-10-01T00:00"));
    assert_eq!(p.end(), t("2025-11-01T00:00"));
    assert!(p.contains(t("2025-10-31T23:59")));
    assert!(!p.contains(p.end()));
    // Times with another offset compare as instants: 2025-09-30T17:00Z is 10-01 00:00 in Vietnam.
    assert!(p.contains(DateTime::parse_from_rfc3339("2025-09-30T17:00:00Z").unwrap()));
    assert!(!p.contains(DateTime::parse_from_rfc3339("2025-09-30T16:59:59Z").unwrap()));
    assert_eq!(p.days(), 31);
    assert_eq!(p.each_day().count(), 31);
}

#[test]
fn period_constructors() {
    assert_eq!(Period::month(2024, 2).unwrap().to, date(2024, 2, 29));
    assert_eq!(Period::month(2025, 12).unwrap().to, date(2025, 12, 31));
    let q = Period::quarter(2025, 4).unwrap();
    assert_eq!((q.from, q.to), (date(2025, 10, 1), date(2025, 12, 31)));
    assert!(Period::quarter(2025, 5).is_err());
    assert!(Period::month(2025, 13).is_err());
    assert_eq!(Period::year(2025).unwrap().days(), 365);
    assert!(Period::new(date(2025, 2, 1), date(2025, 1, 1)).is_err());
    assert_eq!(Period::day(date(2025, 1, 1)).end(), t("2025-01-02T00:00"));
}

// --- Configuration ------------------------------------------------------------------------------

#[test]
fn qd766_config_is_valid_and_sums_to_100() {
    let c = IndexConfig::qd766_2022();
    assert_eq!(c.validate(), Ok(()));
    assert_eq!(c.groups.iter().map(|g| g.max).sum::<f64>(), 100.0);
    assert_eq!(c.indicators.iter().map(|i| i.max).sum::<f64>(), 100.0);
    let group = |id: &str| c.groups.iter().find(|g| g.id.as_str() == id).unwrap().max;
    assert_eq!(
        [
            group("publicity"),
            group("progress"),
            group("online"),
            group("payment"),
            group("digitisation"),
            group("satisfaction")
        ],
        [18.0, 20.0, 12.0, 10.0, 22.0, 18.0]
    );
    let threshold = |id: &str| c.indicator(id).unwrap().threshold;
    assert_eq!(threshold("3.3"), Some(0.5));
    assert_eq!(threshold("4.2"), Some(0.8));
    assert_eq!(threshold("4.3"), Some(0.8));
    assert_eq!(threshold("5.4"), Some(0.9));
    assert_eq!(threshold("2.1"), None);
    // Every record indicator is in the tree.
    for id in RECORD_INDICATORS {
        assert!(c.indicator(id).is_some(), "{id}");
    }
}

#[test]
fn config_round_trips_through_json_and_rejects_mistakes() {
    let c = IndexConfig::qd766_2022();
    let text = serde_json::to_string(&c).unwrap();
    assert_eq!(IndexConfig::from_json(&text).unwrap(), c);

    let mut bad = c.clone();
    bad.indicators[0].group = GroupId::from("nowhere");
    bad.indicators[5].threshold = Some(50.0); // a percentage instead of a share
    bad.indicators.push(bad.indicators[1].clone());
    let errors = bad.validate().unwrap_err();
    assert!(errors.iter().any(|e| matches!(e, ConfigError::UnknownGroup { .. })));
    assert!(errors.iter().any(|e| matches!(e, ConfigError::BadThreshold { .. })));
    assert!(errors.iter().any(|e| matches!(e, ConfigError::DuplicateIndicator(_))));
    assert!(errors.iter().any(|e| matches!(e, ConfigError::GroupMaxMismatch { .. })));
    assert!(matches!(
        IndexConfig::from_json("{").unwrap_err()[0],
        ConfigError::Json(_)
    ));
}

#[test]
fn the_version_in_force_is_picked_by_date() {
    let old = IndexConfig::qd766_2022();
    let mut new = old.clone();
    new.version = "revised".into();
    new.effective_from = date(2025, 7, 1);
    let all = [new, old];
    assert_eq!(
        IndexConfig::in_force(&all, date(2025, 6, 30)).unwrap().version,
        "qd766-2022"
    );
    assert_eq!(
        IndexConfig::in_force(&all, date(2025, 7, 1)).unwrap().version,
        "revised"
    );
    assert!(IndexConfig::in_force(&all, date(2022, 7, 31)).is_none());
}

// --- Classification -----------------------------------------------------------------------------

#[test]
fn received_and_closed_in_the_period_with_a_result() {
    let r = record(json!({
        "TrangThaiHoSo": 10, "NgayKetThucXuLy": "2025-10-16T10:00:00+07:00", "NgayTra": "2025-10-16T15:00:00+07:00",
        "KetQuaDienTu": 1,
    }));
    let f = facts(&r);
    assert!(f.received_in_period && !f.backlog && f.handled());
    assert!(f.closed_with_result && f.electronic_result);
    assert_eq!(f.reckoned_at, t("2025-10-16T10:00"));
    assert!(f.on_time);
    assert_eq!(f.overrun(), None);
}

#[test]
fn supplement_pause_is_subtracted() {
    // Received 10-01 08:00, due 10-06 17:00. Waiting for papers 10-02 08:00 → 10-05 08:00 (3 days).
    // Finished 10-08 10:00: 10-08 10:00 − 3 days = 10-05 10:00 ≤ 10-06 17:00 → on time.
    let r = record(json!({
        "NgayNopHoSo": "2025-10-01T08:00:00+07:00", "NgayTiepNhan": "2025-10-01T08:00:00+07:00",
        "NgayHenTra": "2025-10-06T17:00:00+07:00", "NgayKetThucXuLy": "2025-10-08T10:00:00+07:00",
        "TrangThaiHoSo": 9,
        "LichSu": history(&[(2, "2025-10-01T08:00"), (4, "2025-10-01T08:00"), (5, "2025-10-02T08:00"),
            (4, "2025-10-05T08:00"), (9, "2025-10-08T10:00")]),
    }));
    let f = facts(&r);
    assert_eq!(f.supplement_requests, 1);
    assert_eq!(f.paused, Duration::days(3));
    assert!(f.on_time);
    // Without the pause it would be late by 1 day 17 hours.
    assert!(f.reckoned_at > f.due.unwrap());
}

#[test]
fn a_second_supplement_request_makes_the_dossier_late() {
    // Finished well before the appointment, but two requests for papers.
    let r = record(json!({
        "NgayKetThucXuLy": "2025-10-15T10:00:00+07:00", "TrangThaiHoSo": 9,
        "LichSu": history(&[(2, "2025-10-13T09:20"), (4, "2025-10-13T09:20"), (5, "2025-10-13T10:00"),
            (4, "2025-10-13T11:00"), (5, "2025-10-14T10:00"), (4, "2025-10-14T11:00"), (9, "2025-10-15T10:00")]),
    }));
    let f = facts(&r);
    assert_eq!(f.supplement_requests, 2);
    assert_eq!(f.paused, Duration::hours(2));
    assert!(!f.on_time);
    assert_eq!(f.overrun(), None, "late by the second request, not by time");
}

#[test]
fn only_history_up_to_e_counts() {
    // Open at the end of October: the first request is still pending at e = 11-01 00:00, so the
    // pause runs until e; the second request comes in November and does not count for October.
    let r = record(json!({
        "NgayTiepNhan": "2025-10-27T08:00:00+07:00", "NgayNopHoSo": "2025-10-27T08:00:00+07:00",
        "NgayHenTra": "2025-10-29T17:00:00+07:00", "TrangThaiHoSo": 5,
        "LichSu": history(&[(2, "2025-10-27T08:00"), (4, "2025-10-27T08:00"), (5, "2025-10-28T08:00"),
            (4, "2025-11-03T08:00"), (5, "2025-11-04T08:00")]),
    }));
    let f = facts(&r);
    assert_eq!(f.reckoned_at, t("2025-11-01T00:00"));
    assert_eq!(f.supplement_requests, 1);
    assert_eq!(f.paused, Duration::hours(88)); // 10-28 08:00 → 11-01 00:00
                                               // 11-01 00:00 − 88 h = 10-28 08:00 ≤ 10-29 17:00.
    assert!(f.on_time);
    // In November both requests count: late.
    let november = classify(&r, &Period::month(2025, 11).unwrap()).unwrap();
    assert!(november.backlog && !november.received_in_period);
    assert_eq!(november.supplement_requests, 2);
    assert!(!november.on_time);
}

#[test]
fn backlog_from_before_the_period() {
    let base = json!({
        "NgayNopHoSo": "2025-09-20T08:00:00+07:00", "NgayTiepNhan": "2025-09-20T08:00:00+07:00",
        "NgayHenTra": "2025-10-03T17:00:00+07:00", "TrangThaiHoSo": 9,
    });
    let with = |closing: &str| {
        let mut v = base.clone();
        v["NgayKetThucXuLy"] = json!(format!("{closing}:00+07:00"));
        record(v)
    };
    // Closed 10-02: in B (D) and F, on time; not in R.
    let f = facts(&with("2025-10-02T09:00"));
    assert!(f.backlog && !f.received_in_period && f.handled() && f.closed_with_result && f.on_time);
    // Closed 09-30 23:59: closed before the period starts, not counted at all.
    assert_eq!(classify(&with("2025-09-30T23:59"), &october()), None);
    // Closed exactly at the period start: not closed *before* it, so in B.
    let f = facts(&with("2025-10-01T00:00"));
    assert!(f.backlog && f.closed_with_result);
    // Still open: in B, judged at the period end → late (due 10-03).
    let open = record(json!({
        "NgayNopHoSo": "2025-09-20T08:00:00+07:00", "NgayTiepNhan": "2025-09-20T08:00:00+07:00",
        "NgayHenTra": "2025-10-03T17:00:00+07:00",
    }));
    let f = facts(&open);
    assert!(f.backlog && !f.closed_with_result && !f.on_time);
    assert_eq!(f.reckoned_at, october().end());
    // Received after the period: nothing.
    let later = record(
        json!({"NgayNopHoSo": "2025-11-02T08:00:00+07:00", "NgayTiepNhan": "2025-11-02T08:00:00+07:00",
        "NgayHenTra": "2025-11-05T17:00:00+07:00"}),
    );
    assert_eq!(classify(&later, &october()), None);
}

#[test]
fn dossier_open_at_the_period_end_is_judged_at_the_end() {
    // Due after the period: not (yet) late.
    let r = record(json!({"NgayHenTra": "2025-11-05T17:00:00+07:00"}));
    let f = facts(&r);
    assert_eq!(f.reckoned_at, t("2025-11-01T00:00"));
    assert!(f.on_time && !f.closed_with_result);
    // Due inside the period: late by 11-01 00:00 − 10-30 17:00 = 31 hours.
    let r = record(json!({"NgayHenTra": "2025-10-30T17:00:00+07:00"}));
    let f = facts(&r);
    assert!(!f.on_time);
    assert_eq!(f.overrun(), Some(Duration::hours(31)));
}

#[test]
fn withdrawal_and_refusal_close_the_dossier_without_a_result() {
    let withdrawn = record(json!({"TrangThaiHoSo": 7, "NgayKetThucXuLy": "2025-10-14T09:00:00+07:00"}));
    let f = facts(&withdrawn);
    assert!(f.handled() && !f.closed_with_result && f.on_time);
    assert_eq!(f.reckoned_at, t("2025-10-14T09:00"));
    // Refused after the appointment: closed, late.
    let refused = record(
        json!({"TrangThaiHoSo": 3, "NgayKetThucXuLy": "2025-10-17T09:00:00+07:00",
        "NgayTuChoi": "2025-10-17T09:00:00+07:00"}),
    );
    let f = facts(&refused);
    assert!(f.handled() && !f.closed_with_result && !f.on_time);
    // Stopped: closed without a result.
    let stopped = record(json!({"TrangThaiHoSo": 8, "NgayKetThucXuLy": "2025-10-15T09:00:00+07:00"}));
    assert!(!facts(&stopped).closed_with_result);
    // Refused at the counter, never accepted: in no set.
    let never = record(json!({"TrangThaiHoSo": 3, "NgayTiepNhan": null, "NgayHenTra": null,
        "NgayKetThucXuLy": "2025-10-13T09:30:00+07:00"}));
    assert_eq!(classify(&never, &october()), None);
    // Submitted online, not accepted yet: in no set.
    let pending = record(json!({"TrangThaiHoSo": 1, "NgayTiepNhan": null, "NgayHenTra": null, "KenhThucHien": 2}));
    assert_eq!(classify(&pending, &october()), None);
}

#[test]
fn closing_exactly_at_the_appointment_is_on_time() {
    let at = |closing: &str| {
        facts(&record(
            json!({"TrangThaiHoSo": 9, "NgayKetThucXuLy": format!("{closing}+07:00")}),
        ))
    };
    assert!(at("2025-10-16T17:00:00").on_time);
    assert!(!at("2025-10-16T17:00:01").on_time);
    assert_eq!(at("2025-10-16T17:00:01").overrun(), Some(Duration::seconds(1)));
    // With a pause: e − pause exactly at the appointment.
    let r = record(json!({
        "TrangThaiHoSo": 9, "NgayKetThucXuLy": "2025-10-17T17:00:00+07:00",
        "LichSu": history(&[(2, "2025-10-13T09:20"), (5, "2025-10-14T08:00"), (4, "2025-10-15T08:00"),
            (9, "2025-10-17T17:00")]),
    }));
    let f = facts(&r);
    assert_eq!(f.paused, Duration::days(1));
    assert!(f.on_time);
}

#[test]
fn closing_exactly_at_the_period_end_belongs_to_the_next_period() {
    let r = record(json!({
        "NgayHenTra": "2025-11-03T17:00:00+07:00", "TrangThaiHoSo": 9,
        "NgayKetThucXuLy": "2025-11-01T00:00:00+07:00", "KetQuaDienTu": 1,
    }));
    let oct = facts(&r);
    assert!(oct.received_in_period && !oct.closed_with_result && oct.on_time);
    assert_eq!(oct.reckoned_at, october().end());
    let nov = classify(&r, &Period::month(2025, 11).unwrap()).unwrap();
    assert!(nov.backlog && nov.closed_with_result && nov.on_time);
    assert_eq!(nov.reckoned_at, t("2025-11-01T00:00"));
}

#[test]
fn missing_appointment_is_not_on_time_unless_a_legal_due_is_given() {
    let r = record(json!({"NgayHenTra": null, "TrangThaiHoSo": 9, "NgayKetThucXuLy": "2025-10-14T10:00:00+07:00"}));
    assert!(!facts(&r).on_time);
    let judged = |due: &str| classify_with_legal_due(&r, &october(), Some(t(due))).unwrap().on_time;
    assert!(judged("2025-10-15T17:00"));
    assert!(!judged("2025-10-14T09:59"));
    // An appointment wins over the legal due.
    let with = record(json!({"TrangThaiHoSo": 9, "NgayKetThucXuLy": "2025-10-14T10:00:00+07:00"}));
    assert!(
        classify_with_legal_due(&with, &october(), Some(t("2025-10-13T10:00")))
            .unwrap()
            .on_time
    );
}

#[test]
fn flags_come_from_the_portal_fields() {
    let r = record(json!({
        "KenhThucHien": 2, "DongBoDVCQG": 1, "CoNghiaVuTaiChinh": 1, "DuocThanhToanTrucTuyen": 1,
        "HoSoCoThanhPhanSoHoa": 1, "SuDungLaiDuLieuSoHoa": 1, "DuocLayTuCSDLDanCu": 1, "DanhGia": "hai_long",
    }));
    let f = facts(&r);
    assert!(f.online && f.synced && f.has_fees && f.paid_online && f.digitised && f.reused_data);
    assert!(f.identity_checked && !f.dissatisfied && f.online_with_e_result);
    let vneid = facts(&record(
        json!({"TaiKhoanDuocXacThucVoiVNeID": 1, "DuocLayTuCSDLDanCu": 0}),
    ));
    assert!(vneid.identity_checked);
    let bare = facts(&record(json!({})));
    assert!(!bare.online && !bare.synced && !bare.has_fees && !bare.identity_checked && !bare.dissatisfied);
    assert!(facts(&record(json!({"DanhGia": "khong_hai_long"}))).dissatisfied);
    assert!(facts(&record(json!({"CoPAKN": 1}))).dissatisfied);
    assert!(!facts(&record(json!({"DanhGia": "binh_thuong", "CoPAKN": 0}))).dissatisfied);
    // Online with a paper result does not meet the 3.3 variant.
    let paper = record(json!({"KenhThucHien": 2, "TrangThaiHoSo": 9, "KetQuaDienTu": 0,
        "NgayKetThucXuLy": "2025-10-14T10:00:00+07:00"}));
    assert!(!facts(&paper).online_with_e_result);
}

// --- Aggregation and scores ---------------------------------------------------------------------

fn indicator<'a>(table: &'a IndexTable, id: &str) -> &'a IndicatorScore {
    table
        .groups
        .iter()
        .flat_map(|g| &g.indicators)
        .find(|i| i.id == id)
        .unwrap()
}

fn table(acc: &IndexAccumulator, external: &[ExternalIndicator]) -> IndexTable {
    score("23575", october(), acc, &IndexConfig::qd766_2022(), external)
}

/// A commune's October: hand-counted numerators and denominators and the resulting points.
#[test]
fn a_month_of_a_commune_end_to_end() {
    let lines = [
        // 1. R, online, synced, digitised, VNeID, fees paid online, e-result, on time, closed in F.
        r#"{"MaHoSo": "000.00.12.H21-251002-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575", "KenhThucHien": 2,
            "NgayNopHoSo": "2025-10-02T08:00:00+07:00", "NgayTiepNhan": "2025-10-02T08:10:00+07:00",
            "NgayHenTra": "2025-10-07T17:00:00+07:00", "NgayKetThucXuLy": "2025-10-06T10:00:00+07:00",
            "TrangThaiHoSo": 9, "DongBoDVCQG": 1, "HoSoCoThanhPhanSoHoa": 1, "TaiKhoanDuocXacThucVoiVNeID": 1,
            "CoNghiaVuTaiChinh": 1, "DuocThanhToanTrucTuyen": 1, "KetQuaDienTu": 1, "DanhGia": "hai_long"}"#,
        // 2. R, counter, synced, fees paid at the counter, paper result, late, not satisfied.
        r#"{"MaHoSo": "000.00.12.H21-251003-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575", "KenhThucHien": 1,
            "NgayNopHoSo": "2025-10-03T08:00:00+07:00", "NgayTiepNhan": "2025-10-03T08:00:00+07:00",
            "NgayHenTra": "2025-10-08T17:00:00+07:00", "NgayKetThucXuLy": "2025-10-10T10:00:00+07:00",
            "NgayTra": "2025-10-10T15:00:00+07:00", "TrangThaiHoSo": 10, "DongBoDVCQG": 1,
            "CoNghiaVuTaiChinh": 1, "DuocThanhToanTrucTuyen": 0, "KetQuaDienTu": 0, "DanhGia": "khong_hai_long"}"#,
        // 3. R, online, digitised and reused, population data, open at the end, due in November: on time.
        r#"{"MaHoSo": "000.00.12.H21-251028-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575", "KenhThucHien": 2,
            "NgayNopHoSo": "2025-10-28T08:00:00+07:00", "NgayTiepNhan": "2025-10-28T08:00:00+07:00",
            "NgayHenTra": "2025-11-04T17:00:00+07:00", "TrangThaiHoSo": 4, "HoSoCoThanhPhanSoHoa": 1,
            "SuDungLaiDuLieuSoHoa": 1, "DuocLayTuCSDLDanCu": 1, "CoPAKN": 0}"#,
        // 4. R, counter, withdrawn on time, with a complaint.
        r#"{"MaHoSo": "000.00.12.H21-251020-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575", "KenhThucHien": 1,
            "NgayNopHoSo": "2025-10-20T08:00:00+07:00", "NgayTiepNhan": "2025-10-20T08:00:00+07:00",
            "NgayHenTra": "2025-10-23T17:00:00+07:00", "NgayKetThucXuLy": "2025-10-21T08:00:00+07:00",
            "TrangThaiHoSo": 7, "CoPAKN": 1}"#,
        // 5. B (September), closed in October with an e-result, on time after a pause.
        r#"{"MaHoSo": "000.00.12.H21-250925-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575", "KenhThucHien": 1,
            "NgayNopHoSo": "2025-09-25T08:00:00+07:00", "NgayTiepNhan": "2025-09-25T08:00:00+07:00",
            "NgayHenTra": "2025-10-01T17:00:00+07:00", "NgayKetThucXuLy": "2025-10-03T10:00:00+07:00",
            "TrangThaiHoSo": 9, "KetQuaDienTu": 1,
            "LichSu": [{"TrangThaiHoSo": 2, "ThoiGian": "2025-09-25T08:00:00+07:00"},
                       {"TrangThaiHoSo": 5, "ThoiGian": "2025-09-26T08:00:00+07:00"},
                       {"TrangThaiHoSo": 4, "ThoiGian": "2025-09-29T08:00:00+07:00"},
                       {"TrangThaiHoSo": 9, "ThoiGian": "2025-10-03T10:00:00+07:00"}]}"#,
        // 6. Closed in September: outside everything.
        r#"{"MaHoSo": "000.00.12.H21-250910-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575", "KenhThucHien": 2,
            "NgayNopHoSo": "2025-09-10T08:00:00+07:00", "NgayTiepNhan": "2025-09-10T08:00:00+07:00",
            "NgayHenTra": "2025-09-15T17:00:00+07:00", "NgayKetThucXuLy": "2025-09-12T10:00:00+07:00",
            "TrangThaiHoSo": 9}"#,
    ];
    let mut acc = IndexAccumulator::new();
    for (i, line) in lines.iter().enumerate() {
        let r = crate::dossier::exchange::parse_line(&line.replace('\n', " "), i + 1).unwrap();
        if let Some(f) = classify(&r, &october()) {
            acc.add(&f);
        }
    }
    assert_eq!(
        acc,
        IndexAccumulator {
            received: 4,
            synced: 2,
            online: 2,
            online_with_e_result: 2,
            with_fees: 2,
            paid_online: 1,
            digitised: 2,
            reused_data: 1,
            identity_checked: 2,
            handled: 5,
            backlog: 1,
            on_time: 4,
            on_time_satisfied: 3,
            closed_with_result: 3,
            electronic_result: 2,
        }
    );
    let tb = table(&acc, &[]);
    let points = |id: &str| indicator(&tb, id).score;
    assert_eq!(points("1.4"), Some(3.0)); // 2/4 × 6
    assert_eq!(points("2.1"), Some(16.0)); // 4/5 × 20
    assert_eq!(points("3.3"), Some(12.0)); // 2/4 ≥ 50 %
    assert_eq!(points("3.6"), Some(3.0)); // 1/2 × 6
    assert_eq!(points("4.1"), Some(4.0)); // 2/3 × 6
    assert_eq!(points("4.2"), Some(2.5)); // 2/4 < 80 %: 0.5 × 4 / 0.8
    assert_eq!(points("4.3"), Some(0.63)); // 1/4 × 2 / 0.8 = 0.625 → 0.63
    assert_eq!(points("4.5b"), Some(1.0)); // 2/4 × 2
    assert_eq!(points("5.4"), Some(4.0)); // 3/5 × 6 / 0.9
    assert_eq!(points("1.1"), None);
    assert_eq!(indicator(&tb, "1.1").source, IndicatorSource::Unavailable);
    // 3 + 16 + 12 + 3 + 4 + 2.5 + 0.63 + 1 + 4 out of 6 + 20 + 12 + 6 + 6 + 4 + 2 + 2 + 6.
    assert_eq!(tb.total, 46.13);
    assert_eq!(tb.max, 64.0);
    let progress = tb.groups.iter().find(|g| g.id == "progress").unwrap();
    assert_eq!((progress.score, progress.max, progress.nominal_max), (16.0, 20.0, 20.0));
    let publicity = tb.groups.iter().find(|g| g.id == "publicity").unwrap();
    assert_eq!(
        (publicity.score, publicity.max, publicity.nominal_max),
        (3.0, 6.0, 18.0)
    );
}

#[test]
fn threshold_scores() {
    let with = |received: u64, online: u64, digitised: u64, handled: u64, satisfied: u64| IndexAccumulator {
        received,
        online,
        digitised,
        handled,
        on_time: satisfied,
        on_time_satisfied: satisfied,
        ..IndexAccumulator::default()
    };
    // Exactly at the thresholds: full points.
    let tb = table(&with(10, 5, 8, 10, 9), &[]);
    assert_eq!(indicator(&tb, "3.3").score, Some(12.0));
    assert_eq!(indicator(&tb, "4.2").score, Some(4.0));
    assert_eq!(indicator(&tb, "5.4").score, Some(6.0));
    // Above: still the maximum.
    let tb = table(&with(10, 9, 10, 10, 10), &[]);
    assert_eq!(indicator(&tb, "3.3").score, Some(12.0));
    // Below: ratio × max / T.
    let tb = table(&with(10, 2, 4, 10, 3), &[]);
    assert_eq!(indicator(&tb, "3.3").score, Some(4.8)); // 0.2 × 12 / 0.5
    assert_eq!(indicator(&tb, "4.2").score, Some(2.0)); // 0.4 × 4 / 0.8
    assert_eq!(indicator(&tb, "5.4").score, Some(2.0)); // 0.3 × 6 / 0.9
                                                        // Just below 50 %: 499/1000 × 12 / 0.5 = 11.976 → 11.98.
    let tb = table(&with(1000, 499, 0, 1, 0), &[]);
    assert_eq!(indicator(&tb, "3.3").score, Some(11.98));
    assert_eq!(indicator(&tb, "4.2").score, Some(0.0));
}

#[test]
fn rounding_is_exact_half_away_from_zero() {
    // 4.5b: 201/400 × 2 = 1.005 exactly → 1.01 (binary floating point would give 1.00).
    let acc = IndexAccumulator {
        received: 400,
        identity_checked: 201,
        synced: 1,
        handled: 3,
        on_time: 1,
        ..IndexAccumulator::default()
    };
    let tb = table(&acc, &[]);
    assert_eq!(indicator(&tb, "4.5b").score, Some(1.01));
    assert_eq!(indicator(&tb, "1.4").score, Some(0.02)); // 1/400 × 6 = 0.015 → 0.02
    assert_eq!(indicator(&tb, "2.1").score, Some(6.67)); // 1/3 × 20 = 6.666…
    assert_eq!(indicator(&tb, "2.1").ratio, Some(1.0 / 3.0));
    // The total is the sum of the rounded scores: 1.01 + 0.02 + 6.67 + 0 (3.3, 4.2, 4.3, 5.4).
    assert_eq!(tb.total, 7.7);
    let group_sum: f64 = tb.groups.iter().map(|g| g.score).sum();
    assert!((group_sum - tb.total).abs() < 1e-9);
}

#[test]
fn zero_denominators_are_na_and_shrink_the_maximum() {
    // Only a backlog dossier, still open and on time: R and F are empty.
    let acc = IndexAccumulator {
        handled: 1,
        backlog: 1,
        on_time: 1,
        on_time_satisfied: 1,
        ..IndexAccumulator::default()
    };
    let tb = table(&acc, &[]);
    for id in ["1.4", "3.3", "3.6", "4.1", "4.2", "4.3", "4.5b", "1.1", "5.2"] {
        let i = indicator(&tb, id);
        assert!(i.na && i.score.is_none() && i.ratio.is_none(), "{id}");
    }
    assert_eq!(tb.total, 26.0);
    assert_eq!(tb.max, 26.0); // 2.1 (20) + 5.4 (6)
    let online = tb.groups.iter().find(|g| g.id == "online").unwrap();
    assert!(online.na);
    assert_eq!((online.score, online.max, online.nominal_max), (0.0, 0.0, 12.0));

    // Nothing at all: everything N/A, 0 of 0.
    let empty = table(&IndexAccumulator::default(), &[]);
    assert_eq!((empty.total, empty.max), (0.0, 0.0));

    // External values bring their indicators in; several values of one id add up; a value for a
    // record indicator is ignored; a zero denominator stays N/A.
    let ext = [
        ExternalIndicator {
            id: "1.1".into(),
            numerator: 3,
            denominator: 4,
        },
        ExternalIndicator {
            id: "1.1".into(),
            numerator: 1,
            denominator: 4,
        },
        ExternalIndicator {
            id: "2.1".into(),
            numerator: 0,
            denominator: 9,
        },
        ExternalIndicator {
            id: "5.2".into(),
            numerator: 0,
            denominator: 0,
        },
    ];
    let tb = table(&acc, &ext);
    let one = indicator(&tb, "1.1");
    assert_eq!(
        (one.numerator, one.denominator, one.score, one.source),
        (4, 8, Some(3.0), IndicatorSource::External)
    );
    assert_eq!(indicator(&tb, "2.1").score, Some(20.0));
    assert!(indicator(&tb, "5.2").na);
    assert_eq!((tb.total, tb.max), (29.0, 32.0));
}

#[test]
fn payment_counts_only_dossiers_with_fees() {
    let mut acc = IndexAccumulator::new();
    for (fees, paid) in [(true, true), (false, true), (true, false), (false, false)] {
        acc.add(&facts(&record(json!({
            "CoNghiaVuTaiChinh": u8::from(fees), "DuocThanhToanTrucTuyen": u8::from(paid),
        }))));
    }
    assert_eq!((acc.paid_online, acc.with_fees, acc.received), (1, 2, 4));
    assert_eq!(indicator(&table(&acc, &[]), "3.6").score, Some(3.0));
}

#[test]
fn online_variant_is_configurable() {
    let acc = IndexAccumulator {
        received: 10,
        online: 6,
        online_with_e_result: 2,
        ..IndexAccumulator::default()
    };
    let mut config = IndexConfig::qd766_2022();
    assert_eq!(
        indicator(&score("x", october(), &acc, &config, &[]), "3.3").score,
        Some(12.0)
    );
    config.online_requires_electronic_result = true;
    assert_eq!(
        indicator(&score("x", october(), &acc, &config, &[]), "3.3").score,
        Some(4.8)
    );
}

#[test]
fn table_has_the_interface_shape() {
    let acc = IndexAccumulator {
        received: 2,
        synced: 1,
        handled: 2,
        on_time: 2,
        on_time_satisfied: 2,
        ..IndexAccumulator::default()
    };
    let v = serde_json::to_value(table(&acc, &[])).unwrap();
    assert_eq!(v["unit"], "23575");
    assert_eq!(v["period"], json!({"from": "2025-10-01", "to": "2025-10-31"}));
    assert!(v["total"].is_number() && v["max"].is_number());
    let progress = &v["groups"][1];
    assert_eq!(progress["id"], "progress");
    assert_eq!(progress["max"], 20.0);
    let row = &progress["indicators"][0];
    assert_eq!(row["id"], "2.1");
    assert_eq!(
        (row["numerator"].as_u64(), row["denominator"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        (row["ratio"].as_f64(), row["score"].as_f64(), row["max"].as_f64()),
        (Some(1.0), Some(20.0), Some(20.0))
    );
    let na = &v["groups"][0]["indicators"][0];
    assert_eq!((na["id"].as_str(), na["na"].as_bool()), (Some("1.1"), Some(true)));
    assert!(na["score"].is_null() && na["ratio"].is_null());
    // A table read back is the same table.
    let back: IndexTable = serde_json::from_value(v).unwrap();
    assert_eq!(back, table(&acc, &[]));
}

// --- Properties ---------------------------------------------------------------------------------

fn arb_facts() -> impl Strategy<Value = DossierFacts> {
    prop::collection::vec(any::<bool>(), 15).prop_map(|b| DossierFacts {
        received_in_period: b[0],
        backlog: b[1],
        closed_with_result: b[2],
        reckoned_at: t("2025-11-01T00:00"),
        supplement_requests: 0,
        paused: Duration::zero(),
        due: None,
        on_time: b[3],
        synced: b[4],
        online: b[5],
        online_with_e_result: b[5] && b[6],
        has_fees: b[7],
        paid_online: b[8],
        electronic_result: b[9],
        digitised: b[10],
        reused_data: b[11],
        identity_checked: b[12],
        dissatisfied: b[13],
    })
}

/// Counters that facts could produce: every numerator at most its denominator.
fn arb_accumulator() -> impl Strategy<Value = IndexAccumulator> {
    let den = 0u64..2_000;
    (den.clone(), den.clone(), den, prop::collection::vec(0.0f64..=1.0, 12)).prop_map(|(r, d, f, s)| {
        let part = |n: u64, i: usize| (n as f64 * s[i]).floor() as u64;
        let with_fees = part(r, 3);
        let on_time = part(d, 8);
        let online = part(r, 1);
        IndexAccumulator {
            received: r,
            synced: part(r, 0),
            online,
            online_with_e_result: part(online, 2),
            with_fees,
            paid_online: part(with_fees, 4),
            digitised: part(r, 5),
            reused_data: part(r, 6),
            identity_checked: part(r, 7),
            handled: d,
            backlog: part(d, 11),
            on_time,
            on_time_satisfied: part(on_time, 9),
            closed_with_result: f,
            electronic_result: part(f, 10),
        }
    })
}

proptest! {
    #[test]
    fn merge_equals_adding_facts_in_any_order(
        facts in prop::collection::vec(arb_facts(), 0..60),
        split in 0usize..60,
        order in any::<u64>(),
    ) {
        let mut all = IndexAccumulator::new();
        all.extend(&facts);
        let split = split.min(facts.len());
        let (a, b) = facts.split_at(split);
        let mut left = IndexAccumulator::new();
        left.extend(a);
        let mut right = IndexAccumulator::new();
        right.extend(b);
        let mut merged = right;
        merged.merge(&left);
        prop_assert_eq!(merged, all);
        // Another order of the same facts.
        let mut shuffled: Vec<&DossierFacts> = facts.iter().collect();
        let n = shuffled.len();
        if n > 1 {
            for i in 0..n {
                shuffled.swap(i, (order as usize ^ (i * 7919)) % n);
            }
        }
        let mut again = IndexAccumulator::new();
        again.extend(shuffled);
        prop_assert_eq!(again, all);
        // Merging is commutative and the empty accumulator is neutral.
        let mut other = left;
        other.merge(&right);
        other.merge(&IndexAccumulator::new());
        prop_assert_eq!(other, all);
    }

    #[test]
    fn scores_stay_within_their_maxima(
        acc in arb_accumulator(),
        ext_num in 0u64..50,
        ext_den in 0u64..50,
    ) {
        // External values may be inconsistent (numerator above denominator): still bounded.
        let ext = [ExternalIndicator { id: "1.1".into(), numerator: ext_num, denominator: ext_den }];
        let tb = table(&acc, &ext);
        prop_assert!(tb.total >= 0.0 && tb.total <= tb.max + 1e-9);
        prop_assert!(tb.max <= 100.0 + 1e-9);
        let mut sum = 0.0;
        for g in &tb.groups {
            prop_assert!(g.score >= 0.0 && g.score <= g.max + 1e-9 && g.max <= g.nominal_max + 1e-9);
            for i in &g.indicators {
                prop_assert_eq!(i.na, i.score.is_none());
                if let (Some(s), Some(r)) = (i.score, i.ratio) {
                    prop_assert!((0.0..=i.max).contains(&s), "{} scored {}", i.id, s);
                    prop_assert!((0.0..=1.0).contains(&r));
                    sum += s;
                }
            }
        }
        prop_assert!((sum - tb.total).abs() < 1e-6);
    }

    #[test]
    fn classified_facts_are_consistent(
        recv_day in 0i64..90,
        recv_hour in 0i64..24,
        length_hours in 0i64..800,
        closed in any::<bool>(),
        status in prop::sample::select(vec![3u8, 7, 8, 9, 10]),
        due_hours in 0i64..500,
    ) {
        // Dossiers around October, classified against October.
        let received = t("2025-09-01T00:00") + Duration::days(recv_day) + Duration::hours(recv_hour);
        let closing = received + Duration::hours(length_hours);
        let due = received + Duration::hours(due_hours);
        let mut fields = json!({
            "NgayNopHoSo": received.to_rfc3339(), "NgayTiepNhan": received.to_rfc3339(),
            "NgayHenTra": due.to_rfc3339(),
        });
        if closed {
            fields["TrangThaiHoSo"] = json!(status);
            fields["NgayKetThucXuLy"] = json!(closing.to_rfc3339());
            fields["NgayTra"] = json!(closing.to_rfc3339());
        }
        let r = record(fields);
        let p = october();
        match classify(&r, &p) {
            None => prop_assert!(received >= p.end() || (closed && closing < p.start())),
            Some(f) => {
                prop_assert_eq!(f.received_in_period, p.contains(received));
                prop_assert!(!(f.received_in_period && f.backlog));
                prop_assert!(f.reckoned_at <= p.end() && f.reckoned_at >= p.start());
                prop_assert_eq!(f.on_time, f.reckoned_at <= due);
                prop_assert_eq!(f.closed_with_result, closed && status >= 9 && p.contains(closing));
            }
        }
    }
}

// --- The compact fact of the live index equals the classification of the record ----------------

/// Counts `records` for `period` through [`classify`] (the reference) and through
/// [`IndexFact`] (the live index), for comparison.
fn both_ways(records: &[ExchangeRecord], period: &Period) -> (IndexAccumulator, IndexAccumulator) {
    let mut reference = IndexAccumulator::new();
    let mut fast = IndexAccumulator::new();
    let (start, end) = period_nanos(period);
    for r in records {
        if let Some(f) = classify(r, period) {
            reference.add(&f);
        }
        IndexFact::from_record(r).accumulate(&mut fast, start, end);
    }
    (reference, fast)
}

/// The base record with its dates, status and history set directly (no validation: the fact
/// must read any record as classify does).
fn raw(
    received: Option<&str>,
    due: Option<&str>,
    status: u8,
    closed: Option<&str>,
    lichsu: &[(u8, &str)],
) -> ExchangeRecord {
    use crate::dossier::exchange::HistoryEntry;
    use crate::dossier::Status;
    let mut r = record(json!({}));
    r.received_at = received.map(t);
    r.appointment = due.map(t);
    r.status = Status::from_code(i64::from(status)).unwrap();
    r.finished_at = closed.map(t);
    r.history = lichsu
        .iter()
        .map(|(s, at)| HistoryEntry {
            status: Status::from_code(i64::from(*s)).unwrap(),
            at: t(at),
            extra: Map::new(),
        })
        .collect();
    r
}

#[test]
fn hand_examples_count_the_same_through_the_fact() {
    let oct13 = Some("2025-10-13T09:20");
    let due = Some("2025-10-16T17:00");
    let mut first = raw(oct13, due, 10, Some("2025-10-16T17:00"), &[]);
    first.electronic_result = Some(true);
    let records = [
        // Closed exactly at the appointment: on time.
        first,
        // One supplement of 24 h: 10-17 10:00 − 24 h ≤ 10-16 17:00, on time.
        raw(
            oct13,
            due,
            10,
            Some("2025-10-17T10:00"),
            &[
                (4, "2025-10-13T09:20"),
                (5, "2025-10-14T08:00"),
                (4, "2025-10-15T08:00"),
            ],
        ),
        // A second supplement request: late although early.
        raw(
            oct13,
            due,
            10,
            Some("2025-10-16T10:00"),
            &[
                (5, "2025-10-13T10:00"),
                (4, "2025-10-13T11:00"),
                (5, "2025-10-14T10:00"),
                (4, "2025-10-14T11:00"),
            ],
        ),
        // Backlog from September, open at the period end: judged at 11-01 00:00 against 10-02.
        raw(Some("2025-09-20T08:00"), Some("2025-10-02T17:00"), 4, None, &[]),
        // Closed on the last second of September: in no set of October.
        raw(Some("2025-09-20T08:00"), due, 10, Some("2025-09-30T23:59"), &[]),
        // Withdrawn (8) and refused (3) before the appointment: on time, no result.
        raw(oct13, due, 8, Some("2025-10-14T10:00"), &[]),
        raw(oct13, due, 3, Some("2025-10-14T10:00"), &[]),
        // Result at exactly the period end: reckoned at e = 11-01 00:00 > 10-31 23:00, late; F of November.
        raw(oct13, Some("2025-10-31T23:00"), 9, Some("2025-11-01T00:00"), &[]),
        // Supplement requested on 10-30 and still waiting: one request, paused until e, on time
        // although the appointment (10-31 09:00) has passed.
        raw(
            oct13,
            Some("2025-10-31T09:00"),
            5,
            None,
            &[(4, "2025-10-13T09:20"), (5, "2025-10-30T08:00")],
        ),
        // Second supplement only after the period: one request up to e, on time in October.
        raw(
            oct13,
            Some("2025-10-31T17:00"),
            10,
            Some("2025-11-20T10:00"),
            &[
                (5, "2025-10-20T08:00"),
                (4, "2025-10-21T08:00"),
                (5, "2025-11-05T08:00"),
                (4, "2025-11-06T08:00"),
            ],
        ),
    ];
    let (reference, fast) = both_ways(&records, &october());
    assert_eq!(fast, reference);
    // R: the eight accepted on 10-13; D adds the open September backlog (the one closed on 30
    // September is out): |D| = 9, |B| = 1. On time: the first, the second, the withdrawal, the
    // refusal, the one waiting for a supplement and the one whose second request came later = 6.
    assert_eq!((fast.received, fast.handled, fast.backlog, fast.on_time), (8, 9, 1, 6));
    // F: the three closed with status 10 inside October (the 11-01 closing is in November).
    assert_eq!((fast.closed_with_result, fast.electronic_result), (3, 1));
    let tb = table(&fast, &[]);
    assert_eq!(indicator(&tb, "2.1").score, Some(13.33)); // 6/9 × 20 = 13.333…
    assert_eq!(indicator(&tb, "4.1").score, Some(2.0)); // 1/3 × 6
                                                        // November: the 11-01 result is in F; the waiting one is backlog, now paused since 10-30.
    let november = Period::month(2025, 11).unwrap();
    let (reference, fast) = both_ways(&records, &november);
    assert_eq!(fast, reference);
    // D of November: the September backlog, the 11-01 result, the waiting one, the one closed
    // 11-20 = 4, none received. On time: the waiting one only (the 11-01 one is judged at
    // 11-01 00:00 > 10-31 23:00; the 11-20 one had a second request on 11-05).
    assert_eq!((fast.received, fast.handled, fast.backlog, fast.on_time), (0, 4, 4, 1));
    assert_eq!(fast.closed_with_result, 2);
}

#[test]
fn supplement_text_round_trips() {
    let r = raw(
        Some("2025-10-13T09:20"),
        None,
        5,
        None,
        &[
            (5, "2025-10-13T10:00"),
            (4, "2025-10-13T11:00"),
            (5, "2025-10-14T10:00"),
        ],
    );
    let f = IndexFact::from_record(&r);
    assert_eq!(f.supplements.len(), 2);
    assert_eq!(f.supplements[1].1, OPEN);
    assert_eq!(
        IndexFact::parse_supplements(&f.supplements_text()),
        Some(f.supplements.clone())
    );
    assert_eq!(IndexFact::parse_supplements(""), Some(vec![]));
    assert_eq!(IndexFact::parse_supplements("1:x"), None);
}

/// A record with a random life around October 2025: reception (or none), up to four status
/// changes among them supplement requests, a closing of any kind or none, flags, and instants
/// with sub-second parts (the live engine's clock has nanoseconds).
fn arb_record() -> impl Strategy<Value = ExchangeRecord> {
    use crate::dossier::exchange::{HistoryEntry, Rating};
    use crate::dossier::{Status, SubmissionChannel};
    (
        (any::<bool>(), 0i64..100 * 86_400, 0u32..1_000_000_000),
        prop::collection::vec((prop::sample::select(vec![4u8, 5, 5, 6, 7]), 0i64..20 * 86_400), 0..5),
        (
            prop::option::of(0i64..30 * 86_400),
            prop::sample::select(vec![4u8, 3, 7, 8, 9, 10]),
        ),
        prop::option::of(-2i64 * 86_400..25 * 86_400),
        prop::collection::vec(any::<bool>(), 11),
        prop::sample::select(vec![1i64, 2, 3]),
    )
        .prop_map(
            |((accepted, recv_s, nano), changes, (close_after, closed_status), due_after, b, channel)| {
                let base = t("2025-08-20T00:00") + Duration::seconds(recv_s) + Duration::nanoseconds(i64::from(nano));
                let mut r = record(json!({}));
                let mut at = base;
                r.history = changes
                    .iter()
                    .map(|(status, gap)| {
                        at += Duration::seconds(*gap);
                        HistoryEntry {
                            status: Status::from_code(i64::from(*status)).unwrap(),
                            at,
                            extra: Map::new(),
                        }
                    })
                    .collect();
                r.submitted_at = base;
                r.received_at = accepted.then_some(base);
                r.appointment = due_after.map(|d| base + Duration::seconds(d));
                r.channel = SubmissionChannel::from_code(channel).unwrap();
                r.status = Status::InProgress;
                r.finished_at = None;
                if let Some(c) = close_after.filter(|_| closed_status != 4) {
                    r.status = Status::from_code(i64::from(closed_status)).unwrap();
                    r.finished_at = Some(at + Duration::seconds(c));
                }
                r.synced_to_portal = Some(b[0]);
                r.has_fees = Some(b[1]);
                r.paid_online = Some(b[2]);
                r.electronic_result = Some(b[3]);
                r.digitised_components = b[4].then_some(true);
                r.reused_digitised_data = Some(b[5]);
                r.vneid_account = Some(b[6]);
                r.population_data = b[7].then_some(true);
                r.complaint = Some(b[8]);
                r.rating = b[9]
                    .then_some(Rating::KhongHaiLong)
                    .or(b[10].then_some(Rating::HaiLong));
                r
            },
        )
}

fn arb_period() -> impl Strategy<Value = Period> {
    (0i64..120, 0i64..70).prop_map(|(from, len)| {
        let from = date(2025, 8, 1) + Duration::days(from);
        Period::new(from, from + Duration::days(len)).unwrap()
    })
}

proptest! {
    #[test]
    fn the_fact_counts_as_classify(
        records in prop::collection::vec(arb_record(), 1..40),
        period in arb_period(),
    ) {
        let (reference, fast) = both_ways(&records, &period);
        prop_assert_eq!(fast, reference);
    }
}
