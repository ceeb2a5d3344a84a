//! Validation: one case per rule of scenario-format.md "Validation", asserting code, message and line:col.
//!
//! Each error case is a small scenario that breaks exactly one rule. The case asserts that the
//! scenario has exactly that one error, its `code`, a distinctive part of its message, the 1-based
//! `line:col` of its primary span (counted by hand in the text above it), a `help:` line and, where
//! the error points at a second place, that note. Warning cases assert that the scenario still loads.

use ersim::diag::{Diagnostic, Severity};
use ersim::model::{GatewayKind, NextHopType};

use super::common::*;

/// One error case: a scenario with a single error, and what that error must say and where.
struct Case {
    text: &'static str,
    code: &'static str,
    /// A distinctive substring of the message.
    message: &'static str,
    /// `line:col` (1-based) of the primary span.
    at: (usize, usize),
    /// A substring of one `help:` line.
    help: &'static str,
    /// A secondary place (`line:col`, substring of its label) the error must point at too.
    note: Option<((usize, usize), &'static str)>,
}

/// The fields a case leaves out (`..BASE`): no note.
const BASE: Case = Case { text: "", code: "", message: "", at: (0, 0), help: "", note: None };

fn render(ds: &[Diagnostic], text: &str) -> String {
    ds.iter().map(|d| format!("[{}] {}", d.code, d.render("test.toml", text))).collect()
}

/// Assert a case; returns its diagnostic for further checks.
fn check(c: &Case) -> Diagnostic {
    assert!(!c.text.is_empty() && !c.code.is_empty() && !c.message.is_empty() && !c.help.is_empty());
    let all = errors(c.text);
    let errs: Vec<&Diagnostic> = all.iter().filter(|d| d.severity == Severity::Error).collect();
    let dump = render(&all, c.text);
    assert_eq!(errs.len(), 1, "expected exactly one error `{}`, got:\n{dump}", c.code);
    let d = errs[0];
    assert_eq!(d.code, c.code, "code\n{dump}");
    assert!(d.message.contains(c.message), "message should contain {:?}\n{dump}", c.message);
    assert_eq!(d.line_col(c.text), Some(c.at), "line:col of the primary span\n{dump}");
    assert!(d.help.iter().any(|h| h.contains(c.help)), "a help line should contain {:?}\n{dump}", c.help);
    if let Some((at, label)) = c.note {
        assert!(
            d.notes.iter().any(|n| ersim::diag::line_col(c.text, n.span.start) == at && n.label.contains(label)),
            "a note at {at:?} labelled {label:?}\n{dump}"
        );
    }
    d.clone()
}

/// The warnings of a scenario that must still load (and simulate) despite them.
fn loads_with_warnings(text: &str) -> Vec<Diagnostic> {
    let w = warnings(text);
    assert!(w.iter().all(|d| d.severity == Severity::Warning), "only warnings expected\n{}", render(&w, text));
    sim(text);
    w
}

/// The only warning with `code`.
fn only_warning<'a>(ws: &'a [Diagnostic], code: &str, text: &str) -> &'a Diagnostic {
    let hits: Vec<&Diagnostic> = ws.iter().filter(|d| d.code == code).collect();
    assert_eq!(hits.len(), 1, "expected one `{code}` warning\n{}", render(ws, text));
    hits[0]
}

/// One `#[test]` per case.
macro_rules! error_cases {
    ($($(#[$m:meta])* $name:ident => $case:expr;)*) => {
        $( $(#[$m])* #[test] fn $name() { check(&$case); } )*
    };
}

// ------------------------------------------------------------------ shape (read.rs)

error_cases! {
    /// A misspelt key is refused, with the key the author meant.
    unknown_key_suggests_the_known_key => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[peering]]
vnets = ["hub00", "spoke10"]
allow_forwarded_trafic = true
"#,
        code: "unknown-key",
        message: "unknown key `allow_forwarded_trafic` in [[peering]]",
        at: (9, 1),
        help: "did you mean `allow_forwarded_traffic`?",
        ..BASE
    };

    /// `[vnet]` (one table) where the format wants `[[vnet]]` blocks.
    single_bracket_block => Case {
        text: r#"[vnet]
name = "hub00"
address_space = ["10.0.0.0/16"]
"#,
        code: "wrong-type",
        message: "`vnet` in the scenario's top level must be an array of tables, not a table",
        at: (1, 1),
        help: "write each block with double brackets, `[[vnet]]`",
        ..BASE
    };

    single_bracket_nested_block => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[vnet.subnet]
name = "default"
prefix = "10.0.0.0/24"
"#,
        code: "wrong-type",
        message: "`subnet` in [[vnet]] must be an array of tables, not a table",
        at: (4, 1),
        help: "`[[vnet.subnet]]`",
        ..BASE
    };

    /// A value of the wrong TOML type, pointed at the value.
    wrong_value_type => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = "10.0.0.0/16"
"#,
        code: "wrong-type",
        message: "`address_space` in [[vnet]] must be an array of strings, not a string",
        at: (3, 17),
        help: r#"write it like `address_space = ["10.0.0.0/16"]`"#,
        ..BASE
    };

    /// A required key that is missing, pointed at the block header.
    missing_required_key => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[nic]]
name = "nic1"
vnet = "hub00"
"#,
        code: "missing-key",
        message: "[[nic]] is missing `subnet`",
        at: (4, 1),
        help: "add `subnet = \"default\"`",
        ..BASE
    };

    /// A block kind format v1 does not have.
    unknown_top_level_block => Case {
        text: r#"[[vnets]]
name = "hub00"
address_space = ["10.0.0.0/16"]
"#,
        code: "unknown-key",
        message: "unknown top-level key or block `vnets`",
        at: (1, 3),
        help: "did you mean `vnet`?",
        ..BASE
    };

    /// Invalid TOML stops before shape, at the offending character.
    toml_syntax_error => Case {
        text: r#"[[vnet]]
name = hub00
address_space = ["10.0.0.0/16"]
"#,
        code: "syntax",
        message: "invalid TOML",
        at: (2, 8),
        help: "fix the TOML syntax",
        ..BASE
    };

    /// A file from a future format is refused (and nothing else is reported about it).
    future_format_is_refused => Case {
        text: r#"format = 2
[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
future_key = true
"#,
        code: "format",
        message: "this scenario is format 2, from a future ersim",
        at: (1, 10),
        help: "upgrade ersim",
        ..BASE
    };

    /// An enum value that is not one of the ARM spellings, with the closest one.
    bad_enum_value_suggests_the_spelling => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[gateway]]
name = "ergw"
vnet = "hub00"
type = "ExpresRoute"
"#,
        code: "bad-value",
        message: "gateway `type` `ExpresRoute` is not one of: ExpressRoute, Vpn",
        at: (10, 8),
        help: "did you mean `ExpressRoute`?",
        ..BASE
    };

    /// A route next hop type outside the UDR set.
    bad_next_hop_type_suggests_the_spelling => Case {
        text: r#"[[route_table]]
name = "rt"
[[route_table.route]]
name = "r1"
prefix = "10.20.0.0/16"
next_hop_type = "VirtualApliance"
next_hop_ip = "10.0.1.4"
"#,
        code: "bad-value",
        message: "next_hop_type `VirtualApliance` is not one of",
        at: (6, 17),
        help: "did you mean `VirtualAppliance`?",
        ..BASE
    };
}

