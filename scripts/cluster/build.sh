#!/usr/bin/env bash
# Install the Debian packages the local cluster needs and build the Kubernetes
# and etcd binaries from the Go module proxy (no release downloads).
#   build.sh            # packages + binaries (skips what is already cached)
#   build.sh --packages # packages only
#   build.sh --binaries # binaries only
# Binaries land in $LAMEDUCK_CACHE/kubernetes-$K8S_VERSION/bin and
# $LAMEDUCK_CACHE/etcd-$ETCD_VERSION/bin (default ~/.cache/lameduck).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

DEB_PACKAGES=(containerd runc containernetworking-plugins conntrack iptables
  openssl iproute2 nftables gcc libc6-dev busybox-static curl ca-certificates util-linux procps)
K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

do_packages=1 do_binaries=1
case "${1:-}" in
  --packages) do_binaries=0 ;;
  --binaries) do_packages=0 ;;
  "") ;;
  *) die "usage: $0 [--packages|--binaries]" ;;
esac

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
export CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
SRC="$LAMEDUCK_CACHE/src"

timed() { # timed LABEL cmd...
  local label=$1 t0 rc=0; shift
  t0=$(date +%s)
  "$@" || rc=$?
  if [ "$rc" = 0 ]; then log "$label took $(( $(date +%s) - t0 ))s"; else log "$label FAILED after $(( $(date +%s) - t0 ))s (rc=$rc)"; fi
  return "$rc"
}

build_k8s() {
  local missing=() c
  for c in "${K8S_CMDS[@]}"; do [ -x "$K8S_BIN/$c" ] || missing+=("$c"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "kubernetes $K8S_VERSION binaries cached in $K8S_BIN"; return 0
  fi
  command -v go >/dev/null || die "go not found"
  local staging_ver="v0${K8S_VERSION#v1}"   # v1.34.4 -> v0.34.4
  local mod="$SRC/k8s-$K8S_VERSION"
  mkdir -p "$mod" "$K8S_BIN"
  if [ ! -f "$mod/.ready" ]; then
    log "preparing wrapper module $mod (k8s.io/kubernetes $K8S_VERSION, staging $staging_ver)"
    rm -f "$mod/go.mod" "$mod/go.sum"
    ( cd "$mod"
      go mod init local/k8s >/dev/null 2>&1
      local gomodfile; gomodfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$K8S_VERSION.mod"
      go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null
      local staging; staging=$(sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/src/.*|\1|p' "$gomodfile")
      [ -n "$staging" ] || die "no staging modules found in $gomodfile"
      local args=() m
      for m in $staging; do args+=("-replace=$m=$m@$staging_ver"); done
      go mod edit "${args[@]}"
      log "replaced $(wc -w <<<"$staging") staging modules with $staging_ver"
      local pkgs=() c
      for c in "${K8S_CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c@$K8S_VERSION"); done
      timed "go get (kubernetes module graph)" go get "${pkgs[@]}"
    )
    touch "$mod/.ready"
  fi
  local ver=$K8S_VERSION major minor date ld=""
  major=${ver#v}; major=${major%%.*}
  minor=${ver#v*.}; minor=${minor%%.*}
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$ver -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld+=" -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  for c in "${missing[@]}"; do
    log "building $c $K8S_VERSION"
    ( cd "$mod" && timed "build $c" go build -p 2 -trimpath -ldflags "-s -w$ld" -o "$K8S_BIN/.$c.tmp" "k8s.io/kubernetes/cmd/$c" )
    mv "$K8S_BIN/.$c.tmp" "$K8S_BIN/$c"
  done
  "$K8S_BIN/kubectl" version --client 2>/dev/null | sed 's/^/cluster:   /' >&2 || true
}

build_crictl() { # crictl (sigs.k8s.io/cri-tools) for down.sh and debugging; optional
  if [ -x "$K8S_BIN/crictl" ]; then log "crictl $CRICTL_VERSION cached in $K8S_BIN"; return 0; fi
  mkdir -p "$K8S_BIN"
  local gobin; gobin="$(mktemp -d "$SRC/crictl.XXXXXX")"
  if ( cd "$SRC" && GOFLAGS="" GOBIN="$gobin" timed "build crictl" go install -trimpath \
        -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
        "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" ); then
    mv "$gobin/crictl" "$K8S_BIN/crictl"
  else
    log "warning: crictl build failed (optional; down.sh falls back to ctr)"
  fi
  rm -rf "$gobin"
}

build_etcd() {
  if [ -x "$ETCD_BIN/etcd" ]; then log "etcd $ETCD_VERSION cached in $ETCD_BIN"; return 0; fi
  local mod="$SRC/etcd-$ETCD_VERSION"
  mkdir -p "$mod" "$ETCD_BIN"
  ( cd "$mod"
    [ -f go.mod ] || go mod init local/etcd >/dev/null 2>&1
    timed "go get (etcd module graph)" go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    timed "build etcd" go build -p 2 -trimpath \
      -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
      -o "$ETCD_BIN/.etcd.tmp" go.etcd.io/etcd/server/v3 )
  mv "$ETCD_BIN/.etcd.tmp" "$ETCD_BIN/etcd"
  "$ETCD_BIN/etcd" --version | sed 's/^/cluster:   /' >&2
}

t_all=$(date +%s)
if [ "$do_packages" = 1 ]; then
  need_root
  apt_ensure "${DEB_PACKAGES[@]}"
  log "Debian packages present: ${DEB_PACKAGES[*]}"
fi
if [ "$do_binaries" = 1 ]; then
  build_etcd
  build_k8s
  build_crictl
fi
log "build.sh done in $(( $(date +%s) - t_all ))s"
