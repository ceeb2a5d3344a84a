//! The hop-by-hop walk: positions, moves, branches, drops.

use std::net::IpAddr;
use std::sync::OnceLock;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

use super::hosts::{Host, HostInfo, holder};
use super::{MAX_BRANCHES, MAX_ROUTED_HOPS, Trace};
use crate::bgp::{Entry, PrefixId, SessionKind, Speaker, SpeakerId};
use crate::effective::{RouteSource, Row, RowOrigin};
use crate::limits;
use crate::model::*;
use crate::rules::{Rule, RuleSet};
use crate::simulation::Simulation;

/// Where a step happens, for people and for tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The source or destination host.
    Host(HostInfo),
    /// An NVA NIC forwarding the packet.
    Nva(NicId),
    /// An Azure Firewall forwarding the packet.
    Firewall(FirewallId),
    /// A load-balancer frontend (its backends are ECMP branches).
    LoadBalancer(LoadBalancerId),
    /// A circuit's MSEE, with the link's next-hop address when known.
    Msee(CircuitId, Option<IpAddr>),
    /// An ExpressRoute or VPN gateway.
    Gateway(GatewayId),
    /// A peering crossing (direction of travel).
    Peering {
        /// From this VNet.
        from: VnetId,
        /// Into this VNet.
        to: VnetId,
        /// Across regions.
        global: bool,
    },
    /// An on-premises router.
    Onprem(OnpremId),
    /// An on-premises site behind a local gateway.
    Site(LocalGatewayId),
    /// The Internet.
    Internet,
    /// A place a lean walk (matrix) does not name.
    Unnamed,
}

impl Place {
    /// A short name.
    pub fn name(&self, m: &Model) -> String {
        match self {
            Place::Host(h) => format!("{}{} {}", h.name, if h.synthetic { " [synthetic]" } else { "" }, h.ip),
            Place::Nva(n) => format!("NVA {} {}", m.nics[n.idx()].name, m.nics[n.idx()].ip),
            Place::Firewall(f) => format!("firewall {} {}", m.firewalls[f.idx()].name, m.firewalls[f.idx()].ip),
            Place::LoadBalancer(l) => {
                format!("load balancer {} {}", m.load_balancers[l.idx()].name, m.load_balancers[l.idx()].frontend_ip)
            }
            Place::Msee(c, link) => match link {
                Some(ip) => format!("{} MSEE (link {ip})", m.circuits[c.idx()].name),
                None => format!("{} MSEE", m.circuits[c.idx()].name),
            },
            Place::Gateway(g) => format!("{} ({} gateway)", m.gateways[g.idx()].name, m.gateways[g.idx()].kind),
            Place::Peering { from, to, global } => format!(
                "{}peering {} → {}",
                if *global { "global " } else { "" },
                m.vnets[from.idx()].name,
                m.vnets[to.idx()].name
            ),
            Place::Onprem(o) => format!("on-premises {}", m.onprems[o.idx()].name),
            Place::Site(l) => format!("on-premises site behind {}", m.local_gateways[l.idx()].name),
            Place::Internet => "Internet".to_string(),
            Place::Unnamed => "-".to_string(),
        }
    }
}

/// The route a position used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteUsed {
    /// Whose table (`spoke10/default`, `circuit01 MSEE`, `vpngw-hub00 BGP`).
    pub table: String,
    /// The matched prefix.
    pub prefix: IpNet,
    /// Source (portal spelling), or the speaker it was learned from for BGP tables.
    pub source: String,
    /// Next hop type (portal spelling) or where the BGP route leads.
    pub next_hop_type: String,
    /// The next hop address taken, if any.
    pub next_hop_ip: Option<IpAddr>,
    /// More: the AS path, the UDR name.
    pub detail: Option<String>,
    /// A BGP table (MSEE, gateway, router): `source` is the speaker it was learned from.
    pub bgp: bool,
    /// The user route's name, for a User row.
    pub udr: Option<String>,
}

/// One step of a branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Where.
    pub place: Place,
    /// Whether it counts as a routed hop (D16).
    pub routed: bool,
    /// The route looked up there, if any.
    pub route: Option<RouteUsed>,
    /// A warning about this step.
    pub warning: Option<String>,
}

/// Why a packet stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// No row matches.
    NoRoute,
    /// The matching row's next hop is None.
    NextHopNone,
    /// The matching row sends a private destination to the Internet.
    ToInternet,
    /// Nothing holds the destination address where it is delivered.
    NoSuchHost,
    /// A next hop address no forwarding device holds (D17).
    NextHopUnreachable,
    /// The next hop NIC does not forward (ip_forwarding off).
    IpForwardingOff,
    /// A user VirtualNetworkGateway route in a domain without VPN gateway (D17).
    NoVpnGateway,
    /// A gateway would send circuit traffic back into a circuit (R59).
    NoCircuitTransit,
    /// ExpressRoute ↔ VPN transit without R67's conditions.
    NoErVpnTransit,
    /// A peering with allow_virtual_network_access off (D11).
    PeeringAccessDisabled,
    /// VNet-to-VNet traffic over a circuit with allow_remote_vnet_traffic off (D4).
    RemoteVnetTrafficOff,
    /// The packet would come back to a position it has been at (D12).
    Loop,
    /// More routed hops than the bound.
    HopLimit,
    /// Delivered to another host holding the same address (overlapping spaces).
    Misdelivered,
}

