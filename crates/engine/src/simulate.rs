//! A realistic synthetic dossier history for a province (`motcua simulate`, issue #7 scope 3).
//!
//! [`simulate`] streams [`ExchangeRecord`]s in the import format (`interfaces.md`), **in time
//! order of `NgayNopHoSo`**, without holding the history in memory: the number of dossiers of each
//! day is fixed up front (one number per day), and the submissions of a day are drawn directly as
//! sorted order statistics of the day's intensity, so ten million records cost no more memory than
//! ten. Everything is drawn from one deterministic generator (xoshiro256**, seeded by SplitMix64
//! from `seed`): the same spec and context give byte-identical output.
//!
//! What makes the history realistic (every knob is a field of [`Realism`], defaults documented
//! there):
//! - **Popularity**: a Zipf law over the procedures the province's own bodies handle (commune or
//!   province level; branches of central bodies such as customs, tax, treasury, social insurance
//!   are left out), ranked so that commune civil status, certification and residence come first,
//!   then land, then the rest (foreign-element and mobile variants far down).
//! - **Competence**: commune procedures go to one of the province's communes, weighted by a
//!   deterministic size (how many old communes it merged, ward or not, a hash-based spread);
//!   province procedures go to the department named by their field and agency (Sở Tư pháp for
//!   judicial records, Sở Xây dựng for driving licences, …).
//! - **Channels**: the online share follows [`Realism::online_share`] (about 25 % in 2023 to 60 %
//!   in 2026) but only procedures offering online submission are submitted online; counters take
//!   dossiers only on working days in office hours, online submissions come at any hour, fewer at
//!   night and on days off. Some units are more digital than others.
//! - **Seasonality**: month factors, a rush before Tết, a deep dip in the Tết week and a slow week
//!   after, a year-end peak, weekday shape, a dip in the first weeks of the 2025 reform, and
//!   day-to-day noise.
//! - **Deadlines**: `NgayTiepNhan` and `NgayHenTra` follow the working-time calendar and the
//!   procedure's legal time for the channel, exactly as the engine computes them.
//! - **Processing**: every competent unit has its own lateness rate (a few bottleneck units are
//!   late several times as often as the median, and later when late), its own supplement rate and
//!   acceptance delay; lateness is judged by the QĐ 766 rule (pause for one supplement request;
//!   a second request makes the dossier late), so what the index computes is what was intended.
//!   Supplement requests (≈ 8 %, rarely a second), refusals at reception, withdrawals, stops,
//!   fees-due cycles, results returned or left waiting.
//! - **Digitalisation** (rising over the years): digitised components, electronic results, reuse of
//!   digitised data, VNeID accounts, population-data look-ups, online payment, sync to the
//!   national portal.
//! - **Satisfaction**: ratings mostly `hai_long`, `khong_hai_long` concentrated on late dossiers;
//!   complaints (`CoPAKN`) likewise.
//! - **Period end**: everything after the end of `to` is cut off, so dossiers still open then
//!   carry open statuses (1, 2, 4, 5, 6) or a result not yet returned (9).
//! - **Units over time**: a commune dossier received before 2025-07-01 names, as `DonViXuLy`, one of
//!   the pre-2025 communes the 2025 commune was formed from (one in force on that day).
//! - **Codes**: `MaHoSo` per TT 01/2018 with the receiving unit's electronic code (the commune's
//!   own counter; the province service centre for province procedures at the counter or by post;
//!   the department for online ones), the submission date (as the engine numbers them) and a
//!   per-unit-per-day sequence. Pre-2025 communes have no electronic code in the reference data,
//!   so their dossiers carry the code of the 2025 commune they became (demo-assigned codes).
//!
//! Not modelled: appointment extensions (form 04), transfers between units, the workflow steps
//! inside a unit (only the statuses of `LichSu` are exchanged), personal identification numbers
//! (`SoDinhDanh` is left out rather than inventing plausible real numbers; `ChuHoSo` is a
//! synthetic name).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Weekday};
use motcua_domain::calendar::{lunar_new_year, vietnam, WorkCalendar, WorkDuration};
use motcua_domain::catalog::{Channel, FeeKind, Level, OnlineLevel, Procedure};
use motcua_domain::dossier::exchange::{ExchangeRecord, HistoryEntry, Rating};
use motcua_domain::dossier::{legal_time_for, Instant, LegalTime, Status, SubmissionChannel, WORKING_DAY_MINUTES};
use motcua_domain::ids::{DossierCode, ProcedureCode, UnitCode};
use motcua_domain::text::fold;
use motcua_domain::units::{UnitDirectory, UnitLevel, FIRST_DAY_2025, LAST_DAY_PRE_2025};
use motcua_store::Organisation;
use serde_json::{json, Map};

use crate::FALLBACK_LEGAL_TIME;

/// What to simulate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationSpec {
    /// GSO code of the 2025 province, e.g. `"52"`; must be the context's province.
    pub province: String,
    /// First day of submissions (inclusive).
    pub from: NaiveDate,
    /// Last day of submissions (inclusive); the history is cut at the end of this day.
    pub to: NaiveDate,
    /// Exactly this many records are produced.
    pub dossiers: u64,
    pub seed: u64,
}

/// Why a simulation cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> SimulationError {
    SimulationError::Invalid(message.into())
}

/// A share or factor that changes over time: linear between dated points, flat outside them.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    points: Vec<(NaiveDate, f64)>,
}

impl Trend {
    /// Points in any order; an empty list means 0.
    pub fn new(mut points: Vec<(NaiveDate, f64)>) -> Trend {
        points.sort_by_key(|p| p.0);
        Trend { points }
    }

    /// The same value at all times.
    pub fn flat(value: f64) -> Trend {
        Trend::new(vec![(NaiveDate::MIN, value)])
    }

    /// `start` on 1 July of `from_year` rising (or falling) linearly to `end` on 1 July of `to_year`.
    pub fn mid_years(from_year: i32, start: f64, to_year: i32, end: f64) -> Trend {
        let mid = |y: i32| NaiveDate::from_ymd_opt(y, 7, 1).unwrap_or(NaiveDate::MIN);
        Trend::new(vec![(mid(from_year), start), (mid(to_year), end)])
    }

    pub fn at(&self, date: NaiveDate) -> f64 {
        let Some(first) = self.points.first() else {
            return 0.0;
        };
        if date <= first.0 {
            return first.1;
        }
        for pair in self.points.windows(2) {
            let ((d0, v0), (d1, v1)) = (pair[0], pair[1]);
            if date <= d1 {
                let span = (d1 - d0).num_days().max(1) as f64;
                return v0 + (v1 - v0) * (date - d0).num_days() as f64 / span;
            }
        }
        self.points.last().map_or(0.0, |p| p.1)
    }
}

/// A share that differs between counter (and post) dossiers and online ones.
#[derive(Clone, Debug, PartialEq)]
pub struct ByChannel {
    pub counter: Trend,
    pub online: Trend,
}

impl ByChannel {
    fn at(&self, online: bool, date: NaiveDate) -> f64 {
        if online {
            self.online.at(date)
        } else {
            self.counter.at(date)
        }
    }
}

