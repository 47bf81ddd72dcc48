//! The compact, period-independent summary of one dossier that the live index keeps (issue #7):
//! everything [`classify`](super::classify) reads from an exchange record, as integers, so that
//! the index of any unit and period is a tight scan over columns instead of a classification of
//! full records.
//!
//! On-time depends on the period end e (the pause and the number of supplement requests are
//! counted up to e), so the fact keeps the supplement requests themselves — (requested at, the
//! next non-supplement status or open) in `LichSu` order — and the rule is applied per query by
//! [`accumulate`]. Instants are nanoseconds since the Unix epoch, exact for chrono instants
//! between 1677 and 2262.

use serde::{Deserialize, Serialize};

use super::period::Period;
use super::score::IndexAccumulator;
use crate::dossier::exchange::{ExchangeRecord, Rating};
use crate::dossier::{Instant, Status, SubmissionChannel};

/// Flag bits of [`IndexFact::flags`].
pub mod flag {
    /// Status 9/10: closed with a result (F when the closing is in the period).
    pub const RESULT: u16 = 1;
    /// 1.4 `DongBoDVCQG`.
    pub const SYNCED: u16 = 1 << 1;
    /// 3.3 `KenhThucHien` = 2.
    pub const ONLINE: u16 = 1 << 2;
    /// 3.3 variant: online, and with an electronic result if it has a result.
    pub const ONLINE_E_RESULT: u16 = 1 << 3;
    /// 3.6 denominator.
    pub const HAS_FEES: u16 = 1 << 4;
    /// 3.6 numerator (counted only with fees).
    pub const PAID_ONLINE: u16 = 1 << 5;
    /// 4.1 `KetQuaDienTu`.
    pub const E_RESULT: u16 = 1 << 6;
    /// 4.2.
    pub const DIGITISED: u16 = 1 << 7;
    /// 4.3.
    pub const REUSED: u16 = 1 << 8;
    /// 4.5b: VNeID account or population data.
    pub const IDENTITY: u16 = 1 << 9;
    /// 5.4: "không hài lòng" or a complaint.
    pub const DISSATISFIED: u16 = 1 << 10;
}

/// "Still waiting" as the end of a supplement request, and "never" as a closing time.
pub const OPEN: i64 = i64::MAX;

/// One dossier's index fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexFact {
    /// `DonViXuLy` as recorded (the index maps pre-2025 codes to the new units).
    pub unit: String,
    /// `NgayTiepNhan` (ns).
    pub received: Option<i64>,
    /// `NgayKetThucXuLy` (ns).
    pub closing: Option<i64>,
    /// `NgayHenTra` (ns).
    pub due: Option<i64>,
    pub flags: u16,
    /// Each status-5 entry of `LichSu`, in order: (its time, the time of the next entry that is
    /// not 5, or [`OPEN`]).
    pub supplements: Vec<(i64, i64)>,
}

/// Nanoseconds since the epoch, saturated outside chrono's nanosecond range (years 1677–2262).
pub fn nanos(t: Instant) -> i64 {
    t.timestamp_nanos_opt()
        .unwrap_or(if t.timestamp() < 0 { i64::MIN / 2 } else { i64::MAX / 2 })
}

/// The period as [start, end) in nanoseconds.
pub fn period_nanos(period: &Period) -> (i64, i64) {
    (nanos(period.start()), nanos(period.end()))
}

impl IndexFact {
    /// The fact of a record: the same reading of the fields as [`classify`](super::classify)
    /// without a legal due (a record without `NgayHenTra` is never on time).
    pub fn from_record(r: &ExchangeRecord) -> IndexFact {
        let on = |f: Option<bool>| f == Some(true);
        let result = matches!(r.status, Status::ResultReady | Status::Returned);
        let online = r.channel == SubmissionChannel::Online;
        let e_result = on(r.electronic_result);
        let bits = [
            (result, flag::RESULT),
            (on(r.synced_to_portal), flag::SYNCED),
            (online, flag::ONLINE),
            (online && (!result || e_result), flag::ONLINE_E_RESULT),
            (on(r.has_fees), flag::HAS_FEES),
            (on(r.paid_online), flag::PAID_ONLINE),
            (e_result, flag::E_RESULT),
            (on(r.digitised_components), flag::DIGITISED),
            (on(r.reused_digitised_data), flag::REUSED),
            (on(r.vneid_account) || on(r.population_data), flag::IDENTITY),
            (
                r.rating == Some(Rating::KhongHaiLong) || on(r.complaint),
                flag::DISSATISFIED,
            ),
        ];
        let flags = bits.iter().filter(|(yes, _)| *yes).fold(0, |acc, (_, bit)| acc | bit);
        let supplements = r
            .history
            .iter()
            .enumerate()
            .filter(|(_, h)| h.status == Status::SupplementRequested)
            .map(|(i, h)| {
                let until = r.history[i + 1..]
                    .iter()
                    .find(|n| n.status != Status::SupplementRequested)
                    .map_or(OPEN, |n| nanos(n.at));
                (nanos(h.at), until)
            })
            .collect();
        IndexFact {
            unit: r.unit.clone(),
            received: r.received_at.map(nanos),
            closing: r.finished_at.map(nanos),
            due: r.appointment.map(nanos),
            flags,
            supplements,
        }
    }

