//! The hop-by-hop walk: positions, moves, the branch-following core, loops and the hop limit.
//!
//! Each kind of position has its own file: a subnet's table (`subnet`), a gateway row of it
//! (`gateway`), a circuit's MSEE (`msee`), a VPN gateway (`vpn`), an on-premises router
//! (`onprem`). Every move is typed facts (places, routes used, drop causes); nothing here writes a
//! sentence, so `trace` and `matrix`'s summaries walk the same code.

use std::net::IpAddr;
use std::sync::OnceLock;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

use super::drop::{Destination, DropCause, Transit, Unexpected};
use super::hosts::{Host, holder};
use super::step::{Forwarder, RouteRow, Table, Warning};
use super::{Branch, Drop, DropReason, Outcome, Place, RouteUsed, Step};
use super::{MAX_BRANCHES, MAX_ROUTED_HOPS, Trace};
use crate::bgp::{Cand, Entry, PrefixId, Session, SessionKind, Speaker, SpeakerId};
use crate::effective::{Row, RowOrigin};
use crate::limits;
use crate::model::*;
use crate::simulation::Simulation;

mod gateway;
mod msee;
mod onprem;
mod subnet;
mod vpn;

/// A position: what holds the packet and which table it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pos {
    Subnet { subnet: SubnetId, device: Device },
    Msee { circuit: CircuitId, link: Option<IpAddr>, from_gw: Option<GatewayId> },
    Vpn { gateway: GatewayId },
    Onprem { router: OnpremId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Device {
    Source,
    Nva(NicId),
    Firewall(FirewallId),
    Gateway(GatewayId),
}

impl Device {
    fn forwarded(self) -> bool {
        matches!(self, Device::Nva(_) | Device::Firewall(_))
    }
}

/// What a position does with the packet: new steps, then a next position or an outcome.
struct Move {
    steps: Vec<Step>,
    next: Result<(Pos, Step), Outcome>,
}

impl Move {
    fn done(steps: Vec<Step>, o: Outcome) -> Move {
        Move { steps, next: Err(o) }
    }
    fn go(steps: Vec<Step>, pos: Pos, arrival: Step) -> Move {
        Move { steps, next: Ok((pos, arrival)) }
    }
}

fn step(place: Place, routed: bool) -> Step {
    Step { place, routed, route: None, warning: None }
}

/// A branch's end at a place.
fn dropped(cause: DropCause, at: Place) -> Outcome {
    Outcome::Dropped(Drop::new(cause, at))
}

fn routed(steps: &[Step]) -> u32 {
    steps.iter().filter(|s| s.routed).count() as u32
}

/// Add a move's steps to a branch. A first step at the place the packet already is adds to that
/// step (the route looked up there, a warning, or that it is the destination).
fn append(steps: &mut Vec<Step>, extra: Vec<Step>) {
    let mut extra = extra.into_iter();
    if let Some(first) = extra.next() {
        match steps.last_mut() {
            Some(last) if last.place == first.place && (first.route.is_some() || first.routed) => {
                if first.route.is_some() {
                    last.route = first.route;
                }
                last.routed |= first.routed;
                if first.warning.is_some() {
                    last.warning = first.warning;
                }
            }
            _ => steps.push(first),
        }
    }
    steps.extend(extra);
}

/// Whether all branches deliver, every drop reason met, and the stateful devices crossed (for
/// `matrix`, which pairs two directions with [`Summary::pair`]).
#[derive(Clone, Debug, PartialEq, Eq, Default, Hash)]
pub struct Summary {
    /// Every branch delivered.
    pub delivered: bool,
    /// Drop reasons met, one bit each in [`DropReason::ALL`] order.
    pub reasons: u16,
    /// The stateful devices any branch crosses, sorted (D19).
    pub stateful: Vec<Forwarder>,
}

impl Summary {
    fn dropped(r: DropReason) -> Summary {
        Summary { delivered: false, reasons: r.bit(), stateful: Vec::new() }
    }

    fn delivered() -> Summary {
        Summary { delivered: true, reasons: 0, stateful: Vec::new() }
    }

    /// Both directions of a flow as `reach` judges them: each direction's summary after D19 (a
    /// stateful device only one direction crosses drops that direction). Delivered when both are.
    pub fn pair(forward: &Summary, back: &Summary) -> (Summary, Summary) {
        let (mut f, mut b) = (forward.clone(), back.clone());
        if f.delivered && b.delivered && f.stateful != b.stateful {
            let extra = |a: &[Forwarder], o: &[Forwarder]| a.iter().any(|x| !o.contains(x));
            for (s, one_sided) in
                [(&mut f, extra(&forward.stateful, &back.stateful)), (&mut b, extra(&back.stateful, &forward.stateful))]
            {
                if one_sided {
                    s.delivered = false;
                    s.reasons |= DropReason::AsymmetricStatefulFirewall.bit();
                }
            }
        }
        (f, b)
    }

    /// The first drop reason met (in [`DropReason::ALL`] order), if any.
    pub fn first_reason(&self) -> Option<DropReason> {
        (self.reasons != 0).then(|| DropReason::ALL[self.reasons.trailing_zeros() as usize])
    }

    /// The drop reasons met, in [`DropReason::ALL`] order.
    pub fn reasons(&self) -> Vec<DropReason> {
        DropReason::ALL.into_iter().filter(|r| self.reasons & r.bit() != 0).collect()
    }
}

/// Memo of summaries per (position, destination address).
pub(crate) type Memo = std::collections::HashMap<(Pos, IpAddr), Summary>;

/// A branch being followed: position, steps so far, positions visited (with their step index).
type Partial = (Pos, Vec<Step>, Vec<(Pos, usize)>);

pub(crate) struct Walker<'a> {
    sim: &'a Simulation,
    lpm: Vec<OnceLock<JointPrefixMap<IpNet, PrefixId>>>,
}

