//! The warm-up check: has the line settled by the end of the warm-up?
//!
//! Each replication records its WIP in equal time bins over the whole run.
//! The bins of the measured period are grouped into batches: one week each
//! when the model works to a weekly calendar (shifts, or a plant closed
//! at nights or weekends), so that the weekly
//! rhythm is not mistaken for a transient, else five bins (MSER-5). On the
//! batch means averaged over replications, MSER (White 1997) chooses the
//! truncation point d that minimises the standard error of the mean of the
//! batches after it. d = 0 means the measured period needs no truncation.
//! Otherwise the difference between the first d batches and the rest is
//! tested across replications (independent, so a paired t test is exact
//! whatever the autocorrelation within a replication). With four
//! replications or more, d is chosen on the even-numbered replications and
//! tested on the odd-numbered ones, so that the test does not reuse the data
//! that chose where to cut (which would make it significant too often):
//! a line whose first
//! batches differ at the 1 % level (and by 2 % of the mean or more) has not
//! settled, and the warning suggests a warm-up that covers them. With one
//! replication the batches themselves are compared (Welch), at the 0.1 %
//! level since they are correlated.

use crate::engine::ReplicationResult;
use crate::model::{Model, RunSettings, MIN_PER_H, WEEK_MIN};
use crate::scenario::Warning;
use crate::stats;

/// Batch length without a weekly calendar, bins (MSER-5).
const MSER_BATCH: usize = 5;
/// Fewest batches the check needs.
const MIN_BATCHES: usize = 4;
/// Significance level of the test of the first batches against the rest.
const ALPHA: f64 = 0.01;
/// The level with one replication, whose batches are not independent.
const ALPHA_ONE_REPLICATION: f64 = 0.001;
/// Replications from which the cut is chosen on half of them and tested on
/// the other half.
const SPLIT_FROM: usize = 4;
/// A difference smaller than this share of the settled mean is no
/// transient worth a warning, however significant.
const MATERIAL: f64 = 0.02;

/// What the check found for one variant.
#[derive(Clone, Debug, PartialEq)]
pub struct WarmupCheck {
    /// Measured time that MSER would cut, minutes (0: settled).
    pub cut_min: f64,
    /// Mean WIP over the cut part and over the rest.
    pub wip_before: f64,
    pub wip_after: f64,
    /// p-value of the difference: across replications, or with one
    /// replication between its batches (`None` when not tested).
    pub p_value: Option<f64>,
    /// Whether the line is judged not to have settled.
    pub unsettled: bool,
}

/// Whether a model works to a weekly calendar: crews on shifts, or a plant
/// closed in weekly windows (nights, weekends). Holidays alone are no
/// rhythm: they come once.
fn weekly(model: &Model) -> bool {
    model.pools.iter().any(|p| p.shifts.is_some())
        || model
            .calendar
            .as_ref()
            .is_some_and(|c| !c.closed.is_empty())
}

/// Checks one variant's replications.
pub fn check(model: &Model, run: &RunSettings, reps: &[ReplicationResult]) -> Option<WarmupCheck> {
    let first = reps.first()?;
    let bin = first.wip_bin_min;
    if bin <= 0.0 {
        return None;
    }
    // The first bin that starts at or after the end of the warm-up.
    let start = (run.warmup_min / bin - 1e-9).ceil().max(0.0) as usize;
    let measured = first.wip_series.len().saturating_sub(start);
    let week_bins = (WEEK_MIN / bin).round() as usize;
    let batch = if weekly(model) && week_bins >= 1 && measured / week_bins >= MIN_BATCHES {
        week_bins
    } else {
        MSER_BATCH
    };
    let k = measured / batch;
    if k < MIN_BATCHES {
        return None;
    }
    let batches = |r: &ReplicationResult| -> Vec<f64> {
        (0..k)
            .map(|b| {
                let from = start + b * batch;
                r.wip_series[from..from + batch].iter().sum::<f64>() / batch as f64
            })
            .collect()
    };
    let per_rep: Vec<Vec<f64>> = reps.iter().map(batches).collect();
    Some(judge(&per_rep, k, batch, bin))
}

/// The verdict on `k` batch means of each replication, batches of `batch`
/// bins of `bin` minutes.
fn judge(per_rep: &[Vec<f64>], k: usize, batch: usize, bin: f64) -> WarmupCheck {
    let mean_of = |reps: &[&Vec<f64>]| -> Vec<f64> {
        (0..k)
            .map(|b| reps.iter().map(|v| v[b]).sum::<f64>() / reps.len() as f64)
            .collect()
    };
    let all: Vec<&Vec<f64>> = per_rep.iter().collect();
    // With four replications or more, the cut is chosen on one half and
    // tested on the other: a cut chosen where the data differ most, then
    // tested on the same data, would be "significant" too often.
    let (choose, test): (Vec<&Vec<f64>>, Vec<&Vec<f64>>) = if per_rep.len() >= SPLIT_FROM {
        (
            all.iter().copied().step_by(2).collect(),
            all.iter().copied().skip(1).step_by(2).collect(),
        )
    } else {
        (all.clone(), all.clone())
    };
    let d = mser(&mean_of(&choose));
    let split = |v: &[f64]| -> (f64, f64) {
        let before = v[..d].iter().sum::<f64>() / d.max(1) as f64;
        let after = v[d..].iter().sum::<f64>() / (k - d) as f64;
        (before, after)
    };
    let tested = mean_of(&test);
    let (wip_before, wip_after) = split(&tested);
    let mut check = WarmupCheck {
        cut_min: (d * batch) as f64 * bin,
        wip_before,
        wip_after,
        p_value: None,
        unsettled: false,
    };
    if d == 0 {
        return check;
    }
    let material = (wip_before - wip_after).abs() > MATERIAL * wip_after.abs().max(1e-9);
    let (p_value, level) = if test.len() >= 2 {
        let differences: Vec<f64> = test
            .iter()
            .map(|v| {
                let (before, after) = split(v);
                before - after
            })
            .collect();
        (paired_p_value(&differences), ALPHA)
    } else {
        // One replication: the batches themselves are the observations.
        // They are correlated, so the test is stricter.
        (
            welch_p_value(&tested[..d], &tested[d..]),
            ALPHA_ONE_REPLICATION,
        )
    };
    check.p_value = p_value;
    check.unsettled = material && p_value.is_some_and(|p| p < level);
    check
}

