//! Plain column tables, the way `az … -o table` and the portal print them: a header, a dashed rule,
//! left-aligned columns two spaces apart, no borders. The only user of prettytable-rs.

use prettytable::format::{FormatBuilder, LinePosition, LineSeparator};
use prettytable::{Cell, Row, Table};

/// Render `rows` under `headers`. Trailing spaces are trimmed from every line.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = Table::new();
    let format = FormatBuilder::new()
        .column_separator(' ')
        .padding(0, 1)
        .separator(LinePosition::Title, LineSeparator::new('-', ' ', ' ', ' '))
        .build();
    t.set_format(format);
    t.set_titles(Row::new(headers.iter().map(|h| Cell::new(h)).collect()));
    for r in rows {
        t.add_row(Row::new(r.iter().map(|c| Cell::new(c)).collect()));
    }
    let mut out = String::new();
    for line in t.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
