//! Shared helpers for the integration tests.

#![allow(dead_code)]

use ersim::Simulation;
use ersim::diag::Diagnostic;
use ersim::effective::Row;
use ersim::effective::split_next_hops as display_rows;

/// The bundled seed scenario's text.
pub fn seed_text() -> String {
    bundled_text("seed-multi-hub-expressroute.toml")
}

/// Validate and simulate scenario text; panics with the rendered diagnostics if invalid.
pub fn sim(text: &str) -> Simulation {
    match ersim::scenario::parse("test.toml", text.to_string()) {
        Ok(l) => Simulation::new(l.model).expect("propagation converges"),
        Err(e) => panic!("scenario should be valid:\n{e}"),
    }
}

/// Warnings of a valid scenario.
pub fn warnings(text: &str) -> Vec<Diagnostic> {
    match ersim::scenario::parse("test.toml", text.to_string()) {
        Ok(l) => l.warnings,
        Err(e) => panic!("scenario should be valid:\n{e}"),
    }
}

/// Diagnostics of an invalid scenario; panics if it is valid.
pub fn errors(text: &str) -> Vec<Diagnostic> {
    match ersim::scenario::parse("test.toml", text.to_string()) {
        Ok(_) => panic!("scenario should be invalid"),
        Err(ersim::scenario::LoadError::Invalid(inv)) => inv.diagnostics,
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// A row as `Source|State|Prefix|Next Hop Type|Next Hop IP|UDR name` in portal wording, `-` for empty.
pub fn fmt_row(r: &Row) -> String {
    let ip = r.next_hop_ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    format!(
        "{}|{}|{}|{}|{}|{}",
        r.source.portal(),
        r.state.as_str(),
        r.prefix,
        r.next_hop_type.portal(),
        if ip.is_empty() { "-".into() } else { ip },
        r.udr_name.clone().unwrap_or_else(|| "-".into())
    )
}

/// The rows of a NIC's table, one per next hop (D2), in ersim's order.
pub fn nic_rows(sim: &Simulation, nic: &str) -> Vec<String> {
    let n = sim.model.nic_by_name(nic).unwrap_or_else(|| panic!("no NIC {nic}"));
    display_rows(&sim.nic_table(n).rows(), false).iter().map(fmt_row).collect()
}

/// The rows of a subnet's table (`vnet/subnet`), one per next hop.
pub fn subnet_rows(sim: &Simulation, path: &str) -> Vec<String> {
    let s = sim.model.subnet_by_path(path).unwrap_or_else(|| panic!("no subnet {path}"));
    display_rows(&sim.table(s).rows(), false).iter().map(fmt_row).collect()
}

/// Compare as multisets, printing both tables on failure.
pub fn assert_rows(actual: &[String], expected: &[&str]) {
    let mut a: Vec<String> = actual.to_vec();
    let mut e: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    a.sort();
    e.sort();
    assert!(a == e, "table differs\n--- expected\n{}\n--- actual\n{}\n", expected.join("\n"), actual.join("\n"));
}

/// Rows whose prefix is `prefix`.
pub fn with_prefix<'a>(rows: &'a [String], prefix: &str) -> Vec<&'a String> {
    rows.iter().filter(|r| r.split('|').nth(2) == Some(prefix)).collect()
}

/// The documented reserved None rows and the Internet row (D3, R14), for a VNet whose space lies inside 10/8.
pub const DEFAULTS: [&str; 5] = [
    "Default|Active|0.0.0.0/0|Internet|-|-",
    "Default|Active|10.0.0.0/8|None|-|-",
    "Default|Active|100.64.0.0/10|None|-|-",
    "Default|Active|172.16.0.0/12|None|-|-",
    "Default|Active|192.168.0.0/16|None|-|-",
];

/// Replace `from` by `to` in `text`, asserting it occurs.
pub fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "edit target not found: {from}");
    text.replacen(from, to, 1)
}

/// Validate scenario text; panics with the diagnostics if invalid.
pub fn load(text: &str) -> ersim::scenario::Loaded {
    ersim::scenario::parse("test.toml", text.to_string()).unwrap_or_else(|e| panic!("scenario should be valid:\n{e}"))
}

