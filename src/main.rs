//! The `ersim` command line: parse arguments, call the library, print, exit 0/1/2.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use ersim::app::{self, scenario_path};
use ersim::report::{self, Format};
use ersim::scenario::LoadError;
use ersim::{Error, Simulation, scenario};

#[derive(Parser)]
#[command(name = "ersim", version, about = "Offline route-propagation simulator for Azure network designs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a NIC's or subnet's effective routes, as the portal's Effective routes blade shows them.
    #[command(
        after_help = "Exit status: 0 ok, 2 bad input (an invalid scenario, an unknown NIC or subnet).\n\nExamples:\n  ersim routes --nic nic-spoke10 scenarios/seed-multi-hub-expressroute.toml\n  ersim routes --subnet hub00/GatewaySubnet --output json scenario.toml"
    )]
    Routes(RoutesArgs),
    /// Does a packet get from FROM to TO and back? Hop by hop, every ECMP branch; if not, where it
    /// drops, which rule dropped it, and verified fixes.
    #[command(
        after_help = "FROM and TO are NIC names, VM labels, VNets, vnet/subnet, on-premises routers, firewalls,\nload balancers or IP addresses; prefix with nic:, vm:, vnet:, subnet:, onprem:, firewall:, lb:\nwhen a name is ambiguous.\n\nExit status: 0 delivered both ways, 1 not delivered, 2 bad input.\n\nExamples:\n  ersim reach vm-spoke10 vm-spoke110 scenarios/seed-multi-hub-expressroute.toml\n  ersim reach spoke10 spoke20 scenarios/seed-multi-hub-expressroute.toml\n  ersim reach 10.10.0.4 10.120.0.5 --output json scenario.toml"
    )]
    Reach(ReachArgs),
    /// Validate a design, lint it against Azure's limits, and evaluate its [[expect]] blocks (CI).
    #[command(
        after_help = "Everything check reports goes to stdout in the chosen format.\n\nExit status: 0 ok, 1 an expectation or a design finding (a limit Azure refuses) failed,\n2 the scenario is invalid.\n\nExamples:\n  ersim check scenarios/seed-multi-hub-expressroute.toml\n  ersim check --output junit scenario.toml > ersim-junit.xml"
    )]
    Check(CheckArgs),
    /// Every VNet to every VNet: delivered both ways or not, with drop reasons and a summary per hub.
    #[command(
        after_help = "Each VNet is represented by its first NIC (or a synthetic host), a router by an address it\nadvertises. Verdicts are computed per class of sources that forward alike, and printed as\nclasses of pairs with one verdict each; --pairs streams every ordered pair instead.\n\nOutput changed in 0.2: JSON is {vnets, pairs, delivered, classes: [{from, to, pairs,\ndelivered, forward, return}], domains, legend} and CSV has one line per class\n(from,to,pairs,delivered,forward,return; names space-separated); the per-pair CSV is\n--pairs -o csv (from,to,delivered,forward,return), and --pairs -o json is JSON Lines.\n\nIsolation is often intended, so matrix exits 0 unless the input is bad.\n\nExit status: 0 ok, 2 bad input or bad usage (a selector that matches nothing, or a matrix\nover its memory bound, which names the filter that gets under it).\n\nExamples:\n  ersim matrix scenarios/seed-multi-hub-expressroute.toml\n  ersim matrix --from hub:hub00 --include-onprem scenario.toml\n  ersim matrix --pairs -o csv scenario.toml | grep ',false,'"
    )]
    Matrix(MatrixArgs),
    /// What one BGP speaker learns or advertises (gateway, circuit, on-premises router, route
    /// server, NVA), as Azure prints it: one row per instance and BGP path, with next hops as
    /// received, AS paths and weights (rulebook Part M).
    #[command(
        after_help = "The offline counterpart of `az network vnet-gateway list-learned-routes` and\n`list-advertised-routes [--peer]`, `az network routeserver peering list-learned-routes`,\n`az network express-route list-route-tables` (--circuit) and a device's `show ip bgp`\n(--bgp-peer, --onprem). Columns: LocalAddress, Network, NextHop, SourcePeer, Origin, AsPath,\nWeight, and ersim's State (Best, Valid, or Rejected with the reason and rule). JSON is az's\n{\"value\": [...]} with ersim's facts under an `ersim` key per entry.\n\nExit status: 0 ok, 2 bad input (an invalid scenario, an unknown speaker or peer).\n\nExamples:\n  ersim bgp --gateway ergw-hub100 scenarios/seed-multi-hub-expressroute.toml\n  ersim bgp --circuit circuit01 scenarios/seed-multi-hub-expressroute.toml\n  ersim bgp --gateway ergw-hub00 --advertised scenarios/seed-multi-hub-expressroute.toml\n  ersim bgp --gateway ergw-hub00 --advertised --peer 10.2.146.76 -o json scenario.toml\n  ersim bgp --bgp-peer nva1 scenario.toml"
    )]
    Bgp(BgpArgs),
    /// What changes between two designs: effective routes per subnet, VNet pairs (and VNet →
    /// on-premises) that lose or gain reachability, BGP sessions and learned counts, check
    /// findings. With one file and --down: the design without and with the failures.
    #[command(
        after_help = "Elements are matched by name: reordered blocks and keys are no change; a renamed element is
