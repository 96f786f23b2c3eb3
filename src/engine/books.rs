//! Bookkeeping: time in each machine state, the set of machines that could
//! take a part, buffer levels, the parts in the line (WIP, lead times), and
//! the start and end of measuring.

use super::records::{activity, flags, Part, Phase, NONE};
use super::result::{Deadlock, ReplicationResult, StationResult};
use super::state::{Hot, Sim};
use super::trace::Trace;
use crate::model::{MachineState, OperatorTask, MIN_PER_DAY, MIN_PER_H};
use crate::stats::bottleneck::ActivePeriods;
use crate::stats::collect::Histogram;

/// The machines a debug build checks after each event.
const CHECKED_MACHINES: usize = 256;

impl<const FULL: bool> Hot<'_, FULL> {
    /// Records time spent in the current state and enters `state`.
    #[inline(always)]
    pub fn set_state(&mut self, machine: usize, state: MachineState) {
        let m = &mut self.machines[machine];
        let elapsed = self.now - m.since_min;
        let station = m.station as usize;
        let old = m.state;
        m.state = state;
        m.since_min = self.now;
        self.stations[station].result.state_min[old] += elapsed;
        debug_assert!(
            FULL || state != MachineState::OffShift,
            "off shift around the clock"
        );
        self.reclass(machine);
        if FULL && self.books.trace.is_some() {
            self.trace_station(station);
        }
    }

    /// Reports the machines of `station` to the trace recorder.
    #[cold]
    #[inline(never)]
    fn trace_station(&mut self, station: usize) {
        let s = &self.stations[station];
        let work = s.work_waiting(self.unlimited);
        let first = s.first_machine as usize;
        let count = self.model.stations[station].machines as usize;
        let Some(recorder) = self.books.trace.as_deref_mut() else {
            return;
        };
        for machine in first..first + count {
            let m = &self.machines[machine];
            let active = match m.class {
                activity::INACTIVE => false,
                activity::OFF_SHIFT_EMPTY => work,
                _ => true,
            };
            recorder.record(self.now, machine, m.state, active);
        }
    }

    /// Keeps the machine's activity class, and its station's counts, in
    /// step with its state and load; call after changing either.
    #[inline(always)]
    pub fn reclass(&mut self, machine: usize) {
        let m = &mut self.machines[machine];
        let class = activity::class(m.state, FULL && !m.parts.is_empty());
        if class == m.class {
            return;
        }
        let old = m.class as usize;
        m.class = class;
        let station = m.station as usize;
        let s = &mut self.stations[station];
        s.classes[old] -= 1;
        s.classes[class as usize] += 1;
        self.evaluate(station);
    }

    /// What waits for `station` changed: with machines off shift and empty,
    /// that changes its activity.
    #[inline(always)]
    pub fn work_changed(&mut self, station: usize) {
        if FULL && self.stations[station].classes[activity::OFF_SHIFT_EMPTY as usize] > 0 {
            self.evaluate(station);
        }
    }

    /// Brings the station's activity, and its count of machines off shift
    /// with work waiting, up to date.
    #[inline(always)]
    fn evaluate(&mut self, station: usize) {
        let s = &mut self.stations[station];
        let mut active = s.classes[activity::INACTIVE as usize] == 0;
        if FULL {
            let empty = s.classes[activity::OFF_SHIFT_EMPTY as usize];
            let loaded = s.classes[activity::OFF_SHIFT_LOADED as usize];
            let work = empty > 0 && s.work_waiting(self.unlimited);
            if empty + loaded > 0 || s.off_shift_waiting.level > 0 {
                let waiting = u64::from(loaded + if work { empty } else { 0 });
                if waiting != s.off_shift_waiting.level {
                    s.off_shift_waiting.set(self.now, waiting);
                }
            }
            active &= empty == 0 || work;
        }
        if active != s.active {
            s.active = active;
            self.books.bottleneck.set_active(station, active, self.now);
        }
        if FULL && self.books.trace.is_some() {
            self.trace_station(station);
        }
    }

    /// Whether the operator pool of the machine's station is off shift.
    #[inline(always)]
    fn pool_off_shift(&self, machine: usize) -> bool {
        let station = self.machines[machine].station as usize;
        match &self.model.stations[station].operators {
            Some(operators) => !self.pools[operators.pool].on_shift,
            None => false,
        }
    }

    /// Whether the machine may not start an operation because the plant
    /// is closed (and its station does not work lights-out).
    #[inline(always)]
    pub fn plant_closed_for(&self, machine: usize) -> bool {
        !self.plant_open && {
            let station = self.machines[machine].station as usize;
            !self.stations[station].has(flags::LIGHTS_OUT)
        }
    }

    /// Whether the machine is off shift: its pool is, or the plant is closed.
    #[inline(always)]
    fn off_shift(&self, machine: usize) -> bool {
        self.pool_off_shift(machine) || self.plant_closed_for(machine)
    }

    /// Whether a machine waiting to start waits for its operators to load
    /// (they are needed only to load and unload, and loading is a step).
    #[inline(always)]
    fn waits_to_load(&self, machine: usize) -> bool {
        let station = self.machines[machine].station as usize;
        self.stations[station].has(flags::LOAD)
            && self.model.stations[station]
                .operators
                .is_some_and(|o| o.task == OperatorTask::LoadUnload)
    }

    /// Enters the state that the machine's phase and flags imply.
    #[inline(always)]
    pub fn refresh_state(&mut self, machine: usize) {
        let state = self.implied_state(machine);
        if state != self.machines[machine].state {
            self.set_state(machine, state);
        }
    }

    /// The state that the machine's phase and flags imply.
    #[inline(always)]
    pub fn implied_state(&self, machine: usize) -> MachineState {
        let m = &self.machines[machine];
        if m.down {
            MachineState::Down
        } else {
            match m.phase {
                Phase::Leaving => MachineState::Blocked,
                Phase::Setup => MachineState::Setup,
                Phase::Processing => MachineState::Busy,
                Phase::Loading | Phase::Unloading => MachineState::LoadUnload,
                Phase::Maintenance if m.waiting_start => MachineState::OffShift,
                Phase::Maintenance => MachineState::Maintenance,
                Phase::WaitUnload if self.pool_off_shift(machine) => MachineState::OffShift,
                Phase::WaitUnload => MachineState::WaitingLoadUnload,
                Phase::Claimed if self.off_shift(machine) => MachineState::OffShift,
                Phase::Claimed if self.waits_to_load(machine) => MachineState::WaitingLoadUnload,
                Phase::Claimed => MachineState::WaitingOperator,
                Phase::Idle if self.off_shift(machine) => MachineState::OffShift,
                Phase::Idle => MachineState::Starved,
            }
        }
    }

    /// Keeps the station's set of machines that could take a part in step
    /// with the machine's phase and flags; call after changing them.
    #[inline(always)]
    pub fn update_available(&mut self, machine: usize) {
        let m = &self.machines[machine];
        let available = m.available();
        let station = m.station as usize;
        let s = &mut self.stations[station];
        s.available
            .set(machine - s.first_machine as usize, available);
    }

    /// Debug builds: every machine's recorded state is the one its phase
    /// and flags imply, and the sets of available machines agree with them,
    /// so no time is booked to a wrong state. Checks all machines of a line
    /// of up to [`CHECKED_MACHINES`], else the next window of that many
    /// after each event (`round` counts the events), so that a station of
    /// 100 000 machines is still checked through, at a bounded cost.
    #[cold]
    pub fn check_states(&self, round: u64) {
        let count = self.machines.len();
        let (start, len) = if count <= CHECKED_MACHINES {
            (0, count)
        } else {
            (
                (round as usize % count.div_ceil(CHECKED_MACHINES)) * CHECKED_MACHINES,
                CHECKED_MACHINES,
            )
        };
        for machine in start..(start + len).min(count) {
            let m = &self.machines[machine];
            debug_assert_eq!(
                m.state,
                self.implied_state(machine),
                "machine {machine} at t = {}: {:?}",
                self.now,
                m.phase
            );
            debug_assert_eq!(
                m.class,
                activity::class(m.state, !m.parts.is_empty()),
                "machine {machine}: activity class"
            );
            let s = &self.stations[m.station as usize];
            let i = machine - s.first_machine as usize;
            debug_assert_eq!(
                s.available.first_from(i) == Some(i),
                m.available(),
                "machine {machine}: available set"
            );
            if m.reserved {
                // Reserved for exactly one part on its way, and never idle
                // while up with parts waiting for it.
                debug_assert!(m.phase == Phase::Idle, "machine {machine}: reserved");
                debug_assert!(
                    m.down || s.buffer.is_empty(),
                    "machine {machine} at t = {}: reserved and up while parts wait",
                    self.now
                );
                let promised = &self.books.promised[m.station as usize];
                debug_assert_eq!(
                    promised
                        .iter()
                        .filter(|&&q| self.parts[q as usize].reserved_machine as usize == machine)
                        .count(),
                    1,
                    "machine {machine}: the part it is reserved for"
                );
            }
        }
    }

    #[inline(always)]
    pub fn set_buffer_level(&mut self, station: usize) {
        let s = &mut self.stations[station];
        s.buffer_level.set(self.now, s.buffer.len() as u64);
        self.work_changed(station);
    }

    #[inline(always)]
    pub fn set_wip(&mut self, level: u64) {
        self.books.wip.set(self.now, level);
        self.books.wip_series.set(self.now, level as i64 as f64);
    }

    /// A new part of `product` enters the line.
    #[inline(always)]
    pub fn new_part(&mut self, product: u16) -> u32 {
        self.books.released += 1;
        self.set_wip(self.books.wip.level + 1);
        let part = Part {
            product,
            position: 0,
            reserved_machine: NONE,
            entered_min: self.now,
            queued_min: self.now,
        };
        match self.free_parts.pop() {
            Some(id) => {
                self.parts[id as usize] = part;
                id
            }
            None => {
                self.parts.push(part);
                (self.parts.len() - 1) as u32
            }
        }
    }

    #[inline(always)]
    pub fn remove_part(&mut self, part: u32) {
        self.set_wip(self.books.wip.level - 1);
        self.free_parts.push(part);
    }

    /// A good part leaves the line.
    #[inline(always)]
    pub fn exit_good(&mut self, part: u32) {
        let books = &mut *self.books;
        books.good_parts += 1;
        let product = self.parts[part as usize].product as usize;
        books.good_by_product[product] += 1;
        let lead_time = self.now - self.parts[part as usize].entered_min;
        books.lead_time_sum_min += lead_time;
        books.lead_time_count += 1;
        books.lead_times.add(lead_time);
        if books.daily.is_some() {
            self.count_day();
        }
        self.remove_part(part);
    }

    /// Counts a good part in its measured day (a back-test's daily output).
    #[cold]
    #[inline(never)]
    fn count_day(&mut self) {
        let from = self.books.daily_from_min;
        if let Some(days) = self.books.daily.as_mut() {
            let day = ((self.now - from) / 1440.0).floor();
            if day >= 0.0 && (day as usize) < days.len() {
                days[day as usize] += 1;
            }
        }
    }
}