struct Ctx<'h> {
    dst: IpAddr,
    to: &'h Host,
    from: Host,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(sim: &'a Simulation) -> Self {
        Walker { sim, lpm: (0..sim.bgp.speakers.len()).map(|_| OnceLock::new()).collect() }
    }

    fn m(&self) -> &Model {
        &self.sim.model
    }

    /// Longest match in a speaker's BGP table (selected routes only).
    fn speaker_lpm(&self, s: SpeakerId, ip: IpAddr) -> Option<(IpNet, &Entry)> {
        let map = self.lpm[s.0 as usize].get_or_init(|| {
            let mut map = JointPrefixMap::new();
            for (p, e) in &self.sim.bgp.ribs[s.0 as usize] {
                if !e.best.is_empty() {
                    map.insert(self.sim.bgp.interner.net(*p), *p);
                }
            }
            map
        });
        let (net, pid) = map.get_lpm(&IpNet::from(ip))?;
        Some((net, &self.sim.bgp.ribs[s.0 as usize][pid]))
    }

    /// A selected BGP route, as the route a position used.
    fn learned(&self, table: Table, prefix: IpNet, c: &Cand, sess: &Session) -> RouteUsed {
        let b = &self.sim.bgp;
        RouteUsed {
            table,
            prefix,
            next_hop_ip: None,
            row: RouteRow::Learned {
                from: b.speakers[sess.from.0 as usize],
                session: sess.kind,
                connection: sess.connection,
                as_path: b.interner.asns(c.path).to_vec(),
            },
        }
    }

    /// The destination address, with its host's VNet.
    fn destination(&self, ctx: &Ctx) -> Destination {
        Destination { ip: ctx.dst, vnet: ctx.to.vnet(self.m()) }
    }

    /// Where a trace from `from` starts (`None`: from the Internet, or a site with no VPN
    /// connection, which is not modelled).
    fn start(&self, from: &Host) -> Option<Pos> {
        let m = self.m();
        let source = |subnet| Some(Pos::Subnet { subnet, device: Device::Source });
        match from {
            Host::Nic(n) => source(m.nics[n.idx()].subnet),
            Host::Synthetic { subnet, .. } => source(*subnet),
            Host::Firewall(f) => source(m.firewalls[f.idx()].subnet),
            Host::LoadBalancer(l) => source(m.load_balancers[l.idx()].subnet),
            Host::Onprem { router, .. } => Some(Pos::Onprem { router: *router }),
            Host::Site { local_gateway, .. } => self.site_gateway(*local_gateway).map(|g| Pos::Vpn { gateway: g }),
            Host::BehindNva { peer, .. } => {
                let n = m.bgp_peers[peer.idx()].nic;
                Some(Pos::Subnet { subnet: m.nics[n.idx()].subnet, device: Device::Nva(n) })
            }
            Host::Public(_) => None,
        }
    }

    /// Every branch from `from` to `to`, depth-first so they come out in next-hop order.
    pub(crate) fn trace(&self, from: &Host, to: &Host) -> Trace {
        let m = self.m();
        let ctx = Ctx { dst: to.ip(m), to, from: *from };
        let mut t = Trace { from: from.info(m), to: to.info(m), branches: Vec::new(), truncated: false };
        let first = step(Place::Host(*from), false);
        let Some(start) = self.start(from) else {
            let outcome = dropped(DropCause::SourceNotModelled, Place::Host(*from));
            t.branches.push(Branch { steps: vec![first], outcome });
            return t;
        };
        let mut stack: Vec<Partial> = vec![(start, vec![first], Vec::new())];
        while let Some((pos, steps, visited)) = stack.pop() {
            if t.branches.len() >= MAX_BRANCHES {
                t.truncated = true;
                break;
            }
            // The current position is on the branch too: coming back to it is a loop (D12).
            let here = (pos, steps.len() - 1);
            let mut pushes = Vec::new();
            for mv in self.advance(&pos, &ctx) {
                let mut steps = steps.clone();
                append(&mut steps, mv.steps);
                match mv.next {
                    // The bound counts the last move too.
                    Err(outcome) => t.branches.push(Branch { outcome: within_bound(&steps, outcome), steps }),
                    Ok((next, arrival)) => {
                        let mut visited = visited.clone();
                        visited.push(here);
                        match arrive(&mut steps, &visited, next, arrival) {
                            None => pushes.push((next, steps, visited)),
                            Some(outcome) => t.branches.push(Branch { steps, outcome }),
                        }
                    }
                }
            }
            // Reverse so the first move is explored first.
            stack.extend(pushes.into_iter().rev());
        }
        t
    }

    /// Whether every branch from `from` to `to` delivers, and the drop reasons if not. Positions
    /// after the first are memoised per destination (`memo`), so a matrix over many VNets walks
    /// each shared part of the estate (circuits, hub gateways) once per destination.
    pub(crate) fn summary(&self, from: &Host, to: &Host, memo: &mut Memo) -> Summary {
        let ctx = Ctx { dst: to.ip(self.m()), to, from: *from };
        let Some(start) = self.start(from) else { return Summary::dropped(DropReason::NoRoute) };
        let mut stack = Vec::new();
        self.summarize(start, &ctx, memo, &mut stack, 0, true)
    }

    fn summarize(&self, pos: Pos, ctx: &Ctx, memo: &mut Memo, stack: &mut Vec<Pos>, hops: u32, first: bool) -> Summary {
        if stack.contains(&pos) {
            return Summary::dropped(DropReason::Loop);
        }
        if hops > MAX_ROUTED_HOPS {
            return Summary::dropped(DropReason::HopLimit);
        }
        if !first && let Some(s) = memo.get(&(pos, ctx.dst)) {
            return s.clone();
        }
        stack.push(pos);
        let mut out = Summary::delivered();
        let m = self.m();
        let crossed = |out: &mut Summary, p: &Place| {
            if let Some(f) = p.forwarder().filter(|f| super::is_stateful(m, *f))
                && !out.stateful.contains(&f)
            {
                out.stateful.push(f);
            }
        };
        for mv in self.advance(&pos, ctx) {
            let last = hops + routed(&mv.steps);
            for st in &mv.steps {
                crossed(&mut out, &st.place);
            }
            let s = match mv.next {
                Err(Outcome::Delivered) if last > MAX_ROUTED_HOPS => Summary::dropped(DropReason::HopLimit),
                Err(Outcome::Delivered) => Summary::delivered(),
                Err(Outcome::Dropped(d)) => Summary::dropped(d.reason()),
                Ok((next, arrival)) => {
                    crossed(&mut out, &arrival.place);
                    self.summarize(next, ctx, memo, stack, last + arrival.routed as u32, false)
                }
            };
            out.delivered &= s.delivered;
            out.reasons |= s.reasons;
            for f in s.stateful {
                if !out.stateful.contains(&f) {
                    out.stateful.push(f);
                }
            }
        }
        out.stateful.sort();
        stack.pop();
        if !first {
            memo.insert((pos, ctx.dst), out.clone());
        }
        out
    }

    fn site_gateway(&self, l: LocalGatewayId) -> Option<GatewayId> {
        self.m()
            .connections
            .iter()
            .filter(|c| matches!(c.kind, ConnectionKind::SiteToSite { local_gateway, .. } if local_gateway == l))
            .map(|c| c.gateway)
            .min_by_key(|g| self.m().gateways[g.idx()].name.clone())
    }

    fn device_place(&self, pos: &Pos, ctx: &Ctx) -> Place {
        match pos {
            Pos::Subnet { device: Device::Source, .. } => Place::Host(ctx.from),
            Pos::Subnet { device: Device::Nva(n), .. } => Place::Nva(*n),
            Pos::Subnet { device: Device::Firewall(f), .. } => Place::Firewall(*f),
            Pos::Subnet { device: Device::Gateway(g), .. } => Place::Gateway(*g),
            Pos::Msee { circuit, link, .. } => Place::Msee(*circuit, *link),
            Pos::Vpn { gateway } => Place::Gateway(*gateway),
            Pos::Onprem { router } => Place::Onprem(*router),
        }
    }

    fn advance(&self, pos: &Pos, ctx: &Ctx) -> Vec<Move> {
        match *pos {
            Pos::Subnet { subnet, device } => self.at_subnet(pos, subnet, device, ctx),
            Pos::Msee { circuit, from_gw, .. } => self.at_msee(pos, circuit, from_gw, ctx),
            Pos::Vpn { gateway } => self.at_vpn(pos, gateway, ctx),
            Pos::Onprem { router } => self.at_onprem(pos, router, ctx),
        }
    }
}

/// A branch that ends: dropped instead when it took more routed hops than the bound.
fn within_bound(steps: &[Step], outcome: Outcome) -> Outcome {
    if routed(steps) > MAX_ROUTED_HOPS {
        let at = steps.last().map(|s| s.place.clone()).unwrap_or(Place::Internet);
        dropped(DropCause::HopLimit, at)
    } else {
        outcome
    }
}

/// Arrive at the next position: `None` when the branch goes on, else how it ends — in a loop (a
/// position visited before, D12) or at the hop limit.
fn arrive(steps: &mut Vec<Step>, visited: &[(Pos, usize)], next: Pos, arrival: Step) -> Option<Outcome> {
    if let Some((_, at)) = visited.iter().find(|(p, _)| *p == next) {
        let cycle: Vec<Place> = steps[*at..].iter().map(|s| s.place.clone()).collect();
        let outcome = dropped(DropCause::Loop { cycle }, arrival.place.clone());
        steps.push(arrival);
        return Some(outcome);
    }
    steps.push(arrival);
    (routed(steps) > MAX_ROUTED_HOPS).then(|| within_bound(steps, Outcome::Delivered))
}
