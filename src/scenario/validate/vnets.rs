//! VNets and subnets: address spaces (not empty, no overlaps within a VNet, IPv6 only beside IPv4:
//! D21), subnet names (unique within their VNet, no `/`), subnet prefixes (inside the space, no
//! overlaps, IPv4: a subnet holds one prefix and Azure refuses IPv6-only subnets, D21), subnet ids
//! (by VNet, then name), special roles by name, route-table associations, and looking a subnet up.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::ctx::Ctx;
use super::names::no_slash;
use super::values::{overlapping, parse_prefix};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::*;
use crate::net::prefix_order;
use crate::scenario::raw::{RawSubnet, RawVnet, Sp};

/// A subnet that has a unique name and a prefix, before it gets its id.
struct Found<'r> {
    vnet: VnetId,
    name: String,
    raw: &'r RawSubnet,
    prefix: IpNet,
}

/// Every VNet in id order, then every subnet.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    let mut found = Vec::new();
    for (vid, v) in ctx.names.vnets.blocks(&raw.vnets) {
        let space = address_space(ctx, v);
        let vname = v.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
        subnets(ctx, vid, v, &vname, &space, &mut found);
        ctx.draft.vnets.push(Vnet {
            name: vname,
            region: v.region.as_ref().map(|x| x.v.clone()).unwrap_or_else(|| "default".to_string()),
            address_space: space.into_iter().map(|(n, _)| n).collect(),
            subnets: Vec::new(),
            span: v.span.clone(),
        });
    }
    assign_subnets(ctx, found);
}

/// The prefixes of a VNet's address space that parse, with their spans.
fn address_space(ctx: &mut Ctx, v: &RawVnet) -> Vec<(IpNet, Span)> {
    let mut space = Vec::new();
    if let Some(list) = &v.address_space {
        if list.v.is_empty() {
            ctx.d.push(
                Diagnostic::error(Code::EmptyAddressSpace, "`address_space` must hold at least one prefix")
                    .at(list.span.clone())
                    .help("write e.g. `address_space = [\"10.0.0.0/16\"]`"),
            );
        }
        for p in &list.v {
            if let Some(net) = parse_prefix(p, "address-space prefix", ctx.d) {
                space.push((net, p.span.clone()));
            }
        }
    }
    // D21: Azure requires dual stack; a VNet with IPv6 space must have IPv4 space too.
    if let Some((v6, sp)) = space.iter().find(|(n, _)| matches!(n, IpNet::V6(_)))
        && !space.iter().any(|(n, _)| matches!(n, IpNet::V4(_)))
    {
        ctx.d.push(
            Diagnostic::error(Code::Ipv6Only, format!("the address space of this VNet is IPv6 only ({v6})"))
                .at(sp.clone())
                .label("no IPv4 prefix beside it")
                .help("Azure requires dual stack: add an IPv4 prefix to `address_space`")
                .rule(crate::rules::Rule::D21),
        );
    }
    for ((a, sa), (b, sb)) in overlapping(space.iter().map(|(n, s)| (*n, s.start)).collect::<Vec<_>>()) {
        let (first, second) = if sa < sb { ((a, sa), (b, sb)) } else { ((b, sb), (a, sa)) };
        let sp2 = space.iter().find(|x| x.1.start == second.1).map(|x| x.1.clone()).unwrap_or(0..0);
        let sp1 = space.iter().find(|x| x.1.start == first.1).map(|x| x.1.clone()).unwrap_or(0..0);
        ctx.d.push(
            Diagnostic::error(
                Code::OverlappingAddressSpace,
                format!("address-space prefixes {} and {} of one VNet overlap", first.0, second.0),
            )
            .at(sp2)
            .note(sp1, "overlaps this one")
            .help("Azure refuses overlapping address-space prefixes in one VNet: remove or change one"),
        );
    }
    space
}

