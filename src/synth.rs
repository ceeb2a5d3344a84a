//! Synthetic hub-and-spoke estates for benchmarks and property tests.
//!
//! [`generate`] writes the scenario TOML (format v1, `scenario-format.md`) of an estate of any size:
//! `hubs` hubs, one per region, each with an ExpressRoute gateway connected to one or two Premium
//! circuits; `spokes_per_hub` spokes per hub using the hub's gateway (`transit_via`); one
//! on-premises router per circuit; and a route table on every `route_table_every`-th spoke. The
//! text is a pure function of [`SynthParams`]: the same parameters give byte-identical text. The
//! seed only picks which circuits each hub connects to and the routing weights of those
//! connections; everything else (names, addresses, prefixes) follows from the sizes.
//!
//! The estate loads without errors or warnings and stays within Azure's limits
//! (`docs/routing-rules.md` Part K) as long as the parameters do (see [`SynthParams`] and
//! [`max_learned_routes`]); `ersim check` then reports no design findings.
//!
//! # Address plan
//!
//! Everything in Azure lives in 10.0.0.0/8, which is cut into 64 blocks of /14, one per hub:
//!
//! | what | prefix | example (hub 1) |
//! |---|---|---|
//! | hub `h` | `10.(4h).0.0/16` | `10.4.0.0/16` |
//! | hub subnet `default` | `10.(4h).0.0/24`, NIC at `.4` | `10.4.0.0/24` |
//! | hub `GatewaySubnet` | `10.(4h).255.0/27` | `10.4.255.0/27` |
//! | spoke `s` of hub `h` | `10.(4h+1+s/256).(s%256).0/24`, NIC at `.4` | spoke 0: `10.5.0.0/24` |
//!
//! So at most 64 hubs and 500 spokes per hub (the peering limit, R43; the block would hold 768).
//! On-premises prefixes never touch 10.0.0.0/8: the prefixes every router advertises (see
//! [`SynthParams::shared_prefixes`]) are /24s of 192.168.0.0/16, each router's own prefixes are
//! consecutive /24s of 172.16.0.0/12 and then 100.64.0.0/10 (20,480 /24s in all). User routes send
//! 203.0.113.0/24 (TEST-NET-3, standing in for a SaaS range) straight to the Internet.
//!
//! # Names
//!
//! Hub `h` is `hubHH` (in `region-HH`) with gateway `ergw-hubHH`, NIC `nic-hubHH` and VM
//! `vm-hubHH`; its spoke `s` is `spokeHH-SSS` with NIC `nic-spokeHH-SSS` and VM `vm-spokeHH-SSS`
//! (see [`hub_name`], [`spoke_name`], [`spoke_nic`], [`spoke_vm`]). Circuit `c` is `circuit-CC`
//! at peering location `location-CC`, served by on-premises router `dc-CC`.

use std::fmt::Write as _;

/// The most hubs an estate can have (one /14 of 10.0.0.0/8 each).
pub const MAX_HUBS: usize = 64;
/// The most spokes a hub can have: Azure's peerings per VNet (R43, Part K).
pub const MAX_SPOKES_PER_HUB: usize = crate::limits::PEERINGS_PER_VNET;
/// Bandwidth of every generated circuit: 10 Gbps, so a Premium circuit takes 100 VNet links (R63).
pub const CIRCUIT_BANDWIDTH_MBPS: u64 = 10_000;
/// Distinct /24s available for routers' own prefixes (172.16.0.0/12 then 100.64.0.0/10).
pub const OWN_PREFIX_POOL: usize = 4_096 + 16_384;
/// /24s available for the prefixes every router advertises (192.168.0.0/16).
pub const SHARED_PREFIX_POOL: usize = 256;
/// The gateway SKU of every hub: ErGw3AZ learns 9,500 routes and takes 16 circuits (R53, R62).
pub const GATEWAY_SKU: crate::model::GatewaySku = crate::model::GatewaySku::ErGw3AZ;
/// The prefix each generated route table sends to the Internet.
pub const UDR_PREFIX: &str = "203.0.113.0/24";

