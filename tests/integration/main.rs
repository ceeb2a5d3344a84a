//! Integration tests: one binary, one module per area.

mod common; // helpers: load scenario text, tables as comparable rows
mod er_rules; // ExpressRoute rules: D4, gateway transit, routing weight, ECMP, circuit transit
mod seed_golden; // the seed article's published effective routes (and its mirror cases)
mod validation; // every validation rule: message, line:col, help
mod reach; // reach: hop-by-hop traces, drops, verified fixes (issue: reach, check and matrix)
mod check_cmd; // check: expectations, findings, JSON and JUnit
mod matrix; // matrix over the seed
mod cli; // the binary: exit codes, formats, scenario discovery, broken pipe
