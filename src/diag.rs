//! Diagnostics: what is wrong with a scenario, where, and what to do about it.
//!
//! This module owns the scenario's [`Source`] (its name and text), the [`Diagnostic`] value
//! (severity, [`Code`], byte span, message, help, the rules behind it) and its rendering. Every diagnostic renders as `file:line:col: error: message`, then the offending line
//! with a caret (drawn by `annotate-snippets`, the renderer cargo uses), then `help:` lines that say
//! what to change. Low-level helpers produce span-less messages; the caller attaches the span.

use std::fmt::Write as _;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::rules::RuleSet;

/// A scenario's text and the name to show for it in messages.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path (or name) shown in `file:line:col`.
    pub name: String,
    /// The whole text.
    pub text: String,
}

macro_rules! codes {
    ($($v:ident => $s:literal,)*) => {
        /// The stable code of a diagnostic (`unknown-name`, `host-bits`, …), for scripts and tests.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[allow(missing_docs)]
        pub enum Code {
            $($v,)*
        }

        impl Code {
            /// Every code.
            pub const ALL: &'static [Code] = &[$(Code::$v,)*];

            /// The kebab-case spelling printed in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$v => $s,)*
                }
            }
        }
    };
}

codes! {
    AddressOutsideSubnet => "address-outside-subnet",
    AsnMismatch => "asn-mismatch",
    AsymmetricPath => "asymmetric-path",
    BadAddress => "bad-address",
    BadAsn => "bad-asn",
    BadName => "bad-name",
    BadPrefix => "bad-prefix",
    BadSku => "bad-sku",
    BadValue => "bad-value",
    BasicSkuTransit => "basic-sku-transit",
    BgpOff => "bgp-off",
    BgpSettings => "bgp-settings",
    BgpSiteWithoutRouter => "bgp-site-without-router",
    ConnectionTarget => "connection-target",
    ConnectionType => "connection-type",
    DuplicateAddress => "duplicate-address",
    DuplicateConnection => "duplicate-connection",
    DuplicateName => "duplicate-name",
    DuplicatePeering => "duplicate-peering",
    DefaultSite => "default-site",
    DuplicateValue => "duplicate-value",
    EmptyAddressSpace => "empty-address-space",
    EmptyName => "empty-name",
    ErAdvertisedPrefixes => "er-advertised-prefixes",
    ExpectDown => "expect-down",
    ExpectForm => "expect-form",
    FamilyMismatch => "family-mismatch",
    Format => "format",
    GatewaySubnetDefaultRoute => "gateway-subnet-default-route",
    GatewaySubnetNoneRoute => "gateway-subnet-none-route",
    GatewaySubnetPropagation => "gateway-subnet-propagation",
    HostBits => "host-bits",
    Ipv6Only => "ipv6-only",
    KeyNotApplicable => "key-not-applicable",
    LargeAsn => "large-asn",
    LimitCircuitLinks => "limit-circuit-links",
    LimitCircuitsPerGateway => "limit-circuits-per-gateway",
    LimitCircuitsPerLocation => "limit-circuits-per-location",
    LimitGatewayLearnedRoutes => "limit-gateway-learned-routes",
    LimitPeerings => "limit-peerings",
    LimitRouteServerPeers => "limit-route-server-peers",
    LimitRouteTables => "limit-route-tables",
    LimitRoutesPerTable => "limit-routes-per-table",
    LimitSubnets => "limit-subnets",
    LimitVnetsPerRegion => "limit-vnets-per-region",
    LimitVpnTunnels => "limit-vpn-tunnels",
    MissingFirewallSubnet => "missing-firewall-subnet",
    MissingGatewaySubnet => "missing-gateway-subnet",
    MissingKey => "missing-key",
    MissingNextHopIp => "missing-next-hop-ip",
    MissingRouteServerSubnet => "missing-route-server-subnet",
    NextHopIpNotAllowed => "next-hop-ip-not-allowed",
    NoDefaultSite => "no-default-site",
    NoVnet => "no-vnet",
    NotUtf8 => "not-utf8",
    NoErVpnTransit => "no-er-vpn-transit",
    NoGatewayTransit => "no-gateway-transit",
    NoRemoteGateway => "no-remote-gateway",
    OneDirectionalConnection => "one-directional-connection",
    OnpremPrefixInVnet => "onprem-prefix-in-vnet",
    OneDirectionalPeering => "one-directional-peering",
    OutOfRange => "out-of-range",
    OverlappingAddressSpace => "overlapping-address-space",
    OverlappingSubnets => "overlapping-subnets",
    OwnGateway => "own-gateway",
    OwnRouteServer => "own-route-server",
    PeeringForm => "peering-form",
    PeeringOverlap => "peering-overlap",
    PeeringVnets => "peering-vnets",
    PeersOverlap => "peers-overlap",
    PrefixLimit => "prefix-limit",
    PrependNotOnCircuit => "prepend-not-on-circuit",
    ReservedAddress => "reserved-address",
    ReservedAsn => "reserved-asn",
    RouteConflict => "route-conflict",
    RouteServerCapacity => "route-server-capacity",
    RouteServerIpv6 => "route-server-ipv6",
    RouteServerPeerPrefixes => "route-server-peer-prefixes",
    RouteServerSubnetUdr => "route-server-subnet-udr",
    SameAsn => "same-asn",
    SecondGateway => "second-gateway",
    SecondRemoteGateway => "second-remote-gateway",
    SecondRouteServer => "second-route-server",
    SelfPeering => "self-peering",
    SessionDown => "session-down",
    SubnetFull => "subnet-full",
    SubnetOutsideSpace => "subnet-outside-space",
    Syntax => "syntax",
    TransitVia => "transit-via",
    UdrNextHopUnreachable => "udr-next-hop-unreachable",
    UdrNoVpnGateway => "udr-no-vpn-gateway",
    UnknownKey => "unknown-key",
    UnknownName => "unknown-name",
    Unreadable => "unreadable",
    UnservedNextHop => "unserved-next-hop",
    WrongType => "wrong-type",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The scenario cannot be simulated (exit status 2).
    Error,
    /// A design finding: a limit Azure enforces by refusing the change (exit status 1 in `check`).
    Finding,
    /// Worth knowing; does not change the exit status.
    Warning,
}

