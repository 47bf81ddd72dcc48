//! What one dossier contributes to the index of a period (issue #7, "Indicator definitions").

use chrono::Duration;

use super::period::Period;
use crate::dossier::exchange::{supplement_pause, ExchangeRecord, Rating};
use crate::dossier::{Instant, Status, StatusChange, SubmissionChannel};

/// The facts of one dossier for one period. The flags are read from the record whatever the
/// dossier's sets; [`IndexAccumulator::add`](super::IndexAccumulator::add) counts each flag only
/// for the set its indicator is defined on (R, D or F).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierFacts {
    /// R: accepted (`NgayTiepNhan`) within the period.
    pub received_in_period: bool,
    /// B: accepted before the period and not closed before it starts.
    pub backlog: bool,
    /// F: closed within the period with a result (status 9/10).
    pub closed_with_result: bool,
    /// e: the closing time if it falls inside the period, else the period end.
    pub reckoned_at: Instant,
    /// Supplement requests (status 5 entries of `LichSu`) up to e.
    pub supplement_requests: u32,
    /// Time spent waiting for supplements up to e (wall-clock).
    pub paused: Duration,
    /// `NgayHenTra`, or the legal due instant the caller supplied for a record without one.
    pub due: Option<Instant>,
    /// On time by the definition; only meaningful for a dossier in D.
    pub on_time: bool,
    /// 1.4: `DongBoDVCQG`.
    pub synced: bool,
    /// 3.3: `KenhThucHien` = 2.
    pub online: bool,
    /// 3.3 variant: online, and with an electronic result if it has a result.
    pub online_with_e_result: bool,
    /// 3.6 denominator: `CoNghiaVuTaiChinh`.
    pub has_fees: bool,
    /// 3.6: `DuocThanhToanTrucTuyen`.
    pub paid_online: bool,
    /// 4.1: `KetQuaDienTu`.
    pub electronic_result: bool,
    /// 4.2: `HoSoCoThanhPhanSoHoa`.
    pub digitised: bool,
    /// 4.3: `SuDungLaiDuLieuSoHoa`.
    pub reused_data: bool,
    /// 4.5b: `TaiKhoanDuocXacThucVoiVNeID` or `DuocLayTuCSDLDanCu`.
    pub identity_checked: bool,
    /// 5.4: rated "không hài lòng" or a complaint (`CoPAKN`).
    pub dissatisfied: bool,
}

impl DossierFacts {
    /// In D = R ∪ B.
    pub fn handled(&self) -> bool {
        self.received_in_period || self.backlog
    }

    /// How far past the due instant the dossier was reckoned (after the pause), for the pages
    /// listing late dossiers. `None` when it was not late by time (a second supplement request
    /// alone makes it late) or has no due instant.
    pub fn overrun(&self) -> Option<Duration> {
        let over = self.reckoned_at - self.paused - self.due?;
        (over > Duration::zero()).then_some(over)
    }
}

/// The facts of `record` for `period`, or `None` when the dossier counts in none of R, B and F.
///
/// A record without `NgayHenTra` is never on time here: an appointment is mandatory at
/// acceptance (form 01), and judging against the legal time needs the working-time calendar.
/// Use [`classify_with_legal_due`] to apply the legal time instead.
pub fn classify(record: &ExchangeRecord, period: &Period) -> Option<DossierFacts> {
    classify_with_legal_due(record, period, None)
}

/// As [`classify`], with `legal_due` standing in for a missing `NgayHenTra`: the instant at
/// which the procedure's legal time has elapsed in working time after `NgayTiepNhan` (the caller
/// computes it with the calendar of the dossier). "Elapsed working time minus the pause ≤ legal
/// time" (vietnam-rules §5) is then the same test as for an appointment: e − pause ≤ `legal_due`.
/// `legal_due` is ignored when the record has an appointment.
pub fn classify_with_legal_due(
    record: &ExchangeRecord,
    period: &Period,
    legal_due: Option<Instant>,
) -> Option<DossierFacts> {
    let start = period.start();
    let end = period.end();
    let inside = |t: Instant| start <= t && t < end;
    let closing = record.finished_at;

    let received_in_period = record.received_at.is_some_and(inside);
    let backlog = record.received_at.is_some_and(|r| r < start) && closing.is_none_or(|c| c >= start);
    let result = matches!(record.status, Status::ResultReady | Status::Returned);
    let closed_with_result = result && closing.is_some_and(inside);
    if !(received_in_period || backlog || closed_with_result) {
        return None;
    }

    let reckoned_at = closing.filter(|c| inside(*c)).unwrap_or(end);
    let (supplement_requests, paused) = pause_until(record, reckoned_at);
    let due = record.appointment.or(legal_due);
    let on_time = supplement_requests <= 1 && due.is_some_and(|due| reckoned_at - paused <= due);

    let flag = |f: Option<bool>| f == Some(true);
    let online = record.channel == SubmissionChannel::Online;
    let electronic_result = flag(record.electronic_result);
    Some(DossierFacts {
        received_in_period,
        backlog,
        closed_with_result,
        reckoned_at,
        supplement_requests,
        paused,
        due,
        on_time,
        synced: flag(record.synced_to_portal),
        online,
        online_with_e_result: online && (!result || electronic_result),
        has_fees: flag(record.has_fees),
        paid_online: flag(record.paid_online),
        electronic_result,
        digitised: flag(record.digitised_components),
        reused_data: flag(record.reused_digitised_data),
        identity_checked: flag(record.vneid_account) || flag(record.population_data),
        dissatisfied: record.rating == Some(Rating::KhongHaiLong) || flag(record.complaint),
    })
}

/// Supplement requests and paused time up to `e`, by [`supplement_pause`], which applies the
/// same rule (each status-5 entry up to `e` pauses until the next non-5 entry, or `e`).
fn pause_until(record: &ExchangeRecord, e: Instant) -> (u32, Duration) {
    // Most dossiers never wait for a supplement: skip building the history for them.
    if !record.history.iter().any(|h| h.status == Status::SupplementRequested) {
        return (0, Duration::zero());
    }
    let history: Vec<StatusChange> = record
        .history
        .iter()
        .map(|h| StatusChange {
            status: h.status,
            at: h.at,
        })
        .collect();
    let pause = supplement_pause(&history, e);
    (pause.requests, pause.paused)
}
