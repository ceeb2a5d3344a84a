//! The BGP views of `ersim bgp` as data (rulebook Part M, M1–M6): what a gateway, a Route Server,
//! a circuit's MSEE, an NVA or an on-premises router holds or sends, one row per BGP path as Azure
//! prints them (`az network vnet-gateway list-learned-routes` / `list-advertised-routes`,
//! `az network routeserver peering list-learned-routes`, `az network express-route
//! list-route-tables`, a device's `show ip bgp`). No text here: `report::bgp` renders these rows.
//!
//! Rows are computed from the finished propagation: a candidate a speaker holds becomes one row per
//! local instance (M1) and per BGP path it arrived as (one per MSEE link, per sending instance),
//! with the next hop as received (M3), never the effective-route next hop of R48.

use std::net::IpAddr;

use ipnet::IpNet;

use super::policy::Policy;
use super::*;
use crate::model::*;
use crate::net::prefix_order;

/// The weight Azure shows on learned and own routes (M4).
pub const WEIGHT: u32 = 32768;
/// The weight of what a VPN gateway learns from the ExpressRoute gateway of its own VNet (M4).
pub const WEIGHT_FROM_OWN_ER: u32 = 32769;

/// How a row's route was learned, in Azure's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViewOrigin {
    /// Originated here: own space, static prefixes, a device's own advertisements (M2).
    Network,
    /// From a peer with another ASN.
    EBgp,
    /// From a peer with the same ASN (a Route Server and a 65515 gateway of its VNet, the two
    /// instances of one gateway).
    IBgp,
}

/// ersim's verdict on a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowState {
    /// Selected (ECMP members are all Best).
    Best,
    /// Held but not selected.
    Valid,
    /// Offered but filtered, with the reason (its rule is [`Reason::rule`]).
    Rejected(Reason),
}

impl RowState {
    fn rank(&self) -> u8 {
        match self {
            RowState::Best => 0,
            RowState::Valid => 1,
            RowState::Rejected(_) => 2,
        }
    }
}

/// The peer of a session: its name in the scenario and the address the session runs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerRef {
    /// The speaker's name (gateway, route server, circuit, router, NVA).
    pub name: String,
    /// Its BGP address on this session, when the model has one.
    pub address: Option<IpAddr>,
}

/// One BGP path as a speaker holds (or sends) it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewRow {
    /// The BGP address of the instance that holds (or sends) the path (M1).
    pub local_address: Option<IpAddr>,
    /// The prefix.
    pub network: IpNet,
    /// The BGP next hop as received (M3); `None` for own routes (M2).
    pub next_hop: Option<IpAddr>,
    /// The address of the peer it came from; the instance itself for own routes (M2).
    pub source_peer: Option<IpAddr>,
    /// Network, EBgp or IBgp.
    pub origin: ViewOrigin,
    /// The AS path, nearest ASN first.
    pub as_path: Vec<u32>,
    /// The BGP weight (M4).
    pub weight: u32,
    /// ersim's verdict (in the advertised view: what the peer does with it).
    pub state: RowState,
    /// The session's peer (advertised view only, M6).
    pub peer: Option<PeerRef>,
}

/// Which Azure listing a view has the shape of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewShape {
    /// A gateway or Route Server: `list-learned-routes` / `list-advertised-routes` (M1–M4, M6).
    Azure,
    /// An NVA or on-premises router: what the device holds (M5).
    Device,
    /// A circuit's MSEE: `express-route list-route-tables` (network, nextHop, locPrf, weight, path).
    Msee,
}

/// Learned or advertised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// What the speaker holds: own, accepted and rejected paths.
    Learned,
    /// What it sends on each session (M6).
    Advertised,
}

/// The rows of one session (advertised view) or of the whole table (learned view).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The session's peer (advertised view).
    pub peer: Option<PeerRef>,
    /// The session (advertised view).
    pub session: Option<SessionId>,
    /// The connection it runs over, if any.
    pub connection: Option<ConnectionId>,
    /// Set when the session carries nothing (R52, R66, R76).
    pub down: Option<Reason>,
    /// The rows, in view order (instance, prefix, next hop).
    pub rows: Vec<ViewRow>,
}

