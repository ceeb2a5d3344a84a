//! The crate's modules form one-way layers: a module may use modules of its own layer or below,
//! never above, and no set of modules imports each other in a cycle.
//!
//! Every `crate::` and `super::` path anywhere in a file counts (a type in a signature, a doc
//! link, a `pub use`), not only `use` lines; `#[cfg(test)]` modules at the end of a file are left
//! out (tests may reach up). `main.rs` is read for `ersim::` paths.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers from the bottom up. A module may depend on its own layer and those below.
const LAYERS: &[&[&str]] = &[
    &["rules", "net"],
    &["diag"],
    &["model"],
    &["resolve", "limits", "down"],
    &["scenario"],
    &["bgp"],
    &["effective"],
    &["simulation"],
    &["forward"],
    &["check", "matrix", "topology", "synth", "import", "compare", "diff", "resilience"],
    &["report"],
    &["app"],
    &["lib"],
    &["main"],
];

/// Edges against the layer order that are still being removed: `(from, to)`. Empty when the
/// layering holds; an entry that is no longer needed is an error too, so the list only shrinks.
const ALLOWED: &[(&str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable src/") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under `src/`: `["forward", "walk"]`, `["lib"]`, `["main"]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file");
    let stem = last.trim_end_matches(".rs").to_string();
    if stem != "mod" {
        parts.push(stem);
    }
    if parts.is_empty() { vec!["lib".to_string()] } else { parts }
}

/// The file's text without a trailing `#[cfg(test)]` module.
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// The first identifier of each path in a `{a::b, c, d::{e, f}}` group.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        if depth == 0 || c != '{' {
            item.push(c);
        }
    }
    heads.push(item);
    heads
        .into_iter()
        .filter_map(|i| {
            let id: String = i.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            (!id.is_empty() && id != "self").then_some(id)
        })
        .collect()
}

/// Top-level modules a path prefix such as `crate::` reaches in `text`.
fn heads_after(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        // `foo_crate::` is not `crate::`.
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(g) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = g
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap_or(g.len());
            out.extend(group_heads(&g[..end]));
        } else {
            let id: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !id.is_empty() {
                out.push(id);
            }
        }
    }
    out
}

/// Every (from module, to module) edge of the crate, with the files behind it.
fn edges() -> BTreeMap<(String, String), BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let top_level: BTreeSet<String> =
        files.iter().map(|f| module_path(f.strip_prefix(&src).expect("under src")).remove(0)).collect();
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        let path = module_path(rel);
        let from = path[0].clone();
        let text = std::fs::read_to_string(f).expect("utf-8 source");
        let text = without_tests(&text);
        let mut targets = heads_after(text, "crate::");
        if from == "main" {
            targets.extend(heads_after(text, "ersim::"));
        }
        // `super::x` from `a::b` is `a::x`; from a top-level module `a` it is `crate::x`.
        let depth = text.matches("super::super::").count();
        assert_eq!(depth, 0, "{}: write crate:: paths instead of super::super::", rel.display());
        if path.len() == 1 && from != "lib" && from != "main" {
            targets.extend(heads_after(text, "super::"));
        }
        for t in targets {
            if t != from && top_level.contains(&t) {
                out.entry((from.clone(), t)).or_default().insert(rel.display().to_string());
            }
        }
    }
    out
}

#[test]
fn every_module_has_a_layer() {
    let mut missing: BTreeSet<String> = BTreeSet::new();
    for ((a, b), _) in edges() {
        for m in [a, b] {
            if layer_of(&m).is_none() {
                missing.insert(m);
            }
        }
    }
    assert!(missing.is_empty(), "modules without a layer in LAYERS: {missing:?}");
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let mut upward = Vec::new();
    let mut used = BTreeSet::new();
    for ((a, b), files) in edges() {
        let (Some(la), Some(lb)) = (layer_of(&a), layer_of(&b)) else { continue };
        if lb > la {
            if ALLOWED.contains(&(a.as_str(), b.as_str())) {
                used.insert((a.clone(), b.clone()));
            } else {
                upward.push(format!("{a} → {b} (in {})", files.into_iter().collect::<Vec<_>>().join(", ")));
            }
        }
    }
    assert!(upward.is_empty(), "imports against the layer order:\n{}", upward.join("\n"));
    let stale: Vec<_> = ALLOWED.iter().filter(|(a, b)| !used.contains(&(a.to_string(), b.to_string()))).collect();
    assert!(stale.is_empty(), "ALLOWED entries no longer needed (remove them): {stale:?}");
}

#[test]
fn no_import_cycles_between_modules() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((a, b), _) in edges() {
        if !ALLOWED.contains(&(a.as_str(), b.as_str())) {
            graph.entry(a).or_default().insert(b);
        }
    }
    // Depth-first search for a back edge; report the cycle it closes.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut c = stack[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        let mut stack = Vec::new();
        if let Some(c) = visit(n, &graph, &mut stack, &mut done) {
            panic!("import cycle: {}", c.join(" → "));
        }
    }
}

#[test]
fn the_path_reader_sees_every_form_of_path() {
    let heads = heads_after(
        "use crate::{bgp::{A, B}, model::*};\nfn f(s: &crate::simulation::Simulation) {}\n/// [x](crate::error::Error)\nnot_crate::x",
        "crate::",
    );
    assert_eq!(heads, ["bgp", "model", "simulation", "error"]);
    assert_eq!(module_path(Path::new("forward/walk/msee.rs")), ["forward", "walk", "msee"]);
    assert_eq!(module_path(Path::new("bgp/mod.rs")), ["bgp"]);
    assert_eq!(module_path(Path::new("lib.rs")), ["lib"]);
}
