// Tests of the national exchange format: validation, import into a state, export, round trips.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

/// The example of `interfaces.md` with its placeholders filled in: a counter-less online dossier
/// with one supplement request, returned before the appointment. `LichSu` lists every change, so
/// it ends with the current status 10.
const EXAMPLE: &str = r#"{"MaHoSo": "000.00.12.H21-251013-0001", "MaTTHC": "1.001193", "DonViXuLy": "23575",
 "KenhThucHien": 2, "NgayNopHoSo": "2025-10-13T09:15:00+07:00", "NgayTiepNhan": "2025-10-13T09:20:00+07:00",
 "NgayHenTra": "2025-10-16T17:00:00+07:00", "NgayKetThucXuLy": "2025-10-16T10:00:00+07:00",
 "NgayTra": "2025-10-16T15:00:00+07:00", "TrangThaiHoSo": 10,
 "LichSu": [{"TrangThaiHoSo": 1, "ThoiGian": "2025-10-13T09:15:00+07:00"},
            {"TrangThaiHoSo": 2, "ThoiGian": "2025-10-13T09:20:00+07:00"},
            {"TrangThaiHoSo": 4, "ThoiGian": "2025-10-13T09:20:00+07:00"},
            {"TrangThaiHoSo": 5, "ThoiGian": "2025-10-14T08:00:00+07:00"},
            {"TrangThaiHoSo": 4, "ThoiGian": "2025-10-14T14:00:00+07:00"},
            {"TrangThaiHoSo": 9, "ThoiGian": "2025-10-16T10:00:00+07:00"},
            {"TrangThaiHoSo": 10, "ThoiGian": "2025-10-16T15:00:00+07:00"}],
 "HoSoCoThanhPhanSoHoa": 1, "KetQuaDienTu": 1, "TaiKhoanDuocXacThucVoiVNeID": 1, "DuocLayTuCSDLDanCu": 0,
 "SuDungLaiDuLieuSoHoa": 0, "CoNghiaVuTaiChinh": 1, "DuocThanhToanTrucTuyen": 1,
 "DongBoDVCQG": 1, "DanhGia": "hai_long", "CoPAKN": 0}"#;

fn example() -> Value {
    serde_json::from_str(&EXAMPLE.replace('\n', " ")).unwrap()
}

fn line(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// The example with some fields replaced (`null` removes a field).
fn with(changes: Value) -> String {
    let mut v = example();
    let object = v.as_object_mut().unwrap();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            object.remove(key);
        } else {
            object.insert(key.clone(), value.clone());
        }
    }
    line(&v)
}

/// Fields named by the errors of a line that must fail.
fn error_fields(text: &str) -> Vec<String> {
    let errors = parse_line(text, 7).expect_err("the line should be rejected");
    assert_eq!(errors.line, 7);
    errors.errors.iter().map(|e| e.field.clone()).collect()
}

fn assert_rejects(text: &str, field: &str) {
    let fields = error_fields(text);
    assert!(
        fields.iter().any(|f| f == field),
        "expected an error on {field}, got {fields:?}"
    );
}

fn legal() -> LegalTime {
    LegalTime::WorkingMinutes(3 * 480)
}

fn import(record: &ExchangeRecord) -> DossierState {
    state_from_import(&import_event(record, "Thủ tục thử", legal())).unwrap()
}

/// parse → import event → state → export → JSON value.
fn round_trip(text: &str) -> Value {
    let record = parse_line(text, 1).unwrap();
    let state = import(&record);
    let exported = export_record(&record.code, &state, Some(&record));
    serde_json::from_str(&to_json_line(&exported)).unwrap()
}

fn t(s: &str) -> Instant {
    DateTime::parse_from_rfc3339(s).unwrap()
}

