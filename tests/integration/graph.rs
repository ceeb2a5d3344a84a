//! `ersim graph`: the topology (petgraph) and its dot rendering. Expected edges come from the
//! designs themselves (the seed article's diagram, the bundled scenarios' blocks) and from the
//! rules the labels name (R35 global peering, R36 Connected, R41 gateway transit, R52 a session
//! over its limit carries nothing).

use ersim::Simulation;
use ersim::topology::{LinkKind, Topology};

use super::common::*;

/// Every edge as `from -> to: what`, in graph order.
fn edges(sim: &Simulation) -> Vec<String> {
    let t = Topology::of(sim);
    t.graph
        .raw_edges()
        .iter()
        .map(|e| {
            let what = match &e.weight.kind {
                LinkKind::Peering { connected, global, uses_gateways } => format!(
                    "{}peering{}{}",
                    if *global { "global " } else { "" },
                    if *uses_gateways { ", uses gateways" } else { "" },
                    if *connected { "" } else { ", not connected" }
                ),
                LinkKind::Hosts => "hosts".into(),
                LinkKind::ExpressRoute { weight } => format!("ExpressRoute weight {weight}"),
                LinkKind::PrivatePeering => "private peering".into(),
                LinkKind::SiteToSite { bgp } => format!("site-to-site bgp={bgp}"),
                LinkKind::VnetToVnet { bgp } => format!("VNet-to-VNet bgp={bgp}"),
                LinkKind::RouteServerPeer => "BGP".into(),
                LinkKind::BranchToBranch => "branch-to-branch".into(),
            };
            let down = if e.weight.down.is_some() { " (down)" } else { "" };
            format!("{} -> {}: {what}{down}", t.name(&sim.model, e.source()), t.name(&sim.model, e.target()))
        })
        .collect()
}

#[test]
fn the_seed_graph_is_the_article_diagram() {
    // Two hubs with an ExpressRoute gateway each on circuit01, two spokes per hub using their
    // hub's gateways, and no spoke-to-spoke or hub-to-hub peering.
    let s = sim(&seed_text());
    let e = edges(&s);
    let mut sorted = e.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "ergw-hub00 -> circuit01: ExpressRoute weight 0",
            "ergw-hub100 -> circuit01: ExpressRoute weight 0",
            "hub00 -> ergw-hub00: hosts",
            "hub100 -> ergw-hub100: hosts",
            "spoke10 -> hub00: peering, uses gateways",
            "spoke110 -> hub100: peering, uses gateways",
            "spoke120 -> hub100: peering, uses gateways",
            "spoke20 -> hub00: peering, uses gateways",
        ]
    );
    assert_eq!(Topology::of(&s).graph.node_count(), 6 + 2 + 1, "6 VNets, 2 gateways, 1 circuit");
}

#[test]
fn global_peerings_and_transit_over_them_are_labelled() {
    let s = sim(&bundled_text("two-regions-global-peering.toml"));
    let e = edges(&s);
    for want in [
        "spoke-weu1 -> hub-weu: peering, uses gateways",
        "spoke-neu1 -> hub-neu: peering, uses gateways",
        "spoke-neu2 -> hub-weu: global peering, uses gateways",
        "hub-neu -> hub-weu: global peering",
    ] {
        assert!(e.iter().any(|x| x == want), "missing `{want}` in\n{}", e.join("\n"));
    }
}