#[test]
fn enum_values_are_case_insensitive() {
    let text = r#"system_routes = "EXTENDED"
[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[vnet.subnet]]
name = "default"
prefix = "10.0.0.0/24"
route_table = "rt"
[[gateway]]
name = "ergw"
vnet = "hub00"
type = "expressroute"
sku = "ergw2az"
[[gateway]]
name = "vpngw"
vnet = "hub00"
type = "VPN"
sku = "vpngw2"
[[circuit]]
name = "c1"
sku = "premium"
[[nic]]
name = "nic1"
vnet = "hub00"
subnet = "default"
ip_forwarding = true
[[route_table]]
name = "rt"
[[route_table.route]]
name = "r1"
prefix = "10.20.0.0/16"
next_hop_type = "virtualappliance"
next_hop_ip = "10.0.0.4"
[[route_table.route]]
name = "r2"
prefix = "10.30.0.0/16"
next_hop_type = "INTERNET"
[[expect]]
nic = "nic1"
prefix = "10.20.0.0/16"
next_hop_type = "virtualappliance"
state = "active"
"#;
    let m = sim(text).model;
    let er = &m.gateways[m.gateway_by_name("ergw").unwrap().idx()];
    let vpn = &m.gateways[m.gateway_by_name("vpngw").unwrap().idx()];
    assert_eq!((er.kind, er.sku.name()), (GatewayKind::ExpressRoute, "ErGw2AZ"));
    assert_eq!((vpn.kind, vpn.sku.name()), (GatewayKind::Vpn, "VpnGw2"));
    assert_eq!(m.system_routes, ersim::model::SystemRoutes::Extended);
    assert_eq!(m.circuits[0].sku, ersim::model::CircuitSku::Premium);
    let types: Vec<NextHopType> = m.route_tables[0].routes.iter().map(|r| r.next_hop_type).collect();
    assert_eq!(types, [NextHopType::VirtualAppliance, NextHopType::Internet]);
    assert_eq!(m.expects.len(), 1);
}

// ------------------------------------------------------------------ names

error_cases! {
    /// A reference to a name that does not exist, with the closest existing name.
    unknown_reference_suggests_the_closest_name => Case {
        text: r#"[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.10.0.0/24"
[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[nic]]
name = "nic1"
vnet = "spoke1"
subnet = "default"
"#,
        code: "unknown-name",
        message: "unknown VNet `spoke1`",
        at: (12, 8),
        help: "did you mean `spoke10`?",
        ..BASE
    };

    /// A subnet that its VNet does not have, with the closest subnet name.
    unknown_subnet_suggests_the_closest_name => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.0.0.0/24"
[[nic]]
name = "nic1"
vnet = "hub00"
subnet = "defualt"
"#,
        code: "unknown-name",
        message: "VNet `hub00` has no subnet `defualt`",
        at: (10, 10),
        help: "did you mean `default`?",
        ..BASE
    };

    /// Two blocks of one kind with one name; the error points at the second and notes the first.
    duplicate_name_notes_the_first_definition => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "hub00"
address_space = ["10.1.0.0/16"]
"#,
        code: "duplicate-name",
        message: "duplicate VNet name `hub00`",
        at: (5, 8),
        help: "rename one",
        note: Some(((2, 8), "first defined here")),
    };

    /// Subnet names are unique within their VNet.
    duplicate_subnet_name_in_one_vnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.1.0/24"
"#,
        code: "duplicate-name",
        message: "duplicate subnet name `default` in VNet `hub00`",
        at: (8, 10),
        help: "rename one",
        note: Some(((5, 10), "first defined here")),
    };

    /// A `/` in a name: Azure names cannot hold one (and `vnet/subnet` paths would be ambiguous).
    slash_in_a_vnet_name => Case {
        text: r#"[[vnet]]
name = "hub/00"
address_space = ["10.0.0.0/16"]
"#,
        code: "bad-name",
        message: "a VNet name must not contain `/` (`hub/00`)",
        at: (2, 8),
        help: "Azure names cannot contain `/`",
        ..BASE
    };

    slash_in_a_subnet_name => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "web/1"
  prefix = "10.0.1.0/24"
"#,
        code: "bad-name",
        message: "a subnet name must not contain `/` (`web/1`)",
        at: (5, 10),
        help: "write `web-1` instead",
        ..BASE
    };

    /// A VM label is a name too (`reach` and `[[expect]]` accept it).
    slash_in_a_vm_label => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"
[[nic]]
name = "nic1"
vnet = "hub00"
subnet = "default"
vm = "web/1"
"#,
        code: "bad-name",
        message: "a `vm` label must not contain `/` (`web/1`)",
        at: (11, 6),
        help: "write `web-1` instead",
        ..BASE
    };

    slash_in_a_route_name => Case {
        text: r#"[[route_table]]
name = "rt"
  [[route_table.route]]
  name = "to/spoke20"
  prefix = "10.20.0.0/16"
  next_hop_type = "None"
"#,
        code: "bad-name",
        message: "a route name must not contain `/` (`to/spoke20`)",
        at: (4, 10),
        help: "write `to-spoke20` instead",
        ..BASE
    };
}

/// VNet `a/b` with subnet `x` and VNet `a` with subnet `b/x` would both be `a/b/x` (for
/// `routes --subnet` and `[[expect]] subnet`): each `/` is an error where the name is written,
/// and nothing else is (the names still resolve).
#[test]
fn a_slash_in_a_vnet_or_subnet_name_cannot_make_two_subnets_one_path() {
    let text = r#"[[vnet]]
name = "a/b"
address_space = ["10.1.0.0/16"]
  [[vnet.subnet]]
  name = "x"
  prefix = "10.1.0.0/24"
[[vnet]]
name = "a"
address_space = ["10.2.0.0/16"]
  [[vnet.subnet]]
  name = "b/x"
  prefix = "10.2.0.0/24"
[[expect]]
subnet = "a/b/x"
prefix = "10.1.0.0/16"
"#;
    let ds = errors(text);
    let dump = render(&ds, text);
    let errs: Vec<&Diagnostic> = ds.iter().filter(|d| d.severity == Severity::Error).collect();
    let got: Vec<(&str, &str, (usize, usize))> =
        errs.iter().map(|d| (d.code.as_str(), d.message.as_str(), d.line_col(text).unwrap())).collect();
    assert_eq!(
        got,
        [
            ("bad-name", "a VNet name must not contain `/` (`a/b`)", (2, 8)),
            ("bad-name", "a subnet name must not contain `/` (`b/x`)", (11, 10)),
        ],
        "\n{dump}"
    );
    for (d, fixed) in errs.iter().zip(["a-b", "b-x"]) {
        assert!(d.help.iter().any(|h| h.contains("Azure names cannot contain `/`")), "\n{dump}");
        assert!(d.help.iter().any(|h| h.contains(&format!("write `{fixed}` instead"))), "\n{dump}");
    }
}

// ------------------------------------------------------------------ prefixes and address spaces

error_cases! {
    /// Host bits set: the help shows the network address the author meant.
    host_bits_show_the_corrected_prefix => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.1/16"]
"#,
        code: "host-bits",
        message: "address-space prefix `10.0.0.1/16` has host bits set",
        at: (3, 18),
        help: "write `10.0.0.0/16`",
        ..BASE
    };

    subnet_outside_the_address_space => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.1.0.0/24"
"#,
        code: "subnet-outside-space",
        message: "subnet `default` (10.1.0.0/24) lies outside the address space of VNet `hub00` (10.0.0.0/16)",
        at: (6, 10),
        help: "add a covering prefix to the VNet's `address_space`",
        ..BASE
    };

    /// The later subnet in the file is the one reported, whatever the prefix order.
    overlapping_subnets => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "a"
