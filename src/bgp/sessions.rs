//! Speakers and sessions: who speaks BGP in the estate (on-premises routers, circuits' MSEEs,
//! gateways, route servers, NVAs) and the directed sessions between them (private peering,
//! ExpressRoute and VPN connections, route-server peerings, branch-to-branch, static injections).

use std::collections::BTreeMap;

use super::*;
use crate::limits;
use crate::model::*;
use crate::net::{AZURE_ASN, MSEE_ASN};

/// A BGP speaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Speaker {
    /// An on-premises router.
    Onprem(OnpremId),
    /// A circuit's MSEE pair.
    Circuit(CircuitId),
    /// An ExpressRoute or VPN gateway.
    Gateway(GatewayId),
    /// A route server.
    RouteServer(RouteServerId),
    /// An NVA peering with a route server.
    Nva(BgpPeerId),
}

/// What a session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SessionKind {
    /// On-premises router ↔ circuit (ExpressRoute private peering).
    PrivatePeering,
    /// Circuit ↔ ExpressRoute gateway (a connection).
    ExpressRoute,
    /// VPN gateway ↔ on-premises router over a BGP site-to-site connection.
    SiteToSite,
    /// VPN gateway ↔ VPN gateway over BGP VNet-to-VNet connections.
    VnetToVnet,
    /// Route server ↔ NVA.
    RouteServerPeer,
    /// Route server ↔ a gateway in its VNet (branch-to-branch, R74).
    BranchToBranch,
    /// Static prefixes installed on a VPN connection (R49): an injection, not a BGP session.
    Static,
}

impl SessionKind {
    /// Whether routes on this session count as external candidates of a domain (D9).
    pub fn external(self) -> bool {
        !matches!(self, SessionKind::BranchToBranch | SessionKind::PrivatePeering)
    }
}

/// A directed session.
#[derive(Clone, Debug)]
pub struct Session {
    /// Sender.
    pub from: SpeakerId,
    /// Receiver.
    pub to: SpeakerId,
    /// What it is.
    pub kind: SessionKind,
    /// The connection it runs over (ExpressRoute, VPN), if any.
    pub connection: Option<ConnectionId>,
    /// The circuit involved (private peering, ExpressRoute), if any.
    pub circuit: Option<CircuitId>,
    /// The NVA involved (route-server peering), if any.
    pub peer: Option<BgpPeerId>,
    /// Routing weight of the ExpressRoute connection (D9), 0 otherwise.
    pub weight: u32,
    /// Set when the session carries nothing (over a prefix limit).
    pub down: Option<Reason>,
}

impl Bgp {
    /// The speakers and sessions of a model, nothing propagated yet.
    pub(super) fn build(m: &Model) -> Bgp {
        let mut b = Bgp {
            interner: Interner::new(),
            speakers: Vec::new(),
            asn: Vec::new(),
            sessions: Vec::new(),
            out: Vec::new(),
            ribs: Vec::new(),
            gateway_speaker: Vec::new(),
            route_server_speaker: Vec::new(),
            circuit_speaker: Vec::new(),
            onprem_speaker: Vec::new(),
            nva_speaker: Vec::new(),
            domain_spaces: (0..m.vnets.len()).map(|v| Self::domain_space(m, VnetId(v as u32))).collect(),
            rs_transit: m.route_servers.iter().map(|r| limits::er_vpn_transit(m, r.vnet).is_empty()).collect(),
        };
        b.add_speakers(m);
        b.add_private_peerings(m);
        b.add_connections(m);
        b.add_route_server_sessions(m);
        b
    }

    fn add_speaker(&mut self, s: Speaker, asn: u32) -> SpeakerId {
        let id = SpeakerId(self.speakers.len() as u32);
        self.speakers.push(s);
        self.asn.push(asn);
        self.out.push(Vec::new());
        self.ribs.push(BTreeMap::new());
        id
    }

    fn add_speakers(&mut self, m: &Model) {
        for (i, o) in m.onprems.iter().enumerate() {
            let id = self.add_speaker(Speaker::Onprem(OnpremId(i as u32)), o.asn);
            self.onprem_speaker.push(id);
        }
        for i in 0..m.circuits.len() {
            let id = self.add_speaker(Speaker::Circuit(CircuitId(i as u32)), MSEE_ASN);
            self.circuit_speaker.push(id);
        }
        for (i, g) in m.gateways.iter().enumerate() {
            let id = self.add_speaker(Speaker::Gateway(GatewayId(i as u32)), g.asn);
            self.gateway_speaker.push(id);
        }
        for i in 0..m.route_servers.len() {
            let id = self.add_speaker(Speaker::RouteServer(RouteServerId(i as u32)), AZURE_ASN);
            self.route_server_speaker.push(id);
        }
        for (i, p) in m.bgp_peers.iter().enumerate() {
            let id = self.add_speaker(Speaker::Nva(BgpPeerId(i as u32)), p.asn);
            self.nva_speaker.push(id);
        }
    }

