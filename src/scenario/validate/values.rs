//! Value parsers: prefixes, addresses, ASNs, enums and integer ranges, each with its located error;
//! keys that do not apply; prefix overlaps; the placeholder addresses of D14.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::GatewayKind;
use crate::net::{prefix_order, reserved_asn};
use crate::rules::Rule;
use crate::scenario::raw::{Int, RawPrefix, Sp};

/// The address the model gives an item that has none: a firewall whose AzureFirewallSubnet has
/// no `.4`. While validating, an item whose address is not known compares as this address.
pub(super) const UNSPECIFIED: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

/// An advertised prefix as read: parsed already, or checked and reported as [`parse_prefix`] does.
pub(super) fn advertised_prefix(p: &Sp<RawPrefix>, d: &mut Diagnostics) -> Option<IpNet> {
    match &p.v {
        RawPrefix::Net(net) => Some(*net),
        RawPrefix::Text(s) => parse_prefix(&Sp::new(s.clone(), p.span.clone()), "advertised prefix", d),
    }
}

/// A prefix in CIDR form; host bits set are an error, and the network meant is used from there on.
pub(super) fn parse_prefix(sp: &Sp<String>, what: &str, d: &mut Diagnostics) -> Option<IpNet> {
    match sp.v.trim().parse::<IpNet>() {
        Ok(net) => {
            if net != net.trunc() {
                d.push(
                    Diagnostic::error(Code::HostBits, format!("{what} `{}` has host bits set", sp.v))
                        .at(sp.span.clone())
                        .label("host bits set")
                        .help(format!("write `{}` (the network address of this prefix)", net.trunc())),
                );
                // Go on with the network the user meant, so later checks do not cascade.
                Some(net.trunc())
            } else {
                Some(net)
            }
        }
        Err(_) => {
            let help = if sp.v.parse::<IpAddr>().is_ok() {
                format!("add a prefix length, e.g. `{}/24`", sp.v)
            } else {
                "write an IPv4 or IPv6 prefix in CIDR form, e.g. `10.0.0.0/16`".to_string()
            };
            d.push(
                Diagnostic::error(Code::BadPrefix, format!("{what} `{}` is not a valid prefix", sp.v))
                    .at(sp.span.clone())
                    .label("not a CIDR prefix")
                    .help(help),
            );
            None
        }
    }
}

/// An IP address (an error for anything else, with a hint when a length was written).
pub(super) fn parse_ip(sp: &Sp<String>, what: &str, d: &mut Diagnostics) -> Option<IpAddr> {
    match sp.v.trim().parse::<IpAddr>() {
        Ok(ip) => Some(ip),
        Err(_) => {
            let help = if let Some((ip, _)) = sp.v.split_once('/') {
                format!("write the address without a length: `{ip}`")
            } else {
                "write an IPv4 or IPv6 address, e.g. `10.0.1.4`".to_string()
            };
            d.push(
                Diagnostic::error(Code::BadAddress, format!("{what} `{}` is not a valid IP address", sp.v))
                    .at(sp.span.clone())
                    .label("not an IP address")
                    .help(help),
            );
            None
        }
    }
}

/// An ASN in range: 1-65535 for a 16-bit one (route-server peers, R70), else 1-4294967295.
pub(super) fn parse_asn(sp: &Sp<Int>, what: &str, sixteen_bit: bool, d: &mut Diagnostics) -> Option<u32> {
    let max: Int = if sixteen_bit { 65535 } else { u32::MAX as Int };
    if sp.v < 1 || sp.v > max {
        d.push(
            Diagnostic::error(Code::BadAsn, format!("{what} {} is out of range", sp.v))
                .at(sp.span.clone())
                .label(format!("must be 1 to {max}"))
                .help(if sixteen_bit {
                    "Route Server peers take 16-bit ASNs (R70); private range 64512-65534".to_string()
                } else {
                    "use a private ASN such as 65001".to_string()
                }),
        );
        return None;
    }
    Some(sp.v as u32)
}

