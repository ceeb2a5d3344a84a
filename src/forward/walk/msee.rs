//! At a circuit's MSEE: its BGP table decides (R54, D4).

use super::*;

impl Walker<'_> {
    /// At a circuit's MSEE: its BGP table decides (R54).
    pub(super) fn at_msee(&self, pos: &Pos, circuit: CircuitId, from_gw: Option<GatewayId>, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let s = b.circuit_speaker[circuit.idx()];
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else {
            return vec![Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    Rule::R54,
                    || format!("{}'s MSEE has no route to {}", m.circuits[circuit.idx()].name, ctx.dst),
                    &here,
                ),
            )];
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let via = c.via.expect("circuit routes are learned");
            let sess = b.session_ref(via);
            let from = b.speakers[sess.from.0 as usize];
            let mut lead = step(here.clone(), false);
            if !self.lean {
                lead.route = Some(RouteUsed {
                    table: format!("{} MSEE", m.circuits[circuit.idx()].name),
                    prefix: net,
                    source: crate::bgp::speaker_name(m, from),
                    next_hop_type: match from {
                        Speaker::Onprem(_) => "on-premises".into(),
                        _ => "ExpressRoute gateway".into(),
                    },
                    next_hop_ip: None,
                    detail: Some(format!("AS path {}", b.interner.path_text(c.path))),
                    bgp: true,
                    udr: None,
                });
            }
            let mv = match from {
                Speaker::Onprem(o) => self.enter_onprem(o),
                Speaker::Gateway(g) => {
                    if let Some(a) = from_gw
                        && a != g
                    {
                        let off: Vec<String> = [a, g]
                            .iter()
                            .filter(|x| !m.gateways[x.idx()].allow_remote_vnet_traffic)
                            .map(|x| m.gateways[x.idx()].name.clone())
                            .collect();
                        if !off.is_empty() {
                            moves.push(Move::done(
                                vec![lead],
                                self.drop(
                                    DropReason::RemoteVnetTrafficOff,
                                    RuleSet::of(&[Rule::D4, Rule::R57]),
                                    || format!(
                                        "VNet-to-VNet traffic over {} needs allow_remote_vnet_traffic on both gateways; it is off on {}",
                                        m.circuits[circuit.idx()].name,
                                        off.join(" and ")
                                    ),
                                    &here,
                                ),
                            ));
                            continue;
                        }
                    }
                    let gs = m.gateway_subnet(g);
                    Move::go(
                        vec![],
                        Pos::Subnet { subnet: gs, device: Device::Gateway(g) },
                        step(Place::Gateway(g), true),
                    )
                }
                _ => Move::done(
                    vec![],
                    self.drop(DropReason::NoRoute, Rule::R54, || "unexpected MSEE route".into(), &here),
                ),
            };
            let mut steps = vec![lead];
            steps.extend(mv.steps);
            moves.push(Move { steps, next: mv.next });
        }
        moves
    }
}
