//! The top level: `format` (a format this ersim does not read stops validation at once), `name`,
//! `description` and `system_routes` (D3). The draft starts from these.

use super::draft::Draft;
use super::values::parse_enum;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::SystemRoutes;
use crate::scenario::raw::RawScenario;

/// The draft with the top-level values, or `None` when the file is of another format.
pub(super) fn pass(raw: &RawScenario, d: &mut Diagnostics) -> Option<Draft> {
    if let Some(f) = &raw.format
        && f.v != 1
    {
        let msg = if f.v > 1 {
            format!("this scenario is format {}, from a future ersim; this ersim reads format 1", f.v)
        } else {
            format!("format {} does not exist; this ersim reads format 1", f.v)
        };
        d.push(
            Diagnostic::error(Code::Format, msg)
                .at(f.span.clone())
                .help("upgrade ersim, or write `format = 1` and use only format-1 keys"),
        );
        return None;
    }
    let mut draft = Draft {
        name: raw.name.as_ref().map(|s| s.v.clone()),
        description: raw.description.as_ref().map(|s| s.v.clone()),
        ..Draft::default()
    };
    if let Some(sr) = &raw.system_routes {
        draft.system_routes =
            match parse_enum(sr, "system_routes", &["documented", "none", "extended", "legacy-2021"], d) {
                Some("none") => SystemRoutes::None,
                Some("extended") => SystemRoutes::Extended,
                Some("legacy-2021") => SystemRoutes::Legacy2021,
                _ => SystemRoutes::Documented,
            };
    }
    Some(draft)
}
