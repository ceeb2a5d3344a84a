//! The resolved model: every block of a valid scenario, names resolved into typed ids and every
//! default applied.
//!
//! Arenas are `Vec`s indexed by small typed ids, assigned in name order (peerings in `from→to`
//! order), so nothing downstream depends on the order of blocks in the file. The engine never
//! looks a name up; names are kept only to print them. Each item keeps the byte span of its block
//! so `check` and fixes can point into the file. [`Model::index`] derives the lookup structures
//! (peerings per VNet, each VNet's gateways and routing domain) once.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::ops::Range;

use ipnet::IpNet;

/// A byte range in the scenario text.
pub type Span = Range<usize>;

macro_rules! ids {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The arena index.
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

ids!(
    /// A `[[vnet]]`.
    VnetId,
    /// A `[[vnet.subnet]]`.
    SubnetId,
    /// A `[[nic]]`.
    NicId,
    /// One direction of a peering.
    PeeringId,
    /// A `[[gateway]]`.
    GatewayId,
    /// A `[[circuit]]`.
    CircuitId,
    /// An `[[onprem]]` router.
    OnpremId,
    /// A `[[connection]]`.
    ConnectionId,
    /// A `[[local_gateway]]`.
    LocalGatewayId,
    /// A `[[route_server]]`.
    RouteServerId,
    /// A `[[bgp_peer]]` (an NVA peering with a route server).
    BgpPeerId,
    /// A `[[load_balancer]]`.
    LoadBalancerId,
    /// A `[[route_table]]`.
    RouteTableId,
    /// A `[[firewall]]`.
    FirewallId,
);

/// Which reserved `None` rows a table gets (docs/routing-rules.md D3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SystemRoutes {
    /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 (the documented list; default).
    #[default]
    Documented,
    /// No reserved rows.
    None,
    /// The union of observed lists.
    Extended,
    /// The complete list seen in 2021 output.
    Legacy2021,
}

impl SystemRoutes {
    /// The spelling used in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            SystemRoutes::Documented => "documented",
            SystemRoutes::None => "none",
            SystemRoutes::Extended => "extended",
            SystemRoutes::Legacy2021 => "legacy-2021",
        }
    }

    /// The reserved prefixes of this profile (D3), in ascending (length, address) order.
    pub fn prefixes(self) -> Vec<IpNet> {
        const DOCUMENTED: &[&str] = &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];
        const EXTENDED_EXTRA: &[&str] = &[
            "127.0.0.0/8",
            "25.48.0.0/12",
            "25.4.0.0/14",
            "25.30.0.0/15",
            "198.18.0.0/15",
            "25.33.0.0/16",
            "40.109.0.0/16",
            "104.147.0.0/16",
            "157.59.0.0/16",
            "40.108.0.0/17",
            "104.146.0.0/17",
            "23.103.0.0/18",
            "25.41.0.0/20",
            "20.35.252.0/22",
        ];
        let list: Vec<&str> = match self {
            SystemRoutes::None => Vec::new(),
            SystemRoutes::Documented => DOCUMENTED.to_vec(),
            SystemRoutes::Extended => DOCUMENTED.iter().chain(EXTENDED_EXTRA).copied().collect(),
            SystemRoutes::Legacy2021 => DOCUMENTED
                .iter()
                .chain(EXTENDED_EXTRA)
                .copied()
                .filter(|p| !matches!(*p, "127.0.0.0/8" | "172.16.0.0/12" | "25.30.0.0/15"))
                .collect(),
        };
        let mut v: Vec<IpNet> = list.iter().map(|p| p.parse().expect("valid constant prefix")).collect();
        v.sort_by_key(|p| (p.prefix_len(), p.network()));
        v
    }
}

