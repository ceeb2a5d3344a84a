//! `ersim diff`: what changes between two simulated designs (two files, or one file with and
//! without `--down` failures), as data; `report::diff` prints it.
//!
//! Everything is matched by name, never by id or position, so reordered blocks and keys change
//! nothing, and a renamed element is one removed and one added:
//!
//! - **routes**: each subnet's effective routes (by `vnet/subnet`), rows added, removed and changed
//!   (state, next hops, source) per prefix; a route with several next hops is one row here (D2
//!   splits it only when printed);
//! - **reachability**: VNet pairs, and VNet → on-premises router pairs, delivered both ways
//!   before and not after (lost, with the new drop's reason and rule) or the reverse (gained, with
//!   the old drop), summarised per pair of routing domains;
//! - **bgp**: sessions that come up, go down or appear/disappear, and the number of prefixes each
//!   gateway and route server learns, where it changes;
//! - **findings**: `check`'s design findings and warnings (validation and lint) that are new or
//!   resolved, compared by code and message, not location.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

use crate::bgp::{Reason, SessionKind, Speaker, speaker_name};
use crate::check::{Direction, FirstDrop, lint};
use crate::diag::{Code, Diagnostic};
use crate::effective::{RouteSource, Row, SubnetTable};
use crate::forward::{self, DropReason};
use crate::matrix::{self, Matrix, Node};
use crate::model::*;
use crate::simulation::Simulation;

/// At most this many lost or gained pairs are traced for their drop (each trace is a full `reach`).
pub const MAX_TRACED: usize = 1_000;

/// At most this many lost (and as many gained) pairs are listed; the counts cover every one.
pub const MAX_LISTED: usize = 100_000;

/// One design being compared: its simulation and the warnings found while loading it.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The simulated design.
    pub sim: &'a Simulation,
    /// Validation warnings (and `--down` warnings) of its file.
    pub warnings: &'a [Diagnostic],
}

/// A row of a subnet's table with the flag its az JSON entry carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRow {
    /// The row (next hops merged).
    pub row: Row,
    /// The subnet's `disableBgpRoutePropagation` (R31).
    pub disable_bgp_route_propagation: bool,
}

/// One change to a subnet's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowChange {
    /// A row only after.
    Added(TableRow),
    /// A row only before.
    Removed(TableRow),
    /// The row for a prefix changed state, next hops, type or source.
    Changed {
        /// Before.
        before: TableRow,
        /// After.
        after: TableRow,
    },
}

impl RowChange {
    /// The row that orders the change in the table (after's, or before's for a removal).
    pub fn row(&self) -> &Row {
        match self {
            RowChange::Added(r) | RowChange::Removed(r) | RowChange::Changed { after: r, .. } => &r.row,
        }
    }
}

/// The changes to one subnet's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubnetDiff {
    /// `vnet/subnet`.
    pub subnet: String,
    /// Its changes, in the table's order (D10); subnets with the same changes share them.
    pub changes: Arc<[RowChange]>,
}

/// A row as the portal shows it (origins hold ids of one design, so they are left out).
type ShownRow<'a> = (RouteSource, RouteState, IpNet, NextHopType, &'a [IpAddr], &'a Option<String>, bool);

fn shown_row(r: &TableRow) -> ShownRow<'_> {
    let row = &r.row;
    (
        row.source,
        row.state,
        row.prefix,
        row.next_hop_type,
        &row.next_hop_ips,
        &row.udr_name,
        r.disable_bgp_route_propagation,
    )
}

/// What a change shows: its kind and its rows' portal fields.
fn shown_change(c: &RowChange) -> (u8, ShownRow<'_>, Option<ShownRow<'_>>) {
    match c {
        RowChange::Added(r) => (0, shown_row(r), None),
        RowChange::Removed(r) => (1, shown_row(r), None),
        RowChange::Changed { before, after } => (2, shown_row(before), Some(shown_row(after))),
    }
}

