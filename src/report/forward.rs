//! Forwarding in words: hosts, places, the routes looked up there, drops and warnings. The walk
//! returns typed facts; every sentence `reach` and `check` print about a trace is written here.

use crate::bgp::{SessionKind, Speaker, speaker_name};
use crate::forward::why::NoBetterRoute;
use crate::forward::{Destination, Drop, DropCause, Forwarder, Host, Place, RouteRow, RouteUsed, Table, Transit};
use crate::forward::{MAX_ROUTED_HOPS, Unexpected, Warning};
use crate::model::*;

/// A host's name for people (`vm-spoke10 (nic-spoke10)`, `host in spoke10/default`).
pub fn host_name(m: &Model, h: &Host) -> String {
    match h {
        Host::Nic(n) => {
            let nic = &m.nics[n.idx()];
            match &nic.vm {
                Some(vm) => format!("{vm} ({})", nic.name),
                None => nic.name.clone(),
            }
        }
        Host::Synthetic { subnet, .. } => format!("host in {}", m.subnet_path(*subnet)),
        Host::Firewall(f) => format!("firewall {}", m.firewalls[f.idx()].name),
        Host::LoadBalancer(l) => format!("load balancer {}", m.load_balancers[l.idx()].name),
        Host::Onprem { router, .. } => format!("on-premises {}", m.onprems[router.idx()].name),
        Host::Site { local_gateway, .. } => {
            format!("on-premises site behind {}", m.local_gateways[local_gateway.idx()].name)
        }
        Host::BehindNva { peer, .. } => format!("network behind NVA {}", m.bgp_peers[peer.idx()].name),
        Host::Public(_) => "Internet".to_string(),
    }
}

/// ` [synthetic]` for a host no NIC holds, else nothing.
pub fn synthetic_mark(h: &Host) -> &'static str {
    if matches!(h, Host::Synthetic { .. }) { " [synthetic]" } else { "" }
}

/// A place's short name, with its address where it has one.
pub fn place_name(m: &Model, p: &Place) -> String {
    match p {
        Place::Host(h) => format!("{}{} {}", host_name(m, h), synthetic_mark(h), h.ip(m)),
        Place::Nva(n) => format!("NVA {} {}", m.nics[n.idx()].name, m.nics[n.idx()].ip),
        Place::Firewall(f) => format!("firewall {} {}", m.firewalls[f.idx()].name, m.firewalls[f.idx()].ip),
        Place::LoadBalancer(l) => {
            format!("load balancer {} {}", m.load_balancers[l.idx()].name, m.load_balancers[l.idx()].frontend_ip)
        }
        Place::Msee(c, link) => match link {
            Some(ip) => format!("{} MSEE (link {ip})", m.circuits[c.idx()].name),
            None => format!("{} MSEE", m.circuits[c.idx()].name),
        },
        Place::Gateway(g) => format!("{} ({} gateway)", m.gateways[g.idx()].name, m.gateways[g.idx()].kind),
        Place::Peering { from, to, global } => format!(
            "{}peering {} → {}",
            if *global { "global " } else { "" },
            m.vnets[from.idx()].name,
            m.vnets[to.idx()].name
        ),
        Place::Onprem(o) => format!("on-premises {}", m.onprems[o.idx()].name),
        Place::Site(l) => format!("on-premises site behind {}", m.local_gateways[l.idx()].name),
        Place::Internet => "Internet".to_string(),
    }
}

/// The forwarding devices' names, sorted.
pub fn forwarder_names(m: &Model, fs: &[Forwarder]) -> Vec<String> {
    let mut v: Vec<String> = fs.iter().map(|f| place_name(m, &f.place())).collect();
    v.sort();
    v
}

