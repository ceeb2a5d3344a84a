//! On-premises routers: ASN (R64), the circuits they peer over (each once), the prefixes they
//! advertise, and AS-path prepends toward circuits they peer with.

use std::collections::BTreeMap;

use super::ctx::Ctx;
use super::draft::OnpremDraft;
use super::values::{advertised_prefix, check_reserved_asn, int_in, parse_asn};
use crate::diag::{Code, Diagnostic};
use crate::scenario::raw::RawOnprem;

/// Every on-premises router, in id order.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    for (_, o) in ctx.names.onprems.blocks(&raw.onprems) {
        let draft = onprem(ctx, o);
        ctx.draft.onprems.push(draft);
    }
}

fn onprem(ctx: &mut Ctx, o: &RawOnprem) -> OnpremDraft {
    let d = &mut *ctx.d;
    let asn = o.asn.as_ref().and_then(|a| {
        parse_asn(a, "on-premises ASN", false, d).filter(|n| check_reserved_asn(*n, a, "on-premises ASN", d))
    });
    let mut circuits = Vec::new();
    for c in o.circuits.iter().flat_map(|list| &list.v) {
        let Some(id) = ctx.names.circuits.find(c, d) else { continue };
        if circuits.contains(&id) {
            d.push(
                Diagnostic::error(Code::DuplicateValue, format!("circuit `{}` is listed twice", c.v))
                    .at(c.span.clone())
                    .help("list each circuit once"),
            );
        } else {
            circuits.push(id);
        }
    }
    let mut advertise = Vec::new();
    let mut paths = BTreeMap::new();
    for a in &o.advertise {
        let Some(p) = a.prefix.as_ref().and_then(|p| advertised_prefix(p, d)) else { continue };
        let path: Vec<u32> = a
            .more
            .iter()
            .flat_map(|m| &m.as_path)
            .flat_map(|l| &l.v)
            .filter_map(|x| parse_asn(x, "AS path entry", false, d))
            .collect();
        if !path.is_empty() {
            paths.insert(p, path);
        }
        advertise.push(p);
    }
    let mut prepend = BTreeMap::new();
    for (k, n) in &o.as_path_prepend {
        let Some(cid) = ctx.names.circuits.find(k, d) else { continue };
        if !circuits.contains(&cid) {
            d.push(
                Diagnostic::error(
                    Code::PrependNotOnCircuit,
                    format!("`as_path_prepend` names circuit `{}`, which this router does not peer with", k.v),
                )
                .at(k.span.clone())
                .help(format!("add `{}` to `circuits`, or remove the prepend", k.v)),
            );
            continue;
        }
        if let Some(c) = int_in(n, "as_path_prepend count", 0, 64, d) {
            prepend.insert(cid, c);
        }
    }
    OnpremDraft {
        name: o.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
        asn,
        circuits,
        advertise,
        paths,
        prepend,
        span: o.span.clone(),
    }
}