prefix = "10.0.0.128/25"
[[vnet.subnet]]
name = "b"
prefix = "10.0.0.0/24"
"#,
        code: "overlapping-subnets",
        message: "subnets 10.0.0.128/25 and 10.0.0.0/24 of VNet `hub00` overlap",
        at: (9, 10),
        help: "change one prefix",
        note: Some(((6, 10), "overlaps this subnet")),
    };

    overlapping_address_spaces_within_a_vnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16", "10.0.128.0/17"]
"#,
        code: "overlapping-address-space",
        message: "address-space prefixes 10.0.0.0/16 and 10.0.128.0/17 of one VNet overlap",
        at: (3, 33),
        help: "remove or change one",
        note: Some(((3, 18), "overlaps this one")),
    };
}

// ------------------------------------------------------------------ peerings

error_cases! {
    /// Azure refuses to peer overlapping VNets: one error for the pair, whichever VNet is named first.
    peering_between_overlapping_vnets => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.0.0.0/8"]
[[peering]]
vnets = ["spoke10", "hub00"]
"#,
        code: "peering-overlap",
        message: "have overlapping address spaces and cannot be peered",
        at: (7, 1),
        help: "change one address space",
        ..BASE
    };

    /// `use_remote_gateways` needs `allow_gateway_transit` on the way back.
    use_remote_gateways_without_gateway_transit => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[gateway]]
name = "ergw"
vnet = "hub00"
type = "ExpressRoute"
[[peering]]
from = "spoke10"
to = "hub00"
use_remote_gateways = true
[[peering]]
from = "hub00"
to = "spoke10"
"#,
        code: "no-gateway-transit",
        message: "`spoke10` uses remote gateways but `hub00` does not allow gateway transit",
        at: (14, 1),
        help: "set `allow_gateway_transit = true` on the `hub00` → `spoke10` peering",
        ..BASE
    };

    /// `use_remote_gateways` (here through `transit_via`) toward a VNet without gateway or route server.
    use_remote_gateways_without_remote_gateway => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[peering]]
vnets = ["hub00", "spoke10"]
transit_via = "hub00"
"#,
        code: "no-remote-gateway",
        message: "`spoke10` uses remote gateways over its peering with `hub00`, which has no gateway or route server",
        at: (7, 1),
        help: "add a gateway or route server to `hub00`",
        ..BASE
    };

    /// A VNet with a gateway of its own cannot use remote gateways.
    use_remote_gateways_with_own_gateway => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.10.200.0/24"
[[gateway]]
name = "ergw-hub00"
vnet = "hub00"
type = "ExpressRoute"
[[gateway]]
name = "ergw-spoke10"
vnet = "spoke10"
type = "ExpressRoute"
[[peering]]
vnets = ["hub00", "spoke10"]
transit_via = "hub00"
"#,
        code: "own-gateway",
        message: "`spoke10` has a gateway of its own and cannot use remote gateways",
        at: (21, 1),
        help: "remove the gateway from `spoke10`",
        ..BASE
    };

    /// At most one peering of a VNet uses remote gateways; the later one in the file is reported.
    use_remote_gateways_on_two_peerings => Case {
        text: r#"[[vnet]]
name = "hub1"
address_space = ["10.1.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.1.200.0/24"
[[vnet]]
name = "hub2"
address_space = ["10.2.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.2.200.0/24"
[[vnet]]
name = "spoke"
address_space = ["10.10.0.0/16"]
[[gateway]]
name = "gw1"
vnet = "hub1"
type = "ExpressRoute"
[[gateway]]
name = "gw2"
vnet = "hub2"
type = "ExpressRoute"
[[peering]]
vnets = ["hub2", "spoke"]
transit_via = "hub2"
[[peering]]
vnets = ["hub1", "spoke"]
transit_via = "hub1"
"#,
        code: "second-remote-gateway",
        message: "`spoke` uses remote gateways on more than one peering",
        at: (27, 1),
        help: "turn it off on all but one",
        note: Some(((24, 1), "first peering with use_remote_gateways")),
    };

    /// One direction written twice.
    same_ordered_pair_peered_twice => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[peering]]
from = "spoke10"
to = "hub00"
[[peering]]
from = "spoke10"
to = "hub00"
"#,
        code: "duplicate-peering",
        message: "VNets `spoke10` → `hub00` are peered twice",
        at: (10, 1),
        help: "Azure holds one peering per direction",
        note: Some(((7, 1), "first peering in this direction")),
    };

    /// `vnets` already declares both directions; a `from`/`to` for one of them repeats it.
    same_ordered_pair_peered_twice_with_vnets => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[peering]]
vnets = ["hub00", "spoke10"]
[[peering]]
from = "spoke10"
to = "hub00"
"#,
        code: "duplicate-peering",
        message: "VNets `spoke10` → `hub00` are peered twice",
        at: (9, 1),
        help: "the `vnets` shorthand already covers both directions",
        note: Some(((7, 1), "first peering in this direction")),
    };

    /// Two peers of one VNet whose spaces overlap: the later peering in the file is refused.
    two_peers_of_one_vnet_overlap => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke-a"
address_space = ["10.10.0.0/16"]
[[vnet]]
name = "spoke-b"
address_space = ["10.10.0.0/24"]
[[peering]]
vnets = ["hub00", "spoke-b"]
[[peering]]
vnets = ["hub00", "spoke-a"]
"#,
        code: "peers-overlap",
        message: "VNet `hub00` cannot be peered with both `spoke-a` (10.10.0.0/16) and `spoke-b` (10.10.0.0/24)",
        at: (12, 1),
        help: "Azure refuses the second peering",
        note: Some(((10, 1), "the earlier peering")),
    };
}

error_cases! {
    /// A VNet named twice in `vnets`: one error, not one per direction.
    peering_a_vnet_with_itself => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[peering]]
vnets = ["hub00", "hub00"]
"#,
        code: "self-peering",
        message: "VNet `hub00` is peered with itself",
        at: (5, 19),
        help: "two different VNets",
        ..BASE
    };

    /// A `[[peering]]` has either `from`+`to` or `vnets`, never both.
    peering_with_both_forms => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[peering]]
from = "spoke10"
to = "hub00"
vnets = ["hub00", "spoke10"]
"#,
        code: "peering-form",
        message: "either `from` and `to`, or `vnets`, never both",
        at: (7, 1),
        help: "`vnets = [\"hub00\", \"spoke10\"]` for both",
        ..BASE
    };

    /// `transit_via` names one of the two peered VNets.
    transit_via_outside_the_pair => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[peering]]
vnets = ["hub00", "spoke10"]
transit_via = "hub0"
"#,
        code: "transit-via",
        message: "`transit_via` must be one of the peered VNets (`hub00` or `spoke10`), not `hub0`",
        at: (9, 15),
        help: "did you mean `hub00`?",
        ..BASE
    };
}

#[test]
fn one_directional_peering_warns_and_still_loads() {
    let text = r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
address_space = ["10.10.0.0/16"]
[[peering]]
from = "spoke10"
to = "hub00"
"#;
    let ws = loads_with_warnings(text);
    let w = only_warning(&ws, "one-directional-peering", text);
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("peering `spoke10` → `hub00` has no peering back"), "{}", w.message);
    assert_eq!(w.line_col(text), Some((9, 6)));
    assert!(w.help.iter().any(|h| h.contains("add the `hub00` → `spoke10` direction")), "{:?}", w.help);
}

// ------------------------------------------------------------------ gateways, route servers, firewalls

