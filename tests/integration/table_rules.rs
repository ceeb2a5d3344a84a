//! Effective-route rules, one small scenario per rule id, asserting specific rows — and the rows
//! that must not be there. Rules: azure-routing.md R11, R13–R16, R22, R25, R27–R31, R35, D3, D5,
//! D6, D7, D10, D13, D15; plus the Microsoft Learn routing example (virtual-networks-udr-overview).

use super::common::*;

/// One VNet 10.0.0.0/16 with subnet `a` (10.0.1.0/24) and an NVA in `nva` (10.0.100.0/24),
/// a route table `rt` on `a` with `routes` (TOML), and `extra` blocks.
fn one_vnet(routes: &str, rt_flags: &str, extra: &str) -> String {
    format!(
        r#"
[[vnet]]
name = "v1"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "a"
  prefix = "10.0.1.0/24"
  route_table = "rt"
  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.100.0/24"

[[nic]]
name = "nic-a"
vnet = "v1"
subnet = "a"

[[nic]]
name = "nic-nva"
vnet = "v1"
subnet = "nva"
ip = "10.0.100.4"
ip_forwarding = true

[[route_table]]
name = "rt"
{rt_flags}
{routes}
{extra}
"#
    )
}

fn route(name: &str, prefix: &str, t: &str, ip: Option<&str>) -> String {
    let ip = ip.map(|i| format!("next_hop_ip = \"{i}\"\n")).unwrap_or_default();
    format!(
        "  [[route_table.route]]\n  name = \"{name}\"\n  prefix = \"{prefix}\"\n  next_hop_type = \"{t}\"\n  {ip}\n"
    )
}

#[test]
fn r27_r29_user_rows_show_name_and_only_appliance_ips() {
    let text = one_vnet(
        &(route("to-nva", "10.50.0.0/16", "VirtualAppliance", Some("10.0.100.4"))
            + &route("drop", "10.60.0.0/16", "None", None)),
        "",
        "",
    );
    let rows = nic_rows(&sim(&text), "nic-a");
    assert_eq!(with_prefix(&rows, "10.50.0.0/16"), ["User|Active|10.50.0.0/16|Virtual appliance|10.0.100.4|to-nva"]);
    assert_eq!(with_prefix(&rows, "10.60.0.0/16"), ["User|Active|10.60.0.0/16|None|-|drop"]);
}

#[test]
fn r22_same_prefix_udr_invalidates_the_system_row_more_specific_keeps_both() {
    let text = one_vnet(
        &(route("vnet-via-nva", "10.0.0.0/16", "VirtualAppliance", Some("10.0.100.4"))
            + &route("local-subnet", "10.0.1.0/24", "VnetLocal", None)),
        "",
        "",
    );
    let rows = nic_rows(&sim(&text), "nic-a");
    assert_eq!(
        with_prefix(&rows, "10.0.0.0/16"),
        [
            "Default|Invalid|10.0.0.0/16|Virtual network|-|-",
            "User|Active|10.0.0.0/16|Virtual appliance|10.0.100.4|vnet-via-nva"
        ]
    );
    // R11: a different prefix never affects another's state.
    assert_eq!(with_prefix(&rows, "10.0.1.0/24"), ["User|Active|10.0.1.0/24|Virtual network|-|local-subnet"]);
    // The NVA's subnet has no route table: its VnetLocal row stays Active (R1: per subnet).
    let nva = subnet_rows(&sim(&text), "v1/nva");
    assert_eq!(with_prefix(&nva, "10.0.0.0/16"), ["Default|Active|10.0.0.0/16|Virtual network|-|-"]);
}

#[test]
fn d5_user_default_route_to_an_appliance_invalidates_internet_and_removes_none_rows() {
    let text = one_vnet(&route("default-nva", "0.0.0.0/0", "VirtualAppliance", Some("10.0.100.4")), "", "");
    let rows = nic_rows(&sim(&text), "nic-a");
    assert_eq!(
        with_prefix(&rows, "0.0.0.0/0"),
        ["Default|Invalid|0.0.0.0/0|Internet|-|-", "User|Active|0.0.0.0/0|Virtual appliance|10.0.100.4|default-nva"]
    );
    for p in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] {
        assert!(with_prefix(&rows, p).is_empty(), "D5: None row {p} must be removed\n{rows:#?}");
    }
}

