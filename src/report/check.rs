//! `ersim check` output: text, JSON, and JUnit XML for CI systems.

use serde_json::{Value, json};

use super::forward::{drop_line, warning};
use crate::check::{CheckReport, Direction, ExpectResult, FirstDrop, ReachSeen, RouteSeen, Seen};
use crate::diag::Diagnostic;
use crate::effective::Row;
use crate::forward::Warning;
use crate::model::Model;

fn row_text(r: &Row) -> String {
    let ip = r.next_hop_ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    format!(
        "{} {} {} {}{}",
        r.source.api(),
        r.state.as_str(),
        r.prefix,
        r.next_hop_type.api(),
        if ip.is_empty() { String::new() } else { format!(" {ip}") }
    )
}

fn rows_text(rows: &[Row]) -> String {
    rows.iter().map(row_text).collect::<Vec<_>>().join("; ")
}

fn first_drop(m: &Model, f: &Option<FirstDrop>) -> Option<String> {
    f.as_ref().map(|f| {
        let dir = match f.direction {
            Direction::Forward => "forward",
            Direction::Return => "return",
        };
        format!("{dir} dropped: {}", drop_line(m, &f.drop))
    })
}

fn hops(h: &Option<(u32, u32)>) -> String {
    h.map(|(lo, hi)| super::routed_hops(lo, hi)).unwrap_or_else(|| "routed hops unknown".into())
}

fn warnings(m: &Model, ws: &[Warning]) -> String {
    ws.iter().map(|w| warning(m, w)).collect::<Vec<_>>().join("; ")
}

/// Why an expectation passes or fails, in a sentence: what was seen.
pub fn detail(r: &CheckReport, e: &ExpectResult) -> String {
    let m = &r.model;
    match &e.seen {
        Seen::Reach(s) => match s {
            ReachSeen::Unresolved(err) => err.to_string(),
            ReachSeen::NotSymmetric { warnings: w } => format!("delivered but asymmetric: {}", warnings(m, w)),
            ReachSeen::OneWay { hops: h } => {
                format!("delivered one way ({}; the return path is not modelled for a public address)", hops(h))
            }
            ReachSeen::Asymmetric { hops: h, warnings: w } => {
                format!("delivered both ways ({} forward), but asymmetric: {}", hops(h), warnings(m, w))
            }
            ReachSeen::Delivered { hops: h } => format!("delivered both ways ({} forward)", hops(h)),
            ReachSeen::Dropped(f) => first_drop(m, f).unwrap_or_else(|| "not delivered".into()),
            ReachSeen::Isolated(f) => format!("isolated as intended: {}", first_drop(m, f).unwrap_or_default()),
            ReachSeen::Forbidden => "delivered both ways, but the design says it must not be".into(),
            ReachSeen::NotResilient { breaks } => {
                let each: Vec<String> = breaks
                    .iter()
                    .map(|(e, r)| match r {
                        Some(r) => format!("{e} ({})", r.code()),
                        None => format!("{e} (propagation does not settle)"),
                    })
                    .collect();
                format!(
                    "delivered both ways, but not with {} down: {} (resilient = true)",
                    if breaks.len() == 1 { "this element" } else { "any of these elements" },
                    each.join(", ")
                )
            }
        },
        Seen::Route(s) => {
            let seen = |prefix: &ipnet::IpNet, rows: &[Row]| {
                if rows.is_empty() { format!("no row for {prefix}") } else { rows_text(rows) }
            };
            match s {
                RouteSeen::Found(row) => format!("found: {}", row_text(row)),
                RouteSeen::Absent { prefix, rows } => format!("absent as intended ({})", seen(prefix, rows)),
                RouteSeen::Present(rows) => format!("present: {}", rows_text(rows)),
                RouteSeen::NotFound { prefix, rows } => format!("not found; the table has: {}", seen(prefix, rows)),
            }
        }
    }
}

fn diag_json(r: &CheckReport, d: &Diagnostic) -> Value {
    let (line, col) = d
        .span
        .as_ref()
        .map(|sp| r.lines.line_col(&r.source.text, sp.start))
        .map(|(l, c)| (Some(l), Some(c)))
        .unwrap_or((None, None));
    json!({
        "severity": d.severity.word(),
        "code": d.code,
        "message": d.message,
        "file": r.source.name,
        "line": line,
        "column": col,
        "help": d.help,
        "rule": d.rule,
    })
}

fn counts(r: &CheckReport) -> (usize, usize, usize) {
    let passed = r.expectations.iter().filter(|e| e.pass).count();
    (r.expectations.len(), passed, r.expectations.len() - passed)
}

/// Text: diagnostics with file:line:col, then PASS/FAIL lines, then the result.
pub fn text(r: &CheckReport) -> String {
    text_colored(r, false)
}

fn render_capped(r: &CheckReport, ds: &[&Diagnostic], color: bool, out: &mut String) {
    let max = crate::diag::MAX_RENDERED;
    for d in ds.iter().take(max) {
        out.push_str(&d.render_with(&r.source.name, &r.source.text, &r.lines, color));
        out.push('\n');
    }
    if ds.len() > max {
        out.push_str(&format!("... and {} more (all of them in --output json)\n", ds.len() - max));
    }
}

