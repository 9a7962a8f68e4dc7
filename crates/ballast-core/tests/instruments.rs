//! The bundled instruments against their reference files (`../shared/instruments/*.md`):
//! every band boundary, reverse key, missing-answer rule, gate and safety flag; properties
//! that hold for every instrument (bounds, monotonicity, reverse keys, determinism); and the
//! definition checks an administrator relies on when loading a custom file.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use ballast_core::instrument::{Answers, BUNDLED, Instrument, Method, Scored, Words};
use proptest::prelude::*;

// --- helpers ----------------------------------------------------------------------------

/// Every bundled instrument, parsed once.
fn all() -> &'static [Instrument] {
    static ALL: LazyLock<Vec<Instrument>> = LazyLock::new(|| {
        BUNDLED
            .iter()
            .map(|file| Instrument::from_toml(file.text).unwrap_or_else(|e| panic!("{} does not load: {e}", file.name)))
            .collect()
    });
    &ALL
}

fn load(id: &str) -> &'static Instrument {
    all().iter().find(|i| i.id.as_str() == id).unwrap_or_else(|| panic!("{id} is not bundled"))
}

/// A gate answer that opens the items.
fn open_gate(instrument: &Instrument) -> Option<i32> {
    instrument.gate.as_ref().map(|gate| {
        let set = &instrument.response_sets[gate.response_set];
        set.options.iter().map(|o| o.value).find(|v| *v != gate.closed_value).unwrap()
    })
}

fn answers(instrument: &Instrument, items: &[Option<i32>]) -> Answers {
    Answers { gate: open_gate(instrument), items: items.to_vec() }
}

fn score_items(instrument: &Instrument, items: &[Option<i32>]) -> Scored {
    instrument.score(&answers(instrument, items)).unwrap()
}

/// Parses a comma-separated answer string as the CLI does.
fn score_text(instrument: &Instrument, text: &str) -> Scored {
    let raw: Vec<&str> = text.split(',').collect();
    let parsed = instrument.parse_answers(&raw).unwrap_or_else(|e| panic!("{}: {text}: {e}", instrument.id));
    instrument.score(&parsed).unwrap()
}

fn value(instrument: &Instrument, scored: &Scored, scale: &str) -> Option<f64> {
    let index = instrument.scales.iter().position(|s| s.id == scale).unwrap();
    scored.scales[index].value
}

fn band(instrument: &Instrument, scored: &Scored, scale: &str) -> Option<String> {
    let index = instrument.scales.iter().position(|s| s.id == scale).unwrap();
    scored.scales[index].band.map(|b| instrument.scales[index].bands[b].label.clone())
}

/// Complete answers whose keyed sum over `scale`'s items is `target` (every other item at its
/// lowest option). Only for scales whose items take consecutive integer values.
fn reaching(instrument: &Instrument, scale: &str, target: i32) -> Vec<Option<i32>> {
    let scale = instrument.scale(scale).unwrap();
    let mut items: Vec<Option<i32>> =
        instrument.items.iter().map(|item| Some(instrument.response_set(item).min())).collect();
    // Every item starts at its lowest keyed value; the rest is spread from the first item on.
    let lowest: i32 = scale.items.iter().map(|&i| instrument.response_set(&instrument.items[i]).min()).sum();
    let mut left = target - lowest;
    for &i in &scale.items {
        let item = &instrument.items[i];
        let set = instrument.response_set(item);
        let extra = left.clamp(0, set.max() - set.min());
        left -= extra;
        let keyed = set.min() + extra;
        items[i] = Some(if item.reverse { set.min() + set.max() - keyed } else { keyed });
    }
    assert_eq!(left, 0, "{target} is out of reach");
    items
}

// --- every bundled file -----------------------------------------------------------------

#[test]
fn every_bundled_file_loads_with_the_scales_the_issue_names() {
    let expected: &[(&str, &[&str])] = &[
        ("proqol5", &["compassion_satisfaction", "burnout", "secondary_traumatic_stress"]),
        ("who5", &["raw", "percentage"]),
        ("phq9", &["total"]),
        ("gad7", &["total"]),
        ("phq4", &["total", "anxiety", "depression"]),
        ("pc-ptsd-5", &["total"]),
        ("single-item-burnout", &["burnout"]),
        ("cbi", &["personal", "work", "client"]),
    ];
    let instruments = all();
    assert_eq!(instruments.len(), expected.len());
    for (file, instrument) in BUNDLED.iter().zip(instruments) {
        assert_eq!(file.name, format!("{}.toml", instrument.id), "file names match ids");
    }
    for (id, scales) in expected {
        let instrument = load(id);
        let ids: Vec<&str> = instrument.scales.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(&ids, scales, "{id}");
        for scale in &instrument.scales {
            assert!(!scale.about.is_empty(), "{id}.{} explains itself", scale.id);
        }
        assert!(!instrument.licence.attribution.is_empty());
    }
    assert!(instruments.iter().all(|i| i.id.as_str() != "scs-sf"), "the SCS-SF is not bundled");
}

#[test]
fn item_counts_response_values_and_reverse_keys_match_the_references() {
    let expected: &[(&str, usize, &[i32], &[&str])] = &[
        ("proqol5", 30, &[1, 2, 3, 4, 5], &["1", "4", "15", "17", "29"]),
        ("who5", 5, &[0, 1, 2, 3, 4, 5], &[]),
        ("phq9", 9, &[0, 1, 2, 3], &[]),
        ("gad7", 7, &[0, 1, 2, 3], &[]),
        ("phq4", 4, &[0, 1, 2, 3], &[]),
        ("pc-ptsd-5", 5, &[0, 1], &[]),
        ("single-item-burnout", 1, &[1, 2, 3, 4, 5], &[]),
        ("cbi", 19, &[0, 25, 50, 75, 100], &["13"]),
    ];
    for &(id, count, values, reversed) in expected {
        let instrument = load(id);
        assert_eq!(instrument.items.len(), count, "{id}");
        for item in &instrument.items {
            let mut got: Vec<i32> = instrument.response_set(item).options.iter().map(|o| o.value).collect();
            got.sort_unstable();
            assert_eq!(got, values, "{id} item {}", item.id);
        }
        let got: Vec<&str> = instrument.items.iter().filter(|i| i.reverse).map(|i| i.id.as_str()).collect();
        assert_eq!(got, reversed, "{id}");
    }
}

