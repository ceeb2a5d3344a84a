//! Verified fixes for a failed `reach`: the catalogue's candidates (`forward::remedy`) applied to
//! the scenario's text, re-parsed, re-simulated and re-traced; only edit sets under which the flow
//! delivers are offered.
//!
//! Candidates for the forward and the return drops are tried alone, then combined; a candidate that
//! applies but uncovers another drop is tried again with that drop's candidates.

use std::collections::BTreeSet;

use crate::down;
use crate::forward::{self, Fix, Reach, Verdict};
use crate::scenario::edit::{self, Edit};
use crate::scenario::{self, Loaded};
use crate::simulation::Simulation;

/// At most this many fixes are shown.
const MAX_FIXES: usize = 4;

/// At most this many edited designs are simulated for one `reach`.
const MAX_ATTEMPTS: usize = 32;

/// The flow a fix must deliver: the names as given, and the `--down` elements (failed again in
/// every edited design).
#[derive(Clone, Copy, Debug)]
pub struct Flow<'a> {
    /// Where the packet starts.
    pub from: &'a str,
    /// Where it is going.
    pub to: &'a str,
    /// `--down` arguments.
    pub down: &'a [String],
}

/// Verified fixes for a failed reach of a flow.
pub fn fixes(loaded: &Loaded, sim: &Simulation, r: &Reach, flow: Flow<'_>) -> Vec<Fix> {
    let per_direction = forward::remedy::per_direction(sim, r);
    let mut search = Search { loaded, flow, tried: BTreeSet::new(), out: Vec::new(), attempts: 0 };
    // 1. Each candidate alone (the pair-wise fixes, peering and hub UDRs, cover both directions).
    let mut follow_up: Vec<Fix> = Vec::new();
    for c in per_direction.iter().flatten() {
        if let Tried::Still(next) = search.attempt(c) {
            follow_up.extend(next.iter().map(|n| and(c, n)));
        }
    }
    if search.out.is_empty() {
        // 2. Every change needed: one candidate from each direction together, then all of one
        // direction's candidates together (one per ECMP branch), then everything.
        if let [forward, back] = per_direction.as_slice() {
            for a in forward {
                for b in back {
                    search.attempt(&and(a, b));
                }
            }
        }
        let mut all: Vec<Fix> = Vec::new();
        for dir in &per_direction {
            if dir.len() > 1 {
                let c = combined(dir);
                search.attempt(&c);
                all.push(c);
            } else {
                all.extend(dir.iter().cloned());
            }
        }
        if all.len() > 1 {
            search.attempt(&combined(&all));
        }
    }
    if search.out.is_empty() {
        // 3. A change that uncovers the next drop (ip_forwarding on, then the NVA subnet's loop):
        // with the fix for that drop too.
        for c in &follow_up {
            search.attempt(c);
        }
    }
    search.out
}

fn union(a: &[Edit], b: &[Edit]) -> Vec<Edit> {
    let mut v = a.to_vec();
    for e in b {
        if !v.contains(e) {
            v.push(e.clone());
        }
    }
    v
}

/// Two fixes together.
fn and(a: &Fix, b: &Fix) -> Fix {
    Fix { remedies: a.remedies.iter().chain(&b.remedies).cloned().collect(), edits: union(&a.edits, &b.edits) }
}

/// All of them together.
fn combined(fs: &[Fix]) -> Fix {
    fs.iter().fold(Fix { remedies: Vec::new(), edits: Vec::new() }, |acc, f| and(&acc, f))
}

/// How an attempted edit set did.
enum Tried {
    /// It delivers (and was kept), or was tried before, or does not apply.
    Done,
    /// It applies but the flow still drops: the candidates for the new drops.
    Still(Vec<Fix>),
}

struct Search<'a> {
    loaded: &'a Loaded,
    flow: Flow<'a>,
    tried: BTreeSet<Vec<Edit>>,
    out: Vec<Fix>,
    attempts: usize,
}

impl Search<'_> {
    /// Apply the edits, re-simulate, and keep them when the flow then delivers (both ways; one way
    /// for a public destination, whose return path is not modelled).
    fn attempt(&mut self, fix: &Fix) -> Tried {
        if self.out.len() >= MAX_FIXES || fix.edits.is_empty() || self.attempts >= MAX_ATTEMPTS {
            return Tried::Done;
        }
        let mut key = fix.edits.clone();
        key.sort();
        if !self.tried.insert(key) {
            return Tried::Done;
        }
        self.attempts += 1;
        let Some((sim, r)) = self.reach_edited(&fix.edits) else { return Tried::Done };
        if matches!(r.verdict, Verdict::Delivered | Verdict::OneWay) {
            self.out.push(fix.clone());
            return Tried::Done;
        }
        Tried::Still(forward::remedy::per_direction(&sim, &r).into_iter().flatten().collect())
    }

    /// `reach` on the edited design (`None` when the edits do not apply or the result does not
    /// load, simulate or resolve).
    fn reach_edited(&self, edits: &[Edit]) -> Option<(Simulation, Reach)> {
        let text = edit::apply(&self.loaded.source.text, edits).ok()?;
        let l2 = scenario::parse(&self.loaded.source.name, text).ok()?;
        let failures = down::resolve_all(&l2.model, self.flow.down).ok()?;
        let sim = Simulation::new(down::without(&l2.model, &failures).model).ok()?;
        let fe = crate::resolve::resolve(&sim.model, self.flow.from).ok()?;
        let te = crate::resolve::resolve(&sim.model, self.flow.to).ok()?;
        let (fh, th) = forward::hosts(&sim, &fe, &te).ok()?;
        let r = forward::reach_hosts(&sim, &fh, &th);
        Some((sim, r))
    }
}
