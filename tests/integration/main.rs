//! Integration tests: one binary, one module per area.

mod check_cmd; // check: expectations, findings, JSON and JUnit
mod cli;
mod common; // helpers: load scenario text, tables as comparable rows
mod er_rules; // ExpressRoute rules: D4, gateway transit, routing weight, ECMP, circuit transit
mod matrix; // matrix over the seed
mod reach; // reach: hop-by-hop traces, drops, verified fixes (issue: reach, check and matrix)
mod scenarios; // every bundled scenario passes check
mod seed_golden; // the seed article's published effective routes (and its mirror cases)
mod table_rules; // effective-route rules per id (R13–R35, D3–D15), the Learn routing example
mod validation;
mod vpn_rs_rules; // VPN, Route Server, limits as behaviour (R48–R76) // every validation rule: message, line:col, help // the binary: exit codes, formats, scenario discovery, broken pipe
