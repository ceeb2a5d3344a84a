//! TOML text to [`RawScenario`], key by key, reporting every problem at once.
//!
//! Stages, so errors never cascade: syntax (every TOML error `toml` would report), then shape.
//! The text is parsed as a stream ([`super::toml_doc`]): each `[[kind]]` block is read into its
//! raw form as soon as the next block of its kind starts, and its document tree is dropped, so the
//! whole document is never held. Each block is read key by key, so a wrong type or an unknown key
//! in one block hides nothing else, in that block or any other. Unknown keys are errors with a
//! "did you mean" when a known key is close (the format's `deny_unknown_fields`).

use std::ops::Range;

use super::keys::{self, BlockKeys};
use super::raw::*;
use super::toml_doc::{Table, V, Val};
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};

/// The name TOML gives a value's type, for messages.
fn type_name(v: &Val<'_>) -> &'static str {
    match v.v {
        V::Str(_) => "a string",
        V::Int => "an integer",
        V::Float => "a float",
        V::Bool(_) => "a boolean",
        V::Datetime => "a date-time",
        V::Array(_) => "an array",
        V::Table(_) | V::Taken => "a table",
    }
}

/// Reads the keys of one table against the format's list of its keys ([`keys`]).
struct Block<'a, 'i> {
    what: &'static str,
    keys: &'static BlockKeys,
    table: &'a Table<'i>,
    span: Range<usize>,
    text: &'i str,
}

impl<'a, 'i> Block<'a, 'i> {
    fn new(keys: &'static BlockKeys, table: &'a Table<'i>, span: Range<usize>, text: &'i str) -> Self {
        Block { what: keys.what, keys, table, span, text }
    }

    fn raw(&mut self, key: &'static str) -> Option<&'a Val<'i>> {
        debug_assert!(self.keys.get(key).is_some(), "`{key}` is read but not listed in {}'s keys", self.what);
        self.table.get(key)
    }

    fn type_error(&self, d: &mut Diagnostics, key: &str, v: &Val<'_>, want: &str, example: &str) {
        d.push(
            Diagnostic::error(
                Code::WrongType,
                format!("`{key}` in {} must be {want}, not {}", self.what, type_name(v)),
            )
            .at(v.span())
            .label(format!("expected {want}"))
            .help(format!("write it like `{key} = {example}`")),
        );
    }

    fn string(&mut self, d: &mut Diagnostics, key: &'static str) -> Option<Sp<String>> {
        let v = self.raw(key)?;
        match v.v {
            V::Str(_) => Some(Sp::new(string_of(v, self.text), v.span())),
            _ => {
                self.type_error(d, key, v, "a string", "\"...\"");
                None
            }
        }
    }

    fn boolean(&mut self, d: &mut Diagnostics, key: &'static str) -> Option<Sp<bool>> {
        let v = self.raw(key)?;
        match v.v {
            V::Bool(b) => Some(Sp::new(b, v.span())),
            _ => {
                self.type_error(d, key, v, "a boolean", "true");
                None
            }
        }
    }

    fn integer(&mut self, d: &mut Diagnostics, key: &'static str) -> Option<Sp<Int>> {
        let v = self.raw(key)?;
        let r = int_value(v, self.text);
        if r.is_none() {
            self.type_error(d, key, v, "an integer", "65001");
        }
        r
    }

    fn list<T>(
        &mut self,
        d: &mut Diagnostics,
        key: &'static str,
        want: &str,
        example: &str,
        mut item: impl FnMut(&Val<'i>) -> Option<T>,
    ) -> Option<SpList<T>> {
        let v = self.raw(key)?;
        let V::Array(arr) = &v.v else {
            self.type_error(d, key, v, &format!("an array of {want}"), example);
            return None;
        };
        let mut out = Vec::with_capacity(arr.items.len());
        for e in &arr.items {
            match item(e) {
                Some(x) => out.push(Sp::new(x, e.span())),
                None => d.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!("every element of `{key}` in {} must be {want}, not {}", self.what, type_name(e)),
                    )
                    .at(e.span())
                    .label(format!("expected {want}"))
                    .help(format!("write it like `{key} = {example}`")),
                ),
            }
        }
        Some(Sp::new(out, v.span()))
    }

    fn strings(&mut self, d: &mut Diagnostics, key: &'static str, example: &str) -> Option<SpList<String>> {
        let text = self.text;
        self.list(d, key, "strings", example, |e| matches!(e.v, V::Str(_)).then(|| string_of(e, text)))
    }

    /// An array of tables (`[[vnet.subnet]]`), or an inline array of inline tables. Elements
    /// already read (handed off while streaming) are skipped.
    fn tables(&mut self, d: &mut Diagnostics, key: &'static str) -> Vec<(&'a Table<'i>, Range<usize>)> {
        let Some(v) = self.raw(key) else { return Vec::new() };
        // The header of one such block: `[[vnet]]` at the top level, `[[vnet.subnet]]` inside `[[vnet]]`.
        let header = match self.what.strip_prefix("[[").and_then(|w| w.strip_suffix("]]")) {
            Some(parent) => format!("[[{parent}.{key}]]"),
            None => format!("[[{key}]]"),
        };
        let V::Array(arr) = &v.v else {
            d.push(
                Diagnostic::error(
                    Code::WrongType,
                    format!("`{key}` in {} must be an array of tables, not {}", self.what, type_name(v)),
                )
                .at(v.span())
                .label("expected an array of tables")
                .help(format!("write each block with double brackets, `{header}`, once per block")),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in &arr.items {
            match &e.v {
                V::Table(t) => out.push((&**t, e.span())),
                V::Taken => {}
                _ => d.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!("`{key}` in {} must hold tables, not {}", self.what, type_name(e)),
                    )
                    .at(e.span())
                    .help(format!("write each one as a `{header}` block")),
                ),
            }
        }
        out
    }

    /// Report a missing required key.
    fn require<T>(&self, d: &mut Diagnostics, key: &'static str, v: &Option<T>, example: &str) {
        debug_assert!(self.keys.get(key).is_some_and(|k| k.required), "`{key}` is required in {}", self.what);
        if v.is_none() && self.table.get(key).is_none() {
            d.push(
                Diagnostic::error(Code::MissingKey, format!("{} is missing `{key}`", self.what))
                    .at(self.span.clone())
                    .label(format!("this block needs `{key}`"))
                    .help(format!("add `{key} = {example}`")),
            );
        }
    }

    /// Report every key the format does not define, with a suggestion when one is close.
    fn finish(self, d: &mut Diagnostics) {
        for (name, slot) in &self.table.map {
            if self.keys.get(name).is_none() {
                let known = self.keys.sorted_names();
                d.push(
                    Diagnostic::error(Code::UnknownKey, format!("unknown key `{name}` in {}", self.what))
                        .at(slot.key_span())
                        .label("not a key of this block")
                        .help_opt(did_you_mean(name, known.iter().copied()))
                        .help(format!("the keys of {} are: {}", self.what, known.join(", "))),
                );
            }
        }
    }
}

