//! The runtime records of a replication: parts, machines, stations and
//! operator pools as the event loop changes them, and how they are built
//! from the model. Hot fields first; what the hot path asks of the model
//! (does this station batch, draw quality, need operators?) is copied into
//! the station's flags, so that one load answers it.

use super::rng::{self, Purpose, Stream};
use crate::model::{Dist, MachineState, Model, Station};
use crate::stats::collect::TimeWeighted;
use std::collections::VecDeque;

use super::result::StationResult;

/// "No machine", "no product", "no station".
pub const NONE: u32 = u32::MAX;

/// A part in the line.
#[derive(Clone, Copy, Debug)]
pub struct Part {
    pub product: u16,
    /// Position in the product's route of the station it is at or going to
    /// (the route's length once it is finished).
    pub position: u16,
    /// The machine reserved for it at the end of a transfer (`NONE`: a
    /// buffer place).
    pub reserved_machine: u32,
    /// When the part entered the line.
    pub entered_min: f64,
    /// When the part entered its current buffer (batch `max_wait`).
    pub queued_min: f64,
}

/// Where a machine is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Holds no part.
    Idle,
    /// Holds the parts of its next operation, waiting for operators or for
    /// the plant to open (or, when down, for the repair).
    Claimed,
    Setup,
    Loading,
    Processing,
    /// Processed, waiting for an operator to unload.
    WaitUnload,
    Unloading,
    /// Finished parts leave one by one from `unload_head`.
    Leaving,
    /// Empty, in planned maintenance or waiting for its crew.
    Maintenance,
}

/// What a machine waits for in a pool's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Need {
    /// Operators to start an operation (its setup, loading or all of it).
    Start = 0,
    /// An operator to unload.
    Unload = 1,
    /// A repair crew.
    Repair = 2,
    /// A maintenance crew.
    Maintenance = 3,
}

/// A machine waiting in a pool's queue, and for what: one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request(u32);

impl Request {
    const SHIFT: u32 = 30;

    #[inline(always)]
    pub fn new(machine: usize, need: Need) -> Self {
        debug_assert!(machine < 1 << Self::SHIFT);
        Request(machine as u32 | (need as u32) << Self::SHIFT)
    }

    #[inline(always)]
    pub fn machine(self) -> usize {
        (self.0 & ((1 << Self::SHIFT) - 1)) as usize
    }

    #[inline(always)]
    pub fn need(self) -> Need {
        match self.0 >> Self::SHIFT {
            0 => Need::Start,
            1 => Need::Unload,
            2 => Need::Repair,
            _ => Need::Maintenance,
        }
    }
}

/// Releases in lots: lots of `size` parts of one product, the products of
/// successive lots chosen by smooth weighted round robin over the mix
/// (each lot, every product gains its weight in credit and the richest
/// takes the lot and pays the total), a fixed sequence whose shares are
/// the mix's (mix 1:1 gives A, B, A, B; 2:1 gives A, B, A, A, B, A).
#[derive(Clone, Debug)]
pub struct Lots {
    size: u32,
    left: u32,
    /// Releases gathered for the next lot (interarrival source).
    gathered: u32,
    current: u16,
    /// (product, weight, credit).
    products: Vec<(u16, f64, f64)>,
    total: f64,
}

impl Lots {
    pub fn new(size: u32, products: impl IntoIterator<Item = (u16, f64)>) -> Self {
        let products: Vec<(u16, f64, f64)> =
            products.into_iter().map(|(p, w)| (p, w, 0.0)).collect();
        let total = products.iter().map(|p| p.1).sum();
        Lots {
            size,
            left: 0,
            gathered: 0,
            current: 0,
            products,
            total,
        }
    }

    pub fn size(&self) -> u32 {
        self.size
    }

    /// Counts a release of the source: whether it completes a lot.
    pub fn gathered(&mut self) -> bool {
        self.gathered += 1;
        if self.gathered < self.size {
            return false;
        }
        self.gathered = 0;
        true
    }

