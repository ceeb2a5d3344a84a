//! Addresses in a VNet: who holds each one (a second holder is an error), and whether an explicit
//! address lies inside its subnet and outside the addresses Azure keeps there.
//!
//! Holders are taken pass by pass (gateway instances, route servers, firewalls, load-balancer
//! frontends, then NICs with an explicit `ip`); NICs without one get the lowest free address after.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::draft::Draft;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::{Span, SubnetId, VnetId};
use crate::net::azure_reserved;

/// The addresses taken in each VNet, with who holds each and where.
#[derive(Default)]
pub(super) struct Taken {
    by: BTreeMap<(VnetId, IpAddr), (String, Span)>,
}

impl Taken {
    /// Record `who` as holding `ip`; a second holder is an error, reported at whichever of the two
    /// comes later in the file.
    pub(super) fn take(&mut self, vnet: VnetId, ip: IpAddr, who: String, span: Span, d: &mut Diagnostics) {
        let Some((other, ospan)) = self.by.get(&(vnet, ip)) else {
            self.by.insert((vnet, ip), (who, span));
            return;
        };
        // Holders are visited kind by kind in name order; report the one later in the file.
        let ((later, lspan), (earlier, espan)) =
            if span.start >= ospan.start { ((&who, &span), (other, ospan)) } else { ((other, ospan), (&who, &span)) };
        d.push(
            Diagnostic::error(
                Code::DuplicateAddress,
                format!("{ip} is used twice in one VNet: by {later} and by {earlier}"),
            )
            .at(lspan.clone())
            .label("address already in use")
            .note(espan.clone(), format!("{earlier} holds it"))
            .help("give each NIC, firewall, load-balancer frontend and gateway instance its own address"),
        );
    }

    /// Whether `ip` is held in `vnet`.
    pub(super) fn holds(&self, vnet: VnetId, ip: IpAddr) -> bool {
        self.by.contains_key(&(vnet, ip))
    }

    /// Every address taken, by VNet.
    pub(super) fn addresses(&self) -> impl Iterator<Item = (VnetId, IpAddr)> + '_ {
        self.by.keys().copied()
    }
}

/// Whether an explicit address of `who` may be used in subnet `s`: inside it, and not one Azure
/// keeps. Each refusal is an error at `span`.
pub(super) fn in_subnet(ip: IpAddr, s: SubnetId, draft: &Draft, span: &Span, who: &str, d: &mut Diagnostics) -> bool {
    let net = draft.subnets[s.idx()].prefix;
    if !net.contains(&ip) {
        d.push(
            Diagnostic::error(
                Code::AddressOutsideSubnet,
                format!("{who} address {ip} is outside its subnet {} ({net})", draft.subnet_path(s)),
            )
            .at(span.clone())
            .label("not in the subnet")
            .help(format!("pick an address inside {net}")),
        );
        return false;
    }
    if azure_reserved(&net, ip) {
        d.push(
            Diagnostic::error(Code::ReservedAddress, format!("{who} address {ip} is reserved by Azure in {net}"))
                .at(span.clone())
                .label("Azure keeps this address")
                .help("Azure reserves the first four addresses of a subnet and the last; start at .4"),
        );
        return false;
    }
    true
}