/// A string scalar's value.
fn string_of(v: &Val<'_>, text: &str) -> String {
    v.decode(text).map(|c| c.into_owned()).unwrap_or_default()
}

fn int_value(v: &Val<'_>, text: &str) -> Option<Sp<Int>> {
    v.int(text).map(|n| Sp::new(n, v.span()))
}

/// Parse scenario text into the raw form. Syntax errors stop here; every shape error is collected.
pub(crate) fn read(text: &str, d: &mut Diagnostics) -> Option<RawScenario> {
    // Blocks read while streaming, and their shape errors: kept apart until the whole file is
    // known to be TOML of format 1.
    let mut s = RawScenario::default();
    let mut shape = Diagnostics::default();
    let (root, errors) = super::toml_doc::parse(text, &mut |kind, val| {
        if let V::Table(t) = &val.v {
            push_block(&mut s, kind, t, val.span(), &mut shape, text);
        }
    });
    if !errors.is_empty() {
        for e in errors {
            d.push(
                Diagnostic::error(Code::Syntax, format!("invalid TOML: {}", e.message.trim_end()))
                    .at(e.span.unwrap_or(0..0))
                    .help("fix the TOML syntax; see docs/scenario-format.md or the files in scenarios/ for examples"),
            );
        }
        return None;
    }
    let mut top = Block::new(&keys::TOP, &root, 0..0, text);
    s.format = top.integer(d, "format");
    s.name = top.string(d, "name");
    s.description = top.string(d, "description");
    s.system_routes = top.string(d, "system_routes");
    // A file of another format is refused as a whole (validate says so): its keys are not format
    // 1's, and reporting them as unknown would only bury that one error.
    if s.format.as_ref().is_some_and(|f| f.v != 1) {
        let RawScenario { format, name, description, system_routes, .. } = s;
        return Some(RawScenario { format, name, description, system_routes, ..RawScenario::default() });
    }
    d.items.append(&mut shape.items);
    for kind in BLOCK_KINDS {
        for (t, span) in top.tables(d, kind) {
            push_block(&mut s, kind, t, span, d, text);
        }
    }
    // Top-level unknown keys: suggest the block kind.
    let top_keys: Vec<&str> = keys::TOP.keys.iter().map(|k| k.name).collect();
    for (name, slot) in &root.map {
        let name: &str = name;
        if top_keys.contains(&name) {
            continue;
        }
        if let Some((_, what, instead)) = keys::NOT_MODELLED.iter().find(|(names, _, _)| names.contains(&name)) {
            d.push(
                Diagnostic::error(Code::UnknownKey, format!("`{name}`: {what} are not modelled (yet)"))
                    .at(slot.key_span())
                    .label("not modelled by ersim")
                    .help(format!("remove this block; {instead}"))
                    .help("docs/scenario-format.md lists what format v1 describes"),
            );
        } else {
            d.push(
                Diagnostic::error(Code::UnknownKey, format!("unknown top-level key or block `{name}`"))
                    .at(slot.key_span())
                    .label("not part of scenario format v1")
                    .help_opt(did_you_mean(name, top_keys.iter().copied()))
                    .help(format!("format v1 knows: {}", top_keys.join(", "))),
            );
        }
    }
    Some(s)
}