error_cases! {
    gateway_without_gateway_subnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[gateway]]
name = "ergw"
vnet = "hub00"
type = "ExpressRoute"
"#,
        code: "missing-gateway-subnet",
        message: "gateway `ergw` needs a subnet named GatewaySubnet in VNet `hub00`",
        at: (6, 8),
        help: "name = \"GatewaySubnet\"",
        ..BASE
    };

    route_server_without_route_server_subnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[route_server]]
name = "rs"
vnet = "hub00"
"#,
        code: "missing-route-server-subnet",
        message: "route server `rs` needs a subnet named RouteServerSubnet in VNet `hub00`",
        at: (6, 8),
        help: "name = \"RouteServerSubnet\"",
        ..BASE
    };

    firewall_without_azure_firewall_subnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[firewall]]
name = "afw"
vnet = "hub00"
"#,
        code: "missing-firewall-subnet",
        message: "firewall `afw` needs a subnet named AzureFirewallSubnet in VNet `hub00`",
        at: (6, 8),
        help: "name = \"AzureFirewallSubnet\"",
        ..BASE
    };

    /// At most one ExpressRoute gateway per VNet; the later one in the file is reported.
    second_expressroute_gateway_in_one_vnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[gateway]]
name = "ergw-b"
vnet = "hub00"
type = "ExpressRoute"
[[gateway]]
name = "ergw-a"
vnet = "hub00"
type = "ExpressRoute"
"#,
        code: "second-gateway",
        message: "VNet `hub00` already has an ExpressRoute gateway",
        at: (13, 8),
        help: "at most one ExpressRoute and one VPN gateway",
        note: Some(((7, 1), "the first one")),
    };
}

error_cases! {
    /// A second VPN gateway: one error, not also its default addresses taken twice.
    second_vpn_gateway_in_one_vnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[gateway]]
name = "vpngw-b"
vnet = "hub00"
type = "Vpn"
[[gateway]]
name = "vpngw-a"
vnet = "hub00"
type = "Vpn"
"#,
        code: "second-gateway",
        message: "VNet `hub00` already has a VPN gateway",
        at: (13, 8),
        help: "remove one",
        note: Some(((7, 1), "the first one")),
    };

    /// A second route server: one error, not also its addresses taken twice.
    second_route_server_in_one_vnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "RouteServerSubnet"
prefix = "10.0.250.0/24"
[[route_server]]
name = "rs-b"
vnet = "hub00"
[[route_server]]
name = "rs-a"
vnet = "hub00"
"#,
        code: "second-route-server",
        message: "VNet `hub00` already has a route server",
        at: (12, 8),
        help: "at most one route server",
        note: Some(((7, 1), "the first one")),
    };
}

// ------------------------------------------------------------------ addresses

error_cases! {
    nic_address_outside_its_subnet => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.0.0.0/24"
[[nic]]
name = "nic1"
vnet = "hub00"
subnet = "default"
ip = "10.0.1.4"
"#,
        code: "address-outside-subnet",
        message: "NIC `nic1` address 10.0.1.4 is outside its subnet hub00/default (10.0.0.0/24)",
        at: (11, 6),
        help: "pick an address inside 10.0.0.0/24",
        ..BASE
    };

    /// The same address twice in a VNet; the later one in the file is reported.
    same_address_twice => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.0.0.0/24"
[[nic]]
name = "nic-b"
vnet = "hub00"
subnet = "default"
ip = "10.0.0.4"
[[nic]]
name = "nic-a"
vnet = "hub00"
subnet = "default"
ip = "10.0.0.4"
"#,
        code: "duplicate-address",
        message: "10.0.0.4 is used twice in one VNet: by NIC `nic-a` and by NIC `nic-b`",
        at: (16, 6),
        help: "its own address",
        note: Some(((11, 6), "NIC `nic-b` holds it")),
    };

    /// A firewall and a NIC on one address: the NIC (later in the file) is reported.
    firewall_and_nic_on_one_address => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "AzureFirewallSubnet"
prefix = "10.0.1.0/26"
[[firewall]]
name = "afw"
vnet = "hub00"
ip = "10.0.1.4"
[[nic]]
name = "nic1"
vnet = "hub00"
subnet = "AzureFirewallSubnet"
ip = "10.0.1.4"
"#,
        code: "duplicate-address",
        message: "10.0.1.4 is used twice in one VNet: by NIC `nic1` and by firewall `afw`",
        at: (15, 6),
        help: "its own address",
        note: Some(((10, 6), "firewall `afw` holds it")),
    };

    /// .1 is Azure's (the subnet's default gateway).
    azure_reserved_address => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.0.0.0/24"
[[nic]]
name = "nic1"
vnet = "hub00"
subnet = "default"
ip = "10.0.0.1"
"#,
        code: "reserved-address",
        message: "NIC `nic1` address 10.0.0.1 is reserved by Azure in 10.0.0.0/24",
        at: (11, 6),
        help: "start at .4",
        ..BASE
    };
}

// ------------------------------------------------------------------ route tables

error_cases! {
    virtual_appliance_route_without_next_hop_ip => Case {
        text: r#"[[route_table]]
name = "rt"
[[route_table.route]]
name = "r1"
prefix = "10.20.0.0/16"
next_hop_type = "VirtualAppliance"
"#,
        code: "missing-next-hop-ip",
        message: "a `VirtualAppliance` route needs `next_hop_ip`",
        at: (6, 17),
        help: "add `next_hop_ip = ",
        ..BASE
    };

    next_hop_ip_on_a_non_virtual_appliance_route => Case {
        text: r#"[[route_table]]
name = "rt"
[[route_table.route]]
name = "r1"
prefix = "10.20.0.0/16"
next_hop_type = "Internet"
next_hop_ip = "10.0.1.4"
"#,
        code: "next-hop-ip-not-allowed",
        message: "`next_hop_ip` is only for `VirtualAppliance` routes, not `Internet`",
        at: (7, 15),
        help: "remove `next_hop_ip`",
        ..BASE
    };

    /// Two routes with one prefix in a table: Azure's RouteConflict.
    two_routes_with_one_prefix => Case {
        text: r#"[[route_table]]
name = "rt"
[[route_table.route]]
name = "r1"
prefix = "10.20.0.0/16"
next_hop_type = "None"
[[route_table.route]]
name = "r2"
prefix = "10.20.0.0/16"
next_hop_type = "Internet"
"#,
        code: "route-conflict",
        message: "two routes for 10.20.0.0/16 in one route table (Azure refuses this: RouteConflict)",
        at: (9, 10),
        help: "keep one route per prefix",
        note: Some(((5, 10), "first route for this prefix")),
    };
}

// ------------------------------------------------------------------ keys that do not apply

/// A VNet with a GatewaySubnet, then `[[gateway]]` lines 7-10; the case adds line 11.
macro_rules! gateway_case {
    ($kind:literal, $line:literal) => {
        concat!(
            "[[vnet]]\nname = \"hub00\"\naddress_space = [\"10.0.0.0/16\"]\n",
            "[[vnet.subnet]]\nname = \"GatewaySubnet\"\nprefix = \"10.0.200.0/24\"\n",
            "[[gateway]]\nname = \"gw\"\nvnet = \"hub00\"\ntype = \"",
            $kind,
            "\"\n",
            $line,
            "\n"
        )
    };
}