/// The size and shape of a synthetic estate. Every field is public; start from
/// [`SynthParams::default`] and override what matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthParams {
    /// Hubs, one per region (`region-00`, `region-01`, …), each with an ExpressRoute gateway.
    /// At most [`MAX_HUBS`].
    pub hubs: usize,
    /// Spokes per hub, each peered with its hub and using its gateway (`transit_via`). At most
    /// [`MAX_SPOKES_PER_HUB`].
    pub spokes_per_hub: usize,
    /// Premium circuits (10 Gbps, 100 VNet links each). Raised automatically to
    /// [`circuit_count`] when the hubs' connections would not fit (each hub takes at most two
    /// links, so at least `ceil(2 * hubs / 100)` circuits, and at least one).
    pub circuits: usize,
    /// Prefixes each on-premises router advertises (one router per circuit). At most 10,000,
    /// the Premium private-peering limit (R52).
    pub onprem_prefixes: usize,
    /// How many of each router's `onprem_prefixes` are the same for every router (the corporate
    /// ranges reachable over every circuit), so that routing weights and ECMP decide between a
    /// hub's two circuits (D9). Capped at `onprem_prefixes`; at most [`SHARED_PREFIX_POOL`].
    pub shared_prefixes: usize,
    /// `allow_remote_vnet_traffic` of every gateway. Off by default (as in Azure, D4): with it on,
    /// each gateway also learns every other hub's and spoke's space from every circuit it shares
    /// with that hub — about `hubs sharing a circuit × (spokes_per_hub + 1)` more routes — which
    /// at estate scale exceeds what a gateway holds (9,500, R53). [`max_learned_routes`] says how
    /// many a choice gives.
    pub allow_remote_vnet_traffic: bool,
    /// Spoke `s` gets a route table (one user route: [`UDR_PREFIX`] → Internet) when
    /// `s % route_table_every == 0`; 0 means no route tables.
    pub route_table_every: usize,
    /// Picks each hub's circuits (always one, a second one half of the time) and the routing
    /// weights of its connections. Nothing else depends on it.
    pub seed: u64,
}

impl Default for SynthParams {
    /// A small estate: 4 hubs × 10 spokes (44 VNets), 2 circuits, 10 prefixes per router of
    /// which 4 are shared, a route table on every 10th spoke, seed 0.
    fn default() -> SynthParams {
        SynthParams {
            hubs: 4,
            spokes_per_hub: 10,
            circuits: 2,
            onprem_prefixes: 10,
            shared_prefixes: 4,
            allow_remote_vnet_traffic: false,
            route_table_every: 10,
            seed: 0,
        }
    }
}

impl SynthParams {
    /// The number of VNets the estate has.
    pub fn vnet_count(&self) -> usize {
        self.hubs * (self.spokes_per_hub + 1)
    }
}

/// Name of hub `h`.
pub fn hub_name(h: usize) -> String {
    format!("hub{h:02}")
}

/// Name of spoke `s` of hub `h`.
pub fn spoke_name(h: usize, s: usize) -> String {
    format!("spoke{h:02}-{s:03}")
}

/// Name of the NIC of spoke `s` of hub `h` (in its subnet `default`).
pub fn spoke_nic(h: usize, s: usize) -> String {
    format!("nic-{}", spoke_name(h, s))
}

/// VM label of the NIC of spoke `s` of hub `h`.
pub fn spoke_vm(h: usize, s: usize) -> String {
    format!("vm-{}", spoke_name(h, s))
}

/// Name of circuit `c`.
pub fn circuit_name(c: usize) -> String {
    format!("circuit-{c:02}")
}

/// Name of the on-premises router on circuit `c`.
pub fn onprem_name(c: usize) -> String {
    format!("dc-{c:02}")
}

