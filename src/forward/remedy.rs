//! The catalogue of fixes: which typed edits of the scenario could fix which typed drop. Each
//! candidate is a [`Fix`] — what it does ([`Remedy`], said in words by `report`) and its edits.
//! Nothing here tries them: `app::fix` applies candidates to the built model, re-simulates, keeps
//! those under which the flow delivers, and proves each kept one on the edited scenario text.
//!
//! Catalogue (azure-routing.md "Forwarding", R37, D4, D11, D12, D17, R31, R67):
//! - not transitive (`NextHopNone`, `NoRoute`, `ToInternet`, `NextHopUnreachable` between two
//!   VNets): peer the two VNets; or UDRs in both subnets to a firewall/NVA in a hub both are peered
//!   with (adding an Azure Firewall and its subnet to the hub when it has none);
//! - a route filtered by D4: `allow_remote_vnet_traffic = true` on the gateways that have it off;
//! - a route not installed because of R31: propagation back on in that route table;
//! - `IpForwardingOff`: `ip_forwarding = true` on the NIC;
//! - `PeeringAccessDisabled`: `allow_virtual_network_access = true` on the peering;
//! - `Loop` in an NVA subnet: propagation off there, or a UDR toward the Internet for a default route;
//! - `NextHopUnreachable`: point the route at a forwarding device that exists;
//! - R67's conditions missing (`NoErVpnTransit`, or on-premises without a route to a site behind
//!   the other gateway of an ExpressRoute + VPN hub): the missing conditions;
//! - `AsymmetricStatefulFirewall` (D19): a user route sending the other direction through the
//!   stateful device too, in the first subnet on that path that can reach it (typically the
//!   GatewaySubnet route that steers on-premises traffic through the hub firewall);
//! - `NoDefaultSite` (D20): a connected site as the VPN gateway's default site.
//!
//! A remedy names what it changes as the scenario does (by name, not by id): a fix found on an
//! edited design is said against that design.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{Branch, Host, Outcome, Place, Reach, Trace};
use super::{DropCause, DropReason};
use crate::limits::{R67Missing, er_vpn_transit};
use crate::model::*;
use crate::net::{AZURE_ASN, nth_host, overlaps};
use crate::scenario::edit::{BlockKind, BlockRef, Edit};
use crate::simulation::Simulation;

/// A fix: what it does and the edits that do it (a candidate until verified; `Reach::fixes` holds
/// only verified ones). Several candidates together are one fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does, one remedy per candidate joined.
    pub remedies: Vec<Remedy>,
    /// The edits, in order.
    pub edits: Vec<Edit>,
}

/// A forwarding device traffic can be routed through, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Appliance {
    /// An Azure Firewall.
    Firewall(String),
    /// An internal load balancer's frontend.
    LoadBalancer(String),
    /// A NIC with IP forwarding.
    Nva(String),
    /// A firewall the fix adds.
    NewFirewall(String),
}

/// The route table of a subnet that a fix edits: its own, or a new one the fix attaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableOn {
    /// The subnet (`vnet/subnet`).
    pub subnet: String,
    /// The route table.
    pub table: String,
    /// Whether the fix adds the table.
    pub new: bool,
}

/// What a fix does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// `allow_remote_vnet_traffic = true` on gateways that have it off (D4).
    AllowRemoteVnetTraffic {
        /// The gateways.
        gateways: Vec<String>,
    },
    /// Gateway route propagation back on in a route table (R31).
    PropagationOn {
        /// The route table.
        route_table: String,
    },
    /// IP forwarding on for a NIC (R28).
    IpForwarding {
        /// The NIC.
        nic: String,
    },
    /// `allow_virtual_network_access = true` on both directions of a peering (D11).
    PeeringAccess {
        /// One VNet.
        from: String,
        /// The other.
        to: String,
    },
    /// Gateway route propagation off on an NVA subnet that gets its own route back (D12).
    NvaPropagationOff(TableOn),
    /// A route sending the NVA subnet's default route to the Internet (D12).
    NvaEgress {
        /// The prefix.
        prefix: IpNet,
        /// Where the route goes.
        at: TableOn,
    },
    /// Point a user route at a forwarding device that exists (D17).
    Repoint {
        /// The route table.
        route_table: String,
        /// The route.
        route: String,
        /// The device.
        to: Appliance,
        /// Its address.
        ip: IpAddr,
    },
    /// Meet R67's conditions in a hub.
    MeetR67 {
        /// The hub VNet.
        hub: String,
    },
    /// Peer two VNets (peering is not transitive, R37).
    Peer {
        /// One VNet.
        a: String,
        /// The other.
        z: String,
    },
    /// A route sending the direction that misses a stateful device through it too (D19).
    Through {
        /// The device.
        device: Appliance,
        /// Its address.
        ip: IpAddr,
        /// The prefix the route covers (the one that direction used there).
        prefix: IpNet,
        /// Where the route goes.
        at: TableOn,
    },
    /// A connected site as the VPN gateway's default site (D20).
    DefaultSite {
        /// The gateway.
        gateway: String,
        /// The local gateway.
        site: String,
    },
    /// UDRs in both subnets through a forwarder in a hub both VNets are peered with (R37).
    HubRoutes {
        /// One VNet.
        a: String,
        /// The other.
        z: String,
        /// The hub.
        hub: String,
        /// The forwarder.
        via: Appliance,
        /// Its address.
        ip: IpAddr,
        /// The routes on `a`'s subnet.
        a_side: TableOn,
        /// The routes on `z`'s subnet.
        z_side: TableOn,
    },
}