removed and added. Routes show as a unified diff of the portal table per subnet (- before,
+ after); reachability is summarised per pair of domains (--pairs lists each pair with its
drop and rule).

Exit status: 0 no pair lost reachability, 1 a pair did (--fail-on any: anything changed),
2 bad input.

Examples:
  git show origin/main:ersim.toml > base.toml && ersim diff base.toml ersim.toml
  ersim diff --down circuit01 scenarios/seed-multi-hub-expressroute.toml
  ersim diff --down circuit01/primary --pairs scenario.toml
  ersim diff before.toml after.toml -o json"
    )]
    Diff(DiffArgs),
    /// Fail every element of the chosen kinds one at a time: which VNet pairs and on-premises
    /// paths each breaks, the single points of failure ranked, and what breaks nothing.
    #[command(after_help = "Each case removes one element from the validated design (as --down does), propagates, and
compares the matrix (routers as destinations) with the intact estate's, class by class.
Cases run in parallel. Kinds: circuits, links, gateways, instances, connections, peerings,
local_gateways, onprem, route_servers, bgp_peers, firewalls, nvas (default: circuits,
gateways, connections, route_servers, bgp_peers, firewalls). For a CI gate, put
`resilient = true` on a reachability [[expect]] and run ersim check.

Exit status: 0 ok (a single point of failure is a finding to read, not an error), 2 bad input.

