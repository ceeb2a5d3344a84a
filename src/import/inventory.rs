//! The estate as a typed inventory: each Azure resource ersim reads, recognised by its `type`
//! (case-insensitive) or, for az outputs without one, by its shape, and read field by field into
//! plain structs with located errors. References stay ARM ids here; `plan` resolves them.
//!
//! Resources ersim does not model are kept as [`NotModelled`] entries, so nothing is dropped
//! silently. The same resource given twice (a Resource Graph page and an az list output) is kept
//! once; every list is sorted by id, so nothing depends on the order of files or array elements.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::json::{ArmId, Node, Problems, parse_prefix};

/// Where a resource came from and what it is called.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Its ARM id.
    pub id: ArmId,
    /// Its Azure name.
    pub name: String,
    /// The file it was read from.
    pub file: String,
    /// Its JSON path in that file.
    pub path: String,
}

/// A virtual network.
#[derive(Clone, Debug)]
pub struct Vnet {
    /// Identity.
    pub meta: Meta,
    /// `location`.
    pub location: Option<String>,
    /// `addressSpace.addressPrefixes`.
    pub address_space: Vec<IpNet>,
    /// `subnets`.
    pub subnets: Vec<Subnet>,
    /// `virtualNetworkPeerings`.
    pub peerings: Vec<PeeringHalf>,
}

/// A subnet of a VNet.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// Its name.
    pub name: String,
    /// Its prefix: `addressPrefix`, else the first of `addressPrefixes`.
    pub prefix: Option<IpNet>,
    /// Further `addressPrefixes` (not modelled: the format holds one prefix per subnet).
    pub extra_prefixes: Vec<String>,
    /// `routeTable.id`.
    pub route_table: Option<ArmId>,
    /// `networkSecurityGroup.id` (not modelled).
    pub nsg: Option<ArmId>,
    /// `serviceEndpoints[].service` (not modelled).
    pub service_endpoints: Vec<String>,
}

/// One half of a VNet peering (`virtualNetworkPeerings` of the VNet holding it).
#[derive(Clone, Debug)]
pub struct PeeringHalf {
    /// Its name.
    pub name: String,
    /// `remoteVirtualNetwork.id`.
    pub remote: Option<ArmId>,
    /// `remoteAddressSpace.addressPrefixes` (what a VNet outside the export is known by).
    pub remote_space: Vec<IpNet>,
    /// `peeringState` (Initiated, Connected, Disconnected).
    pub state: String,
    /// `allowVirtualNetworkAccess` (default true).
    pub allow_access: bool,
    /// `allowForwardedTraffic`.
    pub allow_forwarded: bool,
    /// `allowGatewayTransit`.
    pub allow_transit: bool,
    /// `useRemoteGateways`.
    pub use_remote: bool,
    /// `peerCompleteVnets` (default true; false is subnet peering, not modelled).
    pub complete: bool,
}

/// A virtual network gateway.
#[derive(Clone, Debug)]
pub struct Gateway {
    /// Identity.
    pub meta: Meta,
    /// `gatewayType` (Vpn, ExpressRoute, ...).
    pub kind: String,
    /// `vpnType` (RouteBased, PolicyBased).
    pub vpn_type: Option<String>,
    /// `sku.name`, from `properties` or the top level, whichever is present.
    pub sku: Option<String>,
    /// `activeActive`.
    pub active_active: bool,
    /// `enableBgp`.
    pub bgp: bool,
    /// `allowRemoteVnetTraffic`.
    pub allow_remote_vnet_traffic: bool,
    /// `bgpSettings.asn`.
    pub asn: Option<u32>,
    /// `bgpSettings.bgpPeeringAddresses[].defaultBgpIpAddresses`, in `ipConfigurations` order
    /// (else `bgpPeeringAddress`).
    pub bgp_ips: Vec<IpAddr>,
    /// `ipConfigurations[].privateIPAddress`.
    pub private_ips: Vec<IpAddr>,
    /// `ipConfigurations[].subnet.id` (its GatewaySubnet, hence its VNet).
    pub subnet: Option<ArmId>,
    /// `ipConfigurations[].publicIPAddress.id`.
    pub public_ips: Vec<ArmId>,
    /// `gatewayDefaultSite.id`.
    pub default_site: Option<ArmId>,
}

/// A gateway connection.
#[derive(Clone, Debug)]
pub struct Connection {
    /// Identity.
    pub meta: Meta,
    /// `connectionType` (IPsec, Vnet2Vnet, ExpressRoute).
    pub kind: String,
    /// `virtualNetworkGateway1.id`.
    pub gateway1: Option<ArmId>,
    /// `virtualNetworkGateway2.id` (Vnet2Vnet).
    pub gateway2: Option<ArmId>,
    /// `localNetworkGateway2.id` (IPsec).
    pub local_gateway: Option<ArmId>,
    /// `peer.id` (ExpressRoute: the circuit).
    pub circuit: Option<ArmId>,
    /// `routingWeight`.
    pub routing_weight: Option<u64>,
    /// `enableBgp`.
    pub bgp: bool,
}

