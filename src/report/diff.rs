//! `ersim diff` output: text (routes as a unified diff of the portal table per subnet,
//! reachability per pair of domains, BGP, findings) and JSON.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::forward::{drop_line, drop_message};
use super::routes::{COLUMNS, cells, json_row};
use crate::bgp::SessionKind;
use crate::check::FirstDrop;
use crate::diff::{Diff, Pair, PairKind, RowChange, SessionChange, SessionState, TableRow, changes_hash, same_changes};
use crate::effective::split_next_hops;
use crate::model::Model;
use crate::simulation::Simulation;

/// The two designs a diff compares, for names.
#[derive(Clone, Copy)]
pub struct Sides<'a> {
    /// Before.
    pub before: &'a Simulation,
    /// After.
    pub after: &'a Simulation,
}

/// The portal lines of a row (one per next hop, D2), empty cells `-`.
fn portal_lines(r: &TableRow) -> Vec<[String; 6]> {
    split_next_hops(std::slice::from_ref(&r.row), false)
        .iter()
        .map(|x| cells(x).map(|c| if c.is_empty() { "-".to_string() } else { c }))
        .collect()
}

/// One subnet's changes as `-`/`+` lines under the portal's column headers, columns aligned; a
/// changed row's next hops that stay are context lines (` `).
fn subnet_lines(changes: &[RowChange]) -> String {
    let mut lines: Vec<(char, [String; 6])> = Vec::new();
    for c in changes {
        match c {
            RowChange::Removed(r) => lines.extend(portal_lines(r).into_iter().map(|l| ('-', l))),
            RowChange::Added(r) => lines.extend(portal_lines(r).into_iter().map(|l| ('+', l))),
            RowChange::Changed { before, after } => {
                let (b, a) = (portal_lines(before), portal_lines(after));
                lines.extend(b.iter().map(|l| (if a.contains(l) { ' ' } else { '-' }, l.clone())));
                lines.extend(a.iter().filter(|l| !b.contains(l)).map(|l| ('+', l.clone())));
            }
        }
    }
    let head: [String; 6] = COLUMNS.map(String::from);
    let mut widths = [0usize; 6];
    for l in std::iter::once(&head).chain(lines.iter().map(|(_, l)| l)) {
        for (w, c) in widths.iter_mut().zip(l) {
            *w = (*w).max(c.chars().count());
        }
    }
    let fmt = |mark: char, l: &[String; 6]| {
        let cols: Vec<String> = l.iter().zip(widths).map(|(c, w)| format!("{c:w$}")).collect();
        format!("{mark} {}\n", cols.join("  ").trim_end())
    };
    let mut out = fmt(' ', &head);
    for (m, l) in &lines {
        out.push_str(&fmt(*m, l));
    }
    out
}

/// At most this many subnet names head a group of subnets with the same change.
const GROUP_NAMES: usize = 8;

/// The routes section: subnets whose changes print the same share one `@@ … @@` header.
fn routes_text(d: &Diff) -> String {
    if d.routes.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    // Subnets with the same changes share one body: grouped by a hash of what the rows show,
    // confirmed row by row, and formatted once per group.
    // (Equal change lists share one allocation, so this compares pointers first.)
    let mut groups: Vec<(Vec<&str>, &[RowChange])> = Vec::new();
    let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
    for s in &d.routes {
        let h = changes_hash(&s.changes);
        let candidates = by_hash.entry(h).or_default();
        match candidates.iter().find(|g| same_changes(groups[**g].1, &s.changes)) {
            Some(g) => groups[*g].0.push(&s.subnet),
            None => {
                candidates.push(groups.len());
                groups.push((vec![&s.subnet], &s.changes));
            }
        }
    }
    let groups: Vec<(Vec<&str>, String)> = groups.into_iter().map(|(n, c)| (n, subnet_lines(c))).collect();
    out.push_str(&format!(
        "routes: {} changed (- before, + after; one line per next hop)\n",
        plural(d.routes.len(), "subnet", "subnets")
    ));
    for (names, body) in groups {
        let mut head = names.iter().take(GROUP_NAMES).copied().collect::<Vec<_>>().join(", ");
        if names.len() > GROUP_NAMES {
            head.push_str(&format!(" and {} more (all in -o json)", names.len() - GROUP_NAMES));
        }
        out.push_str(&format!("@@ {head} @@\n"));
        out.push_str(&body);
    }
    out
}

