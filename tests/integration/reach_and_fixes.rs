//! An independent review of `reach`, `check`, `matrix` and the fix engine against azure-routing.md
//! ("Forwarding (`reach`)", D11, D12, D16, D17), scenario-format.md (`[[expect]]`, name
//! resolution), the README's JSON outputs and issues 4, 5 and 6.
//!
//! The tests named `disagreement_*` assert specified behaviour ersim does not show yet (each cites
//! the sentence it relies on); the others pin behaviour that was not covered elsewhere.

use ersim::rules::{Rule, RuleSet};
use std::collections::BTreeSet;
use std::net::IpAddr;

use ersim::app::ReachAnswer;
use ersim::forward::Fix;
use ersim::forward::{DropReason, Outcome, Place, Trace, Verdict};
use ersim::scenario::edit::{BlockKind, Edit};

use ersim::report::remedy::fix_summary;

use super::common::*;

// ------------------------------------------------------------------ helpers

/// Every drop reason of a trace's branches.
fn reasons(t: &Trace) -> Vec<DropReason> {
    t.branches
        .iter()
        .filter_map(|b| match &b.outcome {
            Outcome::Dropped(d) => Some(d.reason()),
            Outcome::Delivered => None,
        })
        .collect()
}

/// Every fix offered delivers when applied (both ways, or one way for a public destination).
fn assert_every_fix_works(text: &str, a: &ReachAnswer, from: &str, to: &str) {
    for fix in &a.reach.fixes {
        let after = apply_fix(text, fix, from, to);
        assert!(
            matches!(after.reach.verdict, Verdict::Delivered | Verdict::OneWay),
            "fix `{}` does not deliver\n{}",
            fix_summary(fix),
            shown(&after)
        );
    }
}

fn set_key(f: &Fix, kind: &str, name: &str, key: &str, value: &str) -> bool {
    f.edits.iter().any(|e| {
        matches!(e, Edit::SetKey { block, key: y, value: v }
            if block.kind() == kind && block.name() == name && y == key && v == value)
    })
}

fn check_text(text: &str) -> ersim::check::CheckReport {
    ersim::app::check_source("test.toml", text.as_bytes().to_vec()).unwrap_or_else(|e| panic!("check: {e}"))
}

