//! Gateways: a GatewaySubnet in their VNet, a SKU of their type, the keys of the other type refused
//! (R51: an ExpressRoute gateway's ASN is 65515), a VPN gateway's ASN (R64), public address, default
//! site (D20) and instance addresses (D14, M1; taken in the VNet), and at most one gateway of each
//! type per VNet.
//!
//! Instance addresses: a VPN gateway has one BGP address when active-standby (default `.4`; a
//! second written address is accepted and unused) and two when active-active (default `.4`, `.5`);
//! an ExpressRoute gateway has two (default: the first two free addresses of GatewaySubnet from
//! `.4` up after the VPN gateway's, a decision: Azure does not publish them).

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::addresses::in_subnet;
use super::ctx::Ctx;
use super::draft::GatewayDraft;
use super::values::{a_kind, check_reserved_asn, not_applicable, parse_asn, parse_enum, parse_ip, vpn_placeholder};
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::*;
use crate::net::{AZURE_ASN, azure_reserved, nth_host};
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
    // ExpressRoute defaults come after every VPN gateway's addresses are known.
    for (i, (_, g)) in blocks.iter().enumerate() {
        if ctx.draft.gateways[i].kind == Some(GatewayKind::ExpressRoute) && g.ips.is_none() {
            let ips = er_default_instances(ctx, i);
            ctx.draft.gateways[i].ips = ips;
        }
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
        default_site: None,
        default_site_span: None,
        public_ip: vpn_placeholder(0),
        public_ip_placeholder: false,
        span: g.span.clone(),
    };
    let Some(kind) = kind else { return draft };
    draft.sku = sku(g, kind, ctx.d);
    match kind {
        GatewayKind::ExpressRoute => {
            expressroute_keys(g, ctx.d);
            if g.ips.is_some() {
                draft.ips = instances(ctx, g, &draft, gsub, 2);
            }
        }
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
    draft.public_ip_placeholder = g.public_ip.is_none();
    *vpn_index += 1;
    if let Some(p) = &g.public_ip
        && let Some(ip) = parse_ip(p, "public_ip", ctx.d)
    {
        draft.public_ip = ip;
    }
    if let Some(site) = &g.default_site {
        draft.default_site = ctx.names.local_gateways.find(site, ctx.d);
        draft.default_site_span = Some(site.span.clone());
    }
    draft.ips = instances(ctx, g, draft, gsub, if draft.active_active { 2 } else { 1 });
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
    not_applicable(&g.public_ip, "public_ip", why, "remove it: only VPN gateways show a public address as next hop", d);
    not_applicable(
        &g.default_site,
        "default_site",
        why,
        "remove it: a default site is a VPN gateway's forced-tunnelling setting (D20)",
        d,
    );
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

/// A gateway's instance addresses as written: `used` of them count (one for an active-standby VPN
/// gateway, which accepts and ignores a second; two otherwise), each in GatewaySubnet; without
/// `ips`, a VPN gateway gets `.4` (and `.5` when active-active). Taken in its VNet unless the VNet
/// already has a gateway of this type (that is an error of its own).
fn instances(ctx: &mut Ctx, g: &RawGateway, draft: &GatewayDraft, gsub: Option<SubnetId>, used: usize) -> Vec<IpAddr> {
    let name = &draft.name;
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
        let accepted = if used == 1 { 1..=2 } else { used..=used };
        if !accepted.contains(&list.v.len()) {
            let (what, example) = match (draft.kind, used) {
                (Some(GatewayKind::Vpn), 1) => (
                    "an active-standby VPN gateway's BGP address (one; a second is accepted and unused)",
                    "ips = [\"10.0.200.4\"]",
                ),
                (Some(GatewayKind::Vpn), _) => {
                    ("an active-active VPN gateway's two instance addresses", "ips = [\"10.0.200.4\", \"10.0.200.5\"]")
                }
                _ => ("an ExpressRoute gateway's two instance addresses", "ips = [\"10.0.200.6\", \"10.0.200.7\"]"),
            };
            ctx.d.push(
                Diagnostic::error(Code::BadValue, format!("`ips` lists {what}, not {}", list.v.len()))
                    .at(list.span.clone())
                    .help(format!("write the addresses in GatewaySubnet, e.g. `{example}`")),
            );
        }
        ips.truncate(used);
    } else if let Some(gs) = gsub {
        let net = ctx.draft.subnets[gs.idx()].prefix;
        ips = (4..4 + used as u128).filter_map(|k| nth_host(&net, k)).collect();
    }
    take_instances(ctx, g, draft, &ips);
    ips
}

/// Hold a gateway's instance addresses in its VNet, unless the VNet already has a gateway of its
/// type (an error of its own, not also a duplicate address).
fn take_instances(ctx: &mut Ctx, g: &RawGateway, draft: &GatewayDraft, ips: &[IpAddr]) {
    let second = |v: VnetId| {
        ctx.draft.gateways.iter().any(|x| x.vnet == Some(v) && x.kind == draft.kind && x.span != draft.span)
    };
    if let Some(v) = draft.vnet.filter(|v| !second(*v)) {
        let span = g.ips.as_ref().map(|x| x.span.clone()).unwrap_or(g.span.clone());
        for ip in ips {
            ctx.taken.take(v, *ip, format!("gateway `{}`", draft.name), span.clone(), ctx.d);
        }
    }
}

/// An ExpressRoute gateway's default instance addresses: the first two free addresses of its
/// GatewaySubnet from `.4` up, after every address already held there (the VPN gateway's).
fn er_default_instances(ctx: &mut Ctx, i: usize) -> Vec<IpAddr> {
    let (Some(v), Some(_)) = (ctx.draft.gateways[i].vnet, ctx.draft.gateways[i].kind) else { return Vec::new() };
    let Some(gs) = ctx.draft.special_subnet(v, SubnetRole::Gateway) else { return Vec::new() };
    let net = ctx.draft.subnets[gs.idx()].prefix;
    let ips: Vec<IpAddr> = (4u128..4 + 4096)
        .filter_map(|k| nth_host(&net, k))
        .filter(|ip| !azure_reserved(&net, *ip) && !ctx.taken.holds(v, *ip))
        .take(2)
        .collect();
    let d = &ctx.draft.gateways[i];
    let second = ctx.draft.gateways.iter().any(|x| x.vnet == Some(v) && x.kind == d.kind && x.span != d.span);
    if !second {
        let (name, span) = (d.name.clone(), d.span.clone());
        for ip in &ips {
            ctx.taken.take(v, *ip, format!("gateway `{name}`"), span.clone(), ctx.d);
        }
    }
    ips
}