#[test]
fn a_one_sided_peering_is_drawn_not_connected() {
    // R36: a peering whose other direction does not exist is Initiated and carries nothing.
    let text = r#"
[[vnet]]
name = "a"
address_space = ["10.1.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.1.0.0/24"

[[vnet]]
name = "b"
address_space = ["10.2.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.2.0.0/24"

[[peering]]
from = "a"
to = "b"
"#;
    let s = sim(text);
    assert_eq!(edges(&s), ["a -> b: peering, not connected"]);
    let dot = ersim::report::graph::dot(&s);
    assert!(dot.contains("not connected\" style = dashed dir = none"), "{dot}");
}

#[test]
fn route_servers_nvas_vpn_and_branch_to_branch_appear() {
    let s = sim(&bundled_text("er-vpn-coexistence-route-server.toml"));
    let e = edges(&s);
    assert!(e.iter().any(|x| x.starts_with("rs-hub -> ") && x.ends_with(": branch-to-branch")), "{}", e.join("\n"));
    assert!(e.iter().any(|x| x.contains(": site-to-site bgp=")), "{}", e.join("\n"));
    assert!(e.iter().any(|x| x == "hub -> rs-hub: hosts"), "{}", e.join("\n"));
    let s = sim(&bundled_text("route-server-nva-ecmp.toml"));
    let e = edges(&s);
    let nva_peers = e.iter().filter(|x| x.ends_with(": BGP")).count();
    assert_eq!(nva_peers, s.model.bgp_peers.len(), "one BGP edge per NVA peer\n{}", e.join("\n"));
}

#[test]
fn a_session_over_its_prefix_limit_is_red_with_the_reason() {
    // R52: 4,001 prefixes over a Standard circuit's private peering: the session drops.
    let adv: Vec<String> = (0..4001u32).map(|i| format!("\"172.{}.{}.0/24\"", 16 + i / 256, i % 256)).collect();
    let text = hub(&format!(
        r#"
[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
sku = "Standard"

[[connection]]
name = "conn"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "dc"
asn = 65001
circuits = ["c1"]
advertise = [{}]
"#,
        adv.join(", ")
    ));
    let s = sim(&text);
    let e = edges(&s);
    assert!(e.iter().any(|x| x == "dc -> c1: private peering (down)"), "{}", e.join("\n"));
    assert!(
        e.iter().any(|x| x == "ergw -> c1: ExpressRoute weight 0"),
        "the connection itself is up\n{}",
        e.join("\n")
    );
    let dot = ersim::report::graph::dot(&s);
    let line = dot.lines().find(|l| l.contains("private peering")).expect("private peering edge");
    assert!(line.contains("color = red"), "{line}");
    assert!(
        line.contains("session down: the BGP session is down: 4001 prefixes offered, Azure's limit is 4000"),
        "{line}"
    );
    // one fewer prefix: the session is up and drawn normally
    let within = text.replace(&format!("{}, ", adv[4000 - 1]), "");
    let dot = ersim::report::graph::dot(&sim(&within));
    assert!(!dot.contains("color = red"), "{dot}");
}

#[test]
fn dot_output_is_well_formed() {
    // Every bundled scenario: one digraph, balanced brackets and quotes, an edge line per edge
    // and a node line per node, and every edge's ends declared.
    for f in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let p = f.unwrap().path();
        let s = sim(&std::fs::read_to_string(&p).unwrap());
        let dot = ersim::report::graph::dot(&s);
        let t = Topology::of(&s);
        assert!(dot.starts_with("digraph {\n") && dot.trim_end().ends_with('}'), "{}", p.display());
        let nodes: Vec<&str> = dot.lines().filter(|l| l.contains(" [ label") && !l.contains("->")).collect();
        let edge_lines: Vec<&str> = dot.lines().filter(|l| l.contains(" -> ")).collect();
        assert_eq!(nodes.len(), t.graph.node_count(), "{}", p.display());
        assert_eq!(edge_lines.len(), t.graph.edge_count(), "{}", p.display());
        for l in nodes.iter().chain(&edge_lines) {
            let unescaped = l.replace("\\\\", "").replace("\\\"", "");
            assert_eq!(unescaped.matches('"').count() % 2, 0, "unbalanced quotes: {l}");
            assert!(l.trim_end().ends_with(']'), "{l}");
        }
        for l in &edge_lines {
            let (a, rest) = l.trim().split_once(" -> ").unwrap();
            let b = rest.split_whitespace().next().unwrap();
            for id in [a, b] {
                let n: usize = id.parse().unwrap_or_else(|_| panic!("node id `{id}` in {l}"));
                assert!(n < t.graph.node_count(), "{l}");
            }
        }
    }
}

#[test]
fn graph_command_prints_dot() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ersim"))
        .args(["graph", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("digraph {"), "{s}");
    assert!(s.contains("label = \"spoke10\\neastasia\\n10.10.0.0/16\" shape = box"), "{s}");
}

/// A Mermaid flowchart checked line by line: the header, node definitions with balanced label
/// brackets, links between defined nodes, and a link style naming existing links only.
fn check_mermaid(text: &str) -> (Vec<String>, usize) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("graph LR"), "{text}");
    let mut nodes: Vec<String> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut links = 0;
    let shapes = [("([\"", "\"])"), ("{{\"", "\"}}"), ("[/\"", "\"\\]"), ("[[\"", "\"]]"), ("[\"", "\"]")];
    for l in lines {
        let l = l.strip_prefix("  ").unwrap_or_else(|| panic!("indented: {l}"));
        if let Some(style) = l.strip_prefix("linkStyle ") {
            let (ids, css) = style.split_once(' ').expect("ids and style");
            assert_eq!(css, "stroke:red,color:red");
            assert!(ids.split(',').all(|i| i.parse::<usize>().is_ok_and(|i| i < links)), "{l}");
            continue;
        }
        let id: String = l.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        assert!(id.starts_with('n') && id[1..].parse::<usize>().is_ok(), "node id in {l}");
        let rest = &l[id.len()..];
        if let Some((open, close)) = shapes.iter().find(|(o, _)| rest.starts_with(o)) {
            assert!(rest.ends_with(close), "shape closes as it opens: {l}");
            let label = &rest[open.len()..rest.len() - close.len()];
            assert!(!label.contains('"'), "quotes in labels are entities: {l}");
            nodes.push(id);
            labels.push(label.to_string());
            continue;
        }
        let rest = rest.strip_prefix(' ').expect("a link");
        let (line, rest) = rest.split_at(rest.find(['|', ' ']).expect("link then target"));
        assert!(["---", "-->", "-.-", "-.->", "===", "==>"].contains(&line), "link kind `{line}` in {l}");
        let target = match rest.strip_prefix("|\"") {
            Some(r) => {
                let (label, after) = r.split_once("\"| ").expect("a closed link label");
                assert!(!label.contains('"'), "{l}");
                after
            }
            None => rest.trim_start(),
        };
        assert!(nodes.contains(&id) && nodes.iter().any(|n| n == target), "link between defined nodes: {l}");
        links += 1;
    }
    (labels, links)
}

