//! The warm-up check: has the line settled by the end of the warm-up?
//!
//! Each replication records its WIP in equal time bins over the whole run.
//! The measured period is grouped into batches: where the model works to a
//! calendar (crews on shifts, or a plant closed at set hours or days),
//! batches of whole periods of it from the end of the warm-up (a day where
//! every day is alike, else a week; as many to a batch as make five bins at
//! least), so that its rhythm (the queue of a night or a weekend worked off
//! when the plant opens) is not mistaken for a transient; else five bins
//! (MSER-5). On the batch means averaged over replications, MSER (White
//! 1997) chooses the truncation point d that minimises the standard error
//! of the mean of the batches after it; with only two or three batches it
//! is 1, the first against the rest. d = 0 means the measured period needs
//! no truncation. Otherwise the difference between the first d batches and the
//! rest is tested across replications (independent, so a paired t test is
//! exact whatever the autocorrelation within a replication). With four
//! replications or more, d is chosen on the even-numbered replications and
//! tested on the odd-numbered ones, so that the test does not reuse the
//! data that chose where to cut (which would make it significant too
//! often): a line whose first batches differ at the 1 % level (and by 2 %
//! of the mean or more) has not settled, and the warning suggests a warm-up
//! that covers them. With one replication the batches themselves are
//! compared (Welch), at the 0.1 % level since they are correlated.

use crate::engine::ReplicationResult;
use crate::model::{Model, RunSettings, MIN_PER_DAY, MIN_PER_H};
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
/// the other half: each half then has four at least, enough for the
/// paired test to find a transient (with halves of two, a queue of 300
/// parts draining for 25 of 48 measured hours passed as settled in 8 of
/// 10 seeds); with fewer, the cut is chosen and tested on all of them.
const SPLIT_FROM: usize = 8;
/// Below this many replications tested, each is also tested alone.
const EACH_BELOW: usize = 4;
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

/// Checks one variant's replications.
pub fn check(model: &Model, run: &RunSettings, reps: &[ReplicationResult]) -> Option<WarmupCheck> {
    let first = reps.first()?;
    let bin = first.wip_bin_min;
    if bin <= 0.0 {
        return None;
    }
    let Some(period) = model.rhythm_min() else {
        return mser_5(run, reps, bin);
    };
    // Batches of whole periods from the end of the warm-up, each averaging
    // the bins it covers by their overlap (the WIP taken as constant within
    // a bin), so that every batch holds as many of each hour of the day or
    // week as the others; as many periods a batch as make five bins at
    // least (a long run's bins may span days).
    let batch = calendar_batch(period, bin);
    let end = first.wip_series.len() as f64 * bin;
    let k = ((end - run.warmup_min) / batch + 1e-9).floor().max(0.0) as usize;
    if k < 2 {
        // Less than two batches: nothing to compare the first with.
        return None;
    }
    let batches = |r: &ReplicationResult| -> Vec<f64> {
        (0..k)
            .map(|b| {
                let from = run.warmup_min + b as f64 * batch;
                window_mean(&r.wip_series, bin, from, from + batch)
            })
            .collect()
    };
    let per_rep: Vec<Vec<f64>> = reps.iter().map(batches).collect();
    // With four batches or more MSER chooses the cut; with two or three it
    // would cut one batch whatever the data, so the first is tested
    // against the rest on every replication.
    let cut = (k < MIN_BATCHES).then_some(1);
    Some(judge(&per_rep, k, batch, cut))
}

/// A batch of the check under a calendar of `period` minutes, with time
/// bins of `bin`: as many whole periods as make five bins at least.
fn calendar_batch(period: f64, bin: f64) -> f64 {
    period * (MSER_BATCH as f64 * bin / period - 1e-9).ceil().max(1.0)
}

