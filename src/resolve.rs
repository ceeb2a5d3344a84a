//! Name resolution for the things `reach` and `[[expect]]` talk about.
//!
//! A name is looked up among NIC names, VM labels, VNet names, `vnet/subnet` paths, on-premises
//! routers, firewalls and load balancers (scenario-format.md). A name that matches things of several
//! kinds is ambiguous; a kind prefix (`nic:`, `vm:`, `vnet:`, `subnet:`, `onprem:`, `firewall:`,
//! `lb:`) settles it. An IP address is accepted too.

use std::net::IpAddr;

use crate::diag::suggest;
use crate::model::*;

/// Why a name did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// Nothing has that name; the closest names, if any.
    Unknown {
        /// What was asked for.
        name: String,
        /// Close names, best first.
        suggestions: Vec<String>,
    },
    /// Several things have that name; each candidate with its kind prefix.
    Ambiguous {
        /// What was asked for.
        name: String,
        /// `kind:name` of each candidate.
        candidates: Vec<String>,
    },
    /// An unknown kind prefix.
    BadKind {
        /// The prefix given.
        kind: String,
    },
}

impl std::error::Error for ResolveError {}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::Unknown { name, suggestions } => {
                write!(f, "nothing in the scenario is named `{name}`")?;
                if !suggestions.is_empty() {
                    let s: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
                    write!(f, "; did you mean {}?", s.join(" or "))?;
                }
                Ok(())
            }
            ResolveError::Ambiguous { name, candidates } => {
                write!(
                    f,
                    "`{name}` names several things: {}; write one of them with its kind prefix",
                    candidates.join(", ")
                )
            }
            ResolveError::BadKind { kind } => write!(
                f,
                "unknown kind prefix `{kind}:`; use one of nic:, vm:, vnet:, subnet:, onprem:, firewall:, lb:"
            ),
        }
    }
}

const KINDS: &[&str] = &["nic", "vm", "vnet", "subnet", "onprem", "firewall", "lb"];

/// The NIC `reach` uses for a VM label: the one marked primary, else the first by name.
pub fn vm_nic(m: &Model, vm: &str) -> Option<NicId> {
    let mut nics: Vec<NicId> =
        (0..m.nics.len() as u32).map(NicId).filter(|n| m.nics[n.idx()].vm.as_deref() == Some(vm)).collect();
    nics.sort_by(|a, b| {
        let (na, nb) = (&m.nics[a.idx()], &m.nics[b.idx()]);
        (!na.primary, &na.name).cmp(&(!nb.primary, &nb.name))
    });
    nics.first().copied()
}

fn candidates(m: &Model, kind: &str, name: &str) -> Vec<Endpoint> {
    let mut out = Vec::new();
    let any = kind.is_empty();
    if any || kind == "nic" {
        out.extend(m.nic_by_name(name).map(Endpoint::Nic));
    }
    if any || kind == "vm" {
        out.extend(vm_nic(m, name).map(Endpoint::Nic));
    }
    if any || kind == "vnet" {
        out.extend(m.vnet_by_name(name).map(Endpoint::Vnet));
    }
    if any || kind == "subnet" {
        out.extend(m.subnet_by_path(name).map(Endpoint::Subnet));
    }
    if any || kind == "onprem" {
        out.extend(m.onprem_by_name(name).map(Endpoint::Onprem));
    }
    if any || kind == "firewall" {
        out.extend(m.firewalls.iter().position(|f| f.name == name).map(|i| Endpoint::Firewall(FirewallId(i as u32))));
    }
    if any || kind == "lb" {
        out.extend(
            m.load_balancers
                .iter()
                .position(|f| f.name == name)
                .map(|i| Endpoint::LoadBalancer(LoadBalancerId(i as u32))),
        );
    }
    out.dedup();
    out
}

/// Every name `resolve` accepts (for suggestions and shell completion).
pub fn all_names(m: &Model) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    v.extend(m.nics.iter().map(|n| n.name.clone()));
    v.extend(m.nics.iter().filter_map(|n| n.vm.clone()));
    v.extend(m.vnets.iter().map(|n| n.name.clone()));
    v.extend((0..m.subnets.len()).map(|i| m.subnet_path(SubnetId(i as u32))));
    v.extend(m.onprems.iter().map(|n| n.name.clone()));
    v.extend(m.firewalls.iter().map(|n| n.name.clone()));
    v.extend(m.load_balancers.iter().map(|n| n.name.clone()));
    v.sort();
    v.dedup();
    v
}

/// The kind prefix that names an endpoint unambiguously.
pub fn kind_of(m: &Model, e: &Endpoint, asked: &str) -> String {
    match e {
        Endpoint::Nic(n) => {
            if m.nics[n.idx()].vm.as_deref() == Some(asked) && m.nics[n.idx()].name != asked {
                format!("vm:{asked}")
            } else {
                format!("nic:{}", m.nics[n.idx()].name)
            }
        }
        Endpoint::Vnet(v) => format!("vnet:{}", m.vnets[v.idx()].name),
        Endpoint::Subnet(s) => format!("subnet:{}", m.subnet_path(*s)),
        Endpoint::Onprem(o) => format!("onprem:{}", m.onprems[o.idx()].name),
        Endpoint::Firewall(f) => format!("firewall:{}", m.firewalls[f.idx()].name),
        Endpoint::LoadBalancer(l) => format!("lb:{}", m.load_balancers[l.idx()].name),
        Endpoint::Ip(ip) => ip.to_string(),
    }
}

/// Resolve a name (optionally `kind:`-prefixed) or an IP address.
pub fn resolve(m: &Model, text: &str) -> Result<Endpoint, ResolveError> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(Endpoint::Ip(ip));
    }
    let (kind, name) = match text.split_once(':') {
        Some((k, n)) if KINDS.contains(&k) => (k, n),
        Some((k, _))
            if !k.contains('/')
                && !k.is_empty()
                && k.chars().all(|c| c.is_ascii_lowercase())
                && !m.vnets.iter().any(|v| v.name == text) =>
        {
            return Err(ResolveError::BadKind { kind: k.to_string() });
        }
        _ => ("", text),
    };
    let c = candidates(m, kind, name);
    match c.len() {
        1 => Ok(c[0]),
        0 => {
            let names = all_names(m);
            Err(ResolveError::Unknown {
                name: text.to_string(),
                suggestions: suggest(name, names.iter().map(String::as_str)),
            })
        }
        _ => Err(ResolveError::Ambiguous {
            name: text.to_string(),
            candidates: c.iter().map(|e| kind_of(m, e, name)).collect(),
        }),
    }
}

/// Resolve a NIC name for `routes --nic` (a VM label is accepted too).
pub fn nic(m: &Model, name: &str) -> Result<NicId, ResolveError> {
    if let Some(n) = m.nic_by_name(name) {
        return Ok(n);
    }
    if let Some(n) = vm_nic(m, name) {
        return Ok(n);
    }
    let names: Vec<&str> = m.nics.iter().map(|n| n.name.as_str()).collect();
    Err(ResolveError::Unknown { name: name.to_string(), suggestions: suggest(name, names) })
}

/// Resolve `vnet/subnet` for `routes --subnet`.
pub fn subnet(m: &Model, path: &str) -> Result<SubnetId, ResolveError> {
    if let Some(s) = m.subnet_by_path(path) {
        return Ok(s);
    }
    let paths: Vec<String> = (0..m.subnets.len()).map(|i| m.subnet_path(SubnetId(i as u32))).collect();
    Err(ResolveError::Unknown { name: path.to_string(), suggestions: suggest(path, paths.iter().map(String::as_str)) })
}
