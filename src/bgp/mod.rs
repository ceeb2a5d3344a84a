//! BGP-style propagation between the estate's speakers, to a fixed point (docs/routing-rules.md Part L).
//!
//! Speakers are on-premises routers, circuits (the MSEE pair, AS 12076), ExpressRoute and VPN
//! gateways, route servers (65515) and NVAs. Sessions are directed edges between them: private
//! peering (router–circuit), ExpressRoute connections (circuit–gateway), site-to-site and
//! VNet-to-VNet VPN, route-server peerings (RS–NVA) and branch-to-branch (RS–gateway); static
//! prefixes (R49) are injections on a connection. Each session applies the export policy of its
//! sender and the import filter of its receiver (D8, D4, R50, R59, R66, R67, R72); each speaker
//! keeps every candidate per exact prefix and selects the minimal D9 key (ECMP kept). Propagation is
//! a worklist over (speaker, prefix) pairs with a budget: exhausting it is a
//! [`NoConvergence`], never a hang. Sessions over
//! Azure's prefix limits carry nothing (R52, R66, R76). The result is then folded per routing
//! domain ([`domain`]): what every subnet behind a hub's gateways gets.

pub mod domain;
pub mod route;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::IpAddr;

use ipnet::IpNet;

pub use route::*;

use crate::limits;
use crate::model::*;
use crate::net::{AZURE_ASN, MSEE_ASN, is_private_asn, overlaps, prefix_order};

/// Propagation did not settle within its work budget: the design holds a routing loop between
/// speakers that BGP's rules do not break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "BGP propagation did not converge within {budget} route updates; the design may contain a routing loop between speakers"
)]
pub struct NoConvergence {
    /// The budget that ran out.
    pub budget: usize,
}

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

/// What one speaker holds for one exact prefix.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// Originated here.
    pub local: Option<Cand>,
    /// Accepted candidates, one per session.
    pub ins: Vec<Cand>,
    /// Candidates offered but filtered, with the reason.
    pub rejected: Vec<(Cand, Reason)>,
    /// The selected set (ECMP), tie-break order.
    pub best: Vec<Cand>,
}

/// The propagation result: speakers, sessions and what each speaker holds.
#[derive(Clone, Debug)]
pub struct Bgp {
    /// Interned prefixes and paths.
    pub interner: Interner,
    /// Speakers by id.
    pub speakers: Vec<Speaker>,
    /// Each speaker's ASN.
    pub asn: Vec<u32>,
    /// Sessions by id.
    pub sessions: Vec<Session>,
    /// Outgoing sessions of each speaker.
    pub out: Vec<Vec<SessionId>>,
    /// What each speaker holds, by prefix.
    pub ribs: Vec<BTreeMap<PrefixId, Entry>>,
    /// Speaker of each gateway.
    pub gateway_speaker: Vec<SpeakerId>,
    /// Speaker of each route server.
    pub route_server_speaker: Vec<SpeakerId>,
    /// Speaker of each circuit.
    pub circuit_speaker: Vec<SpeakerId>,
    /// Speaker of each on-premises router.
    pub onprem_speaker: Vec<SpeakerId>,
    /// Speaker of each NVA peer.
    pub nva_speaker: Vec<SpeakerId>,
    /// Each VNet's space plus its transit spokes' (what its gateway or route server originates,
    /// R50, R74), computed once: the VPN export and import filters consult it per route.
    domain_spaces: Vec<Vec<IpNet>>,
    /// Whether each route server meets R67's conditions for ER ↔ VPN transit.
    rs_transit: Vec<bool>,
}

impl Bgp {
    /// Build the speakers and sessions of a model and propagate to a fixed point.
    pub fn run(m: &Model) -> Result<Bgp, NoConvergence> {
        let mut down: BTreeMap<SessionId, Reason> = BTreeMap::new();
        // Session-drop limits that depend on what is offered are found after a run; re-run with
        // those sessions down until nothing new drops (each round drops at least one session).
        loop {
            let mut b = Bgp::build(m);
            for (s, r) in &down {
                b.sessions[s.0 as usize].down = Some(r.clone());
            }
            b.static_limits(m);
            b.propagate(m)?;
            let newly = b.dynamic_limits();
            let mut changed = false;
            for (s, r) in newly {
                if let std::collections::btree_map::Entry::Vacant(e) = down.entry(s) {
                    e.insert(r);
                    changed = true;
                }
            }
            if !changed {
                return Ok(b);
            }
        }
    }