/// A virtual network.
#[derive(Clone, Debug)]
pub struct Vnet {
    /// Its name.
    pub name: String,
    /// Its region (`"default"` when not given).
    pub region: String,
    /// Address-space prefixes, in file order (D10 prints them in this order).
    pub address_space: Vec<IpNet>,
    /// Its subnets, lowest prefix first.
    pub subnets: Vec<SubnetId>,
    /// The block's span.
    pub span: Span,
}

/// What a subnet is reserved for, by its special name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubnetRole {
    /// An ordinary subnet.
    Plain,
    /// `GatewaySubnet`.
    Gateway,
    /// `RouteServerSubnet`.
    RouteServer,
    /// `AzureFirewallSubnet`.
    Firewall,
}

/// A subnet.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// Its name.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetId,
    /// Its prefix.
    pub prefix: IpNet,
    /// Its route table, if any.
    pub route_table: Option<RouteTableId>,
    /// Special role by name.
    pub role: SubnetRole,
    /// The block's span.
    pub span: Span,
}

/// A network interface.
#[derive(Clone, Debug)]
pub struct Nic {
    /// Its name.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetId,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its private address (explicit, or allocated from .4 up).
    pub ip: IpAddr,
    /// Whether it forwards traffic not addressed to it (an NVA).
    pub ip_forwarding: bool,
    /// The VM label, if any.
    pub vm: Option<String>,
    /// Whether `reach` uses this NIC for its VM.
    pub primary: bool,
    /// The block's span.
    pub span: Span,
}

/// One direction of a VNet peering (`virtualNetworkPeerings` of `from`).
#[derive(Clone, Debug)]
pub struct Peering {
    /// The VNet that holds this peering.
    pub from: VnetId,
    /// The remote VNet.
    pub to: VnetId,
    /// `allowVirtualNetworkAccess`.
    pub allow_virtual_network_access: bool,
    /// `allowForwardedTraffic`.
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit`.
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways`.
    pub use_remote_gateways: bool,
    /// The block's span.
    pub span: Span,
}

/// ExpressRoute or VPN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GatewayKind {
    /// An ExpressRoute gateway.
    ExpressRoute,
    /// A VPN gateway.
    Vpn,
}

impl fmt::Display for GatewayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GatewayKind::ExpressRoute => "ExpressRoute",
            GatewayKind::Vpn => "VPN",
        })
    }
}

macro_rules! skus {
    ($($v:ident => $kind:ident,)*) => {
        /// A virtual network gateway's SKU, by the name ARM gives it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[allow(missing_docs)]
        pub enum GatewaySku {
            $($v,)*
        }

        impl GatewaySku {
            /// Every SKU, ExpressRoute first.
            pub const ALL: &'static [GatewaySku] = &[$(GatewaySku::$v,)*];

            /// The canonical spelling.
            pub fn name(self) -> &'static str {
                match self {
                    $(GatewaySku::$v => stringify!($v),)*
                }
            }

            /// The gateway type this SKU belongs to.
            pub fn kind(self) -> GatewayKind {
                match self {
                    $(GatewaySku::$v => GatewayKind::$kind,)*
                }
            }
        }
    };
}

skus! {
    Standard => ExpressRoute,
    HighPerformance => ExpressRoute,
    UltraPerformance => ExpressRoute,
    ErGw1AZ => ExpressRoute,
    ErGw2AZ => ExpressRoute,
    ErGw3AZ => ExpressRoute,
    ErGwScale => ExpressRoute,
    Basic => Vpn,
    VpnGw1 => Vpn,
    VpnGw2 => Vpn,
    VpnGw3 => Vpn,
    VpnGw4 => Vpn,
    VpnGw5 => Vpn,
    VpnGw1AZ => Vpn,
    VpnGw2AZ => Vpn,
    VpnGw3AZ => Vpn,
    VpnGw4AZ => Vpn,
    VpnGw5AZ => Vpn,
}

impl GatewaySku {
    /// The SKUs of one gateway type.
    pub fn of(kind: GatewayKind) -> impl Iterator<Item = GatewaySku> {
        Self::ALL.iter().copied().filter(move |s| s.kind() == kind)
    }