Examples:
  ersim resilience scenarios/seed-multi-hub-expressroute.toml
  ersim resilience --kinds circuits,links scenario.toml -o json")]
    Resilience(ResilienceArgs),
    /// Draw the estate (VNets, peerings, gateways, circuits, connections, on-premises routers,
    /// route servers, NVAs, firewalls) as a Graphviz dot graph; dropped sessions are red.
    #[command(
        after_help = "Arrows point from a spoke to the hub whose gateways it uses; dashed peerings are not\nConnected both ways.\n\nExit status: 0 ok, 2 bad input.\n\nExamples:\n  ersim graph scenarios/seed-multi-hub-expressroute.toml > estate.dot\n  ersim graph scenario.toml | dot -Tsvg > estate.svg\n  ersim graph -o mermaid scenario.toml > estate.mmd"
    )]
    Graph(GraphArgs),
    /// Write a synthetic hub-and-spoke estate (a valid scenario within Azure's limits) for
    /// benchmarks and experiments.
    #[command(
        after_help = "Deterministic: the same options give the same file.\n\nExit status: 0 written, 2 options beyond the address plan or Azure's limits.\n\nExamples:\n  ersim synth --hubs 20 --spokes-per-hub 400 --circuits 4 --onprem-prefixes 1000 > estate.toml\n  ersim check estate.toml"
    )]
    Synth(SynthArgs),
    /// Write a commented starter scenario (default ./ersim.toml, which every command then reads
    /// when no scenario is given). Never overwrites a file.
    #[command(
        after_help = "Templates:\n  hub-spoke-expressroute  a hub with an ExpressRoute gateway, two spokes, one circuit (default)\n  vpn                     a hub with a site-to-site VPN gateway (BGP) to a branch, one spoke\n  route-server-nva        a hub with Route Server and an NVA advertising a default route\n\nExit status: 0 written, 2 the file exists or the template is unknown.\n\nExamples:\n  ersim init && ersim check\n  ersim init --template vpn --out branch.toml"
    )]
    Init(InitArgs),
    /// Compare ersim's prediction with what Azure shows: a NIC's effective routes, a gateway's
    /// learned routes.
    #[command(
        after_help = "Each FILE (or each .json file of a directory) is `az network nic show-effective-route-table -o json`\n(named <nic>.json, or any name with --nic) or `az network vnet-gateway list-learned-routes -o json`\n(named <gateway>.learned.json); other files in a directory are skipped. Rows are compared as\n(source, state, prefix, next hop type, next hop) after splitting ECMP and multi-prefix entries;\nevery mismatch says where ersim's row comes from and the rule. Service endpoints, service tags\nand connected groups are reported as not modelled, not as mismatches.\n\nExit status: 0 everything matches, 1 a mismatch, 2 bad input.\n\nExamples:\n  ersim compare estate.toml --actual export/\n  ersim compare estate.toml --actual routes.json --nic nic-app -o junit > compare-junit.xml"
    )]
    Compare(CompareArgs),
    /// Turn a running Azure estate into a scenario: Resource Graph pages, az CLI list outputs and
    /// runtime outputs (effective routes, learned routes, MSEE route tables) in, a commented
    /// scenario out.
    #[command(
        after_help = "FILE is a JSON file or a directory of them (scripts/export-azure.sh writes one): Resource\nGraph pages ({\"data\": [...]}), az list outputs (JSON arrays), `az network nic\nshow-effective-route-table` outputs (<nic>.json: a circuit's MSEE next hops), `az network\nvnet-gateway list-learned-routes` (<gateway>.learned.json) and `az network express-route\nlist-route-tables` (<circuit>.routetable.json) outputs (on-premises routes), `az network\nrouteserver peering list` and its learned routes (NVA routes). Every block carries its ARM id\nin a comment; what ersim does not model is listed in the header and warned about on stderr.\n\nExit status: 0 imported, 1 imported but the result does not pass ersim's validation (errors on\nstderr), 2 bad input (not JSON, a wrong shape: every error with its file and JSON path) or\n--out exists.\n\nExamples:\n  ersim import export/ --out estate.toml && ersim check estate.toml\n  ersim import resources-page-1.json resources-page-2.json nic-app.json > estate.toml"
    )]
    Import(ImportArgs),
    /// Print the JSON Schema of the scenario format (also docs/ersim.schema.json), for editors with
    /// TOML schema support: a first line `#:schema ./docs/ersim.schema.json` in a scenario enables
    /// completion and checking in taplo / Even Better TOML.
    #[command(after_help = "Exit status: 0.\n\nExamples:\n  ersim schema > ersim.schema.json")]
    Schema,
    /// Print one rule of the rulebook (docs/routing-rules.md, compiled in): what it says, its
    /// standing and its sources.
    #[command(
        after_help = "Every verdict and diagnostic cites rule ids such as [D3, R37]; this prints them offline.\n\nExit status: 0 found, 2 unknown id.\n\nExamples:\n  ersim rule R37\n  ersim rule D4\n  ersim rule \"Part K\""
    )]
    Rule(RuleArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Exit status: 0, 2 an unknown shell.\n\nExamples:\n  ersim completions bash > ~/.local/share/bash-completion/completions/ersim\n  ersim completions zsh > \"${fpath[1]}/_ersim\"\n  ersim completions fish > ~/.config/fish/completions/ersim.fish\n  ersim completions powershell >> $PROFILE"
    )]
    Completions(CompletionsArgs),
}

/// `--down`, shared by the commands that simulate.
#[derive(Args)]
struct DownArgs {
    /// Simulate a failure before propagation (repeatable): a circuit (or CIRCUIT/primary,
    /// /secondary), gateway (an active-active VPN gateway's GATEWAY/1, /2), connection, peering
    /// (A→B one direction, A-B both), route server, bgp_peer (an NVA's session), local gateway,
    /// on-premises router, NIC or VM, or firewall; prefix with circuit:, gateway:, connection:,
    /// peering:, route_server:, bgp_peer:, local_gateway:, onprem:, nic:, vm:, firewall: when a
    /// name is ambiguous.
    #[arg(long = "down", value_name = "[KIND:]NAME[/PART]")]
    down: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    /// A pair that loses reachability.
    Lost,
    /// Any change.
    Any,
}

