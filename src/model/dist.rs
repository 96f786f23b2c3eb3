//! Probability distributions of durations, validated and ready to sample.
//!
//! A [`Dist`] is built once when a scenario is loaded (parameters checked,
//! derived constants such as the log-normal's `mu` and `sigma` precomputed) and
//! then sampled in the engine's hot loop: sampling is a `match` over a small
//! enum, never a virtual call, and never allocates. All times are minutes.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal, Triangular, Weibull};
use std::sync::Arc;

/// A validated distribution of a non-negative duration, in minutes.
#[derive(Clone, Debug)]
pub enum Dist {
    /// Always the same value.
    Deterministic(f64),
    /// Exponential with the given mean (ziggurat sampling, no logarithm).
    Exponential { mean: f64 },
    /// Uniform on `[min, max]`.
    Uniform { min: f64, max: f64 },
    /// Triangular on `[min, max]` with the given mode.
    Triangular(Triangular<f64>, TriangularParams),
    /// Normal with `mean` and `sd`, truncated at 0 (resampled until >= 0),
    /// so the sample mean is slightly above `mean` when `sd` is large.
    Normal { mean: f64, sd: f64 },
    /// Log-normal whose own mean and standard deviation were given.
    LogNormal { mu: f64, sigma: f64, mean: f64 },
    /// Gamma (also Erlang-k) given by shape and scale.
    Gamma(Gamma<f64>, GammaParams),
    /// Weibull with shape and scale.
    Weibull(Weibull<f64>, WeibullParams),
    /// Resampling of observed values, each equally likely.
    Empirical(Arc<[f64]>),
}

/// Parameters kept beside the triangular sampler for [`Dist::mean`].
#[derive(Clone, Copy, Debug)]
pub struct TriangularParams {
    pub min: f64,
    pub mode: f64,
    pub max: f64,
}

/// Parameters kept beside the gamma sampler for [`Dist::mean`].
#[derive(Clone, Copy, Debug)]
pub struct GammaParams {
    pub shape: f64,
    pub scale: f64,
}

/// Parameters kept beside the Weibull sampler for [`Dist::mean`].
#[derive(Clone, Copy, Debug)]
pub struct WeibullParams {
    pub shape: f64,
    pub scale: f64,
}

impl Dist {
    /// A triangular distribution; `min <= mode <= max` must already hold.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Dist {
        if max <= min {
            return Dist::Deterministic(min);
        }
        let sampler = Triangular::new(min, max, mode).expect("validated triangular");
        Dist::Triangular(sampler, TriangularParams { min, mode, max })
    }

    /// A normal distribution truncated at 0; `mean > 0`, `sd >= 0`.
    pub fn normal(mean: f64, sd: f64) -> Dist {
        if sd == 0.0 {
            Dist::Deterministic(mean)
        } else {
            Dist::Normal { mean, sd }
        }
    }

    /// A log-normal distribution with the given mean and coefficient of variation.
    pub fn lognormal(mean: f64, cv: f64) -> Dist {
        if cv == 0.0 {
            return Dist::Deterministic(mean);
        }
        let sigma2 = (1.0 + cv * cv).ln();
        Dist::LogNormal {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
            mean,
        }
    }

    /// A gamma distribution with the given mean and coefficient of variation.
    pub fn gamma(mean: f64, cv: f64) -> Dist {
        if cv < 1e-9 {
            return Dist::Deterministic(mean);
        }
        let shape = 1.0 / (cv * cv);
        Self::gamma_shape_scale(shape, mean / shape)
    }

    /// An Erlang-`k` distribution with the given mean.
    pub fn erlang(k: u32, mean: f64) -> Dist {
        if k == 1 {
            return Dist::Exponential { mean };
        }
        Self::gamma_shape_scale(f64::from(k), mean / f64::from(k))
    }

    fn gamma_shape_scale(shape: f64, scale: f64) -> Dist {
        match Gamma::new(shape, scale) {
            Ok(sampler) if shape.is_finite() && scale > 0.0 => {
                Dist::Gamma(sampler, GammaParams { shape, scale })
            }
            // A cv so small that the shape overflows: deterministic to
            // machine precision.
            _ => Dist::Deterministic(shape * scale),
        }
    }

    /// A Weibull distribution; `shape > 0`, `scale > 0`. `None` when the
    /// parameters are out of the sampler's range (the mean would overflow).
    pub fn weibull(shape: f64, scale: f64) -> Option<Dist> {
        let sampler = Weibull::new(scale, shape).ok()?;
        let dist = Dist::Weibull(sampler, WeibullParams { shape, scale });
        dist.mean().is_finite().then_some(dist)
    }

    /// Draws one duration. Cost: a handful of arithmetic operations and one or
    /// two generator calls (rejection loops for the truncated normal and gamma).
    #[inline(always)]
    pub fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Deterministic(value) => *value,
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Triangular(sampler, _) => sampler.sample(rng),
            Dist::Normal { mean, sd } => loop {
                let z: f64 = StandardNormal.sample(rng);
                let x = mean + sd * z;
                if x >= 0.0 {
                    break x;
                }
            },
            Dist::LogNormal { mu, sigma, .. } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Dist::Gamma(sampler, _) => sampler.sample(rng),
            Dist::Weibull(sampler, _) => sampler.sample(rng),
            Dist::Empirical(values) => {
                let index = rng.random_range(0..values.len());
                values[index]
            }
        }
    }

    /// The mean of the distribution: of the times drawn, so for `Normal`
    /// the mean of the normal truncated at 0 ([`truncated_normal_mean`]).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Deterministic(value) => *value,
            Dist::Exponential { mean } => *mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Triangular(_, p) => (p.min + p.mode + p.max) / 3.0,
            Dist::Normal { mean, sd } => truncated_normal_mean(*mean, *sd),
            Dist::LogNormal { mean, .. } => *mean,
            Dist::Gamma(_, p) => p.shape * p.scale,
            Dist::Weibull(_, p) => p.scale * gamma_function(1.0 + 1.0 / p.shape),
            Dist::Empirical(values) => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// True when every draw is 0: no time passes.
    pub fn is_zero(&self) -> bool {
        match self {
            Dist::Deterministic(value) => *value == 0.0,
            Dist::Uniform { max, .. } => *max == 0.0,
            Dist::Empirical(values) => values.iter().all(|&v| v == 0.0),
            _ => false,
        }
    }

    /// True for the exponential distribution (the Markovian case).
    pub fn is_exponential(&self) -> bool {
        matches!(self, Dist::Exponential { .. })
    }
}

