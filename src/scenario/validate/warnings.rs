//! Warnings that need the whole draft: a peering or VNet-to-VNet connection without its other
//! direction (R36), two BGP-connected VPN gateways with one ASN (R64), a `VirtualAppliance` next
//! hop nothing forwards from (R28). Sessions over Azure's prefix limits are design findings of
//! `check` (Part K), found from propagation.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::ctx::{Ctx, UdrHop};
use super::draft::Draft;
use super::values::UNSPECIFIED;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{ConnectionKind, GatewayId};
use crate::rules::Rule;

/// Every warning, kind by kind.
pub(super) fn pass(ctx: &mut Ctx) {
    let Ctx { draft, d, udr_hops, .. } = ctx;
    one_directional_peerings(draft, d);
    one_directional_connections(draft, d);
    bgp_sites_without_router(draft, d);
    same_asn(draft, d);
    unserved_next_hops(draft, udr_hops, d);
}

/// A peering direction without its reverse stays Initiated (R36).
fn one_directional_peerings(draft: &Draft, d: &mut Diagnostics) {
    for (p, back) in draft.peerings.iter().zip(draft.reverse()) {
        if back.is_some() {
            continue;
        }
        let from = &draft.vnets[p.peering.from.idx()].name;
        let to = &draft.vnets[p.peering.to.idx()].name;
        d.push(
            Diagnostic::warning(
                Code::OneDirectionalPeering,
                format!("peering `{from}` → `{to}` has no peering back: it stays Initiated and carries nothing"),
            )
            .at(p.key_span.clone())
            .help(format!("add the `{to}` → `{from}` direction, or write the pair with `vnets = [...]`"))
            .rule(Rule::R36),
        );
    }
}

/// A VNet-to-VNet connection is one direction: without the other it carries nothing.
fn one_directional_connections(draft: &Draft, d: &mut Diagnostics) {
    for c in &draft.connections {
        let (Some(gateway), Some(ConnectionKind::VnetToVnet { remote_gateway, .. })) = (c.gateway, &c.kind) else {
            continue;
        };
        let back = draft.connections.iter().any(|o| {
            o.gateway == Some(*remote_gateway)
                && matches!(o.kind, Some(ConnectionKind::VnetToVnet { remote_gateway: r, .. }) if r == gateway)
        });
        if back {
            continue;
        }
        let (a, b) = (&draft.gateways[gateway.idx()].name, &draft.gateways[remote_gateway.idx()].name);
        d.push(
            Diagnostic::warning(
                Code::OneDirectionalConnection,
                format!("VNet-to-VNet connection `{}` ({a} → {b}) has no connection back: it carries nothing", c.name),
            )
            .at(c.span.clone())
            .help(format!("add a [[connection]] from `{b}` to `{a}` (Azure needs one in each direction)")),
        );
    }
}

/// A BGP site-to-site connection whose local gateway names no `onprem` router: the session's far
/// end is not modelled, so nothing is learned over it and the gateway's advertisements to it are
/// not shown (`bgp --advertised`); its static prefixes still apply (R49).
fn bgp_sites_without_router(draft: &Draft, d: &mut Diagnostics) {
    for c in &draft.connections {
        let Some(ConnectionKind::SiteToSite { local_gateway, bgp: true }) = &c.kind else { continue };
        let lg = &draft.local_gateways[local_gateway.idx()];
        if lg.onprem.is_some() {
            continue;
        }
        d.push(
            Diagnostic::warning(
                Code::BgpSiteWithoutRouter,
                format!(
                    "BGP connection `{}` goes to local gateway `{}`, which names no `onprem` router: ersim learns nothing over it and does not show what the gateway advertises to it",
                    c.name, lg.name
                ),
            )
            .at(c.span.clone())
            .help(format!(
                "describe the router behind `{}` with an [[onprem]] block (its asn and the prefixes it advertises) and set `onprem` on the local gateway",
                lg.name
            ))
            .rule(Rule::R49),
        );
    }
}

/// Two BGP-connected VPN gateways with one ASN drop each other's routes (R64): once per pair of
/// gateways, at its first connection in the file, whichever direction that is.
fn same_asn(draft: &Draft, d: &mut Diagnostics) {
    let mut v2v: Vec<_> = draft.connections.iter().collect();
    v2v.sort_by_key(|c| c.span.start);
    let mut pairs: BTreeSet<(GatewayId, GatewayId)> = BTreeSet::new();
    for c in v2v {
        let (Some(gateway), Some(ConnectionKind::VnetToVnet { remote_gateway, bgp: true })) = (c.gateway, &c.kind)
        else {
            continue;
        };
        let (x, y) = (gateway.min(*remote_gateway), gateway.max(*remote_gateway));
        let (a, b) = (&draft.gateways[x.idx()], &draft.gateways[y.idx()]);
        if a.asn == b.asn && pairs.insert((x, y)) {
            d.push(
                Diagnostic::warning(Code::SameAsn, format!("VPN gateways `{}` and `{}` are BGP-connected with the same ASN {}: each drops the other's routes as a loop", a.name, b.name, a.asn))
                    .at(c.span.clone())
                    .help(format!("give one of them another ASN (e.g. `asn = 65050` on `{}`)", b.name))
                    .rule(Rule::R64),
            );
        }
    }
}

/// A route-table next hop that no forwarding NIC, firewall or load-balancer frontend holds (R28).
fn unserved_next_hops(draft: &Draft, hops: &[UdrHop], d: &mut Diagnostics) {
    // An item whose address is not known compares as the model's default address.
    let holds = |ip: Option<IpAddr>, want: IpAddr| ip.unwrap_or(UNSPECIFIED) == want;
    for hop in hops {
        let ip = hop.ip;
        let forwards = draft.nics.iter().any(|n| n.ip_forwarding && holds(n.ip, ip))
            || draft.firewalls.iter().any(|f| holds(f.ip, ip))
            || draft.load_balancers.iter().any(|l| holds(l.frontend_ip, ip));
        if forwards {
            continue;
        }
        let route = &hop.route;
        let plain = draft.nics.iter().find(|n| holds(n.ip, ip));
        d.push(
            Diagnostic::warning(
                Code::UnservedNextHop,
                match plain {
                    Some(n) => format!("{route} sends traffic to {ip}, NIC `{}`, which has ip_forwarding off", n.name),
                    None => format!(
                        "{route} sends traffic to {ip}, which no forwarding NIC, firewall or load-balancer frontend holds"
                    ),
                },
            )
            .at(hop.span.clone())
            .label("nothing forwards from this address")
            .help(match plain {
                Some(n) => format!("set `ip_forwarding = true` on NIC `{}` (an NVA must forward traffic not addressed to it)", n.name),
                None => "point `next_hop_ip` at an NVA NIC with `ip_forwarding = true`, a firewall or an internal load-balancer frontend".to_string(),
            })
            .rule(Rule::R28),
        );
    }
}
