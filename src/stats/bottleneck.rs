//! The active-period bottleneck measure (Roser, Nakano & Tanaka 2001,
//! 2002), computed while the run goes on, in bounded memory.
//!
//! A station is *active* or not at each instant (the engine decides which:
//! docs/SCENARIOS.md, "Bottleneck"). An *active period* is a maximal run of
//! active time; an inactive spell of no duration (a machine that hands over
//! its part and takes the next at the same instant) does not end it. At
//! each instant the *momentary bottleneck* is the station whose current
//! active period is the longest in total (from its start to its end, not
//! only so far); equal longest periods are all bottlenecks. Every period
//! that is the momentary bottleneck somewhere is a *bottleneck period*. An
//! instant covered by one bottleneck period is *sole* for its station; one
//! covered by several (the previous bottleneck's period still running as
//! the next one takes over) is *shifting* for each of their stations.
//! Instants when no station is active count for none.
//!
//! How it is decided on the fly. A period P is a bottleneck period unless
//! every instant of it is covered by a strictly longer period; a longer
//! period cannot lie inside P, so it covers P's start or P's end. When P
//! ends:
//!
//! - if a period that started before P is still running, it covers all of
//!   P and is longer: P is not a bottleneck period. This is the common
//!   case, decided in a few instructions (the running periods are kept in
//!   the order they started);
//! - otherwise P is a *candidate*: the longer periods covering its start
//!   have all ended and are among the remembered ones (candidates and
//!   bottleneck periods; a period found not to be one is covered by longer
//!   ones wherever it is, so forgetting it loses nothing); they cover P up
//!   to some instant `a`. If `a` reaches P's end, P is covered. Else P is
//!   a bottleneck period unless a period running at P's end that started
//!   at or before `a` turns out longer than P: P waits until each such
//!   period has ended or outgrown it.
//!
//! Time before the earliest start of a running period or a waiting
//! candidate can no longer change, and is counted then: sole where one
//! bottleneck period covers it, shifting where several do. What is kept is
//! the running periods (at most one per station), the waiting candidates
//! and the bottleneck periods not yet counted: bounded by the number of
//! stations, not by the horizon.

const NONE: u32 = u32::MAX;

/// A remembered period that ended: a bottleneck period not yet counted,
/// or (in [`Waiting`]) a waiting candidate.
#[derive(Clone, Copy, Debug)]
struct Ended {
    station: u32,
    start: f64,
    end: f64,
}

/// A waiting candidate: the longer periods covering its start reach to
/// `reach`.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    period: Ended,
    reach: f64,
}

impl Ended {
    fn length(&self) -> f64 {
        self.end - self.start
    }
}

/// A station's activity and running period.
#[derive(Clone, Copy, Debug)]
struct Track {
    /// Start of the running period (`NaN`: none).
    start: f64,
    /// Neighbours in the list of running periods.
    prev: u32,
    next: u32,
    /// Activity, as last set.
    active: bool,
    /// Inactive since `last`: its period ends when time moves on.
    closing: bool,
}

/// The on-the-fly tracker of one replication.
#[derive(Debug)]
pub struct ActivePeriods {
    /// Start of the measured period: time before it is not counted.
    measure_from: f64,
    /// Time of the latest change of activity.
    last: f64,
    /// Each station's activity and running period.
    st: Vec<Track>,
    /// The running periods in the order they started: a list through the
    /// stations, from `head` to `tail`.
    head: u32,
    tail: u32,
    /// Bottleneck periods not yet wholly counted, in the order they were
    /// found to be.
    ended: Vec<Ended>,
    /// Waiting candidates, in the order they ended.
    waiting: Vec<Waiting>,
    /// Remembered periods (both kinds) beyond which the settled time is
    /// counted and what is counted forgotten.
    settle_at: usize,
    /// Time counted so far.
    counted_to: f64,
    /// Stations inactive since `last` whose periods end when time moves on.
    closing: Vec<u32>,
    /// Scratch space for counting: period bounds, and the stations whose
    /// bottleneck periods cover the current instant.
    points: Vec<(f64, i8, u32)>,
    covering: Vec<u32>,
    sole_min: Vec<f64>,
    shifting_min: Vec<f64>,
}

