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
