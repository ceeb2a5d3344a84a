//! Resolving the inventory: which resources become which blocks, with every reference followed.
//!
//! A reference into the export becomes a name; a reference that points outside it becomes a
//! marked stub (a VNet from a peering's `remoteAddressSpace`, a circuit a connection names) or a
//! skipped block with a warning, never a crash. References that are only labels (a NIC's VM)
//! need nothing. Every decision the importer takes that changes what Azure shows is written as a
//! comment on the block and, when it loses information, as a warning.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;

use super::inventory::{BackendAddress, Inventory, LoadBalancer, Nic, NotModelled, PeeringHalf, Subnet};
use super::json::{ArmId, Problems};
use super::names::Namer;
use crate::model::GatewayKind;

/// Kind names (the block kinds of the scenario format), the namespaces of [`Namer`].
pub mod kind {
    /// `[[vnet]]`.
    pub const VNET: &str = "vnet";
    /// `[[nic]]`.
    pub const NIC: &str = "nic";
    /// `[[gateway]]`.
    pub const GATEWAY: &str = "gateway";
    /// `[[circuit]]`.
    pub const CIRCUIT: &str = "circuit";
    /// `[[onprem]]`.
    pub const ONPREM: &str = "onprem";
    /// `[[connection]]`.
    pub const CONNECTION: &str = "connection";
    /// `[[local_gateway]]`.
    pub const LOCAL_GATEWAY: &str = "local_gateway";
    /// `[[route_server]]`.
    pub const ROUTE_SERVER: &str = "route_server";
    /// `[[bgp_peer]]`.
    pub const BGP_PEER: &str = "bgp_peer";
    /// `[[load_balancer]]`.
    pub const LOAD_BALANCER: &str = "load_balancer";
    /// `[[route_table]]`.
    pub const ROUTE_TABLE: &str = "route_table";
    /// `[[firewall]]`.
    pub const FIREWALL: &str = "firewall";
}

/// A VNet of the scenario: from the export, or a stub for one outside it.
#[derive(Clone, Debug)]
pub struct VnetOut {
    /// Its id.
    pub id: ArmId,
    /// Index in the inventory (`None`: a stub).
    pub exported: Option<usize>,
    /// Region (a stub takes its peer's, noted).
    pub region: Option<String>,
    /// Address space.
    pub space: Vec<IpNet>,
    /// Why it is a stub.
    pub stub_note: Option<String>,
}

/// One peering direction to write.
#[derive(Clone, Debug)]
pub struct HalfOut {
    /// VNet key holding it.
    pub from: String,
    /// Remote VNet key.
    pub to: String,
    /// Comment naming where it comes from.
    pub source: String,
    /// `allowVirtualNetworkAccess`.
    pub access: bool,
    /// `allowForwardedTraffic`.
    pub forwarded: bool,
    /// `allowGatewayTransit`.
    pub transit: bool,
    /// `useRemoteGateways`.
    pub use_remote: bool,
    /// Notes written above the block.
    pub notes: Vec<String>,
}

/// A gateway to write.
#[derive(Clone, Debug)]
pub struct GatewayOut {
    /// Index in the inventory.
    pub gi: usize,
    /// Its VNet's key.
    pub vnet: String,
    /// ExpressRoute or VPN.
    pub kind: GatewayKind,
    /// A VPN gateway's default site (`gatewayDefaultSite`): the key of a local gateway it has a
    /// site-to-site connection to in the scenario (D20).
    pub default_site: Option<String>,
    /// Why a default site shown by Azure is left out.
    pub default_site_note: Option<String>,
}

/// A circuit to write (exported or a stub).
#[derive(Clone, Debug)]
pub struct CircuitOut {
    /// Its id.
    pub id: ArmId,
    /// Index in the inventory (`None`: a stub).
    pub ci: Option<usize>,
    /// MSEE next hops found in effective routes.
    pub next_hops: BTreeSet<IpAddr>,
    /// Which NICs' effective routes they came from.
    pub hops_from: BTreeSet<String>,
}

/// What a connection joins its gateway to (keys of written blocks).
#[derive(Clone, Debug)]
pub enum Target {
    /// A circuit.
    Circuit(String),
    /// A local gateway.
    Local(String),
    /// Another VPN gateway.
    Remote(String),
}

/// A connection to write.
#[derive(Clone, Debug)]
pub struct ConnOut {
    /// Index in the inventory.
    pub ci: usize,
    /// Its gateway's key.
    pub gateway: String,
    /// Its target.
    pub target: Target,
    /// ExpressRoute routing weight.
    pub weight: u64,
    /// BGP (VPN).
    pub bgp: bool,
    /// Notes.
    pub notes: Vec<String>,
}

/// A route server to write.
#[derive(Clone, Debug)]
pub struct RsOut {
    /// Index in the inventory.
    pub hi: usize,
    /// Its VNet's key.
    pub vnet: String,
    /// Notes.
    pub notes: Vec<String>,
}

/// A NIC to write (exported, or a stub for a Route Server peer).
#[derive(Clone, Debug)]
pub struct NicOut {
    /// Its Azure name (or the stub's).
    pub name: String,
    /// Its id (a stub: the peering's).
    pub id: ArmId,
    /// Whether it is a stub.
    pub stub: bool,
    /// Its VNet's key.
    pub vnet: String,
    /// Its subnet's name.
    pub subnet: String,
    /// Its address.
    pub ip: Option<IpAddr>,
    /// IP forwarding.
    pub forwarding: bool,
    /// VM label.
    pub vm: Option<String>,
    /// Whether it is the primary NIC of a VM with several.
    pub primary: bool,
    /// Notes.
    pub notes: Vec<String>,
}

/// An NVA advertisement.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NvaAdvert {
    /// The prefix.
    pub prefix: IpNet,
    /// The AS path behind the NVA.
    pub as_path: Vec<u32>,
    /// The BGP next hop when not the NIC's address.
    pub next_hop: Option<IpAddr>,
}