error_cases! {
    bgp_on_an_expressroute_gateway => Case {
        text: gateway_case!("ExpressRoute", "bgp = true"),
        code: "key-not-applicable",
        message: "`bgp` does not apply to an ExpressRoute gateway",
        at: (11, 7),
        help: "ExpressRoute always speaks BGP",
        ..BASE
    };

    /// Even the default value: the key itself does not belong here.
    active_active_on_an_expressroute_gateway => Case {
        text: gateway_case!("ExpressRoute", "active_active = false"),
        code: "key-not-applicable",
        message: "`active_active` does not apply to an ExpressRoute gateway",
        at: (11, 17),
        help: "it is a VPN gateway setting",
        ..BASE
    };

    /// D20: forced tunnelling is a VPN gateway setting.
    default_site_on_an_expressroute_gateway => Case {
        text: gateway_case!("ExpressRoute", r#"default_site = "lng""#),
        code: "key-not-applicable",
        message: "`default_site` does not apply to an ExpressRoute gateway",
        at: (11, 16),
        help: "VPN gateway's forced-tunnelling setting",
        ..BASE
    };

    /// M1: an ExpressRoute gateway has two instances.
    one_ip_on_an_expressroute_gateway => Case {
        text: gateway_case!("ExpressRoute", r#"ips = ["10.0.200.6"]"#),
        code: "bad-value",
        message: "`ips` lists an ExpressRoute gateway's two instance addresses, not 1",
        at: (11, 7),
        help: "write the addresses in GatewaySubnet",
        ..BASE
    };

    asn_other_than_65515_on_an_expressroute_gateway => Case {
        text: gateway_case!("ExpressRoute", "asn = 65000"),
        code: "key-not-applicable",
        message: "an ExpressRoute gateway's ASN is always 65515, not 65000",
        at: (11, 7),
        help: "remove `asn`",
        ..BASE
    };

    allow_remote_vnet_traffic_on_a_vpn_gateway => Case {
        text: gateway_case!("Vpn", "allow_remote_vnet_traffic = true"),
        code: "key-not-applicable",
        message: "`allow_remote_vnet_traffic` does not apply to a VPN gateway",
        at: (11, 29),
        help: "it is an ExpressRoute gateway setting",
        ..BASE
    };

    /// A reserved ASN on a VPN gateway (64496-64511 is documentation space, R64).
    reserved_asn_on_a_vpn_gateway => Case {
        text: gateway_case!("Vpn", "asn = 64500"),
        code: "reserved-asn",
        message: "VPN gateway ASN 64500 is reserved by Azure",
        at: (11, 7),
        help: "pick another private ASN",
        ..BASE
    };

    /// A gateway SKU of the other type.
    sku_of_the_other_gateway_type => Case {
        text: gateway_case!("ExpressRoute", r#"sku = "VpnGw1""#),
        code: "bad-sku",
        message: "`VpnGw1` is not an ExpressRoute gateway SKU",
        at: (11, 7),
        help: "is a SKU of the other gateway type",
        ..BASE
    };

    /// `asn = 65515` is fine on an ExpressRoute gateway (line 11); `bgp` on its connection is not.
    bgp_on_an_expressroute_connection => Case {
        text: concat!(
            gateway_case!("ExpressRoute", "asn = 65515"),
            "[[circuit]]\nname = \"c1\"\n",
            "[[connection]]\nname = \"conn\"\ngateway = \"gw\"\ncircuit = \"c1\"\nbgp = true\n"
        ),
        code: "key-not-applicable",
        message: "`bgp` does not apply to an ExpressRoute connection",
        at: (18, 7),
        help: "ExpressRoute always speaks BGP",
        ..BASE
    };

    routing_weight_on_a_vpn_connection => Case {
        text: concat!(
            gateway_case!("Vpn", "bgp = false"),
            "[[local_gateway]]\nname = \"lng\"\naddress_prefixes = [\"192.168.0.0/16\"]\n",
            "[[connection]]\nname = \"s2s\"\ngateway = \"gw\"\nlocal_gateway = \"lng\"\nrouting_weight = 10\n"
        ),
        code: "key-not-applicable",
        message: "`routing_weight` applies only to ExpressRoute connections",
        at: (19, 18),
        help: "VPN connections have no routing weight",
        ..BASE
    };
}

// ------------------------------------------------------------------ reserved ASNs (R64)

error_cases! {
    reserved_asn_65515_on_onprem => Case {
        text: r#"[[onprem]]
name = "dc"
asn = 65515
"#,
        code: "reserved-asn",
        message: "on-premises ASN 65515 is reserved by Azure",
        at: (3, 7),
        help: "pick another private ASN such as 65001",
        ..BASE
    };

    reserved_asn_12076_on_a_bgp_peer => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "RouteServerSubnet"
prefix = "10.0.250.0/24"
[[vnet.subnet]]
name = "nva"
prefix = "10.0.1.0/24"
[[route_server]]
name = "rs"
vnet = "hub00"
[[nic]]
name = "nic-nva"
vnet = "hub00"
subnet = "nva"
ip_forwarding = true
[[bgp_peer]]
name = "nva"
nic = "nic-nva"
route_server = "rs"
asn = 12076
"#,
        code: "reserved-asn",
        message: "BGP peer ASN 12076 is reserved by Azure",
        at: (22, 7),
        help: "pick another private ASN",
        ..BASE
    };

    reserved_asn_23456_on_a_local_gateway => Case {
        text: r#"[[local_gateway]]
name = "lng"
address_prefixes = ["192.168.0.0/16"]
bgp_asn = 23456
"#,
        code: "reserved-asn",
        message: "local gateway bgp_asn 23456 is reserved by Azure",
        at: (4, 11),
        help: "pick another private ASN",
        ..BASE
    };
}

// ------------------------------------------------------------------ connections

error_cases! {
    connection_without_a_target => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[gateway]]
name = "ergw"
vnet = "hub00"
type = "ExpressRoute"
[[connection]]
name = "conn"
gateway = "ergw"
"#,
        code: "connection-target",
        message: "connection `conn` must have exactly one of `circuit`, `local_gateway`, `remote_gateway` (it has 0)",
        at: (12, 8),
        help: "`circuit` for ExpressRoute",
        ..BASE
    };

    connection_with_two_targets => Case {
        text: r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[gateway]]
name = "ergw"
vnet = "hub00"
type = "ExpressRoute"
[[circuit]]
name = "c1"
[[local_gateway]]
name = "lng"
[[connection]]
name = "conn"
gateway = "ergw"
circuit = "c1"
local_gateway = "lng"
"#,
        code: "connection-target",
        message: "(it has 2)",
        at: (16, 8),
        help: "`local_gateway` for site-to-site VPN",
        ..BASE
    };
}

/// Two BGP-connected VPN gateways; `$conns` are the connections (from line 23 on).
macro_rules! two_vpn_gateways {
    ($conns:literal) => {
        concat!(
            r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[vnet]]
name = "hub100"
address_space = ["10.100.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.100.200.0/24"
[[gateway]]
name = "vpngw-hub00"
vnet = "hub00"
type = "Vpn"
bgp = true
[[gateway]]
name = "vpngw-hub100"
vnet = "hub100"
type = "Vpn"
bgp = true
"#,
            $conns
        )
    };
}

#[test]
fn same_asn_on_two_bgp_connected_vpn_gateways_warns_once_and_still_loads() {
    let text = two_vpn_gateways!(
        r#"[[connection]]
name = "v2v-hub00"
gateway = "vpngw-hub00"
remote_gateway = "vpngw-hub100"
bgp = true
[[connection]]
name = "v2v-hub100"
gateway = "vpngw-hub100"
remote_gateway = "vpngw-hub00"
bgp = true
"#
    );
    let ws = loads_with_warnings(text);
    let w = only_warning(&ws, "same-asn", text);
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.message.contains("VPN gateways `vpngw-hub00` and `vpngw-hub100` are BGP-connected with the same ASN 65515"),
        "{}",
        w.message
    );
    assert_eq!(w.line_col(text), Some((23, 1)));
    assert!(w.help.iter().any(|h| h.contains("give one of them another ASN")), "{:?}", w.help);
}

