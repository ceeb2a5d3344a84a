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

use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::model::Model;
use crate::scenario::raw::RawScenario;

/// How problems of `[[expect]]` blocks count: errors for `check`, which evaluates them; warnings
/// for every other command, so a stale test block never stops `routes` or `reach` (the block is
/// then left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Expectations {
    /// A problem in an `[[expect]]` block is an error.
    #[default]
    Errors,
    /// A problem in an `[[expect]]` block is a warning and the block is left out.
    Warnings,
}

/// Validate a raw scenario into a model. Every problem found is recorded in `d` (warnings too);
/// the model is returned only when there is no error.
pub(crate) fn validate(raw: &RawScenario, d: &mut Diagnostics, expectations: Expectations) -> Option<Model> {
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
    let before = ctx.d.items.len();
    expectations::pass(&mut ctx);
    if expectations == Expectations::Warnings {
        for d in &mut ctx.d.items[before..] {
            if d.severity == Severity::Error {
                d.severity = Severity::Warning;
                d.help.push("`ersim check` refuses this [[expect]] block; other commands leave it out".to_string());
            }
        }
    }
    if ctx.d.has_errors() {
        return None;
    }
    // An empty (or truncated) file describes nothing to simulate: refused, so CI does not pass on
    // it. Said only when nothing else is wrong.
    if raw.vnets.is_empty() {
        ctx.d.push(
            Diagnostic::error(Code::NoVnet, "the scenario describes no [[vnet]]: there is nothing to simulate")
                .at(0..0)
                .help("add a [[vnet]] block; `ersim init` writes a commented starter design")
                .help("an empty or truncated file is refused so that a CI check cannot pass on it"),
        );
        return None;
    }
    let model = ctx.draft.build();
    debug_assert!(model.is_some(), "with no error reported, every reference resolved");
    let mut model = model?;
    model.index();
    expectations::order(&mut model);
    Some(model)
}
