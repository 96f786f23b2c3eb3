//! The scenario file (SPEC §3): TOML as written, checked and resolved into one
//! [`Model`] per variant.
//!
//! Loading is two-staged. The file is parsed into a spanned TOML tree (every
//! key and value keeps its byte range), then walked by readers that check
//! types, ranges, names and cross-references and record a [`Diagnostic`] with
//! file, line:column and key path for every mistake, so that one run reports
//! all of them. Variants are built by merging their changes into the tree and
//! validating the result like the baseline, which means a patched value is
//! checked exactly as a written one and its errors point at the patch.
//!
//! Not here: anything the engine does with the model, and any output.

pub mod diagnostic;
pub mod read;

use crate::model::{
    Batch, Dist, Energy, FailureBasis, Failures, Model, Operators, Pool, Product, Rework, Setup,
    SetupRule, Source, Station, WEEK_MIN,
};
pub use diagnostic::Diagnostic;
use diagnostic::{did_you_mean, Diagnostics};
use read::{index, join, Reader, Table, Value};
use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut text: Vec<String> = diagnostics.iter().map(|d| format!("error: {d}")).collect();
    text.push(format!(
        "{} error{} in scenario",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    ));
    text.join("\n")
}

/// An automation measure: a named patch over the baseline.
#[derive(Clone, Debug)]
pub struct Change {
    pub name: String,
    pub description: String,
    /// Capital expenditure, in the user's currency.
    pub capex: Option<f64>,
}

/// The baseline or a variant, with its resolved model.
#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub description: String,
    /// Indices into [`Scenario::changes`], in the order applied.
    pub changes: Vec<usize>,
    pub model: Model,
}

/// A loaded, fully validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file name as given (for messages).
    pub file: String,
    pub name: String,
    pub description: String,
    /// Minutes per scenario time unit.
    pub minutes_per_unit: f64,
    /// The baseline first, then every variant.
    pub variants: Vec<Variant>,
    pub changes: Vec<Change>,
    /// The text and folder the scenario was read from, for rebuilding it
    /// with edits (sweeps) or with other sets of changes (attribution).
    source: std::sync::Arc<(String, PathBuf)>,
}

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

impl Scenario {
    /// The baseline's model.
    pub fn baseline(&self) -> &Model {
        &self.variants[0].model
    }

    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_text(&text, &path.display().to_string(), &base_dir)
    }

    /// Validates scenario text; `file` names it in messages, `base_dir`
    /// resolves relative paths inside it.
    pub fn from_text(text: &str, file: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
        Self::build_from(text, file, base_dir, &[], None)
    }

    fn build_from(
        text: &str,
        file: &str,
        base_dir: &Path,
        edits: &[Edit],
        subsets: Option<&[(String, Vec<usize>)]>,
    ) -> Result<Scenario, ScenarioError> {
        let mut reader = Reader {
            diagnostics: Diagnostics::new(file, text),
            minutes_per_unit: 1.0,
            base_dir: base_dir.to_path_buf(),
        };
        // Edited values are parsed from their own text, which must outlive
        // the tree they are put into.
        let edit_texts: Vec<String> = edits.iter().map(|e| e.value.to_string()).collect();
        let root = match DeTable::parse(text) {
            Ok(root) => root,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                reader.error(span, "", format!("invalid TOML: {}", e.message().trim()));
                return Err(ScenarioError::Invalid(reader.diagnostics.list));
            }
        };
        let mut root = root.into_inner();
        for (edit, value_text) in edits.iter().zip(&edit_texts) {
            apply_edit(&mut reader, &mut root, edit, value_text);
        }
        if !reader.diagnostics.is_empty() {
            return Err(ScenarioError::Invalid(reader.diagnostics.list));
        }
        let scenario = build(&mut reader, &root, file, subsets);
        match scenario {
            Some(mut scenario) if reader.diagnostics.is_empty() => {
                scenario.source = std::sync::Arc::new((text.to_owned(), base_dir.to_path_buf()));
                Ok(scenario)
            }
            _ => Err(ScenarioError::Invalid(reader.diagnostics.list)),
        }
    }

    /// The same scenario with `edits` applied to the file before validation
    /// (run settings overridden on the command line are kept).
    pub fn with_edits(&self, edits: &[Edit]) -> Result<Scenario, ScenarioError> {
        let (text, base_dir) = &*self.source;
        let mut rebuilt = Self::build_from(text, &self.file, base_dir, edits, None)?;
        rebuilt.copy_run_settings(self);
        Ok(rebuilt)
    }

    /// Models of the baseline with each given set of changes applied, in
    /// their order (for attribution). The names become the variants' names.
    pub fn with_change_sets(
        &self,
        sets: &[(String, Vec<usize>)],
    ) -> Result<Vec<Model>, ScenarioError> {
        let (text, base_dir) = &*self.source;
        let mut rebuilt = Self::build_from(text, &self.file, base_dir, &[], Some(sets))?;
        rebuilt.copy_run_settings(self);
        Ok(rebuilt
            .variants
            .into_iter()
            .skip(1)
            .map(|v| v.model)
            .collect())
    }

    fn copy_run_settings(&mut self, from: &Scenario) {
        let m = from.baseline();
        let (r, seed, h, w) = (m.replications, m.seed, m.horizon_min, m.warmup_min);
        self.override_run(Some(r), Some(seed), Some(h), Some(w));
    }

    /// Parses a duration given on the command line (same rules as the file).
    pub fn parse_duration(&self, text: &str) -> Result<f64, String> {
        read::parse_duration(text, self.minutes_per_unit)
    }

    /// Applies command-line overrides to every variant.
    pub fn override_run(
        &mut self,
        replications: Option<u32>,
        seed: Option<u64>,
        horizon_min: Option<f64>,
        warmup_min: Option<f64>,
    ) {
        for variant in &mut self.variants {
            let model = &mut variant.model;
            if let Some(r) = replications {
                model.replications = r;
            }
            if let Some(s) = seed {
                model.seed = s;
            }
            if let Some(h) = horizon_min {
                model.horizon_min = h;
            }
            if let Some(w) = warmup_min {
                model.warmup_min = w;
            }
        }
    }
}