/// The warning does not depend on which gateway's name sorts first.
#[test]
fn same_asn_warns_for_a_single_connection_in_either_direction() {
    for (from, to) in [("vpngw-hub00", "vpngw-hub100"), ("vpngw-hub100", "vpngw-hub00")] {
        let text = two_vpn_gateways!(
            "[[connection]]\nname = \"v2v\"\ngateway = \"GW1\"\nremote_gateway = \"GW2\"\nbgp = true\n"
        )
        .replace("GW1", from)
        .replace("GW2", to);
        let ws = loads_with_warnings(&text);
        let w = only_warning(&ws, "same-asn", &text);
        assert_eq!(w.line_col(&text), Some((23, 1)), "{from} -> {to}");
    }
}

// ------------------------------------------------------------------ UDR next hops and prefix limits (warnings)

const UDR_NEXT_HOPS: &str = r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "default"
prefix = "10.0.0.0/24"
route_table = "rt"
[[nic]]
name = "nic-nva"
vnet = "hub00"
subnet = "default"
ip = "10.0.0.4"
[[route_table]]
name = "rt"
[[route_table.route]]
name = "via-nva"
prefix = "0.0.0.0/0"
next_hop_type = "VirtualAppliance"
next_hop_ip = "10.0.0.4"
[[route_table.route]]
name = "via-nothing"
prefix = "10.50.0.0/16"
next_hop_type = "VirtualAppliance"
next_hop_ip = "10.0.0.99"
"#;

#[test]
fn udr_next_hop_that_nothing_forwards_from_warns() {
    let text = UDR_NEXT_HOPS;
    let ws = loads_with_warnings(text);
    let hits: Vec<&Diagnostic> = ws.iter().filter(|d| d.code == "unserved-next-hop").collect();
    assert_eq!(hits.len(), 2, "\n{}", render(&ws, text));
    // a NIC holds it but does not forward
    assert_eq!(hits[0].line_col(text), Some((19, 15)));
    assert!(
        hits[0].message.contains(
            "route `via-nva` of route table `rt` sends traffic to 10.0.0.4, NIC `nic-nva`, which has ip_forwarding off"
        ),
        "{}",
        hits[0].message
    );
    assert!(
        hits[0].help.iter().any(|h| h.contains("set `ip_forwarding = true` on NIC `nic-nva`")),
        "{:?}",
        hits[0].help
    );
    // nothing holds it
    assert_eq!(hits[1].line_col(text), Some((24, 15)));
    assert!(
        hits[1].message.contains("10.0.0.99, which no forwarding NIC, firewall or load-balancer frontend holds"),
        "{}",
        hits[1].message
    );
    assert!(hits[1].help.iter().any(|h| h.contains("point `next_hop_ip` at an NVA NIC")), "{:?}", hits[1].help);
    assert!(hits.iter().all(|d| d.severity == Severity::Warning));
}

#[test]
fn udr_next_hops_held_by_a_forwarding_nic_a_firewall_or_a_load_balancer_do_not_warn() {
    let text = edit(UDR_NEXT_HOPS, "ip = \"10.0.0.4\"\n", "ip = \"10.0.0.4\"\nip_forwarding = true\n");
    let ws = loads_with_warnings(&text);
    let hits: Vec<&Diagnostic> = ws.iter().filter(|d| d.code == "unserved-next-hop").collect();
    assert_eq!(hits.len(), 1, "\n{}", render(&ws, &text));
    assert_eq!(hits[0].line_col(&text), Some((25, 15)), "only the address nothing holds");
    // the complete scenario below routes to a load-balancer frontend and a firewall: no warning
    assert!(warnings(EVERY_BLOCK).iter().all(|d| d.code != "unserved-next-hop"));
}

/// `n` distinct IPv4 /24 prefixes as a TOML array.
fn prefixes(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| format!("\"10.{}.{}.0/24\"", 128 + i / 256, i % 256)).collect();
    format!("[{}]", items.join(", "))
}

/// The prefix-limit findings `check` reports for a scenario (a session over its limit drops: an
/// outage, Part K), and its exit status.
fn prefix_limit_findings(text: &str) -> (Vec<Diagnostic>, u8) {
    let r = ersim::app::check_source("test.toml", text.as_bytes().to_vec()).expect("loads");
    let f: Vec<Diagnostic> = r.findings.iter().filter(|d| d.code == "prefix-limit").cloned().collect();
    assert!(r.warnings.iter().all(|d| d.code != "prefix-limit"), "a session drop is a finding, not a warning");
    (f, r.exit_code())
}

#[test]
fn more_prefixes_than_a_private_peering_accepts_is_a_design_finding() {
    let text = |n: usize, sku: &str| {
        format!(
            "[[vnet]]\nname = \"v\"\naddress_space = [\"10.0.0.0/16\"]\n[[circuit]]\nname = \"c1\"\nsku = \"{sku}\"\n[[onprem]]\nname = \"dc\"\nasn = 65001\ncircuits = [\"c1\"]\nadvertise = {}\n",
            prefixes(n)
        )
    };
    let over = text(4001, "Standard");
    let (f, code) = prefix_limit_findings(&over);
    assert_eq!((f.len(), code), (1, 1), "{f:#?}");
    let w = &f[0];
    assert_eq!(w.severity, Severity::Finding);
    assert!(
        w.message.contains("the private peering of on-premises router `dc` on circuit `c1` is down: it advertises 4001 IPv4 prefixes, more than the 4000"),
        "{}",
        w.message
    );
    assert!(w.message.contains("the session carries nothing"), "{}", w.message);
    assert_eq!(w.line_col(&over), Some((7, 1)), "at the router");
    assert!(w.rule == Some(ersim::rules::Rule::R52.into()));
    assert!(w.help.iter().any(|h| h.contains("Premium circuit")), "{:?}", w.help);
    for ok in [text(4000, "Standard"), text(4001, "Premium")] {
        assert!(prefix_limit_findings(&ok).0.is_empty(), "within the limit");
    }
    // Premium does not help when the circuit already is Premium, or the count exceeds its limit too
    for (n, sku, limit) in [(10_001, "Premium", "10000"), (10_001, "Standard", "4000")] {
        let (f, _) = prefix_limit_findings(&text(n, sku));
        assert_eq!(f.len(), 1, "{sku}: {f:#?}");
        assert!(f[0].help.iter().all(|h| !h.contains("Premium circuit")), "{sku}: {:?}", f[0].help);
        assert!(f[0].help.iter().any(|h| h.contains(&format!("at most {limit}"))), "{sku}: {:?}", f[0].help);
    }
}

