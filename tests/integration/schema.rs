//! The JSON Schema of the format (`ersim schema`, `docs/ersim.schema.json`) and the reader's key
//! lists agree both ways, the committed schema is the generated one, and every bundled scenario
//! and every starter template validates against it.

use ersim::scenario::keys::{self, BlockKeys, Ty};
use serde_json::Value;

/// A small JSON Schema (draft-07) checker for the features the generated schema uses: type,
/// properties, additionalProperties, required, items, anyOf, enum, minimum, maximum and the
/// case-insensitive enum patterns ersim writes. Returns the paths that fail.
fn validate(v: &Value, s: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "boolean" => v.is_boolean(),
            other => panic!("schema type {other} not handled"),
        };
        if !ok {
            errs.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
    }
    if let Some(n) = v.as_f64() {
        if s.get("minimum").and_then(Value::as_f64).is_some_and(|m| n < m) {
            errs.push(format!("{path}: {n} below minimum"));
        }
        if s.get("maximum").and_then(Value::as_f64).is_some_and(|m| n > m) {
            errs.push(format!("{path}: {n} above maximum"));
        }
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array)
        && !values.contains(v)
    {
        errs.push(format!("{path}: {v} not in {values:?}"));
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str) {
        // `^(?:[Vv][Pp][Nn]|…)$`: the alternatives in lower case.
        let body = p.strip_prefix("^(?:").and_then(|x| x.strip_suffix(")$")).expect("ersim's pattern form");
        let mut alts = Vec::new();
        for alt in body.split('|') {
            let mut out = String::new();
            let mut chars = alt.chars();
            while let Some(c) = chars.next() {
                match c {
                    '[' => {
                        let u = chars.next().unwrap();
                        let _l = chars.next();
                        assert_eq!(chars.next(), Some(']'));
                        out.push(u.to_ascii_lowercase());
                    }
                    '\\' => out.push(chars.next().unwrap()),
                    c => out.push(c),
                }
            }
            alts.push(out);
        }
        if !alts.contains(&v.as_str().unwrap_or_default().to_ascii_lowercase()) {
            errs.push(format!("{path}: {v} does not match {p}"));
        }
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|sub| {
            let mut e = Vec::new();
            validate(v, sub, path, &mut e);
            e.is_empty()
        });
        if !fits {
            errs.push(format!("{path}: {v} matches none of anyOf"));
        }
    }
    if let Some(o) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(sub) => validate(x, sub, &format!("{path}.{k}"), errs),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errs.push(format!("{path}: unknown key `{k}`")),
                    Some(sub @ Value::Object(_)) => validate(x, sub, &format!("{path}.{k}"), errs),
                    _ => {}
                },
            }
        }
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !o.contains_key(r.as_str().unwrap()) {
                errs.push(format!("{path}: missing `{r}`"));
            }
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), s.get("items")) {
        for (i, x) in a.iter().enumerate() {
            validate(x, items, &format!("{path}[{i}]"), errs);
        }
    }
}

fn as_json(toml_text: &str) -> Value {
    let v: toml::Value = toml::from_str(toml_text).expect("TOML");
    serde_json::to_value(v).expect("JSON")
}

fn schema_errors(toml_text: &str) -> Vec<String> {
    let mut errs = Vec::new();
    validate(&as_json(toml_text), &ersim::scenario::schema::schema(), "$", &mut errs);
    errs
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ersim.schema.json")).unwrap();
    assert!(
        committed == ersim::scenario::schema::schema_text(),
        "docs/ersim.schema.json is out of date: run `cargo run -- schema > docs/ersim.schema.json`"
    );
}

#[test]
fn every_bundled_scenario_and_template_validates_against_the_schema() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    for f in std::fs::read_dir(dir).unwrap() {
        let p = f.unwrap().path();
        let errs = schema_errors(&std::fs::read_to_string(&p).unwrap());
        assert!(errs.is_empty(), "{}: {errs:#?}", p.display());
    }
    for (name, _, text) in ersim::app::TEMPLATES {
        let errs = schema_errors(text);
        assert!(errs.is_empty(), "template {name}: {errs:#?}");
    }
}

#[test]
fn the_schema_flags_what_the_reader_refuses() {
    let bad = "[[vnet]]\nname = \"a\"\naddress_space = [\"10.0.0.0/16\"]\nregoin = \"x\"\n\n[[gateway]]\nname = \"g\"\nvnet = \"a\"\ntype = \"expressroute\"\nbgp = \"yes\"\n";
    let errs = schema_errors(bad);
    assert!(errs.iter().any(|e| e.contains("unknown key `regoin`")), "{errs:#?}");
    assert!(errs.iter().any(|e| e.contains("gateway[0].bgp")), "{errs:#?}");
    assert!(!errs.iter().any(|e| e.contains(".type")), "enum values are accepted in any case: {errs:#?}");
    let errs = schema_errors("[[gateway]]\nname = \"g\"\nvnet = \"a\"\ntype = \"Vnp\"\n");
    assert!(errs.iter().any(|e| e.contains("gateway[0].type")), "{errs:#?}");
}

