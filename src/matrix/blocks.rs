//! Groups of nodes that see and are seen alike, and the matrix as rectangles of one verdict.
//!
//! A pair's verdict reads two one-way summaries: the source's class toward the destination, and
//! the destination's class toward the source. So a source-side node is characterised by its
//! class and the column of summaries every destination-side class has toward it, and the other
//! way round; nodes with equal characteristics are a group, and every pair of a group × group
//! rectangle has the same verdict. For each source-side group, the destination groups with the
//! same verdict are merged into one [`Block`]. Work and memory grow with nodes × classes and
//! groups × groups, never with pairs.

use std::collections::{BTreeMap, HashMap};

use super::{Cell, Matrix, NONE};
use crate::forward::DropReason;
use crate::model::Model;

/// A rectangle of pairs with one verdict: every `from` node to every `to` node but itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Source-side nodes (indices, ascending).
    pub from: Vec<u32>,
    /// Destination-side nodes (indices, ascending).
    pub to: Vec<u32>,
    /// Ordered pairs covered (the diagonal excluded).
    pub pairs: u64,
    /// The verdict of each of them.
    pub cell: Cell,
}

/// Counts over the whole matrix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Ordered pairs.
    pub pairs: u64,
    /// Pairs delivered both ways.
    pub delivered: u64,
    /// Pairs per first drop reason.
    pub legend: BTreeMap<DropReason, u64>,
    /// Per (source domain, destination domain): (delivered, pairs).
    pub domains: BTreeMap<(String, String), (u64, u64)>,
    /// Blocks.
    pub blocks: u64,
}

