//! The routing rules ersim applies, as values: every id the output can cite (`R37`, `D4`, `M1`,
//! `Part K`) is a [`Rule`], and a finding that rests on several rules carries a [`RuleSet`].
//!
//! The ids and their text live in `docs/routing-rules.md`, compiled into the binary so `ersim rule
//! R37` works offline ([`Rule::text`]); a test keeps the two in step (every [`Rule`] has a section
//! there, every section's id parses as a [`Rule`]). Nothing in the engine decides anything by
//! comparing rule text: drops, reasons and diagnostics carry these values, and only reports turn
//! them into `[D3, R37]`.

use std::fmt;

macro_rules! rules {
    ($($id:ident),* $(,)?) => {
        /// One rule id of `docs/routing-rules.md`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[allow(missing_docs)]
        pub enum Rule {
            $($id,)*
            /// Part K, Azure's limits.
            PartK,
        }

        impl Rule {
            /// Every rule, in documentation order.
            pub const ALL: &'static [Rule] = &[$(Rule::$id,)* Rule::PartK];

            /// The id as printed (`R37`, `Part K`).
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$id => stringify!($id),)*
                    Rule::PartK => "Part K",
                }
            }
        }
    };
}

rules!(
    D1, D2, D3, D4, D5, D6, D7, D8, D9, D10, D11, D12, D13, D14, D15, D16, D17, D18, D19, D20, D21, //
    R1, R2, R3, R4, R5, R6, R8, R9, R10, R11, R12, R13, R14, R15, R16, R17, R18, R19, R20, R21, R22, R23, R24, R25,
    R26, R27, R28, R29, R30, R31, R32, R33, R34, R35, R36, R37, R38, R39, R40, R41, R42, R43, R44, R45, R46, R47, R48,
    R49, R50, R51, R52, R53, R54, R55, R56, R57, R58, R59, R60, R62, R63, R64, R66, R67, R68, R69, R70, R71, R72, R73,
    R74, R75, R76, R77, //
    M1, M2, M3, M4, M5, M6,
);

impl Rule {
    /// Parse an id as printed, case-insensitively (`r37`, `Part K`, `PartK`).
    pub fn parse(s: &str) -> Option<Rule> {
        let t = s.trim();
        let squashed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.id().eq_ignore_ascii_case(t) || r.id().replace(' ', "").eq_ignore_ascii_case(&squashed))
    }
}

/// The rulebook, as shipped in the repository.
pub const RULEBOOK: &str = include_str!("../docs/routing-rules.md");

/// Every `### ID — title` section of the rulebook: (the id as written, the section's text).
pub fn sections() -> impl Iterator<Item = (&'static str, &'static str)> {
    RULEBOOK.match_indices("\n### ").filter_map(|(i, _)| {
        let sec = &RULEBOOK[i + 1..];
        // A section ends at the next heading of any level.
        let end = sec[4..].find("\n#").map(|e| e + 5).unwrap_or(sec.len());
        let (id, _) = sec[4..].lines().next()?.split_once(" — ")?;
        Some((id.trim(), sec[..end].trim_end()))
    })
}

impl Rule {
    /// This rule's section of the rulebook (heading, text, standing, sources).
    pub fn text(self) -> Option<&'static str> {
        sections().find(|(id, _)| *id == self.id()).map(|(_, t)| t)
    }

    /// Up to three rule ids close to `wanted` (for an unknown id).
    pub fn closest(wanted: &str) -> Vec<Rule> {
        let w = wanted.trim().to_ascii_uppercase();
        let mut scored: Vec<(usize, Rule)> = Rule::ALL
            .iter()
            .map(|r| (strsim::levenshtein(&w, &r.id().to_ascii_uppercase()), *r))
            .filter(|(d, _)| *d <= 2)
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, r)| r).collect()
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The rules behind one finding, in the order they were cited (`D3, R37`), without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleSet(Vec<Rule>);

impl RuleSet {
    /// No rule (printed as `-`).
    pub fn none() -> RuleSet {
        RuleSet(Vec::new())
    }

    /// These rules, in this order.
    pub fn of(rules: &[Rule]) -> RuleSet {
        let mut s = RuleSet::none();
        for r in rules {
            s.push(*r);
        }
        s
    }

    /// Add a rule at the end (a repeat is ignored).
    pub fn push(&mut self, r: Rule) {
        if !self.0.contains(&r) {
            self.0.push(r);
        }
    }

    /// This set followed by `other`'s rules.
    pub fn with(mut self, other: &RuleSet) -> RuleSet {
        for r in &other.0 {
            self.push(*r);
        }
        self
    }

    /// Whether the set cites `r`.
    pub fn contains(&self, r: Rule) -> bool {
        self.0.contains(&r)
    }

    /// Whether the set cites nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rules, in citation order.
    pub fn rules(&self) -> &[Rule] {
        &self.0
    }
}

impl From<Rule> for RuleSet {
    fn from(r: Rule) -> RuleSet {
        RuleSet(vec![r])
    }
}

impl fmt::Display for RuleSet {
    /// `D3, R37`; `-` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("-");
        }
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(r.id())?;
        }
        Ok(())
    }
}

impl serde::Serialize for RuleSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.id()), Some(*r));
        }
        assert_eq!(Rule::parse("r37"), Some(Rule::R37));
        assert_eq!(Rule::parse("partk"), Some(Rule::PartK));
        assert_eq!(Rule::parse("R7"), None);
    }

    #[test]
    fn every_rule_has_a_section_and_every_section_is_a_rule() {
        for r in Rule::ALL {
            let t = r.text().unwrap_or_else(|| panic!("{} has no section in docs/routing-rules.md", r.id()));
            assert!(t.starts_with(&format!("### {} — ", r.id())), "{t}");
            assert!(t.contains("Standing:"), "{} states its standing", r.id());
        }
        let ids: Vec<&str> = sections().map(|(id, _)| id).collect();
        for id in &ids {
            assert!(Rule::parse(id).is_some(), "section `{id}` is not a rule id the code knows");
        }
        let mut uniq = ids.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), ids.len(), "an id has two sections");
    }

    #[test]
    fn a_section_stops_at_the_next_heading() {
        let t = Rule::D1.text().unwrap();
        assert!(!t.contains("### D2"), "{t}");
        assert_eq!(Rule::closest("R377").first(), Some(&Rule::R37));
        assert!(Rule::closest("nonsense").is_empty());
    }

    #[test]
    fn sets_print_in_citation_order_without_repeats() {
        let mut s = RuleSet::of(&[Rule::D3, Rule::R37]);
        s.push(Rule::D3);
        assert_eq!(s.to_string(), "D3, R37");
        assert_eq!(RuleSet::none().to_string(), "-");
    }
}
