//! Random streams: one independent generator per (replication, station,
//! machine, purpose), so that common random numbers hold across variants.
//!
//! A stream's seed is a hash of its identity, not a position in a shared
//! sequence: adding a station, a machine or a draw in one place never shifts
//! the numbers another place sees. The generator is xoshiro256++ (fast, 256
//! bits of state, passes BigCrush), seeded through SplitMix64 as its authors
//! recommend.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator type every stream uses.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream's numbers are used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    Process = 1,
    Failure = 2,
    Repair = 3,
    Scrap = 4,
    Setup = 5,
    Routing = 6,
    Arrivals = 7,
    Transfer = 8,
    Load = 9,
    Unload = 10,
    Maintenance = 11,
}

/// The SplitMix64 finaliser: a bijective 64-bit mixer with good avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a hash of a name: stable across platforms and Rust versions (unlike
/// `std`'s hasher), which reproducibility requires.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The base seed of one replication, derived from the scenario's master seed.
pub fn replication_seed(master_seed: u64, replication: u32) -> u64 {
    mix64(mix64(master_seed) ^ u64::from(replication))
}

/// The stream of (replication, station, machine, purpose). The source uses the
/// station name `""`.
pub fn stream(replication_seed: u64, station: &str, machine: u32, purpose: Purpose) -> Stream {
    let mut key = mix64(replication_seed ^ name_hash(station));
    key = mix64(key ^ u64::from(machine));
    key = mix64(key ^ purpose as u64);
    Stream::seed_from_u64(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_part_of_their_identity() {
        let first = |s: &mut Stream| s.random::<u64>();
        let base = replication_seed(1, 0);
        let reference = first(&mut stream(base, "cnc", 0, Purpose::Process));
        assert_eq!(
            reference,
            first(&mut stream(base, "cnc", 0, Purpose::Process))
        );
        for other in [
            stream(replication_seed(2, 0), "cnc", 0, Purpose::Process),
            stream(replication_seed(1, 1), "cnc", 0, Purpose::Process),
            stream(base, "cnc2", 0, Purpose::Process),
            stream(base, "cnc", 1, Purpose::Process),
            stream(base, "cnc", 0, Purpose::Failure),
        ] {
            let mut other = other;
            assert_ne!(reference, first(&mut other));
        }
    }
}