#[test]
fn the_example_parses_imports_and_round_trips() {
    let record = parse_line(EXAMPLE, 1).unwrap();
    assert_eq!(record.code, "000.00.12.H21-251013-0001");
    assert_eq!(record.status, Status::Returned);
    assert_eq!(record.channel, SubmissionChannel::Online);
    assert_eq!(record.rating, Some(Rating::HaiLong));
    assert_eq!(record.history.len(), 7);

    let event = import_event(&record, "Thủ tục thử", legal());
    assert_eq!(event.action, EventAction::Import);
    assert_eq!(event.at, t("2025-10-13T09:15:00+07:00"));
    assert_eq!(event.actor, "import");
    assert_eq!(event.status, Status::Returned);
    let new = event.data.dossier.as_ref().unwrap();
    assert_eq!(new.procedure, "1.001193");
    assert_eq!(new.unit, "23575");
    assert_eq!(new.receiving_unit, "000.00.12.H21");
    assert_eq!(new.applicant.name, "—");
    assert_eq!(new.eid_level, 2);
    assert!(!new.identity_verified);

    let state = state_from_import(&event).unwrap();
    assert_eq!(state.version, 1);
    assert_eq!(state.status, Status::Returned);
    assert_eq!(state.received_at, Some(t("2025-10-13T09:20:00+07:00")));
    assert_eq!(state.appointment, state.effective_due);
    assert_eq!(state.finished_at, Some(t("2025-10-16T10:00:00+07:00")));
    assert_eq!(state.returned_at, Some(t("2025-10-16T15:00:00+07:00")));
    assert_eq!(state.supplement_requests, 1);
    assert_eq!(state.paused_since, None);
    assert_eq!(state.paused_minutes, 0);
    assert!(state.paid_online && state.electronic_result);
    // Finished on the appointment day, before the appointment time.
    assert_eq!(state.verdict, Some(Verdict::OnTime));
    assert_eq!(state.history.len(), 7);

    assert_eq!(round_trip(EXAMPLE), example());
}

#[test]
fn flags_accept_booleans_and_are_written_as_integers() {
    let text = with(json!({"KetQuaDienTu": true, "DongBoDVCQG": false}));
    let out = round_trip(&text);
    assert_eq!(out["KetQuaDienTu"], json!(1));
    assert_eq!(out["DongBoDVCQG"], json!(0));
}

#[test]
fn unknown_fields_survive_a_round_trip() {
    let mut v = example();
    v["TrichYeuHoSo"] = json!("Cấp bản sao trích lục");
    v["ThongTinKhac"] = json!({"a": [1, 2, {"b": null}]});
    v["LichSu"][3]["NguoiXuLy"] = json!("chuyenvien01");
    v["LichSu"][3]["GhiChu"] = json!("Thiếu tờ khai");
    v["MaLinhVuc"] = json!("G09-TP01");
    v["DanhSachLePhi"] = json!([{"TenPhiLePhi": "Lệ phí", "Gia": 8000}]);
    v["TaiLieuNop"] = json!([{"TepDinhKemId": "x1", "DuocSoHoa": 1, "DuocLayTuKhoDMQG": 0}]);
    v["MaCSDL"] = json!([1, 3]);
    v["LoaiDinhDanh"] = json!(1);
    v["ChuHoSo"] = json!("Nguyễn Văn A");
    let record = parse_line(&line(&v), 1).unwrap();
    assert!(record.extra.contains_key("TrichYeuHoSo"));
    assert_eq!(round_trip(&line(&v)), v);
    assert_eq!(import(&record).fees_dong, 8000);
}

#[test]
fn every_problem_of_a_line_is_listed() {
    let text = with(json!({
        "MaHoSo": "HS-1", "KenhThucHien": 9, "NgayHenTra": "16/10/2025", "DanhGia": "tot",
        "CoPAKN": 2, "TrangThaiHoSo": null,
    }));
    let fields = error_fields(&text);
    for field in [
        "MaHoSo",
        "KenhThucHien",
        "NgayHenTra",
        "DanhGia",
        "CoPAKN",
        "TrangThaiHoSo",
    ] {
        assert!(fields.iter().any(|f| f == field), "{field} missing from {fields:?}");
    }
    let errors = parse_line(&text, 3).unwrap_err();
    assert_eq!(errors.code, None);
    assert!(errors.to_string().starts_with("line 3: "));
}

#[test]
fn malformed_json_and_non_objects_are_line_errors() {
    for text in ["{", "{\"MaHoSo\": }", "[1, 2]", "42", "\"text\"", "null", "{} extra"] {
        assert_eq!(error_fields(text), vec!["line"], "{text}");
    }
}

