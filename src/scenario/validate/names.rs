//! Names of every kind: each named block gets its id in name order, an empty or repeated name is
//! an error (a repeat points at the first definition), a `/` in a name is refused, and references
//! are looked up with "did you mean".
//!
//! A name with a `/` still gets its id, so references to it resolve: the one mistake is one error.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::*;
use crate::scenario::raw::{RawScenario, Sp};

/// A model id, made from its arena index.
pub(super) trait Id: Copy {
    fn at(index: usize) -> Self;
}

macro_rules! id_from_index {
    ($($t:ident),*) => {$(
        impl Id for $t {
            fn at(index: usize) -> Self {
                $t(index as u32)
            }
        }
    )*};
}

id_from_index!(
    VnetId,
    NicId,
    GatewayId,
    CircuitId,
    OnpremId,
    ConnectionId,
    LocalGatewayId,
    RouteServerId,
    BgpPeerId,
    LoadBalancerId,
    RouteTableId,
    FirewallId
);

/// The names of one kind: the id of each name, and the raw block behind each id.
pub(super) struct Names<I> {
    /// Some block of this kind has no usable name: a reference may mean it, so unknown names are
    /// not reported (the missing name already is).
    incomplete: bool,
    word: &'static str,
    block: &'static str,
    ids: BTreeMap<String, I>,
    /// The raw block index of each id.
    raw: Vec<usize>,
}

impl<I: Id> Names<I> {
    fn new<T>(
        word: &'static str,
        block: &'static str,
        items: &[T],
        name: impl Fn(&T) -> Option<&Sp<String>>,
        d: &mut Diagnostics,
    ) -> Names<I> {
        let mut first: BTreeMap<String, (usize, Sp<String>)> = BTreeMap::new();
        let mut incomplete = false;
        for (i, it) in items.iter().enumerate() {
            let Some(n) = name(it) else {
                incomplete = true;
                continue;
            };
            if n.v.is_empty() {
                d.push(
                    Diagnostic::error(Code::EmptyName, format!("a {block} name must not be empty"))
                        .at(n.span.clone())
                        .help("give it a name, e.g. `name = \"hub00\"`"),
                );
                continue;
            }
            no_slash(n, &format!("{word} name"), d);
            if let Some((_, f)) = first.get(&n.v) {
                d.push(
                    Diagnostic::error(Code::DuplicateName, format!("duplicate {word} name `{}`", n.v))
                        .at(n.span.clone())
                        .label("defined again here")
                        .note(f.span.clone(), "first defined here")
                        .help(format!("names are unique within a kind: rename one of the {block} blocks")),
                );
                continue;
            }
            first.insert(n.v.clone(), (i, n.clone()));
        }
        let mut ids = BTreeMap::new();
        let mut raw = Vec::new();
        for (k, (i, _)) in first {
            ids.insert(k, I::at(raw.len()));
            raw.push(i);
        }
        Names { incomplete, word, block, ids, raw }
    }

    /// The id of a name, without a diagnostic when there is none.
    pub(super) fn get(&self, name: &str) -> Option<I> {
        self.ids.get(name).copied()
    }

    /// The id a reference names; an unknown name is an error (unless some block of the kind has
    /// no name, which the reference may mean).
    pub(super) fn find(&self, sp: &Sp<String>, d: &mut Diagnostics) -> Option<I> {
        if let Some(id) = self.get(&sp.v) {
            return Some(id);
        }
        if self.incomplete {
            return None;
        }
        let help = did_you_mean(&sp.v, self.ids.keys().map(String::as_str));
        let mut diag = Diagnostic::error(Code::UnknownName, format!("unknown {} `{}`", self.word, sp.v))
            .at(sp.span.clone())
            .label(format!("no {} has this name", self.block))
            .help_opt(help);
        if self.ids.is_empty() {
            diag = diag.help(format!("the scenario has no {} blocks; add one", self.block));
        }
        d.push(diag);
        None
    }

    /// Each id with its raw block, in id order.
    pub(super) fn blocks<'r, T>(&self, items: &'r [T]) -> Vec<(I, &'r T)> {
        self.raw.iter().enumerate().map(|(id, &i)| (I::at(id), &items[i])).collect()
    }
}

/// Refuse a `/` in a name: Azure names cannot hold one, and ersim prints a subnet as
/// `vnet/subnet`, so VNet `a/b` with subnet `x` and VNet `a` with subnet `b/x` would be one path.
/// `what` is what the name is, e.g. "VNet name".
pub(super) fn no_slash(sp: &Sp<String>, what: &str, d: &mut Diagnostics) {
    if !sp.v.contains('/') {
        return;
    }
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    d.push(
        Diagnostic::error(Code::BadName, format!("{article} {what} must not contain `/` (`{}`)", sp.v))
            .at(sp.span.clone())
            .label("`/` is not allowed in a name")
            .help(format!(
                "Azure names cannot contain `/` (ersim writes a subnet as `vnet/subnet`): write `{}` instead",
                sp.v.replace('/', "-")
            )),
    );
}

/// The names of every kind.
pub(super) struct Registry {
    pub(super) vnets: Names<VnetId>,
    pub(super) nics: Names<NicId>,
    pub(super) gateways: Names<GatewayId>,
    pub(super) circuits: Names<CircuitId>,
    pub(super) onprems: Names<OnpremId>,
    pub(super) connections: Names<ConnectionId>,
    pub(super) local_gateways: Names<LocalGatewayId>,
    pub(super) route_servers: Names<RouteServerId>,
    pub(super) bgp_peers: Names<BgpPeerId>,
    pub(super) load_balancers: Names<LoadBalancerId>,
    pub(super) route_tables: Names<RouteTableId>,
    pub(super) firewalls: Names<FirewallId>,
}

/// Register the names of every kind (subnet and route names are per VNet and per route table:
/// their passes check them).
pub(super) fn pass(raw: &RawScenario, d: &mut Diagnostics) -> Registry {
    Registry {
        vnets: Names::new("VNet", "[[vnet]]", &raw.vnets, |x| x.name.as_ref(), d),
        nics: Names::new("NIC", "[[nic]]", &raw.nics, |x| x.name.as_ref(), d),
        gateways: Names::new("gateway", "[[gateway]]", &raw.gateways, |x| x.name.as_ref(), d),
        circuits: Names::new("circuit", "[[circuit]]", &raw.circuits, |x| x.name.as_ref(), d),
        onprems: Names::new("on-premises router", "[[onprem]]", &raw.onprems, |x| x.name.as_ref(), d),
        connections: Names::new("connection", "[[connection]]", &raw.connections, |x| x.name.as_ref(), d),
        local_gateways: Names::new("local gateway", "[[local_gateway]]", &raw.local_gateways, |x| x.name.as_ref(), d),
        route_servers: Names::new("route server", "[[route_server]]", &raw.route_servers, |x| x.name.as_ref(), d),
        bgp_peers: Names::new("BGP peer", "[[bgp_peer]]", &raw.bgp_peers, |x| x.name.as_ref(), d),
        load_balancers: Names::new("load balancer", "[[load_balancer]]", &raw.load_balancers, |x| x.name.as_ref(), d),
        route_tables: Names::new("route table", "[[route_table]]", &raw.route_tables, |x| x.name.as_ref(), d),
        firewalls: Names::new("firewall", "[[firewall]]", &raw.firewalls, |x| x.name.as_ref(), d),
    }
}
