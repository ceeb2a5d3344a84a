//! What crosses a session: the sender's export policy (R50, R59, R67, D4), the AS-path rewrite
//! (D8) and the receiver's import filter (D8, R66, R72).

use super::*;
use crate::model::*;
use crate::net::{AZURE_ASN, MSEE_ASN, is_private_asn, overlaps};

/// The AS path an ExpressRoute gateway sees for a route the MSEE relays: a gateway's own
/// origination (`65515`) arrives as `12076 12076`, anything else with 12076 prepended (D8).
pub(super) fn msee_to_gateway(asns: &[u32]) -> Vec<u32> {
    if asns == [AZURE_ASN] {
        vec![MSEE_ASN, MSEE_ASN]
    } else {
        std::iter::once(MSEE_ASN).chain(asns.iter().copied()).collect()
    }
}

/// What an export policy says about one candidate on one session.
pub(super) enum Policy {
    Allow,
    Deny,
}

impl Bgp {
    pub(super) fn learned_kind(&self, c: &Cand) -> Option<SessionKind> {
        c.via.map(|v| self.session(v).kind)
    }

    /// The sender's export policy for one candidate on one session (R50, R59, R67, D4).
    pub(super) fn policy(&self, m: &Model, e: SessionId, c: &Cand, p: PrefixId) -> Policy {
        let sess = self.session(e);
        let learned = self.learned_kind(c);
        let from_speaker = c.via.map(|v| self.session(v).from);
        use SessionKind as K;
        match (self.speakers[sess.from.0 as usize], self.speakers[sess.to.0 as usize]) {
            // Routers and NVAs only originate (D8).
            (Speaker::Onprem(_), _) | (Speaker::Nva(_), _) => {
                if learned.is_none() {
                    Policy::Allow
                } else {
                    Policy::Deny
                }
            }
            (Speaker::Circuit(_), Speaker::Gateway(to_g)) => match learned {
                Some(K::PrivatePeering) => Policy::Allow,
                Some(K::ExpressRoute) => {
                    // D4, R57: a route another gateway put into the circuit needs the setting on both.
                    let Some(Speaker::Gateway(from_g)) = from_speaker.map(|s| self.speakers[s.0 as usize]) else {
                        return Policy::Deny;
                    };
                    if from_g == to_g {
                        // The echo of its own route: the gateway's import filter drops it (D8).
                        return Policy::Allow;
                    }
                    // Blocked routes are not stored per gateway (that would be hubs × estate
                    // prefixes): `remote_vnet_filtered` computes them when asked.
                    if m.gateways[from_g.idx()].allow_remote_vnet_traffic
                        && m.gateways[to_g.idx()].allow_remote_vnet_traffic
                    {
                        Policy::Allow
                    } else {
                        Policy::Deny
                    }
                }
                _ => Policy::Deny,
            },
            // MSEE to on-premises: what the gateways put in.
            (Speaker::Circuit(_), _) => {
                if learned == Some(K::ExpressRoute) {
                    Policy::Allow
                } else {
                    Policy::Deny
                }
            }
            (Speaker::Gateway(g), to) => {
                let gw = &m.gateways[g.idx()];
                match gw.kind {
                    GatewayKind::ExpressRoute => match (to, learned) {
                        // R50: own VNet + spokes, and route-server routes under branch-to-branch; never
                        // one circuit's routes to another (R59).
                        (Speaker::Circuit(_), None | Some(K::BranchToBranch)) => Policy::Allow,
                        (Speaker::RouteServer(_), Some(K::ExpressRoute)) => Policy::Allow,
                        _ => Policy::Deny,
                    },
                    GatewayKind::Vpn => match (to, learned) {
                        (Speaker::RouteServer(_), None | Some(K::BranchToBranch)) => Policy::Deny,
                        (_, None) => Policy::Allow,
                        // Toward BGP peers, and toward the route server under branch-to-branch alike.
                        (_, Some(K::SiteToSite | K::VnetToVnet | K::Static | K::BranchToBranch)) => {
                            // R50: not 0.0.0.0/0, nor what overlaps its VNet or spokes; and split
                            // horizon: nothing goes back over the connection it came in on (a local
                            // gateway's own prefixes and peer /32 are never sent back to it).
                            let net = self.interner.net(p);
                            let same_connection = sess.connection.is_some()
                                && c.via.and_then(|v| self.session(v).connection) == sess.connection;
                            if same_connection
                                || net.prefix_len() == 0
                                || self.domain_spaces[gw.vnet.idx()].iter().any(|a| overlaps(a, &net))
                            {
                                Policy::Deny
                            } else {
                                Policy::Allow
                            }
                        }
                        _ => Policy::Deny,
                    },
                }
            }
            (Speaker::RouteServer(_), Speaker::Nva(_)) => match learned {
                None | Some(K::RouteServerPeer) | Some(K::BranchToBranch) => Policy::Allow,
                _ => Policy::Deny,
            },
            (Speaker::RouteServer(r), Speaker::Gateway(to_g)) => match learned {
                Some(K::RouteServerPeer) => Policy::Allow,
                Some(K::BranchToBranch) => {
                    // ER ↔ VPN transit through the route server needs R67's conditions.
                    let Some(Speaker::Gateway(from_g)) = from_speaker.map(|s| self.speakers[s.0 as usize]) else {
                        return Policy::Deny;
                    };
                    if from_g != to_g && self.rs_transit[r.idx()] { Policy::Allow } else { Policy::Deny }
                }
                _ => Policy::Deny,
            },
            (Speaker::RouteServer(_), _) => Policy::Deny,
        }
    }