const TOP_KEYS: [&str; 8] = [
    "scenario", "source", "products", "stations", "pools", "energy", "changes", "variants",
];
const SCENARIO_KEYS: [&str; 7] = [
    "name",
    "description",
    "time_unit",
    "warmup",
    "horizon",
    "replications",
    "seed",
];
const STATION_KEYS: [&str; 16] = [
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
    "transfer",
    "energy",
    "description",
    "comment",
];
const CHANGE_KEYS: [&str; 8] = [
    "name",
    "description",
    "capex",
    "stations",
    "pools",
    "products",
    "new_stations",
    "new_pools",
];

/// What `[scenario]` says; shared by every variant.
struct Header {
    name: String,
    description: String,
    warmup_min: f64,
    horizon_min: f64,
    replications: u32,
    seed: u64,
}

fn build(
    reader: &mut Reader<'_>,
    root: &Table<'_>,
    file: &str,
    subsets: Option<&[(String, Vec<usize>)]>,
) -> Option<Scenario> {
    reader.check_keys(root, "", &TOP_KEYS);
    let header = read_header(reader, root);
    let baseline = build_model(reader, root, "baseline");
    let changes = read_changes(reader, root);
    let mut variant_specs = read_variants(reader, root, &changes);
    if let Some(subsets) = subsets {
        variant_specs = subsets
            .iter()
            .map(|(name, changes)| VariantSpec {
                name: name.clone(),
                description: String::new(),
                changes: changes.clone(),
            })
            .collect();
    }

    let mut variants = Vec::new();
    if let Some(model) = baseline {
        variants.push(Variant {
            name: "baseline".to_owned(),
            description: "the line as it is today".to_owned(),
            changes: Vec::new(),
            model,
        });
    }
    let baseline_diagnostics = reader.diagnostics.list.clone();
    for spec in variant_specs {
        let mut merged = root.clone();
        for &change in &spec.changes {
            apply_change(reader, &mut merged, &changes[change]);
        }
        // Problems of the baseline show again in every variant: keep them once,
        // and name the variant in the others.
        let before = reader.diagnostics.count();
        let model = build_model(reader, &merged, &spec.name);
        let added: Vec<Diagnostic> = reader.diagnostics.list.drain(before..).collect();
        for mut d in added {
            if !baseline_diagnostics.contains(&d) {
                d.message
                    .push_str(&format!(" (in variant \"{}\")", spec.name));
                if !reader.diagnostics.list.contains(&d) {
                    reader.diagnostics.list.push(d);
                }
            }
        }
        if let Some(model) = model {
            variants.push(Variant {
                name: spec.name,
                description: spec.description,
                changes: spec.changes,
                model,
            });
        }
    }
    let header = header?;
    for variant in &mut variants {
        let model = &mut variant.model;
        model.name = header.name.clone();
        model.variant = variant.name.clone();
        model.warmup_min = header.warmup_min;
        model.horizon_min = header.horizon_min;
        model.replications = header.replications;
        model.seed = header.seed;
    }
    Some(Scenario {
        file: file.to_owned(),
        name: header.name,
        description: header.description,
        minutes_per_unit: reader.minutes_per_unit,
        variants,
        changes: changes.into_iter().map(|c| c.change).collect(),
        source: std::sync::Arc::new((String::new(), PathBuf::new())),
    })
}

/// Sets the value at an edit's key path in the tree: `section.name.field...`
/// for `stations`, `products` and `pools` (entries chosen by name), or a plain
/// path of tables (`energy.co2_kg_per_kwh`). A missing last key is added.
fn apply_edit<'i>(reader: &mut Reader<'_>, root: &mut Table<'i>, edit: &Edit, value_text: &'i str) {
    let segments: Vec<&str> = edit.path.split('.').collect();
    let fail = |reader: &mut Reader<'_>, message: String| {
        reader.error(0..0, &edit.path, message);
    };
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        fail(
            reader,
            "expected a key path such as stations.<name>.buffer".to_owned(),
        );
        return;
    }
    let value = match DeValue::parse(value_text) {
        Ok(v) => v.into_inner(),
        Err(e) => {
            fail(
                reader,
                format!("invalid value {value_text}: {}", e.message()),
            );
            return;
        }
    };
    let (mut table, rest): (&mut Table<'i>, &[&str]) = match segments[0] {
        section @ ("stations" | "products" | "pools") => {
            let Some(DeValue::Array(entries)) = root.get_mut(section).map(|v| v.get_mut()) else {
                fail(reader, format!("the scenario has no [[{section}]]"));
                return;
            };
            let names: Vec<String> = entries.iter().filter_map(entry_name).collect();
            let Some(entry) = entries
                .iter_mut()
                .find(|e| entry_name(e).as_deref() == Some(segments[1]))
            else {
                let hint = did_you_mean(segments[1], names.iter().map(String::as_str));
                fail(
                    reader,
                    format!(
                        "no {} named \"{}\"{hint}",
                        &section[..section.len() - 1],
                        segments[1]
                    ),
                );
                return;
            };
            let DeValue::Table(table) = entry.get_mut() else {
                return;
            };
            (table, &segments[2..])
        }
        _ => (root, &segments[..]),
    };
    if rest.is_empty() {
        fail(reader, "expected a field after the name".to_owned());
        return;
    }
    for (i, key) in rest.iter().enumerate() {
        if i + 1 == rest.len() {
            let span = table.get(*key).map_or(0..0, |v| v.span());
            table.insert(
                Spanned::new(0..0, Cow::Owned((*key).to_owned())),
                Spanned::new(span, value),
            );
            return;
        }
        match table.get_mut(*key).map(|v| v.get_mut()) {
            Some(DeValue::Table(inner)) => table = inner,
            _ => {
                fail(reader, format!("\"{key}\" is not a table here"));
                return;
            }
        }
    }
}