    fn build(m: &Model) -> Bgp {
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
        let add = |b: &mut Bgp, s: Speaker, asn: u32| {
            let id = SpeakerId(b.speakers.len() as u32);
            b.speakers.push(s);
            b.asn.push(asn);
            b.out.push(Vec::new());
            b.ribs.push(BTreeMap::new());
            id
        };
        for (i, o) in m.onprems.iter().enumerate() {
            let id = add(&mut b, Speaker::Onprem(OnpremId(i as u32)), o.asn);
            b.onprem_speaker.push(id);
        }
        for i in 0..m.circuits.len() {
            let id = add(&mut b, Speaker::Circuit(CircuitId(i as u32)), MSEE_ASN);
            b.circuit_speaker.push(id);
        }
        for (i, g) in m.gateways.iter().enumerate() {
            let id = add(&mut b, Speaker::Gateway(GatewayId(i as u32)), g.asn);
            b.gateway_speaker.push(id);
        }
        for i in 0..m.route_servers.len() {
            let id = add(&mut b, Speaker::RouteServer(RouteServerId(i as u32)), AZURE_ASN);
            b.route_server_speaker.push(id);
        }
        for (i, p) in m.bgp_peers.iter().enumerate() {
            let id = add(&mut b, Speaker::Nva(BgpPeerId(i as u32)), p.asn);
            b.nva_speaker.push(id);
        }
        let session = |b: &mut Bgp, from: SpeakerId, to: SpeakerId, kind: SessionKind| -> SessionId {
            let id = SessionId(b.sessions.len() as u32);
            b.sessions.push(Session {
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
                b.out[from.0 as usize].push(id);
            }
            id
        };
        // Private peering: router ↔ circuit.
        for (i, o) in m.onprems.iter().enumerate() {
            for c in &o.circuits {
                let (os, cs) = (b.onprem_speaker[i], b.circuit_speaker[c.idx()]);
                for (f, t) in [(os, cs), (cs, os)] {
                    let s = session(&mut b, f, t, SessionKind::PrivatePeering);
                    b.sessions[s.0 as usize].circuit = Some(*c);
                }
            }
        }
        // Connections.
        // VNet-to-VNet connections by (gateway, remote gateway): whether any runs BGP.
        let mut v2v: BTreeMap<(GatewayId, GatewayId), bool> = BTreeMap::new();
        for c in &m.connections {
            if let ConnectionKind::VnetToVnet { remote_gateway, bgp } = c.kind {
                *v2v.entry((c.gateway, remote_gateway)).or_default() |= bgp;
            }
        }
        for (ci, c) in m.connections.iter().enumerate() {
            let conn = ConnectionId(ci as u32);
            let gs = b.gateway_speaker[c.gateway.idx()];
            match &c.kind {
                ConnectionKind::ExpressRoute { circuit, routing_weight } => {
                    let cs = b.circuit_speaker[circuit.idx()];
                    for (f, t) in [(cs, gs), (gs, cs)] {
                        let s = session(&mut b, f, t, SessionKind::ExpressRoute);
                        let ss = &mut b.sessions[s.0 as usize];
                        ss.connection = Some(conn);
                        ss.circuit = Some(*circuit);
                        ss.weight = if t == gs { *routing_weight } else { 0 };
                    }
                }
                ConnectionKind::SiteToSite { local_gateway, bgp } => {
                    let s = session(&mut b, gs, gs, SessionKind::Static);
                    b.sessions[s.0 as usize].connection = Some(conn);
                    let lg = &m.local_gateways[local_gateway.idx()];
                    if *bgp && let Some(o) = lg.onprem {
                        let os = b.onprem_speaker[o.idx()];
                        for (f, t) in [(os, gs), (gs, os)] {
                            let s = session(&mut b, f, t, SessionKind::SiteToSite);
                            b.sessions[s.0 as usize].connection = Some(conn);
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
                        let rs = b.gateway_speaker[remote_gateway.idx()];
                        let s = session(&mut b, rs, gs, SessionKind::VnetToVnet);
                        b.sessions[s.0 as usize].connection = Some(conn);
                    } else {
                        let s = session(&mut b, gs, gs, SessionKind::Static);
                        b.sessions[s.0 as usize].connection = Some(conn);
                    }
                }
            }
        }
        // Route server peers and branch-to-branch.
        for (i, p) in m.bgp_peers.iter().enumerate() {
            let (ns, rs) = (b.nva_speaker[i], b.route_server_speaker[p.route_server.idx()]);
            for (f, t) in [(ns, rs), (rs, ns)] {
                let s = session(&mut b, f, t, SessionKind::RouteServerPeer);
                b.sessions[s.0 as usize].peer = Some(BgpPeerId(i as u32));
            }
        }
        for (i, r) in m.route_servers.iter().enumerate() {
            if !r.branch_to_branch {
                continue;
            }
            let rs = b.route_server_speaker[i];
            for g in [m.ix.er_gateway[r.vnet.idx()], m.ix.vpn_gateway[r.vnet.idx()]].into_iter().flatten() {
                let gs = b.gateway_speaker[g.idx()];
                session(&mut b, rs, gs, SessionKind::BranchToBranch);
                session(&mut b, gs, rs, SessionKind::BranchToBranch);
            }
        }
        b
    }

    /// Limits known before propagation: what a router or NVA originates (R52, R76).
    fn static_limits(&mut self, m: &Model) {
        for i in 0..self.sessions.len() {
            let s = &self.sessions[i];
            let reason = match (self.speakers[s.from.0 as usize], s.kind) {
                (Speaker::Onprem(o), SessionKind::PrivatePeering) => {
                    let c = s.circuit.expect("private peering has a circuit");
                    limits::private_peering_drop(&m.onprems[o.idx()].advertise, m.circuits[c.idx()].sku)
                        .map(Reason::session_down)
                }
                (Speaker::Nva(n), SessionKind::RouteServerPeer) => {
                    limits::route_server_peer_drop(m.bgp_peers[n.idx()].advertise.len()).map(Reason::session_down)
                }
                _ => None,
            };
            if let Some(r) = reason {
                // The session carries nothing, in either direction.
                let (f, t, k) = (s.from, s.to, s.kind);
                for x in &mut self.sessions {
                    if x.kind == k && ((x.from == f && x.to == t) || (x.from == t && x.to == f)) {
                        x.down = Some(r.clone());
                    }
                }
            }
        }
    }

    /// Limits on what a VPN gateway receives from a BGP peer (R66): found after a run.
    fn dynamic_limits(&self) -> Vec<(SessionId, Reason)> {
        let counted = |s: &Session| {
            s.down.is_none()
                && matches!(s.kind, SessionKind::SiteToSite | SessionKind::VnetToVnet)
                && matches!(self.speakers[s.to.0 as usize], Speaker::Gateway(_))
        };
        // Prefixes each counted session offered its gateway: one pass over each receiving RIB.
        let mut counts: BTreeMap<SessionId, usize> = BTreeMap::new();
        let receivers: BTreeSet<SpeakerId> = self.sessions.iter().filter(|s| counted(s)).map(|s| s.to).collect();
        for (si, s) in self.sessions.iter().enumerate() {
            if counted(s) {
                counts.insert(SessionId(si as u32), 0);
            }
        }
        for to in receivers {
            for e in self.ribs[to.0 as usize].values() {
                let vias: BTreeSet<SessionId> =
                    e.ins.iter().chain(e.rejected.iter().map(|(c, _)| c)).filter_map(|c| c.via).collect();
                for v in vias {
                    if let Some(n) = counts.get_mut(&v) {
                        *n += 1;
                    }
                }
            }
        }
        // A dropped BGP session carries nothing in either direction (Part L, R66).
        let mut out = Vec::new();
        for (s, x) in counts.into_iter().filter_map(|(s, n)| limits::vpn_bgp_peer_drop(n).map(|x| (s, x))) {
            let r = Reason::session_down(x);
            let (f, t, k) = (self.session(s).from, self.session(s).to, self.session(s).kind);
            for (oi, o) in self.sessions.iter().enumerate() {
                if o.kind == k && o.from == t && o.to == f {
                    out.push((SessionId(oi as u32), r.clone()));
                }
            }
            out.push((s, r));
        }
        out
    }

    fn session(&self, s: SessionId) -> &Session {
        &self.sessions[s.0 as usize]
    }

    /// The D9 key of a candidate at a speaker: (−weight, class, AS-path length). Lower is better.
    pub fn key(&self, at: SpeakerId, c: &Cand) -> (i64, u8, usize) {
        let len = self.interner.asns(c.path).len();
        let Some(via) = c.via else { return (i64::MIN, 0, 0) };
        let s = self.session(via);
        match self.speakers[at.0 as usize] {
            // Circuits, routers and NVAs use the AS path only (D9).
            Speaker::Circuit(_) | Speaker::Onprem(_) | Speaker::Nva(_) => (0, 0, len),
            Speaker::Gateway(_) | Speaker::RouteServer(_) => (-(s.weight as i64), c.class, len),
        }
    }

    fn tiebreak(&self, c: &Cand) -> (Vec<u32>, u32, u32) {
        let via = c.via.map(|v| v.0).unwrap_or(0);
        let from = c.via.map(|v| self.session(v).from.0).unwrap_or(0);
        (self.interner.asns(c.path).to_vec(), from, via)
    }

    /// The selected set (ECMP): the leading run of the pool that shares the best D9 key, in
    /// tie-break order.
    fn best_of(&self, at: SpeakerId, pool: &[Cand]) -> Vec<Cand> {
        let Some(first) = pool.first() else { return Vec::new() };
        let best = self.key(at, first);
        pool.iter().take_while(|c| self.key(at, c) == best).copied().collect()
    }
}

/// The AS path an ExpressRoute gateway sees for a route the MSEE relays: a gateway's own
/// origination (`65515`) arrives as `12076 12076`, anything else with 12076 prepended (D8).
fn msee_to_gateway(asns: &[u32]) -> Vec<u32> {
    if asns == [AZURE_ASN] {
        vec![MSEE_ASN, MSEE_ASN]
    } else {
        std::iter::once(MSEE_ASN).chain(asns.iter().copied()).collect()
    }
}

/// What an export policy says about one candidate on one session.
enum Policy {
    Allow,
    Deny,
}

impl Bgp {
    fn learned_kind(&self, c: &Cand) -> Option<SessionKind> {
        c.via.map(|v| self.session(v).kind)
    }

    fn entry_mut(&mut self, s: SpeakerId, p: PrefixId) -> &mut Entry {
        self.ribs[s.0 as usize].entry(p).or_default()
    }

    /// The VNet and transit-spoke space a gateway or route server originates (R50, R74).
    fn domain_space(m: &Model, vnet: VnetId) -> Vec<IpNet> {
        let mut v = m.vnets[vnet.idx()].address_space.clone();
        for s in &m.ix.transit_spokes[vnet.idx()] {
            v.extend(m.vnets[s.idx()].address_space.iter().copied());
        }
        v
    }

    /// Seed every speaker's own routes and the static injections; returns the worklist.
    fn originate(&mut self, m: &Model) -> Vec<(SpeakerId, PrefixId)> {
        let mut seeds = Vec::new();
        let empty = PathId(0);
        let local = |b: &mut Bgp, s: SpeakerId, p: IpNet, c: Cand, seeds: &mut Vec<(SpeakerId, PrefixId)>| {
            let pid = b.interner.prefix(p);
            let e = b.entry_mut(s, pid);
            if e.local.is_none() {
                e.local = Some(c);
                seeds.push((s, pid));
            }
        };
        for (i, g) in m.gateways.iter().enumerate() {
            let s = self.gateway_speaker[i];
            for p in self.domain_spaces[g.vnet.idx()].clone() {
                local(
                    self,
                    s,
                    p,
                    Cand { path: empty, origin: Origin::Space(s), via: None, next_hop: None, class: 0 },
                    &mut seeds,
                );
            }
        }
        for (i, r) in m.route_servers.iter().enumerate() {
            let s = self.route_server_speaker[i];
            for p in self.domain_spaces[r.vnet.idx()].clone() {
                local(
                    self,
                    s,
                    p,
                    Cand { path: empty, origin: Origin::Space(s), via: None, next_hop: None, class: 0 },
                    &mut seeds,
                );
            }
        }
        for (i, o) in m.onprems.iter().enumerate() {
            let s = self.onprem_speaker[i];
            for p in &o.advertise {
                local(
                    self,
                    s,
                    *p,
                    Cand {
                        path: empty,
                        origin: Origin::Onprem(OnpremId(i as u32)),
                        via: None,
                        next_hop: None,
                        class: 0,
                    },
                    &mut seeds,
                );
            }
        }
        for (i, n) in m.bgp_peers.iter().enumerate() {
            let s = self.nva_speaker[i];
            for a in &n.advertise {
                let path = self.interner.path(a.as_path.clone());
                local(
                    self,
                    s,
                    a.prefix,
                    Cand {
                        path,
                        origin: Origin::Nva(BgpPeerId(i as u32)),
                        via: None,
                        next_hop: Some(a.next_hop),
                        class: 1,
                    },
                    &mut seeds,
                );
            }
        }
        // Static prefixes on VPN connections (R49).
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
                let cand = Cand { path: empty, origin, via: Some(SessionId(si as u32)), next_hop: None, class: 1 };
                let e = self.entry_mut(gs, pid);
                if own.contains(&p) {
                    e.rejected.push((cand, Reason::OwnSpace)); // R66
                } else if !e.ins.iter().any(|x| x.via == cand.via) {
                    e.ins.push(cand);
                    seeds.push((gs, pid));
                }
            }
        }
        seeds
    }

