#!/bin/sh
# Builds the package and runs the end-to-end tests (Tests/NumbersIntegrationTests): real
# numbers-server and numbers-client processes over loopback UDP.
#
# The kernel-loss test needs root, iproute2 (`ip netns`) and iptables (Debian's package; the test
# uses whichever of iptables / iptables-legacy / iptables-nft can add its rule in a namespace).
# Without them it is skipped with the reason, unless CI=true, where it fails instead.
#
#   scripts/integration-tests.sh                 # uses .build
#   SCRATCH_PATH=.build-integ scripts/integration-tests.sh
#   CI=true scripts/integration-tests.sh         # kernel-loss test must run
set -eu
cd "$(dirname "$0")/.."
scratch=${SCRATCH_PATH:-.build}

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! command -v iptables >/dev/null 2>&1; then
    echo "note: the kernel-loss test needs root, ip (iproute2) and iptables; on Debian: apt-get install -y iproute2 iptables" >&2
fi

# The tests start the executables from the build folder, so build them first.
swift build --scratch-path "$scratch"
exec swift test --scratch-path "$scratch" --filter NumbersIntegrationTests