/// A BGP view of one speaker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BgpView {
    /// The speaker.
    pub speaker: SpeakerId,
    /// Its name.
    pub name: String,
    /// Its ASN.
    pub asn: u32,
    /// Learned or advertised.
    pub direction: Direction,
    /// Which listing it has the shape of.
    pub shape: ViewShape,
    /// One group (learned) or one per session and peer address (advertised).
    pub groups: Vec<Group>,
}

impl BgpView {
    /// Every row of every group, in order.
    pub fn rows(&self) -> impl Iterator<Item = &ViewRow> {
        self.groups.iter().flat_map(|g| g.rows.iter())
    }

    /// Keep only the sessions whose peer is `wanted`: a speaker name, a peer address or a
    /// connection name (`--peer`, like `list-advertised-routes --peer`). Names compare without case.
    pub fn narrow_to_peer(mut self, m: &Model, wanted: &str) -> Result<BgpView, UnknownPeer> {
        let w = wanted.trim();
        let matches = |g: &Group| {
            g.peer
                .as_ref()
                .is_some_and(|p| p.name.eq_ignore_ascii_case(w) || p.address.is_some_and(|a| a.to_string() == w))
                || g.connection.is_some_and(|c| m.connections[c.idx()].name.eq_ignore_ascii_case(w))
        };
        if self.groups.iter().any(matches) {
            self.groups.retain(matches);
            return Ok(self);
        }
        // Names, then connections, then addresses, each in view order.
        let mut peers: Vec<String> = Vec::new();
        peers.extend(self.groups.iter().filter_map(|g| g.peer.as_ref().map(|p| p.name.clone())));
        peers.extend(self.groups.iter().filter_map(|g| g.connection.map(|c| m.connections[c.idx()].name.clone())));
        peers.extend(self.groups.iter().filter_map(|g| g.peer.as_ref().and_then(|p| p.address)).map(|a| a.to_string()));
        let mut seen = std::collections::BTreeSet::new();
        peers.retain(|p| seen.insert(p.clone()));
        let suggestions = crate::diag::suggest(w, peers.iter().map(String::as_str));
        Err(UnknownPeer { speaker: self.name, wanted: w.to_string(), suggestions, peers })
    }
}

/// `--peer` named no session of the speaker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPeer {
    /// The speaker asked about.
    pub speaker: String,
    /// What was asked for.
    pub wanted: String,
    /// The closest peer names or addresses, best first.
    pub suggestions: Vec<String>,
    /// Every peer name, address and connection of the speaker.
    pub peers: Vec<String>,
}

/// One way a candidate arrived: from the speaker itself, or from a peer address with a next hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hop {
    /// Originated or installed here (M2).
    Own,
    /// Received from `source` with BGP next hop `next_hop` (M3).
    Peer { next_hop: Option<IpAddr>, source: Option<IpAddr> },
}

/// The BGP addresses of a gateway's instances (M1): a VPN gateway's one (active-standby) or two
/// (active-active), an ExpressRoute gateway's two (validation gives every gateway its addresses,
/// written or by default, D14).
pub fn gateway_instances(m: &Model, g: GatewayId) -> Vec<IpAddr> {
    m.gateways[g.idx()].ips.clone()
}

impl Bgp {
    /// What `s` learned: own routes, accepted and rejected paths, one row per instance (M1–M5).
    pub fn learned_view(&self, m: &Model, s: SpeakerId) -> BgpView {
        let shape = self.shape(s);
        let mut rows = Vec::new();
        for (p, e) in &self.ribs[s.0 as usize] {
            if let Some(l) = &e.local {
                let state = if e.best.contains(l) { RowState::Best } else { RowState::Valid };
                self.push_rows(m, s, *p, l, state, shape, &mut rows);
            }
            for c in &e.ins {
                let state = if e.best.contains(c) { RowState::Best } else { RowState::Valid };
                self.push_rows(m, s, *p, c, state, shape, &mut rows);
                self.push_sibling_copies(m, s, *p, c, &mut rows);
            }
            for (c, r) in &e.rejected {
                self.push_rows(m, s, *p, c, RowState::Rejected(r.clone()), shape, &mut rows);
            }
        }
        // Routes D4 keeps from an ExpressRoute gateway, computed on demand (M3: one per MSEE link).
        if let Speaker::Gateway(g) = self.speakers[s.0 as usize] {
            for f in self.remote_vnet_filtered(m, g, None) {
                let links = self.session(f.session).circuit.map(|c| m.circuits[c.idx()].next_hops.clone());
                for l in gateway_instances(m, g) {
                    for a in links.iter().flatten() {
                        rows.push(ViewRow {
                            local_address: Some(l),
                            network: f.prefix,
                            next_hop: Some(*a),
                            source_peer: Some(*a),
                            origin: ViewOrigin::EBgp,
                            as_path: f.asns.clone(),
                            weight: WEIGHT,
                            state: RowState::Rejected(f.reason.clone()),
                            peer: None,
                        });
                    }
                }
            }
        }
        sort_rows(&mut rows);
        BgpView {
            speaker: s,
            name: speaker_name(m, self.speakers[s.0 as usize]),
            asn: self.asn[s.0 as usize],
            direction: Direction::Learned,
            shape,
            groups: vec![Group { peer: None, session: None, connection: None, down: None, rows }],
        }
    }

