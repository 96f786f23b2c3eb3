//! `[[stations]]`: a station as written ([`RawStation`], read before the
//! products are known) and its resolution into a model [`Station`] once the
//! products, routes and pools are (per-product tables, the default buffer,
//! rework targets, operators, batch checks).

use super::keys;
use super::read::{describe, join, non_negative, Reader, Value};
use crate::model::{
    Batch, Crew, Dist, Energy, FailureBasis, Failures, Maintenance, OperatorTask, Operators, Pool,
    Product, Rework, Setup, SetupRule, Station,
};
use std::borrow::Cow;
use std::ops::Range;
use toml::de::DeValue;
use toml::Spanned;

/// A per-product override as read: the product key (resolved later), its
/// key path, and the value if it read.
pub struct ByProduct<'a, 'i, T> {
    key: &'a Spanned<Cow<'i, str>>,
    path: String,
    value: Option<T>,
}

/// `rework = { prob, to }` as read.
pub struct ReworkSpec {
    prob: f64,
    to: String,
    prob_span: Range<usize>,
    to_span: Range<usize>,
}

/// `operators = { pool, count, for }` as read.
pub struct OperatorsSpec {
    pool: String,
    count: u32,
    task: OperatorTask,
    pool_span: Range<usize>,
}

/// `{ pool, count }` of a repair or maintenance crew as read, and its key path.
#[derive(Clone)]
pub struct CrewSpec {
    pool: String,
    count: u32,
    pool_span: Range<usize>,
    path: String,
}

/// `failures` as read: the crew is resolved once the pools are known.
pub struct FailuresSpec {
    failures: Failures,
    crew: Option<CrewSpec>,
}

/// `maintenance` as read.
pub struct MaintenanceSpec {
    maintenance: Maintenance,
    crew: Option<CrewSpec>,
}

/// A station as read, before products are known.
pub struct RawStation<'a, 'i> {
    pub path: String,
    pub span: Range<usize>,
    pub name: Option<String>,
    machines: Option<u32>,
    /// Outer `None`: not given; inner `None`: unbounded.
    buffer: Option<Option<u32>>,
    process: Option<Dist>,
    by_product: Vec<ByProduct<'a, 'i, Dist>>,
    failures: Option<FailuresSpec>,
    scrap: Option<f64>,
    /// Where `scrap` is written, if it is.
    scrap_span: Option<Range<usize>>,
    scrap_by_product: Vec<ByProduct<'a, 'i, f64>>,
    rework: Option<ReworkSpec>,
    batch: Option<(Batch, Range<usize>)>,
    setup: Option<Setup>,
    operators: Option<OperatorsSpec>,
    load: Option<Dist>,
    unload: Option<Dist>,
    maintenance: Option<MaintenanceSpec>,
    lights_out: bool,
    transfer: Option<Dist>,
    energy: Option<Energy>,
    /// Whether it read without any problem.
    clean: bool,
}

