//! The machine-state vocabulary: the states a machine can be in, their
//! reported names, and [`PerState`], a value per state (minutes, shares,
//! kW) indexed by [`MachineState`] and written to files by name.
//!
//! Every part of alloysim that lists states (engine, exact solver, summary,
//! tables, charts) goes through this module, so adding a state is one
//! change here that the compiler then asks for wherever a `match` over the
//! states must handle it.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Index, IndexMut};

/// The state a machine is in; exactly one at every instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum MachineState {
    /// Processing parts.
    Busy,
    /// Changing over before an operation.
    Setup,
    /// Being loaded or unloaded (before or after processing).
    LoadUnload,
    /// Holding a finished part that the next station cannot take.
    Blocked,
    /// Nothing to do (a batch machine waiting to fill its batch too).
    Starved,
    /// Has work; its pool is on shift but no operator is free.
    WaitingOperator,
    /// Its operators are needed only to load and unload, and it waits for
    /// one to load (with the setup before it) or to unload.
    WaitingLoadUnload,
    /// Has work or could take work; its pool is off shift or the plant is
    /// closed.
    OffShift,
    /// Failed, waiting for its repair crew, or being repaired.
    Down,
    /// In planned maintenance, or waiting for its maintenance crew.
    Maintenance,
}

/// Number of machine states.
pub const STATE_COUNT: usize = MachineState::ALL.len();

impl MachineState {
    /// Every state, in reporting order (the order of columns and legends).
    pub const ALL: [MachineState; 10] = [
        MachineState::Busy,
        MachineState::Setup,
        MachineState::LoadUnload,
        MachineState::Blocked,
        MachineState::Starved,
        MachineState::WaitingOperator,
        MachineState::WaitingLoadUnload,
        MachineState::OffShift,
        MachineState::Down,
        MachineState::Maintenance,
    ];

    /// The state's name in files, tables and charts.
    pub const fn name(self) -> &'static str {
        match self {
            MachineState::Busy => "busy",
            MachineState::Setup => "setup",
            MachineState::Blocked => "blocked",
            MachineState::Starved => "starved",
            MachineState::WaitingOperator => "waiting_operator",
            MachineState::LoadUnload => "load_unload",
            MachineState::WaitingLoadUnload => "waiting_load_unload",
            MachineState::OffShift => "off_shift",
            MachineState::Down => "down",
            MachineState::Maintenance => "maintenance",
        }
    }

    /// A short label for narrow table columns and legends.
    pub const fn label(self) -> &'static str {
        match self {
            MachineState::WaitingOperator => "w op",
            MachineState::LoadUnload => "l/u",
            MachineState::WaitingLoadUnload => "w l/u",
            MachineState::OffShift => "off sh",
            MachineState::Maintenance => "maint",
            other => other.name(),
        }
    }

    /// The state of a name, if it is one.
    pub fn from_name(name: &str) -> Option<MachineState> {
        MachineState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Position in [`MachineState::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// One value per machine state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerState<T>(pub [T; STATE_COUNT]);

/// Time shares of the machine states (they sum to 1), or minutes per state.
pub type StateShares = PerState<f64>;

impl<T: Copy + Default> Default for PerState<T> {
    fn default() -> Self {
        PerState([T::default(); STATE_COUNT])
    }
}

impl<T> PerState<T> {
    /// A value for every state, from a function of the state.
    pub fn from_fn(f: impl Fn(MachineState) -> T) -> Self {
        PerState(MachineState::ALL.map(f))
    }

    /// The values in [`MachineState::ALL`] order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// States and their values, in [`MachineState::ALL`] order.
    pub fn states(&self) -> impl Iterator<Item = (MachineState, &T)> {
        MachineState::ALL.into_iter().zip(self.0.iter())
    }
}

impl PerState<f64> {
    /// The sum over all states.
    pub fn total(&self) -> f64 {
        self.0.iter().sum()
    }
}

impl<T> Index<MachineState> for PerState<T> {
    type Output = T;
    #[inline(always)]
    fn index(&self, state: MachineState) -> &T {
        &self.0[state as usize]
    }
}

impl<T> IndexMut<MachineState> for PerState<T> {
    #[inline(always)]
    fn index_mut(&mut self, state: MachineState) -> &mut T {
        &mut self.0[state as usize]
    }
}

impl<'a, T> IntoIterator for &'a PerState<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Written as `{ "busy": 0.8, "setup": 0.0, ... }` in state order; a value
/// that is not finite is written as `null` (JSON has no NaN) and read back
/// as NaN.
impl Serialize for PerState<f64> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(STATE_COUNT))?;
        for (state, value) in self.states() {
            if value.is_finite() {
                map.serialize_entry(state.name(), value)?;
            } else {
                map.serialize_entry(state.name(), &None::<f64>)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PerState<f64> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SharesVisitor;
        impl<'de> Visitor<'de> for SharesVisitor {
            type Value = PerState<f64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value for every machine state")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut values = [None; STATE_COUNT];
                while let Some(key) = map.next_key::<String>()? {
                    let value: Option<f64> = map.next_value()?;
                    if let Some(state) = MachineState::from_name(&key) {
                        values[state.index()] = Some(value.unwrap_or(f64::NAN));
                    }
                }
                let mut shares = [0.0; STATE_COUNT];
                for (state, value) in MachineState::ALL.into_iter().zip(values) {
                    shares[state.index()] =
                        value.ok_or_else(|| serde::de::Error::missing_field(state.name()))?;
                }
                Ok(PerState(shares))
            }
        }
        deserializer.deserialize_map(SharesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for (i, state) in MachineState::ALL.into_iter().enumerate() {
            assert_eq!(state.index(), i);
            assert_eq!(MachineState::from_name(state.name()), Some(state));
        }
    }

    #[test]
    fn shares_serialise_by_name_and_nan_as_null() {
        let mut shares = StateShares::default();
        shares[MachineState::Busy] = 0.75;
        shares[MachineState::Down] = f64::NAN;
        let json = serde_json::to_string(&shares).unwrap();
        assert!(json.starts_with(r#"{"busy":0.75,"setup":0.0,"#), "{json}");
        assert!(
            json.ends_with(r#""down":null,"maintenance":0.0}"#),
            "{json}"
        );
        let back: StateShares = serde_json::from_str(&json).unwrap();
        assert_eq!(back[MachineState::Busy], 0.75);
        assert!(back[MachineState::Down].is_nan());
    }
}
