//! The scenario file: TOML as written, checked and resolved into one
//! [`Model`] per variant and the [`RunSettings`] they share.
//!
//! Loading is two-staged. The file is parsed into a spanned TOML tree (every
//! key and value keeps its byte range), then walked by readers that check
//! types, ranges, names and cross-references and record a [`Diagnostic`] with
//! file, line:column and key path for every mistake, so that one run reports
//! all of them. Variants are built by merging their changes into the tree and
//! validating the result like the baseline, which means a patched value is
//! checked exactly as a written one and its errors point at the patch.
//!
//! The files of this module, one concept each:
//! - this file: the API ([`Scenario`]) and the build of a whole scenario;
//! - `line.rs`: the `[scenario]` header, the source, products and the model
//!   of one variant;
//! - `station.rs`: stations and their sections (failures, batches, ...);
//! - `pool.rs`: operator pools and their weekly shift calendars;
//! - `change.rs`: changes, variants and the merge of patches;
//! - `edit.rs`: values set at key paths (sweep points);
//! - `dist.rs`: distributions;
//! - `read.rs`: typed reads of single values; `diagnostic.rs`: messages.
//!
//! Not here: anything the engine does with the model, and any output.

mod calendar;
mod change;
mod checks;
pub use checks::overloaded;
pub mod diagnostic;
mod dist;
mod economics;
mod edit;
pub mod keys;
mod line;
mod pool;
pub mod read;
mod station;

use crate::model::{Model, RunSettings};
use change::VariantSpec;
use diagnostic::Diagnostics;
pub use diagnostic::{Diagnostic, Warning};
pub use dist::FAMILIES;
pub use edit::{Edit, EditValue};
pub use line::MAX_RUN_MIN;
use read::Reader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::de::DeTable;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read (the cause follows as the source).
    #[error("cannot read scenario file {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is no scenario text: not a regular file, too large.
    #[error("scenario file {path}: {problem}")]
    NotText { path: String, problem: String },
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

impl ScenarioError {
    /// The process exit code of this error: 2 for a scenario that is not
    /// valid, 1 for a file that cannot be read.
    pub fn exit_code(&self) -> i32 {
        match self {
            ScenarioError::Invalid(_) | ScenarioError::NotText { .. } => 2,
            ScenarioError::Io { .. } => 1,
        }
    }
}

/// The largest scenario file read.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

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
    /// Operating cost a year the change adds (maintenance contracts,
    /// licences), in the user's currency.
    pub opex_per_year: Option<f64>,
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
    /// How every variant is run: replications, seed, warm-up, horizon.
    pub run: RunSettings,
    /// The baseline first, then every variant.
    pub variants: Vec<Variant>,
    pub changes: Vec<Change>,
    /// The money figures, if the scenario gives `[economics]`.
    pub economics: Option<crate::model::economics::Economics>,
    /// Legal inputs of the file and the command line that look wrong, in
    /// the order found (see [`Scenario::warnings`]).
    input_warnings: Vec<Warning>,
    /// The text and folder the scenario was read from, for rebuilding it
    /// with edits (sweeps) or with other sets of changes (attribution).
    source: Arc<Source>,
}

/// Where a scenario came from.
#[derive(Debug, Default)]
struct Source {
    text: String,
    base_dir: PathBuf,
}

/// What to build besides the baseline: the file's own variants, or the
/// given sets of changes (attribution's subsets), named.
enum Wanted<'a> {
    FileVariants,
    ChangeSets(&'a [(String, Vec<usize>)]),
}