/// A local network gateway.
#[derive(Clone, Debug)]
pub struct LocalGateway {
    /// Identity.
    pub meta: Meta,
    /// `localNetworkAddressSpace.addressPrefixes`.
    pub prefixes: Vec<IpNet>,
    /// `bgpSettings.asn`.
    pub asn: Option<u32>,
    /// `bgpSettings.bgpPeeringAddress`.
    pub bgp_ip: Option<IpAddr>,
    /// `gatewayIpAddress` or `fqdn` (a label only).
    pub address: Option<String>,
}

/// An ExpressRoute circuit.
#[derive(Clone, Debug)]
pub struct Circuit {
    /// Identity.
    pub meta: Meta,
    /// `sku.tier`.
    pub tier: Option<String>,
    /// `serviceProviderProperties.bandwidthInMbps`.
    pub bandwidth: Option<u64>,
    /// `serviceProviderProperties.peeringLocation`.
    pub location: Option<String>,
    /// The private peering's `peerASN`, if it has one.
    pub peer_asn: Option<u32>,
}

/// A route table.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Identity.
    pub meta: Meta,
    /// `disableBgpRoutePropagation`.
    pub disable_propagation: bool,
    /// `routes`, in order.
    pub routes: Vec<Route>,
    /// `subnets[].id`.
    pub subnets: Vec<ArmId>,
}

/// A user-defined route.
#[derive(Clone, Debug)]
pub struct Route {
    /// Its name.
    pub name: String,
    /// `addressPrefix` when it is a prefix.
    pub prefix: Option<IpNet>,
    /// `addressPrefix` when it is a service tag (not modelled).
    pub tag: Option<String>,
    /// `nextHopType`.
    pub next_hop_type: String,
    /// `nextHopIpAddress`, or `nextHop.nextHopIpAddresses` (VirtualApplianceEcmp).
    pub next_hops: Vec<IpAddr>,
}

/// A network interface.
#[derive(Clone, Debug)]
pub struct Nic {
    /// Identity.
    pub meta: Meta,
    /// `enableIPForwarding`.
    pub forwarding: bool,
    /// The VM's name, from `virtualMachine.id`.
    pub vm: Option<String>,
    /// `primary` (the VM's primary NIC).
    pub primary: bool,
    /// `ipConfigurations`.
    pub ip_configs: Vec<IpConfig>,
}

/// An IP configuration of a NIC.
#[derive(Clone, Debug)]
pub struct IpConfig {
    /// Its id (load balancer pools point at it).
    pub id: Option<ArmId>,
    /// `privateIPAddress`.
    pub ip: Option<IpAddr>,
    /// `primary`.
    pub primary: bool,
    /// `subnet.id`.
    pub subnet: Option<ArmId>,
    /// `loadBalancerBackendAddressPools[].id`.
    pub pools: Vec<ArmId>,
}

/// A virtual hub: a Route Server (`virtualWan` null) or a Virtual WAN hub.
#[derive(Clone, Debug)]
pub struct Hub {
    /// Identity.
    pub meta: Meta,
    /// `virtualRouterAsn`.
    pub asn: Option<u32>,
    /// `virtualRouterIps`.
    pub ips: Vec<IpAddr>,
    /// `allowBranchToBranchTraffic`.
    pub branch_to_branch: bool,
    /// `hubRoutingPreference` (ExpressRoute, the default; ASPath; VpnGateway).
    pub routing_preference: Option<String>,
}

/// A Route Server peering (`virtualHubs/bgpConnections`).
#[derive(Clone, Debug)]
pub struct HubPeering {
    /// Identity.
    pub meta: Meta,
    /// `peerAsn`.
    pub asn: Option<u32>,
    /// `peerIp`.
    pub ip: Option<IpAddr>,
}

/// An Azure Firewall in a VNet.
#[derive(Clone, Debug)]
pub struct Firewall {
    /// Identity.
    pub meta: Meta,
    /// Its private address and subnet.
    pub ip: Option<(IpAddr, Option<ArmId>)>,
}

/// A load balancer frontend.
#[derive(Clone, Debug)]
pub struct Frontend {
    /// Its name.
    pub name: String,
    /// `privateIPAddress`.
    pub ip: Option<IpAddr>,
    /// `subnet.id`.
    pub subnet: Option<ArmId>,
}

/// A load balancer.
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    /// Identity.
    pub meta: Meta,
    /// Private frontends (public ones are not modelled).
    pub frontends: Vec<Frontend>,
    /// Public frontends, by name (not modelled).
    pub public_frontends: Vec<String>,
    /// Backend members: NIC ip configuration ids, per pool id (`backendIPConfigurations`, and the
    /// `loadBalancerBackendAddresses` that name a `networkInterfaceIPConfiguration`).
    pub pools: Vec<(ArmId, Vec<ArmId>)>,
    /// Backend members given only by IP address (`loadBalancerBackendAddresses[].ipAddress`),
    /// matched to a NIC by its private address when the plan is made.
    pub backend_addresses: Vec<BackendAddress>,
    /// HA ports: a rule with protocol `All` (None without rules).
    pub ha_ports: Option<bool>,
}