#[test]
fn d5_user_default_route_to_none_or_internet_keeps_none_rows() {
    for t in ["None", "Internet"] {
        let text = one_vnet(&route("default", "0.0.0.0/0", t, None), "", "");
        let rows = nic_rows(&sim(&text), "nic-a");
        assert_eq!(with_prefix(&rows, "0.0.0.0/0")[0], "Default|Invalid|0.0.0.0/0|Internet|-|-", "{t}");
        assert_eq!(with_prefix(&rows, "10.0.0.0/8"), ["Default|Active|10.0.0.0/8|None|-|-"], "{t}");
    }
}

/// v1 has an ExpressRoute gateway on a circuit where on-premises advertises `onprem` prefixes.
fn with_er(onprem: &[&str], rt_flags: &str, routes: &str) -> String {
    let adv: Vec<String> = onprem.iter().map(|p| format!("\"{p}\"")).collect();
    one_vnet(
        routes,
        rt_flags,
        &format!(
            r#"
[[vnet]]
name = "hubgw"
address_space = ["10.9.0.0/16"]
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.9.255.0/27"

[[gateway]]
name = "ergw"
vnet = "hubgw"
type = "ExpressRoute"

[[peering]]
vnets = ["hubgw", "v1"]
transit_via = "hubgw"

[[circuit]]
name = "c1"
next_hops = ["10.255.0.1", "10.255.0.2"]

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
        ),
    )
}

#[test]
fn d5_gateway_default_route_removes_internet_and_none_rows() {
    // R60: a default route from on-premises replaces Internet in the domain.
    let rows = nic_rows(&sim(&with_er(&["0.0.0.0/0"], "", "")), "nic-a");
    assert_eq!(
        with_prefix(&rows, "0.0.0.0/0"),
        [
            "Virtual network gateway|Active|0.0.0.0/0|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|0.0.0.0/0|Virtual network gateway|10.255.0.2|-"
        ]
    );
    assert!(with_prefix(&rows, "10.0.0.0/8").is_empty(), "D5: None rows removed, not Invalid\n{rows:#?}");
    assert!(!rows.iter().any(|r| r.contains("|Internet|")), "D5: Internet row removed\n{rows:#?}");
}

#[test]
fn d5_gateway_and_user_default_route_user_wins_gateway_invalid() {
    let rows = nic_rows(
        &sim(&with_er(&["0.0.0.0/0"], "", &route("default-nva", "0.0.0.0/0", "VirtualAppliance", Some("10.0.100.4")))),
        "nic-a",
    );
    assert_eq!(
        with_prefix(&rows, "0.0.0.0/0"),
        [
            "Virtual network gateway|Invalid|0.0.0.0/0|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Invalid|0.0.0.0/0|Virtual network gateway|10.255.0.2|-",
            "User|Active|0.0.0.0/0|Virtual appliance|10.0.100.4|default-nva"
        ]
    );
    assert!(!rows.iter().any(|r| r.contains("|Internet|")));
    assert!(with_prefix(&rows, "10.0.0.0/8").is_empty());
}

