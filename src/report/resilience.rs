//! `ersim resilience` output: the single points of failure, most broken first, with what each
//! breaks; the elements that break nothing; as text or JSON.

use serde_json::json;

use super::matrix::{count, verdict};
use crate::matrix::{Cell, Change, Matrix};
use crate::resilience::{Case, Sweep};

fn names(mx: &Matrix, xs: &[u32]) -> Vec<String> {
    xs.iter().map(|x| mx.names[*x as usize].clone()).collect()
}

fn short(mx: &Matrix, xs: &[u32]) -> String {
    let n = names(mx, xs);
    if n.len() <= 3 { n.join(", ") } else { format!("{} ({} … {})", count(n.len() as u64), n[0], n[n.len() - 1]) }
}

fn case_line(c: &Case) -> String {
    let mut parts = Vec::new();
    if c.vnet_pairs_lost > 0 {
        parts.push(format!("{} VNet pair{}", count(c.vnet_pairs_lost), if c.vnet_pairs_lost == 1 { "" } else { "s" }));
    }
    if c.onprem_pairs_lost > 0 {
        parts.push(format!(
            "{} VNet → on-premises path{}",
            count(c.onprem_pairs_lost),
            if c.onprem_pairs_lost == 1 { "" } else { "s" }
        ));
    }
    format!("  {}: breaks {}\n", c.element, parts.join(" and "))
}

fn change_line(mx: &Matrix, ch: &Change) -> String {
    format!(
        "      {} → {}: {} ({} pairs)\n",
        short(mx, &ch.from),
        short(mx, &ch.to),
        verdict(&ch.after),
        count(ch.pairs)
    )
}

/// Text: the single points of failure with what they break, then what breaks nothing.
pub fn text(s: &Sweep) -> String {
    let mx = &s.baseline;
    let kinds: Vec<&str> = s.kinds.iter().map(|k| k.name()).collect();
    let routers = mx.nodes.iter().filter(|x| matches!(x, crate::matrix::Node::Onprem(_))).count();
    let mut out = format!(
        "resilience: {} elements failed one at a time ({}) over {} VNets and {} on-premises routers\n",
        s.cases.len(),
        kinds.join(", "),
        count((mx.len() - routers) as u64),
        routers
    );
    let spof: Vec<&Case> = s.cases.iter().filter(|c| c.breaks()).collect();
    if spof.is_empty() {
        out.push_str("\nno single point of failure: every delivered pair survives each failure\n");
    } else {
        out.push_str(&format!("\nsingle points of failure ({}), most broken first:\n", spof.len()));
        for c in &spof {
            out.push_str(&case_line(c));
            for ch in &c.lost {
                out.push_str(&change_line(mx, ch));
            }
        }
    }
    let fine: Vec<&str> =
        s.cases.iter().filter(|c| !c.breaks() && c.error.is_none()).map(|c| c.element.as_str()).collect();
    if !fine.is_empty() {
        out.push_str(&format!("\nbreak nothing ({}): {}\n", fine.len(), fine.join(", ")));
    }
    for c in s.cases.iter().filter(|c| c.error.is_some()) {
        out.push_str(&format!("\nnot computed: {}: {}\n", c.element, c.error.as_deref().unwrap_or_default()));
    }
    let gained: Vec<String> = s
        .cases
        .iter()
        .filter(|c| c.pairs_gained > 0)
        .map(|c| format!("{} ({} pairs)", c.element, count(c.pairs_gained)))
        .collect();
    if !gained.is_empty() {
        out.push_str(&format!("\nopen paths when down (worth a look): {}\n", gained.join(", ")));
    }
    out
}

/// JSON: `{"kinds", "vnets", "routers", "cases": [{"element", "breaks", "vnetPairsLost",
/// "onpremPathsLost", "pairsGained", "lost": [{"from", "to", "pairs", "after": {"delivered",
/// "forward", "return"}}], "error"}]}`, cases most broken first.
pub fn json(s: &Sweep) -> String {
    let mx = &s.baseline;
    let routers = mx.nodes.iter().filter(|x| matches!(x, crate::matrix::Node::Onprem(_))).count();
    let cell = |c: &Cell| match c {
        Cell::Dropped { forward, back } => json!({"delivered": false,
            "forward": forward.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "return": back.iter().map(|r| r.code()).collect::<Vec<_>>()}),
        Cell::NoHost => json!({"delivered": false, "forward": ["NoHost"], "return": ["NoHost"]}),
        _ => json!({"delivered": true, "forward": [], "return": []}),
    };
    let cases: Vec<serde_json::Value> = s
        .cases
        .iter()
        .map(|c| {
            json!({
                "element": c.element,
                "breaks": c.breaks(),
                "vnetPairsLost": c.vnet_pairs_lost,
                "onpremPathsLost": c.onprem_pairs_lost,
                "pairsGained": c.pairs_gained,
                "lost": c.lost.iter().map(|ch| json!({"from": names(mx, &ch.from), "to": names(mx, &ch.to), "pairs": ch.pairs, "after": cell(&ch.after)})).collect::<Vec<_>>(),
                "error": c.error,
            })
        })
        .collect();
    let doc = json!({
        "kinds": s.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "vnets": mx.len() - routers,
        "routers": routers,
        "cases": cases,
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("serialisable");
    out.push('\n');
    out
}
