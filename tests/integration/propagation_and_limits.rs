//! Rulebook cases found by an independent review of the route computation (azure-routing.md,
//! scenario-format.md). The first group asserts behaviour the rulebook requires and ersim does not
//! (yet) give; the second pins rules the other test files did not cover.

use super::common::*;
use ersim::rules::Rule;

// ------------------------------------------------------------------------------------- helpers

/// `ersim check` on valid scenario text.
fn check(text: &str) -> ersim::check::CheckReport {
    ersim::check::check(&load(text)).expect("check runs")
}

/// Codes and messages of a report's warnings or findings, for failure messages.
fn listed(ds: &[ersim::diag::Diagnostic]) -> Vec<String> {
    ds.iter().map(|d| format!("{} [{}] {}", d.code, d.rule.clone().unwrap_or_default(), d.message)).collect()
}

/// What a speaker holds as its best route for each prefix: (prefix, AS path).
fn held(s: &ersim::Simulation, sp: ersim::bgp::SpeakerId) -> Vec<(String, String)> {
    s.bgp
        .rib(sp)
        .iter()
        .filter_map(|(p, e)| e.best.first().map(|c| (p.to_string(), s.bgp.interner.path_text(c.path))))
        .collect()
}

/// Whether a speaker holds a best route for `prefix`.
fn holds(s: &ersim::Simulation, sp: ersim::bgp::SpeakerId, prefix: &str) -> bool {
    s.bgp.rib(sp).iter().any(|(p, e)| p.to_string() == prefix && !e.best.is_empty())
}

/// `n` distinct /24s in 172.16.0.0/12, as TOML strings.
fn many_prefixes(n: u32) -> Vec<String> {
    (0..n).map(|i| format!("\"172.{}.{}.0/24\"", 16 + i / 256, i % 256)).collect()
}

/// An ExpressRoute gateway in `hub` on circuit `c1` (next hops 10.255.0.1/.2), on-premises `dc`
/// advertising `adv` (TOML list body), gateway SKU `sku`, circuit SKU `csku`.
fn er(adv: &str, sku: &str, csku: &str) -> String {
    format!(
        r#"
[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"
sku = "{sku}"

[[circuit]]
name = "c1"
sku = "{csku}"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[connection]]
name = "conn"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "dc"
asn = 65001
circuits = ["c1"]
advertise = [{adv}]
"#
    )
}

// =============================================== disagreements: the rulebook requires, ersim differs

