//! Verified fixes for a failed `reach`: the catalogue's candidates (`forward::remedy`) tried on the
//! built model, and each one kept proven on the scenario's text; only edit sets under which the
//! flow delivers are offered.
//!
//! Candidates for the forward and the return drops are tried alone, then combined; a candidate that
//! applies but uncovers another drop is tried again with that drop's candidates.
//!
//! A candidate is tried by applying its edits to a copy of the loaded model ([`on_model`]), failing
//! the `--down` elements again, and tracing the flow in a simulation that keeps the propagation of
//! the design it was edited from unless the edit changes what propagation reads
//! ([`Simulation::reusing`]). A candidate under which the flow delivers is then verified once on the
//! text ([`Search::proven`]): its edits applied to the scenario text, the text loaded again, and the
//! loaded design compared with the one the search walked; when they differ, the loaded design is
//! simulated and walked itself. So a fix is offered only when the text the user gets delivers the
//! flow. Candidates with an edit the model does not take as validation would (see [`on_model`]) are
//! tried on the text directly, as the search did before.

mod on_model;

use std::collections::BTreeSet;

use crate::down;
use crate::forward::{self, Fix, Reach, Verdict};
use crate::model::Model;
use crate::scenario::edit::{self, Edit};
use crate::scenario::{self, Loaded};
use crate::simulation::Simulation;

/// At most this many fixes are shown.
const MAX_FIXES: usize = 4;

/// At most this many edited designs are simulated for one `reach`.
const MAX_ATTEMPTS: usize = 32;

/// The flow a fix must deliver: the names as given, and the `--down` elements (failed again in
/// every edited design).
#[derive(Clone, Copy, Debug)]
pub struct Flow<'a> {
    /// Where the packet starts.
    pub from: &'a str,
    /// Where it is going.
    pub to: &'a str,
    /// `--down` arguments.
    pub down: &'a [String],
}

/// Verified fixes for a failed reach of a flow.
///
/// `loaded` is the scenario as loaded (before `--down`), `sim` the simulation `r` was traced in
/// (with the elements down).
pub fn fixes(loaded: &Loaded, sim: &Simulation, r: &Reach, flow: Flow<'_>) -> Vec<Fix> {
    search(Search::new(loaded, sim, flow), r)
}

/// The search itself (steps 1-3).
fn search(mut search: Search<'_>, r: &Reach) -> Vec<Fix> {
    let sim = search.base;
    let per_direction = forward::remedy::per_direction(sim, r);
    // 1. Each candidate alone (the pair-wise fixes, peering and hub UDRs, cover both directions).
    let mut follow_up: Vec<Fix> = Vec::new();
    for c in per_direction.iter().flatten() {
        if let Tried::Still(next) = search.attempt(c) {
            follow_up.extend(next.iter().map(|n| and(c, n)));
        }
    }
    if search.out.is_empty() {
        // 2. Every change needed: one candidate from each direction together, then all of one
        // direction's candidates together (one per ECMP branch), then everything.
        if let [forward, back] = per_direction.as_slice() {
            for a in forward {
                for b in back {
                    search.attempt(&and(a, b));
                }
            }
        }
        let mut all: Vec<Fix> = Vec::new();
        for dir in &per_direction {
            if dir.len() > 1 {
                let c = combined(dir);
                search.attempt(&c);
                all.push(c);
            } else {
                all.extend(dir.iter().cloned());
            }
        }
        if all.len() > 1 {
            search.attempt(&combined(&all));
        }
    }
    if search.out.is_empty() {
        // 3. A change that uncovers the next drop (ip_forwarding on, then the NVA subnet's loop):
        // with the fix for that drop too.
        for c in &follow_up {
            search.attempt(c);
        }
    }
    search.out
}

fn union(a: &[Edit], b: &[Edit]) -> Vec<Edit> {
    let mut v = a.to_vec();
    for e in b {
        if !v.contains(e) {
            v.push(e.clone());
        }
    }
    v
}

/// Two fixes together.
fn and(a: &Fix, b: &Fix) -> Fix {
    Fix { remedies: a.remedies.iter().chain(&b.remedies).cloned().collect(), edits: union(&a.edits, &b.edits) }
}

/// All of them together.
fn combined(fs: &[Fix]) -> Fix {
    fs.iter().fold(Fix { remedies: Vec::new(), edits: Vec::new() }, |acc, f| and(&acc, f))
}

/// How an attempted edit set did.
enum Tried {
    /// It delivers (and was kept), or was tried before, or does not apply.
    Done,
    /// It applies but the flow still drops: the candidates for the new drops.
    Still(Vec<Fix>),
}

struct Search<'a> {
    loaded: &'a Loaded,
    /// The simulation of the loaded design with the elements down (its propagation is reused).
    base: &'a Simulation,
    flow: Flow<'a>,
    tried: BTreeSet<Vec<Edit>>,
    out: Vec<Fix>,
    attempts: usize,
    /// Whether candidates are tried on the model (else on the text, as the search did before; the
    /// tests compare the two).
    on_model: bool,
}

