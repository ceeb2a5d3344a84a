//! `ersim reach`: both directions hop by hop, the verdict, drops with their rule, verified fixes.

use serde_json::{Value, json};

use super::forward::{
    cycle, drop_at, drop_line, drop_message, host_name, place_name, route_detail, route_next_hop, route_source,
    synthetic_mark, table_name, warning,
};
use super::remedy::fix_summary;
use crate::forward::{Branch, HostInfo, Outcome, Reach, Trace, Verdict};
use crate::model::Model;

/// What is never modelled, said with every verdict.
pub const NOT_MODELLED: &str =
    "assuming NSGs allow the flow; not modelled: NSGs, Virtual WAN, Global Reach, point-to-site";

fn verdict_text(r: &Reach) -> &'static str {
    match r.verdict {
        Verdict::Delivered => "DELIVERED both ways",
        Verdict::OneWay => "DELIVERED one way (return path not modelled for a public address)",
        Verdict::NotDelivered => "NOT DELIVERED",
    }
}

fn trace_summary(t: &Trace) -> String {
    let n = t.branches.len();
    let branches = if n == 1 { "1 branch".to_string() } else { format!("{n} ECMP branches") };
    if t.delivered() {
        let (lo, hi) = t.hop_range().unwrap_or((0, 0));
        let hops = super::routed_hops(lo, hi);
        format!("delivered in {hops} ({branches})")
    } else {
        let bad = t.branches.iter().filter(|b| !matches!(b.outcome, Outcome::Delivered)).count();
        format!("dropped on {bad} of {branches}")
    }
}

fn branch_text(m: &Model, b: &Branch, out: &mut String) {
    let mut hop = 0;
    for s in &b.steps {
        let num = if s.routed {
            hop += 1;
            format!("{hop:>3}")
        } else {
            "   ".to_string()
        };
        out.push_str(&format!("  {num}  {}\n", place_name(m, &s.place)));
        if let Some(r) = &s.route {
            let ip = r.next_hop_ip.map(|i| format!(" {i}")).unwrap_or_default();
            let detail = route_detail(r).map(|d| format!(", {d}")).unwrap_or_default();
            let (table, source, next_hop) = (table_name(m, &r.table), route_source(m, r), route_next_hop(m, r));
            if r.learned() {
                out.push_str(&format!(
                    "         {table}: {} learned from {source} → {next_hop}{ip}{detail}\n",
                    r.prefix
                ));
            } else {
                out.push_str(&format!("         {table}: {} {next_hop}{ip} (source {source}{detail})\n", r.prefix));
            }
        }
        if let Some(w) = &s.warning {
            out.push_str(&format!("         warning: {}\n", warning(m, w)));
        }
    }
    match &b.outcome {
        Outcome::Delivered => out.push_str("       delivered\n"),
        Outcome::Dropped(d) => {
            out.push_str(&format!("       DROPPED {}\n", drop_line(m, d)));
            let cycle = cycle(m, d);
            if !cycle.is_empty() {
                out.push_str(&format!("         cycle: {}\n", cycle.join(" → ")));
            }
        }
    }
}

fn trace_text(m: &Model, label: &str, t: &Trace, out: &mut String) {
    out.push_str(&format!(
        "{label}: {} → {}: {}\n",
        host_name(m, &t.from.host),
        host_name(m, &t.to.host),
        trace_summary(t)
    ));
    let n = t.branches.len();
    for (i, b) in t.branches.iter().enumerate() {
        if n > 1 {
            out.push_str(&format!("  branch {}/{n}\n", i + 1));
        }
        branch_text(m, b, out);
    }
    if t.truncated {
        out.push_str(&format!("  (more branches not shown: over {})\n", crate::forward::MAX_BRANCHES));
    }
}

/// The text report.
pub fn text(m: &Model, r: &Reach) -> String {
    let mut out = String::new();
    let f = &r.forward;
    let end = |h: &HostInfo| format!("{} {}{}", host_name(m, &h.host), h.ip, synthetic_mark(&h.host));
    out.push_str(&format!("reach {} → {}\n\n", end(&f.from), end(&f.to)));
    trace_text(m, "forward", f, &mut out);
    if let Some(b) = &r.back {
        out.push('\n');
        trace_text(m, "return", b, &mut out);
    }
    out.push('\n');
    for w in &r.warnings {
        out.push_str(&format!("warning: {}\n", warning(m, w)));
    }
    out.push_str(&format!("verdict: {}, {NOT_MODELLED}\n", verdict_text(r)));
    if !r.fixes.is_empty() {
        out.push_str("\nfixes (each verified by simulating the edited design):\n");
        for (i, fx) in r.fixes.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, fix_summary(fx)));
            for e in &fx.edits {
                for line in e.describe().lines() {
                    if line.trim().is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str(&format!("       {line}\n"));
                    }
                }
            }
        }
    }
    out
}

fn branch_json(m: &Model, b: &Branch) -> Value {
    let steps: Vec<Value> = b
        .steps
        .iter()
        .map(|s| {
            json!({
                "at": place_name(m, &s.place),
                "routedHop": s.routed,
                "route": s.route.as_ref().map(|r| json!({
                    "table": table_name(m, &r.table),
                    "prefix": r.prefix.to_string(),
                    "source": route_source(m, r),
                    "nextHopType": route_next_hop(m, r),
                    "nextHopIpAddress": r.next_hop_ip.map(|i| i.to_string()),
                    "detail": route_detail(r),
                })),
                "warning": s.warning.as_ref().map(|w| warning(m, w)),
            })
        })
        .collect();
    let outcome = match &b.outcome {
        Outcome::Delivered => json!({"delivered": true}),
        Outcome::Dropped(d) => json!({
            "delivered": false,
            "reason": d.reason().code(),
            "rule": d.rules(),
            "message": drop_message(m, d),
            "at": drop_at(m, d),
            "cycle": cycle(m, d),
        }),
    };
    json!({"routedHops": b.routed_hops(), "steps": steps, "outcome": outcome})
}

fn trace_json(m: &Model, t: &Trace) -> Value {
    json!({
        "from": {"name": host_name(m, &t.from.host), "ip": t.from.ip.to_string(), "synthetic": t.from.synthetic},
        "to": {"name": host_name(m, &t.to.host), "ip": t.to.ip.to_string(), "synthetic": t.to.synthetic},
        "delivered": t.delivered(),
        "branches": t.branches.iter().map(|b| branch_json(m, b)).collect::<Vec<_>>(),
        "truncated": t.truncated,
    })
}

/// The JSON report (documented in the README).
pub fn json_value(m: &Model, r: &Reach) -> Value {
    json!({
        "verdict": match r.verdict { Verdict::Delivered => "delivered", Verdict::OneWay => "one-way", Verdict::NotDelivered => "not-delivered" },
        "forward": trace_json(m, &r.forward),
        "return": r.back.as_ref().map(|b| trace_json(m, b)),
        "warnings": r.warnings.iter().map(|w| warning(m, w)).collect::<Vec<_>>(),
        "notModelled": NOT_MODELLED,
        "fixes": r.fixes.iter().map(|f| json!({"summary": fix_summary(f), "edits": f.edits})).collect::<Vec<_>>(),
    })
}

/// The JSON report as text.
pub fn json(m: &Model, r: &Reach) -> String {
    let mut s = serde_json::to_string_pretty(&json_value(m, r)).expect("serialisable");
    s.push('\n');
    s
}