/// A hash of what a list of changes shows: its length and at most 64 of its changes, evenly
/// spaced (equal lists hash equal; [`same_changes`] decides, so a list of thousands of changes is
/// not hashed whole for each subnet that has it).
pub fn changes_hash(cs: &[RowChange]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    cs.len().hash(&mut h);
    for c in cs.iter().step_by(cs.len().div_ceil(64).max(1)) {
        shown_change(c).hash(&mut h);
    }
    h.finish()
}

/// Whether two lists of changes show the same.
pub fn same_changes(a: &[RowChange], b: &[RowChange]) -> bool {
    std::ptr::eq(a, b) || (a.len() == b.len() && a.iter().zip(b).all(|(x, y)| shown_change(x) == shown_change(y)))
}

/// What the other end of a pair is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PairKind {
    /// A VNet (both ends are VNets, `from` before `to` by name).
    Vnet,
    /// An on-premises router (`to`).
    Onprem,
}

impl PairKind {
    /// `vnet` or `onprem`.
    pub fn as_str(self) -> &'static str {
        match self {
            PairKind::Vnet => "vnet",
            PairKind::Onprem => "onprem",
        }
    }
}

/// A pair whose reachability changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// A VNet.
    pub from: String,
    /// A VNet or an on-premises router.
    pub to: String,
    /// Which.
    pub kind: PairKind,
    /// The drop reason on the side where it is not delivered (after for a lost pair, before for a
    /// gained one), if a host could be placed there.
    pub reason: Option<DropReason>,
    /// That side's first drop with its rules (`None` beyond [`MAX_TRACED`] pairs).
    pub drop: Option<FirstDrop>,
}

/// Pairs per pair of routing domains, where any changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainSummary {
    /// A domain's hub (`-` outside any domain).
    pub from: String,
    /// The other domain's hub, or `on-premises`.
    pub to: String,
    /// Pairs between them (in either design).
    pub pairs: usize,
    /// Delivered before.
    pub delivered_before: usize,
    /// Delivered after.
    pub delivered_after: usize,
    /// Lost.
    pub lost: usize,
    /// Gained.
    pub gained: usize,
}

/// Reachability changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reachability {
    /// Delivered both ways before, not after (the first [`MAX_LISTED`]).
    pub lost: Vec<Pair>,
    /// Delivered both ways after, not before (the first [`MAX_LISTED`]).
    pub gained: Vec<Pair>,
    /// How many pairs were lost.
    pub lost_count: usize,
    /// How many pairs were gained.
    pub gained_count: usize,
    /// Per pair of domains.
    pub summary: Vec<DomainSummary>,
}

/// A BGP session's state in one design.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// The session does not exist.
    Absent,
    /// It carries routes.
    Up,
    /// It carries nothing (a prefix limit).
    Down(Reason),
}

impl SessionState {
    /// `absent`, `up` or `down`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionState::Absent => "absent",
            SessionState::Up => "up",
            SessionState::Down(_) => "down",
        }
    }
}

/// A session (both directions of one BGP relationship) whose state changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionChange {
    /// What it is.
    pub kind: SessionKind,
    /// One speaker (the first by kind and name).
    pub a: String,
    /// The other.
    pub b: String,
    /// The connections it runs over, by name.
    pub connections: Vec<String>,
    /// Before.
    pub before: SessionState,
    /// After.
    pub after: SessionState,
}

/// A speaker whose number of learned prefixes changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnedCount {
    /// Its name.
    pub speaker: String,
    /// `gateway` or `route_server`.
    pub kind: &'static str,
    /// Prefixes learned before (`None`: it did not exist).
    pub before: Option<usize>,
    /// After.
    pub after: Option<usize>,
}

/// BGP changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BgpChanges {
    /// Sessions that came up, went down, appeared or disappeared.
    pub sessions: Vec<SessionChange>,
    /// Learned-prefix counts that changed.
    pub learned_counts: Vec<LearnedCount>,
}

/// Findings and warnings that are new or resolved (by code and message).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    /// Only after.
    pub new: Vec<Diagnostic>,
    /// Only before.
    pub resolved: Vec<Diagnostic>,
}

