//! `ersim compare`: ersim's prediction held against what Azure shows.
//!
//! Per NIC, the rows of `az network nic show-effective-route-table` are compared with the NIC's
//! predicted table as (source, state, prefix, next hop type, next hop), after splitting entries
//! with several next hops (ECMP) or several prefixes into one row each; next hop types and the
//! other words compare without regard to case (`VnetPeering` is `VNetPeering`). Rows ersim knowingly
//! does not model (service endpoints, service tags, `ConnectedGroup`) are reported apart and never
//! count as a mismatch. Every mismatch carries the provenance of the predicted row
//! ([`crate::effective::explain::provenance`]) and the rule involved.
//!
//! Per gateway, `az network vnet-gateway list-learned-routes` is compared with the routes the
//! gateway holds in ersim's propagation (its BGP table), as (network, next hop, origin, AS path).
//! Where ersim does not know the next hop (a placeholder MSEE address, a static route's device),
//! any next hop matches. A route one instance of the gateway learned from the other (IBgp from its
//! own GatewaySubnet) is not modelled.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::PathBuf;

use ipnet::IpNet;
use serde::Serialize;

use crate::bgp::{Cand, SessionKind, speaker_name};
use crate::diag::suggest;
use crate::effective::explain::{candidates, provenance};
use crate::effective::{Row, SubnetTable, split_next_hops};
use crate::import::json::Problems;
use crate::import::runtime::{self, EffectiveEntry, LearnedRoute, RuntimeDoc};
use crate::import::{self, Document, ImportError};
use crate::model::*;
use crate::net::prefix_order;
use crate::rules::{Rule, RuleSet};
use crate::simulation::Simulation;

/// Why a comparison could not be made (exit status 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// The files could not be read, or are not what compare reads.
    #[error(transparent)]
    Input(#[from] ImportError),
    /// A file names a NIC the scenario does not have.
    #[error("{file}: the scenario has no NIC `{nic}`{}", hint(.suggestions))]
    UnknownNic {
        /// The file.
        file: String,
        /// The NIC name (from `--nic` or the file name).
        nic: String,
        /// Close names.
        suggestions: Vec<String>,
    },
    /// A file names a gateway the scenario does not have.
    #[error("{file}: the scenario has no gateway `{gateway}`{}", hint(.suggestions))]
    UnknownGateway {
        /// The file.
        file: String,
        /// The gateway name (from the file name).
        gateway: String,
        /// Close names.
        suggestions: Vec<String>,
    },
    /// `--nic` with more than one effective-routes file.
    #[error(
        "--nic names the NIC of one effective-routes file, but {count} were given; name the files <nic>.json instead"
    )]
    NicForSeveralFiles {
        /// How many effective-routes files there were.
        count: usize,
    },
    /// Nothing in the files is an effective-routes or learned-routes output.
    #[error(
        "none of the files is an effective-routes (`az network nic show-effective-route-table`) or learned-routes (`az network vnet-gateway list-learned-routes`) output"
    )]
    NothingToCompare,
}

fn hint(s: &[String]) -> String {
    if s.is_empty() { String::new() } else { format!("; did you mean {}?", s.join(", ")) }
}

/// A runtime output to compare.
#[derive(Clone, Debug)]
pub enum Actual {
    /// A NIC's effective routes.
    Nic {
        /// The file.
        file: String,
        /// The NIC.
        nic: String,
        /// Its entries.
        entries: Vec<EffectiveEntry>,
    },
    /// A gateway's learned routes.
    Gateway {
        /// The file.
        file: String,
        /// The gateway.
        gateway: String,
        /// Its routes.
        routes: Vec<LearnedRoute>,
    },
}

