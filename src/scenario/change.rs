//! `[[changes]]` and `[[variants]]`: automation measures as patches over the
//! baseline's tree, the variants that combine them, and the merge of a
//! patch into a copy of the tree.
//!
//! A variant is validated by building the model of its merged tree exactly
//! as the baseline's is built, so a patched value is checked like a written
//! one and its errors point at the patch.

use super::diagnostic::{Diagnostic, Warning};
use super::line::build_model;
use super::read::{describe, index, join, Reader, Table, Value};
use super::{keys, Change, Variant};
use std::borrow::Cow;
use std::ops::Range;
use toml::de::{DeArray, DeValue};
use toml::Spanned;

/// The sections a change patches by entry name, and the array each
/// addresses in the tree.
const PATCHED: [&str; 3] = ["stations", "products", "pools"];

/// A change as read, with its patch table kept for merging.
pub struct ChangeSpec<'a, 'i> {
    pub change: Change,
    path: String,
    table: &'a Table<'i>,
    /// Where each part of the patch is in the file, with the key path a
    /// problem found there is reported under.
    parts: Vec<PatchPart>,
}

/// A part of a change's patch: an entry patched by name, or an entry
/// added, and the section of the tree it lands in.
struct PatchPart {
    span: Range<usize>,
    /// `stations`, `products` or `pools`.
    section: &'static str,
    /// `changes[1].stations.die_cast` or `changes[1].new_stations[0]`.
    path: String,
}

impl PatchPart {
    /// `merged`, a key path in the merged line (`stations[4].bufer`), as
    /// the part writes it (`changes[1].stations.xray.bufer`); `None` when
    /// it is not in this part's section.
    fn key_path(&self, merged: &str) -> Option<String> {
        let rest = merged.strip_prefix(self.section)?.strip_prefix('[')?;
        let rest = &rest[rest.find(']')? + 1..];
        Some(format!("{}{rest}", self.path))
    }
}

impl ChangeSpec<'_, '_> {
    /// The problem with its key path in the change, when it lies inside
    /// one of the change's parts and names the entry it patches
    /// (`stations[4].bufer` becomes `changes[1].stations.xray.bufer`).
    fn locate(&self, diagnostic: &Diagnostic) -> Option<Diagnostic> {
        let part = self
            .parts
            .iter()
            .find(|p| p.span.contains(&diagnostic.offset))?;
        let mut located = diagnostic.clone();
        located.key_path = part.key_path(&diagnostic.key_path)?;
        Some(located)
    }

    /// The warning with its key path in the change, as [`Self::locate`]
    /// does for a problem (a warning knows its line and column, which
    /// `position` gives for a byte of the file).
    fn locate_warning(
        &self,
        warning: &Warning,
        position: impl Fn(usize) -> (usize, usize),
    ) -> Option<Warning> {
        let at = (warning.line?, warning.column?);
        let part = self.parts.iter().find(|p| {
            let (start, end) = (position(p.span.start), position(p.span.end));
            start <= at && at < end
        })?;
        let mut located = warning.clone();
        located.key_path = part.key_path(&warning.key_path)?;
        Some(located)
    }
}

/// Where the patched and added entries of a change's table are.
fn patch_parts(table: &Table<'_>, path: &str) -> Vec<PatchPart> {
    let mut parts = Vec::new();
    for section in PATCHED {
        if let Some(DeValue::Table(patches)) = table.get(section).map(|v| v.get_ref()) {
            for (name, patch) in patches.iter() {
                let name: &str = name.get_ref();
                parts.push(PatchPart {
                    span: patch.span(),
                    section,
                    path: join(&join(path, section), name),
                });
            }
        }
    }
    for (key, section) in [("new_stations", "stations"), ("new_pools", "pools")] {
        if let Some(DeValue::Array(added)) = table.get(key).map(|v| v.get_ref()) {
            for (j, entry) in added.iter().enumerate() {
                parts.push(PatchPart {
                    span: entry.span(),
                    section,
                    path: index(&join(path, key), j),
                });
            }
        }
    }
    parts
}

/// A variant as read: its name and the changes it applies, in order.
pub struct VariantSpec {
    pub name: String,
    pub description: String,
    pub changes: Vec<usize>,
}

/// Names of the entries of an array of tables (`[[stations]]`, ...).
fn names_in(value: Option<&Value<'_>>) -> Vec<String> {
    match value.map(|v| v.get_ref()) {
        Some(DeValue::Array(entries)) => entries.iter().filter_map(entry_name).collect(),
        _ => Vec::new(),
    }
}