    /// The connection a session's sender sends over, as the sender's own configuration names it.
    /// A VNet-to-VNet session carries the receiver's connection (routes arrive on it); the sender's
    /// is the one back, from its gateway to the receiver's (M6: `--peer` names the sender's).
    fn sending_connection(&self, e: SessionId) -> Option<ConnectionId> {
        let sess = self.session(e);
        if sess.kind != SessionKind::VnetToVnet {
            return sess.connection;
        }
        self.out[sess.to.0 as usize]
            .iter()
            .map(|&b| self.session(b))
            .find(|b| b.kind == SessionKind::VnetToVnet && b.to == sess.from)
            .and_then(|b| b.connection)
            .or(sess.connection)
    }

    /// What `s` sends on each session after export filters and split horizon (R50), with the AS
    /// path as sent: one group per session and peer address (M6). A row's state is what the peer
    /// does with the route (its import filter may still reject it).
    pub fn advertised_view(&self, m: &Model, s: SpeakerId) -> BgpView {
        let mut groups = Vec::new();
        for &e in &self.out[s.0 as usize] {
            let sess = self.session(e);
            let to = sess.to;
            let name = speaker_name(m, self.speakers[to.0 as usize]);
            // Every path the peer was sent, with the peer's verdict.
            let mut sent: Vec<(PrefixId, Cand, RowState)> = Vec::new();
            for (p, en) in &self.ribs[to.0 as usize] {
                for c in en.ins.iter().filter(|c| c.via == Some(e)) {
                    let state = if en.best.contains(c) { RowState::Best } else { RowState::Valid };
                    sent.push((*p, *c, state));
                }
                for (c, r) in en.rejected.iter().filter(|(c, _)| c.via == Some(e)) {
                    // Held back by the sender (D4) or never sent (a session that is down).
                    if !matches!(r, Reason::SessionDown { .. } | Reason::RemoteVnetTrafficOff { .. }) {
                        sent.push((*p, *c, RowState::Rejected(r.clone())));
                    }
                }
            }
            for a in self.session_addresses(m, to, e) {
                let peer = PeerRef { name: name.clone(), address: a };
                let mut rows = Vec::new();
                for (p, c, state) in &sent {
                    let origin = self.sender_origin(m, e, *p);
                    for h in self.hops(m, *p, c, 0) {
                        let Hop::Peer { next_hop, source } = h else { continue };
                        rows.push(ViewRow {
                            local_address: source,
                            network: self.interner.net(*p),
                            next_hop,
                            source_peer: None,
                            origin,
                            as_path: self.interner.asns(c.path).to_vec(),
                            // Weight is local to a router and never sent: Azure lists 0.
                            weight: 0,
                            state: state.clone(),
                            peer: Some(peer.clone()),
                        });
                    }
                }
                sort_rows(&mut rows);
                groups.push(Group {
                    peer: Some(peer),
                    session: Some(e),
                    connection: self.sending_connection(e),
                    down: sess.down.clone(),
                    rows,
                });
            }
        }
        groups.sort_by(|a, b| {
            let key = |g: &Group| (g.peer.as_ref().map(|p| (p.name.clone(), p.address)), g.session);
            key(a).cmp(&key(b))
        });
        BgpView {
            speaker: s,
            name: speaker_name(m, self.speakers[s.0 as usize]),
            asn: self.asn[s.0 as usize],
            direction: Direction::Advertised,
            shape: self.shape(s),
            groups,
        }
    }