/// A load balancer backend given by IP address (`loadBalancerBackendAddresses[]` without a
/// `networkInterfaceIPConfiguration`).
#[derive(Clone, Debug)]
pub struct BackendAddress {
    /// The pool's name.
    pub pool: String,
    /// `ipAddress`.
    pub ip: IpAddr,
    /// `virtualNetwork.id`, of the address or else of its pool.
    pub vnet: Option<ArmId>,
}

/// A public IP address.
#[derive(Clone, Debug)]
pub struct PublicIp {
    /// Identity.
    pub meta: Meta,
    /// `ipAddress`.
    pub ip: Option<IpAddr>,
}

/// A resource ersim does not model, kept to be listed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotModelled {
    /// What it is (`network security group (NSG)`).
    pub what: String,
    /// Its id (or name when it has none).
    pub id: String,
}

/// Everything read from the resource files.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    /// VNets.
    pub vnets: Vec<Vnet>,
    /// Gateways.
    pub gateways: Vec<Gateway>,
    /// Connections.
    pub connections: Vec<Connection>,
    /// Local network gateways.
    pub local_gateways: Vec<LocalGateway>,
    /// Circuits.
    pub circuits: Vec<Circuit>,
    /// Route tables.
    pub route_tables: Vec<RouteTable>,
    /// NICs.
    pub nics: Vec<Nic>,
    /// Route Servers.
    pub hubs: Vec<Hub>,
    /// Route Server peerings.
    pub hub_peerings: Vec<HubPeering>,
    /// Firewalls.
    pub firewalls: Vec<Firewall>,
    /// Load balancers.
    pub load_balancers: Vec<LoadBalancer>,
    /// Public IPs.
    pub public_ips: Vec<PublicIp>,
    /// Resources not modelled.
    pub not_modelled: Vec<NotModelled>,
    /// Subnets and peerings given as resources of their own, attached to their VNet later.
    loose_subnets: Vec<(ArmId, Subnet)>,
    loose_peerings: Vec<(ArmId, PeeringHalf)>,
}

/// What a resource is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Vnet,
    Subnet,
    Peering,
    Gateway,
    Connection,
    LocalGateway,
    Circuit,
    RouteTable,
    Nic,
    Hub,
    HubPeering,
    Firewall,
    LoadBalancer,
    PublicIp,
    NotModelled(&'static str),
}

/// Resource types ersim reads or knowingly does not model, by their type after `microsoft.network/`.
const TYPES: &[(&str, Kind)] = &[
    ("virtualnetworks", Kind::Vnet),
    ("virtualnetworks/subnets", Kind::Subnet),
    ("virtualnetworks/virtualnetworkpeerings", Kind::Peering),
    ("virtualnetworkgateways", Kind::Gateway),
    ("connections", Kind::Connection),
    ("localnetworkgateways", Kind::LocalGateway),
    ("expressroutecircuits", Kind::Circuit),
    ("routetables", Kind::RouteTable),
    ("networkinterfaces", Kind::Nic),
    ("virtualhubs", Kind::Hub),
    ("virtualhubs/bgpconnections", Kind::HubPeering),
    ("azurefirewalls", Kind::Firewall),
    ("loadbalancers", Kind::LoadBalancer),
    ("publicipaddresses", Kind::PublicIp),
    ("networksecuritygroups", Kind::NotModelled("network security group (NSG)")),
    ("privateendpoints", Kind::NotModelled("private endpoint")),
    ("virtualwans", Kind::NotModelled("Virtual WAN")),
    ("vpngateways", Kind::NotModelled("Virtual WAN VPN gateway")),
    ("expressroutegateways", Kind::NotModelled("Virtual WAN ExpressRoute gateway")),
    ("p2svpngateways", Kind::NotModelled("point-to-site VPN gateway")),
    ("vpnsites", Kind::NotModelled("Virtual WAN VPN site")),
    ("natgateways", Kind::NotModelled("NAT gateway")),
    ("applicationgateways", Kind::NotModelled("application gateway")),
    ("bastionhosts", Kind::NotModelled("Bastion host")),
    ("expressrouteports", Kind::NotModelled("ExpressRoute Direct port")),
];

