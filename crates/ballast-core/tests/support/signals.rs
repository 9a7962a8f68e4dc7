//! Synthetic check-in series shared by the signal tests and the tuning example: a small
//! deterministic PRNG (no dependencies, the same numbers every run) and simulated people.

pub use std::collections::BTreeSet;

pub use ballast_core::signals::{
    CheckInDay, DailyMeasures, Dial, DriftParams, Rating, StrainPoint, WarningSignParams, detect_drift,
    detect_warning_signs, drift_trace, strain_series,
};
pub use jiff::civil::{Date, date};

/// SplitMix64: a tiny, well-mixed deterministic generator (the library itself has no
/// randomness; this only makes synthetic people).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

pub const START: Date = date(2025, 1, 1);
pub const DAYS: i64 = 180;

pub fn day(i: i64) -> Date {
    START.checked_add(jiff::Span::new().days(i)).unwrap()
}

/// A synthetic person: their own usual levels, a shared day-to-day "strain" factor (optionally
/// carried over from one day to the next, as real moods are), item noise, and the gaps real
/// check-ins have (skipped days, skipped questions).
pub struct Person {
    pub energy: f64,
    pub mood: f64,
    pub sleep: f64,
    pub dread: f64,
    pub intrusive: f64,
    pub dial: f64,
    /// How strongly the shared factor moves each item (points per standard deviation).
    pub loading: f64,
    /// Item-specific noise (points).
    pub noise: f64,
    /// Day-to-day carry-over of the shared factor (AR(1) coefficient).
    pub carry_over: f64,
    pub skip_day: f64,
    pub skip_question: f64,
}

impl Person {
    pub fn random(rng: &mut Rng, carry_over: f64) -> Person {
        Person {
            energy: rng.range(4.0, 8.0),
            mood: rng.range(4.0, 8.0),
            sleep: rng.range(4.0, 8.0),
            dread: rng.range(1.0, 5.0),
            intrusive: rng.range(0.0, 4.0),
            dial: rng.range(-1.0, 1.0),
            loading: rng.range(0.6, 1.4),
            noise: rng.range(0.6, 1.4),
            carry_over,
            skip_day: 0.2,
            skip_question: 0.1,
        }
    }

    /// 180 days of check-ins; from day `step_day` on, the shared factor is raised by `step`
    /// standard deviations (a sustained rise in strain).
    pub fn check_ins(&self, rng: &mut Rng, step_day: i64, step: f64) -> Vec<CheckInDay> {
        let mut factor = rng.normal();
        let innovation = (1.0 - self.carry_over * self.carry_over).sqrt();
        let mut days = Vec::new();
        for i in 0..DAYS {
            factor = self.carry_over * factor + innovation * rng.normal();
            let f = factor + if i >= step_day { step } else { 0.0 };
            let rating = |base: f64, direction: f64, rng: &mut Rng| {
                let value = base + direction * self.loading * f + self.noise * rng.normal();
                let value = value.round().clamp(0.0, 10.0) as u8;
                (!rng.chance(self.skip_question)).then(|| Rating::new(value).unwrap())
            };
            let energy = rating(self.energy, -1.0, rng);
            let mood = rating(self.mood, -1.0, rng);
            let sleep_quality = rating(self.sleep, -1.0, rng);
            let dread = rating(self.dread, 1.0, rng);
            let intrusive_images = rating(self.intrusive, 1.0, rng);
            let dial_value = (self.dial + 0.3 * f + 0.7 * rng.normal()).round().clamp(-3.0, 3.0) as i8;
            let empathy_dial = (!rng.chance(self.skip_question)).then(|| Dial::new(dial_value).unwrap());
            if rng.chance(self.skip_day) {
                continue;
            }
            let measures = DailyMeasures { energy, mood, sleep_quality, dread, intrusive_images, empathy_dial };
            days.push(CheckInDay::new(day(i), measures));
        }
        days
    }
}

/// A bare strain series: usual level `level`, daily noise with standard deviation `sd`, a step
/// of `step` standard deviations from `step_day`, every day present.
pub fn strain_points(rng: &mut Rng, level: f64, sd: f64, step_day: i64, step: f64) -> Vec<StrainPoint> {
    (0..DAYS)
        .map(|i| {
            let shift = if i >= step_day { step * sd } else { 0.0 };
            StrainPoint { date: day(i), strain: (level + shift + sd * rng.normal()).clamp(0.0, 10.0) }
        })
        .collect()
}

/// Whether evaluating the detector on every day of the series would ever raise the drift signal.
pub fn ever_alarms(series: &[StrainPoint], params: &DriftParams) -> bool {
    drift_trace(series, day(DAYS - 1), params).iter().any(|step| step.alarm_since.is_some())
}

/// Days from `step_day` to the first day on or after it on which a threshold crossing that
/// happened on or after the step is being signalled. `None` if not detected by the end of the
/// series, or if an earlier (false) alarm was still being signalled when the step came.
pub fn delay(series: &[StrainPoint], step_day: i64, params: &DriftParams) -> Option<i64> {
    let step_date = day(step_day);
    drift_trace(series, day(DAYS - 1), params)
        .iter()
        .find(|s| s.date >= step_date && s.alarm_since.is_some_and(|a| a >= step_date))
        .map(|s| step_date.until(s.date).unwrap().get_days().into())
}