#[test]
fn mermaid_output_holds_every_vnet_and_the_circuit_and_parses() {
    let s = sim(&seed_text());
    let text = ersim::report::graph::mermaid(&s);
    let (labels, links) = check_mermaid(&text);
    let t = Topology::of(&s);
    assert_eq!((labels.len(), links), (t.graph.node_count(), t.graph.edge_count()), "{text}");
    for name in ["hub00", "hub100", "spoke10", "spoke20", "spoke110", "spoke120", "circuit01"] {
        assert!(labels.iter().any(|l| l.starts_with(&format!("{name}<br/>"))), "{name} is a node\n{text}");
    }
    // Every bundled scenario renders to a well-formed chart too.
    for f in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let p = f.unwrap().path();
        check_mermaid(&ersim::report::graph::mermaid(&sim(&std::fs::read_to_string(&p).unwrap())));
    }
}

#[test]
fn mermaid_marks_a_down_session_red() {
    let adv: Vec<String> = (0..4001u32).map(|i| format!("\"172.{}.{}.0/24\"", 16 + i / 256, i % 256)).collect();
    let text = hub(&format!(
        "[[gateway]]\nname = \"ergw\"\nvnet = \"hub\"\ntype = \"ExpressRoute\"\n\n[[circuit]]\nname = \"c1\"\n\n[[connection]]\nname = \"conn\"\ngateway = \"ergw\"\ncircuit = \"c1\"\n\n[[onprem]]\nname = \"dc\"\nasn = 65001\ncircuits = [\"c1\"]\nadvertise = [{}]\n",
        adv.join(", ")
    ));
    let chart = ersim::report::graph::mermaid(&sim(&text));
    check_mermaid(&chart);
    let links: Vec<&str> = chart.lines().filter(|l| l.contains(" -") || l.contains(" =")).collect();
    let i = links.iter().position(|l| l.contains("private peering")).expect("private peering link");
    assert!(links[i].contains("session down"), "{chart}");
    assert!(chart.contains(&format!("linkStyle {i} stroke:red")), "{chart}");
}

#[test]
fn graph_command_prints_mermaid_with_output_mermaid() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ersim"))
        .args([
            "graph",
            "-o",
            "mermaid",
            concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("graph LR\n"));
}
