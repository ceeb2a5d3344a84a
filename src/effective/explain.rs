//! Why each row of a table is there, and which candidates were not installed and why (the facts
//! behind `routes --explain`; `report::routes` prints them).

use ipnet::IpNet;
use serde::Serialize;

use super::{RouteSource, Row, RowOrigin, SubnetTable};
use crate::bgp::domain::{DomainCand, DomainRoute};
use crate::bgp::{Bgp, Origin, Reason, SessionKind, speaker_name};
use crate::model::*;
use crate::rules::{Rule, RuleSet};

/// Where one row comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// A sentence: which address space, peering, route table route, or which gateway learned it
    /// over which session from whom, with the AS path.
    pub origin: String,
    /// The rules behind the row and its state.
    pub rule: RuleSet,
    /// For an Invalid row: why.
    #[serde(rename = "invalidBecause", skip_serializing_if = "Option::is_none")]
    pub invalid_because: Option<String>,
}

/// A candidate for a prefix that is not (or not only) what the table shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The prefix.
    pub prefix: String,
    /// How it came (`via conn-a (circuit-a) from dc1, AS path 12076 65001`).
    pub via: String,
    /// Why it is not installed or lost.
    pub reason: String,
    /// The rules.
    pub rule: RuleSet,
}

/// How a domain candidate came in: the session, the origin, the AS path.
pub fn describe_cand(m: &Model, b: &Bgp, c: &DomainCand) -> String {
    let sess = c.cand.via.map(|v| b.session_ref(v));
    let speaker = speaker_name(m, b.speakers[c.speaker.0 as usize]);
    let session = match sess {
        Some(s) => {
            let conn = s.connection.map(|x| m.connections[x.idx()].name.clone());
            match s.kind {
                SessionKind::ExpressRoute => format!(
                    "over {} ({})",
                    conn.unwrap_or_default(),
                    s.circuit.map(|ci| m.circuits[ci.idx()].name.clone()).unwrap_or_default()
                ),
                SessionKind::SiteToSite => format!("over VPN connection {} (BGP)", conn.unwrap_or_default()),
                SessionKind::VnetToVnet => format!("over VNet-to-VNet connection {} (BGP)", conn.unwrap_or_default()),
                SessionKind::Static => format!("static on connection {}", conn.unwrap_or_default()),
                SessionKind::RouteServerPeer => {
                    format!("from BGP peer {}", s.peer.map(|p| m.bgp_peers[p.idx()].name.clone()).unwrap_or_default())
                }
                SessionKind::BranchToBranch => "branch-to-branch".to_string(),
                SessionKind::PrivatePeering => "private peering".to_string(),
            }
        }
        None => "originated".to_string(),
    };
    let origin = match c.cand.origin {
        Origin::Space(s) => format!("{}'s VNet and spokes", speaker_name(m, b.speakers[s.0 as usize])),
        Origin::Onprem(o) => format!("on-premises {}", m.onprems[o.idx()].name),
        Origin::Nva(n) => format!("NVA {}", m.bgp_peers[n.idx()].name),
        Origin::Static(conn) => match &m.connections[conn.idx()].kind {
            ConnectionKind::SiteToSite { local_gateway, .. } => {
                format!("local gateway {}'s prefixes", m.local_gateways[local_gateway.idx()].name)
            }
            _ => "static prefixes".to_string(),
        },
        Origin::V2vStatic(conn) => match &m.connections[conn.idx()].kind {
            ConnectionKind::VnetToVnet { remote_gateway, .. } => {
                format!("{}'s VNet (static, no BGP)", m.gateways[remote_gateway.idx()].name)
            }
            _ => "static prefixes".to_string(),
        },
    };
    format!("{speaker} {session}, originated by {origin}, AS path {}", b.interner.path_text(c.cand.path))
}

fn gateway_rule(b: &Bgp, r: &DomainRoute) -> RuleSet {
    match r.best.first().and_then(|c| c.cand.via).map(|v| b.session_ref(v).kind) {
        Some(SessionKind::ExpressRoute) => RuleSet::of(&[Rule::R47, Rule::R48, Rule::R57]),
        Some(SessionKind::RouteServerPeer) => RuleSet::of(&[Rule::R47, Rule::R71]),
        _ => RuleSet::of(&[Rule::R47, Rule::R48, Rule::R49]),
    }
}

