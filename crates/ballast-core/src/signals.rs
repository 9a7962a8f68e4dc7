//! Early-warning signals from a person's own check-ins and assessments.
//!
//! Everything here is a pure function of what the caller passes in: the person's daily
//! check-ins, their assessment results, how often they mean to re-assess, and "today" (in the
//! person's own time zone). There is no clock, no I/O and no randomness. The functions decide
//! *whether* something is worth pointing out and return the evidence behind it; they never word
//! anything for people (the web layer does that, humbly) and they never diagnose.
//!
//! Four kinds of signal, each with a stable [`SignalId`] so that a dismissal sticks:
//!
//! * [`SignalKind::SustainedDrift`] — the daily strain index ([`DailyMeasures::strain_index`])
//!   has stayed above the person's own usual level for several days: a one-sided CUSUM against
//!   a robust baseline (median and MAD of the 90 days that end two weeks earlier). See
//!   [`DriftParams`] for every parameter and why, and `docs/INSIGHTS.md` for the measured
//!   false-alarm rate and detection delay.
//! * [`SignalKind::WarningSignMoreOften`] — one of the person's own warning signs turned up on
//!   more of the last 14 check-ins than it usually does (one-sided Fisher exact test plus a
//!   minimum count and a minimum ratio; see [`WarningSignParams`]).
//! * [`SignalKind::AssessmentBandWorse`] — the latest result of a scale fell in a harder band
//!   than the result before it.
//! * [`SignalKind::ReassessmentOverdue`] — the person's chosen re-assessment cadence has passed.
//!
//! Conventions shared by all functions: entries dated after `today` are ignored (they cannot
//! have happened yet); when two check-ins carry the same date, the later one in the slice wins
//! (callers store one per day, so this only matters for malformed input); input order does not
//! otherwise matter.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Span;
use jiff::civil::Date;

use crate::days::{date_from_number, day_number};

// ---------------------------------------------------------------------------------------------
// Daily measures and the strain index
// ---------------------------------------------------------------------------------------------

/// An answer on a 0–10 scale (energy, mood, sleep quality, dread, intrusive images).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    pub const MIN: u8 = 0;
    pub const MAX: u8 = 10;

    /// `None` when `value` is above 10.
    pub fn new(value: u8) -> Option<Rating> {
        (value <= Self::MAX).then_some(Rating(value))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// The empathy dial: −3 (numb, detached) … 0 (steady) … +3 (flooded, overwhelmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dial(i8);

impl Dial {
    pub const NUMB: i8 = -3;
    pub const STEADY: i8 = 0;
    pub const FLOODED: i8 = 3;

    /// `None` outside −3…+3.
    pub fn new(value: i8) -> Option<Dial> {
        (Self::NUMB..=Self::FLOODED).contains(&value).then_some(Dial(value))
    }

    pub fn get(self) -> i8 {
        self.0
    }
}

/// The numeric measures of one day's check-in. Every one may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DailyMeasures {
    /// 0 = empty, 10 = full of energy.
    pub energy: Option<Rating>,
    /// 0 = very low, 10 = very good.
    pub mood: Option<Rating>,
    /// Quality of last night's sleep: 0 = very poor, 10 = very good.
    pub sleep_quality: Option<Rating>,
    /// Dread about the work ahead: 0 = none, 10 = overwhelming.
    pub dread: Option<Rating>,
    /// Intrusive images or thoughts about others' trauma: 0 = none, 10 = constant.
    pub intrusive_images: Option<Rating>,
    pub empathy_dial: Option<Dial>,
}

/// One of the numeric check-in measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    Energy,
    Mood,
    SleepQuality,
    Dread,
    IntrusiveImages,
    EmpathyDial,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::Energy,
        Measure::Mood,
        Measure::SleepQuality,
        Measure::Dread,
        Measure::IntrusiveImages,
        Measure::EmpathyDial,
    ];

    /// A stable identifier (for ids, JSON and the web layer's wording tables).
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Energy => "energy",
            Measure::Mood => "mood",
            Measure::SleepQuality => "sleep_quality",
            Measure::Dread => "dread",
            Measure::IntrusiveImages => "intrusive_images",
            Measure::EmpathyDial => "empathy_dial",
        }
    }

    /// Strain (0–10) corresponding to a raw value of this measure. Higher means more strain:
    /// low energy, low mood and poor sleep count as strain (10 − value); dread and intrusive
    /// images count as they are; the empathy dial counts its distance from steady in either
    /// direction, scaled so that fully numb or fully flooded is 10.
    pub fn strain_of(self, raw: f64) -> f64 {
        match self {
            Measure::Energy | Measure::Mood | Measure::SleepQuality => STRAIN_MAX - raw,
            Measure::Dread | Measure::IntrusiveImages => raw,
            Measure::EmpathyDial => raw.abs() * STRAIN_MAX / f64::from(Dial::FLOODED),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The strain index runs from 0 (no strain on any measure) to this.
pub const STRAIN_MAX: f64 = 10.0;

/// A day's strain index needs at least this many of the six measures. Three is half of them:
/// the first screen of the check-in (energy, mood, sleep) is enough, while a day with only one
/// or two answers says too little — and a mean over one or two components swings so much more
/// than a mean over six that it would look like drift when it is only a short check-in.
pub const MIN_STRAIN_COMPONENTS: usize = 3;

impl DailyMeasures {
    /// The raw value of one measure, if given.
    pub fn raw(&self, measure: Measure) -> Option<f64> {
        let rating = |r: Option<Rating>| r.map(|r| f64::from(r.get()));
        match measure {
            Measure::Energy => rating(self.energy),
            Measure::Mood => rating(self.mood),
            Measure::SleepQuality => rating(self.sleep_quality),
            Measure::Dread => rating(self.dread),
            Measure::IntrusiveImages => rating(self.intrusive_images),
            Measure::EmpathyDial => self.empathy_dial.map(|d| f64::from(d.get())),
        }
    }

    /// One measure's contribution to strain, 0–10 (see [`Measure::strain_of`]).
    pub fn strain_component(&self, measure: Measure) -> Option<f64> {
        self.raw(measure).map(|raw| measure.strain_of(raw))
    }

    /// How many of the six measures were answered.
    pub fn components_present(&self) -> usize {
        Measure::ALL.iter().filter(|m| self.raw(**m).is_some()).count()
    }

    /// The day's strain index, 0–10: the plain mean of the strain components present, or
    /// `None` with fewer than [`MIN_STRAIN_COMPONENTS`].
    ///
    /// Why this formula: every component is put on the same 0–10 "more is harder" footing so
    /// that none dominates by its range; equal weights because no validated weighting of these
    /// everyday items exists and equal weights are transparent and known to predict about as
    /// well as fitted ones; a mean over the components present (rather than a sum) so that a
    /// skipped question neither adds nor removes strain. The index is monotone: more strain on
    /// any one measure never lowers it.
    pub fn strain_index(&self) -> Option<f64> {
        let components: Vec<f64> = Measure::ALL.iter().filter_map(|m| self.strain_component(*m)).collect();
        if components.len() < MIN_STRAIN_COMPONENTS {
            return None;
        }
        Some(components.iter().sum::<f64>() / components.len() as f64)
    }
}

/// One day's check-in, as far as signals are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInDay {
    /// The person's own calendar day.
    pub date: Date,
    pub measures: DailyMeasures,
    /// Ids of the person's warning signs that showed up that day (library ids or their own).
    /// An empty set means the person checked in and none showed up.
    pub warning_signs: BTreeSet<String>,
}

impl CheckInDay {
    pub fn new(date: Date, measures: DailyMeasures) -> CheckInDay {
        CheckInDay { date, measures, warning_signs: BTreeSet::new() }
    }
}

/// One scored day of the strain series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrainPoint {
    pub date: Date,
    pub strain: f64,
}

/// The strain series up to and including `today`: one point per day that has a strain index,
/// in date order. Days without a check-in, and check-ins with too few measures, are absent.
pub fn strain_series(days: &[CheckInDay], today: Date) -> Vec<StrainPoint> {
    scored(&by_day(days, today))
}

fn scored(by_day: &BTreeMap<i32, &CheckInDay>) -> Vec<StrainPoint> {
    by_day
        .values()
        .filter_map(|day| day.measures.strain_index().map(|strain| StrainPoint { date: day.date, strain }))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Robust baseline
// ---------------------------------------------------------------------------------------------

/// The factor that turns a median absolute deviation into an estimate of the standard
/// deviation when the data are roughly normal.
pub const MAD_TO_SD: f64 = 1.4826;

/// Median and median absolute deviation of a set of values: a "usual level" and "usual
/// spread" that a few unusual days cannot drag around (each tolerates up to half the values
/// being wild).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RobustBaseline {
    pub median: f64,
    /// Median of |value − median|.
    pub mad: f64,
    /// How many values it was computed from.
    pub count: usize,
}

