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

/// Apply edits in order, as if each re-read the document it changes (so spans are always
/// current): in one pass over one parse of `text` when that gives the same text, else one edit at a
/// time. `text` is a scenario's, TOML: edits that only add blocks do not read it.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, String> {
    if let Some(out) = apply_at_once(text, edits, None) {
        return Ok(out);
    }
    apply_each(text, edits)
}

/// [`apply`], finding the blocks the edits change through `headers` (where a reader of `text`
/// found them) and one parse of each block's own lines rather than a parse of the whole text: the
/// same text, for a large scenario in a fraction of the time and memory. A header `headers` does
/// not know, or that is not the named block's, is found by parsing the text.
pub fn apply_with(text: &str, edits: &[Edit], headers: Headers<'_>) -> Result<String, String> {
    if let Some(out) = apply_at_once(text, edits, Some(headers)) {
        return Ok(out);
    }
    apply_each(text, edits)
}

/// Whether the document may hold `kind` as something other than `[[kind]]` blocks: a key `kind`
/// before the first header, or a `[kind]` or `[kind.…]` table.
fn written_otherwise(text: &str, kind: &str) -> bool {
    let mut root = true;
    text.lines().map(str::trim_start).any(|l| {
        if l.starts_with('[') {
            root = false;
            let table = l.strip_prefix('[').filter(|r| !r.starts_with('['));
            return table.is_some_and(|r| {
                r.trim_start().strip_prefix(kind).is_some_and(|r| r.trim_start().starts_with([']', '.']))
            });
        }
        root && l.strip_prefix(kind).is_some_and(|r| r.trim_start().starts_with(['=', '.']))
    })
}