fn read_header(reader: &mut Reader<'_>, root: &Table<'_>) -> Option<Header> {
    let Some(value) = root.get("scenario") else {
        reader.error(0..0, "scenario", "missing required section [scenario]");
        return None;
    };
    let table = reader.table(value, "scenario")?;
    let span = value.span();
    reader.check_keys(table, "scenario", &SCENARIO_KEYS);
    if let Some(unit) = table.get("time_unit") {
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
    let name = reader
        .required(table, span.clone(), "scenario", "name")
        .and_then(|v| reader.name(v, "scenario.name"));
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
    // A run must end: warm-up plus horizon of at most 1e9 minutes (1900 years).
    if let (Some(w), Some(h)) = (warmup_min, horizon_min) {
        if w + h > 1e9 {
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
        warmup_min: warmup_min?,
        horizon_min: horizon_min?,
        replications: replications?,
        seed: seed?,
    })
}

fn read_source(reader: &mut Reader<'_>, root: &Table<'_>) -> Option<Source> {
    let Some(value) = root.get("source") else {
        return Some(Source::Unlimited);
    };
    let table = reader.table(value, "source")?;
    reader.check_keys(table, "source", &["mode", "interarrival"]);
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
            let hint = did_you_mean(other, ["unlimited", "interarrival"]);
            let span = table["mode"].span();
            reader.error(
                span,
                "source.mode",
                format!("expected \"unlimited\" or \"interarrival\", got \"{other}\"{hint}"),
            );
            None
        }
    }
}

/// Per-product overrides as read: the product key, its key path, the value.
type ByProduct<'a, 'i, T> = Vec<(&'a Spanned<Cow<'i, str>>, String, Option<T>)>;

/// A station as read, before products are known.
struct RawStation<'a, 'i> {
    path: String,
    span: Range<usize>,
    name: Option<String>,
    machines: Option<u32>,
    /// Outer `None`: not given; inner `None`: unbounded.
    buffer: Option<Option<u32>>,
    buffer_ok: bool,
    process: Option<Dist>,
    by_product: ByProduct<'a, 'i, Dist>,
    failures: Option<Failures>,
    failures_ok: bool,
    scrap: Option<f64>,
    scrap_by_product: ByProduct<'a, 'i, f64>,
    rework: Option<(f64, String, Range<usize>, Range<usize>)>,
    rework_ok: bool,
    batch: Option<(Batch, Range<usize>)>,
    setup: Option<Setup>,
    /// Pool name, count, span of the pool name.
    operators: Option<(String, u32, Range<usize>)>,
    transfer: Option<Dist>,
    energy: Option<Energy>,
    /// Whether every optional section above read without error.
    extras_ok: bool,
}

