//! The line of one variant: the `[scenario]` header (name, time unit, run
//! settings), the source, the products and their routes, and the model
//! built from them with the stations and pools.

use super::keys;
use super::pool::read_pool;
use super::read::{index, join, non_negative, Reader, Table, Value};
use super::station::{read_station, resolve_station, Names, RawStation};
use crate::model::{InitialWip, Model, Pool, Product, RunSettings, Source, Station};
use std::ops::Range;

/// What `[scenario]` says; shared by every variant.
pub struct Header {
    pub name: String,
    pub description: String,
    pub run: RunSettings,
}

/// The longest run simulated: warm-up plus horizon, minutes (about 1900
/// years).
pub const MAX_RUN_MIN: f64 = 1e9;

pub fn read_header(reader: &mut Reader<'_>, root: &Table<'_>) -> Option<Header> {
    let Some(value) = root.get("scenario") else {
        reader.error(0..0, "scenario", "missing required section [scenario]");
        return None;
    };
    let table = reader.table(value, "scenario")?;
    let span = value.span();
    reader.check_keys(table, "scenario", keys::SCENARIO);
    if let Some(unit) = table.get("time_unit") {
        read_time_unit(reader, unit);
    }
    let name = reader
        .required(table, span.clone(), "scenario", "name")
        .and_then(|v| reader.name(v, "scenario.name").map(|n| (n, v.span())))
        .and_then(|(name, span)| check_folder_name(reader, name, span));
    let description = match table.get("description") {
        Some(v) => reader.string(v, "scenario.description").unwrap_or_default(),
        None => String::new(),
    };
    let warmup_min = match table.get("warmup") {
        Some(v) => reader.duration_bounded(v, "scenario.warmup", false),
        None => Some(0.0),
    };
    let horizon_min = reader
        .required(table, span, "scenario", "horizon")
        .and_then(|v| reader.duration_bounded(v, "scenario.horizon", true));
    if let (Some(w), Some(h)) = (warmup_min, horizon_min) {
        if w + h > MAX_RUN_MIN {
            let span = table.get("horizon").map_or(0..0, |v| v.span());
            reader.error(
                span,
                "scenario.horizon",
                format!(
                    "warm-up plus horizon is {:.3e} minutes; at most 1e9 (about 1900 years) is simulated",
                    w + h
                ),
            );
        }
    }
    let replications = match table.get("replications") {
        Some(v) => reader
            .integer_in(v, "scenario.replications", 1, 1_000_000)
            .map(|r| r as u32),
        None => Some(10),
    };
    let seed = match table.get("seed") {
        Some(v) => reader
            .integer_in(v, "scenario.seed", 0, i64::MAX)
            .map(|s| s as u64),
        None => Some(1),
    };
    Some(Header {
        name: name?,
        description,
        run: RunSettings {
            replications: replications?,
            seed: seed?,
            warmup_min: warmup_min?,
            horizon_min: horizon_min?,
        },
    })
}

/// The longest scenario name: it names the output folder.
const MAX_SCENARIO_NAME: usize = 100;

/// The scenario's name names its output folder: it must not lead out of
/// `output/` (`..`) or hide it (`.name`), and must fit a file name.
fn check_folder_name(reader: &mut Reader<'_>, name: String, span: Range<usize>) -> Option<String> {
    if name.starts_with('.') {
        reader.error(
            span,
            "scenario.name",
            format!("expected a name that does not start with '.' (it names the output folder), got \"{name}\""),
        );
        return None;
    }
    if name.chars().count() > MAX_SCENARIO_NAME {
        reader.error(
            span,
            "scenario.name",
            format!(
                "expected a name of at most {MAX_SCENARIO_NAME} characters (it names the output folder), got {}",
                name.chars().count()
            ),
        );
        return None;
    }
    Some(name)
}

/// `time_unit`: sets the unit of bare numbers in durations.
fn read_time_unit(reader: &mut Reader<'_>, unit: &Value<'_>) {
    let path = "scenario.time_unit";
    match reader.string(unit, path).as_deref() {
        Some("s") => reader.minutes_per_unit = 1.0 / 60.0,
        Some("min") | None => {}
        Some("h") => reader.minutes_per_unit = 60.0,
        Some(other) => reader.error(
            unit.span(),
            path,
            format!("expected \"s\", \"min\" or \"h\", got \"{other}\""),
        ),
    }
}

