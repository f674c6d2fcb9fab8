#!/usr/bin/env bash
# Builds the renderers lint runs on what users write, from the Go module proxy (no release downloads):
# helm (Helm charts) and kustomize (kustomizations), at pinned versions, into a cache outside the
# repository. Skips a tool already built. Prints the bin directory on stdout.
#   scripts/tools/build.sh            # both
#   scripts/tools/build.sh helm       # one
# Versions: the newest whose go.mod this machine's Go (1.26) accepts when written.
set -euo pipefail
: "${LAMEDUCK_CACHE:=$HOME/.cache/lameduck}"
: "${HELM_VERSION:=v3.22.0}"
: "${KUSTOMIZE_VERSION:=v5.8.2}"
BIN="$LAMEDUCK_CACHE/tools/bin"
log() { printf 'tools: %s\n' "$*" >&2; }

build() { # build NAME VERSION MODULE PACKAGE LDFLAGS
  local name=$1 version=$2 module=$3 package=$4 ldflags=$5
  local target="$BIN/$name-$version"
  if [ -x "$target" ]; then ln -sf "$name-$version" "$BIN/$name"; return 0; fi
  command -v go > /dev/null || { log "go is not installed: cannot build $name"; return 1; }
  local work="$LAMEDUCK_CACHE/tools/src/$name-$version" t0
  mkdir -p "$work" "$BIN"
  t0=$(date +%s)
  log "building $name $version from $module (once; cached in $BIN)"
  ( cd "$work"
    [ -f go.mod ] || go mod init "local/$name" > /dev/null 2>&1
    GOFLAGS=-mod=mod go get "$module@$version" > /dev/null 2>&1 || GOFLAGS=-mod=mod go get "$module@$version"
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -p 2 -trimpath -ldflags "-s -w $ldflags" -o "$target.tmp" "$package" )
  mv "$target.tmp" "$target"
  ln -sf "$name-$version" "$BIN/$name"
  log "built $name $version in $(( $(date +%s) - t0 )) s"
}

export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
wanted=("$@"); [ ${#wanted[@]} -eq 0 ] && wanted=(helm kustomize)
for tool in "${wanted[@]}"; do
  case "$tool" in
    helm) build helm "$HELM_VERSION" helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm \
      "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" ;;
    kustomize) build kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 \
      sigs.k8s.io/kustomize/kustomize/v5 "-X sigs.k8s.io/kustomize/api/provenance.version=$KUSTOMIZE_VERSION" ;;
    *) log "unknown tool $tool (helm, kustomize)"; exit 2 ;;
  esac
done
echo "$BIN"
