//! Hostile inputs (issue 7, "hostile sizes"): deep nesting, a file over the size limit, tens of
//! thousands of errors, many prefixes on one session, many VNets. Each must end in a result or
//! a clear error, never a panic, a stack overflow or unbounded memory. Sizes here are kept small
//! enough for a debug build in CI; the README's Robustness section gives the full-size runs
//! (10⁶ prefixes, 10⁵ VNets) measured on release builds.

use ersim::diag::Severity;
use ersim::scenario::LoadError as Error;

use super::common::*;

fn invalid(text: String) -> ersim::scenario::Invalid {
    match ersim::scenario::parse("hostile.toml", text) {
        Err(Error::Invalid(inv)) => *inv,
        Err(e) => panic!("expected diagnostics, got {e}"),
        Ok(_) => panic!("expected the scenario to be refused"),
    }
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    // 100,000 nested arrays and 100,000 nested inline tables, on a test thread's small stack.
    for text in
        [format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000)), format!("x = {}\n", "{a = ".repeat(100_000))]
    {
        let inv = invalid(text.clone());
        assert!(inv.diagnostics.iter().any(|d| d.severity == Severity::Error));
        let shown = inv.render();
        assert!(shown.contains("hostile.toml:1:"), "{}", &shown[..shown.len().min(600)]);
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    // A sparse file: no disk is used, but its length is over the limit.
    let dir = std::env::temp_dir().join(format!("ersim-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.toml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(ersim::scenario::MAX_FILE_BYTES + 1).unwrap();
    drop(f);
    let r = ersim::scenario::load(&path);
    let _ = std::fs::remove_dir_all(&dir);
    match r {
        Err(e @ Error::TooLarge { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("huge.toml"), "{msg}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn tens_of_thousands_of_errors_are_all_kept_and_the_text_is_capped() {
    // 20,000 NICs naming a VNet that does not exist: one error each, all in source order.
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("[[nic]]\nname = \"n{i}\"\nvnet = \"nowhere\"\nsubnet = \"default\"\n"));
    }
    let inv = invalid(text);
    let errors: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.len() >= 20_000, "{} errors", errors.len());
    let starts: Vec<usize> = inv.diagnostics.iter().filter_map(|d| d.span.as_ref().map(|s| s.start)).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "diagnostics in source order");
    let shown = inv.render();
    let rendered = shown.matches(": error: ").count();
    assert_eq!(rendered, ersim::diag::MAX_RENDERED, "text shows the first {}", ersim::diag::MAX_RENDERED);
    assert!(shown.contains("more (the first 200 are shown"), "{}", &shown[shown.len().saturating_sub(400)..]);
}

#[test]
fn a_hundred_thousand_prefixes_on_one_session_drop_it_and_leave_the_rest_working() {
    // R52: far over a Premium circuit's 10,000; the session carries nothing, the hub still works.
    let adv: Vec<String> =
        (0..100_000u32).map(|i| format!("\"{}.{}.{}.0/24\"", 11 + i / 65_536, (i / 256) % 256, i % 256)).collect();
    let text = hub(&format!(
        r#"
[[gateway]]
name = "ergw"
vnet = "hub"
type = "ExpressRoute"

[[circuit]]
name = "c1"
sku = "Premium"

[[connection]]
name = "conn"
gateway = "ergw"
circuit = "c1"

[[onprem]]
name = "dc"
asn = 65001
circuits = ["c1"]
advertise = [{}]
"#,
        adv.join(", ")
    ));
    let s = sim(&text);
    let rows = nic_rows(&s, "nic-spoke");
    assert!(
        rows.iter().all(|r| !r.contains("|11.") || r.contains("|12.")),
        "no on-premises prefix arrives\n{}",
        rows.join("\n")
    );
    assert!(rows.iter().any(|r| r.contains("|10.0.0.0/16|")), "the peering still works\n{}", rows.join("\n"));
    let r = ersim::check::check(&load(&text)).expect("check runs");
    assert!(r.findings.iter().any(|d| d.code == "prefix-limit" && d.message.contains("100000")), "{:#?}", r.findings);
    assert_eq!(r.exit_code(), 1, "a dropped session is an outage (Part K)");
}

#[test]
fn twenty_thousand_vnets_check_cleanly() {
    // 40 hubs × 499 spokes = 20,000 VNets, with ExpressRoute on shared circuits.
    let p = ersim::synth::SynthParams { hubs: 40, spokes_per_hub: 499, ..Default::default() };
    let text = ersim::synth::generate(&p);
    let l = load(&text);
    assert_eq!(l.model.vnets.len(), 20_000);
    let r = ersim::check::check(&l).expect("check runs");
    assert_eq!(r.exit_code(), 0, "{}", ersim::report::check::text(&r));
}

#[test]
fn errors_in_a_one_megabyte_line_show_a_window_around_each_value() {
    // 100,000 prefixes on one line, the last 34,464 of them invalid (third octet over 255):
    // each error shows its own value under a caret and an exact line:col.
    let adv: Vec<String> = (0..100_000u32).map(|i| format!("\"11.{}.{}.0/24\"", i / 256, i % 256)).collect();
    let line = format!("advertise = [{}]", adv.join(", "));
    let text = format!("[[onprem]]\nname = \"dc\"\nasn = 65001\n{line}\n");
    let inv = invalid(text);
    let errors = inv.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    assert_eq!(errors, 100_000 - 256 * 256);
    let shown = inv.render();
    let col = line.find("\"11.256.0.0/24\"").unwrap() + 1;
    let first = shown.lines().position(|l| l.contains(": error: ")).unwrap();
    let lines: Vec<&str> = shown.lines().collect();
    assert!(
        lines[first].starts_with(&format!("hostile.toml:4:{col}: error: advertised prefix `11.256.0.0/24`")),
        "{}",
        lines[first]
    );
    let snippet = lines[first + 2];
    let caret = lines[first + 3];
    assert!(snippet.len() < 400, "a window, not the whole line: {} bytes", snippet.len());
    let at = caret.find('^').expect("a caret");
    assert_eq!(&snippet[at..at + "\"11.256.0.0/24\"".len()], "\"11.256.0.0/24\"", "\n{snippet}\n{caret}");
    assert_eq!(caret.matches('^').count(), "\"11.256.0.0/24\"".len(), "the caret covers the value");
}

/// A router with `n` prefixes, one per line, behind a hub with `vnets` more VNets (one block each).
fn streamed_estate(n: u32, vnets: u32, bad: Option<u32>) -> String {
    let mut text = String::from(
        "format = 1\n\n[[vnet]]\nname = \"hub\"\naddress_space = [\"10.0.0.0/16\"]\n  [[vnet.subnet]]\n  name = \"GatewaySubnet\"\n  prefix = \"10.0.255.0/27\"\n",
    );
    for i in 0..vnets {
        text.push_str(&format!(
            "\n[[vnet]]\nname = \"v{i}\"\naddress_space = [\"10.{}.{}.0/24\"]\n  [[vnet.subnet]]\n  name = \"default\"\n  prefix = \"10.{}.{}.0/24\"\n",
            1 + i / 256,
            i % 256,
            1 + i / 256,
            i % 256
        ));
    }
    text.push_str("\n[[gateway]]\nname = \"ergw\"\nvnet = \"hub\"\ntype = \"ExpressRoute\"\n");
    text.push_str("\n[[circuit]]\nname = \"c1\"\nsku = \"Premium\"\n");
    text.push_str("\n[[connection]]\nname = \"conn\"\ngateway = \"ergw\"\ncircuit = \"c1\"\n");
    text.push_str("\n[[onprem]]\nname = \"dc\"\nasn = 65001\ncircuits = [\"c1\"]\nadvertise = [\n");
    for i in 0..n {
        if Some(i) == bad {
            text.push_str("  \"11.999.0.0/24\",\n");
        } else {
            text.push_str(&format!("  \"{}.{}.{}.0/24\",\n", 11 + i / 65_536, (i / 256) % 256, i % 256));
        }
    }
    text.push_str("]\n");
    text
}

#[test]
fn a_two_hundred_thousand_prefix_list_and_thousands_of_blocks_are_read_as_a_stream() {
    // Valid: every block and every prefix arrives in the model, in order.
    let text = streamed_estate(200_000, 3_000, None);
    let l = load(&text);
    assert_eq!(l.model.vnets.len(), 3_001);
    assert!(l.model.vnets.iter().any(|v| v.name == "v2999"));
    let adv = &l.model.onprems[0].advertise;
    assert_eq!(adv.len(), 200_000);
    assert_eq!(adv[199_999].to_string(), "14.13.63.0/24");

    // One bad prefix deep in the list and an unknown key in the last VNet: both located exactly.
    let mut text = streamed_estate(200_000, 3_000, Some(150_000));
    let last_vnet = text.find("name = \"v2999\"").unwrap();
    text.insert_str(last_vnet, "colour = \"blue\"\n");
    let inv = invalid(text.clone());
    let errors: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 2, "{}", inv.render());
    let bad_at = text.find("\"11.999.0.0/24\"").unwrap();
    assert_eq!(errors[0].code.as_str(), "unknown-key");
    assert_eq!(errors[0].span.as_ref().unwrap().start, last_vnet);
    assert!(errors[1].message.contains("`11.999.0.0/24` is not a valid prefix"), "{}", errors[1].message);
    assert_eq!(errors[1].span.clone().unwrap(), bad_at..bad_at + 15);
    let line = text[..bad_at].matches('\n').count() + 1;
    assert!(inv.render().contains(&format!("hostile.toml:{line}:3: error")), "line {line}");
}

