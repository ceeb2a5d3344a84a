//! Tests for reach.
