//! `ersim bgp`: the BGP views of rulebook Part M (M1–M6) as Azure prints them. A gateway or Route
//! Server has the shape of `az network vnet-gateway list-learned-routes` / `list-advertised-routes`
//! (`{"value": [{"localAddress", "network", "nextHop", "sourcePeer", "origin", "asPath",
//! "weight"}]}`), a circuit that of `az network express-route list-route-tables` (network,
//! nextHop, locPrf, weight, path), an NVA or on-premises router the same rows as a gateway (M5).
//! ersim's own facts (state, reason, rules, the session's peer) go under an `ersim` key per entry
//! in JSON and in a State column in text. The rows come from [`crate::bgp::views`]; this module
//! only formats them.

use serde::Serialize;

use super::table;
use crate::bgp::{BgpView, Direction, Group, RowState, SpeakerId, ViewOrigin, ViewRow, ViewShape};
use crate::model::Model;
use crate::simulation::Simulation;

/// What to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Everything the speaker holds: originated, accepted, rejected (with the reason).
    Learned,
    /// What it sends on each session.
    Advertised,
}

/// The view of one speaker.
pub fn view(sim: &Simulation, s: SpeakerId, view: View) -> BgpView {
    match view {
        View::Learned => sim.bgp.learned_view(&sim.model, s),
        View::Advertised => sim.bgp.advertised_view(&sim.model, s),
    }
}

fn origin_word(o: ViewOrigin) -> &'static str {
    match o {
        ViewOrigin::Network => "Network",
        ViewOrigin::EBgp => "EBgp",
        ViewOrigin::IBgp => "IBgp",
    }
}

/// `12076-65001`, as az prints an AS path; empty when there is none.
fn as_path(p: &[u32]) -> String {
    p.iter().map(|a| a.to_string()).collect::<Vec<_>>().join("-")
}

/// `12076 65001`, as the MSEE's table prints it.
fn msee_path(p: &[u32]) -> String {
    p.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" ")
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}

fn addr(a: Option<std::net::IpAddr>) -> String {
    a.map(|a| a.to_string()).unwrap_or_else(|| "-".into())
}

fn state_text(m: &Model, s: &RowState) -> String {
    match s {
        RowState::Best => "Best".into(),
        RowState::Valid => "Valid".into(),
        RowState::Rejected(r) => format!("Rejected: {} [{}]", r.describe(m), r.rule()),
    }
}

const AZURE_HEAD: [&str; 8] =
    ["LocalAddress", "Network", "NextHop", "SourcePeer", "Origin", "AsPath", "Weight", "State"];
const MSEE_HEAD: [&str; 6] = ["Network", "NextHop", "LocPrf", "Weight", "Path", "State"];

fn text_rows(
    m: &Model,
    shape: ViewShape,
    direction: Direction,
    rows: &[ViewRow],
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    if shape == ViewShape::Msee && direction == Direction::Learned {
        let body = rows
            .iter()
            .map(|r| {
                vec![
                    r.network.to_string(),
                    addr(r.next_hop),
                    "-".into(),
                    r.weight.to_string(),
                    or_dash(msee_path(&r.as_path)),
                    state_text(m, &r.state),
                ]
            })
            .collect();
        return (MSEE_HEAD.to_vec(), body);
    }
    let body = rows
        .iter()
        .map(|r| {
            vec![
                addr(r.local_address),
                r.network.to_string(),
                addr(r.next_hop),
                addr(r.source_peer),
                origin_word(r.origin).into(),
                or_dash(as_path(&r.as_path)),
                r.weight.to_string(),
                state_text(m, &r.state),
            ]
        })
        .collect();
    (AZURE_HEAD.to_vec(), body)
}

fn group_header(m: &Model, g: &Group) -> String {
    let mut h = String::from("to ");
    match &g.peer {
        Some(p) => {
            h.push_str(&p.name);
            if let Some(a) = p.address {
                h.push_str(&format!(" ({a})"));
            }
        }
        None => h.push('-'),
    }
    if let Some(c) = g.connection {
        h.push_str(&format!(", connection {}", m.connections[c.idx()].name));
    }
    if let Some(r) = &g.down {
        h.push_str(&format!(": session down: {} [{}]", r.describe(m), r.rule()));
    }
    h
}

