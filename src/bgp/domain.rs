//! Routing domains: what the subnets behind one hub's gateways and route server are offered.
//!
//! A domain is a VNet with an ExpressRoute gateway, a VPN gateway or a route server, plus the
//! spokes that use it as remote gateway (R38, R47). Its candidates for one exact prefix are the
//! routes its speakers accepted over external sessions (circuit connections, VPN connections and
//! static prefixes, NVA peerings; copies reflected between the gateway and route server do not
//! count); the minimal D9 key wins, all ties kept (ECMP), next hops unioned (R48, D2). Domains are
//! built once and shared by every subnet in them; a subnet layers its own rows over its domain
//! (see `effective`), so the estate's gateway routes are never copied per subnet.

use std::net::IpAddr;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

use super::*;
use crate::net::prefix_order;

/// One candidate of a domain for one prefix.
#[derive(Clone, Debug)]
pub struct DomainCand {
    /// The domain speaker that accepted it.
    pub speaker: SpeakerId,
    /// The route as that speaker holds it.
    pub cand: Cand,
    /// Its D9 key.
    pub key: (i64, u8, usize),
    /// The next hops it would install (R48).
    pub next_hops: Vec<IpAddr>,
}

/// A domain's decision for one exact prefix.
#[derive(Clone, Debug)]
pub struct DomainRoute {
    /// The prefix.
    pub prefix: IpNet,
    /// The installed next hops, ascending.
    pub next_hops: Vec<IpAddr>,
    /// The winning candidates (ECMP).
    pub best: Vec<DomainCand>,
    /// Candidates that lost best-path selection, and why.
    pub lost: Vec<(DomainCand, Reason)>,
    /// Candidates offered to the domain's speakers but filtered, and why.
    pub filtered: Vec<(DomainCand, Reason)>,
}

/// The routes one domain offers its subnets.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The hub VNet (the one holding the gateways / route server).
    pub hub: VnetId,
    /// Its routes, in prefix order; only prefixes with a winner.
    pub routes: Vec<DomainRoute>,
    /// Prefixes whose every candidate was filtered (for `--explain`).
    pub filtered_only: Vec<DomainRoute>,
    /// Longest-prefix index over `routes`.
    pub lpm: JointPrefixMap<IpNet, u32>,
}

impl Domain {
    /// The route for an exact prefix.
    pub fn get(&self, p: &IpNet) -> Option<&DomainRoute> {
        self.lpm.get(p).map(|i| &self.routes[*i as usize])
    }

    /// Every route whose prefix contains `ip`, longest first.
    pub fn covering(&self, net: &IpNet) -> Vec<&DomainRoute> {
        let mut v: Vec<&DomainRoute> = self.lpm.cover(net).map(|(_, i)| &self.routes[*i as usize]).collect();
        v.reverse();
        v
    }
}

/// What a domain's speakers accepted and filtered for one prefix.
type Offered = (Vec<DomainCand>, Vec<(DomainCand, Reason)>);

fn lost_reason(c: &DomainCand, best: &DomainCand) -> Reason {
    if c.key.0 != best.key.0 {
        Reason::LostWeight { weight: (-c.key.0) as u32, best: (-best.key.0) as u32 }
    } else if c.key.1 != best.key.1 {
        Reason::LostToExpressRoute
    } else {
        Reason::LostAsPath { len: c.key.2, best: best.key.2 }
    }
}

/// Build every domain: `result[vnet]` is `Some` for hub VNets.
pub fn build(m: &Model, b: &Bgp) -> Vec<Option<std::sync::Arc<Domain>>> {
    let mut out: Vec<Option<std::sync::Arc<Domain>>> = vec![None; m.vnets.len()];
    for (v, slot) in out.iter_mut().enumerate() {
        if m.ix.domain[v] != Some(VnetId(v as u32)) {
            continue;
        }
        let mut speakers = Vec::new();
        if let Some(g) = m.ix.er_gateway[v] {
            speakers.push(b.gateway_speaker[g.idx()]);
        }
        if let Some(g) = m.ix.vpn_gateway[v] {
            speakers.push(b.gateway_speaker[g.idx()]);
        }
        if let Some(r) = m.ix.route_server[v] {
            speakers.push(b.route_server_speaker[r.idx()]);
        }
        let mut per_prefix: BTreeMap<PrefixId, Offered> = BTreeMap::new();
        let dcand = |s: SpeakerId, c: &Cand| -> Option<DomainCand> {
            let via = c.via.expect("offered routes came in by a session");
            b.sessions[via.0 as usize].kind.external().then(|| DomainCand {
                speaker: s,
                cand: *c,
                key: b.key(s, c),
                next_hops: install_next_hops(b, m, via, c),
            })
        };
        for &s in &speakers {
            for (p, e) in &b.ribs[s.0 as usize] {
                for c in &e.ins {
                    if let Some(dc) = dcand(s, c) {
                        per_prefix.entry(*p).or_default().0.push(dc);
                    }
                }
                for (c, r) in &e.rejected {
                    if let Some(dc) = dcand(s, c) {
                        per_prefix.entry(*p).or_default().1.push((dc, r.clone()));
                    }
                }
            }
        }
        let mut routes = Vec::new();
        let mut filtered_only = Vec::new();
        for (p, (mut cands, filtered)) in per_prefix {
            let prefix = b.interner.net(p);
            cands.sort_by_cached_key(|c| (c.key, b.interner.asns(c.cand.path).to_vec(), c.speaker, c.cand.via));
            let Some(best_key) = cands.first().map(|c| c.key) else {
                filtered_only.push(DomainRoute {
                    prefix,
                    next_hops: Vec::new(),
                    best: Vec::new(),
                    lost: Vec::new(),
                    filtered,
                });
                continue;
            };
            let (best, rest): (Vec<DomainCand>, Vec<DomainCand>) = cands.into_iter().partition(|c| c.key == best_key);
            let lost = rest.into_iter().map(|c| {
                let r = lost_reason(&c, &best[0]);
                (c, r)
            });
            let mut next_hops: Vec<IpAddr> = best.iter().flat_map(|c| c.next_hops.iter().copied()).collect();
            next_hops.sort();
            next_hops.dedup();
            routes.push(DomainRoute { prefix, next_hops, lost: lost.collect(), best, filtered });
        }
        routes.sort_by(|a, c| prefix_order(&a.prefix, &c.prefix));
        filtered_only.sort_by(|a, c| prefix_order(&a.prefix, &c.prefix));
        let mut lpm = JointPrefixMap::new();
        for (i, r) in routes.iter().enumerate() {
            lpm.insert(r.prefix, i as u32);
        }
        *slot = Some(std::sync::Arc::new(Domain { hub: VnetId(v as u32), routes, filtered_only, lpm }));
    }
    out
}
