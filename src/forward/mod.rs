//! Forwarding: follow a packet hop by hop through the estate's tables (azure-routing.md
//! "Forwarding"), both ways, every ECMP branch, and say where and why it drops.
//!
//! A packet is always at a *position*: in a subnet held by a device (the source NIC, an NVA, a
//! firewall, a gateway in GatewaySubnet), at a circuit's MSEE, inside a VPN gateway, or at an
//! on-premises router. Each position looks the destination up in its own table — the subnet's
//! effective routes, the MSEE's or VPN gateway's BGP routes, the router's routes — and moves on.
//! Positions repeated on one branch are a loop (D12); more than [`MAX_ROUTED_HOPS`] routed hops
//! stop a runaway. Routed hops are counted as D16 says. The tables are read, never recomputed.
//!
//! Everything here is typed facts: places, routes used, drop causes, warnings. `report` writes the
//! sentences. Why a subnet had no better route than a dead end ([`why`]) is worked out only for
//! traces that are shown ([`trace`], [`reach_hosts`]), not for `matrix`'s summaries.

mod drop;
pub(crate) mod hosts;
pub mod remedy;
mod step;
mod walk;
pub mod why;

pub use drop::{Destination, Drop, DropCause, DropReason, Transit, Unexpected};
pub use hosts::{EndpointError, Host, HostInfo};
pub use remedy::{Fix, Remedy};
pub use step::{Branch, Forwarder, Outcome, Place, RouteRow, RouteUsed, Step, Table, Warning};
pub use walk::Summary;

use crate::model::*;
use crate::simulation::Simulation;

/// A bound on routed hops per branch (azure-routing.md "Forwarding": over 64 → `HopLimit`).
pub const MAX_ROUTED_HOPS: u32 = 64;
/// A bound on ECMP branches followed per direction.
pub const MAX_BRANCHES: usize = 256;

/// One direction of a trace.
#[derive(Clone, Debug)]
pub struct Trace {
    /// Where the packet starts.
    pub from: HostInfo,
    /// Where it is going.
    pub to: HostInfo,
    /// Every ECMP branch, in a stable order.
    pub branches: Vec<Branch>,
    /// Set when more branches existed than were followed.
    pub truncated: bool,
}

impl Trace {
    /// Delivered on every branch.
    pub fn delivered(&self) -> bool {
        !self.branches.is_empty() && self.branches.iter().all(|b| matches!(b.outcome, Outcome::Delivered))
    }

    /// The drops of every branch that did not deliver, without repeats (the same cause, wherever
    /// it happened).
    pub fn drops(&self) -> Vec<&Drop> {
        let mut v: Vec<&Drop> = Vec::new();
        for b in &self.branches {
            if let Outcome::Dropped(d) = &b.outcome
                && !v.iter().any(|x| x.cause == d.cause && x.no_better_route == d.no_better_route)
            {
                v.push(d);
            }
        }
        v
    }

    /// Routed hops of the delivered branches (min, max).
    pub fn hop_range(&self) -> Option<(u32, u32)> {
        let hops: Vec<u32> =
            self.branches.iter().filter(|b| matches!(b.outcome, Outcome::Delivered)).map(|b| b.routed_hops()).collect();
        Some((*hops.iter().min()?, *hops.iter().max()?))
    }

    /// Forwarding devices (NVAs, firewalls) any branch crosses, in the order first met.
    pub fn forwarders(&self) -> Vec<Forwarder> {
        let mut v: Vec<Forwarder> = Vec::new();
        for f in self.branches.iter().flat_map(|b| b.forwarders()) {
            if !v.contains(&f) {
                v.push(f);
            }
        }
        v
    }

    /// Say why no better route existed at each drop of a row leading nowhere ([`why`]).
    fn annotate(&mut self, sim: &Simulation) {
        for b in &mut self.branches {
            if let Outcome::Dropped(d) = &mut b.outcome
                && let Some((subnet, dst)) = d.cause.dead_end()
            {
                d.no_better_route = Some(why::no_better_route(sim, subnet, dst));
            }
        }
    }
}

/// The overall answer of `reach`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Both directions arrive on every branch.
    Delivered,
    /// A public destination was reached; the return path is not modelled.
    OneWay,
    /// Some branch of some direction drops.
    NotDelivered,
}

/// `reach FROM TO`: both directions, warnings, and verified fixes.
#[derive(Clone, Debug)]
pub struct Reach {
    /// Forward trace.
    pub forward: Trace,
    /// Return trace (none for a public destination).
    pub back: Option<Trace>,
    /// The verdict.
    pub verdict: Verdict,
    /// Warnings (forwarded traffic over peerings without allow_forwarded_traffic, asymmetry).
    pub warnings: Vec<Warning>,
    /// Fixes, each verified by re-simulating the edited design (empty when delivered; `app`
    /// finds them).
    pub fixes: Vec<Fix>,
}

impl Reach {
    /// Exit status: 0 delivered (asymmetric counts, with a warning) or one-way, 1 not delivered.
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Delivered | Verdict::OneWay => 0,
            Verdict::NotDelivered => 1,
        }
    }

    /// Whether forward and return cross different forwarding devices (R68: active-active VPN
    /// instances are ECMP, not asymmetry; only NVAs and firewalls count).
    pub fn asymmetric(&self) -> bool {
        let set = |t: &Trace| {
            let mut v = t.forwarders();
            v.sort();
            v
        };
        self.back.as_ref().is_some_and(|b| set(b) != set(&self.forward))
    }
}