impl DropReason {
    /// Every reason, in code order (the bit order of [`Summary::reasons`]).
    pub const ALL: [DropReason; 14] = [
        DropReason::NoRoute,
        DropReason::NextHopNone,
        DropReason::ToInternet,
        DropReason::NoSuchHost,
        DropReason::NextHopUnreachable,
        DropReason::IpForwardingOff,
        DropReason::NoVpnGateway,
        DropReason::NoCircuitTransit,
        DropReason::NoErVpnTransit,
        DropReason::PeeringAccessDisabled,
        DropReason::RemoteVnetTrafficOff,
        DropReason::Loop,
        DropReason::HopLimit,
        DropReason::Misdelivered,
    ];

    fn bit(self) -> u16 {
        1 << (Self::ALL.iter().position(|r| *r == self).expect("listed") as u16)
    }

    /// The stable code printed and in JSON.
    pub fn code(self) -> &'static str {
        match self {
            DropReason::NoRoute => "NoRoute",
            DropReason::NextHopNone => "NextHopNone",
            DropReason::ToInternet => "ToInternet",
            DropReason::NoSuchHost => "NoSuchHost",
            DropReason::NextHopUnreachable => "NextHopUnreachable",
            DropReason::IpForwardingOff => "IpForwardingOff",
            DropReason::NoVpnGateway => "NoVpnGateway",
            DropReason::NoCircuitTransit => "NoCircuitTransit",
            DropReason::NoErVpnTransit => "NoErVpnTransit",
            DropReason::PeeringAccessDisabled => "PeeringAccessDisabled",
            DropReason::RemoteVnetTrafficOff => "RemoteVnetTrafficOff",
            DropReason::Loop => "Loop",
            DropReason::HopLimit => "HopLimit",
            DropReason::Misdelivered => "Misdelivered",
        }
    }
}

/// Where and why a branch stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drop {
    /// The reason code.
    pub reason: DropReason,
    /// The rules behind it.
    pub rule: RuleSet,
    /// What happened, in a sentence.
    pub message: String,
    /// The position's name.
    pub at: String,
    /// For loops: the positions of the cycle.
    pub cycle: Vec<String>,
}

/// How a branch ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It arrived.
    Delivered,
    /// It stopped.
    Dropped(Drop),
}

/// One ECMP branch, from the source to its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// The steps.
    pub steps: Vec<Step>,
    /// The outcome.
    pub outcome: Outcome,
}

impl Branch {
    /// Routed hops (D16).
    pub fn routed_hops(&self) -> u32 {
        self.steps.iter().filter(|s| s.routed).count() as u32
    }