impl RobustBaseline {
    /// `None` when there are no finite values; non-finite values are ignored.
    pub fn of(values: &[f64]) -> Option<RobustBaseline> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let median = median_of_sorted(&sorted);
        let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - median).abs()).collect();
        deviations.sort_by(f64::total_cmp);
        Some(RobustBaseline { median, mad: median_of_sorted(&deviations), count: sorted.len() })
    }

    /// `MAD × 1.4826`: a standard deviation that one bad week does not inflate.
    pub fn robust_sd(&self) -> f64 {
        self.mad * MAD_TO_SD
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}

// ---------------------------------------------------------------------------------------------
// Sustained drift: one-sided CUSUM on the strain index
// ---------------------------------------------------------------------------------------------

/// Parameters of the sustained-drift detector. The defaults are the documented method; the
/// statistical tests in `tests/signals.rs` measure them (see `docs/INSIGHTS.md`).
///
/// For each scored day *t* the detector standardises the strain index against the person's
/// baseline, `z = (strain − median) / max(1.4826·MAD, sd_floor)`, caps it at `z_cap`, and
/// accumulates `S_t = max(0, S_{t−1} + z − slack_k)`. A *run* is a stretch of scored days with
/// `S > 0`; a run raises the signal once `S ≥ threshold_h` and it holds at least
/// `min_days_above` days with `z > slack_k`. The signal lasts while the run lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftParams {
    /// The baseline is the median and MAD of the scored days in this many calendar days …
    /// 90: long enough for a stable median (and to span ordinary ups and downs: holidays,
    /// busy months), short enough to follow a person whose life changes. Because the median
    /// tolerates half its data being unusual, a change is compared against the old "usual" for
    /// about `recent_days + baseline_days / 2` ≈ 2 months before it becomes the new usual.
    pub baseline_days: u16,
    /// … ending this many days before the day being judged, so that the change being looked
    /// for is not part of the yardstick it is measured against. 14: a run is normally flagged
    /// well within two weeks of starting.
    pub recent_days: u16,
    /// No signal at all until the baseline holds at least this many scored days. 42 (six
    /// weeks of check-ins): a median and MAD from few days are themselves uncertain, and a
    /// baseline that happens to sit low makes every later day look raised — this estimation
    /// error, not day-to-day noise, is what drives false alarms. Measured: 28 gives 1.2% false
    /// alarms per stable half-year, 42 gives 0.8%, and 3.8% → 2.2% when moods carry over from
    /// day to day. With the two-week gap, daily check-ins could first signal after about
    /// eight weeks; a short history never signals.
    pub min_baseline_days: u16,
    /// Smallest standard deviation used, in index points. 0.5: someone who answers almost the
    /// same every day has a MAD near zero, and without a floor a tiny wobble would count as a
    /// huge change. Half a point of the 0–10 index is about the smallest day-to-day change
    /// that means anything (for instance energy, mood and sleep each one point lower).
    pub sd_floor: f64,
    /// The CUSUM slack *k*, in standard deviations. 0.75 tunes the chart to shifts of about
    /// 1.5 standard deviations (2k) — a change clearly beyond a person's ordinary wobble —
    /// and every ordinary day drains the sum by 0.75. The textbook 0.5 (tuned to one standard
    /// deviation) needed a higher threshold for the same false-alarm rate and was then slower
    /// on the changes that matter.
    pub slack_k: f64,
    /// The CUSUM decision threshold *h*, in standard deviations. 8 (rather than the textbook 4
    /// or 5) because the detector is consulted every day for years, the baseline is estimated
    /// rather than known, and a false "your check-ins suggest…" costs trust. Measured on
    /// simulated stable people: 0.8% of half-years raise a false alarm; a rise of two standard
    /// deviations is flagged in 6 days (median; 90% within 10), a rise of three within 7 days
    /// at most (see `docs/INSIGHTS.md`). With the cap below, it takes at least four days.
    pub threshold_h: f64,
    /// Each day's standardised value is capped at this many standard deviations, so one
    /// terrible day can add at most `z_cap − k` (2.25) to the sum: a single day, or two or
    /// three, is never "drift". 3: ordinary bad days pass through untouched.
    pub z_cap: f64,
    /// A run signals only if at least this many of its days were above usual by more than the
    /// slack. 3: "stays beyond it for several days".
    pub min_days_above: u16,
    /// A gap of more than this many days between scored days restarts the sum: days that far
    /// apart are not one sustained change. 7.
    pub max_gap_days: u16,
    /// No drift signal when the latest scored day is more than this many days before today:
    /// there is nothing current to say. 14.
    pub stale_after_days: u16,
    /// The CUSUM starts at most this many days before today (the baseline may look further
    /// back). Bounds the work for long histories; a run cannot realistically last this long
    /// because the baseline catches up after about two months. 400.
    pub lookback_days: u16,
}

impl Default for DriftParams {
    fn default() -> Self {
        DriftParams {
            baseline_days: 90,
            recent_days: 14,
            min_baseline_days: 42,
            sd_floor: 0.5,
            slack_k: 0.75,
            threshold_h: 8.0,
            z_cap: 3.0,
            min_days_above: 3,
            max_gap_days: 7,
            stale_after_days: 14,
            lookback_days: 400,
        }
    }
}

/// The baseline a day was judged against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineWindow {
    /// First and last scored day inside the baseline window.
    pub first_day: Date,
    pub last_day: Date,
    /// Median and MAD of the strain index over those days.
    pub stats: RobustBaseline,
    /// The standard deviation actually used: `max(1.4826·MAD, sd_floor)`.
    pub sd: f64,
}

/// The detector's state after one scored day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftStep {
    pub date: Date,
    pub strain: f64,
    /// `None` while there is not enough history (the sum is then held at zero).
    pub baseline: Option<BaselineWindow>,
    /// Standardised and capped strain (0 without a baseline).
    pub z: f64,
    pub cusum: f64,
    /// First day of the current run, while `cusum > 0`.
    pub run_start: Option<Date>,
    /// Days of the current run with `z > slack_k`.
    pub days_above: u16,
    /// The day the current run crossed the threshold, if it has.
    pub alarm_since: Option<Date>,
}

/// Runs the CUSUM over a strain series (as from [`strain_series`]; it is sorted and deduplicated
/// here in case it is not) and returns the detector's state on every scored day from
/// `today − lookback_days` to `today`. A day raises the drift signal exactly when its
/// `alarm_since` is set; [`detect_drift`] reports the state on the latest day.
pub fn drift_trace(series: &[StrainPoint], today: Date, params: &DriftParams) -> Vec<DriftStep> {
    let today_n = day_number(today);
    let mut points: BTreeMap<i32, StrainPoint> = BTreeMap::new();
    for point in series.iter().filter(|p| p.date <= today && p.strain.is_finite()) {
        points.insert(day_number(point.date), *point);
    }
    let points: Vec<(i32, StrainPoint)> = points.into_iter().collect();
    let start = today_n - i32::from(params.lookback_days);
    let lag = i32::from(params.recent_days);
    let span = i32::from(params.baseline_days);

    let mut steps = Vec::new();
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut state = RunState::default();
    let mut previous_day: Option<i32> = None;
    for &(t, point) in &points {
        // Baseline: scored days in [t − lag − span + 1, t − lag].
        while hi < points.len() && points[hi].0 <= t - lag {
            hi += 1;
        }
        while lo < hi && points[lo].0 < t - lag - span + 1 {
            lo += 1;
        }
        if t < start {
            continue;
        }
        if previous_day.is_some_and(|p| t - p > i32::from(params.max_gap_days)) {
            state = RunState::default();
        }
        previous_day = Some(t);

        let baseline = if hi - lo >= usize::from(params.min_baseline_days) && hi > lo {
            let values: Vec<f64> = points[lo..hi].iter().map(|(_, p)| p.strain).collect();
            RobustBaseline::of(&values).map(|stats| BaselineWindow {
                first_day: points[lo].1.date,
                last_day: points[hi - 1].1.date,
                stats,
                sd: stats.robust_sd().max(params.sd_floor),
            })
        } else {
            None
        };
        let z = match baseline {
            Some(b) => ((point.strain - b.stats.median) / b.sd).clamp(-params.z_cap, params.z_cap),
            None => {
                state = RunState::default();
                0.0
            }
        };
        if baseline.is_some() {
            state.cusum = (state.cusum + z - params.slack_k).max(0.0);
            if state.cusum > 0.0 {
                state.run_start.get_or_insert(point.date);
                if z > params.slack_k {
                    state.days_above = state.days_above.saturating_add(1);
                }
                if state.alarm_since.is_none()
                    && state.cusum >= params.threshold_h
                    && state.days_above >= params.min_days_above
                {
                    state.alarm_since = Some(point.date);
                }
            } else {
                state = RunState::default();
            }
        }
        steps.push(DriftStep {
            date: point.date,
            strain: point.strain,
            baseline,
            z,
            cusum: state.cusum,
            run_start: state.run_start,
            days_above: state.days_above,
            alarm_since: state.alarm_since,
        });
    }
    steps
}

