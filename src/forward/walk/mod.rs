//! The hop-by-hop walk: positions, moves, branches, drops.

use std::net::IpAddr;
use std::sync::OnceLock;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

use super::hosts::{Host, HostInfo, holder};
use super::{Branch, Drop, DropReason, Outcome, Place, RouteUsed, Step};
use super::{MAX_BRANCHES, MAX_ROUTED_HOPS, Trace};
use crate::bgp::{Entry, PrefixId, SessionKind, Speaker, SpeakerId};
use crate::effective::{RouteSource, Row, RowOrigin};
use crate::limits;
use crate::model::*;
use crate::rules::{Rule, RuleSet};
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

/// Whether all branches deliver, and every drop reason met (for `matrix`); four bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Summary {
    /// Every branch delivered.
    pub delivered: bool,
    /// Drop reasons met, one bit each in [`DropReason::ALL`] order.
    pub reasons: u16,
}

impl Summary {
    fn dropped(r: DropReason) -> Summary {
        Summary { delivered: false, reasons: r.bit() }
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
    /// Outcomes only: no route descriptions, messages or names (for `matrix`).
    lean: bool,
}

struct Ctx<'h> {
    dst: IpAddr,
    to: &'h Host,
    from: HostInfo,
}
impl<'a> Walker<'a> {
    pub(crate) fn new(sim: &'a Simulation) -> Self {
        Walker { sim, lpm: (0..sim.bgp.speakers.len()).map(|_| OnceLock::new()).collect(), lean: false }
    }

    /// A walker that computes outcomes only.
    pub(crate) fn lean(sim: &'a Simulation) -> Self {
        Walker { lean: true, ..Walker::new(sim) }
    }

