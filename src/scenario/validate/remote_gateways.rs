//! `use_remote_gateways` (R38, R41): the remote VNet has a gateway or route server and allows
//! gateway transit on its peering back; the local VNet has no gateway or route server of its own;
//! a VNet uses the gateways of one peer only.

use std::collections::{BTreeMap, BTreeSet};

use super::ctx::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::model::{Span, VnetId};
use crate::rules::Rule;

/// The VNets holding a gateway (of either type) and those holding a route server, among the
/// gateways and route servers whose VNet resolved.
struct Held {
    gateway: BTreeSet<VnetId>,
    route_server: BTreeSet<VnetId>,
}

/// Every peering direction with `use_remote_gateways`, in file order (so a second one is
/// reported where it comes later).
pub(super) fn pass(ctx: &mut Ctx) {
    let draft = &ctx.draft;
    let held = Held {
        gateway: draft.gateways.iter().filter(|g| g.kind.is_some()).filter_map(|g| g.vnet).collect(),
        route_server: draft.route_servers.iter().filter_map(|r| r.vnet).collect(),
    };
    let reverse = draft.reverse();
    let mut first_use: BTreeMap<VnetId, Span> = BTreeMap::new();
    let mut order: Vec<usize> = (0..draft.peerings.len()).collect();
    order.sort_by_key(|&i| draft.peerings[i].peering.span.start);
    for i in order {
        let p = &draft.peerings[i].peering;
        if !p.use_remote_gateways {
            continue;
        }
        let local = &draft.vnets[p.from.idx()].name;
        let remote = &draft.vnets[p.to.idx()].name;
        let span = p.span.clone();
        let remote_allows = reverse[i].is_some_and(|r| draft.peerings[r].peering.allow_gateway_transit);
        if !held.gateway.contains(&p.to) && !held.route_server.contains(&p.to) {
            ctx.d.push(
                Diagnostic::error(
                    Code::NoRemoteGateway,
                    format!("`{local}` uses remote gateways over its peering with `{remote}`, which has no gateway or route server"),
                )
                .at(span.clone())
                .help(format!("add a gateway or route server to `{remote}`, or turn `use_remote_gateways` off"))
                .rule(Rule::R41),
            );
        } else if !remote_allows {
            ctx.d.push(
                Diagnostic::error(Code::NoGatewayTransit, format!("`{local}` uses remote gateways but `{remote}` does not allow gateway transit on its peering back"))
                    .at(span.clone())
                    .help(format!("set `allow_gateway_transit = true` on the `{remote}` → `{local}` peering (or write the pair with `vnets` and `transit_via = \"{remote}\"`)"))
                    .rule(Rule::R41),
            );
        }
        if held.gateway.contains(&p.from) {
            ctx.d.push(
                Diagnostic::error(
                    Code::OwnGateway,
                    format!("`{local}` has a gateway of its own and cannot use remote gateways"),
                )
                .at(span.clone())
                .help(format!("remove the gateway from `{local}` or turn `use_remote_gateways` off"))
                .rule(Rule::R41),
            );
        } else if held.route_server.contains(&p.from) {
            // A VNet's routes come from one domain (R38): its own route server, or its hub's.
            ctx.d.push(
                Diagnostic::error(
                    Code::OwnRouteServer,
                    format!(
                        "`{local}` has a route server of its own and cannot also use the remote gateways of `{remote}`"
                    ),
                )
                .at(span.clone())
                .help(format!("remove the route server from `{local}` or turn `use_remote_gateways` off"))
                .rule(Rule::R38),
            );
        }
        if let Some(first) = first_use.get(&p.from) {
            ctx.d.push(
                Diagnostic::error(
                    Code::SecondRemoteGateway,
                    format!("`{local}` uses remote gateways on more than one peering"),
                )
                .at(span.clone())
                .note(first.clone(), "first peering with use_remote_gateways")
                .help("a VNet can use the gateways of one peered VNet only: turn it off on all but one")
                .rule(Rule::R41),
            );
        } else {
            first_use.insert(p.from, span);
        }
    }
}
