//! `ersim matrix`: every VNet to every VNet, delivered both ways or not, with the drop reasons,
//! and a summary per routing domain (hub).
//!
//! Each VNet is represented by the host `reach` would use for it (its first NIC, or a synthetic
//! host). One-way results are computed once per ordered pair with a shared memo per (position,
//! destination), so the parts of the estate many pairs cross (circuits, hub gateways) are walked
//! once per destination.

use std::collections::BTreeMap;

use crate::forward::{self, DropReason, Host, Prober, Summary};
use crate::model::*;
use crate::simulation::Simulation;

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
    /// `cells[i][j]`: from `vnets[i]` to `vnets[j]`.
    pub cells: Vec<Vec<Cell>>,
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
    }
}

/// Compute the matrix.
pub fn matrix(sim: &Simulation) -> Matrix {
    let m = &sim.model;
    let mut vnets: Vec<VnetId> = (0..m.vnets.len() as u32).map(VnetId).collect();
    vnets.sort_by(|a, b| m.vnets[a.idx()].name.cmp(&m.vnets[b.idx()].name));
    let hosts: Vec<Option<(Host, Host)>> = vnets
        .iter()
        .map(|v| {
            let e = Endpoint::Vnet(*v);
            forward::hosts(sim, &e, &e).ok()
        })
        .collect();
    let n = vnets.len();
    let mut prober = Prober::new(sim);
    let mut one: Vec<Vec<Option<Summary>>> = vec![vec![None; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            if let (Some((src, _)), Some((_, dst))) = (&hosts[i], &hosts[j]) {
                one[i][j] = Some(prober.one_way(src, dst));
            }
        }
    }
    let cells = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if i == j {
                        return Cell::Same;
                    }
                    match (&one[i][j], &one[j][i]) {
                        (Some(f), Some(b)) if f.delivered && b.delivered => Cell::Delivered,
                        (Some(f), Some(b)) => Cell::Dropped {
                            forward: if f.delivered { Vec::new() } else { f.reasons.clone() },
                            back: if b.delivered { Vec::new() } else { b.reasons.clone() },
                        },
                        _ => Cell::NoHost,
                    }
                })
                .collect()
        })
        .collect();
    Matrix { vnets, cells }
}

/// Per pair of domains (by hub name; `-` for VNets outside any domain): (delivered, pairs).
pub fn by_domain(sim: &Simulation, mx: &Matrix) -> BTreeMap<(String, String), (usize, usize)> {
    let m = &sim.model;
    let dom = |v: VnetId| m.domain_of(v).map(|h| m.vnets[h.idx()].name.clone()).unwrap_or_else(|| "-".to_string());
    let mut out: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for (i, a) in mx.vnets.iter().enumerate() {
        for (j, b) in mx.vnets.iter().enumerate() {
            if i == j {
                continue;
            }
            let e = out.entry((dom(*a), dom(*b))).or_default();
            e.1 += 1;
            if mx.cells[i][j] == Cell::Delivered {
                e.0 += 1;
            }
        }
    }
    out
}
