//! The resolved plan as scenario blocks: one block per resource, named, in name order, each with
//! its ARM id (and, when qualified or a stub, why) in a comment above it.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::instances::{self, VpnInstances};
use super::names::Names;
use super::plan::{Plan, Target, kind};
use super::write::{Block, Section, advertise, b, ips, n, nets, raw, s, strs};
use crate::model::{CircuitSku, GatewayKind, GatewaySku};
use crate::net::AZURE_ASN;

/// The id comment above a block, with a note when its name had to be qualified.
fn id_block(header: &'static str, names: &Names, k: &'static str, key: &str, id: &str) -> Block {
    let mut blk = Block::new(header, id.to_string());
    if names.qualified(k, key) {
        blk.note("name qualified with its resource group: another resource of this kind has the same name");
    }
    blk
}

/// A gateway's instance addresses as Azure shows them: its BGP peering addresses, else the private
/// addresses of its IP configurations.
fn instance_addresses(g: &super::inventory::Gateway) -> &[IpAddr] {
    if g.bgp_ips.is_empty() { &g.private_ips } else { &g.bgp_ips }
}

fn sorted(mut v: Vec<(String, Block)>) -> Vec<Block> {
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().map(|(_, b)| b).collect()
}

impl Plan<'_> {
    /// Every section of the scenario.
    pub fn sections(&self, names: &Names) -> Vec<Section> {
        vec![
            Section { title: "VNets and subnets", blocks: self.vnet_blocks(names) },
            Section { title: "peerings", blocks: self.peering_blocks(names) },
            Section { title: "gateways", blocks: self.gateway_blocks(names) },
            Section { title: "circuits", blocks: self.circuit_blocks(names) },
            Section { title: "on-premises routers", blocks: self.onprem_blocks(names) },
            Section { title: "local network gateways", blocks: self.lng_blocks(names) },
            Section { title: "connections", blocks: self.connection_blocks(names) },
            Section { title: "route servers", blocks: self.rs_blocks(names) },
            Section { title: "route server peers (NVAs)", blocks: self.peer_blocks(names) },
            Section { title: "route tables", blocks: self.rt_blocks(names) },
            Section { title: "firewalls", blocks: self.fw_blocks(names) },
            Section { title: "load balancers", blocks: self.lb_blocks(names) },
            Section { title: "NICs", blocks: self.nic_blocks(names) },
        ]
    }

    fn vnet_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, v) in &self.vnets {
            let name = names.of(kind::VNET, key);
            let mut blk = id_block("vnet", names, kind::VNET, key, v.id.raw());
            if let Some(note) = &v.stub_note {
                blk.note(note.clone());
            }
            blk.key("name", s(&name));
            if let Some(r) = &v.region {
                blk.key("region", s(r));
            }
            blk.key("address_space", nets(&v.space));
            if let Some(i) = v.exported {
                for sub in &self.inv.vnets[i].subnets {
                    let Some(prefix) = sub.prefix else { continue };
                    let mut sb = Block::bare("vnet.subnet");
                    sb.key("name", s(&sub.name)).key("prefix", s(&prefix.to_string()));
                    if !sub.extra_prefixes.is_empty() {
                        sb.comment(format!(
                            "also {} in Azure (one prefix per subnet here)",
                            sub.extra_prefixes.join(", ")
                        ));
                    }
                    if let Some(rt) = self.subnet_rt.get(&(key.clone(), sub.name.to_ascii_lowercase())) {
                        sb.key("route_table", s(&names.of(kind::ROUTE_TABLE, rt)));
                    }
                    blk.children.push(sb);
                }
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn peering_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for h in &self.halves {
            let from = names.of(kind::VNET, &h.from);
            let to = names.of(kind::VNET, &h.to);
            let mut blk = Block::new("peering", h.source.clone());
            for note in &h.notes {
                blk.note(note.clone());
            }
            blk.key("from", s(&from))
                .key("to", s(&to))
                .key("allow_virtual_network_access", b(h.access))
                .key("allow_forwarded_traffic", b(h.forwarded))
                .key("allow_gateway_transit", b(h.transit))
                .key("use_remote_gateways", b(h.use_remote));
            out.push((format!("{from}\u{0}{to}"), blk));
        }
        sorted(out)
    }

    fn gateway_blocks(&self, names: &Names) -> Vec<Block> {
        let inv = self.inv;
        let mut out = Vec::new();
        for (key, go) in &self.gateways {
            let g = &inv.gateways[go.gi];
            let name = names.of(kind::GATEWAY, key);
            let mut blk = id_block("gateway", names, kind::GATEWAY, key, g.meta.id.raw());
            blk.key("name", s(&name)).key("vnet", s(&names.of(kind::VNET, &go.vnet)));
            let sku = g.sku.as_deref().and_then(GatewaySku::parse).filter(|x| x.kind() == go.kind);
            match go.kind {
                GatewayKind::ExpressRoute => {
                    blk.key("type", s("ExpressRoute"));
                    match sku {
                        Some(x) => {
                            blk.key("sku", s(x.name()));
                        }
                        None => {
                            blk.comment(format!(
                                "sku {} is not one ersim knows: the default is used",
                                g.sku.as_deref().unwrap_or("(none)")
                            ));
                        }
                    }
                    if g.allow_remote_vnet_traffic {
                        blk.key("allow_remote_vnet_traffic", b(true));
                    }
                    if let Some(net) = self.gateway_subnet(&go.vnet) {
                        let vpn = self.vpn_instances(&go.vnet).map(|v| v.held).unwrap_or_default();
                        if let Some(line) = instances::er_gateway_ips(instance_addresses(g), net, &vpn) {
                            blk.lines.push(line);
                        }
                    }
                }
                GatewayKind::Vpn => {
                    blk.key("type", s("Vpn"));
                    match sku {
                        Some(x) => {
                            blk.key("sku", s(x.name()));
                        }
                        None => {
                            blk.comment(format!(
                                "sku {} is not one ersim knows: the default is used",
                                g.sku.as_deref().unwrap_or("(none)")
                            ));
                        }
                    }
                    if let Some(a) = g.asn.filter(|a| *a != AZURE_ASN) {
                        blk.key("asn", n(a as u64));
                    }
                    blk.key("bgp", b(g.bgp)).key("active_active", b(g.active_active));
                    if let Some(line) = self.vpn_instances(&go.vnet).and_then(|v| v.line) {
                        blk.lines.push(line);
                    }
                    let public = g
                        .public_ips
                        .iter()
                        .find_map(|id| inv.public_ips.iter().find(|p| &p.meta.id == id).and_then(|p| p.ip));
                    match public {
                        Some(ip) => {
                            blk.key("public_ip", s(&ip.to_string()));
                        }
                        None if !g.active_active => {
                            blk.comment("public address not in the export (its publicIPAddresses resource): ersim uses a placeholder");
                        }
                        None => {}
                    }
                    if let Some(site) = &go.default_site {
                        blk.key("default_site", s(&names.of(kind::LOCAL_GATEWAY, site)));
                    }
                    if let Some(note) = &go.default_site_note {
                        blk.comment(note.clone());
                    }
                }
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    /// The GatewaySubnet prefix of an exported VNet.
    fn gateway_subnet(&self, vnet: &str) -> Option<ipnet::IpNet> {
        let v = self.vnets.get(vnet)?;
        self.inv.vnets[v.exported?]
            .subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case("GatewaySubnet"))
            .and_then(|s| s.prefix)
    }

    /// The `ips` decision of the VPN gateway in a VNet, if it has one.
    fn vpn_instances(&self, vnet: &str) -> Option<VpnInstances> {
        let go = self.gateways.values().find(|g| g.vnet == vnet && g.kind == GatewayKind::Vpn)?;
        let g = &self.inv.gateways[go.gi];
        Some(instances::vpn_gateway_ips(g.active_active, instance_addresses(g), self.gateway_subnet(vnet)?))
    }

    fn circuit_blocks(&self, names: &Names) -> Vec<Block> {
        let inv = self.inv;
        let mut out = Vec::new();
        for (key, c) in &self.circuits {
            let name = names.of(kind::CIRCUIT, key);
            let mut blk = id_block("circuit", names, kind::CIRCUIT, key, c.id.raw());
            blk.key("name", s(&name));
            match c.ci {
                Some(ci) => {
                    let ec = &inv.circuits[ci];
                    if let Some(l) = &ec.location {
                        blk.key("location", s(l));
                    }
                    let tier = ec.tier.as_deref().and_then(|t| {
                        [CircuitSku::Local, CircuitSku::Standard, CircuitSku::Premium]
                            .into_iter()
                            .find(|x| x.to_string().eq_ignore_ascii_case(t))
                    });
                    match tier {
                        Some(t) => {
                            blk.key("sku", s(&t.to_string()));
                        }
                        None => {
                            blk.comment(format!(
                                "sku tier {} is not Local, Standard or Premium: the default is used",
                                ec.tier.as_deref().unwrap_or("(none)")
                            ));
                        }
                    }
                    if let Some(bw) = ec.bandwidth.filter(|b| *b >= 1) {
                        blk.key("bandwidth_mbps", n(bw));
                    }
                    if ec.peer_asn.is_none() {
                        blk.comment("no private peering in the export: no on-premises router is written for it");
                    }
                }
                None => {
                    blk.note("stub: the circuit is outside the export (a connection names it); its on-premises side is unknown");
                }
            }
            if c.next_hops.is_empty() {
                blk.comment("next_hops left out: ersim uses placeholders (give effective routes of a NIC behind it to import them)");
            } else {
                let hops: Vec<IpAddr> = c.next_hops.iter().copied().collect();
                let from: Vec<&str> = c.hops_from.iter().map(String::as_str).collect();
                blk.key_c(
                    "next_hops",
                    ips(&hops),
                    format!("MSEE addresses from the effective routes of {}", from.join(", ")),
                );
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn onprem_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, o) in &self.onprems {
            let name = names.of(kind::ONPREM, key);
            let mut blk = Block::new("onprem", format!("made up by the importer: {}", o.stands_for));
            if o.sources.is_empty() {
                blk.note("stub: routes unknown (no route table or learned routes were given for it): it advertises nothing here");
            } else {
                let src: Vec<&str> = o.sources.iter().map(String::as_str).collect();
                blk.note(format!("routes from {}", src.join(", ")));
            }
            blk.key("name", s(&name)).key("asn", n(o.asn as u64));
            if !o.circuits.is_empty() {
                let cs: Vec<String> = o.circuits.iter().map(|c| names.of(kind::CIRCUIT, c)).collect();
                blk.key("circuits", strs(&cs));
            }
            let mut adverts: Vec<(ipnet::IpNet, Vec<u32>)> = o.adverts.iter().map(|(p, a)| (*p, a.clone())).collect();
            adverts.sort_by(|a, b| crate::net::prefix_order(&a.0, &b.0));
            if !adverts.is_empty() {
                let value = if adverts.iter().all(|(_, path)| path.is_empty()) {
                    nets(&adverts.iter().map(|(p, _)| *p).collect::<Vec<_>>())
                } else {
                    let entries: Vec<_> = adverts.iter().map(|(p, path)| (*p, path.as_slice(), None)).collect();
                    advertise(&entries)
                };
                blk.key("advertise", value);
            }
            if !o.prepend.is_empty() {
                let items: Vec<String> =
                    o.prepend.iter().map(|(c, k)| format!("{} = {k}", s(&names.of(kind::CIRCUIT, c)).0)).collect();
                blk.key("as_path_prepend", raw(format!("{{ {} }}", items.join(", "))));
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn lng_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, &i) in &self.lngs {
            let l = &self.inv.local_gateways[i];
            let name = names.of(kind::LOCAL_GATEWAY, key);
            let mut blk = id_block("local_gateway", names, kind::LOCAL_GATEWAY, key, l.meta.id.raw());
            if let Some(a) = &l.address {
                blk.note(format!("device address {a}"));
            }
            blk.key("name", s(&name));
            if !l.prefixes.is_empty() {
                blk.key("address_prefixes", nets(&l.prefixes));
            }
            if let (Some(asn), Some(ip)) = (l.asn, l.bgp_ip) {
                blk.key("bgp_asn", n(asn as u64)).key("bgp_peer_ip", s(&ip.to_string()));
            }
            if let Some(o) = self.lng_onprem.get(key) {
                blk.key("onprem", s(&names.of(kind::ONPREM, o)));
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn connection_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, c) in &self.conns {
            let conn = &self.inv.connections[c.ci];
            let name = names.of(kind::CONNECTION, key);
            let mut blk = id_block("connection", names, kind::CONNECTION, key, conn.meta.id.raw());
            for note in &c.notes {
                blk.note(note.clone());
            }
            blk.key("name", s(&name)).key("gateway", s(&names.of(kind::GATEWAY, &c.gateway)));
            match &c.target {
                Target::Circuit(k) => {
                    blk.key("circuit", s(&names.of(kind::CIRCUIT, k)));
                    if c.weight > 0 {
                        blk.key("routing_weight", n(c.weight));
                    }
                }
                Target::Local(k) => {
                    blk.key("local_gateway", s(&names.of(kind::LOCAL_GATEWAY, k))).key("bgp", b(c.bgp));
                }
                Target::Remote(k) => {
                    blk.key("remote_gateway", s(&names.of(kind::GATEWAY, k))).key("bgp", b(c.bgp));
                }
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn rs_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, r) in &self.rss {
            let h = &self.inv.hubs[r.hi];
            let name = names.of(kind::ROUTE_SERVER, key);
            let mut blk = id_block("route_server", names, kind::ROUTE_SERVER, key, h.meta.id.raw());
            for note in &r.notes {
                blk.note(note.clone());
            }
            blk.key("name", s(&name))
                .key("vnet", s(&names.of(kind::VNET, &r.vnet)))
                .key("branch_to_branch", b(h.branch_to_branch));
            out.push((name, blk));
        }
        sorted(out)
    }

    fn peer_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, p) in &self.peers {
            let hp = &self.inv.hub_peerings[p.pi];
            let name = names.of(kind::BGP_PEER, key);
            let mut blk = id_block("bgp_peer", names, kind::BGP_PEER, key, hp.meta.id.raw());
            if !p.known {
                blk.note("routes unknown (no learned routes were given for this peering): it advertises nothing here");
            }
            blk.key("name", s(&name))
                .key("nic", s(&names.of(kind::NIC, &p.nic)))
                .key("route_server", s(&names.of(kind::ROUTE_SERVER, &p.rs)))
                .key("asn", n(p.asn as u64));
            if !p.adverts.is_empty() {
                let mut adverts: Vec<&super::plan::NvaAdvert> = p.adverts.iter().collect();
                adverts.sort_by(|a, b| crate::net::prefix_order(&a.prefix, &b.prefix).then(a.cmp(b)));
                let entries: Vec<_> = adverts.iter().map(|a| (a.prefix, a.as_path.as_slice(), a.next_hop)).collect();
                blk.key("advertise", advertise(&entries));
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn rt_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, &i) in &self.rts {
            let rt = &self.inv.route_tables[i];
            let name = names.of(kind::ROUTE_TABLE, key);
            let mut blk = id_block("route_table", names, kind::ROUTE_TABLE, key, rt.meta.id.raw());
            blk.key("name", s(&name)).key("disable_bgp_route_propagation", b(rt.disable_propagation));
            let mut seen = BTreeSet::new();
            for r in &rt.routes {
                let Some(prefix) = r.prefix else {
                    blk.comment(format!(
                        "route {} to service tag {} is not modelled (service-tag routes)",
                        r.name,
                        r.tag.as_deref().unwrap_or("?")
                    ));
                    continue;
                };
                if !seen.insert(prefix) {
                    continue;
                }
                let t = r.next_hop_type.to_ascii_lowercase();
                let mut rb = Block::bare("route_table.route");
                rb.key("name", s(&r.name)).key("prefix", s(&prefix.to_string()));
                match t.as_str() {
                    "virtualappliance" | "virtualapplianceecmp" => {
                        rb.key("next_hop_type", s("VirtualAppliance"));
                        match r.next_hops.first() {
                            Some(ip) if r.next_hops.len() > 1 => {
                                let all: Vec<String> = r.next_hops.iter().map(|a| a.to_string()).collect();
                                rb.key_c(
                                    "next_hop_ip",
                                    s(&ip.to_string()),
                                    format!(
                                        "VirtualApplianceEcmp to {} in Azure: format v1 takes one address",
                                        all.join(", ")
                                    ),
                                );
                            }
                            Some(ip) => {
                                rb.key("next_hop_ip", s(&ip.to_string()));
                            }
                            None => {
                                blk.comment(format!(
                                    "route {} is VirtualAppliance without an address: left out",
                                    r.name
                                ));
                                continue;
                            }
                        }
                    }
                    "virtualnetworkgateway" => {
                        rb.key("next_hop_type", s("VirtualNetworkGateway"));
                    }
                    "vnetlocal" => {
                        rb.key("next_hop_type", s("VnetLocal"));
                    }
                    "internet" => {
                        rb.key("next_hop_type", s("Internet"));
                    }
                    "none" => {
                        rb.key("next_hop_type", s("None"));
                    }
                    _ => {
                        blk.comment(format!(
                            "route {} has next hop type {}, which ersim does not model: left out",
                            r.name, r.next_hop_type
                        ));
                        continue;
                    }
                }
                blk.children.push(rb);
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn fw_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, f) in &self.fws {
            let fw = &self.inv.firewalls[f.fi];
            let name = names.of(kind::FIREWALL, key);
            let mut blk = id_block("firewall", names, kind::FIREWALL, key, fw.meta.id.raw());
            blk.key("name", s(&name)).key("vnet", s(&names.of(kind::VNET, &f.vnet))).key("ip", s(&f.ip.to_string()));
            out.push((name, blk));
        }
        sorted(out)
    }

    fn lb_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, l) in &self.lbs {
            let lb = &self.inv.load_balancers[l.li];
            let name = names.of(kind::LOAD_BALANCER, key);
            let mut blk = id_block("load_balancer", names, kind::LOAD_BALANCER, key, lb.meta.id.raw());
            for note in &l.notes {
                blk.note(note.clone());
            }
            let mut backends: Vec<String> = l.backends.iter().map(|k| names.of(kind::NIC, k)).collect();
            backends.sort();
            blk.key("name", s(&name))
                .key("vnet", s(&names.of(kind::VNET, &l.vnet)))
                .key("subnet", s(&l.subnet))
                .key("frontend_ip", s(&l.ip.to_string()))
                .key("backends", strs(&backends));
            if let Some(ha) = lb.ha_ports {
                blk.key("ha_ports", b(ha));
            }
            out.push((name, blk));
        }
        sorted(out)
    }

    fn nic_blocks(&self, names: &Names) -> Vec<Block> {
        let mut out = Vec::new();
        for (key, nic) in &self.nics {
            let name = names.of(kind::NIC, key);
            let mut blk = id_block("nic", names, kind::NIC, key, nic.id.raw());
            for note in &nic.notes {
                blk.note(note.clone());
            }
            blk.key("name", s(&name)).key("vnet", s(&names.of(kind::VNET, &nic.vnet))).key("subnet", s(&nic.subnet));
            if let Some(ip) = nic.ip {
                blk.key("ip", s(&ip.to_string()));
            }
            blk.key("ip_forwarding", b(nic.forwarding));
            if let Some(vm) = &nic.vm {
                blk.key("vm", s(vm));
            }
            if nic.primary {
                blk.key("primary", b(true));
            }
            out.push((name, blk));
        }
        sorted(out)
    }
}