fn read_source(reader: &mut Reader<'_>, root: &Table<'_>) -> Option<Source> {
    let Some(value) = root.get("source") else {
        return Some(Source::Unlimited);
    };
    let table = reader.table(value, "source")?;
    reader.check_keys(table, "source", keys::SOURCE);
    let mode = match table.get("mode") {
        Some(v) => reader.string(v, "source.mode")?,
        None => "unlimited".to_owned(),
    };
    match mode.as_str() {
        "unlimited" => {
            if let Some(v) = table.get("interarrival") {
                reader.error(
                    v.span(),
                    "source.interarrival",
                    "an interarrival distribution needs mode = \"interarrival\"",
                );
                return None;
            }
            Some(Source::Unlimited)
        }
        "interarrival" => {
            let dist = reader
                .required(table, value.span(), "source", "interarrival")
                .and_then(|v| reader.dist(v, "source.interarrival"))?;
            if dist.mean() <= 0.0 {
                reader.error(
                    table["interarrival"].span(),
                    "source.interarrival",
                    "the mean interarrival time must be positive",
                );
                return None;
            }
            Some(Source::Interarrival(dist))
        }
        other => {
            let choices = ["unlimited", "interarrival"];
            reader.unknown_choice(table["mode"].span(), "source.mode", other, &choices);
            None
        }
    }
}

/// The entries of a required array of tables such as `[[stations]]`,
/// which must have at least one entry (`what`: "a station").
fn required_entries<'a, 'i>(
    reader: &mut Reader<'_>,
    root: &'a Table<'i>,
    key: &str,
    what: &str,
) -> &'a [Value<'i>] {
    let Some(value) = root.get(key) else {
        let message = format!("missing required [[{key}]]: a line needs at least one {what}");
        reader.error(0..0, key, message);
        return &[];
    };
    let Some(array) = reader.array(value, key) else {
        return &[];
    };
    if array.is_empty() {
        reader.error(
            value.span(),
            key,
            format!("a line needs at least one {what}"),
        );
    }
    array
}

/// Builds the model of one variant from its (merged) tree; `None` when
/// anything in it is wrong (every problem is recorded).
pub fn build_model(reader: &mut Reader<'_>, root: &Table<'_>, variant: &str) -> Option<Model> {
    let errors_before = reader.error_count();
    let source = read_source(reader, root);
    let raw_stations = read_stations(reader, root);
    let station_names: Vec<String> = raw_stations
        .iter()
        .map(|s| s.name.clone().unwrap_or_default())
        .collect();
    let mut products = read_products(reader, root, &station_names);
    let product_names: Vec<String> = products.iter().map(|p| p.name.clone()).collect();
    // Products named in the file that could not be read: references to them
    // are not reported again.
    let unread_products: Vec<String> = match root.get("products").map(|v| v.get_ref()) {
        Some(toml::de::DeValue::Array(entries)) => entries
            .iter()
            .filter_map(super::change::entry_name)
            .filter(|n| !product_names.contains(n))
            .collect(),
        _ => Vec::new(),
    };
    let (pools, pools_ok) = read_pools(reader, root);
    let names = Names {
        stations: &station_names,
        products: &product_names,
        unread_products: &unread_products,
        pools: &pools,
        pools_ok,
    };
    let stations: Vec<_> = raw_stations
        .iter()
        .enumerate()
        .filter_map(|(idx, raw)| resolve_station(reader, raw, idx, &mut products, &names))
        .collect();
    let (co2_kg_per_kwh, price_per_kwh) = read_energy_factors(reader, root);
    let calendar = super::calendar::read_calendar(reader, root);
    let lot_size = read_lot_size(reader, root);
    if reader.error_count() > errors_before {
        return None;
    }
    let initial_wip = read_initial_wip(reader, root, &station_names, &products, &stations);
    if let Some(None) = &calendar {
        warn_lights_out_without_calendar(reader, &raw_stations, &stations);
    }
    if reader.error_count() > errors_before {
        return None;
    }
    if matches!(source, Some(Source::Unlimited)) {
        check_time_passes(reader, root, &products, &stations);
    }
    if reader.error_count() > errors_before {
        return None;
    }
    Some(Model {
        variant: variant.to_owned(),
        source: source?,
        products,
        stations,
        pools,
        co2_kg_per_kwh,
        price_per_kwh,
        calendar: calendar?,
        lot_size: lot_size?,
        initial_wip: initial_wip?,
    })
}

