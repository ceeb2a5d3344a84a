//! Questions asked of a finished propagation: a speaker's table, what a session advertises, a
//! speaker's name, the next hops a domain installs (R48), and the routes D4 keeps from a gateway.

use std::net::IpAddr;

use ipnet::IpNet;

use super::policy::msee_to_gateway;
use super::*;
use crate::model::*;
use crate::net::prefix_order;

impl Bgp {
    /// Every prefix a speaker holds, in prefix order, with its entry.
    pub fn rib(&self, s: SpeakerId) -> Vec<(IpNet, &Entry)> {
        let mut v: Vec<(IpNet, &Entry)> = self.ribs[s.0 as usize]
            .iter()
            .filter(|(_, e)| e.local.is_some() || !e.ins.is_empty() || !e.rejected.is_empty())
            .map(|(p, e)| (self.interner.net(*p), e))
            .collect();
        v.sort_by(|a, b| prefix_order(&a.0, &b.0));
        v
    }

    /// The routes a speaker advertises on one session, as the receiver sees them (what it accepted
    /// and what its import filter dropped; routes held back by D4 or a down session are not sent).
    pub fn advertised(&self, e: SessionId) -> Vec<(IpNet, Cand)> {
        let to = self.session(e).to;
        let mut out: Vec<(IpNet, Cand)> = Vec::new();
        for (p, en) in &self.ribs[to.0 as usize] {
            for c in &en.ins {
                if c.via == Some(e) {
                    out.push((self.interner.net(*p), *c));
                }
            }
            for (c, r) in &en.rejected {
                if c.via == Some(e) && !matches!(r, Reason::SessionDown { .. } | Reason::RemoteVnetTrafficOff { .. }) {
                    out.push((self.interner.net(*p), *c));
                }
            }
        }
        out.sort_by(|a, b| prefix_order(&a.0, &b.0));
        out
    }

    /// A session by id.
    pub fn session_ref(&self, s: SessionId) -> &Session {
        self.session(s)
    }
}

/// A speaker's name as the scenario spells it.
pub fn speaker_name(m: &Model, s: Speaker) -> String {
    match s {
        Speaker::Onprem(o) => m.onprems[o.idx()].name.clone(),
        Speaker::Circuit(c) => m.circuits[c.idx()].name.clone(),
        Speaker::Gateway(g) => m.gateways[g.idx()].name.clone(),
        Speaker::RouteServer(r) => m.route_servers[r.idx()].name.clone(),
        Speaker::Nva(n) => m.bgp_peers[n.idx()].name.clone(),
    }
}

/// The next hops a domain installs for a candidate that came in by session `s` (R48, D14).
pub fn install_next_hops(b: &Bgp, m: &Model, s: SessionId, c: &Cand) -> Vec<IpAddr> {
    let sess = b.session(s);
    match sess.kind {
        SessionKind::ExpressRoute => sess.circuit.map(|ci| m.circuits[ci.idx()].next_hops.clone()).unwrap_or_default(),
        SessionKind::SiteToSite | SessionKind::VnetToVnet | SessionKind::Static => match b.speakers[sess.to.0 as usize]
        {
            Speaker::Gateway(g) => m.gateways[g.idx()].vpn_next_hops(),
            _ => Vec::new(),
        },
        SessionKind::RouteServerPeer => c.next_hop.into_iter().collect(),
        SessionKind::BranchToBranch | SessionKind::PrivatePeering => Vec::new(),
    }
}

/// A route a circuit holds that `allow_remote_vnet_traffic` keeps from a gateway (D4, R57).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFiltered {
    /// The prefix.
    pub prefix: IpNet,
    /// The circuit → gateway session it would have come in by.
    pub session: SessionId,
    /// The gateway that put it into the circuit.
    pub from_gateway: GatewayId,
    /// The AS path the gateway would have seen, as text.
    pub path: String,
    /// The same path, nearest ASN first.
    pub asns: Vec<u32>,
    /// The reason (which gateways have the setting off).
    pub reason: Reason,
}

impl Bgp {
    /// The routes of other gateways on `g`'s circuits that D4 keeps from `g` (only prefixes `g`
    /// received nothing else for over that session), computed on demand instead of stored for
    /// every gateway and prefix. With `covering`, only prefixes containing that address.
    pub fn remote_vnet_filtered(&self, m: &Model, g: GatewayId, covering: Option<IpAddr>) -> Vec<RemoteFiltered> {
        let gs = self.gateway_speaker[g.idx()];
        let mut out = Vec::new();
        for (si, sess) in self.sessions.iter().enumerate() {
            if sess.to != gs || sess.kind != SessionKind::ExpressRoute || sess.down.is_some() {
                continue;
            }
            let e = SessionId(si as u32);
            for (p, entry) in &self.ribs[sess.from.0 as usize] {
                let net = self.interner.net(*p);
                if covering.is_some_and(|ip| !net.contains(&ip)) {
                    continue;
                }
                let got = self.ribs[gs.0 as usize].get(p).is_some_and(|x| x.ins.iter().any(|c| c.via == Some(e)));
                if got {
                    continue;
                }
                for c in self.pool(sess.from, entry) {
                    let Some(via) = c.via else { continue };
                    let from = self.session(via).from;
                    let Speaker::Gateway(g2) = self.speakers[from.0 as usize] else { continue };
                    if g2 == g || self.session(via).kind != SessionKind::ExpressRoute {
                        continue;
                    }
                    let off: Vec<GatewayId> =
                        [g2, g].into_iter().filter(|x| !m.gateways[x.idx()].allow_remote_vnet_traffic).collect();
                    if off.is_empty() {
                        continue;
                    }
                    let asns = msee_to_gateway(self.interner.asns(c.path));
                    let path = asns.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" ");
                    out.push(RemoteFiltered {
                        prefix: net,
                        session: e,
                        from_gateway: g2,
                        path,
                        asns,
                        reason: Reason::RemoteVnetTrafficOff { gateways: off },
                    });
                    break;
                }
            }
        }
        out.sort_by(|a, b| prefix_order(&a.prefix, &b.prefix).then(a.session.cmp(&b.session)));
        out
    }
}
