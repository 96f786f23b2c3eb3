//! Input analysis (`alloysim fit`): the distributions of the scenario
//! format fitted to observed times by maximum likelihood, ranked by AIC,
//! with Anderson–Darling and Kolmogorov–Smirnov statistics whose p-values
//! account for the estimated parameters (parametric bootstrap with a fixed
//! seed), a lag-1 autocorrelation check, and an empirical fallback when no
//! family fits.
//!
//! Estimators: exponential, normal, log-normal and uniform in closed form;
//! gamma by Newton's method on the shape (ln k − ψ(k) = ln x̄ − mean ln x,
//! from the approximation of Minka's "Estimating a Gamma distribution");
//! Erlang the better of the two whole shapes around the gamma's; Weibull by
//! Newton's method on the shape of the profile likelihood; triangular with
//! min and max widened by range/(n−1) beyond the observations and the mode
//! the observation of largest likelihood (the likelihood's maximum in the
//! mode lies at an observation).

pub mod censored;
pub mod data;
pub mod failures;

use rand::SeedableRng;
use rand_distr::Distribution;
use serde::Serialize;
use statrs::distribution::{
    Continuous, ContinuousCDF, Erlang, Exp, Gamma, LogNormal, Normal, Triangular, Uniform, Weibull,
};
use statrs::function::gamma::digamma;

/// Bootstrap samples behind each p-value.
pub const BOOTSTRAP: usize = 199;
/// Fewest observations fitted.
pub const MIN_OBSERVATIONS: usize = 10;
/// A family "fits" when its Anderson–Darling p-value reaches this.
pub const FIT_LEVEL: f64 = 0.05;

/// A fitted family: its name and parameters as the scenario format writes
/// them (times in the data's unit).
#[derive(Clone, Debug, PartialEq)]
pub enum Fitted {
    Exponential { mean: f64 },
    Gamma { mean: f64, cv: f64 },
    Erlang { k: u32, mean: f64 },
    LogNormal { mean: f64, cv: f64 },
    Weibull { shape: f64, scale: f64 },
    Normal { mean: f64, sd: f64 },
    Uniform { min: f64, max: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
}

/// The families tried, in the scenario format's names.
pub const FAMILIES: [&str; 8] = [
    "exponential",
    "gamma",
    "erlang",
    "lognormal",
    "weibull",
    "normal",
    "uniform",
    "triangular",
];

impl Fitted {
    pub fn family(&self) -> &'static str {
        match self {
            Fitted::Exponential { .. } => "exponential",
            Fitted::Gamma { .. } => "gamma",
            Fitted::Erlang { .. } => "erlang",
            Fitted::LogNormal { .. } => "lognormal",
            Fitted::Weibull { .. } => "weibull",
            Fitted::Normal { .. } => "normal",
            Fitted::Uniform { .. } => "uniform",
            Fitted::Triangular { .. } => "triangular",
        }
    }