impl Scenario {
    /// The baseline's model.
    pub fn baseline(&self) -> &Model {
        &self.variants[0].model
    }

    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let shown = path.display().to_string();
        let text = read::read_text(path, MAX_SCENARIO_BYTES).map_err(|e| match e {
            read::TextFileError::Io(source) => ScenarioError::Io {
                path: shown.clone(),
                source,
            },
            read::TextFileError::NotUtf8 { line, column } => {
                ScenarioError::Invalid(vec![Diagnostic {
                    file: shown.clone(),
                    line,
                    column,
                    key_path: String::new(),
                    message: "not UTF-8 text (a file saved as Latin-1 or Windows-1252 must be converted to UTF-8)".to_owned(),
                    offset: 0,
                }])
            }
            other => ScenarioError::NotText {
                path: shown.clone(),
                problem: other.to_string(),
            },
        })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_text(&text, &path.display().to_string(), &base_dir)
    }

    /// Validates scenario text; `file` names it in messages, `base_dir`
    /// resolves relative paths inside it.
    pub fn from_text(text: &str, file: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
        let source = Arc::new(Source {
            text: text.to_owned(),
            base_dir: base_dir.to_path_buf(),
        });
        Self::build_from(source, file, &[], Wanted::FileVariants)
    }

    fn build_from(
        source: Arc<Source>,
        file: &str,
        edits: &[Edit],
        wanted: Wanted<'_>,
    ) -> Result<Scenario, ScenarioError> {
        let text = source.text.as_str();
        let mut reader = Reader::new(Diagnostics::new(file, text), source.base_dir.clone());
        // Edited values are parsed from their own text, which must outlive
        // the tree they are put into.
        let edit_texts: Vec<String> = edits.iter().map(|e| e.value.to_string()).collect();
        let root = match DeTable::parse(text) {
            Ok(root) => root,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let mut message = format!("invalid TOML: {}", e.message().trim());
                // The parser names no key; the file does, at the span.
                if message == "invalid TOML: duplicate key" {
                    let key = text
                        .get(span.clone())
                        .unwrap_or("")
                        .trim()
                        .trim_matches(['"', '\'']);
                    if !key.is_empty() && key.len() <= 100 && !key.contains('\n') {
                        message = format!(
                            "invalid TOML: duplicate key \"{key}\" (a key may be given once per table)"
                        );
                    }
                }
                reader.error(span, "", message);
                return Err(ScenarioError::Invalid(reader.into_diagnostics()));
            }
        };
        let mut root = root.into_inner();
        for (edit, value_text) in edits.iter().zip(&edit_texts) {
            edit::apply(&mut reader, &mut root, edit, value_text);
        }
        if reader.has_errors() {
            return Err(ScenarioError::Invalid(reader.into_diagnostics()));
        }
        let scenario = build(&mut reader, &root, file, wanted);
        match scenario {
            Some(mut scenario) if !reader.has_errors() => {
                scenario.input_warnings = reader.warnings().to_vec();
                drop(reader);
                scenario.source = source;
                Ok(scenario)
            }
            _ => Err(ScenarioError::Invalid(reader.into_diagnostics())),
        }
    }

    /// The same scenario with `edits` applied to the file before validation
    /// (run settings overridden on the command line are kept).
    pub fn with_edits(&self, edits: &[Edit]) -> Result<Scenario, ScenarioError> {
        let mut rebuilt =
            Self::build_from(self.source.clone(), &self.file, edits, Wanted::FileVariants)?;
        rebuilt.run = self.run;
        Ok(rebuilt)
    }

    /// Models of the baseline with each given set of changes applied, in
    /// their order (for attribution). The names become the variants' names.
    pub fn with_change_sets(
        &self,
        sets: &[(String, Vec<usize>)],
    ) -> Result<Vec<Model>, ScenarioError> {
        let rebuilt = Self::build_from(
            self.source.clone(),
            &self.file,
            &[],
            Wanted::ChangeSets(sets),
        )?;
        Ok(rebuilt
            .variants
            .into_iter()
            .skip(1)
            .map(|v| v.model)
            .collect())
    }

    /// Every warning: the file's and the command line's, and those of the
    /// run as now set up (a horizon too short for the slowest operation, a
    /// source faster than the line can work).
    pub fn warnings(&self) -> Vec<Warning> {
        let mut warnings = self.input_warnings.clone();
        // The same warning for several variants is given once, naming
        // them all ("in variants "baseline", "robot-cells" and ...").
        let mut grouped: Vec<(Warning, Vec<&str>)> = Vec::new();
        for variant in &self.variants {
            let named = format!("variant \"{}\"", variant.name);
            for mut w in checks::run_warnings(&variant.name, &variant.model, &self.run) {
                w.message = w.message.replacen(&named, VARIANTS_MARK, 1);
                match grouped.iter_mut().find(|(g, _)| *g == w) {
                    Some((_, names)) => names.push(&variant.name),
                    None => grouped.push((w, vec![&variant.name])),
                }
            }
        }
        for (mut w, names) in grouped {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            let list = match quoted.split_last() {
                Some((last, [])) => format!("variant {last}"),
                Some((last, rest)) => format!("variants {} and {last}", rest.join(", ")),
                None => String::new(),
            };
            w.message = w.message.replacen(VARIANTS_MARK, &list, 1);
            warnings.push(w);
        }
        let mut unique: Vec<Warning> = Vec::new();
        for w in warnings {
            if !unique.contains(&w) {
                unique.push(w);
            }
        }
        unique
    }

    /// Parses a duration given on the command line (same rules as the file).
    pub fn parse_duration(&self, text: &str) -> Result<f64, String> {
        read::parse_duration(text, self.minutes_per_unit)
    }

    /// Overrides run settings from the command line, by the rules of the
    /// file: durations as there (a bare number in the scenario's time unit,
    /// which gets a warning), within the same bounds. The error names the
    /// option.
    pub fn override_run(&mut self, overrides: &RunOverrides) -> Result<(), String> {
        let mut duration = |option: &str,
                            text: &Option<String>,
                            positive: bool|
         -> Result<Option<f64>, String> {
            let Some(text) = text else {
                return Ok(None);
            };
            let minutes = self
                .parse_duration(text)
                .map_err(|e| format!("{option}: {e}"))?;
            let minutes = read::check_duration(minutes, positive)
                .map_err(|e| format!("{option}: {e}, got \"{text}\""))?;
            if text.trim().parse::<f64>().is_ok() {
                self.input_warnings.push(Warning::general(format!(
                    "{option} {text} is read in the scenario's time unit: {minutes} min; write a unit (\"{text}h\", \"{text}d\") to be explicit"
                )));
            }
            Ok(Some(minutes))
        };
        let horizon = duration("--horizon", &overrides.horizon, true)?;
        let warmup = duration("--warmup", &overrides.warmup, false)?;
        let run = &mut self.run;
        run.horizon_min = horizon.unwrap_or(run.horizon_min);
        run.warmup_min = warmup.unwrap_or(run.warmup_min);
        if run.end_min() > line::MAX_RUN_MIN {
            return Err(format!(
                "--horizon/--warmup: warm-up plus horizon is {:.3e} minutes; at most 1e9 (about 1900 years) is simulated",
                run.end_min()
            ));
        }
        run.replications = overrides.replications.unwrap_or(run.replications);
        run.seed = overrides.seed.unwrap_or(run.seed);
        Ok(())
    }
}