    /// The path the receiver sees (D8).
    pub(super) fn rewrite(&mut self, m: &Model, e: SessionId, c: &Cand) -> PathId {
        let sess = self.session(e).clone();
        let from = self.speakers[sess.from.0 as usize];
        let to = self.speakers[sess.to.0 as usize];
        let from_asn = self.asn[sess.from.0 as usize];
        let to_asn = self.asn[sess.to.0 as usize];
        match (from, to) {
            (Speaker::Onprem(o), Speaker::Circuit(ci)) => {
                let n = 1 + m.onprems[o.idx()].prepend.get(&ci).copied().unwrap_or(0);
                self.interner.prepend(from_asn, n, c.path)
            }
            (Speaker::Circuit(_), Speaker::Gateway(_)) => {
                let path = msee_to_gateway(self.interner.asns(c.path));
                self.interner.path(path)
            }
            (Speaker::Circuit(_), _) => self.interner.map(c.path, |a| {
                let mut v = vec![MSEE_ASN];
                v.extend(a.iter().copied().filter(|x| !is_private_asn(*x)));
                v
            }),
            // iBGP between a route server and a 65515 gateway in one VNet keeps the path (D8).
            (Speaker::RouteServer(_), Speaker::Gateway(_)) | (Speaker::Gateway(_), Speaker::RouteServer(_))
                if from_asn == to_asn =>
            {
                c.path
            }
            _ => self.interner.prepend(from_asn, 1, c.path),
        }
    }

    /// The receiver's import filter (D8, R66, R72).
    pub(super) fn import(
        &self,
        m: &Model,
        e: SessionId,
        p: PrefixId,
        c: Cand,
    ) -> (Option<Cand>, Option<(Cand, Reason)>) {
        let to = self.session(e).to;
        // D9 class by where the route entered Azure (see `Cand::class`).
        let class = match self.session(e).kind {
            SessionKind::PrivatePeering => 0,
            // Another hub's own VNet over the circuit is an ExpressRoute route; anything a gateway
            // relayed (a route server's or VPN route) keeps the class it entered Azure with.
            SessionKind::ExpressRoute if matches!(c.origin, Origin::Space(_)) => 0,
            SessionKind::ExpressRoute | SessionKind::BranchToBranch => c.class,
            SessionKind::SiteToSite | SessionKind::VnetToVnet | SessionKind::Static | SessionKind::RouteServerPeer => 1,
        };
        let c = Cand { class, ..c };
        let asns = self.interner.asns(c.path);
        let own = self.asn[to.0 as usize];
        let reject = |r: Reason| (None, Some((c, r)));
        match self.speakers[to.0 as usize] {
            Speaker::Gateway(g) => {
                let gw = &m.gateways[g.idx()];
                match gw.kind {
                    GatewayKind::ExpressRoute => {
                        if c.origin == Origin::Space(to) {
                            return reject(Reason::OwnOrigination);
                        }
                    }
                    GatewayKind::Vpn => {
                        if c.origin == Origin::Space(to) {
                            return reject(Reason::OwnOrigination);
                        }
                        let ibgp = self.session(e).kind == SessionKind::BranchToBranch && own == AZURE_ASN;
                        if !ibgp && asns.contains(&own) {
                            return reject(Reason::AsPathLoop { asn: own });
                        }
                        let net = self.interner.net(p);
                        if self.domain_spaces[gw.vnet.idx()].contains(&net) {
                            return reject(Reason::OwnSpace);
                        }
                    }
                }
            }
            Speaker::RouteServer(_) => {
                if c.origin == Origin::Space(to) {
                    return reject(Reason::OwnOrigination);
                }
                if asns.contains(&AZURE_ASN) {
                    return reject(Reason::Holds65515);
                }
            }
            Speaker::Circuit(_) | Speaker::Onprem(_) | Speaker::Nva(_) => {
                if asns.contains(&own) {
                    return reject(Reason::AsPathLoop { asn: own });
                }
            }
        }
        (Some(c), None)
    }
}
