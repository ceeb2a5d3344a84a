//! Simulated failures (`--down`): typed [`Failure`]s named on the command line, resolved against a
//! validated [`Model`], and applied to it ([`without`]) before propagation, so every command
//! answers for the estate as Azure would run it with those elements down.
//!
//! A failure is applied to the model, not to the scenario text (deleting a block would leave the
//! blocks that name it invalid), and it takes what depends on it along:
//!
//! - a circuit: its ExpressRoute connections and the private peerings of its routers;
//! - one link of a circuit (`circuit01/primary`, `/secondary`: the first and second of its
//!   `next_hops`): routes learned over it keep only the other link's next hop (D2);
//! - a gateway: the gateway, its connections (and VNet-to-VNet connections toward it), and with
//!   them its BGP sessions, static prefixes and branch-to-branch sessions; a hub left without
//!   gateway or route server is no longer a routing domain (R38, R47);
//! - one instance of an active-active VPN gateway (`/1`, `/2`): it keeps the other instance, one
//!   next hop (R48);
//! - a connection, or one direction of a peering (the pair is then not Connected, R36), or both;
//! - a local network gateway or an on-premises router: the site-to-site connections to it, a
//!   router's private peerings, and a VPN gateway's default site there (D20);
//! - a route server: the server and its NVA sessions, so its domain loses the NVAs' routes;
//! - an NVA's BGP session (`bgp_peer:`), or the NVA itself (`nic:`, `vm:`) or a firewall: the
//!   device is removed, so it forwards nothing (a next hop nothing holds, D17) and its session is
//!   gone; an internal load balancer keeps its other backends.
//!
//! Arenas that lose items are renumbered in order, so ids stay in name order; the lookups are
//! rebuilt ([`Model::index`]). An `[[expect]]` naming a removed device cannot be evaluated: it is
//! left out, with a warning ([`Without::warnings`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::diag::{Code, Diagnostic, suggest};
use crate::model::*;

/// Which link of a circuit: the first or the second of its `next_hops` (primary, secondary MSEE).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Link {
    /// The first next hop.
    Primary,
    /// The second next hop.
    Secondary,
}

impl Link {
    /// `primary` or `secondary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Primary => "primary",
            Link::Secondary => "secondary",
        }
    }

    fn index(self) -> usize {
        match self {
            Link::Primary => 0,
            Link::Secondary => 1,
        }
    }
}

/// One element simulated as failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Failure {
    /// A circuit: both links.
    Circuit(CircuitId),
    /// One link of a circuit.
    CircuitLink(CircuitId, Link),
    /// A gateway.
    Gateway(GatewayId),
    /// One instance of an active-active VPN gateway (0: the first of its `ips`, 1: the second).
    GatewayInstance(GatewayId, usize),
    /// A connection.
    Connection(ConnectionId),
    /// One direction of a peering (held by `from`).
    Peering {
        /// The VNet that holds the peering.
        from: VnetId,
        /// The remote VNet.
        to: VnetId,
    },
    /// Both directions of a peering.
    PeeringPair(VnetId, VnetId),
    /// A local network gateway (the VPN device as Azure sees it).
    LocalGateway(LocalGatewayId),
    /// An on-premises router.
    Onprem(OnpremId),
    /// A route server.
    RouteServer(RouteServerId),
    /// An NVA's BGP session with its route server.
    BgpPeer(BgpPeerId),
    /// A NIC (an NVA or a VM): the device is gone.
    Nic(NicId),
    /// An Azure Firewall.
    Firewall(FirewallId),
}

impl Failure {
    /// How output names it: `circuit01`, `circuit01/primary`, `vpngw-hub00/1`, `spoke10→hub00`,
    /// `hub00↔spoke10` (VNet names in order).
    pub fn label(&self, m: &Model) -> String {
        let vnet = |v: &VnetId| m.vnets[v.idx()].name.as_str();
        match self {
            Failure::Circuit(c) => m.circuits[c.idx()].name.clone(),
            Failure::CircuitLink(c, l) => format!("{}/{}", m.circuits[c.idx()].name, l.as_str()),
            Failure::Gateway(g) => m.gateways[g.idx()].name.clone(),
            Failure::GatewayInstance(g, i) => format!("{}/{}", m.gateways[g.idx()].name, i + 1),
            Failure::Connection(c) => m.connections[c.idx()].name.clone(),
            Failure::Peering { from, to } => format!("{}→{}", vnet(from), vnet(to)),
            Failure::PeeringPair(a, b) => {
                let (x, y) = if vnet(a) <= vnet(b) { (a, b) } else { (b, a) };
                format!("{}↔{}", vnet(x), vnet(y))
            }
            Failure::LocalGateway(l) => m.local_gateways[l.idx()].name.clone(),
            Failure::Onprem(o) => m.onprems[o.idx()].name.clone(),
            Failure::RouteServer(r) => m.route_servers[r.idx()].name.clone(),
            Failure::BgpPeer(b) => m.bgp_peers[b.idx()].name.clone(),
            Failure::Nic(n) => m.nics[n.idx()].name.clone(),
            Failure::Firewall(f) => m.firewalls[f.idx()].name.clone(),
        }
    }