/// The comparable files among `paths` (directories stand for their `.json` files); the other
/// files (resources, MSEE tables) are returned by name as skipped.
pub fn read_actuals(paths: &[PathBuf], nic: Option<&str>) -> Result<(Vec<Actual>, Vec<String>), CompareError> {
    let inputs = import::read_inputs(paths)?;
    let mut p = Problems::default();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for i in &inputs {
        match import::parse_document(i, &mut p) {
            Some(Document::Runtime(r)) => match r.doc {
                RuntimeDoc::Effective(entries) => out.push(Actual::Nic { file: r.file, nic: r.subject, entries }),
                RuntimeDoc::Learned(routes) => out.push(Actual::Gateway { file: r.file, gateway: r.subject, routes }),
                _ => skipped.push(i.name.clone()),
            },
            Some(Document::Resources(_)) => skipped.push(i.name.clone()),
            None => {}
        }
    }
    if !p.errors.is_empty() {
        p.errors.sort();
        return Err(CompareError::Input(ImportError::Input(p.errors)));
    }
    if let Some(n) = nic {
        let count = out.iter().filter(|a| matches!(a, Actual::Nic { .. })).count();
        if count != 1 {
            return Err(CompareError::NicForSeveralFiles { count });
        }
        for a in &mut out {
            if let Actual::Nic { nic, .. } = a {
                *nic = n.to_string();
            }
        }
    }
    if out.is_empty() {
        return Err(CompareError::NothingToCompare);
    }
    Ok((out, skipped))
}

/// Where a predicted row comes from, or what ersim predicts instead of an actual row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// ersim's provenance of the predicted row (or of the row it predicts for the prefix instead).
    pub origin: String,
    /// The rules involved.
    pub rule: String,
    /// What the other side shows for the prefix.
    pub detail: String,
}

/// One effective route, split to one prefix and at most one next hop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteRow {
    /// Source.
    pub source: String,
    /// State.
    pub state: String,
    /// The prefix (or the entry's prefixes / service tags, for a row not modelled).
    pub address_prefix: String,
    /// Next hop type.
    pub next_hop_type: String,
    /// Next hop address, if any.
    pub next_hop_ip_address: Option<String>,
    /// For a mismatch: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

impl RouteRow {
    fn key(&self) -> (String, String, String, String, String) {
        (
            self.source.to_ascii_lowercase(),
            self.state.to_ascii_lowercase(),
            self.address_prefix.clone(),
            self.next_hop_type.to_ascii_lowercase(),
            self.next_hop_ip_address.clone().unwrap_or_default(),
        )
    }

    /// `Source State Prefix Type NextHop`, for text output.
    pub fn line(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.source,
            self.state,
            self.address_prefix,
            self.next_hop_type,
            self.next_hop_ip_address.as_deref().unwrap_or("-")
        )
    }
}

/// The comparison of one NIC.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NicResult {
    /// The NIC.
    pub nic: String,
    /// The file compared.
    pub file: String,
    /// Rows present on both sides.
    pub matched: usize,
    /// Predicted but absent in Azure.
    pub missing: Vec<RouteRow>,
    /// In Azure but not predicted.
    pub unexpected: Vec<RouteRow>,
    /// Rows ersim does not model (not compared).
    pub not_modelled: Vec<RouteRow>,
}

/// One learned route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayRow {
    /// The prefix.
    pub network: String,
    /// The next hop (`None`: none; for a prediction, `*` when ersim does not know it).
    pub next_hop: Option<String>,
    /// Network, EBgp or IBgp.
    pub origin: String,
    /// The AS path, `-`-separated as az prints it.
    pub as_path: String,
    /// For a mismatch: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

impl GatewayRow {
    /// `network next-hop origin as-path`, for text output.
    pub fn line(&self) -> String {
        format!(
            "{} {} {} {}",
            self.network,
            self.next_hop.as_deref().unwrap_or("-"),
            self.origin,
            if self.as_path.is_empty() { "-" } else { &self.as_path }
        )
    }
}

/// The comparison of one gateway.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayResult {
    /// The gateway.
    pub gateway: String,
    /// The file compared.
    pub file: String,
    /// Routes on both sides.
    pub matched: usize,
    /// Held by ersim's gateway but absent in Azure.
    pub missing: Vec<GatewayRow>,
    /// Learned in Azure but not predicted.
    pub unexpected: Vec<GatewayRow>,
    /// Not modelled (not compared).
    pub not_modelled: Vec<GatewayRow>,
}

/// Everything compared.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// Per NIC, in name order.
    pub nics: Vec<NicResult>,
    /// Per gateway, in name order.
    pub gateways: Vec<GatewayResult>,
    /// Files that are neither (resources, MSEE tables): not compared.
    pub skipped: Vec<String>,
}

