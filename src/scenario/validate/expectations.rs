//! Expectations (`[[expect]]`): a reachability check (`from`, `to`) or a route check (`nic` or
//! `subnet`, `prefix`, optional next hop and state), never both; names resolve as `reach` resolves
//! them. The model keeps them in a canonical order (by name, then what they assert).

use super::ctx::Ctx;
use super::values::{not_applicable, parse_enum, parse_ip, parse_prefix};
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::*;
use crate::resolve::Directory;
use crate::scenario::raw::{RawExpect, Sp};

/// Every `[[expect]]`, in file order.
pub(super) fn pass(ctx: &mut Ctx) {
    let dir = ctx.draft.directory();
    let expects = ctx.raw.expects.iter().filter_map(|e| expectation(e, &dir, ctx.d)).collect();
    ctx.draft.expects = expects;
}

/// Put a model's expectations in their canonical order.
pub(super) fn order(m: &mut Model) {
    let mut expects = std::mem::take(&mut m.expects);
    let dir = Directory::of(m);
    expects.sort_by_cached_key(|e| {
        let desc = match &e.kind {
            ExpectKind::Reach { from, to, reachable, symmetric, resilient } => {
                format!("reach {} {} {reachable} {symmetric} {resilient}", dir.kind_of(from, ""), dir.kind_of(to, ""))
            }
            ExpectKind::Route { table, prefix, next_hop_type, next_hop_ip, state, absent } => format!(
                "route {:?} {prefix} {next_hop_type:?} {next_hop_ip:?} {state:?} {absent}",
                match table {
                    TableRef::Nic(n) => dir.nics[n.idx()].0.to_string(),
                    TableRef::Subnet(s) => dir.subnet_path(*s),
                }
            ),
        };
        (e.name.clone().unwrap_or_default(), desc)
    });
    m.expects = expects;
}

fn expectation(e: &RawExpect, dir: &Directory, d: &mut Diagnostics) -> Option<Expect> {
    let is_reach = e.from.is_some() || e.to.is_some();
    let is_route = e.nic.is_some() || e.subnet.is_some() || e.prefix.is_some();
    if is_reach && is_route {
        d.push(
            Diagnostic::error(Code::ExpectForm, "an [[expect]] is either a reachability check (`from`, `to`) or a route check (`nic`/`subnet`, `prefix`), not both")
                .at(e.span.clone())
                .help("split it into two [[expect]] blocks"),
        );
        return None;
    }
    let kind = if is_reach {
        reach(e, dir, d)?
    } else if is_route {
        route(e, dir, d)?
    } else {
        d.push(
            Diagnostic::error(
                Code::ExpectForm,
                "an [[expect]] needs `from` and `to` (reachability) or `nic`/`subnet` and `prefix` (a route)",
            )
            .at(e.span.clone())
            .help("e.g. `from = \"vm-spoke10\"` and `to = \"spoke110\"`"),
        );
        return None;
    };
    Some(Expect { name: e.name.as_ref().map(|x| x.v.clone()), kind, span: e.span.clone() })
}

/// An endpoint name, resolved as `reach` resolves it.
fn endpoint(sp: &Sp<String>, dir: &Directory, d: &mut Diagnostics) -> Option<Endpoint> {
    match dir.resolve(&sp.v) {
        Ok(x) => Some(x),
        Err(err) => {
            d.push(
                Diagnostic::error(Code::UnknownName, err.to_string())
                    .at(sp.span.clone())
                    .label("does not resolve")
                    .help("name a NIC, VM, VNet, vnet/subnet, on-premises router, firewall, load balancer or an IP address"),
            );
            None
        }
    }
}

fn reach(e: &RawExpect, dir: &Directory, d: &mut Diagnostics) -> Option<ExpectKind> {
    let why = "does not apply to a reachability expectation";
    let h = "remove it, or write a route expectation in its own [[expect]]";
    not_applicable(&e.next_hop_type, "next_hop_type", why, h, d);
    not_applicable(&e.next_hop_ip, "next_hop_ip", why, h, d);
    not_applicable(&e.state, "state", why, h, d);
    not_applicable(&e.absent, "absent", why, h, d);
    let (Some(f), Some(t)) = (&e.from, &e.to) else {
        let (missing, example) =
            if e.from.is_none() { ("from", "from = \"vm-spoke10\"") } else { ("to", "to = \"spoke110\"") };
        d.push(
            Diagnostic::error(
                Code::MissingKey,
                format!("a reachability [[expect]] needs both `from` and `to`; `{missing}` is missing"),
            )
            .at(e.span.clone())
            .help(format!("add `{example}`")),
        );
        return None;
    };
    let (from, to) = (endpoint(f, dir, d), endpoint(t, dir, d));
    Some(ExpectKind::Reach {
        from: from?,
        to: to?,
        reachable: e.reachable.as_ref().map(|x| x.v).unwrap_or(true),
        symmetric: e.symmetric.as_ref().map(|x| x.v).unwrap_or(false),
        resilient: e.resilient.as_ref().map(|x| x.v).unwrap_or(false),
    })
}

