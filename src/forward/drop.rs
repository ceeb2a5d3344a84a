//! Why a branch stops.

use crate::rules::RuleSet;

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
}

impl DropReason {
    /// Every reason, in code order (the bit order of [`Summary::reasons`]).
    pub const ALL: [DropReason; 14] = [
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
        }
    }
}

/// Where and why a branch stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drop {
    /// The reason code.
    pub reason: DropReason,
    /// The rules behind it.
    pub rule: RuleSet,
    /// What happened, in a sentence.
    pub message: String,
    /// The position's name.
    pub at: String,
    /// For loops: the positions of the cycle.
    pub cycle: Vec<String>,
}
