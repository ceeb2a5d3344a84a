//! A gateway row of a subnet's table: toward a circuit's MSEE, a VPN gateway or an NVA (R48, R54, R59, R67).

use super::*;

impl Walker<'_> {
    /// A gateway row: each next hop leads to a circuit's MSEE, a VPN gateway or an NVA (R48, R54).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn gateway_row(
        &self,
        vnet: VnetId,
        _subnet: SubnetId,
        device: Device,
        idx: u32,
        ip: Option<IpAddr>,
        ctx: &Ctx,
        here: &Place,
    ) -> Vec<Move> {
        vec![match self.gateway_row_one(vnet, device, idx, ip, ctx, here) {
            Ok(mv) => mv,
            Err(moves) => return moves,
        }]
    }

    pub(super) fn gateway_row_one(
        &self,
        vnet: VnetId,
        device: Device,
        idx: u32,
        ip: Option<IpAddr>,
        ctx: &Ctx,
        here: &Place,
    ) -> Result<Move, Vec<Move>> {
        let m = self.m();
        let b = &self.sim.bgp;
        let Some(dm) = self.sim.domain_of(vnet) else {
            return Ok(Move::done(vec![], self.drop(DropReason::NoRoute, Rule::R47, || "no domain".into(), here)));
        };
        let r = &dm.routes[idx as usize];
        let Some(ip) = ip else {
            return Ok(Move::done(
                vec![],
                self.drop(DropReason::NoRoute, Rule::R48, || "gateway route without next hop".into(), here),
            ));
        };
        let Some(c) = r.best.iter().find(|c| c.next_hops.contains(&ip)) else {
            return Ok(Move::done(
                vec![],
                self.drop(DropReason::NoRoute, Rule::R48, || "next hop not in the domain".into(), here),
            ));
        };
        let via = c.cand.via.expect("domain candidates came in by a session");
        let sess = b.session_ref(via);
        let gw_of = |s: SpeakerId| match b.speakers[s.0 as usize] {
            Speaker::Gateway(g) => Some(g),
            _ => None,
        };
        let entered_gateway = match device {
            Device::Gateway(g) => Some(g),
            _ => None,
        };
        match sess.kind {
            SessionKind::ExpressRoute => {
                let circuit = sess.circuit.expect("ER session has a circuit");
                let er = gw_of(sess.to).expect("ER session ends at a gateway");
                if let Some(g) = entered_gateway {
                    if m.gateways[g.idx()].kind == GatewayKind::ExpressRoute {
                        return Ok(Move::done(
                            vec![],
                            self.drop(
                                DropReason::NoCircuitTransit,
                                Rule::R59,
                                || format!(
                                    "{} would send traffic that came from a circuit back into {}: no transit between circuits",
                                    m.gateways[g.idx()].name,
                                    m.circuits[circuit.idx()].name
                                ),
                                here,
                            ),
                        ));
                    }
                    if !limits::er_vpn_transit_at(m, vnet) {
                        return Ok(Move::done(
                            vec![],
                            self.drop(
                                DropReason::NoErVpnTransit,
                                Rule::R67,
                                || format!("no transit from VPN to ExpressRoute at {}: it needs a route server with branch_to_branch, an active-active VPN gateway and VPN ASN 65515", m.gateways[g.idx()].name),
                                here,
                            ),
                        ));
                    }
                }
                Ok(Move::go(
                    vec![],
                    Pos::Msee { circuit, link: Some(ip), from_gw: Some(er) },
                    step(Place::Msee(circuit, Some(ip)), false),
                ))
            }
            SessionKind::SiteToSite | SessionKind::VnetToVnet | SessionKind::Static => {
                let g = gw_of(sess.to).expect("VPN sessions end at a gateway");
                if let Some(eg) = entered_gateway
                    && m.gateways[eg.idx()].kind == GatewayKind::ExpressRoute
                    && !limits::er_vpn_transit_at(m, vnet)
                {
                    return Ok(Move::done(
                        vec![],
                        self.drop(
                            DropReason::NoErVpnTransit,
                            Rule::R67,
                            || format!("no transit from ExpressRoute to VPN at {}: it needs a route server with branch_to_branch, an active-active VPN gateway and VPN ASN 65515", m.gateways[eg.idx()].name),
                            here,
                        ),
                    ));
                }
                Ok(Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true)))
            }
            SessionKind::RouteServerPeer => Err(self.to_appliance(vnet, ip, device, ctx, here)),
            SessionKind::BranchToBranch | SessionKind::PrivatePeering => {
                Ok(Move::done(vec![], self.drop(DropReason::NoRoute, Rule::R47, || "internal session".into(), here)))
            }
        }
    }
}