    /// The `kind:` prefix that names this kind of element.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Circuit(_) | Failure::CircuitLink(..) => "circuit",
            Failure::Gateway(_) | Failure::GatewayInstance(..) => "gateway",
            Failure::Connection(_) => "connection",
            Failure::Peering { .. } | Failure::PeeringPair(..) => "peering",
            Failure::LocalGateway(_) => "local_gateway",
            Failure::Onprem(_) => "onprem",
            Failure::RouteServer(_) => "route_server",
            Failure::BgpPeer(_) => "bgp_peer",
            Failure::Nic(_) => "nic",
            Failure::Firewall(_) => "firewall",
        }
    }
}

/// Kind prefixes `--down` takes.
pub const KINDS: &[&str] = &[
    "circuit",
    "gateway",
    "connection",
    "peering",
    "route_server",
    "bgp_peer",
    "local_gateway",
    "onprem",
    "nic",
    "vm",
    "firewall",
];

/// Kind prefixes `reach` takes that name nothing `--down` can fail.
const NOT_FAILABLE: &[&str] = &["vnet", "subnet", "lb"];

/// Why a `--down` argument does not name one element that can fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DownError {
    /// Nothing that can fail has that name; the closest names.
    Unknown {
        /// The argument.
        spec: String,
        /// Close names, best first.
        suggestions: Vec<String>,
    },
    /// Several elements have that name; each with its kind prefix.
    Ambiguous {
        /// The argument.
        spec: String,
        /// `kind:name` of each candidate.
        candidates: Vec<String>,
    },
    /// An unknown kind prefix.
    BadKind {
        /// The argument.
        spec: String,
        /// The prefix given.
        kind: String,
    },
    /// A kind `reach` knows that cannot fail (a VNet, a subnet, a load balancer).
    NotFailable {
        /// The argument.
        spec: String,
        /// The kind.
        kind: String,
    },
    /// A `/PART` the element does not have.
    BadPart {
        /// The argument.
        spec: String,
        /// What the element takes instead.
        help: String,
    },
}

impl std::error::Error for DownError {}

impl fmt::Display for DownError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownError::Unknown { spec, suggestions } => {
                write!(f, "--down {spec}: nothing that can fail is named `{spec}`")?;
                if !suggestions.is_empty() {
                    let s: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
                    write!(f, "; did you mean {}?", s.join(" or "))?;
                }
                Ok(())
            }
            DownError::Ambiguous { spec, candidates } => write!(
                f,
                "--down {spec}: `{spec}` names several things: {}; write one of them with its kind prefix",
                candidates.join(", ")
            ),
            DownError::BadKind { spec, kind } => write!(
                f,
                "--down {spec}: unknown kind prefix `{kind}:`; use one of {}",
                KINDS.iter().map(|k| format!("{k}:")).collect::<Vec<_>>().join(", ")
            ),
            DownError::NotFailable { spec, kind } => write!(
                f,
                "--down {spec}: a {kind} cannot be down; name a circuit (or one link), gateway, connection, peering, \
                 route server, NVA session, local gateway, on-premises router, NIC or firewall"
            ),
            DownError::BadPart { spec, help } => write!(f, "--down {spec}: {help}"),
        }
    }
}

