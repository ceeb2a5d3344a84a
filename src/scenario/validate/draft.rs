//! The draft model: what the passes have resolved so far, under the ids the model will have.
//!
//! Ids are assigned as in the model (name order per kind; subnets by VNet then name; peerings by
//! `from→to` names), so a draft item and its model item share an id. A reference that did not
//! resolve is `None` (its error is already reported), and the rules after it see only what
//! resolved. [`Draft::build`] assembles the [`Model`] when there is no error, which is exactly
//! when every reference has resolved.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::values::UNSPECIFIED;
use crate::model::*;
use crate::resolve::Directory;

/// A gateway: its VNet and type when they resolved.
pub(super) struct GatewayDraft {
    pub(super) name: String,
    pub(super) vnet: Option<VnetId>,
    pub(super) kind: Option<GatewayKind>,
    pub(super) sku: GatewaySku,
    pub(super) asn: u32,
    pub(super) bgp: bool,
    pub(super) active_active: bool,
    pub(super) allow_remote_vnet_traffic: bool,
    pub(super) ips: Vec<IpAddr>,
    pub(super) default_site: Option<LocalGatewayId>,
    /// Where `default_site` is written (checked against the connections later).
    pub(super) default_site_span: Option<Span>,
    pub(super) public_ip: IpAddr,
    pub(super) public_ip_placeholder: bool,
    pub(super) span: Span,
}

impl GatewayDraft {
    /// The type the connection rules go by: ExpressRoute when `type` did not parse (that error is
    /// already reported).
    pub(super) fn kind_or_er(&self) -> GatewayKind {
        self.kind.unwrap_or(GatewayKind::ExpressRoute)
    }

    /// Whether BGP is on as the connection rules see it: a gateway whose VNet or type did not
    /// resolve counts as BGP off.
    pub(super) fn bgp_on(&self) -> bool {
        self.vnet.is_some() && self.kind.is_some() && self.bgp
    }

    fn build(self) -> Option<Gateway> {
        Some(Gateway {
            name: self.name,
            vnet: self.vnet?,
            kind: self.kind?,
            sku: self.sku,
            asn: self.asn,
            bgp: self.bgp,
            active_active: self.active_active,
            allow_remote_vnet_traffic: self.allow_remote_vnet_traffic,
            ips: self.ips,
            default_site: self.default_site,
            public_ip: self.public_ip,
            public_ip_placeholder: self.public_ip_placeholder,
            span: self.span,
        })
    }
}

/// A route server: its VNet when it resolved.
pub(super) struct RouteServerDraft {
    pub(super) name: String,
    pub(super) vnet: Option<VnetId>,
    pub(super) branch_to_branch: bool,
    pub(super) ips: Vec<IpAddr>,
    pub(super) span: Span,
}

/// A firewall: its VNet and AzureFirewallSubnet when they resolved, its address when it has one.
pub(super) struct FirewallDraft {
    pub(super) name: String,
    pub(super) vnet: Option<VnetId>,
    pub(super) subnet: Option<SubnetId>,
    pub(super) ip: Option<IpAddr>,
    pub(super) span: Span,
}

/// An on-premises router: its ASN when it is valid.
pub(super) struct OnpremDraft {
    pub(super) name: String,
    pub(super) asn: Option<u32>,
    pub(super) circuits: Vec<CircuitId>,
    pub(super) advertise: Vec<IpNet>,
    pub(super) paths: BTreeMap<IpNet, Vec<u32>>,
    pub(super) prepend: BTreeMap<CircuitId, u32>,
    pub(super) span: Span,
}

/// A connection: its gateway and what it connects to, when they resolved.
pub(super) struct ConnectionDraft {
    pub(super) name: String,
    pub(super) gateway: Option<GatewayId>,
    pub(super) kind: Option<ConnectionKind>,
    pub(super) span: Span,
}

/// A NIC: its VNet and subnet when both resolved, its address once it has one.
pub(super) struct NicDraft {
    pub(super) name: String,
    pub(super) at: Option<(VnetId, SubnetId)>,
    pub(super) ip: Option<IpAddr>,
    pub(super) ip_forwarding: bool,
    pub(super) stateful: bool,
    pub(super) vm: Option<String>,
    pub(super) primary: bool,
    pub(super) span: Span,
}

/// A load balancer: its VNet, frontend subnet and address when they resolved.
pub(super) struct LoadBalancerDraft {
    pub(super) name: String,
    pub(super) vnet: Option<VnetId>,
    pub(super) subnet: Option<SubnetId>,
    pub(super) frontend_ip: Option<IpAddr>,
    pub(super) backends: Vec<NicId>,
    pub(super) ha_ports: bool,
    pub(super) span: Span,
}

/// An NVA's BGP peering: its NIC, route server and ASN when they resolved.
pub(super) struct BgpPeerDraft {
    pub(super) name: String,
    pub(super) nic: Option<NicId>,
    pub(super) route_server: Option<RouteServerId>,
    pub(super) asn: Option<u32>,
    pub(super) advertise: Vec<Advert>,
    pub(super) span: Span,
}

/// One peering direction (only directions between two resolved VNets are kept).
pub(super) struct PeeringDraft {
    pub(super) peering: Peering,
    /// The name of the remote VNet as written, where the one-directional warning points.
    pub(super) key_span: Span,
}

