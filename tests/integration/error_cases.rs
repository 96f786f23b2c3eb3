//! Hand-built bad inputs and the messages they must produce. Shared by the
//! test suite and `cargo run --example errors`, which writes docs/ERRORS.md.

/// A valid scenario the cases break one way each.
pub const GOOD: &str = r#"[scenario]
name = "e"
horizon = "8h"

[[products]]
name = "p"
route = ["A", "B"]

[[stations]]
name = "A"
process = 1.0

[[stations]]
name = "B"
buffer = 2
process = { dist = "exponential", mean = 1.0 }
"#;

/// A bad input: what it is, the file text, and what the message must say.
pub struct Case {
    pub title: &'static str,
    pub text: String,
    pub expected: Vec<&'static str>,
}

fn replace(title: &'static str, from: &str, to: &str, expected: &[&'static str]) -> Case {
    assert!(GOOD.contains(from), "fixture lacks {from:?}");
    Case {
        title,
        text: GOOD.replacen(from, to, 1),
        expected: expected.to_vec(),
    }
}

fn append(title: &'static str, extra: &str, expected: &[&'static str]) -> Case {
    Case {
        title,
        text: format!("{GOOD}{extra}"),
        expected: expected.to_vec(),
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { title: "not TOML at all", text: "[scenario\nname = 1".into(), expected: vec!["test.toml:1:", "invalid TOML"] },
        Case { title: "empty file", text: String::new(), expected: vec!["missing required section [scenario]"] },
        replace("key given twice", "buffer = 2", "buffer = 2\nbuffer = 3", &["test.toml:16:1: invalid TOML: duplicate key \"buffer\" (a key may be given once per table)"]),
        replace("misspelt key", "buffer = 2", "bufer = 2", &["test.toml:15:1: stations[1].bufer: unknown key \"bufer\" (did you mean \"buffer\"?)"]),
        replace("unknown top-level section", "[[products]]", "[[product]]", &["product: unknown key \"product\" (did you mean \"products\"?)"]),
        replace("missing scenario name", "name = \"e\"\n", "", &["scenario.name: missing required key \"name\""]),
        replace("scenario name with a space", "name = \"e\"", "name = \"my line\"", &["scenario.name: expected a name of ASCII letters (a-z, A-Z), digits"]),
        replace("bad time unit", "horizon = \"8h\"", "horizon = \"8h\"\ntime_unit = \"sec\"", &["scenario.time_unit: expected \"s\", \"min\" or \"h\", got \"sec\""]),
        replace("horizon zero", "horizon = \"8h\"", "horizon = 0", &["scenario.horizon: expected a positive duration, got 0"]),
        replace("horizon unit unknown", "horizon = \"8h\"", "horizon = \"8 hours\"", &["scenario.horizon: unknown time unit \"hours\""]),
        replace("negative warm-up", "horizon = \"8h\"", "horizon = \"8h\"\nwarmup = -1", &["scenario.warmup: expected a duration >= 0, got -1"]),
        replace("zero replications", "horizon = \"8h\"", "horizon = \"8h\"\nreplications = 0", &["scenario.replications: expected an integer from 1 to 1000000, got 0"]),
        replace("negative seed", "horizon = \"8h\"", "horizon = \"8h\"\nseed = -4", &["scenario.seed: expected an integer from 0"]),
        replace("missing horizon", "horizon = \"8h\"\n", "", &["scenario.horizon: missing required key \"horizon\""]),
        replace("unknown source mode", "[[products]]", "[source]\nmode = \"poisson\"\n\n[[products]]", &["source.mode: expected \"unlimited\" or \"interarrival\", got \"poisson\""]),
        replace("interarrival mode without a distribution", "[[products]]", "[source]\nmode = \"interarrival\"\n\n[[products]]", &["source.interarrival: missing required key \"interarrival\""]),
        replace("interarrival time with the unlimited source", "[[products]]", "[source]\ninterarrival = 2\n\n[[products]]", &["source.interarrival: an interarrival distribution needs mode = \"interarrival\""]),
        replace("empty route", "route = [\"A\", \"B\"]", "route = []", &["products[0].route: a route needs at least one station"]),
        replace("unknown station in a route", "route = [\"A\", \"B\"]", "route = [\"A\", \"b\"]", &["test.toml:7:15: products[0].route[1]: unknown station \"b\" (did you mean \"B\"?)"]),
        replace("mix not positive", "name = \"p\"", "name = \"p\"\nmix = 0", &["products[0].mix: expected a positive mix share, got 0"]),
        replace("duplicate product", "[[stations]]\nname = \"A\"", "[[products]]\nname = \"p\"\nroute = [\"A\"]\n\n[[stations]]\nname = \"A\"", &["products[1].name: duplicate product name \"p\""]),
        replace("duplicate station", "name = \"B\"", "name = \"A\"", &["stations[1].name: duplicate station name \"A\""]),
        replace("negative buffer", "buffer = 2", "buffer = -3", &["test.toml:15:10: stations[1].buffer: expected an integer >= 0 or \"inf\", got -3"]),
        replace("buffer as a word", "buffer = 2", "buffer = \"infinite\"", &["stations[1].buffer: expected an integer >= 0 or \"inf\", got the string \"infinite\""]),
        replace("missing buffer inside the line", "buffer = 2\n", "", &["stations[1].buffer: missing required key \"buffer\""]),
        replace("zero machines", "name = \"B\"", "name = \"B\"\nmachines = 0", &["stations[1].machines: expected an integer from 1 to 100000, got 0"]),
        replace("missing process", "process = 1.0\n", "", &["stations[0].process: missing required key \"process\""]),
        replace("unknown distribution", "dist = \"exponential\"", "dist = \"exponental\"", &["unknown distribution \"exponental\" (did you mean \"exponential\"?)"]),
        replace("zero mean", "mean = 1.0 }", "mean = 0 }", &["stations[1].process.mean: expected a positive duration, got 0"]),
        replace("negative mean", "mean = 1.0 }", "mean = -2 }", &["stations[1].process.mean: expected a positive duration, got -2"]),
        replace("negative cv", "dist = \"exponential\", mean = 1.0", "dist = \"lognormal\", mean = 1.0, cv = -1", &["stations[1].process.cv: expected a cv >= 0, got -1"]),
        replace("sd and cv both", "dist = \"exponential\", mean = 1.0", "dist = \"normal\", mean = 1.0, cv = 0.1, sd = 0.1", &["stations[1].process.cv: give either sd or cv, not both"]),
        replace("min above max", "dist = \"exponential\", mean = 1.0", "dist = \"uniform\", min = 3, max = 1", &["stations[1].process: min (3 min) is greater than max (1 min)"]),
        replace("triangular mode outside", "dist = \"exponential\", mean = 1.0", "dist = \"triangular\", min = 1, mode = 5, max = 3", &["stations[1].process: expected min <= mode <= max"]),
        replace("key of another distribution", "dist = \"exponential\", mean = 1.0", "dist = \"exponential\", mean = 1.0, cv = 0.2", &["stations[1].process.cv: unknown key \"cv\""]),
        replace("erlang k zero", "dist = \"exponential\", mean = 1.0", "dist = \"erlang\", k = 0, mean = 1.0", &["stations[1].process.k: expected an integer from 1 to 1000000, got 0"]),
        replace("weibull shape zero", "dist = \"exponential\", mean = 1.0", "dist = \"weibull\", shape = 0, scale = 1", &["stations[1].process.shape: expected a positive number, got 0"]),
        replace("empirical without values", "dist = \"exponential\", mean = 1.0", "dist = \"empirical\", values = []", &["stations[1].process: an empirical distribution needs at least one value"]),
        replace("empirical file missing", "dist = \"exponential\", mean = 1.0", "dist = \"empirical\", file = \"nowhere.csv\"", &["stations[1].process.file: cannot read"]),
        replace("probability above one", "process = 1.0", "process = 1.0\nscrap = 1.5", &["stations[0].scrap: expected a probability from 0 to 1, got 1.5"]),
        replace("scrap for an unknown product", "process = 1.0", "process = 1.0\nscrap_by_product = { q = 0.1 }", &["stations[0].scrap_by_product.q: unknown product \"q\""]),
        replace("scrap + rework above one", "buffer = 2\n", "buffer = 2\nscrap = 0.6\nrework = { prob = 0.5, to = \"A\" }\n", &["stations[1].rework.prob: scrap (0.6) + rework (0.5) exceed 1 for product \"p\""]),
        replace("rework to a later station", "process = 1.0", "process = 1.0\nbuffer = 1\nrework = { prob = 0.1, to = \"B\" }", &["stations[0].rework.to: station \"B\" is not on the route of product \"p\" at or before station \"A\""]),
        replace("rework to an unknown station", "buffer = 2\n", "buffer = 2\nrework = { prob = 0.1, to = \"Z\" }\n", &["stations[1].rework.to: unknown station \"Z\""]),
        replace("failure basis misspelt", "buffer = 2\n", "buffer = 2\nfailures = { ttf = 10, ttr = 1, basis = \"calender\" }\n", &["stations[1].failures.basis: expected \"operating\" or \"calendar\", got \"calender\" (did you mean \"calendar\"?)"]),
        replace("failures without repair time", "buffer = 2\n", "buffer = 2\nfailures = { ttf = 10 }\n", &["stations[1].failures.ttr: missing required key \"ttr\""]),
        replace("batch of zero", "process = 1.0", "process = 1.0\nbuffer = 4\nbatch = { size = 0 }", &["stations[0].batch.size: expected an integer from 1 to 1000000, got 0"]),
        replace("batch min above size", "process = 1.0", "process = 1.0\nbuffer = 4\nbatch = { size = 5, min = 6 }", &["stations[0].batch.min: expected an integer from 1 to 5, got 6"]),
        replace("batch buffer below min", "buffer = 2\n", "buffer = 2\nbatch = { size = 10, min = 4, max_wait = 30 }\n", &["stations[1].batch: the buffer (2) must hold at least batch.min (4) parts"]),
        replace("batch that can never gather", "buffer = 2\n", "buffer = 2\nbatch = { size = 10, min = 2 }\n", &["stations[1].batch: a full batch of 10 can never gather in a buffer of 2"]),
        replace("setup rule unknown", "process = 1.0", "process = 1.0\nsetup = { time = 5, on = \"sometimes\" }", &["stations[0].setup.on: expected \"product_change\" or \"every\", got \"sometimes\""]),
        replace("setup every without N", "process = 1.0", "process = 1.0\nsetup = { time = 5, on = \"every\" }", &["stations[0].setup.every: missing required key \"every\""]),
        replace("operators of an unknown pool", "process = 1.0", "process = 1.0\noperators = { pool = \"crew\" }", &["stations[0].operators.pool: unknown pool \"crew\""]),
        append("operators more than the pool has", "\n[[pools]]\nname = \"crew\"\nsize = 1\n", &[]),
        replace("operator task unknown", "process = 1.0", "process = 1.0\noperators = { pool = \"crew\", for = \"loading\" }", &["stations[0].operators.for: expected \"all\", \"load_unload\" or \"setup\", got \"loading\""]),
        replace("negative load time", "process = 1.0", "process = 1.0\nload = -1", &["stations[0].load: expected a duration >= 0, got -1"]),
        replace("repair crew of an unknown pool", "buffer = 2\n", "buffer = 2\nfailures = { ttf = 10, ttr = 1, repair = { pool = \"techs\" } }\n", &["stations[1].failures.repair.pool: unknown pool \"techs\""]),
        replace("maintenance without duration", "process = 1.0", "process = 1.0\nmaintenance = { every = \"8h\" }", &["stations[0].maintenance.duration: missing required key \"duration\""]),
        replace("maintenance every zero", "process = 1.0", "process = 1.0\nmaintenance = { every = 0, duration = 30 }", &["stations[0].maintenance.every: expected a positive duration, got 0"]),
        replace("lights_out not a boolean", "process = 1.0", "process = 1.0\nlights_out = \"yes\"", &["stations[0].lights_out: expected true or false"]),
        replace("calendar starting on a Tuesday", "[[products]]", "[calendar]\nstart_date = \"2027-01-05\"\n\n[[products]]", &["calendar.start_date: expected a Monday", "the Monday before is 2027-01-04"]),
        replace("holiday that is not a date", "[[products]]", "[calendar]\nstart_date = \"2027-01-04\"\nholidays = [\"2027-02-30\"]\n\n[[products]]", &["calendar.holidays[0]: expected a date \"YYYY-MM-DD\", got \"2027-02-30\": that month has 28 days"]),
        replace("closed window on an unknown day", "[[products]]", "[calendar]\nclosed = [ { days = \"sunday\" } ]\n\n[[products]]", &["calendar.closed[0].days: unknown day \"sunday\""]),
        replace("lot size zero", "[[products]]", "[source]\nlot_size = 0\n\n[[products]]", &["source.lot_size: expected an integer from 1 to 1000000000, got 0"]),
        append("initial WIP beyond the buffer", "\n[initial_wip]\nB = 4\n", &["initial_wip.B: 4 parts cannot wait at station \"B\": its buffer holds 2 and its machine one, 3 in all"]),
        append("initial WIP at an unknown station", "\n[initial_wip]\nC = 1\n", &["initial_wip.C: unknown station \"C\""]),
        replace("negative transfer time", "process = 1.0", "process = 1.0\ntransfer = -1", &["stations[0].transfer: expected a duration >= 0, got -1"]),
        replace("negative power", "process = 1.0", "process = 1.0\nenergy = { busy_kw = -5, idle_kw = 1 }", &["stations[0].energy.busy_kw: expected a number >= 0, got -5"]),
        append("pool of size zero", "\n[[pools]]\nname = \"crew\"\nsize = 0\n", &["pools[0].size: expected an integer from 1 to 1000000, got 0"]),
        append("shift on an unknown day", "\n[[pools]]\nname = \"crew\"\nsize = 2\nshifts = [ { days = \"mon-fry\", start = \"06:00\", end = \"14:00\" } ]\n", &["pools[0].shifts[0].days: unknown day \"fry\" (did you mean \"fri\"?)"]),
        append("shift time not a clock time", "\n[[pools]]\nname = \"crew\"\nsize = 2\nshifts = [ { days = \"mon\", start = \"6h\", end = \"25:00\" } ]\n", &["pools[0].shifts[0].start: expected a time of day \"HH:MM\"", "pools[0].shifts[0].end: expected a time of day"]),
        append("negative CO2 factor", "\n[energy]\nco2_kg_per_kwh = -1\n", &["energy.co2_kg_per_kwh: expected a number >= 0, got -1"]),
        append("change of an unknown station", "\n[[changes]]\nname = \"c\"\nstations.X = { machines = 2 }\n", &["changes[0].stations.X: unknown station \"X\""]),
        append("change renaming a station", "\n[[changes]]\nname = \"c\"\nstations.B = { name = \"C\" }\n", &["changes[0].stations.B.name: a patch cannot rename"]),
        append("change with a bad value", "\n[[changes]]\nname = \"c\"\nstations.B = { scrap = 2 }\n", &["changes[0].stations.B.scrap: expected a probability from 0 to 1, got 2"]),
        append("variant with an unknown change", "\n[[changes]]\nname = \"c\"\nstations.B = { buffer = 3 }\n\n[[variants]]\nname = \"v\"\nchanges = [\"d\"]\n", &["variants[0].changes[0]: unknown change \"d\""]),
        append("variant called baseline", "\n[[changes]]\nname = \"c\"\nstations.B = { buffer = 3 }\n\n[[variants]]\nname = \"baseline\"\nchanges = \"all\"\n", &["variants[0].name: \"baseline\" is reserved"]),
        append("duplicate change", "\n[[changes]]\nname = \"c\"\nstations.B = { buffer = 3 }\n\n[[changes]]\nname = \"c\"\nstations.B = { buffer = 4 }\n", &["changes[1].name: duplicate change name \"c\""]),
    ]
    .into_iter()
    .map(|mut case| {
        if case.title == "operators more than the pool has" {
            case.text = case.text.replacen("process = 1.0", "process = 1.0\noperators = { pool = \"crew\", count = 2 }", 1);
            case.expected = vec!["stations[0].operators.count: needs 2 operators but pool \"crew\" has only 1"];
        }
        case
    })
    .collect()
}
