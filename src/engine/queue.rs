//! The future event list: a binary min-heap keyed by (time, sequence number).
//!
//! Simultaneous events leave in the order they were scheduled, which makes a
//! run deterministic and lets deterministic lines be checked by hand;
//! calendar changes (the plant's, the pools' shifts) come first at their
//! instant, closings before openings, and of two openings the plant's
//! before a pool's (so that a pool that starts its shift as the plant
//! opens serves its queue with the plant already open). An
//! event is 16 bytes: the time's IEEE bits (which order like the times
//! themselves for non-negative values), and one word holding the sequence
//! number (high 39 bits), the kind (4 bits) and the target (low 21 bits).
//! Sequence numbers are unique, so the pair (time bits, word) orders events
//! by time, then by scheduling order, in one 128-bit comparison. A pending
//! event is made stale by forgetting its sequence number: its owner keeps
//! the sequence of the event it still expects. The heap's storage grows to
//! the largest number of pending events and is then reused, so the hot loop
//! never allocates.

/// What happens when an event fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum EventKind {
    /// The operation on a machine ends (processing or setup).
    Complete = 0,
    /// A machine fails while processing (operating-basis failures).
    Fail = 1,
    /// A machine's repair ends.
    Repair = 2,
    /// A machine fails whatever it is doing (calendar-basis failures).
    CalendarFail = 3,
    /// The source releases a raw part (interarrival mode).
    Arrival = 4,
    /// A part in transport reaches its next station (target: the part).
    TransferArrive = 5,
    /// The oldest part waiting for a batch has waited `max_wait` (target:
    /// the station).
    BatchTimeout = 6,
    /// The plant opens or closes (the calendar). Its code is below
    /// [`EventKind::ShiftChange`]'s: at one instant, of two calendar
    /// changes alike (both closings or both openings), the plant's comes
    /// first.
    PlantChange = 7,
    /// A machine's calendar-basis planned maintenance falls due.
    MaintenanceDue = 8,
    /// An operator pool's shift starts or ends (target: the pool).
    ShiftChange = 9,
}

/// Kinds by their code (a 4-bit code space; codes from 10 on are never
/// made, and decode as the last kind so that decoding needs no check).
const KINDS: [EventKind; 16] = [
    EventKind::Complete,
    EventKind::Fail,
    EventKind::Repair,
    EventKind::CalendarFail,
    EventKind::Arrival,
    EventKind::TransferArrive,
    EventKind::BatchTimeout,
    EventKind::PlantChange,
    EventKind::MaintenanceDue,
    EventKind::ShiftChange,
    EventKind::ShiftChange,
    EventKind::ShiftChange,
    EventKind::ShiftChange,
    EventKind::ShiftChange,
    EventKind::ShiftChange,
    EventKind::ShiftChange,
];

/// Kinds that are made (the first of [`KINDS`]).
#[cfg(test)]
const KIND_COUNT: usize = 10;

/// Bits of the target (machine, part, station or pool index).
pub const TARGET_BITS: u32 = 21;
/// The largest target index an event can carry.
pub const MAX_TARGET: u32 = (1 << TARGET_BITS) - 1;
const KIND_SHIFT: u32 = TARGET_BITS;
const SEQUENCE_SHIFT: u32 = TARGET_BITS + 4;
/// Sequence numbers available to one run (about 5·10¹¹).
pub const MAX_SEQUENCE: u64 = (1 << (64 - SEQUENCE_SHIFT)) - 1;

/// A scheduled event: 16 bytes, compared by (time, sequence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The time's IEEE bits: for non-negative times they order like the times.
    time_bits: u64,
    /// Sequence number, kind and target (see the module's doc).
    word: u64,
}

const _: () = assert!(std::mem::size_of::<Event>() == 16);

impl Event {
    /// What the event does.
    #[inline(always)]
    pub fn kind(&self) -> EventKind {
        KINDS[((self.word >> KIND_SHIFT) & 0xF) as usize]
    }

    /// The machine, part, station or pool the event concerns.
    #[inline(always)]
    pub fn target(&self) -> usize {
        (self.word & u64::from(MAX_TARGET)) as usize
    }

    /// The event's sequence number: 2 and up, unique in a run (0 or 1 for
    /// a calendar change, see [`EventQueue::push_calendar`]).
    #[inline(always)]
    pub fn sequence(&self) -> u64 {
        self.word >> SEQUENCE_SHIFT
    }

    /// The simulated time at which the event fires, in minutes.
    #[inline(always)]
    pub fn time(&self) -> f64 {
        f64::from_bits(self.time_bits)
    }

