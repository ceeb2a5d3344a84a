//! Effective routes: the table of one subnet, exactly as Azure's Effective routes blade shows it.
//!
//! A table belongs to a subnet and is shared by its NICs (R1): it is built once per subnet, on
//! first use, from the subnet's own rows (system rows R13–R16 and D3, peering rows R35, user rows
//! R27–R29) layered over the subnet's routing domain (the gateway rows, R47), which is shared by
//! every subnet of the domain and never copied. State follows D5 (default-route effects), D6
//! (same-prefix precedence) and D7 (the install filter); row order follows D10. `system` builds the
//! Default rows; `table` holds the layered table, its materialised rows and its longest-prefix
//! lookup.

pub mod explain;
pub mod system;
pub mod table;

use std::net::IpAddr;

use ipnet::IpNet;

pub use table::{Hit, SubnetTable};

use crate::model::*;

/// Where a row comes from, as the portal's Source column says (R5, D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteSource {
    /// A system route.
    Default,
    /// A route-table route.
    User,
    /// Learned by a gateway or route server (ER, VPN BGP or static, Route Server).
    VirtualNetworkGateway,
}

impl RouteSource {
    /// API spelling.
    pub fn api(self) -> &'static str {
        match self {
            RouteSource::Default => "Default",
            RouteSource::User => "User",
            RouteSource::VirtualNetworkGateway => "VirtualNetworkGateway",
        }
    }

    /// Portal spelling.
    pub fn portal(self) -> &'static str {
        match self {
            RouteSource::Default => "Default",
            RouteSource::User => "User",
            RouteSource::VirtualNetworkGateway => "Virtual network gateway",
        }
    }

    /// D6 precedence class: User > gateway > Default.
    pub fn class(self) -> u8 {
        match self {
            RouteSource::Default => 0,
            RouteSource::VirtualNetworkGateway => 1,
            RouteSource::User => 2,
        }
    }
}

/// What put a row into the table (for `--explain`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowOrigin {
    /// The VNet's own address space (index in `address_space`).
    AddressSpace(usize),
    /// A Connected peering.
    Peering(PeeringId),
    /// The system Internet route.
    Internet,
    /// A reserved None prefix (D3).
    Reserved,
    /// A route of the subnet's route table (index in its routes).
    Udr(RouteTableId, usize),
    /// A route of the subnet's domain (index into the domain's routes).
    Gateway(u32),
}

/// Rows with several next hops as one row per next hop (D2), unless merging (`--merge-next-hops`).
pub fn split_next_hops(rows: &[Row], merge: bool) -> Vec<Row> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if merge || r.next_hop_ips.len() <= 1 {
            out.push(r.clone());
        } else {
            for ip in &r.next_hop_ips {
                out.push(Row { next_hop_ips: vec![*ip], ..r.clone() });
            }
        }
    }
    out
}

/// One effective route. A row with several next hops renders as several rows (D2) unless merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Source column.
    pub source: RouteSource,
    /// State column.
    pub state: RouteState,
    /// Address prefix.
    pub prefix: IpNet,
    /// Next hop type.
    pub next_hop_type: NextHopType,
    /// Next hop addresses, ascending (empty when none).
    pub next_hop_ips: Vec<IpAddr>,
    /// User Defined Route Name (user rows only).
    pub udr_name: Option<String>,
    /// Where it came from.
    pub origin: RowOrigin,
}

impl Row {
    /// D10 sort key: (family, group, within-group order).
    pub fn order_key(&self) -> (u8, u8, (u8, u128, u8), u128) {
        let fam = matches!(self.prefix, IpNet::V6(_)) as u8;
        let addr = |p: &IpNet| -> u128 {
            match p.network() {
                IpAddr::V4(a) => u32::from(a) as u128,
                IpAddr::V6(a) => u128::from(a),
            }
        };
        let pk = (0u8, addr(&self.prefix), self.prefix.prefix_len());
        let ip = self.next_hop_ips.first().map(|i| match i {
            IpAddr::V4(a) => u32::from(*a) as u128,
            IpAddr::V6(a) => u128::from(*a),
        });
        match (self.source, self.next_hop_type, self.origin) {
            (RouteSource::User, _, RowOrigin::Udr(_, i)) => (fam, 6, (0, i as u128, 0), 0),
            (RouteSource::VirtualNetworkGateway, _, _) => (fam, 3, pk, ip.unwrap_or(0)),
            (_, NextHopType::VnetLocal, RowOrigin::AddressSpace(i)) => (fam, 1, (0, i as u128, 0), 0),
            (_, NextHopType::VNetPeering, _) => (fam, 2, pk, 0),
            (_, NextHopType::Internet, _) => (fam, 4, pk, 0),
            (_, NextHopType::None, _) => (fam, 5, (self.prefix.prefix_len(), addr(&self.prefix), 0), 0),
            (_, NextHopType::VNetGlobalPeering, _) => (fam, 7, pk, 0),
            _ => (fam, 8, pk, ip.unwrap_or(0)),
        }
    }
}