    /// The work budget: generous for any converging design, finite for a diverging one.
    fn budget(&self) -> usize {
        let prefixes = self.interner.prefix_count().max(1);
        64 * prefixes * self.speakers.len().max(1) + 100_000
    }

    fn propagate(&mut self, m: &Model) -> Result<(), NoConvergence> {
        let seeds = self.originate(m);
        let mut queue: VecDeque<(SpeakerId, PrefixId)> = VecDeque::new();
        let mut queued: BTreeSet<(SpeakerId, PrefixId)> = BTreeSet::new();
        for s in seeds {
            if queued.insert(s) {
                queue.push_back(s);
            }
        }
        let budget = self.budget();
        let mut steps = 0;
        while let Some((s, p)) = queue.pop_front() {
            queued.remove(&(s, p));
            steps += 1;
            if steps > budget {
                return Err(NoConvergence { budget });
            }
            let entry = self.ribs[s.0 as usize].entry(p).or_default();
            let entry_snapshot = std::mem::take(entry);
            let pool = self.pool(s, &entry_snapshot);
            let best = self.best_of(s, &pool);
            let entry = self.ribs[s.0 as usize].get_mut(&p).expect("entry exists");
            *entry = entry_snapshot;
            entry.best = best;
            for i in 0..self.out[s.0 as usize].len() {
                let e = self.out[s.0 as usize][i];
                let (offer, rejection) = self.export(m, e, p, &pool);
                let (offer, rejection) = match offer {
                    Some(c) => self.import(m, e, p, c),
                    None => (None, rejection),
                };
                let to = self.session(e).to;
                if self.apply(to, e, p, offer, rejection) && queued.insert((to, p)) {
                    queue.push_back((to, p));
                }
            }
        }
        Ok(())
    }