/// Reads one `[[stations]]` entry. (One read per key, in the order of the
/// key list: the function is long because the table is, and splitting it
/// would only move the list.)
pub fn read_station<'a, 'i>(
    reader: &mut Reader<'_>,
    value: &'a Value<'i>,
    path: String,
) -> Option<RawStation<'a, 'i>> {
    let table = reader.table(value, &path)?;
    let errors_before = reader.error_count();
    let span = value.span();
    reader.check_keys(table, &path, keys::STATION);
    let at = |key: &str| join(&path, key);
    let name = reader
        .required(table, span.clone(), &path, "name")
        .and_then(|v| reader.defined_name(v, &at("name")));
    let machines = match table.get("machines") {
        Some(v) => reader
            .integer_in(v, &at("machines"), 1, 100_000)
            .map(|m| m as u32),
        None => Some(1),
    };
    let buffer = table
        .get("buffer")
        .map(|v| read_buffer(reader, v, &at("buffer")));
    let process = reader
        .required(table, span.clone(), &path, "process")
        .and_then(|v| reader.dist(v, &at("process")));
    let process_by_product = by_product(
        reader,
        table.get("process_by_product"),
        &at("process_by_product"),
        |r, v, p| r.dist(v, p),
    );
    let failures = table
        .get("failures")
        .and_then(|v| read_failures(reader, v, &at("failures")));
    let scrap = match table.get("scrap") {
        Some(v) => reader.probability(v, &at("scrap")),
        None => Some(0.0),
    };
    let scrap_span = table.get("scrap").map(|v| v.span());
    let scrap_by_product = by_product(
        reader,
        table.get("scrap_by_product"),
        &at("scrap_by_product"),
        |r, v, p| r.probability(v, p),
    );
    let rework = table
        .get("rework")
        .and_then(|v| read_rework(reader, v, &at("rework")));
    let batch = table
        .get("batch")
        .and_then(|v| read_batch(reader, v, &at("batch")).map(|b| (b, v.span())));
    let setup = table
        .get("setup")
        .and_then(|v| read_setup(reader, v, &at("setup")));
    let operators = table
        .get("operators")
        .and_then(|v| read_operators(reader, v, &at("operators")));
    let load = table.get("load").and_then(|v| reader.dist(v, &at("load")));
    let unload = table
        .get("unload")
        .and_then(|v| reader.dist(v, &at("unload")));
    let maintenance = table
        .get("maintenance")
        .and_then(|v| read_maintenance(reader, v, &at("maintenance")));
    let lights_out = table
        .get("lights_out")
        .and_then(|v| reader.boolean(v, &at("lights_out")))
        .unwrap_or(false);
    let transfer = table
        .get("transfer")
        .and_then(|v| reader.dist(v, &at("transfer")));
    let energy = table
        .get("energy")
        .and_then(|v| read_energy(reader, v, &at("energy")));
    let clean = reader.error_count() == errors_before;
    Some(RawStation {
        path,
        span,
        name,
        machines,
        buffer,
        process,
        by_product: process_by_product,
        failures,
        scrap,
        scrap_span,
        scrap_by_product,
        rework,
        batch,
        setup,
        operators,
        load,
        unload,
        maintenance,
        lights_out,
        transfer,
        energy,
        clean,
    })
}

/// The largest finite buffer.
const MAX_BUFFER: u32 = 1_000_000_000;

/// `buffer`: an integer >= 0 or `"inf"` (`None`, unbounded).
fn read_buffer(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<u32> {
    let parsed = match value.get_ref() {
        DeValue::String(s) if s == "inf" => Some(None),
        DeValue::Integer(_) => reader
            .integer(value, path)
            .filter(|&b| (0..=i64::from(MAX_BUFFER)).contains(&b))
            .map(|b| Some(b as u32)),
        _ => None,
    };
    if parsed.is_none() {
        let too_large =
            matches!(value.get_ref(), DeValue::Integer(i) if !i.as_str().starts_with('-'));
        let expected = if too_large {
            format!("an integer from 0 to {MAX_BUFFER} or \"inf\"")
        } else {
            "an integer >= 0 or \"inf\"".to_owned()
        };
        let message = format!("expected {expected}, got {}", describe(value.get_ref()));
        reader.error(value.span(), path, message);
    }
    parsed.unwrap_or(Some(0))
}

/// A `*_by_product` table: one value per product key, read by `read`.
fn by_product<'a, 'i, T>(
    reader: &mut Reader<'_>,
    value: Option<&'a Value<'i>>,
    path: &str,
    read: impl Fn(&mut Reader<'_>, &Value<'_>, &str) -> Option<T>,
) -> Vec<ByProduct<'a, 'i, T>> {
    let Some(table) = value.and_then(|v| reader.table(v, path)) else {
        return Vec::new();
    };
    table
        .iter()
        .map(|(key, v)| {
            let path = join(path, key.get_ref());
            let value = read(reader, v, &path);
            ByProduct { key, path, value }
        })
        .collect()
}

fn read_rework(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<ReworkSpec> {
    let t = reader.table(value, path)?;
    reader.check_keys(t, path, keys::REWORK);
    let prob_value = reader.required(t, value.span(), path, "prob");
    let prob = prob_value.and_then(|p| reader.probability(p, &join(path, "prob")));
    let to_value = reader.required(t, value.span(), path, "to");
    let to = to_value.and_then(|p| reader.string(p, &join(path, "to")));
    Some(ReworkSpec {
        prob: prob?,
        to: to?,
        prob_span: prob_value?.span(),
        to_span: to_value?.span(),
    })
}

fn read_batch(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Batch> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::BATCH);
    let size = reader
        .required(table, value.span(), path, "size")
        .and_then(|v| reader.integer_in(v, &join(path, "size"), 1, 1_000_000))?
        as u32;
    let min = match table.get("min") {
        Some(v) => reader.integer_in(v, &join(path, "min"), 1, i64::from(size))? as u32,
        None => size,
    };
    let max_wait_min = match table.get("max_wait") {
        Some(v) => reader.duration_bounded(v, &join(path, "max_wait"), true)?,
        None => f64::INFINITY,
    };
    if let (Some(v), None) = (table.get("min"), table.get("max_wait")) {
        if min < size {
            reader.warn(
                v.span(),
                &join(path, "min"),
                format!(
                    "batch.min ({min}) takes effect only after batch.max_wait, which is not given: every batch waits until it is full ({size} parts); give max_wait, or leave min out"
                ),
            );
        }
    }
    Some(Batch {
        size,
        min,
        max_wait_min,
    })
}

fn read_setup(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Setup> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::SETUP);
    let time = reader
        .required(table, value.span(), path, "time")
        .and_then(|v| reader.dist(v, &join(path, "time")));
    let on = match table.get("on") {
        None => Some("product_change".to_owned()),
        Some(v) => reader.string(v, &join(path, "on")),
    };
    let rule = match on.as_deref() {
        Some("product_change") => {
            if let Some(v) = table.get("every") {
                reader.error(
                    v.span(),
                    &join(path, "every"),
                    "\"every\" needs on = \"every\"",
                );
                return None;
            }
            Some(SetupRule::ProductChange)
        }
        Some("every") => reader
            .required(table, value.span(), path, "every")
            .and_then(|v| reader.integer_in(v, &join(path, "every"), 1, 1_000_000_000))
            .map(|n| SetupRule::Every(n as u32)),
        Some(other) => {
            let choices = ["product_change", "every"];
            reader.unknown_choice(table["on"].span(), &join(path, "on"), other, &choices);
            None
        }
        None => None,
    };
    Some(Setup {
        time: time?,
        rule: rule?,
    })
}

