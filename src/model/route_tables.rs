//! Route tables and their routes, next-hop types and route states (API spellings, R2, R4).

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::*;

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
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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
