#!/usr/bin/env bash
# Take down what up.sh started and undo its host changes. Idempotent: safe to
# run twice, or without a previous up.sh.
#   down.sh          # stop + clean; keeps $LAMEDUCK_CLUSTER_DIR (logs, pki, image store)
#   down.sh --purge  # also delete $LAMEDUCK_CLUSTER_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
need_root

purge=0
case "${1:-}" in --purge) purge=1 ;; "") ;; *) die "usage: $0 [--purge]" ;; esac

DIR=$LAMEDUCK_CLUSTER_DIR
PIDS=$DIR/pids STATE=$DIR/state
CONTAINERD_SOCK=$DIR/containerd/containerd.sock
T0=$(date +%s)
log "taking down the cluster in $DIR"

# stop GRACE NAME...: TERM all, wait up to GRACE seconds, then KILL (by PID file only)
stop() {
  local grace=$1; shift
  local name pid pids=() names=() i alive t0
  t0=$(date +%s.%N)
  for name in "$@"; do
    [ -f "$PIDS/$name.pid" ] || continue
    pid=$(cat "$PIDS/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$name")
    fi
  done
  if [ "${#pids[@]}" -gt 0 ]; then
    log "stopping ${names[*]}"
    for i in $(seq $((grace * 10))); do
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 1 ] || break
      sleep 0.1
    done
    for i in "${!pids[@]}"; do
      if kill -0 "${pids[$i]}" 2>/dev/null; then
        log "  ${names[$i]} did not exit after ${grace}s: SIGKILL"
        kill -KILL "${pids[$i]}" 2>/dev/null || true
      fi
    done
    for i in $(seq 50); do
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 1 ] || break
      sleep 0.1
    done
    log "  stopped after $(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')s"
  fi
  for name in "$@"; do rm -f "$PIDS/$name.pid"; done
}

# 1. control loops first, so nothing recreates pods while we remove them
stop 10 kube-proxy kubelet kube-scheduler kube-controller-manager

# 2. pods and containers, while containerd still runs
if [ -S "$CONTAINERD_SOCK" ] && ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; then
  CRICTL=""
  for c in "$K8S_BIN/crictl" "$(command -v crictl || true)"; do [ -n "$c" ] && [ -x "$c" ] && { CRICTL=$c; break; }; done
  if [ -n "$CRICTL" ]; then
    cri() { "$CRICTL" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 20s "$@"; }
    pods=$(cri pods -q 2>/dev/null || true)
    if [ -n "$pods" ]; then
      log "removing $(wc -w <<<"$pods") pod sandboxes (crictl)"
      for p in $pods; do cri stopp "$p" >/dev/null 2>&1 || true; cri rmp -f "$p" >/dev/null 2>&1 || true; done
    fi
  fi
  ctrk() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }
  tasks=$(ctrk tasks ls -q 2>/dev/null || true)
  if [ -n "$tasks" ]; then
    log "killing $(wc -w <<<"$tasks") containerd tasks"
    for t in $tasks; do ctrk tasks kill -a -s SIGKILL "$t" >/dev/null 2>&1 || true; done
    sleep 0.5
    for t in $tasks; do ctrk tasks delete -f "$t" >/dev/null 2>&1 || true; done
  fi
  ctrs=$(ctrk containers ls -q 2>/dev/null || true)
  if [ -n "$ctrs" ]; then
    log "deleting $(wc -w <<<"$ctrs") containerd containers"
    # shellcheck disable=SC2086
    ctrk containers delete $ctrs >/dev/null 2>&1 || true
  fi
fi

# 3. runtime and store
stop 15 containerd kube-apiserver
stop 10 etcd

# shims belonging to our containerd (matched by our socket path, killed by pid)
for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK( |\$)" || true); do
  log "killing leftover shim pid $pid"; kill -KILL "$pid" 2>/dev/null || true
done

# 4. mounts under the cluster dir, pod network namespaces (deepest first)
umount_under() { # umount every mount point below $1, deepest first
  local mp
  awk -v p="$1/" 'index($2, p) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r mp; do
    mp=$(printf '%b' "$mp")   # /proc/mounts escapes spaces as \040
    umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || log "warning: could not unmount $mp"
  done
}
if [ -d "$DIR" ]; then umount_under "$DIR"; fi
for ns in /run/netns/cni-* /var/run/netns/cni-*; do
  [ -e "$ns" ] || continue
  umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null || true
  rm -f "$ns"
done

# 5. iptables: KUBE-* (kube-proxy, kubelet), CNI-* (CNI plugins), LAMEDUCK-* (ours)
clean_iptables() { # clean_iptables iptables|ip6tables
  local ipt=$1 table rule chain
  command -v "$ipt" >/dev/null || return 0
  for table in filter nat mangle raw; do
    "$ipt" -w -t "$table" -S >/dev/null 2>&1 || continue
    # rules in other (built-in) chains that jump to our chains
    local rules
    rules=$("$ipt" -w -t "$table" -S | grep -E -- '-j (KUBE-|CNI-|LAMEDUCK-)' \
      | grep -Ev '^-A (KUBE-|CNI-|LAMEDUCK-)' | grep -E '^-A ' || true)
    while read -r rule; do
      [ -n "$rule" ] || continue
      # shellcheck disable=SC2086
      eval "$ipt -w -t $table ${rule/#-A/-D}" 2>/dev/null || true
    done <<<"$rules"
    for chain in $("$ipt" -w -t "$table" -S | sed -n 's/^-N \(\(KUBE\|CNI\|LAMEDUCK\)-[^ ]*\)$/\1/p'); do
      "$ipt" -w -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$ipt" -w -t "$table" -S | sed -n 's/^-N \(\(KUBE\|CNI\|LAMEDUCK\)-[^ ]*\)$/\1/p'); do
      "$ipt" -w -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}
