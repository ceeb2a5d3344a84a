//! What the importer writes where the scenario reader does not yet take what Azure shows: each
//! case is one small function here, marked `TODO(fidelity)`, so it can be switched to the exact
//! form in one place once the reader takes it (a VPN gateway's `default_site`, `ips` on an
//! ExpressRoute gateway, a single `ips` address on an active-standby VPN gateway, and `advertise`
//! entries as tables on `[[onprem]]`).

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;

use super::write::{Line, Value, ips, raw, s};
use crate::net::{azure_reserved, nth_host};

/// `ips` of a VPN gateway: `None` leaves the key out (ersim's default: `.4`, and `.5` when
/// active-active), else the addresses to write and a comment.
pub fn vpn_gateway_ips(
    active_active: bool,
    found: &[IpAddr],
    gateway_subnet: IpNet,
    taken: &BTreeSet<IpAddr>,
) -> Option<(Value, Option<String>)> {
    if active_active {
        return (found.len() >= 2).then(|| (ips(&found[..2]), None));
    }
    let first = *found.first()?;
    if nth_host(&gateway_subnet, 4) == Some(first) {
        return None;
    }
    // TODO(fidelity): the reader takes exactly two addresses today; once it takes one for an
    // active-standby gateway, write `ips(&[first])` and drop the filler.
    let filler = (4..4096u128)
        .filter_map(|k| nth_host(&gateway_subnet, k))
        .find(|a| *a != first && !taken.contains(a) && !azure_reserved(&gateway_subnet, *a))?;
    Some((
        ips(&[first, filler]),
        Some(format!("instance address {first}; {filler} only fills the second place the reader needs")),
    ))
}

/// `ips` of an ExpressRoute gateway: left out (ersim's default addresses) for now.
pub fn er_gateway_ips(found: &[IpAddr]) -> Option<Line> {
    // TODO(fidelity): the reader refuses `ips` on an ExpressRoute gateway today; once it takes
    // them, return `Some(Line::Key("ips", ips(found), None))` when `found` has two addresses.
    (!found.is_empty()).then(|| {
        Line::Comment(format!(
            "instance addresses {} (not written: `ips` on an ExpressRoute gateway is not read yet)",
            found.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// `default_site` of a VPN gateway (forced tunnelling to a local gateway): a comment for now.
pub fn default_site(local_gateway: &str) -> Line {
    // TODO(fidelity): the reader does not take `default_site` yet; once it does, return
    // `Line::Key("default_site", s(local_gateway), None)`.
    Line::Comment(format!(
        "default_site = \"{local_gateway}\" (GatewayDefaultSite; not written: the reader does not take it yet)"
    ))
}

/// The `advertise` list of an `[[onprem]]`: each prefix with the AS path behind the router.
pub fn onprem_advertise(adverts: &[(IpNet, Vec<u32>)]) -> Value {
    // TODO(fidelity): the reader takes plain prefix strings only today; once it takes tables,
    // write `{ prefix = "...", as_path = [...] }` for entries with a non-empty AS path.
    if adverts.iter().all(|(_, path)| path.is_empty()) {
        return super::write::strs(&adverts.iter().map(|(p, _)| p.to_string()).collect::<Vec<_>>());
    }
    let mut out = String::from("[\n");
    for (p, path) in adverts {
        out.push_str(&format!("  {},", s(&p.to_string()).0));
        if !path.is_empty() {
            let list = path.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
            out.push_str(&format!("  # as_path = [{list}] (AS path behind the router; not written: not read yet)"));
        }
        out.push('\n');
    }
    out.push(']');
    raw(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_standby_default_address_is_left_out() {
        let net: IpNet = "10.0.255.0/27".parse().unwrap();
        let none = BTreeSet::new();
        assert!(vpn_gateway_ips(false, &["10.0.255.4".parse().unwrap()], net, &none).is_none());
        let (v, _) = vpn_gateway_ips(false, &["10.0.255.6".parse().unwrap()], net, &none).unwrap();
        assert_eq!(v.0, "[\"10.0.255.6\", \"10.0.255.4\"]");
        let (v, _) =
            vpn_gateway_ips(true, &["10.0.255.6".parse().unwrap(), "10.0.255.7".parse().unwrap()], net, &none).unwrap();
        assert_eq!(v.0, "[\"10.0.255.6\", \"10.0.255.7\"]");
    }
}