fn read_station<'a, 'i>(
    reader: &mut Reader<'_>,
    value: &'a Value<'i>,
    path: String,
) -> Option<RawStation<'a, 'i>> {
    let table = reader.table(value, &path)?;
    let span = value.span();
    reader.check_keys(table, &path, &STATION_KEYS);
    let name = reader
        .required(table, span.clone(), &path, "name")
        .and_then(|v| reader.name(v, &join(&path, "name")));
    let machines = match table.get("machines") {
        Some(v) => reader
            .integer_in(v, &join(&path, "machines"), 1, 100_000)
            .map(|m| m as u32),
        None => Some(1),
    };
    let mut buffer_ok = true;
    let buffer = table.get("buffer").map(|v| {
        let buffer_path = join(&path, "buffer");
        let parsed = match v.get_ref() {
            DeValue::String(s) if s == "inf" => Some(None),
            DeValue::Integer(_) => reader
                .integer(v, &buffer_path)
                .filter(|&b| (0..=1_000_000_000).contains(&b))
                .map(|b| Some(b as u32)),
            _ => None,
        };
        if parsed.is_none() {
            buffer_ok = false;
            reader.error(
                v.span(),
                &buffer_path,
                format!(
                    "expected an integer >= 0 or \"inf\", got {}",
                    read::describe(v.get_ref())
                ),
            );
        }
        parsed.unwrap_or(Some(0))
    });
    let process = reader
        .required(table, span.clone(), &path, "process")
        .and_then(|v| reader.dist(v, &join(&path, "process")));
    let mut by_product = Vec::new();
    if let Some(v) = table.get("process_by_product") {
        let by_path = join(&path, "process_by_product");
        if let Some(t) = reader.table(v, &by_path) {
            for (key, dist) in t.iter() {
                let dist_path = join(&by_path, key.get_ref());
                by_product.push((key, dist_path.clone(), reader.dist(dist, &dist_path)));
            }
        }
    }
    let mut failures_ok = true;
    let failures = table.get("failures").and_then(|v| {
        let result = read_failures(reader, v, &join(&path, "failures"));
        failures_ok = result.is_some();
        result
    });
    let scrap = match table.get("scrap") {
        Some(v) => reader.probability(v, &join(&path, "scrap")),
        None => Some(0.0),
    };
    let mut scrap_by_product = Vec::new();
    if let Some(v) = table.get("scrap_by_product") {
        let by_path = join(&path, "scrap_by_product");
        if let Some(t) = reader.table(v, &by_path) {
            for (key, p) in t.iter() {
                let p_path = join(&by_path, key.get_ref());
                scrap_by_product.push((key, p_path.clone(), reader.probability(p, &p_path)));
            }
        }
    }
    let rework = table.get("rework").and_then(|v| {
        let rework_path = join(&path, "rework");
        let t = reader.table(v, &rework_path)?;
        reader.check_keys(t, &rework_path, &["prob", "to"]);
        let prob_value = reader.required(t, v.span(), &rework_path, "prob");
        let prob = prob_value.and_then(|p| reader.probability(p, &join(&rework_path, "prob")));
        let to_value = reader.required(t, v.span(), &rework_path, "to");
        let to = to_value.and_then(|p| reader.name(p, &join(&rework_path, "to")));
        Some((prob?, to?, prob_value?.span(), to_value?.span()))
    });
    let rework_ok = table.get("rework").is_none() || rework.is_some();
    let mut extras_ok = true;
    let batch = table.get("batch").and_then(|v| {
        let result = read_batch(reader, v, &join(&path, "batch"));
        extras_ok &= result.is_some();
        result.map(|b| (b, v.span()))
    });
    let setup = table.get("setup").and_then(|v| {
        let result = read_setup(reader, v, &join(&path, "setup"));
        extras_ok &= result.is_some();
        result
    });
    let operators = table.get("operators").and_then(|v| {
        let result = read_operators(reader, v, &join(&path, "operators"));
        extras_ok &= result.is_some();
        result
    });
    let transfer = table.get("transfer").and_then(|v| {
        let result = reader.dist(v, &join(&path, "transfer"));
        extras_ok &= result.is_some();
        result
    });
    let energy = table.get("energy").and_then(|v| {
        let result = read_energy(reader, v, &join(&path, "energy"));
        extras_ok &= result.is_some();
        result
    });
    Some(RawStation {
        path,
        span,
        name,
        machines,
        buffer,
        buffer_ok,
        process,
        by_product,
        failures,
        failures_ok,
        scrap,
        scrap_by_product,
        rework,
        rework_ok,
        batch,
        setup,
        operators,
        transfer,
        energy,
        extras_ok,
    })
}

/// A non-negative number (kW, kg/kWh, price).
fn non_negative(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<f64> {
    let x = reader.number(value, path)?;
    if x < 0.0 {
        reader.error(
            value.span(),
            path,
            format!("expected a number >= 0, got {x}"),
        );
        return None;
    }
    Some(x)
}

fn read_batch(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Batch> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, &["size", "min", "max_wait"]);
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
    Some(Batch {
        size,
        min,
        max_wait_min,
    })
}

fn read_setup(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Setup> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, &["time", "on", "every"]);
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
            let hint = did_you_mean(other, ["product_change", "every"]);
            reader.error(
                table["on"].span(),
                &join(path, "on"),
                format!("expected \"product_change\" or \"every\", got \"{other}\"{hint}"),
            );
            None
        }
        None => None,
    };
    Some(Setup {
        time: time?,
        rule: rule?,
    })
}

fn read_operators(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
) -> Option<(String, u32, Range<usize>)> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, &["pool", "count"]);
    let pool_value = reader.required(table, value.span(), path, "pool");
    let pool = pool_value.and_then(|v| reader.name(v, &join(path, "pool")));
    let count = match table.get("count") {
        Some(v) => reader
            .integer_in(v, &join(path, "count"), 0, 1_000_000)
            .map(|c| c as u32),
        None => Some(1),
    };
    Some((pool?, count?, pool_value?.span()))
}

fn read_energy(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Energy> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, &["busy_kw", "idle_kw", "down_kw", "setup_kw"]);
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

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Days of a shift: "mon-fri", "sat", "mon,wed,fri", "fri-mon", "daily".
fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    let day = |name: &str| -> Result<usize, String> {
        let name = name.trim().to_ascii_lowercase();
        DAY_NAMES.iter().position(|d| *d == name).ok_or_else(|| {
            let hint = did_you_mean(&name, DAY_NAMES);
            format!("unknown day \"{name}\"{hint}; expected mon, tue, wed, thu, fri, sat, sun")
        })
    };
    if matches!(text.trim(), "daily" | "all") {
        return Ok([true; 7]);
    }
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                let mut d = from;
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day(part)?] = true,
        }
    }
    Ok(days)
}

/// "HH:MM" from 00:00 to 24:00, in minutes.
fn parse_clock(text: &str) -> Result<f64, String> {
    let error = || format!("expected a time of day \"HH:MM\" from 00:00 to 24:00, got \"{text}\"");
    let (h, m) = text.trim().split_once(':').ok_or_else(error)?;
    let (h, m): (u32, u32) = (
        h.parse().map_err(|_| error())?,
        m.parse().map_err(|_| error())?,
    );
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(error());
    }
    Ok(f64::from(h * 60 + m))
}

