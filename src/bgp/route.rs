//! Route attributes: interned prefixes and AS paths, candidates, origins, and why a candidate lost.
//!
//! Prefixes and AS paths are interned once (small integer ids), so a route is a few words and the
//! estate-wide propagation copies ids, not vectors. Every candidate that is filtered or loses best
//! path selection keeps a [`Reason`] with the docs/routing-rules.md rule that decided it.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::*;
use crate::rules::{Rule, RuleSet};

/// An interned prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrefixId(pub u32);

/// An interned AS path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PathId(pub u32);

/// A speaker in the propagation graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpeakerId(pub u32);

/// A directed BGP session (or static injection) between two speakers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u32);

/// Interned prefixes and AS paths.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    prefixes: Vec<IpNet>,
    prefix_ids: HashMap<IpNet, PrefixId>,
    paths: Vec<Vec<u32>>,
    path_ids: HashMap<Vec<u32>, PathId>,
    prepends: HashMap<(u32, u32, PathId), PathId>,
}

impl Interner {
    /// A new interner holding the empty path as `PathId(0)`.
    pub fn new() -> Self {
        let mut i = Interner::default();
        i.path(Vec::new());
        i
    }

    /// Intern a prefix.
    pub fn prefix(&mut self, p: IpNet) -> PrefixId {
        if let Some(id) = self.prefix_ids.get(&p) {
            return *id;
        }
        let id = PrefixId(self.prefixes.len() as u32);
        self.prefixes.push(p);
        self.prefix_ids.insert(p, id);
        id
    }

    /// The prefix behind an id.
    pub fn net(&self, p: PrefixId) -> IpNet {
        self.prefixes[p.0 as usize]
    }

    /// Number of distinct prefixes.
    pub fn prefix_count(&self) -> usize {
        self.prefixes.len()
    }

    /// Intern an AS path.
    pub fn path(&mut self, p: Vec<u32>) -> PathId {
        if let Some(id) = self.path_ids.get(&p) {
            return *id;
        }
        let id = PathId(self.paths.len() as u32);
        self.paths.push(p.clone());
        self.path_ids.insert(p, id);
        id
    }

    /// The AS numbers of a path, nearest first.
    pub fn asns(&self, p: PathId) -> &[u32] {
        &self.paths[p.0 as usize]
    }

    /// `n` copies of `asn` in front of `p` (memoised).
    pub fn prepend(&mut self, asn: u32, n: u32, p: PathId) -> PathId {
        if n == 0 {
            return p;
        }
        if let Some(id) = self.prepends.get(&(asn, n, p)) {
            return *id;
        }
        let mut v = vec![asn; n as usize];
        v.extend_from_slice(self.asns(p));
        let id = self.path(v);
        self.prepends.insert((asn, n, p), id);
        id
    }

    /// Rewrite a path as an AS path transform.
    pub fn map(&mut self, p: PathId, f: impl FnOnce(&[u32]) -> Vec<u32>) -> PathId {
        let v = f(self.asns(p));
        self.path(v)
    }

    /// A path as text (`12076 12076`), or `-` when empty.
    pub fn path_text(&self, p: PathId) -> String {
        let a = self.asns(p);
        if a.is_empty() { "-".to_string() } else { a.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ") }
    }
}

/// Who put a route into BGP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A gateway or route server originating its VNet's and transit spokes' space (R50, R74).
    Space(SpeakerId),
    /// An on-premises router's `advertise` list.
    Onprem(OnpremId),
    /// An NVA's `advertise` list.
    Nva(BgpPeerId),
    /// A local gateway's static `address_prefixes` (or its BGP peer /32), on a connection (R49).
    Static(ConnectionId),
    /// The remote VNet's space on a VNet-to-VNet connection without BGP (R49).
    V2vStatic(ConnectionId),
}

/// One route as a speaker holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cand {
    /// The AS path as this speaker sees it.
    pub path: PathId,
    /// Who originated it.
    pub origin: Origin,
    /// The session it came in by (`None`: originated here).
    pub via: Option<SessionId>,
    /// The BGP next hop, where it matters (NVA routes: the NVA's `next_hop`).
    pub next_hop: Option<IpAddr>,
    /// D9 class by how the route first entered Azure: 0 ExpressRoute (on-premises over a circuit,
    /// or another hub's VNet over the circuit), 1 VPN (BGP or static) or NVA. Carried unchanged
    /// through branch-to-branch and the MSEE, so an NVA route relayed over a circuit stays class 1.
    pub class: u8,
}

