//! Tests for check_cmd.
