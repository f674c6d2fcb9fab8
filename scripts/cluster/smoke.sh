#!/usr/bin/env bash
# End-to-end smoke test: up -> app image -> Deployment(2) + NodePort Service ->
# curl via 127.0.0.1:<nodePort> and pod IPs -> delete a pod, watch preStop,
# SIGTERM and EndpointSlice updates -> down -> check nothing is left.
# Assumes build.sh has run. SMOKE_KEEP=1 leaves the cluster up on failure.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
need_root

: "${SMOKE_APP_DIR:=$HERE/testapp}"
: "${SMOKE_NODE_PORT:=30080}"
: "${SMOKE_NS:=lameduck-smoke}"
DIR=$LAMEDUCK_CLUSTER_DIR
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lameduck-smoke.XXXXXX")"
passed=0 failed=0 bg_pids=()
ok()  { passed=$((passed + 1)); log "PASS: $*"; }
bad() { failed=$((failed + 1)); log "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

cleanup() {
  local rc=$?
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "${downed:-0}" != 1 ]; then
    if [ "${SMOKE_KEEP:-0}" = 1 ]; then log "SMOKE_KEEP=1: cluster left up ($DIR)"; else "$HERE/down.sh" || true; fi
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

T0=$(date +%s)
fwd0=$(cat /proc/sys/net/ipv4/ip_forward)
"$HERE/up.sh"
export KUBECONFIG=$DIR/admin.kubeconfig
KUBECTL="$K8S_BIN/kubectl"
k() { "$KUBECTL" -n "$SMOKE_NS" "$@"; }
"$KUBECTL" version | sed 's/^/cluster:   /' >&2
"$HERE/images.sh" "$SMOKE_APP_DIR"

log "deploying the test app"
"$KUBECTL" create namespace "$SMOKE_NS" >/dev/null
k apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 2
  selector: {matchLabels: {app: smoke}}
  template:
    metadata: {labels: {app: smoke}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: app
        image: lameduck.local/node-app:1
        imagePullPolicy: Never
        command: ["node", "/app/app.mjs"]
        env: [{name: PORT, value: "8080"}]
        ports: [{containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /healthz, port: 8080}
          periodSeconds: 1
        lifecycle:
          preStop:
            exec: {command: ["/bin/sh", "-c", "echo preStop-start >/proc/1/fd/1; sleep 2; echo preStop-end >/proc/1/fd/1"]}
---
apiVersion: v1
kind: Service
metadata: {name: app}
spec:
  type: NodePort
  selector: {app: smoke}
  ports: [{port: 80, targetPort: 8080, nodePort: $SMOKE_NODE_PORT}]
YAML
if k rollout status deploy/app --timeout=120s >&2; then ok "deployment rolled out (2 replicas Ready)"; else
  k get pods -o wide >&2 || true; k describe pods >&2 || true; bad "deployment not ready"; exit 1; fi
k get pods -o wide >&2

# NodePort on loopback only
curl_ok() { [ "$(curl -fsS --max-time 3 "$1")" = ok ]; }
# kube-proxy programs the NodePort a moment after the pods turn Ready
eventually() { local t=$1 t0; shift; t0=$(date +%s); until "$@" 2>/dev/null; do
  [ $(( $(date +%s) - t0 )) -lt "$t" ] || return 1; sleep 0.5; done; }
t_np=$(date +%s)
check "GET http://127.0.0.1:$SMOKE_NODE_PORT/ returns ok" eventually 30 curl_ok "http://127.0.0.1:$SMOKE_NODE_PORT/"
log "NodePort answered $(( $(date +%s) - t_np ))s after rollout"
seen=$(for _ in $(seq 30); do curl -fsS --max-time 3 -D - -o /dev/null "http://127.0.0.1:$SMOKE_NODE_PORT/" 2>/dev/null | sed -n 's/^x-pod-name: *//Ip' | tr -d '\r' || true; done | sort -u | wc -l)
check "NodePort spread over both pods (saw $seen)" [ "$seen" -ge 2 ]

# pod IPs, only if they are inside the cluster's pod CIDR on its bridge
in_pod_cidr() { local ip=$1; [ "$(ip route get "$ip" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1)" = "$CNI_BRIDGE" ]; }
for ip in $(k get pods -l app=smoke -o jsonpath='{.items[*].status.podIP}'); do
  if in_pod_cidr "$ip"; then check "pod IP $ip answers /healthz" curl -fsS --max-time 3 -o /dev/null "http://$ip:8080/healthz"
  else bad "pod IP $ip is not routed via $CNI_BRIDGE (not curled)"; fi
done

first_pod=$(k get pods -l app=smoke -o jsonpath='{.items[0].metadata.name}')
check "kubectl exec into the shell image works" bash -c "[ \"\$('$KUBECTL' -n '$SMOKE_NS' exec '$first_pod' -- /bin/sh -c 'echo exec-ok')\" = exec-ok ]"

# delete a pod: preStop, SIGTERM, EndpointSlice updates
victim=$(k get pods -l app=smoke -o jsonpath='{.items[0].metadata.name}')
victim_ip=$(k get pod "$victim" -o jsonpath='{.status.podIP}')
log "deleting pod $victim ($victim_ip)"
k logs -f "$victim" > "$WORK/victim.log" 2>&1 & bg_pids+=($!)
k get endpointslices -l kubernetes.io/service-name=app --watch-only -o \
  jsonpath='{range .endpoints[*]}{.addresses[0]} ready={.conditions.ready} serving={.conditions.serving} terminating={.conditions.terminating}{"\n"}{end}{"---\n"}' \
  > "$WORK/slices.log" 2>&1 & bg_pids+=($!)
sleep 1
t_del=$(date +%s)
k delete pod "$victim" --wait=true --timeout=60s >/dev/null
log "pod deleted after $(( $(date +%s) - t_del ))s"
check "replacement pod Ready" k rollout status deploy/app --timeout=60s
sleep 1
sed 's/^/cluster:   slice | /' "$WORK/slices.log" >&2
sed 's/^/cluster:   victim log | /' "$WORK/victim.log" >&2
check "EndpointSlice showed $victim_ip terminating (ready=false)" \
  grep -q "^$victim_ip ready=false serving=[a-z]* terminating=true" "$WORK/slices.log"
final=$(k get endpointslices -l kubernetes.io/service-name=app -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]}{"\n"}{end}')
check "EndpointSlice no longer lists $victim_ip" bash -c "! grep -qx '$victim_ip' <<<'$final'"
check "EndpointSlice lists 2 endpoints again" [ "$(grep -c . <<<"$final")" -eq 2 ]
check "preStop hook ran before SIGTERM" bash -c "grep -n preStop-start '$WORK/victim.log' | head -1 | cut -d: -f1 | { read a; b=\$(grep -n 'got SIGTERM' '$WORK/victim.log' | head -1 | cut -d: -f1); [ -n \"\$a\" ] && [ -n \"\$b\" ] && [ \"\$a\" -lt \"\$b\" ]; }"
check "app received SIGTERM" grep -q 'got SIGTERM' "$WORK/victim.log"
check "NodePort still answers after the deletion" curl_ok "http://127.0.0.1:$SMOKE_NODE_PORT/"

for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done; bg_pids=()

# shell-less image: runs, has no /bin/sh, native sleep preStop (GA in 1.34) then SIGTERM
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: noshell}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: gcr.io/distroless/nodejs20-debian12:lameduck
    imagePullPolicy: Never
    command: ["node", "/app/app.mjs"]
    readinessProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 1
    lifecycle:
      preStop:
        sleep: {seconds: 1}
YAML
check "shell-less pod Ready" k wait --for=condition=Ready pod/noshell --timeout=60s
check "shell-less image has no /bin/sh" bash -c "! '$KUBECTL' -n '$SMOKE_NS' exec noshell -- /bin/sh -c true >/dev/null 2>&1"
k logs -f noshell > "$WORK/noshell.log" 2>&1 & bg_pids+=($!)
sleep 0.5
t_del=$(date +%s)
k delete pod noshell --wait=true --timeout=60s >/dev/null
log "shell-less pod deleted after $(( $(date +%s) - t_del ))s (preStop sleep 1s)"
sleep 0.5
check "shell-less app received SIGTERM" grep -q 'got SIGTERM' "$WORK/noshell.log"

# audit log: a named user makes exactly one write
ukc=$("$HERE/user-kubeconfig.sh" smoke-user 2>/dev/null)
k create rolebinding smoke-user-edit --clusterrole=edit --user=smoke-user >/dev/null
"$KUBECTL" --kubeconfig "$ukc" -n "$SMOKE_NS" get pods >/dev/null
"$KUBECTL" --kubeconfig "$ukc" -n "$SMOKE_NS" annotate deploy/app lameduck.dev/smoke=1 >/dev/null
sleep 2   # the audit backend writes asynchronously
writes=$(grep '"username":"smoke-user"' "$DIR/logs/audit.log" | grep -cE '"verb":"(create|update|patch|delete|deletecollection)"' || true)
reads=$(grep '"username":"smoke-user"' "$DIR/logs/audit.log" | grep -cE '"verb":"(get|list|watch)"' || true)
check "audit log: smoke-user made exactly 1 write (saw $writes) and some reads (saw $reads)" [ "$writes" = 1 ] && [ "$reads" -ge 1 ]

# nothing from a pod went anywhere but the cluster's own addresses
# original-direction tuples (first src=/dst= of each conntrack line) from a pod IP
stray=$(conntrack -L 2>/dev/null | sed -n 's/^[^=]*src=\([0-9.]*\) dst=\([0-9.]*\).*/\1 \2/p' \
  | while read -r src dst; do
      [[ "$src" == "${NODE_POD_CIDR%.*}".* ]] || continue
      # the bridge's own address is the host (e.g. kernel IGMP reports to 224.0.0.22 on the bridge)
      [ "$src" != "${NODE_POD_CIDR%.*}.1" ] || continue
      case "$dst" in 127.*|"${NODE_POD_CIDR%.*}".*|"${SERVICE_CIDR%%.0.0/16}".*|"$NODE_IP") ;; *) echo "$src -> $dst" ;; esac
    done || true)
