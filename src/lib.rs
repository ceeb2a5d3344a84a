//! ersim: an offline route-propagation simulator for Azure network designs.
//!
//! A scenario (TOML, see `scenario-format.md`) describes VNets, peerings, gateways, circuits,
//! on-premises routers, route servers, NVAs and route tables. ersim validates it into a
//! [`model::Model`], propagates routes between the BGP speakers to a fixed point ([`bgp`]), folds
//! them per routing domain, and builds each subnet's effective routes ([`effective`]) exactly as the
//! portal's Effective routes blade would show them. [`report`] renders tables, JSON in the
//! `az network nic show-effective-route-table` shape, and CSV.
//!
//! Data flows one way: text → raw scenario → resolved model → propagation → per-subnet tables →
//! reports. Every routing rule cites its id in `docs/routing-rules.md`.
//!
//! ```no_run
//! let loaded = ersim::scenario::load(std::path::Path::new("scenarios/seed-multi-hub-expressroute.toml"))?;
//! let sim = ersim::Simulation::new(loaded.model)?;
//! let nic = sim.model.nic_by_name("nic-spoke10").unwrap();
//! for row in sim.nic_table(nic).rows() {
//!     println!("{} {}", row.prefix, row.next_hop_type.portal());
//! }
//! # Ok::<(), ersim::Error>(())
//! ```

pub mod app;
pub mod bgp;
pub mod check;
pub mod compare;
pub mod diag;
pub mod diff;
pub mod down;
pub mod effective;
pub mod forward;
pub mod import;
pub mod limits;
pub mod matrix;
pub mod model;
pub mod net;
pub mod report;
pub mod resilience;
pub mod resolve;
pub mod rules;
pub mod scenario;
pub mod simulation;
pub mod synth;
pub mod topology;

pub use app::Error;
pub use simulation::Simulation;
