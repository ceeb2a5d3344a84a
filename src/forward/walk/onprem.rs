//! At an on-premises router: delivered, or on by its learned routes (R49, R50), or dropped — and
//! then R67's conditions, when a hub serving it lacks them.

use super::*;

impl Walker<'_> {
    pub(super) fn enter_onprem(&self, o: OnpremId) -> Move {
        Move::go(vec![], Pos::Onprem { router: o }, step(Place::Onprem(o), false))
    }

    /// A hub with ExpressRoute and VPN gateways, one of which serves on-premises router `o`, that
    /// lacks R67's conditions: sites behind one gateway cannot reach sites behind the other
    /// through Azure. The missing conditions of the first such hub (by VNet order); empty if none.
    fn r67_missing(&self, o: OnpremId) -> Vec<limits::R67Missing> {
        let m = self.m();
        let serves = |g: GatewayId| {
            m.ix.gateway_connections[g.idx()].iter().any(|c| match m.connections[c.idx()].kind {
                ConnectionKind::ExpressRoute { circuit, .. } => m.onprems[o.idx()].circuits.contains(&circuit),
                ConnectionKind::SiteToSite { local_gateway, .. } => {
                    m.local_gateways[local_gateway.idx()].onprem == Some(o)
                }
                ConnectionKind::VnetToVnet { .. } => false,
            })
        };
        // Hubs with both gateways, found through the gateways (few), not every VNet.
        let mut hubs: Vec<usize> = m
            .gateways
            .iter()
            .map(|g| g.vnet.idx())
            .filter(|&v| m.ix.er_gateway[v].is_some() && m.ix.vpn_gateway[v].is_some())
            .collect();
        hubs.sort_unstable();
        hubs.dedup();
        hubs.into_iter()
            .find_map(|v| {
                let (Some(er), Some(vpn)) = (m.ix.er_gateway[v], m.ix.vpn_gateway[v]) else { return None };
                if !serves(er) && !serves(vpn) {
                    return None;
                }
                let missing = limits::er_vpn_transit(m, VnetId(v as u32));
                (!missing.is_empty()).then_some(missing)
            })
            .unwrap_or_default()
    }

    /// Whether router `router` delivers to the destination itself: an on-premises address it
    /// originates, or in the static prefixes of local gateways that describe it (R49). An Azure
    /// destination covered only by a broad on-premises prefix (a default route) is not delivered
    /// here: the router forwards by what it learned, or drops.
    fn holds(&self, router: OnpremId, ctx: &Ctx) -> bool {
        let m = self.m();
        let onprem_dst = matches!(ctx.to, Host::Onprem { .. } | Host::Site { .. } | Host::Public(_));
        onprem_dst
            && (m.onprems[router.idx()].advertise.iter().any(|p| p.contains(&ctx.dst))
                || m.local_gateways
                    .iter()
                    .filter(|l| l.onprem == Some(router))
                    .any(|l| l.address_prefixes.iter().any(|p| p.contains(&ctx.dst)) || l.bgp_peer_ip == Some(ctx.dst)))
    }

    /// On-premises: delivered if it holds the destination (its step counts as the routed hop,
    /// D16), else on by its learned routes: a circuit's MSEE or a VPN gateway.
    pub(super) fn at_onprem(&self, pos: &Pos, router: OnpremId, ctx: &Ctx) -> Vec<Move> {
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        if self.holds(router, ctx) {
            return vec![Move::done(vec![step(Place::Onprem(router), true)], Outcome::Delivered)];
        }
        let no_route = || {
            let cause = DropCause::OnpremNoRoute { router, dst: ctx.dst, r67_missing: self.r67_missing(router) };
            vec![Move::done(vec![], dropped(cause, here.clone()))]
        };
        let s = b.onprem_speaker[router.idx()];
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else { return no_route() };
        let mut moves = Vec::new();
        for c in &e.best {
            let Some(via) = c.via else { continue };
            let sess = b.session_ref(via);
            let next = match (sess.kind, b.speakers[sess.from.0 as usize]) {
                (SessionKind::PrivatePeering, Speaker::Circuit(ci)) => Move::go(
                    vec![],
                    Pos::Msee { circuit: ci, link: None, from_gw: None },
                    step(Place::Msee(ci, None), false),
                ),
                (SessionKind::SiteToSite, Speaker::Gateway(g)) => {
                    Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true))
                }
                _ => continue,
            };
            let mut lead = step(here.clone(), false);
            lead.route = Some(self.learned(Table::Bgp(Speaker::Onprem(router)), net, c, sess));
            let mut steps = vec![lead];
            steps.extend(next.steps);
            moves.push(Move { steps, next: next.next });
        }
        if moves.is_empty() {
            return no_route();
        }
        moves
    }
}
