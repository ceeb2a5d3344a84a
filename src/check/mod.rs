//! `ersim check`: validate a design, lint it, and evaluate its `[[expect]]` blocks (for CI).
//!
//! Reports validation errors (exit 2), warnings, design findings (limits Azure refuses; exit 1),
//! and every expectation PASS/FAIL with what was seen (any FAIL: exit 1). Reachability
//! expectations use `reach`'s engine; route expectations read the subnet table. Nothing here
//! recomputes routes, and nothing here writes a sentence about a trace: what was seen is typed
//! ([`Seen`]), and `report::check` says it.

pub mod lint;

use crate::bgp::NoConvergence;
use crate::diag::Source;
use crate::diag::{Code, Diagnostic, Severity};
use crate::effective::{Row, split_next_hops};
use crate::forward::{self, Drop, DropReason, EndpointError, Verdict, Warning};
use crate::model::*;
use crate::resilience;
use crate::scenario::{Invalid, Loaded};
use crate::simulation::Simulation;

/// Which kind of expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A reachability expectation (`from`, `to`).
    Reach,
    /// A route expectation (`nic` or `subnet`, `prefix`).
    Route,
}

impl Kind {
    /// `reach` or `route`, as JSON and JUnit spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reach => "reach",
            Kind::Route => "route",
        }
    }
}

/// A direction of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From `from` to `to`.
    Forward,
    /// Back from `to` to `from`.
    Return,
}

/// The first drop of a flow: of the forward direction, else of the return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstDrop {
    /// Which direction.
    pub direction: Direction,
    /// The drop.
    pub drop: Drop,
}

/// What a reachability expectation saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReachSeen {
    /// An endpoint cannot be traced from or to.
    Unresolved(EndpointError),
    /// Delivered over an asymmetric path where `symmetric = true` asks for the same devices both ways.
    NotSymmetric {
        /// The trace's warnings.
        warnings: Vec<Warning>,
    },
    /// Delivered one way: a public destination, whose return path is not modelled.
    OneWay {
        /// Routed hops forward (min, max).
        hops: Option<(u32, u32)>,
    },
    /// Delivered both ways, over different forwarding devices.
    Asymmetric {
        /// Routed hops forward (min, max).
        hops: Option<(u32, u32)>,
        /// The trace's warnings.
        warnings: Vec<Warning>,
    },
    /// Delivered both ways.
    Delivered {
        /// Routed hops forward (min, max).
        hops: Option<(u32, u32)>,
    },
    /// Not delivered, though it should be.
    Dropped(Option<FirstDrop>),
    /// Not delivered, as intended.
    Isolated(Option<FirstDrop>),
    /// Delivered, though the design says it must not be.
    Forbidden,
    /// Delivered, but not with every single element down (`resilient = true`): each element
    /// that breaks it, with the first drop reason then.
    NotResilient {
        /// `kind:name` of each breaking element, and the drop reason with it down.
        breaks: Vec<(String, Option<DropReason>)>,
    },
}

/// What a route expectation saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteSeen {
    /// Found: the first matching row.
    Found(Row),
    /// Absent as intended: the rows for the prefix (in any state).
    Absent {
        /// The prefix.
        prefix: ipnet::IpNet,
        /// The table's rows for it.
        rows: Vec<Row>,
    },
    /// Present though it must not be: the matching rows.
    Present(Vec<Row>),
    /// Not found: the rows for the prefix (in any state).
    NotFound {
        /// The prefix.
        prefix: ipnet::IpNet,
        /// The table's rows for it.
        rows: Vec<Row>,
    },
}

/// What an expectation saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Of a reachability expectation.
    Reach(ReachSeen),
    /// Of a route expectation.
    Route(RouteSeen),
}

/// One evaluated expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectResult {
    /// Its `name`, or a generated one.
    pub name: String,
    /// Reach or route.
    pub kind: Kind,
    /// Whether it holds.
    pub pass: bool,
    /// What was seen (why it passes or fails).
    pub seen: Seen,
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
    /// The model the expectations were evaluated on (for names; empty when invalid).
    pub model: Model,
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
        model: Model::default(),
    }
}