/// The kind of a resource by its `type`, else by its shape; `None` for what is not a resource.
fn kind_of(n: &Node<'_>) -> Option<Result<Kind, String>> {
    if let Some(t) = n.v.get("type").and_then(|t| t.as_str()) {
        let lower = t.to_ascii_lowercase();
        let short = lower.strip_prefix("microsoft.network/").unwrap_or(&lower);
        return Some(TYPES.iter().find(|(k, _)| *k == short).map(|(_, kind)| *kind).ok_or_else(|| t.to_string()));
    }
    let has = |k: &str| n.has(k);
    let kind = if has("addressSpace") && (has("subnets") || has("virtualNetworkPeerings")) {
        Kind::Vnet
    } else if has("gatewayType") {
        Kind::Gateway
    } else if has("connectionType") {
        Kind::Connection
    } else if has("localNetworkAddressSpace") {
        Kind::LocalGateway
    } else if has("serviceProviderProperties") {
        Kind::Circuit
    } else if has("routes") && has("disableBgpRoutePropagation") {
        Kind::RouteTable
    } else if has("virtualRouterIps") || has("virtualRouterAsn") {
        Kind::Hub
    } else if has("peerAsn") && has("peerIp") {
        Kind::HubPeering
    } else if has("frontendIPConfigurations") {
        Kind::LoadBalancer
    } else if has("ipConfigurations") && is_firewall_sku(n) {
        Kind::Firewall
    } else if has("ipConfigurations") && (has("enableIPForwarding") || has("virtualMachine")) {
        Kind::Nic
    } else if has("ipAddress") && has("publicIPAllocationMethod") {
        Kind::PublicIp
    } else if has("securityRules") {
        Kind::NotModelled("network security group (NSG)")
    } else if has("privateLinkServiceConnections") || has("manualPrivateLinkServiceConnections") {
        Kind::NotModelled("private endpoint")
    } else if has("addressPrefix") && (has("ipConfigurations") || has("routeTable") || has("delegations")) {
        Kind::Subnet
    } else if has("remoteVirtualNetwork") && has("peeringState") {
        Kind::Peering
    } else {
        return None;
    };
    Some(Ok(kind))
}

fn is_firewall_sku(n: &Node<'_>) -> bool {
    let sku = n.get_path(&["sku", "name"]).and_then(|s| s.v.as_str()).unwrap_or_default();
    sku.to_ascii_uppercase().starts_with("AZFW") || n.has("threatIntelMode") || n.has("firewallPolicy")
}

fn meta(n: &Node<'_>, p: &mut Problems) -> Option<Meta> {
    let id = n.own_id(p)?;
    let name = n.v.get("name").and_then(|v| v.as_str()).map(str::to_string).unwrap_or_else(|| id.name().to_string());
    Some(Meta { id, name, file: n.file.to_string(), path: n.path.clone() })
}

fn asn(n: &Node<'_>, p: &mut Problems, key: &str) -> Option<u32> {
    let v = n.uint(p, key)?;
    match u32::try_from(v) {
        Ok(a) => Some(a),
        Err(_) => {
            p.error(n, format!("{key} is not an AS number: {v}"));
            None
        }
    }
}

fn prefixes(n: &Node<'_>, p: &mut Problems, key: &str) -> Vec<IpNet> {
    let mut out = Vec::new();
    for e in n.arr(p, key) {
        match e.v.as_str() {
            Some(s) => match parse_prefix(s) {
                Some(x) => out.push(x),
                None => p.error(n, format!("{key} holds \"{s}\", which is not a prefix")),
            },
            None => p.error(&e, format!("an element of {key} must be a string")),
        }
    }
    out
}