/// The name of an element of one kind, as `--down` accepts it.
fn names(m: &Model, kind: &str) -> Vec<String> {
    match kind {
        "circuit" => m.circuits.iter().map(|x| x.name.clone()).collect(),
        "gateway" => m.gateways.iter().map(|x| x.name.clone()).collect(),
        "connection" => m.connections.iter().map(|x| x.name.clone()).collect(),
        "route_server" => m.route_servers.iter().map(|x| x.name.clone()).collect(),
        "bgp_peer" => m.bgp_peers.iter().map(|x| x.name.clone()).collect(),
        "local_gateway" => m.local_gateways.iter().map(|x| x.name.clone()).collect(),
        "onprem" => m.onprems.iter().map(|x| x.name.clone()).collect(),
        "nic" => m.nics.iter().map(|x| x.name.clone()).collect(),
        "vm" => m.nics.iter().filter_map(|x| x.vm.clone()).collect(),
        "firewall" => m.firewalls.iter().map(|x| x.name.clone()).collect(),
        "peering" => m.peerings.iter().map(|p| Failure::Peering { from: p.from, to: p.to }.label(m)).collect(),
        _ => Vec::new(),
    }
}

/// The peering failures a name spells (`a→b`, `a->b`; `a↔b`, `a<->b`, `a-b`), if its VNets exist.
fn peering_candidates(m: &Model, name: &str) -> Vec<Failure> {
    let exists = |a: VnetId, b: VnetId| m.peerings.iter().any(|p| p.from == a && p.to == b);
    let pair = |a: &str, b: &str| -> Option<(VnetId, VnetId)> { Some((m.vnet_by_name(a)?, m.vnet_by_name(b)?)) };
    for arrow in ["→", "->"] {
        if let Some((a, b)) = name.split_once(arrow) {
            return pair(a, b)
                .filter(|(a, b)| exists(*a, *b))
                .map(|(from, to)| Failure::Peering { from, to })
                .into_iter()
                .collect();
        }
    }
    let mut out = Vec::new();
    for both in ["↔", "<->"] {
        if let Some((a, b)) = name.split_once(both) {
            out.extend(pair(a, b));
        }
    }
    if out.is_empty() {
        // `a-b`: every split at a hyphen whose two sides are VNets (VNet names may hold hyphens).
        for (i, _) in name.match_indices('-') {
            out.extend(pair(&name[..i], &name[i + 1..]));
        }
    }
    out.into_iter().filter(|(a, b)| exists(*a, *b) || exists(*b, *a)).map(|(a, b)| Failure::PeeringPair(a, b)).collect()
}

/// Every element of `kind` (any kind when empty) named `name` (before any `/PART`).
fn candidates(m: &Model, kind: &str, name: &str) -> Vec<Vec<Failure>> {
    let any = kind.is_empty();
    let mut out: Vec<Vec<Failure>> = Vec::new();
    let mut one = |k: &str, f: Option<Failure>| {
        if any || kind == k {
            out.extend(f.map(|f| vec![f]));
        }
    };
    one("circuit", m.circuit_by_name(name).map(Failure::Circuit));
    one("gateway", m.gateway_by_name(name).map(Failure::Gateway));
    let pos = |mut it: std::slice::Iter<'_, String>| it.position(|n| n == name).map(|i| i as u32);
    let conns: Vec<String> = m.connections.iter().map(|x| x.name.clone()).collect();
    let lgs: Vec<String> = m.local_gateways.iter().map(|x| x.name.clone()).collect();
    let fws: Vec<String> = m.firewalls.iter().map(|x| x.name.clone()).collect();
    one("connection", pos(conns.iter()).map(|i| Failure::Connection(ConnectionId(i))));
    one("route_server", m.route_server_by_name(name).map(Failure::RouteServer));
    one("bgp_peer", m.bgp_peer_by_name(name).map(Failure::BgpPeer));
    one("local_gateway", pos(lgs.iter()).map(|i| Failure::LocalGateway(LocalGatewayId(i))));
    one("onprem", m.onprem_by_name(name).map(Failure::Onprem));
    one("nic", m.nic_by_name(name).map(Failure::Nic));
    one("firewall", pos(fws.iter()).map(|i| Failure::Firewall(FirewallId(i))));
    if any || kind == "vm" {
        // A VM down takes all its NICs.
        let nics: Vec<Failure> = (0..m.nics.len() as u32)
            .map(NicId)
            .filter(|n| m.nics[n.idx()].vm.as_deref() == Some(name))
            .map(Failure::Nic)
            .collect();
        if !nics.is_empty() {
            out.push(nics);
        }
    }
    if any || kind == "peering" {
        out.extend(peering_candidates(m, name).into_iter().map(|f| vec![f]));
    }
    out.sort();
    out.dedup();
    out
}

