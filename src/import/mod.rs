//! `ersim import`: a running Azure estate, exported as JSON, turned into a commented scenario.
//!
//! Input files are Resource Graph pages (`{"data": [...]}`, `az graph query`), az CLI list outputs
//! (JSON arrays, flattened: `properties` merged up), single resources, and the runtime outputs
//! [`runtime`] reads (effective routes, learned routes, MSEE route tables, Route Server learned
//! routes); a directory stands for the `*.json` files in it. The stages:
//!
//! 1. [`json`]: located access to both forms of a resource; every shape error is collected with
//!    its file and JSON path, and any error stops the import (exit status 2) with all of them;
//! 2. [`inventory`]: each resource recognised by `type` or shape and read into a typed struct;
//! 3. [`plan`]: references followed, stubs for what lies outside the export, names given
//!    ([`names`]); [`routes`] adds what only runtime outputs show;
//! 4. [`blocks`] and [`write`]: the scenario text, every block with its ARM id in a comment;
//!    [`instances`] decides a gateway's `ips` from the addresses Azure shows.
//!
//! The result is checked by ersim's own reader: an importer bug or an estate the format cannot
//! express shows up as validation errors, not as a silently wrong scenario. The output depends only
//! on the content of the files, not on their order or the order of resources in them.

pub mod blocks;
pub mod instances;
pub mod inventory;
pub mod json;
pub mod names;
pub mod plan;
pub mod routes;
pub mod runtime;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use self::inventory::{Inventory, NotModelled};
use self::json::{Located, Node, Problems};
use self::routes::RuntimeFile;

/// One input file's name (as given) and bytes.
#[derive(Clone, Debug)]
pub struct Input {
    /// The path as given (used in messages).
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The imported scenario and what the user must know about it.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario text.
    pub text: String,
    /// Warnings (also in the scenario's header comment).
    pub warnings: Vec<String>,
    /// Resources not modelled (also in the header).
    pub not_modelled: Vec<NotModelled>,
    /// When the scenario does not pass ersim's validation: the rendered diagnostics.
    pub invalid: Option<String>,
}

/// Why an import could not be done (exit status 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The input is not what the importer reads: every problem, located.
    #[error("{}", render_located(.0))]
    Input(Vec<Located>),
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A directory held no `.json` file.
    #[error("{path} holds no .json file")]
    EmptyDirectory {
        /// The directory.
        path: String,
    },
}

fn render_located(errors: &[Located]) -> String {
    let mut lines: Vec<String> = errors.iter().map(|e| format!("error: {e}")).collect();
    lines.push(format!(
        "error: {} problem{} in the input; nothing was imported",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    ));
    lines.join("\n")
}

/// The files a list of paths stands for: files as given, directories as their `*.json` files in
/// name order.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, ImportError> {
    let mut out = Vec::new();
    for p in paths {
        let io = |e: std::io::Error| ImportError::Io { path: p.display().to_string(), source: e };
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(ImportError::EmptyDirectory { path: p.display().to_string() });
            }
            for f in files {
                let bytes =
                    std::fs::read(&f).map_err(|e| ImportError::Io { path: f.display().to_string(), source: e })?;
                out.push(Input { name: f.display().to_string(), bytes });
            }
        } else {
            out.push(Input { name: p.display().to_string(), bytes: std::fs::read(p).map_err(io)? });
        }
    }
    Ok(out)
}

/// What a parsed file holds.
#[derive(Debug)]
pub enum Document {
    /// Resources (a Resource Graph page, an az list output, one resource).
    Resources(serde_json::Value),
    /// A runtime output.
    Runtime(RuntimeFile),
}

/// Parse one file and say what it is; shape errors go to `p`.
pub fn parse_document(input: &Input, p: &mut Problems) -> Option<Document> {
    let value: serde_json::Value = match serde_json::from_slice(&input.bytes) {
        Ok(v) => v,
        Err(e) => {
            p.errors.push(Located { file: input.name.clone(), path: "$".into(), message: format!("not JSON: {e}") });
            return None;
        }
    };
    let root = Node::root(&input.name, &value);
    if let Some(doc) = runtime::recognise(&input.name, &root, p) {
        return Some(Document::Runtime(RuntimeFile {
            file: input.name.clone(),
            subject: runtime::subject_of(&input.name),
            doc,
        }));
    }
    let resources = value.is_array()
        || value.get("data").is_some_and(|d| d.is_array())
        || value.get("value").is_some_and(|d| d.is_array())
        || value.get("id").is_some();
    if !resources {
        p.error(
            &root,
            format!(
                "not an export ersim reads: expected a Resource Graph page {{\"data\": [...]}}, an az list output (a JSON array), one resource, or a runtime output (effective or learned routes), found {}",
                json::type_name(&value)
            ),
        );
        return None;
    }
    Some(Document::Resources(value))
}