    /// Replace what session `e` offers `to` for `p`. Returns whether the accepted set changed.
    fn apply(
        &mut self,
        to: SpeakerId,
        e: SessionId,
        p: PrefixId,
        offer: Option<Cand>,
        rejection: Option<(Cand, Reason)>,
    ) -> bool {
        if offer.is_none() && rejection.is_none() && !self.ribs[to.0 as usize].contains_key(&p) {
            return false;
        }
        let entry = self.entry_mut(to, p);
        let before = entry.ins.iter().find(|c| c.via == Some(e)).copied();
        entry.ins.retain(|c| c.via != Some(e));
        entry.rejected.retain(|(c, _)| c.via != Some(e));
        if let Some(c) = offer {
            entry.ins.push(c);
        }
        if let Some(r) = rejection {
            entry.rejected.push(r);
        }
        before != offer
    }

    /// The sender's export policy for one candidate on one session (R50, R59, R67, D4).
    fn policy(&self, m: &Model, e: SessionId, c: &Cand, p: PrefixId) -> Policy {
        let sess = self.session(e);
        let learned = self.learned_kind(c);
        let from_speaker = c.via.map(|v| self.session(v).from);
        use SessionKind as K;
        match (self.speakers[sess.from.0 as usize], self.speakers[sess.to.0 as usize]) {
            // Routers and NVAs only originate (D8).
            (Speaker::Onprem(_), _) | (Speaker::Nva(_), _) => {
                if learned.is_none() {
                    Policy::Allow
                } else {
                    Policy::Deny
                }
            }
            (Speaker::Circuit(_), Speaker::Gateway(to_g)) => match learned {
                Some(K::PrivatePeering) => Policy::Allow,
                Some(K::ExpressRoute) => {
                    // D4, R57: a route another gateway put into the circuit needs the setting on both.
                    let Some(Speaker::Gateway(from_g)) = from_speaker.map(|s| self.speakers[s.0 as usize]) else {
                        return Policy::Deny;
                    };
                    if from_g == to_g {
                        // The echo of its own route: the gateway's import filter drops it (D8).
                        return Policy::Allow;
                    }
                    // Blocked routes are not stored per gateway (that would be hubs × estate
                    // prefixes): `remote_vnet_filtered` computes them when asked.
                    if m.gateways[from_g.idx()].allow_remote_vnet_traffic
                        && m.gateways[to_g.idx()].allow_remote_vnet_traffic
                    {
                        Policy::Allow
                    } else {
                        Policy::Deny
                    }
                }
                _ => Policy::Deny,
            },
            // MSEE to on-premises: what the gateways put in.
            (Speaker::Circuit(_), _) => {
                if learned == Some(K::ExpressRoute) {
                    Policy::Allow
                } else {
                    Policy::Deny
                }
            }
            (Speaker::Gateway(g), to) => {
                let gw = &m.gateways[g.idx()];
                match gw.kind {
                    GatewayKind::ExpressRoute => match (to, learned) {
                        // R50: own VNet + spokes, and route-server routes under branch-to-branch; never
                        // one circuit's routes to another (R59).
                        (Speaker::Circuit(_), None | Some(K::BranchToBranch)) => Policy::Allow,
                        (Speaker::RouteServer(_), Some(K::ExpressRoute)) => Policy::Allow,
                        _ => Policy::Deny,
                    },
                    GatewayKind::Vpn => match (to, learned) {
                        (Speaker::RouteServer(_), None | Some(K::BranchToBranch)) => Policy::Deny,
                        (_, None) => Policy::Allow,
                        // Toward BGP peers, and toward the route server under branch-to-branch alike.
                        (_, Some(K::SiteToSite | K::VnetToVnet | K::Static | K::BranchToBranch)) => {
                            // R50: not 0.0.0.0/0, nor what overlaps its VNet or spokes.
                            let net = self.interner.net(p);
                            if net.prefix_len() == 0
                                || self.domain_spaces[gw.vnet.idx()].iter().any(|a| overlaps(a, &net))
                            {
                                Policy::Deny
                            } else {
                                Policy::Allow
                            }
                        }
                        _ => Policy::Deny,
                    },
                }
            }
            (Speaker::RouteServer(_), Speaker::Nva(_)) => match learned {
                None | Some(K::RouteServerPeer) | Some(K::BranchToBranch) => Policy::Allow,
                _ => Policy::Deny,
            },
            (Speaker::RouteServer(r), Speaker::Gateway(to_g)) => match learned {
                Some(K::RouteServerPeer) => Policy::Allow,
                Some(K::BranchToBranch) => {
                    // ER ↔ VPN transit through the route server needs R67's conditions.
                    let Some(Speaker::Gateway(from_g)) = from_speaker.map(|s| self.speakers[s.0 as usize]) else {
                        return Policy::Deny;
                    };
                    if from_g != to_g && self.rs_transit[r.idx()] { Policy::Allow } else { Policy::Deny }
                }
                _ => Policy::Deny,
            },
            (Speaker::RouteServer(_), _) => Policy::Deny,
        }
    }

