//! `check`: the seed's seven expectations, failing expectations and what they report, invalid
//! input (exit 2), Part K design findings (exit 1), the JSON and JUnit outputs, and output that does
//! not depend on block order.

use ersim::check::{CheckReport, Kind};
use ersim::report::check::{detail, json, junit, text};

use super::common::*;

fn check(text: &str) -> CheckReport {
    ersim::app::check_source("test.toml", text.as_bytes().to_vec()).unwrap_or_else(|e| panic!("check: {e}"))
}

fn expectation<'a>(r: &'a CheckReport, name: &str) -> &'a ersim::check::ExpectResult {
    r.expectations
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no expectation named `{name}` in {:?}", r.expectations))
}

const SEED_EXPECTATIONS: [&str; 7] = [
    "spoke10 learns spoke110 over the circuit (primary MSEE)",
    "spoke10 learns spoke110 over the circuit (secondary MSEE)",
    "spoke10 reaches its hub over the peering",
    "peering is not transitive: no route to spoke20",
    "spoke10 reaches spoke110 over the circuit and back",
    "spoke10 reaches spoke120 over the circuit and back",
    "spoke10 and spoke20 are isolated without a UDR",
];

// ------------------------------------------------------------------ a tiny XML reader

/// An XML element: name, attributes (entities decoded), children, text content.
#[derive(Debug)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    /// Every descendant (and self) named `name`, in document order.
    pub fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        if self.name == name {
            out.push(self);
        }
        for c in &self.children {
            c.all(name, out);
        }
    }

    pub fn find_all(&self, name: &str) -> Vec<&Element> {
        let mut v = Vec::new();
        self.all(name, &mut v);
        v
    }
}

struct Xml<'a> {
    s: &'a str,
    i: usize,
}

/// XML 1.0 `Char`: tab, LF, CR and everything from U+0020 except surrogates, FFFE, FFFF.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

impl<'a> Xml<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        let ctx: String = self.rest().chars().take(40).collect();
        Err(format!("{what} at byte {}: {ctx:?}", self.i))
    }
    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    fn ws(&mut self) {
        while let Some(c) = self.rest().chars().next() {
            if c.is_ascii_whitespace() {
                self.i += 1;
            } else {
                break;
            }
        }
    }
    fn misc(&mut self) -> Result<(), String> {
        loop {
            self.ws();
            if self.eat("<!--") {
                match self.rest().find("-->") {
                    Some(k) => self.i += k + 3,
                    None => return self.err("unterminated comment"),
                }
            } else {
                return Ok(());
            }
        }
    }
    fn name(&mut self) -> Result<String, String> {
        let start = self.i;
        for (k, c) in self.rest().char_indices() {
            let ok =
                c.is_alphabetic() || c == '_' || c == ':' || (k > 0 && (c.is_alphanumeric() || c == '-' || c == '.'));
            if !ok {
                break;
            }
            self.i = start + k + c.len_utf8();
        }
        if self.i == start { self.err("expected a name") } else { Ok(self.s[start..self.i].to_string()) }
    }
    /// Decode character data up to (not including) `stop`, checking entities and characters.
    fn chars(&mut self, stop: &[char], in_attr: bool) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let Some(c) = self.rest().chars().next() else { return Ok(out) };
            if stop.contains(&c) {
                return Ok(out);
            }
            if c == '<' {
                return self.err("`<` inside an attribute value");
            }
            if !xml_char(c) {
                return self.err("a character XML 1.0 does not allow");
            }
            if c == '&' {
                let Some(end) = self.rest().find(';') else { return self.err("`&` without `;`") };
                let ent = &self.rest()[1..end];
                let ch = match ent {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => {
                        let code = if let Some(h) = ent.strip_prefix("#x") {
                            u32::from_str_radix(h, 16).ok()
                        } else if let Some(d) = ent.strip_prefix('#') {
                            d.parse().ok()
                        } else {
                            None
                        };
                        match code.and_then(char::from_u32) {
                            Some(ch) if xml_char(ch) => ch,
                            _ => return self.err("a bad entity or character reference"),
                        }
                    }
                };
                out.push(ch);
                self.i += end + 1;
                continue;
            }
            if !in_attr && self.rest().starts_with("]]>") {
                return self.err("`]]>` in text");
            }
            out.push(c);
            self.i += c.len_utf8();
        }
    }
    fn element(&mut self) -> Result<Element, String> {
        if !self.eat("<") {
            return self.err("expected `<`");
        }
        let name = self.name()?;
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            let before = self.i;
            self.ws();
            if self.eat("/>") {
                return Ok(Element { name, attrs, children: Vec::new(), text: String::new() });
            }
            if self.eat(">") {
                break;
            }
            if self.i == before {
                return self.err("expected whitespace before an attribute");
            }
            let k = self.name()?;
            self.ws();
            if !self.eat("=") {
                return self.err("expected `=`");
            }
            self.ws();
            let q = match self.rest().chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => return self.err("expected a quoted value"),
            };
            self.i += 1;
            let v = self.chars(&[q], true)?;
            if !self.eat(&q.to_string()) {
                return self.err("unterminated attribute value");
            }
            if attrs.iter().any(|(n, _)| *n == k) {
                return self.err("duplicate attribute");
            }
            attrs.push((k, v));
        }
        let mut children = Vec::new();
        let mut text = String::new();
        loop {
            if self.rest().is_empty() {
                return self.err(&format!("unclosed <{name}>"));
            }
            if self.eat("</") {
                let end = self.name()?;
                self.ws();
                if end != name || !self.eat(">") {
                    return self.err(&format!("</{end}> does not close <{name}>"));
                }
                return Ok(Element { name, attrs, children, text });
            }
            if self.eat("<!--") {
                match self.rest().find("-->") {
                    Some(k) => self.i += k + 3,
                    None => return self.err("unterminated comment"),
                }
            } else if self.eat("<![CDATA[") {
                match self.rest().find("]]>") {
                    Some(k) => {
                        text.push_str(&self.rest()[..k]);
                        self.i += k + 3;
                    }
                    None => return self.err("unterminated CDATA"),
                }
            } else if self.rest().starts_with('<') {
                children.push(self.element()?);
            } else {
                text.push_str(&self.chars(&['<'], false)?);
            }
        }
    }
}

