//! What configuration alone cannot give, from runtime outputs: what on-premises routers advertise
//! (an MSEE route table, a gateway's learned routes), what NVAs advertise (a Route Server peering's
//! learned routes), and the MSEE next hops of a circuit (the ExpressRoute rows of a NIC's
//! effective routes).
//!
//! A received AS path is read back to what the scenario writes: the MSEE's 12076 is dropped, the
//! router's own leading ASN (repeated: prepended toward that circuit) is its `asn` and
//! `as_path_prepend`, and the rest is the path behind it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::json::parse_prefix;
use super::plan::{NvaAdvert, Plan, Target};
use super::runtime::{LearnedRoute, RuntimeDoc, addr};
use crate::model::GatewayKind;
use crate::net::MSEE_ASN;

/// A runtime output and what it is about (from its file name).
#[derive(Clone, Debug)]
pub struct RuntimeFile {
    /// The file.
    pub file: String,
    /// The NIC, gateway or circuit it is about (`nic-spoke10.json` → `nic-spoke10`).
    pub subject: String,
    /// Its content.
    pub doc: RuntimeDoc,
}

/// An observed on-premises advertisement: the path starts with the router's ASN.
type Seen = BTreeMap<String, BTreeMap<IpNet, Vec<u32>>>;

/// A file's name without its directory (comments do not depend on where the export lies).
fn base(file: &str) -> String {
    std::path::Path::new(file).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| file.to_string())
}

fn better(a: &[u32], b: &[u32]) -> bool {
    (a.len(), a) < (b.len(), b)
}

fn observe(seen: &mut Seen, onprem: &str, prefix: IpNet, path: Vec<u32>) {
    let e = seen.entry(onprem.to_string()).or_default();
    match e.get(&prefix) {
        Some(old) if !better(&path, old) => {}
        _ => {
            e.insert(prefix, path);
        }
    }
}

