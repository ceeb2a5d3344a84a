//! Why a branch stops: a typed cause with the facts its sentence needs (`report` writes the
//! sentence), the place, and for shown traces why no better route exists.

use std::net::IpAddr;

use ipnet::IpNet;

use super::hosts::Host;
use super::step::{Forwarder, Place};
use super::why::NoBetterRoute;
use crate::effective::RouteSource;
use crate::limits::R67Missing;
use crate::model::*;
use crate::rules::{Rule, RuleSet};

/// Why a packet stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// No row matches.
    NoRoute,
    /// The matching row's next hop is None.
    NextHopNone,
    /// The matching row sends a private destination to the Internet.
    ToInternet,
    /// Nothing holds the destination address where it is delivered.
    NoSuchHost,
    /// A next hop address no forwarding device holds (D17).
    NextHopUnreachable,
    /// The next hop NIC does not forward (ip_forwarding off).
    IpForwardingOff,
    /// A user VirtualNetworkGateway route in a domain without VPN gateway (D17).
    NoVpnGateway,
    /// A gateway would send circuit traffic back into a circuit (R59).
    NoCircuitTransit,
    /// ExpressRoute ↔ VPN transit without R67's conditions.
    NoErVpnTransit,
    /// A peering with allow_virtual_network_access off (D11).
    PeeringAccessDisabled,
    /// VNet-to-VNet traffic over a circuit with allow_remote_vnet_traffic off (D4).
    RemoteVnetTrafficOff,
    /// The packet would come back to a position it has been at (D12).
    Loop,
    /// More routed hops than the bound.
    HopLimit,
    /// Delivered to another host holding the same address (overlapping spaces).
    Misdelivered,
    /// Forward and return cross different stateful devices (Azure Firewall, stateful NVAs): the
    /// device that misses one direction drops the flow (D19).
    AsymmetricStatefulFirewall,
    /// A VPN gateway with no route for the packet and no default site (D20).
    NoDefaultSite,
}

impl DropReason {
    /// Every reason, in code order (the bit order of [`super::Summary::reasons`]).
    pub const ALL: [DropReason; 16] = [
        DropReason::NoRoute,
        DropReason::NextHopNone,
        DropReason::ToInternet,
        DropReason::NoSuchHost,
        DropReason::NextHopUnreachable,
        DropReason::IpForwardingOff,
        DropReason::NoVpnGateway,
        DropReason::NoCircuitTransit,
        DropReason::NoErVpnTransit,
        DropReason::PeeringAccessDisabled,
        DropReason::RemoteVnetTrafficOff,
        DropReason::Loop,
        DropReason::HopLimit,
        DropReason::Misdelivered,
        DropReason::AsymmetricStatefulFirewall,
        DropReason::NoDefaultSite,
    ];

    pub(crate) fn bit(self) -> u16 {
        1 << (Self::ALL.iter().position(|r| *r == self).expect("listed") as u16)
    }

    /// The stable code printed and in JSON.
    pub fn code(self) -> &'static str {
        match self {
            DropReason::NoRoute => "NoRoute",
            DropReason::NextHopNone => "NextHopNone",
            DropReason::ToInternet => "ToInternet",
            DropReason::NoSuchHost => "NoSuchHost",
            DropReason::NextHopUnreachable => "NextHopUnreachable",
            DropReason::IpForwardingOff => "IpForwardingOff",
            DropReason::NoVpnGateway => "NoVpnGateway",
            DropReason::NoCircuitTransit => "NoCircuitTransit",
            DropReason::NoErVpnTransit => "NoErVpnTransit",
            DropReason::PeeringAccessDisabled => "PeeringAccessDisabled",
            DropReason::RemoteVnetTrafficOff => "RemoteVnetTrafficOff",
            DropReason::Loop => "Loop",
            DropReason::HopLimit => "HopLimit",
            DropReason::Misdelivered => "Misdelivered",
            DropReason::AsymmetricStatefulFirewall => "AsymmetricStatefulFirewall",
            DropReason::NoDefaultSite => "NoDefaultSite",
        }
    }
}

