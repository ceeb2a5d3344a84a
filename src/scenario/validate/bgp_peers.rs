//! BGP peers (NVAs on a route server, R70): their NIC, route server, ASN (R64; above 65535 a
//! warning, R70), and the
//! routes they advertise (prefix, AS path, next hop: the NIC's address unless written).

use std::net::IpAddr;

use super::ctx::Ctx;
use super::draft::BgpPeerDraft;
use super::values::{UNSPECIFIED, advertised_prefix, check_reserved_asn, parse_asn, parse_ip};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Advert;
use crate::rules::Rule;
use crate::scenario::raw::{RawAdvert, RawBgpPeer};

/// Every BGP peer, in id order.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    for (_, b) in ctx.names.bgp_peers.blocks(&raw.bgp_peers) {
        let draft = bgp_peer(ctx, b);
        ctx.draft.bgp_peers.push(draft);
    }
}

fn bgp_peer(ctx: &mut Ctx, b: &RawBgpPeer) -> BgpPeerDraft {
    let d = &mut *ctx.d;
    let nic = b.nic.as_ref().and_then(|n| ctx.names.nics.find(n, d));
    let route_server = b.route_server.as_ref().and_then(|r| ctx.names.route_servers.find(r, d));
    let asn = b
        .asn
        .as_ref()
        .and_then(|a| parse_asn(a, "BGP peer ASN", false, d).filter(|n| check_reserved_asn(*n, a, "BGP peer ASN", d)));
    // R70: documented as 16-bit only, yet published Route Server output shows a peer with ASN 65555
    // learned and used: a warning, never an error.
    if let (Some(n), Some(a)) = (asn, &b.asn)
        && n > 65_535
    {
        d.push(
            Diagnostic::warning(
                Code::LargeAsn,
                format!("BGP peer ASN {n} is above 65535: documented as unsupported for Route Server peers; Azure has accepted it"),
            )
            .at(a.span.clone())
            .label("a 32-bit ASN")
            .help("routes flow as for any other ASN; a private 16-bit ASN (64512-65534) is the documented choice")
            .rule(Rule::R70),
        );
    }
    // The default next hop is the NIC's address (0.0.0.0 while the NIC has none: that is an error
    // of its own).
    let nic_ip = nic.map(|n| ctx.draft.nics[n.idx()].ip.unwrap_or(UNSPECIFIED));
    let advertise = b.advertise.iter().filter_map(|a| advert(a, nic_ip, ctx.d)).collect();
    BgpPeerDraft {
        name: b.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
        nic,
        route_server,
        asn,
        advertise,
        span: b.span.clone(),
    }
}

/// One advertised route, when its prefix and next hop are valid.
fn advert(a: &RawAdvert, nic_ip: Option<IpAddr>, d: &mut Diagnostics) -> Option<Advert> {
    let prefix = a.prefix.as_ref().and_then(|p| advertised_prefix(p, d))?;
    let mut as_path = Vec::new();
    for x in a.more.iter().flat_map(|m| &m.as_path).flat_map(|list| &list.v) {
        if let Some(n) = parse_asn(x, "AS path entry", false, d) {
            as_path.push(n);
        }
    }
    let next_hop = match a.more.as_ref().and_then(|m| m.next_hop.as_ref()) {
        Some(sp) => parse_ip(sp, "next_hop", d),
        None => nic_ip,
    };
    Some(Advert { prefix, as_path, next_hop: next_hop? })
}
