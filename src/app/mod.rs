//! The application layer: what a command does from a path and names to an answer, and the one
//! error type that gathers every layer's errors for the binary.
//!
//! The engine below answers questions about a validated model; this layer finds the scenario
//! (`$ERSIM_SCENARIO`, `./ersim.toml`), loads it once, resolves command-line names, runs `reach`
//! with its verified fixes, and turns any layer's error into [`Error`] with its exit status.

mod fix;

use std::path::{Path, PathBuf};

use crate::bgp::{NoConvergence, SpeakerId};
use crate::check::{self, CheckReport};
use crate::compare::{self, CompareError, Comparison};
use crate::diag::{Code, Diagnostic, Source, suggest};
use crate::diff::{self, Diff};
use crate::down::{self, DownError};
use crate::forward::{self, EndpointError};
use crate::import::{self, ImportError, Imported};
use crate::matrix;
use crate::model::Model;
use crate::resolve::{self, ResolveError};
use crate::scenario::{self, LoadError, Loaded};
use crate::simulation::Simulation;

/// Everything that stops ersim from answering (exit status 2: bad input or usage).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario could not be read or is invalid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// No scenario was named and none was found.
    #[error(
        "no scenario given and none found (tried: {tried}); pass a SCENARIO file, set ERSIM_SCENARIO, or create ./ersim.toml"
    )]
    NoScenario {
        /// What was tried, in order.
        tried: String,
    },
    /// A name on the command line did not resolve.
    #[error(transparent)]
    Name(#[from] ResolveError),
    /// A name on the command line did not resolve in this scenario file.
    #[error("{} (read {file})", .error)]
    NameIn {
        /// What went wrong.
        error: ResolveError,
        /// The scenario read, which the user may not have named ($ERSIM_SCENARIO, ./ersim.toml).
        file: String,
    },
    /// An endpoint `reach` cannot start or end at.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// Propagation did not settle within its budget.
    #[error(transparent)]
    NoConvergence(#[from] NoConvergence),
    /// A matrix larger than ersim computes.
    #[error(transparent)]
    Matrix(#[from] matrix::MatrixError),
    /// An Azure export could not be imported.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Actual state could not be compared.
    #[error(transparent)]
    Compare(#[from] CompareError),
    /// A `--down` element that is not in this scenario file, or not one element that can fail.
    #[error("{error} (read {file})")]
    Down {
        /// What is wrong.
        error: DownError,
        /// The scenario it was looked up in.
        file: String,
    },
    /// A name on the command line names an element that `--down` took away.
    #[error("`{name}` is down (--down {down}); leave it out of --down to ask about it")]
    IsDown {
        /// The name asked for.
        name: String,
        /// The elements down.
        down: String,
    },
    /// Something else about the command line is wrong.
    #[error("{message}")]
    Usage {
        /// What is wrong and what to do.
        message: String,
    },
}

impl Error {
    /// The process exit status for this error (always 2: bad input or usage).
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// The error, saying which scenario file a name was looked up in.
    pub fn in_file(self, file: &str) -> Error {
        match self {
            Error::Name(error) => Error::NameIn { error, file: file.to_string() },
            other => other,
        }
    }
}

/// The scenario a command reads: the one given, else `$ERSIM_SCENARIO`, else `./ersim.toml`.
pub fn scenario_path(arg: Option<PathBuf>) -> Result<PathBuf, Error> {
    if let Some(p) = arg {
        return Ok(p);
    }
    let mut tried = Vec::new();
    if let Some(p) = std::env::var_os("ERSIM_SCENARIO").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    tried.push("$ERSIM_SCENARIO (not set)".to_string());
    let local = PathBuf::from("ersim.toml");
    if local.exists() {
        return Ok(local);
    }
    tried.push("./ersim.toml (not found)".to_string());
    Err(Error::NoScenario { tried: tried.join(", ") })
}

/// A scenario with `--down` failures applied to its model.
#[derive(Debug)]
pub struct Failed {
    /// The scenario as loaded, its model with the elements down, and `--down`'s warnings added.
    pub loaded: Loaded,
    /// The model before the failures (to tell a name that went down from an unknown one).
    pub original: Model,
    /// The elements down, as output names them.
    pub down: Vec<String>,
}

impl Failed {
    /// The error for a name that did not resolve in the failed model: it is down when the
    /// original model knows it, else `error` as it is.
    pub fn name_error(&self, name: &str, error: Error) -> Error {
        name_error(&self.original, &self.down, name, error)
    }
}

/// The error for a name that did not resolve with the elements `down` failed: it is down when the
/// `original` model knows it, else `error` as it is.
fn name_error(original: &Model, down: &[String], name: &str, error: Error) -> Error {
    let m = original;
    let known = resolve::resolve(m, name).is_ok()
        || resolve::nic(m, name).is_ok()
        || m.gateway_by_name(name).is_some()
        || m.route_server_by_name(name).is_some()
        || m.bgp_peer_by_name(name).is_some();
    if known && !down.is_empty() { Error::IsDown { name: name.to_string(), down: down.join(", ") } } else { error }
}

/// Apply `--down` failures (names as given) to a loaded scenario.
pub fn fail(loaded: Loaded, specs: &[String]) -> Result<Failed, Error> {
    let failures = down::resolve_all(&loaded.model, specs)
        .map_err(|error| Error::Down { error, file: loaded.source.name.clone() })?;
    let w = down::without(&loaded.model, &failures);
    let Loaded { source, model, mut warnings } = loaded;
    warnings.extend(w.warnings);
    Ok(Failed { loaded: Loaded { source, model: w.model, warnings }, original: model, down: w.down })
}

/// A `reach` answer with the simulated model it refers to.
#[derive(Debug)]
pub struct ReachAnswer {
    /// The model the trace refers to (for names).
    pub model: Model,
    /// The answer.
    pub reach: forward::Reach,
    /// The elements down (`--down`), as output names them.
    pub down: Vec<String>,
}

/// `ersim reach FROM TO`: resolve the names, trace both ways, and attach verified fixes.
pub fn reach(loaded: &Loaded, from: &str, to: &str) -> Result<ReachAnswer, Error> {
    reach_down(loaded, from, to, &[])
}

/// `ersim reach FROM TO --down …`: the same with elements down; the fixes are verified with the
/// same elements down.
pub fn reach_down(loaded: &Loaded, from: &str, to: &str, specs: &[String]) -> Result<ReachAnswer, Error> {
    // As `fail`, without a copy of the scenario: the fixes need it as loaded.
    let failures = down::resolve_all(&loaded.model, specs)
        .map_err(|error| Error::Down { error, file: loaded.source.name.clone() })?;
    let failed = down::without(&loaded.model, &failures);
    let sim = Simulation::new(failed.model)?;
    let endpoint = |name: &str| {
        resolve::resolve(&sim.model, name).map_err(|e| name_error(&loaded.model, &failed.down, name, e.into()))
    };
    let fe = endpoint(from)?;
    let te = endpoint(to)?;
    let (fh, th) = forward::hosts(&sim, &fe, &te)?;
    let mut r = forward::reach_hosts(&sim, &fh, &th);
    if r.verdict == forward::Verdict::NotDelivered {
        r.fixes = fix::fixes(loaded, &sim, &r, fix::Flow { from, to, down: specs });
    }
    Ok(ReachAnswer { model: sim.model, reach: r, down: failed.down })
}

/// `ersim diff`'s answer: both simulated designs (for names) and what changed.
#[derive(Debug)]
pub struct DiffAnswer {
    /// Before.
    pub before: Simulation,
    /// After.
    pub after: Simulation,
    /// What changed.
    pub diff: Diff,
    /// The elements down (`--down`), as output names them.
    pub down: Vec<String>,
}

/// `ersim diff BEFORE AFTER [--down …]`, or `ersim diff --down … SCENARIO` (the scenario without
/// and with the failures). With two files, the failures apply to both.
pub fn diff(before: &Path, after: Option<&Path>, specs: &[String]) -> Result<DiffAnswer, Error> {
    let load = |p: &Path| scenario::load_with(p, scenario::Expectations::Warnings);
    // The two files are independent: read them side by side.
    let (b, a) = rayon::join(|| load(before), || after.map(load).transpose());
    diff_loaded(b?, a?, specs)
}

/// `ersim diff` over loaded scenarios: `after` `None` compares `before` without and with the
/// failures (which must then be given).
pub fn diff_loaded(before: Loaded, after: Option<Loaded>, specs: &[String]) -> Result<DiffAnswer, Error> {
    let (b, a) = match after {
        Some(a) => (fail(before, specs)?, fail(a, specs)?),
        None if specs.is_empty() => {
            return Err(Error::Usage {
                message: "diff compares two scenario files (BEFORE AFTER), or one with --down (the scenario without and with the failures)".to_string(),
            });
        }
        None => {
            let a = fail(before.clone(), specs)?;
            (fail(before, &[])?, a)
        }
    };
    let down = a.down.clone();
    let (before, after) = rayon::join(|| Simulation::new(b.loaded.model), || Simulation::new(a.loaded.model));
    let (before, after) = (before?, after?);
    let d = diff::diff(
        diff::Side { sim: &before, warnings: &b.loaded.warnings },
        diff::Side { sim: &after, warnings: &a.loaded.warnings },
    )?;
    Ok(DiffAnswer { before, after, diff: d, down })
}

/// `ersim check PATH`: a file that cannot be read or is invalid is a report (with its errors, in
/// the format asked for), not an `Err`.
pub fn check_path(path: &Path) -> Result<CheckReport, Error> {
    Ok(check_path_down(path, &[])?.0)
}

/// `ersim check PATH --down …`: the same, evaluated with the elements down (an unknown element is
/// an `Err`: a usage error), with the elements down as output names them.
pub fn check_path_down(path: &Path, specs: &[String]) -> Result<(CheckReport, Vec<String>), Error> {
    let name = path.display().to_string();
    match scenario::read_file(path) {
        Ok(bytes) => check_source_down(&name, bytes, specs),
        Err(e) => {
            let d = Diagnostic::error(Code::Unreadable, e.to_string()).help("pass the path of a scenario file");
            Ok((check::unreadable(Source { name, text: String::new() }, d), Vec::new()))
        }
    }
}

/// `ersim check` over scenario bytes; bytes that are not UTF-8 or an invalid scenario are a report,
/// not an `Err`.
pub fn check_source(name: &str, bytes: Vec<u8>) -> Result<CheckReport, Error> {
    Ok(check_source_down(name, bytes, &[])?.0)
}

/// `ersim check` over scenario bytes with elements down; the report and the elements down.
pub fn check_source_down(name: &str, bytes: Vec<u8>, specs: &[String]) -> Result<(CheckReport, Vec<String>), Error> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            // The text up to the first bad byte is intact: the diagnostic points there.
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::error(Code::NotUtf8, "the file is not valid UTF-8 text")
                .at(at..at)
                .help("save the scenario as UTF-8");
            return Ok((check::unreadable(Source { name: name.to_string(), text }, d), Vec::new()));
        }
    };
    match scenario::parse(name, text) {
        Ok(l) => {
            let failed = fail(l, specs)?;
            Ok((check::check(&failed.loaded)?, failed.down))
        }
        Err(LoadError::Invalid(inv)) => Ok((check::invalid(*inv), Vec::new())),
        Err(e) => Err(e.into()),
    }
}