#[test]
fn required_fields_are_required() {
    for field in [
        "MaHoSo",
        "MaTTHC",
        "DonViXuLy",
        "KenhThucHien",
        "NgayNopHoSo",
        "TrangThaiHoSo",
    ] {
        assert_rejects(&with(json!({ field: null })), field);
        assert_rejects(&with(json!({ field: "" })), field);
    }
}

#[test]
fn codes_are_checked() {
    assert_rejects(&with(json!({"MaHoSo": "000.00.12.H21-251013-00001"})), "MaHoSo");
    assert_rejects(&with(json!({"MaHoSo": "000.00.12.H21-251399-0001"})), "MaHoSo");
    assert_rejects(&with(json!({"MaTTHC": "1001193"})), "MaTTHC");
    assert_rejects(&with(json!({"DonViXuLy": 23575})), "DonViXuLy");
    // A valid code is reported with the errors, to find the dossier in the source system.
    let errors = parse_line(&with(json!({"DanhGia": 5})), 1).unwrap_err();
    assert_eq!(errors.code.as_deref(), Some("000.00.12.H21-251013-0001"));
}

#[test]
fn unknown_status_or_channel_is_rejected() {
    assert_rejects(&with(json!({"TrangThaiHoSo": 11})), "TrangThaiHoSo");
    assert_rejects(&with(json!({"TrangThaiHoSo": "10"})), "TrangThaiHoSo");
    assert_rejects(&with(json!({"KenhThucHien": 0})), "KenhThucHien");
    assert_rejects(&with(json!({"KenhThucHien": 2.5})), "KenhThucHien");
    let mut v = example();
    v["LichSu"][1]["TrangThaiHoSo"] = json!(12);
    assert_rejects(&line(&v), "LichSu[1].TrangThaiHoSo");
}

#[test]
fn dates_must_be_rfc3339_with_offset() {
    for bad in [
        json!("2025-10-16T17:00:00"),
        json!("2025-10-16"),
        json!(1760608800),
        json!("16/10/2025 17:00"),
    ] {
        assert_rejects(&with(json!({ "NgayHenTra": bad })), "NgayHenTra");
    }
    assert_rejects(&with(json!({"NgayNopHoSo": "yesterday"})), "NgayNopHoSo");
    let mut v = example();
    v["LichSu"][2]["ThoiGian"] = json!("2025-13-01T00:00:00+07:00");
    assert_rejects(&line(&v), "LichSu[2].ThoiGian");
    v["LichSu"][2] = json!({"TrangThaiHoSo": 4});
    assert_rejects(&line(&v), "LichSu[2].ThoiGian");
    v["LichSu"][2] = json!("4");
    assert_rejects(&line(&v), "LichSu[2]");
    v["LichSu"] = json!({"TrangThaiHoSo": 4});
    assert_rejects(&line(&v), "LichSu");
    // Another offset is accepted; the instant is kept (chrono writes UTC as `Z`).
    let z = round_trip(&with(json!({"NgayHenTra": "2025-10-16T10:00:00Z"})));
    assert_eq!(z["NgayHenTra"], json!("2025-10-16T10:00:00Z"));
}

#[test]
fn times_must_be_consistent() {
    assert_rejects(
        &with(json!({"NgayTiepNhan": "2025-10-13T09:00:00+07:00"})),
        "NgayTiepNhan",
    );
    let early_end = with(json!({"NgayKetThucXuLy": "2025-10-13T09:19:00+07:00"}));
    assert_rejects(&early_end, "NgayKetThucXuLy");
    assert_rejects(&with(json!({"NgayTra": "2025-10-16T09:00:00+07:00"})), "NgayTra");
    assert_rejects(&with(json!({"NgayHenTra": "2025-10-12T17:00:00+07:00"})), "NgayHenTra");
    assert_rejects(&with(json!({"NgayTuChoi": "2025-10-12T17:00:00+07:00"})), "NgayTuChoi");

    let mut v = example();
    v["LichSu"][4]["ThoiGian"] = json!("2025-10-13T08:00:00+07:00");
    assert_rejects(&line(&v), "LichSu[4].ThoiGian");
    let mut v = example();
    v["LichSu"][0]["ThoiGian"] = json!("2025-10-13T09:00:00+07:00");
    assert_rejects(&line(&v), "LichSu[0].ThoiGian");
}

