//! Route Servers and the NVAs that peer with them.

use std::net::IpAddr;

use ipnet::IpNet;

use super::*;

/// An Azure Route Server.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteServer {
    /// Its name.
    pub name: String,
    /// Its VNet (which has a RouteServerSubnet).
    pub vnet: VnetId,
    /// `allowBranchToBranchTraffic`.
    pub branch_to_branch: bool,
    /// Its two instance addresses (.4 and .5 of RouteServerSubnet, D14).
    pub ips: Vec<IpAddr>,
    /// The block's span.
    pub span: Span,
}

/// One route an NVA advertises to its route server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advert {
    /// The prefix.
    pub prefix: IpNet,
    /// The AS path the NVA has for it (its own ASN is prepended when it advertises).
    pub as_path: Vec<u32>,
    /// The BGP next hop (default: the NVA NIC's address).
    pub next_hop: IpAddr,
}

/// An NVA peering with a route server.
#[derive(Clone, Debug, PartialEq)]
pub struct BgpPeer {
    /// Its name.
    pub name: String,
    /// Its NIC.
    pub nic: NicId,
    /// The route server it peers with.
    pub route_server: RouteServerId,
    /// Its ASN.
    pub asn: u32,
    /// What it advertises.
    pub advertise: Vec<Advert>,
    /// The block's span.
    pub span: Span,
}