fn read_pool(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Pool> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, &["name", "size", "shifts", "description"]);
    let name = reader
        .required(table, value.span(), path, "name")
        .and_then(|v| reader.name(v, &join(path, "name")));
    let size = reader
        .required(table, value.span(), path, "size")
        .and_then(|v| reader.integer_in(v, &join(path, "size"), 1, 1_000_000))
        .map(|s| s as u32);
    let mut shifts = None;
    let mut shifts_ok = true;
    if let Some(v) = table.get("shifts") {
        let shifts_path = join(path, "shifts");
        let mut windows = Vec::new();
        match reader.array(v, &shifts_path) {
            None => shifts_ok = false,
            Some(array) => {
                if array.is_empty() {
                    reader.error(v.span(), &shifts_path, "a pool needs at least one shift (leave shifts out for a pool that always works)");
                    shifts_ok = false;
                }
                for (i, shift) in array.iter().enumerate() {
                    let shift_path = index(&shifts_path, i);
                    match read_shift(reader, shift, &shift_path) {
                        Some(w) => windows.extend(w),
                        None => shifts_ok = false,
                    }
                }
            }
        }
        shifts = Some(merge_windows(windows));
    }
    if !shifts_ok {
        return None;
    }
    Some(Pool {
        name: name?,
        size: size?,
        shifts,
    })
}

/// The weekly windows of one shift entry.
fn read_shift(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Vec<(f64, f64)>> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, &["days", "start", "end"]);
    let mut field = |key: &str, parse: fn(&str) -> Result<f64, String>| -> Option<f64> {
        let v = reader.required(table, value.span(), path, key)?;
        let text = reader.string(v, &join(path, key))?;
        parse(&text)
            .map_err(|e| reader.error(v.span(), &join(path, key), e))
            .ok()
    };
    let start = field("start", parse_clock);
    let end = field("end", parse_clock);
    let days_value = reader.required(table, value.span(), path, "days");
    let days = days_value.and_then(|v| {
        let text = reader.string(v, &join(path, "days"))?;
        parse_days(&text)
            .map_err(|e| reader.error(v.span(), &join(path, "days"), e))
            .ok()
    });
    let (start, mut end, days) = (start?, end?, days?);
    if end == start {
        reader.error(
            value.span(),
            path,
            "a shift must not start and end at the same time",
        );
        return None;
    }
    if end < start {
        end += 1440.0; // across midnight
    }
    let mut windows = Vec::new();
    for (day, &on) in days.iter().enumerate() {
        if on {
            let (s, e) = (day as f64 * 1440.0 + start, day as f64 * 1440.0 + end);
            if e > WEEK_MIN {
                windows.push((s, WEEK_MIN));
                windows.push((0.0, e - WEEK_MIN));
            } else {
                windows.push((s, e));
            }
        }
    }
    Some(windows)
}