/// A hub (NVA subnet 10.0.1.0/24) with spoke1 (10.1.0.0/16, route table rt-spoke1) and spoke2
/// (10.2.0.0/16, route table rt-spoke2), one VM each, forwarded traffic allowed; `rest` appended.
fn hub_spokes(rest: &str) -> String {
    r#"
format = 1

[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"

[[vnet]]
name = "spoke1"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"
  route_table = "rt-spoke1"

[[vnet]]
name = "spoke2"
address_space = ["10.2.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.2.0.0/24"
  route_table = "rt-spoke2"

[[peering]]
vnets = ["hub", "spoke1"]
allow_forwarded_traffic = true

[[peering]]
vnets = ["hub", "spoke2"]
allow_forwarded_traffic = true

[[nic]]
name = "nic-vm1"
vnet = "spoke1"
subnet = "default"
ip = "10.1.0.4"
vm = "vm1"

[[nic]]
name = "nic-vm2"
vnet = "spoke2"
subnet = "default"
ip = "10.2.0.4"
vm = "vm2"
"#
    .to_string()
        + rest
}

/// A route table with one VirtualAppliance route.
fn table(name: &str, route: &str, prefix: &str, ip: &str) -> String {
    format!(
        "\n[[route_table]]\nname = \"{name}\"\n\n  [[route_table.route]]\n  name = \"{route}\"\n  prefix = \"{prefix}\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_ip = \"{ip}\"\n"
    )
}

fn nva(name: &str, ip: &str, forwarding: bool) -> String {
    format!(
        "\n[[nic]]\nname = \"{name}\"\nvnet = \"hub\"\nsubnet = \"nva\"\nip = \"{ip}\"\nip_forwarding = {forwarding}\n"
    )
}

/// A hub with an ExpressRoute gateway on two circuits (equal weight, ECMP: D9) to one on-premises
/// router, and an internal load balancer in front of two NVAs. GatewaySubnet sends spoke1 to the
/// load balancer (R32); spoke1 sends on-premises to it when `spoke_udr`.
fn two_circuits_two_nvas(spoke_udr: bool) -> String {
    let spoke_table = if spoke_udr { "  route_table = \"rt-spoke1\"\n" } else { "" };
    let mut t = format!(
        r#"
format = 1

[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.0.0/27"
  route_table = "rt-gw"

  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"

[[vnet]]
name = "spoke1"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"
{spoke_table}
[[peering]]
vnets = ["hub", "spoke1"]
transit_via = "hub"
allow_forwarded_traffic = true

[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
next_hops = ["192.0.2.1", "192.0.2.2"]

[[circuit]]
name = "c2"
next_hops = ["192.0.2.11", "192.0.2.12"]

[[connection]]
name = "conn-c1"
gateway = "ergw"
circuit = "c1"

[[connection]]
name = "conn-c2"
gateway = "ergw"
circuit = "c2"

[[onprem]]
name = "dc"
asn = 65010
circuits = ["c1", "c2"]
advertise = ["10.200.0.0/16"]

[[nic]]
name = "nic-nva1"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[nic]]
name = "nic-nva2"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.5"
ip_forwarding = true

[[load_balancer]]
name = "ilb"
vnet = "hub"
subnet = "nva"
frontend_ip = "10.0.1.100"
backends = ["nic-nva1", "nic-nva2"]

[[nic]]
name = "nic-vm1"
vnet = "spoke1"
subnet = "default"
ip = "10.1.0.4"
vm = "vm1"
"#
    );
    t += &table("rt-gw", "spoke1-via-nva", "10.1.0.0/16", "10.0.1.100");
    if spoke_udr {
        t += &table("rt-spoke1", "dc-via-nva", "10.200.0.0/16", "10.0.1.100");
    }
    t
}

/// NVA names a branch crosses, in order.
fn nvas(a: &ReachAnswer, b: &ersim::forward::Branch) -> Vec<String> {
    b.steps
        .iter()
        .filter_map(|s| match s.place {
            Place::Nva(n) => Some(a.model.nics[n.idx()].name.clone()),
            _ => None,
        })
        .collect()
}

// ================================================================== disagreements

/// azure-routing.md "Forwarding": "`Internet` → leaves Azure: delivered only to a public address,
/// else `ToInternet`." In the bundled forced-tunnelling design the on-premises router advertises
/// 0.0.0.0/0; vm-sandbox (no gateway transit) sends 8.8.8.8 out of its own `0.0.0.0/0 Internet`
/// row. 8.8.8.8 is public, so the branch is delivered — ersim drops it `ToInternet` ("leaves Azure
/// for a private address") because it resolved 8.8.8.8 to the on-premises router.
#[test]
fn disagreement_internet_row_to_a_public_address_is_delivered_when_onprem_advertises_a_default() {
    let text = bundled_text("hub-spoke-firewall-forced-tunnelling.toml");
    let a = reach(&text, "vm-sandbox", "8.8.8.8");
    let b = &a.reach.forward.branches[0];
    let r = b.steps[0].route.as_ref().expect("the source looks up its table");
    assert_eq!((r.prefix.to_string().as_str(), route_shown(&a, r).2.as_str()), ("0.0.0.0/0", "Internet"));
    assert!(a.reach.forward.delivered(), "Forwarding: Internet row + public address = delivered\n{}", shown(&a));
    assert!(!reasons(&a.reach.forward).contains(&DropReason::ToInternet), "{}", shown(&a));
}

/// README: "a public address gets a one-way verdict"; issue 4: "a public address gets a one-way
/// verdict ("return path not modelled")". Under forced tunnelling (on-premises advertises
/// 0.0.0.0/0) ersim instead treats 8.8.8.8 as an on-premises host and reports it delivered both
/// ways, with a return path that starts "at on-premises dc-amsterdam 8.8.8.8".
#[test]
fn disagreement_a_public_destination_gets_a_one_way_verdict_under_forced_tunnelling() {
    let text = bundled_text("hub-spoke-firewall-forced-tunnelling.toml");
    for from in ["vm-spoke1", "vm-sandbox"] {
        let a = reach(&text, from, "8.8.8.8");
        assert_eq!(a.reach.verdict, Verdict::OneWay, "{from} → 8.8.8.8\n{}", shown(&a));
        assert!(a.reach.back.is_none(), "{from}: no return trace for a public address\n{}", shown(&a));
    }
}

/// A chain of `n` NVAs in one VNet, each in its own subnet whose table sends 10.0.255.0/24 to the
/// next: nic-src → NVA 1 → … → NVA n → nic-dst is `n + 1` routed hops (D16).
fn nva_chain(n: usize) -> String {
    let mut t = String::from(
        "format = 1\n\n[[vnet]]\nname = \"v\"\naddress_space = [\"10.0.0.0/16\"]\n\n  [[vnet.subnet]]\n  name = \"src\"\n  prefix = \"10.0.0.0/24\"\n  route_table = \"rt0\"\n",
    );
    for i in 1..=n {
        t += &format!("\n  [[vnet.subnet]]\n  name = \"s{i}\"\n  prefix = \"10.0.{i}.0/24\"\n");
        if i < n {
            t += &format!("  route_table = \"rt{i}\"\n");
        }
    }
    t += "\n  [[vnet.subnet]]\n  name = \"dst\"\n  prefix = \"10.0.255.0/24\"\n";
    t += "\n[[nic]]\nname = \"nic-src\"\nvnet = \"v\"\nsubnet = \"src\"\nip = \"10.0.0.4\"\n";
    t += "\n[[nic]]\nname = \"nic-dst\"\nvnet = \"v\"\nsubnet = \"dst\"\nip = \"10.0.255.4\"\n";
    for i in 1..=n {
        t += &format!(
            "\n[[nic]]\nname = \"nva{i}\"\nvnet = \"v\"\nsubnet = \"s{i}\"\nip = \"10.0.{i}.4\"\nip_forwarding = true\n"
        );
    }
    for i in 0..n {
        t += &table(&format!("rt{i}"), "fwd", "10.0.255.0/24", &format!("10.0.{}.4", i + 1));
    }
    t
}

/// azure-routing.md "Forwarding": "over 64 routed hops → `HopLimit`"; README: "`reach` stops at 64
/// routed hops". 64 routed hops deliver; 65 (64 NVAs and the destination) must not — ersim delivers
/// them, because the destination's hop is never checked against the bound.
#[test]
fn disagreement_sixty_five_routed_hops_are_a_hop_limit() {
    let ok = reach(&nva_chain(63), "nic-src", "nic-dst");
    assert!(ok.reach.forward.delivered(), "{}", shown(&ok));
    assert_eq!(ok.reach.forward.hop_range(), Some((64, 64)));

    let over = reach(&nva_chain(64), "nic-src", "nic-dst");
    let hops = over.reach.forward.branches[0].routed_hops();
    assert!(
        !over.reach.forward.delivered() && reasons(&over.reach.forward) == [DropReason::HopLimit],
        "over 64 routed hops must be HopLimit; got {hops} routed hops, delivered = {}",
        over.reach.forward.delivered()
    );
}

/// Issue 4: "an address inside an on-prem router's `advertise` starts or ends at that router".
/// A router that advertises the usual 10.0.0.0/8 summary is given 10.0.0.1 as its address — an
/// address inside the hub's own space (ersim itself resolves 10.0.0.1 to a synthetic host in
/// hub/GatewaySubnet), so the return path is delivered into the hub and drops `NoSuchHost`, though
/// the design works: the spoke installs the 10.0.0.0/8 supernet (D7) toward the circuit.
#[test]
fn disagreement_an_onprem_router_endpoint_is_an_address_on_premises() {
    let text = two_circuits_two_nvas(false)
        .replace("advertise = [\"10.200.0.0/16\"]", "advertise = [\"10.0.0.0/8\"]")
        .replace("  route_table = \"rt-gw\"\n", "");
    let a = reach(&text, "dc", "vm1");
    let ip = a.reach.forward.from.ip;
    let azure: Vec<ipnet::IpNet> = a.model.vnets.iter().flat_map(|v| v.address_space.clone()).collect();
    assert!(!azure.iter().any(|p| p.contains(&ip)), "dc's address {ip} lies in Azure's own space {azure:?}");
    assert_delivered_both_ways(&a);
}

/// scenario-format.md `[[expect]]`: "an asymmetric path counts as delivered (with a warning) unless
/// `symmetric = true` is set"; issue 4: asymmetry "is reported as a warning". `check` passes the
/// expectation but reports no warning at all (0 warnings, detail "delivered both ways").
#[test]
fn disagreement_check_warns_about_an_asymmetric_path_it_counts_as_delivered() {
    let text = hub_spokes(
        &(table("rt-spoke1", "to-spoke2", "10.2.0.0/16", "10.0.1.4")
            + &table("rt-spoke2", "to-spoke1", "10.1.0.0/16", "10.0.1.5")
            + &nva("nic-nva-a", "10.0.1.4", true)
            + &nva("nic-nva-b", "10.0.1.5", true)
            + "\n[[expect]]\nname = \"spoke1 reaches spoke2\"\nfrom = \"vm1\"\nto = \"vm2\"\n"),
    );
    assert!(reach(&text, "vm1", "vm2").reach.asymmetric());
    let r = check_text(&text);
    let e = &r.expectations[0];
    let detail = ersim::report::check::detail(&r, e);
    assert!(e.pass, "an asymmetric path counts as delivered: {detail}");
    let warned = detail.to_lowercase().contains("asymmetric")
        || r.warnings.iter().any(|w| w.message.to_lowercase().contains("asymmetric"));
    assert!(warned, "check must report the asymmetry as a warning\n{}", ersim::report::check::text(&r));
}

/// Issue 5: "a next hop nobody holds is a `check` warning and a `reach` drop with reason and fix
/// (D17)" (and the fix catalogue's own line, in forward::remedy: "`NextHopUnreachable`: point the
/// route at a forwarding device that exists"). spoke1's route points at 10.0.1.9, the NVA is
/// 10.0.1.4: repointing the route delivers, but ersim offers no fix at all.
#[test]
fn disagreement_next_hop_unreachable_comes_with_a_verified_fix() {
    let text = hub_spokes(
        &(table("rt-spoke1", "to-spoke2", "10.2.0.0/16", "10.0.1.9")
            + &table("rt-spoke2", "to-spoke1", "10.1.0.0/16", "10.0.1.4")
            + &nva("nic-nva", "10.0.1.4", true)),
    );
    let a = reach(&text, "vm1", "vm2");
    assert_eq!(reasons(&a.reach.forward), [DropReason::NextHopUnreachable], "{}", shown(&a));
    // The fix exists: the same route pointed at the NVA.
    let by_hand = edit(&text, "next_hop_ip = \"10.0.1.9\"", "next_hop_ip = \"10.0.1.4\"");
    assert_delivered_both_ways(&reach(&by_hand, "vm1", "vm2"));
    assert!(!a.reach.fixes.is_empty(), "a NextHopUnreachable drop must come with a fix\n{}", shown(&a));
    assert_every_fix_works(&text, &a, "vm1", "vm2");
}

/// Issue 4: drops carry "a fix: every change needed, not just the first". spoke1 sends 0.0.0.0/0
/// to a load balancer whose two backends both have IP forwarding off: each ECMP branch drops
/// `IpForwardingOff` at its own NIC, and only turning both on delivers. ersim tries each NIC alone
/// (neither delivers every branch) and never the two together, so it offers nothing.
#[test]
fn disagreement_a_fix_covers_every_branch_of_one_direction() {
    let text = hub_spokes(
        &(table("rt-spoke1", "default-via-ilb", "0.0.0.0/0", "10.0.1.100")
            + "\n[[route_table]]\nname = \"rt-spoke2\"\n"
            + &nva("nic-lb1", "10.0.1.10", false)
            + &nva("nic-lb2", "10.0.1.11", false)
            + "\n[[load_balancer]]\nname = \"ilb\"\nvnet = \"hub\"\nsubnet = \"nva\"\nfrontend_ip = \"10.0.1.100\"\nbackends = [\"nic-lb1\", \"nic-lb2\"]\n"),
    );
    let a = reach(&text, "vm1", "8.8.8.8");
    assert_eq!(reasons(&a.reach.forward), [DropReason::IpForwardingOff, DropReason::IpForwardingOff], "{}", shown(&a));
    let by_hand = text.replace("ip_forwarding = false", "ip_forwarding = true");
    assert_eq!(reach(&by_hand, "vm1", "8.8.8.8").reach.verdict, Verdict::OneWay);
    let both = a.reach.fixes.iter().find(|f| {
        set_key(f, "nic", "nic-lb1", "ip_forwarding", "true") && set_key(f, "nic", "nic-lb2", "ip_forwarding", "true")
    });
    assert!(both.is_some(), "the fix turns IP forwarding on for both backends\n{}", shown(&a));
    assert_every_fix_works(&text, &a, "vm1", "8.8.8.8");
}

/// Issue 4: "a fix: every change needed, not just the first". D12: a Route Server default route
/// reaches the whole domain "even toward a NIC with `ip_forwarding = false`". Turning forwarding on
/// then exposes the NVA-subnet loop (D12), whose catalogued fix is propagation off there
/// ("Forwarding": "UDR on the NVA subnet toward the real next hop, or propagation off there").
/// Both changes together deliver; ersim offers no fix.
#[test]
fn disagreement_a_fix_includes_the_change_the_first_change_makes_necessary() {
    let text = r#"
format = 1

[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.0.0.0/27"

  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"

[[vnet]]
name = "spoke1"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"

[[peering]]
vnets = ["hub", "spoke1"]
transit_via = "hub"
allow_forwarded_traffic = true

[[route_server]]
name = "rs-hub"
vnet = "hub"

[[nic]]
name = "nic-nva"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = false

[[bgp_peer]]
name = "nva"
nic = "nic-nva"
route_server = "rs-hub"
asn = 65010
advertise = ["0.0.0.0/0"]

[[nic]]
name = "nic-vm1"
vnet = "spoke1"
subnet = "default"
ip = "10.1.0.4"
vm = "vm1"
"#;
    let a = reach(text, "vm1", "8.8.8.8");
    assert_eq!(reasons(&a.reach.forward), [DropReason::IpForwardingOff], "{}", shown(&a));
    // Forwarding on alone loops (D12) ...
    let on = text.replace("ip_forwarding = false", "ip_forwarding = true");
    assert_eq!(reasons(&reach(&on, "vm1", "8.8.8.8").reach.forward), [DropReason::Loop]);
    // ... forwarding on and propagation off on the NVA subnet deliver.
    let both = edit(&on, "  prefix = \"10.0.1.0/24\"\n", "  prefix = \"10.0.1.0/24\"\n  route_table = \"rt-nva\"\n")
        + "\n[[route_table]]\nname = \"rt-nva\"\ndisable_bgp_route_propagation = true\n";
    assert_eq!(reach(&both, "vm1", "8.8.8.8").reach.verdict, Verdict::OneWay);
    assert!(!a.reach.fixes.is_empty(), "a working fix exists (two catalogued changes)\n{}", shown(&a));
    assert!(a.reach.fixes.iter().all(|f| set_key(f, "nic", "nic-nva", "ip_forwarding", "true")));
    assert_every_fix_works(text, &a, "vm1", "8.8.8.8");
}

/// ExpressRoute site and VPN site in one hub with a route server whose branch_to_branch is off.
fn er_vpn_hub(branch_to_branch: bool) -> String {
    format!(
        r#"
format = 1

[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"

  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.0.254.0/27"

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[nic]]
name = "nic-hub"
vnet = "hub"
subnet = "default"

[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
next_hops = ["10.255.0.1", "10.255.0.2"]

[[connection]]
name = "er"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "dc-er"
asn = 65001
circuits = ["c1"]
advertise = ["192.168.0.0/16"]

[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
active_active = true

[[onprem]]
name = "dc-vpn"
asn = 65010
advertise = ["172.20.0.0/16"]

[[local_gateway]]
name = "lng"
bgp_asn = 65010
bgp_peer_ip = "172.31.255.1"
onprem = "dc-vpn"

[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "lng"
bgp = true

[[route_server]]
name = "rs"
vnet = "hub"
branch_to_branch = {branch_to_branch}
"#
    )
}

/// azure-routing.md "Forwarding": "Each drop gives reason, rule id and every working fix (using
/// losing or filtered candidates where any exist)"; R67 names the missing condition; the fix
/// catalogue (forward::remedy): "`NoErVpnTransit`: the missing R67 conditions". Only branch_to_branch is missing
/// (`check` says so), setting it delivers, yet `reach dc-er dc-vpn` offers no fix.
#[test]
fn disagreement_er_to_vpn_drop_offers_the_missing_r67_condition() {
    let text = er_vpn_hub(false);
    let r = check_text(&text);
    assert!(r.warnings.iter().any(|w| w.message.contains("branch_to_branch")), "{}", ersim::report::check::text(&r));
    assert_delivered_both_ways(&reach(&er_vpn_hub(true), "dc-er", "dc-vpn"));
    let a = reach(&text, "dc-er", "dc-vpn");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered);
    assert!(
        a.reach.fixes.iter().any(|f| set_key(f, "route_server", "rs", "branch_to_branch", "true")),
        "the fix is branch_to_branch = true on rs (R67)\n{}",
        shown(&a)
    );
    assert_every_fix_works(&text, &a, "dc-er", "dc-vpn");
}

// ================================================================== covered here, passing

/// ECMP over two circuits and two NVAs at once (D2, D9, R24, "Forwarding": a load-balancer
/// frontend's backends are ECMP branches): from the spoke, 2 backends × 2 circuits × 2 MSEE links
/// = 8 branches; from on-premises, 2 circuits × 2 backends = 4, through GatewaySubnet's UDR (R32).
/// D16: NVA + destination = 2 routed hops out; gateway entered from a circuit + NVA + destination
/// = 3 back. Both ways cross the same NVAs: no asymmetry warning.
#[test]
fn ecmp_over_two_circuits_and_two_load_balanced_nvas_both_ways() {
    let a = reach(&two_circuits_two_nvas(true), "vm1", "dc");
    assert_delivered_both_ways(&a);
    assert!(a.reach.warnings.is_empty(), "{:?}", a.reach.warnings);
    let f = &a.reach.forward;
    assert_eq!(f.branches.len(), 8, "{}", shown(&a));
    assert_eq!(f.hop_range(), Some((2, 2)));
    let mut combos: BTreeSet<(String, String)> = BTreeSet::new();
    for b in &f.branches {
        let n = nvas(&a, b);
        assert_eq!(n.len(), 1, "{:?}", places(&a, b));
        let link = b
            .steps
            .iter()
            .find_map(|s| match s.place {
                Place::Msee(_, Some(ip)) => Some(ip.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no MSEE link on {:?}", places(&a, b)));
        combos.insert((n[0].clone(), link));
    }
    assert_eq!(combos.len(), 8, "every (backend, MSEE link) pair once: {combos:?}");
    let t = back(&a);
    assert_eq!(t.branches.len(), 4, "{}", shown(&a));
    assert_eq!(t.hop_range(), Some((3, 3)));
    for b in &t.branches {
        let p = places(&a, b);
        let gw = p.iter().position(|s| s.contains("ergw")).expect("enters ergw");
        let lb = p.iter().position(|s| s.contains("load balancer ilb")).expect("passes the frontend");
        assert!(gw < lb, "{p:?}");
        assert_eq!(nvas(&a, b).len(), 1);
    }
}

/// "Different NVAs/firewalls forward and back → warning": GatewaySubnet steers on-premises →
/// spoke1 through the NVAs (R32) but spoke1 has no matching UDR, so its traffic goes straight to
/// the MSEE (R54). Delivered (exit 0) with the warning.
#[test]
fn gateway_subnet_udr_without_the_spoke_udr_is_asymmetric_with_a_warning() {
    let a = reach(&two_circuits_two_nvas(false), "vm1", "dc");
    assert_delivered_both_ways(&a);
    assert!(a.reach.forward.forwarders().is_empty(), "{}", shown(&a));
    assert!(!back(&a).forwarders().is_empty(), "{}", shown(&a));
    assert!(a.reach.asymmetric());
    assert!(
        warnings_shown(&a).iter().any(|w| w.contains("asymmetric") && w.contains("nic-nva1")),
        "{:?}",
        a.reach.warnings
    );
}

/// VPN transit between two BGP sites on one VPN gateway (issue 6: "transit across VPN gateways"):
/// D16 counts the gateway entered from the tunnel and the destination; VNet-to-VNet counts the
/// gateway left through, the far gateway entered from the tunnel, and the destination.
#[test]
fn vpn_transit_between_two_sites_and_vnet_to_vnet_hop_counts() {
    let mut t = String::from(
        r#"
format = 1

[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true
asn = 65050
public_ip = "203.0.113.10"

[[nic]]
name = "nic-hub"
vnet = "hub"
subnet = "default"
vm = "vm-hub"
"#,
    );
    for (site, asn, prefix, peer) in
        [("siteA", 65010, "172.20.0.0/16", "172.20.255.1"), ("siteB", 65020, "172.30.0.0/16", "172.30.255.1")]
    {
        t += &format!(
            "\n[[onprem]]\nname = \"{site}\"\nasn = {asn}\nadvertise = [\"{prefix}\"]\n\n[[local_gateway]]\nname = \"lng-{site}\"\nbgp_asn = {asn}\nbgp_peer_ip = \"{peer}\"\nonprem = \"{site}\"\n\n[[connection]]\nname = \"s2s-{site}\"\ngateway = \"vpngw\"\nlocal_gateway = \"lng-{site}\"\nbgp = true\n"
        );
    }
    let a = reach(&t, "siteA", "siteB");
    assert_delivered_both_ways(&a);
    for tr in [&a.reach.forward, back(&a)] {
        assert_eq!(tr.hop_range(), Some((2, 2)), "{}", shown(&a));
        assert!(places(&a, &tr.branches[0]).iter().any(|p| p.contains("vpngw")));
    }
    assert_delivered_both_ways(&reach(&t, "vm-hub", "siteB"));

    // VNet-to-VNet with BGP: gw-a (left through), gw-b (entered from the tunnel), the VM: 3 hops.
    let v2v = r#"
format = 1

[[vnet]]
name = "a"
address_space = ["10.10.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.10.0.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.10.255.0/27"

[[vnet]]
name = "b"
address_space = ["10.20.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.20.0.0/24"
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.20.255.0/27"

[[gateway]]
name = "gw-a"
vnet = "a"
type = "Vpn"
bgp = true
asn = 65100

[[gateway]]
name = "gw-b"
vnet = "b"
type = "Vpn"
bgp = true
asn = 65200

[[connection]]
name = "a-to-b"
gateway = "gw-a"
remote_gateway = "gw-b"
bgp = true

[[connection]]
name = "b-to-a"
gateway = "gw-b"
remote_gateway = "gw-a"
bgp = true

[[nic]]
name = "nic-a"
vnet = "a"
subnet = "default"

[[nic]]
name = "nic-b"
vnet = "b"
subnet = "default"
"#;
    let a = reach(v2v, "nic-a", "nic-b");
    assert_delivered_both_ways(&a);
    for tr in [&a.reach.forward, back(&a)] {
        assert_eq!(tr.hop_range(), Some((3, 3)), "{}", shown(&a));
        let routed: Vec<String> = tr.branches[0]
            .steps
            .iter()
            .filter(|s| s.routed)
            .map(|s| ersim::report::forward::place_name(&a.model, &s.place))
            .collect();
        assert!(routed[0].contains("gw-") && routed[1].contains("gw-"), "{routed:?}");
    }
}

/// D17: a UDR to an NVA that is only reachable beyond a gateway (in the other hub, over the
/// circuit) stays listed Active, `check` warns, `reach` drops `NextHopUnreachable`.
#[test]
fn d17_virtual_appliance_only_beyond_a_gateway_is_next_hop_unreachable() {
    let text = edit(
        &edit(
            &seed_text(),
            "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n",
            "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n  route_table = \"rt-spoke10\"\n",
        ),
        "  name = \"AzureBastionSubnet\"\n  prefix = \"10.100.100.0/24\"\n",
        "  name = \"AzureBastionSubnet\"\n  prefix = \"10.100.100.0/24\"\n\n  [[vnet.subnet]]\n  name = \"nva\"\n  prefix = \"10.100.1.0/24\"\n",
    ) + "\n[[nic]]\nname = \"nic-nva100\"\nvnet = \"hub100\"\nsubnet = \"nva\"\nip = \"10.100.1.4\"\nip_forwarding = true\n"
        + &table("rt-spoke10", "to-spoke120", "10.120.0.0/16", "10.100.1.4");
    let rows = nic_rows(&sim(&text), "nic-spoke10");
    assert!(
        rows.contains(&"User|Active|10.120.0.0/16|Virtual appliance|10.100.1.4|to-spoke120".to_string()),
        "{rows:#?}"
    );
    let r = check_text(&text);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code == "udr-next-hop-unreachable" && w.rule == Some(RuleSet::of(&[Rule::D17, Rule::R42])))
    );
    let a = reach(&text, "vm-spoke10", "vm-spoke120");
    assert_eq!(reasons(&a.reach.forward), [DropReason::NextHopUnreachable], "{}", shown(&a));
    match &a.reach.forward.branches[0].outcome {
        Outcome::Dropped(d) => assert!(
            d.rules().contains(Rule::D17) && ersim::report::forward::drop_message(&a.model, d).contains("10.100.1.4"),
            "{d:?}"
        ),
        Outcome::Delivered => unreachable!(),
    }
    assert!(back(&a).delivered(), "the return is unaffected\n{}", shown(&a));
}

/// Issue 4: "A VNet or subnet means its NIC with the lowest address in its lowest subnet" — lowest
/// by address, not by name or block order; a VNet without NICs is a synthetic host at its first
/// free address, marked, as source and destination, in reach and in matrix.
#[test]
fn vnet_endpoints_lowest_subnet_lowest_address_and_synthetic_hosts() {
    let text = r#"
format = 1

[[vnet]]
name = "a"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"

[[vnet]]
name = "b"
address_space = ["10.2.0.0/16"]

  [[vnet.subnet]]
  name = "a-high"
  prefix = "10.2.1.0/24"

  [[vnet.subnet]]
  name = "z-low"
  prefix = "10.2.0.0/24"

[[vnet]]
name = "empty"
address_space = ["10.3.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.3.0.0/24"

[[peering]]
vnets = ["a", "b"]

[[peering]]
vnets = ["a", "empty"]

[[nic]]
name = "nic-high"
vnet = "b"
subnet = "a-high"
ip = "10.2.1.4"

[[nic]]
name = "nic-a"
vnet = "b"
subnet = "z-low"
ip = "10.2.0.20"

[[nic]]
name = "nic-z"
vnet = "b"
subnet = "z-low"
ip = "10.2.0.9"
"#;
    let a = reach(text, "a", "b");
    assert_delivered_both_ways(&a);
    assert_eq!(a.reach.forward.to.ip, "10.2.0.9".parse::<IpAddr>().unwrap(), "lowest subnet, lowest address");
    assert!(a.reach.forward.from.synthetic && a.reach.forward.from.ip == "10.1.0.4".parse::<IpAddr>().unwrap());
    // both ends synthetic
    let x = reach(text, "a", "empty");
    assert!(x.reach.forward.from.synthetic && x.reach.forward.to.synthetic);
    assert_delivered_both_ways(&x);
    let j = ersim::report::reach::json_value(&x.model, &x.reach);
    assert_eq!(j["forward"]["from"]["synthetic"], true);
    assert_eq!(j["return"]["from"]["synthetic"], true);
    assert!(shown(&x).contains("[synthetic]"));
    let n = reach(text, "a", "b/a-high");
    assert_eq!(n.reach.forward.to.ip, "10.2.1.4".parse::<IpAddr>().unwrap());
    // matrix uses the same hosts
    let s = sim(text);
    let mx = ersim::matrix::matrix(&s).unwrap();
    let idx = |v: &str| mx.index(v).unwrap();
    assert!(mx.delivered(idx("empty"), idx("a")) && mx.delivered(idx("a"), idx("b")));
    assert!(!mx.delivered(idx("empty"), idx("b")) && !mx.delivered(idx("b"), idx("empty")));
    assert_eq!(reach(text, "b", "empty").reach.verdict, Verdict::NotDelivered);
}

/// scenario-format.md: "a name that matches things of several kinds is an error listing the
/// candidates, which a kind prefix settles (`nic:`, `vm:`, `vnet:`, `subnet:`, `onprem:`,
/// `firewall:`, `lb:`)" — in `reach` and in `[[expect]]` ("any name `reach` resolves").
#[test]
fn one_name_of_six_kinds_is_settled_by_every_kind_prefix() {
    let base = r#"
format = 1

[[vnet]]
name = "core"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"

  [[vnet.subnet]]
  name = "AzureFirewallSubnet"
  prefix = "10.0.1.0/26"

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.2.0/27"

[[vnet]]
name = "app"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"

[[peering]]
vnets = ["core", "app"]
transit_via = "core"

[[gateway]]
name = "ergw"
vnet = "core"
type = "ExpressRoute"

[[circuit]]
name = "c1"

[[connection]]
name = "conn"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "core"
asn = 65010
circuits = ["c1"]
advertise = ["10.200.0.0/16"]

[[firewall]]
name = "core"
vnet = "core"

[[nic]]
name = "core"
vnet = "app"
subnet = "default"
ip = "10.1.0.10"
vm = "web"

[[nic]]
name = "nic-x"
vnet = "core"
subnet = "default"
ip = "10.0.0.4"
vm = "core"

[[load_balancer]]
name = "core"
vnet = "core"
subnet = "default"
frontend_ip = "10.0.0.100"
backends = ["nic-x"]
"#;
    let l = load(base);
    match ersim::app::reach(&l, "core", "web") {
        Err(ersim::Error::Name(ersim::resolve::ResolveError::Ambiguous { candidates, .. })) => {
            let mut c = candidates.clone();
            c.sort();
            assert_eq!(c, ["firewall:core", "lb:core", "nic:core", "onprem:core", "vm:core", "vnet:core"]);
        }
        other => panic!("`core` must be ambiguous: {other:?}"),
    }
    let name = |from: &str| {
        let a = reach(base, from, "lb:core");
        ersim::report::forward::host_name(&a.model, &a.reach.forward.from.host)
    };
    assert_eq!(name("nic:core"), "web (core)");
    assert_eq!(name("vm:core"), "core (nic-x)");
    assert_eq!(name("vnet:core"), "core (nic-x)");
    assert_eq!(name("firewall:core"), "firewall core");
    assert_eq!(name("onprem:core"), "on-premises core");
    assert_eq!(name("subnet:app/default"), "web (core)");
    for (from, to) in [("nic:core", "onprem:core"), ("vm:web", "firewall:core"), ("onprem:core", "vnet:core")] {
        assert_delivered_both_ways(&reach(base, from, to));
    }
    // the same names in [[expect]]
    let expects = "\n[[expect]]\nfrom = \"nic:core\"\nto = \"onprem:core\"\n\n[[expect]]\nfrom = \"vm:core\"\nto = \"lb:core\"\n\n[[expect]]\nfrom = \"subnet:app/default\"\nto = \"firewall:core\"\nsymmetric = true\n";
    let r = check_text(&(base.to_string() + expects));
    assert_eq!(r.expectations.len(), 3);
    assert!(r.expectations.iter().all(|e| e.pass), "{}", ersim::report::check::text(&r));
    // a bare ambiguous name in [[expect]] is a validation error naming the candidates
    let e = errors(&(base.to_string() + "\n[[expect]]\nfrom = \"core\"\nto = \"web\"\n"));
    assert!(e.iter().any(|d| d.message.contains("several things") && d.message.contains("lb:core")), "{e:#?}");
}

/// An IP two things could own: an address in an Azure subnet that on-premises also covers with a
/// summary resolves to Azure (a synthetic host there); an address held in two VNets with
/// overlapping spaces is refused (exit 2) rather than guessed.
#[test]
fn an_ip_two_things_could_own() {
    let text = two_circuits_two_nvas(false)
        .replace("advertise = [\"10.200.0.0/16\"]", "advertise = [\"10.0.0.0/8\"]")
        .replace("  route_table = \"rt-gw\"\n", "");
    let a = reach(&text, "vm1", "10.0.1.50");
    assert!(a.reach.forward.to.synthetic, "{:?}", a.reach.forward.to);
    assert_delivered_both_ways(&a);
    let overlap = r#"
format = 1

[[vnet]]
name = "x"
address_space = ["10.5.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.5.0.0/24"

[[vnet]]
name = "y"
address_space = ["10.5.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.5.0.0/24"

[[nic]]
name = "nic-x"
vnet = "x"
subnet = "default"
ip = "10.5.0.4"

[[nic]]
name = "nic-y"
vnet = "y"
subnet = "default"
ip = "10.5.0.4"
"#;
    let e = ersim::app::reach(&load(overlap), "nic-x", "10.5.0.4").unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("several VNets"), "{e}");
    assert_delivered_both_ways(&reach(overlap, "nic-x", "nic-x"));
}

/// `[[expect]]` (scenario-format.md) with every field combination: `next_hop_type` in API spelling
/// and case-insensitive enums, `next_hop_ip`, `state` (default Active), `absent`, `subnet`
/// (GatewaySubnet too), reachability by IP and kind prefix, `symmetric`, `reachable = false`, a
/// public destination (one way).
#[test]
fn expect_field_combinations_pass_and_fail_as_specified() {
    let cases: &[(&str, bool)] = &[
        ("nic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"", true),
        ("nic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nnext_hop_type = \"VirtualNetworkGateway\"", true),
        ("nic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nnext_hop_ip = \"10.2.146.77\"", true),
        ("nic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nnext_hop_ip = \"10.2.146.99\"", false),
        ("nic = \"nic-spoke10\"\nprefix = \"10.0.0.0/16\"\nnext_hop_type = \"vnetpeering\"\nstate = \"active\"", true),
        ("nic = \"nic-spoke10\"\nprefix = \"10.0.0.0/16\"\nnext_hop_type = \"VNetGlobalPeering\"", false),
        ("nic = \"nic-spoke10\"\nprefix = \"10.0.0.0/16\"\nstate = \"Invalid\"", false),
        ("nic = \"nic-spoke10\"\nprefix = \"10.0.0.0/8\"\nnext_hop_type = \"None\"", true),
        ("nic = \"nic-spoke10\"\nprefix = \"10.20.0.0/16\"\nabsent = true", true),
        ("nic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nabsent = true", false),
        ("nic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nnext_hop_ip = \"10.2.146.99\"\nabsent = true", true),
        ("subnet = \"hub00/GatewaySubnet\"\nprefix = \"10.10.0.0/16\"\nnext_hop_type = \"VNetPeering\"", true),
        ("subnet = \"spoke10/default\"\nprefix = \"10.10.0.0/16\"\nnext_hop_type = \"VnetLocal\"", true),
        ("from = \"10.10.0.4\"\nto = \"vnet:spoke110\"", true),
        ("from = \"subnet:spoke10/default\"\nto = \"vm:vm-hub100\"\nsymmetric = true", true),
        ("from = \"spoke10\"\nto = \"spoke20\"\nreachable = false", true),
        ("from = \"spoke10\"\nto = \"spoke20\"", false),
        ("from = \"spoke10\"\nto = \"spoke110\"\nreachable = false", false),
        ("from = \"spoke10\"\nto = \"8.8.8.8\"", true),
    ];
    let seed = seed_text();
    let body = &seed[..seed.find("[[expect]]").expect("the seed has expectations")];
    for (i, (fields, pass)) in cases.iter().enumerate() {
        let text = format!("{body}\n[[expect]]\nname = \"case {i}\"\n{fields}\n");
        let r = check_text(&text);
        assert!(r.errors.is_empty(), "case {i} is valid: {:?}", r.errors);
        assert_eq!(r.expectations.len(), 1);
        let e = &r.expectations[0];
        assert_eq!(e.pass, *pass, "case {i} ({fields:?}): {}", ersim::report::check::detail(&r, e));
        assert_eq!(r.exit_code(), if *pass { 0 } else { 1 });
    }
}

/// A fix that must change both directions: forward via nva-a, return via nva-b, both with IP
/// forwarding off. Neither NIC alone delivers both ways; the offered fix turns both on and works.
#[test]
fn a_fix_that_must_change_both_directions() {
    let text = hub_spokes(
        &(table("rt-spoke1", "to-spoke2", "10.2.0.0/16", "10.0.1.4")
            + &table("rt-spoke2", "to-spoke1", "10.1.0.0/16", "10.0.1.5")
            + &nva("nic-nva-a", "10.0.1.4", false)
            + &nva("nic-nva-b", "10.0.1.5", false)),
    );
    let a = reach(&text, "vm1", "vm2");
    assert_eq!(reasons(&a.reach.forward), [DropReason::IpForwardingOff]);
    assert_eq!(reasons(back(&a)), [DropReason::IpForwardingOff]);
    assert!(!a.reach.fixes.is_empty(), "{}", shown(&a));
    for f in &a.reach.fixes {
        assert!(
            set_key(f, "nic", "nic-nva-a", "ip_forwarding", "true")
                && set_key(f, "nic", "nic-nva-b", "ip_forwarding", "true"),
            "every fix changes both directions: {f:?}"
        );
    }
    assert_every_fix_works(&text, &a, "vm1", "vm2");
}

/// A fix that would conflict (R27 `RouteConflict`) is not shown: spoke10's route table already
/// holds 10.21.0.0/16 (the second range of spoke20), so the hub-UDR fix, which adds routes for
/// both of spoke20's ranges to that table, fails verification; the peering fix is offered.
#[test]
fn a_fix_that_would_be_a_route_conflict_is_not_shown() {
    let text = edit(
        &edit(
            &seed_text(),
            "address_space = [\"10.20.0.0/16\"]",
            "address_space = [\"10.20.0.0/16\", \"10.21.0.0/16\"]",
        ),
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n",
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n  route_table = \"rt-spoke10\"\n",
    ) + "\n[[route_table]]\nname = \"rt-spoke10\"\n\n  [[route_table.route]]\n  name = \"no-lab\"\n  prefix = \"10.21.0.0/16\"\n  next_hop_type = \"None\"\n";
    let a = reach(&text, "vm-spoke10", "vm-spoke20");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered);
    assert!(
        a.reach
            .fixes
            .iter()
            .any(|f| f.edits.iter().any(|e| matches!(e, Edit::AddBlock { kind: BlockKind::Peering, .. }))),
        "{}",
        shown(&a)
    );
    for f in &a.reach.fixes {
        for e in &f.edits {
            if let Edit::AddRoute { table, toml } = e {
                assert!(
                    !(table == "rt-spoke10" && toml.contains("10.21.0.0/16")),
                    "a RouteConflict fix is shown: {f:?}"
                );
            }
        }
    }
    assert_every_fix_works(&text, &a, "vm-spoke10", "vm-spoke20");
}

/// R31 in the fix catalogue: a route to on-premises exists but the spoke's table has propagation
/// off; the drop says so and the fix turns propagation back on.
#[test]
fn propagation_off_drop_offers_propagation_on() {
    let text = two_circuits_two_nvas(true).replace("  route_table = \"rt-gw\"\n", "").replace(
        &table("rt-spoke1", "dc-via-nva", "10.200.0.0/16", "10.0.1.100"),
        "\n[[route_table]]\nname = \"rt-spoke1\"\ndisable_bgp_route_propagation = true\n",
    );
    let a = reach(&text, "vm1", "dc");
    assert_eq!(reasons(&a.reach.forward), [DropReason::NextHopNone], "{}", shown(&a));
    match &a.reach.forward.branches[0].outcome {
        Outcome::Dropped(d) => assert!(d.rules().contains(Rule::R31), "{d:?}"),
        Outcome::Delivered => unreachable!(),
    }
    assert!(
        a.reach.fixes.iter().any(|f| set_key(f, "route_table", "rt-spoke1", "disable_bgp_route_propagation", "false")),
        "{}",
        shown(&a)
    );
    assert_every_fix_works(&text, &a, "vm1", "dc");
}

/// D11: allow_virtual_network_access off on one direction of hub ↔ spoke2 drops NVA-forwarded
/// spoke1 → spoke2 traffic at that peering, both ways; matrix says `PeeringAccessDisabled`; the fix
/// sets both directions and delivers.
#[test]
fn virtual_network_access_off_behind_an_nva_drops_both_ways_and_the_fix_sets_both_directions() {
    let text = hub_spokes(
        &(table("rt-spoke1", "to-spoke2", "10.2.0.0/16", "10.0.1.4")
            + &table("rt-spoke2", "to-spoke1", "10.1.0.0/16", "10.0.1.4")
            + &nva("nic-nva", "10.0.1.4", true)),
    )
    .replace(
        "[[peering]]\nvnets = [\"hub\", \"spoke2\"]\nallow_forwarded_traffic = true\n",
        "[[peering]]\nfrom = \"hub\"\nto = \"spoke2\"\nallow_forwarded_traffic = true\n\n[[peering]]\nfrom = \"spoke2\"\nto = \"hub\"\nallow_forwarded_traffic = true\nallow_virtual_network_access = false\n",
    );
    let a = reach(&text, "vm1", "vm2");
    assert_eq!(reasons(&a.reach.forward), [DropReason::PeeringAccessDisabled], "{}", shown(&a));
    assert_eq!(reasons(back(&a)), [DropReason::PeeringAccessDisabled], "{}", shown(&a));
    let s = sim(&text);
    let mx = ersim::matrix::matrix(&s).unwrap();
    let idx = |v: &str| mx.index(v).unwrap();
    assert_eq!(mx.reason(idx("spoke1"), idx("spoke2")), Some(DropReason::PeeringAccessDisabled));
    assert_eq!(mx.reason(idx("hub"), idx("spoke2")), Some(DropReason::PeeringAccessDisabled));
    let f = a
        .reach
        .fixes
        .iter()
        .find(|f| {
            set_key(f, "peering", "hub→spoke2", "allow_virtual_network_access", "true")
                && set_key(f, "peering", "spoke2→hub", "allow_virtual_network_access", "true")
        })
        .unwrap_or_else(|| panic!("{}", shown(&a)));
    assert_delivered_both_ways(&apply_fix(&text, f, "vm1", "vm2"));
}

/// `matrix` agrees with `reach` (by VNet name) on every ordered pair of every bundled scenario and
/// of the harder designs above (issue 4: "every VNet to every VNet (first NIC or synthetic host of
/// each), delivered both ways or not").
#[test]
fn matrix_agrees_with_reach_on_every_pair_of_every_bundled_design() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut texts: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    texts.push(("two circuits, two NVAs".into(), two_circuits_two_nvas(true)));
    texts.push(("asymmetric".into(), two_circuits_two_nvas(false)));
    texts.sort();
    for (label, text) in texts {
        let s = sim(&text);
        let mx = ersim::matrix::matrix(&s).unwrap();
        for i in 0..mx.len() {
            for j in 0..mx.len() {
                if i == j {
                    continue;
                }
                let vnet = |k: usize| match mx.nodes[k] {
                    ersim::matrix::Node::Vnet(v) => v,
                    other => panic!("only VNets by default: {other:?}"),
                };
                let (a, b) = (vnet(i), vnet(j));
                let (ea, eb) = (ersim::model::Endpoint::Vnet(a), ersim::model::Endpoint::Vnet(b));
                let (fh, th) = ersim::forward::hosts(&s, &ea, &eb).unwrap();
                let r = ersim::forward::reach_hosts(&s, &fh, &th);
                assert_eq!(
                    mx.delivered(i, j),
                    r.verdict == Verdict::Delivered,
                    "{label}: {} → {}",
                    s.model.vnets[a.idx()].name,
                    s.model.vnets[b.idx()].name
                );
            }
        }
    }
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap_or_else(|| panic!("an object: {v}")).keys().cloned().collect();
    k.sort();
    k
}

/// README "JSON outputs": the documented keys of `reach` (delivered and dropped branches, steps,
/// routes, fixes and every edit op), `check` (with its diagnostics) and `matrix`.
#[test]
fn json_outputs_have_exactly_the_documented_keys() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // reach, delivered
    let a = reach(&seed_text(), "vm-spoke10", "vm-spoke110");
    let j = ersim::report::reach::json_value(&a.model, &a.reach);
    assert_eq!(keys(&j), s(&["fixes", "forward", "notModelled", "return", "verdict", "warnings"]));
    for dir in ["forward", "return"] {
        assert_eq!(keys(&j[dir]), s(&["branches", "delivered", "from", "to", "truncated"]));
        assert_eq!(keys(&j[dir]["from"]), s(&["ip", "name", "synthetic"]));
        for b in j[dir]["branches"].as_array().unwrap() {
            assert_eq!(keys(b), s(&["outcome", "routedHops", "steps"]));
            assert_eq!(keys(&b["outcome"]), s(&["delivered"]));
            for st in b["steps"].as_array().unwrap() {
                assert_eq!(keys(st), s(&["at", "route", "routedHop", "warning"]));
                if !st["route"].is_null() {
                    assert_eq!(
                        keys(&st["route"]),
                        s(&["detail", "nextHopIpAddress", "nextHopType", "prefix", "source", "table"])
                    );
                }
            }
        }
    }
    // reach, dropped, with fixes of every edit op (the seed's UDR fix adds a subnet, blocks and
    // keys; on a spoke that has a route table it adds routes)
    let text = edit(
        &seed_text(),
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n",
        "  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n  route_table = \"rt-spoke10\"\n",
    ) + "\n[[route_table]]\nname = \"rt-spoke10\"\n\n  [[route_table.route]]\n  name = \"local\"\n  prefix = \"10.10.0.0/16\"\n  next_hop_type = \"VnetLocal\"\n";
    let a = reach(&text, "vm-spoke10", "vm-spoke20");
    let j = ersim::report::reach::json_value(&a.model, &a.reach);
    let o = &j["forward"]["branches"][0]["outcome"];
    assert_eq!(keys(o), s(&["at", "cycle", "delivered", "message", "reason", "rule"]));
    let mut ops: BTreeSet<String> = BTreeSet::new();
    for f in j["fixes"].as_array().unwrap() {
        assert_eq!(keys(f), s(&["edits", "summary"]));
        for e in f["edits"].as_array().unwrap() {
            let op = e["op"].as_str().unwrap().to_string();
            let want = match op.as_str() {
                "add_block" => s(&["kind", "op", "toml"]),
                "set_key" => s(&["key", "kind", "name", "op", "value"]),
                "add_route" => s(&["op", "table", "toml"]),
                "add_subnet" => s(&["op", "toml", "vnet"]),
                other => panic!("undocumented op {other}"),
            };
            assert_eq!(keys(e), want, "{e}");
            ops.insert(op);
        }
    }
    assert_eq!(ops, ["add_block", "add_route", "add_subnet", "set_key"].iter().map(|x| x.to_string()).collect());
    // check
    let r = check_text(&(text.clone() + "\n[[expect]]\nfrom = \"spoke10\"\nto = \"spoke20\"\n"));
    let j: serde_json::Value = serde_json::from_str(&ersim::report::check::json(&r)).unwrap();
    assert_eq!(keys(&j), s(&["errors", "expectations", "file", "findings", "result", "summary", "valid", "warnings"]));
    assert_eq!(keys(&j["result"]), s(&["exitCode", "expectations", "failed", "findings", "passed", "warnings"]));
    for e in j["expectations"].as_array().unwrap() {
        assert_eq!(keys(e), s(&["detail", "kind", "line", "name", "pass"]));
    }
    let unserved = check_text(&hub_spokes(
        &(table("rt-spoke1", "x", "10.2.0.0/16", "10.0.1.9") + &table("rt-spoke2", "y", "10.1.0.0/16", "10.0.1.9")),
    ));
    let j: serde_json::Value = serde_json::from_str(&ersim::report::check::json(&unserved)).unwrap();
    let w = j["warnings"].as_array().unwrap();
    assert!(!w.is_empty());
    for d in w {
        assert_eq!(keys(d), s(&["code", "column", "file", "help", "line", "message", "rule", "severity"]));
    }
    // matrix
    let sm = sim(&seed_text());
    let mx = ersim::matrix::matrix(&sm).unwrap();
    let j: serde_json::Value = serde_json::from_str(&ersim::report::matrix::json(&sm, &mx)).unwrap();
    assert_eq!(keys(&j), s(&["classes", "delivered", "domains", "legend", "pairs", "vnets"]));
    for d in j["domains"].as_array().unwrap() {
        assert_eq!(keys(d), s(&["delivered", "from", "pairs", "to"]));
    }
    for c in j["classes"].as_array().unwrap() {
        assert_eq!(keys(c), s(&["delivered", "forward", "from", "pairs", "return", "to"]), "{c}");
    }
}

/// R67's hint on an on-premises "no route" drop names a hub that serves that router: a router
/// on another hub's circuit, which could never reach the VPN site whatever that hub's R67
/// conditions, gets R50 alone.
#[test]
fn r67_hint_only_for_routers_the_er_vpn_hub_serves() {
    let text = format!(
        "{}{}",
        er_vpn_hub(false),
        r#"
[[vnet]]
name = "hub2"
address_space = ["10.2.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.2.255.0/27"

[[gateway]]
name = "ergw2"
vnet = "hub2"
type = "ExpressRoute"

[[circuit]]
name = "c2"
next_hops = ["10.255.1.1", "10.255.1.2"]

[[connection]]
name = "er2"
gateway = "ergw2"
circuit = "c2"

[[onprem]]
name = "dc-2"
asn = 65002
circuits = ["c2"]
advertise = ["192.169.0.0/16"]
"#
    );
    let drop_rules = |from: &str| -> Vec<String> {
        let a = reach(&text, from, "dc-vpn");
        assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
        a.reach.forward.drops().iter().map(|d| d.rules().to_string()).collect()
    };
    let other = drop_rules("dc-2");
    assert_eq!(other, ["R50"], "dc-2 is not served by hub: no R67 hint");
    let served = drop_rules("dc-er");
    assert!(served.iter().all(|r| r.contains("R67")), "dc-er is served by hub: {served:?}");
}

/// R67 as a typed cause: an on-premises router without a route to a site behind the other gateway
/// of the ExpressRoute + VPN hub that serves it carries R67's missing conditions, and the fix
/// catalogue picks R67's edits from that cause (not from the rule's text): branch-to-branch on,
/// an active-active VPN gateway, VPN ASN 65515. A router no such hub serves gets no R67 fix.
#[test]
fn onprem_to_onprem_across_an_er_vpn_hub_without_r67_offers_r67_by_cause() {
    use ersim::forward::{DropCause, Remedy};
    use ersim::limits::R67Missing;
    let text = er_vpn_hub(false).replace("bgp = true\nactive_active = true\n", "bgp = true\nasn = 65020\n");
    let a = reach(&text, "dc-er", "dc-vpn");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
    let m = &a.model;
    let (rs, vpngw) = (m.route_server_by_name("rs").unwrap(), m.gateway_by_name("vpngw").unwrap());
    let missing = [R67Missing::BranchToBranchOff(rs), R67Missing::NotActiveActive(vpngw), R67Missing::VpnAsn(vpngw)];
    let drops = a.reach.forward.drops();
    assert!(!drops.is_empty(), "{}", shown(&a));
    for d in &drops {
        match &d.cause {
            DropCause::OnpremNoRoute { router, r67_missing, .. } => {
                assert_eq!(*router, m.onprem_by_name("dc-er").unwrap());
                assert_eq!(r67_missing, &missing, "{}", shown(&a));
            }
            other => panic!("an on-premises router without a route is expected, got {other:?}\n{}", shown(&a)),
        }
        assert!(d.cause.lacks_r67());
        assert_eq!(d.rules(), RuleSet::of(&[Rule::R50, Rule::R67]));
    }
    // The catalogue's candidates for this direction: R67's conditions in `hub`, as three edits.
    let meet = Remedy::MeetR67 { hub: "hub".into() };
    let cands = ersim::forward::remedy::candidates(&sim(&text), &a.reach.forward);
    let r67: Vec<&Fix> = cands.iter().filter(|f| f.remedies == [meet.clone()]).collect();
    assert!(!r67.is_empty(), "{cands:#?}");
    for f in &r67 {
        assert!(set_key(f, "route_server", "rs", "branch_to_branch", "true"), "{f:#?}");
        assert!(set_key(f, "gateway", "vpngw", "active_active", "true"), "{f:#?}");
        assert!(set_key(f, "gateway", "vpngw", "asn", "65515"), "{f:#?}");
        assert_eq!(f.edits.len(), 3, "{f:#?}");
    }
    // Verified: the fix offered meets R67, and it delivers.
    assert!(a.reach.fixes.iter().any(|f| f.remedies.contains(&meet)), "{}", shown(&a));
    assert_every_fix_works(&text, &a, "dc-er", "dc-vpn");

    // A router on another hub's circuit: R50 alone, and no R67 candidate.
    let other = format!(
        "{text}\n[[vnet]]\nname = \"hub2\"\naddress_space = [\"10.2.0.0/16\"]\n\n  [[vnet.subnet]]\n  name = \"GatewaySubnet\"\n  prefix = \"10.2.255.0/27\"\n\n[[gateway]]\nname = \"ergw2\"\nvnet = \"hub2\"\ntype = \"ExpressRoute\"\n\n[[circuit]]\nname = \"c2\"\nnext_hops = [\"10.255.1.1\", \"10.255.1.2\"]\n\n[[connection]]\nname = \"er2\"\ngateway = \"ergw2\"\ncircuit = \"c2\"\n\n[[onprem]]\nname = \"dc-2\"\nasn = 65002\ncircuits = [\"c2\"]\nadvertise = [\"192.169.0.0/16\"]\n"
    );
    let b = reach(&other, "dc-2", "dc-vpn");
    assert!(b.reach.forward.drops().iter().all(|d| !d.cause.lacks_r67()), "{}", shown(&b));
    let cands = ersim::forward::remedy::candidates(&sim(&other), &b.reach.forward);
    assert!(cands.iter().all(|f| !f.remedies.contains(&meet)), "{cands:#?}");
}

/// Issue 14 item 6: fixes are searched on the built model and proven on the text; the seed's
/// spoke10 → spoke20 drop is offered exactly the fixes the search on the text offered, in order.
#[test]
fn the_seed_spoke10_to_spoke20_fixes_are_those_the_text_search_offered() {
    let a = reach(&seed_text(), "spoke10", "spoke20");
    let j = ersim::report::reach::json_value(&a.model, &a.reach);
    let expected: serde_json::Value = serde_json::from_str(
        r#"[{"edits": [{"kind": "peering", "op": "add_block", "toml": "[[peering]]\nvnets = [\"spoke10\", \"spoke20\"]\n"}],
             "summary": "peer spoke10 with spoke20 (peering is not transitive, R37)"},
            {"edits": [{"op": "add_subnet", "toml": "name = \"AzureFirewallSubnet\"\nprefix = \"10.0.1.0/26\"\n", "vnet": "hub00"},
                       {"kind": "firewall", "op": "add_block", "toml": "[[firewall]]\nname = \"afw-hub00\"\nvnet = \"hub00\"\n"},
                       {"kind": "route_table", "op": "add_block", "toml": "[[route_table]]\nname = \"rt-spoke10-default\"\n\n  [[route_table.route]]\n  name = \"to-spoke20\"\n  prefix = \"10.20.0.0/16\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_ip = \"10.0.1.4\"\n"},
                       {"key": "route_table", "kind": "vnet.subnet", "name": "spoke10/default", "op": "set_key", "value": "\"rt-spoke10-default\""},
                       {"kind": "route_table", "op": "add_block", "toml": "[[route_table]]\nname = \"rt-spoke20-default\"\n\n  [[route_table.route]]\n  name = \"to-spoke10\"\n  prefix = \"10.10.0.0/16\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_ip = \"10.0.1.4\"\n"},
                       {"key": "route_table", "kind": "vnet.subnet", "name": "spoke20/default", "op": "set_key", "value": "\"rt-spoke20-default\""}],
             "summary": "route spoke10 ↔ spoke20 through a new firewall `afw-hub00` (10.0.1.4) in hub00: route table `rt-spoke10-default` on spoke10/default and route table `rt-spoke20-default` on spoke20/default"}]"#,
    )
    .expect("JSON");
    assert_eq!(j["fixes"], expected, "{}", shown(&a));
    assert_every_fix_works(&seed_text(), &a, "spoke10", "spoke20");
}
