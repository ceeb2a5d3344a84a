//! Topology: the estate as a graph — VNets, gateways, circuits, on-premises routers, route
//! servers, NVAs and firewalls as nodes; peerings, connections, private peerings and BGP
//! peerings as edges — annotated with what propagation found (a session down over a prefix
//! limit, R52/R66/R76). It owns the graph `ersim graph` draws.
//!
//! Built on petgraph. Nodes and edges are added in a canonical order (by kind, then name), never
//! in file order, so the graph — and every rendering of it — is the same whatever the order of
//! the scenario's blocks.

use std::collections::BTreeMap;

use petgraph::graph::{Graph, NodeIndex};

use crate::bgp::{Reason, SessionKind, Speaker};
use crate::model::*;
use crate::simulation::Simulation;

/// One element of the estate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    /// A virtual network.
    Vnet(VnetId),
    /// An ExpressRoute or VPN gateway.
    Gateway(GatewayId),
    /// An ExpressRoute circuit (its MSEE pair).
    Circuit(CircuitId),
    /// An on-premises router.
    Onprem(OnpremId),
    /// A local network gateway not tied to an on-premises router (static site-to-site).
    LocalGateway(LocalGatewayId),
    /// A route server.
    RouteServer(RouteServerId),
    /// An NVA peering with a route server.
    Nva(BgpPeerId),
    /// An Azure Firewall.
    Firewall(FirewallId),
}

/// What joins two elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A VNet peering pair (R35–R37). `uses_gateways`: the edge's source VNet uses the target's
    /// gateways (R41).
    Peering {
        /// Both directions exist with virtual network access (R36).
        connected: bool,
        /// Across regions (global peering, R35).
        global: bool,
        /// The source VNet uses the target's gateways.
        uses_gateways: bool,
    },
    /// The element sits in the VNet (a gateway, route server or firewall).
    Hosts,
    /// An ExpressRoute connection from gateway to circuit, with its routing weight (D9).
    ExpressRoute {
        /// Routing weight.
        weight: u32,
    },
    /// An on-premises router's private peering with a circuit.
    PrivatePeering,
    /// A site-to-site VPN connection from gateway to site.
    SiteToSite {
        /// BGP over the tunnel.
        bgp: bool,
    },
    /// A VNet-to-VNet VPN connection, one direction.
    VnetToVnet {
        /// BGP over the tunnel.
        bgp: bool,
    },
    /// An NVA's BGP peering with a route server (R70).
    RouteServerPeer,
    /// Branch-to-branch between a route server and a gateway in its VNet (R74).
    BranchToBranch,
}

/// An edge of the topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// What it is.
    pub kind: LinkKind,
    /// The connection's name, where the link is one.
    pub name: Option<String>,
    /// Why the BGP session on this link carries nothing, if it does not (R52/R66/R76).
    pub down: Option<Reason>,
}

/// The estate's graph.
#[derive(Clone, Debug)]
pub struct Topology {
    /// Nodes and edges, in canonical order.
    pub graph: Graph<Node, Link>,
}

/// An edge before it is added: its ends, a sort key (kind rank, name) and the link.
type PendingEdge = (NodeIndex, NodeIndex, u8, String, Link);

impl Topology {
    /// Build the graph of a simulated estate.
    pub fn of(sim: &Simulation) -> Topology {
        let m = &sim.model;
        let (mut graph, at) = Self::nodes(m);
        let mut edges = Self::edges(m, &at);
        Self::mark_down_sessions(sim, &at, &mut edges);
        edges.sort_by(|x, y| (x.0, x.2, x.1, &x.3).cmp(&(y.0, y.2, y.1, &y.3)));
        for (a, b, _, _, l) in edges {
            graph.add_edge(a, b, l);
        }
        Topology { graph }
    }