#[test]
fn closed_statuses_need_a_closing_time_and_open_ones_must_not_have_one() {
    for status in [3, 7, 8, 9, 10] {
        let text = with(json!({"TrangThaiHoSo": status, "LichSu": [], "NgayKetThucXuLy": null}));
        assert_rejects(&text, "NgayKetThucXuLy");
    }
    for status in [1, 2, 4, 5, 6] {
        let text = with(json!({"TrangThaiHoSo": status, "LichSu": [], "NgayTra": null}));
        assert_rejects(&text, "NgayKetThucXuLy");
    }
    assert_rejects(&with(json!({"NgayTra": null})), "NgayTra");
    let text = with(
        json!({"TrangThaiHoSo": 4, "LichSu": [], "NgayTiepNhan": null, "NgayKetThucXuLy": null,
        "NgayTra": null}),
    );
    assert_rejects(&text, "NgayTiepNhan");
}

#[test]
fn status_must_be_the_last_history_entry() {
    assert_rejects(&with(json!({"TrangThaiHoSo": 9, "NgayTra": null})), "TrangThaiHoSo");
    // The abbreviated `LichSu` of interfaces.md (5 then 4, status 10) is refused for that reason.
    let abbreviated = json!([{"TrangThaiHoSo": 5, "ThoiGian": "2025-10-14T08:00:00+07:00"},
        {"TrangThaiHoSo": 4, "ThoiGian": "2025-10-14T14:00:00+07:00"}]);
    assert_rejects(&with(json!({ "LichSu": abbreviated })), "TrangThaiHoSo");
}

#[test]
fn flags_and_rating_are_checked() {
    for flag in [
        "HoSoCoThanhPhanSoHoa",
        "KetQuaDienTu",
        "TaiKhoanDuocXacThucVoiVNeID",
        "DuocLayTuCSDLDanCu",
        "SuDungLaiDuLieuSoHoa",
        "CoNghiaVuTaiChinh",
        "DuocThanhToanTrucTuyen",
        "DongBoDVCQG",
        "CoPAKN",
    ] {
        for bad in [json!(2), json!(-1), json!("1"), json!(1.0), json!([1])] {
            assert_rejects(&with(json!({ flag: bad })), flag);
        }
    }
    for bad in [json!("Hài lòng"), json!(""), json!(1), json!("hai_long|binh_thuong")] {
        assert_rejects(&with(json!({ "DanhGia": bad })), "DanhGia");
    }
    for good in ["hai_long", "binh_thuong", "khong_hai_long"] {
        assert!(parse_line(&with(json!({ "DanhGia": good })), 1).is_ok());
    }
    let unrated = parse_line(&with(json!({"DanhGia": null})), 1).unwrap();
    assert_eq!(unrated.rating, None);
    assert_rejects(&with(json!({"DanhSachLePhi": {"Gia": 1}})), "DanhSachLePhi");
    assert_rejects(&with(json!({"TaiLieuNop": "x"})), "TaiLieuNop");
}

#[test]
fn personal_numbers_are_checked_but_never_shown() {
    for bad in [
        "999190000123",
        "06419000012",
        "064190A00123",
        "064990000123",
        "123456789",
    ] {
        let errors = parse_line(&with(json!({"SoDinhDanh": bad})), 1).unwrap_err();
        assert!(errors.errors.iter().any(|e| e.field == "SoDinhDanh"), "{bad}: {errors}");
        let shown = format!("{errors} {errors:?} {}", serde_json::to_string(&errors).unwrap());
        assert!(!shown.contains(bad), "{bad} leaked: {shown}");
        assert!(shown.contains(&mask_personal_number(bad)), "{shown}");
    }
    let record = parse_line(&with(json!({"SoDinhDanh": "064190000123"})), 1).unwrap();
    assert!(!format!("{record:?}").contains("064190000123"));
    let spaced = parse_line(&with(json!({"SoDinhDanh": "064 190 000 123"})), 1).unwrap();
    assert_eq!(import(&spaced).applicant.personal_id.as_deref(), Some("064190000123"));
    // A CMND is a historical reference for dossiers submitted before 2025.
    let old = with(json!({"SoDinhDanh": "123456789", "MaHoSo": "000.00.12.H21-241013-0001",
        "NgayNopHoSo": "2024-10-13T09:15:00+07:00", "LichSu": [], "NgayTiepNhan": "2024-10-13T09:20:00+07:00"}));
    assert!(parse_line(&old, 1).is_ok(), "{:?}", parse_line(&old, 1));
}

