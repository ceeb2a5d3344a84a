//! `reach` over the seed and small variants of it: hop-by-hop traces both ways, every ECMP branch,
//! routed hops (D16), drops with their rule ("Forwarding", D3, R14, R37), and fixes that are
//! applied here and re-simulated to prove they work.

use std::net::IpAddr;

use ersim::Error;
use ersim::forward::Fix;
use ersim::forward::{DropReason, Outcome, Place, Trace, Verdict};
use ersim::model::Model;
use ersim::report::forward::{drop_message, host_name};
use ersim::scenario::edit::{self, BlockKind, BlockRef, Edit};

use ersim::report::remedy::fix_summary;

use super::common::*;

/// Every routed-hop count of a trace's branches.
fn hops(t: &Trace) -> Vec<u32> {
    t.branches.iter().map(|b| b.routed_hops()).collect()
}

/// The drops of a trace: (reason, rule, message).
fn drops(m: &Model, t: &Trace) -> Vec<(DropReason, String, String)> {
    t.branches
        .iter()
        .map(|b| match &b.outcome {
            Outcome::Dropped(d) => (d.reason(), d.rules().to_string(), drop_message(m, d)),
            Outcome::Delivered => panic!("branch delivered, a drop was expected"),
        })
        .collect()
}

fn system_routes_none() -> String {
    edit(&seed_text(), "format = 1\n", "format = 1\nsystem_routes = \"none\"\n")
}

/// The seed with `allow_remote_vnet_traffic` off on ergw-hub100.
fn d4_off_on_hub100() -> String {
    edit(
        &seed_text(),
        "name = \"ergw-hub100\"\nvnet = \"hub100\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"\nallow_remote_vnet_traffic = true",
        "name = \"ergw-hub100\"\nvnet = \"hub100\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"\nallow_remote_vnet_traffic = false",
    )
}

// ------------------------------------------------------------------ delivered over the circuit

#[test]
fn seed_spoke10_to_spoke110_is_delivered_both_ways() {
    let a = reach(&seed_text(), "vm-spoke10", "vm-spoke110");
    assert_delivered_both_ways(&a);
    assert_eq!(a.reach.forward.from.ip, "10.10.0.4".parse::<IpAddr>().unwrap());
    assert_eq!(a.reach.forward.to.ip, "10.110.0.5".parse::<IpAddr>().unwrap());
    assert!(!a.reach.forward.to.synthetic && !a.reach.forward.from.synthetic);
    assert!(a.reach.warnings.is_empty(), "no warnings expected: {:?}", a.reach.warnings);
}

#[test]
fn seed_spoke10_to_spoke110_follows_both_ecmp_branches_each_way() {
    let a = reach(&seed_text(), "vm-spoke10", "vm-spoke110");
    let expected: Vec<IpAddr> = vec!["10.2.146.76".parse().unwrap(), "10.2.146.77".parse().unwrap()];
    for (dir, t) in [("forward", &a.reach.forward), ("return", back(&a))] {
        assert_eq!(t.branches.len(), 2, "{dir}: two ECMP branches (D2, R24)\n{}", shown(&a));
        let mut first_hops: Vec<IpAddr> = t
            .branches
            .iter()
            .map(|b| {
                let r = b.steps[0].route.as_ref().expect("the source looks up its table");
                assert_eq!(r.prefix.to_string(), if dir == "forward" { "10.110.0.0/16" } else { "10.10.0.0/16" });
                r.next_hop_ip.expect("a gateway row has a next hop IP")
            })
            .collect();
        first_hops.sort();
        assert_eq!(first_hops, expected, "{dir}: one branch per MSEE next hop\n{}", shown(&a));
        // Each branch reaches the MSEE over the link it was sent to.
        for b in &t.branches {
            let ip = b.steps[0].route.as_ref().unwrap().next_hop_ip;
            assert!(
                b.steps.iter().any(|s| matches!(s.place, Place::Msee(_, link) if link == ip)),
                "{dir}: branch via {ip:?} must pass that MSEE link\n{}",
                shown(&a)
            );
        }
    }
}

