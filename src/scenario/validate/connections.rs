//! Gateway connections: exactly one target (a circuit, a local gateway or a remote gateway) of the
//! gateway's type, the keys of the other kinds refused, BGP on at both ends of a BGP connection,
//! a VNet-to-VNet connection between two different VPN gateways, no two connections between the
//! same two ends, and a VPN gateway's default site (D20) among its site-to-site connections.

use std::collections::BTreeMap;

use super::ctx::Ctx;
use super::draft::ConnectionDraft;
use super::values::{int_in, not_applicable};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::rules::Rule;
use crate::scenario::raw::{RawConnection, Sp};

/// Every connection in id order; a repeat of the same two ends is reported where it comes; then
/// each default site is checked against the connections.
pub(super) fn pass(ctx: &mut Ctx) {
    each_connection(ctx);
    default_sites(ctx);
}

/// D20: a default site is a local gateway the VPN gateway has a site-to-site connection to.
fn default_sites(ctx: &mut Ctx) {
    for (gi, g) in ctx.draft.gateways.iter().enumerate() {
        let (Some(site), Some(span)) = (g.default_site, &g.default_site_span) else { continue };
        let connected = ctx.draft.connections.iter().any(|c| {
            c.gateway == Some(GatewayId(gi as u32))
                && matches!(c.kind, Some(ConnectionKind::SiteToSite { local_gateway, .. }) if local_gateway == site)
        });
        if !connected {
            let lg = &ctx.draft.local_gateways[site.idx()].name;
            ctx.d.push(
                Diagnostic::error(
                    Code::DefaultSite,
                    format!("default site `{lg}` of gateway `{}` has no connection from it", g.name),
                )
                .at(span.clone())
                .label("not connected to this gateway")
                .help(format!(
                    "add a [[connection]] with `gateway = \"{}\"` and `local_gateway = \"{lg}\"`, or name a connected site",
                    g.name
                ))
                .rule(Rule::D20),
            );
        }
    }
}

fn each_connection(ctx: &mut Ctx) {
    let raw = ctx.raw;
    // (gateway, target kind, target id) of each connection so far
    let mut ends: BTreeMap<(GatewayId, u8, u32), Span> = BTreeMap::new();
    for (_, c) in ctx.names.connections.blocks(&raw.connections) {
        let draft = connection(ctx, c);
        if let (Some(g), Some(k)) = (draft.gateway, &draft.kind) {
            let key = match k {
                ConnectionKind::ExpressRoute { circuit, .. } => (g, 0u8, circuit.0),
                ConnectionKind::SiteToSite { local_gateway, .. } => (g, 1, local_gateway.0),
                ConnectionKind::VnetToVnet { remote_gateway, .. } => (g, 2, remote_gateway.0),
            };
            if let Some(first) = ends.get(&key) {
                ctx.d.push(
                    Diagnostic::error(
                        Code::DuplicateConnection,
                        format!("connection `{}` repeats a connection between the same two ends", draft.name),
                    )
                    .at(c.span.clone())
                    .note(first.clone(), "the first connection")
                    .help("remove one: Azure refuses a second connection between the same gateway and peer"),
                );
            } else {
                ends.insert(key, c.span.clone());
            }
        }
        ctx.draft.connections.push(draft);
    }
}

/// What one connection's rules look at: its block, name and gateway.
struct Conn<'r> {
    raw: &'r RawConnection,
    name: String,
    gateway: Option<GatewayId>,
    /// The gateway's type as the rules see it.
    gkind: Option<GatewayKind>,
    /// Where to point an error about the gateway.
    gspan: Span,
}

fn connection(ctx: &mut Ctx, c: &RawConnection) -> ConnectionDraft {
    let name = c.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
    let gateway = c.gateway.as_ref().and_then(|g| ctx.names.gateways.find(g, ctx.d));
    let targets =
        [c.circuit.is_some(), c.local_gateway.is_some(), c.remote_gateway.is_some()].iter().filter(|x| **x).count();
    if targets != 1 {
        ctx.d.push(
            Diagnostic::error(Code::ConnectionTarget, format!("connection `{name}` must have exactly one of `circuit`, `local_gateway`, `remote_gateway` (it has {targets})"))
                .at(c.name.as_ref().map(|x| x.span.clone()).unwrap_or(c.span.clone()))
                .help("`circuit` for ExpressRoute, `local_gateway` for site-to-site VPN, `remote_gateway` for VNet-to-VNet VPN"),
        );
    }
    let conn = Conn {
        raw: c,
        gkind: gateway.map(|g| ctx.draft.gateways[g.idx()].kind_or_er()),
        gspan: c.gateway.as_ref().map(|x| x.span.clone()).unwrap_or(c.span.clone()),
        name,
        gateway,
    };
    let kind = if targets != 1 {
        None
    } else if let Some(cs) = &c.circuit {
        expressroute(ctx, &conn, cs)
    } else {
        vpn(ctx, &conn)
    };
    ConnectionDraft { name: conn.name, gateway, kind, span: c.span.clone() }
}

/// The gateway's name, for messages.
fn gateway_name<'a>(ctx: &'a Ctx, conn: &Conn) -> &'a str {
    conn.gateway.map(|g| ctx.draft.gateways[g.idx()].name.as_str()).unwrap_or("")
}

