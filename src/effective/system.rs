//! The Default rows of a subnet's table: address space, Internet, reserved None, peerings.

use ipnet::IpNet;

use super::{RouteSource, Row, RowOrigin};
use crate::model::*;

fn row(prefix: IpNet, t: NextHopType, origin: RowOrigin) -> Row {
    Row {
        source: RouteSource::Default,
        state: RouteState::Active,
        prefix,
        next_hop_type: t,
        next_hop_ips: Vec::new(),
        udr_name: None,
        origin,
    }
}

/// The Default rows of a subnet of VNet `v`, before D5/D6 are applied.
pub fn default_rows(m: &Model, v: VnetId) -> Vec<Row> {
    let vnet = &m.vnets[v.idx()];
    let mut rows = Vec::new();
    // R13: one VnetLocal row per address-space prefix (none per subnet).
    for (i, a) in vnet.address_space.iter().enumerate() {
        rows.push(row(*a, NextHopType::VnetLocal, RowOrigin::AddressSpace(i)));
    }
    // R14: the Internet row, and ::/0 with IPv6 space.
    rows.push(row("0.0.0.0/0".parse().expect("constant"), NextHopType::Internet, RowOrigin::Internet));
    if vnet.address_space.iter().any(|a| matches!(a, IpNet::V6(_))) {
        rows.push(row("::/0".parse().expect("constant"), NextHopType::Internet, RowOrigin::Internet));
    }
    // D3 with R16: a reserved prefix equal to or inside an address-space prefix gets no None row.
    let mut peer_prefixes: Vec<(IpNet, PeeringId)> = Vec::new();
    for (p, w) in m.connected_peers(v) {
        for a in &m.vnets[w.idx()].address_space {
            peer_prefixes.push((*a, p));
        }
    }
    for p in m.system_routes.prefixes() {
        if vnet.address_space.iter().any(|a| a.contains(&p)) {
            continue;
        }
        // D15: a peering row with exactly a reserved prefix removes that None row.
        if peer_prefixes.iter().any(|(a, _)| *a == p) {
            continue;
        }
        rows.push(row(p, NextHopType::None, RowOrigin::Reserved));
    }
    // R35, R36: one row per remote address-space prefix of each Connected peering.
    for (a, p) in peer_prefixes {
        let t = if m.is_global(p) { NextHopType::VNetGlobalPeering } else { NextHopType::VNetPeering };
        rows.push(row(a, t, RowOrigin::Peering(p)));
    }
    rows
}
