//! Unit and property tests of the dossier state machine: realistic scenarios on real working days
//! of 2024–2026, and random command sequences checked against the invariants of the rules.

use std::sync::OnceLock;

use chrono::{DateTime, Duration};
use proptest::prelude::*;

use super::*;
use crate::calendar::WorkCalendar;
use crate::catalog::{Channel, ChannelOption, Level, OnlineLevel, Procedure, ProcessingTime, RawTexts, TimeUnit};
use crate::roles::Role;

const PROCEDURE: &str = "1.001193";
/// The provincial public-administration service centre (receives for every competent unit).
const CENTRE: &str = "000.00.12.H21";
const UNIT: &str = "23575";
const OTHER_UNIT: &str = "21583";
const PERSONAL_ID: &str = "064190000123";

/// An instant in Vietnam local time.
fn vn(s: &str) -> Instant {
    DateTime::parse_from_rfc3339(&format!("{s}+07:00")).unwrap()
}

/// The default calendar, built once for all tests.
fn cal() -> &'static WorkCalendar {
    static CAL: OnceLock<WorkCalendar> = OnceLock::new();
    CAL.get_or_init(WorkCalendar::default)
}

fn ctx(now: Instant) -> Context<'static> {
    Context { now, calendar: cal() }
}

/// Three working days, the legal time used throughout.
fn wf() -> Workflow {
    default_workflow(PROCEDURE, LegalTime::WorkingMinutes(3 * 480))
}

fn actor(username: &str, role: Role, unit: Option<&str>) -> Actor {
    Actor {
        username: username.into(),
        role,
        unit: unit.map(str::to_string),
    }
}

fn counter() -> Actor {
    actor("motcua1", Role::CounterOfficer, Some(CENTRE))
}
fn specialist() -> Actor {
    actor("chuyenvien1", Role::Specialist, Some(UNIT))
}
fn leader() -> Actor {
    actor("lanhdao1", Role::Leader, Some(UNIT))
}
fn other_specialist() -> Actor {
    actor("chuyenvien2", Role::Specialist, Some(OTHER_UNIT))
}
fn other_leader() -> Actor {
    actor("lanhdao2", Role::Leader, Some(OTHER_UNIT))
}
fn applicant() -> Actor {
    actor("congdan1", Role::Citizen, None)
}
fn stranger() -> Actor {
    actor("congdan2", Role::Citizen, None)
}

fn new_dossier(channel: SubmissionChannel) -> NewDossier {
    NewDossier {
        procedure: PROCEDURE.into(),
        procedure_name: "Cấp giấy phép xây dựng".into(),
        unit: UNIT.into(),
        receiving_unit: CENTRE.into(),
        channel,
        applicant: Applicant {
            name: "Nguyễn Văn An".into(),
            personal_id: Some(PERSONAL_ID.into()),
            phone: Some("0912345678".into()),
            ..Applicant::default()
        },
        applicant_username: Some("congdan1".into()),
        eid_level: 2,
        identity_verified: true,
        legal_time: LegalTime::WorkingMinutes(3 * 480),
        fees_dong: 0,
        documents: Vec::new(),
        digitised_components: false,
        reused_data: false,
    }
}

/// A dossier under test: its log and the state folded from it.
#[derive(Debug)]
struct Dossier {
    events: Vec<Event>,
    state: DossierState,
}

impl Dossier {
    fn create(channel: SubmissionChannel, by: &Actor, now: Instant) -> Result<Dossier, Rejection> {
        let events = create(new_dossier(channel), by, &ctx(now), &wf())?;
        let state = replay(&events).unwrap().unwrap();
        Ok(Dossier { events, state })
    }

    /// Received at the counter on the spot.
    fn counter_at(now: &str) -> Dossier {
        Dossier::create(SubmissionChannel::Counter, &counter(), vn(now)).unwrap()
    }

    /// Decides and, when accepted, appends and applies the events.
    fn act(&mut self, cmd: Command, by: &Actor, now: Instant, note: &str) -> Result<Vec<Event>, Rejection> {
        let events = self.state.decide(&cmd, by, &ctx(now), note)?;
        for e in &events {
            self.state = apply(Some(self.state.clone()), e).unwrap();
        }
        self.events.extend(events.iter().cloned());
        Ok(events)
    }

    /// `act` with a note, at a local time, expecting success.
    fn ok(&mut self, cmd: Command, by: &Actor, now: &str) -> Vec<Event> {
        self.act(cmd, by, vn(now), "ghi chú").unwrap_or_else(|e| panic!("{e}"))
    }

    /// Expects a 409 and checks that nothing changed.
    fn refused(&mut self, cmd: Command, by: &Actor, now: &str) {
        let before = self.state.clone();
        match self.act(cmd.clone(), by, vn(now), "ghi chú") {
            Err(Rejection::NotAllowed(_)) => {}
            other => panic!("{cmd:?} by {} should be NotAllowed, got {other:?}", by.username),
        }
        assert_eq!(self.state, before);
    }
}

fn is_not_allowed<T: std::fmt::Debug>(r: Result<T, Rejection>) -> bool {
    matches!(r, Err(Rejection::NotAllowed(_)))
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T, Rejection>) -> &'static str {
    match r {
        Err(Rejection::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn transfer_to_other() -> Command {
    let mut w = wf();
    w.unit = Some(OTHER_UNIT.into());
    Command::Transfer {
        to_unit: OTHER_UNIT.into(),
        workflow: w,
    }
}

// ---------------------------------------------------------------- intake

#[test]
fn counter_submission_is_received_and_started_on_the_spot() {
    // Monday 11 March 2024, 09:00: three working days later is Thursday 09:00.
    let d = Dossier::counter_at("2024-03-11T09:00:00");
    let actions: Vec<_> = d.events.iter().map(|e| (e.action, e.status)).collect();
    assert_eq!(
        actions,
        [
            (EventAction::Receive, Status::Accepted),
            (EventAction::Start, Status::InProgress)
        ]
    );
    let s = &d.state;
    assert_eq!(s.status, Status::InProgress);
    assert_eq!(s.step.as_deref(), Some("chuyen_vien"));
    assert_eq!(s.received_at, Some(vn("2024-03-11T09:00:00")));
    assert_eq!(s.appointment, Some(vn("2024-03-14T09:00:00")));
    assert_eq!(s.effective_due, s.appointment);
    // Specialist quota: 60 % of 1,440 = 864 working minutes = Mon 360 + Tue 480 + Wed 24.
    assert_eq!(s.step_due, Some(vn("2024-03-13T07:24:00")));
    assert_eq!(s.path, ["chuyen_vien"]);
    assert_eq!(s.workflow.as_ref(), Some(&wf()));
    assert_eq!(s.version, 2);
    let codes: Vec<u8> = s.history.iter().map(|h| h.status.code()).collect();
    assert_eq!(codes, [2, 4]);
}

#[test]
fn counter_submission_after_the_cutoff_counts_from_the_next_working_day() {
    // Friday 15 March 2024, 15:30 → received Monday 18 March 07:00; three working days of 8 h from
    // an opening end at the close of Wednesday.
    let d = Dossier::counter_at("2024-03-15T15:30:00");
    assert_eq!(d.state.received_at, Some(vn("2024-03-18T07:00:00")));
    assert_eq!(d.state.appointment, Some(vn("2024-03-20T17:00:00")));
    // The step clock starts at the receipt instant, not at the moment of the visit.
    assert_eq!(
        d.state.step_due,
        Some(cal().add_working_minutes(vn("2024-03-18T07:00:00"), 864).unwrap())
    );
}

#[test]
fn appointment_skips_the_hung_kings_holiday() {
    // Monday 15 April 2024; Thursday 18 April (Giỗ Tổ) is off.
    let d = Dossier::counter_at("2024-04-15T09:00:00");
    assert_eq!(d.state.appointment, Some(vn("2024-04-19T09:00:00")));
}

#[test]
fn within_day_procedures_are_due_at_the_close_of_the_day() {
    let w = default_workflow(PROCEDURE, LegalTime::WithinDay);
    let mut new = new_dossier(SubmissionChannel::Counter);
    new.legal_time = LegalTime::WithinDay;
    let events = create(new, &counter(), &ctx(vn("2025-10-14T08:10:00")), &w).unwrap();
    let s = replay(&events).unwrap().unwrap();
    assert_eq!(s.appointment, Some(vn("2025-10-14T17:00:00")));
}

#[test]
fn only_counter_officers_record_counter_and_postal_submissions() {
    for channel in [SubmissionChannel::Counter, SubmissionChannel::Post] {
        for by in [applicant(), specialist(), leader()] {
            assert!(is_not_allowed(Dossier::create(channel, &by, vn("2024-03-11T09:00:00"))));
        }
    }
    let mut nameless = new_dossier(SubmissionChannel::Online);
    nameless.applicant.name = "  ".into();
    let r = create(nameless, &applicant(), &ctx(vn("2024-03-11T09:00:00")), &wf());
    assert_eq!(invalid_field(r), "applicant.name");
    let mut broken = wf();
    broken.steps[0].next = vec!["nowhere".into()];
    let r = create(
        new_dossier(SubmissionChannel::Counter),
        &counter(),
        &ctx(vn("2024-03-11T09:00:00")),
        &broken,
    );
    assert_eq!(invalid_field(r), "workflow");
}

#[test]
fn online_submission_waits_for_the_counter() {
    // Submitted on Sunday 13 October 2025 evening, accepted on Monday morning.
    let mut d = Dossier::create(SubmissionChannel::Online, &applicant(), vn("2025-10-12T21:40:00")).unwrap();
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].action, EventAction::Submit);
    assert_eq!(d.state.status, Status::Submitted);
    assert_eq!(
        (d.state.step.as_ref(), d.state.received_at, d.state.appointment),
        (None, None, None)
    );

    // Nobody but the counter accepts, nor acts on a dossier that is not accepted yet.
    for by in [applicant(), stranger(), specialist(), leader()] {
        d.refused(Command::Accept { workflow: wf() }, &by, "2025-10-13T08:00:00");
    }
    d.refused(Command::Forward { to: None }, &specialist(), "2025-10-13T08:00:00");
    d.refused(Command::RequestSupplement, &specialist(), "2025-10-13T08:00:00");
    // A broken workflow is bad input, not a state conflict.
    let mut broken = wf();
    broken.steps[2].actions.clear();
    let r = d.act(
        Command::Accept { workflow: broken },
        &counter(),
        vn("2025-10-13T08:00:00"),
        "",
    );
    assert_eq!(invalid_field(r), "workflow");

    let events = d.ok(Command::Accept { workflow: wf() }, &counter(), "2025-10-13T08:00:00");
    let codes: Vec<u8> = events.iter().map(|e| e.status.code()).collect();
    assert_eq!(codes, [2, 4]);
    assert_eq!(events[0].action, EventAction::Act(Action::Accept));
    assert_eq!(events[1].action, EventAction::Start);
    assert_eq!(d.state.received_at, Some(vn("2025-10-13T08:00:00")));
    assert_eq!(d.state.appointment, Some(vn("2025-10-16T08:00:00")));
    assert_eq!(d.state.step.as_deref(), Some("chuyen_vien"));
    let codes: Vec<u8> = d.state.history.iter().map(|h| h.status.code()).collect();
    assert_eq!(codes, [1, 2, 4]);
    // Accepted once only.
    d.refused(Command::Accept { workflow: wf() }, &counter(), "2025-10-13T08:05:00");
}

