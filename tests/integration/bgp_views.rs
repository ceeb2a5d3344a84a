//! BGP views and what a gateway sends on each session (rulebook Part M; R50 split horizon).
//! Expected rows are written from the rules, never from ersim's output.

use std::collections::BTreeSet;

use ersim::bgp::{SessionKind, Speaker};

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