/// Stands for the variants' names in a warning while the same warning of
/// several variants is merged.
const VARIANTS_MARK: &str = "variant \u{0}";

/// Run settings given on the command line; `None` keeps the file's.
#[derive(Clone, Debug, Default)]
pub struct RunOverrides {
    pub replications: Option<u32>,
    pub seed: Option<u64>,
    /// Durations as written (`"20d"`, or a number in the time unit).
    pub horizon: Option<String>,
    pub warmup: Option<String>,
}

/// Builds the baseline and every wanted variant from the parsed tree.
fn build(
    reader: &mut Reader<'_>,
    root: &read::Table<'_>,
    file: &str,
    wanted: Wanted<'_>,
) -> Option<Scenario> {
    reader.check_keys(root, "", keys::TOP);
    let header = line::read_header(reader, root);
    let baseline = line::build_model(reader, root, "baseline");
    let changes = change::read_changes(reader, root);
    let mut specs = change::read_variants(reader, root, &changes);
    let file_variants = matches!(wanted, Wanted::FileVariants);
    if let Wanted::ChangeSets(sets) = wanted {
        specs = sets
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
    if file_variants {
        change::check_unused(reader, root, &changes, &specs);
    }
    variants.extend(change::build_variants(reader, root, &changes, specs));
    if variants.first().is_some_and(|v| v.name == "baseline") {
        let models: Vec<&Model> = variants.iter().map(|v| &v.model).collect();
        line::warn_unused_pools(reader, root, &models);
        economics::warn_uncosted(reader, root, &models);
    }
    let product_names: Vec<String> = variants
        .first()
        .map(|v| v.model.products.iter().map(|p| p.name.clone()).collect())
        .unwrap_or_default();
    let economics = economics::read_economics(reader, root, &product_names);
    let header = header?;
    Some(Scenario {
        file: file.to_owned(),
        name: header.name,
        description: header.description,
        minutes_per_unit: reader.minutes_per_unit,
        run: header.run,
        variants,
        changes: changes.into_iter().map(|c| c.change).collect(),
        economics: economics?,
        input_warnings: Vec::new(),
        source: Arc::default(),
    })
}
