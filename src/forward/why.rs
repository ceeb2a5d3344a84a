//! Why a subnet has no better route toward a destination than one that leads nowhere: a gateway
//! route toward it was filtered (D4) or not installed in this subnet (R31), or the two VNets are
//! not peered and peering is not transitive (R37).
//!
//! Written once, for the walk's annotation of shown drops and for the fixes' catalogue. It reads
//! propagation's results; it is not run for `matrix`'s walks.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;

use super::drop::Destination;
use crate::bgp::Reason;
use crate::model::*;
use crate::rules::Rule;
use crate::simulation::Simulation;

/// Gateway routes toward an address that subnet's table does not have.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filtered {
    /// Gateways whose `allow_remote_vnet_traffic = false` filtered a route toward it (D4).
    pub remote_vnet_off: BTreeSet<GatewayId>,
    /// The subnet's route table, when its propagation being off left such a route out (R31).
    pub propagation_off: Option<RouteTableId>,
}

/// The gateway routes toward `dst` that `subnet`'s table does not have, and why (D4, R31).
pub fn filtered(sim: &Simulation, subnet: SubnetId, dst: IpAddr) -> Filtered {
    let m = &sim.model;
    let mut f = Filtered::default();
    let Some(dm) = sim.domain_of(m.subnets[subnet.idx()].vnet) else { return f };
    if let Some(g) = m.ix.er_gateway[dm.hub.idx()] {
        for r in sim.bgp.remote_vnet_filtered(m, g, Some(dst)) {
            if let Reason::RemoteVnetTrafficOff { gateways } = r.reason {
                f.remote_vnet_off.extend(gateways);
            }
        }
    }
    let table = sim.table(subnet);
    let host = IpNet::from(dst);
    if !table.propagate
        && dm.covering(&host).iter().any(|r| matches!(table.installed(r), Err(Reason::PropagationOff { .. })))
    {
        f.propagation_off = table.route_table;
    }
    f
}

/// Two VNets that are not peered (peering is not transitive, R37).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotPeered {
    /// The VNet whose table dropped the packet.
    pub from: VnetId,
    /// The destination's VNet.
    pub to: VnetId,
    /// VNets both are peered with.
    pub common: Vec<VnetId>,
}

/// Why no better route than one leading nowhere exists in a subnet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoBetterRoute {
    /// Gateways whose `allow_remote_vnet_traffic = false` filtered a route toward it (D4).
    pub remote_vnet_off: BTreeSet<GatewayId>,
    /// A gateway route toward it exists but the subnet's route table has propagation off (R31).
    pub propagation_off: bool,
    /// The destination's VNet is not peered with the subnet's (R37).
    pub not_peered: Option<NotPeered>,
}

impl NoBetterRoute {
    /// The rules it adds, in citation order.
    pub fn rules(&self) -> Vec<Rule> {
        let mut v = Vec::new();
        if !self.remote_vnet_off.is_empty() {
            v.push(Rule::D4);
        }
        if self.propagation_off {
            v.push(Rule::R31);
        }
        if self.not_peered.is_some() {
            v.push(Rule::R37);
        }
        v
    }
}

/// Why `subnet` has no better route toward `dst`.
pub fn no_better_route(sim: &Simulation, subnet: SubnetId, dst: Destination) -> NoBetterRoute {
    let m = &sim.model;
    let vnet = m.subnets[subnet.idx()].vnet;
    let f = filtered(sim, subnet, dst.ip);
    let not_peered = dst.vnet.filter(|dv| *dv != vnet && !m.connected_peers(vnet).any(|(_, w)| w == *dv)).map(|dv| {
        let common =
            m.connected_peers(vnet).map(|(_, w)| w).filter(|w| m.connected_peers(*w).any(|(_, x)| x == dv)).collect();
        NotPeered { from: vnet, to: dv, common }
    });
    NoBetterRoute { remote_vnet_off: f.remote_vnet_off, propagation_off: f.propagation_off.is_some(), not_peered }
}
