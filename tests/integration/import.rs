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
    assert!(
        imported.invalid.is_none(),
        "the import does not validate:\n{}\n---\n{}",
        imported.invalid.as_deref().unwrap_or(""),
        imported.text
    );
    let a = common::sim(original);
    let b = common::sim(&imported.text);
    for nic in &a.model.nics {
        assert!(
            b.model.nic_by_name(&nic.name).is_some(),
            "NIC {} missing from the import:\n{}",
            nic.name,
            imported.text
        );
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
    // ergw-hub00's instance addresses, as its bgpSettings show them (ergw-hub100's are not shown).
    assert!(i.text.contains("ips = [\"10.0.200.4\", \"10.0.200.5\"]"), "{}", i.text);
    assert_eq!(i.text.matches("ips = ").count(), 1, "{}", i.text);
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

/// A small deterministic generator for shuffles (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// Shuffle every array whose order carries no meaning: resource lists, subnets, peerings, and a
/// Route Server's per-instance route lists (not route-table routes, not address prefixes).
fn shuffle_json(v: &mut serde_json::Value, rng: &mut Rng, unordered: bool) {
    match v {
        serde_json::Value::Array(a) => {
            if unordered {
                rng.shuffle(a);
            }
            for e in a {
                shuffle_json(e, rng, false);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, e) in o.iter_mut() {
                let un = matches!(k.as_str(), "data" | "value" | "subnets" | "virtualNetworkPeerings")
                    || k.starts_with("RouteServiceRole");
                shuffle_json(e, rng, un);
            }
        }
        _ => {}
    }
}

#[test]
fn shuffled_resources_and_files_give_the_same_scenario() {
    for set in [
        &["seed/graph", "seed/runtime"][..],
        &["seed/cli", "seed/runtime"],
        &["active-active-vpn-bgp/cli", "active-active-vpn-bgp/runtime"],
        &["route-server-nva-ecmp/graph", "route-server-nva-ecmp/runtime"],
        &["edge/estate.json"],
    ] {
        let paths: Vec<PathBuf> = set.iter().map(|r| fixture(r)).collect();
        let inputs = import::read_inputs(&paths).unwrap();
        let base = import::import(&inputs).unwrap().text;
        for seed in 1..=6u64 {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
            let mut shuffled: Vec<Input> = inputs
                .iter()
                .map(|i| {
                    let mut v: serde_json::Value = serde_json::from_slice(&i.bytes).unwrap();
                    shuffle_json(&mut v, &mut rng, true);
                    Input { name: i.name.clone(), bytes: serde_json::to_vec(&v).unwrap() }
                })
                .collect();
            rng.shuffle(&mut shuffled);
            let got = import::import(&shuffled).unwrap().text;
            assert!(
                got == base,
                "{set:?}, shuffle {seed}: the scenario differs\n--- base\n{base}\n--- shuffled\n{got}"
            );
        }
    }
}

#[test]
fn nested_and_flattened_exports_give_the_same_scenario_but_for_id_casing() {
    for (a, b) in [
        (["seed/graph", "seed/runtime"], ["seed/cli", "seed/runtime"]),
        (
            ["route-server-nva-ecmp/graph", "route-server-nva-ecmp/runtime"],
            ["route-server-nva-ecmp/cli", "route-server-nva-ecmp/runtime"],
        ),
    ] {
        let strip = |t: &str| {
            t.lines()
                .filter(|l| {
                    !l.starts_with("# /subscriptions/")
                        && !l.starts_with("# Files:")
                        && !l.starts_with("# routes from")
                        && !l.starts_with("description")
                })
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&import_paths(&a).text), strip(&import_paths(&b).text));
    }
}

/// The edge-case estate: collisions, a stub, one-sided peerings, a Virtual WAN hub, an NSG.
fn edge() -> Imported {
    import_paths(&["edge/estate.json"])
}

#[test]
fn names_shared_across_resource_groups_are_qualified_and_keep_their_ids() {
    let i = edge();
    assert!(i.invalid.is_none(), "{:?}", i.invalid);
    let l = common::load(&i.text);
    for (name, rg) in [("hub--rg-prod", "rg-prod"), ("hub--rg-dev", "rg-dev")] {
        assert!(l.model.vnet_by_name(name).is_some(), "{name} missing:\n{}", i.text);
        let id = format!(
            "# /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/hub\n# name qualified"
        );
        assert!(i.text.contains(&id), "the ARM id and the qualification note sit above the block:\n{}", i.text);
    }
    assert!(l.model.nic_by_name("nic-app--rg-prod").is_some() && l.model.nic_by_name("nic-app--rg-dev").is_some());
    // Unshared names stay as they are.
    assert!(l.model.vnet_by_name("spoke").is_some() && l.model.nic_by_name("nic-nva1").is_some());
}

#[test]
fn a_peering_to_a_vnet_outside_the_export_gets_a_marked_stub() {
    let i = edge();
    assert!(
        i.text.contains(
            "# stub: outside the export; address space from the remoteAddressSpace of hub's peering to-partner"
        ),
        "{}",
        i.text
    );
    assert!(i.warnings.iter().any(|w| w.contains("partner-vnet is outside the export")), "{:?}", i.warnings);
    let sim = common::sim(&i.text);
    // Connected on the exported side: the stub's half is written too, so the hub sees its space.
    let rows = common::nic_rows(&sim, "nic-app--rg-prod");
    assert!(rows.contains(&"Default|Active|172.30.0.0/16|VNet peering|-|-".to_string()), "{rows:#?}");
}

#[test]
fn one_sided_initiated_and_disconnected_peerings_are_one_direction_and_carry_nothing() {
    let i = edge();
    let l = common::load(&i.text);
    let m = &l.model;
    let (dev, spoke, lab) =
        (m.vnet_by_name("hub--rg-dev").unwrap(), m.vnet_by_name("spoke").unwrap(), m.vnet_by_name("lab").unwrap());
    let dirs = |a, b| m.peerings.iter().filter(|p| p.from == a && p.to == b).count();
    // dev → spoke is Initiated and spoke holds nothing back: one direction.
    assert_eq!((dirs(dev, spoke), dirs(spoke, dev)), (1, 0));
    // lab → spoke Connected but spoke → lab Disconnected: one direction only, with the reason.
    assert_eq!(dirs(lab, spoke) + dirs(spoke, lab), 1);
    assert!(i.text.contains("Azure shows lab → spoke Connected and the half back Disconnected"), "{}", i.text);
    let sim = common::sim(&i.text);
    let rows = common::nic_rows(&sim, "nic-app--rg-dev");
    assert!(common::with_prefix(&rows, "10.51.0.0/16").is_empty(), "an Initiated peering carries nothing: {rows:#?}");
}

#[test]
fn virtual_wan_hub_nsg_and_what_ersim_does_not_model_are_listed_and_warned() {
    let i = edge();
    let header: String = i.text.lines().take_while(|l| l.starts_with('#')).collect::<Vec<_>>().join("\n");
    for what in [
        "Virtual WAN hub (not a Route Server): /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-prod/providers/Microsoft.Network/virtualHubs/vhub-weu",
        "network security group (NSG): /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-prod/providers/Microsoft.Network/networkSecurityGroups/nsg-app",
        "NSG association on a subnet: hub/app → nsg-app",
        "service endpoints on a subnet: hub/app (Microsoft.Storage)",
        "subnet peering (peerCompleteVnets = false): hub (rg-prod) → hub (rg-dev), peering to-branch-subnets",
        "service-tag route: rt-app/storage-direct (Storage)",
    ] {
        assert!(header.contains(what), "header lacks `{what}`:\n{header}");
    }
    assert!(!i.text.contains("[[route_server]]"), "a Virtual WAN hub is not a Route Server:\n{}", i.text);
    for w in ["Virtual WAN hub", "network security group (NSG)", "service endpoints"] {
        assert!(i.warnings.iter().any(|x| x.contains(w)), "no warning about {w}: {:?}", i.warnings);
    }
    assert!(
        i.warnings.iter().any(|w| w.contains("VirtualApplianceEcmp") && w.contains("10.50.2.4")),
        "{:?}",
        i.warnings
    );
    assert!(i.warnings.iter().any(|w| w.contains("hub/dual has several addressPrefixes")), "{:?}", i.warnings);
}

#[test]
fn references_outside_the_export_are_warned_and_skipped_never_a_crash() {
    let i = edge();
    assert!(
        i.warnings.iter().any(|w| w.contains("NIC nic-orphan") && w.contains("not in the export: skipped")),
        "{:?}",
        i.warnings
    );
    assert!(i.warnings.iter().any(|w| w.contains("connection conn-elsewhere")), "{:?}", i.warnings);
    assert!(!i.text.contains("nic-orphan\""), "{}", i.text);
}

#[test]
fn malformed_files_are_located_errors_all_of_them() {
    let paths = vec![fixture("edge/bad"), fixture("seed/graph")];
    let inputs = import::read_inputs(&paths).unwrap();
    let err = import::import(&inputs).expect_err("bad input");
    let text = err.to_string();
    for want in [
        "not-json.json: $: not JSON: EOF while parsing",
        "number.json: $: not an export ersim reads",
        "wrong-shape.json: $.data[1].properties.ipConfigurations[0]: privateIPAddress is not an IP address: \"banana\"",
        "wrong-shape.json: $.data[2]: a resource must be an object, not a string",
        "wrong-shape.json: $.data[3].properties.subnets[0]: addressPrefix is not a prefix: \"10.0.0.300/24\"",
        "5 problems in the input; nothing was imported",
    ] {
        assert!(text.contains(want), "missing `{want}` in:\n{text}");
    }
}