#[test]
fn seed_spoke10_to_spoke110_path_names_the_circuit_and_the_far_gateway() {
    let a = reach(&seed_text(), "vm-spoke10", "vm-spoke110");
    for b in &a.reach.forward.branches {
        let p = places(&a, b);
        let circuit = p.iter().position(|s| s.contains("circuit01")).unwrap_or_else(|| panic!("no circuit01 in {p:?}"));
        let gw = p.iter().position(|s| s.contains("ergw-hub100")).unwrap_or_else(|| panic!("no ergw-hub100 in {p:?}"));
        assert!(circuit < gw, "the MSEE comes before the gateway it hands the packet to: {p:?}");
        assert!(!p.iter().any(|s| s.contains("ergw-hub00 ")), "forward does not enter ergw-hub00 (R54): {p:?}");
    }
    // The return mirrors it via ergw-hub00.
    for b in &back(&a).branches {
        let p = places(&a, b);
        assert!(p.iter().any(|s| s.contains("circuit01")), "return: no circuit01 in {p:?}");
        assert!(p.iter().any(|s| s.contains("ergw-hub00")), "return: no ergw-hub00 in {p:?}");
        assert!(!p.iter().any(|s| s.contains("ergw-hub100")), "return does not enter ergw-hub100: {p:?}");
    }
}

#[test]
fn seed_routed_hops_match_the_articles_tracert() {
    // D16: hub00 VM 1 hop; hub100, spoke110, spoke120 VMs 2 hops.
    let seed = seed_text();
    for (to, n) in [("vm-hub00", 1), ("vm-spoke110", 2), ("vm-hub100", 2), ("vm-spoke120", 2)] {
        let a = reach(&seed, "vm-spoke10", to);
        assert_delivered_both_ways(&a);
        assert!(hops(&a.reach.forward).iter().all(|h| *h == n), "vm-spoke10 → {to}: {n} routed hops\n{}", shown(&a));
        assert_eq!(a.reach.forward.hop_range(), Some((n, n)));
        assert!(hops(back(&a)).iter().all(|h| *h == n), "{to} → vm-spoke10: {n} routed hops back\n{}", shown(&a));
    }
}

#[test]
fn seed_spoke10_to_hub00_is_one_hop_over_the_peering() {
    let a = reach(&seed_text(), "vm-spoke10", "vm-hub00");
    assert_delivered_both_ways(&a);
    assert_eq!(a.reach.forward.branches.len(), 1);
    let b = &a.reach.forward.branches[0];
    assert_eq!(b.routed_hops(), 1);
    let r = b.steps[0].route.as_ref().unwrap();
    assert_eq!(r.prefix.to_string(), "10.0.0.0/16");
    assert_eq!(route_shown(&a, r).2, "VNet peering");
    assert!(!places(&a, b).iter().any(|s| s.contains("circuit01")), "no circuit between peered VNets (R40)");
}

// ------------------------------------------------------------------ not transitive

#[test]
fn seed_spoke10_to_spoke20_drops_at_the_reserved_none_route() {
    let a = reach(&seed_text(), "vm-spoke10", "vm-spoke20");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
    assert_eq!(a.reach.exit_code(), 1);
    for (dir, t) in [("forward", &a.reach.forward), ("return", back(&a))] {
        assert!(!t.delivered(), "{dir} must not deliver");
        let d = drops(&a.model, t);
        assert!(!d.is_empty());
        for (reason, rule, message) in d {
            assert_eq!(reason, DropReason::NextHopNone, "{dir}\n{}", shown(&a));
            assert!(rule.contains("D3") && rule.contains("R37"), "{dir}: rule `{rule}` must cite D3 and R37");
            assert!(message.contains("10.0.0.0/8"), "{dir}: message must name the None row: {message}");
            assert!(message.contains("transitive"), "{dir}: message must say peering is not transitive: {message}");
        }
    }
}

#[test]
fn system_routes_none_spoke10_to_spoke20_drops_to_the_internet() {
    let a = reach(&system_routes_none(), "vm-spoke10", "vm-spoke20");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "{}", shown(&a));
    assert_eq!(a.reach.exit_code(), 1);
    for t in [&a.reach.forward, back(&a)] {
        for (reason, _rule, message) in drops(&a.model, t) {
            assert_eq!(reason, DropReason::ToInternet, "{}", shown(&a));
            assert!(message.contains("0.0.0.0/0"), "message must name 0.0.0.0/0: {message}");
        }
        let r = t.branches[0].steps[0].route.as_ref().unwrap();
        assert_eq!(r.prefix.to_string(), "0.0.0.0/0");
        assert_eq!(route_shown(&a, r).2, "Internet");
    }
}