/// A destination address, with the VNet of the host it belongs to when that is in Azure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Destination {
    /// The address.
    pub ip: IpAddr,
    /// The destination host's VNet.
    pub vnet: Option<VnetId>,
}

/// Which way a gateway would carry traffic between ExpressRoute and VPN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transit {
    /// Entered from VPN, leaving by ExpressRoute.
    VpnToEr,
    /// Entered from ExpressRoute, leaving by VPN.
    ErToVpn,
}

/// States the walker should never reach (the tables it reads are built not to lead there).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unexpected {
    /// A peering next hop on a row that is not a peering's (R28).
    UnsupportedNextHop,
    /// A gateway row in a VNet with no routing domain (R47).
    NoDomain,
    /// A gateway row without a next hop address (R48).
    GatewayRowWithoutNextHop,
    /// A gateway row's next hop no domain candidate installs (R48).
    NextHopNotInDomain,
    /// A gateway row learned over a session internal to Azure (R47).
    InternalSession,
    /// An MSEE route learned from neither on-premises nor a gateway (R54).
    MseeRoute,
}

/// Why a packet stops, with the facts that say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropCause {
    /// The source is on the Internet, or a site with no VPN connection: not modelled.
    SourceNotModelled,
    /// No row of a subnet's table matches (R19).
    NoRouteInSubnet {
        /// The subnet.
        subnet: SubnetId,
        /// The destination address.
        dst: IpAddr,
    },
    /// The matching row's next hop is None (D3, or R27 for a user route).
    NextHopNone {
        /// The subnet whose table it is.
        subnet: SubnetId,
        /// The destination.
        dst: Destination,
        /// The row's prefix.
        prefix: IpNet,
        /// The row's source.
        source: RouteSource,
        /// The user route's name.
        udr: Option<String>,
        /// Whether the row is a reserved system route (D3).
        reserved: bool,
    },
    /// The matching row sends a private address to the Internet (R14, or R27 for a user route).
    ToInternet {
        /// The subnet whose table it is.
        subnet: SubnetId,
        /// The destination.
        dst: Destination,
        /// The row's prefix.
        prefix: IpNet,
        /// The row's source.
        source: RouteSource,
    },
    /// A user route to the virtual network gateway where there is no VPN gateway (D17, R28).
    NoVpnGateway {
        /// The subnet whose table it is.
        subnet: SubnetId,
        /// The route's prefix.
        prefix: IpNet,
        /// The route's name.
        udr: Option<String>,
    },
    /// A peering with allow_virtual_network_access off (D11).
    PeeringAccessOff {
        /// The peering direction crossed.
        peering: PeeringId,
    },
    /// Nothing holds the destination address in the VNet it is delivered in.
    NoSuchHost {
        /// The destination address.
        dst: IpAddr,
        /// The VNet.
        vnet: VnetId,
    },
    /// Another host in the VNet holds the destination address (overlapping spaces).
    Misdelivered {
        /// The destination address.
        dst: IpAddr,
        /// The host that got it.
        host: Host,
        /// The VNet.
        vnet: VnetId,
    },
    /// No forwarding device in the VNet or a peered one holds the next hop (D17, R28).
    NextHopNotHeld {
        /// The next hop address.
        ip: IpAddr,
        /// The VNet whose table chose it.
        vnet: VnetId,
    },
    /// A load balancer next hop without backends (D17).
    NoBackends(LoadBalancerId),
    /// The next hop address is held by something that does not forward (D17).
    NotForwarding {
        /// The next hop address.
        ip: IpAddr,
    },
    /// The next hop NIC has IP forwarding off (R28).
    IpForwardingOff {
        /// The NIC.
        nic: NicId,
        /// The next hop address.
        ip: IpAddr,
    },
    /// An ExpressRoute gateway would send circuit traffic back into a circuit (R59).
    NoCircuitTransit {
        /// The gateway.
        gateway: GatewayId,
        /// The circuit.
        circuit: CircuitId,
    },
    /// ExpressRoute ↔ VPN transit at a gateway without R67's conditions.
    NoErVpnTransit {
        /// The gateway the packet entered.
        gateway: GatewayId,
        /// Which way.
        transit: Transit,
    },
    /// VNet-to-VNet traffic over a circuit with allow_remote_vnet_traffic off (D4, R57).
    RemoteVnetTrafficOff {
        /// The circuit.
        circuit: CircuitId,
        /// The gateways with it off.
        gateways: Vec<GatewayId>,
    },
    /// A circuit's MSEE has no route (R54).
    MseeNoRoute {
        /// The circuit.
        circuit: CircuitId,
        /// The destination address.
        dst: IpAddr,
    },
    /// An on-premises router has no route (R50), and a hub that serves it lacks R67's conditions
    /// for ExpressRoute ↔ VPN transit when `r67_missing` is not empty.
    OnpremNoRoute {
        /// The router.
        router: OnpremId,
        /// The destination address.
        dst: IpAddr,
        /// What the first such hub lacks (R67).
        r67_missing: Vec<R67Missing>,
    },
    /// A VPN gateway has no usable route (R48).
    GatewayNoRoute {
        /// The gateway.
        gateway: GatewayId,
        /// The destination address.
        dst: IpAddr,
    },
    /// The packet comes back to a position it has been at (D12).
    Loop {
        /// The places of the cycle, from the first visit.
        cycle: Vec<Place>,
    },
    /// More routed hops than [`super::MAX_ROUTED_HOPS`].
    HopLimit,
    /// A stateful device the other direction does not cross drops the flow (D19): it sees one
    /// direction of the connection only.
    AsymmetricStateful {
        /// The device that drops it.
        device: Forwarder,
        /// The forwarding devices the forward path crosses.
        forward: Vec<Forwarder>,
        /// The forwarding devices the return path crosses.
        back: Vec<Forwarder>,
    },
    /// A VPN gateway with no route for the destination and no default site: it does not break
    /// out to the Internet (D20).
    NoDefaultSite {
        /// The gateway.
        gateway: GatewayId,
        /// The destination address.
        dst: IpAddr,
    },
    /// A state the walker should never reach.
    Unexpected(Unexpected),
}