/// `ersim rule ID`: the rule's section of the rulebook; an unknown id names the closest ones.
pub fn rule_text(id: &str) -> Result<&'static str, Error> {
    let known = crate::rules::Rule::parse(id).and_then(crate::rules::Rule::text);
    known.ok_or_else(|| {
        let close: Vec<String> = crate::rules::Rule::closest(id).iter().map(|r| r.id().to_string()).collect();
        let hint = if close.is_empty() {
            "ids look like R37, D4, M1 or `Part K`".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        Error::Usage { message: format!("no rule `{id}` in docs/routing-rules.md; {hint}") }
    })
}

/// The starter designs `ersim init` writes: (name, what it is, the commented scenario).
pub const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "hub-spoke-expressroute",
        "a hub with an ExpressRoute gateway, two spokes, one circuit to on-premises",
        include_str!("templates/hub-spoke-expressroute.toml"),
    ),
    ("vpn", "a hub with a site-to-site VPN gateway (BGP) to a branch, one spoke", include_str!("templates/vpn.toml")),
    (
        "route-server-nva",
        "a hub with Route Server and an NVA advertising a default route, one spoke",
        include_str!("templates/route-server-nva.toml"),
    ),
];

/// `ersim init`: write a starter scenario to `out` (never over an existing file). Returns what
/// was written, for the message.
pub fn init(template: &str, out: &Path) -> Result<String, Error> {
    let Some((name, _, text)) = TEMPLATES.iter().find(|(n, _, _)| *n == template) else {
        let names: Vec<&str> = TEMPLATES.iter().map(|(n, _, _)| *n).collect();
        let hint = crate::diag::did_you_mean(template, names.iter().copied()).map(|h| format!("; {h}"));
        return Err(Error::Usage {
            message: format!("no template `{template}`{} (templates: {})", hint.unwrap_or_default(), names.join(", ")),
        });
    };
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(out).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "it exists; ersim init never overwrites a file: remove it or pass --out another path".to_string()
        } else {
            e.to_string()
        };
        Error::Usage { message: format!("cannot write {}: {why}", out.display()) }
    })?;
    std::io::Write::write_all(&mut f, text.as_bytes())
        .map_err(|e| Error::Usage { message: format!("cannot write {}: {e}", out.display()) })?;
    Ok(format!("wrote {} (template {name}); next: ersim check {}", out.display(), out.display()))
}

