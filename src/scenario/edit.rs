//! Key-path edits: a value set in the scenario tree before it is validated
//! (`stations.age.buffer = 300`, a sweep point), so that an edited value is
//! checked exactly as a written one.

use super::change::entry_name;
use super::diagnostic::did_you_mean;
use super::read::{Reader, Table};
use std::borrow::Cow;
use std::ops::Range;
use toml::de::DeValue;
use toml::Spanned;

/// A value set at a key path before the scenario is validated (a sweep
/// point): `stations.age.buffer = 300`.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    /// The path as written, e.g. `stations.age.buffer`.
    pub path: String,
    pub value: EditValue,
}

/// A numeric value of an [`Edit`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EditValue {
    Integer(i64),
    Float(f64),
}

impl std::fmt::Display for EditValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditValue::Integer(i) => write!(f, "{i}"),
            EditValue::Float(x) => write!(f, "{x:?}"),
        }
    }
}

/// Sets the value at an edit's key path in the tree: `section.name.field...`
/// for `stations`, `products` and `pools` (entries chosen by name), or a plain
/// path of tables (`energy.co2_kg_per_kwh`). A missing last key is added.
/// A path that leads nowhere is recorded as a problem of the edit.
pub fn apply<'i>(reader: &mut Reader<'_>, root: &mut Table<'i>, edit: &Edit, value_text: &'i str) {
    if let Err(message) = set(root, &edit.path, value_text) {
        reader.option_error("--param", &edit.path, message);
    }
}

fn set<'i>(root: &mut Table<'i>, path: &str, value_text: &'i str) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return Err("expected a key path such as stations.<name>.buffer".to_owned());
    }
    let value = match DeValue::parse(value_text) {
        Ok(v) => v.into_inner(),
        Err(e) => return Err(format!("invalid value {value_text}: {}", e.message())),
    };
    // `around`: where the innermost table is written, for a value that
    // the file does not give (its problems are reported there).
    let (mut table, mut around, rest) = match segments[0] {
        section @ ("stations" | "products" | "pools") => {
            let Some((table, span)) = named_entry(root, section, segments[1])? else {
                return Ok(());
            };
            (table, span, &segments[2..])
        }
        _ => (root, 0..0, &segments[..]),
    };
    let Some((last, tables)) = rest.split_last() else {
        return Err("expected a field after the name".to_owned());
    };
    for key in tables {
        let Some(value) = table.get_mut(*key) else {
            return Err(format!("\"{key}\" is not a table here"));
        };
        around = value.span();
        match value.get_mut() {
            DeValue::Table(inner) => table = inner,
            _ => return Err(format!("\"{key}\" is not a table here")),
        }
    }
    // A key the file does not write is placed where its table is, so that
    // a problem with it (an unknown key) points there.
    let key_span = table
        .get_key_value(*last)
        .map_or(around.clone(), |(k, _)| k.span());
    let span = table.get(*last).map_or(around, |v| v.span());
    table.insert(
        Spanned::new(key_span, Cow::Owned((*last).to_owned())),
        Spanned::new(span, value),
    );
    Ok(())
}

/// The table of the entry of `section` named `name`, and where it is
/// written (`None` if that entry is not a table: the loader reports it).
fn named_entry<'t, 'i>(
    root: &'t mut Table<'i>,
    section: &str,
    name: &str,
) -> Result<Option<(&'t mut Table<'i>, Range<usize>)>, String> {
    let Some(DeValue::Array(entries)) = root.get_mut(section).map(|v| v.get_mut()) else {
        return Err(format!("the scenario has no [[{section}]]"));
    };
    let names: Vec<String> = entries.iter().filter_map(entry_name).collect();
    let Some(entry) = entries
        .iter_mut()
        .find(|e| entry_name(e).as_deref() == Some(name))
    else {
        let hint = did_you_mean(name, names.iter().map(String::as_str));
        let singular = &section[..section.len() - 1];
        return Err(format!("no {singular} named \"{name}\"{hint}"));
    };
    let span = entry.span();
    match entry.get_mut() {
        DeValue::Table(table) => Ok(Some((table, span))),
        _ => Ok(None),
    }
}
