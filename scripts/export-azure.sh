#!/usr/bin/env bash
# Export a running Azure estate into one folder that `ersim import` and `ersim compare` read.
#
#   scripts/export-azure.sh --out export [--subscription ID]... [--nic RG/NAME]... \
#       [--gateway RG/NAME]... [--circuit RG/NAME]... [--route-server RG/NAME]...
#
# Writes, with the az CLI (logged in, with the resource-graph extension):
#   resources-page-N.json             Resource Graph pages of every resource ersim reads
#                                     (`az graph query`, 1,000 per page, following the skip token)
#   <nic>.json                        `az network nic show-effective-route-table` (a running VM's NIC)
#   <gateway>.learned.json            `az network vnet-gateway list-learned-routes`
#   <circuit>.routetable.primary.json `az network express-route list-route-tables` (private
#   <circuit>.routetable.secondary.json  peering; what on-premises advertises, with AS paths)
#   <routeserver>.peerings.json       `az network routeserver peering list`
#   <routeserver>.<peer>.rs-learned.json  `az network routeserver peering list-learned-routes`
#
# Then:  ersim import export --out estate.toml && ersim check estate.toml
#        ersim compare estate.toml --actual export
#
# Exit status: 0 exported, 2 bad arguments; any az failure stops the script with az's status.
set -euo pipefail

usage() {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
}

out=""
page_size=1000
subscriptions=()
nics=()
gateways=()
circuits=()
route_servers=()

while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --subscription) subscriptions+=("${2:?--subscription needs an id}"); shift 2 ;;
        --nic) nics+=("${2:?--nic needs RG/NAME}"); shift 2 ;;
        --gateway) gateways+=("${2:?--gateway needs RG/NAME}"); shift 2 ;;
        --circuit) circuits+=("${2:?--circuit needs RG/NAME}"); shift 2 ;;
        --route-server) route_servers+=("${2:?--route-server needs RG/NAME}"); shift 2 ;;
        --page-size) page_size="${2:?--page-size needs a number}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "export-azure.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [[ -z "$out" ]]; then
    echo "export-azure.sh: --out DIR is required" >&2
    usage >&2
    exit 2
fi
if ! command -v az > /dev/null; then
    echo "export-azure.sh: the az CLI is not on PATH" >&2
    exit 2
fi
mkdir -p "$out"

# RG/NAME → the two parts, refusing anything else.
split() {
    local spec="$1"
    if [[ "$spec" != */* || "${spec%%/*}" == "" || "${spec#*/}" == "" || "${spec#*/}" == */* ]]; then
        echo "export-azure.sh: expected RESOURCE_GROUP/NAME, got '$spec'" >&2
        exit 2
    fi
    rg="${spec%%/*}"
    name="${spec#*/}"
}

# The skip token of a Resource Graph page (empty when it is the last page). az prints
# `"skip_token": "..."` (or `"skipToken"` in some versions); no JSON tool is needed.
skip_token() {
    grep -oE '"skip_?[tT]oken"[[:space:]]*:[[:space:]]*"[^"]*"' "$1" | tail -n 1 | sed -E 's/.*:[[:space:]]*"([^"]*)"/\1/' || true
}

QUERY="Resources | where type in~ ('microsoft.network/virtualnetworks', 'microsoft.network/virtualnetworkgateways', 'microsoft.network/connections', 'microsoft.network/localnetworkgateways', 'microsoft.network/expressroutecircuits', 'microsoft.network/routetables', 'microsoft.network/networkinterfaces', 'microsoft.network/virtualhubs', 'microsoft.network/azurefirewalls', 'microsoft.network/loadbalancers', 'microsoft.network/publicipaddresses') | project id, name, type, location, subscriptionId, resourceGroup, sku, properties | order by id asc"

page=1
token=""
while :; do
    file="$out/resources-page-$page.json"
    args=(graph query -q "$QUERY" --first "$page_size" -o json)
    if [[ ${#subscriptions[@]} -gt 0 ]]; then
        args+=(--subscriptions "${subscriptions[@]}")
    fi
    if [[ -n "$token" ]]; then
        args+=(--skip-token "$token")
    fi
    az "${args[@]}" > "$file"
    echo "wrote $file" >&2
    token="$(skip_token "$file")"
    if [[ -z "$token" ]]; then
        break
    fi
    page=$((page + 1))
done

for spec in ${nics[@]+"${nics[@]}"}; do
    split "$spec"
    az network nic show-effective-route-table -g "$rg" -n "$name" -o json > "$out/$name.json"
    echo "wrote $out/$name.json" >&2
done

for spec in ${gateways[@]+"${gateways[@]}"}; do
    split "$spec"
    az network vnet-gateway list-learned-routes -g "$rg" -n "$name" -o json > "$out/$name.learned.json"
    echo "wrote $out/$name.learned.json" >&2
done

for spec in ${circuits[@]+"${circuits[@]}"}; do
    split "$spec"
    for path in primary secondary; do
        az network express-route list-route-tables -g "$rg" -n "$name" --peering-name AzurePrivatePeering \
            --path "$path" -o json > "$out/$name.routetable.$path.json"
        echo "wrote $out/$name.routetable.$path.json" >&2
    done
done

for spec in ${route_servers[@]+"${route_servers[@]}"}; do
    split "$spec"
    az network routeserver peering list -g "$rg" --routeserver "$name" -o json > "$out/$name.peerings.json"
    echo "wrote $out/$name.peerings.json" >&2
    while IFS= read -r peer; do
        peer="${peer%$'\r'}"
        [[ -z "$peer" ]] && continue
        az network routeserver peering list-learned-routes -g "$rg" --routeserver "$name" -n "$peer" -o json \
            > "$out/$name.$peer.rs-learned.json"
        echo "wrote $out/$name.$peer.rs-learned.json" >&2
    done < <(az network routeserver peering list -g "$rg" --routeserver "$name" --query "[].name" -o tsv)
done

echo "next: ersim import $out --out estate.toml && ersim check estate.toml && ersim compare estate.toml --actual $out" >&2