fn ersim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ersim"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ersim-import-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn cli_malformed_input_exits_2_with_every_error_on_stderr() {
    let out = ersim().arg("import").arg(fixture("edge/bad")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("error: ").count(), 6, "five located errors and the summary: {err}");
    assert!(err.contains("$.data[3].properties.subnets[0]: addressPrefix is not a prefix"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn cli_writes_out_never_over_a_file_and_the_result_passes_check() {
    let d = temp_dir("out");
    let out_path = d.join("estate.toml");
    let run = || {
        ersim()
            .arg("import")
            .arg(fixture("seed/graph"))
            .arg(fixture("seed/runtime"))
            .arg("--out")
            .arg(&out_path)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("next: ersim check"));
    let written = std::fs::read_to_string(&out_path).unwrap();
    let second = run();
    assert_eq!(second.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("never overwrites"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), written, "the file is untouched");
    let check = ersim().arg("check").arg(&out_path).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    // Without --out: the same text on stdout; warnings (none here but not-modelled ones) on stderr.
    let stdout = ersim().arg("import").arg(fixture("seed/graph")).arg(fixture("seed/runtime")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&stdout.stdout), written);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn cli_warns_on_stderr_about_what_it_does_not_model() {
    let out = ersim().arg("import").arg(fixture("edge/estate.json")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: not modelled, not imported: 1 × Virtual WAN hub (not a Route Server)"), "{err}");
    assert!(err.contains("warning: not modelled, not imported: 1 × network security group (NSG)"), "{err}");
}

/// Run `scripts/export-azure.sh` with bash and the fake `az` first on PATH; returns (output,
/// export folder, az call log).
fn export_with_fake_az(
    tag: &str,
    pages: &str,
    runtime: &str,
    peerings: &str,
    args: &[&str],
) -> (std::process::Output, PathBuf, Vec<String>) {
    let d = temp_dir(tag);
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    std::fs::copy(fixture("fake-az/az"), &az).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out_dir = d.join("export");
    let log = d.join("az.log");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/export-azure.sh"))
        .arg("--out")
        .arg(&out_dir)
        .args(args)
        .env("PATH", path)
        .env("FAKE_AZ_LOG", &log)
        .env("FAKE_AZ_STATE", d.join("az.state"))
        .env("FAKE_AZ_PAGES", fixture(pages))
        .env("FAKE_AZ_RUNTIME", fixture(runtime))
        .env("FAKE_AZ_PEERINGS", fixture(peerings))
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default().lines().map(str::to_string).collect();
    (out, out_dir, calls)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn export_script_pages_through_resource_graph_and_names_runtime_files_for_import_and_compare() {
    let (out, dir, calls) = export_with_fake_az(
        "export-seed",
        "seed/graph",
        "seed/runtime",
        "seed/runtime",
        &[
            "--subscription",
            "3f2a9c1e-7b4d-4e8a-9c2f-5d6e7f8a9b0c",
            "--nic",
            "rg-spokes/nic-spoke10",
            "--gateway",
            "rg-hub00/ergw-hub00",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        files_in(&dir),
        ["ergw-hub00.learned.json", "nic-spoke10.json", "resources-page-1.json", "resources-page-2.json"]
    );
    // Two pages: the second call carries the first page's skip token.
    let graph: Vec<&String> = calls.iter().filter(|c| c.starts_with("graph query")).collect();
    assert_eq!(graph.len(), 2, "{calls:#?}");
    assert!(!graph[0].contains("--skip-token"), "{}", graph[0]);
    let page1: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("seed/graph/resources-page-1.json")).unwrap()).unwrap();
    let token = page1["skip_token"].as_str().unwrap();
    assert!(graph[1].ends_with(&format!("--skip-token {token}")), "{}", graph[1]);
    for c in &graph {
        assert!(
            c.contains("--first 1000") && c.contains("--subscriptions 3f2a9c1e-7b4d-4e8a-9c2f-5d6e7f8a9b0c"),
            "{c}"
        );
        assert!(
            c.contains("microsoft.network/virtualnetworks") && c.contains("project id, name, type, location"),
            "{c}"
        );
    }
    assert!(
        calls.contains(&"network nic show-effective-route-table -g rg-spokes -n nic-spoke10 -o json".to_string()),
        "{calls:#?}"
    );
    assert!(
        calls.contains(&"network vnet-gateway list-learned-routes -g rg-hub00 -n ergw-hub00 -o json".to_string()),
        "{calls:#?}"
    );
    assert_eq!(
        std::fs::read(dir.join("resources-page-2.json")).unwrap(),
        std::fs::read(fixture("seed/graph/resources-page-2.json")).unwrap()
    );
    // The folder is what import and compare read.
    let inputs = import::read_inputs(std::slice::from_ref(&dir)).unwrap();
    let imported = import::import(&inputs).unwrap();
    assert_same_routes(&common::seed_text(), &imported);
    let toml = dir.parent().unwrap().join("estate.toml");
    std::fs::write(&toml, &imported.text).unwrap();
    let cmp = ersim().arg("compare").arg(&toml).arg("--actual").arg(&dir).output().unwrap();
    assert_eq!(cmp.status.code(), Some(0), "{}", String::from_utf8_lossy(&cmp.stdout));
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn export_script_collects_route_server_peerings_and_their_learned_routes() {
    let (out, dir, calls) = export_with_fake_az(
        "export-rs",
        "route-server-nva-ecmp/graph",
        "route-server-nva-ecmp/runtime",
        "route-server-nva-ecmp/cli",
        &["--route-server", "rg-hub-eus2/rs-hub"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        files_in(&dir),
        [
            "resources-page-1.json",
            "rs-hub.nva-fw.rs-learned.json",
            "rs-hub.nva-sdwan1.rs-learned.json",
            "rs-hub.nva-sdwan2.rs-learned.json",
            "rs-hub.peerings.json"
        ]
    );
    assert_eq!(calls.iter().filter(|c| c.starts_with("graph query")).count(), 1, "one page, no skip token: {calls:#?}");
    assert!(!calls.iter().any(|c| c.contains("--subscriptions")), "no --subscription given: {calls:#?}");
    let imported = import::import(&import::read_inputs(std::slice::from_ref(&dir)).unwrap()).unwrap();
    assert_same_routes(&common::bundled_text("route-server-nva-ecmp.toml"), &imported);
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn export_script_refuses_bad_arguments_with_exit_2() {
    for args in [&["--bogus"][..], &["--nic", "no-resource-group"]] {
        let (out, _, calls) = export_with_fake_az("export-bad", "seed/graph", "seed/runtime", "seed/runtime", args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        if args[0] == "--bogus" {
            assert!(calls.is_empty(), "nothing is asked of az: {calls:#?}");
        }
    }
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/export-azure.sh"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out DIR is required"));
}

// ---------------------------------------------------------------- round trip (property)

mod round_trip {
    //! A random design → Azure-shaped JSON written from its model (a test-only writer: Resource
    //! Graph resources, Route Server peerings, and the runtime outputs import reads: MSEE route
    //! tables, a VPN gateway's learned routes, Route Server learned routes, every NIC's effective
    //! routes) → `import` → a scenario whose routes equal the original's for every NIC. Gateways
    //! show their instance addresses and a VPN gateway its default site; on-premises routers send
    //! some prefixes with an AS path behind them, which the import must write back.
    //!
    //! Each ExpressRoute gateway connects to one circuit (the importer ties MSEE next hops to a
    //! circuit through the NIC's gateway) and each circuit has one on-premises router (one
    //! `peerASN` per private peering, as in Azure).

    use std::collections::BTreeSet;

    use ersim::Simulation;
    use ersim::import::{self, Input};
    use ersim::model::{ConnectionKind, GatewayKind, Model};
    use ersim::report::{Format, routes};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use serde_json::{Value, json};

    use super::{assert_same_routes, common};

    const SUB: &str = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32)
    }

    /// A route table: (the VNet it sits on, routes as (prefix pick, next-hop pick), propagation off).
    type TableKnob = (usize, Vec<(u8, u8)>, bool);

    /// The random choices behind one design.
    #[derive(Clone, Debug)]
    struct Knobs {
        n: usize,
        er: Vec<bool>,
        vpn: Vec<bool>,
        rs: Vec<bool>,
        active_active: Vec<bool>,
        remote_traffic: Vec<bool>,
        regions: Vec<u8>,
        peers: Vec<(usize, usize, bool, bool, bool)>,
        circuits: usize,
        er_circuit: Vec<(usize, u8)>,
        onprems: usize,
        onprem_adv: Vec<Vec<u8>>,
        /// The length of the AS path behind a router for on-premises prefix number k.
        onprem_path: Vec<u8>,
        prepend: Vec<u8>,
        /// A site on VPN gateway i: BGP, and whether it is the gateway's default site.
        s2s: Vec<(usize, bool, bool)>,
        v2v: Vec<(usize, usize, bool)>,
        nva_adv: Vec<(u8, u8)>,
        tables: Vec<TableKnob>,
    }

    fn knobs() -> impl Strategy<Value = Knobs> {
        (2usize..6)
            .prop_flat_map(|n| {
                (
                    (
                        Just(n),
                        prop::collection::vec(prop::bool::weighted(0.5), n),
                        prop::collection::vec(prop::bool::weighted(0.3), n),
                        prop::collection::vec(prop::bool::weighted(0.3), n),
                        prop::collection::vec(any::<bool>(), n),
                        prop::collection::vec(prop::bool::weighted(0.7), n),
                        prop::collection::vec(0u8..2, n),
                    ),
                    (
                        prop::collection::vec(
                            (0..n, 0..n, any::<bool>(), prop::bool::weighted(0.85), any::<bool>()),
                            0..(2 * n),
                        ),
                        1usize..3,
                        prop::collection::vec((0usize..3, 0u8..3), n),
                        1usize..3,
                        prop::collection::vec(prop::collection::vec(0u8..12, 0..4), 3),
                        prop::collection::vec(0u8..3, 3),
                        prop::collection::vec(0u8..3, 12),
                    ),
                    (
                        prop::collection::vec((0..n, any::<bool>(), any::<bool>()), 0..2),
                        prop::collection::vec((0..n, 0..n, any::<bool>()), 0..2),
                        prop::collection::vec((0u8..12, 0u8..3), 0..4),
                        prop::collection::vec(
                            (0..n, prop::collection::vec((0u8..16, 0u8..4), 0..4), prop::bool::weighted(0.2)),
                            0..3,
                        ),
                    ),
                )
            })
            .prop_map(|(a, b, c)| Knobs {
                n: a.0,
                er: a.1,
                vpn: a.2,
                rs: a.3,
                active_active: a.4,
                remote_traffic: a.5,
                regions: a.6,
                peers: b.0,
                circuits: b.1,
                er_circuit: b.2,
                onprems: b.3,
                onprem_adv: b.4,
                prepend: b.5,
                onprem_path: b.6,
                s2s: c.0,
                v2v: c.1,
                nva_adv: c.2,
                tables: c.3,
            })
    }

    /// On-premises / NVA prefix number k.
    fn ext(k: u8) -> String {
        match k {
            0..=7 => format!("192.168.{k}.0/24"),
            8..=10 => format!("172.{}.0.0/16", 8 + k),
            _ => "0.0.0.0/0".to_string(),
        }
    }

    /// What the knobs decide for every VNet before any block is written.
    struct Shape {
        /// The VNet has a gateway (ExpressRoute or VPN).
        gw: Vec<bool>,
        /// The VNet has a Route Server (and an NVA peering it).
        rs: Vec<bool>,
        /// The route table on the VNet's default subnet.
        table_of: Vec<Option<usize>>,
    }

    impl Shape {
        fn new(k: &Knobs) -> Self {
            let n = k.n;
            let gw: Vec<bool> = (0..n).map(|i| k.er[i] || k.vpn[i]).collect();
            let rs: Vec<bool> = (0..n).map(|i| k.rs[i] && gw[i]).collect();
            let mut table_of: Vec<Option<usize>> = vec![None; n];
            for (t, (v, _, _)) in k.tables.iter().enumerate() {
                if table_of[*v].is_none() {
                    table_of[*v] = Some(t);
                }
            }
            Shape { gw, rs, table_of }
        }

        /// A VNet whose gateways or Route Server a peer may use.
        fn hub(&self, v: usize) -> bool {
            self.gw[v] || self.rs[v]
        }
    }

    /// The design as scenario text.
    fn build(k: &Knobs) -> String {
        let shape = Shape::new(k);
        let mut b = Vec::new();
        for i in 0..k.n {
            b.push(vnet_block(k, &shape, i));
            b.push(format!("[[nic]]\nname = \"nic{i}\"\nvnet = \"v{i}\"\nsubnet = \"default\"\nvm = \"vm{i}\"\n"));
            b.extend(gateway_blocks(k, i));
            if shape.rs[i] {
                b.extend(route_server_blocks(k, i));
            }
        }
        b.extend(peering_blocks(k, &shape));
        b.extend(circuit_and_onprem_blocks(k));
        b.extend(site_to_site_blocks(k));
        b.extend(vnet_to_vnet_blocks(k));
        b.extend(route_table_blocks(k, &shape));
        b.join("\n")
    }

    /// VNet `v{i}` with its default subnet and, as the design needs them, GatewaySubnet,
    /// RouteServerSubnet and the NVA subnet.
    fn vnet_block(k: &Knobs, shape: &Shape, i: usize) -> String {
        let mut v = format!(
            "[[vnet]]\nname = \"v{i}\"\nregion = \"r{}\"\naddress_space = [\"10.{i}.0.0/16\"]\n\n  [[vnet.subnet]]\n  name = \"default\"\n  prefix = \"10.{i}.0.0/24\"\n",
            k.regions[i]
        );
        if let Some(t) = shape.table_of[i] {
            v.push_str(&format!("  route_table = \"rt{t}\"\n"));
        }
        if shape.gw[i] {
            v.push_str(&format!("\n  [[vnet.subnet]]\n  name = \"GatewaySubnet\"\n  prefix = \"10.{i}.255.0/27\"\n"));
        }
        if shape.rs[i] {
            v.push_str(&format!("\n  [[vnet.subnet]]\n  name = \"RouteServerSubnet\"\n  prefix = \"10.{i}.254.0/27\"\n\n  [[vnet.subnet]]\n  name = \"nva\"\n  prefix = \"10.{i}.1.0/24\"\n"));
        }
        v
    }

    /// VNet `v{i}`'s ExpressRoute gateway with its connection, and its VPN gateway.
    fn gateway_blocks(k: &Knobs, i: usize) -> Vec<String> {
        let mut b = Vec::new();
        if k.er[i] {
            b.push(format!(
                "[[gateway]]\nname = \"er{i}\"\nvnet = \"v{i}\"\ntype = \"ExpressRoute\"\nsku = \"ErGw2AZ\"\nallow_remote_vnet_traffic = {}\n",
                k.remote_traffic[i]
            ));
            let (c, w) = k.er_circuit[i];
            b.push(format!(
                "[[connection]]\nname = \"conn{i}\"\ngateway = \"er{i}\"\ncircuit = \"c{}\"\nrouting_weight = {}\n",
                c % k.circuits,
                [0, 10, 100][w as usize]
            ));
        }
        if k.vpn[i] {
            // the first site of this gateway decides (as in `site_to_site_blocks`)
            let site = k.s2s.iter().find(|(j, _, _)| *j == i).is_some_and(|(_, _, default)| *default);
            let site = if site { format!("default_site = \"lng{i}\"\n") } else { String::new() };
            b.push(format!(
                "[[gateway]]\nname = \"vpn{i}\"\nvnet = \"v{i}\"\ntype = \"Vpn\"\nsku = \"VpnGw2AZ\"\nbgp = true\nasn = {}\nactive_active = {}\n{site}",
                65100 + i,
                k.active_active[i]
            ));
        }
        b
    }

    /// VNet `v{i}`'s Route Server, the NVA NIC and its BGP peering (one advertised entry per prefix).
    fn route_server_blocks(k: &Knobs, i: usize) -> Vec<String> {
        let mut b = Vec::new();
        b.push(format!("[[route_server]]\nname = \"rs{i}\"\nvnet = \"v{i}\"\nbranch_to_branch = {}\n", i % 2 == 1));
        b.push(format!(
            "[[nic]]\nname = \"nva{i}\"\nvnet = \"v{i}\"\nsubnet = \"nva\"\nip = \"10.{i}.1.4\"\nip_forwarding = true\n"
        ));
        let adv: BTreeSet<String> = k
            .nva_adv
            .iter()
            .map(|(p, len)| {
                let path: Vec<String> = (0..*len).map(|j| (64700 + j as u32).to_string()).collect();
                format!("{{ prefix = \"{}\", as_path = [{}] }}", ext(*p), path.join(", "))
            })
            .collect();
        // one entry per prefix
        let mut seen = BTreeSet::new();
        let adv: Vec<String> =
            adv.into_iter().filter(|a| seen.insert(a.split('"').nth(1).unwrap_or_default().to_string())).collect();
        b.push(format!(
            "[[bgp_peer]]\nname = \"peer{i}\"\nnic = \"nva{i}\"\nroute_server = \"rs{i}\"\nasn = {}\nadvertise = [{}]\n",
            64600 + i,
            adv.join(", ")
        ));
        b
    }

    /// Peerings: one per pair, gateway transit only where valid.
    fn peering_blocks(k: &Knobs, shape: &Shape) -> Vec<String> {
        let mut b = Vec::new();
        let mut seen = BTreeSet::new();
        let mut uses_remote = vec![false; k.n];
        for (a, bb, fwd, both, flip) in &k.peers {
            let (a, c) = (*a.min(bb), *a.max(bb));
            if a == c || !seen.insert((a, c)) {
                continue;
            }
            let transit = if shape.hub(a) && !shape.hub(c) && !uses_remote[c] && !flip {
                uses_remote[c] = true;
                Some(a)
            } else if shape.hub(c) && !shape.hub(a) && !uses_remote[a] && *flip {
                uses_remote[a] = true;
                Some(c)
            } else {
                None
            };
            if *both {
                let t = transit.map(|h| format!("transit_via = \"v{h}\"\n")).unwrap_or_default();
                b.push(format!("[[peering]]\nvnets = [\"v{a}\", \"v{c}\"]\n{t}allow_forwarded_traffic = {fwd}\n"));
            } else if transit.is_none() {
                b.push(format!("[[peering]]\nfrom = \"v{a}\"\nto = \"v{c}\"\n"));
            }
        }
        b
    }

    /// Circuits and the on-premises routers holding their private peerings (none without an
    /// ExpressRoute gateway).
    fn circuit_and_onprem_blocks(k: &Knobs) -> Vec<String> {
        let mut b = Vec::new();
        if !k.er.iter().any(|x| *x) {
            return b;
        }
        for c in 0..k.circuits {
            b.push(format!(
                "[[circuit]]\nname = \"c{c}\"\nlocation = \"Amsterdam\"\nsku = \"Premium\"\nbandwidth_mbps = 1000\nnext_hops = [\"10.250.{c}.1\", \"10.250.{c}.2\"]\n"
            ));
        }
        for o in 0..k.onprems.min(k.circuits) {
            let cs: Vec<usize> = (0..k.circuits).filter(|c| c % k.onprems == o).collect();
            let adv: BTreeSet<String> = k.onprem_adv[o].iter().map(|p| onprem_entry(k, *p)).collect();
            let pre = if k.prepend[o] > 0 {
                format!("as_path_prepend = {{ c{} = {} }}\n", cs[0], k.prepend[o])
            } else {
                String::new()
            };
            b.push(format!(
                "[[onprem]]\nname = \"dc{o}\"\nasn = {}\ncircuits = [{}]\nadvertise = [{}]\n{pre}",
                65001 + o,
                cs.iter().map(|c| format!("\"c{c}\"")).collect::<Vec<_>>().join(", "),
                adv.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        b
    }

    /// On-premises prefix number p as an `[[onprem]]` advertise entry, with the AS path behind the
    /// router the knobs give it.
    fn onprem_entry(k: &Knobs, p: u8) -> String {
        let path: Vec<String> = (0..k.onprem_path[p as usize]).map(|j| (65200 + j as u32).to_string()).collect();
        if path.is_empty() {
            format!("\"{}\"", ext(p))
        } else {
            format!("{{ prefix = \"{}\", as_path = [{}] }}", ext(p), path.join(", "))
        }
    }

    /// A site per VPN gateway at most: a local gateway (with a BGP router behind it, or static
    /// prefixes) and its connection; the gateway's default site when the knob says so.
    fn site_to_site_blocks(k: &Knobs) -> Vec<String> {
        let mut b = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, bgp, _) in &k.s2s {
            if !k.vpn[*i] || !seen.insert(*i) {
                continue;
            }
            let site = 20 + *i;
            if *bgp {
                b.push(format!(
                    "[[onprem]]\nname = \"site{i}\"\nasn = {}\nadvertise = [\"172.{site}.0.0/16\"]\n",
                    65050 + i
                ));
                b.push(format!(
                    "[[local_gateway]]\nname = \"lng{i}\"\naddress_prefixes = [\"172.{site}.255.0/24\"]\nbgp_asn = {}\nbgp_peer_ip = \"172.{site}.255.1\"\nonprem = \"site{i}\"\n",
                    65050 + i
                ));
            } else {
                b.push(format!("[[local_gateway]]\nname = \"lng{i}\"\naddress_prefixes = [\"172.{site}.0.0/16\"]\n"));
            }
            b.push(format!(
                "[[connection]]\nname = \"s2s{i}\"\ngateway = \"vpn{i}\"\nlocal_gateway = \"lng{i}\"\nbgp = {bgp}\n"
            ));
        }
        b
    }

    /// VNet-to-VNet connections, both directions, between two VPN gateways.
    fn vnet_to_vnet_blocks(k: &Knobs) -> Vec<String> {
        let mut b = Vec::new();
        let mut seen = BTreeSet::new();
        for (a, c, bgp) in &k.v2v {
            let (a, c) = (*a.min(c), *a.max(c));
            if a == c || !k.vpn[a] || !k.vpn[c] || !seen.insert((a, c)) {
                continue;
            }
            for (x, y) in [(a, c), (c, a)] {
                b.push(format!("[[connection]]\nname = \"v2v{x}-{y}\"\ngateway = \"vpn{x}\"\nremote_gateway = \"vpn{y}\"\nbgp = {bgp}\n"));
            }
        }
        b
    }

    /// The route tables some VNet's default subnet uses, one route per prefix.
    fn route_table_blocks(k: &Knobs, shape: &Shape) -> Vec<String> {
        let n = k.n;
        let mut b = Vec::new();
        for (t, (_, routes, off)) in k.tables.iter().enumerate() {
            if !shape.table_of.contains(&Some(t)) {
                continue;
            }
            let mut rt = format!("[[route_table]]\nname = \"rt{t}\"\ndisable_bgp_route_propagation = {off}\n");
            let mut prefixes = BTreeSet::new();
            for (ri, (p, ty)) in routes.iter().enumerate() {
                let prefix = if *p < 8 { format!("10.{}.0.0/16", *p as usize % n) } else { ext(*p - 5) };
                if !prefixes.insert(prefix.clone()) {
                    continue;
                }
                let nva = (0..n).find(|i| shape.rs[*i]).map(|i| format!("10.{i}.1.4"));
                let (ty, ip) = match ty {
                    0 => ("None", None),
                    1 => ("Internet", None),
                    2 => ("VnetLocal", None),
                    _ if nva.is_some() => ("VirtualAppliance", nva),
                    _ => ("None", None),
                };
                rt.push_str(&format!("\n  [[route_table.route]]\n  name = \"r{ri}\"\n  prefix = \"{prefix}\"\n  next_hop_type = \"{ty}\"\n"));
                if let Some(ip) = ip {
                    rt.push_str(&format!("  next_hop_ip = \"{ip}\"\n"));
                }
            }
            b.push(rt);
        }
        b
    }

    fn id(rg: &str, ty: &str, name: &str) -> String {
        format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/{ty}/{name}")
    }

    fn nested(ty: &str, rg: &str, name: &str, location: &str, props: Value) -> Value {
        json!({
            "id": id(rg, ty, name).to_lowercase(),
            "name": name,
            "type": format!("microsoft.network/{}", ty.to_lowercase()),
            "location": location,
            "subscriptionId": SUB,
            "resourceGroup": rg,
            "sku": null,
            "properties": props,
        })
    }

    /// The resource group of VNet `v` and what sits in it.
    fn vrg(m: &Model, v: usize) -> String {
        format!("rg-{}", m.vnets[v].name)
    }

    fn vnet_id(m: &Model, v: usize) -> String {
        id(&vrg(m, v), "virtualNetworks", &m.vnets[v].name)
    }

    fn subnet_id(m: &Model, s: usize) -> String {
        format!("{}/subnets/{}", vnet_id(m, m.subnets[s].vnet.idx()), m.subnets[s].name)
    }

    fn nic_id(m: &Model, n: usize) -> String {
        id("rg-nics", "networkInterfaces", &m.nics[n].name)
    }

    /// Azure-shaped JSON for a simulated design: what `scripts/export-azure.sh` would collect.
    fn export(sim: &Simulation) -> Vec<Input> {
        let m = &sim.model;
        let mut res: Vec<Value> = Vec::new();
        res.extend(vnet_resources(m));
        res.extend(gateway_resources(m));
        res.extend(circuit_resources(m));
        res.extend(connection_resources(m));
        res.extend(local_gateway_resources(m));
        res.extend(route_table_resources(m));
        res.extend(nic_resources(m));
        res.extend(firewall_and_load_balancer_resources(m));
        res.extend(route_server_resources(m));
        let mut files = resource_pages(res);
        files.extend(route_server_files(m));
        files.extend(msee_route_tables(m));
        files.extend(vpn_learned_routes(m));
        files.extend(effective_routes(sim));
        files.into_iter().map(|(name, v)| Input { name, bytes: serde_json::to_vec_pretty(&v).unwrap() }).collect()
    }

    /// VNets with their subnets and peerings (Connected when the other half exists).
    fn vnet_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for (vi, v) in m.vnets.iter().enumerate() {
            let subnets: Vec<Value> = v
                .subnets
                .iter()
                .map(|s| {
                    let sn = &m.subnets[s.idx()];
                    json!({"id": subnet_id(m, s.idx()), "name": sn.name, "properties": {
                        "addressPrefix": sn.prefix.to_string(),
                        "routeTable": sn.route_table.map(|r| json!({"id": id("rg-routes", "routeTables", &m.route_tables[r.idx()].name)})),
                    }})
                })
                .collect();
            let peerings: Vec<Value> = m
                .peerings
                .iter()
                .enumerate()
                .filter(|(_, p)| p.from.idx() == vi)
                .map(|(pi, p)| {
                    let to = p.to.idx();
                    json!({"name": format!("to-{}", m.vnets[to].name), "properties": {
                        "peeringState": if m.ix.reverse[pi].is_some() { "Connected" } else { "Initiated" },
                        "remoteVirtualNetwork": {"id": vnet_id(m, to)},
                        "remoteAddressSpace": {"addressPrefixes": m.vnets[to].address_space.iter().map(|a| a.to_string()).collect::<Vec<_>>()},
                        "allowVirtualNetworkAccess": p.allow_virtual_network_access,
                        "allowForwardedTraffic": p.allow_forwarded_traffic,
                        "allowGatewayTransit": p.allow_gateway_transit,
                        "useRemoteGateways": p.use_remote_gateways,
                    }})
                })
                .collect();
            res.push(nested("virtualNetworks", &vrg(m, vi), &v.name, &v.region, json!({
                "addressSpace": {"addressPrefixes": v.address_space.iter().map(|a| a.to_string()).collect::<Vec<_>>()},
                "subnets": subnets,
                "virtualNetworkPeerings": peerings,
            })));
        }
        res
    }

    /// Gateways, each VPN gateway followed by its public address.
    fn gateway_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for g in &m.gateways {
            let v = g.vnet.idx();
            let gs = m.special_subnet(g.vnet, ersim::model::SubnetRole::Gateway).map(|s| subnet_id(m, s.idx()));
            let kind = if g.kind == GatewayKind::Vpn { "Vpn" } else { "ExpressRoute" };
            // One BGP address on an active-standby VPN gateway; two on active-active and ExpressRoute.
            let one = g.kind == GatewayKind::Vpn && !g.active_active;
            let ips: Vec<String> = g.ips.iter().take(if one { 1 } else { 2 }).map(|i| i.to_string()).collect();
            let site = g
                .default_site
                .map(|l| json!({"id": id("rg-sites", "localNetworkGateways", &m.local_gateways[l.idx()].name)}));
            let pip = id(&vrg(m, v), "publicIPAddresses", &format!("pip-{}", g.name));
            res.push(nested("virtualNetworkGateways", &vrg(m, v), &g.name, &m.vnets[v].region, json!({
                "gatewayType": kind,
                "vpnType": "RouteBased",
                "sku": {"name": g.sku.name(), "tier": g.sku.name()},
                "activeActive": g.active_active,
                "enableBgp": g.bgp,
                "allowRemoteVnetTraffic": g.allow_remote_vnet_traffic,
                "ipConfigurations": [{"name": "default", "properties": {"subnet": {"id": gs}, "publicIPAddress": {"id": pip}}}],
                "bgpSettings": {"asn": g.asn, "bgpPeeringAddresses": ips.iter().map(|i| json!({"defaultBgpIpAddresses": [i]})).collect::<Vec<_>>()},
                "gatewayDefaultSite": site,
            })));
            if g.kind == GatewayKind::Vpn {
                res.push(nested(
                    "publicIPAddresses",
                    &vrg(m, v),
                    &format!("pip-{}", g.name),
                    &m.vnets[v].region,
                    json!({
                    "ipAddress": g.public_ip.to_string(), "publicIPAllocationMethod": "Static"}),
                ));
            }
        }
        res
    }

    /// Circuits with their private peering (the ASN of the router holding it).
    fn circuit_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for (ci, c) in m.circuits.iter().enumerate() {
            let asn =
                m.onprems.iter().find(|o| o.circuits.iter().any(|x| x.idx() == ci)).map(|o| o.asn).unwrap_or(65400);
            let mut r = nested(
                "expressRouteCircuits",
                "rg-er",
                &c.name,
                "westeurope",
                json!({
                    "serviceProviderProperties": {"serviceProviderName": "Equinix", "peeringLocation": c.location, "bandwidthInMbps": c.bandwidth_mbps},
                    "peerings": [{"name": "AzurePrivatePeering", "properties": {"peeringType": "AzurePrivatePeering", "azureASN": 12076, "peerASN": asn}}],
                }),
            );
            r["sku"] =
                json!({"name": format!("{}_MeteredData", c.sku), "tier": c.sku.to_string(), "family": "MeteredData"});
            res.push(r);
        }
        res
    }

    /// Gateway connections of the three kinds.
    fn connection_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for c in &m.connections {
            let g = &m.gateways[c.gateway.idx()];
            let g1 = id(&vrg(m, g.vnet.idx()), "virtualNetworkGateways", &g.name);
            let props = match &c.kind {
                ConnectionKind::ExpressRoute { circuit, routing_weight } => json!({"connectionType": "ExpressRoute",
                    "virtualNetworkGateway1": {"id": g1}, "routingWeight": routing_weight,
                    "peer": {"id": id("rg-er", "expressRouteCircuits", &m.circuits[circuit.idx()].name)}}),
                ConnectionKind::SiteToSite { local_gateway, bgp } => json!({"connectionType": "IPsec",
                    "virtualNetworkGateway1": {"id": g1}, "enableBgp": bgp,
                    "localNetworkGateway2": {"id": id("rg-sites", "localNetworkGateways", &m.local_gateways[local_gateway.idx()].name)}}),
                ConnectionKind::VnetToVnet { remote_gateway, bgp } => {
                    let r = &m.gateways[remote_gateway.idx()];
                    json!({"connectionType": "Vnet2Vnet", "virtualNetworkGateway1": {"id": g1}, "enableBgp": bgp,
                        "virtualNetworkGateway2": {"id": id(&vrg(m, r.vnet.idx()), "virtualNetworkGateways", &r.name)}})
                }
            };
            res.push(nested("connections", "rg-conn", &c.name, "westeurope", props));
        }
        res
    }

    fn local_gateway_resources(m: &Model) -> Vec<Value> {
        m.local_gateways
            .iter()
            .map(|l| {
                nested("localNetworkGateways", "rg-sites", &l.name, "westeurope", json!({
                    "gatewayIpAddress": "198.51.100.1",
                    "localNetworkAddressSpace": {"addressPrefixes": l.address_prefixes.iter().map(|a| a.to_string()).collect::<Vec<_>>()},
                    "bgpSettings": l.bgp_asn.map(|a| json!({"asn": a, "bgpPeeringAddress": l.bgp_peer_ip.map(|i| i.to_string())})),
                }))
            })
            .collect()
    }

    fn route_table_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for rt in &m.route_tables {
            let routes: Vec<Value> = rt
                .routes
                .iter()
                .map(|u| {
                    json!({"name": u.name, "properties": {"addressPrefix": u.prefix.to_string(),
                    "nextHopType": u.next_hop_type.api(), "nextHopIpAddress": u.next_hop_ip.map(|i| i.to_string())}})
                })
                .collect();
            res.push(nested(
                "routeTables",
                "rg-routes",
                &rt.name,
                "westeurope",
                json!({
                "disableBgpRoutePropagation": rt.disable_bgp_route_propagation, "routes": routes}),
            ));
        }
        res
    }

    fn nic_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for (ni, n) in m.nics.iter().enumerate() {
            res.push(nested("networkInterfaces", "rg-nics", &n.name, "westeurope", json!({
                "enableIPForwarding": n.ip_forwarding,
                "virtualMachine": n.vm.as_ref().map(|vm| json!({"id": format!("/subscriptions/{SUB}/resourceGroups/rg-nics/providers/Microsoft.Compute/virtualMachines/{vm}")})),
                "ipConfigurations": [{"id": format!("{}/ipConfigurations/ipconfig1", nic_id(m, ni)), "name": "ipconfig1",
                    "properties": {"privateIPAddress": n.ip.to_string(), "primary": true, "subnet": {"id": subnet_id(m, n.subnet.idx())}}}],
            })));
        }
        res
    }

    fn firewall_and_load_balancer_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for f in &m.firewalls {
            let v = f.vnet.idx();
            res.push(nested("azureFirewalls", &vrg(m, v), &f.name, &m.vnets[v].region, json!({
                "sku": {"name": "AZFW_VNet", "tier": "Standard"},
                "threatIntelMode": "Alert",
                "ipConfigurations": [{"name": "ipconfig", "properties": {"privateIPAddress": f.ip.to_string(), "subnet": {"id": subnet_id(m, f.subnet.idx())}}}],
            })));
        }
        for lb in &m.load_balancers {
            let v = lb.vnet.idx();
            let lb_id = id("rg-lbs", "loadBalancers", &lb.name);
            res.push(nested("loadBalancers", "rg-lbs", &lb.name, &m.vnets[v].region, json!({
                "frontendIPConfigurations": [{"name": "frontend", "properties": {"privateIPAddress": lb.frontend_ip.to_string(), "subnet": {"id": subnet_id(m, lb.subnet.idx())}}}],
                "backendAddressPools": [{"id": format!("{lb_id}/backendAddressPools/nvas"), "name": "nvas", "properties": {
                    "backendIPConfigurations": lb.backends.iter().map(|n| json!({"id": format!("{}/ipConfigurations/ipconfig1", nic_id(m, n.idx()))})).collect::<Vec<_>>()}}],
                "loadBalancingRules": [{"name": "ha", "properties": {"protocol": if lb.ha_ports { "All" } else { "Tcp" }, "frontendPort": 0, "backendPort": 0}}],
            })));
        }
        res
    }

    fn route_server_resources(m: &Model) -> Vec<Value> {
        let mut res = Vec::new();
        for r in &m.route_servers {
            let v = r.vnet.idx();
            res.push(nested(
                "virtualHubs",
                &vrg(m, v),
                &r.name,
                &m.vnets[v].region,
                json!({
                "virtualRouterAsn": 65515, "virtualRouterIps": r.ips.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
                "allowBranchToBranchTraffic": r.branch_to_branch, "virtualWan": null}),
            ));
        }
        res
    }

    /// The resources as two Resource Graph pages, the first with a skip token.
    fn resource_pages(mut res: Vec<Value>) -> Vec<(String, Value)> {
        let half = res.len() / 2;
        let second = res.split_off(half);
        vec![
            ("resources-page-1.json".to_string(), json!({"count": res.len(), "data": res, "skip_token": "t2"})),
            ("resources-page-2.json".to_string(), json!({"count": second.len(), "data": second, "skip_token": null})),
        ]
    }

    /// Route Server peerings (`az network routeserver peering list`, flattened) and what each NVA advertises.
    fn route_server_files(m: &Model) -> Vec<(String, Value)> {
        let mut files = Vec::new();
        let mut peerings = Vec::new();
        for p in &m.bgp_peers {
            let rs = &m.route_servers[p.route_server.idx()];
            let nic_ip = m.nics[p.nic.idx()].ip.to_string();
            peerings.push(
                json!({"id": format!("{}/bgpConnections/{}", id(&vrg(m, rs.vnet.idx()), "virtualHubs", &rs.name), p.name),
                "name": p.name, "peerAsn": p.asn, "peerIp": nic_ip, "connectionState": "Connected"}),
            );
            let routes: Vec<Value> = p
                .advertise
                .iter()
                .map(|a| {
                    let path: Vec<String> = std::iter::once(p.asn).chain(a.as_path.iter().copied()).map(|x| x.to_string()).collect();
                    json!({"localAddress": rs.ips[0].to_string(), "network": a.prefix.to_string(), "nextHop": a.next_hop.to_string(),
                        "sourcePeer": nic_ip, "origin": "EBgp", "asPath": path.join("-"), "weight": 0})
                })
                .collect();
            files.push((format!("{}.{}.rs-learned.json", rs.name, p.name), json!({"RouteServiceRole_IN_0": routes})));
        }
        files.push(("peerings.json".to_string(), Value::Array(peerings)));
        files
    }

    /// MSEE route tables: what each circuit's router advertises, prepended toward it.
    fn msee_route_tables(m: &Model) -> Vec<(String, Value)> {
        let mut files = Vec::new();
        for (ci, c) in m.circuits.iter().enumerate() {
            let mut rows = Vec::new();
            for o in m.onprems.iter().filter(|o| o.circuits.iter().any(|x| x.idx() == ci)) {
                let copies = 1 + o.prepend.iter().find(|(k, _)| k.idx() == ci).map(|(_, n)| *n).unwrap_or(0);
                for p in &o.advertise {
                    let path = onprem_path(o, copies as usize, p).join(" ");
                    rows.push(json!({"network": p.to_string(), "nextHop": "192.168.255.1", "locPrf": "", "weight": 0, "path": path}));
                }
            }
            files.push((format!("{}.routetable.primary.json", c.name), json!({"value": rows})));
        }
        files
    }

    /// The AS path a router sends `p` with: `copies` of its ASN, then the path behind it.
    fn onprem_path(o: &ersim::model::Onprem, copies: usize, p: &ipnet::IpNet) -> Vec<String> {
        let behind = o.paths.get(p).into_iter().flatten();
        std::iter::repeat_n(o.asn, copies).chain(behind.copied()).map(|a| a.to_string()).collect()
    }

    /// A VPN gateway's learned routes: what the router behind each BGP site-to-site connection advertises.
    fn vpn_learned_routes(m: &Model) -> Vec<(String, Value)> {
        let mut files = Vec::new();
        for g in m.gateways.iter().filter(|g| g.kind == GatewayKind::Vpn) {
            let mut rows = Vec::new();
            for c in m.connections.iter().filter(|c| m.gateways[c.gateway.idx()].name == g.name) {
                let ConnectionKind::SiteToSite { local_gateway, bgp: true } = &c.kind else { continue };
                let l = &m.local_gateways[local_gateway.idx()];
                let (Some(o), Some(peer)) = (l.onprem, l.bgp_peer_ip) else { continue };
                let o = &m.onprems[o.idx()];
                for p in &o.advertise {
                    rows.push(json!({"localAddress": g.ips[0].to_string(), "network": p.to_string(), "nextHop": peer.to_string(),
                        "sourcePeer": peer.to_string(), "origin": "EBgp", "asPath": onprem_path(o, 1, p).join("-"), "weight": 32768}));
                }
            }
            files.push((format!("{}.learned.json", g.name), json!({"value": rows})));
        }
        files
    }

    /// Every NIC's effective routes, as ersim predicts them (the MSEE addresses come from these).
    fn effective_routes(sim: &Simulation) -> Vec<(String, Value)> {
        let m = &sim.model;
        let mut files = Vec::new();
        for (ni, n) in m.nics.iter().enumerate() {
            let t = sim.nic_table(ersim::model::NicId(ni as u32));
            let text = routes::render(sim, &t, routes::Options { format: Format::Json, merge_next_hops: true });
            files.push((format!("{}.json", n.name), serde_json::from_str(&text).unwrap()));
        }
        files
    }

    #[test]
    fn every_bundled_scenario_written_as_an_azure_export_imports_back_to_its_routes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files.iter().filter(|f| f.extension().is_some_and(|x| x == "toml")) {
            let text = std::fs::read_to_string(f).unwrap();
            let sim = common::sim(&text);
            let imported = import::import(&export(&sim)).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert_same_routes(&text, &imported);
        }
    }

    #[test]
    fn import_of_an_azure_export_written_from_a_random_design_gives_its_routes_back() {
        let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
        runner
            .run(&knobs(), |k| {
                let text = build(&k);
                let sim = common::sim(&text);
                let inputs = export(&sim);
                let imported = import::import(&inputs).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
                let result = std::panic::catch_unwind(|| assert_same_routes(&text, &imported));
                if result.is_err() {
                    return Err(TestCaseError::fail(format!("original design:\n{text}")));
                }
                Ok(())
            })
            .unwrap();
    }
}

