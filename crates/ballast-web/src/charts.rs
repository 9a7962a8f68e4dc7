//! Server-rendered SVG charts: no chart JavaScript, readable without it. Each chart carries
//! a title and description for screen readers, and pages pair it with a data table.

use std::fmt::Write;

use ballast_core::instrument::Band;
use jiff::Timestamp;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;

/// Escapes text for SVG/HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

/// A line chart of one scale over time, with its bands shaded and their limits drawn.
/// `points` must be in time order; `id` makes element ids unique on the page.
pub fn scale_history(id: &str, title: &str, points: &[(Timestamp, f64)], range: (f64, f64), bands: &[Band]) -> String {
    let (low, high) = range;
    let span = (high - low).max(f64::EPSILON);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - (v - low) / span);
    let (first, last) = match (points.first(), points.last()) {
        (Some(first), Some(last)) => (first.0.as_second() as f64, last.0.as_second() as f64),
        _ => (0.0, 0.0),
    };
    let x = |t: Timestamp| {
        if last > first { LEFT + plot_w * (t.as_second() as f64 - first) / (last - first) } else { LEFT + plot_w / 2.0 }
    };

    let mut svg = String::with_capacity(2048 + points.len() * 48);
    let summary = match (points.first(), points.last()) {
        (Some(a), Some(b)) => format!(
            "{} results from {} to {}; the latest is {}.",
            points.len(),
            a.0.strftime("%-d %B %Y"),
            b.0.strftime("%-d %B %Y"),
            number(b.1)
        ),
        _ => "No results yet.".to_owned(),
    };
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(&summary)
    );
    for (n, band) in bands.iter().enumerate() {
        let (top, bottom) = (y(band.max), y(band.min));
        let _ = write!(
            svg,
            r#"<rect class="band band-{}" x="{LEFT}" y="{top:.1}" width="{plot_w}" height="{:.1}"/><text class="band-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            n % 3,
            (bottom - top).max(1.0),
            WIDTH - RIGHT - 4.0,
            top + 14.0,
            escape(&band.label)
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
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 6.0,
            y(band.min) + 4.0,
            number(band.min)
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
        LEFT - 6.0,
        y(high) + 4.0,
        number(high)
    );
    let _ = write!(
        svg,
        r#"<line class="axis-line" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{:.1}"/><line class="axis-line" x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/>"#,
        TOP + plot_h,
        WIDTH - RIGHT,
        TOP + plot_h,
        TOP + plot_h
    );
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
}
