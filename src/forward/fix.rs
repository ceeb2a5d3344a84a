//! Fixes for drops: structured scenario edits from a fixed catalogue per drop reason, each
//! verified by re-simulating the edited design before it is offered.
//!
//! Catalogue (azure-routing.md "Forwarding", R37, D4, D11, D12, D17, R31, R67):
//! - not transitive (`NextHopNone`, `NoRoute`, `ToInternet` between two VNets): peer the two VNets;
//!   or UDRs in both subnets to a firewall/NVA in a hub both are peered with (adding an Azure
//!   Firewall and its subnet to the hub when it has none);
//! - a candidate filtered by D4: `allow_remote_vnet_traffic = true` on the gateways that have it off;
//! - a route not installed because of R31: propagation back on in that route table;
//! - `IpForwardingOff`: `ip_forwarding = true` on the NIC;
//! - `PeeringAccessDisabled`: `allow_virtual_network_access = true` on the peering;
//! - `Loop` in an NVA subnet: propagation off there, or a UDR toward the Internet for a default route;
//! - `NextHopUnreachable`: point the route at a forwarding device that exists;
//! - `NoErVpnTransit`: the missing R67 conditions.
//!
//! Candidates for the forward and the return drops are tried alone and combined; only edit sets
//! under which both directions deliver are shown.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use super::{Host, Outcome, Reach, Trace, Verdict};
use crate::forward::DropReason;
use crate::model::*;
use crate::net::{AZURE_ASN, nth_host, overlaps};
use crate::scenario::Loaded;
use crate::scenario::edit::{self, BlockKind, BlockRef, Edit};
use crate::simulation::Simulation;

/// A verified fix: the edits that make the flow deliver both ways.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What it does, in a sentence.
    pub summary: String,
    /// The edits, in order.
    pub edits: Vec<Edit>,
}

/// At most this many fixes are shown.
const MAX_FIXES: usize = 4;

struct Candidate {
    summary: String,
    edits: Vec<Edit>,
}

/// A TOML string literal for a name taken from the scenario (quotes and backslashes escaped).
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn set(block: BlockRef, key: &str, value: &str) -> Edit {
    Edit::SetKey { block, key: key.into(), value: value.into() }
}

/// The block of subnet `s`.
fn subnet_ref(m: &Model, s: SubnetId) -> BlockRef {
    let sub = &m.subnets[s.idx()];
    BlockRef::Subnet { vnet: m.vnets[sub.vnet.idx()].name.clone(), subnet: sub.name.clone() }
}

/// Verified fixes for a failed reach.
pub fn fixes(loaded: &Loaded, sim: &Simulation, r: &Reach, from: &str, to: &str) -> Vec<Fix> {
    let per_direction = drop_candidates(sim, r);
    let mut search = Search { loaded, from, to, tried: BTreeSet::new(), out: Vec::new(), attempts: 0 };
    // 1. Each candidate alone (the pair-wise fixes, peering and hub UDRs, cover both directions).
    let mut follow_up: Vec<Candidate> = Vec::new();
    for c in per_direction.iter().flatten() {
        if let Tried::Still(next) = search.attempt(&c.summary, &c.edits) {
            follow_up.extend(next.into_iter().map(|n| Candidate {
                summary: format!("{}; and {}", c.summary, n.summary),
                edits: union(&c.edits, &n.edits),
            }));
        }
    }
    if search.out.is_empty() {
        // 2. Every change needed: one candidate from each direction together, then all of one
        // direction's candidates together (one per ECMP branch), then everything.
        if per_direction.len() == 2 {
            for a in &per_direction[0] {
                for b in &per_direction[1] {
                    search.attempt(&format!("{}; and {}", a.summary, b.summary), &union(&a.edits, &b.edits));
                }
            }
        }
        let mut all: Vec<Candidate> = Vec::new();
        for dir in &per_direction {
            if dir.len() > 1 {
                let c = combined(dir);
                search.attempt(&c.summary, &c.edits);
                all.push(c);
            } else {
                all.extend(dir.iter().map(|c| Candidate { summary: c.summary.clone(), edits: c.edits.clone() }));
            }
        }
        if all.len() > 1 {
            let c = combined(&all);
            search.attempt(&c.summary, &c.edits);
        }
    }
    if search.out.is_empty() {
        // 3. A change that uncovers the next drop (ip_forwarding on, then the NVA subnet's loop):
        // with the fix for that drop too.
        for c in follow_up {
            search.attempt(&c.summary, &c.edits);
        }
    }
    search.out
}

