//! Located reading of Azure JSON: every value is read through a [`Node`] that knows its file and
//! its JSON path (`$.data[3].properties.subnets[0]`), so a wrong shape is reported where it is.
//!
//! Both forms of a resource are read alike: [`Node::get`] looks a key up in the object's
//! `properties` object first (the nested form of REST, Resource Graph and ARM) and then in the
//! object itself (the flattened form of `az ... -o json`, where `properties` is merged up). A
//! `null` value counts as absent. ARM ids are compared case-insensitively ([`ArmId`]).

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

/// A problem with the input, located by file and JSON path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Located {
    /// The file (as given on the command line).
    pub file: String,
    /// The JSON path of the object or value (`$` for the whole document).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

/// Errors (the input is wrong) and warnings (something is not modelled or not found) collected
/// while reading, so every problem is reported at once.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    /// Located errors.
    pub errors: Vec<Located>,
    /// Warnings, as sentences.
    pub warnings: Vec<String>,
}

impl Problems {
    /// Record an error at a node.
    pub fn error(&mut self, at: &Node<'_>, message: impl Into<String>) {
        self.errors.push(Located { file: at.file.to_string(), path: at.path.clone(), message: message.into() });
    }

    /// Record a warning.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }
}

/// The name JSON gives a value's type, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON value with the file and path it was found at.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    /// The value.
    pub v: &'a Value,
    /// The file it comes from.
    pub file: &'a str,
    /// Its JSON path.
    pub path: String,
}

impl<'a> Node<'a> {
    /// The root of a document.
    pub fn root(file: &'a str, v: &'a Value) -> Self {
        Node { v, file, path: "$".to_string() }
    }

    fn child(&self, v: &'a Value, key: &str) -> Node<'a> {
        Node { v, file: self.file, path: format!("{}.{key}", self.path) }
    }

    /// Element `i` of an array node.
    pub fn at(&self, i: usize) -> Option<Node<'a>> {
        self.v.as_array().and_then(|a| a.get(i)).map(|v| Node {
            v,
            file: self.file,
            path: format!("{}[{i}]", self.path),
        })
    }