    /// A new session; static injections are not exported by their speaker.
    fn add_session(&mut self, from: SpeakerId, to: SpeakerId, kind: SessionKind) -> &mut Session {
        let id = SessionId(self.sessions.len() as u32);
        self.sessions.push(Session {
            from,
            to,
            kind,
            connection: None,
            circuit: None,
            peer: None,
            weight: 0,
            down: None,
        });
        if kind != SessionKind::Static {
            self.out[from.0 as usize].push(id);
        }
        self.sessions.last_mut().expect("just pushed")
    }

    /// Private peering: router ↔ circuit.
    fn add_private_peerings(&mut self, m: &Model) {
        for (i, o) in m.onprems.iter().enumerate() {
            for c in &o.circuits {
                let (os, cs) = (self.onprem_speaker[i], self.circuit_speaker[c.idx()]);
                for (f, t) in [(os, cs), (cs, os)] {
                    self.add_session(f, t, SessionKind::PrivatePeering).circuit = Some(*c);
                }
            }
        }
    }

    /// ExpressRoute, site-to-site and VNet-to-VNet connections (static prefixes as injections, R49).
    fn add_connections(&mut self, m: &Model) {
        // VNet-to-VNet connections by (gateway, remote gateway): whether any runs BGP.
        let mut v2v: BTreeMap<(GatewayId, GatewayId), bool> = BTreeMap::new();
        for c in &m.connections {
            if let ConnectionKind::VnetToVnet { remote_gateway, bgp } = c.kind {
                *v2v.entry((c.gateway, remote_gateway)).or_default() |= bgp;
            }
        }
        for (ci, c) in m.connections.iter().enumerate() {
            let conn = Some(ConnectionId(ci as u32));
            let gs = self.gateway_speaker[c.gateway.idx()];
            match &c.kind {
                ConnectionKind::ExpressRoute { circuit, routing_weight } => {
                    let cs = self.circuit_speaker[circuit.idx()];
                    for (f, t) in [(cs, gs), (gs, cs)] {
                        let ss = self.add_session(f, t, SessionKind::ExpressRoute);
                        ss.connection = conn;
                        ss.circuit = Some(*circuit);
                        ss.weight = if t == gs { *routing_weight } else { 0 };
                    }
                }
                ConnectionKind::SiteToSite { local_gateway, bgp } => {
                    self.add_session(gs, gs, SessionKind::Static).connection = conn;
                    let lg = &m.local_gateways[local_gateway.idx()];
                    if *bgp && let Some(o) = lg.onprem {
                        let os = self.onprem_speaker[o.idx()];
                        for (f, t) in [(os, gs), (gs, os)] {
                            self.add_session(f, t, SessionKind::SiteToSite).connection = conn;
                        }
                    }
                }
                ConnectionKind::VnetToVnet { remote_gateway, bgp } => {
                    // Both directions must exist (a connection is one direction, as in Azure).
                    let Some(&back_bgp) = v2v.get(&(*remote_gateway, c.gateway)) else {
                        continue;
                    };
                    if *bgp && back_bgp {
                        // routes the remote gateway sends arrive on this gateway's connection
                        let rs = self.gateway_speaker[remote_gateway.idx()];
                        self.add_session(rs, gs, SessionKind::VnetToVnet).connection = conn;
                    } else {
                        self.add_session(gs, gs, SessionKind::Static).connection = conn;
                    }
                }
            }
        }
    }

    /// Route-server peers (NVAs) and branch-to-branch with the VNet's gateways (R74).
    fn add_route_server_sessions(&mut self, m: &Model) {
        for (i, p) in m.bgp_peers.iter().enumerate() {
            let (ns, rs) = (self.nva_speaker[i], self.route_server_speaker[p.route_server.idx()]);
            for (f, t) in [(ns, rs), (rs, ns)] {
                self.add_session(f, t, SessionKind::RouteServerPeer).peer = Some(BgpPeerId(i as u32));
            }
        }
        for (i, r) in m.route_servers.iter().enumerate() {
            if !r.branch_to_branch {
                continue;
            }
            let rs = self.route_server_speaker[i];
            for g in [m.ix.er_gateway[r.vnet.idx()], m.ix.vpn_gateway[r.vnet.idx()]].into_iter().flatten() {
                let gs = self.gateway_speaker[g.idx()];
                self.add_session(rs, gs, SessionKind::BranchToBranch);
                self.add_session(gs, rs, SessionKind::BranchToBranch);
            }
        }
    }
}