/// `ersim reach FROM TO` on scenario text.
pub fn reach(text: &str, from: &str, to: &str) -> ersim::app::ReachAnswer {
    ersim::app::reach(&load(text), from, to).unwrap_or_else(|e| panic!("reach {from} {to} should answer: {e}"))
}

/// The text report, for failure messages.
pub fn shown(a: &ersim::app::ReachAnswer) -> String {
    ersim::report::reach::text(&a.model, &a.reach)
}

/// The return trace (panics when there is none).
pub fn back(a: &ersim::app::ReachAnswer) -> &ersim::forward::Trace {
    a.reach.back.as_ref().unwrap_or_else(|| panic!("a return trace is expected\n{}", shown(a)))
}

/// The names of the places a branch passes, in order.
pub fn places(a: &ersim::app::ReachAnswer, b: &ersim::forward::Branch) -> Vec<String> {
    b.steps.iter().map(|s| ersim::report::forward::place_name(&a.model, &s.place)).collect()
}

/// The answer's warnings, as `reach` prints them.
pub fn warnings_shown(a: &ersim::app::ReachAnswer) -> Vec<String> {
    a.reach.warnings.iter().map(|w| ersim::report::forward::warning(&a.model, w)).collect()
}

/// A route's columns as `reach` prints them: (table, source, next hop type, detail).
pub fn route_shown(
    a: &ersim::app::ReachAnswer,
    r: &ersim::forward::RouteUsed,
) -> (String, String, String, Option<String>) {
    use ersim::report::forward::{route_detail, route_next_hop, route_source, table_name};
    (table_name(&a.model, &r.table), route_source(&a.model, r), route_next_hop(&a.model, r), route_detail(r))
}

/// Delivered both ways, exit 0, and no fixes offered.
pub fn assert_delivered_both_ways(a: &ersim::app::ReachAnswer) {
    assert_eq!(a.reach.verdict, ersim::forward::Verdict::Delivered, "expected delivered both ways\n{}", shown(a));
    assert!(a.reach.forward.delivered(), "forward not delivered\n{}", shown(a));
    assert!(back(a).delivered(), "return not delivered\n{}", shown(a));
    assert_eq!(a.reach.exit_code(), 0);
    assert!(a.reach.fixes.is_empty(), "a delivered flow needs no fixes\n{}", shown(a));
}

/// Apply a fix to `text`, re-read the result and re-run reach.
pub fn apply_fix(text: &str, fix: &ersim::forward::Fix, from: &str, to: &str) -> ersim::app::ReachAnswer {
    let fixed = ersim::scenario::edit::apply(text, &fix.edits)
        .unwrap_or_else(|e| panic!("fix `{}` does not apply: {e}", ersim::report::remedy::fix_summary(fix)));
    let l = ersim::scenario::parse("fixed.toml", fixed.clone()).unwrap_or_else(|e| {
        panic!("fix `{}` gives an invalid scenario:\n{e}\n---\n{fixed}", ersim::report::remedy::fix_summary(fix))
    });
    ersim::app::reach(&l, from, to)
        .unwrap_or_else(|e| panic!("after fix `{}`: {e}", ersim::report::remedy::fix_summary(fix)))
}

/// A bundled scenario's text, by file name under `scenarios/`.
pub fn bundled_text(file: &str) -> String {
    std::fs::read_to_string(format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("scenario {file}: {e}"))
}

/// A hub (10.0.0.0/16) with GatewaySubnet, RouteServerSubnet and an `nva` subnet, a spoke
/// (10.1.0.0/16) using its gateways, a NIC in each, and `extra` blocks.
pub fn hub(extra: &str) -> String {
    format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"
  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"
  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.0.254.0/27"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[vnet]]
name = "spoke"
address_space = ["10.1.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"

[[peering]]
vnets = ["hub", "spoke"]
transit_via = "hub"

[[nic]]
name = "nic-hub"
vnet = "hub"
subnet = "default"

[[nic]]
name = "nic-spoke"
vnet = "spoke"
subnet = "default"
{extra}
"#
    )
}
