//! The `ersim` binary: formats, exit statuses (README "Commands"), scenario discovery, errors on
//! stderr, broken pipes, help and version. Every run happens in an empty temporary directory with
//! `ERSIM_SCENARIO` removed, so nothing around the test can be picked up by accident.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::common::*;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml");
const PORTAL_COLUMNS: [&str; 6] =
    ["Source", "State", "Address Prefixes", "Next Hop Type", "Next Hop IP Address", "User Defined Route Name"];

/// An empty directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "ersim-cli-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write scenario");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary, run in `dir` without ERSIM_SCENARIO.
fn ersim_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ersim"));
    c.current_dir(dir).env_remove("ERSIM_SCENARIO");
    c
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_cmd(mut c: Command) -> Run {
    let o: Output = c.output().expect("run ersim");
    Run {
        code: o.status.code(),
        stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
    }
}

/// Run `ersim args...` in a fresh empty directory.
fn run(args: &[&str]) -> Run {
    let d = TempDir::new("run");
    let mut c = ersim_in(&d.0);
    c.args(args);
    let r = run_cmd(c);
    assert!(!r.stderr.contains("panicked"), "ersim panicked: {}", r.stderr);
    r
}

fn show(r: &Run) -> String {
    format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", r.code, r.stdout, r.stderr)
}

/// The data rows of a portal table (after the header and the dashes).
fn table_rows(out: &str) -> Vec<&str> {
    out.lines().skip(2).filter(|l| !l.trim().is_empty()).collect()
}