/// Candidates for each direction that did not deliver.
fn drop_candidates(sim: &Simulation, r: &Reach) -> Vec<Vec<Candidate>> {
    std::iter::once(&r.forward).chain(r.back.iter()).filter(|t| !t.delivered()).map(|t| candidates(sim, t)).collect()
}

fn union(a: &[Edit], b: &[Edit]) -> Vec<Edit> {
    let mut v = a.to_vec();
    for e in b {
        if !v.contains(e) {
            v.push(e.clone());
        }
    }
    v
}

fn combined(cs: &[Candidate]) -> Candidate {
    Candidate {
        summary: cs.iter().map(|c| c.summary.as_str()).collect::<Vec<_>>().join("; and "),
        edits: cs.iter().fold(Vec::new(), |acc, c| union(&acc, &c.edits)),
    }
}

/// How an attempted edit set did.
enum Tried {
    /// It delivers (and was kept), or was tried before, or does not apply.
    Done,
    /// It applies but the flow still drops: the candidates for the new drops.
    Still(Vec<Candidate>),
}

/// At most this many edited designs are simulated for one `reach`.
const MAX_ATTEMPTS: usize = 32;

struct Search<'a> {
    loaded: &'a Loaded,
    from: &'a str,
    to: &'a str,
    tried: BTreeSet<String>,
    out: Vec<Fix>,
    attempts: usize,
}

impl Search<'_> {
    /// Apply the edits, re-simulate, and keep them when the flow then delivers (both ways; one way
    /// for a public destination, whose return path is not modelled).
    fn attempt(&mut self, summary: &str, edits: &[Edit]) -> Tried {
        if self.out.len() >= MAX_FIXES || edits.is_empty() || self.attempts >= MAX_ATTEMPTS {
            return Tried::Done;
        }
        let mut key: Vec<String> = edits.iter().map(|e| format!("{e:?}")).collect();
        key.sort();
        if !self.tried.insert(key.join("\n")) {
            return Tried::Done;
        }
        self.attempts += 1;
        let Ok(text) = edit::apply(&self.loaded.source.text, edits) else { return Tried::Done };
        let Ok(l2) = crate::scenario::parse(&self.loaded.source.name, text) else { return Tried::Done };
        let Ok(sim) = Simulation::new(l2.model) else { return Tried::Done };
        let (Ok(fe), Ok(te)) =
            (crate::resolve::resolve(&sim.model, self.from), crate::resolve::resolve(&sim.model, self.to))
        else {
            return Tried::Done;
        };
        let Ok((fh, th)) = super::hosts(&sim, &fe, &te) else { return Tried::Done };
        let r = super::reach_hosts(&sim, &fh, &th);
        if matches!(r.verdict, Verdict::Delivered | Verdict::OneWay) {
            self.out.push(Fix { summary: summary.to_string(), edits: edits.to_vec() });
            return Tried::Done;
        }
        Tried::Still(drop_candidates(&sim, &r).into_iter().flatten().collect())
    }
}

