//! `ersim matrix` output: a summary per domain, the classes of pairs (rectangles of one verdict),
//! a grid for small selections; JSON and CSV of the classes; every pair streamed (`--pairs`) as
//! CSV or JSON Lines. Everything is written as it is produced: nothing grows with the number of
//! pairs.

use std::io::{self, Write};

use serde_json::json;

use super::csv_line;
use crate::matrix::{Block, Cell, Matrix, letter};
use crate::simulation::Simulation;

/// Grids wider than this many nodes are left out of the text.
pub const GRID_MAX: usize = 40;

/// How `--pairs` prints each pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairsFormat {
    /// `from → to: verdict`.
    Text,
    /// `from,to,delivered,forward,return`.
    Csv,
    /// One JSON object per line with the same keys.
    JsonLines,
}

/// `12345678` as `12,345,678`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Same => "-".into(),
        Cell::Delivered => "ok".into(),
        Cell::NoHost => "?".into(),
        Cell::Dropped { .. } => c.reason().map(letter).unwrap_or('?').to_string(),
    }
}

fn codes(rs: &[crate::forward::DropReason]) -> Vec<&'static str> {
    rs.iter().map(|r| r.code()).collect()
}

/// (delivered, forward reasons, return reasons) of a cell, as the CSV and JSON print them.
fn fields(c: &Cell) -> (bool, Vec<&'static str>, Vec<&'static str>) {
    match c {
        Cell::Delivered => (true, Vec::new(), Vec::new()),
        Cell::Dropped { forward, back } => (false, codes(forward), codes(back)),
        _ => (false, vec!["NoHost"], vec!["NoHost"]),
    }
}

/// A short name for a set of nodes: up to three names, else the count, the first and last, and
/// the domain when they share one.
fn label(sim: &Simulation, mx: &Matrix, xs: &[u32]) -> String {
    let name = |x: &u32| mx.names[*x as usize].as_str();
    if xs.len() <= 3 {
        return xs.iter().map(name).collect::<Vec<_>>().join(", ");
    }
    let d = mx.nodes[xs[0] as usize].domain(&sim.model);
    let one_domain = d != "-" && xs.iter().all(|x| mx.nodes[*x as usize].domain(&sim.model) == d);
    let domain = if one_domain { format!(", domain {d}") } else { String::new() };
    let kind = if xs.iter().all(|x| matches!(mx.nodes[*x as usize], crate::matrix::Node::Vnet(_))) {
        "VNets"
    } else {
        "VNets and routers"
    };
    format!("{} {kind} ({} … {}{domain})", count(xs.len() as u64), name(&xs[0]), name(&xs[xs.len() - 1]))
}

/// A cell in words: `delivered both ways`, `dropped: forward NextHopNone; return NoRoute`, ….
pub(crate) fn verdict(c: &Cell) -> String {
    match c {
        Cell::Delivered => "delivered both ways".into(),
        Cell::NoHost => "no host to start from, or different address families".into(),
        Cell::Same => "itself".into(),
        Cell::Dropped { forward, back } => {
            let mut parts = Vec::new();
            if !forward.is_empty() {
                parts.push(format!("forward {}", codes(forward).join(" ")));
            }
            if !back.is_empty() {
                parts.push(format!("return {}", codes(back).join(" ")));
            }
            format!("dropped: {}", parts.join("; "))
        }
    }
}

fn block_line(sim: &Simulation, mx: &Matrix, b: &Block) -> String {
    let plural = if b.pairs == 1 { "" } else { "s" };
    let arrow = if b.from == b.to {
        format!("{} ↔ each other", label(sim, mx, &b.from))
    } else {
        format!("{} → {}", label(sim, mx, &b.from), label(sim, mx, &b.to))
    };
    format!("  {arrow}: {} ({} pair{plural})\n", verdict(&b.cell), count(b.pairs))
}

