//! At an on-premises router: delivered, or its learned routes (R50, R67).

use super::*;

impl Walker<'_> {
    pub(super) fn enter_onprem(&self, o: OnpremId) -> Move {
        Move::go(vec![], Pos::Onprem { router: o }, step(Place::Onprem(o), false))
    }

    /// A hub with ExpressRoute and VPN gateways, one of which serves on-premises router `o`, that
    /// lacks R67's conditions: sites behind one gateway cannot reach sites behind the other
    /// through Azure. The missing conditions of the first such hub (by VNet order).
    pub(super) fn r67_missing(&self, o: OnpremId) -> Option<Vec<String>> {
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
        (0..m.vnets.len()).find_map(|v| {
            let (Some(er), Some(vpn)) = (m.ix.er_gateway[v], m.ix.vpn_gateway[v]) else { return None };
            if !serves(er) && !serves(vpn) {
                return None;
            }
            let missing = limits::er_vpn_transit(m, VnetId(v as u32));
            (!missing.is_empty()).then(|| missing.iter().map(|x| x.describe(m)).collect())
        })
    }

    pub(super) fn r67_rule(&self, o: OnpremId) -> RuleSet {
        if self.r67_missing(o).is_some() { RuleSet::of(&[Rule::R50, Rule::R67]) } else { Rule::R50.into() }
    }

    pub(super) fn r67_note(&self, o: OnpremId) -> String {
        match self.r67_missing(o) {
            Some(missing) => format!(
                "; ExpressRoute and VPN sites reach each other through Azure only with R67's conditions: {}",
                missing.join("; ")
            ),
            None => String::new(),
        }
    }

    /// On-premises: delivered if its own prefixes cover the destination, else its learned routes.
    pub(super) fn at_onprem(&self, pos: &Pos, router: OnpremId, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let r = &m.onprems[router.idx()];
        // Delivered on-premises when the destination is an on-premises address this router
        // originates (its step counts as the routed hop, D16). An Azure destination covered only
        // by a broad on-premises prefix (a default route) is not delivered here: the router
        // forwards by what it learned, or drops.
        let onprem_dst = matches!(ctx.to, Host::Onprem { .. } | Host::Site { .. } | Host::Public(_));
        // Its own prefixes, and the static prefixes of local gateways that describe it (R49).
        let holds = r.advertise.iter().any(|p| p.contains(&ctx.dst))
            || m.local_gateways
                .iter()
                .filter(|l| l.onprem == Some(router))
                .any(|l| l.address_prefixes.iter().any(|p| p.contains(&ctx.dst)) || l.bgp_peer_ip == Some(ctx.dst));
        if onprem_dst && holds {
            return vec![Move::done(vec![step(Place::Onprem(router), true)], Outcome::Delivered)];
        }
        let s = b.onprem_speaker[router.idx()];
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else {
            return vec![Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    self.r67_rule(router),
                    || format!("{} has no route to {}{}", r.name, ctx.dst, self.r67_note(router)),
                    &here,
                ),
            )];
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let Some(via) = c.via else { continue };
            let sess = b.session_ref(via);
            let mut lead = step(here.clone(), false);
            if !self.lean {
                lead.route = Some(RouteUsed {
                    table: format!("{} BGP", r.name),
                    prefix: net,
                    source: crate::bgp::speaker_name(m, b.speakers[sess.from.0 as usize]),
                    next_hop_type: match sess.kind {
                        SessionKind::PrivatePeering => "ExpressRoute".into(),
                        _ => "VPN".into(),
                    },
                    next_hop_ip: None,
                    detail: Some(format!("AS path {}", b.interner.path_text(c.path))),
                    bgp: true,
                    udr: None,
                });
            }
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
            let mut steps = vec![lead];
            steps.extend(next.steps);
            moves.push(Move { steps, next: next.next });
        }
        if moves.is_empty() {
            moves.push(Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    self.r67_rule(router),
                    || format!("{} has no route to {}{}", r.name, ctx.dst, self.r67_note(router)),
                    &here,
                ),
            ));
        }
        moves
    }
}
