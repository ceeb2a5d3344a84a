//! Fidelity to what Azure accepts and does: designs Azure accepted, on-premises prefixes inside
//! Azure space (D18), stateful firewalls (D19), the VPN default site (D20), dual stack (D21),
//! session drops as design findings (Part K). Expected results come from the rules cited.

use super::common::*;

/// The seed with its on-premises router advertising `adv` (a TOML array body).
fn seed_with_onprem(adv: &str) -> String {
    let mut t = seed_text();
    t.push_str(&format!("\n[[onprem]]\nname = \"dc\"\nasn = 65001\ncircuits = [\"circuit01\"]\nadvertise = [{adv}]\n"));
    t
}

fn check(text: &str) -> ersim::check::CheckReport {
    ersim::app::check_source("test.toml", text.as_bytes().to_vec()).expect("loads")
}

#[test]
fn d18_an_onprem_prefix_equal_to_a_spoke_space_is_warned_with_both_outcomes() {
    // 10.10.0.0/16 is spoke10's space; on-premises advertises it too (equal AS-path length at the
    // MSEE: 65001 from dc, 65515 from ergw-hub00).
    let r = check(&seed_with_onprem("\"10.10.0.0/16\", \"192.168.0.0/16\""));
    let d18: Vec<_> = r.warnings.iter().filter(|w| w.code == "onprem-prefix-in-vnet").collect();
    assert_eq!(d18.len(), 1, "{}", ersim::report::check::text(&r));
    let w = d18[0];
    assert!(w.rule == Some(ersim::rules::Rule::D18.into()));
    for part in ["`dc`", "10.10.0.0/16", "equals", "`spoke10`", "route age"] {
        assert!(w.message.contains(part), "the warning names {part}: {}", w.message);
    }
    // What differs: in ersim's outcome hub100's side learns dc's copy (hub00's own spokes never
    // install a prefix inside a peered space, D7), and the other copy would send it to spoke10.
    assert!(w.message.contains("with the other copy they would route it to `spoke10`"), "{}", w.message);
    // Still only a warning: check passes the seed's expectations.
    assert!(r.findings.is_empty());
}

#[test]
fn d18_a_supernet_of_azure_space_is_normal_and_not_warned() {
    let r = check(&seed_with_onprem("\"10.0.0.0/8\", \"192.168.0.0/16\""));
    assert!(!r.warnings.iter().any(|w| w.code == "onprem-prefix-in-vnet"), "{}", ersim::report::check::text(&r));
}

#[test]
fn d18_a_prefix_inside_a_vnet_space_is_warned_too() {
    let r = check(&seed_with_onprem("\"10.110.1.0/24\""));
    let w = r.warnings.iter().find(|w| w.code == "onprem-prefix-in-vnet").expect("warned");
    assert!(w.message.contains("lies inside VNet `spoke110`'s address space 10.110.0.0/16"), "{}", w.message);
}

/// A hub with a Route Server and one NVA of ASN `asn` advertising 172.20.0.0/16.
fn route_server_with_nva_asn(asn: u32) -> String {
    format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.0.0.0/27"

  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"

[[route_server]]
name = "rs"
vnet = "hub"

[[nic]]
name = "nic-nva"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[bgp_peer]]
name = "nva"
nic = "nic-nva"
route_server = "rs"
asn = {asn}
advertise = [{{ prefix = "172.20.0.0/16", as_path = [65559] }}]
"#
    )
}

#[test]
fn r70_a_route_server_peer_above_65535_is_accepted_with_a_warning() {
    // A published lab learned and used 65555-65559 paths from such a peer.
    let text = route_server_with_nva_asn(65555);
    let w = warnings(&text);
    let large: Vec<_> = w.iter().filter(|d| d.code == "large-asn").collect();
    assert_eq!(large.len(), 1, "{w:#?}");
    assert!(large[0].message.contains("65555") && large[0].message.contains("Azure has accepted it"));
    assert!(large[0].rule == Some(ersim::rules::Rule::R70.into()));
    // Routes flow as for any other ASN: the hub's subnet gets 172.20.0.0/16 via the NVA.
    let s = sim(&text);
    let rows = subnet_rows(&s, "hub/nva");
    assert!(
        rows.iter().any(|r| r == "Virtual network gateway|Active|172.20.0.0/16|Virtual network gateway|10.0.1.4|-"),
        "{rows:#?}"
    );
    // The route server holds the path as sent: the NVA's ASN in front of what it learned (D8).
    let rs = s.bgp.route_server_speaker[0];
    let (_, e) = s.bgp.rib(rs).into_iter().find(|(p, _)| p.to_string() == "172.20.0.0/16").expect("learned");
    assert_eq!(s.bgp.interner.asns(e.best[0].path), [65555, 65559]);
    // A reserved ASN stays an error (R64).
    let e = errors(&route_server_with_nva_asn(65517));
    assert!(e.iter().any(|d| d.code == "reserved-asn"), "{e:#?}");
}

