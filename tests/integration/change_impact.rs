//! Change impact: `--down` failures applied to the model, and `ersim diff` between two designs.
//! Expectations come from the rules (D2, D4, D6, D17, R36, R38, R47, R48, R55), not from output.

use std::collections::BTreeSet;
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::Config;

use ersim::app::{self, DiffAnswer};
use ersim::diff::{Diff, PairKind, RowChange, SessionState, SubnetDiff};
use ersim::effective::{RouteSource, Row};
use ersim::model::{NextHopType, RouteState};

use super::common::*;

const SEED_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml");

/// The other hub's side of the seed, per VNet: (VNet, prefixes it learns over the circuit).
const SEED_SIDES: [(&str, [&str; 3]); 4] = [
    ("spoke10", ["10.100.0.0/16", "10.110.0.0/16", "10.120.0.0/16"]),
    ("spoke20", ["10.100.0.0/16", "10.110.0.0/16", "10.120.0.0/16"]),
    ("spoke110", ["10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16"]),
    ("spoke120", ["10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16"]),
];

const HUB00_SIDE: [&str; 3] = ["hub00", "spoke10", "spoke20"];
const HUB100_SIDE: [&str; 3] = ["hub100", "spoke110", "spoke120"];

/// Every (a, b) VNet pair across the seed's two hubs, names in order.
fn seed_cross_pairs() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for a in HUB00_SIDE {
        for b in HUB100_SIDE {
            let (x, y) = if a < b { (a, b) } else { (b, a) };
            out.insert((x.to_string(), y.to_string()));
        }
    }
    out
}

fn diff_texts(before: &str, after: &str) -> DiffAnswer {
    app::diff_loaded(load(before), Some(load(after)), &[]).unwrap_or_else(|e| panic!("diff should answer: {e}"))
}

fn diff_down(text: &str, down: &[&str]) -> DiffAnswer {
    let specs: Vec<String> = down.iter().map(|s| s.to_string()).collect();
    app::diff_loaded(load(text), None, &specs).unwrap_or_else(|e| panic!("diff --down {down:?} should answer: {e}"))
}

fn shown_diff(d: &DiffAnswer) -> String {
    let sides = ersim::report::diff::Sides { before: &d.before, after: &d.after };
    ersim::report::diff::text(sides, &d.diff, &d.down, true)
}

fn subnet<'a>(d: &'a Diff, path: &str) -> Option<&'a SubnetDiff> {
    d.routes.iter().find(|s| s.subnet == path)
}

fn prefixes(rows: &[&Row]) -> BTreeSet<String> {
    rows.iter().map(|r| r.prefix.to_string()).collect()
}

fn added(s: &SubnetDiff) -> Vec<&Row> {
    s.changes.iter().filter_map(|c| if let RowChange::Added(r) = c { Some(&r.row) } else { None }).collect()
}

fn removed(s: &SubnetDiff) -> Vec<&Row> {
    s.changes.iter().filter_map(|c| if let RowChange::Removed(r) = c { Some(&r.row) } else { None }).collect()
}

fn changed(s: &SubnetDiff) -> Vec<(&Row, &Row)> {
    s.changes
        .iter()
        .filter_map(
            |c| if let RowChange::Changed { before, after } = c { Some((&before.row, &after.row)) } else { None },
        )
        .collect()
}

fn pair_set(ps: &[ersim::diff::Pair], kind: PairKind) -> BTreeSet<(String, String)> {
    ps.iter().filter(|p| p.kind == kind).map(|p| (p.from.clone(), p.to.clone())).collect()
}