impl Inventory {
    /// Read one resource (an element of a Resource Graph page or an az list output). What is not a
    /// resource at all is an error; a resource type ersim does not read is listed as not modelled.
    pub fn add(&mut self, n: &Node<'_>, p: &mut Problems) {
        if !n.v.is_object() {
            p.error(n, format!("a resource must be an object, not {}", super::json::type_name(n.v)));
            return;
        }
        let kind = match kind_of(n) {
            Some(Ok(k)) => k,
            Some(Err(t)) => {
                let id = n.v.get("id").and_then(|v| v.as_str()).unwrap_or("(no id)").to_string();
                self.not_modelled.push(NotModelled { what: format!("resource of type {t}"), id });
                return;
            }
            None => {
                p.error(n, "not a resource ersim recognises (no `type`, and not the shape of a VNet, gateway, connection, local gateway, circuit, route table, NIC, route server, route server peering, load balancer, firewall or public IP)");
                return;
            }
        };
        let Some(m) = meta(n, p) else { return };
        match kind {
            Kind::Vnet => {
                let v = read_vnet(n, m, p);
                self.vnets.push(v);
            }
            Kind::Subnet => {
                let sub = read_subnet(n, p);
                if let Some(parent) = m.id.parent() {
                    self.loose_subnets.push((parent, sub));
                }
            }
            Kind::Peering => {
                let half = read_peering(n, p);
                if let Some(parent) = m.id.parent() {
                    self.loose_peerings.push((parent, half));
                }
            }
            Kind::Gateway => self.gateways.push(read_gateway(n, m, p)),
            Kind::Connection => self.connections.push(read_connection(n, m, p)),
            Kind::LocalGateway => self.local_gateways.push(LocalGateway {
                prefixes: n
                    .get("localNetworkAddressSpace")
                    .map(|s| prefixes(&s, p, "addressPrefixes"))
                    .unwrap_or_default(),
                asn: n.get("bgpSettings").and_then(|b| asn(&b, p, "asn")),
                bgp_ip: n.get("bgpSettings").and_then(|b| b.ip(p, "bgpPeeringAddress")),
                address: n.str(p, "gatewayIpAddress").or_else(|| n.str(p, "fqdn")).map(str::to_string),
                meta: m,
            }),
            Kind::Circuit => self.circuits.push(read_circuit(n, m, p)),
            Kind::RouteTable => self.route_tables.push(read_route_table(n, m, p)),
            Kind::Nic => {
                if n.has("privateEndpoint") || n.has("privateLinkService") {
                    self.not_modelled.push(NotModelled { what: "private endpoint NIC".into(), id: m.id.raw().into() });
                } else {
                    self.nics.push(read_nic(n, m, p));
                }
            }
            Kind::Hub => {
                if n.has("virtualWan") {
                    self.not_modelled.push(NotModelled {
                        what: "Virtual WAN hub (not a Route Server)".into(),
                        id: m.id.raw().into(),
                    });
                } else {
                    let mut ips = Vec::new();
                    for e in n.arr(p, "virtualRouterIps") {
                        match e.v.as_str().and_then(super::runtime::addr) {
                            Some(a) => ips.push(a),
                            None => p.error(&e, "virtualRouterIps holds something that is not an IP address"),
                        }
                    }
                    self.hubs.push(Hub {
                        asn: asn(n, p, "virtualRouterAsn"),
                        ips,
                        branch_to_branch: n.bool(p, "allowBranchToBranchTraffic").unwrap_or(false),
                        routing_preference: n.str(p, "hubRoutingPreference").map(str::to_string),
                        meta: m,
                    });
                }
            }
            Kind::HubPeering => {
                self.hub_peerings.push(HubPeering { asn: asn(n, p, "peerAsn"), ip: n.ip(p, "peerIp"), meta: m })
            }
            Kind::Firewall => {
                let hub = n.has("virtualHub")
                    || n.get_path(&["sku", "name"])
                        .and_then(|s| s.v.as_str())
                        .is_some_and(|s| s.eq_ignore_ascii_case("AZFW_Hub"));
                if hub {
                    self.not_modelled.push(NotModelled {
                        what: "Azure Firewall in a Virtual WAN hub".into(),
                        id: m.id.raw().into(),
                    });
                } else {
                    let ip = n.arr(p, "ipConfigurations").into_iter().find_map(|c| {
                        let ip = c.ip(p, "privateIPAddress")?;
                        Some((ip, c.reference(p, "subnet")))
                    });
                    self.firewalls.push(Firewall { ip, meta: m });
                }
            }
            Kind::LoadBalancer => self.load_balancers.push(read_lb(n, m, p)),
            Kind::PublicIp => self.public_ips.push(PublicIp { ip: n.ip(p, "ipAddress"), meta: m }),
            Kind::NotModelled(what) => self.not_modelled.push(NotModelled { what: what.into(), id: m.id.raw().into() }),
        }
    }

    /// Attach loose subnets and peerings, drop duplicates, and sort every list by id.
    pub fn finish(&mut self, p: &mut Problems) {
        fn dedup<T>(v: &mut Vec<T>, key: impl Fn(&T) -> (String, String, String)) {
            // Sort by (id, file, path): the copy kept for a duplicate id does not depend on order.
            v.sort_by_key(|x| key(x));
            v.dedup_by(|a, b| key(a).0 == key(b).0);
        }
        let k = |m: &Meta| (m.id.key().to_string(), m.file.clone(), m.path.clone());
        dedup(&mut self.vnets, |x| k(&x.meta));
        dedup(&mut self.gateways, |x| k(&x.meta));
        dedup(&mut self.connections, |x| k(&x.meta));
        dedup(&mut self.local_gateways, |x| k(&x.meta));
        dedup(&mut self.circuits, |x| k(&x.meta));
        dedup(&mut self.route_tables, |x| k(&x.meta));
        dedup(&mut self.nics, |x| k(&x.meta));
        dedup(&mut self.hubs, |x| k(&x.meta));
        dedup(&mut self.hub_peerings, |x| k(&x.meta));
        dedup(&mut self.firewalls, |x| k(&x.meta));
        dedup(&mut self.load_balancers, |x| k(&x.meta));
        dedup(&mut self.public_ips, |x| k(&x.meta));
        self.not_modelled.sort();
        self.not_modelled.dedup();
        let by_id: BTreeMap<String, usize> =
            self.vnets.iter().enumerate().map(|(i, v)| (v.meta.id.key().to_string(), i)).collect();
        let mut loose_s = std::mem::take(&mut self.loose_subnets);
        loose_s.sort_by(|a, b| (a.0.key(), &a.1.name).cmp(&(b.0.key(), &b.1.name)));
        for (parent, s) in loose_s {
            match by_id.get(parent.key()) {
                Some(&i) => {
                    let v = &mut self.vnets[i];
                    if !v.subnets.iter().any(|x| x.name.eq_ignore_ascii_case(&s.name)) {
                        v.subnets.push(s);
                    }
                }
                None => {
                    p.warn(format!("subnet {} belongs to VNet {parent}, which is not in the export: skipped", s.name))
                }
            }
        }
        let mut loose_p = std::mem::take(&mut self.loose_peerings);
        loose_p.sort_by(|a, b| (a.0.key(), &a.1.name).cmp(&(b.0.key(), &b.1.name)));
        for (parent, h) in loose_p {
            match by_id.get(parent.key()) {
                Some(&i) => {
                    let v = &mut self.vnets[i];
                    if !v.peerings.iter().any(|x| x.name.eq_ignore_ascii_case(&h.name)) {
                        v.peerings.push(h);
                    }
                }
                None => {
                    p.warn(format!("peering {} belongs to VNet {parent}, which is not in the export: skipped", h.name))
                }
            }
        }
        for v in &mut self.vnets {
            v.subnets.sort_by_key(|a| a.name.to_ascii_lowercase());
            v.peerings.sort_by(|a, b| {
                let ka = (a.remote.as_ref().map(|r| r.key().to_string()), a.name.to_ascii_lowercase());
                let kb = (b.remote.as_ref().map(|r| r.key().to_string()), b.name.to_ascii_lowercase());
                ka.cmp(&kb)
            });
        }
    }
}