    /// The path the receiver sees (D8).
    fn rewrite(&mut self, m: &Model, e: SessionId, c: &Cand) -> PathId {
        let sess = self.session(e).clone();
        let from = self.speakers[sess.from.0 as usize];
        let to = self.speakers[sess.to.0 as usize];
        let from_asn = self.asn[sess.from.0 as usize];
        let to_asn = self.asn[sess.to.0 as usize];
        match (from, to) {
            (Speaker::Onprem(o), Speaker::Circuit(ci)) => {
                let n = 1 + m.onprems[o.idx()].prepend.get(&ci).copied().unwrap_or(0);
                self.interner.prepend(from_asn, n, c.path)
            }
            (Speaker::Circuit(_), Speaker::Gateway(_)) => {
                let path = msee_to_gateway(self.interner.asns(c.path));
                self.interner.path(path)
            }
            (Speaker::Circuit(_), _) => self.interner.map(c.path, |a| {
                let mut v = vec![MSEE_ASN];
                v.extend(a.iter().copied().filter(|x| !is_private_asn(*x)));
                v
            }),
            // iBGP between a route server and a 65515 gateway in one VNet keeps the path (D8).
            (Speaker::RouteServer(_), Speaker::Gateway(_)) | (Speaker::Gateway(_), Speaker::RouteServer(_))
                if from_asn == to_asn =>
            {
                c.path
            }
            _ => self.interner.prepend(from_asn, 1, c.path),
        }
    }