/// A session kind as printed.
fn kind_name(k: SessionKind) -> &'static str {
    match k {
        SessionKind::PrivatePeering => "private peering",
        SessionKind::ExpressRoute => "ExpressRoute",
        SessionKind::SiteToSite => "site-to-site",
        SessionKind::VnetToVnet => "VNet-to-VNet",
        SessionKind::RouteServerPeer => "route server peer",
        SessionKind::BranchToBranch => "branch-to-branch",
        SessionKind::Static => "static",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pair_name(p: &Pair) -> String {
    match p.kind {
        PairKind::Vnet => format!("{} ↔ {}", p.from, p.to),
        PairKind::Onprem => format!("{} ↔ {} (on-premises)", p.from, p.to),
    }
}

/// `NoRoute [R19]: …` for a pair's drop, in the design it happened in.
fn pair_drop(m: &Model, p: &Pair) -> String {
    match (&p.drop, p.reason) {
        (Some(FirstDrop { direction, drop }), _) => {
            let way = match direction {
                crate::check::Direction::Forward => "",
                crate::check::Direction::Return => "on the way back: ",
            };
            format!("{way}{}", drop_line(m, drop))
        }
        (None, Some(r)) => r.code().to_string(),
        (None, None) => "no host to trace from".to_string(),
    }
}

fn session_state(m: &Model, s: &SessionState) -> String {
    match s {
        SessionState::Down(r) => format!("down ({}) [{}]", r.describe(m), r.rule()),
        other => other.as_str().to_string(),
    }
}

fn session_name(s: &SessionChange) -> String {
    let mut n = format!("{} ↔ {} ({}", s.a, s.b, kind_name(s.kind));
    if !s.connections.is_empty() {
        n.push_str(&format!(", {}", s.connections.join(", ")));
    }
    n.push(')');
    n
}

/// `9 lost`, `2 gained`, `9 lost, 2 gained`.
fn lost_gained(lost: usize, gained: usize) -> String {
    let mut v = Vec::new();
    if lost > 0 {
        v.push(format!("{lost} lost"));
    }
    if gained > 0 {
        v.push(format!("{gained} gained"));
    }
    v.join(", ")
}

fn reachability_text(sides: Sides<'_>, d: &Diff, pairs: bool) -> String {
    let r = &d.reachability;
    if r.lost_count == 0 && r.gained_count == 0 {
        return String::new();
    }
    let parts: Vec<String> = [(r.lost_count, "lost"), (r.gained_count, "gained")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {what}", plural(n, "pair", "pairs")))
        .collect();
    let mut out = format!("reachability (delivered both ways): {}\n", parts.join(", "));
    for s in &r.summary {
        out.push_str(&format!(
            "  {} ↔ {}: {} → {} of {} pairs delivered ({})\n",
            s.from,
            s.to,
            s.delivered_before,
            s.delivered_after,
            s.pairs,
            lost_gained(s.lost, s.gained)
        ));
    }
    if pairs {
        for p in &r.lost {
            out.push_str(&format!("  - {}: {}\n", pair_name(p), pair_drop(&sides.after.model, p)));
        }
        for p in &r.gained {
            out.push_str(&format!("  + {} (was {})\n", pair_name(p), pair_drop(&sides.before.model, p)));
        }
        let unlisted = (r.lost_count - r.lost.len()) + (r.gained_count - r.gained.len());
        if unlisted > 0 {
            out.push_str(&format!("  ... and {unlisted} more (each list stops at {})\n", crate::diff::MAX_LISTED));
        }
    } else {
        out.push_str("  (--pairs lists each pair with its drop)\n");
    }
    out
}

fn bgp_text(sides: Sides<'_>, d: &Diff) -> String {
    if d.bgp.sessions.is_empty() && d.bgp.learned_counts.is_empty() {
        return String::new();
    }
    let mut out = String::from("bgp:\n");
    for s in &d.bgp.sessions {
        out.push_str(&format!(
            "  session {}: {} → {}\n",
            session_name(s),
            session_state(&sides.before.model, &s.before),
            session_state(&sides.after.model, &s.after)
        ));
    }
    for c in &d.bgp.learned_counts {
        let who = format!("{} {}", c.kind.replace('_', " "), c.speaker);
        out.push_str(&match (c.before, c.after) {
            (Some(b), Some(a)) => format!("  {who} learns {b} → {a} prefixes\n"),
            (None, Some(a)) => format!("  {who} (new) learns {a} prefixes\n"),
            (Some(b), None) => format!("  {who} (gone) learned {b} prefixes\n"),
            (None, None) => String::new(),
        });
    }
    out
}

fn findings_text(d: &Diff) -> String {
    let f = &d.findings;
    if f.new.is_empty() && f.resolved.is_empty() {
        return String::new();
    }
    let mut out = String::from("findings and warnings (+ new, - resolved):\n");
    for (mark, list) in [('+', &f.new), ('-', &f.resolved)] {
        for x in list {
            out.push_str(&format!("  {mark} {} {}: {}\n", x.severity.word(), x.code.as_str(), x.message));
        }
    }
    out
}

/// Text: the `down:` line, then each section that changed, a blank line apart (or `no changes`).
pub fn text(sides: Sides<'_>, d: &Diff, down: &[String], pairs: bool) -> String {
    let mut out = super::down::line(down);
    if d.is_empty() {
        out.push_str("no changes\n");
        return out;
    }
    let sections = [routes_text(d), reachability_text(sides, d, pairs), bgp_text(sides, d), findings_text(d)];
    out.push_str(&sections.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("\n"));
    out
}

fn pair_json(m: &Model, p: &Pair) -> Value {
    let (rule, message) = match &p.drop {
        Some(f) => (Some(f.drop.rules().to_string()), Some(drop_message(m, &f.drop))),
        None => (None, None),
    };
    let reason = p.drop.as_ref().map(|f| f.drop.reason()).or(p.reason).map(|r| r.code());
    json!({"from": p.from, "to": p.to, "kind": p.kind.as_str(), "reason": reason, "rule": rule, "message": message})
}

fn row_json(r: &TableRow) -> Value {
    serde_json::to_value(json_row(&r.row, r.disable_bgp_route_propagation)).expect("serialisable")
}

fn routes_json(d: &Diff) -> Vec<Value> {
    d.routes
        .iter()
        .map(|s| {
            let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
            for c in s.changes.iter() {
                match c {
                    RowChange::Added(r) => added.push(row_json(r)),
                    RowChange::Removed(r) => removed.push(row_json(r)),
                    RowChange::Changed { before, after } => {
                        changed.push(json!({"before": row_json(before), "after": row_json(after)}))
                    }
                }
            }
            json!({"subnet": s.subnet, "added": added, "removed": removed, "changed": changed})
        })
        .collect()
}

fn session_json(sides: Sides<'_>, s: &SessionChange) -> Value {
    let reason = |m: &Model, st: &SessionState| match st {
        SessionState::Down(r) => Some(json!({"message": r.describe(m), "rule": r.rule().to_string()})),
        _ => None,
    };
    json!({
        "kind": kind_name(s.kind),
        "speakers": [s.a, s.b],
        "connections": s.connections,
        "before": s.before.as_str(),
        "after": s.after.as_str(),
        "beforeReason": reason(&sides.before.model, &s.before),
        "afterReason": reason(&sides.after.model, &s.after),
    })
}

/// JSON: `{"down", "routes", "reachability": {"lost", "gained", "lostCount", "gainedCount",
/// "summary"}, "bgp": {"sessions",
/// "learnedCounts"}, "findings": {"new", "resolved"}}`; rows in the az shape (a route with several
/// next hops is one entry, as with `--merge-next-hops`).
pub fn json(sides: Sides<'_>, d: &Diff, down: &[String]) -> String {
    let r = &d.reachability;
    let diag = |x: &crate::diag::Diagnostic| json!({"severity": x.severity.word(), "code": x.code.as_str(), "message": x.message});
    let doc = json!({
        "down": down,
        "routes": routes_json(d),
        "reachability": {
            "lost": r.lost.iter().map(|p| pair_json(&sides.after.model, p)).collect::<Vec<_>>(),
            "gained": r.gained.iter().map(|p| pair_json(&sides.before.model, p)).collect::<Vec<_>>(),
            "lostCount": r.lost_count,
            "gainedCount": r.gained_count,
            "summary": r.summary.iter().map(|s| json!({
                "from": s.from, "to": s.to, "pairs": s.pairs,
                "deliveredBefore": s.delivered_before, "deliveredAfter": s.delivered_after,
                "lost": s.lost, "gained": s.gained,
            })).collect::<Vec<_>>(),
        },
        "bgp": {
            "sessions": d.bgp.sessions.iter().map(|s| session_json(sides, s)).collect::<Vec<_>>(),
            "learnedCounts": d.bgp.learned_counts.iter().map(|c| json!({
                "speaker": c.speaker, "kind": c.kind, "before": c.before, "after": c.after,
            })).collect::<Vec<_>>(),
        },
        "findings": {
            "new": d.findings.new.iter().map(diag).collect::<Vec<_>>(),
            "resolved": d.findings.resolved.iter().map(diag).collect::<Vec<_>>(),
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
    s.push('\n');
    s
}