/// The names a patch of each [`PATCHED`] section may address: the
/// baseline's, and the stations and pools any change adds.
fn patchable_names(root: &Table<'_>, changes: &[Value<'_>]) -> [Vec<String>; 3] {
    let added = |key: &str| -> Vec<String> {
        changes
            .iter()
            .filter_map(|c| match c.get_ref() {
                DeValue::Table(t) => Some(names_in(t.get(key))),
                _ => None,
            })
            .flatten()
            .collect()
    };
    let mut stations = names_in(root.get("stations"));
    stations.extend(added("new_stations"));
    let products = names_in(root.get("products"));
    let mut pools = names_in(root.get("pools"));
    pools.extend(added("new_pools"));
    [stations, products, pools]
}

pub fn read_changes<'a, 'i>(
    reader: &mut Reader<'_>,
    root: &'a Table<'i>,
) -> Vec<ChangeSpec<'a, 'i>> {
    let mut changes: Vec<ChangeSpec<'a, 'i>> = Vec::new();
    let Some(value) = root.get("changes") else {
        return changes;
    };
    let Some(array) = reader.array(value, "changes") else {
        return changes;
    };
    let known = patchable_names(root, array);
    for (i, change) in array.iter().enumerate() {
        let path = index("changes", i);
        let Some(spec) = read_change(reader, change, path, &known) else {
            continue;
        };
        if changes.iter().any(|c| c.change.name == spec.change.name) {
            reader.error(
                change.span(),
                &join(&spec.path, "name"),
                format!("duplicate change name \"{}\"", spec.change.name),
            );
            continue;
        }
        if changes_nothing(root, &spec) {
            let sets = PATCHED
                .iter()
                .chain(&["new_stations", "new_pools"])
                .any(|key| spec.table.contains_key(*key));
            let (what, hint) = if sets {
                (
                    "every value it sets is the baseline's already",
                    " (perhaps it names the wrong station, product or pool, or a value was meant to differ)",
                )
            } else {
                ("it sets no stations, products or pools and adds none", "")
            };
            let capex = spec
                .change
                .capex
                .filter(|&c| c > 0.0)
                .map_or(String::new(), |c| format!("; its capex ({c}) buys nothing"));
            reader.warn(
                change.span(),
                &spec.path,
                format!(
                    "change \"{}\" changes nothing in the line: {what}, so a variant with it simulates the same line as without it{capex}{hint}",
                    spec.change.name
                ),
            );
        }
        changes.push(spec);
    }
    changes
}

/// Whether merging the change into the baseline's tree leaves it as it
/// is: every value it sets equals the baseline's, and it adds nothing. A
/// patch the reader refuses (an unknown entry, a wrong type) counts as a
/// change: its error says what is wrong.
fn changes_nothing(root: &Table<'_>, change: &ChangeSpec<'_, '_>) -> bool {
    let adds = ["new_stations", "new_pools"].iter().any(|key| {
        change
            .table
            .get(*key)
            .is_some_and(|v| !matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()))
    });
    if adds {
        return false;
    }
    PATCHED.iter().all(|section| {
        let Some(patches) = change.table.get(*section) else {
            return true;
        };
        let (DeValue::Table(patches), Some(DeValue::Array(entries))) =
            (patches.get_ref(), root.get(*section).map(|v| v.get_ref()))
        else {
            return false;
        };
        patches.iter().all(|(name, patch)| {
            entries
                .iter()
                .find(|e| entry_name(e).as_deref() == Some(name.get_ref()))
                .is_some_and(|entry| merge_keeps(entry, patch))
        })
    })
}

/// Whether [`merge`] of `patch` into `base` leaves `base` as it is.
fn merge_keeps(base: &Value<'_>, patch: &Value<'_>) -> bool {
    let is_dist =
        |v: &Value<'_>| matches!(v.get_ref(), DeValue::Table(t) if t.contains_key("dist"));
    if !is_dist(base) && !is_dist(patch) {
        if let (DeValue::Table(base_table), DeValue::Table(patch_table)) =
            (base.get_ref(), patch.get_ref())
        {
            return patch_table.iter().all(|(key, value)| {
                base_table
                    .get(key.get_ref().as_ref())
                    .is_some_and(|existing| merge_keeps(existing, value))
            });
        }
    }
    same_value(base.get_ref(), patch.get_ref())
}