#[test]
fn personal_numbers_stay_out_of_the_event_record_and_exports() {
    let record = parse_line(&with(json!({"SoDinhDanh": "064190000123", "ChuHoSo": "Trần Thị B"})), 1).unwrap();
    let event = import_event(&record, "x", legal());
    assert!(!serde_json::to_string(&event.data.record)
        .unwrap()
        .contains("064190000123"));
    assert!(!format!("{event:?}").contains("064190000123"));
    let state = state_from_import(&event).unwrap();
    assert_eq!(state.applicant.personal_id.as_deref(), Some("064190000123"));
    assert_eq!(state.applicant.name, "Trần Thị B");
    let line = to_json_line(&export_record(&record.code, &state, Some(&record)));
    assert!(!line.contains("064190000123"));
    assert!(line.contains("\"SoDinhDanh\":\"064*******23\""), "{line}");
    assert!(line.contains("\"ChuHoSo\":\"Trần Thị B\""));
}

#[test]
fn parse_jsonl_numbers_lines_and_skips_blank_ones() {
    let bad = with(json!({"TrangThaiHoSo": 42}));
    let second = EXAMPLE.replace('\n', " ").replace("-0001", "-0002");
    let text = format!(
        "\u{feff}{}\n\n   \r\n{bad}\r\n{second}\nnot json\n",
        EXAMPLE.replace('\n', " ")
    );
    let (records, errors) = parse_jsonl(&text);
    assert_eq!(records.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 5]);
    assert_eq!(records[1].1.code, "000.00.12.H21-251013-0002");
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![4, 6]);
    assert_eq!(parse_jsonl(""), (Vec::new(), Vec::new()));
}

#[test]
fn missing_history_is_synthesised_from_the_dates() {
    let record = parse_line(&with(json!({"LichSu": []})), 1).unwrap();
    let state = import(&record);
    let statuses: Vec<u8> = state.history.iter().map(|c| c.status.code()).collect();
    assert_eq!(statuses, vec![1, 2, 4, 9, 10]);
    assert_eq!(state.history[3].at, t("2025-10-16T10:00:00+07:00"));
    assert_eq!(state.supplement_requests, 0);

    let counter = parse_line(&with(json!({"LichSu": [], "KenhThucHien": 1})), 1).unwrap();
    assert_eq!(import(&counter).history[0].status, Status::Accepted);

    let waiting = with(json!({"LichSu": [], "TrangThaiHoSo": 5, "NgayKetThucXuLy": null, "NgayTra": null}));
    let state = import(&parse_line(&waiting, 1).unwrap());
    assert_eq!(
        state.history.last().map(|c| c.status),
        Some(Status::SupplementRequested)
    );
    assert_eq!(state.supplement_requests, 1);
    assert_eq!(state.paused_since, Some(t("2025-10-13T09:20:00+07:00")));

    let refused = with(
        json!({"LichSu": [], "TrangThaiHoSo": 3, "NgayTiepNhan": null, "NgayHenTra": null,
        "NgayTra": null, "NgayTuChoi": "2025-10-13T10:00:00+07:00", "NgayKetThucXuLy": "2025-10-13T10:00:00+07:00"}),
    );
    let state = import(&parse_line(&refused, 1).unwrap());
    let statuses: Vec<u8> = state.history.iter().map(|c| c.status.code()).collect();
    assert_eq!(statuses, vec![1, 3]);
}

