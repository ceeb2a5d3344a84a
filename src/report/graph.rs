//! `ersim graph`: the estate's topology as a Graphviz `dot` digraph, rendered by petgraph's
//! `dot` writer with ersim's labels and styles. Peerings are drawn from the VNet that uses the
//! other's gateways (an arrow toward the hub), plain peerings without arrowheads; a peering that
//! is not Connected both ways is dashed; a session that carries nothing is red with the reason.

use std::fmt::Write;

use petgraph::dot::{Config, Dot, RankDir};

use crate::model::{GatewayKind, Model};
use crate::simulation::Simulation;
use crate::topology::{LinkKind, Node, Topology};

/// Quote a string for a `dot` attribute value.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn node_attrs(m: &Model, n: &Node) -> String {
    let (label, shape) = match n {
        Node::Vnet(v) => {
            let v = &m.vnets[v.idx()];
            let spaces: Vec<String> = v.address_space.iter().map(|p| p.to_string()).collect();
            (format!("{}\n{}\n{}", v.name, v.region, spaces.join(", ")), "box")
        }
        Node::Gateway(g) => {
            let g = &m.gateways[g.idx()];
            let kind = match g.kind {
                GatewayKind::ExpressRoute => "ExpressRoute gateway",
                GatewayKind::Vpn => "VPN gateway",
            };
            (format!("{}\n{kind} {}\nAS {}", g.name, g.sku, g.asn), "ellipse")
        }
        Node::Circuit(c) => {
            let c = &m.circuits[c.idx()];
            (format!("{}\n{} circuit", c.name, c.sku), "hexagon")
        }
        Node::Onprem(o) => {
            let o = &m.onprems[o.idx()];
            (format!("{}\non-premises AS {}", o.name, o.asn), "house")
        }
        Node::LocalGateway(l) => (format!("{}\nlocal network gateway", m.local_gateways[l.idx()].name), "house"),
        Node::RouteServer(r) => (format!("{}\nroute server", m.route_servers[r.idx()].name), "ellipse"),
        Node::Nva(b) => {
            let b = &m.bgp_peers[b.idx()];
            (format!("{}\nNVA AS {}, {}", b.name, b.asn, m.nics[b.nic.idx()].ip), "component")
        }
        Node::Firewall(f) => {
            let f = &m.firewalls[f.idx()];
            (format!("{}\nAzure Firewall {}", f.name, f.ip), "octagon")
        }
    };
    format!("label = {} shape = {shape} ", quoted(&label))
}

/// The `dot` text of a simulated estate's topology.
pub fn dot(sim: &Simulation) -> String {
    let m = &sim.model;
    let t = Topology::of(sim);
    let edge_attrs = |_, e: petgraph::graph::EdgeReference<'_, crate::topology::Link>| {
        let l = e.weight();
        let named = |what: &str| match &l.name {
            Some(n) => format!("{n}\n{what}"),
            None => what.to_string(),
        };
        let bgp = |b: bool| if b { "BGP" } else { "static" };
        let (mut label, mut style, arrow) = match &l.kind {
            LinkKind::Peering { connected, global, uses_gateways } => {
                let mut s = if *global { "global peering".to_string() } else { "peering".to_string() };
                if *uses_gateways {
                    s.push_str("\nuses gateways");
                }
                if !connected {
                    s.push_str("\nnot connected");
                }
                (s, if *connected { "solid" } else { "dashed" }, *uses_gateways)
            }
            LinkKind::Hosts => (String::new(), "dotted", false),
            LinkKind::ExpressRoute { weight } => (named(&format!("weight {weight}")), "bold", false),
            LinkKind::PrivatePeering => ("private peering".to_string(), "bold", false),
            LinkKind::SiteToSite { bgp: b } => (named(&format!("site-to-site, {}", bgp(*b))), "solid", false),
            LinkKind::VnetToVnet { bgp: b } => (named(&format!("VNet-to-VNet, {}", bgp(*b))), "solid", true),
            LinkKind::RouteServerPeer => ("BGP".to_string(), "solid", false),
            LinkKind::BranchToBranch => ("branch-to-branch".to_string(), "solid", false),
        };
        let mut out = String::new();
        if let Some(r) = &l.down {
            let _ = write!(label, "\nsession down: {} [{}]", r.describe(m), r.rule());
            style = "dashed";
            out.push_str("color = red fontcolor = red ");
        }
        if !label.is_empty() {
            let _ = write!(out, "label = {} ", quoted(&label));
        }
        let _ = write!(out, "style = {style} ");
        if !arrow {
            out.push_str("dir = none ");
        }
        out
    };
    let node = |_, (_, n): (petgraph::graph::NodeIndex, &Node)| node_attrs(m, n);
    let config = [Config::NodeNoLabel, Config::EdgeNoLabel, Config::RankDir(RankDir::LR)];
    format!("{:?}", Dot::with_attr_getters(&t.graph, &config, &edge_attrs, &node))
}
