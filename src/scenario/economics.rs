//! `[economics]`: margins, demand and the business case's horizon and
//! discount rate (the pools' `cost_per_h` and the changes' `capex` and
//! `opex_per_year` are read with their tables).

use super::keys;
use super::read::{index, join, non_negative, Reader, Table};
use crate::model::economics::Economics;
use crate::model::Model;
use std::ops::Range;
use toml::de::{DeArray, DeValue};

/// `[economics]`, resolved against the products; `Some(None)` without it,
/// `None` when it has mistakes (each recorded).
pub fn read_economics(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    products: &[String],
) -> Option<Option<Economics>> {
    let Some(value) = root.get("economics") else {
        return Some(None);
    };
    let table = reader.table(value, "economics")?;
    let errors_before = reader.error_count();
    reader.check_keys(table, "economics", keys::ECONOMICS);
    let margin_per_part = table
        .get("margin_per_part")
        .and_then(|v| reader.number(v, "economics.margin_per_part"));
    let mut margin: Vec<Option<f64>> = vec![margin_per_part; products.len()];
    if let Some(v) = table.get("margin_by_product") {
        if let Some(by_product) = reader.table(v, "economics.margin_by_product") {
            for (key, m) in by_product.iter() {
                let name: &str = key.get_ref();
                let path = join("economics.margin_by_product", name);
                let names = products.iter().map(String::as_str);
                let product = reader.lookup(names, name, "product", key.span(), &path);
                let value = reader.number(m, &path);
                if let (Some(p), Some(value)) = (product, value) {
                    margin[p] = Some(value);
                }
            }
        }
    }
    let demand_per_year = table
        .get("demand_per_year")
        .and_then(|v| non_negative(reader, v, "economics.demand_per_year"));
    let weeks_per_year = match table.get("weeks_per_year") {
        Some(v) => reader.number(v, "economics.weeks_per_year").and_then(|w| {
            if w > 0.0 && w <= 53.0 {
                Some(w)
            } else {
                reader.error(
                    v.span(),
                    "economics.weeks_per_year",
                    format!("expected a number of weeks above 0 and at most 53, got {w}"),
                );
                None
            }
        }),
        None => Some(52.0),
    };
    let years = match table.get("years") {
        Some(v) => reader
            .integer_in(v, "economics.years", 1, 100)
            .map(|y| y as u32),
        None => Some(10),
    };
    let discount_rate = match table.get("discount_rate") {
        Some(v) => reader.number(v, "economics.discount_rate").and_then(|r| {
            if (0.0..1.0).contains(&r) {
                Some(r)
            } else {
                reader.error(
                    v.span(),
                    "economics.discount_rate",
                    format!("expected a yearly rate from 0 to below 1 (0.08 for 8 %), got {r}"),
                );
                None
            }
        }),
        None => Some(0.0),
    };
    if reader.error_count() > errors_before {
        return None;
    }
    let missing: Vec<&str> = products
        .iter()
        .zip(&margin)
        .filter(|(_, m)| m.is_none())
        .map(|(p, _)| p.as_str())
        .collect();
    if !missing.is_empty() {
        reader.error(
            value.span(),
            "economics.margin_per_part",
            format!(
                "no margin for product {}: give margin_per_part, or margin_by_product for each product",
                missing
                    .iter()
                    .map(|p| format!("\"{p}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        return None;
    }
    Some(Some(Economics {
        margin: margin.into_iter().map(|m| m.unwrap_or(0.0)).collect(),
        demand_per_year,
        weeks_per_year: weeks_per_year?,
        years: years?,
        discount_rate: discount_rate?,
    }))
}

/// With `[economics]`, the costs it cannot count: a pool that stations use
/// without a `cost_per_h` (its paid hours cost nothing, so a change that
/// shrinks its crew saves nothing, and a shift it adds costs nothing), and
/// stations that draw energy without an `[energy] price_per_kwh`. Legal
/// (a study may leave a cost out on purpose), but the business case then
/// misses what automation most often buys.
pub fn warn_uncosted(reader: &mut Reader<'_>, root: &Table<'_>, models: &[&Model]) {
    let Some(economics) = root.get("economics") else {
        return;
    };
    let mut told: Vec<&str> = Vec::new();
    for model in models {
        for (p, pool) in model.pools.iter().enumerate() {
            if pool.cost_per_h.is_some()
                || !model.pool_used(p)
                || told.contains(&pool.name.as_str())
            {
                continue;
            }
            told.push(&pool.name);
            let (span, path) = pool_entry(root, &pool.name)
                .unwrap_or_else(|| (economics.span(), "economics".to_owned()));
            reader.warn(
                span,
                &path,
                format!(
                    "[economics] is given, but pool \"{}\" has no cost_per_h: its paid hours count as no labour cost, so a change that shrinks its crew saves nothing and a shift added to it costs nothing; give the cost of a paid operator-hour",
                    pool.name
                ),
            );
        }
    }
    let draws = models
        .iter()
        .any(|m| m.stations.iter().any(|s| s.energy.is_some()));
    if draws && models.first().is_some_and(|m| m.price_per_kwh.is_none()) {
        reader.warn(
            economics.span(),
            "economics",
            "[economics] is given and stations draw energy, but [energy] has no price_per_kwh: energy counts as no cost in the business case, so a change that saves energy saves no money",
        );
    }
}

/// Where the pool named `name` is written: in `[[pools]]`, or among a
/// change's `new_pools` (the span of its name, and its key path).
fn pool_entry(root: &Table<'_>, name: &str) -> Option<(Range<usize>, String)> {
    let named = |entries: &DeArray<'_>, path: &str| {
        entries.iter().enumerate().find_map(|(k, e)| {
            let DeValue::Table(t) = e.get_ref() else {
                return None;
            };
            let n = t.get("name")?;
            (n.get_ref().as_str() == Some(name)).then(|| (n.span(), join(&index(path, k), "name")))
        })
    };
    if let Some(DeValue::Array(pools)) = root.get("pools").map(|v| v.get_ref()) {
        if let Some(found) = named(pools, "pools") {
            return Some(found);
        }
    }
    let Some(DeValue::Array(changes)) = root.get("changes").map(|v| v.get_ref()) else {
        return None;
    };
    changes.iter().enumerate().find_map(|(c, change)| {
        let DeValue::Table(t) = change.get_ref() else {
            return None;
        };
        match t.get("new_pools").map(|v| v.get_ref()) {
            Some(DeValue::Array(pools)) => named(pools, &join(&index("changes", c), "new_pools")),
            _ => None,
        }
    })
}