/// Parse a whole document: optional declaration, one root element, nothing but comments after.
pub(crate) fn parse_xml(s: &str) -> Result<Element, String> {
    let mut x = Xml { s, i: 0 };
    if x.eat("<?xml") {
        match x.rest().find("?>") {
            Some(k) => x.i += k + 2,
            None => return x.err("unterminated declaration"),
        }
    }
    x.misc()?;
    let root = x.element()?;
    x.misc()?;
    if !x.rest().is_empty() {
        return x.err("content after the root element");
    }
    Ok(root)
}

fn xml(s: &str) -> Element {
    parse_xml(s).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{s}"))
}

#[test]
fn the_xml_reader_rejects_what_is_not_well_formed() {
    for bad in [
        "<a><b></a>",
        "<a x=\"1\" x=\"2\"/>",
        "<a>&</a>",
        "<a>&bogus;</a>",
        "<a x=\"<\"/>",
        "<a/><b/>",
        "<a>&#x1;</a>",
        "<a>\u{1}</a>",
        "<a",
    ] {
        assert!(parse_xml(bad).is_err(), "accepted: {bad}");
    }
    let e = xml("<?xml version=\"1.0\"?>\n<a k='&quot;&amp;'><b/>t&lt;<c>x</c></a>\n");
    assert_eq!(e.attr("k"), Some("\"&"));
    assert_eq!(e.children.len(), 2);
    assert_eq!(e.text, "t<");
}

// ------------------------------------------------------------------ the seed

#[test]
fn seed_checks_ok_with_seven_passing_expectations() {
    let r = check(&seed_text());
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert!(r.findings.is_empty(), "no design findings in the seed: {:?}", r.findings);
    assert_eq!(r.exit_code(), 0, "{}", text(&r));
    assert_eq!(r.expectations.len(), 7);
    for name in SEED_EXPECTATIONS {
        let e = expectation(&r, name);
        assert!(e.pass, "`{name}` must pass: {}", detail(&r, e));
    }
    let kinds: Vec<Kind> = r.expectations.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| **k == Kind::Reach).count(), 3, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == Kind::Route).count(), 4, "{kinds:?}");
    let t = text(&r);
    assert_eq!(t.matches("PASS  ").count(), 7, "{t}");
    assert!(!t.contains("FAIL"), "{t}");
    assert!(
        detail(&r, expectation(&r, "spoke10 reaches spoke110 over the circuit and back")).contains('2'),
        "2 routed hops"
    );
}