#[test]
fn refusal_needs_reasons_and_closes_the_dossier() {
    let mut d = Dossier::create(SubmissionChannel::Online, &applicant(), vn("2025-10-13T09:15:00")).unwrap();
    let r = d.act(Command::Refuse, &counter(), vn("2025-10-13T09:20:00"), "  ");
    assert_eq!(invalid_field(r), "note");
    d.refused(Command::Refuse, &applicant(), "2025-10-13T09:20:00");
    d.refused(Command::Refuse, &specialist(), "2025-10-13T09:20:00");
    let events = d
        .act(Command::Refuse, &counter(), vn("2025-10-13T09:20:00"), " Thiếu bản vẽ ")
        .unwrap();
    assert_eq!(events[0].note, "Thiếu bản vẽ");
    assert_eq!(d.state.status, Status::Refused);
    assert_eq!(d.state.finished_at, Some(vn("2025-10-13T09:20:00")));
    d.refused(Command::Accept { workflow: wf() }, &counter(), "2025-10-13T09:30:00");
    d.refused(Command::Withdraw, &applicant(), "2025-10-13T09:30:00");
}

// ---------------------------------------------------------------- the whole path

/// Accepts online, then runs forward → approve → finish → return_result at the given times.
fn full_path(finish_at: &str) -> Dossier {
    let mut d = Dossier::create(SubmissionChannel::Online, &applicant(), vn("2024-03-11T08:30:00")).unwrap();
    d.ok(Command::Accept { workflow: wf() }, &counter(), "2024-03-11T09:00:00");
    let fwd = d.ok(Command::Forward { to: None }, &specialist(), "2024-03-12T10:00:00");
    assert_eq!(fwd[0].step.as_deref(), Some("lanh_dao"));
    // The specialist's quota ran until Wed 07:24; Tuesday is an earlier day.
    assert_eq!(fwd[0].verdict, Some(Verdict::Early));
    // Leader quota 25 % = 360 min from Tue 10:00: 90 + 210 on Tuesday, 60 on Wednesday.
    assert_eq!(d.state.step_due, Some(vn("2024-03-13T08:00:00")));
    let appr = d.ok(Command::Approve, &leader(), "2024-03-13T08:00:00");
    assert_eq!(appr[0].step.as_deref(), Some("tra_ket_qua"));
    assert_eq!(appr[0].verdict, Some(Verdict::OnTime));
    assert_eq!(d.state.path, ["chuyen_vien", "lanh_dao", "tra_ket_qua"]);
    d.ok(
        Command::Finish {
            electronic_result: false,
        },
        &specialist(),
        finish_at,
    );
    assert_eq!(d.state.status, Status::ResultReady);
    assert_eq!(d.state.finished_at, Some(vn(finish_at)));
    assert_eq!((d.state.step.as_ref(), d.state.step_due), (None, None));
    d
}

#[test]
fn full_path_early() {
    let mut d = full_path("2024-03-13T16:00:00");
    assert_eq!(d.state.verdict, Some(Verdict::Early));
    // The applicant cannot collect a paper result by themselves; the counter returns it.
    d.refused(Command::ReturnResult, &applicant(), "2024-03-14T08:00:00");
    d.refused(Command::ReturnResult, &specialist(), "2024-03-14T08:00:00");
    d.ok(Command::ReturnResult, &counter(), "2024-03-14T08:00:00");
    assert_eq!(d.state.status, Status::Returned);
    assert_eq!(d.state.returned_at, Some(vn("2024-03-14T08:00:00")));
    // Returning does not move the end of processing.
    assert_eq!(d.state.finished_at, Some(vn("2024-03-13T16:00:00")));
    let codes: Vec<u8> = d.state.history.iter().map(|h| h.status.code()).collect();
    assert_eq!(codes, [1, 2, 4, 9, 10]);
    // Closed for good.
    for (cmd, by) in [
        (Command::ReturnResult, counter()),
        (Command::Withdraw, applicant()),
        (
            Command::Finish {
                electronic_result: false,
            },
            specialist(),
        ),
        (Command::Stop, leader()),
    ] {
        d.refused(cmd, &by, "2024-03-15T08:00:00");
    }
    assert_eq!(replay(&d.events).unwrap().as_ref(), Some(&d.state));
}

#[test]
fn full_path_on_time_and_late() {
    // Due Thursday 14 March 09:00.
    assert_eq!(full_path("2024-03-14T09:00:00").state.verdict, Some(Verdict::OnTime));
    assert_eq!(full_path("2024-03-14T07:10:00").state.verdict, Some(Verdict::OnTime));
    assert_eq!(full_path("2024-03-14T09:01:00").state.verdict, Some(Verdict::Late));
    assert_eq!(full_path("2024-03-18T08:00:00").state.verdict, Some(Verdict::Late));
}

#[test]
fn electronic_result_may_be_received_by_the_applicant() {
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.ok(Command::Forward { to: None }, &specialist(), "2024-03-11T10:00:00");
    d.ok(Command::Approve, &leader(), "2024-03-11T11:00:00");
    d.ok(
        Command::Finish {
            electronic_result: true,
        },
        &specialist(),
        "2024-03-11T14:00:00",
    );
    assert!(d.state.electronic_result);
    d.refused(Command::ReturnResult, &stranger(), "2024-03-11T15:00:00");
    d.ok(Command::ReturnResult, &applicant(), "2024-03-11T15:00:00");
    assert_eq!(d.state.status, Status::Returned);
}

// ---------------------------------------------------------------- remarks (rating, complaint, sync)

impl Dossier {
    /// Records a remark at a local time; `Some(event)` when one was appended.
    fn remark(&mut self, r: Remark, by: &Actor, now: &str) -> Result<Option<Event>, Rejection> {
        let e = self.state.remark(&r, by, &ctx(vn(now)))?;
        if let Some(e) = &e {
            let before = self.state.clone();
            self.state = apply(Some(before.clone()), e).unwrap();
            assert!(counter_deltas(Some(&before), e, &self.state).is_empty());
            self.events.push(e.clone());
        }
        Ok(e)
    }
}

fn rate(rating: exchange::Rating) -> Remark {
    Remark::Rate {
        rating,
        comment: "  Chờ lâu  ".into(),
    }
}

/// Everything of the state but the remarks and the version.
fn without_remarks(s: &DossierState) -> DossierState {
    DossierState {
        synced_to_portal: false,
        rating: None,
        complaint: false,
        version: 0,
        ..s.clone()
    }
}

#[test]
fn rating_only_by_the_applicant_once_the_result_is_ready_and_only_once() {
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    let r = d.remark(
        rate(exchange::Rating::KhongHaiLong),
        &applicant(),
        "2024-03-11T09:30:00",
    );
    assert!(is_not_allowed(r), "not before the result");
    let mut d = full_path("2024-03-14T09:01:00");
    let before = d.state.clone();
    for by in [stranger(), counter(), specialist()] {
        let r = d.remark(rate(exchange::Rating::HaiLong), &by, "2024-03-14T10:00:00");
        assert!(is_not_allowed(r), "{} may not rate", by.username);
    }
    let long = Remark::Rate {
        rating: exchange::Rating::HaiLong,
        comment: "x".repeat(RATING_COMMENT_MAX + 1),
    };
    assert_eq!(
        invalid_field(d.remark(long, &applicant(), "2024-03-14T10:00:00")),
        "comment"
    );
    assert_eq!(d.state, before);

    let e = d
        .remark(
            rate(exchange::Rating::KhongHaiLong),
            &applicant(),
            "2024-03-14T10:00:00",
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        (e.action, e.status, e.note.as_str()),
        (EventAction::Rate, Status::ResultReady, "Chờ lâu")
    );
    assert_eq!(d.state.rating, Some(exchange::Rating::KhongHaiLong));
    // Nothing else moved: status, deadlines, verdict, history.
    assert_eq!(without_remarks(&d.state), without_remarks(&before));
    assert_eq!(d.state.version, before.version + 1);
    // The first rating stays, also after the result is returned.
    d.ok(Command::ReturnResult, &counter(), "2024-03-15T08:00:00");
    let again = d.remark(rate(exchange::Rating::HaiLong), &applicant(), "2024-03-15T09:00:00");
    assert_eq!(again, Ok(None));
    assert_eq!(d.state.rating, Some(exchange::Rating::KhongHaiLong));
    assert_eq!(replay(&d.events).unwrap().as_ref(), Some(&d.state));
    let record = exchange::export_record("X", &d.state, None);
    assert_eq!(record.rating, Some(exchange::Rating::KhongHaiLong));
}