/// Sorts windows and merges overlapping or touching ones.
fn merge_windows(mut windows: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (start, end) in windows {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn read_failures(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Failures> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, &["ttf", "ttr", "basis"]);
    let ttf = reader
        .required(table, value.span(), path, "ttf")
        .and_then(|v| reader.dist(v, &join(path, "ttf")));
    let ttr = reader
        .required(table, value.span(), path, "ttr")
        .and_then(|v| reader.dist(v, &join(path, "ttr")));
    let basis = match table.get("basis") {
        None => Some(FailureBasis::Operating),
        Some(v) => match reader.string(v, &join(path, "basis")).as_deref() {
            Some("operating") => Some(FailureBasis::Operating),
            Some("calendar") => Some(FailureBasis::Calendar),
            Some(other) => {
                let hint = did_you_mean(other, ["operating", "calendar"]);
                reader.error(
                    v.span(),
                    &join(path, "basis"),
                    format!("expected \"operating\" or \"calendar\", got \"{other}\"{hint}"),
                );
                None
            }
            None => None,
        },
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
    Some(Failures { ttf, ttr, basis })
}

/// Builds the model of one variant from its (merged) tree.
fn build_model(reader: &mut Reader<'_>, root: &Table<'_>, variant: &str) -> Option<Model> {
    let errors_before = reader.diagnostics.count();
    let source = read_source(reader, root);

    let mut raw_stations = Vec::new();
    match root.get("stations") {
        None => reader.error(
            0..0,
            "stations",
            "missing required [[stations]]: a line needs at least one station",
        ),
        Some(value) => {
            if let Some(array) = reader.array(value, "stations") {
                if array.is_empty() {
                    reader.error(
                        value.span(),
                        "stations",
                        "a line needs at least one station",
                    );
                }
                for (i, station) in array.iter().enumerate() {
                    if let Some(raw) = read_station(reader, station, index("stations", i)) {
                        raw_stations.push(raw);
                    }
                }
            }
        }
    }
    let station_names: Vec<String> = raw_stations
        .iter()
        .map(|s| s.name.clone().unwrap_or_default())
        .collect();
    for (i, raw) in raw_stations.iter().enumerate() {
        if let Some(name) = &raw.name {
            if station_names[..i].contains(name) {
                reader.error(
                    raw.span.clone(),
                    &join(&raw.path, "name"),
                    format!("duplicate station name \"{name}\""),
                );
            }
        }
    }

    let mut products = Vec::new();
    match root.get("products") {
        None => reader.error(
            0..0,
            "products",
            "missing required [[products]]: a line needs at least one product",
        ),
        Some(value) => {
            if let Some(array) = reader.array(value, "products") {
                if array.is_empty() {
                    reader.error(
                        value.span(),
                        "products",
                        "a line needs at least one product",
                    );
                }
                for (i, product) in array.iter().enumerate() {
                    let path = index("products", i);
                    if let Some(p) = read_product(reader, product, &path, &station_names) {
                        if products.iter().any(|q: &Product| q.name == p.name) {
                            reader.error(
                                product.span(),
                                &join(&path, "name"),
                                format!("duplicate product name \"{}\"", p.name),
                            );
                        }
                        products.push(p);
                    }
                }
            }
        }
    }
    let product_names: Vec<String> = products.iter().map(|p| p.name.clone()).collect();

    let mut pools: Vec<Pool> = Vec::new();
    let mut pools_ok = true;
    if let Some(value) = root.get("pools") {
        if let Some(array) = reader.array(value, "pools") {
            for (i, pool) in array.iter().enumerate() {
                let path = index("pools", i);
                match read_pool(reader, pool, &path) {
                    Some(p) => {
                        if pools.iter().any(|q| q.name == p.name) {
                            reader.error(
                                pool.span(),
                                &join(&path, "name"),
                                format!("duplicate pool name \"{}\"", p.name),
                            );
                        }
                        pools.push(p);
                    }
                    None => pools_ok = false,
                }
            }
        }
    }

    let mut stations = Vec::with_capacity(raw_stations.len());
    for (station_idx, raw) in raw_stations.iter().enumerate() {
        let names = Names {
            stations: &station_names,
            products: &product_names,
            pools: &pools,
            pools_ok,
        };
        let Some(station) = resolve_station(reader, raw, station_idx, &mut products, &names) else {
            continue;
        };
        stations.push(station);
    }
    let (co2_kg_per_kwh, price_per_kwh) = read_energy_factors(reader, root);
    if reader.diagnostics.count() > errors_before {
        return None;
    }
    Some(Model {
        name: String::new(),
        variant: variant.to_owned(),
        warmup_min: 0.0,
        horizon_min: 0.0,
        replications: 0,
        seed: 0,
        source: source?,
        products,
        stations,
        pools,
        co2_kg_per_kwh,
        price_per_kwh,
    })
}

fn read_energy_factors(reader: &mut Reader<'_>, root: &Table<'_>) -> (Option<f64>, Option<f64>) {
    let Some(value) = root.get("energy") else {
        return (None, None);
    };
    let Some(table) = reader.table(value, "energy") else {
        return (None, None);
    };
    reader.check_keys(table, "energy", &["co2_kg_per_kwh", "price_per_kwh"]);
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
    reader.check_keys(table, path, &["name", "mix", "route", "description"]);
    let name = reader
        .required(table, value.span(), path, "name")
        .and_then(|v| reader.name(v, &join(path, "name")));
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
    let route_path = join(path, "route");
    let route_value = reader.required(table, value.span(), path, "route");
    let mut route = Vec::new();
    let mut route_ok = route_value.is_some();
    if let Some(array) = route_value.and_then(|v| reader.array(v, &route_path)) {
        if array.is_empty() {
            reader.error(
                route_value.unwrap().span(),
                &route_path,
                "a route needs at least one station",
            );
            route_ok = false;
        }
        if array.len() > usize::from(u16::MAX) {
            reader.error(
                route_value.unwrap().span(),
                &route_path,
                "a route may have at most 65535 steps",
            );
            route_ok = false;
        }
        for (i, step) in array.iter().enumerate() {
            let step_path = index(&route_path, i);
            match reader.string(step, &step_path) {
                Some(station) => match station_names.iter().position(|s| *s == station) {
                    Some(idx) => route.push(idx),
                    None => {
                        route_ok = false;
                        let hint = did_you_mean(&station, station_names.iter().map(String::as_str));
                        reader.error(
                            step.span(),
                            &step_path,
                            format!("unknown station \"{station}\"{hint}"),
                        );
                    }
                },
                None => route_ok = false,
            }
        }
    } else {
        route_ok = false;
    }
    if !route_ok {
        return None;
    }
    let rework_target = vec![None; route.len()];
    Some(Product {
        name: name?,
        mix: mix?,
        route,
        rework_target,
    })
}

/// What a station's references resolve against.
struct Names<'a> {
    stations: &'a [String],
    products: &'a [String],
    pools: &'a [Pool],
    /// False when a pool had errors (unknown pools are then not reported).
    pools_ok: bool,
}

fn resolve_station(
    reader: &mut Reader<'_>,
    raw: &RawStation<'_, '_>,
    station_idx: usize,
    products: &mut [Product],
    names: &Names<'_>,
) -> Option<Station> {
    let (station_names, product_names, pools, pools_ok) =
        (names.stations, names.products, names.pools, names.pools_ok);
    let name = raw.name.clone()?;
    let product_index = |reader: &mut Reader<'_>, key: &Spanned<Cow<'_, str>>, path: &str| {
        let wanted: &str = key.get_ref();
        let found = product_names.iter().position(|p| p == wanted);
        if found.is_none() {
            let hint = did_you_mean(wanted, product_names.iter().map(String::as_str));
            reader.error(
                key.span(),
                path,
                format!("unknown product \"{wanted}\"{hint}"),
            );
        }
        found
    };
    let default_process = raw.process.clone();
    let mut process: Vec<Option<Dist>> = vec![default_process; products.len()];
    let mut ok = raw.process.is_some();
    for (key, path, dist) in &raw.by_product {
        match (product_index(reader, key, path), dist) {
            (Some(p), Some(d)) => process[p] = Some(d.clone()),
            _ => ok = false,
        }
    }
    let default_scrap = raw.scrap.unwrap_or(0.0);
    let mut scrap = vec![default_scrap; products.len()];
    ok &= raw.scrap.is_some();
    for (key, path, p) in &raw.scrap_by_product {
        match (product_index(reader, key, path), p) {
            (Some(product), Some(p)) => scrap[product] = *p,
            _ => ok = false,
        }
    }
    let visits: Vec<(usize, usize)> = products
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
        .collect();
    let buffer = match raw.buffer {
        Some(b) => b,
        None => {
            if visits.iter().any(|&(_, pos)| pos > 0)
                || raw.rework.as_ref().is_some_and(|r| r.1 == name)
            {
                reader.error(
                    raw.span.clone(),
                    &join(&raw.path, "buffer"),
                    "missing required key \"buffer\" (only a station that only starts routes may leave it out)",
                );
                ok = false;
            }
            None
        }
    };
    let mut rework = None;
    if let Some((prob, to, prob_span, to_span)) = &raw.rework {
        let rework_path = join(&raw.path, "rework");
        match station_names.iter().position(|s| s == to) {
            None => {
                let hint = did_you_mean(to, station_names.iter().map(String::as_str));
                reader.error(
                    to_span.clone(),
                    &join(&rework_path, "to"),
                    format!("unknown station \"{to}\"{hint}"),
                );
                ok = false;
            }
            Some(to_idx) => {
                for &(p, pos) in &visits {
                    let product = &mut products[p];
                    match product.route[..=pos].iter().rposition(|&s| s == to_idx) {
                        Some(target) => product.rework_target[pos] = Some(target),
                        None => {
                            reader.error(
                                to_span.clone(),
                                &join(&rework_path, "to"),
                                format!(
                                    "station \"{to}\" is not on the route of product \"{}\" at or before station \"{name}\"",
                                    product.name
                                ),
                            );
                            ok = false;
                        }
                    }
                    if scrap[p] + prob > 1.0 {
                        reader.error(
                            prob_span.clone(),
                            &join(&rework_path, "prob"),
                            format!(
                                "scrap ({}) + rework ({prob}) exceed 1 for product \"{}\"",
                                scrap[p], product.name
                            ),
                        );
                        ok = false;
                    }
                }
                rework = Some(Rework {
                    prob: *prob,
                    to: to_idx,
                });
            }
        }
    }
    let mut operators = None;
    if let Some((pool, count, span)) = &raw.operators {
        let operators_path = join(&raw.path, "operators");
        match pools.iter().position(|p| p.name == *pool) {
            None if pools_ok => {
                let hint = did_you_mean(pool, pools.iter().map(|p| p.name.as_str()));
                reader.error(
                    span.clone(),
                    &join(&operators_path, "pool"),
                    format!("unknown pool \"{pool}\"{hint}"),
                );
                ok = false;
            }
            None => ok = false,
            Some(p) if *count > pools[p].size => {
                reader.error(
                    span.clone(),
                    &join(&operators_path, "count"),
                    format!(
                        "needs {count} operators but pool \"{pool}\" has only {}",
                        pools[p].size
                    ),
                );
                ok = false;
            }
            Some(_) if *count == 0 => {}
            Some(p) => {
                operators = Some(Operators {
                    pool: p,
                    count: *count,
                })
            }
        }
    }
    if let Some((batch, span)) = &raw.batch {
        let batch_path = join(&raw.path, "batch");
        if let Some(capacity) = buffer {
            if capacity < batch.min {
                reader.error(
                    span.clone(),
                    &batch_path,
                    format!(
                        "the buffer ({capacity}) must hold at least batch.min ({}) parts",
                        batch.min
                    ),
                );
                ok = false;
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
                ok = false;
            }
        }
    }
    ok &= raw.buffer_ok && raw.failures_ok && raw.rework_ok && raw.extras_ok;
    if !ok {
        return None;
    }
    Some(Station {
        name,
        machines: raw.machines?,
        buffer,
        process: process.into_iter().collect::<Option<Vec<Dist>>>()?,
        failures: raw.failures.clone(),
        scrap,
        rework,
        batch: raw.batch.as_ref().map(|(b, _)| b.clone()),
        setup: raw.setup.clone(),
        operators,
        transfer: raw.transfer.clone(),
        energy: raw.energy,
    })
}

/// A change as read, with its patch tables kept for merging.
struct ChangeSpec<'a, 'i> {
    change: Change,
    path: String,
    table: &'a Table<'i>,
}

fn read_changes<'a, 'i>(reader: &mut Reader<'_>, root: &'a Table<'i>) -> Vec<ChangeSpec<'a, 'i>> {
    let mut changes: Vec<ChangeSpec<'a, 'i>> = Vec::new();
    let Some(value) = root.get("changes") else {
        return changes;
    };
    let Some(array) = reader.array(value, "changes") else {
        return changes;
    };
    // Names a patch may address: the baseline's, and stations any change adds.
    let names_in = |v: Option<&Value<'_>>| -> Vec<String> {
        match v.map(|v| v.get_ref()) {
            Some(DeValue::Array(entries)) => entries.iter().filter_map(entry_name).collect(),
            _ => Vec::new(),
        }
    };
    let mut known_stations = names_in(root.get("stations"));
    for change in array.iter() {
        if let DeValue::Table(t) = change.get_ref() {
            known_stations.extend(names_in(t.get("new_stations")));
        }
    }
    let known_products = names_in(root.get("products"));
    let mut known_pools = names_in(root.get("pools"));
    for change in array.iter() {
        if let DeValue::Table(t) = change.get_ref() {
            known_pools.extend(names_in(t.get("new_pools")));
        }
    }
    for (i, change) in array.iter().enumerate() {
        let path = index("changes", i);
        let Some(table) = reader.table(change, &path) else {
            continue;
        };
        reader.check_keys(table, &path, &CHANGE_KEYS);
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
        for key in ["stations", "products", "pools"] {
            if let Some(v) = table.get(key) {
                let patch_path = join(&path, key);
                if let Some(t) = reader.table(v, &patch_path) {
                    for (name, patch) in t.iter() {
                        let entry_path = join(&patch_path, name.get_ref());
                        let known = match key {
                            "stations" => &known_stations,
                            "products" => &known_products,
                            _ => &known_pools,
                        };
                        if !known.iter().any(|k| k == name.get_ref().as_ref()) {
                            let hint =
                                did_you_mean(name.get_ref(), known.iter().map(String::as_str));
                            let singular = &key[..key.len() - 1];
                            reader.error(
                                name.span(),
                                &entry_path,
                                format!("unknown {singular} \"{}\"{hint}", name.get_ref()),
                            );
                        }
                        if let Some(p) = reader.table(patch, &entry_path) {
                            if let Some(n) = p.get("name") {
                                reader.error(n.span(), &join(&entry_path, "name"), "a patch cannot rename; add a new station with new_stations instead");
                            }
                        }
                    }
                }
            }
        }
        for key in ["new_stations", "new_pools"] {
            if let Some(v) = table.get(key) {
                reader.array(v, &join(&path, key));
            }
        }
        let Some(name) = name else { continue };
        if changes.iter().any(|c| c.change.name == name) {
            reader.error(
                change.span(),
                &join(&path, "name"),
                format!("duplicate change name \"{name}\""),
            );
            continue;
        }
        changes.push(ChangeSpec {
            change: Change {
                name,
                description,
                capex,
            },
            path,
            table,
        });
    }
    changes
}