fn candidates(sim: &Simulation, t: &Trace) -> Vec<Candidate> {
    let m = &sim.model;
    let mut out = Vec::new();
    let src = &t.from.host;
    let dst = &t.to.host;
    let dst_ip = t.to.ip;
    let reasons: BTreeSet<DropReason> = t
        .branches
        .iter()
        .filter_map(|b| match &b.outcome {
            Outcome::Dropped(d) => Some(d.reason()),
            Outcome::Delivered => None,
        })
        .collect();
    // D4 and R31: a route to the destination existed but was filtered or not installed.
    if let Some(s) = src.subnet(m) {
        let f = super::why::filtered(sim, s, dst_ip);
        if !f.remote_vnet_off.is_empty() {
            let names: Vec<String> = f.remote_vnet_off.iter().map(|g| m.gateways[g.idx()].name.clone()).collect();
            out.push(Candidate {
                summary: format!("turn allow_remote_vnet_traffic on for {} (D4)", names.join(" and ")),
                edits: names
                    .iter()
                    .map(|n| set(BlockRef::Gateway(n.clone()), "allow_remote_vnet_traffic", "true"))
                    .collect(),
            });
        }
        if let Some(rt) = f.propagation_off {
            let name = m.route_tables[rt.idx()].name.clone();
            out.push(Candidate {
                summary: format!("turn gateway route propagation back on in route table `{name}` (R31)"),
                edits: vec![set(BlockRef::RouteTable(name.clone()), "disable_bgp_route_propagation", "false")],
            });
        }
    }
    for b in &t.branches {
        let Outcome::Dropped(d) = &b.outcome else { continue };
        // ExpressRoute ↔ VPN transit refused, or on-premises without a route where the sites are
        // behind ExpressRoute and VPN of one hub: R67's conditions.
        if d.cause.lacks_r67() {
            out.extend(r67_fixes(m));
            continue;
        }
        match d.reason() {
            DropReason::IpForwardingOff => {
                if let Some(n) = b.steps.iter().rev().find_map(|s| match s.place {
                    super::Place::Nva(n) => Some(n),
                    _ => None,
                }) {
                    let name = m.nics[n.idx()].name.clone();
                    out.push(Candidate {
                        summary: format!("turn IP forwarding on for NIC `{name}`"),
                        edits: vec![set(BlockRef::Nic(name.clone()), "ip_forwarding", "true")],
                    });
                }
            }
            DropReason::PeeringAccessDisabled => {
                if let Some((f, to)) = b.steps.iter().rev().find_map(|s| match s.place {
                    super::Place::Peering { from, to, .. } => Some((from, to)),
                    _ => None,
                }) {
                    let (a, z) = (m.vnets[f.idx()].name.clone(), m.vnets[to.idx()].name.clone());
                    out.push(Candidate {
                        summary: format!("allow virtual network access on the {a} ↔ {z} peering (D11)"),
                        edits: vec![
                            set(
                                BlockRef::Peering { from: a.clone(), to: z.clone() },
                                "allow_virtual_network_access",
                                "true",
                            ),
                            set(
                                BlockRef::Peering { from: z.clone(), to: a.clone() },
                                "allow_virtual_network_access",
                                "true",
                            ),
                        ],
                    });
                }
            }
            DropReason::Loop => out.extend(loop_fixes(sim, b)),
            DropReason::NextHopUnreachable => out.extend(repoint_fixes(sim, b)),
            _ => {}
        }
    }
    // Not transitive: between two VNets that are not peered.
    let nontransit = reasons.iter().any(|r| {
        matches!(
            r,
            DropReason::NextHopNone | DropReason::NoRoute | DropReason::ToInternet | DropReason::NextHopUnreachable
        )
    });
    if nontransit
        && let (Some(sv), Some(dv)) = (src.vnet(m), dst.vnet(m))
        && sv != dv
    {
        // The same pair from either direction gives the same edits: order the ends by name.
        let (src, dst, sv, dv) =
            if m.vnets[sv.idx()].name <= m.vnets[dv.idx()].name { (src, dst, sv, dv) } else { (dst, src, dv, sv) };
        let (a, z) = (&m.vnets[sv.idx()].name, &m.vnets[dv.idx()].name);
        let peered = m.connected_peers(sv).any(|(_, w)| w == dv);
        if !peered {
            out.push(Candidate {
                summary: format!("peer {a} with {z} (peering is not transitive, R37)"),
                edits: vec![Edit::AddBlock {
                    kind: BlockKind::Peering,
                    toml: format!("[[peering]]\nvnets = [{}, {}]\n", q(a), q(z)),
                }],
            });
        }
        out.extend(hub_udr_fixes(sim, src, dst, sv, dv));
    }
    out
}