fn read_operators(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<OperatorsSpec> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::OPERATORS);
    let pool_value = reader.required(table, value.span(), path, "pool");
    let pool = pool_value.and_then(|v| reader.string(v, &join(path, "pool")));
    let count = match table.get("count") {
        Some(v) => reader
            .integer_in(v, &join(path, "count"), 0, 1_000_000)
            .map(|c| c as u32),
        None => Some(1),
    };
    let task = match table.get("for") {
        None => Some(OperatorTask::All),
        Some(v) => match reader.string(v, &join(path, "for")).as_deref() {
            Some("all") => Some(OperatorTask::All),
            Some("load_unload") => Some(OperatorTask::LoadUnload),
            Some("setup") => Some(OperatorTask::Setup),
            Some(other) => {
                let choices = ["all", "load_unload", "setup"];
                reader.unknown_choice(v.span(), &join(path, "for"), other, &choices);
                None
            }
            None => None,
        },
    };
    Some(OperatorsSpec {
        pool: pool?,
        count: count?,
        task: task?,
        pool_span: pool_value?.span(),
    })
}

/// `{ pool, count }`: the technicians a repair or a maintenance needs
/// (count 1 by default, at least 1).
fn read_crew(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<CrewSpec> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::CREW);
    read_crew_fields(reader, table, value.span(), path)
}

/// `basis = "calendar" | "operating"` (operating by default).
fn read_basis(
    reader: &mut Reader<'_>,
    table: &super::read::Table<'_>,
    path: &str,
) -> Option<FailureBasis> {
    match table.get("basis") {
        None => Some(FailureBasis::Operating),
        Some(v) => match reader.string(v, &join(path, "basis")).as_deref() {
            Some("operating") => Some(FailureBasis::Operating),
            Some("calendar") => Some(FailureBasis::Calendar),
            Some(other) => {
                let choices = ["operating", "calendar"];
                reader.unknown_choice(v.span(), &join(path, "basis"), other, &choices);
                None
            }
            None => None,
        },
    }
}