/// Whether an ASN may be used: one Azure keeps is an error (R64).
pub(super) fn check_reserved_asn(asn: u32, sp: &Sp<Int>, what: &str, d: &mut Diagnostics) -> bool {
    if reserved_asn(asn) {
        d.push(
            Diagnostic::error(Code::ReservedAsn, format!("{what} {asn} is reserved by Azure"))
                .at(sp.span.clone())
                .label("reserved ASN")
                .help("Azure refuses 8074, 8075, 12076, 23456, 64496-64511, 65515-65520 and 65535-65551; pick another private ASN such as 65001")
                .rule(Rule::R64),
        );
        return false;
    }
    true
}

/// One of `options`, case-insensitively (the canonical spelling is returned).
pub(super) fn parse_enum<'o>(sp: &Sp<String>, what: &str, options: &[&'o str], d: &mut Diagnostics) -> Option<&'o str> {
    if let Some(o) = options.iter().find(|o| o.eq_ignore_ascii_case(sp.v.trim())) {
        return Some(o);
    }
    d.push(
        Diagnostic::error(Code::BadValue, format!("{what} `{}` is not one of: {}", sp.v, options.join(", ")))
            .at(sp.span.clone())
            .label("unknown value")
            .help_opt(did_you_mean(&sp.v, options.iter().copied()))
            .help(format!("write one of: {} (case does not matter)", options.join(", "))),
    );
    None
}

/// A key that does not apply where it is written: an error when it is there.
pub(super) fn not_applicable<T>(v: &Option<Sp<T>>, key: &str, why: &str, help: &str, d: &mut Diagnostics) {
    if let Some(sp) = v {
        d.push(
            Diagnostic::error(Code::KeyNotApplicable, format!("`{key}` {why}"))
                .at(sp.span.clone())
                .label("does not apply here")
                .help(help.to_string()),
        );
    }
}

/// An integer from `lo` to `hi`.
pub(super) fn int_in(sp: &Sp<Int>, what: &str, lo: Int, hi: Int, d: &mut Diagnostics) -> Option<u32> {
    if sp.v < lo || sp.v > hi {
        d.push(
            Diagnostic::error(Code::OutOfRange, format!("{what} {} is out of range", sp.v))
                .at(sp.span.clone())
                .label(format!("must be {lo} to {hi}"))
                .help(format!("use a value from {lo} to {hi}")),
        );
        return None;
    }
    Some(sp.v as u32)
}

/// Prefix pairs that overlap, found by a sort-and-sweep (no quadratic loop).
pub(super) fn overlapping<T: Copy>(mut items: Vec<(IpNet, T)>) -> Vec<((IpNet, T), (IpNet, T))> {
    items.sort_by(|a, b| prefix_order(&a.0, &b.0));
    let mut out = Vec::new();
    // Active containers: a stack of prefixes that contain the current position.
    let mut stack: Vec<(IpNet, T)> = Vec::new();
    for it in items {
        while let Some(top) = stack.last() {
            if top.0.contains(&it.0) {
                break;
            }
            stack.pop();
        }
        if let Some(top) = stack.last() {
            out.push((*top, it));
        }
        stack.push(it);
    }
    out
}

/// "an ExpressRoute" / "a VPN", for messages.
pub(super) fn a_kind(kind: GatewayKind) -> &'static str {
    match kind {
        GatewayKind::ExpressRoute => "an ExpressRoute",
        GatewayKind::Vpn => "a VPN",
    }
}

/// Placeholder next hops for a circuit without `next_hops` (D14): stable per name order.
pub(super) fn circuit_placeholder(index: usize) -> Vec<IpAddr> {
    // TEST-NET-2 then TEST-NET-1 (RFC 5737), then the benchmarking range (RFC 2544).
    let base: [(u32, u32); 3] = [(0xC633_6400, 254), (0xC000_0200, 254), (0xC612_0000, 131_070)];
    (0..2u32)
        .map(|n| {
            let mut kk = 2 * index as u32 + n;
            for (start, count) in base {
                if kk < count {
                    return IpAddr::V4((start + 1 + kk).into());
                }
                kk -= count;
            }
            IpAddr::V4(0xC612_0000u32.into())
        })
        .collect()
}

/// Placeholder public address of an active-standby VPN gateway without `public_ip` (D14).
pub(super) fn vpn_placeholder(index: usize) -> IpAddr {
    IpAddr::V4((0xCB00_7100u32 + 1 + (index as u32 % 254)).into()) // TEST-NET-3
}