/// The knobs of the simulation. Shares are probabilities (0–1); the defaults are plausible for a
/// Vietnamese province in 2023–2026, not measured figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Realism {
    /// Zipf exponent of procedure popularity (rank r gets weight 1 / r^s). Default 1.0.
    pub zipf_exponent: f64,
    /// Target share of online dossiers (channel 2) among those of a working day, over time. Default
    /// 23 % in mid-2023 rising linearly to 57 % in mid-2026; days off add online-only submissions,
    /// so yearly shares come out a few points higher (≈ 27 % in 2023, ≈ 60 % in 2026). Only
    /// procedures offering online submission are submitted online, so the share saturates if the
    /// catalogue offers too little online.
    pub online_share: Trend,
    /// For a procedure handled at both levels, the share handled by communes. Default 0.65.
    pub commune_share_when_both: f64,
    /// Share of non-online dossiers sent by public post, when the procedure offers post. Default 0.03.
    pub post_share: f64,
    /// Online submissions on a day off relative to a working day. Default 0.35.
    pub day_off_online_factor: f64,
    /// Volume in the two weeks before the week of Tết (people settle papers before the holiday).
    /// Default 1.15.
    pub pre_tet_rush: f64,
    /// Volume in the week before Tết. Default 0.6.
    pub tet_eve: f64,
    /// Volume from Tết to six days after (mostly days off anyway). Default 0.2.
    pub tet_dip: f64,
    /// Volume in the second week after Tết. Default 0.75.
    pub after_tet: f64,
    /// Volume from 10 December to the end of the year (year-end peak). Default 1.3.
    pub year_end_peak: f64,
    /// Volume in the first two weeks of the 2025 two-level structure (systems being switched).
    /// Default 0.75.
    pub reform_dip: f64,
    /// Standard deviation of the log of a day's random volume factor. Default 0.12.
    pub day_noise: f64,
    /// Median unit lateness rate (share of dossiers finished after the appointment). Default 0.05.
    pub median_late_rate: f64,
    /// Spread of ordinary units' lateness (standard deviation of its log). Default 0.5.
    pub late_rate_spread: f64,
    /// Share of competent units that are bottlenecks. Default 0.08 (at least one unit).
    pub bottleneck_share: f64,
    /// Lateness rate range of bottleneck units. Default 25–45 %.
    pub bottleneck_late_rate: (f64, f64),
    /// Multiplier on every unit's lateness over time (the province improving). Default 1.3 in
    /// mid-2023 falling to 0.7 in mid-2026.
    pub late_trend: Trend,
    /// Lateness multiplier for land procedures (long, many steps). Default 1.6.
    pub land_late_factor: f64,
    /// Share of accepted dossiers with a supplement request. Units vary ±40 % around it. Default 0.08.
    pub supplement_rate: f64,
    /// Share of supplemented dossiers that get a second request (late by rule). Default 0.06.
    pub second_supplement_rate: f64,
    /// Share of online dossiers refused at reception (status 3). Default 0.025.
    pub refusal_rate: f64,
    /// Share of online dossiers withdrawn before acceptance. Default 0.004.
    pub early_withdrawal_rate: f64,
    /// Share of accepted dossiers withdrawn by the applicant. Default 0.01.
    pub withdrawal_rate: f64,
    /// Share of accepted dossiers whose processing is stopped (status 8). Default 0.012.
    pub stop_rate: f64,
    /// Share of fee-bearing dossiers that go through a fees-due step (status 6). Default 0.3.
    pub fees_due_share: f64,
    /// Share of results collected (status 10) rather than left waiting (status 9). Default 0.97.
    pub return_rate: f64,
    /// Dossiers with digitised components (766 4.2). Default counter 30 % → 85 %, online 70 % → 98 %.
    pub digitised: ByChannel,
    /// Results issued electronically (766 4.1). Default counter 10 % → 55 %, online 40 % → 92 %.
    pub electronic_result: ByChannel,
    /// Share of digitised dossiers reusing digitised data (766 4.3). Default 5 % → 55 %.
    pub reuse: Trend,
    /// Online dossiers from a VNeID-verified account. Default 30 % before the single account
    /// (1 July 2024), 95 % from then on.
    pub vneid: Trend,
    /// Dossiers using population data (Đề án 06). Default counter 20 % → 70 %, online 50 % → 95 %.
    pub population_data: ByChannel,
    /// Fee-bearing dossiers paid online (766 3.6). Default counter 2 % → 25 %, online 30 % → 85 %.
    pub paid_online: ByChannel,
    /// Dossiers synchronised to the national portal (766 1.4). Default 60 % → 99 %.
    pub synced: Trend,
    /// Share of returned dossiers whose applicant rates the service. Default 35 % → 60 %.
    pub rating_rate: Trend,
    /// (satisfied, neutral) shares of ratings of dossiers on time; the rest is "not satisfied".
    /// Default (0.93, 0.06).
    pub rating_on_time: (f64, f64),
    /// (satisfied, neutral) shares of ratings of late dossiers. Default (0.45, 0.25).
    pub rating_late: (f64, f64),
    /// Complaint (PAKN) rate of closed dossiers on time / late / stopped. Default 0.2 % / 6 % / 3 %.
    pub complaint_rate: (f64, f64, f64),
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl Default for Realism {
    fn default() -> Self {
        let rise = |a: f64, b: f64| Trend::mid_years(2023, a, 2026, b);
        Realism {
            zipf_exponent: 1.0,
            online_share: rise(0.23, 0.57),
            commune_share_when_both: 0.65,
            post_share: 0.03,
            day_off_online_factor: 0.35,
            pre_tet_rush: 1.15,
            tet_eve: 0.6,
            tet_dip: 0.2,
            after_tet: 0.75,
            year_end_peak: 1.3,
            reform_dip: 0.75,
            day_noise: 0.12,
            median_late_rate: 0.05,
            late_rate_spread: 0.5,
            bottleneck_share: 0.08,
            bottleneck_late_rate: (0.25, 0.45),
            late_trend: rise(1.3, 0.7),
            land_late_factor: 1.6,
            supplement_rate: 0.08,
            second_supplement_rate: 0.06,
            refusal_rate: 0.025,
            early_withdrawal_rate: 0.004,
            withdrawal_rate: 0.01,
            stop_rate: 0.012,
            fees_due_share: 0.3,
            return_rate: 0.97,
            digitised: ByChannel {
                counter: rise(0.30, 0.85),
                online: rise(0.70, 0.98),
            },
            electronic_result: ByChannel {
                counter: rise(0.10, 0.55),
                online: rise(0.40, 0.92),
            },
            reuse: rise(0.05, 0.55),
            vneid: Trend::new(vec![(ymd(2024, 6, 30), 0.30), (ymd(2024, 7, 1), 0.95)]),
            population_data: ByChannel {
                counter: rise(0.20, 0.70),
                online: rise(0.50, 0.95),
            },
            paid_online: ByChannel {
                counter: rise(0.02, 0.25),
                online: rise(0.30, 0.85),
            },
            synced: rise(0.60, 0.99),
            rating_rate: rise(0.35, 0.60),
            rating_on_time: (0.93, 0.06),
            rating_late: (0.45, 0.25),
            complaint_rate: (0.002, 0.06, 0.03),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

/// SplitMix64 step: seeds the main generator and mixes hashes.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mix(*state)
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit hash of a text under a salt (FNV-1a, then mixed): per-unit and per-procedure
/// traits that must not depend on iteration order.
fn hash_str(salt: u64, text: &str) -> u64 {
    let mut h = 0xCBF2_9CE4_8422_2325u64 ^ salt;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    mix(h)
}

/// A hash as a number in [0, 1).
fn unit_interval(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
#[derive(Clone, Debug)]
struct Rng {
    s: [u64; 4],
}

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut sm = seed;
        Rng {
            s: [
                splitmix(&mut sm),
                splitmix(&mut sm),
                splitmix(&mut sm),
                splitmix(&mut sm),
            ],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        unit_interval(self.next_u64())
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform index below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Index of the bucket of `x` in a cumulative weight array (`x` in [0, total)).
fn pick(cumulative: &[f64], x: f64) -> usize {
    cumulative
        .partition_point(|&c| c <= x)
        .min(cumulative.len().saturating_sub(1))
}

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

/// A procedure as the simulator uses it.
#[derive(Clone, Debug)]
struct SimProcedure {
    code: String,
    handled_by_communes: bool,
    /// The department (index into the organisations) for province-level handling.
    department: Option<usize>,
    legal_counter: LegalTime,
    legal_online: LegalTime,
    fee_counter: i64,
    fee_online: i64,
    offers_post: bool,
    land: bool,
}

/// The first and last day a unit was in force (`None`: beyond the data's horizon).
type InForce = (Option<NaiveDate>, Option<NaiveDate>);

/// An organisation as the simulator uses it.
#[derive(Clone, Debug)]
struct SimUnit {
    code: String,
    electronic: UnitCode,
    is_commune: bool,
    /// Deterministic size (communes): relative volume of dossiers.
    size: f64,
    /// Pre-2025 communes it was formed from, with the days they were in force.
    predecessors: Vec<(String, InForce)>,
}

/// What a simulation draws from: the catalogue, the province's organisations, the calendar and the
/// unit history, prepared once (weights, competence, predecessors). Reusable for many runs.
#[derive(Clone, Debug)]
pub struct SimulationContext {
    /// Private: weights derived from it are recomputed by [`SimulationContext::with_realism`].
    realism: Realism,
    province: String,
    calendar: WorkCalendar,
    procedures: Vec<SimProcedure>,
    /// Cumulative popularity, and cumulative popularity × online availability.
    cum_all: Vec<f64>,
    cum_online: Vec<f64>,
    /// Per procedure (same order): how readily it goes online (0 when not offered).
    online_factors: Vec<f64>,
    /// Popularity-weighted share of demand that could go online (G).
    online_capacity: f64,
    units: Vec<SimUnit>,
    communes: Vec<usize>,
    /// Cumulative commune sizes for counter dossiers (size) and online ones (size × digital factor).
    commune_cum_counter: Vec<f64>,
    commune_cum_online: Vec<f64>,
    service_centre: Option<usize>,
    /// Intra-day shape, per quarter hour, each summing to 1: counter (office hours) and online.
    counter_profile: Vec<f64>,
    online_profile: Vec<f64>,
}

/// Field or agency keywords (folded) → department name fragment (folded). First match wins; the
/// demo departments are those of the 2025 structure, so older agency names map to their successors.
const DEPARTMENT_RULES: &[(&[&str], &str)] = &[
    (
        &[
            "cong an",
            "canh sat",
            "xuat nhap canh",
            "phong chay",
            "can cuoc",
            "cu tru",
        ],
        "cong an tinh",
    ),
    (
        &[
            "tu phap",
            "ho tich",
            "chung thuc",
            "ly lich",
            "cong chung",
            "luat su",
            "tro giup phap ly",
            "giam dinh",
            "dau gia",
            "quoc tich",
            "nuoi con nuoi",
            "hoa giai",
            "trong tai",
        ],
        "so tu phap",
    ),
    (&["dan toc", "ton giao", "tin nguong"], "so dan toc va ton giao"),
    (&["thanh tra", "khieu nai", "to cao", "tiep cong dan"], "thanh tra tinh"),
    (
        &[
            "giao thong",
            "duong bo",
            "duong thuy",
            "lai xe",
            "dang kiem",
            "xay dung",
            "nha o",
            "quy hoach",
            "kien truc",
            "ha tang",
            "bat dong san",
            "van tai",
        ],
        "so xay dung",
    ),
    (
        &[
            "dat dai",
            "moi truong",
            "tai nguyen",
            "nong nghiep",
            "thuy loi",
            "lam nghiep",
            "kiem lam",
            "thuy san",
            "chan nuoi",
            "thu y",
            "trong trot",
            "bao ve thuc vat",
            "khi tuong",
            "do dac",
            "bien va hai dao",
            "de dieu",
            "giam ngheo",
        ],
        "so nong nghiep va moi truong",
    ),
    (
        &[
            "y te",
            "duoc",
            "kham benh",
            "trang thiet bi",
            "dan so",
            "an toan thuc pham",
        ],
        "so y te",
    ),
    (
        &["giao duc", "dao tao", "thi tot nghiep", "van bang"],
        "so giao duc va dao tao",
    ),
    (
        &[
            "van hoa",
            "the thao",
            "du lich",
            "gia dinh",
            "bao chi",
            "xuat ban",
            "di san",
            "quang cao",
            "thu vien",
        ],
        "so van hoa",
    ),
    (
        &[
            "khoa hoc",
            "cong nghe",
            "thong tin va truyen thong",
            "buu chinh",
            "vien thong",
            "tan so",
            "so huu tri tue",
            "tieu chuan",
            "do luong",
        ],
        "so khoa hoc va cong nghe",
    ),
    (
        &[
            "cong thuong",
            "thuong mai",
            "dien",
            "xang dau",
            "hoa chat",
            "cong nghiep",
            "xuc tien",
            "khuyen cong",
            "kinh doanh khi",
        ],
        "so cong thuong",
    ),
    (
        &[
            "noi vu",
            "lao dong",
            "viec lam",
            "nguoi co cong",
            "bao tro xa hoi",
            "thi dua",
            "khen thuong",
            "cong chuc",
            "vien chuc",
            "tien luong",
            "an toan lao dong",
            "giao duc nghe nghiep",
            "tre em",
            "binh dang gioi",
            "van thu",
            "luu tru",
            "chinh quyen dia phuong",
        ],
        "so noi vu",
    ),
    (
        &[
            "tai chinh",
            "ke hoach va dau tu",
            "doanh nghiep",
            "hop tac xa",
            "dau tu",
            "ho kinh doanh",
            "dau thau",
            "gia",
            "tai san cong",
            "ngan sach",
        ],
        "so tai chinh",
    ),
    (&["ngoai vu", "hop tac quoc te"], "van phong uy ban nhan dan tinh"),
];

/// Agencies of central bodies' local branches: their dossiers are not the province's.
const CENTRAL_BRANCHES: &[&str] = &[
    "hai quan",
    "kho bac",
    "bao hiem xa hoi",
    "ngan hang nha nuoc",
    "toa an",
    "thi hanh an",
    "cuc thue",
    "thue tinh",
    "thue co so",
    "chi cuc thue",
];

/// How popular a procedure is before the Zipf law ranks it: civil status, certification and
/// residence first, then land; foreign-element, mobile and re-registration variants far down.
fn popularity_score(p: &Procedure, folded_field: &str, folded_name: &str) -> f64 {
    let field = match folded_field {
        "chung thuc" => 12.0,
        "ho tich" => 9.0,
        f if f.contains("cu tru") => 7.0,
        "dat dai" => 4.0,
        f if f.contains("bao tro xa hoi") || f.contains("nguoi co cong") => 2.5,
        f if f.contains("ho kinh doanh") || f.contains("doanh nghiep") => 2.5,
        f if f.contains("ly lich tu phap") => 6.0,
        _ => 1.0,
    };
    let mut score = field;
    let boosts: [(&str, f64); 9] = [
        ("ban sao tu ban chinh", 3.0),
        ("chung thuc chu ky", 1.8),
        ("dang ky khai sinh", 2.0),
        ("tinh trang hon nhan", 1.8),
        ("dang ky thuong tru", 1.6),
        ("dang ky tam tru", 1.6),
        ("ly lich tu phap", 3.0),
        ("giay phep lai xe", 6.0),
        ("giay chung nhan quyen su dung dat", 1.5),
    ];
    for (needle, factor) in boosts {
        if folded_name.contains(needle) {
            score *= factor;
        }
    }
    let damps: [(&str, f64); 5] = [
        ("yeu to nuoc ngoai", 0.08),
        ("nguoi dich", 0.1),
        ("luu dong", 0.1),
        ("dang ky lai", 0.3),
        ("khu vuc bien gioi", 0.2),
    ];
    for (needle, factor) in damps {
        if folded_name.contains(needle) {
            score *= factor;
        }
    }
    if !p.level.contains(&Level::Commune) {
        // Province procedures serve businesses and special cases: fewer dossiers each.
        score *= 0.5;
    }
    score
}

fn max_fee(p: &Procedure, channel: Channel) -> i64 {
    p.channels
        .iter()
        .filter(|c| c.channel == channel)
        .flat_map(|c| c.fees.iter())
        .filter(|f| f.kind == FeeKind::Amount)
        .filter_map(|f| f.amount_dong)
        .max()
        .unwrap_or(0)
        .max(0)
}

/// Counter shape by hour (morning peak, fewer after the 15:00 cut-off) and online shape by hour.
const COUNTER_HOURS: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 1.3, 1.4, 1.2, 0.9, 0.6, 0.8, 1.0, 0.8, 0.5, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0,
];
const ONLINE_HOURS: [f64; 24] = [
    0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.35, 0.7, 1.2, 1.4, 1.3, 1.1, 0.8, 0.9, 1.2, 1.2, 1.1, 0.9, 0.8, 0.9, 0.9,
    0.7, 0.4, 0.2,
];
const SLOTS: usize = 96;
const SLOT_SECONDS: i64 = 900;

impl SimulationContext {
    /// Prepares a context for `province` from the catalogue, that province's organisations
    /// (`motcua_store::reference::province_organisations`), the calendar and the unit history.
    pub fn new(
        procedures: Vec<Procedure>,
        organisations: Vec<Organisation>,
        calendar: WorkCalendar,
        units: &UnitDirectory,
    ) -> Result<SimulationContext, SimulationError> {
        let province = organisations
            .iter()
            .find(|o| o.admin_unit_code.is_some())
            .or_else(|| organisations.first())
            .map(|o| o.province_code.clone())
            .ok_or_else(|| invalid("no organisations: load the province's units first"))?;
        let mut sim_units = Vec::new();
        let mut service_centre = None;
        let mut departments: Vec<(usize, String)> = Vec::new();
        let mut committee = None;
        // Pre-2025 communes by code, with the days each was in force.
        let mut old_communes: HashMap<&str, Vec<InForce>> = HashMap::new();
        for u in units.units() {
            if u.level == UnitLevel::Commune && u.valid_to.is_some_and(|t| t <= LAST_DAY_PRE_2025) {
                old_communes
                    .entry(u.code.as_str())
                    .or_default()
                    .push((u.valid_from, u.valid_to));
            }
        }
        for o in organisations.iter().filter(|o| o.province_code == province) {
            let electronic: UnitCode = o
                .electronic_code
                .parse()
                .map_err(|e| invalid(format!("organisation {}: electronic code: {e}", o.code)))?;
            let index = sim_units.len();
            let is_commune = o.kind == "people_committee" && o.admin_unit_code.is_some();
            let mut size = 1.0;
            let mut predecessors = Vec::new();
            if is_commune {
                let preds = units.predecessors(&o.code, UnitLevel::Commune);
                for (old, level, _) in &preds {
                    if *level != UnitLevel::Commune {
                        continue;
                    }
                    for (from, to) in old_communes.get(old.as_str()).into_iter().flatten() {
                        predecessors.push((old.clone(), (*from, *to)));
                    }
                }
                let ward = units
                    .get_at(&o.code, UnitLevel::Commune, FIRST_DAY_2025)
                    .is_some_and(|u| u.kind == "Phường");
                let spread = 0.6 + 0.9 * unit_interval(hash_str(1, &o.code));
                size = (1.0 + preds.len() as f64) * if ward { 2.2 } else { 1.0 } * spread;
            }
            match o.kind.as_str() {
                "service_centre" => service_centre = Some(index),
                "department" => departments.push((index, fold(&o.name))),
                "people_committee" if !is_commune => {
                    committee = Some(index);
                    departments.push((index, fold(&o.name)));
                }
                _ => {}
            }
            sim_units.push(SimUnit {
                code: o.code.clone(),
                electronic,
                is_commune,
                size,
                predecessors,
            });
        }
        let communes: Vec<usize> = (0..sim_units.len()).filter(|&i| sim_units[i].is_commune).collect();
        if communes.is_empty() {
            return Err(invalid(format!("province {province} has no communes")));
        }
        let only_departments: Vec<usize> = departments
            .iter()
            .filter(|(i, _)| Some(*i) != committee)
            .map(|(i, _)| *i)
            .collect();
        let department_for = |text: &str, code: &str| -> Option<usize> {
            for (keywords, fragment) in DEPARTMENT_RULES {
                if keywords.iter().any(|k| text.contains(k)) {
                    if let Some((i, _)) = departments.iter().find(|(_, name)| name.contains(fragment)) {
                        return Some(*i);
                    }
                }
            }
            if text.contains("uy ban nhan dan cap tinh") && committee.is_some() {
                return committee;
            }
            match only_departments.len() {
                0 => committee,
                n => Some(only_departments[(hash_str(2, code) % n as u64) as usize]),
            }
        };

        let mut scored: Vec<(f64, SimProcedure, f64)> = Vec::new();
        for p in &procedures {
            if p.code.parse::<ProcedureCode>().is_err() {
                continue;
            }
            let communal = p.level.contains(&Level::Commune);
            let provincial = p.level.contains(&Level::Province);
            if !communal && !provincial {
                continue;
            }
            let field = fold(&p.field);
            let agency = fold(&p.agency);
            if field == "thue" || CENTRAL_BRANCHES.iter().any(|b| agency.contains(b) || field.contains(b)) {
                continue;
            }
            let name = fold(&p.name);
            let department = if provincial {
                department_for(&format!("{field} {agency} {name}"), &p.code)
            } else {
                None
            };
            if !communal && department.is_none() {
                continue;
            }
            let offers_online =
                p.online != OnlineLevel::None || p.channels.iter().any(|c| c.channel == Channel::Online);
            let online_factor = match (offers_online, p.online) {
                (false, _) => 0.0,
                (true, OnlineLevel::Full) => 1.0,
                (true, _) => 0.75,
            };
            // A small stable jitter breaks ties between procedures of the same kind.
            let score = popularity_score(p, &field, &name) * (0.5 + unit_interval(hash_str(3, &p.code)));
            scored.push((
                score,
                SimProcedure {
                    code: p.code.clone(),
                    handled_by_communes: communal,
                    department,
                    legal_counter: legal_time_for(p, Channel::Counter, FALLBACK_LEGAL_TIME),
                    legal_online: legal_time_for(p, Channel::Online, FALLBACK_LEGAL_TIME),
                    fee_counter: max_fee(p, Channel::Counter),
                    fee_online: max_fee(p, Channel::Online),
                    offers_post: p.channels.iter().any(|c| c.channel == Channel::Post),
                    land: field == "dat dai",
                },
                online_factor,
            ));
        }
        if scored.is_empty() {
            return Err(invalid(
                "the catalogue has no procedure handled at commune or province level",
            ));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
        let realism = Realism::default();
        let mut context = SimulationContext {
            realism,
            province,
            calendar,
            procedures: Vec::with_capacity(scored.len()),
            cum_all: Vec::new(),
            cum_online: Vec::new(),
            online_factors: Vec::with_capacity(scored.len()),
            online_capacity: 0.0,
            units: sim_units,
            communes,
            commune_cum_counter: Vec::new(),
            commune_cum_online: Vec::new(),
            service_centre,
            counter_profile: Vec::new(),
            online_profile: Vec::new(),
        };
        for (_, p, online_factor) in scored {
            context.procedures.push(p);
            context.online_factors.push(online_factor);
        }
        context.reweigh();
        Ok(context)
    }

    /// A context for a province from the reference data embedded in the binary (catalogue, units,
    /// merges), the default calendar and the province's demo organisations under `level1` (`H21`).
    pub fn embedded(province: &str, level1: &str) -> Result<SimulationContext, SimulationError> {
        use motcua_store::reference;
        let err = |e: motcua_store::StoreError| invalid(e.to_string());
        let units = reference::embedded_units().map_err(err)?;
        let merges = reference::embedded_merges().map_err(err)?;
        let organisations = reference::province_organisations(&units, province, level1).map_err(err)?;
        let procedures = reference::embedded_catalog().map_err(err)?;
        let directory = UnitDirectory::new(units, merges);
        SimulationContext::new(procedures, organisations, WorkCalendar::default(), &directory)
    }

    /// The same context with other knobs.
    pub fn with_realism(mut self, realism: Realism) -> SimulationContext {
        self.realism = realism;
        self.reweigh();
        self
    }

    pub fn realism(&self) -> &Realism {
        &self.realism
    }

    pub fn province(&self) -> &str {
        &self.province
    }

    /// Recomputes every weight that depends on [`Realism`].
    fn reweigh(&mut self) {
        let s = self.realism.zipf_exponent;
        let mut total = 0.0;
        let mut online = 0.0;
        self.cum_all.clear();
        self.cum_online.clear();
        for (rank, factor) in self.online_factors.iter().enumerate() {
            let weight = 1.0 / ((rank + 1) as f64).powf(s);
            total += weight;
            online += weight * factor;
            self.cum_all.push(total);
            self.cum_online.push(online);
        }
        self.online_capacity = if total > 0.0 { online / total } else { 0.0 };
        let mut counter = 0.0;
        let mut digital = 0.0;
        self.commune_cum_counter.clear();
        self.commune_cum_online.clear();
        for &i in &self.communes {
            let unit = &self.units[i];
            counter += unit.size;
            digital += unit.size * (0.6 + 0.8 * unit_interval(hash_str(4, &unit.code)));
            self.commune_cum_counter.push(counter);
            self.commune_cum_online.push(digital);
        }
        let periods: Vec<(i64, i64)> = self
            .calendar
            .hours()
            .periods
            .iter()
            .map(|(a, b)| {
                (
                    i64::from(a.num_seconds_from_midnight()),
                    i64::from(b.num_seconds_from_midnight()),
                )
            })
            .collect();
        let mut counter_profile = vec![0.0; SLOTS];
        let mut online_profile = vec![0.0; SLOTS];
        for slot in 0..SLOTS {
            let (start, end) = (slot as i64 * SLOT_SECONDS, (slot as i64 + 1) * SLOT_SECONDS);
            let open: i64 = periods.iter().map(|&(a, b)| (end.min(b) - start.max(a)).max(0)).sum();
            let hour = slot / 4;
            counter_profile[slot] = open as f64 / SLOT_SECONDS as f64 * COUNTER_HOURS[hour].max(0.2);
            online_profile[slot] = ONLINE_HOURS[hour];
        }
        for profile in [&mut counter_profile, &mut online_profile] {
            let sum: f64 = profile.iter().sum();
            if sum > 0.0 {
                profile.iter_mut().for_each(|w| *w /= sum);
            }
        }
        self.counter_profile = counter_profile;
        self.online_profile = online_profile;
    }
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

/// One day of the plan: how many dossiers, and the counter and online intensities.
#[derive(Clone, Copy, Debug)]
struct DayPlan {
    date: NaiveDate,
    count: u64,
    counter: f64,
    online: f64,
    /// Multiplier turning a procedure's online readiness into its online probability that day.
    online_scale: f64,
}

/// How a competent unit behaves in this run (drawn from the seed and the unit's code).
#[derive(Clone, Copy, Debug)]
struct UnitTraits {
    late_rate: f64,
    bottleneck: bool,
    /// Multiplier on the supplement rate.
    supplement: f64,
    /// Mean working minutes before an online dossier is accepted.
    accept_lag: f64,
}

/// The simulated history: an iterator of records in time order of `NgayNopHoSo`.
#[derive(Debug)]
pub struct Simulation<'a> {
    ctx: &'a SimulationContext,
    rng: Rng,
    traits: Vec<UnitTraits>,
    days: Vec<DayPlan>,
    /// Index of the next day to start, and of the current one.
    next_day: usize,
    current: usize,
    remaining: u64,
    /// Last order statistic drawn on the current day, in [0, 1).
    u: f64,
    slot_cum: Vec<f64>,
    slot_online: Vec<f64>,
    /// Last sequence number issued today, per receiving unit.
    sequences: Vec<u16>,
    cursor: usize,
    /// Nothing at or after this instant has happened yet (the end of `to`).
    horizon: Instant,
}

/// A simulated history for `spec`; fails on a spec that cannot be met (dates out of range or
/// reversed, another province, more dossiers in a day than the units can number).
pub fn simulate<'a>(spec: &SimulationSpec, ctx: &'a SimulationContext) -> Result<Simulation<'a>, SimulationError> {
    if spec.province.trim() != ctx.province {
        return Err(invalid(format!(
            "province {:?}: the context holds province {}",
            spec.province, ctx.province
        )));
    }
    if spec.from > spec.to {
        return Err(invalid(format!("from {} is after to {}", spec.from, spec.to)));
    }
    // Dossier codes carry a two-digit year (2000–2099); appointments may run a year or two past `to`.
    if spec.from.year() < 2000 || spec.to.year() > 2097 {
        return Err(invalid("dates must lie between 2000-01-01 and 2097-12-31"));
    }
    let mut rng = Rng::new(spec.seed);
    let days = plan_days(spec, ctx, &mut rng)?;
    let capacity = ctx.units.len() as u64 * u64::from(DossierCode::MAX_SEQ);
    if let Some(day) = days.iter().find(|d| d.count > capacity) {
        return Err(invalid(format!(
            "{} dossiers on {} exceed what {} units can number in a day ({capacity}); spread them over more days",
            day.count,
            day.date,
            ctx.units.len()
        )));
    }
    let horizon_day = spec.to.succ_opt().ok_or_else(|| invalid("to is out of range"))?;
    Ok(Simulation {
        ctx,
        traits: unit_traits(ctx, spec.seed),
        rng,
        days,
        next_day: 0,
        current: 0,
        remaining: 0,
        u: 0.0,
        slot_cum: vec![0.0; SLOTS],
        slot_online: vec![0.0; SLOTS],
        sequences: vec![0; ctx.units.len()],
        cursor: 0,
        horizon: local(horizon_day, 0),
    })
}

/// Local (+07:00) instant `seconds` after midnight of `date`.
fn local(date: NaiveDate, seconds: i64) -> Instant {
    let tz = vietnam();
    let naive =
        date.and_time(NaiveTime::MIN) + Duration::seconds(seconds) - Duration::seconds(i64::from(tz.local_minus_utc()));
    DateTime::from_naive_utc_and_offset(naive, tz)
}

/// The volume factor of a day before noise: month, year-end peak, Tết, the 2025 switch-over.
fn season(r: &Realism, date: NaiveDate, tets: &[NaiveDate]) -> f64 {
    const MONTHS: [f64; 12] = [1.05, 1.0, 1.05, 1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.1, 1.1];
    let mut s = MONTHS[date.month0() as usize];
    if date.month() == 12 && date.day() >= 10 {
        s *= r.year_end_peak;
    }
    for &tet in tets {
        s *= match (date - tet).num_days() {
            -21..=-8 => r.pre_tet_rush,
            -7..=-1 => r.tet_eve,
            0..=6 => r.tet_dip,
            7..=13 => r.after_tet,
            _ => 1.0,
        };
    }
    let reform = (date - FIRST_DAY_2025).num_days();
    if (0..14).contains(&reform) {
        s *= r.reform_dip;
    }
    s
}

fn plan_days(spec: &SimulationSpec, ctx: &SimulationContext, rng: &mut Rng) -> Result<Vec<DayPlan>, SimulationError> {
    let r = &ctx.realism;
    let mut tets: HashMap<i32, Option<NaiveDate>> = HashMap::new();
    let mut days = Vec::new();
    let mut date = spec.from;
    loop {
        let working = ctx
            .calendar
            .is_working_day(date)
            .map_err(|e| invalid(format!("calendar: {e}")))?;
        let target = r.online_share.at(date).clamp(0.0, 1.0);
        let scale = if ctx.online_capacity > 0.0 {
            (target / ctx.online_capacity).min(1.0)
        } else {
            0.0
        };
        let online_share = scale * ctx.online_capacity;
        let year = date.year();
        let near: Vec<NaiveDate> = [year, year + 1]
            .iter()
            .filter_map(|&y| *tets.entry(y).or_insert_with(|| lunar_new_year(y).ok()))
            .collect();
        let noise = (r.day_noise * rng.normal())
            .clamp(-3.0 * r.day_noise, 3.0 * r.day_noise)
            .exp();
        let volume = season(r, date, &near) * noise;
        let weekday = match date.weekday() {
            Weekday::Mon => 1.15,
            Weekday::Tue => 1.05,
            Weekday::Fri => 0.9,
            Weekday::Sat | Weekday::Sun => 0.7,
            _ => 1.0,
        };
        let (counter, online) = if working {
            ((1.0 - online_share) * volume * weekday, online_share * volume * weekday)
        } else {
            (0.0, online_share * volume * r.day_off_online_factor)
        };
        days.push(DayPlan {
            date,
            count: 0,
            counter: counter.max(0.0),
            online: online.max(0.0),
            online_scale: scale,
        });
        if date >= spec.to {
            break;
        }
        date = date.succ_opt().ok_or_else(|| invalid("date out of range"))?;
    }
    let weights: Vec<f64> = days.iter().map(|d| d.counter + d.online).collect();
    let total: f64 = weights.iter().sum();
    if spec.dossiers > 0 && total <= 0.0 {
        return Err(invalid(
            "no submissions are possible in the period (no working day and no online submission)",
        ));
    }
    // Cumulative rounding: exact total, each day within one of its expected share.
    let n = spec.dossiers as f64;
    let mut acc = 0.0;
    let mut given = 0u64;
    for (day, w) in days.iter_mut().zip(&weights) {
        acc += w;
        let upto = if total > 0.0 {
            ((acc / total * n).round() as u64).min(spec.dossiers)
        } else {
            0
        };
        day.count = upto.saturating_sub(given);
        given = given.max(upto);
    }
    if given < spec.dossiers {
        if let Some(last) = days.iter_mut().rev().find(|d| d.counter + d.online > 0.0) {
            last.count += spec.dossiers - given;
        }
    }
    Ok(days)
}

fn unit_traits(ctx: &SimulationContext, seed: u64) -> Vec<UnitTraits> {
    let r = &ctx.realism;
    let mut order: Vec<(u64, usize)> = ctx
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (hash_str(seed ^ 0x5151, &u.code), i))
        .collect();
    order.sort_unstable();
    let bottlenecks = if r.bottleneck_share > 0.0 {
        ((r.bottleneck_share * ctx.units.len() as f64).round() as usize).max(1)
    } else {
        0
    };
    let mut traits = vec![
        UnitTraits {
            late_rate: r.median_late_rate,
            bottleneck: false,
            supplement: 1.0,
            accept_lag: 60.0,
        };
        ctx.units.len()
    ];
    for (rank, &(_, i)) in order.iter().enumerate() {
        let mut g = Rng::new(hash_str(seed ^ 0x7a7a, &ctx.units[i].code));
        let bottleneck = rank < bottlenecks;
        let (lo, hi) = r.bottleneck_late_rate;
        let late_rate = if bottleneck {
            g.range(lo, hi)
        } else {
            (r.median_late_rate * (r.late_rate_spread * g.normal()).exp()).clamp(0.002, 0.2)
        };
        traits[i] = UnitTraits {
            late_rate,
            bottleneck,
            supplement: 0.6 + 0.8 * g.f64(),
            accept_lag: g.range(20.0, 240.0),
        };
    }
    traits
}

const FAMILY_NAMES: [(&str, u32); 20] = [
    ("Nguyễn", 30),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Huỳnh", 5),
    ("Võ", 5),
    ("Phan", 4),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Hồ", 3),
    ("Ngô", 2),
    ("Dương", 2),
    ("Trương", 2),
    ("Đinh", 2),
    ("Ksor", 2),
    ("Rơ Châm", 1),
    ("Siu", 1),
    ("Nay", 1),
    ("Rah Lan", 1),
];
const MIDDLE_NAMES: [&str; 12] = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Kim", "Xuân", "Hoàng",
];
const GIVEN_NAMES: [&str; 32] = [
    "An", "Bình", "Châu", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Nhung", "Phúc", "Phương", "Quang", "Sơn", "Tâm", "Thảo",
    "Trang", "Tuấn", "Vy", "Yến",
];

fn synthetic_name(rng: &mut Rng) -> String {
    let total: u32 = FAMILY_NAMES.iter().map(|f| f.1).sum();
    let mut x = rng.below(total as usize) as u32;
    let mut family = FAMILY_NAMES[0].0;
    for (name, weight) in FAMILY_NAMES {
        if x < weight {
            family = name;
            break;
        }
        x -= weight;
    }
    let middle = MIDDLE_NAMES[rng.below(MIDDLE_NAMES.len())];
    let given = GIVEN_NAMES[rng.below(GIVEN_NAMES.len())];
    format!("{family} {middle} {given}")
}

/// What the processing of an accepted dossier ends in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Result,
    Withdrawn,
    Stopped,
}