/// Part L: "a session over its prefix limit carries nothing (R52 R66 R76)"; R66: "Up to 4,000
/// prefixes per BGP peer (session drop beyond)". A dropped BGP session carries nothing in either
/// direction (as ersim already does for R52 and R76), so the on-premises router no longer learns
/// the hub's space from the VPN gateway.
#[test]
fn r66_part_l_a_site_to_site_session_over_the_limit_carries_nothing_back_either() {
    let text = hub(&format!(
        r#"
[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
asn = 65050

[[onprem]]
name = "dc"
asn = 65010
advertise = [{}]

[[local_gateway]]
name = "lng"
bgp_asn = 65010
bgp_peer_ip = "192.168.255.1"
onprem = "dc"

[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "lng"
bgp = true
"#,
        many_prefixes(4001).join(", ")
    ));
    let s = sim(&text);
    // Azure → on-premises direction of the same session: nothing either.
    let dc = s.bgp.onprem_speaker[s.model.onprem_by_name("dc").unwrap().idx()];
    for p in ["10.0.0.0/16", "10.1.0.0/16"] {
        assert!(!holds(&s, dc, p), "R66: the session is down, yet dc learns {p} over it");
    }
    // (The dropped direction is right already: none of dc's prefixes reach the spoke.)
    assert!(with_prefix(&nic_rows(&s, "nic-spoke"), "172.16.0.0/24").is_empty());
}

/// The same for VNet-to-VNet BGP: gw-b sends gw-a more than 4,000 prefixes (its static site
/// prefixes, R50), so the session between them drops; gw-b must then not learn gw-a's VNet over
/// it either (R66, Part L). ersim keeps the gw-a → gw-b direction up: hub b still has 10.10.0.0/16.
#[test]
fn r66_part_l_a_vnet_to_vnet_session_over_the_limit_carries_nothing_back_either() {
    let text = format!(
        r#"
[[vnet]]
name = "a"
address_space = ["10.10.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.10.0.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.10.255.0/27"

[[vnet]]
name = "b"
address_space = ["10.20.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.20.0.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.20.255.0/27"

[[gateway]]
name = "gw-a"
vnet = "a"
type = "Vpn"
bgp = true
asn = 65100
public_ip = "203.0.113.1"

[[gateway]]
name = "gw-b"
vnet = "b"
type = "Vpn"
bgp = true
asn = 65200
public_ip = "203.0.113.2"

[[connection]]
name = "a-to-b"
gateway = "gw-a"
remote_gateway = "gw-b"
bgp = true

[[connection]]
name = "b-to-a"
gateway = "gw-b"
remote_gateway = "gw-a"
bgp = true

[[local_gateway]]
name = "lng-big"
address_prefixes = [{}]

[[connection]]
name = "s2s-big"
gateway = "gw-b"
local_gateway = "lng-big"

[[nic]]
name = "nic-a"
vnet = "a"
subnet = "default"

[[nic]]
name = "nic-b"
vnet = "b"
subnet = "default"
"#,
        many_prefixes(4001).join(", ")
    );
    let s = sim(&text);
    let a = nic_rows(&s, "nic-a");
    assert!(with_prefix(&a, "10.20.0.0/16").is_empty(), "gw-b → gw-a is over the limit: nothing arrives");
    let b = nic_rows(&s, "nic-b");
    assert!(
        with_prefix(&b, "10.10.0.0/16").is_empty(),
        "R66: the V2V BGP session is down, so gw-b learns nothing over it either\n{:#?}",
        with_prefix(&b, "10.10.0.0/16")
    );
}

/// Part K: "Azure → on-prem per ER connection | 1,000 IPv4, 100 IPv6; warning (R53)". A hub whose
/// gateway advertises 101 IPv6 prefixes to its circuit gets no warning; only IPv4 is counted.
#[test]
fn r53_part_k_more_than_100_ipv6_prefixes_to_a_circuit_warns() {
    let v6: Vec<String> = (0..101u32).map(|i| format!("\"fd00:0:0:{i:x}::/64\"")).collect();
    let text = format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16", {}]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"
{}
"#,
        v6.join(", "),
        er("\"192.168.1.0/24\"", "ErGw1AZ", "Standard")
    );
    let r = check(&text);
    assert!(
        r.warnings.iter().any(|w| w.rule == Some(Rule::R53.into()) && w.message.contains("101")),
        "R53: 101 IPv6 prefixes advertised over connection `conn` (limit 100) must warn\n{:#?}",
        listed(&r.warnings)
    );
}

/// R38: "`allow_gateway_transit` (hub) + `use_remote_gateways` (spoke) put the spoke in the hub's
/// domain"; Terms: "A VNet's domain = ... its own, or its hub's with `use_remote_gateways`"; Part
/// L: "DOMAIN(v) = ..., or its hub's if v uses remote gateways". scenario-format.md refuses
/// `use_remote_gateways` only when the local VNet has "a gateway of its own", so a spoke with its
/// own route server is valid; ersim silently keeps it in its own domain: the spoke gets none of
/// the hub's ExpressRoute routes and the hub's gateway does not advertise it (R50). Either the
/// spoke joins the hub's domain, or (a contract change) the combination is refused — not ignored.
#[test]
fn r38_use_remote_gateways_puts_a_spoke_with_a_route_server_in_the_hubs_domain() {
    let text = format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[vnet]]
name = "spoke"
address_space = ["10.1.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"
  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.1.254.0/27"

[[peering]]
vnets = ["hub", "spoke"]
transit_via = "hub"

[[route_server]]
name = "rs-spoke"
vnet = "spoke"

[[nic]]
name = "nic-spoke"
vnet = "spoke"
subnet = "default"
{}
"#,
        er("\"192.168.1.0/24\"", "ErGw1AZ", "Standard")
    );
    let Ok(l) = ersim::scenario::parse("test.toml", text.clone()) else {
        return; // refused with an error: acceptable too
    };
    let s = ersim::Simulation::new(l.model).unwrap();
    let rows = nic_rows(&s, "nic-spoke");
    assert_eq!(
        with_prefix(&rows, "192.168.1.0/24").len(),
        2,
        "R38/R47: the spoke uses the hub's gateway, so it gets the circuit's routes\n{rows:#?}"
    );
    let dc = s.bgp.onprem_speaker[s.model.onprem_by_name("dc").unwrap().idx()];
    assert!(holds(&s, dc, "10.1.0.0/16"), "R50: the hub's gateway advertises its transit spoke {:?}", held(&s, dc));
}

/// Part K: "route tables per region/subscription | ...; 200 (R34)" is a design finding, and
/// "Subscription-wide counts are judged per region of the scenario". With one region, all 201
/// route tables are in it; ersim counts only tables associated with a subnet, so 200 unassociated
/// tables (plus one in use) give no finding.
#[test]
fn r34_part_k_route_tables_per_region_count_tables_not_associated_with_a_subnet() {
    let mut text = String::from(
        "[[vnet]]\nname = \"v\"\nregion = \"westeurope\"\naddress_space = [\"10.1.0.0/16\"]\n  [[vnet.subnet]]\n  name = \"s\"\n  prefix = \"10.1.0.0/24\"\n  route_table = \"rt0\"\n",
    );
    for i in 0..201 {
        text.push_str(&format!("\n[[route_table]]\nname = \"rt{i}\"\n"));
    }
    let r = check(&text);
    assert!(
        r.findings.iter().any(|f| f.rule == Some(Rule::R34.into()) && f.message.contains("201")),
        "201 route tables in the scenario's only region must be a finding\n{:#?}",
        listed(&r.findings)
    );
    assert_eq!(r.exit_code(), 1);
}

// ============================================================== rules pinned that were not covered

/// Two hubs on one circuit, each with a route server (branch-to-branch) and an NVA; D4 flags given.
fn two_hubs_with_route_servers(flag1: bool, flag2: bool) -> String {
    let mut t = String::new();
    for (n, flag, asn, adv) in [(1, flag1, 65010, "172.16.0.0/16"), (2, flag2, 65020, "172.20.0.0/16")] {
        t.push_str(&format!(
            r#"
[[vnet]]
name = "hub{n}"
address_space = ["10.{n}.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.{n}.0.0/24"
  [[vnet.subnet]]
  name = "nva"
  prefix = "10.{n}.1.0/24"
  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.{n}.254.0/27"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.{n}.255.0/27"

[[vnet]]
name = "spoke{n}"
address_space = ["10.{n}1.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.{n}1.0.0/24"

[[peering]]
vnets = ["hub{n}", "spoke{n}"]
transit_via = "hub{n}"

[[gateway]]
name = "ergw{n}"
vnet = "hub{n}"
type = "ExpressRoute"
allow_remote_vnet_traffic = {flag}

[[connection]]
name = "conn{n}"
gateway = "ergw{n}"
circuit = "c1"

[[route_server]]
name = "rs{n}"
vnet = "hub{n}"
branch_to_branch = true

[[nic]]
name = "nic-nva{n}"
vnet = "hub{n}"
subnet = "nva"
ip = "10.{n}.1.4"
ip_forwarding = true

[[bgp_peer]]
name = "nva{n}"
nic = "nic-nva{n}"
route_server = "rs{n}"
asn = {asn}
advertise = ["{adv}"]

[[nic]]
name = "nic-spoke{n}"
vnet = "spoke{n}"
subnet = "default"
"#
        ));
    }
    t + "\n[[circuit]]\nname = \"c1\"\nnext_hops = [\"10.255.0.1\", \"10.255.0.2\"]\n"
}

#[test]
fn d8_relayed_route_server_paths_keep_65515_and_never_reach_the_far_route_server() {
    let s = sim(&two_hubs_with_route_servers(true, true));
    let m = &s.model;
    // "Routes G1 relayed from its Route Server keep the 65515: `12076 65515 …`".
    let g2 = s.bgp.gateway_speaker[m.gateway_by_name("ergw2").unwrap().idx()];
    let at_g2 = held(&s, g2);
    assert!(at_g2.contains(&("172.16.0.0/16".into(), "12076 65515 65010".into())), "{at_g2:?}");
    // G1's own prefixes: `12076 12076`, "seen as `65515 12076 12076` at an NVA behind G2's Route Server".
    assert!(at_g2.contains(&("10.11.0.0/16".into(), "12076 12076".into())), "{at_g2:?}");
    let nva2 = s.bgp.nva_speaker[m.bgp_peer_by_name("nva2").unwrap().idx()];
    let at_nva2 = held(&s, nva2);
    assert!(at_nva2.contains(&("10.11.0.0/16".into(), "65515 12076 12076".into())), "{at_nva2:?}");
    // "NVA routes relayed RS1 → G1 → MSEE → G2 reach G2's domain, never a Route Server there".
    let rs2 = s.bgp.route_server_speaker[m.route_server_by_name("rs2").unwrap().idx()];
    assert!(!holds(&s, rs2, "172.16.0.0/16"), "{:?}", held(&s, rs2));
    assert!(!holds(&s, nva2, "172.16.0.0/16"));
    assert_eq!(
        with_prefix(&nic_rows(&s, "nic-spoke2"), "172.16.0.0/16"),
        [
            "Virtual network gateway|Active|172.16.0.0/16|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|172.16.0.0/16|Virtual network gateway|10.255.0.2|-"
        ]
    );
}

#[test]
fn d4_also_holds_back_route_server_routes_relayed_over_the_circuit() {
    // D4: "A route one ER gateway put into a circuit (VNet, transit spokes, relayed Route Server
    // routes) is accepted by another ER gateway on it only if both have it true".
    for (f1, f2) in [(true, false), (false, true)] {
        let s = sim(&two_hubs_with_route_servers(f1, f2));
        let s2 = nic_rows(&s, "nic-spoke2");
        let s1 = nic_rows(&s, "nic-spoke1");
        assert!(with_prefix(&s2, "172.16.0.0/16").is_empty(), "{f1} {f2}\n{s2:#?}");
        assert!(with_prefix(&s1, "172.20.0.0/16").is_empty(), "{f1} {f2}\n{s1:#?}");
        assert!(with_prefix(&s2, "10.11.0.0/16").is_empty(), "{f1} {f2}\n{s2:#?}");
        // Each hub's own NVA route stays (R71).
        assert_eq!(
            with_prefix(&s2, "172.20.0.0/16"),
            ["Virtual network gateway|Active|172.20.0.0/16|Virtual network gateway|10.2.1.4|-"]
        );
    }
}

/// A VPN gateway (BGP, ASN 65050) in the hub with two BGP sites: site-a advertises `a`.
fn vpn_two_sites(a: &str) -> String {
    hub(&format!(
        r#"
[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
asn = 65050
public_ip = "203.0.113.10"

[[onprem]]
name = "site-a"
asn = 65010
advertise = [{a}]

[[local_gateway]]
name = "lng-a"
bgp_asn = 65010
bgp_peer_ip = "172.20.255.1"
onprem = "site-a"

[[connection]]
name = "s2s-a"
gateway = "vpngw"
local_gateway = "lng-a"
bgp = true

[[onprem]]
name = "site-b"
asn = 65020
advertise = ["172.30.0.0/16"]

[[local_gateway]]
name = "lng-b"
bgp_asn = 65020
bgp_peer_ip = "172.30.255.1"
onprem = "site-b"

[[connection]]
name = "s2s-b"
gateway = "vpngw"
local_gateway = "lng-b"
bgp = true
"#
    ))
}

#[test]
fn r66_r50_vpn_default_route_is_accepted_never_advertised_overlaps_are_not_passed_on() {
    let s = sim(&vpn_two_sites("\"0.0.0.0/0\", \"10.0.0.0/8\", \"10.1.0.0/16\", \"172.20.0.0/16\""));
    let rows = nic_rows(&s, "nic-spoke");
    // R66, R60/D5: 0.0.0.0/0 is accepted and replaces Internet; 10/8 is a supernet (D7).
    assert_eq!(
        with_prefix(&rows, "0.0.0.0/0"),
        ["Virtual network gateway|Active|0.0.0.0/0|Virtual network gateway|203.0.113.10|-"]
    );
    assert_eq!(
        with_prefix(&rows, "10.0.0.0/8"),
        ["Virtual network gateway|Active|10.0.0.0/8|Virtual network gateway|203.0.113.10|-"]
    );
    assert!(!rows.iter().any(|r| r.contains("|None|") || r.contains("|Internet|")), "{rows:#?}");
    // R66: the spoke's exact space is dropped on receipt.
    let g = s.bgp.gateway_speaker[0];
    let own: Vec<_> = s
        .bgp
        .rib(g)
        .into_iter()
        .filter(|(p, _)| p.to_string() == "10.1.0.0/16")
        .flat_map(|(_, e)| e.rejected.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>())
        .collect();
    assert_eq!(own, [ersim::bgp::Reason::OwnSpace]);
    // R50: site-b gets site-a's other routes, but not 0.0.0.0/0 nor what overlaps the hub/spoke.
    let b = s.bgp.onprem_speaker[s.model.onprem_by_name("site-b").unwrap().idx()];
    let at_b = held(&s, b);
    assert!(at_b.contains(&("172.20.0.0/16".into(), "65050 65010".into())), "{at_b:?}");
    for p in ["0.0.0.0/0", "10.0.0.0/8"] {
        assert!(!holds(&s, b, p), "R50/R66: {p} must not be advertised to site-b {at_b:?}");
    }
    assert!(at_b.contains(&("10.1.0.0/16".into(), "65050".into())), "the spoke's own origination: {at_b:?}");
}

#[test]
fn d9_vpn_and_nva_routes_are_one_class_equal_paths_ecmp_static_length_zero_wins() {
    let text = hub(r#"
[[route_server]]
name = "rs"
vnet = "hub"

[[nic]]
name = "nic-nva"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[bgp_peer]]
name = "nva"
nic = "nic-nva"
route_server = "rs"
asn = 65030
advertise = ["172.20.0.0/16", "172.30.0.0/16"]

[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
asn = 65050
public_ip = "203.0.113.10"

[[onprem]]
name = "site"
asn = 65010
advertise = ["172.20.0.0/16"]

[[local_gateway]]
name = "lng"
address_prefixes = ["172.30.0.0/16"]
bgp_asn = 65010
bgp_peer_ip = "192.168.255.1"
onprem = "site"

[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "lng"
bgp = true
"#);
    let rows = nic_rows(&sim(&text), "nic-spoke");
    // Class 1 both, AS path 1 both: ECMP, next hops unioned.
    assert_eq!(
        with_prefix(&rows, "172.20.0.0/16"),
        [
            "Virtual network gateway|Active|172.20.0.0/16|Virtual network gateway|10.0.1.4|-",
            "Virtual network gateway|Active|172.20.0.0/16|Virtual network gateway|203.0.113.10|-"
        ]
    );
    // The static prefix has AS-path length 0 and beats the NVA's.
    assert_eq!(
        with_prefix(&rows, "172.30.0.0/16"),
        ["Virtual network gateway|Active|172.30.0.0/16|Virtual network gateway|203.0.113.10|-"]
    );
}

#[test]
fn d5_ipv6_default_route_from_the_gateway_removes_only_the_ipv6_internet_row() {
    // "::/0 alike": B0 for ::/0 removes the ::/0 Internet row; IPv4 rows are another family.
    // D15: a user row with exactly a reserved prefix leaves that None row listed Invalid.
    let text = format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16", "fd00:1::/48"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"
  route_table = "rt"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[route_table]]
name = "rt"
  [[route_table.route]]
  name = "drop-10"
  prefix = "10.0.0.0/8"
  next_hop_type = "None"

[[nic]]
name = "nic"
vnet = "hub"
subnet = "default"
{}
"#,
        er("\"::/0\"", "ErGw1AZ", "Standard")
    );
    let rows = nic_rows(&sim(&text), "nic");
    assert_eq!(
        rows,
        [
            "Default|Active|10.0.0.0/16|Virtual network|-|-",
            "Default|Active|0.0.0.0/0|Internet|-|-",
            "Default|Invalid|10.0.0.0/8|None|-|-",
            "Default|Active|100.64.0.0/10|None|-|-",
            "Default|Active|172.16.0.0/12|None|-|-",
            "Default|Active|192.168.0.0/16|None|-|-",
            "User|Active|10.0.0.0/8|None|-|drop-10",
            "Default|Active|fd00:1::/48|Virtual network|-|-",
            "Virtual network gateway|Active|::/0|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|::/0|Virtual network gateway|10.255.0.2|-",
        ],
        "D10: every IPv4 row first (user rows too), then IPv6"
    );
}

#[test]
fn r59_reach_never_transits_from_one_circuit_to_another() {
    // An NVA supernet reaches dc1 over circuit ca (branch-to-branch); dc1 sends 172.20.0.1 there,
    // but the gateway's best route for it points into circuit cb.
    let text = hub(r#"
[[route_server]]
name = "rs"
vnet = "hub"
branch_to_branch = true

[[nic]]
name = "nic-nva"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[bgp_peer]]
name = "nva"
nic = "nic-nva"
route_server = "rs"
asn = 65030
advertise = ["172.16.0.0/12"]

[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "ca"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[circuit]]
name = "cb"
next_hops = ["10.255.1.1", "10.255.1.2"]

[[connection]]
name = "conn-a"
gateway = "ergw"
circuit = "ca"

[[connection]]
name = "conn-b"
gateway = "ergw"
circuit = "cb"

[[onprem]]
name = "dc1"
asn = 65001
circuits = ["ca"]
advertise = ["192.168.1.0/24"]

[[onprem]]
name = "dc2"
asn = 65002
circuits = ["cb"]
advertise = ["172.20.0.0/16"]
"#);
    let a = reach(&text, "dc1", "172.20.0.1");
    let drops = a.reach.forward.drops();
    assert!(!drops.is_empty(), "{}", shown(&a));
    assert!(
        drops.iter().all(|d| d.reason().code() == "NoCircuitTransit" && d.rules().contains(Rule::R59)),
        "{}",
        shown(&a)
    );
}

#[test]
fn r32_gateway_subnet_and_route_server_subnet_route_table_warnings() {
    let text = hub(&format!(
        r#"
{}
[[nic]]
name = "nic-nva"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[route_server]]
name = "rs"
vnet = "hub"

[[route_table]]
name = "rt-gw"
disable_bgp_route_propagation = true
  [[route_table.route]]
  name = "default-nva"
  prefix = "0.0.0.0/0"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.1.4"
  [[route_table.route]]
  name = "drop-hub"
  prefix = "10.0.0.0/16"
  next_hop_type = "None"

[[route_table]]
name = "rt-rs"
"#,
        er("\"192.168.1.0/24\"", "ErGw1AZ", "Standard")
    ))
    .replace(
        "name = \"GatewaySubnet\"\n  prefix = \"10.0.255.0/27\"",
        "name = \"GatewaySubnet\"\n  prefix = \"10.0.255.0/27\"\n  route_table = \"rt-gw\"",
    )
    .replace(
        "name = \"RouteServerSubnet\"\n  prefix = \"10.0.254.0/27\"",
        "name = \"RouteServerSubnet\"\n  prefix = \"10.0.254.0/27\"\n  route_table = \"rt-rs\"",
    );
    let r = check(&text);
    for code in [
        "gateway-subnet-propagation",
        "gateway-subnet-default-route",
        "gateway-subnet-none-route",
        "route-server-subnet-udr",
    ] {
        assert!(
            r.warnings.iter().any(|w| w.code == code && w.rule == Some(Rule::R32.into())),
            "{code}\n{:#?}",
            listed(&r.warnings)
        );
    }
    assert!(r.findings.is_empty(), "warnings, not findings: {:#?}", listed(&r.findings));
}

#[test]
fn r41_r77_basic_vpn_transit_and_route_server_ipv6_warn() {
    let text = hub(r#"
[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
sku = "Basic"

[[route_server]]
name = "rs"
vnet = "hub"
"#)
    .replace("address_space = [\"10.0.0.0/16\"]", "address_space = [\"10.0.0.0/16\", \"fd00:1::/48\"]");
    let r = check(&text);
    assert!(
        r.warnings.iter().any(|w| w.code == "basic-sku-transit" && w.rule == Some(Rule::R41.into())),
        "{:#?}",
        listed(&r.warnings)
    );
    assert!(
        r.warnings.iter().any(|w| w.code == "route-server-ipv6" && w.rule == Some(Rule::R77.into())),
        "{:#?}",
        listed(&r.warnings)
    );
}

#[test]
fn r53_part_k_learned_route_capacity_is_a_finding_by_gateway_sku() {
    // 4,001 prefixes over a Premium circuit (session limit 10,000): an ErGw1AZ holds 4,000.
    let adv = many_prefixes(4001).join(", ");
    let r = check(&hub(&er(&adv, "ErGw1AZ", "Premium")));
    assert!(
        r.findings.iter().any(|f| f.code == "limit-gateway-learned-routes" && f.message.contains("4001")),
        "{:#?}",
        listed(&r.findings)
    );
    assert_eq!(r.exit_code(), 1);
    let r = check(&hub(&er(&adv, "ErGw2AZ", "Premium")));
    assert!(r.findings.is_empty(), "ErGw2AZ holds 9,500: {:#?}", listed(&r.findings));
}

#[test]
fn r53_part_k_more_than_1000_ipv4_prefixes_to_a_circuit_warns_without_a_finding() {
    let space: Vec<String> = (0..1001u32).map(|i| format!("\"10.{}.{}.0/24\"", 100 + i / 256, i % 256)).collect();
    let text = format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16", {}]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"
{}
"#,
        space.join(", "),
        er("\"192.168.1.0/24\"", "ErGw1AZ", "Standard")
    );
    let r = check(&text);
    assert!(
        r.warnings.iter().any(|w| w.code == "er-advertised-prefixes" && w.message.contains("1002")),
        "{:#?}",
        listed(&r.warnings)
    );
    assert!(r.findings.is_empty(), "{:#?}", listed(&r.findings));
}

#[test]
fn r62_part_k_more_than_four_circuits_from_one_location_is_a_finding() {
    // ErGw3AZ takes 16 circuits, but at most 4 from one peering location.
    let mut extra =
        String::from("\n[[gateway]]\nname = \"ergw\"\nvnet = \"hub\"\ntype = \"ExpressRoute\"\nsku = \"ErGw3AZ\"\n");
    for i in 0..5 {
        extra.push_str(&format!(
            "\n[[circuit]]\nname = \"c{i}\"\nlocation = \"Tokyo\"\n\n[[connection]]\nname = \"conn{i}\"\ngateway = \"ergw\"\ncircuit = \"c{i}\"\n"
        ));
    }
    let r = check(&hub(&extra));
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["limit-circuits-per-location"], "{:#?}", listed(&r.findings));
}

#[test]
fn r63_part_k_more_than_ten_vnet_links_on_a_standard_circuit_is_a_finding() {
    let mut t = String::from("[[circuit]]\nname = \"c1\"\nsku = \"Standard\"\n");
    for i in 0..11 {
        t.push_str(&format!(
            "\n[[vnet]]\nname = \"hub{i}\"\naddress_space = [\"10.{i}.0.0/16\"]\n  [[vnet.subnet]]\n  name = \"GatewaySubnet\"\n  prefix = \"10.{i}.255.0/27\"\n\n[[gateway]]\nname = \"ergw{i}\"\nvnet = \"hub{i}\"\ntype = \"ExpressRoute\"\n\n[[connection]]\nname = \"conn{i}\"\ngateway = \"ergw{i}\"\ncircuit = \"c1\"\n"
        ));
    }
    let r = check(&t);
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == "limit-circuit-links" && f.rule == Some(Rule::R63.into()) && f.message.contains("11")),
        "{:#?}",
        listed(&r.findings)
    );
    // Premium at 1 Gbps allows 50.
    let r = check(&t.replace("sku = \"Standard\"", "sku = \"Premium\"\nbandwidth_mbps = 1000"));
    assert!(r.findings.is_empty(), "{:#?}", listed(&r.findings));
}

#[test]
fn r69_part_k_more_tunnels_than_the_vpn_sku_allows_is_a_finding() {
    let mut extra = String::from("\n[[gateway]]\nname = \"vpngw\"\nvnet = \"hub\"\ntype = \"Vpn\"\nsku = \"Basic\"\n");
    for i in 0..11 {
        extra.push_str(&format!(
            "\n[[local_gateway]]\nname = \"lng{i}\"\naddress_prefixes = [\"192.168.{i}.0/24\"]\n\n[[connection]]\nname = \"s2s{i}\"\ngateway = \"vpngw\"\nlocal_gateway = \"lng{i}\"\n"
        ));
    }
    let r = check(&hub(&extra));
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == "limit-vpn-tunnels" && f.rule == Some(Rule::R69.into()) && f.message.contains("11")),
        "{:#?}",
        listed(&r.findings)
    );
    let r = check(&hub(&extra.replace("sku = \"Basic\"", "sku = \"VpnGw1\"")));
    assert!(r.findings.is_empty(), "VpnGw1 allows 30: {:#?}", listed(&r.findings));
}