/// Sole and shifting bottleneck time of each station, minutes of the
/// measured period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BottleneckTimes {
    pub sole_min: Vec<f64>,
    pub shifting_min: Vec<f64>,
}

impl ActivePeriods {
    /// A tracker of `stations` stations, all inactive at time 0, counting
    /// time from `measure_from` on.
    pub fn new(stations: usize, measure_from: f64) -> Self {
        Self {
            measure_from,
            last: 0.0,
            st: vec![
                Track {
                    start: f64::NAN,
                    prev: NONE,
                    next: NONE,
                    active: false,
                    closing: false,
                };
                stations
            ],
            head: NONE,
            tail: NONE,
            ended: Vec::with_capacity(2 * stations + 10),
            waiting: Vec::with_capacity(stations + 1),
            settle_at: 2 * stations + 8,
            counted_to: 0.0,
            points: Vec::with_capacity(4 * stations + 20),
            covering: Vec::with_capacity(stations),
            closing: Vec::with_capacity(stations),
            sole_min: vec![0.0; stations],
            shifting_min: vec![0.0; stations],
        }
    }

    /// From `now` on, `station` is active (or not). Times never decrease.
    ///
    /// A period starts at once; its end takes effect when time moves on,
    /// so that a station inactive for no time keeps its period.
    #[inline(always)]
    pub fn set_active(&mut self, station: usize, active: bool, now: f64) {
        if now > self.last {
            if !self.closing.is_empty() {
                self.end_periods();
            }
            self.last = now;
        }
        let t = &mut self.st[station];
        if active == t.active {
            return;
        }
        t.active = active;
        if active {
            if t.closing {
                self.reopen(station);
            } else {
                self.open(station, now);
            }
        } else if t.start == now {
            // Active for no time: no period.
            self.unlink(station);
        } else {
            t.closing = true;
            self.closing.push(station as u32);
        }
    }

    /// A station inactive for no time is active again: its period goes on.
    #[inline(never)]
    fn reopen(&mut self, station: usize) {
        self.st[station].closing = false;
        let i = self.closing.iter().position(|&c| c as usize == station);
        self.closing.swap_remove(i.expect("listed while closing"));
    }

    /// Ends the run at `end`: periods still running end there (their length
    /// is what was seen), and all time is counted.
    pub fn finish(mut self, end: f64) -> BottleneckTimes {
        for station in 0..self.st.len() {
            self.set_active(station, false, end);
        }
        self.last = self.last.max(end);
        if !self.closing.is_empty() {
            self.end_periods();
        }
        debug_assert!(self.head == NONE);
        debug_assert!(self.waiting.is_empty());
        self.count_to(self.last);
        BottleneckTimes {
            sole_min: self.sole_min,
            shifting_min: self.shifting_min,
        }
    }

    /// Remembered periods (for the memory bound's test).
    pub fn remembered(&self) -> usize {
        self.ended.len() + self.waiting.len()
    }

    /// The periods of the `closing` stations end at `last`.
    #[inline(always)]
    fn end_periods(&mut self) {
        // The common case: one period ends, covered by an older running
        // period, and no candidate waits.
        if self.waiting.is_empty() && self.closing.len() == 1 {
            let station = self.closing[0] as usize;
            let head = self.head as usize;
            if station != head && self.st[head].start < self.st[station].start {
                self.st[station].closing = false;
                self.unlink(station);
                self.closing.clear();
                return;
            }
        }
        self.end_periods_slow();
    }

    /// [`Self::end_periods`] when it takes more than a glance.
    #[inline(never)]
    fn end_periods_slow(&mut self) {
        let at = self.last;
        let head = self.head;
        if self.waiting.is_empty() {
            let head_start = self.st[head as usize].start;
            let covered = self
                .closing
                .iter()
                .all(|&station| station != head && head_start < self.st[station as usize].start);
            if covered {
                for i in 0..self.closing.len() {
                    let station = self.closing[i] as usize;
                    self.st[station].closing = false;
                    self.unlink(station);
                }
                self.closing.clear();
                return;
            }
        }
        for i in 0..self.closing.len() {
            let station = self.closing[i] as usize;
            self.st[station].closing = false;
        }
        self.close(at);
        self.closing.clear();
        // Counting can wait (it is exact whenever it is done) until enough
        // is remembered to be worth it.
        if self.remembered() > self.settle_at {
            self.count_settled();
        }
    }