    /// Counts the dossier into `acc` for the period [start, end) (nanoseconds).
    pub fn accumulate(&self, acc: &mut IndexAccumulator, start: i64, end: i64) {
        accumulate(
            acc,
            Row {
                received: self.received.unwrap_or(OPEN),
                closing: self.closing.unwrap_or(OPEN),
                due: self.due.unwrap_or(NO_DUE),
                flags: self.flags,
                supplements: &self.supplements,
            },
            start,
            end,
        );
    }

    /// The supplement list as stored in a text column: `at:until` pairs joined by `;`, with an
    /// empty `until` for a request still open.
    pub fn supplements_text(&self) -> String {
        let mut out = String::new();
        for (i, (at, until)) in self.supplements.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(&at.to_string());
            out.push(':');
            if *until != OPEN {
                out.push_str(&until.to_string());
            }
        }
        out
    }

    /// Reads [`supplements_text`](Self::supplements_text); `None` when malformed.
    pub fn parse_supplements(text: &str) -> Option<Vec<(i64, i64)>> {
        if text.is_empty() {
            return Some(Vec::new());
        }
        text.split(';')
            .map(|pair| {
                let (at, until) = pair.split_once(':')?;
                let until = if until.is_empty() { OPEN } else { until.parse().ok()? };
                Some((at.parse().ok()?, until))
            })
            .collect()
    }
}

/// "No appointment" as a due instant: nothing is on time against it.
pub const NO_DUE: i64 = i64::MIN;

/// One dossier as the scan sees it: absent instants are [`OPEN`] (received, closing) or
/// [`NO_DUE`].
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub received: i64,
    pub closing: i64,
    pub due: i64,
    pub flags: u16,
    pub supplements: &'a [(i64, i64)],
}

/// The definitions for one dossier and the period [start, end), counted into `acc`; the
/// same decisions as [`classify`](super::classify) followed by
/// [`IndexAccumulator::add`].
#[inline]
pub fn accumulate(acc: &mut IndexAccumulator, row: Row<'_>, start: i64, end: i64) {
    let inside = |t: i64| start <= t && t < end;
    let received_in_period = row.received != OPEN && inside(row.received);
    // An absent closing (OPEN) is never before the start.
    let backlog = row.received != OPEN && row.received < start && row.closing >= start;
    let closed_inside = row.closing != OPEN && inside(row.closing);
    let f = row.flags;
    let has = |bit: u16| f & bit != 0;
    let closed_with_result = has(flag::RESULT) && closed_inside;
    if received_in_period {
        let inc = |bit: u16| u64::from(has(bit));
        acc.received += 1;
        acc.synced += inc(flag::SYNCED);
        acc.online += inc(flag::ONLINE);
        acc.online_with_e_result += inc(flag::ONLINE_E_RESULT);
        acc.with_fees += inc(flag::HAS_FEES);
        acc.paid_online += u64::from(has(flag::HAS_FEES) && has(flag::PAID_ONLINE));
        acc.digitised += inc(flag::DIGITISED);
        acc.reused_data += inc(flag::REUSED);
        acc.identity_checked += inc(flag::IDENTITY);
    }
    if received_in_period || backlog {
        let e = if closed_inside { row.closing } else { end };
        let on_time = on_time(row.due, row.supplements, e);
        acc.handled += 1;
        acc.backlog += u64::from(backlog && !received_in_period);
        acc.on_time += u64::from(on_time);
        acc.on_time_satisfied += u64::from(on_time && !has(flag::DISSATISFIED));
    }
    if closed_with_result {
        acc.closed_with_result += 1;
        acc.electronic_result += u64::from(has(flag::E_RESULT));
    }
}

/// At most one supplement request up to `e`, and e − pause ≤ due (pause: each request up to `e`
/// until the next non-5 status or `e`).
#[inline]
fn on_time(due: i64, supplements: &[(i64, i64)], e: i64) -> bool {
    if due == NO_DUE {
        return false;
    }
    let mut requests = 0u32;
    let mut paused: i128 = 0;
    for &(at, until) in supplements {
        if at > e {
            continue;
        }
        requests += 1;
        paused += i128::from(until.min(e)) - i128::from(at).min(i128::from(until.min(e)));
    }
    requests <= 1 && i128::from(e) - paused <= i128::from(due)
}
