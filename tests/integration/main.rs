//! Integration tests: one binary, one module per area.

/// BGP views (Part M) and what each session carries (R50 split horizon).
mod bgp_views;
/// Change impact: `--down` failures and `ersim diff` between designs.
mod change_impact;
/// `ersim check`: expectations, findings, JSON and JUnit.
mod check_cmd;
/// The binary: exit codes, formats, scenario discovery, broken pipe.
mod cli;
/// Helpers: load scenario text, tables as comparable rows.
mod common;
/// `ersim compare`: the seed's prediction against the article's rows; learned routes.
mod compare;
/// The repository's docs: TOML examples validate, links stay inside the repository.
mod docs;
/// ExpressRoute rules: D4, gateway transit, routing weight, ECMP, circuit transit.
mod er_rules;
/// What Azure accepts and does: D18-D21, session drops as findings, accepted designs.
mod fidelity;
/// Forwarding through NVAs, firewalls and load balancers: loops, asymmetry, drops.
mod forwarding;
/// `ersim graph`: the topology and its dot rendering.
mod graph;
/// Hostile inputs: deep nesting, huge files, many errors, prefixes and VNets.
mod hostile;
/// `ersim import`: Azure exports in both forms reproduce bundled designs; edge cases; round trip.
mod import;
/// The crate's modules form one-way layers without import cycles.
mod layering;
/// `ersim matrix` over the seed.
mod matrix;
/// Propagation and limits per rule: session drops, D4/D8/D9 on relayed routes, Part K findings.
mod propagation_and_limits;
/// Property tests over generated designs (PROPTEST_CASES raises the case count).
mod properties;
/// `ersim reach`: hop-by-hop traces, drops, verified fixes.
mod reach;
/// Reach verdicts on hard designs (hop limits, ECMP over circuits and NVAs, names), and the
/// verified fixes offered for each kind of drop.
mod reach_and_fixes;
/// `ersim resilience` and `resilient = true`.
mod resilience;
/// Every bundled scenario passes `ersim check`.
mod scenarios;
/// The JSON Schema agrees with the reader both ways; scenarios validate against it.
mod schema;
/// The seed article's published effective routes (and its mirror cases).
mod seed_golden;
/// CLI snapshots of every kind of error message (trycmd).
mod snapshots;
/// Effective-route rules per id (R13–R35, D3–D15) and the Microsoft Learn routing example.
mod table_rules;
/// Every validation rule: message, line:col, help.
mod validation;
/// VPN, Route Server, limits as behaviour (R48–R76).
mod vpn_rs_rules;