// ---------------------------------------------------------------- on-premises, NVAs, gateway keys

/// Inputs from fixture directories plus in-memory files.
fn inputs_with(rels: &[&str], extra: &[(&str, serde_json::Value)]) -> Vec<Input> {
    let paths: Vec<PathBuf> = rels.iter().map(|r| fixture(r)).collect();
    let mut inputs = import::read_inputs(&paths).unwrap();
    for (name, v) in extra {
        inputs.push(Input { name: name.to_string(), bytes: serde_json::to_vec_pretty(v).unwrap() });
    }
    inputs
}

#[test]
fn onprem_routes_come_from_msee_tables_and_gateway_learned_routes_with_prepends_and_paths() {
    let msee = serde_json::json!({"value": [
        {"network": "10.0.0.0/16", "nextHop": "10.0.200.4", "locPrf": "", "weight": 0, "path": "65515"},
        {"network": "192.168.10.0/24", "nextHop": "192.168.100.129", "locPrf": "100", "weight": 0, "path": "65150 65150"},
        {"network": "172.20.0.0/16", "nextHop": "192.168.100.129", "locPrf": "100", "weight": 0, "path": "65150 65150 65020"}
    ]});
    let learned = serde_json::json!({"value": [
        {"localAddress": "10.100.200.4", "network": "10.100.0.0/16", "nextHop": null, "sourcePeer": "10.100.200.4", "origin": "Network", "asPath": "", "weight": 32768},
        {"localAddress": "10.100.200.4", "network": "10.0.0.0/16", "nextHop": "10.2.146.76", "sourcePeer": "10.2.146.76", "origin": "EBgp", "asPath": "12076-12076", "weight": 0},
        {"localAddress": "10.100.200.4", "network": "10.200.0.0/16", "nextHop": "10.2.146.76", "sourcePeer": "10.2.146.76", "origin": "EBgp", "asPath": "12076-65150-65150-65030", "weight": 0}
    ]});
    let i = import::import(&inputs_with(
        &["seed/graph", "seed/runtime/nic-spoke10.json"],
        &[("circuit01.routetable.primary.json", msee), ("ergw-hub100.learned.json", learned)],
    ))
    .unwrap();
    assert!(i.invalid.is_none(), "{:?}\n{}", i.invalid, i.text);
    // One copy of 65150 is prepended on every prefix toward circuit01: the router's prepend.
    assert!(i.text.contains("as_path_prepend = { \"circuit01\" = 1 }"), "{}", i.text);
    // The path behind the router, after its own ASN and prepends.
    assert!(i.text.contains("  { prefix = \"172.20.0.0/16\", as_path = [65020] },\n"), "{}", i.text);
    assert!(i.text.contains("  { prefix = \"10.200.0.0/16\", as_path = [65030] },\n"), "{}", i.text);
    assert!(i.text.contains("  \"192.168.10.0/24\",\n"), "{}", i.text);
    assert!(i.text.contains("# routes from circuit01.routetable.primary.json, ergw-hub100.learned.json"), "{}", i.text);
    let l = common::load(&i.text);
    let o = &l.model.onprems[0];
    assert_eq!(o.asn, 65150);
    let adv: Vec<String> = o.advertise.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        adv,
        ["10.200.0.0/16", "172.20.0.0/16", "192.168.10.0/24"],
        "Azure's own routes (65515, 12076) are not on-premises routes"
    );
    let paths: Vec<(String, Vec<u32>)> = o.paths.iter().map(|(p, a)| (p.to_string(), a.clone())).collect();
    assert_eq!(paths, [("10.200.0.0/16".to_string(), vec![65030]), ("172.20.0.0/16".to_string(), vec![65020])]);
    let sim = common::sim(&i.text);
    let rows = common::nic_rows(&sim, "nic-spoke10");
    assert!(
        rows.contains(
            &"Virtual network gateway|Active|192.168.10.0/24|Virtual network gateway|10.2.146.76|-".to_string()
        ),
        "{rows:#?}"
    );
}