/// Trace one direction from host `from` to host `to`.
pub fn trace(sim: &Simulation, from: &Host, to: &Host) -> Trace {
    let mut t = walk::Walker::new(sim).trace(from, to);
    t.annotate(sim);
    t
}

/// Whether a forwarding device keeps connection state: Azure Firewall always, an NVA whose NIC says
/// `stateful = true` (D19).
pub fn is_stateful(m: &Model, f: Forwarder) -> bool {
    match f {
        Forwarder::Firewall(_) => true,
        Forwarder::Nva(n) => m.nics[n.idx()].stateful,
    }
}

/// The stateful devices a trace crosses on any branch, sorted (D19).
pub fn stateful_crossed(m: &Model, t: &Trace) -> Vec<Forwarder> {
    let mut v: Vec<Forwarder> = t.forwarders().into_iter().filter(|f| is_stateful(m, *f)).collect();
    v.sort();
    v
}

/// D19: when both directions deliver but cross different stateful devices, each device that sees
/// one direction only drops the flow: the branches of that direction that cross it end there.
fn drop_stateful_asymmetry(m: &Model, forward: &mut Trace, back: &mut Trace) {
    if !forward.delivered() || !back.delivered() {
        return;
    }
    let (f, b) = (stateful_crossed(m, forward), stateful_crossed(m, back));
    if f == b {
        return;
    }
    let (fa, ba) = (forward.forwarders(), back.forwarders());
    let only = |a: &[Forwarder], other: &[Forwarder]| -> Vec<Forwarder> {
        a.iter().copied().filter(|x| !other.contains(x)).collect()
    };
    for (t, devices) in [(&mut *forward, only(&f, &b)), (&mut *back, only(&b, &f))] {
        for br in &mut t.branches {
            let Some(i) = br.steps.iter().position(|s| s.place.forwarder().is_some_and(|x| devices.contains(&x)))
            else {
                continue;
            };
            let device = br.steps[i].place.forwarder().expect("a forwarder");
            br.steps.truncate(i + 1);
            let cause = DropCause::AsymmetricStateful { device, forward: fa.clone(), back: ba.clone() };
            br.outcome = Outcome::Dropped(Drop::new(cause, device.place()));
        }
    }
}

/// Resolve endpoints and trace both ways (no fixes).
pub fn reach_hosts(sim: &Simulation, from: &Host, to: &Host) -> Reach {
    let w = walk::Walker::new(sim);
    let mut forward = w.trace(from, to);
    let mut back = if to.is_public() { None } else { Some(w.trace(to, from)) };
    if let Some(b) = &mut back {
        drop_stateful_asymmetry(&sim.model, &mut forward, b);
    }
    forward.annotate(sim);
    if let Some(b) = &mut back {
        b.annotate(sim);
    }
    let mut warnings: Vec<Warning> = Vec::new();
    for t in std::iter::once(&forward).chain(back.iter()) {
        for s in t.branches.iter().flat_map(|b| b.steps.iter()) {
            if let Some(wn) = &s.warning
                && !warnings.contains(wn)
            {
                warnings.push(wn.clone());
            }
        }
    }
    let verdict = match (&back, forward.delivered()) {
        (None, true) => Verdict::OneWay,
        (Some(b), true) if b.delivered() => Verdict::Delivered,
        _ => Verdict::NotDelivered,
    };
    let mut r = Reach { forward, back, verdict, warnings, fixes: Vec::new() };
    if r.asymmetric() && r.verdict == Verdict::Delivered {
        let back = r.back.as_ref().map(|b| b.forwarders()).unwrap_or_default();
        r.warnings.push(Warning::Asymmetric { forward: r.forward.forwarders(), back });
    }
    r
}

/// Resolve two endpoints to hosts.
pub fn hosts(sim: &Simulation, from: &Endpoint, to: &Endpoint) -> Result<(Host, Host), EndpointError> {
    let f = hosts::resolve(sim, from, true)?;
    let mut t = hosts::resolve(sim, to, false)?;
    // D21: forwarding never changes address family.
    let (fi, ti) = (f.ip(&sim.model), t.ip(&sim.model));
    if fi.is_ipv4() != ti.is_ipv4() {
        return Err(EndpointError {
            message: format!(
                "{fi} and {ti} are of different IP families: a packet keeps its family (D21); trace IPv4 to IPv4 or IPv6 to IPv6"
            ),
        });
    }
    // A destination address held by nothing gets its synthetic host; the source's address is fine.
    if let (Host::Synthetic { ip: a, .. }, Host::Synthetic { ip: b, subnet }) = (f, t)
        && a == b
    {
        t = Host::Synthetic { ip: b, subnet };
    }
    Ok((f, t))
}

/// A reusable walker with a memo, for many traces over one simulation (`matrix`).
pub struct Prober<'a> {
    walker: walk::Walker<'a>,
    memo: walk::Memo,
}

impl<'a> Prober<'a> {
    /// A prober over a simulation.
    pub fn new(sim: &'a Simulation) -> Self {
        Prober { walker: walk::Walker::new(sim), memo: walk::Memo::new() }
    }

    /// Forget the memo (walks toward one destination share it; `matrix` clears it between
    /// destinations, since a memoised summary holds for its destination host only).
    pub fn clear(&mut self) {
        self.memo.clear();
    }

    /// One direction, summarised.
    pub fn one_way(&mut self, from: &Host, to: &Host) -> Summary {
        self.walker.summary(from, to, &mut self.memo)
    }
}