/// Apply a `/PART` to the element it follows.
fn with_part(m: &Model, spec: &str, f: Failure, part: &str) -> Result<Failure, DownError> {
    let bad = |help: String| DownError::BadPart { spec: spec.to_string(), help };
    match f {
        Failure::Circuit(c) => {
            let link = match part.to_ascii_lowercase().as_str() {
                "primary" | "1" => Link::Primary,
                "secondary" | "2" => Link::Secondary,
                _ => return Err(bad("a circuit's links are `/primary` and `/secondary`".to_string())),
            };
            let hops = m.circuits[c.idx()].next_hops.len();
            if hops < 2 {
                let name = &m.circuits[c.idx()].name;
                return Err(bad(format!(
                    "circuit `{name}` lists {hops} next hop; take the whole circuit down with `--down {name}`"
                )));
            }
            Ok(Failure::CircuitLink(c, link))
        }
        Failure::Gateway(g) => {
            let gw = &m.gateways[g.idx()];
            if gw.kind != GatewayKind::Vpn || !gw.active_active || gw.ips.len() < 2 {
                return Err(bad(format!(
                    "`{}` is not an active-active VPN gateway, whose instances are `/1` and `/2`; take the whole gateway down with `--down {}`",
                    gw.name, gw.name
                )));
            }
            match part {
                "1" => Ok(Failure::GatewayInstance(g, 0)),
                "2" => Ok(Failure::GatewayInstance(g, 1)),
                _ => Err(bad(format!("the instances of `{}` are `/1` and `/2`", gw.name))),
            }
        }
        other => Err(bad(format!(
            "only a circuit (`/primary`, `/secondary`) or an active-active VPN gateway (`/1`, `/2`) has parts; `{}` is a {}",
            other.label(m),
            other.kind().replace('_', " ")
        ))),
    }
}

/// Resolve one `--down [KIND:]NAME[/PART]` argument: the failures it names (a VM: all its NICs).
pub fn resolve(m: &Model, spec: &str) -> Result<Vec<Failure>, DownError> {
    let (kind, rest) = match spec.split_once(':') {
        Some((k, n)) if KINDS.contains(&k) => (k, n),
        Some((k, _)) if NOT_FAILABLE.contains(&k) => {
            return Err(DownError::NotFailable { spec: spec.to_string(), kind: k.to_string() });
        }
        Some((k, _)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            return Err(DownError::BadKind { spec: spec.to_string(), kind: k.to_string() });
        }
        _ => ("", spec),
    };
    // A name itself never holds `/` (validation refuses it); what follows is a part.
    let (name, part) = match rest.split_once('/') {
        Some((n, p)) => (n, Some(p)),
        None => (rest, None),
    };
    let found = candidates(m, kind, name);
    match found.len() {
        0 => {
            let kinds: Vec<&str> = if kind.is_empty() { KINDS.to_vec() } else { vec![kind] };
            let all: Vec<String> = kinds.iter().flat_map(|k| names(m, k)).collect();
            if m.vnet_by_name(name).is_some() && kind.is_empty() {
                return Err(DownError::NotFailable { spec: spec.to_string(), kind: "VNet".to_string() });
            }
            Err(DownError::Unknown {
                spec: spec.to_string(),
                suggestions: suggest(name, all.iter().map(String::as_str)),
            })
        }
        1 => {
            let fs = found.into_iter().next().expect("one");
            match part {
                None => Ok(fs),
                Some(p) if fs.len() == 1 => Ok(vec![with_part(m, spec, fs[0], p)?]),
                Some(_) => Err(DownError::BadPart {
                    spec: spec.to_string(),
                    help: "a VM has no parts; name it alone".to_string(),
                }),
            }
        }
        _ => {
            let mut c: Vec<String> = found
                .iter()
                .map(|fs| {
                    let vm = fs.len() > 1 || matches!(fs[0], Failure::Nic(n) if m.nics[n.idx()].name != name);
                    if vm { format!("vm:{name}") } else { format!("{}:{}", fs[0].kind(), fs[0].label(m)) }
                })
                .collect();
            c.sort();
            c.dedup();
            Err(DownError::Ambiguous { spec: spec.to_string(), candidates: c })
        }
    }
}