    /// Every element as a node, in canonical order (by kind, then name).
    fn nodes(m: &Model) -> (Graph<Node, Link>, BTreeMap<Node, NodeIndex>) {
        let mut nodes: Vec<(u8, &str, Node)> = Vec::new();
        for (i, v) in m.vnets.iter().enumerate() {
            nodes.push((0, &v.name, Node::Vnet(VnetId(i as u32))));
        }
        for (i, g) in m.gateways.iter().enumerate() {
            nodes.push((1, &g.name, Node::Gateway(GatewayId(i as u32))));
        }
        for (i, r) in m.route_servers.iter().enumerate() {
            nodes.push((2, &r.name, Node::RouteServer(RouteServerId(i as u32))));
        }
        for (i, f) in m.firewalls.iter().enumerate() {
            nodes.push((3, &f.name, Node::Firewall(FirewallId(i as u32))));
        }
        for (i, b) in m.bgp_peers.iter().enumerate() {
            nodes.push((4, &b.name, Node::Nva(BgpPeerId(i as u32))));
        }
        for (i, c) in m.circuits.iter().enumerate() {
            nodes.push((5, &c.name, Node::Circuit(CircuitId(i as u32))));
        }
        for (i, o) in m.onprems.iter().enumerate() {
            nodes.push((6, &o.name, Node::Onprem(OnpremId(i as u32))));
        }
        for (i, l) in m.local_gateways.iter().enumerate() {
            if l.onprem.is_none() {
                nodes.push((7, &l.name, Node::LocalGateway(LocalGatewayId(i as u32))));
            }
        }
        nodes.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let mut graph: Graph<Node, Link> = Graph::with_capacity(nodes.len(), m.peerings.len() + m.connections.len());
        let mut at: BTreeMap<Node, NodeIndex> = BTreeMap::new();
        for (_, _, n) in nodes {
            let ix = graph.add_node(n.clone());
            at.insert(n, ix);
        }
        (graph, at)
    }

    /// Every link, each with a sort key.
    fn edges(m: &Model, at: &BTreeMap<Node, NodeIndex>) -> Vec<PendingEdge> {
        let mut edges: Vec<PendingEdge> = Vec::new();
        let link = |kind: LinkKind, name: Option<String>| Link { kind, name, down: None };
        Self::peering_edges(m, at, &mut edges);
        for (i, g) in m.gateways.iter().enumerate() {
            let g_at = at[&Node::Gateway(GatewayId(i as u32))];
            edges.push((at[&Node::Vnet(g.vnet)], g_at, 1, String::new(), link(LinkKind::Hosts, None)));
        }
        for (i, r) in m.route_servers.iter().enumerate() {
            let rs = at[&Node::RouteServer(RouteServerId(i as u32))];
            edges.push((at[&Node::Vnet(r.vnet)], rs, 1, String::new(), link(LinkKind::Hosts, None)));
            if r.branch_to_branch {
                for g in [m.ix.er_gateway[r.vnet.idx()], m.ix.vpn_gateway[r.vnet.idx()]].into_iter().flatten() {
                    edges.push((rs, at[&Node::Gateway(g)], 2, String::new(), link(LinkKind::BranchToBranch, None)));
                }
            }
        }
        for (i, f) in m.firewalls.iter().enumerate() {
            let f_at = at[&Node::Firewall(FirewallId(i as u32))];
            edges.push((at[&Node::Vnet(f.vnet)], f_at, 1, String::new(), link(LinkKind::Hosts, None)));
        }
        for (i, b) in m.bgp_peers.iter().enumerate() {
            let rs = at[&Node::RouteServer(b.route_server)];
            let nva = at[&Node::Nva(BgpPeerId(i as u32))];
            edges.push((rs, nva, 3, String::new(), link(LinkKind::RouteServerPeer, None)));
        }
        for c in &m.connections {
            let gw = at[&Node::Gateway(c.gateway)];
            let (to, kind) = match c.kind {
                ConnectionKind::ExpressRoute { circuit, routing_weight } => {
                    (at[&Node::Circuit(circuit)], LinkKind::ExpressRoute { weight: routing_weight })
                }
                ConnectionKind::SiteToSite { local_gateway, bgp } => {
                    let site = match m.local_gateways[local_gateway.idx()].onprem {
                        Some(o) => Node::Onprem(o),
                        None => Node::LocalGateway(local_gateway),
                    };
                    (at[&site], LinkKind::SiteToSite { bgp })
                }
                ConnectionKind::VnetToVnet { remote_gateway, bgp } => {
                    (at[&Node::Gateway(remote_gateway)], LinkKind::VnetToVnet { bgp })
                }
            };
            edges.push((gw, to, 4, c.name.clone(), link(kind, Some(c.name.clone()))));
        }
        for (i, o) in m.onprems.iter().enumerate() {
            for c in &o.circuits {
                let (a, b) = (at[&Node::Onprem(OnpremId(i as u32))], at[&Node::Circuit(*c)]);
                edges.push((a, b, 5, String::new(), link(LinkKind::PrivatePeering, None)));
            }
        }
        edges
    }

