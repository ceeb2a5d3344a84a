//! Inside a VPN gateway: its BGP table picks a connection (R48), else its GatewaySubnet's table;
//! what neither routes (or only the system Internet route would) goes to its default site, or is
//! dropped: a VPN gateway does not break out to the Internet (D20).

use super::*;
use crate::effective::RouteSource;

impl Walker<'_> {
    /// Inside a VPN gateway: leave by its best routes' connections (Forwarding section).
    pub(super) fn at_vpn(&self, pos: &Pos, gateway: GatewayId, ctx: &Ctx) -> Vec<Move> {
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let gw_subnet = self.m().gateway_subnet(gateway);
        // Its GatewaySubnet's table decides what is not in its BGP table, and delivers to its own
        // VNet and transit spokes.
        let by_subnet = || {
            let device = Device::Gateway(gateway);
            self.at_subnet(&Pos::Subnet { subnet: gw_subnet, device }, gw_subnet, device, ctx)
        };
        let Some((net, e)) = self.speaker_lpm(b.gateway_speaker[gateway.idx()], ctx.dst) else {
            let hit = self.sim.table(gw_subnet).lookup(ctx.dst);
            let internet_only = hit.as_ref().is_none_or(|h| {
                h.rows.iter().all(|r| r.source == RouteSource::Default && r.next_hop_type == NextHopType::Internet)
            });
            if internet_only {
                return vec![self.default_site(gateway, ctx, here)];
            }
            return by_subnet();
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let Some(via) = c.via else { return by_subnet() };
            let sess = b.session_ref(via);
            let mut lead = step(here.clone(), false);
            lead.route = Some(RouteUsed {
                next_hop_ip: c.next_hop,
                ..self.learned(Table::Bgp(Speaker::Gateway(gateway)), net, c, sess)
            });
            for mv in self.leave_vpn(gateway, sess, c, ctx, &here) {
                let mut steps = vec![lead.clone()];
                steps.extend(mv.steps);
                moves.push(Move { steps, next: mv.next });
            }
        }
        if moves.is_empty() {
            let cause = DropCause::GatewayNoRoute { gateway, dst: ctx.dst };
            moves.push(Move::done(vec![], dropped(cause, here)));
        }
        moves
    }

    /// Where one selected route of a VPN gateway leads: a site, another VPN gateway, an NVA, or
    /// (learned from the route server) the ExpressRoute gateway (R67). None when it leads nowhere.
    fn leave_vpn(&self, gateway: GatewayId, sess: &Session, c: &Cand, ctx: &Ctx, here: &Place) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let from = b.speakers[sess.from.0 as usize];
        let mv = match (sess.kind, from) {
            (SessionKind::SiteToSite, Speaker::Onprem(o)) => self.enter_onprem(o),
            (SessionKind::Static, _) => {
                match &m.connections[sess.connection.expect("static has a connection").idx()].kind {
                    ConnectionKind::SiteToSite { local_gateway, .. } => {
                        match m.local_gateways[local_gateway.idx()].onprem {
                            Some(o) => self.enter_onprem(o),
                            None => Move::done(vec![step(Place::Site(*local_gateway), true)], Outcome::Delivered),
                        }
                    }
                    ConnectionKind::VnetToVnet { remote_gateway, .. } => self.enter_far_vpn(*remote_gateway),
                    ConnectionKind::ExpressRoute { .. } => return Vec::new(),
                }
            }
            (SessionKind::VnetToVnet, Speaker::Gateway(r)) => self.enter_far_vpn(r),
            (SessionKind::BranchToBranch, _) => match c.next_hop {
                Some(nh) => {
                    let vnet = m.gateways[gateway.idx()].vnet;
                    return self.to_appliance(vnet, nh, Device::Gateway(gateway), ctx, here);
                }
                None => match self.to_expressroute(gateway, ctx) {
                    Some(mv) => mv,
                    None => return Vec::new(),
                },
            },
            _ => return Vec::new(),
        };
        vec![mv]
    }

    /// A route the VPN gateway learned from the route server without a next hop is ExpressRoute's
    /// (R67): through the ExpressRoute gateway of its VNet, to the circuit its best route uses.
    fn to_expressroute(&self, gateway: GatewayId, ctx: &Ctx) -> Option<Move> {
        let b = &self.sim.bgp;
        let er = self.m().ix.er_gateway[self.m().gateways[gateway.idx()].vnet.idx()]?;
        let (_, e) = self.speaker_lpm(b.gateway_speaker[er.idx()], ctx.dst)?;
        let se = b.session_ref(e.best.first()?.via?);
        (se.kind == SessionKind::ExpressRoute).then(|| {
            let circuit = se.circuit.expect("ER");
            Move::go(
                vec![step(Place::Gateway(er), false)],
                Pos::Msee { circuit, link: None, from_gw: Some(er) },
                step(Place::Msee(circuit, None), false),
            )
        })
    }

    /// D20: what a VPN gateway does with a packet no route matches: its default site takes it (as
    /// if the site advertised 0.0.0.0/0; a destination outside Azure is delivered there), or it
    /// drops it.
    fn default_site(&self, gateway: GatewayId, ctx: &Ctx, here: Place) -> Move {
        let m = self.m();
        let Some(site) = m.gateways[gateway.idx()].default_site else {
            return Move::done(vec![], dropped(DropCause::NoDefaultSite { gateway, dst: ctx.dst }, here));
        };
        match m.local_gateways[site.idx()].onprem {
            Some(o) if ctx.to.vnet(m).is_some() => self.enter_onprem(o),
            Some(o) => Move::done(vec![step(Place::Onprem(o), true)], Outcome::Delivered),
            None => Move::done(vec![step(Place::Site(site), true)], Outcome::Delivered),
        }
    }

    fn enter_far_vpn(&self, r: GatewayId) -> Move {
        let gs = self.m().gateway_subnet(r);
        Move::go(vec![], Pos::Subnet { subnet: gs, device: Device::Gateway(r) }, step(Place::Gateway(r), true))
    }
}