/// Text, optionally with terminal colours.
pub fn text_colored(r: &CheckReport, color: bool) -> String {
    let mut out = String::new();
    let file = &r.source.name;
    if !r.errors.is_empty() {
        let all: Vec<&Diagnostic> = r.errors.iter().chain(r.warnings.iter()).collect();
        render_capped(r, &all, color, &mut out);
        out.push_str(&format!(
            "result: INVALID: {file} has {} error{}\n",
            r.errors.len(),
            if r.errors.len() == 1 { "" } else { "s" }
        ));
        return out;
    }
    out.push_str(&format!("check {file}: {}\n\n", r.summary));
    let all: Vec<&Diagnostic> = r.warnings.iter().chain(r.findings.iter()).collect();
    render_capped(r, &all, color, &mut out);
    for e in &r.expectations {
        if e.pass {
            out.push_str(&format!("PASS  {}\n      {}\n", e.name, detail(r, e)));
        } else {
            // Only failures carry a location: passing output does not depend on block order.
            let (l, c) = r.lines.line_col(&r.source.text, e.span.start);
            out.push_str(&format!("FAIL  {} ({file}:{l}:{c})\n      {}\n", e.name, detail(r, e)));
        }
    }
    let (n, p, f) = counts(r);
    out.push_str(&format!(
        "\nresult: {}: {n} expectation{}: {p} passed, {f} failed; {} design finding{}; {} warning{}\n",
        if r.exit_code() == 0 { "ok" } else { "FAILED" },
        if n == 1 { "" } else { "s" },
        r.findings.len(),
        if r.findings.len() == 1 { "" } else { "s" },
        r.warnings.len(),
        if r.warnings.len() == 1 { "" } else { "s" },
    ));
    out
}

/// JSON (documented in the README).
pub fn json(r: &CheckReport) -> String {
    let (n, p, f) = counts(r);
    let v = json!({
        "file": r.source.name,
        "valid": r.errors.is_empty(),
        "summary": r.summary,
        "errors": r.errors.iter().map(|d| diag_json(r, d)).collect::<Vec<_>>(),
        "warnings": r.warnings.iter().map(|d| diag_json(r, d)).collect::<Vec<_>>(),
        "findings": r.findings.iter().map(|d| diag_json(r, d)).collect::<Vec<_>>(),
        "expectations": r.expectations.iter().map(|e| json!({
            "name": e.name,
            "kind": e.kind.as_str(),
            "pass": e.pass,
            "detail": detail(r, e),
            "line": (!e.pass).then(|| r.lines.line_col(&r.source.text, e.span.start).0),
        })).collect::<Vec<_>>(),
        "result": {"expectations": n, "passed": p, "failed": f, "findings": r.findings.len(), "warnings": r.warnings.len(), "exitCode": r.exit_code()},
    });
    let mut s = serde_json::to_string_pretty(&v).expect("serialisable");
    s.push('\n');
    s
}

/// Escape text for XML attributes and content.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters, not even as references.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test case per expectation, one per design finding; on invalid input a single
/// failing `validation` case.
pub fn junit(r: &CheckReport) -> String {
    let file = xml_escape(&r.source.name);
    let mut cases = String::new();
    let mut tests = 0;
    let mut failures = 0;
    if !r.errors.is_empty() {
        tests = 1;
        failures = 1;
        let body: String = r
            .errors
            .iter()
            .map(|d| d.render_with(&r.source.name, &r.source.text, &r.lines, false))
            .collect::<Vec<_>>()
            .join("\n");
        cases.push_str(&format!(
            "    <testcase classname=\"ersim.validation\" name=\"validation\">\n      <failure message=\"{} validation error{}\">{}</failure>\n    </testcase>\n",
            r.errors.len(),
            if r.errors.len() == 1 { "" } else { "s" },
            xml_escape(&body)
        ));
    } else {
        for e in &r.expectations {
            tests += 1;
            if e.pass {
                cases.push_str(&format!(
                    "    <testcase classname=\"ersim.expect.{}\" name=\"{}\"/>\n",
                    e.kind.as_str(),
                    xml_escape(&e.name)
                ));
            } else {
                failures += 1;
                cases.push_str(&format!(
                    "    <testcase classname=\"ersim.expect.{}\" name=\"{}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    e.kind.as_str(),
                    xml_escape(&e.name),
                    xml_escape(&detail(r, e)),
                    xml_escape(&detail(r, e))
                ));
            }
        }
        for f in &r.findings {
            tests += 1;
            failures += 1;
            cases.push_str(&format!(
                "    <testcase classname=\"ersim.design\" name=\"{}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                xml_escape(f.code.as_str()),
                xml_escape(&f.message),
                xml_escape(&f.render_with(&r.source.name, &r.source.text, &r.lines, false))
            ));
        }
    }
    let out_text: String = r
        .warnings
        .iter()
        .map(|d| d.render_with(&r.source.name, &r.source.text, &r.lines, false))
        .collect::<Vec<_>>()
        .join("\n");
    let system_out = if out_text.is_empty() {
        String::new()
    } else {
        format!("    <system-out>{}</system-out>\n", xml_escape(&out_text))
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ersim check\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"{file}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}{system_out}  </testsuite>\n</testsuites>\n"
    )
}
