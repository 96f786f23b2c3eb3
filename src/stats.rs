//! Estimates over independent replications: means with Student-t 95 %
//! confidence intervals (R − 1 degrees of freedom), and paired differences;
//! [`collect`] holds the bounded-memory collectors filled during a run.

pub mod bottleneck;
pub mod collect;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A mean with its 95 % confidence interval; no interval from one value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    #[serde(with = "nan_as_null")]
    pub mean: f64,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
}

impl Estimate {
    /// Half the width of the interval (`None` for a single value).
    pub fn half_width(&self) -> Option<f64> {
        Some((self.ci95_high? - self.ci95_low?) / 2.0)
    }

    /// The estimate with every figure multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Estimate {
        Estimate {
            mean: self.mean * factor,
            ci95_low: self.ci95_low.map(|v| v * factor),
            ci95_high: self.ci95_high.map(|v| v * factor),
        }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    t_quantile(0.975, df)
}

/// The `p` quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df >= 1")
        .inverse_cdf(p)
}

/// The two-sided p-value of Student's t statistic `t` with `df` degrees of
/// freedom.
pub fn t_two_sided_p(t: f64, df: usize) -> f64 {
    let dist = StudentsT::new(0.0, 1.0, df as f64).expect("df >= 1");
    (2.0 * (1.0 - dist.cdf(t.abs()))).clamp(0.0, 1.0)
}

/// Mean and Student-t 95 % interval of independent observations. NaN values
/// (a replication without any observation) are left out.
pub fn estimate(values: &[f64]) -> Estimate {
    let values: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = values.len();
    if n == 0 {
        return Estimate {
            mean: f64::NAN,
            ci95_low: None,
            ci95_high: None,
        };
    }
    // `+ 0.0` turns a mean of −0.0 (the sum of an empty list or of
    // negative zeros, such as no pools' labour cost) into 0.0, which the
    // result files then write as "0.0"; every other value is unchanged.
    let mean = values.iter().sum::<f64>() / n as f64 + 0.0;
    if n == 1 {
        return Estimate {
            mean,
            ci95_low: None,
            ci95_high: None,
        };
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_quantile_975(n - 1) * (variance / n as f64).sqrt();
    Estimate {
        mean,
        ci95_low: Some(mean - half),
        ci95_high: Some(mean + half),
    }
}

/// Mean of the values that are not NaN (NaN if none).
pub fn mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, count) = values
        .into_iter()
        .filter(|v| !v.is_nan())
        .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    sum / count as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Standard table values of t(0.975; df).
        for (df, t) in [
            (1, 12.706),
            (4, 2.776),
            (9, 2.262),
            (19, 2.093),
            (100, 1.984),
        ] {
            assert!((t_quantile_975(df) - t).abs() < 1e-3, "df {df}");
        }
    }

    #[test]
    fn t_p_values_match_tables() {
        // t(0.975; 9) = 2.262: two-sided p = 0.05.
        assert!((t_two_sided_p(2.262, 9) - 0.05).abs() < 1e-3);
        assert!((t_two_sided_p(-2.262, 9) - 0.05).abs() < 1e-3);
        assert_eq!(t_two_sided_p(0.0, 5), 1.0);
    }

    #[test]
    fn interval_by_hand() {
        // mean 2, sample sd 1, n 3: half width = 4.303 * 1 / sqrt(3).
        let e = estimate(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        let half = 4.302_652_7 / 3f64.sqrt();
        assert!((e.half_width().unwrap() - half).abs() < 1e-6);
        assert_eq!(estimate(&[5.0]).ci95_low, None);
    }

    #[test]
    fn negative_zeros_are_estimated_as_zero() {
        // The sum of no floats is −0.0; an estimate of such sums is 0.0,
        // which prints without a sign.
        let none: f64 = std::iter::empty::<f64>().sum();
        let e = estimate(&[none, none]);
        for v in [e.mean, e.ci95_low.unwrap(), e.ci95_high.unwrap()] {
            assert!(v == 0.0 && v.is_sign_positive(), "{v:?}");
        }
        assert_eq!(estimate(&[-1.5, -2.5]).mean, -2.0);
    }
}

/// Serde for `f64` fields that may be NaN ("no value"): written as `null`
/// (JSON has no NaN) and read back as NaN.
pub mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f64(*value)
        } else {
            serializer.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
    }
}