#[test]
fn more_prefixes_than_a_route_server_accepts_from_a_peer_is_a_design_finding() {
    let text = |n: usize| {
        format!(
            r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "RouteServerSubnet"
prefix = "10.0.250.0/24"
[[vnet.subnet]]
name = "nva"
prefix = "10.0.1.0/24"
[[route_server]]
name = "rs"
vnet = "hub00"
[[nic]]
name = "nic-nva"
vnet = "hub00"
subnet = "nva"
ip_forwarding = true
[[bgp_peer]]
name = "nva"
nic = "nic-nva"
route_server = "rs"
asn = 65010
advertise = {}
"#,
            prefixes(n)
        )
    };
    let over = text(4001);
    let (f, code) = prefix_limit_findings(&over);
    assert_eq!((f.len(), code), (1, 1), "{f:#?}");
    assert!(
        f[0].message.contains("the BGP session of NVA `nva` with route server `rs` is down: it advertises 4001 prefixes, more than the 4000"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].line_col(&over), Some((18, 1)));
    assert!(f[0].rule == Some(ersim::rules::Rule::R76.into()));
    assert!(f[0].help.iter().any(|h| h.contains("advertise fewer")), "{:?}", f[0].help);
    assert!(prefix_limit_findings(&text(4000)).0.is_empty(), "within the limit");
}

#[test]
fn more_prefixes_than_a_vpn_gateway_accepts_from_a_bgp_peer_is_a_design_finding() {
    let text = |n: usize| {
        format!(
            r#"[[vnet]]
name = "hub00"
address_space = ["10.0.0.0/16"]
[[vnet.subnet]]
name = "GatewaySubnet"
prefix = "10.0.200.0/24"
[[gateway]]
name = "vpngw"
vnet = "hub00"
type = "Vpn"
bgp = true
[[onprem]]
name = "dc"
asn = 65001
advertise = {}
[[local_gateway]]
name = "lng"
bgp_asn = 65001
bgp_peer_ip = "192.168.255.1"
onprem = "dc"
[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "lng"
bgp = true
"#,
            prefixes(n)
        )
    };
    let over = text(4001);
    let (f, code) = prefix_limit_findings(&over);
    assert_eq!((f.len(), code), (1, 1), "{f:#?}");
    assert!(
        f[0].message.contains(
            "the VPN BGP session dc → vpngw over connection `s2s` is down: 4001 prefixes offered, more than the 4000"
        ),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].line_col(&over), Some((21, 1)));
    assert!(f[0].rule == Some(ersim::rules::Rule::R66.into()));
    assert!(prefix_limit_findings(&text(4000)).0.is_empty(), "within the limit");
}

/// Shape errors in one block hide nothing in another block, and every block is read.
#[test]
fn shape_errors_in_several_blocks_are_all_reported() {
    let text = r#"[[vnet]]
name = 7
address_space = ["10.0.0.0/16"]
[[vnet]]
name = "spoke10"
adress_space = ["10.10.0.0/16"]
[[peering]]
vnets = ["hub00", "spoke10"]
allow_forwarded_traffic = "yes"
"#;
    let ds = errors(text);
    let dump = render(&ds, text);
    let got: Vec<(&str, (usize, usize))> = ds.iter().map(|d| (d.code.as_str(), d.line_col(text).unwrap())).collect();
    assert_eq!(
        got,
        [("wrong-type", (2, 8)), ("missing-key", (4, 1)), ("unknown-key", (6, 1)), ("wrong-type", (9, 27))],
        "\n{dump}"
    );
    assert!(ds[2].help.iter().any(|h| h.contains("did you mean `address_space`?")), "\n{dump}");
}

// ------------------------------------------------------------------ a complete valid scenario

/// Every block kind of format v1, with most optional keys set.
const EVERY_BLOCK: &str = r#"format = 1
name = "Every block kind"
description = "One of each block of scenario format v1"
system_routes = "documented"

[[vnet]]
name = "hub00"
region = "eastasia"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"

  [[vnet.subnet]]
  name = "nva"
  prefix = "10.0.1.0/24"

  [[vnet.subnet]]
  name = "AzureFirewallSubnet"
  prefix = "10.0.2.0/26"

  [[vnet.subnet]]
  name = "RouteServerSubnet"
  prefix = "10.0.3.0/27"

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.200.0/24"

