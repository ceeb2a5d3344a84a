//! In a subnet: its table's rows, peerings, appliances, delivery (Forwarding, D11, D17, R28, R42).

use super::*;

impl Walker<'_> {
    /// Look the destination up in a subnet's table and follow every Active row (ECMP).
    pub(super) fn at_subnet(&self, pos: &Pos, subnet: SubnetId, device: Device, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let here = self.device_place(pos, ctx);
        let table = self.sim.table(subnet);
        let vnet = m.subnets[subnet.idx()].vnet;
        let Some(hit) = table.lookup(ctx.dst) else {
            return vec![Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    Rule::R19,
                    || format!("no route in {} matches {}", m.subnet_path(subnet), ctx.dst),
                    &here,
                ),
            )];
        };
        let mut moves = Vec::new();
        for row in &hit.rows {
            let ips: Vec<Option<IpAddr>> = if row.next_hop_ips.is_empty() {
                vec![None]
            } else {
                row.next_hop_ips.iter().map(|i| Some(*i)).collect()
            };
            for ip in ips {
                let mut lead = step(here.clone(), false);
                if !self.lean {
                    lead.route = Some(RouteUsed {
                        table: m.subnet_path(subnet),
                        prefix: row.prefix,
                        source: row.source.portal().to_string(),
                        next_hop_type: row.next_hop_type.portal().to_string(),
                        next_hop_ip: ip,
                        detail: row.udr_name.as_ref().map(|n| format!("route {n}")),
                        bgp: false,
                        udr: row.udr_name.clone(),
                    });
                }
                for mv in self.follow_row(vnet, subnet, device, row, ip, ctx, &here) {
                    let mut steps = vec![lead.clone()];
                    steps.extend(mv.steps);
                    moves.push(Move { steps, next: mv.next });
                }
            }
        }
        moves
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn follow_row(
        &self,
        vnet: VnetId,
        subnet: SubnetId,
        device: Device,
        row: &Row,
        ip: Option<IpAddr>,
        ctx: &Ctx,
        here: &Place,
    ) -> Vec<Move> {
        let m = self.m();
        let one = |mv: Move| vec![mv];
        match row.next_hop_type {
            NextHopType::VnetLocal => one(self.deliver_in(vnet, ctx, vec![])),
            NextHopType::VNetPeering | NextHopType::VNetGlobalPeering => {
                let RowOrigin::Peering(p) = row.origin else {
                    // A user route with a peering type does not exist in format v1.
                    return one(Move::done(
                        vec![],
                        self.drop(DropReason::NoRoute, Rule::R28, || "unsupported next hop".into(), here),
                    ));
                };
                let to = m.peerings[p.idx()].to;
                one(match self.cross(p, device, ctx) {
                    Ok(s) => self.deliver_in(to, ctx, vec![s]),
                    Err(e) => Move::done(vec![e.0], e.1),
                })
            }
            NextHopType::VirtualAppliance => {
                let ip = ip.expect("VirtualAppliance rows have an address");
                self.to_appliance(vnet, ip, device, ctx, here)
            }
            NextHopType::VirtualNetworkGateway => match row.origin {
                RowOrigin::Gateway(idx) => self.gateway_row(vnet, subnet, device, idx, ip, ctx, here),
                _ => {
                    // A user route to the VPN gateway (R28, D17).
                    let domain = m.domain_of(vnet);
                    one(match domain.and_then(|h| m.ix.vpn_gateway[h.idx()]) {
                        Some(g) => Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true)),
                        None => Move::done(
                            vec![],
                            self.drop(
                                DropReason::NoVpnGateway,
                                RuleSet::of(&[Rule::D17, Rule::R28]),
                                || format!(
                                    "route {} sends {} to the virtual network gateway, but {} has no VPN gateway (a user route cannot target an ExpressRoute gateway)",
                                    row.udr_name.clone().unwrap_or_default(),
                                    row.prefix,
                                    m.subnet_path(subnet)
                                ),
                                here,
                            ),
                        ),
                    })
                }
            },
            NextHopType::Internet => {
                one({
                    // Leaves Azure: delivered when the address itself is public (R14).
                    if crate::net::is_public(ctx.dst) {
                        Move::done(vec![step(Place::Internet, true)], Outcome::Delivered)
                    } else {
                        let rule = RuleSet::from(if row.source == RouteSource::User { Rule::R27 } else { Rule::R14 });
                        let (extra, rule) = self.non_transitive_note(vnet, subnet, ctx, rule);
                        Move::done(
                        vec![],
                        self.drop(
                            DropReason::ToInternet,
                            rule,
                            || format!(
                                "{} only matches {} Internet: the packet leaves Azure for a private address{extra}",
                                self.dst_text(ctx),
                                row.prefix
                            ),
                            here,
                        ),
                    )
                    }
                })
            }
            NextHopType::None => {
                let why = match (&row.udr_name, row.origin) {
                    (Some(n), _) => format!("user route `{n}`"),
                    (None, RowOrigin::Reserved) => "a reserved system route (D3)".to_string(),
                    _ => "a system route".to_string(),
                };
                let rule = RuleSet::from(if row.source == RouteSource::User { Rule::R27 } else { Rule::D3 });
                let (extra, rule) = self.non_transitive_note(vnet, subnet, ctx, rule);
                one(Move::done(
                    vec![],
                    self.drop(
                        DropReason::NextHopNone,
                        rule,
                        || format!("{} only matches {} None, {why}{extra}", self.dst_text(ctx), row.prefix),
                        here,
                    ),
                ))
            }
        }
    }

    /// The destination address, with its VNet and address space when it is in Azure.
    pub(super) fn dst_text(&self, ctx: &Ctx) -> String {
        let m = self.m();
        match ctx.to.vnet(m) {
            Some(v) => {
                let vn = &m.vnets[v.idx()];
                match vn.address_space.iter().find(|a| a.contains(&ctx.dst)) {
                    Some(a) => format!("{} ({} {a})", ctx.dst, vn.name),
                    None => format!("{} ({})", ctx.dst, vn.name),
                }
            }
            None => ctx.dst.to_string(),
        }
    }

    /// Why no better row exists: a route to the destination was filtered (D4) or left out of this
    /// subnet (R31), or the destination's VNet is not peered and peering is not transitive (R37).
    pub(super) fn non_transitive_note(
        &self,
        vnet: VnetId,
        subnet: SubnetId,
        ctx: &Ctx,
        rule: RuleSet,
    ) -> (String, RuleSet) {
        let m = self.m();
        let mut notes = String::new();
        let mut rules = rule;
        if self.lean {
            return (notes, rules);
        }
        if let Some(dm) = self.sim.domain_of(vnet) {
            let table = self.sim.table(subnet);
            let mut d4: Vec<String> = Vec::new();
            let mut off = false;
            let host = IpNet::from(ctx.dst);
            if let Some(g) = m.ix.er_gateway[dm.hub.idx()] {
                for f in self.sim.bgp.remote_vnet_filtered(m, g, Some(ctx.dst)) {
                    if let crate::bgp::Reason::RemoteVnetTrafficOff { gateways } = f.reason {
                        d4.extend(gateways.iter().map(|g| m.gateways[g.idx()].name.clone()));
                    }
                }
            }
            for r in dm.covering(&host) {
                if !r.best.is_empty() && matches!(table.installed(r), Err(crate::bgp::Reason::PropagationOff { .. })) {
                    off = true;
                }
            }
            d4.sort();
            d4.dedup();
            if !d4.is_empty() {
                notes.push_str(&format!(
                    "; the gateway route toward it was filtered: allow_remote_vnet_traffic is off on {}",
                    d4.join(" and ")
                ));
                rules.push(Rule::D4);
            }
            if off {
                notes.push_str("; a gateway route toward it exists but this subnet's route table has propagation off");
                rules.push(Rule::R31);
            }
        }
        let Some(dv) = ctx.to.vnet(m) else { return (notes, rules) };
        if dv == vnet || m.connected_peers(vnet).any(|(_, w)| w == dv) {
            return (notes, rules);
        }
        let common: Vec<String> = m
            .connected_peers(vnet)
            .filter(|(_, w)| m.connected_peers(*w).any(|(_, x)| x == dv))
            .map(|(_, w)| m.vnets[w.idx()].name.clone())
            .collect();
        let via =
            if common.is_empty() { String::new() } else { format!(" (both are peered with {})", common.join(", ")) };
        notes.push_str(&format!(
            "; {} and {} are not peered and peering is not transitive{via}",
            m.vnets[vnet.idx()].name,
            m.vnets[dv.idx()].name
        ));
        rules.push(Rule::R37);
        (notes, rules)
    }

    /// Cross a peering (D11).
    pub(super) fn cross(&self, p: PeeringId, device: Device, _ctx: &Ctx) -> Result<Step, Box<(Step, Outcome)>> {
        let m = self.m();
        let pe = &m.peerings[p.idx()];
        let back = m.ix.reverse[p.idx()].map(|r| &m.peerings[r.idx()]);
        let mut s = step(Place::Peering { from: pe.from, to: pe.to, global: m.is_global(p) }, false);
        if !pe.allow_virtual_network_access || back.is_some_and(|b| !b.allow_virtual_network_access) {
            let o = self.drop(
                DropReason::PeeringAccessDisabled,
                Rule::D11,
                || {
                    format!(
                        "allow_virtual_network_access is off on the {} ↔ {} peering (assuming default NSG rules)",
                        m.vnets[pe.from.idx()].name,
                        m.vnets[pe.to.idx()].name
                    )
                },
                &s.place,
            );
            return Err(Box::new((s, o)));
        }
        if device.forwarded()
            && let Some(b) = back
            && !b.allow_forwarded_traffic
        {
            s.warning = Some(format!(
                "traffic forwarded by an NVA or firewall crosses peering {} → {}, whose {} side has allow_forwarded_traffic = false (documented to narrow the VirtualNetwork tag; observed not to block) [D11]",
                m.vnets[pe.from.idx()].name,
                m.vnets[pe.to.idx()].name,
                m.vnets[pe.to.idx()].name
            ));
        }
        Ok(s)
    }

    /// Deliver to the holder of the destination address in a VNet.
    pub(super) fn deliver_in(&self, v: VnetId, ctx: &Ctx, mut steps: Vec<Step>) -> Move {
        let m = self.m();
        let held = holder(m, v, ctx.dst).or_else(|| match ctx.to {
            Host::Synthetic { subnet, ip } if m.subnets[subnet.idx()].vnet == v && *ip == ctx.dst => {
                Some(ctx.to.clone())
            }
            _ => None,
        });
        match held {
            Some(h) if h == *ctx.to => {
                steps.push(step(self.host_place(&h), true));
                Move::done(steps, Outcome::Delivered)
            }
            Some(h) => {
                let at = self.host_place(&h);
                let o = self.drop(
                    DropReason::Misdelivered,
                    RuleSet::none(),
                    || {
                        format!(
                            "{} is delivered to {} in {}, not to the destination (overlapping address spaces)",
                            ctx.dst,
                            at.name(m),
                            m.vnets[v.idx()].name
                        )
                    },
                    &at,
                );
                steps.push(step(at, true));
                Move::done(steps, o)
            }
            None => {
                let last = steps.last().map(|s| s.place.clone()).unwrap_or(Place::Internet);
                let o = self.drop(
                    DropReason::NoSuchHost,
                    RuleSet::none(),
                    || format!("nothing holds {} in VNet {}", ctx.dst, m.vnets[v.idx()].name),
                    &last,
                );
                Move::done(steps, o)
            }
        }
    }

    /// Hand the packet to the device holding a next-hop address, here or in a peered VNet (R28, R42).
    pub(super) fn to_appliance(&self, vnet: VnetId, ip: IpAddr, device: Device, ctx: &Ctx, here: &Place) -> Vec<Move> {
        let m = self.m();
        let mut steps = Vec::new();
        let mut found = holder(m, vnet, ip).map(|h| (vnet, h));
        if found.is_none() {
            for (p, w) in m.connected_peers(vnet) {
                if let Some(h) = holder(m, w, ip) {
                    match self.cross(p, device, ctx) {
                        Ok(s) => steps.push(s),
                        Err(e) => return vec![Move::done(vec![e.0], e.1)],
                    }
                    found = Some((w, h));
                    break;
                }
            }
        }
        let Some((_, h)) = found else {
            return vec![Move::done(
                steps,
                self.drop(
                    DropReason::NextHopUnreachable,
                    RuleSet::of(&[Rule::D17, Rule::R28]),
                    || format!(
                        "next hop {ip} is held by no forwarding NIC, firewall or load-balancer frontend in {} or a peered VNet",
                        m.vnets[vnet.idx()].name
                    ),
                    here,
                ),
            )];
        };
        self.enter_device(h, ip, ctx, steps)
    }

    pub(super) fn enter_device(&self, h: Host, ip: IpAddr, ctx: &Ctx, mut steps: Vec<Step>) -> Vec<Move> {
        let m = self.m();
        if h == *ctx.to {
            steps.push(step(self.host_place(&h), true));
            return vec![Move::done(steps, Outcome::Delivered)];
        }
        match h {
            Host::Nic(n) => {
                let nic = &m.nics[n.idx()];
                // Any NVA that advertises a prefix covering the address takes it into its network.
                if let Host::BehindNva { .. } = ctx.to
                    && m.bgp_peers.iter().any(|b| {
                        b.nic == n
                            && b.advertise.iter().any(|a| a.prefix.prefix_len() > 0 && a.prefix.contains(&ctx.dst))
                    })
                {
                    // The NVA takes it into the network it advertised.
                    steps.push(step(Place::Nva(n), true));
                    steps.push(step(self.host_place(ctx.to), false));
                    return vec![Move::done(steps, Outcome::Delivered)];
                }
                if !nic.ip_forwarding {
                    let place = Place::Nva(n);
                    let o = self.drop(
                        DropReason::IpForwardingOff,
                        Rule::R28,
                        || {
                            format!(
                                "{} ({ip}) has ip_forwarding = false and drops traffic not addressed to it",
                                nic.name
                            )
                        },
                        &place,
                    );
                    steps.push(step(place, true));
                    return vec![Move::done(steps, o)];
                }
                vec![Move::go(
                    steps,
                    Pos::Subnet { subnet: nic.subnet, device: Device::Nva(n) },
                    step(Place::Nva(n), true),
                )]
            }
            Host::Firewall(f) => vec![Move::go(
                steps,
                Pos::Subnet { subnet: m.firewalls[f.idx()].subnet, device: Device::Firewall(f) },
                step(Place::Firewall(f), true),
            )],
            Host::LoadBalancer(l) => {
                // Each backend is an ECMP branch (the flow goes to one of them).
                let lb = &m.load_balancers[l.idx()];
                steps.push(step(Place::LoadBalancer(l), false));
                let mut backends: Vec<NicId> = lb.backends.clone();
                backends.sort_by_key(|b| m.nics[b.idx()].name.clone());
                if backends.is_empty() {
                    return vec![Move::done(
                        steps,
                        self.drop(
                            DropReason::NextHopUnreachable,
                            Rule::D17,
                            || format!("load balancer {} has no backends", lb.name),
                            &Place::LoadBalancer(l),
                        ),
                    )];
                }
                backends
                    .into_iter()
                    .flat_map(|b| self.enter_device(Host::Nic(b), m.nics[b.idx()].ip, ctx, steps.clone()))
                    .collect()
            }
            other => vec![Move::done(
                steps,
                self.drop(
                    DropReason::NextHopUnreachable,
                    Rule::D17,
                    || format!("{ip} is not a forwarding device"),
                    &Place::Host(other.info(m)),
                ),
            )],
        }
    }
}
