//! What propagation reads from a model, so a simulation of an edited model can tell whether the
//! edit leaves [`Bgp::run`](super::Bgp::run) and [`domain::build`](super::domain::build) with
//! the same result ([`same_inputs`]).

use crate::model::*;

/// Whether propagation and the domains read the same inputs from `a` and `b`, so both give the
/// same result for either model.
///
/// They read the speakers' blocks (gateways, circuits, on-premises routers, connections, local
/// network gateways, route servers, NVA peers and their NICs' addresses), every VNet's name and
/// address space (what gateways originate, R50, R74), and the index's gateways, route servers,
/// domains and transit spokes (R38). They do not read subnets, route tables, peerings (but through
/// the domains and transit spokes), NICs' other settings, firewalls, load balancers or
/// expectations: an edit of those is an edit of forwarding only. Keep this list in step with what
/// the modules of `bgp` read from a [`Model`].
pub fn same_inputs(a: &Model, b: &Model) -> bool {
    let vnets = a.vnets.len() == b.vnets.len()
        && a.vnets.iter().zip(&b.vnets).all(|(x, y)| x.name == y.name && x.address_space == y.address_space);
    let speakers = same(&a.gateways, &b.gateways, |x| &mut x.span)
        && same(&a.circuits, &b.circuits, |x| &mut x.span)
        && same(&a.onprems, &b.onprems, |x| &mut x.span)
        && same(&a.connections, &b.connections, |x| &mut x.span)
        && same(&a.local_gateways, &b.local_gateways, |x| &mut x.span)
        && same(&a.route_servers, &b.route_servers, |x| &mut x.span)
        && same(&a.bgp_peers, &b.bgp_peers, |x| &mut x.span);
    let nva_addresses = || {
        a.bgp_peers.iter().all(|p| {
            let (x, y) = (a.nics.get(p.nic.idx()), b.nics.get(p.nic.idx()));
            x.is_some() && x.map(|n| n.ip) == y.map(|n| n.ip)
        })
    };
    let ix = || {
        let (x, y) = (&a.ix, &b.ix);
        x.er_gateway == y.er_gateway
            && x.vpn_gateway == y.vpn_gateway
            && x.route_server == y.route_server
            && x.domain == y.domain
            && x.transit_spokes == y.transit_spokes
    };
    vnets && speakers && nva_addresses() && ix()
}

/// Whether two arenas hold the same items, wherever their blocks were written (spans aside: an
/// edit of the text moves the blocks after it).
fn same<T: Clone + PartialEq>(a: &[T], b: &[T], span: impl Fn(&mut T) -> &mut Span) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            if x == y {
                return true;
            }
            let (mut x, mut y) = (x.clone(), y.clone());
            *span(&mut x) = 0..0;
            *span(&mut y) = 0..0;
            x == y
        })
}