/// Every single element of a model that can be down, one failure each (a VM is its NICs), in a
/// canonical order: what a sweep over failures (resilience) iterates.
pub fn failures(m: &Model) -> Vec<Failure> {
    let ids = |n: usize| 0..n as u32;
    let mut out: Vec<Failure> = Vec::new();
    for c in ids(m.circuits.len()).map(CircuitId) {
        out.push(Failure::Circuit(c));
        if m.circuits[c.idx()].next_hops.len() >= 2 {
            out.extend([Link::Primary, Link::Secondary].map(|l| Failure::CircuitLink(c, l)));
        }
    }
    for g in ids(m.gateways.len()).map(GatewayId) {
        out.push(Failure::Gateway(g));
        let gw = &m.gateways[g.idx()];
        if gw.kind == GatewayKind::Vpn && gw.active_active && gw.ips.len() >= 2 {
            out.extend([0, 1].map(|i| Failure::GatewayInstance(g, i)));
        }
    }
    out.extend(ids(m.connections.len()).map(|i| Failure::Connection(ConnectionId(i))));
    for p in &m.peerings {
        out.push(Failure::Peering { from: p.from, to: p.to });
        if p.from < p.to || !m.peerings.iter().any(|q| q.from == p.to && q.to == p.from) {
            out.push(Failure::PeeringPair(p.from, p.to));
        }
    }
    out.extend(ids(m.local_gateways.len()).map(|i| Failure::LocalGateway(LocalGatewayId(i))));
    out.extend(ids(m.onprems.len()).map(|i| Failure::Onprem(OnpremId(i))));
    out.extend(ids(m.route_servers.len()).map(|i| Failure::RouteServer(RouteServerId(i))));
    out.extend(ids(m.bgp_peers.len()).map(|i| Failure::BgpPeer(BgpPeerId(i))));
    out.extend(ids(m.nics.len()).map(|i| Failure::Nic(NicId(i))));
    out.extend(ids(m.firewalls.len()).map(|i| Failure::Firewall(FirewallId(i))));
    out
}

/// Every element of a model that can be down, as `--down` takes it with its kind prefix
/// (`circuit:circuit01`, `circuit:circuit01/primary`, `peering:hub00↔spoke10`, `vm:vm-fw`, …), sorted.
pub fn elements(m: &Model) -> Vec<String> {
    let mut out: Vec<String> = failures(m).iter().map(|f| format!("{}:{}", f.kind(), f.label(m))).collect();
    out.extend(names(m, "vm").into_iter().map(|n| format!("vm:{n}")));
    out.sort();
    out.dedup();
    out
}

/// Resolve every `--down` argument; the failures without repeats, in a canonical order.
pub fn resolve_all(m: &Model, specs: &[String]) -> Result<Vec<Failure>, DownError> {
    let mut out = BTreeSet::new();
    for s in specs {
        out.extend(resolve(m, s)?);
    }
    Ok(out.into_iter().collect())
}

/// A model with failures applied.
#[derive(Clone, Debug)]
pub struct Without {
    /// The estate with the elements down.
    pub model: Model,
    /// The failures, as output names them (in a canonical order).
    pub down: Vec<String>,
    /// Expectations that name a removed device and are not evaluated.
    pub warnings: Vec<Diagnostic>,
}

/// What the failures take away, by id in the original model.
#[derive(Default)]
struct Gone {
    gateways: BTreeSet<GatewayId>,
    connections: BTreeSet<ConnectionId>,
    peerings: BTreeSet<(VnetId, VnetId)>,
    route_servers: BTreeSet<RouteServerId>,
    bgp_peers: BTreeSet<BgpPeerId>,
    nics: BTreeSet<NicId>,
    firewalls: BTreeSet<FirewallId>,
    circuits: BTreeSet<CircuitId>,
    local_gateways: BTreeSet<LocalGatewayId>,
}

/// Both links of a circuit, or both instances of a gateway, are the element itself.
fn normalise(failures: &[Failure]) -> Vec<Failure> {
    let mut links: BTreeMap<CircuitId, BTreeSet<Link>> = BTreeMap::new();
    let mut instances: BTreeMap<GatewayId, BTreeSet<usize>> = BTreeMap::new();
    let mut out: BTreeSet<Failure> = BTreeSet::new();
    for f in failures {
        match f {
            Failure::CircuitLink(c, l) => {
                links.entry(*c).or_default().insert(*l);
            }
            Failure::GatewayInstance(g, i) => {
                instances.entry(*g).or_default().insert(*i);
            }
            other => {
                out.insert(*other);
            }
        }
    }
    for (c, ls) in links {
        if ls.len() == 2 {
            out.insert(Failure::Circuit(c));
        } else if !out.contains(&Failure::Circuit(c)) {
            out.extend(ls.into_iter().map(|l| Failure::CircuitLink(c, l)));
        }
    }
    for (g, is) in instances {
        if is.len() == 2 {
            out.insert(Failure::Gateway(g));
        } else if !out.contains(&Failure::Gateway(g)) {
            out.extend(is.into_iter().map(|i| Failure::GatewayInstance(g, i)));
        }
    }
    out.into_iter().collect()
}