/// Which BGP speaker `ersim bgp` asks about: exactly one of the names is given.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpeakerName<'a> {
    /// `--gateway`.
    pub gateway: Option<&'a str>,
    /// `--circuit`.
    pub circuit: Option<&'a str>,
    /// `--onprem`.
    pub onprem: Option<&'a str>,
    /// `--route-server`.
    pub route_server: Option<&'a str>,
    /// `--bgp-peer`.
    pub bgp_peer: Option<&'a str>,
}

/// Resolve the speaker `ersim bgp` asks about.
pub fn speaker(sim: &Simulation, n: SpeakerName<'_>) -> Result<SpeakerId, Error> {
    let m = &sim.model;
    let b = &sim.bgp;
    let unknown = |name: &str, names: Vec<&str>| {
        Error::Name(ResolveError::Unknown { name: name.to_string(), suggestions: suggest(name, names) })
    };
    if let Some(n) = n.gateway {
        return m
            .gateway_by_name(n)
            .map(|g| b.gateway_speaker[g.idx()])
            .ok_or_else(|| unknown(n, m.gateways.iter().map(|x| x.name.as_str()).collect()));
    }
    if let Some(n) = n.circuit {
        return m
            .circuit_by_name(n)
            .map(|g| b.circuit_speaker[g.idx()])
            .ok_or_else(|| unknown(n, m.circuits.iter().map(|x| x.name.as_str()).collect()));
    }
    if let Some(n) = n.onprem {
        return m
            .onprem_by_name(n)
            .map(|g| b.onprem_speaker[g.idx()])
            .ok_or_else(|| unknown(n, m.onprems.iter().map(|x| x.name.as_str()).collect()));
    }
    if let Some(n) = n.route_server {
        return m
            .route_server_by_name(n)
            .map(|g| b.route_server_speaker[g.idx()])
            .ok_or_else(|| unknown(n, m.route_servers.iter().map(|x| x.name.as_str()).collect()));
    }
    let n = n.bgp_peer.unwrap_or_default();
    m.bgp_peer_by_name(n)
        .map(|g| b.nva_speaker[g.idx()])
        .ok_or_else(|| unknown(n, m.bgp_peers.iter().map(|x| x.name.as_str()).collect()))
}