/// Whether two values are the same as written (an integer and a float of
/// one value, or a duration written two ways, count as different).
fn same_value(a: &DeValue<'_>, b: &DeValue<'_>) -> bool {
    match (a, b) {
        (DeValue::String(x), DeValue::String(y)) => x == y,
        (DeValue::Integer(x), DeValue::Integer(y)) => {
            x.radix() == y.radix() && x.as_str().replace('_', "") == y.as_str().replace('_', "")
        }
        (DeValue::Float(x), DeValue::Float(y)) => {
            let value = |f: &str| f.replace('_', "").parse::<f64>().ok();
            x.as_str() == y.as_str()
                || value(x.as_str()).is_some_and(|v| Some(v) == value(y.as_str()))
        }
        (DeValue::Boolean(x), DeValue::Boolean(y)) => x == y,
        (DeValue::Datetime(x), DeValue::Datetime(y)) => x == y,
        (DeValue::Array(x), DeValue::Array(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(v, w)| same_value(v.get_ref(), w.get_ref()))
        }
        (DeValue::Table(x), DeValue::Table(y)) => {
            x.len() == y.len()
                && x.iter().all(|(key, v)| {
                    y.get(key.get_ref().as_ref())
                        .is_some_and(|w| same_value(v.get_ref(), w.get_ref()))
                })
        }
        _ => false,
    }
}

/// One `[[changes]]` entry; `None` when it has no usable name.
fn read_change<'a, 'i>(
    reader: &mut Reader<'_>,
    change: &'a Value<'i>,
    path: String,
    known: &[Vec<String>; 3],
) -> Option<ChangeSpec<'a, 'i>> {
    let table = reader.table(change, &path)?;
    reader.check_keys(table, &path, keys::CHANGE);
    let name = reader
        .required(table, change.span(), &path, "name")
        .and_then(|v| reader.name(v, &join(&path, "name")));
    let description = table
        .get("description")
        .and_then(|v| reader.string(v, &join(&path, "description")))
        .unwrap_or_default();
    let capex = table.get("capex").and_then(|v| {
        let capex = reader.number(v, &join(&path, "capex"))?;
        if capex < 0.0 {
            reader.error(
                v.span(),
                &join(&path, "capex"),
                format!("expected a capex >= 0, got {capex}"),
            );
            return None;
        }
        Some(capex)
    });
    let opex_per_year = table
        .get("opex_per_year")
        .and_then(|v| super::read::non_negative(reader, v, &join(&path, "opex_per_year")));
    for (key, names) in PATCHED.iter().zip(known) {
        if let Some(v) = table.get(*key) {
            check_patch_targets(reader, v, &join(&path, key), key, names);
        }
    }
    for key in ["new_stations", "new_pools"] {
        if let Some(v) = table.get(key) {
            reader.array(v, &join(&path, key));
        }
    }
    Some(ChangeSpec {
        change: Change {
            name: name?,
            description,
            capex,
            opex_per_year,
        },
        parts: patch_parts(table, &path),
        path,
        table,
    })
}

/// The entries a patch section names must exist, and a patch cannot rename.
fn check_patch_targets(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    patch_path: &str,
    section: &str,
    known: &[String],
) {
    let Some(t) = reader.table(value, patch_path) else {
        return;
    };
    let singular = &section[..section.len() - 1];
    for (name, patch) in t.iter() {
        let entry_path = join(patch_path, name.get_ref());
        reader.lookup(
            known.iter().map(String::as_str),
            name.get_ref(),
            singular,
            name.span(),
            &entry_path,
        );
        if let Some(p) = reader.table(patch, &entry_path) {
            if let Some(n) = p.get("name") {
                reader.error(
                    n.span(),
                    &join(&entry_path, "name"),
                    "a patch cannot rename; add a new station with new_stations instead",
                );
            }
        }
    }
}

