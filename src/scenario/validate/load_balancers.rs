//! Load balancers' backends: the NICs they name (their frontends are placed with the NICs, whose
//! addresses they share).

use super::ctx::Ctx;

/// Every load balancer's backends, in id order.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    for (id, l) in ctx.names.load_balancers.blocks(&raw.load_balancers) {
        let names = l.backends.iter().flat_map(|list| &list.v);
        let backends = names.filter_map(|b| ctx.names.nics.find(b, ctx.d)).collect();
        ctx.draft.load_balancers[id.idx()].backends = backends;
    }
}