struct Groups {
    of: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl Matrix {
    /// Nodes in a pair walked one by one (their verdicts are their own).
    fn alone(&self) -> Vec<bool> {
        let mut alone = vec![false; self.len()];
        for (a, b) in self.one_by_one.keys() {
            alone[*a as usize] = true;
            alone[*b as usize] = true;
        }
        alone
    }

    /// Group `side`'s nodes by class and by the summaries the `other` side's classes have toward them.
    fn groups(&self, side: &[u32], other: &[u32], alone: &[bool]) -> Groups {
        let n = self.len();
        let mut other_classes: Vec<usize> = other.iter().map(|x| self.class_of[*x as usize] as usize).collect();
        other_classes.sort_unstable();
        other_classes.dedup();
        let mut ids: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut g = Groups { of: vec![NONE; n], members: Vec::new() };
        for &x in side {
            let xi = x as usize;
            let mut key = Vec::with_capacity(other_classes.len() + 2);
            key.push(if alone[xi] { x } else { NONE });
            key.push(self.class_of[xi]);
            key.extend(other_classes.iter().map(|c| self.f[c * n + xi]));
            let next = g.members.len() as u32;
            let id = *ids.entry(key).or_insert(next);
            if id == next {
                g.members.push(Vec::new());
            }
            g.members[id as usize].push(x);
            g.of[xi] = id;
        }
        g
    }

    /// Each node's source-side and destination-side group (`u32::MAX` off that side): for
    /// `a != b`, [`Matrix::verdict`]`(a, b)` is the same for every `a` of one source-side group
    /// and `b` of one destination-side group.
    pub fn groups_of(&self) -> (Vec<u32>, Vec<u32>) {
        let alone = self.alone();
        (self.groups(&self.from, &self.to, &alone).of, self.groups(&self.to, &self.from, &alone).of)
    }

    /// Every block, source-side group by source-side group (each group's blocks in the order
    /// their first destination group appears).
    pub fn for_each_block(&self, mut visit: impl FnMut(Block)) {
        rectangles(&[self], |from, to, pairs, mut cells| {
            visit(Block { from, to, pairs, cell: cells.pop().expect("one matrix") })
        });
    }

    /// Every block, collected.
    pub fn blocks(&self) -> Vec<Block> {
        let mut out = Vec::new();
        self.for_each_block(|b| out.push(b));
        out
    }

    /// Counts over every pair, from the blocks.
    pub fn totals(&self, m: &Model) -> Totals {
        let domain: Vec<String> = self.nodes.iter().map(|x| x.domain(m)).collect();
        let mut t = Totals::default();
        let hist = |xs: &[u32]| {
            let mut h: BTreeMap<&str, u64> = BTreeMap::new();
            for x in xs {
                *h.entry(domain[*x as usize].as_str()).or_default() += 1;
            }
            h
        };
        self.for_each_block(|b| {
            t.blocks += 1;
            t.pairs += b.pairs;
            if b.cell.delivered() {
                t.delivered += b.pairs;
            }
            if let Some(r) = b.cell.reason() {
                *t.legend.entry(r).or_default() += b.pairs;
            }
            let (hf, ht) = (hist(&b.from), hist(&b.to));
            let mut cells: BTreeMap<(&str, &str), u64> = BTreeMap::new();
            for (df, cf) in &hf {
                for (dt, ct) in &ht {
                    cells.insert((df, dt), cf * ct);
                }
            }
            // The diagonal: nodes on both sides of this block.
            for x in &b.from {
                if b.to.binary_search(x).is_ok() {
                    let d = domain[*x as usize].as_str();
                    *cells.get_mut(&(d, d)).expect("both sides hold it") -= 1;
                }
            }
            for ((df, dt), c) in cells {
                if c == 0 {
                    continue;
                }
                let e = t.domains.entry((df.to_string(), dt.to_string())).or_default();
                e.1 += c;
                if b.cell.delivered() {
                    e.0 += c;
                }
            }
        });
        t
    }
}

/// Node groups of one side, over several matrices of the same nodes: nodes alike in every one.
fn joint_groups(mats: &[&Matrix], source_side: bool) -> Groups {
    let first = mats[0];
    let n = first.len();
    let per: Vec<Groups> = mats
        .iter()
        .map(|m| {
            let alone = m.alone();
            if source_side { m.groups(&m.from, &m.to, &alone) } else { m.groups(&m.to, &m.from, &alone) }
        })
        .collect();
    let side = if source_side { &first.from } else { &first.to };
    let mut ids: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut g = Groups { of: vec![NONE; n], members: Vec::new() };
    for &x in side {
        let key: Vec<u32> = per.iter().map(|p| p.of[x as usize]).collect();
        let next = g.members.len() as u32;
        let id = *ids.entry(key).or_insert(next);
        if id == next {
            g.members.push(Vec::new());
        }
        g.members[id as usize].push(x);
        g.of[x as usize] = id;
    }
    g
}

/// Rectangles of pairs over matrices of the same nodes and sides: in each, every pair of a
/// rectangle has the same verdict. `visit(from, to, pairs, cells)` gets one cell per matrix;
/// destination groups with equal cells are merged per source group.
pub(super) fn rectangles(mats: &[&Matrix], mut visit: impl FnMut(Vec<u32>, Vec<u32>, u64, Vec<Cell>)) {
    let first = mats[0];
    let gf = joint_groups(mats, true);
    let gt = joint_groups(mats, false);
    for g in &gf.members {
        // How many of this group's nodes each destination group holds (the diagonal).
        let mut inter: HashMap<u32, u64> = HashMap::new();
        for &x in g {
            if first.in_to[x as usize] {
                *inter.entry(gt.of[x as usize]).or_default() += 1;
            }
        }
        let mut order: Vec<Vec<Cell>> = Vec::new();
        let mut by_cells: HashMap<Vec<Cell>, (Vec<u32>, u64)> = HashMap::new();
        for (h, hm) in gt.members.iter().enumerate() {
            let pairs = g.len() as u64 * hm.len() as u64 - inter.get(&(h as u32)).copied().unwrap_or(0);
            if pairs == 0 {
                continue;
            }
            let (a, b) = if g[0] != hm[0] {
                (g[0], hm[0])
            } else if g.len() > 1 {
                (g[1], hm[0])
            } else {
                (g[0], hm[1])
            };
            let cells: Vec<Cell> = mats.iter().map(|m| m.cell(a as usize, b as usize)).collect();
            let e = by_cells.entry(cells.clone()).or_insert_with(|| {
                order.push(cells);
                (Vec::new(), 0)
            });
            e.0.extend(hm);
            e.1 += pairs;
        }
        for cells in order {
            let (mut to, pairs) = by_cells.remove(&cells).expect("listed");
            to.sort_unstable();
            visit(g.clone(), to, pairs, cells);
        }
    }
}

/// A rectangle of pairs whose verdict is one thing before and one thing after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Source-side nodes (indices, ascending).
    pub from: Vec<u32>,
    /// Destination-side nodes (indices, ascending).
    pub to: Vec<u32>,
    /// Ordered pairs covered (the diagonal excluded).
    pub pairs: u64,
    /// The verdict in the first matrix.
    pub before: Cell,
    /// The verdict in the second.
    pub after: Cell,
}

/// Two matrices over different nodes or sides cannot be compared rectangle by rectangle.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the two matrices cover different VNets or routers")]
pub struct NotAligned;

/// Every rectangle of pairs of two matrices over the same nodes and sides (a design and the same
/// design with elements down), with its verdict in each: work grows with groups, not pairs.
pub fn changes(before: &Matrix, after: &Matrix, mut visit: impl FnMut(Change)) -> Result<(), NotAligned> {
    if before.names != after.names || before.from != after.from || before.to != after.to {
        return Err(NotAligned);
    }
    rectangles(&[before, after], |from, to, pairs, cells| {
        let [before, after]: [Cell; 2] = cells.try_into().expect("two matrices");
        visit(Change { from, to, pairs, before, after })
    });
    Ok(())
}
