//! Peerings: each `[[peering]]` expanded into its directions (`from`/`to` is one, `vnets` with an
//! optional `transit_via` hub is both), then refused when a VNet is peered with itself, a direction
//! is written twice, the two address spaces overlap, or a VNet's peers overlap each other. The
//! directions kept are sorted by `from→to` names: their ids.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::ctx::Ctx;
use super::draft::PeeringDraft;
use super::values::{not_applicable, overlapping};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::{Peering, Span, VnetId};
use crate::net::overlaps;
use crate::scenario::raw::{RawPeering, Sp, SpList};

/// Every peering block in file order, then the refusals, then ids.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    let mut dirs = Vec::new();
    for p in &raw.peerings {
        match (&p.from, &p.to, &p.vnets) {
            (Some(f), Some(t), None) => dirs.extend(one_direction(ctx, p, f, t)),
            (None, None, Some(list)) => dirs.extend(both_directions(ctx, p, list)),
            _ => ctx.d.push(
                Diagnostic::error(Code::PeeringForm, "a [[peering]] has either `from` and `to`, or `vnets`, never both or neither")
                    .at(p.span.clone())
                    .label("this peering")
                    .help("write `from = \"spoke10\"` and `to = \"hub00\"` for one direction, or `vnets = [\"hub00\", \"spoke10\"]` for both"),
            ),
        }
    }
    let mut kept = refuse_pairs(ctx, dirs);
    refuse_overlapping_peers(ctx, &mut kept);
    let vnets = &ctx.draft.vnets;
    let names = |p: &PeeringDraft| (&vnets[p.peering.from.idx()].name, &vnets[p.peering.to.idx()].name);
    kept.sort_by(|a, b| names(a).cmp(&names(b)));
    ctx.draft.peerings = kept;
}

/// One direction, with the flags of the block (defaults: access on, the rest off).
fn direction(p: &RawPeering, from: VnetId, to: VnetId, transit: Option<(bool, bool)>, key_span: Span) -> PeeringDraft {
    let bool_of = |x: &Option<Sp<bool>>, def: bool| x.as_ref().map(|b| b.v).unwrap_or(def);
    let (allow_gateway_transit, use_remote_gateways) =
        transit.unwrap_or((bool_of(&p.allow_gateway_transit, false), bool_of(&p.use_remote_gateways, false)));
    PeeringDraft {
        peering: Peering {
            from,
            to,
            allow_virtual_network_access: bool_of(&p.allow_virtual_network_access, true),
            allow_forwarded_traffic: bool_of(&p.allow_forwarded_traffic, false),
            allow_gateway_transit,
            use_remote_gateways,
            span: p.span.clone(),
        },
        key_span,
    }
}

/// `from`/`to`: one direction, its flags as written.
fn one_direction(ctx: &mut Ctx, p: &RawPeering, f: &Sp<String>, t: &Sp<String>) -> Option<PeeringDraft> {
    not_applicable(
        &p.transit_via,
        "transit_via",
        "goes with `vnets`, not `from`/`to`",
        "use `allow_gateway_transit`/`use_remote_gateways`, or write the peering with `vnets`",
        ctx.d,
    );
    let (Some(fv), Some(tv)) = (ctx.names.vnets.find(f, ctx.d), ctx.names.vnets.find(t, ctx.d)) else { return None };
    Some(direction(p, fv, tv, None, t.span.clone()))
}

/// `vnets`: both directions; `transit_via` names the hub whose gateways the other uses.
fn both_directions(ctx: &mut Ctx, p: &RawPeering, list: &SpList<String>) -> Vec<PeeringDraft> {
    let per_direction = "with `vnets`, write `transit_via = \"<hub>\"`; or write two `from`/`to` peerings";
    not_applicable(&p.allow_gateway_transit, "allow_gateway_transit", "is set per direction", per_direction, ctx.d);
    not_applicable(&p.use_remote_gateways, "use_remote_gateways", "is set per direction", per_direction, ctx.d);
    if list.v.len() != 2 {
        ctx.d.push(
            Diagnostic::error(Code::PeeringVnets, format!("`vnets` names the two peered VNets, not {}", list.v.len()))
                .at(list.span.clone())
                .help("write `vnets = [\"hub00\", \"spoke10\"]`"),
        );
        return Vec::new();
    }
    let (a, b) = (&list.v[0], &list.v[1]);
    if a.v == b.v {
        // one mistake, one error (not one per direction)
        ctx.d.push(
            Diagnostic::error(Code::SelfPeering, format!("VNet `{}` is peered with itself", a.v))
                .at(b.span.clone())
                .help("a peering joins two different VNets"),
        );
        return Vec::new();
    }
    let (Some(av), Some(bv)) = (ctx.names.vnets.find(a, ctx.d), ctx.names.vnets.find(b, ctx.d)) else {
        return Vec::new();
    };
    let mut hub = None;
    if let Some(tv) = &p.transit_via {
        if tv.v == a.v {
            hub = Some(av);
        } else if tv.v == b.v {
            hub = Some(bv);
        } else {
            ctx.d.push(
                Diagnostic::error(
                    Code::TransitVia,
                    format!("`transit_via` must be one of the peered VNets (`{}` or `{}`), not `{}`", a.v, b.v, tv.v),
                )
                .at(tv.span.clone())
                .help_opt(did_you_mean(&tv.v, [a.v.as_str(), b.v.as_str()])),
            );
        }
    }
    [(av, bv, b.span.clone()), (bv, av, a.span.clone())]
        .into_iter()
        .map(|(x, y, ks)| direction(p, x, y, Some((hub == Some(x), hub == Some(y))), ks))
        .collect()
}