    /// The product of the next part released.
    pub fn next(&mut self) -> u16 {
        if self.left == 0 {
            let mut best = 0;
            for i in 0..self.products.len() {
                self.products[i].2 += self.products[i].1;
                if self.products[i].2 > self.products[best].2 {
                    best = i;
                }
            }
            self.products[best].2 -= self.total;
            self.current = self.products[best].0;
            self.left = self.size;
        }
        self.left -= 1;
        self.current
    }
}

/// A machine, as the event loop changes it.
#[derive(Debug)]
pub struct Machine {
    pub station: u32,
    pub state: MachineState,
    /// What the state means for the station's activity (see [`activity`]).
    pub class: u8,
    pub phase: Phase,
    pub down: bool,
    /// Waiting in a station's blocked queue to hand over `parts[unload_head]`.
    pub blocked: bool,
    /// A part in transport will occupy this idle machine.
    pub reserved: bool,
    pub has_operators: bool,
    /// Waits in a queue (a pool's, or the plant's) to start its operation.
    pub waiting_start: bool,
    /// Holds its repair crew.
    pub has_repair_crew: bool,
    /// Holds its maintenance crew.
    pub has_maintenance_crew: bool,
    /// Planned maintenance is due: it starts when the machine is next free.
    pub maintenance_due: bool,
    /// Its station unloads or counts processing time for maintenance (a
    /// copy of the station's flags, in the record the completion reads).
    pub steps_after_processing: bool,
    /// The station it waits for, while `blocked`.
    pub blocked_on: u32,
    pub unload_head: u32,
    pub since_min: f64,
    pub work_left_min: f64,
    pub segment_start_min: f64,
    pub operation_end_min: f64,
    /// Operating basis: processing time left until the next failure.
    pub ttf_left_min: f64,
    /// Sequence number of the pending completion event (0: none expected):
    /// a completion with another number is stale.
    pub pending: u64,
    pub last_product: u32,
    pub parts_since_setup: u32,
    /// The processing time of the current operation.
    pub process_min: f64,
    /// Operating-basis maintenance: processing minutes since the last one.
    pub since_maintenance_min: f64,
    /// Parts of the operation (loaded, or finished and waiting to leave).
    pub parts: PartList,
    pub process_stream: Stream,
    pub scrap_stream: Stream,
}

/// The parts on a machine: the first kept in the machine's record (a
/// machine that is not a batch machine holds at most one, and reaching it
/// then follows no pointer), the others of a batch in a vector.
#[derive(Debug, Default)]
pub struct PartList {
    len: u32,
    first: u32,
    rest: Vec<u32>,
}

impl PartList {
    /// Room for `load` parts without growing.
    pub fn with_capacity(load: usize) -> Self {
        Self {
            len: 0,
            first: NONE,
            rest: Vec::with_capacity(load.saturating_sub(1)),
        }
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline(always)]
    pub fn push(&mut self, part: u32) {
        if self.len == 0 {
            self.first = part;
        } else {
            self.rest.push(part);
        }
        self.len += 1;
    }

    #[inline(always)]
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Keeps the first `len` parts.
    #[inline(always)]
    pub fn truncate(&mut self, len: usize) {
        if len < self.len as usize {
            self.rest.truncate(len.saturating_sub(1));
            self.len = len as u32;
        }
    }
}

impl std::ops::Index<usize> for PartList {
    type Output = u32;

    #[inline(always)]
    fn index(&self, i: usize) -> &u32 {
        assert!(i < self.len as usize, "part {i} of {}", self.len);
        if i == 0 {
            &self.first
        } else {
            &self.rest[i - 1]
        }
    }
}

