#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests drive (helm, kubectl), then the
# whole workspace's tests. Conformance and parity rates are printed by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
export PATH="$PWD/.tools/bin:$PATH"
export PALISADE_REQUIRE_TOOLS=1   # tests that need helm/kubectl fail instead of skipping
cargo test --workspace --no-fail-fast
