//! `matrix` over the seed: the circuit joins the two hubs' domains (R57, D4), peering is not
//! transitive inside a hub (R37), hubs reach their own spokes (R35), and the outputs summarise it
//! as classes of pairs; selectors; a CI-sized synthetic estate; the memory bound.

use std::collections::BTreeSet;

use ersim::forward::DropReason;
use ersim::matrix::{Cell, Matrix, MatrixError, Selection, compute, matrix};

use super::common::*;

const HUB00: [&str; 3] = ["hub00", "spoke10", "spoke20"];
const HUB100: [&str; 3] = ["hub100", "spoke110", "spoke120"];

fn cell(mx: &Matrix, from: &str, to: &str) -> Cell {
    let idx = |n: &str| mx.index(n).unwrap_or_else(|| panic!("no {n} in the matrix"));
    mx.cell(idx(from), idx(to))
}

fn select(s: &ersim::Simulation, from: &[&str], to: &[&str], onprem: bool) -> Result<Matrix, MatrixError> {
    let sel = Selection {
        from: from.iter().map(|x| x.to_string()).collect(),
        to: to.iter().map(|x| x.to_string()).collect(),
        include_onprem: onprem,
        ..Selection::default()
    };
    compute(s, &sel, &mut |_, _| {})
}

#[test]
fn seed_matrix_lists_every_vnet_once_by_name() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    assert_eq!(mx.names, ["hub00", "hub100", "spoke10", "spoke110", "spoke120", "spoke20"]);
    assert_eq!(mx.len(), 6);
    assert_eq!(mx.pairs(), 30);
    for i in 0..6 {
        assert_eq!(mx.cell(i, i), Cell::Same);
    }
}

#[test]
fn seed_spokes_of_one_hub_are_one_source_class() {
    // spoke10 and spoke20 have equal tables but for their own space, one peering to hub00 with
    // the same flags, and hub00's domain: one class. Each hub is alone (its peerings differ).
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    assert_eq!(mx.classes(), 4);
    let class = |n: &str| mx.class_of(mx.index(n).unwrap());
    assert_eq!(class("spoke10"), class("spoke20"));
    assert_eq!(class("spoke110"), class("spoke120"));
    assert_ne!(class("spoke10"), class("spoke110"));
    assert_ne!(class("hub00"), class("hub100"));
}

#[test]
fn seed_cross_hub_pairs_are_delivered() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    for a in HUB00 {
        for b in HUB100 {
            assert_eq!(cell(&mx, a, b), Cell::Delivered, "{a} → {b} over circuit01 (R57)");
            assert_eq!(cell(&mx, b, a), Cell::Delivered, "{b} → {a} over circuit01 (R57)");
        }
    }
}

#[test]
fn seed_same_hub_spokes_are_isolated_with_next_hop_none() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    for (a, b) in [("spoke10", "spoke20"), ("spoke20", "spoke10"), ("spoke110", "spoke120"), ("spoke120", "spoke110")] {
        match cell(&mx, a, b) {
            Cell::Dropped { forward, back } => {
                assert_eq!(forward, [DropReason::NextHopNone], "{a} → {b}: forward");
                assert_eq!(back, [DropReason::NextHopNone], "{a} → {b}: return");
            }
            other => panic!("{a} → {b} must drop (R37), got {other:?}"),
        }
    }
}

#[test]
fn seed_hubs_reach_their_own_spokes_and_each_other() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    for hub in [HUB00, HUB100] {
        for spoke in &hub[1..] {
            assert_eq!(cell(&mx, hub[0], spoke), Cell::Delivered, "{} → {spoke} over the peering", hub[0]);
            assert_eq!(cell(&mx, spoke, hub[0]), Cell::Delivered, "{spoke} → {} over the peering", hub[0]);
        }
    }
    assert_eq!(cell(&mx, "hub00", "hub100"), Cell::Delivered);
    let t = mx.totals(&s.model);
    assert_eq!((t.delivered, t.pairs), (26, 30), "30 ordered pairs, 4 isolated spoke pairs");
}

#[test]
fn seed_matrix_agrees_with_reach() {
    let seed = seed_text();
    let s = sim(&seed);
    let mx = matrix(&s).unwrap();
    let l = ersim::scenario::parse("test.toml", seed.clone()).unwrap();
    for (i, a) in mx.names.iter().enumerate() {
        for (j, b) in mx.names.iter().enumerate() {
            if i == j {
                continue;
            }
            let r = ersim::app::reach(&l, a, b).unwrap();
            let delivered = r.reach.verdict == ersim::forward::Verdict::Delivered;
            assert_eq!(mx.delivered(i, j), delivered, "matrix and reach disagree on {a} → {b}");
        }
    }
}

/// Every ordered pair is in exactly one block, and has that block's verdict.
fn assert_blocks_partition_the_pairs(mx: &Matrix) {
    let mut seen = BTreeSet::new();
    for b in mx.blocks() {
        let mut n = 0;
        for &x in &b.from {
            for &y in &b.to {
                if x == y {
                    continue;
                }
                n += 1;
                assert!(seen.insert((x, y)), "{} → {} in two blocks", mx.names[x as usize], mx.names[y as usize]);
                assert_eq!(
                    mx.cell(x as usize, y as usize),
                    b.cell,
                    "{} → {}",
                    mx.names[x as usize],
                    mx.names[y as usize]
                );
            }
        }
        assert_eq!(n, b.pairs, "a block's count is its rectangle without the diagonal");
    }
    assert_eq!(seen.len() as u64, mx.pairs());
}

