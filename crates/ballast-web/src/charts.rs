//! Server-rendered SVG charts: no chart JavaScript, readable without it. Each chart carries
//! a title and description for screen readers, and pages pair it with a data table.
//!
//! Two kinds: [`scale_history`] spreads one scale's results evenly over their own time span;
//! [`day_trend`] and [`assessment_timeline`] draw values on a fixed day axis (`from..=to`), so
//! that several charts on one page line up day for day.

use std::fmt::{self, Write};

use ballast_core::days::day_number;
use ballast_core::instrument::Band;
use jiff::civil::Date;
use jiff::{Span, Timestamp};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;

/// Text escaped for SVG/HTML, written straight into the output.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// A value as people read it: whole numbers without a decimal point, others to one place.
struct Number(f64);

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 { write!(f, "{:.0}", self.0) } else { write!(f, "{:.1}", self.0) }
    }
}

/// A y-axis label at the left of the plot.
fn write_y_label(svg: &mut String, y: f64, value: f64) {
    let _ = write!(
        svg,
        r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
        LEFT - 6.0,
        y + 4.0,
        Number(value)
    );
}

/// Shaded bands with their names, a dashed line at each boundary inside the range, and y-axis
/// labels at each band's lower limit and at the top of the range.
fn write_bands(svg: &mut String, bands: &[Band], (low, high): (f64, f64), y: impl Fn(f64) -> f64) {
    for (n, band) in bands.iter().enumerate() {
        let (top, bottom) = (y(band.max.min(high)), y(band.min.max(low)));
        let _ = write!(
            svg,
            r#"<rect class="band band-{}" x="{LEFT}" y="{top:.1}" width="{PLOT_W}" height="{:.1}"/><text class="band-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            n % 3,
            (bottom - top).max(1.0),
            WIDTH - RIGHT - 4.0,
            top + 14.0,
            Escaped(&band.label)
        );
        // One line and one label per boundary, at the band's lower limit: neighbouring bands
        // (22 | 23) would otherwise put two labels a few pixels apart.
        if band.min > low {
            let _ = write!(
                svg,
                r#"<line class="band-limit" x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/>"#,
                WIDTH - RIGHT,
                y(band.min),
                y(band.min)
            );
        }
        write_y_label(svg, y(band.min), band.min);
    }
    write_y_label(svg, y(high), high);
}

/// The two axis lines.
fn write_axes(svg: &mut String) {
    let _ = write!(
        svg,
        r#"<line class="axis-line" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{:.1}"/><line class="axis-line" x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/>"#,
        TOP + PLOT_H,
        WIDTH - RIGHT,
        TOP + PLOT_H,
        TOP + PLOT_H
    );
}