/// Drop (with an error) a direction from a VNet to itself, a direction written twice, and a pair
/// whose address spaces overlap (reported once per pair).
fn refuse_pairs(ctx: &mut Ctx, dirs: Vec<PeeringDraft>) -> Vec<PeeringDraft> {
    let mut pair_first: BTreeMap<(VnetId, VnetId), Span> = BTreeMap::new();
    let mut overlap_reported: BTreeSet<(VnetId, VnetId)> = BTreeSet::new();
    let mut kept = Vec::new();
    for dir in dirs {
        let (from, to, span) = (dir.peering.from, dir.peering.to, &dir.peering.span);
        let fname = &ctx.draft.vnets[from.idx()].name;
        let tname = &ctx.draft.vnets[to.idx()].name;
        if from == to {
            ctx.d.push(
                Diagnostic::error(Code::SelfPeering, format!("VNet `{fname}` is peered with itself"))
                    .at(dir.key_span.clone())
                    .help("a peering joins two different VNets"),
            );
            continue;
        }
        if let Some(first) = pair_first.get(&(from, to)) {
            ctx.d.push(
                Diagnostic::error(Code::DuplicatePeering, format!("VNets `{fname}` → `{tname}` are peered twice"))
                    .at(span.clone())
                    .note(first.clone(), "first peering in this direction")
                    .help("Azure holds one peering per direction: remove one (the `vnets` shorthand already covers both directions)"),
            );
            continue;
        }
        pair_first.insert((from, to), span.clone());
        let fs = &ctx.draft.vnets[from.idx()].address_space;
        let ts = &ctx.draft.vnets[to.idx()].address_space;
        if let Some((a, b)) = fs.iter().flat_map(|a| ts.iter().map(move |b| (a, b))).find(|(a, b)| overlaps(a, b)) {
            // report once per unordered pair (the shorthand and a from/to pair give two directions)
            if overlap_reported.insert((from.min(to), from.max(to))) {
                ctx.d.push(
                    Diagnostic::error(Code::PeeringOverlap, format!("VNets `{fname}` ({a}) and `{tname}` ({b}) have overlapping address spaces and cannot be peered"))
                        .at(span.clone())
                        .help("Azure refuses to peer VNets whose address spaces overlap: change one address space"),
                );
            }
            continue;
        }
        kept.push(dir);
    }
    kept
}

/// Two peers of one VNet whose spaces overlap: the later peering (in the file) is refused.
fn refuse_overlapping_peers(ctx: &mut Ctx, kept: &mut Vec<PeeringDraft>) {
    type PeerSpaces = Vec<(IpNet, (usize, usize))>;
    let vnets = &ctx.draft.vnets;
    let mut by_from: BTreeMap<VnetId, PeerSpaces> = BTreeMap::new();
    for (i, dir) in kept.iter().enumerate() {
        for p in &vnets[dir.peering.to.idx()].address_space {
            by_from.entry(dir.peering.from).or_default().push((*p, (dir.peering.span.start, i)));
        }
    }
    let mut refused: BTreeSet<usize> = BTreeSet::new();
    for (from, list) in by_from {
        for ((a, (sa, ia)), (b, (sb, ib))) in overlapping(list) {
            if ia == ib {
                continue;
            }
            let (later, earlier, lp, ep) = if (sa, ia) > (sb, ib) { (ia, ib, a, b) } else { (ib, ia, b, a) };
            if !refused.insert(later) {
                continue;
            }
            let name = |i: usize| &vnets[kept[i].peering.to.idx()].name;
            ctx.d.push(
                Diagnostic::error(
                    Code::PeersOverlap,
                    format!(
                        "VNet `{}` cannot be peered with both `{}` ({lp}) and `{}` ({ep}): their address spaces overlap",
                        vnets[from.idx()].name,
                        name(later),
                        name(earlier)
                    ),
                )
                .at(kept[later].peering.span.clone())
                .note(kept[earlier].peering.span.clone(), "the earlier peering")
                .help("Azure refuses the second peering: change one address space or drop one peering"),
            );
        }
    }
    let mut i = 0;
    kept.retain(|_| {
        i += 1;
        !refused.contains(&(i - 1))
    });
}
