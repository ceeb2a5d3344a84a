//! A candidate's edits applied to the built model rather than to the scenario text: the model
//! validation would make of the edited text, for the edits the catalogue writes (`forward::remedy`).
//! The search tries candidates this way; a fix it keeps is then proven once on the text
//! (`super::verify`), so an edit taken here otherwise than validation takes it is never offered.
//!
//! Each edit means what validation makes of it: a `[[peering]]` with `vnets` is both directions,
//! access on and the other flags off; a new route table, firewall or subnet takes its id in name
//! order (subnets: by VNet, then name) and every id after it moves up; a firewall takes `.4` of its
//! AzureFirewallSubnet; a subnet's `route_table` names a table of the edited design. What
//! validation would refuse (a name or a peering twice, overlapping spaces, a missing block, a
//! route without its next hop), what the text edit could not be applied to (a table or VNet written
//! inline), and what this module does not express (gateway instances and ASNs, gateway transit,
//! a key it does not know) are `None`: the text decides those.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::*;
use crate::net::{nth_host, overlaps, prefix_order};
use crate::scenario::edit::{BlockKind, BlockRef, Edit};

/// `model` with `edits` applied in order, indexed and without spans (see [`Model::clear_spans`]),
/// or `None` where the text must decide. `text` is the scenario the model was read from: how its
/// blocks are written decides whether a text edit applies at all.
pub(super) fn apply(model: &Model, text: &str, edits: &[Edit]) -> Option<Model> {
    let mut ed = Editor { m: model.clone(), text, added_tables: Vec::new(), added_blocks: 0, tables_of: Vec::new() };
    for e in edits {
        ed.edit(e)?;
    }
    ed.associate()?;
    let mut m = ed.m;
    m.index();
    m.clear_spans();
    Some(m)
}

struct Editor<'a> {
    m: Model,
    text: &'a str,
    /// Route tables these edits added (not in `text`).
    added_tables: Vec<String>,
    /// Blocks these edits added, for their stand-in spans (distinct, past the end of `text`).
    added_blocks: usize,
    /// `route_table` set on subnets (VNet, subnet, table): resolved once every table is added.
    tables_of: Vec<(String, String, String)>,
}

