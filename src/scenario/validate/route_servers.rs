//! Route servers (R70): a RouteServerSubnet in their VNet, their two instance addresses (`.4` and
//! `.5` of it, D14; taken in the VNet), and at most one route server per VNet.

use std::collections::BTreeMap;

use super::ctx::Ctx;
use super::draft::RouteServerDraft;
use crate::diag::{Code, Diagnostic};
use crate::model::{Span, SubnetRole, VnetId};
use crate::net::nth_host;
use crate::rules::Rule;
use crate::scenario::raw::RawRouteServer;

/// Every route server in id order, then one per VNet.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    let blocks = ctx.names.route_servers.blocks(&raw.route_servers);
    for (_, r) in &blocks {
        let draft = route_server(ctx, r);
        ctx.draft.route_servers.push(draft);
    }
    // in source order, so the later one in the file is reported
    let mut placed: Vec<(&RawRouteServer, VnetId)> =
        blocks.iter().zip(&ctx.draft.route_servers).filter_map(|((_, r), dr)| Some((*r, dr.vnet?))).collect();
    placed.sort_by_key(|(r, _)| r.span.start);
    let mut per_vnet: BTreeMap<VnetId, Span> = BTreeMap::new();
    for (r, v) in placed {
        if let Some(first) = per_vnet.get(&v) {
            ctx.d.push(
                Diagnostic::error(
                    Code::SecondRouteServer,
                    format!("VNet `{}` already has a route server", ctx.draft.vnets[v.idx()].name),
                )
                .at(r.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(r.span.clone()))
                .note(first.clone(), "the first one")
                .help("a VNet holds at most one route server (R70): remove one")
                .rule(Rule::R70),
            );
        } else {
            per_vnet.insert(v, r.span.clone());
        }
    }
}

fn route_server(ctx: &mut Ctx, r: &RawRouteServer) -> RouteServerDraft {
    let name = r.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
    let vnet = r.vnet.as_ref().and_then(|v| ctx.names.vnets.find(v, ctx.d));
    let mut ips = Vec::new();
    if let Some(v) = vnet {
        match ctx.draft.special_subnet(v, SubnetRole::RouteServer) {
            Some(s) => {
                let net = ctx.draft.subnets[s.idx()].prefix;
                ips = [4, 5].iter().filter_map(|k| nth_host(&net, *k)).collect();
                // a second route server in the VNet is an error of its own (see `pass`), not a
                // duplicate of the first one's addresses
                if !ctx.draft.route_servers.iter().any(|x| x.vnet == Some(v) && !x.ips.is_empty()) {
                    for ip in &ips {
                        ctx.taken.take(v, *ip, format!("route server `{name}`"), r.span.clone(), ctx.d);
                    }
                }
            }
            None => ctx.d.push(
                Diagnostic::error(
                    Code::MissingRouteServerSubnet,
                    format!(
                        "route server `{name}` needs a subnet named RouteServerSubnet in VNet `{}`",
                        ctx.draft.vnets[v.idx()].name
                    ),
                )
                .at(r.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(r.span.clone()))
                .label("this VNet has no RouteServerSubnet")
                .help("add `[[vnet.subnet]] name = \"RouteServerSubnet\"` (a /27 or larger) to the VNet")
                .rule(Rule::R70),
            ),
        }
    }
    RouteServerDraft {
        name,
        vnet,
        branch_to_branch: r.branch_to_branch.as_ref().map(|x| x.v).unwrap_or(false),
        ips,
        span: r.span.clone(),
    }
}
