//! `--from` / `--to` selectors: which VNets (and on-premises routers) a matrix covers.
//!
//! A selector is a comma list of items: a VNet name or glob (`spoke1*`, also as `vnet:spoke1*`),
//! `hub:NAME` (that hub and every VNet using its gateways, R37 and gateway transit), or
//! `onprem:NAME` (an on-premises router, by name or glob). Every item must match something;
//! all problems are reported at once, with the closest names.

use std::collections::BTreeSet;

use globset::Glob;

use super::Node;
use crate::diag::suggest;
use crate::model::*;

/// What a matrix covers.
#[derive(Clone, Debug)]
pub struct Selection {
    /// `--from` items (empty: every VNet).
    pub from: Vec<String>,
    /// `--to` items (empty: every VNet).
    pub to: Vec<String>,
    /// Add every on-premises router as a destination (`--include-onprem`).
    pub include_onprem: bool,
    /// The most verdict cells to hold ([`super::MAX_CELLS`] unless a test wants less).
    pub max_cells: usize,
}

impl Default for Selection {
    fn default() -> Self {
        Selection { from: Vec::new(), to: Vec::new(), include_onprem: false, max_cells: super::MAX_CELLS }
    }
}

/// Hubs: VNets some VNet gets its gateway routes from.
fn hubs(m: &Model) -> BTreeSet<VnetId> {
    (0..m.vnets.len() as u32).filter_map(|v| m.domain_of(VnetId(v))).collect()
}

fn matcher(pattern: &str) -> Result<globset::GlobMatcher, String> {
    Glob::new(pattern).map(|g| g.compile_matcher()).map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))
}

fn no_match(what: &str, item: &str, pattern: &str, names: Vec<&str>) -> String {
    let close = suggest(pattern, names.iter().copied());
    let mut msg = format!("no {what} matches `{item}`");
    if !close.is_empty() {
        msg.push_str(&format!(
            "; did you mean {}?",
            close.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    msg
}

/// One item's nodes, or what is wrong with it.
fn item(m: &Model, hub_set: &BTreeSet<VnetId>, raw: &str) -> Result<Vec<Node>, String> {
    let vnet_names = || m.vnets.iter().map(|v| v.name.as_str()).collect::<Vec<_>>();
    if let Some(name) = raw.strip_prefix("hub:") {
        let g = matcher(name)?;
        let wanted: Vec<VnetId> = hub_set.iter().copied().filter(|h| g.is_match(&m.vnets[h.idx()].name)).collect();
        if wanted.is_empty() {
            let hub_names: Vec<&str> = hub_set.iter().map(|h| m.vnets[h.idx()].name.as_str()).collect();
            let mut msg = no_match("hub", raw, name, hub_names.clone());
            if m.vnet_by_name(name).is_some() {
                msg = format!("`{name}` is not a hub: no VNet gets gateway routes from it");
            }
            if !hub_names.is_empty() {
                msg.push_str(&format!(" (hubs: {})", hub_names.join(", ")));
            }
            return Err(msg);
        }
        return Ok((0..m.vnets.len() as u32)
            .map(VnetId)
            .filter(|v| wanted.contains(v) || m.domain_of(*v).is_some_and(|h| wanted.contains(&h)))
            .map(Node::Vnet)
            .collect());
    }
    if let Some(name) = raw.strip_prefix("onprem:") {
        let g = matcher(name)?;
        let found: Vec<Node> = (0..m.onprems.len() as u32)
            .map(OnpremId)
            .filter(|o| g.is_match(&m.onprems[o.idx()].name))
            .map(Node::Onprem)
            .collect();
        if found.is_empty() {
            let names: Vec<&str> = m.onprems.iter().map(|o| o.name.as_str()).collect();
            let mut msg = no_match("on-premises router", raw, name, names.clone());
            if names.is_empty() {
                msg.push_str(" (the design has no [[onprem]] router)");
            } else if names.len() <= 20 {
                msg.push_str(&format!(" (routers: {})", names.join(", ")));
            }
            return Err(msg);
        }
        return Ok(found);
    }
    let name = raw.strip_prefix("vnet:").unwrap_or(raw);
    let g = matcher(name)?;
    let found: Vec<Node> =
        (0..m.vnets.len() as u32).map(VnetId).filter(|v| g.is_match(&m.vnets[v.idx()].name)).map(Node::Vnet).collect();
    if found.is_empty() {
        return Err(no_match("VNet", raw, name, vnet_names()));
    }
    Ok(found)
}

/// The nodes of one side: every VNet when no item is given.
fn side(m: &Model, items: &[String], errors: &mut Vec<String>) -> BTreeSet<Node> {
    let hub_set = hubs(m);
    let items: Vec<&str> = items.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()).collect();
    if items.is_empty() {
        return (0..m.vnets.len() as u32).map(|v| Node::Vnet(VnetId(v))).collect();
    }
    let mut out = BTreeSet::new();
    for raw in items {
        match item(m, &hub_set, raw) {
            Ok(nodes) => out.extend(nodes),
            Err(e) => errors.push(e),
        }
    }
    out
}

impl Selection {
    /// The `from` and `to` nodes, or every problem with the selectors.
    pub(super) fn resolve(&self, m: &Model) -> Result<(BTreeSet<Node>, BTreeSet<Node>), Vec<String>> {
        let mut errors = Vec::new();
        let from = side(m, &self.from, &mut errors);
        let mut to = side(m, &self.to, &mut errors);
        if self.include_onprem {
            to.extend((0..m.onprems.len() as u32).map(|o| Node::Onprem(OnpremId(o))));
        }
        if errors.is_empty() { Ok((from, to)) } else { Err(errors) }
    }
}
