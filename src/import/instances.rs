//! A gateway's `ips`: the instance addresses Azure shows in `bgpSettings.bgpPeeringAddresses`
//! (else the `ipConfigurations`' private addresses), written as the scenario takes them (M1): one
//! BGP address for an active-standby VPN gateway, two for an active-active one and for an
//! ExpressRoute gateway. What validation would refuse (an address outside GatewaySubnet or
//! reserved by Azure, too few addresses, an ExpressRoute address on the VPN gateway's) is left
//! out with a comment, and ersim's defaults apply.

use std::net::IpAddr;

use ipnet::IpNet;

use super::write::{Line, ips};
use crate::net::{azure_reserved, nth_host};

/// What a VPN gateway's `ips` come to: the line to write (none when Azure shows no address) and
/// the addresses the gateway holds in the scenario (written, else ersim's defaults).
#[derive(Clone, Debug)]
pub struct VpnInstances {
    /// `ips = [...]`, or a comment on why it is left out.
    pub line: Option<Line>,
    /// The addresses the scenario gives the gateway.
    pub held: Vec<IpAddr>,
}

/// A VPN gateway's `ips`: its BGP peer address when active-standby, both instance addresses when
/// active-active.
pub fn vpn_gateway_ips(active_active: bool, found: &[IpAddr], gateway_subnet: IpNet) -> VpnInstances {
    let want = if active_active { 2 } else { 1 };
    let defaults: Vec<IpAddr> = (4..4 + want as u128).filter_map(|k| nth_host(&gateway_subnet, k)).collect();
    let what = if active_active { "an active-active gateway" } else { "an active-standby gateway" };
    let line = match usable(found, want, gateway_subnet, &[]) {
        Ok(addrs) => return VpnInstances { line: Some(Line::Key("ips", ips(&addrs), None)), held: addrs },
        Err(None) => None,
        Err(Some(why)) => Some(Line::Comment(format!("ips left out ({what}): {why}; ersim's defaults apply"))),
    };
    VpnInstances { line, held: defaults }
}

/// An ExpressRoute gateway's `ips`: its two instance addresses, when Azure shows them and they
/// are not the VPN gateway's in the same GatewaySubnet (`vpn_held`).
pub fn er_gateway_ips(found: &[IpAddr], gateway_subnet: IpNet, vpn_held: &[IpAddr]) -> Option<Line> {
    match usable(found, 2, gateway_subnet, vpn_held) {
        Ok(addrs) => {
            let more: Vec<String> = found.iter().skip(2).map(|a| a.to_string()).collect();
            let comment =
                (!more.is_empty()).then(|| format!("also {} in Azure (ersim models two instances)", more.join(", ")));
            Some(Line::Key("ips", ips(&addrs), comment))
        }
        Err(None) => None,
        Err(Some(why)) => Some(Line::Comment(format!("ips left out: {why}; ersim's defaults apply"))),
    }
}

/// The first `want` addresses of `found` when each is a usable, distinct address of GatewaySubnet
/// not in `held`; `Err(None)` when Azure shows none, `Err(Some(why))` otherwise.
fn usable(found: &[IpAddr], want: usize, net: IpNet, held: &[IpAddr]) -> Result<Vec<IpAddr>, Option<String>> {
    if found.is_empty() {
        return Err(None);
    }
    let list = || found.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
    if found.len() < want {
        return Err(Some(format!(
            "Azure shows {} instance address ({}), the scenario takes {want}",
            found.len(),
            list()
        )));
    }
    let addrs = &found[..want];
    if let Some(a) = addrs.iter().find(|a| !net.contains(*a) || azure_reserved(&net, **a)) {
        return Err(Some(format!("{a} is not a usable address of GatewaySubnet {net}")));
    }
    if want == 2 && addrs[0] == addrs[1] {
        return Err(Some(format!("the two instance addresses are the same ({})", addrs[0])));
    }
    if let Some(a) = addrs.iter().find(|a| held.contains(a)) {
        return Err(Some(format!("{a} is the VPN gateway's address in the scenario")));
    }
    Ok(addrs.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn key(l: &Option<Line>) -> String {
        match l {
            Some(Line::Key("ips", v, _)) => v.0.clone(),
            other => panic!("not an ips key: {other:?}"),
        }
    }

    #[test]
    fn an_active_standby_gateway_takes_its_one_bgp_address() {
        let net: IpNet = "10.0.255.0/27".parse().unwrap();
        let i = vpn_gateway_ips(false, &[a("10.0.255.6")], net);
        assert_eq!(key(&i.line), "[\"10.0.255.6\"]");
        assert_eq!(i.held, [a("10.0.255.6")]);
        let i = vpn_gateway_ips(false, &[a("10.0.255.4")], net);
        assert_eq!(key(&i.line), "[\"10.0.255.4\"]", "written even when it is the default");
        let i = vpn_gateway_ips(true, &[a("10.0.255.6"), a("10.0.255.7")], net);
        assert_eq!(key(&i.line), "[\"10.0.255.6\", \"10.0.255.7\"]");
    }

    #[test]
    fn what_validation_would_refuse_is_left_out_with_the_defaults() {
        let net: IpNet = "10.0.255.0/27".parse().unwrap();
        let none = vpn_gateway_ips(false, &[], net);
        assert!(none.line.is_none());
        assert_eq!(none.held, [a("10.0.255.4")]);
        let one = vpn_gateway_ips(true, &[a("10.0.255.6")], net);
        assert!(matches!(&one.line, Some(Line::Comment(c)) if c.contains("takes 2")), "{:?}", one.line);
        assert_eq!(one.held, [a("10.0.255.4"), a("10.0.255.5")]);
        let outside = vpn_gateway_ips(false, &[a("10.9.0.4")], net);
        assert!(matches!(&outside.line, Some(Line::Comment(c)) if c.contains("not a usable address")));
        let reserved = er_gateway_ips(&[a("10.0.255.1"), a("10.0.255.5")], net, &[]);
        assert!(matches!(&reserved, Some(Line::Comment(c)) if c.contains("10.0.255.1 is not a usable")));
    }

    #[test]
    fn an_expressroute_gateway_takes_two_addresses_not_the_vpn_gateways() {
        let net: IpNet = "10.0.255.0/27".parse().unwrap();
        assert_eq!(
            key(&er_gateway_ips(&[a("10.0.255.12"), a("10.0.255.13")], net, &[a("10.0.255.4")])),
            "[\"10.0.255.12\", \"10.0.255.13\"]"
        );
        assert!(er_gateway_ips(&[], net, &[]).is_none());
        let clash = er_gateway_ips(&[a("10.0.255.4"), a("10.0.255.5")], net, &[a("10.0.255.4")]);
        assert!(matches!(&clash, Some(Line::Comment(c)) if c.contains("VPN gateway's address")), "{clash:?}");
        let one = er_gateway_ips(&[a("10.0.255.12")], net, &[]);
        assert!(matches!(&one, Some(Line::Comment(c)) if c.contains("1 instance address")), "{one:?}");
    }
}