#[test]
fn r31_propagation_off_removes_gateway_rows_and_flags_every_row() {
    let text = with_er(&["0.0.0.0/0", "192.168.10.0/24"], "disable_bgp_route_propagation = true", "");
    let s = sim(&text);
    let rows = nic_rows(&s, "nic-a");
    assert!(!rows.iter().any(|r| r.starts_with("Virtual network gateway")), "{rows:#?}");
    // B0 cannot arise: the Internet and None rows stay (D5).
    assert!(rows.contains(&"Default|Active|0.0.0.0/0|Internet|-|-".to_string()));
    assert!(rows.contains(&"Default|Active|10.0.0.0/8|None|-|-".to_string()));
    // D13: every row carries the flag in JSON.
    let n = s.model.nic_by_name("nic-a").unwrap();
    let t = s.nic_table(n);
    let out = ersim::report::routes::render(
        &s,
        &t,
        ersim::report::routes::Options { format: ersim::report::Format::Json, merge_next_hops: false },
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["value"].as_array().unwrap().iter().all(|e| e["disableBgpRoutePropagation"] == true));
    // Subnets without the table still get the routes.
    let nva = subnet_rows(&s, "v1/nva");
    assert_eq!(with_prefix(&nva, "192.168.10.0/24").len(), 2);
}

#[test]
fn d5_propagation_off_with_user_default_to_appliance() {
    // Published: propagation off + U0 to an appliance → Internet Invalid, no None rows.
    let text = with_er(
        &["0.0.0.0/0"],
        "disable_bgp_route_propagation = true",
        &route("default-nva", "0.0.0.0/0", "VirtualAppliance", Some("10.0.100.4")),
    );
    let rows = nic_rows(&sim(&text), "nic-a");
    assert_eq!(
        with_prefix(&rows, "0.0.0.0/0"),
        ["Default|Invalid|0.0.0.0/0|Internet|-|-", "User|Active|0.0.0.0/0|Virtual appliance|10.0.100.4|default-nva"]
    );
    assert!(with_prefix(&rows, "10.0.0.0/8").is_empty());
}

#[test]
fn r25_gateway_row_beaten_by_identical_udr_is_invalid() {
    let text = with_er(
        &["192.168.10.0/24"],
        "",
        &route("onprem-via-nva", "192.168.10.0/24", "VirtualAppliance", Some("10.0.100.4")),
    );
    let rows = nic_rows(&sim(&text), "nic-a");
    assert_eq!(
        with_prefix(&rows, "192.168.10.0/24"),
        [
            "Virtual network gateway|Invalid|192.168.10.0/24|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Invalid|192.168.10.0/24|Virtual network gateway|10.255.0.2|-",
            "User|Active|192.168.10.0/24|Virtual appliance|10.0.100.4|onprem-via-nva"
        ]
    );
}

#[test]
fn d15_gateway_row_equal_to_a_reserved_prefix_leaves_it_invalid() {
    let rows = nic_rows(&sim(&with_er(&["192.168.0.0/16"], "", "")), "nic-a");
    assert_eq!(
        with_prefix(&rows, "192.168.0.0/16"),
        [
            "Virtual network gateway|Active|192.168.0.0/16|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|192.168.0.0/16|Virtual network gateway|10.255.0.2|-",
            "Default|Invalid|192.168.0.0/16|None|-|-"
        ]
    );
}

#[test]
fn d7_gateway_route_inside_a_peered_space_is_not_installed_but_its_supernet_is() {
    // 10.9.1.0/24 lies inside the peered hub's 10.9.0.0/16; 10.0.0.0/8 is a supernet.
    let rows = nic_rows(&sim(&with_er(&["10.9.1.0/24", "10.0.1.0/24", "10.0.0.0/8"], "", "")), "nic-a");
    assert!(with_prefix(&rows, "10.9.1.0/24").is_empty(), "{rows:#?}");
    assert!(with_prefix(&rows, "10.0.1.0/24").is_empty(), "own space: not installed (R21)");
    assert_eq!(
        with_prefix(&rows, "10.0.0.0/8"),
        [
            "Virtual network gateway|Active|10.0.0.0/8|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|10.0.0.0/8|Virtual network gateway|10.255.0.2|-",
            "Default|Invalid|10.0.0.0/8|None|-|-"
        ]
    );
}

fn bare(space: &[&str], profile: &str) -> String {
    let sp: Vec<String> = space.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        "{profile}\n[[vnet]]\nname = \"v\"\naddress_space = [{}]\n  [[vnet.subnet]]\n  name = \"s\"\n  prefix = \"{}\"\n\n[[nic]]\nname = \"n\"\nvnet = \"v\"\nsubnet = \"s\"\n",
        sp.join(", "),
        first_subnet(space[0])
    )
}