    /// The periods of the `closing` stations end at `at`.
    fn close(&mut self, at: f64) {
        let earliest = self.st[self.head as usize].start;
        let had_waiting = !self.waiting.is_empty();
        // Waiting candidates learn the length of the periods they wait for.
        if had_waiting {
            let (st, closing) = (&self.st, &self.closing);
            keep(&mut self.waiting, |w| {
                !closing.iter().any(|&q| {
                    let q_start = st[q as usize].start;
                    let e = &w.period;
                    e.start <= q_start && q_start <= w.reach && at - q_start > e.end - e.start
                })
            });
        }
        // The ending periods: covered by an older running one, or candidates.
        let mut candidates = false;
        for i in 0..self.closing.len() {
            let station = self.closing[i] as usize;
            let start = self.st[station].start;
            if earliest < start {
                continue;
            }
            let length = at - start;
            let mut reach = start;
            let mut widen = |e: &Ended| {
                if e.start <= start && start < e.end && e.length() > length {
                    reach = reach.max(e.end);
                }
            };
            self.ended.iter().for_each(&mut widen);
            self.waiting.iter().for_each(|w| widen(&w.period));
            if reach < at {
                self.waiting.push(Waiting {
                    period: Ended {
                        station: station as u32,
                        start,
                        end: at,
                    },
                    reach,
                });
                candidates = true;
            }
        }
        for i in 0..self.closing.len() {
            let station = self.closing[i] as usize;
            self.unlink(station);
        }
        if candidates || had_waiting {
            self.decide_waiting(at);
        }
    }

    /// Decides the waiting candidates that can be: a running period that
    /// started within the candidate's reach and already outgrew it covers
    /// the rest of it; with no such period left running, it is a
    /// bottleneck period.
    fn decide_waiting(&mut self, now: f64) {
        let (st, head, ended) = (&self.st, self.head, &mut self.ended);
        keep(&mut self.waiting, |w| {
            let e = &w.period;
            let mut watched = false;
            let mut q = head;
            while q != NONE {
                let q_start = st[q as usize].start;
                if q_start > w.reach {
                    break;
                }
                if q_start >= e.start {
                    watched = true;
                    if now - q_start > e.length() {
                        // Covered: forgotten.
                        return false;
                    }
                    // The running periods are in start order: one that
                    // started later is shorter so far, and covers it no
                    // sooner.
                    break;
                }
                q = st[q as usize].next;
            }
            if !watched {
                ended.push(*e);
            }
            watched
        });
    }

    /// Counts the time that can no longer change, and forgets the
    /// bottleneck periods wholly counted.
    fn count_settled(&mut self) {
        let mut settled = if self.head == NONE {
            self.last
        } else {
            self.st[self.head as usize].start
        };
        for w in &self.waiting {
            settled = settled.min(w.period.start);
        }
        if settled > self.counted_to {
            self.count_to(settled);
        }
        let counted = self.counted_to;
        let horizon = if self.head == NONE {
            self.last
        } else {
            self.st[self.head as usize].start
        };
        // A counted bottleneck period that ended before every running one
        // started can cover no later candidate's start.
        self.ended.retain(|e| e.end > counted || e.end > horizon);
    }

