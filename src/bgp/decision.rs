//! Best-path selection (D9): the key each speaker ranks candidates by, the tie-break, and the
//! selected (ECMP) set.

use super::*;

impl Bgp {
    /// The D9 key of a candidate at a speaker: (−weight, class, AS-path length). Lower is better.
    pub fn key(&self, at: SpeakerId, c: &Cand) -> (i64, u8, usize) {
        let len = self.interner.asns(c.path).len();
        let Some(via) = c.via else { return (i64::MIN, 0, 0) };
        let s = self.session(via);
        match self.speakers[at.0 as usize] {
            // Circuits, routers and NVAs use the AS path only (D9).
            Speaker::Circuit(_) | Speaker::Onprem(_) | Speaker::Nva(_) => (0, 0, len),
            Speaker::Gateway(_) | Speaker::RouteServer(_) => (-(s.weight as i64), c.class, len),
        }
    }

    pub(super) fn tiebreak(&self, c: &Cand) -> (Vec<u32>, u32, u32) {
        let via = c.via.map(|v| v.0).unwrap_or(0);
        let from = c.via.map(|v| self.session(v).from.0).unwrap_or(0);
        (self.interner.asns(c.path).to_vec(), from, via)
    }

    /// The selected set (ECMP): the leading run of the pool that shares the best D9 key, in
    /// tie-break order.
    pub(super) fn best_of(&self, at: SpeakerId, pool: &[Cand]) -> Vec<Cand> {
        let Some(first) = pool.first() else { return Vec::new() };
        let best = self.key(at, first);
        pool.iter().take_while(|c| self.key(at, c) == best).copied().collect()
    }

    /// What session `e` offers for `p`, given the sender's selected set.
    /// The candidates a speaker may export for one prefix, best first: its own origination if it
    /// has one, else everything it accepted, by its D9 key and tie-break.
    pub(super) fn pool(&self, at: SpeakerId, e: &Entry) -> Vec<Cand> {
        if let Some(l) = e.local {
            return vec![l];
        }
        let mut v = e.ins.clone();
        v.sort_by_cached_key(|c| (self.key(at, c), self.tiebreak(c)));
        v
    }
}