impl<const FULL: bool> Hot<'_, FULL> {
    /// The next event comes at `time`, past the end of the warm-up or of a
    /// measured day: ends them at their instants and returns the next such
    /// instant (infinite when there is none).
    #[cold]
    #[inline(never)]
    pub fn pass_marks(&mut self, time: f64, warmup: f64, measuring: &mut bool) -> f64 {
        if !*measuring {
            self.now = warmup;
            self.restart_books();
            *measuring = true;
        }
        while self.books.day_next_min < time {
            self.now = self.books.day_next_min;
            self.end_day();
        }
        self.books.day_next_min
    }

    /// A measured day ends now: the share of each (station, state) asked
    /// for over the day, from the minutes counted and the current states.
    fn end_day(&mut self) {
        let books = &mut *self.books;
        let day = books.day_shares.len() / books.day_columns.len();
        for (c, &(station, state)) in books.day_columns.iter().enumerate() {
            let s = &self.stations[station as usize];
            let first = s.first_machine as usize;
            let mut minutes = s.result.state_min[state];
            for m in &self.machines[first..first + s.machine_count as usize] {
                if m.state == state {
                    minutes += self.now - m.since_min;
                }
            }
            let day_min = f64::from(s.machine_count) * MIN_PER_DAY;
            books
                .day_shares
                .push((minutes - books.day_last_min[c]) / day_min);
            books.day_last_min[c] = minutes;
        }
        let days = books.daily.as_ref().map_or(0, Vec::len);
        books.day_next_min = if day + 1 < days {
            books.daily_from_min + MIN_PER_DAY * (day + 2) as f64
        } else {
            f64::INFINITY
        };
    }

    /// Ends the warm-up: every statistic restarts from the current state.
    #[cold]
    #[inline(never)]
    pub fn restart_books(&mut self) {
        let now = self.now;
        for machine in self.machines.iter_mut() {
            machine.since_min = now;
        }
        for station in self.stations.iter_mut() {
            station.buffer_level.restart(now);
            station.off_shift_waiting.restart(now);
            station.repair_waiting.restart(now);
            station.result = StationResult::default();
        }
        for pool in self.pools.iter_mut() {
            pool.held.restart(now);
        }
        let books = &mut *self.books;
        books.wip.restart(now);
        books.release_queue.restart(now);
        books.good_parts = 0;
        books.good_by_product.iter_mut().for_each(|g| *g = 0);
        books.scrap_parts = 0;
        books.released = 0;
        books.wip_at_start = books.wip.level;
        books.lead_time_sum_min = 0.0;
        books.lead_time_count = 0;
        books.lead_times = Histogram::default();
        books.day_last_min.iter_mut().for_each(|m| *m = 0.0);
    }
}

