//! Raw scenario to resolved [`Model`]: every rule under "Validation" in scenario-format.md.
//!
//! Names are registered per kind (duplicates are errors that point at the first definition), ids
//! are assigned in name order, references are resolved with "did you mean", values are parsed
//! (prefixes, addresses, ASNs, enums), defaults are applied, and the cross-block rules (overlaps,
//! peering flags, special subnets, addresses) are checked. Every problem found is recorded; the
//! model is returned only when there is no error.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::raw::*;
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::*;
use crate::net::{azure_reserved, nth_host, overlaps, prefix_order, reserved_asn};
use crate::resolve;
use crate::rules::Rule;

/// The id an item gets for a reference that did not resolve (an error is already reported). It is
/// out of range on purpose: [`Model::index`] skips it, so rules that run after errors never read a
/// wrong item through it.
const NONE: u32 = u32::MAX;

/// Names of one kind: id per name, and the raw index behind each id.
struct Names {
    /// Some block of this kind has no usable name: a reference may mean it, so unknown names are
    /// not reported (the missing name already is).
    incomplete: bool,
    word: &'static str,
    block: &'static str,
    ids: BTreeMap<String, u32>,
    /// raw index for each id
    raw: Vec<usize>,
}

impl Names {
    fn new<T>(
        word: &'static str,
        block: &'static str,
        items: &[T],
        name: impl Fn(&T) -> Option<&Sp<String>>,
        d: &mut Diagnostics,
    ) -> Names {
        let mut first: BTreeMap<String, (usize, Sp<String>)> = BTreeMap::new();
        let mut incomplete = false;
        for (i, it) in items.iter().enumerate() {
            let Some(n) = name(it) else {
                incomplete = true;
                continue;
            };
            if n.v.is_empty() {
                d.push(
                    Diagnostic::error(Code::EmptyName, format!("a {block} name must not be empty"))
                        .at(n.span.clone())
                        .help("give it a name, e.g. `name = \"hub00\"`"),
                );
                continue;
            }
            if let Some((_, f)) = first.get(&n.v) {
                d.push(
                    Diagnostic::error(Code::DuplicateName, format!("duplicate {word} name `{}`", n.v))
                        .at(n.span.clone())
                        .label("defined again here")
                        .note(f.span.clone(), "first defined here")
                        .help(format!("names are unique within a kind: rename one of the {block} blocks")),
                );
                continue;
            }
            first.insert(n.v.clone(), (i, n.clone()));
        }
        let mut ids = BTreeMap::new();
        let mut raw = Vec::new();
        for (k, (i, _)) in first {
            ids.insert(k, raw.len() as u32);
            raw.push(i);
        }
        Names { incomplete, word, block, ids, raw }
    }

    fn find(&self, sp: &Sp<String>, d: &mut Diagnostics) -> Option<u32> {
        if let Some(id) = self.ids.get(&sp.v) {
            return Some(*id);
        }
        if self.incomplete {
            return None;
        }
        let help = did_you_mean(&sp.v, self.ids.keys().map(String::as_str));
        let mut diag = Diagnostic::error(Code::UnknownName, format!("unknown {} `{}`", self.word, sp.v))
            .at(sp.span.clone())
            .label(format!("no {} has this name", self.block))
            .help_opt(help);
        if self.ids.is_empty() {
            diag = diag.help(format!("the scenario has no {} blocks; add one", self.block));
        }
        d.push(diag);
        None
    }
}

fn parse_prefix(sp: &Sp<String>, what: &str, d: &mut Diagnostics) -> Option<IpNet> {
    match sp.v.trim().parse::<IpNet>() {
        Ok(net) => {
            if net != net.trunc() {
                d.push(
                    Diagnostic::error(Code::HostBits, format!("{what} `{}` has host bits set", sp.v))
                        .at(sp.span.clone())
                        .label("host bits set")
                        .help(format!("write `{}` (the network address of this prefix)", net.trunc())),
                );
                // Go on with the network the user meant, so later checks do not cascade.
                Some(net.trunc())
            } else {
                Some(net)
            }
        }
        Err(_) => {
            let help = if sp.v.parse::<IpAddr>().is_ok() {
                format!("add a prefix length, e.g. `{}/24`", sp.v)
            } else {
                "write an IPv4 or IPv6 prefix in CIDR form, e.g. `10.0.0.0/16`".to_string()
            };
            d.push(
                Diagnostic::error(Code::BadPrefix, format!("{what} `{}` is not a valid prefix", sp.v))
                    .at(sp.span.clone())
                    .label("not a CIDR prefix")
                    .help(help),
            );
            None
        }
    }
}

fn parse_ip(sp: &Sp<String>, what: &str, d: &mut Diagnostics) -> Option<IpAddr> {
    match sp.v.trim().parse::<IpAddr>() {
        Ok(ip) => Some(ip),
        Err(_) => {
            let help = if let Some((ip, _)) = sp.v.split_once('/') {
                format!("write the address without a length: `{ip}`")
            } else {
                "write an IPv4 or IPv6 address, e.g. `10.0.1.4`".to_string()
            };
            d.push(
                Diagnostic::error(Code::BadAddress, format!("{what} `{}` is not a valid IP address", sp.v))
                    .at(sp.span.clone())
                    .label("not an IP address")
                    .help(help),
            );
            None
        }
    }
}

fn parse_asn(sp: &Sp<Int>, what: &str, sixteen_bit: bool, d: &mut Diagnostics) -> Option<u32> {
    let max: Int = if sixteen_bit { 65535 } else { u32::MAX as Int };
    if sp.v < 1 || sp.v > max {
        d.push(
            Diagnostic::error(Code::BadAsn, format!("{what} {} is out of range", sp.v))
                .at(sp.span.clone())
                .label(format!("must be 1 to {max}"))
                .help(if sixteen_bit {
                    "Route Server peers take 16-bit ASNs (R70); private range 64512-65534".to_string()
                } else {
                    "use a private ASN such as 65001".to_string()
                }),
        );
        return None;
    }
    Some(sp.v as u32)
}

fn check_reserved_asn(asn: u32, sp: &Sp<Int>, what: &str, d: &mut Diagnostics) -> bool {
    if reserved_asn(asn) {
        d.push(
            Diagnostic::error(Code::ReservedAsn, format!("{what} {asn} is reserved by Azure"))
                .at(sp.span.clone())
                .label("reserved ASN")
                .help("Azure refuses 8074, 8075, 12076, 23456, 64496-64511, 65515-65520 and 65535-65551; pick another private ASN such as 65001")
                .rule(Rule::R64),
        );
        return false;
    }
    true
}

fn parse_enum<'o>(sp: &Sp<String>, what: &str, options: &[&'o str], d: &mut Diagnostics) -> Option<&'o str> {
    if let Some(o) = options.iter().find(|o| o.eq_ignore_ascii_case(sp.v.trim())) {
        return Some(o);
    }
    d.push(
        Diagnostic::error(Code::BadValue, format!("{what} `{}` is not one of: {}", sp.v, options.join(", ")))
            .at(sp.span.clone())
            .label("unknown value")
            .help_opt(did_you_mean(&sp.v, options.iter().copied()))
            .help(format!("write one of: {} (case does not matter)", options.join(", "))),
    );
    None
}

fn not_applicable<T>(v: &Option<Sp<T>>, key: &str, why: &str, help: &str, d: &mut Diagnostics) {
    if let Some(sp) = v {
        d.push(
            Diagnostic::error(Code::KeyNotApplicable, format!("`{key}` {why}"))
                .at(sp.span.clone())
                .label("does not apply here")
                .help(help.to_string()),
        );
    }
}

fn int_in(sp: &Sp<Int>, what: &str, lo: Int, hi: Int, d: &mut Diagnostics) -> Option<u32> {
    if sp.v < lo || sp.v > hi {
        d.push(
            Diagnostic::error(Code::OutOfRange, format!("{what} {} is out of range", sp.v))
                .at(sp.span.clone())
                .label(format!("must be {lo} to {hi}"))
                .help(format!("use a value from {lo} to {hi}")),
        );
        return None;
    }
    Some(sp.v as u32)
}

/// Prefix pairs that overlap, found by a sort-and-sweep (no quadratic loop).
fn overlapping<T: Copy>(mut items: Vec<(IpNet, T)>) -> Vec<((IpNet, T), (IpNet, T))> {
    items.sort_by(|a, b| prefix_order(&a.0, &b.0));
    let mut out = Vec::new();
    // Active containers: a stack of prefixes that contain the current position.
    let mut stack: Vec<(IpNet, T)> = Vec::new();
    for it in items {
        while let Some(top) = stack.last() {
            if top.0.contains(&it.0) {
                break;
            }
            stack.pop();
        }
        if let Some(top) = stack.last() {
            out.push((*top, it));
        }
        stack.push(it);
    }
    out
}

/// "an ExpressRoute" / "a VPN", for messages.
fn a_kind(kind: GatewayKind) -> &'static str {
    match kind {
        GatewayKind::ExpressRoute => "an ExpressRoute",
        GatewayKind::Vpn => "a VPN",
    }
}

/// Placeholder next hops for a circuit without `next_hops` (D14): stable per name order.
fn circuit_placeholder(index: usize) -> Vec<IpAddr> {
    // TEST-NET-2 then TEST-NET-1 (RFC 5737), then the benchmarking range (RFC 2544).
    let base: [(u32, u32); 3] = [(0xC633_6400, 254), (0xC000_0200, 254), (0xC612_0000, 131_070)];
    (0..2u32)
        .map(|n| {
            let mut kk = 2 * index as u32 + n;
            for (start, count) in base {
                if kk < count {
                    return IpAddr::V4((start + 1 + kk).into());
                }
                kk -= count;
            }
            IpAddr::V4(0xC612_0000u32.into())
        })
        .collect()
}

/// Placeholder public address of an active-standby VPN gateway without `public_ip` (D14).
fn vpn_placeholder(index: usize) -> IpAddr {
    IpAddr::V4((0xCB00_7100u32 + 1 + (index as u32 % 254)).into()) // TEST-NET-3
}