fn one(remedy: Remedy, edits: Vec<Edit>) -> Fix {
    Fix { remedies: vec![remedy], edits }
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

/// The candidates for each direction of `r` that did not deliver.
pub fn per_direction(sim: &Simulation, r: &Reach) -> Vec<Vec<Fix>> {
    let mut out = Vec::new();
    for (t, other) in [(Some(&r.forward), r.back.as_ref()), (r.back.as_ref(), Some(&r.forward))] {
        let Some(t) = t.filter(|t| !t.delivered()) else { continue };
        let mut c = candidates(sim, t);
        if let Some(other) = other {
            c.extend(stateful_fixes(&sim.model, t, other));
        }
        out.push(c);
    }
    out
}

/// D19: for each stateful device only `t` crosses, a user route on the `other` direction's path
/// through it: in the first subnet there whose VNet holds the device or is peered with it (not the
/// device's own subnet), for the prefix that direction used there.
fn stateful_fixes(m: &Model, t: &Trace, other: &Trace) -> Vec<Fix> {
    let mut out: Vec<Fix> = Vec::new();
    for d in t.drops() {
        let DropCause::AsymmetricStateful { device, .. } = d.cause else { continue };
        let (appliance, ip, vnet, own) = match device {
            super::Forwarder::Firewall(f) => {
                let f = &m.firewalls[f.idx()];
                (Appliance::Firewall(f.name.clone()), f.ip, f.vnet, f.subnet)
            }
            super::Forwarder::Nva(n) => {
                let n = &m.nics[n.idx()];
                (Appliance::Nva(n.name.clone()), n.ip, n.vnet, n.subnet)
            }
        };
        let reaches = |s: SubnetId| {
            let v = m.subnets[s.idx()].vnet;
            s != own && (v == vnet || m.connected_peers(v).any(|(_, w)| w == vnet))
        };
        for b in &other.branches {
            let Some(route) = b.steps.iter().filter_map(|s| s.route.as_ref()).find(|r| r.subnet().is_some_and(reaches))
            else {
                continue;
            };
            let s = route.subnet().expect("a subnet's route");
            let name = format!("via-{}", appliance_name(&appliance));
            let body = route_body(
                &name,
                route.prefix,
                &format!("next_hop_type = \"VirtualAppliance\"\nnext_hop_ip = \"{ip}\"\n"),
            );
            let (at, edits) = into_table(m, s, "", &[body]);
            let fix = one(Remedy::Through { device: appliance.clone(), ip, prefix: route.prefix, at }, edits);
            if !out.contains(&fix) {
                out.push(fix);
            }
        }
    }
    out
}

fn appliance_name(a: &Appliance) -> &str {
    match a {
        Appliance::Firewall(n) | Appliance::LoadBalancer(n) | Appliance::Nva(n) | Appliance::NewFirewall(n) => n,
    }
}

/// The candidates for one direction's drops, in catalogue order (one per dropping branch where
/// the fix is the branch's).
pub fn candidates(sim: &Simulation, t: &Trace) -> Vec<Fix> {
    let m = &sim.model;
    let mut out = Vec::new();
    // D4 and R31: a route to the destination existed but was filtered or not installed.
    if let Some(s) = t.from.host.subnet(m) {
        let f = super::why::filtered(sim, s, t.to.ip);
        if !f.remote_vnet_off.is_empty() {
            let gateways: Vec<String> = f.remote_vnet_off.iter().map(|g| m.gateways[g.idx()].name.clone()).collect();
            let edits = gateways.iter().map(|n| set(BlockRef::Gateway(n.clone()), "allow_remote_vnet_traffic", "true"));
            out.push(one(Remedy::AllowRemoteVnetTraffic { gateways: gateways.clone() }, edits.collect()));
        }
        if let Some(rt) = f.propagation_off {
            let route_table = m.route_tables[rt.idx()].name.clone();
            let edit = set(BlockRef::RouteTable(route_table.clone()), "disable_bgp_route_propagation", "false");
            out.push(one(Remedy::PropagationOn { route_table }, vec![edit]));
        }
    }
    for b in &t.branches {
        if let Outcome::Dropped(d) = &b.outcome {
            out.extend(for_branch(sim, b, &d.cause));
        }
    }
    // Not transitive: between two VNets that are not peered.
    let nontransit = t.drops().iter().any(|d| {
        matches!(
            d.reason(),
            DropReason::NextHopNone | DropReason::NoRoute | DropReason::ToInternet | DropReason::NextHopUnreachable
        )
    });
    if nontransit {
        out.extend(not_transitive(sim, &t.from.host, &t.to.host));
    }
    out
}

/// The candidates for one dropping branch.
fn for_branch(sim: &Simulation, b: &Branch, cause: &DropCause) -> Vec<Fix> {
    let m = &sim.model;
    // ExpressRoute ↔ VPN transit refused, or on-premises without a route where the sites are
    // behind ExpressRoute and VPN of one hub: R67's conditions.
    if cause.lacks_r67() {
        return r67_fixes(m);
    }
    match cause {
        DropCause::IpForwardingOff { nic, .. } => {
            let nic = m.nics[nic.idx()].name.clone();
            let edit = set(BlockRef::Nic(nic.clone()), "ip_forwarding", "true");
            vec![one(Remedy::IpForwarding { nic }, vec![edit])]
        }
        DropCause::PeeringAccessOff { peering } => {
            let p = &m.peerings[peering.idx()];
            let (a, z) = (m.vnets[p.from.idx()].name.clone(), m.vnets[p.to.idx()].name.clone());
            let access = |from: &str, to: &str| {
                set(BlockRef::Peering { from: from.into(), to: to.into() }, "allow_virtual_network_access", "true")
            };
            let edits = vec![access(&a, &z), access(&z, &a)];
            vec![one(Remedy::PeeringAccess { from: a, to: z }, edits)]
        }
        DropCause::Loop { .. } => loop_fixes(m, b),
        DropCause::NoDefaultSite { gateway, .. } => default_site_fixes(m, *gateway),
        c if c.reason() == DropReason::NextHopUnreachable => repoint_fixes(m, b),
        _ => Vec::new(),
    }
}

/// Between two VNets that are not peered (R37): peer them, or route both through a hub both are
/// peered with.
fn not_transitive(sim: &Simulation, src: &Host, dst: &Host) -> Vec<Fix> {
    let m = &sim.model;
    let (Some(sv), Some(dv)) = (src.vnet(m), dst.vnet(m)) else { return Vec::new() };
    if sv == dv {
        return Vec::new();
    }
    // The same pair from either direction gives the same edits: order the ends by name.
    let (src, dst, sv, dv) =
        if m.vnets[sv.idx()].name <= m.vnets[dv.idx()].name { (src, dst, sv, dv) } else { (dst, src, dv, sv) };
    let (a, z) = (m.vnets[sv.idx()].name.clone(), m.vnets[dv.idx()].name.clone());
    let mut out = Vec::new();
    if !m.connected_peers(sv).any(|(_, w)| w == dv) {
        let toml = format!("[[peering]]\nvnets = [{}, {}]\n", q(&a), q(&z));
        out.push(one(Remedy::Peer { a, z }, vec![Edit::AddBlock { kind: BlockKind::Peering, toml }]));
    }
    out.extend(hub_udr_fixes(m, src, dst, sv, dv));
    out
}

/// Forwarders in a VNet: firewalls, load-balancer frontends, NICs with IP forwarding (by name).
fn forwarders(m: &Model, v: VnetId) -> Vec<(Appliance, IpAddr)> {
    let mut out: Vec<(Appliance, IpAddr)> = Vec::new();
    let mut fws: Vec<&Firewall> = m.firewalls.iter().filter(|f| f.vnet == v).collect();
    fws.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(fws.iter().map(|f| (Appliance::Firewall(f.name.clone()), f.ip)));
    let mut lbs: Vec<&LoadBalancer> = m.load_balancers.iter().filter(|l| l.vnet == v).collect();
    lbs.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(lbs.iter().map(|l| (Appliance::LoadBalancer(l.name.clone()), l.frontend_ip)));
    let mut nics: Vec<&Nic> = m.nics.iter().filter(|n| n.vnet == v && n.ip_forwarding).collect();
    nics.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(nics.iter().map(|n| (Appliance::Nva(n.name.clone()), n.ip)));
    out
}

/// A `[[route_table.route]]` body (its keys).
fn route_body(name: &str, prefix: IpNet, next_hop: &str) -> String {
    format!("name = {}\nprefix = \"{prefix}\"\n{next_hop}", q(name))
}

/// Edits putting routes (their bodies) into subnet `s`'s route table: added to its own, or in a
/// new table `rt-{vnet}-{subnet}` attached to it, with `keys` (say, propagation off) first.
fn into_table(m: &Model, s: SubnetId, keys: &str, routes: &[String]) -> (TableOn, Vec<Edit>) {
    let sub = &m.subnets[s.idx()];
    let subnet = m.subnet_path(s);
    if let Some(rt) = sub.route_table {
        let table = m.route_tables[rt.idx()].name.clone();
        let edits = routes.iter().map(|toml| Edit::AddRoute { table: table.clone(), toml: toml.clone() }).collect();
        return (TableOn { subnet, table, new: false }, edits);
    }
    let table = format!("rt-{}-{}", m.vnets[sub.vnet.idx()].name, sub.name);
    let mut toml = format!("[[route_table]]\nname = {}\n{keys}", q(&table));
    if !routes.is_empty() {
        let nested: Vec<String> = routes
            .iter()
            .map(|body| format!("  [[route_table.route]]\n  {}", body.trim_end().replace('\n', "\n  ")))
            .collect();
        toml.push_str(&format!("\n{}\n", nested.join("\n\n")));
    }
    let edits =
        vec![Edit::AddBlock { kind: BlockKind::RouteTable, toml }, set(subnet_ref(m, s), "route_table", &q(&table))];
    (TableOn { subnet, table, new: true }, edits)
}

/// Edits that send `prefixes` from subnet `s` to `ip` (named `to-{to_name}`, numbered when several).
fn udr_edits(m: &Model, s: SubnetId, prefixes: &[IpNet], ip: IpAddr, to_name: &str) -> (TableOn, Vec<Edit>) {
    let routes: Vec<String> = prefixes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = if prefixes.len() == 1 { format!("to-{to_name}") } else { format!("to-{to_name}-{}", i + 1) };
            let next_hop = format!("next_hop_type = \"VirtualAppliance\"\nnext_hop_ip = \"{ip}\"\n");
            route_body(&name, *p, &next_hop)
        })
        .collect();
    into_table(m, s, "", &routes)
}

