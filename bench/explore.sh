#!/usr/bin/env bash
# The graph explorer at scale, in Debian's headless Chromium: `govgraph generate --scale N` into
# a new SQLite file, `govgraph serve` on a free port of 127.0.0.1, and bench/explore/explore.js
# (puppeteer-core, from bench/explore/package-lock.json) opening /explore with a view whose
# expansions draw at least NODES nodes. It measures the time until the page is ready, the frames
# per second while ForceAtlas2 runs and while the camera pans and zooms, long tasks, and the time
# from clicking a node to its side panel. Any request the page makes elsewhere than 127.0.0.1 is
# aborted and counted (and fails the run). Prints a Markdown table.
#
#   bench/explore.sh                                # scale 2, 5,000 nodes drawn, 5 s windows
#   NODES=2000 DURATION=10 bench/explore.sh
#   ASSETS=api/assets/explore bench/explore.sh      # the page's files from the work tree
#   GOVGRAPH=/path/to/govgraph bench/explore.sh     # measure another build
#   SCALE=1 NODES=200 DURATION=1 bench/explore.sh   # the smoke run: well under a minute
#
# ASSETS answers /explore and its files from a directory instead of the server, so that a
# change to the explorer's source (scripts/build-explore.sh) is measured without rebuilding
# govgraph. Every figure depends on the machine's graphics: see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE="${SCALE:-2}"
NODES="${NODES:-5000}"
DURATION="${DURATION:-5}"
CHROMIUM="${CHROMIUM:-/usr/lib/chromium/chromium-headless-shell}"
WORK="$(mktemp -d)"
. bench/lib.sh

cleanup() {
    stop_govgraph
    rm -rf "$WORK"
}
trap cleanup EXIT

need=()
command -v curl >/dev/null || need+=(curl)
command -v npm >/dev/null || need+=(npm)
[ -x "$CHROMIUM" ] || need+=(chromium-headless-shell)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi
[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM: set CHROMIUM" >&2; exit 1; }
if [ -n "${ASSETS:-}" ]; then
    [ -f "$ASSETS/index.html" ] || { echo "ASSETS=$ASSETS holds no index.html" >&2; exit 1; }
    ASSETS=$(realpath "$ASSETS")
fi

(cd bench/explore && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
govgraph_build

# A port of 127.0.0.1 that nothing listens on, unless PORT names one.
PORT="${PORT:-$(node -e "const s = require('net').createServer();
    s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });")}"

say "scale ${SCALE} into a new SQLite file"
RUST_LOG=warn "$GOVGRAPH" generate --scale "$SCALE" \
    --database-url "sqlite://$WORK/govgraph.db?mode=rwc" >&2
start_govgraph "sqlite://$WORK/govgraph.db?mode=rwc"
say "govgraph on 127.0.0.1:${PORT}, Chromium $("$CHROMIUM" --version 2>/dev/null | awk '{ print $2 }')"

# Bounded: the page gets 2 minutes for each state it waits for, the whole run 10.
BASE="http://127.0.0.1:${PORT}" NODES="$NODES" DURATION="$DURATION" CHROMIUM="$CHROMIUM" \
    ASSETS="${ASSETS:-}" timeout 600 node bench/explore/explore.js