impl std::ops::IndexMut<usize> for PartList {
    #[inline(always)]
    fn index_mut(&mut self, i: usize) -> &mut u32 {
        assert!(i < self.len as usize, "part {i} of {}", self.len);
        if i == 0 {
            &mut self.first
        } else {
            &mut self.rest[i - 1]
        }
    }
}

/// The streams a machine draws from less often (kept apart, so that the
/// hot machine records stay small).
#[derive(Debug)]
pub struct ColdStreams {
    pub failure: Stream,
    pub repair: Stream,
    pub routing: Stream,
    pub setup: Stream,
    pub transfer: Stream,
    pub load: Stream,
    pub unload: Stream,
    pub maintenance: Stream,
}

impl Machine {
    /// Machine `machine` of `station`, idle and up, with its own streams.
    pub fn new(
        seed: u64,
        station_idx: usize,
        station: &Station,
        machine: u32,
    ) -> (Self, ColdStreams) {
        let stream = |purpose| rng::stream(seed, &station.name, machine, purpose);
        let load = station.batch.as_ref().map_or(1, |b| b.size as usize);
        let record = Machine {
            station: station_idx as u32,
            state: MachineState::Starved,
            class: activity::INACTIVE,
            phase: Phase::Idle,
            down: false,
            blocked: false,
            reserved: false,
            has_operators: false,
            waiting_start: false,
            has_repair_crew: false,
            has_maintenance_crew: false,
            maintenance_due: false,
            steps_after_processing: station.unload.is_some() || station.maintenance.is_some(),
            blocked_on: NONE,
            unload_head: 0,
            since_min: 0.0,
            work_left_min: 0.0,
            segment_start_min: 0.0,
            operation_end_min: 0.0,
            ttf_left_min: f64::INFINITY,
            pending: 0,
            last_product: NONE,
            parts_since_setup: 0,
            process_min: 0.0,
            since_maintenance_min: 0.0,
            parts: PartList::with_capacity(load),
            process_stream: stream(Purpose::Process),
            scrap_stream: stream(Purpose::Scrap),
        };
        let cold = ColdStreams {
            failure: stream(Purpose::Failure),
            repair: stream(Purpose::Repair),
            routing: stream(Purpose::Routing),
            setup: stream(Purpose::Setup),
            transfer: stream(Purpose::Transfer),
            load: stream(Purpose::Load),
            unload: stream(Purpose::Unload),
            maintenance: stream(Purpose::Maintenance),
        };
        (record, cold)
    }

    /// Whether a part offered to the station could go onto this machine now.
    #[inline(always)]
    pub fn available(&self) -> bool {
        self.phase == Phase::Idle && !self.down && !self.reserved
    }
}

/// The machines of a station that could take a part now, as a bit set:
/// the first 64 machines in one word kept in the station's record (no
/// pointer to follow on the common path), the rest in a two-level set, so
/// that finding the lowest-numbered one costs a few instructions whatever
/// the number of machines (a station may have 100 000).
#[derive(Clone, Debug, Default)]
pub struct MachineSet {
    /// Bit `i`: machine `first + i`, for `i < 64`.
    low: u64,
    /// Bit `i % 64` of word `i / 64 - 1`: machine `first + i`, for `i >= 64`.
    words: Vec<u64>,
    /// Bit `w % 64` of word `w / 64`: word `w` of `words` is not empty.
    summary: Vec<u64>,
}

impl MachineSet {
    /// An empty set for `machines` machines.
    pub fn new(machines: usize) -> Self {
        let words = machines.saturating_sub(64).div_ceil(64);
        Self {
            low: 0,
            words: vec![0; words],
            summary: vec![0; words.div_ceil(64)],
        }
    }

    /// Adds (`true`) or removes machine `i` (counted from the station's first).
    #[inline(always)]
    pub fn set(&mut self, i: usize, member: bool) {
        if i < 64 {
            self.low = (self.low & !(1u64 << i)) | (u64::from(member) << i);
            return;
        }
        self.set_high(i, member);
    }