    /// Counts `[counted_to, to)`: sole where one bottleneck period covers
    /// an instant, shifting where several do: a sweep over the bounds of
    /// the bottleneck periods in time order (ends before starts at one
    /// instant), keeping the stations that cover.
    fn count_to(&mut self, to: f64) {
        let from = self.counted_to.max(self.measure_from);
        self.counted_to = to;
        if to <= from {
            return;
        }
        // (time, +1 start / -1 end, station), clipped to [from, to].
        self.points.clear();
        for e in &self.ended {
            if e.end > from && e.start < to {
                self.points.push((e.start.max(from), 1, e.station));
                self.points.push((e.end.min(to), -1, e.station));
            }
        }
        // Unstable: the order of equal bounds changes no sum.
        self.points
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.covering.clear();
        let mut at = from;
        for &(time, step, station) in &self.points {
            if time > at {
                let length = time - at;
                match self.covering.len() {
                    0 => {}
                    1 => self.sole_min[self.covering[0] as usize] += length,
                    _ => {
                        for &c in &self.covering {
                            self.shifting_min[c as usize] += length;
                        }
                    }
                }
                at = time;
            }
            if step > 0 {
                self.covering.push(station);
            } else {
                let i = self.covering.iter().position(|&c| c == station);
                self.covering
                    .swap_remove(i.expect("a period ends after it starts"));
            }
        }
    }

    #[inline(always)]
    fn open(&mut self, station: usize, at: f64) {
        self.st[station].start = at;
        self.st[station].prev = self.tail;
        self.st[station].next = NONE;
        if self.tail == NONE {
            self.head = station as u32;
        } else {
            self.st[self.tail as usize].next = station as u32;
        }
        self.tail = station as u32;
    }

    #[inline(always)]
    fn unlink(&mut self, station: usize) {
        unlink(&mut self.st, &mut self.head, &mut self.tail, station);
    }
}

/// Keeps the waiting candidates for which `kept` says so, in order: what
/// `Vec::retain` does, without its set-up, for a list of a few.
#[inline(always)]
fn keep(waiting: &mut Vec<Waiting>, mut kept: impl FnMut(&Waiting) -> bool) {
    let mut n = 0;
    for i in 0..waiting.len() {
        let w = waiting[i];
        if kept(&w) {
            waiting[n] = w;
            n += 1;
        }
    }
    waiting.truncate(n);
}