/// Forwarders in a VNet: firewalls, load-balancer frontends, NICs with IP forwarding (by name).
fn forwarders(m: &Model, v: VnetId) -> Vec<(String, IpAddr)> {
    let mut out: Vec<(String, IpAddr)> = Vec::new();
    let mut fws: Vec<&Firewall> = m.firewalls.iter().filter(|f| f.vnet == v).collect();
    fws.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(fws.iter().map(|f| (format!("firewall `{}`", f.name), f.ip)));
    let mut lbs: Vec<&LoadBalancer> = m.load_balancers.iter().filter(|l| l.vnet == v).collect();
    lbs.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(lbs.iter().map(|l| (format!("load balancer `{}`", l.name), l.frontend_ip)));
    let mut nics: Vec<&Nic> = m.nics.iter().filter(|n| n.vnet == v && n.ip_forwarding).collect();
    nics.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(nics.iter().map(|n| (format!("NVA `{}`", n.name), n.ip)));
    out
}

/// Edits that send `prefixes` from subnet `s` to `ip` (a new route table, or routes added to its own).
fn udr_edits(m: &Model, s: SubnetId, prefixes: &[IpNet], ip: IpAddr, to_name: &str) -> (String, Vec<Edit>) {
    let sub = &m.subnets[s.idx()];
    let path = m.subnet_path(s);
    let routes = |with_header: bool| -> Vec<String> {
        prefixes
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let name =
                    if prefixes.len() == 1 { format!("to-{to_name}") } else { format!("to-{to_name}-{}", i + 1) };
                let body = format!(
                    "name = {}\nprefix = \"{p}\"\nnext_hop_type = \"VirtualAppliance\"\nnext_hop_ip = \"{ip}\"\n",
                    q(&name)
                );
                if with_header {
                    format!("  [[route_table.route]]\n  {}", body.trim_end().replace('\n', "\n  "))
                } else {
                    body
                }
            })
            .collect()
    };
    match sub.route_table {
        Some(rt) => {
            let name = m.route_tables[rt.idx()].name.clone();
            (
                format!("routes in `{name}` (on {path})"),
                routes(false).into_iter().map(|toml| Edit::AddRoute { table: name.clone(), toml }).collect(),
            )
        }
        None => {
            let name = format!("rt-{}-{}", m.vnets[sub.vnet.idx()].name, sub.name);
            let toml = format!("[[route_table]]\nname = {}\n\n{}\n", q(&name), routes(true).join("\n\n"));
            (
                format!("route table `{name}` on {path}"),
                vec![
                    Edit::AddBlock { kind: BlockKind::RouteTable, toml },
                    set(subnet_ref(m, s), "route_table", &q(&name)),
                ],
            )
        }
    }
}

