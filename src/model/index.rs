//! The model itself and the lookups derived from its arenas once (peerings per VNet, gateways
//! and routing domain per VNet, transit spokes, NICs per subnet, …).

use std::collections::BTreeMap;

use super::*;

/// A valid scenario, resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// `name` of the scenario.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// The reserved-None profile (D3).
    pub system_routes: SystemRoutes,
    /// VNets by id.
    pub vnets: Vec<Vnet>,
    /// Subnets by id.
    pub subnets: Vec<Subnet>,
    /// NICs by id.
    pub nics: Vec<Nic>,
    /// Peering directions by id.
    pub peerings: Vec<Peering>,
    /// Gateways by id.
    pub gateways: Vec<Gateway>,
    /// Circuits by id.
    pub circuits: Vec<Circuit>,
    /// On-premises routers by id.
    pub onprems: Vec<Onprem>,
    /// Connections by id.
    pub connections: Vec<Connection>,
    /// Local network gateways by id.
    pub local_gateways: Vec<LocalGateway>,
    /// Route servers by id.
    pub route_servers: Vec<RouteServer>,
    /// NVA BGP peers by id.
    pub bgp_peers: Vec<BgpPeer>,
    /// Load balancers by id.
    pub load_balancers: Vec<LoadBalancer>,
    /// Route tables by id.
    pub route_tables: Vec<RouteTable>,
    /// Firewalls by id.
    pub firewalls: Vec<Firewall>,
    /// Expectations, in a canonical order.
    pub expects: Vec<Expect>,
    /// Derived lookups (see [`Model::index`]).
    pub ix: Index,
}

/// Lookups derived from the arenas once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    /// Outgoing peerings per VNet, by remote VNet name.
    pub peerings_from: Vec<Vec<PeeringId>>,
    /// For each peering direction, the reverse direction when it exists (Connected, R36).
    pub reverse: Vec<Option<PeeringId>>,
    /// The ExpressRoute gateway of each VNet.
    pub er_gateway: Vec<Option<GatewayId>>,
    /// The VPN gateway of each VNet.
    pub vpn_gateway: Vec<Option<GatewayId>>,
    /// The route server of each VNet.
    pub route_server: Vec<Option<RouteServerId>>,
    /// The VNet whose gateways and route server a VNet's subnets get routes from (its domain):
    /// itself when it has any, its hub when it uses remote gateways over a Connected peering (R38).
    pub domain: Vec<Option<VnetId>>,
    /// Spokes using each VNet's gateways (over Connected peerings), by name.
    pub transit_spokes: Vec<Vec<VnetId>>,
    /// Subnets each route table is associated with.
    pub route_table_subnets: Vec<Vec<SubnetId>>,
    /// Connections of each gateway, by name.
    pub gateway_connections: Vec<Vec<ConnectionId>>,
    /// NICs of each subnet, by address.
    pub subnet_nics: Vec<Vec<NicId>>,
    /// BGP peers of each route server, by name.
    pub route_server_peers: Vec<Vec<BgpPeerId>>,
    /// ExpressRoute connections on each circuit, by name.
    pub circuit_connections: Vec<Vec<ConnectionId>>,
}

