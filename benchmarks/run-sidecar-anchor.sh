#!/usr/bin/env bash
# The overhead study with a third path: the plain client through a sidecar-style chain of two HAProxy
# instances on loopback (client-side proxy -> server-side proxy -> server), HTTP mode for the HTTP
# workload and HTTP/2 (h2c) for gRPC. Installs HAProxy from Debian's packages when missing (run as
# root). Extra arguments go to the study (e.g. -Drounds=6).
# Build the jar first: ./mvnw -q -DskipTests -pl benchmarks -am package
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v haproxy >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "haproxy is missing; run as root to install it" >&2; exit 1; }
  apt-get update -q
  # RUNLEVEL=1 keeps the package's init script from starting a system-wide haproxy.
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy
fi
haproxy -v | head -1

# Server ports and proxy ports (fixed so the proxy configs can name them).
APP_GRPC=18100 APP_HTTP=18101
SERVER_SIDE_GRPC=18110 SERVER_SIDE_HTTP=18111
CLIENT_SIDE_GRPC=18120 CLIENT_SIDE_HTTP=18121

dir=$(mktemp -d)
common='global
  maxconn 4000
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
'
cat > "$dir/server-side.cfg" <<CFG
$common
frontend grpc_in
  bind 127.0.0.1:$SERVER_SIDE_GRPC proto h2
  default_backend grpc_app
backend grpc_app
  server app 127.0.0.1:$APP_GRPC proto h2
frontend http_in
  bind 127.0.0.1:$SERVER_SIDE_HTTP
  default_backend http_app
backend http_app
  http-reuse always
  server app 127.0.0.1:$APP_HTTP
CFG
cat > "$dir/client-side.cfg" <<CFG
$common
frontend grpc_out
  bind 127.0.0.1:$CLIENT_SIDE_GRPC proto h2
  default_backend grpc_upstream
backend grpc_upstream
  server up 127.0.0.1:$SERVER_SIDE_GRPC proto h2
frontend http_out
  bind 127.0.0.1:$CLIENT_SIDE_HTTP
  default_backend http_upstream
backend http_upstream
  http-reuse always
  server up 127.0.0.1:$SERVER_SIDE_HTTP
CFG

haproxy -c -q -f "$dir/server-side.cfg"
haproxy -c -q -f "$dir/client-side.cfg"
haproxy -f "$dir/server-side.cfg" -db & server_side=$!
haproxy -f "$dir/client-side.cfg" -db & client_side=$!
trap 'kill $client_side $server_side 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
kill -0 $server_side && kill -0 $client_side || { echo "haproxy did not start" >&2; exit 1; }

./run-study.sh OverheadStudy -DgrpcPort=$APP_GRPC -DhttpPort=$APP_HTTP \
  -DsidecarGrpcPort=$CLIENT_SIDE_GRPC -DsidecarHttpPort=$CLIENT_SIDE_HTTP "$@"
