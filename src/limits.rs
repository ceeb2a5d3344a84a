//! Azure's limits (Part K) and the conditions some behaviours depend on (R67).
//!
//! Session-drop limits are behaviour: the BGP engine asks here whether a session carries nothing,
//! and gets an [`Exceeded`] it turns into a session-down reason. The design lint in `check` asks
//! here for the limits Azure enforces by refusing a change. R67's conditions are written once,
//! [`er_vpn_transit`], for propagation, forwarding, lint and fixes alike.

use ipnet::IpNet;

use crate::model::*;
use crate::net::AZURE_ASN;

/// Prefixes a VPN gateway accepts from one BGP peer before the session drops (R66).
pub const VPN_BGP_PEER_PREFIXES: usize = 4_000;
/// Prefixes a route server accepts from one peer before the session drops (R76).
pub const ROUTE_SERVER_PEER_DROP: usize = 4_000;
/// Above this many prefixes from one peer, a route server warns (R76).
pub const ROUTE_SERVER_PEER_WARN: usize = 1_000;
/// IPv6 prefixes per private peering before the session drops (R52).
pub const PRIVATE_PEERING_IPV6: usize = 100;

/// IPv4 prefixes on-premises may send over one private peering before the session drops (R52).
pub fn private_peering_ipv4(sku: CircuitSku) -> usize {
    match sku {
        CircuitSku::Local | CircuitSku::Standard => 4_000,
        CircuitSku::Premium => 10_000,
    }
}

/// An address family, for limits that count IPv4 and IPv6 prefixes apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// `IPv4` / `IPv6`.
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// More prefixes offered on a session than Azure accepts: the session drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exceeded {
    /// The limit.
    pub limit: usize,
    /// Prefixes offered.
    pub count: usize,
    /// The family the limit counts.
    pub family: Family,
}

/// Whether a router's advertisements bring its private peering down (R52).
pub fn private_peering_drop(advertise: &[IpNet], sku: CircuitSku) -> Option<Exceeded> {
    let v4 = advertise.iter().filter(|p| matches!(p, IpNet::V4(_))).count();
    let v6 = advertise.len() - v4;
    let l4 = private_peering_ipv4(sku);
    if v4 > l4 {
        return Some(Exceeded { limit: l4, count: v4, family: Family::V4 });
    }
    if v6 > PRIVATE_PEERING_IPV6 {
        return Some(Exceeded { limit: PRIVATE_PEERING_IPV6, count: v6, family: Family::V6 });
    }
    None
}

/// Whether an NVA's advertisements bring its route-server session down (R76).
pub fn route_server_peer_drop(count: usize) -> Option<Exceeded> {
    (count > ROUTE_SERVER_PEER_DROP).then_some(Exceeded { limit: ROUTE_SERVER_PEER_DROP, count, family: Family::V4 })
}

/// Whether what a VPN gateway receives from one BGP peer brings the session down (R66).
pub fn vpn_bgp_peer_drop(count: usize) -> Option<Exceeded> {
    (count > VPN_BGP_PEER_PREFIXES).then_some(Exceeded { limit: VPN_BGP_PEER_PREFIXES, count, family: Family::V4 })
}

/// One condition of R67 a hub does not meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum R67Missing {
    /// The hub has no route server.
    NoRouteServer(VnetId),
    /// Its route server has branch-to-branch off.
    BranchToBranchOff(RouteServerId),
    /// The hub has no VPN gateway.
    NoVpnGateway(VnetId),
    /// Its VPN gateway is active-standby.
    NotActiveActive(GatewayId),
    /// Its VPN gateway's ASN is not 65515.
    VpnAsn(GatewayId),
    /// The hub has no ExpressRoute gateway.
    NoErGateway(VnetId),
}

impl R67Missing {
    /// The condition, for messages.
    pub fn describe(self, m: &Model) -> String {
        match self {
            R67Missing::NoRouteServer(v) => format!("VNet `{}` has no route server", m.vnets[v.idx()].name),
            R67Missing::BranchToBranchOff(r) => {
                format!("route server `{}` has branch_to_branch off", m.route_servers[r.idx()].name)
            }
            R67Missing::NoVpnGateway(v) => format!("VNet `{}` has no VPN gateway", m.vnets[v.idx()].name),
            R67Missing::NotActiveActive(g) => {
                format!("VPN gateway `{}` is not active-active", m.gateways[g.idx()].name)
            }
            R67Missing::VpnAsn(g) => {
                let g = &m.gateways[g.idx()];
                format!("VPN gateway `{}` uses ASN {} instead of {AZURE_ASN}", g.name, g.asn)
            }
            R67Missing::NoErGateway(v) => format!("VNet `{}` has no ExpressRoute gateway", m.vnets[v.idx()].name),
        }
    }
}

