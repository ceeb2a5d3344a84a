//! Criterion benchmarks of the engine (see README "Performance").

use criterion::{Criterion, criterion_group, criterion_main};

fn seed(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-multi-hub-expressroute.toml");
    let text = std::fs::read_to_string(path).expect("seed scenario");
    c.bench_function("seed/routes nic-spoke10 (parse+propagate+render)", |b| {
        b.iter(|| {
            let loaded = ersim::scenario::parse("seed.toml", text.clone()).expect("valid");
            let sim = ersim::Simulation::new(loaded.model).expect("converges");
            let nic = sim.model.nic_by_name("nic-spoke10").expect("nic");
            let t = sim.nic_table(nic);
            ersim::report::routes::render(
                &sim,
                &t,
                ersim::report::routes::Options { format: ersim::report::Format::Text, merge_next_hops: false },
            )
        })
    });
}

criterion_group!(benches, seed);
criterion_main!(benches);
