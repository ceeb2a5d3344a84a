//! Fixes in words: the summary sentence of each verified fix `reach` offers (text and JSON
//! `fixes[].summary`). The catalogue (`forward::remedy`) says what a fix does as a typed
//! [`Remedy`]; a fix of several candidates joins their sentences with `; and `.

use crate::forward::remedy::{Appliance, TableOn};
use crate::forward::{Fix, Remedy};

fn appliance(a: &Appliance) -> String {
    match a {
        Appliance::Firewall(n) => format!("firewall `{n}`"),
        Appliance::LoadBalancer(n) => format!("load balancer `{n}`"),
        Appliance::Nva(n) => format!("NVA `{n}`"),
        Appliance::NewFirewall(n) => format!("a new firewall `{n}`"),
    }
}

/// Routes put into a subnet's table.
fn routes_in(t: &TableOn) -> String {
    if t.new {
        format!("route table `{}` on {}", t.table, t.subnet)
    } else {
        format!("routes in `{}` (on {})", t.table, t.subnet)
    }
}

/// What one remedy does, in a sentence.
pub fn remedy(r: &Remedy) -> String {
    match r {
        Remedy::AllowRemoteVnetTraffic { gateways } => {
            format!("turn allow_remote_vnet_traffic on for {} (D4)", gateways.join(" and "))
        }
        Remedy::PropagationOn { route_table } => {
            format!("turn gateway route propagation back on in route table `{route_table}` (R31)")
        }
        Remedy::IpForwarding { nic } => format!("turn IP forwarding on for NIC `{nic}`"),
        Remedy::PeeringAccess { from, to } => {
            format!("allow virtual network access on the {from} ↔ {to} peering (D11)")
        }
        Remedy::NvaPropagationOff(t) if t.new => {
            format!("a route table with gateway route propagation off on the NVA subnet {} (D12)", t.subnet)
        }
        Remedy::NvaPropagationOff(t) => {
            format!("turn gateway route propagation off in `{}` on the NVA subnet {} (D12)", t.table, t.subnet)
        }
        Remedy::NvaEgress { prefix, at } => {
            let desc = if at.new {
                format!("route table `{}` on {}", at.table, at.subnet)
            } else {
                format!("a route in `{}`", at.table)
            };
            format!("send {prefix} from the NVA subnet to the Internet: {desc} (D12)")
        }
        Remedy::Repoint { route_table, route, to, ip } => {
            format!("point route `{route}` of `{route_table}` at {} ({ip}), which exists (D17)", appliance(to))
        }
        Remedy::MeetR67 { hub } => format!("meet R67 in {hub}: branch-to-branch, active-active VPN, VPN ASN 65515"),
        Remedy::Peer { a, z } => format!("peer {a} with {z} (peering is not transitive, R37)"),
        Remedy::Through { device, ip, prefix, at } => format!(
            "send {prefix} through {} ({ip}) in the other direction too, so it sees both: {} (D19)",
            appliance(device),
            routes_in(at)
        ),
        Remedy::DefaultSite { gateway, site } => {
            format!("make `{site}` the default site of VPN gateway `{gateway}` (D20)")
        }
        Remedy::HubRoutes { a, z, hub, via, ip, a_side, z_side } => format!(
            "route {a} ↔ {z} through {} ({ip}) in {hub}: {} and {}",
            appliance(via),
            routes_in(a_side),
            routes_in(z_side)
        ),
    }
}

/// What a fix does, in a sentence: its remedies joined by `; and `.
pub fn fix_summary(f: &Fix) -> String {
    f.remedies.iter().map(remedy).collect::<Vec<_>>().join("; and ")
}