impl Model {
    /// Build the derived lookups. Call after any change to the arenas.
    pub fn index(&mut self) {
        let nv = self.vnets.len();
        let mut ix = Index {
            peerings_from: vec![Vec::new(); nv],
            reverse: vec![None; self.peerings.len()],
            er_gateway: vec![None; nv],
            vpn_gateway: vec![None; nv],
            route_server: vec![None; nv],
            domain: vec![None; nv],
            transit_spokes: vec![Vec::new(); nv],
            route_table_subnets: vec![Vec::new(); self.route_tables.len()],
            gateway_connections: vec![Vec::new(); self.gateways.len()],
            subnet_nics: vec![Vec::new(); self.subnets.len()],
            route_server_peers: vec![Vec::new(); self.route_servers.len()],
            circuit_connections: vec![Vec::new(); self.circuits.len()],
        };
        let mut by_pair: BTreeMap<(VnetId, VnetId), PeeringId> = BTreeMap::new();
        for (i, p) in self.peerings.iter().enumerate() {
            let id = PeeringId(i as u32);
            ix.peerings_from[p.from.idx()].push(id);
            by_pair.insert((p.from, p.to), id);
        }
        for (i, p) in self.peerings.iter().enumerate() {
            ix.reverse[i] = by_pair.get(&(p.to, p.from)).copied();
        }
        for list in &mut ix.peerings_from {
            list.sort_by(|a, b| {
                self.vnets[self.peerings[a.idx()].to.idx()].name.cmp(&self.vnets[self.peerings[b.idx()].to.idx()].name)
            });
        }
        for (i, g) in self.gateways.iter().enumerate() {
            let slot = match g.kind {
                GatewayKind::ExpressRoute => &mut ix.er_gateway[g.vnet.idx()],
                GatewayKind::Vpn => &mut ix.vpn_gateway[g.vnet.idx()],
            };
            slot.get_or_insert(GatewayId(i as u32));
        }
        for (i, r) in self.route_servers.iter().enumerate() {
            ix.route_server[r.vnet.idx()].get_or_insert(RouteServerId(i as u32));
        }
        // R38, R47: a VNet with its own gateway or route server is its own domain; a spoke using
        // remote gateways over a Connected peering joins its hub's domain.
        for v in 0..nv {
            if ix.er_gateway[v].is_some() || ix.vpn_gateway[v].is_some() || ix.route_server[v].is_some() {
                ix.domain[v] = Some(VnetId(v as u32));
            }
        }
        for v in 0..nv {
            if ix.domain[v].is_some() {
                continue;
            }
            for &p in &ix.peerings_from[v] {
                let peer = &self.peerings[p.idx()];
                let Some(rev) = ix.reverse[p.idx()] else { continue };
                let hub = peer.to;
                if peer.use_remote_gateways
                    && self.peerings[rev.idx()].allow_gateway_transit
                    && ix.domain[hub.idx()] == Some(hub)
                {
                    ix.domain[v] = Some(hub);
                    ix.transit_spokes[hub.idx()].push(VnetId(v as u32));
                    break;
                }
            }
        }
        for list in &mut ix.transit_spokes {
            list.sort_by(|a, b| self.vnets[a.idx()].name.cmp(&self.vnets[b.idx()].name));
        }
        for (i, s) in self.subnets.iter().enumerate() {
            if let Some(rt) = s.route_table {
                ix.route_table_subnets[rt.idx()].push(SubnetId(i as u32));
            }
        }
        for (i, c) in self.connections.iter().enumerate() {
            let id = ConnectionId(i as u32);
            ix.gateway_connections[c.gateway.idx()].push(id);
            if let ConnectionKind::ExpressRoute { circuit, .. } = c.kind {
                ix.circuit_connections[circuit.idx()].push(id);
            }
        }
        for (i, n) in self.nics.iter().enumerate() {
            ix.subnet_nics[n.subnet.idx()].push(NicId(i as u32));
        }
        for list in &mut ix.subnet_nics {
            list.sort_by_key(|n| (self.nics[n.idx()].ip, n.0));
        }
        for (i, b) in self.bgp_peers.iter().enumerate() {
            ix.route_server_peers[b.route_server.idx()].push(BgpPeerId(i as u32));
        }
        self.ix = ix;
    }

    /// Forget where each item was written (every span becomes `0..0`): two models read from texts
    /// that differ only in layout, or one edited in memory, then compare equal when they describe
    /// the same design.
    pub fn clear_spans(&mut self) {
        fn clear<T>(items: &mut [T], span: impl Fn(&mut T) -> &mut Span) {
            for it in items {
                *span(it) = 0..0;
            }
        }
        clear(&mut self.vnets, |x| &mut x.span);
        clear(&mut self.subnets, |x| &mut x.span);
        clear(&mut self.nics, |x| &mut x.span);
        clear(&mut self.peerings, |x| &mut x.span);
        clear(&mut self.gateways, |x| &mut x.span);
        clear(&mut self.circuits, |x| &mut x.span);
        clear(&mut self.onprems, |x| &mut x.span);
        clear(&mut self.connections, |x| &mut x.span);
        clear(&mut self.local_gateways, |x| &mut x.span);
        clear(&mut self.route_servers, |x| &mut x.span);
        clear(&mut self.bgp_peers, |x| &mut x.span);
        clear(&mut self.load_balancers, |x| &mut x.span);
        clear(&mut self.firewalls, |x| &mut x.span);
        clear(&mut self.expects, |x| &mut x.span);
        for t in &mut self.route_tables {
            t.span = 0..0;
            clear(&mut t.routes, |x| &mut x.span);
        }
    }

    /// Whether a peering direction is Connected (both directions exist, R36).
    pub fn connected(&self, p: PeeringId) -> bool {
        self.ix.reverse[p.idx()].is_some()
    }

    /// Whether a peering crosses regions (global peering, R35).
    pub fn is_global(&self, p: PeeringId) -> bool {
        let p = &self.peerings[p.idx()];
        self.vnets[p.from.idx()].region != self.vnets[p.to.idx()].region
    }

