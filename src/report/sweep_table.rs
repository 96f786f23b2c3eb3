//! The terminal table of a sweep.

use crate::sweep::Sweep;

fn point_label(result: &Sweep, index: usize) -> String {
    result
        .params
        .iter()
        .zip(&result.points[index].values)
        .map(|(p, v)| format!("{p} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sweep's table: a line per point, the best point and the knee marked.
pub fn text(result: &Sweep) -> String {
    let mut out = format!(
        "sweep of {} in variant {}\n",
        result.params.join(" x "),
        result.variant
    );
    for (i, p) in result.points.iter().enumerate() {
        let t = &p.throughput_per_h;
        let half = t
            .half_width()
            .map_or(String::new(), |h| format!(" ± {h:.2}"));
        let mark = match (i == result.best, i == result.knee) {
            (true, true) => "  <- best, knee",
            (true, false) => "  <- best",
            (false, true) => "  <- knee (within 1 % of the best)",
            _ => "",
        };
        out += &format!(
            "  {:<40} {:>9.2}{half} good parts/h  WIP {:.1}  bottleneck {}{mark}\n",
            point_label(result, i),
            t.mean,
            p.wip_mean,
            p.bottleneck
        );
    }
    out += &format!(
        "best: {} ({:.2}/h); knee: {} ({:.2}/h)\n",
        point_label(result, result.best),
        result.points[result.best].throughput_per_h.mean,
        point_label(result, result.knee),
        result.points[result.knee].throughput_per_h.mean
    );
    out
}