#[derive(Debug, Clone, Copy, Default)]
struct RunState {
    cusum: f64,
    run_start: Option<Date>,
    days_above: u16,
    alarm_since: Option<Date>,
}

/// A sustained rise in the strain index above the person's usual level.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftSignal {
    /// First day of the run (the first day above usual by more than the slack). Part of the id:
    /// the same episode keeps the same id from day to day.
    pub run_start: Date,
    /// The day the run crossed the threshold.
    pub alarm_day: Date,
    /// The latest scored day (the run is still going on it).
    pub last_day: Date,
    /// Every scored day of the run, in order.
    pub days: Vec<DayStrain>,
    /// The person's usual level, as it stood when the run began.
    pub baseline: BaselineWindow,
    /// Mean strain index over the run's days.
    pub run_mean: f64,
    /// `run_mean − baseline median`, in index points (0–10 scale).
    pub change: f64,
    /// The same change in (floored) standard deviations.
    pub change_in_sd: f64,
    pub peak_cusum: f64,
    pub current_cusum: f64,
    /// Whether the sum is still at or above the threshold on the latest day (false when the run
    /// is easing off but has not yet returned to usual).
    pub still_above_threshold: bool,
    /// Each measure's change between the baseline window and the run, largest increase in
    /// strain first: "which measures moved most".
    pub measures: Vec<MeasureChange>,
}

/// One scored day inside a drift run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayStrain {
    pub date: Date,
    pub strain: f64,
    pub z: f64,
    pub cusum: f64,
}

/// How one measure compares between the baseline window and a drift run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureChange {
    pub measure: Measure,
    /// Median raw value over the baseline window (energy "usually around 6").
    pub usual: f64,
    /// Mean raw value over the run's days ("averaging 3.4 lately").
    pub recent: f64,
    /// Mean strain component over the run minus its median over the baseline, in points of
    /// the 0–10 strain scale; positive means this measure moved towards strain. For the empathy
    /// dial this is the change in distance from steady, whichever way it went (look at
    /// `usual` and `recent` for the direction).
    pub strain_change: f64,
    pub baseline_days: usize,
    pub recent_days: usize,
}

impl DriftSignal {
    pub fn id(&self) -> SignalId {
        SignalId(format!("{}:{}", SignalKind::SustainedDrift.as_str(), self.run_start))
    }
}

/// The sustained-drift signal as of `today`, if there is one.
///
/// A short history never signals: until the baseline window holds `min_baseline_days` scored
/// days the sum stays at zero.
pub fn detect_drift(days: &[CheckInDay], today: Date, params: &DriftParams) -> Option<DriftSignal> {
    let by_day = by_day(days, today);
    let trace = drift_trace(&scored(&by_day), today, params);
    let last = trace.last()?;
    if day_number(today) - day_number(last.date) > i32::from(params.stale_after_days) {
        return None;
    }
    let alarm_day = last.alarm_since?;
    let run_start = last.run_start?;
    let run: Vec<&DriftStep> = trace.iter().filter(|s| s.date >= run_start).collect();
    let baseline = run.first()?.baseline?;
    let run_mean = run.iter().map(|s| s.strain).sum::<f64>() / run.len() as f64;
    let change = run_mean - baseline.stats.median;

    let baseline_days: Vec<&DailyMeasures> = by_day
        .range(day_number(baseline.first_day)..=day_number(baseline.last_day))
        .map(|(_, d)| &d.measures)
        .collect();
    let run_days: Vec<&DailyMeasures> =
        run.iter().filter_map(|s| by_day.get(&day_number(s.date))).map(|d| &d.measures).collect();
    let mut measures: Vec<MeasureChange> =
        Measure::ALL.iter().filter_map(|m| measure_change(*m, &baseline_days, &run_days)).collect();
    measures.sort_by(|a, b| b.strain_change.total_cmp(&a.strain_change).then(a.measure.cmp(&b.measure)));

    Some(DriftSignal {
        run_start,
        alarm_day,
        last_day: last.date,
        days: run.iter().map(|s| DayStrain { date: s.date, strain: s.strain, z: s.z, cusum: s.cusum }).collect(),
        baseline,
        run_mean,
        change,
        change_in_sd: change / baseline.sd,
        peak_cusum: run.iter().map(|s| s.cusum).fold(0.0, f64::max),
        current_cusum: last.cusum,
        still_above_threshold: last.cusum >= params.threshold_h,
        measures,
    })
}

fn measure_change(measure: Measure, baseline: &[&DailyMeasures], run: &[&DailyMeasures]) -> Option<MeasureChange> {
    let base_raw: Vec<f64> = baseline.iter().filter_map(|d| d.raw(measure)).collect();
    let run_raw: Vec<f64> = run.iter().filter_map(|d| d.raw(measure)).collect();
    if base_raw.is_empty() || run_raw.is_empty() {
        return None;
    }
    let base_strain: Vec<f64> = base_raw.iter().map(|v| measure.strain_of(*v)).collect();
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let run_strain: Vec<f64> = run_raw.iter().map(|v| measure.strain_of(*v)).collect();
    Some(MeasureChange {
        measure,
        usual: RobustBaseline::of(&base_raw)?.median,
        recent: mean(&run_raw),
        strain_change: mean(&run_strain) - RobustBaseline::of(&base_strain)?.median,
        baseline_days: base_raw.len(),
        recent_days: run_raw.len(),
    })
}

// ---------------------------------------------------------------------------------------------
// Warning signs appearing more often than usual
// ---------------------------------------------------------------------------------------------

/// Parameters of the warning-sign frequency rule.
///
/// For each warning sign seen in the recent window, with `x` of the `n_r` recent check-ins
/// showing it and `y` of the `n_b` baseline check-ins, the sign is flagged when all of:
///
/// * `n_r ≥ min_recent_check_ins` and `n_b ≥ min_baseline_check_ins` (enough days to compare);
/// * `x ≥ min_recent_count` (a sign on one or two days is not a pattern);
/// * `x / n_r ≥ min_rate_ratio × y / n_b` (clearly more often, not just detectably);
/// * the one-sided Fisher exact test of "the recent days are no more likely to show the sign
///   than the baseline days" gives `p ≤ alpha`. Conditioning on the total number of days with
///   the sign, this test is exact for small counts and accounts for the baseline frequency
///   being itself an estimate. A sign never seen before needs four of the last 14 check-ins
///   when about three months of history lie behind them (five or six with less).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WarningSignParams {
    /// The recent window: the last 14 days, including today.
    pub recent_days: u16,
    /// The person's longer-run frequency comes from this many days before the recent window.
    /// 180: half a year covers the usual ebb and flow of a working year.
    pub baseline_days: u16,
    /// 7: at least half the recent days need a check-in.
    pub min_recent_check_ins: u16,
    /// 28: four weeks of check-ins before "more than usual" means anything.
    pub min_baseline_check_ins: u16,
    /// 3: one or two days are never a pattern, whatever the statistics say (with the default
    /// alpha the test already asks for more; the minimum guards a loosened alpha).
    pub min_recent_count: u16,
    /// 2.0: at least twice as often as usual.
    pub min_rate_ratio: f64,
    /// 0.001: strict, because the rule is consulted every day for each of a person's signs,
    /// over overlapping windows. At 0.01, half of simulated stable half-years with four signs
    /// flagged one by chance; at 0.001, 7% do (about 2% per sign per half-year), and a sign
    /// going from one day in five to four in five is flagged in a median of 11 days.
    pub alpha: f64,
    /// How far back to look for the start of the current episode (for the id). 90.
    pub episode_lookback_days: u16,
}

impl Default for WarningSignParams {
    fn default() -> Self {
        WarningSignParams {
            recent_days: 14,
            baseline_days: 180,
            min_recent_check_ins: 7,
            min_baseline_check_ins: 28,
            min_recent_count: 3,
            min_rate_ratio: 2.0,
            alpha: 0.001,
            episode_lookback_days: 90,
        }
    }
}

/// How often a sign showed up over a span of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignFrequency {
    /// The span's first and last calendar day (whether or not checked in).
    pub from: Date,
    pub to: Date,
    /// Days in the span with a check-in.
    pub check_in_days: u32,
    /// Of those, days on which the sign showed up.
    pub days_with_sign: u32,
}