fn strs(v: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn ip(s: &str) -> std::net::IpAddr {
    s.parse().expect("address")
}

const MSEE: [&str; 2] = ["10.2.146.76", "10.2.146.77"];

// ---------------------------------------------------------------- designs compared (diff)

/// The seed with spoke10's peering written as two halves, spoke10's without `use_remote_gateways`.
fn seed_spoke10_without_transit() -> String {
    edit(
        &seed_text(),
        "[[peering]]\nvnets = [\"hub00\", \"spoke10\"]\ntransit_via = \"hub00\"\nallow_forwarded_traffic = true\n",
        "[[peering]]\nfrom = \"hub00\"\nto = \"spoke10\"\nallow_gateway_transit = true\nallow_forwarded_traffic = true\n\n[[peering]]\nfrom = \"spoke10\"\nto = \"hub00\"\nallow_forwarded_traffic = true\n",
    )
}

#[test]
fn use_remote_gateways_gains_the_circuit_routes_in_both_hubs_and_the_pairs_it_opens() {
    let before = seed_spoke10_without_transit();
    let after = edit(
        &before,
        "to = \"hub00\"\nallow_forwarded_traffic = true\n",
        "to = \"hub00\"\nallow_forwarded_traffic = true\nuse_remote_gateways = true\n",
    );
    let a = diff_texts(&before, &after);
    let d = &a.diff;
    let text = shown_diff(&a);
    // R38, R47: spoke10 joins hub00's domain and gets the gateway's routes: the other hub's side.
    let s10 = subnet(d, "spoke10/default").unwrap_or_else(|| panic!("spoke10 changes:\n{text}"));
    let got = added(s10);
    assert_eq!(prefixes(&got), SEED_SIDES[0].1.iter().map(|p| p.to_string()).collect(), "{text}");
    for r in &got {
        assert_eq!(r.source, RouteSource::VirtualNetworkGateway, "{text}");
        assert_eq!(r.state, RouteState::Active, "{text}");
        assert_eq!(r.next_hop_ips, MSEE.map(ip).to_vec(), "both MSEE links (D2): {text}");
    }
    assert!(removed(s10).is_empty() && changed(s10).is_empty(), "{text}");
    // ergw-hub00 now advertises spoke10 into the circuit: every subnet behind hub100 learns it.
    for path in ["hub100/default", "hub100/GatewaySubnet", "spoke110/default", "spoke120/default"] {
        let s = subnet(d, path).unwrap_or_else(|| panic!("{path} should change:\n{text}"));
        assert_eq!(prefixes(&added(s)), BTreeSet::from(["10.10.0.0/16".to_string()]), "{path}: {text}");
    }
    // hub00 and spoke20 do not re-learn spoke10 from their own gateway (D8, D7).
    for path in ["hub00/default", "spoke20/default"] {
        assert!(subnet(d, path).is_none(), "{path} should not change:\n{text}");
    }
    // The pairs it opens: spoke10 with the other hub's side; nothing lost.
    let gained = pair_set(&d.reachability.gained, PairKind::Vnet);
    assert_eq!(gained, strs(&[("hub100", "spoke10"), ("spoke10", "spoke110"), ("spoke10", "spoke120")]), "{text}");
    assert!(d.reachability.lost.is_empty(), "{text}");
    assert_eq!(d.exit_code(ersim::diff::FailOn::Lost), 0);
    assert_eq!(d.exit_code(ersim::diff::FailOn::Any), 1);
    // ergw-hub100 learns one prefix more: spoke10's.
    let hub100 = d.bgp.learned_counts.iter().find(|c| c.speaker == "ergw-hub100").expect("ergw-hub100 learns more");
    assert_eq!(hub100.after, hub100.before.map(|n| n + 1), "{text}");
}

#[test]
fn allow_remote_vnet_traffic_off_loses_the_other_hubs_rows_and_pairs() {
    let seed = seed_text();
    let after = edit(
        &seed,
        "name = \"ergw-hub100\"\nvnet = \"hub100\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"\nallow_remote_vnet_traffic = true",
        "name = \"ergw-hub100\"\nvnet = \"hub100\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"\nallow_remote_vnet_traffic = false",
    );
    let a = diff_texts(&seed, &after);
    let d = &a.diff;
    let text = shown_diff(&a);
    // D4: VNet-to-VNet over the circuit needs the setting on both gateways: both sides lose.
    for (vnet, other) in SEED_SIDES {
        let s = subnet(d, &format!("{vnet}/default")).unwrap_or_else(|| panic!("{vnet} should change:\n{text}"));
        assert_eq!(prefixes(&removed(s)), other.iter().map(|p| p.to_string()).collect(), "{vnet}: {text}");
        assert!(added(s).is_empty() && changed(s).is_empty(), "{vnet}: {text}");
    }
    assert_eq!(pair_set(&d.reachability.lost, PairKind::Vnet), seed_cross_pairs(), "{text}");
    for p in &d.reachability.lost {
        let drop = p.drop.as_ref().expect("traced");
        assert!(drop.drop.rules().to_string().contains("D4"), "the drop names D4: {text}");
    }
    assert!(d.reachability.gained.is_empty());
    assert_eq!(d.exit_code(ersim::diff::FailOn::Lost), 1);
    // Summarised per pair of domains: hub00's side and hub100's, 9 pairs, all lost.
    let s = &d.reachability.summary;
    assert_eq!(s.len(), 1, "{text}");
    assert_eq!((s[0].from.as_str(), s[0].to.as_str(), s[0].pairs, s[0].lost), ("hub00", "hub100", 9, 9), "{text}");
    assert_eq!((s[0].delivered_before, s[0].delivered_after), (9, 0));
}

#[test]
fn a_udr_shows_as_a_user_row_active_and_the_gateway_row_of_its_prefix_invalid() {
    let seed = seed_text();
    let after = edit(
        &seed,
        "  [[vnet.subnet]]\n  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n",
        "  [[vnet.subnet]]\n  name = \"default\"\n  prefix = \"10.10.0.0/24\"\n  route_table = \"rt-spoke10\"\n",
    ) + "\n[[route_table]]\nname = \"rt-spoke10\"\n\n  [[route_table.route]]\n  name = \"blackhole-spoke110\"\n  prefix = \"10.110.0.0/16\"\n  next_hop_type = \"None\"\n";
    let a = diff_texts(&seed, &after);
    let d = &a.diff;
    let text = shown_diff(&a);
    let s = subnet(d, "spoke10/default").unwrap_or_else(|| panic!("spoke10 changes:\n{text}"));
    // D6: the user row wins its prefix; the gateway row stays, Invalid.
    let add = added(s);
    assert_eq!(add.len(), 1, "{text}");
    assert_eq!(
        (add[0].source, add[0].state, add[0].prefix.to_string(), add[0].next_hop_type, add[0].udr_name.as_deref()),
        (RouteSource::User, RouteState::Active, "10.110.0.0/16".into(), NextHopType::None, Some("blackhole-spoke110")),
        "{text}"
    );
    let ch = changed(s);
    assert_eq!(ch.len(), 1, "{text}");
    let (b, a2) = ch[0];
    assert_eq!(
        (b.source, b.state, b.prefix.to_string()),
        (RouteSource::VirtualNetworkGateway, RouteState::Active, "10.110.0.0/16".into())
    );
    assert_eq!(
        (a2.source, a2.state, &a2.next_hop_ips),
        (RouteSource::VirtualNetworkGateway, RouteState::Invalid, &b.next_hop_ips)
    );
    assert!(removed(s).is_empty(), "{text}");
    // Only spoke10's table changes; the pair it blackholes is lost, by the user route (R27).
    assert_eq!(d.routes.len(), 1, "{text}");
    assert_eq!(pair_set(&d.reachability.lost, PairKind::Vnet), strs(&[("spoke10", "spoke110")]), "{text}");
    let p = &d.reachability.lost[0];
    assert_eq!(p.reason.map(|r| r.code()), Some("NextHopNone"));
    let rules = p.drop.as_ref().map(|f| f.drop.rules().to_string()).unwrap_or_default();
    assert!(rules.split(", ").any(|r| r == "R27"), "a user route's None (R27): {text}");
}

// ---------------------------------------------------------------- failures (--down)

#[test]
fn circuit_down_every_spoke_loses_the_other_hubs_routes_and_pairs() {
    let a = diff_down(&seed_text(), &["circuit01"]);
    let d = &a.diff;
    let text = shown_diff(&a);
    assert_eq!(a.down, ["circuit01"]);
    assert!(text.starts_with("down: circuit01\n"), "{text}");
    for (vnet, other) in SEED_SIDES {
        let s = subnet(d, &format!("{vnet}/default")).unwrap_or_else(|| panic!("{vnet} should change:\n{text}"));
        assert_eq!(prefixes(&removed(s)), other.iter().map(|p| p.to_string()).collect(), "{vnet}: {text}");
        assert!(added(s).is_empty() && changed(s).is_empty(), "{vnet}: {text}");
    }
    assert_eq!(pair_set(&d.reachability.lost, PairKind::Vnet), seed_cross_pairs(), "{text}");
    assert!(d.reachability.gained.is_empty());
    assert_eq!(d.exit_code(ersim::diff::FailOn::Lost), 1);
    // A circuit down takes its connections: both sessions to the gateways are gone.
    let gone: BTreeSet<(String, String)> = d
        .bgp
        .sessions
        .iter()
        .filter(|s| s.before == SessionState::Up && s.after == SessionState::Absent)
        .map(|s| (s.a.clone(), s.b.clone()))
        .collect();
    assert_eq!(gone, strs(&[("circuit01", "ergw-hub00"), ("circuit01", "ergw-hub100")]), "{text}");
}

#[test]
fn one_circuit_link_down_keeps_the_routes_with_only_the_other_next_hop() {
    let a = diff_down(&seed_text(), &["circuit01/primary"]);
    let d = &a.diff;
    let text = shown_diff(&a);
    assert_eq!(a.down, ["circuit01/primary"]);
    for (vnet, other) in SEED_SIDES {
        let s = subnet(d, &format!("{vnet}/default")).unwrap_or_else(|| panic!("{vnet} should change:\n{text}"));
        assert!(added(s).is_empty() && removed(s).is_empty(), "{vnet}: {text}");
        let ch = changed(s);
        assert_eq!(
            prefixes(&ch.iter().map(|c| c.1).collect::<Vec<_>>()),
            other.iter().map(|p| p.to_string()).collect()
        );
        for (b, af) in ch {
            assert_eq!(b.next_hop_ips, MSEE.map(ip).to_vec(), "{text}");
            // D2: one row per next hop, so one row instead of two.
            assert_eq!(af.next_hop_ips, vec![ip(MSEE[1])], "{text}");
            assert_eq!((af.state, af.source), (b.state, b.source));
            let split = ersim::effective::split_next_hops(&[b.clone(), af.clone()], false);
            assert_eq!(split.len(), 3);
        }
    }
    assert!(d.reachability.lost.is_empty() && d.reachability.gained.is_empty(), "{text}");
    assert!(d.bgp.sessions.is_empty(), "the sessions stay up over the other link: {text}");
    assert_eq!(d.exit_code(ersim::diff::FailOn::Lost), 0);
    // Both links down is the circuit down.
    let both = diff_down(&seed_text(), &["circuit01/primary", "circuit:circuit01/secondary"]);
    assert_eq!(both.down, ["circuit01"]);
    assert_eq!(both.diff, diff_down(&seed_text(), &["circuit01"]).diff);
}

#[test]
fn the_preferred_circuit_down_moves_routes_to_the_other_and_both_down_lose_on_premises() {
    let text = bundled_text("two-circuits-dr.toml");
    let london = ["10.3.129.76", "10.3.129.77"].map(ip).to_vec();
    let amsterdam = ["10.5.12.204", "10.5.12.205"].map(ip).to_vec();
    let a = diff_down(&text, &["er-london"]);
    let d = &a.diff;
    let shown = shown_diff(&a);
    // R55: with the weight-100 circuit gone, the DR circuit's routes win.
    for path in ["hub/shared", "spoke-app/app"] {
        let s = subnet(d, path).unwrap_or_else(|| panic!("{path} should change:\n{shown}"));
        let ch = changed(s);
        assert_eq!(
            prefixes(&ch.iter().map(|c| c.0).collect::<Vec<_>>()),
            BTreeSet::from(["10.200.0.0/16".to_string(), "10.201.0.0/16".to_string()]),
            "{shown}"
        );
        for (b, af) in ch {
            assert_eq!((&b.next_hop_ips, &af.next_hop_ips), (&london, &amsterdam), "{shown}");
        }
        assert!(added(s).is_empty() && removed(s).is_empty(), "{shown}");
    }
    // On-premises behind the DR circuit stays reachable.
    assert!(pair_set(&d.reachability.lost, PairKind::Onprem).iter().all(|(_, r)| r == "dc-london"), "{shown}");
    // Both circuits down: every on-premises route and pair is gone.
    let both = diff_down(&text, &["er-london", "er-amsterdam"]);
    let shown = shown_diff(&both);
    for path in ["hub/shared", "spoke-app/app"] {
        let s = subnet(&both.diff, path).unwrap_or_else(|| panic!("{path} should change:\n{shown}"));
        assert_eq!(
            prefixes(&removed(s)),
            ["10.200.0.0/16", "10.201.0.0/16", "10.210.0.0/16"].map(String::from).into_iter().collect(),
            "{shown}"
        );
    }
    let lost = pair_set(&both.diff.reachability.lost, PairKind::Onprem);
    let mut want = BTreeSet::new();
    for v in ["hub", "spoke-app"] {
        for r in ["dc-amsterdam", "dc-london"] {
            want.insert((v.to_string(), r.to_string()));
        }
    }
    assert_eq!(lost, want, "{shown}");
}

#[test]
fn a_gateway_down_takes_its_connections_and_its_domain_routes() {
    let a = diff_down(&seed_text(), &["gateway:ergw-hub00"]);
    let text = shown_diff(&a);
    let d = &a.diff;
    // Its spokes and hub lose every gateway row; the other hub loses hub00's side.
    for vnet in HUB00_SIDE {
        let s = subnet(d, &format!("{vnet}/default")).unwrap_or_else(|| panic!("{vnet}:\n{text}"));
        assert!(removed(s).iter().all(|r| r.source == RouteSource::VirtualNetworkGateway), "{text}");
        assert_eq!(removed(s).len(), 3, "{text}");
    }
    let s = subnet(d, "spoke110/default").expect("spoke110 changes");
    assert_eq!(prefixes(&removed(s)), ["10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16"].map(String::from).into());
    assert!(
        d.bgp.sessions.iter().any(|s| s.a == "circuit01" && s.b == "ergw-hub00" && s.after == SessionState::Absent)
    );
    assert_eq!(pair_set(&d.reachability.lost, PairKind::Vnet), seed_cross_pairs(), "{text}");
    // hub00 is no longer a domain without its gateway (R47); the summary keeps the name it had.
    let s = &d.reachability.summary;
    assert_eq!(
        s.iter().map(|x| (x.from.as_str(), x.to.as_str(), x.lost)).collect::<Vec<_>>(),
        [("hub00", "hub100", 9)]
    );
    let gone = d.bgp.learned_counts.iter().find(|c| c.speaker == "ergw-hub00").expect("ergw-hub00 counted");
    assert_eq!((gone.before, gone.after), (Some(3), None), "{text}");
}

#[test]
fn a_peering_direction_down_makes_the_pair_not_connected() {
    // R36: one half is enough to take the peering down; both forms of the pair agree.
    let one = diff_down(&seed_text(), &["peering:spoke10→hub00"]);
    let ascii = diff_down(&seed_text(), &["spoke10->hub00"]);
    let both = diff_down(&seed_text(), &["peering:spoke10-hub00"]);
    let arrow = diff_down(&seed_text(), &["hub00↔spoke10"]);
    assert_eq!(one.down, ["spoke10→hub00"]);
    assert_eq!(both.down, ["hub00↔spoke10"]);
    assert_eq!(one.diff.routes, ascii.diff.routes);
    assert_eq!(one.diff.routes, both.diff.routes);
    assert_eq!(both.diff.routes, arrow.diff.routes);
    let text = shown_diff(&one);
    let s = subnet(&one.diff, "spoke10/default").expect("spoke10 changes");
    // No peering row, and without a Connected peering no domain: no gateway rows either (R38).
    let gone = removed(s);
    assert!(gone.iter().any(|r| r.prefix.to_string() == "10.0.0.0/16" && r.next_hop_type == NextHopType::VNetPeering));
    assert!(gone.iter().filter(|r| r.source == RouteSource::VirtualNetworkGateway).count() == 3, "{text}");
    let h = subnet(&one.diff, "hub00/default").expect("hub00 changes");
    assert!(removed(h).iter().any(|r| r.prefix.to_string() == "10.10.0.0/16"), "{text}");
    let lost = pair_set(&one.diff.reachability.lost, PairKind::Vnet);
    assert!(lost.contains(&("hub00".to_string(), "spoke10".to_string())), "{text}");
}

#[test]
fn an_active_active_instance_down_keeps_one_next_hop() {
    let a = diff_down(&bundled_text("active-active-vpn-bgp.toml"), &["vpngw-hub/2"]);
    let text = shown_diff(&a);
    assert_eq!(a.down, ["vpngw-hub/2"]);
    let s = subnet(&a.diff, "spoke-app/app").unwrap_or_else(|| panic!("{text}"));
    assert!(!changed(s).is_empty(), "{text}");
    for (b, af) in changed(s) {
        // R48: an active-active gateway's routes have both instances as next hops; one is left.
        assert_eq!(b.next_hop_ips, ["10.20.255.6", "10.20.255.7"].map(ip).to_vec(), "{text}");
        assert_eq!(af.next_hop_ips, vec![ip("10.20.255.6")], "{text}");
    }
    assert!(a.diff.reachability.lost.is_empty(), "{text}");
}

#[test]
fn a_route_server_down_removes_its_sessions_and_routes_and_an_nva_down_stops_forwarding() {
    let text = bundled_text("route-server-nva-ecmp.toml");
    let rs = diff_down(&text, &["route_server:rs-hub"]);
    let shown = shown_diff(&rs);
    let s = subnet(&rs.diff, "spoke1/app").unwrap_or_else(|| panic!("{shown}"));
    assert!(!removed(s).is_empty() && removed(s).iter().all(|r| r.source == RouteSource::VirtualNetworkGateway));
    assert!(rs.diff.bgp.sessions.iter().all(|x| x.after == SessionState::Absent), "{shown}");
    assert_eq!(rs.diff.bgp.sessions.len(), 3, "three NVA sessions: {shown}");
    // The NVA that carries the 10.0.0.0/8 summary between the spokes: its session and its
    // forwarding go; spoke1 ↔ spoke2 is lost.
    let nva = diff_down(&text, &["vm-fw"]);
    let shown = shown_diff(&nva);
    assert_eq!(nva.down, ["nic-fw"]);
    assert!(nva.diff.bgp.sessions.iter().any(|x| x.a == "nva-fw" && x.after == SessionState::Absent), "{shown}");
    assert_eq!(pair_set(&nva.diff.reachability.lost, PairKind::Vnet), strs(&[("spoke1", "spoke2")]), "{shown}");
}

#[test]
fn traffic_to_a_down_nva_drops_where_nothing_holds_the_next_hop() {
    // A UDR sends spoke traffic to an NVA in the hub; with the NVA down the next hop is held by
    // nothing (D17): the flow drops at the spoke, with that reason.
    let text = hub(r#"
[[route_server]]
name = "rs"
vnet = "hub"

[[nic]]
name = "nva1"
vnet = "hub"
subnet = "nva"
ip = "10.0.1.4"
ip_forwarding = true

[[route_table]]
name = "rt"
  [[route_table.route]]
  name = "to-nva"
  prefix = "10.0.0.0/24"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.1.4"
"#);
    let text = edit(
        &text,
        "  name = \"default\"\n  prefix = \"10.1.0.0/24\"\n",
        "  name = \"default\"\n  prefix = \"10.1.0.0/24\"\n  route_table = \"rt\"\n",
    );
    let l = load(&text);
    let up = app::reach_down(&l, "nic-spoke", "nic-hub", &[]).expect("reach");
    assert_eq!(up.reach.verdict, ersim::forward::Verdict::Delivered, "{}", shown(&up));
    let down = app::reach_down(&l, "nic-spoke", "nic-hub", &["nic:nva1".to_string()]).expect("reach");
    assert_eq!(down.down, ["nva1"]);
    let drops = down.reach.forward.drops();
    assert_eq!(drops.len(), 1, "{}", shown(&down));
    assert_eq!(drops[0].reason(), ersim::forward::DropReason::NextHopUnreachable, "{}", shown(&down));
    assert!(drops[0].rules().to_string().contains("D17"));
    // Asking about the down NVA itself is a usage error that says so.
    let e = app::reach_down(&l, "nva1", "nic-hub", &["nva1".to_string()]).expect_err("nva1 is down");
    assert!(e.to_string().contains("`nva1` is down"), "{e}");
}

#[test]
fn down_of_an_element_nothing_uses_changes_nothing() {
    let text = seed_text()
        + "\n[[circuit]]\nname = \"circuit-spare\"\nsku = \"Standard\"\n\n[[local_gateway]]\nname = \"lgw-unused\"\naddress_prefixes = [\"192.168.99.0/24\"]\n";
    for down in ["circuit-spare", "local_gateway:lgw-unused"] {
        let a = diff_down(&text, &[down]);
        assert!(a.diff.is_empty(), "--down {down} should change nothing:\n{}", shown_diff(&a));
        assert_eq!(a.diff.exit_code(ersim::diff::FailOn::Any), 0);
        assert_eq!(shown_diff(&a), format!("down: {}\nno changes\n", down.trim_start_matches("local_gateway:")));
    }
}

#[test]
fn every_element_of_every_bundled_scenario_can_be_down() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("scenarios").map(|e| e.expect("entry").path()).collect();
    files.sort();
    for f in files {
        let l = ersim::scenario::load_with(&f, ersim::scenario::Expectations::Warnings).expect("valid");
        // Each failure's printed name, with its kind, names that failure again.
        for x in ersim::down::failures(&l.model) {
            let spec = format!("{}:{}", x.kind(), x.label(&l.model));
            assert_eq!(ersim::down::resolve(&l.model, &spec), Ok(vec![x]), "{}: {spec}", f.display());
        }
        for e in ersim::down::elements(&l.model) {
            let failed = app::fail(l.clone(), std::slice::from_ref(&e))
                .unwrap_or_else(|err| panic!("{}: --down {e}: {err}", f.display()));
            assert!(!failed.down.is_empty(), "{e}");
            let sim = ersim::Simulation::new(failed.loaded.model.clone())
                .unwrap_or_else(|err| panic!("{}: --down {e}: {err}", f.display()));
            // Every table builds and check runs on the failed estate.
            for s in 0..sim.model.subnets.len() {
                let _ = sim.table(ersim::model::SubnetId(s as u32)).rows();
            }
            ersim::check::check(&failed.loaded).unwrap_or_else(|err| panic!("{}: --down {e}: {err}", f.display()));
        }
    }
}

#[test]
fn an_expectation_naming_a_down_device_is_not_evaluated_and_says_so() {
    let text = bundled_text("route-server-nva-ecmp.toml")
        + "\n[[expect]]\nname = \"the firewall VM reaches spoke1\"\nfrom = \"vm-fw\"\nto = \"spoke1\"\n";
    let report = app::check_source_down("t.toml", text.clone().into_bytes(), &["nic-fw".to_string()]).expect("check");
    let (r, down) = report;
    assert_eq!(down, ["nic-fw"]);
    assert!(!r.expectations.iter().any(|e| e.name == "the firewall VM reaches spoke1"));
    assert!(
        r.warnings.iter().any(|w| w.code.as_str() == "expect-down" && w.message.contains("vm-fw")),
        "{:?}",
        r.warnings.iter().map(|w| &w.message).collect::<Vec<_>>()
    );
    let all = app::check_source("t.toml", text.into_bytes()).expect("check");
    assert_eq!(all.expectations.len(), r.expectations.len() + 1);
}

#[test]
fn fixes_are_verified_with_the_elements_still_down() {
    let l = load(&seed_text());
    let r = app::reach_down(&l, "vm-spoke10", "vm-spoke110", &["circuit01".to_string()]).expect("reach");
    assert_eq!(r.reach.verdict, ersim::forward::Verdict::NotDelivered);
    assert!(!r.reach.fixes.is_empty(), "{}", shown(&r));
    for f in &r.reach.fixes {
        // Every fix, applied, delivers with the circuit still down.
        let text = ersim::scenario::edit::apply(&seed_text(), &f.edits).expect("applies");
        let again =
            app::reach_down(&load(&text), "vm-spoke10", "vm-spoke110", &["circuit01".to_string()]).expect("reach");
        assert_eq!(again.reach.verdict, ersim::forward::Verdict::Delivered, "{}", shown(&again));
    }
}

// ---------------------------------------------------------------- a design diffed with itself

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    Config { cases, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    /// Reordered blocks and keys are no change: a design diffed with a shuffled copy is empty.
    #[test]
    fn a_design_diffed_with_a_shuffled_copy_of_itself_is_empty((d, order, seed) in super::properties::design_and_shuffle()) {
        let natural = d.natural();
        let shuffled = super::properties::shuffle_keys(&d.text(&order), seed);
        let a = diff_texts(&natural, &shuffled);
        prop_assert!(a.diff.is_empty(), "diff should be empty:\n{}\n---\n{natural}", shown_diff(&a));
    }
}

/// The reachability a diff reports, pair by pair from each design's matrix: every unordered pair
/// (VNet with VNet, VNet with router) delivered both ways in one design and not the other, with
/// the drop reason of the side that does not deliver.
type Changed = BTreeSet<(String, String, Option<ersim::forward::DropReason>)>;

fn pairwise(before: &ersim::simulation::Simulation, after: &ersim::simulation::Simulation) -> (Changed, Changed) {
    let sel = ersim::matrix::Selection { include_onprem: true, ..Default::default() };
    let mb = ersim::matrix::compute(before, &sel, &mut |_, _| {}).expect("matrix before");
    let ma = ersim::matrix::compute(after, &sel, &mut |_, _| {}).expect("matrix after");
    let mut names: Vec<&String> = mb.names.iter().chain(&ma.names).collect();
    // VNets by name, then routers by name, as the matrices order them.
    names.sort_by_key(|n| (n.starts_with("onprem:"), n.as_str()));
    names.dedup();
    let state = |m: &ersim::matrix::Matrix, x: &str, y: &str| match (m.index(x), m.index(y)) {
        (Some(a), Some(b)) => m.verdict(a, b),
        _ => (false, None),
    };
    let (mut lost, mut gained) = (Changed::new(), Changed::new());
    for (i, x) in names.iter().enumerate() {
        if x.starts_with("onprem:") {
            continue;
        }
        for y in &names[i + 1..] {
            let ((db, rb), (da, ra)) = (state(&mb, x, y), state(&ma, x, y));
            let to = y.strip_prefix("onprem:").unwrap_or(y).to_string();
            match (db, da) {
                (true, false) => lost.insert((x.to_string(), to, ra)),
                (false, true) => gained.insert((x.to_string(), to, rb)),
                _ => false,
            };
        }
    }
    (lost, gained)
}

fn listed(ps: &[ersim::diff::Pair]) -> Changed {
    ps.iter().map(|p| (p.from.clone(), p.to.clone(), p.reason)).collect()
}

proptest! {
    #![proptest_config(config())]

    /// Two random designs: reachability read by rectangles of pairs is the pair-by-pair answer
    /// (the same pairs lost and gained, with the same reasons, counted and summarised per domain
    /// without a pair missing), and the route changes turn each subnet's rows into its new rows.
    #[test]
    fn a_diff_is_the_pair_by_pair_and_row_by_row_answer(
        b in prop_oneof![super::properties::design(), super::properties::twin_design()],
        a in prop_oneof![super::properties::design(), super::properties::twin_design()],
    ) {
        let d = diff_texts(&b.natural(), &a.natural());
        let r = &d.diff.reachability;
        let (lost, gained) = pairwise(&d.before, &d.after);
        prop_assert_eq!(listed(&r.lost), lost.clone());
        prop_assert_eq!(listed(&r.gained), gained.clone());
        prop_assert_eq!((r.lost_count, r.gained_count), (lost.len(), gained.len()));
        let from_summary = r.summary.iter().fold((0, 0), |(l, g), s| (l + s.lost, g + s.gained));
        prop_assert_eq!(from_summary, (lost.len(), gained.len()));
        // Listed in name order.
        let key = |p: &ersim::diff::Pair| (p.from.clone(), p.kind == PairKind::Onprem, p.to.clone());
        let order = |ps: &[ersim::diff::Pair]| ps.windows(2).all(|w| key(&w[0]) < key(&w[1]));
        prop_assert!(order(&r.lost) && order(&r.gained));
        // Routes: every subnet's before rows, less what was removed or changed from, plus what was
        // added or changed to, are its after rows; a subnet not listed has the same rows.
        for path in subnet_paths(&d.before).union(&subnet_paths(&d.after)) {
            let (b, a) = (shown_rows(&d.before, path), shown_rows(&d.after, path));
            let mut rebuilt = b.clone();
            if let Some(sd) = d.diff.routes.iter().find(|x| &x.subnet == path) {
                for c in sd.changes.iter() {
                    let (gone, new) = match c {
                        RowChange::Added(x) => (None, Some(x)),
                        RowChange::Removed(x) => (Some(x), None),
                        RowChange::Changed { before, after } => (Some(before), Some(after)),
                    };
                    if let Some(g) = gone {
                        let at = rebuilt.iter().position(|r| *r == shown_of(g));
                        prop_assert!(at.is_some(), "{path}: a removed row that was not there");
                        rebuilt.remove(at.unwrap_or_default());
                    }
                    rebuilt.extend(new.map(shown_of));
                }
            }
            rebuilt.sort();
            prop_assert_eq!(rebuilt, a, "{}", path);
        }
    }
}

fn subnet_paths(sim: &ersim::simulation::Simulation) -> BTreeSet<String> {
    (0..sim.model.subnets.len() as u32).map(|i| sim.model.subnet_path(ersim::model::SubnetId(i))).collect()
}

/// A row's portal fields and its table's propagation flag, as text (for multiset comparison).
fn shown_of(r: &ersim::diff::TableRow) -> String {
    let x = &r.row;
    format!(
        "{:?} {:?} {} {:?} {:?} {:?} {}",
        x.source, x.state, x.prefix, x.next_hop_type, x.next_hop_ips, x.udr_name, r.disable_bgp_route_propagation
    )
}

/// A subnet's rows by path (none if the design lacks it), sorted.
fn shown_rows(sim: &ersim::simulation::Simulation, path: &str) -> Vec<String> {
    let Some(s) = sim.model.subnet_by_path(path) else { return Vec::new() };
    let t = sim.table(s);
    let flag = t.disable_bgp_route_propagation();
    let mut v: Vec<String> = t
        .rows()
        .into_iter()
        .map(|row| shown_of(&ersim::diff::TableRow { row, disable_bgp_route_propagation: flag }))
        .collect();
    v.sort();
    v
}

#[test]
fn a_renamed_element_is_removed_and_added() {
    let seed = seed_text();
    let after = seed.replace("spoke120", "spoke121");
    let a = diff_texts(&seed, &after);
    let text = shown_diff(&a);
    let old = subnet(&a.diff, "spoke120/default").expect("removed subnet");
    let new = subnet(&a.diff, "spoke121/default").expect("added subnet");
    assert!(old.changes.iter().all(|c| matches!(c, RowChange::Removed(_))), "{text}");
    assert!(new.changes.iter().all(|c| matches!(c, RowChange::Added(_))), "{text}");
    assert_eq!(old.changes.len(), new.changes.len());
}

// ---------------------------------------------------------------- the binary

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let o = Command::new(env!("CARGO_BIN_EXE_ersim")).args(args).env_remove("ERSIM_SCENARIO").output().expect("run");
    let r = Run {
        code: o.status.code(),
        stdout: String::from_utf8(o.stdout).expect("utf-8"),
        stderr: String::from_utf8(o.stderr).expect("utf-8"),
    };
    assert!(!r.stderr.contains("panicked"), "ersim panicked: {}", r.stderr);
    r
}

