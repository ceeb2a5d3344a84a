//! Structured edits of a scenario's text (the fixes `reach` offers), applied by re-parsing the
//! document to find where each block and key is, so comments and layout are kept.

use std::ops::Range;

use serde::Serialize;
use toml::Spanned;
use toml::de::DeTable;

/// The kind of a top-level block an edit appends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// `[[peering]]`.
    Peering,
    /// `[[route_table]]`.
    RouteTable,
    /// `[[firewall]]`.
    Firewall,
}

impl BlockKind {
    /// The table name as written in TOML (`route_table`).
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Peering => "peering",
            BlockKind::RouteTable => "route_table",
            BlockKind::Firewall => "firewall",
        }
    }
}

/// The block an edit changes: a named top-level block, or a nested one by its parent's name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockRef {
    /// `[[gateway]]` by name.
    Gateway(String),
    /// `[[nic]]` by name.
    Nic(String),
    /// `[[route_table]]` by name.
    RouteTable(String),
    /// `[[route_server]]` by name.
    RouteServer(String),
    /// A `[[vnet.subnet]]` of a VNet.
    Subnet {
        /// The VNet.
        vnet: String,
        /// The subnet.
        subnet: String,
    },
    /// A `[[route_table.route]]` of a route table.
    Route {
        /// The route table.
        table: String,
        /// The route.
        route: String,
    },
    /// The `[[peering]]` block holding the direction `from` → `to` (a `vnets = [...]` pair holds both).
    Peering {
        /// The VNet the direction starts in.
        from: String,
        /// The VNet it leads to.
        to: String,
    },
}

impl BlockRef {
    /// The block's table as written in TOML (`gateway`, `vnet.subnet`, `route_table.route`).
    pub fn kind(&self) -> &'static str {
        match self {
            BlockRef::Gateway(_) => "gateway",
            BlockRef::Nic(_) => "nic",
            BlockRef::RouteTable(_) => "route_table",
            BlockRef::RouteServer(_) => "route_server",
            BlockRef::Subnet { .. } => "vnet.subnet",
            BlockRef::Route { .. } => "route_table.route",
            BlockRef::Peering { .. } => "peering",
        }
    }

    /// The block's name for people: `vnet/subnet` for subnets, `table/route` for routes,
    /// `from→to` for peerings.
    pub fn name(&self) -> String {
        match self {
            BlockRef::Gateway(n) | BlockRef::Nic(n) | BlockRef::RouteTable(n) | BlockRef::RouteServer(n) => n.clone(),
            BlockRef::Subnet { vnet, subnet } => format!("{vnet}/{subnet}"),
            BlockRef::Route { table, route } => format!("{table}/{route}"),
            BlockRef::Peering { from, to } => format!("{from}→{to}"),
        }
    }
}

/// As JSON: `{"kind": "vnet.subnet", "name": "vnet/subnet"}` (flattened into a `set_key` edit).
impl Serialize for BlockRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("BlockRef", 2)?;
        st.serialize_field("kind", self.kind())?;
        st.serialize_field("name", &self.name())?;
        st.end()
    }
}

/// One edit of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Append a block (TOML text) at the end of the file.
    AddBlock {
        /// The block kind.
        kind: BlockKind,
        /// The TOML to append.
        toml: String,
    },
    /// Set `key = value` in a block.
    SetKey {
        /// The block (JSON: its `kind` and `name`).
        #[serde(flatten)]
        block: BlockRef,
        /// The key.
        key: String,
        /// The TOML value.
        value: String,
    },
    /// Append a `[[route_table.route]]` to an existing route table.
    AddRoute {
        /// The route table.
        table: String,
        /// The TOML of the route's keys.
        toml: String,
    },
    /// Add a `[[vnet.subnet]]` to an existing VNet.
    AddSubnet {
        /// The VNet.
        vnet: String,
        /// The TOML of the subnet's keys.
        toml: String,
    },
}

impl Edit {
    /// The edit for people: what to add or change, as TOML.
    pub fn describe(&self) -> String {
        match self {
            Edit::AddBlock { toml, .. } => format!("add:\n{}", toml.trim_end()),
            Edit::SetKey { block, key, value } => {
                format!("set `{key} = {value}` in [[{}]] `{}`", block.kind(), block.name())
            }
            Edit::AddRoute { table, toml } => {
                format!("add to route table `{table}`:\n[[route_table.route]]\n{}", toml.trim_end())
            }
            Edit::AddSubnet { vnet, toml } => format!("add to VNet `{vnet}`:\n[[vnet.subnet]]\n{}", toml.trim_end()),
        }
    }
}

/// Apply edits in order. Each edit re-reads the document, so spans are always current.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut t = text.to_string();
    for e in edits {
        t = apply_one(&t, e)?;
    }
    Ok(t)
}

