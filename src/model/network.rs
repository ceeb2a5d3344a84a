//! VNets, subnets, NICs, peerings, firewalls, internal load balancers: the estate's address plan
//! and what holds addresses in it.

use std::net::IpAddr;

use ipnet::IpNet;

use super::*;

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
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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
    /// A forwarding NVA that keeps connection state: asymmetric flows through it drop (D19).
    pub stateful: bool,
    /// The VM label, if any.
    pub vm: Option<String>,
    /// Whether `reach` uses this NIC for its VM.
    pub primary: bool,
    /// The block's span.
    pub span: Span,
}

/// One direction of a VNet peering (`virtualNetworkPeerings` of `from`).
#[derive(Clone, Debug, PartialEq)]
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

/// An internal load balancer.
#[derive(Clone, Debug, PartialEq)]
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

/// An Azure Firewall.
#[derive(Clone, Debug, PartialEq)]
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
