//! A simulated estate: the model, the propagation result, the domains, and the subnet tables.
//!
//! Propagation runs once when the simulation is built; each subnet's table is built on first use
//! and cached (shared by every NIC of the subnet and every later question). A simulation of an
//! edited model shares the propagation of the one it was edited from when the edit changes nothing
//! propagation reads ([`Simulation::reusing`]).

use std::sync::{Arc, OnceLock};

use crate::bgp::domain::{self, Domain};
use crate::bgp::{Bgp, NoConvergence};
use crate::effective::SubnetTable;
use crate::model::*;

/// The model with its routes computed.
#[derive(Debug)]
pub struct Simulation {
    /// The resolved scenario.
    pub model: Model,
    /// What every speaker learned (shared with the simulations that reuse it, see [`Simulation::reusing`]).
    pub bgp: Arc<Bgp>,
    /// Each VNet's routing domain, indexed by the hub VNet.
    pub domains: Vec<Option<Arc<Domain>>>,
    tables: Vec<OnceLock<Arc<SubnetTable>>>,
}

impl Simulation {
    /// Propagate routes for a model.
    pub fn new(model: Model) -> Result<Simulation, NoConvergence> {
        let bgp = Bgp::run(&model)?;
        let domains = domain::build(&model, &bgp);
        let tables = (0..model.subnets.len()).map(|_| OnceLock::new()).collect();
        Ok(Simulation { model, bgp: Arc::new(bgp), domains, tables })
    }

    /// A simulation of `model` that shares `base`'s propagation and domains when propagation reads
    /// the same inputs from both models ([`crate::bgp::inputs::same_inputs`]: an edit of routes,
    /// route tables, peerings without gateway transit, NICs' forwarding or firewalls), so only the
    /// subnet tables are built again, on use. Otherwise the same as [`Simulation::new`].
    pub fn reusing(model: Model, base: &Simulation) -> Result<Simulation, NoConvergence> {
        if !crate::bgp::inputs::same_inputs(&model, &base.model) {
            return Simulation::new(model);
        }
        let tables = (0..model.subnets.len()).map(|_| OnceLock::new()).collect();
        Ok(Simulation { model, bgp: base.bgp.clone(), domains: base.domains.clone(), tables })
    }

    /// The model, without the propagation and tables built for it.
    pub fn into_model(self) -> Model {
        self.model
    }

    /// The domain a VNet's subnets get gateway routes from, if any.
    pub fn domain_of(&self, v: VnetId) -> Option<Arc<Domain>> {
        self.model.domain_of(v).and_then(|h| self.domains[h.idx()].clone())
    }

    /// The effective table of a subnet (built once, then shared).
    pub fn table(&self, s: SubnetId) -> Arc<SubnetTable> {
        self.tables[s.idx()]
            .get_or_init(|| {
                let v = self.model.subnets[s.idx()].vnet;
                Arc::new(SubnetTable::build(&self.model, s, self.domain_of(v)))
            })
            .clone()
    }

