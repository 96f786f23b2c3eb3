//! The trace of one replication: every change of a machine's state or of
//! its activity (the bottleneck measure's *active*), over a window of
//! simulated time. Off unless asked for; then the engine calls
//! [`Recorder::record`] for each station whose machines may have changed.

use crate::model::MachineState;

/// One change: from `time_min` on, the machine is in `state`, active or not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceRow {
    /// Simulated time from the start of the run (warm-up included), minutes.
    pub time_min: f64,
    pub station: u32,
    /// The machine's index within its station, from 0.
    pub machine: u32,
    pub state: MachineState,
    /// Whether the machine counts as active: busy, in setup, down, waiting
    /// for an operator, or off shift with work waiting.
    pub active: bool,
}

/// What to trace: `[from_min, to_min]` of simulated time, at most `limit`
/// rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceWindow {
    pub from_min: f64,
    pub to_min: f64,
    pub limit: usize,
}

/// The trace of a replication, or how far it got before the row limit.
#[derive(Clone, Debug)]
pub struct Trace {
    /// The state of every machine at the window's start, then each change
    /// in the window, in the order they happened (several may share an
    /// instant; the last one stands), then the state of every machine at
    /// the window's end (or the run's, if that comes first).
    pub rows: Vec<TraceRow>,
    /// Set when the window held more than `limit` rows: the time of the
    /// change that would have exceeded it (`rows` stops there).
    pub overflow_at_min: Option<f64>,
}

/// Records changes as the engine reports them.
#[derive(Debug)]
pub struct Recorder {
    window: TraceWindow,
    /// The last (state, active) of each machine, recorded or not.
    last: Vec<(MachineState, bool)>,
    /// Each machine's (station, index in its station).
    place: Vec<(u32, u32)>,
    started: bool,
    trace: Trace,
}

impl Recorder {
    /// A recorder for machines placed at `place`, all starved and inactive
    /// at time 0.
    pub fn new(window: TraceWindow, place: Vec<(u32, u32)>) -> Recorder {
        Recorder {
            window,
            last: vec![(MachineState::Starved, false); place.len()],
            place,
            started: false,
            trace: Trace {
                rows: Vec::new(),
                overflow_at_min: None,
            },
        }
    }

    /// Machine `machine` is in `state`, active or not, at `now`.
    pub fn record(&mut self, now: f64, machine: usize, state: MachineState, active: bool) {
        if self.last[machine] == (state, active) || now > self.window.to_min {
            // No change, or one after the window: `last` keeps the state
            // at the window's end.
            return;
        }
        if now >= self.window.from_min && !self.started {
            self.snapshot();
        }
        self.last[machine] = (state, active);
        if self.started {
            self.push(now, machine);
        }
    }

    /// The state of every machine at the window's start.
    fn snapshot(&mut self) {
        self.started = true;
        for machine in 0..self.last.len() {
            self.push(self.window.from_min, machine);
        }
    }

    fn push(&mut self, time_min: f64, machine: usize) {
        if self.trace.overflow_at_min.is_some() {
            return;
        }
        if self.trace.rows.len() >= self.window.limit {
            self.trace.overflow_at_min = Some(time_min);
            return;
        }
        let (state, active) = self.last[machine];
        let (station, index) = self.place[machine];
        self.trace.rows.push(TraceRow {
            time_min,
            station,
            machine: index,
            state,
            active,
        });
    }

    /// The trace, once the run has ended at `end_min` (a window that starts
    /// later holds no rows).
    pub fn finish(mut self, end_min: f64) -> Trace {
        if self.window.from_min > end_min {
            return self.trace;
        }
        if !self.started {
            self.snapshot();
        }
        let close = self.window.to_min.min(end_min);
        for machine in 0..self.last.len() {
            self.push(close, machine);
        }
        self.trace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorder(from: f64, to: f64, limit: usize) -> Recorder {
        Recorder::new(
            TraceWindow {
                from_min: from,
                to_min: to,
                limit,
            },
            vec![(0, 0), (1, 0)],
        )
    }

    #[test]
    fn the_window_starts_with_every_machine_and_keeps_only_changes_inside() {
        let mut r = recorder(10.0, 20.0, 100);
        r.record(5.0, 0, MachineState::Busy, true);
        r.record(5.0, 0, MachineState::Busy, true); // no change: no row
        r.record(12.0, 1, MachineState::Blocked, false);
        r.record(25.0, 0, MachineState::Starved, false);
        let trace = r.finish(30.0);
        let rows: Vec<(f64, u32, MachineState)> = trace
            .rows
            .iter()
            .map(|r| (r.time_min, r.station, r.state))
            .collect();
        assert_eq!(
            rows,
            [
                (10.0, 0, MachineState::Busy),
                (10.0, 1, MachineState::Starved),
                (12.0, 1, MachineState::Blocked),
                (20.0, 0, MachineState::Busy),
                (20.0, 1, MachineState::Blocked)
            ]
        );
        assert_eq!(trace.overflow_at_min, None);
    }

    #[test]
    fn the_row_limit_stops_the_trace_and_says_when() {
        let mut r = recorder(0.0, 100.0, 3);
        r.record(1.0, 0, MachineState::Busy, true);
        r.record(2.0, 0, MachineState::Starved, false);
        r.record(3.0, 1, MachineState::Busy, true);
        let trace = r.finish(100.0);
        assert_eq!(trace.rows.len(), 3);
        assert_eq!(trace.overflow_at_min, Some(2.0));
    }
}
