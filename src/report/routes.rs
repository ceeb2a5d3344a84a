//! `ersim routes`: a subnet's effective routes as the portal table, az JSON, or the portal CSV.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde::Serialize;

use super::{Format, csv_line, table};
use crate::effective::explain::{Candidate, Provenance, candidates, provenance};
use crate::effective::{Row, SubnetTable, split_next_hops};
use crate::model::Model;
use crate::simulation::Simulation;

/// The portal's columns (R8).
pub const COLUMNS: [&str; 6] =
    ["Source", "State", "Address Prefixes", "Next Hop Type", "Next Hop IP Address", "User Defined Route Name"];

/// How to print routes.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Output format.
    pub format: Format,
    /// One row per route with all next hops (D2), instead of one row per next hop.
    pub merge_next_hops: bool,
}

fn dash(s: String) -> String {
    if s.is_empty() { "-".to_string() } else { s }
}

fn ips(r: &Row) -> String {
    r.next_hop_ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

/// Portal cells of one row.
pub fn cells(r: &Row) -> [String; 6] {
    [
        r.source.portal().to_string(),
        r.state.as_str().to_string(),
        r.prefix.to_string(),
        r.next_hop_type.portal().to_string(),
        ips(r),
        r.udr_name.clone().unwrap_or_default(),
    ]
}

/// The portal table (empty cells `-`, D13).
pub fn text(rows: &[Row]) -> String {
    let body: Vec<Vec<String>> = rows.iter().map(|r| cells(r).into_iter().map(dash).collect()).collect();
    table::render(&COLUMNS, &body)
}

/// The portal's CSV download (empty fields empty).
pub fn csv(rows: &[Row]) -> String {
    let mut s = csv_line(&COLUMNS.map(String::from));
    for r in rows {
        s.push_str(&csv_line(&cells(r)));
    }
    s
}

/// One entry of `az network nic show-effective-route-table` (R2, R3, R6, D13): keys in
/// alphabetical order, as az prints them.
#[derive(Serialize, Debug, Clone)]
pub struct JsonRoute {
    /// Prefixes (one).
    #[serde(rename = "addressPrefix")]
    pub address_prefix: Vec<String>,
    /// Always empty in format v1.
    #[serde(rename = "destinationServiceTags")]
    pub destination_service_tags: Vec<String>,
    /// The subnet's route-table flag.
    #[serde(rename = "disableBgpRoutePropagation")]
    pub disable_bgp_route_propagation: bool,
    /// ersim's provenance (`--explain` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ersim: Option<serde_json::Value>,
    /// Always false.
    #[serde(rename = "hasBgpOverride")]
    pub has_bgp_override: bool,
    /// The route name for user rows, else null.
    pub name: Option<String>,
    /// Next hop addresses.
    #[serde(rename = "nextHopIpAddress")]
    pub next_hop_ip_address: Vec<String>,
    /// API spelling.
    #[serde(rename = "nextHopType")]
    pub next_hop_type: String,
    /// API spelling.
    pub source: String,
    /// Active / Invalid.
    pub state: String,
    /// Always empty.
    #[serde(rename = "tagMap")]
    pub tag_map: BTreeMap<String, String>,
}

/// The whole JSON document.
#[derive(Serialize, Debug, Clone)]
pub struct JsonTable {
    /// Lost and filtered candidates (`--explain` only).
    #[serde(rename = "ersimCandidates", skip_serializing_if = "Option::is_none")]
    pub ersim_candidates: Option<serde_json::Value>,
    /// Always null.
    #[serde(rename = "nextLink")]
    pub next_link: Option<String>,
    /// The routes.
    pub value: Vec<JsonRoute>,
}

/// JSON entry for a row.
pub fn json_route(t: &SubnetTable, r: &Row) -> JsonRoute {
    json_row(r, t.disable_bgp_route_propagation())
}

/// JSON entry for a row of a table whose `disableBgpRoutePropagation` flag is `disable` (R31).
pub fn json_row(r: &Row, disable: bool) -> JsonRoute {
    JsonRoute {
        address_prefix: vec![r.prefix.to_string()],
        destination_service_tags: Vec::new(),
        disable_bgp_route_propagation: disable,
        ersim: None,
        has_bgp_override: false,
        name: r.udr_name.clone(),
        next_hop_ip_address: r.next_hop_ips.iter().map(|i| i.to_string()).collect(),
        next_hop_type: r.next_hop_type.api().to_string(),
        source: r.source.api().to_string(),
        state: r.state.as_str().to_string(),
        tag_map: BTreeMap::new(),
    }
}

/// Footnotes for the placeholder addresses among the rows' next hops (D14), so a made-up address
/// is never mistaken for one Azure will show; empty when there is none.
pub fn placeholder_notes(model: &Model, rows: &[Row]) -> String {
    let all = model.placeholders();
    if all.is_empty() {
        return String::new();
    }
    let used: BTreeSet<IpAddr> =
        rows.iter().flat_map(|r| r.next_hop_ips.iter().copied()).filter(|ip| all.contains_key(ip)).collect();
    let mut by_owner: BTreeMap<(&str, &str, &str), Vec<String>> = BTreeMap::new();
    for ip in used {
        let p = &all[&ip];
        by_owner.entry((p.kind, &p.owner, p.key)).or_default().push(ip.to_string());
    }
    let mut out = String::new();
    for ((kind, owner, key), ips) in by_owner {
        let (are, them) =
            if ips.len() == 1 { ("is a placeholder", "the address") } else { ("are placeholders", "the addresses") };
        out.push_str(&format!(
            "\nNote: {} {are} ersim made up (D14), not what Azure will show: set `{key}` on {kind} `{owner}` to {them} Azure shows.",
            ips.join(" and ")
        ));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Whether any next hop of a row is a placeholder (D14).
fn has_placeholder(all: &BTreeMap<IpAddr, crate::model::Placeholder>, r: &Row) -> bool {
    r.next_hop_ips.iter().any(|ip| all.contains_key(ip))
}

/// Render a subnet's table.
pub fn render(sim: &Simulation, t: &SubnetTable, opts: Options) -> String {
    render_with(sim, t, opts, false)
}

/// At most this many not-installed candidates are listed in the text form of `--explain`.
pub const EXPLAIN_MAX_CANDIDATES: usize = 200;

/// Render a subnet's table; with `explain`, where every row comes from and the candidates that
/// lost or were filtered, with the rule (text: below the table; JSON: an `ersim` key per entry and
/// a top-level `ersimCandidates`, so the plain JSON stays in the az shape; CSV: two extra columns).
pub fn render_with(sim: &Simulation, t: &SubnetTable, opts: Options, explain: bool) -> String {
    let rows = split_next_hops(&t.rows(), opts.merge_next_hops);
    let prov: Vec<Provenance> =
        if explain { rows.iter().map(|r| provenance(&sim.model, &sim.bgp, t, r)).collect() } else { Vec::new() };
    let cands: Vec<Candidate> = if explain { candidates(&sim.model, &sim.bgp, t) } else { Vec::new() };
    match opts.format {
        Format::Text => {
            let mut out = text(&rows);
            out.push_str(&placeholder_notes(&sim.model, &rows));
            if explain {
                out.push_str("\nWhere each row comes from:\n");
                for (i, (r, p)) in rows.iter().zip(&prov).enumerate() {
                    out.push_str(&format!(
                        "  {:>3}. {} {}: {} [{}]\n",
                        i + 1,
                        r.prefix,
                        r.next_hop_type.portal(),
                        p.origin,
                        p.rule
                    ));
                    if let Some(w) = &p.invalid_because {
                        out.push_str(&format!("       Invalid: {w}\n"));
                    }
                }
                if cands.is_empty() {
                    out.push_str("\nNo candidate was filtered, lost, or left out of this subnet.\n");
                } else {
                    out.push_str("\nCandidates not installed or lost:\n");
                    for c in cands.iter().take(EXPLAIN_MAX_CANDIDATES) {
                        out.push_str(&format!("  {} via {}\n       {} [{}]\n", c.prefix, c.via, c.reason, c.rule));
                    }
                    if cands.len() > EXPLAIN_MAX_CANDIDATES {
                        out.push_str(&format!(
                            "  ... and {} more (all of them in --output json)\n",
                            cands.len() - EXPLAIN_MAX_CANDIDATES
                        ));
                    }
                }
            }
            out
        }
        Format::Csv => {
            if !explain {
                return csv(&rows);
            }
            let mut head: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
            head.push("Origin".into());
            head.push("Rule".into());
            let mut s = csv_line(&head);
            for (r, p) in rows.iter().zip(&prov) {
                let mut f: Vec<String> = cells(r).to_vec();
                f.push(p.origin.clone());
                f.push(p.rule.to_string());
                s.push_str(&csv_line(&f));
            }
            s
        }
        Format::Json => {
            let all = if explain { sim.model.placeholders() } else { BTreeMap::new() };
            let value = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut e = json_route(t, r);
                    if explain {
                        let mut v = serde_json::to_value(&prov[i]).expect("serialisable");
                        if let Some(o) = v.as_object_mut() {
                            o.insert("placeholder".into(), has_placeholder(&all, r).into());
                        }
                        e.ersim = Some(v);
                    }
                    e
                })
                .collect();
            let doc = JsonTable {
                ersim_candidates: explain.then(|| serde_json::to_value(&cands).expect("serialisable")),
                next_link: None,
                value,
            };
            let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
            s.push('\n');
            s
        }
    }
}

/// `routes --destination IP` in a format: text (below), JSON `{"destination", "route": the
/// winning entry in the az shape (all its next hops, or null), "candidates": every matching entry,
/// longest prefix first}`, or the portal CSV of the winning rows.
pub fn destination_as(model: &Model, t: &SubnetTable, ip: IpAddr, opts: Options) -> String {
    match opts.format {
        Format::Text => {
            let mut out = destination(t, ip, opts.merge_next_hops);
            out.push_str(&placeholder_notes(model, &t.matching(ip)));
            out
        }
        Format::Csv => {
            let hit = t.lookup(ip).map(|h| h.rows).unwrap_or_default();
            csv(&split_next_hops(&hit, opts.merge_next_hops))
        }
        Format::Json => {
            let route = t.lookup(ip).map(|h| {
                let mut r = h.rows[0].clone();
                r.next_hop_ips = h.rows.iter().flat_map(|r| r.next_hop_ips.iter().copied()).collect();
                r.next_hop_ips.sort();
                r.next_hop_ips.dedup();
                json_route(t, &r)
            });
            let candidates: Vec<JsonRoute> =
                split_next_hops(&t.matching(ip), opts.merge_next_hops).iter().map(|r| json_route(t, r)).collect();
            let doc = serde_json::json!({"destination": ip.to_string(), "route": route, "candidates": candidates});
            let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
            s.push('\n');
            s
        }
    }
}

/// `routes --destination IP`: every row whose prefix contains the address, longest first, and
/// which one forwarding uses and why (R19 longest prefix, then R20/D6 precedence).
pub fn destination(t: &SubnetTable, ip: std::net::IpAddr, merge: bool) -> String {
    let matching = t.matching(ip);
    let mut out = format!("Rows matching {ip} (longest prefix first):\n");
    out.push_str(&text(&split_next_hops(&matching, merge)));
    match t.lookup(ip) {
        None => out.push_str(&format!("\nNo Active row matches {ip}: the packet is dropped (R19).\n")),
        Some(hit) => {
            let others: std::collections::BTreeSet<String> = matching
                .iter()
                .filter(|r| r.prefix != hit.prefix && r.state == crate::model::RouteState::Active)
                .map(|r| r.prefix.to_string())
                .collect();
            out.push_str(&format!("\nWins: {}, the longest Active prefix containing {ip} (R19)", hit.prefix));
            if !others.is_empty() {
                out.push_str(&format!("; it is longer than {}", others.into_iter().collect::<Vec<_>>().join(", ")));
            }
            out.push_str(".\n");
            let same = matching.iter().filter(|r| r.prefix == hit.prefix).count();
            if same > hit.rows.len() {
                out.push_str(&format!(
                    "Among the rows for {}, the {} row wins by precedence: User > Virtual network gateway > Default (R20, D6).\n",
                    hit.prefix,
                    hit.rows[0].source.portal()
                ));
            }
            let hops: Vec<String> =
                hit.rows.iter().flat_map(|r| r.next_hop_ips.iter().map(|i| i.to_string())).collect();
            if hops.len() > 1 {
                out.push_str(&format!(
                    "{} next hops share the traffic (ECMP, R24): {}.\n",
                    hops.len(),
                    hops.join(", ")
                ));
            }
            out.push_str(&format!(
                "Next hop: {}{}.\n",
                hit.rows[0].next_hop_type.portal(),
                if hops.is_empty() { String::new() } else { format!(" {}", hops.join(", ")) }
            ));
        }
    }
    out
}