/// Validate a raw scenario into a model. Returns the model and the warnings, or every diagnostic.
pub(crate) fn validate(raw: &RawScenario, d: &mut Diagnostics) -> Option<Model> {
    let mut m = Model::default();

    // ---- top level
    if let Some(f) = &raw.format
        && f.v != 1
    {
        let msg = if f.v > 1 {
            format!("this scenario is format {}, from a future ersim; this ersim reads format 1", f.v)
        } else {
            format!("format {} does not exist; this ersim reads format 1", f.v)
        };
        d.push(
            Diagnostic::error(Code::Format, msg)
                .at(f.span.clone())
                .help("upgrade ersim, or write `format = 1` and use only format-1 keys"),
        );
        return None;
    }
    m.name = raw.name.as_ref().map(|s| s.v.clone());
    m.description = raw.description.as_ref().map(|s| s.v.clone());
    if let Some(sr) = &raw.system_routes {
        m.system_routes = match parse_enum(sr, "system_routes", &["documented", "none", "extended", "legacy-2021"], d) {
            Some("none") => SystemRoutes::None,
            Some("extended") => SystemRoutes::Extended,
            Some("legacy-2021") => SystemRoutes::Legacy2021,
            _ => SystemRoutes::Documented,
        };
    }

    // ---- names of every kind
    let vnames = Names::new("VNet", "[[vnet]]", &raw.vnets, |x| x.name.as_ref(), d);
    let nnames = Names::new("NIC", "[[nic]]", &raw.nics, |x| x.name.as_ref(), d);
    let gnames = Names::new("gateway", "[[gateway]]", &raw.gateways, |x| x.name.as_ref(), d);
    let cnames = Names::new("circuit", "[[circuit]]", &raw.circuits, |x| x.name.as_ref(), d);
    let onames = Names::new("on-premises router", "[[onprem]]", &raw.onprems, |x| x.name.as_ref(), d);
    let connnames = Names::new("connection", "[[connection]]", &raw.connections, |x| x.name.as_ref(), d);
    let lnames = Names::new("local gateway", "[[local_gateway]]", &raw.local_gateways, |x| x.name.as_ref(), d);
    let rsnames = Names::new("route server", "[[route_server]]", &raw.route_servers, |x| x.name.as_ref(), d);
    let bnames = Names::new("BGP peer", "[[bgp_peer]]", &raw.bgp_peers, |x| x.name.as_ref(), d);
    let lbnames = Names::new("load balancer", "[[load_balancer]]", &raw.load_balancers, |x| x.name.as_ref(), d);
    let rtnames = Names::new("route table", "[[route_table]]", &raw.route_tables, |x| x.name.as_ref(), d);
    let fwnames = Names::new("firewall", "[[firewall]]", &raw.firewalls, |x| x.name.as_ref(), d);

    // ---- route tables (R27-R29)
    // VirtualAppliance next hops, checked against the forwarding devices once they are known
    let mut udr_hops: Vec<(IpAddr, Span, String)> = Vec::new();
    for &ri in &rtnames.raw {
        let r = &raw.route_tables[ri];
        let mut routes = Vec::new();
        let mut by_name: BTreeMap<&str, &Sp<String>> = BTreeMap::new();
        let mut by_prefix: BTreeMap<IpNet, &RawRoute> = BTreeMap::new();
        for rr in &r.routes {
            if let Some(n) = &rr.name {
                if let Some(first) = by_name.get(n.v.as_str()) {
                    d.push(
                        Diagnostic::error(
                            Code::DuplicateName,
                            format!(
                                "duplicate route name `{}` in route table `{}`",
                                n.v,
                                r.name.as_ref().map(|x| x.v.as_str()).unwrap_or("")
                            ),
                        )
                        .at(n.span.clone())
                        .note(first.span.clone(), "first defined here")
                        .help("route names are unique within a route table: rename one"),
                    );
                } else {
                    by_name.insert(&n.v, n);
                }
            }
            let prefix = rr.prefix.as_ref().and_then(|p| parse_prefix(p, "route prefix", d));
            let nht = rr.next_hop_type.as_ref().and_then(|t| {
                let names: Vec<&str> = [
                    NextHopType::VirtualAppliance,
                    NextHopType::VirtualNetworkGateway,
                    NextHopType::VnetLocal,
                    NextHopType::Internet,
                    NextHopType::None,
                ]
                .iter()
                .map(|t| t.api())
                .collect();
                parse_enum(t, "next_hop_type", &names, d).and_then(NextHopType::parse)
            });
            let ip = rr.next_hop_ip.as_ref().and_then(|ip| parse_ip(ip, "next_hop_ip", d));
            if let (Some(NextHopType::VirtualAppliance), Some(a), Some(sp)) = (nht, ip, &rr.next_hop_ip) {
                let rname = rr.name.as_ref().map(|x| x.v.as_str()).unwrap_or("");
                let tname = r.name.as_ref().map(|x| x.v.as_str()).unwrap_or("");
                udr_hops.push((a, sp.span.clone(), format!("route `{rname}` of route table `{tname}`")));
            }
            if let (Some(p), Some(pp)) = (prefix, &rr.prefix) {
                if let Some(first) = by_prefix.get(&p) {
                    d.push(
                        Diagnostic::error(
                            Code::RouteConflict,
                            format!("two routes for {p} in one route table (Azure refuses this: RouteConflict)"),
                        )
                        .at(pp.span.clone())
                        .label("same prefix again")
                        .note(
                            first.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(first.span.clone()),
                            "first route for this prefix",
                        )
                        .help("keep one route per prefix; Azure route tables have no ECMP between user routes")
                        .rule(Rule::R27),
                    );
                } else {
                    by_prefix.insert(p, rr);
                }
            }
            if let Some(t) = nht {
                match (t, &rr.next_hop_ip) {
                    (NextHopType::VirtualAppliance, None) => d.push(
                        Diagnostic::error(Code::MissingNextHopIp, "a `VirtualAppliance` route needs `next_hop_ip`")
                            .at(rr.next_hop_type.as_ref().map(|x| x.span.clone()).unwrap_or(rr.span.clone()))
                            .label("VirtualAppliance without an address")
                            .help("add `next_hop_ip = \"...\"`: the address of the NVA NIC, firewall or load-balancer frontend")
                            .rule(Rule::R28),
                    ),
                    (NextHopType::VirtualAppliance, Some(_)) | (_, None) => {}
                    (other, Some(sp)) => d.push(
                        Diagnostic::error(Code::NextHopIpNotAllowed, format!("`next_hop_ip` is only for `VirtualAppliance` routes, not `{}`", other.api()))
                            .at(sp.span.clone())
                            .label("refused for this next hop type")
                            .help("remove `next_hop_ip`, or use `next_hop_type = \"VirtualAppliance\"`")
                            .rule(Rule::R29),
                    ),
                }
            }
            if let (Some(name), Some(prefix), Some(t)) = (&rr.name, prefix, nht) {
                if let Some(ip) = ip
                    && ip.is_ipv4() != prefix.addr().is_ipv4()
                {
                    d.push(
                        Diagnostic::error(
                            Code::FamilyMismatch,
                            format!("next hop {ip} and prefix {prefix} are of different IP families"),
                        )
                        .at(rr.next_hop_ip.as_ref().map(|x| x.span.clone()).unwrap_or(rr.span.clone()))
                        .help("use an IPv4 next hop for an IPv4 prefix and IPv6 for IPv6"),
                    );
                }
                routes.push(Udr {
                    name: name.v.clone(),
                    prefix,
                    next_hop_type: t,
                    next_hop_ip: if t == NextHopType::VirtualAppliance { ip } else { None },
                    span: rr.span.clone(),
                });
            }
        }
        m.route_tables.push(RouteTable {
            name: r.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            disable_bgp_route_propagation: r.disable_bgp_route_propagation.as_ref().map(|x| x.v).unwrap_or(false),
            routes,
            span: r.span.clone(),
        });
    }

    // ---- VNets and subnets
    // subnet lookup: vnet id -> subnet name -> subnet id (assigned after all VNets)
    let mut subnet_raw: Vec<(u32, String, &RawSubnet, IpNet)> = Vec::new();
    for (vid, &ri) in vnames.raw.iter().enumerate() {
        let v = &raw.vnets[ri];
        let mut space = Vec::new();
        if let Some(list) = &v.address_space {
            if list.v.is_empty() {
                d.push(
                    Diagnostic::error(Code::EmptyAddressSpace, "`address_space` must hold at least one prefix")
                        .at(list.span.clone())
                        .help("write e.g. `address_space = [\"10.0.0.0/16\"]`"),
                );
            }
            for p in &list.v {
                if let Some(net) = parse_prefix(p, "address-space prefix", d) {
                    space.push((net, p.span.clone()));
                }
            }
        }
        for ((a, sa), (b, sb)) in overlapping(space.iter().map(|(n, s)| (*n, s.start)).collect::<Vec<_>>()) {
            let (first, second) = if sa < sb { ((a, sa), (b, sb)) } else { ((b, sb), (a, sa)) };
            let sp2 = space.iter().find(|x| x.1.start == second.1).map(|x| x.1.clone()).unwrap_or(0..0);
            let sp1 = space.iter().find(|x| x.1.start == first.1).map(|x| x.1.clone()).unwrap_or(0..0);
            d.push(
                Diagnostic::error(
                    Code::OverlappingAddressSpace,
                    format!("address-space prefixes {} and {} of one VNet overlap", first.0, second.0),
                )
                .at(sp2)
                .note(sp1, "overlaps this one")
                .help("Azure refuses overlapping address-space prefixes in one VNet: remove or change one"),
            );
        }
        let vname = v.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
        let mut seen: BTreeMap<&str, &Sp<String>> = BTreeMap::new();
        let mut subs: Vec<(IpNet, usize)> = Vec::new();
        for (si, s) in v.subnets.iter().enumerate() {
            let Some(sn) = &s.name else { continue };
            if let Some(first) = seen.get(sn.v.as_str()) {
                d.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("duplicate subnet name `{}` in VNet `{vname}`", sn.v),
                    )
                    .at(sn.span.clone())
                    .note(first.span.clone(), "first defined here")
                    .help("subnet names are unique within a VNet: rename one"),
                );
                continue;
            }
            seen.insert(&sn.v, sn);
            let Some(prefix) = s.prefix.as_ref().and_then(|p| parse_prefix(p, "subnet prefix", d)) else { continue };
            if !space.is_empty() && !space.iter().any(|(a, _)| a.contains(&prefix)) {
                let list: Vec<String> = space.iter().map(|(a, _)| a.to_string()).collect();
                d.push(
                    Diagnostic::error(
                        Code::SubnetOutsideSpace,
                        format!(
                            "subnet `{}` ({prefix}) lies outside the address space of VNet `{vname}` ({})",
                            sn.v,
                            list.join(", ")
                        ),
                    )
                    .at(s.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(s.span.clone()))
                    .label("not inside the VNet's address space")
                    .help("change the subnet prefix, or add a covering prefix to the VNet's `address_space`"),
                );
            }
            subs.push((prefix, si));
            subnet_raw.push((vid as u32, sn.v.clone(), s, prefix));
        }
        for ((a, ia), (b, ib)) in overlapping(subs.clone()) {
            let (first, second) = if ia < ib { ((a, ia), (b, ib)) } else { ((b, ib), (a, ia)) };
            let s2 = &v.subnets[second.1];
            let s1 = &v.subnets[first.1];
            d.push(
                Diagnostic::error(
                    Code::OverlappingSubnets,
                    format!("subnets {} and {} of VNet `{vname}` overlap", first.0, second.0),
                )
                .at(s2.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(s2.span.clone()))
                .note(s1.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(s1.span.clone()), "overlaps this subnet")
                .help("Azure refuses overlapping subnets: change one prefix"),
            );
        }
        m.vnets.push(Vnet {
            name: vname,
            region: v.region.as_ref().map(|x| x.v.clone()).unwrap_or_else(|| "default".to_string()),
            address_space: space.into_iter().map(|(n, _)| n).collect(),
            subnets: Vec::new(),
            span: v.span.clone(),
        });
    }
    subnet_raw.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut subnet_ids: BTreeMap<(u32, String), SubnetId> = BTreeMap::new();
    for (vid, name, s, prefix) in &subnet_raw {
        let id = SubnetId(m.subnets.len() as u32);
        let role = match name.as_str() {
            "GatewaySubnet" => SubnetRole::Gateway,
            "RouteServerSubnet" => SubnetRole::RouteServer,
            "AzureFirewallSubnet" => SubnetRole::Firewall,
            _ => SubnetRole::Plain,
        };
        let rt = s.route_table.as_ref().and_then(|r| rtnames.find(r, d)).map(RouteTableId);
        m.subnets.push(Subnet {
            name: name.clone(),
            vnet: VnetId(*vid),
            prefix: *prefix,
            route_table: rt,
            role,
            span: s.span.clone(),
        });
        subnet_ids.insert((*vid, name.clone()), id);
    }
    for (i, s) in m.subnets.iter().enumerate() {
        m.vnets[s.vnet.idx()].subnets.push(SubnetId(i as u32));
    }
    let subnets_snapshot = m.subnets.clone();
    for v in &mut m.vnets {
        v.subnets.sort_by(|a, b| prefix_order(&subnets_snapshot[a.idx()].prefix, &subnets_snapshot[b.idx()].prefix));
    }
    let special = |m: &Model, v: VnetId, role: SubnetRole| m.special_subnet(v, role);
    let find_subnet = |m: &Model, v: VnetId, sp: &Sp<String>, d: &mut Diagnostics| -> Option<SubnetId> {
        if let Some(id) = subnet_ids.get(&(v.0, sp.v.clone())) {
            return Some(*id);
        }
        let names: Vec<&str> = m.vnets[v.idx()].subnets.iter().map(|s| m.subnets[s.idx()].name.as_str()).collect();
        d.push(
            Diagnostic::error(Code::UnknownName, format!("VNet `{}` has no subnet `{}`", m.vnets[v.idx()].name, sp.v))
                .at(sp.span.clone())
                .label("no such subnet in this VNet")
                .help_opt(did_you_mean(&sp.v, names.iter().copied()))
                .help(if names.is_empty() {
                    "this VNet has no subnets: add a [[vnet.subnet]]".to_string()
                } else {
                    format!("its subnets are: {}", names.join(", "))
                }),
        );
        None
    };

    // Addresses taken per VNet: ip -> (holder description, span)
    let mut taken: BTreeMap<(u32, IpAddr), (String, Span)> = BTreeMap::new();
    let mut take = |vnet: VnetId, ip: IpAddr, who: String, span: Span, d: &mut Diagnostics| {
        if let Some((other, ospan)) = taken.get(&(vnet.0, ip)) {
            // Holders are visited kind by kind in name order; report the one later in the file.
            let ((later, lspan), (earlier, espan)) = if span.start >= ospan.start {
                ((&who, &span), (other, ospan))
            } else {
                ((other, ospan), (&who, &span))
            };
            d.push(
                Diagnostic::error(
                    Code::DuplicateAddress,
                    format!("{ip} is used twice in one VNet: by {later} and by {earlier}"),
                )
                .at(lspan.clone())
                .label("address already in use")
                .note(espan.clone(), format!("{earlier} holds it"))
                .help("give each NIC, firewall, load-balancer frontend and gateway instance its own address"),
            );
        } else {
            taken.insert((vnet.0, ip), (who, span));
        }
    };
    let in_subnet = |ip: IpAddr, s: SubnetId, m: &Model, sp: &Span, who: &str, d: &mut Diagnostics| -> bool {
        let net = m.subnets[s.idx()].prefix;
        if !net.contains(&ip) {
            d.push(
                Diagnostic::error(
                    Code::AddressOutsideSubnet,
                    format!("{who} address {ip} is outside its subnet {} ({net})", m.subnet_path(s)),
                )
                .at(sp.clone())
                .label("not in the subnet")
                .help(format!("pick an address inside {net}")),
            );
            return false;
        }
        if azure_reserved(&net, ip) {
            d.push(
                Diagnostic::error(Code::ReservedAddress, format!("{who} address {ip} is reserved by Azure in {net}"))
                    .at(sp.clone())
                    .label("Azure keeps this address")
                    .help("Azure reserves the first four addresses of a subnet and the last; start at .4"),
            );
            return false;
        }
        true
    };

    // ---- gateways
    let mut vpn_index = 0usize;
    // (raw index, VNet, type) of each gateway whose VNet and type resolved
    let mut placed: Vec<(usize, VnetId, GatewayKind)> = Vec::new();
    for &ri in &gnames.raw {
        let g = &raw.gateways[ri];
        let vnet = g.vnet.as_ref().and_then(|v| vnames.find(v, d)).map(VnetId);
        let kind = g
            .kind
            .as_ref()
            .and_then(|k| parse_enum(k, "gateway `type`", &["ExpressRoute", "Vpn"], d))
            .map(|k| if k == "Vpn" { GatewayKind::Vpn } else { GatewayKind::ExpressRoute });
        let name = g.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
        let gsub = vnet.and_then(|v| special(&m, v, SubnetRole::Gateway));
        if let (Some(v), None) = (vnet, gsub) {
            d.push(
                Diagnostic::error(
                    Code::MissingGatewaySubnet,
                    format!("gateway `{name}` needs a subnet named GatewaySubnet in VNet `{}`", m.vnets[v.idx()].name),
                )
                .at(g.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(g.span.clone()))
                .label("this VNet has no GatewaySubnet")
                .help("add `[[vnet.subnet]] name = \"GatewaySubnet\"` (a /27 or larger) to the VNet"),
            );
        }
        let mut sku = GatewaySku::default_for(kind.unwrap_or(GatewayKind::ExpressRoute));
        let mut asn = 65515u32;
        let mut ips = Vec::new();
        let mut public_ip = vpn_placeholder(0);
        if let Some(kind) = kind {
            let skus: Vec<&str> = GatewaySku::of(kind).map(GatewaySku::name).collect();
            sku = GatewaySku::default_for(kind);
            if let Some(s) = &g.sku {
                match GatewaySku::parse(&s.v) {
                    Some(found) if found.kind() == kind => sku = found,
                    other => {
                        let hint = if other.is_some() {
                            format!(
                                "`{}` is a SKU of the other gateway type; {} gateway takes one of: {}",
                                s.v,
                                a_kind(kind),
                                skus.join(", ")
                            )
                        } else {
                            format!("{} gateway takes one of: {}", a_kind(kind), skus.join(", "))
                        };
                        d.push(
                            Diagnostic::error(Code::BadSku, format!("`{}` is not {} gateway SKU", s.v, a_kind(kind)))
                                .at(s.span.clone())
                                .label("unknown SKU for this type")
                                .help_opt(did_you_mean(&s.v, skus.iter().copied()))
                                .help(hint),
                        );
                    }
                }
            }
            match kind {
                GatewayKind::ExpressRoute => {
                    let why = "does not apply to an ExpressRoute gateway";
                    not_applicable(&g.bgp, "bgp", why, "remove it: ExpressRoute always speaks BGP", d);
                    not_applicable(&g.active_active, "active_active", why, "remove it: it is a VPN gateway setting", d);
                    not_applicable(
                        &g.ips,
                        "ips",
                        why,
                        "remove it: only VPN gateways show their instance addresses as next hops",
                        d,
                    );
                    not_applicable(
                        &g.public_ip,
                        "public_ip",
                        why,
                        "remove it: only VPN gateways show a public address as next hop",
                        d,
                    );
                    if let Some(a) = &g.asn
                        && a.v != 65515
                    {
                        d.push(
                            Diagnostic::error(
                                Code::KeyNotApplicable,
                                format!("an ExpressRoute gateway's ASN is always 65515, not {}", a.v),
                            )
                            .at(a.span.clone())
                            .label("only VPN gateways may change their ASN")
                            .help("remove `asn` (or write 65515)")
                            .rule(Rule::R51),
                        );
                    }
                }
                GatewayKind::Vpn => {
                    not_applicable(
                        &g.allow_remote_vnet_traffic,
                        "allow_remote_vnet_traffic",
                        "does not apply to a VPN gateway",
                        "remove it: it is an ExpressRoute gateway setting (D4)",
                        d,
                    );
                    if let Some(a) = &g.asn
                        && let Some(n) = parse_asn(a, "gateway ASN", false, d)
                        && (n == 65515 || check_reserved_asn(n, a, "VPN gateway ASN", d))
                    {
                        asn = n;
                    }
                    public_ip = vpn_placeholder(vpn_index);
                    vpn_index += 1;
                    if let Some(p) = &g.public_ip
                        && let Some(ip) = parse_ip(p, "public_ip", d)
                    {
                        public_ip = ip;
                    }
                    if let Some(list) = &g.ips {
                        for ip in &list.v {
                            if let Some(a) = parse_ip(ip, "gateway instance address", d)
                                && let Some(gs) = gsub
                                && in_subnet(a, gs, &m, &ip.span, &format!("gateway `{name}` instance"), d)
                            {
                                ips.push(a);
                            }
                        }
                        if list.v.len() != 2 {
                            d.push(
                                Diagnostic::error(Code::BadValue, format!("`ips` lists the gateway's two instance addresses, not {}", list.v.len()))
                                    .at(list.span.clone())
                                    .help("write two addresses in GatewaySubnet, e.g. `ips = [\"10.0.200.4\", \"10.0.200.5\"]`"),
                            );
                        }
                    } else if let Some(gs) = gsub {
                        let net = m.subnets[gs.idx()].prefix;
                        ips = [4, 5].iter().filter_map(|k| nth_host(&net, *k)).collect();
                    }
                    // a second VPN gateway in the VNet is an error of its own: its addresses are not
                    // also reported as taken twice
                    let second = |v: VnetId| placed.iter().any(|(_, pv, pk)| *pv == v && *pk == GatewayKind::Vpn);
                    if let Some(v) = vnet.filter(|v| !second(*v)) {
                        for ip in &ips {
                            take(
                                v,
                                *ip,
                                format!("gateway `{name}`"),
                                g.ips.as_ref().map(|x| x.span.clone()).unwrap_or(g.span.clone()),
                                d,
                            );
                        }
                    }
                }
            }
            if let Some(v) = vnet {
                placed.push((ri, v, kind));
            }
        }
        if let (Some(vnet), Some(kind)) = (vnet, kind) {
            m.gateways.push(Gateway {
                name,
                vnet,
                kind,
                sku,
                asn,
                bgp: g.bgp.as_ref().map(|x| x.v).unwrap_or(false),
                active_active: g.active_active.as_ref().map(|x| x.v).unwrap_or(false),
                allow_remote_vnet_traffic: g.allow_remote_vnet_traffic.as_ref().map(|x| x.v).unwrap_or(false),
                ips,
                public_ip,
                span: g.span.clone(),
            });
        } else {
            // Keep ids dense: a placeholder that never reaches the engine (errors already recorded).
            m.gateways.push(Gateway {
                name,
                vnet: VnetId(NONE),
                kind: kind.unwrap_or(GatewayKind::ExpressRoute),
                sku,
                asn,
                bgp: false,
                active_active: false,
                allow_remote_vnet_traffic: false,
                ips,
                public_ip,
                span: g.span.clone(),
            });
        }
    }

    // at most one gateway of each type per VNet: the later one in the file is reported
    placed.sort_by_key(|(ri, _, _)| raw.gateways[*ri].span.start);
    let mut per_vnet_kind: BTreeMap<(u32, GatewayKind), Span> = BTreeMap::new();
    for (ri, v, kind) in placed {
        let g = &raw.gateways[ri];
        if let Some(first) = per_vnet_kind.get(&(v.0, kind)) {
            d.push(
                Diagnostic::error(
                    Code::SecondGateway,
                    format!("VNet `{}` already has {} gateway", m.vnets[v.idx()].name, a_kind(kind)),
                )
                .at(g.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(g.span.clone()))
                .note(first.clone(), "the first one")
                .help("a VNet holds at most one ExpressRoute and one VPN gateway: remove one"),
            );
        } else {
            per_vnet_kind.insert((v.0, kind), g.span.clone());
        }
    }

    // ---- route servers (R70)
    for &ri in &rsnames.raw {
        let r = &raw.route_servers[ri];
        let name = r.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
        let vnet = r.vnet.as_ref().and_then(|v| vnames.find(v, d)).map(VnetId);
        let mut ips = Vec::new();
        if let Some(v) = vnet {
            match special(&m, v, SubnetRole::RouteServer) {
                Some(s) => {
                    let net = m.subnets[s.idx()].prefix;
                    ips = [4, 5].iter().filter_map(|k| nth_host(&net, *k)).collect();
                    // a second route server in the VNet is an error of its own (below), not a
                    // duplicate of the first one's addresses
                    if !m.route_servers.iter().any(|x| x.vnet == v && !x.ips.is_empty()) {
                        for ip in &ips {
                            take(v, *ip, format!("route server `{name}`"), r.span.clone(), d);
                        }
                    }
                }
                None => d.push(
                    Diagnostic::error(
                        Code::MissingRouteServerSubnet,
                        format!(
                            "route server `{name}` needs a subnet named RouteServerSubnet in VNet `{}`",
                            m.vnets[v.idx()].name
                        ),
                    )
                    .at(r.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(r.span.clone()))
                    .label("this VNet has no RouteServerSubnet")
                    .help("add `[[vnet.subnet]] name = \"RouteServerSubnet\"` (a /27 or larger) to the VNet")
                    .rule(Rule::R70),
                ),
            }
        }
        m.route_servers.push(RouteServer {
            name,
            vnet: vnet.unwrap_or(VnetId(NONE)),
            branch_to_branch: r.branch_to_branch.as_ref().map(|x| x.v).unwrap_or(false),
            ips,
            span: r.span.clone(),
        });
    }
    {
        // in source order, so the later one in the file is reported
        let mut order: Vec<(usize, usize)> = rsnames.raw.iter().copied().enumerate().collect();
        order.sort_by_key(|(_, ri)| raw.route_servers[*ri].span.start);
        let mut per_vnet: BTreeMap<u32, Span> = BTreeMap::new();
        for (i, ri) in order {
            let r = &raw.route_servers[ri];
            let v = m.route_servers[i].vnet.0;
            if r.vnet.as_ref().and_then(|x| vnames.ids.get(&x.v)).is_none() {
                continue;
            }
            if let Some(first) = per_vnet.get(&v) {
                d.push(
                    Diagnostic::error(
                        Code::SecondRouteServer,
                        format!("VNet `{}` already has a route server", m.vnets[v as usize].name),
                    )
                    .at(r.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(r.span.clone()))
                    .note(first.clone(), "the first one")
                    .help("a VNet holds at most one route server (R70): remove one")
                    .rule(Rule::R70),
                );
            } else {
                per_vnet.insert(v, r.span.clone());
            }
        }
    }

    // ---- firewalls
    for &ri in &fwnames.raw {
        let f = &raw.firewalls[ri];
        let name = f.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
        let vnet = f.vnet.as_ref().and_then(|v| vnames.find(v, d)).map(VnetId);
        let mut subnet = None;
        let mut ip = None;
        if let Some(v) = vnet {
            match special(&m, v, SubnetRole::Firewall) {
                Some(s) => {
                    subnet = Some(s);
                    ip = match &f.ip {
                        Some(sp) => parse_ip(sp, "firewall address", d)
                            .filter(|a| in_subnet(*a, s, &m, &sp.span, &format!("firewall `{name}`"), d)),
                        None => nth_host(&m.subnets[s.idx()].prefix, 4),
                    };
                    if let Some(a) = ip {
                        take(
                            v,
                            a,
                            format!("firewall `{name}`"),
                            f.ip.as_ref().map(|x| x.span.clone()).unwrap_or(f.span.clone()),
                            d,
                        );
                    }
                }
                None => d.push(
                    Diagnostic::error(
                        Code::MissingFirewallSubnet,
                        format!(
                            "firewall `{name}` needs a subnet named AzureFirewallSubnet in VNet `{}`",
                            m.vnets[v.idx()].name
                        ),
                    )
                    .at(f.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(f.span.clone()))
                    .label("this VNet has no AzureFirewallSubnet")
                    .help("add `[[vnet.subnet]] name = \"AzureFirewallSubnet\"` (a /26 or larger) to the VNet"),
                ),
            }
        }
        m.firewalls.push(Firewall {
            name,
            vnet: vnet.unwrap_or(VnetId(NONE)),
            subnet: subnet.unwrap_or(SubnetId(NONE)),
            ip: ip.unwrap_or(IpAddr::V4(0.into())),
            span: f.span.clone(),
        });
    }

    // ---- circuits
    for (ci, &ri) in cnames.raw.iter().enumerate() {
        let c = &raw.circuits[ri];
        let sku = match &c.sku {
            Some(s) => match parse_enum(s, "circuit `sku`", &["Local", "Standard", "Premium"], d) {
                Some("Local") => CircuitSku::Local,
                Some("Premium") => CircuitSku::Premium,
                _ => CircuitSku::Standard,
            },
            None => CircuitSku::Standard,
        };
        let bw =
            c.bandwidth_mbps.as_ref().and_then(|b| int_in(b, "bandwidth_mbps", 1, 100_000_000, d)).map(|b| b as u64);
        let mut next_hops = Vec::new();
        if let Some(list) = &c.next_hops {
            for ip in &list.v {
                if let Some(a) = parse_ip(ip, "circuit next hop", d) {
                    next_hops.push(a);
                }
            }
            if list.v.is_empty() {
                d.push(
                    Diagnostic::error(Code::BadValue, "`next_hops` must list at least one address")
                        .at(list.span.clone())
                        .help("list the primary and secondary MSEE addresses Azure shows, or leave `next_hops` out for placeholders"),
                );
            }
        } else {
            next_hops = circuit_placeholder(ci);
        }
        m.circuits.push(Circuit {
            name: c.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            location: c.location.as_ref().map(|x| x.v.clone()),
            sku,
            bandwidth_mbps: bw,
            next_hops,
            span: c.span.clone(),
        });
    }

    // ---- on-premises routers
    for &ri in &onames.raw {
        let o = &raw.onprems[ri];
        let asn = o.asn.as_ref().and_then(|a| {
            parse_asn(a, "on-premises ASN", false, d).filter(|n| check_reserved_asn(*n, a, "on-premises ASN", d))
        });
        let mut circuits = Vec::new();
        if let Some(list) = &o.circuits {
            for c in &list.v {
                if let Some(id) = cnames.find(c, d) {
                    if circuits.contains(&CircuitId(id)) {
                        d.push(
                            Diagnostic::error(Code::DuplicateValue, format!("circuit `{}` is listed twice", c.v))
                                .at(c.span.clone())
                                .help("list each circuit once"),
                        );
                    } else {
                        circuits.push(CircuitId(id));
                    }
                }
            }
        }
        let mut advertise = Vec::new();
        if let Some(list) = &o.advertise {
            for p in &list.v {
                if let Some(n) = parse_prefix(p, "advertised prefix", d) {
                    advertise.push(n);
                }
            }
        }
        let mut prepend = BTreeMap::new();
        for (k, n) in &o.as_path_prepend {
            let Some(cid) = cnames.find(k, d) else { continue };
            if !circuits.contains(&CircuitId(cid)) {
                d.push(
                    Diagnostic::error(
                        Code::PrependNotOnCircuit,
                        format!("`as_path_prepend` names circuit `{}`, which this router does not peer with", k.v),
                    )
                    .at(k.span.clone())
                    .help(format!("add `{}` to `circuits`, or remove the prepend", k.v)),
                );
                continue;
            }
            if let Some(c) = int_in(n, "as_path_prepend count", 0, 64, d) {
                prepend.insert(CircuitId(cid), c);
            }
        }
        m.onprems.push(Onprem {
            name: o.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            asn: asn.unwrap_or(0),
            circuits,
            advertise,
            prepend,
            span: o.span.clone(),
        });
    }

    // ---- local gateways
    for &ri in &lnames.raw {
        let l = &raw.local_gateways[ri];
        let mut prefixes = Vec::new();
        if let Some(list) = &l.address_prefixes {
            for p in &list.v {
                if let Some(n) = parse_prefix(p, "local gateway prefix", d) {
                    prefixes.push(n);
                }
            }
        }
        let bgp_asn = l.bgp_asn.as_ref().and_then(|a| {
            parse_asn(a, "local gateway bgp_asn", false, d)
                .filter(|n| check_reserved_asn(*n, a, "local gateway bgp_asn", d))
        });
        let bgp_peer_ip = l.bgp_peer_ip.as_ref().and_then(|a| parse_ip(a, "bgp_peer_ip", d));
        let onprem = l.onprem.as_ref().and_then(|o| onames.find(o, d)).map(OnpremId);
        if let (Some(o), Some(a), Some(asp)) = (onprem, bgp_asn, &l.bgp_asn)
            && m.onprems[o.idx()].asn != 0
            && m.onprems[o.idx()].asn != a
        {
            d.push(
                Diagnostic::error(
                    Code::AsnMismatch,
                    format!(
                        "bgp_asn {a} differs from the ASN {} of on-premises router `{}` behind this local gateway",
                        m.onprems[o.idx()].asn,
                        m.onprems[o.idx()].name
                    ),
                )
                .at(asp.span.clone())
                .help("the local gateway describes that router's BGP session: use the same ASN"),
            );
        }
        m.local_gateways.push(LocalGateway {
            name: l.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            address_prefixes: prefixes,
            bgp_asn: bgp_asn.or_else(|| onprem.map(|o| m.onprems[o.idx()].asn).filter(|a| *a != 0)),
            bgp_peer_ip,
            onprem,
            span: l.span.clone(),
        });
    }

    // ---- connections
    let mut conn_targets: BTreeMap<(u32, u8, u32), Span> = BTreeMap::new();
    for &ri in &connnames.raw {
        let c = &raw.connections[ri];
        let name = c.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
        let gw = c.gateway.as_ref().and_then(|g| gnames.find(g, d)).map(GatewayId);
        let targets =
            [c.circuit.is_some(), c.local_gateway.is_some(), c.remote_gateway.is_some()].iter().filter(|x| **x).count();
        if targets != 1 {
            d.push(
                Diagnostic::error(Code::ConnectionTarget, format!("connection `{name}` must have exactly one of `circuit`, `local_gateway`, `remote_gateway` (it has {targets})"))
                    .at(c.name.as_ref().map(|x| x.span.clone()).unwrap_or(c.span.clone()))
                    .help("`circuit` for ExpressRoute, `local_gateway` for site-to-site VPN, `remote_gateway` for VNet-to-VNet VPN"),
            );
        }
        let gkind = gw.map(|g| m.gateways[g.idx()].kind);
        let gspan = c.gateway.as_ref().map(|x| x.span.clone()).unwrap_or(c.span.clone());
        let mut kind = None;
        if targets == 1 {
            if let Some(cs) = &c.circuit {
                not_applicable(
                    &c.bgp,
                    "bgp",
                    "does not apply to an ExpressRoute connection",
                    "remove it: ExpressRoute always speaks BGP",
                    d,
                );
                let weight =
                    c.routing_weight.as_ref().and_then(|w| int_in(w, "routing_weight", 0, 32000, d)).unwrap_or(0);
                if gkind == Some(GatewayKind::Vpn) {
                    d.push(
                        Diagnostic::error(
                            Code::ConnectionType,
                            format!(
                                "connection `{name}` joins a circuit to VPN gateway `{}`",
                                m.gateways[gw.unwrap().idx()].name
                            ),
                        )
                        .at(gspan.clone())
                        .help("a circuit connects to an ExpressRoute gateway: name one in `gateway`"),
                    );
                }
                if let Some(cid) = cnames.find(cs, d) {
                    kind = Some(ConnectionKind::ExpressRoute { circuit: CircuitId(cid), routing_weight: weight });
                }
            } else {
                not_applicable(
                    &c.routing_weight,
                    "routing_weight",
                    "applies only to ExpressRoute connections",
                    "remove it: VPN connections have no routing weight",
                    d,
                );
                if gkind == Some(GatewayKind::ExpressRoute) {
                    d.push(
                        Diagnostic::error(
                            Code::ConnectionType,
                            format!(
                                "connection `{name}` is a VPN connection on ExpressRoute gateway `{}`",
                                m.gateways[gw.unwrap().idx()].name
                            ),
                        )
                        .at(gspan.clone())
                        .help("VPN connections belong to a VPN gateway (`type = \"Vpn\"`)"),
                    );
                }
                let bgp = c.bgp.as_ref().map(|x| x.v).unwrap_or(false);
                if let Some(g) = gw
                    && bgp
                    && gkind == Some(GatewayKind::Vpn)
                    && !m.gateways[g.idx()].bgp
                {
                    d.push(
                        Diagnostic::error(
                            Code::BgpOff,
                            format!(
                                "connection `{name}` uses BGP but gateway `{}` has BGP off",
                                m.gateways[g.idx()].name
                            ),
                        )
                        .at(c.bgp.as_ref().map(|x| x.span.clone()).unwrap_or(c.span.clone()))
                        .help(format!(
                            "set `bgp = true` on gateway `{}`, or `bgp = false` here",
                            m.gateways[g.idx()].name
                        )),
                    );
                }
                if let Some(ls) = &c.local_gateway {
                    if let Some(l) = lnames.find(ls, d) {
                        let lg = &m.local_gateways[l as usize];
                        if bgp && (lg.bgp_asn.is_none() || lg.bgp_peer_ip.is_none()) {
                            d.push(
                                Diagnostic::error(Code::BgpSettings, format!("connection `{name}` uses BGP but local gateway `{}` lacks `bgp_asn` or `bgp_peer_ip`", lg.name))
                                    .at(ls.span.clone())
                                    .help("set `bgp_asn` and `bgp_peer_ip` on the local gateway (Azure needs both for a BGP connection)"),
                            );
                        }
                        kind = Some(ConnectionKind::SiteToSite { local_gateway: LocalGatewayId(l), bgp });
                    }
                } else if let Some(rs) = &c.remote_gateway
                    && let Some(r) = gnames.find(rs, d)
                {
                    let rg = &m.gateways[r as usize];
                    if rg.kind != GatewayKind::Vpn {
                        d.push(
                            Diagnostic::error(
                                Code::ConnectionType,
                                format!("remote gateway `{}` is not a VPN gateway", rg.name),
                            )
                            .at(rs.span.clone())
                            .help("VNet-to-VNet connections join two VPN gateways"),
                        );
                    } else if Some(GatewayId(r)) == gw {
                        d.push(
                            Diagnostic::error(
                                Code::ConnectionTarget,
                                "a VNet-to-VNet connection cannot join a gateway to itself",
                            )
                            .at(rs.span.clone())
                            .help("name the other VNet's VPN gateway"),
                        );
                    } else if bgp && !rg.bgp {
                        d.push(
                            Diagnostic::error(
                                Code::BgpOff,
                                format!("connection `{name}` uses BGP but remote gateway `{}` has BGP off", rg.name),
                            )
                            .at(rs.span.clone())
                            .help(format!("set `bgp = true` on gateway `{}`", rg.name)),
                        );
                    }
                    kind = Some(ConnectionKind::VnetToVnet { remote_gateway: GatewayId(r), bgp });
                }
            }
        }
        if let (Some(g), Some(k)) = (gw, &kind) {
            let key = match k {
                ConnectionKind::ExpressRoute { circuit, .. } => (g.0, 0u8, circuit.0),
                ConnectionKind::SiteToSite { local_gateway, .. } => (g.0, 1, local_gateway.0),
                ConnectionKind::VnetToVnet { remote_gateway, .. } => (g.0, 2, remote_gateway.0),
            };
            if let Some(first) = conn_targets.get(&key) {
                d.push(
                    Diagnostic::error(
                        Code::DuplicateConnection,
                        format!("connection `{name}` repeats a connection between the same two ends"),
                    )
                    .at(c.span.clone())
                    .note(first.clone(), "the first connection")
                    .help("remove one: Azure refuses a second connection between the same gateway and peer"),
                );
            } else {
                conn_targets.insert(key, c.span.clone());
            }
        }
        m.connections.push(Connection {
            name,
            gateway: gw.unwrap_or(GatewayId(NONE)),
            kind: kind.unwrap_or(ConnectionKind::ExpressRoute { circuit: CircuitId(NONE), routing_weight: 0 }),
            span: c.span.clone(),
        });
    }

    // ---- NICs: explicit addresses first, then defaults in NIC-name order
    let mut nic_slots: Vec<Option<(VnetId, SubnetId)>> = Vec::new();
    for &ri in &nnames.raw {
        let n = &raw.nics[ri];
        let vnet = n.vnet.as_ref().and_then(|v| vnames.find(v, d)).map(VnetId);
        let subnet = match (vnet, &n.subnet) {
            (Some(v), Some(s)) => find_subnet(&m, v, s, d),
            _ => None,
        };
        nic_slots.push(vnet.zip(subnet));
    }
    // load balancer frontends are explicit addresses too
    let mut lb_parts = Vec::new();
    for &ri in &lbnames.raw {
        let l = &raw.load_balancers[ri];
        let name = l.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
        let vnet = l.vnet.as_ref().and_then(|v| vnames.find(v, d)).map(VnetId);
        let subnet = match (vnet, &l.subnet) {
            (Some(v), Some(s)) => find_subnet(&m, v, s, d),
            _ => None,
        };
        let ip = match (&l.frontend_ip, subnet) {
            (Some(sp), Some(s)) => parse_ip(sp, "frontend_ip", d)
                .filter(|a| in_subnet(*a, s, &m, &sp.span, &format!("load balancer `{name}` frontend"), d)),
            (Some(sp), None) => parse_ip(sp, "frontend_ip", d),
            _ => None,
        };
        if let (Some(v), Some(ip)) = (vnet, ip) {
            take(
                v,
                ip,
                format!("load balancer `{name}`"),
                l.frontend_ip.as_ref().map(|x| x.span.clone()).unwrap_or(l.span.clone()),
                d,
            );
        }
        lb_parts.push((name, vnet, subnet, ip));
    }
    let mut nic_ips: Vec<Option<IpAddr>> = vec![None; nnames.raw.len()];
    for (i, &ri) in nnames.raw.iter().enumerate() {
        let n = &raw.nics[ri];
        let (Some((v, s)), Some(sp)) = (nic_slots[i], &n.ip) else { continue };
        let name = n.name.as_ref().map(|x| x.v.as_str()).unwrap_or("");
        if let Some(ip) = parse_ip(sp, "NIC address", d)
            && in_subnet(ip, s, &m, &sp.span, &format!("NIC `{name}`"), d)
        {
            take(v, ip, format!("NIC `{name}`"), sp.span.clone(), d);
            nic_ips[i] = Some(ip);
        }
    }
    let mut taken_in_subnet: BTreeSet<(u32, IpAddr)> = taken.keys().copied().collect();
    for (i, &ri) in nnames.raw.iter().enumerate() {
        let n = &raw.nics[ri];
        let Some((v, s)) = nic_slots[i] else { continue };
        if n.ip.is_some() {
            continue;
        }
        let net = m.subnets[s.idx()].prefix;
        let mut k: u128 = 4;
        let found = loop {
            match nth_host(&net, k) {
                Some(ip) if !azure_reserved(&net, ip) => {
                    if !taken_in_subnet.contains(&(v.0, ip)) {
                        break Some(ip);
                    }
                }
                _ => break None,
            }
            k += 1;
            if k > 1 << 20 {
                break None;
            }
        };
        match found {
            Some(ip) => {
                taken_in_subnet.insert((v.0, ip));
                nic_ips[i] = Some(ip);
            }
            None => d.push(
                Diagnostic::error(
                    Code::SubnetFull,
                    format!(
                        "subnet {} has no free address left for NIC `{}`",
                        m.subnet_path(s),
                        n.name.as_ref().map(|x| x.v.as_str()).unwrap_or("")
                    ),
                )
                .at(n.span.clone())
                .help("use a larger subnet, or give the NIC an explicit `ip`"),
            ),
        }
    }
    for (i, &ri) in nnames.raw.iter().enumerate() {
        let n = &raw.nics[ri];
        let (v, s) = nic_slots[i].unwrap_or((VnetId(NONE), SubnetId(NONE)));
        m.nics.push(Nic {
            name: n.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            vnet: v,
            subnet: s,
            ip: nic_ips[i].unwrap_or(IpAddr::V4(0.into())),
            ip_forwarding: n.ip_forwarding.as_ref().map(|x| x.v).unwrap_or(false),
            vm: n.vm.as_ref().map(|x| x.v.clone()),
            primary: n.primary.as_ref().map(|x| x.v).unwrap_or(false),
            span: n.span.clone(),
        });
    }

    // ---- load balancers
    for (i, &ri) in lbnames.raw.iter().enumerate() {
        let l = &raw.load_balancers[ri];
        let (name, vnet, subnet, ip) = lb_parts[i].clone();
        let mut backends = Vec::new();
        if let Some(list) = &l.backends {
            for b in &list.v {
                if let Some(id) = nnames.find(b, d) {
                    backends.push(NicId(id));
                }
            }
        }
        m.load_balancers.push(LoadBalancer {
            name,
            vnet: vnet.unwrap_or(VnetId(NONE)),
            subnet: subnet.unwrap_or(SubnetId(NONE)),
            frontend_ip: ip.unwrap_or(IpAddr::V4(0.into())),
            backends,
            ha_ports: l.ha_ports.as_ref().map(|x| x.v).unwrap_or(true),
            span: l.span.clone(),
        });
    }

    // ---- BGP peers (NVAs on a route server, R70)
    for &ri in &bnames.raw {
        let b = &raw.bgp_peers[ri];
        let nic = b.nic.as_ref().and_then(|n| nnames.find(n, d)).map(NicId);
        let rs = b.route_server.as_ref().and_then(|r| rsnames.find(r, d)).map(RouteServerId);
        let asn = b.asn.as_ref().and_then(|a| {
            parse_asn(a, "BGP peer ASN", true, d).filter(|n| check_reserved_asn(*n, a, "BGP peer ASN", d))
        });
        let nic_ip = nic.map(|n| m.nics[n.idx()].ip);
        let mut advertise = Vec::new();
        for a in &b.advertise {
            let Some(prefix) = a.prefix.as_ref().and_then(|p| parse_prefix(p, "advertised prefix", d)) else {
                continue;
            };
            let mut path = Vec::new();
            if let Some(list) = &a.as_path {
                for x in &list.v {
                    if let Some(n) = parse_asn(&Sp::new(x.v, x.span.clone()), "AS path entry", false, d) {
                        path.push(n);
                    }
                }
            }
            let next_hop = match &a.next_hop {
                Some(sp) => parse_ip(sp, "next_hop", d),
                None => nic_ip,
            };
            if let Some(nh) = next_hop {
                advertise.push(Advert { prefix, as_path: path, next_hop: nh });
            }
        }
        m.bgp_peers.push(BgpPeer {
            name: b.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            nic: nic.unwrap_or(NicId(NONE)),
            route_server: rs.unwrap_or(RouteServerId(NONE)),
            asn: asn.unwrap_or(0),
            advertise,
            span: b.span.clone(),
        });
    }

    // ---- peerings: expand the shorthand into directions
    struct Dir {
        from: VnetId,
        to: VnetId,
        p: Peering,
        span: Span,
        key_span: Span,
    }
    let mut dirs: Vec<Dir> = Vec::new();
    for p in &raw.peerings {
        let bool_of = |x: &Option<Sp<bool>>, def: bool| x.as_ref().map(|b| b.v).unwrap_or(def);
        match (&p.from, &p.to, &p.vnets) {
            (Some(f), Some(t), None) => {
                not_applicable(
                    &p.transit_via,
                    "transit_via",
                    "goes with `vnets`, not `from`/`to`",
                    "use `allow_gateway_transit`/`use_remote_gateways`, or write the peering with `vnets`",
                    d,
                );
                let (Some(fv), Some(tv)) = (vnames.find(f, d), vnames.find(t, d)) else { continue };
                dirs.push(Dir {
                    from: VnetId(fv),
                    to: VnetId(tv),
                    p: Peering {
                        from: VnetId(fv),
                        to: VnetId(tv),
                        allow_virtual_network_access: bool_of(&p.allow_virtual_network_access, true),
                        allow_forwarded_traffic: bool_of(&p.allow_forwarded_traffic, false),
                        allow_gateway_transit: bool_of(&p.allow_gateway_transit, false),
                        use_remote_gateways: bool_of(&p.use_remote_gateways, false),
                        span: p.span.clone(),
                    },
                    span: p.span.clone(),
                    key_span: t.span.clone(),
                });
            }
            (None, None, Some(list)) => {
                not_applicable(
                    &p.allow_gateway_transit,
                    "allow_gateway_transit",
                    "is set per direction",
                    "with `vnets`, write `transit_via = \"<hub>\"`; or write two `from`/`to` peerings",
                    d,
                );
                not_applicable(
                    &p.use_remote_gateways,
                    "use_remote_gateways",
                    "is set per direction",
                    "with `vnets`, write `transit_via = \"<hub>\"`; or write two `from`/`to` peerings",
                    d,
                );
                if list.v.len() != 2 {
                    d.push(
                        Diagnostic::error(
                            Code::PeeringVnets,
                            format!("`vnets` names the two peered VNets, not {}", list.v.len()),
                        )
                        .at(list.span.clone())
                        .help("write `vnets = [\"hub00\", \"spoke10\"]`"),
                    );
                    continue;
                }
                let (a, b) = (&list.v[0], &list.v[1]);
                if a.v == b.v {
                    // one mistake, one error (not one per direction)
                    d.push(
                        Diagnostic::error(Code::SelfPeering, format!("VNet `{}` is peered with itself", a.v))
                            .at(b.span.clone())
                            .help("a peering joins two different VNets"),
                    );
                    continue;
                }
                let (Some(av), Some(bv)) = (vnames.find(a, d), vnames.find(b, d)) else { continue };
                let mut hub = None;
                if let Some(tv) = &p.transit_via {
                    if tv.v == a.v {
                        hub = Some(av);
                    } else if tv.v == b.v {
                        hub = Some(bv);
                    } else {
                        d.push(
                            Diagnostic::error(
                                Code::TransitVia,
                                format!(
                                    "`transit_via` must be one of the peered VNets (`{}` or `{}`), not `{}`",
                                    a.v, b.v, tv.v
                                ),
                            )
                            .at(tv.span.clone())
                            .help_opt(did_you_mean(&tv.v, [a.v.as_str(), b.v.as_str()])),
                        );
                    }
                }
                for (x, y, ks) in [(av, bv, b.span.clone()), (bv, av, a.span.clone())] {
                    dirs.push(Dir {
                        from: VnetId(x),
                        to: VnetId(y),
                        p: Peering {
                            from: VnetId(x),
                            to: VnetId(y),
                            allow_virtual_network_access: bool_of(&p.allow_virtual_network_access, true),
                            allow_forwarded_traffic: bool_of(&p.allow_forwarded_traffic, false),
                            allow_gateway_transit: hub == Some(x),
                            use_remote_gateways: hub == Some(y),
                            span: p.span.clone(),
                        },
                        span: p.span.clone(),
                        key_span: ks,
                    });
                }
            }
            _ => {
                d.push(
                    Diagnostic::error(Code::PeeringForm, "a [[peering]] has either `from` and `to`, or `vnets`, never both or neither")
                        .at(p.span.clone())
                        .label("this peering")
                        .help("write `from = \"spoke10\"` and `to = \"hub00\"` for one direction, or `vnets = [\"hub00\", \"spoke10\"]` for both"),
                );
            }
        }
    }
    // self-peering, duplicates, overlaps
    let mut pair_first: BTreeMap<(u32, u32), Span> = BTreeMap::new();
    let mut overlap_reported: BTreeSet<(u32, u32)> = BTreeSet::new();
    let mut kept: Vec<Dir> = Vec::new();
    for dir in dirs {
        let fname = m.vnets[dir.from.idx()].name.clone();
        let tname = m.vnets[dir.to.idx()].name.clone();
        if dir.from == dir.to {
            d.push(
                Diagnostic::error(Code::SelfPeering, format!("VNet `{fname}` is peered with itself"))
                    .at(dir.key_span.clone())
                    .help("a peering joins two different VNets"),
            );
            continue;
        }
        if let Some(first) = pair_first.get(&(dir.from.0, dir.to.0)) {
            d.push(
                Diagnostic::error(Code::DuplicatePeering, format!("VNets `{fname}` → `{tname}` are peered twice"))
                    .at(dir.span.clone())
                    .note(first.clone(), "first peering in this direction")
                    .help("Azure holds one peering per direction: remove one (the `vnets` shorthand already covers both directions)"),
            );
            continue;
        }
        pair_first.insert((dir.from.0, dir.to.0), dir.span.clone());
        let fs = &m.vnets[dir.from.idx()].address_space;
        let ts = &m.vnets[dir.to.idx()].address_space;
        if let Some((a, b)) = fs.iter().flat_map(|a| ts.iter().map(move |b| (a, b))).find(|(a, b)| overlaps(a, b)) {
            // report once per unordered pair (the shorthand and a from/to pair give two directions)
            if overlap_reported.insert((dir.from.0.min(dir.to.0), dir.from.0.max(dir.to.0))) {
                d.push(
                    Diagnostic::error(Code::PeeringOverlap, format!("VNets `{fname}` ({a}) and `{tname}` ({b}) have overlapping address spaces and cannot be peered"))
                        .at(dir.span.clone())
                        .help("Azure refuses to peer VNets whose address spaces overlap: change one address space"),
                );
            }
            continue;
        }
        kept.push(dir);
    }
    // two peers of one VNet whose spaces overlap: the later peering (in the file) is refused
    {
        type PeerSpaces = Vec<(IpNet, (usize, usize))>;
        let mut by_from: BTreeMap<u32, PeerSpaces> = BTreeMap::new();
        for (i, dir) in kept.iter().enumerate() {
            for p in &m.vnets[dir.to.idx()].address_space {
                by_from.entry(dir.from.0).or_default().push((*p, (dir.span.start, i)));
            }
        }
        let mut refused: BTreeSet<usize> = BTreeSet::new();
        for (from, list) in by_from {
            for ((a, (sa, ia)), (b, (sb, ib))) in overlapping(list) {
                if ia == ib {
                    continue;
                }
                let (later, earlier, lp, ep) = if (sa, ia) > (sb, ib) { (ia, ib, a, b) } else { (ib, ia, b, a) };
                if !refused.insert(later) {
                    continue;
                }
                d.push(
                    Diagnostic::error(Code::PeersOverlap, format!(
                        "VNet `{}` cannot be peered with both `{}` ({lp}) and `{}` ({ep}): their address spaces overlap",
                        m.vnets[from as usize].name, m.vnets[kept[later].to.idx()].name, m.vnets[kept[earlier].to.idx()].name
                    ))
                    .at(kept[later].span.clone())
                    .note(kept[earlier].span.clone(), "the earlier peering")
                    .help("Azure refuses the second peering: change one address space or drop one peering"),
                );
            }
        }
        let mut i = 0;
        kept.retain(|_| {
            i += 1;
            !refused.contains(&(i - 1))
        });
    }
    kept.sort_by(|a, b| {
        (&m.vnets[a.from.idx()].name, &m.vnets[a.to.idx()].name)
            .cmp(&(&m.vnets[b.from.idx()].name, &m.vnets[b.to.idx()].name))
    });
    let mut peer_spans = Vec::new();
    for dir in kept {
        peer_spans.push(dir.key_span.clone());
        m.peerings.push(dir.p);
    }

    // ---- route tables: which subnets (nothing more to resolve)

    // The rules below run even after errors (every error at once): references that did not
    // resolve hold out-of-range ids, which the index skips.
    m.index();

    // ---- use_remote_gateways (R38, R41)
    let mut urg_first: BTreeMap<u32, Span> = BTreeMap::new();
    // in source order, so a second use_remote_gateways is reported where it comes later in the file
    let mut order: Vec<usize> = (0..m.peerings.len()).collect();
    order.sort_by_key(|&i| m.peerings[i].span.start);
    for i in order {
        let p = &m.peerings[i];
        if !p.use_remote_gateways {
            continue;
        }
        let local = &m.vnets[p.from.idx()];
        let remote = &m.vnets[p.to.idx()];
        let span = p.span.clone();
        let remote_has = m.ix.er_gateway[p.to.idx()].is_some()
            || m.ix.vpn_gateway[p.to.idx()].is_some()
            || m.ix.route_server[p.to.idx()].is_some();
        let remote_allows = m.ix.reverse[i].map(|r| m.peerings[r.idx()].allow_gateway_transit).unwrap_or(false);
        if !remote_has {
            d.push(
                Diagnostic::error(
                    Code::NoRemoteGateway,
                    format!(
                        "`{}` uses remote gateways over its peering with `{}`, which has no gateway or route server",
                        local.name, remote.name
                    ),
                )
                .at(span.clone())
                .help(format!("add a gateway or route server to `{}`, or turn `use_remote_gateways` off", remote.name))
                .rule(Rule::R41),
            );
        } else if !remote_allows {
            d.push(
                Diagnostic::error(Code::NoGatewayTransit, format!("`{}` uses remote gateways but `{}` does not allow gateway transit on its peering back", local.name, remote.name))
                    .at(span.clone())
                    .help(format!("set `allow_gateway_transit = true` on the `{}` → `{}` peering (or write the pair with `vnets` and `transit_via = \"{}\"`)", remote.name, local.name, remote.name))
                    .rule(Rule::R41),
            );
        }
        if m.ix.er_gateway[p.from.idx()].is_some() || m.ix.vpn_gateway[p.from.idx()].is_some() {
            d.push(
                Diagnostic::error(
                    Code::OwnGateway,
                    format!("`{}` has a gateway of its own and cannot use remote gateways", local.name),
                )
                .at(span.clone())
                .help(format!("remove the gateway from `{}` or turn `use_remote_gateways` off", local.name))
                .rule(Rule::R41),
            );
        } else if m.ix.route_server[p.from.idx()].is_some() {
            // A VNet's routes come from one domain (R38): its own route server, or its hub's.
            d.push(
                Diagnostic::error(
                    Code::OwnRouteServer,
                    format!(
                        "`{}` has a route server of its own and cannot also use the remote gateways of `{}`",
                        local.name, remote.name
                    ),
                )
                .at(span.clone())
                .help(format!("remove the route server from `{}` or turn `use_remote_gateways` off", local.name))
                .rule(Rule::R38),
            );
        }
        if let Some(first) = urg_first.get(&p.from.0) {
            d.push(
                Diagnostic::error(
                    Code::SecondRemoteGateway,
                    format!("`{}` uses remote gateways on more than one peering", local.name),
                )
                .at(span.clone())
                .note(first.clone(), "first peering with use_remote_gateways")
                .help("a VNet can use the gateways of one peered VNet only: turn it off on all but one")
                .rule(Rule::R41),
            );
        } else {
            urg_first.insert(p.from.0, span);
        }
    }

    // ---- warnings that need the resolved model
    for (i, p) in m.peerings.iter().enumerate() {
        if m.ix.reverse[i].is_none() {
            d.push(
                Diagnostic::warning(
                    Code::OneDirectionalPeering,
                    format!(
                        "peering `{}` → `{}` has no peering back: it stays Initiated and carries nothing",
                        m.vnets[p.from.idx()].name,
                        m.vnets[p.to.idx()].name
                    ),
                )
                .at(peer_spans[i].clone())
                .help(format!(
                    "add the `{}` → `{}` direction, or write the pair with `vnets = [...]`",
                    m.vnets[p.to.idx()].name,
                    m.vnets[p.from.idx()].name
                ))
                .rule(Rule::R36),
            );
        }
    }
    // a VNet-to-VNet connection is one direction: without the other it carries nothing
    for c in &m.connections {
        if let ConnectionKind::VnetToVnet { remote_gateway, .. } = c.kind {
            let back = m.connections.iter().any(|o| {
                o.gateway == remote_gateway
                    && matches!(o.kind, ConnectionKind::VnetToVnet { remote_gateway: r, .. } if r == c.gateway)
            });
            let (Some(a), Some(b)) = (m.gateways.get(c.gateway.idx()), m.gateways.get(remote_gateway.idx())) else {
                continue;
            };
            if !back {
                d.push(
                    Diagnostic::warning(
                        Code::OneDirectionalConnection,
                        format!(
                            "VNet-to-VNet connection `{}` ({} → {}) has no connection back: it carries nothing",
                            c.name, a.name, b.name
                        ),
                    )
                    .at(c.span.clone())
                    .help(format!(
                        "add a [[connection]] from `{}` to `{}` (Azure needs one in each direction)",
                        b.name, a.name
                    )),
                );
            }
        }
    }
    // two BGP-connected VPN gateways with one ASN (R64)
    // Once per pair of gateways, at its first connection in the file, whichever direction that is.
    let mut v2v: Vec<&Connection> = m.connections.iter().collect();
    v2v.sort_by_key(|c| c.span.start);
    let mut asn_pairs: BTreeSet<(GatewayId, GatewayId)> = BTreeSet::new();
    for c in v2v {
        if let ConnectionKind::VnetToVnet { remote_gateway, bgp: true } = c.kind {
            let (x, y) = (c.gateway.min(remote_gateway), c.gateway.max(remote_gateway));
            let (Some(a), Some(b)) = (m.gateways.get(x.idx()), m.gateways.get(y.idx())) else { continue };
            if a.asn == b.asn && asn_pairs.insert((x, y)) {
                d.push(
                    Diagnostic::warning(Code::SameAsn, format!("VPN gateways `{}` and `{}` are BGP-connected with the same ASN {}: each drops the other's routes as a loop", a.name, b.name, a.asn))
                        .at(c.span.clone())
                        .help(format!("give one of them another ASN (e.g. `asn = 65050` on `{}`)", b.name))
                        .rule(Rule::R64),
                );
            }
        }
    }

    // a UDR next hop that nothing forwards from (R28)
    for (ip, span, route) in &udr_hops {
        let forwards = m.nics.iter().any(|n| n.ip_forwarding && n.ip == *ip)
            || m.firewalls.iter().any(|f| f.ip == *ip)
            || m.load_balancers.iter().any(|l| l.frontend_ip == *ip);
        if forwards {
            continue;
        }
        let plain = m.nics.iter().find(|n| n.ip == *ip);
        d.push(
            Diagnostic::warning(
                Code::UnservedNextHop,
                match plain {
                    Some(n) => format!("{route} sends traffic to {ip}, NIC `{}`, which has ip_forwarding off", n.name),
                    None => format!(
                        "{route} sends traffic to {ip}, which no forwarding NIC, firewall or load-balancer frontend holds"
                    ),
                },
            )
            .at(span.clone())
            .label("nothing forwards from this address")
            .help(match plain {
                Some(n) => format!("set `ip_forwarding = true` on NIC `{}` (an NVA must forward traffic not addressed to it)", n.name),
                None => "point `next_hop_ip` at an NVA NIC with `ip_forwarding = true`, a firewall or an internal load-balancer frontend".to_string(),
            })
            .rule(Rule::R28),
        );
    }
    // more prefixes offered over a session than Azure accepts: the session drops (R52, R76, R66)
    for (i, &ri) in onames.raw.iter().enumerate() {
        let o = &m.onprems[i];
        let span = raw.onprems[ri].advertise.as_ref().map(|x| x.span.clone()).unwrap_or(o.span.clone());
        for c in &o.circuits {
            let circuit = &m.circuits[c.idx()];
            if let Some(crate::limits::Exceeded { limit, count, family }) =
                crate::limits::private_peering_drop(&o.advertise, circuit.sku)
            {
                let family = family.name();
                d.push(
                    Diagnostic::warning(
                        Code::PrefixLimit,
                        format!(
                            "on-premises router `{}` advertises {count} {family} prefixes over circuit `{}`, more than the {limit} its private peering accepts: the session drops and carries nothing",
                            o.name, circuit.name
                        ),
                    )
                    .at(span.clone())
                    .label("over the private-peering limit")
                    .help(
                        if family == "IPv4"
                            && circuit.sku == CircuitSku::Standard
                            && count <= crate::limits::private_peering_ipv4(CircuitSku::Premium)
                        {
                            format!(
                                "advertise at most {limit} (summarised) prefixes, or use a Premium circuit (10,000 IPv4)"
                            )
                        } else {
                            format!("advertise at most {limit} (summarised) {family} prefixes over this circuit")
                        },
                    )
                    .rule(Rule::R52),
                );
            }
        }
    }
    for b in &m.bgp_peers {
        if let Some(crate::limits::Exceeded { limit, count, .. }) =
            crate::limits::route_server_peer_drop(b.advertise.len())
        {
            d.push(
                Diagnostic::warning(
                    Code::PrefixLimit,
                    format!(
                        "BGP peer `{}` advertises {count} prefixes to route server `{}`, more than the {limit} it accepts from one peer: the session drops and carries nothing",
                        b.name,
                        m.route_servers.get(b.route_server.idx()).map(|r| r.name.as_str()).unwrap_or("?")
                    ),
                )
                .at(b.span.clone())
                .label("over the route-server peer limit")
                .help("advertise fewer (summarised) prefixes")
                .rule(Rule::R76),
            );
        }
    }
    for c in &m.connections {
        if let ConnectionKind::SiteToSite { local_gateway, bgp: true } = c.kind
            && let Some(o) = m.local_gateways[local_gateway.idx()].onprem
            && m.onprems[o.idx()].advertise.len() > crate::limits::VPN_BGP_PEER_PREFIXES
        {
            let o = &m.onprems[o.idx()];
            d.push(
                Diagnostic::warning(
                    Code::PrefixLimit,
                    format!(
                        "on-premises router `{}` advertises {} prefixes over BGP connection `{}`, more than the {} a VPN gateway accepts from one peer: the session drops and carries nothing",
                        o.name,
                        o.advertise.len(),
                        c.name,
                        crate::limits::VPN_BGP_PEER_PREFIXES
                    ),
                )
                .at(c.span.clone())
                .label("over the VPN BGP peer limit")
                .help("advertise fewer (summarised) prefixes")
                .rule(Rule::R66),
            );
        }
    }

    // ---- expectations
    let mut expects = Vec::new();
    for e in &raw.expects {
        if let Some(x) = expectation(e, &m, d) {
            expects.push(x);
        }
    }
    expects.sort_by_key(|x| expect_sort_key(&m, x));
    m.expects = expects;

    if d.has_errors() { None } else { Some(m) }
}