pub struct DelayStats {
    pub detected: usize,
    pub total: usize,
    pub median: i64,
    pub p90: i64,
    pub max: i64,
}

pub fn delay_stats(delays: &[Option<i64>]) -> DelayStats {
    let mut found: Vec<i64> = delays.iter().flatten().copied().collect();
    found.sort_unstable();
    let at = |q: f64| found.get(((found.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(i64::MAX);
    DelayStats { detected: found.len(), total: delays.len(), median: at(0.5), p90: at(0.9), max: at(1.0) }
}

pub const SEEDS: u64 = 500;
pub const STEP_DAY: i64 = 120;

pub fn false_alarm_rate(carry_over: f64, params: &DriftParams) -> f64 {
    let alarms = (0..SEEDS)
        .filter(|seed| {
            let mut rng = Rng::new(*seed);
            let person = Person::random(&mut rng, carry_over);
            let days = person.check_ins(&mut rng, i64::MAX, 0.0);
            ever_alarms(&strain_series(&days, day(DAYS - 1)), params)
        })
        .count();
    alarms as f64 / SEEDS as f64
}

pub fn person_step_delays(carry_over: f64, step: f64, params: &DriftParams) -> Vec<Option<i64>> {
    (0..SEEDS)
        .map(|seed| {
            let mut rng = Rng::new(10_000 + seed);
            let person = Person::random(&mut rng, carry_over);
            let days = person.check_ins(&mut rng, STEP_DAY, step);
            delay(&strain_series(&days, day(DAYS - 1)), STEP_DAY, params)
        })
        .collect()
}

pub fn bare_step_delays(step: f64, params: &DriftParams) -> Vec<Option<i64>> {
    (0..SEEDS)
        .map(|seed| {
            let mut rng = Rng::new(20_000 + seed);
            let sd = rng.range(0.6, 1.2);
            delay(&strain_points(&mut rng, 4.0, sd, STEP_DAY, step), STEP_DAY, params)
        })
        .collect()
}

pub fn bare_false_alarm_rate(params: &DriftParams) -> f64 {
    let alarms = (0..SEEDS)
        .filter(|seed| {
            let mut rng = Rng::new(30_000 + seed);
            let sd = rng.range(0.6, 1.2);
            ever_alarms(&strain_points(&mut rng, 4.0, sd, i64::MAX, 0.0), params)
        })
        .count();
    alarms as f64 / SEEDS as f64
}

pub fn show(delays: &[Option<i64>]) -> String {
    let d = delay_stats(delays);
    format!("{}/{} detected, median {} p90 {} max {} days", d.detected, d.total, d.median, d.p90, d.max)
}

pub const SIGN_RATES: [(&str, f64); 4] =
    [("numbness", 0.05), ("irritability", 0.1), ("brain_fog", 0.2), ("insomnia", 0.35)];

/// 180 days of check-ins (a fifth skipped) with four warning signs at their own steady rates;
/// from `change_day`, `brain_fog` shows up with probability `new_rate` instead.
pub fn sign_days(rng: &mut Rng, change_day: i64, new_rate: f64) -> Vec<CheckInDay> {
    let measures = DailyMeasures {
        energy: Rating::new(5),
        mood: Rating::new(5),
        sleep_quality: Rating::new(5),
        ..Default::default()
    };
    (0..DAYS)
        .filter_map(|i| {
            let signs: BTreeSet<String> = SIGN_RATES
                .iter()
                .filter(|(sign, rate)| {
                    let rate = if *sign == "brain_fog" && i >= change_day { new_rate } else { *rate };
                    rng.chance(rate)
                })
                .map(|(sign, _)| sign.to_string())
                .collect();
            (!rng.chance(0.2)).then(|| CheckInDay { date: day(i), measures, warning_signs: signs })
        })
        .collect()
}

pub fn sign_false_alarms(params: &WarningSignParams) -> usize {
    (0..SEEDS)
        .filter(|seed| {
            let mut rng = Rng::new(50_000 + seed);
            let days = sign_days(&mut rng, i64::MAX, 0.0);
            (0..DAYS).any(|i| !detect_warning_signs(&days, day(i), params).is_empty())
        })
        .count()
}

/// Days from `STEP_DAY`, when brain fog goes from 20% of days to `new_rate`, until it is flagged.
pub fn sign_delays(params: &WarningSignParams, new_rate: f64) -> Vec<Option<i64>> {
    (0..SEEDS)
        .map(|seed| {
            let mut rng = Rng::new(60_000 + seed);
            let days = sign_days(&mut rng, STEP_DAY, new_rate);
            (STEP_DAY..DAYS)
                .find(|i| detect_warning_signs(&days, day(*i), params).iter().any(|s| s.sign == "brain_fog"))
                .map(|i| i - STEP_DAY)
        })
        .collect()
}
