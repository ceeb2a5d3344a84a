//! Forwarding through NVAs, firewalls and load balancers (azure-routing.md "Forwarding", D11, D12,
//! D16, D17, R28): loops with their cycle, asymmetric paths, drops at unservable next hops, one
//! ECMP branch per load-balancer backend, peering flags, routed-hop counting — each on a small
//! inline design, and every fix offered applied and re-simulated.

use ersim::forward::Fix;
use ersim::forward::{DropReason, Outcome, Place, Trace, Verdict};
use ersim::model::Model;
use ersim::report::forward::{cycle, drop_message, place_name};
use ersim::scenario::edit::{BlockKind, BlockRef, Edit};

use ersim::report::remedy::fix_summary;

use super::common::*;

/// Every drop of a trace's branches: (reason, rule, message, cycle).
fn drops(m: &Model, t: &Trace) -> Vec<(DropReason, String, String, Vec<String>)> {
    t.branches
        .iter()
        .filter_map(|b| match &b.outcome {
            Outcome::Dropped(d) => Some((d.reason(), d.rules().to_string(), drop_message(m, d), cycle(m, d))),
            Outcome::Delivered => None,
        })
        .collect()
}

/// A hub (10.0.0.0/16, NVA subnet 10.0.1.0/24) with spoke1 (10.1.0.0/16) and spoke2 (10.2.0.0/16),
/// one VM each; `@NVA_SUBNET@` is replaced by extra keys of the NVA subnet, `@PEERING@` by extra
/// keys of both hub–spoke peerings; `rest` is appended.
fn hub_spokes(nva_subnet: &str, peering: &str, rest: &str) -> String {
    let base = r#"
format = 1

[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"
@NVA_SUBNET@

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
@PEERING@

[[peering]]
vnets = ["hub", "spoke2"]
@PEERING@

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
"#;
    base.replace("@NVA_SUBNET@", nva_subnet).replace("@PEERING@", peering) + rest
}

/// Route tables on both spokes sending the other spoke to `ip_to_2` (from spoke1) and `ip_to_1`
/// (from spoke2).
fn spoke_tables(ip_to_2: &str, ip_to_1: &str) -> String {
    format!(
        r#"
[[route_table]]
name = "rt-spoke1"

  [[route_table.route]]
  name = "to-spoke2"
  prefix = "10.2.0.0/16"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "{ip_to_2}"

[[route_table]]
name = "rt-spoke2"

  [[route_table.route]]
  name = "to-spoke1"
  prefix = "10.1.0.0/16"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "{ip_to_1}"
"#
    )
}

const NVA: &str = r#"
[[nic]]
name = "nic-nva"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true
"#;

/// The standard design: both spokes through one NVA in the hub, forwarded traffic allowed.
fn through_one_nva() -> String {
    hub_spokes("", "allow_forwarded_traffic = true", &(spoke_tables("10.0.1.4", "10.0.1.4") + NVA))
}

// ------------------------------------------------------------------ loops (D12)

/// The spoke tables plus a default route to the NVA, and the NVA subnet with its own table that
/// sends 0.0.0.0/0 back to the NVA itself (a copy of the spoke table applied to the NVA subnet).
fn udr_self_loop() -> String {
    let spoke = spoke_tables("10.0.1.4", "10.0.1.4").replace(
        "name = \"rt-spoke1\"\n",
        "name = \"rt-spoke1\"\n\n  [[route_table.route]]\n  name = \"default-via-nva\"\n  prefix = \"0.0.0.0/0\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_ip = \"10.0.1.4\"\n",
    );
    hub_spokes(
        "  route_table = \"rt-nva\"",
        "allow_forwarded_traffic = true",
        &(spoke
            + NVA
            + r#"
[[route_table]]
name = "rt-nva"

  [[route_table.route]]
  name = "default-via-nva"
  prefix = "0.0.0.0/0"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.1.4"
"#),
    )
}

#[test]
fn nva_subnet_default_route_to_itself_is_a_loop_with_its_cycle() {
    let text = udr_self_loop();
    let a = reach(&text, "vm1", "8.8.8.8");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
    let d = drops(&a.model, &a.reach.forward);
    assert!(!d.is_empty(), "the forward path must drop\n{}", shown(&a));
    for (reason, rule, _, cycle) in &d {
        assert_eq!(*reason, DropReason::Loop, "{}", shown(&a));
        assert!(rule.contains("D12"), "a loop cites D12, got `{rule}`");
        assert!(!cycle.is_empty(), "a loop prints its cycle\n{}", shown(&a));
        assert!(cycle.iter().all(|p| p.contains("nic-nva")), "the cycle is the NVA alone: {cycle:?}");
    }
    // The packet got to the NVA over spoke1's default route, then the NVA's own table sent it back.
    let b = &a.reach.forward.branches[0];
    let first = b.steps[0].route.as_ref().expect("the source looks up its table");
    assert_eq!(first.prefix.to_string(), "0.0.0.0/0");
    assert_eq!(route_shown(&a, first).2, "Virtual appliance");
    let at_nva = b.steps.iter().find(|s| matches!(s.place, Place::Nva(_))).expect("reaches the NVA");
    let r = at_nva.route.as_ref().expect("the NVA looks up its subnet's table");
    let (table, _, _, detail) = route_shown(&a, r);
    assert_eq!(table, "hub/nva");
    assert_eq!(detail.as_deref(), Some("route default-via-nva"));
    // Every fix offered must deliver when applied.
    for fix in &a.reach.fixes {
        let after = apply_fix(&text, fix, "vm1", "8.8.8.8");
        assert_eq!(
            after.reach.verdict,
            Verdict::OneWay,
            "fix `{}` does not deliver\n{}",
            fix_summary(fix),
            shown(&after)
        );
    }
}

#[test]
fn a_self_loop_is_caught_at_the_first_repeat() {
    // "A position and table repeated on a branch → Loop": the NVA forwards once, the packet comes
    // back to it, and that repeat is the loop — the NVA appears twice on the branch, not three
    // times, and the branch counts 2 routed hops (D16: the NVA, once).
    let a = reach(&udr_self_loop(), "vm1", "8.8.8.8");
    let b = &a.reach.forward.branches[0];
    let at_nva = b.steps.iter().filter(|s| matches!(s.place, Place::Nva(_))).count();
    assert_eq!(at_nva, 2, "first visit and the repeat: {:?}\n{}", places(&a, b), shown(&a));
}

#[test]
fn spoke_route_table_reused_on_the_nva_subnet_loops_spoke_to_spoke() {
    // A common slip: the spokes' route table also associated with the NVA subnet. spoke1 → spoke2
    // goes to the NVA, whose subnet now also sends 10.2.0.0/16 to the NVA: the UDR beats the
    // peering row (D6), so the packet never leaves the NVA.
    let text = hub_spokes(
        "  route_table = \"rt-spoke1\"",
        "allow_forwarded_traffic = true",
        &(spoke_tables("10.0.1.4", "10.0.1.4") + NVA),
    );
    let s = sim(&text);
    let rows = subnet_rows(&s, "hub/nva");
    assert!(rows.contains(&"User|Active|10.2.0.0/16|Virtual appliance|10.0.1.4|to-spoke2".to_string()), "{rows:#?}");
    assert!(rows.contains(&"Default|Invalid|10.2.0.0/16|VNet peering|-|-".to_string()), "{rows:#?}");
    let a = reach(&text, "vm1", "vm2");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
    let d = drops(&a.model, &a.reach.forward);
    assert!(!d.is_empty() && d.iter().all(|(r, ..)| *r == DropReason::Loop), "{}", shown(&a));
    assert!(d.iter().all(|(_, rule, _, cycle)| rule.contains("D12") && !cycle.is_empty()));
    // The return is fine: spoke2 → NVA → its table has no route for 10.1.0.0/16 but the peering.
    assert!(back(&a).delivered(), "{}", shown(&a));
    for fix in &a.reach.fixes {
        assert_delivered_both_ways(&apply_fix(&text, fix, "vm1", "vm2"));
    }
}

/// D12's own case: an NVA advertises 0.0.0.0/0 to the hub's Route Server, which installs it in the
/// whole domain — the NVA's subnet included.
fn route_server_default_loop() -> String {
    r#"
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
ip_forwarding = true

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
"#
    .to_string()
}

#[test]
fn route_server_default_route_loops_in_the_nva_subnet_and_the_fix_verifies() {
    let text = route_server_default_loop();
    let s = sim(&text);
    // D12: the NVA's own subnet gets its default route (and, B0, loses the Internet row: D5).
    let rows = subnet_rows(&s, "hub/nva");
    assert!(
        rows.contains(&"Virtual network gateway|Active|0.0.0.0/0|Virtual network gateway|10.0.1.4|-".to_string()),
        "{rows:#?}"
    );
    assert!(with_prefix(&rows, "0.0.0.0/0").iter().all(|r| !r.contains("Internet")), "{rows:#?}");

    let a = reach(&text, "vm1", "8.8.8.8");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
    let d = drops(&a.model, &a.reach.forward);
    assert!(!d.is_empty() && d.iter().all(|(r, ..)| *r == DropReason::Loop), "{}", shown(&a));
    for (_, rule, _, cycle) in &d {
        assert!(rule.contains("D12"), "{rule}");
        assert!(!cycle.is_empty() && cycle.iter().any(|p| p.contains("nic-nva")), "{cycle:?}");
    }
    // "Forwarding": loop in an NVA subnet → "UDR on the NVA subnet toward the real next hop, or
    // propagation off there". Either works here (the NVA then uses the Internet row), so a verified
    // fix must be offered — for a public destination "delivered" is one way.
    assert!(!a.reach.fixes.is_empty(), "a working fix exists (propagation off on hub/nva)\n{}", shown(&a));
    for fix in &a.reach.fixes {
        let after = apply_fix(&text, fix, "vm1", "8.8.8.8");
        assert_eq!(
            after.reach.verdict,
            Verdict::OneWay,
            "fix `{}` does not deliver\n{}",
            fix_summary(fix),
            shown(&after)
        );
        assert!(after.reach.forward.delivered());
    }
}

#[test]
fn route_server_loop_fixed_by_hand_delivers_through_the_nva() {
    // The fix the rulebook names (propagation off on the NVA subnet), written out: the NVA subnet
    // loses the NVA's own route (R31), the NVA sends the packet to the Internet.
    let text = edit(
        &route_server_default_loop(),
        "  prefix = \"10.0.1.0/24\"\n",
        "  prefix = \"10.0.1.0/24\"\n  route_table = \"rt-nva\"\n",
    ) + "\n[[route_table]]\nname = \"rt-nva\"\ndisable_bgp_route_propagation = true\n";
    let a = reach(&text, "vm1", "8.8.8.8");
    assert_eq!(a.reach.verdict, Verdict::OneWay, "{}", shown(&a));
    let b = &a.reach.forward.branches[0];
    assert!(matches!(b.steps.last().map(|s| &s.place), Some(Place::Internet)), "{:?}", places(&a, b));
    assert_eq!(a.reach.forward.forwarders().len(), 1, "through the NVA once\n{}", shown(&a));
}

// ------------------------------------------------------------------ asymmetry

/// Two NVAs in the hub; spoke1 sends spoke2 to nva-a, spoke2 sends spoke1 to nva-b.
fn asymmetric_design() -> String {
    hub_spokes(
        "",
        "allow_forwarded_traffic = true",
        &(spoke_tables("10.0.1.4", "10.0.1.5")
            + r#"
[[nic]]
name = "nic-nva-a"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[nic]]
name = "nic-nva-b"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.5"
ip_forwarding = true
"#),
    )
}

#[test]
fn forward_via_one_nva_and_return_via_another_is_delivered_with_an_asymmetry_warning() {
    let a = reach(&asymmetric_design(), "vm1", "vm2");
    assert_delivered_both_ways(&a);
    assert!(a.reach.asymmetric(), "{}", shown(&a));
    assert!(
        warnings_shown(&a).iter().any(|w| w.to_lowercase().contains("asymmetric")),
        "an asymmetric warning is expected: {:?}",
        warnings_shown(&a)
    );
    assert_ne!(a.reach.forward.forwarders(), back(&a).forwarders());
    // Forward crosses nva-a only, the return nva-b only.
    let nva_of = |t: &Trace| -> Vec<String> {
        t.branches
            .iter()
            .flat_map(|b| b.steps.iter())
            .filter_map(|s| match s.place {
                Place::Nva(n) => Some(a.model.nics[n.idx()].name.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(nva_of(&a.reach.forward), vec!["nic-nva-a".to_string()], "{}", shown(&a));
    assert_eq!(nva_of(back(&a)), vec!["nic-nva-b".to_string()], "{}", shown(&a));
}

#[test]
fn the_asymmetry_warning_names_both_devices() {
    // The warning is for people: it names the NVAs, as the rest of the report does.
    let a = reach(&asymmetric_design(), "vm1", "vm2");
    let shown = warnings_shown(&a);
    let w = shown
        .iter()
        .find(|w| w.contains("asymmetric"))
        .unwrap_or_else(|| panic!("no asymmetric warning: {:?}", a.reach.warnings));
    assert!(w.contains("nic-nva-a") && w.contains("nic-nva-b"), "the warning must name the NVAs: {w}");
}

#[test]
fn symmetric_expectation_fails_on_the_asymmetric_path_and_passes_without_it() {
    let expect = |symmetric: bool| {
        format!(
            "\n[[expect]]\nname = \"spoke1 reaches spoke2\"\nfrom = \"vm1\"\nto = \"vm2\"\n{}",
            if symmetric { "symmetric = true\n" } else { "" }
        )
    };
    let strict = load(&(asymmetric_design() + &expect(true)));
    let r = ersim::check::check(&strict).expect("check runs");
    assert_eq!(r.expectations.len(), 1);
    let detail = ersim::report::check::detail(&r, &r.expectations[0]);
    assert!(!r.expectations[0].pass, "symmetric = true must fail: {detail}");
    assert!(detail.contains("asymmetric"), "{detail}");
    assert_eq!(r.exit_code(), 1);

    let lax = load(&(asymmetric_design() + &expect(false)));
    let r = ersim::check::check(&lax).expect("check runs");
    let detail = ersim::report::check::detail(&r, &r.expectations[0]);
    assert!(r.expectations[0].pass, "an asymmetric path counts as delivered: {detail}");
    assert_eq!(r.exit_code(), 0);

    // The symmetric design passes the strict expectation.
    let sym = load(&(through_one_nva() + &expect(true)));
    let r = ersim::check::check(&sym).expect("check runs");
    assert!(r.expectations[0].pass, "{}", ersim::report::check::detail(&r, &r.expectations[0]));
}

// ------------------------------------------------------------------ the seed's UDR fix

#[test]
fn seed_spoke10_to_spoke20_udr_fix_through_the_hub_delivers() {
    let seed = seed_text();
    let a = reach(&seed, "vm-spoke10", "vm-spoke20");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered);
    let on = |f: &Fix, path: &str| {
        f.edits.iter().any(|e| {
            matches!(e, Edit::SetKey { block: b @ BlockRef::Subnet { .. }, key, .. } if b.name() == path && key == "route_table")
        })
    };
    let fix = a
        .reach
        .fixes
        .iter()
        .find(|f| on(f, "spoke10/default") && on(f, "spoke20/default"))
        .unwrap_or_else(|| panic!("no fix adding route tables to both spokes\n{}", shown(&a)));
    assert!(fix_summary(fix).contains("hub00"), "{}", fix_summary(fix));
    // The fix adds two route tables (and, as hub00 has no forwarder, a firewall and its subnet).
    let tables = fix.edits.iter().filter(|e| matches!(e, Edit::AddBlock { kind: BlockKind::RouteTable, .. })).count();
    assert_eq!(tables, 2, "{:#?}", fix.edits);

    let after = apply_fix(&seed, fix, "vm-spoke10", "vm-spoke20");
    assert_delivered_both_ways(&after);
    // Through one device in hub00, both ways the same (no asymmetry warning), 2 routed hops (D16).
    let fw = after.reach.forward.forwarders();
    assert_eq!(fw.len(), 1, "{}", shown(&after));
    assert_eq!(fw, back(&after).forwarders());
    assert!(!after.reach.asymmetric());
    for b in after.reach.forward.branches.iter().chain(back(&after).branches.iter()) {
        assert_eq!(b.routed_hops(), 2, "{:?}", places(&after, b));
    }
    // Still delivered over the circuit to spoke110 (the fix does not break the rest).
    assert_delivered_both_ways(&apply_fix(&seed, fix, "vm-spoke10", "vm-spoke110"));
}

// ------------------------------------------------------------------ unservable next hops (D17, R28)

#[test]
fn virtual_appliance_to_an_address_nobody_holds_is_next_hop_unreachable() {
    // 10.0.1.9 is in the NVA subnet, but no NIC, firewall or frontend holds it.
    let text = hub_spokes("", "allow_forwarded_traffic = true", &(spoke_tables("10.0.1.9", "10.0.1.4") + NVA));
    // check warns about it (scenario format: a UDR next hop nobody holds).
    let w = warnings(&text);
    assert!(w.iter().any(|d| d.message.contains("10.0.1.9")), "a warning names 10.0.1.9: {w:#?}");
    // The row stays listed Active (D17).
    let rows = nic_rows(&sim(&text), "nic-vm1");
    assert!(rows.contains(&"User|Active|10.2.0.0/16|Virtual appliance|10.0.1.9|to-spoke2".to_string()), "{rows:#?}");
    let a = reach(&text, "vm1", "vm2");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered);
    let d = drops(&a.model, &a.reach.forward);
    assert!(!d.is_empty(), "{}", shown(&a));
    for (reason, rule, message, _) in &d {
        assert_eq!(*reason, DropReason::NextHopUnreachable, "{}", shown(&a));
        assert!(rule.contains("D17"), "{rule}");
        assert!(message.contains("10.0.1.9"), "{message}");
    }
    // The return (spoke2 → NVA 10.0.1.4) works.
    assert!(back(&a).delivered(), "{}", shown(&a));
    for fix in &a.reach.fixes {
        assert_delivered_both_ways(&apply_fix(&text, fix, "vm1", "vm2"));
    }
}

#[test]
fn route_to_a_nic_without_ip_forwarding_drops_and_the_fix_turns_it_on() {
    let text = through_one_nva().replace("ip_forwarding = true", "ip_forwarding = false");
    let a = reach(&text, "vm1", "vm2");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered);
    for t in [&a.reach.forward, back(&a)] {
        let d = drops(&a.model, t);
        assert!(!d.is_empty(), "{}", shown(&a));
        assert!(d.iter().all(|(r, ..)| *r == DropReason::IpForwardingOff), "{}", shown(&a));
        assert!(d.iter().all(|(_, _, m, _)| m.contains("nic-nva")), "{d:?}");
    }
    let fix = a
        .reach
        .fixes
        .iter()
        .find(|f| {
            f.edits.iter().any(|e| {
                matches!(e, Edit::SetKey { block: BlockRef::Nic(name), key, value }
                    if name == "nic-nva" && key == "ip_forwarding" && value == "true")
            })
        })
        .unwrap_or_else(|| panic!("no fix turning ip_forwarding on for nic-nva\n{}", shown(&a)));
    let after = apply_fix(&text, fix, "vm1", "vm2");
    assert_delivered_both_ways(&after);
    assert_eq!(after.reach.forward.forwarders().len(), 1);
    for fix in &a.reach.fixes {
        assert_delivered_both_ways(&apply_fix(&text, fix, "vm1", "vm2"));
    }
}

#[test]
fn user_virtual_network_gateway_route_without_a_vpn_gateway_is_no_vpn_gateway() {
    // An ExpressRoute gateway only: a user route cannot target it (R28, R58).
    let text = r#"
format = 1

[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.0.0/27"

[[vnet]]
name = "spoke1"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.0.0/24"
  route_table = "rt-spoke1"

[[peering]]
vnets = ["hub", "spoke1"]
transit_via = "hub"

[[gateway]]
name = "ergw-hub"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "er1"

[[connection]]
name = "conn-hub"
gateway = "ergw-hub"
circuit = "er1"

[[onprem]]
name = "dc"
asn = 65010
circuits = ["er1"]
advertise = ["10.200.0.0/16"]

[[route_table]]
name = "rt-spoke1"

  [[route_table.route]]
  name = "onprem-via-gateway"
  prefix = "10.200.0.0/16"
  next_hop_type = "VirtualNetworkGateway"

[[nic]]
name = "nic-vm1"
vnet = "spoke1"
subnet = "default"
ip = "10.1.0.4"
vm = "vm1"
"#;
    // The row is listed Active, with no next-hop address (D14, D17).
    let rows = nic_rows(&sim(text), "nic-vm1");
    assert!(
        rows.contains(&"User|Active|10.200.0.0/16|Virtual network gateway|-|onprem-via-gateway".to_string()),
        "{rows:#?}"
    );
    // The user row outranks the ExpressRoute rows of the same prefix, which are listed Invalid (D6).
    let er: Vec<&String> =
        with_prefix(&rows, "10.200.0.0/16").into_iter().filter(|r| r.starts_with("Virtual network gateway|")).collect();
    assert!(!er.is_empty() && er.iter().all(|r| r.contains("|Invalid|")), "{rows:#?}");
    let a = reach(text, "vm1", "10.200.1.1");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
    let d = drops(&a.model, &a.reach.forward);
    assert!(!d.is_empty(), "10.200.1.1 must drop\n{}", shown(&a));
    for (reason, rule, message, _) in &d {
        assert_eq!(*reason, DropReason::NoVpnGateway, "{}", shown(&a));
        assert!(rule.contains("D17"), "{rule}");
        assert!(message.contains("onprem-via-gateway"), "{message}");
    }
    // The return (on-premises → spoke1 over the circuit) is not affected by the spoke's UDR.
    assert!(back(&a).delivered(), "{}", shown(&a));
    // Without the user route, on-premises is reached over the ExpressRoute rows.
    let without = text.replace("route_table = \"rt-spoke1\"\n", "");
    assert_delivered_both_ways(&reach(&without, "vm1", "10.200.1.1"));
}

// ------------------------------------------------------------------ load balancers

#[test]
fn a_load_balancer_next_hop_is_one_ecmp_branch_per_backend() {
    let lb = r#"
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

[[nic]]
name = "nic-nva3"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.6"
ip_forwarding = true

[[load_balancer]]
name = "ilb-nva"
vnet = "hub"
subnet = "nva"
frontend_ip = "10.0.1.100"
backends = ["nic-nva3", "nic-nva1", "nic-nva2"]
ha_ports = true
"#;
    let text = hub_spokes("", "allow_forwarded_traffic = true", &(spoke_tables("10.0.1.100", "10.0.1.100") + lb));
    assert!(warnings(&text).is_empty(), "a frontend is a valid next hop: {:#?}", warnings(&text));
    let a = reach(&text, "vm1", "vm2");
    assert_delivered_both_ways(&a);
    assert!(!a.reach.asymmetric(), "both ways over the same backends\n{}", shown(&a));
    for t in [&a.reach.forward, back(&a)] {
        assert_eq!(t.branches.len(), 3, "one branch per backend\n{}", shown(&a));
        let mut via: Vec<String> = t
            .branches
            .iter()
            .map(|b| {
                assert!(
                    b.steps.iter().any(|s| matches!(s.place, Place::LoadBalancer(_))),
                    "each branch passes the frontend: {:?}",
                    places(&a, b)
                );
                let nvas: Vec<String> = b
                    .steps
                    .iter()
                    .filter_map(|s| match s.place {
                        Place::Nva(n) => Some(a.model.nics[n.idx()].name.clone()),
                        _ => None,
                    })
                    .collect();
                assert_eq!(nvas.len(), 1, "one backend per branch: {:?}", places(&a, b));
                // The load balancer is not a routed hop; the NVA and the destination are (D16).
                assert_eq!(b.routed_hops(), 2, "{:?}", places(&a, b));
                nvas[0].clone()
            })
            .collect();
        via.sort();
        assert_eq!(via, ["nic-nva1", "nic-nva2", "nic-nva3"]);
    }
}

// ------------------------------------------------------------------ peering flags (D11)

fn two_vnets(access_ab: bool) -> String {
    format!(
        r#"
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
  name = "default"
  prefix = "10.2.0.0/24"

[[peering]]
from = "a"
to = "b"
allow_virtual_network_access = {access_ab}

[[peering]]
from = "b"
to = "a"

[[nic]]
name = "nic-a"
vnet = "a"
subnet = "default"
vm = "vm-a"

[[nic]]
name = "nic-b"
vnet = "b"
subnet = "default"
vm = "vm-b"
"#
    )
}

#[test]
fn virtual_network_access_off_drops_both_ways_and_the_fix_verifies() {
    let text = two_vnets(false);
    // D11: flags never remove routes.
    let rows = nic_rows(&sim(&text), "nic-b");
    assert!(rows.contains(&"Default|Active|10.1.0.0/16|VNet peering|-|-".to_string()), "{rows:#?}");
    let a = reach(&text, "vm-a", "vm-b");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered);
    // Off on one direction drops traffic across that peering both ways.
    for t in [&a.reach.forward, back(&a)] {
        let d = drops(&a.model, t);
        assert!(!d.is_empty(), "{}", shown(&a));
        for (reason, rule, ..) in &d {
            assert_eq!(*reason, DropReason::PeeringAccessDisabled, "{}", shown(&a));
            assert!(rule.contains("D11"), "{rule}");
        }
    }
    assert!(!a.reach.fixes.is_empty(), "a fix turning access back on is expected\n{}", shown(&a));
    let fix = a
        .reach
        .fixes
        .iter()
        .find(|f| {
            f.edits.iter().any(|e| {
                matches!(e, Edit::SetKey { block: BlockRef::Peering { from, to }, key, value }
                    if from == "a" && to == "b" && key == "allow_virtual_network_access" && value == "true")
            })
        })
        .unwrap_or_else(|| panic!("no fix setting allow_virtual_network_access on a→b\n{}", shown(&a)));
    assert_delivered_both_ways(&apply_fix(&text, fix, "vm-a", "vm-b"));
    for fix in &a.reach.fixes {
        assert_delivered_both_ways(&apply_fix(&text, fix, "vm-a", "vm-b"));
    }
    // The control: access on, delivered in one routed hop.
    let ok = reach(&two_vnets(true), "vm-a", "vm-b");
    assert_delivered_both_ways(&ok);
    assert_eq!(ok.reach.forward.hop_range(), Some((1, 1)));
}

#[test]
fn forwarded_traffic_over_a_peering_without_allow_forwarded_traffic_is_a_warning_not_a_drop() {
    // Default peerings (allow_forwarded_traffic = false): the NVA forwards spoke1 → spoke2 across
    // hub → spoke2, whose receiving side does not allow forwarded traffic.
    let text = hub_spokes("", "", &(spoke_tables("10.0.1.4", "10.0.1.4") + NVA));
    let a = reach(&text, "vm1", "vm2");
    assert_delivered_both_ways(&a);
    let shown = warnings_shown(&a);
    let d11: Vec<&String> = shown.iter().filter(|w| w.contains("D11")).collect();
    assert!(!d11.is_empty(), "a warning citing D11 is expected: {:?}", a.reach.warnings);
    assert!(d11.iter().any(|w| w.contains("allow_forwarded_traffic")), "{d11:?}");
    // Both directions cross a peering after the NVA (hub → spoke2 forward, hub → spoke1 back).
    assert!(d11.iter().any(|w| w.contains("hub → spoke2")), "{d11:?}");
    assert!(d11.iter().any(|w| w.contains("hub → spoke1")), "{d11:?}");
    // The warning sits on the peering step the NVA sent the packet across, not on the spoke's own
    // first crossing into the hub (that traffic is not forwarded yet).
    let b = &a.reach.forward.branches[0];
    for s in &b.steps {
        if let Place::Peering { from, to, .. } = s.place {
            let (f, t) = (&a.model.vnets[from.idx()].name, &a.model.vnets[to.idx()].name);
            assert_eq!(s.warning.is_some(), f == "hub" && t == "spoke2", "peering {f} → {t}: {:?}", s.warning);
        }
    }
    // With forwarded traffic allowed, no such warning.
    let ok = reach(&through_one_nva(), "vm1", "vm2");
    assert_delivered_both_ways(&ok);
    assert!(warnings_shown(&ok).iter().all(|w| !w.contains("D11")), "{:?}", ok.reach.warnings);
}

// ------------------------------------------------------------------ routed hops (D16)

#[test]
fn spoke_to_spoke_through_one_nva_in_a_peered_hub_is_two_routed_hops() {
    let a = reach(&through_one_nva(), "vm1", "vm2");
    assert_delivered_both_ways(&a);
    assert!(a.reach.warnings.is_empty(), "{:?}", a.reach.warnings);
    for t in [&a.reach.forward, back(&a)] {
        assert_eq!(t.branches.len(), 1);
        assert_eq!(t.hop_range(), Some((2, 2)), "{}", shown(&a));
        let b = &t.branches[0];
        // Source, peering, NVA, peering, destination: only the NVA and the destination count.
        let routed: Vec<String> = b.steps.iter().filter(|s| s.routed).map(|s| place_name(&a.model, &s.place)).collect();
        assert_eq!(routed.len(), 2, "{:?}", places(&a, b));
        assert!(routed[0].contains("nic-nva"), "{routed:?}");
        assert!(!b.steps[0].routed, "the source is shown, not counted");
        let peerings = b.steps.iter().filter(|s| matches!(s.place, Place::Peering { .. })).count();
        assert_eq!(peerings, 2, "two peering crossings, not counted: {:?}", places(&a, b));
        assert!(b.steps.iter().filter(|s| matches!(s.place, Place::Peering { .. })).all(|s| !s.routed));
    }
    // A direct spoke1–spoke2 peering added later does not bypass the NVA: the UDRs for the
    // exact prefixes outrank the new peering rows (R22, D6), still two hops.
    let direct = edit(
        &through_one_nva(),
        "[[nic]]\nname = \"nic-vm1\"",
        "[[peering]]\nvnets = [\"spoke1\", \"spoke2\"]\n\n[[nic]]\nname = \"nic-vm1\"",
    );
    let a = reach(&direct, "vm1", "vm2");
    assert_delivered_both_ways(&a);
    assert_eq!(a.reach.forward.hop_range(), Some((2, 2)), "{}", shown(&a));
}
