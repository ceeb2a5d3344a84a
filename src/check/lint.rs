//! Design lint over a simulated estate: warnings (R32, D17, R58, R67, R41, R77, session drops,
//! undocumented limits) and design findings (limits Azure enforces by refusing the change, Part K).

use std::collections::BTreeMap;

use ipnet::IpNet;

use crate::bgp::{Reason, SessionKind, Speaker};
use crate::diag::{Code, Diagnostic};
use crate::limits;
use crate::model::*;
use crate::rules::{Rule, RuleSet};
use crate::simulation::Simulation;

/// Warnings and findings of a simulated design, in a stable order (by code, then message).
pub fn lint(sim: &Simulation) -> Vec<Diagnostic> {
    let m = &sim.model;
    let mut out = Vec::new();
    special_subnets(m, &mut out);
    udr_next_hops(sim, &mut out);
    gateways(m, &mut out);
    sessions(sim, &mut out);
    onprem_inside_azure(sim, &mut out);
    findings(sim, &mut out);
    out.sort_by(|a, b| (a.severity, a.code, &a.message).cmp(&(b.severity, b.code, &b.message)));
    out
}

/// R32: GatewaySubnet and RouteServerSubnet route-table rules.
fn special_subnets(m: &Model, out: &mut Vec<Diagnostic>) {
    for (i, s) in m.subnets.iter().enumerate() {
        let Some(rt) = s.route_table else { continue };
        let t = &m.route_tables[rt.idx()];
        let path = m.subnet_path(SubnetId(i as u32));
        match s.role {
            SubnetRole::RouteServer => out.push(
                Diagnostic::warning(
                    Code::RouteServerSubnetUdr,
                    format!("RouteServerSubnet {path} has route table `{}`; Route Server does not support one", t.name),
                )
                .at(s.span.clone())
                .help("remove `route_table` from RouteServerSubnet")
                .rule(Rule::R32),
            ),
            SubnetRole::Gateway => {
                if t.disable_bgp_route_propagation {
                    out.push(
                        Diagnostic::warning(Code::GatewaySubnetPropagation, format!("route table `{}` on {path} turns gateway route propagation off; GatewaySubnet needs it on", t.name))
                            .at(t.span.clone())
                            .help("set `disable_bgp_route_propagation = false` on this table, or use another table for GatewaySubnet")
                            .rule(Rule::R32),
                    );
                }
                let has_er = m.ix.er_gateway[s.vnet.idx()].is_some();
                for u in &t.routes {
                    if has_er && u.prefix.prefix_len() == 0 {
                        out.push(
                            Diagnostic::warning(Code::GatewaySubnetDefaultRoute, format!("route `{}` sends {} from {path}; a default route on GatewaySubnet with an ExpressRoute gateway is unsupported", u.name, u.prefix))
                                .at(u.span.clone())
                                .help("remove the default route from the GatewaySubnet table")
                                .rule(Rule::R32),
                        );
                    }
                    if u.next_hop_type == NextHopType::None && u.prefix.contains(&s.prefix) {
                        out.push(
                            Diagnostic::warning(
                                Code::GatewaySubnetNoneRoute,
                                format!(
                                    "route `{}` drops {} which covers {path} ({}); unsupported on GatewaySubnet",
                                    u.name, u.prefix, s.prefix
                                ),
                            )
                            .at(u.span.clone())
                            .help("remove the None route, or narrow it so it does not cover GatewaySubnet")
                            .rule(Rule::R32),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// D17, R28, R42, R58: user-route next hops nobody can serve.
fn udr_next_hops(sim: &Simulation, out: &mut Vec<Diagnostic>) {
    let m = &sim.model;
    for (ti, t) in m.route_tables.iter().enumerate() {
        let subnets = &m.ix.route_table_subnets[ti];
        for u in &t.routes {
            match u.next_hop_type {
                NextHopType::VirtualAppliance => {
                    let Some(ip) = u.next_hop_ip else { continue };
                    let nic = m.nics.iter().find(|n| n.ip == ip);
                    let holder = m.firewalls.iter().any(|f| f.ip == ip)
                        || m.load_balancers.iter().any(|l| l.frontend_ip == ip)
                        || nic.is_some_and(|n| n.ip_forwarding);
                    if !holder {
                        // Reported by validation (`unserved-next-hop`).
                        continue;
                    }
                    // Held, but is it reachable from the subnets using the table (same or peered VNet)?
                    for s in subnets {
                        let v = m.subnets[s.idx()].vnet;
                        let mut vnets = vec![v];
                        vnets.extend(m.connected_peers(v).map(|(_, w)| w));
                        let reachable = vnets.iter().any(|w| crate::forward::hosts::holder(m, *w, ip).is_some());
                        if !reachable {
                            out.push(
                                Diagnostic::warning(Code::UdrNextHopUnreachable, format!("route `{}` in `{}` sends {} to {ip}, which is neither in {} nor in a VNet peered with it", u.name, t.name, u.prefix, m.vnets[v.idx()].name))
                                    .at(u.span.clone())
                                    .help("a VirtualAppliance next hop must be in the same or a directly peered VNet, not beyond a gateway")
                                    .rule(RuleSet::of(&[Rule::D17, Rule::R42])),
                            );
                        }
                    }
                }
                NextHopType::VirtualNetworkGateway => {
                    let mut warned_default = std::collections::BTreeSet::new();
                    for s in subnets {
                        let v = m.subnets[s.idx()].vnet;
                        let vpn = m.domain_of(v).and_then(|h| m.ix.vpn_gateway[h.idx()]);
                        if let Some(g) = vpn
                            && u.prefix.prefix_len() == 0
                            && !has_default(sim, g, u.prefix)
                            && warned_default.insert(g)
                        {
                            let gw = &m.gateways[g.idx()].name;
                            out.push(
                                Diagnostic::warning(Code::NoDefaultSite, format!("route `{}` in `{}` sends {} to VPN gateway `{gw}`, which has no default site and no {} route: it drops that traffic instead of sending it to the Internet", u.name, t.name, u.prefix, u.prefix))
                                    .at(u.span.clone())
                                    .help(format!("set `default_site` on `{gw}` to the local gateway that should take it (forced tunnelling), or advertise a default route over BGP"))
                                    .rule(Rule::D20),
                            );
                        }
                        if vpn.is_none() {
                            out.push(
                                Diagnostic::warning(Code::UdrNoVpnGateway, format!("route `{}` in `{}` targets the virtual network gateway, but {} has no VPN gateway (user routes cannot target ExpressRoute)", u.name, t.name, m.subnet_path(*s)))
                                    .at(u.span.clone())
                                    .help("point the route at a VPN gateway's VNet, or at an NVA/firewall with VirtualAppliance")
                                    .rule(RuleSet::of(&[Rule::D17, Rule::R58])),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// D20: whether a VPN gateway has somewhere to send a default-route packet: a default site, or a
/// BGP or static route for `default` (0.0.0.0/0 or ::/0) in its table.
fn has_default(sim: &Simulation, g: GatewayId, default: IpNet) -> bool {
    sim.model.gateways[g.idx()].default_site.is_some()
        || sim.bgp.rib(sim.bgp.gateway_speaker[g.idx()]).iter().any(|(p, e)| *p == default && !e.best.is_empty())
}

/// R67 and R41 conditions on gateways; R77.
fn gateways(m: &Model, out: &mut Vec<Diagnostic>) {
    for (v, vnet) in m.vnets.iter().enumerate() {
        if let (Some(er), Some(vpn)) = (m.ix.er_gateway[v], m.ix.vpn_gateway[v]) {
            let missing = limits::er_vpn_transit(m, VnetId(v as u32));
            if !missing.is_empty() {
                let missing: Vec<String> = missing.iter().map(|x| x.describe(m)).collect();
                out.push(
                    Diagnostic::warning(Code::NoErVpnTransit, format!(
                        "no transit between ExpressRoute gateway `{}` and VPN gateway `{}`: {}",
                        m.gateways[er.idx()].name,
                        m.gateways[vpn.idx()].name,
                        missing.join("; ")
                    ))
                    .at(m.gateways[vpn.idx()].span.clone())
                    .help("on-premises sites behind ExpressRoute and behind VPN cannot reach each other through Azure unless all R67 conditions hold")
                    .rule(Rule::R67),
                );
            }
        }
        if let Some(g) = m.ix.vpn_gateway[v]
            && m.gateways[g.idx()].sku == GatewaySku::Basic
            && !m.ix.transit_spokes[v].is_empty()
        {
            out.push(
                Diagnostic::warning(
                    Code::BasicSkuTransit,
                    format!(
                        "VPN gateway `{}` is Basic: it gives peered VNets no gateway transit",
                        m.gateways[g.idx()].name
                    ),
                )
                .at(m.gateways[g.idx()].span.clone())
                .help("use VpnGw1 or larger")
                .rule(Rule::R41),
            );
        }
        if let Some(rs) = m.ix.route_server[v]
            && vnet.address_space.iter().any(|a| matches!(a, IpNet::V6(_)))
        {
            out.push(
                Diagnostic::warning(
                    Code::RouteServerIpv6,
                    format!(
                        "route server `{}` is in a VNet with IPv6 space; Route Server carries IPv4 only",
                        m.route_servers[rs.idx()].name
                    ),
                )
                .at(m.route_servers[rs.idx()].span.clone())
                .help("IPv6 routes are not exchanged with NVAs")
                .rule(Rule::R77),
            );
        }
    }
}

/// Who advertises a prefix into Azure from outside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Advertiser {
    Onprem(OnpremId),
    Nva(BgpPeerId),
}

/// D18: an on-premises or NVA advertisement equal to or inside a VNet's address space reaches the
/// gateways from two sides with equal AS-path length; which copy Azure keeps depends on route age.
/// Warned once per (advertiser, prefix, VNet), saying which subnets route it outside Azure in
/// ersim's outcome. A supernet of Azure space (10.0.0.0/8 over 10.1.0.0/16) is normal.
fn onprem_inside_azure(sim: &Simulation, out: &mut Vec<Diagnostic>) {
    let m = &sim.model;
    let mut spaces: std::collections::HashMap<IpNet, Vec<VnetId>> = std::collections::HashMap::new();
    for (i, v) in m.vnets.iter().enumerate() {
        for a in &v.address_space {
            spaces.entry(*a).or_default().push(VnetId(i as u32));
        }
    }
    let mut adverts: Vec<(Advertiser, IpNet, Span)> = Vec::new();
    for (i, o) in m.onprems.iter().enumerate() {
        adverts.extend(o.advertise.iter().map(|p| (Advertiser::Onprem(OnpremId(i as u32)), *p, o.span.clone())));
    }
    for (i, b) in m.bgp_peers.iter().enumerate() {
        adverts.extend(b.advertise.iter().map(|a| (Advertiser::Nva(BgpPeerId(i as u32)), a.prefix, b.span.clone())));
    }
    for (who, p, span) in adverts {
        // The address spaces containing p: p truncated to each shorter length, looked up.
        let covering: Vec<(IpNet, VnetId)> = (1..=p.prefix_len())
            .filter_map(|len| IpNet::new(p.network(), len).ok().map(|n| n.trunc()))
            .flat_map(|n| spaces.get(&n).into_iter().flatten().map(move |v| (n, *v)))
            .collect();
        for (space, v) in covering {
            out.push(d18_warning(sim, who, p, space, v, span.clone()));
        }
    }
}

fn d18_warning(sim: &Simulation, who: Advertiser, p: IpNet, space: IpNet, v: VnetId, span: Span) -> Diagnostic {
    let m = &sim.model;
    let (name, what) = match who {
        Advertiser::Onprem(o) => (m.onprems[o.idx()].name.as_str(), "on-premises router"),
        Advertiser::Nva(b) => (m.bgp_peers[b.idx()].name.as_str(), "NVA"),
    };
    let vnet = &m.vnets[v.idx()].name;
    let relation = if p == space { "equals" } else { "lies inside" };
    // Subnets whose table routes exactly p to this advertiser (its copy won there).
    let mut to_adv: Vec<String> = Vec::new();
    for s in 0..m.subnets.len() {
        let s = SubnetId(s as u32);
        let Some(dm) = sim.domain_of(m.subnets[s.idx()].vnet) else { continue };
        let Some(r) = dm.get(&p) else { continue };
        let from_adv = r.best.iter().any(|c| match (c.cand.origin, who) {
            (crate::bgp::Origin::Onprem(a), Advertiser::Onprem(b)) => a == b,
            (crate::bgp::Origin::Nva(a), Advertiser::Nva(b)) => a == b,
            _ => false,
        });
        if from_adv && sim.table(s).installed(r).is_ok() {
            to_adv.push(m.subnet_path(s));
        }
    }
    let outcome = if to_adv.is_empty() {
        format!("in ersim's outcome no subnet routes it to `{name}`; with the other copy, subnets that learn it would")
    } else {
        let shown: Vec<&str> = to_adv.iter().take(3).map(String::as_str).collect();
        let more = if to_adv.len() > 3 { format!(" and {} more", to_adv.len() - 3) } else { String::new() };
        format!(
            "in ersim's outcome {} subnet{} ({}{more}) route it to `{name}`; with the other copy they would route it to `{vnet}`",
            to_adv.len(),
            if to_adv.len() == 1 { "" } else { "s" },
            shown.join(", ")
        )
    };
    Diagnostic::warning(
        Code::OnpremPrefixInVnet,
        format!(
            "{what} `{name}` advertises {p}, which {relation} VNet `{vnet}`'s address space {space}: Azure learns it from two sides with equal AS-path length and which copy it keeps depends on route age; {outcome}"
        ),
    )
    .at(span)
    .help(format!("advertise a summary that does not fall inside Azure space, or remove {p} from `{name}`; if the overlap is intended (a migration), test both outcomes"))
    .rule(Rule::D18)
}

/// A session a prefix limit takes down carries nothing: an outage, so a design finding (Part K),
/// naming the session, the count, the limit and the remedy (R52, R66, R76). Once per session,
/// whichever direction propagation marked.
fn session_drops(sim: &Simulation, out: &mut Vec<Diagnostic>) {
    let m = &sim.model;
    let b = &sim.bgp;
    let mut seen = std::collections::BTreeSet::new();
    for s in &b.sessions {
        let Some(Reason::SessionDown { limit, count }) = &s.down else { continue };
        let (from, to) = (b.speakers[s.from.0 as usize], b.speakers[s.to.0 as usize]);
        if !seen.insert((s.kind, s.from.min(s.to), s.from.max(s.to))) {
            continue;
        }
        let (limit, count) = (*limit, *count);
        let d = match (s.kind, from, to) {
            (SessionKind::PrivatePeering, Speaker::Onprem(o), Speaker::Circuit(c))
            | (SessionKind::PrivatePeering, Speaker::Circuit(c), Speaker::Onprem(o)) => {
                let (o, circuit) = (&m.onprems[o.idx()], &m.circuits[c.idx()]);
                let family =
                    limits::private_peering_drop(&o.advertise, circuit.sku).map(|x| x.family.name()).unwrap_or("IPv4");
                let premium_fits = family == "IPv4"
                    && circuit.sku != CircuitSku::Premium
                    && count <= limits::private_peering_ipv4(CircuitSku::Premium);
                Diagnostic::finding(
                    Code::PrefixLimit,
                    format!(
                        "the private peering of on-premises router `{}` on circuit `{}` is down: it advertises {count} {family} prefixes, more than the {limit} Azure accepts, so the session carries nothing",
                        o.name, circuit.name
                    ),
                )
                .at(o.span.clone())
                .help(if premium_fits {
                    format!("advertise at most {limit} (summarised) prefixes, or use a Premium circuit (10,000 IPv4)")
                } else {
                    format!("advertise at most {limit} (summarised) {family} prefixes over this circuit")
                })
                .rule(Rule::R52)
            }
            (SessionKind::RouteServerPeer, Speaker::Nva(n), Speaker::RouteServer(r))
            | (SessionKind::RouteServerPeer, Speaker::RouteServer(r), Speaker::Nva(n)) => {
                let p = &m.bgp_peers[n.idx()];
                Diagnostic::finding(
                    Code::PrefixLimit,
                    format!(
                        "the BGP session of NVA `{}` with route server `{}` is down: it advertises {count} prefixes, more than the {limit} Azure accepts from one peer, so the session carries nothing",
                        p.name,
                        m.route_servers[r.idx()].name
                    ),
                )
                .at(p.span.clone())
                .help("advertise fewer (summarised) prefixes")
                .rule(Rule::R76)
            }
            _ => {
                let name = |sp: Speaker| crate::bgp::speaker_name(m, sp);
                let span = s.connection.map(|c| m.connections[c.idx()].span.clone()).unwrap_or(0..0);
                let conn = s.connection.map(|c| format!(" over connection `{}`", m.connections[c.idx()].name));
                Diagnostic::finding(
                    Code::PrefixLimit,
                    format!(
                        "the VPN BGP session {} → {}{} is down: {count} prefixes offered, more than the {limit} a VPN gateway accepts from one peer, so the session carries nothing",
                        name(from),
                        name(to),
                        conn.unwrap_or_default()
                    ),
                )
                .at(span)
                .help("advertise fewer (summarised) prefixes")
                .rule(Rule::R66)
            }
        };
        out.push(d);
    }
}

/// Session-drop limits and undocumented-effect limits (warnings).
fn sessions(sim: &Simulation, out: &mut Vec<Diagnostic>) {
    let m = &sim.model;
    let b = &sim.bgp;
    session_drops(sim, out);
    // Route-server peers above the warning threshold (R76).
    for p in &m.bgp_peers {
        let n = p.advertise.len();
        if n > limits::ROUTE_SERVER_PEER_WARN && n <= limits::ROUTE_SERVER_PEER_DROP {
            out.push(
                Diagnostic::warning(Code::RouteServerPeerPrefixes, format!("NVA `{}` advertises {n} prefixes to its route server (warning above {}, session drops above {})", p.name, limits::ROUTE_SERVER_PEER_WARN, limits::ROUTE_SERVER_PEER_DROP))
                    .at(p.span.clone())
                    .help("summarise the NVA's advertisements")
                    .rule(Rule::R76),
            );
        }
    }
    // Route Server capacity (R76): VNets and VMs in its domain, prefixes it holds, what it sends
    // to ExpressRoute. Azure documents the figures, not what happens beyond them: warnings.
    for (ri, r) in m.route_servers.iter().enumerate() {
        let vnets = 1 + m.ix.transit_spokes[r.vnet.idx()].len();
        let nics: usize = std::iter::once(r.vnet)
            .chain(m.ix.transit_spokes[r.vnet.idx()].iter().copied())
            .map(|v| m.vnets[v.idx()].subnets.iter().map(|s| m.ix.subnet_nics[s.idx()].len()).sum::<usize>())
            .sum();
        let sp = b.route_server_speaker[ri];
        let prefixes = b.ribs[sp.0 as usize].values().filter(|e| !e.best.is_empty()).count();
        let to_er = m.ix.er_gateway[r.vnet.idx()]
            .and_then(|g| b.sessions.iter().position(|s| s.from == sp && s.to == b.gateway_speaker[g.idx()]))
            .map(|e| b.advertised(crate::bgp::SessionId(e as u32)).len())
            .unwrap_or(0);
        for (what, n, max) in [
            ("VNets (its own and its spokes)", vnets, limits::ROUTE_SERVER_VNETS),
            ("VMs (NICs) in those VNets", nics, limits::ROUTE_SERVER_VMS),
            ("prefixes", prefixes, limits::ROUTE_SERVER_PREFIXES),
            ("prefixes sent to the ExpressRoute gateway", to_er, limits::ROUTE_SERVER_TO_ER),
        ] {
            if n > max {
                out.push(
                    Diagnostic::warning(
                        Code::RouteServerCapacity,
                        format!("route server `{}` serves {n} {what}; Azure documents at most {max}", r.name),
                    )
                    .at(r.span.clone())
                    .help("split the design over more hubs, or summarise routes")
                    .rule(Rule::R76),
                );
            }
        }
    }
    // Azure → on-premises per ExpressRoute connection (R53).
    for (ci, c) in m.connections.iter().enumerate() {
        if !matches!(c.kind, ConnectionKind::ExpressRoute { .. }) {
            continue;
        }
        let Some(e) = b.sessions.iter().position(|s| {
            s.connection == Some(ConnectionId(ci as u32)) && matches!(b.speakers[s.to.0 as usize], Speaker::Circuit(_))
        }) else {
            continue;
        };
        let adv = b.advertised(crate::bgp::SessionId(e as u32));
        let v4 = adv.iter().filter(|(p, _)| matches!(p, IpNet::V4(_))).count();
        let v6 = adv.len() - v4;
        if v6 > limits::ER_ADVERTISED_IPV6 {
            out.push(
                Diagnostic::warning(
                    Code::ErAdvertisedPrefixes,
                    format!(
                        "connection `{}` advertises {v6} IPv6 prefixes to its circuit; Azure documents 100",
                        c.name
                    ),
                )
                .at(c.span.clone())
                .help("summarise VNet address spaces")
                .rule(Rule::R53),
            );
        }
        if v4 > limits::ER_ADVERTISED_IPV4 {
            out.push(
                Diagnostic::warning(
                    Code::ErAdvertisedPrefixes,
                    format!(
                        "connection `{}` advertises {v4} IPv4 prefixes to its circuit; Azure documents 1,000",
                        c.name
                    ),
                )
                .at(c.span.clone())
                .help("summarise VNet address spaces")
                .rule(Rule::R53),
            );
        }
    }
}

fn finding(code: Code, msg: String, span: Span, rule: Rule, help: &str) -> Diagnostic {
    Diagnostic::finding(code, msg).at(span).help(help.to_string()).rule(rule)
}

/// Limits Azure enforces by refusing the change (Part K): design findings.
fn findings(sim: &Simulation, out: &mut Vec<Diagnostic>) {
    vnet_findings(&sim.model, out);
    region_findings(&sim.model, out);
    gateway_findings(sim, out);
    circuit_and_route_server_findings(&sim.model, out);
}

/// Peerings and subnets per VNet (R43, Part K), routes per route table (R34).
fn vnet_findings(m: &Model, out: &mut Vec<Diagnostic>) {
    for (v, vnet) in m.vnets.iter().enumerate() {
        let n = m.ix.peerings_from[v].len();
        if n > limits::PEERINGS_PER_VNET {
            out.push(finding(
                Code::LimitPeerings,
                format!("VNet `{}` has {n} peerings; Azure allows {}", vnet.name, limits::PEERINGS_PER_VNET),
                vnet.span.clone(),
                Rule::R43,
                "split the spokes over more hubs",
            ));
        }
        let s = vnet.subnets.len();
        if s > limits::SUBNETS_PER_VNET {
            out.push(finding(
                Code::LimitSubnets,
                format!("VNet `{}` has {s} subnets; Azure allows {}", vnet.name, limits::SUBNETS_PER_VNET),
                vnet.span.clone(),
                Rule::PartK,
                "use fewer, larger subnets",
            ));
        }
    }
    for t in &m.route_tables {
        if t.routes.len() > limits::ROUTES_PER_TABLE {
            out.push(finding(
                Code::LimitRoutesPerTable,
                format!(
                    "route table `{}` has {} routes; Azure allows {}",
                    t.name,
                    t.routes.len(),
                    limits::ROUTES_PER_TABLE
                ),
                t.span.clone(),
                Rule::R34,
                "summarise routes",
            ));
        }
    }
}

/// VNets and route tables per region (Part K, R34).
fn region_findings(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut per_region: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for vnet in &m.vnets {
        per_region.entry(&vnet.region).or_default().0 += 1;
    }
    let only_region = (per_region.len() == 1).then(|| *per_region.keys().next().expect("one region"));
    for (ti, _) in m.route_tables.iter().enumerate() {
        // A route table lives where its subnets are; count it once per region it serves. One on
        // no subnet counts in the scenario's region when there is only one, else on its own.
        let mut regions: Vec<&str> =
            m.ix.route_table_subnets[ti].iter().map(|s| m.subnet_vnet(*s).region.as_str()).collect();
        regions.sort();
        regions.dedup();
        if regions.is_empty() {
            regions.push(only_region.unwrap_or("(route tables on no subnet)"));
        }
        for r in regions {
            per_region.entry(r).or_default().1 += 1;
        }
    }
    for (region, (vnets, tables)) in per_region {
        if vnets > limits::VNETS_PER_REGION {
            out.push(
                Diagnostic::finding(
                    Code::LimitVnetsPerRegion,
                    format!(
                        "region `{region}` has {vnets} VNets; Azure allows {} per subscription and region",
                        limits::VNETS_PER_REGION
                    ),
                )
                .help("spread the VNets over subscriptions (ersim judges per region)")
                .rule(Rule::PartK),
            );
        }
        if tables > limits::ROUTE_TABLES_PER_REGION {
            out.push(
                Diagnostic::finding(
                    Code::LimitRouteTables,
                    format!(
                        "region `{region}` has {tables} route tables; Azure allows {} per subscription and region",
                        limits::ROUTE_TABLES_PER_REGION
                    ),
                )
                .help("share route tables between subnets")
                .rule(Rule::R34),
            );
        }
    }
}

/// Circuits per ExpressRoute gateway and location (R62), learned routes (R53), VPN tunnels (R69).
fn gateway_findings(sim: &Simulation, out: &mut Vec<Diagnostic>) {
    let m = &sim.model;
    let b = &sim.bgp;
    for (gi, g) in m.gateways.iter().enumerate() {
        let conns = &m.ix.gateway_connections[gi];
        match g.kind {
            GatewayKind::ExpressRoute => {
                let circuits: Vec<CircuitId> = conns
                    .iter()
                    .filter_map(|c| match m.connections[c.idx()].kind {
                        ConnectionKind::ExpressRoute { circuit, .. } => Some(circuit),
                        _ => None,
                    })
                    .collect();
                let max = limits::er_circuits_per_gateway(g.sku).unwrap_or(usize::MAX);
                if circuits.len() > max {
                    out.push(finding(
                        Code::LimitCircuitsPerGateway,
                        format!(
                            "ExpressRoute gateway `{}` ({}) connects {} circuits; it allows {max}",
                            g.name,
                            g.sku,
                            circuits.len()
                        ),
                        g.span.clone(),
                        Rule::R62,
                        "use a larger gateway SKU or fewer circuits",
                    ));
                }
                let mut per_loc: BTreeMap<&str, usize> = BTreeMap::new();
                for c in &circuits {
                    if let Some(l) = &m.circuits[c.idx()].location {
                        *per_loc.entry(l).or_default() += 1;
                    }
                }
                for (loc, n) in per_loc {
                    if n > limits::CIRCUITS_PER_LOCATION {
                        out.push(finding(
                            Code::LimitCircuitsPerLocation,
                            format!(
                                "ExpressRoute gateway `{}` connects {n} circuits from {loc}; Azure allows {}",
                                g.name,
                                limits::CIRCUITS_PER_LOCATION
                            ),
                            g.span.clone(),
                            Rule::R62,
                            "connect circuits from other peering locations",
                        ));
                    }
                }
                let sp = b.gateway_speaker[gi];
                let learned = b.ribs[sp.0 as usize]
                    .values()
                    .filter(|e| {
                        e.ins
                            .iter()
                            .any(|c| c.via.is_some_and(|v| b.sessions[v.0 as usize].kind == SessionKind::ExpressRoute))
                    })
                    .count();
                let cap = limits::er_learned_routes(g.sku).unwrap_or(usize::MAX);
                if learned > cap {
                    out.push(finding(
                        Code::LimitGatewayLearnedRoutes,
                        format!(
                            "ExpressRoute gateway `{}` ({}) learns {learned} routes; it holds {cap}",
                            g.name, g.sku,
                        ),
                        g.span.clone(),
                        Rule::R53,
                        "use a larger SKU, summarise on-premises routes, or share fewer circuits",
                    ));
                }
            }
            GatewayKind::Vpn => {
                let tunnels = conns
                    .iter()
                    .filter(|c| !matches!(m.connections[c.idx()].kind, ConnectionKind::ExpressRoute { .. }))
                    .count();
                let max = limits::vpn_tunnels(g.sku).unwrap_or(usize::MAX);
                if tunnels > max {
                    out.push(finding(
                        Code::LimitVpnTunnels,
                        format!("VPN gateway `{}` ({}) has {tunnels} connections; it allows {max}", g.name, g.sku),
                        g.span.clone(),
                        Rule::R69,
                        "use a larger SKU",
                    ));
                }
            }
        }
    }
}

/// VNet links per circuit (R63), BGP peers per route server (R76).
fn circuit_and_route_server_findings(m: &Model, out: &mut Vec<Diagnostic>) {
    for (ci, c) in m.circuits.iter().enumerate() {
        let links = m.ix.circuit_connections[ci].len();
        let max = limits::vnet_links_per_circuit(c.sku, c.bandwidth_mbps);
        if links > max {
            out.push(finding(
                Code::LimitCircuitLinks,
                format!(
                    "circuit `{}` ({}{}) links {links} VNets; it allows {max}",
                    c.name,
                    c.sku,
                    c.bandwidth_mbps.map(|b| format!(", {b} Mbps")).unwrap_or_default()
                ),
                c.span.clone(),
                Rule::R63,
                "use Premium (or more bandwidth), or link fewer gateways",
            ));
        }
    }
    for (ri, r) in m.route_servers.iter().enumerate() {
        let peers = m.ix.route_server_peers[ri].len();
        if peers > limits::ROUTE_SERVER_PEERS {
            out.push(finding(
                Code::LimitRouteServerPeers,
                format!("route server `{}` has {peers} BGP peers; it allows {}", r.name, limits::ROUTE_SERVER_PEERS),
                r.span.clone(),
                Rule::R76,
                "peer fewer NVAs",
            ));
        }
    }
}
