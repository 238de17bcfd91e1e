#!/usr/bin/env bash
# The cost of -trace and -pcap: a full-speed transfer of 10,000,000 numbers on loopback
# (numbers-server -interval 0 -batch 294), both sides writing, against the same without.
# Prints the median wall time of RUNS runs per mode. Needs a release build:
#   swift build -c release --product numbers-server && swift build -c release --product numbers-client
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release
runs=${RUNS:-7}
port=${PORT:-9341}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for mode in none trace pcap; do
    times=()
    for _ in $(seq "$runs"); do
        case $mode in
            none) server=(); client=() ;;
            trace) server=(-trace "$dir/server.jsonl"); client=(-trace "$dir/client.jsonl") ;;
            pcap) server=(-pcap "$dir/server.pcap"); client=(-pcap "$dir/client.pcap") ;;
        esac
        "$bin/numbers-server" -port "$port" -interval 0 -batch 294 -quiet "${server[@]}" >/dev/null &
        pid=$!
        sleep 0.3
        start=$(date +%s%N)
        "$bin/numbers-client" -port "$port" -n 10000000 "${client[@]}" | grep -qx PASS
        end=$(date +%s%N)
        kill -INT "$pid"; wait "$pid"
        times+=($(( (end - start) / 1000000 )))
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    echo "$mode: median ${sorted[$((runs / 2))]} ms of $runs runs (${times[*]} ms); files: $(ls -s --block-size=K "$dir" | tr '\n' ' ')"
    rm -f "$dir"/*
done
