//! `ersim resilience`: every single-element failure of the chosen kinds, one case each — which
//! VNet pairs and VNet → on-premises paths it breaks, ranked, and which elements break nothing.
//!
//! Each case takes the validated model without the element (as `--down` does), propagates, and
//! computes the class-based matrix with every on-premises router as a destination; the case's
//! matrix is compared with the intact estate's rectangle by rectangle ([`crate::matrix::changes`]),
//! so a case costs one propagation and one matrix, never pairs. Cases run in parallel.

use rayon::prelude::*;

use crate::down::{self, Failure};
use crate::matrix::{self, Change, Matrix, MatrixError, Node, Selection};
use crate::model::Model;
use crate::simulation::Simulation;

/// Kinds of element a sweep fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Circuits (both links).
    Circuits,
    /// One link of a circuit at a time.
    Links,
    /// Gateways.
    Gateways,
    /// One instance of an active-active VPN gateway at a time.
    Instances,
    /// Connections.
    Connections,
    /// Peerings (both directions).
    Peerings,
    /// Local network gateways.
    LocalGateways,
    /// On-premises routers.
    Onprem,
    /// Route servers.
    RouteServers,
    /// NVA BGP sessions.
    BgpPeers,
    /// Azure Firewalls.
    Firewalls,
    /// NICs that forward (NVAs).
    Nvas,
}

impl Kind {
    /// Every kind, as `--kinds` spells them.
    pub const ALL: [Kind; 12] = [
        Kind::Circuits,
        Kind::Links,
        Kind::Gateways,
        Kind::Instances,
        Kind::Connections,
        Kind::Peerings,
        Kind::LocalGateways,
        Kind::Onprem,
        Kind::RouteServers,
        Kind::BgpPeers,
        Kind::Firewalls,
        Kind::Nvas,
    ];

    /// What fails when no kinds are given, and what `resilient = true` expectations survive: the
    /// elements that go down in practice (a circuit, a gateway, a connection, a route server, an
    /// NVA's session, a firewall), not configuration such as peerings.
    pub const DEFAULT: [Kind; 6] =
        [Kind::Circuits, Kind::Gateways, Kind::Connections, Kind::RouteServers, Kind::BgpPeers, Kind::Firewalls];

    /// Its `--kinds` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Circuits => "circuits",
            Kind::Links => "links",
            Kind::Gateways => "gateways",
            Kind::Instances => "instances",
            Kind::Connections => "connections",
            Kind::Peerings => "peerings",
            Kind::LocalGateways => "local_gateways",
            Kind::Onprem => "onprem",
            Kind::RouteServers => "route_servers",
            Kind::BgpPeers => "bgp_peers",
            Kind::Firewalls => "firewalls",
            Kind::Nvas => "nvas",
        }
    }

    /// Parse a `--kinds` item.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    fn covers(self, m: &Model, f: &Failure) -> bool {
        match (self, f) {
            (Kind::Circuits, Failure::Circuit(_))
            | (Kind::Links, Failure::CircuitLink(..))
            | (Kind::Gateways, Failure::Gateway(_))
            | (Kind::Instances, Failure::GatewayInstance(..))
            | (Kind::Connections, Failure::Connection(_))
            | (Kind::Peerings, Failure::PeeringPair(..))
            | (Kind::LocalGateways, Failure::LocalGateway(_))
            | (Kind::Onprem, Failure::Onprem(_))
            | (Kind::RouteServers, Failure::RouteServer(_))
            | (Kind::BgpPeers, Failure::BgpPeer(_))
            | (Kind::Firewalls, Failure::Firewall(_)) => true,
            (Kind::Nvas, Failure::Nic(n)) => m.nics[n.idx()].ip_forwarding,
            _ => false,
        }
    }
}

/// The failures of the given kinds, in the canonical order of [`down::failures`].
pub fn failures(m: &Model, kinds: &[Kind]) -> Vec<Failure> {
    down::failures(m).into_iter().filter(|f| kinds.iter().any(|k| k.covers(m, f))).collect()
}

/// At most this many broken rectangles are kept per case.
pub const MAX_SHOWN: usize = 10;

/// One element down.
#[derive(Clone, Debug)]
pub struct Case {
    /// The element, as `--down` takes it (`circuit:circuit01`).
    pub element: String,
    /// The failure.
    pub failure: Failure,
    /// VNet pairs (unordered) delivered both ways before, not after.
    pub vnet_pairs_lost: u64,
    /// VNet → on-premises addresses delivered before (through any router advertising the
    /// address), not after.
    pub onprem_pairs_lost: u64,
    /// Pairs delivered after, not before (a failure that opens a path is worth a look).
    pub pairs_gained: u64,
    /// The largest broken rectangles (up to [`MAX_SHOWN`]), with their verdict after.
    pub lost: Vec<Change>,
    /// Why the case could not be computed (propagation did not settle, or the matrix is over its
    /// bound); counted as breaking nothing it could prove.
    pub error: Option<String>,
}

impl Case {
    /// Whether the element is a single point of failure: something breaks when it goes down.
    pub fn breaks(&self) -> bool {
        self.vnet_pairs_lost + self.onprem_pairs_lost > 0
    }
}