/// A hub with a VPN gateway written with `extra` keys.
fn vpn_gateway(extra: &str) -> String {
    format!(
        "[[vnet]]\nname = \"hub\"\naddress_space = [\"10.0.0.0/16\"]\n\n  [[vnet.subnet]]\n  name = \"GatewaySubnet\"\n  prefix = \"10.0.200.0/24\"\n\n[[gateway]]\nname = \"vpngw\"\nvnet = \"hub\"\ntype = \"Vpn\"\n{extra}\n"
    )
}

#[test]
fn an_active_standby_vpn_gateway_takes_one_bgp_address() {
    // Format: `ips` holds ONE address for active-standby (its BGP peer address), TWO for
    // active-active; a second address on active-standby is accepted and unused.
    let one = sim(&vpn_gateway("ips = [\"10.0.200.4\"]"));
    assert_eq!(one.model.gateways[0].ips, ["10.0.200.4".parse::<std::net::IpAddr>().unwrap()]);
    let two = sim(&vpn_gateway("ips = [\"10.0.200.4\", \"10.0.200.5\"]"));
    assert_eq!(two.model.gateways[0].ips.len(), 1, "the second is unused");
    let default = sim(&vpn_gateway(""));
    assert_eq!(default.model.gateways[0].ips, ["10.0.200.4".parse::<std::net::IpAddr>().unwrap()], "default .4");
    let aa = sim(&vpn_gateway("active_active = true"));
    assert_eq!(aa.model.gateways[0].ips.len(), 2, "active-active: .4 and .5");
    let e = errors(&vpn_gateway("active_active = true\nips = [\"10.0.200.4\"]"));
    assert!(e.iter().any(|d| d.code == "bad-value" && d.message.contains("two instance addresses")), "{e:#?}");
}

#[test]
fn an_expressroute_gateway_states_its_instance_addresses_or_gets_the_next_free_ones() {
    let with = |extra: &str| {
        format!("{}\n[[gateway]]\nname = \"ergw\"\nvnet = \"hub\"\ntype = \"ExpressRoute\"\n{extra}\n", vpn_gateway(""))
    };
    let s = sim(&with("ips = [\"10.0.200.10\", \"10.0.200.11\"]"));
    let er = s.model.gateway_by_name("ergw").unwrap();
    assert_eq!(
        s.model.gateways[er.idx()].ips.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        ["10.0.200.10", "10.0.200.11"]
    );
    // Default: the first two free after the (active-standby) VPN gateway's .4.
    let s = sim(&with(""));
    let er = s.model.gateway_by_name("ergw").unwrap();
    assert_eq!(
        s.model.gateways[er.idx()].ips.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        ["10.0.200.5", "10.0.200.6"]
    );
    // An address already held is a duplicate.
    let e = errors(&with("ips = [\"10.0.200.4\", \"10.0.200.11\"]"));
    assert!(e.iter().any(|d| d.code == "duplicate-address"), "{e:#?}");
}

#[test]
fn onprem_advertisements_carry_the_as_path_behind_the_router() {
    // Format: `{ prefix, as_path }` is the path the router has; it prepends its own ASN when it
    // sends, and the MSEE prepends 12076 toward the gateway (D8).
    let s = sim(&seed_with_onprem("{ prefix = \"172.20.0.0/16\", as_path = [65030, 65040] }, \"192.168.0.0/16\""));
    let g = s.model.gateway_by_name("ergw-hub00").unwrap();
    let gs = s.bgp.gateway_speaker[g.idx()];
    let path = |prefix: &str| {
        let (_, e) = s.bgp.rib(gs).into_iter().find(|(p, _)| p.to_string() == prefix).expect("learned");
        s.bgp.interner.asns(e.best[0].path).to_vec()
    };
    assert_eq!(path("172.20.0.0/16"), [12076, 65001, 65030, 65040]);
    assert_eq!(path("192.168.0.0/16"), [12076, 65001]);
}