/// A Route Server peer to write.
#[derive(Clone, Debug)]
pub struct PeerOut {
    /// Index in the inventory.
    pub pi: usize,
    /// Its route server's key.
    pub rs: String,
    /// Its NIC's key.
    pub nic: String,
    /// Its ASN.
    pub asn: u32,
    /// What it advertises (from learned routes).
    pub adverts: BTreeSet<NvaAdvert>,
    /// Whether learned routes were given for it.
    pub known: bool,
}

/// An on-premises router to write (one per circuit private peering, one per BGP local gateway).
#[derive(Clone, Debug)]
pub struct OnpremOut {
    /// Its name before qualification.
    pub name: String,
    /// What it stands for (`circuit X's private peering`).
    pub stands_for: String,
    /// Resource group and subscription, for qualification.
    pub rg: String,
    /// Subscription.
    pub sub: String,
    /// Its ASN.
    pub asn: u32,
    /// Circuit keys.
    pub circuits: Vec<String>,
    /// Prefix → AS path behind the router.
    pub adverts: BTreeMap<IpNet, Vec<u32>>,
    /// Extra copies of its ASN per circuit key.
    pub prepend: BTreeMap<String, u32>,
    /// Where its routes come from (empty: unknown).
    pub sources: BTreeSet<String>,
}

/// A load balancer to write.
#[derive(Clone, Debug)]
pub struct LbOut {
    /// Index in the inventory.
    pub li: usize,
    /// Its VNet's key.
    pub vnet: String,
    /// Its frontend's subnet name.
    pub subnet: String,
    /// Frontend address.
    pub ip: IpAddr,
    /// Backend NIC keys.
    pub backends: BTreeSet<String>,
    /// Notes.
    pub notes: Vec<String>,
}

/// A firewall to write.
#[derive(Clone, Debug)]
pub struct FwOut {
    /// Index in the inventory.
    pub fi: usize,
    /// Its VNet's key.
    pub vnet: String,
    /// Its address.
    pub ip: IpAddr,
}

/// Everything resolved, keyed by lower-cased ARM id (or a synthetic key for what the importer
/// makes up: `onprem:…`, `stubnic:…`).
#[derive(Debug)]
pub struct Plan<'a> {
    /// The inventory.
    pub inv: &'a Inventory,
    /// Errors and warnings.
    pub p: Problems,
    /// Names to give.
    pub namer: Namer,
    /// VNets.
    pub vnets: BTreeMap<String, VnetOut>,
    /// Peering directions.
    pub halves: Vec<HalfOut>,
    /// Gateways.
    pub gateways: BTreeMap<String, GatewayOut>,
    /// Circuits.
    pub circuits: BTreeMap<String, CircuitOut>,
    /// Connections.
    pub conns: BTreeMap<String, ConnOut>,
    /// Local gateways: key → inventory index.
    pub lngs: BTreeMap<String, usize>,
    /// The on-premises router behind a local gateway: LNG key → onprem key.
    pub lng_onprem: BTreeMap<String, String>,
    /// Route servers.
    pub rss: BTreeMap<String, RsOut>,
    /// NICs.
    pub nics: BTreeMap<String, NicOut>,
    /// Route Server peers.
    pub peers: BTreeMap<String, PeerOut>,
    /// On-premises routers.
    pub onprems: BTreeMap<String, OnpremOut>,
    /// Load balancers.
    pub lbs: BTreeMap<String, LbOut>,
    /// Firewalls.
    pub fws: BTreeMap<String, FwOut>,
    /// Route tables: key → inventory index.
    pub rts: BTreeMap<String, usize>,
    /// Subnet (VNet key, lower-cased subnet name) → route table key.
    pub subnet_rt: HashMap<(String, String), String>,
    /// What is not modelled (the inventory's and what resolution finds).
    pub not_modelled: Vec<NotModelled>,
}

