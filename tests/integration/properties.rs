//! Property tests over generated designs: the laws of routing ersim's answers must obey.
//!
//! The generator builds small random but valid estates — VNets (some hubs with ExpressRoute
//! and/or VPN gateways, some with a route server and an NVA), peerings with random flags
//! (gateway transit only where it is valid), circuits with weights, on-premises routers with
//! prepends, route tables with random routes, site-to-site and VNet-to-VNet VPN — as TOML blocks,
//! so blocks can be shuffled. Case counts: `PROPTEST_CASES` (default 64; e.g.
//! `PROPTEST_CASES=5000 cargo test --test integration properties` for a long run).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::Config;

use ersim::Simulation;
use ersim::model::RouteState;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

fn config() -> Config {
    Config { cases: cases(), failure_persistence: None, ..Config::default() }
}

/// A generated design: its blocks (each a complete TOML block) and what the properties need.
#[derive(Clone, Debug)]
pub(crate) struct Design {
    blocks: Vec<String>,
    vnets: usize,
    nics: Vec<String>,
    /// Whether it has route tables, NVAs, route servers or firewalls (forwarding devices).
    forwarders: bool,
    /// Whether it has any gateway (ExpressRoute or VPN) or route server.
    gateways: bool,
}

impl Design {
    pub(crate) fn text(&self, order: &[usize]) -> String {
        order.iter().map(|i| self.blocks[*i].as_str()).collect::<Vec<_>>().join("\n")
    }
    pub(crate) fn natural(&self) -> String {
        self.text(&(0..self.blocks.len()).collect::<Vec<_>>())
    }
}

/// A generated route table: (VNet it sits on, routes as (prefix pick, next-hop pick), propagation off).
type TableKnob = (usize, Vec<(u8, u8)>, bool);
/// A generated on-premises router: (circuit picks, prefix picks, prepend count).
type OnpremKnob = (Vec<usize>, Vec<u8>, u8);
/// A generated peering: (a, b, allow_forwarded_traffic, unused, both directions, transit side flip).
type PeerKnob = (usize, usize, bool, bool, bool, bool);

/// The random choices behind one design.
#[derive(Clone, Debug)]
struct Knobs {
    n: usize,
    er_hub: Vec<bool>,
    vpn_hub: Vec<bool>,
    rs_hub: Vec<bool>,
    regions: Vec<u8>,
    peer_pairs: Vec<PeerKnob>,
    circuits: usize,
    conn: Vec<(usize, usize, u8)>,
    remote_traffic: Vec<bool>,
    onprem: Vec<OnpremKnob>,
    tables: Vec<TableKnob>,
    s2s: Vec<(usize, bool)>,
    v2v: Vec<(usize, usize, bool)>,
    nva_adv: Vec<u8>,
    with_udrs: bool,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (2usize..7)
        .prop_flat_map(|n| {
            (
                Just(n),
                prop::collection::vec(any::<bool>(), n),
                prop::collection::vec(prop::bool::weighted(0.3), n),
                prop::collection::vec(prop::bool::weighted(0.2), n),
                prop::collection::vec(0u8..2, n),
                prop::collection::vec(
                    (0..n, 0..n, any::<bool>(), any::<bool>(), prop::bool::weighted(0.85), prop::bool::weighted(0.1)),
                    0..(n * 2),
                ),
                1usize..3,
                prop::collection::vec((0..n, 0usize..3, 0u8..3), 0..(n * 2)),
                prop::collection::vec(prop::bool::weighted(0.7), n),
                prop::collection::vec(
                    (prop::collection::vec(0usize..3, 1..3), prop::collection::vec(0u8..12, 1..4), 0u8..3),
                    0..3,
                ),
                (
                    prop::collection::vec(
                        (0..n, prop::collection::vec((0u8..16, 0u8..4), 0..4), prop::bool::weighted(0.2)),
                        0..3,
                    ),
                    prop::collection::vec((0..n, any::<bool>()), 0..2),
                    prop::collection::vec((0..n, 0..n, any::<bool>()), 0..2),
                    prop::collection::vec(0u8..12, 0..3),
                    any::<bool>(),
                ),
            )
        })
        .prop_map(
            |(
                n,
                er_hub,
                vpn_hub,
                rs_hub,
                regions,
                peer_pairs,
                circuits,
                conn,
                remote_traffic,
                onprem,
                (tables, s2s, v2v, nva_adv, with_udrs),
            )| Knobs {
                n,
                er_hub,
                vpn_hub,
                rs_hub,
                regions,
                peer_pairs,
                circuits,
                conn,
                remote_traffic,
                onprem,
                tables,
                s2s,
                v2v,
                nva_adv,
                with_udrs,
            },
        )
}