/// Apply edits one at a time, each on the document the ones before it made.
fn apply_each(text: &str, edits: &[Edit]) -> Result<String, String> {
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

/// Whether a `[[peering]]` holds the direction `a` → `b`: `from`/`to`, or a `vnets` pair.
fn holds_direction(t: &DeTable<'_>, a: &str, b: &str) -> bool {
    let direct = str_of(t, "from") == Some(a) && str_of(t, "to") == Some(b);
    let both = t.get("vnets").and_then(|v| v.get_ref().as_array()).is_some_and(|arr| {
        let names: Vec<&str> = arr.iter().filter_map(|x| x.get_ref().as_str()).collect();
        names.contains(&a) && names.contains(&b)
    });
    direct || both
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
            elements(doc, "peering").into_iter().find(|(t, _)| holds_direction(t, from, to))
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

/// Where an edit of a block goes in the text it was located in: the range it replaces (empty for
/// an insertion) and what goes there.
type Splice = (Range<usize>, String);

/// Append a block at the end, on a line of its own after a blank line.
fn append_block(out: &mut String, toml: &str) {
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(toml.trim_end());
    out.push('\n');
}

fn apply_one(text: &str, e: &Edit) -> Result<String, String> {
    let doc: Spanned<DeTable<'_>> = DeTable::parse(text).map_err(|e| e.to_string())?;
    let mut out = text.to_string();
    match e {
        Edit::AddBlock { toml, .. } => append_block(&mut out, toml),
        _ => {
            let ((range, with), _) = locate(text, doc.get_ref(), e)?;
            out.replace_range(range, &with);
        }
    }
    Ok(out)
}

/// Where an edit of an existing block goes in `text` (parsed as `doc`), with where that block's
/// header starts (two edits of one block have the same). Not for `AddBlock`, which needs no place.
fn locate(text: &str, doc: &DeTable<'_>, e: &Edit) -> Result<(Splice, usize), String> {
    let (t, span) = match e {
        Edit::AddBlock { .. } => return Err("an added block has no place to find".to_string()),
        Edit::SetKey { block, .. } => {
            find_block(doc, block).ok_or_else(|| format!("no [[{}]] `{}`", block.kind(), block.name()))?
        }
        Edit::AddRoute { table, .. } => {
            find_named(doc, "route_table", table).ok_or_else(|| format!("no route table `{table}`"))?
        }
        Edit::AddSubnet { vnet, .. } => find_named(doc, "vnet", vnet).ok_or_else(|| format!("no VNet `{vnet}`"))?,
    };
    Ok((splice(text, e, t, span.start, 0)?, span.start))
}

/// The block an edit of an existing block changes: its table as written and its name, as
/// [`Headers`] takes them (`route_table` for a route added to a table, `vnet` for a subnet added
/// to a VNet).
fn target(e: &Edit) -> Option<(&'static str, String)> {
    match e {
        Edit::AddBlock { .. } => None,
        Edit::SetKey { block, .. } => Some((block.kind(), block.name())),
        Edit::AddRoute { table, .. } => Some(("route_table", table.clone())),
        Edit::AddSubnet { vnet, .. } => Some(("vnet", vnet.clone())),
    }
}

/// What an edit puts where, given the table `t` of the block it changes, whose text starts at
/// `start` (the header, or `{` for an inline table); the spans of `t` are `offset` bytes before
/// their place in `text`.
fn splice(text: &str, e: &Edit, t: &DeTable<'_>, start: usize, offset: usize) -> Result<Splice, String> {
    let at = |r: Range<usize>| r.start + offset..r.end + offset;
    let header = text[start..].starts_with("[[");
    match e {
        Edit::AddBlock { .. } => Err("an added block has no place to find".to_string()),
        Edit::SetKey { block, key, value } => {
            if let Some(v) = t.get(key.as_str()) {
                Ok((at(v.span()), value.clone()))
            } else if header {
                let at = after_line(text, start);
                Ok((at..at, format!("{key} = {value}\n")))
            } else if text[start..].starts_with('{') {
                Ok((start + 1..start + 1, format!(" {key} = {value},")))
            } else {
                Err(format!("cannot place `{key}` in [[{}]] `{}`", block.kind(), block.name()))
            }
        }
        Edit::AddRoute { table, toml } => {
            if t.get("route").is_some_and(|r| !text[at(r.span())].starts_with("[[")) || !header {
                return Err(format!("route table `{table}` is written inline"));
            }
            let end = block_end(text, start..start, "[[route_table.route]]");
            Ok((end..end, format!("\n[[route_table.route]]\n{}\n\n", toml.trim_end())))
        }
        Edit::AddSubnet { vnet, toml } => {
            if t.get("subnet").is_some_and(|r| !text[at(r.span())].starts_with("[[")) || !header {
                return Err(format!("VNet `{vnet}` is written inline"));
            }
            let end = block_end(text, start..start, "[[vnet.subnet]]");
            Ok((end..end, format!("\n[[vnet.subnet]]\n{}\n\n", toml.trim_end())))
        }
    }
}

/// Where the header of a block of `text` starts, by the block's table and name as [`BlockRef`]
/// spells them (`vnet.subnet` and `vnet/subnet`, `route_table.route` and `table/route`, `peering`
/// and `from→to`; `route_table` and `vnet` for the tables and VNets routes and subnets are added
/// to), as a reader of `text` found them; `None` when it does not know.
pub type Headers<'a> = &'a dyn Fn(&str, &str) -> Option<usize>;

/// An edit of an existing block located through its header ([`Headers`]) and one parse of that
/// block's own lines (the header to the next header): `None` unless the header is a `[[...]]` one
/// and the block parsed there is the one named.
fn locate_at(text: &str, headers: Headers<'_>, e: &Edit) -> Option<(Splice, usize)> {
    let (kind, name) = target(e)?;
    let start = headers(kind, &name)?;
    let rest = text.get(start..)?;
    if !rest.starts_with("[[") {
        return None;
    }
    let mut end = after_line(text, start);
    while end < text.len() && !text[end..after_line(text, end)].trim_start().starts_with('[') {
        end = after_line(text, end);
    }
    let doc: Spanned<DeTable<'_>> = DeTable::parse(&text[start..end]).ok()?;
    let mut t = doc.get_ref();
    // `[[vnet.subnet]]` alone makes `vnet` a table holding the one subnet.
    for key in kind.split('.') {
        let v = t.get(key)?.get_ref();
        t = match v.as_array() {
            Some(items) => {
                let mut items = items.iter();
                let (Some(one), None) = (items.next(), items.next()) else { return None };
                one.get_ref().as_table()?
            }
            None => v.as_table()?,
        };
    }
    let named = match e {
        Edit::SetKey { block: BlockRef::Peering { from, to }, .. } => holds_direction(t, from, to),
        Edit::SetKey { block: BlockRef::Subnet { subnet: n, .. } | BlockRef::Route { route: n, .. }, .. } => {
            str_of(t, "name") == Some(n.as_str())
        }
        _ => str_of(t, "name") == Some(name.as_str()),
    };
    if !named {
        return None;
    }
    Some((splice(text, e, t, start, start).ok()?, start))
}

/// The edits applied with one parse of `text` (none when they only add blocks), or with one
/// parse of each block they change when `headers` says where those are, when that gives what
/// applying them one by one gives: every block they change is in `text`, no two change the same
/// block or meet at one place, and a block added before an edit that looks a block up leaves the
/// document as it was for that look-up. `None` otherwise: apply them one by one.
fn apply_at_once(text: &str, edits: &[Edit], headers: Option<Headers<'_>>) -> Option<String> {
    let appended = |e: &Edit| matches!(e, Edit::AddBlock { .. });
    let mut splices: Vec<Splice> = Vec::new();
    if let Some(last) = edits.iter().rposition(|e| !appended(e)) {
        let blocks_before = || {
            edits[..last].iter().filter_map(|e| match e {
                Edit::AddBlock { kind, toml } => Some((kind.as_str(), toml)),
                _ => None,
            })
        };
        // Appended after the whole document, a block can only change a look-up by being invalid
        // there: not TOML, or of a kind the document holds as something else.
        let by_headers = headers.and_then(|h| {
            let clear =
                blocks_before().all(|(kind, toml)| !written_otherwise(text, kind) && DeTable::parse(toml).is_ok());
            let located: Option<Vec<(Splice, usize)>> =
                edits.iter().filter(|e| !appended(e)).map(|e| locate_at(text, h, e)).collect();
            located.filter(|_| clear)
        });
        let located = match by_headers {
            Some(l) => l,
            None => {
                let doc: Spanned<DeTable<'_>> = DeTable::parse(text).ok()?;
                let doc = doc.get_ref();
                let aot = |kind: &str| doc.get(kind).is_none_or(|v| text[v.span()].starts_with("[["));
                if !blocks_before().all(|(kind, toml)| aot(kind) && DeTable::parse(toml).is_ok()) {
                    return None;
                }
                edits.iter().filter(|e| !appended(e)).map(|e| locate(text, doc, e).ok()).collect::<Option<_>>()?
            }
        };
        let mut blocks = std::collections::BTreeSet::new();
        for (splice, block) in located {
            if !blocks.insert(block) {
                return None;
            }
            splices.push(splice);
        }
    }
    splices.sort_by_key(|(r, _)| (r.start, r.end));
    let any_block = edits.iter().any(appended);
    let apart = splices.windows(2).all(|w| w[0].0.end < w[1].0.start);
    if !apart || (any_block && splices.iter().any(|(r, _)| r.end >= text.len())) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + splices.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut at = 0;
    for (range, with) in &splices {
        out.push_str(&text[at..range.start]);
        out.push_str(with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    for e in edits {
        if let Edit::AddBlock { toml, .. } = e {
            append_block(&mut out, toml);
        }
    }
    Some(out)
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

    /// `TEXT` with a route table written with blocks, one written inline, a NIC, and last a VNet
    /// whose subnets are written inline.
    fn fuller() -> String {
        format!(
            "{TEXT}\n[[route_table]]\nname = \"rt-spoke\"\n\n  [[route_table.route]]\n  name = \"r1\"\n  prefix = \"10.9.0.0/16\"\n  next_hop_type = \"None\"\n\n[[route_table]]\nname = \"rt-inline\"\nroute = [{{ name = \"r\", prefix = \"10.8.0.0/16\", next_hop_type = \"None\" }}]\n\n[[nic]]\nname = \"n1\"\nvnet = \"hub\"\nsubnet = \"default\"\n\n[[vnet]]\nname = \"tail\"\naddress_space = [\"10.7.0.0/16\"]\nsubnet = [{{ name = \"x\", prefix = \"10.7.0.0/24\" }}]\n"
        )
    }

    /// Edits of every kind, on blocks written every way, including blocks other edits add.
    fn pool() -> Vec<Edit> {
        let block = |kind, toml: &str| Edit::AddBlock { kind, toml: toml.to_string() };
        let route = |table: &str, name: &str| Edit::AddRoute {
            table: table.into(),
            toml: format!("name = \"{name}\"\nprefix = \"10.6.0.0/16\"\nnext_hop_type = \"None\"\n"),
        };
        vec![
            subnet(),
            set(BlockRef::Subnet { vnet: "spoke".into(), subnet: "web".into() }, "route_table", "\"rt-new\""),
            set(BlockRef::Peering { from: "hub".into(), to: "spoke".into() }, "allow_forwarded_traffic", "true"),
            set(BlockRef::Peering { from: "spoke".into(), to: "hub".into() }, "allow_gateway_transit", "true"),
            set(BlockRef::Peering { from: "spoke".into(), to: "edge".into() }, "allow_virtual_network_access", "false"),
            set(BlockRef::RouteTable("rt-spoke".into()), "disable_bgp_route_propagation", "true"),
            set(BlockRef::RouteTable("rt-new".into()), "disable_bgp_route_propagation", "true"),
            set(BlockRef::Route { table: "rt-spoke".into(), route: "r1".into() }, "next_hop_type", "\"Internet\""),
            set(BlockRef::Nic("n1".into()), "ip_forwarding", "true"),
            set(BlockRef::Subnet { vnet: "tail".into(), subnet: "x".into() }, "route_table", "\"rt-new\""),
            route("rt-spoke", "r2"),
            route("rt-spoke", "r3"),
            route("rt-new", "r4"),
            route("rt-inline", "r5"),
            Edit::AddSubnet { vnet: "hub".into(), toml: "name = \"fw\"\nprefix = \"10.0.1.0/26\"\n".into() },
            Edit::AddSubnet { vnet: "tail".into(), toml: "name = \"s\"\nprefix = \"10.7.1.0/24\"\n".into() },
            block(BlockKind::Peering, "[[peering]]\nvnets = [\"hub\", \"edge\"]\n"),
            block(
                BlockKind::RouteTable,
                "[[route_table]]\nname = \"rt-new\"\n\n  [[route_table.route]]\n  name = \"r0\"\n  prefix = \"10.5.0.0/16\"\n  next_hop_type = \"None\"\n",
            ),
            block(BlockKind::Firewall, "[[firewall]]\nname = \"fw\"\nvnet = \"hub\"\n"),
        ]
    }

    #[test]
    fn applying_edits_at_once_gives_what_applying_them_one_by_one_gives() {
        let pool = pool();
        let text = fuller();
        let mut at_once = 0;
        for a in &pool {
            for b in &pool {
                for c in [None, Some(&pool[10]), Some(&pool[17]), Some(&pool[0])] {
                    let edits: Vec<Edit> = [Some(a), Some(b), c].into_iter().flatten().cloned().collect();
                    let one_by_one = apply_each(&text, &edits);
                    if let Some(out) = apply_at_once(&text, &edits, None) {
                        at_once += 1;
                        assert_eq!(Ok(out), one_by_one, "{edits:#?}");
                    }
                    assert_eq!(apply(&text, &edits), one_by_one, "{edits:#?}");
                }
            }
        }
        assert!(at_once > 500, "most lists take one parse: {at_once}");
    }

    #[test]
    fn a_fix_that_adds_a_firewall_and_routes_on_both_sides_takes_one_parse() {
        let text = fuller();
        let pool = pool();
        let edits = [&pool[14], &pool[18], &pool[10], &pool[17], &pool[1]].map(Clone::clone);
        assert!(apply_at_once(&text, &edits, None).is_some());
        let only_blocks = [&pool[16], &pool[17]].map(Clone::clone);
        assert_eq!(apply_at_once("not = [toml", &only_blocks, None).map(|t| t.len() > 11), Some(true), "no parse");
    }

    /// Where a parse of `text` finds each block, as a reader's [`Headers`].
    fn headers_of(text: &str) -> impl Fn(&str, &str) -> Option<usize> + '_ {
        move |kind: &str, name: &str| {
            let doc: Spanned<DeTable<'_>> = DeTable::parse(text).ok()?;
            let doc = doc.get_ref();
            let (path, rest) = name.split_once(['/', '→']).unwrap_or((name, ""));
            let (p, r) = (path.to_string(), rest.to_string());
            let block = match kind {
                "vnet" | "route_table" => return find_named(doc, kind, name).map(|(_, s)| s.start),
                "vnet.subnet" => BlockRef::Subnet { vnet: p, subnet: r },
                "route_table.route" => BlockRef::Route { table: p, route: r },
                "peering" => BlockRef::Peering { from: p, to: r },
                "gateway" => BlockRef::Gateway(p),
                "nic" => BlockRef::Nic(p),
                "route_server" => BlockRef::RouteServer(p),
                _ => return None,
            };
            find_block(doc, &block).map(|(_, s)| s.start)
        }
    }

    #[test]
    fn applying_edits_through_their_blocks_headers_gives_what_applying_them_one_by_one_gives() {
        let pool = pool();
        let text = fuller();
        let right = headers_of(&text);
        let wrong = |_: &str, _: &str| Some(0);
        let nowhere = |_: &str, _: &str| Some(7);
        let mut by_headers = 0;
        for a in &pool {
            for b in &pool {
                for c in [None, Some(&pool[10]), Some(&pool[17]), Some(&pool[0])] {
                    let edits: Vec<Edit> = [Some(a), Some(b), c].into_iter().flatten().cloned().collect();
                    let one_by_one = apply_each(&text, &edits);
                    for h in [&right as Headers<'_>, &wrong, &nowhere] {
                        assert_eq!(apply_with(&text, &edits, h), one_by_one, "{edits:#?}");
                    }
                    by_headers += usize::from(apply_at_once(&text, &edits, Some(&right)).is_some());
                }
            }
        }
        assert!(by_headers > 500, "{by_headers}");
        // The firewall fix: each block it changes is found through its header, without the text.
        let edits = [&pool[14], &pool[18], &pool[10], &pool[17], &pool[1]].map(Clone::clone);
        for e in edits.iter().filter(|e| target(e).is_some()) {
            assert!(locate_at(&text, &right, e).is_some(), "{e:?}");
        }
        assert_eq!(apply_at_once(&text, &edits, Some(&right)).map(Ok), Some(apply_each(&text, &edits)));
    }

    #[test]
    fn a_kind_written_as_a_table_or_a_root_key_is_noticed() {
        assert!(written_otherwise("peering = []\n[[vnet]]\n", "peering"));
        assert!(written_otherwise("[[vnet]]\n[peering.x]\n", "peering"));
        assert!(written_otherwise("[ peering ]\n", "peering"));
        assert!(!written_otherwise("[[peering]]\nfrom = \"a\"\n[[vnet]]\npeering = 1\n", "peering"));
        assert!(!written_otherwise("peerings = 1\n", "peering"));
    }
}