    /// The SKU a gateway of this type gets when the scenario names none (the smallest AZ SKU).
    pub fn default_for(kind: GatewayKind) -> GatewaySku {
        match kind {
            GatewayKind::ExpressRoute => GatewaySku::ErGw1AZ,
            GatewayKind::Vpn => GatewaySku::VpnGw1AZ,
        }
    }

    /// Parse a SKU name, case-insensitively.
    pub fn parse(s: &str) -> Option<GatewaySku> {
        Self::ALL.iter().copied().find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for GatewaySku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A virtual network gateway.
#[derive(Clone, Debug)]
pub struct Gateway {
    /// Its name.
    pub name: String,
    /// Its VNet (which has a GatewaySubnet).
    pub vnet: VnetId,
    /// ExpressRoute or VPN.
    pub kind: GatewayKind,
    /// Its SKU (of its type).
    pub sku: GatewaySku,
    /// BGP ASN (65515 unless a VPN gateway sets another).
    pub asn: u32,
    /// VPN: BGP enabled.
    pub bgp: bool,
    /// VPN: active-active.
    pub active_active: bool,
    /// ExpressRoute: accept other VNets' routes over a shared circuit (D4).
    pub allow_remote_vnet_traffic: bool,
    /// VPN: instance addresses in GatewaySubnet (next hops of an active-active gateway).
    pub ips: Vec<IpAddr>,
    /// VPN: the next hop shown for an active-standby gateway.
    pub public_ip: IpAddr,
    /// The block's span.
    pub span: Span,
}

impl Gateway {
    /// The next hops Azure shows for routes this VPN gateway learned (R48, D14).
    pub fn vpn_next_hops(&self) -> Vec<IpAddr> {
        if self.active_active { self.ips.clone() } else { vec![self.public_ip] }
    }
}

/// ExpressRoute circuit SKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CircuitSku {
    /// Local.
    Local,
    /// Standard.
    Standard,
    /// Premium.
    Premium,
}

impl fmt::Display for CircuitSku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CircuitSku::Local => "Local",
            CircuitSku::Standard => "Standard",
            CircuitSku::Premium => "Premium",
        })
    }
}

/// An ExpressRoute circuit (its MSEE pair).
#[derive(Clone, Debug)]
pub struct Circuit {
    /// Its name.
    pub name: String,
    /// Peering location, if given.
    pub location: Option<String>,
    /// SKU.
    pub sku: CircuitSku,
    /// Bandwidth, if given.
    pub bandwidth_mbps: Option<u64>,
    /// The next hops Azure shows for routes learned over it (primary, secondary).
    pub next_hops: Vec<IpAddr>,
    /// The block's span.
    pub span: Span,
}

/// An on-premises router.
#[derive(Clone, Debug)]
pub struct Onprem {
    /// Its name.
    pub name: String,
    /// Its ASN.
    pub asn: u32,
    /// Circuits whose private peering it holds.
    pub circuits: Vec<CircuitId>,
    /// Prefixes it originates, in file order.
    pub advertise: Vec<IpNet>,
    /// Extra copies of its ASN toward a circuit.
    pub prepend: BTreeMap<CircuitId, u32>,
    /// The block's span.
    pub span: Span,
}

/// What a connection joins its gateway to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionKind {
    /// ExpressRoute gateway to circuit.
    ExpressRoute {
        /// The circuit.
        circuit: CircuitId,
        /// Higher wins (D9).
        routing_weight: u32,
    },
    /// Site-to-site VPN to a local network gateway.
    SiteToSite {
        /// The local gateway.
        local_gateway: LocalGatewayId,
        /// BGP over the tunnel.
        bgp: bool,
    },
    /// VNet-to-VNet VPN (one direction).
    VnetToVnet {
        /// The remote VPN gateway.
        remote_gateway: GatewayId,
        /// BGP over the tunnel.
        bgp: bool,
    },
}