impl Severity {
    /// The word printed before the message.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Finding => "finding",
            Severity::Warning => "warning",
        }
    }
}

/// One secondary place a diagnostic points at ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Byte range in the scenario text.
    pub span: Range<usize>,
    /// What that place is.
    pub label: String,
}

/// A message about the scenario, anchored to a byte range of its text when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error, finding or warning.
    pub severity: Severity,
    /// A stable code for scripts and tests.
    pub code: Code,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where (a byte range of the scenario text), if anywhere.
    pub span: Option<Range<usize>>,
    /// Short text under the caret.
    pub label: Option<String>,
    /// Other places that explain this one.
    pub notes: Vec<Note>,
    /// What to do about it (each rendered as a `help:` line).
    pub help: Vec<String>,
    /// The rules behind it (docs/routing-rules.md), if any.
    pub rule: Option<RuleSet>,
}

impl Diagnostic {
    /// A new error with a code and message.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A new warning with a code and message.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// A new design finding with a code and message.
    pub fn finding(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Finding, code, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            span: None,
            label: None,
            notes: Vec::new(),
            help: Vec::new(),
            rule: None,
        }
    }

    /// Anchor the diagnostic to a byte range.
    pub fn at(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    /// Text shown under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// A secondary place.
    pub fn note(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.notes.push(Note { span, label: label.into() });
        self
    }

    /// Add a `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Add a `help:` line only when `help` is `Some`.
    pub fn help_opt(self, help: Option<String>) -> Self {
        match help {
            Some(h) => self.help(h),
            None => self,
        }
    }

    /// The rules behind the diagnostic.
    pub fn rule(mut self, rule: impl Into<RuleSet>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// `line:col` (1-based, column in characters) of the primary span in `text`.
    pub fn line_col(&self, text: &str) -> Option<(usize, usize)> {
        self.span.as_ref().map(|s| line_col(text, s.start))
    }

    /// Render for a log: `file:line:col: error: message`, snippet, help (no colour).
    pub fn render(&self, file: &str, text: &str) -> String {
        self.render_with(file, text, &LineIndex::new(text), false)
    }

    /// Render with a prebuilt line index (for many diagnostics over one large text), optionally
    /// with terminal colours. The snippet shows only the lines around each annotation, so a
    /// diagnostic costs the same in a 20-line file and a 20-MB one.
    pub fn render_with(&self, file: &str, text: &str, idx: &LineIndex, color: bool) -> String {
        let mut out = String::new();
        let word = self.severity.word();
        let word = if color {
            match self.severity {
                Severity::Error => format!("\x1b[1;31m{word}\x1b[0m"),
                Severity::Finding | Severity::Warning => format!("\x1b[1;33m{word}\x1b[0m"),
            }
        } else {
            word.to_string()
        };
        let message = clip_quoted(&self.message);
        match self.span.as_ref().map(|s| idx.line_col(text, s.start)) {
            Some((l, c)) => {
                let _ = write!(out, "{file}:{l}:{c}: {word}: {message}");
            }
            None => {
                let _ = write!(out, "{file}: {word}: {message}");
            }
        }
        if let Some(rule) = &self.rule {
            let _ = write!(out, " [{rule}]");
        }
        out.push('\n');
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Finding | Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_level(level.clone());
        if let Some(span) = self.span.clone().filter(|s| s.end <= text.len()) {
            let primary = widen(text, span);
            let pl = idx.line_of(primary.start);
            // Notes near the primary share its snippet; far ones get their own.
            let (near, far): (Vec<&Note>, Vec<&Note>) = self
                .notes
                .iter()
                .filter(|n| n.span.end <= text.len())
                .partition(|n| idx.line_of(n.span.start).abs_diff(pl) <= 8);
            let mut spans = vec![primary.clone()];
            spans.extend(near.iter().map(|n| widen(text, n.span.clone())));
            let (base, excerpt, first_line) = idx.excerpt(text, &spans);
            let clip = |r: &Range<usize>| (r.start - base)..(r.end.min(base + excerpt.len()) - base);
            let mut snippet = Snippet::source(excerpt)
                .line_start(first_line)
                .fold(true)
                .annotation(AnnotationKind::Primary.span(clip(&primary)).label(self.label.clone().unwrap_or_default()));
            for n in &near {
                snippet = snippet.annotation(
                    AnnotationKind::Context.span(clip(&widen(text, n.span.clone()))).label(n.label.clone()),
                );
            }
            group = group.element(snippet);
            for n in far {
                let sp = widen(text, n.span.clone());
                let (b, ex, fl) = idx.excerpt(text, std::slice::from_ref(&sp));
                let r = (sp.start - b)..(sp.end.min(b + ex.len()) - b);
                group = group.element(
                    Snippet::source(ex)
                        .line_start(fl)
                        .path(file.to_string())
                        .annotation(AnnotationKind::Context.span(r).label(n.label.clone())),
                );
            }
        }
        for h in &self.help {
            group = group.element(Level::HELP.message(h.clone()));
        }
        if self.span.is_some() || !self.help.is_empty() {
            let renderer = if color { Renderer::styled() } else { Renderer::plain() };
            out.push_str(&renderer.render(&[group]));
            out.push('\n');
        }
        out
    }
}

/// Line starts of a text, for fast line:column lookups and excerpts.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index a text once.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|s| *s <= at).saturating_sub(1)
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, text: &str, at: usize) -> (usize, usize) {
        let mut at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let l = self.line_of(at);
        (l + 1, text[self.starts[l]..at].chars().count() + 1)
    }

    /// The whole lines covering `spans` (at most 12 lines from the first): (byte offset, text,
    /// 1-based number of its first line). A single line longer than [`LONG_LINE`] bytes (a
    /// generated list of 10⁵ prefixes is one 1 MB line) is cut to a window around the spans, so
    /// each diagnostic costs the same whatever the line's length; the header's `line:col` stays
    /// exact.
    pub fn excerpt<'t>(&self, text: &'t str, spans: &[Range<usize>]) -> (usize, &'t str, usize) {
        let lo = spans.iter().map(|s| self.line_of(s.start)).min().unwrap_or(0);
        let hi =
            spans.iter().map(|s| self.line_of(s.end.saturating_sub(1).max(s.start))).max().unwrap_or(lo).min(lo + 11);
        let mut start = self.starts[lo];
        let end = self.starts.get(hi + 1).map(|e| e - 1).unwrap_or(text.len()).max(start);
        let mut end = end.min(text.len());
        if lo == hi && end - start > LONG_LINE {
            let first = spans.iter().map(|s| s.start).min().unwrap_or(start).clamp(start, end);
            let last = spans.iter().map(|s| s.end).max().unwrap_or(first).clamp(first, end);
            let last = last.min(first + LONG_LINE);
            start = first.saturating_sub(CONTEXT).max(start);
            end = (last + CONTEXT).min(end);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
        }
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (start, &text[start..end], lo + 1)
    }
}