fn read_subnet(s: &Node<'_>, p: &mut Problems) -> Subnet {
    let name = s.str(p, "name").unwrap_or_default().to_string();
    let (prefix, extra) = if s.has("addressPrefix") {
        (s.prefix(p, "addressPrefix"), Vec::new())
    } else {
        let all = s.strings(p, "addressPrefixes");
        let first = all.first().and_then(|f| {
            let got = parse_prefix(f);
            if got.is_none() {
                p.error(s, format!("addressPrefixes holds \"{f}\", which is not a prefix"));
            }
            got
        });
        if all.is_empty() {
            p.error(s, "the subnet has neither addressPrefix nor addressPrefixes");
        }
        (first, all.iter().skip(1).map(|x| x.to_string()).collect())
    };
    let service_endpoints = s
        .arr(p, "serviceEndpoints")
        .iter()
        .map(|e| e.get("service").and_then(|x| x.v.as_str()).unwrap_or("(unnamed)").to_string())
        .collect();
    Subnet {
        name,
        prefix,
        extra_prefixes: extra,
        route_table: s.reference(p, "routeTable"),
        nsg: s.reference(p, "networkSecurityGroup"),
        service_endpoints,
    }
}

fn read_peering(e: &Node<'_>, p: &mut Problems) -> PeeringHalf {
    PeeringHalf {
        name: e.str(p, "name").unwrap_or_default().to_string(),
        remote: e.reference(p, "remoteVirtualNetwork"),
        remote_space: e.get("remoteAddressSpace").map(|s| prefixes(&s, p, "addressPrefixes")).unwrap_or_default(),
        state: e.str(p, "peeringState").unwrap_or("Connected").to_string(),
        allow_access: e.bool(p, "allowVirtualNetworkAccess").unwrap_or(true),
        allow_forwarded: e.bool(p, "allowForwardedTraffic").unwrap_or(false),
        allow_transit: e.bool(p, "allowGatewayTransit").unwrap_or(false),
        use_remote: e.bool(p, "useRemoteGateways").unwrap_or(false),
        complete: e.bool(p, "peerCompleteVnets").unwrap_or(true),
    }
}

fn read_vnet(n: &Node<'_>, m: Meta, p: &mut Problems) -> Vnet {
    let address_space = match n.get("addressSpace") {
        Some(a) => prefixes(&a, p, "addressPrefixes"),
        None => {
            p.error(n, "the VNet has no addressSpace");
            Vec::new()
        }
    };
    let subnets = n.arr(p, "subnets").iter().map(|s| read_subnet(s, p)).collect();
    let peerings = n.arr(p, "virtualNetworkPeerings").iter().map(|e| read_peering(e, p)).collect();
    Vnet { location: n.str(p, "location").map(str::to_string), address_space, subnets, peerings, meta: m }
}

