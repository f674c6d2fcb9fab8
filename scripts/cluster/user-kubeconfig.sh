#!/usr/bin/env bash
# Mint a client certificate (signed by the cluster CA) and a kubeconfig for a user.
#   user-kubeconfig.sh USER [GROUP...]   -> prints the kubeconfig path
# The apiserver audit log ($LAMEDUCK_CLUSTER_DIR/logs/audit.log) records this
# user as .user.username == USER. Grant rights with RBAC separately, e.g.
#   kubectl create clusterrolebinding x --clusterrole=edit --user=USER
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
[ $# -ge 1 ] || die "usage: $0 USER [GROUP...]"
user=$1; shift
DIR=$LAMEDUCK_CLUSTER_DIR PKI=$LAMEDUCK_CLUSTER_DIR/pki
[ -f "$PKI/ca.key" ] || die "no cluster CA in $PKI: run up.sh first"
out=$DIR/users; mkdir -p "$out"
safe=$(printf '%s' "$user" | tr -c 'A-Za-z0-9._-' '_')
subj=""
for g in "$@"; do subj+="/O=$g"; done
subj+="/CN=$user"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/$safe.key" 2>/dev/null
openssl req -new -key "$out/$safe.key" -subj "$subj" -out "$out/$safe.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > "$out/$safe.ext"
openssl x509 -req -in "$out/$safe.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
  -days 365 -extfile "$out/$safe.ext" -out "$out/$safe.crt" 2>/dev/null
rm -f "$out/$safe.csr" "$out/$safe.ext"
server=$(sed -n 's/^ *server: //p' "$DIR/admin.kubeconfig" | head -1)
cat > "$out/$safe.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: lameduck
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$out/$safe.crt")
    client-key-data: $(base64 -w0 "$out/$safe.key")
contexts:
- name: lameduck
  context: {cluster: lameduck, user: $user, namespace: default}
current-context: lameduck
KC
chmod 600 "$out/$safe.key" "$out/$safe.kubeconfig"
log "kubeconfig for user $user${*:+ (groups: $*)}: $out/$safe.kubeconfig"
echo "$out/$safe.kubeconfig"