#[test]
fn r76_part_k_more_than_eight_route_server_peers_is_a_finding() {
    let mut extra = String::from("\n[[route_server]]\nname = \"rs\"\nvnet = \"hub\"\n");
    for i in 0..9 {
        extra.push_str(&format!(
            "\n[[nic]]\nname = \"nic-nva{i}\"\nvnet = \"hub\"\nsubnet = \"nva\"\nip = \"10.0.1.{}\"\nip_forwarding = true\n\n[[bgp_peer]]\nname = \"nva{i}\"\nnic = \"nic-nva{i}\"\nroute_server = \"rs\"\nasn = {}\n",
            10 + i,
            65010 + i
        ));
    }
    let r = check(&hub(&extra));
    assert!(
        r.findings.iter().any(|f| f.code == "limit-route-server-peers"
            && f.rule == Some(Rule::R76.into())
            && f.message.contains('9')),
        "{:#?}",
        listed(&r.findings)
    );
}

#[test]
fn r31_r50_a_spoke_with_propagation_off_is_still_advertised() {
    // R31: "removes all gateway rows ... other rows and advertisement unchanged"; R50: "A gateway
    // advertises its VNet's and transit spokes' space (even if propagation is off there)".
    let text = edit(
        &seed_text(),
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"",
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n  route_table = \"rt-off\"",
    ) + "\n[[route_table]]\nname = \"rt-off\"\ndisable_bgp_route_propagation = true\n";
    let s = sim(&text);
    let s10 = nic_rows(&s, "nic-spoke10");
    assert!(!s10.iter().any(|r| r.starts_with("Virtual network gateway")), "{s10:#?}");
    assert_eq!(
        with_prefix(&nic_rows(&s, "nic-spoke110"), "10.10.0.0/16"),
        [
            "Virtual network gateway|Active|10.10.0.0/16|Virtual network gateway|10.2.146.76|-",
            "Virtual network gateway|Active|10.10.0.0/16|Virtual network gateway|10.2.146.77|-"
        ]
    );
}
