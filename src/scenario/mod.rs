//! Reading a scenario file: bytes → text → raw blocks → validated [`Model`](crate::model::Model).
//!
//! Stages never cascade: invalid UTF-8 stops before TOML, TOML syntax errors stop before shape,
//! and shape errors (wrong types, unknown keys) are collected together with every semantic error
//! `validate` finds. The result is a model and its warnings, or every diagnostic at once
//! ([`LoadError`]). `edit` changes a scenario's text (the fixes `reach` offers) keeping comments.

pub mod edit;
pub mod keys;
mod load;
pub(crate) mod raw;
mod read;
pub mod schema;
mod toml_doc;
mod toml_events;
pub mod validate;

pub use load::{
    Invalid, LoadError, Loaded, MAX_FILE_BYTES, load, load_with, parse, parse_bytes, parse_bytes_with, parse_with,
    read_file,
};
pub use validate::Expectations;