fn read_gateway(n: &Node<'_>, m: Meta, p: &mut Problems) -> Gateway {
    let mut private_ips = Vec::new();
    let mut subnet = None;
    let mut public_ips = Vec::new();
    let configs = n.arr(p, "ipConfigurations");
    for c in &configs {
        if let Some(ip) = c.ip(p, "privateIPAddress") {
            private_ips.push(ip);
        }
        if subnet.is_none() {
            subnet = c.reference(p, "subnet");
        }
        if let Some(pip) = c.reference(p, "publicIPAddress") {
            public_ips.push(pip);
        }
    }
    let config_ids: Vec<Option<&str>> = configs.iter().map(|c| c.v.get("id").and_then(|i| i.as_str())).collect();
    let mut bgp_ips = Vec::new();
    let mut asn_v = None;
    if let Some(b) = n.get("bgpSettings") {
        asn_v = asn(&b, p, "asn");
        bgp_ips = bgp_peering_addresses(&b, &config_ids, p);
        if bgp_ips.is_empty()
            && let Some(s) = b.str(p, "bgpPeeringAddress")
        {
            // "10.0.255.4" or "10.0.255.4,10.0.255.5" (active-active)
            bgp_ips.extend(s.split(',').filter_map(super::runtime::addr));
        }
    }
    // A gateway's sku is inside `properties`; Resource Graph also projects a top-level `sku`, null
    // for gateways: `get` reads whichever is present.
    let sku = n.get("sku").and_then(|s| s.str(p, "name")).map(str::to_string);
    Gateway {
        kind: n.str(p, "gatewayType").unwrap_or_default().to_string(),
        vpn_type: n.str(p, "vpnType").map(str::to_string),
        sku,
        active_active: n.bool(p, "activeActive").unwrap_or(false),
        bgp: n.bool(p, "enableBgp").unwrap_or(false),
        allow_remote_vnet_traffic: n.bool(p, "allowRemoteVnetTraffic").unwrap_or(false),
        asn: asn_v,
        bgp_ips,
        private_ips,
        subnet,
        public_ips,
        default_site: n.reference(p, "gatewayDefaultSite"),
        meta: m,
    }
}

/// The `defaultBgpIpAddresses` of `bgpSettings.bgpPeeringAddresses`, one instance after the other
/// in the order of the gateway's `ipConfigurations` (`config_ids`): each entry is placed by its
/// `ipconfigurationId` (compared case-insensitively), since Azure does not promise the two arrays
/// the same order. Entries whose id is missing or matches no IP configuration follow, in array order.
fn bgp_peering_addresses(b: &Node<'_>, config_ids: &[Option<&str>], p: &mut Problems) -> Vec<IpAddr> {
    let mut instances = Vec::new();
    for a in b.arr(p, "bgpPeeringAddresses") {
        let id = a.str(p, "ipconfigurationId");
        let at = id.and_then(|id| config_ids.iter().position(|c| c.is_some_and(|c| c.eq_ignore_ascii_case(id))));
        let mut ips = Vec::new();
        for ip in a.strings(p, "defaultBgpIpAddresses") {
            match super::runtime::addr(ip) {
                Some(x) => ips.push(x),
                None => p.error(&a, format!("defaultBgpIpAddresses holds \"{ip}\", which is not an IP address")),
            }
        }
        instances.push((at.unwrap_or(usize::MAX), ips));
    }
    // A stable sort: entries at the same place (unmatched ones) keep their array order.
    instances.sort_by_key(|(at, _)| *at);
    instances.into_iter().flat_map(|(_, ips)| ips).collect()
}

fn read_connection(n: &Node<'_>, m: Meta, p: &mut Problems) -> Connection {
    Connection {
        kind: n.str(p, "connectionType").unwrap_or_default().to_string(),
        gateway1: n.reference(p, "virtualNetworkGateway1"),
        gateway2: n.reference(p, "virtualNetworkGateway2"),
        local_gateway: n.reference(p, "localNetworkGateway2"),
        circuit: n.reference(p, "peer"),
        routing_weight: n.uint(p, "routingWeight"),
        bgp: n.bool(p, "enableBgp").unwrap_or(false),
        meta: m,
    }
}

fn read_circuit(n: &Node<'_>, m: Meta, p: &mut Problems) -> Circuit {
    let sp = n.get("serviceProviderProperties");
    let mut peer_asn = None;
    for e in n.arr(p, "peerings") {
        let t = e.str(p, "peeringType").unwrap_or_default();
        if t.eq_ignore_ascii_case("AzurePrivatePeering") {
            peer_asn = asn(&e, p, "peerASN");
        }
    }
    Circuit {
        tier: n.get("sku").and_then(|s| s.str(p, "tier")).map(str::to_string),
        bandwidth: sp.as_ref().and_then(|s| s.uint(p, "bandwidthInMbps")),
        location: sp.as_ref().and_then(|s| s.str(p, "peeringLocation")).map(str::to_string),
        peer_asn,
        meta: m,
    }
}

