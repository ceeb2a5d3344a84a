//! Reading a scenario file, and the errors that stop it: the one loader every command uses.
//!
//! Stages never cascade: a path that is not a readable file stops first, invalid UTF-8 stops
//! before TOML, TOML syntax errors stop before shape, and shape errors (wrong types, unknown keys)
//! are collected together with every semantic error validation finds.

use std::fmt;
use std::path::Path;

use super::validate::Expectations;
use crate::diag::{Diagnostic, Diagnostics, LineIndex, MAX_RENDERED, Severity, Source};
use crate::model::Model;

/// The largest scenario file ersim reads (64 MiB), a clear limit instead of exhausting memory:
/// checking a file takes up to about 50 times its size in memory (reading takes under 4 times;
/// propagation keeps about 1 KiB per prefix of a router that advertises millions), so every file
/// the limit accepts is processed within 4 GiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A validated scenario with its source and warnings.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// Where it came from.
    pub source: Source,
    /// The resolved model.
    pub model: Model,
    /// Warnings found while validating (they do not stop anything).
    pub warnings: Vec<Diagnostic>,
}

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
        let idx = LineIndex::new(&self.source.text);
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
        let n = self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        out.push_str(&format!(
            "error: {} is not a valid scenario ({n} error{})\n",
            self.source.name,
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read (or is not a file).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than ersim reads.
    #[error(
        "{path} is {size} bytes; ersim reads scenarios up to {limit} bytes ({mib} MiB): checking one takes up to 50 times its size in memory (propagation keeps about 1 KiB per advertised prefix), and the limit keeps that within 4 GiB",
        mib = .limit / (1024 * 1024)
    )]
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
}

/// Read a scenario file's bytes: the one place a path becomes bytes, with the checks every
/// command shares (a directory, the size limit, the OS error).
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| LoadError::Io { path: name.clone(), source: e })?;
    if meta.is_dir() {
        return Err(LoadError::Io { path: name, source: std::io::Error::other("is a directory, not a scenario file") });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path: name, size: meta.len(), limit: MAX_FILE_BYTES });
    }
    std::fs::read(path).map_err(|e| LoadError::Io { path: name, source: e })
}

/// Read and validate a scenario file (`[[expect]]` problems are errors, as for `check`).
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    load_with(path, Expectations::Errors)
}

/// Read and validate a scenario file, `[[expect]]` problems counting as `expectations` says.
pub fn load_with(path: &Path, expectations: Expectations) -> Result<Loaded, LoadError> {
    let bytes = read_file(path)?;
    parse_bytes_with(&path.display().to_string(), bytes, expectations)
}

/// Validate scenario bytes (checked for UTF-8 first).
pub fn parse_bytes(name: &str, bytes: Vec<u8>) -> Result<Loaded, LoadError> {
    parse_bytes_with(name, bytes, Expectations::Errors)
}

/// Validate scenario bytes, `[[expect]]` problems counting as `expectations` says.
pub fn parse_bytes_with(name: &str, bytes: Vec<u8>, expectations: Expectations) -> Result<Loaded, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => parse_with(name, text, expectations),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let lossy = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let (line, col) = crate::diag::line_col(&lossy, at);
            Err(LoadError::NotUtf8 { path: name.to_string(), line, col })
        }
    }
}

/// Validate scenario text (`[[expect]]` problems are errors, as for `check`).
pub fn parse(name: &str, text: String) -> Result<Loaded, LoadError> {
    parse_with(name, text, Expectations::Errors)
}

/// Validate scenario text, `[[expect]]` problems counting as `expectations` says.
pub fn parse_with(name: &str, text: String, expectations: Expectations) -> Result<Loaded, LoadError> {
    let mut d = Diagnostics::default();
    // Syntax errors stop before shape (a partial document would only produce noise); shape errors
    // do not stop validation, which reads only what was well-formed.
    let model = super::read::read(&text, &mut d).and_then(|raw| super::validate::validate(&raw, &mut d, expectations));
    let source = Source { name: name.to_string(), text };
    match model {
        Some(model) if !d.has_errors() => Ok(Loaded { source, model, warnings: d.sorted() }),
        _ => Err(LoadError::Invalid(Box::new(Invalid { source, diagnostics: d.sorted() }))),
    }
}
