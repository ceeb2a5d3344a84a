//! At a circuit's MSEE: its BGP table decides (R54), and VNet-to-VNet traffic over the circuit
//! needs allow_remote_vnet_traffic on both gateways (D4, R57).

use super::*;

impl Walker<'_> {
    /// At a circuit's MSEE: every selected route's speaker is a next position (ECMP).
    pub(super) fn at_msee(&self, pos: &Pos, circuit: CircuitId, from_gw: Option<GatewayId>, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let s = b.circuit_speaker[circuit.idx()];
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else {
            return vec![Move::done(vec![], dropped(DropCause::MseeNoRoute { circuit, dst: ctx.dst }, here))];
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let sess = b.session_ref(c.via.expect("circuit routes are learned"));
            let mut lead = step(here.clone(), false);
            lead.route = Some(self.learned(Table::Msee(circuit), net, c, sess));
            let mv = match b.speakers[sess.from.0 as usize] {
                Speaker::Onprem(o) => self.enter_onprem(o),
                Speaker::Gateway(g) => {
                    // From one gateway's VNet to another's over the circuit (D4).
                    let gateways: Vec<GatewayId> = from_gw
                        .filter(|a| *a != g)
                        .map(|a| {
                            [a, g].into_iter().filter(|x| !m.gateways[x.idx()].allow_remote_vnet_traffic).collect()
                        })
                        .unwrap_or_default();
                    if gateways.is_empty() {
                        let gs = m.gateway_subnet(g);
                        Move::go(
                            vec![],
                            Pos::Subnet { subnet: gs, device: Device::Gateway(g) },
                            step(Place::Gateway(g), true),
                        )
                    } else {
                        Move::done(vec![], dropped(DropCause::RemoteVnetTrafficOff { circuit, gateways }, here.clone()))
                    }
                }
                _ => Move::done(vec![], dropped(DropCause::Unexpected(Unexpected::MseeRoute), here.clone())),
            };
            let mut steps = vec![lead];
            steps.extend(mv.steps);
            moves.push(Move { steps, next: mv.next });
        }
        moves
    }
}