/// Why a candidate was filtered, lost best-path selection, or was not installed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// An ExpressRoute gateway never re-learns its own VNet's or transit spokes' prefixes (D8).
    OwnOrigination,
    /// The AS path holds the receiver's own ASN (D8).
    AsPathLoop {
        /// The ASN found.
        asn: u32,
    },
    /// A route server drops paths holding 65515 (R72, D8).
    Holds65515,
    /// `allow_remote_vnet_traffic` is off on one of the two gateways (D4).
    RemoteVnetTrafficOff {
        /// The gateway(s) with it off.
        gateways: Vec<GatewayId>,
    },
    /// A VPN gateway drops prefixes equal to its VNet's or transit spokes' space (R66).
    OwnSpace,
    /// The session carried nothing: over Azure's prefix limit (R52, R66, R76).
    SessionDown {
        /// The limit.
        limit: usize,
        /// Prefixes offered.
        count: usize,
    },
    /// Lost on the ExpressRoute connection's routing weight (R55, D9).
    LostWeight {
        /// Its weight.
        weight: u32,
        /// The winner's weight.
        best: u32,
    },
    /// A VPN or NVA route lost to an ExpressRoute one (R56, R75, D9).
    LostToExpressRoute,
    /// Lost on AS-path length (D9, R73).
    LostAsPath {
        /// Its length.
        len: usize,
        /// The winner's length.
        best: usize,
    },
    /// Not installed: equal to or inside an address space of the VNet or of a peered VNet (D7, R21).
    InsideAddressSpace {
        /// The covering address-space prefix.
        space: IpNet,
        /// The VNet it belongs to.
        vnet: VnetId,
    },
    /// Not installed: the subnet's route table has gateway route propagation off (R31).
    PropagationOff {
        /// The route table.
        route_table: RouteTableId,
    },
}

impl Reason {
    /// The session carries nothing: a limit was exceeded (R52, R66, R76).
    pub fn session_down(x: crate::limits::Exceeded) -> Reason {
        Reason::SessionDown { limit: x.limit, count: x.count }
    }

    /// The rules behind this reason.
    pub fn rule(&self) -> RuleSet {
        match self {
            Reason::OwnOrigination | Reason::AsPathLoop { .. } => Rule::D8.into(),
            Reason::Holds65515 => RuleSet::of(&[Rule::R72, Rule::D8]),
            Reason::RemoteVnetTrafficOff { .. } => RuleSet::of(&[Rule::D4, Rule::R57]),
            Reason::OwnSpace => Rule::R66.into(),
            Reason::SessionDown { .. } => RuleSet::of(&[Rule::R52, Rule::R66, Rule::R76]),
            Reason::LostWeight { .. } => RuleSet::of(&[Rule::R55, Rule::D9]),
            Reason::LostToExpressRoute => RuleSet::of(&[Rule::R56, Rule::D9]),
            Reason::LostAsPath { .. } => RuleSet::of(&[Rule::D9, Rule::R73]),
            Reason::InsideAddressSpace { .. } => RuleSet::of(&[Rule::R21, Rule::D7]),
            Reason::PropagationOff { .. } => Rule::R31.into(),
        }
    }

    /// Whether this reason is a filter (not installed / not accepted) rather than a lost comparison.
    pub fn is_filter(&self) -> bool {
        !matches!(self, Reason::LostWeight { .. } | Reason::LostToExpressRoute | Reason::LostAsPath { .. })
    }

    /// A sentence for `--explain`.
    pub fn describe(&self, m: &Model) -> String {
        match self {
            Reason::OwnOrigination => "the gateway originates this prefix itself and never re-learns it".into(),
            Reason::AsPathLoop { asn } => format!("AS path holds the receiver's own ASN {asn} (loop)"),
            Reason::Holds65515 => "AS path holds 65515; a route server drops such paths".into(),
            Reason::RemoteVnetTrafficOff { gateways } => {
                let names: Vec<String> = gateways.iter().map(|g| format!("`{}`", m.gateways[g.idx()].name)).collect();
                format!("allow_remote_vnet_traffic is off on {}", names.join(" and "))
            }
            Reason::OwnSpace => "equal to the VPN gateway's own VNet or transit-spoke space".into(),
            Reason::SessionDown { limit, count } => {
                format!("the BGP session is down: {count} prefixes offered, Azure's limit is {limit}")
            }
            Reason::LostWeight { weight, best } => format!("routing weight {weight} < {best}"),
            Reason::LostToExpressRoute => "ExpressRoute is preferred over VPN and NVA routes".into(),
            Reason::LostAsPath { len, best } => format!("AS path length {len} > {best}"),
            Reason::InsideAddressSpace { space, vnet } => {
                format!("equal to or inside {}'s address space {space}", m.vnets[vnet.idx()].name)
            }
            Reason::PropagationOff { route_table } => {
                format!("route table `{}` has gateway route propagation off", m.route_tables[route_table.idx()].name)
            }
        }
    }
}

impl fmt::Display for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "path#{}", self.0)
    }
}
