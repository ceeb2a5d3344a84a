//! ExpressRoute rules, one small scenario each: D4 (allow_remote_vnet_traffic), R38/R47 (gateway
//! transit), R55/D9 (routing weight, ECMP over circuits), R59 (no circuit-to-circuit transit).

use super::common::*;
use ersim::rules::{Rule, RuleSet};

/// The seed with an on-premises router on circuit01 advertising 192.168.10.0/24.
fn seed_with_onprem() -> String {
    seed_text()
        + r#"
[[onprem]]
name = "dc-tokyo"
asn = 65001
circuits = ["circuit01"]
advertise = ["192.168.10.0/24"]
"#
}

#[test]
fn d4_off_on_one_gateway_removes_the_other_hub_on_both_sides_but_keeps_onprem() {
    for gw in ["ergw-hub00", "ergw-hub100"] {
        let text = edit(
            &seed_with_onprem(),
            &format!(
                "name = \"{gw}\"\nvnet = \"{}\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"",
                gw.trim_start_matches("ergw-")
            ),
            &format!(
                "name = \"{gw}\"\nvnet = \"{}\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"\nallow_remote_vnet_traffic = false",
                gw.trim_start_matches("ergw-")
            ),
        );
        // the seed sets it true right after; drop that line for this gateway
        let text = text.replacen(
            "allow_remote_vnet_traffic = false\n# The article",
            "allow_remote_vnet_traffic = false\n# (off)",
            1,
        );
        let text = fix_duplicate_flag(&text);
        let sim = sim(&text);
        let s10 = nic_rows(&sim, "nic-spoke10");
        let s110 = nic_rows(&sim, "nic-spoke110");
        for p in ["10.100.0.0/16", "10.110.0.0/16", "10.120.0.0/16"] {
            assert!(with_prefix(&s10, p).is_empty(), "{gw} off: spoke10 must not learn {p}\n{s10:#?}");
        }
        for p in ["10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16"] {
            assert!(with_prefix(&s110, p).is_empty(), "{gw} off: spoke110 must not learn {p}\n{s110:#?}");
        }
        for rows in [&s10, &s110] {
            assert_eq!(
                with_prefix(rows, "192.168.10.0/24"),
                [
                    "Virtual network gateway|Active|192.168.10.0/24|Virtual network gateway|10.2.146.76|-",
                    "Virtual network gateway|Active|192.168.10.0/24|Virtual network gateway|10.2.146.77|-"
                ],
                "{gw} off: on-premises routes stay (D4)"
            );
        }
    }
}