    #[inline(never)]
    fn set_high(&mut self, i: usize, member: bool) {
        let (w, bit) = (i / 64 - 1, 1u64 << (i % 64));
        let word = if member {
            self.words[w] | bit
        } else {
            self.words[w] & !bit
        };
        self.words[w] = word;
        let (s, sbit) = (w / 64, 1u64 << (w % 64));
        if word == 0 {
            self.summary[s] &= !sbit;
        } else {
            self.summary[s] |= sbit;
        }
    }

    /// The lowest member at or after `from`.
    #[inline(always)]
    pub fn first_from(&self, from: usize) -> Option<usize> {
        if from < 64 {
            let masked = self.low & (!0u64 << from);
            if masked != 0 {
                return Some(masked.trailing_zeros() as usize);
            }
            if self.words.is_empty() {
                return None;
            }
            return self.first_high(64);
        }
        self.first_high(from)
    }

    /// The lowest member at or after `from >= 64`.
    #[inline(never)]
    fn first_high(&self, from: usize) -> Option<usize> {
        let w = from / 64 - 1;
        if let Some(&word) = self.words.get(w) {
            let masked = word & (!0u64 << (from % 64));
            if masked != 0 {
                return Some((w + 1) * 64 + masked.trailing_zeros() as usize);
            }
        }
        let next = w + 1;
        let mut s = next / 64;
        let mut mask = if next.is_multiple_of(64) {
            !0
        } else {
            !0u64 << (next % 64)
        };
        while let Some(&summary) = self.summary.get(s) {
            let masked = summary & mask;
            if masked != 0 {
                let word = s * 64 + masked.trailing_zeros() as usize;
                return Some((word + 1) * 64 + self.words[word].trailing_zeros() as usize);
            }
            s += 1;
            mask = !0;
        }
        None
    }

    /// The lowest member.
    #[inline(always)]
    pub fn first(&self) -> Option<usize> {
        self.first_from(0)
    }
}

/// A machine's part in its station's activity (the bottleneck measure,
/// [`crate::stats::bottleneck`]): active while busy, in setup, down or
/// waiting for an operator; inactive while starved or blocked; off shift
/// it is active while work waits, which for a machine holding parts is
/// always, and for an empty one depends on its station.
pub mod activity {
    use crate::model::MachineState;

    pub const ACTIVE: u8 = 0;
    pub const INACTIVE: u8 = 1;
    /// Off shift, holding no part: active while the station has work waiting.
    pub const OFF_SHIFT_EMPTY: u8 = 2;
    /// Off shift, holding parts: active.
    pub const OFF_SHIFT_LOADED: u8 = 3;

    #[inline(always)]
    pub fn class(state: MachineState, holds_parts: bool) -> u8 {
        match state {
            MachineState::Starved | MachineState::Blocked => INACTIVE,
            MachineState::OffShift if holds_parts => OFF_SHIFT_LOADED,
            MachineState::OffShift => OFF_SHIFT_EMPTY,
            _ => ACTIVE,
        }
    }
}

/// What the hot path asks of a station, answered by one load.
pub mod flags {
    pub const BATCH: u16 = 1;
    /// Some product can be scrapped or reworked here.
    pub const QUALITY: u16 = 1 << 1;
    pub const SETUP: u16 = 1 << 2;
    pub const TRANSFER: u16 = 1 << 3;
    pub const OPERATORS: u16 = 1 << 4;
    /// Some route starts here.
    pub const STARTS_ROUTE: u16 = 1 << 5;
    pub const LOAD: u16 = 1 << 6;
    pub const UNLOAD: u16 = 1 << 7;
    pub const MAINTENANCE: u16 = 1 << 8;
    /// Works while the plant is closed.
    pub const LIGHTS_OUT: u16 = 1 << 9;
    /// Repairs wait for a crew.
    pub const REPAIR_CREW: u16 = 1 << 10;
    /// Its operators leave while it processes (load and unload, or
    /// setups only).
    pub const UNATTENDED: u16 = 1 << 11;
    /// Parts may come here by transport (the line has a transfer), so
    /// machines may be reserved for parts on their way (a BATCH station
    /// never has them).
    pub const MOVED_TO: u16 = 1 << 12;
}