#[test]
fn an_unknown_element_exits_2_with_the_closest_names() {
    for cmd in [
        vec!["diff", "--down", "circut01", SEED_FILE],
        vec!["routes", "--nic", "nic-spoke10", "--down", "circut01", SEED_FILE],
        vec!["reach", "spoke10", "spoke110", "--down", "circut01", SEED_FILE],
        vec!["check", "--down", "circut01", SEED_FILE],
        vec!["matrix", "--down", "circut01", SEED_FILE],
        vec!["bgp", "--gateway", "ergw-hub00", "--down", "circut01", SEED_FILE],
    ] {
        let r = run(&cmd);
        assert_eq!(r.code, Some(2), "{cmd:?}: {}", r.stderr);
        assert!(r.stderr.contains("did you mean `circuit01`?"), "{cmd:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{cmd:?}");
    }
    let r = run(&["diff", "--down", "ergw-hub", SEED_FILE]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("`ergw-hub00`") && r.stderr.contains("`ergw-hub100`"), "{}", r.stderr);
    let r = run(&["diff", "--down", "spoke10/primary", SEED_FILE]);
    assert_eq!(r.code, Some(2), "a VNet cannot fail: {}", r.stderr);
    let r = run(&["diff", "--down", "ergw-hub00/1", SEED_FILE]);
    assert_eq!(r.code, Some(2), "an ExpressRoute gateway has no instance parts: {}", r.stderr);
    assert!(r.stderr.contains("active-active"), "{}", r.stderr);
    let r = run(&["diff", SEED_FILE]);
    assert_eq!(r.code, Some(2), "one file needs --down: {}", r.stderr);
}

