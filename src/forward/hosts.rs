//! Where a trace starts and ends: NICs, synthetic hosts, firewalls, load balancers, on-premises
//! routers and sites, public addresses.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::*;
use crate::net::{azure_reserved, is_public, next_after, nth_host};
use crate::simulation::Simulation;

/// An endpoint that cannot be traced from or to (a usage error: name another one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EndpointError {
    /// What is wrong and what to do.
    pub message: String,
}

/// A concrete end of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A NIC of the scenario.
    Nic(NicId),
    /// An address in a subnet that no NIC holds ("synthetic").
    Synthetic {
        /// The subnet.
        subnet: SubnetId,
        /// The address.
        ip: IpAddr,
    },
    /// An Azure Firewall.
    Firewall(FirewallId),
    /// An internal load balancer frontend (delivered to any backend).
    LoadBalancer(LoadBalancerId),
    /// An on-premises router, at an address inside its `advertise`.
    Onprem {
        /// The router.
        router: OnpremId,
        /// The address.
        ip: IpAddr,
    },
    /// An on-premises site known only by a local gateway's static prefixes.
    Site {
        /// The local gateway.
        local_gateway: LocalGatewayId,
        /// The address.
        ip: IpAddr,
    },
    /// An address beyond an NVA, inside a prefix it advertises to its route server (an SD-WAN or
    /// branch network): delivered when the packet reaches the NVA.
    BehindNva {
        /// The NVA peer.
        peer: BgpPeerId,
        /// The address.
        ip: IpAddr,
    },
    /// A public address on the Internet.
    Public(IpAddr),
}

/// A host with its address: an end of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostInfo {
    /// The host.
    pub host: Host,
    /// Its address.
    pub ip: IpAddr,
    /// Whether it is synthetic.
    pub synthetic: bool,
}

impl Host {
    /// Whether this is a public Internet address (one-way verdict).
    pub fn is_public(&self) -> bool {
        matches!(self, Host::Public(_))
    }

    /// The host's address.
    pub fn ip(&self, m: &Model) -> IpAddr {
        match self {
            Host::Nic(n) => m.nics[n.idx()].ip,
            Host::Synthetic { ip, .. }
            | Host::Onprem { ip, .. }
            | Host::Site { ip, .. }
            | Host::BehindNva { ip, .. }
            | Host::Public(ip) => *ip,
            Host::Firewall(f) => m.firewalls[f.idx()].ip,
            Host::LoadBalancer(l) => m.load_balancers[l.idx()].frontend_ip,
        }
    }

    /// The VNet it lives in, if in Azure.
    pub fn vnet(&self, m: &Model) -> Option<VnetId> {
        match self {
            Host::Nic(n) => Some(m.nics[n.idx()].vnet),
            Host::Synthetic { subnet, .. } => Some(m.subnets[subnet.idx()].vnet),
            Host::Firewall(f) => Some(m.firewalls[f.idx()].vnet),
            Host::LoadBalancer(l) => Some(m.load_balancers[l.idx()].vnet),
            _ => None,
        }
    }

    /// The subnet it lives in, if in Azure.
    pub fn subnet(&self, m: &Model) -> Option<SubnetId> {
        match self {
            Host::Nic(n) => Some(m.nics[n.idx()].subnet),
            Host::Synthetic { subnet, .. } => Some(*subnet),
            Host::Firewall(f) => Some(m.firewalls[f.idx()].subnet),
            Host::LoadBalancer(l) => Some(m.load_balancers[l.idx()].subnet),
            _ => None,
        }
    }

    /// With its address.
    pub fn info(&self, m: &Model) -> HostInfo {
        HostInfo { host: *self, ip: self.ip(m), synthetic: matches!(self, Host::Synthetic { .. }) }
    }
}