/// Everything that changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diff {
    /// Subnets whose tables changed, by `vnet/subnet`.
    pub routes: Vec<SubnetDiff>,
    /// Reachability.
    pub reachability: Reachability,
    /// BGP.
    pub bgp: BgpChanges,
    /// Findings and warnings.
    pub findings: Findings,
}

/// Which changes make `ersim diff` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FailOn {
    /// A pair that loses reachability (the default).
    #[default]
    Lost,
    /// Any change.
    Any,
}

impl Diff {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
            && self.reachability.lost_count == 0
            && self.reachability.gained_count == 0
            && self.bgp.sessions.is_empty()
            && self.bgp.learned_counts.is_empty()
            && self.findings.new.is_empty()
            && self.findings.resolved.is_empty()
    }

    /// 1 when a pair lost reachability (or, with [`FailOn::Any`], anything changed), else 0.
    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        let fail = match fail_on {
            FailOn::Lost => self.reachability.lost_count > 0,
            FailOn::Any => !self.is_empty(),
        };
        u8::from(fail)
    }
}

/// Compare two designs.
pub fn diff(before: Side<'_>, after: Side<'_>) -> Result<Diff, matrix::MatrixError> {
    // Independent parts, side by side.
    let (routes, reachability) = rayon::join(|| routes(before.sim, after.sim), || reachability(before.sim, after.sim));
    Ok(Diff {
        routes,
        reachability: reachability?,
        bgp: BgpChanges { sessions: sessions(before.sim, after.sim), learned_counts: learned(before.sim, after.sim) },
        findings: findings(before, after),
    })
}

// ------------------------------------------------------------------------------------ routes

/// Every subnet's id, by `vnet/subnet`.
fn subnets(sim: &Simulation) -> BTreeMap<String, SubnetId> {
    let m = &sim.model;
    (0..m.subnets.len() as u32).map(SubnetId).map(|s| (m.subnet_path(s), s)).collect()
}

/// A subnet's table, built for the comparison and dropped after it (the simulation's cache would
/// keep every subnet's table of both designs).
fn table(sim: &Simulation, s: SubnetId) -> SubnetTable {
    let v = sim.model.subnets[s.idx()].vnet;
    SubnetTable::build(&sim.model, s, sim.domain_of(v))
}

/// A table's rows (next hops merged).
fn rows(t: &SubnetTable) -> Vec<TableRow> {
    let flag = t.disable_bgp_route_propagation();
    t.rows().into_iter().map(|row| TableRow { row, disable_bgp_route_propagation: flag }).collect()
}

/// What a row shows (its origin holds ids of one design, so it is left out).
fn shown(r: &TableRow) -> impl Ord + '_ {
    let row = &r.row;
    (row.source, row.state, row.next_hop_type, &row.next_hop_ips, &row.udr_name, r.disable_bgp_route_propagation)
}

/// Pair `before` and `after` rows that `same` matches, in order; the pairs and what is left.
fn pair_off(
    before: &mut Vec<TableRow>,
    after: &mut Vec<TableRow>,
    same: impl Fn(&TableRow, &TableRow) -> bool,
) -> Vec<(TableRow, TableRow)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < before.len() {
        match after.iter().position(|a| same(&before[i], a)) {
            Some(j) => out.push((before.remove(i), after.remove(j))),
            None => i += 1,
        }
    }
    out
}

