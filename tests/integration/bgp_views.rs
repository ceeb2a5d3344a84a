//! BGP views and what a gateway sends on each session (rulebook Part M; R50 split horizon).
//! Expected rows are written from the rules, never from ersim's output.

use std::collections::BTreeSet;

use ersim::Simulation;
use ersim::bgp::{SessionKind, Speaker, SpeakerId};
use serde_json::Value;

use super::common::*;

/// A hub with a BGP VPN gateway and two sites, each a local gateway with its own static prefixes
/// and BGP peer address, and a router behind it advertising one LAN.
fn two_sites() -> String {
    r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
asn = 65515

[[onprem]]
name = "site-a"
asn = 65010
advertise = ["10.50.0.0/16"]

[[local_gateway]]
name = "lng-a"
address_prefixes = ["192.168.255.0/30"]
bgp_asn = 65010
bgp_peer_ip = "192.168.255.1"
onprem = "site-a"

[[connection]]
name = "s2s-a"
gateway = "vpngw"
local_gateway = "lng-a"
bgp = true

[[onprem]]
name = "site-b"
asn = 65020
advertise = ["10.60.0.0/16"]

[[local_gateway]]
name = "lng-b"
address_prefixes = ["192.168.254.0/30"]
bgp_asn = 65020
bgp_peer_ip = "192.168.254.1"
onprem = "site-b"

[[connection]]
name = "s2s-b"
gateway = "vpngw"
local_gateway = "lng-b"
bgp = true
"#
    .to_string()
}

/// What the gateway advertises to an on-premises router, as prefixes.
fn advertised_to(sim: &ersim::Simulation, router: &str) -> BTreeSet<String> {
    let b = &sim.bgp;
    let o = sim.model.onprem_by_name(router).unwrap();
    let to = b.onprem_speaker[o.idx()];
    let s = b
        .sessions
        .iter()
        .position(|s| s.to == to && s.kind == SessionKind::SiteToSite)
        .expect("a BGP session toward the router");
    assert!(matches!(b.speakers[b.sessions[s].from.0 as usize], Speaker::Gateway(_)));
    b.advertised(ersim::bgp::SessionId(s as u32)).into_iter().map(|(p, _)| p.to_string()).collect()
}

#[test]
fn split_horizon_nothing_goes_back_to_the_local_gateway_it_came_from() {
    // R50: a local gateway's own address_prefixes, its BGP peer /32 and what its router advertised
    // are not sent back to it (published device tables: "PfxRcd 1", only the VNet's space) but do
    // go to every other connection.
    let s = sim(&two_sites());
    let to_a = advertised_to(&s, "site-a");
    let expected_a: BTreeSet<String> =
        ["10.0.0.0/16", "10.60.0.0/16", "192.168.254.0/30", "192.168.254.1/32"].iter().map(|x| x.to_string()).collect();
    assert_eq!(to_a, expected_a, "to site-a: the hub, and site-b's prefixes only");
    let to_b = advertised_to(&s, "site-b");
    let expected_b: BTreeSet<String> =
        ["10.0.0.0/16", "10.50.0.0/16", "192.168.255.0/30", "192.168.255.1/32"].iter().map(|x| x.to_string()).collect();
    assert_eq!(to_b, expected_b, "to site-b: the hub, and site-a's prefixes only");
}

#[test]
fn a_single_site_receives_only_the_vnet_space() {
    // The published case: one site, its device holds one prefix from Azure (PfxRcd 1).
    let text = two_sites();
    let one = text[..text.find("[[onprem]]\nname = \"site-b\"").unwrap()].to_string();
    let s = sim(&one);
    assert_eq!(advertised_to(&s, "site-a"), BTreeSet::from(["10.0.0.0/16".to_string()]));
}

// ---- Part M: the views `ersim bgp` prints (M1–M6), in the az shape.

