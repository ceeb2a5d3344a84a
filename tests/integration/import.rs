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
    let inputs = import::read_inputs(&[dir.clone()]).unwrap();
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
    let imported = import::import(&import::read_inputs(&[dir.clone()]).unwrap()).unwrap();
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