/// The changes to one table: per prefix, identical rows cancel; then rows of the same source and
/// next hop type, then of the same source, then any remaining rows pair up as changed; the rest are
/// added or removed.
fn row_changes(before: Vec<TableRow>, after: Vec<TableRow>) -> Vec<RowChange> {
    // Tables print in D10 order: equal tables are equal row by row (the common case, checked first).
    if before.len() == after.len()
        && before.iter().zip(&after).all(|(x, y)| x.row.prefix == y.row.prefix && shown(x) == shown(y))
    {
        return Vec::new();
    }
    // Both lists are in D10 order: walk them side by side and cancel the identical rows met at
    // the same place (most of a large table). What is left goes through the pairing below, which
    // would have cancelled those rows first anyway.
    let same = |x: &TableRow, y: &TableRow| x.row.prefix == y.row.prefix && shown(x) == shown(y);
    let mut by_prefix: BTreeMap<IpNet, (Vec<TableRow>, Vec<TableRow>)> = BTreeMap::new();
    let (mut bs, mut as_) = (before.into_iter().peekable(), after.into_iter().peekable());
    loop {
        let step = match (bs.peek(), as_.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) if same(x, y) => {
                bs.next();
                as_.next();
                continue;
            }
            (Some(x), Some(y)) => x.row.order_key().cmp(&y.row.order_key()),
        };
        if step != Ordering::Greater {
            let r = bs.next().expect("peeked");
            by_prefix.entry(r.row.prefix).or_default().0.push(r);
        }
        if step != Ordering::Less {
            let r = as_.next().expect("peeked");
            by_prefix.entry(r.row.prefix).or_default().1.push(r);
        }
    }
    let mut out = Vec::new();
    for (_, (mut b, mut a)) in by_prefix {
        pair_off(&mut b, &mut a, |x, y| shown(x) == shown(y));
        let kind =
            |x: &TableRow, y: &TableRow| (x.row.source, x.row.next_hop_type) == (y.row.source, y.row.next_hop_type);
        let mut changed = pair_off(&mut b, &mut a, kind);
        changed.extend(pair_off(&mut b, &mut a, |x, y| x.row.source == y.row.source));
        changed.extend(pair_off(&mut b, &mut a, |_, _| true));
        out.extend(changed.into_iter().map(|(before, after)| RowChange::Changed { before, after }));
        out.extend(b.into_iter().map(RowChange::Removed));
        out.extend(a.into_iter().map(RowChange::Added));
    }
    let rank = |c: &RowChange| match c {
        RowChange::Removed(_) => 0,
        RowChange::Changed { .. } => 1,
        RowChange::Added(_) => 2,
    };
    out.sort_by_cached_key(|c| (c.row().order_key(), rank(c)));
    out
}

/// Subnet by subnet (one pair of tables materialised at a time: a large estate's rows are never
/// all held at once).
fn routes(before: &Simulation, after: &Simulation) -> Vec<SubnetDiff> {
    let (b, a) = (subnets(before), subnets(after));
    let names: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    // Equal change lists are kept once (an estate-wide change repeats in every spoke).
    let mut kept: HashMap<u64, Vec<Arc<[RowChange]>>> = HashMap::new();
    let mut share = |changes: Vec<RowChange>| -> Arc<[RowChange]> {
        let list = kept.entry(changes_hash(&changes)).or_default();
        if let Some(a) = list.iter().find(|a| same_changes(a, &changes)) {
            return a.clone();
        }
        let a: Arc<[RowChange]> = changes.into();
        list.push(a.clone());
        a
    };
    // Whether two domains offer the same routes, by hub name (compared once per pair of hubs).
    let mut same_domain: HashMap<(Option<String>, Option<String>), bool> = HashMap::new();
    names
        .into_iter()
        .filter_map(|subnet| {
            let (sb, sa) = (b.get(subnet).copied(), a.get(subnet).copied());
            // A table is its own rows over its domain's routes: when both are the same, so is
            // every row, and the (large) gateway part is not compared row by row.
            if let (Some(sb), Some(sa)) = (sb, sa) {
                let (tb, ta) = (table(before, sb), table(after, sa));
                let hub = |sim: &Simulation, t: &SubnetTable| {
                    t.domain.as_ref().map(|d| sim.model.vnets[d.hub.idx()].name.clone())
                };
                let key = (hub(before, &tb), hub(after, &ta));
                let domains_equal = *same_domain.entry(key).or_insert_with(|| match (&tb.domain, &ta.domain) {
                    (None, None) => true,
                    (Some(x), Some(y)) => {
                        x.routes.len() == y.routes.len()
                            && x.routes
                                .iter()
                                .zip(&y.routes)
                                .all(|(p, q)| p.prefix == q.prefix && p.next_hops == q.next_hops)
                    }
                    _ => false,
                });
                let own = |t: &SubnetTable| {
                    let flag = t.disable_bgp_route_propagation();
                    t.own
                        .iter()
                        .map(|row| TableRow { row: row.clone(), disable_bgp_route_propagation: flag })
                        .collect::<Vec<_>>()
                };
                let (ob, oa) = (own(&tb), own(&ta));
                if domains_equal
                    && ob.len() == oa.len()
                    && ob.iter().zip(&oa).all(|(x, y)| x.row.prefix == y.row.prefix && shown(x) == shown(y))
                {
                    return None;
                }
                let changes = row_changes(rows(&tb), rows(&ta));
                return (!changes.is_empty()).then(|| SubnetDiff { subnet: subnet.clone(), changes: share(changes) });
            }
            let side = |sim: &Simulation, s: Option<SubnetId>| s.map(|s| rows(&table(sim, s))).unwrap_or_default();
            let changes = row_changes(side(before, sb), side(after, sa));
            (!changes.is_empty()).then(|| SubnetDiff { subnet: subnet.clone(), changes: share(changes) })
        })
        .collect()
}