#[test]
fn a_false_route_expectation_fails_and_says_what_the_table_has() {
    let t = edit(&seed_text(), "next_hop_ip = \"10.2.146.77\"", "next_hop_ip = \"10.2.146.99\"");
    let r = check(&t);
    assert_eq!(r.exit_code(), 1);
    let e = expectation(&r, "spoke10 learns spoke110 over the circuit (secondary MSEE)");
    assert!(!e.pass);
    assert_eq!(e.kind, Kind::Route);
    assert!(
        detail(&r, e).contains("10.2.146.76") && detail(&r, e).contains("10.2.146.77"),
        "the detail shows the rows the table has: {}",
        detail(&r, e)
    );
    assert!(detail(&r, e).contains("10.110.0.0/16"), "{}", detail(&r, e));
    assert_eq!(r.expectations.iter().filter(|e| !e.pass).count(), 1, "the other six still pass");
    let out = text(&r);
    assert!(out.contains("FAIL  spoke10 learns spoke110 over the circuit (secondary MSEE)"), "{out}");
    // The failure points at the [[expect]] block.
    let line = t.lines().position(|l| l.contains("next_hop_ip = \"10.2.146.99\"")).unwrap() + 1;
    let block = t.lines().take(line).collect::<Vec<_>>().iter().rposition(|l| l.starts_with("[[expect]]")).unwrap() + 1;
    assert!(out.contains(&format!("test.toml:{block}:")), "the FAIL line names test.toml:{block}\n{out}");
}

#[test]
fn reachable_false_for_a_delivered_pair_fails() {
    let t = seed_text()
        + r#"
[[expect]]
name = "spoke10 must not reach spoke110"
from = "vm-spoke10"
to = "vm-spoke110"
reachable = false
"#;
    let r = check(&t);
    assert_eq!(r.exit_code(), 1);
    let e = expectation(&r, "spoke10 must not reach spoke110");
    assert!(!e.pass, "a delivered pair breaks `reachable = false`: {}", detail(&r, e));
    assert_eq!(e.kind, Kind::Reach);
    assert!(detail(&r, e).contains("delivered"), "{}", detail(&r, e));
    assert_eq!(r.expectations.len(), 8);
}

#[test]
fn reachable_true_for_an_isolated_pair_fails_with_the_drop() {
    let t = edit(&seed_text(), "to = \"spoke20\"\nreachable = false", "to = \"spoke20\"\nreachable = true");
    let r = check(&t);
    assert_eq!(r.exit_code(), 1);
    let e = expectation(&r, "spoke10 and spoke20 are isolated without a UDR");
    assert!(!e.pass);
    assert!(detail(&r, e).contains("NextHopNone"), "the detail names the drop: {}", detail(&r, e));
}

// ------------------------------------------------------------------ invalid input

fn invalid_seed() -> String {
    seed_text() + "\n[[nic]]\nname = \"nic-x\"\nvnet = \"nope\"\nsubnet = \"default\"\n"
}

#[test]
fn an_invalid_scenario_exits_2_with_one_failing_validation_case_in_junit() {
    let r = check(&invalid_seed());
    assert!(!r.errors.is_empty());
    assert_eq!(r.exit_code(), 2);
    assert!(r.expectations.is_empty(), "nothing is evaluated on invalid input");
    let doc = xml(&junit(&r));
    assert_eq!(doc.name, "testsuites");
    let cases = doc.find_all("testcase");
    assert_eq!(cases.len(), 1, "one test case on invalid input");
    assert_eq!(cases[0].attr("name"), Some("validation"));
    let failures = cases[0].find_all("failure");
    assert_eq!(failures.len(), 1, "the validation case fails");
    assert!(failures[0].text.contains("nope"), "the failure names the bad reference: {}", failures[0].text);
    assert_eq!(doc.attr("tests"), Some("1"));
    assert_eq!(doc.attr("failures"), Some("1"));
    let t = text(&r);
    assert!(t.contains("test.toml:"), "{t}");
    let j: serde_json::Value = serde_json::from_str(&json(&r)).unwrap();
    assert_eq!(j["valid"], false);
    assert_eq!(j["result"]["exitCode"], 2);
    assert!(!j["errors"].as_array().unwrap().is_empty());
}

#[test]
fn a_toml_syntax_error_is_invalid_too() {
    let r = check(&(seed_text() + "\n[[nic]\nname = 1\n"));
    assert_eq!(r.exit_code(), 2);
    let doc = xml(&junit(&r));
    assert_eq!(doc.find_all("testcase").len(), 1);
}

// ------------------------------------------------------------------ JUnit and JSON

#[test]
fn seed_junit_is_xml_with_one_case_per_expectation() {
    let r = check(&seed_text());
    let doc = xml(&junit(&r));
    assert_eq!(doc.name, "testsuites");
    let cases = doc.find_all("testcase");
    assert_eq!(cases.len(), 7);
    let mut names: Vec<&str> = cases.iter().map(|c| c.attr("name").expect("testcase name")).collect();
    names.sort();
    let mut want = SEED_EXPECTATIONS.to_vec();
    want.sort();
    assert_eq!(names, want);
    assert!(doc.find_all("failure").is_empty(), "nothing fails in the seed");
    for s in doc.find_all("testsuite") {
        assert_eq!(s.attr("tests"), Some("7"));
        assert_eq!(s.attr("failures"), Some("0"));
    }
}

