//! Firewalls: an AzureFirewallSubnet in their VNet, and their address (written, inside that subnet,
//! or its `.4`), taken in the VNet.

use super::addresses::in_subnet;
use super::ctx::Ctx;
use super::draft::FirewallDraft;
use super::values::parse_ip;
use crate::diag::{Code, Diagnostic};
use crate::model::SubnetRole;
use crate::net::nth_host;
use crate::scenario::raw::RawFirewall;

/// Every firewall, in id order.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    for (_, f) in ctx.names.firewalls.blocks(&raw.firewalls) {
        let draft = firewall(ctx, f);
        ctx.draft.firewalls.push(draft);
    }
}

fn firewall(ctx: &mut Ctx, f: &RawFirewall) -> FirewallDraft {
    let name = f.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
    let vnet = f.vnet.as_ref().and_then(|v| ctx.names.vnets.find(v, ctx.d));
    let mut draft = FirewallDraft { name, vnet, subnet: None, ip: None, span: f.span.clone() };
    let Some(v) = vnet else { return draft };
    let Some(s) = ctx.draft.special_subnet(v, SubnetRole::Firewall) else {
        ctx.d.push(
            Diagnostic::error(
                Code::MissingFirewallSubnet,
                format!(
                    "firewall `{}` needs a subnet named AzureFirewallSubnet in VNet `{}`",
                    draft.name,
                    ctx.draft.vnets[v.idx()].name
                ),
            )
            .at(f.vnet.as_ref().map(|x| x.span.clone()).unwrap_or(f.span.clone()))
            .label("this VNet has no AzureFirewallSubnet")
            .help("add `[[vnet.subnet]] name = \"AzureFirewallSubnet\"` (a /26 or larger) to the VNet"),
        );
        return draft;
    };
    draft.subnet = Some(s);
    draft.ip = match &f.ip {
        Some(sp) => parse_ip(sp, "firewall address", ctx.d)
            .filter(|a| in_subnet(*a, s, &ctx.draft, &sp.span, &format!("firewall `{}`", draft.name), ctx.d)),
        None => nth_host(&ctx.draft.subnets[s.idx()].prefix, 4),
    };
    if let Some(a) = draft.ip {
        let span = f.ip.as_ref().map(|x| x.span.clone()).unwrap_or(f.span.clone());
        ctx.taken.take(v, a, format!("firewall `{}`", draft.name), span, ctx.d);
    }
    draft
}
