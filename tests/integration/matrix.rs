//! Tests for matrix.
