//! Typed ids: each arena of the model is indexed by its own small id type, so an id of one kind
//! cannot be used for another.

use std::ops::Range;

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