/// A gateway connection.
#[derive(Clone, Debug)]
pub struct Connection {
    /// Its name.
    pub name: String,
    /// The Azure gateway it belongs to.
    pub gateway: GatewayId,
    /// What it connects to.
    pub kind: ConnectionKind,
    /// The block's span.
    pub span: Span,
}

/// An on-premises VPN device as Azure sees it.
#[derive(Clone, Debug)]
pub struct LocalGateway {
    /// Its name.
    pub name: String,
    /// Static prefixes (R49).
    pub address_prefixes: Vec<IpNet>,
    /// BGP ASN, for BGP connections.
    pub bgp_asn: Option<u32>,
    /// BGP peer address, for BGP connections.
    pub bgp_peer_ip: Option<IpAddr>,
    /// The router behind it.
    pub onprem: Option<OnpremId>,
    /// The block's span.
    pub span: Span,
}

/// An Azure Route Server.
#[derive(Clone, Debug)]
pub struct RouteServer {
    /// Its name.
    pub name: String,
    /// Its VNet (which has a RouteServerSubnet).
    pub vnet: VnetId,
    /// `allowBranchToBranchTraffic`.
    pub branch_to_branch: bool,
    /// Its two instance addresses (.4 and .5 of RouteServerSubnet, D14).
    pub ips: Vec<IpAddr>,
    /// The block's span.
    pub span: Span,
}

/// One route an NVA advertises to its route server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advert {
    /// The prefix.
    pub prefix: IpNet,
    /// The AS path the NVA has for it (its own ASN is prepended when it advertises).
    pub as_path: Vec<u32>,
    /// The BGP next hop (default: the NVA NIC's address).
    pub next_hop: IpAddr,
}

/// An NVA peering with a route server.
#[derive(Clone, Debug)]
pub struct BgpPeer {
    /// Its name.
    pub name: String,
    /// Its NIC.
    pub nic: NicId,
    /// The route server it peers with.
    pub route_server: RouteServerId,
    /// Its ASN.
    pub asn: u32,
    /// What it advertises.
    pub advertise: Vec<Advert>,
    /// The block's span.
    pub span: Span,
}

/// An internal load balancer.
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    /// Its name.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetId,
    /// Its frontend's subnet.
    pub subnet: SubnetId,
    /// The frontend address.
    pub frontend_ip: IpAddr,
    /// Backend NICs.
    pub backends: Vec<NicId>,
    /// HA ports.
    pub ha_ports: bool,
    /// The block's span.
    pub span: Span,
}

/// Next hop types, API spelling (R4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NextHopType {
    /// `VnetLocal` (portal `Virtual network`).
    VnetLocal,
    /// `VNetPeering` (portal `VNet peering`).
    VNetPeering,
    /// `VNetGlobalPeering` (portal `Global VNet peering`).
    VNetGlobalPeering,
    /// `VirtualNetworkGateway`.
    VirtualNetworkGateway,
    /// `VirtualAppliance`.
    VirtualAppliance,
    /// `Internet`.
    Internet,
    /// `None`.
    None,
}

impl NextHopType {
    /// Every type, for parsing and suggestions.
    pub const ALL: [NextHopType; 7] = [
        NextHopType::VnetLocal,
        NextHopType::VNetPeering,
        NextHopType::VNetGlobalPeering,
        NextHopType::VirtualNetworkGateway,
        NextHopType::VirtualAppliance,
        NextHopType::Internet,
        NextHopType::None,
    ];