impl Simulation<'_> {
    fn start_day(&mut self, index: usize) {
        let plan = self.days[index];
        let mut cum = 0.0;
        for slot in 0..SLOTS {
            let counter = plan.counter * self.ctx.counter_profile[slot];
            let online = plan.online * self.ctx.online_profile[slot];
            let w = counter + online;
            cum += w;
            self.slot_cum[slot] = cum;
            self.slot_online[slot] = if w > 0.0 { online / w } else { 0.0 };
        }
        self.current = index;
        self.remaining = plan.count;
        self.u = 0.0;
        self.sequences.iter_mut().for_each(|s| *s = 0);
    }

    fn add(&self, t: Instant, minutes: i64) -> Instant {
        // Cannot fail: `simulate` keeps every date well inside the calendar's range.
        self.ctx.calendar.add_working_minutes(t, minutes.max(0)).unwrap_or(t)
    }

    fn receive(&self, t: Instant) -> Instant {
        self.ctx.calendar.received_at(t).unwrap_or(t)
    }

    /// The appointment, as the engine computes it (`machine.rs`, `Context::due_after`).
    fn due_after(&self, from: Instant, legal: LegalTime) -> Instant {
        let calendar = &self.ctx.calendar;
        let due = match legal {
            LegalTime::WithinDay => calendar.due(from, WorkDuration::WithinDay),
            LegalTime::WorkingMinutes(m) if m % WORKING_DAY_MINUTES == 0 => {
                calendar.due(from, WorkDuration::Days(m / WORKING_DAY_MINUTES))
            }
            LegalTime::WorkingMinutes(m) => calendar.add_working_minutes(from, i64::from(m)),
        };
        due.unwrap_or(from)
    }

    /// A receiving unit with a sequence number left today: the preferred one, else the competent
    /// one, else any (only when a unit receives more than 9,999 dossiers in a day).
    fn next_sequence(&mut self, preferred: usize, competent: usize) -> Option<(usize, u16)> {
        fn bump(sequences: &mut [u16], i: usize) -> Option<u16> {
            let s = sequences.get_mut(i)?;
            if *s >= DossierCode::MAX_SEQ {
                return None;
            }
            *s += 1;
            Some(*s)
        }
        for i in [preferred, competent] {
            if let Some(seq) = bump(&mut self.sequences, i) {
                return Some((i, seq));
            }
        }
        let n = self.sequences.len();
        for k in 0..n {
            let i = (self.cursor + k) % n;
            if let Some(seq) = bump(&mut self.sequences, i) {
                self.cursor = i;
                return Some((i, seq));
            }
        }
        None
    }

    /// The submission instant of the next dossier of the current day and whether it is online.
    fn next_submission(&mut self) -> (Instant, bool) {
        let plan = self.days[self.current];
        // Sequential uniform order statistics: the next of `remaining` sorted uniforms.
        let v = 1.0 - self.rng.f64();
        self.u = 1.0 - (1.0 - self.u) * (v.ln() / self.remaining as f64).exp();
        self.remaining -= 1;
        let total = self.slot_cum[SLOTS - 1];
        let x = (self.u * total).min(total * 0.999_999_999);
        let slot = pick(&self.slot_cum, x);
        let low = if slot == 0 { 0.0 } else { self.slot_cum[slot - 1] };
        let width = self.slot_cum[slot] - low;
        let frac = if width > 0.0 {
            ((x - low) / width).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let seconds = (slot as i64 * SLOT_SECONDS + (frac * SLOT_SECONDS as f64) as i64).min(86_399);
        let online = self.rng.chance(self.slot_online[slot]);
        (local(plan.date, seconds), online)
    }

    /// Draws a procedure: online ones from popularity × online readiness; counter ones from
    /// popularity × (1 − that day's online probability), whose cumulative sum is `A − s·B`.
    fn pick_procedure(&mut self, online: bool, scale: f64) -> Option<usize> {
        let ctx = self.ctx;
        let n = ctx.procedures.len();
        let all = *ctx.cum_all.last()?;
        let readiness = *ctx.cum_online.last()?;
        if online && readiness > 0.0 {
            return Some(pick(&ctx.cum_online, self.rng.f64() * readiness));
        }
        let total = all - scale * readiness;
        if total <= 0.0 {
            return Some(pick(&ctx.cum_all, self.rng.f64() * all));
        }
        let x = self.rng.f64() * total;
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if ctx.cum_all[mid] - scale * ctx.cum_online[mid] <= x {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Some(lo.min(n - 1))
    }

    /// One dossier; `None` only when no receiving unit can number it (prevented by `simulate`).
    fn generate(&mut self) -> Option<ExchangeRecord> {
        let ctx = self.ctx;
        let r = &ctx.realism;
        let plan = self.days[self.current];
        let date = plan.date;
        let (submitted, drawn_online) = self.next_submission();
        let p_index = self.pick_procedure(drawn_online, plan.online_scale)?;
        let proc = &ctx.procedures[p_index];
        let online = drawn_online && ctx.online_factors[p_index] > 0.0;

        let to_commune =
            proc.handled_by_communes && (proc.department.is_none() || self.rng.chance(r.commune_share_when_both));
        let unit_index = match proc.department {
            Some(d) if !to_commune => d,
            _ => {
                let cum = if online {
                    &ctx.commune_cum_online
                } else {
                    &ctx.commune_cum_counter
                };
                let total = cum.last().copied().unwrap_or(0.0);
                *ctx.communes.get(pick(cum, self.rng.f64() * total))?
            }
        };
        let unit = &ctx.units[unit_index];
        let channel = if online {
            SubmissionChannel::Online
        } else if proc.offers_post && self.rng.chance(r.post_share) {
            SubmissionChannel::Post
        } else {
            SubmissionChannel::Counter
        };

        // The competent unit as it was then: a pre-2025 predecessor of the commune.
        let in_force =
            |(_, (from, to)): &&(String, InForce)| from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t);
        let mut competent = unit.code.clone();
        if unit.is_commune && date < FIRST_DAY_2025 {
            let n = unit.predecessors.iter().filter(in_force).count();
            if n > 0 {
                let k = self.rng.below(n);
                if let Some(p) = unit.predecessors.iter().filter(in_force).nth(k) {
                    competent = p.0.clone();
                }
            }
        }
        let preferred = if unit.is_commune || online {
            unit_index
        } else {
            ctx.service_centre.unwrap_or(unit_index)
        };
        let (receiving, seq) = self.next_sequence(preferred, unit_index)?;
        let code = DossierCode::new(ctx.units[receiving].electronic.clone(), date, seq)
            .ok()?
            .to_string();

        let traits = self.traits[unit_index];
        let legal = if online { proc.legal_online } else { proc.legal_counter };
        let fee = match (online, proc.fee_online, proc.fee_counter) {
            (true, 0, other) | (false, other, 0) => other,
            (true, f, _) | (false, _, f) => f,
        };
        let digitised = self.rng.chance(r.digitised.at(online, date));
        let reused = digitised && self.rng.chance(r.reuse.at(date));
        let vneid = online && self.rng.chance(r.vneid.at(date));
        let population_share = r.population_data.at(online, date);
        let population = self.rng.chance(if vneid {
            population_share.max(0.9)
        } else {
            population_share
        });
        let has_fees = fee > 0;
        let paid_online = has_fees && self.rng.chance(r.paid_online.at(online, date));
        let e_result = self.rng.chance(r.electronic_result.at(online, date));
        let synced = self.rng.chance(r.synced.at(date));
        let name = synthetic_name(&mut self.rng);

        // The life of the dossier, in full; cut at the horizon below.
        let mut h: Vec<(Status, Instant)> = Vec::with_capacity(8);
        let mut received_at = None;
        let mut appointment = None;
        let mut late = false;
        if online {
            h.push((Status::Submitted, submitted));
        }
        let decided = if online {
            let lag = self.rng.range(5.0, 2.0 * traits.accept_lag) as i64;
            self.add(self.receive(submitted), lag)
        } else {
            submitted + Duration::seconds(self.rng.range(180.0, 900.0) as i64)
        };
        if online && self.rng.chance(r.refusal_rate) {
            h.push((Status::Refused, decided));
        } else if online && self.rng.chance(r.early_withdrawal_rate) {
            h.push((Status::Withdrawn, decided));
        } else {
            let received = self.receive(decided);
            h.push((Status::Accepted, decided));
            h.push((Status::InProgress, received));
            received_at = Some(received);
            let due = self.due_after(received, legal);
            appointment = Some(due);
            let budget = i64::from(legal.budget_minutes()).max(60);
            let supplements = if self.rng.chance(r.supplement_rate * traits.supplement) {
                if self.rng.chance(r.second_supplement_rate) {
                    2
                } else {
                    1
                }
            } else {
                0
            };
            let x = self.rng.f64();
            let outcome = if x < r.withdrawal_rate {
                Outcome::Withdrawn
            } else if x < r.withdrawal_rate + r.stop_rate {
                Outcome::Stopped
            } else {
                Outcome::Result
            };
            let land = if proc.land { r.land_late_factor } else { 1.0 };
            let late_p = (traits.late_rate * r.late_trend.at(date) * land).min(0.95);
            late = supplements >= 2 || self.rng.chance(late_p);
            let mut anchor = received;
            let mut pause = Duration::zero();
            let mut closed_early = false;
            if supplements >= 1 {
                let work = ((budget as f64 * self.rng.range(0.1, 0.6)) as i64).max(1);
                let asked = self.add(received, work);
                h.push((Status::SupplementRequested, asked));
                let wait = (self.rng.range(0.3, 8.0) * f64::from(WORKING_DAY_MINUTES)) as i64;
                let resumed = self.add(asked, wait);
                if outcome == Outcome::Withdrawn && self.rng.chance(0.5) {
                    // Gave up while asked for papers.
                    let gone =
                        asked + Duration::seconds(((resumed - asked).num_seconds() as f64 * self.rng.f64()) as i64);
                    h.push((Status::Withdrawn, gone));
                    closed_early = true;
                } else {
                    h.push((Status::InProgress, resumed));
                    pause = resumed - asked;
                    anchor = resumed;
                    if supplements == 2 {
                        let work = (budget as f64 * self.rng.range(0.1, 0.3)) as i64;
                        let again = self.add(resumed, work);
                        h.push((Status::SupplementRequested, again));
                        let wait = (self.rng.range(0.3, 5.0) * f64::from(WORKING_DAY_MINUTES)) as i64;
                        let back = self.add(again, wait);
                        h.push((Status::InProgress, back));
                        anchor = back;
                    }
                }
            }
            if !closed_early {
                // The QĐ 766 rule: on time iff end − pause ≤ appointment (one request at most).
                let deadline = due + pause;
                let end = if late {
                    let extra = if traits.bottleneck {
                        self.rng.range(240.0, 8.0 * f64::from(WORKING_DAY_MINUTES))
                    } else {
                        self.rng
                            .range(30.0, (budget as f64 / 2.0).max(f64::from(WORKING_DAY_MINUTES)))
                    };
                    self.add(deadline.max(anchor), extra as i64)
                } else {
                    let room = self
                        .ctx
                        .calendar
                        .working_minutes_between(anchor, deadline)
                        .unwrap_or(0)
                        .max(0);
                    let share = 0.1 + 0.9 * self.rng.f64();
                    self.add(anchor, (room as f64 * share) as i64)
                };
                let span = (end - anchor).num_seconds().max(0) as f64;
                let at_share = |share: f64| anchor + Duration::seconds((span * share) as i64);
                match outcome {
                    Outcome::Result => {
                        if has_fees && self.rng.chance(r.fees_due_share) {
                            h.push((Status::FeesDue, at_share(0.6)));
                            h.push((Status::InProgress, at_share(0.8)));
                        }
                        h.push((Status::ResultReady, end));
                        if self.rng.chance(r.return_rate) {
                            let lag = if online && e_result {
                                self.rng.range(1.0, 60.0)
                            } else {
                                self.rng.range(30.0, 4.0 * f64::from(WORKING_DAY_MINUTES))
                            };
                            h.push((Status::Returned, self.add(end, lag as i64)));
                        }
                    }
                    Outcome::Stopped => h.push((Status::Stopped, end)),
                    Outcome::Withdrawn => {
                        let share = self.rng.f64();
                        h.push((Status::Withdrawn, at_share(share)));
                    }
                }
            }
        }

        // What has happened by the end of `to`.
        let visible = h.iter().take_while(|(_, t)| *t < self.horizon).count();
        h.truncate(visible.max(1));
        let status = h.last().map_or(Status::Submitted, |e| e.0);
        let find = |wanted: &[Status]| h.iter().find(|(s, _)| wanted.contains(s)).map(|e| e.1);
        let accepted = find(&[Status::Accepted]).is_some();
        let finished_at = find(&[Status::Refused, Status::Withdrawn, Status::Stopped, Status::ResultReady]);
        let returned_at = find(&[Status::Returned]);
        let refused_at = find(&[Status::Refused]);
        let has_result = find(&[Status::ResultReady]).is_some();

        let rating = if status == Status::Returned && self.rng.chance(r.rating_rate.at(date)) {
            let (satisfied, neutral) = if late { r.rating_late } else { r.rating_on_time };
            let x = self.rng.f64();
            Some(if x < satisfied {
                Rating::HaiLong
            } else if x < satisfied + neutral {
                Rating::BinhThuong
            } else {
                Rating::KhongHaiLong
            })
        } else {
            None
        };
        let (on_time_rate, late_rate, stopped_rate) = r.complaint_rate;
        let complaint = finished_at.is_some()
            && self.rng.chance(if matches!(status, Status::Stopped | Status::Refused) {
                stopped_rate
            } else if late {
                late_rate
            } else {
                on_time_rate
            });

        Some(ExchangeRecord {
            code,
            procedure: proc.code.clone(),
            sector: None,
            unit: competent,
            channel,
            applicant_name: Some(name),
            id_kind: None,
            id_number: None,
            submitted_at: submitted,
            received_at: received_at.filter(|_| accepted),
            appointment: appointment.filter(|_| accepted),
            finished_at,
            returned_at,
            refused_at,
            status,
            history: h
                .into_iter()
                .map(|(status, at)| HistoryEntry {
                    status,
                    at,
                    extra: Map::new(),
                })
                .collect(),
            digitised_components: Some(digitised),
            electronic_result: Some(e_result && has_result),
            vneid_account: Some(vneid),
            population_data: Some(population),
            reused_digitised_data: Some(reused),
            has_fees: Some(has_fees),
            paid_online: Some(paid_online),
            synced_to_portal: Some(synced),
            rating,
            complaint: Some(complaint),
            data_sources: None,
            fees: has_fees.then(|| json!([{"TenPhiLePhi": "Lệ phí", "Gia": fee}])),
            documents: None,
            extra: Map::new(),
        })
    }
}