/// A `[[pools]]` entry that no station uses, in the baseline or in any
/// variant, is legal but does nothing, except cost labour if it is paid:
/// most often a station's `operators`, `repair` or `maintenance` names
/// another pool by mistake.
pub fn warn_unused_pools(reader: &mut Reader<'_>, root: &Table<'_>, models: &[&Model]) {
    let Some(toml::de::DeValue::Array(entries)) = root.get("pools").map(|v| v.get_ref()) else {
        return;
    };
    let Some(baseline) = models.first() else {
        return;
    };
    for pool in &baseline.pools {
        let used = models.iter().any(|m| {
            m.pools
                .iter()
                .position(|q| q.name == pool.name)
                .is_some_and(|p| m.pool_used(p))
        });
        if used {
            continue;
        }
        let Some((k, entry)) = entries
            .iter()
            .enumerate()
            .find(|(_, e)| super::change::entry_name(e).is_some_and(|n| n == pool.name))
        else {
            continue;
        };
        let span = match entry.get_ref() {
            toml::de::DeValue::Table(t) => t.get("name").map_or(entry.span(), |v| v.span()),
            _ => entry.span(),
        };
        let cost = if pool.cost_per_h.is_some_and(|c| c > 0.0) {
            ", though its cost_per_h is counted as labour"
        } else {
            ""
        };
        reader.warn(
            span,
            &join(&index("pools", k), "name"),
            format!(
                "pool \"{}\" is used by no station (as operators, repair or maintenance crew) in the baseline or any variant: its people do no work in the model{cost}",
                pool.name
            ),
        );
    }
}

/// `source.lot_size`: releases in lots of N parts of one product.
fn read_lot_size(reader: &mut Reader<'_>, root: &Table<'_>) -> Option<Option<u32>> {
    let Some(v) = root.get("source").and_then(|s| match s.get_ref() {
        toml::de::DeValue::Table(t) => t.get("lot_size"),
        _ => None,
    }) else {
        return Some(None);
    };
    reader
        .integer_in(v, "source.lot_size", 1, 1_000_000_000)
        .map(|n| Some(n as u32))
}

/// `lights_out` means something only under a plant calendar.
fn warn_lights_out_without_calendar(
    reader: &mut Reader<'_>,
    raw: &[RawStation<'_, '_>],
    stations: &[Station],
) {
    for (raw, station) in raw.iter().zip(stations) {
        if station.lights_out {
            reader.warn(
                raw.span.clone(),
                &join(&raw.path, "lights_out"),
                format!(
                    "station \"{}\" is lights_out but the scenario has no [calendar]: the plant never closes, so this changes nothing",
                    station.name
                ),
            );
        }
    }
}