impl Comparison {
    /// Mismatched rows in all.
    pub fn mismatches(&self) -> usize {
        self.nics.iter().map(|n| n.missing.len() + n.unexpected.len()).sum::<usize>()
            + self.gateways.iter().map(|g| g.missing.len() + g.unexpected.len()).sum::<usize>()
    }

    /// 0 everything matches, 1 a mismatch.
    pub fn exit_code(&self) -> u8 {
        if self.mismatches() == 0 { 0 } else { 1 }
    }
}

/// Whether an address is one of ersim's placeholders (documentation and benchmarking ranges,
/// D14): a mismatch on it means the scenario does not give the address.
pub fn is_placeholder(ip: &str) -> bool {
    let Ok(IpAddr::V4(a)) = ip.parse::<IpAddr>() else { return false };
    let o = a.octets();
    matches!((o[0], o[1], o[2]), (192, 0, 2) | (198, 51, 100) | (203, 0, 113))
        || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
}

/// Compare every file with the simulation.
pub fn compare(sim: &Simulation, actuals: &[Actual], skipped: Vec<String>) -> Result<Comparison, CompareError> {
    let m = &sim.model;
    let mut nics = Vec::new();
    let mut gateways = Vec::new();
    for a in actuals {
        match a {
            Actual::Nic { file, nic, entries } => {
                let Some(id) = m.nic_by_name(nic) else {
                    return Err(CompareError::UnknownNic {
                        file: file.clone(),
                        nic: nic.clone(),
                        suggestions: suggest(nic, m.nics.iter().map(|n| n.name.as_str())),
                    });
                };
                nics.push(compare_nic(sim, id, file, entries));
            }
            Actual::Gateway { file, gateway, routes } => {
                let Some(id) = m.gateway_by_name(gateway) else {
                    return Err(CompareError::UnknownGateway {
                        file: file.clone(),
                        gateway: gateway.clone(),
                        suggestions: suggest(gateway, m.gateways.iter().map(|g| g.name.as_str())),
                    });
                };
                gateways.push(compare_gateway(sim, id, file, routes));
            }
        }
    }
    nics.sort_by(|a, b| (&a.nic, &a.file).cmp(&(&b.nic, &b.file)));
    gateways.sort_by(|a, b| (&a.gateway, &a.file).cmp(&(&b.gateway, &b.file)));
    Ok(Comparison { nics, gateways, skipped })
}

fn predicted_row(r: &Row) -> RouteRow {
    RouteRow {
        source: r.source.api().to_string(),
        state: r.state.as_str().to_string(),
        address_prefix: r.prefix.to_string(),
        next_hop_type: r.next_hop_type.api().to_string(),
        next_hop_ip_address: r.next_hop_ips.first().map(|i| i.to_string()),
        explanation: None,
    }
}

/// Entries ersim does not model: service endpoints, service tags, connected groups, prefixes that
/// are not prefixes.
fn not_modelled(e: &EffectiveEntry) -> bool {
    let t = e.next_hop_type.to_ascii_lowercase();
    t == "virtualnetworkserviceendpoint"
        || t == "connectedgroup"
        || !e.service_tags.is_empty()
        || e.prefixes.is_empty()
        || e.prefixes.iter().any(|p| p.parse::<IpNet>().is_err())
}

/// The actual rows of one entry: one per prefix and next hop.
fn actual_rows(e: &EffectiveEntry) -> Vec<RouteRow> {
    let hops: Vec<Option<String>> = if e.next_hops.is_empty() {
        vec![None]
    } else {
        e.next_hops.iter().map(|h| Some(h.trim().to_string())).collect()
    };
    let mut out = Vec::new();
    for p in &e.prefixes {
        let prefix = p.parse::<IpNet>().map(|n| n.to_string()).unwrap_or_else(|_| p.clone());
        for h in &hops {
            out.push(RouteRow {
                source: e.source.clone(),
                state: e.state.clone(),
                address_prefix: prefix.clone(),
                next_hop_type: e.next_hop_type.clone(),
                next_hop_ip_address: h.clone(),
                explanation: None,
            });
        }
    }
    out
}

