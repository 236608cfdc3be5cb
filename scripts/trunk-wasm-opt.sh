#!/usr/bin/env bash
# Trunk post_build hook (see Trunk.toml): shrinks the release .wasm with `wasm-opt -Oz`.
#
# Trunk's own wasm-opt step is off because it downloads binaryen, which fails offline. This
# uses a wasm-opt already on PATH or the one scripts/setup.sh put in its cache, and skips
# (with a note) when neither works: an unoptimised bundle is bigger, not broken.

set -euo pipefail

# shellcheck source=scripts/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept
# them in its input, and may then use them in its output.
WASM_FEATURES=(
    --enable-bulk-memory
    --enable-mutable-globals
    --enable-nontrapping-float-to-int
    --enable-sign-ext
    --enable-reference-types
    --enable-multivalue
)

# Extra size passes, each measured on the release bundle (gzip -9 of the .wasm):
# --converge repeats -Oz until it stops shrinking (-0.6 KB); --zero-filled-memory is true
# because the module defines its own memory (wasm-bindgen does not import one) and fresh
# wasm memory is zeroed; --low-memory-unused is true because rustc's wasm32 layout puts the
# 1 MiB stack first, so no data or heap lives below address 1024 (together -1.6 KB).
# --strip-producers drops the toolchain-name custom section (-0.2 KB). Measured and not
# kept: -O4 before -Oz (+1.3 KB), opt-level "s" in Cargo.toml (+45 KB), LLVM
# -inline-threshold=0 (-0.7 KB, not worth a rustflags file).
OPT_PASSES=(
    -Oz
    --converge
    --zero-filled-memory
    --low-memory-unused
    --strip-producers
)

optimise() {
    local wasm_opt="$1" wasm="$2" before after
    before=$(wc -c <"$wasm")
    "$wasm_opt" "${OPT_PASSES[@]}" "${WASM_FEATURES[@]}" "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
    after=$(wc -c <"$wasm")
    echo "wasm-opt ${OPT_PASSES[*]}: $(basename "$wasm") $before -> $after bytes"
}

main() {
    local staging="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}" wasm_opt wasm
    if [[ "${TRUNK_PROFILE:-}" != "release" ]]; then
        return 0
    fi
    wasm_opt="$(wasm_opt_path)"
    if [[ -z "$wasm_opt" ]]; then
        echo "wasm-opt: not available, bundle left unoptimised (bash scripts/setup.sh installs it)"
        return 0
    fi
    shopt -s nullglob
    for wasm in "$staging"/*.wasm; do
        optimise "$wasm_opt" "$wasm"
    done
}

main "$@"