// ------------------------------------------------------------------------------ reachability

/// One design's matrix with every on-premises router as a destination, and each node's domain.
struct Pairs {
    mx: Matrix,
    index: HashMap<String, usize>,
    domain: Vec<String>,
}

impl Pairs {
    fn new(sim: &Simulation) -> Result<Pairs, matrix::MatrixError> {
        let sel = matrix::Selection { include_onprem: true, ..Default::default() };
        let mx = matrix::compute(sim, &sel, &mut |_, _| {})?;
        let index = mx.names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        let domain = mx.nodes.iter().map(|x| x.domain(&sim.model)).collect();
        Ok(Pairs { mx, index, domain })
    }

    /// (delivered both ways, first drop reason) of a pair of node indices, when both ends are
    /// in this design.
    fn state(&self, a: Option<usize>, b: Option<usize>) -> (bool, Option<DropReason>) {
        match (a, b) {
            (Some(a), Some(b)) => self.mx.verdict(a, b),
            _ => (false, None),
        }
    }
}

/// The first drop of a pair in one design, by a full trace of both ways.
fn first_drop(sim: &Simulation, from: &str, to: &str, kind: PairKind) -> Option<FirstDrop> {
    let m = &sim.model;
    let a = Endpoint::Vnet(m.vnet_by_name(from)?);
    let b = match kind {
        PairKind::Vnet => Endpoint::Vnet(m.vnet_by_name(to)?),
        PairKind::Onprem => Endpoint::Onprem(m.onprem_by_name(to)?),
    };
    let (fh, th) = forward::hosts(sim, &a, &b).ok()?;
    let r = forward::reach_hosts(sim, &fh, &th);
    let first = |direction, t: &forward::Trace| t.drops().first().map(|d| FirstDrop { direction, drop: (*d).clone() });
    first(Direction::Forward, &r.forward).or_else(|| r.back.as_ref().and_then(|b| first(Direction::Return, b)))
}