/// A sweep: the intact matrix's size and every case, most breaking first.
#[derive(Debug)]
pub struct Sweep {
    /// The intact estate's matrix (names and sides for reports).
    pub baseline: Matrix,
    /// Kinds failed.
    pub kinds: Vec<Kind>,
    /// Every case, most pairs lost first, then by element.
    pub cases: Vec<Case>,
}

/// Lost and gained counts of one case. VNet pairs come from the rectangles of the two matrices.
/// An on-premises network reached through several routers is one destination per address: a
/// VNet → on-premises path survives while any router advertising that address still delivers
/// both ways (the data centres' own network carries the traffic between them).
fn compare(before: &Matrix, after: &Matrix) -> (u64, u64, u64, Vec<Change>) {
    let (mut vnet, mut gained) = (0u64, 0u64);
    let mut lost: Vec<Change> = Vec::new();
    let is_router = |x: &u32| matches!(before.nodes[*x as usize], Node::Onprem(_));
    let aligned = matrix::changes(before, after, |mut c| {
        c.to.retain(|x| !is_router(x));
        if c.to.is_empty() {
            return;
        }
        let diagonal = c.from.iter().filter(|x| c.to.binary_search(x).is_ok()).count() as u64;
        c.pairs = c.from.len() as u64 * c.to.len() as u64 - diagonal;
        match (c.before.delivered(), c.after.delivered()) {
            (true, false) => {
                vnet += c.pairs;
                lost.push(c);
            }
            (false, true) => gained += c.pairs,
            _ => {}
        }
    });
    debug_assert!(aligned.is_ok(), "a failure keeps every VNet and router");
    // On-premises: routers grouped by the address they are reached at.
    let mut sites: std::collections::BTreeMap<std::net::IpAddr, Vec<u32>> = std::collections::BTreeMap::new();
    for &r in before.to.iter().filter(|x| is_router(x)) {
        if let Some(ip) = before.address(r as usize) {
            sites.entry(ip).or_default().push(r);
        }
    }
    let mut onprem = 0u64;
    for routers in sites.values() {
        let any = |m: &Matrix, a: u32| routers.iter().any(|r| m.verdict(a as usize, *r as usize).0);
        // VNets that lose this address, grouped by what the first router's pair shows after.
        let mut by_cell: Vec<(crate::matrix::Cell, Vec<u32>)> = Vec::new();
        for &a in before.from.iter().filter(|x| !is_router(x)) {
            match (any(before, a), any(after, a)) {
                (true, false) => {
                    onprem += 1;
                    let cell = after.cell(a as usize, routers[0] as usize);
                    match by_cell.iter_mut().find(|(c, _)| *c == cell) {
                        Some((_, v)) => v.push(a),
                        None => by_cell.push((cell, vec![a])),
                    }
                }
                (false, true) => gained += 1,
                _ => {}
            }
        }
        for (cell, from) in by_cell {
            let pairs = from.len() as u64;
            lost.push(Change { from, to: routers.clone(), pairs, before: crate::matrix::Cell::Delivered, after: cell });
        }
    }
    lost.sort_by(|a, b| b.pairs.cmp(&a.pairs).then_with(|| a.from.cmp(&b.from)).then_with(|| a.to.cmp(&b.to)));
    lost.truncate(MAX_SHOWN);
    // VNet pairs were counted in both orders.
    (vnet / 2, onprem, gained, lost)
}

fn case(sim: &Simulation, baseline: &Matrix, sel: &Selection, f: Failure) -> Case {
    let m = &sim.model;
    let element = format!("{}:{}", f.kind(), f.label(m));
    let mut c = Case {
        element,
        failure: f,
        vnet_pairs_lost: 0,
        onprem_pairs_lost: 0,
        pairs_gained: 0,
        lost: Vec::new(),
        error: None,
    };
    let failed = match Simulation::new(m.without(std::slice::from_ref(&f))) {
        Ok(s) => s,
        Err(e) => {
            c.error = Some(e.to_string());
            return c;
        }
    };
    match matrix::compute(&failed, sel, &mut |_, _| {}) {
        Ok(after) => {
            (c.vnet_pairs_lost, c.onprem_pairs_lost, c.pairs_gained, c.lost) = compare(baseline, &after);
        }
        Err(e) => c.error = Some(e.to_string()),
    }
    c
}

/// Fail every element of the kinds, one at a time, in parallel. `progress(done, total)` is
/// called as cases finish (from any thread).
pub fn sweep(sim: &Simulation, kinds: &[Kind], progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Sweep, MatrixError> {
    let sel = Selection { include_onprem: true, ..Selection::default() };
    let baseline = matrix::compute(sim, &sel, &mut |_, _| {})?;
    let all = failures(&sim.model, kinds);
    let total = all.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut cases: Vec<Case> = all
        .into_par_iter()
        .map(|f| {
            let c = case(sim, &baseline, &sel, f);
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            c
        })
        .collect();
    cases.sort_by(|a, b| {
        (b.vnet_pairs_lost + b.onprem_pairs_lost)
            .cmp(&(a.vnet_pairs_lost + a.onprem_pairs_lost))
            .then_with(|| a.element.cmp(&b.element))
    });
    let mut kinds = kinds.to_vec();
    kinds.sort();
    kinds.dedup();
    Ok(Sweep { baseline, kinds, cases })
}
