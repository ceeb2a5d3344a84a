//! `ersim routes`: a subnet's effective routes as the portal table, az JSON, or the portal CSV.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Format, csv_line, table};
use crate::effective::{Row, SubnetTable};
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

/// Split rows with several next hops into one row per next hop (D2), unless merging.
pub fn display_rows(rows: &[Row], merge: bool) -> Vec<Row> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if merge || r.next_hop_ips.len() <= 1 {
            out.push(r.clone());
        } else {
            for ip in &r.next_hop_ips {
                out.push(Row { next_hop_ips: vec![*ip], ..r.clone() });
            }
        }
    }
    out
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
    JsonRoute {
        address_prefix: vec![r.prefix.to_string()],
        destination_service_tags: Vec::new(),
        disable_bgp_route_propagation: t.disable_bgp_route_propagation(),
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

/// Render a subnet's table.
pub fn render(_sim: &Simulation, t: &SubnetTable, opts: Options) -> String {
    let rows = display_rows(&t.rows(), opts.merge_next_hops);
    match opts.format {
        Format::Text | Format::Junit => text(&rows),
        Format::Csv => csv(&rows),
        Format::Json => {
            let doc = JsonTable {
                ersim_candidates: None,
                next_link: None,
                value: rows.iter().map(|r| json_route(t, r)).collect(),
            };
            let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
            s.push('\n');
            s
        }
    }
}