/// What each failure takes away, and the in-place changes (links, instances, default sites).
fn collect(m: &mut Model, failures: &[Failure]) -> Gone {
    let mut gone = Gone::default();
    for f in failures {
        match *f {
            Failure::Circuit(c) => {
                gone.circuits.insert(c);
            }
            Failure::CircuitLink(c, l) => {
                let hops = &mut m.circuits[c.idx()].next_hops;
                if l.index() < hops.len() {
                    hops.remove(l.index());
                }
            }
            Failure::Gateway(g) => {
                gone.gateways.insert(g);
            }
            Failure::GatewayInstance(g, i) => {
                let ips = &mut m.gateways[g.idx()].ips;
                if i < ips.len() && ips.len() > 1 {
                    ips.remove(i);
                }
            }
            Failure::Connection(c) => {
                gone.connections.insert(c);
            }
            Failure::Peering { from, to } => {
                gone.peerings.insert((from, to));
            }
            Failure::PeeringPair(a, b) => {
                gone.peerings.insert((a, b));
                gone.peerings.insert((b, a));
            }
            Failure::LocalGateway(l) => {
                gone.local_gateways.insert(l);
            }
            Failure::Onprem(o) => {
                let r = &mut m.onprems[o.idx()];
                r.circuits.clear();
                r.prepend.clear();
                // The VPN devices in front of it go with it.
                for (i, lg) in m.local_gateways.iter().enumerate() {
                    if lg.onprem == Some(o) {
                        gone.local_gateways.insert(LocalGatewayId(i as u32));
                    }
                }
            }
            Failure::RouteServer(r) => {
                gone.route_servers.insert(r);
            }
            Failure::BgpPeer(b) => {
                gone.bgp_peers.insert(b);
            }
            Failure::Nic(n) => {
                gone.nics.insert(n);
            }
            Failure::Firewall(x) => {
                gone.firewalls.insert(x);
            }
        }
    }
    // Dependants: a circuit's private peerings; connections of gone gateways, circuits and sites;
    // sessions of gone route servers and NICs; default sites that went.
    for o in &mut m.onprems {
        o.circuits.retain(|c| !gone.circuits.contains(c));
        o.prepend.retain(|c, _| !gone.circuits.contains(c));
    }
    for (i, c) in m.connections.iter().enumerate() {
        let dead = gone.gateways.contains(&c.gateway)
            || match c.kind {
                ConnectionKind::ExpressRoute { circuit, .. } => gone.circuits.contains(&circuit),
                ConnectionKind::SiteToSite { local_gateway, .. } => gone.local_gateways.contains(&local_gateway),
                ConnectionKind::VnetToVnet { remote_gateway, .. } => gone.gateways.contains(&remote_gateway),
            };
        if dead {
            gone.connections.insert(ConnectionId(i as u32));
        }
    }
    for g in &mut m.gateways {
        if g.default_site.is_some_and(|l| gone.local_gateways.contains(&l)) {
            g.default_site = None;
        }
    }
    for (i, b) in m.bgp_peers.iter().enumerate() {
        if gone.route_servers.contains(&b.route_server) || gone.nics.contains(&b.nic) {
            gone.bgp_peers.insert(BgpPeerId(i as u32));
        }
    }
    gone
}

/// Keep the items `keep` says, and map each old index to its new one.
fn retain<T>(items: &mut Vec<T>, keep: impl Fn(usize, &T) -> bool) -> Vec<Option<u32>> {
    let mut map = Vec::with_capacity(items.len());
    let mut next = 0u32;
    let old = std::mem::take(items);
    for (i, it) in old.into_iter().enumerate() {
        if keep(i, &it) {
            map.push(Some(next));
            next += 1;
            items.push(it);
        } else {
            map.push(None);
        }
    }
    map
}