struct VariantSpec {
    name: String,
    description: String,
    changes: Vec<usize>,
}

fn read_variants(
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
        let Some(table) = reader.table(variant, &path) else {
            continue;
        };
        reader.check_keys(table, &path, &["name", "description", "changes"]);
        let name = reader
            .required(table, variant.span(), &path, "name")
            .and_then(|v| reader.name(v, &join(&path, "name")));
        let description = table
            .get("description")
            .and_then(|v| reader.string(v, &join(&path, "description")))
            .unwrap_or_default();
        let changes_path = join(&path, "changes");
        let mut selected = Vec::new();
        let mut ok = true;
        match reader.required(table, variant.span(), &path, "changes") {
            None => ok = false,
            Some(v) => {
                let items: Vec<&Value<'_>> = match v.get_ref() {
                    DeValue::String(_) => vec![v],
                    DeValue::Array(a) => a.iter().collect(),
                    _ => {
                        reader.error(
                            v.span(),
                            &changes_path,
                            format!(
                                "expected an array of change names or \"all\", got {}",
                                read::describe(v.get_ref())
                            ),
                        );
                        ok = false;
                        Vec::new()
                    }
                };
                for (j, item) in items.into_iter().enumerate() {
                    let item_path = index(&changes_path, j);
                    match reader.string(item, &item_path).as_deref() {
                        Some("all") => selected.extend(0..changes.len()),
                        Some(name) => match change_names.iter().position(|c| *c == name) {
                            Some(c) => selected.push(c),
                            None => {
                                let hint = did_you_mean(name, change_names.iter().copied());
                                reader.error(
                                    item.span(),
                                    &item_path,
                                    format!("unknown change \"{name}\"{hint}"),
                                );
                                ok = false;
                            }
                        },
                        None => ok = false,
                    }
                }
            }
        }
        let Some(name) = name else { continue };
        if name == "baseline" {
            reader.error(
                table["name"].span(),
                &join(&path, "name"),
                "\"baseline\" is reserved for the line without changes",
            );
            continue;
        }
        if variants.iter().any(|v| v.name == name) {
            reader.error(
                table["name"].span(),
                &join(&path, "name"),
                format!("duplicate variant name \"{name}\""),
            );
            continue;
        }
        if ok {
            variants.push(VariantSpec {
                name,
                description,
                changes: selected,
            });
        }
    }
    variants
}

