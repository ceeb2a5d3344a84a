//! Structured edits of a scenario's text (the fixes `reach` offers), applied by re-parsing the
//! document to find where each block and key is, so comments and layout are kept.

use std::ops::Range;

use serde::Serialize;
use toml::Spanned;
use toml::de::DeTable;

/// One edit of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Append a block (TOML text) at the end of the file.
    AddBlock {
        /// The block kind (`peering`, `route_table`, `firewall`, ...).
        kind: String,
        /// The TOML to append.
        toml: String,
    },
    /// Set `key = value` in the `[[kind]]` block named `name` (or the subnet `vnet/subnet`).
    SetKey {
        /// The block kind (`gateway`, `nic`, `vnet.subnet`, `route_table`, `peering`).
        kind: String,
        /// The block's name (`vnet/subnet` for subnets, `from→to` for peerings).
        name: String,
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
            Edit::SetKey { kind, name, key, value } => format!("set `{key} = {value}` in [[{kind}]] `{name}`"),
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

fn find_block<'a, 'i>(doc: &'a DeTable<'i>, kind: &str, name: &str) -> Option<(&'a DeTable<'i>, Range<usize>)> {
    match kind {
        "vnet.subnet" => {
            let (v, s) = name.split_once('/')?;
            let (vt, _) = find_named(doc, "vnet", v)?;
            let arr = vt.get("subnet")?.get_ref().as_array()?;
            arr.iter()
                .filter_map(|e| e.get_ref().as_table().map(|t| (t, e.span())))
                .find(|(t, _)| str_of(t, "name") == Some(s))
        }
        "route_table.route" => {
            let (rt, r) = name.split_once('/')?;
            let (tt, _) = find_named(doc, "route_table", rt)?;
            let arr = tt.get("route")?.get_ref().as_array()?;
            arr.iter()
                .filter_map(|e| e.get_ref().as_table().map(|t| (t, e.span())))
                .find(|(t, _)| str_of(t, "name") == Some(r))
        }
        "peering" => {
            let (a, b) = name.split_once('→')?;
            elements(doc, "peering").into_iter().find(|(t, _)| {
                let direct = str_of(t, "from") == Some(a) && str_of(t, "to") == Some(b);
                let both = t.get("vnets").and_then(|v| v.get_ref().as_array()).is_some_and(|arr| {
                    let names: Vec<&str> = arr.iter().filter_map(|x| x.get_ref().as_str()).collect();
                    names.contains(&a) && names.contains(&b)
                });
                direct || both
            })
        }
        _ => find_named(doc, kind, name),
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
        Edit::SetKey { kind, name, key, value } => {
            let (t, span) = find_block(doc, kind, name).ok_or_else(|| format!("no [[{kind}]] `{name}`"))?;
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