/// The top-level block kinds, in the order they are read.
const BLOCK_KINDS: [&str; 14] = [
    "vnet",
    "nic",
    "peering",
    "gateway",
    "circuit",
    "onprem",
    "connection",
    "local_gateway",
    "route_server",
    "bgp_peer",
    "load_balancer",
    "route_table",
    "firewall",
    "expect",
];

/// Read one top-level block of `kind` into `s` (other keys are reported with the top level).
fn push_block(s: &mut RawScenario, kind: &str, t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) {
    match kind {
        "vnet" => s.vnets.push(vnet(t, span, d, text)),
        "nic" => s.nics.push(nic(t, span, d, text)),
        "peering" => s.peerings.push(peering(t, span, d, text)),
        "gateway" => s.gateways.push(gateway(t, span, d, text)),
        "circuit" => s.circuits.push(circuit(t, span, d, text)),
        "onprem" => s.onprems.push(onprem(t, span, d, text)),
        "connection" => s.connections.push(connection(t, span, d, text)),
        "local_gateway" => s.local_gateways.push(local_gateway(t, span, d, text)),
        "route_server" => s.route_servers.push(route_server(t, span, d, text)),
        "bgp_peer" => s.bgp_peers.push(bgp_peer(t, span, d, text)),
        "load_balancer" => s.load_balancers.push(load_balancer(t, span, d, text)),
        "route_table" => s.route_tables.push(route_table(t, span, d, text)),
        "firewall" => s.firewalls.push(firewall(t, span, d, text)),
        "expect" => s.expects.push(expect(t, span, d, text)),
        _ => {}
    }
}