#[test]
fn system_routes_none_drop_still_says_peering_is_not_transitive() {
    // "Forwarding": seed spoke10 → spoke20 "only matches `10.0.0.0/8 None` (D3; `0.0.0.0/0 Internet`
    // under profile `none`); peering is not transitive (R37)".
    let a = reach(&system_routes_none(), "vm-spoke10", "vm-spoke20");
    for (_, rule, message) in drops(&a.model, &a.reach.forward) {
        assert!(
            rule.contains("R37") || message.contains("R37") || message.contains("transitive"),
            "under `none` the drop must still explain non-transitive peering (R37); rule `{rule}`, message: {message}"
        );
    }
}

fn peering_fix(fixes: &[Fix], a: &str, b: &str) -> Option<Fix> {
    fixes
        .iter()
        .find(|f| {
            f.edits.iter().any(|e| {
                matches!(e, Edit::AddBlock { kind: BlockKind::Peering, toml }
                    if toml.contains(&format!("\"{a}\"")) && toml.contains(&format!("\"{b}\"")))
            })
        })
        .cloned()
}

/// A fix that puts route tables on both spokes' subnets.
fn udr_fix(fixes: &[Fix]) -> Option<Fix> {
    fixes
        .iter()
        .find(|f| {
            let on = |path: &str| {
                f.edits.iter().any(
                    |e| matches!(e, Edit::SetKey { block: b @ BlockRef::Subnet { .. }, key, .. } if b.name() == path && key == "route_table"),
                )
            };
            on("spoke10/default") && on("spoke20/default")
        })
        .cloned()
}

#[test]
fn seed_spoke10_to_spoke20_offers_peering_and_udrs_through_the_hub() {
    let seed = seed_text();
    let a = reach(&seed, "vm-spoke10", "vm-spoke20");
    let summaries: Vec<String> = a.reach.fixes.iter().map(fix_summary).collect();
    assert!(peering_fix(&a.reach.fixes, "spoke10", "spoke20").is_some(), "no peering fix among {summaries:?}");
    let udr = udr_fix(&a.reach.fixes).unwrap_or_else(|| panic!("no UDR fix for both spokes among {summaries:?}"));
    assert!(fix_summary(&udr).contains("hub00"), "the UDR fix goes through hub00: {}", fix_summary(&udr));

    // After the UDR fix, each spoke has a user route to the other spoke via an appliance in hub00.
    let fixed = edit::apply(&seed, &udr.edits).unwrap();
    let s = sim(&fixed);
    let hub00: ipnet::IpNet = "10.0.0.0/16".parse().unwrap();
    for (nic, prefix) in [("nic-spoke10", "10.20.0.0/16"), ("nic-spoke20", "10.10.0.0/16")] {
        let rows = nic_rows(&s, nic);
        let user: Vec<&String> =
            with_prefix(&rows, prefix).into_iter().filter(|r| r.starts_with("User|Active|")).collect();
        assert_eq!(user.len(), 1, "{nic}: one active UDR for {prefix}\n{rows:#?}");
        let f: Vec<&str> = user[0].split('|').collect();
        assert_eq!(f[3], "Virtual appliance", "{nic}: {}", user[0]);
        let ip: IpAddr = f[4].parse().unwrap();
        assert!(hub00.contains(&ip), "{nic}: next hop {ip} must be in hub00");
    }
    // And the flow crosses that appliance both ways (symmetric: no warning).
    let after = reach(&fixed, "vm-spoke10", "vm-spoke20");
    assert_delivered_both_ways(&after);
    assert!(!after.reach.forward.forwarders().is_empty(), "forward must cross the hub appliance\n{}", shown(&after));
    assert_eq!(after.reach.forward.forwarders(), back(&after).forwarders());
}

