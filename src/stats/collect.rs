//! Bounded-memory collectors filled during a replication: a time-weighted
//! level (a buffer's content), a time-binned level (the WIP curve) and a
//! log-binned histogram (lead times). Their size is fixed when the run
//! starts, whatever the horizon.

/// A time-weighted level (buffer content, WIP): its integral over time.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeWeighted {
    pub level: u64,
    last_min: f64,
    area: f64,
}

impl TimeWeighted {
    /// The level changes to `level` at `now` (>= the previous change).
    #[inline(always)]
    pub fn set(&mut self, now: f64, level: u64) {
        // Levels stay far below 2^63, where the signed conversion (one
        // instruction) equals the unsigned one (several).
        self.area += self.level as i64 as f64 * (now - self.last_min);
        self.last_min = now;
        self.level = level;
    }

    /// Forgets the area so far: the integral starts again at `now`.
    pub fn restart(&mut self, now: f64) {
        self.area = 0.0;
        self.last_min = now;
    }

    /// The time-average level over the `length` minutes up to `now`.
    pub fn mean(&mut self, now: f64, length: f64) -> f64 {
        self.set(now, self.level);
        if length > 0.0 {
            self.area / length
        } else {
            0.0
        }
    }
}

/// Number of time bins of a level series over the whole run.
pub const SERIES_BINS: usize = 240;

/// Time-average of a level in each of [`SERIES_BINS`] equal bins of `[0, end]`.
#[derive(Clone, Debug)]
pub struct BinnedLevel {
    width: f64,
    /// `1 / width`: a multiplication per change instead of a division.
    per_width: f64,
    area: Vec<f64>,
    level: f64,
    last: f64,
    /// The bin of `last`.
    last_bin: usize,
}

impl BinnedLevel {
    /// A series over `[0, end_min]`.
    pub fn new(end_min: f64) -> Self {
        let width = end_min.max(f64::MIN_POSITIVE) / SERIES_BINS as f64;
        Self {
            width,
            per_width: 1.0 / width,
            area: vec![0.0; SERIES_BINS],
            level: 0.0,
            last: 0.0,
            last_bin: 0,
        }
    }

    #[inline]
    fn bin(&self, t: f64) -> usize {
        ((t * self.per_width) as usize).min(SERIES_BINS - 1)
    }

    /// The level changes to `level` at `now` (>= the previous change).
    /// Cost: O(1) plus the number of whole bins skipped.
    #[inline(always)]
    pub fn set(&mut self, now: f64, level: f64) {
        let (first, last) = (self.last_bin, self.bin(now));
        if first == last {
            self.area[first] += self.level * (now - self.last);
        } else {
            self.area[first] += self.level * ((first + 1) as f64 * self.width - self.last);
            for bin in first + 1..last {
                self.area[bin] += self.level * self.width;
            }
            self.area[last] += self.level * (now - last as f64 * self.width);
        }
        self.last = now;
        self.last_bin = last;
        self.level = level;
    }

    /// The time-average level of each bin, closing the series at `end_min`.
    pub fn finish(mut self, end_min: f64) -> Vec<f64> {
        self.set(end_min, self.level);
        let width = self.width;
        self.area.into_iter().map(|a| a / width).collect()
    }

    /// The width of one bin, minutes.
    pub fn bin_width_min(&self) -> f64 {
        self.width
    }
}

/// A histogram of positive values with log-linear bins: each power of two
/// from 2^-10 to 2^20 minutes (0.06 s to two years) is split into 32 equal
/// bins (at most 3.1 % wide), plus an underflow and an overflow bin. The bin
/// of a value is read off its floating-point exponent and leading mantissa
/// bits: no logarithm per value.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    pub counts: Vec<u64>,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: vec![0; Self::BINS + 2],
        }
    }
}

impl Histogram {
    const MIN_EXPONENT: i32 = -10;
    const MAX_EXPONENT: i32 = 20;
    const SUB_BITS: u32 = 5;
    /// Number of regular bins.
    pub const BINS: usize = ((Self::MAX_EXPONENT - Self::MIN_EXPONENT) as usize) << Self::SUB_BITS;