#[test]
fn complaint_and_sync_are_recorded_once_in_any_status_and_change_nothing_else() {
    // During a supplement pause: the pause, the step and its due time stay.
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.ok(Command::RequestSupplement, &specialist(), "2024-03-11T10:00:00");
    let before = d.state.clone();
    let complaint = |code: &str| Remark::Complain {
        feedback_code: code.into(),
    };
    let e = d
        .remark(complaint("PAKN-240311-ABCDEF"), &stranger(), "2024-03-11T11:00:00")
        .unwrap()
        .unwrap();
    assert_eq!(
        (e.action, e.role, e.note.as_str()),
        (EventAction::Complain, None, "PAKN-240311-ABCDEF")
    );
    assert_eq!(e.step, before.step);
    assert!(d.state.complaint);
    assert_eq!(
        d.remark(complaint("PAKN-240311-000000"), &applicant(), "2024-03-11T12:00:00"),
        Ok(None)
    );
    let sync = d
        .remark(
            Remark::SyncToPortal,
            &Actor::system("portal_sync"),
            "2024-03-11T12:00:00",
        )
        .unwrap()
        .unwrap();
    assert_eq!(sync.action, EventAction::SyncToPortal);
    assert_eq!(
        d.remark(
            Remark::SyncToPortal,
            &Actor::system("portal_sync"),
            "2024-03-11T13:00:00"
        ),
        Ok(None)
    );
    assert_eq!(without_remarks(&d.state), without_remarks(&before));
    assert_eq!(d.state.paused_since, Some(vn("2024-03-11T10:00:00")));
    // The pause still ends and shifts the due time as without the remarks.
    d.ok(Command::Supplement, &applicant(), "2024-03-12T10:00:00");
    let mut twin = Dossier::counter_at("2024-03-11T09:00:00");
    twin.ok(Command::RequestSupplement, &specialist(), "2024-03-11T10:00:00");
    twin.ok(Command::Supplement, &applicant(), "2024-03-12T10:00:00");
    assert!(d.state.paused_minutes > 0);
    assert_eq!(without_remarks(&d.state), without_remarks(&twin.state));
    assert_eq!(replay(&d.events).unwrap().as_ref(), Some(&d.state));
    let record = exchange::export_record("X", &d.state, None);
    assert_eq!(
        (record.synced_to_portal, record.complaint, record.rating),
        (Some(true), Some(true), None)
    );

    // A closed dossier with no end time (possible in imported history) keeps having none.
    let mut closed = Dossier::counter_at("2024-03-11T09:00:00");
    closed.ok(Command::Withdraw, &applicant(), "2024-03-11T10:00:00");
    closed.state.finished_at = None;
    closed
        .remark(complaint("PAKN-1"), &stranger(), "2024-03-12T10:00:00")
        .unwrap();
    assert_eq!(closed.state.finished_at, None);
}

#[test]
fn a_remark_that_would_move_the_dossier_is_refused_by_apply() {
    let d = Dossier::counter_at("2024-03-11T09:00:00");
    let mut e = d
        .state
        .remark(
            &Remark::SyncToPortal,
            &Actor::system("portal_sync"),
            &ctx(vn("2024-03-11T10:00:00")),
        )
        .unwrap()
        .unwrap();
    e.status = Status::ResultReady;
    assert!(apply(Some(d.state.clone()), &e).is_err());
    e.status = d.state.status;
    e.step = None;
    assert!(apply(Some(d.state.clone()), &e).is_err());
    let mut rating = e.clone();
    rating.step = d.state.step.clone();
    rating.action = EventAction::Rate;
    assert!(
        apply(Some(d.state.clone()), &rating).is_err(),
        "a rating event without the rating"
    );
    // Never the first event of a dossier.
    let mut first = d.events[0].clone();
    first.action = EventAction::Complain;
    assert!(apply(None, &first).is_err());
}

#[test]
fn an_imported_records_own_feedback_stands_where_the_state_has_none() {
    let d = full_path("2024-03-14T09:01:00");
    let mut original = exchange::export_record("X", &d.state, None);
    original.synced_to_portal = Some(false);
    original.rating = Some(exchange::Rating::HaiLong);
    original.complaint = Some(false);
    let r = exchange::export_record("X", &d.state, Some(&original));
    assert_eq!(
        (r.synced_to_portal, r.rating, r.complaint),
        (Some(false), Some(exchange::Rating::HaiLong), Some(false))
    );
    let mut s = d.state.clone();
    s.synced_to_portal = true;
    s.complaint = true;
    s.rating = Some(exchange::Rating::KhongHaiLong);
    let r = exchange::export_record("X", &s, Some(&original));
    assert_eq!(
        (r.synced_to_portal, r.rating, r.complaint),
        (Some(true), Some(exchange::Rating::KhongHaiLong), Some(true))
    );
}

// ---------------------------------------------------------------- authorization

#[test]
fn actions_check_unit_role_and_step() {
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    let t = "2024-03-11T10:00:00";
    // Another unit's specialist, the wrong role at the step, citizens, the counter.
    for by in [other_specialist(), leader(), applicant(), stranger(), counter()] {
        d.refused(Command::Forward { to: None }, &by, t);
        d.refused(Command::RequestSupplement, &by, t);
    }
    // A specialist without a unit is not of the competent unit.
    d.refused(
        Command::Forward { to: None },
        &actor("chuyenvien9", Role::Specialist, None),
        t,
    );
    // A unit admin of the competent unit does not process dossiers.
    d.refused(
        Command::Forward { to: None },
        &actor("admin", Role::UnitAdmin, Some(UNIT)),
        t,
    );
    // Nothing to send back to, nothing to finish or approve at the first step.
    d.refused(Command::SendBack, &specialist(), t);
    d.refused(
        Command::Finish {
            electronic_result: false,
        },
        &specialist(),
        t,
    );
    d.refused(Command::Approve, &specialist(), t);
    d.refused(Command::Stop, &specialist(), t);
    // Unknown target: bad input.
    let r = d.act(
        Command::Forward {
            to: Some("tra_ket_qua".into()),
        },
        &specialist(),
        vn(t),
        "",
    );
    assert_eq!(invalid_field(r), "to");

    d.ok(
        Command::Forward {
            to: Some("lanh_dao".into()),
        },
        &specialist(),
        t,
    );
    // Leaders approve; they do not forward. Specialists cannot approve.
    d.refused(Command::Forward { to: None }, &leader(), t);
    d.refused(Command::Approve, &specialist(), t);
    d.refused(Command::Approve, &other_leader(), t);
    d.refused(
        Command::Finish {
            electronic_result: false,
        },
        &leader(),
        t,
    );
    d.ok(Command::Approve, &leader(), t);
    // The last step finishes; it has nowhere to forward to.
    d.refused(Command::Forward { to: None }, &specialist(), t);
    d.refused(
        Command::Finish {
            electronic_result: false,
        },
        &other_specialist(),
        t,
    );
    d.refused(
        Command::Finish {
            electronic_result: false,
        },
        &leader(),
        t,
    );
    d.refused(
        Command::Transfer {
            to_unit: OTHER_UNIT.into(),
            workflow: wf(),
        },
        &specialist(),
        t,
    );
    d.ok(
        Command::Finish {
            electronic_result: false,
        },
        &specialist(),
        t,
    );
}

#[test]
fn a_citizen_who_is_not_the_applicant_can_do_nothing() {
    let mut d = Dossier::create(SubmissionChannel::Online, &applicant(), vn("2024-05-06T09:00:00")).unwrap();
    d.refused(Command::Withdraw, &stranger(), "2024-05-06T09:10:00");
    d.ok(Command::Accept { workflow: wf() }, &counter(), "2024-05-06T09:30:00");
    d.ok(Command::RequestSupplement, &specialist(), "2024-05-06T10:00:00");
    d.refused(Command::Supplement, &stranger(), "2024-05-06T10:30:00");
    d.refused(Command::Withdraw, &stranger(), "2024-05-06T10:30:00");
    // Same username but an officer's role is not the applicant either.
    d.refused(
        Command::Supplement,
        &actor("congdan1", Role::Specialist, Some(OTHER_UNIT)),
        "2024-05-06T10:30:00",
    );
    d.ok(Command::Supplement, &applicant(), "2024-05-06T10:30:00");
    d.ok(
        Command::RequestPayment { amount_dong: 100_000 },
        &specialist(),
        "2024-05-06T11:00:00",
    );
    d.refused(Command::Pay { online: true }, &stranger(), "2024-05-06T11:10:00");
    // Only the real gateway: a citizen who names their account after it is not.
    d.refused(
        Command::Pay { online: true },
        &actor("payment_gateway", Role::Citizen, None),
        "2024-05-06T11:10:00",
    );
}

// ---------------------------------------------------------------- supplement