/// The table a route expectation looks at: a NIC's or a subnet's.
fn table(e: &RawExpect, dir: &Directory, d: &mut Diagnostics) -> Option<TableRef> {
    match (&e.nic, &e.subnet) {
        (Some(n), None) => {
            let found = dir.nic_by_name(&n.v).map(TableRef::Nic);
            if found.is_none() {
                d.push(
                    Diagnostic::error(Code::UnknownName, format!("unknown NIC `{}`", n.v))
                        .at(n.span.clone())
                        .label("no [[nic]] has this name")
                        .help_opt(did_you_mean(&n.v, dir.nics.iter().map(|x| x.0))),
                );
            }
            found
        }
        (None, Some(s)) => {
            let found = dir.subnet_by_path(&s.v).map(TableRef::Subnet);
            if found.is_none() {
                let paths: Vec<String> = (0..dir.subnets.len()).map(|i| dir.subnet_path(SubnetId(i as u32))).collect();
                d.push(
                    Diagnostic::error(Code::UnknownName, format!("unknown subnet `{}`", s.v))
                        .at(s.span.clone())
                        .label("write it as vnet/subnet")
                        .help_opt(did_you_mean(&s.v, paths.iter().map(String::as_str))),
                );
            }
            found
        }
        (Some(_), Some(s)) => {
            d.push(
                Diagnostic::error(Code::ExpectForm, "a route [[expect]] names `nic` or `subnet`, not both")
                    .at(s.span.clone())
                    .help("remove one"),
            );
            None
        }
        (None, None) => {
            d.push(
                Diagnostic::error(Code::MissingKey, "a route [[expect]] needs `nic` or `subnet`")
                    .at(e.span.clone())
                    .help("add `nic = \"nic-spoke10\"` or `subnet = \"spoke10/default\"`"),
            );
            None
        }
    }
}

fn route(e: &RawExpect, dir: &Directory, d: &mut Diagnostics) -> Option<ExpectKind> {
    let why = "does not apply to a route expectation";
    let h = "remove it, or write a reachability expectation in its own [[expect]]";
    not_applicable(&e.reachable, "reachable", why, h, d);
    not_applicable(&e.symmetric, "symmetric", why, h, d);
    not_applicable(&e.resilient, "resilient", why, h, d);
    let table = table(e, dir, d);
    let Some(psp) = &e.prefix else {
        d.push(
            Diagnostic::error(Code::MissingKey, "a route [[expect]] needs `prefix`")
                .at(e.span.clone())
                .help("add `prefix = \"10.110.0.0/16\"`"),
        );
        return None;
    };
    let prefix = parse_prefix(psp, "expected prefix", d);
    let names: Vec<&str> = NextHopType::ALL.iter().map(|t| t.api()).collect();
    // Outer `None`: not written; inner `None`: written but invalid (an error).
    let nht = e.next_hop_type.as_ref().map(|t| parse_enum(t, "next_hop_type", &names, d).and_then(NextHopType::parse));
    let ip = e.next_hop_ip.as_ref().map(|sp| parse_ip(sp, "next_hop_ip", d));
    // `None`: not written (Active for a present row; any state for `absent = true`).
    let state = match &e.state {
        Some(s) => match parse_enum(s, "state", &["Active", "Invalid"], d) {
            Some("Invalid") => Some(Some(RouteState::Invalid)),
            Some(_) => Some(Some(RouteState::Active)),
            None => None,
        },
        None => Some(None),
    };
    Some(ExpectKind::Route {
        table: table?,
        prefix: prefix?,
        next_hop_type: match nht {
            Some(x) => Some(x?),
            None => None,
        },
        next_hop_ip: match ip {
            Some(x) => Some(x?),
            None => None,
        },
        state: state?,
        absent: e.absent.as_ref().map(|x| x.v).unwrap_or(false),
    })
}