fn read_maintenance(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
) -> Option<MaintenanceSpec> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::MAINTENANCE);
    let every = reader
        .required(table, value.span(), path, "every")
        .and_then(|v| reader.duration_bounded(v, &join(path, "every"), true));
    let duration = reader
        .required(table, value.span(), path, "duration")
        .and_then(|v| reader.dist(v, &join(path, "duration")));
    let basis = read_basis(reader, table, path);
    if table.get("count").is_some() && table.get("pool").is_none() {
        reader.error(
            value.span(),
            &join(path, "pool"),
            "\"count\" needs the pool its technicians come from: give \"pool\"",
        );
        return None;
    }
    let crew = match table.get("pool") {
        Some(_) => Some(read_crew_fields(reader, table, value.span(), path)?),
        None => None,
    };
    if let (Some(every), Some(duration)) = (every, &duration) {
        if duration.mean() >= every {
            reader.warn(
                table["duration"].span(),
                &join(path, "duration"),
                format!(
                    "a maintenance takes {} on average, as long as or longer than the {} between maintenances: the machine would spend at least half of its time in maintenance; are every and duration swapped?",
                    minutes_text(duration.mean()),
                    minutes_text(every)
                ),
            );
        }
    }
    Some(MaintenanceSpec {
        maintenance: Maintenance {
            every_min: every?,
            duration: duration?,
            basis: basis?,
            crew: None,
        },
        crew,
    })
}

/// The `pool` (required) and `count` (default 1, at least 1) keys of a
/// crew's table (`repair`, or a maintenance's own keys).
fn read_crew_fields(
    reader: &mut Reader<'_>,
    table: &super::read::Table<'_>,
    span: Range<usize>,
    path: &str,
) -> Option<CrewSpec> {
    let pool_value = reader.required(table, span, path, "pool");
    let pool = pool_value.and_then(|v| reader.string(v, &join(path, "pool")));
    let count = match table.get("count") {
        Some(v) => reader
            .integer_in(v, &join(path, "count"), 1, 1_000_000)
            .map(|c| c as u32),
        None => Some(1),
    };
    Some(CrewSpec {
        pool: pool?,
        count: count?,
        pool_span: pool_value?.span(),
        path: path.to_owned(),
    })
}

fn read_energy(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Energy> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::STATION_ENERGY);
    let mut get = |key: &str, required: bool| -> Option<Option<f64>> {
        match table.get(key) {
            Some(v) => non_negative(reader, v, &join(path, key)).map(Some),
            None if required => {
                reader.required(table, value.span(), path, key);
                None
            }
            None => Some(None),
        }
    };
    let busy = get("busy_kw", true);
    let idle = get("idle_kw", true);
    let down = get("down_kw", false);
    let setup = get("setup_kw", false);
    let (busy_kw, idle_kw) = (busy??, idle??);
    Some(Energy {
        busy_kw,
        idle_kw,
        down_kw: down?.unwrap_or(idle_kw),
        setup_kw: setup?.unwrap_or(busy_kw),
    })
}

fn read_failures(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<FailuresSpec> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::FAILURES);
    let ttf = reader
        .required(table, value.span(), path, "ttf")
        .and_then(|v| reader.dist(v, &join(path, "ttf")));
    let ttr = reader
        .required(table, value.span(), path, "ttr")
        .and_then(|v| reader.dist(v, &join(path, "ttr")));
    let basis = read_basis(reader, table, path);
    let crew = match table.get("repair") {
        Some(v) => Some(read_crew(reader, v, &join(path, "repair"))?),
        None => None,
    };
    let (ttf, ttr, basis) = (ttf?, ttr?, basis?);
    if ttf.mean() <= 0.0 {
        reader.error(
            table["ttf"].span(),
            &join(path, "ttf"),
            "the mean time to failure must be positive",
        );
        return None;
    }
    if ttr.mean() > ttf.mean() {
        reader.warn(
            table["ttr"].span(),
            &join(path, "ttr"),
            format!(
                "the mean time to repair ({}) is longer than the mean time to failure ({}): the machine would spend more time down than working; are ttf and ttr swapped?",
                minutes_text(ttr.mean()),
                minutes_text(ttf.mean())
            ),
        );
    }
    Some(FailuresSpec {
        failures: Failures {
            ttf,
            ttr,
            basis,
            repair: None,
        },
        crew,
    })
}

