//! Reading a scenario file: bytes → text → raw blocks → validated [`Model`].
//!
//! Stages never cascade: invalid UTF-8 stops before TOML, TOML syntax errors stop before shape,
//! and shape errors (wrong types, unknown keys) are collected together with every semantic error
//! `validate` finds. The result is a model and its warnings, or every diagnostic at once.

pub mod edit;
pub(crate) mod raw;
mod read;
mod validate;

pub use validate::{ER_SKUS, VPN_SKUS};

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::error::Error;
use crate::model::Model;

/// The largest scenario file ersim reads (a clear limit instead of exhausting memory).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

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

/// Read and validate a scenario file.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::Io { path: name.clone(), source: e })?;
    if meta.is_dir() {
        return Err(Error::Io { path: name, source: std::io::Error::other("is a directory, not a scenario file") });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::TooLarge { path: name, size: meta.len(), limit: MAX_FILE_BYTES });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::Io { path: name.clone(), source: e })?;
    parse_bytes(&name, bytes)
}

/// Validate scenario bytes (checked for UTF-8 first).
pub fn parse_bytes(name: &str, bytes: Vec<u8>) -> Result<Loaded, Error> {
    match String::from_utf8(bytes) {
        Ok(text) => parse(name, text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let lossy = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let (line, col) = crate::diag::line_col(&lossy, at);
            Err(Error::NotUtf8 { path: name.to_string(), line, col })
        }
    }
}

/// Validate scenario text.
pub fn parse(name: &str, text: String) -> Result<Loaded, Error> {
    let mut d = Diagnostics::default();
    // Syntax errors stop before shape (a partial document would only produce noise); shape errors
    // do not stop validation, which reads only what was well-formed.
    let model = read::read(&text, &mut d).and_then(|raw| validate::validate(&raw, &mut d));
    let source = Source { name: name.to_string(), text };
    match model {
        Some(model) if !d.has_errors() => Ok(Loaded { source, model, warnings: d.sorted() }),
        _ => Err(Error::Invalid(Box::new(crate::error::Invalid { source, diagnostics: d.sorted() }))),
    }
}
