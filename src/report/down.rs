//! Which elements were down (`--down`): the first line of text output, a `down` key in ersim's own
//! JSON, and a line on stderr for the formats whose shape is someone else's (az JSON, CSV, JUnit).

/// `down: circuit01, vpngw-hub00/1` and a newline; empty when nothing is down.
pub fn line(down: &[String]) -> String {
    if down.is_empty() { String::new() } else { format!("down: {}\n", down.join(", ")) }
}

/// Text output with the `down:` line first.
pub fn text(down: &[String], out: String) -> String {
    let mut s = line(down);
    s.push_str(&out);
    s
}

/// A JSON document of ersim's own (an object) with a `down` key listing the elements, when any
/// is down; keys stay in alphabetical order, as every ersim JSON object prints them.
pub fn json(down: &[String], doc: String) -> String {
    if down.is_empty() {
        return doc;
    }
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str::<serde_json::Value>(&doc) else {
        return doc;
    };
    map.insert("down".to_string(), serde_json::json!(down));
    let mut s = serde_json::to_string_pretty(&serde_json::Value::Object(map)).expect("serialisable");
    s.push('\n');
    s
}