/// The number of circuits the estate has: `p.circuits`, raised so that every circuit links at
/// most 100 VNets (R63) even if every hub took two circuits.
pub fn circuit_count(p: &SynthParams) -> usize {
    let links = crate::limits::vnet_links_per_circuit(crate::model::CircuitSku::Premium, Some(CIRCUIT_BANDWIDTH_MBPS));
    p.circuits.max((2 * p.hubs).div_ceil(links)).max(1)
}

/// The prefixes on-premises router `c` advertises, in the order written.
pub fn onprem_advertise(p: &SynthParams, c: usize) -> Vec<String> {
    let shared = p.shared_prefixes.min(p.onprem_prefixes);
    let own = p.onprem_prefixes - shared;
    let mut out: Vec<String> = (0..shared).map(|k| format!("192.168.{k}.0/24")).collect();
    out.extend((c * own..(c + 1) * own).map(own_prefix));
    out
}

/// The `g`-th /24 of the routers' own pool: 172.16.0.0/12, then 100.64.0.0/10.
fn own_prefix(g: usize) -> String {
    if g < 4_096 {
        format!("172.{}.{}.0/24", 16 + g / 256, g % 256)
    } else {
        let g = g - 4_096;
        format!("100.{}.{}.0/24", 64 + g / 256, g % 256)
    }
}

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Each hub's connections: (circuit, routing weight), primary first.
fn plan(p: &SynthParams) -> Vec<Vec<(usize, u32)>> {
    let c = circuit_count(p);
    let cap = crate::limits::vnet_links_per_circuit(crate::model::CircuitSku::Premium, Some(CIRCUIT_BANDWIDTH_MBPS));
    let mut rng = SplitMix64(p.seed);
    let offset = rng.below(c);
    let mut load = vec![0usize; c];
    (0..p.hubs)
        .map(|h| {
            // Primaries round-robin (every circuit is used once there are as many hubs): at most
            // ceil(hubs / c) <= 50 links each, so the second circuits always find room below.
            let primary = (h + offset) % c;
            load[primary] += 1;
            let mut conns = vec![(primary, 10 * rng.below(3) as u32)];
            if c > 1 && rng.next() & 1 == 1 {
                let mut second = (primary + 1 + rng.below(c - 1)) % c;
                while second == primary || load[second] >= cap {
                    second = (second + 1) % c;
                }
                load[second] += 1;
                conns.push((second, 10 * rng.below(3) as u32));
            }
            conns
        })
        .collect()
}

/// The most routes any gateway of the estate learns from its circuits (what `check` compares
/// with the SKU's 9,500, R53): the distinct on-premises prefixes of its circuits' routers, plus,
/// with `allow_remote_vnet_traffic`, the hub and spoke spaces of every other hub sharing a
/// circuit with it (D4, R57).
pub fn max_learned_routes(p: &SynthParams) -> usize {
    let plan = plan(p);
    let shared = p.shared_prefixes.min(p.onprem_prefixes);
    let own = p.onprem_prefixes - shared;
    (0..p.hubs)
        .map(|h| {
            let mut n = shared + own * plan[h].len();
            if p.allow_remote_vnet_traffic {
                let others = (0..p.hubs)
                    .filter(|&o| o != h && plan[o].iter().any(|(c, _)| plan[h].iter().any(|(d, _)| c == d)))
                    .count();
                n += others * (p.spokes_per_hub + 1);
            }
            n
        })
        .max()
        .unwrap_or(0)
}

