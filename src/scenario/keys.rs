//! The keys of every block of format v1, as data: the reader accepts exactly these (and says "did
//! you mean" from them), the JSON Schema is generated from them, and a test holds
//! `docs/scenario-format.md`'s key tables against them. One list, so the three cannot drift.

/// What a key holds.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// Free text (a name, a label).
    Str,
    /// A reference to a named block.
    Name,
    /// An integer.
    Int,
    /// `true` or `false`.
    Bool,
    /// A CIDR prefix.
    Prefix,
    /// An IP address.
    Ip,
    /// An AS number.
    Asn,
    /// One of these values, any case.
    Enum(&'static [&'static str]),
    /// An array of names.
    Names,
    /// An array of prefixes.
    Prefixes,
    /// An array of IP addresses.
    Ips,
    /// An array of AS numbers.
    Asns,
    /// An array of prefix strings or tables of these keys (`advertise`).
    Adverts(&'static BlockKeys),
    /// A table of circuit name → count (`as_path_prepend`).
    Prepends,
    /// An array of tables, each a block of these keys (`[[vnet.subnet]]`).
    Blocks(&'static BlockKeys),
}

/// One key of a block.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// Its name.
    pub name: &'static str,
    /// What it holds.
    pub ty: Ty,
    /// Whether the block must have it.
    pub required: bool,
    /// One line on what it means (the schema's description).
    pub doc: &'static str,
}

/// The keys of one kind of block.
#[derive(Debug)]
pub struct BlockKeys {
    /// The block as written (`[[vnet]]`), or what it is (`the scenario's top level`).
    pub what: &'static str,
    /// Its keys, in the order the reference lists them.
    pub keys: &'static [Key],
}

