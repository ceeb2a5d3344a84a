//! The raw scenario: what the file says, key by key, with the byte span of every value.
//!
//! Nothing here is checked beyond its TOML type; names are unresolved strings and prefixes are
//! unparsed text. `validate` turns this into the resolved [`crate::model::Model`].

use std::ops::Range;

use ipnet::IpNet;

/// A value and the byte range of the text it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    /// The value.
    pub v: T,
    /// Byte range in the scenario text.
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    /// Pair a value with its span.
    pub fn new(v: T, span: Range<usize>) -> Self {
        Sp { v, span }
    }
}

/// A list value: the list's own span and each element's.
pub type SpList<T> = Sp<Vec<Sp<T>>>;

/// An integer as written (wide enough to hold any TOML integer, so range checks can say what was wrong).
pub type Int = i128;

/// The whole file.
#[derive(Clone, Debug, Default)]
pub struct RawScenario {
    pub format: Option<Sp<Int>>,
    pub name: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    pub system_routes: Option<Sp<String>>,
    pub vnets: Vec<RawVnet>,
    pub nics: Vec<RawNic>,
    pub peerings: Vec<RawPeering>,
    pub gateways: Vec<RawGateway>,
    pub circuits: Vec<RawCircuit>,
    pub onprems: Vec<RawOnprem>,
    pub connections: Vec<RawConnection>,
    pub local_gateways: Vec<RawLocalGateway>,
    pub route_servers: Vec<RawRouteServer>,
    pub bgp_peers: Vec<RawBgpPeer>,
    pub load_balancers: Vec<RawLoadBalancer>,
    pub route_tables: Vec<RawRouteTable>,
    pub firewalls: Vec<RawFirewall>,
    pub expects: Vec<RawExpect>,
}

#[derive(Clone, Debug)]
pub struct RawVnet {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub region: Option<Sp<String>>,
    pub address_space: Option<SpList<String>>,
    pub subnets: Vec<RawSubnet>,
}

#[derive(Clone, Debug)]
pub struct RawSubnet {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub prefix: Option<Sp<String>>,
    pub route_table: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct RawNic {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub vnet: Option<Sp<String>>,
    pub subnet: Option<Sp<String>>,
    pub ip: Option<Sp<String>>,
    pub ip_forwarding: Option<Sp<bool>>,
    pub stateful: Option<Sp<bool>>,
    pub vm: Option<Sp<String>>,
    pub primary: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct RawPeering {
    pub span: Range<usize>,
    pub from: Option<Sp<String>>,
    pub to: Option<Sp<String>>,
    pub vnets: Option<SpList<String>>,
    pub transit_via: Option<Sp<String>>,
    pub allow_virtual_network_access: Option<Sp<bool>>,
    pub allow_forwarded_traffic: Option<Sp<bool>>,
    pub allow_gateway_transit: Option<Sp<bool>>,
    pub use_remote_gateways: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct RawGateway {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub vnet: Option<Sp<String>>,
    pub kind: Option<Sp<String>>,
    pub sku: Option<Sp<String>>,
    pub asn: Option<Sp<Int>>,
    pub bgp: Option<Sp<bool>>,
    pub active_active: Option<Sp<bool>>,
    pub allow_remote_vnet_traffic: Option<Sp<bool>>,
    pub ips: Option<SpList<String>>,
    pub default_site: Option<Sp<String>>,
    pub public_ip: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct RawCircuit {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub location: Option<Sp<String>>,
    pub sku: Option<Sp<String>>,
    pub bandwidth_mbps: Option<Sp<Int>>,
    pub next_hops: Option<SpList<String>>,
}

#[derive(Clone, Debug)]
pub struct RawOnprem {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub asn: Option<Sp<Int>>,
    pub circuits: Option<SpList<String>>,
    pub advertise: Vec<RawAdvert>,
    /// The `advertise` list's span, when written.
    pub advertise_span: Option<Range<usize>>,
    /// `as_path_prepend = { circuit = n }`: (key, count) pairs.
    pub as_path_prepend: Vec<(Sp<String>, Sp<Int>)>,
}

#[derive(Clone, Debug)]
pub struct RawConnection {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub gateway: Option<Sp<String>>,
    pub circuit: Option<Sp<String>>,
    pub local_gateway: Option<Sp<String>>,
    pub remote_gateway: Option<Sp<String>>,
    pub routing_weight: Option<Sp<Int>>,
    pub bgp: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct RawLocalGateway {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub address_prefixes: Option<SpList<String>>,
    pub bgp_asn: Option<Sp<Int>>,
    pub bgp_peer_ip: Option<Sp<String>>,
    pub onprem: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct RawRouteServer {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub vnet: Option<Sp<String>>,
    pub branch_to_branch: Option<Sp<bool>>,
}

/// One `advertise` entry. Lists of them can hold millions, so an entry is small: its prefix is
/// parsed as it is read when it is a valid network address, and the table form's other keys are
/// boxed.
#[derive(Clone, Debug)]
pub struct RawAdvert {
    pub prefix: Option<Sp<RawPrefix>>,
    /// `as_path` and `next_hop`, when the entry is a table that has either.
    pub more: Option<Box<RawAdvertMore>>,
}

/// An advertised prefix as read.
#[derive(Clone, Debug)]
pub enum RawPrefix {
    /// A valid prefix without host bits (nothing for validation to say about it).
    Net(IpNet),
    /// Anything else, as written: validation parses it and reports what is wrong.
    Text(String),
}

impl RawPrefix {
    /// Read a prefix string: parsed when validation would accept it as it is.
    pub fn of(s: String) -> Self {
        match s.trim().parse::<IpNet>() {
            Ok(net) if net == net.trunc() => RawPrefix::Net(net),
            _ => RawPrefix::Text(s),
        }
    }
}

/// The rarer keys of an `advertise` table.
#[derive(Clone, Debug)]
pub struct RawAdvertMore {
    pub as_path: Option<SpList<Int>>,
    pub next_hop: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct RawBgpPeer {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub nic: Option<Sp<String>>,
    pub route_server: Option<Sp<String>>,
    pub asn: Option<Sp<Int>>,
    pub advertise: Vec<RawAdvert>,
}

#[derive(Clone, Debug)]
pub struct RawLoadBalancer {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub vnet: Option<Sp<String>>,
    pub subnet: Option<Sp<String>>,
    pub frontend_ip: Option<Sp<String>>,
    pub backends: Option<SpList<String>>,
    pub ha_ports: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct RawRoute {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub prefix: Option<Sp<String>>,
    pub next_hop_type: Option<Sp<String>>,
    pub next_hop_ip: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct RawRouteTable {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub disable_bgp_route_propagation: Option<Sp<bool>>,
    pub routes: Vec<RawRoute>,
}

#[derive(Clone, Debug)]
pub struct RawFirewall {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub vnet: Option<Sp<String>>,
    pub ip: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct RawExpect {
    pub span: Range<usize>,
    pub name: Option<Sp<String>>,
    pub from: Option<Sp<String>>,
    pub to: Option<Sp<String>>,
    pub reachable: Option<Sp<bool>>,
    pub symmetric: Option<Sp<bool>>,
    /// `resilient`.
    pub resilient: Option<Sp<bool>>,
    pub nic: Option<Sp<String>>,
    pub subnet: Option<Sp<String>>,
    pub prefix: Option<Sp<String>>,
    pub next_hop_type: Option<Sp<String>>,
    pub next_hop_ip: Option<Sp<String>>,
    pub state: Option<Sp<String>>,
    pub absent: Option<Sp<bool>>,
}
