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
    for name in ["scenario-format.md", "routing-rules.md"] {
        let md = doc(name);
        for bad in ["/work/", "../shared", "azure-routing.md"] {
            assert!(!md.contains(bad), "docs/{name} mentions `{bad}`, which users do not have");
        }
    }
}