impl SignFrequency {
    /// Share of check-in days with the sign (0 when there were none).
    pub fn rate(&self) -> f64 {
        if self.check_in_days == 0 { 0.0 } else { f64::from(self.days_with_sign) / f64::from(self.check_in_days) }
    }
}

/// A warning sign showing up more often than the person's usual.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningSignSignal {
    pub sign: String,
    /// The first day of the current stretch of days on which the rule has held (part of the id).
    pub episode_start: Date,
    pub recent: SignFrequency,
    pub usual: SignFrequency,
    /// `recent.rate() / usual.rate()`; `None` when the sign never showed up before.
    pub rate_ratio: Option<f64>,
    /// One-sided Fisher exact p-value.
    pub p_value: f64,
    /// The recent days on which it showed up.
    pub days: Vec<Date>,
}

impl WarningSignSignal {
    pub fn id(&self) -> SignalId {
        SignalId(format!("{}:{}:{}", SignalKind::WarningSignMoreOften.as_str(), self.sign, self.episode_start))
    }
}

/// Warning signs showing up more often than usual as of `today`, ordered by sign id.
pub fn detect_warning_signs(days: &[CheckInDay], today: Date, params: &WarningSignParams) -> Vec<WarningSignSignal> {
    let by_day = by_day(days, today);
    let today_n = day_number(today);
    let recent_from = today_n - i32::from(params.recent_days) + 1;
    let candidates: BTreeSet<&String> =
        by_day.range(recent_from..=today_n).flat_map(|(_, d)| &d.warning_signs).collect();
    let mut signals = Vec::new();
    for sign in candidates {
        let Some((recent, usual, p_value)) = sign_condition(&by_day, sign, today_n, params) else {
            continue;
        };
        let mut episode_start = today_n;
        for back in 1..=i32::from(params.episode_lookback_days) {
            if sign_condition(&by_day, sign, today_n - back, params).is_none() {
                break;
            }
            episode_start = today_n - back;
        }
        let days = by_day
            .range(recent_from..=today_n)
            .filter(|(_, d)| d.warning_signs.contains(sign))
            .map(|(_, d)| d.date)
            .collect();
        let rate_ratio = (usual.days_with_sign > 0).then(|| recent.rate() / usual.rate());
        signals.push(WarningSignSignal {
            sign: sign.clone(),
            episode_start: date_from_number(episode_start).unwrap_or(today),
            recent,
            usual,
            rate_ratio,
            p_value,
            days,
        });
    }
    signals
}

/// Evaluates the warning-sign rule for one sign as if `end` (a day number) were today.
fn sign_condition(
    by_day: &BTreeMap<i32, &CheckInDay>,
    sign: &str,
    end: i32,
    params: &WarningSignParams,
) -> Option<(SignFrequency, SignFrequency, f64)> {
    let recent_from = end - i32::from(params.recent_days) + 1;
    let baseline_from = recent_from - i32::from(params.baseline_days);
    let count = |from: i32, to: i32| -> Option<SignFrequency> {
        let (mut check_in_days, mut days_with_sign) = (0u32, 0u32);
        for (_, day) in by_day.range(from..=to) {
            check_in_days += 1;
            days_with_sign += u32::from(day.warning_signs.contains(sign));
        }
        Some(SignFrequency { from: date_from_number(from)?, to: date_from_number(to)?, check_in_days, days_with_sign })
    };
    let recent = count(recent_from, end)?;
    let usual = count(baseline_from, recent_from - 1)?;
    let (x, n_r, y, n_b) = (recent.days_with_sign, recent.check_in_days, usual.days_with_sign, usual.check_in_days);
    if n_r < u32::from(params.min_recent_check_ins)
        || n_b < u32::from(params.min_baseline_check_ins)
        || x < u32::from(params.min_recent_count)
        || f64::from(x) * f64::from(n_b) < params.min_rate_ratio * f64::from(y) * f64::from(n_r)
    {
        return None;
    }
    let p_value = fisher_upper_tail(x, n_r, x + y, n_r + n_b);
    (p_value <= params.alpha).then_some((recent, usual, p_value))
}

/// One-sided Fisher exact test: with `total` days of which `with` showed the sign, the chance
/// that `drawn` days picked at random include at least `x` with the sign (hypergeometric upper
/// tail).
pub fn fisher_upper_tail(x: u32, drawn: u32, with: u32, total: u32) -> f64 {
    if with > total || drawn > total {
        return f64::NAN;
    }
    let ln_factorial: Vec<f64> = std::iter::once(0.0)
        .chain((1..=total).scan(0.0, |acc, i| {
            *acc += f64::from(i).ln();
            Some(*acc)
        }))
        .collect();
    let ln_choose =
        |n: u32, k: u32| ln_factorial[n as usize] - ln_factorial[k as usize] - ln_factorial[(n - k) as usize];
    let denominator = ln_choose(total, drawn);
    let lowest = x.max(drawn.saturating_sub(total - with));
    let highest = with.min(drawn);
    let p: f64 =
        (lowest..=highest).map(|i| (ln_choose(with, i) + ln_choose(total - with, drawn - i) - denominator).exp()).sum();
    p.min(1.0)
}

// ---------------------------------------------------------------------------------------------
// Assessments: a band getting worse, a re-assessment overdue
// ---------------------------------------------------------------------------------------------

/// One scored scale of one completed assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentResult {
    pub date: Date,
    /// The instrument's id (e.g. `proqol5`).
    pub instrument: String,
    /// The scale's id within the instrument (e.g. `burnout`).
    pub scale: String,
    /// Index of the band the score fell in, in the definition's low-to-high order.
    pub band: u16,
    /// Whether higher scores mean more strain (so a higher band is harder).
    pub higher_is_harder: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssessmentParams {
    /// A worsening is only pointed out while its later result is at most this many days old.
    /// 90: long enough to be seen, short enough not to nag about old news (an overdue
    /// re-assessment has its own signal).
    pub band_change_max_age_days: u16,
}

impl Default for AssessmentParams {
    fn default() -> Self {
        AssessmentParams { band_change_max_age_days: 90 }
    }
}

/// The latest result of a scale in a harder band than the result before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandWorseSignal {
    pub instrument: String,
    pub scale: String,
    pub previous_date: Date,
    pub previous_band: u16,
    pub latest_date: Date,
    pub latest_band: u16,
    /// How many bands harder (at least 1).
    pub steps: u16,
    pub higher_is_harder: bool,
}

impl BandWorseSignal {
    pub fn id(&self) -> SignalId {
        SignalId(format!(
            "{}:{}:{}:{}",
            SignalKind::AssessmentBandWorse.as_str(),
            self.instrument,
            self.scale,
            self.latest_date
        ))
    }
}

/// For each (instrument, scale), compares the two most recent results (by date; results on the
/// same date keep their order in the slice) and reports a move to a harder band.
pub fn detect_band_worsening(
    results: &[AssessmentResult],
    today: Date,
    params: &AssessmentParams,
) -> Vec<BandWorseSignal> {
    let mut by_scale: BTreeMap<(&str, &str), Vec<&AssessmentResult>> = BTreeMap::new();
    for result in results.iter().filter(|r| r.date <= today) {
        by_scale.entry((&result.instrument, &result.scale)).or_default().push(result);
    }
    let mut signals = Vec::new();
    for (_, mut list) in by_scale {
        list.sort_by_key(|r| r.date); // stable: same-day results keep their order
        let [.., previous, latest] = list.as_slice() else { continue };
        if day_number(today) - day_number(latest.date) > i32::from(params.band_change_max_age_days) {
            continue;
        }
        let steps = if latest.higher_is_harder {
            latest.band.checked_sub(previous.band)
        } else {
            previous.band.checked_sub(latest.band)
        };
        if let Some(steps @ 1..) = steps {
            signals.push(BandWorseSignal {
                instrument: latest.instrument.clone(),
                scale: latest.scale.clone(),
                previous_date: previous.date,
                previous_band: previous.band,
                latest_date: latest.date,
                latest_band: latest.band,
                steps,
                higher_is_harder: latest.higher_is_harder,
            });
        }
    }
    signals
}

/// When an instrument was last taken and how often the person means to take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReassessmentCadence {
    pub instrument: String,
    pub last_taken: Date,
    /// Days between assessments; 0 means no cadence (never overdue).
    pub cadence_days: u16,
}

/// A re-assessment past its due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueSignal {
    pub instrument: String,
    pub last_taken: Date,
    /// `last_taken + cadence_days`.
    pub due: Date,
    /// Days since `due` (at least 1).
    pub days_overdue: u32,
}