#[derive(Args)]
struct DiffArgs {
    /// The design before (or the only design, with --down).
    before: PathBuf,
    /// The design after.
    after: Option<PathBuf>,
    #[command(flatten)]
    down: DownArgs,
    /// List every pair that lost or gained reachability, with its drop (text output).
    #[arg(long)]
    pairs: bool,
    /// Which changes exit 1.
    #[arg(long, value_enum, default_value_t = FailOn::Lost)]
    fail_on: FailOn,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = TextJson::Text)]
    output: TextJson,
}

#[derive(Args)]
struct ResilienceArgs {
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Which kinds of element to fail, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    kinds: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = TextJson::Text)]
    output: TextJson,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct InitArgs {
    /// Which starter design.
    #[arg(long, default_value = "hub-spoke-expressroute")]
    template: String,
    /// Where to write it.
    #[arg(long, default_value = "ersim.toml")]
    out: PathBuf,
}

#[derive(Args)]
struct CompareArgs {
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Azure's runtime outputs: files, or directories of .json files.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    actual: Vec<PathBuf>,
    /// The NIC an effective-routes file belongs to (one file; default: its file name).
    #[arg(long, value_name = "NIC")]
    nic: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = CheckFormat::Text)]
    output: CheckFormat,
}

#[derive(Args)]
struct ImportArgs {
    /// Export files, or directories of .json files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the scenario here (never over an existing file) instead of to stdout.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct RuleArgs {
    /// A rule id: R37, D4, M1, Part K (case does not matter).
    id: String,
}

#[derive(Args)]
struct SynthArgs {
    /// Hubs (one region and one ExpressRoute gateway each).
    #[arg(long, default_value_t = 4)]
    hubs: usize,
    /// Spokes per hub (gateway transit, one NIC each).
    #[arg(long, default_value_t = 10)]
    spokes_per_hub: usize,
    /// Premium circuits (raised when needed so no circuit links more than 100 VNets).
    #[arg(long, default_value_t = 2)]
    circuits: usize,
    /// Prefixes each on-premises router (one per circuit) advertises.
    #[arg(long, default_value_t = 100)]
    onprem_prefixes: usize,
    /// allow_remote_vnet_traffic on every gateway (hubs learn each other over shared circuits).
    #[arg(long)]
    allow_remote_vnet_traffic: bool,
    /// Seed for the choices of circuits and weights.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Args)]
#[group(id = "speaker", required = true, multiple = false)]
struct BgpSpeakerArgs {
    /// An ExpressRoute or VPN gateway.
    #[arg(long, group = "speaker")]
    gateway: Option<String>,
    /// A circuit (its MSEE).
    #[arg(long, group = "speaker")]
    circuit: Option<String>,
    /// An on-premises router.
    #[arg(long, group = "speaker")]
    onprem: Option<String>,
    /// A route server.
    #[arg(long, group = "speaker")]
    route_server: Option<String>,
    /// An NVA peering with a route server.
    #[arg(long, group = "speaker")]
    bgp_peer: Option<String>,
}

#[derive(Args)]
struct BgpArgs {
    #[command(flatten)]
    speaker: BgpSpeakerArgs,
    /// Show what it learns (the default): originated, accepted and rejected routes.
    #[arg(long, conflicts_with = "advertised")]
    learned: bool,
    /// Show what it advertises on each session, grouped by peer.
    #[arg(long)]
    advertised: bool,
    /// With --advertised: only the session(s) to this peer (a name, an address or a connection).
    #[arg(long, value_name = "NAME|ADDRESS", requires = "advertised")]
    peer: Option<String>,
    #[command(flatten)]
    down: DownArgs,
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = TextJson::Text)]
    output: TextJson,
}

#[derive(Args)]
struct GraphArgs {
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Output format: Graphviz dot, or a Mermaid flowchart (renders in GitHub and Azure DevOps
    /// Markdown without Graphviz).
    #[arg(long, short, value_enum, default_value_t = GraphFormat::Dot)]
    output: GraphFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Args)]
struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

#[derive(Args)]
struct MatrixArgs {
    #[command(flatten)]
    down: DownArgs,
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Output format (with --pairs: text lines, CSV, or JSON Lines).
    #[arg(long, short, value_enum, default_value_t = MatrixFormat::Text)]
    output: MatrixFormat,
    /// Sources: VNet names or globs (`spoke1*`, `vnet:spoke1*`), `hub:NAME` (the hub and every VNet using its gateways), `onprem:NAME`; comma-separated or repeated (default: every VNet).
    #[arg(long, value_name = "SELECTOR")]
    from: Vec<String>,
    /// Destinations, as --from (default: every VNet).
    #[arg(long, value_name = "SELECTOR")]
    to: Vec<String>,
    /// Add every on-premises router as a destination.
    #[arg(long)]
    include_onprem: bool,
    /// Stream every ordered pair instead of the classes of pairs.
    #[arg(long)]
    pairs: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum MatrixFormat {
    Text,
    Json,
    Csv,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    down: DownArgs,
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = CheckFormat::Text)]
    output: CheckFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Junit,
}

