//! `matrix` over the seed: the circuit joins the two hubs' domains (R57, D4), peering is not
//! transitive inside a hub (R37), hubs reach their own spokes (R35), and the outputs summarise it.

use ersim::forward::DropReason;
use ersim::matrix::{Cell, Matrix, matrix};

use super::common::*;

const HUB00: [&str; 3] = ["hub00", "spoke10", "spoke20"];
const HUB100: [&str; 3] = ["hub100", "spoke110", "spoke120"];

fn cell(sim: &ersim::Simulation, mx: &Matrix, from: &str, to: &str) -> Cell {
    let idx = |n: &str| {
        mx.vnets
            .iter()
            .position(|v| sim.model.vnets[v.idx()].name == n)
            .unwrap_or_else(|| panic!("no VNet {n} in the matrix"))
    };
    mx.cell(idx(from), idx(to))
}

#[test]
fn seed_matrix_lists_every_vnet_once_by_name() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    let names: Vec<&str> = mx.vnets.iter().map(|v| s.model.vnets[v.idx()].name.as_str()).collect();
    assert_eq!(names, ["hub00", "hub100", "spoke10", "spoke110", "spoke120", "spoke20"]);
    assert_eq!(mx.len(), 6);
    for i in 0..6 {
        assert_eq!(mx.cell(i, i), Cell::Same);
    }
}

#[test]
fn seed_cross_hub_pairs_are_delivered() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    for a in HUB00 {
        for b in HUB100 {
            assert_eq!(cell(&s, &mx, a, b), Cell::Delivered, "{a} → {b} over circuit01 (R57)");
            assert_eq!(cell(&s, &mx, b, a), Cell::Delivered, "{b} → {a} over circuit01 (R57)");
        }
    }
}

#[test]
fn seed_same_hub_spokes_are_isolated_with_next_hop_none() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    for (a, b) in [("spoke10", "spoke20"), ("spoke20", "spoke10"), ("spoke110", "spoke120"), ("spoke120", "spoke110")] {
        match cell(&s, &mx, a, b) {
            Cell::Dropped { forward, back } => {
                assert_eq!(forward.first(), Some(&DropReason::NextHopNone), "{a} → {b}: forward {forward:?}");
                assert_eq!(back.first(), Some(&DropReason::NextHopNone), "{a} → {b}: return {back:?}");
            }
            other => panic!("{a} → {b} must drop (R37), got {other:?}"),
        }
        assert_eq!(cell(&s, &mx, a, b).reason(), Some(DropReason::NextHopNone));
    }
}

#[test]
fn seed_hubs_reach_their_own_spokes_and_each_other() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    for hub in [HUB00, HUB100] {
        for spoke in &hub[1..] {
            assert_eq!(cell(&s, &mx, hub[0], spoke), Cell::Delivered, "{} → {spoke} over the peering", hub[0]);
            assert_eq!(cell(&s, &mx, spoke, hub[0]), Cell::Delivered, "{spoke} → {} over the peering", hub[0]);
        }
    }
    assert_eq!(cell(&s, &mx, "hub00", "hub100"), Cell::Delivered);
    let delivered =
        (0..mx.len()).map(|i| (0..mx.len()).filter(|j| mx.cell(i, *j) == Cell::Delivered).count()).sum::<usize>();
    assert_eq!(delivered, 26, "30 ordered pairs, 4 isolated spoke pairs");
}

#[test]
fn seed_matrix_agrees_with_reach() {
    let seed = seed_text();
    let s = sim(&seed);
    let mx = matrix(&s).unwrap();
    let l = ersim::scenario::parse("test.toml", seed.clone()).unwrap();
    for (i, a) in mx.vnets.iter().enumerate() {
        for (j, b) in mx.vnets.iter().enumerate() {
            if i == j {
                continue;
            }
            let (an, bn) = (&s.model.vnets[a.idx()].name, &s.model.vnets[b.idx()].name);
            let r = ersim::app::reach(&l, an, bn).unwrap();
            let delivered = r.reach.verdict == ersim::forward::Verdict::Delivered;
            assert_eq!(mx.cell(i, j) == Cell::Delivered, delivered, "matrix and reach disagree on {an} → {bn}");
        }
    }
}

#[test]
fn seed_matrix_text_has_the_grid_legend_and_domain_summary() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    let t = ersim::report::matrix::text(&s, &mx);
    assert!(t.contains("legend"), "{t}");
    let legend_line =
        t.lines().find(|l| l.contains("NextHopNone")).unwrap_or_else(|| panic!("legend lacks NextHopNone\n{t}"));
    assert!(legend_line.contains('4'), "4 ordered pairs drop with NextHopNone: {legend_line}");
    assert!(!t.contains("ToInternet") && !t.contains("NoRoute"), "no other reasons in the seed\n{t}");
    for v in HUB00.iter().chain(HUB100.iter()) {
        assert!(t.contains(v), "the grid names {v}\n{t}");
    }
    assert!(t.contains("by domain"), "{t}");
    // hub00's domain holds hub00, spoke10 and spoke20: 6 ordered pairs inside, 4 delivered; 9 to hub100's domain.
    for want in ["hub00 → hub00: 4 / 6", "hub00 → hub100: 9 / 9", "hub100 → hub00: 9 / 9", "hub100 → hub100: 4 / 6"]
    {
        assert!(t.contains(want), "domain summary lacks `{want}`\n{t}");
    }
}

#[test]
fn seed_matrix_json_and_csv() {
    let s = sim(&seed_text());
    let mx = matrix(&s).unwrap();
    let j: serde_json::Value = serde_json::from_str(&ersim::report::matrix::json(&s, &mx)).expect("matrix JSON parses");
    assert_eq!(j["vnets"].as_array().unwrap().len(), 6);
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
    assert_eq!(dom("hub00", "hub100"), Some((9, 9)));
    assert_eq!(dom("hub100", "hub00"), Some((9, 9)));
    assert_eq!(dom("hub100", "hub100"), Some((4, 6)));
    let names: Vec<&str> = j["vnets"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let (i, k) =
        (names.iter().position(|n| *n == "spoke10").unwrap(), names.iter().position(|n| *n == "spoke20").unwrap());
    let c = &j["cells"][i][k];
    assert_eq!(c["delivered"], false);
    assert_eq!(c["forward"][0], "NextHopNone");
    assert_eq!(c["return"][0], "NextHopNone");
    assert!(j["cells"][i][i].is_null());

    let csv = ersim::report::matrix::csv(&s, &mx);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "from,to,delivered,forward,return");
    assert_eq!(lines.len(), 31, "a header and 30 ordered pairs");
    assert!(lines.contains(&"spoke10,spoke20,false,NextHopNone,NextHopNone"), "{csv}");
    assert!(lines.contains(&"spoke10,spoke110,true,,"), "{csv}");
}