    /// (time, sequence) as one integer: ordering is a single wide compare.
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time_bits) << 64) | u128::from(self.word)
    }
}

/// Binary min-heap of events.
///
/// [`EventQueue::pop`] leaves the popped event's slot at the root as a
/// "hole" instead of removing it at once: the first event pushed while the
/// popped one is handled fills the hole and sifts down once (replace-top),
/// which saves the separate removal and insertion of a pop followed by a
/// push. The hole is removed for real only if nothing was pushed before the
/// next pop.
#[derive(Debug)]
pub struct EventQueue {
    heap: Vec<Event>,
    /// The last sequence number given out.
    sequence: u64,
    /// `heap[0]` has been popped and awaits replacement.
    hole: bool,
}

impl Default for EventQueue {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl EventQueue {
    /// An empty queue with room for `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            heap: Vec::with_capacity(capacity),
            // 0 and 1 are the calendar changes' (`push_calendar`).
            sequence: 1,
            hole: false,
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() - usize::from(self.hole)
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules a change of a calendar (the plant's, a pool's shifts) at
    /// `time`: it comes before every other event at that instant, closings
    /// before openings, so that nothing starts at the instant the plant
    /// closes or a shift ends, whatever was scheduled first; of two
    /// openings the plant's comes first, so that a shift that starts as
    /// the plant opens finds it open (work waiting for both starts at that
    /// instant, in the order it queued). (Its sequence number is 0 for a
    /// closing and 1 for an opening; other events get 2 and up; the kind
    /// orders the plant's change before a pool's. A pool or the plant has
    /// one change pending at a time, so (time, sequence, kind, target)
    /// stays unique.)
    pub fn push_calendar(&mut self, time: f64, kind: EventKind, target: usize, opening: bool) {
        debug_assert!(matches!(
            kind,
            EventKind::ShiftChange | EventKind::PlantChange
        ));
        debug_assert!(time >= 0.0 && time.is_finite(), "bad event time {time}");
        debug_assert!(target <= MAX_TARGET as usize, "target {target}");
        let event = Event {
            time_bits: time.to_bits(),
            word: (u64::from(opening) << SEQUENCE_SHIFT)
                | ((kind as u64) << KIND_SHIFT)
                | target as u64,
        };
        self.insert(event);
    }

    /// Schedules an event at `time >= 0` for `target` (at most
    /// [`MAX_TARGET`]); returns its sequence number, by which its owner can
    /// tell it from a stale one. Cost: O(log n); one sift-down when it
    /// fills the hole of the event being handled.
    #[inline(always)]
    pub fn push(&mut self, time: f64, kind: EventKind, target: usize) -> u64 {
        debug_assert!(time >= 0.0 && time.is_finite(), "bad event time {time}");
        debug_assert!(target <= MAX_TARGET as usize, "target {target}");
        self.sequence += 1;
        debug_assert!(self.sequence <= MAX_SEQUENCE);
        let event = Event {
            time_bits: time.to_bits(),
            word: (self.sequence << SEQUENCE_SHIFT) | ((kind as u64) << KIND_SHIFT) | target as u64,
        };
        self.insert(event);
        self.sequence
    }

    /// Puts the event in the hole left by the one being handled, or adds it.
    #[inline(always)]
    fn insert(&mut self, event: Event) {
        if self.hole {
            self.hole = false;
            self.sift_down_from_root(event);
        } else {
            self.heap.push(event);
            self.sift_up(self.heap.len() - 1);
        }
    }

    /// Takes the earliest event. Cost: O(log n), paid by the next push or pop.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<Event> {
        if self.hole {
            self.remove_root();
        }
        let top = *self.heap.first()?;
        self.hole = true;
        Some(top)
    }

    #[inline(always)]
    fn remove_root(&mut self) {
        self.hole = false;
        let last = self.heap.pop().expect("a hole implies an element");
        if !self.heap.is_empty() {
            self.sift_down_from_root(last);
        }
    }

    #[inline(always)]
    fn sift_up(&mut self, mut index: usize) {
        let item = self.heap[index];
        let key = item.key();
        while index > 0 {
            let parent = (index - 1) / 2;
            if key >= self.heap[parent].key() {
                break;
            }
            self.heap[index] = self.heap[parent];
            index = parent;
        }
        self.heap[index] = item;
    }

