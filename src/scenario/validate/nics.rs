//! NICs and the addresses they and load-balancer frontends take: where each NIC sits (its VNet and
//! subnet, its `vm` label without `/`), load-balancer frontends (explicit addresses, taken first),
//! NICs' explicit addresses, then each NIC without one gets the lowest free address from `.4`, in
//! NIC-name order.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::addresses::in_subnet;
use super::ctx::Ctx;
use super::draft::{LoadBalancerDraft, NicDraft};
use super::names::no_slash;
use super::values::parse_ip;
use super::vnets::find_subnet;
use crate::diag::{Code, Diagnostic};
use crate::model::{NicId, SubnetId, VnetId};
use crate::net::{azure_reserved, nth_host};
use crate::rules::Rule;
use crate::scenario::raw::{RawLoadBalancer, RawNic, Sp};

/// NICs and load-balancer frontends, in that order, then NIC addresses.
pub(super) fn pass(ctx: &mut Ctx) {
    let raw = ctx.raw;
    let nics = ctx.names.nics.blocks(&raw.nics);
    for (_, n) in &nics {
        let draft = place(ctx, n);
        ctx.draft.nics.push(draft);
    }
    // load-balancer frontends are explicit addresses too
    for (_, l) in ctx.names.load_balancers.blocks(&raw.load_balancers) {
        let draft = frontend(ctx, l);
        ctx.draft.load_balancers.push(draft);
    }
    for (id, n) in &nics {
        explicit_address(ctx, *id, n);
    }
    allocate(ctx, &nics);
}

/// The VNet and subnet a reference pair names, when both resolve.
fn vnet_and_subnet(
    ctx: &mut Ctx,
    vnet: &Option<Sp<String>>,
    subnet: &Option<Sp<String>>,
) -> (Option<VnetId>, Option<SubnetId>) {
    let vnet = vnet.as_ref().and_then(|v| ctx.names.vnets.find(v, ctx.d));
    let subnet = match (vnet, subnet) {
        (Some(v), Some(s)) => find_subnet(ctx, v, s),
        _ => None,
    };
    (vnet, subnet)
}

fn place(ctx: &mut Ctx, n: &RawNic) -> NicDraft {
    let (vnet, subnet) = vnet_and_subnet(ctx, &n.vnet, &n.subnet);
    if let Some(vm) = &n.vm {
        no_slash(vm, "`vm` label", ctx.d);
    }
    let ip_forwarding = n.ip_forwarding.as_ref().map(|x| x.v).unwrap_or(false);
    let stateful = n.stateful.as_ref().is_some_and(|x| x.v);
    if let Some(sp) = n.stateful.as_ref().filter(|x| x.v && !ip_forwarding) {
        ctx.d.push(
            Diagnostic::warning(
                Code::KeyNotApplicable,
                "`stateful = true` has no effect on a NIC that does not forward",
            )
            .at(sp.span.clone())
            .label("ip_forwarding is off")
            .help("`stateful` describes an NVA: set `ip_forwarding = true` too, or remove `stateful`")
            .rule(Rule::D19),
        );
    }
    NicDraft {
        name: n.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
        at: vnet.zip(subnet),
        ip: None,
        ip_forwarding,
        stateful,
        vm: n.vm.as_ref().map(|x| x.v.clone()),
        primary: n.primary.as_ref().map(|x| x.v).unwrap_or(false),
        span: n.span.clone(),
    }
}

/// A load balancer's VNet, subnet and frontend address (taken in the VNet); backends come later.
fn frontend(ctx: &mut Ctx, l: &RawLoadBalancer) -> LoadBalancerDraft {
    let name = l.name.as_ref().map(|x| x.v.clone()).unwrap_or_default();
    let (vnet, subnet) = vnet_and_subnet(ctx, &l.vnet, &l.subnet);
    let ip = match (&l.frontend_ip, subnet) {
        (Some(sp), Some(s)) => parse_ip(sp, "frontend_ip", ctx.d)
            .filter(|a| in_subnet(*a, s, &ctx.draft, &sp.span, &format!("load balancer `{name}` frontend"), ctx.d)),
        (Some(sp), None) => parse_ip(sp, "frontend_ip", ctx.d),
        _ => None,
    };
    if let (Some(v), Some(ip)) = (vnet, ip) {
        let span = l.frontend_ip.as_ref().map(|x| x.span.clone()).unwrap_or(l.span.clone());
        ctx.taken.take(v, ip, format!("load balancer `{name}`"), span, ctx.d);
    }
    LoadBalancerDraft {
        name,
        vnet,
        subnet,
        frontend_ip: ip,
        backends: Vec::new(),
        ha_ports: l.ha_ports.as_ref().map(|x| x.v).unwrap_or(true),
        span: l.span.clone(),
    }
}

/// A NIC's written address: inside its subnet, not one Azure keeps, taken in its VNet.
fn explicit_address(ctx: &mut Ctx, id: NicId, n: &RawNic) {
    let (Some((v, s)), Some(sp)) = (ctx.draft.nics[id.idx()].at, &n.ip) else { return };
    let who = format!("NIC `{}`", n.name.as_ref().map(|x| x.v.as_str()).unwrap_or(""));
    if let Some(ip) = parse_ip(sp, "NIC address", ctx.d)
        && in_subnet(ip, s, &ctx.draft, &sp.span, &who, ctx.d)
    {
        ctx.taken.take(v, ip, who, sp.span.clone(), ctx.d);
        ctx.draft.nics[id.idx()].ip = Some(ip);
    }
}

/// The lowest free address from `.4` for each placed NIC without `ip`, in NIC-name order.
fn allocate(ctx: &mut Ctx, nics: &[(NicId, &RawNic)]) {
    let mut used: BTreeSet<(VnetId, IpAddr)> = ctx.taken.addresses().collect();
    for (id, n) in nics {
        let Some((v, s)) = ctx.draft.nics[id.idx()].at else { continue };
        if n.ip.is_some() {
            continue;
        }
        let net = ctx.draft.subnets[s.idx()].prefix;
        let mut k: u128 = 4;
        let found = loop {
            match nth_host(&net, k) {
                Some(ip) if !azure_reserved(&net, ip) => {
                    if !used.contains(&(v, ip)) {
                        break Some(ip);
                    }
                }
                _ => break None,
            }
            k += 1;
            if k > 1 << 20 {
                break None;
            }
        };
        if let Some(ip) = found {
            used.insert((v, ip));
            ctx.draft.nics[id.idx()].ip = Some(ip);
            continue;
        }
        ctx.d.push(
            Diagnostic::error(
                Code::SubnetFull,
                format!(
                    "subnet {} has no free address left for NIC `{}`",
                    ctx.draft.subnet_path(s),
                    n.name.as_ref().map(|x| x.v.as_str()).unwrap_or("")
                ),
            )
            .at(n.span.clone())
            .help("use a larger subnet, or give the NIC an explicit `ip`"),
        );
    }
}