#[test]
fn junit_escapes_markup_in_names_and_details() {
    let t = edit(
        &seed_text(),
        "name = \"spoke10 learns spoke110 over the circuit (secondary MSEE)\"\nnic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nnext_hop_type = \"VirtualNetworkGateway\"\nnext_hop_ip = \"10.2.146.77\"",
        "name = \"<spoke10> & 'spoke110' \\\"MSEE\\\"\"\nnic = \"nic-spoke10\"\nprefix = \"10.110.0.0/16\"\nnext_hop_type = \"VirtualNetworkGateway\"\nnext_hop_ip = \"10.2.146.99\"",
    );
    let r = check(&t);
    let doc = xml(&junit(&r));
    let cases = doc.find_all("testcase");
    assert_eq!(cases.len(), 7);
    let c = cases.iter().find(|c| c.attr("name") == Some("<spoke10> & 'spoke110' \"MSEE\"")).unwrap_or_else(|| {
        panic!("name not round-tripped: {:?}", cases.iter().map(|c| c.attr("name")).collect::<Vec<_>>())
    });
    assert_eq!(c.find_all("failure").len(), 1);
    assert_eq!(doc.find_all("failure").len(), 1);
}

#[test]
fn junit_stays_well_formed_with_control_characters_in_a_name() {
    // TOML allows "\u0001" in a string; XML 1.0 allows no such character, not even as `&#x1;`.
    let t = edit(
        &seed_text(),
        "name = \"spoke10 reaches its hub over the peering\"",
        "name = \"spoke10 reaches its hub\\u0001over the peering\"",
    );
    let r = check(&t);
    assert_eq!(r.exit_code(), 0);
    let out = junit(&r);
    if let Err(e) = parse_xml(&out) {
        panic!("JUnit with a control character in a name is not well-formed XML 1.0: {e}\n{out}");
    }
}

#[test]
fn check_json_parses_and_has_the_result() {
    let r = check(&seed_text());
    let j: serde_json::Value = serde_json::from_str(&json(&r)).expect("check JSON parses");
    assert_eq!(j["valid"], true);
    assert_eq!(j["result"]["exitCode"], 0);
    assert_eq!(j["result"]["expectations"], 7);
    assert_eq!(j["result"]["passed"], 7);
    assert_eq!(j["result"]["failed"], 0);
    assert_eq!(j["result"]["findings"], 0);
    assert_eq!(j["expectations"].as_array().unwrap().len(), 7);
    assert_eq!(j["summary"], "6 VNets, 10 subnets, 6 NICs, 4 peerings, 2 gateways, 1 circuit, 0 route tables");
    for e in j["expectations"].as_array().unwrap() {
        assert_eq!(e["pass"], true);
        assert!(e["line"].is_null(), "passing expectations carry no line: {e}");
    }

    let bad = check(&edit(&seed_text(), "next_hop_ip = \"10.2.146.77\"", "next_hop_ip = \"10.2.146.99\""));
    let j: serde_json::Value = serde_json::from_str(&json(&bad)).unwrap();
    assert_eq!(j["result"]["exitCode"], 1);
    assert_eq!(j["result"]["failed"], 1);
    let failed: Vec<&serde_json::Value> =
        j["expectations"].as_array().unwrap().iter().filter(|e| e["pass"] == false).collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["line"].as_u64().is_some(), "a failure carries its line: {}", failed[0]);
}

// ------------------------------------------------------------------ Part K findings

fn with_route_table(routes: usize) -> String {
    let mut t = seed_text() + "\n[[route_table]]\nname = \"rt-big\"\n";
    for i in 0..routes {
        t.push_str(&format!(
            "\n  [[route_table.route]]\n  name = \"r{i}\"\n  prefix = \"172.{}.{}.0/24\"\n  next_hop_type = \"None\"\n",
            16 + i / 256,
            i % 256
        ));
    }
    t
}

fn with_circuits_on_hub00(extra: usize, sku: &str) -> String {
    let mut t = edit(
        &seed_text(),
        "name = \"ergw-hub00\"\nvnet = \"hub00\"\ntype = \"ExpressRoute\"\nsku = \"ErGw1AZ\"",
        &format!("name = \"ergw-hub00\"\nvnet = \"hub00\"\ntype = \"ExpressRoute\"\nsku = \"{sku}\""),
    );
    for i in 0..extra {
        t.push_str(&format!(
            "\n[[circuit]]\nname = \"circuit-x{i}\"\nlocation = \"Site{i}\"\nsku = \"Standard\"\n\n[[connection]]\nname = \"conn-hub00-x{i}\"\ngateway = \"ergw-hub00\"\ncircuit = \"circuit-x{i}\"\n"
        ));
    }
    t
}