/// Merges a change's patches into a copy of the scenario tree.
fn apply_change<'i>(reader: &mut Reader<'_>, root: &mut Table<'i>, change: &ChangeSpec<'_, 'i>) {
    for (key, section) in [
        ("stations", "stations"),
        ("products", "products"),
        ("pools", "pools"),
    ] {
        let Some(patches) = change.table.get(key) else {
            continue;
        };
        let DeValue::Table(patches) = patches.get_ref() else {
            continue;
        };
        for (name, patch) in patches.iter() {
            let target: &str = name.get_ref();
            let Some(DeValue::Array(entries)) = root.get_mut(section).map(|v| v.get_mut()) else {
                continue;
            };
            let names: Vec<String> = entries.iter().filter_map(entry_name).collect();
            match entries
                .iter_mut()
                .find(|e| entry_name(e).as_deref() == Some(target))
            {
                Some(entry) => merge(entry, patch),
                None => {
                    let hint = did_you_mean(target, names.iter().map(String::as_str));
                    let singular = &section[..section.len() - 1];
                    reader.error(
                        name.span(),
                        &join(&join(&change.path, key), target),
                        format!("unknown {singular} \"{target}\"{hint}"),
                    );
                }
            }
        }
    }
    for (key, section) in [("new_stations", "stations"), ("new_pools", "pools")] {
        let Some(new) = change.table.get(key) else {
            continue;
        };
        let DeValue::Array(additions) = new.get_ref() else {
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

fn entry_name(entry: &Value<'_>) -> Option<String> {
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