    /// API / JSON spelling.
    pub fn api(self) -> &'static str {
        match self {
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::VNetPeering => "VNetPeering",
            NextHopType::VNetGlobalPeering => "VNetGlobalPeering",
            NextHopType::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHopType::VirtualAppliance => "VirtualAppliance",
            NextHopType::Internet => "Internet",
            NextHopType::None => "None",
        }
    }

    /// Portal spelling (D13).
    pub fn portal(self) -> &'static str {
        match self {
            NextHopType::VnetLocal => "Virtual network",
            NextHopType::VNetPeering => "VNet peering",
            NextHopType::VNetGlobalPeering => "Global VNet peering",
            NextHopType::VirtualNetworkGateway => "Virtual network gateway",
            NextHopType::VirtualAppliance => "Virtual appliance",
            NextHopType::Internet => "Internet",
            NextHopType::None => "None",
        }
    }

    /// Parse an API spelling, case-insensitively (the docs' `VNetLocal` is `VnetLocal`).
    pub fn parse(s: &str) -> Option<NextHopType> {
        Self::ALL.into_iter().find(|t| t.api().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for NextHopType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api())
    }
}

/// One route of a route table.
#[derive(Clone, Debug)]
pub struct Udr {
    /// Route name (shown as User Defined Route Name).
    pub name: String,
    /// Destination prefix.
    pub prefix: IpNet,
    /// Next hop type.
    pub next_hop_type: NextHopType,
    /// Next hop address (`VirtualAppliance` only).
    pub next_hop_ip: Option<IpAddr>,
    /// The route's span.
    pub span: Span,
}

/// A route table.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Its name.
    pub name: String,
    /// "Propagate gateway routes = No" when true (R31).
    pub disable_bgp_route_propagation: bool,
    /// Its routes, in file order (the one meaningful input order, D10).
    pub routes: Vec<Udr>,
    /// The block's span.
    pub span: Span,
}

/// An Azure Firewall.
#[derive(Clone, Debug)]
pub struct Firewall {
    /// Its name.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetId,
    /// Its AzureFirewallSubnet.
    pub subnet: SubnetId,
    /// Its private address.
    pub ip: IpAddr,
    /// The block's span.
    pub span: Span,
}

/// Something `reach` can start or end at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// A NIC.
    Nic(NicId),
    /// A VNet (its NIC with the lowest address in its lowest subnet, or a synthetic host).
    Vnet(VnetId),
    /// A subnet (its NIC with the lowest address, or a synthetic host).
    Subnet(SubnetId),
    /// An on-premises router.
    Onprem(OnpremId),
    /// An Azure Firewall.
    Firewall(FirewallId),
    /// An internal load balancer frontend.
    LoadBalancer(LoadBalancerId),
    /// An IP address.
    Ip(IpAddr),
}

/// Route state (R2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteState {
    /// Installed and used.
    Active,
    /// Outranked by a same-prefix route of a better class (D6).
    Invalid,
}

impl RouteState {
    /// API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteState::Active => "Active",
            RouteState::Invalid => "Invalid",
        }
    }
}

/// Where a route expectation looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableRef {
    /// The table of a NIC's subnet.
    Nic(NicId),
    /// A subnet's table.
    Subnet(SubnetId),
}

/// What an `[[expect]]` asserts.
#[derive(Clone, Debug)]
pub enum ExpectKind {
    /// Reachability both ways (or isolation).
    Reach {
        /// Source.
        from: Endpoint,
        /// Destination.
        to: Endpoint,
        /// `true`: delivered both ways; `false`: not delivered.
        reachable: bool,
        /// An asymmetric path fails.
        symmetric: bool,
    },
    /// A row of a table.
    Route {
        /// Which table.
        table: TableRef,
        /// Exactly this prefix.
        prefix: IpNet,
        /// Next hop type, if constrained.
        next_hop_type: Option<NextHopType>,
        /// Next hop address, if constrained.
        next_hop_ip: Option<IpAddr>,
        /// Wanted state, if written (a present row defaults to Active; `absent` then means any state).
        state: Option<RouteState>,
        /// `true`: no such row may exist.
        absent: bool,
    },
}

/// A design expectation `check` evaluates.
#[derive(Clone, Debug)]
pub struct Expect {
    /// The user's name, if given.
    pub name: Option<String>,
    /// What it asserts.
    pub kind: ExpectKind,
    /// The block's span.
    pub span: Span,
}

