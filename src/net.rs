//! Address and AS-number facts every layer needs: the nth host of a prefix, the addresses Azure
//! keeps in a subnet, prefix overlap and order, public addresses, and the ASNs Azure uses or
//! refuses (R51, R64, R70).

use std::cmp::Ordering;
use std::net::IpAddr;

use ipnet::IpNet;

/// The MSEE's ASN (R51).
pub const MSEE_ASN: u32 = 12076;
/// The ASN of ExpressRoute gateways and route servers, and a VPN gateway's default (R51, R70).
pub const AZURE_ASN: u32 = 65515;

/// ASNs Azure refuses for on-premises routers, local gateways, NVAs and VPN gateways (R64).
pub fn reserved_asn(asn: u32) -> bool {
    matches!(asn, 8074 | 8075 | 12076 | 23456 | 65515..=65520 | 64496..=64511 | 65535..=65551)
}

/// Whether an ASN is private (64512-65534, 4200000000-4294967294), as stripped toward on-premises (D8).
pub fn is_private_asn(a: u32) -> bool {
    (64512..=65534).contains(&a) || (4_200_000_000..=4_294_967_294).contains(&a)
}

/// The `k`th address of a prefix (network + k), if inside it.
pub fn nth_host(net: &IpNet, k: u128) -> Option<IpAddr> {
    match net {
        IpNet::V4(n) => {
            let base = u32::from(n.network()) as u128;
            let size = 1u128 << (32 - n.prefix_len());
            (k < size).then(|| IpAddr::V4(((base + k) as u32).into()))
        }
        IpNet::V6(n) => {
            let base = u128::from(n.network());
            let bits = 128 - n.prefix_len() as u32;
            let size = if bits >= 128 { u128::MAX } else { 1u128 << bits };
            (k < size).then(|| IpAddr::V6(base.wrapping_add(k).into()))
        }
    }
}

/// Whether Azure reserves this address in the subnet (the first four and, for IPv4, the last).
pub fn azure_reserved(net: &IpNet, ip: IpAddr) -> bool {
    let off = match (net, ip) {
        (IpNet::V4(n), IpAddr::V4(a)) => (u32::from(a) - u32::from(n.network())) as u128,
        (IpNet::V6(n), IpAddr::V6(a)) => u128::from(a) - u128::from(n.network()),
        _ => return false,
    };
    let last = match net {
        IpNet::V4(n) => (1u128 << (32 - n.prefix_len())) - 1,
        IpNet::V6(_) => u128::MAX,
    };
    off < 4 || (matches!(net, IpNet::V4(_)) && off == last)
}

/// Whether two prefixes share any address.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

/// Order prefixes by family, then address, then length (D10's "address then length").
pub fn prefix_order(a: &IpNet, b: &IpNet) -> Ordering {
    let fam = |p: &IpNet| matches!(p, IpNet::V6(_)) as u8;
    (fam(a), a.network(), a.prefix_len()).cmp(&(fam(b), b.network(), b.prefix_len()))
}

/// Whether an address is public: not private, shared (100.64/10), loopback, link-local, multicast
/// or reserved. Documentation ranges (TEST-NET) count as public: examples use them for Internet hosts.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            !(a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] >= 224)
        }
        IpAddr::V6(a) => {
            let s = a.segments();
            !(a.is_loopback() || a.is_unspecified() || (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// The first address after a prefix (None at the end of the address family).
pub fn next_after(p: &IpNet) -> Option<IpAddr> {
    match p {
        IpNet::V4(n) => u32::from(n.broadcast()).checked_add(1).map(|a| IpAddr::V4(a.into())),
        IpNet::V6(n) => u128::from(n.broadcast()).checked_add(1).map(|a| IpAddr::V6(a.into())),
    }
}