/// Provenance of one row of subnet `t`.
pub fn provenance(m: &Model, b: &Bgp, t: &SubnetTable, r: &Row) -> Provenance {
    let v = m.subnets[t.subnet.idx()].vnet;
    let (origin, rule) = match r.origin {
        RowOrigin::AddressSpace(i) => (
            format!(
                "address space {} of VNet {}",
                m.vnets[v.idx()].address_space.get(i).copied().unwrap_or(r.prefix),
                m.vnets[v.idx()].name
            ),
            Rule::R13.into(),
        ),
        RowOrigin::Peering(p) => {
            let pe = &m.peerings[p.idx()];
            (
                format!(
                    "{} peering {} ↔ {} (address space of {})",
                    if m.is_global(p) { "global" } else { "regional" },
                    m.vnets[pe.from.idx()].name,
                    m.vnets[pe.to.idx()].name,
                    m.vnets[pe.to.idx()].name
                ),
                RuleSet::of(&[Rule::R35, Rule::R36]),
            )
        }
        RowOrigin::Internet => ("system default route to the Internet".to_string(), Rule::R14.into()),
        RowOrigin::Reserved => (
            format!("reserved prefix of the `{}` profile", m.system_routes.as_str()),
            RuleSet::of(&[Rule::D3, Rule::R15]),
        ),
        RowOrigin::Udr(rt, i) => (
            format!(
                "route `{}` of route table `{}`",
                m.route_tables[rt.idx()].routes[i].name,
                m.route_tables[rt.idx()].name
            ),
            RuleSet::of(&[Rule::R27, Rule::R29]),
        ),
        RowOrigin::Gateway(idx) => match &t.domain {
            Some(dm) => {
                let route = &dm.routes[idx as usize];
                let via: Vec<String> = route.best.iter().map(|c| describe_cand(m, b, c)).collect();
                let ecmp = if route.best.len() > 1 { " (ECMP)" } else { "" };
                (
                    format!("learned in {}'s domain: {}{ecmp}", m.vnets[dm.hub.idx()].name, via.join("; ")),
                    gateway_rule(b, route),
                )
            }
            None => ("gateway route".to_string(), Rule::R47.into()),
        },
    };
    let invalid_because = (r.state == RouteState::Invalid).then(|| {
        if r.source == RouteSource::User {
            "outranked".to_string()
        } else {
            let by = if t.own.iter().any(|o| o.prefix == r.prefix && o.source == RouteSource::User) {
                "a User route"
            } else {
                "a Virtual network gateway route"
            };
            format!("{by} has the same prefix: User > gateway > Default (R20, D6)")
        }
    });
    Provenance { origin, rule, invalid_because }
}

/// Candidates of the subnet's domain that lost best-path selection, were filtered on the way in,
/// or are not installed in this subnet (D7, R31), in prefix order.
pub fn candidates(m: &Model, b: &Bgp, t: &SubnetTable) -> Vec<Candidate> {
    let mut out = Vec::new();
    let Some(dm) = &t.domain else { return out };
    let push = |out: &mut Vec<Candidate>, p: IpNet, c: &DomainCand, why: &Reason| {
        let what = if why.is_filter() { "not accepted" } else { "lost" };
        out.push(Candidate {
            prefix: p.to_string(),
            via: describe_cand(m, b, c),
            reason: format!("{what}: {}", why.describe(m)),
            rule: why.rule(),
        });
    };
    // D4: other hubs' routes a shared circuit holds but this domain's gateway does not accept.
    if let Some(g) = m.ix.er_gateway[dm.hub.idx()] {
        for f in b.remote_vnet_filtered(m, g, None) {
            let sess = b.session_ref(f.session);
            out.push(Candidate {
                prefix: f.prefix.to_string(),
                via: format!(
                    "{} over {} ({}), originated by {}'s VNet and spokes, AS path {}",
                    m.gateways[g.idx()].name,
                    sess.connection.map(|c| m.connections[c.idx()].name.clone()).unwrap_or_default(),
                    sess.circuit.map(|c| m.circuits[c.idx()].name.clone()).unwrap_or_default(),
                    m.gateways[f.from_gateway.idx()].name,
                    f.path
                ),
                reason: format!("not accepted: {}", f.reason.describe(m)),
                rule: f.reason.rule(),
            });
        }
    }
    for r in dm.routes.iter().chain(dm.filtered_only.iter()) {
        if let Err(why) = t.installed(r) {
            for c in &r.best {
                out.push(Candidate {
                    prefix: r.prefix.to_string(),
                    via: describe_cand(m, b, c),
                    reason: format!("not installed in {}: {}", m.subnet_path(t.subnet), why.describe(m)),
                    rule: why.rule(),
                });
            }
        }
        for (c, why) in &r.lost {
            push(&mut out, r.prefix, c, why);
        }
        for (c, why) in &r.filtered {
            push(&mut out, r.prefix, c, why);
        }
    }
    out
}