/// A value of a key's type, as TOML.
fn sample(ty: Ty) -> String {
    match ty {
        Ty::Str | Ty::Name => "\"x\"".into(),
        Ty::Int => "1".into(),
        Ty::Asn => "65001".into(),
        Ty::Bool => "true".into(),
        Ty::Prefix => "\"10.0.0.0/16\"".into(),
        Ty::Ip => "\"10.0.0.4\"".into(),
        Ty::Enum(v) => format!("\"{}\"", v[0]),
        Ty::Names | Ty::Prefixes | Ty::Ips => "[]".into(),
        Ty::Asns => "[65001]".into(),
        Ty::Adverts(entry) => format!("[{}]", inline(entry, false)),
        Ty::Prepends => "{}".into(),
        Ty::Blocks(b) => format!("[{}]", inline(b, false)),
    }
}

/// A block with every key as an inline table (and an unknown key when asked).
fn inline(b: &BlockKeys, extra: bool) -> String {
    let mut kv: Vec<String> = b.keys.iter().map(|k| format!("{} = {}", k.name, sample(k.ty))).collect();
    if extra {
        kv.push("zzz_not_a_key = 1".into());
    }
    format!("{{ {} }}", kv.join(", "))
}

#[test]
fn the_reader_accepts_every_listed_key_and_refuses_others_both_ways() {
    // Every key of every block, with a value of its type: no unknown-key or wrong-type error.
    let mut text = String::new();
    for k in keys::TOP.keys {
        text.push_str(&format!("{} = {}\n", k.name, sample(k.ty)));
    }
    let ds = match ersim::scenario::parse("all-keys.toml", text.clone()) {
        Ok(l) => l.warnings,
        Err(ersim::scenario::LoadError::Invalid(inv)) => inv.diagnostics,
        Err(e) => panic!("{e}"),
    };
    let shape: Vec<String> = ds
        .iter()
        .filter(|d| d.code == "unknown-key" || d.code == "wrong-type")
        .map(|d| d.render("all-keys.toml", &text))
        .collect();
    assert!(shape.is_empty(), "listed keys the reader does not take:\n{}", shape.join("\n"));
    // An unknown key in each kind of block is refused, with the block's key list.
    for b in keys::all_blocks().into_iter().filter(|b| b.what != keys::TOP.what) {
        let mut t = String::new();
        for k in keys::TOP.keys {
            match k.ty {
                Ty::Blocks(sub) if std::ptr::eq(sub, b) => t.push_str(&format!("{} = [{}]\n", k.name, inline(b, true))),
                _ => {}
            }
        }
        if t.is_empty() {
            continue; // sub-blocks are covered through their parents below
        }
        let Err(ersim::scenario::LoadError::Invalid(inv)) = ersim::scenario::parse("x.toml", t.clone()) else {
            panic!("{t}")
        };
        let unknown: Vec<&ersim::diag::Diagnostic> =
            inv.diagnostics.iter().filter(|d| d.code == "unknown-key").collect();
        assert_eq!(unknown.len(), 1, "{}: {t}\n{:#?}", b.what, inv.diagnostics);
        assert!(unknown[0].message.contains(b.what), "{}", unknown[0].message);
        let list = unknown[0].help.iter().find(|h| h.starts_with("the keys of")).expect("the key list");
        for k in b.keys {
            assert!(list.contains(k.name), "{} lists `{}`: {list}", b.what, k.name);
        }
    }
    // The schema holds exactly the listed keys of every block.
    let schema = ersim::scenario::schema::schema();
    let props = |v: &Value| -> Vec<String> {
        let mut p: Vec<String> = v["properties"].as_object().unwrap().keys().cloned().collect();
        p.sort();
        p
    };
    assert_eq!(props(&schema), keys::TOP.sorted_names());
    for k in keys::TOP.keys {
        if let Ty::Blocks(b) = k.ty {
            assert_eq!(props(&schema["properties"][k.name]["items"]), b.sorted_names(), "{}", b.what);
        }
    }
}

#[test]
fn schema_command_prints_the_schema() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ersim")).arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), ersim::scenario::schema::schema_text());
}

#[test]
fn a_block_ersim_does_not_model_is_named_so_not_given_a_did_you_mean() {
    let text = "[[nsg]]\nname = \"x\"\n\n[[virtual_wan]]\nname = \"w\"\n\n[[vnett]]\nname = \"a\"\n";
    let Err(ersim::scenario::LoadError::Invalid(inv)) = ersim::scenario::parse("t.toml", text.to_string()) else {
        panic!("refused")
    };
    let by_line = |l: usize| {
        inv.diagnostics.iter().find(|d| d.line_col(text).is_some_and(|(ln, _)| ln == l)).expect("a diagnostic")
    };
    let nsg = by_line(1);
    assert!(nsg.message.contains("not modelled") && nsg.message.contains("NSG"), "{nsg:?}");
    assert!(!nsg.help.iter().any(|h| h.contains("did you mean")), "{nsg:?}");
    assert!(by_line(4).message.contains("Virtual WAN are not modelled"), "{:?}", by_line(4));
    let typo = by_line(7);
    assert!(typo.help.iter().any(|h| h == "did you mean `vnet`?"), "{typo:?}");
}
