//! `ersim compare`: the comparison as text, JSON (camelCase) or JUnit (one test case per NIC and
//! per gateway).

use serde_json::json;

use super::check::xml_escape;
use crate::compare::{Comparison, Explanation, GatewayResult, NicResult};

fn explained(out: &mut String, line: &str, e: Option<&Explanation>) {
    out.push_str(&format!("    - {line}\n"));
    if let Some(e) = e {
        out.push_str(&format!("      ersim: {} [{}]\n", e.origin, e.rule));
        out.push_str(&format!("      {}\n", e.detail));
    }
}

fn nic_text(out: &mut String, n: &NicResult) {
    let bad = n.missing.len() + n.unexpected.len();
    if bad == 0 {
        out.push_str(&format!("NIC {} ({}): all {} rows match", n.nic, n.file, n.matched));
    } else {
        out.push_str(&format!(
            "NIC {} ({}): MISMATCH: {} match, {} predicted but absent, {} present but not predicted",
            n.nic,
            n.file,
            n.matched,
            n.missing.len(),
            n.unexpected.len()
        ));
    }
    if !n.not_modelled.is_empty() {
        out.push_str(&format!(", {} not modelled", n.not_modelled.len()));
    }
    out.push('\n');
    if !n.missing.is_empty() {
        out.push_str("  predicted by ersim, absent in Azure:\n");
        for r in &n.missing {
            explained(out, &r.line(), r.explanation.as_ref());
        }
    }
    if !n.unexpected.is_empty() {
        out.push_str("  in Azure, not predicted by ersim:\n");
        for r in &n.unexpected {
            explained(out, &r.line(), r.explanation.as_ref());
        }
    }
    if !n.not_modelled.is_empty() {
        out.push_str("  not modelled by ersim (service endpoints, service tags, connected groups; not compared):\n");
        for r in &n.not_modelled {
            out.push_str(&format!("    - {}\n", r.line()));
        }
    }
}

fn gateway_text(out: &mut String, g: &GatewayResult) {
    let bad = g.missing.len() + g.unexpected.len();
    if bad == 0 {
        out.push_str(&format!("gateway {} ({}): all {} learned routes match", g.gateway, g.file, g.matched));
    } else {
        out.push_str(&format!(
            "gateway {} ({}): MISMATCH: {} match, {} predicted but absent, {} present but not predicted",
            g.gateway,
            g.file,
            g.matched,
            g.missing.len(),
            g.unexpected.len()
        ));
    }
    if !g.not_modelled.is_empty() {
        out.push_str(&format!(", {} not modelled", g.not_modelled.len()));
    }
    out.push('\n');
    if !g.missing.is_empty() {
        out.push_str(
            "  held by ersim's gateway (network next-hop origin as-path; * = any next hop), absent in Azure:\n",
        );
        for r in &g.missing {
            explained(out, &r.line(), r.explanation.as_ref());
        }
    }
    if !g.unexpected.is_empty() {
        out.push_str("  learned in Azure, not predicted by ersim:\n");
        for r in &g.unexpected {
            explained(out, &r.line(), r.explanation.as_ref());
        }
    }
    if !g.not_modelled.is_empty() {
        out.push_str("  not modelled (learned from the gateway's other instance; not compared):\n");
        for r in &g.not_modelled {
            out.push_str(&format!("    - {}\n", r.line()));
        }
    }
}

/// The comparison as text.
pub fn text(c: &Comparison) -> String {
    let mut out = String::new();
    for n in &c.nics {
        nic_text(&mut out, n);
    }
    for g in &c.gateways {
        gateway_text(&mut out, g);
    }
    if !c.skipped.is_empty() {
        out.push_str(&format!("skipped (not effective or learned routes): {}\n", c.skipped.join(", ")));
    }
    let total = c.nics.len() + c.gateways.len();
    let m = c.mismatches();
    out.push_str(&format!(
        "\n{} compared ({} NIC{}, {} gateway{}): {}\n",
        total,
        c.nics.len(),
        if c.nics.len() == 1 { "" } else { "s" },
        c.gateways.len(),
        if c.gateways.len() == 1 { "" } else { "s" },
        if m == 0 {
            "everything matches".to_string()
        } else {
            format!("{m} mismatched row{}", if m == 1 { "" } else { "s" })
        }
    ));
    out
}

/// The comparison as JSON: `{"nics", "gateways", "skipped", "result"}`.
pub fn json(c: &Comparison) -> String {
    let mut v = serde_json::to_value(c).expect("serialisable");
    let matched: usize =
        c.nics.iter().map(|n| n.matched).sum::<usize>() + c.gateways.iter().map(|g| g.matched).sum::<usize>();
    let not_modelled: usize = c.nics.iter().map(|n| n.not_modelled.len()).sum::<usize>()
        + c.gateways.iter().map(|g| g.not_modelled.len()).sum::<usize>();
    v["result"] = json!({
        "nics": c.nics.len(),
        "gateways": c.gateways.len(),
        "matched": matched,
        "mismatches": c.mismatches(),
        "notModelled": not_modelled,
        "exitCode": c.exit_code(),
    });
    let mut s = serde_json::to_string_pretty(&v).expect("serialisable");
    s.push('\n');
    s
}

/// The comparison as JUnit XML: one test case per NIC and per gateway.
pub fn junit(c: &Comparison) -> String {
    let mut cases = String::new();
    let mut failures = 0;
    let mut case = |class: &str, name: &str, file: &str, body: Option<String>, summary: String| match body {
        None => cases.push_str(&format!(
            "    <testcase classname=\"ersim.compare.{class}\" name=\"{}\" file=\"{}\"/>\n",
            xml_escape(name),
            xml_escape(file)
        )),
        Some(b) => {
            failures += 1;
            cases.push_str(&format!(
                    "    <testcase classname=\"ersim.compare.{class}\" name=\"{}\" file=\"{}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml_escape(name),
                    xml_escape(file),
                    xml_escape(&summary),
                    xml_escape(&b)
                ));
        }
    };
    for n in &c.nics {
        let bad = n.missing.len() + n.unexpected.len() > 0;
        let mut body = String::new();
        nic_text(&mut body, n);
        case(
            "nic",
            &n.nic,
            &n.file,
            bad.then_some(body),
            format!("{} predicted but absent, {} present but not predicted", n.missing.len(), n.unexpected.len()),
        );
    }
    for g in &c.gateways {
        let bad = g.missing.len() + g.unexpected.len() > 0;
        let mut body = String::new();
        gateway_text(&mut body, g);
        case(
            "gateway",
            &g.gateway,
            &g.file,
            bad.then_some(body),
            format!("{} predicted but absent, {} present but not predicted", g.missing.len(), g.unexpected.len()),
        );
    }
    let tests = c.nics.len() + c.gateways.len();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ersim compare\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"ersim compare\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}
