//! Money: a year's contribution, labour, energy and cash, and the business
//! case of a variant (NPV, payback), checked by hand on deterministic
//! lines, where every figure is known exactly.

use crate::common::{errors, run, scenario};

/// One machine of `process` minutes, two operators on one 8-hour shift on
/// weekdays who cost 30 an hour (not needed by the machine), and a change
/// that halves the processing time for a capex of 1 million and 10 000 a
/// year; `economics` is the `[economics]` table's body.
fn line(economics: &str) -> String {
    format!(
        r#"
[scenario]
name = "money"
horizon = "7d"
replications = 2

[economics]
{economics}

[energy]
price_per_kwh = 0.5

[[products]]
name = "p"
route = ["m"]

[[pools]]
name = "ops"
size = 2
cost_per_h = 30
shifts = [ {{ days = "mon-fri", start = "06:00", end = "14:00" }} ]

[[stations]]
name = "m"
process = {{ dist = "deterministic", value = 1 }}
energy = {{ busy_kw = 6, idle_kw = 6 }}

[[changes]]
name = "faster"
capex = 1e6
opex_per_year = 1e4
stations.m = {{ process = {{ dist = "deterministic", value = 0.5 }} }}
"#
    )
}

#[test]
fn a_year_of_a_deterministic_line_and_its_business_case_by_hand() {
    let s = scenario(&line(
        "margin_per_part = 2.0\ndemand_per_year = 800000\nweeks_per_year = 50\nyears = 5\ndiscount_rate = 0.1",
    ));
    let (summary, _) = run(&s, 2);
    // Baseline: 60 parts an hour, 168 hours a week, 50 weeks: 504 000 a
    // year, all sold; labour 2 people × 40 h × 50 weeks × 30 = 120 000;
    // energy 6 kW × 168 h × 50 × 0.5 = 25 200.
    let base = summary.variants[0].economics.as_ref().unwrap();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.abs().max(1.0);
    assert!(close(base.good_parts_per_year.mean, 504_000.0));
    assert!(close(base.sold_parts_per_year.mean, 504_000.0));
    assert!(close(base.contribution_per_year.mean, 1_008_000.0));
    assert!(close(base.labour_cost_per_year.mean, 120_000.0));
    assert!(close(base.energy_cost_per_year.mean, 25_200.0));
    assert!(close(
        base.cash_per_year.mean,
        1_008_000.0 - 120_000.0 - 25_200.0
    ));
    assert!(!base.demand_capped);
    // The change doubles the output to 1 008 000 a year, of which the
    // market takes 800 000; opex 10 000; the same energy.
    let fast = summary.variants[1].economics.as_ref().unwrap();
    assert!(fast.demand_capped);
    assert!(close(fast.sold_parts_per_year.mean, 800_000.0));
    let gain = (800_000.0 - 504_000.0) * 2.0 - 10_000.0;
    let case = summary.comparisons[0].economics.as_ref().unwrap();
    assert!(close(case.cash_gain_per_year.mean, gain));
    // NPV with the annuity formula; payback capex / gain.
    let annuity = (1.0 - 1.1f64.powi(-5)) / 0.1;
    assert!(close(case.npv.mean, -1e6 + gain * annuity));
    assert!(close(case.payback_years.as_ref().unwrap().mean, 1e6 / gain));
    assert!(close(
        fast.cost_per_good_part.mean,
        (120_000.0 + 25_200.0 + 10_000.0) / 1_008_000.0
    ));
}

#[test]
fn a_change_that_loses_money_never_pays_back() {
    // A margin of 0.01: the doubled output does not pay the opex.
    let s = scenario(&line("margin_per_part = 0.01\nyears = 3"));
    let (summary, _) = run(&s, 1);
    let case = summary.comparisons[0].economics.as_ref().unwrap();
    let gain = 504_000.0 * 52.0 / 50.0 * 0.01 - 10_000.0;
    assert!((case.cash_gain_per_year.mean - gain).abs() < 1e-6);
    assert!(case.payback_years.is_none());
    // Undiscounted: the NPV is capex back against three years of gain.
    assert!((case.npv.mean - (-1e6 + 3.0 * gain)).abs() < 1e-3);
}

#[test]
fn the_demand_cap_scales_every_product_in_proportion() {
    // Two products in the mix 3:1 on one 1-minute machine: 378 000 and
    // 126 000 a year in 50 weeks; a demand of 252 000 sells half of each.
    let text = line("margin_by_product = { a = 4.0, b = 10.0 }\ndemand_per_year = 252000\nweeks_per_year = 50")
        .replace(
            "[[products]]\nname = \"p\"\nroute = [\"m\"]",
            "[[products]]\nname = \"a\"\nmix = 3\nroute = [\"m\"]\n\n[[products]]\nname = \"b\"\nroute = [\"m\"]\n\n[source]\nlot_size = 1",
        );
    let s = scenario(&text);
    let (summary, _) = run(&s, 1);
    let base = summary.variants[0].economics.as_ref().unwrap();
    assert!((base.sold_parts_per_year.mean - 252_000.0).abs() < 1e-6);
    let contribution = 0.5 * (378_000.0 * 4.0 + 126_000.0 * 10.0);
    assert!(
        (base.contribution_per_year.mean - contribution).abs() < 1e-3,
        "{}",
        base.contribution_per_year.mean
    );
}

