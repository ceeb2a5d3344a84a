//! Design intent: the `[[expect]]` blocks `check` evaluates, and the endpoints `reach` takes.

use std::net::IpAddr;

use ipnet::IpNet;

use super::*;

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

/// Where a route expectation looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableRef {
    /// The table of a NIC's subnet.
    Nic(NicId),
    /// A subnet's table.
    Subnet(SubnetId),
}

/// What an `[[expect]]` asserts.
#[derive(Clone, Debug, PartialEq)]
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
        /// It must hold with any single element down (`resilient = true`).
        resilient: bool,
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
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// The user's name, if given.
    pub name: Option<String>,
    /// What it asserts.
    pub kind: ExpectKind,
    /// The block's span.
    pub span: Span,
}
