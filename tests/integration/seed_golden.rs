//! Golden tests from published Azure output: the seed article's effective routes of nic-spoke10
//! (zenn.dev/skmkzyk, 2022-07-27), plus the default rows it omitted (R14, D3), and the mirror cases
//! the same rules give for the other hub (R13, R35, R47, R57, D2, D10).

use super::common::*;

/// The article's 8 rows, verbatim (ECMP next hops as separate rows, D2).
const ARTICLE_ROWS: [&str; 8] = [
    "Default|Active|10.10.0.0/16|Virtual network|-|-",
    "Default|Active|10.0.0.0/16|VNet peering|-|-",
    "Virtual network gateway|Active|10.100.0.0/16|Virtual network gateway|10.2.146.76|-",
    "Virtual network gateway|Active|10.100.0.0/16|Virtual network gateway|10.2.146.77|-",
    "Virtual network gateway|Active|10.120.0.0/16|Virtual network gateway|10.2.146.76|-",
    "Virtual network gateway|Active|10.120.0.0/16|Virtual network gateway|10.2.146.77|-",
    "Virtual network gateway|Active|10.110.0.0/16|Virtual network gateway|10.2.146.76|-",
    "Virtual network gateway|Active|10.110.0.0/16|Virtual network gateway|10.2.146.77|-",
];

#[test]
fn nic_spoke10_is_the_articles_table_plus_the_default_rows() {
    let sim = sim(&seed_text());
    let rows = nic_rows(&sim, "nic-spoke10");
    let mut expected: Vec<&str> = ARTICLE_ROWS.to_vec();
    expected.extend(DEFAULTS);
    assert_rows(&rows, &expected);
    assert_eq!(rows.len(), 13);
}

#[test]
fn nic_spoke10_has_no_route_to_its_sibling_spoke() {
    // R37: peering is not transitive and the hub gateway never hands spoke20 to spoke10.
    let sim = sim(&seed_text());
    let rows = nic_rows(&sim, "nic-spoke10");
    assert!(with_prefix(&rows, "10.20.0.0/16").is_empty(), "{rows:#?}");
}

#[test]
fn nic_spoke10_rows_follow_d10_order() {
    let sim = sim(&seed_text());
    let rows = nic_rows(&sim, "nic-spoke10");
    let prefixes: Vec<&str> = rows.iter().map(|r| r.split('|').nth(2).unwrap()).collect();
    assert_eq!(
        prefixes,
        [
            "10.10.0.0/16",
            "10.0.0.0/16",
            "10.100.0.0/16",
            "10.100.0.0/16",
            "10.110.0.0/16",
            "10.110.0.0/16",
            "10.120.0.0/16",
            "10.120.0.0/16",
            "0.0.0.0/0",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "172.16.0.0/12",
            "192.168.0.0/16"
        ]
    );
}

#[test]
fn nic_spoke110_is_the_mirror_image() {
    let sim = sim(&seed_text());
    let rows = nic_rows(&sim, "nic-spoke110");
    let mut expected = vec![
        "Default|Active|10.110.0.0/16|Virtual network|-|-",
        "Default|Active|10.100.0.0/16|VNet peering|-|-",
        "Virtual network gateway|Active|10.0.0.0/16|Virtual network gateway|10.2.146.76|-",
        "Virtual network gateway|Active|10.0.0.0/16|Virtual network gateway|10.2.146.77|-",
        "Virtual network gateway|Active|10.10.0.0/16|Virtual network gateway|10.2.146.76|-",
        "Virtual network gateway|Active|10.10.0.0/16|Virtual network gateway|10.2.146.77|-",
        "Virtual network gateway|Active|10.20.0.0/16|Virtual network gateway|10.2.146.76|-",
        "Virtual network gateway|Active|10.20.0.0/16|Virtual network gateway|10.2.146.77|-",
    ];
    expected.extend(DEFAULTS);
    assert_rows(&rows, &expected);
}

#[test]
fn hub00_gateway_subnet_sees_both_spokes_by_peering_and_the_other_hub_by_gateway() {
    let sim = sim(&seed_text());
    let rows = subnet_rows(&sim, "hub00/GatewaySubnet");
    let mut expected = vec![
        "Default|Active|10.0.0.0/16|Virtual network|-|-",
        "Default|Active|10.10.0.0/16|VNet peering|-|-",
        "Default|Active|10.20.0.0/16|VNet peering|-|-",
        "Virtual network gateway|Active|10.100.0.0/16|Virtual network gateway|10.2.146.76|-",
        "Virtual network gateway|Active|10.100.0.0/16|Virtual network gateway|10.2.146.77|-",
        "Virtual network gateway|Active|10.110.0.0/16|Virtual network gateway|10.2.146.76|-",
        "Virtual network gateway|Active|10.110.0.0/16|Virtual network gateway|10.2.146.77|-",
        "Virtual network gateway|Active|10.120.0.0/16|Virtual network gateway|10.2.146.76|-",
        "Virtual network gateway|Active|10.120.0.0/16|Virtual network gateway|10.2.146.77|-",
    ];
    expected.extend(DEFAULTS);
    assert_rows(&rows, &expected);
}

#[test]
fn every_nic_of_a_subnet_shares_one_table() {
    // R1: the table belongs to the subnet.
    let text = edit(
        &seed_text(),
        "[[nic]]\nname = \"nic-spoke10\"",
        "[[nic]]\nname = \"nic-spoke10b\"\nvnet = \"spoke10\"\nsubnet = \"default\"\n\n[[nic]]\nname = \"nic-spoke10\"",
    );
    let sim = sim(&text);
    let a = sim.nic_table(sim.model.nic_by_name("nic-spoke10").unwrap());
    let b = sim.nic_table(sim.model.nic_by_name("nic-spoke10b").unwrap());
    assert!(std::sync::Arc::ptr_eq(&a, &b));
}