/// R67: what hub `hub` lacks for ExpressRoute ↔ VPN transit through its route server
/// (branch-to-branch, an active-active VPN gateway with ASN 65515, an ExpressRoute gateway).
/// Empty when transit works. Without a route server, that is the one thing missing.
pub fn er_vpn_transit(m: &Model, hub: VnetId) -> Vec<R67Missing> {
    let Some(rs) = m.ix.route_server[hub.idx()] else { return vec![R67Missing::NoRouteServer(hub)] };
    let mut missing = Vec::new();
    if !m.route_servers[rs.idx()].branch_to_branch {
        missing.push(R67Missing::BranchToBranchOff(rs));
    }
    match m.ix.vpn_gateway[hub.idx()] {
        Some(g) => {
            if !m.gateways[g.idx()].active_active {
                missing.push(R67Missing::NotActiveActive(g));
            }
            if m.gateways[g.idx()].asn != AZURE_ASN {
                missing.push(R67Missing::VpnAsn(g));
            }
        }
        None => missing.push(R67Missing::NoVpnGateway(hub)),
    }
    if m.ix.er_gateway[hub.idx()].is_none() {
        missing.push(R67Missing::NoErGateway(hub));
    }
    missing
}

/// R67 where a packet is: whether the gateways of `vnet`'s routing domain may carry
/// ExpressRoute ↔ VPN transit.
pub fn er_vpn_transit_at(m: &Model, vnet: VnetId) -> bool {
    er_vpn_transit(m, m.domain_of(vnet).unwrap_or(vnet)).is_empty()
}

/// Peerings per VNet (R43).
pub const PEERINGS_PER_VNET: usize = 500;
/// Subnets per VNet (Part K).
pub const SUBNETS_PER_VNET: usize = 3_000;
/// Routes per route table (R34).
pub const ROUTES_PER_TABLE: usize = 400;
/// Route tables per region and subscription (R34).
pub const ROUTE_TABLES_PER_REGION: usize = 200;
/// VNets per region and subscription (Part K).
pub const VNETS_PER_REGION: usize = 1_000;
/// Circuits one ExpressRoute gateway may take from one peering location (R62).
pub const CIRCUITS_PER_LOCATION: usize = 4;
/// IPv4 prefixes Azure advertises to on-premises per ExpressRoute connection (R53, a warning).
pub const ER_ADVERTISED_IPV4: usize = 1_000;
/// IPv6 prefixes Azure advertises to on-premises per ExpressRoute connection (R53, a warning).
pub const ER_ADVERTISED_IPV6: usize = 100;
/// BGP peers of one route server (R76).
pub const ROUTE_SERVER_PEERS: usize = 8;

/// Circuits per ExpressRoute gateway by SKU (R62); `None` for a VPN SKU.
pub fn er_circuits_per_gateway(sku: GatewaySku) -> Option<usize> {
    use GatewaySku::*;
    match sku {
        Standard | ErGw1AZ => Some(4),
        HighPerformance | ErGw2AZ => Some(8),
        UltraPerformance | ErGw3AZ | ErGwScale => Some(16),
        Basic | VpnGw1 | VpnGw2 | VpnGw3 | VpnGw4 | VpnGw5 | VpnGw1AZ | VpnGw2AZ | VpnGw3AZ | VpnGw4AZ | VpnGw5AZ => {
            None
        }
    }
}

/// Routes an ExpressRoute gateway learns from its circuits, by SKU (R53); `None` for a VPN SKU.
pub fn er_learned_routes(sku: GatewaySku) -> Option<usize> {
    use GatewaySku::*;
    match sku {
        Standard | ErGw1AZ => Some(4_000),
        HighPerformance | UltraPerformance | ErGw2AZ | ErGw3AZ | ErGwScale => Some(9_500),
        Basic | VpnGw1 | VpnGw2 | VpnGw3 | VpnGw4 | VpnGw5 | VpnGw1AZ | VpnGw2AZ | VpnGw3AZ | VpnGw4AZ | VpnGw5AZ => {
            None
        }
    }
}

/// VNet links per circuit (R63): 10 for Local/Standard; Premium by bandwidth.
pub fn vnet_links_per_circuit(sku: CircuitSku, bandwidth_mbps: Option<u64>) -> usize {
    match sku {
        CircuitSku::Local | CircuitSku::Standard => 10,
        CircuitSku::Premium => match bandwidth_mbps.unwrap_or(1_000) {
            0..=50 => 20,
            51..=100 => 25,
            101..=500 => 40,
            501..=1_000 => 50,
            1_001..=2_000 => 60,
            2_001..=5_000 => 75,
            _ => 100,
        },
    }
}

/// Site-to-site tunnels per VPN gateway by SKU (R69); `None` for an ExpressRoute SKU.
pub fn vpn_tunnels(sku: GatewaySku) -> Option<usize> {
    use GatewaySku::*;
    match sku {
        Basic => Some(10),
        VpnGw1 | VpnGw2 | VpnGw3 | VpnGw1AZ | VpnGw2AZ | VpnGw3AZ => Some(30),
        VpnGw4 | VpnGw5 | VpnGw4AZ | VpnGw5AZ => Some(100),
        Standard | HighPerformance | UltraPerformance | ErGw1AZ | ErGw2AZ | ErGw3AZ | ErGwScale => None,
    }
}

/// VNets one route server serves (its own and its spokes, R76).
pub const ROUTE_SERVER_VNETS: usize = 500;
/// VMs in the VNets one route server serves (R76).
pub const ROUTE_SERVER_VMS: usize = 4_000;
/// Prefixes one route server holds (R76).
pub const ROUTE_SERVER_PREFIXES: usize = 10_000;
/// Prefixes a route server sends to its ExpressRoute gateway (R76).
pub const ROUTE_SERVER_TO_ER: usize = 1_000;
