//! Local network gateways: their static prefixes (R49), BGP ASN (R64) and peer address, and the
//! on-premises router behind them (whose ASN they must share, and lend when they have none).

use super::ctx::Ctx;
use super::values::{check_reserved_asn, parse_asn, parse_ip, parse_prefix};
use crate::diag::{Code, Diagnostic};
use crate::model::LocalGateway;
use crate::scenario::raw::RawLocalGateway;

/// Every local gateway, in id order.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    for (_, l) in ctx.names.local_gateways.blocks(&raw.local_gateways) {
        let lg = local_gateway(ctx, l);
        ctx.draft.local_gateways.push(lg);
    }
}

fn local_gateway(ctx: &mut Ctx, l: &RawLocalGateway) -> LocalGateway {
    let d = &mut *ctx.d;
    let prefixes = l.address_prefixes.iter().flat_map(|list| &list.v);
    let address_prefixes = prefixes.filter_map(|p| parse_prefix(p, "local gateway prefix", d)).collect();
    let bgp_asn = l.bgp_asn.as_ref().and_then(|a| {
        parse_asn(a, "local gateway bgp_asn", false, d)
            .filter(|n| check_reserved_asn(*n, a, "local gateway bgp_asn", d))
    });
    let bgp_peer_ip = l.bgp_peer_ip.as_ref().and_then(|a| parse_ip(a, "bgp_peer_ip", d));
    let onprem = l.onprem.as_ref().and_then(|o| ctx.names.onprems.find(o, d));
    let router = onprem.map(|o| &ctx.draft.onprems[o.idx()]);
    if let (Some(o), Some(a), Some(asp)) = (router, bgp_asn, &l.bgp_asn)
        && let Some(oasn) = o.asn
        && oasn != a
    {
        d.push(
            Diagnostic::error(
                Code::AsnMismatch,
                format!(
                    "bgp_asn {a} differs from the ASN {oasn} of on-premises router `{}` behind this local gateway",
                    o.name
                ),
            )
            .at(asp.span.clone())
            .help("the local gateway describes that router's BGP session: use the same ASN"),
        );
    }
    LocalGateway {
        name: l.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
        address_prefixes,
        bgp_asn: bgp_asn.or_else(|| router.and_then(|o| o.asn)),
        bgp_peer_ip,
        onprem,
        span: l.span.clone(),
    }
}