/// UDRs in both subnets to a forwarder in a hub both VNets are peered with (R37's second fix).
fn hub_udr_fixes(m: &Model, src: &Host, dst: &Host, sv: VnetId, dv: VnetId) -> Vec<Fix> {
    let (Some(ss), Some(ds)) = (src.subnet(m), dst.subnet(m)) else { return Vec::new() };
    let mut hubs: Vec<VnetId> =
        m.connected_peers(sv).map(|(_, w)| w).filter(|w| m.connected_peers(*w).any(|(_, x)| x == dv)).collect();
    hubs.sort_by(|a, b| m.vnets[a.idx()].name.cmp(&m.vnets[b.idx()].name));
    let (a, z) = (m.vnets[sv.idx()].name.clone(), m.vnets[dv.idx()].name.clone());
    let mut out = Vec::new();
    for h in hubs {
        let mut fw = forwarders(m, h);
        let mut pre: Vec<Edit> = Vec::new();
        if fw.is_empty() {
            // Add an Azure Firewall (and its subnet) to the hub.
            let Some((name, ip, edits)) = add_firewall(m, h) else { continue };
            pre = edits;
            fw.push((Appliance::NewFirewall(name), ip));
        }
        for (via, ip) in fw.into_iter().take(2) {
            let (a_side, a_edits) = udr_edits(m, ss, &m.vnets[dv.idx()].address_space, ip, &z);
            let (z_side, z_edits) = udr_edits(m, ds, &m.vnets[sv.idx()].address_space, ip, &a);
            let edits = pre.iter().cloned().chain(a_edits).chain(z_edits).collect();
            let hub = m.vnets[h.idx()].name.clone();
            out.push(one(Remedy::HubRoutes { a: a.clone(), z: z.clone(), hub, via, ip, a_side, z_side }, edits));
        }
    }
    out
}

