//! `ersim import`: hand-written Azure exports of three bundled designs (the seed, active-active
//! VPN with BGP, Route Server with NVAs), in the nested form (Resource Graph pages) and the
//! flattened form (az CLI list outputs, some without `type`), give scenarios whose effective routes
//! equal the bundled scenario's for every NIC; shuffled resources give the same text; the edge
//! cases of a real estate (name collisions, a peering to a VNet outside the export, a one-sided
//! peering, a Virtual WAN hub, an NSG, malformed files) are handled as documented.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use ersim::Simulation;
use ersim::effective::split_next_hops;
use ersim::import::{self, Imported, Input};

use super::common;

/// A fixture path under `tests/fixtures/azure/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure").join(rel)
}

/// Import fixture files or directories through the library.
pub fn import_paths(rels: &[&str]) -> Imported {
    let paths: Vec<PathBuf> = rels.iter().map(|r| fixture(r)).collect();
    let inputs = import::read_inputs(&paths).expect("fixtures are readable");
    import::import(&inputs).unwrap_or_else(|e| panic!("import of {rels:?} failed:\n{e}"))
}

/// A row as compared: (source, state, prefix, next hop type, next hop addresses, UDR name).
type RowKey = (String, String, String, String, String, String);

/// The rows of a NIC's table, one per next hop, as a set.
pub fn row_set(sim: &Simulation, nic: &str) -> BTreeSet<RowKey> {
    let n = sim.model.nic_by_name(nic).unwrap_or_else(|| panic!("no NIC {nic}"));
    split_next_hops(&sim.nic_table(n).rows(), false)
        .iter()
        .map(|r| {
            (
                r.source.api().to_string(),
                r.state.as_str().to_string(),
                r.prefix.to_string(),
                r.next_hop_type.api().to_string(),
                r.next_hop_ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","),
                r.udr_name.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// Every NIC of `original` exists in `imported` with the same effective routes.
pub fn assert_same_routes(original: &str, imported: &Imported) {
    assert!(imported.invalid.is_none(), "the import does not validate:\n{}\n---\n{}", imported.invalid.as_deref().unwrap_or(""), imported.text);
    let a = common::sim(original);
    let b = common::sim(&imported.text);
    for nic in &a.model.nics {
        assert!(b.model.nic_by_name(&nic.name).is_some(), "NIC {} missing from the import:\n{}", nic.name, imported.text);
        let (ra, rb) = (row_set(&a, &nic.name), row_set(&b, &nic.name));
        let missing: Vec<_> = ra.difference(&rb).collect();
        let extra: Vec<_> = rb.difference(&ra).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "NIC {}: routes differ\nmissing: {missing:#?}\nextra: {extra:#?}\n---\n{}",
            nic.name,
            imported.text
        );
    }
}

#[test]
fn seed_nested_resource_graph_pages_reproduce_its_routes() {
    let i = import_paths(&["seed/graph", "seed/runtime"]);
    assert_same_routes(&common::seed_text(), &i);
    assert!(i.text.contains("next_hops = [\"10.2.146.76\", \"10.2.146.77\"]"), "{}", i.text);
}

#[test]
fn seed_flattened_az_outputs_reproduce_its_routes() {
    let i = import_paths(&["seed/cli", "seed/runtime"]);
    assert_same_routes(&common::seed_text(), &i);
}

#[test]
fn active_active_vpn_bgp_reproduces_its_routes_in_both_forms() {
    let original = common::bundled_text("active-active-vpn-bgp.toml");
    for form in ["graph", "cli"] {
        let i = import_paths(&[&format!("active-active-vpn-bgp/{form}"), "active-active-vpn-bgp/runtime"]);
        assert_same_routes(&original, &i);
    }
}

#[test]
fn route_server_nva_ecmp_reproduces_its_routes_in_both_forms() {
    let original = common::bundled_text("route-server-nva-ecmp.toml");
    for form in ["graph", "cli"] {
        let i = import_paths(&[&format!("route-server-nva-ecmp/{form}"), "route-server-nva-ecmp/runtime"]);
        assert_same_routes(&original, &i);
    }
}

#[test]
fn nested_and_flattened_exports_give_the_same_scenario_but_for_id_casing() {
    for (a, b) in [
        (["seed/graph", "seed/runtime"], ["seed/cli", "seed/runtime"]),
        (["route-server-nva-ecmp/graph", "route-server-nva-ecmp/runtime"], ["route-server-nva-ecmp/cli", "route-server-nva-ecmp/runtime"]),
    ] {
        let strip = |t: &str| {
            t.lines()
                .filter(|l| !l.starts_with("# /subscriptions/") && !l.starts_with("# Files:") && !l.starts_with("# routes from") && !l.starts_with("description"))
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&import_paths(&a).text), strip(&import_paths(&b).text));
    }
}