/// The seed sets `allow_remote_vnet_traffic = true` on both gateways; when a test prepends a
/// `false`, remove the later `true` of the same block so the key appears once.
fn fix_duplicate_flag(text: &str) -> String {
    let mut out = String::new();
    let mut seen_false = false;
    for line in text.lines() {
        if line.starts_with("[[") {
            seen_false = false;
        }
        if line == "allow_remote_vnet_traffic = false" {
            seen_false = true;
        } else if seen_false && line == "allow_remote_vnet_traffic = true" {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn d4_on_both_gateways_gives_the_hairpin() {
    let sim = sim(&seed_with_onprem());
    let rows = nic_rows(&sim, "nic-spoke10");
    assert_eq!(with_prefix(&rows, "10.110.0.0/16").len(), 2);
    assert_eq!(with_prefix(&rows, "192.168.10.0/24").len(), 2);
}

#[test]
fn a_spoke_without_use_remote_gateways_gets_no_gateway_routes_and_is_not_advertised() {
    let text = edit(
        &seed_text(),
        "vnets = [\"hub00\", \"spoke20\"]\ntransit_via = \"hub00\"",
        "vnets = [\"hub00\", \"spoke20\"]",
    );
    let sim = sim(&text);
    let s20 = nic_rows(&sim, "nic-spoke20");
    assert!(
        s20.iter().all(|r| !r.starts_with("Virtual network gateway")),
        "spoke20 must have no gateway rows:\n{s20:#?}"
    );
    // It still has its peering to the hub (R35).
    assert_eq!(with_prefix(&s20, "10.0.0.0/16"), ["Default|Active|10.0.0.0/16|VNet peering|-|-"]);
    // hub00's gateway no longer advertises 10.20.0.0/16: the other hub does not learn it (R50).
    let s110 = nic_rows(&sim, "nic-spoke110");
    assert!(with_prefix(&s110, "10.20.0.0/16").is_empty(), "{s110:#?}");
    assert_eq!(with_prefix(&s110, "10.10.0.0/16").len(), 2, "spoke10 still advertised");
}

/// One hub on two circuits, an on-premises router on both, another router on circuit B only.
fn two_circuits(weight_a: u32, weight_b: u32) -> String {
    format!(
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

[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "circuit-a"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[circuit]]
name = "circuit-b"
next_hops = ["10.255.1.1", "10.255.1.2"]

[[connection]]
name = "conn-a"
gateway = "ergw"
circuit = "circuit-a"
routing_weight = {weight_a}

[[connection]]
name = "conn-b"
gateway = "ergw"
circuit = "circuit-b"
routing_weight = {weight_b}

[[onprem]]
name = "dc1"
asn = 65001
circuits = ["circuit-a", "circuit-b"]
advertise = ["192.168.100.0/24"]

[[onprem]]
name = "dc2"
asn = 65002
circuits = ["circuit-b"]
advertise = ["172.20.0.0/16"]

[[nic]]
name = "nic-hub"
vnet = "hub"
subnet = "default"
"#
    )
}

#[test]
fn r55_higher_routing_weight_wins() {
    let sim = sim(&two_circuits(100, 0));
    let rows = nic_rows(&sim, "nic-hub");
    assert_eq!(
        with_prefix(&rows, "192.168.100.0/24"),
        [
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.0.2|-"
        ]
    );
    let sim = sim_rev(&two_circuits(0, 100));
    let rows = nic_rows(&sim, "nic-hub");
    assert_eq!(
        with_prefix(&rows, "192.168.100.0/24"),
        [
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.1.1|-",
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.1.2|-"
        ]
    );
}

fn sim_rev(text: &str) -> ersim::Simulation {
    sim(text)
}

#[test]
fn d9_equal_weight_and_path_is_ecmp_over_both_circuits() {
    let sim = sim(&two_circuits(0, 0));
    let rows = nic_rows(&sim, "nic-hub");
    assert_eq!(
        with_prefix(&rows, "192.168.100.0/24"),
        [
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.0.1|-",
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.0.2|-",
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.1.1|-",
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.1.2|-"
        ]
    );
}

#[test]
fn d9_a_shorter_as_path_wins_at_equal_weight() {
    // dc1 prepends twice toward circuit-a: circuit-b's path is shorter.
    let text = two_circuits(0, 0).replace(
        "advertise = [\"192.168.100.0/24\"]",
        "advertise = [\"192.168.100.0/24\"]\nas_path_prepend = { circuit-a = 2 }",
    );
    let sim = sim(&text);
    let rows = nic_rows(&sim, "nic-hub");
    assert_eq!(
        with_prefix(&rows, "192.168.100.0/24"),
        [
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.1.1|-",
            "Virtual network gateway|Active|192.168.100.0/24|Virtual network gateway|10.255.1.2|-"
        ]
    );
}

#[test]
fn r59_no_transit_from_one_circuit_to_the_other() {
    let sim = sim(&two_circuits(0, 0));
    // The hub learns dc2's prefix over circuit-b ...
    let rows = nic_rows(&sim, "nic-hub");
    assert_eq!(with_prefix(&rows, "172.20.0.0/16").len(), 2);
    // ... but the gateway never hands it to circuit-a, so circuit-a's MSEE does not hold it.
    let ca = sim.model.circuit_by_name("circuit-a").unwrap();
    let speaker = sim.bgp.circuit_speaker[ca.idx()];
    let held: Vec<String> = sim.bgp.rib(speaker).iter().map(|(p, _)| p.to_string()).collect();
    let dbg: Vec<String> = sim.bgp.rib(speaker).iter().map(|(p, e)| format!("{p} {e:?}")).collect();
    assert!(!held.contains(&"172.20.0.0/16".to_string()), "circuit-a holds {dbg:#?}");
    assert!(held.contains(&"10.0.0.0/16".to_string()), "circuit-a holds the hub: {held:?}");
}

#[test]
fn d8_paths_as_the_msee_rewrites_them() {
    // Gateway originations reach the other gateway as `12076 12076`; on-premises routes as `12076 65001`.
    let sim = sim(&seed_with_onprem());
    let g = sim.model.gateway_by_name("ergw-hub100").unwrap();
    let s = sim.bgp.gateway_speaker[g.idx()];
    let paths: Vec<(String, String)> = sim
        .bgp
        .rib(s)
        .iter()
        .filter_map(|(p, e)| {
            e.best.first().filter(|c| c.via.is_some()).map(|c| (p.to_string(), sim.bgp.interner.path_text(c.path)))
        })
        .collect();
    assert!(paths.contains(&("10.10.0.0/16".into(), "12076 12076".into())), "{paths:?}");
    assert!(paths.contains(&("192.168.10.0/24".into(), "12076 65001".into())), "{paths:?}");
}

#[test]
fn explain_names_the_rule_for_every_lost_or_filtered_candidate() {
    // Two circuits, weight 100 on circuit-a: circuit-b's copy of each on-premises prefix loses on
    // weight (R55/D9); the MSEE's echo of the hub's own space is dropped by the gateway (D8).
    let s = sim(&two_circuits(100, 0));
    let t = s.nic_table(s.model.nic_by_name("nic-hub").unwrap());
    let cands = ersim::effective::explain::candidates(&s.model, &s.bgp, &t);
    let lost: Vec<_> = cands.iter().filter(|c| c.prefix == "192.168.100.0/24").collect();
    assert_eq!(lost.len(), 1, "{cands:#?}");
    assert!(lost[0].via.contains("conn-b (circuit-b)"), "{lost:#?}");
    assert!(lost[0].reason.contains("routing weight 0 < 100"), "{lost:#?}");
    assert_eq!(lost[0].rule, RuleSet::of(&[Rule::R55, Rule::D9]));
    let echo: Vec<_> = cands.iter().filter(|c| c.prefix == "10.0.0.0/16").collect();
    assert!(!echo.is_empty() && echo.iter().all(|c| c.rule == Rule::D8.into()), "{echo:#?}");
    // Every candidate carries a rule id and a reason.
    assert!(cands.iter().all(|c| !c.rule.is_empty() && !c.reason.is_empty()));
    // Each row has a provenance with a rule.
    for r in t.rows() {
        let p = ersim::effective::explain::provenance(&s.model, &s.bgp, &t, &r);
        assert!(!p.rule.is_empty() && !p.origin.is_empty(), "{r:?}");
    }
    // D7 at install: on-premises advertising the hub's own space is not installed (R21/D7).
    let text = two_circuits(0, 0)
        .replace("advertise = [\"172.20.0.0/16\"]", "advertise = [\"172.20.0.0/16\", \"10.0.0.0/16\"]");
    let s = sim(&text);
    let t = s.nic_table(s.model.nic_by_name("nic-hub").unwrap());
    let cands = ersim::effective::explain::candidates(&s.model, &s.bgp, &t);
    assert!(
        cands.iter().any(|c| c.prefix == "10.0.0.0/16"
            && c.via.contains("dc2")
            && c.rule == RuleSet::of(&[Rule::R21, Rule::D7])
            && c.reason.contains("address space")),
        "{cands:#?}"
    );
}

#[test]
fn explain_in_json_keeps_the_az_shape_and_adds_ersim_keys() {
    let s = sim(&seed_text());
    let t = s.nic_table(s.model.nic_by_name("nic-spoke10").unwrap());
    let o = ersim::report::routes::Options { format: ersim::report::Format::Json, merge_next_hops: false };
    let plain: serde_json::Value = serde_json::from_str(&ersim::report::routes::render_with(&s, &t, o, false)).unwrap();
    let explained: serde_json::Value =
        serde_json::from_str(&ersim::report::routes::render_with(&s, &t, o, true)).unwrap();
    assert!(plain.get("ersimCandidates").is_none());
    assert!(plain["value"][0].get("ersim").is_none());
    assert!(explained["ersimCandidates"].is_array());
    let v = explained["value"].as_array().unwrap();
    assert_eq!(v.len(), 13);
    assert_eq!(v[2]["ersim"]["rule"], "R47, R48, R57");
    assert!(v[2]["ersim"]["origin"].as_str().unwrap().contains("AS path 12076 12076"));
}