fn first_subnet(space: &str) -> String {
    let net: ipnet::IpNet = space.parse().unwrap();
    match net {
        ipnet::IpNet::V4(n) => format!("{}/{}", n.network(), n.prefix_len().max(24)),
        ipnet::IpNet::V6(n) => format!("{}/{}", n.network(), n.prefix_len().max(64)),
    }
}

#[test]
fn r13_r16_address_spaces_and_reserved_rows() {
    // A inside P: the None row stays (10.10/16 in 10/8).
    let rows = nic_rows(&sim(&bare(&["10.10.0.0/16"], "")), "n");
    assert!(rows.contains(&"Default|Active|10.0.0.0/8|None|-|-".to_string()));
    // A = P: no None row, the VnetLocal row stands.
    let rows = nic_rows(&sim(&bare(&["192.168.0.0/16"], "")), "n");
    assert_eq!(with_prefix(&rows, "192.168.0.0/16"), ["Default|Active|192.168.0.0/16|Virtual network|-|-"]);
    // A contains P: no None row for P.
    let rows = nic_rows(&sim(&bare(&["172.0.0.0/11"], "")), "n");
    assert!(with_prefix(&rows, "172.16.0.0/12").is_empty());
    // Several address-space prefixes: one VnetLocal row each, in address-space order (D10).
    let rows = nic_rows(&sim(&bare(&["10.2.0.0/16", "10.1.0.0/16"], "")), "n");
    assert_eq!(rows[0], "Default|Active|10.2.0.0/16|Virtual network|-|-");
    assert_eq!(rows[1], "Default|Active|10.1.0.0/16|Virtual network|-|-");
}

#[test]
fn r14_ipv6_space_adds_an_internet_row_and_no_reserved_rows() {
    let rows = nic_rows(&sim(&bare(&["10.1.0.0/16", "fd00:1::/48"], "")), "n");
    assert!(rows.contains(&"Default|Active|::/0|Internet|-|-".to_string()), "{rows:#?}");
    assert!(rows.contains(&"Default|Active|fd00:1::/48|Virtual network|-|-".to_string()));
    // D10: IPv4 rows first.
    let first_v6 = rows.iter().position(|r| r.contains(':')).unwrap();
    assert!(rows[first_v6..].iter().all(|r| r.contains(':')), "{rows:#?}");
}

#[test]
fn d3_profiles() {
    let none = nic_rows(&sim(&bare(&["10.1.0.0/16"], "system_routes = \"none\"")), "n");
    assert!(!none.iter().any(|r| r.contains("|None|")), "{none:#?}");
    let ext = nic_rows(&sim(&bare(&["10.1.0.0/16"], "system_routes = \"extended\"")), "n");
    let ext_none: Vec<&String> = ext.iter().filter(|r| r.contains("|None|")).collect();
    assert_eq!(ext_none.len(), 18, "4 documented + 14 extended\n{ext_none:#?}");
    assert!(ext.contains(&"Default|Active|127.0.0.0/8|None|-|-".to_string()));
    let legacy = nic_rows(&sim(&bare(&["10.1.0.0/16"], "system_routes = \"legacy-2021\"")), "n");
    let legacy_none: Vec<&String> = legacy.iter().filter(|r| r.contains("|None|")).collect();
    assert_eq!(legacy_none.len(), 15, "extended minus 127/8, 172.16/12, 25.30/15\n{legacy_none:#?}");
    for p in ["127.0.0.0/8", "172.16.0.0/12", "25.30.0.0/15"] {
        assert!(with_prefix(&legacy, p).is_empty(), "{p}");
    }
    // D10: reserved rows by ascending length, then address.
    let lens: Vec<u8> =
        ext_none.iter().map(|r| r.split('|').nth(2).unwrap().parse::<ipnet::IpNet>().unwrap().prefix_len()).collect();
    let mut sorted = lens.clone();
    sorted.sort();
    assert_eq!(lens, sorted);
}