/// Every address some device holds, per VNet (NICs, firewalls, load-balancer frontends).
pub(crate) fn holder(m: &Model, v: VnetId, ip: IpAddr) -> Option<Host> {
    for s in &m.vnets[v.idx()].subnets {
        if !m.subnets[s.idx()].prefix.contains(&ip) {
            continue;
        }
        for n in &m.ix.subnet_nics[s.idx()] {
            if m.nics[n.idx()].ip == ip {
                return Some(Host::Nic(*n));
            }
        }
    }
    for (i, f) in m.firewalls.iter().enumerate() {
        if f.vnet == v && f.ip == ip {
            return Some(Host::Firewall(FirewallId(i as u32)));
        }
    }
    for (i, l) in m.load_balancers.iter().enumerate() {
        if l.vnet == v && l.frontend_ip == ip {
            return Some(Host::LoadBalancer(LoadBalancerId(i as u32)));
        }
    }
    None
}

/// The first address of a subnet no device holds, from .4 up.
fn first_free(m: &Model, s: SubnetId) -> Option<IpAddr> {
    let net = m.subnets[s.idx()].prefix;
    let v = m.subnets[s.idx()].vnet;
    (4u128..4 + 4096)
        .filter_map(|k| nth_host(&net, k))
        .find(|ip| !azure_reserved(&net, *ip) && holder(m, v, *ip).is_none())
}

fn subnet_host(m: &Model, s: SubnetId) -> Result<Host, EndpointError> {
    if let Some(n) = m.ix.subnet_nics[s.idx()].first() {
        return Ok(Host::Nic(*n));
    }
    match first_free(m, s) {
        Some(ip) => Ok(Host::Synthetic { subnet: s, ip }),
        None => Err(EndpointError {
            message: format!("subnet {} has no free address for a synthetic host", m.subnet_path(s)),
        }),
    }
}

/// Resolve an endpoint to a host. `source` says which end (a load balancer cannot send).
pub(crate) fn resolve(sim: &Simulation, e: &Endpoint, source: bool) -> Result<Host, EndpointError> {
    let m = &sim.model;
    match e {
        Endpoint::Nic(n) => Ok(Host::Nic(*n)),
        Endpoint::Subnet(s) => subnet_host(m, *s),
        Endpoint::Vnet(v) => {
            // Its first NIC: the lowest address in its lowest subnet that has one; else a synthetic
            // host in its lowest ordinary subnet (special subnets hold no VMs).
            let subs = &m.vnets[v.idx()].subnets;
            if let Some(n) = subs.iter().find_map(|s| m.ix.subnet_nics[s.idx()].first()) {
                return Ok(Host::Nic(*n));
            }
            let s = subs
                .iter()
                .copied()
                .find(|s| m.subnets[s.idx()].role == SubnetRole::Plain)
                .or_else(|| subs.first().copied())
                .ok_or_else(|| EndpointError {
                    message: format!("VNet `{}` has no subnet to place a host in", m.vnets[v.idx()].name),
                })?;
            subnet_host(m, s)
        }
        Endpoint::Firewall(f) => Ok(Host::Firewall(*f)),
        Endpoint::LoadBalancer(l) => {
            if source {
                Err(EndpointError {
                    message: format!(
                        "load balancer `{}` does not originate traffic; start from one of its backends",
                        m.load_balancers[l.idx()].name
                    ),
                })
            } else {
                Ok(Host::LoadBalancer(*l))
            }
        }
        Endpoint::Onprem(o) => {
            let r = &m.onprems[o.idx()];
            // Its first specific IPv4 prefix (a default route is not an address to start from).
            let p = r
                .advertise
                .iter()
                .find(|p| matches!(p, IpNet::V4(_)) && p.prefix_len() > 0)
                .or_else(|| r.advertise.iter().find(|p| p.prefix_len() > 0))
                .or(r.advertise.first())
                .ok_or_else(|| EndpointError {
                    message: format!("on-premises router `{}` advertises nothing to start or end at", r.name),
                })?;
            // An address of that prefix outside every VNet (a summary such as 10.0.0.0/8 covers
            // Azure's spaces too): step past each address space it falls into.
            let mut ip = nth_host(p, if p.prefix_len() >= 31 { 0 } else { 1 }).unwrap_or(p.addr());
            for _ in 0..m.vnets.len() + 1 {
                let Some(space) = m.vnets.iter().flat_map(|v| v.address_space.iter()).find(|a| a.contains(&ip)) else {
                    break;
                };
                match next_after(space).filter(|n| p.contains(n)) {
                    Some(n) => ip = n,
                    None => break,
                }
            }
            Ok(Host::Onprem { router: *o, ip })
        }
        Endpoint::Ip(ip) => match resolve_ip(m, *ip)? {
            Host::LoadBalancer(l) if source => Err(EndpointError {
                message: format!(
                    "{ip} is the frontend of load balancer `{}`, which does not originate traffic; start from one of its backends",
                    m.load_balancers[l.idx()].name
                ),
            }),
            h => Ok(h),
        },
    }
}

