//! Gateways: a GatewaySubnet in their VNet, a SKU of their type, the keys of the other type refused
//! (R51: an ExpressRoute gateway's ASN is 65515), a VPN gateway's ASN (R64), public address and
//! instance addresses (D14; taken in the VNet), and at most one gateway of each type per VNet.

use std::collections::BTreeMap;

use super::addresses::in_subnet;
use super::ctx::Ctx;
use super::draft::GatewayDraft;
use super::values::{a_kind, check_reserved_asn, not_applicable, parse_asn, parse_enum, parse_ip, vpn_placeholder};
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::*;
use crate::net::{AZURE_ASN, nth_host};
use crate::rules::Rule;
use crate::scenario::raw::{Int, RawGateway};

/// Every gateway in id order, then one gateway of each type per VNet.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    let blocks = ctx.names.gateways.blocks(&raw.gateways);
    // VPN gateways number their placeholder public addresses in id order.
    let mut vpn_index = 0usize;
    for (_, g) in &blocks {
        let draft = gateway(ctx, g, &mut vpn_index);
        ctx.draft.gateways.push(draft);
    }
    // at most one gateway of each type per VNet: the later one in the file is reported
    let mut placed: Vec<(&RawGateway, VnetId, GatewayKind)> =
        blocks.iter().zip(&ctx.draft.gateways).filter_map(|((_, g), dg)| Some((*g, dg.vnet?, dg.kind?))).collect();
    placed.sort_by_key(|(g, _, _)| g.span.start);
    let mut per_vnet_kind: BTreeMap<(VnetId, GatewayKind), Span> = BTreeMap::new();
    for (g, v, kind) in placed {
        if let Some(first) = per_vnet_kind.get(&(v, kind)) {
            ctx.d.push(
                Diagnostic::error(
                    Code::SecondGateway,
                    format!("VNet `{}` already has {} gateway", ctx.draft.vnets[v.idx()].name, a_kind(kind)),
                )
                .at(g.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(g.span.clone()))
                .note(first.clone(), "the first one")
                .help("a VNet holds at most one ExpressRoute and one VPN gateway: remove one"),
            );
        } else {
            per_vnet_kind.insert((v, kind), g.span.clone());
        }
    }
}

fn gateway(ctx: &mut Ctx, g: &RawGateway, vpn_index: &mut usize) -> GatewayDraft {
    let vnet = g.vnet.as_ref().and_then(|v| ctx.names.vnets.find(v, ctx.d));
    let kind = g
        .kind
        .as_ref()
        .and_then(|k| parse_enum(k, "gateway `type`", &["ExpressRoute", "Vpn"], ctx.d))
        .map(|k| if k == "Vpn" { GatewayKind::Vpn } else { GatewayKind::ExpressRoute });
    let name = g.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
    let gsub = vnet.and_then(|v| ctx.draft.special_subnet(v, SubnetRole::Gateway));
    if let (Some(v), None) = (vnet, gsub) {
        ctx.d.push(
            Diagnostic::error(
                Code::MissingGatewaySubnet,
                format!(
                    "gateway `{name}` needs a subnet named GatewaySubnet in VNet `{}`",
                    ctx.draft.vnets[v.idx()].name
                ),
            )
            .at(g.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(g.span.clone()))
            .label("this VNet has no GatewaySubnet")
            .help("add `[[vnet.subnet]] name = \"GatewaySubnet\"` (a /27 or larger) to the VNet"),
        );
    }
    let mut draft = GatewayDraft {
        name,
        vnet,
        kind,
        sku: GatewaySku::default_for(kind.unwrap_or(GatewayKind::ExpressRoute)),
        asn: AZURE_ASN,
        bgp: g.bgp.as_ref().map(|x| x.v).unwrap_or(false),
        active_active: g.active_active.as_ref().map(|x| x.v).unwrap_or(false),
        allow_remote_vnet_traffic: g.allow_remote_vnet_traffic.as_ref().map(|x| x.v).unwrap_or(false),
        ips: Vec::new(),
        public_ip: vpn_placeholder(0),
        span: g.span.clone(),
    };
    let Some(kind) = kind else { return draft };
    draft.sku = sku(g, kind, ctx.d);
    match kind {
        GatewayKind::ExpressRoute => expressroute_keys(g, ctx.d),
        GatewayKind::Vpn => vpn(ctx, g, &mut draft, gsub, vpn_index),
    }
    draft
}