/// A line chart of one scale over time, with its bands shaded and their limits drawn.
/// `points` must be in time order; `id` makes element ids unique on the page.
pub fn scale_history(id: &str, title: &str, points: &[(Timestamp, f64)], range: (f64, f64), bands: &[Band]) -> String {
    let (low, high) = range;
    let span = (high - low).max(f64::EPSILON);
    let y = |v: f64| TOP + PLOT_H * (1.0 - (v - low) / span);
    let (first, last) = match (points.first(), points.last()) {
        (Some(first), Some(last)) => (first.0.as_second() as f64, last.0.as_second() as f64),
        _ => (0.0, 0.0),
    };
    let x = |t: Timestamp| {
        if last > first { LEFT + PLOT_W * (t.as_second() as f64 - first) / (last - first) } else { LEFT + PLOT_W / 2.0 }
    };

    let mut svg = String::with_capacity(2048 + points.len() * 48);
    let summary = match (points.first(), points.last()) {
        (Some(a), Some(b)) => format!(
            "{} results from {} to {}; the latest is {}.",
            points.len(),
            a.0.strftime("%-d %B %Y"),
            b.0.strftime("%-d %B %Y"),
            Number(b.1)
        ),
        _ => "No results yet.".to_owned(),
    };
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        Escaped(title),
        Escaped(&summary)
    );
    write_bands(&mut svg, bands, (low, high), y);
    write_axes(&mut svg);
    if let (Some(a), Some(b)) = (points.first(), points.last()) {
        let _ = write!(
            svg,
            r#"<text class="axis" x="{LEFT}" y="{:.1}">{}</text>"#,
            HEIGHT - 10.0,
            a.0.strftime("%-d %b %Y")
        );
        if points.len() > 1 {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                WIDTH - RIGHT,
                HEIGHT - 10.0,
                b.0.strftime("%-d %b %Y")
            );
        }
    }
    if points.len() > 1 {
        svg.push_str(r#"<polyline class="series" points=""#);
        for (t, v) in points {
            let _ = write!(svg, "{:.1},{:.1} ", x(*t), y(*v));
        }
        svg.push_str(r#""/>"#);
    }
    for (t, v) in points {
        let _ = write!(svg, r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="3"/>"#, x(*t), y(*v));
    }
    svg.push_str("</svg>");
    svg
}

// ---------------------------------------------------------------------------------------------
// Timelines
// ---------------------------------------------------------------------------------------------

/// Minutes in a day on a timeline's clock axis.
const DAY_MINUTES: u32 = 24 * 60;
const ROW_HEIGHT: f64 = 30.0;
const ROW_LABEL: f64 = 92.0;

/// One stretch of a timeline row, in minutes after midnight (`end` up to 1,440).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub start: u32,
    pub end: u32,
    /// A CSS class saying what it is (for example `session heavy`); a static name, never
    /// anything the person typed.
    pub class: &'static str,
}

/// One day on a timeline: its label and what to draw, back to front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    pub label: String,
    /// Drawn first, full height: working hours, a protected break.
    pub shading: Vec<Stretch>,
    /// Drawn over the shading: the sessions.
    pub blocks: Vec<Stretch>,
}

/// Days as rows on a 24-hour clock axis, sessions as blocks over the person's working hours
/// and break. The picture is a summary for sighted readers; `description` must say in words
/// what it shows, and pages list the same sessions as text.
pub fn timeline(id: &str, title: &str, description: &str, rows: &[TimelineRow]) -> String {
    let plot_w = WIDTH - ROW_LABEL - RIGHT;
    let height = TOP + ROW_HEIGHT * rows.len() as f64 + BOTTOM;
    let x = |minute: u32| ROW_LABEL + plot_w * f64::from(minute.min(DAY_MINUTES)) / f64::from(DAY_MINUTES);
    let mut svg = String::with_capacity(1024 + rows.len() * 512);
    let _ = write!(
        svg,
        r#"<svg class="chart timeline" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        Escaped(title),
        Escaped(description)
    );
    for (n, row) in rows.iter().enumerate() {
        let top = TOP + ROW_HEIGHT * n as f64;
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="track" x="{ROW_LABEL}" y="{:.1}" width="{plot_w:.1}" height="{:.1}"/>"#,
            ROW_LABEL - 8.0,
            top + ROW_HEIGHT / 2.0 + 4.0,
            Escaped(&row.label),
            top + 3.0,
            ROW_HEIGHT - 6.0
        );
        for (stretches, inset) in [(&row.shading, 3.0), (&row.blocks, 6.0)] {
            for stretch in stretches.iter().filter(|s| s.end > s.start) {
                let _ = write!(
                    svg,
                    r#"<rect class="{}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/>"#,
                    stretch.class,
                    x(stretch.start),
                    top + inset,
                    (x(stretch.end) - x(stretch.start)).max(1.5),
                    ROW_HEIGHT - 2.0 * inset
                );
            }
        }
    }
    let bottom = TOP + ROW_HEIGHT * rows.len() as f64;
    for hour in (0..=24).step_by(3) {
        let at = x(hour * 60);
        let anchor = match hour {
            0 => "start",
            24 => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            r#"<line class="axis-line" x1="{at:.1}" x2="{at:.1}" y1="{bottom:.1}" y2="{:.1}"/><text class="axis" x="{at:.1}" y="{:.1}" text-anchor="{anchor}">{hour:02}:00</text>"#,
            bottom + 4.0,
            bottom + 18.0
        );
    }
    svg.push_str("</svg>");
    svg
}