    /// The BGP addresses of a speaker's instances: a gateway's or Route Server's instances (M1), a
    /// circuit's MSEE links, an NVA's NIC address, an on-premises router's BGP peer addresses
    /// (those its local gateways name), in that order.
    pub fn speaker_addresses(&self, m: &Model, s: SpeakerId) -> Vec<IpAddr> {
        match self.speakers[s.0 as usize] {
            Speaker::Gateway(g) => gateway_instances(m, g),
            Speaker::RouteServer(r) => m.route_servers[r.idx()].ips.clone(),
            Speaker::Circuit(c) => m.circuits[c.idx()].next_hops.clone(),
            Speaker::Nva(n) => vec![m.nics[m.bgp_peers[n.idx()].nic.idx()].ip],
            Speaker::Onprem(o) => {
                let mut v: Vec<IpAddr> = Vec::new();
                for lg in m.local_gateways.iter().filter(|lg| lg.onprem == Some(o)) {
                    if let Some(ip) = lg.bgp_peer_ip
                        && !v.contains(&ip)
                    {
                        v.push(ip);
                    }
                }
                v
            }
        }
    }

    fn shape(&self, s: SpeakerId) -> ViewShape {
        match self.speakers[s.0 as usize] {
            Speaker::Gateway(_) | Speaker::RouteServer(_) => ViewShape::Azure,
            Speaker::Circuit(_) => ViewShape::Msee,
            Speaker::Onprem(_) | Speaker::Nva(_) => ViewShape::Device,
        }
    }

    /// The addresses speaker `sp` uses on session `e`: every instance of a gateway or Route
    /// Server, every MSEE link, the NVA's NIC, an on-premises router's BGP peer address on a
    /// site-to-site connection (none over private peering: the model has no link addresses).
    fn session_addresses(&self, m: &Model, sp: SpeakerId, e: SessionId) -> Vec<Option<IpAddr>> {
        let v: Vec<Option<IpAddr>> = match self.speakers[sp.0 as usize] {
            Speaker::Onprem(_) => vec![self.session_peer_ip(m, e)],
            _ => self.speaker_addresses(m, sp).into_iter().map(Some).collect(),
        };
        if v.is_empty() { vec![None] } else { v }
    }

    /// A site-to-site connection's local gateway BGP address.
    fn session_peer_ip(&self, m: &Model, e: SessionId) -> Option<IpAddr> {
        let conn = self.session(e).connection?;
        match m.connections[conn.idx()].kind {
            ConnectionKind::SiteToSite { local_gateway, .. } => m.local_gateways[local_gateway.idx()].bgp_peer_ip,
            _ => None,
        }
    }

    /// The addresses of `at` that hold a path that came in by `via` (own paths: every address).
    fn local_addresses(&self, m: &Model, at: SpeakerId, via: Option<SessionId>) -> Vec<Option<IpAddr>> {
        match (self.speakers[at.0 as usize], via) {
            // The MSEE's table is one table: no local address column.
            (Speaker::Circuit(_), _) => vec![None],
            (Speaker::Onprem(_), Some(e)) if self.session(e).kind != SessionKind::Static => {
                vec![self.session_peer_ip(m, e)]
            }
            _ => {
                let v: Vec<Option<IpAddr>> = self.speaker_addresses(m, at).into_iter().map(Some).collect();
                if v.is_empty() { vec![None] } else { v }
            }
        }
    }

    fn is_ibgp(&self, e: SessionId) -> bool {
        let s = self.session(e);
        self.asn[s.from.0 as usize] == self.asn[s.to.0 as usize]
    }

    /// How the sender of `e` holds what it sent for `p`: Network when it originated it (or holds
    /// it statically), else by the session it learned it on.
    fn sender_origin(&self, m: &Model, e: SessionId, p: PrefixId) -> ViewOrigin {
        match self.exported_source(m, e, p).and_then(|c| c.via) {
            None => ViewOrigin::Network,
            Some(v) if self.session(v).kind == SessionKind::Static => ViewOrigin::Network,
            Some(v) if self.is_ibgp(v) => ViewOrigin::IBgp,
            Some(_) => ViewOrigin::EBgp,
        }
    }