clean_iptables iptables
clean_iptables ip6tables
if command -v nft >/dev/null; then
  # kube-proxy (nftables mode cleanup) may leave tables named kube-proxy
  for fam in ip ip6 inet; do nft delete table "$fam" kube-proxy 2>/dev/null || true; done
  # iptables-nft tables that did not exist before up.sh: delete them if now empty
  while read -r fam; do
    [ -n "$fam" ] || continue
    save=iptables-save; [ "$fam" = ip6 ] && save=ip6tables-save
    if [ -z "$($save 2>/dev/null | grep -Ev '^(#|\*|COMMIT$|:[A-Z]+ ACCEPT )' || true)" ]; then
      for t in $($save 2>/dev/null | sed -n 's/^\*//p'); do nft delete table "$fam" "$t" 2>/dev/null || true; done
    else
      log "warning: $fam iptables tables still hold rules; left in place"
    fi
  done < <(cat "$STATE/nft-families-absent" 2>/dev/null || true)
  rm -f "$STATE/nft-families-absent"
fi

# 6. links, routes, conntrack, sysctls
for dev in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  master=$(ip -o link show "$dev" | sed -n 's/.* master \([^ ]*\) .*/\1/p')
  [ "$master" = "$CNI_BRIDGE" ] && ip link del "$dev" 2>/dev/null || true
done
for dev in "$CNI_BRIDGE" "$NODE_IFACE"; do
  if ip link show "$dev" >/dev/null 2>&1; then log "deleting link $dev"; ip link del "$dev"; fi
done
for cidr in $(cat "$STATE/blackholes" 2>/dev/null) "$POD_CIDR" "$SERVICE_CIDR"; do
  while [ -n "$(ip route show exact "$cidr" type blackhole)" ]; do
    log "deleting blackhole route $cidr"; ip route del blackhole "$cidr"
  done
done
rm -f "$STATE/blackholes"
if command -v conntrack >/dev/null; then
  for cidr in "$POD_CIDR" "$SERVICE_CIDR"; do
    conntrack -D -s "$cidr" >/dev/null 2>&1 || true
    conntrack -D -d "$cidr" >/dev/null 2>&1 || true
  done
fi
if [ -f "$STATE/sysctl.orig" ]; then
  while IFS='=' read -r key val; do
    path=/proc/sys/${key//.//}
    [ -e "$path" ] && echo "$val" > "$path" 2>/dev/null && log "restored $key=$val"
  done < "$STATE/sysctl.orig"
  rm -f "$STATE/sysctl.orig"
fi

# 7. kubelet cgroups (cgroupfs driver, cgroup v1): remove kubepods trees, deepest first
for hier in /sys/fs/cgroup/*/; do
  [ -d "${hier}kubepods" ] || [ -d "${hier}kubepods.slice" ] || continue
  find "${hier}kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done
left_cg=$(find /sys/fs/cgroup/*/kubepods -maxdepth 0 -type d 2>/dev/null || true)
[ -z "$left_cg" ] || log "warning: cgroups still present: $left_cg"

# kubelet's /var/log/containers symlinks into our pod-logs (if that dir pre-existed)
if [ -d /var/log/containers ]; then
  for l in /var/log/containers/*.log; do
    [ -L "$l" ] && case "$(readlink "$l")" in "$DIR"/*) rm -f "$l" ;; esac
  done
fi

# 8. host paths that did not exist before up.sh
if [ -f "$STATE/created-paths" ]; then
  while read -r p; do
    [ -n "$p" ] && [ -e "$p" ] || continue
    if grep -q " $p" /proc/self/mounts; then log "warning: $p has mounts, left in place"; continue; fi
    rm -rf "$p" && log "removed $p"
  done < "$STATE/created-paths"
  rm -f "$STATE/created-paths"
fi

# 9. runtime leftovers in the cluster dir (keeps logs, pki and the image store)
rm -rf "$DIR/cni/ipam" "$DIR/containerd/state" "$DIR/containerd/runc" "$DIR/etcd" \
  "$DIR/kubelet/pods" "$DIR/pod-logs" 2>/dev/null || true
if [ "$purge" = 1 ] && [ -d "$DIR" ]; then
  umount_under "$DIR"
  rm -rf "$DIR" && log "purged $DIR"
fi

# 10. report anything still around
left=""
for c in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy; do
  [ -f "$PIDS/$c.pid" ] && kill -0 "$(cat "$PIDS/$c.pid")" 2>/dev/null && left+=" $c"
done
[ -z "$left" ] || log "warning: still running:$left"
log "down in $(( $(date +%s) - T0 ))s"