#[test]
fn without_runtime_outputs_routers_are_stubs_and_next_hops_placeholders() {
    let i = import_paths(&["seed/graph"]);
    assert!(i.invalid.is_none());
    assert!(i.text.contains("# stub: routes unknown"), "{}", i.text);
    assert!(i.text.contains("next_hops left out: ersim uses placeholders"), "{}", i.text);
    let l = common::load(&i.text);
    assert!(l.model.onprems[0].advertise.is_empty());
}

#[test]
fn a_route_server_peer_without_its_nic_in_the_export_gets_a_marked_stub_nic() {
    let mut inputs =
        import::read_inputs(&[fixture("route-server-nva-ecmp/graph"), fixture("route-server-nva-ecmp/runtime")])
            .unwrap();
    for input in &mut inputs {
        if input.name.ends_with("resources-page-1.json") {
            let mut v: serde_json::Value = serde_json::from_slice(&input.bytes).unwrap();
            v["data"].as_array_mut().unwrap().retain(|r| r["name"] != "nic-fw");
            input.bytes = serde_json::to_vec(&v).unwrap();
        }
    }
    let i = import::import(&inputs).unwrap();
    assert!(i.invalid.is_none(), "{:?}", i.invalid);
    assert!(
        i.text.contains(
            "# stub: the NVA NIC holding 10.0.1.6 (peer of route server peering nva-fw) is not in the export"
        ),
        "{}",
        i.text
    );
    assert!(i.warnings.iter().any(|w| w.contains("no NIC in the export holds 10.0.1.6")), "{:?}", i.warnings);
    // The NVA's routes still reach every NIC, with the stub's address as next hop.
    let original = common::sim(&common::bundled_text("route-server-nva-ecmp.toml"));
    let imported = common::sim(&i.text);
    for nic in ["nic-spoke1", "nic-spoke2", "nic-shared", "nic-sdwan1"] {
        assert_eq!(row_set(&original, nic), row_set(&imported, nic), "{nic}");
    }
}