/// On-premises / NVA prefix number k: 192.168.k.0/24 for k < 8, else 172.(16+k).0.0/16, or 0/0.
fn ext_prefix(k: u8) -> String {
    match k {
        0..=7 => format!("192.168.{k}.0/24"),
        8..=10 => format!("172.{}.0.0/16", 8 + k),
        _ => "0.0.0.0/0".to_string(),
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one generated design read top to bottom: VNets, peerings, circuits, VPN, route tables, in the order a reader checks them"
)]
fn build(k: &Knobs) -> Design {
    let n = k.n;
    let mut blocks = Vec::new();
    let mut nics = Vec::new();
    let has_gw: Vec<bool> = (0..n).map(|i| k.er_hub[i] || k.vpn_hub[i]).collect();
    let has_rs: Vec<bool> = (0..n).map(|i| k.rs_hub[i] && has_gw[i]).collect();
    let mut forwarders = false;
    let mut tables_of: Vec<Option<String>> = vec![None; n];
    if k.with_udrs {
        for (ti, (v, _, _)) in k.tables.iter().enumerate() {
            if tables_of[*v].is_none() {
                tables_of[*v] = Some(format!("rt{ti}"));
            }
        }
    }
    for i in 0..n {
        let mut b = format!(
            "[[vnet]]\nname = \"v{i}\"\nregion = \"r{}\"\naddress_space = [\"10.{i}.0.0/16\"]\n\n  [[vnet.subnet]]\n  name = \"default\"\n  prefix = \"10.{i}.0.0/24\"\n",
            k.regions[i]
        );
        if let Some(t) = &tables_of[i] {
            b.push_str(&format!("  route_table = \"{t}\"\n"));
        }
        if has_gw[i] || has_rs[i] {
            b.push_str(&format!("\n  [[vnet.subnet]]\n  name = \"GatewaySubnet\"\n  prefix = \"10.{i}.255.0/27\"\n"));
        }
        if has_rs[i] {
            b.push_str(&format!("\n  [[vnet.subnet]]\n  name = \"RouteServerSubnet\"\n  prefix = \"10.{i}.254.0/27\"\n\n  [[vnet.subnet]]\n  name = \"nva\"\n  prefix = \"10.{i}.1.0/24\"\n"));
        }
        blocks.push(b);
        blocks.push(format!("[[nic]]\nname = \"nic{i}\"\nvnet = \"v{i}\"\nsubnet = \"default\"\n"));
        nics.push(format!("nic{i}"));
        if k.er_hub[i] {
            blocks.push(format!(
                "[[gateway]]\nname = \"er{i}\"\nvnet = \"v{i}\"\ntype = \"ExpressRoute\"\nallow_remote_vnet_traffic = {}\n",
                k.remote_traffic[i]
            ));
        }
        if k.vpn_hub[i] {
            blocks.push(format!(
                "[[gateway]]\nname = \"vpn{i}\"\nvnet = \"v{i}\"\ntype = \"Vpn\"\nbgp = true\nasn = {}\nactive_active = {}\n",
                65100 + i,
                i % 2 == 0
            ));
        }
        if has_rs[i] {
            forwarders = true;
            blocks.push(format!(
                "[[route_server]]\nname = \"rs{i}\"\nvnet = \"v{i}\"\nbranch_to_branch = {}\n",
                i % 2 == 1
            ));
            blocks.push(format!(
                "[[nic]]\nname = \"nva{i}\"\nvnet = \"v{i}\"\nsubnet = \"nva\"\nip = \"10.{i}.1.4\"\nip_forwarding = true\n"
            ));
            let adv: Vec<String> = k
                .nva_adv
                .iter()
                .map(|p| format!("\"{}\"", ext_prefix(*p)))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            blocks.push(format!(
                "[[bgp_peer]]\nname = \"peer{i}\"\nnic = \"nva{i}\"\nroute_server = \"rs{i}\"\nasn = {}\nadvertise = [{}]\n",
                64600 + i,
                adv.join(", ")
            ));
        }
    }
    // Peerings: one per unordered pair, transit only where valid.
    let mut seen = BTreeSet::new();
    let mut uses_remote = vec![false; n];
    for (a, b, fwd, access_back, both, transit_flip) in &k.peer_pairs {
        let (a, b) = (*a.min(b), *a.max(b));
        if a == b || !seen.insert((a, b)) {
            continue;
        }
        let transit = if (has_gw[a] || has_rs[a]) && !has_gw[b] && !has_rs[b] && !uses_remote[b] && !transit_flip {
            uses_remote[b] = true;
            Some(a)
        } else if (has_gw[b] || has_rs[b]) && !has_gw[a] && !has_rs[a] && !uses_remote[a] && *transit_flip {
            uses_remote[a] = true;
            Some(b)
        } else {
            None
        };
        if *both {
            let t = transit.map(|h| format!("transit_via = \"v{h}\"\n")).unwrap_or_default();
            blocks.push(format!("[[peering]]\nvnets = [\"v{a}\", \"v{b}\"]\n{t}allow_forwarded_traffic = {fwd}\n"));
            let _ = access_back;
        } else if transit.is_none() {
            // One direction only: Initiated, carries nothing (a warning).
            blocks.push(format!("[[peering]]\nfrom = \"v{a}\"\nto = \"v{b}\"\n"));
        }
    }
    // Circuits, connections, on-premises routers.
    let any_er = k.er_hub.iter().any(|x| *x);
    if any_er {
        for c in 0..k.circuits {
            blocks.push(format!("[[circuit]]\nname = \"c{c}\"\nnext_hops = [\"10.250.{c}.1\", \"10.250.{c}.2\"]\n"));
        }
        let mut conn_seen = BTreeSet::new();
        for (i, c, w) in &k.conn {
            let c = c % k.circuits;
            if k.er_hub[*i] && conn_seen.insert((*i, c)) {
                blocks.push(format!(
                    "[[connection]]\nname = \"conn{i}-{c}\"\ngateway = \"er{i}\"\ncircuit = \"c{c}\"\nrouting_weight = {}\n",
                    [0, 10, 100][*w as usize]
                ));
            }
        }
        for (o, (circs, adv, prepend)) in k.onprem.iter().enumerate() {
            let cs: BTreeSet<usize> = circs.iter().map(|c| c % k.circuits).collect();
            let cl: Vec<String> = cs.iter().map(|c| format!("\"c{c}\"")).collect();
            let al: BTreeSet<String> = adv.iter().map(|p| format!("\"{}\"", ext_prefix(*p))).collect();
            let pre = if *prepend > 0 {
                format!("as_path_prepend = {{ c{} = {prepend} }}\n", cs.iter().next().unwrap())
            } else {
                String::new()
            };
            blocks.push(format!(
                "[[onprem]]\nname = \"dc{o}\"\nasn = {}\ncircuits = [{}]\nadvertise = [{}]\n{pre}",
                65001 + o,
                cl.join(", "),
                al.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    // VPN: a site-to-site connection per listed VPN hub; VNet-to-VNet pairs (both directions).
    let mut s2s_seen = BTreeSet::new();
    for (i, bgp) in &k.s2s {
        if !k.vpn_hub[*i] || !s2s_seen.insert(*i) {
            continue;
        }
        let site = 20 + *i;
        if *bgp {
            blocks.push(format!(
                "[[onprem]]\nname = \"site{i}\"\nasn = {}\nadvertise = [\"172.{site}.0.0/16\"]\n",
                65050 + i
            ));
            blocks.push(format!(
                "[[local_gateway]]\nname = \"lng{i}\"\naddress_prefixes = [\"172.{site}.255.0/24\"]\nbgp_asn = {}\nbgp_peer_ip = \"172.{site}.255.1\"\nonprem = \"site{i}\"\n",
                65050 + i
            ));
        } else {
            blocks.push(format!("[[local_gateway]]\nname = \"lng{i}\"\naddress_prefixes = [\"172.{site}.0.0/16\"]\n"));
        }
        blocks.push(format!(
            "[[connection]]\nname = \"s2s{i}\"\ngateway = \"vpn{i}\"\nlocal_gateway = \"lng{i}\"\nbgp = {bgp}\n"
        ));
    }
    let mut v2v_seen = BTreeSet::new();
    for (a, b, bgp) in &k.v2v {
        let (a, b) = (*a.min(b), *a.max(b));
        if a == b || !k.vpn_hub[a] || !k.vpn_hub[b] || !v2v_seen.insert((a, b)) {
            continue;
        }
        for (x, y) in [(a, b), (b, a)] {
            blocks.push(format!("[[connection]]\nname = \"v2v{x}-{y}\"\ngateway = \"vpn{x}\"\nremote_gateway = \"vpn{y}\"\nbgp = {bgp}\n"));
        }
    }
    // Route tables.
    if k.with_udrs {
        for (ti, (_, routes, off)) in k.tables.iter().enumerate() {
            let name = format!("rt{ti}");
            if !tables_of.contains(&Some(name.clone())) {
                continue;
            }
            forwarders = true;
            let mut b = format!("[[route_table]]\nname = \"{name}\"\ndisable_bgp_route_propagation = {off}\n");
            let mut prefixes = BTreeSet::new();
            for (ri, (p, t)) in routes.iter().enumerate() {
                let prefix = if *p < 8 { format!("10.{}.0.0/16", p % n as u8) } else { ext_prefix(*p - 5) };
                if !prefixes.insert(prefix.clone()) {
                    continue;
                }
                let (t, ip) = match t {
                    0 => ("None", None),
                    1 => ("Internet", None),
                    2 => ("VnetLocal", None),
                    _ => ("VirtualAppliance", (0..n).find(|i| has_rs[*i]).map(|i| format!("10.{i}.1.4"))),
                };
                let (t, ip) = if t == "VirtualAppliance" && ip.is_none() { ("None", None) } else { (t, ip) };
                b.push_str(&format!("\n  [[route_table.route]]\n  name = \"r{ri}\"\n  prefix = \"{prefix}\"\n  next_hop_type = \"{t}\"\n"));
                if let Some(ip) = ip {
                    b.push_str(&format!("  next_hop_ip = \"{ip}\"\n"));
                }
            }
            blocks.push(b);
        }
    }
    let gateways = has_gw.iter().any(|x| *x) || has_rs.iter().any(|x| *x);
    Design { blocks, vnets: n, nics, forwarders, gateways }
}

/// The knobs with twins added: for each listed VNet that is not a hub, another VNet with the same
/// region, an equal route table under another name, and the same peerings — sources that
/// forward alike, so `matrix` puts them in one class.
fn with_twins(k: &Knobs, of: &[usize]) -> Knobs {
    let hub = |i: usize| k.er_hub[i] || k.vpn_hub[i] || k.rs_hub[i];
    let of: BTreeSet<usize> = of.iter().copied().filter(|i| *i < k.n && !hub(*i)).collect();
    let mut k = k.clone();
    for (t, i) in of.into_iter().enumerate() {
        let w = k.n + t;
        k.er_hub.push(false);
        k.vpn_hub.push(false);
        k.rs_hub.push(false);
        k.regions.push(k.regions[i]);
        k.remote_traffic.push(k.remote_traffic[i]);
        let twin_pairs: Vec<PeerKnob> = k
            .peer_pairs
            .iter()
            .filter(|p| (p.0 == i) != (p.1 == i))
            .map(|&(a, b, f, x, both, flip)| {
                let other = if a == i { b } else { a };
                // `build` orders each pair; the twin (numbered last) is always second, so the
                // transit flip is inverted when the original came first.
                let flip = if other < i { flip } else { !flip };
                (other, w, f, x, both, flip)
            })
            .collect();
        k.peer_pairs.extend(twin_pairs);
        let tables: Vec<TableKnob> =
            k.tables.iter().filter(|t| t.0 == i).take(1).map(|t| (w, t.1.clone(), t.2)).collect();
        k.tables.extend(tables);
    }
    k.n = k.regions.len();
    k
}

pub(crate) fn design() -> impl Strategy<Value = Design> {
    knobs().prop_map(|k| build(&k))
}

/// Designs with peerings only: no gateways, route servers, NVAs or route tables.
/// Designs with twin VNets (see [`with_twins`]).
pub(crate) fn twin_design() -> impl Strategy<Value = Design> {
    (knobs(), prop::collection::vec(0usize..7, 1..4)).prop_map(|(k, of)| build(&with_twins(&k, &of)))
}

fn plain_design() -> impl Strategy<Value = Design> {
    knobs().prop_map(|mut k| {
        k.er_hub.iter_mut().for_each(|x| *x = false);
        k.vpn_hub.iter_mut().for_each(|x| *x = false);
        k.rs_hub.iter_mut().for_each(|x| *x = false);
        k.with_udrs = false;
        build(&k)
    })
}

/// Designs without forwarding devices (route tables, NVAs, route servers), and without the two
/// things that make routing one-sided by rule: static VNet-to-VNet connections (R49 installs only
/// the remote VNet's own space, so a spoke can send to a VNet with no route back), and
/// `allow_remote_vnet_traffic = false` (D4 filters at the gateway while the MSEE still forwards by
/// its own table, so a hairpin through on-premises can deliver one way only). On-premises default
/// routes are left out too: they turn on-premises into a transit whose inside ersim does not model
/// (each router knows only its own prefixes and what Azure advertises to it).
fn forwarderless_design() -> impl Strategy<Value = Design> {
    knobs().prop_map(|mut k| {
        for o in &mut k.onprem {
            o.1.iter_mut().for_each(|p| *p = (*p).min(10));
        }
        k.rs_hub.iter_mut().for_each(|x| *x = false);
        k.with_udrs = false;
        k.v2v.iter_mut().for_each(|x| x.2 = true);
        k.remote_traffic.iter_mut().for_each(|x| *x = true);
        build(&k)
    })
}

/// A design, a permutation of its blocks and a seed for permuting the keys inside each table.
pub(crate) fn design_and_shuffle() -> impl Strategy<Value = (Design, Vec<usize>, u64)> {
    design().prop_flat_map(|d| {
        let idx: Vec<usize> = (0..d.blocks.len()).collect();
        (Just(d), Just(idx).prop_shuffle(), any::<u64>())
    })
}

/// Permute the `key = value` lines under each table header (`[[vnet]]`, `[[vnet.subnet]]`, …),
/// leaving headers, blank lines and the order of tables — subnets, a route table's routes — alone.
/// A run of lines that is not all one-line keys is kept as it is.
pub(crate) fn shuffle_keys(text: &str, mut seed: u64) -> String {
    let mut next = move || {
        // xorshift64*: any deterministic permutation source will do
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let one_line_key = |l: &str| {
        let t = l.trim_start();
        t.split_once(" = ").is_some_and(|(k, v)| {
            k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && v.matches('[').count() == v.matches(']').count()
                && v.matches('{').count() == v.matches('}').count()
        })
    };
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut flush = |run: &mut Vec<String>, out: &mut Vec<String>| {
        if run.iter().all(|l| one_line_key(l)) {
            for i in (1..run.len()).rev() {
                let j = (next() % (i as u64 + 1)) as usize;
                run.swap(i, j);
            }
        }
        out.append(run);
    };
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('[') || t.starts_with('#') {
            flush(&mut run, &mut out);
            out.push(line.to_string());
        } else {
            run.push(line.to_string());
        }
    }
    flush(&mut run, &mut out);
    out.join("\n") + "\n"
}

fn load(text: &str) -> ersim::scenario::Loaded {
    match ersim::scenario::parse("gen.toml", text.to_string()) {
        Ok(l) => l,
        Err(e) => panic!("generated design should be valid:\n{e}\n---\n{text}"),
    }
}

fn routes_text(sim: &Simulation, nic: &str) -> String {
    let n = sim.model.nic_by_name(nic).unwrap();
    let t = sim.nic_table(n);
    let o = ersim::report::routes::Options { format: ersim::report::Format::Json, merge_next_hops: false };
    ersim::report::routes::render_with(sim, &t, o, true)
}

/// Locations (`file:line:col`, `(file:line:col)`) are the only part of `check` that may follow block order.
fn strip_locations(s: &str) -> String {
    s.lines()
        .filter(|l| !l.trim_start().starts_with('|') && !l.trim_start().starts_with("..."))
        .map(|l| match l.find("gen.toml:") {
            Some(i) => {
                let rest = &l[i + "gen.toml:".len()..];
                let skip = rest.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(rest.len());
                format!("{}gen.toml{}", &l[..i], &rest[skip..])
            }
            None => l.to_string(),
        })
        .filter(|l| !l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        // the gutter's width follows the line number
        .map(|l| l.trim_start().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(config())]

    /// Reordering the blocks, and the keys inside each table, gives byte-identical routes,
    /// reach, check, matrix and graph output.
    #[test]
    fn block_order_does_not_change_any_output((d, order, seed) in design_and_shuffle()) {
        let a = load(&d.natural());
        let shuffled = shuffle_keys(&d.text(&order), seed);
        let b = load(&shuffled);
        let sa = Simulation::new(a.model.clone()).unwrap();
        let sb = Simulation::new(b.model.clone()).unwrap();
        for nic in &d.nics {
            prop_assert_eq!(routes_text(&sa, nic), routes_text(&sb, nic), "routes of {}", nic);
        }
        let (f, t) = (&d.nics[0], &d.nics[d.nics.len() - 1]);
        let ra = ersim::app::reach(&a, f, t).unwrap();
        let rb = ersim::app::reach(&b, f, t).unwrap();
        prop_assert_eq!(ersim::report::reach::json(&ra.model, &ra.reach), ersim::report::reach::json(&rb.model, &rb.reach));
        let ca = ersim::check::check(&a).unwrap();
        let cb = ersim::check::check(&b).unwrap();
        prop_assert_eq!(strip_locations(&ersim::report::check::text(&ca)), strip_locations(&ersim::report::check::text(&cb)));
        let ma = ersim::matrix::matrix(&sa).unwrap();
        let mb = ersim::matrix::matrix(&sb).unwrap();
        prop_assert_eq!(ersim::report::matrix::json(&sa, &ma), ersim::report::matrix::json(&sb, &mb));
        prop_assert_eq!(ersim::report::graph::dot(&sa), ersim::report::graph::dot(&sb));
    }

    /// `matrix` walks once per source class and destination, yet gives `reach`'s verdict and
    /// drop reasons, both directions, for every ordered pair of VNets and on-premises routers.
    #[test]
    fn matrix_classes_agree_with_reach_on_every_pair(d in twin_design()) {
        let sim = Simulation::new(load(&d.natural()).model).unwrap();
        let sel = ersim::matrix::Selection { include_onprem: true, ..Default::default() };
        let mx = ersim::matrix::compute(&sim, &sel, &mut |_, _| {}).unwrap();
        prop_assert!(mx.classes() <= mx.len());
        let endpoint = |k: usize| match mx.nodes[k] {
            ersim::matrix::Node::Vnet(v) => ersim::model::Endpoint::Vnet(v),
            ersim::matrix::Node::Onprem(o) => ersim::model::Endpoint::Onprem(o),
        };
        let reasons = |t: &ersim::forward::Trace| -> Vec<ersim::forward::DropReason> {
            let mut r: Vec<_> = t.branches.iter().filter_map(|b| match &b.outcome {
                ersim::forward::Outcome::Dropped(d) => Some(d.reason()),
                ersim::forward::Outcome::Delivered => None,
            }).collect();
            r.sort();
            r.dedup();
            r
        };
        for a in 0..mx.len() {
            for b in 0..mx.len() {
                if a == b || !mx.covers(a, b) {
                    continue;
                }
                let cell = mx.cell(a, b);
                let label = format!("{} → {}", mx.names[a], mx.names[b]);
                let hosts = ersim::forward::hosts(&sim, &endpoint(a), &endpoint(b));
                let (Ok((fh, _)), Ok((_, th))) = (hosts.clone(), ersim::forward::hosts(&sim, &endpoint(b), &endpoint(b))) else {
                    prop_assert_eq!(cell, ersim::matrix::Cell::NoHost, "{}", label);
                    continue;
                };
                let _ = hosts;
                let r = ersim::forward::reach_hosts(&sim, &fh, &th);
                let back = r.back.as_ref().expect("private destinations have a return path");
                if r.forward.truncated || back.truncated {
                    continue;
                }
                match &cell {
                    ersim::matrix::Cell::Delivered => prop_assert_eq!(r.verdict, ersim::forward::Verdict::Delivered, "{}", label),
                    ersim::matrix::Cell::Dropped { forward, back: ret } => {
                        prop_assert_eq!(r.verdict, ersim::forward::Verdict::NotDelivered, "{}", label);
                        prop_assert_eq!(forward, &reasons(&r.forward), "{} forward", label);
                        prop_assert_eq!(ret, &reasons(back), "{} return", label);
                    }
                    other => prop_assert!(false, "{}: {:?}", label, other),
                }
            }
        }
    }

    /// Propagation reaches a fixed point within its bound, and one more round changes nothing.
    #[test]
    fn propagation_reaches_a_fixed_point(d in design()) {
        let l = load(&d.natural());
        let sim = Simulation::new(l.model).expect("converges within the bound");
        prop_assert!(sim.bgp.check_fixed_point(&sim.model).is_ok(), "{:?}", sim.bgp.check_fixed_point(&sim.model));
    }

    /// The lookup equals a brute-force longest match over the Active rows.
    #[test]
    fn lookup_equals_brute_force(d in design(), ips in prop::collection::vec((0u8..12, any::<u8>(), any::<u8>()), 16)) {
        let sim = Simulation::new(load(&d.natural()).model).unwrap();
        for nic in &d.nics {
            let t = sim.nic_table(sim.model.nic_by_name(nic).unwrap());
            let rows = t.rows();
            for (a, b, c) in &ips {
                let ip = IpAddr::V4(Ipv4Addr::new(if *a < 8 { 10 } else { 172 + (*a % 2) * 20 }, *a % 8 + if *a >= 8 { 16 } else { 0 }, *b, *c));
                let best_len = rows.iter().filter(|r| r.state == RouteState::Active && r.prefix.contains(&ip)).map(|r| r.prefix.prefix_len()).max();
                let got = t.lookup(ip);
                prop_assert_eq!(got.as_ref().map(|h| h.prefix.prefix_len()), best_len, "{} {}", nic, ip);
                if let Some(h) = got {
                    for r in &h.rows {
                        prop_assert!(rows.contains(r), "lookup returned a row the table does not show");
                        prop_assert_eq!(r.state, RouteState::Active);
                    }
                }
            }
        }
    }

    /// Every Active prefix is unique among Active rows unless it is an ECMP set (same prefix,
    /// same source, different next hops).
    #[test]
    fn active_rows_are_unique_or_ecmp(d in design()) {
        let sim = Simulation::new(load(&d.natural()).model).unwrap();
        for nic in &d.nics {
            let t = sim.nic_table(sim.model.nic_by_name(nic).unwrap());
            let rows = ersim::effective::split_next_hops(&t.rows(), false);
            let active: Vec<_> = rows.iter().filter(|r| r.state == RouteState::Active).collect();
            for (i, a) in active.iter().enumerate() {
                for b in &active[i + 1..] {
                    if a.prefix == b.prefix {
                        prop_assert_eq!(a.source, b.source, "{} {}", nic, a.prefix);
                        prop_assert_ne!(&a.next_hop_ips, &b.next_hop_ips, "{} {}", nic, a.prefix);
                    }
                }
            }
        }
    }

    /// No gateway route is installed that equals or lies inside a local or peered address space
    /// (D7), and no gateway re-learns its own VNet's or transit spokes' prefixes.
    #[test]
    fn no_gateway_route_inside_local_or_peered_space(d in design()) {
        let sim = Simulation::new(load(&d.natural()).model).unwrap();
        let m = &sim.model;
        for (si, s) in m.subnets.iter().enumerate() {
            let v = s.vnet;
            let mut spaces: Vec<IpNet> = m.vnets[v.idx()].address_space.clone();
            for (_, w) in m.connected_peers(v) {
                spaces.extend(m.vnets[w.idx()].address_space.iter().copied());
            }
            for r in sim.table(ersim::model::SubnetId(si as u32)).rows() {
                if r.source == ersim::effective::RouteSource::VirtualNetworkGateway {
                    prop_assert!(!spaces.iter().any(|a| a.contains(&r.prefix)), "{} installed in {}", r.prefix, m.subnet_path(ersim::model::SubnetId(si as u32)));
                }
            }
        }
        for (gi, g) in m.gateways.iter().enumerate() {
            let sp = sim.bgp.gateway_speaker[gi];
            let mut own: Vec<IpNet> = m.vnets[g.vnet.idx()].address_space.clone();
            for s in &m.ix.transit_spokes[g.vnet.idx()] {
                own.extend(m.vnets[s.idx()].address_space.iter().copied());
            }
            for (p, e) in sim.bgp.rib(sp) {
                if own.contains(&p) {
                    prop_assert!(e.ins.is_empty(), "{} re-learned its own {}", g.name, p);
                }
            }
        }
    }

    /// Peering is not transitive: with no gateways, UDRs or NVAs, a VNet only gets peering rows
    /// for VNets it is directly (and Connected-ly) peered with.
    #[test]
    fn peering_is_not_transitive(d in plain_design()) {
        let sim = Simulation::new(load(&d.natural()).model).unwrap();
        let m = &sim.model;
        for (ni, nic) in m.nics.iter().enumerate() {
            let peers: BTreeSet<ersim::model::VnetId> = m.connected_peers(nic.vnet).map(|(_, w)| w).collect();
            for r in sim.nic_table(ersim::model::NicId(ni as u32)).rows() {
                for (wi, w) in m.vnets.iter().enumerate() {
                    let w_id = ersim::model::VnetId(wi as u32);
                    if w_id == nic.vnet || peers.contains(&w_id) {
                        continue;
                    }
                    prop_assert!(
                        !(w.address_space.contains(&r.prefix) && r.next_hop_type != ersim::model::NextHopType::None),
                        "{} has a route to unpeered {}: {:?}", nic.name, w.name, r
                    );
                }
            }
        }
    }

    /// A delivered path uses, at each hop, the route the longest match picks in that hop's table.
    #[test]
    fn reach_follows_the_tables(d in design(), pick in (0usize..8, 0usize..8)) {
        let l = load(&d.natural());
        let sim = Simulation::new(l.model.clone()).unwrap();
        let n = d.nics.len();
        let (i, j) = (pick.0 % n, (pick.0 % n + 1 + pick.1 % (n - 1)) % n);
        let (f, t) = (&d.nics[i], &d.nics[j]);
        let r = ersim::app::reach(&l, f, t).unwrap();
        for tr in std::iter::once(&r.reach.forward).chain(r.reach.back.iter()) {
            for b in &tr.branches {
                if !matches!(b.outcome, ersim::forward::Outcome::Delivered) {
                    continue;
                }
                for s in &b.steps {
                    let Some(route) = &s.route else { continue };
                    // A subnet's table, by the subnet the walker reports (BGP tables are not
                    // effective routes).
                    let ersim::forward::Table::Subnet(sub) = route.table else { continue };
                    let hit = sim.table(sub).lookup(tr.to.ip).expect("the table has a route");
                    prop_assert_eq!(hit.prefix, route.prefix, "{} at {}", tr.to.ip, sim.model.subnet_path(sub));
                }
            }
        }
    }

    /// Without route tables, NVAs and overlapping spaces, A→B delivers exactly when B→A does.
    #[test]
    fn one_way_results_are_symmetric_without_forwarders(d in forwarderless_design(), pick in (0usize..8, 0usize..8)) {
        let sim = Simulation::new(load(&d.natural()).model).unwrap();
        let (a, b) = (pick.0 % d.vnets, (pick.0 % d.vnets + 1 + pick.1 % (d.vnets - 1)) % d.vnets);
        let (ha, _) = ersim::forward::hosts(&sim, &ersim::model::Endpoint::Vnet(ersim::model::VnetId(a as u32)), &ersim::model::Endpoint::Vnet(ersim::model::VnetId(a as u32))).unwrap();
        let (hb, _) = ersim::forward::hosts(&sim, &ersim::model::Endpoint::Vnet(ersim::model::VnetId(b as u32)), &ersim::model::Endpoint::Vnet(ersim::model::VnetId(b as u32))).unwrap();
        let ab = ersim::forward::trace(&sim, &ha, &hb).delivered();
        let ba = ersim::forward::trace(&sim, &hb, &ha).delivered();
        prop_assert_eq!(ab, ba, "v{} → v{} and back differ", a, b);
    }

    /// The parser never panics: arbitrary bytes give a model or an error.
    #[test]
    fn parser_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = ersim::scenario::parse_bytes("fuzz.toml", bytes);
    }

    /// Mutated valid scenarios (lines deleted, duplicated or truncated, values swapped for other
    /// types, huge numbers) give a model or an error with a location inside the text, never a panic.
    #[test]
    fn parser_never_panics_on_mutated_scenarios(d in design(), muts in prop::collection::vec((0usize..1000, 0u8..7), 1..6)) {
        let text = d.natural();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        for (at, kind) in muts {
            if lines.is_empty() {
                break;
            }
            let i = at % lines.len();
            match kind {
                0 => { lines.remove(i); }
                1 => { let l = lines[i].clone(); lines.insert(i, l); }
                2 => { let l = &lines[i]; lines[i] = l[..l.len() / 2].to_string(); }
                3 => { if let Some((k, _)) = lines[i].split_once('=') { lines[i] = format!("{k}= 99999999999999999999999999"); } }
                4 => { if let Some((k, _)) = lines[i].split_once('=') { lines[i] = format!("{k}= [[1, {{a = \"x\"}}], true]"); } }
                5 => { if let Some((k, _)) = lines[i].split_once('=') { lines[i] = format!("{k}= \"spoke-{i}\""); } }
                _ => { lines[i] = lines[i].replace('"', ""); }
            }
        }
        let mutated = lines.join("\n");
        match ersim::scenario::parse("mut.toml", mutated.clone()) {
            Ok(l) => { let _ = Simulation::new(l.model); }
            Err(ersim::scenario::LoadError::Invalid(inv)) => {
                prop_assert!(inv.diagnostics.iter().any(|x| x.severity == ersim::diag::Severity::Error));
                for x in &inv.diagnostics {
                    if let Some(s) = &x.span { prop_assert!(s.end <= mutated.len(), "span outside the text"); }
                    let _ = x.render("mut.toml", &mutated);
                }
            }
            Err(e) => prop_assert!(false, "unexpected error kind {e}"),
        }
    }
}

#[test]
fn the_generator_makes_valid_designs_with_gateways_and_forwarders() {
    // The properties are only as good as the designs: make sure the generator reaches the
    // interesting parts of the engine.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut with_gw = 0;
    let mut with_fwd = 0;
    let mut with_transit = 0;
    for _ in 0..64 {
        let d = design().new_tree(&mut runner).unwrap().current();
        let l = load(&d.natural());
        with_gw += d.gateways as usize;
        with_fwd += d.forwarders as usize;
        with_transit += l.model.ix.transit_spokes.iter().any(|t| !t.is_empty()) as usize;
    }
    assert!(with_gw > 16 && with_fwd > 8 && with_transit > 8, "gw {with_gw} fwd {with_fwd} transit {with_transit}");
}

#[test]
fn key_shuffling_moves_keys_and_keeps_every_line() {
    // The block-order property is only as strong as the shuffle: it must keep each line, keep
    // every header where it was, and actually move keys in most designs.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut moved = 0;
    for seed in 1..=64u64 {
        let d = design().new_tree(&mut runner).unwrap().current();
        let text = d.natural();
        let shuffled = shuffle_keys(&text, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (mut a, mut b): (Vec<&str>, Vec<&str>) = (text.lines().collect(), shuffled.lines().collect());
        let headers = |ls: &[&str]| -> Vec<(usize, String)> {
            ls.iter()
                .enumerate()
                .filter(|(_, l)| l.trim_start().starts_with('['))
                .map(|(i, l)| (i, l.to_string()))
                .collect()
        };
        assert_eq!(headers(&a), headers(&b), "headers stay in place");
        moved += (a != b) as usize;
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "the same lines");
    }
    assert!(moved > 48, "keys moved in only {moved} of 64 designs");
}
