//! What a trace is made of: places, the routes looked up there, steps, branches.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Drop;
use super::hosts::HostInfo;
use crate::model::*;

/// Where a step happens, for people and for tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The source or destination host.
    Host(HostInfo),
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
    /// A place a lean walk (matrix) does not name.
    Unnamed,
}

impl Place {
    /// A short name.
    pub fn name(&self, m: &Model) -> String {
        match self {
            Place::Host(h) => format!("{}{} {}", h.name, if h.synthetic { " [synthetic]" } else { "" }, h.ip),
            Place::Nva(n) => format!("NVA {} {}", m.nics[n.idx()].name, m.nics[n.idx()].ip),
            Place::Firewall(f) => format!("firewall {} {}", m.firewalls[f.idx()].name, m.firewalls[f.idx()].ip),
            Place::LoadBalancer(l) => {
                format!("load balancer {} {}", m.load_balancers[l.idx()].name, m.load_balancers[l.idx()].frontend_ip)
            }
            Place::Msee(c, link) => match link {
                Some(ip) => format!("{} MSEE (link {ip})", m.circuits[c.idx()].name),
                None => format!("{} MSEE", m.circuits[c.idx()].name),
            },
            Place::Gateway(g) => format!("{} ({} gateway)", m.gateways[g.idx()].name, m.gateways[g.idx()].kind),
            Place::Peering { from, to, global } => format!(
                "{}peering {} → {}",
                if *global { "global " } else { "" },
                m.vnets[from.idx()].name,
                m.vnets[to.idx()].name
            ),
            Place::Onprem(o) => format!("on-premises {}", m.onprems[o.idx()].name),
            Place::Site(l) => format!("on-premises site behind {}", m.local_gateways[l.idx()].name),
            Place::Internet => "Internet".to_string(),
            Place::Unnamed => "-".to_string(),
        }
    }
}

/// The route a position used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteUsed {
    /// Whose table (`spoke10/default`, `circuit01 MSEE`, `vpngw-hub00 BGP`).
    pub table: String,
    /// The matched prefix.
    pub prefix: IpNet,
    /// Source (portal spelling), or the speaker it was learned from for BGP tables.
    pub source: String,
    /// Next hop type (portal spelling) or where the BGP route leads.
    pub next_hop_type: String,
    /// The next hop address taken, if any.
    pub next_hop_ip: Option<IpAddr>,
    /// More: the AS path, the UDR name.
    pub detail: Option<String>,
    /// A BGP table (MSEE, gateway, router): `source` is the speaker it was learned from.
    pub bgp: bool,
    /// The user route's name, for a User row.
    pub udr: Option<String>,
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
    pub warning: Option<String>,
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
    pub fn forwarders(&self) -> Vec<Place> {
        self.steps
            .iter()
            .filter(|s| matches!(s.place, Place::Nva(_) | Place::Firewall(_)))
            .map(|s| s.place.clone())
            .collect()
    }
}
