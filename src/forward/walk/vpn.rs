//! Inside a VPN gateway: its BGP table, then a connection (R48).

use super::*;

impl Walker<'_> {
    /// Inside a VPN gateway: leave by its best route's connection (Forwarding section).
    pub(super) fn at_vpn(&self, pos: &Pos, gateway: GatewayId, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let g = &m.gateways[gateway.idx()];
        let s = b.gateway_speaker[gateway.idx()];
        let gw_subnet = m.gateway_subnet(gateway);
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else {
            // Not in its BGP table: its GatewaySubnet's table decides.
            return self.at_subnet(
                &Pos::Subnet { subnet: gw_subnet, device: Device::Gateway(gateway) },
                gw_subnet,
                Device::Gateway(gateway),
                ctx,
            );
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let mut lead = step(here.clone(), false);
            let Some(via) = c.via else {
                // Its own VNet or transit spokes: the GatewaySubnet table delivers.
                return self.at_subnet(
                    &Pos::Subnet { subnet: gw_subnet, device: Device::Gateway(gateway) },
                    gw_subnet,
                    Device::Gateway(gateway),
                    ctx,
                );
            };
            let sess = b.session_ref(via);
            let conn = sess.connection.map(|c| m.connections[c.idx()].name.clone());
            let source = if sess.kind == SessionKind::Static {
                format!("static prefixes of connection {}", conn.clone().unwrap_or_default())
            } else {
                crate::bgp::speaker_name(m, b.speakers[sess.from.0 as usize])
            };
            if !self.lean {
                lead.route = Some(RouteUsed {
                    table: format!("{} BGP", g.name),
                    prefix: net,
                    source,
                    next_hop_type: conn
                        .clone()
                        .map(|c| format!("connection {c}"))
                        .unwrap_or_else(|| "route server".into()),
                    next_hop_ip: c.next_hop,
                    detail: Some(format!("AS path {}", b.interner.path_text(c.path))),
                    bgp: true,
                    udr: None,
                });
            }
            let mv = match sess.kind {
                SessionKind::SiteToSite => match b.speakers[sess.from.0 as usize] {
                    Speaker::Onprem(o) => self.enter_onprem(o),
                    _ => continue,
                },
                SessionKind::Static => {
                    let cn = &m.connections[sess.connection.expect("static has a connection").idx()];
                    match &cn.kind {
                        ConnectionKind::SiteToSite { local_gateway, .. } => {
                            let lg = &m.local_gateways[local_gateway.idx()];
                            match lg.onprem {
                                Some(o) => self.enter_onprem(o),
                                None => Move::done(vec![step(Place::Site(*local_gateway), true)], Outcome::Delivered),
                            }
                        }
                        ConnectionKind::VnetToVnet { remote_gateway, .. } => self.enter_far_vpn(*remote_gateway),
                        ConnectionKind::ExpressRoute { .. } => continue,
                    }
                }
                SessionKind::VnetToVnet => match b.speakers[sess.from.0 as usize] {
                    Speaker::Gateway(r) => self.enter_far_vpn(r),
                    _ => continue,
                },
                SessionKind::BranchToBranch => match c.next_hop {
                    Some(nh) => {
                        for mv in self.to_appliance(g.vnet, nh, Device::Gateway(gateway), ctx, &here) {
                            let mut steps = vec![lead.clone()];
                            steps.extend(mv.steps);
                            moves.push(Move { steps, next: mv.next });
                        }
                        continue;
                    }
                    None => match m.ix.er_gateway[g.vnet.idx()] {
                        // ER-learned via the route server (R67): through the ExpressRoute gateway.
                        Some(er) => {
                            let es = b.gateway_speaker[er.idx()];
                            match self.speaker_lpm(es, ctx.dst).and_then(|(_, e)| e.best.first().copied()) {
                                Some(ec) => match ec.via.map(|v| b.session_ref(v)) {
                                    Some(se) if se.kind == SessionKind::ExpressRoute => Move::go(
                                        vec![step(Place::Gateway(er), false)],
                                        Pos::Msee { circuit: se.circuit.expect("ER"), link: None, from_gw: Some(er) },
                                        step(Place::Msee(se.circuit.expect("ER"), None), false),
                                    ),
                                    _ => continue,
                                },
                                None => continue,
                            }
                        }
                        None => continue,
                    },
                },
                _ => continue,
            };
            let mut steps = vec![lead];
            steps.extend(mv.steps);
            moves.push(Move { steps, next: mv.next });
        }
        if moves.is_empty() {
            moves.push(Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    Rule::R48,
                    || format!("{} has no usable route to {}", g.name, ctx.dst),
                    &here,
                ),
            ));
        }
        moves
    }

    pub(super) fn enter_far_vpn(&self, r: GatewayId) -> Move {
        let m = self.m();
        let gs = m.gateway_subnet(r);
        Move::go(vec![], Pos::Subnet { subnet: gs, device: Device::Gateway(r) }, step(Place::Gateway(r), true))
    }
}
