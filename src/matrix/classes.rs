//! Source classes: sources that forward every packet to a destination outside their own address
//! space the same way, so one representative's walk answers for all of them.
//!
//! A walk from a source differs from another source's only in its first move — every later
//! position (a hub subnet, a gateway, an MSEE, an appliance) is shared. The first move reads the
//! source subnet's table (R19) and, for the row it picks, the source VNet's peerings (D11) and
//! the devices it can hand the packet to (R28, R42). Two sources are in one class when:
//!
//! - their subnets' tables have the same rows, with each VNet's own address-space rows (R13)
//!   written as "own space number i" — those rows, and gateway routes inside the own space (D7),
//!   never match a destination outside it;
//! - they get gateway routes from the same routing domain with the same propagation (R31);
//! - their peerings lead to the same VNets with the same flags, both directions (D11);
//! - no next-hop address of the estate lies inside their own space (else the appliance the first
//!   move reaches depends on the source VNet, so it stays alone).
//!
//! A destination inside a source's own space is not covered by its class: `matrix` walks those
//! pairs one by one. Everything else is a source of its own (an on-premises router, a VNet
//! without a host).

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

use crate::effective::{RouteSource, Row, RowOrigin, SubnetTable};
use crate::forward::Host;
use crate::model::*;
use crate::simulation::Simulation;

/// A row as a class sees it: the own space abstracted, peerings by remote VNet and flags.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct KeyRow {
    source: RouteSource,
    state: RouteState,
    /// `None` for an own address-space row.
    prefix: Option<IpNet>,
    next_hop_type: NextHopType,
    next_hop_ips: Vec<IpAddr>,
    udr_name: Option<String>,
    origin: KeyOrigin,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum KeyOrigin {
    Own(usize),
    /// A peering: the remote VNet and the flags D11 reads (access both ways, forwarded traffic back).
    Peering {
        to: VnetId,
        access: bool,
        back_access: bool,
        back_forwarded: bool,
    },
    Internet,
    Reserved,
    Udr(usize),
    Gateway(u32),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Table { hub: Option<VnetId>, propagate: bool, rows: Vec<KeyRow> },
    Alone(usize),
}

fn key_row(m: &Model, r: &Row) -> KeyRow {
    let (prefix, origin) = match r.origin {
        RowOrigin::AddressSpace(i) => (None, KeyOrigin::Own(i)),
        RowOrigin::Peering(p) => {
            let pe = &m.peerings[p.idx()];
            let back = m.ix.reverse[p.idx()].map(|b| &m.peerings[b.idx()]);
            let origin = KeyOrigin::Peering {
                to: pe.to,
                access: pe.allow_virtual_network_access,
                back_access: back.is_none_or(|b| b.allow_virtual_network_access),
                back_forwarded: back.is_some_and(|b| b.allow_forwarded_traffic),
            };
            (Some(r.prefix), origin)
        }
        RowOrigin::Internet => (Some(r.prefix), KeyOrigin::Internet),
        RowOrigin::Reserved => (Some(r.prefix), KeyOrigin::Reserved),
        RowOrigin::Udr(_, i) => (Some(r.prefix), KeyOrigin::Udr(i)),
        RowOrigin::Gateway(i) => (Some(r.prefix), KeyOrigin::Gateway(i)),
    };
    KeyRow {
        source: r.source,
        state: r.state,
        prefix,
        next_hop_type: r.next_hop_type,
        next_hop_ips: r.next_hop_ips.clone(),
        udr_name: r.udr_name.clone(),
        origin,
    }
}

/// Every address a first move may hand a packet to (R28, R42): route-table next hops,
/// forwarding NICs, NVAs peered with a route server and what they advertise as next hop,
/// firewalls and load-balancer frontends.
fn next_hop_addresses(m: &Model) -> JointPrefixMap<IpNet, ()> {
    let mut out = JointPrefixMap::new();
    let mut add = |ip: IpAddr| {
        out.insert(IpNet::from(ip), ());
    };
    for rt in &m.route_tables {
        rt.routes.iter().filter_map(|u| u.next_hop_ip).for_each(&mut add);
    }
    m.nics.iter().filter(|n| n.ip_forwarding).for_each(|n| add(n.ip));
    for p in &m.bgp_peers {
        add(m.nics[p.nic.idx()].ip);
        p.advertise.iter().for_each(|a| add(a.next_hop));
    }
    m.firewalls.iter().for_each(|f| add(f.ip));
    m.load_balancers.iter().for_each(|l| add(l.frontend_ip));
    out
}

/// The class of every source (`None`: no host to start from), numbered in order of first
/// appearance, and each class's members in the order given.
pub(super) fn assign(sim: &Simulation, sources: &[Option<Host>]) -> (Vec<u32>, Vec<Vec<u32>>) {
    let m = &sim.model;
    let hops = next_hop_addresses(m);
    let mut ids: HashMap<Key, u32> = HashMap::new();
    let mut class_of = Vec::with_capacity(sources.len());
    let mut members: Vec<Vec<u32>> = Vec::new();
    for (i, h) in sources.iter().enumerate() {
        let key = h.and_then(|h| h.subnet(m)).map_or(Key::Alone(i), |s| subnet_key(sim, &hops, s, i));
        let next = ids.len() as u32;
        let c = *ids.entry(key).or_insert(next);
        if c == next {
            members.push(Vec::new());
        }
        members[c as usize].push(i as u32);
        class_of.push(c);
    }
    (class_of, members)
}

fn subnet_key(sim: &Simulation, hops: &JointPrefixMap<IpNet, ()>, s: SubnetId, i: usize) -> Key {
    let m = &sim.model;
    let v = m.subnets[s.idx()].vnet;
    if m.vnets[v.idx()].address_space.iter().any(|a| hops.children(a).next().is_some()) {
        return Key::Alone(i);
    }
    // Built for the key and dropped: only representatives' tables are cached.
    let t = SubnetTable::build(m, s, sim.domain_of(v));
    Key::Table { hub: m.domain_of(v), propagate: t.propagate, rows: t.own.iter().map(|r| key_row(m, r)).collect() }
}