#[test]
fn every_fix_offered_for_spoke10_to_spoke20_delivers_when_applied() {
    for (label, text) in [("seed", seed_text()), ("system_routes = none", system_routes_none())] {
        let a = reach(&text, "vm-spoke10", "vm-spoke20");
        assert!(a.reach.fixes.len() >= 2, "{label}: peering and UDR fixes expected\n{}", shown(&a));
        assert!(peering_fix(&a.reach.fixes, "spoke10", "spoke20").is_some(), "{label}: no peering fix");
        assert!(udr_fix(&a.reach.fixes).is_some(), "{label}: no UDR fix");
        for fix in &a.reach.fixes {
            let after = apply_fix(&text, fix, "vm-spoke10", "vm-spoke20");
            assert_eq!(
                after.reach.verdict,
                Verdict::Delivered,
                "{label}: fix `{}` does not deliver\n{}",
                fix_summary(fix),
                shown(&after)
            );
            // The fix must not break what worked: spoke10 still reaches spoke110.
            let other = apply_fix(&text, fix, "vm-spoke10", "vm-spoke110");
            assert_eq!(
                other.reach.verdict,
                Verdict::Delivered,
                "{label}: fix `{}` breaks spoke10 → spoke110",
                fix_summary(fix)
            );
        }
    }
}

// ------------------------------------------------------------------ endpoints

#[test]
fn by_ip_address_resolves_to_the_nics_and_delivers() {
    let a = reach(&seed_text(), "10.10.0.4", "10.120.0.5");
    assert_delivered_both_ways(&a);
    assert!(host_name(&a.model, &a.reach.forward.from.host).contains("nic-spoke10"), "{}", shown(&a));
    assert!(host_name(&a.model, &a.reach.forward.to.host).contains("nic-spoke120"), "{}", shown(&a));
    assert!(!a.reach.forward.from.synthetic && !a.reach.forward.to.synthetic);
    assert!(hops(&a.reach.forward).iter().all(|h| *h == 2));
}

#[test]
fn by_vnet_name_uses_its_first_nic_and_delivers() {
    let a = reach(&seed_text(), "spoke10", "spoke120");
    assert_delivered_both_ways(&a);
    assert!(host_name(&a.model, &a.reach.forward.from.host).contains("nic-spoke10"), "{}", shown(&a));
    assert!(host_name(&a.model, &a.reach.forward.to.host).contains("nic-spoke120"), "{}", shown(&a));
    assert_eq!(a.reach.forward.to.ip, "10.120.0.5".parse::<IpAddr>().unwrap());
}

#[test]
fn an_ip_in_a_subnet_without_nic_is_a_synthetic_host() {
    let seed = seed_text();
    // hub00/AzureBastionSubnet (10.0.100.0/24) holds no NIC.
    let a = reach(&seed, "vm-spoke10", "10.0.100.9");
    assert!(a.reach.forward.to.synthetic, "10.0.100.9 must be synthetic: {:?}", a.reach.forward.to);
    assert_eq!(a.reach.forward.to.ip, "10.0.100.9".parse::<IpAddr>().unwrap());
    assert!(!a.reach.forward.from.synthetic);
    assert_delivered_both_ways(&a);
    assert!(shown(&a).contains("[synthetic]"), "the text report marks it\n{}", shown(&a));
    // The subnet by name gives a synthetic host too.
    let b = reach(&seed, "vm-spoke10", "hub00/AzureBastionSubnet");
    assert!(b.reach.forward.to.synthetic);
    let bastion: ipnet::IpNet = "10.0.100.0/24".parse().unwrap();
    assert!(bastion.contains(&b.reach.forward.to.ip));
    let j = ersim::report::reach::json_value(&a.model, &a.reach);
    assert_eq!(j["forward"]["to"]["synthetic"], true);
}

#[test]
fn a_public_destination_is_one_way() {
    let a = reach(&seed_text(), "vm-spoke10", "8.8.8.8");
    assert_eq!(a.reach.verdict, Verdict::OneWay, "{}", shown(&a));
    assert!(a.reach.back.is_none(), "no return path for a public address");
    assert!(a.reach.forward.delivered());
    assert_eq!(a.reach.exit_code(), 0);
    let r = a.reach.forward.branches[0].steps[0].route.as_ref().unwrap();
    assert_eq!(r.prefix.to_string(), "0.0.0.0/0");
    assert_eq!(route_shown(&a, r).2, "Internet");
    let j = ersim::report::reach::json_value(&a.model, &a.reach);
    assert_eq!(j["verdict"], "one-way");
    assert!(j["return"].is_null());
}