    /// Records one value. Cost: a few integer operations.
    #[inline]
    pub fn add(&mut self, value: f64) {
        let bits = value.to_bits();
        let exponent = ((bits >> 52) & 0x7FF) as i32 - 1023;
        let index = if value < 0.0 || exponent < Self::MIN_EXPONENT || value.is_nan() {
            0
        } else if exponent >= Self::MAX_EXPONENT {
            Self::BINS + 1
        } else {
            let sub = ((bits >> (52 - Self::SUB_BITS)) & ((1 << Self::SUB_BITS) - 1)) as usize;
            1 + (((exponent - Self::MIN_EXPONENT) as usize) << Self::SUB_BITS) + sub
        };
        self.counts[index] += 1;
    }

    /// Lower and upper edge of bin `index` (0 is underflow: from 0).
    pub fn edges(index: usize) -> (f64, f64) {
        let low_edge = 2f64.powi(Self::MIN_EXPONENT);
        match index {
            0 => (0.0, low_edge),
            i if i == Self::BINS + 1 => (2f64.powi(Self::MAX_EXPONENT), f64::INFINITY),
            i => {
                let bin = i - 1;
                let octave = 2f64.powi(Self::MIN_EXPONENT + (bin >> Self::SUB_BITS) as i32);
                let sub = (bin & ((1 << Self::SUB_BITS) - 1)) as f64;
                let step = octave / f64::from(1u32 << Self::SUB_BITS);
                (octave + sub * step, octave + (sub + 1.0) * step)
            }
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The `q` quantile, interpolated inside its bin (NaN when empty).
    /// Resolution: the bin width, at most 3.1 %.
    pub fn quantile(&self, q: f64) -> f64 {
        quantile_of_bins(
            self.counts
                .iter()
                .enumerate()
                .map(|(i, &c)| (Self::edges(i), c as f64)),
            q,
        )
    }
}

/// The `q` quantile of weighted bins `((low, high), weight)` in ascending
/// order, interpolated geometrically inside a bin (linearly from 0).
pub fn quantile_of_bins(bins: impl Iterator<Item = ((f64, f64), f64)> + Clone, q: f64) -> f64 {
    let total: f64 = bins.clone().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return f64::NAN;
    }
    let target = q * total;
    let mut cumulative = 0.0;
    for ((low, high), weight) in bins {
        if weight <= 0.0 {
            continue;
        }
        if cumulative + weight >= target {
            let fraction = ((target - cumulative) / weight).clamp(0.0, 1.0);
            if !high.is_finite() {
                return low;
            }
            return if low > 0.0 {
                low * (high / low).powf(fraction)
            } else {
                high * fraction
            };
        }
        cumulative += weight;
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binned_level_integrates_exactly() {
        // Level 2 on [0, 15), 5 on [15, 40) over 4 bins of 10.
        let mut series = BinnedLevel::new(40.0);
        series.set(0.0, 2.0);
        series.set(15.0, 5.0);
        let means = series.finish(40.0);
        assert_eq!(means.len(), SERIES_BINS);
        let width = 40.0 / SERIES_BINS as f64;
        let total: f64 = means.iter().map(|m| m * width).sum();
        assert!((total - (2.0 * 15.0 + 5.0 * 25.0)).abs() < 1e-9);
        assert!((means[0] - 2.0).abs() < 1e-12 && (means[SERIES_BINS - 1] - 5.0).abs() < 1e-12);
    }

    #[test]
    fn histogram_quantiles_within_a_bin() {
        let mut h = Histogram::default();
        for i in 1..=10_000 {
            h.add(i as f64 / 100.0); // uniform on (0, 100]
        }
        assert_eq!(h.total(), 10_000);
        for q in [0.5, 0.95] {
            let expected = 100.0 * q;
            assert!(
                (h.quantile(q) / expected - 1.0).abs() < 0.036,
                "q {q}: {}",
                h.quantile(q)
            );
        }
        h.add(0.0);
        h.add(1e9);
        assert_eq!(h.counts[0], 1);
        assert_eq!(h.counts[Histogram::BINS + 1], 1);
        // Every value lands in the bin whose edges enclose it.
        for value in [0.001, 0.5, 1.0, 1.03, 3.7, 1000.0, 123456.0] {
            let mut one = Histogram::default();
            one.add(value);
            let bin = one.counts.iter().position(|&c| c == 1).unwrap();
            let (low, high) = Histogram::edges(bin);
            assert!(
                low <= value && value < high,
                "{value} not in [{low}, {high})"
            );
            assert!(high / low <= 1.0 + 1.0 / 32.0 + 1e-12);
        }
    }
}
