//! VPN gateways, Route Server with NVAs, and limits as behaviour: one scenario per rule id
//! (R48, R49, R50, R56, R64, R66, R67, R70–R76, D7, D8, D9, D12, D14, R52), asserting rows,
//! including those that must not be there.

use super::common::*;

const VPN_AS: &str = r#"
[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
public_ip = "203.0.113.10"
"#;

const VPN_AA_BGP: &str = r#"
[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
active_active = true
asn = 65050
"#;

#[test]
fn r49_static_site_to_site_installs_local_gateway_prefixes_with_the_public_ip() {
    let text = hub(&format!(
        "{VPN_AS}
[[local_gateway]]
name = \"lng\"
address_prefixes = [\"192.168.10.0/24\", \"192.168.20.0/24\"]

[[connection]]
name = \"s2s\"
gateway = \"vpngw\"
local_gateway = \"lng\"
"
    ));
    let s = sim(&text);
    for nic in ["nic-hub", "nic-spoke"] {
        let rows = nic_rows(&s, nic);
        assert_eq!(
            with_prefix(&rows, "192.168.10.0/24"),
            ["Virtual network gateway|Active|192.168.10.0/24|Virtual network gateway|203.0.113.10|-"],
            "{nic}: R48 active-standby shows the public IP"
        );
        assert_eq!(with_prefix(&rows, "192.168.20.0/24").len(), 1);
    }
}

#[test]
fn r48_r49_bgp_site_to_site_active_active_shows_instance_ips_and_the_peer_slash32() {
    let text = hub(&format!(
        "{VPN_AA_BGP}
[[onprem]]
name = \"dc\"
asn = 65010
advertise = [\"172.20.0.0/16\"]

[[local_gateway]]
name = \"lng\"
address_prefixes = [\"192.168.10.0/24\"]
bgp_asn = 65010
bgp_peer_ip = \"192.168.10.1\"
onprem = \"dc\"

[[connection]]
name = \"s2s\"
gateway = \"vpngw\"
local_gateway = \"lng\"
bgp = true
"
    ));
    let rows = nic_rows(&sim(&text), "nic-spoke");
    // D14: active-active, default instance addresses .4/.5 of GatewaySubnet.
    for p in ["172.20.0.0/16", "192.168.10.0/24", "192.168.10.1/32"] {
        assert_eq!(
            with_prefix(&rows, p).into_iter().cloned().collect::<Vec<_>>(),
            [
                format!("Virtual network gateway|Active|{p}|Virtual network gateway|10.0.255.4|-"),
                format!("Virtual network gateway|Active|{p}|Virtual network gateway|10.0.255.5|-")
            ],
            "{p}\n{rows:#?}"
        );
    }
}

/// Two hubs with VPN gateways joined by VNet-to-VNet connections (both directions).
fn v2v(bgp: bool, asn_b: u32) -> String {
    let b = if bgp { "true" } else { "false" };
    format!(
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

[[vnet]]
name = "b-spoke"
address_space = ["10.21.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.21.0.0/24"

[[peering]]
vnets = ["b", "b-spoke"]
transit_via = "b"

[[gateway]]
name = "gw-a"
vnet = "a"
type = "Vpn"
bgp = {b}
asn = 65100
public_ip = "203.0.113.1"

[[gateway]]
name = "gw-b"
vnet = "b"
type = "Vpn"
bgp = {b}
asn = {asn_b}
public_ip = "203.0.113.2"

[[connection]]
name = "a-to-b"
gateway = "gw-a"
remote_gateway = "gw-b"
bgp = {b}

[[connection]]
name = "b-to-a"
gateway = "gw-b"
remote_gateway = "gw-a"
bgp = {b}

[[nic]]
name = "nic-a"
vnet = "a"
subnet = "default"

[[nic]]
name = "nic-b-spoke"
vnet = "b-spoke"
subnet = "default"
"#
    )
}

#[test]
fn r49_vnet_to_vnet_without_bgp_installs_only_the_remote_vnet_space() {
    let s = sim(&v2v(false, 65200));
    let rows = nic_rows(&s, "nic-a");
    assert_eq!(
        with_prefix(&rows, "10.20.0.0/16"),
        ["Virtual network gateway|Active|10.20.0.0/16|Virtual network gateway|203.0.113.1|-"],
        "R48: the receiving gateway's own address"
    );
    assert!(
        with_prefix(&rows, "10.21.0.0/16").is_empty(),
        "static V2V carries only the remote VNet's space\n{rows:#?}"
    );
}

#[test]
fn r50_vnet_to_vnet_with_bgp_carries_transit_spokes() {
    let s = sim(&v2v(true, 65200));
    let rows = nic_rows(&s, "nic-a");
    assert_eq!(
        with_prefix(&rows, "10.21.0.0/16"),
        ["Virtual network gateway|Active|10.21.0.0/16|Virtual network gateway|203.0.113.1|-"]
    );
    let back = nic_rows(&s, "nic-b-spoke");
    assert_eq!(
        with_prefix(&back, "10.10.0.0/16"),
        ["Virtual network gateway|Active|10.10.0.0/16|Virtual network gateway|203.0.113.2|-"]
    );
    // reach over the tunnel both ways
    let l = ersim::scenario::parse("t.toml", v2v(true, 65200)).unwrap();
    let r = ersim::app::reach(&l, "nic-a", "nic-b-spoke").unwrap();
    assert_eq!(
        r.reach.verdict,
        ersim::forward::Verdict::Delivered,
        "{}",
        ersim::report::reach::text(&r.model, &r.reach)
    );
}

#[test]
fn r64_same_asn_over_bgp_warns_and_the_routes_are_dropped_as_loops() {
    let text = v2v(true, 65100);
    let w = warnings(&text);
    assert!(w.iter().any(|d| d.code == "same-asn"), "{w:#?}");
    let rows = nic_rows(&sim(&text), "nic-a");
    assert!(with_prefix(&rows, "10.21.0.0/16").is_empty(), "D8: a path holding its own ASN is dropped\n{rows:#?}");
}

/// The hub with an ExpressRoute gateway and a VPN gateway; on-premises advertises `er` over the
/// circuit and `vpn` over BGP site-to-site.
fn er_and_vpn(er: &[&str], vpn: &[&str], vpn_gw: &str, rs: &str) -> String {
    let q = |v: &[&str]| v.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
    hub(&format!(
        r#"
[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[connection]]
name = "er"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "dc-er"
asn = 65001
circuits = ["c1"]
advertise = [{}]

{vpn_gw}

[[onprem]]
name = "dc-vpn"
asn = 65010
advertise = [{}]

[[local_gateway]]
name = "lng"
bgp_asn = 65010
bgp_peer_ip = "172.31.255.1"
onprem = "dc-vpn"

[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "lng"
bgp = true
{rs}
"#,
        q(er),
        q(vpn)
    ))
}

const VPN_BGP_65515_AA: &str = r#"
[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
active_active = true
"#;

#[test]
fn r56_expressroute_is_preferred_over_vpn_for_the_same_prefix_a_longer_vpn_prefix_still_wins_by_lpm() {
    let text = er_and_vpn(&["192.168.0.0/16"], &["192.168.0.0/16", "192.168.5.0/24"], VPN_BGP_65515_AA, "");
    let rows = nic_rows(&sim(&text), "nic-spoke");
    assert_eq!(
        with_prefix(&rows, "192.168.0.0/16").into_iter().filter(|r| !r.contains("|None|")).collect::<Vec<_>>(),
        [
            "Virtual network gateway|Active|192.168.0.0/16|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|192.168.0.0/16|Virtual network gateway|10.255.0.2|-"
        ],
        "D9: the VPN candidate loses and is not listed\n{rows:#?}"
    );
    assert_eq!(
        with_prefix(&rows, "192.168.5.0/24"),
        [
            "Virtual network gateway|Active|192.168.5.0/24|Virtual network gateway|10.0.255.4|-",
            "Virtual network gateway|Active|192.168.5.0/24|Virtual network gateway|10.0.255.5|-"
        ]
    );
}

#[test]
fn r67_no_er_vpn_transit_without_route_server_branch_to_branch() {
    let s = sim(&er_and_vpn(&["192.168.0.0/16"], &["172.20.0.0/16"], VPN_BGP_65515_AA, ""));
    // The circuit must not learn the VPN site, nor the VPN site the circuit's routes.
    let c = s.bgp.circuit_speaker[s.model.circuit_by_name("c1").unwrap().idx()];
    let held: Vec<String> =
        s.bgp.rib(c).iter().filter(|(_, e)| !e.best.is_empty()).map(|(p, _)| p.to_string()).collect();
    assert!(!held.contains(&"172.20.0.0/16".to_string()), "{held:?}");
    let o = s.bgp.onprem_speaker[s.model.onprem_by_name("dc-vpn").unwrap().idx()];
    let held: Vec<String> =
        s.bgp.rib(o).iter().filter(|(_, e)| !e.best.is_empty()).map(|(p, _)| p.to_string()).collect();
    assert!(!held.contains(&"192.168.0.0/16".to_string()), "{held:?}");
    // check names the missing condition
    let l = ersim::scenario::parse("t.toml", er_and_vpn(&["192.168.0.0/16"], &["172.20.0.0/16"], VPN_BGP_65515_AA, ""))
        .unwrap();
    let r = ersim::check::check(&l).unwrap();
    assert!(
        r.warnings.iter().any(|w| w.code == "no-er-vpn-transit" && w.message.contains("no route server")),
        "{:#?}",
        r.warnings
    );
}

const RS_B2B: &str = r#"
[[route_server]]
name = "rs"
vnet = "hub"
branch_to_branch = true
"#;

#[test]
fn r67_transit_with_route_server_branch_to_branch_active_active_and_65515() {
    let s = sim(&er_and_vpn(&["192.168.0.0/16"], &["172.20.0.0/16"], VPN_BGP_65515_AA, RS_B2B));
    let c = s.bgp.circuit_speaker[s.model.circuit_by_name("c1").unwrap().idx()];
    let held: Vec<String> =
        s.bgp.rib(c).iter().filter(|(_, e)| !e.best.is_empty()).map(|(p, _)| p.to_string()).collect();
    assert!(held.contains(&"172.20.0.0/16".to_string()), "R67 met: the circuit learns the VPN site {held:?}");
    let o = s.bgp.onprem_speaker[s.model.onprem_by_name("dc-vpn").unwrap().idx()];
    let held: Vec<String> =
        s.bgp.rib(o).iter().filter(|(_, e)| !e.best.is_empty()).map(|(p, _)| p.to_string()).collect();
    assert!(held.contains(&"192.168.0.0/16".to_string()), "R67 met: the VPN site learns the circuit's routes {held:?}");
    // reach from the ER site to the VPN site through Azure
    let l =
        ersim::scenario::parse("t.toml", er_and_vpn(&["192.168.0.0/16"], &["172.20.0.0/16"], VPN_BGP_65515_AA, RS_B2B))
            .unwrap();
    let r = ersim::app::reach(&l, "dc-er", "dc-vpn").unwrap();
    assert_eq!(
        r.reach.verdict,
        ersim::forward::Verdict::Delivered,
        "{}",
        ersim::report::reach::text(&r.model, &r.reach)
    );
}

#[test]
fn r67_one_condition_missing_means_no_transit() {
    // Active-standby VPN gateway: R67 not met even with the route server.
    let vpn_as = "\n[[gateway]]\nname = \"vpngw\"\nvnet = \"hub\"\ntype = \"Vpn\"\nbgp = true\n";
    let s = sim(&er_and_vpn(&["192.168.0.0/16"], &["172.20.0.0/16"], vpn_as, RS_B2B));
    let c = s.bgp.circuit_speaker[s.model.circuit_by_name("c1").unwrap().idx()];
    let held: Vec<String> =
        s.bgp.rib(c).iter().filter(|(_, e)| !e.best.is_empty()).map(|(p, _)| p.to_string()).collect();
    assert!(!held.contains(&"172.20.0.0/16".to_string()), "{held:?}");
}

/// A route server with NVAs: `peers` are (name, ip, asn, advertise TOML).
fn rs_lab(peers: &[(&str, &str, u32, &str)], b2b: bool, extra: &str) -> String {
    let mut blocks = format!("\n[[route_server]]\nname = \"rs\"\nvnet = \"hub\"\nbranch_to_branch = {b2b}\n");
    for (name, ip, asn, adv) in peers {
        blocks.push_str(&format!(
            "\n[[nic]]\nname = \"nic-{name}\"\nvnet = \"hub\"\nsubnet = \"nva\"\nip = \"{ip}\"\nip_forwarding = true\n\n[[bgp_peer]]\nname = \"{name}\"\nnic = \"nic-{name}\"\nroute_server = \"rs\"\nasn = {asn}\nadvertise = {adv}\n"
        ));
    }
    hub(&(blocks + extra))
}

#[test]
fn r71_d5_nva_default_route_reaches_hub_spokes_and_the_nva_subnet() {
    let text = rs_lab(&[("nva1", "10.0.1.4", 65010, "[\"0.0.0.0/0\"]")], false, "");
    let s = sim(&text);
    for rows in [nic_rows(&s, "nic-hub"), nic_rows(&s, "nic-spoke"), subnet_rows(&s, "hub/nva")] {
        assert_eq!(
            with_prefix(&rows, "0.0.0.0/0"),
            ["Virtual network gateway|Active|0.0.0.0/0|Virtual network gateway|10.0.1.4|-"],
            "{rows:#?}"
        );
        // D5: the Internet and None rows disappear.
        assert!(!rows.iter().any(|r| r.contains("|Internet|") || r.contains("|None|")), "{rows:#?}");
    }
}

#[test]
fn r31_a_subnet_with_propagation_off_keeps_internet_and_none_rows() {
    let text = rs_lab(
        &[("nva1", "10.0.1.4", 65010, "[\"0.0.0.0/0\"]")],
        false,
        "\n[[route_table]]\nname = \"rt-off\"\ndisable_bgp_route_propagation = true\n",
    )
    .replace(
        "  name = \"default\"\n  prefix = \"10.1.0.0/24\"",
        "  name = \"default\"\n  prefix = \"10.1.0.0/24\"\n  route_table = \"rt-off\"",
    );
    let rows = nic_rows(&sim(&text), "nic-spoke");
    assert!(
        with_prefix(&rows, "0.0.0.0/0").contains(&&"Default|Active|0.0.0.0/0|Internet|-|-".to_string()),
        "{rows:#?}"
    );
    assert!(rows.contains(&"Default|Active|10.0.0.0/8|None|-|-".to_string()));
}

#[test]
fn r72_d7_nva_route_equal_to_a_spoke_space_is_not_installed_its_supernet_is() {
    let text = rs_lab(&[("nva1", "10.0.1.4", 65010, "[\"10.1.0.0/16\", \"10.1.5.0/24\", \"10.0.0.0/8\"]")], false, "");
    let s = sim(&text);
    let rows = nic_rows(&s, "nic-spoke");
    assert!(with_prefix(&rows, "10.1.0.0/16").iter().all(|r| !r.starts_with("Virtual network gateway")), "{rows:#?}");
    assert!(with_prefix(&rows, "10.1.5.0/24").is_empty(), "{rows:#?}");
    assert!(
        with_prefix(&rows, "10.0.0.0/8")
            .contains(&&"Virtual network gateway|Active|10.0.0.0/8|Virtual network gateway|10.0.1.4|-".to_string())
    );
    // In the hub too: 10.1.0.0/16 is a peered space there (D7).
    let hub = nic_rows(&s, "nic-hub");
    assert!(with_prefix(&hub, "10.1.0.0/16").iter().all(|r| !r.starts_with("Virtual network gateway")));
}

#[test]
fn r72_d8_paths_holding_65515_are_dropped() {
    let text =
        rs_lab(&[("nva1", "10.0.1.4", 65010, "[{ prefix = \"172.16.10.0/24\", as_path = [65515] }]")], false, "");
    let rows = nic_rows(&sim(&text), "nic-spoke");
    assert!(with_prefix(&rows, "172.16.10.0/24").is_empty(), "{rows:#?}");
}

#[test]
fn r73_two_nvas_equal_path_ecmp_longer_path_loses() {
    let text = rs_lab(
        &[
            ("nva1", "10.0.1.4", 65010, "[\"172.16.0.0/16\", \"172.17.0.0/16\"]"),
            (
                "nva2",
                "10.0.1.5",
                65010,
                "[\"172.16.0.0/16\", { prefix = \"172.17.0.0/16\", as_path = [65010, 65010] }]",
            ),
        ],
        false,
        "",
    );
    let rows = nic_rows(&sim(&text), "nic-spoke");
    assert_eq!(
        with_prefix(&rows, "172.16.0.0/16"),
        [
            "Virtual network gateway|Active|172.16.0.0/16|Virtual network gateway|10.0.1.4|-",
            "Virtual network gateway|Active|172.16.0.0/16|Virtual network gateway|10.0.1.5|-"
        ]
    );
    assert_eq!(
        with_prefix(&rows, "172.17.0.0/16"),
        ["Virtual network gateway|Active|172.17.0.0/16|Virtual network gateway|10.0.1.4|-"],
        "the longer AS path loses"
    );
}

#[test]
fn r74_branch_to_branch_exchanges_with_the_expressroute_gateway() {
    let er = r#"
[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[connection]]
name = "er"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "dc"
asn = 65001
circuits = ["c1"]
advertise = ["192.168.50.0/24"]
"#;
    for b2b in [false, true] {
        let s = sim(&rs_lab(&[("nva1", "10.0.1.4", 65010, "[\"172.16.0.0/16\"]")], b2b, er));
        // The NVA route is installed in the domain either way (R74).
        assert_eq!(with_prefix(&nic_rows(&s, "nic-spoke"), "172.16.0.0/16").len(), 1);
        let o = s.bgp.onprem_speaker[s.model.onprem_by_name("dc").unwrap().idx()];
        let onprem: Vec<String> =
            s.bgp.rib(o).iter().filter(|(_, e)| !e.best.is_empty()).map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            onprem.contains(&"172.16.0.0/16".to_string()),
            b2b,
            "b2b={b2b}: on-premises learns the NVA route {onprem:?}"
        );
        let n = s.bgp.nva_speaker[s.model.bgp_peer_by_name("nva1").unwrap().idx()];
        let nva: Vec<(String, String)> = s
            .bgp
            .rib(n)
            .iter()
            .filter_map(|(p, e)| e.best.first().map(|c| (p.to_string(), s.bgp.interner.path_text(c.path))))
            .collect();
        assert!(
            nva.contains(&("10.0.0.0/16".into(), "65515".into())),
            "R74: NVAs get the VNet with path 65515 {nva:?}"
        );
        assert!(nva.contains(&("10.1.0.0/16".into(), "65515".into())), "and the transit spokes {nva:?}");
        assert_eq!(
            nva.iter().any(|(p, _)| p == "192.168.50.0/24"),
            b2b,
            "b2b={b2b}: the NVA learns on-premises {nva:?}"
        );
    }
}

#[test]
fn r52_over_limit_private_peering_drops_the_session() {
    // 4,001 prefixes from one router on a Standard circuit: the session drops, all its routes vanish.
    let prefixes: Vec<String> = (0..4001u32).map(|i| format!("\"172.{}.{}.0/24\"", 16 + i / 256, i % 256)).collect();
    let text = hub(&format!(
        r#"
[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
sku = "Standard"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[connection]]
name = "er"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "big"
asn = 65001
circuits = ["c1"]
advertise = [{}]

[[onprem]]
name = "small"
asn = 65002
circuits = ["c1"]
advertise = ["192.168.1.0/24"]
"#,
        prefixes.join(", ")
    ));
    let rows = nic_rows(&sim(&text), "nic-spoke");
    assert!(with_prefix(&rows, "172.16.0.0/24").is_empty(), "the big router's routes vanish");
    assert_eq!(with_prefix(&rows, "192.168.1.0/24").len(), 2, "another router's session is unaffected");
    let f = ersim::check::check(&load(&text)).expect("check runs").findings;
    assert!(f.iter().any(|d| d.message.contains("4001") && d.message.contains("4000")), "{f:#?}");
    // Premium raises the limit to 10,000.
    let premium = text.replace("sku = \"Standard\"", "sku = \"Premium\"");
    assert_eq!(with_prefix(&nic_rows(&sim(&premium), "nic-spoke"), "172.16.0.0/24").len(), 2);
}

#[test]
fn reach_from_onprem_through_a_vpn_tunnel_into_a_spoke_and_back() {
    let text = hub(&format!(
        "{VPN_AA_BGP}
[[onprem]]
name = \"dc\"
asn = 65010
advertise = [\"172.20.0.0/16\"]

[[local_gateway]]
name = \"lng\"
bgp_asn = 65010
bgp_peer_ip = \"172.20.255.1\"
onprem = \"dc\"

[[connection]]
name = \"s2s\"
gateway = \"vpngw\"
local_gateway = \"lng\"
bgp = true
"
    ));
    let l = ersim::scenario::parse("t.toml", text).unwrap();
    let r = ersim::app::reach(&l, "dc", "nic-spoke").unwrap();
    let out = ersim::report::reach::text(&r.model, &r.reach);
    assert_eq!(r.reach.verdict, ersim::forward::Verdict::Delivered, "{out}");
    assert!(out.contains("vpngw"), "{out}");
    // R68: active-active instances are ECMP, not asymmetry.
    assert!(r.reach.warnings.is_empty(), "{out}");
}

#[test]
fn vpn_gateway_forwarding_toward_a_route_server_route_hands_the_packet_to_the_nva() {
    // The VPN site sends to 172.16.0.0/16, which the route server learned from an NVA.
    let text = rs_lab(
        &[("nva1", "10.0.1.4", 65010, "[\"172.16.0.0/16\"]")],
        true,
        &format!(
            "{VPN_BGP_65515_AA}
[[onprem]]
name = \"dc\"
asn = 65020
advertise = [\"192.168.30.0/24\"]

[[local_gateway]]
name = \"lng\"
bgp_asn = 65020
bgp_peer_ip = \"192.168.30.1\"
onprem = \"dc\"

[[connection]]
name = \"s2s\"
gateway = \"vpngw\"
local_gateway = \"lng\"
bgp = true
"
        ),
    );
    let l = ersim::scenario::parse("t.toml", text).unwrap();
    let r = ersim::app::reach(&l, "dc", "172.16.1.1").unwrap();
    let out = ersim::report::reach::text(&r.model, &r.reach);
    assert!(out.contains("NVA nic-nva1"), "the VPN gateway hands the packet to the NVA\n{out}");
}