/// A time in minutes for a message: minutes below two hours, else hours.
pub(super) fn minutes_text(minutes: f64) -> String {
    if minutes < 120.0 {
        format!("{minutes:.1} min")
    } else {
        format!("{:.1} h", minutes / 60.0)
    }
}

/// What a station's references resolve against.
pub struct Names<'a> {
    pub stations: &'a [String],
    pub products: &'a [String],
    /// Products named in the file that could not be read.
    pub unread_products: &'a [String],
    pub pools: &'a [Pool],
    /// False when a pool could not be read (unknown pools are then not
    /// reported: the unreadable one would be named unknown).
    pub pools_ok: bool,
}

/// A visit of a station: (product, position in its route).
type Visit = (usize, usize);

/// Resolves a station once products and pools are known; `None` when it
/// read with problems or does not fit the line (every problem is recorded).
pub fn resolve_station(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    station_idx: usize,
    products: &mut [Product],
    names: &Names<'_>,
) -> Option<Station> {
    let errors_before = reader.error_count();
    let name = raw.name.clone()?;
    let process = per_product(reader, raw.process.clone(), &raw.by_product, names);
    // Without a valid station scrap the rework check still sees the valid
    // overrides (over a default of 0).
    let scrap_or_zero = per_product(
        reader,
        Some(raw.scrap.unwrap_or(0.0)),
        &raw.scrap_by_product,
        names,
    )
    .unwrap_or_default();
    let visits = visits_of(products, station_idx);
    warn_about_visits(reader, raw, &name, &visits, products);
    let buffer = resolve_buffer(reader, raw, &name, &visits);
    let rework = raw.rework.as_ref().and_then(|spec| {
        let scrap = &scrap_or_zero;
        resolve_rework(
            reader,
            raw,
            spec,
            &name,
            &visits,
            products,
            names.stations,
            scrap,
        )
    });
    if rework.is_some() || raw.rework.is_none() {
        warn_about_passing(reader, raw, &name, &visits, products, &scrap_or_zero);
    }
    let operators = raw
        .operators
        .as_ref()
        .and_then(|spec| resolve_operators(reader, raw, spec, names));
    let failures = raw.failures.as_ref().map(|spec| Failures {
        repair: spec
            .crew
            .as_ref()
            .and_then(|crew| resolve_crew(reader, crew, names)),
        ..spec.failures.clone()
    });
    let maintenance = raw.maintenance.as_ref().map(|spec| Maintenance {
        crew: spec
            .crew
            .as_ref()
            .and_then(|crew| resolve_crew(reader, crew, names)),
        ..spec.maintenance.clone()
    });
    check_crews(
        reader,
        raw,
        operators.as_ref(),
        failures.as_ref(),
        maintenance.as_ref(),
        names,
    );
    if let Some((batch, span)) = &raw.batch {
        check_batch(reader, raw, batch, span, buffer, &visits);
    }
    if !raw.clean || reader.error_count() > errors_before {
        return None;
    }
    Some(Station {
        name,
        machines: raw.machines?,
        buffer,
        process: process?,
        failures,
        scrap: raw.scrap.and(Some(scrap_or_zero))?,
        rework,
        batch: raw.batch.as_ref().map(|(b, _)| b.clone()),
        setup: raw.setup.clone(),
        operators,
        load: raw.load.clone(),
        unload: raw.unload.clone(),
        maintenance,
        lights_out: raw.lights_out,
        transfer: raw.transfer.clone(),
        energy: raw.energy,
    })
}

/// Warnings about how the routes use the station: none at all, a
/// per-product value for a product that never comes, rework that never
/// lets a part go.
fn warn_about_visits(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    name: &str,
    visits: &[Visit],
    products: &[Product],
) {
    if visits.is_empty() && !products.is_empty() {
        reader.warn(
            raw.span.clone(),
            &join(&raw.path, "name"),
            format!("station \"{name}\" is on no product's route: it never works"),
        );
    }
    for entry in raw
        .by_product
        .iter()
        .map(|e| (e.key, &e.path))
        .chain(raw.scrap_by_product.iter().map(|e| (e.key, &e.path)))
    {
        let (key, path) = entry;
        let wanted: &str = key.get_ref();
        let visited = visits.iter().any(|&(p, _)| products[p].name == wanted);
        if products.iter().any(|p| p.name == wanted) && !visited {
            reader.warn(
                key.span(),
                path,
                format!("product \"{wanted}\" never visits station \"{name}\": this value is never used"),
            );
        }
    }
    if let Some(rework) = raw
        .rework
        .as_ref()
        .filter(|r| r.prob >= 1.0 && r.to == name)
    {
        reader.warn(
            rework.prob_span.clone(),
            &join(&join(&raw.path, "rework"), "prob"),
            format!("every part station \"{name}\" finishes is reworked at the station itself: no part ever leaves it"),
        );
    }
}