/// `[initial_wip]`: parts waiting at stations at time 0, `<station> =
/// <count>` (of the first product whose route visits the station) or
/// `<station> = { <product> = <count> }`. A station takes at most its
/// buffer's capacity, plus one part per machine (started at time 0) unless
/// it batches.
fn read_initial_wip(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    station_names: &[String],
    products: &[Product],
    stations: &[Station],
) -> Option<Vec<InitialWip>> {
    let Some(value) = root.get("initial_wip") else {
        return Some(Vec::new());
    };
    let table = reader.table(value, "initial_wip")?;
    let errors_before = reader.error_count();
    let mut wip = Vec::new();
    for (key, v) in table.iter() {
        let name: &str = key.get_ref();
        let path = join("initial_wip", name);
        let names = station_names.iter().map(String::as_str);
        let Some(station) = reader.lookup(names, name, "station", key.span(), &path) else {
            continue;
        };
        let visit = |p: usize| products[p].route.iter().position(|&s| s == station);
        let mut entries: Vec<(usize, u32, std::ops::Range<usize>, String)> = Vec::new();
        match v.get_ref() {
            toml::de::DeValue::Table(by_product) => {
                for (pkey, count) in by_product.iter() {
                    let pname: &str = pkey.get_ref();
                    let ppath = join(&path, pname);
                    let names = products.iter().map(|p| p.name.as_str());
                    let product = reader.lookup(names, pname, "product", pkey.span(), &ppath);
                    let count = reader.integer_in(count, &ppath, 0, 1_000_000);
                    if let (Some(product), Some(count)) = (product, count) {
                        entries.push((product, count as u32, pkey.span(), ppath));
                    }
                }
            }
            _ => {
                let Some(count) = reader.integer_in(v, &path, 0, 1_000_000) else {
                    continue;
                };
                match (0..products.len()).find(|&p| visit(p).is_some()) {
                    Some(product) => entries.push((product, count as u32, v.span(), path.clone())),
                    None => reader.error(
                        key.span(),
                        &path,
                        format!(
                            "station \"{name}\" is on no product's route: no part can wait there"
                        ),
                    ),
                }
            }
        }
        entries.sort_by_key(|e| e.0);
        let mut total = 0u64;
        for (product, count, span, ppath) in entries {
            let Some(position) = visit(product) else {
                reader.error(
                    span,
                    &ppath,
                    format!(
                        "product \"{}\" never visits station \"{name}\"",
                        products[product].name
                    ),
                );
                continue;
            };
            total += u64::from(count);
            if count > 0 {
                wip.push(InitialWip {
                    station,
                    product,
                    position,
                    count,
                });
            }
        }
        let s = &stations[station];
        let room = s.buffer.map_or(u64::MAX, |b| {
            u64::from(b)
                + if s.batch.is_some() {
                    0
                } else {
                    u64::from(s.machines)
                }
        });
        if total > room {
            let what = if s.batch.is_some() {
                format!("its buffer holds {}", s.buffer.unwrap_or(0))
            } else {
                let machines = match s.machines {
                    1 => "its machine one".to_owned(),
                    n => format!("its {n} machines one each"),
                };
                format!("its buffer holds {} and {machines}", s.buffer.unwrap_or(0))
            };
            reader.error(
                v.span(),
                &path,
                format!("{total} parts cannot wait at station \"{name}\": {what}, {room} in all"),
            );
        }
    }
    (reader.error_count() == errors_before).then_some(wip)
}

/// Under the unlimited source a route on which no time passes would make
/// parts without end at one instant: at least one of its steps must take
/// time (processing, a setup or a transfer).
fn check_time_passes(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    products: &[Product],
    stations: &[crate::model::Station],
) {
    for (p, product) in products.iter().enumerate() {
        let timeless = product.route.iter().all(|&s| {
            let station = &stations[s];
            station.process[p].is_zero()
                && station
                    .setup
                    .as_ref()
                    .is_none_or(|setup| setup.time.is_zero())
                && station.transfer.as_ref().is_none_or(|t| t.is_zero())
        });
        if timeless {
            let span = route_span(root, p);
            reader.error(
                span,
                &join(&index("products", p), "route"),
                format!(
                    "no time passes on the route of product \"{}\" (every step takes 0): the unlimited source would make parts without end at one instant; give a step a processing time > 0",
                    product.name
                ),
            );
        }
    }
}

/// The span of `products[p].route` in the tree.
fn route_span(root: &Table<'_>, p: usize) -> Range<usize> {
    let Some(toml::de::DeValue::Array(entries)) = root.get("products").map(|v| v.get_ref()) else {
        return 0..0;
    };
    match entries.get(p).map(|e| e.get_ref()) {
        Some(toml::de::DeValue::Table(t)) => t.get("route").map_or(0..0, |r| r.span()),
        _ => 0..0,
    }
}

/// Every `[[stations]]` entry as read; duplicate names are errors.
fn read_stations<'a, 'i>(reader: &mut Reader<'_>, root: &'a Table<'i>) -> Vec<RawStation<'a, 'i>> {
    let mut raw_stations: Vec<RawStation<'a, 'i>> = Vec::new();
    for (i, station) in required_entries(reader, root, "stations", "station")
        .iter()
        .enumerate()
    {
        if let Some(raw) = read_station(reader, station, index("stations", i)) {
            raw_stations.push(raw);
        }
    }
    for (i, raw) in raw_stations.iter().enumerate() {
        let Some(name) = &raw.name else {
            continue;
        };
        if raw_stations[..i]
            .iter()
            .any(|s| s.name.as_ref() == Some(name))
        {
            let message = format!("duplicate station name \"{name}\"");
            reader.error(raw.span.clone(), &join(&raw.path, "name"), message);
        }
    }
    raw_stations
}