    /// Connected peers of a VNet with the peering direction from it, by remote name.
    pub fn connected_peers(&self, v: VnetId) -> impl Iterator<Item = (PeeringId, VnetId)> + '_ {
        self.ix.peerings_from[v.idx()].iter().filter(|p| self.connected(**p)).map(|p| (*p, self.peerings[p.idx()].to))
    }

    /// The subnet of a VNet reserved for a role (GatewaySubnet, RouteServerSubnet, AzureFirewallSubnet).
    pub fn special_subnet(&self, v: VnetId, role: SubnetRole) -> Option<SubnetId> {
        self.vnets[v.idx()].subnets.iter().copied().find(|s| self.subnets[s.idx()].role == role)
    }

    /// A gateway's GatewaySubnet (validation guarantees it exists).
    pub fn gateway_subnet(&self, g: GatewayId) -> SubnetId {
        self.special_subnet(self.gateways[g.idx()].vnet, SubnetRole::Gateway)
            .expect("a gateway's VNet has a GatewaySubnet")
    }

    /// The VNet of a subnet.
    pub fn subnet_vnet(&self, s: SubnetId) -> &Vnet {
        &self.vnets[self.subnets[s.idx()].vnet.idx()]
    }

    /// `vnet/subnet` name of a subnet.
    pub fn subnet_path(&self, s: SubnetId) -> String {
        format!("{}/{}", self.subnet_vnet(s).name, self.subnets[s.idx()].name)
    }

    /// The gateway and route-server VNet whose routes a VNet's subnets get (its domain).
    pub fn domain_of(&self, v: VnetId) -> Option<VnetId> {
        self.ix.domain[v.idx()]
    }

    /// Find a VNet by name.
    pub fn vnet_by_name(&self, name: &str) -> Option<VnetId> {
        self.vnets.iter().position(|v| v.name == name).map(|i| VnetId(i as u32))
    }

    /// Find a NIC by name.
    pub fn nic_by_name(&self, name: &str) -> Option<NicId> {
        self.nics.iter().position(|v| v.name == name).map(|i| NicId(i as u32))
    }

    /// Find a subnet by `vnet/subnet`.
    pub fn subnet_by_path(&self, path: &str) -> Option<SubnetId> {
        let (v, s) = path.split_once('/')?;
        let v = self.vnet_by_name(v)?;
        self.vnets[v.idx()].subnets.iter().copied().find(|id| self.subnets[id.idx()].name == s)
    }

    /// Find a gateway by name.
    pub fn gateway_by_name(&self, name: &str) -> Option<GatewayId> {
        self.gateways.iter().position(|v| v.name == name).map(|i| GatewayId(i as u32))
    }

    /// Find a circuit by name.
    pub fn circuit_by_name(&self, name: &str) -> Option<CircuitId> {
        self.circuits.iter().position(|v| v.name == name).map(|i| CircuitId(i as u32))
    }

    /// Find an on-premises router by name.
    pub fn onprem_by_name(&self, name: &str) -> Option<OnpremId> {
        self.onprems.iter().position(|v| v.name == name).map(|i| OnpremId(i as u32))
    }

    /// Find a route server by name.
    pub fn route_server_by_name(&self, name: &str) -> Option<RouteServerId> {
        self.route_servers.iter().position(|v| v.name == name).map(|i| RouteServerId(i as u32))
    }

    /// Find a BGP peer by name.
    pub fn bgp_peer_by_name(&self, name: &str) -> Option<BgpPeerId> {
        self.bgp_peers.iter().position(|v| v.name == name).map(|i| BgpPeerId(i as u32))
    }
}

#[cfg(test)]
mod tests {
    const SEED: &str = include_str!("../../scenarios/seed-multi-hub-expressroute.toml");

    #[test]
    fn models_of_texts_that_differ_only_in_layout_are_equal_without_spans() {
        let a = crate::scenario::parse("a", SEED.to_string()).expect("valid").model;
        let moved = format!("# a comment that moves every block\n\n{}", SEED.replace("\n[[", "\n\n[["));
        let mut b = crate::scenario::parse("b", moved).expect("valid").model;
        assert_ne!(a, b, "the spans differ");
        let mut a2 = a.clone();
        a2.clear_spans();
        b.clear_spans();
        assert_eq!(a2, b);
        b.nics[0].ip_forwarding = !b.nics[0].ip_forwarding;
        assert_ne!(a2, b, "a setting is part of the design");
    }
}