/// A VNet's subnets with a unique name and a prefix (added to `found`), and their overlaps.
fn subnets<'r>(
    ctx: &mut Ctx,
    vid: VnetId,
    v: &'r RawVnet,
    vname: &str,
    space: &[(IpNet, Span)],
    found: &mut Vec<Found<'r>>,
) {
    let mut seen: BTreeMap<&str, &Sp<String>> = BTreeMap::new();
    let mut subs: Vec<(IpNet, usize)> = Vec::new();
    for (si, s) in v.subnets.iter().enumerate() {
        let Some(sn) = &s.name else { continue };
        no_slash(sn, "subnet name", ctx.d);
        if let Some(first) = seen.get(sn.v.as_str()) {
            ctx.d.push(
                Diagnostic::error(Code::DuplicateName, format!("duplicate subnet name `{}` in VNet `{vname}`", sn.v))
                    .at(sn.span.clone())
                    .note(first.span.clone(), "first defined here")
                    .help("subnet names are unique within a VNet: rename one"),
            );
            continue;
        }
        seen.insert(&sn.v, sn);
        let Some(prefix) = s.prefix.as_ref().and_then(|p| parse_prefix(p, "subnet prefix", ctx.d)) else { continue };
        if let (IpNet::V6(_), Some(p)) = (prefix, &s.prefix) {
            ctx.d.push(
                Diagnostic::error(Code::Ipv6Only, format!("subnet `{}` has the IPv6 prefix {prefix} alone", sn.v))
                    .at(p.span.clone())
                    .label("an IPv6-only subnet")
                    .help("Azure refuses IPv6-only subnets and a subnet holds one prefix here: give it an IPv4 prefix; the VNet's IPv6 space still gives every subnet its IPv6 rows")
                    .rule(crate::rules::Rule::D21),
            );
        }
        if !space.is_empty() && !space.iter().any(|(a, _)| a.contains(&prefix)) {
            let list: Vec<String> = space.iter().map(|(a, _)| a.to_string()).collect();
            ctx.d.push(
                Diagnostic::error(
                    Code::SubnetOutsideSpace,
                    format!(
                        "subnet `{}` ({prefix}) lies outside the address space of VNet `{vname}` ({})",
                        sn.v,
                        list.join(", ")
                    ),
                )
                .at(s.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(s.span.clone()))
                .label("not inside the VNet's address space")
                .help("change the subnet prefix, or add a covering prefix to the VNet's `address_space`"),
            );
        }
        subs.push((prefix, si));
        found.push(Found { vnet: vid, name: sn.v.clone(), raw: s, prefix });
    }
    for ((a, ia), (b, ib)) in overlapping(subs) {
        let (first, second) = if ia < ib { ((a, ia), (b, ib)) } else { ((b, ib), (a, ia)) };
        let s2 = &v.subnets[second.1];
        let s1 = &v.subnets[first.1];
        ctx.d.push(
            Diagnostic::error(
                Code::OverlappingSubnets,
                format!("subnets {} and {} of VNet `{vname}` overlap", first.0, second.0),
            )
            .at(s2.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(s2.span.clone()))
            .note(s1.prefix.as_ref().map(|x| x.span.clone()).unwrap_or(s1.span.clone()), "overlaps this subnet")
            .help("Azure refuses overlapping subnets: change one prefix"),
        );
    }
}

/// Subnet ids by VNet then name, roles, route tables, and each VNet's subnets by prefix.
fn assign_subnets(ctx: &mut Ctx, mut found: Vec<Found>) {
    found.sort_by(|a, b| (a.vnet, &a.name).cmp(&(b.vnet, &b.name)));
    for f in found {
        let id = SubnetId(ctx.draft.subnets.len() as u32);
        let role = match f.name.as_str() {
            "GatewaySubnet" => SubnetRole::Gateway,
            "RouteServerSubnet" => SubnetRole::RouteServer,
            "AzureFirewallSubnet" => SubnetRole::Firewall,
            _ => SubnetRole::Plain,
        };
        let route_table = f.raw.route_table.as_ref().and_then(|r| ctx.names.route_tables.find(r, ctx.d));
        ctx.draft.subnets.push(Subnet {
            name: f.name.clone(),
            vnet: f.vnet,
            prefix: f.prefix,
            route_table,
            role,
            span: f.raw.span.clone(),
        });
        ctx.subnet_ids.insert((f.vnet, f.name), id);
    }
    let draft = &mut ctx.draft;
    for (i, s) in draft.subnets.iter().enumerate() {
        draft.vnets[s.vnet.idx()].subnets.push(SubnetId(i as u32));
    }
    for v in &mut draft.vnets {
        v.subnets.sort_by(|a, b| prefix_order(&draft.subnets[a.idx()].prefix, &draft.subnets[b.idx()].prefix));
    }
}

/// The subnet of VNet `v` that a reference names; a name the VNet lacks is an error.
pub(super) fn find_subnet(ctx: &mut Ctx, v: VnetId, sp: &Sp<String>) -> Option<SubnetId> {
    if let Some(id) = ctx.subnet_ids.get(&(v, sp.v.clone())) {
        return Some(*id);
    }
    let draft = &ctx.draft;
    let names: Vec<&str> = draft.vnets[v.idx()].subnets.iter().map(|s| draft.subnets[s.idx()].name.as_str()).collect();
    ctx.d.push(
        Diagnostic::error(Code::UnknownName, format!("VNet `{}` has no subnet `{}`", draft.vnets[v.idx()].name, sp.v))
            .at(sp.span.clone())
            .label("no such subnet in this VNet")
            .help_opt(did_you_mean(&sp.v, names.iter().copied()))
            .help(if names.is_empty() {
                "this VNet has no subnets: add a [[vnet.subnet]]".to_string()
            } else {
                format!("its subnets are: {}", names.join(", "))
            }),
    );
    None
}