#[test]
fn unknown_names_are_errors_with_suggestions() {
    let l = load(&seed_text());
    for (from, to, bad, close) in
        [("vm-spok10", "vm-spoke110", "vm-spok10", "vm-spoke10"), ("vm-spoke10", "spoke21", "spoke21", "spoke20")]
    {
        let e = ersim::app::reach(&l, from, to).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        match &e {
            Error::Name(ersim::resolve::ResolveError::Unknown { name, suggestions }) => {
                assert_eq!(name, bad);
                assert!(suggestions.iter().any(|s| s == close), "`{bad}`: suggestions {suggestions:?} lack {close}");
            }
            other => panic!("`{bad}`: expected an unknown-name error, got {other:?}"),
        }
        let msg = e.to_string();
        assert!(msg.contains(bad) && msg.contains(close), "message: {msg}");
    }
}

/// The seed with an NVA subnet in hub00 and an internal load balancer in front of one NVA.
fn seed_with_load_balancer() -> String {
    let t = edit(
        &seed_text(),
        "  name = \"AzureBastionSubnet\"\n  prefix = \"10.0.100.0/24\"\n",
        "  name = \"AzureBastionSubnet\"\n  prefix = \"10.0.100.0/24\"\n\n  [[vnet.subnet]]\n  name = \"nva\"\n  prefix = \"10.0.1.0/24\"\n",
    );
    t + r#"
[[nic]]
name = "nic-nva1"
vnet = "hub00"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[load_balancer]]
name = "ilb-nva"
vnet = "hub00"
subnet = "nva"
frontend_ip = "10.0.1.100"
backends = ["nic-nva1"]
"#
}

#[test]
fn a_load_balancer_cannot_be_a_source() {
    let l = load(&seed_with_load_balancer());
    for from in ["ilb-nva", "lb:ilb-nva"] {
        match ersim::app::reach(&l, from, "vm-spoke10") {
            Err(e) => {
                assert_eq!(e.exit_code(), 2);
                assert!(e.to_string().contains("ilb-nva"), "{from}: the error names the load balancer: {e}");
            }
            Ok(a) => panic!("{from} as a source must be refused\n{}", shown(&a)),
        }
    }
    // As a destination it is fine.
    let a = ersim::app::reach(&l, "vm-spoke10", "ilb-nva").expect("a load balancer is a valid destination");
    assert_eq!(a.reach.verdict, Verdict::Delivered, "{}", shown(&a));
}

#[test]
fn a_load_balancer_frontend_address_cannot_be_a_source_either() {
    // The frontend address names the same load balancer; it does not originate traffic whichever
    // way it is named.
    let l = load(&seed_with_load_balancer());
    match ersim::app::reach(&l, "10.0.1.100", "vm-spoke10") {
        Err(e) => assert_eq!(e.exit_code(), 2),
        Ok(a) => panic!("the frontend 10.0.1.100 as a source must be refused like `ilb-nva`\n{}", shown(&a)),
    }
}

// ------------------------------------------------------------------ D4

#[test]
fn d4_off_on_one_gateway_stops_spoke_to_spoke_and_the_fix_turns_it_back_on() {
    let text = d4_off_on_hub100();
    let a = reach(&text, "vm-spoke10", "vm-spoke110");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered, "D4: off on ergw-hub100 stops VNet-to-VNet\n{}", shown(&a));
    assert_eq!(a.reach.exit_code(), 1);
    let on = a
        .reach
        .fixes
        .iter()
        .find(|f| {
            f.edits.iter().any(|e| {
                matches!(e, Edit::SetKey { block: BlockRef::Gateway(name), key, value }
                    if name == "ergw-hub100" && key == "allow_remote_vnet_traffic" && value == "true")
            })
        })
        .unwrap_or_else(|| panic!("no fix turning allow_remote_vnet_traffic on for ergw-hub100\n{}", shown(&a)));
    assert!(fix_summary(on).contains("allow_remote_vnet_traffic"), "{}", fix_summary(on));
    // It does not touch the gateway that already has it on.
    assert!(!on.edits.iter().any(|e| matches!(e, Edit::SetKey { block, .. } if block.name() == "ergw-hub00")));
    let after = apply_fix(&text, on, "vm-spoke10", "vm-spoke110");
    assert_delivered_both_ways(&after);
    // Every other fix offered works as well.
    for fix in &a.reach.fixes {
        let after = apply_fix(&text, fix, "vm-spoke10", "vm-spoke110");
        assert_eq!(after.reach.verdict, Verdict::Delivered, "fix `{}` does not deliver", fix_summary(fix));
    }
}