#[test]
fn a_default_site_is_a_connected_local_gateway() {
    let site = "[[local_gateway]]\nname = \"lng-dc\"\naddress_prefixes = [\"192.168.0.0/16\"]\n";
    let conn = "[[connection]]\nname = \"s2s\"\ngateway = \"vpngw\"\nlocal_gateway = \"lng-dc\"\n";
    let ok = format!("{}{site}\n{conn}", vpn_gateway("default_site = \"lng-dc\""));
    let s = sim(&ok);
    assert_eq!(
        s.model.gateways[0].default_site,
        s.model.local_gateways.iter().position(|l| l.name == "lng-dc").map(|i| ersim::model::LocalGatewayId(i as u32))
    );
    let unconnected = format!("{}{site}", vpn_gateway("default_site = \"lng-dc\""));
    let e = errors(&unconnected);
    assert!(e.iter().any(|d| d.code == "default-site" && d.message.contains("no connection")), "{e:#?}");
    let unknown = format!("{}{site}\n{conn}", vpn_gateway("default_site = \"lng-dx\""));
    assert!(errors(&unknown).iter().any(|d| d.code == "unknown-name" && d.help.iter().any(|h| h.contains("lng-dc"))));
}

#[test]
fn stateful_on_a_nic_that_does_not_forward_is_a_warning() {
    let text = "[[vnet]]\nname = \"v\"\naddress_space = [\"10.0.0.0/16\"]\n  [[vnet.subnet]]\n  name = \"a\"\n  prefix = \"10.0.0.0/24\"\n[[nic]]\nname = \"n\"\nvnet = \"v\"\nsubnet = \"a\"\nstateful = true\n";
    let w = warnings(text);
    assert!(w.iter().any(|d| d.code == "key-not-applicable" && d.message.contains("stateful")), "{w:#?}");
    let fwd = text.replace("stateful = true", "ip_forwarding = true\nstateful = true");
    assert!(warnings(&fwd).is_empty());
    assert!(sim(&fwd).model.nics[0].stateful);
}

/// The seed on a Premium circuit with an on-premises router advertising `n` distinct /24s.
fn seed_premium_with_prefixes(n: usize) -> String {
    let adv: Vec<String> = (0..n).map(|i| format!("\"172.{}.{}.0/24\"", 16 + i / 256, i % 256)).collect();
    edit(&seed_with_onprem(&adv.join(", ")), "sku = \"Standard\"", "sku = \"Premium\"")
}

#[test]
fn part_k_a_session_over_its_limit_is_an_outage_and_a_design_finding() {
    // 10,000 on a Premium circuit: the session stays up; the ErGw1AZ gateways learn more than they
    // hold (R53), a finding as before.
    let r = check(&seed_premium_with_prefixes(10_000));
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"limit-gateway-learned-routes") && !codes.contains(&"prefix-limit"), "{codes:?}");
    assert_eq!(r.exit_code(), 1);
    // 10,001: the private peering drops (R52), on-premises is unreachable, and check says why.
    let text = seed_premium_with_prefixes(10_001);
    let r = check(&text);
    let drop = r.findings.iter().find(|f| f.code == "prefix-limit").expect("the session-drop finding");
    for part in ["`dc`", "`circuit01`", "10001", "10000", "carries nothing"] {
        assert!(drop.message.contains(part), "names {part}: {}", drop.message);
    }
    assert!(drop.help.iter().any(|h| h.contains("at most 10000")), "{:?}", drop.help);
    assert!(!r.findings.iter().any(|f| f.code == "limit-gateway-learned-routes"), "nothing is learned");
    assert_eq!(r.exit_code(), 1);
    let a = ersim::app::reach(&load(&text), "vm-spoke10", "dc").expect("answers");
    assert_eq!(a.reach.verdict, ersim::forward::Verdict::NotDelivered, "on-premises is unreachable");
}

/// A hub with an ExpressRoute gateway and a forwarding device at 10.0.1.4 (`device`: an Azure
/// Firewall block, or an NVA NIC), a spoke whose route to on-premises goes through that device,
/// and a GatewaySubnet with `gateway_subnet` (its route table, if any).
fn through_device(device: &str, gateway_subnet: &str) -> String {
    format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"
  {gateway_subnet}

  [[vnet.subnet]]
  name = "AzureFirewallSubnet"
  prefix = "10.0.1.0/26"

[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[connection]]
name = "conn"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "dc"
asn = 65001
circuits = ["c1"]
advertise = ["192.168.0.0/16"]

[[vnet]]
name = "spoke"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "app"
  prefix = "10.1.1.0/24"
  route_table = "rt-spoke"

[[peering]]
vnets = ["hub", "spoke"]
transit_via = "hub"
allow_forwarded_traffic = true

[[route_table]]
name = "rt-spoke"

  [[route_table.route]]
  name = "onprem-via-fw"
  prefix = "192.168.0.0/16"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.1.4"

[[nic]]
name = "nic-app"
vnet = "spoke"
subnet = "app"
vm = "vm-app"

{device}
"#
    )
}