/// A VPN gateway's keys: ASN (R64), public address and instance addresses (D14).
fn vpn(ctx: &mut Ctx, g: &RawGateway, draft: &mut GatewayDraft, gsub: Option<SubnetId>, vpn_index: &mut usize) {
    not_applicable(
        &g.allow_remote_vnet_traffic,
        "allow_remote_vnet_traffic",
        "does not apply to a VPN gateway",
        "remove it: it is an ExpressRoute gateway setting (D4)",
        ctx.d,
    );
    if let Some(a) = &g.asn
        && let Some(n) = parse_asn(a, "gateway ASN", false, ctx.d)
        && (n == AZURE_ASN || check_reserved_asn(n, a, "VPN gateway ASN", ctx.d))
    {
        draft.asn = n;
    }
    draft.public_ip = vpn_placeholder(*vpn_index);
    *vpn_index += 1;
    if let Some(p) = &g.public_ip
        && let Some(ip) = parse_ip(p, "public_ip", ctx.d)
    {
        draft.public_ip = ip;
    }
    draft.ips = vpn_instances(ctx, g, &draft.name, draft.vnet, gsub);
}

/// The SKU: the one written when it is of this type (an error otherwise), else the type's default.
fn sku(g: &RawGateway, kind: GatewayKind, d: &mut Diagnostics) -> GatewaySku {
    let Some(s) = &g.sku else { return GatewaySku::default_for(kind) };
    let found = GatewaySku::parse(&s.v);
    if let Some(found) = found
        && found.kind() == kind
    {
        return found;
    }
    let skus: Vec<&str> = GatewaySku::of(kind).map(GatewaySku::name).collect();
    let hint = if found.is_some() {
        format!(
            "`{}` is a SKU of the other gateway type; {} gateway takes one of: {}",
            s.v,
            a_kind(kind),
            skus.join(", ")
        )
    } else {
        format!("{} gateway takes one of: {}", a_kind(kind), skus.join(", "))
    };
    d.push(
        Diagnostic::error(Code::BadSku, format!("`{}` is not {} gateway SKU", s.v, a_kind(kind)))
            .at(s.span.clone())
            .label("unknown SKU for this type")
            .help_opt(did_you_mean(&s.v, skus.iter().copied()))
            .help(hint),
    );
    GatewaySku::default_for(kind)
}

/// Keys an ExpressRoute gateway does not take; its ASN is always 65515 (R51).
fn expressroute_keys(g: &RawGateway, d: &mut Diagnostics) {
    let why = "does not apply to an ExpressRoute gateway";
    not_applicable(&g.bgp, "bgp", why, "remove it: ExpressRoute always speaks BGP", d);
    not_applicable(&g.active_active, "active_active", why, "remove it: it is a VPN gateway setting", d);
    not_applicable(&g.ips, "ips", why, "remove it: only VPN gateways show their instance addresses as next hops", d);
    not_applicable(&g.public_ip, "public_ip", why, "remove it: only VPN gateways show a public address as next hop", d);
    if let Some(a) = &g.asn
        && a.v != Int::from(AZURE_ASN)
    {
        d.push(
            Diagnostic::error(
                Code::KeyNotApplicable,
                format!("an ExpressRoute gateway's ASN is always 65515, not {}", a.v),
            )
            .at(a.span.clone())
            .label("only VPN gateways may change their ASN")
            .help("remove `asn` (or write 65515)")
            .rule(Rule::R51),
        );
    }
}

/// A VPN gateway's instance addresses (written, or `.4` and `.5` of GatewaySubnet), taken in its
/// VNet unless the VNet already has a VPN gateway (that is an error of its own).
fn vpn_instances(
    ctx: &mut Ctx,
    g: &RawGateway,
    name: &str,
    vnet: Option<VnetId>,
    gsub: Option<SubnetId>,
) -> Vec<std::net::IpAddr> {
    let mut ips = Vec::new();
    if let Some(list) = &g.ips {
        for ip in &list.v {
            if let Some(a) = parse_ip(ip, "gateway instance address", ctx.d)
                && let Some(gs) = gsub
                && in_subnet(a, gs, &ctx.draft, &ip.span, &format!("gateway `{name}` instance"), ctx.d)
            {
                ips.push(a);
            }
        }
        if list.v.len() != 2 {
            ctx.d.push(
                Diagnostic::error(
                    Code::BadValue,
                    format!("`ips` lists the gateway's two instance addresses, not {}", list.v.len()),
                )
                .at(list.span.clone())
                .help("write two addresses in GatewaySubnet, e.g. `ips = [\"10.0.200.4\", \"10.0.200.5\"]`"),
            );
        }
    } else if let Some(gs) = gsub {
        let net = ctx.draft.subnets[gs.idx()].prefix;
        ips = [4, 5].iter().filter_map(|k| nth_host(&net, *k)).collect();
    }
    let second = |v: VnetId| ctx.draft.gateways.iter().any(|x| x.vnet == Some(v) && x.kind == Some(GatewayKind::Vpn));
    if let Some(v) = vnet.filter(|v| !second(*v)) {
        let span = g.ips.as_ref().map(|x| x.span.clone()).unwrap_or(g.span.clone());
        for ip in &ips {
            ctx.taken.take(v, *ip, format!("gateway `{name}`"), span.clone(), ctx.d);
        }
    }
    ips
}
