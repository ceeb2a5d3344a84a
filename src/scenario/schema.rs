//! A JSON Schema of the scenario format, generated from the same key lists the reader uses
//! ([`super::keys`]), so editors with TOML schema support (taplo, Even Better TOML) complete keys
//! and flag mistakes while typing, and the schema cannot drift from what ersim accepts.
//!
//! Draft-07. Enum values are accepted in any case, as the reader does: each is an `anyOf` of the
//! canonical spellings (offered for completion) and a case-insensitive pattern.

use serde_json::{Map, Value, json};

use super::keys::{BlockKeys, TOP, Ty};

/// A pattern matching any of `values` in any case: `^(?:[Vv][Pp][Nn]|…)$`.
pub fn case_insensitive(values: &[&str]) -> String {
    let alts: Vec<String> = values
        .iter()
        .map(|v| {
            v.chars()
                .map(|c| {
                    let (l, u) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
                    if l == u {
                        if c.is_ascii_alphanumeric() { c.to_string() } else { format!("\\{c}") }
                    } else {
                        format!("[{u}{l}]")
                    }
                })
                .collect()
        })
        .collect();
    format!("^(?:{})$", alts.join("|"))
}

fn of_type(ty: Ty, doc: &str) -> Value {
    let strings = || json!({"type": "string"});
    let mut v = match ty {
        Ty::Str | Ty::Name | Ty::Prefix | Ty::Ip => strings(),
        Ty::Int => json!({"type": "integer"}),
        Ty::Asn => json!({"type": "integer", "minimum": 1, "maximum": 4_294_967_295u64}),
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Enum(values) => json!({
            "type": "string",
            "anyOf": [{"enum": values}, {"pattern": case_insensitive(values)}],
        }),
        Ty::Names | Ty::Prefixes | Ty::Ips => json!({"type": "array", "items": strings()}),
        Ty::Asns => json!({"type": "array", "items": {"type": "integer", "minimum": 1}}),
        Ty::Adverts(entry) => json!({"type": "array", "items": {"anyOf": [strings(), object(entry)]}}),
        Ty::Prepends => json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}),
        Ty::Blocks(block) => json!({"type": "array", "items": object(block)}),
    };
    v["description"] = Value::String(doc.to_string());
    v
}

fn object(b: &BlockKeys) -> Value {
    let mut props = Map::new();
    for k in b.keys {
        props.insert(k.name.to_string(), of_type(k.ty, k.doc));
    }
    let required: Vec<&str> = b.keys.iter().filter(|k| k.required).map(|k| k.name).collect();
    let mut o = json!({"type": "object", "additionalProperties": false, "properties": props});
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

/// The schema, as a JSON value.
pub fn schema() -> Value {
    let mut root = object(&TOP);
    root["$schema"] = json!("http://json-schema.org/draft-07/schema#");
    root["title"] = json!("ersim scenario (format 1)");
    root["description"] = json!("An Azure network design for ersim; see docs/scenario-format.md");
    root
}

/// The schema as text (what `ersim schema` prints and `docs/ersim.schema.json` holds).
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).expect("a JSON value serialises");
    s.push('\n');
    s
}
