//! Criterion benchmarks of the engine over the seed and synthetic estates (`ersim::synth`).
//!
//! Groups (`cargo bench --bench engine -- GROUP` runs one):
//! - `seed`: the seed scenario's `routes --nic nic-spoke10` end to end, and `reach vm-spoke10 vm-spoke110`;
//! - `estate-8k`: 20 hubs × 400 spokes (8,020 VNets), 4 circuits, 1,000 prefixes per on-premises
//!   router: parse, propagate, whole-estate `check`, and one NIC's `routes` (table build + render);
//! - `matrix-1k`: `matrix` over 5 hubs × 199 spokes (1,000 VNets);
//! - `propagate-scaling`: parse + propagate over 1k, 2k, 4k, 8k and 16k VNets;
//! - `matrix-scaling`: the class-based `matrix` (classes, verdicts, every class of pairs) over
//!   1k, 2k, 5k, 8k and 16k VNets, from a propagated estate;
//! - `change-impact`: `diff` of two 8,020-VNet estates that differ in one peering (parse of both
//!   files included), and `resilience` over the 8,020-VNet estate's circuits, gateways and
//!   connections (and its other default kinds).
//!
//! The large groups take 10 samples with short measurement times, so the whole run stays within a
//! few minutes on a 2-core machine. Quote medians with the machine they were measured on.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ersim::effective::SubnetTable;
use ersim::report::routes::{Options, render};
use ersim::report::{self, Format};
use ersim::synth::{self, SynthParams};
use ersim::{Simulation, scenario};

const TEXT: Options = Options { format: Format::Text, merge_next_hops: false };

fn seed_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml");
    std::fs::read_to_string(path).expect("seed scenario")
}

/// The estate of the `estate-8k` group: 8,020 VNets.
fn estate_8k() -> SynthParams {
    SynthParams { hubs: 20, spokes_per_hub: 400, circuits: 4, onprem_prefixes: 1_000, ..SynthParams::default() }
}

fn parse(name: &str, text: &str) -> scenario::Loaded {
    scenario::parse(name, text.to_string()).expect("valid scenario")
}

fn seed(c: &mut Criterion) {
    let text = seed_text();
    let mut g = c.benchmark_group("seed");
    g.bench_function("routes nic-spoke10 (parse+propagate+render)", |b| {
        b.iter(|| {
            let loaded = scenario::parse("seed.toml", text.clone()).expect("valid");
            let sim = Simulation::new(loaded.model).expect("converges");
            let nic = sim.model.nic_by_name("nic-spoke10").expect("nic");
            let t = sim.nic_table(nic);
            render(&sim, &t, TEXT)
        })
    });
    let loaded = parse("seed.toml", &text);
    g.bench_function("reach vm-spoke10 vm-spoke110 (propagate+trace)", |b| {
        b.iter(|| {
            let a = ersim::app::reach(black_box(&loaded), "vm-spoke10", "vm-spoke110").expect("reach");
            report::reach::text(&a.model, &a.reach)
        })
    });
    g.finish();
}

fn estate(c: &mut Criterion) {
    let p = estate_8k();
    let text = synth::generate(&p);
    let loaded = parse("estate-8k.toml", &text);
    assert_eq!(loaded.model.vnets.len(), 8_020);
    let mut g = c.benchmark_group("estate-8k");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("parse", |b| b.iter(|| scenario::parse("estate-8k.toml", text.clone()).expect("valid")));
    g.bench_function("propagate (Simulation::new)", |b| {
        b.iter_batched(|| loaded.model.clone(), |m| Simulation::new(m).expect("converges"), BatchSize::LargeInput)
    });
    g.bench_function("check (whole estate)", |b| {
        b.iter(|| {
            let r = ersim::check::check(&loaded).expect("check");
            assert_eq!(r.exit_code(), 0);
            r
        })
    });
    // One NIC's routes on an already propagated estate: the table is cached inside the
    // simulation, so build it afresh (what `routes` does once per run) and render it.
    let sim = Simulation::new(loaded.model.clone()).expect("converges");
    let nic_name = synth::spoke_nic(7, 120);
    let nic = sim.model.nic_by_name(&nic_name).expect("nic");
    let subnet = sim.model.nics[nic.idx()].subnet;
    let vnet = sim.model.subnets[subnet.idx()].vnet;
    g.bench_function(format!("routes {nic_name} (table build+render)"), |b| {
        b.iter(|| {
            let t = SubnetTable::build(&sim.model, subnet, sim.domain_of(vnet));
            render(&sim, &t, TEXT)
        })
    });
    g.finish();
}