/// A hub with an active-standby VPN gateway (BGP addresses `vpn_ips`, default site `site`,
/// site-to-site connections to `connected`) and an ExpressRoute gateway (BGP addresses `er_ips`),
/// as az list outputs give them; two local gateways, lng-dc and lng-branch.
fn gateway_estate(vpn_ips: &[&str], site: &str, connected: &[&str], er_ips: &[&str]) -> Vec<Input> {
    let s = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-gw/providers/Microsoft.Network";
    let gs = format!("{s}/virtualNetworks/hub/subnets/GatewaySubnet");
    let bgp = |ips: &[&str]| ips.iter().map(|a| serde_json::json!({"defaultBgpIpAddresses": [a]})).collect::<Vec<_>>();
    let lng = |name: &str, space: &str| {
        serde_json::json!({"id": format!("{s}/localNetworkGateways/{name}"), "name": name, "gatewayIpAddress": "198.51.100.7",
         "localNetworkAddressSpace": {"addressPrefixes": [space]}})
    };
    let mut estate = vec![
        serde_json::json!({"id": format!("{s}/virtualNetworks/hub"), "name": "hub", "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
         "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
         "subnets": [{"id": gs, "name": "GatewaySubnet", "addressPrefix": "10.0.255.0/27"}]}),
        serde_json::json!({"id": format!("{s}/virtualNetworkGateways/vpngw"), "name": "vpngw", "gatewayType": "Vpn", "vpnType": "RouteBased",
         "sku": {"name": "VpnGw1", "tier": "VpnGw1"}, "activeActive": false, "enableBgp": true,
         "bgpSettings": {"asn": 65050, "bgpPeeringAddress": vpn_ips.join(","), "bgpPeeringAddresses": bgp(vpn_ips)},
         "ipConfigurations": [{"privateIPAddress": null, "subnet": {"id": gs},
                               "publicIPAddress": {"id": format!("{s}/publicIPAddresses/pip-missing")}}],
         "gatewayDefaultSite": {"id": format!("{s}/localNetworkGateways/{site}")}}),
        serde_json::json!({"id": format!("{s}/virtualNetworkGateways/ergw"), "name": "ergw", "gatewayType": "ExpressRoute",
         "sku": {"name": "UltraPerformance"}, "bgpSettings": {"asn": 65515, "bgpPeeringAddresses": bgp(er_ips)},
         "ipConfigurations": [{"subnet": {"id": gs}}]}),
        lng("lng-dc", "192.168.0.0/16"),
        lng("lng-branch", "172.16.0.0/16"),
    ];
    for l in connected {
        estate.push(serde_json::json!({"id": format!("{s}/connections/s2s-{l}"), "name": format!("s2s-{l}"), "connectionType": "IPsec",
            "enableBgp": false, "virtualNetworkGateway1": {"id": format!("{s}/virtualNetworkGateways/vpngw")},
            "localNetworkGateway2": {"id": format!("{s}/localNetworkGateways/{l}")}}));
    }
    vec![Input { name: "estate.json".into(), bytes: serde_json::to_vec(&estate).unwrap() }]
}