#[test]
fn diff_exit_status_is_0_unchanged_1_lost_and_fail_on_any() {
    let r = run(&["diff", SEED_FILE, SEED_FILE]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "no changes\n"));
    let r = run(&["diff", "--down", "circuit01", SEED_FILE]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(r.stdout.starts_with("down: circuit01\n"));
    let r = run(&["diff", "--down", "circuit01/secondary", SEED_FILE]);
    assert_eq!(r.code, Some(0), "no pair lost: {}", r.stdout);
    let r = run(&["diff", "--down", "circuit01/secondary", "--fail-on", "any", SEED_FILE]);
    assert_eq!(r.code, Some(1), "a change: {}", r.stdout);
    // With two files, --down applies to both: the same failure on both sides is no change.
    let r = run(&["diff", "--down", "circuit01", SEED_FILE, SEED_FILE]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "down: circuit01\nno changes\n"));
}

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

fn set(ks: &[&str]) -> BTreeSet<String> {
    ks.iter().map(|k| k.to_string()).collect()
}

#[test]
fn diff_json_has_the_documented_keys() {
    let r = run(&["diff", "--down", "circuit01/primary", "--down", "conn-hub100", "-o", "json", SEED_FILE]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(keys(&v), set(&["down", "routes", "reachability", "bgp", "findings"]));
    assert_eq!(v["down"], serde_json::json!(["circuit01/primary", "conn-hub100"]));
    let routes = v["routes"].as_array().expect("routes");
    assert!(!routes.is_empty());
    for s in routes {
        assert_eq!(keys(s), set(&["subnet", "added", "removed", "changed"]));
        for row in s["added"].as_array().unwrap().iter().chain(s["removed"].as_array().unwrap()) {
            assert_eq!(
                keys(row),
                set(&[
                    "addressPrefix",
                    "destinationServiceTags",
                    "disableBgpRoutePropagation",
                    "hasBgpOverride",
                    "name",
                    "nextHopIpAddress",
                    "nextHopType",
                    "source",
                    "state",
                    "tagMap"
                ])
            );
        }
        for c in s["changed"].as_array().unwrap() {
            assert_eq!(keys(c), set(&["before", "after"]));
            assert!(c["before"]["nextHopIpAddress"].is_array());
        }
    }
    assert_eq!(keys(&v["reachability"]), set(&["lost", "gained", "lostCount", "gainedCount", "summary"]));
    let lost = v["reachability"]["lost"].as_array().expect("lost");
    assert!(!lost.is_empty());
    assert_eq!(v["reachability"]["lostCount"], lost.len(), "every lost pair is listed below the cap");
    for p in lost {
        assert!(keys(p).is_superset(&set(&["from", "to", "reason", "rule"])), "{p}");
        assert!(p["reason"].is_string() && p["rule"].is_string(), "{p}");
    }
    for s in v["reachability"]["summary"].as_array().unwrap() {
        assert_eq!(keys(s), set(&["from", "to", "pairs", "deliveredBefore", "deliveredAfter", "lost", "gained"]));
    }
    assert_eq!(keys(&v["bgp"]), set(&["sessions", "learnedCounts"]));
    for s in v["bgp"]["sessions"].as_array().unwrap() {
        assert!(keys(s).is_superset(&set(&["kind", "speakers", "connections", "before", "after"])), "{s}");
    }
    for c in v["bgp"]["learnedCounts"].as_array().unwrap() {
        assert_eq!(keys(c), set(&["speaker", "kind", "before", "after"]));
    }
    assert_eq!(keys(&v["findings"]), set(&["new", "resolved"]));
    // Nothing changed: every list empty, the keys all there.
    let r = run(&["diff", "-o", "json", SEED_FILE, SEED_FILE]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["routes"], serde_json::json!([]));
    assert_eq!(v["reachability"]["lost"], serde_json::json!([]));
    assert_eq!(v["bgp"]["sessions"], serde_json::json!([]));
    assert_eq!(v["findings"]["new"], serde_json::json!([]));
    assert_eq!(v["down"], serde_json::json!([]));
}

#[test]
fn every_command_says_which_elements_were_down() {
    let down = ["--down", "circuit01/primary"];
    let with = |args: &[&str]| {
        let mut v: Vec<&str> = args.to_vec();
        v.extend(down);
        v.push(SEED_FILE);
        run(&v)
    };
    // Text: the first line.
    for args in [
        &["routes", "--nic", "nic-spoke10"][..],
        &["reach", "spoke10", "spoke110"],
        &["check"],
        &["matrix"],
        &["bgp", "--gateway", "ergw-hub00"],
    ] {
        let r = with(args);
        assert!(r.stdout.starts_with("down: circuit01/primary\n"), "{args:?}: {}", r.stdout);
        assert!(!r.stderr.contains("down:"), "{args:?}");
    }
    // ersim's own JSON: a `down` key.
    for args in
        [&["reach", "spoke10", "spoke110", "-o", "json"][..], &["check", "-o", "json"], &["matrix", "-o", "json"]]
    {
        let r = with(args);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(v["down"], serde_json::json!(["circuit01/primary"]), "{args:?}");
    }
    // Shapes that are someone else's stay exactly theirs; the line goes to stderr.
    for args in [
        &["routes", "--nic", "nic-spoke10", "-o", "json"][..],
        &["routes", "--nic", "nic-spoke10", "-o", "csv"],
        &["bgp", "--gateway", "ergw-hub00", "-o", "json"],
        &["check", "-o", "junit"],
        &["matrix", "-o", "csv"],
    ] {
        let r = with(args);
        assert!(r.stderr.contains("down: circuit01/primary\n"), "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("circuit01/primary"), "{args:?}: {}", r.stdout);
    }
    let r = with(&["routes", "--nic", "nic-spoke10", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(keys(&v), set(&["nextLink", "value"]));
    // The routes themselves: one next hop left (D2).
    let hops: Vec<&serde_json::Value> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["nextHopType"] == "VirtualNetworkGateway")
        .flat_map(|e| e["nextHopIpAddress"].as_array().unwrap())
        .collect();
    assert!(!hops.is_empty() && hops.iter().all(|h| *h == "10.2.146.77"), "{hops:?}");
    // Without --down, nothing changes.
    let r = run(&["reach", "spoke10", "spoke110", "-o", "json", SEED_FILE]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert!(v.get("down").is_none());
}
