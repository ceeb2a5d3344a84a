//! `ersim matrix` output: a grid (small designs), a per-domain summary, a legend; JSON; CSV.

use std::collections::BTreeMap;

use serde_json::json;

use super::csv_line;
use crate::forward::DropReason;
use crate::matrix::{Cell, Matrix, by_domain, letter};
use crate::simulation::Simulation;

/// Grids wider than this many VNets print only the per-domain summary.
pub const GRID_MAX: usize = 40;

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Same => "-".into(),
        Cell::Delivered => "ok".into(),
        Cell::NoHost => "?".into(),
        Cell::Dropped { .. } => c.reason().map(letter).unwrap_or('?').to_string(),
    }
}

fn legend(mx: &Matrix) -> BTreeMap<DropReason, usize> {
    let mut l = BTreeMap::new();
    for i in 0..mx.len() {
        for j in 0..mx.len() {
            if let Some(r) = mx.reason(i, j) {
                *l.entry(r).or_default() += 1;
            }
        }
    }
    l
}

/// Text: grid (up to [`GRID_MAX`] VNets), legend, per-domain summary.
pub fn text(sim: &Simulation, mx: &Matrix) -> String {
    let m = &sim.model;
    let n = mx.vnets.len();
    let delivered: usize = (0..n).map(|i| (0..n).filter(|j| mx.delivered(i, *j)).count()).sum();
    let mut out = format!(
        "matrix: {n} VNets, {delivered} of {} ordered pairs delivered both ways (ok = delivered both ways; a letter = the first drop reason)\n\n",
        n * n.saturating_sub(1)
    );
    if n <= GRID_MAX {
        let names: Vec<&str> = mx.vnets.iter().map(|v| m.vnets[v.idx()].name.as_str()).collect();
        let w = names.iter().map(|s| s.len()).max().unwrap_or(0);
        let w = w.max("from \\ to".len());
        let head: String = (1..=n).map(|i| format!("{i:>4}")).collect();
        out.push_str(&format!("{:>4} {:w$}{head}\n", "", "from \\ to"));
        for (i, name) in names.iter().enumerate() {
            let cells: String = (0..n).map(|j| format!("{:>4}", cell_text(&mx.cell(i, j)))).collect();
            out.push_str(&format!("{:>4} {:w$}{cells}\n", i + 1, name));
        }
        out.push('\n');
    }
    let l = legend(mx);
    if !l.is_empty() {
        out.push_str("legend:\n");
        for (r, c) in &l {
            out.push_str(&format!("  {}  {} ({c} pair{})\n", letter(*r), r.code(), if *c == 1 { "" } else { "s" }));
        }
        out.push('\n');
    }
    out.push_str("by domain (hub whose gateways a VNet uses; - = none): delivered / pairs\n");
    for ((a, b), (d, t)) in by_domain(sim, mx) {
        out.push_str(&format!("  {a} → {b}: {d} / {t}\n"));
    }
    out
}

/// JSON: VNet names, the grid of cells, the legend, the per-domain summary.
pub fn json(sim: &Simulation, mx: &Matrix) -> String {
    let m = &sim.model;
    let names: Vec<&str> = mx.vnets.iter().map(|v| m.vnets[v.idx()].name.as_str()).collect();
    let cells: Vec<Vec<serde_json::Value>> = (0..mx.len())
        .map(|i| {
            (0..mx.len())
                .map(|j| match mx.cell(i, j) {
                    Cell::Same => json!(null),
                    Cell::Delivered => json!({"delivered": true}),
                    Cell::NoHost => json!({"delivered": false, "forward": ["NoHost"], "return": ["NoHost"]}),
                    Cell::Dropped { forward, back } => json!({
                        "delivered": false,
                        "forward": forward.iter().map(|r| r.code()).collect::<Vec<_>>(),
                        "return": back.iter().map(|r| r.code()).collect::<Vec<_>>(),
                    }),
                })
                .collect()
        })
        .collect();
    let domains: Vec<serde_json::Value> = by_domain(sim, mx)
        .into_iter()
        .map(|((a, b), (d, t))| json!({"from": a, "to": b, "delivered": d, "pairs": t}))
        .collect();
    let legend: BTreeMap<&str, usize> = legend(mx).into_iter().map(|(r, c)| (r.code(), c)).collect();
    let mut s =
        serde_json::to_string_pretty(&json!({"vnets": names, "cells": cells, "legend": legend, "domains": domains}))
            .expect("serialisable");
    s.push('\n');
    s
}

/// CSV: one line per ordered pair.
pub fn csv(sim: &Simulation, mx: &Matrix) -> String {
    let m = &sim.model;
    let mut s = csv_line(&["from", "to", "delivered", "forward", "return"].map(String::from));
    for i in 0..mx.len() {
        for j in 0..mx.len() {
            if i == j {
                continue;
            }
            let (d, f, b) = match mx.cell(i, j) {
                Cell::Delivered => ("true", String::new(), String::new()),
                Cell::Dropped { forward, back } => (
                    "false",
                    forward.iter().map(|r| r.code()).collect::<Vec<_>>().join(" "),
                    back.iter().map(|r| r.code()).collect::<Vec<_>>().join(" "),
                ),
                _ => ("false", "NoHost".to_string(), "NoHost".to_string()),
            };
            s.push_str(&csv_line(&[
                m.vnets[mx.vnets[i].idx()].name.clone(),
                m.vnets[mx.vnets[j].idx()].name.clone(),
                d.to_string(),
                f,
                b,
            ]));
        }
    }
    s
}