/// Whether a trace delivers: both ways, or one way for a public destination, whose return path is
/// not modelled.
fn delivers(r: &Reach) -> bool {
    matches!(r.verdict, Verdict::Delivered | Verdict::OneWay)
}

impl<'a> Search<'a> {
    fn new(loaded: &'a Loaded, base: &'a Simulation, flow: Flow<'a>) -> Search<'a> {
        Search { loaded, base, flow, tried: BTreeSet::new(), out: Vec::new(), attempts: 0, on_model: true }
    }

    /// Apply the edits, re-simulate, and keep them when the flow then delivers and the edited text
    /// proves it.
    fn attempt(&mut self, fix: &Fix) -> Tried {
        if self.out.len() >= MAX_FIXES || fix.edits.is_empty() || self.attempts >= MAX_ATTEMPTS {
            return Tried::Done;
        }
        let mut key = fix.edits.clone();
        key.sort();
        if !self.tried.insert(key) {
            return Tried::Done;
        }
        self.attempts += 1;
        let edited =
            self.on_model.then(|| on_model::apply(&self.loaded.model, &self.loaded.source.text, &fix.edits)).flatten();
        #[cfg(debug_assertions)]
        if let Some(m) = &edited {
            self.audit(&fix.edits, m);
        }
        let on_model = edited.is_some();
        let found = edited.or_else(|| self.text_design(&fix.edits)).and_then(|m| self.walk(self.down(m)?));
        let Some((sim, r)) = found else { return Tried::Done };
        if delivers(&r) {
            // Found on the text, a fix is proven already; found on the model, the text proves it
            // (the design walked is kept for that, not its propagation).
            if !on_model || self.proven(fix, &sim.into_model()) {
                self.out.push(fix.clone());
            }
            return Tried::Done;
        }
        Tried::Still(forward::remedy::per_direction(&sim, &r).into_iter().flatten().collect())
    }

    /// Whether the text the fix's edits make delivers the flow: loaded again, its design (with the
    /// elements down) is `walked`, the design the search walked, or, when it is not, walked itself.
    fn proven(&self, fix: &Fix, walked: &Model) -> bool {
        let Some(mut model) = self.text_design(&fix.edits).and_then(|m| self.down(m)) else { return false };
        model.clear_spans();
        model == *walked || self.walk(model).is_some_and(|(_, r)| delivers(&r))
    }

    /// Debug builds check every edit the model takes against what validation makes of the edited
    /// text (the tests' designs exercise every edit of the catalogue this way): a difference is a
    /// bug of [`on_model`], which the proof on the text only hides.
    #[cfg(debug_assertions)]
    fn audit(&self, edits: &[Edit], edited: &Model) {
        let Some(mut text) = self.text_design(edits) else {
            let original = scenario::parse(&self.loaded.source.name, self.loaded.source.text.clone());
            assert!(original.is_err(), "the model takes {edits:#?}\nbut the edited text does not load");
            return;
        };
        text.clear_spans();
        let m = edited;
        let differ: Vec<&str> = [
            ("vnets", text.vnets == m.vnets),
            ("subnets", text.subnets == m.subnets),
            ("nics", text.nics == m.nics),
            ("peerings", text.peerings == m.peerings),
            ("route tables", text.route_tables == m.route_tables),
            ("firewalls", text.firewalls == m.firewalls),
            ("gateways", text.gateways == m.gateways),
            ("route servers", text.route_servers == m.route_servers),
            ("expectations", text.expects == m.expects),
            ("the rest", text == *m),
        ]
        .into_iter()
        .filter_map(|(what, same)| (!same).then_some(what))
        .collect();
        assert!(differ.is_empty(), "the model edit of {edits:#?}\ndiffers from the edited text in {differ:?}");
    }

    /// The design of the scenario text with the edits applied (`None` when they do not apply or
    /// the text does not load).
    fn text_design(&self, edits: &[Edit]) -> Option<Model> {
        let (m, text) = (&self.loaded.model, &self.loaded.source.text);
        let text = edit::apply_with(text, edits, &|kind, name| header(m, kind, name)).ok()?;
        Some(scenario::parse(&self.loaded.source.name, text).ok()?.model)
    }

    /// A design with the `--down` elements failed again (`None` when one is not there).
    fn down(&self, model: Model) -> Option<Model> {
        let failures = down::resolve_all(&model, self.flow.down).ok()?;
        Some(if failures.is_empty() { model } else { down::without(&model, &failures).model })
    }

    /// `reach` in a design with the elements down (`None` when propagation does not converge or
    /// the endpoints are not there).
    fn walk(&self, model: Model) -> Option<(Simulation, Reach)> {
        let sim = Simulation::reusing(model, self.base).ok()?;
        let fe = crate::resolve::resolve(&sim.model, self.flow.from).ok()?;
        let te = crate::resolve::resolve(&sim.model, self.flow.to).ok()?;
        let (fh, th) = forward::hosts(&sim, &fe, &te).ok()?;
        let r = forward::reach_hosts(&sim, &fh, &th);
        Some((sim, r))
    }
}

/// Where the loaded text holds the header of a block, as [`edit::Headers`] asks (the model keeps
/// each block's span), so the text edits of a fix need no parse of the whole text.
fn header(m: &Model, kind: &str, name: &str) -> Option<usize> {
    let span = |s: &crate::model::Span| Some(s.start);
    let named = |n: &str| name == n;
    match kind {
        "vnet" => span(&m.vnets[m.vnet_by_name(name)?.idx()].span),
        "vnet.subnet" => span(&m.subnets[m.subnet_by_path(name)?.idx()].span),
        "nic" => span(&m.nics.iter().find(|x| named(&x.name))?.span),
        "gateway" => span(&m.gateways.iter().find(|x| named(&x.name))?.span),
        "route_server" => span(&m.route_servers.iter().find(|x| named(&x.name))?.span),
        "route_table" => span(&m.route_tables.iter().find(|x| named(&x.name))?.span),
        "route_table.route" => {
            let (table, route) = name.split_once('/')?;
            let t = m.route_tables.iter().find(|x| x.name == table)?;
            span(&t.routes.iter().find(|x| x.name == route)?.span)
        }
        "peering" => {
            let (from, to) = name.split_once('→')?;
            let (f, t) = (m.vnet_by_name(from)?, m.vnet_by_name(to)?);
            span(&m.peerings.iter().find(|p| p.from == f && p.to == t)?.span)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::edit::BlockKind;

    const SEED: &str = include_str!("../../../scenarios/seed-multi-hub-expressroute.toml");

    /// A scenario as `reach` loads it.
    fn loaded(name: &str, text: &str) -> Loaded {
        scenario::parse_with(name, text.to_string(), scenario::Expectations::Warnings).expect("valid")
    }

    fn peer_spokes(extra: &str) -> Fix {
        let toml = format!("[[peering]]\nvnets = [\"spoke10\", \"spoke20\"]\n{extra}");
        Fix { remedies: Vec::new(), edits: vec![Edit::AddBlock { kind: BlockKind::Peering, toml }] }
    }

    #[test]
    fn a_fix_found_on_the_model_is_offered_only_when_its_edited_text_delivers() {
        let l = loaded("seed", SEED);
        let base = Simulation::new(l.model.clone()).expect("converges");
        let s = Search::new(&l, &base, Flow { from: "spoke10", to: "spoke20", down: &[] });
        let good = peer_spokes("");
        let edited = on_model::apply(&l.model, &l.source.text, &good.edits).expect("the model takes a peering");
        let (sim, r) = s.walk(edited.clone()).expect("walks");
        assert!(delivers(&r));
        // The edited text loads to the design the search walked: proven.
        assert!(s.proven(&good, &sim.model));
        // The text says otherwise than the design walked (the new peering without access), and its
        // own design drops the flow: not offered, though the model delivered.
        assert!(!s.proven(&peer_spokes("allow_virtual_network_access = false\n"), &sim.model));
        // The edited text does not load: not offered.
        assert!(!s.proven(&peer_spokes("allow_virtual_network_access = \"yes\"\n"), &sim.model));
        // The design walked is not the text's, but the text's delivers when walked itself: offered.
        let mut other = edited;
        other.name = Some("not the text's".into());
        let (sim, _) = s.walk(other).expect("walks");
        assert!(s.proven(&good, &sim.model));
    }

    /// Endpoints of a scenario: its NICs, VNets and on-premises routers.
    fn endpoints(m: &Model) -> Vec<String> {
        let nics = m.nics.iter().map(|n| format!("nic:{}", n.name));
        let vnets = m.vnets.iter().map(|v| format!("vnet:{}", v.name));
        nics.chain(vnets).chain(m.onprems.iter().map(|o| format!("onprem:{}", o.name))).collect()
    }

    #[test]
    fn the_search_on_the_model_offers_the_fixes_the_search_on_the_text_offers() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<_> = std::fs::read_dir(root.join("scenarios"))
            .expect("scenarios/")
            .chain(std::fs::read_dir(root.join("src/app/templates")).expect("templates"))
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        let mut searched = 0;
        for p in paths {
            let l = loaded(&p.display().to_string(), &std::fs::read_to_string(&p).expect("readable"));
            let base = Simulation::new(l.model.clone()).expect("converges");
            let ends = endpoints(&l.model);
            for (from, to) in ends.iter().flat_map(|a| ends.iter().map(move |b| (a, b))).filter(|(a, b)| a != b) {
                let flow = Flow { from, to, down: &[] };
                let Some((_, r)) = Search::new(&l, &base, flow).walk(l.model.clone()) else { continue };
                if r.verdict != Verdict::NotDelivered {
                    continue;
                }
                let on_model = search(Search::new(&l, &base, flow), &r);
                let on_text = search(Search { on_model: false, ..Search::new(&l, &base, flow) }, &r);
                assert_eq!(on_model, on_text, "{} {from} → {to}", p.display());
                searched += usize::from(!on_model.is_empty());
            }
        }
        assert!(searched > 100, "{searched} drops with fixes");
    }
}
