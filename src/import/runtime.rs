//! What Azure computed, read from the az CLI's runtime outputs: a NIC's effective routes
//! (`az network nic show-effective-route-table`), a gateway's learned routes
//! (`az network vnet-gateway list-learned-routes`), a circuit's MSEE route table
//! (`az network express-route list-route-tables`) and a Route Server peering's learned routes
//! (`az network routeserver peering list-learned-routes`, keyed by instance).
//!
//! `import` uses them for what configuration alone cannot give (on-premises and NVA routes, MSEE
//! next hops); `compare` holds ersim's prediction against the first two.

use std::net::IpAddr;

use super::json::{Node, Problems};

/// One entry of a NIC's effective routes, as az prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveEntry {
    /// `source` (Default, User, VirtualNetworkGateway, Unknown).
    pub source: String,
    /// `state` (Active, Invalid).
    pub state: String,
    /// `addressPrefix`: one prefix, several (service endpoints), or service-tag names.
    pub prefixes: Vec<String>,
    /// `nextHopType`, as written (casing varies).
    pub next_hop_type: String,
    /// `nextHopIpAddress` (several: ECMP).
    pub next_hops: Vec<String>,
    /// `name`: the user route's name, if any.
    pub name: Option<String>,
    /// `destinationServiceTags`, when present.
    pub service_tags: Vec<String>,
    /// Its JSON path, for messages.
    pub path: String,
}

/// One route of a gateway's (or a route server peering's) learned routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnedRoute {
    /// `localAddress`: the instance that learned it.
    pub local_address: Option<String>,
    /// `network`.
    pub network: String,
    /// `nextHop` (null or empty: none).
    pub next_hop: Option<String>,
    /// `sourcePeer`.
    pub source_peer: Option<String>,
    /// `origin` (Network, EBgp, IBgp).
    pub origin: String,
    /// `asPath` as ASNs, nearest first (`"12076-65001"` → [12076, 65001]).
    pub as_path: Vec<u32>,
    /// `weight`.
    pub weight: Option<u64>,
}

/// One route of a circuit's MSEE route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MseeRoute {
    /// `network`.
    pub network: String,
    /// `nextHop`.
    pub next_hop: Option<String>,
    /// `path` as ASNs, nearest first.
    pub path: Vec<u32>,
}

/// What a runtime file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeDoc {
    /// A NIC's effective routes.
    Effective(Vec<EffectiveEntry>),
    /// A gateway's learned routes.
    Learned(Vec<LearnedRoute>),
    /// A circuit's MSEE route table.
    MseeTable(Vec<MseeRoute>),
    /// A Route Server peering's learned routes (every instance's, in one list).
    RouteServerLearned(Vec<LearnedRoute>),
}

/// Parse an AS path as Azure writes it: `"12076-65001"`, `"65001 65002"`, `"65001,65002"`, or empty.
pub fn parse_as_path(s: &str) -> Option<Vec<u32>> {
    s.split(['-', ' ', ','])
        .filter(|x| !x.is_empty())
        .map(|x| x.trim_matches(|c| c == '{' || c == '}' || c == '(' || c == ')').parse::<u32>().ok())
        .collect()
}

/// The file's NIC or gateway name from its file name: `nic-spoke10.json` → `nic-spoke10`,
/// `ergw-hub00.learned.json` → `ergw-hub00`, `circuit01.routetable.primary.json` → `circuit01`.
pub fn subject_of(file: &str) -> String {
    let base = std::path::Path::new(file).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = base.strip_suffix(".json").unwrap_or(&base);
    for suffix in [
        ".learned",
        ".routetable.primary",
        ".routetable.secondary",
        ".routetable",
        ".rs-learned",
        ".effective",
        ".routes",
    ] {
        if let Some(s) = stem.strip_suffix(suffix) {
            return s.to_string();
        }
    }
    stem.to_string()
}

