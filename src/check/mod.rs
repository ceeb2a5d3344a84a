//! `ersim check`: validate a design, lint it, and evaluate its `[[expect]]` blocks (for CI).
//!
//! Reports validation errors (exit 2), warnings, design findings (limits Azure refuses; exit 1),
//! and every expectation PASS/FAIL with the reason (any FAIL: exit 1). Reachability expectations
//! use `reach`'s engine; route expectations read the subnet table. Nothing here recomputes routes.

pub mod lint;

use crate::bgp::NoConvergence;
use crate::diag::Source;
use crate::diag::{Code, Diagnostic, Severity};
use crate::effective::{Row, split_next_hops};
use crate::forward::{self, Verdict};
use crate::model::*;
use crate::scenario::{Invalid, Loaded};
use crate::simulation::Simulation;

/// One evaluated expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectResult {
    /// Its `name`, or a generated one.
    pub name: String,
    /// `reach` or `route`.
    pub kind: &'static str,
    /// Whether it holds.
    pub pass: bool,
    /// Why (what was seen).
    pub detail: String,
    /// A reach expectation delivered over an asymmetric path (a warning unless `symmetric`).
    pub asymmetric: bool,
    /// The block's span.
    pub span: Span,
}

/// Everything `check` reports.
#[derive(Debug)]
pub struct CheckReport {
    /// The scenario text.
    pub source: Source,
    /// Validation errors (the design could not be simulated).
    pub errors: Vec<Diagnostic>,
    /// Warnings (validation and lint).
    pub warnings: Vec<Diagnostic>,
    /// Design findings (limits Azure refuses).
    pub findings: Vec<Diagnostic>,
    /// Evaluated expectations, in the model's canonical order.
    pub expectations: Vec<ExpectResult>,
    /// A one-line description of the estate.
    pub summary: String,
    /// Line index of the text, built once for every location the report prints.
    pub lines: crate::diag::LineIndex,
}

impl CheckReport {
    /// 0 ok, 1 an expectation or finding failed, 2 invalid input.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if !self.findings.is_empty() || self.expectations.iter().any(|e| !e.pass) {
            1
        } else {
            0
        }
    }
}

/// The report of a scenario that failed validation: its errors and warnings, nothing evaluated.
pub fn invalid(inv: Invalid) -> CheckReport {
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        inv.diagnostics.into_iter().partition(|d| d.severity == Severity::Error);
    let lines = crate::diag::LineIndex::new(&inv.source.text);
    CheckReport {
        source: inv.source,
        errors,
        warnings,
        findings: Vec::new(),
        expectations: Vec::new(),
        summary: String::new(),
        lines,
    }
}

/// Check a loaded scenario.
pub fn check(l: &Loaded) -> Result<CheckReport, NoConvergence> {
    let sim = Simulation::new(l.model.clone())?;
    let m = &sim.model;
    let mut warnings = l.warnings.clone();
    let mut findings = Vec::new();
    for d in lint::lint(&sim) {
        match d.severity {
            Severity::Finding => findings.push(d),
            _ => warnings.push(d),
        }
    }
    // Warnings and findings are about objects, not places: order them by what they say, so the
    // report does not depend on the order of blocks (only their locations do).
    findings.sort_by(|a, b| (a.code, &a.message).cmp(&(b.code, &b.message)));
    let expectations: Vec<ExpectResult> = m.expects.iter().map(|e| evaluate(&sim, e)).collect();
    // An asymmetric path passes (unless `symmetric = true`) with a warning: stateful firewalls
    // drop such flows.
    for e in expectations.iter().filter(|e| e.pass && e.asymmetric) {
        warnings.push(
            Diagnostic::warning(Code::AsymmetricPath, format!("`{}` is delivered over an asymmetric path", e.name))
                .at(e.span.clone())
                .help("a stateful firewall or NVA drops flows whose return crosses another device: steer both directions through the same one, or set `symmetric = true` to make this an error"),
        );
    }
    warnings.sort_by(|a, b| (a.code, &a.message).cmp(&(b.code, &b.message)));
    let n = |count: usize, one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
    let connected = (0..m.peerings.len()).filter(|p| m.ix.reverse[*p].is_some()).count() / 2;
    let summary = [
        n(m.vnets.len(), "VNet", "VNets"),
        n(m.subnets.len(), "subnet", "subnets"),
        n(m.nics.len(), "NIC", "NICs"),
        n(connected, "peering", "peerings"),
        n(m.gateways.len(), "gateway", "gateways"),
        n(m.circuits.len(), "circuit", "circuits"),
        n(m.route_tables.len(), "route table", "route tables"),
    ]
    .join(", ");
    let lines = crate::diag::LineIndex::new(&l.source.text);
    Ok(CheckReport { source: l.source.clone(), errors: Vec::new(), warnings, findings, expectations, summary, lines })
}

fn endpoint_name(m: &Model, e: &Endpoint) -> String {
    match e {
        Endpoint::Nic(n) => m.nics[n.idx()].vm.clone().unwrap_or_else(|| m.nics[n.idx()].name.clone()),
        Endpoint::Vnet(v) => m.vnets[v.idx()].name.clone(),
        Endpoint::Subnet(s) => m.subnet_path(*s),
        Endpoint::Onprem(o) => m.onprems[o.idx()].name.clone(),
        Endpoint::Firewall(f) => m.firewalls[f.idx()].name.clone(),
        Endpoint::LoadBalancer(l) => m.load_balancers[l.idx()].name.clone(),
        Endpoint::Ip(ip) => ip.to_string(),
    }
}