/// A warning for each product of which the station lets no part pass:
/// every part it finishes is scrapped (scrap 1) or scrapped or reworked
/// (scrap + rework 1), so the line makes no good part of that product.
/// Rework at the station itself with probability 1 has its own warning.
fn warn_about_passing(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    name: &str,
    visits: &[Visit],
    products: &[Product],
    scrap: &[f64],
) {
    if raw
        .rework
        .as_ref()
        .is_some_and(|r| r.prob >= 1.0 && r.to == name)
    {
        return;
    }
    let rework = raw.rework.as_ref().map_or(0.0, |r| r.prob);
    let mut warned = vec![false; products.len()];
    for &(p, _) in visits {
        // The sum of two probabilities written as decimals can miss 1 by
        // a rounding (0.7 + 0.3); a part would pass once in 10^15.
        if warned[p] || scrap[p] + rework < 1.0 - 1e-9 {
            continue;
        }
        warned[p] = true;
        let product = &products[p].name;
        let entry = raw
            .scrap_by_product
            .iter()
            .find(|e| e.key.get_ref() == product);
        let (span, path, message) = match (&raw.rework, entry) {
            (Some(spec), _) if rework > 0.0 => (
                spec.prob_span.clone(),
                join(&join(&raw.path, "rework"), "prob"),
                format!(
                    "every part of product \"{product}\" that station \"{name}\" finishes is scrapped or reworked (scrap {} + rework {rework} = 1): none passes the station, so the line makes no good part of it",
                    scrap[p]
                ),
            ),
            (_, Some(e)) => (
                e.key.span(),
                e.path.clone(),
                format!(
                    "every part of product \"{product}\" is scrapped at station \"{name}\" (scrap {}): the line makes no good part of it",
                    scrap[p]
                ),
            ),
            _ => (
                raw.scrap_span.clone().unwrap_or_else(|| raw.span.clone()),
                join(&raw.path, "scrap"),
                format!(
                    "every part of product \"{product}\" is scrapped at station \"{name}\" (scrap {}): the line makes no good part of it",
                    scrap[p]
                ),
            ),
        };
        reader.warn(span, &path, message);
    }
}

/// Every visit of the station by a product's route.
fn visits_of(products: &[Product], station_idx: usize) -> Vec<Visit> {
    products
        .iter()
        .enumerate()
        .flat_map(|(p, product)| {
            product
                .route
                .iter()
                .enumerate()
                .filter(move |(_, &s)| s == station_idx)
                .map(move |(pos, _)| (p, pos))
        })
        .collect()
}

/// A value per product: the station's default, overridden where a
/// `*_by_product` entry names the product. `None` if any is missing.
fn per_product<T: Clone>(
    reader: &mut Reader<'_>,
    default: Option<T>,
    overrides: &[ByProduct<'_, '_, T>],
    names: &Names<'_>,
) -> Option<Vec<T>> {
    let product_names = names.products;
    let mut values: Vec<Option<T>> = vec![default; product_names.len()];
    for entry in overrides {
        let wanted: &str = entry.key.get_ref();
        if names.unread_products.iter().any(|p| p == wanted) {
            continue;
        }
        let names = product_names.iter().map(String::as_str);
        let product = reader.lookup(names, wanted, "product", entry.key.span(), &entry.path);
        if let (Some(p), Some(v)) = (product, &entry.value) {
            values[p] = Some(v.clone());
        }
    }
    values.into_iter().collect()
}

