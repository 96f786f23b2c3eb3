//! The future event list: a binary min-heap keyed by (time, sequence number).
//!
//! Simultaneous events leave in the order they were scheduled, which makes a
//! run deterministic and lets deterministic lines be checked by hand. The key
//! is the time's IEEE bits (which order like the times themselves for
//! non-negative values) and a 56-bit sequence number, compared as one 128-bit
//! integer. Events are small `Copy` values (24 bytes); the heap's storage
//! grows to the largest number of pending events and is then reused, so the
//! hot loop never allocates.

/// What happens when an event fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum EventKind {
    /// The operation on a machine ends (processing or setup).
    Complete,
    /// A machine fails while processing (operating-basis failures).
    Fail,
    /// A machine's repair ends.
    Repair,
    /// A machine fails whatever it is doing (calendar-basis failures).
    CalendarFail,
    /// The source releases a raw part (interarrival mode).
    Arrival,
    /// A part in transport reaches its next station (target: the part).
    TransferArrive,
    /// The oldest part waiting for a batch has waited `max_wait` (target:
    /// the station).
    BatchTimeout,
    /// An operator pool's shift starts or ends (target: the pool).
    ShiftChange,
}

/// A scheduled event: 24 bytes, compared by (time, sequence).
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// The time's IEEE bits: for non-negative times they order like the times.
    time_bits: u64,
    /// The sequence number in the upper 56 bits, the kind in the lowest 8
    /// (of which the lowest 3 suffice for the 8 kinds, so `kind` masks
    /// with 0x7). Sequence numbers are unique, so this orders like the
    /// sequence alone; 2^56 events (7e16) is beyond any run.
    sequence_kind: u64,
    /// The machine, part, station or pool the event concerns.
    pub target: u32,
    /// Generation of the target when scheduled; a mismatch marks a stale event.
    pub generation: u32,
}

const _: () = assert!(std::mem::size_of::<Event>() == 24);

const KINDS: [EventKind; 8] = [
    EventKind::Complete,
    EventKind::Fail,
    EventKind::Repair,
    EventKind::CalendarFail,
    EventKind::Arrival,
    EventKind::TransferArrive,
    EventKind::BatchTimeout,
    EventKind::ShiftChange,
];

impl Event {
    /// What the event does.
    #[inline(always)]
    pub fn kind(&self) -> EventKind {
        KINDS[(self.sequence_kind & 0x7) as usize]
    }

    /// The simulated time at which the event fires, in minutes.
    #[inline]
    pub fn time(&self) -> f64 {
        f64::from_bits(self.time_bits)
    }

    /// (time, sequence) as one integer: ordering is a single wide compare,
    /// which compiles without a branch.
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time_bits) << 64) | u128::from(self.sequence_kind)
    }

    #[inline(always)]
    fn before(&self, other: &Event) -> bool {
        self.key() < other.key()
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
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: Vec<Event>,
    next_sequence: u64,
    /// `heap[0]` has been popped and awaits replacement.
    hole: bool,
}

impl EventQueue {
    /// An empty queue with room for `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            heap: Vec::with_capacity(capacity),
            next_sequence: 0,
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

    /// Schedules an event at `time >= 0`. Cost: O(log n); one sift-down
    /// when it fills the hole of the event being handled.
    #[inline(always)]
    pub fn push(&mut self, time: f64, kind: EventKind, target: u32, generation: u32) {
        debug_assert!(time >= 0.0 && time.is_finite(), "bad event time {time}");
        debug_assert!(self.next_sequence < 1 << 56);
        let event = Event {
            time_bits: time.to_bits(),
            sequence_kind: (self.next_sequence << 8) | kind as u64,
            target,
            generation,
        };
        self.next_sequence += 1;
        if self.hole {
            self.hole = false;
            self.heap[0] = event;
            self.sift_down(0);
        } else {
            self.heap.push(event);
            self.sift_up(self.heap.len() - 1);
        }
    }

    /// Takes the earliest event. Cost: O(log n), paid by the next push or pop.
    #[inline]
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
            self.heap[0] = last;
            self.sift_down(0);
        }
    }

    #[inline]
    fn sift_up(&mut self, mut index: usize) {
        let item = self.heap[index];
        while index > 0 {
            let parent = (index - 1) / 2;
            if !item.before(&self.heap[parent]) {
                break;
            }
            self.heap[index] = self.heap[parent];
            index = parent;
        }
        self.heap[index] = item;
    }

    #[inline(always)]
    fn sift_down(&mut self, mut index: usize) {
        let len = self.heap.len();
        let item = self.heap[index];
        loop {
            let left = 2 * index + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            // The earlier child, chosen without a branch.
            let child =
                left + usize::from(right < len && self.heap[right].before(&self.heap[left]));
            if !self.heap[child].before(&item) {
                break;
            }
            self.heap[index] = self.heap[child];
            index = child;
        }
        self.heap[index] = item;
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
        queue.push(2.0, EventKind::Complete, 0, 0);
        queue.push(1.0, EventKind::Complete, 1, 0);
        queue.push(2.0, EventKind::Complete, 2, 0);
        queue.push(0.0, EventKind::Complete, 3, 0);
        queue.push(1.0, EventKind::Complete, 4, 0);
        let order: Vec<u32> = std::iter::from_fn(|| queue.pop())
            .map(|e| e.target)
            .collect();
        assert_eq!(order, vec![3, 1, 4, 0, 2]);
    }

    #[test]
    fn every_kind_comes_back_as_pushed() {
        // A guard, not a check: this match is exhaustive, so a new kind
        // fails to compile here until it is added to KINDS (whose length of
        // 8 the 3-bit mask in `kind` assumes).
        let _exhaustive = |kind: EventKind| match kind {
            EventKind::Complete
            | EventKind::Fail
            | EventKind::Repair
            | EventKind::CalendarFail
            | EventKind::Arrival
            | EventKind::TransferArrive
            | EventKind::BatchTimeout
            | EventKind::ShiftChange => (),
        };
        let mut queue = EventQueue::with_capacity(8);
        for (i, kind) in KINDS.into_iter().enumerate() {
            queue.push(1.0, kind, i as u32, 7);
        }
        for (i, kind) in KINDS.into_iter().enumerate() {
            let event = queue.pop().unwrap();
            assert_eq!(
                (event.kind(), event.target, event.generation),
                (kind, i as u32, 7)
            );
            assert_eq!(event.kind() as usize, i);
        }
    }

    #[test]
    fn matches_a_sorted_reference() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut queue = EventQueue::default();
        let mut reference: Vec<(f64, u32)> = Vec::new();
        let mut popped = Vec::new();
        for i in 0..5000u32 {
            let time = f64::from(rng.random_range(0..200u32)) * 0.5;
            queue.push(time, EventKind::Repair, i, 0);
            reference.push((time, i));
            if i % 3 == 0 {
                popped.push(queue.pop().unwrap());
            }
        }
        while let Some(event) = queue.pop() {
            popped.push(event);
        }
        // Every pop returns the minimum of what was pending at that moment;
        // checked globally: times popped after the last push are sorted, and
        // all events come out exactly once.
        let mut ids: Vec<u32> = popped.iter().map(|e| e.target).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..5000).collect::<Vec<_>>());
        let tail = &popped[popped.len() - 3000..];
        assert!(tail
            .windows(2)
            .all(|w| (w[0].time(), w[0].target) <= (w[1].time(), w[1].target)));
    }
}