/// A `quoted` value longer than this many characters is shortened in a rendered message (the
/// snippet under the message shows the value in place; JSON keeps the whole message).
pub const QUOTED_MAX: usize = 60;

/// The message with every `quoted` value longer than [`QUOTED_MAX`] characters cut to its first
/// and last characters around `…`, saying how long it was.
pub fn clip_quoted(message: &str) -> std::borrow::Cow<'_, str> {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len() < 3 || parts.iter().skip(1).step_by(2).all(|q| q.chars().count() <= QUOTED_MAX) {
        return std::borrow::Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len().min(4 * QUOTED_MAX));
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(p);
            continue;
        }
        out.push('`');
        let n = p.chars().count();
        // An unmatched last backtick leaves the tail as it is.
        if i + 1 == parts.len() || n <= QUOTED_MAX {
            out.push_str(p);
            if i + 1 < parts.len() {
                out.push('`');
            }
            continue;
        }
        let head: String = p.chars().take(QUOTED_MAX / 2).collect();
        let tail: String = p.chars().skip(n - QUOTED_MAX / 4).collect();
        out.push_str(&format!("{head}…{tail}` ({n} characters)"));
    }
    std::borrow::Cow::Owned(out)
}

/// At most this many diagnostics are rendered as text (JSON carries all of them).
pub const MAX_RENDERED: usize = 200;