/// The buffer capacity; may be left out only at a station that only starts
/// routes (it is then unbounded).
fn resolve_buffer(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    name: &str,
    visits: &[Visit],
) -> Option<u32> {
    if let Some(buffer) = raw.buffer {
        return buffer;
    }
    let reworks_to_itself = raw.rework.as_ref().is_some_and(|r| r.to == name);
    if visits.iter().any(|&(_, pos)| pos > 0) || reworks_to_itself {
        reader.error(
            raw.span.clone(),
            &join(&raw.path, "buffer"),
            "missing required key \"buffer\" (only a station that only starts routes may leave it out)",
        );
    }
    None
}

/// Rework's target station, and the route position it sends each visit
/// back to (recorded in the products).
#[allow(clippy::too_many_arguments)] // the pieces a rework check needs, each used once
fn resolve_rework(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    spec: &ReworkSpec,
    name: &str,
    visits: &[Visit],
    products: &mut [Product],
    station_names: &[String],
    scrap: &[f64],
) -> Option<Rework> {
    let rework_path = join(&raw.path, "rework");
    let names = station_names.iter().map(String::as_str);
    let to_path = join(&rework_path, "to");
    let to_idx = reader.lookup(names, &spec.to, "station", spec.to_span.clone(), &to_path)?;
    for &(p, pos) in visits {
        let product = &mut products[p];
        match product.route[..=pos].iter().rposition(|&s| s == to_idx) {
            Some(target) => product.rework_target[pos] = Some(target),
            None => reader.error(
                spec.to_span.clone(),
                &to_path,
                format!(
                    "station \"{}\" is not on the route of product \"{}\" at or before station \"{name}\"",
                    spec.to, product.name
                ),
            ),
        }
        if scrap[p] + spec.prob > 1.0 {
            reader.error(
                spec.prob_span.clone(),
                &join(&rework_path, "prob"),
                format!(
                    "scrap ({}) + rework ({}) exceed 1 for product \"{}\"",
                    scrap[p], spec.prob, product.name
                ),
            );
        }
    }
    Some(Rework {
        prob: spec.prob,
        to: to_idx,
    })
}

/// The pool and count of a station's operators (`None` with count 0).
fn resolve_operators(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    spec: &OperatorsSpec,
    names: &Names<'_>,
) -> Option<Operators> {
    let operators_path = join(&raw.path, "operators");
    let pool = resolve_pool(
        reader,
        (&spec.pool, spec.pool_span.clone()),
        spec.count,
        &operators_path,
        "operators",
        names,
    )?;
    (spec.count > 0).then_some(Operators {
        pool,
        count: spec.count,
        task: spec.task,
    })
}

/// The index of the pool named at `path.pool` (unknown pools reported
/// only when every pool could be read), which must hold `count` people
/// (`who`: "operators", "technicians").
fn resolve_pool(
    reader: &mut Reader<'_>,
    (name, span): (&str, Range<usize>),
    count: u32,
    path: &str,
    who: &str,
    names: &Names<'_>,
) -> Option<usize> {
    let pool_names = names.pools.iter().map(|p| p.name.as_str());
    let pool = if names.pools_ok {
        reader.lookup(pool_names, name, "pool", span.clone(), &join(path, "pool"))?
    } else {
        pool_names.clone().position(|p| p == name)?
    };
    let size = names.pools[pool].size;
    if count > size {
        reader.error(
            span,
            &join(path, "count"),
            format!("needs {count} {who} but pool \"{name}\" has only {size}"),
        );
        return None;
    }
    Some(pool)
}

/// The pool of a repair or maintenance crew; it must be large enough.
fn resolve_crew(reader: &mut Reader<'_>, spec: &CrewSpec, names: &Names<'_>) -> Option<Crew> {
    let pool = resolve_pool(
        reader,
        (&spec.pool, spec.pool_span.clone()),
        spec.count,
        &spec.path,
        "technicians",
        names,
    )?;
    Some(Crew {
        pool,
        count: spec.count,
    })
}