#[test]
fn supplement_stops_the_clock_once() {
    // Requested Tuesday 12 March 2024 10:00, supplied Thursday 14 March 14:00.
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    let r = d.act(
        Command::RequestSupplement,
        &specialist(),
        vn("2024-03-12T10:00:00"),
        " ",
    );
    assert_eq!(invalid_field(r), "note");
    d.ok(Command::RequestSupplement, &specialist(), "2024-03-12T10:00:00");
    assert_eq!(d.state.status, Status::SupplementRequested);
    assert_eq!(d.state.step.as_deref(), Some("chuyen_vien"));
    assert_eq!(d.state.paused_since, Some(vn("2024-03-12T10:00:00")));
    assert_eq!(d.state.supplement_requests, 1);
    // While paused nobody moves the dossier on.
    d.refused(Command::Forward { to: None }, &specialist(), "2024-03-13T10:00:00");
    d.refused(Command::RequestSupplement, &specialist(), "2024-03-13T10:00:00");

    let (due, step_due) = (d.state.effective_due.unwrap(), d.state.step_due.unwrap());
    d.ok(Command::Supplement, &counter(), "2024-03-14T14:00:00");
    // Tue 10:00 → Thu 14:00: Tue 300 + Wed 480 + Thu 270 + 30 = 1,080 working minutes.
    let paused = 300 + 480 + 270 + 30;
    assert_eq!(d.events.last().unwrap().data.paused_minutes, Some(paused));
    assert_eq!(d.state.paused_minutes, paused);
    assert_eq!(d.state.paused_since, None);
    assert_eq!(d.state.status, Status::InProgress);
    assert_eq!(
        d.state.appointment,
        Some(vn("2024-03-14T09:00:00")),
        "the appointment only moves by extend"
    );
    let (new_due, new_step_due) = (d.state.effective_due.unwrap(), d.state.step_due.unwrap());
    assert_eq!(cal().working_minutes_between(due, new_due).unwrap(), paused);
    assert_eq!(cal().working_minutes_between(step_due, new_step_due).unwrap(), paused);
    // Thu 09:00 + 1,080: Thu 360 + Fri 480 + Mon 240 → Monday 18 March 11:00.
    assert_eq!(new_due, vn("2024-03-18T11:00:00"));

    // A second request is refused (409), whoever asks.
    d.refused(Command::RequestSupplement, &specialist(), "2024-03-14T15:00:00");
    d.ok(Command::Forward { to: None }, &specialist(), "2024-03-14T15:00:00");
    d.refused(Command::RequestSupplement, &leader(), "2024-03-14T15:00:00");
    d.refused(Command::Supplement, &applicant(), "2024-03-14T15:00:00");
}

#[test]
fn supplement_by_the_applicant_online() {
    let mut d = Dossier::create(SubmissionChannel::Online, &applicant(), vn("2026-03-09T08:00:00")).unwrap();
    d.ok(Command::Accept { workflow: wf() }, &counter(), "2026-03-09T08:30:00");
    d.ok(Command::RequestSupplement, &specialist(), "2026-03-09T09:00:00");
    d.refused(Command::Supplement, &specialist(), "2026-03-09T10:00:00");
    d.ok(Command::Supplement, &applicant(), "2026-03-09T10:00:00");
    assert_eq!(d.state.paused_minutes, 60);
    assert_eq!(d.state.effective_due, Some(vn("2026-03-12T09:30:00")));
}

#[test]
fn closing_during_a_pause_ends_the_pause() {
    // Withdrawn while waiting for papers: the dossier is no longer paused, and the waiting time
    // still does not count against the body.
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.ok(Command::RequestSupplement, &specialist(), "2024-03-11T10:00:00");
    d.ok(Command::Withdraw, &applicant(), "2024-03-19T10:00:00");
    assert_eq!(d.state.status, Status::Withdrawn);
    assert_eq!(d.state.paused_since, None);
    assert!(d.state.paused_minutes > 0);
    assert_eq!(d.state.verdict, Some(Verdict::Early));

    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.ok(Command::Forward { to: None }, &specialist(), "2024-03-11T09:30:00");
    // Leader step cannot request papers in the default workflow; a custom one can.
    d.refused(Command::RequestSupplement, &leader(), "2024-03-11T10:00:00");
}

// ---------------------------------------------------------------- extension

#[test]
fn extension_once_with_an_apology_a_day_ahead() {
    // Due Thursday 14 March 2024 09:00.
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    let later = Command::Extend {
        new_due: vn("2024-03-19T09:00:00"),
    };
    let r = d.act(later.clone(), &specialist(), vn("2024-03-12T09:00:00"), "");
    assert_eq!(invalid_field(r), "note");
    let r = d.act(
        Command::Extend {
            new_due: vn("2024-03-14T09:00:00"),
        },
        &specialist(),
        vn("2024-03-12T09:00:00"),
        "x",
    );
    assert_eq!(invalid_field(r), "new_due");
    d.refused(later.clone(), &leader(), "2024-03-12T09:00:00");
    d.refused(later.clone(), &other_specialist(), "2024-03-12T09:00:00");
    d.ok(later.clone(), &specialist(), "2024-03-12T09:00:00");
    assert!(d.state.extended);
    assert_eq!(d.state.appointment, Some(vn("2024-03-19T09:00:00")));
    assert_eq!(d.state.effective_due, Some(vn("2024-03-19T09:00:00")));
    // Only once, even at another step.
    d.refused(
        Command::Extend {
            new_due: vn("2024-03-22T09:00:00"),
        },
        &specialist(),
        "2024-03-12T09:30:00",
    );
    d.ok(Command::Forward { to: None }, &specialist(), "2024-03-12T09:30:00");
    d.refused(
        Command::Extend {
            new_due: vn("2024-03-22T09:00:00"),
        },
        &leader(),
        "2024-03-12T09:40:00",
    );
}

#[test]
fn extension_needs_a_working_day_before_the_due_time() {
    // Due Thursday 14 March 2024 09:00: exactly one working day before is Wednesday 09:00.
    let new_due = vn("2024-03-20T09:00:00");
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.refused(Command::Extend { new_due }, &specialist(), "2024-03-13T09:01:00");
    d.ok(Command::Extend { new_due }, &specialist(), "2024-03-13T09:00:00");
    // Overdue: far too late.
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.refused(Command::Extend { new_due }, &specialist(), "2024-03-15T09:00:00");
}

#[test]
fn extension_to_a_day_off_keeps_the_effective_due_on_or_after_the_appointment() {
    // The new date is a Saturday: the body may not judge itself against an earlier instant.
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.ok(
        Command::Extend {
            new_due: vn("2024-03-16T10:00:00"),
        },
        &specialist(),
        "2024-03-12T09:00:00",
    );
    assert!(d.state.effective_due.unwrap() >= d.state.appointment.unwrap());
    // A receipt with seconds and a new date on the minute.
    let mut d = Dossier::counter_at("2024-03-11T09:00:30");
    d.ok(
        Command::Extend {
            new_due: vn("2024-03-15T10:00:00"),
        },
        &specialist(),
        "2024-03-12T09:00:00",
    );
    assert!(d.state.effective_due.unwrap() >= d.state.appointment.unwrap());
}

#[test]
fn extension_after_a_pause_keeps_the_pause() {
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.ok(Command::RequestSupplement, &specialist(), "2024-03-11T10:00:00");
    d.ok(Command::Supplement, &counter(), "2024-03-11T11:00:00");
    assert_eq!(d.state.effective_due, Some(vn("2024-03-14T10:00:00")));
    d.ok(
        Command::Extend {
            new_due: vn("2024-03-15T09:00:00"),
        },
        &specialist(),
        "2024-03-11T14:00:00",
    );
    assert_eq!(d.state.appointment, Some(vn("2024-03-15T09:00:00")));
    assert_eq!(d.state.effective_due, Some(vn("2024-03-15T10:00:00")));
}

// ---------------------------------------------------------------- payment

#[test]
fn fees_are_requested_and_paid() {
    let gateway = Actor::system("payment_gateway");
    for (payer, online) in [(applicant(), true), (counter(), false), (gateway, true)] {
        let mut d = Dossier::counter_at("2025-06-02T09:00:00");
        let r = d.act(
            Command::RequestPayment { amount_dong: 0 },
            &specialist(),
            vn("2025-06-02T10:00:00"),
            "",
        );
        assert_eq!(invalid_field(r), "amount_dong");
        d.refused(
            Command::RequestPayment { amount_dong: 50_000 },
            &leader(),
            "2025-06-02T10:00:00",
        );
        d.refused(Command::Pay { online }, &payer, "2025-06-02T10:00:00");
        d.ok(
            Command::RequestPayment { amount_dong: 50_000 },
            &specialist(),
            "2025-06-02T10:00:00",
        );
        assert_eq!(d.state.status, Status::FeesDue);
        assert_eq!(d.state.fees_requested_dong, Some(50_000));
        assert_eq!(d.state.step.as_deref(), Some("chuyen_vien"));
        d.refused(Command::Forward { to: None }, &specialist(), "2025-06-02T10:30:00");
        d.refused(Command::Pay { online }, &specialist(), "2025-06-02T10:30:00");
        let events = d.ok(Command::Pay { online }, &payer, "2025-06-02T10:30:00");
        assert_eq!(events[0].data.amount_dong, Some(50_000));
        assert_eq!(d.state.status, Status::InProgress);
        assert!(d.state.paid);
        assert_eq!(d.state.paid_online, online);
        d.refused(Command::Pay { online }, &payer, "2025-06-02T10:40:00");
    }
}

// ---------------------------------------------------------------- withdraw, stop, transfer

#[test]
fn the_applicant_withdraws_from_every_open_status() {
    let t = "2025-06-03T09:00:00";
    let mut d = Dossier::create(SubmissionChannel::Online, &applicant(), vn("2025-06-02T09:00:00")).unwrap();
    d.ok(Command::Withdraw, &applicant(), t);
    assert_eq!((d.state.status, d.state.finished_at), (Status::Withdrawn, Some(vn(t))));

    let mut d = Dossier::counter_at("2025-06-02T09:00:00");
    d.refused(Command::Withdraw, &specialist(), t);
    d.ok(Command::Withdraw, &applicant(), t);
    assert_eq!(d.state.status, Status::Withdrawn);
    assert_eq!(d.state.step, None);

    let mut d = Dossier::counter_at("2025-06-02T09:00:00");
    d.ok(Command::RequestSupplement, &specialist(), "2025-06-02T10:00:00");
    d.ok(Command::Withdraw, &applicant(), t);
    assert_eq!((d.state.status, d.state.paused_since), (Status::Withdrawn, None));

    let mut d = Dossier::counter_at("2025-06-02T09:00:00");
    d.ok(
        Command::RequestPayment { amount_dong: 20_000 },
        &specialist(),
        "2025-06-02T10:00:00",
    );
    d.ok(Command::Withdraw, &applicant(), t);
    assert_eq!(d.state.status, Status::Withdrawn);
    d.refused(Command::Pay { online: true }, &applicant(), t);
    d.refused(Command::Withdraw, &applicant(), t);
}

