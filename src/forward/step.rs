//! What a trace is made of: places, the routes looked up there, steps, branches. Typed facts
//! only; `report` says them in words.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Drop;
use super::hosts::Host;
use crate::bgp::{SessionKind, Speaker};
use crate::effective::RouteSource;
use crate::model::*;

/// Where a step happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The source or destination host (or another host holding the address).
    Host(Host),
    /// An NVA NIC forwarding the packet.
    Nva(NicId),
    /// An Azure Firewall forwarding the packet.
    Firewall(FirewallId),
    /// A load-balancer frontend (its backends are ECMP branches).
    LoadBalancer(LoadBalancerId),
    /// A circuit's MSEE, with the link's next-hop address when known.
    Msee(CircuitId, Option<IpAddr>),
    /// An ExpressRoute or VPN gateway.
    Gateway(GatewayId),
    /// A peering crossing (direction of travel).
    Peering {
        /// From this VNet.
        from: VnetId,
        /// Into this VNet.
        to: VnetId,
        /// Across regions.
        global: bool,
    },
    /// An on-premises router.
    Onprem(OnpremId),
    /// An on-premises site behind a local gateway.
    Site(LocalGatewayId),
    /// The Internet.
    Internet,
}

impl Place {
    /// The forwarding device at this place, if it is one.
    pub fn forwarder(&self) -> Option<Forwarder> {
        match self {
            Place::Nva(n) => Some(Forwarder::Nva(*n)),
            Place::Firewall(f) => Some(Forwarder::Firewall(*f)),
            _ => None,
        }
    }
}

/// A device that forwards traffic statefully: NVAs and firewalls. Forward and return crossing
/// different ones is an asymmetric path (R68: active-active VPN instances are ECMP, not this).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Forwarder {
    /// An NVA NIC.
    Nva(NicId),
    /// An Azure Firewall.
    Firewall(FirewallId),
}

impl Forwarder {
    /// Where it is on a branch.
    pub fn place(self) -> Place {
        match self {
            Forwarder::Nva(n) => Place::Nva(n),
            Forwarder::Firewall(f) => Place::Firewall(f),
        }
    }
}

/// Whose table a position looked the destination up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// A subnet's effective routes.
    Subnet(SubnetId),
    /// A circuit's MSEE (its BGP table).
    Msee(CircuitId),
    /// A BGP speaker's table: an on-premises router or a VPN gateway.
    Bgp(Speaker),
}

/// The row a position used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteRow {
    /// A row of a subnet's effective routes.
    Effective {
        /// Its source.
        source: RouteSource,
        /// Its next hop type.
        next_hop_type: NextHopType,
        /// The user route's name, for a User row.
        udr: Option<String>,
    },
    /// A route a BGP speaker selected.
    Learned {
        /// The speaker it was learned from.
        from: Speaker,
        /// The session it came in by.
        session: SessionKind,
        /// That session's connection, if it has one.
        connection: Option<ConnectionId>,
        /// Its AS path, nearest first.
        as_path: Vec<u32>,
    },
}

/// The route a position used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteUsed {
    /// Whose table.
    pub table: Table,
    /// The matched prefix.
    pub prefix: IpNet,
    /// The next hop address taken, if any.
    pub next_hop_ip: Option<IpAddr>,
    /// The row.
    pub row: RouteRow,
}

impl RouteUsed {
    /// The subnet whose table it is, for a subnet's table.
    pub fn subnet(&self) -> Option<SubnetId> {
        match self.table {
            Table::Subnet(s) => Some(s),
            _ => None,
        }
    }

    /// The user route's name, for a User row.
    pub fn udr(&self) -> Option<&str> {
        match &self.row {
            RouteRow::Effective { udr, .. } => udr.as_deref(),
            RouteRow::Learned { .. } => None,
        }
    }

    /// Whether it is a BGP table's route (an MSEE, a gateway, a router).
    pub fn learned(&self) -> bool {
        matches!(self.row, RouteRow::Learned { .. })
    }
}

/// Something a trace shows that does not stop the packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Traffic forwarded by an NVA or firewall crosses peering `from` → `to`, whose `to` side has
    /// `allow_forwarded_traffic = false` (D11: documented to narrow the VirtualNetwork tag,
    /// observed not to block).
    ForwardedOverPeering {
        /// The VNet the packet leaves.
        from: VnetId,
        /// The VNet it enters.
        to: VnetId,
    },
    /// Forward and return cross different forwarding devices; a stateful one drops such flows.
    Asymmetric {
        /// The devices the forward direction crosses.
        forward: Vec<Forwarder>,
        /// The devices the return crosses.
        back: Vec<Forwarder>,
    },
}

/// One step of a branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Where.
    pub place: Place,
    /// Whether it counts as a routed hop (D16).
    pub routed: bool,
    /// The route looked up there, if any.
    pub route: Option<RouteUsed>,
    /// A warning about this step.
    pub warning: Option<Warning>,
}

/// How a branch ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It arrived.
    Delivered,
    /// It stopped.
    Dropped(Drop),
}

/// One ECMP branch, from the source to its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// The steps.
    pub steps: Vec<Step>,
    /// The outcome.
    pub outcome: Outcome,
}

impl Branch {
    /// Routed hops (D16).
    pub fn routed_hops(&self) -> u32 {
        self.steps.iter().filter(|s| s.routed).count() as u32
    }

    /// NVAs and firewalls this branch crosses.
    pub fn forwarders(&self) -> Vec<Forwarder> {
        self.steps.iter().filter_map(|s| s.place.forwarder()).collect()
    }
}
