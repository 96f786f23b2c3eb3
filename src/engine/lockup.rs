//! Lines that cannot go on: a set of blocked machines that waits on itself
//! (a lock-up), simulated time that stands still, and more parts in the
//! line than memory should hold. Each is found cheaply while the run goes
//! on and described for the message that ends it.

use super::records::{Machine, StationRt};
use super::result::{Deadlock, Overflow, Stall};
use super::state::{Hot, Lockup};

impl<const FULL: bool> Hot<'_, FULL> {
    /// Whether the machines blocked on `station` can never move again:
    /// every machine of the station, and of every station those machines
    /// wait for in turn, is itself blocked. (A station with blocked machines
    /// upstream has a full buffer, so only one of its own machines could
    /// free a place.) Cost: one comparison when a machine of the station is
    /// not blocked, which is almost always; else one pass over the stations
    /// reachable along blocked machines.
    #[inline(always)]
    pub fn is_locked(&mut self, station: usize) -> bool {
        let s = &self.stations[station];
        if s.blocked_machines < s.machine_count {
            return false;
        }
        search_lock(self.lockup, self.stations, self.machines, station)
    }

    /// The lock found by the last search: its time and stations.
    #[cold]
    pub fn lock(&self) -> Deadlock {
        let stations = (0..self.stations.len())
            .filter(|&s| self.lockup.visited[s])
            .map(|s| self.model.stations[s].name.clone())
            .collect();
        Deadlock {
            time_min: self.now,
            stations,
            pools: Vec::new(),
        }
    }

    /// Nothing left to happen before the end: the stations of the machines
    /// that are blocked, and the pools whose queues wait for people that
    /// nothing will free.
    #[cold]
    pub fn deadlock(&self) -> Deadlock {
        let mut stations: Vec<String> = Vec::new();
        for machine in self.machines.iter().filter(|m| m.blocked) {
            let name = &self.model.stations[machine.station as usize].name;
            if !stations.contains(name) {
                stations.push(name.clone());
            }
        }
        let pools = self
            .pools
            .iter()
            .zip(&self.model.pools)
            .filter(|(p, _)| !p.queue.is_empty())
            .map(|(_, spec)| spec.name.clone())
            .collect();
        Deadlock {
            time_min: self.now,
            stations,
            pools,
        }
    }
}

/// Follows blocked machines from `station` on; true when every station
/// reached has all its machines blocked.
#[cold]
#[inline(never)]
fn search_lock(
    lockup: &mut Lockup,
    stations: &[StationRt],
    machines: &[Machine],
    station: usize,
) -> bool {
    lockup.visited.fill(false);
    lockup.stack.clear();
    lockup.visited[station] = true;
    lockup.stack.push(station);
    while let Some(s) = lockup.stack.pop() {
        let st = &stations[s];
        if st.blocked_machines < st.machine_count {
            return false;
        }
        let first = st.first_machine as usize;
        for m in &machines[first..first + st.machine_count as usize] {
            let next = m.blocked_on as usize;
            if !lockup.visited[next] {
                lockup.visited[next] = true;
                lockup.stack.push(next);
            }
        }
    }
    true
}

impl<const FULL: bool> Hot<'_, FULL> {
    /// Where the parts are when the line holds too many.
    #[cold]
    pub fn overflow(&self) -> Overflow {
        let (station, fullest) = self
            .stations
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| s.buffer.len() + s.release.len())
            .expect("a line has stations");
        Overflow {
            time_min: self.now,
            station: self.model.stations[station].name.clone(),
            parts: fullest.buffer.len(),
            capacity: self.model.stations[station].buffer,
        }
    }

    /// The stations that act at the instant time stands still.
    #[cold]
    pub fn stall(&self) -> Stall {
        let mut stations: Vec<String> = Vec::new();
        for machine in self.machines.iter().filter(|m| m.since_min == self.now) {
            let name = &self.model.stations[machine.station as usize].name;
            if !stations.contains(name) {
                stations.push(name.clone());
            }
        }
        Stall {
            time_min: self.now,
            stations,
        }
    }
}