impl Sim<'_> {
    /// Each station's figures over the `measured` minutes up to now.
    fn station_results(
        &mut self,
        measured: f64,
        bottleneck: &crate::stats::bottleneck::BottleneckTimes,
    ) -> Vec<StationResult> {
        let now = self.now;
        self.stations
            .iter_mut()
            .zip(&self.model.stations)
            .enumerate()
            .map(|(i, (s, spec))| {
                let mut result = std::mem::take(&mut s.result);
                result.buffer_mean = s.buffer_level.mean(now, measured);
                result.bottleneck_sole_min = bottleneck.sole_min[i];
                result.bottleneck_shifting_min = bottleneck.shifting_min[i];
                result.off_shift_waiting_min = s.off_shift_waiting.mean(now, measured) * measured;
                result.repair_waiting_min = s.repair_waiting.mean(now, measured) * measured;
                if let Some(energy) = &spec.energy {
                    result.energy_kwh = result
                        .state_min
                        .states()
                        .map(|(state, minutes)| minutes * energy.kw(state))
                        .sum::<f64>()
                        / MIN_PER_H;
                }
                result
            })
            .collect()
    }

    /// Closes every account at the current time and hands the results over.
    #[cold]
    pub fn finish(mut self, deadlock: Option<Deadlock>) -> (ReplicationResult, Option<Trace>) {
        let now = self.now;
        let start = self.settings.warmup_min.min(now);
        let measured = now - start;
        let mut hot = self.hot::<true>();
        for machine in 0..hot.machines.len() {
            hot.set_state(machine, hot.machines[machine].state);
        }
        let bottleneck =
            std::mem::replace(&mut self.books.bottleneck, ActivePeriods::new(0, 0.0)).finish(now);
        let has_energy = self.model.stations.iter().any(|s| s.energy.is_some());
        let stations = self.station_results(measured, &bottleneck);
        let energy_kwh: f64 = stations.iter().map(|s| s.energy_kwh).sum();
        let pool_held_min = self
            .pools
            .iter_mut()
            .map(|p| p.held.mean(now, measured) * measured)
            .collect();
        let mut books = self.books;
        let trace = books.trace.take().map(|recorder| recorder.finish(now));
        let wip_bin_min = books.wip_series.bin_width_min();
        let end = self.settings.end_min();
        let wip_series = books.wip_series.finish(end.max(now));
        let result = ReplicationResult {
            wip_series,
            wip_bin_min,
            lead_times: books.lead_times,
            replication: self.replication,
            seed: self.seed,
            measured_min: measured,
            end_min: now,
            good_parts: books.good_parts,
            good_per_day: books.daily.take().unwrap_or_default(),
            share_per_day: {
                // Days a run that ended early did not reach have no share.
                let mut shares = std::mem::take(&mut books.day_shares);
                let all = self.settings.horizon_min / MIN_PER_DAY;
                shares.resize(all.floor() as usize * books.day_columns.len(), f64::NAN);
                shares
            },
            good_by_product: books.good_by_product,
            pool_held_min,
            scrap_parts: books.scrap_parts,
            released: books.released,
            wip_at_start: books.wip_at_start,
            wip_at_end: books.wip.level,
            wip_mean: books.wip.mean(now, measured),
            lead_time_sum_min: books.lead_time_sum_min,
            lead_time_count: books.lead_time_count,
            release_queue_mean: books.release_queue.mean(now, measured),
            energy_kwh: has_energy.then_some(energy_kwh),
            events: self.events,
            stations,
            deadlock,
            interrupted: self.interrupted,
            overflow: self.overflow,
            stalled: self.stalled,
        };
        (result, trace)
    }
}