/// A table line split into cells (two or more spaces separate columns).
fn cells(line: &str) -> Vec<String> {
    line.split("  ").map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

// ------------------------------------------------------------------ routes

#[test]
fn routes_nic_prints_the_portal_table() {
    let r = run(&["routes", "--nic", "nic-spoke10", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let header = r.stdout.lines().next().unwrap_or_default();
    assert_eq!(cells(header), PORTAL_COLUMNS, "R8 columns, in order: {header}");
    let rows = table_rows(&r.stdout);
    assert_eq!(rows.len(), 13, "the article's 8 rows plus Internet and 4 reserved rows\n{}", r.stdout);
    for want in [
        ["Default", "Active", "10.10.0.0/16", "Virtual network", "-", "-"],
        ["Default", "Active", "10.0.0.0/16", "VNet peering", "-", "-"],
        ["Virtual network gateway", "Active", "10.110.0.0/16", "Virtual network gateway", "10.2.146.76", "-"],
        ["Virtual network gateway", "Active", "10.110.0.0/16", "Virtual network gateway", "10.2.146.77", "-"],
        ["Default", "Active", "0.0.0.0/0", "Internet", "-", "-"],
        ["Default", "Active", "10.0.0.0/8", "None", "-", "-"],
    ] {
        assert!(rows.iter().any(|l| cells(l) == want), "missing row {want:?}\n{}", r.stdout);
    }
}

#[test]
fn routes_nic_matches_the_readme_quick_start_output() {
    // README: "The first command prints (the article's eight rows, plus ...)" followed by a text block.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let after = &readme[readme.find("The first command prints").expect("README quick start")..];
    let start = after.find("```text\n").expect("text block") + "```text\n".len();
    let block = &after[start..start + after[start..].find("```").unwrap()];
    let r = run(&["routes", "--nic", "nic-spoke10", SEED]);
    let norm = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    assert_eq!(norm(&r.stdout), norm(block), "routes output differs from the README");
}

#[test]
fn routes_unknown_nic_exits_2_with_the_closest_names() {
    let r = run(&["routes", "--nic", "nic-spoke1", SEED]);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    assert!(r.stderr.contains("nic-spoke1"), "{}", show(&r));
    assert!(r.stderr.contains("nic-spoke10"), "stderr suggests nic-spoke10\n{}", show(&r));
    assert!(r.stdout.is_empty(), "nothing on stdout for an error\n{}", show(&r));
    let r = run(&["routes", "--subnet", "hub00/GatewaySubnett", SEED]);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    assert!(r.stderr.contains("hub00/GatewaySubnet"), "{}", show(&r));
}

#[test]
fn a_missing_scenario_file_exits_2() {
    for args in [
        vec!["routes", "--nic", "nic-spoke10", "no-such-file.toml"],
        vec!["reach", "vm-spoke10", "vm-spoke110", "no-such-file.toml"],
        vec!["check", "no-such-file.toml"],
        vec!["matrix", "no-such-file.toml"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}\n{}", show(&r));
        // check reports everything on stdout in its format; the other commands on stderr.
        let out = if args[0] == "check" { &r.stdout } else { &r.stderr };
        assert!(out.contains("no-such-file.toml"), "the error names the file\n{}", show(&r));
    }
}

#[test]
fn no_scenario_anywhere_exits_2_saying_what_was_tried() {
    for args in
        [vec!["routes", "--nic", "nic-spoke10"], vec!["reach", "a", "b"], vec!["check"], vec!["matrix"], vec!["graph"]]
    {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}\n{}", show(&r));
        assert!(r.stderr.contains("ERSIM_SCENARIO"), "stderr says $ERSIM_SCENARIO was tried\n{}", show(&r));
        assert!(r.stderr.contains("ersim.toml"), "stderr says ./ersim.toml was tried\n{}", show(&r));
    }
}

#[test]
fn ersim_scenario_is_used_when_no_file_is_given() {
    let d = TempDir::new("env");
    let mut c = ersim_in(&d.0);
    c.args(["routes", "--nic", "nic-spoke10"]).env("ERSIM_SCENARIO", SEED);
    let r = run_cmd(c);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert_eq!(table_rows(&r.stdout).len(), 13);

    // An explicit file wins over the variable.
    let mut c = ersim_in(&d.0);
    c.args(["routes", "--nic", "nic-spoke10", SEED]).env("ERSIM_SCENARIO", d.0.join("nothing.toml"));
    let r = run_cmd(c);
    assert_eq!(r.code, Some(0), "{}", show(&r));

    // The variable wins over ./ersim.toml.
    d.write("ersim.toml", "this is not a scenario");
    let mut c = ersim_in(&d.0);
    c.args(["check"]).env("ERSIM_SCENARIO", SEED);
    let r = run_cmd(c);
    assert_eq!(r.code, Some(0), "{}", show(&r));
}

#[test]
fn ersim_toml_in_the_current_directory_is_used_last() {
    let d = TempDir::new("local");
    d.write("ersim.toml", &seed_text());
    let mut c = ersim_in(&d.0);
    c.args(["routes", "--nic", "nic-spoke10"]);
    let r = run_cmd(c);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert_eq!(table_rows(&r.stdout).len(), 13);
}

/// The keys of a JSON object in the order they appear in the text.
struct Keys(Vec<String>);

impl<'de> serde::Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Keys, A::Error> {
                let mut k = Vec::new();
                while let Some(key) = m.next_key::<String>()? {
                    m.next_value::<serde::de::IgnoredAny>()?;
                    k.push(key);
                }
                Ok(Keys(k))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(serde::Deserialize)]
struct AzOrder {
    value: Vec<Keys>,
}

#[test]
fn routes_json_is_the_az_cli_shape() {
    let r = run(&["routes", "--nic", "nic-spoke10", "--output", "json", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("routes JSON parses");
    assert!(j["nextLink"].is_null() && j.get("nextLink").is_some(), "nextLink: null");
    let top: Keys = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(top.0, ["nextLink", "value"]);
    let value = j["value"].as_array().expect("value[]");
    assert_eq!(value.len(), 13, "one entry per next hop (D2)");

    // R6: exactly these keys, alphabetical, in every entry.
    const KEYS: [&str; 10] = [
        "addressPrefix",
        "destinationServiceTags",
        "disableBgpRoutePropagation",
        "hasBgpOverride",
        "name",
        "nextHopIpAddress",
        "nextHopType",
        "source",
        "state",
        "tagMap",
    ];
    let order: AzOrder = serde_json::from_str(&r.stdout).unwrap();
    for (i, k) in order.value.iter().enumerate() {
        assert_eq!(k.0, KEYS, "entry {i}: keys and their order");
    }

    // D13 values and API spellings (R4, R5).
    for e in value {
        assert!(e["addressPrefix"].is_array() && e["nextHopIpAddress"].is_array(), "{e}");
        assert_eq!(e["destinationServiceTags"], serde_json::json!([]));
        assert_eq!(e["tagMap"], serde_json::json!({}));
        assert_eq!(e["hasBgpOverride"], false);
        assert_eq!(e["disableBgpRoutePropagation"], false);
        assert!(e["name"].is_null(), "no user rows: name null: {e}");
        assert_eq!(e["state"], "Active");
    }
    let find = |prefix: &str| -> Vec<&serde_json::Value> {
        value.iter().filter(|e| e["addressPrefix"] == serde_json::json!([prefix])).collect()
    };
    let local = find("10.10.0.0/16");
    assert_eq!(local.len(), 1);
    assert_eq!(local[0]["nextHopType"], "VnetLocal");
    assert_eq!(local[0]["source"], "Default");
    assert_eq!(local[0]["nextHopIpAddress"], serde_json::json!([]));
    let peer = find("10.0.0.0/16");
    assert_eq!(peer[0]["nextHopType"], "VNetPeering");
    let gw = find("10.110.0.0/16");
    assert_eq!(gw.len(), 2);
    for e in &gw {
        assert_eq!(e["nextHopType"], "VirtualNetworkGateway");
        assert_eq!(e["source"], "VirtualNetworkGateway", "D1");
    }
    let mut ips: Vec<&serde_json::Value> = gw.iter().map(|e| &e["nextHopIpAddress"]).collect();
    ips.sort_by_key(|v| v.to_string());
    assert_eq!(ips, [&serde_json::json!(["10.2.146.76"]), &serde_json::json!(["10.2.146.77"])]);
    assert_eq!(find("0.0.0.0/0")[0]["nextHopType"], "Internet");
    assert_eq!(find("10.0.0.0/8")[0]["nextHopType"], "None");
}

#[test]
fn routes_csv_has_the_portal_header() {
    let r = run(&["routes", "--nic", "nic-spoke10", "--output", "csv", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], PORTAL_COLUMNS.join(","));
    assert_eq!(lines.len(), 14, "header and 13 rows\n{}", r.stdout);
    // D13: empty CSV fields are empty, not `-`.
    assert!(lines.contains(&"Default,Active,10.10.0.0/16,Virtual network,,"), "{}", r.stdout);
    assert!(
        lines.contains(&"Virtual network gateway,Active,10.110.0.0/16,Virtual network gateway,10.2.146.76,"),
        "{}",
        r.stdout
    );
}

#[test]
fn routes_output_table_is_text() {
    let text = run(&["routes", "--nic", "nic-spoke10", "--output", "text", SEED]);
    let table = run(&["routes", "--nic", "nic-spoke10", "--output", "table", SEED]);
    assert_eq!(table.code, Some(0), "{}", show(&table));
    assert_eq!(table.stdout, text.stdout);
    let default = run(&["routes", "--nic", "nic-spoke10", SEED]);
    assert_eq!(default.stdout, text.stdout);
}

#[test]
fn routes_merge_next_hops_folds_the_msee_pairs() {
    let r = run(&["routes", "--nic", "nic-spoke10", "--merge-next-hops", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let rows = table_rows(&r.stdout);
    assert_eq!(rows.len(), 10, "D2: 13 rows with three pairs folded\n{}", r.stdout);
    let merged: Vec<&&str> = rows.iter().filter(|l| l.contains("10.2.146.76, 10.2.146.77")).collect();
    assert_eq!(merged.len(), 3, "{}", r.stdout);
    for p in ["10.100.0.0/16", "10.110.0.0/16", "10.120.0.0/16"] {
        assert!(merged.iter().any(|l| l.contains(p)), "{p} merged\n{}", r.stdout);
    }
    let j = run(&["routes", "--nic", "nic-spoke10", "--merge-next-hops", "--output", "json", SEED]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    let entries = v["value"].as_array().unwrap();
    assert_eq!(entries.len(), 10);
    assert!(entries.iter().any(|e| e["addressPrefix"] == serde_json::json!(["10.110.0.0/16"])
        && e["nextHopIpAddress"] == serde_json::json!(["10.2.146.76", "10.2.146.77"])));
}

#[test]
fn routes_subnet_gateway_subnet_works() {
    let r = run(&["routes", "--subnet", "hub00/GatewaySubnet", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let rows = table_rows(&r.stdout);
    // R1, R35, R47: hub00's space, both spokes over peerings, hub100's domain over the circuit, defaults.
    assert_eq!(rows.len(), 14, "{}", r.stdout);
    for want in [
        ["Default", "Active", "10.0.0.0/16", "Virtual network", "-", "-"],
        ["Default", "Active", "10.10.0.0/16", "VNet peering", "-", "-"],
        ["Default", "Active", "10.20.0.0/16", "VNet peering", "-", "-"],
        ["Virtual network gateway", "Active", "10.100.0.0/16", "Virtual network gateway", "10.2.146.77", "-"],
    ] {
        assert!(rows.iter().any(|l| cells(l) == want), "missing row {want:?}\n{}", r.stdout);
    }
}

// ------------------------------------------------------------------ reach, check, matrix

#[test]
fn reach_exit_status_is_0_delivered_1_not_2_bad_input() {
    let ok = run(&["reach", "vm-spoke10", "vm-spoke110", SEED]);
    assert_eq!(ok.code, Some(0), "{}", show(&ok));
    assert!(ok.stdout.contains("circuit01") && ok.stdout.contains("ergw-hub100"), "{}", ok.stdout);
    let no = run(&["reach", "spoke10", "spoke20", SEED]);
    assert_eq!(no.code, Some(1), "{}", show(&no));
    assert!(no.stdout.contains("NextHopNone"), "{}", no.stdout);
    let bad = run(&["reach", "vm-spok10", "vm-spoke110", SEED]);
    assert_eq!(bad.code, Some(2), "{}", show(&bad));
    assert!(bad.stderr.contains("vm-spoke10"), "suggestion on stderr\n{}", show(&bad));
    let public = run(&["reach", "vm-spoke10", "8.8.8.8", SEED]);
    assert_eq!(public.code, Some(0), "one-way counts as delivered\n{}", show(&public));
}

#[test]
fn reach_json_output_parses() {
    let r = run(&["reach", "10.10.0.4", "10.120.0.5", "--output", "json", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("reach JSON parses");
    assert_eq!(j["verdict"], "delivered");
    let r = run(&["reach", "spoke10", "spoke20", "-o", "json", SEED]);
    assert_eq!(r.code, Some(1));
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("reach JSON parses");
    assert_eq!(j["verdict"], "not-delivered");
    assert!(!j["fixes"].as_array().unwrap().is_empty());
}

#[test]
fn check_exit_status_is_0_ok_1_failed_2_invalid() {
    let d = TempDir::new("check");
    let ok = run(&["check", SEED]);
    assert_eq!(ok.code, Some(0), "{}", show(&ok));
    assert_eq!(ok.stdout.matches("PASS").count(), 7, "{}", ok.stdout);

    let failing =
        d.write("fail.toml", &edit(&seed_text(), "next_hop_ip = \"10.2.146.77\"", "next_hop_ip = \"10.2.146.99\""));
    let r = run(&["check", failing.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", show(&r));
    assert!(r.stdout.contains("FAIL"), "{}", r.stdout);

    let invalid = d
        .write("invalid.toml", &(seed_text() + "\n[[nic]]\nname = \"nic-x\"\nvnet = \"nope\"\nsubnet = \"default\"\n"));
    let r = run(&["check", invalid.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    let r = run(&["check", "--output", "junit", invalid.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    let doc = super::check_cmd::parse_xml(&r.stdout).unwrap_or_else(|e| panic!("JUnit is not XML: {e}\n{}", r.stdout));
    let cases = doc.find_all("testcase");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attr("name"), Some("validation"));

    let r = run(&["check", "--output", "json", SEED]);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("check JSON parses");
    assert_eq!(j["result"]["exitCode"], 0);
}

#[test]
fn matrix_exits_0_even_with_isolated_pairs() {
    let r = run(&["matrix", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert!(r.stdout.contains("NextHopNone"), "{}", r.stdout);
    for fmt in ["json", "csv"] {
        let r = run(&["matrix", "--output", fmt, SEED]);
        assert_eq!(r.code, Some(0), "{fmt}\n{}", show(&r));
    }
    let r = run(&["matrix", "--output", "json", SEED]);
    let _: serde_json::Value = serde_json::from_str(&r.stdout).expect("matrix JSON parses");
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec!["routes", SEED],
        vec!["routes", "--nic", "nic-spoke10", "--subnet", "hub00/default", SEED],
        vec!["routes", "--nic", "nic-spoke10", "--output", "yaml", SEED],
        vec!["frobnicate"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}\n{}", show(&r));
    }
}

// ------------------------------------------------------------------ pipes, help, version

#[test]
fn a_reader_that_closes_early_does_not_make_routes_panic() {
    // Enough rows to overflow any pipe buffer, so the write really meets a closed pipe.
    let mut text = edit(
        &seed_text(),
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n",
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n  route_table = \"rt-big\"\n",
    );
    text.push_str("\n[[route_table]]\nname = \"rt-big\"\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "\n  [[route_table.route]]\n  name = \"r{i}\"\n  prefix = \"172.{}.{}.0/24\"\n  next_hop_type = \"None\"\n",
            16 + i / 256,
            i % 256
        ));
    }
    let d = TempDir::new("pipe");
    let path = d.write("big.toml", &text);
    let mut c = ersim_in(&d.0);
    c.args(["routes", "--nic", "nic-spoke10", path.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn ersim");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).expect("read one line");
    assert!(first.starts_with("Source"), "{first}");
    drop(reader);
    let o = child.wait_with_output().expect("wait for ersim");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "ersim panicked on a closed pipe: {stderr}");
    assert_eq!(o.status.code(), Some(0), "a closed pipe is not an error; stderr: {stderr}");
}

#[test]
fn version_and_help_succeed() {
    let v = run(&["--version"]);
    assert_eq!(v.code, Some(0), "{}", show(&v));
    assert!(v.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", v.stdout);
    let h = run(&["--help"]);
    assert_eq!(h.code, Some(0), "{}", show(&h));
    for sub in ["routes", "reach", "check", "matrix", "bgp", "graph", "synth"] {
        assert!(h.stdout.contains(sub), "top-level help lists {sub}\n{}", h.stdout);
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, Some(0), "{sub} --help\n{}", show(&r));
        assert!(r.stdout.contains("Example"), "{sub} --help has an example\n{}", r.stdout);
        let r = run(&["help", sub]);
        assert_eq!(r.code, Some(0), "help {sub}\n{}", show(&r));
    }
}

#[test]
fn no_color_and_pipes_get_plain_text() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad/unknown-names.toml");
    for no_color in [true, false] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ersim"));
        cmd.args(["check", seed]);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd.output().unwrap();
        // stdout is a pipe here: never colour, with or without NO_COLOR.
        assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'), "escape codes on a pipe");
        assert!(!String::from_utf8_lossy(&out.stderr).contains('\u{1b}'));
        assert_eq!(out.status.code(), Some(2));
    }
}

#[test]
fn a_directory_gets_the_same_message_from_every_command() {
    // Issue 11: `check` and the other commands once read files by two loaders that disagreed.
    let d = TempDir::new("dir-as-scenario");
    std::fs::create_dir_all(d.0.join("design.toml")).unwrap();
    let message = "cannot read design.toml: is a directory, not a scenario file";
    for args in [&["check", "design.toml"][..], &["routes", "--nic", "x", "design.toml"], &["matrix", "design.toml"]] {
        let mut c = ersim_in(&d.0);
        c.args(args);
        let r = run_cmd(c);
        assert_eq!(r.code, Some(2), "{args:?}: {}", show(&r));
        if args[0] == "check" {
            assert!(r.stdout.starts_with(&format!("design.toml: error: {message}\n")), "{}", show(&r));
        } else {
            assert_eq!(r.stderr, format!("error: {message}\n"), "{args:?}");
        }
    }
}

#[test]
fn rule_prints_a_rule_offline_and_suggests_close_ids() {
    let r = run(&["rule", "r37"]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert!(r.stdout.starts_with("### R37 — "), "{}", show(&r));
    assert!(r.stdout.contains("Standing:") && !r.stdout.contains("### R38"), "{}", show(&r));
    let r = run(&["rule", "Part K"]);
    assert!(r.code == Some(0) && r.stdout.contains("Part K"), "{}", show(&r));
    let r = run(&["rule", "R377"]);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    assert!(r.stderr.contains("R377") && r.stderr.contains("R37"), "{}", show(&r));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_ersim()"),
        ("zsh", "#compdef ersim"),
        ("fish", "complete -c ersim"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, Some(0), "{shell}: {}", show(&r));
        assert!(r.stdout.contains(marker), "{shell} script holds {marker}");
        for sub in ["routes", "reach", "check", "matrix", "bgp"] {
            assert!(r.stdout.contains(sub), "{shell} completes `{sub}`");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).code, Some(2));
}

#[test]
fn init_writes_a_starter_that_passes_check_and_never_overwrites() {
    let d = TempDir::new("init");
    let at = |args: &[&str]| {
        let mut c = ersim_in(&d.0);
        c.args(args);
        run_cmd(c)
    };
    let r = at(&["init"]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert!(r.stdout.contains("ersim.toml"), "{}", show(&r));
    // The default scenario path now works straight away.
    let r = at(&["check"]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert!(r.stdout.contains("passed, 0 failed"), "{}", show(&r));
    let before = std::fs::read_to_string(d.0.join("ersim.toml")).unwrap();
    let r = at(&["init", "--template", "vpn"]);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    assert!(r.stderr.contains("never overwrites"), "{}", show(&r));
    assert_eq!(std::fs::read_to_string(d.0.join("ersim.toml")).unwrap(), before, "the file is untouched");
    let r = at(&["init", "--template", "vnp", "--out", "x.toml"]);
    assert!(r.code == Some(2) && r.stderr.contains("did you mean `vpn`?"), "{}", show(&r));
}

#[test]
fn every_init_template_is_a_commented_design_that_passes_check() {
    for (name, _, text) in ersim::app::TEMPLATES {
        let r = ersim::app::check_source(&format!("{name}.toml"), text.as_bytes().to_vec()).expect("loads");
        assert_eq!(r.exit_code(), 0, "{name}:\n{}", ersim::report::check::text(&r));
        assert!(r.warnings.is_empty() && r.expectations.len() >= 2, "{name}:\n{}", ersim::report::check::text(&r));
        assert!(text.lines().filter(|l| l.trim_start().starts_with('#')).count() >= 8, "{name} explains itself");
    }
}

#[test]
fn routes_destination_honours_json_and_csv() {
    let r = run(&["routes", "--nic", "nic-spoke10", "--destination", "10.110.0.5", "-o", "json", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["destination"], "10.110.0.5");
    assert_eq!(v["route"]["addressPrefix"], serde_json::json!(["10.110.0.0/16"]));
    assert_eq!(v["route"]["nextHopIpAddress"], serde_json::json!(["10.2.146.76", "10.2.146.77"]), "ECMP (R24)");
    // Every row containing the address, longest prefix first: the two /16 rows, 10/8 None, 0/0.
    let prefixes: Vec<&str> =
        v["candidates"].as_array().unwrap().iter().map(|c| c["addressPrefix"][0].as_str().unwrap()).collect();
    assert_eq!(prefixes, ["10.110.0.0/16", "10.110.0.0/16", "10.0.0.0/8", "0.0.0.0/0"]);
    let r = run(&["routes", "--nic", "nic-spoke10", "--destination", "10.20.0.5", "-o", "csv", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert_eq!(
        r.stdout,
        "Source,State,Address Prefixes,Next Hop Type,Next Hop IP Address,User Defined Route Name\nDefault,Active,10.0.0.0/8,None,,\n",
        "spoke20's address only matches the reserved None row (D3, R37)"
    );
}

#[test]
fn every_command_help_states_its_exit_status() {
    for cmd in ["routes", "reach", "check", "matrix", "bgp", "graph", "synth", "init", "schema", "rule", "completions"]
    {
        let r = run(&[cmd, "--help"]);
        assert_eq!(r.code, Some(0), "{cmd}: {}", show(&r));
        assert!(r.stdout.contains("Exit status:"), "`ersim {cmd} --help` states its exit status");
    }
}

#[test]
fn check_prints_a_document_in_its_format_also_when_the_file_cannot_be_read() {
    let d = TempDir::new("check-unreadable");
    d.write("bad.toml", "");
    std::fs::write(d.0.join("latin1.toml"), b"name = \"caf\xe9\"\n").unwrap();
    for file in ["missing.toml", "latin1.toml"] {
        for fmt in ["json", "junit"] {
            let mut c = ersim_in(&d.0);
            c.args(["check", "-o", fmt, file]);
            let r = run_cmd(c);
            assert_eq!(r.code, Some(2), "{file} {fmt}: {}", show(&r));
            assert!(r.stderr.is_empty(), "everything on stdout: {}", show(&r));
            if fmt == "json" {
                let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("a JSON document");
                assert_eq!(v["valid"], false);
                assert_eq!(v["result"]["exitCode"], 2);
                assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{}", r.stdout);
                let code = if file == "missing.toml" { "unreadable" } else { "not-utf8" };
                assert_eq!(v["errors"][0]["code"], code);
            } else {
                assert!(r.stdout.starts_with("<?xml") && r.stdout.contains("<failure"), "{}", r.stdout);
            }
        }
    }
    // The first bad byte is located.
    let mut c = ersim_in(&d.0);
    c.args(["check", "-o", "json", "latin1.toml"]);
    let v: serde_json::Value = serde_json::from_str(&run_cmd(c).stdout).unwrap();
    assert_eq!((v["errors"][0]["line"].as_u64(), v["errors"][0]["column"].as_u64()), (Some(1), Some(12)));
}

#[test]
fn an_empty_file_does_not_pass_check() {
    let d = TempDir::new("empty");
    d.write("ersim.toml", "");
    let mut c = ersim_in(&d.0);
    c.arg("check");
    let r = run_cmd(c);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    assert!(r.stdout.contains("no [[vnet]]"), "{}", show(&r));
}

#[test]
fn a_stale_expect_block_fails_check_but_does_not_stop_routes_or_reach() {
    let d = TempDir::new("stale-expect");
    let seed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml"))
            .unwrap();
    d.write("ersim.toml", &format!("{seed}\n[[expect]]\nfrom = \"vm-gone\"\nto = \"spoke110\"\n"));
    let at = |args: &[&str]| {
        let mut c = ersim_in(&d.0);
        c.args(args);
        run_cmd(c)
    };
    let r = at(&["check"]);
    assert_eq!(r.code, Some(2), "check refuses it\n{}", show(&r));
    assert!(r.stdout.contains("vm-gone"), "{}", show(&r));
    let r = at(&["routes", "--nic", "nic-spoke10"]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    assert!(r.stderr.contains("warning") && r.stderr.contains("vm-gone"), "a warning names it\n{}", show(&r));
    let r = at(&["reach", "vm-spoke10", "vm-spoke110"]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
}

#[test]
fn placeholder_next_hops_are_marked_in_text_and_explain_json_only() {
    let d = TempDir::new("placeholder");
    let at = |args: &[&str]| {
        let mut c = ersim_in(&d.0);
        c.args(args);
        run_cmd(c)
    };
    // The default template leaves the circuit's `next_hops` out, so ersim makes them up (D14).
    assert_eq!(at(&["init"]).code, Some(0));
    let r = at(&["routes", "--nic", "nic-spoke1"]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let note = r.stdout.lines().find(|l| l.starts_with("Note:")).unwrap_or_else(|| panic!("{}", show(&r)));
    assert!(note.contains("placeholders") && note.contains("`next_hops` on circuit `circuit01`"), "{note}");
    let placeholder_ip = table_rows(&r.stdout)
        .iter()
        .map(|l| cells(l))
        .find(|c| c[3] == "Virtual network gateway")
        .map(|c| c[4].clone())
        .expect("a gateway row");
    assert!(note.contains(&placeholder_ip), "the note names the address shown: {note}");
    let r = at(&["routes", "--nic", "nic-spoke1", "--destination", &placeholder_ip]);
    assert!(!r.stdout.contains("Note:"), "no row for that address uses it as a next hop:\n{}", r.stdout);
    // Plain JSON stays the az shape; --explain flags each entry.
    let plain: serde_json::Value =
        serde_json::from_str(&at(&["routes", "--nic", "nic-spoke1", "-o", "json"]).stdout).unwrap();
    assert!(plain["value"].as_array().unwrap().iter().all(|e| e.get("ersim").is_none()));
    let explained: serde_json::Value =
        serde_json::from_str(&at(&["routes", "--nic", "nic-spoke1", "-o", "json", "--explain"]).stdout).unwrap();
    for e in explained["value"].as_array().unwrap() {
        // The circuit's two made-up MSEE addresses are both named in the note.
        let uses = e["nextHopIpAddress"].as_array().unwrap().iter().any(|ip| note.contains(ip.as_str().unwrap()));
        assert_eq!(e["ersim"]["placeholder"], serde_json::json!(uses), "{e}");
    }
    // The seed states its MSEE addresses: no note.
    let r = run(&["routes", "--nic", "nic-spoke10", SEED]);
    assert!(!r.stdout.contains("placeholder"), "{}", r.stdout);
}

#[test]
fn matrix_pairs_stream_and_stop_quietly_when_the_reader_closes() {
    // 600 VNets: 359,400 pair lines, far more than a pipe buffer holds.
    let d = TempDir::new("matrix-pipe");
    let p =
        ersim::synth::SynthParams { hubs: 3, spokes_per_hub: 199, circuits: 2, ..ersim::synth::SynthParams::default() };
    let path = d.write("estate.toml", &ersim::synth::generate(&p));
    let mut c = ersim_in(&d.0);
    c.args(["matrix", "--pairs", "-o", "csv", "-q", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn ersim");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut l = String::new();
        reader.read_line(&mut l).expect("read a line");
        lines.push(l);
    }
    assert_eq!(lines[0], "from,to,delivered,forward,return\n");
    assert!(lines[1].starts_with("hub00,hub01,"), "{lines:?}");
    drop(reader);
    let o = child.wait_with_output().expect("wait for ersim");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(o.status.code(), Some(0), "a closed pipe is not an error; stderr: {stderr}");
}

#[test]
fn matrix_selectors_on_the_command_line() {
    let r = run(&["matrix", "--from", "hub:hub00", "--to", "spoke1*", "-o", "json", SEED]);
    assert_eq!(r.code, Some(0), "{}", show(&r));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["pairs"], 8, "{} × {} without spoke10 → spoke10", 3, 3);
    let r = run(&["matrix", "--from", "hub:spoke10", "--to", "spok10", SEED]);
    assert_eq!(r.code, Some(2), "{}", show(&r));
    assert!(r.stderr.contains("`spoke10` is not a hub") && r.stderr.contains("did you mean `spoke10`"), "{}", show(&r));
    assert!(r.stdout.is_empty());
}