/// MSER's truncation point over the first half of `values`: the d that
/// minimises Σ_{i>d} (x_i − mean_d)² / (n − d)².
fn mser(values: &[f64]) -> usize {
    let n = values.len();
    let mut best = (f64::INFINITY, 0);
    for d in 0..=n / 2 {
        let rest = &values[d..];
        let m = rest.iter().sum::<f64>() / rest.len() as f64;
        let ss: f64 = rest.iter().map(|x| (x - m).powi(2)).sum();
        let score = ss / (rest.len() as f64).powi(2);
        if score < best.0 {
            best = (score, d);
        }
    }
    best.1
}

/// Two-sided p-value of a t test that the mean of `differences` is 0
/// (`None` with fewer than two).
fn paired_p_value(differences: &[f64]) -> Option<f64> {
    let n = differences.len();
    if n < 2 {
        return None;
    }
    let mean = differences.iter().sum::<f64>() / n as f64;
    let var = differences.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    if var <= 0.0 {
        return Some(if mean == 0.0 { 1.0 } else { 0.0 });
    }
    let t = mean / (var / n as f64).sqrt();
    Some(stats::t_two_sided_p(t, n - 1))
}

/// Two-sided p-value of Welch's test that two samples have the same mean
/// (`None` when either has fewer than two values).
fn welch_p_value(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let moments = |x: &[f64]| {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
        (n, m, v)
    };
    let ((na, ma, va), (nb, mb, vb)) = (moments(a), moments(b));
    let se2 = va / na + vb / nb;
    if se2 <= 0.0 {
        return Some(if ma == mb { 1.0 } else { 0.0 });
    }
    let df = se2.powi(2) / ((va / na).powi(2) / (na - 1.0) + (vb / nb).powi(2) / (nb - 1.0));
    let t = (ma - mb) / se2.sqrt();
    Some(stats::t_two_sided_p(t, (df.floor() as usize).max(1)))
}

/// The warning for a variant whose line has not settled, with a warm-up
/// that covers the transient (rounded up to whole hours or days); for a
/// line whose source releases more than it can work (`overloaded`), that
/// no warm-up settles it.
pub fn warning(
    variant: &str,
    run: &RunSettings,
    check: &WarmupCheck,
    overloaded: bool,
) -> Option<Warning> {
    if !check.unsettled {
        return None;
    }
    if overloaded {
        return Some(Warning {
            key_path: "scenario.warmup".to_owned(),
            ..Warning::general(format!(
                "variant \"{variant}\": the WIP grows through the measured period (mean {:.1} over its first {}, {:.1} after): the source releases more than the line can work, so no warm-up lets it settle, and its WIP, lead time and queue figures grow with the horizon",
                check.wip_before,
                hours(check.cut_min),
                check.wip_after
            ))
        });
    }
    let suggested = nice_duration(run.warmup_min + check.cut_min);
    let p = check
        .p_value
        .map_or(String::new(), |p| format!(", p = {p:.1e}"));
    Some(Warning {
        key_path: "scenario.warmup".to_owned(),
        ..Warning::general(format!(
            "variant \"{variant}\": the line has not settled by the end of the warm-up ({}): mean WIP is {:.1} over the first {} of the measured period and {:.1} after{p}; try warmup = \"{suggested}\"",
            hours(run.warmup_min),
            check.wip_before,
            hours(check.cut_min),
            check.wip_after
        ))
    })
}

fn hours(minutes: f64) -> String {
    let h = minutes / MIN_PER_H;
    if h >= 48.0 {
        format!("{:.1} d", h / 24.0)
    } else {
        format!("{h:.1} h")
    }
}

/// A duration of at least `minutes`, written in whole hours (up to two
/// days) or whole days.
fn nice_duration(minutes: f64) -> String {
    let h = (minutes / MIN_PER_H).ceil().max(1.0);
    if h <= 48.0 {
        format!("{h:.0}h")
    } else {
        format!("{:.0}d", (h / 24.0).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mser_cuts_a_ramp_and_not_a_flat_series() {
        let ramp: Vec<f64> = (0..40).map(|i| (i.min(10) as f64) * 10.0).collect();
        assert!((9..=11).contains(&mser(&ramp)), "{}", mser(&ramp));
        let flat = vec![5.0; 40];
        assert_eq!(mser(&flat), 0);
    }

    #[test]
    fn suggested_warmups_are_round() {
        assert_eq!(nice_duration(61.0), "2h");
        assert_eq!(nice_duration(50.0 * 60.0), "3d");
    }
}
