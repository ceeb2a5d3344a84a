//! `ersim resilience` and `resilient = true`: single points of failure from the rules (the
//! circuit joins the seed's two hubs, R57; a DR circuit keeps on-premises reachable, R55), the
//! rectangle-by-rectangle comparison against a pair-by-pair one, and the CLI.

use ersim::resilience::{Kind, sweep};

use super::common::*;

fn cases(text: &str, kinds: &[Kind]) -> Vec<(String, u64, u64)> {
    let s = sim(text);
    let sw = sweep(&s, kinds, &|_, _| {}).unwrap();
    sw.cases.iter().map(|c| (c.element.clone(), c.vnet_pairs_lost, c.onprem_pairs_lost)).collect()
}

#[test]
fn the_seed_hangs_on_its_circuit_its_connections_and_each_gateway() {
    // The two hubs reach each other only over circuit01 (R57): losing it, either connection or
    // either ExpressRoute gateway cuts every pair across the hubs, 3 × 3 VNets.
    let got = cases(&seed_text(), &Kind::DEFAULT);
    let mut want: Vec<(String, u64, u64)> = [
        "circuit:circuit01",
        "connection:conn-hub00",
        "connection:conn-hub100",
        "gateway:ergw-hub00",
        "gateway:ergw-hub100",
    ]
    .iter()
    .map(|e| (e.to_string(), 9, 0))
    .collect();
    want.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, want);
}

#[test]
fn a_disaster_recovery_circuit_leaves_no_single_circuit_as_a_point_of_failure() {
    // Both data centres advertise the corporate ranges (R55 picks London by weight; Amsterdam
    // takes over): no circuit or connection is a single point of failure; the hub's one gateway is.
    let got = cases(&bundled_text("two-circuits-dr.toml"), &Kind::DEFAULT);
    for (e, vnet, onprem) in &got {
        if e.starts_with("circuit:") || e.starts_with("connection:") {
            assert_eq!((*vnet, *onprem), (0, 0), "{e} must break nothing");
        }
    }
    let gw = got.iter().find(|(e, ..)| e == "gateway:ergw-hub").expect("the gateway is a case");
    assert_eq!(gw.2, 2, "both VNets lose on-premises with the only gateway down");
    assert_eq!(got[0].0, "gateway:ergw-hub", "ranked first");
}

#[test]
fn each_case_counts_what_a_pair_by_pair_comparison_counts() {
    for file in
        ["seed-multi-hub-expressroute.toml", "two-regions-global-peering.toml", "er-vpn-coexistence-route-server.toml"]
    {
        let text = bundled_text(file);
        let s = sim(&text);
        let kinds = Kind::ALL;
        let sw = sweep(&s, &kinds, &|_, _| {}).unwrap();
        let sel = ersim::matrix::Selection { include_onprem: true, ..Default::default() };
        let before = ersim::matrix::compute(&s, &sel, &mut |_, _| {}).unwrap();
        for c in &sw.cases {
            let failed = sim_of(s.model.without(std::slice::from_ref(&c.failure)));
            let after = ersim::matrix::compute(&failed, &sel, &mut |_, _| {}).unwrap();
            assert_eq!(before.names, after.names);
            let mut vnet = 0;
            for &a in &before.from {
                for &b in &before.to {
                    let router = before.names[b as usize].starts_with("onprem:");
                    if a == b || router {
                        continue;
                    }
                    if before.delivered(a as usize, b as usize) && !after.delivered(a as usize, b as usize) {
                        vnet += 1;
                    }
                }
            }
            assert_eq!(c.vnet_pairs_lost * 2, vnet, "{file}: {}", c.element);
        }
    }
}

fn sim_of(m: ersim::model::Model) -> ersim::Simulation {
    ersim::Simulation::new(m).expect("converges")
}

#[test]
fn a_resilient_expectation_names_every_element_that_breaks_it() {
    let text = format!(
        "{}\n[[expect]]\nname = \"across the circuit\"\nfrom = \"vm-spoke10\"\nto = \"vm-spoke110\"\nresilient = true\n\n[[expect]]\nname = \"inside hub00\"\nfrom = \"vm-spoke10\"\nto = \"hub00\"\nresilient = true\n",
        seed_text()
    );
    let r = ersim::check::check(&load(&text)).unwrap();
    assert_eq!(r.exit_code(), 1);
    let across = r.expectations.iter().find(|e| e.name == "across the circuit").unwrap();
    assert!(!across.pass);
    let detail = ersim::report::check::detail(&r, across);
    for e in ["circuit:circuit01", "gateway:ergw-hub00", "gateway:ergw-hub100", "connection:conn-hub00"] {
        assert!(detail.contains(e), "{detail}");
    }
    assert!(detail.contains("NextHopNone"), "{detail}");
    // A spoke and its own hub only need their peering, which is not a failure kind (R35).
    let inside = r.expectations.iter().find(|e| e.name == "inside hub00").unwrap();
    assert!(inside.pass, "{}", ersim::report::check::detail(&r, inside));
}

#[test]
fn resilient_is_for_reachability_only() {
    let text =
        format!("{}\n[[expect]]\nnic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nresilient = true\n", seed_text());
    let errs = errors(&text);
    assert!(errs.iter().any(|d| d.message.contains("resilient")), "{errs:?}");
}

#[test]
fn the_cli_prints_text_and_json_and_refuses_unknown_kinds() {
    let bin = env!("CARGO_BIN_EXE_ersim");
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml");
    let out = std::process::Command::new(bin).args(["resilience", seed]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("single points of failure (5)"), "{text}");
    assert!(text.contains("circuit:circuit01: breaks 9 VNet pairs"), "{text}");
    let out = std::process::Command::new(bin)
        .args(["resilience", "-o", "json", "--kinds", "circuits", seed])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kinds"], serde_json::json!(["circuits"]));
    assert_eq!(v["cases"][0]["element"], "circuit:circuit01");
    assert_eq!(v["cases"][0]["vnetPairsLost"], 9);
    assert_eq!(v["cases"][0]["breaks"], true);
    let out = std::process::Command::new(bin).args(["resilience", "--kinds", "circuts", seed]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown kind `circuts`"));
}
