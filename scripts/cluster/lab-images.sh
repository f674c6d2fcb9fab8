#!/usr/bin/env bash
# The test apps' images: examples/lab/app.mjs with the built runtime library as
# node_modules/@lameduck/node, in $APP_IMAGE (with sh and sleep) and $APP_NOSHELL_IMAGE (without),
# imported into the cluster's containerd. Run after up.sh and npm run build.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
[ -f "$ROOT/packages/node/dist/index.js" ] || { echo "cluster: run npm run build first" >&2; exit 1; }
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/lameduck-lab-app.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/node_modules/@lameduck/node"
cp "$ROOT/examples/lab/app.mjs" "$STAGE/"
cp -r "$ROOT/packages/node/package.json" "$ROOT/packages/node/dist" "$STAGE/node_modules/@lameduck/node/"
"$HERE/images.sh" "$STAGE"