/// The warning for the variants (`names`, all of one model's kind) whose
/// check [`check`] could not make: the measured period is too short to
/// hold the batches it compares, so a start-up transient may be left in
/// the figures unseen.
pub fn unchecked_warning(names: &[&str], model: &Model, run: &RunSettings, bin: f64) -> Warning {
    let which = match names {
        [one] => format!("variant \"{one}\""),
        [rest @ .., last] => format!(
            "variants {} and \"{last}\"",
            rest.iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [] => String::new(),
    };
    let why = match model.rhythm_min() {
        Some(period) => {
            let batch = calendar_batch(period, bin);
            let unit = if period == MIN_PER_DAY { "day" } else { "week" };
            let periods = (batch / period).round();
            let each = if periods == 1.0 {
                format!("1 {unit}")
            } else {
                format!("{periods:.0} {unit}s")
            };
            format!(
                "under the line's calendar the check compares batches of whole {unit}s ({each} each here), and the measured period ({}) holds fewer than two; measure at least {}",
                hours(run.horizon_min),
                nice_duration(2.0 * batch)
            )
        }
        None => format!(
            "the check compares batches of {MSER_BATCH} of the run's {} time bins, and the measured period ({}) holds fewer than {MIN_BATCHES} (the warm-up is {}); measure longer",
            crate::stats::collect::SERIES_BINS,
            hours(run.horizon_min),
            hours(run.warmup_min)
        ),
    };
    Warning {
        key_path: "scenario.horizon".to_owned(),
        ..Warning::general(format!(
            "{which}: the warm-up was not checked: {why}; a start-up transient left in the figures would go unseen"
        ))
    }
}

/// The check without a calendar rhythm: batches of five bins (MSER-5)
/// from the first bin that starts at or after the end of the warm-up.
fn mser_5(run: &RunSettings, reps: &[ReplicationResult], bin: f64) -> Option<WarmupCheck> {
    let start = (run.warmup_min / bin - 1e-9).ceil().max(0.0) as usize;
    let measured = reps[0].wip_series.len().saturating_sub(start);
    let k = measured / MSER_BATCH;
    if k < MIN_BATCHES {
        return None;
    }
    let batches = |r: &ReplicationResult| -> Vec<f64> {
        (0..k)
            .map(|b| {
                let from = start + b * MSER_BATCH;
                r.wip_series[from..from + MSER_BATCH].iter().sum::<f64>() / MSER_BATCH as f64
            })
            .collect()
    };
    let per_rep: Vec<Vec<f64>> = reps.iter().map(batches).collect();
    Some(judge(&per_rep, k, MSER_BATCH as f64 * bin, None))
}

/// The mean over `[from, to)` of a series of bins of `bin` minutes from
/// time 0, each bin weighted by its overlap with the window.
fn window_mean(series: &[f64], bin: f64, from: f64, to: f64) -> f64 {
    let (a, b) = (from / bin, to / bin);
    if (a - a.round()).abs() < 1e-9 && (b - b.round()).abs() < 1e-9 {
        // Whole bins: their plain mean.
        let (a, b) = (a.round() as usize, (b.round() as usize).min(series.len()));
        return series[a..b].iter().sum::<f64>() / (b - a) as f64;
    }
    let first = ((from / bin).floor().max(0.0) as usize).min(series.len());
    let last = ((to / bin).ceil().max(0.0) as usize).min(series.len());
    let area: f64 = (first..last)
        .map(|i| {
            let (a, b) = (i as f64 * bin, (i + 1) as f64 * bin);
            series[i] * (b.min(to) - a.max(from)).max(0.0)
        })
        .sum();
    area / (to - from)
}

/// The verdict on `k` batch means of each replication, batches of
/// `batch_min` minutes; the first `cut` batches are tested against the
/// rest where given, else MSER chooses how many.
fn judge(per_rep: &[Vec<f64>], k: usize, batch_min: f64, cut: Option<usize>) -> WarmupCheck {
    let mean_of = |reps: &[&Vec<f64>]| -> Vec<f64> {
        (0..k)
            .map(|b| reps.iter().map(|v| v[b]).sum::<f64>() / reps.len() as f64)
            .collect()
    };
    let all: Vec<&Vec<f64>> = per_rep.iter().collect();
    // With eight replications or more, the cut is chosen on one half and
    // tested on the other: a cut chosen where the data differ most, then
    // tested on the same data, would be "significant" too often.
    // A fixed cut chooses nothing, so every replication tests it.
    let (choose, test): (Vec<&Vec<f64>>, Vec<&Vec<f64>>) =
        if cut.is_none() && per_rep.len() >= SPLIT_FROM {
            (
                all.iter().copied().step_by(2).collect(),
                all.iter().copied().skip(1).step_by(2).collect(),
            )
        } else {
            (all.clone(), all.clone())
        };
    let d = cut.unwrap_or_else(|| mser(&mean_of(&choose)));
    let split = |v: &[f64]| -> (f64, f64) {
        let before = v[..d].iter().sum::<f64>() / d.max(1) as f64;
        let after = v[d..].iter().sum::<f64>() / (k - d) as f64;
        (before, after)
    };
    let tested = mean_of(&test);
    let (wip_before, wip_after) = split(&tested);
    let mut check = WarmupCheck {
        cut_min: d as f64 * batch_min,
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
    if material && !check.unsettled && (2..EACH_BELOW).contains(&test.len()) {
        // Two or three replications: a paired test on one or two degrees
        // of freedom finds almost nothing (a queue of 300 parts draining
        // for 25 of 48 measured hours passed in 8 of 10 seeds with two),
        // though one replication alone would show it. So each is also
        // tested as one replication is; all of them significant, the same
        // way, is a transient (the largest of their p-values is the
        // p-value of that joint test).
        let sign = (wip_before - wip_after).signum();
        let each: Option<Vec<f64>> = test
            .iter()
            .map(|v| {
                let (before, after) = split(v);
                ((before - after).signum() == sign)
                    .then(|| welch_p_value(&v[..d], &v[d..]))
                    .flatten()
            })
            .collect();
        if let Some(worst) = each.and_then(|ps| ps.into_iter().reduce(f64::max)) {
            if worst < ALPHA_ONE_REPLICATION {
                check.p_value = Some(worst);
                check.unsettled = true;
            }
        }
    }
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
    fn a_window_mean_weights_the_bins_it_covers_in_part() {
        let series = [1.0, 2.0, 4.0, 8.0];
        // Bins of 10 min: [5, 25) covers half of the first, all of the
        // second and half of the third.
        let m = window_mean(&series, 10.0, 5.0, 25.0);
        assert!(
            (m - (0.5 * 1.0 + 2.0 + 0.5 * 4.0) / 2.0).abs() < 1e-12,
            "{m}"
        );
        assert_eq!(window_mean(&series, 10.0, 10.0, 40.0), 14.0 / 3.0);
    }

    #[test]
    fn suggested_warmups_are_round() {
        assert_eq!(nice_duration(61.0), "2h");
        assert_eq!(nice_duration(50.0 * 60.0), "3d");
    }
}
