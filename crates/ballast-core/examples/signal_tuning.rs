//! Prints the tuning tables quoted in docs/INSIGHTS.md: false-alarm rates and detection
//! delays for the drift and warning-sign parameters that were considered.
//! Usage: `cargo run --release -p ballast-core --example signal_tuning` (a few minutes).

// The synthetic series the tests use; not every helper is needed here.
#[allow(dead_code, unused_imports)]
#[path = "../tests/support/signals.rs"]
mod support;

use support::*;

fn main() {
    tuning_tables();
    sign_tuning_tables();
}

// --- the tables quoted in docs/INSIGHTS.md ------------------------------------------------------

fn tuning_tables() {
    let d = DriftParams::default();
    let variants = [
        DriftParams { slack_k: 0.5, threshold_h: 5.0, min_baseline_days: 28, ..d },
        DriftParams { slack_k: 0.5, threshold_h: 8.0, min_baseline_days: 42, ..d },
        DriftParams { slack_k: 0.5, threshold_h: 10.0, min_baseline_days: 42, ..d },
        DriftParams { slack_k: 0.75, threshold_h: 7.0, min_baseline_days: 42, ..d },
        DriftParams { min_baseline_days: 28, ..d },
        d,
        DriftParams { slack_k: 1.0, threshold_h: 6.0, ..d },
    ];
    for params in variants {
        println!(
            "k={} h={} min_baseline={}: false alarms bare {:.1}%, people {:.1}%, carry-over 0.3 {:.1}%, 0.5 {:.1}%",
            params.slack_k,
            params.threshold_h,
            params.min_baseline_days,
            100.0 * bare_false_alarm_rate(&params),
            100.0 * false_alarm_rate(0.0, &params),
            100.0 * false_alarm_rate(0.3, &params),
            100.0 * false_alarm_rate(0.5, &params),
        );
        for step in [1.0, 1.5, 2.0, 3.0] {
            println!("    bare step {step} sd: {}", show(&bare_step_delays(step, &params)));
        }
        for step in [1.0, 1.5, 2.0] {
            println!("    person step {step}: {}", show(&person_step_delays(0.0, step, &params)));
        }
    }
}

fn sign_tuning_tables() {
    let d = WarningSignParams::default();
    for params in [
        WarningSignParams { alpha: 0.01, ..d },
        WarningSignParams { alpha: 0.001, ..d },
        WarningSignParams { alpha: 0.0003, ..d },
        WarningSignParams { alpha: 0.0001, ..d },
        WarningSignParams { alpha: 0.001, min_recent_count: 4, min_rate_ratio: 2.5, ..d },
        WarningSignParams { alpha: 0.001, min_rate_ratio: 1.0, ..d },
    ] {
        println!(
            "alpha {} min count {} ratio {}: false alarms {}/{SEEDS}",
            params.alpha,
            params.min_recent_count,
            params.min_rate_ratio,
            sign_false_alarms(&params)
        );
        for rate in [0.5, 0.6, 0.8] {
            println!("    brain fog 20% -> {rate}: {}", show(&sign_delays(&params, rate)));
        }
    }
}