#[test]
fn subscale_membership_matches_the_references() {
    let proqol = load("proqol5");
    let members = |instrument: &Instrument, scale: &str| -> Vec<String> {
        instrument.scale(scale).unwrap().items.iter().map(|&i| instrument.items[i].id.clone()).collect()
    };
    assert_eq!(members(proqol, "compassion_satisfaction"), ["3", "6", "12", "16", "18", "20", "22", "24", "27", "30"]);
    assert_eq!(members(proqol, "burnout"), ["1", "4", "8", "10", "15", "17", "19", "21", "26", "29"]);
    assert_eq!(members(proqol, "secondary_traumatic_stress"), ["2", "5", "7", "9", "11", "13", "14", "23", "25", "28"]);
    let phq4 = load("phq4");
    assert_eq!(members(phq4, "anxiety"), ["1", "2"]);
    assert_eq!(members(phq4, "depression"), ["3", "4"]);
    assert_eq!(members(phq4, "total"), ["1", "2", "3", "4"]);
    let cbi = load("cbi");
    assert_eq!(members(cbi, "personal"), ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(members(cbi, "work"), ["7", "8", "9", "10", "11", "12", "13"]);
    assert_eq!(members(cbi, "client"), ["14", "15", "16", "17", "18", "19"]);
    for scale in &cbi.scales {
        assert_eq!(scale.method, Method::Mean);
    }
    // The CBI's intensity items: work 7–9, client 14–17.
    let intensity: Vec<&str> = cbi
        .items
        .iter()
        .filter(|item| cbi.response_set(item).options[0].label == "To a very high degree")
        .map(|item| item.id.as_str())
        .collect();
    assert_eq!(intensity, ["7", "8", "9", "14", "15", "16", "17"]);
}

// --- bands: both sides of every cut-off ---------------------------------------------------

/// (instrument, scale, value, band label). Sum scales only; the CBI's means are below.
const BANDS: &[(&str, &str, i32, Option<&str>)] = &[
    // ProQOL 5: ≤22 Low / 23–41 Moderate / ≥42 High, on each of the three sums (10–50).
    ("proqol5", "compassion_satisfaction", 10, Some("Low")),
    ("proqol5", "compassion_satisfaction", 22, Some("Low")),
    ("proqol5", "compassion_satisfaction", 23, Some("Moderate")),
    ("proqol5", "compassion_satisfaction", 41, Some("Moderate")),
    ("proqol5", "compassion_satisfaction", 42, Some("High")),
    ("proqol5", "compassion_satisfaction", 50, Some("High")),
    ("proqol5", "burnout", 10, Some("Low")),
    ("proqol5", "burnout", 22, Some("Low")),
    ("proqol5", "burnout", 23, Some("Moderate")),
    ("proqol5", "burnout", 41, Some("Moderate")),
    ("proqol5", "burnout", 42, Some("High")),
    ("proqol5", "burnout", 50, Some("High")),
    ("proqol5", "secondary_traumatic_stress", 10, Some("Low")),
    ("proqol5", "secondary_traumatic_stress", 22, Some("Low")),
    ("proqol5", "secondary_traumatic_stress", 23, Some("Moderate")),
    ("proqol5", "secondary_traumatic_stress", 41, Some("Moderate")),
    ("proqol5", "secondary_traumatic_stress", 42, Some("High")),
    ("proqol5", "secondary_traumatic_stress", 50, Some("High")),
    // WHO-5 raw: no bands of its own (the percentage carries them).
    ("who5", "raw", 0, None),
    ("who5", "raw", 25, None),
    // PHQ-9: 0–4 / 5–9 / 10–14 / 15–19 / 20–27.
    ("phq9", "total", 0, Some("Minimal")),
    ("phq9", "total", 4, Some("Minimal")),
    ("phq9", "total", 5, Some("Mild")),
    ("phq9", "total", 9, Some("Mild")),
    ("phq9", "total", 10, Some("Moderate")),
    ("phq9", "total", 14, Some("Moderate")),
    ("phq9", "total", 15, Some("Moderately severe")),
    ("phq9", "total", 19, Some("Moderately severe")),
    ("phq9", "total", 20, Some("Severe")),
    ("phq9", "total", 27, Some("Severe")),
    // GAD-7: 0–4 / 5–9 / 10–14 / 15–21.
    ("gad7", "total", 0, Some("Minimal")),
    ("gad7", "total", 4, Some("Minimal")),
    ("gad7", "total", 5, Some("Mild")),
    ("gad7", "total", 9, Some("Mild")),
    ("gad7", "total", 10, Some("Moderate")),
    ("gad7", "total", 14, Some("Moderate")),
    ("gad7", "total", 15, Some("Severe")),
    ("gad7", "total", 21, Some("Severe")),
    // PHQ-4: 0–2 / 3–5 / 6–8 / 9–12; subscales positive at ≥3.
    ("phq4", "total", 0, Some("None")),
    ("phq4", "total", 2, Some("None")),
    ("phq4", "total", 3, Some("Mild")),
    ("phq4", "total", 5, Some("Mild")),
    ("phq4", "total", 6, Some("Moderate")),
    ("phq4", "total", 8, Some("Moderate")),
    ("phq4", "total", 9, Some("Severe")),
    ("phq4", "total", 12, Some("Severe")),
    ("phq4", "anxiety", 0, Some("Negative screen")),
    ("phq4", "anxiety", 2, Some("Negative screen")),
    ("phq4", "anxiety", 3, Some("Positive screen")),
    ("phq4", "anxiety", 6, Some("Positive screen")),
    ("phq4", "depression", 0, Some("Negative screen")),
    ("phq4", "depression", 2, Some("Negative screen")),
    ("phq4", "depression", 3, Some("Positive screen")),
    ("phq4", "depression", 6, Some("Positive screen")),
    // PC-PTSD-5 (stem "Yes"): ≥3 positive (Prins 2016, the reference's recommendation).
    ("pc-ptsd-5", "total", 0, Some("Negative screen")),
    ("pc-ptsd-5", "total", 2, Some("Negative screen")),
    ("pc-ptsd-5", "total", 3, Some("Positive screen")),
    ("pc-ptsd-5", "total", 5, Some("Positive screen")),
    // Single item: 1–2 not burned out, 3–5 burned out.
    ("single-item-burnout", "burnout", 1, Some("Not burned out")),
    ("single-item-burnout", "burnout", 2, Some("Not burned out")),
    ("single-item-burnout", "burnout", 3, Some("Burned out")),
    ("single-item-burnout", "burnout", 5, Some("Burned out")),
];

#[test]
fn every_band_boundary_of_every_sum_scale() {
    for &(id, scale, target, label) in BANDS {
        let instrument = load(id);
        let scored = score_items(instrument, &reaching(instrument, scale, target));
        assert_eq!(value(instrument, &scored, scale), Some(f64::from(target)), "{id}.{scale} = {target}");
        assert_eq!(band(instrument, &scored, scale).as_deref(), label, "{id}.{scale} = {target}");
    }
}

#[test]
fn every_sum_band_is_covered_by_the_table() {
    // Each band's min and max appear in BANDS, so no boundary goes untested.
    for instrument in all().iter().filter(|i| i.id.as_str() != "cbi" && i.id.as_str() != "who5") {
        for scale in &instrument.scales {
            for b in &scale.bands {
                for edge in [b.min, b.max] {
                    assert!(
                        BANDS.iter().any(|&(id, s, v, l)| id == instrument.id.as_str()
                            && s == scale.id
                            && f64::from(v) == edge
                            && l == Some(b.label.as_str())),
                        "{}.{} edge {edge} is in the table",
                        instrument.id,
                        scale.id
                    );
                }
            }
        }
    }
}

#[test]
fn who5_percentage_bands_and_cut_offs() {
    let who5 = load("who5");
    // (raw, percentage, band). ≤28 % likely depression; ≤50 % (raw < 13) poor well-being.
    let table: &[(i32, f64, &str)] = &[
        (0, 0.0, "Likely depression"),
        (7, 28.0, "Likely depression"),
        (8, 32.0, "Poor well-being"),
        (12, 48.0, "Poor well-being"),
        (13, 52.0, "Above the cut-off"),
        (25, 100.0, "Above the cut-off"),
    ];
    for &(raw, percentage, label) in table {
        let scored = score_items(who5, &reaching(who5, "raw", raw));
        assert_eq!(value(who5, &scored, "raw"), Some(f64::from(raw)));
        assert_eq!(value(who5, &scored, "percentage"), Some(percentage), "raw {raw}");
        assert_eq!(band(who5, &scored, "percentage").as_deref(), Some(label), "raw {raw}");
        assert_eq!(scored.flags.contains(&"who5_low".to_owned()), percentage <= 28.0, "raw {raw}");
    }
    let percentage = who5.scale("percentage").unwrap();
    assert_eq!(percentage.multiply, 4.0);
    assert_eq!(percentage.range(&who5.items, &who5.response_sets), (0.0, 100.0));
}

#[test]
fn who5_raw_7_is_28_percent_and_flags() {
    let who5 = load("who5");
    let scored = score_text(who5, "2,2,1,1,1");
    assert_eq!(value(who5, &scored, "raw"), Some(7.0));
    assert_eq!(value(who5, &scored, "percentage"), Some(28.0));
    assert_eq!(scored.flags, ["who5_low"]);
}

#[test]
fn cbi_bands_at_fifty_and_above_only() {
    let cbi = load("cbi");
    // Personal: all "Sometimes" (50) → 50 High; one "Seldom" → 275/6 ≈ 45.83, no band.
    let mut items = vec![None; 19];
    items[..6].fill(Some(50));
    let scored = score_items(cbi, &items);
    assert_eq!(value(cbi, &scored, "personal"), Some(50.0));
    assert_eq!(band(cbi, &scored, "personal").as_deref(), Some("High"));
    items[5] = Some(25);
    let scored = score_items(cbi, &items);
    assert_eq!(value(cbi, &scored, "personal"), Some(275.0 / 6.0));
    assert_eq!(band(cbi, &scored, "personal"), None, "below 50 has no band");
    for (all_at, expected, label) in [(0, 0.0, None), (100, 100.0, Some("High"))] {
        let mut items = vec![Some(all_at); 19];
        items[12] = Some(100 - all_at); // item 13 is reversed
        let scored = score_items(cbi, &items);
        for scale in ["personal", "work", "client"] {
            assert_eq!(value(cbi, &scored, scale), Some(expected), "{scale}");
            assert_eq!(band(cbi, &scored, scale).as_deref(), label, "{scale}");
        }
    }
    // Work at exactly 50 and just below; client likewise.
    let mut items = vec![None; 19];
    items[6..13].fill(Some(50));
    items[13..19].fill(Some(50));
    let scored = score_items(cbi, &items);
    assert_eq!(value(cbi, &scored, "work"), Some(50.0));
    assert_eq!(band(cbi, &scored, "work").as_deref(), Some("High"));
    assert_eq!(value(cbi, &scored, "client"), Some(50.0));
    assert_eq!(band(cbi, &scored, "client").as_deref(), Some("High"));
    items[6] = Some(25);
    items[13] = Some(25);
    let scored = score_items(cbi, &items);
    assert_eq!(value(cbi, &scored, "work"), Some(325.0 / 7.0));
    assert_eq!(band(cbi, &scored, "work"), None);
    assert_eq!(value(cbi, &scored, "client"), Some(275.0 / 6.0));
    assert_eq!(band(cbi, &scored, "client"), None);
    for scale in &cbi.scales {
        assert_eq!(scale.bands.len(), 1);
        assert_eq!((scale.bands[0].min, scale.bands[0].max), (50.0, 100.0));
    }
}

// --- reverse keys -------------------------------------------------------------------------

#[test]
fn proqol_reverse_items_are_recoded_six_minus_the_answer() {
    let proqol = load("proqol5");
    // Everything "Never": BO = five reversed items at 5 + five forward items at 1 = 30.
    let scored = score_items(proqol, &[Some(1); 30]);
    assert_eq!(value(proqol, &scored, "burnout"), Some(30.0));
    assert_eq!(value(proqol, &scored, "compassion_satisfaction"), Some(10.0));
    assert_eq!(value(proqol, &scored, "secondary_traumatic_stress"), Some(10.0));
    let scored = score_items(proqol, &[Some(5); 30]);
    assert_eq!(value(proqol, &scored, "burnout"), Some(30.0));
    assert_eq!(value(proqol, &scored, "compassion_satisfaction"), Some(50.0));
    // From all 3s (BO 30): each reversed item answered 1 counts 5 (+2), answered 5 counts 1 (−2).
    for reversed in [1, 4, 15, 17, 29] {
        for (answer, expected) in [(1, 32.0), (2, 31.0), (4, 29.0), (5, 28.0)] {
            let mut items = vec![Some(3); 30];
            items[reversed - 1] = Some(answer);
            let scored = score_items(proqol, &items);
            assert_eq!(value(proqol, &scored, "burnout"), Some(expected), "item {reversed} = {answer}");
        }
    }
    // A forward burnout item moves the other way.
    let mut items = vec![Some(3); 30];
    items[7] = Some(5);
    assert_eq!(value(proqol, &score_items(proqol, &items), "burnout"), Some(32.0));
}

#[test]
fn cbi_item_13_is_reversed() {
    let cbi = load("cbi");
    let mut items = vec![None; 19];
    items[6..12].fill(Some(50));
    // "Always" having enough energy counts 0; "Never/almost never" counts 100.
    items[12] = Some(100);
    assert_eq!(value(cbi, &score_items(cbi, &items), "work"), Some(300.0 / 7.0));
    items[12] = Some(0);
    assert_eq!(value(cbi, &score_items(cbi, &items), "work"), Some(400.0 / 7.0));
    items[12] = Some(75);
    assert_eq!(value(cbi, &score_items(cbi, &items), "work"), Some(325.0 / 7.0));
    // By label, as a person or the CLI gives it.
    let scored =
        score_text(cbi, "-,-,-,-,-,-,somewhat,somewhat,somewhat,sometimes,sometimes,sometimes,always,-,-,-,-,-,-");
    assert_eq!(value(cbi, &scored, "work"), Some(300.0 / 7.0));
}

// --- missing answers ----------------------------------------------------------------------

#[test]
fn cbi_personal_needs_three_of_six() {
    let cbi = load("cbi");
    let mut items = vec![None; 19];
    items[0] = Some(100);
    items[3] = Some(75);
    assert_eq!(value(cbi, &score_items(cbi, &items), "personal"), None, "two answered");
    items[5] = Some(25);
    assert_eq!(value(cbi, &score_items(cbi, &items), "personal"), Some(200.0 / 3.0), "mean of the three answered");
    assert_eq!(cbi.scale("personal").unwrap().min_answered, 3);
}

#[test]
fn cbi_work_needs_four_of_seven() {
    let cbi = load("cbi");
    let mut items = vec![None; 19];
    items[6] = Some(100);
    items[9] = Some(50);
    items[12] = Some(100); // reversed: counts 0
    assert_eq!(value(cbi, &score_items(cbi, &items), "work"), None, "three answered");
    items[11] = Some(25);
    assert_eq!(value(cbi, &score_items(cbi, &items), "work"), Some(175.0 / 4.0), "mean of the four answered");
    assert_eq!(cbi.scale("work").unwrap().min_answered, 4);
}

#[test]
fn cbi_client_needs_all_six() {
    // The reference's client rule is UNVERIFIED, so every client item is required.
    let cbi = load("cbi");
    let mut items = vec![None; 19];
    items[13..19].fill(Some(75));
    assert_eq!(value(cbi, &score_items(cbi, &items), "client"), Some(75.0));
    for missing in 13..19 {
        let mut gap = items.clone();
        gap[missing] = None;
        let scored = score_items(cbi, &gap);
        assert_eq!(value(cbi, &scored, "client"), None, "item {} unanswered", missing + 1);
        assert_eq!(band(cbi, &scored, "client"), None);
    }
    // The other two scales are independent: nothing answered there, nothing scored.
    let scored = score_items(cbi, &items);
    assert_eq!(value(cbi, &scored, "personal"), None);
    assert_eq!(value(cbi, &scored, "work"), None);
    assert!(!scored.is_complete());
    assert_eq!(cbi.gaps(&answers(cbi, &items)), (0..13).map(Some).collect::<Vec<_>>());
}

#[test]
fn every_other_scale_needs_every_item() {
    for instrument in all().iter().filter(|i| i.id.as_str() != "cbi") {
        let complete: Vec<Option<i32>> =
            instrument.items.iter().map(|item| Some(instrument.response_set(item).max())).collect();
        assert!(score_items(instrument, &complete).is_complete(), "{}", instrument.id);
        for missing in 0..instrument.items.len() {
            let mut items = complete.clone();
            items[missing] = None;
            let scored = score_items(instrument, &items);
            for (scale, got) in instrument.scales.iter().zip(&scored.scales) {
                let member = scale.items.contains(&missing);
                assert_eq!(got.value.is_none(), member, "{}.{} without item {}", instrument.id, scale.id, missing + 1);
                if member {
                    assert_eq!(got.band, None);
                }
            }
            assert_eq!(instrument.gaps(&answers(instrument, &items)), [Some(missing)]);
        }
    }
}

#[test]
fn an_unanswered_phq9_item_9_is_never_treated_as_zero() {
    let phq9 = load("phq9");
    let scored = score_text(phq9, "0,0,0,0,0,0,0,0,-");
    assert_eq!(value(phq9, &scored, "total"), None);
    assert!(scored.flags.is_empty());
    assert_eq!(
        phq9.gaps(&answers(phq9, &[Some(0), Some(0), Some(0), Some(0), Some(0), Some(0), Some(0), Some(0), None])),
        [Some(8)]
    );
}

// --- gate and safety ----------------------------------------------------------------------

#[test]
fn pc_ptsd_5_gate() {
    let pc = load("pc-ptsd-5");
    let gate = pc.gate.as_ref().unwrap();
    assert_eq!(gate.closed_value, 0);
    assert_eq!(pc.response_sets[gate.response_set].option(1).unwrap().label, "Yes");
    assert_eq!(pc.response_sets[gate.response_set].option(0).unwrap().label, "No");

    // Stem "No": total 0, no flag, nothing else to answer.
    let closed = pc.parse_answers(&["no", "-", "-", "-", "-", "-"]).unwrap();
    assert!(pc.gate_closed(&closed));
    let scored = pc.score(&closed).unwrap();
    assert_eq!(value(pc, &scored, "total"), Some(0.0));
    assert_eq!(band(pc, &scored, "total").as_deref(), Some("Negative screen"));
    assert!(scored.flags.is_empty());
    assert!(pc.gaps(&closed).is_empty());
    // Even if item answers were sent along with "No", they are not counted.
    let scored = score_text(pc, "No,yes,yes,yes,yes,yes");
    assert_eq!(value(pc, &scored, "total"), Some(0.0));
    assert!(scored.flags.is_empty());

    // Stem unanswered: no score, and the stem is the gap.
    let unanswered = pc.parse_answers(&["-", "yes", "yes", "yes", "yes", "yes"]).unwrap();
    assert_eq!(value(pc, &pc.score(&unanswered).unwrap(), "total"), None);
    assert_eq!(pc.gaps(&unanswered), [None]);

    // Stem "Yes": the count of yeses; positive (and support shown) from 3.
    let scored = score_text(pc, "yes,yes,no,yes,no,no");
    assert_eq!(value(pc, &scored, "total"), Some(2.0));
    assert!(scored.flags.is_empty());
    let scored = score_text(pc, "YES,yes,no,yes,no,Yes");
    assert_eq!(value(pc, &scored, "total"), Some(3.0));
    assert_eq!(band(pc, &scored, "total").as_deref(), Some("Positive screen"));
    assert_eq!(scored.flags, ["pc_ptsd5_positive"]);
    let scored = score_text(pc, "1,1,1,1,1,1");
    assert_eq!(value(pc, &scored, "total"), Some(5.0));
    // Stem "Yes" with an item unanswered: no score.
    let scored = score_text(pc, "yes,yes,yes,yes,-,no");
    assert_eq!(value(pc, &scored, "total"), None);
}

#[test]
fn phq9_item_9_flags_even_when_the_total_is_low() {
    let phq9 = load("phq9");
    let scored = score_text(phq9, "0,0,0,0,0,0,0,0,1");
    assert_eq!(value(phq9, &scored, "total"), Some(1.0));
    assert_eq!(band(phq9, &scored, "total").as_deref(), Some("Minimal"));
    assert_eq!(scored.flags, ["phq9_item9"]);
    for item9 in 1..=3 {
        let scored = score_text(phq9, &format!("3,3,3,3,3,3,3,3,{item9}"));
        assert_eq!(scored.flags, ["phq9_item9"], "item 9 = {item9}");
    }
    let scored = score_text(phq9, "3,3,3,3,3,3,3,3,0");
    assert_eq!(value(phq9, &scored, "total"), Some(24.0));
    assert!(scored.flags.is_empty(), "a high total alone is not the item-9 flag");
}

#[test]
fn safety_rules_fire_exactly_at_their_thresholds() {
    // (instrument, answers, expected flags)
    let table: &[(&str, &str, &[&str])] = &[
        ("who5", "2,2,1,1,1", &["who5_low"]),
        ("who5", "2,2,2,1,1", &[]),
        ("who5", "0,0,0,0,0", &["who5_low"]),
        ("single-item-burnout", "5", &["single_item_burnout_5"]),
        ("single-item-burnout", "4", &[]),
        ("single-item-burnout", "1", &[]),
        ("pc-ptsd-5", "yes,yes,yes,yes,no,no", &["pc_ptsd5_positive"]),
        ("pc-ptsd-5", "yes,yes,yes,no,no,no", &[]),
        ("pc-ptsd-5", "no,-,-,-,-,-", &[]),
        ("phq9", "0,0,0,0,0,0,0,0,0", &[]),
        ("phq9", "0,0,0,0,0,0,0,0,1", &["phq9_item9"]),
        ("gad7", "3,3,3,3,3,3,3", &[]),
        ("phq4", "3,3,3,3", &[]),
        ("cbi", "100,100,100,100,100,100,100,100,100,100,100,100,0,100,100,100,100,100,100", &[]),
    ];
    for &(id, text, flags) in table {
        let instrument = load(id);
        assert_eq!(score_text(instrument, text).flags, flags, "{id} {text}");
    }
    // ProQOL STS: 41 no flag, 42 flag.
    let proqol = load("proqol5");
    let scored = score_items(proqol, &reaching(proqol, "secondary_traumatic_stress", 41));
    assert!(scored.flags.is_empty());
    let scored = score_items(proqol, &reaching(proqol, "secondary_traumatic_stress", 42));
    assert_eq!(scored.flags, ["proqol5_sts_high"]);
    // Every safety rule has a message that says it is not a diagnosis.
    for instrument in all() {
        for rule in &instrument.safety {
            assert!(rule.message.contains("not a diagnosis"), "{}: {}", instrument.id, rule.id);
        }
    }
    let flags: BTreeSet<String> = all().iter().flat_map(|i| i.safety.iter().map(|r| r.id.clone())).collect();
    let expected = ["pc_ptsd5_positive", "phq9_item9", "proqol5_sts_high", "single_item_burnout_5", "who5_low"];
    assert_eq!(flags.iter().map(String::as_str).collect::<Vec<_>>(), expected);
}

// --- answers ------------------------------------------------------------------------------

#[test]
fn answers_that_do_not_fit_name_the_item() {
    let phq9 = load("phq9");
    let error = phq9.parse_answers(&["0"; 8]).unwrap_err();
    assert_eq!(error.to_string(), "expected 9 answers, got 8");
    let error = phq9.parse_answers(&["0", "0", "0", "4", "0", "0", "0", "0", "0"]).unwrap_err();
    assert!(error.to_string().starts_with("item 4: \"4\" is not one of the options"), "{error}");
    let pc = load("pc-ptsd-5");
    let error = pc.parse_answers(&["maybe", "-", "-", "-", "-", "-"]).unwrap_err();
    assert!(error.to_string().starts_with("the first question"), "{error}");
    assert_eq!(pc.parse_answers(&["yes"; 5]).unwrap_err().to_string(), "expected 6 answers, got 5");
    let burnout = load("single-item-burnout");
    assert!(burnout.parse_answers(&["0"]).unwrap_err().to_string().starts_with("item 1:"));
}

// --- placeholders -------------------------------------------------------------------------

#[test]
fn placeholders_render_the_persons_words() {
    let proqol = load("proqol5");
    let words: Words = [("helper".to_owned(), "nurse".to_owned()), ("help".to_owned(), "care for".to_owned())].into();
    assert_eq!(
        proqol.render(&proqol.items[6].text, &words),
        "I find it difficult to separate my personal life from my life as a nurse."
    );
    assert_eq!(proqol.render(&proqol.items[1].text, &words), "I am preoccupied with more than one person I care for.");
    // Nothing chosen: the default word, without brackets.
    assert_eq!(
        proqol.render(&proqol.items[6].text, &Words::new()),
        "I find it difficult to separate my personal life from my life as a helper."
    );
    // Item 20 keeps its unbracketed "help them".
    assert_eq!(
        proqol.render(&proqol.items[19].text, &words),
        "I have happy thoughts and feelings about those I care for and how I could help them."
    );
    assert_eq!(
        proqol.render(&proqol.instructions, &words),
        "When you care for people you have direct contact with their lives. As you may have found, your compassion for those you care for can affect you in positive and negative ways. Below are some questions about your experiences, both positive and negative, as a nurse. Consider each of the following questions about you and your current work situation. Select the number that honestly reflects how frequently you experienced these things in the last 30 days."
    );

    let cbi = load("cbi");
    let words: Words = [("clients".to_owned(), "patients".to_owned())].into();
    assert_eq!(cbi.render(&cbi.items[13].text, &words), "Do you find it hard to work with patients?");
    assert_eq!(cbi.render(&cbi.items[13].text, &Words::new()), "Do you find it hard to work with clients?");
    assert_eq!(cbi.substitutable().map(|p| p.token.as_str()).collect::<Vec<_>>(), ["clients"]);
    // A word for a placeholder the instrument does not have changes nothing.
    let words: Words = [("helper".to_owned(), "nurse".to_owned())].into();
    assert_eq!(cbi.render(&cbi.items[0].text, &words), "How often do you feel tired?");
}

#[test]
fn a_non_substitutable_placeholder_is_not_replaced() {
    let text = BASE
        .replace("token = \"work\"\ndefault = \"work\"", "token = \"work\"\ndefault = \"work\"\nsubstitutable = false");
    let instrument = Instrument::from_toml(&text).unwrap();
    let words: Words = [("work".to_owned(), "shift".to_owned())].into();
    assert_eq!(instrument.render(&instrument.instructions, &words), "Answer about your work.");
    assert_eq!(instrument.substitutable().count(), 0);
    // An undeclared token in text given to `render` is left as it is.
    assert_eq!(instrument.render("a [thing] and [work", &words), "a [thing] and [work");
}

// --- properties ---------------------------------------------------------------------------

/// Complete answers for `instrument`, chosen from `seeds`; the gate (if any) from `gate_seed`.
fn complete(instrument: &Instrument, seeds: &[u16], gate_seed: Option<u16>) -> Answers {
    let items = instrument
        .items
        .iter()
        .zip(seeds.iter().cycle())
        .map(|(item, seed)| {
            let options = &instrument.response_set(item).options;
            Some(options[usize::from(*seed) % options.len()].value)
        })
        .collect();
    let gate = instrument.gate.as_ref().map(|gate| match gate_seed {
        Some(seed) => {
            let options = &instrument.response_sets[gate.response_set].options;
            options[usize::from(seed) % options.len()].value
        }
        None => open_gate(instrument).unwrap(),
    });
    Answers { gate, items }
}

/// The factor one keyed point of an item adds to a scale's value.
fn weight(instrument: &Instrument, scale: usize) -> f64 {
    let scale = &instrument.scales[scale];
    match scale.method {
        Method::Sum => scale.multiply,
        Method::Mean => scale.multiply / scale.items.len() as f64,
    }
}

proptest! {
    #[test]
    fn scale_values_stay_in_range_and_bands_fit(
        which in 0..BUNDLED.len(),
        seeds in prop::collection::vec(any::<u16>(), 1..40),
        gate_seed in any::<u16>(),
    ) {
        let instrument = &all()[which];
        let answers = complete(instrument, &seeds, Some(gate_seed));
        let scored = instrument.score(&answers).unwrap();
        prop_assert!(scored.is_complete());
        for (scale, got) in instrument.scales.iter().zip(&scored.scales) {
            let (low, high) = scale.range(&instrument.items, &instrument.response_sets);
            let v = got.value.unwrap();
            prop_assert!(v >= low && v <= high, "{}.{} = {v} outside {low}–{high}", instrument.id, scale.id);
            prop_assert_eq!(got.band, scale.bands.iter().position(|b| v >= b.min && v <= b.max));
        }
    }

    #[test]
    fn answers_move_scales_in_the_keyed_direction(
        which in 0..BUNDLED.len(),
        seeds in prop::collection::vec(any::<u16>(), 1..40),
        item in any::<prop::sample::Index>(),
    ) {
        let instrument = &all()[which];
        let before = complete(instrument, &seeds, None);
        let i = item.index(instrument.items.len());
        let current = before.items[i].unwrap();
        let higher = instrument.response_set(&instrument.items[i]).options.iter().map(|o| o.value).filter(|v| *v > current).min();
        prop_assume!(higher.is_some());
        let mut after = before.clone();
        after.items[i] = higher;
        let (old, new) = (instrument.score(&before).unwrap(), instrument.score(&after).unwrap());
        for (s, scale) in instrument.scales.iter().enumerate() {
            let (a, b) = (old.scales[s].value.unwrap(), new.scales[s].value.unwrap());
            if !scale.items.contains(&i) {
                prop_assert_eq!(a, b);
            } else if instrument.items[i].reverse {
                prop_assert!(b < a, "{}.{}: raising reversed item {} went {a} → {b}", instrument.id, scale.id, i + 1);
            } else {
                prop_assert!(b > a, "{}.{}: raising item {} went {a} → {b}", instrument.id, scale.id, i + 1);
            }
        }
    }

    #[test]
    fn keying_maps_lowest_to_highest(
        which in 0..BUNDLED.len(),
        seeds in prop::collection::vec(any::<u16>(), 1..40),
        item in any::<prop::sample::Index>(),
    ) {
        let instrument = &all()[which];
        let i = item.index(instrument.items.len());
        let set = instrument.response_set(&instrument.items[i]);
        let mut lowest = complete(instrument, &seeds, None);
        lowest.items[i] = Some(set.min());
        let mut highest = lowest.clone();
        highest.items[i] = Some(set.max());
        let (low, high) = (instrument.score(&lowest).unwrap(), instrument.score(&highest).unwrap());
        let span = f64::from(set.max() - set.min());
        for (s, scale) in instrument.scales.iter().enumerate().filter(|(_, scale)| scale.items.contains(&i)) {
            // A reversed item's lowest answer counts as the highest, and the other way round.
            let sign = if instrument.items[i].reverse { -1.0 } else { 1.0 };
            let moved = high.scales[s].value.unwrap() - low.scales[s].value.unwrap();
            prop_assert!((moved - sign * span * weight(instrument, s)).abs() < 1e-9, "{}.{} item {}", instrument.id, scale.id, i + 1);
        }
    }

    #[test]
    fn scoring_is_deterministic(
        which in 0..BUNDLED.len(),
        seeds in prop::collection::vec(any::<u16>(), 1..40),
        gate_seed in any::<u16>(),
        gaps in prop::collection::vec(any::<bool>(), 1..40),
    ) {
        let instrument = &all()[which];
        let mut answers = complete(instrument, &seeds, Some(gate_seed));
        for (answer, gap) in answers.items.iter_mut().zip(gaps.iter().cycle()) {
            if *gap {
                *answer = None;
            }
        }
        let first = instrument.score(&answers).unwrap();
        let reloaded = Instrument::from_toml(BUNDLED[which].text).unwrap();
        prop_assert_eq!(&first, &instrument.score(&answers).unwrap());
        prop_assert_eq!(&first, &reloaded.score(&answers).unwrap());
    }
}

// --- definition checks --------------------------------------------------------------------

const BASE: &str = r#"
id = "test"
version = "1"
title = "Test"
short_title = "Test"
purpose = "A test."
minutes = 1
recall_period = "now"
citation = "Nobody (2025)."
instructions = "Answer about your [work]."

[licence]
terms = "Test terms."
attribution = "Test attribution."

[[placeholders]]
token = "work"
default = "work"

[[response_sets]]
id = "likert"
options = [{ value = 0, label = "No" }, { value = 1, label = "Some" }, { value = 2, label = "Yes" }]

[[items]]
text = "One"
response_set = "likert"

[[items]]
text = "Two"
response_set = "likert"

[[scales]]
id = "total"
title = "Total"
items = ["1", "2"]
method = "sum"
higher_is_harder = true
about = "A total."

[[scales.bands]]
min = 0
max = 1
label = "Low"
interpretation = "Low."

[[scales.bands]]
min = 2
max = 4
label = "High"
interpretation = "High."

[[safety]]
id = "test_high"
scale = "total"
min = 4
message = "Support."
"#;

/// Replaces `from` (which must occur in BASE) and returns the error.
fn broken(from: &str, to: &str) -> (String, String) {
    assert!(BASE.contains(from), "{from:?} is not in BASE");
    let error = Instrument::from_toml(&BASE.replacen(from, to, 1)).expect_err(to);
    (error.field, error.problem)
}

#[test]
fn the_base_definition_is_valid() {
    let instrument = Instrument::from_toml(BASE).unwrap();
    assert_eq!(instrument.items.len(), 2);
    assert_eq!(instrument.scales[0].min_answered, 2, "a scale needs every item unless it says otherwise");
}

#[test]
fn broken_definitions_name_the_field() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (replace, with, field, words in the problem)
        (
            "text = \"Two\"\nresponse_set = \"likert\"",
            "text = \"Two\"\nresponse_set = \"likret\"",
            "items[1].response_set",
            "likret",
        ),
        ("min = 2\nmax = 4", "min = 2\nmax = 5", "scales[0].bands[1]", "outside the scale's range 0–4"),
        ("min = 2\nmax = 4", "min = -1\nmax = 4", "scales[0].bands[1]", "outside"),
        ("min = 2\nmax = 4", "min = 1\nmax = 4", "scales[0].bands[1]", "overlaps"),
        ("min = 2\nmax = 4", "min = 3\nmax = 2", "scales[0].bands[1]", "min is above max"),
        ("text = \"One\"", "text = \"One [helper]\"", "items[0].text", "[helper]"),
        (
            "instructions = \"Answer about your [work].\"",
            "instructions = \"Answer about your [job].\"",
            "instructions",
            "[job]",
        ),
        (
            "about = \"A total.\"",
            "about = \"A total.\"\nmin_answered = 1",
            "scales[0].min_answered",
            "a sum needs every item",
        ),
        ("about = \"A total.\"", "about = \"A total.\"\nmin_answered = 3", "scales[0].min_answered", "between 1 and 2"),
        ("items = [\"1\", \"2\"]", "items = [\"1\", \"3\"]", "scales[0].items", "\"3\""),
        ("items = [\"1\", \"2\"]", "items = [\"1\", \"1\"]", "scales[0].items", "twice"),
        ("id = \"test\"", "id = \"Test Instrument\"", "id", "not a valid id"),
        ("minutes = 1", "minutes = 0", "minutes", "between 1 and 120"),
        ("title = \"Test\"", "title = \" \"", "title", "must not be empty"),
        ("attribution = \"Test attribution.\"", "attribution = \"\"", "licence.attribution", "must not be empty"),
        (
            "interpretation = \"Low.\"",
            "interpretation = \"\"",
            "scales[0].bands[0].interpretation",
            "must not be empty",
        ),
        (
            "{ value = 2, label = \"Yes\" }",
            "{ value = 1, label = \"Yes\" }",
            "response_sets[0].options[2].value",
            "used twice",
        ),
        ("scale = \"total\"", "scale = \"totl\"", "safety[0].scale", "totl"),
        ("scale = \"total\"", "scale = \"total\"\nitem = \"1\"", "safety[0]", "exactly one"),
        ("min = 4\nmessage", "min = 5\nmessage", "safety[0]", "can never fire"),
        ("min = 4\nmessage", "min = 3\nmax = 1\nmessage", "safety[0]", "can never fire"),
        ("min = 4\nmessage", "message", "safety[0]", "needs `min`, `max` or both"),
        ("about = \"A total.\"", "about = \"A total.\"\nmultiply = 0", "scales[0].multiply", "positive"),
    ];
    for &(from, to, field, words) in cases {
        let (got_field, problem) = broken(from, to);
        assert_eq!(got_field, field, "{to}: {problem}");
        assert!(problem.contains(words), "{to}: {problem}");
    }
}