fn str_of<'a>(v: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|x| x.get_ref().as_str())
}

/// The elements of a top-level array of tables.
fn elements<'a, 'i>(doc: &'a DeTable<'i>, key: &str) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
    let Some(v) = doc.get(key) else { return Vec::new() };
    let Some(arr) = v.get_ref().as_array() else { return Vec::new() };
    arr.iter().filter_map(|e| e.get_ref().as_table().map(|t| (t, e.span()))).collect()
}

fn find_named<'a, 'i>(doc: &'a DeTable<'i>, kind: &str, name: &str) -> Option<(&'a DeTable<'i>, Range<usize>)> {
    elements(doc, kind).into_iter().find(|(t, _)| str_of(t, "name") == Some(name))
}

fn find_block<'a, 'i>(doc: &'a DeTable<'i>, block: &BlockRef) -> Option<(&'a DeTable<'i>, Range<usize>)> {
    let nested = |parent: &'a DeTable<'i>, key: &str, name: &str| {
        let arr = parent.get(key)?.get_ref().as_array()?;
        arr.iter()
            .filter_map(|e| e.get_ref().as_table().map(|t| (t, e.span())))
            .find(|(t, _)| str_of(t, "name") == Some(name))
    };
    match block {
        BlockRef::Subnet { vnet, subnet } => nested(find_named(doc, "vnet", vnet)?.0, "subnet", subnet),
        BlockRef::Route { table, route } => nested(find_named(doc, "route_table", table)?.0, "route", route),
        BlockRef::Peering { from, to } => {
            let (a, b) = (from.as_str(), to.as_str());
            elements(doc, "peering").into_iter().find(|(t, _)| {
                let direct = str_of(t, "from") == Some(a) && str_of(t, "to") == Some(b);
                let both = t.get("vnets").and_then(|v| v.get_ref().as_array()).is_some_and(|arr| {
                    let names: Vec<&str> = arr.iter().filter_map(|x| x.get_ref().as_str()).collect();
                    names.contains(&a) && names.contains(&b)
                });
                direct || both
            })
        }
        BlockRef::Gateway(n) | BlockRef::Nic(n) | BlockRef::RouteTable(n) | BlockRef::RouteServer(n) => {
            find_named(doc, block.kind(), n)
        }
    }
}

/// Byte offset just after the line holding `at`.
fn after_line(text: &str, at: usize) -> usize {
    text[at..].find('\n').map(|i| at + i + 1).unwrap_or(text.len())
}

/// Where a header-form block ends: the next table header that is not one of its children.
fn block_end(text: &str, header: Range<usize>, child_prefix: &str) -> usize {
    let mut pos = after_line(text, header.start);
    while pos < text.len() {
        let end = after_line(text, pos);
        let line = text[pos..end].trim_start();
        if line.starts_with('[') && !line.starts_with(child_prefix) {
            return pos;
        }
        pos = end;
    }
    text.len()
}

