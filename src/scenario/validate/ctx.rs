//! The context the passes share: the raw scenario they read, the diagnostics they add to, the
//! names of every kind, the draft model they extend, and the bookkeeping that crosses passes
//! (subnet ids by name, addresses taken, route-table next hops to check once devices are known).

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::addresses::Taken;
use super::draft::Draft;
use super::names::Registry;
use crate::diag::Diagnostics;
use crate::model::{Span, SubnetId, VnetId};
use crate::scenario::raw::RawScenario;

/// A `VirtualAppliance` next hop of a route table, checked against the forwarding devices once
/// they are known (R28).
pub(super) struct UdrHop {
    pub(super) ip: IpAddr,
    pub(super) span: Span,
    /// "route `x` of route table `y`".
    pub(super) route: String,
}

/// What every pass reads and extends.
pub(super) struct Ctx<'r, 'd> {
    pub(super) raw: &'r RawScenario,
    pub(super) d: &'d mut Diagnostics,
    pub(super) names: Registry,
    pub(super) draft: Draft,
    /// Subnet ids by VNet and subnet name (filled by the VNet pass).
    pub(super) subnet_ids: BTreeMap<(VnetId, String), SubnetId>,
    /// Addresses held in each VNet.
    pub(super) taken: Taken,
    /// `VirtualAppliance` next hops of every route table.
    pub(super) udr_hops: Vec<UdrHop>,
}

impl<'r, 'd> Ctx<'r, 'd> {
    /// A context over the top-level values and the names of every kind.
    pub(super) fn new(raw: &'r RawScenario, d: &'d mut Diagnostics, draft: Draft, names: Registry) -> Self {
        Ctx { raw, d, names, draft, subnet_ids: BTreeMap::new(), taken: Taken::default(), udr_hops: Vec::new() }
    }
}