    /// Places `item` at the root and sifts it down: the item travels in
    /// registers and is stored once, where it lands.
    #[inline(always)]
    fn sift_down_from_root(&mut self, item: Event) {
        let heap = &mut self.heap[..];
        let len = heap.len();
        let key = item.key();
        let mut index = 0;
        loop {
            let left = 2 * index + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            // The earlier child, chosen without a branch.
            let child = left + usize::from(right < len && heap[right].key() < heap[left].key());
            if heap[child].key() >= key {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = item;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut queue = EventQueue::with_capacity(4);
        queue.push(2.0, EventKind::Complete, 0);
        queue.push(1.0, EventKind::Complete, 1);
        queue.push(2.0, EventKind::Complete, 2);
        queue.push(0.0, EventKind::Complete, 3);
        queue.push(1.0, EventKind::Complete, 4);
        let order: Vec<usize> = std::iter::from_fn(|| queue.pop())
            .map(|e| e.target())
            .collect();
        assert_eq!(order, vec![3, 1, 4, 0, 2]);
    }

    #[test]
    fn every_kind_and_target_comes_back_as_pushed() {
        // A guard, not a check: this match is exhaustive, so a new kind
        // fails to compile here until it is added to KINDS (at most 16 in
        // the 4-bit code).
        let _exhaustive = |kind: EventKind| match kind {
            EventKind::Complete
            | EventKind::Fail
            | EventKind::Repair
            | EventKind::CalendarFail
            | EventKind::Arrival
            | EventKind::TransferArrive
            | EventKind::BatchTimeout
            | EventKind::PlantChange
            | EventKind::MaintenanceDue
            | EventKind::ShiftChange => (),
        };
        let mut queue = EventQueue::with_capacity(8);
        let mut sequences = Vec::new();
        for (i, kind) in KINDS.into_iter().take(KIND_COUNT).enumerate() {
            let target = if i == 7 { MAX_TARGET as usize } else { i };
            sequences.push(queue.push(1.0, kind, target));
        }
        for (i, kind) in KINDS.into_iter().take(KIND_COUNT).enumerate() {
            let event = queue.pop().unwrap();
            let target = if i == 7 { MAX_TARGET as usize } else { i };
            assert_eq!((event.kind(), event.target()), (kind, target));
            assert_eq!(event.kind() as usize, i);
            assert_eq!(event.sequence(), sequences[i]);
        }
    }

    #[test]
    fn calendar_changes_come_first_at_their_instant_closings_before_openings() {
        let mut queue = EventQueue::default();
        queue.push(5.0, EventKind::Complete, 1);
        queue.push_calendar(5.0, EventKind::ShiftChange, 2, true);
        queue.push(4.0, EventKind::Complete, 3);
        queue.push_calendar(5.0, EventKind::PlantChange, 0, false);
        queue.push_calendar(6.0, EventKind::PlantChange, 4, false);
        let order: Vec<usize> = std::iter::from_fn(|| queue.pop())
            .map(|e| e.target())
            .collect();
        assert_eq!(order, vec![3, 0, 2, 1, 4]);
    }

    #[test]
    fn the_plant_opens_before_a_shift_that_starts_with_it() {
        // Whatever the order they were scheduled in: closings first, then
        // of the openings the plant's before the pools'.
        let mut queue = EventQueue::default();
        queue.push(7.0, EventKind::Complete, 9);
        queue.push_calendar(7.0, EventKind::ShiftChange, 1, true);
        queue.push_calendar(7.0, EventKind::ShiftChange, 2, false);
        queue.push_calendar(7.0, EventKind::PlantChange, 0, true);
        let order: Vec<(EventKind, usize)> = std::iter::from_fn(|| queue.pop())
            .map(|e| (e.kind(), e.target()))
            .collect();
        assert_eq!(
            order,
            vec![
                (EventKind::ShiftChange, 2),
                (EventKind::PlantChange, 0),
                (EventKind::ShiftChange, 1),
                (EventKind::Complete, 9),
            ]
        );
    }

    #[test]
    fn matches_a_sorted_reference() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut queue = EventQueue::default();
        let mut popped = Vec::new();
        for i in 0..5000usize {
            let time = f64::from(rng.random_range(0..200u32)) * 0.5;
            queue.push(time, EventKind::Repair, i);
            if i % 3 == 0 {
                popped.push(queue.pop().unwrap());
            }
        }
        while let Some(event) = queue.pop() {
            popped.push(event);
        }
        // Every event comes out exactly once; those popped after the last
        // push come out in (time, insertion) order.
        let mut ids: Vec<usize> = popped.iter().map(|e| e.target()).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..5000).collect::<Vec<_>>());
        let tail = &popped[popped.len() - 3000..];
        assert!(tail
            .windows(2)
            .all(|w| (w[0].time(), w[0].target()) <= (w[1].time(), w[1].target())));
    }
}