#[derive(Args)]
struct ReachArgs {
    /// Where the packet starts.
    from: String,
    /// Where it is going.
    to: String,
    #[command(flatten)]
    down: DownArgs,
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = TextJson::Text)]
    output: TextJson,
}

#[derive(Clone, Copy, ValueEnum)]
enum TextJson {
    Text,
    Json,
}

#[derive(Args)]
struct RoutesArgs {
    /// The NIC whose routes to print.
    #[arg(long, conflicts_with = "subnet", required_unless_present = "subnet")]
    nic: Option<String>,
    /// The subnet (VNET/SUBNET) whose routes to print; GatewaySubnet works too.
    #[arg(long)]
    subnet: Option<String>,
    #[command(flatten)]
    down: DownArgs,
    /// The scenario file (default: $ERSIM_SCENARIO, else ./ersim.toml).
    scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = RoutesFormat::Text)]
    output: RoutesFormat,
    /// One row per route with all its next hops, instead of one row per next hop.
    #[arg(long)]
    merge_next_hops: bool,
    /// Say where every row comes from, and which candidates lost or were filtered, with the rule.
    #[arg(long)]
    explain: bool,
    /// Show which row wins for one destination address, and why.
    #[arg(long, value_name = "IP")]
    destination: Option<std::net::IpAddr>,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoutesFormat {
    Text,
    #[value(alias = "table")]
    Table,
    Json,
    Csv,
}

/// Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM=dumb.
fn use_color(terminal: bool) -> bool {
    terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

fn print_warnings(loaded: &scenario::Loaded) {
    let color = use_color(std::io::stderr().is_terminal());
    let idx = ersim::diag::LineIndex::new(&loaded.source.text);
    let mut err = std::io::stderr().lock();
    for w in loaded.warnings.iter().take(ersim::diag::MAX_RENDERED) {
        let _ = writeln!(err, "{}", w.render_with(&loaded.source.name, &loaded.source.text, &idx, color));
    }
}

/// Load a scenario for a command that answers a question (not `check`): `[[expect]]` problems
/// are warnings, so a stale test block never stops the command.
fn load_answering(arg: Option<PathBuf>) -> Result<scenario::Loaded, Error> {
    let path = scenario_path(arg)?;
    let loaded = scenario::load_with(&path, scenario::Expectations::Warnings)?;
    print_warnings(&loaded);
    Ok(loaded)
}

/// Load a scenario for a command that answers a question, with the `--down` elements failed.
fn load_failed(arg: Option<PathBuf>, down: &[String]) -> Result<app::Failed, Error> {
    let path = scenario_path(arg)?;
    let loaded = scenario::load_with(&path, scenario::Expectations::Warnings)?;
    let failed = app::fail(loaded, down)?;
    print_warnings(&failed.loaded);
    Ok(failed)
}

/// Load with `--down` applied and simulate.
fn load(arg: Option<PathBuf>, down: &[String]) -> Result<(Simulation, app::Failed), Error> {
    let failed = load_failed(arg, down)?;
    Ok((Simulation::new(failed.loaded.model.clone())?, failed))
}

/// Whose shape an output has, for saying which elements were down.
#[derive(Clone, Copy)]
enum Shape {
    /// Text: a `down:` first line.
    Text,
    /// ersim's own JSON: a `down` key.
    Own,
    /// A shape that is someone else's (az JSON, CSV, JUnit): the line goes to stderr.
    Foreign,
}

fn with_down(down: &[String], shape: Shape, out: String) -> String {
    match shape {
        Shape::Text => report::down::text(down, out),
        Shape::Own => report::down::json(down, out),
        Shape::Foreign => {
            eprint!("{}", report::down::line(down));
            out
        }
    }
}

fn routes(a: RoutesArgs) -> Result<(String, u8), Error> {
    let (sim, failed) = load(a.scenario, &a.down.down)?;
    let named = |name: &str, e: ersim::resolve::ResolveError| {
        failed.name_error(name, Error::from(e)).in_file(&failed.loaded.source.name)
    };
    let table = match (&a.nic, &a.subnet) {
        (Some(n), _) => sim.nic_table(ersim::resolve::nic(&sim.model, n).map_err(|e| named(n, e))?),
        (None, Some(s)) => sim.table(ersim::resolve::subnet(&sim.model, s).map_err(|e| named(s, e))?),
        (None, None) => unreachable!("clap requires one"),
    };
    let format = match a.output {
        RoutesFormat::Text | RoutesFormat::Table => Format::Text,
        RoutesFormat::Json => Format::Json,
        RoutesFormat::Csv => Format::Csv,
    };
    let opts = report::routes::Options { format, merge_next_hops: a.merge_next_hops };
    let shape = match format {
        Format::Text => Shape::Text,
        // `--destination`'s JSON is ersim's own; the table's is az's.
        Format::Json if a.destination.is_some() => Shape::Own,
        Format::Json | Format::Csv => Shape::Foreign,
    };
    let out = match a.destination {
        Some(ip) => report::routes::destination_as(&sim.model, &table, ip, opts),
        None => report::routes::render_with(&sim, &table, opts, a.explain),
    };
    Ok((with_down(&failed.down, shape, out), 0))
}

fn reach(a: ReachArgs) -> Result<(String, u8), Error> {
    let loaded = load_answering(a.scenario)?;
    let r = app::reach_down(&loaded, &a.from, &a.to, &a.down.down).map_err(|e| e.in_file(&loaded.source.name))?;
    let out = match a.output {
        TextJson::Text => with_down(&r.down, Shape::Text, report::reach::text(&r.model, &r.reach)),
        TextJson::Json => with_down(&r.down, Shape::Own, report::reach::json(&r.model, &r.reach)),
    };
    Ok((out, r.reach.exit_code()))
}

fn check(a: CheckArgs) -> Result<(String, u8), Error> {
    let path = scenario_path(a.scenario)?;
    let (r, labels) = app::check_path_down(&path, &a.down.down)?;
    let out = match a.output {
        CheckFormat::Text => {
            with_down(&labels, Shape::Text, report::check::text_colored(&r, use_color(std::io::stdout().is_terminal())))
        }
        CheckFormat::Json => with_down(&labels, Shape::Own, report::check::json(&r)),
        CheckFormat::Junit => with_down(&labels, Shape::Foreign, report::check::junit(&r)),
    };
    Ok((out, r.exit_code()))
}

/// A progress bar on stderr for work longer than about a second: only on a terminal, never with
/// `--quiet`, without colour (the template has none).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: std::time::Instant,
    enabled: bool,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress { bar: None, started: std::time::Instant::now(), enabled: !quiet && std::io::stderr().is_terminal() }
    }

    fn update(&mut self, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= std::time::Duration::from_secs(1) && done < total {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} destinations, {eta} left")
                    .expect("constant template")
                    .progress_chars("=> "),
            );
            bar.set_message("matrix");
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn matrix(a: MatrixArgs) -> Result<(String, u8), Error> {
    let (sim, failed) = load(a.scenario, &a.down.down)?;
    let sel =
        ersim::matrix::Selection { from: a.from, to: a.to, include_onprem: a.include_onprem, ..Default::default() };
    let mut progress = Progress::new(a.quiet);
    let mx = ersim::matrix::compute(&sim, &sel, &mut |done, total| progress.update(done, total));
    progress.finish();
    let mx = mx?;
    // Written as produced: the output can be far larger than memory should hold. What is down
    // goes first in text, as a key in ersim's JSON, on stderr for CSV and JSON Lines.
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let down = &failed.down;
    let text_down = |w: &mut dyn Write| w.write_all(report::down::line(down).as_bytes());
    let written = match (a.pairs, a.output) {
        (true, MatrixFormat::Text) => {
            text_down(&mut w).and_then(|_| report::matrix::write_pairs(&mx, report::matrix::PairsFormat::Text, &mut w))
        }
        (true, MatrixFormat::Csv) => {
            eprint!("{}", report::down::line(down));
            report::matrix::write_pairs(&mx, report::matrix::PairsFormat::Csv, &mut w)
        }
        (true, MatrixFormat::Json) => {
            eprint!("{}", report::down::line(down));
            report::matrix::write_pairs(&mx, report::matrix::PairsFormat::JsonLines, &mut w)
        }
        (false, MatrixFormat::Text) => text_down(&mut w).and_then(|_| report::matrix::write_text(&sim, &mx, &mut w)),
        (false, MatrixFormat::Json) => report::matrix::write_json(&sim, &mx, down, &mut w),
        (false, MatrixFormat::Csv) => {
            eprint!("{}", report::down::line(down));
            report::matrix::write_csv(&mx, &mut w)
        }
    };
    match written.and_then(|_| w.flush()) {
        Ok(()) => Ok((String::new(), 0)),
        // Piped into `head`: stop quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok((String::new(), 0)),
        Err(e) => Err(Error::Usage { message: format!("cannot write output: {e}") }),
    }
}