/// Whether `p` fits the address plan and Azure's limits; `Err` says what is too large and why.
pub fn check_params(p: &SynthParams) -> Result<(), String> {
    if p.hubs == 0 {
        return Err("at least one hub".into());
    }
    if p.hubs > MAX_HUBS {
        return Err(format!("at most {MAX_HUBS} hubs (one /14 of 10.0.0.0/8 each), not {}", p.hubs));
    }
    if p.spokes_per_hub > MAX_SPOKES_PER_HUB {
        return Err(format!(
            "at most {MAX_SPOKES_PER_HUB} spokes per hub (peerings per VNet, R43), not {}",
            p.spokes_per_hub
        ));
    }
    let limit = crate::limits::private_peering_ipv4(crate::model::CircuitSku::Premium);
    if p.onprem_prefixes > limit {
        return Err(format!("at most {limit} prefixes per router (R52), not {}", p.onprem_prefixes));
    }
    let shared = p.shared_prefixes.min(p.onprem_prefixes);
    if shared > SHARED_PREFIX_POOL {
        return Err(format!("at most {SHARED_PREFIX_POOL} shared prefixes, not {shared}"));
    }
    let circuits = circuit_count(p);
    if circuits > 500 {
        return Err(format!("at most 500 circuits, not {circuits}"));
    }
    let own = p.onprem_prefixes - shared;
    if own * circuits > OWN_PREFIX_POOL {
        return Err(format!(
            "{circuits} routers × {own} own prefixes exceed the {OWN_PREFIX_POOL} /24s of the on-premises pool"
        ));
    }
    Ok(())
}

/// The scenario TOML of the estate `p` describes (see the module documentation for its shape).
///
/// # Panics
///
/// When [`check_params`] refuses `p`: more than
/// [`MAX_HUBS`] hubs or [`MAX_SPOKES_PER_HUB`] spokes per hub, more than 10,000 prefixes per
/// router (R52), more than [`SHARED_PREFIX_POOL`] shared prefixes, more own prefixes in all than
/// [`OWN_PREFIX_POOL`], or more than 500 circuits.
pub fn generate(p: &SynthParams) -> String {
    if let Err(e) = check_params(p) {
        panic!("synth: {e}");
    }
    let circuits = circuit_count(p);
    let shared = p.shared_prefixes.min(p.onprem_prefixes);
    let plan = plan(p);

    let mut t = String::with_capacity(600 * p.vnet_count() + 30 * circuits * p.onprem_prefixes + 4096);
    // `write!` into a String cannot fail.
    let w = &mut t;
    let _ = writeln!(w, "# Synthetic hub-and-spoke estate generated by ersim::synth (do not edit by hand).");
    let _ = writeln!(
        w,
        "# hubs = {}, spokes_per_hub = {}, circuits = {} (asked {}), onprem_prefixes = {}, shared_prefixes = {},",
        p.hubs, p.spokes_per_hub, circuits, p.circuits, p.onprem_prefixes, shared
    );
    let _ = writeln!(
        w,
        "# allow_remote_vnet_traffic = {}, route_table_every = {}, seed = {}",
        p.allow_remote_vnet_traffic, p.route_table_every, p.seed
    );
    let _ = writeln!(w, "format = 1");
    let _ = writeln!(
        w,
        "name = \"Synthetic estate: {} hubs x {} spokes ({} VNets), {} circuits\"",
        p.hubs,
        p.spokes_per_hub,
        p.vnet_count(),
        circuits
    );
    let _ = writeln!(w);

    write_vnets(w, p);
    write_peerings(w, p);
    write_gateways(w, p);
    write_circuits(w, p, circuits);
    write_connections(w, &plan);
    write_nics(w, p);
    write_route_tables(w, p);
    write_expectations(w, p, &plan);
    t
}