    /// What session `e` offers for `p`, given the sender's selected set.
    /// The candidates a speaker may export for one prefix, best first: its own origination if it
    /// has one, else everything it accepted, by its D9 key and tie-break.
    fn pool(&self, at: SpeakerId, e: &Entry) -> Vec<Cand> {
        if let Some(l) = e.local {
            return vec![l];
        }
        let mut v = e.ins.clone();
        v.sort_by_cached_key(|c| (self.key(at, c), self.tiebreak(c)));
        v
    }

    /// What session `e` offers for `p`: the best candidate of the sender's pool that the session's
    /// export policy allows ("best external": what a speaker sends on a session never depends on
    /// routes it could not send there, so two gateways on one circuit cannot chase each other's
    /// relayed routes).
    fn export(
        &mut self,
        m: &Model,
        e: SessionId,
        p: PrefixId,
        pool: &[Cand],
    ) -> (Option<Cand>, Option<(Cand, Reason)>) {
        let to = self.session(e).to;
        // Members from elsewhere first; an echo back to where a route came from only when nothing else.
        let back = |c: &&Cand| c.via.map(|v| self.session(v).from) == Some(to);
        let mut order: Vec<&Cand> = pool.iter().filter(|c| !back(c)).collect();
        order.extend(pool.iter().filter(|c| back(c)));
        for c in order {
            // Never back to the speaker it came from — except that the MSEE reflects a gateway's
            // routes back to it, where the gateway drops its own originations (D8); `--explain`
            // shows those candidates.
            let echo = matches!(self.speakers[self.session(e).from.0 as usize], Speaker::Circuit(_))
                && c.origin == Origin::Space(to);
            if !echo && c.via.map(|v| self.session(v).from) == Some(to) {
                continue;
            }
            match self.policy(m, e, c, p) {
                Policy::Deny => continue,
                Policy::Allow => {
                    let path = self.rewrite(m, e, c);
                    let out = Cand { path, via: Some(e), ..*c };
                    if let Some(r) = &self.session(e).down {
                        return (None, Some((out, r.clone())));
                    }
                    return (Some(out), None);
                }
            }
        }
        (None, None)
    }