#[test]
fn the_leader_stops_with_a_notice() {
    let mut d = Dossier::counter_at("2025-06-02T09:00:00");
    d.refused(Command::Stop, &leader(), "2025-06-02T10:00:00");
    d.ok(Command::Forward { to: None }, &specialist(), "2025-06-02T10:00:00");
    let r = d.act(Command::Stop, &leader(), vn("2025-06-02T11:00:00"), "");
    assert_eq!(invalid_field(r), "note");
    d.refused(Command::Stop, &other_leader(), "2025-06-02T11:00:00");
    d.refused(Command::Stop, &specialist(), "2025-06-02T11:00:00");
    d.ok(Command::Stop, &leader(), "2025-06-02T11:00:00");
    assert_eq!(d.state.status, Status::Stopped);
    assert_eq!(d.state.finished_at, Some(vn("2025-06-02T11:00:00")));
    assert_eq!(d.state.verdict, Some(Verdict::Early));
    d.refused(Command::Approve, &leader(), "2025-06-02T11:10:00");
    d.refused(Command::Withdraw, &applicant(), "2025-06-02T11:10:00");
}

#[test]
fn transfer_moves_the_dossier_to_the_other_unit() {
    let mut d = Dossier::counter_at("2026-03-09T09:00:00");
    let r = d.act(
        Command::Transfer {
            to_unit: UNIT.into(),
            workflow: wf(),
        },
        &specialist(),
        vn("2026-03-09T10:00:00"),
        "",
    );
    assert_eq!(invalid_field(r), "to_unit");
    let mut broken = wf();
    broken.steps[1].next.push("chuyen_vien".into());
    let r = d.act(
        Command::Transfer {
            to_unit: OTHER_UNIT.into(),
            workflow: broken,
        },
        &specialist(),
        vn("2026-03-09T10:00:00"),
        "",
    );
    assert_eq!(invalid_field(r), "workflow");
    d.refused(transfer_to_other(), &other_specialist(), "2026-03-09T10:00:00");
    d.ok(Command::Forward { to: None }, &specialist(), "2026-03-09T10:00:00");
    // Only the first step transfers in the default workflow.
    d.refused(transfer_to_other(), &leader(), "2026-03-09T10:30:00");
    d.ok(Command::SendBack, &leader(), "2026-03-09T10:30:00");
    let events = d.ok(transfer_to_other(), &specialist(), "2026-03-09T11:00:00");
    assert_eq!(events[0].data.to_unit.as_deref(), Some(OTHER_UNIT));
    assert_eq!(d.state.unit, OTHER_UNIT);
    assert_eq!(d.state.step.as_deref(), Some("chuyen_vien"));
    assert_eq!(d.state.path, ["chuyen_vien"]);
    assert_eq!(
        d.state.workflow.as_ref().and_then(|w| w.unit.as_deref()),
        Some(OTHER_UNIT)
    );
    assert_eq!(
        d.state.step_due,
        Some(cal().add_working_minutes(vn("2026-03-09T11:00:00"), 864).unwrap())
    );
    // The overall deadline is the applicant's, unchanged by internal routing.
    assert_eq!(d.state.appointment, Some(vn("2026-03-12T09:00:00")));
    // The old unit is out; the new one works it to the end.
    d.refused(Command::Forward { to: None }, &specialist(), "2026-03-09T11:10:00");
    d.refused(Command::SendBack, &specialist(), "2026-03-09T11:10:00");
    d.ok(
        Command::Forward { to: None },
        &other_specialist(),
        "2026-03-09T11:10:00",
    );
    d.refused(Command::Approve, &leader(), "2026-03-09T11:20:00");
    d.ok(Command::Approve, &other_leader(), "2026-03-09T11:20:00");
    d.refused(
        Command::Finish {
            electronic_result: false,
        },
        &specialist(),
        "2026-03-09T14:00:00",
    );
    d.ok(
        Command::Finish {
            electronic_result: false,
        },
        &other_specialist(),
        "2026-03-09T14:00:00",
    );
    assert_eq!(d.state.verdict, Some(Verdict::Early));
}

#[test]
fn send_back_returns_to_the_specialist() {
    let mut d = Dossier::counter_at("2024-03-11T09:00:00");
    d.refused(Command::SendBack, &specialist(), "2024-03-11T09:30:00");
    d.ok(Command::Forward { to: None }, &specialist(), "2024-03-11T09:30:00");
    d.refused(Command::SendBack, &specialist(), "2024-03-11T10:00:00");
    d.refused(Command::SendBack, &other_leader(), "2024-03-11T10:00:00");
    let back = d.ok(Command::SendBack, &leader(), "2024-03-11T10:00:00");
    assert_eq!(back[0].step.as_deref(), Some("chuyen_vien"));
    assert_eq!(d.state.path, ["chuyen_vien"]);
    // A fresh specialist quota from the moment it came back.
    assert_eq!(
        d.state.step_due,
        Some(cal().add_working_minutes(vn("2024-03-11T10:00:00"), 864).unwrap())
    );
    assert_eq!(d.state.step_started_at, Some(vn("2024-03-11T10:00:00")));
    d.refused(Command::SendBack, &specialist(), "2024-03-11T10:30:00");
    d.ok(Command::Forward { to: None }, &specialist(), "2024-03-11T10:30:00");
    d.ok(Command::Approve, &leader(), "2024-03-11T11:00:00");
    // From the result step back to the leader, and on again.
    d.ok(Command::SendBack, &specialist(), "2024-03-11T13:30:00");
    assert_eq!(d.state.step.as_deref(), Some("lanh_dao"));
    d.ok(Command::Approve, &leader(), "2024-03-11T14:00:00");
    d.ok(
        Command::Finish {
            electronic_result: false,
        },
        &specialist(),
        "2024-03-11T15:00:00",
    );
    assert_eq!(d.state.status, Status::ResultReady);
}

// ---------------------------------------------------------------- workflows

fn step(id: &str, role: Role, quota: u32, next: &[&str], actions: &[Action]) -> Step {
    Step {
        id: id.into(),
        name: id.into(),
        name_en: id.into(),
        role,
        quota_minutes: quota,
        next: next.iter().map(|s| s.to_string()).collect(),
        actions: actions.to_vec(),
    }
}

fn workflow(steps: Vec<Step>) -> Workflow {
    Workflow {
        procedure: PROCEDURE.into(),
        unit: None,
        legal_time: LegalTime::WorkingMinutes(3 * 480),
        steps,
    }
}

#[test]
fn workflow_validation() {
    use Role::*;
    let fin = &[Action::Finish];
    let ok = workflow(vec![
        step("a", Specialist, 600, &["b", "c"], &[]),
        step("b", Leader, 600, &["d"], &[Action::Approve]),
        step("c", Specialist, 100, &["d"], &[]),
        step("d", Specialist, 240, &[], fin),
    ]);
    assert_eq!(ok.validate(), Ok(()));

    let cases: Vec<(Workflow, WorkflowError)> = vec![
        (workflow(vec![]), WorkflowError::NoSteps),
        (
            workflow(vec![
                step("a", Specialist, 10, &["a2"], &[]),
                step("a", Leader, 10, &[], fin),
            ]),
            WorkflowError::DuplicateStep("a".into()),
        ),
        (
            workflow(vec![step("a", Specialist, 10, &["x"], fin)]),
            WorkflowError::UnknownNext {
                step: "a".into(),
                next: "x".into(),
            },
        ),
        (
            workflow(vec![
                step("a", Specialist, 10, &[], fin),
                step("b", Leader, 10, &["c"], &[]),
                step("c", Specialist, 10, &[], &[]),
            ]),
            WorkflowError::Unreachable(vec!["b".into(), "c".into()]),
        ),
        (
            workflow(vec![
                step("a", Specialist, 10, &["b"], &[]),
                step("b", Leader, 10, &["c"], &[]),
                step("c", Specialist, 10, &["b"], fin),
            ]),
            WorkflowError::Cycle("b".into()),
        ),
        (
            workflow(vec![step("a", Specialist, 10, &["a"], fin)]),
            WorkflowError::Cycle("a".into()),
        ),
        (
            workflow(vec![
                step("a", Specialist, 10, &["b"], &[]),
                step("b", Leader, 10, &[], &[Action::Approve]),
            ]),
            WorkflowError::NoFinish,
        ),
        (
            workflow(vec![
                step("a", Specialist, 1000, &["b"], &[]),
                step("b", Leader, 441, &[], fin),
            ]),
            WorkflowError::OverLegalTime {
                total: 1441,
                legal: 1440,
            },
        ),
        (
            workflow(vec![step("a", Citizen, 10, &[], fin)]),
            WorkflowError::BadRole {
                step: "a".into(),
                role: Citizen,
            },
        ),
        (
            workflow(vec![step("a", UnitAdmin, 10, &[], fin)]),
            WorkflowError::BadRole {
                step: "a".into(),
                role: UnitAdmin,
            },
        ),
        (
            workflow(vec![step("a", Specialist, 10, &[], &[Action::Finish, Action::Forward])]),
            WorkflowError::NotAStepAction {
                step: "a".into(),
                action: "forward",
            },
        ),
    ];
    for (w, expected) in cases {
        assert_eq!(w.validate(), Err(expected.clone()), "{w:?}");
        assert!(!expected.to_string().is_empty());
    }
    // The longest path counts, not the sum of all quotas: 600 + 600 + 240 ≤ 1,440.
    assert_eq!(ok.steps.iter().map(|s| s.quota_minutes).sum::<u32>(), 1540);
    // Exactly the legal time is fine.
    let exact = workflow(vec![
        step("a", Specialist, 1000, &["b"], &[]),
        step("b", Leader, 440, &[], fin),
    ]);
    assert_eq!(exact.validate(), Ok(()));
}