#[test]
fn r35_global_peering_type_label_and_order() {
    let text = r#"
[[vnet]]
name = "a"
region = "westeurope"
address_space = ["10.1.0.0/16"]
  [[vnet.subnet]]
  name = "s"
  prefix = "10.1.0.0/24"
  route_table = "rt"

[[vnet]]
name = "b"
region = "eastus"
address_space = ["10.2.0.0/16"]
  [[vnet.subnet]]
  name = "s"
  prefix = "10.2.0.0/24"

[[vnet]]
name = "c"
region = "westeurope"
address_space = ["10.3.0.0/16"]
  [[vnet.subnet]]
  name = "s"
  prefix = "10.3.0.0/24"

[[peering]]
vnets = ["a", "b"]

[[peering]]
vnets = ["a", "c"]

[[route_table]]
name = "rt"
  [[route_table.route]]
  name = "u"
  prefix = "10.99.0.0/16"
  next_hop_type = "None"

[[nic]]
name = "n"
vnet = "a"
subnet = "s"
"#;
    let rows = nic_rows(&sim(text), "n");
    assert_eq!(with_prefix(&rows, "10.2.0.0/16"), ["Default|Active|10.2.0.0/16|Global VNet peering|-|-"]);
    assert_eq!(with_prefix(&rows, "10.3.0.0/16"), ["Default|Active|10.3.0.0/16|VNet peering|-|-"]);
    // D10: global peering rows come last, after user rows.
    assert_eq!(rows.last().unwrap(), "Default|Active|10.2.0.0/16|Global VNet peering|-|-");
    // JSON spelling (R4).
    let s = sim(text);
    let t = s.nic_table(s.model.nic_by_name("n").unwrap());
    let json = ersim::report::routes::render(
        &s,
        &t,
        ersim::report::routes::Options { format: ersim::report::Format::Json, merge_next_hops: false },
    );
    assert!(json.contains("\"VNetGlobalPeering\""));
}

#[test]
fn d15_peering_row_equal_to_a_reserved_prefix_removes_the_none_row() {
    let text = r#"
[[vnet]]
name = "a"
address_space = ["10.1.0.0/16"]
  [[vnet.subnet]]
  name = "s"
  prefix = "10.1.0.0/24"

[[vnet]]
name = "b"
address_space = ["192.168.0.0/16"]
  [[vnet.subnet]]
  name = "s"
  prefix = "192.168.0.0/24"

[[peering]]
vnets = ["a", "b"]

[[nic]]
name = "n"
vnet = "a"
subnet = "s"
"#;
    let rows = nic_rows(&sim(text), "n");
    assert_eq!(with_prefix(&rows, "192.168.0.0/16"), ["Default|Active|192.168.0.0/16|VNet peering|-|-"]);
}