/// Whether an object looks like one entry of a runtime output, and which: `None` when it is not one.
fn entry_kind(n: &Node<'_>) -> Option<&'static str> {
    let has = |k: &str| n.v.get(k).is_some();
    if has("nextHopType") && has("addressPrefix") {
        Some("effective")
    } else if has("network") && (has("asPath") || has("origin") || has("sourcePeer")) {
        Some("learned")
    } else if has("network") && (has("path") || has("locPrf")) {
        Some("msee")
    } else {
        None
    }
}

/// Recognise a runtime output: `{"value": [...]}` of route entries, or an object keyed by Route
/// Server instance. `None` when the document is something else (resources). An empty `value`
/// list is read by the file name's suffix (`.learned.json`, `.routetable*.json`, else effective routes).
pub fn recognise(file: &str, root: &Node<'_>, p: &mut Problems) -> Option<RuntimeDoc> {
    let obj = root.v.as_object()?;
    if obj.get("value").is_some_and(serde_json::Value::is_array) {
        let values = Node { v: &root.v["value"], file: root.file, path: "$.value".into() }.elements();
        let kind = match values.first() {
            Some(first) => entry_kind(first)?,
            None if obj.contains_key("id") || obj.contains_key("data") => return None,
            None => {
                let stem = std::path::Path::new(file)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if stem.ends_with(".learned.json") {
                    "learned"
                } else if stem.contains(".routetable") {
                    "msee"
                } else {
                    "effective"
                }
            }
        };
        return Some(match kind {
            "effective" => RuntimeDoc::Effective(values.iter().filter_map(|e| effective(e, p)).collect()),
            "learned" => RuntimeDoc::Learned(values.iter().filter_map(|e| learned(e, p)).collect()),
            _ => RuntimeDoc::MseeTable(values.iter().filter_map(|e| msee(e, p)).collect()),
        });
    }
    // `az network routeserver peering list-learned-routes`: {"RouteServiceRole_IN_0": [...], ...}
    if !obj.is_empty() && obj.iter().all(|(k, v)| k.starts_with("RouteServiceRole") && v.is_array()) {
        let mut keys: Vec<&String> = obj.keys().collect();
        keys.sort();
        let mut routes = Vec::new();
        for k in keys {
            let list = Node { v: &root.v[k.as_str()], file: root.file, path: format!("$.{k}") };
            routes.extend(list.elements().iter().filter_map(|e| learned(e, p)));
        }
        return Some(RuntimeDoc::RouteServerLearned(routes));
    }
    None
}

fn strings_or_one(n: &Node<'_>, p: &mut Problems, key: &str) -> Vec<String> {
    match n.get(key) {
        Some(v) if v.v.is_string() => vec![v.v.as_str().unwrap_or_default().to_string()],
        Some(_) => n.strings(p, key).into_iter().map(str::to_string).collect(),
        None => Vec::new(),
    }
}

fn effective(n: &Node<'_>, p: &mut Problems) -> Option<EffectiveEntry> {
    if !n.v.is_object() {
        p.error(n, "an effective route must be an object");
        return None;
    }
    let errors = p.errors.len();
    let e = EffectiveEntry {
        source: n.str(p, "source").unwrap_or_default().to_string(),
        state: n.str(p, "state").unwrap_or("Active").to_string(),
        prefixes: strings_or_one(n, p, "addressPrefix"),
        next_hop_type: n.str(p, "nextHopType").unwrap_or_default().to_string(),
        next_hops: strings_or_one(n, p, "nextHopIpAddress"),
        name: n.str(p, "name").map(str::to_string),
        service_tags: strings_or_one(n, p, "destinationServiceTags"),
        path: n.path.clone(),
    };
    if e.next_hop_type.is_empty() {
        p.error(n, "nextHopType is missing");
    }
    (p.errors.len() == errors).then_some(e)
}

fn learned(n: &Node<'_>, p: &mut Problems) -> Option<LearnedRoute> {
    if !n.v.is_object() {
        p.error(n, "a learned route must be an object");
        return None;
    }
    let errors = p.errors.len();
    let Some(network) = n.str(p, "network") else {
        if p.errors.len() == errors {
            p.error(n, "network is missing");
        }
        return None;
    };
    let path_text = n.str(p, "asPath").unwrap_or_default();
    let as_path = parse_as_path(path_text);
    if as_path.is_none() {
        p.error(n, format!("asPath is not an AS path: \"{path_text}\""));
    }
    let r = LearnedRoute {
        local_address: n.str(p, "localAddress").map(str::to_string),
        network: network.to_string(),
        next_hop: n.str(p, "nextHop").filter(|s| !s.is_empty()).map(str::to_string),
        source_peer: n.str(p, "sourcePeer").map(str::to_string),
        origin: n.str(p, "origin").unwrap_or_default().to_string(),
        as_path: as_path.unwrap_or_default(),
        weight: n.uint(p, "weight"),
    };
    (p.errors.len() == errors).then_some(r)
}

fn msee(n: &Node<'_>, p: &mut Problems) -> Option<MseeRoute> {
    if !n.v.is_object() {
        p.error(n, "a route must be an object");
        return None;
    }
    let errors = p.errors.len();
    let network = n.str(p, "network")?.to_string();
    let path_text = n.str(p, "path").unwrap_or_default();
    let path = parse_as_path(path_text);
    if path.is_none() {
        p.error(n, format!("path is not an AS path: \"{path_text}\""));
    }
    let r = MseeRoute {
        network,
        next_hop: n.str(p, "nextHop").filter(|s| !s.is_empty()).map(str::to_string),
        path: path.unwrap_or_default(),
    };
    (p.errors.len() == errors).then_some(r)
}

/// An address as text, parsed; `None` for anything else.
pub fn addr(s: &str) -> Option<IpAddr> {
    s.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_paths_and_subjects() {
        assert_eq!(parse_as_path("12076-65001"), Some(vec![12076, 65001]));
        assert_eq!(parse_as_path("65001 65001 65020"), Some(vec![65001, 65001, 65020]));
        assert_eq!(parse_as_path(""), Some(vec![]));
        assert_eq!(parse_as_path("65001-x"), None);
        assert_eq!(subject_of("dir/nic-spoke10.json"), "nic-spoke10");
        assert_eq!(subject_of("ergw-hub00.learned.json"), "ergw-hub00");
        assert_eq!(subject_of("circuit01.routetable.primary.json"), "circuit01");
    }
}