fn summary(rows: &[&RouteRow]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "{} {} {}{}",
                r.source,
                r.state,
                r.next_hop_type,
                r.next_hop_ip_address.as_deref().map(|h| format!(" {h}")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn compare_nic(sim: &Simulation, nic: NicId, file: &str, entries: &[EffectiveEntry]) -> NicResult {
    let t = sim.nic_table(nic);
    let rows = split_next_hops(&t.rows(), false);
    let predicted: Vec<(RouteRow, &Row)> = rows.iter().map(|r| (predicted_row(r), r)).collect();
    let mut actual = Vec::new();
    let mut not_mod = Vec::new();
    for e in entries {
        if not_modelled(e) {
            not_mod.push(RouteRow {
                source: e.source.clone(),
                state: e.state.clone(),
                address_prefix: if e.service_tags.is_empty() {
                    e.prefixes.join(", ")
                } else {
                    e.service_tags.join(", ")
                },
                next_hop_type: e.next_hop_type.clone(),
                next_hop_ip_address: (!e.next_hops.is_empty()).then(|| e.next_hops.join(", ")),
                explanation: None,
            });
        } else {
            actual.extend(actual_rows(e));
        }
    }
    // Multiset matching on the key.
    let mut pool: BTreeMap<_, usize> = BTreeMap::new();
    for a in &actual {
        *pool.entry(a.key()).or_insert(0) += 1;
    }
    let mut matched = 0;
    let mut missing = Vec::new();
    for (p, row) in &predicted {
        match pool.get_mut(&p.key()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                matched += 1;
            }
            _ => missing.push((p.clone(), *row)),
        }
    }
    let mut unexpected = Vec::new();
    for a in &actual {
        if let Some(n) = pool.get_mut(&a.key())
            && *n > 0
        {
            *n -= 1;
            unexpected.push(a.clone());
        }
    }
    let missing = missing
        .into_iter()
        .map(|(mut p, row)| {
            let prov = provenance(&sim.model, &sim.bgp, &t, row);
            let same: Vec<&RouteRow> = actual.iter().filter(|a| a.address_prefix == p.address_prefix).collect();
            let mut detail =
                if same.is_empty() { "Azure shows no row for this prefix".to_string() } else { format!("Azure shows {}", summary(&same)) };
            if p.next_hop_ip_address.as_deref().is_some_and(is_placeholder) {
                detail.push_str(
                    "; the predicted next hop is a placeholder: give the circuit's next_hops (or the VPN gateway's public_ip) in the scenario",
                );
            }
            p.explanation = Some(Explanation { origin: prov.origin, rule: prov.rule.to_string(), detail });
            p
        })
        .collect();
    let unexpected = unexpected.into_iter().map(|mut a| {
        a.explanation = Some(explain_unexpected(sim, &t, &predicted, &a));
        a
    });
    NicResult {
        nic: sim.model.nics[nic.idx()].name.clone(),
        file: file.to_string(),
        matched,
        missing,
        unexpected: unexpected.collect(),
        not_modelled: not_mod,
    }
}

/// Why ersim did not predict an actual row: the row it predicts for the prefix instead, or the
/// candidate it did not install, or nothing.
fn explain_unexpected(sim: &Simulation, t: &SubnetTable, predicted: &[(RouteRow, &Row)], a: &RouteRow) -> Explanation {
    let same: Vec<&(RouteRow, &Row)> = predicted.iter().filter(|(p, _)| p.address_prefix == a.address_prefix).collect();
    if let Some((_, row)) = same.first() {
        let prov = provenance(&sim.model, &sim.bgp, t, row);
        let rows: Vec<&RouteRow> = same.iter().map(|(p, _)| p).collect();
        return Explanation {
            origin: prov.origin,
            rule: prov.rule.to_string(),
            detail: format!("ersim predicts {} for this prefix", summary(&rows)),
        };
    }
    let t_lower = a.next_hop_type.to_ascii_lowercase();
    if t_lower == "vnetpeering" || t_lower == "vnetglobalpeering" {
        return Explanation {
            origin: format!("no Connected peering of {} has this address space", sim.model.subnet_vnet(t.subnet).name),
            rule: RuleSet::of(&[Rule::R35, Rule::R36]).to_string(),
            detail: "ersim predicts no row for this prefix".into(),
        };
    }
    let gateway_row = a.source.eq_ignore_ascii_case("VirtualNetworkGateway");
    if let Some(c) =
        candidates(&sim.model, &sim.bgp, t).into_iter().find(|c| gateway_row && c.prefix == a.address_prefix)
    {
        return Explanation {
            origin: c.via,
            rule: c.rule.to_string(),
            detail: format!("ersim has the route but does not install it here: {}", c.reason),
        };
    }
    Explanation {
        origin: "nothing in the scenario originates this prefix for this subnet".into(),
        rule: "-".into(),
        detail: "ersim predicts no row for this prefix".into(),
    }
}

/// A learned route key: (network, origin, AS path).
type GwKey = (String, String, Vec<u32>);

/// A predicted learned route: its key, its next hop (`None`: none; `Some(None)`: ersim does not
/// know it; `Some(Some(ip))`), where it comes from and the rule.
type Predicted = (GwKey, Option<Option<String>>, String, RuleSet);

/// What ersim's gateway holds, as learned routes.
fn predicted_gateway(sim: &Simulation, g: GatewayId) -> Vec<Predicted> {
    let b = &sim.bgp;
    let s = b.gateway_speaker[g.idx()];
    let mut out = Vec::new();
    for (p, e) in b.rib(s) {
        let net = p.to_string();
        if e.local.is_some() {
            out.push((
                (net.clone(), "network".into(), Vec::new()),
                None,
                "originated by the gateway (its VNet and transit spokes)".into(),
                Rule::R50.into(),
            ));
        }
        for c in &e.ins {
            out.extend(learned_rows(sim, &net, c));
        }
    }
    out
}

fn learned_rows(sim: &Simulation, net: &str, c: &Cand) -> Vec<Predicted> {
    let m = &sim.model;
    let b = &sim.bgp;
    let Some(via) = c.via else { return Vec::new() };
    let sess = b.session_ref(via);
    let from = speaker_name(m, b.speakers[sess.from.0 as usize]);
    let path = b.interner.asns(c.path).to_vec();
    let same_asn = b.asn[sess.from.0 as usize] == b.asn[sess.to.0 as usize];
    let bgp_origin = if same_asn { "ibgp" } else { "ebgp" };
    let why = format!("learned from {from} ({:?} session), AS path {}", sess.kind, b.interner.path_text(c.path));
    let unknown = Some(None);
    let rule: RuleSet = match sess.kind {
        SessionKind::ExpressRoute => RuleSet::of(&[Rule::R57, Rule::D8]),
        SessionKind::Static => Rule::R49.into(),
        SessionKind::SiteToSite | SessionKind::VnetToVnet => RuleSet::of(&[Rule::R66, Rule::D8]),
        _ => Rule::R74.into(),
    };
    let rows: Vec<(GwKey, Option<Option<String>>)> = match sess.kind {
        SessionKind::ExpressRoute => {
            let hops: Vec<String> = sess
                .circuit
                .map(|ci| m.circuits[ci.idx()].next_hops.iter().map(|i| i.to_string()).collect())
                .unwrap_or_default();
            if hops.is_empty() || hops.iter().any(|h| is_placeholder(h)) {
                vec![((net.into(), bgp_origin.into(), path), unknown)]
            } else {
                hops.into_iter().map(|h| ((net.into(), bgp_origin.into(), path.clone()), Some(Some(h)))).collect()
            }
        }
        SessionKind::SiteToSite => {
            let peer = sess.connection.and_then(|conn| match &m.connections[conn.idx()].kind {
                ConnectionKind::SiteToSite { local_gateway, .. } => m.local_gateways[local_gateway.idx()].bgp_peer_ip,
                _ => None,
            });
            vec![((net.into(), bgp_origin.into(), path), Some(peer.map(|p| p.to_string())))]
        }
        SessionKind::Static => vec![((net.into(), "network".into(), Vec::new()), unknown)],
        _ => vec![((net.into(), bgp_origin.into(), path), Some(c.next_hop.map(|h| h.to_string())))],
    };
    rows.into_iter().map(|(k, nh)| (k, nh, why.clone(), rule.clone())).collect()
}

fn gw_row(key: &GwKey, next_hop: Option<String>, explanation: Option<Explanation>) -> GatewayRow {
    let origin = match key.1.as_str() {
        "ebgp" => "EBgp",
        "ibgp" => "IBgp",
        "network" => "Network",
        other => other,
    };
    GatewayRow {
        network: key.0.clone(),
        next_hop,
        origin: origin.to_string(),
        as_path: key.2.iter().map(|a| a.to_string()).collect::<Vec<_>>().join("-"),
        explanation,
    }
}

fn compare_gateway(sim: &Simulation, g: GatewayId, file: &str, routes: &[LearnedRoute]) -> GatewayResult {
    let m = &sim.model;
    let gsub = m.subnets[m.gateway_subnet(g).idx()].prefix;
    let mut actual: BTreeMap<GwKey, BTreeSet<Option<String>>> = BTreeMap::new();
    let mut not_mod = Vec::new();
    for r in routes {
        let net = r.network.parse::<IpNet>().map(|n| n.to_string()).unwrap_or_else(|_| r.network.clone());
        let key: GwKey = (net, r.origin.to_ascii_lowercase(), r.as_path.clone());
        let own_instance = r.source_peer.as_deref().and_then(runtime::addr).is_some_and(|a| gsub.contains(&a));
        if key.1 == "ibgp" && own_instance {
            let row = gw_row(&key, r.next_hop.clone(), None);
            if !not_mod.contains(&row) {
                not_mod.push(row);
            }
            continue;
        }
        actual.entry(key).or_default().insert(r.next_hop.clone());
    }
    let mut predicted = predicted_gateway(sim, g);
    // Known next hops first, so a wildcard takes only what they leave.
    predicted.sort_by_key(|(_, nh, _, _)| matches!(nh, Some(None)));
    let mut matched = 0;
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    for (key, nh, why, rule) in predicted {
        if !seen.insert((key.clone(), nh.clone())) {
            continue;
        }
        let group = actual.get_mut(&key);
        let hit = match (&nh, group) {
            (Some(None), Some(gr)) if !gr.is_empty() => {
                matched += gr.len();
                gr.clear();
                true
            }
            (Some(Some(h)), Some(gr)) => {
                gr.remove(&Some(h.clone())) && {
                    matched += 1;
                    true
                }
            }
            (None, Some(gr)) => {
                gr.remove(&None) && {
                    matched += 1;
                    true
                }
            }
            _ => false,
        };
        if !hit {
            let shown = match &nh {
                Some(None) => Some("*".to_string()),
                Some(Some(h)) => Some(h.clone()),
                None => None,
            };
            let others = actual.iter().filter(|(k, v)| k.0 == key.0 && !v.is_empty()).count();
            let detail = if others == 0 {
                "Azure's gateway shows no route for this network".to_string()
            } else {
                "Azure's gateway shows this network with another origin, AS path or next hop".to_string()
            };
            missing.push(gw_row(&key, shown, Some(Explanation { origin: why, rule: rule.to_string(), detail })));
        }
    }
    let mut unexpected = Vec::new();
    for (key, hops) in &actual {
        for h in hops {
            unexpected.push(gw_row(
                key,
                h.clone(),
                Some(Explanation {
                    origin: "not in ersim's table of this gateway".into(),
                    rule: "-".into(),
                    detail: "learned by Azure's gateway, not predicted".into(),
                }),
            ));
        }
    }
    let order = |r: &GatewayRow| r.network.parse::<IpNet>().ok();
    for v in [&mut missing, &mut unexpected] {
        v.sort_by(|a, b| match (order(a), order(b)) {
            (Some(x), Some(y)) => prefix_order(&x, &y).then_with(|| a.line().cmp(&b.line())),
            _ => a.line().cmp(&b.line()),
        });
    }
    GatewayResult {
        gateway: m.gateways[g.idx()].name.clone(),
        file: file.to_string(),
        matched,
        missing,
        unexpected,
        not_modelled: not_mod,
    }
}
