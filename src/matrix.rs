//! `ersim matrix`: every VNet to every VNet, delivered both ways or not, with the drop reasons,
//! and a summary per routing domain (hub).
//!
//! Each VNet is represented by the host `reach` would use for it (its first NIC, or a synthetic
//! host). One-way results are computed once per ordered pair by a summarising walk (outcomes
//! only: no trace is kept, and why a dead end had no better route is not asked) with a memo per
//! (position, destination), so the parts of the estate many pairs cross (circuits, hub gateways)
//! are walked once per destination. Each one-way result is four bytes.

use std::collections::BTreeMap;

use crate::forward::{self, DropReason, Host, Prober, Summary};
use crate::model::*;
use crate::simulation::Simulation;

/// The largest matrix ersim computes: n² pairs must stay a matter of seconds and megabytes.
pub const MAX_VNETS: usize = 5_000;

/// A matrix too large to compute.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "matrix over {vnets} VNets is {pairs} pairs; ersim computes it for up to {MAX_VNETS} VNets. Use `ersim reach` for specific pairs, or [[expect]] blocks with `ersim check`"
)]
pub struct TooLarge {
    /// VNets in the estate.
    pub vnets: usize,
    /// Ordered pairs.
    pub pairs: usize,
}

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The diagonal.
    Same,
    /// Delivered both ways.
    Delivered,
    /// Not delivered; the reasons of each direction.
    Dropped {
        /// Forward drop reasons (empty if the forward direction delivered).
        forward: Vec<DropReason>,
        /// Return drop reasons.
        back: Vec<DropReason>,
    },
    /// One of the two VNets has no host to start from.
    NoHost,
}

impl Cell {
    /// The first drop reason, if any.
    pub fn reason(&self) -> Option<DropReason> {
        match self {
            Cell::Dropped { forward, back } => forward.first().or(back.first()).copied(),
            _ => None,
        }
    }
}

/// The whole matrix.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// VNets, by name.
    pub vnets: Vec<VnetId>,
    /// One-way results, `one[i * n + j]` from `vnets[i]` to `vnets[j]` (`None`: no host).
    one: Vec<Option<Summary>>,
}

impl Matrix {
    /// Number of VNets.
    pub fn len(&self) -> usize {
        self.vnets.len()
    }

    /// Whether there are no VNets.
    pub fn is_empty(&self) -> bool {
        self.vnets.is_empty()
    }

    /// Both directions of `i` → `j` as `reach` judges them (D19 included), when both have hosts.
    fn directions(&self, i: usize, j: usize) -> Option<(Summary, Summary)> {
        let n = self.len();
        match (&self.one[i * n + j], &self.one[j * n + i]) {
            (Some(f), Some(b)) => Some(Summary::pair(f, b)),
            _ => None,
        }
    }

    /// Whether `i` → `j` is delivered both ways.
    pub fn delivered(&self, i: usize, j: usize) -> bool {
        i != j && matches!(self.directions(i, j), Some((f, b)) if f.delivered && b.delivered)
    }

    /// The first drop reason of `i` → `j` (forward, else return), if not delivered.
    pub fn reason(&self, i: usize, j: usize) -> Option<DropReason> {
        if i == j || self.delivered(i, j) {
            return None;
        }
        let (f, b) = self.directions(i, j)?;
        let first = |s: &Summary| (!s.delivered).then(|| s.reasons().first().copied()).flatten();
        first(&f).or_else(|| first(&b))
    }

    /// The cell of `i` → `j`.
    pub fn cell(&self, i: usize, j: usize) -> Cell {
        if i == j {
            return Cell::Same;
        }
        match self.directions(i, j) {
            Some((f, b)) if f.delivered && b.delivered => Cell::Delivered,
            Some((f, b)) => Cell::Dropped {
                forward: if f.delivered { Vec::new() } else { f.reasons() },
                back: if b.delivered { Vec::new() } else { b.reasons() },
            },
            _ => Cell::NoHost,
        }
    }
}

/// The letter a drop reason gets in the grid.
pub fn letter(r: DropReason) -> char {
    match r {
        DropReason::NoRoute => 'R',
        DropReason::NextHopNone => 'N',
        DropReason::ToInternet => 'I',
        DropReason::NoSuchHost => 'H',
        DropReason::NextHopUnreachable => 'U',
        DropReason::IpForwardingOff => 'F',
        DropReason::NoVpnGateway => 'G',
        DropReason::NoCircuitTransit => 'C',
        DropReason::NoErVpnTransit => 'E',
        DropReason::PeeringAccessDisabled => 'P',
        DropReason::RemoteVnetTrafficOff => 'D',
        DropReason::Loop => 'L',
        DropReason::HopLimit => 'X',
        DropReason::Misdelivered => 'M',
        DropReason::AsymmetricStatefulFirewall => 'S',
        DropReason::NoDefaultSite => 'T',
    }
}

/// Compute the matrix (refused over [`MAX_VNETS`] VNets).
pub fn matrix(sim: &Simulation) -> Result<Matrix, TooLarge> {
    let m = &sim.model;
    let n = m.vnets.len();
    if n > MAX_VNETS {
        return Err(TooLarge { vnets: n, pairs: n * (n - 1) });
    }
    let mut vnets: Vec<VnetId> = (0..n as u32).map(VnetId).collect();
    vnets.sort_by(|a, b| m.vnets[a.idx()].name.cmp(&m.vnets[b.idx()].name));
    let hosts: Vec<Option<(Host, Host)>> = vnets
        .iter()
        .map(|v| {
            let e = Endpoint::Vnet(*v);
            forward::hosts(sim, &e, &e).ok()
        })
        .collect();
    let mut prober = Prober::new(sim);
    let mut one: Vec<Option<Summary>> = vec![None; n * n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            if let (Some((src, _)), Some((_, dst))) = (&hosts[i], &hosts[j]) {
                one[i * n + j] = Some(prober.one_way(src, dst));
            }
        }
    }
    Ok(Matrix { vnets, one })
}

/// Per pair of domains (by hub name; `-` for VNets outside any domain): (delivered, pairs).
pub fn by_domain(sim: &Simulation, mx: &Matrix) -> BTreeMap<(String, String), (usize, usize)> {
    let m = &sim.model;
    let dom: Vec<String> = mx
        .vnets
        .iter()
        .map(|v| m.domain_of(*v).map(|h| m.vnets[h.idx()].name.clone()).unwrap_or_else(|| "-".to_string()))
        .collect();
    let mut idx: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for i in 0..mx.len() {
        for j in 0..mx.len() {
            if i == j {
                continue;
            }
            let e = idx.entry((&dom[i], &dom[j])).or_default();
            e.1 += 1;
            if mx.delivered(i, j) {
                e.0 += 1;
            }
        }
    }
    idx.into_iter().map(|((a, b), v)| ((a.to_string(), b.to_string()), v)).collect()
}