impl OverdueSignal {
    pub fn id(&self) -> SignalId {
        SignalId(format!("{}:{}:{}", SignalKind::ReassessmentOverdue.as_str(), self.instrument, self.last_taken))
    }
}

/// Re-assessments whose due date (`last_taken + cadence_days`) is before `today`. An
/// assessment taken on the due day is on time; the day after, it is one day overdue.
pub fn detect_overdue(cadences: &[ReassessmentCadence], today: Date) -> Vec<OverdueSignal> {
    cadences
        .iter()
        .filter(|c| c.cadence_days > 0 && c.last_taken <= today)
        .filter_map(|c| {
            let due = c.last_taken.checked_add(Span::new().days(i64::from(c.cadence_days))).ok()?;
            let days_overdue = u32::try_from(day_number(today) - day_number(due)).ok().filter(|d| *d > 0)?;
            Some(OverdueSignal { instrument: c.instrument.clone(), last_taken: c.last_taken, due, days_overdue })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// All signals together
// ---------------------------------------------------------------------------------------------

/// What kind of signal: stable identifiers for storage, JSON and wording tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignalKind {
    SustainedDrift,
    WarningSignMoreOften,
    AssessmentBandWorse,
    ReassessmentOverdue,
}

impl SignalKind {
    pub const ALL: [SignalKind; 4] = [
        SignalKind::SustainedDrift,
        SignalKind::WarningSignMoreOften,
        SignalKind::AssessmentBandWorse,
        SignalKind::ReassessmentOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::SustainedDrift => "sustained_drift",
            SignalKind::WarningSignMoreOften => "warning_sign_more_often",
            SignalKind::AssessmentBandWorse => "assessment_band_worse",
            SignalKind::ReassessmentOverdue => "reassessment_overdue",
        }
    }

    pub fn parse(s: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signal's identity, stable for as long as it is the same episode: `kind:…` with the parts
/// that pick out the episode (the run's first day, the sign and the first day of its stretch,
/// the scale and the date of the worse result, the instrument and the date last taken).
/// Storing dismissed ids and filtering them out is enough to make a dismissal stick.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignalId(String);

impl SignalId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for SignalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An early-warning signal with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    SustainedDrift(DriftSignal),
    WarningSignMoreOften(WarningSignSignal),
    AssessmentBandWorse(BandWorseSignal),
    ReassessmentOverdue(OverdueSignal),
}

impl Signal {
    pub fn kind(&self) -> SignalKind {
        match self {
            Signal::SustainedDrift(_) => SignalKind::SustainedDrift,
            Signal::WarningSignMoreOften(_) => SignalKind::WarningSignMoreOften,
            Signal::AssessmentBandWorse(_) => SignalKind::AssessmentBandWorse,
            Signal::ReassessmentOverdue(_) => SignalKind::ReassessmentOverdue,
        }
    }

    pub fn id(&self) -> SignalId {
        match self {
            Signal::SustainedDrift(s) => s.id(),
            Signal::WarningSignMoreOften(s) => s.id(),
            Signal::AssessmentBandWorse(s) => s.id(),
            Signal::ReassessmentOverdue(s) => s.id(),
        }
    }
}

/// Everything the signals look at for one person.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignalInput<'a> {
    pub check_ins: &'a [CheckInDay],
    pub assessments: &'a [AssessmentResult],
    pub cadences: &'a [ReassessmentCadence],
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SignalParams {
    pub drift: DriftParams,
    pub warning_signs: WarningSignParams,
    pub assessments: AssessmentParams,
}

/// All current signals as of `today`: drift first, then warning signs (by sign), worse bands
/// (by instrument and scale), overdue re-assessments (in input order). Filtering out dismissed
/// ids is the caller's job.
pub fn evaluate(input: &SignalInput<'_>, today: Date, params: &SignalParams) -> Vec<Signal> {
    let mut signals = Vec::new();
    signals.extend(detect_drift(input.check_ins, today, &params.drift).map(Signal::SustainedDrift));
    signals.extend(
        detect_warning_signs(input.check_ins, today, &params.warning_signs)
            .into_iter()
            .map(Signal::WarningSignMoreOften),
    );
    signals.extend(
        detect_band_worsening(input.assessments, today, &params.assessments)
            .into_iter()
            .map(Signal::AssessmentBandWorse),
    );
    signals.extend(detect_overdue(input.cadences, today).into_iter().map(Signal::ReassessmentOverdue));
    signals
}

// ---------------------------------------------------------------------------------------------
// Calendar helpers
// ---------------------------------------------------------------------------------------------

/// Check-ins up to `today`, keyed by day number; the later of two same-day entries wins.
fn by_day(days: &[CheckInDay], today: Date) -> BTreeMap<i32, &CheckInDay> {
    days.iter().filter(|d| d.date <= today).map(|d| (day_number(d.date), d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const START: Date = date(2024, 1, 1);

    fn day(i: i32) -> Date {
        date_from_number(day_number(START) + i).unwrap()
    }

    fn r(value: u8) -> Option<Rating> {
        Some(Rating::new(value).unwrap())
    }

    fn dial(value: i8) -> Option<Dial> {
        Some(Dial::new(value).unwrap())
    }

    /// A small, regular wobble so that the baseline has some spread.
    fn wobble(i: i32) -> i32 {
        [-1, 0, 1][i.rem_euclid(3) as usize]
    }

    /// An ordinary day: strain index (17 − wobble) / 6 ≈ 2.8.
    fn steady(i: i32) -> CheckInDay {
        let energy = u8::try_from(6 + wobble(i)).unwrap();
        CheckInDay::new(
            day(i),
            DailyMeasures {
                energy: r(energy),
                mood: r(6),
                sleep_quality: r(6),
                dread: r(3),
                intrusive_images: r(2),
                empathy_dial: dial(0),
            },
        )
    }

    /// A hard day: strain index (30⅓ − wobble) / 6 ≈ 5.1. Energy moves most (+4 strain), then
    /// the dial (+3⅓), dread (+3), mood (+2), sleep (+1); intrusive images not at all.
    fn strained(i: i32) -> CheckInDay {
        let energy = u8::try_from(2 + wobble(i)).unwrap();
        CheckInDay::new(
            day(i),
            DailyMeasures {
                energy: r(energy),
                mood: r(4),
                sleep_quality: r(5),
                dread: r(6),
                intrusive_images: r(2),
                empathy_dial: dial(-1),
            },
        )
    }

    fn history(steady_days: std::ops::Range<i32>, strained_days: std::ops::Range<i32>) -> Vec<CheckInDay> {
        steady_days.map(steady).chain(strained_days.map(strained)).collect()
    }

    fn drift(days: &[CheckInDay], today: i32) -> Option<DriftSignal> {
        detect_drift(days, day(today), &DriftParams::default())
    }

    // --- measures and the strain index -------------------------------------------------------

    #[test]
    fn ratings_and_dial_reject_out_of_range_values() {
        assert_eq!(Rating::new(10).map(Rating::get), Some(10));
        assert_eq!(Rating::new(11), None);
        assert_eq!(Dial::new(-3).map(Dial::get), Some(-3));
        assert_eq!(Dial::new(3).map(Dial::get), Some(3));
        assert_eq!(Dial::new(-4), None);
        assert_eq!(Dial::new(4), None);
    }

    #[test]
    fn strain_index_runs_from_no_strain_to_full_strain() {
        let calm = DailyMeasures {
            energy: r(10),
            mood: r(10),
            sleep_quality: r(10),
            dread: r(0),
            intrusive_images: r(0),
            empathy_dial: dial(0),
        };
        assert_eq!(calm.strain_index(), Some(0.0));
        for end in [Dial::NUMB, Dial::FLOODED] {
            let worst = DailyMeasures {
                energy: r(0),
                mood: r(0),
                sleep_quality: r(0),
                dread: r(10),
                intrusive_images: r(10),
                empathy_dial: dial(end),
            };
            assert_eq!(worst.strain_index(), Some(10.0));
        }
    }

    #[test]
    fn strain_index_is_the_mean_of_the_components_present() {
        let three = DailyMeasures { energy: r(4), mood: r(7), dread: r(5), ..DailyMeasures::default() };
        // (6 + 3 + 5) / 3
        assert_eq!(three.strain_index(), Some(14.0 / 3.0));
        let with_dial = DailyMeasures { empathy_dial: dial(-2), ..three };
        // (6 + 3 + 5 + 6⅔) / 4
        assert!((with_dial.strain_index().unwrap() - (14.0 + 20.0 / 3.0) / 4.0).abs() < 1e-12);
    }

    #[test]
    fn strain_index_needs_three_measures() {
        let two = DailyMeasures { energy: r(0), dread: r(10), ..DailyMeasures::default() };
        assert_eq!(two.components_present(), 2);
        assert_eq!(two.strain_index(), None);
        assert_eq!(DailyMeasures::default().strain_index(), None);
        let three = DailyMeasures { sleep_quality: r(5), ..two };
        assert!(three.strain_index().is_some());
    }

    #[test]
    fn strain_series_skips_thin_days_ignores_the_future_and_keeps_the_last_duplicate() {
        let thin = CheckInDay::new(day(1), DailyMeasures { energy: r(3), ..DailyMeasures::default() });
        let mut replaced = steady(2);
        replaced.measures.dread = r(9);
        let days = vec![steady(0), thin, steady(2), replaced.clone(), steady(5)];
        let series = strain_series(&days, day(4));
        assert_eq!(series.iter().map(|p| p.date).collect::<Vec<_>>(), vec![day(0), day(2)]);
        assert_eq!(series[1].strain, replaced.measures.strain_index().unwrap());
    }

    // --- robust baseline -----------------------------------------------------------------------

    #[test]
    fn median_and_mad_of_known_values() {
        let b = RobustBaseline::of(&[3.0, 1.0, 100.0, 2.0, 4.0]).unwrap();
        assert_eq!((b.median, b.mad, b.count), (3.0, 1.0, 5));
        let even = RobustBaseline::of(&[1.0, 2.0, 3.0, 10.0]).unwrap();
        assert_eq!(even.median, 2.5);
        assert_eq!(even.mad, 1.0); // deviations 1.5, 0.5, 0.5, 7.5
        assert_eq!(RobustBaseline::of(&[]), None);
        assert_eq!(RobustBaseline::of(&[f64::NAN]), None);
        assert_eq!(RobustBaseline::of(&[f64::NAN, 2.0, f64::INFINITY]).unwrap().median, 2.0);
        assert!((even.robust_sd() - MAD_TO_SD).abs() < 1e-12);
    }

    // --- sustained drift -----------------------------------------------------------------------

    #[test]
    fn a_steady_history_raises_no_drift() {
        let days = history(0..200, 0..0);
        for today in 0..200 {
            assert_eq!(drift(&days, today), None, "day {today}");
        }
    }

    #[test]
    fn a_step_in_strain_is_flagged_on_its_fourth_day_with_evidence() {
        let days = history(0..100, 100..110);
        assert_eq!(drift(&days, 102), None, "three days are not yet sustained");
        let signal = drift(&days, 103).expect("four capped days reach the threshold");
        assert_eq!(signal.run_start, day(100));
        assert_eq!(signal.alarm_day, day(103));
        assert_eq!(signal.last_day, day(103));
        assert_eq!(signal.days.iter().map(|d| d.date).collect::<Vec<_>>(), (100..=103).map(day).collect::<Vec<_>>());
        assert!(signal.still_above_threshold);
        assert_eq!(signal.id().as_str(), "sustained_drift:2024-04-10");

        // The baseline is the usual level before the run, from 90 days ending 14 days earlier.
        assert_eq!(signal.baseline.first_day, day(0));
        assert_eq!(signal.baseline.last_day, day(86));
        assert_eq!(signal.baseline.stats.median, 17.0 / 6.0);
        assert_eq!(signal.baseline.sd, 0.5, "a very regular person gets the floor");
        assert!((signal.change - (30.0 + 1.0 / 3.0 - 17.0) / 6.0).abs() < 0.05, "{}", signal.change);
        assert!((signal.change_in_sd - signal.change / 0.5).abs() < 1e-12);

        let order: Vec<Measure> = signal.measures.iter().map(|m| m.measure).collect();
        assert_eq!(
            order,
            vec![
                Measure::Energy,
                Measure::EmpathyDial,
                Measure::Dread,
                Measure::Mood,
                Measure::SleepQuality,
                Measure::IntrusiveImages
            ]
        );
        let energy = signal.measures[0];
        assert_eq!((energy.usual, energy.recent, energy.strain_change), (6.0, 2.0, 4.0));
        assert_eq!((energy.baseline_days, energy.recent_days), (87, 4));
        let dial = signal.measures[1];
        assert_eq!((dial.usual, dial.recent), (0.0, -1.0));
        assert!((dial.strain_change - 10.0 / 3.0).abs() < 1e-12);
        assert_eq!(signal.measures[5].strain_change, 0.0);
    }

    #[test]
    fn a_drift_keeps_its_id_while_it_lasts_and_ends_after_recovery() {
        let mut days = history(0..100, 100..110);
        days.extend((110..160).map(steady));
        let first = drift(&days, 103).unwrap().id();
        for today in 104..=112 {
            assert_eq!(drift(&days, today).map(|s| s.id()), Some(first.clone()), "day {today}");
        }
        let easing = drift(&days, 112).unwrap();
        assert!(easing.current_cusum < easing.peak_cusum);
        assert_eq!(drift(&days, 159), None);
    }

    #[test]
    fn less_strain_than_usual_is_never_drift() {
        let mut days = history(0..100, 0..0);
        days.extend((100..160).map(|i| {
            let mut good = steady(i);
            good.measures.energy = r(10);
            good.measures.dread = r(0);
            good
        }));
        assert!((0..160).all(|today| drift(&days, today).is_none()));
    }

    #[test]
    fn three_terrible_days_are_not_drift() {
        let mut days = history(0..120, 0..0);
        for i in 100..103 {
            days[i as usize].measures = DailyMeasures {
                energy: r(0),
                mood: r(0),
                sleep_quality: r(0),
                dread: r(10),
                intrusive_images: r(10),
                empathy_dial: dial(3),
            };
        }
        assert!((0..120).all(|today| drift(&days, today).is_none()));
    }

    #[test]
    fn a_short_history_never_signals() {
        // 30 ordinary days and then 20 hard ones: a big change, but no baseline yet.
        let days = history(0..30, 30..50);
        assert!((0..80).all(|today| drift(&days, today).is_none()));
    }

    #[test]
    fn missing_days_are_skipped_not_counted() {
        let mut days: Vec<CheckInDay> = (0..120).filter(|i| i % 3 != 0).map(steady).collect();
        days.extend((120..140).step_by(2).map(strained));
        let signal = drift(&days, 140).expect("four hard check-ins over a week");
        assert_eq!(signal.run_start, day(120));
        assert_eq!(signal.alarm_day, day(126));
        assert!(signal.days.iter().all(|d| (d.date >= day(120)) && day_number(d.date) % 2 == day_number(day(0)) % 2));
    }

    #[test]
    fn a_long_gap_restarts_the_sum() {
        let mut days = history(0..100, 0..0);
        days.extend([100, 101, 109, 110].map(strained));
        assert!((100..=115).all(|today| drift(&days, today).is_none()));
        days.extend([111, 112].map(strained));
        assert_eq!(drift(&days, 112).unwrap().run_start, day(109));
    }

    #[test]
    fn thin_check_ins_do_not_count_towards_drift() {
        let mut days = history(0..100, 0..0);
        days.extend(
            (100..110).map(|i| {
                CheckInDay::new(day(i), DailyMeasures { energy: r(0), mood: r(0), ..DailyMeasures::default() })
            }),
        );
        assert!((100..110).all(|today| drift(&days, today).is_none()));
        // Three measures are enough.
        days.extend((110..120).map(|i| {
            CheckInDay::new(
                day(i),
                DailyMeasures { energy: r(0), mood: r(0), sleep_quality: r(0), ..DailyMeasures::default() },
            )
        }));
        let signal = drift(&days, 119).unwrap();
        assert_eq!(signal.run_start, day(110));
        let energy = signal.measures.iter().find(|m| m.measure == Measure::Energy).unwrap();
        assert_eq!(energy.recent_days, 10, "the thin days before the run are not part of it");
    }

    #[test]
    fn a_stale_drift_is_not_reported_and_the_future_is_ignored() {
        let days = history(0..100, 100..104);
        assert!(drift(&days, 103 + 14).is_some());
        assert_eq!(drift(&days, 103 + 15), None);
        let later = history(0..100, 100..130);
        assert_eq!(drift(&later, 102), None);
        assert_eq!(drift(&later, 103).unwrap().last_day, day(103));
    }

    #[test]
    fn the_trace_agrees_with_daily_evaluation() {
        let mut days = history(0..100, 100..110);
        days.extend((110..150).filter(|i| i % 4 != 0).map(steady));
        let series = strain_series(&days, day(150));
        let trace = drift_trace(&series, day(150), &DriftParams::default());
        for step in &trace {
            let today = day_number(step.date) - day_number(START);
            assert_eq!(drift(&days, today).is_some(), step.alarm_since.is_some(), "{}", step.date);
        }
    }

    // --- warning signs -------------------------------------------------------------------------

    fn with_signs(mut day: CheckInDay, signs: &[&str]) -> CheckInDay {
        day.warning_signs = signs.iter().map(|s| s.to_string()).collect();
        day
    }

    /// 100 days: irritability every tenth day throughout; brain fog on `fog` days only.
    fn sign_history(fog: &[i32]) -> Vec<CheckInDay> {
        (0..100)
            .map(|i| {
                let mut signs = Vec::new();
                if i % 10 == 0 {
                    signs.push("irritability");
                }
                if fog.contains(&i) {
                    signs.push("brain_fog");
                }
                with_signs(steady(i), &signs)
            })
            .collect()
    }

    #[test]
    fn a_new_sign_on_several_recent_days_is_flagged() {
        let days = sign_history(&[90, 93, 95, 98]);
        let signals = detect_warning_signs(&days, day(99), &WarningSignParams::default());
        assert_eq!(signals.len(), 1, "{signals:?}");
        let fog = &signals[0];
        assert_eq!(fog.sign, "brain_fog");
        assert_eq!(fog.days, vec![day(90), day(93), day(95), day(98)]);
        assert_eq!((fog.recent.days_with_sign, fog.recent.check_in_days), (4, 14));
        assert_eq!((fog.recent.from, fog.recent.to), (day(86), day(99)));
        assert_eq!((fog.usual.days_with_sign, fog.usual.check_in_days), (0, 86));
        assert_eq!(fog.rate_ratio, None);
        assert!(fog.p_value < 0.001, "{}", fog.p_value);
        // The rule first held on the fourth appearance: three new appearances in 14 days give
        // p = C(14,3)/C(100,3) ≈ 0.002, above alpha; four give ≈ 0.0003.
        assert_eq!(fog.episode_start, day(98));
        assert_eq!(fog.id().as_str(), "warning_sign_more_often:brain_fog:2024-04-08");
        assert!(detect_warning_signs(&days, day(97), &WarningSignParams::default()).is_empty());
    }

    #[test]
    fn a_sign_at_its_usual_rate_or_seen_twice_is_not_flagged() {
        // irritability: 2 of the last 14 days, as usual; brain fog twice.
        let days = sign_history(&[93, 98]);
        assert!(detect_warning_signs(&days, day(99), &WarningSignParams::default()).is_empty());
    }

    #[test]
    fn a_sign_somewhat_more_often_is_not_enough() {
        // Irritability on 3 of the last 14 days against 1 in 10 usually: not clearly more.
        let mut days = sign_history(&[]);
        days[95] = with_signs(steady(95), &["irritability"]);
        let signals = detect_warning_signs(&days, day(99), &WarningSignParams::default());
        assert!(signals.is_empty(), "{signals:?}");
    }

    #[test]
    fn a_usual_sign_much_more_often_is_flagged_with_its_ratio() {
        let mut days = sign_history(&[]);
        for i in [87, 89, 91, 93, 95, 97, 99] {
            days[i] = with_signs(steady(i as i32), &["irritability"]);
        }
        let signals = detect_warning_signs(&days, day(99), &WarningSignParams::default());
        assert_eq!(signals.len(), 1, "{signals:?}");
        let ratio = signals[0].rate_ratio.unwrap();
        assert!((ratio - (8.0 / 14.0) / (9.0 / 86.0)).abs() < 1e-9, "{ratio}");
    }

    #[test]
    fn warning_signs_need_enough_history_and_recent_check_ins() {
        let days: Vec<CheckInDay> = sign_history(&[90, 93, 95, 98]).into_iter().skip(70).collect();
        assert!(detect_warning_signs(&days, day(99), &WarningSignParams::default()).is_empty());
        let sparse: Vec<CheckInDay> = sign_history(&[90, 93, 95, 98])
            .into_iter()
            .filter(|d| d.date < day(86) || !d.warning_signs.is_empty())
            .collect();
        assert!(detect_warning_signs(&sparse, day(99), &WarningSignParams::default()).is_empty());
    }

    #[test]
    fn a_warning_sign_episode_keeps_its_id() {
        let mut days = sign_history(&[90, 93, 95, 98]);
        days.extend((100..104).map(|i| with_signs(steady(i), &["brain_fog"])));
        let ids: Vec<SignalId> = (98..104)
            .map(|today| detect_warning_signs(&days, day(today), &WarningSignParams::default())[0].id())
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    }

    #[test]
    fn fisher_tail_matches_hand_calculation() {
        // Three draws from six days, three of them with the sign: all three = 1 / C(6,3).
        assert!((fisher_upper_tail(3, 3, 3, 6) - 0.05).abs() < 1e-12);
        // At least two: (C(3,2)·C(3,1) + 1) / 20.
        assert!((fisher_upper_tail(2, 3, 3, 6) - 0.5).abs() < 1e-12);
        assert!((fisher_upper_tail(0, 3, 3, 6) - 1.0).abs() < 1e-12);
        assert_eq!(fisher_upper_tail(4, 3, 3, 6), 0.0);
        assert!(fisher_upper_tail(1, 3, 7, 6).is_nan());
    }

    // --- assessments ---------------------------------------------------------------------------

    fn result(i: i32, scale: &str, band: u16, higher_is_harder: bool) -> AssessmentResult {
        AssessmentResult { date: day(i), instrument: "proqol5".into(), scale: scale.into(), band, higher_is_harder }
    }

    #[test]
    fn a_harder_band_is_flagged_in_either_direction_of_scale() {
        let results = vec![
            result(10, "burnout", 0, true),
            result(40, "burnout", 2, true),
            result(10, "compassion_satisfaction", 2, false),
            result(40, "compassion_satisfaction", 1, false),
            result(10, "secondary_traumatic_stress", 1, true),
            result(40, "secondary_traumatic_stress", 0, true),
        ];
        let signals = detect_band_worsening(&results, day(45), &AssessmentParams::default());
        assert_eq!(signals.len(), 2);
        assert_eq!((signals[0].scale.as_str(), signals[0].steps), ("burnout", 2));
        assert_eq!((signals[0].previous_band, signals[0].latest_band), (0, 2));
        assert_eq!((signals[1].scale.as_str(), signals[1].steps), ("compassion_satisfaction", 1));
        assert_eq!(signals[0].id().as_str(), "assessment_band_worse:proqol5:burnout:2024-02-10");
    }

    #[test]
    fn only_the_latest_pair_counts_and_old_news_fades() {
        // Worse, then better again: nothing to say now.
        let results =
            vec![result(80, "burnout", 1, true), result(10, "burnout", 0, true), result(50, "burnout", 2, true)];
        assert!(detect_band_worsening(&results, day(90), &AssessmentParams::default()).is_empty());
        let worse = vec![result(10, "burnout", 0, true), result(50, "burnout", 1, true)];
        assert_eq!(detect_band_worsening(&worse, day(50 + 90), &AssessmentParams::default()).len(), 1);
        assert!(detect_band_worsening(&worse, day(50 + 91), &AssessmentParams::default()).is_empty());
        // A result dated after today does not count yet; a single result has nothing to compare.
        assert!(detect_band_worsening(&worse, day(49), &AssessmentParams::default()).is_empty());
    }

    #[test]
    fn same_day_results_keep_their_order() {
        let results = vec![result(10, "burnout", 0, true), result(10, "burnout", 1, true)];
        assert_eq!(detect_band_worsening(&results, day(10), &AssessmentParams::default()).len(), 1);
        let reversed = vec![result(10, "burnout", 1, true), result(10, "burnout", 0, true)];
        assert!(detect_band_worsening(&reversed, day(10), &AssessmentParams::default()).is_empty());
    }

    #[test]
    fn a_reassessment_is_overdue_the_day_after_it_is_due() {
        let cadence = |last: i32, days: u16| ReassessmentCadence {
            instrument: "proqol5".into(),
            last_taken: day(last),
            cadence_days: days,
        };
        assert!(detect_overdue(&[cadence(0, 30)], day(30)).is_empty());
        let overdue = detect_overdue(&[cadence(0, 30)], day(31));
        assert_eq!(overdue.len(), 1);
        assert_eq!((overdue[0].due, overdue[0].days_overdue), (day(30), 1));
        assert_eq!(overdue[0].id().as_str(), "reassessment_overdue:proqol5:2024-01-01");
        assert!(detect_overdue(&[cadence(0, 0)], day(500)).is_empty(), "no cadence, never overdue");
        assert!(detect_overdue(&[cadence(10, 1)], day(5)).is_empty(), "taken in the future");
    }

    // --- everything together -------------------------------------------------------------------

    #[test]
    fn evaluate_gathers_every_kind_with_stable_ids() {
        let mut days = sign_history(&[90, 93, 95, 98]);
        days.extend((100..104).map(strained));
        let assessments = vec![result(10, "burnout", 0, true), result(95, "burnout", 1, true)];
        let cadences = vec![ReassessmentCadence { instrument: "who5".into(), last_taken: day(0), cadence_days: 28 }];
        let input = SignalInput { check_ins: &days, assessments: &assessments, cadences: &cadences };
        let signals = evaluate(&input, day(103), &SignalParams::default());
        let kinds: Vec<SignalKind> = signals.iter().map(Signal::kind).collect();
        assert_eq!(kinds, SignalKind::ALL.to_vec());
        for signal in &signals {
            assert!(signal.id().as_str().starts_with(signal.kind().as_str()));
        }
        let ids: BTreeSet<SignalId> = signals.iter().map(Signal::id).collect();
        assert_eq!(ids.len(), signals.len());
        assert_eq!(evaluate(&SignalInput::default(), day(103), &SignalParams::default()), vec![]);
    }

    #[test]
    fn kinds_and_measures_have_stable_names() {
        for kind in SignalKind::ALL {
            assert_eq!(SignalKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(SignalKind::parse("diagnosis"), None);
        let names: BTreeSet<&str> = Measure::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(names.len(), 6);
    }

    // --- properties ----------------------------------------------------------------------------

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    fn any_measures() -> impl Strategy<Value = DailyMeasures> {
        let rating = proptest::option::of((0u8..=10).prop_map(|v| Rating::new(v).unwrap()));
        let dial = proptest::option::of((-3i8..=3).prop_map(|v| Dial::new(v).unwrap()));
        (rating.clone(), rating.clone(), rating.clone(), rating.clone(), rating, dial).prop_map(
            |(energy, mood, sleep_quality, dread, intrusive_images, empathy_dial)| DailyMeasures {
                energy,
                mood,
                sleep_quality,
                dread,
                intrusive_images,
                empathy_dial,
            },
        )
    }

    /// The same day with one more point of strain on `measure`, if there is room.
    fn more_strain(m: &DailyMeasures, measure: Measure) -> Option<DailyMeasures> {
        let mut out = *m;
        let down = |r: Option<Rating>| r.and_then(|r| r.get().checked_sub(1)).map(|v| Rating::new(v).unwrap());
        let up = |r: Option<Rating>| r.and_then(|r| Rating::new(r.get() + 1));
        match measure {
            Measure::Energy => out.energy = Some(down(m.energy)?),
            Measure::Mood => out.mood = Some(down(m.mood)?),
            Measure::SleepQuality => out.sleep_quality = Some(down(m.sleep_quality)?),
            Measure::Dread => out.dread = Some(up(m.dread)?),
            Measure::IntrusiveImages => out.intrusive_images = Some(up(m.intrusive_images)?),
            Measure::EmpathyDial => {
                let v = m.empathy_dial?.get();
                out.empathy_dial = Some(Dial::new(if v >= 0 { v + 1 } else { v - 1 })?);
            }
        }
        Some(out)
    }

    proptest! {
        #[test]
        fn median_is_shift_and_scale_equivariant(
            values in proptest::collection::vec(-100.0f64..100.0, 1..60),
            shift in -50.0f64..50.0,
            scale in prop_oneof![-10.0f64..-0.01, 0.01f64..10.0],
        ) {
            let base = RobustBaseline::of(&values).unwrap();
            let shifted = RobustBaseline::of(&values.iter().map(|v| v + shift).collect::<Vec<_>>()).unwrap();
            prop_assert!(close(shifted.median, base.median + shift));
            prop_assert!((shifted.mad - base.mad).abs() <= 1e-9 * (1.0 + shift.abs() + base.mad));
            let scaled = RobustBaseline::of(&values.iter().map(|v| v * scale).collect::<Vec<_>>()).unwrap();
            prop_assert!(close(scaled.median, base.median * scale));
            prop_assert!(close(scaled.mad, base.mad * scale.abs()));
        }

        #[test]
        fn median_and_mad_stay_within_the_data(values in proptest::collection::vec(-100.0f64..100.0, 1..60)) {
            let b = RobustBaseline::of(&values).unwrap();
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(lo <= b.median && b.median <= hi);
            prop_assert!(0.0 <= b.mad && b.mad <= hi - lo);
            prop_assert_eq!(b.count, values.len());
            // At least half the values lie within one MAD of the median.
            let within = values.iter().filter(|v| (*v - b.median).abs() <= b.mad).count();
            prop_assert!(2 * within >= values.len());
        }

        #[test]
        fn median_and_mad_ignore_order(mut values in proptest::collection::vec(-100.0f64..100.0, 1..60), seed: u64) {
            let before = RobustBaseline::of(&values).unwrap();
            let n = values.len();
            values.rotate_left((seed as usize) % n);
            values.reverse();
            prop_assert_eq!(RobustBaseline::of(&values).unwrap(), before);
        }

        #[test]
        fn strain_index_is_in_range_and_needs_three(m in any_measures()) {
            match m.strain_index() {
                Some(index) => {
                    prop_assert!(m.components_present() >= MIN_STRAIN_COMPONENTS);
                    prop_assert!((0.0..=STRAIN_MAX).contains(&index));
                    let parts: Vec<f64> = Measure::ALL.iter().filter_map(|x| m.strain_component(*x)).collect();
                    prop_assert!(close(index, parts.iter().sum::<f64>() / parts.len() as f64));
                }
                None => prop_assert!(m.components_present() < MIN_STRAIN_COMPONENTS),
            }
        }

        #[test]
        fn strain_index_rises_with_each_component(m in any_measures()) {
            for measure in Measure::ALL {
                if let (Some(before), Some(after)) = (m.strain_index(), more_strain(&m, measure).and_then(|x| x.strain_index())) {
                    prop_assert!(after > before, "{measure}: {before} -> {after}");
                }
            }
        }

        #[test]
        fn fewer_scored_days_than_the_baseline_needs_never_signal(
            points in proptest::collection::vec((1i32..4, 0.0f64..10.0), 0..42),
        ) {
            let mut t = 0;
            let series: Vec<StrainPoint> = points.iter().map(|(gap, strain)| {
                t += gap;
                StrainPoint { date: day(t), strain: *strain }
            }).collect();
            let trace = drift_trace(&series, day(t), &DriftParams::default());
            prop_assert!(trace.iter().all(|s| s.alarm_since.is_none() && s.baseline.is_none()));
        }

        #[test]
        fn a_lower_latest_day_never_creates_a_signal(
            strains in proptest::collection::vec(0.0f64..10.0, 60..120),
            drop in 0.0f64..10.0,
        ) {
            let series: Vec<StrainPoint> = strains.iter().enumerate()
                .map(|(i, s)| StrainPoint { date: day(i as i32), strain: *s }).collect();
            let today = series.last().unwrap().date;
            let mut lowered = series.clone();
            let last = lowered.last_mut().unwrap();
            last.strain = (last.strain - drop).max(0.0);
            let params = DriftParams::default();
            let alarmed = |s: &[StrainPoint]| drift_trace(s, today, &params).last().is_some_and(|x| x.alarm_since.is_some());
            prop_assert!(!alarmed(&lowered) || alarmed(&series));
        }

        #[test]
        fn adding_a_constant_to_strain_changes_nothing(
            strains in proptest::collection::vec(2.0f64..6.0, 60..120),
            shift in -2.0f64..2.0,
        ) {
            let make = |d: f64| -> Vec<StrainPoint> {
                strains.iter().enumerate().map(|(i, s)| StrainPoint { date: day(i as i32), strain: s + d }).collect()
            };
            let today = day(strains.len() as i32 - 1);
            let params = DriftParams::default();
            let a = drift_trace(&make(0.0), today, &params);
            let b = drift_trace(&make(shift), today, &params);
            for (x, y) in a.iter().zip(&b) {
                prop_assert!((x.z - y.z).abs() < 1e-6);
                prop_assert_eq!(x.alarm_since, y.alarm_since);
            }
        }

        #[test]
        fn fisher_tail_is_a_probability_that_falls_as_the_count_rises(
            total in 1u32..120, with_frac in 0.0f64..1.0, drawn_frac in 0.0f64..1.0,
        ) {
            let with = (f64::from(total) * with_frac) as u32;
            let drawn = (f64::from(total) * drawn_frac) as u32;
            let mut previous = 1.0 + 1e-9;
            for x in 0..=drawn + 1 {
                let p = fisher_upper_tail(x, drawn, with, total);
                prop_assert!((0.0..=1.0).contains(&p));
                prop_assert!(p <= previous + 1e-9);
                previous = p;
            }
            prop_assert!(close(fisher_upper_tail(0, drawn, with, total), 1.0));
        }
    }
}