/// A valid scenario, resolved.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// `name` of the scenario.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// The reserved-None profile (D3).
    pub system_routes: SystemRoutes,
    /// VNets by id.
    pub vnets: Vec<Vnet>,
    /// Subnets by id.
    pub subnets: Vec<Subnet>,
    /// NICs by id.
    pub nics: Vec<Nic>,
    /// Peering directions by id.
    pub peerings: Vec<Peering>,
    /// Gateways by id.
    pub gateways: Vec<Gateway>,
    /// Circuits by id.
    pub circuits: Vec<Circuit>,
    /// On-premises routers by id.
    pub onprems: Vec<Onprem>,
    /// Connections by id.
    pub connections: Vec<Connection>,
    /// Local network gateways by id.
    pub local_gateways: Vec<LocalGateway>,
    /// Route servers by id.
    pub route_servers: Vec<RouteServer>,
    /// NVA BGP peers by id.
    pub bgp_peers: Vec<BgpPeer>,
    /// Load balancers by id.
    pub load_balancers: Vec<LoadBalancer>,
    /// Route tables by id.
    pub route_tables: Vec<RouteTable>,
    /// Firewalls by id.
    pub firewalls: Vec<Firewall>,
    /// Expectations, in a canonical order.
    pub expects: Vec<Expect>,
    /// Derived lookups (see [`Model::index`]).
    pub ix: Index,
}

/// Lookups derived from the arenas once.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Outgoing peerings per VNet, by remote VNet name.
    pub peerings_from: Vec<Vec<PeeringId>>,
    /// For each peering direction, the reverse direction when it exists (Connected, R36).
    pub reverse: Vec<Option<PeeringId>>,
    /// The ExpressRoute gateway of each VNet.
    pub er_gateway: Vec<Option<GatewayId>>,
    /// The VPN gateway of each VNet.
    pub vpn_gateway: Vec<Option<GatewayId>>,
    /// The route server of each VNet.
    pub route_server: Vec<Option<RouteServerId>>,
    /// The VNet whose gateways and route server a VNet's subnets get routes from (its domain):
    /// itself when it has any, its hub when it uses remote gateways over a Connected peering (R38).
    pub domain: Vec<Option<VnetId>>,
    /// Spokes using each VNet's gateways (over Connected peerings), by name.
    pub transit_spokes: Vec<Vec<VnetId>>,
    /// Subnets each route table is associated with.
    pub route_table_subnets: Vec<Vec<SubnetId>>,
    /// Connections of each gateway, by name.
    pub gateway_connections: Vec<Vec<ConnectionId>>,
    /// NICs of each subnet, by address.
    pub subnet_nics: Vec<Vec<NicId>>,
    /// BGP peers of each route server, by name.
    pub route_server_peers: Vec<Vec<BgpPeerId>>,
    /// ExpressRoute connections on each circuit, by name.
    pub circuit_connections: Vec<Vec<ConnectionId>>,
}

