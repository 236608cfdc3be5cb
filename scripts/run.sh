#!/usr/bin/env bash
# README command 1: build zooscope for the browser and serve it locally.
#
#   bash scripts/run.sh              serves on http://127.0.0.1:8080/
#   PORT=9000 bash scripts/run.sh    another port
#
# Installs what serving needs first (see scripts/setup.sh). `trunk serve` rebuilds and
# reloads the page when a source file changes. The build is the release build, with the
# same wasm-opt post-build hook as `trunk build` in scripts/test.sh.

set -euo pipefail

# shellcheck source=scripts/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

main() {
    local port="${PORT:-8080}"
    cd "$ZOOSCOPE_ROOT"
    setup_serve
    echo
    echo "zooscope: building, then serving at  http://127.0.0.1:$port/  (Ctrl-C to stop)"
    echo
    exec trunk serve --release --address 127.0.0.1 --port "$port"
}

main "$@"