/// Whose table (`spoke10/default`, `circuit01 MSEE`, `vpngw-hub00 BGP`).
pub fn table_name(m: &Model, t: &Table) -> String {
    match t {
        Table::Subnet(s) => m.subnet_path(*s),
        Table::Msee(c) => format!("{} MSEE", m.circuits[c.idx()].name),
        Table::Bgp(s) => format!("{} BGP", speaker_name(m, *s)),
    }
}

/// The row's source: the portal's spelling for a subnet's row, the speaker it was learned from for
/// a BGP table (or the connection whose static prefixes it is).
pub fn route_source(m: &Model, r: &RouteUsed) -> String {
    match &r.row {
        RouteRow::Effective { source, .. } => source.portal().to_string(),
        RouteRow::Learned { session: SessionKind::Static, connection, .. } => format!(
            "static prefixes of connection {}",
            connection.map(|c| m.connections[c.idx()].name.as_str()).unwrap_or_default()
        ),
        RouteRow::Learned { from, .. } => speaker_name(m, *from),
    }
}

/// The next hop type: the portal's spelling for a subnet's row, where the route leads for a BGP
/// table.
pub fn route_next_hop(m: &Model, r: &RouteUsed) -> String {
    match (&r.row, r.table) {
        (RouteRow::Effective { next_hop_type, .. }, _) => next_hop_type.portal().to_string(),
        (RouteRow::Learned { from: Speaker::Onprem(_), .. }, Table::Msee(_)) => "on-premises".into(),
        (RouteRow::Learned { .. }, Table::Msee(_)) => "ExpressRoute gateway".into(),
        (RouteRow::Learned { session: SessionKind::PrivatePeering, .. }, Table::Bgp(Speaker::Onprem(_))) => {
            "ExpressRoute".into()
        }
        (RouteRow::Learned { .. }, Table::Bgp(Speaker::Onprem(_))) => "VPN".into(),
        (RouteRow::Learned { connection, .. }, _) => match connection {
            Some(c) => format!("connection {}", m.connections[c.idx()].name),
            None => "route server".into(),
        },
    }
}

/// More about the row: the user route's name, or the AS path.
pub fn route_detail(r: &RouteUsed) -> Option<String> {
    match &r.row {
        RouteRow::Effective { udr, .. } => udr.as_ref().map(|n| format!("route {n}")),
        RouteRow::Learned { as_path, .. } => Some(format!(
            "AS path {}",
            if as_path.is_empty() {
                "-".to_string()
            } else {
                as_path.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" ")
            }
        )),
    }
}

/// The destination address, with its VNet and address space when it is in Azure.
fn destination(m: &Model, d: &Destination) -> String {
    match d.vnet {
        Some(v) => {
            let vn = &m.vnets[v.idx()];
            match vn.address_space.iter().find(|a| a.contains(&d.ip)) {
                Some(a) => format!("{} ({} {a})", d.ip, vn.name),
                None => format!("{} ({})", d.ip, vn.name),
            }
        }
        None => d.ip.to_string(),
    }
}

const NEEDS_R67: &str = "it needs a route server with branch_to_branch, an active-active VPN gateway and VPN ASN 65515";

/// What happened, in a sentence (with why no better route existed, when the trace says).
pub fn drop_message(m: &Model, d: &Drop) -> String {
    let mut s = cause_message(m, &d.cause, &d.at);
    if let Some(n) = &d.no_better_route {
        s.push_str(&no_better_route(m, n));
    }
    s
}