/// `ersim import FILE... [--out PATH]`: read an Azure export (files or directories of `.json`)
/// into a scenario. With `out`, the scenario is written there, never over an existing file
/// (checked before anything is read); the caller prints `Imported::text` otherwise.
pub fn import(paths: &[PathBuf], out: Option<&Path>) -> Result<Imported, Error> {
    let refuse = |out: &Path| Error::Usage {
        message: format!(
            "cannot write {}: it exists; ersim import never overwrites a file: remove it or pass --out another path",
            out.display()
        ),
    };
    if let Some(out) = out
        && out.exists()
    {
        return Err(refuse(out));
    }
    let inputs = import::read_inputs(paths)?;
    let imported = import::import(&inputs)?;
    if let Some(out) = out {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(out).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                refuse(out)
            } else {
                Error::Usage { message: format!("cannot write {}: {e}", out.display()) }
            }
        })?;
        std::io::Write::write_all(&mut f, imported.text.as_bytes())
            .map_err(|e| Error::Usage { message: format!("cannot write {}: {e}", out.display()) })?;
    }
    Ok(imported)
}

/// `ersim compare SCENARIO --actual FILE...`: Azure's effective and learned routes held against
/// the prediction for a loaded scenario.
pub fn compare(loaded: &Loaded, actual: &[PathBuf], nic: Option<&str>) -> Result<Comparison, Error> {
    let (actuals, skipped) = compare::read_actuals(actual, nic)?;
    let sim = Simulation::new(loaded.model.clone())?;
    Ok(compare::compare(&sim, &actuals, skipped)?)
}