impl Plan<'_> {
    /// Match a file's subject to a resource by Azure name (case-insensitive), or by the qualified
    /// `name--resourcegroup` when several share the name.
    fn by_subject<'m>(
        &self,
        subject: &str,
        cands: impl Iterator<Item = (&'m String, &'m str, &'m str)>,
    ) -> Option<String> {
        let all: Vec<(&String, &str, &str)> = cands.collect();
        let same: Vec<&(&String, &str, &str)> =
            all.iter().filter(|(_, n, _)| n.eq_ignore_ascii_case(subject)).collect();
        if same.len() == 1 {
            return Some(same[0].0.clone());
        }
        all.iter().find(|(_, n, rg)| format!("{n}--{rg}").eq_ignore_ascii_case(subject)).map(|(k, _, _)| (*k).clone())
    }

    /// Read every runtime output into the plan.
    pub fn apply_runtime(&mut self, files: &[RuntimeFile]) {
        let mut files: Vec<&RuntimeFile> = files.iter().collect();
        files.sort_by(|a, b| (&a.subject, &a.file).cmp(&(&b.subject, &b.file)));
        let mut seen: Seen = BTreeMap::new();
        for f in &files {
            match &f.doc {
                RuntimeDoc::RouteServerLearned(routes) => self.nva_routes(f, routes),
                RuntimeDoc::Learned(routes) => self.gateway_routes(f, routes, &mut seen),
                RuntimeDoc::MseeTable(routes) => self.msee_routes(f, routes, &mut seen),
                RuntimeDoc::Effective(_) => {}
            }
        }
        self.settle_onprems(seen);
        self.msee_next_hops(&files);
    }

    fn nva_routes(&mut self, f: &RuntimeFile, routes: &[LearnedRoute]) {
        let inv = self.inv;
        for r in routes {
            let Some(peer_ip) = r.source_peer.as_deref().and_then(addr) else { continue };
            let local = r.local_address.as_deref().and_then(addr);
            let found = self.peers.iter_mut().find(|(_, p)| {
                let hp = &inv.hub_peerings[p.pi];
                hp.ip == Some(peer_ip)
                    && local.is_none_or(|l| {
                        let hub = p.rs.as_str();
                        inv.hubs
                            .iter()
                            .find(|h| h.meta.id.key() == hub)
                            .is_none_or(|h| h.ips.is_empty() || h.ips.contains(&l))
                    })
            });
            let Some((_, peer)) = found else {
                self.p.warn(format!(
                    "{}: a route learned from {peer_ip}, which is no route server peer in the scenario: skipped",
                    f.file
                ));
                continue;
            };
            let Some(prefix) = parse_prefix(&r.network) else {
                self.p.warn(format!("{}: network \"{}\" is not a prefix: skipped", f.file, r.network));
                continue;
            };
            let as_path = match r.as_path.split_first() {
                Some((first, rest)) if *first == peer.asn => rest.to_vec(),
                _ => r.as_path.clone(),
            };
            let nic_ip = self.nics.get(&peer.nic).and_then(|n| n.ip);
            let next_hop = r.next_hop.as_deref().and_then(addr).filter(|nh| Some(*nh) != nic_ip);
            peer.adverts.insert(NvaAdvert { prefix, as_path, next_hop });
            peer.known = true;
        }
    }

    fn gateway_routes(&mut self, f: &RuntimeFile, routes: &[LearnedRoute], seen: &mut Seen) {
        let inv = self.inv;
        let gw = self.by_subject(
            &f.subject,
            self.gateways
                .iter()
                .map(|(k, g)| (k, inv.gateways[g.gi].meta.name.as_str(), inv.gateways[g.gi].meta.id.resource_group())),
        );
        let Some(gkey) = gw else {
            self.p.warn(format!(
                "{}: learned routes of `{}`, which is no gateway in the scenario: not used",
                f.file, f.subject
            ));
            return;
        };
        let kind = self.gateways[&gkey].kind;
        let conns: Vec<Target> = self.conns.values().filter(|c| c.gateway == gkey).map(|c| c.target.clone()).collect();
        for r in routes.iter().filter(|r| r.origin.eq_ignore_ascii_case("EBgp")) {
            let Some(prefix) = parse_prefix(&r.network) else { continue };
            match kind {
                GatewayKind::ExpressRoute => {
                    let Some((&MSEE_ASN, rest)) = r.as_path.split_first() else { continue };
                    let Some(first) = rest.first() else { continue };
                    for t in &conns {
                        let Target::Circuit(c) = t else { continue };
                        let okey = format!("onprem:circuit:{c}");
                        if self.onprems.get(&okey).is_some_and(|o| o.asn == *first) {
                            observe(seen, &okey, prefix, rest.to_vec());
                            self.onprems.get_mut(&okey).expect("checked").sources.insert(base(&f.file));
                        }
                    }
                }
                GatewayKind::Vpn => {
                    let peer = r.source_peer.as_deref().and_then(addr);
                    for t in &conns {
                        let Target::Local(l) = t else { continue };
                        let lng = &inv.local_gateways[self.lngs[l]];
                        let Some(okey) = self.lng_onprem.get(l).cloned() else { continue };
                        let asn = self.onprems[&okey].asn;
                        if lng.bgp_ip.is_some() && lng.bgp_ip == peer && r.as_path.first() == Some(&asn) {
                            observe(seen, &okey, prefix, r.as_path.clone());
                            self.onprems.get_mut(&okey).expect("present").sources.insert(base(&f.file));
                        }
                    }
                }
            }
        }
    }

    fn msee_routes(&mut self, f: &RuntimeFile, routes: &[super::runtime::MseeRoute], seen: &mut Seen) {
        let inv = self.inv;
        let c = self.by_subject(
            &f.subject,
            self.circuits.iter().filter_map(|(k, c)| {
                c.ci.map(|ci| (k, inv.circuits[ci].meta.name.as_str(), inv.circuits[ci].meta.id.resource_group()))
            }),
        );
        let Some(ckey) = c else {
            self.p.warn(format!(
                "{}: route table of `{}`, which is no circuit in the export: not used",
                f.file, f.subject
            ));
            return;
        };
        let okey = format!("onprem:circuit:{ckey}");
        let Some(asn) = self.onprems.get(&okey).map(|o| o.asn) else {
            self.p.warn(format!(
                "{}: circuit `{}` has no private peering in the export: route table not used",
                f.file, f.subject
            ));
            return;
        };
        for r in routes {
            let path: Vec<u32> = r.path.iter().copied().skip_while(|a| *a == MSEE_ASN).collect();
            if path.first() != Some(&asn) {
                continue;
            }
            let Some(prefix) = parse_prefix(&r.network) else { continue };
            observe(seen, &okey, prefix, path);
        }
        self.onprems.get_mut(&okey).expect("present").sources.insert(base(&f.file));
    }

    /// Turn observed paths into adverts and prepends: the leading run of the router's ASN is its
    /// own (one copy) plus a prepend toward that circuit (the smallest over its prefixes).
    fn settle_onprems(&mut self, seen: Seen) {
        for (okey, prefixes) in seen {
            let o = self.onprems.get_mut(&okey).expect("observed onprems exist");
            let runs: Vec<(IpNet, usize, Vec<u32>)> = prefixes
                .into_iter()
                .map(|(p, path)| {
                    let k = path.iter().take_while(|a| **a == o.asn).count();
                    (p, k, path[k..].to_vec())
                })
                .collect();
            let extra = if o.circuits.is_empty() { 0 } else { runs.iter().map(|(_, k, _)| k - 1).min().unwrap_or(0) };
            for (p, k, rest) in runs {
                let mut behind = vec![o.asn; k - 1 - extra];
                behind.extend(rest);
                o.adverts.insert(p, behind);
            }
            if extra > 0 {
                for c in &o.circuits {
                    o.prepend.insert(c.clone(), extra as u32);
                }
            }
        }
    }

    /// Addresses that are next hops of something other than a circuit: NICs, gateways, public IPs,
    /// route server peers, NVA next hops, load balancer frontends, firewalls.
    fn known_addresses(&self) -> BTreeSet<IpAddr> {
        let inv = self.inv;
        let mut k = BTreeSet::new();
        k.extend(inv.nics.iter().flat_map(|n| n.ip_configs.iter().filter_map(|c| c.ip)));
        k.extend(self.nics.values().filter_map(|n| n.ip));
        for g in &inv.gateways {
            k.extend(g.bgp_ips.iter().copied());
            k.extend(g.private_ips.iter().copied());
        }
        k.extend(inv.public_ips.iter().filter_map(|p| p.ip));
        k.extend(inv.hub_peerings.iter().filter_map(|p| p.ip));
        k.extend(self.peers.values().flat_map(|p| p.adverts.iter().filter_map(|a| a.next_hop)));
        k.extend(inv.load_balancers.iter().flat_map(|l| l.frontends.iter().filter_map(|f| f.ip)));
        k.extend(inv.firewalls.iter().filter_map(|f| f.ip.as_ref().map(|(ip, _)| *ip)));
        k
    }

    /// The circuits a gateway's route for `prefixes` comes over, by D9 as Azure chose: the
    /// connections' routing weight, then the AS path length (the router's prepend toward the
    /// circuit and the path behind it). Empty when no circuit's router advertises the prefix.
    fn winning_circuits(&self, circuits: &[(String, u64)], prefixes: &[IpNet]) -> Vec<String> {
        let mut cands: Vec<(&String, u64, usize)> = Vec::new();
        for (c, weight) in circuits {
            let Some(o) = self.onprems.get(&format!("onprem:circuit:{c}")) else { continue };
            let Some(behind) = prefixes.iter().find_map(|p| o.adverts.get(p)) else { continue };
            let len = 1 + o.prepend.get(c).copied().unwrap_or(0) as usize + behind.len();
            cands.push((c, *weight, len));
        }
        let Some(best_w) = cands.iter().map(|c| c.1).max() else { return Vec::new() };
        cands.retain(|c| c.1 == best_w);
        let best_len = cands.iter().map(|c| c.2).min().unwrap_or(0);
        cands.into_iter().filter(|c| c.2 == best_len).map(|c| c.0.clone()).collect()
    }

    /// The MSEE next hops of circuits, from the ExpressRoute rows of NICs' effective routes. A row
    /// shows the next hops of the circuit(s) its prefix won on (D9): a row tied to one circuit
    /// names that circuit's addresses; a row over several circuits gives the addresses the others
    /// do not already have, once only one of them is left unknown.
    fn msee_next_hops(&mut self, files: &[&RuntimeFile]) {
        let known = self.known_addresses();
        // (file, NIC, the circuits the row came over, its circuit-side next hops)
        let mut seen: Vec<(String, String, Vec<String>, BTreeSet<IpAddr>)> = Vec::new();
        for f in files {
            let RuntimeDoc::Effective(entries) = &f.doc else { continue };
            let nic = self.by_subject(
                &f.subject,
                self.nics.iter().filter(|(_, n)| !n.stub).map(|(k, n)| (k, n.name.as_str(), n.id.resource_group())),
            );
            let Some(nkey) = nic else {
                self.p.warn(format!(
                    "{}: effective routes of `{}`, which is no NIC in the scenario: not used",
                    f.file, f.subject
                ));
                continue;
            };
            let Some(gw) = self.er_gateway_of(&self.nics[&nkey].vnet) else { continue };
            let circuits: Vec<(String, u64)> = self
                .conns
                .values()
                .filter(|c| c.gateway == gw)
                .filter_map(|c| match &c.target {
                    Target::Circuit(k) => Some((k.clone(), c.weight)),
                    _ => None,
                })
                .collect();
            for e in entries {
                if !e.source.eq_ignore_ascii_case("VirtualNetworkGateway")
                    || !e.next_hop_type.eq_ignore_ascii_case("VirtualNetworkGateway")
                {
                    continue;
                }
                let hops: BTreeSet<IpAddr> =
                    e.next_hops.iter().filter_map(|h| addr(h)).filter(|h| !known.contains(h)).collect();
                if hops.is_empty() {
                    continue;
                }
                let over = if circuits.len() == 1 {
                    vec![circuits[0].0.clone()]
                } else {
                    let prefixes: Vec<IpNet> = e.prefixes.iter().filter_map(|p| parse_prefix(p)).collect();
                    let won = self.winning_circuits(&circuits, &prefixes);
                    if won.is_empty() { circuits.iter().map(|c| c.0.clone()).collect() } else { won }
                };
                seen.push((f.file.clone(), f.subject.clone(), over, hops));
            }
        }
        // Tie rows to circuits until nothing more can be learned.
        let mut done = vec![false; seen.len()];
        loop {
            let mut progress = false;
            for (i, (_, nic, over, hops)) in seen.iter().enumerate() {
                if done[i] {
                    continue;
                }
                let unknown: Vec<&String> = over.iter().filter(|c| self.circuits[*c].next_hops.is_empty()).collect();
                let target = match (over.len(), unknown.len()) {
                    (1, _) => Some(over[0].clone()),
                    (_, 1) => Some(unknown[0].clone()),
                    (_, 0) => {
                        done[i] = true;
                        None
                    }
                    _ => None,
                };
                let Some(c) = target else { continue };
                let others: BTreeSet<IpAddr> =
                    over.iter().filter(|o| **o != c).flat_map(|o| self.circuits[o].next_hops.iter().copied()).collect();
                let mine: BTreeSet<IpAddr> = hops.difference(&others).copied().collect();
                done[i] = true;
                if mine.is_empty() {
                    continue;
                }
                let co = self.circuits.get_mut(&c).expect("connected circuits exist");
                let before = co.next_hops.len();
                co.next_hops.extend(mine);
                co.hops_from.insert(nic.clone());
                progress |= co.next_hops.len() != before || over.len() > 1;
            }
            if !progress {
                break;
            }
        }
        let mut untied: BTreeMap<&String, usize> = BTreeMap::new();
        for (i, (file, ..)) in seen.iter().enumerate() {
            if !done[i] {
                *untied.entry(file).or_insert(0) += 1;
            }
        }
        for (file, n) in untied {
            self.p.warn(format!(
                "{file}: {n} ExpressRoute row(s) could not be tied to one circuit of the NIC's gateway: their next hops are not used"
            ));
        }
    }
}
