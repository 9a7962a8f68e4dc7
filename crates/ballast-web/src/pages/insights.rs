//! The personal insights dashboard: trends of every check-in measure over 30, 90 or 365
//! days (charts with a table alternative), a calendar, how often each warning sign showed up,
//! assessment results on the same time axis, early-warning signals worded humbly with their
//! evidence and a next step, what seems to drain or restore the person, and how they used the
//! rescue kit (with the next day's strain beside it).
//!
//! The numbers come from `ballast_core::signals` and `ballast_core::insights`; this module
//! only gathers the person's data and puts it into words.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use ballast_core::checkin::{EmpathyDial, SignId};
use ballast_core::exposure::{self, DailyLoad, WorkSession};
use ballast_core::insights::{self, AssociationDay, Factor, MIN_GROUP_DAYS, Outcome};
use ballast_core::instrument::{Instrument, InstrumentId};
use ballast_core::kit;
use ballast_core::signals::{
    self, AssessmentResult, CheckInDay, Measure, ReassessmentCadence, Signal, SignalInput, SignalKind, SignalParams,
};
use ballast_store::StoredCheckIn;
use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::Deserialize;

use super::check_in::long_day;
use super::see_other;
use super::signs::{SignLabel, label_of, my_signs};
use crate::auth::{Current, SignedIn};
use crate::charts::{self, DayChart};
use crate::error::{PageError, WebError};
use crate::forms::FormInput;
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::vault::{Place, open_optional};
use crate::{AppState, catalogue};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/insights", get(show))
        .route("/insights/dismiss", post(dismiss))
        .route("/insights/reminders", post(set_reminder))
}

