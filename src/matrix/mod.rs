//! `ersim matrix`: every selected VNet (and, on request, on-premises router) to every other,
//! delivered both ways or not, with the drop reasons — computed per class, never per pair.
//!
//! Sources that forward alike form a class ([`classes`]): one representative's walk answers for
//! every member. A one-way verdict is computed once per (source class, destination) and kept,
//! interned, in a table of classes × nodes; the few pairs whose destination lies inside the
//! source's own address space (what a class abstracts away) are walked one by one. The verdict
//! of a pair is the two directions paired as `reach` pairs them (D19). Nodes that see and are
//! seen alike form groups ([`blocks`]), and the matrix is reported as rectangles of groups with
//! one verdict each. Nothing of size pairs is held: single pairs are produced on demand.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

use crate::forward::{self, DropReason, Host, Prober, Summary};
use crate::model::*;
use crate::simulation::Simulation;

pub mod blocks;
mod classes;
mod select;

pub use blocks::{Block, Change, NotAligned, Totals, changes};
pub use select::Selection;

/// The most verdict cells (classes × nodes, plus pairs walked one by one) a matrix holds: 32 Mi
/// cells of four bytes, 128 MiB.
pub const MAX_CELLS: usize = 1 << 25;

/// What can stop a matrix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// `--from` / `--to` items that match nothing, or are not valid globs.
    #[error("{}", .0.join("\nerror: "))]
    Selector(Vec<String>),
    /// More verdict cells than the bound ([`MAX_CELLS`]).
    #[error(
        "this matrix needs {cells} verdict cells ({classes} source classes × {nodes} VNets and routers, plus {one_by_one} pairs walked one by one), more than the {limit} ersim holds (four bytes each): the sources differ too much to share work. Narrow it with --from/--to (for example --from hub:NAME, or --from 'spoke1*')"
    )]
    TooLarge {
        /// The bound.
        limit: usize,
        /// Cells needed.
        cells: usize,
        /// Source classes.
        classes: usize,
        /// Nodes.
        nodes: usize,
        /// Pairs whose destination is inside the source's own space.
        one_by_one: usize,
    },
}

/// A VNet or an on-premises router in the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// A VNet (its first NIC, or a synthetic host, as `reach` picks).
    Vnet(VnetId),
    /// An on-premises router (an address it advertises).
    Onprem(OnpremId),
}

impl Node {
    /// Its name as the matrix prints it (`onprem:` before a router's name).
    pub fn name(&self, m: &Model) -> String {
        match self {
            Node::Vnet(v) => m.vnets[v.idx()].name.clone(),
            Node::Onprem(o) => format!("onprem:{}", m.onprems[o.idx()].name),
        }
    }

    /// The hub whose gateways it uses (`-`: none; `onprem` for routers), for the summary.
    pub fn domain(&self, m: &Model) -> String {
        match self {
            Node::Vnet(v) => m.domain_of(*v).map(|h| m.vnets[h.idx()].name.clone()).unwrap_or_else(|| "-".into()),
            Node::Onprem(_) => "onprem".into(),
        }
    }

    fn endpoint(&self) -> Endpoint {
        match self {
            Node::Vnet(v) => Endpoint::Vnet(*v),
            Node::Onprem(o) => Endpoint::Onprem(*o),
        }
    }
}

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
    /// One of the two has no host to start from, or their addresses are of different families.
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

    /// Whether delivered both ways.
    pub fn delivered(&self) -> bool {
        matches!(self, Cell::Delivered)
    }
}

/// Not computed: the cell is never asked for.
const NONE: u32 = u32::MAX;

/// The matrix: nodes, classes, and the one-way verdicts per (class, destination).
#[derive(Debug)]
pub struct Matrix {
    /// Every node of either side, VNets by name, then routers by name.
    pub nodes: Vec<Node>,
    /// Names of `nodes`.
    pub names: Vec<String>,
    /// Indices of the `--from` nodes, in node order.
    pub from: Vec<u32>,
    /// Indices of the `--to` nodes, in node order.
    pub to: Vec<u32>,
    in_from: Vec<bool>,
    in_to: Vec<bool>,
    /// (source, destination) host per node.
    hosts: Vec<Option<(Host, Host)>>,
    /// The destination host's address per node.
    dst_ip: Vec<Option<IpAddr>>,
    class_of: Vec<u32>,
    classes: usize,
    /// `f[class * nodes + destination]`: interned one-way summary.
    f: Vec<u32>,
    /// One-way summaries of pairs whose destination lies in the source's own space.
    one_by_one: HashMap<(u32, u32), u32>,
    summaries: Vec<Summary>,
}