fn diff(a: DiffArgs) -> Result<(String, u8), Error> {
    let d = app::diff(&a.before, a.after.as_deref(), &a.down.down)?;
    let sides = report::diff::Sides { before: &d.before, after: &d.after };
    let out = match a.output {
        TextJson::Text => report::diff::text(sides, &d.diff, &d.down, a.pairs),
        TextJson::Json => report::diff::json(sides, &d.diff, &d.down),
    };
    let fail_on = match a.fail_on {
        FailOn::Lost => ersim::diff::FailOn::Lost,
        FailOn::Any => ersim::diff::FailOn::Any,
    };
    Ok((out, d.diff.exit_code(fail_on)))
}

fn resilience(a: ResilienceArgs) -> Result<(String, u8), Error> {
    let mut kinds = Vec::new();
    for k in &a.kinds {
        match ersim::resilience::Kind::parse(k.trim()) {
            Some(kind) => kinds.push(kind),
            None => {
                let all: Vec<&str> = ersim::resilience::Kind::ALL.iter().map(|k| k.name()).collect();
                return Err(Error::Usage {
                    message: format!("unknown kind `{k}` in --kinds; kinds: {}", all.join(", ")),
                });
            }
        }
    }
    if kinds.is_empty() {
        kinds = ersim::resilience::Kind::DEFAULT.to_vec();
    }
    let (sim, _) = load(a.scenario, &[])?;
    let progress = std::sync::Mutex::new(Progress::new(a.quiet));
    let sweep = ersim::resilience::sweep(&sim, &kinds, &|done, total| {
        if let Ok(mut p) = progress.lock() {
            p.update(done, total);
        }
    });
    if let Ok(mut p) = progress.lock() {
        p.finish();
    }
    let sweep = sweep?;
    let out = match a.output {
        TextJson::Text => report::resilience::text(&sweep),
        TextJson::Json => report::resilience::json(&sweep),
    };
    Ok((out, 0))
}

fn graph(a: GraphArgs) -> Result<(String, u8), Error> {
    let (sim, _) = load(a.scenario, &[])?;
    let out = match a.output {
        GraphFormat::Dot => report::graph::dot(&sim),
        GraphFormat::Mermaid => report::graph::mermaid(&sim),
    };
    Ok((out, 0))
}

fn completions(a: CompletionsArgs) -> Result<(String, u8), Error> {
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut <Cli as clap::CommandFactory>::command(), "ersim", &mut buf);
    Ok((String::from_utf8_lossy(&buf).into_owned(), 0))
}

fn bgp(a: BgpArgs) -> Result<(String, u8), Error> {
    let (sim, failed) = load(a.scenario, &a.down.down)?;
    let sp = &a.speaker;
    let asked = [&sp.gateway, &sp.circuit, &sp.onprem, &sp.route_server, &sp.bgp_peer]
        .into_iter()
        .find_map(|n| n.clone())
        .unwrap_or_default();
    let speaker = app::speaker(
        &sim,
        app::SpeakerName {
            gateway: sp.gateway.as_deref(),
            circuit: sp.circuit.as_deref(),
            onprem: sp.onprem.as_deref(),
            route_server: sp.route_server.as_deref(),
            bgp_peer: sp.bgp_peer.as_deref(),
        },
    )
    .map_err(|e| failed.name_error(&asked, e).in_file(&failed.loaded.source.name))?;
    let which = if a.advertised { report::bgp::View::Advertised } else { report::bgp::View::Learned };
    let mut view = report::bgp::view(&sim, speaker, which);
    if let Some(p) = &a.peer {
        view = view.narrow_to_peer(&sim.model, p).map_err(|e| {
            let mut message = format!("`{}` has no BGP session to `{}`", e.speaker, e.wanted);
            if !e.suggestions.is_empty() {
                let s: Vec<String> = e.suggestions.iter().map(|x| format!("`{x}`")).collect();
                message.push_str(&format!("; did you mean {}?", s.join(" or ")));
            }
            if !e.peers.is_empty() {
                message.push_str(&format!(" (its peers: {})", e.peers.join(", ")));
            }
            Error::Usage { message }
        })?;
    }
    let out = match a.output {
        TextJson::Text => with_down(&failed.down, Shape::Text, report::bgp::text(&sim, &view)),
        TextJson::Json => with_down(&failed.down, Shape::Foreign, report::bgp::json(&sim, &view)),
    };
    Ok((out, 0))
}

