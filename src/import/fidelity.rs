//! What the importer writes where the scenario reader does not yet take what Azure shows: each
//! case is one small function here, marked `TODO(fidelity)`, so it can be switched to the exact
//! form in one place once the reader takes it (`advertise` entries as tables on `[[onprem]]`).

use ipnet::IpNet;

use super::write::{Value, raw, s};

/// The `advertise` list of an `[[onprem]]`: each prefix with the AS path behind the router.
pub fn onprem_advertise(adverts: &[(IpNet, Vec<u32>)]) -> Value {
    // TODO(fidelity): the reader takes plain prefix strings only today; once it takes tables,
    // write `{ prefix = "...", as_path = [...] }` for entries with a non-empty AS path.
    if adverts.iter().all(|(_, path)| path.is_empty()) {
        return super::write::strs(&adverts.iter().map(|(p, _)| p.to_string()).collect::<Vec<_>>());
    }
    let mut out = String::from("[\n");
    for (p, path) in adverts {
        out.push_str(&format!("  {},", s(&p.to_string()).0));
        if !path.is_empty() {
            let list = path.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
            out.push_str(&format!("  # as_path = [{list}] (AS path behind the router; not written: not read yet)"));
        }
        out.push('\n');
    }
    out.push(']');
    raw(out)
}
