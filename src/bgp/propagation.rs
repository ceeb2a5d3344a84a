//! The worklist over (speaker, prefix) pairs to a fixed point, with a work budget
//! ([`super::NoConvergence`] instead of a hang), and the session-drop limits found
//! before and after a run (R52, R66, R76).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::policy::Policy;
use super::*;
use crate::limits;
use crate::model::*;

impl Bgp {
    /// Limits known before propagation: what a router or NVA originates (R52, R76).
    pub(super) fn static_limits(&mut self, m: &Model) {
        for i in 0..self.sessions.len() {
            let s = &self.sessions[i];
            let reason = match (self.speakers[s.from.0 as usize], s.kind) {
                (Speaker::Onprem(o), SessionKind::PrivatePeering) => {
                    let c = s.circuit.expect("private peering has a circuit");
                    limits::private_peering_drop(&m.onprems[o.idx()].advertise, m.circuits[c.idx()].sku)
                        .map(Reason::session_down)
                }
                (Speaker::Nva(n), SessionKind::RouteServerPeer) => {
                    limits::route_server_peer_drop(m.bgp_peers[n.idx()].advertise.len()).map(Reason::session_down)
                }
                _ => None,
            };
            if let Some(r) = reason {
                // The session carries nothing, in either direction.
                let (f, t, k) = (s.from, s.to, s.kind);
                for x in &mut self.sessions {
                    if x.kind == k && ((x.from == f && x.to == t) || (x.from == t && x.to == f)) {
                        x.down = Some(r.clone());
                    }
                }
            }
        }
    }

    /// Limits on what a VPN gateway receives from a BGP peer (R66): found after a run.
    pub(super) fn dynamic_limits(&self) -> Vec<(SessionId, Reason)> {
        let counted = |s: &Session| {
            s.down.is_none()
                && matches!(s.kind, SessionKind::SiteToSite | SessionKind::VnetToVnet)
                && matches!(self.speakers[s.to.0 as usize], Speaker::Gateway(_))
        };
        // Prefixes each counted session offered its gateway: one pass over each receiving RIB.
        let mut counts: BTreeMap<SessionId, usize> = BTreeMap::new();
        let receivers: BTreeSet<SpeakerId> = self.sessions.iter().filter(|s| counted(s)).map(|s| s.to).collect();
        for (si, s) in self.sessions.iter().enumerate() {
            if counted(s) {
                counts.insert(SessionId(si as u32), 0);
            }
        }
        for to in receivers {
            for e in self.ribs[to.0 as usize].values() {
                let vias: BTreeSet<SessionId> =
                    e.ins.iter().chain(e.rejected.iter().map(|(c, _)| c)).filter_map(|c| c.via).collect();
                for v in vias {
                    if let Some(n) = counts.get_mut(&v) {
                        *n += 1;
                    }
                }
            }
        }
        // A dropped BGP session carries nothing in either direction (Part L, R66).
        let mut out = Vec::new();
        for (s, x) in counts.into_iter().filter_map(|(s, n)| limits::vpn_bgp_peer_drop(n).map(|x| (s, x))) {
            let r = Reason::session_down(x);
            let (f, t, k) = (self.session(s).from, self.session(s).to, self.session(s).kind);
            for (oi, o) in self.sessions.iter().enumerate() {
                if o.kind == k && o.from == t && o.to == f {
                    out.push((SessionId(oi as u32), r.clone()));
                }
            }
            out.push((s, r));
        }
        out
    }

    pub(super) fn session(&self, s: SessionId) -> &Session {
        &self.sessions[s.0 as usize]
    }

    pub(super) fn entry_mut(&mut self, s: SpeakerId, p: PrefixId) -> &mut Entry {
        self.ribs[s.0 as usize].entry(p).or_default()
    }

    /// The work budget: generous for any converging design, finite for a diverging one.
    pub(super) fn budget(&self) -> usize {
        let prefixes = self.interner.prefix_count().max(1);
        64 * prefixes * self.speakers.len().max(1) + 100_000
    }

