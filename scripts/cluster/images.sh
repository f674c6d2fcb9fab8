#!/usr/bin/env bash
# Build OCI image archives without docker and import them into the cluster's
# containerd (namespace k8s.io).
#   images.sh [--no-import] [<app-dir>]
# Always builds the pause image ($PAUSE_IMAGE) from pause/pause.c.
# With <app-dir> (a folder of .mjs files, copied to /app) also builds
#   $APP_IMAGE          node + its shared libs + dash as /bin/sh + busybox sleep etc. + /app
#   $APP_NOSHELL_IMAGE  the same without /bin/sh and sleep (distroless case)
#   $APP_SH_ENTRYPOINT_IMAGE  the first with ENTRYPOINT ["/bin/sh","-c","node /app/app.mjs drain"]
# Archives go to $LAMEDUCK_CACHE/images/. Import needs up.sh's containerd
# (socket $LAMEDUCK_CLUSTER_DIR/containerd/containerd.sock).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

: "${APP_IMAGE:=lameduck.local/node-app:1}"
: "${APP_SH_ENTRYPOINT_IMAGE:=lameduck.local/node-app-sh-entrypoint:1}"
: "${APP_NOSHELL_IMAGE:=gcr.io/distroless/nodejs20-debian12:lameduck}"  # named as the image it stands in for
IMG_DIR="$LAMEDUCK_CACHE/images"
CONTAINERD_SOCK="$LAMEDUCK_CLUSTER_DIR/containerd/containerd.sock"

do_import=1
app_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-import) do_import=0 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$app_dir" ] || die "only one app dir"; app_dir=$1 ;;
  esac
  shift
done
if [ -n "$app_dir" ]; then
  [ -d "$app_dir" ] || die "app dir $app_dir is not a directory"
  app_dir="$(cd "$app_dir" && pwd)"
fi