#[test]
fn seed_blocks_are_rectangles_of_one_verdict() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    assert_blocks_partition_the_pairs(&mx);
    // Per hub: the hub to everything; its spokes to everything but each other; the spokes
    // to each other. Six blocks.
    assert_eq!(mx.blocks().len(), 6);
}

#[test]
fn seed_matrix_text_has_the_grid_legend_domain_summary_and_classes() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    let t = ersim::report::matrix::text(&s, &mx);
    assert!(
        t.starts_with(
            "matrix: 6 VNets, 26 of 30 ordered pairs delivered both ways; 4 source classes, 6 classes of pairs"
        ),
        "{t}"
    );
    let legend_line = t.lines().find(|l| l.contains("NextHopNone (")).unwrap_or_else(|| panic!("legend\n{t}"));
    assert!(legend_line.contains("(4 pairs)"), "4 ordered pairs drop with NextHopNone: {legend_line}");
    assert!(!t.contains("ToInternet") && !t.contains("NoRoute"), "no other reasons in the seed\n{t}");
    for v in HUB00.iter().chain(HUB100.iter()) {
        assert!(t.contains(v), "the grid names {v}\n{t}");
    }
    // hub00's domain holds hub00, spoke10 and spoke20: 6 ordered pairs inside, 4 delivered; 9 to hub100's domain.
    for want in [
        "hub00 → hub00: 4 / 6",
        "hub00 → hub100: 9 / 9",
        "hub100 → hub00: 9 / 9",
        "hub100 → hub100: 4 / 6",
        "  spoke10, spoke20 ↔ each other: dropped: forward NextHopNone; return NextHopNone (2 pairs)",
        "  hub00 → 5 VNets (hub100 … spoke20): delivered both ways (5 pairs)",
    ] {
        assert!(t.contains(want), "lacks `{want}`\n{t}");
    }
}

#[test]
fn seed_matrix_json_and_csv_list_classes_and_pairs_stream() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    let j: serde_json::Value = serde_json::from_str(&ersim::report::matrix::json(&s, &mx)).expect("matrix JSON parses");
    assert_eq!(j["vnets"], 6);
    assert_eq!(j["pairs"], 30);
    assert_eq!(j["delivered"], 26);
    assert_eq!(j["legend"]["NextHopNone"], 4);
    let dom = |f: &str, t: &str| {
        j["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["from"] == f && d["to"] == t)
            .map(|d| (d["delivered"].as_u64().unwrap(), d["pairs"].as_u64().unwrap()))
    };
    assert_eq!(dom("hub00", "hub00"), Some((4, 6)));
    assert_eq!(dom("hub100", "hub00"), Some((9, 9)));
    let classes = j["classes"].as_array().unwrap();
    assert_eq!(classes.iter().map(|c| c["pairs"].as_u64().unwrap()).sum::<u64>(), 30);
    let isolated = classes
        .iter()
        .find(|c| c["from"] == serde_json::json!(["spoke10", "spoke20"]) && c["delivered"] == false)
        .expect("the hub00 spokes' class");
    assert_eq!(isolated["to"], serde_json::json!(["spoke10", "spoke20"]));
    assert_eq!(isolated["pairs"], 2);
    assert_eq!(isolated["forward"], serde_json::json!(["NextHopNone"]));

    let csv = ersim::report::matrix::csv(&mx);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "from,to,pairs,delivered,forward,return");
    assert_eq!(lines.len(), 7, "a header and six classes");
    assert!(lines.contains(&"spoke10 spoke20,spoke10 spoke20,2,false,NextHopNone,NextHopNone"), "{csv}");

    let pairs = ersim::report::matrix::pairs(&mx, ersim::report::matrix::PairsFormat::Csv);
    let lines: Vec<&str> = pairs.lines().collect();
    assert_eq!(lines[0], "from,to,delivered,forward,return");
    assert_eq!(lines.len(), 31, "a header and 30 ordered pairs");
    assert!(lines.contains(&"spoke10,spoke20,false,NextHopNone,NextHopNone"), "{pairs}");
    assert!(lines.contains(&"spoke10,spoke110,true,,"), "{pairs}");
    let jl = ersim::report::matrix::pairs(&mx, ersim::report::matrix::PairsFormat::JsonLines);
    let rows: Vec<serde_json::Value> =
        jl.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert_eq!(rows.len(), 30);
    let r = rows.iter().find(|r| r["from"] == "spoke20" && r["to"] == "spoke10").unwrap();
    assert_eq!(r["delivered"], false);
    assert_eq!(r["return"], serde_json::json!(["NextHopNone"]));
}

