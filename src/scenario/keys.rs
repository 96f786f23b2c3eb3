//! Every key the scenario reader accepts, by the table it belongs to: the
//! readers check tables against these lists, and the test of the file
//! format reference (docs/SCENARIOS.md) checks that it documents each one.

pub const TOP: &[&str] = &[
    "scenario",
    "source",
    "products",
    "stations",
    "pools",
    "energy",
    "economics",
    "calendar",
    "initial_wip",
    "changes",
    "variants",
];
pub const SCENARIO: &[&str] = &[
    "name",
    "description",
    "time_unit",
    "warmup",
    "horizon",
    "replications",
    "seed",
];
pub const SOURCE: &[&str] = &["mode", "interarrival", "lot_size"];
pub const PRODUCT: &[&str] = &["name", "mix", "route", "description"];
pub const STATION: &[&str] = &[
    "name",
    "machines",
    "buffer",
    "process",
    "process_by_product",
    "failures",
    "scrap",
    "scrap_by_product",
    "rework",
    "batch",
    "setup",
    "operators",
    "load",
    "unload",
    "maintenance",
    "lights_out",
    "transfer",
    "energy",
    "description",
    "comment",
];
pub const FAILURES: &[&str] = &["ttf", "ttr", "basis", "repair"];
pub const CREW: &[&str] = &["pool", "count"];
pub const MAINTENANCE: &[&str] = &["every", "duration", "basis", "pool", "count"];
pub const REWORK: &[&str] = &["prob", "to"];
pub const BATCH: &[&str] = &["size", "min", "max_wait"];
pub const SETUP: &[&str] = &["time", "on", "every"];
pub const OPERATORS: &[&str] = &["pool", "count", "for"];
pub const STATION_ENERGY: &[&str] = &["busy_kw", "idle_kw", "down_kw", "setup_kw"];
pub const POOL: &[&str] = &["name", "size", "shifts", "cost_per_h", "description"];
pub const SHIFT: &[&str] = &["days", "start", "end"];
pub const ENERGY: &[&str] = &["co2_kg_per_kwh", "price_per_kwh"];
pub const ECONOMICS: &[&str] = &[
    "margin_per_part",
    "margin_by_product",
    "demand_per_year",
    "weeks_per_year",
    "years",
    "discount_rate",
];
pub const CALENDAR: &[&str] = &["start_date", "closed", "holidays"];
pub const CLOSED: &[&str] = &["days", "start", "end"];
pub const CHANGE: &[&str] = &[
    "name",
    "description",
    "capex",
    "opex_per_year",
    "stations",
    "pools",
    "products",
    "new_stations",
    "new_pools",
];
pub const VARIANT: &[&str] = &["name", "description", "changes"];

/// Each table of the format, named as the reference names it (`[]` for
/// an entry of an array of tables), and its keys.
pub const SECTIONS: &[(&str, &[&str])] = &[
    ("", TOP),
    ("scenario", SCENARIO),
    ("source", SOURCE),
    ("products[]", PRODUCT),
    ("stations[]", STATION),
    ("stations[].failures", FAILURES),
    ("stations[].failures.repair", CREW),
    ("stations[].maintenance", MAINTENANCE),
    ("stations[].rework", REWORK),
    ("stations[].batch", BATCH),
    ("stations[].setup", SETUP),
    ("stations[].operators", OPERATORS),
    ("stations[].energy", STATION_ENERGY),
    ("pools[]", POOL),
    ("pools[].shifts[]", SHIFT),
    ("energy", ENERGY),
    ("economics", ECONOMICS),
    ("calendar", CALENDAR),
    ("calendar.closed[]", CLOSED),
    ("changes[]", CHANGE),
    ("variants[]", VARIANT),
];

/// Every key path the reader accepts, as the reference writes them
/// (`stations[].failures.ttr`), distributions' parameters aside.
pub fn paths() -> Vec<String> {
    SECTIONS
        .iter()
        .flat_map(|(section, keys)| {
            keys.iter().map(move |key| {
                if section.is_empty() {
                    (*key).to_owned()
                } else {
                    format!("{section}.{key}")
                }
            })
        })
        .collect()
}