    /// The elements of an array node (none for anything else).
    pub fn elements(&self) -> Vec<Node<'a>> {
        let n = self.v.as_array().map_or(0, Vec::len);
        (0..n).filter_map(|i| self.at(i)).collect()
    }

    /// A key of an object, looked up in its `properties` object first and then in the object itself;
    /// keys match exactly, else case-insensitively. `null` counts as absent.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        fn find<'v>(o: &'v serde_json::Map<String, Value>, key: &str) -> Option<(&'v String, &'v Value)> {
            o.get_key_value(key)
                .or_else(|| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
                .filter(|(_, v)| !v.is_null())
        }
        let obj = self.v.as_object()?;
        if let Some(props) = obj.get("properties").and_then(Value::as_object)
            && let Some((k, v)) = find(props, key)
        {
            return Some(Node { v, file: self.file, path: format!("{}.properties.{k}", self.path) });
        }
        find(obj, key).map(|(k, v)| self.child(v, k))
    }

    /// Whether the object has the key (in either form, not null).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A nested key path (`bgpSettings.asn`), each step looked up as [`Node::get`] does.
    pub fn get_path(&self, keys: &[&str]) -> Option<Node<'a>> {
        let mut n = self.clone();
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }

    /// A string value; another type is an error.
    pub fn str(&self, p: &mut Problems, key: &str) -> Option<&'a str> {
        let n = self.get(key)?;
        match n.v {
            Value::String(s) => Some(s.as_str()),
            other => {
                p.error(self, format!("{key} must be a string, not {}", type_name(other)));
                None
            }
        }
    }

    /// A boolean value (also `"true"`/`"false"` strings); another type is an error.
    pub fn bool(&self, p: &mut Problems, key: &str) -> Option<bool> {
        let n = self.get(key)?;
        match n.v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            other => {
                p.error(self, format!("{key} must be a boolean, not {}", type_name(other)));
                None
            }
        }
    }

    /// A non-negative integer (also a numeric string, as `locPrf` is); another value is an error.
    pub fn uint(&self, p: &mut Problems, key: &str) -> Option<u64> {
        let n = self.get(key)?;
        let got = match n.v {
            Value::Number(x) => x.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if got.is_none() {
            p.error(self, format!("{key} must be a non-negative integer, not {}", shown(n.v)));
        }
        got
    }

    /// An array value (absent: empty); another type is an error.
    pub fn arr(&self, p: &mut Problems, key: &str) -> Vec<Node<'a>> {
        let Some(n) = self.get(key) else { return Vec::new() };
        if !n.v.is_array() {
            p.error(self, format!("{key} must be an array, not {}", type_name(n.v)));
            return Vec::new();
        }
        n.elements()
    }

    /// An array of strings (absent: empty); a non-string element is an error.
    pub fn strings(&self, p: &mut Problems, key: &str) -> Vec<&'a str> {
        let mut out = Vec::new();
        for e in self.arr(p, key) {
            match e.v.as_str() {
                Some(s) => out.push(s),
                None => p.error(&e, format!("an element of {key} must be a string, not {}", type_name(e.v))),
            }
        }
        out
    }

    /// A reference: `{"id": "..."}` (or the id as a plain string) under `key`.
    pub fn reference(&self, p: &mut Problems, key: &str) -> Option<ArmId> {
        let n = self.get(key)?;
        let raw = match n.v {
            Value::String(s) => s.as_str(),
            Value::Object(_) => match n.v.get("id") {
                Some(Value::String(s)) => s.as_str(),
                None | Some(Value::Null) => return None,
                Some(other) => {
                    p.error(&n, format!("id must be a string, not {}", type_name(other)));
                    return None;
                }
            },
            other => {
                p.error(self, format!("{key} must be an object with an id, not {}", type_name(other)));
                return None;
            }
        };
        let id = ArmId::parse(raw);
        if id.is_none() {
            p.error(&n, format!("{key} is not an ARM resource id: {}", shown(n.v)));
        }
        id
    }

    /// The `id` of this object as an ARM id; missing or malformed is an error.
    pub fn own_id(&self, p: &mut Problems) -> Option<ArmId> {
        match self.v.get("id") {
            Some(Value::String(s)) => {
                let id = ArmId::parse(s);
                if id.is_none() {
                    p.error(self, format!("id is not an ARM resource id: \"{s}\""));
                }
                id
            }
            Some(other) if !other.is_null() => {
                p.error(self, format!("id must be a string, not {}", type_name(other)));
                None
            }
            _ => {
                p.error(self, "the resource has no id");
                None
            }
        }
    }

    /// A prefix under `key`; a value that is not a prefix (or has host bits set) is an error.
    pub fn prefix(&self, p: &mut Problems, key: &str) -> Option<IpNet> {
        let s = self.str(p, key)?;
        let got = parse_prefix(s);
        if got.is_none() {
            p.error(self, format!("{key} is not a prefix: \"{s}\""));
        }
        got
    }

    /// An IP address under `key`; another value is an error.
    pub fn ip(&self, p: &mut Problems, key: &str) -> Option<IpAddr> {
        let s = self.str(p, key)?;
        let got = s.trim().parse().ok();
        if got.is_none() {
            p.error(self, format!("{key} is not an IP address: \"{s}\""));
        }
        got
    }
}

/// A CIDR prefix with its host bits zero, as the scenario format needs.
pub fn parse_prefix(s: &str) -> Option<IpNet> {
    let n: IpNet = s.trim().parse().ok()?;
    (n.trunc() == n).then_some(n)
}

/// A value shortened for a message.
pub fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

/// An ARM resource id, compared case-insensitively (ARM and Resource Graph change casing).
#[derive(Clone, Debug)]
pub struct ArmId {
    raw: String,
    key: String,
}