impl DropCause {
    /// The reason code.
    pub fn reason(&self) -> DropReason {
        use DropCause::*;
        match self {
            SourceNotModelled
            | NoRouteInSubnet { .. }
            | MseeNoRoute { .. }
            | OnpremNoRoute { .. }
            | GatewayNoRoute { .. }
            | Unexpected(_) => DropReason::NoRoute,
            NextHopNone { .. } => DropReason::NextHopNone,
            ToInternet { .. } => DropReason::ToInternet,
            NoVpnGateway { .. } => DropReason::NoVpnGateway,
            PeeringAccessOff { .. } => DropReason::PeeringAccessDisabled,
            NoSuchHost { .. } => DropReason::NoSuchHost,
            Misdelivered { .. } => DropReason::Misdelivered,
            NextHopNotHeld { .. } | NoBackends(_) | NotForwarding { .. } => DropReason::NextHopUnreachable,
            IpForwardingOff { .. } => DropReason::IpForwardingOff,
            NoCircuitTransit { .. } => DropReason::NoCircuitTransit,
            NoErVpnTransit { .. } => DropReason::NoErVpnTransit,
            RemoteVnetTrafficOff { .. } => DropReason::RemoteVnetTrafficOff,
            Loop { .. } => DropReason::Loop,
            HopLimit => DropReason::HopLimit,
            AsymmetricStateful { .. } => DropReason::AsymmetricStatefulFirewall,
            NoDefaultSite { .. } => DropReason::NoDefaultSite,
        }
    }

