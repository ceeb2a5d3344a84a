//! One subnet's table: its own rows over its shared domain, states, order and lookup.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

use super::{RouteSource, Row, RowOrigin, system};
use crate::bgp::Reason;
use crate::bgp::domain::{Domain, DomainRoute};
use crate::model::*;

/// A subnet's effective routes: its own rows, plus the gateway rows of its domain layered on top.
#[derive(Clone, Debug)]
pub struct SubnetTable {
    /// The subnet.
    pub subnet: SubnetId,
    /// Its route table.
    pub route_table: Option<RouteTableId>,
    /// Whether gateway routes are propagated here (R31).
    pub propagate: bool,
    /// Its rows other than gateway rows, with final state.
    pub own: Vec<Row>,
    /// The domain whose gateway rows it gets.
    pub domain: Option<Arc<Domain>>,
    /// Address spaces of the VNet and its Connected peers (the D7 filter), prefix → VNet.
    spaces: JointPrefixMap<IpNet, VnetId>,
    /// Prefixes of user rows (a same-prefix gateway row is Invalid, D6).
    user_prefixes: HashSet<IpNet>,
    /// Active own rows by prefix (index into `own`).
    active: JointPrefixMap<IpNet, Vec<u32>>,
}

/// The rows a longest-prefix lookup selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The winning prefix.
    pub prefix: IpNet,
    /// Its Active rows (several next hops are ECMP branches).
    pub rows: Vec<Row>,
}

fn host(ip: IpAddr) -> IpNet {
    IpNet::from(ip)
}

impl SubnetTable {
    /// Build the table of subnet `s` (Part L, TABLE steps 1–9).
    pub fn build(m: &Model, s: SubnetId, domain: Option<Arc<Domain>>) -> SubnetTable {
        let sub = &m.subnets[s.idx()];
        let v = sub.vnet;
        let rt = sub.route_table;
        let propagate = rt.map(|r| !m.route_tables[r.idx()].disable_bgp_route_propagation).unwrap_or(true);
        let mut spaces = JointPrefixMap::new();
        for a in &m.vnets[v.idx()].address_space {
            spaces.insert(*a, v);
        }
        for (_, w) in m.connected_peers(v) {
            for a in &m.vnets[w.idx()].address_space {
                spaces.insert(*a, w);
            }
        }
        let mut own = system::default_rows(m, v);
        // R27–R29: user rows, in route-table order.
        let mut user_prefixes = HashSet::new();
        if let Some(r) = rt {
            for (i, u) in m.route_tables[r.idx()].routes.iter().enumerate() {
                user_prefixes.insert(u.prefix);
                own.push(Row {
                    source: RouteSource::User,
                    state: RouteState::Active,
                    prefix: u.prefix,
                    next_hop_type: u.next_hop_type,
                    next_hop_ips: u.next_hop_ip.into_iter().collect(),
                    udr_name: Some(u.name.clone()),
                    origin: RowOrigin::Udr(r, i),
                });
            }
        }
        let mut t = SubnetTable {
            subnet: s,
            route_table: rt,
            propagate,
            own: Vec::new(),
            domain,
            spaces,
            user_prefixes,
            active: JointPrefixMap::new(),
        };
        // D5: default-route effects, per family.
        for default in ["0.0.0.0/0", "::/0"] {
            let d: IpNet = default.parse().expect("constant");
            let b0 = t.domain.as_ref().and_then(|dm| dm.get(&d)).is_some_and(|r| t.installed(r).is_ok());
            let u0 = own.iter().find(|r| r.source == RouteSource::User && r.prefix == d).map(|r| r.next_hop_type);
            let v4 = matches!(d, IpNet::V4(_));
            if b0 {
                own.retain(|r| {
                    !(r.source == RouteSource::Default
                        && ((r.next_hop_type == NextHopType::Internet && r.prefix == d)
                            || (v4 && r.origin == RowOrigin::Reserved)))
                });
            } else if matches!(u0, Some(NextHopType::VirtualAppliance | NextHopType::VirtualNetworkGateway)) && v4 {
                own.retain(|r| r.origin != RowOrigin::Reserved);
            }
        }
        // D6: per exact prefix, the best class is Active, the rest Invalid.
        let mut best: BTreeMap<IpNet, u8> = BTreeMap::new();
        for r in &own {
            let e = best.entry(r.prefix).or_insert(0);
            *e = (*e).max(r.source.class());
        }
        if let Some(dm) = t.domain.clone() {
            for (p, e) in best.iter_mut() {
                if let Some(r) = dm.get(p)
                    && t.installed(r).is_ok()
                {
                    *e = (*e).max(RouteSource::VirtualNetworkGateway.class());
                }
            }
        }
        for r in &mut own {
            if r.source.class() < best[&r.prefix] {
                r.state = RouteState::Invalid;
            }
        }
        let mut active: JointPrefixMap<IpNet, Vec<u32>> = JointPrefixMap::new();
        for (i, r) in own.iter().enumerate() {
            if r.state == RouteState::Active {
                active.entry(r.prefix).or_default().push(i as u32);
            }
        }
        t.own = own;
        t.active = active;
        t
    }