fn apply_one(text: &str, e: &Edit) -> Result<String, String> {
    let doc: Spanned<DeTable<'_>> = DeTable::parse(text).map_err(|e| e.to_string())?;
    let doc = doc.get_ref();
    let mut out = text.to_string();
    match e {
        Edit::AddBlock { toml, .. } => {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
            out.push_str(toml.trim_end());
            out.push('\n');
        }
        Edit::SetKey { block, key, value } => {
            let (kind, name) = (block.kind(), block.name());
            let (t, span) = find_block(doc, block).ok_or_else(|| format!("no [[{kind}]] `{name}`"))?;
            if let Some(v) = t.get(key.as_str()) {
                out.replace_range(v.span(), value);
            } else if text[span.clone()].starts_with("[[") {
                let at = after_line(text, span.start);
                out.insert_str(at, &format!("{key} = {value}\n"));
            } else if text[span.clone()].starts_with('{') {
                out.insert_str(span.start + 1, &format!(" {key} = {value},"));
            } else {
                return Err(format!("cannot place `{key}` in [[{kind}]] `{name}`"));
            }
        }
        Edit::AddRoute { table, toml } => {
            let (t, span) = find_named(doc, "route_table", table).ok_or_else(|| format!("no route table `{table}`"))?;
            if t.get("route").is_some_and(|r| !text[r.span()].starts_with("[["))
                || !text[span.clone()].starts_with("[[")
            {
                return Err(format!("route table `{table}` is written inline"));
            }
            let at = block_end(text, span, "[[route_table.route]]");
            out.insert_str(at, &format!("\n[[route_table.route]]\n{}\n\n", toml.trim_end()));
        }
        Edit::AddSubnet { vnet, toml } => {
            let (t, span) = find_named(doc, "vnet", vnet).ok_or_else(|| format!("no VNet `{vnet}`"))?;
            if t.get("subnet").is_some_and(|r| !text[r.span()].starts_with("[["))
                || !text[span.clone()].starts_with("[[")
            {
                return Err(format!("VNet `{vnet}` is written inline"));
            }
            let at = block_end(text, span, "[[vnet.subnet]]");
            out.insert_str(at, &format!("\n[[vnet.subnet]]\n{}\n\n", toml.trim_end()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"[[vnet]]
name = "hub"
address_space = ["10.0.0.0/16"]

  [[vnet.subnet]]
  name = "default"
  prefix = "10.0.0.0/24"

[[vnet]]
name = "spoke"
address_space = ["10.1.0.0/16"]

  [[vnet.subnet]]
  name = "web"
  prefix = "10.1.0.0/24"

  [[vnet.subnet]]
  name = "default"
  prefix = "10.1.1.0/24"

[[peering]]
vnets = ["hub", "spoke"]

[[peering]]
from = "spoke"
to = "edge"
"#;

    fn set(block: BlockRef, key: &str, value: &str) -> Edit {
        Edit::SetKey { block, key: key.into(), value: value.into() }
    }

    fn subnet() -> Edit {
        set(BlockRef::Subnet { vnet: "spoke".into(), subnet: "default".into() }, "route_table", "\"rt-spoke\"")
    }

    #[test]
    fn set_key_lands_in_the_named_subnet_and_peering() {
        let edits = vec![
            subnet(),
            set(BlockRef::Peering { from: "spoke".into(), to: "hub".into() }, "allow_forwarded_traffic", "true"),
            set(BlockRef::Peering { from: "spoke".into(), to: "edge".into() }, "allow_virtual_network_access", "false"),
        ];
        let out = apply(TEXT, &edits).expect("applies");
        let doc: toml::Table = toml::from_str(&out).expect("still TOML");
        let subnets = doc["vnet"][1]["subnet"].as_array().expect("subnets");
        assert_eq!(subnets[1]["route_table"].as_str(), Some("rt-spoke"), "{out}");
        assert!(subnets[0].get("route_table").is_none(), "only the named subnet: {out}");
        assert!(doc["vnet"][0]["subnet"][0].get("route_table").is_none(), "not hub/default: {out}");
        let peerings = doc["peering"].as_array().expect("peerings");
        assert_eq!(
            peerings[0]["allow_forwarded_traffic"].as_bool(),
            Some(true),
            "a `vnets` pair holds both directions"
        );
        assert_eq!(peerings[1]["allow_virtual_network_access"].as_bool(), Some(false), "{out}");
        // Nothing else moved: only the three keys were added.
        let added: Vec<&str> = out.lines().filter(|l| !TEXT.lines().any(|t| t == *l)).collect();
        assert_eq!(added.len(), 3, "{added:?}");
    }

    #[test]
    fn a_block_that_does_not_exist_is_an_error_naming_it() {
        let e = set(BlockRef::Subnet { vnet: "spoke".into(), subnet: "nope".into() }, "route_table", "\"x\"");
        assert_eq!(apply(TEXT, &[e]), Err("no [[vnet.subnet]] `spoke/nope`".to_string()));
        let e = set(BlockRef::Peering { from: "hub".into(), to: "edge".into() }, "allow_forwarded_traffic", "true");
        assert_eq!(apply(TEXT, &[e]), Err("no [[peering]] `hub→edge`".to_string()));
    }

    #[test]
    fn json_and_text_spell_the_block_as_kind_and_name() {
        assert_eq!(
            serde_json::to_string(&subnet()).expect("serialisable"),
            r#"{"op":"set_key","kind":"vnet.subnet","name":"spoke/default","key":"route_table","value":"\"rt-spoke\""}"#
        );
        assert_eq!(subnet().describe(), "set `route_table = \"rt-spoke\"` in [[vnet.subnet]] `spoke/default`");
        let p = set(BlockRef::Peering { from: "a".into(), to: "b".into() }, "allow_virtual_network_access", "true");
        assert_eq!(
            serde_json::to_string(&p).expect("serialisable"),
            r#"{"op":"set_key","kind":"peering","name":"a→b","key":"allow_virtual_network_access","value":"true"}"#
        );
        assert_eq!(p.describe(), "set `allow_virtual_network_access = true` in [[peering]] `a→b`");
        let r = set(BlockRef::Route { table: "rt".into(), route: "r1".into() }, "next_hop_ip", "\"10.0.0.4\"");
        assert_eq!(serde_json::to_value(&r).expect("serialisable")["name"], "rt/r1");
        let add = Edit::AddBlock { kind: BlockKind::RouteTable, toml: "[[route_table]]\nname = \"rt\"\n".into() };
        assert_eq!(
            serde_json::to_string(&add).expect("serialisable"),
            r#"{"op":"add_block","kind":"route_table","toml":"[[route_table]]\nname = \"rt\"\n"}"#
        );
    }
}
