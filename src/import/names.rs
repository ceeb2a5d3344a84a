//! ersim names for Azure resources.
//!
//! Azure names are unique per resource group and type; ersim names are unique per kind of block and
//! may not contain `/`. A name used by one resource of a kind is kept as it is. When several
//! resources of one kind share a name (compared without regard to case), each becomes
//! `name--resourcegroup` (the resource group lower-cased); if that still collides (the same
//! resource group name in two subscriptions), `name--resourcegroup--subscription` with the first 8
//! characters of the subscription id. A name that still collides after that (a resource literally
//! called `hub--rg`) gets `-2`, `-3`, … in id order. The original ARM id is written in a comment
//! above every block, so a qualified name can always be traced back.

use std::collections::{BTreeMap, HashMap};

/// One resource to name.
#[derive(Clone, Debug)]
struct Entry {
    key: String,
    name: String,
    rg: String,
    sub: String,
}

/// Collects the resources of each kind, then names them all at once.
#[derive(Debug, Default)]
pub struct Namer {
    kinds: BTreeMap<&'static str, Vec<Entry>>,
}

/// The names given: (kind, key) → ersim name.
#[derive(Debug, Default)]
pub struct Names {
    map: HashMap<(&'static str, String), (String, bool)>,
}

/// A name as ersim accepts it: no `/`, not empty.
fn clean(name: &str) -> String {
    let s: String = name.trim().chars().map(|c| if c == '/' || c.is_control() { '-' } else { c }).collect();
    if s.is_empty() { "unnamed".to_string() } else { s }
}

impl Namer {
    /// Register a resource of `kind` under `key` (its lower-cased id, or a synthetic key), with its
    /// Azure name, resource group and subscription.
    pub fn add(&mut self, kind: &'static str, key: &str, name: &str, rg: &str, sub: &str) {
        let list = self.kinds.entry(kind).or_default();
        if !list.iter().any(|e| e.key == key) {
            list.push(Entry {
                key: key.to_string(),
                name: clean(name),
                rg: rg.to_ascii_lowercase(),
                sub: sub.to_string(),
            });
        }
    }

    /// Name everything (deterministic: entries are taken in key order).
    pub fn finish(self) -> Names {
        let mut map = HashMap::new();
        for (kind, mut list) in self.kinds {
            list.sort_by(|a, b| a.key.cmp(&b.key));
            let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, e) in list.iter().enumerate() {
                by_name.entry(e.name.to_lowercase()).or_default().push(i);
            }
            let mut chosen: Vec<(String, bool)> = list.iter().map(|e| (e.name.clone(), false)).collect();
            for idx in by_name.values().filter(|v| v.len() > 1) {
                let with_rg: Vec<String> =
                    idx.iter().map(|&i| format!("{}--{}", list[i].name, clean(&list[i].rg))).collect();
                for (j, &i) in idx.iter().enumerate() {
                    let twice = with_rg.iter().filter(|x| x.to_lowercase() == with_rg[j].to_lowercase()).count() > 1;
                    chosen[i] = if twice {
                        let sub: String = list[i].sub.chars().take(8).collect();
                        (format!("{}--{}", with_rg[j], clean(&sub)), true)
                    } else {
                        (with_rg[j].clone(), true)
                    };
                }
            }
            // Whatever still collides gets a counter, in key order.
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (i, e) in list.iter().enumerate() {
                let base = chosen[i].0.clone();
                let n = seen.entry(base.to_lowercase()).or_insert(0);
                *n += 1;
                let name = if *n == 1 { base } else { format!("{base}-{n}") };
                map.insert((kind, e.key.clone()), (name, chosen[i].1 || *n > 1));
            }
        }
        Names { map }
    }
}

impl Names {
    /// The ersim name of a registered resource.
    pub fn get(&self, kind: &'static str, key: &str) -> Option<&str> {
        self.map.get(&(kind, key.to_string())).map(|(n, _)| n.as_str())
    }

    /// The name, or `?` when the resource was never registered (a bug; the scenario then fails
    /// its self-check rather than the importer panicking).
    pub fn of(&self, kind: &'static str, key: &str) -> String {
        self.get(kind, key).unwrap_or("?").to_string()
    }

    /// Whether the name had to be qualified because another resource of the kind shares it.
    pub fn qualified(&self, kind: &'static str, key: &str) -> bool {
        self.map.get(&(kind, key.to_string())).is_some_and(|(_, q)| *q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_are_qualified_deterministically() {
        let mut n = Namer::default();
        n.add("vnet", "/subscriptions/s/resourcegroups/rg-b/x/hub", "hub", "RG-B", "s");
        n.add("vnet", "/subscriptions/s/resourcegroups/rg-a/x/hub", "Hub", "rg-a", "s");
        n.add("vnet", "/subscriptions/s/resourcegroups/rg-a/x/spoke", "spoke", "rg-a", "s");
        n.add("vnet", "/subscriptions/t/resourcegroups/rg-a/x/spoke2", "hub--rg-a", "rg-a", "t");
        let names = n.finish();
        assert_eq!(names.of("vnet", "/subscriptions/s/resourcegroups/rg-a/x/hub"), "Hub--rg-a");
        assert_eq!(names.of("vnet", "/subscriptions/s/resourcegroups/rg-b/x/hub"), "hub--rg-b");
        assert_eq!(names.of("vnet", "/subscriptions/s/resourcegroups/rg-a/x/spoke"), "spoke");
        assert_eq!(names.of("vnet", "/subscriptions/t/resourcegroups/rg-a/x/spoke2"), "hub--rg-a-2");
        assert!(names.qualified("vnet", "/subscriptions/s/resourcegroups/rg-a/x/hub"));
        assert!(!names.qualified("vnet", "/subscriptions/s/resourcegroups/rg-a/x/spoke"));
    }
}
