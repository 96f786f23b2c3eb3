//! Parameter sweeps (`alloysim sweep`): one or two numeric scenario fields,
//! addressed by key path, over a list or range of values; every point × every
//! replication runs in parallel, with common random numbers across points.

use crate::experiment::{self, ExperimentError};
use crate::scenario::{Edit, EditValue, Scenario, ScenarioError};
use crate::stats::Estimate;
use crate::summary::summarise_variant;

/// A swept parameter: key path and values.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub path: String,
    pub values: Vec<EditValue>,
}

/// Parses `key.path=VALUES` with VALUES `a..b` (integers, both ends
/// included), `a..b:step`, or a comma-separated list.
pub fn parse_param(text: &str) -> Result<Param, String> {
    let (path, values) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY.PATH=VALUES, got \"{text}\""))?;
    let path = path.trim();
    if path.split('.').count() < 2 {
        return Err(format!(
            "expected a key path such as stations.<name>.buffer, got \"{path}\""
        ));
    }
    let values = if let Some((from, to)) = values.split_once("..") {
        parse_range(from, to)?
    } else {
        values
            .split(',')
            .map(parse_number)
            .collect::<Result<Vec<_>, _>>()?
    };
    if values.is_empty() || values.len() > 10_000 {
        return Err(format!("expected 1 to 10000 values, got {}", values.len()));
    }
    Ok(Param {
        path: path.to_owned(),
        values,
    })
}

/// An integer if it reads as one, else a finite decimal.
fn parse_number(s: &str) -> Result<EditValue, String> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        Ok(EditValue::Integer(i))
    } else {
        s.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(EditValue::Float)
            .ok_or_else(|| format!("\"{s}\" is not a number"))
    }
}

fn as_f64(v: EditValue) -> f64 {
    match v {
        EditValue::Integer(i) => i as f64,
        EditValue::Float(x) => x,
    }
}

/// `from..to` or `from..to:step`: integers (step 1 by default), or
/// decimals with a step; both ends included.
fn parse_range(from: &str, to: &str) -> Result<Vec<EditValue>, String> {
    let (to, step) = match to.split_once(':') {
        Some((to, step)) => (to, Some(parse_number(step)?)),
        None => (to, None),
    };
    let (from, to) = (parse_number(from)?, parse_number(to)?);
    match (from, to, step) {
        (EditValue::Integer(a), EditValue::Integer(b), None | Some(EditValue::Integer(_))) => {
            let step = match step {
                Some(EditValue::Integer(s)) => s,
                _ => 1,
            };
            if step <= 0 || b < a {
                return Err(format!("empty range {a}..{b} with step {step}"));
            }
            Ok((a..=b)
                .step_by(step as usize)
                .map(EditValue::Integer)
                .collect())
        }
        (from, to, step) => {
            let (a, b) = (as_f64(from), as_f64(to));
            let step = step
                .map(as_f64)
                .ok_or("a range of decimals needs a step: a..b:step")?;
            if step <= 0.0 || b < a {
                return Err(format!("empty range {a}..{b} with step {step}"));
            }
            let count = ((b - a) / step + 1e-9).floor() as usize + 1;
            // Each value rounded to the decimals of the start and step as
            // written, so that 0.1..0.5:0.1 gives 0.3 and not
            // 0.30000000000000004.
            let decimals = decimals(a).max(decimals(step));
            Ok((0..count)
                .map(|i| EditValue::Float(round_to(a + step * i as f64, decimals)))
                .collect())
        }
    }
}

/// Digits after the decimal point of `x`'s shortest decimal form.
fn decimals(x: f64) -> i32 {
    let text = format!("{x}");
    text.split_once('.').map_or(0, |(_, d)| d.len() as i32)
}

/// `x` rounded to `decimals` digits after the point, where that is exact
/// in a double (else `x` itself).
fn round_to(x: f64, decimals: i32) -> f64 {
    if decimals > 15 {
        return x;
    }
    let scale = 10f64.powi(decimals);
    let scaled = (x * scale).round();
    if scaled.abs() < 2f64.powi(53) {
        scaled / scale
    } else {
        x
    }
}

/// One point of a sweep.
#[derive(Clone, Debug)]
pub struct Point {
    pub values: Vec<EditValue>,
    pub throughput_per_h: Estimate,
    pub wip_mean: f64,
    pub lead_time_min_mean: f64,
    pub bottleneck: String,
}