#[test]
fn a_pending_supplement_sets_the_pause_start() {
    let mut v = example();
    let history = v["LichSu"].as_array_mut().unwrap();
    history.truncate(4);
    v["TrangThaiHoSo"] = json!(5);
    for key in ["NgayKetThucXuLy", "NgayTra"] {
        v.as_object_mut().unwrap().remove(key);
    }
    let state = import(&parse_line(&line(&v), 1).unwrap());
    assert_eq!(state.status, Status::SupplementRequested);
    assert_eq!(state.paused_since, Some(t("2025-10-14T08:00:00+07:00")));
    assert_eq!(state.verdict, None);
    assert_eq!(round_trip(&line(&v)), v);
}

#[test]
fn the_verdict_follows_the_index_rule() {
    // Closed 2 hours after the appointment, but 6 hours were spent waiting for the supplement.
    let late_by_dates = with(json!({"NgayHenTra": "2025-10-16T08:00:00+07:00"}));
    let state = import(&parse_line(&late_by_dates, 1).unwrap());
    assert_eq!(state.verdict, Some(Verdict::OnTime));

    // A second supplement request makes the dossier late whatever the dates say.
    let mut v = example();
    let second = [
        json!({"TrangThaiHoSo": 5, "ThoiGian": "2025-10-15T08:00:00+07:00"}),
        json!({"TrangThaiHoSo": 4, "ThoiGian": "2025-10-15T09:00:00+07:00"}),
    ];
    v["LichSu"].as_array_mut().unwrap().splice(5..5, second);
    let state = import(&parse_line(&line(&v), 1).unwrap());
    assert_eq!(state.supplement_requests, 2);
    assert_eq!(state.verdict, Some(Verdict::Late));

    let next_day = with(json!({"NgayHenTra": "2025-10-17T17:00:00+07:00"}));
    assert_eq!(import(&parse_line(&next_day, 1).unwrap()).verdict, Some(Verdict::Early));

    let past_due = with(json!({"NgayHenTra": "2025-10-15T08:00:00+07:00"}));
    assert_eq!(import(&parse_line(&past_due, 1).unwrap()).verdict, Some(Verdict::Late));
}

#[test]
fn supplement_pause_stops_at_the_end() {
    let h = |s: Status, at: &str| StatusChange { status: s, at: t(at) };
    let history = [
        h(Status::InProgress, "2025-10-13T09:00:00+07:00"),
        h(Status::SupplementRequested, "2025-10-14T08:00:00+07:00"),
        h(Status::InProgress, "2025-10-14T14:00:00+07:00"),
        h(Status::SupplementRequested, "2025-10-15T08:00:00+07:00"),
    ];
    let p = supplement_pause(&history, t("2025-10-14T10:00:00+07:00"));
    assert_eq!((p.requests, p.paused), (1, Duration::hours(2)));
    let p = supplement_pause(&history, t("2025-10-15T09:00:00+07:00"));
    assert_eq!((p.requests, p.paused), (2, Duration::hours(7)));
}

#[test]
fn import_events_are_checked() {
    let record = parse_line(EXAMPLE, 1).unwrap();
    let mut event = import_event(&record, "x", legal());
    event.status = Status::InProgress;
    assert!(state_from_import(&event).is_err());
    let mut event = import_event(&record, "x", legal());
    event.data.record = Some(json!({"MaHoSo": "x"}));
    assert!(state_from_import(&event).unwrap_err().contains("MaTTHC"));
    let mut event = import_event(&record, "x", legal());
    event.data.record = None;
    assert!(state_from_import(&event).is_err());
    let mut event = import_event(&record, "x", legal());
    event.action = EventAction::Start;
    assert!(state_from_import(&event).is_err());
}