/// Lines longer than this many bytes are shown as a window around the annotated spans.
pub const LONG_LINE: usize = 1024;

/// Bytes of context either side of the spans in a long line's window.
const CONTEXT: usize = 120;

/// An empty span cannot carry a caret; point at one character instead.
fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    if span.start < span.end {
        return span;
    }
    let start = span.start.min(text.len());
    let end = text[start..].chars().next().map(|c| start + c.len_utf8()).unwrap_or(start);
    start..end
}

/// 1-based line and character column of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..at].chars().count() + 1;
    (line, col)
}

/// A growing list of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// Every diagnostic, in the order found (see [`Diagnostics::sorted`]).
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Add one.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Diagnostics in source order (span start; span-less last), errors before warnings at one place.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            let ka = (a.span.as_ref().map(|s| s.start).unwrap_or(usize::MAX), a.severity);
            let kb = (b.span.as_ref().map(|s| s.start).unwrap_or(usize::MAX), b.severity);
            ka.cmp(&kb).then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
        self.items
    }
}

/// Up to three existing names close to `wanted`, best first ("did you mean …").
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let lw = wanted.to_ascii_lowercase();
    let mut scored: Vec<(u32, String)> = candidates
        .into_iter()
        .filter_map(|c| {
            let lc = c.to_ascii_lowercase();
            let jw = strsim::jaro_winkler(&lw, &lc);
            let lev = strsim::levenshtein(&lw, &lc);
            let close = jw >= 0.85 || lev <= 2.max(lw.len() / 4) || (lw.len() >= 3 && lc.contains(&lw));
            close.then(|| ((jw * 1_000_000.0) as u32, c.to_string()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, s)| s).collect()
}

/// "did you mean `a`?" / "did you mean `a` or `b`?", or `None` when nothing is close.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let s = suggest(wanted, candidates);
    match s.len() {
        0 => None,
        1 => Some(format!("did you mean `{}`?", s[0])),
        _ => {
            let quoted: Vec<String> = s.iter().map(|x| format!("`{x}`")).collect();
            let (last, rest) = quoted.split_last().expect("non-empty");
            Some(format!("did you mean {} or {last}?", rest.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_values_are_clipped_in_messages_only() {
        let long = "1".repeat(5000);
        let msg = format!("advertised prefix `{long}` is not a valid prefix");
        let clipped = clip_quoted(&msg);
        assert!(clipped.len() < 200, "{clipped}");
        assert!(clipped.starts_with("advertised prefix `111"), "{clipped}");
        assert!(clipped.ends_with("111` (5000 characters) is not a valid prefix"), "{clipped}");
        let short = "unknown VNet `hub01`; did you mean `hub00`?";
        assert_eq!(clip_quoted(short), short);
        let text = format!("x = \"{long}\"\n");
        let d = Diagnostic::error(Code::BadPrefix, msg.clone()).at(5..5 + long.len());
        let shown = d.render("f.toml", &text);
        assert!(shown.lines().next().unwrap().len() < 200, "{shown}");
        assert_eq!(d.message, msg, "the value stays whole in the diagnostic (and its JSON)");
    }
}
