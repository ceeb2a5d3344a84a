//! The repository's own documentation stays true: every TOML example in the format reference is
//! a valid scenario, and the README and docs point only at files users have.

/// The fenced blocks of one language in a Markdown text, with the 1-based line each starts on.
pub fn fenced(md: &str, lang: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = md.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        if l.trim_start() == format!("```{lang}") {
            let mut body = String::new();
            for (_, b) in lines.by_ref() {
                if b.trim_start().starts_with("```") {
                    break;
                }
                body.push_str(b);
                body.push('\n');
            }
            out.push((i + 1, body));
        }
    }
    out
}

fn doc(name: &str) -> String {
    std::fs::read_to_string(format!("{}/docs/{name}", env!("CARGO_MANIFEST_DIR"))).expect("docs file")
}

#[test]
fn every_toml_example_of_the_format_reference_is_a_valid_scenario() {
    let md = doc("scenario-format.md");
    let blocks = fenced(&md, "toml");
    assert!(blocks.len() >= 15, "one example per block kind at least, found {}", blocks.len());
    for (line, text) in blocks {
        match ersim::scenario::parse(&format!("docs/scenario-format.md:{line}"), text.clone()) {
            Ok(l) => {
                let r = ersim::check::check(&l).expect("propagation converges");
                assert_eq!(
                    r.exit_code(),
                    0,
                    "the example at docs/scenario-format.md:{line} fails check:\n{}",
                    ersim::report::check::text(&r)
                );
            }
            Err(e) => panic!("the example at docs/scenario-format.md:{line} is not valid:\n{e}\n{text}"),
        }
    }
}

#[test]
fn docs_point_only_at_files_in_the_repository() {
    // The folder holding this checkout is the developer's machine, not the user's.
    let outside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(|p| format!("{}/", p.display()));
    for name in ["scenario-format.md", "routing-rules.md"] {
        let md = doc(name);
        let bad_names = ["../shared", "azure-routing.md"].map(String::from);
        for bad in bad_names.iter().chain(outside.iter()).filter(|b| b.len() > 1) {
            assert!(!md.contains(bad), "docs/{name} mentions `{bad}`, which users do not have");
        }
    }
}

/// Keys the reference documents that the reader does not take yet, as (block, key). Each lands
/// with its feature; an entry the reader already takes fails the test, so the list only shrinks.
const PENDING: &[(&str, &str)] = &[];

/// The key tables of docs/scenario-format.md: block (`[[vnet]]`, `the scenario's top level`, or
/// `[[onprem]] \`advertise\` entries`) → keys, in the order listed.
fn documented_keys() -> Vec<(String, Vec<String>)> {
    let md = doc("scenario-format.md");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut block: Option<String> = None;
    let mut parent = String::new();
    let mut in_table = false;
    for line in md.lines() {
        if let Some(h) = line.strip_prefix('#') {
            let title = h.trim_start_matches('#').trim();
            in_table = false;
            block = if title == "Top level" {
                Some("the scenario's top level".into())
            } else if let Some(b) = title.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
                parent = b.to_string();
                Some(b.to_string())
            } else if title == "`advertise` entries" {
                Some(format!("{parent} `advertise` entries"))
            } else {
                None
            };
            continue;
        }
        if line.starts_with("| key | type | default | meaning |") {
            in_table = block.is_some();
            if let Some(b) = &block {
                out.push((b.clone(), Vec::new()));
            }
            continue;
        }
        if in_table {
            if !line.starts_with('|') {
                in_table = false;
                continue;
            }
            let cell = line.split('|').nth(1).unwrap_or_default().trim();
            if cell.starts_with("---") {
                continue;
            }
            let key = cell.trim_matches('`');
            assert!(cell.starts_with('`') && cell.ends_with('`') && !key.contains(' '), "key cell `{cell}`");
            out.last_mut().unwrap().1.push(key.to_string());
        }
    }
    out
}

#[test]
fn the_reference_documents_exactly_the_keys_the_reader_takes() {
    use ersim::scenario::keys;
    let documented = documented_keys();
    let reader: Vec<(String, Vec<&str>)> = keys::all_blocks()
        .into_iter()
        .map(|b| {
            let what = if std::ptr::eq(b, &keys::BGP_PEER_ADVERT) {
                "[[bgp_peer]] `advertise` entries".to_string()
            } else if std::ptr::eq(b, &keys::ONPREM_ADVERT) {
                "[[onprem]] `advertise` entries".to_string()
            } else {
                b.what.to_string()
            };
            (what, b.keys.iter().map(|k| k.name).collect())
        })
        .collect();
    let mut pending_used = Vec::new();
    for (block, keys) in &documented {
        let known = reader.iter().find(|(w, _)| w == block).map(|(_, k)| k.clone()).unwrap_or_default();
        for k in keys {
            let pending = PENDING.contains(&(block.as_str(), k.as_str()));
            let takes = known.contains(&k.as_str());
            assert!(takes || pending, "docs/scenario-format.md documents `{k}` in {block}, which ersim does not read");
            assert!(!(takes && pending), "`{k}` in {block} is read now: remove it from PENDING");
            if pending {
                pending_used.push((block.clone(), k.clone()));
            }
        }
        let mut uniq = keys.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), keys.len(), "{block} lists a key twice");
    }
    assert_eq!(pending_used.len(), PENDING.len(), "a PENDING entry is no longer documented");
    for (block, keys) in &reader {
        let doc = documented
            .iter()
            .find(|(b, _)| b == block)
            .unwrap_or_else(|| panic!("docs/scenario-format.md has no key table for {block}"));
        for k in keys {
            assert!(doc.1.iter().any(|d| d == k), "`{k}` of {block} is not in docs/scenario-format.md");
        }
    }
}
