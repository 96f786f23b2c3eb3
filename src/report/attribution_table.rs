//! The terminal table of an attribution.

use super::table::money_with_ci;
use crate::attribution::{Attribution, Interaction};

fn with_ci(e: &crate::stats::Estimate) -> String {
    match e.half_width() {
        Some(h) => format!("{:+.2} ± {h:.2}", e.mean),
        None => format!("{:+.2}", e.mean),
    }
}

/// The attribution's table: changes by Shapley value, then the largest
/// interactions.
pub fn text(a: &Attribution) -> String {
    let mut out = format!(
        "variant {}: {:.2} -> {:.2} good parts/h, gain {} ({}, {} replications each)\n",
        a.variant,
        a.baseline_per_h.mean,
        a.variant_per_h.mean,
        with_ci(&a.gain_per_h),
        a.method,
        a.replications
    );
    let named = |(station, share): &(String, f64)| {
        if station.is_empty() {
            "none".to_owned()
        } else {
            format!("{station} ({:.0} % of the time)", share * 100.0)
        }
    };
    out += &format!(
        "  main bottleneck: {} in the baseline, {} with all changes\n",
        named(&a.baseline_bottleneck),
        named(&a.variant_bottleneck)
    );
    let mut order: Vec<usize> = (0..a.changes.len()).collect();
    order.sort_by(|&x, &y| {
        a.changes[y]
            .shapley
            .mean
            .total_cmp(&a.changes[x].shapley.mean)
    });
    out += &format!(
        "  {:<28} {:>18} {:>12} {:>12} {:>16}\n",
        "change (by Shapley value)",
        "Shapley, parts/h",
        "main effect",
        "capex (M)",
        "parts/h per M"
    );
    for &i in &order {
        let c = &a.changes[i];
        out += &format!(
            "  {:<28} {:>18} {:>12} {:>12} {:>16}\n",
            c.name,
            with_ci(&c.shapley),
            c.main_effect.map_or("-".to_owned(), |m| format!("{m:+.2}")),
            c.capex
                .map_or("-".to_owned(), |c| format!("{:.2}", c / 1e6)),
            c.gain_per_million
                .map_or("-".to_owned(), |g| format!("{g:.2}"))
        );
    }
    if let Some(npv) = &a.npv {
        out += &format!(
            "  NPV over the baseline {}, by change (Shapley values, capex included):\n",
            money_with_ci(npv)
        );
        for &i in &order {
            let c = &a.changes[i];
            if let Some(share) = &c.npv {
                out += &format!("    {:<26} {:>20}\n", c.name, money_with_ci(share));
            }
        }
    }
    if !a.interactions.is_empty() {
        out += "  largest two-factor interactions:\n";
        let mut inter: Vec<&Interaction> = a.interactions.iter().collect();
        inter.sort_by(|x, y| y.effect.abs().total_cmp(&x.effect.abs()));
        for i in inter.iter().take(5) {
            out += &format!("    {} x {}: {:+.2}\n", i.first, i.second, i.effect);
        }
    }
    out
}
