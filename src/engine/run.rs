//! The event loop and what each event does.
//!
//! A finished part's hand-over to the next station, and what it sets off
//! (the machine takes its next part, its buffer's freed place pulls the part
//! of a blocked machine upstream, which then takes its own next part, and
//! so on up the line), run as one loop over an explicit stack of
//! [`Task`]s instead of as calls that call each other: the whole cascade is
//! then one function, whose data stay in registers. A step that sets off
//! more work returns the next task to run and pushes what must follow it,
//! so tasks run in exactly the order a depth-first chain of calls would.

use super::queue::{Event, EventKind};
use super::records::{flags, Need, Phase, Request, NONE};
use super::result::{Deadlock, Overflow, ReplicationResult, Stall};
use super::state::{Hot, Sim, Task};
use super::trace::Trace;
use crate::model::{FailureBasis, MachineState, OperatorTask, ProductIdx, SetupRule, Source};
use rand::Rng;
use std::sync::atomic::{AtomicBool, Ordering};

/// What handling an event left to do.
enum Handled {
    /// The event was stale: nothing happened.
    Stale,
    Done,
    /// Its cascade, to run next.
    Then(Task),
}

/// Where a part goes at a station.
#[derive(Clone, Copy, Debug)]
enum Place {
    Machine(usize),
    Buffer,
}

/// How often the event loop looks at the stop flag: at the slowest a few
/// milliseconds of simulation between two looks.
pub const STOP_CHECK_EVENTS: u64 = 1 << 14;

/// Parts in the line beyond which a run stops: only an unbounded buffer
/// that fills without end gets there (memory would follow).
pub const WIP_LIMIT: usize = 1_000_000;

/// Events at one instant after which a run stops as stalled: well above
/// any burst a line of at most [`WIP_LIMIT`] parts makes at one time
/// (about two seconds of simulation), far below "never".
pub const STALL_EVENTS: u64 = 20_000_000;

/// Why the event loop ended.
enum End {
    /// The horizon was reached.
    Horizon,
    Locked(Deadlock),
    Overflow(Overflow),
    Stalled(Stall),
    /// Stopped by the flag or the event limit.
    Interrupted,
}

impl Sim<'_> {
    /// Runs the replication to the end of its horizon, or until `stop` is
    /// set or `event_limit` events have been handled.
    pub fn run(self, stop: &AtomicBool, event_limit: u64) -> ReplicationResult {
        self.run_to_end(stop, event_limit).0
    }

    /// [`Sim::run`] with its trace (empty unless a recorder was set).
    pub fn run_traced(self, stop: &AtomicBool) -> (ReplicationResult, Trace) {
        let (result, trace) = self.run_to_end(stop, u64::MAX);
        let trace = trace.unwrap_or(Trace {
            rows: Vec::new(),
            overflow_at_min: None,
        });
        (result, trace)
    }

    fn run_to_end(
        mut self,
        stop: &AtomicBool,
        event_limit: u64,
    ) -> (ReplicationResult, Option<Trace>) {
        let warmup = self.settings.warmup_min;
        let end = self.settings.end_min();
        self.hot::<true>().initialise();
        if warmup <= 0.0 {
            self.start_measuring();
        }
        let ended = if self.around_the_clock() {
            self.event_loop::<false>(stop, event_limit)
        } else {
            self.event_loop::<true>(stop, event_limit)
        };
        if !self.measuring {
            self.now = warmup;
            self.start_measuring();
        }
        let deadlock = match ended {
            End::Horizon => None,
            End::Locked(lock) => Some(lock),
            End::Overflow(overflow) => {
                self.overflow = Some(overflow);
                None
            }
            End::Stalled(stall) => {
                self.stalled = Some(stall);
                None
            }
            End::Interrupted => {
                self.interrupted = true;
                None
            }
        };
        let ended_early = deadlock.is_some()
            || self.overflow.is_some()
            || self.stalled.is_some()
            || self.interrupted;
        self.now = if ended_early { self.now.min(end) } else { end };
        self.finish(deadlock)
    }

    /// Whether no machine can ever be off shift (no operator shifts, no
    /// plant calendar) and no trace is recorded: the event loop then runs
    /// compiled without the bookkeeping of both (see [`Hot`]).
    fn around_the_clock(&self) -> bool {
        self.books.trace.is_none()
            && self.model.calendar.is_none()
            && self.model.pools.iter().all(|p| p.shifts.is_none())
    }

    /// Ends the warm-up: every statistic restarts from the current state.
    fn start_measuring(&mut self) {
        self.measuring = true;
        self.hot::<true>().restart_books();
    }

    /// The event loop, until the end of the horizon or a reason to stop
    /// early. It works on the [`Hot`] view of the state, whose collections
    /// the compiler keeps in registers.
    #[inline(never)]
    fn event_loop<const FULL: bool>(&mut self, stop: &AtomicBool, event_limit: u64) -> End {
        let warmup = self.settings.warmup_min;
        let end = self.settings.end_min();
        let mut measuring = self.measuring;
        let mut events = self.events;
        let mut same_instant = 0u64;
        let mut hot = self.hot::<FULL>();
        // The next instant the books act on before an event: the end of the
        // warm-up, then the end of each measured day whose shares were asked
        // for (a back-test); infinite when there is none.
        let mut mark = if measuring {
            hot.books.day_next_min
        } else {
            warmup
        };
        let ended = loop {
            let Some(event) = hot.queue.pop() else {
                // Nothing left to happen before the end: the line is locked.
                break End::Locked(hot.deadlock());
            };
            let time = event.time();
            if time > mark {
                mark = hot.pass_marks(time, warmup, &mut measuring);
            }
            if time > end {
                break End::Horizon;
            }
            if time == hot.now {
                same_instant += 1;
                if same_instant > STALL_EVENTS {
                    break End::Stalled(hot.stall());
                }
            } else {
                same_instant = 0;
            }
            hot.now = time;
            match hot.handle(event) {
                Handled::Stale => continue,
                Handled::Done => {}
                Handled::Then(task) => hot.cascade(task),
            }
            events += 1;
            if cfg!(debug_assertions) {
                hot.check_states(events);
            }
            if let Some(lock) = hot.lockup.found.take() {
                break End::Locked(lock);
            }
            if hot.parts.len() > WIP_LIMIT {
                break End::Overflow(hot.overflow());
            }
            if events.is_multiple_of(STOP_CHECK_EVENTS)
                && (stop.load(Ordering::Relaxed) || events >= event_limit)
            {
                break End::Interrupted;
            }
        };
        let now = hot.now;
        self.plant_open = hot.plant_open;
        self.now = now;
        self.events = events;
        self.measuring = measuring;
        ended
    }
}