#[test]
fn operator_utilisation_and_hours_per_part_by_hand() {
    // One machine of 1 min, its operator held for the whole operation, a
    // pool of 2 around the clock: one of the two is held all the time.
    let text = r#"
[scenario]
name = "crew"
horizon = "10h"
replications = 1

[[products]]
name = "p"
route = ["m"]

[[pools]]
name = "ops"
size = 2

[[stations]]
name = "m"
process = { dist = "deterministic", value = 1 }
operators = { pool = "ops" }
"#;
    let (summary, _) = run(&scenario(text), 1);
    let pool = &summary.variants[0].pools[0];
    assert!(
        (pool.utilisation - 0.5).abs() < 1e-12,
        "{}",
        pool.utilisation
    );
    assert!((pool.operator_hours_per_good_part - 1.0 / 60.0).abs() < 1e-12);
}

#[test]
fn bad_economics_give_clear_errors() {
    for (economics, expected) in [
        (
            "years = 8",
            "economics.margin_per_part: no margin for product \"p\"",
        ),
        (
            "margin_per_part = 1\ndiscount_rate = 8",
            "economics.discount_rate: expected a yearly rate from 0 to below 1",
        ),
        (
            "margin_by_product = { q = 1 }",
            "economics.margin_by_product.q: unknown product \"q\"",
        ),
        (
            "margin_per_part = 1\nweeks_per_year = 60",
            "economics.weeks_per_year: expected a number of weeks",
        ),
        (
            "margin_per_part = 1\nyear = 8",
            "economics.year: unknown key \"year\" (did you mean \"years\"?)",
        ),
    ] {
        let text = errors(&line(economics));
        assert!(text.contains(expected), "{economics}:\n{text}");
    }
    let text = errors(&line("margin_per_part = 1").replace("cost_per_h = 30", "cost_per_h = -30"));
    assert!(
        text.contains("pools[0].cost_per_h: expected a number >= 0, got -30"),
        "{text}"
    );
}

#[test]
fn attribution_splits_the_npv_among_the_changes() {
    // Two changes on the by-hand line: the second halves the processing
    // time again. Their Shapley NPV shares add up to the variant's NPV,
    // which equals the run's NPV of the same variant.
    let text = line("margin_per_part = 2.0\nweeks_per_year = 50\nyears = 5\ndiscount_rate = 0.1")
        + r#"
[[changes]]
name = "fastest"
capex = 5e5
stations.m = { process = { dist = "deterministic", value = 0.25 } }

[[variants]]
name = "both"
changes = ["faster", "fastest"]
"#;
    let s = scenario(&text);
    let a = alloysim::attribution::attribute(&s, 1, Some(2), &|| {}).unwrap();
    let total = a.npv.unwrap().mean;
    let shares: f64 = a.changes.iter().map(|c| c.npv.unwrap().mean).sum();
    assert!(
        (shares - total).abs() < 1e-6 * total.abs(),
        "{shares} vs {total}"
    );
    let (summary, _) = run(&s, 2);
    let npv = summary.comparisons[0].economics.as_ref().unwrap().npv.mean;
    assert!((npv - total).abs() < 1e-6 * total.abs(), "{npv} vs {total}");
}

/// The warnings of a scenario text that mention `part`, as printed.
fn warnings_about(text: &str, part: &str) -> Vec<String> {
    crate::common::warnings_containing(&scenario(text).warnings(), part)
}

/// With `[economics]`, a pool that works without a `cost_per_h` and energy
/// without a price are costs the business case cannot count: each gets a
/// warning where it is written, and counts as 0 (the same line's labour
/// is 120 000 a year with the price of an hour, its energy 25 200).
#[test]
fn costs_the_business_case_cannot_count_are_warned_about() {
    let economics = "margin_per_part = 2.0\nweeks_per_year = 50";
    let costed = line(economics).replace(
        "energy = {",
        "operators = { pool = \"ops\", count = 1, for = \"setup\" }\nenergy = {",
    );
    assert!(warnings_about(&costed, "[economics] is given").is_empty());
    // The pool's people are not costed: labour 0.
    let unpaid = costed.replace("cost_per_h = 30\n", "");
    assert_eq!(
        warnings_about(&unpaid, "[economics] is given"),
        vec![
            "test.toml:19:8: pools[0].name: [economics] is given, but pool \"ops\" has no \
             cost_per_h: its paid hours count as no labour cost, so a change that shrinks its \
             crew saves nothing and a shift added to it costs nothing; give the cost of a paid \
             operator-hour"
        ]
    );
    let (summary, _) = run(&scenario(&unpaid), 1);
    let base = summary.variants[0].economics.as_ref().unwrap();
    assert_eq!(base.labour_cost_per_year.mean, 0.0);
    // No energy price: energy 0.
    let unpriced = costed.replace("[energy]\nprice_per_kwh = 0.5\n", "");
    let w = warnings_about(&unpriced, "[economics] is given");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("economics: [economics] is given and stations draw energy, but [energy] has no price_per_kwh"));
    let (summary, _) = run(&scenario(&unpriced), 1);
    let base = summary.variants[0].economics.as_ref().unwrap();
    assert_eq!(base.energy_cost_per_year.mean, 0.0);
    // A pool a change adds is told where the change adds it.
    let added = costed.replace(
        "stations.m = {",
        "new_pools = [ { name = \"robots\", size = 1 } ]\nstations.m = { operators = { pool = \"robots\", count = 1, for = \"setup\" },",
    );
    let w = warnings_about(&added, "[economics] is given");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("changes[0].new_pools[0].name: [economics] is given, but pool \"robots\""),
        "{}",
        w[0]
    );
    // Without [economics] there is no business case to warn about.
    let no_money = unpaid.replace(&format!("[economics]\n{economics}\n"), "");
    assert!(warnings_about(&no_money, "cost_per_h").is_empty());
}