impl PartialEq for ArmId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for ArmId {}
impl PartialOrd for ArmId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ArmId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}
impl std::hash::Hash for ArmId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for ArmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl ArmId {
    /// Parse `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{child}/{name}...]`.
    pub fn parse(s: &str) -> Option<ArmId> {
        let raw = s.trim().trim_end_matches('/').to_string();
        let segs: Vec<&str> = raw.split('/').collect();
        let ok = segs.len() >= 9
            && segs[0].is_empty()
            && segs[1].eq_ignore_ascii_case("subscriptions")
            && segs[3].eq_ignore_ascii_case("resourceGroups")
            && segs[5].eq_ignore_ascii_case("providers")
            && segs.iter().skip(1).all(|x| !x.is_empty())
            && (segs.len() - 7).is_multiple_of(2);
        ok.then(|| ArmId { key: raw.to_ascii_lowercase(), raw })
    }

    /// The id as written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The id lower-cased: the comparison key.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn segs(&self) -> Vec<&str> {
        self.raw.split('/').collect()
    }

    /// The last segment: the resource's (or child's) name.
    pub fn name(&self) -> &str {
        self.raw.rsplit('/').next().unwrap_or_default()
    }

    /// The subscription id.
    pub fn subscription(&self) -> &str {
        self.raw.split('/').nth(2).unwrap_or_default()
    }

    /// The resource group, as written.
    pub fn resource_group(&self) -> &str {
        self.raw.split('/').nth(4).unwrap_or_default()
    }

    /// The resource type path, lower-cased: `microsoft.network/virtualnetworks/subnets`.
    pub fn type_path(&self) -> String {
        let s = self.segs();
        let mut t = vec![s[6].to_ascii_lowercase()];
        let mut i = 7;
        while i < s.len() {
            t.push(s[i].to_ascii_lowercase());
            i += 2;
        }
        t.join("/")
    }

    /// The top-level resource of a child id (the VNet of a subnet); itself for a top-level id.
    pub fn top(&self) -> ArmId {
        let s = self.segs();
        let raw = s[..9].join("/");
        ArmId { key: raw.to_ascii_lowercase(), raw }
    }

    /// The parent of a child id (`.../virtualHubs/h` of `.../virtualHubs/h/bgpConnections/p`).
    pub fn parent(&self) -> Option<ArmId> {
        let s = self.segs();
        (s.len() > 9).then(|| {
            let raw = s[..s.len() - 2].join("/");
            ArmId { key: raw.to_ascii_lowercase(), raw }
        })
    }

    /// The name of the first child segment (`subnets/{name}` → name), if this is a child id.
    pub fn child_name(&self) -> Option<&str> {
        self.raw.split('/').nth(10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_case_insensitively_and_split() {
        let a = ArmId::parse("/subscriptions/S1/resourceGroups/RG-Hub/providers/Microsoft.Network/virtualNetworks/hub/subnets/GatewaySubnet").unwrap();
        let b = ArmId::parse("/subscriptions/s1/resourcegroups/rg-hub/providers/microsoft.network/virtualnetworks/HUB/subnets/gatewaysubnet/").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.top().name(), "hub");
        assert_eq!(a.child_name(), Some("GatewaySubnet"));
        assert_eq!(a.resource_group(), "RG-Hub");
        assert_eq!(a.type_path(), "microsoft.network/virtualnetworks/subnets");
        assert!(ArmId::parse("hub").is_none());
        assert!(
            ArmId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks").is_none()
        );
    }

    #[test]
    fn nested_and_flattened_read_alike_with_paths() {
        let nested: Value = serde_json::json!({"id": "x", "properties": {"addressPrefix": "10.0.0.0/24"}});
        let flat: Value = serde_json::json!({"id": "x", "addressPrefix": "10.0.0.0/24"});
        let mut p = Problems::default();
        assert_eq!(Node::root("f", &nested).get("addressPrefix").unwrap().path, "$.properties.addressPrefix");
        assert_eq!(Node::root("f", &flat).get("addressprefix").unwrap().path, "$.addressPrefix");
        assert_eq!(Node::root("f", &flat).prefix(&mut p, "addressPrefix"), "10.0.0.0/24".parse().ok());
        let bad: Value = serde_json::json!({"addressPrefix": "10.0.0.1/24"});
        assert_eq!(Node::root("f", &bad).prefix(&mut p, "addressPrefix"), None);
        assert_eq!(p.errors[0].to_string(), "f: $: addressPrefix is not a prefix: \"10.0.0.1/24\"");
    }
}
