//! Gateways and what they connect to: ExpressRoute and VPN gateways, circuits, on-premises
//! routers, connections and local network gateways.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::*;

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
#[derive(Clone, Debug, PartialEq)]
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
    /// Instance BGP addresses in GatewaySubnet: a VPN gateway's one (active-standby) or two
    /// (active-active, also the next hops of its routes, R48); an ExpressRoute gateway's two (M1).
    pub ips: Vec<IpAddr>,
    /// VPN: the site that gets traffic no route matches (GatewayDefaultSite, D20).
    pub default_site: Option<LocalGatewayId>,
    /// VPN: the next hop shown for an active-standby gateway.
    pub public_ip: IpAddr,
    /// `public_ip` is a placeholder ersim made up (D14): the scenario did not give it.
    pub public_ip_placeholder: bool,
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
#[derive(Clone, Debug, PartialEq)]
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
    /// `next_hops` are placeholders ersim made up (D14): the scenario did not give them.
    pub next_hops_placeholder: bool,
    /// The block's span.
    pub span: Span,
}

/// An on-premises router.
#[derive(Clone, Debug, PartialEq)]
pub struct Onprem {
    /// Its name.
    pub name: String,
    /// Its ASN.
    pub asn: u32,
    /// Circuits whose private peering it holds.
    pub circuits: Vec<CircuitId>,
    /// Prefixes it originates, in file order.
    pub advertise: Vec<IpNet>,
    /// The AS path behind the router for prefixes written with one (`{ prefix, as_path }`); it
    /// prepends its own ASN when it sends.
    pub paths: BTreeMap<IpNet, Vec<u32>>,
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
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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

/// An address ersim made up because the scenario did not give it (D14): it looks real in output
/// but is not what Azure will show, so reports mark it and say which key to set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// The made-up address.
    pub ip: IpAddr,
    /// The block kind that owns it (`circuit`, `gateway`).
    pub kind: &'static str,
    /// The block's name.
    pub owner: String,
    /// The key that would give the real address.
    pub key: &'static str,
}

impl Model {
    /// Every placeholder address of the design, by address (D14).
    pub fn placeholders(&self) -> BTreeMap<IpAddr, Placeholder> {
        let mut out = BTreeMap::new();
        for c in self.circuits.iter().filter(|c| c.next_hops_placeholder) {
            for &ip in &c.next_hops {
                out.insert(ip, Placeholder { ip, kind: "circuit", owner: c.name.clone(), key: "next_hops" });
            }
        }
        for g in self.gateways.iter().filter(|g| g.public_ip_placeholder) {
            let ip = g.public_ip;
            out.insert(ip, Placeholder { ip, kind: "gateway", owner: g.name.clone(), key: "public_ip" });
        }
        out
    }
}