/// Every pair of VNets (unordered: delivered both ways is symmetric) and every VNet with every
/// on-premises router, compared between the designs — by rectangles of pairs, never pair by pair.
///
/// In each design a pair's verdict depends only on its source's and destination's groups
/// ([`Matrix::groups_of`]); names alike in both designs (same groups in each, same domain) form a
/// joint group, and every pair of one joint group × another has one verdict before and one
/// after. So verdicts and per-domain counts are read once per pair of joint groups, and pairs are
/// produced one by one only for the rectangles that changed, in name order, up to
/// [`MAX_LISTED`]: nothing of size pairs is held.
fn reachability(before: &Simulation, after: &Simulation) -> Result<Reachability, matrix::MatrixError> {
    let (pb, pa) = rayon::join(|| Pairs::new(before), || Pairs::new(after));
    let (pb, pa) = (pb?, pa?);
    // Every name of either design, VNets then routers, by name (the matrices' order).
    let mut vnets: BTreeSet<&str> = BTreeSet::new();
    let mut routers: BTreeSet<&str> = BTreeSet::new();
    for p in [&pb, &pa] {
        for (x, n) in p.mx.nodes.iter().zip(&p.mx.names) {
            match x {
                Node::Vnet(_) => vnets.insert(n.as_str()),
                Node::Onprem(_) => routers.insert(n.as_str()),
            };
        }
    }
    let names: Vec<&str> = vnets.iter().chain(routers.iter()).copied().collect();
    let nv = vnets.len();
    let ib: Vec<Option<usize>> = names.iter().map(|n| pb.index.get(*n).copied()).collect();
    let ia: Vec<Option<usize>> = names.iter().map(|n| pa.index.get(*n).copied()).collect();
    // A node's domain where it has one: after (a spoke that joins a hub), else before (a hub
    // whose gateway went down); routers are `on-premises`.
    let mut domains: Vec<String> = Vec::new();
    let mut dom_id: HashMap<String, usize> = HashMap::new();
    let dom: Vec<usize> = (0..names.len())
        .map(|k| {
            let d = if k >= nv {
                "on-premises".to_string()
            } else {
                [ia[k].map(|i| pa.domain[i].as_str()), ib[k].map(|i| pb.domain[i].as_str())]
                    .into_iter()
                    .flatten()
                    .find(|d| *d != "-")
                    .unwrap_or("-")
                    .to_string()
            };
            let next = domains.len();
            *dom_id.entry(d.clone()).or_insert_with(|| {
                domains.push(d);
                next
            })
        })
        .collect();
    let nd = domains.len();
    // Each domain's place in name order, so a pair's domains are ordered without comparing text.
    let mut order: Vec<usize> = (0..nd).collect();
    order.sort_by(|&a, &b| domains[a].cmp(&domains[b]));
    let mut rank = vec![0usize; nd];
    for (r, &d) in order.iter().enumerate() {
        rank[d] = r;
    }
    // Joint groups: names alike in both designs, of one domain, VNets apart from routers.
    let (gb, ga) = (pb.mx.groups_of(), pa.mx.groups_of());
    let of = |g: &[u32], i: Option<usize>| i.map_or(u32::MAX, |i| g[i]);
    let mut ids: HashMap<[u32; 6], u32> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut joint: Vec<u32> = Vec::with_capacity(names.len());
    for k in 0..names.len() {
        let key =
            [of(&gb.0, ib[k]), of(&gb.1, ib[k]), of(&ga.0, ia[k]), of(&ga.1, ia[k]), dom[k] as u32, u32::from(k >= nv)];
        let next = members.len() as u32;
        let id = *ids.entry(key).or_insert(next);
        if id == next {
            members.push(Vec::new());
        }
        members[id as usize].push(k);
        joint.push(id);
    }
    let ng = members.len();
    // (pairs, delivered before, delivered after, lost, gained) per pair of domains.
    let mut counts = vec![[0usize; 5]; nd * nd];
    let mut out = Reachability::default();
    // Per joint group on the `from` side: the `to` groups whose rectangle changed, with whether
    // it was lost and the reason to list (the new drop's if lost, the old one's if gained).
    let mut changed: Vec<Vec<(u32, bool, Option<DropReason>)>> = vec![Vec::new(); ng];
    for p in 0..ng {
        for q in p..ng {
            let (mp, mq) = (&members[p], &members[q]);
            if mp[0] >= nv && mq[0] >= nv {
                continue; // routers with routers: not pairs
            }
            // Unordered pairs {x, y} are visited as x < y: count each orientation.
            let (pq, qp) = if p == q {
                (mp.len() * (mp.len() - 1) / 2, 0)
            } else {
                let below = ordered_pairs(mp, mq);
                (below, mp.len() * mq.len() - below)
            };
            for (xg, yg, c) in [(p, q, pq), (q, p, qp)] {
                if c == 0 || (p == q && xg != p) {
                    continue;
                }
                let (mx, my) = (&members[xg], &members[yg]);
                // Any x ≠ y of the rectangle stands for all of it.
                let (x, y) = if mx[0] != my[0] { (mx[0], my[0]) } else { (mx[0], my[1]) };
                let (db, rb) = pb.state(ib[x], ib[y]);
                let (da, ra) = pa.state(ia[x], ia[y]);
                let (dx, dy) =
                    if y >= nv || rank[dom[x]] <= rank[dom[y]] { (dom[x], dom[y]) } else { (dom[y], dom[x]) };
                let cnt = &mut counts[dx * nd + dy];
                cnt[0] += c;
                cnt[1] += if db { c } else { 0 };
                cnt[2] += if da { c } else { 0 };
                if db == da {
                    continue;
                }
                cnt[if db { 3 } else { 4 }] += c;
                if db {
                    out.lost_count += c;
                } else {
                    out.gained_count += c;
                }
                changed[xg].push((yg as u32, db, if db { ra } else { rb }));
            }
        }
    }
    // The changed pairs, in name order, as many as are listed.
    let (want_lost, want_gained) = (out.lost_count.min(MAX_LISTED), out.gained_count.min(MAX_LISTED));
    let mut traced = 0usize;
    for x in 0..nv {
        if out.lost.len() == want_lost && out.gained.len() == want_gained {
            break;
        }
        let rects = &changed[joint[x] as usize];
        if rects.is_empty() {
            continue;
        }
        let mut ys: Vec<(usize, bool, Option<DropReason>)> = rects
            .iter()
            .flat_map(|&(g, lost, reason)| {
                members[g as usize].iter().filter(move |&&y| y > x).map(move |&y| (y, lost, reason))
            })
            .collect();
        ys.sort_unstable_by_key(|t| t.0);
        for (y, lost, reason) in ys {
            let list = if lost { &mut out.lost } else { &mut out.gained };
            if list.len() >= MAX_LISTED {
                continue;
            }
            let kind = if y >= nv { PairKind::Onprem } else { PairKind::Vnet };
            let side = if lost { after } else { before };
            // Pairs name a router without the matrix's `onprem:` prefix; `kind` says what it is.
            let (from, to) = (names[x].to_string(), names[y].strip_prefix("onprem:").unwrap_or(names[y]).to_string());
            let drop = (traced < MAX_TRACED).then(|| first_drop(side, &from, &to, kind)).flatten();
            traced += 1;
            list.push(Pair { from, to, kind, reason, drop });
        }
    }
    out.summary = summaries(&counts, &domains);
    Ok(out)
}