fn resolve_ip(m: &Model, ip: IpAddr) -> Result<Host, EndpointError> {
    // A device holding it.
    let mut held: Vec<Host> = (0..m.vnets.len()).filter_map(|v| holder(m, VnetId(v as u32), ip)).collect();
    if held.len() > 1 {
        return Err(EndpointError {
            message: format!("{ip} is held in several VNets (overlapping address spaces); name the NIC instead"),
        });
    }
    if let Some(h) = held.pop() {
        return Ok(h);
    }
    // A subnet containing it.
    let subs: Vec<SubnetId> =
        (0..m.subnets.len()).map(|i| SubnetId(i as u32)).filter(|s| m.subnets[s.idx()].prefix.contains(&ip)).collect();
    if subs.len() > 1 {
        return Err(EndpointError {
            message: format!(
                "{ip} lies in subnets of several VNets (overlapping address spaces); name the subnet instead"
            ),
        });
    }
    if let Some(s) = subs.first() {
        return Ok(Host::Synthetic { subnet: *s, ip });
    }
    // On-premises: the most specific advertisement covering it.
    let mut best: Option<(u8, Host)> = None;
    // A default route is no claim to an address: public ones stay on the Internet.
    for (i, o) in m.onprems.iter().enumerate() {
        for p in &o.advertise {
            if p.prefix_len() > 0 && p.contains(&ip) && best.as_ref().is_none_or(|(l, _)| p.prefix_len() > *l) {
                best = Some((p.prefix_len(), Host::Onprem { router: OnpremId(i as u32), ip }));
            }
        }
    }
    for (i, l) in m.local_gateways.iter().enumerate() {
        // The BGP peer address of a local gateway is on-premises too (installed as a /32, R49).
        if l.bgp_peer_ip == Some(ip) {
            let h = match l.onprem {
                Some(o) => Host::Onprem { router: o, ip },
                None => Host::Site { local_gateway: LocalGatewayId(i as u32), ip },
            };
            best = Some((if ip.is_ipv4() { 32 } else { 128 }, h));
            continue;
        }
        for p in &l.address_prefixes {
            if p.prefix_len() > 0 && p.contains(&ip) && best.as_ref().is_none_or(|(len, _)| p.prefix_len() > *len) {
                let h = match l.onprem {
                    Some(o) => Host::Onprem { router: o, ip },
                    None => Host::Site { local_gateway: LocalGatewayId(i as u32), ip },
                };
                best = Some((p.prefix_len(), h));
            }
        }
    }
    // Behind an NVA: a prefix it advertises to its route server (not a default route).
    for (i, b) in m.bgp_peers.iter().enumerate() {
        for a in &b.advertise {
            if a.prefix.prefix_len() > 0
                && a.prefix.contains(&ip)
                && best.as_ref().is_none_or(|(l, _)| a.prefix.prefix_len() > *l)
            {
                best = Some((a.prefix.prefix_len(), Host::BehindNva { peer: BgpPeerId(i as u32), ip }));
            }
        }
    }
    if let Some((_, h)) = best {
        return Ok(h);
    }
    if is_public(ip) {
        return Ok(Host::Public(ip));
    }
    Err(EndpointError {
        message: format!(
            "no subnet, on-premises prefix or public range holds {ip}; name a NIC, VNet or router instead"
        ),
    })
}