impl Iterator for Simulation<'_> {
    type Item = ExchangeRecord;

    fn next(&mut self) -> Option<ExchangeRecord> {
        loop {
            while self.remaining == 0 {
                if self.next_day >= self.days.len() {
                    return None;
                }
                self.start_day(self.next_day);
                self.next_day += 1;
            }
            if let Some(record) = self.generate() {
                return Some(record);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::sync::OnceLock;

    use motcua_domain::dossier::exchange::{parse_line, supplement_pause, to_json_line};
    use motcua_domain::dossier::StatusChange;

    use super::*;

    fn context() -> &'static SimulationContext {
        static CONTEXT: OnceLock<SimulationContext> = OnceLock::new();
        CONTEXT.get_or_init(|| match SimulationContext::embedded("52", "H21") {
            Ok(c) => c,
            Err(e) => panic!("embedded context: {e}"),
        })
    }

    fn directory() -> &'static UnitDirectory {
        static DIRECTORY: OnceLock<UnitDirectory> = OnceLock::new();
        DIRECTORY.get_or_init(|| match UnitDirectory::bundled() {
            Ok(d) => d,
            Err(e) => panic!("bundled units: {e}"),
        })
    }

    fn spec(from: NaiveDate, to: NaiveDate, dossiers: u64, seed: u64) -> SimulationSpec {
        SimulationSpec {
            province: "52".into(),
            from,
            to,
            dossiers,
            seed,
        }
    }

    fn run(spec: &SimulationSpec) -> Vec<ExchangeRecord> {
        match simulate(spec, context()) {
            Ok(sim) => sim.collect(),
            Err(e) => panic!("simulate: {e}"),
        }
    }

    fn lines(records: &[ExchangeRecord]) -> Vec<String> {
        records.iter().map(to_json_line).collect()
    }

    /// The verdict the index gives a closed dossier (issue #7): one supplement pause subtracted,
    /// a second request is late.
    fn on_time(r: &ExchangeRecord) -> Option<bool> {
        let end = r.finished_at?;
        let due = r.appointment?;
        let history: Vec<StatusChange> = r
            .history
            .iter()
            .map(|e| StatusChange {
                status: e.status,
                at: e.at,
            })
            .collect();
        let pause = supplement_pause(&history, end);
        Some(pause.requests <= 1 && end - pause.paused <= due)
    }

    #[test]
    fn same_seed_same_history_other_seed_other_history() {
        let a = lines(&run(&spec(ymd(2025, 3, 1), ymd(2025, 4, 30), 3000, 7)));
        let b = lines(&run(&spec(ymd(2025, 3, 1), ymd(2025, 4, 30), 3000, 7)));
        let c = lines(&run(&spec(ymd(2025, 3, 1), ymd(2025, 4, 30), 3000, 8)));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let same = a.iter().zip(&c).filter(|(x, y)| x == y).count();
        assert!(same < 30, "{same} identical lines between seeds");
    }

    #[test]
    fn the_number_of_dossiers_is_respected() {
        let cases = [
            (ymd(2025, 10, 13), ymd(2025, 10, 13), 1),
            (ymd(2025, 10, 13), ymd(2025, 10, 13), 0),
            (ymd(2025, 10, 13), ymd(2025, 10, 19), 17),
            // A Sunday alone: online submissions only.
            (ymd(2025, 10, 19), ymd(2025, 10, 19), 40),
            (ymd(2024, 1, 1), ymd(2026, 12, 31), 5000),
            // Many in one day: sequences run past 999 at the busiest units.
            (ymd(2025, 11, 3), ymd(2025, 11, 3), 30_000),
        ];
        for (from, to, n) in cases {
            let records = run(&spec(from, to, n, 1));
            assert_eq!(records.len() as u64, n, "{from}..{to}");
            let codes: HashSet<&str> = records.iter().map(|r| r.code.as_str()).collect();
            assert_eq!(codes.len(), records.len(), "codes unique {from}..{to}");
        }
        let sunday = run(&spec(ymd(2025, 10, 19), ymd(2025, 10, 19), 40, 1));
        assert!(sunday.iter().all(|r| r.channel == SubmissionChannel::Online));
    }

    #[test]
    fn bad_specs_are_refused() {
        let ctx = context();
        let mut s = spec(ymd(2025, 2, 1), ymd(2025, 1, 1), 10, 1);
        assert!(simulate(&s, ctx).is_err());
        s = spec(ymd(2025, 1, 1), ymd(2025, 1, 2), 10, 1);
        s.province = "64".into();
        assert!(simulate(&s, ctx).is_err());
        s = spec(ymd(1999, 1, 1), ymd(1999, 1, 2), 10, 1);
        assert!(simulate(&s, ctx).is_err());
        // More than 9,999 a day at every unit.
        s = spec(ymd(2025, 1, 6), ymd(2025, 1, 6), 10_000 * ctx.units.len() as u64, 1);
        assert!(simulate(&s, ctx).is_err());
    }

    #[test]
    fn every_record_is_valid_ordered_unique_and_consistent() {
        let from = ymd(2024, 11, 1);
        let to = ymd(2025, 12, 31);
        let records = run(&spec(from, to, 60_000, 42));
        assert_eq!(records.len(), 60_000);
        let orgs: HashSet<&str> = context().units.iter().map(|u| u.code.as_str()).collect();
        let mut codes = HashSet::new();
        let mut previous: Option<Instant> = None;
        let horizon = local(ymd(2026, 1, 1), 0);
        let mut old_units = 0;
        for (i, r) in records.iter().enumerate() {
            let line = to_json_line(r);
            let parsed = match parse_line(&line, i + 1) {
                Ok(p) => p,
                Err(e) => panic!("{e}\n{line}"),
            };
            assert_eq!(&parsed, r, "round trip of line {}", i + 1);
            assert!(codes.insert(r.code.clone()), "duplicate code {}", r.code);
            if let Some(p) = previous {
                assert!(p <= r.submitted_at, "not in time order at line {}", i + 1);
            }
            previous = Some(r.submitted_at);
            let day = r.submitted_at.date_naive();
            assert!((from..=to).contains(&day));
            // The code carries the submission day.
            let code: DossierCode = r.code.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(code.date(), day);
            // History: starts at or after submission, in order, ends with the status, all before the horizon.
            let first = r.history.first().map(|e| e.at);
            assert!(first.is_some_and(|t| t >= r.submitted_at));
            assert!(r.history.windows(2).all(|w| w[0].at <= w[1].at));
            assert_eq!(r.history.last().map(|e| e.status), Some(r.status));
            assert!(r.history.iter().all(|e| e.at < horizon));
            if r.status.is_closed() {
                assert!(r.finished_at.is_some_and(|t| t < horizon));
            }
            if r.channel != SubmissionChannel::Online {
                let t = r.submitted_at.time();
                assert!(
                    t >= NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default()
                        && t < NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
                    "counter submission at {t}"
                );
                assert!(context().calendar.is_working_day(day).unwrap_or(false));
            }
            // Units: 2025 organisations from the reform on; pre-2025 communes (or departments) before.
            if day >= FIRST_DAY_2025 {
                assert!(orgs.contains(r.unit.as_str()), "unknown unit {}", r.unit);
            } else if !orgs.contains(r.unit.as_str()) {
                assert!(
                    directory().get_at(&r.unit, UnitLevel::Commune, day).is_some(),
                    "{} is no commune on {day}",
                    r.unit
                );
                old_units += 1;
            }
        }
        assert!(old_units > 1000, "only {old_units} dossiers name pre-2025 communes");
        // Open dossiers at the end of the period.
        let open = records.iter().filter(|r| !r.status.is_closed()).count();
        assert!(open > 100, "{open} open dossiers");
        let statuses: HashSet<u8> = records.iter().map(|r| r.status.code()).collect();
        for s in 1..=10 {
            assert!(statuses.contains(&s), "no dossier with status {s}");
        }
    }

    fn share(num: usize, den: usize) -> f64 {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    }

    #[test]
    fn the_history_looks_like_a_province() {
        let records = run(&spec(ymd(2023, 1, 1), ymd(2026, 6, 30), 150_000, 2026));
        let year = |r: &ExchangeRecord| r.submitted_at.year();

        // Online share rises.
        let mut by_year: HashMap<i32, (usize, usize)> = HashMap::new();
        for r in &records {
            let e = by_year.entry(year(r)).or_default();
            e.1 += 1;
            if r.channel == SubmissionChannel::Online {
                e.0 += 1;
            }
        }
        let online = |y: i32| by_year.get(&y).map_or(0.0, |&(n, d)| share(n, d));
        println!(
            "online share: 2023 {:.3}, 2024 {:.3}, 2025 {:.3}, 2026H1 {:.3}",
            online(2023),
            online(2024),
            online(2025),
            online(2026)
        );
        assert!((online(2023) - 0.25).abs() < 0.06, "{}", online(2023));
        assert!(online(2026) > online(2023) + 0.2);

        // Bottleneck units: late share at least twice the median, among units with enough closed dossiers.
        let mut per_unit: HashMap<String, (usize, usize)> = HashMap::new();
        for r in &records {
            let current = directory()
                .map_to_2025(&r.unit, UnitLevel::Commune)
                .filter(|_| r.submitted_at.date_naive() < FIRST_DAY_2025)
                .unwrap_or_else(|| r.unit.clone());
            if let Some(ok) = on_time(r) {
                let e = per_unit.entry(current).or_default();
                e.1 += 1;
                if !ok {
                    e.0 += 1;
                }
            }
        }
        let rates: Vec<(String, f64, usize)> = per_unit
            .into_iter()
            .filter(|(_, (_, d))| *d >= 150)
            .map(|(u, (n, d))| (u, share(n, d), d))
            .collect();
        let med = median(rates.iter().map(|r| r.1).collect());
        let mut worst = rates.clone();
        worst.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!(
            "late share: median {med:.3} over {} units; worst {:?}",
            rates.len(),
            &worst[..worst.len().min(5)]
        );
        assert!(rates.len() > 50);
        assert!(worst.iter().filter(|r| r.1 >= 2.0 * med).count() >= 3);

        // Tết 2025 (29 January) week against the ordinary weeks of March.
        let week = |start: NaiveDate| {
            let end = start + Duration::days(7);
            records
                .iter()
                .filter(|r| (start..end).contains(&r.submitted_at.date_naive()))
                .count()
        };
        let tet = week(ymd(2025, 1, 27));
        let march: Vec<usize> = (0..4).map(|k| week(ymd(2025, 3, 3) + Duration::days(7 * k))).collect();
        let ordinary = march.iter().sum::<usize>() as f64 / 4.0;
        println!("Tết week 2025: {tet} dossiers; ordinary March week: {ordinary:.0}");
        assert!((tet as f64) < 0.5 * ordinary);
        let december = week(ymd(2025, 12, 15));
        println!("mid-December week 2025: {december}");
        assert!(december as f64 > ordinary);

        // Supplement requests among dossiers accepted and closed.
        let closed: Vec<&ExchangeRecord> = records
            .iter()
            .filter(|r| r.received_at.is_some() && r.status.is_closed())
            .collect();
        let requests = |r: &ExchangeRecord| {
            r.history
                .iter()
                .filter(|e| e.status == Status::SupplementRequested)
                .count()
        };
        let supplemented = closed.iter().filter(|r| requests(r) >= 1).count();
        let twice = closed.iter().filter(|r| requests(r) >= 2).count();
        let supplement_share = share(supplemented, closed.len());
        println!(
            "supplement share {supplement_share:.4} (second requests {:.4} of those)",
            share(twice, supplemented)
        );
        assert!((supplement_share - context().realism().supplement_rate).abs() < 0.015);
        assert!(share(twice, supplemented) < 0.15 && twice > 0);

        // Ratings: mostly satisfied; dissatisfaction concentrated on late dossiers.
        let rated: Vec<&ExchangeRecord> = records.iter().filter(|r| r.rating.is_some()).collect();
        let unhappy = |rs: &[&ExchangeRecord]| {
            share(
                rs.iter().filter(|r| r.rating == Some(Rating::KhongHaiLong)).count(),
                rs.len(),
            )
        };
        let happy = share(
            rated.iter().filter(|r| r.rating == Some(Rating::HaiLong)).count(),
            rated.len(),
        );
        let (late, timely): (Vec<&ExchangeRecord>, Vec<&ExchangeRecord>) =
            rated.iter().partition(|r| on_time(r) == Some(false));
        println!(
            "ratings: {} rated, {happy:.3} hai_long; khong_hai_long {:.3} late vs {:.3} on time",
            rated.len(),
            unhappy(&late),
            unhappy(&timely)
        );
        assert!(happy > 0.8);
        assert!(unhappy(&late) > 5.0 * unhappy(&timely));

        // Digitalisation rises.
        for (name, flag) in [
            (
                "digitised",
                (|r: &ExchangeRecord| r.digitised_components) as fn(&ExchangeRecord) -> Option<bool>,
            ),
            ("synced", |r| r.synced_to_portal),
            ("population data", |r| r.population_data),
        ] {
            let rate = |y: i32| {
                let of_year: Vec<&ExchangeRecord> = records.iter().filter(|r| year(r) == y).collect();
                share(of_year.iter().filter(|r| flag(r) == Some(true)).count(), of_year.len())
            };
            println!("{name}: 2023 {:.3} → 2026 {:.3}", rate(2023), rate(2026));
            assert!(rate(2026) > rate(2023) + 0.1);
        }

        // Popular procedures: commune civil status and certification at the top.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for r in &records {
            *counts.entry(r.procedure.as_str()).or_default() += 1;
        }
        let mut top: Vec<(&str, usize)> = counts.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        println!("top procedures: {:?}", &top[..top.len().min(10)]);
        assert!(top.len() > 200);
        let statuses: HashMap<u8, usize> = records.iter().fold(HashMap::new(), |mut m, r| {
            *m.entry(r.status.code()).or_default() += 1;
            m
        });
        println!("statuses: {statuses:?}");
    }

    #[test]
    fn knobs_change_the_history() {
        let realism = Realism {
            supplement_rate: 0.2,
            online_share: Trend::flat(0.0),
            ..Realism::default()
        };
        let ctx = context().clone().with_realism(realism);
        let records: Vec<ExchangeRecord> = match simulate(&spec(ymd(2025, 1, 1), ymd(2025, 9, 30), 20_000, 9), &ctx) {
            Ok(sim) => sim.collect(),
            Err(e) => panic!("{e}"),
        };
        assert!(records.iter().all(|r| r.channel != SubmissionChannel::Online));
        let closed: Vec<&ExchangeRecord> = records
            .iter()
            .filter(|r| r.received_at.is_some() && r.status.is_closed())
            .collect();
        let supplemented = closed
            .iter()
            .filter(|r| r.history.iter().any(|e| e.status == Status::SupplementRequested))
            .count();
        let rate = share(supplemented, closed.len());
        assert!((rate - 0.2).abs() < 0.025, "{rate}");
    }

    #[test]
    fn generating_100_000_records_is_fast() {
        let started = std::time::Instant::now();
        let sim = match simulate(&spec(ymd(2025, 1, 1), ymd(2025, 12, 31), 100_000, 3), context()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let n = sim.count();
        let elapsed = started.elapsed();
        println!("100,000 records generated in {elapsed:?} (this build)");
        assert_eq!(n, 100_000);
        assert!(elapsed.as_secs_f64() < 10.0);
    }
}