/// Everything resolved so far, by id.
#[derive(Default)]
pub(super) struct Draft {
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) system_routes: SystemRoutes,
    pub(super) route_tables: Vec<RouteTable>,
    pub(super) vnets: Vec<Vnet>,
    pub(super) subnets: Vec<Subnet>,
    pub(super) gateways: Vec<GatewayDraft>,
    pub(super) route_servers: Vec<RouteServerDraft>,
    pub(super) firewalls: Vec<FirewallDraft>,
    pub(super) circuits: Vec<Circuit>,
    pub(super) onprems: Vec<OnpremDraft>,
    pub(super) local_gateways: Vec<LocalGateway>,
    pub(super) connections: Vec<ConnectionDraft>,
    pub(super) nics: Vec<NicDraft>,
    pub(super) load_balancers: Vec<LoadBalancerDraft>,
    pub(super) bgp_peers: Vec<BgpPeerDraft>,
    pub(super) peerings: Vec<PeeringDraft>,
    pub(super) expects: Vec<Expect>,
}

impl Draft {
    /// The subnet of a VNet reserved for a role (GatewaySubnet, RouteServerSubnet, AzureFirewallSubnet).
    pub(super) fn special_subnet(&self, v: VnetId, role: SubnetRole) -> Option<SubnetId> {
        self.vnets[v.idx()].subnets.iter().copied().find(|s| self.subnets[s.idx()].role == role)
    }

    /// `vnet/subnet` name of a subnet.
    pub(super) fn subnet_path(&self, s: SubnetId) -> String {
        let subnet = &self.subnets[s.idx()];
        format!("{}/{}", self.vnets[subnet.vnet.idx()].name, subnet.name)
    }

    /// For each peering direction, the index of the reverse direction when it exists (R36).
    pub(super) fn reverse(&self) -> Vec<Option<usize>> {
        let by_pair: BTreeMap<(VnetId, VnetId), usize> =
            self.peerings.iter().enumerate().map(|(i, p)| ((p.peering.from, p.peering.to), i)).collect();
        self.peerings.iter().map(|p| by_pair.get(&(p.peering.to, p.peering.from)).copied()).collect()
    }

    /// The names of everything `[[expect]]` can name, with every item's name (resolved or not).
    pub(super) fn directory(&self) -> Directory<'_> {
        Directory {
            nics: self.nics.iter().map(|n| (n.name.as_str(), n.vm.as_deref(), n.primary)).collect(),
            vnets: self.vnets.iter().map(|v| v.name.as_str()).collect(),
            subnets: self.subnets.iter().map(|s| (s.vnet, s.name.as_str())).collect(),
            onprems: self.onprems.iter().map(|o| o.name.as_str()).collect(),
            firewalls: self.firewalls.iter().map(|f| f.name.as_str()).collect(),
            load_balancers: self.load_balancers.iter().map(|l| l.name.as_str()).collect(),
        }
    }

    /// The model, when every reference resolved (always, when no error was reported). Its lookups
    /// ([`Model::index`]) are not built yet.
    pub(super) fn build(self) -> Option<Model> {
        Some(Model {
            name: self.name,
            description: self.description,
            system_routes: self.system_routes,
            vnets: self.vnets,
            subnets: self.subnets,
            nics: all(self.nics, |n| {
                let (vnet, subnet) = n.at?;
                Some(Nic {
                    name: n.name,
                    vnet,
                    subnet,
                    ip: n.ip?,
                    ip_forwarding: n.ip_forwarding,
                    stateful: n.stateful,
                    vm: n.vm,
                    primary: n.primary,
                    span: n.span,
                })
            })?,
            peerings: self.peerings.into_iter().map(|p| p.peering).collect(),
            gateways: all(self.gateways, GatewayDraft::build)?,
            circuits: self.circuits,
            onprems: all(self.onprems, |o| {
                Some(Onprem {
                    name: o.name,
                    asn: o.asn?,
                    circuits: o.circuits,
                    advertise: o.advertise,
                    paths: o.paths,
                    prepend: o.prepend,
                    span: o.span,
                })
            })?,
            connections: all(self.connections, |c| {
                Some(Connection { name: c.name, gateway: c.gateway?, kind: c.kind?, span: c.span })
            })?,
            local_gateways: self.local_gateways,
            route_servers: all(self.route_servers, |r| {
                Some(RouteServer {
                    name: r.name,
                    vnet: r.vnet?,
                    branch_to_branch: r.branch_to_branch,
                    ips: r.ips,
                    span: r.span,
                })
            })?,
            bgp_peers: all(self.bgp_peers, |b| {
                Some(BgpPeer {
                    name: b.name,
                    nic: b.nic?,
                    route_server: b.route_server?,
                    asn: b.asn?,
                    advertise: b.advertise,
                    span: b.span,
                })
            })?,
            load_balancers: all(self.load_balancers, |l| {
                Some(LoadBalancer {
                    name: l.name,
                    vnet: l.vnet?,
                    subnet: l.subnet?,
                    frontend_ip: l.frontend_ip?,
                    backends: l.backends,
                    ha_ports: l.ha_ports,
                    span: l.span,
                })
            })?,
            route_tables: self.route_tables,
            firewalls: all(self.firewalls, |f| {
                Some(Firewall {
                    name: f.name,
                    vnet: f.vnet?,
                    subnet: f.subnet?,
                    // An AzureFirewallSubnet too small for a `.4` is not refused (yet).
                    ip: f.ip.unwrap_or(UNSPECIFIED),
                    span: f.span,
                })
            })?,
            expects: self.expects,
            ix: Index::default(),
        })
    }
}

/// Every draft item built, or `None` if one cannot be.
fn all<D, T>(items: Vec<D>, build: impl Fn(D) -> Option<T>) -> Option<Vec<T>> {
    items.into_iter().map(build).collect()
}