/// Rewrite the expectations onto the renumbered NICs and firewalls; those naming a removed device
/// are left out, with a warning each.
fn remap_expects(m: &mut Model, nic_map: &[Option<u32>], fw_map: &[Option<u32>], old: &Model) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let endpoint = |e: &Endpoint| -> Result<Endpoint, String> {
        match *e {
            Endpoint::Nic(n) => nic_map[n.idx()].map(|i| Endpoint::Nic(NicId(i))).ok_or_else(|| {
                let nic = &old.nics[n.idx()];
                nic.vm.clone().unwrap_or_else(|| nic.name.clone())
            }),
            Endpoint::Firewall(f) => fw_map[f.idx()]
                .map(|i| Endpoint::Firewall(FirewallId(i)))
                .ok_or_else(|| old.firewalls[f.idx()].name.clone()),
            other => Ok(other),
        }
    };
    let expects = std::mem::take(&mut m.expects);
    for mut e in expects {
        let kept = match &mut e.kind {
            ExpectKind::Reach { from, to, .. } => match (endpoint(from), endpoint(to)) {
                (Ok(f), Ok(t)) => {
                    *from = f;
                    *to = t;
                    Ok(())
                }
                (Err(d), _) | (_, Err(d)) => Err(d),
            },
            ExpectKind::Route { table, .. } => {
                // A NIC's table is its subnet's (R1): the subnet stays when the NIC goes.
                if let TableRef::Nic(n) = *table {
                    *table = match nic_map[n.idx()] {
                        Some(i) => TableRef::Nic(NicId(i)),
                        None => TableRef::Subnet(old.nics[n.idx()].subnet),
                    };
                }
                Ok(())
            }
        };
        match kept {
            Ok(()) => m.expects.push(e),
            Err(device) => warnings.push(
                Diagnostic::warning(
                    Code::ExpectDown,
                    format!(
                        "{} names `{device}`, which is down (--down): not evaluated",
                        e.name.as_deref().map(|n| format!("expectation `{n}`")).unwrap_or("this expectation".into())
                    ),
                )
                .at(e.span.clone())
                .help("leave this element out of --down to evaluate the expectation"),
            ),
        }
    }
    warnings
}

/// The model with the failures applied (see the module documentation for what each takes along).
pub fn without(original: &Model, failures: &[Failure]) -> Without {
    let failures = normalise(failures);
    let mut down: Vec<String> = failures.iter().map(|f| f.label(original)).collect();
    down.sort();
    down.dedup();
    let mut m = original.clone();
    let gone = collect(&mut m, &failures);
    retain(&mut m.connections, |i, _| !gone.connections.contains(&ConnectionId(i as u32)));
    retain(&mut m.peerings, |_, p| !gone.peerings.contains(&(p.from, p.to)));
    retain(&mut m.bgp_peers, |i, _| !gone.bgp_peers.contains(&BgpPeerId(i as u32)));
    let gw_map = retain(&mut m.gateways, |i, _| !gone.gateways.contains(&GatewayId(i as u32)));
    let rs_map = retain(&mut m.route_servers, |i, _| !gone.route_servers.contains(&RouteServerId(i as u32)));
    let nic_map = retain(&mut m.nics, |i, _| !gone.nics.contains(&NicId(i as u32)));
    let fw_map = retain(&mut m.firewalls, |i, _| !gone.firewalls.contains(&FirewallId(i as u32)));
    let gw = |g: GatewayId| GatewayId(gw_map[g.idx()].expect("connections of a gone gateway are gone"));
    for c in &mut m.connections {
        c.gateway = gw(c.gateway);
        if let ConnectionKind::VnetToVnet { remote_gateway, .. } = &mut c.kind {
            *remote_gateway = gw(*remote_gateway);
        }
    }
    for b in &mut m.bgp_peers {
        b.nic = NicId(nic_map[b.nic.idx()].expect("sessions of a gone NIC are gone"));
        b.route_server = RouteServerId(rs_map[b.route_server.idx()].expect("peers of a gone route server are gone"));
    }
    for l in &mut m.load_balancers {
        l.backends = l.backends.iter().filter_map(|n| nic_map[n.idx()].map(NicId)).collect();
    }
    let warnings = remap_expects(&mut m, &nic_map, &fw_map, original);
    m.index();
    Without { model: m, down, warnings }
}

impl Model {
    /// This model with the failures applied ([`without`]'s model).
    pub fn without(&self, failures: &[Failure]) -> Model {
        without(self, failures).model
    }
}