    /// One edge per peered pair: from the VNet that uses the other's gateways, else by name.
    fn peering_edges(m: &Model, at: &BTreeMap<Node, NodeIndex>, edges: &mut Vec<PendingEdge>) {
        for (i, p) in m.peerings.iter().enumerate() {
            let pid = PeeringId(i as u32);
            let back = m.ix.reverse[i];
            let uses = p.use_remote_gateways && m.connected(pid);
            let reverse_uses = back.is_some_and(|b| m.peerings[b.idx()].use_remote_gateways);
            let first = match back {
                None => true,
                Some(_) if uses => true,
                Some(_) if reverse_uses => false,
                Some(_) => m.vnets[p.from.idx()].name < m.vnets[p.to.idx()].name,
            };
            if !first {
                continue;
            }
            let access = p.allow_virtual_network_access
                && back.is_some_and(|b| m.peerings[b.idx()].allow_virtual_network_access);
            let kind = LinkKind::Peering {
                connected: m.connected(pid) && access,
                global: m.is_global(pid),
                uses_gateways: uses,
            };
            let (a, b) = (at[&Node::Vnet(p.from)], at[&Node::Vnet(p.to)]);
            edges.push((a, b, 0, String::new(), Link { kind, name: None, down: None }));
        }
    }

    /// What propagation found: a session over a prefix limit carries nothing (its link is down).
    fn mark_down_sessions(sim: &Simulation, at: &BTreeMap<Node, NodeIndex>, edges: &mut [PendingEdge]) {
        let m = &sim.model;
        for s in &sim.bgp.sessions {
            let Some(reason) = &s.down else { continue };
            let node_of = |sp: Speaker| match sp {
                Speaker::Onprem(o) => Node::Onprem(o),
                Speaker::Circuit(c) => Node::Circuit(c),
                Speaker::Gateway(g) => Node::Gateway(g),
                Speaker::RouteServer(r) => Node::RouteServer(r),
                Speaker::Nva(b) => Node::Nva(b),
            };
            let a = node_of(sim.bgp.speakers[s.from.0 as usize]);
            let b = node_of(sim.bgp.speakers[s.to.0 as usize]);
            let name = s.connection.map(|c| m.connections[c.idx()].name.clone());
            let wanted = |k: &LinkKind| {
                matches!(
                    (s.kind, k),
                    (SessionKind::PrivatePeering, LinkKind::PrivatePeering)
                        | (SessionKind::ExpressRoute, LinkKind::ExpressRoute { .. })
                        | (SessionKind::SiteToSite, LinkKind::SiteToSite { .. })
                        | (SessionKind::VnetToVnet, LinkKind::VnetToVnet { .. })
                        | (SessionKind::RouteServerPeer, LinkKind::RouteServerPeer)
                        | (SessionKind::BranchToBranch, LinkKind::BranchToBranch)
                )
            };
            let (ia, ib) = (at.get(&a), at.get(&b));
            for e in edges.iter_mut() {
                let ends = (Some(&e.0), Some(&e.1));
                let same_ends = ends == (ia, ib) || ends == (ib, ia);
                if same_ends && wanted(&e.4.kind) && (name.is_none() || e.4.name == name) {
                    // both directions of a link may be down: keep the larger overrun, whatever
                    // the order the sessions were made in
                    let overrun = |r: &Reason| match r {
                        Reason::SessionDown { limit, count } => (*count, *limit),
                        _ => (0, 0),
                    };
                    if e.4.down.as_ref().is_none_or(|d| overrun(reason) > overrun(d)) {
                        e.4.down = Some(reason.clone());
                    }
                }
            }
        }
    }

    /// The display name of a node.
    pub fn name<'m>(&self, m: &'m Model, n: NodeIndex) -> &'m str {
        match &self.graph[n] {
            Node::Vnet(v) => &m.vnets[v.idx()].name,
            Node::Gateway(g) => &m.gateways[g.idx()].name,
            Node::Circuit(c) => &m.circuits[c.idx()].name,
            Node::Onprem(o) => &m.onprems[o.idx()].name,
            Node::LocalGateway(l) => &m.local_gateways[l.idx()].name,
            Node::RouteServer(r) => &m.route_servers[r.idx()].name,
            Node::Nva(b) => &m.bgp_peers[b.idx()].name,
            Node::Firewall(f) => &m.firewalls[f.idx()].name,
        }
    }
}