    /// The rules behind it.
    pub fn rules(&self) -> RuleSet {
        use DropCause::*;
        let user = |s: &RouteSource| *s == RouteSource::User;
        match self {
            SourceNotModelled | NoSuchHost { .. } | Misdelivered { .. } | HopLimit => RuleSet::none(),
            NoRouteInSubnet { .. } => Rule::R19.into(),
            NextHopNone { source, .. } => (if user(source) { Rule::R27 } else { Rule::D3 }).into(),
            ToInternet { source, .. } => (if user(source) { Rule::R27 } else { Rule::R14 }).into(),
            NoVpnGateway { .. } | NextHopNotHeld { .. } => RuleSet::of(&[Rule::D17, Rule::R28]),
            PeeringAccessOff { .. } => Rule::D11.into(),
            NoBackends(_) | NotForwarding { .. } => Rule::D17.into(),
            IpForwardingOff { .. } => Rule::R28.into(),
            NoCircuitTransit { .. } => Rule::R59.into(),
            NoErVpnTransit { .. } => Rule::R67.into(),
            RemoteVnetTrafficOff { .. } => RuleSet::of(&[Rule::D4, Rule::R57]),
            MseeNoRoute { .. } => Rule::R54.into(),
            OnpremNoRoute { r67_missing, .. } if r67_missing.is_empty() => Rule::R50.into(),
            OnpremNoRoute { .. } => RuleSet::of(&[Rule::R50, Rule::R67]),
            GatewayNoRoute { .. } => Rule::R48.into(),
            Loop { .. } => Rule::D12.into(),
            AsymmetricStateful { .. } => Rule::D19.into(),
            NoDefaultSite { .. } => Rule::D20.into(),
            Unexpected(u) => u.rule().into(),
        }
    }

    /// Whether R67's conditions are what is missing: ExpressRoute ↔ VPN transit refused at a
    /// gateway, or an on-premises router without a route where a hub serving it lacks them.
    pub fn lacks_r67(&self) -> bool {
        match self {
            DropCause::NoErVpnTransit { .. } => true,
            DropCause::OnpremNoRoute { r67_missing, .. } => !r67_missing.is_empty(),
            _ => false,
        }
    }

    /// For a row that leads nowhere (None, or the Internet for a private address): the subnet
    /// whose table it is and the destination, where a better route could have been.
    pub fn dead_end(&self) -> Option<(SubnetId, Destination)> {
        match self {
            DropCause::NextHopNone { subnet, dst, .. } | DropCause::ToInternet { subnet, dst, .. } => {
                Some((*subnet, *dst))
            }
            _ => None,
        }
    }
}

impl Unexpected {
    /// The rule whose invariant it breaks.
    pub fn rule(self) -> Rule {
        match self {
            Unexpected::UnsupportedNextHop => Rule::R28,
            Unexpected::NoDomain | Unexpected::InternalSession => Rule::R47,
            Unexpected::GatewayRowWithoutNextHop | Unexpected::NextHopNotInDomain => Rule::R48,
            Unexpected::MseeRoute => Rule::R54,
        }
    }
}

/// Where and why a branch stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drop {
    /// Why.
    pub cause: DropCause,
    /// Where.
    pub at: Place,
    /// For a row that leads nowhere, in a trace that is shown: why no better route exists (set by
    /// [`super::trace`] and [`super::reach_hosts`], not by `matrix`'s walks).
    pub no_better_route: Option<NoBetterRoute>,
}

impl Drop {
    /// A drop at a place, not annotated.
    pub fn new(cause: DropCause, at: Place) -> Drop {
        Drop { cause, at, no_better_route: None }
    }

    /// The reason code.
    pub fn reason(&self) -> DropReason {
        self.cause.reason()
    }

    /// The rules behind it: the cause's, then those of why no better route exists (`D3, R37`).
    pub fn rules(&self) -> RuleSet {
        let mut r = self.cause.rules();
        if let Some(n) = &self.no_better_route {
            for x in n.rules() {
                r.push(x);
            }
        }
        r
    }
}