    /// Whether a domain route is installed in this subnet, or why not (R31, D7).
    pub fn installed(&self, r: &DomainRoute) -> Result<(), Reason> {
        if !self.propagate {
            return Err(Reason::PropagationOff {
                route_table: self.route_table.expect("propagation off needs a route table"),
            });
        }
        if let Some((space, vnet)) = self.spaces.get_lpm(&r.prefix) {
            return Err(Reason::InsideAddressSpace { space, vnet: *vnet });
        }
        Ok(())
    }

    /// The `disableBgpRoutePropagation` flag every row carries (D13).
    pub fn disable_bgp_route_propagation(&self) -> bool {
        !self.propagate
    }

    fn gateway_row(&self, idx: u32, r: &DomainRoute) -> Row {
        Row {
            source: RouteSource::VirtualNetworkGateway,
            state: if self.user_prefixes.contains(&r.prefix) { RouteState::Invalid } else { RouteState::Active },
            prefix: r.prefix,
            next_hop_type: NextHopType::VirtualNetworkGateway,
            next_hop_ips: r.next_hops.clone(),
            udr_name: None,
            origin: RowOrigin::Gateway(idx),
        }
    }

    /// Every row, in D10 order.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = self.own.clone();
        if let Some(dm) = &self.domain {
            for (i, r) in dm.routes.iter().enumerate() {
                if self.installed(r).is_ok() {
                    rows.push(self.gateway_row(i as u32, r));
                }
            }
        }
        rows.sort_by_key(|r| r.order_key());
        rows
    }

    /// Longest-prefix match over Active rows (R19); `None` when no row matches.
    pub fn lookup(&self, ip: IpAddr) -> Option<Hit> {
        let h = host(ip);
        let own = self.active.get_lpm(&h).map(|(p, idx)| (p, idx.clone()));
        let gw = if self.propagate {
            self.domain.as_ref().and_then(|dm| {
                dm.covering(&h).into_iter().find(|r| self.installed(r).is_ok()).map(|r| {
                    let i = dm.lpm.get(&r.prefix).copied().expect("indexed");
                    (r.prefix, i)
                })
            })
        } else {
            None
        };
        match (own, gw) {
            (Some((op, _)), Some((gp, gi))) if gp.prefix_len() > op.prefix_len() => Some(self.gateway_hit(gp, gi)),
            (Some((op, idx)), _) => {
                Some(Hit { prefix: op, rows: idx.iter().map(|i| self.own[*i as usize].clone()).collect() })
            }
            (None, Some((gp, gi))) => Some(self.gateway_hit(gp, gi)),
            (None, None) => None,
        }
    }

    fn gateway_hit(&self, p: IpNet, i: u32) -> Hit {
        let dm = self.domain.as_ref().expect("gateway hit has a domain");
        Hit { prefix: p, rows: vec![self.gateway_row(i, &dm.routes[i as usize])] }
    }

    /// Every row whose prefix contains `ip` (any state), longest prefix first then D10 order.
    pub fn matching(&self, ip: IpAddr) -> Vec<Row> {
        let mut v: Vec<Row> = self.rows().into_iter().filter(|r| r.prefix.contains(&ip)).collect();
        v.sort_by_key(|r| (std::cmp::Reverse(r.prefix.prefix_len()), r.order_key()));
        v
    }
}