#[test]
fn unknown_fields_are_named() {
    for (from, to, name) in [
        ("text = \"One\"", "text = \"One\"\ncolour = \"red\"", "colour"),
        ("minutes = 1", "minutes = 1\nauthor = \"x\"", "author"),
        ("label = \"Low\"", "label = \"Low\"\ncolor = \"red\"", "color"),
        ("terms = \"Test terms.\"", "terms = \"Test terms.\"\nlicense = \"MIT\"", "license"),
    ] {
        let (field, problem) = broken(from, to);
        assert!(problem.contains(&format!("unknown field `{name}`")), "{field}: {problem}");
        // The parser reports a position; the field shows the line it is on.
        assert!(field.starts_with("line ") && field.contains(name), "{field}: {problem}");
    }
    let (field, problem) = broken("method = \"sum\"", "method = \"median\"");
    assert!(problem.contains("median") && field.contains("method"), "{field}: {problem}");
    let (field, problem) = broken("minutes = 1", "minutes = \"five\"");
    assert_eq!(field, "line 7 `minutes = \"five\"`", "{problem}");
    let (_, problem) = broken("[licence]\n", "");
    assert!(problem.contains("licence") || problem.contains("terms"), "{problem}");
}

#[test]
fn a_gate_must_close_on_one_of_its_options() {
    let gate = "[gate]\ntext = \"Did it happen?\"\nresponse_set = \"likert\"\nclosed_value = 7\n\n[[items]]";
    let (field, problem) = broken("[[items]]", gate);
    assert_eq!(field, "gate.closed_value", "{problem}");
    let (field, _) = broken("[[items]]", &gate.replace("likert\"", "yes_no\""));
    assert_eq!(field, "gate.response_set");
}

#[test]
fn duplicate_safety_ids_are_refused() {
    let twice = "[[safety]]\nid = \"test_high\"\nitem = \"2\"\nmin = 2\nmessage = \"Support.\"\n";
    let text = format!("{BASE}\n{twice}");
    let error = Instrument::from_toml(&text).unwrap_err();
    assert_eq!(error.field, "safety[1].id", "{error}");
}