// ------------------------------------------------------------------ exit codes and JSON

#[test]
fn exit_codes_follow_the_verdict() {
    let seed = seed_text();
    assert_eq!(reach(&seed, "vm-spoke10", "vm-spoke110").reach.exit_code(), 0);
    assert_eq!(reach(&seed, "vm-spoke10", "vm-spoke20").reach.exit_code(), 1);
    assert_eq!(reach(&seed, "vm-spoke110", "vm-spoke120").reach.exit_code(), 1);
    assert_eq!(reach(&seed, "vm-hub100", "vm-spoke120").reach.exit_code(), 0);
}

#[test]
fn reach_json_has_the_documented_keys() {
    let seed = seed_text();
    let ok = reach(&seed, "vm-spoke10", "vm-spoke110");
    let j = ersim::report::reach::json_value(&ok.model, &ok.reach);
    for k in ["verdict", "forward", "return", "fixes", "warnings", "notModelled"] {
        assert!(j.get(k).is_some(), "missing key {k}: {j:#}");
    }
    assert_eq!(j["verdict"], "delivered");
    assert_eq!(j["forward"]["delivered"], true);
    assert_eq!(j["forward"]["from"]["ip"], "10.10.0.4");
    assert_eq!(j["forward"]["to"]["ip"], "10.110.0.5");
    assert_eq!(j["forward"]["branches"].as_array().unwrap().len(), 2);
    for b in j["forward"]["branches"].as_array().unwrap() {
        assert_eq!(b["routedHops"], 2);
        assert_eq!(b["outcome"]["delivered"], true);
    }
    assert_eq!(j["return"]["delivered"], true);
    assert_eq!(j["fixes"].as_array().unwrap().len(), 0);

    let bad = reach(&seed, "vm-spoke10", "vm-spoke20");
    let j = ersim::report::reach::json_value(&bad.model, &bad.reach);
    assert_eq!(j["verdict"], "not-delivered");
    let mut dropped = 0;
    for dir in ["forward", "return"] {
        for b in j[dir]["branches"].as_array().unwrap() {
            let o = &b["outcome"];
            if o["delivered"] == false {
                dropped += 1;
                for k in ["reason", "rule", "message"] {
                    assert!(o[k].as_str().is_some_and(|s| !s.is_empty()), "{dir}: outcome lacks {k}: {o:#}");
                }
                assert_eq!(o["reason"], "NextHopNone");
            }
        }
    }
    assert_eq!(dropped, 2, "one dropped branch each way");
    let fixes = j["fixes"].as_array().unwrap();
    assert!(!fixes.is_empty());
    for f in fixes {
        assert!(f["summary"].is_string());
        for e in f["edits"].as_array().unwrap() {
            let op = e["op"].as_str().unwrap_or_else(|| panic!("edit without op: {e}"));
            assert!(["add_block", "set_key", "add_route", "add_subnet"].contains(&op), "op {op}");
        }
    }
}

/// Fixes are TOML written into the user's design: names are quoted as TOML strings, so a name
/// holding a quote or a backslash still gives a valid, verified fix.
#[test]
fn fixes_quote_names_that_need_escaping() {
    let seed = seed_text().replace("\"spoke20\"", "\"spoke\\\"20\\\\x\"");
    let l = load(&seed);
    assert!(l.model.vnet_by_name("spoke\"20\\x").is_some(), "the rename took");
    let a = reach(&seed, "vm-spoke10", "vm-spoke20");
    assert_eq!(a.reach.verdict, Verdict::NotDelivered);
    assert!(
        a.reach
            .fixes
            .iter()
            .any(|f| f.edits.iter().any(
                |e| matches!(e, Edit::AddBlock { kind: BlockKind::Peering, toml } if toml.contains("spoke\"20\\x"))
            )),
        "a peering fix naming the escaped VNet\n{}",
        shown(&a)
    );
    assert!(
        a.reach.fixes.iter().any(|f| fix_summary(f).contains("through a new firewall")),
        "the UDR fix survives the escaping too\n{}",
        shown(&a)
    );
    for f in &a.reach.fixes {
        let after = apply_fix(&seed, f, "vm-spoke10", "vm-spoke20");
        assert_eq!(after.reach.verdict, Verdict::Delivered, "fix `{}`\n{}", fix_summary(f), shown(&after));
    }
}