#[test]
fn selectors_take_globs_hubs_and_routers() {
    let s = sim(&seed_text());
    let mx = select(&s, &["hub:hub00"], &["spoke1*"], false).unwrap();
    let names = |mx: &Matrix, xs: &[u32]| xs.iter().map(|i| mx.names[*i as usize].clone()).collect::<Vec<_>>();
    assert_eq!(names(&mx, &mx.from), ["hub00", "spoke10", "spoke20"], "the hub and the VNets using its gateways");
    assert_eq!(names(&mx, &mx.to), ["spoke10", "spoke110", "spoke120"]);
    assert_eq!(mx.pairs(), 8, "3 × 3 without spoke10 → spoke10");
    assert_blocks_partition_the_pairs(&mx);
    let mx = select(&s, &["vnet:spoke10, spoke20"], &[], false).unwrap();
    assert_eq!(names(&mx, &mx.from), ["spoke10", "spoke20"]);
    assert_eq!(mx.to.len(), 6);

    // On-premises routers as destinations.
    let text = bundled_text("two-circuits-dr.toml");
    let s = sim(&text);
    let mx = select(&s, &[], &[], true).unwrap();
    let routers: Vec<&String> = mx.names.iter().filter(|n| n.starts_with("onprem:")).collect();
    assert!(!routers.is_empty(), "{:?}", mx.names);
    for r in routers {
        let ri = mx.index(r).unwrap();
        assert!(mx.to.contains(&(ri as u32)) && !mx.from.contains(&(ri as u32)), "{r} is a destination only");
    }
    assert_blocks_partition_the_pairs(&mx);
}

#[test]
fn selectors_that_match_nothing_are_all_reported_with_the_closest_names() {
    let s = sim(&seed_text());
    let Err(MatrixError::Selector(errors)) =
        select(&s, &["spoke1O", "hub:spoke10"], &["onprem:dc", "x[", "hub:hub0"], false)
    else {
        panic!("must fail")
    };
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(errors[0].contains("no VNet matches `spoke1O`") && errors[0].contains("`spoke10`"), "{errors:?}");
    assert!(errors[1].contains("`spoke10` is not a hub") && errors[1].contains("hubs: hub00, hub100"), "{errors:?}");
    assert!(errors[2].contains("no on-premises router matches `onprem:dc`"), "{errors:?}");
    assert!(errors[3].contains("not a valid glob"), "{errors:?}");
    assert!(errors[4].contains("no hub matches `hub:hub0`") && errors[4].contains("`hub00`"), "{errors:?}");
    let e = ersim::app::Error::from(MatrixError::Selector(errors));
    assert_eq!(e.exit_code(), 2);
}

/// A synthetic estate of 500 VNets (the 2,000- and 5,000-VNet estates are benchmarks): classes and
/// blocks stay few while pairs grow with the square.
#[test]
fn a_synthetic_estate_has_few_classes_and_blocks() {
    let p =
        ersim::synth::SynthParams { hubs: 5, spokes_per_hub: 99, circuits: 2, ..ersim::synth::SynthParams::default() };
    let s = sim(&ersim::synth::generate(&p));
    let mx = matrix(&s).unwrap();
    assert_eq!(mx.len(), 500);
    assert_eq!(mx.pairs(), 500 * 499);
    // Each hub alone; per hub, the plain spokes are one class, and every tenth spoke — each with
    // its own route table, all with the same routes — another.
    assert_eq!(mx.classes(), 15, "five hubs and two spoke classes per hub");
    let class = |n: &str| mx.class_of(mx.index(n).unwrap());
    assert_eq!(class("spoke00-000"), class("spoke00-010"), "route tables are compared by content, not name");
    assert_ne!(class("spoke00-000"), class("spoke00-001"));
    let blocks = mx.blocks();
    assert!(blocks.len() <= 40, "{} blocks", blocks.len());
    assert_eq!(blocks.iter().map(|b| b.pairs).sum::<u64>(), mx.pairs());
    let t = mx.totals(&s.model);
    assert_eq!(t.domains.values().map(|(_, p)| p).sum::<u64>(), mx.pairs());
    // Spokes of one hub do not reach each other (R37): 5 × 99 × 98 pairs.
    assert!(t.legend.get(&DropReason::NextHopNone).copied().unwrap_or(0) >= 5 * 99 * 98, "{:?}", t.legend);
    // Streaming every pair: one line each.
    let csv = ersim::report::matrix::pairs(&mx, ersim::report::matrix::PairsFormat::Csv);
    assert_eq!(csv.lines().count() as u64, 1 + mx.pairs());
}

#[test]
fn a_matrix_over_its_bound_is_a_usage_error_that_names_the_filter() {
    let s = sim(&seed_text());
    let sel = Selection { max_cells: 10, ..Selection::default() };
    let e = compute(&s, &sel, &mut |_, _| {}).unwrap_err();
    let MatrixError::TooLarge { cells, classes, nodes, .. } = &e else { panic!("{e}") };
    assert_eq!((*classes, *nodes), (4, 6));
    assert_eq!(*cells, 24);
    let msg = e.to_string();
    assert!(msg.contains("--from/--to") && msg.contains("hub:"), "{msg}");
    assert_eq!(ersim::app::Error::from(e).exit_code(), 2);
}