impl<const FULL: bool> Hot<'_, FULL> {
    /// Handles one event: the cascade it sets off is returned, to run in
    /// the loop's one copy of the cascade. A stale event (an operation
    /// suspended by a calendar-basis failure, a batch deadline that moved)
    /// is not counted.
    #[inline(always)]
    fn handle(&mut self, event: Event) -> Handled {
        let target = event.target();
        let then = match event.kind() {
            EventKind::Complete => {
                if event.sequence() != self.machines[target].pending {
                    return Handled::Stale;
                }
                self.on_complete(target)
            }
            EventKind::Fail => {
                self.on_operating_failure(target);
                None
            }
            EventKind::Repair => self.on_repair(target),
            EventKind::CalendarFail => {
                self.on_calendar_failure(target);
                None
            }
            EventKind::Arrival => self.on_arrival(),
            EventKind::TransferArrive => self.on_transfer_arrive(target as u32),
            EventKind::BatchTimeout => {
                if event.sequence() != self.stations[target].timeout_pending {
                    return Handled::Stale;
                }
                Some(Task::StartIdle(target as u32, 0))
            }
            EventKind::ShiftChange => {
                self.on_shift_change(target);
                None
            }
            EventKind::MaintenanceDue => {
                self.on_maintenance_due(target);
                None
            }
            EventKind::PlantChange => {
                self.on_plant_change();
                None
            }
        };
        match then {
            Some(task) => Handled::Then(task),
            None => Handled::Done,
        }
    }

    /// The first failures, shift changes and release, then every machine
    /// looks for work.
    fn initialise(&mut self) {
        for machine in 0..self.machines.len() {
            let station = self.machines[machine].station as usize;
            if let Some(failures) = &self.model.stations[station].failures {
                let ttf = failures.ttf.sample(&mut self.streams[machine].failure);
                match failures.basis {
                    FailureBasis::Operating => self.machines[machine].ttf_left_min = ttf,
                    FailureBasis::Calendar => {
                        self.queue.push(ttf, EventKind::CalendarFail, machine);
                    }
                }
            }
        }
        for (pool_idx, pool) in self.model.pools.iter().enumerate() {
            if let Some(next) = pool.next_change(0.0) {
                let opening = pool.on_shift(next);
                self.queue
                    .push_calendar(next, EventKind::ShiftChange, pool_idx, opening);
            }
        }
        if let Source::Interarrival(interarrival) = &self.model.source {
            let first = interarrival.sample(&mut self.arrival_stream);
            self.queue.push(first, EventKind::Arrival, 0);
        }
        for machine in 0..self.machines.len() {
            let station = self.machines[machine].station as usize;
            if let Some(maintenance) = &self.model.stations[station].maintenance {
                if maintenance.basis == FailureBasis::Calendar {
                    let due = maintenance.every_min;
                    self.queue.push(due, EventKind::MaintenanceDue, machine);
                }
            }
        }
        if let Some(calendar) = &self.model.calendar {
            if let Some(next) = calendar.next_change(0.0) {
                let opening = calendar.is_open(next);
                self.queue
                    .push_calendar(next, EventKind::PlantChange, 0, opening);
            }
        }
        self.place_initial_wip();
        self.run_cascade(Task::StartAll(0));
    }

    /// The parts waiting at time 0 (`[initial_wip]`) join their buffers,
    /// first come first served in the order given.
    fn place_initial_wip(&mut self) {
        let model = self.model;
        for entry in &model.initial_wip {
            for _ in 0..entry.count {
                let part = self.new_part(entry.product as u16);
                self.parts[part as usize].position = entry.position as u16;
                self.stations[entry.station].buffer.push_back(part);
            }
            self.set_buffer_level(entry.station);
            if self.stations[entry.station].has(flags::BATCH) {
                self.schedule_batch_timeout(entry.station);
            }
        }
    }

    // ----- the cascade -------------------------------------------------------

    /// The cascade, out of the event loop (the start of a run).
    #[inline(never)]
    fn run_cascade(&mut self, first: Task) {
        self.cascade(first);
    }

    /// Runs `first` and every task it sets off, depth first. The steps of
    /// the common chain (a machine hands over its part, looks for work, its
    /// buffer's freed place pulls a blocked machine's part, which hands over
    /// its part...) are tested for directly, in the order they follow each
    /// other, so that the processor predicts them; the rare steps go
    /// through [`Hot::rare_step`]. A continuation that only checks a full
    /// buffer for room is skipped at once.
    #[inline(always)]
    fn cascade(&mut self, first: Task) {
        let mut task = first;
        loop {
            let next = match task {
                Task::Leave(machine) => self.leave(machine as usize),
                Task::Seek(machine) => self.seek(machine as usize),
                Task::Fill(station) => self.fill(station as usize),
                rare => self.rare_step(rare),
            };
            task = match next {
                Some(task) => task,
                None => loop {
                    match self.tasks.pop() {
                        None => return,
                        Some(Task::Fill(station))
                            if !self.stations[station as usize].has_room() => {}
                        Some(task) => break task,
                    }
                },
            };
        }
    }

    /// The steps of batch stations and of the start of a run.
    #[inline(never)]
    fn rare_step(&mut self, task: Task) -> Option<Task> {
        match task {
            Task::StartIdle(station, from) => self.start_idle(station as usize, from as usize),
            Task::Deadline(station) => {
                self.schedule_batch_timeout(station as usize);
                None
            }
            Task::StartAll(from) => self.start_all(from as usize),
            Task::Leave(_) | Task::Seek(_) | Task::Fill(_) => {
                unreachable!("common steps run in the cascade")
            }
        }
    }

    /// Runs `task`'s cascade after `then`: pushes `then` and returns `task`.
    #[inline(always)]
    fn before(&mut self, task: Option<Task>, then: Task) -> Option<Task> {
        match task {
            Some(task) => {
                self.tasks.push(then);
                Some(task)
            }
            None => Some(then),
        }
    }

    /// A free machine looks for work: its buffer's head, the part of the
    /// earliest-blocked upstream machine, the release queue, or (unlimited
    /// source, first station) a new raw part. Finds none: starved.
    #[inline(always)]
    fn seek(&mut self, machine: usize) -> Option<Task> {
        let m = &self.machines[machine];
        debug_assert!(m.phase == Phase::Idle && m.parts.is_empty() && !m.reserved);
        if m.down {
            self.refresh_state(machine);
            return None;
        }
        if m.maintenance_due {
            self.start_maintenance(machine);
            return None;
        }
        let station = m.station as usize;
        if self.stations[station].has(flags::BATCH) {
            return self.seek_batch(machine, station);
        }
        if let Some(part) = self.stations[station].buffer.pop_front() {
            self.set_buffer_level(station);
            self.claim(machine, part);
            return Some(Task::Fill(station as u32));
        }
        if let Some(upstream) = self.stations[station].blocked.pop_front() {
            self.work_changed(station);
            let part = self.take_blocked_part(upstream as usize);
            // Onto a machine: no cascade (a claim, or a reservation).
            let none = self.hand_over(upstream as usize, part, station, Place::Machine(machine));
            debug_assert!(none.is_none());
            // Reserved for a part in transport, the machine waits (starved).
            self.refresh_state(machine);
            return Some(Task::Leave(upstream));
        }
        if let Some(product) = self.stations[station].release.pop_front() {
            self.work_changed(station);
            self.books
                .release_queue
                .set(self.now, self.books.release_queue.level - 1);
            let part = self.new_part(product);
            self.claim(machine, part);
            return None;
        }
        if self.unlimited && self.stations[station].has(flags::STARTS_ROUTE) {
            let product = self.draw_start_product(machine, station);
            let part = self.new_part(product);
            self.claim(machine, part);
            return None;
        }
        self.refresh_state(machine);
        None
    }

    /// A free batch machine starts a batch if the rule allows: `size` parts
    /// wait, or the oldest has waited `max_wait` and at least `min` wait. At a
    /// first station under the unlimited source, raw parts fill the batch.
    /// Then the buffer takes parts again, and the deadline of its new
    /// oldest part is set.
    fn seek_batch(&mut self, machine: usize, station: usize) -> Option<Task> {
        let batch = self.model.stations[station]
            .batch
            .as_ref()
            .expect("batch station");
        let size = batch.size as usize;
        let s = &self.stations[station];
        let waiting = s.buffer.len();
        let raw = self.unlimited && s.has(flags::STARTS_ROUTE);
        let waited_long_enough = s.buffer.front().is_some_and(|&head| {
            self.now >= self.parts[head as usize].queued_min + batch.max_wait_min
        });
        let take = if waiting >= size {
            size
        } else if raw || (waiting >= batch.min as usize && waited_long_enough) {
            waiting
        } else {
            0
        };
        if take == 0 && !raw {
            self.refresh_state(machine);
            return None;
        }
        for _ in 0..take {
            let part = self.stations[station].buffer.pop_front().expect("counted");
            self.machines[machine].parts.push(part);
        }
        if raw {
            while self.machines[machine].parts.len() < size {
                let product = self.draw_start_product(machine, station);
                let part = self.new_part(product);
                self.machines[machine].parts.push(part);
            }
        }
        self.set_buffer_level(station);
        self.machines[machine].phase = Phase::Claimed;
        self.update_available(machine);
        self.reclass(machine);
        self.request_start(machine);
        self.tasks.push(Task::Deadline(station as u32));
        Some(Task::Fill(station as u32))
    }

    /// The next free machine of a batch station, from index `from` on,
    /// looks for work; the rest follow.
    #[inline(always)]
    fn start_idle(&mut self, station: usize, from: usize) -> Option<Task> {
        let s = &self.stations[station];
        let i = s.available.first_from(from)?;
        let machine = s.first_machine as usize + i;
        self.tasks
            .push(Task::StartIdle(station as u32, (i + 1) as u32));
        Some(Task::Seek(machine as u32))
    }

    /// The next idle machine of the line, from `from` on, looks for work.
    fn start_all(&mut self, from: usize) -> Option<Task> {
        let machine =
            (from..self.machines.len()).find(|&m| self.machines[m].phase == Phase::Idle)?;
        self.tasks.push(Task::StartAll((machine + 1) as u32));
        Some(Task::Seek(machine as u32))
    }

    /// Schedules the `max_wait` deadline of the buffer's oldest part.
    fn schedule_batch_timeout(&mut self, station: usize) {
        let Some(batch) = &self.model.stations[station].batch else {
            return;
        };
        if !batch.max_wait_min.is_finite() {
            return;
        }
        let Some(&head) = self.stations[station].buffer.front() else {
            return;
        };
        let due = (self.parts[head as usize].queued_min + batch.max_wait_min).max(self.now);
        let sequence = self.queue.push(due, EventKind::BatchTimeout, station);
        self.stations[station].timeout_pending = sequence;
    }

    /// The product of the next raw part at a first station: its only
    /// product, the next of its lot sequence, or drawn by the mix.
    #[inline(always)]
    fn draw_start_product(&mut self, machine: usize, station: usize) -> u16 {
        let products = &self.stations[station].start_products;
        if products.len() == 1 {
            return products[0].0;
        }
        self.draw_mixed_start_product(machine, station)
    }

    #[inline(never)]
    fn draw_mixed_start_product(&mut self, machine: usize, station: usize) -> u16 {
        if let Some(lots) = self.stations[station].lots.as_mut() {
            return lots.next();
        }
        let products = &self.stations[station].start_products;
        let total = products[products.len() - 1].1;
        let u = self.streams[machine].routing.random::<f64>() * total;
        products
            .iter()
            .find(|(_, cumulative)| u < *cumulative)
            .unwrap_or(&products[products.len() - 1])
            .0
    }

    /// One step of filling a station's buffer while it has room: the part
    /// of the earliest-blocked upstream machine (which then hands over its
    /// other parts, or looks for work), else a released part.
    #[inline(always)]
    fn fill(&mut self, station: usize) -> Option<Task> {
        let s = &mut self.stations[station];
        if !s.has_room() {
            return None;
        }
        if let Some(upstream) = s.blocked.pop_front() {
            self.work_changed(station);
            let part = self.take_blocked_part(upstream as usize);
            let placed = self.hand_over(upstream as usize, part, station, Place::Buffer);
            self.tasks.push(Task::Fill(station as u32));
            return self.before(placed, Task::Leave(upstream));
        }
        if let Some(product) = s.release.pop_front() {
            self.work_changed(station);
            self.books
                .release_queue
                .set(self.now, self.books.release_queue.level - 1);
            let part = self.new_part(product);
            let placed = self.place(station, part, Place::Buffer);
            return self.before(placed, Task::Fill(station as u32));
        }
        None
    }

    #[inline(always)]
    fn take_blocked_part(&mut self, machine: usize) -> u32 {
        let m = &mut self.machines[machine];
        debug_assert!(m.blocked && m.phase == Phase::Leaving);
        let part = m.parts[m.unload_head as usize];
        m.unload_head += 1;
        m.blocked = false;
        let station = m.station as usize;
        self.stations[station].blocked_machines -= 1;
        part
    }

    /// Lowest-numbered machine of `station` that can take a part now.
    #[inline(always)]
    fn idle_machine(&self, station: usize) -> Option<usize> {
        let s = &self.stations[station];
        if s.has(flags::BATCH) {
            return None;
        }
        s.available.first().map(|i| s.first_machine as usize + i)
    }

    /// Where a part offered to `station` would go now, if anywhere.
    #[inline(always)]
    fn find_place(&self, station: usize) -> Option<Place> {
        if let Some(machine) = self.idle_machine(station) {
            return Some(Place::Machine(machine));
        }
        self.stations[station].has_room().then_some(Place::Buffer)
    }

    /// A part leaves machine `from` for `station`: at once, or by transport
    /// after reserving its place there. Returns the cascade a batch
    /// station's buffer sets off.
    #[inline(always)]
    fn hand_over(&mut self, from: usize, part: u32, station: usize, place: Place) -> Option<Task> {
        let from_station = self.machines[from].station as usize;
        if !self.stations[from_station].has(flags::TRANSFER) {
            return self.place(station, part, place);
        }
        let reserved_machine = match place {
            Place::Machine(machine) => {
                self.machines[machine].reserved = true;
                self.update_available(machine);
                self.books.promised[station].push(part);
                machine as u32
            }
            Place::Buffer => {
                self.stations[station].reserved_slots += 1;
                NONE
            }
        };
        self.parts[part as usize].reserved_machine = reserved_machine;
        let transfer = self.model.stations[from_station]
            .transfer
            .as_ref()
            .expect("a transfer station");
        let duration = transfer.sample(&mut self.streams[from].transfer);
        self.start_transfer(part, duration);
        None
    }

    fn start_transfer(&mut self, part: u32, duration: f64) {
        self.books.in_transit += 1;
        self.queue.push(
            self.now + duration,
            EventKind::TransferArrive,
            part as usize,
        );
    }

    /// Puts a part on a machine or into the buffer of `station`; returns
    /// the cascade a batch station's buffer sets off.
    #[inline(always)]
    fn place(&mut self, station: usize, part: u32, place: Place) -> Option<Task> {
        match place {
            Place::Machine(machine) => {
                self.claim(machine, part);
                None
            }
            Place::Buffer => {
                if self.stations[station].has(flags::MOVED_TO) && self.take_promised(station, part)
                {
                    return None;
                }
                self.parts[part as usize].queued_min = self.now;
                let s = &mut self.stations[station];
                s.buffer.push_back(part);
                let first_waiting = s.buffer.len() == 1;
                let is_batch = s.has(flags::BATCH);
                self.set_buffer_level(station);
                if !is_batch {
                    return None;
                }
                if first_waiting {
                    self.schedule_batch_timeout(station);
                }
                Some(Task::StartIdle(station as u32, 0))
            }
        }
    }

    /// A part in transport arrives. It takes the first free place: the
    /// machine reserved for it, if that is up; else an idle machine; else
    /// a machine reserved for a part still on its way, whose reservation it
    /// hands over (the later part then gets this one's place); else its
    /// own place, a buffer slot or its machine under repair. A machine never
    /// idles for a part on its way while another part is there to work on.
    fn on_transfer_arrive(&mut self, part: u32) -> Option<Task> {
        self.books.in_transit -= 1;
        let p = self.parts[part as usize];
        let route = &self.model.products[p.product as usize].route;
        if p.position as usize == route.len() {
            self.exit_good(part);
            return None;
        }
        let station = route[p.position as usize];
        let own = p.reserved_machine;
        if own != NONE && !self.machines[own as usize].down {
            self.unpromise(station, part);
            self.claim(own as usize, part);
            return None;
        }
        if let Some(machine) = self.idle_machine(station) {
            if own == NONE {
                self.stations[station].reserved_slots -= 1;
            } else {
                self.unpromise(station, part);
            }
            self.claim(machine, part);
            return None;
        }
        if let Some(index) = self.promised_up(station, part) {
            // The later part inherits this one's place.
            let later = self.books.promised[station][index];
            let machine = self.parts[later as usize].reserved_machine as usize;
            self.parts[later as usize].reserved_machine = own;
            if own == NONE {
                self.books.promised[station].remove(index);
            } else {
                self.forget_promise(station, part);
            }
            self.parts[part as usize].reserved_machine = NONE;
            self.machines[machine].reserved = false;
            self.claim(machine, part);
            return None;
        }
        if own != NONE {
            self.unpromise(station, part);
            self.claim(own as usize, part);
            return None;
        }
        self.stations[station].reserved_slots -= 1;
        self.place(station, part, Place::Buffer)
    }

    /// Removes `part` from the parts that reserved a machine at `station`.
    fn forget_promise(&mut self, station: usize, part: u32) {
        let promised = &mut self.books.promised[station];
        let index = promised
            .iter()
            .position(|&q| q == part)
            .expect("a part that reserved a machine");
        promised.remove(index);
    }

    /// The part no longer holds the machine it reserved at `station`.
    fn unpromise(&mut self, station: usize, part: u32) {
        let p = &mut self.parts[part as usize];
        let machine = p.reserved_machine as usize;
        p.reserved_machine = NONE;
        self.forget_promise(station, part);
        self.machines[machine].reserved = false;
        self.update_available(machine);
    }

    /// The first reservation of a machine at `station` by a part other
    /// than `part` whose machine is up (its index in `promised`).
    fn promised_up(&self, station: usize, part: u32) -> Option<usize> {
        self.books.promised[station].iter().position(|&q| {
            q != part && !self.machines[self.parts[q as usize].reserved_machine as usize].down
        })
    }

    /// A part about to enter the buffer of `station` takes instead an up
    /// machine reserved for a part still in transport, which gets a buffer
    /// slot in exchange (the buffer had room for this part). Returns whether
    /// it did.
    #[cold]
    #[inline(never)]
    fn take_promised(&mut self, station: usize, part: u32) -> bool {
        let Some(index) = self.promised_up(station, part) else {
            return false;
        };
        let later = self.books.promised[station].remove(index);
        self.stations[station].reserved_slots += 1;
        let p = &mut self.parts[later as usize];
        let machine = p.reserved_machine as usize;
        p.reserved_machine = NONE;
        self.machines[machine].reserved = false;
        self.claim(machine, part);
        true
    }

    /// A machine reserved for a part in transport is up and idle while
    /// parts wait in its buffer: it serves them, and the part on its way
    /// gets a buffer slot instead (the part the machine takes frees one).
    fn give_up_reservation(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let promised = &mut self.books.promised[station];
        let index = promised
            .iter()
            .position(|&q| self.parts[q as usize].reserved_machine as usize == machine)
            .expect("a reserved machine's part");
        let later = promised.remove(index);
        self.stations[station].reserved_slots += 1;
        self.parts[later as usize].reserved_machine = NONE;
        self.machines[machine].reserved = false;
        self.update_available(machine);
    }

    // ----- operations --------------------------------------------------------

    /// The machine loads `part` and asks for the operators of its operation.
    /// (One copy, called from every place that hands a machine a part: with
    /// the start of the operation and the draw of its time inlined here, it
    /// is the largest step, and copies of it would crowd the processor's
    /// instruction cache.)
    #[inline(never)]
    fn claim(&mut self, machine: usize, part: u32) {
        let m = &mut self.machines[machine];
        debug_assert!(m.phase == Phase::Idle && m.parts.is_empty());
        m.parts.push(part);
        m.phase = Phase::Claimed;
        let off_shift = m.state == MachineState::OffShift;
        self.update_available(machine);
        if off_shift {
            self.reclass(machine);
        }
        self.request_start(machine);
    }

    /// The machine holds the parts of its next operation: it starts when
    /// the plant is open for it and the operators it needs to start are
    /// there, first come first served.
    #[inline(always)]
    fn request_start(&mut self, machine: usize) {
        if self.plant_closed_for(machine) {
            self.wait_for_plant(machine);
            return;
        }
        let station = self.machines[machine].station as usize;
        if !self.stations[station].has(flags::OPERATORS) {
            self.begin(machine);
            return;
        }
        self.request_operators(machine, station);
    }

    /// The machine waits for the plant to open to start.
    #[cold]
    #[inline(never)]
    fn wait_for_plant(&mut self, machine: usize) {
        self.machines[machine].waiting_start = true;
        self.plant_waiting.push(machine as u32);
        self.refresh_state(machine);
    }

    /// The machine starts once it has the operators it needs to start.
    #[inline(never)]
    fn request_operators(&mut self, machine: usize, station: usize) {
        let operators = self.model.stations[station]
            .operators
            .expect("an operated station");
        if operators.task != OperatorTask::All && !self.needs_operators_to_start(machine, station) {
            self.begin(machine);
            return;
        }
        let pool = &mut self.pools[operators.pool];
        if pool.queue.is_empty() && pool.on_shift && pool.free >= operators.count {
            pool.free -= operators.count;
            pool.held
                .set(self.now, pool.held.level + u64::from(operators.count));
            self.machines[machine].has_operators = true;
            self.begin(machine);
        } else {
            pool.queue.push_back(Request::new(machine, Need::Start));
            self.machines[machine].waiting_start = true;
            self.refresh_state(machine);
        }
    }

    /// Whether operators who do not stay for processing are needed to
    /// start: for a setup that is due, or (load and unload) to load.
    fn needs_operators_to_start(&self, machine: usize, station: usize) -> bool {
        let loads = self.stations[station].has(flags::LOAD)
            && self.model.stations[station]
                .operators
                .is_some_and(|o| o.task == OperatorTask::LoadUnload);
        loads || self.setup_due(machine, station)
    }

    /// Whether the machine's next operation needs a setup first.
    #[inline(always)]
    fn setup_due(&self, machine: usize, station: usize) -> bool {
        let Some(setup) = &self.model.stations[station].setup else {
            return false;
        };
        let m = &self.machines[machine];
        let product = u32::from(self.parts[m.parts[0] as usize].product);
        match setup.rule {
            SetupRule::ProductChange => m.last_product != NONE && m.last_product != product,
            SetupRule::Every(n) => m.parts_since_setup >= n,
        }
    }

    /// Hands free people to waiting machines, first come first served: a
    /// request that the pool cannot serve yet holds up the ones behind it.
    /// A machine that waits to start while the plant is closed for it
    /// leaves the queue for the plant's.
    fn serve_pool(&mut self, pool: usize) {
        loop {
            let p = &self.pools[pool];
            if !p.on_shift {
                return;
            }
            let Some(&request) = p.queue.front() else {
                return;
            };
            let machine = request.machine();
            let need = request.need();
            if matches!(need, Need::Start | Need::Maintenance) && self.plant_closed_for(machine) {
                // Its turn came while the plant is closed (a holiday on
                // the crew's shift): it waits for the plant instead, off
                // shift from now on.
                self.pools[pool].queue.pop_front();
                self.wait_for_plant(machine);
                continue;
            }
            let count = self.request_count(machine, need);
            let p = &mut self.pools[pool];
            if p.free < count {
                return;
            }
            p.queue.pop_front();
            p.free -= count;
            p.held.set(self.now, p.held.level + u64::from(count));
            let m = &mut self.machines[machine];
            match need {
                Need::Start => {
                    m.has_operators = true;
                    m.waiting_start = false;
                    self.begin(machine);
                }
                Need::Unload => {
                    m.has_operators = true;
                    self.start_unload(machine);
                }
                Need::Repair => {
                    m.has_repair_crew = true;
                    let station = m.station as usize;
                    let waiting = &mut self.stations[station].repair_waiting;
                    waiting.set(self.now, waiting.level - 1);
                    self.start_repair(machine);
                }
                Need::Maintenance => {
                    m.has_maintenance_crew = true;
                    self.begin_maintenance(machine);
                }
            }
        }
    }

    /// People of its pool that a machine's request needs.
    pub(super) fn request_count(&self, machine: usize, need: Need) -> u32 {
        let station = &self.model.stations[self.machines[machine].station as usize];
        match need {
            Need::Start | Need::Unload => station.operators.map(|o| o.count),
            Need::Repair => station
                .failures
                .as_ref()
                .and_then(|f| f.repair.map(|c| c.count)),
            Need::Maintenance => station
                .maintenance
                .as_ref()
                .and_then(|m| m.crew.map(|c| c.count)),
        }
        .expect("a request of a pool the station uses")
    }

    /// Takes `count` people of `pool` for the machine's request now if
    /// they are free and on shift and no one waits before it (true), or
    /// queues the request (false).
    fn take_or_queue(&mut self, pool: usize, count: u32, machine: usize, need: Need) -> bool {
        let p = &mut self.pools[pool];
        if p.queue.is_empty() && p.on_shift && p.free >= count {
            p.free -= count;
            p.held.set(self.now, p.held.level + u64::from(count));
            true
        } else {
            p.queue.push_back(Request::new(machine, need));
            false
        }
    }

    #[inline(always)]
    fn release_operators(&mut self, machine: usize) {
        if !self.machines[machine].has_operators {
            return;
        }
        self.machines[machine].has_operators = false;
        let station = self.machines[machine].station as usize;
        let operators = self.model.stations[station]
            .operators
            .expect("held operators");
        let p = &mut self.pools[operators.pool];
        p.free += operators.count;
        p.held
            .set(self.now, p.held.level - u64::from(operators.count));
        self.serve_pool(operators.pool);
    }

    /// Starts the claimed operation: a setup first if one is due.
    #[inline(always)]
    fn begin(&mut self, machine: usize) {
        if self.machines[machine].down {
            self.refresh_state(machine);
            return;
        }
        let station = self.machines[machine].station as usize;
        if !self.stations[station].has(flags::SETUP) {
            self.load_or_process(machine, station);
            return;
        }
        if !self.setup_due(machine, station) {
            self.load_or_process(machine, station);
            return;
        }
        let setup = self.model.stations[station].setup.as_ref().expect("setup");
        let m = &mut self.machines[machine];
        m.parts_since_setup = 0;
        m.phase = Phase::Setup;
        m.work_left_min = setup.time.sample(&mut self.streams[machine].setup);
        self.stations[station].result.setups += 1;
        self.set_state(machine, MachineState::Setup);
        self.schedule_segment(machine);
    }

    /// Loaded: operators who do not stay for processing leave the machine
    /// to process alone.
    fn leave_unattended(&mut self, machine: usize, station: usize) {
        if self.stations[station].has(flags::UNATTENDED) {
            self.release_operators(machine);
        }
    }

    /// After any setup: loading, if the station loads, else processing.
    #[inline(always)]
    fn load_or_process(&mut self, machine: usize, station: usize) {
        if self.stations[station].flags & (flags::LOAD | flags::UNATTENDED) != 0 {
            self.load_step(machine, station);
            return;
        }
        self.start_processing(machine);
    }

    /// Operators there only for the setup leave; then the machine loads
    /// (if loading is a step) or processes.
    #[inline(never)]
    fn load_step(&mut self, machine: usize, station: usize) {
        let setup_only = self.model.stations[station]
            .operators
            .is_some_and(|o| o.task == OperatorTask::Setup);
        if setup_only {
            self.release_operators(machine);
        }
        let Some(load) = &self.model.stations[station].load else {
            self.leave_unattended(machine, station);
            self.start_processing(machine);
            return;
        };
        let m = &mut self.machines[machine];
        m.phase = Phase::Loading;
        m.work_left_min = load.sample(&mut self.streams[machine].load);
        self.set_state(machine, MachineState::LoadUnload);
        self.schedule_segment(machine);
    }

    #[inline(always)]
    fn start_processing(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let m = &mut self.machines[machine];
        let product = self.parts[m.parts[0] as usize].product;
        let dist = &self.stations[station].process[product as usize];
        m.work_left_min = dist.sample(&mut m.process_stream);
        m.process_min = m.work_left_min;
        m.phase = Phase::Processing;
        m.last_product = u32::from(product);
        m.parts_since_setup += m.parts.len() as u32;
        self.stations[station].result.operations += 1;
        self.set_state(machine, MachineState::Busy);
        self.schedule_segment(machine);
    }

    /// Schedules the end of the operation's next segment: its completion, or
    /// an operating-basis failure if that comes first. One event, never two.
    #[inline(always)]
    fn schedule_segment(&mut self, machine: usize) {
        let now = self.now;
        let m = &mut self.machines[machine];
        m.segment_start_min = now;
        if m.phase == Phase::Processing && m.ttf_left_min < m.work_left_min {
            self.queue
                .push(now + m.ttf_left_min, EventKind::Fail, machine);
        } else {
            m.operation_end_min = now + m.work_left_min;
            m.pending = self
                .queue
                .push(m.operation_end_min, EventKind::Complete, machine);
        }
    }

    #[inline(always)]
    fn on_complete(&mut self, machine: usize) -> Option<Task> {
        let m = &mut self.machines[machine];
        let station = m.station as usize;
        if m.phase != Phase::Processing {
            return self.on_other_complete(machine, station);
        }
        if m.ttf_left_min.is_finite() {
            m.ttf_left_min -= m.work_left_min;
        }
        m.work_left_min = 0.0;
        m.pending = 0;
        if m.steps_after_processing {
            return self.after_processing(machine, station);
        }
        self.end_operation(machine, station)
    }

    /// The end of a setup, loading, unloading or a maintenance.
    #[inline(never)]
    fn on_other_complete(&mut self, machine: usize, station: usize) -> Option<Task> {
        let phase = self.machines[machine].phase;
        if phase == Phase::Setup {
            self.load_or_process(machine, station);
            return None;
        }
        self.machines[machine].pending = 0;
        self.machines[machine].work_left_min = 0.0;
        match phase {
            Phase::Loading => {
                self.leave_unattended(machine, station);
                self.start_processing(machine);
                None
            }
            Phase::Unloading => self.end_operation(machine, station),
            Phase::Maintenance => self.end_maintenance(machine, station),
            other => unreachable!("no operation ends in phase {other:?}"),
        }
    }

    /// Operating-basis maintenance counts the processing time; then the
    /// machine unloads (waiting for an operator if it needs one) or the
    /// operation ends.
    #[inline(never)]
    fn after_processing(&mut self, machine: usize, station: usize) -> Option<Task> {
        let spec = &self.model.stations[station];
        if let Some(maintenance) = &spec.maintenance {
            if maintenance.basis == FailureBasis::Operating {
                let m = &mut self.machines[machine];
                m.since_maintenance_min += m.process_min;
                if m.since_maintenance_min >= maintenance.every_min {
                    m.maintenance_due = true;
                }
            }
        }
        if spec.unload.is_none() {
            return self.end_operation(machine, station);
        }
        let unload_operators = spec.operators.filter(|o| {
            o.task == OperatorTask::LoadUnload && !self.machines[machine].has_operators
        });
        if let Some(operators) = unload_operators {
            self.machines[machine].phase = Phase::WaitUnload;
            if self.take_or_queue(operators.pool, operators.count, machine, Need::Unload) {
                self.machines[machine].has_operators = true;
                self.start_unload(machine);
            } else {
                self.refresh_state(machine);
            }
            return None;
        }
        self.start_unload(machine);
        None
    }

    /// Unloading starts (unless the machine broke down while it waited).
    fn start_unload(&mut self, machine: usize) {
        if self.machines[machine].down {
            self.refresh_state(machine);
            return;
        }
        let station = self.machines[machine].station as usize;
        let unload = self.model.stations[station]
            .unload
            .as_ref()
            .expect("an unloading station");
        let m = &mut self.machines[machine];
        m.phase = Phase::Unloading;
        m.work_left_min = unload.sample(&mut self.streams[machine].unload);
        self.set_state(machine, MachineState::LoadUnload);
        self.schedule_segment(machine);
    }

    /// The operation is over: the operators leave, quality is judged, and
    /// the finished parts leave the machine.
    #[inline(always)]
    fn end_operation(&mut self, machine: usize, station: usize) -> Option<Task> {
        self.release_operators(machine);
        self.judge_quality(machine, station);
        let m = &mut self.machines[machine];
        m.phase = Phase::Leaving;
        m.unload_head = 0;
        Some(Task::Leave(machine as u32))
    }

    // ----- planned maintenance -----------------------------------------------

    /// Calendar-basis maintenance falls due: a free machine starts it now,
    /// a working one when it is next free.
    fn on_maintenance_due(&mut self, machine: usize) {
        let m = &mut self.machines[machine];
        m.maintenance_due = true;
        if m.phase == Phase::Idle && !m.reserved && !m.down {
            self.start_maintenance(machine);
        }
    }

    /// The empty machine goes into maintenance: when the plant is open for
    /// it (planned work starts only then, like operations), and its crew,
    /// if it has one, is there.
    fn start_maintenance(&mut self, machine: usize) {
        self.machines[machine].phase = Phase::Maintenance;
        self.update_available(machine);
        if self.plant_closed_for(machine) {
            self.wait_for_plant(machine);
            return;
        }
        self.call_maintenance_crew(machine);
    }

    /// The maintenance asks for its crew (if it has one), then begins.
    fn call_maintenance_crew(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let crew = self.model.stations[station]
            .maintenance
            .as_ref()
            .and_then(|m| m.crew);
        match crew {
            Some(crew) => {
                if self.take_or_queue(crew.pool, crew.count, machine, Need::Maintenance) {
                    self.machines[machine].has_maintenance_crew = true;
                    self.begin_maintenance(machine);
                } else {
                    self.refresh_state(machine);
                }
            }
            None => self.begin_maintenance(machine),
        }
    }

    /// The maintenance work starts (after the repair, if the machine broke
    /// down while it waited for the crew).
    fn begin_maintenance(&mut self, machine: usize) {
        if self.machines[machine].down {
            self.refresh_state(machine);
            return;
        }
        let station = self.machines[machine].station as usize;
        let maintenance = self.model.stations[station]
            .maintenance
            .as_ref()
            .expect("a maintained station");
        let m = &mut self.machines[machine];
        m.maintenance_due = false;
        m.work_left_min = maintenance
            .duration
            .sample(&mut self.streams[machine].maintenance);
        self.stations[station].result.maintenances += 1;
        self.set_state(machine, MachineState::Maintenance);
        self.schedule_segment(machine);
    }

    fn end_maintenance(&mut self, machine: usize, station: usize) -> Option<Task> {
        let maintenance = self.model.stations[station]
            .maintenance
            .as_ref()
            .expect("a maintained station");
        let m = &mut self.machines[machine];
        m.since_maintenance_min = 0.0;
        m.phase = Phase::Idle;
        let had_crew = std::mem::take(&mut m.has_maintenance_crew);
        if maintenance.basis == FailureBasis::Calendar {
            let due = self.now + maintenance.every_min;
            self.queue.push(due, EventKind::MaintenanceDue, machine);
        }
        self.update_available(machine);
        if let Some(crew) = maintenance.crew.filter(|_| had_crew) {
            let p = &mut self.pools[crew.pool];
            p.free += crew.count;
            p.held.set(self.now, p.held.level - u64::from(crew.count));
            self.serve_pool(crew.pool);
        }
        // Up (a maintenance ends only while up) and empty: it looks for work.
        Some(Task::Seek(machine as u32))
    }

    /// Quality at the end of processing, part by part in FIFO order: one
    /// draw decides scrap (the part leaves the line), rework (its position
    /// goes back) or moving on.
    #[inline(always)]
    fn judge_quality(&mut self, machine: usize, station: usize) {
        let count = self.machines[machine].parts.len();
        self.stations[station].result.finished += count as u64;
        let draws = self.stations[station].has(flags::QUALITY);
        let mut kept = 0;
        for i in 0..count {
            let part = self.machines[machine].parts[i];
            let product = self.parts[part as usize].product as usize;
            let position = self.parts[part as usize].position as usize;
            let mut next_position = position + 1;
            if draws {
                let u = self.machines[machine].scrap_stream.random::<f64>();
                let model_station = &self.model.stations[station];
                let scrap = model_station.scrap[product];
                if u < scrap {
                    self.stations[station].result.scrapped += 1;
                    self.books.scrap_parts += 1;
                    self.remove_part(part);
                    continue;
                }
                if let Some(rework) = &model_station.rework {
                    if u < scrap + rework.prob {
                        if let Some(target) = self.model.products[product].rework_target[position] {
                            next_position = target;
                        }
                    }
                }
            }
            if next_position == position + 1 {
                self.stations[station].result.passed += 1;
            }
            self.parts[part as usize].position = next_position as u16;
            self.machines[machine].parts[kept] = part;
            kept += 1;
        }
        self.machines[machine].parts.truncate(kept);
    }

    /// One step of a machine handing over its finished parts: they leave
    /// one by one; the first that cannot leave blocks the machine. When all
    /// have left, the machine looks for work.
    #[inline(always)]
    fn leave(&mut self, machine: usize) -> Option<Task> {
        let station = self.machines[machine].station as usize;
        loop {
            let m = &self.machines[machine];
            if m.unload_head as usize == m.parts.len() {
                break;
            }
            let part = m.parts[m.unload_head as usize];
            let p = self.parts[part as usize];
            let route = &self.model.products[p.product as usize].route;
            if p.position as usize == route.len() {
                self.machines[machine].unload_head += 1;
                // Leaving the line needs no place; the last move still takes time.
                match &self.model.stations[station].transfer {
                    Some(transfer) => {
                        let duration = transfer.sample(&mut self.streams[machine].transfer);
                        self.start_transfer(part, duration);
                    }
                    None => self.exit_good(part),
                }
                continue;
            }
            let next = route[p.position as usize];
            if next == station && !self.stations[station].has(flags::BATCH) {
                // Rework at its own station: an exchange with the buffer,
                // never a move, so no transfer time either.
                self.rework_in_place(machine, station, part);
                return None;
            }
            if let Some(place) = self.find_place(next) {
                self.machines[machine].unload_head += 1;
                let placed = if next == station {
                    // Back into its own batch station's buffer: no move.
                    self.place(station, part, place)
                } else {
                    self.hand_over(machine, part, next, place)
                };
                if placed.is_some() {
                    return self.before(placed, Task::Leave(machine as u32));
                }
                continue;
            }
            self.block(machine, next);
            return None;
        }
        let m = &mut self.machines[machine];
        m.parts.clear();
        m.unload_head = 0;
        m.phase = Phase::Idle;
        let reserved = m.reserved;
        self.update_available(machine);
        if !reserved {
            return Some(Task::Seek(machine as u32));
        }
        self.refresh_state(machine);
        None
    }

    /// Rework at its own station: the part goes to the back of the buffer
    /// as the machine takes the head, an exchange that needs no free slot
    /// and takes no time (with an empty buffer the machine starts the part
    /// again). Blocking on itself would lock a full station for ever.
    fn rework_in_place(&mut self, machine: usize, station: usize, part: u32) {
        let s = &mut self.stations[station];
        let work = match s.buffer.pop_front() {
            Some(head) => {
                self.parts[part as usize].queued_min = self.now;
                s.buffer.push_back(part);
                head
            }
            None => part,
        };
        let m = &mut self.machines[machine];
        m.parts.clear();
        m.unload_head = 0;
        m.phase = Phase::Idle;
        self.claim(machine, work);
    }

    /// The machine waits, blocked, until `next` can take its part; a set of
    /// blocked machines that waits on itself is a lock-up.
    #[inline(always)]
    fn block(&mut self, machine: usize, next: usize) {
        let m = &mut self.machines[machine];
        m.blocked = true;
        m.blocked_on = next as u32;
        let own = m.station as usize;
        self.stations[own].blocked_machines += 1;
        self.stations[next].blocked.push_back(machine as u32);
        self.work_changed(next);
        self.refresh_state(machine);
        if self.is_locked(next) {
            self.lockup.found = Some(self.lock());
        }
    }

    // ----- failures ----------------------------------------------------------

    #[inline(always)]
    fn on_operating_failure(&mut self, machine: usize) {
        let now = self.now;
        let m = &mut self.machines[machine];
        m.work_left_min -= now - m.segment_start_min;
        m.ttf_left_min = 0.0;
        self.go_down(machine);
    }

    fn on_calendar_failure(&mut self, machine: usize) {
        let now = self.now;
        let m = &mut self.machines[machine];
        if m.pending != 0 {
            // Suspend: the pending completion becomes stale.
            m.work_left_min = m.operation_end_min - now;
            m.pending = 0;
        }
        self.go_down(machine);
    }

    #[inline(always)]
    fn go_down(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let failures = self.model.stations[station]
            .failures
            .as_ref()
            .expect("failure event without failures");
        self.machines[machine].down = true;
        self.update_available(machine);
        if let Some(crew) = failures.repair {
            self.set_state(machine, MachineState::Down);
            if self.take_or_queue(crew.pool, crew.count, machine, Need::Repair) {
                self.machines[machine].has_repair_crew = true;
                self.start_repair(machine);
            } else {
                let station = self.machines[machine].station as usize;
                let waiting = &mut self.stations[station].repair_waiting;
                waiting.set(self.now, waiting.level + 1);
                let m = &self.machines[machine];
                if m.has_operators || m.has_maintenance_crew {
                    // It waits with people on it: they may have been the
                    // ones its repair needs.
                    if let Some(lock) = self.pool_lock() {
                        self.lockup.found = Some(lock);
                    }
                }
            }
            return;
        }
        let repair = failures.ttr.sample(&mut self.streams[machine].repair);
        self.queue
            .push(self.now + repair, EventKind::Repair, machine);
        self.set_state(machine, MachineState::Down);
    }

    /// The repair crew is there: the repair starts.
    fn start_repair(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let failures = self.model.stations[station]
            .failures
            .as_ref()
            .expect("a repair without failures");
        let repair = failures.ttr.sample(&mut self.streams[machine].repair);
        self.queue
            .push(self.now + repair, EventKind::Repair, machine);
    }

    #[inline(always)]
    fn on_repair(&mut self, machine: usize) -> Option<Task> {
        let station = self.machines[machine].station as usize;
        let failures = self.model.stations[station]
            .failures
            .as_ref()
            .expect("repair event without failures");
        self.machines[machine].down = false;
        self.update_available(machine);
        let ttf = failures.ttf.sample(&mut self.streams[machine].failure);
        match failures.basis {
            FailureBasis::Operating => self.machines[machine].ttf_left_min = ttf,
            FailureBasis::Calendar => {
                self.queue
                    .push(self.now + ttf, EventKind::CalendarFail, machine);
            }
        }
        let next = self.resume(machine);
        if let Some(crew) = failures
            .repair
            .filter(|_| self.machines[machine].has_repair_crew)
        {
            self.machines[machine].has_repair_crew = false;
            let p = &mut self.pools[crew.pool];
            p.free += crew.count;
            p.held.set(self.now, p.held.level - u64::from(crew.count));
            self.serve_pool(crew.pool);
        }
        next
    }

    /// A repaired machine carries on where it stopped.
    #[inline(always)]
    fn resume(&mut self, machine: usize) -> Option<Task> {
        let m = &self.machines[machine];
        match m.phase {
            Phase::Setup | Phase::Loading | Phase::Processing | Phase::Unloading => {
                self.refresh_state(machine);
                self.schedule_segment(machine);
            }
            Phase::Maintenance if !m.maintenance_due => {
                self.refresh_state(machine);
                self.schedule_segment(machine);
            }
            Phase::Maintenance if m.waiting_start => self.refresh_state(machine),
            Phase::Maintenance => {
                let station = m.station as usize;
                let crew = self.model.stations[station]
                    .maintenance
                    .as_ref()
                    .and_then(|mt| mt.crew);
                if crew.is_some() && !m.has_maintenance_crew {
                    self.refresh_state(machine);
                } else if self.plant_closed_for(machine) {
                    // Planned work starts only while the plant is open.
                    self.wait_for_plant(machine);
                } else {
                    self.begin_maintenance(machine);
                }
            }
            Phase::Claimed if m.waiting_start => self.refresh_state(machine),
            // Its operation had not started: it starts only while the plant
            // is open (with the operators it may already hold).
            Phase::Claimed if self.plant_closed_for(machine) => self.wait_for_plant(machine),
            Phase::Claimed => self.begin(machine),
            Phase::WaitUnload if m.has_operators => self.start_unload(machine),
            Phase::WaitUnload | Phase::Leaving => self.refresh_state(machine),
            Phase::Idle if m.reserved => {
                let station = m.station as usize;
                if self.stations[station].buffer.is_empty() {
                    self.refresh_state(machine);
                } else {
                    self.give_up_reservation(machine);
                    return Some(Task::Seek(machine as u32));
                }
            }
            Phase::Idle => return Some(Task::Seek(machine as u32)),
        }
        None
    }

    // ----- shifts and the source ---------------------------------------------

    fn on_shift_change(&mut self, pool: usize) {
        let spec = &self.model.pools[pool];
        self.pools[pool].on_shift = spec.on_shift(self.now);
        if let Some(next) = spec.next_change(self.now) {
            let opening = spec.on_shift(next);
            self.queue
                .push_calendar(next, EventKind::ShiftChange, pool, opening);
        }
        for i in 0..self.pools[pool].machines.len() {
            let machine = self.pools[pool].machines[i] as usize;
            self.refresh_state(machine);
        }
        self.serve_pool(pool);
    }

    /// The plant opens or closes: machines that wait to start because it
    /// was closed start (or queue for their operators) in the order they
    /// came.
    fn on_plant_change(&mut self) {
        let calendar = self.model.calendar.as_ref().expect("a plant calendar");
        self.plant_open = calendar.is_open(self.now);
        if let Some(next) = calendar.next_change(self.now) {
            let opening = calendar.is_open(next);
            self.queue
                .push_calendar(next, EventKind::PlantChange, 0, opening);
        }
        for machine in 0..self.machines.len() {
            let station = self.machines[machine].station as usize;
            if !self.stations[station].has(flags::LIGHTS_OUT) {
                self.refresh_state(machine);
            }
        }
        if self.plant_open {
            let mut waiting = std::mem::take(self.plant_waiting);
            for &machine in &waiting {
                let machine = machine as usize;
                let m = &mut self.machines[machine];
                m.waiting_start = false;
                // A machine repaired while the plant was closed may already
                // hold its crew or operators.
                match m.phase {
                    Phase::Maintenance if m.has_maintenance_crew => self.begin_maintenance(machine),
                    Phase::Maintenance => self.call_maintenance_crew(machine),
                    _ if m.has_operators => self.begin(machine),
                    _ => self.request_start(machine),
                }
            }
            waiting.clear();
            *self.plant_waiting = waiting;
        }
    }

    /// A release of the source: one part, or (lots) every `lot_size`-th
    /// release the whole lot at once, its parts having gathered at the
    /// source as orders do.
    fn on_arrival(&mut self) -> Option<Task> {
        let Source::Interarrival(interarrival) = &self.model.source else {
            unreachable!("arrival event without an interarrival source");
        };
        let next = self.now + interarrival.sample(&mut self.arrival_stream);
        self.queue.push(next, EventKind::Arrival, 0);
        let Some(lots) = self.lots.as_mut() else {
            return self.release_part();
        };
        if !lots.gathered() {
            return None;
        }
        let mut then = None;
        for _ in 0..lots.size() {
            if let Some(task) = self.release_part() {
                if let Some(earlier) = then.replace(task) {
                    self.tasks.push(earlier);
                }
            }
        }
        then
    }

    /// One part enters the line at its first station, or waits in the
    /// release queue.
    fn release_part(&mut self) -> Option<Task> {
        let product = self.draw_product();
        let station = self.model.products[product].route[0];
        if self.stations[station].release.is_empty() {
            if let Some(place) = self.find_place(station) {
                let part = self.new_part(product as u16);
                return self.place(station, part, place);
            }
        }
        // Not admitted: it waits in the release queue, outside the line.
        self.stations[station].release.push_back(product as u16);
        self.work_changed(station);
        self.books
            .release_queue
            .set(self.now, self.books.release_queue.level + 1);
        None
    }

    fn draw_product(&mut self) -> ProductIdx {
        if self.product_cumulative.len() == 1 {
            return 0;
        }
        if let Some(lots) = self.lots.as_mut() {
            return usize::from(lots.next());
        }
        let total = self.product_cumulative[self.product_cumulative.len() - 1];
        let u = self.mix_stream.random::<f64>() * total;
        self.product_cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.product_cumulative.len() - 1)
    }
}