fn table_or_none(m: &Model, v: &BgpView, rows: &[ViewRow], out: &mut String) {
    if rows.is_empty() {
        out.push_str("  (none)\n");
    } else {
        let (head, body) = text_rows(m, v.shape, v.direction, rows);
        out.push_str(&table::render(&head, &body));
    }
}

/// The text tables: one for the learned view, one per session (under a header naming the peer)
/// for the advertised view.
pub fn text(sim: &Simulation, v: &BgpView) -> String {
    let m = &sim.model;
    let what = match (v.direction, v.shape) {
        (Direction::Learned, ViewShape::Msee) => "route table",
        (Direction::Learned, _) => "learned routes",
        (Direction::Advertised, _) => "advertised routes",
    };
    let mut out = format!("{} (AS {}): {what}\n", v.name, v.asn);
    match v.direction {
        Direction::Learned => {
            let rows: Vec<ViewRow> = v.rows().cloned().collect();
            table_or_none(m, v, &rows, &mut out);
        }
        Direction::Advertised => {
            if v.groups.is_empty() {
                out.push_str("  (no sessions)\n");
            }
            for (i, g) in v.groups.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&group_header(m, g));
                out.push('\n');
                table_or_none(m, v, &g.rows, &mut out);
            }
        }
    }
    out
}

/// The session's peer in JSON.
#[derive(Serialize)]
struct JsonPeer {
    name: String,
    address: Option<String>,
}

/// ersim's facts about one entry.
#[derive(Serialize)]
struct JsonFacts {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<JsonPeer>,
}

/// One entry of `list-learned-routes` / `list-advertised-routes` (keys in az's alphabetical order).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRoute {
    as_path: String,
    ersim: JsonFacts,
    local_address: Option<String>,
    network: String,
    next_hop: Option<String>,
    origin: &'static str,
    source_peer: Option<String>,
    weight: u32,
}

/// One entry of `express-route list-route-tables`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonMseeRoute {
    ersim: JsonFacts,
    /// A string in az's output; ersim models no local preference, so it is empty, as az prints an
    /// entry without one.
    loc_prf: &'static str,
    network: String,
    next_hop: Option<String>,
    path: String,
    weight: u32,
}

#[derive(Serialize)]
struct JsonList<T> {
    value: Vec<T>,
}

fn facts(m: &Model, r: &ViewRow) -> JsonFacts {
    let (state, reason, rules) = match &r.state {
        RowState::Best => ("Best", None, Vec::new()),
        RowState::Valid => ("Valid", None, Vec::new()),
        RowState::Rejected(x) => {
            ("Rejected", Some(x.describe(m)), x.rule().rules().iter().map(|r| r.id().to_string()).collect())
        }
    };
    let peer = r.peer.as_ref().map(|p| JsonPeer { name: p.name.clone(), address: p.address.map(|a| a.to_string()) });
    JsonFacts { state, reason, rules, peer }
}

/// JSON in the az shape `{"value": [...]}`; ersim's facts under `ersim` in each entry.
pub fn json(sim: &Simulation, v: &BgpView) -> String {
    let m = &sim.model;
    let mut s = if v.shape == ViewShape::Msee && v.direction == Direction::Learned {
        let value = v
            .rows()
            .map(|r| JsonMseeRoute {
                ersim: facts(m, r),
                loc_prf: "",
                network: r.network.to_string(),
                next_hop: r.next_hop.map(|a| a.to_string()),
                path: msee_path(&r.as_path),
                weight: r.weight,
            })
            .collect();
        serde_json::to_string_pretty(&JsonList { value }).expect("serialisable")
    } else {
        let value = v
            .rows()
            .map(|r| JsonRoute {
                as_path: as_path(&r.as_path),
                ersim: facts(m, r),
                local_address: r.local_address.map(|a| a.to_string()),
                network: r.network.to_string(),
                next_hop: r.next_hop.map(|a| a.to_string()),
                origin: origin_word(r.origin),
                source_peer: r.source_peer.map(|a| a.to_string()),
                weight: r.weight,
            })
            .collect();
        serde_json::to_string_pretty(&JsonList { value }).expect("serialisable")
    };
    s.push('\n');
    s
}
