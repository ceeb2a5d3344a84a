//! The library's error type and the exit status each error maps to.
//!
//! Exit status: 0 ok, 1 an expectation, reachability check or design finding failed (not an error
//! here: commands report those as results), 2 bad usage or bad input (every [`Error`]).

use std::fmt;

use crate::diag::Diagnostic;
use crate::diag::Source;
use crate::resolve::ResolveError;

/// At most this many diagnostics are rendered as text (JSON carries all of them).
pub const MAX_RENDERED: usize = 200;

/// A scenario that failed validation, with every diagnostic found.
#[derive(Debug)]
pub struct Invalid {
    /// The text the diagnostics point into.
    pub source: Source,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Invalid {
    /// Render every diagnostic (up to [`MAX_RENDERED`]) and a summary line.
    pub fn render(&self) -> String {
        self.render_colored(false)
    }

    /// Render, optionally with terminal colours.
    pub fn render_colored(&self, color: bool) -> String {
        let mut out = String::new();
        let idx = crate::diag::LineIndex::new(&self.source.text);
        for d in self.diagnostics.iter().take(MAX_RENDERED) {
            out.push_str(&d.render_with(&self.source.name, &self.source.text, &idx, color));
            out.push('\n');
        }
        if self.diagnostics.len() > MAX_RENDERED {
            out.push_str(&format!(
                "... and {} more (the first {MAX_RENDERED} are shown; fix those and run again, or use `ersim check --output json` for all)\n",
                self.diagnostics.len() - MAX_RENDERED
            ));
        }
        let n = self.diagnostics.iter().filter(|d| d.severity == crate::diag::Severity::Error).count();
        out.push_str(&format!(
            "error: {} is not a valid scenario ({n} error{})\n",
            self.source.name,
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

/// Everything that stops ersim from answering.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than ersim reads.
    #[error("{path} is {size} bytes; ersim reads scenarios up to {limit} bytes")]
    TooLarge {
        /// The path.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("{path}:{line}:{col}: error: the file is not valid UTF-8 text\n  = help: save the scenario as UTF-8")]
    NotUtf8 {
        /// The path.
        path: String,
        /// 1-based line of the first bad byte.
        line: usize,
        /// 1-based column.
        col: usize,
    },
    /// The scenario is not valid.
    #[error("{}", .0.render())]
    Invalid(Box<Invalid>),
    /// No scenario was named and none was found.
    #[error(
        "no scenario given and none found (tried: {tried}); pass a SCENARIO file, set ERSIM_SCENARIO, or create ./ersim.toml"
    )]
    NoScenario {
        /// What was tried, in order.
        tried: String,
    },
    /// A name on the command line did not resolve.
    #[error("{0}")]
    Name(ResolveError),
    /// A name of the wrong kind for this command.
    #[error("{message}")]
    Usage {
        /// What is wrong and what to do.
        message: String,
    },
    /// Propagation did not settle within its budget.
    #[error(
        "BGP propagation did not converge within {budget} route updates; the design may contain a routing loop between speakers"
    )]
    NoConvergence {
        /// The budget that ran out.
        budget: usize,
    },
}

impl Error {
    /// The process exit status for this error (always 2: bad input or usage).
    pub fn exit_code(&self) -> u8 {
        2
    }
}

impl From<ResolveError> for Error {
    fn from(e: ResolveError) -> Self {
        Error::Name(e)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}