fn matrix(c: &mut Criterion) {
    let p = SynthParams { hubs: 5, spokes_per_hub: 199, circuits: 4, onprem_prefixes: 1_000, ..SynthParams::default() };
    let loaded = parse("matrix-1k.toml", &synth::generate(&p));
    assert_eq!(loaded.model.vnets.len(), 1_000);
    let mut g = c.benchmark_group("matrix-1k");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(16));
    g.sampling_mode(SamplingMode::Flat);
    // A fresh simulation per sample, so subnet tables are built inside the timed part as in
    // `ersim matrix`; propagation itself is in the setup.
    g.bench_function("matrix 1,000 VNets (tables+walks)", |b| {
        b.iter_batched(
            || Simulation::new(loaded.model.clone()).expect("converges"),
            |sim| ersim::matrix::matrix(&sim).expect("within the matrix limit"),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("propagate-scaling");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.sampling_mode(SamplingMode::Flat);
    // hubs × (spokes + 1) VNets.
    for (hubs, spokes) in [(5, 199), (10, 199), (10, 399), (20, 399), (40, 399)] {
        let p =
            SynthParams { hubs, spokes_per_hub: spokes, circuits: 4, onprem_prefixes: 1_000, ..SynthParams::default() };
        let text = synth::generate(&p);
        let vnets = p.vnet_count();
        g.throughput(Throughput::Elements(vnets as u64));
        // Ten samples of the 16k estate take about 7 s on 2 cores.
        g.measurement_time(Duration::from_secs(if vnets > 10_000 { 9 } else { 4 }));
        g.bench_with_input(BenchmarkId::new("parse+propagate", vnets), &text, |b, text| {
            b.iter(|| {
                let loaded = scenario::parse("scaling.toml", text.clone()).expect("valid");
                Simulation::new(loaded.model).expect("converges")
            })
        });
    }
    g.finish();
}

fn matrix_scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("matrix-scaling");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    g.sampling_mode(SamplingMode::Flat);
    // hubs × (spokes + 1) VNets.
    for (hubs, spokes) in [(5, 199), (10, 199), (10, 499), (20, 400), (40, 399)] {
        let p =
            SynthParams { hubs, spokes_per_hub: spokes, circuits: 4, onprem_prefixes: 1_000, ..SynthParams::default() };
        let loaded = parse("matrix.toml", &synth::generate(&p));
        let vnets = p.vnet_count();
        g.throughput(Throughput::Elements(vnets as u64));
        g.measurement_time(Duration::from_secs(if vnets > 10_000 { 20 } else { 8 }));
        // A fresh simulation per sample (propagation in the setup), so the subnet tables a
        // matrix builds are inside the timed part, as in `ersim matrix`.
        g.bench_with_input(BenchmarkId::new("matrix+classes of pairs", vnets), &loaded, |b, loaded| {
            b.iter_batched(
                || Simulation::new(loaded.model.clone()).expect("converges"),
                |sim| {
                    let mx = ersim::matrix::matrix(&sim).expect("within the bound");
                    black_box(mx.totals(&sim.model))
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn change_impact(c: &mut Criterion) {
    let text = synth::generate(&estate_8k());
    // The same estate with one more peering: two spokes of different hubs.
    let after = format!("{text}\n[[peering]]\nvnets = [\"spoke00-000\", \"spoke01-000\"]\n");
    let mut g = c.benchmark_group("change-impact");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(60));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("diff 8,020 VNets, one peering added (parse both, propagate, compare)", |b| {
        b.iter(|| {
            let (x, y) = (parse("before.toml", &text), parse("after.toml", &after));
            black_box(ersim::app::diff_loaded(x, Some(y), &[]).expect("diff"))
        })
    });
    let sim = Simulation::new(parse("estate-8k.toml", &text).model).expect("converges");
    g.measurement_time(Duration::from_secs(150));
    g.bench_function("resilience 8,020 VNets, default kinds", |b| {
        b.iter(|| {
            black_box(ersim::resilience::sweep(&sim, &ersim::resilience::Kind::DEFAULT, &|_, _| {}).expect("sweep"))
        })
    });
    g.finish();
}

criterion_group!(benches, seed, estate, matrix, scaling, matrix_scaling, change_impact);
criterion_main!(benches);