    /// The candidate of the sender's pool that session `e` carries for `p`: the same choice as
    /// the propagation's export ("best external", the echo of the MSEE last), at the fixed point.
    fn exported_source(&self, m: &Model, e: SessionId, p: PrefixId) -> Option<Cand> {
        let sess = self.session(e);
        let (from, to) = (sess.from, sess.to);
        let entry = self.ribs[from.0 as usize].get(&p)?;
        let pool = self.pool(from, entry);
        let back = |c: &Cand| c.via.map(|v| self.session(v).from) == Some(to);
        let order = pool.iter().filter(|c| !back(c)).chain(pool.iter().filter(|c| back(c)));
        for c in order {
            let echo = matches!(self.speakers[from.0 as usize], Speaker::Circuit(_)) && c.origin == Origin::Space(to);
            if !echo && back(c) {
                continue;
            }
            if let Policy::Allow = self.policy(m, e, c, p) {
                return Some(*c);
            }
        }
        None
    }

    /// The BGP paths a candidate held at `at` arrived as (M2, M3). On eBGP the sender sets itself
    /// as next hop: an instance address of a gateway or Route Server, an MSEE link, a router's BGP
    /// peer address; an NVA sends its advertised next hop. On iBGP (a Route Server and a 65515
    /// gateway of its VNet) the next hop is the one the sender received, unchanged.
    fn hops(&self, m: &Model, p: PrefixId, c: &Cand, depth: u8) -> Vec<Hop> {
        let Some(e) = c.via else { return vec![Hop::Own] };
        let sess = self.session(e);
        if sess.kind == SessionKind::Static {
            return vec![Hop::Own];
        }
        let from = sess.from;
        if let Speaker::Nva(n) = self.speakers[from.0 as usize] {
            let nic = m.nics[m.bgp_peers[n.idx()].nic.idx()].ip;
            return vec![Hop::Peer { next_hop: c.next_hop, source: Some(nic) }];
        }
        let sources = self.session_addresses(m, from, e);
        if self.is_ibgp(e) && sess.kind == SessionKind::BranchToBranch && depth < 4 {
            // The next hops the sender holds the exported path with (its own address for its own).
            let originals: Vec<Option<IpAddr>> = match self.exported_source(m, e, p) {
                Some(src) => {
                    let mut v: Vec<Option<IpAddr>> = Vec::new();
                    for h in self.hops(m, p, &src, depth + 1) {
                        let nh = match h {
                            Hop::Own => None,
                            Hop::Peer { next_hop, .. } => next_hop,
                        };
                        if !v.contains(&nh) {
                            v.push(nh);
                        }
                    }
                    v
                }
                None => vec![None],
            };
            let mut out = Vec::new();
            for s in &sources {
                for nh in &originals {
                    out.push(Hop::Peer { next_hop: nh.or(*s), source: *s });
                }
            }
            return out;
        }
        sources.into_iter().map(|s| Hop::Peer { next_hop: s, source: s }).collect()
    }

    /// Whether a path a VPN gateway holds came from the ExpressRoute gateway of its VNet through
    /// the Route Server (branch-to-branch): weight 32769 (M4).
    fn learned_from_own_er_gateway(&self, m: &Model, at: SpeakerId, p: PrefixId, c: &Cand) -> bool {
        let Speaker::Gateway(g) = self.speakers[at.0 as usize] else { return false };
        let Some(e) = c.via else { return false };
        if m.gateways[g.idx()].kind != GatewayKind::Vpn || self.session(e).kind != SessionKind::BranchToBranch {
            return false;
        }
        let Some(v) = self.exported_source(m, e, p).and_then(|src| src.via) else { return false };
        let s = self.session(v);
        s.kind == SessionKind::BranchToBranch
            && matches!(self.speakers[s.from.0 as usize], Speaker::Gateway(er)
                if m.gateways[er.idx()].kind == GatewayKind::ExpressRoute && m.gateways[er.idx()].vnet == m.gateways[g.idx()].vnet)
    }