fn cause_message(m: &Model, c: &DropCause, at: &Place) -> String {
    use DropCause::*;
    let vnet = |v: &VnetId| &m.vnets[v.idx()].name;
    match c {
        SourceNotModelled => "traffic from the Internet (or from a site with no VPN connection) is not modelled".into(),
        NoRouteInSubnet { subnet, dst } => format!("no route in {} matches {dst}", m.subnet_path(*subnet)),
        NextHopNone { dst, prefix, udr, reserved, .. } => {
            let why = match (udr, reserved) {
                (Some(n), _) => format!("user route `{n}`"),
                (None, true) => "a reserved system route (D3)".to_string(),
                (None, false) => "a system route".to_string(),
            };
            format!("{} only matches {prefix} None, {why}", destination(m, dst))
        }
        ToInternet { dst, prefix, .. } => format!(
            "{} only matches {prefix} Internet: the packet leaves Azure for a private address",
            destination(m, dst)
        ),
        NoVpnGateway { subnet, prefix, udr } => format!(
            "route {} sends {prefix} to the virtual network gateway, but {} has no VPN gateway (a user route cannot target an ExpressRoute gateway)",
            udr.as_deref().unwrap_or_default(),
            m.subnet_path(*subnet)
        ),
        PeeringAccessOff { peering } => {
            let p = &m.peerings[peering.idx()];
            format!(
                "allow_virtual_network_access is off on the {} ↔ {} peering (assuming default NSG rules)",
                vnet(&p.from),
                vnet(&p.to)
            )
        }
        NoSuchHost { dst, vnet: v } => format!("nothing holds {dst} in VNet {}", vnet(v)),
        Misdelivered { dst, host, vnet: v } => format!(
            "{dst} is delivered to {} in {}, not to the destination (overlapping address spaces)",
            place_name(m, &Place::Host(*host)),
            vnet(v)
        ),
        NextHopNotHeld { ip, vnet: v } => format!(
            "next hop {ip} is held by no forwarding NIC, firewall or load-balancer frontend in {} or a peered VNet",
            vnet(v)
        ),
        NoBackends(l) => format!("load balancer {} has no backends", m.load_balancers[l.idx()].name),
        NotForwarding { ip } => format!("{ip} is not a forwarding device"),
        IpForwardingOff { nic, ip } => {
            format!("{} ({ip}) has ip_forwarding = false and drops traffic not addressed to it", m.nics[nic.idx()].name)
        }
        NoCircuitTransit { gateway, circuit } => format!(
            "{} would send traffic that came from a circuit back into {}: no transit between circuits",
            m.gateways[gateway.idx()].name,
            m.circuits[circuit.idx()].name
        ),
        NoErVpnTransit { gateway, transit } => format!(
            "no transit from {} at {}: {NEEDS_R67}",
            match transit {
                Transit::VpnToEr => "VPN to ExpressRoute",
                Transit::ErToVpn => "ExpressRoute to VPN",
            },
            m.gateways[gateway.idx()].name
        ),
        RemoteVnetTrafficOff { circuit, gateways } => format!(
            "VNet-to-VNet traffic over {} needs allow_remote_vnet_traffic on both gateways; it is off on {}",
            m.circuits[circuit.idx()].name,
            gateways.iter().map(|g| m.gateways[g.idx()].name.as_str()).collect::<Vec<_>>().join(" and ")
        ),
        MseeNoRoute { circuit, dst } => format!("{}'s MSEE has no route to {dst}", m.circuits[circuit.idx()].name),
        OnpremNoRoute { router, dst, r67_missing } => {
            let mut s = format!("{} has no route to {dst}", m.onprems[router.idx()].name);
            if !r67_missing.is_empty() {
                s.push_str(&format!(
                    "; ExpressRoute and VPN sites reach each other through Azure only with R67's conditions: {}",
                    r67_missing.iter().map(|x| x.describe(m)).collect::<Vec<_>>().join("; ")
                ));
            }
            s
        }
        GatewayNoRoute { gateway, dst } => format!("{} has no usable route to {dst}", m.gateways[gateway.idx()].name),
        Loop { .. } => format!("the packet comes back to {}: a routing loop", place_name(m, at)),
        HopLimit => format!("more than {MAX_ROUTED_HOPS} routed hops"),
        AsymmetricStateful { device, forward, back } => {
            let names = |v: &[Forwarder]| {
                if v.is_empty() {
                    "no NVA or firewall".to_string()
                } else {
                    v.iter().map(|f| place_name(m, &f.place())).collect::<Vec<_>>().join(", ")
                }
            };
            format!(
                "{} keeps connection state and sees only one direction of the flow (forward crosses {}, return crosses {}): it drops the flow",
                place_name(m, &device.place()),
                names(forward),
                names(back)
            )
        }
        NoDefaultSite { gateway, dst } => format!(
            "{} has no route to {dst} and no default site: a VPN gateway does not send traffic to the Internet",
            m.gateways[gateway.idx()].name
        ),
        Unexpected(u) => unexpected(*u).into(),
    }
}