impl Editor<'_> {
    fn edit(&mut self, e: &Edit) -> Option<()> {
        match e {
            Edit::AddBlock { kind: BlockKind::Peering, toml } => self.add_peering(block(toml, "peering")?),
            Edit::AddBlock { kind: BlockKind::RouteTable, toml } => self.add_route_table(block(toml, "route_table")?),
            Edit::AddBlock { kind: BlockKind::Firewall, toml } => self.add_firewall(block(toml, "firewall")?),
            Edit::AddRoute { table, toml } => self.add_route(table, &toml::from_str(toml).ok()?),
            Edit::AddSubnet { vnet, toml } => self.add_subnet(vnet, &toml::from_str(toml).ok()?),
            Edit::SetKey { block, key, value } => self.set_key(block, key, &value_of(value)?),
        }
    }

    /// A stand-in span for a block these edits add (distinct from every other block's).
    fn new_span(&mut self) -> Span {
        self.added_blocks += 1;
        let at = self.text.len() + self.added_blocks;
        at..at
    }

    fn vnet(&self, name: &str) -> Option<VnetId> {
        self.m.vnet_by_name(name)
    }

    /// `[[peering]] vnets = [a, z]`: both directions (access on, the rest off), unless validation
    /// refuses them (the same VNet, a direction already peered, overlapping spaces, a peer of
    /// either whose space overlaps the other's).
    fn add_peering(&mut self, t: toml::Table) -> Option<()> {
        only_keys(&t, &["vnets"])?;
        let names = t.get("vnets")?.as_array()?;
        let [a, z] = names.as_slice() else { return None };
        let (a, z) = (self.vnet(a.as_str()?)?, self.vnet(z.as_str()?)?);
        let m = &self.m;
        let space = |v: VnetId| &m.vnets[v.idx()].address_space;
        let meet = |x: &[IpNet], y: &[IpNet]| x.iter().any(|p| y.iter().any(|q| overlaps(p, q)));
        let peers_meet =
            |v: VnetId, w: VnetId| m.peerings.iter().filter(|p| p.from == v).any(|p| meet(space(p.to), space(w)));
        let peered = m.peerings.iter().any(|p| (p.from, p.to) == (a, z) || (p.from, p.to) == (z, a));
        if a == z || peered || meet(space(a), space(z)) || peers_meet(a, z) || peers_meet(z, a) {
            return None;
        }
        let span = self.new_span();
        for (from, to) in [(a, z), (z, a)] {
            let m = &self.m;
            let key = |p: &Peering| (m.vnets[p.from.idx()].name.clone(), m.vnets[p.to.idx()].name.clone());
            let p = Peering {
                from,
                to,
                allow_virtual_network_access: true,
                allow_forwarded_traffic: false,
                allow_gateway_transit: false,
                use_remote_gateways: false,
                span: span.clone(),
            };
            let at = self.m.peerings.partition_point(|q| key(q) < key(&p));
            self.m.peerings.insert(at, p);
        }
        Some(())
    }

    /// `[[route_table]]` with its keys and nested routes, in name order.
    fn add_route_table(&mut self, t: toml::Table) -> Option<()> {
        only_keys(&t, &["name", "disable_bgp_route_propagation", "route"])?;
        let name = plain_name(t.get("name")?)?;
        if self.m.route_tables.iter().any(|r| r.name == name) {
            return None;
        }
        let disable_bgp_route_propagation = match t.get("disable_bgp_route_propagation") {
            Some(v) => v.as_bool()?,
            None => false,
        };
        let mut table =
            RouteTable { name: name.clone(), disable_bgp_route_propagation, routes: Vec::new(), span: self.new_span() };
        let routes = match t.get("route") {
            Some(r) => r.as_array()?.clone(),
            None => Vec::new(),
        };
        for r in &routes {
            let udr = route(r.as_table()?)?;
            push_route(&mut table, udr)?;
        }
        let at = self.m.route_tables.partition_point(|r| r.name < name);
        self.m.route_tables.insert(at, table);
        for s in &mut self.m.subnets {
            if let Some(rt) = &mut s.route_table {
                bump(&mut rt.0, at);
            }
        }
        self.added_tables.push(name);
        Some(())
    }

    /// `[[firewall]]` with `name` and `vnet`: in the VNet's AzureFirewallSubnet, at its `.4`.
    fn add_firewall(&mut self, t: toml::Table) -> Option<()> {
        only_keys(&t, &["name", "vnet"])?;
        let name = plain_name(t.get("name")?)?;
        let v = self.vnet(t.get("vnet")?.as_str()?)?;
        let m = &self.m;
        if m.firewalls.iter().any(|f| f.name == name) {
            return None;
        }
        let s = m.special_subnet(v, SubnetRole::Firewall)?;
        // Addresses are allocated after firewalls: a NIC or frontend there could move.
        if m.nics.iter().any(|n| n.subnet == s) || m.load_balancers.iter().any(|l| l.subnet == s) {
            return None;
        }
        let ip = nth_host(&m.subnets[s.idx()].prefix, 4)?;
        if held(m, v, ip) {
            return None;
        }
        let span = self.new_span();
        let at = self.m.firewalls.partition_point(|f| f.name < name);
        self.m.firewalls.insert(at, Firewall { name, vnet: v, subnet: s, ip, span });
        for e in &mut self.m.expects {
            if let ExpectKind::Reach { from, to, .. } = &mut e.kind {
                for end in [from, to] {
                    if let Endpoint::Firewall(f) = end {
                        bump(&mut f.0, at);
                    }
                }
            }
        }
        Some(())
    }

    /// A route appended to a table of the scenario written as `[[route_table]]` with
    /// `[[route_table.route]]` blocks (the text edit refuses a table written inline).
    fn add_route(&mut self, table: &str, t: &toml::Table) -> Option<()> {
        let i = self.m.route_tables.iter().position(|r| r.name == table)?;
        if self.added_tables.iter().any(|n| n == table) {
            return None;
        }
        let rt = &self.m.route_tables[i];
        let header_form = |span: &Span| self.text.get(span.start..).is_some_and(|s| s.starts_with("[["));
        if !header_form(&rt.span)
            || !rt.routes.iter().all(|r| header_form(&r.span))
            || (rt.routes.is_empty() && has_key_line(self.text, rt.span.start, "route"))
        {
            return None;
        }
        let mut udr = route(t)?;
        udr.span = self.new_span();
        push_route(&mut self.m.route_tables[i], udr)
    }

    /// A subnet of a VNet of the scenario written as `[[vnet]]` with `[[vnet.subnet]]` blocks:
    /// its id by VNet then name, refused outside the space or over another subnet.
    fn add_subnet(&mut self, vnet: &str, t: &toml::Table) -> Option<()> {
        only_keys(t, &["name", "prefix"])?;
        let v = self.vnet(vnet)?;
        let name = plain_name(t.get("name")?)?;
        let prefix = prefix(t.get("prefix")?)?;
        let role = match name.as_str() {
            "AzureFirewallSubnet" => SubnetRole::Firewall,
            "GatewaySubnet" | "RouteServerSubnet" => return None,
            _ => SubnetRole::Plain,
        };
        let m = &self.m;
        let vn = &m.vnets[v.idx()];
        let header_form = |span: &Span| self.text.get(span.start..).is_some_and(|s| s.starts_with("[["));
        let subnets = || vn.subnets.iter().map(|s| &m.subnets[s.idx()]);
        if !header_form(&vn.span)
            || !subnets().all(|s| header_form(&s.span))
            || (vn.subnets.is_empty() && has_key_line(self.text, vn.span.start, "subnet"))
            || matches!(prefix, IpNet::V6(_))
            || !vn.address_space.iter().any(|a| a.contains(&prefix))
            || subnets().any(|s| s.name == name || overlaps(&s.prefix, &prefix))
        {
            return None;
        }
        let at = self.m.subnets.partition_point(|s| (s.vnet, s.name.as_str()) < (v, name.as_str()));
        let span = self.new_span();
        self.m.subnets.insert(at, Subnet { name, vnet: v, prefix, route_table: None, role, span });
        self.renumber_subnets(at);
        let m = &mut self.m;
        let mut ids = std::mem::take(&mut m.vnets[v.idx()].subnets);
        ids.push(SubnetId(at as u32));
        ids.sort_by(|a, b| prefix_order(&m.subnets[a.idx()].prefix, &m.subnets[b.idx()].prefix));
        m.vnets[v.idx()].subnets = ids;
        Some(())
    }

    /// Every subnet id from `at` up moves up one (a subnet was inserted there).
    fn renumber_subnets(&mut self, at: usize) {
        let m = &mut self.m;
        m.vnets.iter_mut().flat_map(|v| v.subnets.iter_mut()).for_each(|s| bump(&mut s.0, at));
        m.nics.iter_mut().for_each(|n| bump(&mut n.subnet.0, at));
        m.load_balancers.iter_mut().for_each(|l| bump(&mut l.subnet.0, at));
        m.firewalls.iter_mut().for_each(|f| bump(&mut f.subnet.0, at));
        for e in &mut m.expects {
            match &mut e.kind {
                ExpectKind::Reach { from, to, .. } => {
                    for end in [from, to] {
                        if let Endpoint::Subnet(s) = end {
                            bump(&mut s.0, at);
                        }
                    }
                }
                ExpectKind::Route { table: TableRef::Subnet(s), .. } => bump(&mut s.0, at),
                ExpectKind::Route { .. } => {}
            }
        }
    }

    fn set_key(&mut self, block: &BlockRef, key: &str, value: &toml::Value) -> Option<()> {
        let m = &mut self.m;
        match (block, key) {
            (BlockRef::Nic(n), "ip_forwarding") => {
                m.nics.iter_mut().find(|x| x.name == *n)?.ip_forwarding = value.as_bool()?;
            }
            (BlockRef::RouteTable(n), "disable_bgp_route_propagation") => {
                m.route_tables.iter_mut().find(|x| x.name == *n)?.disable_bgp_route_propagation = value.as_bool()?;
            }
            (BlockRef::RouteServer(n), "branch_to_branch") => {
                m.route_servers.iter_mut().find(|x| x.name == *n)?.branch_to_branch = value.as_bool()?;
            }
            (BlockRef::Gateway(n), "allow_remote_vnet_traffic") => {
                let g = m.gateways.iter_mut().find(|x| x.name == *n)?;
                if g.kind != GatewayKind::ExpressRoute {
                    return None;
                }
                g.allow_remote_vnet_traffic = value.as_bool()?;
            }
            (BlockRef::Gateway(n), "default_site") => {
                let wanted = value.as_str()?;
                let site = m.local_gateways.iter().position(|l| l.name == wanted)?;
                let g = m.gateways.iter_mut().find(|x| x.name == *n)?;
                if g.kind != GatewayKind::Vpn {
                    return None;
                }
                g.default_site = Some(LocalGatewayId(site as u32));
            }
            (BlockRef::Route { table, route }, "next_hop_ip") => {
                let ip: IpAddr = value.as_str()?.parse().ok()?;
                let t = m.route_tables.iter_mut().find(|x| x.name == *table)?;
                let r = t.routes.iter_mut().find(|x| x.name == *route)?;
                if r.next_hop_type != NextHopType::VirtualAppliance || ip.is_ipv4() != r.prefix.addr().is_ipv4() {
                    return None;
                }
                r.next_hop_ip = Some(ip);
            }
            (BlockRef::Subnet { vnet, subnet }, "route_table") => {
                let path = format!("{vnet}/{subnet}");
                m.subnet_by_path(&path)?;
                self.tables_of.push((vnet.clone(), subnet.clone(), value.as_str()?.to_string()));
            }
            (BlockRef::Peering { from, to }, "allow_virtual_network_access" | "allow_forwarded_traffic") => {
                let on = value.as_bool()?;
                let (f, t) = (m.vnet_by_name(from)?, m.vnet_by_name(to)?);
                // The block holding `from → to`: one direction, or both for a `vnets` pair.
                let span = m.peerings.iter().find(|p| p.from == f && p.to == t)?.span.clone();
                for p in m.peerings.iter_mut().filter(|p| p.span == span) {
                    if key == "allow_virtual_network_access" {
                        p.allow_virtual_network_access = on;
                    } else {
                        p.allow_forwarded_traffic = on;
                    }
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// Resolve the `route_table` set on subnets, now that every table is there.
    fn associate(&mut self) -> Option<()> {
        for (vnet, subnet, table) in std::mem::take(&mut self.tables_of) {
            let s = self.m.subnet_by_path(&format!("{vnet}/{subnet}"))?;
            let rt = self.m.route_tables.iter().position(|r| r.name == table)?;
            self.m.subnets[s.idx()].route_table = Some(RouteTableId(rt as u32));
        }
        Some(())
    }
}

/// An id at or above `at` moves up one.
fn bump(id: &mut u32, at: usize) {
    if *id as usize >= at {
        *id += 1;
    }
}

/// The one table of an added block (`[[kind]]` and its keys).
fn block(toml: &str, kind: &str) -> Option<toml::Table> {
    let mut doc: toml::Table = toml::from_str(toml).ok()?;
    if doc.len() != 1 {
        return None;
    }
    let toml::Value::Array(items) = doc.remove(kind)? else { return None };
    let [toml::Value::Table(t)] = <[toml::Value; 1]>::try_from(items).ok()? else { return None };
    Some(t)
}

/// A `set_key` value, as TOML.
fn value_of(value: &str) -> Option<toml::Value> {
    let mut t: toml::Table = toml::from_str(&format!("v = {value}")).ok()?;
    t.remove("v")
}

/// `None` when `t` has a key other than `keys`.
fn only_keys(t: &toml::Table, keys: &[&str]) -> Option<()> {
    t.keys().all(|k| keys.contains(&k.as_str())).then_some(())
}

/// A name validation takes as written (not empty, no `/`).
fn plain_name(v: &toml::Value) -> Option<String> {
    let s = v.as_str()?;
    (!s.is_empty() && !s.contains('/')).then(|| s.to_string())
}

/// A prefix written in network form.
fn prefix(v: &toml::Value) -> Option<IpNet> {
    let net: IpNet = v.as_str()?.parse().ok()?;
    (net == net.trunc()).then_some(net)
}

/// A `[[route_table.route]]`: R28 (a `VirtualAppliance` route has its address), R29 (no other
/// type has one), one family.
fn route(t: &toml::Table) -> Option<Udr> {
    only_keys(t, &["name", "prefix", "next_hop_type", "next_hop_ip"])?;
    let name = plain_name(t.get("name")?)?;
    let prefix = prefix(t.get("prefix")?)?;
    let kinds = [
        NextHopType::VirtualAppliance,
        NextHopType::VirtualNetworkGateway,
        NextHopType::VnetLocal,
        NextHopType::Internet,
        NextHopType::None,
    ];
    let written = t.get("next_hop_type")?.as_str()?;
    let next_hop_type = kinds.into_iter().find(|k| k.api() == written)?;
    let next_hop_ip = match t.get("next_hop_ip") {
        Some(v) => Some(v.as_str()?.parse::<IpAddr>().ok()?),
        None => None,
    };
    let va = next_hop_type == NextHopType::VirtualAppliance;
    if va != next_hop_ip.is_some() || next_hop_ip.is_some_and(|ip| ip.is_ipv4() != prefix.addr().is_ipv4()) {
        return None;
    }
    Some(Udr { name, prefix, next_hop_type, next_hop_ip, span: 0..0 })
}

/// Append a route; a name or prefix the table already has is refused (R27).
fn push_route(table: &mut RouteTable, udr: Udr) -> Option<()> {
    if table.routes.iter().any(|r| r.name == udr.name || r.prefix == udr.prefix) {
        return None;
    }
    table.routes.push(udr);
    Some(())
}

/// Whether something in VNet `v` holds `ip` (NICs, frontends, gateway and route-server instances,
/// firewalls).
fn held(m: &Model, v: VnetId, ip: IpAddr) -> bool {
    m.nics.iter().any(|n| n.vnet == v && n.ip == ip)
        || m.load_balancers.iter().any(|l| l.vnet == v && l.frontend_ip == ip)
        || m.gateways.iter().any(|g| g.vnet == v && g.ips.contains(&ip))
        || m.route_servers.iter().any(|r| r.vnet == v && r.ips.contains(&ip))
        || m.firewalls.iter().any(|f| f.vnet == v && f.ip == ip)
}

/// Whether the header-form block whose header starts at `start` sets `key` itself (a line
/// `key = …` or `key.… = …` before the next header).
fn has_key_line(text: &str, start: usize, key: &str) -> bool {
    let Some(rest) = text.get(start..) else { return true };
    rest.lines()
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .any(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(['=', '.'])))
}