const FIREWALL: &str = "[[firewall]]\nname = \"afw\"\nvnet = \"hub\"\n";

fn nva(stateful: bool) -> String {
    format!(
        "[[nic]]\nname = \"nva\"\nvnet = \"hub\"\nsubnet = \"AzureFirewallSubnet\"\nip = \"10.0.1.4\"\nip_forwarding = true\nstateful = {stateful}\n"
    )
}

#[test]
fn d19_azure_firewall_drops_a_flow_whose_return_bypasses_it_and_the_gateway_subnet_route_fixes_it() {
    // Forward: spoke → firewall (UDR) → circuit → dc. Return: dc → gateway → GatewaySubnet → the
    // spoke over the peering, not through the firewall: a stateful firewall drops the flow (D19).
    let text = through_device(FIREWALL, "");
    let a = reach(&text, "vm-app", "dc");
    assert_eq!(a.reach.verdict, ersim::forward::Verdict::NotDelivered, "{}", shown(&a));
    assert_eq!(a.reach.exit_code(), 1);
    let drops = a.reach.forward.drops();
    assert!(
        drops.iter().any(|d| d.reason() == ersim::forward::DropReason::AsymmetricStatefulFirewall
            && d.rules() == ersim::rules::Rule::D19.into()),
        "{}",
        shown(&a)
    );
    let text_report = shown(&a);
    assert!(text_report.contains("AsymmetricStatefulFirewall") && text_report.contains("afw"), "{text_report}");
    // A verified fix: the GatewaySubnet route that sends the spoke's space through the firewall.
    let fix = a
        .reach
        .fixes
        .iter()
        .find(|f| matches!(&f.remedies[0], ersim::forward::Remedy::Through { at, .. } if at.subnet == "hub/GatewaySubnet"))
        .unwrap_or_else(|| panic!("a GatewaySubnet fix\n{}", shown(&a)));
    let fixed = apply_fix(&text, fix, "vm-app", "dc");
    assert_delivered_both_ways(&fixed);
    // Written by hand, the same design delivers, symmetric through the firewall both ways.
    let symmetric = through_device(
        FIREWALL,
        "route_table = \"rt-gw\"\n\n[[route_table]]\nname = \"rt-gw\"\n  [[route_table.route]]\n  name = \"spoke-via-fw\"\n  prefix = \"10.1.0.0/16\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_ip = \"10.0.1.4\"\n",
    );
    assert_delivered_both_ways(&reach(&symmetric, "vm-app", "dc"));
}

#[test]
fn d19_an_nva_drops_asymmetric_flows_only_when_it_is_stateful() {
    let plain = reach(&through_device(&nva(false), ""), "vm-app", "dc");
    assert_eq!(plain.reach.verdict, ersim::forward::Verdict::Delivered, "{}", shown(&plain));
    assert!(shown(&plain).contains("warning: asymmetric path"), "the warning stays\n{}", shown(&plain));
    let stateful = reach(&through_device(&nva(true), ""), "vm-app", "dc");
    assert_eq!(stateful.reach.verdict, ersim::forward::Verdict::NotDelivered, "{}", shown(&stateful));
    assert!(shown(&stateful).contains("AsymmetricStatefulFirewall"), "{}", shown(&stateful));
    // check fails the reachability expectation through the firewall.
    let with_expect = format!("{}\n[[expect]]\nfrom = \"vm-app\"\nto = \"dc\"\n", through_device(FIREWALL, ""));
    let r = check(&with_expect);
    assert_eq!(r.exit_code(), 1, "{}", ersim::report::check::text(&r));
    // matrix agrees with reach: with the router as a destination, the pair drops on D19 too.
    let s = sim(&with_expect);
    let sel = ersim::matrix::Selection { include_onprem: true, ..Default::default() };
    let mx = ersim::matrix::compute(&s, &sel, &mut |_, _| {}).unwrap();
    assert_eq!(mx.len(), 3, "two VNets and the router");
    let (app, dc) = (mx.index("spoke").expect("VNet spoke"), mx.index("onprem:dc").expect("router dc"));
    let cell = mx.cell(app, dc);
    assert!(!cell.delivered(), "{cell:?}");
    let ersim::matrix::Cell::Dropped { forward, back } = &cell else { panic!("{cell:?}") };
    assert!(
        forward.contains(&ersim::forward::DropReason::AsymmetricStatefulFirewall)
            || back.contains(&ersim::forward::DropReason::AsymmetricStatefulFirewall),
        "{cell:?}"
    );
}