    /// The scenario format's parameters, by name.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Fitted::Exponential { mean } => vec![("mean", mean)],
            Fitted::Gamma { mean, cv } | Fitted::LogNormal { mean, cv } => {
                vec![("mean", mean), ("cv", cv)]
            }
            Fitted::Erlang { k, mean } => vec![("k", f64::from(k)), ("mean", mean)],
            Fitted::Weibull { shape, scale } => vec![("shape", shape), ("scale", scale)],
            Fitted::Normal { mean, sd } => vec![("mean", mean), ("sd", sd)],
            Fitted::Uniform { min, max } => vec![("min", min), ("max", max)],
            Fitted::Triangular { min, mode, max } => {
                vec![("min", min), ("mode", mode), ("max", max)]
            }
        }
    }

    /// Estimated parameters (for the AIC).
    fn estimated(&self) -> f64 {
        match self {
            Fitted::Exponential { .. } => 1.0,
            Fitted::Triangular { .. } => 3.0,
            _ => 2.0,
        }
    }

    /// The distribution, for densities and probabilities.
    pub(crate) fn law(&self) -> Option<Law> {
        Some(match *self {
            Fitted::Exponential { mean } => Law::Exp(Exp::new(1.0 / mean).ok()?),
            Fitted::Gamma { mean, cv } => {
                let k = 1.0 / (cv * cv);
                Law::Gamma(Gamma::new(k, k / mean).ok()?)
            }
            Fitted::Erlang { k, mean } => {
                Law::Erlang(Erlang::new(u64::from(k), f64::from(k) / mean).ok()?)
            }
            Fitted::LogNormal { mean, cv } => {
                let sigma2 = (1.0 + cv * cv).ln();
                Law::LogNormal(LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt()).ok()?)
            }
            Fitted::Weibull { shape, scale } => Law::Weibull(Weibull::new(shape, scale).ok()?),
            Fitted::Normal { mean, sd } => Law::Normal(Normal::new(mean, sd).ok()?),
            Fitted::Uniform { min, max } => Law::Uniform(Uniform::new(min, max).ok()?),
            Fitted::Triangular { min, mode, max } => {
                Law::Triangular(Triangular::new(min, max, mode).ok()?)
            }
        })
    }

    /// The TOML value of the scenario format, times with `unit`.
    pub fn toml(&self, unit: &str) -> String {
        let time = |v: f64| format!("\"{}{unit}\"", significant(v));
        let number = |v: f64| significant(v);
        let body = match *self {
            Fitted::Exponential { mean } => format!("mean = {}", time(mean)),
            Fitted::Gamma { mean, cv } | Fitted::LogNormal { mean, cv } => {
                format!("mean = {}, cv = {}", time(mean), number(cv))
            }
            Fitted::Erlang { k, mean } => format!("k = {k}, mean = {}", time(mean)),
            Fitted::Weibull { shape, scale } => {
                format!("shape = {}, scale = {}", number(shape), time(scale))
            }
            Fitted::Normal { mean, sd } => format!("mean = {}, sd = {}", time(mean), time(sd)),
            Fitted::Uniform { min, max } => format!("min = {}, max = {}", time(min), time(max)),
            Fitted::Triangular { min, mode, max } => format!(
                "min = {}, mode = {}, max = {}",
                time(min),
                time(mode),
                time(max)
            ),
        };
        format!("{{ dist = \"{}\", {body} }}", self.family())
    }
}

/// Four significant digits, without trailing zeros.
fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The statrs distribution of a fitted family.
pub(crate) enum Law {
    Exp(Exp),
    Gamma(Gamma),
    Erlang(Erlang),
    LogNormal(LogNormal),
    Weibull(Weibull),
    Normal(Normal),
    Uniform(Uniform),
    Triangular(Triangular),
}

impl Law {
    pub(crate) fn cdf(&self, x: f64) -> f64 {
        match self {
            Law::Exp(d) => d.cdf(x),
            Law::Gamma(d) => d.cdf(x),
            Law::Erlang(d) => d.cdf(x),
            Law::LogNormal(d) => d.cdf(x),
            Law::Weibull(d) => d.cdf(x),
            Law::Normal(d) => d.cdf(x),
            Law::Uniform(d) => d.cdf(x),
            Law::Triangular(d) => d.cdf(x),
        }
    }

    fn ln_pdf(&self, x: f64) -> f64 {
        match self {
            Law::Exp(d) => d.ln_pdf(x),
            Law::Gamma(d) => d.ln_pdf(x),
            Law::Erlang(d) => d.ln_pdf(x),
            Law::LogNormal(d) => d.ln_pdf(x),
            Law::Weibull(d) => d.ln_pdf(x),
            Law::Normal(d) => d.ln_pdf(x),
            Law::Uniform(d) => d.ln_pdf(x),
            Law::Triangular(d) => d.ln_pdf(x),
        }
    }

