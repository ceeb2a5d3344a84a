//! In a subnet: its table's rows, peerings, appliances, delivery (Forwarding, D11, D17, R28, R42).

use super::*;

/// Where a subnet's table is read: the subnet, the device holding the packet, and its place.
pub(super) struct InSubnet {
    pub(super) subnet: SubnetId,
    pub(super) vnet: VnetId,
    pub(super) device: Device,
    pub(super) here: Place,
}

impl Walker<'_> {
    /// Look the destination up in a subnet's table and follow every Active row (ECMP).
    pub(super) fn at_subnet(&self, pos: &Pos, subnet: SubnetId, device: Device, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let at = InSubnet { subnet, vnet: m.subnets[subnet.idx()].vnet, device, here: self.device_place(pos, ctx) };
        let table = self.sim.table(subnet);
        let Some(hit) = table.lookup(ctx.dst) else {
            let cause = DropCause::NoRouteInSubnet { subnet, dst: ctx.dst };
            return vec![Move::done(vec![], dropped(cause, at.here))];
        };
        let mut moves = Vec::new();
        for row in &hit.rows {
            let ips: Vec<Option<IpAddr>> = if row.next_hop_ips.is_empty() {
                vec![None]
            } else {
                row.next_hop_ips.iter().map(|i| Some(*i)).collect()
            };
            for ip in ips {
                let mut lead = step(at.here.clone(), false);
                lead.route = Some(RouteUsed {
                    table: Table::Subnet(subnet),
                    prefix: row.prefix,
                    next_hop_ip: ip,
                    row: RouteRow::Effective {
                        source: row.source,
                        next_hop_type: row.next_hop_type,
                        udr: row.udr_name.clone(),
                    },
                });
                for mv in self.follow_row(&at, row, ip, ctx) {
                    let mut steps = vec![lead.clone()];
                    steps.extend(mv.steps);
                    moves.push(Move { steps, next: mv.next });
                }
            }
        }
        moves
    }

    /// Where one row (and one of its next hops) leads.
    fn follow_row(&self, at: &InSubnet, row: &Row, ip: Option<IpAddr>, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let done = |cause| vec![Move::done(vec![], dropped(cause, at.here.clone()))];
        match row.next_hop_type {
            NextHopType::VnetLocal => vec![self.deliver_in(at.vnet, ctx, vec![])],
            NextHopType::VNetPeering | NextHopType::VNetGlobalPeering => {
                let RowOrigin::Peering(p) = row.origin else {
                    // A user route with a peering type does not exist in format v1.
                    return done(DropCause::Unexpected(Unexpected::UnsupportedNextHop));
                };
                let to = m.peerings[p.idx()].to;
                vec![match self.cross(p, at.device) {
                    Ok(s) => self.deliver_in(to, ctx, vec![s]),
                    Err(e) => Move::done(vec![e.0], e.1),
                }]
            }
            NextHopType::VirtualAppliance => {
                let ip = ip.expect("VirtualAppliance rows have an address");
                self.to_appliance(at.vnet, ip, at.device, ctx, &at.here)
            }
            NextHopType::VirtualNetworkGateway => match row.origin {
                RowOrigin::Gateway(idx) => self.gateway_row(at, idx, ip, ctx),
                // A user route to the VPN gateway (R28, D17).
                _ => match m.domain_of(at.vnet).and_then(|h| m.ix.vpn_gateway[h.idx()]) {
                    Some(g) => vec![Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true))],
                    None => done(DropCause::NoVpnGateway {
                        subnet: at.subnet,
                        prefix: row.prefix,
                        udr: row.udr_name.clone(),
                    }),
                },
            },
            // Leaves Azure: delivered when the address itself is public (R14).
            NextHopType::Internet if crate::net::is_public(ctx.dst) => {
                vec![Move::done(vec![step(Place::Internet, true)], Outcome::Delivered)]
            }
            NextHopType::Internet => done(DropCause::ToInternet {
                subnet: at.subnet,
                dst: self.destination(ctx),
                prefix: row.prefix,
                source: row.source,
            }),
            NextHopType::None => done(DropCause::NextHopNone {
                subnet: at.subnet,
                dst: self.destination(ctx),
                prefix: row.prefix,
                source: row.source,
                udr: row.udr_name.clone(),
                reserved: row.origin == RowOrigin::Reserved,
            }),
        }
    }

    /// Cross a peering (D11).
    fn cross(&self, p: PeeringId, device: Device) -> Result<Step, Box<(Step, Outcome)>> {
        let m = self.m();
        let pe = &m.peerings[p.idx()];
        let back = m.ix.reverse[p.idx()].map(|r| &m.peerings[r.idx()]);
        let mut s = step(Place::Peering { from: pe.from, to: pe.to, global: m.is_global(p) }, false);
        if !pe.allow_virtual_network_access || back.is_some_and(|b| !b.allow_virtual_network_access) {
            let o = dropped(DropCause::PeeringAccessOff { peering: p }, s.place.clone());
            return Err(Box::new((s, o)));
        }
        if device.forwarded()
            && let Some(b) = back
            && !b.allow_forwarded_traffic
        {
            s.warning = Some(Warning::ForwardedOverPeering { from: pe.from, to: pe.to });
        }
        Ok(s)
    }

    /// Deliver to the holder of the destination address in a VNet.
    fn deliver_in(&self, v: VnetId, ctx: &Ctx, mut steps: Vec<Step>) -> Move {
        let m = self.m();
        let held = holder(m, v, ctx.dst).or_else(|| match ctx.to {
            Host::Synthetic { subnet, ip } if m.subnets[subnet.idx()].vnet == v && *ip == ctx.dst => Some(*ctx.to),
            _ => None,
        });
        match held {
            Some(h) if h == *ctx.to => {
                steps.push(step(Place::Host(h), true));
                Move::done(steps, Outcome::Delivered)
            }
            Some(h) => {
                let o = dropped(DropCause::Misdelivered { dst: ctx.dst, host: h, vnet: v }, Place::Host(h));
                steps.push(step(Place::Host(h), true));
                Move::done(steps, o)
            }
            None => {
                let last = steps.last().map(|s| s.place.clone()).unwrap_or(Place::Internet);
                Move::done(steps, dropped(DropCause::NoSuchHost { dst: ctx.dst, vnet: v }, last))
            }
        }
    }

    /// Hand the packet to the device holding a next-hop address, here or in a peered VNet (R28, R42).
    pub(super) fn to_appliance(&self, vnet: VnetId, ip: IpAddr, device: Device, ctx: &Ctx, here: &Place) -> Vec<Move> {
        let m = self.m();
        let mut steps = Vec::new();
        let mut found = holder(m, vnet, ip);
        if found.is_none() {
            for (p, w) in m.connected_peers(vnet) {
                if let Some(h) = holder(m, w, ip) {
                    match self.cross(p, device) {
                        Ok(s) => steps.push(s),
                        Err(e) => return vec![Move::done(vec![e.0], e.1)],
                    }
                    found = Some(h);
                    break;
                }
            }
        }
        let Some(h) = found else {
            return vec![Move::done(steps, dropped(DropCause::NextHopNotHeld { ip, vnet }, here.clone()))];
        };
        self.enter_device(h, ip, ctx, steps)
    }

    fn enter_device(&self, h: Host, ip: IpAddr, ctx: &Ctx, mut steps: Vec<Step>) -> Vec<Move> {
        let m = self.m();
        if h == *ctx.to {
            steps.push(step(Place::Host(h), true));
            return vec![Move::done(steps, Outcome::Delivered)];
        }
        match h {
            Host::Nic(n) => self.enter_nic(n, ip, ctx, steps),
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
                    return vec![Move::done(steps, dropped(DropCause::NoBackends(l), Place::LoadBalancer(l)))];
                }
                backends
                    .into_iter()
                    .flat_map(|b| self.enter_device(Host::Nic(b), m.nics[b.idx()].ip, ctx, steps.clone()))
                    .collect()
            }
            other => vec![Move::done(steps, dropped(DropCause::NotForwarding { ip }, Place::Host(other)))],
        }
    }

    /// A NIC next hop: it forwards (ip_forwarding), or takes the packet into the network behind it
    /// (an NVA advertising the destination to its route server), or drops it.
    fn enter_nic(&self, n: NicId, ip: IpAddr, ctx: &Ctx, mut steps: Vec<Step>) -> Vec<Move> {
        let m = self.m();
        let nic = &m.nics[n.idx()];
        if let Host::BehindNva { .. } = ctx.to
            && m.bgp_peers.iter().any(|b| {
                b.nic == n && b.advertise.iter().any(|a| a.prefix.prefix_len() > 0 && a.prefix.contains(&ctx.dst))
            })
        {
            steps.push(step(Place::Nva(n), true));
            steps.push(step(Place::Host(*ctx.to), false));
            return vec![Move::done(steps, Outcome::Delivered)];
        }
        if !nic.ip_forwarding {
            steps.push(step(Place::Nva(n), true));
            return vec![Move::done(steps, dropped(DropCause::IpForwardingOff { nic: n, ip }, Place::Nva(n)))];
        }
        vec![Move::go(steps, Pos::Subnet { subnet: nic.subnet, device: Device::Nva(n) }, step(Place::Nva(n), true))]
    }
}
