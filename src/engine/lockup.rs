//! Lines that cannot go on: a set of blocked machines that waits on itself
//! (a lock-up), requests for people whom nothing will free (a pool lock),
//! simulated time that stands still, and more parts in the line than
//! memory should hold. Each is found cheaply while the run goes on and
//! described for the message that ends it.

use super::records::{flags, Machine, Need, StationRt};
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
            holders: Vec::new(),
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
            holders: self.holders(|_, m| m.down),
        }
    }

    /// The stations of the machines for which `waits` holds that keep
    /// operators or a maintenance crew on them, in station order.
    fn holders(&self, waits: impl Fn(usize, &Machine) -> bool) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (machine, m) in self.machines.iter().enumerate() {
            if (m.has_operators || m.has_maintenance_crew) && waits(machine, m) {
                let name = &self.model.stations[m.station as usize].name;
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }
}

impl<const FULL: bool> Hot<'_, FULL> {
    /// Whether requests for people wait on themselves: the pools whose
    /// first request can never be served, or `None`.
    ///
    /// Pools serve their queues strictly first come, first served, so a
    /// queue whose first request cannot be served holds up all of it. The
    /// first request of pool P can never be served when it needs more
    /// people than P can ever have free: those free now (on shift or not:
    /// shifts come round) and those held by machines that will let them go,
    /// which excludes the machines that themselves wait in a queue that can
    /// never be served (down with their operators or maintenance crew on
    /// them, waiting for a repair crew). The set of such pools is the
    /// largest that satisfies this (start from every pool whose first
    /// request exceeds its free people, drop the pools the rest cannot
    /// hold up, until none drops). A first request to start or to maintain
    /// leaves the queue when its turn comes while the plant is closed for
    /// its station, so a pool with such a request first, on a line with a
    /// plant calendar, is never counted as locked.
    ///
    /// Unlike a line whose events run out, such a lock does not stop the
    /// run by itself where shifts or the plant calendar go on changing, or
    /// parts go on arriving. A lock forms when a machine that holds people
    /// queues for a repair crew, which is where this is called (rarely).
    #[cold]
    #[inline(never)]
    pub fn pool_lock(&self) -> Option<Deadlock> {
        let calendar = self.model.calendar.is_some();
        let head_need: Vec<Option<u32>> = self
            .pools
            .iter()
            .map(|pool| {
                let request = pool.queue.front()?;
                let machine = request.machine();
                let station = self.machines[machine].station as usize;
                let leaves = matches!(request.need(), Need::Start | Need::Maintenance)
                    && calendar
                    && !self.stations[station].has(flags::LIGHTS_OUT);
                let need = self.request_count(machine, request.need());
                (!leaves && need > pool.free).then_some(need)
            })
            .collect();
        let mut locked: Vec<bool> = head_need.iter().map(Option::is_some).collect();
        let mut waiting = vec![false; self.machines.len()];
        loop {
            if !locked.contains(&true) {
                return None;
            }
            waiting.fill(false);
            for (pool, _) in self.pools.iter().zip(&locked).filter(|(_, &l)| l) {
                for request in &pool.queue {
                    waiting[request.machine()] = true;
                }
            }
            let mut freed = vec![0u32; self.pools.len()];
            for (machine, m) in self.machines.iter().enumerate() {
                if waiting[machine] {
                    continue;
                }
                let spec = &self.model.stations[m.station as usize];
                let holds = [
                    (m.has_operators, spec.operators.map(|o| (o.pool, o.count))),
                    (
                        m.has_repair_crew,
                        spec.failures
                            .as_ref()
                            .and_then(|f| f.repair.map(|c| (c.pool, c.count))),
                    ),
                    (
                        m.has_maintenance_crew,
                        spec.maintenance
                            .as_ref()
                            .and_then(|x| x.crew.map(|c| (c.pool, c.count))),
                    ),
                ];
                for (pool, count) in holds.into_iter().filter_map(|(held, c)| c.filter(|_| held)) {
                    freed[pool] += count;
                }
            }
            let mut dropped = false;
            for pool in 0..self.pools.len() {
                if locked[pool] {
                    let need = head_need[pool].expect("a locked pool's first request");
                    if self.pools[pool].free + freed[pool] >= need {
                        locked[pool] = false;
                        dropped = true;
                    }
                }
            }
            if !dropped {
                break;
            }
        }
        let pools = (0..self.pools.len())
            .filter(|&p| locked[p])
            .map(|p| self.model.pools[p].name.clone())
            .collect();
        Some(Deadlock {
            time_min: self.now,
            stations: Vec::new(),
            pools,
            holders: self.holders(|machine, _| waiting[machine]),
        })
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