    /// The receiver's import filter (D8, R66, R72).
    fn import(&self, m: &Model, e: SessionId, p: PrefixId, c: Cand) -> (Option<Cand>, Option<(Cand, Reason)>) {
        let to = self.session(e).to;
        // D9 class by where the route entered Azure (see `Cand::class`).
        let class = match self.session(e).kind {
            SessionKind::PrivatePeering => 0,
            // Another hub's own VNet over the circuit is an ExpressRoute route; anything a gateway
            // relayed (a route server's or VPN route) keeps the class it entered Azure with.
            SessionKind::ExpressRoute if matches!(c.origin, Origin::Space(_)) => 0,
            SessionKind::ExpressRoute | SessionKind::BranchToBranch => c.class,
            SessionKind::SiteToSite | SessionKind::VnetToVnet | SessionKind::Static | SessionKind::RouteServerPeer => 1,
        };
        let c = Cand { class, ..c };
        let asns = self.interner.asns(c.path);
        let own = self.asn[to.0 as usize];
        let reject = |r: Reason| (None, Some((c, r)));
        match self.speakers[to.0 as usize] {
            Speaker::Gateway(g) => {
                let gw = &m.gateways[g.idx()];
                match gw.kind {
                    GatewayKind::ExpressRoute => {
                        if c.origin == Origin::Space(to) {
                            return reject(Reason::OwnOrigination);
                        }
                    }
                    GatewayKind::Vpn => {
                        if c.origin == Origin::Space(to) {
                            return reject(Reason::OwnOrigination);
                        }
                        let ibgp = self.session(e).kind == SessionKind::BranchToBranch && own == AZURE_ASN;
                        if !ibgp && asns.contains(&own) {
                            return reject(Reason::AsPathLoop { asn: own });
                        }
                        let net = self.interner.net(p);
                        if self.domain_spaces[gw.vnet.idx()].contains(&net) {
                            return reject(Reason::OwnSpace);
                        }
                    }
                }
            }
            Speaker::RouteServer(_) => {
                if c.origin == Origin::Space(to) {
                    return reject(Reason::OwnOrigination);
                }
                if asns.contains(&AZURE_ASN) {
                    return reject(Reason::Holds65515);
                }
            }
            Speaker::Circuit(_) | Speaker::Onprem(_) | Speaker::Nva(_) => {
                if asns.contains(&own) {
                    return reject(Reason::AsPathLoop { asn: own });
                }
            }
        }
        (Some(c), None)
    }

    /// Every prefix a speaker holds, in prefix order, with its entry.
    pub fn rib(&self, s: SpeakerId) -> Vec<(IpNet, &Entry)> {
        let mut v: Vec<(IpNet, &Entry)> = self.ribs[s.0 as usize]
            .iter()
            .filter(|(_, e)| e.local.is_some() || !e.ins.is_empty() || !e.rejected.is_empty())
            .map(|(p, e)| (self.interner.net(*p), e))
            .collect();
        v.sort_by(|a, b| prefix_order(&a.0, &b.0));
        v
    }

    /// The routes a speaker advertises on one session, as the receiver sees them (what it accepted
    /// and what its import filter dropped; routes held back by D4 or a down session are not sent).
    pub fn advertised(&self, e: SessionId) -> Vec<(IpNet, Cand)> {
        let to = self.session(e).to;
        let mut out: Vec<(IpNet, Cand)> = Vec::new();
        for (p, en) in &self.ribs[to.0 as usize] {
            for c in &en.ins {
                if c.via == Some(e) {
                    out.push((self.interner.net(*p), *c));
                }
            }
            for (c, r) in &en.rejected {
                if c.via == Some(e) && !matches!(r, Reason::SessionDown { .. } | Reason::RemoteVnetTrafficOff { .. }) {
                    out.push((self.interner.net(*p), *c));
                }
            }
        }
        out.sort_by(|a, b| prefix_order(&a.0, &b.0));
        out
    }

    /// A session by id.
    pub fn session_ref(&self, s: SessionId) -> &Session {
        self.session(s)
    }
}

/// A speaker's name as the scenario spells it.
pub fn speaker_name(m: &Model, s: Speaker) -> String {
    match s {
        Speaker::Onprem(o) => m.onprems[o.idx()].name.clone(),
        Speaker::Circuit(c) => m.circuits[c.idx()].name.clone(),
        Speaker::Gateway(g) => m.gateways[g.idx()].name.clone(),
        Speaker::RouteServer(r) => m.route_servers[r.idx()].name.clone(),
        Speaker::Nva(n) => m.bgp_peers[n.idx()].name.clone(),
    }
}

/// The next hops a domain installs for a candidate that came in by session `s` (R48, D14).
pub fn install_next_hops(b: &Bgp, m: &Model, s: SessionId, c: &Cand) -> Vec<IpAddr> {
    let sess = b.session(s);
    match sess.kind {
        SessionKind::ExpressRoute => sess.circuit.map(|ci| m.circuits[ci.idx()].next_hops.clone()).unwrap_or_default(),
        SessionKind::SiteToSite | SessionKind::VnetToVnet | SessionKind::Static => match b.speakers[sess.to.0 as usize]
        {
            Speaker::Gateway(g) => m.gateways[g.idx()].vpn_next_hops(),
            _ => Vec::new(),
        },
        SessionKind::RouteServerPeer => c.next_hop.into_iter().collect(),
        SessionKind::BranchToBranch | SessionKind::PrivatePeering => Vec::new(),
    }
}

