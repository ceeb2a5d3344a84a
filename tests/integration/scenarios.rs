//! Every bundled scenario in scenarios/ is valid and passes `ersim check` (its [[expect]] blocks
//! hold and no design finding fails), and its expectations are not vacuous.

use std::path::PathBuf;

fn bundled() -> Vec<PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

/// Warnings a bundled scenario shows on purpose: (file, diagnostic code).
const EXPECTED_WARNINGS: &[(&str, &str)] = &[
    // The firewall NVA advertises spoke1's exact space to show R72/D7; D18 warns about exactly that.
    ("route-server-nva-ecmp.toml", "onprem-prefix-in-vnet"),
];

#[test]
fn every_bundled_scenario_passes_check() {
    let files = bundled();
    assert!(files.len() >= 2, "scenarios/ holds the seed and examples: {files:?}");
    for f in files {
        let r = ersim::app::check_path(&f).expect("readable");
        let text = ersim::report::check::text(&r);
        assert_eq!(r.exit_code(), 0, "{} does not pass check:\n{text}", f.display());
        assert!(!r.expectations.is_empty(), "{} has no [[expect]] blocks", f.display());
        let file = f.file_name().unwrap().to_string_lossy().to_string();
        let unexpected: Vec<_> =
            r.warnings.iter().filter(|w| !EXPECTED_WARNINGS.contains(&(file.as_str(), w.code.as_str()))).collect();
        assert!(unexpected.is_empty(), "{} has warnings:\n{text}", f.display());
        for (wf, code) in EXPECTED_WARNINGS.iter().filter(|(wf, _)| *wf == file) {
            assert!(r.warnings.iter().any(|w| w.code == *code), "{wf} shows `{code}` on purpose");
        }
        // Every scenario explains itself with comments.
        let src = std::fs::read_to_string(&f).unwrap();
        assert!(src.lines().filter(|l| l.trim_start().starts_with('#')).count() >= 5, "{} needs comments", f.display());
    }
}