/// People held through a breakdown cannot also repair it. Operators stay
/// with a machine while it is down whenever they were with it when it
/// failed: through processing (`for = "all"`), and, with failures on the
/// calendar basis (which strike in any state), through a setup, a loading
/// or an unloading, or once served while the machine was already down. A
/// maintenance crew stays through a calendar-basis breakdown during the
/// maintenance. Where such people and the repair crew come from the same
/// pool, both must fit in it at once; where they fit for one machine but
/// not for all the station's machines at once, a warning.
fn check_crews(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    operators: Option<&Operators>,
    failures: Option<&Failures>,
    maintenance: Option<&Maintenance>,
    names: &Names<'_>,
) {
    let Some((failures, crew)) = failures.and_then(|f| f.repair.map(|crew| (f, crew))) else {
        return;
    };
    let calendar = failures.basis == FailureBasis::Calendar;
    let size = names.pools[crew.pool].size;
    let pool_name = &names.pools[crew.pool].name;
    let repair_path = join(&join(&raw.path, "failures"), "repair");
    let machines = u64::from(raw.machines.unwrap_or(1));
    if let Some(operators) = operators.filter(|o| o.pool == crew.pool && o.count > 0) {
        let asks = match operators.task {
            OperatorTask::All => true,
            OperatorTask::LoadUnload => {
                raw.load.is_some() || raw.unload.is_some() || raw.setup.is_some()
            }
            OperatorTask::Setup => raw.setup.is_some(),
        };
        let held = operators.attend_processing() || (calendar && asks);
        if held && operators.count + crew.count > size {
            let when = if operators.attend_processing() {
                "while it is down"
            } else {
                "through a calendar-basis breakdown during the steps they are there for"
            };
            reader.error(
                raw.span.clone(),
                &join(&repair_path, "count"),
                format!(
                    "the machine's {} operators stay with it {when}, and its repair needs {} more of pool \"{pool_name}\", which has only {size}: a breakdown could never be repaired",
                    operators.count, crew.count
                ),
            );
        } else if held
            && machines * u64::from(operators.count) + u64::from(crew.count) > u64::from(size)
        {
            reader.warn(
                raw.span.clone(),
                &join(&repair_path, "pool"),
                format!(
                    "operators stay with a machine while it is down, and pool \"{pool_name}\" also repairs: when its people are all held by broken machines, nobody is left to repair them and the station stops for good"
                ),
            );
        }
    }
    let Some(maintainers) = maintenance
        .and_then(|m| m.crew)
        .filter(|m| calendar && m.pool == crew.pool)
    else {
        return;
    };
    let maintenance_path = join(&join(&raw.path, "maintenance"), "count");
    if maintainers.count + crew.count > size {
        reader.error(
            raw.span.clone(),
            &maintenance_path,
            format!(
                "a breakdown (calendar basis) can strike during a maintenance, and the maintenance crew ({} of pool \"{pool_name}\") stays with the machine while it is down; its repair needs {} more, and the pool has only {size}: such a breakdown could never be repaired",
                maintainers.count, crew.count
            ),
        );
    } else if machines * u64::from(maintainers.count) + u64::from(crew.count) > u64::from(size) {
        reader.warn(
            raw.span.clone(),
            &maintenance_path,
            format!(
                "a maintenance crew stays with a machine that breaks down during its maintenance, and pool \"{pool_name}\" also repairs: with every maintainer held by broken machines, nobody is left to repair them and the station stops for good"
            ),
        );
    }
}

/// A batch must be able to gather in the station's buffer.
fn check_batch(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    batch: &Batch,
    span: &Range<usize>,
    buffer: Option<u32>,
    visits: &[Visit],
) {
    let Some(capacity) = buffer else {
        return;
    };
    // A buffer that could not be read stands in as 0: already reported.
    let buffer_path = join(&raw.path, "buffer");
    if reader
        .diagnostics()
        .iter()
        .any(|d| d.key_path == buffer_path)
    {
        return;
    }
    let batch_path = join(&raw.path, "batch");
    if capacity < batch.min {
        reader.error(
            span.clone(),
            &batch_path,
            format!(
                "the buffer ({capacity}) must hold at least batch.min ({}) parts",
                batch.min
            ),
        );
    } else if capacity < batch.size
        && !batch.max_wait_min.is_finite()
        && !visits.iter().all(|&(_, pos)| pos == 0)
    {
        reader.error(
            span.clone(),
            &batch_path,
            format!(
                "a full batch of {} can never gather in a buffer of {capacity}: give batch.max_wait, or a larger buffer",
                batch.size
            ),
        );
    }
}
