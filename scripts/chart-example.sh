#!/usr/bin/env bash
# Regenerates docs/chart-lossy.svg, the README's time–sequence chart: a real server and client
# on loopback with the simulator on both sides, traced, then drawn by numbers-chart.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build >/dev/null
bin=.build/debug
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
port=${PORT:-9352}
"$bin/numbers-server" -port "$port" -interval 1ms -batch 20 -dropRate 0.08 -failEvery 150 -goOfflineFor 300ms \
    -lossSeed 3 -quiet -trace "$dir/server.jsonl" >/dev/null &
pid=$!
sleep 0.5
"$bin/numbers-client" -port "$port" -n 4000 -dropRate 0.05 -lossSeed 4 -trace "$dir/client.jsonl" | tail -n 1
kill -INT "$pid"; wait "$pid"
"$bin/numbers-chart" -o docs/chart-lossy.svg \
    -title "n = 4,000 at 1 ms/datagram: 8% loss server to client, 5% back, a 300 ms outage every 150 server datagrams" \
    "$dir/server.jsonl" "$dir/client.jsonl"