fn read_route_table(n: &Node<'_>, m: Meta, p: &mut Problems) -> RouteTable {
    let mut routes = Vec::new();
    for r in n.arr(p, "routes") {
        let name = r.str(p, "name").unwrap_or_default().to_string();
        let text = r.str(p, "addressPrefix").unwrap_or_default();
        let (prefix, tag) = if text.contains(['/', '.', ':']) {
            (r.prefix(p, "addressPrefix"), None)
        } else if text.is_empty() {
            p.error(&r, "the route has no addressPrefix");
            (None, None)
        } else {
            (None, Some(text.to_string()))
        };
        let mut next_hops: Vec<IpAddr> = r.ip(p, "nextHopIpAddress").into_iter().collect();
        if next_hops.is_empty()
            && let Some(nh) = r.get("nextHop")
        {
            for s in nh.strings(p, "nextHopIpAddresses") {
                match super::runtime::addr(s) {
                    Some(a) => next_hops.push(a),
                    None => p.error(&nh, format!("nextHopIpAddresses holds \"{s}\", which is not an IP address")),
                }
            }
        }
        routes.push(Route {
            name,
            prefix,
            tag,
            next_hop_type: r.str(p, "nextHopType").unwrap_or_default().to_string(),
            next_hops,
        });
    }
    let subnets = n.arr(p, "subnets").iter().filter_map(|s| s.own_id(p)).collect();
    RouteTable {
        disable_propagation: n.bool(p, "disableBgpRoutePropagation").unwrap_or(false),
        routes,
        subnets,
        meta: m,
    }
}

fn read_nic(n: &Node<'_>, m: Meta, p: &mut Problems) -> Nic {
    let mut ip_configs = Vec::new();
    for c in n.arr(p, "ipConfigurations") {
        let pools = c
            .arr(p, "loadBalancerBackendAddressPools")
            .iter()
            .filter_map(|x| match x.v.get("id").and_then(|i| i.as_str()) {
                Some(s) => ArmId::parse(s),
                None => None,
            })
            .collect();
        ip_configs.push(IpConfig {
            id: c.v.get("id").and_then(|i| i.as_str()).and_then(ArmId::parse),
            ip: c.ip(p, "privateIPAddress"),
            primary: c.bool(p, "primary").unwrap_or(false),
            subnet: c.reference(p, "subnet"),
            pools,
        });
    }
    Nic {
        forwarding: n.bool(p, "enableIPForwarding").unwrap_or(false),
        vm: n.reference(p, "virtualMachine").map(|id| id.name().to_string()),
        primary: n.bool(p, "primary").unwrap_or(false),
        ip_configs,
        meta: m,
    }
}

fn read_lb(n: &Node<'_>, m: Meta, p: &mut Problems) -> LoadBalancer {
    let mut frontends = Vec::new();
    let mut public_frontends = Vec::new();
    for f in n.arr(p, "frontendIPConfigurations") {
        let name = f.str(p, "name").unwrap_or_default().to_string();
        if f.has("publicIPAddress") || f.has("publicIPPrefix") {
            public_frontends.push(name);
            continue;
        }
        frontends.push(Frontend { ip: f.ip(p, "privateIPAddress"), subnet: f.reference(p, "subnet"), name });
    }
    let mut pools = Vec::new();
    let mut backend_addresses = Vec::new();
    for pool in n.arr(p, "backendAddressPools") {
        let Some(id) = pool.v.get("id").and_then(|i| i.as_str()).and_then(ArmId::parse) else { continue };
        let mut members: Vec<ArmId> = pool
            .arr(p, "backendIPConfigurations")
            .iter()
            .filter_map(|x| x.v.get("id").and_then(|i| i.as_str()).and_then(ArmId::parse))
            .collect();
        read_backend_addresses(&pool, &m, &id, &mut members, &mut backend_addresses, p);
        pools.push((id, members));
    }
    let rules = n.arr(p, "loadBalancingRules");
    let ha_ports = (!rules.is_empty()).then(|| {
        rules
            .iter()
            .any(|r| r.get("protocol").and_then(|x| x.v.as_str()).is_some_and(|s| s.eq_ignore_ascii_case("All")))
    });
    LoadBalancer { frontends, public_frontends, pools, backend_addresses, ha_ports, meta: m }
}

/// A pool's `loadBalancerBackendAddresses`: one naming a `networkInterfaceIPConfiguration` joins
/// `members` (as `backendIPConfigurations` do); one with only an `ipAddress` joins `addresses`, to
/// be matched to a NIC later; one with neither is left out with a warning.
fn read_backend_addresses(
    pool: &Node<'_>,
    lb: &Meta,
    pool_id: &ArmId,
    members: &mut Vec<ArmId>,
    addresses: &mut Vec<BackendAddress>,
    p: &mut Problems,
) {
    let pool_vnet = pool.reference(p, "virtualNetwork");
    for a in pool.arr(p, "loadBalancerBackendAddresses") {
        if let Some(cfg) = a.reference(p, "networkInterfaceIPConfiguration") {
            members.push(cfg);
        } else if let Some(ip) = a.ip(p, "ipAddress") {
            let vnet = a.reference(p, "virtualNetwork").or_else(|| pool_vnet.clone());
            addresses.push(BackendAddress { pool: pool_id.name().to_string(), ip, vnet });
        } else {
            let name = a.v.get("name").and_then(|x| x.as_str()).unwrap_or("(unnamed)");
            p.warn(format!(
                "load balancer {}: backend address {name} of pool {} names neither a NIC nor an IP address: left out",
                lb.name,
                pool_id.name()
            ));
        }
    }
}