// ---------------------------------------------------------------------------------------------
// Day-axis charts
// ---------------------------------------------------------------------------------------------

/// Values by day over a fixed period, for [`day_trend`] and [`assessment_timeline`]. Charts
/// with the same `from` and `to` share their x axis exactly, so a page can stack them.
#[derive(Debug, Clone, Copy)]
pub struct DayChart<'a> {
    /// Makes element ids unique on the page.
    pub id: &'a str,
    /// The chart's accessible name (escaped here).
    pub title: &'a str,
    /// First and last day of the x axis, inclusive. A `to` before `from` is taken as `from`.
    pub from: Date,
    pub to: Date,
    /// The values, in any order. Points outside `from..=to` and values that are not finite are
    /// left out; values outside `range` are drawn at its edge.
    pub points: &'a [(Date, f64)],
    /// The y axis, bottom to top.
    pub range: (f64, f64),
    /// Bands to shade, as in [`scale_history`]; usually empty for check-ins.
    pub bands: &'a [Band],
}

/// Daily totals such as the work load, one value for every day of the period (0 on a day
/// without work), drawn as a line like [`day_trend`].
pub fn day_totals(chart: &DayChart<'_>) -> String {
    render_days(chart, Series::Totals)
}

/// A daily series such as energy or the strain index, one point per check-in. Consecutive days
/// are joined; any day without a value breaks the line (missing days are never interpolated),
/// so a lone check-in shows as a dot.
pub fn day_trend(chart: &DayChart<'_>) -> String {
    render_days(chart, Series::Daily)
}

/// Dated assessment results on the same day axis as [`day_trend`]: every result is joined to
/// the next (results are weeks apart, and the line shows the direction between them), with the
/// scale's bands shaded.
pub fn assessment_timeline(chart: &DayChart<'_>) -> String {
    render_days(chart, Series::Results)
}

/// What kind of series a day chart draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Series {
    Daily,
    Totals,
    Results,
}

/// Below this many pixels per day a daily series is too dense for a dot on every point (they
/// would merge into a thick smear over the line); only dots that no line passes through, and
/// the latest one, are drawn then. 6 px keeps every dot for 30 and 90 days.
const DENSE_SLOT: f64 = 6.0;

impl Series {
    fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Series::Daily => ("check-in", "check-ins"),
            Series::Totals => ("day", "days"),
            Series::Results => ("result", "results"),
        }
    }

    /// Whether two neighbouring points `gap` days apart are joined by the line.
    fn joins(self, gap: i32) -> bool {
        match self {
            Series::Daily | Series::Totals => gap <= 1,
            Series::Results => true,
        }
    }
}

fn nth_day(from: Date, n: i32) -> Date {
    from.checked_add(Span::new().days(n)).unwrap_or(from)
}

/// "3 November" (or "3 November 2025" with the year).
fn long_day(date: Date, year: bool) -> impl fmt::Display {
    date.strftime(if year { "%-d %B %Y" } else { "%-d %B" })
}

/// "between 1 and 30 November", "between 3 October and 30 November", "between 3 November
/// 2025 and 2 February 2026", or "on 3 November".
fn write_period(out: &mut String, from: Date, to: Date) {
    let _ = if from == to {
        write!(out, "on {}", long_day(from, false))
    } else if from.year() != to.year() {
        write!(out, "between {} and {}", long_day(from, true), long_day(to, true))
    } else if from.month() != to.month() {
        write!(out, "between {} and {}", long_day(from, false), long_day(to, false))
    } else {
        write!(out, "between {} and {}", from.day(), long_day(to, false))
    };
}