/// A station, as the event loop changes it.
#[derive(Debug)]
pub struct StationRt {
    pub flags: u16,
    /// The process time of each product here (a copy of the model's, one
    /// pointer nearer).
    pub process: Box<[Dist]>,
    pub first_machine: u32,
    pub machine_count: u32,
    /// Machines blocked waiting for another station.
    pub blocked_machines: u32,
    pub capacity: usize,
    pub buffer: VecDeque<u32>,
    /// Buffer places promised to parts in transport.
    pub reserved_slots: usize,
    /// Machines holding a part for this station, in the order they blocked.
    pub blocked: VecDeque<u32>,
    /// Products released to this first station and not yet admitted.
    pub release: VecDeque<u16>,
    /// The machines that could take a part now.
    pub available: MachineSet,
    pub buffer_level: TimeWeighted,
    /// Products whose route starts here, with cumulative mix weights.
    pub start_products: Vec<(u16, f64)>,
    /// Sequence number of the pending batch deadline (0: none).
    pub timeout_pending: u64,
    /// Machines of each [`activity`] class.
    pub classes: [u32; 4],
    /// Whether the station is active: all its machines are.
    pub active: bool,
    /// Machines off shift with work waiting, over time.
    pub off_shift_waiting: TimeWeighted,
    /// Machines down and waiting for their repair crew, over time.
    pub repair_waiting: TimeWeighted,
    /// The lot sequence of the products that start here (unlimited
    /// source, lots).
    pub lots: Option<Lots>,
    pub result: StationResult,
}

impl StationRt {
    /// Station `station_idx` of `model`, empty, its machines from `first_machine`.
    pub fn new(model: &Model, station_idx: usize, first_machine: u32) -> Self {
        let station = &model.stations[station_idx];
        let mut start_products = Vec::new();
        let mut cumulative = 0.0;
        for (product_idx, product) in model.products.iter().enumerate() {
            if product.route[0] == station_idx {
                cumulative += product.mix;
                start_products.push((product_idx as u16, cumulative));
            }
        }
        let capacity = station.buffer.map_or(usize::MAX, |c| c as usize);
        let mut flags = 0;
        let set = |flag: u16, on: bool| if on { flag } else { 0 };
        flags |= set(flags::BATCH, station.batch.is_some());
        flags |= set(
            flags::QUALITY,
            station.scrap.iter().any(|&p| p > 0.0)
                || station.rework.as_ref().is_some_and(|r| r.prob > 0.0),
        );
        flags |= set(flags::SETUP, station.setup.is_some());
        flags |= set(flags::TRANSFER, station.transfer.is_some());
        flags |= set(
            flags::MOVED_TO,
            station.batch.is_none() && model.stations.iter().any(|s| s.transfer.is_some()),
        );
        flags |= set(flags::OPERATORS, station.operators.is_some());
        flags |= set(flags::STARTS_ROUTE, !start_products.is_empty());
        flags |= set(flags::LOAD, station.load.is_some());
        flags |= set(flags::UNLOAD, station.unload.is_some());
        flags |= set(flags::MAINTENANCE, station.maintenance.is_some());
        flags |= set(flags::LIGHTS_OUT, station.lights_out);
        flags |= set(
            flags::UNATTENDED,
            station.operators.is_some_and(|o| !o.attend_processing()),
        );
        flags |= set(
            flags::REPAIR_CREW,
            station
                .failures
                .as_ref()
                .is_some_and(|f| f.repair.is_some()),
        );
        let lots = model
            .lot_size
            .filter(|_| !start_products.is_empty())
            .map(|size| {
                Lots::new(
                    size,
                    start_products
                        .iter()
                        .map(|&(p, _)| (p, model.products[p as usize].mix)),
                )
            });
        StationRt {
            flags,
            process: station.process.clone().into_boxed_slice(),
            first_machine,
            machine_count: station.machines,
            blocked_machines: 0,
            capacity,
            buffer: VecDeque::with_capacity(capacity.min(1024)),
            reserved_slots: 0,
            blocked: VecDeque::new(),
            release: VecDeque::new(),
            available: MachineSet::new(station.machines as usize),
            buffer_level: TimeWeighted::default(),
            start_products,
            timeout_pending: 0,
            classes: [0, station.machines, 0, 0],
            active: false,
            off_shift_waiting: TimeWeighted::default(),
            repair_waiting: TimeWeighted::default(),
            lots,
            result: StationResult::default(),
        }
    }