#[test]
fn gateway_addresses_and_the_default_site_are_written_as_azure_shows_them() {
    let i = import::import(&gateway_estate(
        &["10.0.255.30"],
        "lng-dc",
        &["lng-dc", "lng-branch"],
        &["10.0.255.12", "10.0.255.13"],
    ))
    .unwrap();
    assert!(i.invalid.is_none(), "{:?}\n{}", i.invalid, i.text);
    // An active-standby VPN gateway: its one BGP peer address, nothing made up for a second place.
    assert!(i.text.contains("ips = [\"10.0.255.30\"]\n"), "{}", i.text);
    assert!(i.text.contains("ips = [\"10.0.255.12\", \"10.0.255.13\"]\n"), "{}", i.text);
    assert!(i.text.contains("default_site = \"lng-dc\"\n"), "{}", i.text);
    assert!(i.text.contains("# public address not in the export"), "{}", i.text);
    assert!(i.text.contains("sku = \"UltraPerformance\""), "{}", i.text);
    assert!(i.warnings.iter().all(|w| !w.contains("default site")), "{:?}", i.warnings);
    let m = common::load(&i.text).model;
    let gw = |name: &str| m.gateways.iter().find(|g| g.name == name).unwrap();
    let addrs = |name: &str| gw(name).ips.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    assert_eq!(addrs("vpngw"), ["10.0.255.30"]);
    assert_eq!(addrs("ergw"), ["10.0.255.12", "10.0.255.13"]);
    let site = gw("vpngw").default_site.expect("a default site");
    assert_eq!(m.local_gateways[site.idx()].name, "lng-dc");
}

