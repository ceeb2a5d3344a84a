//! The resolved model: every block of a valid scenario, names resolved into typed ids and every
//! default applied.
//!
//! Arenas are `Vec`s indexed by small typed ids, assigned in name order (peerings in `from→to`
//! order), so nothing downstream depends on the order of blocks in the file. The engine never
//! looks a name up; names are kept only to print them. Each item keeps the byte span of its block
//! so `check` and fixes can point into the file. [`Model::index`] derives the lookup structures
//! (peerings per VNet, each VNet's gateways and routing domain) once.

mod expectations;
mod gateways;
mod ids;
mod index;
mod network;
mod route_servers;
mod route_tables;

pub use expectations::*;
pub use gateways::*;
pub use ids::*;
pub use index::*;
pub use network::*;
pub use route_servers::*;
pub use route_tables::*;