fn read_products(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    station_names: &[String],
) -> Vec<Product> {
    let mut products: Vec<Product> = Vec::new();
    for (i, product) in required_entries(reader, root, "products", "product")
        .iter()
        .enumerate()
    {
        let path = index("products", i);
        if let Some(p) = read_product(reader, product, &path, station_names) {
            if products.iter().any(|q| q.name == p.name) {
                reader.error(
                    product.span(),
                    &join(&path, "name"),
                    format!("duplicate product name \"{}\"", p.name),
                );
            }
            products.push(p);
        }
    }
    products
}

/// Every `[[pools]]` entry, and whether each one could be read (if not,
/// references to pools are not checked: the missing one would be named
/// unknown for no fault of the reference).
fn read_pools(reader: &mut Reader<'_>, root: &Table<'_>) -> (Vec<Pool>, bool) {
    let mut pools: Vec<Pool> = Vec::new();
    let Some(array) = root.get("pools").and_then(|v| reader.array(v, "pools")) else {
        return (pools, true);
    };
    for (i, pool) in array.iter().enumerate() {
        let path = index("pools", i);
        if let Some(p) = read_pool(reader, pool, &path) {
            if pools.iter().any(|q| q.name == p.name) {
                reader.error(
                    pool.span(),
                    &join(&path, "name"),
                    format!("duplicate pool name \"{}\"", p.name),
                );
            }
            pools.push(p);
        }
    }
    let all_read = pools.len() == array.len();
    (pools, all_read)
}

fn read_energy_factors(reader: &mut Reader<'_>, root: &Table<'_>) -> (Option<f64>, Option<f64>) {
    let Some(value) = root.get("energy") else {
        return (None, None);
    };
    let Some(table) = reader.table(value, "energy") else {
        return (None, None);
    };
    reader.check_keys(table, "energy", keys::ENERGY);
    let co2 = table
        .get("co2_kg_per_kwh")
        .and_then(|v| non_negative(reader, v, "energy.co2_kg_per_kwh"));
    let price = table
        .get("price_per_kwh")
        .and_then(|v| non_negative(reader, v, "energy.price_per_kwh"));
    (co2, price)
}

fn read_product(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
    station_names: &[String],
) -> Option<Product> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::PRODUCT);
    let name = reader
        .required(table, value.span(), path, "name")
        .and_then(|v| reader.defined_name(v, &join(path, "name")));
    let mix = match table.get("mix") {
        None => Some(1.0),
        Some(v) => reader.number(v, &join(path, "mix")).and_then(|m| {
            if m > 0.0 {
                Some(m)
            } else {
                reader.error(
                    v.span(),
                    &join(path, "mix"),
                    format!("expected a positive mix share, got {m}"),
                );
                None
            }
        }),
    };
    let route = reader
        .required(table, value.span(), path, "route")
        .and_then(|v| read_route(reader, v, &join(path, "route"), station_names))?;
    let rework_target = vec![None; route.len()];
    Some(Product {
        name: name?,
        mix: mix?,
        route,
        rework_target,
    })
}

/// A route: station names resolved to indices; `None` on any mistake.
fn read_route(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    route_path: &str,
    station_names: &[String],
) -> Option<Vec<usize>> {
    let array = reader.array(value, route_path)?;
    let errors_before = reader.error_count();
    if array.is_empty() {
        reader.error(
            value.span(),
            route_path,
            "a route needs at least one station",
        );
    }
    if array.len() > usize::from(u16::MAX) {
        reader.error(
            value.span(),
            route_path,
            "a route may have at most 65535 steps",
        );
    }
    let mut route = Vec::with_capacity(array.len());
    for (i, step) in array.iter().enumerate() {
        let step_path = index(route_path, i);
        if let Some(station) = reader.string(step, &step_path) {
            let names = station_names.iter().map(String::as_str);
            route.extend(reader.lookup(names, &station, "station", step.span(), &step_path));
        }
    }
    (reader.error_count() == errors_before).then_some(route)
}