    pub(super) fn propagate(&mut self, m: &Model) -> Result<(), NoConvergence> {
        let seeds = self.originate(m);
        let mut queue: VecDeque<(SpeakerId, PrefixId)> = VecDeque::new();
        let mut queued: BTreeSet<(SpeakerId, PrefixId)> = BTreeSet::new();
        for s in seeds {
            if queued.insert(s) {
                queue.push_back(s);
            }
        }
        let budget = self.budget();
        let mut steps = 0;
        while let Some((s, p)) = queue.pop_front() {
            queued.remove(&(s, p));
            steps += 1;
            if steps > budget {
                return Err(NoConvergence { budget });
            }
            let entry = self.ribs[s.0 as usize].entry(p).or_default();
            let entry_snapshot = std::mem::take(entry);
            let pool = self.pool(s, &entry_snapshot);
            let best = self.best_of(s, &pool);
            let entry = self.ribs[s.0 as usize].get_mut(&p).expect("entry exists");
            *entry = entry_snapshot;
            entry.best = best;
            for i in 0..self.out[s.0 as usize].len() {
                let e = self.out[s.0 as usize][i];
                let (offer, rejection) = self.export(m, e, p, &pool);
                let (offer, rejection) = match offer {
                    Some(c) => self.import(m, e, p, c),
                    None => (None, rejection),
                };
                let to = self.session(e).to;
                if self.apply(to, e, p, offer, rejection) && queued.insert((to, p)) {
                    queue.push_back((to, p));
                }
            }
        }
        Ok(())
    }

    /// Replace what session `e` offers `to` for `p`. Returns whether the accepted set changed.
    pub(super) fn apply(
        &mut self,
        to: SpeakerId,
        e: SessionId,
        p: PrefixId,
        offer: Option<Cand>,
        rejection: Option<(Cand, Reason)>,
    ) -> bool {
        if offer.is_none() && rejection.is_none() && !self.ribs[to.0 as usize].contains_key(&p) {
            return false;
        }
        let entry = self.entry_mut(to, p);
        let before = entry.ins.iter().find(|c| c.via == Some(e)).copied();
        entry.ins.retain(|c| c.via != Some(e));
        entry.rejected.retain(|(c, _)| c.via != Some(e));
        if let Some(c) = offer {
            entry.ins.push(c);
        }
        if let Some(r) = rejection {
            entry.rejected.push(r);
        }
        before != offer
    }

    /// What session `e` offers for `p`: the best candidate of the sender's pool that the session's
    /// export policy allows ("best external": what a speaker sends on a session never depends on
    /// routes it could not send there, so two gateways on one circuit cannot chase each other's
    /// relayed routes).
    pub(super) fn export(
        &mut self,
        m: &Model,
        e: SessionId,
        p: PrefixId,
        pool: &[Cand],
    ) -> (Option<Cand>, Option<(Cand, Reason)>) {
        let to = self.session(e).to;
        // Members from elsewhere first; an echo back to where a route came from only when nothing else.
        let back = |c: &&Cand| c.via.map(|v| self.session(v).from) == Some(to);
        let mut order: Vec<&Cand> = pool.iter().filter(|c| !back(c)).collect();
        order.extend(pool.iter().filter(|c| back(c)));
        for c in order {
            // Never back to the speaker it came from — except that the MSEE reflects a gateway's
            // routes back to it, where the gateway drops its own originations (D8); `--explain`
            // shows those candidates.
            let echo = matches!(self.speakers[self.session(e).from.0 as usize], Speaker::Circuit(_))
                && c.origin == Origin::Space(to);
            if !echo && c.via.map(|v| self.session(v).from) == Some(to) {
                continue;
            }
            match self.policy(m, e, c, p) {
                Policy::Deny => continue,
                Policy::Allow => {
                    let path = self.rewrite(m, e, c);
                    let out = Cand { path, via: Some(e), ..*c };
                    if let Some(r) = &self.session(e).down {
                        return (None, Some((out, r.clone())));
                    }
                    return (Some(out), None);
                }
            }
        }
        (None, None)
    }
}
