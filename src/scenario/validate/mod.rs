//! Raw scenario to resolved [`Model`]: every rule under "Validation" in `docs/scenario-format.md`,
//! as passes over one context ([`ctx::Ctx`]).
//!
//! The passes run in this order; each reads what the ones before it resolved and owns its rules:
//!
//! 1. [`top`]: `format` (another format stops here), `name`, `description`, `system_routes`.
//! 2. [`names`]: the names of every kind, ids in name order, empty, repeated and `/` names.
//! 3. [`route_tables`]: routes (R27-R29); `VirtualAppliance` next hops kept for [`warnings`].
//! 4. [`vnets`]: address spaces, subnets (ids by VNet then name, roles, route tables).
//! 5. [`gateways`]: GatewaySubnet, SKU, keys per type, ASN, addresses, one of each type per VNet.
//! 6. [`route_servers`]: RouteServerSubnet, instance addresses, one per VNet (R70).
//! 7. [`firewalls`]: AzureFirewallSubnet and address.
//! 8. [`circuits`]: SKU, bandwidth, next hops (D14 placeholders).
//! 9. [`onprems`]: ASN, circuits, advertised prefixes, prepends.
//! 10. [`local_gateways`]: prefixes, BGP settings, the router behind them.
//! 11. [`connections`]: target and type, BGP at both ends, no repeats.
//! 12. [`nics`]: where NICs sit, load-balancer frontends, explicit then allocated addresses.
//! 13. [`load_balancers`]: their backends.
//! 14. [`bgp_peers`]: NIC, route server, ASN, advertised routes.
//! 15. [`peerings`]: directions, refusals (self, twice, overlaps), ids by `from→to` names.
//! 16. [`remote_gateways`]: `use_remote_gateways` (R38, R41).
//! 17. [`warnings`]: one-directional peerings and connections, same ASN, unserved next hops.
//! 18. [`expectations`]: `[[expect]]` blocks.
//!
//! Passes share [`values`] (prefixes, addresses, ASNs, enums), [`addresses`] (who holds what in a
//! VNet) and the [`draft`], where a reference that did not resolve is `None`: every rule runs on
//! whatever resolved, so every error is found at once, and the model is assembled only when there
//! is no error.

mod addresses;
mod bgp_peers;
mod circuits;
mod connections;
mod ctx;
mod draft;
mod expectations;
mod firewalls;
mod gateways;
mod load_balancers;
mod local_gateways;
mod names;
mod nics;
mod onprems;
mod peerings;
mod remote_gateways;
mod route_servers;
mod route_tables;
mod top;
mod values;
mod vnets;
mod warnings;

use crate::diag::Diagnostics;
use crate::model::Model;
use crate::scenario::raw::RawScenario;

/// Validate a raw scenario into a model. Every problem found is recorded in `d` (warnings too);
/// the model is returned only when there is no error.
pub(crate) fn validate(raw: &RawScenario, d: &mut Diagnostics) -> Option<Model> {
    let draft = top::pass(raw, d)?;
    let names = names::pass(raw, d);
    let mut ctx = ctx::Ctx::new(raw, d, draft, names);
    route_tables::pass(&mut ctx);
    vnets::pass(&mut ctx);
    gateways::pass(&mut ctx);
    route_servers::pass(&mut ctx);
    firewalls::pass(&mut ctx);
    circuits::pass(&mut ctx);
    onprems::pass(&mut ctx);
    local_gateways::pass(&mut ctx);
    connections::pass(&mut ctx);
    nics::pass(&mut ctx);
    load_balancers::pass(&mut ctx);
    bgp_peers::pass(&mut ctx);
    peerings::pass(&mut ctx);
    remote_gateways::pass(&mut ctx);
    warnings::pass(&mut ctx);
    expectations::pass(&mut ctx);
    if ctx.d.has_errors() {
        return None;
    }
    let model = ctx.draft.build();
    debug_assert!(model.is_some(), "with no error reported, every reference resolved");
    let mut model = model?;
    model.index();
    expectations::order(&mut model);
    Some(model)
}