#[test]
fn a_default_site_outside_the_export_or_not_connected_is_left_out_with_a_warning() {
    for (site, why) in [
        ("lng-gone", "its default site lng-gone (gatewayDefaultSite) is not in the export"),
        ("lng-branch", "its default site lng-branch (gatewayDefaultSite) has no site-to-site connection from it"),
    ] {
        let i = import::import(&gateway_estate(&["10.0.255.30"], site, &["lng-dc"], &[])).unwrap();
        assert!(i.invalid.is_none(), "{:?}\n{}", i.invalid, i.text);
        assert!(!i.text.contains("default_site ="), "{}", i.text);
        assert!(i.text.contains(&format!("# default_site left out: {why}")), "{}", i.text);
        assert!(i.warnings.contains(&format!("gateway vpngw: {why}: default_site left out")), "{:?}", i.warnings);
    }
}

#[test]
fn gateway_addresses_the_scenario_cannot_take_are_left_out_for_the_defaults() {
    // No BGP address on the VPN gateway (ersim's default .4), and the ExpressRoute gateway on .4:
    // writing it would hold .4 twice.
    let i = import::import(&gateway_estate(&[], "lng-dc", &["lng-dc"], &["10.0.255.4", "10.0.255.5"])).unwrap();
    assert!(i.invalid.is_none(), "{:?}\n{}", i.invalid, i.text);
    assert!(!i.text.contains("ips = "), "{}", i.text);
    assert!(
        i.text.contains(
            "# ips left out: 10.0.255.4 is the VPN gateway's address in the scenario; ersim's defaults apply"
        ),
        "{}",
        i.text
    );
    // One address where two are needed, and one Azure reserves.
    let i = import::import(&gateway_estate(&["10.0.255.3"], "lng-dc", &["lng-dc"], &["10.0.255.12"])).unwrap();
    assert!(i.invalid.is_none(), "{:?}\n{}", i.invalid, i.text);
    assert!(
        i.text.contains("# ips left out (an active-standby gateway): 10.0.255.3 is not a usable address of GatewaySubnet 10.0.255.0/27"),
        "{}",
        i.text
    );
    assert!(
        i.text.contains("# ips left out: Azure shows 1 instance address (10.0.255.12), the scenario takes 2"),
        "{}",
        i.text
    );
}