/// The per-domain lines of the changed pairs of domains, in name order.
fn summaries(counts: &[[usize; 5]], domains: &[String]) -> Vec<DomainSummary> {
    let nd = domains.len();
    let mut summary: Vec<DomainSummary> = Vec::new();
    for dx in 0..nd {
        for dy in 0..nd {
            let c = counts[dx * nd + dy];
            if c[3] + c[4] > 0 {
                summary.push(DomainSummary {
                    from: domains[dx].clone(),
                    to: domains[dy].clone(),
                    pairs: c[0],
                    delivered_before: c[1],
                    delivered_after: c[2],
                    lost: c[3],
                    gained: c[4],
                });
            }
        }
    }
    summary.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    summary
}

/// How many (x, y) with x in `xs`, y in `ys` and x < y (both ascending).
fn ordered_pairs(xs: &[usize], ys: &[usize]) -> usize {
    let mut j = 0; // ys[..j] are <= the current x
    let mut n = 0;
    for &x in xs {
        while j < ys.len() && ys[j] <= x {
            j += 1;
        }
        n += ys.len() - j;
    }
    n
}

// ---------------------------------------------------------------------------------------- bgp

/// A speaker's kind, for ordering and telling equal names apart.
fn speaker_kind(s: Speaker) -> &'static str {
    match s {
        Speaker::Onprem(_) => "onprem",
        Speaker::Circuit(_) => "circuit",
        Speaker::Gateway(_) => "gateway",
        Speaker::RouteServer(_) => "route_server",
        Speaker::Nva(_) => "bgp_peer",
    }
}

type SessionKey = (SessionKind, (&'static str, String), (&'static str, String));