#[test]
fn default_workflows_validate() {
    let w = default_workflow(PROCEDURE, LegalTime::WithinDay);
    assert_eq!(w.validate(), Ok(()));
    assert_eq!(
        w.steps.iter().map(|s| s.quota_minutes).sum::<u32>(),
        WORKING_DAY_MINUTES
    );
    for days in 1..=60 {
        let legal = days * WORKING_DAY_MINUTES;
        let w = default_workflow(PROCEDURE, LegalTime::WorkingMinutes(legal));
        assert_eq!(w.validate(), Ok(()), "{days} days");
        assert_eq!(w.steps.iter().map(|s| s.quota_minutes).sum::<u32>(), legal);
        let ids: Vec<&str> = w.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["chuyen_vien", "lanh_dao", "tra_ket_qua"]);
        assert_eq!(w.first_step().map(|s| s.role), Some(Role::Specialist));
        assert_eq!(w.step("lanh_dao").map(|s| s.role), Some(Role::Leader));
    }
    // Serialises and reads back (stored in the `start` event).
    let json = serde_json::to_string(&w).unwrap();
    assert_eq!(serde_json::from_str::<Workflow>(&json).unwrap(), w);
}

fn procedure(channels: Vec<(Channel, Option<ProcessingTime>)>) -> Procedure {
    Procedure {
        code: PROCEDURE.into(),
        name: "Cấp giấy phép xây dựng".into(),
        level: vec![Level::Province],
        field: String::new(),
        agency: String::new(),
        ministry: String::new(),
        target: String::new(),
        where_to_submit: String::new(),
        steps: vec![],
        channels: channels
            .into_iter()
            .map(|(channel, processing_time)| ChannelOption {
                channel,
                processing_time,
                fees: vec![],
                description: String::new(),
            })
            .collect(),
        documents: vec![],
        results: String::new(),
        legal_basis: vec![],
        conditions: String::new(),
        decision: String::new(),
        online: OnlineLevel::Full,
        detail_url: String::new(),
        raw: RawTexts::default(),
    }
}

#[test]
fn legal_time_from_the_catalogue() {
    let t = |value, unit| LegalTime::from_processing_time(&ProcessingTime::new(value, unit));
    assert_eq!(t(7.0, TimeUnit::WorkingDays), LegalTime::WorkingMinutes(7 * 480));
    assert_eq!(t(0.5, TimeUnit::WorkingDays), LegalTime::WorkingMinutes(240));
    assert_eq!(t(0.0, TimeUnit::WorkingDays), LegalTime::WorkingMinutes(60));
    // 30 calendar days ≈ 21.4 → 22 working days.
    assert_eq!(t(30.0, TimeUnit::Days), LegalTime::WorkingMinutes(22 * 480));
    assert_eq!(t(1.0, TimeUnit::Days), LegalTime::WorkingMinutes(480));
    assert_eq!(t(4.0, TimeUnit::Hours), LegalTime::WorkingMinutes(240));
    assert_eq!(t(1.0, TimeUnit::Months), LegalTime::WorkingMinutes(22 * 480));
    assert_eq!(t(1.0, TimeUnit::Years), LegalTime::WorkingMinutes(250 * 480));
    assert_eq!(t(1.0, TimeUnit::WithinDay), LegalTime::WithinDay);
    assert_eq!(LegalTime::WithinDay.budget_minutes(), 480);

    let fallback = LegalTime::WorkingMinutes(10 * 480);
    let p = procedure(vec![
        (Channel::Counter, Some(ProcessingTime::new(15.0, TimeUnit::WorkingDays))),
        (Channel::Online, Some(ProcessingTime::new(10.0, TimeUnit::WorkingDays))),
        (Channel::Post, None),
    ]);
    assert_eq!(
        legal_time_for(&p, Channel::Online, fallback),
        LegalTime::WorkingMinutes(10 * 480)
    );
    assert_eq!(
        legal_time_for(&p, Channel::Counter, fallback),
        LegalTime::WorkingMinutes(15 * 480)
    );
    // No time for the post: any channel's stated time.
    assert_eq!(
        legal_time_for(&p, Channel::Post, fallback),
        LegalTime::WorkingMinutes(15 * 480)
    );
    let none = procedure(vec![(Channel::Counter, None)]);
    assert_eq!(legal_time_for(&none, Channel::Counter, fallback), fallback);
    assert_eq!(
        legal_time_for(&procedure(vec![]), Channel::Online, LegalTime::WithinDay),
        LegalTime::WithinDay
    );
    assert_eq!(
        SubmissionChannel::Post.catalog_channel(),
        Channel::Post,
        "the dossier channel maps to the catalogue's"
    );
}

// ---------------------------------------------------------------- codes and serde

#[test]
fn status_and_channel_serialise_as_numbers() {
    for s in Status::ALL {
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, s.code().to_string());
        assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), s);
        assert!(!s.name_vi().is_empty() && !s.name_en().is_empty());
    }
    let codes: Vec<u8> = Status::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
    for bad in ["0", "11", "-1", "\"4\"", "4.5"] {
        assert!(serde_json::from_str::<Status>(bad).is_err(), "{bad}");
    }
    let closed: Vec<u8> = Status::ALL.iter().filter(|s| s.is_closed()).map(|s| s.code()).collect();
    assert_eq!(closed, [3, 7, 8, 9, 10]);
    for (c, n) in [
        (SubmissionChannel::Counter, 1),
        (SubmissionChannel::Online, 2),
        (SubmissionChannel::Post, 3),
    ] {
        assert_eq!(serde_json::to_string(&c).unwrap(), n.to_string());
        assert_eq!(serde_json::from_str::<SubmissionChannel>(&n.to_string()).unwrap(), c);
    }
    for bad in ["0", "4", "\"online\""] {
        assert!(serde_json::from_str::<SubmissionChannel>(bad).is_err(), "{bad}");
    }
}

#[test]
fn event_actions_serialise_by_name() {
    for (a, name) in [
        (EventAction::Submit, "submit"),
        (EventAction::Receive, "receive"),
        (EventAction::Start, "start"),
        (EventAction::Import, "import"),
        (EventAction::Rate, "rate"),
        (EventAction::Complain, "complain"),
        (EventAction::SyncToPortal, "sync_to_portal"),
        (EventAction::Act(Action::Accept), "accept"),
        (EventAction::Act(Action::RequestSupplement), "request_supplement"),
        (EventAction::Act(Action::ReturnResult), "return_result"),
    ] {
        assert_eq!(a.as_str(), name);
        assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{name}\""));
        assert_eq!(serde_json::from_str::<EventAction>(&format!("\"{name}\"")).unwrap(), a);
    }
    for a in Action::ALL {
        assert_eq!(Action::parse(a.as_str()), Some(a));
        let json = serde_json::to_string(&EventAction::Act(a)).unwrap();
        assert_eq!(json, format!("\"{}\"", a.as_str()));
        assert_eq!(serde_json::from_str::<EventAction>(&json).unwrap(), EventAction::Act(a));
        assert!(!a.name_vi().is_empty());
    }
    assert_eq!(Action::parse("delete"), None);
    assert!(serde_json::from_str::<EventAction>("\"delete\"").is_err());
}

#[test]
fn applicant_debug_hides_the_personal_id() {
    let d = Dossier::counter_at("2024-03-11T09:00:00");
    for text in [
        format!("{:?}", new_dossier(SubmissionChannel::Counter).applicant),
        format!("{:?}", d.state),
        format!("{:?}", d.events),
    ] {
        assert!(!text.contains(PERSONAL_ID), "{text}");
    }
}

#[test]
fn verdicts_by_the_local_clock() {
    let due = vn("2024-03-14T09:00:00");
    assert_eq!(Verdict::judge(vn("2024-03-13T16:59:00"), due), Verdict::Early);
    assert_eq!(Verdict::judge(vn("2024-03-14T07:00:00"), due), Verdict::OnTime);
    assert_eq!(Verdict::judge(due, due), Verdict::OnTime);
    assert_eq!(Verdict::judge(vn("2024-03-14T09:00:01"), due), Verdict::Late);
    // The same instants written in UTC: 06:30 local on the due day is on time, not early.
    let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    assert_eq!(Verdict::judge(utc("2024-03-13T23:30:00Z"), due), Verdict::OnTime);
    assert_eq!(Verdict::judge(utc("2024-03-13T09:00:00Z"), due), Verdict::Early);
    assert_eq!(
        Verdict::judge(vn("2024-03-13T23:30:00"), utc("2024-03-14T02:00:00Z")),
        Verdict::Early
    );
}

#[test]
fn apply_rejects_a_broken_log() {
    let d = Dossier::counter_at("2024-03-11T09:00:00");
    // A log that does not start with the dossier.
    assert!(replay(&d.events[1..]).is_err());
    // The dossier twice.
    let mut twice = d.events.clone();
    twice.push(d.events[0].clone());
    assert!(replay(&twice).is_err());
    assert_eq!(replay(&[]).unwrap(), None);
}

// ---------------------------------------------------------------- properties

/// Who may act in the random scenarios.
fn cast() -> Vec<Actor> {
    vec![
        counter(),
        specialist(),
        leader(),
        other_specialist(),
        other_leader(),
        applicant(),
        stranger(),
        Actor::system("payment_gateway"),
    ]
}

/// A command whose instant-valued parameters are resolved against the state at run time.
#[derive(Clone, Debug)]
enum Gen {
    Accept,
    Refuse,
    RequestSupplement,
    Supplement,
    Forward,
    SendBack,
    Approve,
    RequestPayment(i64),
    Pay(bool),
    /// New date = appointment (or now) + this many minutes of wall-clock time.
    Extend(i64),
    Withdraw,
    Stop,
    Finish(bool),
    ReturnResult,
    Transfer(bool),
}