/// Interns summaries: few are distinct.
#[derive(Default)]
struct Interner {
    ids: HashMap<Summary, u32>,
    all: Vec<Summary>,
}

impl Interner {
    fn id(&mut self, s: Summary) -> u32 {
        if let Some(i) = self.ids.get(&s) {
            return *i;
        }
        let i = self.all.len() as u32;
        self.ids.insert(s.clone(), i);
        self.all.push(s);
        i
    }
}

impl Matrix {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Number of source classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The source class of a node.
    pub fn class_of(&self, a: usize) -> usize {
        self.class_of[a] as usize
    }

    /// Ordered pairs the matrix covers (`from` × `to` without the diagonal).
    pub fn pairs(&self) -> u64 {
        let both = (0..self.len()).filter(|&i| self.in_from[i] && self.in_to[i]).count() as u64;
        self.from.len() as u64 * self.to.len() as u64 - both
    }

    fn one(&self, a: usize, b: usize) -> Option<&Summary> {
        let id = match self.one_by_one.get(&(a as u32, b as u32)) {
            Some(id) => *id,
            None => self.f[self.class_of[a] as usize * self.len() + b],
        };
        (id != NONE).then(|| &self.summaries[id as usize])
    }

    /// The cell of `a` → `b` (node indices; `a` a source side node, `b` a destination side one).
    pub fn cell(&self, a: usize, b: usize) -> Cell {
        if a == b {
            return Cell::Same;
        }
        if self.hosts[a].is_none() || self.hosts[b].is_none() {
            return Cell::NoHost;
        }
        match (self.one(a, b), self.one(b, a)) {
            (Some(f), Some(r)) => {
                let (f, r) = Summary::pair(f, r);
                if f.delivered && r.delivered {
                    Cell::Delivered
                } else {
                    Cell::Dropped {
                        forward: if f.delivered { Vec::new() } else { f.reasons() },
                        back: if r.delivered { Vec::new() } else { r.reasons() },
                    }
                }
            }
            _ => Cell::NoHost,
        }
    }

    /// Whether `a` → `b` is delivered both ways, and else its first drop reason: [`Matrix::cell`]
    /// without building the cell when both ways deliver (the common case, for loops over pairs).
    pub fn verdict(&self, a: usize, b: usize) -> (bool, Option<DropReason>) {
        if a != b
            && self.hosts[a].is_some()
            && self.hosts[b].is_some()
            && let (Some(f), Some(r)) = (self.one(a, b), self.one(b, a))
            && f.stateful == r.stateful
        {
            // No stateful device crossed on one way only: D19 changes nothing.
            let reason = if f.delivered { r.first_reason() } else { f.first_reason() };
            return (f.delivered && r.delivered, reason);
        }
        let c = self.cell(a, b);
        (c.delivered(), c.reason())
    }

    /// Whether `a` → `b` is delivered both ways.
    pub fn delivered(&self, a: usize, b: usize) -> bool {
        self.verdict(a, b).0
    }

    /// The first drop reason of `a` → `b` (forward, else return), if not delivered.
    pub fn reason(&self, a: usize, b: usize) -> Option<DropReason> {
        self.verdict(a, b).1
    }

    /// The index of a node by its printed name (a VNet's name, `onprem:NAME`).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The address a node is reached at as a destination, if it has a host.
    pub fn address(&self, a: usize) -> Option<IpAddr> {
        self.dst_ip[a]
    }

