//! `ersim compare`: the seed's prediction against a hand-written `show-effective-route-table`
//! output of nic-spoke10 (the article's eight rows and the five default rows), and variants of it;
//! the active-active VPN gateway's learned routes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use super::import::fixture;

const SEED: &str = "scenarios/seed-multi-hub-expressroute.toml";
const AA: &str = "scenarios/active-active-vpn-bgp.toml";

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The article's nic-spoke10 rows, as az prints them (fixture).
fn spoke10() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("seed/runtime/nic-spoke10.json")).unwrap()).unwrap()
}

/// A temporary directory for one test.
fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ersim-compare-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Write `v` as `dir/name` and return the path.
fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn compare(scenario: &str, args: &[&Path], extra: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ersim"));
    c.arg("compare").arg(repo(scenario)).arg("--actual").args(args).args(extra);
    c.output().unwrap()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// The entry of `doc` for `prefix`.
fn entry<'a>(doc: &'a mut Value, prefix: &str) -> &'a mut Value {
    doc["value"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["addressPrefix"][0] == prefix)
        .unwrap_or_else(|| panic!("no entry for {prefix}"))
}

#[test]
fn the_articles_rows_match_the_seed_prediction() {
    let out = compare(SEED, &[&fixture("seed/runtime/nic-spoke10.json")], &["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json_of(&out);
    assert_eq!(v["nics"][0]["nic"], "nic-spoke10");
    assert_eq!(v["nics"][0]["matched"], 13, "8 article rows (ECMP split) and 5 default rows");
    assert_eq!(v["nics"][0]["missing"], json!([]));
    assert_eq!(v["nics"][0]["unexpected"], json!([]));
    assert_eq!(v["result"]["exitCode"], 0);
    let text = compare(SEED, &[&fixture("seed/runtime/nic-spoke10.json")], &[]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("NIC nic-spoke10 (") && text.status.code() == Some(0));
}

#[test]
fn a_missing_next_hop_is_a_mismatch_with_its_provenance_and_rule() {
    let d = temp_dir("one-hop");
    let mut doc = spoke10();
    entry(&mut doc, "10.100.0.0/16")["nextHopIpAddress"] = json!(["10.2.146.76"]);
    let f = write(&d, "nic-spoke10.json", &doc);
    let out = compare(SEED, &[&f], &["-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    let nic = &v["nics"][0];
    assert_eq!(nic["matched"], 12);
    assert_eq!(nic["unexpected"], json!([]));
    let missing = &nic["missing"][0];
    assert_eq!(missing["addressPrefix"], "10.100.0.0/16");
    assert_eq!(missing["nextHopType"], "VirtualNetworkGateway");
    assert_eq!(missing["nextHopIpAddress"], "10.2.146.77");
    let why = &missing["explanation"];
    assert!(why["origin"].as_str().unwrap().contains("circuit01"), "{why}");
    assert!(why["rule"].as_str().unwrap().contains("R57"), "{why}");
    assert!(why["detail"].as_str().unwrap().contains("10.2.146.76"), "{why}");
    assert_eq!(v["result"]["mismatches"], 1);
    // The text form says the same.
    let text = String::from_utf8_lossy(&compare(SEED, &[&f], &[]).stdout).into_owned();
    assert!(text.contains("MISMATCH") && text.contains("predicted by ersim, absent in Azure"), "{text}");
    assert!(text.contains("10.100.0.0/16 VirtualNetworkGateway 10.2.146.77"), "{text}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn next_hop_types_and_words_compare_without_case() {
    let d = temp_dir("case");
    let mut doc = spoke10();
    entry(&mut doc, "10.0.0.0/16")["nextHopType"] = json!("VnetPeering");
    entry(&mut doc, "10.10.0.0/16")["nextHopType"] = json!("vnetlocal");
    entry(&mut doc, "0.0.0.0/0")["state"] = json!("active");
    let f = write(&d, "nic-spoke10.json", &doc);
    let out = compare(SEED, &[&f], &["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json_of(&out)["nics"][0]["matched"], 13);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_service_endpoint_entry_is_not_modelled_not_a_mismatch() {
    let d = temp_dir("svc");
    let mut doc = spoke10();
    doc["value"].as_array_mut().unwrap().push(json!({
        "addressPrefix": ["13.69.64.0/20", "13.69.80.0/20", "20.38.102.0/23"],
        "destinationServiceTags": ["Storage.EastAsia"],
        "disableBgpRoutePropagation": false,
        "hasBgpOverride": false,
        "name": null,
        "nextHopIpAddress": [],
        "nextHopType": "VirtualNetworkServiceEndpoint",
        "source": "Default",
        "state": "Active"
    }));
    let f = write(&d, "nic-spoke10.json", &doc);
    let out = compare(SEED, &[&f], &["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json_of(&out);
    assert_eq!(v["nics"][0]["matched"], 13);
    assert_eq!(v["nics"][0]["notModelled"].as_array().unwrap().len(), 1);
    assert_eq!(v["nics"][0]["notModelled"][0]["nextHopType"], "VirtualNetworkServiceEndpoint");
    assert_eq!(v["result"]["notModelled"], 1);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_unexpected_row_says_what_ersim_predicts_instead() {
    let d = temp_dir("extra");
    let mut doc = spoke10();
    doc["value"].as_array_mut().unwrap().push(json!({
        "addressPrefix": ["10.20.0.0/16"], "nextHopIpAddress": [], "nextHopType": "VNetPeering",
        "source": "Default", "state": "Active", "name": null
    }));
    entry(&mut doc, "10.0.0.0/8")["state"] = json!("Invalid");
    let f = write(&d, "nic-spoke10.json", &doc);
    let v = json_of(&compare(SEED, &[&f], &["-o", "json"]));
    let unexpected = v["nics"][0]["unexpected"].as_array().unwrap().clone();
    assert_eq!(unexpected.len(), 2, "{unexpected:#?}");
    let peering = unexpected.iter().find(|r| r["addressPrefix"] == "10.20.0.0/16").unwrap();
    assert!(peering["explanation"]["detail"].as_str().unwrap().contains("ersim predicts no row"), "{peering}");
    let reserved = unexpected.iter().find(|r| r["addressPrefix"] == "10.0.0.0/8").unwrap();
    assert!(
        reserved["explanation"]["detail"].as_str().unwrap().contains("ersim predicts Default Active None"),
        "{reserved}"
    );
    assert!(reserved["explanation"]["rule"].as_str().unwrap().contains("D3"), "{reserved}");
    assert_eq!(v["nics"][0]["missing"].as_array().unwrap().len(), 1, "the Active reserved row is missing");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn nic_flag_names_a_file_and_unknown_names_exit_2() {
    let d = temp_dir("names");
    let f = write(&d, "routes.json", &spoke10());
    let out = compare(SEED, &[&f], &["--nic", "nic-spoke10"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = compare(SEED, &[&f], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the scenario has no NIC `routes`"), "{err}");
    let bad = d.join("nic-spoke10.json");
    std::fs::write(&bad, "{\"value\": [{\"addressPrefix\": \"10.0.0.0/16\"}]}").unwrap();
    let out = compare(SEED, &[&bad], &[]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn gateway_learned_routes_are_compared_by_network_next_hop_origin_and_path() {
    let learned = fixture("active-active-vpn-bgp/runtime/vpngw-hub.learned.json");
    let out = compare(AA, &[&learned], &["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json_of(&out);
    let g = &v["gateways"][0];
    assert_eq!(g["gateway"], "vpngw-hub");
    assert_eq!(g["matched"], 7, "{g:#}");
    assert_eq!(g["notModelled"].as_array().unwrap().len(), 2, "IBgp between the two instances");
    // Drop one prefix the router advertises, add one ersim does not know: both are mismatches.
    let d = temp_dir("gw");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&learned).unwrap()).unwrap();
    let routes = doc["value"].as_array_mut().unwrap();
    routes.retain(|r| r["network"] != "172.21.0.0/16" || r["origin"] != "EBgp");
    routes.push(json!({"localAddress": "10.20.255.6", "network": "172.22.0.0/16", "nextHop": "172.31.255.1",
                       "sourcePeer": "172.31.255.1", "origin": "EBgp", "asPath": "65010-65020", "weight": 32768}));
    let f = write(&d, "vpngw-hub.learned.json", &doc);
    let out = compare(AA, &[&f], &["-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let g = &json_of(&out)["gateways"][0];
    assert_eq!(g["missing"][0]["network"], "172.21.0.0/16");
    assert_eq!(g["missing"][0]["asPath"], "65010");
    assert_eq!(g["missing"][0]["nextHop"], "172.31.255.1");
    assert!(
        g["missing"][0]["explanation"]["origin"].as_str().unwrap().contains("lng")
            || g["missing"][0]["explanation"]["origin"].as_str().unwrap().contains("dc-frankfurt"),
        "{g:#}"
    );
    assert_eq!(g["unexpected"][0]["network"], "172.22.0.0/16");
    assert_eq!(g["unexpected"][0]["asPath"], "65010-65020");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn junit_has_one_case_per_nic_and_gateway_and_directories_skip_other_files() {
    let d = temp_dir("junit");
    let mut doc = spoke10();
    entry(&mut doc, "10.120.0.0/16")["nextHopIpAddress"] = json!(["10.2.146.77"]);
    write(&d, "nic-spoke10.json", &doc);
    write(
        &d,
        "nic-hub00.json",
        &json!({"nextLink": null, "value": [
            {"addressPrefix": ["10.0.0.0/16"], "nextHopIpAddress": [], "nextHopType": "VnetLocal", "source": "Default", "state": "Active"}
        ]}),
    );
    std::fs::copy(fixture("seed/graph/resources-page-1.json"), d.join("resources-page-1.json")).unwrap();
    let out = compare(SEED, &[&d], &["-o", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let x = String::from_utf8_lossy(&out.stdout);
    assert!(x.contains("<testsuites name=\"ersim compare\" tests=\"2\" failures=\"2\">"), "{x}");
    assert!(x.contains("classname=\"ersim.compare.nic\" name=\"nic-spoke10\""), "{x}");
    assert!(x.contains("classname=\"ersim.compare.nic\" name=\"nic-hub00\""), "{x}");
    let text = String::from_utf8_lossy(&compare(SEED, &[&d], &[]).stdout).into_owned();
    assert!(
        text.contains("skipped (not effective or learned routes):") && text.contains("resources-page-1.json"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_placeholder_next_hop_is_named_as_the_reason_of_a_mismatch() {
    let d = temp_dir("placeholder");
    let seed = std::fs::read_to_string(repo(SEED)).unwrap();
    let text = super::common::edit(&seed, "next_hops = [\"10.2.146.76\", \"10.2.146.77\"]", "");
    let scenario = d.join("seed-without-next-hops.toml");
    std::fs::write(&scenario, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ersim"))
        .arg("compare")
        .arg(&scenario)
        .arg("--actual")
        .arg(fixture("seed/runtime"))
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    let missing = v["nics"][0]["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 6, "three prefixes, two placeholder next hops each");
    assert!(
        missing.iter().all(|m| m["explanation"]["detail"].as_str().unwrap().contains("placeholder")),
        "{missing:#?}"
    );
    // The gateway's learned routes still match: ersim does not know the MSEE addresses, so any matches.
    assert_eq!(v["gateways"][0]["missing"], json!([]), "{:#}", v["gateways"][0]);
    assert_eq!(v["gateways"][0]["unexpected"], json!([]), "{:#}", v["gateways"][0]);
    let _ = std::fs::remove_dir_all(&d);
}
