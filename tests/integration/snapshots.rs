//! CLI snapshots (trycmd): every error message pinned with its file:line:col, snippet, caret and
//! help, several errors in one file in source order, and the CLI's own errors. Cases are
//! `tests/cmd/**/*.toml` (fixtures live in `tests/fixtures/`); refresh with `TRYCMD=overwrite`
//! and review the diff.

#[test]
fn cli_snapshots() {
    trycmd::TestCases::new().case("tests/cmd/errors/*.toml").case("tests/cmd/cli/*.toml");
}
