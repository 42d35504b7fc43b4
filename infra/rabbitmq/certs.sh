#!/usr/bin/env bash
# Makes the TLS material of the local federated set-up with openssl (idempotent: what exists is kept):
#   DIR/ca.pem, DIR/ca.key             a local certificate authority every broker of the set-up trusts
#   DIR/CC/server.pem, server.key      centre CC's broker (CN=<cc>-broker, SAN localhost and 127.0.0.1)
#   DIR/CC/client.pem, client.key      centre CC's link identity (CN=CC): its shovels present it to counterparts'
#                                      brokers, which log it in (EXTERNAL) as the broker user CC
#   DIR/CC/ca.pem                      a copy of the CA, so each centre's folder is complete
# Real deployments use each centre's own CA and exchange CA certificates bilaterally (docs/deployment.md).
# Usage: infra/rabbitmq/certs.sh DIR CC [CC ...]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR CC [CC ...]" >&2; exit 2; }
dir=$1; shift
command -v openssl >/dev/null || { echo "openssl is missing (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
days=825
if [ ! -s "$dir/ca.pem" ] || [ ! -s "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
    -subj "/O=LaunchNotify local/CN=LaunchNotify local CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  chmod 600 "$dir/ca.key"
  echo "  made the local CA $dir/ca.pem"
fi

issue() { # issue OUT_BASE CN EXTENSIONS
  local out=$1 cn=$2 ext=$3
  [ -s "$out.pem" ] && [ -s "$out.key" ] && return 0
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=LaunchNotify local/CN=$cn" \
    -keyout "$out.key" -out "$out.csr" 2>/dev/null
  openssl x509 -req -in "$out.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days "$days" \
    -extfile <(printf '%s\n' "$ext") -out "$out.pem" 2>/dev/null
  rm -f "$out.csr"
  chmod 600 "$out.key"
  echo "  issued $out.pem (CN=$cn)"
}

for cc in "$@"; do
  [[ "$cc" =~ ^[A-Z]{2}$ ]] || { echo "Not a centre code: $cc (two upper-case letters, e.g. US)" >&2; exit 2; }
  mkdir -p "$dir/$cc"
  cp "$dir/ca.pem" "$dir/$cc/ca.pem"
  lower=$(tr 'A-Z' 'a-z' <<<"$cc")
  issue "$dir/$cc/server" "$lower-broker" \
    "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
  issue "$dir/$cc/client" "$cc" \
    "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
done