    /// The rows of one candidate held at `at`: one per local address and per path it arrived as.
    #[allow(clippy::too_many_arguments)]
    fn push_rows(
        &self,
        m: &Model,
        at: SpeakerId,
        p: PrefixId,
        c: &Cand,
        state: RowState,
        shape: ViewShape,
        rows: &mut Vec<ViewRow>,
    ) {
        let hops = self.hops(m, p, c, 0);
        let learned_weight = match shape {
            ViewShape::Azure if self.learned_from_own_er_gateway(m, at, p, c) => WEIGHT_FROM_OWN_ER,
            ViewShape::Azure => WEIGHT,
            // A device's received paths (weight 0) and the MSEE's table.
            ViewShape::Device | ViewShape::Msee => 0,
        };
        let own_weight = if shape == ViewShape::Msee { 0 } else { WEIGHT };
        let origin = match c.via {
            Some(e) if self.is_ibgp(e) => ViewOrigin::IBgp,
            _ => ViewOrigin::EBgp,
        };
        let net = self.interner.net(p);
        let path = self.interner.asns(c.path).to_vec();
        for l in self.local_addresses(m, at, c.via) {
            for h in &hops {
                let row = match *h {
                    Hop::Own => ViewRow {
                        local_address: l,
                        network: net,
                        next_hop: None,
                        source_peer: l,
                        origin: ViewOrigin::Network,
                        as_path: path.clone(),
                        weight: own_weight,
                        state: state.clone(),
                        peer: None,
                    },
                    Hop::Peer { next_hop, source } => ViewRow {
                        local_address: l,
                        network: net,
                        next_hop,
                        source_peer: source,
                        origin,
                        as_path: path.clone(),
                        weight: learned_weight,
                        state: state.clone(),
                        peer: None,
                    },
                };
                rows.push(row);
            }
        }
    }

    /// M1: each instance of an active-active VPN gateway also holds the copy its sibling learned
    /// over an external BGP session (site-to-site, VNet-to-VNet): origin IBgp, the original next
    /// hop, the sibling's address as source. It loses to the instance's own eBGP path (Valid).
    fn push_sibling_copies(&self, m: &Model, at: SpeakerId, p: PrefixId, c: &Cand, rows: &mut Vec<ViewRow>) {
        let Speaker::Gateway(g) = self.speakers[at.0 as usize] else { return };
        let gw = &m.gateways[g.idx()];
        let Some(e) = c.via else { return };
        if gw.kind != GatewayKind::Vpn
            || !gw.active_active
            || !matches!(self.session(e).kind, SessionKind::SiteToSite | SessionKind::VnetToVnet)
        {
            return;
        }
        let instances = gateway_instances(m, g);
        let mut next_hops: Vec<Option<IpAddr>> = Vec::new();
        for h in self.hops(m, p, c, 0) {
            if let Hop::Peer { next_hop, .. } = h
                && !next_hops.contains(&next_hop)
            {
                next_hops.push(next_hop);
            }
        }
        for i in &instances {
            for j in instances.iter().filter(|j| *j != i) {
                for nh in &next_hops {
                    rows.push(ViewRow {
                        local_address: Some(*i),
                        network: self.interner.net(p),
                        next_hop: *nh,
                        source_peer: Some(*j),
                        origin: ViewOrigin::IBgp,
                        as_path: self.interner.asns(c.path).to_vec(),
                        weight: WEIGHT,
                        state: RowState::Valid,
                        peer: None,
                    });
                }
            }
        }
    }
}

/// View order: instance, then prefix (`net::prefix_order`), then next hop, source, origin, path,
/// state; exact duplicates (the same path reached twice) are listed once.
fn sort_rows(rows: &mut Vec<ViewRow>) {
    rows.sort_by(|a, b| {
        a.local_address
            .cmp(&b.local_address)
            .then_with(|| prefix_order(&a.network, &b.network))
            .then_with(|| a.next_hop.cmp(&b.next_hop))
            .then_with(|| a.source_peer.cmp(&b.source_peer))
            .then_with(|| a.origin.cmp(&b.origin))
            .then_with(|| a.as_path.cmp(&b.as_path))
            .then_with(|| a.state.rank().cmp(&b.state.rank()))
            .then_with(|| a.weight.cmp(&b.weight))
    });
    rows.dedup();
}