/// The resources of a resources document, as nodes.
fn resource_nodes<'a>(file: &'a str, v: &'a serde_json::Value) -> Vec<Node<'a>> {
    let root = Node::root(file, v);
    if v.is_array() {
        return root.elements();
    }
    for key in ["data", "value"] {
        if let Some(list) = v.get(key).filter(|d| d.is_array()) {
            return Node { v: list, file, path: format!("$.{key}") }.elements();
        }
    }
    vec![root]
}

/// Import parsed inputs into a scenario.
pub fn import(inputs: &[Input]) -> Result<Imported, ImportError> {
    let mut p = Problems::default();
    let mut docs = Vec::new();
    for i in inputs {
        if let Some(d) = parse_document(i, &mut p) {
            docs.push((i.name.clone(), d));
        }
    }
    let mut inv = Inventory::default();
    let mut runtime_files = Vec::new();
    let mut resources = 0;
    for (name, d) in &docs {
        match d {
            Document::Resources(v) => {
                for n in resource_nodes(name, v) {
                    resources += 1;
                    inv.add(&n, &mut p);
                }
            }
            Document::Runtime(r) => runtime_files.push(r.clone()),
        }
    }
    if !p.errors.is_empty() {
        p.errors.sort();
        p.errors.dedup();
        return Err(ImportError::Input(p.errors));
    }
    inv.finish(&mut p);
    let mut plan = plan::Plan::new(&inv, p);
    plan.apply_runtime(&runtime_files);
    let names = std::mem::take(&mut plan.namer).finish();
    let sections = plan.sections(&names);
    let mut not_modelled = plan.not_modelled.clone();
    not_modelled.sort();
    not_modelled.dedup();
    let mut warnings: Vec<String> = Vec::new();
    for w in plan.p.warnings.drain(..) {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
    if !plan.p.errors.is_empty() {
        return Err(ImportError::Input(std::mem::take(&mut plan.p.errors)));
    }
    let header = header(inputs, resources, &plan, &not_modelled, &warnings);
    let top = [
        ("format", write::n(1)),
        ("name", write::s("Imported Azure estate")),
        (
            "description",
            write::s(&format!(
                "ersim import of {resources} resources from {} file{}",
                inputs.len(),
                if inputs.len() == 1 { "" } else { "s" }
            )),
        ),
    ];
    let text = write::render(&header, &top, &sections);
    let invalid = match crate::scenario::parse("imported.toml", text.clone()) {
        Ok(_) => None,
        Err(crate::scenario::LoadError::Invalid(inv)) => Some(inv.render()),
        Err(e) => Some(e.to_string()),
    };
    // Not-modelled resources are warnings too, one per kind.
    let mut by_what: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for nm in &not_modelled {
        by_what.entry(nm.what.as_str()).or_default().push(nm.id.as_str());
    }
    for (what, ids) in by_what {
        warnings.push(format!("not modelled, not imported: {} × {what} (listed in the scenario's header)", ids.len()));
    }
    Ok(Imported { text, warnings, not_modelled, invalid })
}

fn header(
    inputs: &[Input],
    resources: usize,
    plan: &plan::Plan<'_>,
    nm: &[NotModelled],
    warnings: &[String],
) -> Vec<String> {
    let mut files: Vec<String> = inputs
        .iter()
        .map(|i| {
            Path::new(&i.name).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| i.name.clone())
        })
        .collect();
    files.sort();
    files.dedup();
    let mut h = vec![
        "Imported by `ersim import` from an Azure export: review it before relying on it.".to_string(),
        format!("Files: {}.", files.join(", ")),
        format!(
            "{resources} resources read (VNets {}, gateways {}, circuits {}, connections {}, local gateways {}, route tables {}, NICs {}, route servers {}, route server peerings {}, firewalls {}, load balancers {}).",
            plan.inv.vnets.len(),
            plan.inv.gateways.len(),
            plan.inv.circuits.len(),
            plan.inv.connections.len(),
            plan.inv.local_gateways.len(),
            plan.inv.route_tables.len(),
            plan.inv.nics.len(),
            plan.inv.hubs.len(),
            plan.inv.hub_peerings.len(),
            plan.inv.firewalls.len(),
            plan.inv.load_balancers.len(),
        ),
        String::new(),
        "Every block names the ARM id it comes from. \"stub\" marks a block standing for something outside".to_string(),
        "the export; \"routes unknown\" marks a router whose advertisements the export does not show. A name"
            .to_string(),
        "shared by two resources of one kind is qualified as name--resourcegroup.".to_string(),
    ];
    h.push(String::new());
    if nm.is_empty() {
        h.push("Not modelled: nothing in the export.".into());
    } else {
        h.push("Not modelled (listed here, not imported; ersim assumes they do not change routes):".into());
        for x in nm {
            h.push(format!("  - {}: {}", x.what, x.id));
        }
    }
    if !warnings.is_empty() {
        h.push(String::new());
        h.push("Warnings:".into());
        for w in warnings {
            h.push(format!("  - {w}"));
        }
    }
    h
}