    /// The p-quantile, by bisection on the CDF.
    fn quantile(&self, p: f64, low: f64, high: f64) -> f64 {
        let (mut lo, mut hi) = (low, high);
        while self.cdf(hi) < p && hi < 1e300 {
            hi = hi * 2.0 + 1.0;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.cdf(mid) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

/// The maximum-likelihood fit of `family` to `x` (all positive), if it
/// has one.
pub fn fit_family(family: &str, x: &[f64]) -> Option<Fitted> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let mean_ln = x.iter().map(|v| v.ln()).sum::<f64>() / n;
    let (min, max) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let fitted = match family {
        "exponential" => Fitted::Exponential { mean },
        "normal" => {
            let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            Fitted::Normal { mean, sd }
        }
        "lognormal" => {
            let s2 = x.iter().map(|v| (v.ln() - mean_ln).powi(2)).sum::<f64>() / n;
            Fitted::LogNormal {
                mean: (mean_ln + s2 / 2.0).exp(),
                cv: (s2.exp() - 1.0).sqrt(),
            }
        }
        "gamma" => {
            let k = gamma_shape(mean.ln() - mean_ln)?;
            Fitted::Gamma {
                mean,
                cv: 1.0 / k.sqrt(),
            }
        }
        "erlang" => {
            let k = gamma_shape(mean.ln() - mean_ln)?;
            let candidates = [k.floor().max(1.0), k.ceil().max(1.0)];
            candidates
                .iter()
                .map(|&k| Fitted::Erlang {
                    k: k.min(1e6) as u32,
                    mean,
                })
                .max_by(|a, b| loglik(a, x).total_cmp(&loglik(b, x)))?
        }
        "weibull" => {
            let shape = weibull_shape(x, mean_ln)?;
            let scale = (x.iter().map(|v| v.powf(shape)).sum::<f64>() / n).powf(1.0 / shape);
            Fitted::Weibull { shape, scale }
        }
        "uniform" => Fitted::Uniform { min, max },
        "triangular" => {
            let widen = (max - min) / (n - 1.0).max(1.0);
            let (a, b) = ((min - widen).max(0.0), max + widen);
            x.iter()
                .map(|&c| Fitted::Triangular {
                    min: a,
                    mode: c,
                    max: b,
                })
                .max_by(|p, q| loglik(p, x).total_cmp(&loglik(q, x)))?
        }
        _ => return None,
    };
    let params_ok = fitted.params().iter().all(|(_, v)| v.is_finite());
    (params_ok && fitted.law().is_some()).then_some(fitted)
}

/// The gamma shape k with ln k − ψ(k) = s (s > 0), by Newton's method from
/// Minka's approximation.
fn gamma_shape(s: f64) -> Option<f64> {
    if s.is_nan() || s <= 0.0 || !s.is_finite() {
        return None;
    }
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let h = 1e-5 * k;
        let f = k.ln() - digamma(k) - s;
        let trigamma = (digamma(k + h) - digamma(k - h)) / (2.0 * h);
        let step = f / (1.0 / k - trigamma);
        let next = (k - step).max(k / 10.0);
        if (next - k).abs() < 1e-12 * k {
            return Some(next);
        }
        k = next;
    }
    k.is_finite().then_some(k)
}

/// The Weibull shape β of the profile likelihood: the root of
/// Σ tᵝ ln t / Σ tᵝ − 1/β − `mean_ln` over `all` times (observed and
/// censored; `mean_ln` the mean log of the observed ones), increasing in
/// β, by bisection.
pub(crate) fn weibull_shape(all: &[f64], mean_ln: f64) -> Option<f64> {
    // Scaled by the largest value, so that t^β does not overflow.
    let top = all.iter().cloned().fold(0.0, f64::max);
    let g = |b: f64| {
        let (mut s, mut sl) = (0.0, 0.0);
        for &v in all {
            let r = v / top;
            let p = r.powf(b);
            s += p;
            sl += p * r.ln();
        }
        sl / s + top.ln() - 1.0 / b - mean_ln
    };
    let (mut lo, mut hi) = (1e-3, 1.0);
    while g(hi) < 0.0 {
        hi *= 2.0;
        if hi > 1e4 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 * hi {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The log-likelihood of `x` under `fitted`.
pub fn loglik(fitted: &Fitted, x: &[f64]) -> f64 {
    match fitted.law() {
        Some(law) => x.iter().map(|&v| law.ln_pdf(v)).sum(),
        None => f64::NEG_INFINITY,
    }
}

/// Anderson–Darling A² and Kolmogorov–Smirnov D of `sorted` under `fitted`
/// (`grid`: the times are rounded to it, see [`tied_grid`]).
fn statistics(fitted: &Fitted, sorted: &[f64], grid: Option<f64>) -> (f64, f64) {
    let Some(law) = fitted.law() else {
        return (f64::INFINITY, 1.0);
    };
    // A uniform's fitted ends are the smallest and largest observations,
    // where its distribution function is 0 and 1. With continuous times
    // they carry no test (Anderson–Darling's logarithms would be clamped),
    // and the points inside, given the ends, are uniform between them.
    // Rounded times pile up at the ends, and how many do is evidence (29
    // of 30 times at the lower of two values is no uniform): each time
    // stands for its cell of the grid, at the middle of the distribution
    // function over it, which is inside (0, 1) at the ends too. The
    // bootstrap's samples, rounded alike, are measured alike.
    let (sorted, cell) = match (fitted, grid) {
        (Fitted::Uniform { .. }, Some(h)) => (sorted, 0.5 * h),
        (&Fitted::Uniform { min, max }, None) => {
            let inside =
                sorted.partition_point(|&v| v <= min)..sorted.partition_point(|&v| v < max);
            (&sorted[inside], 0.0)
        }
        _ => (sorted, 0.0),
    };
    if sorted.is_empty() {
        return (0.0, 0.0);
    }
    let n = sorted.len() as f64;
    let cdf = |v: f64| {
        if cell > 0.0 {
            0.5 * (law.cdf(v - cell) + law.cdf(v + cell))
        } else {
            law.cdf(v)
        }
    };
    let f: Vec<f64> = sorted
        .iter()
        .map(|&v| cdf(v).clamp(1e-300, 1.0 - 1e-16))
        .collect();
    let mut ad = 0.0;
    let mut ks: f64 = 0.0;
    for (i, &fi) in f.iter().enumerate() {
        let j = f.len() - 1 - i;
        ad += (2.0 * i as f64 + 1.0) * (fi.ln() + (1.0 - f[j]).ln());
        ks = ks.max((i as f64 + 1.0) / n - fi).max(fi - i as f64 / n);
    }
    (-n - ad / n, ks)
}

/// A sample of `n` from `fitted` (the normal untruncated).
fn draw(fitted: &Fitted, n: usize, rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Vec<f64> {
    use rand_distr as rd;
    let take = |d: &dyn Fn(&mut rand_xoshiro::Xoshiro256PlusPlus) -> f64,
                rng: &mut rand_xoshiro::Xoshiro256PlusPlus| {
        (0..n).map(|_| d(rng)).collect::<Vec<f64>>()
    };
    match *fitted {
        Fitted::Exponential { mean } => {
            let d = rd::Exp::new(1.0 / mean).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
        Fitted::Gamma { mean, cv } => {
            let k = 1.0 / (cv * cv);
            let d = rd::Gamma::new(k, mean / k).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
        Fitted::Erlang { k, mean } => {
            let d = rd::Gamma::new(f64::from(k), mean / f64::from(k)).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
        Fitted::LogNormal { mean, cv } => {
            let s2 = (1.0 + cv * cv).ln();
            let d = rd::LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt()).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
        Fitted::Weibull { shape, scale } => {
            let d = rd::Weibull::new(scale, shape).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
        Fitted::Normal { mean, sd } => {
            let d = rd::Normal::new(mean, sd).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
        Fitted::Uniform { min, max } => {
            let d = rd::Uniform::new_inclusive(min, max).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
        Fitted::Triangular { min, mode, max } => {
            let d = rd::Triangular::new(min, max, mode).expect("fitted");
            take(&|r| d.sample(r), rng)
        }
    }
}

/// The grid the observations were recorded on, when there is one: a step
/// h of which every observation is a whole multiple (at least 1), to 1 % of
/// h. Tried: the smallest gap between two distinct observations divided by
/// 1 to 10, each refined so that the largest observation is an exact
/// multiple (times in minutes recorded in whole seconds are on the grid
/// 1/60 even when printed to four decimals). `sorted` is the observations
/// in increasing order.
pub fn resolution(sorted: &[f64]) -> Option<f64> {
    let gap = sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&g| g > 0.0)
        .min_by(f64::total_cmp)?;
    let top = *sorted.last()?;
    (1..=10).find_map(|k| {
        let steps = (top * f64::from(k) / gap).round();
        let h = top / steps;
        let on_grid = sorted.iter().all(|&v| {
            let m = v / h;
            m.round() >= 1.0 && (m - m.round()).abs() <= 0.01
        });
        on_grid.then_some(h)
    })
}

/// The grid of `sorted` observations that have ties ([`resolution`]);
/// `None` without ties, where rounding cannot matter to the tests.
pub(crate) fn tied_grid(sorted: &[f64]) -> Option<f64> {
    let ties = sorted.windows(2).any(|w| w[1] == w[0]);
    if ties {
        resolution(sorted)
    } else {
        None
    }
}

/// One family's fit and its goodness of fit.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub dist: &'static str,
    pub params: serde_json::Map<String, serde_json::Value>,
    pub loglik: f64,
    pub aic: f64,
    pub ad: f64,
    pub ad_p: f64,
    pub ks: f64,
    pub ks_p: f64,
    #[serde(skip)]
    pub fitted: Fitted,
}

/// The whole analysis of one column of observations.
#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    pub n: usize,
    pub unit: String,
    /// The best family by AIC among those that fit, `"empirical"` when
    /// none does, or `"deterministic"` when every observation is the same.
    pub best: String,
    /// The ready-to-paste scenario line, `process = { dist = ... }`.
    pub toml: String,
    pub mean: f64,
    pub sd: f64,
    /// Lag-1 autocorrelation of the observations in their order.
    pub lag1_autocorrelation: f64,
    pub warnings: Vec<String>,
    /// Best (lowest AIC) first.
    pub candidates: Vec<Candidate>,
}

/// Fits every family to `x` (observations in their recorded order, all
/// positive; at least [`MIN_OBSERVATIONS`]), `unit` naming their time unit
/// and `empirical_file` the file an empirical fallback would name.
pub fn fit(x: &[f64], unit: &str, empirical_file: &str, seed: u64) -> FitReport {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let lag1 = {
        let num: f64 = x.windows(2).map(|w| (w[0] - mean) * (w[1] - mean)).sum();
        let den: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    };
    let mut warnings = Vec::new();
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let distinct = 1 + sorted.windows(2).filter(|w| w[1] != w[0]).count();
    if distinct == 1 {
        // No spread: every family degenerates (a gamma of cv 10⁻⁸ "fits"),
        // and the honest answer is the constant.
        warnings.push(format!(
            "all {n} observations are {} {unit}: a constant time, no distribution to fit",
            x[0]
        ));
        return FitReport {
            n,
            unit: unit.to_owned(),
            best: "deterministic".to_owned(),
            toml: format!("process = \"{}{unit}\"", x[0]),
            mean,
            sd: 0.0,
            lag1_autocorrelation: 0.0,
            warnings,
            candidates: Vec::new(),
        };
    }
    // Rounded times (ties on a grid): the bootstrap rounds its samples the
    // same way, so its p-values hold for rounded data.
    let resolution = tied_grid(&sorted);
    // Worth a word only where the grid is coarse against the spread (times
    // to 0.1 s of a cycle of sd 7 s are as good as continuous).
    let coarse = resolution.is_none_or(|h| h > 0.1 * var.sqrt());
    if distinct * 2 < n && coarse {
        warnings.push(match resolution {
            Some(h) => format!(
                "only {distinct} distinct values among {n} observations: the times are recorded to the nearest {} {unit}; the goodness-of-fit p-values allow for that (their samples are rounded alike), but a fitted family draws unrounded times",
                significant(h)
            ),
            None => format!(
                "only {distinct} distinct values among {n} observations: the times look rounded, and the goodness-of-fit tests assume continuous times, so their p-values come out too low (a family may be rejected for the rounding alone)"
            ),
        });
    }
    if lag1.abs() > 2.0 / (n as f64).sqrt() {
        warnings.push(format!(
            "the observations are correlated with their predecessors (lag-1 autocorrelation {lag1:.2}, beyond ±{:.2}): they are not independent, and a fitted distribution draws them as if they were",
            2.0 / (n as f64).sqrt()
        ));
    }
    let candidates = rank(&FAMILIES, x, &[], resolution, seed);
    let fits = candidates.iter().find(|c| c.ad_p >= FIT_LEVEL);
    let (best, value) = match fits {
        Some(c) => (c.dist.to_owned(), c.fitted.toml(unit)),
        None => {
            warnings.push(format!(
                "no family fits at the {:.0} % level (Anderson–Darling): use the observations themselves",
                FIT_LEVEL * 100.0
            ));
            (
                "empirical".to_owned(),
                format!("{{ dist = \"empirical\", file = \"{empirical_file}\" }}"),
            )
        }
    };
    FitReport {
        n,
        unit: unit.to_owned(),
        best,
        toml: format!("process = {value}"),
        mean,
        sd: var.sqrt(),
        lag1_autocorrelation: lag1,
        warnings,
        candidates,
    }
}

/// Each of `families` fitted to `observed` and right-`censored` times,
/// with its goodness of fit, best (lowest AIC) first.
pub(crate) fn rank(
    families: &[&'static str],
    observed: &[f64],
    censored: &[f64],
    resolution: Option<f64>,
    seed: u64,
) -> Vec<Candidate> {
    let mut sorted = observed.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut candidates: Vec<Candidate> = families
        .iter()
        .enumerate()
        .filter_map(|(f, &family)| {
            let fitted = censored::fit_censored(family, observed, censored)?;
            let ll = censored::censored_loglik(&fitted, observed, censored);
            if !ll.is_finite() {
                return None;
            }
            let (ad, ks) = statistics(&fitted, &sorted, resolution);
            let seed = seed ^ (f as u64 + 1);
            let (ad_p, ks_p) = bootstrap(
                &fitted,
                family,
                observed.len(),
                censored,
                resolution,
                (ad, ks),
                seed,
            );
            let params = fitted
                .params()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), serde_json::json!(v)))
                .collect();
            Some(Candidate {
                dist: family,
                params,
                loglik: ll,
                aic: 2.0 * fitted.estimated() - 2.0 * ll,
                ad,
                ad_p,
                ks,
                ks_p,
                fitted,
            })
        })
        .collect();
    candidates.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    candidates
}

/// Parametric bootstrap p-values of (AD, KS): samples like the data drawn
/// from the fit (as many observations, and a draw per censored time that
/// is censored there when it exceeds it), each refitted, its statistics
/// on its observed part against its own fit. With a `resolution`, the
/// observed draws are rounded to it as the data were, so that the ties of
/// rounded data do not count against the family.
fn bootstrap(
    fitted: &Fitted,
    family: &str,
    observed: usize,
    censored: &[f64],
    resolution: Option<f64>,
    statistic: (f64, f64),
    seed: u64,
) -> (f64, f64) {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut ad_hits, mut ks_hits) = (0usize, 0usize);
    for _ in 0..BOOTSTRAP {
        let mut obs = draw(fitted, observed, &mut rng);
        let mut cens = Vec::new();
        for (&c, t) in censored.iter().zip(draw(fitted, censored.len(), &mut rng)) {
            if t < c {
                obs.push(t);
            } else {
                cens.push(c);
            }
        }
        if let Some(h) = resolution {
            for v in &mut obs {
                *v = (*v / h).round() * h;
            }
        }
        obs.retain(|v| *v > 0.0);
        let Some(refit) = censored::fit_censored(family, &obs, &cens) else {
            continue;
        };
        obs.sort_by(f64::total_cmp);
        let (ad, ks) = statistics(&refit, &obs, resolution);
        ad_hits += usize::from(ad >= statistic.0);
        ks_hits += usize::from(ks >= statistic.1);
    }
    let p = |hits: usize| (hits as f64 + 1.0) / (BOOTSTRAP as f64 + 1.0);
    (p(ad_hits), p(ks_hits))
}

/// Densities of a candidate on `xs` (for the chart).
pub fn density(fitted: &Fitted, xs: &[f64]) -> Vec<f64> {
    match fitted.law() {
        Some(law) => xs.iter().map(|&x| law.ln_pdf(x).exp()).collect(),
        None => vec![0.0; xs.len()],
    }
}

/// The fitted quantiles at plotting positions (i − 0.5)/n (for the Q-Q plot).
pub fn quantiles(fitted: &Fitted, n: usize, high: f64) -> Vec<f64> {
    let Some(law) = fitted.law() else {
        return vec![f64::NAN; n];
    };
    (0..n)
        .map(|i| law.quantile((i as f64 + 0.5) / n as f64, 0.0, high))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(significant(2.80004), "2.8");
        assert_eq!(significant(0.123456), "0.1235");
        assert_eq!(significant(1234.6), "1235");
    }

    #[test]
    fn closed_forms_and_newton_agree_with_their_equations() {
        let k = gamma_shape(0.05).unwrap();
        assert!((k.ln() - digamma(k) - 0.05).abs() < 1e-10);
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        let mean_ln = x.iter().map(|v: &f64| v.ln()).sum::<f64>() / 5.0;
        let b = weibull_shape(&x, mean_ln).unwrap();
        let s: f64 = x.iter().map(|v| v.powf(b)).sum();
        let sl: f64 = x.iter().map(|v| v.powf(b) * v.ln()).sum();
        assert!((sl / s - 1.0 / b - mean_ln).abs() < 1e-9);
    }
}