    /// A host's place (unnamed in a lean walk).
    fn host_place(&self, h: &Host) -> Place {
        if self.lean { Place::Unnamed } else { Place::Host(h.info(self.m())) }
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

    pub(crate) fn trace(&self, from: &Host, to: &Host) -> Trace {
        let m = self.m();
        let dst = to.ip(m);
        let from_info = from.info(m);
        let to_info = to.info(m);
        let ctx = Ctx { dst, to, from: from_info.clone() };
        let start = match from {
            Host::Nic(n) => Ok(Pos::Subnet { subnet: m.nics[n.idx()].subnet, device: Device::Source }),
            Host::Synthetic { subnet, .. } => Ok(Pos::Subnet { subnet: *subnet, device: Device::Source }),
            Host::Firewall(f) => Ok(Pos::Subnet { subnet: m.firewalls[f.idx()].subnet, device: Device::Source }),
            Host::LoadBalancer(l) => {
                Ok(Pos::Subnet { subnet: m.load_balancers[l.idx()].subnet, device: Device::Source })
            }
            Host::Onprem { router, .. } => Ok(Pos::Onprem { router: *router }),
            Host::Site { local_gateway, .. } => self.site_gateway(*local_gateway).map(|g| Pos::Vpn { gateway: g }),
            Host::BehindNva { peer, .. } => {
                let n = m.bgp_peers[peer.idx()].nic;
                Ok(Pos::Subnet { subnet: m.nics[n.idx()].subnet, device: Device::Nva(n) })
            }
            Host::Public(_) => Err(()),
        };
        let mut branches = Vec::new();
        let mut truncated = false;
        let first = step(Place::Host(from_info.clone()), false);
        let Ok(start) = start else {
            branches.push(Branch {
                steps: vec![first],
                outcome: Outcome::Dropped(Drop {
                    reason: DropReason::NoRoute,
                    rule: RuleSet::none(),
                    message: "traffic from the Internet (or from a site with no VPN connection) is not modelled".into(),
                    at: from_info.name.clone(),
                    cycle: Vec::new(),
                }),
            });
            return Trace { from: from_info, to: to_info, branches, truncated };
        };
        // Depth-first, so branches come out in next-hop order.
        let mut stack: Vec<Partial> = vec![(start, vec![first], Vec::new())];
        while let Some((pos, steps, visited)) = stack.pop() {
            if branches.len() >= MAX_BRANCHES {
                truncated = true;
                break;
            }
            let moves = self.advance(&pos, &ctx);
            let mut pushes = Vec::new();
            // The current position is on the branch too: coming back to it is a loop (D12).
            let here_idx = steps.len() - 1;
            for mv in moves {
                let mut steps = steps.clone();
                // The first step of a move carries the route looked up at the current position.
                let mut extra = mv.steps.into_iter();
                if let Some(first) = extra.next() {
                    // A step at the place the packet already is adds to that step (its route, a
                    // warning, or that it is the destination).
                    if first.place == steps.last().map(|s| s.place.clone()).unwrap_or(Place::Internet)
                        && (first.route.is_some() || first.routed)
                    {
                        let last = steps.last_mut().expect("non-empty");
                        if first.route.is_some() {
                            last.route = first.route;
                        }
                        last.routed |= first.routed;
                        if first.warning.is_some() {
                            last.warning = first.warning;
                        }
                    } else {
                        steps.push(first);
                    }
                }
                steps.extend(extra);
                match mv.next {
                    Err(outcome) => {
                        // The bound counts the last move too.
                        let routed = steps.iter().filter(|s| s.routed).count() as u32;
                        let outcome = if routed > MAX_ROUTED_HOPS {
                            Outcome::Dropped(Drop {
                                reason: DropReason::HopLimit,
                                rule: RuleSet::none(),
                                message: format!("more than {MAX_ROUTED_HOPS} routed hops"),
                                at: steps.last().map(|s| s.place.name(m)).unwrap_or_default(),
                                cycle: Vec::new(),
                            })
                        } else {
                            outcome
                        };
                        branches.push(Branch { steps, outcome })
                    }
                    Ok((next, arrival)) => {
                        let mut visited = visited.clone();
                        visited.push((pos, here_idx));
                        if let Some((_, at)) = visited.iter().find(|(p, _)| *p == next) {
                            let cycle: Vec<String> = steps[*at..].iter().map(|s| s.place.name(m)).collect();
                            let at_name = arrival.place.name(m);
                            steps.push(arrival);
                            branches.push(Branch {
                                steps,
                                outcome: Outcome::Dropped(Drop {
                                    reason: DropReason::Loop,
                                    rule: Rule::D12.into(),
                                    message: format!("the packet comes back to {at_name}: a routing loop"),
                                    at: at_name,
                                    cycle,
                                }),
                            });
                            continue;
                        }
                        steps.push(arrival);
                        let routed = steps.iter().filter(|s| s.routed).count() as u32;
                        if routed > MAX_ROUTED_HOPS {
                            let at = steps.last().map(|s| s.place.name(m)).unwrap_or_default();
                            branches.push(Branch {
                                steps,
                                outcome: Outcome::Dropped(Drop {
                                    reason: DropReason::HopLimit,
                                    rule: RuleSet::none(),
                                    message: format!("more than {MAX_ROUTED_HOPS} routed hops"),
                                    at,
                                    cycle: Vec::new(),
                                }),
                            });
                            continue;
                        }
                        pushes.push((next, steps, visited));
                    }
                }
            }
            // Reverse so the first move is explored first.
            for p in pushes.into_iter().rev() {
                stack.push(p);
            }
        }
        Trace { from: from_info, to: to_info, branches, truncated }
    }

    /// Whether every branch from `from` to `to` delivers, and the drop reasons if not. Positions
    /// after the first are memoised per destination (`memo`), so a matrix over many VNets walks
    /// each shared part of the estate (circuits, hub gateways) once per destination.
    pub(crate) fn summary(&self, from: &Host, to: &Host, memo: &mut Memo) -> Summary {
        let m = self.m();
        let ctx = Ctx { dst: to.ip(m), to, from: from.info(m) };
        let start = match from {
            Host::Nic(n) => Pos::Subnet { subnet: m.nics[n.idx()].subnet, device: Device::Source },
            Host::Synthetic { subnet, .. } => Pos::Subnet { subnet: *subnet, device: Device::Source },
            Host::Firewall(f) => Pos::Subnet { subnet: m.firewalls[f.idx()].subnet, device: Device::Source },
            Host::LoadBalancer(l) => Pos::Subnet { subnet: m.load_balancers[l.idx()].subnet, device: Device::Source },
            Host::Onprem { router, .. } => Pos::Onprem { router: *router },
            Host::Site { local_gateway, .. } => match self.site_gateway(*local_gateway) {
                Ok(g) => Pos::Vpn { gateway: g },
                Err(()) => return Summary::dropped(DropReason::NoRoute),
            },
            Host::BehindNva { peer, .. } => {
                let n = m.bgp_peers[peer.idx()].nic;
                Pos::Subnet { subnet: m.nics[n.idx()].subnet, device: Device::Nva(n) }
            }
            Host::Public(_) => return Summary::dropped(DropReason::NoRoute),
        };
        let mut stack = Vec::new();
        self.summarize(start, &ctx, memo, &mut stack, 0, true)
    }

    fn summarize(
        &self,
        pos: Pos,
        ctx: &Ctx,
        memo: &mut Memo,
        stack: &mut Vec<Pos>,
        routed: u32,
        first: bool,
    ) -> Summary {
        if stack.contains(&pos) {
            return Summary::dropped(DropReason::Loop);
        }
        if routed > MAX_ROUTED_HOPS {
            return Summary::dropped(DropReason::HopLimit);
        }
        if !first && let Some(s) = memo.get(&(pos, ctx.dst)) {
            return *s;
        }
        stack.push(pos);
        let mut out = Summary { delivered: true, reasons: 0 };
        for mv in self.advance(&pos, ctx) {
            let last = routed + mv.steps.iter().filter(|s| s.routed).count() as u32;
            let s = match mv.next {
                Err(Outcome::Delivered) if last > MAX_ROUTED_HOPS => Summary::dropped(DropReason::HopLimit),
                Err(Outcome::Delivered) => Summary { delivered: true, reasons: 0 },
                Err(Outcome::Dropped(d)) => Summary::dropped(d.reason),
                Ok((next, arrival)) => {
                    let r = routed + mv.steps.iter().filter(|s| s.routed).count() as u32 + arrival.routed as u32;
                    self.summarize(next, ctx, memo, stack, r, false)
                }
            };
            out.delivered &= s.delivered;
            out.reasons |= s.reasons;
        }
        stack.pop();
        if !first {
            memo.insert((pos, ctx.dst), out);
        }
        out
    }

    fn site_gateway(&self, l: LocalGatewayId) -> Result<GatewayId, ()> {
        self.m()
            .connections
            .iter()
            .filter(|c| matches!(c.kind, ConnectionKind::SiteToSite { local_gateway, .. } if local_gateway == l))
            .map(|c| c.gateway)
            .min_by_key(|g| self.m().gateways[g.idx()].name.clone())
            .ok_or(())
    }

    /// A drop; in a lean walk (matrix) the message and place name are not built.
    fn drop(
        &self,
        reason: DropReason,
        rule: impl Into<RuleSet>,
        message: impl FnOnce() -> String,
        at: &Place,
    ) -> Outcome {
        if self.lean {
            return Outcome::Dropped(Drop {
                reason,
                rule: RuleSet::none(),
                message: String::new(),
                at: String::new(),
                cycle: Vec::new(),
            });
        }
        Outcome::Dropped(Drop {
            reason,
            rule: rule.into(),
            message: message(),
            at: at.name(self.m()),
            cycle: Vec::new(),
        })
    }

    fn device_place(&self, pos: &Pos, ctx: &Ctx) -> Place {
        match pos {
            Pos::Subnet { device: Device::Source, .. } => Place::Host(ctx.from.clone()),
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