/// Whether NIC `n` holds backend address `a`: one of its IP configurations has that private
/// address, in the VNet `a` names when it names one.
fn holds(n: &Nic, a: &BackendAddress) -> bool {
    n.ip_configs.iter().any(|c| {
        c.ip == Some(a.ip)
            && a.vnet.as_ref().is_none_or(|v| c.subnet.as_ref().is_some_and(|s| s.top().key() == v.key()))
    })
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl<'a> Plan<'a> {
    /// Resolve an inventory.
    pub fn new(inv: &'a Inventory, p: Problems) -> Self {
        let mut plan = Plan {
            inv,
            p,
            namer: Namer::default(),
            vnets: BTreeMap::new(),
            halves: Vec::new(),
            gateways: BTreeMap::new(),
            circuits: BTreeMap::new(),
            conns: BTreeMap::new(),
            lngs: BTreeMap::new(),
            lng_onprem: BTreeMap::new(),
            rss: BTreeMap::new(),
            nics: BTreeMap::new(),
            peers: BTreeMap::new(),
            onprems: BTreeMap::new(),
            lbs: BTreeMap::new(),
            fws: BTreeMap::new(),
            rts: BTreeMap::new(),
            subnet_rt: HashMap::new(),
            not_modelled: inv.not_modelled.clone(),
        };
        plan.vnets_and_subnets();
        plan.peerings();
        plan.gateways_and_circuits();
        plan.connections_and_local_gateways();
        plan.default_sites();
        plan.route_servers();
        plan.nics();
        plan.bgp_peers();
        plan.load_balancers_and_firewalls();
        plan.remote_gateway_rules();
        plan.onprems();
        plan
    }

    fn not_modelled(&mut self, what: &str, id: impl Into<String>) {
        self.not_modelled.push(NotModelled { what: what.to_string(), id: id.into() });
    }

    /// The exported VNet and subnet an id (`.../virtualNetworks/v/subnets/s`) points at.
    pub fn subnet(&self, id: &ArmId) -> Option<(String, &'a Subnet)> {
        let v = self.vnets.get(id.top().key())?;
        let vnet = &self.inv.vnets[v.exported?];
        let name = id.child_name()?;
        vnet.subnets.iter().find(|s| s.name.eq_ignore_ascii_case(name)).map(|s| (id.top().key().to_string(), s))
    }

    /// The subnet of an exported VNet that contains an address, by VNet key.
    pub fn subnet_containing(&self, vnet: &str, ip: IpAddr) -> Option<&'a Subnet> {
        let v = self.vnets.get(vnet)?;
        self.inv.vnets[v.exported?].subnets.iter().find(|s| s.prefix.is_some_and(|p| p.contains(&ip)))
    }

    fn vnets_and_subnets(&mut self) {
        for (i, v) in self.inv.vnets.iter().enumerate() {
            if v.address_space.is_empty() {
                self.p.warn(format!("VNet {} has no address space: skipped", v.meta.id));
                continue;
            }
            self.namer.add(
                kind::VNET,
                v.meta.id.key(),
                &v.meta.name,
                v.meta.id.resource_group(),
                v.meta.id.subscription(),
            );
            self.vnets.insert(
                v.meta.id.key().to_string(),
                VnetOut {
                    id: v.meta.id.clone(),
                    exported: Some(i),
                    region: v.location.clone(),
                    space: v.address_space.clone(),
                    stub_note: None,
                },
            );
        }
        for (i, rt) in self.inv.route_tables.iter().enumerate() {
            self.namer.add(
                kind::ROUTE_TABLE,
                rt.meta.id.key(),
                &rt.meta.name,
                rt.meta.id.resource_group(),
                rt.meta.id.subscription(),
            );
            self.rts.insert(rt.meta.id.key().to_string(), i);
        }
        for rt in &self.inv.route_tables {
            for r in &rt.routes {
                let t = r.next_hop_type.to_ascii_lowercase();
                if let Some(tag) = &r.tag {
                    self.not_modelled("service-tag route", format!("{}/{} ({tag})", rt.meta.name, r.name));
                } else if t == "virtualapplianceecmp" && r.next_hops.len() > 1 {
                    self.p.warn(format!(
                        "route {}/{} is VirtualApplianceEcmp, which format v1 does not have: kept its first address {}",
                        rt.meta.name, r.name, r.next_hops[0]
                    ));
                } else if !matches!(
                    t.as_str(),
                    "virtualappliance"
                        | "virtualapplianceecmp"
                        | "virtualnetworkgateway"
                        | "vnetlocal"
                        | "internet"
                        | "none"
                ) {
                    self.p.warn(format!(
                        "route {}/{} has next hop type {}: left out",
                        rt.meta.name, r.name, r.next_hop_type
                    ));
                } else if t.starts_with("virtualappliance") && r.next_hops.is_empty() {
                    self.p.warn(format!(
                        "route {}/{} is VirtualAppliance without an address: left out",
                        rt.meta.name, r.name
                    ));
                }
            }
        }
        // Route tables that list their subnets (the association seen from the table's side).
        let mut from_table: HashMap<String, String> = HashMap::new();
        for rt in &self.inv.route_tables {
            for s in &rt.subnets {
                from_table.entry(s.key().to_string()).or_insert_with(|| rt.meta.id.key().to_string());
            }
        }
        for v in &self.inv.vnets {
            let vkey = v.meta.id.key().to_string();
            if !self.vnets.contains_key(&vkey) {
                continue;
            }
            for s in &v.subnets {
                let label = format!("{}/{}", v.meta.name, s.name);
                if !s.extra_prefixes.is_empty() {
                    self.p.warn(format!(
                        "subnet {label} has several addressPrefixes; the scenario holds one per subnet: kept {}, left out {}",
                        s.prefix.map(|p| p.to_string()).unwrap_or_default(),
                        s.extra_prefixes.join(", ")
                    ));
                }
                if !s.service_endpoints.is_empty() {
                    self.not_modelled(
                        "service endpoints on a subnet",
                        format!("{label} ({})", s.service_endpoints.join(", ")),
                    );
                }
                if let Some(nsg) = &s.nsg {
                    self.not_modelled("NSG association on a subnet", format!("{label} → {}", nsg.name()));
                }
                let sub_key = format!("{vkey}/subnets/{}", lower(&s.name));
                let rt =
                    s.route_table.as_ref().map(|r| r.key().to_string()).or_else(|| from_table.get(&sub_key).cloned());
                if let Some(rt) = rt {
                    if self.rts.contains_key(&rt) {
                        self.subnet_rt.insert((vkey.clone(), lower(&s.name)), rt);
                    } else {
                        self.p.warn(format!(
                            "subnet {label} uses route table {}, which is not in the export: the subnet is written without it (its user routes and propagation setting are unknown)",
                            s.route_table.as_ref().map(|r| r.raw()).unwrap_or(&rt)
                        ));
                    }
                }
            }
        }
    }

    fn peerings(&mut self) {
        let mut pair: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
        for (vi, v) in self.inv.vnets.iter().enumerate() {
            let vkey = v.meta.id.key().to_string();
            if !self.vnets.contains_key(&vkey) {
                continue;
            }
            for (hi, h) in v.peerings.iter().enumerate() {
                let Some(remote) = &h.remote else {
                    self.p.warn(format!("peering {} of VNet {} names no remote VNet: skipped", h.name, v.meta.name));
                    continue;
                };
                if !h.complete {
                    self.not_modelled(
                        "subnet peering (peerCompleteVnets = false)",
                        format!(
                            "{} ({}) → {} ({}), peering {}",
                            v.meta.name,
                            v.meta.id.resource_group(),
                            remote.name(),
                            remote.resource_group(),
                            h.name
                        ),
                    );
                    continue;
                }
                let rkey = remote.key().to_string();
                if rkey == vkey {
                    continue;
                }
                if !self.vnets.contains_key(&rkey) && !self.stub_vnet(remote, h, v.location.clone(), &v.meta.name) {
                    continue;
                }
                if pair.insert((vkey.clone(), rkey), (vi, hi)).is_some() {
                    self.p.warn(format!("VNet {} has two peerings to {}: kept one", v.meta.name, remote.name()));
                }
            }
        }
        for ((a, b), &(vi, hi)) in &pair {
            let v = &self.inv.vnets[vi];
            let h = &v.peerings[hi];
            let source = format!("{}/virtualNetworkPeerings/{} ({})", v.meta.id, h.name, h.state);
            let connected = h.state.eq_ignore_ascii_case("Connected");
            let stub = self.vnets[b].exported.is_none();
            let mut out = HalfOut {
                from: a.clone(),
                to: b.clone(),
                source,
                access: h.allow_access,
                forwarded: h.allow_forwarded,
                transit: h.allow_transit,
                use_remote: h.use_remote,
                notes: Vec::new(),
            };
            if stub {
                if connected {
                    let back = HalfOut {
                        from: b.clone(),
                        to: a.clone(),
                        source: format!("stub: the half in {} is outside the export", self.vnets[b].id),
                        access: true,
                        forwarded: false,
                        transit: false,
                        use_remote: false,
                        notes: vec![
                            "its flags are unknown: defaults are written (the local half is Connected, so this half exists)".into(),
                        ],
                    };
                    if out.use_remote {
                        out.use_remote = false;
                        out.notes.push("use_remote_gateways is off here: the remote VNet is outside the export, so its gateways are unknown".into());
                        self.p.warn(format!(
                            "VNet {} uses the gateways of {}, which is outside the export: its routes from those gateways are unknown",
                            v.meta.name,
                            self.vnets[b].id.name()
                        ));
                    }
                    self.halves.push(out);
                    self.halves.push(back);
                } else {
                    self.single(out, &format!("{}: the remote VNet is outside the export", h.state));
                }
                continue;
            }
            match pair.get(&(b.clone(), a.clone())) {
                Some(&(bvi, bhi)) => {
                    let back = &self.inv.vnets[bvi].peerings[bhi];
                    let both = connected && back.state.eq_ignore_ascii_case("Connected");
                    if both {
                        self.halves.push(out);
                    } else if a < b {
                        let other = &self.inv.vnets[bvi].meta.name;
                        let why = format!(
                            "Azure shows {} → {other} {} and the half back {}; the half in {other} is left out",
                            v.meta.name, h.state, back.state
                        );
                        self.single(out, &why);
                    }
                }
                None => {
                    if connected {
                        self.p.warn(format!(
                            "peering {} of {} is Connected but {} holds no peering back in the export: written as one direction (not Connected in ersim)",
                            h.name,
                            v.meta.name,
                            self.vnets[b].id.name()
                        ));
                    }
                    self.single(out, &format!("{}: the remote VNet holds no peering back in the export", h.state));
                }
            }
        }
    }

    /// One direction on its own (Initiated, Disconnected, or one-sided): it carries nothing.
    fn single(&mut self, mut out: HalfOut, why: &str) {
        out.notes.push(format!("one direction only ({why}): not Connected, so it carries nothing, as in Azure"));
        if out.use_remote {
            out.use_remote = false;
            out.notes.push("use_remote_gateways is off here: it needs the half back".into());
        }
        self.halves.push(out);
    }

    /// A stub VNet for a peering's remote VNet outside the export; false when nothing is known of it.
    fn stub_vnet(&mut self, remote: &ArmId, h: &PeeringHalf, region: Option<String>, local: &str) -> bool {
        if h.remote_space.is_empty() {
            self.p.warn(format!(
                "peering {} of {local} points at {remote}, which is outside the export and has no remoteAddressSpace: skipped",
                h.name
            ));
            return false;
        }
        self.p.warn(format!(
            "VNet {} is outside the export: written as a stub from the remoteAddressSpace of {local}'s peering",
            remote.name()
        ));
        self.namer.add(kind::VNET, remote.key(), remote.name(), remote.resource_group(), remote.subscription());
        let note = format!(
            "stub: outside the export; address space from the remoteAddressSpace of {local}'s peering {}; region unknown, {local}'s assumed",
            h.name
        );
        self.vnets.insert(
            remote.key().to_string(),
            VnetOut {
                id: remote.clone(),
                exported: None,
                region,
                space: h.remote_space.clone(),
                stub_note: Some(note),
            },
        );
        true
    }

    fn gateways_and_circuits(&mut self) {
        let mut placed: BTreeSet<(String, GatewayKind)> = BTreeSet::new();
        for (gi, g) in self.inv.gateways.iter().enumerate() {
            let kind = if g.kind.eq_ignore_ascii_case("Vpn") {
                GatewayKind::Vpn
            } else if g.kind.eq_ignore_ascii_case("ExpressRoute") {
                GatewayKind::ExpressRoute
            } else {
                self.not_modelled(&format!("virtual network gateway of type {}", g.kind), g.meta.id.raw());
                continue;
            };
            let Some(sid) = &g.subnet else {
                self.p.warn(format!("gateway {} names no subnet: skipped", g.meta.id));
                continue;
            };
            let Some((vkey, sub)) = self.subnet(sid) else {
                self.p.warn(format!(
                    "gateway {} is in {}, which is not in the export: skipped (with its connections)",
                    g.meta.name,
                    sid.top()
                ));
                continue;
            };
            if !sub.name.eq_ignore_ascii_case("GatewaySubnet") {
                self.p.warn(format!("gateway {} is in subnet {}, not GatewaySubnet: skipped", g.meta.name, sub.name));
                continue;
            }
            if !placed.insert((vkey.clone(), kind)) {
                self.p.warn(format!("a second {kind} gateway in one VNet ({}): skipped", g.meta.name));
                continue;
            }
            if g.vpn_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("PolicyBased")) {
                self.p.warn(format!("VPN gateway {} is policy-based: ersim models route-based VPN", g.meta.name));
            }
            self.namer.add(
                kind::GATEWAY,
                g.meta.id.key(),
                &g.meta.name,
                g.meta.id.resource_group(),
                g.meta.id.subscription(),
            );
            self.gateways.insert(
                g.meta.id.key().to_string(),
                GatewayOut { gi, vnet: vkey, kind, default_site: None, default_site_note: None },
            );
        }
        for (ci, c) in self.inv.circuits.iter().enumerate() {
            self.namer.add(
                kind::CIRCUIT,
                c.meta.id.key(),
                &c.meta.name,
                c.meta.id.resource_group(),
                c.meta.id.subscription(),
            );
            self.circuits.insert(
                c.meta.id.key().to_string(),
                CircuitOut {
                    id: c.meta.id.clone(),
                    ci: Some(ci),
                    next_hops: BTreeSet::new(),
                    hops_from: BTreeSet::new(),
                },
            );
        }
    }

    fn connections_and_local_gateways(&mut self) {
        for (i, l) in self.inv.local_gateways.iter().enumerate() {
            self.namer.add(
                kind::LOCAL_GATEWAY,
                l.meta.id.key(),
                &l.meta.name,
                l.meta.id.resource_group(),
                l.meta.id.subscription(),
            );
            self.lngs.insert(l.meta.id.key().to_string(), i);
        }
        let mut ends: BTreeSet<(String, String)> = BTreeSet::new();
        for (ci, c) in self.inv.connections.iter().enumerate() {
            let label = &c.meta.name;
            let Some(g1) = c.gateway1.as_ref() else {
                self.p.warn(format!("connection {label} names no gateway: skipped"));
                continue;
            };
            let Some(gw) = self.gateways.get(g1.key()).cloned() else {
                self.p.warn(format!("connection {label}: its gateway {g1} is not in the scenario: skipped"));
                continue;
            };
            let ty = lower(&c.kind);
            let mut notes = Vec::new();
            let (target, weight, bgp) = match ty.as_str() {
                "expressroute" => {
                    if gw.kind != GatewayKind::ExpressRoute {
                        self.p.warn(format!("connection {label} is ExpressRoute but its gateway is not: skipped"));
                        continue;
                    }
                    let Some(cid) = c.circuit.as_ref() else {
                        self.p.warn(format!("ExpressRoute connection {label} names no circuit (peer): skipped"));
                        continue;
                    };
                    if !self.circuits.contains_key(cid.key()) {
                        self.p.warn(format!(
                            "circuit {} of connection {label} is outside the export: written as a stub (its on-premises routes and next hops are unknown)",
                            cid.name()
                        ));
                        self.namer.add(kind::CIRCUIT, cid.key(), cid.name(), cid.resource_group(), cid.subscription());
                        self.circuits.insert(
                            cid.key().to_string(),
                            CircuitOut {
                                id: cid.clone(),
                                ci: None,
                                next_hops: BTreeSet::new(),
                                hops_from: BTreeSet::new(),
                            },
                        );
                    }
                    let w = c.routing_weight.unwrap_or(0);
                    if w > 32_000 {
                        self.p.warn(format!("connection {label} has routing weight {w}; written as 32000"));
                    }
                    (Target::Circuit(cid.key().to_string()), w.min(32_000), false)
                }
                "ipsec" => {
                    if gw.kind != GatewayKind::Vpn {
                        self.p
                            .warn(format!("connection {label} is IPsec but its gateway is not a VPN gateway: skipped"));
                        continue;
                    }
                    let Some(lid) = c.local_gateway.as_ref().filter(|l| self.lngs.contains_key(l.key())) else {
                        self.p.warn(format!(
                            "connection {label}: its local network gateway {} is not in the export: skipped",
                            c.local_gateway.as_ref().map(|l| l.raw()).unwrap_or("(none)")
                        ));
                        continue;
                    };
                    let lng = &self.inv.local_gateways[self.lngs[lid.key()]];
                    let gw_bgp = self.inv.gateways[gw.gi].bgp;
                    let bgp = c.bgp && gw_bgp && lng.asn.is_some() && lng.bgp_ip.is_some();
                    if c.bgp && !bgp {
                        notes.push(
                            "enableBgp is on, but the gateway or local gateway lacks BGP settings: written without BGP"
                                .into(),
                        );
                        self.p.warn(format!(
                            "connection {label}: BGP is on but its ends lack BGP settings; written without BGP"
                        ));
                    }
                    (Target::Local(lid.key().to_string()), 0, bgp)
                }
                "vnet2vnet" => {
                    let remote = c
                        .gateway2
                        .as_ref()
                        .and_then(|g| self.gateways.get(g.key()).map(|o| (g.key().to_string(), o.clone())));
                    let Some((rkey, r)) = remote.filter(|(_, r)| r.kind == GatewayKind::Vpn) else {
                        self.p.warn(format!(
                            "VNet-to-VNet connection {label}: its remote gateway {} is not a VPN gateway in the scenario: skipped",
                            c.gateway2.as_ref().map(|g| g.raw()).unwrap_or("(none)")
                        ));
                        continue;
                    };
                    if gw.kind != GatewayKind::Vpn || rkey == g1.key() {
                        self.p.warn(format!("VNet-to-VNet connection {label} does not join two VPN gateways: skipped"));
                        continue;
                    }
                    let bgp = c.bgp && self.inv.gateways[gw.gi].bgp && self.inv.gateways[r.gi].bgp;
                    if c.bgp && !bgp {
                        notes.push("enableBgp is on, but a gateway has BGP off: written without BGP".into());
                    }
                    (Target::Remote(rkey), 0, bgp)
                }
                other => {
                    self.not_modelled(&format!("connection of type {other}"), c.meta.id.raw());
                    continue;
                }
            };
            let end = match &target {
                Target::Circuit(k) | Target::Local(k) | Target::Remote(k) => k.clone(),
            };
            if !ends.insert((g1.key().to_string(), end)) {
                self.p.warn(format!("connection {label} joins the same two ends as another: skipped"));
                continue;
            }
            self.namer.add(
                kind::CONNECTION,
                c.meta.id.key(),
                label,
                c.meta.id.resource_group(),
                c.meta.id.subscription(),
            );
            self.conns.insert(
                c.meta.id.key().to_string(),
                ConnOut { ci, gateway: g1.key().to_string(), target, weight, bgp, notes },
            );
        }
    }

    /// A VPN gateway's default site (D20) when the scenario can take it: a local gateway in the
    /// export with a site-to-site connection from this gateway (validation refuses any other);
    /// else left out with a warning.
    fn default_sites(&mut self) {
        let inv = self.inv;
        for (gkey, g) in &mut self.gateways {
            let gw = &inv.gateways[g.gi];
            let Some(site) = gw.default_site.as_ref().filter(|_| g.kind == GatewayKind::Vpn) else { continue };
            let label = &gw.meta.name;
            let why = if !self.lngs.contains_key(site.key()) {
                format!("its default site {} (gatewayDefaultSite) is not in the export", site.name())
            } else if !self
                .conns
                .values()
                .any(|c| &c.gateway == gkey && matches!(&c.target, Target::Local(l) if l == site.key()))
            {
                format!("its default site {} (gatewayDefaultSite) has no site-to-site connection from it", site.name())
            } else {
                g.default_site = Some(site.key().to_string());
                continue;
            };
            self.p.warn(format!("gateway {label}: {why}: default_site left out"));
            g.default_site_note = Some(format!("default_site left out: {why}"));
        }
    }

    fn route_servers(&mut self) {
        let mut placed = BTreeSet::new();
        for (hi, h) in self.inv.hubs.iter().enumerate() {
            let found = self.vnets.iter().find_map(|(k, v)| {
                let vnet = &self.inv.vnets[v.exported?];
                vnet.subnets
                    .iter()
                    .find(|s| {
                        s.name.eq_ignore_ascii_case("RouteServerSubnet")
                            && h.ips.iter().any(|ip| s.prefix.is_some_and(|p| p.contains(ip)))
                    })
                    .map(|s| (k.clone(), s.prefix))
            });
            let Some((vkey, prefix)) = found else {
                self.p.warn(format!(
                    "route server {}: no RouteServerSubnet in the export holds its addresses {}: skipped",
                    h.meta.name,
                    h.ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
                ));
                continue;
            };
            if !placed.insert(vkey.clone()) {
                self.p.warn(format!("a second route server in one VNet ({}): skipped", h.meta.name));
                continue;
            }
            let mut notes = Vec::new();
            if let Some(net) = prefix {
                let fixed: Vec<IpAddr> = [4, 5].iter().filter_map(|k| crate::net::nth_host(&net, *k)).collect();
                let mut got = h.ips.clone();
                got.sort();
                if !got.is_empty() && got != fixed {
                    notes.push(format!(
                        "Azure shows instance addresses {}; ersim places them at .4 and .5 of RouteServerSubnet",
                        got.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
            if let Some(pref) = h.routing_preference.as_deref().filter(|p| !p.eq_ignore_ascii_case("ExpressRoute")) {
                notes.push(format!("hubRoutingPreference is {pref}; ersim predicts with ExpressRoute first (R75)"));
                self.not_modelled(
                    "route server hub routing preference other than ExpressRoute (ersim predicts with the ExpressRoute-first preference, R75: compare may differ)",
                    format!("{} ({pref})", h.meta.id.raw()),
                );
            }
            if h.asn.is_some_and(|a| a != crate::net::AZURE_ASN) {
                notes.push(format!(
                    "virtualRouterAsn is {}; ersim's route servers are 65515",
                    h.asn.unwrap_or_default()
                ));
            }
            self.namer.add(
                kind::ROUTE_SERVER,
                h.meta.id.key(),
                &h.meta.name,
                h.meta.id.resource_group(),
                h.meta.id.subscription(),
            );
            self.rss.insert(h.meta.id.key().to_string(), RsOut { hi, vnet: vkey, notes });
        }
    }

    fn nics(&mut self) {
        let mut per_vm: BTreeMap<String, usize> = BTreeMap::new();
        for n in &self.inv.nics {
            if let Some(vm) = &n.vm {
                *per_vm.entry(lower(vm)).or_insert(0) += 1;
            }
        }
        for n in &self.inv.nics {
            let Some(cfg) = n.ip_configs.iter().find(|c| c.primary).or_else(|| n.ip_configs.first()) else {
                self.p.warn(format!("NIC {} has no IP configuration: skipped", n.meta.name));
                continue;
            };
            let Some(sid) = &cfg.subnet else {
                self.p.warn(format!("NIC {} names no subnet: skipped", n.meta.name));
                continue;
            };
            let Some((vkey, sub)) = self.subnet(sid) else {
                self.p.warn(format!("NIC {} is in {}, which is not in the export: skipped", n.meta.name, sid.top()));
                continue;
            };
            let mut notes = Vec::new();
            if n.ip_configs.len() > 1 {
                notes.push(format!(
                    "{} IP configurations: the primary one is written (secondary addresses are not modelled)",
                    n.ip_configs.len()
                ));
            }
            if cfg.ip.is_none() {
                self.p.warn(format!("NIC {} has no private address in the export: ersim allocates one", n.meta.name));
            }
            let several = n.vm.as_ref().is_some_and(|vm| per_vm.get(&lower(vm)).copied().unwrap_or(0) > 1);
            self.namer.add(
                kind::NIC,
                n.meta.id.key(),
                &n.meta.name,
                n.meta.id.resource_group(),
                n.meta.id.subscription(),
            );
            self.nics.insert(
                n.meta.id.key().to_string(),
                NicOut {
                    name: n.meta.name.clone(),
                    id: n.meta.id.clone(),
                    stub: false,
                    vnet: vkey,
                    subnet: sub.name.clone(),
                    ip: cfg.ip,
                    forwarding: n.forwarding,
                    vm: n.vm.clone(),
                    primary: several && n.primary,
                    notes,
                },
            );
        }
    }

    fn bgp_peers(&mut self) {
        for (pi, hp) in self.inv.hub_peerings.iter().enumerate() {
            let label = &hp.meta.name;
            let Some(rs_key) = hp.meta.id.parent().map(|p| p.key().to_string()).filter(|k| self.rss.contains_key(k))
            else {
                self.p.warn(format!(
                    "route server peering {label}: its route server {} is not in the scenario: skipped",
                    hp.meta.id.parent().map(|p| p.raw().to_string()).unwrap_or_default()
                ));
                continue;
            };
            let (Some(asn), Some(ip)) = (hp.asn, hp.ip) else {
                self.p.warn(format!("route server peering {label} lacks peerAsn or peerIp: skipped"));
                continue;
            };
            let rs_vnet = self.rss[&rs_key].vnet.clone();
            let mut holders: Vec<(&String, &NicOut)> = self.nics.iter().filter(|(_, n)| n.ip == Some(ip)).collect();
            holders.sort_by_key(|(k, n)| (n.vnet != rs_vnet, (*k).clone()));
            let nic_key = match holders.first() {
                Some((k, _)) => (*k).clone(),
                None => {
                    // A stub NIC in the subnet holding the address: the route server's VNet first.
                    let mut place = self.subnet_containing(&rs_vnet, ip).map(|s| (rs_vnet.clone(), s.name.clone()));
                    if place.is_none() {
                        place = self
                            .vnets
                            .keys()
                            .find_map(|k| self.subnet_containing(k, ip).map(|s| (k.clone(), s.name.clone())));
                    }
                    let Some((vkey, subnet)) = place else {
                        self.p.warn(format!(
                            "route server peering {label}: no NIC and no subnet in the export holds its peer address {ip}: skipped"
                        ));
                        continue;
                    };
                    self.p.warn(format!(
                        "route server peering {label}: no NIC in the export holds {ip}; a stub NIC is written in subnet {subnet}"
                    ));
                    let key = format!("stubnic:{}", hp.meta.id.key());
                    let name = format!("{label}-nic");
                    self.namer.add(kind::NIC, &key, &name, hp.meta.id.resource_group(), hp.meta.id.subscription());
                    self.nics.insert(
                        key.clone(),
                        NicOut {
                            name,
                            id: hp.meta.id.clone(),
                            stub: true,
                            vnet: vkey,
                            subnet,
                            ip: Some(ip),
                            forwarding: true,
                            vm: None,
                            primary: false,
                            notes: vec![format!(
                                "stub: the NVA NIC holding {ip} (peer of route server peering {label}) is not in the export; IP forwarding assumed on"
                            )],
                        },
                    );
                    key
                }
            };
            self.namer.add(
                kind::BGP_PEER,
                hp.meta.id.key(),
                label,
                hp.meta.id.resource_group(),
                hp.meta.id.subscription(),
            );
            self.peers.insert(
                hp.meta.id.key().to_string(),
                PeerOut { pi, rs: rs_key, nic: nic_key, asn, adverts: BTreeSet::new(), known: false },
            );
        }
    }

    fn load_balancers_and_firewalls(&mut self) {
        // NIC ip configuration id → NIC key.
        let mut cfg_nic: HashMap<String, String> = HashMap::new();
        let mut pool_nics: HashMap<String, BTreeSet<String>> = HashMap::new();
        for n in &self.inv.nics {
            if !self.nics.contains_key(n.meta.id.key()) {
                continue;
            }
            for c in &n.ip_configs {
                if let Some(id) = &c.id {
                    cfg_nic.insert(id.key().to_string(), n.meta.id.key().to_string());
                }
                for pool in &c.pools {
                    pool_nics.entry(pool.key().to_string()).or_default().insert(n.meta.id.key().to_string());
                }
            }
        }
        for (li, lb) in self.inv.load_balancers.iter().enumerate() {
            let private: Vec<_> = lb.frontends.iter().filter(|f| f.ip.is_some() && f.subnet.is_some()).collect();
            let Some(f) = private.first() else {
                let what = if lb.public_frontends.is_empty() {
                    "load balancer without a private frontend"
                } else {
                    "public load balancer"
                };
                self.not_modelled(what, lb.meta.id.raw());
                continue;
            };
            let Some((vkey, sub)) = f.subnet.as_ref().and_then(|s| self.subnet(s)) else {
                self.p.warn(format!(
                    "load balancer {}: its frontend's subnet is not in the export: skipped",
                    lb.meta.name
                ));
                continue;
            };
            let mut notes = Vec::new();
            if private.len() > 1 || !lb.public_frontends.is_empty() {
                notes.push(format!(
                    "frontend {} is written; {} other frontend(s) are not modelled",
                    f.name,
                    private.len() - 1 + lb.public_frontends.len()
                ));
            }
            let mut backends = BTreeSet::new();
            for (pool, members) in &lb.pools {
                for m in members {
                    match cfg_nic.get(m.key()) {
                        Some(k) => {
                            backends.insert(k.clone());
                        }
                        None => notes.push(format!("backend {} is not a NIC in the scenario: left out", m)),
                    }
                }
                backends.extend(pool_nics.get(pool.key()).into_iter().flatten().cloned());
            }
            backends.extend(self.backends_by_address(lb));
            self.namer.add(
                kind::LOAD_BALANCER,
                lb.meta.id.key(),
                &lb.meta.name,
                lb.meta.id.resource_group(),
                lb.meta.id.subscription(),
            );
            self.lbs.insert(
                lb.meta.id.key().to_string(),
                LbOut { li, vnet: vkey, subnet: sub.name.clone(), ip: f.ip.expect("filtered"), backends, notes },
            );
        }
        for (fi, fw) in self.inv.firewalls.iter().enumerate() {
            let Some((ip, Some(sid))) = &fw.ip else {
                self.p.warn(format!(
                    "firewall {} has no private address and subnet in the export: skipped",
                    fw.meta.name
                ));
                continue;
            };
            let Some((vkey, sub)) = self.subnet(sid) else {
                self.p.warn(format!(
                    "firewall {} is in {}, which is not in the export: skipped",
                    fw.meta.name,
                    sid.top()
                ));
                continue;
            };
            if !sub.name.eq_ignore_ascii_case("AzureFirewallSubnet") {
                self.p.warn(format!("firewall {} is not in AzureFirewallSubnet: skipped", fw.meta.name));
                continue;
            }
            self.namer.add(
                kind::FIREWALL,
                fw.meta.id.key(),
                &fw.meta.name,
                fw.meta.id.resource_group(),
                fw.meta.id.subscription(),
            );
            self.fws.insert(fw.meta.id.key().to_string(), FwOut { fi, vnet: vkey, ip: *ip });
        }
    }

    /// The NICs of a load balancer's backends given by IP address: for each, the NIC whose private
    /// address it is (in the VNet the address names, when it names one). An address that no NIC of
    /// the scenario holds, or that several NICs hold, is left out with a warning.
    fn backends_by_address(&mut self, lb: &LoadBalancer) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for a in &lb.backend_addresses {
            let holders: Vec<&Nic> = self.inv.nics.iter().filter(|n| holds(n, a)).collect();
            let why = match holders.as_slice() {
                [] => "matches no NIC in the export".to_string(),
                [n] if self.nics.contains_key(n.meta.id.key()) => {
                    out.insert(n.meta.id.key().to_string());
                    continue;
                }
                [n] => format!("is NIC {}'s, which is not in the scenario", n.meta.name),
                many => format!(
                    "is held by several NICs ({})",
                    many.iter().map(|n| n.meta.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            self.p.warn(format!(
                "load balancer {}: backend address {} (pool {}) {why}: left out",
                lb.meta.name, a.ip, a.pool
            ));
        }
        out
    }

    /// `use_remote_gateways` as the format requires (R38, R41): what Azure would have refused only
    /// happens with a partial export, and is turned off with a note.
    fn remote_gateway_rules(&mut self) {
        let has_gw: BTreeSet<String> = self.gateways.values().map(|g| g.vnet.clone()).collect();
        let has_rs: BTreeSet<String> = self.rss.values().map(|r| r.vnet.clone()).collect();
        let transit: BTreeSet<(String, String)> =
            self.halves.iter().filter(|h| h.transit).map(|h| (h.from.clone(), h.to.clone())).collect();
        let mut used: BTreeSet<String> = BTreeSet::new();
        let name = |k: &str| self.vnets.get(k).map(|v| v.id.name().to_string()).unwrap_or_default();
        let mut warnings = Vec::new();
        for h in self.halves.iter_mut().filter(|h| h.use_remote) {
            let why = if !has_gw.contains(&h.to) && !has_rs.contains(&h.to) {
                Some(format!("{} has no gateway or route server in the scenario", name(&h.to)))
            } else if !transit.contains(&(h.to.clone(), h.from.clone())) {
                Some(format!("the half back from {} does not allow gateway transit", name(&h.to)))
            } else if has_gw.contains(&h.from) || has_rs.contains(&h.from) {
                Some(format!("{} has a gateway or route server of its own", name(&h.from)))
            } else if !used.insert(h.from.clone()) {
                Some(format!("{} already uses another VNet's gateways", name(&h.from)))
            } else {
                None
            };
            if let Some(why) = why {
                h.use_remote = false;
                h.notes.push(format!("use_remote_gateways is off: {why} (a partial export?)"));
                warnings.push(format!(
                    "peering {} → {}: use_remote_gateways turned off: {why}",
                    name(&h.from),
                    name(&h.to)
                ));
            }
        }
        for w in warnings {
            self.p.warn(w);
        }
    }

    fn onprems(&mut self) {
        for (key, c) in &self.circuits {
            let Some(ci) = c.ci else { continue };
            let circuit = &self.inv.circuits[ci];
            let Some(asn) = circuit.peer_asn else { continue };
            let okey = format!("onprem:circuit:{key}");
            let name = format!("{}-onprem", circuit.meta.name);
            self.namer.add(kind::ONPREM, &okey, &name, c.id.resource_group(), c.id.subscription());
            self.onprems.insert(
                okey,
                OnpremOut {
                    name,
                    stands_for: format!(
                        "the router behind circuit {}'s private peering (peerASN {asn})",
                        circuit.meta.name
                    ),
                    rg: c.id.resource_group().to_string(),
                    sub: c.id.subscription().to_string(),
                    asn,
                    circuits: vec![key.clone()],
                    adverts: BTreeMap::new(),
                    prepend: BTreeMap::new(),
                    sources: BTreeSet::new(),
                },
            );
        }
        let bgp_lngs: BTreeSet<String> = self
            .conns
            .values()
            .filter_map(|c| match &c.target {
                Target::Local(l) if c.bgp => Some(l.clone()),
                _ => None,
            })
            .collect();
        for lkey in bgp_lngs {
            let l = &self.inv.local_gateways[self.lngs[&lkey]];
            let Some(asn) = l.asn else { continue };
            let okey = format!("onprem:lng:{lkey}");
            let name = format!("{}-onprem", l.meta.name);
            self.namer.add(kind::ONPREM, &okey, &name, l.meta.id.resource_group(), l.meta.id.subscription());
            self.onprems.insert(
                okey.clone(),
                OnpremOut {
                    name,
                    stands_for: format!("the router behind local network gateway {} (BGP ASN {asn})", l.meta.name),
                    rg: l.meta.id.resource_group().to_string(),
                    sub: l.meta.id.subscription().to_string(),
                    asn,
                    circuits: Vec::new(),
                    adverts: BTreeMap::new(),
                    prepend: BTreeMap::new(),
                    sources: BTreeSet::new(),
                },
            );
            self.lng_onprem.insert(lkey, okey);
        }
    }

    /// The ExpressRoute gateway key whose domain a VNet's subnets are in (its own, or the one of
    /// the VNet it uses remote gateways from).
    pub fn er_gateway_of(&self, vnet: &str) -> Option<String> {
        let own = |v: &str| {
            self.gateways
                .iter()
                .find(|(_, g)| g.vnet == v && g.kind == GatewayKind::ExpressRoute)
                .map(|(k, _)| k.clone())
        };
        own(vnet).or_else(|| self.halves.iter().find(|h| h.from == vnet && h.use_remote).and_then(|h| own(&h.to)))
    }
}
