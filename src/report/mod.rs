//! Reports: every printed form of ersim's answers. This module only formats; the facts come from
//! the engine as values, so each is testable without parsing text.
//!
//! `table` is the only user of prettytable-rs (the portal-style table); `routes` renders effective
//! routes as the portal table, the `az network nic show-effective-route-table` JSON, and the
//! portal's CSV download.

pub mod bgp;
pub mod check;
pub mod compare;
pub mod diff;
pub mod down;
pub mod forward;
pub mod graph;
pub mod matrix;
pub mod reach;
pub mod remedy;
pub mod resilience;
pub mod routes;
pub mod table;

/// Output formats of `routes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The portal's table.
    Text,
    /// JSON (az CLI shape where one exists).
    Json,
    /// CSV (the portal's download).
    Csv,
}

/// Quote one CSV field when needed (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// One CSV line from fields.
pub fn csv_line(fields: &[String]) -> String {
    let mut s = fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
    s.push('\n');
    s
}

/// "1 routed hop", "2 routed hops", "1-2 routed hops" (D16): a hop count in words.
pub fn routed_hops(lo: u32, hi: u32) -> String {
    match (lo, hi) {
        (1, 1) => "1 routed hop".to_string(),
        (lo, hi) if lo == hi => format!("{lo} routed hops"),
        (lo, hi) => format!("{lo}-{hi} routed hops"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hop_counts_agree_in_number() {
        assert_eq!(super::routed_hops(1, 1), "1 routed hop");
        assert_eq!(super::routed_hops(0, 0), "0 routed hops");
        assert_eq!(super::routed_hops(2, 2), "2 routed hops");
        assert_eq!(super::routed_hops(1, 2), "1-2 routed hops");
    }
}