    /// NVAs and firewalls this branch crosses.
    pub fn forwarders(&self) -> Vec<Place> {
        self.steps
            .iter()
            .filter(|s| matches!(s.place, Place::Nva(_) | Place::Firewall(_)))
            .map(|s| s.place.clone())
            .collect()
    }
}

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

    /// Look the destination up in a subnet's table and follow every Active row (ECMP).
    fn at_subnet(&self, pos: &Pos, subnet: SubnetId, device: Device, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let here = self.device_place(pos, ctx);
        let table = self.sim.table(subnet);
        let vnet = m.subnets[subnet.idx()].vnet;
        let Some(hit) = table.lookup(ctx.dst) else {
            return vec![Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    Rule::R19,
                    || format!("no route in {} matches {}", m.subnet_path(subnet), ctx.dst),
                    &here,
                ),
            )];
        };
        let mut moves = Vec::new();
        for row in &hit.rows {
            let ips: Vec<Option<IpAddr>> = if row.next_hop_ips.is_empty() {
                vec![None]
            } else {
                row.next_hop_ips.iter().map(|i| Some(*i)).collect()
            };
            for ip in ips {
                let mut lead = step(here.clone(), false);
                if !self.lean {
                    lead.route = Some(RouteUsed {
                        table: m.subnet_path(subnet),
                        prefix: row.prefix,
                        source: row.source.portal().to_string(),
                        next_hop_type: row.next_hop_type.portal().to_string(),
                        next_hop_ip: ip,
                        detail: row.udr_name.as_ref().map(|n| format!("route {n}")),
                        bgp: false,
                        udr: row.udr_name.clone(),
                    });
                }
                for mv in self.follow_row(vnet, subnet, device, row, ip, ctx, &here) {
                    let mut steps = vec![lead.clone()];
                    steps.extend(mv.steps);
                    moves.push(Move { steps, next: mv.next });
                }
            }
        }
        moves
    }

    #[allow(clippy::too_many_arguments)]
    fn follow_row(
        &self,
        vnet: VnetId,
        subnet: SubnetId,
        device: Device,
        row: &Row,
        ip: Option<IpAddr>,
        ctx: &Ctx,
        here: &Place,
    ) -> Vec<Move> {
        let m = self.m();
        let one = |mv: Move| vec![mv];
        match row.next_hop_type {
            NextHopType::VnetLocal => one(self.deliver_in(vnet, ctx, vec![])),
            NextHopType::VNetPeering | NextHopType::VNetGlobalPeering => {
                let RowOrigin::Peering(p) = row.origin else {
                    // A user route with a peering type does not exist in format v1.
                    return one(Move::done(
                        vec![],
                        self.drop(DropReason::NoRoute, Rule::R28, || "unsupported next hop".into(), here),
                    ));
                };
                let to = m.peerings[p.idx()].to;
                one(match self.cross(p, device, ctx) {
                    Ok(s) => self.deliver_in(to, ctx, vec![s]),
                    Err(e) => Move::done(vec![e.0], e.1),
                })
            }
            NextHopType::VirtualAppliance => {
                let ip = ip.expect("VirtualAppliance rows have an address");
                self.to_appliance(vnet, ip, device, ctx, here)
            }
            NextHopType::VirtualNetworkGateway => match row.origin {
                RowOrigin::Gateway(idx) => self.gateway_row(vnet, subnet, device, idx, ip, ctx, here),
                _ => {
                    // A user route to the VPN gateway (R28, D17).
                    let domain = m.domain_of(vnet);
                    one(match domain.and_then(|h| m.ix.vpn_gateway[h.idx()]) {
                        Some(g) => Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true)),
                        None => Move::done(
                            vec![],
                            self.drop(
                                DropReason::NoVpnGateway,
                                RuleSet::of(&[Rule::D17, Rule::R28]),
                                || format!(
                                    "route {} sends {} to the virtual network gateway, but {} has no VPN gateway (a user route cannot target an ExpressRoute gateway)",
                                    row.udr_name.clone().unwrap_or_default(),
                                    row.prefix,
                                    m.subnet_path(subnet)
                                ),
                                here,
                            ),
                        ),
                    })
                }
            },
            NextHopType::Internet => {
                one({
                    // Leaves Azure: delivered when the address itself is public (R14).
                    if crate::net::is_public(ctx.dst) {
                        Move::done(vec![step(Place::Internet, true)], Outcome::Delivered)
                    } else {
                        let rule = RuleSet::from(if row.source == RouteSource::User { Rule::R27 } else { Rule::R14 });
                        let (extra, rule) = self.non_transitive_note(vnet, subnet, ctx, rule);
                        Move::done(
                        vec![],
                        self.drop(
                            DropReason::ToInternet,
                            rule,
                            || format!(
                                "{} only matches {} Internet: the packet leaves Azure for a private address{extra}",
                                self.dst_text(ctx),
                                row.prefix
                            ),
                            here,
                        ),
                    )
                    }
                })
            }
            NextHopType::None => {
                let why = match (&row.udr_name, row.origin) {
                    (Some(n), _) => format!("user route `{n}`"),
                    (None, RowOrigin::Reserved) => "a reserved system route (D3)".to_string(),
                    _ => "a system route".to_string(),
                };
                let rule = RuleSet::from(if row.source == RouteSource::User { Rule::R27 } else { Rule::D3 });
                let (extra, rule) = self.non_transitive_note(vnet, subnet, ctx, rule);
                one(Move::done(
                    vec![],
                    self.drop(
                        DropReason::NextHopNone,
                        rule,
                        || format!("{} only matches {} None, {why}{extra}", self.dst_text(ctx), row.prefix),
                        here,
                    ),
                ))
            }
        }
    }

    /// The destination address, with its VNet and address space when it is in Azure.
    fn dst_text(&self, ctx: &Ctx) -> String {
        let m = self.m();
        match ctx.to.vnet(m) {
            Some(v) => {
                let vn = &m.vnets[v.idx()];
                match vn.address_space.iter().find(|a| a.contains(&ctx.dst)) {
                    Some(a) => format!("{} ({} {a})", ctx.dst, vn.name),
                    None => format!("{} ({})", ctx.dst, vn.name),
                }
            }
            None => ctx.dst.to_string(),
        }
    }

    /// Why no better row exists: a route to the destination was filtered (D4) or left out of this
    /// subnet (R31), or the destination's VNet is not peered and peering is not transitive (R37).
    fn non_transitive_note(&self, vnet: VnetId, subnet: SubnetId, ctx: &Ctx, rule: RuleSet) -> (String, RuleSet) {
        let m = self.m();
        let mut notes = String::new();
        let mut rules = rule;
        if self.lean {
            return (notes, rules);
        }
        if let Some(dm) = self.sim.domain_of(vnet) {
            let table = self.sim.table(subnet);
            let mut d4: Vec<String> = Vec::new();
            let mut off = false;
            let host = IpNet::from(ctx.dst);
            if let Some(g) = m.ix.er_gateway[dm.hub.idx()] {
                for f in self.sim.bgp.remote_vnet_filtered(m, g, Some(ctx.dst)) {
                    if let crate::bgp::Reason::RemoteVnetTrafficOff { gateways } = f.reason {
                        d4.extend(gateways.iter().map(|g| m.gateways[g.idx()].name.clone()));
                    }
                }
            }
            for r in dm.covering(&host) {
                if !r.best.is_empty() && matches!(table.installed(r), Err(crate::bgp::Reason::PropagationOff { .. })) {
                    off = true;
                }
            }
            d4.sort();
            d4.dedup();
            if !d4.is_empty() {
                notes.push_str(&format!(
                    "; the gateway route toward it was filtered: allow_remote_vnet_traffic is off on {}",
                    d4.join(" and ")
                ));
                rules.push(Rule::D4);
            }
            if off {
                notes.push_str("; a gateway route toward it exists but this subnet's route table has propagation off");
                rules.push(Rule::R31);
            }
        }
        let Some(dv) = ctx.to.vnet(m) else { return (notes, rules) };
        if dv == vnet || m.connected_peers(vnet).any(|(_, w)| w == dv) {
            return (notes, rules);
        }
        let common: Vec<String> = m
            .connected_peers(vnet)
            .filter(|(_, w)| m.connected_peers(*w).any(|(_, x)| x == dv))
            .map(|(_, w)| m.vnets[w.idx()].name.clone())
            .collect();
        let via =
            if common.is_empty() { String::new() } else { format!(" (both are peered with {})", common.join(", ")) };
        notes.push_str(&format!(
            "; {} and {} are not peered and peering is not transitive{via}",
            m.vnets[vnet.idx()].name,
            m.vnets[dv.idx()].name
        ));
        rules.push(Rule::R37);
        (notes, rules)
    }

    /// Cross a peering (D11).
    fn cross(&self, p: PeeringId, device: Device, _ctx: &Ctx) -> Result<Step, Box<(Step, Outcome)>> {
        let m = self.m();
        let pe = &m.peerings[p.idx()];
        let back = m.ix.reverse[p.idx()].map(|r| &m.peerings[r.idx()]);
        let mut s = step(Place::Peering { from: pe.from, to: pe.to, global: m.is_global(p) }, false);
        if !pe.allow_virtual_network_access || back.is_some_and(|b| !b.allow_virtual_network_access) {
            let o = self.drop(
                DropReason::PeeringAccessDisabled,
                Rule::D11,
                || {
                    format!(
                        "allow_virtual_network_access is off on the {} ↔ {} peering (assuming default NSG rules)",
                        m.vnets[pe.from.idx()].name,
                        m.vnets[pe.to.idx()].name
                    )
                },
                &s.place,
            );
            return Err(Box::new((s, o)));
        }
        if device.forwarded()
            && let Some(b) = back
            && !b.allow_forwarded_traffic
        {
            s.warning = Some(format!(
                "traffic forwarded by an NVA or firewall crosses peering {} → {}, whose {} side has allow_forwarded_traffic = false (documented to narrow the VirtualNetwork tag; observed not to block) [D11]",
                m.vnets[pe.from.idx()].name,
                m.vnets[pe.to.idx()].name,
                m.vnets[pe.to.idx()].name
            ));
        }
        Ok(s)
    }

    /// Deliver to the holder of the destination address in a VNet.
    fn deliver_in(&self, v: VnetId, ctx: &Ctx, mut steps: Vec<Step>) -> Move {
        let m = self.m();
        let held = holder(m, v, ctx.dst).or_else(|| match ctx.to {
            Host::Synthetic { subnet, ip } if m.subnets[subnet.idx()].vnet == v && *ip == ctx.dst => {
                Some(ctx.to.clone())
            }
            _ => None,
        });
        match held {
            Some(h) if h == *ctx.to => {
                steps.push(step(self.host_place(&h), true));
                Move::done(steps, Outcome::Delivered)
            }
            Some(h) => {
                let at = self.host_place(&h);
                let o = self.drop(
                    DropReason::Misdelivered,
                    RuleSet::none(),
                    || {
                        format!(
                            "{} is delivered to {} in {}, not to the destination (overlapping address spaces)",
                            ctx.dst,
                            at.name(m),
                            m.vnets[v.idx()].name
                        )
                    },
                    &at,
                );
                steps.push(step(at, true));
                Move::done(steps, o)
            }
            None => {
                let last = steps.last().map(|s| s.place.clone()).unwrap_or(Place::Internet);
                let o = self.drop(
                    DropReason::NoSuchHost,
                    RuleSet::none(),
                    || format!("nothing holds {} in VNet {}", ctx.dst, m.vnets[v.idx()].name),
                    &last,
                );
                Move::done(steps, o)
            }
        }
    }

    /// Hand the packet to the device holding a next-hop address, here or in a peered VNet (R28, R42).
    fn to_appliance(&self, vnet: VnetId, ip: IpAddr, device: Device, ctx: &Ctx, here: &Place) -> Vec<Move> {
        let m = self.m();
        let mut steps = Vec::new();
        let mut found = holder(m, vnet, ip).map(|h| (vnet, h));
        if found.is_none() {
            for (p, w) in m.connected_peers(vnet) {
                if let Some(h) = holder(m, w, ip) {
                    match self.cross(p, device, ctx) {
                        Ok(s) => steps.push(s),
                        Err(e) => return vec![Move::done(vec![e.0], e.1)],
                    }
                    found = Some((w, h));
                    break;
                }
            }
        }
        let Some((_, h)) = found else {
            return vec![Move::done(
                steps,
                self.drop(
                    DropReason::NextHopUnreachable,
                    RuleSet::of(&[Rule::D17, Rule::R28]),
                    || format!(
                        "next hop {ip} is held by no forwarding NIC, firewall or load-balancer frontend in {} or a peered VNet",
                        m.vnets[vnet.idx()].name
                    ),
                    here,
                ),
            )];
        };
        self.enter_device(h, ip, ctx, steps)
    }

    fn enter_device(&self, h: Host, ip: IpAddr, ctx: &Ctx, mut steps: Vec<Step>) -> Vec<Move> {
        let m = self.m();
        if h == *ctx.to {
            steps.push(step(self.host_place(&h), true));
            return vec![Move::done(steps, Outcome::Delivered)];
        }
        match h {
            Host::Nic(n) => {
                let nic = &m.nics[n.idx()];
                // Any NVA that advertises a prefix covering the address takes it into its network.
                if let Host::BehindNva { .. } = ctx.to
                    && m.bgp_peers.iter().any(|b| {
                        b.nic == n
                            && b.advertise.iter().any(|a| a.prefix.prefix_len() > 0 && a.prefix.contains(&ctx.dst))
                    })
                {
                    // The NVA takes it into the network it advertised.
                    steps.push(step(Place::Nva(n), true));
                    steps.push(step(self.host_place(ctx.to), false));
                    return vec![Move::done(steps, Outcome::Delivered)];
                }
                if !nic.ip_forwarding {
                    let place = Place::Nva(n);
                    let o = self.drop(
                        DropReason::IpForwardingOff,
                        Rule::R28,
                        || {
                            format!(
                                "{} ({ip}) has ip_forwarding = false and drops traffic not addressed to it",
                                nic.name
                            )
                        },
                        &place,
                    );
                    steps.push(step(place, true));
                    return vec![Move::done(steps, o)];
                }
                vec![Move::go(
                    steps,
                    Pos::Subnet { subnet: nic.subnet, device: Device::Nva(n) },
                    step(Place::Nva(n), true),
                )]
            }
            Host::Firewall(f) => vec![Move::go(
                steps,
                Pos::Subnet { subnet: m.firewalls[f.idx()].subnet, device: Device::Firewall(f) },
                step(Place::Firewall(f), true),
            )],
            Host::LoadBalancer(l) => {
                // Each backend is an ECMP branch (the flow goes to one of them).
                let lb = &m.load_balancers[l.idx()];
                steps.push(step(Place::LoadBalancer(l), false));
                let mut backends: Vec<NicId> = lb.backends.clone();
                backends.sort_by_key(|b| m.nics[b.idx()].name.clone());
                if backends.is_empty() {
                    return vec![Move::done(
                        steps,
                        self.drop(
                            DropReason::NextHopUnreachable,
                            Rule::D17,
                            || format!("load balancer {} has no backends", lb.name),
                            &Place::LoadBalancer(l),
                        ),
                    )];
                }
                backends
                    .into_iter()
                    .flat_map(|b| self.enter_device(Host::Nic(b), m.nics[b.idx()].ip, ctx, steps.clone()))
                    .collect()
            }
            other => vec![Move::done(
                steps,
                self.drop(
                    DropReason::NextHopUnreachable,
                    Rule::D17,
                    || format!("{ip} is not a forwarding device"),
                    &Place::Host(other.info(m)),
                ),
            )],
        }
    }

    /// A gateway row: each next hop leads to a circuit's MSEE, a VPN gateway or an NVA (R48, R54).
    #[allow(clippy::too_many_arguments)]
    fn gateway_row(
        &self,
        vnet: VnetId,
        _subnet: SubnetId,
        device: Device,
        idx: u32,
        ip: Option<IpAddr>,
        ctx: &Ctx,
        here: &Place,
    ) -> Vec<Move> {
        vec![match self.gateway_row_one(vnet, device, idx, ip, ctx, here) {
            Ok(mv) => mv,
            Err(moves) => return moves,
        }]
    }

    fn gateway_row_one(
        &self,
        vnet: VnetId,
        device: Device,
        idx: u32,
        ip: Option<IpAddr>,
        ctx: &Ctx,
        here: &Place,
    ) -> Result<Move, Vec<Move>> {
        let m = self.m();
        let b = &self.sim.bgp;
        let Some(dm) = self.sim.domain_of(vnet) else {
            return Ok(Move::done(vec![], self.drop(DropReason::NoRoute, Rule::R47, || "no domain".into(), here)));
        };
        let r = &dm.routes[idx as usize];
        let Some(ip) = ip else {
            return Ok(Move::done(
                vec![],
                self.drop(DropReason::NoRoute, Rule::R48, || "gateway route without next hop".into(), here),
            ));
        };
        let Some(c) = r.best.iter().find(|c| c.next_hops.contains(&ip)) else {
            return Ok(Move::done(
                vec![],
                self.drop(DropReason::NoRoute, Rule::R48, || "next hop not in the domain".into(), here),
            ));
        };
        let via = c.cand.via.expect("domain candidates came in by a session");
        let sess = b.session_ref(via);
        let gw_of = |s: SpeakerId| match b.speakers[s.0 as usize] {
            Speaker::Gateway(g) => Some(g),
            _ => None,
        };
        let entered_gateway = match device {
            Device::Gateway(g) => Some(g),
            _ => None,
        };
        match sess.kind {
            SessionKind::ExpressRoute => {
                let circuit = sess.circuit.expect("ER session has a circuit");
                let er = gw_of(sess.to).expect("ER session ends at a gateway");
                if let Some(g) = entered_gateway {
                    if m.gateways[g.idx()].kind == GatewayKind::ExpressRoute {
                        return Ok(Move::done(
                            vec![],
                            self.drop(
                                DropReason::NoCircuitTransit,
                                Rule::R59,
                                || format!(
                                    "{} would send traffic that came from a circuit back into {}: no transit between circuits",
                                    m.gateways[g.idx()].name,
                                    m.circuits[circuit.idx()].name
                                ),
                                here,
                            ),
                        ));
                    }
                    if !limits::er_vpn_transit_at(m, vnet) {
                        return Ok(Move::done(
                            vec![],
                            self.drop(
                                DropReason::NoErVpnTransit,
                                Rule::R67,
                                || format!("no transit from VPN to ExpressRoute at {}: it needs a route server with branch_to_branch, an active-active VPN gateway and VPN ASN 65515", m.gateways[g.idx()].name),
                                here,
                            ),
                        ));
                    }
                }
                Ok(Move::go(
                    vec![],
                    Pos::Msee { circuit, link: Some(ip), from_gw: Some(er) },
                    step(Place::Msee(circuit, Some(ip)), false),
                ))
            }
            SessionKind::SiteToSite | SessionKind::VnetToVnet | SessionKind::Static => {
                let g = gw_of(sess.to).expect("VPN sessions end at a gateway");
                if let Some(eg) = entered_gateway
                    && m.gateways[eg.idx()].kind == GatewayKind::ExpressRoute
                    && !limits::er_vpn_transit_at(m, vnet)
                {
                    return Ok(Move::done(
                        vec![],
                        self.drop(
                            DropReason::NoErVpnTransit,
                            Rule::R67,
                            || format!("no transit from ExpressRoute to VPN at {}: it needs a route server with branch_to_branch, an active-active VPN gateway and VPN ASN 65515", m.gateways[eg.idx()].name),
                            here,
                        ),
                    ));
                }
                Ok(Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true)))
            }
            SessionKind::RouteServerPeer => Err(self.to_appliance(vnet, ip, device, ctx, here)),
            SessionKind::BranchToBranch | SessionKind::PrivatePeering => {
                Ok(Move::done(vec![], self.drop(DropReason::NoRoute, Rule::R47, || "internal session".into(), here)))
            }
        }
    }

    /// At a circuit's MSEE: its BGP table decides (R54).
    fn at_msee(&self, pos: &Pos, circuit: CircuitId, from_gw: Option<GatewayId>, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let s = b.circuit_speaker[circuit.idx()];
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else {
            return vec![Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    Rule::R54,
                    || format!("{}'s MSEE has no route to {}", m.circuits[circuit.idx()].name, ctx.dst),
                    &here,
                ),
            )];
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let via = c.via.expect("circuit routes are learned");
            let sess = b.session_ref(via);
            let from = b.speakers[sess.from.0 as usize];
            let mut lead = step(here.clone(), false);
            if !self.lean {
                lead.route = Some(RouteUsed {
                    table: format!("{} MSEE", m.circuits[circuit.idx()].name),
                    prefix: net,
                    source: crate::bgp::speaker_name(m, from),
                    next_hop_type: match from {
                        Speaker::Onprem(_) => "on-premises".into(),
                        _ => "ExpressRoute gateway".into(),
                    },
                    next_hop_ip: None,
                    detail: Some(format!("AS path {}", b.interner.path_text(c.path))),
                    bgp: true,
                    udr: None,
                });
            }
            let mv = match from {
                Speaker::Onprem(o) => self.enter_onprem(o),
                Speaker::Gateway(g) => {
                    if let Some(a) = from_gw
                        && a != g
                    {
                        let off: Vec<String> = [a, g]
                            .iter()
                            .filter(|x| !m.gateways[x.idx()].allow_remote_vnet_traffic)
                            .map(|x| m.gateways[x.idx()].name.clone())
                            .collect();
                        if !off.is_empty() {
                            moves.push(Move::done(
                                vec![lead],
                                self.drop(
                                    DropReason::RemoteVnetTrafficOff,
                                    RuleSet::of(&[Rule::D4, Rule::R57]),
                                    || format!(
                                        "VNet-to-VNet traffic over {} needs allow_remote_vnet_traffic on both gateways; it is off on {}",
                                        m.circuits[circuit.idx()].name,
                                        off.join(" and ")
                                    ),
                                    &here,
                                ),
                            ));
                            continue;
                        }
                    }
                    let gs = m.gateway_subnet(g);
                    Move::go(
                        vec![],
                        Pos::Subnet { subnet: gs, device: Device::Gateway(g) },
                        step(Place::Gateway(g), true),
                    )
                }
                _ => Move::done(
                    vec![],
                    self.drop(DropReason::NoRoute, Rule::R54, || "unexpected MSEE route".into(), &here),
                ),
            };
            let mut steps = vec![lead];
            steps.extend(mv.steps);
            moves.push(Move { steps, next: mv.next });
        }
        moves
    }

    fn enter_onprem(&self, o: OnpremId) -> Move {
        Move::go(vec![], Pos::Onprem { router: o }, step(Place::Onprem(o), false))
    }

    /// A hub with ExpressRoute and VPN gateways, one of which serves on-premises router `o`, that
    /// lacks R67's conditions: sites behind one gateway cannot reach sites behind the other
    /// through Azure. The missing conditions of the first such hub (by VNet order).
    fn r67_missing(&self, o: OnpremId) -> Option<Vec<String>> {
        let m = self.m();
        let serves = |g: GatewayId| {
            m.ix.gateway_connections[g.idx()].iter().any(|c| match m.connections[c.idx()].kind {
                ConnectionKind::ExpressRoute { circuit, .. } => m.onprems[o.idx()].circuits.contains(&circuit),
                ConnectionKind::SiteToSite { local_gateway, .. } => {
                    m.local_gateways[local_gateway.idx()].onprem == Some(o)
                }
                ConnectionKind::VnetToVnet { .. } => false,
            })
        };
        (0..m.vnets.len()).find_map(|v| {
            let (Some(er), Some(vpn)) = (m.ix.er_gateway[v], m.ix.vpn_gateway[v]) else { return None };
            if !serves(er) && !serves(vpn) {
                return None;
            }
            let missing = limits::er_vpn_transit(m, VnetId(v as u32));
            (!missing.is_empty()).then(|| missing.iter().map(|x| x.describe(m)).collect())
        })
    }

    fn r67_rule(&self, o: OnpremId) -> RuleSet {
        if self.r67_missing(o).is_some() { RuleSet::of(&[Rule::R50, Rule::R67]) } else { Rule::R50.into() }
    }

    fn r67_note(&self, o: OnpremId) -> String {
        match self.r67_missing(o) {
            Some(missing) => format!(
                "; ExpressRoute and VPN sites reach each other through Azure only with R67's conditions: {}",
                missing.join("; ")
            ),
            None => String::new(),
        }
    }

    /// On-premises: delivered if its own prefixes cover the destination, else its learned routes.
    fn at_onprem(&self, pos: &Pos, router: OnpremId, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let r = &m.onprems[router.idx()];
        // Delivered on-premises when the destination is an on-premises address this router
        // originates (its step counts as the routed hop, D16). An Azure destination covered only
        // by a broad on-premises prefix (a default route) is not delivered here: the router
        // forwards by what it learned, or drops.
        let onprem_dst = matches!(ctx.to, Host::Onprem { .. } | Host::Site { .. } | Host::Public(_));
        // Its own prefixes, and the static prefixes of local gateways that describe it (R49).
        let holds = r.advertise.iter().any(|p| p.contains(&ctx.dst))
            || m.local_gateways
                .iter()
                .filter(|l| l.onprem == Some(router))
                .any(|l| l.address_prefixes.iter().any(|p| p.contains(&ctx.dst)) || l.bgp_peer_ip == Some(ctx.dst));
        if onprem_dst && holds {
            return vec![Move::done(vec![step(Place::Onprem(router), true)], Outcome::Delivered)];
        }
        let s = b.onprem_speaker[router.idx()];
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else {
            return vec![Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    self.r67_rule(router),
                    || format!("{} has no route to {}{}", r.name, ctx.dst, self.r67_note(router)),
                    &here,
                ),
            )];
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let Some(via) = c.via else { continue };
            let sess = b.session_ref(via);
            let mut lead = step(here.clone(), false);
            if !self.lean {
                lead.route = Some(RouteUsed {
                    table: format!("{} BGP", r.name),
                    prefix: net,
                    source: crate::bgp::speaker_name(m, b.speakers[sess.from.0 as usize]),
                    next_hop_type: match sess.kind {
                        SessionKind::PrivatePeering => "ExpressRoute".into(),
                        _ => "VPN".into(),
                    },
                    next_hop_ip: None,
                    detail: Some(format!("AS path {}", b.interner.path_text(c.path))),
                    bgp: true,
                    udr: None,
                });
            }
            let next = match (sess.kind, b.speakers[sess.from.0 as usize]) {
                (SessionKind::PrivatePeering, Speaker::Circuit(ci)) => Move::go(
                    vec![],
                    Pos::Msee { circuit: ci, link: None, from_gw: None },
                    step(Place::Msee(ci, None), false),
                ),
                (SessionKind::SiteToSite, Speaker::Gateway(g)) => {
                    Move::go(vec![], Pos::Vpn { gateway: g }, step(Place::Gateway(g), true))
                }
                _ => continue,
            };
            let mut steps = vec![lead];
            steps.extend(next.steps);
            moves.push(Move { steps, next: next.next });
        }
        if moves.is_empty() {
            moves.push(Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    self.r67_rule(router),
                    || format!("{} has no route to {}{}", r.name, ctx.dst, self.r67_note(router)),
                    &here,
                ),
            ));
        }
        moves
    }

    /// Inside a VPN gateway: leave by its best route's connection (Forwarding section).
    fn at_vpn(&self, pos: &Pos, gateway: GatewayId, ctx: &Ctx) -> Vec<Move> {
        let m = self.m();
        let b = &self.sim.bgp;
        let here = self.device_place(pos, ctx);
        let g = &m.gateways[gateway.idx()];
        let s = b.gateway_speaker[gateway.idx()];
        let gw_subnet = m.gateway_subnet(gateway);
        let Some((net, e)) = self.speaker_lpm(s, ctx.dst) else {
            // Not in its BGP table: its GatewaySubnet's table decides.
            return self.at_subnet(
                &Pos::Subnet { subnet: gw_subnet, device: Device::Gateway(gateway) },
                gw_subnet,
                Device::Gateway(gateway),
                ctx,
            );
        };
        let mut moves = Vec::new();
        for c in &e.best {
            let mut lead = step(here.clone(), false);
            let Some(via) = c.via else {
                // Its own VNet or transit spokes: the GatewaySubnet table delivers.
                return self.at_subnet(
                    &Pos::Subnet { subnet: gw_subnet, device: Device::Gateway(gateway) },
                    gw_subnet,
                    Device::Gateway(gateway),
                    ctx,
                );
            };
            let sess = b.session_ref(via);
            let conn = sess.connection.map(|c| m.connections[c.idx()].name.clone());
            let source = if sess.kind == SessionKind::Static {
                format!("static prefixes of connection {}", conn.clone().unwrap_or_default())
            } else {
                crate::bgp::speaker_name(m, b.speakers[sess.from.0 as usize])
            };
            if !self.lean {
                lead.route = Some(RouteUsed {
                    table: format!("{} BGP", g.name),
                    prefix: net,
                    source,
                    next_hop_type: conn
                        .clone()
                        .map(|c| format!("connection {c}"))
                        .unwrap_or_else(|| "route server".into()),
                    next_hop_ip: c.next_hop,
                    detail: Some(format!("AS path {}", b.interner.path_text(c.path))),
                    bgp: true,
                    udr: None,
                });
            }
            let mv = match sess.kind {
                SessionKind::SiteToSite => match b.speakers[sess.from.0 as usize] {
                    Speaker::Onprem(o) => self.enter_onprem(o),
                    _ => continue,
                },
                SessionKind::Static => {
                    let cn = &m.connections[sess.connection.expect("static has a connection").idx()];
                    match &cn.kind {
                        ConnectionKind::SiteToSite { local_gateway, .. } => {
                            let lg = &m.local_gateways[local_gateway.idx()];
                            match lg.onprem {
                                Some(o) => self.enter_onprem(o),
                                None => Move::done(vec![step(Place::Site(*local_gateway), true)], Outcome::Delivered),
                            }
                        }
                        ConnectionKind::VnetToVnet { remote_gateway, .. } => self.enter_far_vpn(*remote_gateway),
                        ConnectionKind::ExpressRoute { .. } => continue,
                    }
                }
                SessionKind::VnetToVnet => match b.speakers[sess.from.0 as usize] {
                    Speaker::Gateway(r) => self.enter_far_vpn(r),
                    _ => continue,
                },
                SessionKind::BranchToBranch => match c.next_hop {
                    Some(nh) => {
                        for mv in self.to_appliance(g.vnet, nh, Device::Gateway(gateway), ctx, &here) {
                            let mut steps = vec![lead.clone()];
                            steps.extend(mv.steps);
                            moves.push(Move { steps, next: mv.next });
                        }
                        continue;
                    }
                    None => match m.ix.er_gateway[g.vnet.idx()] {
                        // ER-learned via the route server (R67): through the ExpressRoute gateway.
                        Some(er) => {
                            let es = b.gateway_speaker[er.idx()];
                            match self.speaker_lpm(es, ctx.dst).and_then(|(_, e)| e.best.first().copied()) {
                                Some(ec) => match ec.via.map(|v| b.session_ref(v)) {
                                    Some(se) if se.kind == SessionKind::ExpressRoute => Move::go(
                                        vec![step(Place::Gateway(er), false)],
                                        Pos::Msee { circuit: se.circuit.expect("ER"), link: None, from_gw: Some(er) },
                                        step(Place::Msee(se.circuit.expect("ER"), None), false),
                                    ),
                                    _ => continue,
                                },
                                None => continue,
                            }
                        }
                        None => continue,
                    },
                },
                _ => continue,
            };
            let mut steps = vec![lead];
            steps.extend(mv.steps);
            moves.push(Move { steps, next: mv.next });
        }
        if moves.is_empty() {
            moves.push(Move::done(
                vec![],
                self.drop(
                    DropReason::NoRoute,
                    Rule::R48,
                    || format!("{} has no usable route to {}", g.name, ctx.dst),
                    &here,
                ),
            ));
        }
        moves
    }

    fn enter_far_vpn(&self, r: GatewayId) -> Move {
        let m = self.m();
        let gs = m.gateway_subnet(r);
        Move::go(vec![], Pos::Subnet { subnet: gs, device: Device::Gateway(r) }, step(Place::Gateway(r), true))
    }
}