/// Takes `station` out of the list of running periods from `head` to
/// `tail` through `st` (the parts borrowed apart, so that the slice's
/// address stays in a register while the links are written: 2–3 fewer
/// instructions per event on line5 than the same code on `&mut self`).
#[inline(always)]
fn unlink(st: &mut [Track], head: &mut u32, tail: &mut u32, station: usize) {
    let (p, n) = (st[station].prev, st[station].next);
    if p == NONE {
        *head = n;
    } else {
        st[p as usize].next = n;
    }
    if n == NONE {
        *tail = p;
    } else {
        st[n as usize].prev = p;
    }
    st[station].start = f64::NAN;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the tracker over `(time, station, active)` changes.
    fn track(stations: usize, changes: &[(f64, usize, bool)], end: f64) -> BottleneckTimes {
        let mut t = ActivePeriods::new(stations, 0.0);
        for &(time, station, active) in changes {
            t.set_active(station, active, time);
        }
        t.finish(end)
    }

    #[test]
    fn one_station_always_active_is_the_sole_bottleneck() {
        let r = track(2, &[(0.0, 0, true), (1.0, 1, true), (2.0, 1, false)], 10.0);
        assert_eq!(r.sole_min, vec![10.0, 0.0]);
        assert_eq!(r.shifting_min, vec![0.0, 0.0]);
    }

    #[test]
    fn identical_overlapping_periods_shift_for_both() {
        let r = track(
            2,
            &[
                (1.0, 0, true),
                (1.0, 1, true),
                (4.0, 0, false),
                (4.0, 1, false),
            ],
            10.0,
        );
        assert_eq!(r.sole_min, vec![0.0, 0.0]);
        assert_eq!(r.shifting_min, vec![3.0, 3.0]);
    }

    #[test]
    fn the_overlap_of_successive_bottlenecks_is_shifting() {
        // A active [0, 6), B active [4, 14): B is longer, so B is the
        // bottleneck from 4 on; A from 0 to 4. Overlap [4, 6) shifting for
        // both; A sole [0, 4), B sole [6, 14).
        let r = track(2, &[(0.0, 0, true), (4.0, 1, true), (6.0, 0, false)], 14.0);
        assert_eq!(r.sole_min, vec![4.0, 8.0]);
        assert_eq!(r.shifting_min, vec![2.0, 2.0]);
    }

    #[test]
    fn a_shorter_period_inside_a_longer_one_is_no_bottleneck() {
        let r = track(2, &[(0.0, 0, true), (2.0, 1, true), (3.0, 1, false)], 10.0);
        assert_eq!(r.sole_min, vec![10.0, 0.0]);
        assert_eq!(r.shifting_min, vec![0.0, 0.0]);
    }

    #[test]
    fn an_inactive_instant_of_no_duration_does_not_end_a_period() {
        // A goes inactive and active again at 5: one period [0, 10), longer
        // than B's [3, 9).
        let r = track(
            2,
            &[
                (0.0, 0, true),
                (3.0, 1, true),
                (5.0, 0, false),
                (5.0, 0, true),
                (9.0, 1, false),
            ],
            10.0,
        );
        assert_eq!(r.sole_min, vec![10.0, 0.0]);
    }

    #[test]
    fn time_with_no_station_active_counts_for_none() {
        let r = track(1, &[(2.0, 0, true), (5.0, 0, false)], 10.0);
        assert_eq!(r.sole_min, vec![3.0]);
    }

    #[test]
    fn time_before_the_measured_period_is_not_counted_but_lengths_are() {
        // A [0, 8) is longer than B [5, 10); measuring from 6.
        let mut t = ActivePeriods::new(2, 6.0);
        t.set_active(0, true, 0.0);
        t.set_active(1, true, 5.0);
        t.set_active(0, false, 8.0);
        let r = t.finish(10.0);
        // B is the bottleneck from 8 on (sole); overlap [5, 8) was A's
        // bottleneck time with B's period running: shifting for both,
        // counted from 6.
        assert_eq!(r.sole_min, vec![0.0, 2.0]);
        assert_eq!(r.shifting_min, vec![2.0, 2.0]);
    }

    #[test]
    fn a_waiting_candidate_outgrown_by_a_later_period_is_no_bottleneck() {
        // E [0, 8), A [2, 9), B [3, 20), C [5, 20), F [10, 11) and from 12.
        // A ends with no older period running, so it waits: E (longer)
        // covers it to 8, and B and C, started by then, may outgrow it. B
        // does at 10, which F's end finds (when time moves on to 12): A is
        // forgotten, only E is remembered. The bottleneck is E on [0, 3),
        // B from 3 on (longest); their periods overlap on [3, 8): shifting.
        let mut t = ActivePeriods::new(5, 0.0);
        for (time, station, active) in [
            (0.0, 0, true),
            (2.0, 1, true),
            (3.0, 2, true),
            (5.0, 3, true),
            (8.0, 0, false),
            (9.0, 1, false),
            (10.0, 4, true),
            (11.0, 4, false),
            (12.0, 4, true),
        ] {
            t.set_active(station, active, time);
        }
        assert_eq!(t.remembered(), 1, "A forgotten, E remembered");
        let r = t.finish(20.0);
        assert_eq!(r.sole_min, vec![3.0, 0.0, 12.0, 0.0, 0.0]);
        assert_eq!(r.shifting_min, vec![5.0, 0.0, 5.0, 0.0, 0.0]);
    }

    #[test]
    fn memory_stays_bounded_while_two_stations_stay_active() {
        // Two stations active throughout, a third toggling a million times.
        let mut t = ActivePeriods::new(3, 0.0);
        t.set_active(0, true, 0.0);
        t.set_active(1, true, 0.0);
        let mut peak = 0;
        for k in 0..1_000_000u32 {
            t.set_active(2, k % 2 == 0, 1.0 + f64::from(k));
            peak = peak.max(t.remembered());
        }
        assert!(peak <= 8, "pending segments {peak}");
        let r = t.finish(2e6);
        // A and B have equal periods [0, 2e6): shifting for both throughout.
        assert_eq!(r.shifting_min[0], 2e6);
        assert_eq!(r.shifting_min[1], 2e6);
        assert_eq!(r.sole_min[2] + r.shifting_min[2], 0.0);
    }
}