/// VNets.
fn write_vnets(w: &mut String, p: &SynthParams) {
    let has_rt = |s: usize| p.route_table_every > 0 && s.is_multiple_of(p.route_table_every);
    for h in 0..p.hubs {
        let b = 4 * h;
        let _ = writeln!(w, "[[vnet]]\nname = \"{}\"\nregion = \"region-{h:02}\"", hub_name(h));
        let _ = writeln!(w, "address_space = [\"10.{b}.0.0/16\"]");
        let _ = writeln!(w, "  [[vnet.subnet]]\n  name = \"default\"\n  prefix = \"10.{b}.0.0/24\"");
        let _ = writeln!(w, "  [[vnet.subnet]]\n  name = \"GatewaySubnet\"\n  prefix = \"10.{b}.255.0/27\"\n");
        for s in 0..p.spokes_per_hub {
            let (x, y) = (b + 1 + s / 256, s % 256);
            let _ = writeln!(w, "[[vnet]]\nname = \"{}\"\nregion = \"region-{h:02}\"", spoke_name(h, s));
            let _ = writeln!(w, "address_space = [\"10.{x}.{y}.0/24\"]");
            let _ = write!(w, "  [[vnet.subnet]]\n  name = \"default\"\n  prefix = \"10.{x}.{y}.0/24\"\n");
            if has_rt(s) {
                let _ = writeln!(w, "  route_table = \"rt-{}\"", spoke_name(h, s));
            }
            let _ = writeln!(w);
        }
    }
}

/// Peerings (hub side allows gateway transit, spoke side uses it).
fn write_peerings(w: &mut String, p: &SynthParams) {
    for h in 0..p.hubs {
        for s in 0..p.spokes_per_hub {
            let _ = writeln!(
                w,
                "[[peering]]\nvnets = [\"{hub}\", \"{}\"]\ntransit_via = \"{hub}\"\n",
                spoke_name(h, s),
                hub = hub_name(h)
            );
        }
    }
}

/// Gateways.
fn write_gateways(w: &mut String, p: &SynthParams) {
    for h in 0..p.hubs {
        let _ = writeln!(
            w,
            "[[gateway]]\nname = \"ergw-{hub}\"\nvnet = \"{hub}\"\ntype = \"ExpressRoute\"\nsku = \"{GATEWAY_SKU}\"\nallow_remote_vnet_traffic = {}\n",
            p.allow_remote_vnet_traffic,
            hub = hub_name(h)
        );
    }
}

/// Circuits and the on-premises routers behind them.
fn write_circuits(w: &mut String, p: &SynthParams, circuits: usize) {
    for c in 0..circuits {
        let _ = writeln!(
            w,
            "[[circuit]]\nname = \"{}\"\nlocation = \"location-{c:02}\"\nsku = \"Premium\"\nbandwidth_mbps = {CIRCUIT_BANDWIDTH_MBPS}\n",
            circuit_name(c)
        );
    }
    for c in 0..circuits {
        let _ = writeln!(
            w,
            "[[onprem]]\nname = \"{}\"\nasn = {}\ncircuits = [\"{}\"]",
            onprem_name(c),
            65_001 + c,
            circuit_name(c)
        );
        let adv = onprem_advertise(p, c);
        if adv.is_empty() {
            let _ = writeln!(w, "advertise = []\n");
        } else {
            let _ = writeln!(w, "advertise = [");
            for a in adv {
                let _ = writeln!(w, "  \"{a}\",");
            }
            let _ = writeln!(w, "]\n");
        }
    }
}

/// Connections: the only section the seed changes.
fn write_connections(w: &mut String, plan: &[Vec<(usize, u32)>]) {
    for (h, conns) in plan.iter().enumerate() {
        for (circuit, weight) in conns {
            let _ = writeln!(
                w,
                "[[connection]]\nname = \"conn-{hub}-{c}\"\ngateway = \"ergw-{hub}\"\ncircuit = \"{c}\"\nrouting_weight = {weight}\n",
                hub = hub_name(h),
                c = circuit_name(*circuit)
            );
        }
    }
}

/// NICs.
fn write_nics(w: &mut String, p: &SynthParams) {
    for h in 0..p.hubs {
        let hub = hub_name(h);
        let _ = writeln!(
            w,
            "[[nic]]\nname = \"nic-{hub}\"\nvnet = \"{hub}\"\nsubnet = \"default\"\nip = \"10.{}.0.4\"\nvm = \"vm-{hub}\"\n",
            4 * h
        );
        for s in 0..p.spokes_per_hub {
            let (x, y) = (4 * h + 1 + s / 256, s % 256);
            let _ = writeln!(
                w,
                "[[nic]]\nname = \"{}\"\nvnet = \"{}\"\nsubnet = \"default\"\nip = \"10.{x}.{y}.4\"\nvm = \"{}\"\n",
                spoke_nic(h, s),
                spoke_name(h, s),
                spoke_vm(h, s)
            );
        }
    }
}