fn vnet(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawVnet {
    let mut b = Block::new(&keys::VNET, t, span.clone(), text);
    let v = RawVnet {
        span,
        name: b.string(d, "name"),
        region: b.string(d, "region"),
        address_space: b.strings(d, "address_space", "[\"10.0.0.0/16\"]"),
        subnets: b.tables(d, "subnet").into_iter().map(|(t, s)| subnet(t, s, d, text)).collect(),
    };
    b.require(d, "name", &v.name, "\"hub00\"");
    b.require(d, "address_space", &v.address_space, "[\"10.0.0.0/16\"]");
    b.finish(d);
    v
}

fn subnet(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawSubnet {
    let mut b = Block::new(&keys::SUBNET, t, span.clone(), text);
    let v = RawSubnet {
        span,
        name: b.string(d, "name"),
        prefix: b.string(d, "prefix"),
        route_table: b.string(d, "route_table"),
    };
    b.require(d, "name", &v.name, "\"default\"");
    b.require(d, "prefix", &v.prefix, "\"10.0.0.0/24\"");
    b.finish(d);
    v
}

fn nic(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawNic {
    let mut b = Block::new(&keys::NIC, t, span.clone(), text);
    let v = RawNic {
        span,
        name: b.string(d, "name"),
        vnet: b.string(d, "vnet"),
        subnet: b.string(d, "subnet"),
        ip: b.string(d, "ip"),
        ip_forwarding: b.boolean(d, "ip_forwarding"),
        stateful: b.boolean(d, "stateful"),
        vm: b.string(d, "vm"),
        primary: b.boolean(d, "primary"),
    };
    b.require(d, "name", &v.name, "\"nic-spoke10\"");
    b.require(d, "vnet", &v.vnet, "\"spoke10\"");
    b.require(d, "subnet", &v.subnet, "\"default\"");
    b.finish(d);
    v
}

fn peering(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawPeering {
    let mut b = Block::new(&keys::PEERING, t, span.clone(), text);
    let v = RawPeering {
        span,
        from: b.string(d, "from"),
        to: b.string(d, "to"),
        vnets: b.strings(d, "vnets", "[\"hub00\", \"spoke10\"]"),
        transit_via: b.string(d, "transit_via"),
        allow_virtual_network_access: b.boolean(d, "allow_virtual_network_access"),
        allow_forwarded_traffic: b.boolean(d, "allow_forwarded_traffic"),
        allow_gateway_transit: b.boolean(d, "allow_gateway_transit"),
        use_remote_gateways: b.boolean(d, "use_remote_gateways"),
    };
    b.finish(d);
    v
}

fn gateway(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawGateway {
    let mut b = Block::new(&keys::GATEWAY, t, span.clone(), text);
    let v = RawGateway {
        span,
        name: b.string(d, "name"),
        vnet: b.string(d, "vnet"),
        kind: b.string(d, "type"),
        sku: b.string(d, "sku"),
        asn: b.integer(d, "asn"),
        bgp: b.boolean(d, "bgp"),
        active_active: b.boolean(d, "active_active"),
        allow_remote_vnet_traffic: b.boolean(d, "allow_remote_vnet_traffic"),
        ips: b.strings(d, "ips", "[\"10.0.200.4\", \"10.0.200.5\"]"),
        default_site: b.string(d, "default_site"),
        public_ip: b.string(d, "public_ip"),
    };
    b.require(d, "name", &v.name, "\"ergw-hub00\"");
    b.require(d, "vnet", &v.vnet, "\"hub00\"");
    b.require(d, "type", &v.kind, "\"ExpressRoute\"");
    b.finish(d);
    v
}

fn circuit(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawCircuit {
    let mut b = Block::new(&keys::CIRCUIT, t, span.clone(), text);
    let v = RawCircuit {
        span,
        name: b.string(d, "name"),
        location: b.string(d, "location"),
        sku: b.string(d, "sku"),
        bandwidth_mbps: b.integer(d, "bandwidth_mbps"),
        next_hops: b.strings(d, "next_hops", "[\"10.2.146.76\", \"10.2.146.77\"]"),
    };
    b.require(d, "name", &v.name, "\"circuit01\"");
    b.finish(d);
    v
}

fn onprem(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawOnprem {
    let mut b = Block::new(&keys::ONPREM, t, span.clone(), text);
    let mut v = RawOnprem {
        span,
        name: b.string(d, "name"),
        asn: b.integer(d, "asn"),
        circuits: b.strings(d, "circuits", "[\"circuit01\"]"),
        advertise: Vec::new(),
        advertise_span: None,
        as_path_prepend: Vec::new(),
    };
    if let Some(a) = b.raw("advertise") {
        v.advertise_span = Some(a.span());
        v.advertise = adverts(&b, a, &keys::ONPREM_ADVERT, d, text);
    }
    if let Some(p) = b.raw("as_path_prepend") {
        match &p.v {
            V::Table(pt) => {
                for (k, slot) in &pt.map {
                    let val = &slot.val;
                    match int_value(val, text) {
                        Some(n) => v.as_path_prepend.push((Sp::new(k.to_string(), slot.key_span()), n)),
                        None => d.push(
                            Diagnostic::error(
                                Code::WrongType,
                                format!("`as_path_prepend.{k}` must be an integer, not {}", type_name(val)),
                            )
                            .at(val.span())
                            .help("write it like `as_path_prepend = { circuit01 = 2 }`"),
                        ),
                    }
                }
            }
            _ => b.type_error(d, "as_path_prepend", p, "a table", "{ circuit01 = 2 }"),
        }
    }
    b.require(d, "name", &v.name, "\"dc-tokyo\"");
    b.require(d, "asn", &v.asn, "65001");
    b.finish(d);
    v
}

fn connection(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawConnection {
    let mut b = Block::new(&keys::CONNECTION, t, span.clone(), text);
    let v = RawConnection {
        span,
        name: b.string(d, "name"),
        gateway: b.string(d, "gateway"),
        circuit: b.string(d, "circuit"),
        local_gateway: b.string(d, "local_gateway"),
        remote_gateway: b.string(d, "remote_gateway"),
        routing_weight: b.integer(d, "routing_weight"),
        bgp: b.boolean(d, "bgp"),
    };
    b.require(d, "name", &v.name, "\"conn-hub00\"");
    b.require(d, "gateway", &v.gateway, "\"ergw-hub00\"");
    b.finish(d);
    v
}

fn local_gateway(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawLocalGateway {
    let mut b = Block::new(&keys::LOCAL_GATEWAY, t, span.clone(), text);
    let v = RawLocalGateway {
        span,
        name: b.string(d, "name"),
        address_prefixes: b.strings(d, "address_prefixes", "[\"192.168.0.0/16\"]"),
        bgp_asn: b.integer(d, "bgp_asn"),
        bgp_peer_ip: b.string(d, "bgp_peer_ip"),
        onprem: b.string(d, "onprem"),
    };
    b.require(d, "name", &v.name, "\"lng-dc\"");
    b.finish(d);
    v
}

fn route_server(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawRouteServer {
    let mut b = Block::new(&keys::ROUTE_SERVER, t, span.clone(), text);
    let v = RawRouteServer {
        span,
        name: b.string(d, "name"),
        vnet: b.string(d, "vnet"),
        branch_to_branch: b.boolean(d, "branch_to_branch"),
    };
    b.require(d, "name", &v.name, "\"rs-hub00\"");
    b.require(d, "vnet", &v.vnet, "\"hub00\"");
    b.finish(d);
    v
}

fn bgp_peer(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawBgpPeer {
    let mut b = Block::new(&keys::BGP_PEER, t, span.clone(), text);
    let mut v = RawBgpPeer {
        span,
        name: b.string(d, "name"),
        nic: b.string(d, "nic"),
        route_server: b.string(d, "route_server"),
        asn: b.integer(d, "asn"),
        advertise: Vec::new(),
    };
    if let Some(a) = b.raw("advertise") {
        v.advertise = adverts(&b, a, &keys::BGP_PEER_ADVERT, d, text);
    }
    b.require(d, "name", &v.name, "\"nva-hub00\"");
    b.require(d, "nic", &v.nic, "\"nic-nva-hub00\"");
    b.require(d, "route_server", &v.route_server, "\"rs-hub00\"");
    b.require(d, "asn", &v.asn, "65010");
    b.finish(d);
    v
}

/// An `advertise` list: prefix strings or tables of `entry`'s keys.
fn adverts(
    b: &Block<'_, '_>,
    a: &Val<'_>,
    entry: &'static BlockKeys,
    d: &mut Diagnostics,
    text: &str,
) -> Vec<RawAdvert> {
    match &a.v {
        V::Array(arr) => arr.items.iter().filter_map(|e| advert(e, entry, d, text)).collect(),
        _ => {
            b.type_error(d, "advertise", a, "an array", "[\"192.168.0.0/16\"]");
            Vec::new()
        }
    }
}

/// One `advertise` entry: a prefix string, or a table (`{ prefix, as_path }`, and `next_hop` for
/// a BGP peer).
fn advert(e: &Val<'_>, entry: &'static BlockKeys, d: &mut Diagnostics, text: &str) -> Option<RawAdvert> {
    match &e.v {
        V::Str(_) => Some(RawAdvert { prefix: Some(Sp::new(RawPrefix::of(string_of(e, text)), e.span())), more: None }),
        V::Table(t) => {
            let mut b = Block::new(entry, t, e.span(), text);
            let prefix = b.string(d, "prefix");
            let as_path = b.list(d, "as_path", "integers", "[65020]", |x| x.int(text));
            let next_hop = if entry.get("next_hop").is_some() { b.string(d, "next_hop") } else { None };
            b.require(d, "prefix", &prefix, "\"172.16.0.0/12\"");
            b.finish(d);
            let more = (as_path.is_some() || next_hop.is_some()).then(|| Box::new(RawAdvertMore { as_path, next_hop }));
            Some(RawAdvert { prefix: prefix.map(|p| Sp::new(RawPrefix::of(p.v), p.span)), more })
        }
        _ => {
            d.push(
                Diagnostic::error(
                    Code::WrongType,
                    format!("an `advertise` entry must be a prefix string or a table, not {}", type_name(e)),
                )
                .at(e.span())
                .help(if entry.get("next_hop").is_some() {
                    "write `\"10.0.0.0/8\"` or `{ prefix = \"10.0.0.0/8\", as_path = [65020], next_hop = \"10.0.1.4\" }`"
                } else {
                    "write `\"10.0.0.0/8\"` or `{ prefix = \"10.0.0.0/8\", as_path = [65020] }`"
                }),
            );
            None
        }
    }
}

fn load_balancer(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawLoadBalancer {
    let mut b = Block::new(&keys::LOAD_BALANCER, t, span.clone(), text);
    let v = RawLoadBalancer {
        span,
        name: b.string(d, "name"),
        vnet: b.string(d, "vnet"),
        subnet: b.string(d, "subnet"),
        frontend_ip: b.string(d, "frontend_ip"),
        backends: b.strings(d, "backends", "[\"nic-nva1\", \"nic-nva2\"]"),
        ha_ports: b.boolean(d, "ha_ports"),
    };
    b.require(d, "name", &v.name, "\"ilb-nva\"");
    b.require(d, "vnet", &v.vnet, "\"hub00\"");
    b.require(d, "subnet", &v.subnet, "\"nva\"");
    b.require(d, "frontend_ip", &v.frontend_ip, "\"10.0.0.166\"");
    b.finish(d);
    v
}

fn route_table(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawRouteTable {
    let mut b = Block::new(&keys::ROUTE_TABLE, t, span.clone(), text);
    let v = RawRouteTable {
        span,
        name: b.string(d, "name"),
        disable_bgp_route_propagation: b.boolean(d, "disable_bgp_route_propagation"),
        routes: b.tables(d, "route").into_iter().map(|(t, s)| route(t, s, d, text)).collect(),
    };
    b.require(d, "name", &v.name, "\"rt-spoke10\"");
    b.finish(d);
    v
}

fn route(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawRoute {
    let mut b = Block::new(&keys::ROUTE, t, span.clone(), text);
    let v = RawRoute {
        span,
        name: b.string(d, "name"),
        prefix: b.string(d, "prefix"),
        next_hop_type: b.string(d, "next_hop_type"),
        next_hop_ip: b.string(d, "next_hop_ip"),
    };
    b.require(d, "name", &v.name, "\"to-spoke20\"");
    b.require(d, "prefix", &v.prefix, "\"10.20.0.0/16\"");
    b.require(d, "next_hop_type", &v.next_hop_type, "\"VirtualAppliance\"");
    b.finish(d);
    v
}

fn firewall(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawFirewall {
    let mut b = Block::new(&keys::FIREWALL, t, span.clone(), text);
    let v = RawFirewall { span, name: b.string(d, "name"), vnet: b.string(d, "vnet"), ip: b.string(d, "ip") };
    b.require(d, "name", &v.name, "\"afw-hub00\"");
    b.require(d, "vnet", &v.vnet, "\"hub00\"");
    b.finish(d);
    v
}

fn expect(t: &Table<'_>, span: Range<usize>, d: &mut Diagnostics, text: &str) -> RawExpect {
    let mut b = Block::new(&keys::EXPECT, t, span.clone(), text);
    let v = RawExpect {
        span,
        name: b.string(d, "name"),
        from: b.string(d, "from"),
        to: b.string(d, "to"),
        reachable: b.boolean(d, "reachable"),
        symmetric: b.boolean(d, "symmetric"),
        resilient: b.boolean(d, "resilient"),
        nic: b.string(d, "nic"),
        subnet: b.string(d, "subnet"),
        prefix: b.string(d, "prefix"),
        next_hop_type: b.string(d, "next_hop_type"),
        next_hop_ip: b.string(d, "next_hop_ip"),
        state: b.string(d, "state"),
        absent: b.boolean(d, "absent"),
    };
    b.finish(d);
    v
}