/// The mean of a normal of `mean` and `sd` truncated at 0 (drawn again
/// while negative): mean + sd φ(α) / (1 − Φ(α)) with α = −mean / sd.
pub fn truncated_normal_mean(mean: f64, sd: f64) -> f64 {
    use statrs::distribution::{Continuous, ContinuousCDF};
    if sd <= 0.0 {
        return mean;
    }
    let standard = statrs::distribution::Normal::standard();
    let alpha = -mean / sd;
    mean + sd * standard.pdf(alpha) / standard.sf(alpha)
}

/// The share of a normal of `mean` and `sd` below 0: the draws a
/// truncated normal throws away.
pub fn normal_negative_share(mean: f64, sd: f64) -> f64 {
    use statrs::distribution::ContinuousCDF;
    if sd <= 0.0 {
        return 0.0;
    }
    statrs::distribution::Normal::standard().cdf(-mean / sd)
}

/// The gamma function (statrs' Lanczos approximation), for the Weibull mean.
fn gamma_function(x: f64) -> f64 {
    statrs::function::gamma::gamma(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn sample_mean_and_cv(dist: &Dist, n: usize) -> (f64, f64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for _ in 0..n {
            let x = dist.sample(&mut rng);
            assert!(x >= 0.0, "negative duration {x}");
            sum += x;
            sum_sq += x * x;
        }
        let mean = sum / n as f64;
        let var = sum_sq / n as f64 - mean * mean;
        (mean, var.sqrt() / mean)
    }

    /// Each family's sample mean and cv against its closed-form moments.
    #[test]
    fn moments_match_closed_forms() {
        let cases: Vec<(Dist, f64, f64)> = vec![
            (Dist::Exponential { mean: 2.0 }, 2.0, 1.0),
            (
                Dist::Uniform { min: 1.0, max: 3.0 },
                2.0,
                (4.0f64 / 12.0).sqrt() / 2.0,
            ),
            (
                Dist::triangular(1.0, 2.0, 4.0),
                7.0 / 3.0,
                ((1.0 + 4.0 + 16.0 - 2.0 - 4.0 - 8.0) / 18.0f64).sqrt() / (7.0 / 3.0),
            ),
            (Dist::normal(10.0, 1.0), 10.0, 0.1),
            (Dist::lognormal(3.0, 0.5), 3.0, 0.5),
            (Dist::gamma(5.0, 0.3), 5.0, 0.3),
            (Dist::erlang(4, 8.0), 8.0, 0.5),
            (Dist::weibull(1.0, 2.0).unwrap(), 2.0, 1.0),
            (
                Dist::Empirical(vec![1.0, 2.0, 3.0].into()),
                2.0,
                (2.0f64 / 3.0).sqrt() / 2.0,
            ),
        ];
        for (dist, mean, cv) in cases {
            let (m, c) = sample_mean_and_cv(&dist, 400_000);
            assert!(
                (m - mean).abs() < 0.01 * mean,
                "{dist:?}: mean {m} vs {mean}"
            );
            assert!(
                (c - cv).abs() < 0.02 * cv.max(0.1),
                "{dist:?}: cv {c} vs {cv}"
            );
            assert!((dist.mean() - mean).abs() < 1e-9 * mean, "{dist:?}: mean()");
        }
    }

    /// A normal far from 0 against its truncation: mean 1, sd 3 is
    /// negative in Φ(−1/3) = 36.94 % of draws, and the times drawn average
    /// 1 + 3 φ(1/3) / Φ(1/3) = 2.7955 (the truncated normal's mean).
    #[test]
    fn a_wide_normal_is_truncated_at_zero_and_its_mean_says_so() {
        let dist = Dist::normal(1.0, 3.0);
        let phi = (-1.0f64 / 18.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let by_hand = 1.0 + 3.0 * phi / 0.630_558_659_818_8;
        assert!((dist.mean() - by_hand).abs() < 1e-9, "{}", dist.mean());
        assert!((by_hand - 2.7955).abs() < 1e-4, "{by_hand}");
        assert!((normal_negative_share(1.0, 3.0) - 0.369_441_340_181_2).abs() < 1e-9);
        let (m, _) = sample_mean_and_cv(&dist, 400_000);
        assert!((m - by_hand).abs() < 0.01 * by_hand, "sample mean {m}");
    }
}
