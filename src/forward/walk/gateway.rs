//! A gateway row of a subnet's table: toward a circuit's MSEE, a VPN gateway or an NVA (R48, R54,
//! R59, R67).

use super::subnet::InSubnet;
use super::*;

impl Walker<'_> {
    /// A gateway row: its next hop leads to a circuit's MSEE, a VPN gateway or an NVA (R48, R54).
    pub(super) fn gateway_row(&self, at: &InSubnet, idx: u32, ip: Option<IpAddr>, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let done = |cause| vec![Move::done(vec![], dropped(cause, at.here.clone()))];
        let Some(dm) = self.sim.domain_of(at.vnet) else { return done(DropCause::Unexpected(Unexpected::NoDomain)) };
        let r = &dm.routes[idx as usize];
        let Some(ip) = ip else { return done(DropCause::Unexpected(Unexpected::GatewayRowWithoutNextHop)) };
        let Some(c) = r.best.iter().find(|c| c.next_hops.contains(&ip)) else {
            return done(DropCause::Unexpected(Unexpected::NextHopNotInDomain));
        };
        let sess = b.session_ref(c.cand.via.expect("domain candidates came in by a session"));
        let gw_of = |s: SpeakerId| match b.speakers[s.0 as usize] {
            Speaker::Gateway(g) => Some(g),
            _ => None,
        };
        // The gateway the packet entered by, when it came from a circuit or a VPN.
        let entered = match at.device {
            Device::Gateway(g) => Some(g),
            _ => None,
        };
        // R67: whether this VNet's gateways may carry ExpressRoute ↔ VPN transit (asked only on transit).
        let no_transit = || !limits::er_vpn_transit_at(m, at.vnet);
        match sess.kind {
            SessionKind::ExpressRoute => {
                let circuit = sess.circuit.expect("ER session has a circuit");
                let er = gw_of(sess.to).expect("ER session ends at a gateway");
                match entered {
                    Some(g) if m.gateways[g.idx()].kind == GatewayKind::ExpressRoute => {
                        done(DropCause::NoCircuitTransit { gateway: g, circuit })
                    }
                    Some(g) if no_transit() => {
                        done(DropCause::NoErVpnTransit { gateway: g, transit: Transit::VpnToEr })
                    }
                    _ => vec![Move::go(
                        vec![],
                        Pos::Msee { circuit, link: Some(ip), from_gw: Some(er) },
                        step(Place::Msee(circuit, Some(ip)), false),
                    )],
                }
            }
            SessionKind::SiteToSite | SessionKind::VnetToVnet | SessionKind::Static => {
                let g = gw_of(sess.to).expect("VPN sessions end at a gateway");
                match entered {
                    Some(eg) if m.gateways[eg.idx()].kind == GatewayKind::ExpressRoute && no_transit() => {
                        done(DropCause::NoErVpnTransit { gateway: eg, transit: Transit::ErToVpn })
                    }
                    _ => vec![Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true))],
                }
            }
            SessionKind::RouteServerPeer => self.to_appliance(at.vnet, ip, at.device, ctx, &at.here),
            SessionKind::BranchToBranch | SessionKind::PrivatePeering => {
                done(DropCause::Unexpected(Unexpected::InternalSession))
            }
        }
    }
}
