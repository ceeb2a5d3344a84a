//! Route tables (R27-R29): route names unique within a table, one route per prefix, a
//! `VirtualAppliance` route with its `next_hop_ip` and no other type with one, next hop and prefix
//! of one family. `VirtualAppliance` next hops are kept for the unserved-next-hop warning.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::ctx::{Ctx, UdrHop};
use super::names::no_slash;
use super::values::{parse_enum, parse_ip, parse_prefix};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{NextHopType, RouteTable, Udr};
use crate::rules::Rule;
use crate::scenario::raw::{RawRoute, RawRouteTable, Sp};

/// Every route table, in id order.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    for (_, r) in ctx.names.route_tables.blocks(&raw.route_tables) {
        let table = route_table(ctx, r);
        ctx.draft.route_tables.push(table);
    }
}

fn route_table(ctx: &mut Ctx, r: &RawRouteTable) -> RouteTable {
    let tname = r.name.as_ref().map(|x| x.v.as_str()).unwrap_or("");
    let mut routes = Vec::new();
    let mut by_name: BTreeMap<&str, &Sp<String>> = BTreeMap::new();
    let mut by_prefix: BTreeMap<IpNet, &RawRoute> = BTreeMap::new();
    for rr in &r.routes {
        if let Some(n) = &rr.name {
            no_slash(n, "route name", ctx.d);
            if let Some(first) = by_name.get(n.v.as_str()) {
                ctx.d.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("duplicate route name `{}` in route table `{tname}`", n.v),
                    )
                    .at(n.span.clone())
                    .note(first.span.clone(), "first defined here")
                    .help("route names are unique within a route table: rename one"),
                );
            } else {
                by_name.insert(&n.v, n);
            }
        }
        let prefix = rr.prefix.as_ref().and_then(|p| parse_prefix(p, "route prefix", ctx.d));
        let nht = rr.next_hop_type.as_ref().and_then(|t| {
            let names: Vec<&str> = [
                NextHopType::VirtualAppliance,
                NextHopType::VirtualNetworkGateway,
                NextHopType::VnetLocal,
                NextHopType::Internet,
                NextHopType::None,
            ]
            .iter()
            .map(|t| t.api())
            .collect();
            parse_enum(t, "next_hop_type", &names, ctx.d).and_then(NextHopType::parse)
        });
        let ip = rr.next_hop_ip.as_ref().and_then(|ip| parse_ip(ip, "next_hop_ip", ctx.d));
        if let (Some(NextHopType::VirtualAppliance), Some(a), Some(sp)) = (nht, ip, &rr.next_hop_ip) {
            let rname = rr.name.as_ref().map(|x| x.v.as_str()).unwrap_or("");
            ctx.udr_hops.push(UdrHop {
                ip: a,
                span: sp.span.clone(),
                route: format!("route `{rname}` of route table `{tname}`"),
            });
        }
        if let (Some(p), Some(pp)) = (prefix, &rr.prefix) {
            if let Some(first) = by_prefix.get(&p) {
                ctx.d.push(
                    Diagnostic::error(
                        Code::RouteConflict,
                        format!("two routes for {p} in one route table (Azure refuses this: RouteConflict)"),
                    )
                    .at(pp.span.clone())
                    .label("same prefix again")
                    .note(
                        first.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(first.span.clone()),
                        "first route for this prefix",
                    )
                    .help("keep one route per prefix; Azure route tables have no ECMP between user routes")
                    .rule(Rule::R27),
                );
            } else {
                by_prefix.insert(p, rr);
            }
        }
        if let Some(t) = nht {
            next_hop_ip_rules(rr, t, ctx.d);
        }
        if let (Some(name), Some(prefix), Some(t)) = (&rr.name, prefix, nht) {
            if let Some(ip) = ip
                && ip.is_ipv4() != prefix.addr().is_ipv4()
            {
                ctx.d.push(
                    Diagnostic::error(
                        Code::FamilyMismatch,
                        format!("next hop {ip} and prefix {prefix} are of different IP families"),
                    )
                    .at(rr.next_hop_ip.as_ref().map(|x| x.span.clone()).unwrap_or(rr.span.clone()))
                    .help("use an IPv4 next hop for an IPv4 prefix and IPv6 for IPv6"),
                );
            }
            routes.push(Udr {
                name: name.v.clone(),
                prefix,
                next_hop_type: t,
                next_hop_ip: if t == NextHopType::VirtualAppliance { ip } else { None },
                span: rr.span.clone(),
            });
        }
    }
    RouteTable {
        name: tname.to_string(),
        disable_bgp_route_propagation: r.disable_bgp_route_propagation.as_ref().map(|x| x.v).unwrap_or(false),
        routes,
        span: r.span.clone(),
    }
}

/// R28, R29: a `VirtualAppliance` route needs `next_hop_ip`; no other type takes one.
fn next_hop_ip_rules(rr: &RawRoute, t: NextHopType, d: &mut Diagnostics) {
    match (t, &rr.next_hop_ip) {
        (NextHopType::VirtualAppliance, None) => d.push(
            Diagnostic::error(Code::MissingNextHopIp, "a `VirtualAppliance` route needs `next_hop_ip`")
                .at(rr.next_hop_type.as_ref().map(|x| x.span.clone()).unwrap_or(rr.span.clone()))
                .label("VirtualAppliance without an address")
                .help("add `next_hop_ip = \"...\"`: the address of the NVA NIC, firewall or load-balancer frontend")
                .rule(Rule::R28),
        ),
        (NextHopType::VirtualAppliance, Some(_)) | (_, None) => {}
        (other, Some(sp)) => d.push(
            Diagnostic::error(
                Code::NextHopIpNotAllowed,
                format!("`next_hop_ip` is only for `VirtualAppliance` routes, not `{}`", other.api()),
            )
            .at(sp.span.clone())
            .label("refused for this next hop type")
            .help("remove `next_hop_ip`, or use `next_hop_type = \"VirtualAppliance\"`")
            .rule(Rule::R29),
        ),
    }
}