#[test]
fn a_route_table_over_400_routes_is_a_finding() {
    let r = check(&with_route_table(401));
    assert_eq!(r.findings.len(), 1, "R34: 401 routes in one table\n{}", text(&r));
    let m = &r.findings[0].message;
    assert!(m.contains("401") && m.contains("400"), "the finding names the count and the limit: {m}");
    assert_eq!(r.exit_code(), 1, "a finding fails check even when every expectation passes");
    assert!(r.expectations.iter().all(|e| e.pass));
    let j: serde_json::Value = serde_json::from_str(&json(&r)).unwrap();
    assert_eq!(j["result"]["exitCode"], 1);
    assert_eq!(j["result"]["findings"], 1);
    // JUnit: one case per expectation and one per finding, the finding failing.
    let doc = xml(&junit(&r));
    assert_eq!(doc.find_all("testcase").len(), 8);
    assert_eq!(doc.find_all("failure").len(), 1);

    let at_limit = check(&with_route_table(400));
    assert!(at_limit.findings.is_empty(), "400 routes are allowed: {:?}", at_limit.findings);
    assert_eq!(at_limit.exit_code(), 0);
}

#[test]
fn five_circuits_on_an_ergw1az_gateway_is_a_finding() {
    let r = check(&with_circuits_on_hub00(4, "ErGw1AZ"));
    assert_eq!(r.findings.len(), 1, "R62: 5 circuits on ErGw1AZ (limit 4)\n{}", text(&r));
    let m = &r.findings[0].message;
    assert!(m.contains('5') && m.contains('4') && m.contains("ergw-hub00"), "{m}");
    assert_eq!(r.exit_code(), 1);

    let four = check(&with_circuits_on_hub00(3, "ErGw1AZ"));
    assert!(four.findings.is_empty(), "4 circuits are allowed on ErGw1AZ: {:?}", four.findings);
    assert_eq!(four.exit_code(), 0);
    let bigger = check(&with_circuits_on_hub00(4, "ErGw2AZ"));
    assert!(bigger.findings.is_empty(), "ErGw2AZ allows 8 circuits: {:?}", bigger.findings);
}

// ------------------------------------------------------------------ block order

/// The scenario with its top-level `[[...]]` blocks (each with its `[[vnet.subnet]]` /
/// `[[route_table.route]]` children and trailing comments) in reverse order.
fn reverse_blocks(text: &str) -> String {
    let mut preamble = String::new();
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        let top =
            line.starts_with("[[") && !line.trim_start_matches("[[").split(']').next().unwrap_or("").contains('.');
        if top {
            blocks.push(String::new());
        }
        match blocks.last_mut() {
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {
                preamble.push_str(line);
                preamble.push('\n');
            }
        }
    }
    blocks.reverse();
    let mut out = preamble;
    for b in blocks {
        out.push('\n');
        out.push_str(&b);
    }
    out
}

#[test]
fn check_output_does_not_depend_on_block_order() {
    let seed = seed_text();
    let rev = reverse_blocks(&seed);
    assert_ne!(seed, rev);
    assert!(rev.find("[[expect]]").unwrap() < rev.find("[[vnet]]").unwrap(), "blocks really are reversed");
    let (a, b) = (check(&seed), check(&rev));
    assert_eq!(b.exit_code(), 0, "{}", text(&b));
    assert_eq!(text(&a), text(&b));
    assert_eq!(json(&a), json(&b));
    assert_eq!(junit(&a), junit(&b));
    // Also with a finding and a warning-free failing expectation: everything but locations is equal.
    let bad =
        edit(&with_circuits_on_hub00(4, "ErGw1AZ"), "next_hop_ip = \"10.2.146.77\"", "next_hop_ip = \"10.2.146.99\"");
    let (c, d) = (check(&bad), check(&reverse_blocks(&bad)));
    assert_eq!(c.exit_code(), d.exit_code());
    let names =
        |r: &CheckReport| r.expectations.iter().map(|e| (e.name.clone(), e.pass, detail(r, e))).collect::<Vec<_>>();
    assert_eq!(names(&c), names(&d));
    let msgs = |r: &CheckReport| r.findings.iter().map(|f| f.message.clone()).collect::<Vec<_>>();
    assert_eq!(msgs(&c), msgs(&d));
}