impl Model {
    /// Build the derived lookups. Call after any change to the arenas.
    pub fn index(&mut self) {
        let nv = self.vnets.len();
        let mut ix = Index {
            peerings_from: vec![Vec::new(); nv],
            reverse: vec![None; self.peerings.len()],
            er_gateway: vec![None; nv],
            vpn_gateway: vec![None; nv],
            route_server: vec![None; nv],
            domain: vec![None; nv],
            transit_spokes: vec![Vec::new(); nv],
            route_table_subnets: vec![Vec::new(); self.route_tables.len()],
            gateway_connections: vec![Vec::new(); self.gateways.len()],
            subnet_nics: vec![Vec::new(); self.subnets.len()],
            route_server_peers: vec![Vec::new(); self.route_servers.len()],
            circuit_connections: vec![Vec::new(); self.circuits.len()],
        };
        let mut by_pair: BTreeMap<(VnetId, VnetId), PeeringId> = BTreeMap::new();
        for (i, p) in self.peerings.iter().enumerate() {
            let id = PeeringId(i as u32);
            ix.peerings_from[p.from.idx()].push(id);
            by_pair.insert((p.from, p.to), id);
        }
        for (i, p) in self.peerings.iter().enumerate() {
            ix.reverse[i] = by_pair.get(&(p.to, p.from)).copied();
        }
        for list in &mut ix.peerings_from {
            list.sort_by(|a, b| {
                self.vnets[self.peerings[a.idx()].to.idx()].name.cmp(&self.vnets[self.peerings[b.idx()].to.idx()].name)
            });
        }
        // Out-of-range ids (references that did not resolve, while validating) are skipped.
        for (i, g) in self.gateways.iter().enumerate() {
            let slot = match g.kind {
                GatewayKind::ExpressRoute => ix.er_gateway.get_mut(g.vnet.idx()),
                GatewayKind::Vpn => ix.vpn_gateway.get_mut(g.vnet.idx()),
            };
            if let Some(slot) = slot {
                slot.get_or_insert(GatewayId(i as u32));
            }
        }
        for (i, r) in self.route_servers.iter().enumerate() {
            if let Some(slot) = ix.route_server.get_mut(r.vnet.idx()) {
                slot.get_or_insert(RouteServerId(i as u32));
            }
        }
        // R38, R47: a VNet with its own gateway or route server is its own domain; a spoke using
        // remote gateways over a Connected peering joins its hub's domain.
        for v in 0..nv {
            if ix.er_gateway[v].is_some() || ix.vpn_gateway[v].is_some() || ix.route_server[v].is_some() {
                ix.domain[v] = Some(VnetId(v as u32));
            }
        }
        for v in 0..nv {
            if ix.domain[v].is_some() {
                continue;
            }
            for &p in &ix.peerings_from[v] {
                let peer = &self.peerings[p.idx()];
                let Some(rev) = ix.reverse[p.idx()] else { continue };
                let hub = peer.to;
                if peer.use_remote_gateways
                    && self.peerings[rev.idx()].allow_gateway_transit
                    && ix.domain[hub.idx()] == Some(hub)
                {
                    ix.domain[v] = Some(hub);
                    ix.transit_spokes[hub.idx()].push(VnetId(v as u32));
                    break;
                }
            }
        }
        for list in &mut ix.transit_spokes {
            list.sort_by(|a, b| self.vnets[a.idx()].name.cmp(&self.vnets[b.idx()].name));
        }
        for (i, s) in self.subnets.iter().enumerate() {
            if let Some(rt) = s.route_table {
                ix.route_table_subnets[rt.idx()].push(SubnetId(i as u32));
            }
        }
        for (i, c) in self.connections.iter().enumerate() {
            let id = ConnectionId(i as u32);
            if let Some(l) = ix.gateway_connections.get_mut(c.gateway.idx()) {
                l.push(id);
            }
            if let ConnectionKind::ExpressRoute { circuit, .. } = c.kind
                && let Some(l) = ix.circuit_connections.get_mut(circuit.idx())
            {
                l.push(id);
            }
        }
        for (i, n) in self.nics.iter().enumerate() {
            if let Some(l) = ix.subnet_nics.get_mut(n.subnet.idx()) {
                l.push(NicId(i as u32));
            }
        }
        for list in &mut ix.subnet_nics {
            list.sort_by_key(|n| (self.nics[n.idx()].ip, n.0));
        }
        for (i, b) in self.bgp_peers.iter().enumerate() {
            if let Some(l) = ix.route_server_peers.get_mut(b.route_server.idx()) {
                l.push(BgpPeerId(i as u32));
            }
        }
        self.ix = ix;
    }

    /// Whether a peering direction is Connected (both directions exist, R36).
    pub fn connected(&self, p: PeeringId) -> bool {
        self.ix.reverse[p.idx()].is_some()
    }