#[test]
fn a_live_export_writes_tracked_flags_and_leaves_the_rest_unset() {
    let record = parse_line(EXAMPLE, 1).unwrap();
    let mut state = import(&record);
    state.fees_dong = 0;
    state.identity_verified = true;
    let exported = export_record("000.00.12.H21-251013-0009", &state, None);
    let v: Value = serde_json::from_str(&to_json_line(&exported)).unwrap();
    assert_eq!(v["MaHoSo"], json!("000.00.12.H21-251013-0009"));
    assert_eq!(v["DuocLayTuCSDLDanCu"], json!(1));
    assert_eq!(v["CoNghiaVuTaiChinh"], json!(0));
    assert_eq!(v["DanhGia"], Value::Null);
    assert!(v.get("DongBoDVCQG").is_none());
    // Digitised and reused papers are tracked since the submission's files are (false here).
    assert_eq!(v["HoSoCoThanhPhanSoHoa"], json!(0));
    assert_eq!(v["SuDungLaiDuLieuSoHoa"], json!(0));
    state.digitised_components = true;
    state.reused_data = true;
    let v: Value = serde_json::from_str(&to_json_line(&export_record("x", &state, None))).unwrap();
    assert_eq!(
        (&v["HoSoCoThanhPhanSoHoa"], &v["SuDungLaiDuLieuSoHoa"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(v["LichSu"].as_array().map(Vec::len), Some(7));
    // The export reads back as a valid record.
    assert!(parse_line(&to_json_line(&exported), 1).is_ok());
}

#[test]
fn serde_deserialisation_validates() {
    let ok: ExchangeRecord = serde_json::from_str(EXAMPLE).unwrap();
    assert_eq!(ok.code, "000.00.12.H21-251013-0001");
    let err = serde_json::from_str::<ExchangeRecord>(&with(json!({"TrangThaiHoSo": 0}))).unwrap_err();
    assert!(err.to_string().contains("TrangThaiHoSo"));
}

// ---- property tests ----

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,30}".prop_map(Value::String),
        Just(json!("2025-10-13T09:15:00+07:00")),
        Just(json!("000.00.12.H21-251013-0001")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[A-Za-z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects with random values under the known names (and a few others).
fn fuzzy_object() -> impl Strategy<Value = String> {
    let key = prop::sample::select(
        KNOWN_FIELDS
            .iter()
            .map(|k| k.to_string())
            .chain(["X".to_string()])
            .collect::<Vec<_>>(),
    );
    prop::collection::vec((key, json_value()), 0..20)
        .prop_map(|pairs| line(&Value::Object(pairs.into_iter().collect())))
}

#[derive(Clone, Debug)]
struct Spec {
    status: u8,
    channel: u8,
    start_minute: i64,
    gaps: Vec<i64>,
    supplements: usize,
    fees_step: bool,
    withdraw_early: bool,
    flags: [Option<bool>; 5],
    tracked: [bool; 4],
    rating: Option<usize>,
    name: Option<String>,
    extra: Vec<(String, String)>,
    appointment_days: Option<i64>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (
            1u8..=10,
            1u8..=3,
            0i64..5_000_000,
            prop::collection::vec(0i64..20_000, 24),
        ),
        (
            0usize..3,
            any::<bool>(),
            any::<bool>(),
            prop::array::uniform5(prop::option::of(any::<bool>())),
        ),
        (
            prop::array::uniform4(any::<bool>()),
            prop::option::of(0usize..3),
            prop::option::of("\\PC{1,20}"),
        ),
        (
            prop::collection::vec(("Y[a-z]{1,8}", "\\PC{0,10}"), 0..3),
            prop::option::of(0i64..30),
        ),
    )
        .prop_map(
            |(
                (status, channel, start_minute, gaps),
                (supplements, fees_step, withdraw_early, flags),
                (tracked, rating, name),
                (extra, appointment_days),
            )| Spec {
                status,
                channel,
                start_minute,
                gaps,
                supplements,
                fees_step,
                withdraw_early,
                flags,
                tracked,
                rating,
                name: name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_string()),
                extra,
                appointment_days,
            },
        )
}

/// A consistent record for a spec: `LichSu` follows the statuses a dossier can go through.
fn valid_line(s: &Spec) -> String {
    let start = t("2020-01-01T00:00:00+07:00") + Duration::minutes(s.start_minute);
    let mut gaps = s.gaps.iter().copied();
    let mut now = start;
    let mut next = |now: &mut Instant| {
        *now += Duration::minutes(gaps.next().unwrap_or(1));
        *now
    };
    let status = Status::from_code(i64::from(s.status)).unwrap();
    let date = |i: Instant| i.to_rfc3339();
    let mut history: Vec<(u8, Instant)> = Vec::new();
    let mut v = json!({
        "MaHoSo": format!("000.00.12.H21-{}-0042", start.format("%y%m%d")),
        "MaTTHC": "1.001193", "DonViXuLy": "23575", "KenhThucHien": s.channel,
        "NgayNopHoSo": date(start), "TrangThaiHoSo": s.status,
    });
    if s.channel != 1 || status == Status::Submitted {
        history.push((1, start));
    }
    let mut received = None;
    match status {
        Status::Submitted => {}
        Status::Refused => {
            let at = next(&mut now);
            history.push((3, at));
            v["NgayKetThucXuLy"] = json!(date(at));
            v["NgayTuChoi"] = json!(date(at));
        }
        Status::Withdrawn if s.withdraw_early => {
            let at = next(&mut now);
            history.push((7, at));
            v["NgayKetThucXuLy"] = json!(date(at));
        }
        _ => {
            let at = next(&mut now);
            received = Some(at);
            v["NgayTiepNhan"] = json!(date(at));
            history.push((2, at));
            if status != Status::Accepted {
                history.push((4, next(&mut now)));
                for _ in 0..s.supplements {
                    history.push((5, next(&mut now)));
                    history.push((4, next(&mut now)));
                }
                if s.fees_step {
                    history.push((6, next(&mut now)));
                    history.push((4, next(&mut now)));
                }
                match status {
                    Status::InProgress => {}
                    Status::SupplementRequested | Status::FeesDue => history.push((s.status, next(&mut now))),
                    Status::Returned => {
                        let at = next(&mut now);
                        history.push((9, at));
                        v["NgayKetThucXuLy"] = json!(date(at));
                        let back = next(&mut now);
                        history.push((10, back));
                        v["NgayTra"] = json!(date(back));
                    }
                    _ => {
                        let at = next(&mut now);
                        history.push((s.status, at));
                        v["NgayKetThucXuLy"] = json!(date(at));
                    }
                }
            }
        }
    }
    if let (Some(received), Some(days)) = (received, s.appointment_days) {
        v["NgayHenTra"] = json!(date(received + Duration::days(days)));
    }
    v["LichSu"] = history
        .iter()
        .map(|(st, at)| json!({"TrangThaiHoSo": st, "ThoiGian": date(*at)}))
        .collect();
    let untracked = [
        "HoSoCoThanhPhanSoHoa",
        "SuDungLaiDuLieuSoHoa",
        "CoNghiaVuTaiChinh",
        "DongBoDVCQG",
        "CoPAKN",
    ];
    for (key, flag) in untracked.iter().zip(s.flags) {
        if let Some(f) = flag {
            v[*key] = json!(u8::from(f));
        }
    }
    let tracked = [
        "KetQuaDienTu",
        "TaiKhoanDuocXacThucVoiVNeID",
        "DuocLayTuCSDLDanCu",
        "DuocThanhToanTrucTuyen",
    ];
    for (key, flag) in tracked.iter().zip(s.tracked) {
        v[*key] = json!(u8::from(flag));
    }
    v["DanhGia"] = s
        .rating
        .map_or(Value::Null, |r| json!(["hai_long", "binh_thuong", "khong_hai_long"][r]));
    if let Some(name) = &s.name {
        v["ChuHoSo"] = json!(name);
    }
    for (key, value) in &s.extra {
        v[key] = json!(value);
    }
    line(&v)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse_line(&text, 1);
        let _ = parse_jsonl(&text);
    }

    #[test]
    fn arbitrary_objects_never_panic(text in fuzzy_object()) {
        if let Ok(record) = parse_line(&text, 1) {
            let state = import(&record);
            let _ = to_json_line(&export_record(&record.code, &state, Some(&record)));
        }
    }

    #[test]
    fn valid_records_parse_and_round_trip(s in spec()) {
        let text = valid_line(&s);
        let record = parse_line(&text, 1);
        prop_assert!(record.is_ok(), "{:?}\n{}", record.err(), text);
        let expected: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(round_trip(&text), expected);
    }
}
