#!/usr/bin/env bash
# Installs the tools zooscope's scripts need, skipping whatever is already there.
#
# Meant for a fresh Debian 12 machine with rustup, run as root (or with sudo). Quiet unless
# it installs something: then it prints one line per tool. Logs of installs go to
# $ZOOSCOPE_CACHE/logs and are shown only if an install fails.
#
#   bash scripts/setup.sh            everything (what scripts/test.sh needs)
#   bash scripts/setup.sh serve      only what scripts/run.sh needs
#   source scripts/setup.sh          define the functions below without running anything
#
# What it installs, and where:
#   - the Rust target wasm32-unknown-unknown, and rustfmt + clippy   (rustup)
#   - trunk $TRUNK_VERSION                                           (cargo install)
#   - wasm-bindgen-cli, the exact version in Cargo.lock              (cargo install)
#   - wasm-opt from the npm package binaryen, into $TOOLS_DIR        (npm; optional)
#   - node + npm if missing, chromium + chromium-driver              (apt-get)
#   - playwright-core for the browser tests, into tests/browser/node_modules (npm ci)

set -euo pipefail

ZOOSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZOOSCOPE_CACHE="${ZOOSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zooscope}"
TOOLS_DIR="$ZOOSCOPE_CACHE/tools"
LOG_DIR="$ZOOSCOPE_CACHE/logs"

TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# Nothing below may wait for a person.
export DEBIAN_FRONTEND=noninteractive
export CARGO_TERM_PROGRESS_WHEN=never
export NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NPM_CONFIG_UPDATE_NOTIFIER=false
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export TRUNK_SKIP_VERSION_CHECK=true
export PATH="$HOME/.cargo/bin:$PATH"

say() { echo "setup: $*"; }
die() {
    echo "setup: error: $*" >&2
    exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# Runs a command as root: directly if we are root, through sudo if it is there.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif have sudo; then
        sudo --preserve-env=DEBIAN_FRONTEND "$@"
    else
        die "'$*' needs root and sudo is not installed; run this script as root"
    fi
}

# install_quietly NAME COMMAND...: announces NAME in one line, runs COMMAND with its output
# in a log file, and shows the end of that log if it fails.
install_quietly() {
    local name="$1"
    shift
    local log="$LOG_DIR/${name//[^A-Za-z0-9._-]/_}.log"
    mkdir -p "$LOG_DIR"
    say "installing $name"
    if ! "$@" >"$log" 2>&1; then
        echo "setup: installing $name failed; last lines of $log:" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
}

# The version of a package in Cargo.lock, e.g. `locked_version wasm-bindgen`.
locked_version() {
    awk -v name="$1" '
        $0 == "name = \"" name "\"" { found = 1; next }
        found && /^version = / { gsub(/"/, "", $3); print $3; exit }
    ' "$ZOOSCOPE_ROOT/Cargo.lock"
}

# --- Rust ---------------------------------------------------------------------------------

ensure_wasm_target() {
    have rustup || die "rustup is required (https://rustup.rs)"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        install_quietly "Rust target wasm32-unknown-unknown" \
            rustup target add wasm32-unknown-unknown
    fi
}

ensure_rust_lint_tools() {
    cargo fmt --version >/dev/null 2>&1 ||
        install_quietly "rustfmt" rustup component add rustfmt
    cargo clippy --version >/dev/null 2>&1 ||
        install_quietly "clippy" rustup component add clippy
}

ensure_trunk() {
    if [[ "$(trunk --version 2>/dev/null)" == "trunk 0.21."* ]]; then
        return 0
    fi
    install_quietly "trunk $TRUNK_VERSION (cargo install, several minutes)" \
        cargo install --locked trunk --version "$TRUNK_VERSION"
}

# wasm-bindgen-cli must match the wasm-bindgen library exactly, so the version comes from
# Cargo.lock. Trunk.toml pins the same version; a mismatch is reported here rather than
# letting Trunk try (and, offline, fail) to download another one.
ensure_wasm_bindgen() {
    local version pinned
    version="$(locked_version wasm-bindgen)"
    [[ -n "$version" ]] || die "no wasm-bindgen in Cargo.lock"
    pinned="$(sed -n 's/^wasm_bindgen *= *"\(.*\)"/\1/p' "$ZOOSCOPE_ROOT/Trunk.toml")"
    [[ "$pinned" == "$version" ]] ||
        die "Trunk.toml pins wasm_bindgen = \"$pinned\" but Cargo.lock has $version; make them equal"
    if [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $version"* ]]; then
        return 0
    fi
    # No --locked: wasm-bindgen-cli's own lock file does not build with current toolchains.
    install_quietly "wasm-bindgen-cli $version (cargo install, a few minutes)" \
        cargo install wasm-bindgen-cli --version "$version"
}

# --- Node, wasm-opt, Chromium -------------------------------------------------------------

apt_install() {
    install_quietly "$*" \
        as_root bash -c "apt-get update -qq && apt-get install -y -qq $*"
}

ensure_node() {
    have node && have npm && return 0
    apt_install nodejs npm
}

# Prints the path of a working wasm-opt (one on PATH first, then ours), or nothing.
wasm_opt_path() {
    local candidate
    for candidate in "$(command -v wasm-opt || true)" "$TOOLS_DIR/node_modules/.bin/wasm-opt"; do
        if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" --version >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
}

# wasm-opt only makes the bundle smaller, so failing to get one is a warning, not an error.
ensure_wasm_opt() {
    [[ -n "$(wasm_opt_path)" ]] && return 0
    if ! have npm; then
        say "warning: npm not found, so no wasm-opt; the bundle will not be optimised"
        return 0
    fi
    mkdir -p "$TOOLS_DIR"
    if ! install_quietly "wasm-opt (npm binaryen@$BINARYEN_VERSION)" \
        npm install --no-save --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION" ||
        [[ -z "$(wasm_opt_path)" ]]; then
        say "warning: wasm-opt does not work here; the bundle will not be optimised"
    fi
}

ensure_chromium() {
    [[ -x "$CHROMIUM" ]] && return 0
    apt_install chromium chromium-driver
}

# playwright-core drives the system Chromium; it never downloads a browser.
ensure_browser_test_deps() {
    local dir="$ZOOSCOPE_ROOT/tests/browser" wanted installed
    wanted="$(node -p "require('$dir/package-lock.json').packages['node_modules/playwright-core'].version")"
    installed="$(node -p "require('$dir/node_modules/playwright-core/package.json').version" 2>/dev/null || true)"
    [[ "$installed" == "$wanted" ]] && return 0
    install_quietly "playwright-core $wanted (npm ci)" npm ci --prefix "$dir" --no-audit --no-fund
}

# --- entry points -------------------------------------------------------------------------

# What scripts/run.sh needs to build and serve the page.
setup_serve() {
    ensure_wasm_target
    ensure_trunk
    ensure_wasm_bindgen
    ensure_wasm_opt
}

# What scripts/test.sh needs: everything.
setup_all() {
    ensure_rust_lint_tools
    ensure_node
    setup_serve
    ensure_chromium
    ensure_browser_test_deps
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    case "${1:-all}" in
    serve) setup_serve ;;
    all) setup_all ;;
    *) die "usage: bash scripts/setup.sh [all|serve]" ;;
    esac
fi
