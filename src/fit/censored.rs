//! Fits with right-censored observations (up times still running when a
//! downtime log ends): the likelihood Σ ln f(observed) + Σ ln S(censored).
//! Exponential in closed form (the total time over the failures), Weibull
//! by bisection on the profile likelihood's shape equation, log-normal and
//! gamma by Nelder–Mead on the log-likelihood from the uncensored fit.

use super::{fit_family, loglik, weibull_shape, Fitted};

/// A family's two parameters as optimised (logarithms), and back.
type ToParams = fn(&Fitted) -> [f64; 2];
type FromParams = fn([f64; 2]) -> Fitted;

/// The maximum-likelihood fit of `family` to `observed` times and times
/// `censored` (known only to exceed their value).
pub fn fit_censored(family: &str, observed: &[f64], censored: &[f64]) -> Option<Fitted> {
    if censored.is_empty() {
        return fit_family(family, observed);
    }
    if observed.is_empty() {
        return None;
    }
    let r = observed.len() as f64;
    let all = || observed.iter().chain(censored);
    match family {
        "exponential" => Some(Fitted::Exponential {
            mean: all().sum::<f64>() / r,
        }),
        "weibull" => {
            let all: Vec<f64> = all().copied().collect();
            let mean_ln = observed.iter().map(|v| v.ln()).sum::<f64>() / r;
            let shape = weibull_shape(&all, mean_ln)?;
            let scale = (all.iter().map(|v| v.powf(shape)).sum::<f64>() / r).powf(1.0 / shape);
            Some(Fitted::Weibull { shape, scale })
        }
        "lognormal" | "gamma" => {
            let start = fit_family(family, observed)?;
            let (to, from): (ToParams, FromParams) = match family {
                "lognormal" => (
                    |f| match *f {
                        Fitted::LogNormal { mean, cv } => [mean.ln(), cv.ln()],
                        _ => [0.0; 2],
                    },
                    |p| Fitted::LogNormal {
                        mean: p[0].exp(),
                        cv: p[1].exp(),
                    },
                ),
                _ => (
                    |f| match *f {
                        Fitted::Gamma { mean, cv } => [mean.ln(), cv.ln()],
                        _ => [0.0; 2],
                    },
                    |p| Fitted::Gamma {
                        mean: p[0].exp(),
                        cv: p[1].exp(),
                    },
                ),
            };
            let objective = |p: [f64; 2]| -censored_loglik(&from(p), observed, censored);
            let best = nelder_mead(objective, to(&start), 0.1);
            Some(from(best))
        }
        _ => None,
    }
}

/// Σ ln f(observed) + Σ ln S(censored).
pub fn censored_loglik(fitted: &Fitted, observed: &[f64], censored: &[f64]) -> f64 {
    let Some(law) = fitted.law() else {
        return f64::NEG_INFINITY;
    };
    let survival: f64 = censored
        .iter()
        .map(|&c| (1.0 - law.cdf(c)).max(1e-300).ln())
        .sum();
    let ll = loglik(fitted, observed) + survival;
    if ll.is_finite() {
        ll
    } else {
        f64::NEG_INFINITY
    }
}

/// Minimises `f` over two parameters from `x0` (simplex of side `step`).
fn nelder_mead(f: impl Fn([f64; 2]) -> f64, x0: [f64; 2], step: f64) -> [f64; 2] {
    let value = |p: [f64; 2]| {
        let v = f(p);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let mut simplex = [x0, [x0[0] + step, x0[1]], [x0[0], x0[1] + step]];
    let mut values = simplex.map(value);
    for _ in 0..2000 {
        let mut order = [0, 1, 2];
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let [best, mid, worst] = order;
        if (values[worst] - values[best]).abs() < 1e-12 * (1.0 + values[best].abs()) {
            break;
        }
        let centroid = [
            (simplex[best][0] + simplex[mid][0]) / 2.0,
            (simplex[best][1] + simplex[mid][1]) / 2.0,
        ];
        let towards = |t: f64| {
            [
                centroid[0] + t * (simplex[worst][0] - centroid[0]),
                centroid[1] + t * (simplex[worst][1] - centroid[1]),
            ]
        };
        let reflected = towards(-1.0);
        let fr = value(reflected);
        if fr < values[best] {
            let expanded = towards(-2.0);
            let fe = value(expanded);
            if fe < fr {
                simplex[worst] = expanded;
                values[worst] = fe;
            } else {
                simplex[worst] = reflected;
                values[worst] = fr;
            }
        } else if fr < values[mid] {
            simplex[worst] = reflected;
            values[worst] = fr;
        } else {
            let contracted = towards(0.5);
            let fc = value(contracted);
            if fc < values[worst] {
                simplex[worst] = contracted;
                values[worst] = fc;
            } else {
                for i in [mid, worst] {
                    simplex[i] = [
                        (simplex[i][0] + simplex[best][0]) / 2.0,
                        (simplex[i][1] + simplex[best][1]) / 2.0,
                    ];
                    values[i] = value(simplex[i]);
                }
            }
        }
    }
    let best = (0..3)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    simplex[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let p = nelder_mead(
            |p| (p[0] - 1.0).powi(2) + 3.0 * (p[1] + 2.0).powi(2),
            [0.0, 0.0],
            0.5,
        );
        assert!(
            (p[0] - 1.0).abs() < 1e-5 && (p[1] + 2.0).abs() < 1e-5,
            "{p:?}"
        );
    }

    #[test]
    fn censored_lognormal_and_gamma_maximise_the_likelihood() {
        let observed = [3.0, 5.0, 7.5, 2.0, 9.0, 4.4, 6.1, 3.3];
        let censored = [10.0, 12.0];
        for family in ["lognormal", "gamma"] {
            let best = fit_censored(family, &observed, &censored).unwrap();
            let ll = censored_loglik(&best, &observed, &censored);
            // Nudging any parameter lowers the likelihood.
            for (i, delta) in [(0, 1.01), (0, 0.99), (1, 1.01), (1, 0.99)] {
                let nudged = match best {
                    Fitted::LogNormal { mean, cv } => {
                        let p = [mean, cv];
                        let mut q = p;
                        q[i] *= delta;
                        Fitted::LogNormal {
                            mean: q[0],
                            cv: q[1],
                        }
                    }
                    Fitted::Gamma { mean, cv } => {
                        let p = [mean, cv];
                        let mut q = p;
                        q[i] *= delta;
                        Fitted::Gamma {
                            mean: q[0],
                            cv: q[1],
                        }
                    }
                    _ => unreachable!(),
                };
                assert!(
                    censored_loglik(&nudged, &observed, &censored) <= ll + 1e-9,
                    "{family}"
                );
            }
        }
    }
}
