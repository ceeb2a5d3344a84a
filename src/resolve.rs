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

/// What name resolution reads: the names of everything `reach` and `[[expect]]` can name, by id.
///
/// Built from a [`Model`] ([`Directory::of`]), or by validation before the model exists: an item
/// whose own references did not resolve still has a name, so naming it is not a second error.
#[derive(Clone, Debug, Default)]
pub struct Directory<'a> {
    /// Each NIC's name, VM label and whether it is its VM's primary NIC, by [`NicId`].
    pub nics: Vec<(&'a str, Option<&'a str>, bool)>,
    /// VNet names, by [`VnetId`].
    pub vnets: Vec<&'a str>,
    /// Each subnet's VNet and name, by [`SubnetId`].
    pub subnets: Vec<(VnetId, &'a str)>,
    /// On-premises router names, by [`OnpremId`].
    pub onprems: Vec<&'a str>,
    /// Firewall names, by [`FirewallId`].
    pub firewalls: Vec<&'a str>,
    /// Load balancer names, by [`LoadBalancerId`].
    pub load_balancers: Vec<&'a str>,
}

fn position(names: &[&str], name: &str) -> Option<u32> {
    names.iter().position(|n| *n == name).map(|i| i as u32)
}

impl<'a> Directory<'a> {
    /// The names of a model.
    pub fn of(m: &'a Model) -> Directory<'a> {
        Directory {
            nics: m.nics.iter().map(|n| (n.name.as_str(), n.vm.as_deref(), n.primary)).collect(),
            vnets: m.vnets.iter().map(|v| v.name.as_str()).collect(),
            subnets: m.subnets.iter().map(|s| (s.vnet, s.name.as_str())).collect(),
            onprems: m.onprems.iter().map(|o| o.name.as_str()).collect(),
            firewalls: m.firewalls.iter().map(|f| f.name.as_str()).collect(),
            load_balancers: m.load_balancers.iter().map(|l| l.name.as_str()).collect(),
        }
    }

    /// The NIC with this name.
    pub fn nic_by_name(&self, name: &str) -> Option<NicId> {
        self.nics.iter().position(|n| n.0 == name).map(|i| NicId(i as u32))
    }

    /// The NIC `reach` uses for a VM label: the one marked primary, else the first by name.
    pub fn vm_nic(&self, vm: &str) -> Option<NicId> {
        let mut nics: Vec<NicId> =
            (0..self.nics.len() as u32).map(NicId).filter(|n| self.nics[n.idx()].1 == Some(vm)).collect();
        nics.sort_by(|a, b| {
            let (na, nb) = (&self.nics[a.idx()], &self.nics[b.idx()]);
            (!na.2, na.0).cmp(&(!nb.2, nb.0))
        });
        nics.first().copied()
    }

    /// The subnet at `vnet/subnet`.
    pub fn subnet_by_path(&self, path: &str) -> Option<SubnetId> {
        let (v, s) = path.split_once('/')?;
        let v = VnetId(position(&self.vnets, v)?);
        self.subnets.iter().position(|(sv, n)| *sv == v && *n == s).map(|i| SubnetId(i as u32))
    }

    /// `vnet/subnet` name of a subnet.
    pub fn subnet_path(&self, s: SubnetId) -> String {
        let (v, name) = self.subnets[s.idx()];
        format!("{}/{name}", self.vnets[v.idx()])
    }

    fn candidates(&self, kind: &str, name: &str) -> Vec<Endpoint> {
        let mut out = Vec::new();
        let any = kind.is_empty();
        if any || kind == "nic" {
            out.extend(self.nic_by_name(name).map(Endpoint::Nic));
        }
        if any || kind == "vm" {
            out.extend(self.vm_nic(name).map(Endpoint::Nic));
        }
        if any || kind == "vnet" {
            out.extend(position(&self.vnets, name).map(|i| Endpoint::Vnet(VnetId(i))));
        }
        if any || kind == "subnet" {
            out.extend(self.subnet_by_path(name).map(Endpoint::Subnet));
        }
        if any || kind == "onprem" {
            out.extend(position(&self.onprems, name).map(|i| Endpoint::Onprem(OnpremId(i))));
        }
        if any || kind == "firewall" {
            out.extend(position(&self.firewalls, name).map(|i| Endpoint::Firewall(FirewallId(i))));
        }
        if any || kind == "lb" {
            out.extend(position(&self.load_balancers, name).map(|i| Endpoint::LoadBalancer(LoadBalancerId(i))));
        }
        out.dedup();
        out
    }

    /// Every name `resolve` accepts (for suggestions and shell completion).
    pub fn all_names(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        v.extend(self.nics.iter().map(|n| n.0.to_string()));
        v.extend(self.nics.iter().filter_map(|n| n.1.map(str::to_string)));
        v.extend(self.vnets.iter().map(|n| n.to_string()));
        v.extend((0..self.subnets.len()).map(|i| self.subnet_path(SubnetId(i as u32))));
        v.extend(self.onprems.iter().map(|n| n.to_string()));
        v.extend(self.firewalls.iter().map(|n| n.to_string()));
        v.extend(self.load_balancers.iter().map(|n| n.to_string()));
        v.sort();
        v.dedup();
        v
    }

    /// The kind prefix that names an endpoint unambiguously.
    pub fn kind_of(&self, e: &Endpoint, asked: &str) -> String {
        match e {
            Endpoint::Nic(n) => {
                let (name, vm, _) = self.nics[n.idx()];
                if vm == Some(asked) && name != asked { format!("vm:{asked}") } else { format!("nic:{name}") }
            }
            Endpoint::Vnet(v) => format!("vnet:{}", self.vnets[v.idx()]),
            Endpoint::Subnet(s) => format!("subnet:{}", self.subnet_path(*s)),
            Endpoint::Onprem(o) => format!("onprem:{}", self.onprems[o.idx()]),
            Endpoint::Firewall(f) => format!("firewall:{}", self.firewalls[f.idx()]),
            Endpoint::LoadBalancer(l) => format!("lb:{}", self.load_balancers[l.idx()]),
            Endpoint::Ip(ip) => ip.to_string(),
        }
    }

    /// Resolve a name (optionally `kind:`-prefixed) or an IP address.
    pub fn resolve(&self, text: &str) -> Result<Endpoint, ResolveError> {
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(Endpoint::Ip(ip));
        }
        let (kind, name) = match text.split_once(':') {
            Some((k, n)) if KINDS.contains(&k) => (k, n),
            Some((k, _))
                if !k.contains('/')
                    && !k.is_empty()
                    && k.chars().all(|c| c.is_ascii_lowercase())
                    && !self.vnets.contains(&text) =>
            {
                return Err(ResolveError::BadKind { kind: k.to_string() });
            }
            _ => ("", text),
        };
        let c = self.candidates(kind, name);
        match c.len() {
            1 => Ok(c[0]),
            0 => {
                let names = self.all_names();
                Err(ResolveError::Unknown {
                    name: text.to_string(),
                    suggestions: suggest(name, names.iter().map(String::as_str)),
                })
            }
            _ => Err(ResolveError::Ambiguous {
                name: text.to_string(),
                candidates: c.iter().map(|e| self.kind_of(e, name)).collect(),
            }),
        }
    }
}

/// The NIC `reach` uses for a VM label: the one marked primary, else the first by name.
pub fn vm_nic(m: &Model, vm: &str) -> Option<NicId> {
    Directory::of(m).vm_nic(vm)
}

/// Every name `resolve` accepts (for suggestions and shell completion).
pub fn all_names(m: &Model) -> Vec<String> {
    Directory::of(m).all_names()
}

/// The kind prefix that names an endpoint unambiguously.
pub fn kind_of(m: &Model, e: &Endpoint, asked: &str) -> String {
    Directory::of(m).kind_of(e, asked)
}

/// Resolve a name (optionally `kind:`-prefixed) or an IP address.
pub fn resolve(m: &Model, text: &str) -> Result<Endpoint, ResolveError> {
    Directory::of(m).resolve(text)
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