    /// Whether `a` is on the `--from` side and `b` on the `--to` side.
    pub fn covers(&self, a: usize, b: usize) -> bool {
        a != b && self.in_from[a] && self.in_to[b]
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

/// The address space a source's first move treats as its own (an on-premises router: none).
fn own_space(m: &Model, n: Node) -> &[IpNet] {
    match n {
        Node::Vnet(v) => &m.vnets[v.idx()].address_space,
        Node::Onprem(_) => &[],
    }
}

/// The matrix of a whole estate.
pub fn matrix(sim: &Simulation) -> Result<Matrix, MatrixError> {
    compute(sim, &Selection::default(), &mut |_, _| {})
}

/// Compute a matrix over a selection. `progress(done, total)` is called as destinations are
/// finished.
pub fn compute(
    sim: &Simulation,
    sel: &Selection,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Matrix, MatrixError> {
    let m = &sim.model;
    let (from, to) = sel.resolve(m).map_err(MatrixError::Selector)?;
    let mut nodes: Vec<Node> = from.union(&to).copied().collect();
    let names_of = |n: &Node| (matches!(n, Node::Onprem(_)), n.name(m));
    nodes.sort_by_cached_key(names_of);
    let names: Vec<String> = nodes.iter().map(|n| n.name(m)).collect();
    let n = nodes.len();
    let in_from: Vec<bool> = nodes.iter().map(|x| from.contains(x)).collect();
    let in_to: Vec<bool> = nodes.iter().map(|x| to.contains(x)).collect();
    let hosts: Vec<Option<(Host, Host)>> = nodes
        .iter()
        .map(|x| {
            let e = x.endpoint();
            forward::hosts(sim, &e, &e).ok()
        })
        .collect();
    let sources: Vec<Option<Host>> = hosts.iter().map(|h| h.map(|(s, _)| s)).collect();
    let (class_of, members) = classes::assign(sim, &sources);
    let classes = members.len();
    // Which classes have a member on each side.
    let mut class_from = vec![false; classes];
    let mut class_to = vec![false; classes];
    for i in 0..n {
        class_from[class_of[i] as usize] |= in_from[i];
        class_to[class_of[i] as usize] |= in_to[i];
    }
    // Pairs whose destination lies inside the source's own space.
    let mut spaces: JointPrefixMap<IpNet, Vec<u32>> = JointPrefixMap::new();
    for (i, x) in nodes.iter().enumerate() {
        for a in own_space(m, *x) {
            spaces.entry(*a).or_default().push(i as u32);
        }
    }
    let dst_ip: Vec<Option<IpAddr>> = hosts.iter().map(|h| h.map(|(_, d)| d.ip(m))).collect();
    let inside = |y: usize| -> Vec<u32> {
        let Some(ip) = dst_ip[y] else { return Vec::new() };
        let mut xs: Vec<u32> = spaces.cover(&IpNet::from(ip)).flat_map(|(_, v)| v.iter().copied()).collect();
        xs.sort_unstable();
        xs.dedup();
        xs.retain(|&x| {
            let x = x as usize;
            x != y && hosts[x].is_some() && ((in_from[x] && in_to[y]) || (in_to[x] && in_from[y]))
        });
        xs
    };
    let one_by_one_count: usize = (0..n).map(|y| inside(y).len()).sum();
    let cells = classes.saturating_mul(n).saturating_add(one_by_one_count);
    if cells > sel.max_cells {
        return Err(MatrixError::TooLarge {
            limit: sel.max_cells,
            cells,
            classes,
            nodes: n,
            one_by_one: one_by_one_count,
        });
    }
    let mut f = vec![NONE; classes * n];
    let mut one_by_one = HashMap::new();
    let mut interner = Interner::default();
    let mut prober = Prober::new(sim);
    let own_contains = |x: u32, ip: IpAddr| own_space(m, nodes[x as usize]).iter().any(|a| a.contains(&ip));
    for y in 0..n {
        let (Some((_, dst)), Some(ip)) = (hosts[y], dst_ip[y]) else {
            progress(y + 1, n);
            continue;
        };
        // The memo holds walks toward this destination only.
        prober.clear();
        for (c, ms) in members.iter().enumerate() {
            let wanted = (class_from[c] && in_to[y]) || (class_to[c] && in_from[y]);
            if !wanted {
                continue;
            }
            let Some(rep) = ms.iter().copied().find(|&x| x as usize != y && !own_contains(x, ip)) else { continue };
            let (src, _) = hosts[rep as usize].expect("class members have hosts");
            if src.ip(m).is_ipv4() != ip.is_ipv4() {
                continue;
            }
            f[c * n + y] = interner.id(prober.one_way(&src, &dst));
        }
        for x in inside(y) {
            let (src, _) = hosts[x as usize].expect("filtered on hosts");
            if src.ip(m).is_ipv4() == ip.is_ipv4() {
                one_by_one.insert((x, y as u32), interner.id(prober.one_way(&src, &dst)));
            }
        }
        progress(y + 1, n);
    }
    let idx = |flags: &[bool]| (0..n as u32).filter(|i| flags[*i as usize]).collect::<Vec<_>>();
    Ok(Matrix {
        from: idx(&in_from),
        to: idx(&in_to),
        nodes,
        names,
        in_from,
        in_to,
        hosts,
        dst_ip,
        class_of,
        classes,
        f,
        one_by_one,
        summaries: interner.all,
    })
}
