//! `ersim bgp`: what one BGP speaker learns and advertises — the offline counterpart of
//! `az network vnet-gateway list-learned-routes` / `list-advertised-routes`, a circuit's route
//! table, a route server's learned routes, an NVA's or an on-premises router's view.

use ipnet::IpNet;
use serde_json::json;

use super::table;
use crate::bgp::{Bgp, Cand, Origin, SessionKind, SpeakerId, install_next_hops, speaker_name};
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

fn origin_word(b: &Bgp, c: &Cand) -> &'static str {
    match c.via.map(|v| b.session_ref(v).kind) {
        None => "Network",
        Some(SessionKind::Static) => "Static",
        Some(SessionKind::BranchToBranch)
            if b.asn[b.session_ref(c.via.unwrap()).from.0 as usize]
                == b.asn[b.session_ref(c.via.unwrap()).to.0 as usize] =>
        {
            "IBgp"
        }
        Some(_) => "EBgp",
    }
}

fn peer(m: &Model, b: &Bgp, c: &Cand) -> String {
    match c.via {
        None => "-".into(),
        Some(v) => {
            let s = b.session_ref(v);
            let name = speaker_name(m, b.speakers[s.from.0 as usize]);
            match (s.kind, s.connection) {
                (SessionKind::Static, Some(conn)) => format!("static ({})", m.connections[conn.idx()].name),
                (_, Some(conn)) if s.from != s.to => format!("{name} ({})", m.connections[conn.idx()].name),
                _ => name,
            }
        }
    }
}