fn init(a: InitArgs) -> Result<(String, u8), Error> {
    let msg = app::init(&a.template, &a.out)?;
    Ok((format!("{msg}\n"), 0))
}

fn compare(a: CompareArgs) -> Result<(String, u8), Error> {
    let path = scenario_path(a.scenario)?;
    let loaded = scenario::load(&path)?;
    print_warnings(&loaded);
    let c = app::compare(&loaded, &a.actual, a.nic.as_deref())?;
    let out = match a.output {
        CheckFormat::Text => report::compare::text(&c),
        CheckFormat::Json => report::compare::json(&c),
        CheckFormat::Junit => report::compare::junit(&c),
    };
    Ok((out, c.exit_code()))
}

fn import(a: ImportArgs) -> Result<(String, u8), Error> {
    let r = app::import(&a.files, a.out.as_deref())?;
    let mut err = std::io::stderr().lock();
    for w in &r.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    let code = if let Some(invalid) = &r.invalid {
        let _ = write!(err, "{invalid}");
        let _ = writeln!(err, "error: the imported scenario does not pass validation (see above); it is written as is");
        1
    } else {
        0
    };
    match &a.out {
        Some(out) => Ok((format!("wrote {}; next: ersim check {}\n", out.display(), out.display()), code)),
        None => Ok((r.text, code)),
    }
}

fn rule(a: RuleArgs) -> Result<(String, u8), Error> {
    let mut text = app::rule_text(&a.id)?.to_string();
    text.push('\n');
    Ok((text, 0))
}

fn synth(a: SynthArgs) -> Result<(String, u8), Error> {
    let p = ersim::synth::SynthParams {
        hubs: a.hubs,
        spokes_per_hub: a.spokes_per_hub,
        circuits: a.circuits,
        onprem_prefixes: a.onprem_prefixes,
        allow_remote_vnet_traffic: a.allow_remote_vnet_traffic,
        seed: a.seed,
        ..ersim::synth::SynthParams::default()
    };
    ersim::synth::check_params(&p).map_err(|message| Error::Usage { message: format!("synth: {message}") })?;
    Ok((ersim::synth::generate(&p), 0))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Routes(a) => routes(a),
        Command::Reach(a) => reach(a),
        Command::Check(a) => check(a),
        Command::Matrix(a) => matrix(a),
        Command::Bgp(a) => bgp(a),
        Command::Diff(a) => diff(a),
        Command::Resilience(a) => resilience(a),
        Command::Graph(a) => graph(a),
        Command::Synth(a) => synth(a),
        Command::Init(a) => init(a),
        Command::Import(a) => import(a),
        Command::Compare(a) => compare(a),
        Command::Schema => Ok((ersim::scenario::schema::schema_text(), 0)),
        Command::Rule(a) => rule(a),
        Command::Completions(a) => completions(a),
    };
    match result {
        Ok((out, code)) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()) {
                Ok(()) => ExitCode::from(code),
                // Piped into `head`: stop quietly.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
                Err(e) => {
                    eprintln!("error: cannot write output: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(e) => {
            let text = match &e {
                Error::Load(LoadError::Invalid(inv)) => inv.render_colored(use_color(std::io::stderr().is_terminal())),
                // Messages that carry their own location and severity already.
                Error::Load(LoadError::NotUtf8 { .. })
                | Error::Import(ersim::import::ImportError::Input(_))
                | Error::Compare(ersim::compare::CompareError::Input(ersim::import::ImportError::Input(_))) => {
                    e.to_string()
                }
                _ => format!("error: {e}"),
            };
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{}", text);
            if !text.ends_with('\n') {
                let _ = writeln!(err);
            }
            ExitCode::from(e.exit_code())
        }
    }
}