    #[inline(always)]
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// Whether work waits for the station: a part in its buffer, a part
    /// held for it upstream, a released part, or (unlimited source, first
    /// station) raw material.
    #[inline(always)]
    pub fn work_waiting(&self, unlimited: bool) -> bool {
        !self.buffer.is_empty()
            || !self.blocked.is_empty()
            || !self.release.is_empty()
            || (unlimited && self.has(flags::STARTS_ROUTE))
    }

    /// Whether the buffer has a free place (none promised to a transfer).
    #[inline(always)]
    pub fn has_room(&self) -> bool {
        self.buffer.len() + self.reserved_slots < self.capacity
    }
}

/// An operator pool, as the event loop changes it.
#[derive(Debug)]
pub struct PoolRt {
    /// Operators not held by an operation (whatever the shift).
    pub free: u32,
    pub on_shift: bool,
    /// Machines waiting for its people, first come first served.
    pub queue: VecDeque<Request>,
    /// The machines whose station needs the pool.
    pub machines: Vec<u32>,
    /// People held by a task (an operation, a repair, a maintenance), over time.
    pub held: TimeWeighted,
}

#[cfg(test)]
mod tests {
    use super::MachineSet;

    #[test]
    fn machine_sets_find_the_lowest_member_at_any_size() {
        for machines in [1, 5, 64, 65, 4096, 5000, 100_000] {
            let mut set = MachineSet::new(machines);
            assert_eq!(set.first(), None);
            let members = [machines - 1, machines / 2, machines / 3];
            for &m in &members {
                set.set(m, true);
            }
            let lowest = *members.iter().min().unwrap();
            assert_eq!(set.first(), Some(lowest), "{machines}");
            assert_eq!(
                set.first_from(lowest + 1),
                members.iter().copied().filter(|&m| m > lowest).min()
            );
            set.set(lowest, false);
            let rest: Vec<usize> = members.iter().copied().filter(|&m| m != lowest).collect();
            assert_eq!(set.first(), rest.iter().copied().min());
            for &m in &members {
                set.set(m, false);
            }
            assert_eq!(set.first(), None);
            assert_eq!(set.first_from(0), None);
        }
    }

    #[test]
    fn machine_sets_agree_with_an_ordered_set_under_random_changes() {
        use rand::{Rng, SeedableRng};
        use std::collections::BTreeSet;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for machines in [1, 3, 63, 64, 65, 130, 4160, 9000] {
            let mut set = MachineSet::new(machines);
            let mut reference = BTreeSet::new();
            for _ in 0..20_000 {
                let i = rng.random_range(0..machines);
                let member = rng.random_bool(0.5);
                set.set(i, member);
                if member {
                    reference.insert(i);
                } else {
                    reference.remove(&i);
                }
                let from = rng.random_range(0..=machines);
                assert_eq!(
                    set.first_from(from),
                    reference.range(from..).next().copied(),
                    "{machines} machines, from {from}"
                );
                assert_eq!(set.first(), reference.iter().next().copied());
            }
        }
    }
}