    /// Whether a peering crosses regions (global peering, R35).
    pub fn is_global(&self, p: PeeringId) -> bool {
        let p = &self.peerings[p.idx()];
        self.vnets[p.from.idx()].region != self.vnets[p.to.idx()].region
    }

    /// Connected peers of a VNet with the peering direction from it, by remote name.
    pub fn connected_peers(&self, v: VnetId) -> impl Iterator<Item = (PeeringId, VnetId)> + '_ {
        self.ix.peerings_from[v.idx()].iter().filter(|p| self.connected(**p)).map(|p| (*p, self.peerings[p.idx()].to))
    }

    /// The subnet of a VNet reserved for a role (GatewaySubnet, RouteServerSubnet, AzureFirewallSubnet).
    pub fn special_subnet(&self, v: VnetId, role: SubnetRole) -> Option<SubnetId> {
        self.vnets[v.idx()].subnets.iter().copied().find(|s| self.subnets[s.idx()].role == role)
    }

    /// A gateway's GatewaySubnet (validation guarantees it exists).
    pub fn gateway_subnet(&self, g: GatewayId) -> SubnetId {
        self.special_subnet(self.gateways[g.idx()].vnet, SubnetRole::Gateway)
            .expect("a gateway's VNet has a GatewaySubnet")
    }

    /// The VNet of a subnet.
    pub fn subnet_vnet(&self, s: SubnetId) -> &Vnet {
        &self.vnets[self.subnets[s.idx()].vnet.idx()]
    }

    /// `vnet/subnet` name of a subnet.
    pub fn subnet_path(&self, s: SubnetId) -> String {
        format!("{}/{}", self.subnet_vnet(s).name, self.subnets[s.idx()].name)
    }

    /// The gateway and route-server VNet whose routes a VNet's subnets get (its domain).
    pub fn domain_of(&self, v: VnetId) -> Option<VnetId> {
        self.ix.domain[v.idx()]
    }

    /// Find a VNet by name.
    pub fn vnet_by_name(&self, name: &str) -> Option<VnetId> {
        self.vnets.iter().position(|v| v.name == name).map(|i| VnetId(i as u32))
    }

    /// Find a NIC by name.
    pub fn nic_by_name(&self, name: &str) -> Option<NicId> {
        self.nics.iter().position(|v| v.name == name).map(|i| NicId(i as u32))
    }

    /// Find a subnet by `vnet/subnet`.
    pub fn subnet_by_path(&self, path: &str) -> Option<SubnetId> {
        let (v, s) = path.split_once('/')?;
        let v = self.vnet_by_name(v)?;
        self.vnets[v.idx()].subnets.iter().copied().find(|id| self.subnets[id.idx()].name == s)
    }

    /// Find a gateway by name.
    pub fn gateway_by_name(&self, name: &str) -> Option<GatewayId> {
        self.gateways.iter().position(|v| v.name == name).map(|i| GatewayId(i as u32))
    }

    /// Find a circuit by name.
    pub fn circuit_by_name(&self, name: &str) -> Option<CircuitId> {
        self.circuits.iter().position(|v| v.name == name).map(|i| CircuitId(i as u32))
    }

    /// Find an on-premises router by name.
    pub fn onprem_by_name(&self, name: &str) -> Option<OnpremId> {
        self.onprems.iter().position(|v| v.name == name).map(|i| OnpremId(i as u32))
    }

    /// Find a route server by name.
    pub fn route_server_by_name(&self, name: &str) -> Option<RouteServerId> {
        self.route_servers.iter().position(|v| v.name == name).map(|i| RouteServerId(i as u32))
    }

    /// Find a BGP peer by name.
    pub fn bgp_peer_by_name(&self, name: &str) -> Option<BgpPeerId> {
        self.bgp_peers.iter().position(|v| v.name == name).map(|i| BgpPeerId(i as u32))
    }
}