/// The Microsoft Learn routing example (virtual-networks-udr-overview, "Routing example"):
/// Virtual-network-1 (10.0.0.0/16) peered with Virtual-network-2 (10.1.0.0/16, 10.2.0.0/16), a VPN
/// gateway to on-premises 10.10.0.0/16, an NVA at 10.0.100.4, and a route table on Subnet1.
fn learn_example() -> String {
    r#"
[[vnet]]
name = "Virtual-network-1"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "Subnet1"
  prefix = "10.0.0.0/24"
  route_table = "Subnet1-rt"
  [[vnet.subnet]]
  name = "Subnet2"
  prefix = "10.0.1.0/24"
  [[vnet.subnet]]
  name = "DMZ"
  prefix = "10.0.100.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[vnet]]
name = "Virtual-network-2"
address_space = ["10.1.0.0/16", "10.2.0.0/16"]
  [[vnet.subnet]]
  name = "Subnet1"
  prefix = "10.1.0.0/24"

[[peering]]
vnets = ["Virtual-network-1", "Virtual-network-2"]

[[gateway]]
name = "vpngw"
vnet = "Virtual-network-1"
type = "Vpn"
public_ip = "203.0.113.10"

[[local_gateway]]
name = "on-prem"
address_prefixes = ["10.10.0.0/16"]

[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "on-prem"

[[nic]]
name = "nic-nva"
vnet = "Virtual-network-1"
subnet = "DMZ"
ip = "10.0.100.4"
ip_forwarding = true

[[nic]]
name = "nic-1"
vnet = "Virtual-network-1"
subnet = "Subnet1"

[[nic]]
name = "nic-2"
vnet = "Virtual-network-1"
subnet = "Subnet2"

[[route_table]]
name = "Subnet1-rt"
  [[route_table.route]]
  name = "Within-VNet1"
  prefix = "10.0.0.0/16"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.100.4"
  [[route_table.route]]
  name = "Within-Subnet1"
  prefix = "10.0.0.0/24"
  next_hop_type = "VnetLocal"
  [[route_table.route]]
  name = "ToVNet2-1-Drop"
  prefix = "10.1.0.0/16"
  next_hop_type = "None"
  [[route_table.route]]
  name = "ToVNet2-2-Drop"
  prefix = "10.2.0.0/16"
  next_hop_type = "None"
  [[route_table.route]]
  name = "To-On-Prem"
  prefix = "10.10.0.0/16"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.100.4"
  [[route_table.route]]
  name = "Default-NVA"
  prefix = "0.0.0.0/0"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.100.4"
"#
    .to_string()
}

#[test]
fn learn_example_subnet1_published_table() {
    // The published table (IDs 1–9, 11, 12), with the gateway row's Source as `Virtual network
    // gateway` (D1) and the service-endpoint row (ID 10) left out (R46, outside format v1).
    let rows = nic_rows(&sim(&learn_example()), "nic-1");
    assert_rows(
        &rows,
        &[
            "Default|Invalid|10.0.0.0/16|Virtual network|-|-",
            "User|Active|10.0.0.0/16|Virtual appliance|10.0.100.4|Within-VNet1",
            "User|Active|10.0.0.0/24|Virtual network|-|Within-Subnet1",
            "Default|Invalid|10.1.0.0/16|VNet peering|-|-",
            "Default|Invalid|10.2.0.0/16|VNet peering|-|-",
            "User|Active|10.1.0.0/16|None|-|ToVNet2-1-Drop",
            "User|Active|10.2.0.0/16|None|-|ToVNet2-2-Drop",
            "Virtual network gateway|Invalid|10.10.0.0/16|Virtual network gateway|203.0.113.10|-",
            "User|Active|10.10.0.0/16|Virtual appliance|10.0.100.4|To-On-Prem",
            "Default|Invalid|0.0.0.0/0|Internet|-|-",
            "User|Active|0.0.0.0/0|Virtual appliance|10.0.100.4|Default-NVA",
        ],
    );
}

#[test]
fn learn_example_subnet2_published_table() {
    // The published Subnet2 table lists 10/8, 100.64/10 and 192.168/16 as None; the documented
    // profile (D3) also has 172.16.0.0/12, which the same page's system-route list includes.
    let rows = nic_rows(&sim(&learn_example()), "nic-2");
    assert_rows(
        &rows,
        &[
            "Default|Active|10.0.0.0/16|Virtual network|-|-",
            "Default|Active|10.1.0.0/16|VNet peering|-|-",
            "Default|Active|10.2.0.0/16|VNet peering|-|-",
            "Virtual network gateway|Active|10.10.0.0/16|Virtual network gateway|203.0.113.10|-",
            "Default|Active|0.0.0.0/0|Internet|-|-",
            "Default|Active|10.0.0.0/8|None|-|-",
            "Default|Active|100.64.0.0/10|None|-|-",
            "Default|Active|172.16.0.0/12|None|-|-",
            "Default|Active|192.168.0.0/16|None|-|-",
        ],
    );
}