mkdir -p "$IMG_DIR"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lameduck-images.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# oci_archive NAME ROOTFS OUT ENTRYPOINT_JSON CMD_JSON WORKDIR
# Writes an OCI image layout tarball with a single uncompressed layer.
oci_archive() {
  local name=$1 rootfs=$2 out=$3 entry=$4 cmd=$5 workdir=$6
  local lay; lay="$(mktemp -d "$WORK/layout.XXXXXX")"
  mkdir -p "$lay/blobs/sha256"
  tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 \
    -C "$rootfs" -cf "$lay/layer.tar" .
  local lsha lsize; lsha=$(sha "$lay/layer.tar"); lsize=$(size "$lay/layer.tar")
  mv "$lay/layer.tar" "$lay/blobs/sha256/$lsha"
  printf '%s' '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",'\
'"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],'\
'"Entrypoint":'"$entry"',"Cmd":'"$cmd"',"WorkingDir":"'"$workdir"'"},'\
'"rootfs":{"type":"layers","diff_ids":["sha256:'"$lsha"'"]},'\
'"history":[{"created":"1970-01-01T00:00:00Z","created_by":"lameduck scripts/cluster/images.sh"}]}' \
    > "$lay/config.json"
  local csha csize; csha=$(sha "$lay/config.json"); csize=$(size "$lay/config.json")
  mv "$lay/config.json" "$lay/blobs/sha256/$csha"
  printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'\
'"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'"$csha"'","size":'"$csize"'},'\
'"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:'"$lsha"'","size":'"$lsize"'}]}' \
    > "$lay/manifest.json"
  local msha msize; msha=$(sha "$lay/manifest.json"); msize=$(size "$lay/manifest.json")
  mv "$lay/manifest.json" "$lay/blobs/sha256/$msha"
  printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{'\
'"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:'"$msha"'","size":'"$msize"','\
'"platform":{"architecture":"amd64","os":"linux"},'\
'"annotations":{"io.containerd.image.name":"'"$name"'","org.opencontainers.image.ref.name":"'"${name##*:}"'"}}]}' \
    > "$lay/index.json"
  printf '%s' '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
  tar --numeric-owner --owner=0 --group=0 -C "$lay" -cf "$out.tmp" oci-layout index.json blobs
  mv "$out.tmp" "$out"
  rm -rf "$lay"
  log "built $name -> $out ($(du -h "$out" | cut -f1), layer sha256:${lsha:0:12})"
}

# copy_with_parents SRC ROOTFS: copy SRC (symlinks resolved) to ROOTFS/SRC.
copy_in() {
  local src=$1 root=$2
  mkdir -p "$root$(dirname "$src")"
  cp -L "$src" "$root$src"
}

base_rootfs() { # base_rootfs DIR
  local r=$1
  mkdir -p "$r"/{etc,tmp,proc,sys,dev,run,var/tmp}
  chmod 1777 "$r/tmp" "$r/var/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
}

build_pause() {
  local tag=${PAUSE_IMAGE##*:} out="$IMG_DIR/pause-${PAUSE_IMAGE##*:}.tar"
  if [ -f "$out" ] && [ "$out" -nt "$HERE/pause/pause.c" ]; then
    log "pause image archive cached: $out"; echo "$out"; return
  fi
  command -v gcc >/dev/null || die "gcc missing (run build.sh --packages)"
  local r="$WORK/pause-rootfs"
  mkdir -p "$r"
  gcc -Os -Wall -static -DVERSION="lameduck-$tag" -o "$r/pause" "$HERE/pause/pause.c"
  strip "$r/pause" 2>/dev/null || true
  oci_archive "$PAUSE_IMAGE" "$r" "$out" '["/pause"]' 'null' '/'
  echo "$out"
}

build_app() { # build_app NAME WITH_SHELL OUT [ENTRYPOINT_JSON CMD_JSON]
  local name=$1 with_shell=$2 out=$3 entry=${4:-'["/usr/bin/node"]'} cmd=${5:-'["/app/app.mjs"]'}
  local r="$WORK/app-rootfs-$with_shell"
  base_rootfs "$r"
  local node; node="$(readlink -f "$(command -v node)")" || die "node not found"
  mkdir -p "$r/usr/bin"
  cp "$node" "$r/usr/bin/node"
  # shared libraries and the dynamic loader, at the paths ldd reports
  local lib
  while read -r lib; do
    [ -n "$lib" ] && copy_in "$lib" "$r"
  done < <(ldd "$node" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' | sort -u)
  if [ "$with_shell" = 1 ]; then
    local bb; bb="$(command -v busybox || true)"
    if [ -z "$bb" ] || ! file_is_static "$bb"; then die "busybox-static missing (run build.sh --packages)"; fi
    mkdir -p "$r/bin"
    cp "$bb" "$r/bin/busybox"
    local a
    for a in sleep cat echo ls ps kill env true false date; do ln -s busybox "$r/bin/$a"; done
    # /bin/sh is Debian's dash, as in the official node images (Debian): whether `sh -c "node app"`
    # execs node or stays PID 1 depends on which shell it is, and dash is what users run.
    cp "$(readlink -f /bin/dash)" "$r/bin/dash"
    ln -s dash "$r/bin/sh"
  fi
  mkdir -p "$r/app"
  cp -a "$app_dir/." "$r/app/"
  oci_archive "$name" "$r" "$out" "$entry" "$cmd" '/app'
  echo "$out"
}

file_is_static() { ! ldd "$1" >/dev/null 2>&1; }

import_archive() { # import_archive TAR
  log "importing $(basename "$1") into containerd (k8s.io)"
  ctr --address "$CONTAINERD_SOCK" -n k8s.io images import "$1" >/dev/null
}

archives=()
archives+=("$(build_pause)")
if [ -n "$app_dir" ]; then
  archives+=("$(build_app "$APP_IMAGE" 1 "$IMG_DIR/node-app.tar")")
  archives+=("$(build_app "$APP_NOSHELL_IMAGE" 0 "$IMG_DIR/node-app-noshell.tar")")
  # The guide's `sh -c` entrypoint: ENTRYPOINT ["/bin/sh", "-c", "node /app/app.mjs drain"], no exec.
  archives+=("$(build_app "$APP_SH_ENTRYPOINT_IMAGE" 1 "$IMG_DIR/node-app-sh-entrypoint.tar" \
    '["/bin/sh","-c","node /app/app.mjs drain"]' '[]')")
fi

if [ "$do_import" = 1 ]; then
  [ -S "$CONTAINERD_SOCK" ] || die "containerd socket $CONTAINERD_SOCK not found: run up.sh first (or pass --no-import)"
  for a in "${archives[@]}"; do import_archive "$a"; done
  ctr --address "$CONTAINERD_SOCK" -n k8s.io images ls -q | grep -E "^(${PAUSE_IMAGE//./\\.}|lameduck\.local/|gcr\.io/distroless/)" | sed 's/^/cluster:   image /' >&2 || true
fi
log "images done"