/// An AzureFirewallSubnet (/26, free inside the hub's space) and a firewall `afw-{hub}` in it:
/// the firewall's name, its address, the edits.
fn add_firewall(m: &Model, h: VnetId) -> Option<(String, IpAddr, Vec<Edit>)> {
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
    let name = format!("afw-{}", v.name);
    edits.push(Edit::AddBlock {
        kind: BlockKind::Firewall,
        toml: format!("[[firewall]]\nname = {}\nvnet = {}\n", q(&name), q(&v.name)),
    });
    Some((name, ip, edits))
}

/// D12: an NVA subnet that receives its own route back.
fn loop_fixes(m: &Model, b: &Branch) -> Vec<Fix> {
    let Some((n, prefix)) = b.steps.iter().rev().find_map(|s| match (&s.place, &s.route) {
        (Place::Nva(n), Some(r)) => Some((*n, r.prefix)),
        _ => None,
    }) else {
        return Vec::new();
    };
    let s = m.nics[n.idx()].subnet;
    let mut out = Vec::new();
    match m.subnets[s.idx()].route_table {
        Some(rt) => {
            let table = m.route_tables[rt.idx()].name.clone();
            let edit = set(BlockRef::RouteTable(table.clone()), "disable_bgp_route_propagation", "true");
            out.push(one(
                Remedy::NvaPropagationOff(TableOn { subnet: m.subnet_path(s), table, new: false }),
                vec![edit],
            ));
        }
        None => {
            let (at, edits) = into_table(m, s, "disable_bgp_route_propagation = true\n", &[]);
            out.push(one(Remedy::NvaPropagationOff(at), edits));
        }
    }
    if prefix.prefix_len() == 0 {
        let body = route_body("nva-egress", prefix, "next_hop_type = \"Internet\"\n");
        let (at, edits) = into_table(m, s, "", &[body]);
        out.push(one(Remedy::NvaEgress { prefix, at }, edits));
    }
    out
}

