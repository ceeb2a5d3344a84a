//! Scenario text: blocks with their comments, rendered as commented TOML of format v1.
//!
//! Values are rendered here and nowhere else: strings as TOML basic strings, lists inline, and a
//! trailing comment per key where the importer has something to say about one value.

use std::fmt::Write as _;
use std::net::IpAddr;

use ipnet::IpNet;

/// A rendered TOML value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value(pub String);

/// A string value.
pub fn s(v: &str) -> Value {
    // A JSON string is a valid TOML basic string (the same escapes, \uXXXX for control characters).
    Value(serde_json::to_string(v).expect("a string serialises"))
}

/// A boolean value.
pub fn b(v: bool) -> Value {
    Value(v.to_string())
}

/// An integer value.
pub fn n(v: u64) -> Value {
    Value(v.to_string())
}

/// A list of strings.
pub fn strs<S: AsRef<str>>(v: &[S]) -> Value {
    Value(format!("[{}]", v.iter().map(|x| s(x.as_ref()).0).collect::<Vec<_>>().join(", ")))
}

/// A list of prefixes.
pub fn nets(v: &[IpNet]) -> Value {
    strs(&v.iter().map(|p| p.to_string()).collect::<Vec<_>>())
}

/// A list of addresses.
pub fn ips(v: &[IpAddr]) -> Value {
    strs(&v.iter().map(|p| p.to_string()).collect::<Vec<_>>())
}

/// A raw TOML value (an inline table, a list of them).
pub fn raw(v: impl Into<String>) -> Value {
    Value(v.into())
}

/// An `advertise` list of `[[onprem]]` or `[[bgp_peer]]`, one entry a line: a prefix string, or
/// `{ prefix, as_path, next_hop }` when it has an AS path behind the speaker or another next hop.
pub fn advertise(entries: &[(IpNet, &[u32], Option<IpAddr>)]) -> Value {
    let items: Vec<String> = entries
        .iter()
        .map(|(prefix, as_path, next_hop)| {
            let prefix = s(&prefix.to_string()).0;
            if as_path.is_empty() && next_hop.is_none() {
                return format!("  {prefix},");
            }
            let mut t = format!("  {{ prefix = {prefix}");
            if !as_path.is_empty() {
                let l: Vec<String> = as_path.iter().map(|x| x.to_string()).collect();
                let _ = write!(t, ", as_path = [{}]", l.join(", "));
            }
            if let Some(nh) = next_hop {
                let _ = write!(t, ", next_hop = {}", s(&nh.to_string()).0);
            }
            t.push_str(" },");
            t
        })
        .collect();
    Value(format!("[\n{}\n]", items.join("\n")))
}

/// One line of a block: a key with its value, or a comment of its own.
#[derive(Clone, Debug)]
pub enum Line {
    /// `key = value  # comment`.
    Key(&'static str, Value, Option<String>),
    /// `# comment`.
    Comment(String),
}

/// One `[[kind]]` block.
#[derive(Clone, Debug)]
pub struct Block {
    /// The array-of-tables name: `vnet`, `vnet.subnet`, `route_table.route`.
    pub header: &'static str,
    /// Comment lines above the header (the ARM id first).
    pub comments: Vec<String>,
    /// Its lines.
    pub lines: Vec<Line>,
    /// Sub-blocks (`[[vnet.subnet]]` inside `[[vnet]]`).
    pub children: Vec<Block>,
}

impl Block {
    /// A block with a header and its first comment (usually the ARM id).
    pub fn new(header: &'static str, comment: impl Into<String>) -> Self {
        Block { header, comments: vec![comment.into()], lines: Vec::new(), children: Vec::new() }
    }

    /// A block without comments.
    pub fn bare(header: &'static str) -> Self {
        Block { header, comments: Vec::new(), lines: Vec::new(), children: Vec::new() }
    }

    /// Add a comment line above the header.
    pub fn note(&mut self, c: impl Into<String>) -> &mut Self {
        self.comments.push(c.into());
        self
    }

    /// Add `key = value`.
    pub fn key(&mut self, k: &'static str, v: Value) -> &mut Self {
        self.lines.push(Line::Key(k, v, None));
        self
    }

    /// Add `key = value  # comment`.
    pub fn key_c(&mut self, k: &'static str, v: Value, c: impl Into<String>) -> &mut Self {
        self.lines.push(Line::Key(k, v, Some(c.into())));
        self
    }

    /// Add a comment line inside the block.
    pub fn comment(&mut self, c: impl Into<String>) -> &mut Self {
        self.lines.push(Line::Comment(c.into()));
        self
    }

    fn render(&self, out: &mut String, indent: &str) {
        for c in &self.comments {
            comment_lines(out, indent, c);
        }
        let _ = writeln!(out, "{indent}[[{}]]", self.header);
        for l in &self.lines {
            match l {
                Line::Key(k, v, None) => {
                    let _ = writeln!(out, "{indent}{k} = {}", v.0);
                }
                Line::Key(k, v, Some(c)) => {
                    let _ = writeln!(out, "{indent}{k} = {}  # {}", v.0, one_line(c));
                }
                Line::Comment(c) => comment_lines(out, indent, c),
            }
        }
        for ch in &self.children {
            out.push('\n');
            ch.render(out, &format!("{indent}  "));
        }
    }
}

/// A comment as one line (newlines would end the comment).
fn one_line(c: &str) -> String {
    c.replace(['\n', '\r'], " ")
}

fn comment_lines(out: &mut String, indent: &str, c: &str) {
    if c.is_empty() {
        let _ = writeln!(out, "{indent}#");
    }
    for l in c.lines() {
        if l.is_empty() {
            let _ = writeln!(out, "{indent}#");
        } else {
            let _ = writeln!(out, "{indent}# {l}");
        }
    }
}

/// A section of the file: a title comment and its blocks.
#[derive(Clone, Debug)]
pub struct Section {
    /// The title (`VNets and subnets`).
    pub title: &'static str,
    /// The blocks, in name order.
    pub blocks: Vec<Block>,
}

/// The whole scenario: header comment lines, the top-level keys, and the sections.
pub fn render(header: &[String], top: &[(&'static str, Value)], sections: &[Section]) -> String {
    let mut out = String::new();
    for h in header {
        comment_lines(&mut out, "", h);
    }
    out.push('\n');
    for (k, v) in top {
        let _ = writeln!(out, "{k} = {}", v.0);
    }
    for sec in sections.iter().filter(|s| !s.blocks.is_empty()) {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        let _ = writeln!(out, "# {:-<96}", format!("-------- {} ", sec.title));
        for b in &sec.blocks {
            b.render(&mut out, "");
            out.push('\n');
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_render_as_commented_toml() {
        let mut v =
            Block::new("vnet", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub");
        v.key("name", s("hub")).key_c("address_space", nets(&["10.0.0.0/16".parse().unwrap()]), "two\nlines");
        let mut sub = Block::new("vnet.subnet", "sub");
        sub.key("name", s("a\"b"));
        v.children.push(sub);
        let text = render(&["head".into()], &[("format", n(1))], &[Section { title: "VNets", blocks: vec![v] }]);
        assert!(text.contains("[[vnet]]\nname = \"hub\"\naddress_space = [\"10.0.0.0/16\"]  # two lines\n"), "{text}");
        assert!(text.contains("\n  # sub\n  [[vnet.subnet]]\n  name = \"a\\\"b\"\n"), "{text}");
        let parsed: toml::Table = text.parse().expect("valid TOML");
        assert_eq!(parsed["vnet"][0]["subnet"][0]["name"].as_str(), Some("a\"b"));
    }
}
