# shellcheck shell=bash
# Shared settings for scripts/cluster/*.sh. Source it; do not run it.
# Everything here can be overridden from the environment.

: "${K8S_VERSION:=v1.34.4}"          # newest v1.34 patch on the Go module proxy when written
: "${ETCD_VERSION:=v3.6.16}"         # newest v3.6 patch on the Go module proxy when written
: "${CRICTL_VERSION:=v1.34.0}"       # sigs.k8s.io/cri-tools, matches the Kubernetes minor
: "${LAMEDUCK_CACHE:=$HOME/.cache/lameduck}"
: "${LAMEDUCK_CLUSTER_DIR:=/var/lib/lameduck-cluster}"

# shellcheck disable=SC2034  # used by the scripts that source this file
K8S_BIN="$LAMEDUCK_CACHE/kubernetes-$K8S_VERSION/bin"
# shellcheck disable=SC2034
ETCD_BIN="$LAMEDUCK_CACHE/etcd-$ETCD_VERSION/bin"

# Network layout (see README.md). All of it is private to this machine.
: "${POD_CIDR:=10.88.0.0/16}"        # cluster pod range: blackholed as a whole, kube-proxy clusterCIDR
: "${NODE_POD_CIDR:=10.88.0.0/24}"   # this node's slice: CNI bridge (gateway .1) + host-local IPAM
: "${SERVICE_CIDR:=10.96.0.0/16}"    # ClusterIPs; blackholed as a whole
: "${FIRST_SERVICE_IP:=10.96.0.1}"   # the `kubernetes` Service ClusterIP
: "${NODE_IP:=10.87.0.1}"            # node/advertise address, held by the NODE_IFACE bridge
: "${NODE_IFACE:=ldnode0}"           # a port-less bridge created only to hold NODE_IP
: "${CNI_BRIDGE:=ldcni0}"            # the CNI bridge for pods
: "${CNI_NETWORK:=lameduck}"         # CNI network name (also the iptables chain prefix CNI-)
: "${NODE_NAME:=lameduck-node}"
: "${PAUSE_IMAGE:=registry.k8s.io/pause:3.10}"

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { printf 'cluster: ERROR: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

# apt_ensure pkg...: install the Debian packages that are missing (dpkg -s check first).
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