/// What a sweep found.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub variant: String,
    pub params: Vec<String>,
    pub points: Vec<Point>,
    /// Index of the point with the highest mean throughput.
    pub best: usize,
    /// The first point (in the order of the values given) whose mean is
    /// within 1 % of the best: the smallest setting that is enough.
    pub knee: usize,
    pub wall_s: f64,
    pub events: u64,
}

/// Why a sweep failed.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario with a point's values set is not valid: the first such
    /// point's errors, and the other invalid points. (The error is part of
    /// the message, not a source, so that it is printed once.)
    #[error("at {point}:\n{error}{}", others_invalid(others, *points))]
    Scenario {
        point: String,
        error: ScenarioError,
        /// The later points that are not valid either.
        others: Vec<String>,
        /// Points in the grid.
        points: usize,
    },
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
}

/// The line that names the other invalid points of a sweep (the first
/// [`OTHERS_NAMED`]), or nothing.
fn others_invalid(others: &[String], points: usize) -> String {
    if others.is_empty() {
        return String::new();
    }
    let named = others.len().min(OTHERS_NAMED);
    let more = if others.len() > named {
        format!(" and {} more", others.len() - named)
    } else {
        String::new()
    };
    format!(
        "\n{} of the {points} points are not valid; the others: {}{more}",
        others.len() + 1,
        others[..named].join("; ")
    )
}

/// How many other invalid points a sweep's error names.
const OTHERS_NAMED: usize = 8;

impl SweepError {
    /// The process exit code: that of the scenario or experiment error.
    pub fn exit_code(&self) -> i32 {
        match self {
            SweepError::Scenario { error, .. } => error.exit_code(),
            SweepError::Experiment(e) => e.exit_code(),
        }
    }
}