/// The report of a file that could not be read as a scenario (missing, a directory, too large, not
/// UTF-8): one error, nothing evaluated.
pub fn unreadable(source: Source, error: Diagnostic) -> CheckReport {
    invalid(Invalid { source, diagnostics: vec![error] })
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
    let model = sim.model;
    Ok(CheckReport {
        source: l.source.clone(),
        errors: Vec::new(),
        warnings,
        findings,
        expectations,
        summary,
        lines,
        model,
    })
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

fn evaluate(sim: &Simulation, e: &Expect) -> ExpectResult {
    let name = expect_name(&sim.model, e);
    let span = e.span.clone();
    match &e.kind {
        ExpectKind::Reach { from, to, reachable, symmetric, resilient } => {
            let (mut pass, mut seen, asymmetric) = reach_seen(sim, from, to, *reachable, *symmetric);
            if *resilient && *reachable && pass {
                let breaks = single_failures_breaking(sim, from, to);
                if !breaks.is_empty() {
                    (pass, seen) = (false, ReachSeen::NotResilient { breaks });
                }
            }
            ExpectResult { name, kind: Kind::Reach, pass, seen: Seen::Reach(seen), asymmetric, span }
        }
        ExpectKind::Route { table, prefix, next_hop_type, next_hop_ip, state, absent } => {
            let t = match table {
                TableRef::Nic(n) => sim.nic_table(*n),
                TableRef::Subnet(s) => sim.table(*s),
            };
            let rows = split_next_hops(&t.rows(), false);
            let same_prefix: Vec<Row> = rows.into_iter().filter(|r| r.prefix == *prefix).collect();
            let matches: Vec<Row> = same_prefix
                .iter()
                .filter(|r| next_hop_type.is_none_or(|nt| r.next_hop_type == nt))
                .filter(|r| next_hop_ip.is_none_or(|ip| r.next_hop_ips.contains(&ip)))
                .filter(|r| match state {
                    Some(st) => r.state == *st,
                    None => *absent || r.state == RouteState::Active,
                })
                .cloned()
                .collect();
            let (pass, seen) = match (*absent, matches.is_empty()) {
                (true, true) => (true, RouteSeen::Absent { prefix: *prefix, rows: same_prefix }),
                (true, false) => (false, RouteSeen::Present(matches)),
                (false, false) => (true, RouteSeen::Found(matches.into_iter().next().expect("not empty"))),
                (false, true) => (false, RouteSeen::NotFound { prefix: *prefix, rows: same_prefix }),
            };
            ExpectResult { name, kind: Kind::Route, pass, seen: Seen::Route(seen), asymmetric: false, span }
        }
    }
}

/// Every single failure (of [`resilience::Kind::DEFAULT`]) under which `from` → `to` is no longer
/// delivered both ways, with the first drop reason; a failure of an endpoint itself is skipped.
fn single_failures_breaking(sim: &Simulation, from: &Endpoint, to: &Endpoint) -> Vec<(String, Option<DropReason>)> {
    use rayon::prelude::*;
    let m = &sim.model;
    // Firewalls are renumbered when one is down: endpoints follow them by name.
    let in_failed = |e: &Endpoint, failed: &Model| match e {
        Endpoint::Firewall(f) => {
            let name = &m.firewalls[f.idx()].name;
            failed.firewalls.iter().position(|x| &x.name == name).map(|i| Endpoint::Firewall(FirewallId(i as u32)))
        }
        other => Some(*other),
    };
    let failures = resilience::failures(m, &resilience::Kind::DEFAULT);
    let mut breaks: Vec<(String, Option<DropReason>)> = failures
        .into_par_iter()
        .filter_map(|f| {
            let label = format!("{}:{}", f.kind(), f.label(m));
            let failed = m.without(std::slice::from_ref(&f));
            let (Some(a), Some(b)) = (in_failed(from, &failed), in_failed(to, &failed)) else { return None };
            // `None`: propagation does not settle with it down.
            let Ok(s) = Simulation::new(failed) else { return Some((label, None)) };
            let (fh, th) = forward::hosts(&s, &a, &b).ok()?;
            let r = forward::reach_hosts(&s, &fh, &th);
            if matches!(r.verdict, Verdict::Delivered | Verdict::OneWay) {
                return None;
            }
            let first = r.forward.drops().first().map(|d| d.reason());
            let first = first.or_else(|| r.back.as_ref().and_then(|b| b.drops().first().map(|d| d.reason())));
            Some((label, first))
        })
        .collect();
    breaks.sort();
    breaks
}

/// Whether a reachability expectation holds, what it saw, and whether the path is asymmetric.
fn reach_seen(
    sim: &Simulation,
    from: &Endpoint,
    to: &Endpoint,
    reachable: bool,
    symmetric: bool,
) -> (bool, ReachSeen, bool) {
    let (fh, th) = match forward::hosts(sim, from, to) {
        Ok(h) => h,
        Err(err) => return (false, ReachSeen::Unresolved(err), false),
    };
    let r = forward::reach_hosts(sim, &fh, &th);
    let delivered = matches!(r.verdict, Verdict::Delivered | Verdict::OneWay);
    let first = |direction, t: &forward::Trace| t.drops().first().map(|d| FirstDrop { direction, drop: (*d).clone() });
    let first_drop =
        || first(Direction::Forward, &r.forward).or_else(|| r.back.as_ref().and_then(|b| first(Direction::Return, b)));
    let asymmetric = delivered && r.asymmetric();
    let hops = r.forward.hop_range();
    let (pass, seen) = match (reachable, delivered) {
        (true, true) if symmetric && r.asymmetric() => {
            (false, ReachSeen::NotSymmetric { warnings: r.warnings.clone() })
        }
        (true, true) if r.verdict == Verdict::OneWay => (true, ReachSeen::OneWay { hops }),
        (true, true) if r.asymmetric() => (true, ReachSeen::Asymmetric { hops, warnings: r.warnings.clone() }),
        (true, true) => (true, ReachSeen::Delivered { hops }),
        (true, false) => (false, ReachSeen::Dropped(first_drop())),
        (false, false) => (true, ReachSeen::Isolated(first_drop())),
        (false, true) => (false, ReachSeen::Forbidden),
    };
    (pass, seen, asymmetric)
}