/// Route tables.
fn write_route_tables(w: &mut String, p: &SynthParams) {
    let has_rt = |s: usize| p.route_table_every > 0 && s.is_multiple_of(p.route_table_every);
    for h in 0..p.hubs {
        for s in (0..p.spokes_per_hub).filter(|s| has_rt(*s)) {
            let _ = writeln!(
                w,
                "[[route_table]]\nname = \"rt-{}\"\n  [[route_table.route]]\n  name = \"saas-direct\"\n  prefix = \"{UDR_PREFIX}\"\n  next_hop_type = \"Internet\"\n",
                spoke_name(h, s)
            );
        }
    }
}

/// A few expectations about hub 0, so `check` has something to evaluate.
fn write_expectations(w: &mut String, p: &SynthParams, plan: &[Vec<(usize, u32)>]) {
    if p.hubs > 0 && p.spokes_per_hub > 0 {
        let _ = writeln!(
            w,
            "[[expect]]\nname = \"{s} reaches its hub\"\nfrom = \"{vm}\"\nto = \"vm-{hub}\"\nreachable = true\n",
            s = spoke_name(0, 0),
            vm = spoke_vm(0, 0),
            hub = hub_name(0)
        );
        if let Some(first) = onprem_advertise(p, plan[0][0].0).first() {
            let _ = writeln!(
                w,
                "[[expect]]\nname = \"{s} learns on-premises {first} from its hub's gateway\"\nnic = \"{nic}\"\nprefix = \"{first}\"\nnext_hop_type = \"VirtualNetworkGateway\"\n",
                s = spoke_name(0, 0),
                nic = spoke_nic(0, 0)
            );
        }
    }
    if p.hubs > 0 && p.spokes_per_hub > 1 {
        let _ = writeln!(
            w,
            "[[expect]]\nname = \"peering is not transitive: {a} and {b} are isolated\"\nfrom = \"{va}\"\nto = \"{vb}\"\nreachable = false\n",
            a = spoke_name(0, 0),
            b = spoke_name(0, 1),
            va = spoke_vm(0, 0),
            vb = spoke_vm(0, 1)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Simulation;
    use crate::model::NextHopType;

    fn load(p: &SynthParams) -> crate::scenario::Loaded {
        match crate::scenario::parse("synth.toml", generate(p)) {
            Ok(l) => l,
            Err(e) => panic!("synthetic estate {p:?} is invalid: {e:?}"),
        }
    }

    fn bench_estate() -> SynthParams {
        SynthParams { hubs: 20, spokes_per_hub: 400, circuits: 4, onprem_prefixes: 1_000, ..SynthParams::default() }
    }

    #[test]
    fn large_estate_parses_without_errors_or_warnings() {
        let p = bench_estate();
        let l = load(&p);
        assert_eq!(l.model.vnets.len(), 8_020);
        assert_eq!(p.vnet_count(), 8_020);
        assert!(l.warnings.is_empty(), "warnings: {:?}", l.warnings);
        assert_eq!(l.model.circuits.len(), 4);
        assert_eq!(l.model.nics.len(), 8_020);
        assert_eq!(l.model.route_tables.len(), 20 * 40);
        assert!(max_learned_routes(&p) <= crate::limits::er_learned_routes(GATEWAY_SKU).unwrap_or(0));
    }

    #[test]
    fn same_params_same_text() {
        let p = SynthParams { seed: 42, ..bench_estate() };
        assert_eq!(generate(&p), generate(&p.clone()));
    }

    /// Everything but the `[[connection]]` blocks and the header comment naming the seed.
    fn without_connections(text: &str) -> String {
        let mut out = String::new();
        let mut in_conn = false;
        for line in text.lines() {
            if line.starts_with("[[") {
                in_conn = line == "[[connection]]";
            }
            if !in_conn && !line.starts_with('#') {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn seeds_change_only_circuit_choice_and_weights() {
        let texts: Vec<String> = (0..8).map(|seed| generate(&SynthParams { seed, ..bench_estate() })).collect();
        let base = without_connections(&texts[0]);
        for t in &texts[1..] {
            assert_eq!(without_connections(t), base);
        }
        assert!(texts.iter().any(|t| t != &texts[0]), "the seed should matter");
    }

    #[test]
    fn circuits_are_added_when_links_would_not_fit() {
        let p = SynthParams { hubs: 64, spokes_per_hub: 0, circuits: 1, ..SynthParams::default() };
        assert_eq!(circuit_count(&p), 2);
        let l = load(&p);
        assert_eq!(l.model.circuits.len(), 2);
        for ci in 0..l.model.circuits.len() {
            assert!(l.model.ix.circuit_connections[ci].len() <= 100);
        }
    }

    #[test]
    fn largest_plan_parses() {
        // 40 hubs × 400 spokes: 16,040 VNets in distinct, non-overlapping address spaces.
        let p = SynthParams { hubs: 40, spokes_per_hub: 400, route_table_every: 0, ..SynthParams::default() };
        let l = load(&p);
        assert_eq!(l.model.vnets.len(), 16_040);
        assert!(l.warnings.is_empty(), "warnings: {:?}", l.warnings);
    }

    #[test]
    fn small_estate_simulates_and_spokes_learn_onprem() {
        let p =
            SynthParams { hubs: 2, spokes_per_hub: 3, circuits: 2, onprem_prefixes: 5, seed: 7, ..Default::default() };
        let l = load(&p);
        assert!(l.warnings.is_empty(), "warnings: {:?}", l.warnings);
        let sim = Simulation::new(l.model.clone()).expect("converges");
        let nic = sim.model.nic_by_name(&spoke_nic(1, 2)).expect("nic");
        let rows = sim.nic_table(nic).rows();
        let conns = &plan(&p)[1];
        for (c, _) in conns {
            for prefix in onprem_advertise(&p, *c) {
                let prefix: ipnet::IpNet = prefix.parse().unwrap();
                assert!(
                    rows.iter().any(|r| r.prefix == prefix && r.next_hop_type == NextHopType::VirtualNetworkGateway),
                    "{} has no gateway route to {prefix}",
                    spoke_nic(1, 2)
                );
            }
        }
        let report = crate::check::check(&l).expect("check");
        assert!(report.findings.is_empty(), "findings: {:?}", report.findings);
        assert!(report.warnings.is_empty(), "warnings: {:?}", report.warnings);
        assert!(report.expectations.iter().all(|e| e.pass), "expectations: {:?}", report.expectations);
        assert_eq!(report.exit_code(), 0);
    }

    #[test]
    fn learned_routes_bound_matches_the_lint() {
        // With remote VNet traffic on, gateways sharing a circuit learn each other's spaces.
        let p = SynthParams { hubs: 6, spokes_per_hub: 4, allow_remote_vnet_traffic: true, ..Default::default() };
        let l = load(&p);
        let sim = Simulation::new(l.model).expect("converges");
        let b = &sim.bgp;
        let learned = (0..sim.model.gateways.len())
            .map(|gi| {
                b.ribs[b.gateway_speaker[gi].0 as usize]
                    .values()
                    .filter(|e| {
                        e.ins.iter().any(|c| {
                            c.via
                                .is_some_and(|v| b.sessions[v.0 as usize].kind == crate::bgp::SessionKind::ExpressRoute)
                        })
                    })
                    .count()
            })
            .max()
            .unwrap();
        assert_eq!(learned, max_learned_routes(&p));
    }
}