/// UDRs in both subnets to a forwarder in a hub both VNets are peered with (R37's second fix).
fn hub_udr_fixes(sim: &Simulation, src: &Host, dst: &Host, sv: VnetId, dv: VnetId) -> Vec<Candidate> {
    let m = &sim.model;
    let (Some(ss), Some(ds)) = (src.subnet(m), dst.subnet(m)) else { return Vec::new() };
    let mut hubs: Vec<VnetId> =
        m.connected_peers(sv).map(|(_, w)| w).filter(|w| m.connected_peers(*w).any(|(_, x)| x == dv)).collect();
    hubs.sort_by(|a, b| m.vnets[a.idx()].name.cmp(&m.vnets[b.idx()].name));
    let mut out = Vec::new();
    for h in hubs {
        let hub = m.vnets[h.idx()].name.clone();
        let sname = m.vnets[sv.idx()].name.clone();
        let dname = m.vnets[dv.idx()].name.clone();
        let mut fw = forwarders(m, h);
        let mut pre: Vec<Edit> = Vec::new();
        if fw.is_empty() {
            // Add an Azure Firewall (and its subnet) to the hub.
            let Some((subnet, ip, edits)) = add_firewall(m, h) else { continue };
            let _ = subnet;
            pre = edits;
            fw.push((format!("a new firewall `afw-{hub}`"), ip));
        }
        for (what, ip) in fw.into_iter().take(2) {
            let (a_desc, a) = udr_edits(m, ss, &m.vnets[dv.idx()].address_space, ip, &dname);
            let (b_desc, b) = udr_edits(m, ds, &m.vnets[sv.idx()].address_space, ip, &sname);
            let mut edits = pre.clone();
            edits.extend(a);
            edits.extend(b);
            out.push(Candidate {
                summary: format!("route {sname} ↔ {dname} through {what} ({ip}) in {hub}: {a_desc} and {b_desc}"),
                edits,
            });
        }
    }
    out
}

/// An AzureFirewallSubnet (/26, free inside the hub's space) and a firewall in it.
fn add_firewall(m: &Model, h: VnetId) -> Option<(IpNet, IpAddr, Vec<Edit>)> {
    let v = &m.vnets[h.idx()];
    let mut edits = Vec::new();
    let subnet = match v.subnets.iter().find(|s| m.subnets[s.idx()].role == SubnetRole::Firewall) {
        Some(s) => m.subnets[s.idx()].prefix,
        None => {
            let used: Vec<IpNet> = v.subnets.iter().map(|s| m.subnets[s.idx()].prefix).collect();
            let free = v
                .address_space
                .iter()
                .filter(|a| matches!(a, IpNet::V4(_)) && a.prefix_len() <= 26)
                .flat_map(|a| a.subnets(26).into_iter().flatten())
                .find(|c| !used.iter().any(|u| overlaps(u, c)))?;
            edits.push(Edit::AddSubnet {
                vnet: v.name.clone(),
                toml: format!("name = \"AzureFirewallSubnet\"\nprefix = \"{free}\"\n"),
            });
            free
        }
    };
    let ip = nth_host(&subnet, 4)?;
    edits.push(Edit::AddBlock {
        kind: BlockKind::Firewall,
        toml: format!("[[firewall]]\nname = {}\nvnet = {}\n", q(&format!("afw-{}", v.name)), q(&v.name)),
    });
    Some((subnet, ip, edits))
}

/// D12: an NVA subnet that receives its own route back.
fn loop_fixes(sim: &Simulation, b: &super::Branch) -> Vec<Candidate> {
    let m = &sim.model;
    let mut out = Vec::new();
    let Some((n, prefix)) = b.steps.iter().rev().find_map(|s| match (&s.place, &s.route) {
        (super::Place::Nva(n), Some(r)) => Some((*n, r.prefix)),
        _ => None,
    }) else {
        return out;
    };
    let s = m.nics[n.idx()].subnet;
    let path = m.subnet_path(s);
    match m.subnets[s.idx()].route_table {
        Some(rt) => {
            let name = m.route_tables[rt.idx()].name.clone();
            out.push(Candidate {
                summary: format!("turn gateway route propagation off in `{name}` on the NVA subnet {path} (D12)"),
                edits: vec![set(BlockRef::RouteTable(name.clone()), "disable_bgp_route_propagation", "true")],
            });
        }
        None => {
            let sub = &m.subnets[s.idx()];
            let name = format!("rt-{}-{}", m.vnets[sub.vnet.idx()].name, sub.name);
            out.push(Candidate {
                summary: format!("a route table with gateway route propagation off on the NVA subnet {path} (D12)"),
                edits: vec![
                    Edit::AddBlock {
                        kind: BlockKind::RouteTable,
                        toml: format!("[[route_table]]\nname = {}\ndisable_bgp_route_propagation = true\n", q(&name)),
                    },
                    set(subnet_ref(m, s), "route_table", &q(&name)),
                ],
            });
        }
    }
    if prefix.prefix_len() == 0 {
        let (desc, edits) = udr_internet(m, s, prefix);
        out.push(Candidate {
            summary: format!("send {prefix} from the NVA subnet to the Internet: {desc} (D12)"),
            edits,
        });
    }
    out
}