/// Every BGP session of a design (static injections are not sessions), both directions as one:
/// its connections and whether it is down.
fn session_states(sim: &Simulation) -> BTreeMap<SessionKey, (BTreeSet<String>, SessionState)> {
    let m = &sim.model;
    let b = &sim.bgp;
    let mut out: BTreeMap<SessionKey, (BTreeSet<String>, SessionState)> = BTreeMap::new();
    for s in b.sessions.iter().filter(|s| s.kind != SessionKind::Static) {
        let end = |id: crate::bgp::SpeakerId| {
            let sp = b.speakers[id.0 as usize];
            (speaker_kind(sp), speaker_name(m, sp))
        };
        let (x, y) = (end(s.from), end(s.to));
        let (x, y) = if x <= y { (x, y) } else { (y, x) };
        let e = out.entry((s.kind, x, y)).or_insert((BTreeSet::new(), SessionState::Up));
        if let Some(c) = s.connection {
            e.0.insert(m.connections[c.idx()].name.clone());
        }
        if let Some(r) = &s.down {
            e.1 = SessionState::Down(r.clone());
        }
    }
    out
}

fn sessions(before: &Simulation, after: &Simulation) -> Vec<SessionChange> {
    let (mut sb, mut sa) = (session_states(before), session_states(after));
    let keys: BTreeSet<SessionKey> = sb.keys().chain(sa.keys()).cloned().collect();
    let mut out = Vec::new();
    for key in keys {
        let b = sb.remove(&key);
        let a = sa.remove(&key);
        let connections: BTreeSet<String> =
            b.iter().chain(a.iter()).flat_map(|(c, _)| c.iter().cloned()).collect::<BTreeSet<_>>();
        let before = b.map(|x| x.1).unwrap_or(SessionState::Absent);
        let after = a.map(|x| x.1).unwrap_or(SessionState::Absent);
        if before != after {
            let (kind, (_, a), (_, b)) = key;
            out.push(SessionChange { kind, a, b, connections: connections.into_iter().collect(), before, after });
        }
    }
    out
}

/// Prefixes each gateway and route server learned over a session, by (kind, name).
fn learned_counts(sim: &Simulation) -> BTreeMap<(&'static str, String), usize> {
    let m = &sim.model;
    let b = &sim.bgp;
    let count = |sp: crate::bgp::SpeakerId| b.ribs[sp.0 as usize].values().filter(|e| !e.ins.is_empty()).count();
    let gateways = m.gateways.iter().zip(&b.gateway_speaker).map(|(g, sp)| (("gateway", g.name.clone()), count(*sp)));
    let servers = m
        .route_servers
        .iter()
        .zip(&b.route_server_speaker)
        .map(|(r, sp)| (("route_server", r.name.clone()), count(*sp)));
    gateways.chain(servers).collect()
}

fn learned(before: &Simulation, after: &Simulation) -> Vec<LearnedCount> {
    let (b, a) = (learned_counts(before), learned_counts(after));
    let keys: BTreeSet<&(&'static str, String)> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (b.get(k).copied(), a.get(k).copied());
            (x != y).then(|| LearnedCount { speaker: k.1.clone(), kind: k.0, before: x, after: y })
        })
        .collect()
}

// ----------------------------------------------------------------------------------- findings

/// A design's findings and warnings by (code, message): validation's, `--down`'s and lint's.
fn diagnostics(side: Side<'_>) -> BTreeMap<(Code, String), Diagnostic> {
    side.warnings.iter().cloned().chain(lint::lint(side.sim)).map(|d| ((d.code, d.message.clone()), d)).collect()
}

fn findings(before: Side<'_>, after: Side<'_>) -> Findings {
    let (mut b, mut a) = (diagnostics(before), diagnostics(after));
    let common: Vec<(Code, String)> = b.keys().filter(|k| a.contains_key(*k)).cloned().collect();
    for k in common {
        b.remove(&k);
        a.remove(&k);
    }
    Findings { new: a.into_values().collect(), resolved: b.into_values().collect() }
}