#[test]
fn syntax_errors_in_a_streamed_file_are_toml_s_own() {
    // Syntax errors after thousands of blocks and inside a long list: the reader hands the rest
    // of the file to toml's parser at the last header line, so every error is toml's, at its place.
    let base = streamed_estate(20_000, 2_000, None);
    let cases = [
        base.replacen("  \"11.0.200.0/24\",\n", "  \"11.0.200.0/24\" \"x\",\n", 1),
        base.replacen("name = \"v1999\"", "name = \"v1999", 1),
        base.replacen("[[gateway]]", "[[gateway]\nnic = [1,,2]", 1),
        base.replacen("name = \"v1000\"", "name = \"v1000\"\nname = \"again\"", 1),
        base.replacen("[[circuit]]", "[circuit]\n[[circuit]]", 1),
        format!("vnet = [{{ name = \"x\" }}]\n{base}"),
        format!("{base}[[onprem.advertise]]\nprefix = \"1.0.0.0/8\"\n"),
    ];
    for text in cases {
        let inv = invalid(text.clone());
        let ours: Vec<_> = inv.diagnostics.iter().map(|d| (d.message.clone(), d.span.clone())).collect();
        let (_, errors) = toml::de::DeTable::parse_recoverable(&text);
        assert!(!errors.is_empty());
        let mut toml_s: Vec<_> = errors
            .iter()
            .map(|e| (format!("invalid TOML: {}", e.message().trim_end()), Some(e.span().unwrap_or(0..0))))
            .collect();
        toml_s.sort_by_key(|(m, s)| (s.as_ref().map(|s| s.start), m.clone()));
        toml_s.dedup();
        assert_eq!(ours, toml_s);
    }
}