pub fn read_variants(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    changes: &[ChangeSpec<'_, '_>],
) -> Vec<VariantSpec> {
    let change_names: Vec<&str> = changes.iter().map(|c| c.change.name.as_str()).collect();
    let Some(value) = root.get("variants") else {
        if changes.is_empty() {
            return Vec::new();
        }
        return vec![VariantSpec {
            name: "automated".to_owned(),
            description: "all changes".to_owned(),
            changes: (0..changes.len()).collect(),
        }];
    };
    let mut variants: Vec<VariantSpec> = Vec::new();
    let Some(array) = reader.array(value, "variants") else {
        return variants;
    };
    for (i, variant) in array.iter().enumerate() {
        let path = index("variants", i);
        let Some(entry) = read_variant(reader, variant, &path, &change_names) else {
            continue;
        };
        let name_path = join(&path, "name");
        let name = &entry.spec.name;
        if name == "baseline" {
            reader.error(
                entry.name_span,
                &name_path,
                "\"baseline\" is reserved for the line without changes",
            );
        } else if variants.iter().any(|v| v.name == *name) {
            let message = format!("duplicate variant name \"{name}\"");
            reader.error(entry.name_span, &name_path, message);
        } else if entry.changes_ok {
            variants.push(entry.spec);
        }
    }
    variants
}

/// A `[[variants]]` entry as read.
struct VariantEntry {
    spec: VariantSpec,
    name_span: Range<usize>,
    /// Whether every change it names exists.
    changes_ok: bool,
}

/// One `[[variants]]` entry; `None` when it has no usable name.
fn read_variant(
    reader: &mut Reader<'_>,
    variant: &Value<'_>,
    path: &str,
    change_names: &[&str],
) -> Option<VariantEntry> {
    let table = reader.table(variant, path)?;
    reader.check_keys(table, path, keys::VARIANT);
    let name = reader
        .required(table, variant.span(), path, "name")
        .and_then(|v| reader.name(v, &join(path, "name")));
    let description = table
        .get("description")
        .and_then(|v| reader.string(v, &join(path, "description")))
        .unwrap_or_default();
    let selected = reader
        .required(table, variant.span(), path, "changes")
        .and_then(|v| read_selection(reader, v, &join(path, "changes"), change_names));
    Some(VariantEntry {
        spec: VariantSpec {
            name: name?,
            description,
            changes: selected.clone().unwrap_or_default(),
        },
        name_span: table["name"].span(),
        changes_ok: selected.is_some(),
    })
}

/// A variant's `changes`: names of changes, `"all"`, or a list of them.
fn read_selection(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
    change_names: &[&str],
) -> Option<Vec<usize>> {
    let items: Vec<&Value<'_>> = match value.get_ref() {
        DeValue::String(_) => vec![value],
        DeValue::Array(a) => a.iter().collect(),
        _ => {
            reader.error(
                value.span(),
                path,
                format!(
                    "expected an array of change names or \"all\", got {}",
                    describe(value.get_ref())
                ),
            );
            return None;
        }
    };
    let mut selected = Vec::new();
    let errors_before = reader.error_count();
    for (j, item) in items.into_iter().enumerate() {
        let item_path = index(path, j);
        match reader.string(item, &item_path).as_deref() {
            Some("all") => selected.extend(0..change_names.len()),
            Some(name) => {
                let found = reader.lookup(
                    change_names.iter().copied(),
                    name,
                    "change",
                    item.span(),
                    &item_path,
                );
                selected.extend(found);
            }
            None => {}
        }
    }
    (reader.error_count() == errors_before).then_some(selected)
}

/// Builds the model of every variant from a copy of the tree with its
/// changes merged in. A problem inside a change's patch is reported once,
/// under the change's key path; a problem the baseline already has shows
/// again in every variant and is kept once; any other names the variant.
pub fn build_variants(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    changes: &[ChangeSpec<'_, '_>],
    specs: Vec<VariantSpec>,
) -> Vec<Variant> {
    let baseline_diagnostics: Vec<Diagnostic> = reader.diagnostics().to_vec();
    let mut variants = Vec::new();
    for spec in specs {
        let label = format!("in variant \"{}\"", spec.name);
        let model = build_with(reader, root, changes, &spec, &label, &baseline_diagnostics);
        if let Some(model) = model {
            variants.push(Variant {
                name: spec.name,
                description: spec.description,
                changes: spec.changes,
                model,
            });
        }
    }
    variants
}

/// Checks every change no variant uses, applied alone to the baseline, so
/// that a mistake in it is found although no run would apply it.
pub fn check_unused(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    changes: &[ChangeSpec<'_, '_>],
    used: &[VariantSpec],
) {
    let baseline_diagnostics: Vec<Diagnostic> = reader.diagnostics().to_vec();
    for (c, change) in changes.iter().enumerate() {
        if used.iter().any(|v| v.changes.contains(&c)) {
            continue;
        }
        let spec = VariantSpec {
            name: change.change.name.clone(),
            description: String::new(),
            changes: vec![c],
        };
        let label = format!("with change \"{}\" alone", spec.name);
        build_with(reader, root, changes, &spec, &label, &baseline_diagnostics);
    }
}

