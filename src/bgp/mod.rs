//! BGP-style propagation between the estate's speakers, to a fixed point (docs/routing-rules.md Part L).
//!
//! Speakers are on-premises routers, circuits (the MSEE pair, AS 12076), ExpressRoute and VPN
//! gateways, route servers (65515) and NVAs. Sessions are directed edges between them: private
//! peering (router–circuit), ExpressRoute connections (circuit–gateway), site-to-site and
//! VNet-to-VNet VPN, route-server peerings (RS–NVA) and branch-to-branch (RS–gateway); static
//! prefixes (R49) are injections on a connection. Each session applies the export policy of its
//! sender and the import filter of its receiver (D8, D4, R50, R59, R66, R67, R72); each speaker
//! keeps every candidate per exact prefix and selects the minimal D9 key (ECMP kept). Propagation is
//! a worklist over (speaker, prefix) pairs with a budget: exhausting it is a [`NoConvergence`],
//! never a hang. Sessions over Azure's prefix limits carry nothing (R52, R66, R76). The result is
//! then folded per routing domain ([`domain`]): what every subnet behind a hub's gateways gets.
//!
//! Files by concept: [`sessions`] (speakers and sessions), [`origination`], [`policy`] (export,
//! AS-path rewrite, import), [`decision`] (D9), [`propagation`] (the worklist and session limits),
//! [`queries`] (tables, advertisements, names), [`route`] (attributes and reasons), [`domain`],
//! [`fixed_point`] (a self-check the property tests use), [`inputs`] (what propagation reads from
//! a model, so an edit of forwarding only can keep it) and [`views`] (the rows of `ersim bgp`,
//! Part M).

pub mod decision;
pub mod domain;
pub mod fixed_point;
pub mod inputs;
pub mod origination;
pub mod policy;
pub mod propagation;
pub mod queries;
pub mod route;
pub mod sessions;
pub mod views;

use std::collections::BTreeMap;

use ipnet::IpNet;

pub use queries::{RemoteFiltered, install_next_hops, speaker_name};
pub use route::*;
pub use sessions::{Session, SessionKind, Speaker};
pub use views::{BgpView, Direction, Group, PeerRef, RowState, UnknownPeer, ViewOrigin, ViewRow, ViewShape};

use crate::model::*;

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
}
