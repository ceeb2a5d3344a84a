//! ExpressRoute circuits: SKU, bandwidth, and the next hops Azure shows for routes learned over
//! them (written, or placeholders by id, D14).

use super::ctx::Ctx;
use super::values::{circuit_placeholder, int_in, parse_enum, parse_ip};
use crate::diag::{Code, Diagnostic};
use crate::model::{Circuit, CircuitId, CircuitSku};
use crate::scenario::raw::RawCircuit;

/// Every circuit, in id order.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    for (id, c) in ctx.names.circuits.blocks(&raw.circuits) {
        let circuit = circuit(ctx, id, c);
        ctx.draft.circuits.push(circuit);
    }
}

fn circuit(ctx: &mut Ctx, id: CircuitId, c: &RawCircuit) -> Circuit {
    let sku = match &c.sku {
        Some(s) => match parse_enum(s, "circuit `sku`", &["Local", "Standard", "Premium"], ctx.d) {
            Some("Local") => CircuitSku::Local,
            Some("Premium") => CircuitSku::Premium,
            _ => CircuitSku::Standard,
        },
        None => CircuitSku::Standard,
    };
    let bw =
        c.bandwidth_mbps.as_ref().and_then(|b| int_in(b, "bandwidth_mbps", 1, 100_000_000, ctx.d)).map(|b| b as u64);
    let mut next_hops = Vec::new();
    if let Some(list) = &c.next_hops {
        for ip in &list.v {
            if let Some(a) = parse_ip(ip, "circuit next hop", ctx.d) {
                next_hops.push(a);
            }
        }
        if list.v.is_empty() {
            ctx.d.push(
                Diagnostic::error(Code::BadValue, "`next_hops` must list at least one address")
                    .at(list.span.clone())
                    .help("list the primary and secondary MSEE addresses Azure shows, or leave `next_hops` out for placeholders"),
            );
        }
    } else {
        next_hops = circuit_placeholder(id.idx());
    }
    Circuit {
        name: c.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
        location: c.location.as_ref().map(|x| x.v.clone()),
        sku,
        bandwidth_mbps: bw,
        next_hops,
        next_hops_placeholder: c.next_hops.is_none(),
        span: c.span.clone(),
    }
}
