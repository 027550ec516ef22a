#!/usr/bin/env bash
# Builds palisade and scans the bundled examples: the insecure app, then the hardened one.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p palisade
echo "== palisade scan examples/insecure"
./target/release/palisade scan examples/insecure || true
echo
echo "== palisade scan examples/hardened"
./target/release/palisade scan examples/hardened