fn unexpected(u: Unexpected) -> &'static str {
    match u {
        Unexpected::UnsupportedNextHop => "unsupported next hop",
        Unexpected::NoDomain => "no domain",
        Unexpected::GatewayRowWithoutNextHop => "gateway route without next hop",
        Unexpected::NextHopNotInDomain => "next hop not in the domain",
        Unexpected::InternalSession => "internal session",
        Unexpected::MseeRoute => "unexpected MSEE route",
    }
}

/// Why no better route existed, as clauses appended to the drop's sentence.
fn no_better_route(m: &Model, n: &NoBetterRoute) -> String {
    let mut s = String::new();
    if !n.remote_vnet_off.is_empty() {
        let mut names: Vec<&str> = n.remote_vnet_off.iter().map(|g| m.gateways[g.idx()].name.as_str()).collect();
        names.sort();
        s.push_str(&format!(
            "; the gateway route toward it was filtered: allow_remote_vnet_traffic is off on {}",
            names.join(" and ")
        ));
    }
    if n.propagation_off {
        s.push_str("; a gateway route toward it exists but this subnet's route table has propagation off");
    }
    if let Some(p) = &n.not_peered {
        let via = if p.common.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = p.common.iter().map(|v| m.vnets[v.idx()].name.as_str()).collect();
            format!(" (both are peered with {})", names.join(", "))
        };
        s.push_str(&format!(
            "; {} and {} are not peered and peering is not transitive{via}",
            m.vnets[p.from.idx()].name,
            m.vnets[p.to.idx()].name
        ));
    }
    s
}

/// Where it dropped. A source that is not modelled is named without an address.
pub fn drop_at(m: &Model, d: &Drop) -> String {
    match (&d.cause, &d.at) {
        (DropCause::SourceNotModelled, Place::Host(h)) => host_name(m, h),
        _ => place_name(m, &d.at),
    }
}

/// For a loop: the names of the cycle's places.
pub fn cycle(m: &Model, d: &Drop) -> Vec<String> {
    match &d.cause {
        DropCause::Loop { cycle } => cycle.iter().map(|p| place_name(m, p)).collect(),
        _ => Vec::new(),
    }
}

/// `NextHopNone [D3, R37]: 10.20.0.4 (spoke20 10.20.0.0/16) only matches …`.
pub fn drop_line(m: &Model, d: &Drop) -> String {
    format!("{} [{}]: {}", d.reason().code(), d.rules(), drop_message(m, d))
}

/// A warning in a sentence.
pub fn warning(m: &Model, w: &Warning) -> String {
    match w {
        Warning::ForwardedOverPeering { from, to } => format!(
            "traffic forwarded by an NVA or firewall crosses peering {} → {}, whose {} side has allow_forwarded_traffic = false (documented to narrow the VirtualNetwork tag; observed not to block) [D11]",
            m.vnets[from.idx()].name,
            m.vnets[to.idx()].name,
            m.vnets[to.idx()].name
        ),
        Warning::Asymmetric { forward, back } => {
            let list = |fs: &[Forwarder]| {
                let names = forwarder_names(m, fs);
                if names.is_empty() { "no NVA or firewall".to_string() } else { names.join(", ") }
            };
            format!(
                "asymmetric path: forward crosses {}, return crosses {}; a stateful firewall drops such flows",
                list(forward),
                list(back)
            )
        }
    }
}