fn next_hop(m: &Model, b: &Bgp, c: &Cand) -> String {
    if let Some(nh) = c.next_hop {
        return nh.to_string();
    }
    // The MSEE's own next hops toward gateways and routers are not published: leave them out.
    if c.via.is_some_and(|v| matches!(b.speakers[b.session_ref(v).to.0 as usize], crate::bgp::Speaker::Circuit(_))) {
        return "-".into();
    }
    match c.via {
        Some(v) => {
            let hops = install_next_hops(b, m, v, c);
            if hops.is_empty() { "-".into() } else { hops.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ") }
        }
        None => "-".into(),
    }
}

fn originator(m: &Model, b: &Bgp, c: &Cand) -> String {
    match c.origin {
        Origin::Space(s) => speaker_name(m, b.speakers[s.0 as usize]),
        Origin::Onprem(o) => m.onprems[o.idx()].name.clone(),
        Origin::Nva(n) => m.bgp_peers[n.idx()].name.clone(),
        Origin::Static(conn) | Origin::V2vStatic(conn) => m.connections[conn.idx()].name.clone(),
    }
}

/// The learned (or advertised) routes of a speaker as rows.
fn rows(sim: &Simulation, s: SpeakerId, view: View) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let m = &sim.model;
    let b = &sim.bgp;
    match view {
        View::Learned => {
            let head = vec!["Network", "Next Hop", "Origin", "Source Peer", "AS Path", "Weight", "State"];
            let mut out = Vec::new();
            let mut prefixes: Vec<IpNet> = Vec::new();
            for (p, e) in b.rib(s) {
                let mut all: Vec<(Cand, String)> = Vec::new();
                if let Some(l) = e.local {
                    all.push((l, if e.best.contains(&l) { "Best".into() } else { "Valid".into() }));
                }
                for c in &e.ins {
                    all.push((*c, if e.best.contains(c) { "Best".into() } else { "Valid".into() }));
                }
                for (c, r) in &e.rejected {
                    all.push((*c, format!("Rejected: {} [{}]", r.describe(m), r.rule())));
                }
                for (c, state) in all {
                    let weight = c.via.map(|v| b.session_ref(v).weight).unwrap_or(0);
                    prefixes.push(p);
                    out.push(vec![
                        p.to_string(),
                        next_hop(m, b, &c),
                        origin_word(b, &c).to_string(),
                        peer(m, b, &c),
                        b.interner.path_text(c.path),
                        weight.to_string(),
                        state,
                    ]);
                }
            }
            // Routes D4 keeps from an ExpressRoute gateway (computed on demand), merged into the
            // prefix order of the table (a stable sort keeps each prefix's rows in place).
            if let crate::bgp::Speaker::Gateway(g) = b.speakers[s.0 as usize] {
                let mut keyed: Vec<(IpNet, Vec<String>)> = prefixes.into_iter().zip(out).collect();
                for f in b.remote_vnet_filtered(m, g, None) {
                    let sess = b.session_ref(f.session);
                    keyed.push((
                        f.prefix,
                        vec![
                            f.prefix.to_string(),
                            sess.circuit
                                .map(|c| {
                                    m.circuits[c.idx()]
                                        .next_hops
                                        .iter()
                                        .map(|i| i.to_string())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                })
                                .unwrap_or_default(),
                            "EBgp".to_string(),
                            format!(
                                "{} ({})",
                                sess.circuit.map(|c| m.circuits[c.idx()].name.clone()).unwrap_or_default(),
                                sess.connection.map(|c| m.connections[c.idx()].name.clone()).unwrap_or_default()
                            ),
                            f.path.clone(),
                            sess.weight.to_string(),
                            format!("Rejected: {} [{}]", f.reason.describe(m), f.reason.rule()),
                        ],
                    ));
                }
                keyed.sort_by(|a, b| crate::net::prefix_order(&a.0, &b.0));
                out = keyed.into_iter().map(|(_, r)| r).collect();
            }
            (head, out)
        }
        View::Advertised => {
            let head = vec!["Peer", "Network", "AS Path", "Originated By"];
            let mut out = Vec::new();
            let mut sessions: Vec<_> = b.out[s.0 as usize].clone();
            sessions.sort_by_key(|e| speaker_name(m, b.speakers[b.session_ref(*e).to.0 as usize]));
            for e in sessions {
                let sess = b.session_ref(e);
                let to = speaker_name(m, b.speakers[sess.to.0 as usize]);
                let to = match &sess.down {
                    Some(r) => format!("{to} (session down: {})", r.describe(m)),
                    None => to,
                };
                for (p, c) in b.advertised(e) {
                    out.push(vec![to.clone(), p.to_string(), b.interner.path_text(c.path), originator(m, b, &c)]);
                }
            }
            (head, out)
        }
    }
}

/// The text table.
pub fn text(sim: &Simulation, s: SpeakerId, view: View) -> String {
    let m = &sim.model;
    let name = speaker_name(m, sim.bgp.speakers[s.0 as usize]);
    let (head, body) = rows(sim, s, view);
    let what = match view {
        View::Learned => "learned routes",
        View::Advertised => "advertised routes",
    };
    let mut out = format!("{name} (AS {}): {what}\n", sim.bgp.asn[s.0 as usize]);
    if body.is_empty() {
        out.push_str("  (none)\n");
    } else {
        out.push_str(&table::render(&head, &body));
    }
    out
}

/// JSON: an array of objects keyed by the column names (camelCase).
pub fn json(sim: &Simulation, s: SpeakerId, view: View) -> String {
    let (head, body) = rows(sim, s, view);
    let keys: Vec<String> = head
        .iter()
        .map(|h| {
            let mut k = String::new();
            for (i, w) in h.split(' ').enumerate() {
                if i == 0 {
                    k.push_str(&w.to_ascii_lowercase());
                } else {
                    k.push_str(&w[..1].to_ascii_uppercase());
                    k.push_str(&w[1..].to_ascii_lowercase());
                }
            }
            k
        })
        .collect();
    let v: Vec<serde_json::Value> = body
        .iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            for (k, c) in keys.iter().zip(r) {
                o.insert(k.clone(), json!(c));
            }
            serde_json::Value::Object(o)
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v).expect("serialisable");
    s.push('\n');
    s
}