/// The days (as offsets from `from`) that get a date label: up to five evenly spaced for
/// ranges of about three months or less, otherwise the first of every month or every few
/// months, at most six.
fn x_label_days(from: Date, to: Date, days: i32) -> ([i32; 6], usize) {
    let mut labels = [0; 6];
    if days <= 92 {
        let count = days.min(5);
        if count <= 1 {
            return (labels, 1);
        }
        for (j, label) in labels.iter_mut().take(count as usize).enumerate() {
            let j = j as i32;
            *label = (j * (days - 1) + (count - 1) / 2) / (count - 1);
        }
        return (labels, count as usize);
    }
    let first = from.first_of_month();
    let first = if first < from { first.checked_add(Span::new().months(1)).unwrap_or(from) } else { first };
    let month_starts = |step: i32| {
        (0..).map_while(move |k: i32| first.checked_add(Span::new().months(k * step)).ok().filter(|d| *d <= to))
    };
    let stride = month_starts(1).count().div_ceil(labels.len()).max(1) as i32;
    let mut count = 0;
    for (label, date) in labels.iter_mut().zip(month_starts(stride)) {
        *label = day_number(date) - day_number(from);
        count += 1;
    }
    (labels, count)
}

fn render_days(chart: &DayChart<'_>, series: Series) -> String {
    let DayChart { id, title, from, points, bands, .. } = *chart;
    let to = chart.to.max(from);
    let (low, high) = if chart.range.0 <= chart.range.1 { chart.range } else { (chart.range.1, chart.range.0) };
    let start = day_number(from);
    let days = day_number(to) - start + 1;
    let span = (high - low).max(f64::EPSILON);
    let y = |v: f64| TOP + PLOT_H * (1.0 - (v.max(low).min(high) - low) / span);
    let slot = PLOT_W / f64::from(days);
    let x = |day: i32| LEFT + slot * (f64::from(day) + 0.5);

    // (day offset, value), in date order; one allocation, whatever the input's order.
    let mut shown: Vec<(i32, f64)> = points
        .iter()
        .filter(|(date, value)| from <= *date && *date <= to && value.is_finite())
        .map(|(date, value)| (day_number(*date) - start, *value))
        .collect();
    if !shown.is_sorted_by_key(|p| p.0) {
        shown.sort_by_key(|p| p.0);
    }

    let (one, many) = series.nouns();
    let mut svg = String::with_capacity(2048 + shown.len() * 64);
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">"#,
        Escaped(title)
    );
    // The description holds nothing but counts, dates and numbers, so it needs no escaping.
    let with_year = from.year() != to.year();
    match shown.last() {
        None => {
            let _ = write!(svg, "No {many} ");
            write_period(&mut svg, from, to);
            svg.push('.');
        }
        Some(&(day, value)) => {
            let noun = if shown.len() == 1 { one } else { many };
            let _ = write!(svg, "{} {noun} ", shown.len());
            write_period(&mut svg, from, to);
            let latest = long_day(nth_day(from, day), with_year);
            let _ = if shown.len() == 1 {
                write!(svg, ": {}, on {latest}.", Number(value))
            } else {
                write!(svg, "; the latest, on {latest}, is {}.", Number(value))
            };
        }
    }
    svg.push_str("</desc>");

    if bands.is_empty() {
        write_ticks(&mut svg, (low, high), y);
    } else {
        write_bands(&mut svg, bands, (low, high), y);
    }
    write_axes(&mut svg);

    let (label_days, label_count) = x_label_days(from, to, days);
    let mut previous_year = None;
    for &day in &label_days[..label_count] {
        let date = nth_day(from, day);
        let year = with_year && previous_year != Some(date.year());
        previous_year = Some(date.year());
        let at = x(day);
        let anchor = if at < LEFT + 30.0 {
            "start"
        } else if at > WIDTH - RIGHT - 30.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            svg,
            r#"<line class="axis-line" x1="{at:.1}" x2="{at:.1}" y1="{:.1}" y2="{:.1}"/><text class="axis" x="{at:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            TOP + PLOT_H,
            TOP + PLOT_H + 4.0,
            HEIGHT - 10.0,
            date.strftime(if year { "%-d %b %Y" } else { "%-d %b" })
        );
    }

    if shown.is_empty() {
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">No {many} in this period</text>"#,
            LEFT + PLOT_W / 2.0,
            TOP + PLOT_H / 2.0
        );
    }

    // The line: one sub-path per run of joined points.
    let joined = |i: usize| i > 0 && series.joins(shown[i].0 - shown[i - 1].0);
    let isolated = |i: usize| !joined(i) && (i + 1 == shown.len() || !joined(i + 1));
    if (1..shown.len()).any(joined) {
        svg.push_str(r#"<path class="series" d=""#);
        for (i, &(day, value)) in shown.iter().enumerate() {
            if joined(i) {
                let _ = write!(svg, "L{:.1},{:.1}", x(day), y(value));
            } else if !isolated(i) {
                let _ = write!(svg, "M{:.1},{:.1}", x(day), y(value));
            }
        }
        svg.push_str(r#""/>"#);
    }
    let every_dot = series == Series::Results || slot >= DENSE_SLOT;
    for (i, &(day, value)) in shown.iter().enumerate() {
        if every_dot || isolated(i) || i + 1 == shown.len() {
            let _ = write!(svg, r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="3"/>"#, x(day), y(value));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Y-axis labels at round steps (1, 2 or 5 times a power of ten, at most six steps) from the
/// bottom of the range, and at its top; a step label too close to the top gives way to it.
fn write_ticks(svg: &mut String, (low, high): (f64, f64), y: impl Fn(f64) -> f64) {
    let span = high - low;
    if span <= 0.0 || !span.is_finite() {
        write_y_label(svg, y(low), low);
        return;
    }
    let magnitude = 10f64.powf((span / 6.0).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|step| span / step <= 6.0).unwrap_or(span);
    let mut k = 0.0;
    while low + k * step < high - step / 2.0 {
        write_y_label(svg, y(low + k * step), low + k * step);
        k += 1.0;
    }
    write_y_label(svg, y(high), high);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(min: f64, max: f64, label: &str) -> Band {
        Band { min, max, label: label.into(), interpretation: String::new() }
    }

    #[test]
    fn draws_bands_points_and_accessible_text() {
        let points: Vec<(Timestamp, f64)> = (0..5)
            .map(|n| (Timestamp::from_second(1_700_000_000 + n * 86_400).unwrap(), 20.0 + n as f64 * 5.0))
            .collect();
        let bands = [band(10.0, 22.0, "Low"), band(23.0, 41.0, "Moderate"), band(42.0, 50.0, "High <&>")];
        let svg = scale_history("bo", "Burnout", &points, (10.0, 50.0), &bands);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<circle").count(), 5);
        assert_eq!(svg.matches(r#"class="band-limit""#).count(), 2, "one line per boundary inside the range");
        for label in [">10<", ">23<", ">42<", ">50<"] {
            assert!(svg.contains(label), "axis label {label}");
        }
        assert!(!svg.contains(">22<") && !svg.contains(">41<"), "no crowded twin labels");
        assert!(svg.contains("High &lt;&amp;&gt;"), "labels are escaped");
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"bo-title\">Burnout</title>"));
        assert!(svg.contains("5 results from"));
        assert!(!svg.contains("style="), "no inline styles: the CSP forbids them");
    }

    #[test]
    fn one_point_and_none_still_draw() {
        let one = [(Timestamp::from_second(1_700_000_000).unwrap(), 3.0)];
        assert_eq!(scale_history("a", "A", &one, (0.0, 5.0), &[]).matches("<circle").count(), 1);
        assert!(scale_history("b", "B", &[], (0.0, 5.0), &[]).contains("No results yet."));
    }

    // --- day-axis charts -----------------------------------------------------------------------

    use jiff::civil::date;

    fn chart<'a>(points: &'a [(Date, f64)], from: Date, to: Date) -> DayChart<'a> {
        DayChart { id: "energy", title: "Energy", from, to, points, range: (0.0, 10.0), bands: &[] }
    }

    /// Every number in an attribute `name="…"` of the elements that start with `element`.
    fn attributes(svg: &str, element: &str, name: &str) -> Vec<f64> {
        svg.split(element)
            .skip(1)
            .filter_map(|rest| {
                let start = rest.find(&format!(" {name}=\""))? + name.len() + 3;
                rest[start..].split('"').next()?.parse().ok()
            })
            .collect()
    }

    /// The sub-paths of the series line, each as its list of (x, y).
    fn sub_paths(svg: &str) -> Vec<Vec<(f64, f64)>> {
        let Some(start) = svg.find(r#"<path class="series" d=""#) else { return Vec::new() };
        let d = svg[start + 25..].split('"').next().unwrap();
        d.split('M')
            .filter(|s| !s.is_empty())
            .map(|sub| {
                sub.split('L')
                    .map(|xy| {
                        let (x, y) = xy.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect()
            })
            .collect()
    }

    fn november(days: &[(i8, f64)]) -> Vec<(Date, f64)> {
        days.iter().map(|(d, v)| (date(2026, 11, *d), *v)).collect()
    }

    #[test]
    fn points_sit_inside_the_plot_on_their_day() {
        let points = november(&[(1, 0.0), (2, 10.0), (3, 5.0), (30, 12.0), (15, -3.0)]);
        let svg = day_trend(&chart(&points, date(2026, 11, 1), date(2026, 11, 30)));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let (xs, ys) = (attributes(&svg, "<circle", "cx"), attributes(&svg, "<circle", "cy"));
        assert_eq!(xs.len(), 5);
        for (x, y) in xs.iter().zip(&ys) {
            assert!((LEFT..=WIDTH - RIGHT).contains(x), "x {x}");
            assert!((TOP..=TOP + PLOT_H).contains(y), "y {y} (values outside the range sit at its edge)");
        }
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "in date order, whatever the input order");
        let slot = PLOT_W / 30.0;
        assert!((xs[0] - (LEFT + slot / 2.0)).abs() < 0.1, "1 November in the middle of the first day");
        assert!((xs[4] - (WIDTH - RIGHT - slot / 2.0)).abs() < 0.1, "30 November in the middle of the last");
        assert_eq!(ys[0], TOP + PLOT_H, "0 at the bottom");
        assert_eq!(ys[1], TOP, "10 at the top");
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"aria-labelledby="energy-title energy-desc""#));
        assert!(svg.contains(r#"<title id="energy-title">Energy</title>"#));
        assert!(svg.contains("5 check-ins between 1 and 30 November; the latest, on 30 November, is 12."), "{svg}");
        assert!(!svg.contains("style="), "no inline styles: the CSP forbids them");
        for label in [">0<", ">2<", ">4<", ">6<", ">8<", ">10<"] {
            assert!(svg.contains(label), "y label {label}");
        }
    }

    #[test]
    fn gaps_break_the_line_and_are_not_bridged() {
        let points = november(&[(1, 4.0), (2, 5.0), (3, 6.0), (5, 2.0), (6, 3.0), (9, 7.0), (12, 5.0), (13, 5.0)]);
        let svg = day_trend(&chart(&points, date(2026, 11, 1), date(2026, 11, 30)));
        let paths = sub_paths(&svg);
        assert_eq!(paths.iter().map(Vec::len).collect::<Vec<_>>(), [3, 2, 2], "9 November stands alone");
        assert_eq!(svg.matches("<path").count(), 1, "one element for the whole line");
        assert_eq!(svg.matches("<circle").count(), 8, "every point gets a dot over 30 days");

        // The same points as assessment results are joined across the gaps.
        let joined = assessment_timeline(&chart(&points, date(2026, 11, 1), date(2026, 11, 30)));
        assert_eq!(sub_paths(&joined).iter().map(Vec::len).collect::<Vec<_>>(), [8]);
        assert!(joined.contains("8 results between"));
    }

    #[test]
    fn dense_daily_series_keep_only_the_dots_a_line_does_not_show() {
        let (from, to) = (date(2025, 12, 1), date(2026, 11, 30));
        let mut points: Vec<(Date, f64)> = (0..365).filter(|n| n % 50 != 0).map(|n| (nth_day(from, n), 5.0)).collect();
        points.retain(|(d, _)| *d != nth_day(from, 102));
        let svg = day_trend(&chart(&points, from, to));
        // Only the lone point (101: 100 and 102 are missing) and the latest get a dot.
        assert_eq!(svg.matches("<circle").count(), 2);
        // Six month labels, with the year where it changes.
        assert_eq!(svg.matches(r#"y="230.0""#).count(), 6);
        assert!(svg.contains(">1 Dec 2025<") && svg.contains(">1 Feb 2026<") && svg.contains(">1 Apr<"));
        assert!(svg.contains("between 1 December 2025 and 30 November 2026"));
    }

    #[test]
    fn short_ranges_get_evenly_spaced_day_labels() {
        let svg = day_trend(&chart(&[], date(2026, 11, 1), date(2026, 11, 30)));
        for label in [">1 Nov<", ">8 Nov<", ">16 Nov<", ">23 Nov<", ">30 Nov<"] {
            assert!(svg.contains(label), "{label} in {svg}");
        }
        let (labels, count) = x_label_days(date(2026, 11, 1), date(2026, 11, 1), 1);
        assert_eq!(&labels[..count], [0]);
        let (labels, count) = x_label_days(date(2026, 11, 1), date(2026, 11, 3), 3);
        assert_eq!(&labels[..count], [0, 1, 2]);
    }

    #[test]
    fn the_title_is_escaped() {
        let points = november(&[(3, 4.0)]);
        let svg = day_trend(&DayChart {
            title: r#"Mood <script>"&'"#,
            ..chart(&points, date(2026, 11, 1), date(2026, 11, 30))
        });
        assert!(svg.contains("<title id=\"energy-title\">Mood &lt;script&gt;&quot;&amp;&#39;</title>"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("1 check-in between 1 and 30 November: 4, on 3 November."));
        assert_eq!(svg.matches("<circle").count(), 1, "a lone point is a dot");
        assert!(!svg.contains("<path"), "and no line");
    }

    #[test]
    fn an_empty_series_says_so() {
        let outside = november(&[(1, 4.0)]);
        for points in [&[][..], &outside[..], &[(date(2026, 11, 5), f64::NAN)][..]] {
            let svg = day_trend(&chart(points, date(2026, 11, 2), date(2026, 11, 30)));
            assert!(svg.contains(">No check-ins in this period<"), "{svg}");
            assert!(svg.contains("No check-ins between 2 and 30 November."));
            assert!(!svg.contains("<circle") && !svg.contains("<path"));
        }
        let results = assessment_timeline(&chart(&[], date(2026, 10, 2), date(2026, 11, 30)));
        assert!(results.contains("No results between 2 October and 30 November."));
        let one_day = day_trend(&chart(&[], date(2026, 11, 2), date(2026, 11, 2)));
        assert!(one_day.contains("No check-ins on 2 November."));
        let reversed = day_trend(&chart(&[], date(2026, 11, 2), date(2026, 11, 1)));
        assert!(reversed.contains("No check-ins on 2 November."), "a range ending before it starts is one day");
    }

    #[test]
    fn results_on_the_day_axis_with_bands() {
        let bands = [band(0.0, 4.0, "Minimal"), band(5.0, 9.0, "Mild"), band(10.0, 27.0, "Moderate & more")];
        let points = [(date(2026, 9, 14), 12.0), (date(2026, 10, 12), 8.0), (date(2026, 11, 9), 6.0)];
        let svg = assessment_timeline(&DayChart {
            id: "phq9",
            title: "PHQ-9",
            from: date(2026, 9, 1),
            to: date(2026, 11, 30),
            points: &points,
            range: (0.0, 27.0),
            bands: &bands,
        });
        assert_eq!(svg.matches(r#"class="band band-"#).count(), 3);
        assert_eq!(svg.matches(r#"class="band-limit""#).count(), 2);
        assert!(svg.contains("Moderate &amp; more"));
        for label in [">0<", ">5<", ">10<", ">27<"] {
            assert!(svg.contains(label), "axis label {label}");
        }
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(sub_paths(&svg).len(), 1);
        assert!(svg.contains("3 results between 1 September and 30 November; the latest, on 9 November, is 6."));
    }

    #[test]
    fn y_ticks_are_round() {
        let mut svg = String::new();
        write_ticks(&mut svg, (-3.0, 3.0), |v| v);
        assert_eq!(svg.matches("<text").count(), 7, "{svg}");
        let mut svg = String::new();
        write_ticks(&mut svg, (0.0, 27.0), |v| v);
        let labels: Vec<&str> = svg.split("\">").skip(1).map(|s| s.split('<').next().unwrap()).collect();
        assert_eq!(labels, ["0", "5", "10", "15", "20", "27"]);
        let mut svg = String::new();
        write_ticks(&mut svg, (0.0, 12.0), |v| v);
        let labels: Vec<&str> = svg.split("\">").skip(1).map(|s| s.split('<').next().unwrap()).collect();
        assert_eq!(labels, ["0", "2", "4", "6", "8", "10", "12"]);
    }

    #[test]
    fn a_year_of_points_out_of_five_years_stays_compact() {
        // Speed is measured by the dashboard benchmark (docs/BENCHMARKS.md), not here.
        let to = date(2026, 11, 30);
        let from = nth_day(to, -364);
        let points: Vec<(Date, f64)> =
            (0..5 * 365).filter(|n| n % 9 != 0).map(|n| (nth_day(to, -n), f64::from(n % 11))).collect();
        let svg = day_trend(&chart(&points, from, to));
        assert!(svg.len() < 16_000, "compact: {} bytes per chart", svg.len());
        assert!(svg.contains("324 check-ins"), "only the year's points are drawn");
    }

    #[test]
    fn timeline_draws_each_day_and_block_on_the_clock() {
        let rows = [
            TimelineRow {
                label: "Mon 4 <May>".into(),
                shading: vec![Stretch { start: 9 * 60, end: 17 * 60, class: "hours" }],
                blocks: vec![
                    Stretch { start: 9 * 60, end: 10 * 60, class: "session heavy" },
                    Stretch { start: 23 * 60, end: 2000, class: "session routine" },
                    Stretch { start: 600, end: 600, class: "session routine" },
                ],
            },
            TimelineRow { label: "Tue".into(), shading: vec![], blocks: vec![] },
        ];
        let svg = timeline("week", "Your week", "Two days & one session", &rows);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Mon 4 &lt;May&gt;") && svg.contains("Two days &amp; one session"));
        assert_eq!(svg.matches(r#"class="track""#).count(), 2, "one track per day");
        assert_eq!(svg.matches(r#"class="session"#).count(), 2, "empty stretches are not drawn");
        let plot_w = WIDTH - ROW_LABEL - RIGHT;
        let heavy_x = ROW_LABEL + plot_w * 9.0 / 24.0;
        assert!(svg.contains(&format!(r#"class="session heavy" x="{heavy_x:.1}""#)), "{svg}");
        let late = svg.split(r#"class="session routine""#).nth(1).unwrap();
        let width: f64 = late.split("width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert!((width - plot_w / 24.0).abs() < 0.2, "a block past midnight stops at the day's end: {width}");
        assert!(svg.contains(">00:00<") && svg.contains(">24:00<"));
        assert!(!svg.contains("style="));
    }
}