/// An ExpressRoute connection: to a circuit, from an ExpressRoute gateway.
fn expressroute(ctx: &mut Ctx, conn: &Conn, cs: &Sp<String>) -> Option<ConnectionKind> {
    let c = conn.raw;
    not_applicable(
        &c.bgp,
        "bgp",
        "does not apply to an ExpressRoute connection",
        "remove it: ExpressRoute always speaks BGP",
        ctx.d,
    );
    let weight = c.routing_weight.as_ref().and_then(|w| int_in(w, "routing_weight", 0, 32000, ctx.d)).unwrap_or(0);
    if conn.gkind == Some(GatewayKind::Vpn) {
        let msg = format!("connection `{}` joins a circuit to VPN gateway `{}`", conn.name, gateway_name(ctx, conn));
        ctx.d.push(
            Diagnostic::error(Code::ConnectionType, msg)
                .at(conn.gspan.clone())
                .help("a circuit connects to an ExpressRoute gateway: name one in `gateway`"),
        );
    }
    let circuit = ctx.names.circuits.find(cs, ctx.d)?;
    Some(ConnectionKind::ExpressRoute { circuit, routing_weight: weight })
}

/// A VPN connection: site-to-site to a local gateway, or VNet-to-VNet to another VPN gateway.
fn vpn(ctx: &mut Ctx, conn: &Conn) -> Option<ConnectionKind> {
    let c = conn.raw;
    not_applicable(
        &c.routing_weight,
        "routing_weight",
        "applies only to ExpressRoute connections",
        "remove it: VPN connections have no routing weight",
        ctx.d,
    );
    if conn.gkind == Some(GatewayKind::ExpressRoute) {
        let msg = format!(
            "connection `{}` is a VPN connection on ExpressRoute gateway `{}`",
            conn.name,
            gateway_name(ctx, conn)
        );
        ctx.d.push(
            Diagnostic::error(Code::ConnectionType, msg)
                .at(conn.gspan.clone())
                .help("VPN connections belong to a VPN gateway (`type = \"Vpn\"`)"),
        );
    }
    let bgp = c.bgp.as_ref().map(|x| x.v).unwrap_or(false);
    if let Some(g) = conn.gateway
        && bgp
        && conn.gkind == Some(GatewayKind::Vpn)
        && !ctx.draft.gateways[g.idx()].bgp_on()
    {
        let gname = &ctx.draft.gateways[g.idx()].name;
        ctx.d.push(
            Diagnostic::error(
                Code::BgpOff,
                format!("connection `{}` uses BGP but gateway `{gname}` has BGP off", conn.name),
            )
            .at(c.bgp.as_ref().map(|x| x.span.clone()).unwrap_or(c.span.clone()))
            .help(format!("set `bgp = true` on gateway `{gname}`, or `bgp = false` here")),
        );
    }
    if let Some(ls) = &c.local_gateway {
        site_to_site(ctx, conn, ls, bgp)
    } else {
        vnet_to_vnet(ctx, conn, c.remote_gateway.as_ref()?, bgp)
    }
}

/// Site-to-site: a BGP connection needs the local gateway's BGP settings.
fn site_to_site(ctx: &mut Ctx, conn: &Conn, ls: &Sp<String>, bgp: bool) -> Option<ConnectionKind> {
    let local_gateway = ctx.names.local_gateways.find(ls, ctx.d)?;
    let lg = &ctx.draft.local_gateways[local_gateway.idx()];
    if bgp && (lg.bgp_asn.is_none() || lg.bgp_peer_ip.is_none()) {
        ctx.d.push(
            Diagnostic::error(
                Code::BgpSettings,
                format!(
                    "connection `{}` uses BGP but local gateway `{}` lacks `bgp_asn` or `bgp_peer_ip`",
                    conn.name, lg.name
                ),
            )
            .at(ls.span.clone())
            .help("set `bgp_asn` and `bgp_peer_ip` on the local gateway (Azure needs both for a BGP connection)"),
        );
    }
    Some(ConnectionKind::SiteToSite { local_gateway, bgp })
}

/// VNet-to-VNet: the remote end is another VPN gateway, with BGP on for a BGP connection.
fn vnet_to_vnet(ctx: &mut Ctx, conn: &Conn, rs: &Sp<String>, bgp: bool) -> Option<ConnectionKind> {
    let remote_gateway = ctx.names.gateways.find(rs, ctx.d)?;
    let rg = &ctx.draft.gateways[remote_gateway.idx()];
    if rg.kind_or_er() != GatewayKind::Vpn {
        ctx.d.push(
            Diagnostic::error(Code::ConnectionType, format!("remote gateway `{}` is not a VPN gateway", rg.name))
                .at(rs.span.clone())
                .help("VNet-to-VNet connections join two VPN gateways"),
        );
    } else if Some(remote_gateway) == conn.gateway {
        ctx.d.push(
            Diagnostic::error(Code::ConnectionTarget, "a VNet-to-VNet connection cannot join a gateway to itself")
                .at(rs.span.clone())
                .help("name the other VNet's VPN gateway"),
        );
    } else if bgp && !rg.bgp_on() {
        ctx.d.push(
            Diagnostic::error(
                Code::BgpOff,
                format!("connection `{}` uses BGP but remote gateway `{}` has BGP off", conn.name, rg.name),
            )
            .at(rs.span.clone())
            .help(format!("set `bgp = true` on gateway `{}`", rg.name)),
        );
    }
    Some(ConnectionKind::VnetToVnet { remote_gateway, bgp })
}