/// The model of the baseline with the changes of `spec`, its problems
/// reported as [`build_variants`] says (`label` names the combination).
fn build_with(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    changes: &[ChangeSpec<'_, '_>],
    spec: &VariantSpec,
    label: &str,
    baseline_diagnostics: &[Diagnostic],
) -> Option<crate::model::Model> {
    let mut merged = root.clone();
    for &change in &spec.changes {
        apply_change(reader, &mut merged, &changes[change]);
    }
    let before = reader.diagnostics().len();
    let warned = reader.warnings().len();
    let model = build_model(reader, &merged, &spec.name);
    for mut d in reader.take_diagnostics_from(before) {
        if let Some(located) = spec.changes.iter().find_map(|&c| changes[c].locate(&d)) {
            reader.push_diagnostic(located);
        } else if !baseline_diagnostics.contains(&d) {
            d.message.push_str(&format!(" ({label})"));
            reader.push_diagnostic(d);
        }
    }
    // A warning about a value the change writes names it where it is
    // written, as a problem does.
    for w in reader.take_warnings_from(warned) {
        let located = spec
            .changes
            .iter()
            .find_map(|&c| changes[c].locate_warning(&w, |o| reader.position(o)));
        reader.push_warning(located.unwrap_or(w));
    }
    model
}

/// Merges a change's patches into a copy of the scenario tree.
fn apply_change<'i>(reader: &mut Reader<'_>, root: &mut Table<'i>, change: &ChangeSpec<'_, 'i>) {
    for section in PATCHED {
        let Some(DeValue::Table(patches)) = change.table.get(section).map(|p| p.get_ref()) else {
            continue;
        };
        for (name, patch) in patches.iter() {
            patch_entry(reader, root, section, name, patch, &change.path);
        }
    }
    for (key, section) in [("new_stations", "stations"), ("new_pools", "pools")] {
        let Some(DeValue::Array(additions)) = change.table.get(key).map(|n| n.get_ref()) else {
            continue;
        };
        let entries = root
            .entry(Spanned::new(0..0, Cow::Borrowed(section)))
            .or_insert_with(|| Spanned::new(0..0, DeValue::Array(DeArray::new())));
        if let DeValue::Array(entries) = entries.get_mut() {
            for entry in additions.iter() {
                entries.push(entry.clone());
            }
        }
    }
}

/// Merges one patch into the entry of `section` it names.
fn patch_entry<'i>(
    reader: &mut Reader<'_>,
    root: &mut Table<'i>,
    section: &str,
    name: &Spanned<Cow<'i, str>>,
    patch: &Value<'i>,
    change_path: &str,
) {
    let target: &str = name.get_ref();
    let Some(DeValue::Array(entries)) = root.get_mut(section).map(|v| v.get_mut()) else {
        return;
    };
    let names: Vec<String> = entries.iter().filter_map(entry_name).collect();
    match entries
        .iter_mut()
        .find(|e| entry_name(e).as_deref() == Some(target))
    {
        Some(entry) => merge(entry, patch),
        None => {
            let singular = &section[..section.len() - 1];
            reader.lookup(
                names.iter().map(String::as_str),
                target,
                singular,
                name.span(),
                &join(&join(change_path, section), target),
            );
        }
    }
}

/// The `name` of an entry of an array of tables.
pub fn entry_name(entry: &Value<'_>) -> Option<String> {
    match entry.get_ref() {
        DeValue::Table(t) => t
            .get("name")
            .and_then(|n| n.get_ref().as_str())
            .map(str::to_owned),
        _ => None,
    }
}

/// Field-by-field merge: tables merge recursively, except distributions
/// (tables with `dist`), which a patch replaces whole, like every other value.
fn merge<'i>(base: &mut Value<'i>, patch: &Value<'i>) {
    let is_dist =
        |v: &Value<'_>| matches!(v.get_ref(), DeValue::Table(t) if t.contains_key("dist"));
    if !is_dist(base) && !is_dist(patch) {
        if let (DeValue::Table(base_table), DeValue::Table(patch_table)) =
            (base.get_mut(), patch.get_ref())
        {
            for (key, value) in patch_table.iter() {
                match base_table.get_mut(key.get_ref().as_ref()) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base_table.insert(key.clone(), value.clone());
                    }
                }
            }
            return;
        }
    }
    *base = patch.clone();
}
