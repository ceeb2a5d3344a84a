//! A simulated estate: the model, the propagation result, the domains, and the subnet tables.
//!
//! Propagation runs once when the simulation is built; each subnet's table is built on first use
//! and cached (shared by every NIC of the subnet and every later question).

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
    /// What every speaker learned.
    pub bgp: Bgp,
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
        Ok(Simulation { model, bgp, domains, tables })
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