/// A speaker by its flag (`gateway`, `circuit`, `onprem`, `route-server`, `bgp-peer`) and name.
fn speaker(sim: &Simulation, kind: &str, name: &str) -> SpeakerId {
    let mut n =
        ersim::app::SpeakerName { gateway: None, circuit: None, onprem: None, route_server: None, bgp_peer: None };
    match kind {
        "gateway" => n.gateway = Some(name),
        "circuit" => n.circuit = Some(name),
        "onprem" => n.onprem = Some(name),
        "route-server" => n.route_server = Some(name),
        "bgp-peer" => n.bgp_peer = Some(name),
        _ => panic!("unknown speaker kind {kind}"),
    }
    ersim::app::speaker(sim, n).unwrap_or_else(|e| panic!("{kind} {name}: {e}"))
}

/// The JSON `ersim bgp` prints for a speaker (learned or advertised), parsed.
fn view_json(sim: &Simulation, kind: &str, name: &str, advertised: bool) -> Value {
    let which = if advertised { ersim::report::bgp::View::Advertised } else { ersim::report::bgp::View::Learned };
    let v = ersim::report::bgp::view(sim, speaker(sim, kind, name), which);
    serde_json::from_str(&ersim::report::bgp::json(sim, &v)).expect("bgp JSON parses")
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Each entry as `localAddress|network|nextHop|sourcePeer|origin|asPath|weight|state`, in order.
fn entries(v: &Value) -> Vec<String> {
    v["value"]
        .as_array()
        .expect("a value array")
        .iter()
        .map(|e| {
            let keys = ["localAddress", "network", "nextHop", "sourcePeer", "origin", "asPath", "weight"];
            let mut s: Vec<String> = keys.iter().map(|k| cell(&e[*k])).collect();
            s.push(cell(&e["ersim"]["state"]));
            s.join("|")
        })
        .collect()
}

fn learned(sim: &Simulation, kind: &str, name: &str) -> Vec<String> {
    entries(&view_json(sim, kind, name, false))
}

fn assert_contains(actual: &[String], expected: &[String]) {
    let missing: Vec<&String> = expected.iter().filter(|e| !actual.contains(e)).collect();
    assert!(missing.is_empty(), "missing rows:\n{}\n--- actual\n{}", join(&missing), actual.join("\n"));
}

fn join(v: &[&String]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
}

const SEED_LINKS: [&str; 2] = ["10.2.146.76", "10.2.146.77"];

#[test]
fn seed_er_gateway_lists_every_route_once_per_instance_with_the_msee_links_as_next_hops() {
    // M1: ergw-hub00 has no `ips`, so its instances are the first two free addresses of its
    // GatewaySubnet (10.0.200.0/24) from .4: 10.0.200.4 and .5. M2: it originates hub00, spoke10
    // and spoke20 (R50) as Network rows. M3: it learns hub100's side from the MSEE, one row per
    // circuit link (next hop = source peer = the link), AS path `12076 12076` (D8). The MSEE also
    // reflects its own prefixes, which it rejects (D8; "Decisions beyond the rulebook"). M4: 32768.
    let s = sim(&seed_text());
    let mut expected = Vec::new();
    for inst in ["10.0.200.4", "10.0.200.5"] {
        for own in ["10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16"] {
            expected.push(format!("{inst}|{own}|null|{inst}|Network||32768|Best"));
            for l in SEED_LINKS {
                expected.push(format!("{inst}|{own}|{l}|{l}|EBgp|12076-12076|32768|Rejected"));
            }
        }
        for far in ["10.100.0.0/16", "10.110.0.0/16", "10.120.0.0/16"] {
            for l in SEED_LINKS {
                expected.push(format!("{inst}|{far}|{l}|{l}|EBgp|12076-12076|32768|Best"));
            }
        }
    }
    // Deterministic order: instance, then prefix, then next hop (null first).
    assert_eq!(learned(&s, "gateway", "ergw-hub00"), expected);
}

#[test]
fn bgp_json_has_the_az_keys_and_types() {
    let s = sim(&seed_text());
    let v = view_json(&s, "gateway", "ergw-hub00", false);
    let value = v["value"].as_array().expect("{\"value\": [...]}");
    assert!(!value.is_empty());
    let keys = ["asPath", "ersim", "localAddress", "network", "nextHop", "origin", "sourcePeer", "weight"];
    for e in value {
        let got: BTreeSet<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(got, keys.iter().copied().collect(), "{e}");
        assert!(e["weight"].is_u64(), "weight is a number: {e}");
        assert!(e["asPath"].is_string(), "asPath is a string: {e}");
        assert!(e["localAddress"].is_string() && e["sourcePeer"].is_string(), "{e}");
    }
    let own = value.iter().find(|e| e["origin"] == "Network").unwrap();
    assert_eq!(own["nextHop"], Value::Null, "an own route has a null next hop (M2)");
    assert_eq!(own["asPath"], "", "and an empty AS path");
    assert_eq!(own["weight"], 32768);
    assert_eq!(own["sourcePeer"], own["localAddress"], "its source is the instance itself (M2)");
    let learned = value.iter().find(|e| e["network"] == "10.100.0.0/16").unwrap();
    assert_eq!(learned["asPath"], "12076-12076", "AS paths are dash-joined");
    assert_eq!(learned["ersim"]["state"], "Best");
    assert!(learned["ersim"].get("reason").is_none() && learned["ersim"].get("peer").is_none());
    let echo = value.iter().find(|e| e["network"] == "10.0.0.0/16" && e["origin"] == "EBgp").unwrap();
    assert_eq!(echo["ersim"]["state"], "Rejected");
    assert_eq!(echo["ersim"]["rules"], serde_json::json!(["D8"]));
    assert!(echo["ersim"]["reason"].as_str().unwrap().contains("originates this prefix itself"), "{echo}");
}

#[test]
fn the_msee_table_has_the_express_route_shape() {
    // `az network express-route list-route-tables`: network, nextHop, locPrf, weight, path. The MSEE
    // learns each gateway's space from each gateway instance (M1: .4 and .5 of each GatewaySubnet).
    let s = sim(&seed_text());
    let v = view_json(&s, "circuit", "circuit01", false);
    let value = v["value"].as_array().unwrap();
    let keys: BTreeSet<&str> = ["ersim", "locPrf", "network", "nextHop", "path", "weight"].into_iter().collect();
    let mut rows = Vec::new();
    for e in value {
        assert_eq!(e.as_object().unwrap().keys().map(String::as_str).collect::<BTreeSet<_>>(), keys, "{e}");
        // az prints locPrf as a string (empty without a local preference), weight as a number.
        assert!(e["locPrf"].is_string() && e["weight"].is_number(), "{e}");
        rows.push(format!(
            "{}|{}|{}|{}",
            cell(&e["network"]),
            cell(&e["nextHop"]),
            cell(&e["path"]),
            cell(&e["weight"])
        ));
    }
    let mut expected = Vec::new();
    for (prefixes, gw) in [
        (["10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16"], "10.0.200"),
        (["10.100.0.0/16", "10.110.0.0/16", "10.120.0.0/16"], "10.100.200"),
    ] {
        for p in prefixes {
            for i in [4, 5] {
                expected.push(format!("{p}|{gw}.{i}|65515|0"));
            }
        }
    }
    assert_eq!(rows, expected);
}

#[test]
fn active_active_vpn_lists_each_instance_its_sibling_copies_and_network_rows() {
    // M1: instances 10.20.255.6 and .7 (`ips`); each also holds the copy the other learned over
    // the site-to-site session (IBgp, the original next hop, the sibling as source). M2: the VNet
    // and spokes, the local gateway's static prefix and its BGP peer /32 are Network rows. M3: the
    // router's routes come with next hop = source = the local gateway's bgp_peer_ip. Within an
    // instance and prefix, rows sort by next hop, then source (null next hops first).
    let s = sim(&bundled_text("active-active-vpn-bgp.toml"));
    let expected: Vec<String> = [
        "10.20.255.6|10.20.0.0/16|null|10.20.255.6|Network||32768|Best",
        "10.20.255.6|10.21.0.0/16|null|10.20.255.6|Network||32768|Best",
        "10.20.255.6|10.22.0.0/16|null|10.20.255.6|Network||32768|Best",
        "10.20.255.6|172.20.0.0/16|172.31.255.1|10.20.255.7|IBgp|65010|32768|Valid",
        "10.20.255.6|172.20.0.0/16|172.31.255.1|172.31.255.1|EBgp|65010|32768|Best",
        "10.20.255.6|172.21.0.0/16|172.31.255.1|10.20.255.7|IBgp|65010|32768|Valid",
        "10.20.255.6|172.21.0.0/16|172.31.255.1|172.31.255.1|EBgp|65010|32768|Best",
        "10.20.255.6|172.31.255.1/32|null|10.20.255.6|Network||32768|Best",
        "10.20.255.6|192.168.50.0/24|null|10.20.255.6|Network||32768|Best",
        "10.20.255.7|10.20.0.0/16|null|10.20.255.7|Network||32768|Best",
        "10.20.255.7|10.21.0.0/16|null|10.20.255.7|Network||32768|Best",
        "10.20.255.7|10.22.0.0/16|null|10.20.255.7|Network||32768|Best",
        "10.20.255.7|172.20.0.0/16|172.31.255.1|10.20.255.6|IBgp|65010|32768|Valid",
        "10.20.255.7|172.20.0.0/16|172.31.255.1|172.31.255.1|EBgp|65010|32768|Best",
        "10.20.255.7|172.21.0.0/16|172.31.255.1|10.20.255.6|IBgp|65010|32768|Valid",
        "10.20.255.7|172.21.0.0/16|172.31.255.1|172.31.255.1|EBgp|65010|32768|Best",
        "10.20.255.7|172.31.255.1/32|null|10.20.255.7|Network||32768|Best",
        "10.20.255.7|192.168.50.0/24|null|10.20.255.7|Network||32768|Best",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(learned(&s, "gateway", "vpngw-hub"), expected);
}

#[test]
fn active_standby_vpn_has_one_instance_and_shows_the_local_gateway_as_next_hop() {
    // M1: an active-standby gateway lists its first `ips` entry only (10.0.255.4, the default
    // .4 of GatewaySubnet). M2: the local gateway's static prefix and its BGP peer /32 are Network
    // rows (the published `192.168.100.0/32 | null | "" | Network | 10.2.0.4` shape). M3: the
    // router's LAN has next hop = source = the local gateway's bgp_peer_ip, never the gateway's
    // public address that R48 puts into effective routes.
    let s = sim(&two_sites());
    let rows = learned(&s, "gateway", "vpngw");
    let expected: Vec<String> = [
        "10.0.255.4|10.0.0.0/16|null|10.0.255.4|Network||32768|Best",
        "10.0.255.4|10.50.0.0/16|192.168.255.1|192.168.255.1|EBgp|65010|32768|Best",
        "10.0.255.4|10.60.0.0/16|192.168.254.1|192.168.254.1|EBgp|65020|32768|Best",
        "10.0.255.4|192.168.254.0/30|null|10.0.255.4|Network||32768|Best",
        "10.0.255.4|192.168.254.1/32|null|10.0.255.4|Network||32768|Best",
        "10.0.255.4|192.168.255.0/30|null|10.0.255.4|Network||32768|Best",
        "10.0.255.4|192.168.255.1/32|null|10.0.255.4|Network||32768|Best",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(rows, expected);
    let public = s.model.gateways[s.model.gateway_by_name("vpngw").unwrap().idx()].public_ip.to_string();
    assert!(rows.iter().all(|r| !r.contains(&public)), "the R48 placeholder never shows in the BGP view");
}

#[test]
fn vpn_gateway_weighs_routes_from_its_own_er_gateway_32769() {
    // R67's conditions hold (Route Server with branch-to-branch, active-active VPN gateway with
    // ASN 65515). M4: what the VPN gateway learns from the ER gateway of its VNet, through the
    // Route Server, has weight 32769; M3: origin IBgp, source = a Route Server instance (.4/.5 of
    // RouteServerSubnet 10.0.1.0/26), next hop = the original one (an MSEE link), AS path as the
    // ER gateway got it (`12076 65001`). Everything else weighs 32768.
    let s = sim(&bundled_text("er-vpn-coexistence-route-server.toml"));
    let rows = learned(&s, "gateway", "vpngw-hub");
    let mut expected = Vec::new();
    for inst in ["10.0.0.4", "10.0.0.5"] {
        for link in ["10.254.0.2", "10.254.0.6"] {
            for rs in ["10.0.1.4", "10.0.1.5"] {
                expected.push(format!("{inst}|10.100.0.0/16|{link}|{rs}|IBgp|12076-65001|32769|Best"));
            }
        }
        // The branch's own LAN, over the site-to-site session: 32768.
        expected.push(format!("{inst}|192.168.10.0/24|192.168.255.10|192.168.255.10|EBgp|65010|32768|Best"));
    }
    assert_contains(&rows, &expected);
    let dc: Vec<&String> = rows.iter().filter(|r| r.contains("|10.100.0.0/16|")).collect();
    assert_eq!(dc.len(), 8, "2 instances x 2 Route Server instances x 2 links:\n{}", join(&dc));
    assert!(rows.iter().filter(|r| r.contains("|32769|")).all(|r| r.contains("|IBgp|12076-")), "{}", rows.join("\n"));

    // M1: the ER gateway has no `ips`: the first two free addresses of GatewaySubnet after the
    // VPN gateway's instances (.4, .5) are .6 and .7. The Route Server hears it over iBGP at 32768.
    let er = learned(&s, "gateway", "ergw-hub");
    let locals: BTreeSet<String> = er.iter().map(|r| r.split('|').next().unwrap().to_string()).collect();
    assert_eq!(locals, BTreeSet::from(["10.0.0.6".to_string(), "10.0.0.7".to_string()]));
    let rs = learned(&s, "route-server", "rs-hub");
    assert_contains(
        &rs,
        &[
            "10.0.1.4|10.100.0.0/16|10.254.0.2|10.0.0.6|IBgp|12076-65001|32768|Best".to_string(),
            "10.0.1.5|10.100.0.0/16|10.254.0.6|10.0.0.7|IBgp|12076-65001|32768|Best".to_string(),
        ],
    );
}

/// Two hubs on one circuit; hub-a has a Route Server with branch-to-branch and an NVA.
fn two_hubs_with_nva() -> String {
    r#"
[[vnet]]
name = "hub-a"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"
  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.0.254.0/27"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[vnet]]
name = "hub-b"
address_space = ["10.100.0.0/16"]
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.100.255.0/27"

[[gateway]]
name = "ergw-a"
vnet = "hub-a"
type = "ExpressRoute"
allow_remote_vnet_traffic = true

[[gateway]]
name = "ergw-b"
vnet = "hub-b"
type = "ExpressRoute"
allow_remote_vnet_traffic = true

[[circuit]]
name = "c1"
next_hops = ["172.16.0.1", "172.16.0.5"]

[[connection]]
name = "conn-a"
gateway = "ergw-a"
circuit = "c1"

[[connection]]
name = "conn-b"
gateway = "ergw-b"
circuit = "c1"

[[route_server]]
name = "rs-a"
vnet = "hub-a"
branch_to_branch = true

[[nic]]
name = "nic-nva"
vnet = "hub-a"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[bgp_peer]]
name = "nva1"
nic = "nic-nva"
route_server = "rs-a"
asn = 65001
advertise = ["10.50.0.0/16"]
"#
    .to_string()
}

#[test]
fn an_nva_route_relayed_over_the_circuit_shows_the_msee_links_not_the_nva() {
    // M3: ergw-b learns hub-a's NVA route from the MSEE, so its next hops are the circuit's links;
    // the NVA's address (10.0.1.4, another VNet) is what rs-a received, never what ergw-b did.
    let s = sim(&two_hubs_with_nva());
    let rows = learned(&s, "gateway", "ergw-b");
    let mut expected = Vec::new();
    for inst in ["10.100.255.4", "10.100.255.5"] {
        for l in ["172.16.0.1", "172.16.0.5"] {
            expected.push(format!("{inst}|10.50.0.0/16|{l}|{l}|EBgp|12076-65515-65001|32768|Best"));
        }
    }
    let got: Vec<String> = rows.iter().filter(|r| r.contains("|10.50.0.0/16|")).cloned().collect();
    assert_eq!(got, expected);
    assert!(rows.iter().all(|r| !r.contains("10.0.1.4")), "{}", rows.join("\n"));
    // rs-a holds it with the NVA's next hop and the NVA's NIC as source (M3), once per instance.
    let rs = learned(&s, "route-server", "rs-a");
    assert_contains(
        &rs,
        &[
            "10.0.254.4|10.50.0.0/16|10.0.1.4|10.0.1.4|EBgp|65001|32768|Best".to_string(),
            "10.0.254.5|10.50.0.0/16|10.0.1.4|10.0.1.4|EBgp|65001|32768|Best".to_string(),
        ],
    );
}

#[test]
fn the_nva_device_view_has_one_row_per_route_server_instance() {
    // M5: the NVA receives each route from both Route Server instances, next hop = that instance,
    // AS path as received (65515 first); its own advertisement is a Network row at its NIC
    // address. Received paths weigh 0 on a device, its own 32768 (a router's defaults).
    let s = sim(&two_hubs_with_nva());
    let rows = learned(&s, "bgp-peer", "nva1");
    let expected: Vec<String> = [
        "10.0.1.4|10.0.0.0/16|10.0.254.4|10.0.254.4|EBgp|65515|0|Best",
        "10.0.1.4|10.0.0.0/16|10.0.254.5|10.0.254.5|EBgp|65515|0|Best",
        "10.0.1.4|10.50.0.0/16|null|10.0.1.4|Network||32768|Best",
        // hub-b's space over the circuit, through ergw-a and rs-a (D8: `65515 12076 12076`).
        "10.0.1.4|10.100.0.0/16|10.0.254.4|10.0.254.4|EBgp|65515-12076-12076|0|Best",
        "10.0.1.4|10.100.0.0/16|10.0.254.5|10.0.254.5|EBgp|65515-12076-12076|0|Best",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(rows, expected);
}

#[test]
fn the_onprem_device_views_over_vpn_and_over_expressroute() {
    // M5 over site-to-site: the router (local address = its bgp_peer_ip) receives the VNet's and
    // spokes' space from each VPN instance, next hop = that instance, path = the gateway's ASN;
    // split horizon (R50) keeps its own prefixes from coming back. Its advertisements are Network.
    let s = sim(&bundled_text("active-active-vpn-bgp.toml"));
    let mut expected = Vec::new();
    for p in ["10.20.0.0/16", "10.21.0.0/16", "10.22.0.0/16"] {
        for i in ["10.20.255.6", "10.20.255.7"] {
            expected.push(format!("172.31.255.1|{p}|{i}|{i}|EBgp|65050|0|Best"));
        }
    }
    expected.push("172.31.255.1|172.20.0.0/16|null|172.31.255.1|Network||32768|Best".into());
    expected.push("172.31.255.1|172.21.0.0/16|null|172.31.255.1|Network||32768|Best".into());
    assert_eq!(learned(&s, "onprem", "dc-frankfurt"), expected);

    // Over ExpressRoute: one row per MSEE link, the MSEE's 12076 in front and private ASNs removed
    // (D8); the model has no address for the router's side of the private peering.
    let s = sim(&bundled_text("er-vpn-coexistence-route-server.toml"));
    let rows = learned(&s, "onprem", "dc-tokyo");
    let mut expected = Vec::new();
    for l in ["10.254.0.2", "10.254.0.6"] {
        expected.push(format!("null|10.0.0.0/16|{l}|{l}|EBgp|12076|0|Best"));
        expected.push(format!("null|192.168.10.0/24|{l}|{l}|EBgp|12076|0|Best"));
    }
    expected.push("null|10.100.0.0/16|null|null|Network||32768|Best".into());
    assert_contains(&rows, &expected);
}

#[test]
fn the_advertised_view_groups_by_session_and_narrows_to_one_peer() {
    // M6: ergw-hub00 sends hub00, spoke10 and spoke20 to each MSEE link (a session per link), from
    // each instance, next hop = the instance (eBGP), AS path as sent (`65515`); each row names its
    // peer. Weight is local to a router and not sent (0).
    let s = sim(&seed_text());
    let v = view_json(&s, "gateway", "ergw-hub00", true);
    let value = v["value"].as_array().unwrap();
    let mut expected = Vec::new();
    for l in SEED_LINKS {
        for inst in ["10.0.200.4", "10.0.200.5"] {
            for p in ["10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16"] {
                expected.push(format!("{inst}|{p}|{inst}|null|Network|65515|0|Best|circuit01|{l}"));
            }
        }
    }
    let got: Vec<String> = value
        .iter()
        .zip(entries(&v))
        .map(|(e, r)| format!("{r}|{}|{}", cell(&e["ersim"]["peer"]["name"]), cell(&e["ersim"]["peer"]["address"])))
        .collect();
    assert_eq!(got, expected);

    let sp = speaker(&s, "gateway", "ergw-hub00");
    let view = s.bgp.advertised_view(&s.model, sp);
    assert_eq!(view.groups.len(), 2, "one session per MSEE link");
    let one = view.clone().narrow_to_peer(&s.model, "10.2.146.77").expect("a peer address");
    assert_eq!(one.groups.len(), 1);
    assert!(one.rows().all(|r| r.peer.as_ref().unwrap().address.unwrap().to_string() == "10.2.146.77"));
    assert_eq!(one.rows().count(), 6);
    let by_name = view.clone().narrow_to_peer(&s.model, "CIRCUIT01").expect("names compare without case");
    assert_eq!(by_name.groups.len(), 2);
    let err = view.narrow_to_peer(&s.model, "circut01").expect_err("no such peer");
    assert_eq!(err.suggestions, ["circuit01"]);
    assert!(err.peers.contains(&"10.2.146.76".to_string()));
}

#[test]
fn the_advertised_view_of_a_vpn_gateway_applies_split_horizon_per_session() {
    // R50 through M6: toward site-a the gateway sends the hub and site-b's routes, never site-a's.
    let s = sim(&two_sites());
    let sp = speaker(&s, "gateway", "vpngw");
    let v = s.bgp.advertised_view(&s.model, sp).narrow_to_peer(&s.model, "192.168.255.1").expect("site-a's peer");
    let rows: Vec<String> = v
        .rows()
        .map(|r| {
            let path: Vec<String> = r.as_path.iter().map(|a| a.to_string()).collect();
            format!("{}|{}|{}|{}", r.local_address.unwrap(), r.network, r.next_hop.unwrap(), path.join("-"))
        })
        .collect();
    assert_eq!(
        rows,
        [
            "10.0.255.4|10.0.0.0/16|10.0.255.4|65515",
            "10.0.255.4|10.60.0.0/16|10.0.255.4|65515-65020",
            "10.0.255.4|192.168.254.0/30|10.0.255.4|65515",
            "10.0.255.4|192.168.254.1/32|10.0.255.4|65515",
        ]
    );
    assert!(v.groups.iter().all(|g| g.peer.as_ref().unwrap().name == "site-a"));
}

fn ersim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ersim"))
        .args(args)
        .env_remove("ERSIM_SCENARIO")
        .output()
        .expect("run ersim")
}

#[test]
fn the_bgp_command_prints_az_json_and_rejects_unknown_peers() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml");
    let o = ersim(&["bgp", "--gateway", "ergw-hub00", "--advertised", "--peer", "10.2.146.76", "-o", "json", seed]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["value"].as_array().unwrap().len(), 6);
    assert!(v["value"].as_array().unwrap().iter().all(|e| e["ersim"]["peer"]["address"] == "10.2.146.76"));

    let o = ersim(&["bgp", "--gateway", "ergw-hub00", "--advertised", "--peer", "circut01", seed]);
    assert_eq!(o.status.code(), Some(2), "an unknown peer is a usage error");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `circuit01`?"), "{err}");
    assert!(o.stdout.is_empty());

    let o = ersim(&["bgp", "--gateway", "ergw-hub00", "--peer", "circuit01", seed]);
    assert_eq!(o.status.code(), Some(2), "--peer needs --advertised");

    let o = ersim(&["bgp", "--gateway", "ergw-hub00", seed]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.lines().nth(1).unwrap().starts_with("LocalAddress  Network"), "{text}");
    for col in ["NextHop", "SourcePeer", "Origin", "AsPath", "Weight", "State"] {
        assert!(text.lines().nth(1).unwrap().contains(col), "{text}");
    }
    assert!(
        text.contains("10.0.200.4    10.100.0.0/16  10.2.146.76  10.2.146.76  EBgp     12076-12076  32768   Best"),
        "{text}"
    );
}

#[test]
fn routes_d4_keeps_from_a_gateway_stay_listed_as_rejected_with_their_rule() {
    // D4, R57: with allow_remote_vnet_traffic off on ergw-hub100, ergw-hub00 does not accept
    // hub100's side of the circuit; the view still lists those paths (one per instance and link),
    // Rejected with the reason and rules D4, R57.
    let text = edit(
        &seed_text(),
        "name = \"ergw-hub100\"\nvnet = \"hub100\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"\nallow_remote_vnet_traffic = true",
        "name = \"ergw-hub100\"\nvnet = \"hub100\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"\nallow_remote_vnet_traffic = false",
    );
    let s = sim(&text);
    let v = view_json(&s, "gateway", "ergw-hub00", false);
    let far: Vec<&Value> = v["value"].as_array().unwrap().iter().filter(|e| e["network"] == "10.110.0.0/16").collect();
    let rows: Vec<String> = far
        .iter()
        .map(|e| {
            format!(
                "{}|{}|{}|{}",
                cell(&e["localAddress"]),
                cell(&e["nextHop"]),
                cell(&e["asPath"]),
                cell(&e["ersim"]["state"])
            )
        })
        .collect();
    let mut expected = Vec::new();
    for inst in ["10.0.200.4", "10.0.200.5"] {
        for l in SEED_LINKS {
            expected.push(format!("{inst}|{l}|12076-12076|Rejected"));
        }
    }
    assert_eq!(rows, expected);
    for e in far {
        assert_eq!(e["ersim"]["rules"], serde_json::json!(["D4", "R57"]), "{e}");
        assert!(e["ersim"]["reason"].as_str().unwrap().contains("ergw-hub100"), "{e}");
    }
}

/// Two VPN gateways joined by a BGP VNet-to-VNet connection in each direction (`a-b` on gw-a,
/// `b-a` on gw-b), active-standby.
fn v2v_pair() -> String {
    let mut t = String::new();
    for (x, space, asn, other) in [("a", "10.1", 65001, "b"), ("b", "10.2", 65002, "a")] {
        t.push_str(&format!(
            r#"
[[vnet]]
name = "{x}"
address_space = ["{space}.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "{space}.255.0/27"

[[gateway]]
name = "gw-{x}"
vnet = "{x}"
type = "Vpn"
bgp = true
asn = {asn}

[[connection]]
name = "{x}-{other}"
gateway = "gw-{x}"
remote_gateway = "gw-{other}"
bgp = true
"#
        ));
    }
    t
}

#[test]
fn a_vnet_to_vnet_session_is_named_by_the_senders_own_connection() {
    // M6: what gw-a sends to gw-b goes over gw-a's connection `a-b` (a connection is one
    // direction, from its `gateway`), and `--peer a-b` narrows the view to it.
    let s = sim(&v2v_pair());
    let sp = speaker(&s, "gateway", "gw-a");
    let v = s.bgp.advertised_view(&s.model, sp);
    let names: BTreeSet<String> =
        v.groups.iter().filter_map(|g| g.connection.map(|c| s.model.connections[c.idx()].name.clone())).collect();
    assert_eq!(names, BTreeSet::from(["a-b".to_string()]));
    let one = v.clone().narrow_to_peer(&s.model, "a-b").expect("gw-a's own connection names the session");
    assert!(one.rows().any(|r| r.network.to_string() == "10.1.0.0/16"), "gw-a sends its VNet's space");
    assert!(v.narrow_to_peer(&s.model, "b-a").is_err(), "b-a is gw-b's connection, not one gw-a sends over");
}
