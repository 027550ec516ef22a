#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests drive (helm, kubectl), then the
# whole workspace's tests, then prints the conformance and parity rates.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
export PATH="$PWD/.tools/bin:$PATH"
export PALISADE_REQUIRE_TOOLS=1   # tests that need helm/kubectl fail instead of skipping
cargo test --workspace --no-fail-fast
# The conformance suites again (already built, a few seconds) with their output, so the pass
# rates appear in the log; `cargo test` hides what passing tests print.
echo "== conformance and parity rates"
cargo test -q --workspace --test conformance --test gatekeeper_library --test cel_spec --test parity \
    -- --nocapture 2>&1 | grep -E '^[0-9]+ passed|gatekeeper-library|cel-spec|^## .*agree' \
    | sed -e 's/^\([0-9]* passed\)/Pod Security Standards conformance: \1/' -e 's/^\.//'