impl Bgp {
    /// Re-run one round over every speaker, prefix and session: selection must reproduce every
    /// selected set and every export what its receiver holds. `Ok` means propagation is at a fixed
    /// point (running it again would change nothing).
    pub fn check_fixed_point(&self, m: &Model) -> Result<(), String> {
        let mut b = self.clone();
        for si in 0..self.speakers.len() {
            let s = SpeakerId(si as u32);
            let prefixes: Vec<PrefixId> = self.ribs[si].keys().copied().collect();
            for p in prefixes {
                let e = &self.ribs[si][&p];
                let pool = b.pool(s, e);
                if b.best_of(s, &pool) != e.best {
                    return Err(format!(
                        "{} {}: selection changed",
                        speaker_name(m, self.speakers[si]),
                        self.interner.net(p)
                    ));
                }
                for &out in &self.out[si] {
                    let (offer, rejection) = b.export(m, out, p, &pool);
                    let (offer, _) = match offer {
                        Some(c) => b.import(m, out, p, c),
                        None => (None, rejection),
                    };
                    let to = self.sessions[out.0 as usize].to;
                    let held = self.ribs[to.0 as usize]
                        .get(&p)
                        .and_then(|x| x.ins.iter().find(|c| c.via == Some(out)).copied());
                    // Paths interned again in the copy keep their ids: compare the AS numbers.
                    let same = match (offer, held) {
                        (None, None) => true,
                        (Some(a), Some(h)) => {
                            b.interner.asns(a.path) == self.interner.asns(h.path)
                                && a.origin == h.origin
                                && a.next_hop == h.next_hop
                        }
                        _ => false,
                    };
                    if !same {
                        return Err(format!(
                            "{} → {} for {}: the export changed",
                            speaker_name(m, self.speakers[si]),
                            speaker_name(m, self.speakers[to.0 as usize]),
                            self.interner.net(p)
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A route a circuit holds that `allow_remote_vnet_traffic` keeps from a gateway (D4, R57).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFiltered {
    /// The prefix.
    pub prefix: IpNet,
    /// The circuit → gateway session it would have come in by.
    pub session: SessionId,
    /// The gateway that put it into the circuit.
    pub from_gateway: GatewayId,
    /// The AS path the gateway would have seen.
    pub path: String,
    /// The reason (which gateways have the setting off).
    pub reason: Reason,
}

impl Bgp {
    /// The routes of other gateways on `g`'s circuits that D4 keeps from `g` (only prefixes `g`
    /// received nothing else for over that session), computed on demand instead of stored for
    /// every gateway and prefix. With `covering`, only prefixes containing that address.
    pub fn remote_vnet_filtered(&self, m: &Model, g: GatewayId, covering: Option<IpAddr>) -> Vec<RemoteFiltered> {
        let gs = self.gateway_speaker[g.idx()];
        let mut out = Vec::new();
        for (si, sess) in self.sessions.iter().enumerate() {
            if sess.to != gs || sess.kind != SessionKind::ExpressRoute || sess.down.is_some() {
                continue;
            }
            let e = SessionId(si as u32);
            for (p, entry) in &self.ribs[sess.from.0 as usize] {
                let net = self.interner.net(*p);
                if covering.is_some_and(|ip| !net.contains(&ip)) {
                    continue;
                }
                let got = self.ribs[gs.0 as usize].get(p).is_some_and(|x| x.ins.iter().any(|c| c.via == Some(e)));
                if got {
                    continue;
                }
                for c in self.pool(sess.from, entry) {
                    let Some(via) = c.via else { continue };
                    let from = self.session(via).from;
                    let Speaker::Gateway(g2) = self.speakers[from.0 as usize] else { continue };
                    if g2 == g || self.session(via).kind != SessionKind::ExpressRoute {
                        continue;
                    }
                    let off: Vec<GatewayId> =
                        [g2, g].into_iter().filter(|x| !m.gateways[x.idx()].allow_remote_vnet_traffic).collect();
                    if off.is_empty() {
                        continue;
                    }
                    let path = msee_to_gateway(self.interner.asns(c.path))
                        .iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(" ");
                    out.push(RemoteFiltered {
                        prefix: net,
                        session: e,
                        from_gateway: g2,
                        path,
                        reason: Reason::RemoteVnetTrafficOff { gateways: off },
                    });
                    break;
                }
            }
        }
        out.sort_by(|a, b| prefix_order(&a.prefix, &b.prefix).then(a.session.cmp(&b.session)));
        out
    }
}