/// The periods a person can look back over.
const RANGES: [u16; 3] = [30, 90, 365];
const DEFAULT_RANGE: u16 = 90;
/// Signals look further back than any chart: the drift baseline ends two weeks back and spans
/// 90 days; the warning-sign baseline spans 180 days before the last 14.
const SIGNAL_HISTORY_DAYS: i32 = 400;
/// Associations use the last year, whatever the charts show: they need many days.
const ASSOCIATION_DAYS: i32 = 365;
/// Differences smaller than this are shown as "about the same".
const NOTABLE_DIFFERENCE: f64 = 0.5;
/// The re-assessment cadence for ProQOL 5 until the person chooses one: every three months,
/// the rhythm its authors suggest for watching change.
const DEFAULT_CADENCES: [(&str, u16); 1] = [("proqol5", 90)];
const CADENCE_CHOICES: [(u16, &str); 5] = [
    (0, "Do not remind me"),
    (30, "Every month"),
    (60, "Every two months"),
    (90, "Every three months"),
    (180, "Every six months"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InsightsQuery {
    range: String,
    saved: String,
}

struct RangeLink {
    days: u16,
    href: String,
    current: bool,
}

struct SignalView {
    id: String,
    title: String,
    summary: String,
    evidence: Vec<String>,
    next_step: String,
    link: (String, String),
}

struct TrendView {
    chart: String,
}

struct TableRow {
    day: String,
    href: String,
    cells: Vec<String>,
}

struct CalendarCell {
    day: u8,
    label: String,
    href: Option<String>,
    class: &'static str,
    mark: &'static str,
}

struct MonthView {
    title: String,
    weeks: Vec<Vec<Option<CalendarCell>>>,
}

/// The work load beside the check-ins, on the same day axis.
struct LoadView {
    load_chart: String,
    ratio_chart: String,
    rows: Vec<LoadRow>,
}

struct LoadRow {
    day: String,
    href: String,
    worked: String,
    load: u32,
    ratio: String,
}

struct SignCount {
    text: String,
    count: u32,
}

struct ReminderChoice {
    instrument: String,
    title: String,
    options: Vec<(u16, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    layout: Layout,
    saved: Option<String>,
    range: u16,
    from: String,
    to: String,
    ranges: Vec<RangeLink>,
    check_in_count: usize,
    checked_in_today: bool,
    signals: Vec<SignalView>,
    trends: Vec<TrendView>,
    table_head: Vec<&'static str>,
    table: Vec<TableRow>,
    months: Vec<MonthView>,
    sign_days: u32,
    signs: Vec<SignCount>,
    has_chosen_signs: bool,
    assessments: Vec<TrendView>,
    load: Option<LoadView>,
    associations: Vec<String>,
    association_days: usize,
    kit: KitView,
    reminders: Vec<ReminderChoice>,
}

/// "Your rescue kit": how often each part was used in the period, and, once there are enough
/// days each way, the next day's strain after days with and without it.
struct KitView {
    uses: Vec<(&'static str, usize)>,
    strain: Option<String>,
    /// The fewest days each way a comparison rests on.
    min_days: u32,
}

fn days_before(day: Date, days: i32) -> Date {
    day.checked_sub(Span::new().days(days)).unwrap_or(day)
}

fn short_day(day: Date) -> String {
    day.strftime("%-d %B").to_string()
}

fn measure_label(measure: Measure) -> &'static str {
    match measure {
        Measure::Energy => "energy",
        Measure::Mood => "mood",
        Measure::SleepQuality => "sleep quality",
        Measure::Dread => "dread",
        Measure::IntrusiveImages => "others' trauma coming back to you",
        Measure::EmpathyDial => "the empathy dial",
    }
}

fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

/// One assessment's scales, on the person's own calendar day.
type DatedResult = (Date, Vec<ballast_store::StoredScale>);

/// Everything the page draws from, gathered once.
struct Gathered {
    today: Date,
    check_ins: Vec<StoredCheckIn>,
    days: Vec<CheckInDay>,
    signs: Vec<SignLabel>,
    instruments: Vec<(Arc<Instrument>, Vec<DatedResult>)>,
    cadences: Vec<(InstrumentId, u16)>,
}

async fn gather(state: &AppState, current: &Current) -> Result<Gathered, WebError> {
    let user = current.user.id;
    let today = current.user.time_zone.today(Timestamp::now());
    let check_ins = state.store.check_ins(user, days_before(today, SIGNAL_HISTORY_DAYS), today).await?;
    let days = check_ins.iter().map(|c| c.values.signal_day(c.day)).collect();
    let signs = my_signs(state, current).await?;
    let zone = current.user.time_zone.zone();
    let mut instruments = Vec::new();
    for (id, _) in state.store.last_taken(user).await? {
        let Ok(offered) = catalogue::find(state, id.as_str()).await else { continue };
        let results = state.store.assessments_of(user, &id).await?;
        let dated = results.into_iter().map(|a| (a.taken_at.to_zoned(zone.clone()).date(), a.scales)).collect();
        instruments.push((offered.instrument, dated));
    }
    let mut cadences = state.store.reassessment_cadences(user).await?;
    for (id, days) in DEFAULT_CADENCES {
        let taken = instruments.iter().any(|(i, _)| i.id.as_str() == id);
        if taken && !cadences.iter().any(|(chosen, _)| chosen.as_str() == id) {
            cadences.push((InstrumentId::parse(id).map_err(WebError::internal)?, days));
        }
    }
    Ok(Gathered { today, check_ins, days, signs, instruments, cadences })
}

fn assessment_results(gathered: &Gathered) -> Vec<AssessmentResult> {
    let mut results = Vec::new();
    for (instrument, dated) in &gathered.instruments {
        for (date, scales) in dated {
            for stored in scales {
                let Some(scale) = instrument.scale(&stored.id) else { continue };
                let Some(band) = stored.band.as_deref().and_then(|b| scale.bands.iter().position(|x| x.label == b))
                else {
                    continue;
                };
                results.push(AssessmentResult {
                    date: *date,
                    instrument: instrument.id.to_string(),
                    scale: stored.id.clone(),
                    band: u16::try_from(band).unwrap_or(u16::MAX),
                    higher_is_harder: scale.higher_is_harder,
                });
            }
        }
    }
    results
}

fn cadence_inputs(gathered: &Gathered) -> Vec<ReassessmentCadence> {
    gathered
        .cadences
        .iter()
        .filter_map(|(id, days)| {
            let (_, dated) = gathered.instruments.iter().find(|(i, _)| &i.id == id)?;
            let last = dated.iter().map(|(date, _)| *date).max()?;
            Some(ReassessmentCadence { instrument: id.to_string(), last_taken: last, cadence_days: *days })
        })
        .collect()
}

fn instrument_title(gathered: &Gathered, id: &str) -> String {
    gathered.instruments.iter().find(|(i, _)| i.id.as_str() == id).map_or(id.to_owned(), |(i, _)| i.short_title.clone())
}

fn scale_words(gathered: &Gathered, instrument: &str, scale: &str, band: u16) -> (String, String) {
    let found =
        gathered.instruments.iter().find(|(i, _)| i.id.as_str() == instrument).and_then(|(i, _)| i.scale(scale));
    match found {
        Some(s) => (s.title.clone(), s.bands.get(usize::from(band)).map_or(String::new(), |b| b.label.clone())),
        None => (scale.to_owned(), String::new()),
    }
}

/// Puts a signal into words: what the check-ins suggest, the evidence, one next step.
fn explain(signal: &Signal, gathered: &Gathered) -> SignalView {
    let id = signal.id().into_string();
    match signal {
        Signal::SustainedDrift(drift) => {
            let days = drift.days.len();
            let summary = if drift.still_above_threshold {
                format!(
                    "Your check-ins suggest the days have been heavier than your usual since {}: {} check-ins above your own baseline, and it has not eased yet.",
                    short_day(drift.run_start),
                    days
                )
            } else {
                format!(
                    "Your check-ins suggest the days were heavier than your usual from {} ({} check-ins), though the last few look a little lighter.",
                    short_day(drift.run_start),
                    days
                )
            };
            let mut evidence = vec![format!(
                "Days: {} to {}. Your strain averaged {} out of 10, against a usual {} (from {} to {}).",
                short_day(drift.run_start),
                short_day(drift.last_day),
                one_decimal(drift.run_mean),
                one_decimal(drift.baseline.stats.median),
                short_day(drift.baseline.first_day),
                short_day(drift.baseline.last_day),
            )];
            for change in drift.measures.iter().filter(|m| m.strain_change >= 1.0).take(3) {
                evidence.push(format!(
                    "{}: usually around {}, lately {} ({} days).",
                    capitalise(measure_label(change.measure)),
                    one_decimal(change.usual),
                    one_decimal(change.recent),
                    change.recent_days
                ));
            }
            SignalView {
                id,
                title: "The strain seems to be building".into(),
                summary,
                evidence,
                next_step: "This week, protect one small daily practice that steadies you, and think about who you could talk this through with — a supervisor, a peer, someone you trust. Retaking ProQOL 5 can show where the weight is coming from.".into(),
                link: ("/assessments/proqol5".into(), "Retake ProQOL 5".into()),
            }
        }
        Signal::WarningSignMoreOften(sign) => {
            let text = SignId::parse(&sign.sign).map_or(sign.sign.clone(), |id| label_of(&id, &gathered.signs));
            let evidence = vec![
                format!(
                    "It showed up on {} of your {} check-ins from {} to {}: {}.",
                    sign.recent.days_with_sign,
                    sign.recent.check_in_days,
                    short_day(sign.recent.from),
                    short_day(sign.recent.to),
                    sign.days.iter().map(|d| short_day(*d)).collect::<Vec<_>>().join(", ")
                ),
                format!(
                    "Before that, it showed up on {} of {} check-ins ({} to {}).",
                    sign.usual.days_with_sign,
                    sign.usual.check_in_days,
                    short_day(sign.usual.from),
                    short_day(sign.usual.to)
                ),
            ];
            SignalView {
                id,
                title: "One of your warning signs is turning up more often".into(),
                summary: format!(
                    "Your check-ins suggest “{text}” has been showing up more than it usually does for you."
                ),
                evidence,
                next_step: "Warning signs are worth taking seriously early. Consider mentioning it to your supervisor or a peer, and look at what usually helps you when you notice it.".into(),
                link: ("/support".into(), "See who you can talk to".into()),
            }
        }
        Signal::AssessmentBandWorse(band) => {
            let title = instrument_title(gathered, &band.instrument);
            let (scale, latest) = scale_words(gathered, &band.instrument, &band.scale, band.latest_band);
            let (_, previous) = scale_words(gathered, &band.instrument, &band.scale, band.previous_band);
            SignalView {
                id,
                title: format!("Your {title} result has moved into a harder range"),
                summary: format!(
                    "Your {scale} score on {} fell in the “{latest}” range, after “{previous}” on {}. Questionnaires are a snapshot, not a verdict, but this change is worth a moment's thought.",
                    short_day(band.latest_date),
                    short_day(band.previous_date)
                ),
                evidence: vec![format!(
                    "{} on {}; {} on {}.",
                    capitalise(&previous),
                    short_day(band.previous_date),
                    capitalise(&latest),
                    short_day(band.latest_date)
                )],
                next_step: "Talking it over with someone you trust — a supervisor, a peer, your own therapist — often helps more than carrying it alone.".into(),
                link: (format!("/assessments/{}/history", band.instrument), format!("See your {title} history")),
            }
        }
        Signal::ReassessmentOverdue(due) => {
            let title = instrument_title(gathered, &due.instrument);
            SignalView {
                id,
                title: format!("It may be time to retake {title}"),
                summary: format!(
                    "You last took {title} on {}, and planned to take it again by {}. Retaking it shows how things have moved since.",
                    short_day(due.last_taken),
                    short_day(due.due)
                ),
                evidence: vec![format!("{} days past the date you chose.", due.days_overdue)],
                next_step: "It takes a few minutes. You can change how often we remind you below.".into(),
                link: (format!("/assessments/{}", due.instrument), format!("Take {title} now")),
            }
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| first.to_uppercase().chain(chars).collect())
}

/// The measures charted, each with how to read it from a check-in and its range.
struct Series {
    title: &'static str,
    id: &'static str,
    range: (f64, f64),
    read: fn(&StoredCheckIn) -> Option<f64>,
}

const SERIES: [Series; 8] = [
    Series {
        title: "Strain (0 none – 10 most), from your answers",
        id: "strain",
        range: (0.0, 10.0),
        read: |c| c.values.signal_day(c.day).measures.strain_index(),
    },
    Series {
        title: "Energy (0–10)",
        id: "energy",
        range: (0.0, 10.0),
        read: |c| Some(f64::from(c.values.energy.value())),
    },
    Series {
        title: "Mood (0–10)",
        id: "mood",
        range: (0.0, 10.0),
        read: |c| c.values.mood.map(|v| f64::from(v.value())),
    },
    Series {
        title: "Hours of sleep",
        id: "sleep-hours",
        range: (0.0, 12.0),
        read: |c| c.values.sleep_hours.map(|v| v.hours().min(12.0)),
    },
    Series {
        title: "Sleep quality (0–10)",
        id: "sleep-quality",
        range: (0.0, 10.0),
        read: |c| c.values.sleep_quality.map(|v| f64::from(v.value())),
    },
    Series {
        title: "Empathy dial (−3 numb, 0 steady, +3 flooded)",
        id: "empathy",
        range: (-3.0, 3.0),
        read: |c| c.values.empathy.map(|v| f64::from(v.value())),
    },
    Series {
        title: "Dread about the work ahead (0–10)",
        id: "dread",
        range: (0.0, 10.0),
        read: |c| c.values.dread.map(|v| f64::from(v.value())),
    },
    Series {
        title: "Others' trauma coming back to you (0–10)",
        id: "intrusive",
        range: (0.0, 10.0),
        read: |c| c.values.intrusive.map(|v| f64::from(v.value())),
    },
];

fn parse_range(text: &str) -> Result<u16, WebError> {
    if text.is_empty() {
        return Ok(DEFAULT_RANGE);
    }
    text.parse::<u16>()
        .ok()
        .filter(|days| RANGES.contains(days))
        .ok_or_else(|| WebError::BadRequest("Insights cover 30, 90 or 365 days; please pick one of those.".into()))
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    Query(query): Query<InsightsQuery>,
) -> Result<Response, PageError> {
    let range = parse_range(&query.range)?;
    let gathered = gather(&state, &current).await?;
    let today = gathered.today;
    let from = days_before(today, i32::from(range) - 1);
    let in_range: Vec<&StoredCheckIn> = gathered.check_ins.iter().filter(|c| c.day >= from).collect();

    // Signals, without the ones the person dismissed.
    let assessments = assessment_results(&gathered);
    let cadences = cadence_inputs(&gathered);
    let input = SignalInput { check_ins: &gathered.days, assessments: &assessments, cadences: &cadences };
    let dismissed = state.store.dismissed_signals(current.user.id).await?;
    let signals = signals::evaluate(&input, today, &SignalParams::default())
        .iter()
        .filter(|s| !dismissed.iter().any(|d| d == s.id().as_str()))
        .map(|s| explain(s, &gathered))
        .collect();

    // Trends, all on the same day axis.
    let trends = SERIES
        .iter()
        .map(|series| {
            let points: Vec<(Date, f64)> =
                in_range.iter().filter_map(|c| (series.read)(c).map(|v| (c.day, v))).collect();
            TrendView {
                chart: charts::day_trend(&DayChart {
                    id: series.id,
                    title: series.title,
                    from,
                    to: today,
                    points: &points,
                    range: series.range,
                    bands: &[],
                }),
            }
        })
        .collect();
    let table_head =
        vec!["Energy", "Mood", "Sleep (hours)", "Sleep quality", "Empathy dial", "Dread", "Others' trauma", "Strain"];
    let show_level = |v: Option<f64>| {
        v.map_or("—".to_owned(), |v| if v.fract() == 0.0 { format!("{v:.0}") } else { one_decimal(v) })
    };
    let table = in_range
        .iter()
        .rev()
        .map(|c| TableRow {
            day: long_day(c.day),
            href: format!("/check-in?day={}", c.day),
            cells: vec![
                show_level((SERIES[1].read)(c)),
                show_level((SERIES[2].read)(c)),
                show_level(c.values.sleep_hours.map(|h| h.hours())),
                show_level((SERIES[4].read)(c)),
                c.values.empathy.map_or("—".to_owned(), empathy_short),
                show_level((SERIES[6].read)(c)),
                show_level((SERIES[7].read)(c)),
                show_level((SERIES[0].read)(c)),
            ],
        })
        .collect();

    let in_range_days: Vec<CheckInDay> = gathered.days.iter().filter(|d| d.date >= from).cloned().collect();
    let months = calendar(from, today, &in_range_days);
    let tally = insights::sign_frequency(&gathered.days, from, today);
    let signs = tally
        .signs
        .iter()
        .map(|(id, count)| SignCount {
            text: SignId::parse(id).map_or(id.clone(), |id| label_of(&id, &gathered.signs)),
            count: *count,
        })
        .collect();

    // Assessments on the same axis as the check-ins.
    let mut assessment_charts = Vec::new();
    for (instrument, dated) in &gathered.instruments {
        for scale in &instrument.scales {
            let points: Vec<(Date, f64)> = dated
                .iter()
                .filter(|(date, _)| *date >= from)
                .filter_map(|(date, scales)| Some((*date, scales.iter().find(|s| s.id == scale.id)?.value?)))
                .collect();
            if points.is_empty() {
                continue;
            }
            let title = format!("{}: {}", instrument.short_title, scale.title);
            let chart_id = format!("assessment-{}-{}", instrument.id, scale.id);
            let chart = charts::assessment_timeline(&DayChart {
                id: &chart_id,
                title: &title,
                from,
                to: today,
                points: &points,
                range: scale.range(&instrument.items, &instrument.response_sets),
                bands: &scale.bands,
            });
            assessment_charts.push(TrendView { chart });
        }
    }

    let load = work_load(&state, &current, from, today).await?;
    let kit_days = kit_days(&state, &current, &gathered).await?;
    let (associations, association_days, kit_strain) = associations(&state, &current, &gathered, &kit_days).await?;
    let kit = KitView { uses: kit_uses_between(&kit_days, from, today), strain: kit_strain, min_days: MIN_GROUP_DAYS };
    let reminders = gathered
        .instruments
        .iter()
        .map(|(instrument, _)| {
            let chosen = gathered.cadences.iter().find(|(id, _)| id == &instrument.id).map_or(0, |(_, d)| *d);
            ReminderChoice {
                instrument: instrument.id.to_string(),
                title: instrument.short_title.clone(),
                options: CADENCE_CHOICES.iter().map(|(days, label)| (*days, *label, *days == chosen)).collect(),
            }
        })
        .collect();
    let saved = query.saved.parse::<Date>().ok().map(long_day);
    let page = InsightsPage {
        layout: Layout::new("Your insights", Some(&current), &csrf),
        saved,
        range,
        from: long_day(from),
        to: long_day(today),
        ranges: RANGES
            .iter()
            .map(|days| RangeLink { days: *days, href: format!("/insights?range={days}"), current: *days == range })
            .collect(),
        check_in_count: in_range.len(),
        checked_in_today: gathered.check_ins.last().is_some_and(|c| c.day == today),
        signals,
        trends,
        table_head,
        table,
        months,
        sign_days: tally.check_in_days,
        signs,
        has_chosen_signs: !gathered.signs.is_empty(),
        assessments: assessment_charts,
        load,
        associations,
        association_days,
        kit,
        reminders,
    };
    Ok(html(&page))
}

/// The daily work load and its 7-day against 28-day ratio over `from..=to`, from the
/// exposure log (the same arithmetic as the pacing pages), or nothing if no work is recorded.
async fn work_load(state: &AppState, current: &Current, from: Date, to: Date) -> Result<Option<LoadView>, WebError> {
    let zone = current.user.time_zone.zone();
    // The ratio on the first day shown needs the 27 days before it.
    let first = days_before(from, 27);
    let window = first.to_zoned(zone.clone()).ok().zip(to.tomorrow().ok().and_then(|d| d.to_zoned(zone.clone()).ok()));
    let Some((start, end)) = window else { return Ok(None) };
    let sessions: Vec<WorkSession> = state
        .store
        .work_sessions(current.user.id, start.timestamp(), end.timestamp())
        .await?
        .into_iter()
        .map(|s| s.session)
        .collect();
    if sessions.is_empty() {
        return Ok(None);
    }
    let loads = exposure::daily_load(&sessions, &zone, first, to);
    let shown: Vec<&DailyLoad> = loads.iter().filter(|l| l.date >= from).collect();
    let load_points: Vec<(Date, f64)> = shown.iter().map(|l| (l.date, f64::from(l.load))).collect();
    let ratios: Vec<(Date, Option<f64>)> =
        shown.iter().map(|l| (l.date, exposure::load_ratio(&loads, l.date))).collect();
    let ratio_points: Vec<(Date, f64)> = ratios.iter().filter_map(|(d, r)| Some((*d, (*r)?))).collect();
    let top_load = load_points.iter().map(|(_, v)| *v).fold(60.0, f64::max);
    let top_ratio = ratio_points.iter().map(|(_, v)| *v).fold(2.0, f64::max).ceil();
    let load_chart = charts::day_totals(&DayChart {
        id: "work-load",
        title: "Daily work load (minutes weighted by intensity)",
        from,
        to,
        points: &load_points,
        range: (0.0, (top_load / 60.0).ceil() * 60.0),
        bands: &[],
    });
    let ratio_chart = charts::day_trend(&DayChart {
        id: "load-ratio",
        title: "Last 7 days' load against the last 28 days' (1 = the same)",
        from,
        to,
        points: &ratio_points,
        range: (0.0, top_ratio),
        bands: &[],
    });
    let rows = shown
        .iter()
        .zip(&ratios)
        .rev()
        .map(|(l, (_, ratio))| LoadRow {
            day: long_day(l.date),
            href: format!("/exposure/day?date={}", l.date),
            worked: super::exposure::duration_words(l.minutes),
            load: l.load,
            ratio: ratio.map_or("—".to_owned(), |r| format!("{r:.2}")),
        })
        .collect();
    Ok(Some(LoadView { load_chart, ratio_chart, rows }))
}

fn empathy_short(dial: EmpathyDial) -> String {
    match dial.value() {
        0 => "Steady".into(),
        v if v < 0 => format!("{v} (numb side)"),
        v => format!("+{v} (flooded side)"),
    }
}

fn calendar(from: Date, to: Date, days: &[CheckInDay]) -> Vec<MonthView> {
    insights::calendar(from, to, days)
        .into_iter()
        .map(|month| {
            let first = Date::new(month.year, month.month, 1).unwrap_or(from);
            MonthView {
                title: first.strftime("%B %Y").to_string(),
                weeks: month
                    .weeks
                    .iter()
                    .map(|week| {
                        week.iter()
                            .map(|cell| {
                                cell.as_ref().map(|cell| {
                                    let (class, mark, words) = match (&cell.check_in, cell.in_range) {
                                        (_, false) => ("outside", "", "outside this period".to_owned()),
                                        (None, true) => ("missing", "", "no check-in".to_owned()),
                                        (Some(mark), true) => match mark.strain {
                                            Some(s) if s >= 6.0 => {
                                                ("heavy", "●", format!("checked in, strain {} (heavy)", one_decimal(s)))
                                            }
                                            Some(s) if s >= 3.5 => {
                                                ("middling", "◐", format!("checked in, strain {}", one_decimal(s)))
                                            }
                                            Some(s) => {
                                                ("light", "○", format!("checked in, strain {} (light)", one_decimal(s)))
                                            }
                                            None => ("light", "○", "checked in".to_owned()),
                                        },
                                    };
                                    CalendarCell {
                                        day: u8::try_from(cell.date.day()).unwrap_or(0),
                                        label: format!("{}: {words}", long_day(cell.date)),
                                        href: cell.in_range.then(|| format!("/check-in?day={}", cell.date)),
                                        class,
                                        mark,
                                    }
                                })
                            })
                            .collect()
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Each use of the rescue kit over the association window, as (the person's own calendar day,
/// what was used).
async fn kit_days(state: &AppState, current: &Current, gathered: &Gathered) -> Result<Vec<(Date, String)>, WebError> {
    let now = Timestamp::now();
    // A day either side of the window, so that no time zone puts a use of a day in it outside.
    let from = now.checked_sub(Span::new().hours(24 * i64::from(ASSOCIATION_DAYS + 1))).unwrap_or(now);
    let to = now.checked_add(Span::new().hours(24)).unwrap_or(now);
    let zone = current.user.time_zone.zone();
    let since = days_before(gathered.today, ASSOCIATION_DAYS - 1);
    Ok(state
        .store
        .kit_uses(current.user.id, from, to)
        .await?
        .into_iter()
        .map(|u| (u.used_at.to_zoned(zone.clone()).date(), u.what))
        .filter(|(day, _)| since <= *day && *day <= gathered.today)
        .collect())
}

/// How often each practice, and reaching out, was used on `from..=to`, in the kit's order;
/// only what was used.
fn kit_uses_between(kit_days: &[(Date, String)], from: Date, to: Date) -> Vec<(&'static str, usize)> {
    let used = |what: &str| kit_days.iter().filter(|(day, w)| from <= *day && *day <= to && w == what).count();
    kit::PRACTICES
        .iter()
        .map(|p| (p.title, used(p.id)))
        .chain(std::iter::once(("Reaching out", used(kit::REACH_OUT))))
        .filter(|(_, count)| *count > 0)
        .collect()
}

/// "What drains and what restores", as sentences; how many days they rest on; and, apart, the
/// next day's strain after using the rescue kit (shown in the kit's own section).
async fn associations(
    state: &AppState,
    current: &Current,
    gathered: &Gathered,
    kit_days: &[(Date, String)],
) -> Result<(Vec<String>, usize, Option<String>), WebError> {
    let since = days_before(gathered.today, ASSOCIATION_DAYS - 1);
    let recent: Vec<&StoredCheckIn> = gathered.check_ins.iter().filter(|c| c.day >= since).collect();
    let key = if recent.iter().any(|c| c.restorer.is_some()) {
        state.vault.existing_key(&*state.store, current.user.id).await?
    } else {
        None
    };
    let mut days = Vec::with_capacity(recent.len());
    for check_in in &recent {
        let restorer =
            open_optional(key.as_ref(), Place::CheckInRestorer { day: check_in.day }, check_in.restorer.as_ref())?;
        days.push(AssociationDay {
            day: check_in.values.signal_day(check_in.day),
            sleep_hours: check_in.values.sleep_hours.map(|h| h.hours()),
            restorer: (!restorer.is_empty()).then_some(restorer),
            used_kit: kit_days.iter().any(|(day, _)| *day == check_in.day),
        });
    }
    let found = insights::associations(&days, gathered.today, usize::MAX);
    let kit_strain =
        found.iter().find(|a| a.factor == Factor::UsedKit && a.outcome == Outcome::Strain).map(describe_association);
    let sentences = found.iter().filter(|a| a.factor != Factor::UsedKit).take(6).map(describe_association).collect();
    Ok((sentences, recent.len(), kit_strain))
}

fn describe_association(association: &insights::Association) -> String {
    let outcome = match association.outcome {
        Outcome::Measure(measure) => measure_label(measure).to_owned(),
        Outcome::Strain => "strain".to_owned(),
    };
    let (with, without) = (&association.with, &association.without);
    let (condition, other, when) = match &association.factor {
        Factor::Restorer(text) => (
            format!("the {} days after you noted “{text}”", with.days),
            format!("{} other days", without.days),
            "the next day",
        ),
        Factor::AnyRestorer => (
            format!("the {} days after you noted something that restored you", with.days),
            format!("{} days after you noted nothing", without.days),
            "the next day",
        ),
        Factor::UsedKit => (
            format!("the {} days after you used the rescue kit", with.days),
            format!("{} days after you did not", without.days),
            "the next day",
        ),
        Factor::ShortSleep => (
            format!("the {} days after under six hours' sleep", with.days),
            format!("{} days after seven hours or more", without.days),
            "that day",
        ),
    };
    let comparison = if association.difference.abs() < NOTABLE_DIFFERENCE {
        "about the same as"
    } else if association.difference > 0.0 {
        "higher than"
    } else {
        "lower than"
    };
    format!(
        "On {condition}, your {outcome} {when} averaged {} — {comparison} the {} on {other}.",
        one_decimal(with.mean),
        one_decimal(without.mean),
    )
}

// --- dismissing a signal, choosing reminders -----------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DismissForm {
    signal: String,
    range: String,
}

fn back_to(range: &str) -> String {
    match parse_range(range) {
        Ok(days) if days != DEFAULT_RANGE => format!("/insights?range={days}"),
        _ => "/insights".to_owned(),
    }
}

async fn dismiss(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    FormInput(form): FormInput<DismissForm>,
) -> Result<Response, PageError> {
    // Only ids shaped like a signal's are kept; anything else is a tampered form.
    let kind = form.signal.split(':').next().and_then(SignalKind::parse);
    if kind.is_none() || form.signal.len() > 200 {
        return Err(WebError::BadRequest("That is not a signal we can dismiss. Please reload the page.".into()).into());
    }
    state.store.dismiss_signal(current.user.id, &form.signal, Timestamp::now()).await?;
    Ok(see_other(&back_to(&form.range), &[]))
}

async fn set_reminder(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    FormInput(form): FormInput<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let instrument = form.get("instrument").map(String::as_str).unwrap_or_default();
    let offered = catalogue::find(&state, instrument).await?;
    let days = form
        .get("days")
        .and_then(|d| d.parse::<u16>().ok())
        .filter(|d| CADENCE_CHOICES.iter().any(|(choice, _)| choice == d))
        .ok_or_else(|| WebError::BadRequest("Please choose one of the reminder options.".into()))?;
    state.store.set_reassessment_cadence(current.user.id, &offered.instrument.id, days).await?;
    let range = form.get("range").map(String::as_str).unwrap_or_default();
    Ok(see_other(&format!("{}#reminders", back_to(range)), &[]))
}