check "no conntrack entry from a pod to a non-cluster address" [ -z "$stray" ]
[ -z "$stray" ] || printf '%s\n' "$stray" | head -5 | sed 's/^/cluster:   stray | /' >&2

# down and verify the host is clean
"$HERE/down.sh"; downed=1
procs=$(ps -eo pid=,args= | grep -E "($K8S_BIN|$ETCD_BIN)/|containerd --config $DIR/|-address $DIR/containerd" | grep -v grep || true)
check "no cluster processes left" [ -z "$procs" ]
check "no KUBE-/CNI-/LAMEDUCK- iptables chains left" bash -c "! { iptables-save; ip6tables-save; } 2>/dev/null | grep -qE '^:(KUBE|CNI|LAMEDUCK)-'"
check "no $CNI_BRIDGE / $NODE_IFACE links left" bash -c "! ip link show $CNI_BRIDGE >/dev/null 2>&1 && ! ip link show $NODE_IFACE >/dev/null 2>&1"
check "no veths left" bash -c "[ -z \"\$(ip -o link show type veth)\" ]"
check "no blackhole routes left" bash -c "[ -z \"\$(ip route show exact $POD_CIDR; ip route show exact $SERVICE_CIDR)\" ]"
check "no routes to the pod CIDR left" bash -c "! ip route | grep -q '${POD_CIDR%/*}'"
check "no mounts under $DIR or CNI netns left" bash -c "! grep -qE ' ($DIR/|/run/netns/cni-|/var/run/netns/cni-)' /proc/self/mounts"
check "no kubepods cgroups left" bash -c "! ls -d /sys/fs/cgroup/*/kubepods >/dev/null 2>&1"
check "ip_forward restored to $fwd0" [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd0" ]

log "smoke took $(( $(date +%s) - T0 ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