[[vnet]]
name = "spoke10"
region = "eastasia"
address_space = ["10.10.0.0/16", "fd00:10::/48"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.10.0.0/24"
  route_table = "rt-spoke10"

[[vnet]]
name = "spoke20"
region = "japaneast"
address_space = ["10.20.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.20.0.0/24"

[[vnet]]
name = "hub100"
address_space = ["10.100.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.100.200.0/24"

[[nic]]
name = "nic-spoke10"
vnet = "spoke10"
subnet = "default"
ip = "10.10.0.10"
ip_forwarding = false
vm = "vm-spoke10"
primary = true

[[nic]]
name = "nic-spoke20"
vnet = "spoke20"
subnet = "default"
vm = "vm-spoke20"

[[nic]]
name = "nic-nva1"
vnet = "hub00"
subnet = "nva"
ip_forwarding = true

[[nic]]
name = "nic-nva2"
vnet = "hub00"
subnet = "nva"
ip_forwarding = true

[[peering]]
vnets = ["hub00", "spoke10"]
transit_via = "hub00"
allow_forwarded_traffic = true

[[peering]]
from = "spoke20"
to = "hub00"
allow_virtual_network_access = true
allow_forwarded_traffic = true
allow_gateway_transit = false
use_remote_gateways = true

[[peering]]
from = "hub00"
to = "spoke20"
allow_gateway_transit = true

[[gateway]]
name = "ergw-hub00"
vnet = "hub00"
type = "ExpressRoute"
sku = "ErGw1AZ"
asn = 65515
allow_remote_vnet_traffic = false

[[gateway]]
name = "vpngw-hub00"
vnet = "hub00"
type = "Vpn"
sku = "VpnGw1AZ"
asn = 65515
bgp = true
active_active = true
ips = ["10.0.200.4", "10.0.200.5"]

[[gateway]]
name = "vpngw-hub100"
vnet = "hub100"
type = "Vpn"
asn = 65100
bgp = true
public_ip = "203.0.113.10"

[[circuit]]
name = "circuit01"
location = "Tokyo"
sku = "Standard"
bandwidth_mbps = 1000
next_hops = ["10.2.146.76", "10.2.146.77"]

[[onprem]]
name = "dc-tokyo"
asn = 65001
circuits = ["circuit01"]
advertise = ["192.168.0.0/16"]
as_path_prepend = { circuit01 = 2 }

[[onprem]]
name = "dc-osaka"
asn = 65010
advertise = ["172.31.0.0/16"]

[[connection]]
name = "conn-hub00"
gateway = "ergw-hub00"
circuit = "circuit01"
routing_weight = 10

[[connection]]
name = "s2s-osaka"
gateway = "vpngw-hub00"
local_gateway = "lng-osaka"
bgp = true

[[connection]]
name = "v2v-hub00-hub100"
gateway = "vpngw-hub00"
remote_gateway = "vpngw-hub100"
bgp = true

[[connection]]
name = "v2v-hub100-hub00"
gateway = "vpngw-hub100"
remote_gateway = "vpngw-hub00"
bgp = true

[[local_gateway]]
name = "lng-osaka"
address_prefixes = ["172.31.0.0/16"]
bgp_asn = 65010
bgp_peer_ip = "172.31.255.1"
onprem = "dc-osaka"

[[route_server]]
name = "rs-hub00"
vnet = "hub00"
branch_to_branch = true

[[bgp_peer]]
name = "nva-hub00"
nic = "nic-nva1"
route_server = "rs-hub00"
asn = 65020
advertise = ["10.200.0.0/16", { prefix = "172.16.0.0/12", as_path = [65030], next_hop = "10.0.1.4" }]

[[load_balancer]]
name = "ilb-nva"
vnet = "hub00"
subnet = "nva"
frontend_ip = "10.0.1.100"
backends = ["nic-nva1", "nic-nva2"]
ha_ports = true

[[route_table]]
name = "rt-spoke10"
disable_bgp_route_propagation = false

  [[route_table.route]]
  name = "to-spoke20"
  prefix = "10.20.0.0/16"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.1.100"

  [[route_table.route]]
  name = "default-via-firewall"
  prefix = "0.0.0.0/0"
  next_hop_type = "VirtualAppliance"
  next_hop_ip = "10.0.2.4"

  [[route_table.route]]
  name = "blackhole"
  prefix = "10.99.0.0/16"
  next_hop_type = "None"

  [[route_table.route]]
  name = "local"
  prefix = "10.10.0.0/16"
  next_hop_type = "VnetLocal"

[[firewall]]
name = "afw-hub00"
vnet = "hub00"
ip = "10.0.2.4"

[[expect]]
name = "spoke10 reaches spoke20 through the NVAs"
from = "vm-spoke10"
to = "nic-spoke20"
reachable = true
symmetric = false

[[expect]]
nic = "nic-spoke10"
prefix = "10.20.0.0/16"
next_hop_type = "VirtualAppliance"
next_hop_ip = "10.0.1.100"
state = "Active"
absent = false

[[expect]]
subnet = "spoke20/default"
prefix = "10.99.0.0/16"
absent = true
"#;

#[test]
fn a_valid_scenario_with_every_block_kind_loads_without_diagnostics() {
    let ws = warnings(EVERY_BLOCK);
    assert!(ws.is_empty(), "no warnings expected\n{}", render(&ws, EVERY_BLOCK));
    let m = sim(EVERY_BLOCK).model;
    assert_eq!(m.name.as_deref(), Some("Every block kind"));
    assert_eq!(
        [m.vnets.len(), m.subnets.len(), m.nics.len(), m.peerings.len(), m.gateways.len(), m.circuits.len()],
        [4, 8, 4, 4, 3, 1]
    );
    assert_eq!(
        [
            m.onprems.len(),
            m.connections.len(),
            m.local_gateways.len(),
            m.route_servers.len(),
            m.bgp_peers.len(),
            m.load_balancers.len(),
            m.route_tables.len(),
            m.firewalls.len(),
            m.expects.len()
        ],
        [2, 4, 1, 1, 1, 1, 1, 1, 3]
    );
    // defaults: NICs without `ip` get the lowest free host address from .4, in NIC-name order
    let ip = |n: &str| m.nics[m.nic_by_name(n).unwrap().idx()].ip.to_string();
    assert_eq!([ip("nic-nva1"), ip("nic-nva2"), ip("nic-spoke20")], ["10.0.1.4", "10.0.1.5", "10.20.0.4"]);
}

/// Every named block refuses a `/` in its name (a NIC in its `vm` label too), at the name's
/// definition; references to the name still resolve, so that is the only error.
#[test]
fn every_kind_of_name_refuses_a_slash() {
    let cases = [
        ("hub100", "hub/100", "name", "a VNet name"),
        ("nva", "n/va", "name", "a subnet name"),
        ("nic-nva2", "nic/nva2", "name", "a NIC name"),
        ("vm-spoke20", "vm/spoke20", "vm", "a `vm` label"),
        ("vpngw-hub100", "vpngw/hub100", "name", "a gateway name"),
        ("circuit01", "circuit/01", "name", "a circuit name"),
        ("dc-osaka", "dc/osaka", "name", "an on-premises router name"),
        ("v2v-hub100-hub00", "v2v/hub100-hub00", "name", "a connection name"),
        ("lng-osaka", "lng/osaka", "name", "a local gateway name"),
        ("rs-hub00", "rs/hub00", "name", "a route server name"),
        ("nva-hub00", "nva/hub00", "name", "a BGP peer name"),
        ("ilb-nva", "ilb/nva", "name", "a load balancer name"),
        ("rt-spoke10", "rt/spoke10", "name", "a route table name"),
        ("blackhole", "black/hole", "name", "a route name"),
        ("afw-hub00", "afw/hub00", "name", "a firewall name"),
    ];
    for (name, bad, key, what) in cases {
        assert!(EVERY_BLOCK.contains(&format!("{key} = \"{name}\"")), "{name} is in EVERY_BLOCK");
        let text = EVERY_BLOCK
            .replace(&format!("\"{name}\""), &format!("\"{bad}\""))
            .replace(&format!("{{ {name} = "), &format!("{{ \"{bad}\" = "));
        let ds = errors(&text);
        let dump = render(&ds, &text);
        let errs: Vec<&Diagnostic> = ds.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(errs.len(), 1, "one error for `{bad}`\n{dump}");
        let d = errs[0];
        assert_eq!(d.code, "bad-name", "\n{dump}");
        assert_eq!(d.message, format!("{what} must not contain `/` (`{bad}`)"), "\n{dump}");
        let at = text.find(&format!("{key} = \"{bad}\"")).unwrap() + key.len() + 3;
        assert_eq!(d.line_col(&text), Some(ersim::diag::line_col(&text, at)), "at the definition\n{dump}");
        let fixed = bad.replace('/', "-");
        assert!(d.help.iter().any(|h| h.contains(&format!("write `{fixed}` instead"))), "\n{dump}");
    }
}

#[test]
fn a_one_directional_vnet_to_vnet_connection_warns() {
    let text = r#"
[[vnet]]
name = "a"
address_space = ["10.1.0.0/16"]
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.1.255.0/27"

[[vnet]]
name = "b"
address_space = ["10.2.0.0/16"]
  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.2.255.0/27"

[[gateway]]
name = "gw-a"
vnet = "a"
type = "Vpn"

[[gateway]]
name = "gw-b"
vnet = "b"
type = "Vpn"

[[connection]]
name = "a-to-b"
gateway = "gw-a"
remote_gateway = "gw-b"
"#;
    let w = warnings(text);
    let d = w.iter().find(|d| d.code == "one-directional-connection").expect("warning");
    assert_eq!(d.line_col(text), Some((26, 1)));
    assert!(d.message.contains("a-to-b") && d.message.contains("carries nothing"));
    assert!(d.help.iter().any(|h| h.contains("from `gw-b` to `gw-a`")));
}

#[test]
fn a_bgp_connection_to_a_local_gateway_without_a_router_is_a_warning_at_the_connection() {
    // The session's far end is not modelled (nothing learned, advertisements not shown); the
    // static prefixes still apply (R49). The same connection with `onprem` set is quiet.
    let text = r#"
[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "GatewaySubnet"
  prefix = "10.0.255.0/27"

[[gateway]]
name = "vpngw"
vnet = "hub"
type = "Vpn"
bgp = true

[[local_gateway]]
name = "lng"
address_prefixes = ["192.168.2.0/24"]
bgp_asn = 65100
bgp_peer_ip = "192.168.255.1"

[[connection]]
name = "s2s"
gateway = "vpngw"
local_gateway = "lng"
bgp = true
"#;
    let w = warnings(text);
    let d = w.iter().find(|d| d.code == "bgp-site-without-router").expect("warning");
    assert_eq!(d.line_col(text), Some((22, 1)));
    assert!(d.message.contains("`s2s`") && d.message.contains("`lng`"), "{}", d.message);
    assert!(d.help.iter().any(|h| h.contains("[[onprem]]")));
    let with_router = text
        .replace("bgp_peer_ip = \"192.168.255.1\"", "bgp_peer_ip = \"192.168.255.1\"\nonprem = \"dc\"")
        + "\n[[onprem]]\nname = \"dc\"\nasn = 65100\nadvertise = [\"192.168.10.0/24\"]\n";
    assert!(!warnings(&with_router).iter().any(|d| d.code == "bgp-site-without-router"));
}