/// Runs the grid of `params` (one or two) for the variant at `variant`.
pub fn sweep(
    scenario: &Scenario,
    variant: usize,
    params: &[Param],
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<Sweep, SweepError> {
    let study = SweepStudy::new(scenario, variant, params)?;
    let start = std::time::Instant::now();
    let work = study.work(scenario);
    let results = experiment::run_items(&work, 0..work.len(), threads, on_done)?;
    let runs = experiment::group(&work, results)?;
    Ok(study.finish(runs, start.elapsed().as_secs_f64()))
}

/// A sweep prepared: the model of every point, to be simulated (here, or
/// in shards) and then summarised by [`SweepStudy::finish`].
#[derive(Clone, Debug)]
pub struct SweepStudy {
    variant: String,
    params: Vec<String>,
    grid: Vec<Vec<EditValue>>,
    models: Vec<crate::model::Model>,
}

impl SweepStudy {
    /// The grid of `params` for the variant at `variant`, each point's
    /// scenario built and checked.
    pub fn new(
        scenario: &Scenario,
        variant: usize,
        params: &[Param],
    ) -> Result<SweepStudy, SweepError> {
        let grid = grid(params);
        let models = point_models(scenario, variant, params, &grid)?;
        Ok(SweepStudy {
            variant: scenario.variants[variant].name.clone(),
            params: params.iter().map(|p| p.path.clone()).collect(),
            grid,
            models,
        })
    }

    /// The work list: every point's replications, point by point.
    pub fn work<'a>(&'a self, scenario: &'a Scenario) -> experiment::Work<'a> {
        experiment::Work::new(self.models.iter().collect(), &scenario.run)
    }

    /// The sweep from the runs of every point (in the work list's order).
    pub fn finish(self, runs: Vec<experiment::VariantRuns>, wall_s: f64) -> Sweep {
        let events = runs
            .iter()
            .flat_map(|r| &r.replications)
            .map(|r| r.events)
            .sum();
        let points: Vec<Point> = self
            .grid
            .into_iter()
            .zip(&self.models)
            .zip(&runs)
            .map(|((values, model), run)| {
                let s = summarise_variant(model, &run.replications);
                Point {
                    values,
                    throughput_per_h: s.throughput_per_h,
                    wip_mean: s.wip_mean,
                    lead_time_min_mean: s.lead_time_min_mean,
                    bottleneck: s.bottleneck,
                }
            })
            .collect();
        let (best, knee) = best_and_knee(&points);
        Sweep {
            variant: self.variant,
            params: self.params,
            points,
            best,
            knee,
            wall_s,
            events,
        }
    }
}

/// Every combination of the parameters' values, the first parameter
/// varying slowest.
fn grid(params: &[Param]) -> Vec<Vec<EditValue>> {
    let mut grid: Vec<Vec<EditValue>> = vec![Vec::new()];
    for param in params {
        grid = grid
            .into_iter()
            .flat_map(|prefix| {
                param.values.iter().map(move |v| {
                    let mut point = prefix.clone();
                    point.push(*v);
                    point
                })
            })
            .collect();
    }
    grid
}

/// The model of the variant at each point, named after the point's values.
fn point_models(
    scenario: &Scenario,
    variant: usize,
    params: &[Param],
    grid: &[Vec<EditValue>],
) -> Result<Vec<crate::model::Model>, SweepError> {
    let mut models = Vec::with_capacity(grid.len());
    let mut invalid: Option<(String, ScenarioError)> = None;
    let mut others = Vec::new();
    for point in grid {
        let edits: Vec<Edit> = params
            .iter()
            .zip(point)
            .map(|(p, v)| Edit {
                path: p.path.clone(),
                value: *v,
            })
            .collect();
        let label = edits
            .iter()
            .map(|e| format!("{} = {}", e.path, e.value))
            .collect::<Vec<_>>()
            .join(", ");
        // Every point is built, so that one error names all that fail.
        match scenario.with_edits(&edits) {
            Ok(rebuilt) => {
                let mut model = rebuilt.variants[variant].model.clone();
                model.variant = label;
                models.push(model);
            }
            Err(error) if invalid.is_none() => invalid = Some((label, error)),
            Err(_) => others.push(label),
        }
    }
    match invalid {
        None => Ok(models),
        Some((point, error)) => Err(SweepError::Scenario {
            point,
            error,
            others,
            points: grid.len(),
        }),
    }
}

/// The first point with the highest mean (ties go to the earlier value),
/// and the first within 1 % of it.
fn best_and_knee(points: &[Point]) -> (usize, usize) {
    let best = (0..points.len()).fold(0, |best, i| {
        if points[i].throughput_per_h.mean > points[best].throughput_per_h.mean {
            i
        } else {
            best
        }
    });
    let threshold = 0.99 * points[best].throughput_per_h.mean;
    let knee = points
        .iter()
        .position(|p| p.throughput_per_h.mean >= threshold)
        .unwrap_or(best);
    (best, knee)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_steps_and_lists() {
        let p = parse_param("stations.age.buffer=2..6").unwrap();
        assert_eq!(p.path, "stations.age.buffer");
        assert_eq!(
            p.values,
            (2..=6).map(EditValue::Integer).collect::<Vec<_>>()
        );
        let p = parse_param("stations.a.buffer=0..10:5").unwrap();
        assert_eq!(
            p.values,
            vec![
                EditValue::Integer(0),
                EditValue::Integer(5),
                EditValue::Integer(10)
            ]
        );
        let p = parse_param("energy.co2_kg_per_kwh=0.1..0.3:0.1").unwrap();
        assert_eq!(p.values.len(), 3);
        // Each value is the decimal written, not a sum of rounded steps.
        let p = parse_param("stations.a.scrap=0.1..0.7:0.1").unwrap();
        let texts: Vec<String> = p.values.iter().map(|v| format!("{}", as_f64(*v))).collect();
        assert_eq!(texts, ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]);
        let p = parse_param("stations.a.scrap=0.005..0.0125:0.0025").unwrap();
        let texts: Vec<String> = p.values.iter().map(|v| format!("{}", as_f64(*v))).collect();
        assert_eq!(texts, ["0.005", "0.0075", "0.01", "0.0125"]);
        let p = parse_param("x.y=1e-7..3e-7:1e-7").unwrap();
        assert_eq!(p.values.len(), 3);
        let p = parse_param("pools.crew.size=1,2,4").unwrap();
        assert_eq!(p.values.len(), 3);
        assert!(parse_param("buffer=1").is_err());
        assert!(parse_param("stations.a.buffer=5..1").is_err());
        assert!(parse_param("stations.a.buffer=x").is_err());
        assert!(parse_param("stations.a.buffer").is_err());
    }
}
