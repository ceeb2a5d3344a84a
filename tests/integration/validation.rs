//! Validation: one case per rule of scenario-format.md "Validation", asserting code, message and line:col.