    /// The effective table of a NIC: its subnet's (R1).
    pub fn nic_table(&self, n: NicId) -> Arc<SubnetTable> {
        self.table(self.model.nics[n.idx()].subnet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenarios() -> Vec<Model> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut paths: Vec<_> = std::fs::read_dir(dir).expect("scenarios/").map(|e| e.expect("entry").path()).collect();
        paths.sort();
        paths.iter().map(|p| crate::scenario::load(p).expect("a bundled scenario loads").model).collect()
    }

    /// Edits of forwarding only: NICs' forwarding, route tables' propagation, peerings' flags
    /// other than gateway transit, a new peering between two VNets without one.
    fn forwarding_edits(m: &Model) -> Vec<Model> {
        let mut out = Vec::new();
        let mut e = m.clone();
        e.nics.iter_mut().for_each(|n| n.ip_forwarding = !n.ip_forwarding);
        out.push(e);
        let mut e = m.clone();
        e.route_tables.iter_mut().for_each(|t| t.disable_bgp_route_propagation = !t.disable_bgp_route_propagation);
        out.push(e);
        let mut e = m.clone();
        e.peerings.iter_mut().for_each(|p| {
            p.allow_forwarded_traffic = !p.allow_forwarded_traffic;
            p.allow_virtual_network_access = !p.allow_virtual_network_access;
        });
        out.push(e);
        let n = m.vnets.len() as u32;
        let unpeered = (0..n)
            .flat_map(|a| (0..n).map(move |z| (VnetId(a), VnetId(z))))
            .find(|(a, z)| a != z && !m.peerings.iter().any(|p| p.from == *a && p.to == *z));
        if let Some((a, z)) = unpeered {
            let mut e = m.clone();
            for (from, to) in [(a, z), (z, a)] {
                e.peerings.push(Peering {
                    from,
                    to,
                    allow_virtual_network_access: true,
                    allow_forwarded_traffic: false,
                    allow_gateway_transit: false,
                    use_remote_gateways: false,
                    span: 0..0,
                });
            }
            out.push(e);
        }
        out
    }

    /// A propagation result as text, without the interner's hash maps (whose order varies).
    fn canonical(b: &Bgp) -> String {
        let prefixes: Vec<_> =
            (0..b.interner.prefix_count()).map(|i| b.interner.net(crate::bgp::PrefixId(i as u32))).collect();
        format!(
            "{prefixes:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            b.speakers, b.asn, b.sessions, b.out, b.ribs, b.gateway_speaker
        )
    }

    #[test]
    fn an_edit_of_forwarding_keeps_the_propagation_and_it_is_what_a_new_run_gives() {
        for m in scenarios() {
            let base = Simulation::new(m.clone()).expect("converges");
            for mut e in forwarding_edits(&m) {
                e.index();
                let reused = Simulation::reusing(e.clone(), &base).expect("converges");
                assert!(Arc::ptr_eq(&reused.bgp, &base.bgp), "{:?}: propagation kept", m.name);
                let fresh = Simulation::new(e).expect("converges");
                assert_eq!(canonical(&fresh.bgp), canonical(&reused.bgp), "{:?}", m.name);
                assert_eq!(format!("{:?}", fresh.domains), format!("{:?}", reused.domains), "{:?}", m.name);
            }
        }
    }

    #[test]
    fn the_same_design_read_from_a_text_laid_out_otherwise_keeps_the_propagation() {
        let seed = include_str!("../scenarios/seed-multi-hub-expressroute.toml");
        let base =
            Simulation::new(crate::scenario::parse("a", seed.to_string()).expect("valid").model).expect("converges");
        let moved = format!("# every block moves\n\n{}", seed.replace("\n[[", "\n\n[["));
        let m = crate::scenario::parse("b", moved).expect("valid").model;
        assert_ne!(m.gateways, base.model.gateways, "the spans differ");
        assert!(Arc::ptr_eq(&Simulation::reusing(m, &base).expect("converges").bgp, &base.bgp));
    }

    #[test]
    fn an_edit_of_a_speaker_or_an_address_space_runs_propagation_again() {
        for m in scenarios() {
            let base = Simulation::new(m.clone()).expect("converges");
            let mut edits = Vec::new();
            if let Some(i) = (0..m.gateways.len()).next() {
                let mut e = m.clone();
                e.gateways[i].allow_remote_vnet_traffic = !e.gateways[i].allow_remote_vnet_traffic;
                edits.push(e);
            }
            let mut e = m.clone();
            e.vnets[0].address_space.push("172.31.255.0/24".parse().expect("a prefix"));
            edits.push(e);
            for e in edits {
                let again = Simulation::reusing(e, &base).expect("converges");
                assert!(!Arc::ptr_eq(&again.bgp, &base.bgp), "{:?}", m.name);
            }
        }
    }
}