/// D20: each site the VPN gateway has a connection to, as its default site.
fn default_site_fixes(m: &Model, g: GatewayId) -> Vec<Fix> {
    let gateway = m.gateways[g.idx()].name.clone();
    let mut sites: Vec<String> = m.ix.gateway_connections[g.idx()]
        .iter()
        .filter_map(|c| match m.connections[c.idx()].kind {
            ConnectionKind::SiteToSite { local_gateway, .. } => {
                Some(m.local_gateways[local_gateway.idx()].name.clone())
            }
            _ => None,
        })
        .collect();
    sites.sort();
    sites.dedup();
    sites
        .into_iter()
        .map(|site| {
            let edit = set(BlockRef::Gateway(gateway.clone()), "default_site", &q(&site));
            one(Remedy::DefaultSite { gateway: gateway.clone(), site }, vec![edit])
        })
        .collect()
}

/// R67: the missing conditions for ExpressRoute ↔ VPN transit, as edits, per route server's hub.
fn r67_fixes(m: &Model) -> Vec<Fix> {
    let mut out = Vec::new();
    for r in &m.route_servers {
        let edits: Vec<Edit> = er_vpn_transit(m, r.vnet)
            .into_iter()
            .filter_map(|missing| match missing {
                R67Missing::BranchToBranchOff(rs) => {
                    Some(set(BlockRef::RouteServer(m.route_servers[rs.idx()].name.clone()), "branch_to_branch", "true"))
                }
                R67Missing::NotActiveActive(g) => {
                    Some(set(BlockRef::Gateway(m.gateways[g.idx()].name.clone()), "active_active", "true"))
                }
                R67Missing::VpnAsn(g) => {
                    Some(set(BlockRef::Gateway(m.gateways[g.idx()].name.clone()), "asn", &AZURE_ASN.to_string()))
                }
                // Not an edit of a setting: a gateway or the route server itself is missing.
                R67Missing::NoRouteServer(_) | R67Missing::NoVpnGateway(_) | R67Missing::NoErGateway(_) => None,
            })
            .collect();
        if !edits.is_empty() {
            out.push(one(Remedy::MeetR67 { hub: m.vnets[r.vnet.idx()].name.clone() }, edits));
        }
    }
    out
}

/// D17: a user route whose next hop nobody holds; point it at a forwarding device that exists in
/// the subnet's VNet or a peered one (R28, R42).
fn repoint_fixes(m: &Model, b: &Branch) -> Vec<Fix> {
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
        .map(|(to, ip)| {
            let block = BlockRef::Route { table: table.clone(), route: name.clone() };
            let edit = set(block, "next_hop_ip", &format!("\"{ip}\""));
            one(Remedy::Repoint { route_table: table.clone(), route: name.clone(), to, ip }, vec![edit])
        })
        .collect()
}