/// The generated name of an expectation without `name`.
pub fn expect_name(m: &Model, e: &Expect) -> String {
    if let Some(n) = &e.name {
        return n.clone();
    }
    match &e.kind {
        ExpectKind::Reach { from, to, reachable, .. } => format!(
            "{} {} {}",
            endpoint_name(m, from),
            if *reachable { "reaches" } else { "does not reach" },
            endpoint_name(m, to)
        ),
        ExpectKind::Route { table, prefix, next_hop_type, next_hop_ip, absent, .. } => {
            let t = match table {
                TableRef::Nic(n) => m.nics[n.idx()].name.clone(),
                TableRef::Subnet(s) => m.subnet_path(*s),
            };
            let mut s = format!("{t} {} {prefix}", if *absent { "has no route for" } else { "routes" });
            if let Some(nt) = next_hop_type {
                s.push_str(&format!(" via {}", nt.api()));
            }
            if let Some(ip) = next_hop_ip {
                s.push_str(&format!(" {ip}"));
            }
            s
        }
    }
}

fn row_text(r: &Row) -> String {
    let ip = r.next_hop_ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    format!(
        "{} {} {} {}{}",
        r.source.api(),
        r.state.as_str(),
        r.prefix,
        r.next_hop_type.api(),
        if ip.is_empty() { String::new() } else { format!(" {ip}") }
    )
}

fn evaluate(sim: &Simulation, e: &Expect) -> ExpectResult {
    let m = &sim.model;
    let name = expect_name(m, e);
    match &e.kind {
        ExpectKind::Reach { from, to, reachable, symmetric } => {
            let mut asymmetric = false;
            let (pass, detail) = match forward::hosts(sim, from, to) {
                Err(err) => (false, err.to_string()),
                Ok((fh, th)) => {
                    let r = forward::reach_hosts(sim, &fh, &th);
                    let delivered = matches!(r.verdict, Verdict::Delivered | Verdict::OneWay);
                    let first_drop = r
                        .forward
                        .drops()
                        .first()
                        .map(|d| format!("forward dropped: {} [{}]: {}", d.reason.code(), d.rule, d.message))
                        .or_else(|| {
                            r.back.as_ref().and_then(|b| {
                                b.drops()
                                    .first()
                                    .map(|d| format!("return dropped: {} [{}]: {}", d.reason.code(), d.rule, d.message))
                            })
                        });
                    asymmetric = delivered && r.asymmetric();
                    let hops = r
                        .forward
                        .hop_range()
                        .map(|(lo, hi)| if lo == hi { format!("{lo}") } else { format!("{lo}-{hi}") });
                    match (reachable, delivered) {
                        (true, true) if *symmetric && r.asymmetric() => {
                            (false, format!("delivered but asymmetric: {}", r.warnings.join("; ")))
                        }
                        (true, true) if r.verdict == Verdict::OneWay => (
                            true,
                            format!(
                                "delivered one way ({} routed hops; the return path is not modelled for a public address)",
                                hops.unwrap_or_default()
                            ),
                        ),
                        (true, true) if r.asymmetric() => (
                            true,
                            format!(
                                "delivered both ways ({} routed hops forward), but asymmetric: {}",
                                hops.unwrap_or_default(),
                                r.warnings.join("; ")
                            ),
                        ),
                        (true, true) => {
                            (true, format!("delivered both ways ({} routed hops forward)", hops.unwrap_or_default()))
                        }
                        (true, false) => (false, first_drop.unwrap_or_else(|| "not delivered".into())),
                        (false, false) => (true, format!("isolated as intended: {}", first_drop.unwrap_or_default())),
                        (false, true) => (false, "delivered both ways, but the design says it must not be".into()),
                    }
                }
            };
            ExpectResult { name, kind: "reach", pass, detail, asymmetric, span: e.span.clone() }
        }
        ExpectKind::Route { table, prefix, next_hop_type, next_hop_ip, state, absent } => {
            let t = match table {
                TableRef::Nic(n) => sim.nic_table(*n),
                TableRef::Subnet(s) => sim.table(*s),
            };
            let rows = split_next_hops(&t.rows(), false);
            let same_prefix: Vec<&Row> = rows.iter().filter(|r| r.prefix == *prefix).collect();
            let matches: Vec<&&Row> = same_prefix
                .iter()
                .filter(|r| next_hop_type.is_none_or(|nt| r.next_hop_type == nt))
                .filter(|r| next_hop_ip.is_none_or(|ip| r.next_hop_ips.contains(&ip)))
                .filter(|r| match state {
                    Some(st) => r.state == *st,
                    None => *absent || r.state == RouteState::Active,
                })
                .collect();
            let seen = if same_prefix.is_empty() {
                format!("no row for {prefix}")
            } else {
                same_prefix.iter().map(|r| row_text(r)).collect::<Vec<_>>().join("; ")
            };
            let pass = if *absent { matches.is_empty() } else { !matches.is_empty() };
            let detail = if pass {
                if *absent {
                    format!("absent as intended ({seen})")
                } else {
                    format!("found: {}", row_text(matches[0]))
                }
            } else if *absent {
                format!("present: {}", matches.iter().map(|r| row_text(r)).collect::<Vec<_>>().join("; "))
            } else {
                format!("not found; the table has: {seen}")
            };
            ExpectResult { name, kind: "route", pass, detail, asymmetric: false, span: e.span.clone() }
        }
    }
}