fn gen_command() -> impl Strategy<Value = Gen> {
    // Moving on is likelier than closing, so that runs reach the later statuses.
    prop_oneof![
        2 => Just(Gen::Accept),
        1 => Just(Gen::Refuse),
        2 => Just(Gen::RequestSupplement),
        2 => Just(Gen::Supplement),
        6 => Just(Gen::Forward),
        2 => Just(Gen::SendBack),
        6 => Just(Gen::Approve),
        2 => (-10_000i64..200_000).prop_map(Gen::RequestPayment),
        2 => any::<bool>().prop_map(Gen::Pay),
        2 => (-2_000i64..20_000).prop_map(Gen::Extend),
        1 => Just(Gen::Withdraw),
        1 => Just(Gen::Stop),
        4 => any::<bool>().prop_map(Gen::Finish),
        2 => Just(Gen::ReturnResult),
        2 => any::<bool>().prop_map(Gen::Transfer),
    ]
}

fn natural_actor(g: &Gen, s: &DossierState) -> Actor {
    match g {
        Gen::Accept | Gen::Refuse | Gen::ReturnResult => counter(),
        Gen::Supplement | Gen::Withdraw | Gen::Pay(_) => applicant(),
        _ => {
            let role = s
                .workflow
                .as_ref()
                .and_then(|w| w.step(s.step.as_deref()?))
                .map(|st| st.role);
            cast()
                .into_iter()
                .find(|a| Some(a.role) == role && a.unit.as_deref() == Some(s.unit.as_str()))
                .unwrap_or_else(specialist)
        }
    }
}

fn resolve(g: &Gen, s: &DossierState, now: Instant) -> Command {
    match *g {
        Gen::Accept => Command::Accept { workflow: wf() },
        Gen::Refuse => Command::Refuse,
        Gen::RequestSupplement => Command::RequestSupplement,
        Gen::Supplement => Command::Supplement,
        Gen::Forward => Command::Forward { to: None },
        Gen::SendBack => Command::SendBack,
        Gen::Approve => Command::Approve,
        Gen::RequestPayment(a) => Command::RequestPayment { amount_dong: a },
        Gen::Pay(online) => Command::Pay { online },
        Gen::Extend(m) => Command::Extend {
            new_due: s.appointment.unwrap_or(now) + Duration::minutes(m),
        },
        Gen::Withdraw => Command::Withdraw,
        Gen::Stop => Command::Stop,
        Gen::Finish(e) => Command::Finish { electronic_result: e },
        Gen::ReturnResult => Command::ReturnResult,
        Gen::Transfer(other) => {
            let to = if other { OTHER_UNIT } else { UNIT };
            let mut w = wf();
            w.unit = Some(to.into());
            Command::Transfer {
                to_unit: to.into(),
                workflow: w,
            }
        }
    }
}

/// The status changes the rules allow (§4): nothing leaves a closed status except 9 → 10.
fn allowed_transition(from: Option<Status>, to: Status) -> bool {
    use Status::*;
    match from {
        None => matches!(to, Submitted | Accepted),
        Some(Submitted) => matches!(to, Accepted | Refused | Withdrawn),
        Some(Accepted) => matches!(to, InProgress | Withdrawn),
        Some(InProgress) => matches!(
            to,
            InProgress | SupplementRequested | FeesDue | Withdrawn | Stopped | ResultReady
        ),
        Some(SupplementRequested) => {
            matches!(to, SupplementRequested | InProgress | Withdrawn | Stopped)
        }
        Some(FeesDue) => matches!(to, FeesDue | InProgress | Withdrawn | Stopped),
        Some(ResultReady) => to == Returned,
        Some(Refused | Withdrawn | Stopped | Returned) => false,
    }
}

/// Invariants of a state and its log after every decision.
fn check_invariants(events: &[Event], s: &DossierState) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        replay(events).unwrap(),
        Some(s.clone()),
        "the log alone rebuilds the state"
    );
    // …also after a trip through storage.
    let json = serde_json::to_string(events).unwrap();
    let stored: Vec<Event> = serde_json::from_str(&json).unwrap();
    prop_assert_eq!(replay(&stored).unwrap(), Some(s.clone()));
    prop_assert_eq!(s.version, events.len() as i64);

    let mut previous = None;
    for w in events.windows(2) {
        prop_assert!(w[0].at <= w[1].at, "events in time order");
    }
    for e in events {
        prop_assert!(
            allowed_transition(previous, e.status),
            "{:?} → {:?}",
            previous,
            e.status
        );
        previous = Some(e.status);
    }
    for w in s.history.windows(2) {
        prop_assert!(w[0].at <= w[1].at, "history timestamps non-decreasing");
        prop_assert!(w[0].status != w[1].status);
    }
    prop_assert_eq!(s.history.last().map(|h| h.status), Some(s.status));

    prop_assert!(s.supplement_requests <= 1);
    let extensions = events
        .iter()
        .filter(|e| e.action == EventAction::Act(Action::Extend))
        .count();
    prop_assert!(extensions <= 1);
    prop_assert_eq!(s.extended, extensions == 1);
    prop_assert_eq!(s.paused_since.is_some(), s.status == Status::SupplementRequested);
    prop_assert!(s.paused_minutes >= 0);
    if let (Some(eff), Some(app)) = (s.effective_due, s.appointment) {
        prop_assert!(eff >= app, "effective due {} before the appointment {}", eff, app);
    }
    prop_assert_eq!(s.finished_at.is_some(), s.status.is_closed());
    prop_assert_eq!(s.returned_at.is_some(), s.status == Status::Returned);
    let at_step = matches!(
        s.status,
        Status::InProgress | Status::SupplementRequested | Status::FeesDue
    );
    prop_assert_eq!(s.step.is_some(), at_step);
    prop_assert_eq!(s.step_due.is_some(), at_step);
    if let Some(step) = &s.step {
        let w = s.workflow.as_ref().expect("a dossier at a step has a workflow");
        prop_assert!(w.step(step).is_some());
        prop_assert_eq!(s.path.last(), Some(step));
    }
    // Accepted dossiers have a receipt and an appointment; refused ones never had them.
    let accepted = events.iter().any(|e| e.status == Status::Accepted);
    prop_assert_eq!(s.received_at.is_some(), accepted);
    prop_assert_eq!(s.appointment.is_some(), accepted);
    prop_assert_eq!(s.effective_due.is_some(), accepted);
    if s.finished_at.is_some() && accepted {
        prop_assert!(s.verdict.is_some());
    }
    prop_assert!(s.unit == UNIT || s.unit == OTHER_UNIT);
    Ok(())
}

/// What the rules forbid whatever the machine thinks: checked on every accepted decision.
fn check_decision(
    before: &DossierState,
    after: &DossierState,
    cmd: &Command,
    by: &Actor,
    events: &[Event],
) -> Result<(), TestCaseError> {
    let action = cmd.action();
    prop_assert!(!events.is_empty());
    prop_assert!(
        by.username != "congdan2",
        "a citizen who is not the applicant acted: {:?}",
        action
    );
    // Step actions are done by the step's role, in the competent unit.
    if matches!(
        action,
        Action::RequestSupplement
            | Action::Forward
            | Action::SendBack
            | Action::Approve
            | Action::RequestPayment
            | Action::Extend
            | Action::Stop
            | Action::Finish
            | Action::Transfer
    ) {
        let step = before
            .workflow
            .as_ref()
            .and_then(|w| w.step(before.step.as_deref()?))
            .unwrap();
        prop_assert_eq!(by.unit.as_deref(), Some(before.unit.as_str()));
        prop_assert_eq!(by.role, step.role);
    }
    if matches!(action, Action::Accept | Action::Refuse) {
        prop_assert_eq!(by.role, Role::CounterOfficer);
    }
    match action {
        Action::Supplement => {
            let paused = after.paused_minutes - before.paused_minutes;
            let shifted = cal()
                .working_minutes_between(before.effective_due.unwrap(), after.effective_due.unwrap())
                .unwrap();
            prop_assert_eq!(shifted, paused, "the due date moves by exactly the pause");
        }
        Action::RequestSupplement => prop_assert_eq!(before.supplement_requests, 0),
        Action::Extend => {
            prop_assert!(!before.extended);
            let left = cal()
                .working_minutes_between(events[0].at, before.effective_due.unwrap())
                .unwrap();
            prop_assert!(left >= cal().day_minutes());
            prop_assert!(after.appointment > before.appointment);
        }
        Action::Transfer => prop_assert!(after.unit != before.unit),
        _ => {}
    }
    Ok(())
}

/// A random instant inside office hours of a working day of 2024–2026.
fn gen_start() -> impl Strategy<Value = Instant> {
    (0i64..1080, 0i64..24 * 60).prop_map(|(day, minute)| {
        let t = vn("2024-01-01T00:00:00") + Duration::days(day) + Duration::minutes(minute);
        cal().received_at(t).unwrap()
    })
}

/// Working minutes between two commands: mostly within a few hours, sometimes days.
fn gen_gap() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 0i64..240, 1 => 0i64..3_000]
}