/// Text: totals, a grid (up to [`GRID_MAX`] nodes a side), the legend, the per-domain summary,
/// and every class of pairs.
pub fn write_text(sim: &Simulation, mx: &Matrix, w: &mut dyn Write) -> io::Result<()> {
    let t = mx.totals(&sim.model);
    let routers = mx.nodes.iter().filter(|x| matches!(x, crate::matrix::Node::Onprem(_))).count() as u64;
    let what = match routers {
        0 => format!("{} VNets", count(mx.len() as u64 - routers)),
        1 => format!("{} VNets and 1 on-premises router", count(mx.len() as u64 - routers)),
        r => format!("{} VNets and {} on-premises routers", count(mx.len() as u64 - r), count(r)),
    };
    writeln!(
        w,
        "matrix: {what}, {} of {} ordered pairs delivered both ways; {} source classes, {} classes of pairs\n",
        count(t.delivered),
        count(t.pairs),
        count(mx.classes() as u64),
        count(t.blocks)
    )?;
    if mx.from.len() <= GRID_MAX && mx.to.len() <= GRID_MAX && !mx.is_empty() {
        writeln!(w, "grid (ok = delivered both ways; a letter = the first drop reason):")?;
        let names: Vec<&str> = mx.from.iter().map(|i| mx.names[*i as usize].as_str()).collect();
        let width = names.iter().map(|s| s.len()).max().unwrap_or(0).max("from \\ to".len());
        let head: String = (1..=mx.to.len()).map(|i| format!("{i:>4}")).collect();
        writeln!(w, "{:>4} {:width$}{head}", "", "from \\ to")?;
        for (k, a) in mx.from.iter().enumerate() {
            let cells: String =
                mx.to.iter().map(|b| format!("{:>4}", cell_text(&mx.cell(*a as usize, *b as usize)))).collect();
            writeln!(w, "{:>4} {:width$}{cells}", k + 1, names[k])?;
        }
        if mx.from != mx.to {
            let to: Vec<String> =
                mx.to.iter().enumerate().map(|(k, b)| format!("{}={}", k + 1, mx.names[*b as usize])).collect();
            writeln!(w, "columns: {}", to.join(", "))?;
        }
        writeln!(w)?;
    }
    if !t.legend.is_empty() {
        writeln!(w, "legend (first drop reason):")?;
        for (r, c) in &t.legend {
            writeln!(w, "  {}  {} ({} pair{})", letter(*r), r.code(), count(*c), if *c == 1 { "" } else { "s" })?;
        }
        writeln!(w)?;
    }
    writeln!(w, "by domain (hub whose gateways a VNet uses; - = none): delivered / pairs")?;
    for ((a, b), (d, p)) in &t.domains {
        writeln!(w, "  {a} → {b}: {} / {}", count(*d), count(*p))?;
    }
    writeln!(w, "\nclasses of pairs (every pair of a line has its verdict; --pairs lists them one by one):")?;
    let mut res = Ok(());
    mx.for_each_block(|b| {
        if res.is_ok() {
            res = w.write_all(block_line(sim, mx, &b).as_bytes());
        }
    });
    res
}

/// JSON: `{"vnets": N, "pairs", "delivered", "classes": [{"from", "to", "pairs", "delivered",
/// "forward", "return"}], "domains": [{"from", "to", "delivered", "pairs"}], "legend": {reason:
/// pairs}}`, written class by class; with elements down (`--down`), a `down` key first.
pub fn write_json(sim: &Simulation, mx: &Matrix, down: &[String], w: &mut dyn Write) -> io::Result<()> {
    let t = mx.totals(&sim.model);
    writeln!(w, "{{")?;
    if !down.is_empty() {
        writeln!(w, "  \"down\": {},", serde_json::to_string(down).expect("serialisable"))?;
    }
    write!(
        w,
        "  \"vnets\": {},\n  \"pairs\": {},\n  \"delivered\": {},\n  \"classes\": [",
        mx.len(),
        t.pairs,
        t.delivered
    )?;
    let names = |xs: &[u32]| xs.iter().map(|x| mx.names[*x as usize].as_str()).collect::<Vec<_>>();
    let mut first = true;
    let mut res = Ok(());
    mx.for_each_block(|b| {
        if res.is_err() {
            return;
        }
        let (delivered, f, r) = fields(&b.cell);
        let v = json!({"from": names(&b.from), "to": names(&b.to), "pairs": b.pairs, "delivered": delivered, "forward": f, "return": r});
        let sep = if first { "\n    " } else { ",\n    " };
        first = false;
        res = write!(w, "{sep}{v}");
    });
    res?;
    let domains: Vec<serde_json::Value> =
        t.domains.iter().map(|((a, b), (d, p))| json!({"from": a, "to": b, "delivered": d, "pairs": p})).collect();
    let legend: serde_json::Map<String, serde_json::Value> =
        t.legend.iter().map(|(r, c)| (r.code().to_string(), json!(c))).collect();
    writeln!(
        w,
        "\n  ],\n  \"domains\": {},\n  \"legend\": {}\n}}",
        serde_json::to_string(&domains).expect("serialisable"),
        serde_json::to_string(&legend).expect("serialisable")
    )
}