fn expect_sort_key(m: &Model, e: &Expect) -> (String, String) {
    let desc = match &e.kind {
        ExpectKind::Reach { from, to, reachable, symmetric } => {
            format!("reach {} {} {reachable} {symmetric}", resolve::kind_of(m, from, ""), resolve::kind_of(m, to, ""))
        }
        ExpectKind::Route { table, prefix, next_hop_type, next_hop_ip, state, absent } => format!(
            "route {:?} {prefix} {next_hop_type:?} {next_hop_ip:?} {state:?} {absent}",
            match table {
                TableRef::Nic(n) => m.nics[n.idx()].name.clone(),
                TableRef::Subnet(s) => m.subnet_path(*s),
            }
        ),
    };
    (e.name.clone().unwrap_or_default(), desc)
}

fn expectation(e: &RawExpect, m: &Model, d: &mut Diagnostics) -> Option<Expect> {
    let is_reach = e.from.is_some() || e.to.is_some();
    let is_route = e.nic.is_some() || e.subnet.is_some() || e.prefix.is_some();
    let endpoint = |sp: &Sp<String>, d: &mut Diagnostics| -> Option<Endpoint> {
        match resolve::resolve(m, &sp.v) {
            Ok(x) => Some(x),
            Err(err) => {
                d.push(Diagnostic::error(Code::UnknownName, err.to_string()).at(sp.span.clone()).label("does not resolve").help("name a NIC, VM, VNet, vnet/subnet, on-premises router, firewall, load balancer or an IP address"));
                None
            }
        }
    };
    if is_reach && is_route {
        d.push(
            Diagnostic::error(Code::ExpectForm, "an [[expect]] is either a reachability check (`from`, `to`) or a route check (`nic`/`subnet`, `prefix`), not both")
                .at(e.span.clone())
                .help("split it into two [[expect]] blocks"),
        );
        return None;
    }
    if is_reach {
        let why = "does not apply to a reachability expectation";
        let h = "remove it, or write a route expectation in its own [[expect]]";
        not_applicable(&e.next_hop_type, "next_hop_type", why, h, d);
        not_applicable(&e.next_hop_ip, "next_hop_ip", why, h, d);
        not_applicable(&e.state, "state", why, h, d);
        not_applicable(&e.absent, "absent", why, h, d);
        let (Some(f), Some(t)) = (&e.from, &e.to) else {
            let (missing, example) =
                if e.from.is_none() { ("from", "from = \"vm-spoke10\"") } else { ("to", "to = \"spoke110\"") };
            d.push(
                Diagnostic::error(
                    Code::MissingKey,
                    format!("a reachability [[expect]] needs both `from` and `to`; `{missing}` is missing"),
                )
                .at(e.span.clone())
                .help(format!("add `{example}`")),
            );
            return None;
        };
        let (from, to) = (endpoint(f, d), endpoint(t, d));
        return Some(Expect {
            name: e.name.as_ref().map(|x| x.v.clone()),
            kind: ExpectKind::Reach {
                from: from?,
                to: to?,
                reachable: e.reachable.as_ref().map(|x| x.v).unwrap_or(true),
                symmetric: e.symmetric.as_ref().map(|x| x.v).unwrap_or(false),
            },
            span: e.span.clone(),
        });
    }
    if is_route {
        let why = "does not apply to a route expectation";
        let h = "remove it, or write a reachability expectation in its own [[expect]]";
        not_applicable(&e.reachable, "reachable", why, h, d);
        not_applicable(&e.symmetric, "symmetric", why, h, d);
        let table = match (&e.nic, &e.subnet) {
            (Some(n), None) => match m.nic_by_name(&n.v) {
                Some(id) => Some(TableRef::Nic(id)),
                None => {
                    d.push(
                        Diagnostic::error(Code::UnknownName, format!("unknown NIC `{}`", n.v))
                            .at(n.span.clone())
                            .label("no [[nic]] has this name")
                            .help_opt(did_you_mean(&n.v, m.nics.iter().map(|x| x.name.as_str()))),
                    );
                    None
                }
            },
            (None, Some(s)) => match m.subnet_by_path(&s.v) {
                Some(id) => Some(TableRef::Subnet(id)),
                None => {
                    let paths: Vec<String> = (0..m.subnets.len()).map(|i| m.subnet_path(SubnetId(i as u32))).collect();
                    d.push(
                        Diagnostic::error(Code::UnknownName, format!("unknown subnet `{}`", s.v))
                            .at(s.span.clone())
                            .label("write it as vnet/subnet")
                            .help_opt(did_you_mean(&s.v, paths.iter().map(String::as_str))),
                    );
                    None
                }
            },
            (Some(_), Some(s)) => {
                d.push(
                    Diagnostic::error(Code::ExpectForm, "a route [[expect]] names `nic` or `subnet`, not both")
                        .at(s.span.clone())
                        .help("remove one"),
                );
                None
            }
            (None, None) => {
                d.push(
                    Diagnostic::error(Code::MissingKey, "a route [[expect]] needs `nic` or `subnet`")
                        .at(e.span.clone())
                        .help("add `nic = \"nic-spoke10\"` or `subnet = \"spoke10/default\"`"),
                );
                None
            }
        };
        let Some(psp) = &e.prefix else {
            d.push(
                Diagnostic::error(Code::MissingKey, "a route [[expect]] needs `prefix`")
                    .at(e.span.clone())
                    .help("add `prefix = \"10.110.0.0/16\"`"),
            );
            return None;
        };
        let prefix = parse_prefix(psp, "expected prefix", d);
        let names: Vec<&str> = NextHopType::ALL.iter().map(|t| t.api()).collect();
        let nht =
            e.next_hop_type.as_ref().map(|t| parse_enum(t, "next_hop_type", &names, d).and_then(NextHopType::parse));
        let ip = e.next_hop_ip.as_ref().map(|sp| parse_ip(sp, "next_hop_ip", d));
        // `None`: not written (Active for a present row; any state for `absent = true`).
        let state = match &e.state {
            Some(s) => match parse_enum(s, "state", &["Active", "Invalid"], d) {
                Some("Invalid") => Some(Some(RouteState::Invalid)),
                Some(_) => Some(Some(RouteState::Active)),
                None => None,
            },
            None => Some(None),
        };
        return Some(Expect {
            name: e.name.as_ref().map(|x| x.v.clone()),
            kind: ExpectKind::Route {
                table: table?,
                prefix: prefix?,
                next_hop_type: match nht {
                    Some(x) => Some(x?),
                    None => None,
                },
                next_hop_ip: match ip {
                    Some(x) => Some(x?),
                    None => None,
                },
                state: state?,
                absent: e.absent.as_ref().map(|x| x.v).unwrap_or(false),
            },
            span: e.span.clone(),
        });
    }
    d.push(
        Diagnostic::error(
            Code::ExpectForm,
            "an [[expect]] needs `from` and `to` (reachability) or `nic`/`subnet` and `prefix` (a route)",
        )
        .at(e.span.clone())
        .help("e.g. `from = \"vm-spoke10\"` and `to = \"spoke110\"`"),
    );
    None
}