fn gen_channel() -> impl Strategy<Value = SubmissionChannel> {
    prop_oneof![
        Just(SubmissionChannel::Counter),
        Just(SubmissionChannel::Online),
        Just(SubmissionChannel::Post)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_lifecycles_keep_the_invariants(
        start in gen_start(),
        channel in gen_channel(),
        steps in prop::collection::vec(
            (gen_command(), 0usize..16, gen_gap(), prop::bool::weighted(0.85)),
            1..40,
        ),
    ) {
        let cast = cast();
        let creator = if channel == SubmissionChannel::Online { applicant() } else { counter() };
        let mut events = create(new_dossier(channel), &creator, &ctx(start), &wf()).unwrap();
        let mut state = replay(&events).unwrap().unwrap();
        check_invariants(&events, &state)?;
        let mut now = start;
        for (g, who, gap, with_note) in steps {
            // Later instants on the working clock (a gap of 0 is "at the same moment").
            now = cal().add_working_minutes(now, gap).unwrap();
            // Half the time a random member of the cast, else whoever normally sends it.
            let by = &cast.get(who).cloned().unwrap_or_else(|| natural_actor(&g, &state));
            let cmd = resolve(&g, &state, now);
            let note = if with_note { "Lý do" } else { "" };
            let before = state.clone();
            match state.decide(&cmd, by, &ctx(now), note) {
                Ok(new_events) => {
                    for e in &new_events {
                        prop_assert_eq!(e.at, now);
                        state = apply(Some(state), e).unwrap();
                    }
                    events.extend(new_events.iter().cloned());
                    check_decision(&before, &state, &cmd, by, &new_events)?;
                }
                Err(_) => {
                    // A refused command changes nothing; the rules' hard limits are refused.
                    prop_assert_eq!(&state, &before);
                    if matches!(g, Gen::RequestSupplement) && state.supplement_requests == 1 {
                        let again = state.decide(&cmd, by, &ctx(now), note);
                        prop_assert!(matches!(again, Err(Rejection::NotAllowed(_))));
                    }
                }
            }
            check_invariants(&events, &state)?;
        }
    }

    /// A guided path with random times: every dossier that runs to the end is judged by the clock.
    #[test]
    fn verdict_matches_the_clock(
        start in gen_start(),
        gaps in prop::collection::vec(0i64..900, 4),
        pause in prop::option::of(0i64..3_000),
    ) {
        let mut d = Dossier::create(SubmissionChannel::Counter, &counter(), start).unwrap();
        let mut now = start;
        let mut tick = |m: i64| { now = cal().add_working_minutes(now, m).unwrap(); now };
        if let Some(p) = pause {
            d.act(Command::RequestSupplement, &specialist(), tick(1), "Thiếu giấy tờ").unwrap();
            d.act(Command::Supplement, &applicant(), tick(p), "").unwrap();
            prop_assert_eq!(d.state.paused_minutes, p);
        }
        d.act(Command::Forward { to: None }, &specialist(), tick(gaps[0]), "").unwrap();
        d.act(Command::Approve, &leader(), tick(gaps[1]), "").unwrap();
        let finished = tick(gaps[2]);
        d.act(Command::Finish { electronic_result: false }, &specialist(), finished, "").unwrap();
        d.act(Command::ReturnResult, &counter(), tick(gaps[3]), "").unwrap();
        let due = cal()
            .add_working_minutes(d.state.appointment.unwrap(), pause.unwrap_or(0))
            .unwrap();
        prop_assert_eq!(d.state.effective_due, Some(due));
        prop_assert_eq!(d.state.verdict, Some(Verdict::judge(finished, due)));
        prop_assert_eq!(d.state.status, Status::Returned);
        check_invariants(&d.events, &d.state)?;
    }
}

// ---------------------------------------------------------------- the step that caused lateness

mod lateness_by_step {
    use super::*;
    use crate::dossier::lateness::{culprit, processing_stay, step_stays, summarise};

    #[test]
    fn the_overrunning_step_is_named_with_its_unit_and_working_minutes() {
        // Specialist due Wed 13 07:24 (864 min from Mon 09:00); forwarded Thu 09:00: overran.
        let mut d = Dossier::counter_at("2024-03-11T09:00:00");
        d.ok(Command::Forward { to: None }, &specialist(), "2024-03-14T09:00:00");
        d.ok(Command::Approve, &leader(), "2024-03-14T10:00:00");
        d.ok(
            Command::Finish {
                electronic_result: false,
            },
            &specialist(),
            "2024-03-14T11:00:00",
        );
        let stays = step_stays(&d.events, vn("2024-03-31T17:00:00"), cal());
        let steps: Vec<_> = stays.iter().map(|s| s.step.as_deref().unwrap()).collect();
        assert_eq!(steps, ["chuyen_vien", "lanh_dao", "tra_ket_qua"]);
        let late = &stays[0];
        assert_eq!(late.due, Some(vn("2024-03-13T07:24:00")));
        assert_eq!(late.unit, UNIT);
        assert_eq!(late.name.as_ref().map(|n| n.0.as_str()), Some("Chuyên viên thẩm định"));
        // Wed 07:24 → Thu 09:00: 456 minutes on Wednesday, 120 on Thursday.
        let expected = cal()
            .working_minutes_between(vn("2024-03-13T07:24:00"), vn("2024-03-14T09:00:00"))
            .unwrap();
        assert_eq!(late.overrun_minutes, expected);
        assert!(expected > 0);
        assert!(!stays[1].overran() && !stays[2].overran());
        assert_eq!(culprit(&stays), Some(late));
        // Reckoned before the finish: events after the end are ignored, the open stay ends there.
        let early = step_stays(&d.events, vn("2024-03-12T10:00:00"), cal());
        assert_eq!(early.len(), 1);
        assert_eq!(
            (early[0].left, early[0].overrun_minutes),
            (vn("2024-03-12T10:00:00"), 0)
        );
    }

    #[test]
    fn a_supplement_pause_moves_the_step_due_and_never_counts() {
        let mut d = Dossier::counter_at("2024-03-11T09:00:00");
        d.ok(Command::RequestSupplement, &specialist(), "2024-03-12T10:00:00");
        // Still waiting at the reckoning instant, long past the unmoved due: no overrun.
        let waiting = step_stays(&d.events, vn("2024-03-20T10:00:00"), cal());
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].overrun_minutes, 0, "{waiting:?}");
        d.ok(Command::Supplement, &counter(), "2024-03-18T09:00:00");
        d.ok(Command::Forward { to: None }, &specialist(), "2024-03-18T10:00:00");
        let stays = step_stays(&d.events, vn("2024-03-31T17:00:00"), cal());
        assert!(stays[0].due.unwrap() > vn("2024-03-18T10:00:00"), "{stays:?}");
        assert_eq!(stays[0].overrun_minutes, 0);
        // Now the leader sits on it until Friday of the next week: the leader's step is the cause.
        d.ok(Command::Approve, &leader(), "2024-03-22T16:00:00");
        let stays = step_stays(&d.events, vn("2024-03-22T17:00:00"), cal());
        let cause = culprit(&stays).expect("a cause");
        assert_eq!(cause.step.as_deref(), Some("lanh_dao"));
        assert!(!stays[2].overran());
        // Left at the last step a week longer, still open at the end: now that step overran most.
        let later = step_stays(&d.events, vn("2024-03-29T17:00:00"), cal());
        assert_eq!(later[2].left, vn("2024-03-29T17:00:00"));
        assert!(later[2].overrun_minutes > later[1].overrun_minutes, "{later:?}");
        assert_eq!(culprit(&later).and_then(|s| s.step.as_deref()), Some("tra_ket_qua"));
    }

    #[test]
    fn a_transfer_changes_the_unit_of_the_next_steps() {
        let mut d = Dossier::counter_at("2024-03-11T09:00:00");
        d.ok(transfer_to_other(), &specialist(), "2024-03-11T10:00:00");
        let stays = step_stays(&d.events, vn("2024-03-29T17:00:00"), cal());
        assert_eq!(stays.len(), 2);
        assert_eq!((stays[0].unit.as_str(), stays[1].unit.as_str()), (UNIT, OTHER_UNIT));
        assert_eq!(culprit(&stays).map(|s| s.unit.as_str()), Some(OTHER_UNIT));
    }

    #[test]
    fn without_step_detail_the_processing_is_one_stay_without_the_pause() {
        let due = vn("2024-03-14T17:00:00");
        let s = processing_stay(
            UNIT,
            vn("2024-03-11T09:00:00"),
            vn("2024-03-18T09:00:00"),
            Duration::hours(72),
            Some(due),
            cal(),
        );
        // 18 Mon 09:00 − 72 h = Fri 15 09:00: one working day and 2 hours... past Thu 17:00.
        let expected = cal().working_minutes_between(due, vn("2024-03-15T09:00:00")).unwrap();
        assert_eq!((s.step, s.overrun_minutes), (None, expected));
        assert!(expected > 0);
        let on_time = processing_stay(
            UNIT,
            vn("2024-03-11T09:00:00"),
            vn("2024-03-14T09:00:00"),
            Duration::zero(),
            Some(due),
            cal(),
        );
        assert!(!on_time.overran() && culprit(&[on_time]).is_none());
    }

    proptest! {
        /// Whatever the times of the moves, each step's overrun is its own: the working time spent
        /// at it beyond its quota, whatever the earlier steps did; the cause has the largest one.
        #[test]
        fn each_overrun_is_the_time_beyond_the_steps_own_quota(
            a in 1i64..6000, b in 1i64..6000, c in 1i64..6000,
        ) {
            let mut d = Dossier::counter_at("2024-03-11T09:00:00");
            let start = d.state.received_at.unwrap();
            let t1 = cal().add_working_minutes(start, a).unwrap();
            let t2 = cal().add_working_minutes(t1, b).unwrap();
            let t3 = cal().add_working_minutes(t2, c).unwrap();
            d.act(Command::Forward { to: None }, &specialist(), t1, "").unwrap();
            d.act(Command::Approve, &leader(), t2, "").unwrap();
            d.act(Command::Finish { electronic_result: false }, &specialist(), t3, "").unwrap();
            let stays = step_stays(&d.events, t3 + Duration::days(400), cal());
            prop_assert_eq!(stays.len(), 3);
            let quotas: Vec<u32> = wf().steps.iter().map(|s| s.quota_minutes).collect();
            for (stay, quota) in stays.iter().zip(quotas) {
                let spent = cal().working_minutes_between(stay.entered, stay.left).unwrap();
                prop_assert_eq!(stay.overrun_minutes, (spent - i64::from(quota)).max(0));
            }
            let most = stays.iter().map(|s| s.overrun_minutes).max().unwrap();
            match culprit(&stays) {
                Some(cause) => prop_assert_eq!(cause.overrun_minutes, most),
                None => prop_assert_eq!(most, 0),
            }
            let summary = summarise(culprit(&stays));
            prop_assert_eq!(summary.len(), usize::from(most > 0));
        }
    }
}