/// CSV: one line per class of pairs, `from,to,pairs,delivered,forward,return` (names
/// space-separated).
pub fn write_csv(mx: &Matrix, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(csv_line(&["from", "to", "pairs", "delivered", "forward", "return"].map(String::from)).as_bytes())?;
    let names = |xs: &[u32]| xs.iter().map(|x| mx.names[*x as usize].as_str()).collect::<Vec<_>>().join(" ");
    let mut res = Ok(());
    mx.for_each_block(|b| {
        if res.is_ok() {
            let (d, f, r) = fields(&b.cell);
            let line =
                csv_line(&[names(&b.from), names(&b.to), b.pairs.to_string(), d.to_string(), f.join(" "), r.join(" ")]);
            res = w.write_all(line.as_bytes());
        }
    });
    res
}

/// Every ordered pair, as it is produced: text `from → to: verdict`, CSV `from,to,delivered,forward,return` (every drop
/// reason of that direction, space-separated) or JSON Lines with the same keys.
pub fn write_pairs(mx: &Matrix, format: PairsFormat, w: &mut dyn Write) -> io::Result<()> {
    if format == PairsFormat::Csv {
        w.write_all(csv_line(&["from", "to", "delivered", "forward", "return"].map(String::from)).as_bytes())?;
    }
    for &a in &mx.from {
        for &b in &mx.to {
            if a == b {
                continue;
            }
            let cell = mx.cell(a as usize, b as usize);
            let (d, f, r) = fields(&cell);
            let (an, bn) = (&mx.names[a as usize], &mx.names[b as usize]);
            match format {
                PairsFormat::Text => writeln!(w, "{an} → {bn}: {}", verdict(&cell))?,
                PairsFormat::Csv => {
                    let line = csv_line(&[an.clone(), bn.clone(), d.to_string(), f.join(" "), r.join(" ")]);
                    w.write_all(line.as_bytes())?;
                }
                PairsFormat::JsonLines => {
                    let v = json!({"from": an, "to": bn, "delivered": d, "forward": f, "return": r});
                    writeln!(w, "{v}")?;
                }
            }
        }
    }
    Ok(())
}

fn to_string(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> String {
    let mut buf = Vec::new();
    f(&mut buf).expect("writing to memory");
    String::from_utf8(buf).expect("UTF-8")
}

/// [`write_text`] into a string.
pub fn text(sim: &Simulation, mx: &Matrix) -> String {
    to_string(|w| write_text(sim, mx, w))
}

/// [`write_json`] into a string.
pub fn json(sim: &Simulation, mx: &Matrix) -> String {
    to_string(|w| write_json(sim, mx, &[], w))
}

/// [`write_csv`] into a string.
pub fn csv(mx: &Matrix) -> String {
    to_string(|w| write_csv(mx, w))
}

/// [`write_pairs`] into a string.
pub fn pairs(mx: &Matrix, format: PairsFormat) -> String {
    to_string(|w| write_pairs(mx, format, w))
}
