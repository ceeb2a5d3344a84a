//! What speakers put into BGP themselves: gateways' and route servers' VNet and transit-spoke
//! space (R50, R74), on-premises and NVA advertisements, and the static prefixes of VPN
//! connections (R49).

use ipnet::IpNet;

use super::*;
use crate::model::*;

impl Bgp {
    /// The VNet and transit-spoke space a gateway or route server originates (R50, R74).
    pub(super) fn domain_space(m: &Model, vnet: VnetId) -> Vec<IpNet> {
        let mut v = m.vnets[vnet.idx()].address_space.clone();
        for s in &m.ix.transit_spokes[vnet.idx()] {
            v.extend(m.vnets[s.idx()].address_space.iter().copied());
        }
        v
    }

    /// Seed every speaker's own routes and the static injections; returns the worklist.
    pub(super) fn originate(&mut self, m: &Model) -> Vec<(SpeakerId, PrefixId)> {
        let mut seeds = Vec::new();
        let empty = PathId(0);
        // R50, R74: gateways and route servers originate their VNet's and transit spokes' space.
        let spaces = m
            .gateways
            .iter()
            .enumerate()
            .map(|(i, g)| (self.gateway_speaker[i], g.vnet))
            .chain(m.route_servers.iter().enumerate().map(|(i, r)| (self.route_server_speaker[i], r.vnet)));
        for (s, vnet) in spaces.collect::<Vec<_>>() {
            for p in self.domain_spaces[vnet.idx()].clone() {
                let c = Cand { path: empty, origin: Origin::Space(s), via: None, next_hop: None, class: 0 };
                self.originate_one(s, p, c, &mut seeds);
            }
        }
        for (i, o) in m.onprems.iter().enumerate() {
            let s = self.onprem_speaker[i];
            for p in &o.advertise {
                let origin = Origin::Onprem(OnpremId(i as u32));
                // The AS path behind the router, when written; it prepends its own ASN when it sends.
                let path = o.paths.get(p).map(|a| self.interner.path(a.clone())).unwrap_or(empty);
                let c = Cand { path, origin, via: None, next_hop: None, class: 0 };
                self.originate_one(s, *p, c, &mut seeds);
            }
        }
        for (i, n) in m.bgp_peers.iter().enumerate() {
            let s = self.nva_speaker[i];
            for a in &n.advertise {
                let path = self.interner.path(a.as_path.clone());
                let origin = Origin::Nva(BgpPeerId(i as u32));
                let c = Cand { path, origin, via: None, next_hop: Some(a.next_hop), class: 1 };
                self.originate_one(s, a.prefix, c, &mut seeds);
            }
        }
        self.inject_static(m, &mut seeds);
        seeds
    }

    /// A speaker's own route for a prefix (the first origination wins; repeats add nothing).
    fn originate_one(&mut self, s: SpeakerId, p: IpNet, c: Cand, seeds: &mut Vec<(SpeakerId, PrefixId)>) {
        let pid = self.interner.prefix(p);
        let e = self.entry_mut(s, pid);
        if e.local.is_none() {
            e.local = Some(c);
            seeds.push((s, pid));
        }
    }

    /// Static prefixes on VPN connections (R49): a local gateway's `address_prefixes` (and its BGP
    /// peer /32), or the remote VNet's space on a VNet-to-VNet connection without BGP.
    fn inject_static(&mut self, m: &Model, seeds: &mut Vec<(SpeakerId, PrefixId)>) {
        for si in 0..self.sessions.len() {
            let s = &self.sessions[si];
            if s.kind != SessionKind::Static {
                continue;
            }
            let conn = s.connection.expect("static injection has a connection");
            let gs = s.to;
            let c = &m.connections[conn.idx()];
            let (prefixes, origin): (Vec<IpNet>, Origin) = match &c.kind {
                ConnectionKind::SiteToSite { local_gateway, bgp } => {
                    let lg = &m.local_gateways[local_gateway.idx()];
                    let mut v = lg.address_prefixes.clone();
                    if *bgp && let Some(ip) = lg.bgp_peer_ip {
                        v.push(IpNet::from(ip));
                    }
                    (v, Origin::Static(conn))
                }
                ConnectionKind::VnetToVnet { remote_gateway, .. } => (
                    m.vnets[m.gateways[remote_gateway.idx()].vnet.idx()].address_space.clone(),
                    Origin::V2vStatic(conn),
                ),
                ConnectionKind::ExpressRoute { .. } => continue,
            };
            let own = self.domain_spaces[m.gateways[c.gateway.idx()].vnet.idx()].clone();
            for p in prefixes {
                let pid = self.interner.prefix(p);
                let cand = Cand { path: PathId(0), origin, via: Some(SessionId(si as u32)), next_hop: None, class: 1 };
                let e = self.entry_mut(gs, pid);
                if own.contains(&p) {
                    e.rejected.push((cand, Reason::OwnSpace)); // R66
                } else if !e.ins.iter().any(|x| x.via == cand.via) {
                    e.ins.push(cand);
                    seeds.push((gs, pid));
                }
            }
        }
    }
}
