#!/usr/bin/env bash
# Bring up a real single-node Kubernetes ($K8S_VERSION) on this machine:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd,
# kubelet, kube-proxy (iptables mode). All state lives in $LAMEDUCK_CLUSTER_DIR
# (default /var/lib/lameduck-cluster): logs/ pids/ pki/ admin.kubeconfig env.sh.
# Binaries come from build.sh; take everything down again with down.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
need_root

: "${UP_TIMEOUT_APISERVER:=90}" "${UP_TIMEOUT_NODE:=120}" "${UP_TIMEOUT_SA:=90}"
: "${ETCD_PORT:=2379}" "${APISERVER_PORT:=6443}"

DIR=$LAMEDUCK_CLUSTER_DIR
PKI=$DIR/pki LOGS=$DIR/logs PIDS=$DIR/pids CONF=$DIR/config
CONTAINERD_DIR=$DIR/containerd
CONTAINERD_SOCK=$CONTAINERD_DIR/containerd.sock
KUBELET_DIR=$DIR/kubelet
CNI_CONF_DIR=$DIR/cni/net.d
CNI_IPAM_DIR=$DIR/cni/ipam
STATE=$DIR/state           # what up.sh changed on the host, for down.sh
ADMIN_KUBECONFIG=$DIR/admin.kubeconfig
API_URL=https://127.0.0.1:$APISERVER_PORT
T0=$(date +%s)

KUBECTL=$K8S_BIN/kubectl
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  [ -x "$K8S_BIN/$b" ] || die "$K8S_BIN/$b missing: run $HERE/build.sh first"
done
[ -x "$ETCD_BIN/etcd" ] || die "$ETCD_BIN/etcd missing: run $HERE/build.sh first"
for b in containerd containerd-shim-runc-v2 runc ctr iptables ip conntrack openssl; do
  command -v "$b" >/dev/null || die "$b missing: run $HERE/build.sh --packages"
done
[ -x /usr/lib/cni/bridge ] || die "CNI plugins missing: run $HERE/build.sh --packages"

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy)