impl BlockKeys {
    /// The key named `name`.
    pub fn get(&self, name: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// Its key names, sorted (for "the keys of … are").
    pub fn sorted_names(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.keys.iter().map(|k| k.name).collect();
        v.sort_unstable();
        v
    }
}

const fn key(name: &'static str, ty: Ty, doc: &'static str) -> Key {
    Key { name, ty, required: false, doc }
}

const fn req(name: &'static str, ty: Ty, doc: &'static str) -> Key {
    Key { name, ty, required: true, doc }
}

/// Next-hop types a route table route may use.
pub const UDR_NEXT_HOP_TYPES: &[&str] = &["VirtualAppliance", "VirtualNetworkGateway", "VnetLocal", "Internet", "None"];

/// Next-hop types a route expectation may name (any the tables show).
pub const NEXT_HOP_TYPES: &[&str] =
    &["VnetLocal", "VNetPeering", "VNetGlobalPeering", "VirtualNetworkGateway", "VirtualAppliance", "Internet", "None"];

/// `[[vnet.subnet]]`.
pub static SUBNET: BlockKeys = BlockKeys {
    what: "[[vnet.subnet]]",
    keys: &[
        req(
            "name",
            Ty::Str,
            "Subnet name, unique in its VNet; GatewaySubnet, RouteServerSubnet and AzureFirewallSubnet are special",
        ),
        req("prefix", Ty::Prefix, "The subnet's prefix, inside the VNet's address space"),
        key("route_table", Ty::Name, "A [[route_table]] associated with the subnet"),
    ],
};

/// `[[vnet]]`.
pub static VNET: BlockKeys = BlockKeys {
    what: "[[vnet]]",
    keys: &[
        req("name", Ty::Str, "VNet name"),
        key("region", Ty::Str, "Azure region (default \"default\"); peerings across regions are global"),
        req("address_space", Ty::Prefixes, "Address-space prefixes (IPv4, and IPv6 for dual stack)"),
        key("subnet", Ty::Blocks(&SUBNET), "The VNet's subnets"),
    ],
};

/// `[[nic]]`.
pub static NIC: BlockKeys = BlockKeys {
    what: "[[nic]]",
    keys: &[
        req("name", Ty::Str, "NIC name"),
        req("vnet", Ty::Name, "Its VNet"),
        req("subnet", Ty::Name, "Its subnet (a subnet name of that VNet)"),
        key("ip", Ty::Ip, "Private address (default: the lowest free from .4 up, in NIC-name order)"),
        key("ip_forwarding", Ty::Bool, "Forwards traffic not addressed to it (an NVA); default false"),
        key("vm", Ty::Str, "VM label, usable as a name in reach and [[expect]]"),
        key(
            "stateful",
            Ty::Bool,
            "With ip_forwarding: drops asymmetric flows like Azure Firewall (D19); default false",
        ),
        key("primary", Ty::Bool, "The NIC reach uses for its VM when several share the label"),
    ],
};

/// `[[peering]]`.
pub static PEERING: BlockKeys = BlockKeys {
    what: "[[peering]]",
    keys: &[
        key("from", Ty::Name, "The VNet holding this direction (with `to`)"),
        key("to", Ty::Name, "The remote VNet (with `from`)"),
        key("vnets", Ty::Names, "Both VNets, both directions at once (instead of from/to)"),
        key("transit_via", Ty::Name, "With `vnets`: the hub, which allows gateway transit; the other uses it"),
        key("allow_virtual_network_access", Ty::Bool, "allowVirtualNetworkAccess (default true)"),
        key("allow_forwarded_traffic", Ty::Bool, "allowForwardedTraffic (default false)"),
        key("allow_gateway_transit", Ty::Bool, "allowGatewayTransit, from/to only (default false)"),
        key("use_remote_gateways", Ty::Bool, "useRemoteGateways, from/to only (default false)"),
    ],
};

/// `[[gateway]]`.
pub static GATEWAY: BlockKeys = BlockKeys {
    what: "[[gateway]]",
    keys: &[
        req("name", Ty::Str, "Gateway name"),
        req("vnet", Ty::Name, "Its VNet (which needs a GatewaySubnet)"),
        req("type", Ty::Enum(&["ExpressRoute", "Vpn"]), "ExpressRoute or Vpn"),
        key("sku", Ty::Str, "SKU of its type (default the smallest AZ SKU)"),
        key("asn", Ty::Asn, "BGP ASN (65515; only VPN gateways may change it)"),
        key("bgp", Ty::Bool, "VPN: BGP enabled (default false)"),
        key("active_active", Ty::Bool, "VPN: active-active (default false)"),
        key(
            "allow_remote_vnet_traffic",
            Ty::Bool,
            "ExpressRoute: accept other VNets' routes over a shared circuit (default false, D4)",
        ),
        key(
            "ips",
            Ty::Ips,
            "Instance BGP addresses in GatewaySubnet: VPN one (active-standby) or two (active-active); ExpressRoute two",
        ),
        key("default_site", Ty::Name, "VPN: the local gateway that gets traffic with no other route (D20)"),
        key("public_ip", Ty::Ip, "VPN: next hop shown for an active-standby gateway's routes"),
    ],
};

/// `[[circuit]]`.
pub static CIRCUIT: BlockKeys = BlockKeys {
    what: "[[circuit]]",
    keys: &[
        req("name", Ty::Str, "Circuit name"),
        key("location", Ty::Str, "Peering location"),
        key("sku", Ty::Enum(&["Local", "Standard", "Premium"]), "Local, Standard (default) or Premium"),
        key("bandwidth_mbps", Ty::Int, "Bandwidth in Mbps"),
        key("next_hops", Ty::Ips, "MSEE addresses Azure shows as next hops (placeholders if left out)"),
    ],
};

/// An `[[onprem]]` `advertise` entry written as a table.
pub static ONPREM_ADVERT: BlockKeys = BlockKeys {
    what: "an [[onprem]] `advertise` entry",
    keys: &[
        req("prefix", Ty::Prefix, "The prefix"),
        key("as_path", Ty::Asns, "The AS path behind the router (it prepends its own ASN when it sends)"),
    ],
};

/// `[[onprem]]`.
pub static ONPREM: BlockKeys = BlockKeys {
    what: "[[onprem]]",
    keys: &[
        req("name", Ty::Str, "Router name"),
        req("asn", Ty::Asn, "Its ASN"),
        key("circuits", Ty::Names, "Circuits whose private peering it holds"),
        key("advertise", Ty::Adverts(&ONPREM_ADVERT), "Prefixes it originates: strings or { prefix, as_path }"),
        key("as_path_prepend", Ty::Prepends, "Extra copies of its ASN toward a circuit: { circuit = n }"),
    ],
};

/// `[[connection]]`.
pub static CONNECTION: BlockKeys = BlockKeys {
    what: "[[connection]]",
    keys: &[
        req("name", Ty::Str, "Connection name"),
        req("gateway", Ty::Name, "The Azure gateway it belongs to"),
        key("circuit", Ty::Name, "ExpressRoute: the circuit"),
        key("local_gateway", Ty::Name, "Site-to-site VPN: the local network gateway"),
        key("remote_gateway", Ty::Name, "VNet-to-VNet VPN: the other VPN gateway"),
        key("routing_weight", Ty::Int, "ExpressRoute: higher wins (default 0)"),
        key("bgp", Ty::Bool, "VPN: BGP over the tunnel (default false)"),
    ],
};

/// `[[local_gateway]]`.
pub static LOCAL_GATEWAY: BlockKeys = BlockKeys {
    what: "[[local_gateway]]",
    keys: &[
        req("name", Ty::Str, "Local network gateway name"),
        key("address_prefixes", Ty::Prefixes, "Static prefixes, installed whether or not BGP runs (R49)"),
        key("bgp_asn", Ty::Asn, "BGP ASN of the device"),
        key("bgp_peer_ip", Ty::Ip, "BGP peer address of the device"),
        key("onprem", Ty::Name, "The [[onprem]] router behind it"),
    ],
};

/// `[[route_server]]`.
pub static ROUTE_SERVER: BlockKeys = BlockKeys {
    what: "[[route_server]]",
    keys: &[
        req("name", Ty::Str, "Route server name"),
        req("vnet", Ty::Name, "Its VNet (which needs a RouteServerSubnet)"),
        key("branch_to_branch", Ty::Bool, "allowBranchToBranchTraffic (default false)"),
    ],
};

/// A `[[bgp_peer]]` `advertise` entry written as a table.
pub static BGP_PEER_ADVERT: BlockKeys = BlockKeys {
    what: "a [[bgp_peer]] `advertise` entry",
    keys: &[
        req("prefix", Ty::Prefix, "The prefix"),
        key("as_path", Ty::Asns, "The AS path behind it (the NVA prepends its own ASN)"),
        key("next_hop", Ty::Ip, "BGP next hop (default the NVA NIC's address)"),
    ],
};

/// `[[bgp_peer]]`.
pub static BGP_PEER: BlockKeys = BlockKeys {
    what: "[[bgp_peer]]",
    keys: &[
        req("name", Ty::Str, "BGP peer name"),
        req("nic", Ty::Name, "The NVA's NIC"),
        req("route_server", Ty::Name, "The route server it peers with"),
        req("asn", Ty::Asn, "The NVA's ASN"),
        key(
            "advertise",
            Ty::Adverts(&BGP_PEER_ADVERT),
            "Prefixes it advertises: strings or { prefix, as_path, next_hop }",
        ),
    ],
};

/// `[[load_balancer]]`.
pub static LOAD_BALANCER: BlockKeys = BlockKeys {
    what: "[[load_balancer]]",
    keys: &[
        req("name", Ty::Str, "Load balancer name"),
        req("vnet", Ty::Name, "Its VNet"),
        req("subnet", Ty::Name, "Its frontend's subnet"),
        req("frontend_ip", Ty::Ip, "The frontend address (a UDR next hop)"),
        key("backends", Ty::Names, "Backend NICs"),
        key("ha_ports", Ty::Bool, "HA ports (default true)"),
    ],
};

/// `[[route_table.route]]`.
pub static ROUTE: BlockKeys = BlockKeys {
    what: "[[route_table.route]]",
    keys: &[
        req("name", Ty::Str, "Route name (User Defined Route Name)"),
        req("prefix", Ty::Prefix, "Destination prefix"),
        req("next_hop_type", Ty::Enum(UDR_NEXT_HOP_TYPES), "Next hop type"),
        key("next_hop_ip", Ty::Ip, "Next hop address, VirtualAppliance only"),
    ],
};

/// `[[route_table]]`.
pub static ROUTE_TABLE: BlockKeys = BlockKeys {
    what: "[[route_table]]",
    keys: &[
        req("name", Ty::Str, "Route table name"),
        key("disable_bgp_route_propagation", Ty::Bool, "\"Propagate gateway routes = No\" (default false)"),
        key("route", Ty::Blocks(&ROUTE), "Its routes, in order"),
    ],
};

/// `[[firewall]]`.
pub static FIREWALL: BlockKeys = BlockKeys {
    what: "[[firewall]]",
    keys: &[
        req("name", Ty::Str, "Firewall name"),
        req("vnet", Ty::Name, "Its VNet (which needs an AzureFirewallSubnet)"),
        key("ip", Ty::Ip, "Private address (default .4 of AzureFirewallSubnet)"),
    ],
};

/// `[[expect]]`.
pub static EXPECT: BlockKeys = BlockKeys {
    what: "[[expect]]",
    keys: &[
        key("name", Ty::Str, "Test-case name in reports"),
        key("from", Ty::Str, "Reachability: where the packet starts (any name reach resolves)"),
        key("to", Ty::Str, "Reachability: where it goes"),
        key("reachable", Ty::Bool, "Reachability: delivered both ways (default true), or false for isolation"),
        key("symmetric", Ty::Bool, "Reachability: an asymmetric path fails"),
        key(
            "resilient",
            Ty::Bool,
            "Reachability: must still hold with any single element down (circuit, gateway, connection, route server, NVA session, firewall)",
        ),
        key("nic", Ty::Name, "Route: the NIC whose table is checked"),
        key("subnet", Ty::Str, "Route: the subnet (vnet/subnet) whose table is checked"),
        key("prefix", Ty::Prefix, "Route: exactly this prefix"),
        key("next_hop_type", Ty::Enum(NEXT_HOP_TYPES), "Route: next hop type (API spelling)"),
        key("next_hop_ip", Ty::Ip, "Route: next hop address"),
        key("state", Ty::Enum(&["Active", "Invalid"]), "Route: state (default Active)"),
        key("absent", Ty::Bool, "Route: no such row may exist"),
    ],
};

/// The top level: scalar keys and the blocks.
pub static TOP: BlockKeys = BlockKeys {
    what: "the scenario's top level",
    keys: &[
        key("format", Ty::Int, "Format version (1)"),
        key("name", Ty::Str, "A title for the design"),
        key("description", Ty::Str, "Free text"),
        key(
            "system_routes",
            Ty::Enum(&["documented", "none", "extended", "legacy-2021"]),
            "Reserved None rows profile (D3), default documented",
        ),
        key("vnet", Ty::Blocks(&VNET), "Virtual networks"),
        key("nic", Ty::Blocks(&NIC), "Network interfaces"),
        key("peering", Ty::Blocks(&PEERING), "VNet peerings"),
        key("gateway", Ty::Blocks(&GATEWAY), "ExpressRoute and VPN gateways"),
        key("circuit", Ty::Blocks(&CIRCUIT), "ExpressRoute circuits"),
        key("onprem", Ty::Blocks(&ONPREM), "On-premises routers"),
        key("connection", Ty::Blocks(&CONNECTION), "Gateway connections"),
        key("local_gateway", Ty::Blocks(&LOCAL_GATEWAY), "Local network gateways (VPN sites)"),
        key("route_server", Ty::Blocks(&ROUTE_SERVER), "Azure Route Servers"),
        key("bgp_peer", Ty::Blocks(&BGP_PEER), "NVAs peering with a route server"),
        key("load_balancer", Ty::Blocks(&LOAD_BALANCER), "Internal load balancers"),
        key("route_table", Ty::Blocks(&ROUTE_TABLE), "Route tables"),
        key("firewall", Ty::Blocks(&FIREWALL), "Azure Firewalls"),
        key("expect", Ty::Blocks(&EXPECT), "Design expectations check evaluates"),
    ],
};

/// Azure resources people write as blocks that format v1 does not model: (block names it might be
/// written as, what it is, what ersim assumes instead). Such a block gets "not modelled" rather
/// than a "did you mean" toward an unrelated block.
pub const NOT_MODELLED: &[(&[&str], &str, &str)] = &[
    (
        &["nsg", "nsgs", "network_security_group", "network_security_groups", "security_rule"],
        "network security groups (NSGs)",
        "every verdict assumes NSGs allow the flow",
    ),
    (
        &["virtual_wan", "vwan", "virtual_hub", "vhub", "vpn_site"],
        "Virtual WAN",
        "model the hub as a VNet with gateways",
    ),
    (&["global_reach"], "ExpressRoute Global Reach", "circuits do not exchange routes with each other (R59)"),
    (
        &["private_endpoint", "private_endpoints", "service_endpoint", "service_endpoints"],
        "private and service endpoints",
        "their /32 and service rows are not shown",
    ),
    (
        &["p2s", "point_to_site", "vpn_client"],
        "point-to-site VPN",
        "only site-to-site and VNet-to-VNet VPN are modelled",
    ),
    (
        &["nat_gateway", "public_ip", "application_gateway", "bastion"],
        "NAT gateways, public IPs, application gateways and Bastion hosts",
        "they do not change effective routes",
    ),
];

/// Every block's keys (sub-blocks included), top level first.
pub fn all_blocks() -> Vec<&'static BlockKeys> {
    fn walk(b: &'static BlockKeys, out: &mut Vec<&'static BlockKeys>) {
        out.push(b);
        for k in b.keys {
            match k.ty {
                Ty::Blocks(sub) | Ty::Adverts(sub) => walk(sub, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&TOP, &mut out);
    out
}