#[test]
fn an_estate_the_format_cannot_express_is_written_but_exits_1() {
    let s = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks";
    let half = |from: &str, to: &str| {
        serde_json::json!({"name": format!("{from}-{to}"), "peeringState": "Connected", "allowVirtualNetworkAccess": true,
            "remoteVirtualNetwork": {"id": format!("{s}/{to}")}, "remoteAddressSpace": {"addressPrefixes": ["10.0.0.0/16"]}})
    };
    // Two peered VNets with the same space: Azure refuses it, so only a corrupt export has it.
    let estate = serde_json::json!([
        {"id": format!("{s}/a"), "name": "a", "type": "Microsoft.Network/virtualNetworks", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [], "virtualNetworkPeerings": [half("a", "b")]},
        {"id": format!("{s}/b"), "name": "b", "type": "Microsoft.Network/virtualNetworks", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [], "virtualNetworkPeerings": [half("b", "a")]}
    ]);
    let d = temp_dir("invalid");
    let f = d.join("estate.json");
    std::fs::write(&f, serde_json::to_vec(&estate).unwrap()).unwrap();
    let out = ersim().arg("import").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not pass validation"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("[[vnet]]"), "the scenario is still written");
    let _ = std::fs::remove_dir_all(&d);
}

// ---------------------------------------------------------------- backends, preferences, instances

/// A hub with NVA NICs nic-nva1..3 (10.0.1.4..6) in subnet nva, and an internal load balancer
/// ilb-nva whose one pool (nested form) has the body `pool`.
fn lb_estate(pool: serde_json::Value) -> Vec<Input> {
    let s = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-lb/providers/Microsoft.Network";
    let nva = format!("{s}/virtualNetworks/hub/subnets/nva");
    let mut estate = vec![serde_json::json!({"id": format!("{s}/virtualNetworks/hub"), "name": "hub",
        "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"id": nva, "name": "nva", "properties": {"addressPrefix": "10.0.1.0/24"}}]}})];
    for k in 1..=3 {
        estate.push(serde_json::json!({"id": format!("{s}/networkInterfaces/nic-nva{k}"), "name": format!("nic-nva{k}"),
            "type": "Microsoft.Network/networkInterfaces", "location": "westeurope",
            "properties": {"enableIPForwarding": true, "ipConfigurations": [{
                "id": format!("{s}/networkInterfaces/nic-nva{k}/ipConfigurations/ipconfig1"), "name": "ipconfig1",
                "properties": {"privateIPAddress": format!("10.0.1.{}", 3 + k), "primary": true, "subnet": {"id": nva}}}]}}));
    }
    estate.push(serde_json::json!({"id": format!("{s}/loadBalancers/ilb-nva"), "name": "ilb-nva",
        "type": "Microsoft.Network/loadBalancers", "location": "westeurope",
        "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": {"privateIPAddress": "10.0.1.100", "subnet": {"id": nva}}}],
            "backendAddressPools": [{"id": format!("{s}/loadBalancers/ilb-nva/backendAddressPools/nvas"), "name": "nvas", "properties": pool}],
            "loadBalancingRules": [{"name": "ha", "properties": {"protocol": "All", "frontendPort": 0, "backendPort": 0}}]}}));
    vec![Input { name: "estate.json".into(), bytes: serde_json::to_vec(&estate).unwrap() }]
}

#[test]
fn load_balancer_backends_given_by_ip_address_or_nic_reference_are_mapped_to_their_nics() {
    let s = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-lb/providers/Microsoft.Network";
    let cfg = |k: u32| format!("{s}/networkInterfaces/nic-nva{k}/ipConfigurations/ipconfig1");
    let i = import::import(&lb_estate(serde_json::json!({
        // nic-nva3 both ways: one backend.
        "backendIPConfigurations": [{"id": cfg(3)}],
        "loadBalancerBackendAddresses": [
            {"name": "a1", "properties": {"ipAddress": "10.0.1.4", "virtualNetwork": {"id": format!("{s}/virtualNetworks/hub")}}},
            {"name": "a2", "networkInterfaceIPConfiguration": {"id": cfg(2).to_uppercase()}},
            {"name": "a3", "properties": {"networkInterfaceIPConfiguration": {"id": cfg(3)}}},
            {"name": "a4", "properties": {"ipAddress": "10.0.1.99", "virtualNetwork": {"id": format!("{s}/virtualNetworks/hub")}}},
            {"name": "a5", "properties": {"ipAddress": "10.0.1.5", "virtualNetwork": {"id": format!("{s}/virtualNetworks/other")}}}
        ]
    })))
    .unwrap();
    assert!(i.invalid.is_none(), "{:?}\n{}", i.invalid, i.text);
    assert!(i.text.contains("backends = [\"nic-nva1\", \"nic-nva2\", \"nic-nva3\"]\n"), "{}", i.text);
    let m = common::load(&i.text).model;
    assert_eq!(m.load_balancers[0].backends.len(), 3);
    for addr in ["10.0.1.99", "10.0.1.5"] {
        let w =
            format!("load balancer ilb-nva: backend address {addr} (pool nvas) matches no NIC in the export: left out");
        assert!(i.warnings.contains(&w), "{w}\n{:?}", i.warnings);
        assert!(i.text.contains(&format!("#   - {w}")), "{}", i.text);
    }
}

/// The inputs of fixture directories, with `edit` applied to the properties of the resource named
/// `name` in their Resource Graph pages.
fn edited(rels: &[&str], name: &str, edit: impl Fn(&mut serde_json::Value)) -> Vec<Input> {
    let paths: Vec<PathBuf> = rels.iter().map(|r| fixture(r)).collect();
    let mut inputs = import::read_inputs(&paths).unwrap();
    for input in inputs.iter_mut().filter(|i| i.name.contains("resources-page-")) {
        let mut v: serde_json::Value = serde_json::from_slice(&input.bytes).unwrap();
        for r in v["data"].as_array_mut().unwrap().iter_mut().filter(|r| r["name"] == name) {
            edit(&mut r["properties"]);
        }
        input.bytes = serde_json::to_vec(&v).unwrap();
    }
    inputs
}

#[test]
fn a_route_server_routing_preference_other_than_expressroute_is_warned_about() {
    let rels = ["route-server-nva-ecmp/graph", "route-server-nva-ecmp/runtime"];
    let r75 = |i: &Imported| i.warnings.iter().filter(|w| w.contains("R75")).cloned().collect::<Vec<_>>();
    for pref in ["ASPath", "VpnGateway"] {
        let i = import::import(&edited(&rels, "rs-hub", |p| p["hubRoutingPreference"] = pref.into())).unwrap();
        assert!(i.invalid.is_none(), "{:?}", i.invalid);
        let w = r75(&i);
        assert_eq!(w.len(), 1, "{:?}", i.warnings);
        assert!(w[0].contains("ExpressRoute-first preference") && w[0].contains("compare may differ"), "{w:?}");
        assert!(i.text.contains(&format!("virtualhubs/rs-hub ({pref})\n")), "{}", i.text);
        assert!(i.text.contains(&format!("# hubRoutingPreference is {pref}; ersim predicts")), "{}", i.text);
    }
    for pref in [serde_json::json!("expressroute"), serde_json::Value::Null] {
        let i = import::import(&edited(&rels, "rs-hub", |p| p["hubRoutingPreference"] = pref.clone())).unwrap();
        assert!(r75(&i).is_empty(), "{:?}", i.warnings);
        assert!(!i.text.contains("hubRoutingPreference"), "{}", i.text);
    }
}

#[test]
fn active_active_instance_addresses_follow_the_ip_configurations_not_the_bgp_array() {
    let rels = ["active-active-vpn-bgp/graph", "active-active-vpn-bgp/runtime"];
    let original = common::bundled_text("active-active-vpn-bgp.toml");
    let reversed = |upper: bool| {
        move |p: &mut serde_json::Value| {
            let list = p["bgpSettings"]["bgpPeeringAddresses"].as_array_mut().unwrap();
            list.reverse();
            for e in list.iter_mut().filter(|_| upper) {
                e["ipconfigurationId"] = e["ipconfigurationId"].as_str().unwrap().to_uppercase().into();
            }
        }
    };
    for upper in [false, true] {
        let i = import::import(&edited(&rels, "vpngw-hub", reversed(upper))).unwrap();
        assert!(i.text.contains("ips = [\"10.20.255.6\", \"10.20.255.7\"]\n"), "{}", i.text);
        assert_same_routes(&original, &i);
    }
    // Without ipconfigurationId, the array's order is all there is.
    let no_ids = edited(&rels, "vpngw-hub", |p| {
        reversed(false)(p);
        for e in p["bgpSettings"]["bgpPeeringAddresses"].as_array_mut().unwrap() {
            e.as_object_mut().unwrap().remove("ipconfigurationId");
        }
    });
    let i = import::import(&no_ids).unwrap();
    assert!(i.text.contains("ips = [\"10.20.255.7\", \"10.20.255.6\"]\n"), "{}", i.text);
}