pid_alive() { local f=$PIDS/$1.pid; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

# ---- already up? ------------------------------------------------------------
running=0
for c in "${COMPONENTS[@]}"; do pid_alive "$c" && running=$((running + 1)); done
if [ "$running" -eq "${#COMPONENTS[@]}" ] && \
   "$KUBECTL" --kubeconfig "$ADMIN_KUBECONFIG" get --raw /readyz >/dev/null 2>&1; then
  log "already up (all ${#COMPONENTS[@]} components running); KUBECONFIG=$ADMIN_KUBECONFIG"
  exit 0
elif [ "$running" -gt 0 ]; then
  die "a previous cluster is partly running ($running/${#COMPONENTS[@]} components): run $HERE/down.sh first"
fi

fail() { # fail COMPONENT MESSAGE
  local c=$1; shift
  log "FAILED: $c: $*"
  log "  log: $LOGS/$c.log (last lines below)"
  tail -n 25 "$LOGS/$c.log" 2>/dev/null | sed 's/^/cluster:   | /' >&2 || true
  log "  clean up with: $HERE/down.sh"
  exit 1
}

# start NAME CMD...: run CMD detached (own session), stdout+stderr to logs/NAME.log
start() {
  local name=$1; shift
  log "starting $name"
  : > "$LOGS/$name.log"
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$PIDS/$name.pid" "$@" \
    >>"$LOGS/$name.log" 2>&1 </dev/null &
  for _ in $(seq 50); do [ -s "$PIDS/$name.pid" ] && break; sleep 0.05; done
  [ -s "$PIDS/$name.pid" ] || fail "$name" "did not start"
}

# wait_for COMPONENT TIMEOUT DESCRIPTION CMD...: poll CMD until it succeeds,
# failing early if COMPONENT's process died.
wait_for() {
  local c=$1 timeout=$2 what=$3; shift 3
  local t0; t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    pid_alive "$c" || fail "$c" "process exited while waiting for $what"
    [ $(( $(date +%s) - t0 )) -lt "$timeout" ] || fail "$c" "timed out after ${timeout}s waiting for $what"
    sleep 0.5
  done
  log "$what (after $(( $(date +%s) - t0 ))s)"
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
for p in "$ETCD_PORT" $((ETCD_PORT + 1)) "$APISERVER_PORT" 10248 10249 10250 10256 10257 10259; do
  port_free "$p" || die "TCP port $p is already in use on this machine"
done

log "state dir $DIR"
mkdir -p "$DIR" "$LOGS" "$PIDS" "$PKI" "$CONF" "$STATE" "$CONTAINERD_DIR" "$KUBELET_DIR" \
  "$CNI_CONF_DIR" "$CNI_IPAM_DIR" "$DIR/pod-logs"
rm -f "$PIDS"/*.pid
# previous run's logs (incl. audit.log) move to logs.prev/: every up starts with fresh logs
if [ -n "$(ls -A "$LOGS" 2>/dev/null)" ]; then
  rm -rf "$DIR/logs.prev"; mv "$LOGS" "$DIR/logs.prev"; mkdir -p "$LOGS"
fi

# ---- 1. host network: blackholes first ----------------------------------------
# Nothing addressed to a pod or Service IP may leave the machine while rules are
# missing: blackhole both ranges; the CNI bridge's more specific route still wins.
add_blackhole() {
  if [ -z "$(ip route show exact "$1" type blackhole)" ]; then
    ip route add blackhole "$1"
  fi
  echo "$1" >> "$STATE/blackholes"
}
: > "$STATE/blackholes"
add_blackhole "$POD_CIDR"
add_blackhole "$SERVICE_CIDR"
log "blackhole routes for pod CIDR $POD_CIDR and Service CIDR $SERVICE_CIDR"

# node IP: a port-less bridge that only holds NODE_IP/32 (no default route needed)
if ! ip link show "$NODE_IFACE" >/dev/null 2>&1; then
  ip link add "$NODE_IFACE" type bridge
fi
ip addr replace "$NODE_IP/32" dev "$NODE_IFACE"
ip link set "$NODE_IFACE" up
log "node IP $NODE_IP on $NODE_IFACE"

# sysctls (originals saved once, restored by down.sh)
set_sysctl() {
  local key=$1 val=$2 path=/proc/sys/${1//.//}
  [ -e "$path" ] || { log "warning: sysctl $key not available"; return 0; }
  grep -q "^$key=" "$STATE/sysctl.orig" 2>/dev/null || echo "$key=$(cat "$path")" >> "$STATE/sysctl.orig"
  echo "$val" > "$path"
}
set_sysctl net.ipv4.ip_forward 1
set_sysctl net.ipv4.conf.all.route_localnet 1
set_sysctl net.bridge.bridge-nf-call-iptables 1
set_sysctl net.bridge.bridge-nf-call-ip6tables 1

# iptables-nft creates the ip/ip6 filter, nat and mangle tables on first use; remember
# which families had no tables at all so down.sh can delete the (then empty) tables again.
[ -n "$(iptables-save 2>/dev/null | grep '^\*' || true)" ] || echo ip >> "$STATE/nft-families-absent"
[ -n "$(ip6tables-save 2>/dev/null | grep '^\*' || true)" ] || echo ip6 >> "$STATE/nft-families-absent"
[ -f "$STATE/nft-families-absent" ] && sort -u -o "$STATE/nft-families-absent" "$STATE/nft-families-absent"

# Egress guard: pods may talk to each other (same bridge) and to the host, but
# nothing from the pod bridge is forwarded to any other interface.
iptables -w -N LAMEDUCK-EGRESS 2>/dev/null || iptables -w -F LAMEDUCK-EGRESS
iptables -w -A LAMEDUCK-EGRESS -i "$CNI_BRIDGE" ! -o "$CNI_BRIDGE" -j DROP
iptables -w -C FORWARD -j LAMEDUCK-EGRESS 2>/dev/null || iptables -w -I FORWARD 1 -j LAMEDUCK-EGRESS

# remember host paths that containerd/CNI create outside $DIR if absent now
# (/var/lib/kubelet/device-plugins and /var/log/containers are hard-coded in the kubelet)
for p in /run/containerd /run/netns /var/run/netns /var/lib/cni /run/runc /run/mount \
         /var/lib/kubelet /var/log/containers; do
  [ -e "$p" ] || echo "$p" >> "$STATE/created-paths"
done
[ -f "$STATE/created-paths" ] && sort -u -o "$STATE/created-paths" "$STATE/created-paths"

# ---- 2. certificates (kept across runs; regenerated if NODE_IP/name changed) --------
pki_id="$NODE_IP $NODE_NAME $FIRST_SERVICE_IP"
if [ "$(cat "$PKI/.id" 2>/dev/null)" != "$pki_id" ]; then
  log "generating certificates in $PKI"
  rm -rf "${PKI:?}"/*
  ( cd "$PKI"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=lameduck-cluster-ca" -out ca.crt \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
    # cert NAME SUBJECT EKU [SAN]
    cert() {
      local name=$1 subj=$2 eku=$3 san=${4:-}
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null
      openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
      {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=$eku"
        [ -n "$san" ] && echo "subjectAltName=$san"
      } > "$name.ext"
      openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$name.ext" -out "$name.crt" 2>/dev/null
      rm -f "$name.csr" "$name.ext"
    }
    cert apiserver "/CN=kube-apiserver" serverAuth \
      "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,DNS:$NODE_NAME,IP:$FIRST_SERVICE_IP,IP:$NODE_IP,IP:127.0.0.1"
    cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
    cert admin "/O=system:masters/CN=admin" clientAuth
    cert kube-controller-manager "/CN=system:kube-controller-manager" clientAuth
    cert kube-scheduler "/CN=system:kube-scheduler" clientAuth
    cert kube-proxy "/CN=system:kube-proxy" clientAuth
    cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
    cert kubelet-serving "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,DNS:localhost,IP:$NODE_IP,IP:127.0.0.1"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
  echo "$pki_id" > "$PKI/.id"
else
  log "reusing certificates in $PKI"
fi

# kubeconfig NAME CERT: client kubeconfig with embedded credentials
kubeconfig() {
  local out=$1 cert=$2
  cat > "$out" <<KC
apiVersion: v1
kind: Config
clusters:
- name: lameduck
  cluster:
    server: $API_URL
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $cert
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI/$cert.key")
contexts:
- name: lameduck
  context: {cluster: lameduck, user: $cert, namespace: default}
current-context: lameduck
KC
  chmod 600 "$out"
}
kubeconfig "$ADMIN_KUBECONFIG" admin
for c in kube-controller-manager kube-scheduler kube-proxy kubelet; do kubeconfig "$CONF/$c.kubeconfig" "$c"; done
cat > "$DIR/env.sh" <<ENV
# source me: talk to the lameduck local cluster
export KUBECONFIG=$ADMIN_KUBECONFIG
export PATH=$K8S_BIN:\$PATH
export CONTAINERD_ADDRESS=$CONTAINERD_SOCK
export CONTAINER_RUNTIME_ENDPOINT=unix://$CONTAINERD_SOCK
ENV

# ---- 3. etcd ------------------------------------------------------------------
rm -rf "$DIR/etcd"   # a fresh cluster every time
start etcd "$ETCD_BIN/etcd" --name lameduck --data-dir "$DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
  --initial-cluster "lameduck=http://127.0.0.1:$((ETCD_PORT + 1))" --initial-cluster-state new \
  --unsafe-no-fsync --log-level warn
wait_for etcd 30 "etcd healthy" curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

# ---- 4. kube-apiserver ------------------------------------------------------
cat > "$CONF/audit-policy.yaml" <<'AP'
# Reads at Metadata, every write (create/update/patch/delete/...) with bodies.
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  verbs: ["get", "list", "watch"]
- level: RequestResponse
AP
start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port="$APISERVER_PORT" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true --anonymous-auth=false \
  --client-ca-file="$PKI/ca.crt" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --audit-policy-file="$CONF/audit-policy.yaml" --audit-log-path="$LOGS/audit.log" \
  --audit-log-maxsize=200 --audit-log-maxbackup=2 --audit-log-format=json
wait_for kube-apiserver "$UP_TIMEOUT_APISERVER" "kube-apiserver ready" \
  curl -fsS --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$API_URL/readyz"

# ---- 5. controller-manager, scheduler ---------------------------------------------
start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig="$CONF/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$CONF/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$CONF/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --controllers='*' \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --cluster-cidr="$POD_CIDR" --allocate-node-cidrs=false \
  --service-cluster-ip-range="$SERVICE_CIDR"
start kube-scheduler "$K8S_BIN/kube-scheduler" \
  --kubeconfig="$CONF/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$CONF/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$CONF/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false

# ---- 6. containerd + CNI ----------------------------------------------------------
cat > "$CONF/containerd.toml" <<CT
version = 2
root = "$CONTAINERD_DIR/root"
state = "$CONTAINERD_DIR/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$PAUSE_IMAGE"
    disable_apparmor = true
    # This VM withholds CAP_SYS_RESOURCE: negative oom_score_adj values fail in runc
    # ("failed to update /proc/self/oom_score_adj"); clamp them to containerd's own.
    restrict_oom_score_adj = true
    stream_server_address = "127.0.0.1"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$CONTAINERD_DIR/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$CNI_CONF_DIR"
      max_conf_num = 1
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CONTAINERD_DIR/opt"
CT
cat > "$CNI_CONF_DIR/10-$CNI_NETWORK.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CNI_IPAM_DIR",
        "ranges": [[{"subnet": "$NODE_POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
CNI
# containerd's CRI sets up the pod's lo itself (go-cni WithLoNetwork, /usr/lib/cni/loopback).
# Image pulls are never wanted (images are imported locally): point any pull at a closed
# loopback port so it fails fast instead of reaching a registry.
start containerd env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
  containerd --config "$CONF/containerd.toml"
wait_for containerd 30 "containerd serving" ctr --address "$CONTAINERD_SOCK" version
"$HERE/images.sh" >>"$LOGS/images.log" 2>&1 || fail images "could not build/import the pause image"
log "pause image $PAUSE_IMAGE imported"

# ---- 7. kubelet ---------------------------------------------------------------------
cat > "$CONF/kubelet.yaml" <<KL
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
rotateCertificates: false
serverTLSBootstrap: false
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
imageServiceEndpoint: unix://$CONTAINERD_SOCK
podLogsDir: $DIR/pod-logs
resolvConf: /etc/resolv.conf
hairpinMode: hairpin-veth
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
  imagefs.inodesFree: 1%
maxPods: 110
KL
start kubelet "$K8S_BIN/kubelet" --config="$CONF/kubelet.yaml" \
  --kubeconfig="$CONF/kubelet.kubeconfig" --root-dir="$KUBELET_DIR" \
  --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=2

# ---- 8. kube-proxy ------------------------------------------------------------------
cat > "$CONF/kube-proxy.yaml" <<KP
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $CONF/kube-proxy.kubeconfig
mode: iptables
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["127.0.0.1/32", "$NODE_IP/32"]
iptables:
  localhostNodePorts: true
  minSyncPeriod: 0s
  syncPeriod: 30s
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
KP
start kube-proxy "$K8S_BIN/kube-proxy" --config="$CONF/kube-proxy.yaml" --v=2

# ---- 9. wait until usable ---------------------------------------------------------
k() { "$KUBECTL" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }
node_ready() { [ "$(k get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
wait_for kubelet "$UP_TIMEOUT_NODE" "node $NODE_NAME Ready" node_ready
wait_for kube-controller-manager "$UP_TIMEOUT_SA" "ServiceAccount default/default exists" k -n default get serviceaccount default
wait_for kube-proxy 30 "kube-proxy healthy" curl -fsS --max-time 2 http://127.0.0.1:10256/healthz
for c in "${COMPONENTS[@]}"; do pid_alive "$c" || fail "$c" "process is not running"; done

log "cluster up in $(( $(date +%s) - T0 ))s: Kubernetes $K8S_VERSION, node $NODE_NAME ($NODE_IP)"
log "KUBECONFIG=$ADMIN_KUBECONFIG   (source $DIR/env.sh)"