/// A hub with an active-standby VPN gateway to site `lng` (static), and a spoke forced-tunnelled
/// to the gateway with a 0.0.0.0/0 user route; `extra` goes on the gateway.
fn forced_tunnel(extra: &str) -> String {
    format!(
        r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
{extra}

[[local_gateway]]
name = "lng"
address_prefixes = ["192.168.0.0/16"]

[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "lng"

[[vnet]]
name = "spoke"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "app"
  prefix = "10.1.1.0/24"
  route_table = "rt-spoke"

[[peering]]
vnets = ["hub", "spoke"]
transit_via = "hub"

[[route_table]]
name = "rt-spoke"

  [[route_table.route]]
  name = "default-to-vpn"
  prefix = "0.0.0.0/0"
  next_hop_type = "VirtualNetworkGateway"

[[nic]]
name = "nic-app"
vnet = "spoke"
subnet = "app"
vm = "vm-app"
"#
    )
}

#[test]
fn d20_a_vpn_gateway_without_default_site_drops_what_it_has_no_route_for() {
    let text = forced_tunnel("");
    let a = reach(&text, "vm-app", "8.8.8.8");
    assert_eq!(
        a.reach.verdict,
        ersim::forward::Verdict::NotDelivered,
        "never 'delivered to the Internet'\n{}",
        shown(&a)
    );
    assert!(
        a.reach.forward.drops().iter().any(|d| d.reason() == ersim::forward::DropReason::NoDefaultSite),
        "{}",
        shown(&a)
    );
    // The fix: the connected site as default site.
    let fix = a
        .reach
        .fixes
        .iter()
        .find(|f| matches!(&f.remedies[0], ersim::forward::Remedy::DefaultSite { site, .. } if site == "lng"))
        .unwrap_or_else(|| panic!("a default-site fix\n{}", shown(&a)));
    let fixed = apply_fix(&text, fix, "vm-app", "8.8.8.8");
    assert_eq!(fixed.reach.verdict, ersim::forward::Verdict::OneWay, "{}", shown(&fixed));
    // check warns on the user route (D20).
    let r = check(&text);
    let w = r.warnings.iter().find(|w| w.code == "no-default-site").expect("warned");
    assert!(w.message.contains("default-to-vpn") && w.message.contains("vpngw"), "{}", w.message);
    // With a default site the packet goes to that site; no warning.
    let with_site = forced_tunnel("default_site = \"lng\"");
    let a = reach(&with_site, "vm-app", "8.8.8.8");
    assert_eq!(a.reach.verdict, ersim::forward::Verdict::OneWay, "{}", shown(&a));
    let last = a.reach.forward.branches[0].steps.last().unwrap();
    assert_eq!(last.place, ersim::forward::Place::Site(ersim::model::LocalGatewayId(0)), "{}", shown(&a));
    assert!(!check(&with_site).warnings.iter().any(|w| w.code == "no-default-site"));
}

#[test]
fn d21_reach_keeps_the_address_family() {
    let text = seed_text();
    let err = ersim::app::reach(&load(&text), "10.10.0.4", "2001:db8::1").expect_err("a usage error");
    assert!(err.to_string().contains("different IP families"), "{err}");
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn d21_ipv6_only_vnets_and_subnets_are_refused_dual_stack_is_fine() {
    let v6 = "[[vnet]]\nname = \"v\"\naddress_space = [\"fd00:1::/48\"]\n";
    assert!(errors(v6).iter().any(|d| d.code == "ipv6-only" && d.rule == Some(ersim::rules::Rule::D21.into())));
    let v6_subnet = "[[vnet]]\nname = \"v\"\naddress_space = [\"10.0.0.0/16\", \"fd00:1::/48\"]\n  [[vnet.subnet]]\n  name = \"s\"\n  prefix = \"fd00:1::/64\"\n";
    assert!(errors(v6_subnet).iter().any(|d| d.code == "ipv6-only"), "{:#?}", errors(v6_subnet));
    let dual = "[[vnet]]\nname = \"v\"\naddress_space = [\"10.0.0.0/16\", \"fd00:1::/48\"]\n  [[vnet.subnet]]\n  name = \"s\"\n  prefix = \"10.0.0.0/24\"\n[[nic]]\nname = \"n\"\nvnet = \"v\"\nsubnet = \"s\"\n";
    let rows = nic_rows(&sim(dual), "n");
    for want in ["Default|Active|::/0|Internet|-|-", "Default|Active|fd00:1::/48|Virtual network|-|-"] {
        assert!(rows.iter().any(|r| r == want), "{want}\n{rows:#?}");
    }
}
