//! `ersim graph`: the estate's topology as a Graphviz `dot` digraph (petgraph's `dot` writer with
//! ersim's labels and styles) or as a Mermaid flowchart. Peerings are drawn from the VNet that uses the
//! other's gateways (an arrow toward the hub), plain peerings without arrowheads; a peering that
//! is not Connected both ways is dashed; a session that carries nothing is red with the reason.

use std::fmt::Write;

use petgraph::dot::{Config, Dot, RankDir};

use crate::model::{GatewayKind, Model};
use crate::simulation::Simulation;
use crate::topology::{Link, LinkKind, Node, Topology};

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

/// How a node is drawn: its label lines and its shape (Graphviz names).
fn node_view(m: &Model, n: &Node) -> (String, &'static str) {
    match n {
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
    }
}

/// How a link is drawn.
struct EdgeView {
    label: String,
    /// `solid`, `dashed`, `dotted` or `bold` (Graphviz names).
    style: &'static str,
    /// An arrowhead at the target (a spoke using a hub's gateways, a VNet-to-VNet direction).
    arrow: bool,
    /// The session on it carries nothing.
    down: bool,
}

fn edge_view(m: &Model, l: &Link) -> EdgeView {
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
    if let Some(r) = &l.down {
        let _ = write!(label, "\nsession down: {} [{}]", r.describe(m), r.rule());
        style = "dashed";
    }
    EdgeView { label, style, arrow, down: l.down.is_some() }
}

/// The `dot` text of a simulated estate's topology.
pub fn dot(sim: &Simulation) -> String {
    let m = &sim.model;
    let t = Topology::of(sim);
    let edge_attrs = |_, e: petgraph::graph::EdgeReference<'_, Link>| {
        let v = edge_view(m, e.weight());
        let mut out = String::new();
        if v.down {
            out.push_str("color = red fontcolor = red ");
        }
        if !v.label.is_empty() {
            let _ = write!(out, "label = {} ", quoted(&v.label));
        }
        let _ = write!(out, "style = {} ", v.style);
        if !v.arrow {
            out.push_str("dir = none ");
        }
        out
    };
    let node = |_, (_, n): (petgraph::graph::NodeIndex, &Node)| {
        let (label, shape) = node_view(m, n);
        format!("label = {} shape = {shape} ", quoted(&label))
    };
    let config = [Config::NodeNoLabel, Config::EdgeNoLabel, Config::RankDir(RankDir::LR)];
    format!("{:?}", Dot::with_attr_getters(&t.graph, &config, &edge_attrs, &node))
}

/// A label as Mermaid text: quotes and angle brackets as entities, line breaks as `<br/>`.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The topology as a Mermaid flowchart (renders in GitHub and Azure DevOps Markdown without
/// Graphviz): the same nodes, links, labels and red down sessions as [`dot`].
pub fn mermaid(sim: &Simulation) -> String {
    let m = &sim.model;
    let t = Topology::of(sim);
    let mut out = String::from("graph LR\n");
    for ix in t.graph.node_indices() {
        let (label, shape) = node_view(m, &t.graph[ix]);
        let (open, close) = match shape {
            "box" => ("[\"", "\"]"),
            "ellipse" => ("([\"", "\"])"),
            "hexagon" | "octagon" => ("{{\"", "\"}}"),
            "house" => ("[/\"", "\"\\]"),
            _ => ("[[\"", "\"]]"),
        };
        let _ = writeln!(out, "  n{}{open}{}{close}", ix.index(), mermaid_text(&label));
    }
    let mut red = Vec::new();
    for (i, e) in t.graph.edge_indices().enumerate() {
        let (a, b) = t.graph.edge_endpoints(e).expect("an edge has ends");
        let v = edge_view(m, &t.graph[e]);
        let line = match (v.style, v.arrow) {
            ("dashed" | "dotted", true) => "-.->",
            ("dashed" | "dotted", false) => "-.-",
            ("bold", true) => "==>",
            ("bold", false) => "===",
            (_, true) => "-->",
            (_, false) => "---",
        };
        let label = if v.label.is_empty() { String::new() } else { format!("|\"{}\"|", mermaid_text(&v.label)) };
        let _ = writeln!(out, "  n{} {line}{label} n{}", a.index(), b.index());
        if v.down {
            red.push(i.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(out, "  linkStyle {} stroke:red,color:red", red.join(","));
    }
    out
}