fn udr_internet(m: &Model, s: SubnetId, prefix: IpNet) -> (String, Vec<Edit>) {
    let sub = &m.subnets[s.idx()];
    let path = m.subnet_path(s);
    let body = format!("name = \"nva-egress\"\nprefix = \"{prefix}\"\nnext_hop_type = \"Internet\"\n");
    match sub.route_table {
        Some(rt) => {
            let name = m.route_tables[rt.idx()].name.clone();
            (format!("a route in `{name}`"), vec![Edit::AddRoute { table: name, toml: body }])
        }
        None => {
            let name = format!("rt-{}-{}", m.vnets[sub.vnet.idx()].name, sub.name);
            (
                format!("route table `{name}` on {path}"),
                vec![
                    Edit::AddBlock {
                        kind: BlockKind::RouteTable,
                        toml: format!(
                            "[[route_table]]\nname = {}\n\n  [[route_table.route]]\n  {}\n",
                            q(&name),
                            body.trim_end().replace('\n', "\n  ")
                        ),
                    },
                    set(subnet_ref(m, s), "route_table", &q(&name)),
                ],
            )
        }
    }
}

/// R67: the missing conditions for ExpressRoute ↔ VPN transit, as edits.
fn r67_fixes(m: &Model) -> Vec<Candidate> {
    let mut out = Vec::new();
    for r in &m.route_servers {
        let mut edits = Vec::new();
        if !r.branch_to_branch {
            edits.push(set(BlockRef::RouteServer(r.name.clone()), "branch_to_branch", "true"));
        }
        if let Some(g) = m.ix.vpn_gateway[r.vnet.idx()] {
            let g = &m.gateways[g.idx()];
            if !g.active_active {
                edits.push(set(BlockRef::Gateway(g.name.clone()), "active_active", "true"));
            }
            if g.asn != AZURE_ASN {
                edits.push(set(BlockRef::Gateway(g.name.clone()), "asn", &AZURE_ASN.to_string()));
            }
        }
        if !edits.is_empty() {
            out.push(Candidate {
                summary: format!(
                    "meet R67 in {}: branch-to-branch, active-active VPN, VPN ASN 65515",
                    m.vnets[r.vnet.idx()].name
                ),
                edits,
            });
        }
    }
    out
}

/// D17: a user route whose next hop nobody holds; point it at a forwarding device that exists in
/// the subnet's VNet or a peered one (R28, R42).
fn repoint_fixes(sim: &Simulation, b: &super::Branch) -> Vec<Candidate> {
    let m = &sim.model;
    let Some(route) = b.steps.iter().rev().find_map(|s| s.route.as_ref().filter(|r| r.udr().is_some())) else {
        return Vec::new();
    };
    let Some(sub) = route.subnet() else { return Vec::new() };
    let Some(rt) = m.subnets[sub.idx()].route_table else { return Vec::new() };
    let table = m.route_tables[rt.idx()].name.clone();
    let name = route.udr().unwrap_or_default().to_string();
    let v = m.subnets[sub.idx()].vnet;
    let mut devices = forwarders(m, v);
    for (_, w) in m.connected_peers(v) {
        devices.extend(forwarders(m, w));
    }
    devices
        .into_iter()
        .filter(|(_, ip)| Some(*ip) != route.next_hop_ip)
        .take(3)
        .map(|(what, ip)| Candidate {
            summary: format!("point route `{name}` of `{table}` at {what} ({ip}), which exists (D17)"),
            edits: vec![set(
                BlockRef::Route { table: table.clone(), route: name.clone() },
                "next_hop_ip",
                &format!("\"{ip}\""),
            )],
        })
        .collect()
}
