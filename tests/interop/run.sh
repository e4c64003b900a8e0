#!/usr/bin/env bash
# Interop (issue #8): the real fedireach binary crawls a real ActivityPub server,
# bovine-herd (../shared/peers), over HTTPS with signed fetches, and the reports are
# checked. bovine refuses unsigned requests and verifies a signature by fetching the
# signer's key over HTTPS, so fedireach's instance actor is served the way users deploy
# it: `fedireach serve` on loopback behind nginx, which terminates TLS for
# fedireach.test with a certificate from the pair's CA.
#
#   tests/interop/run.sh          (make test-interop; needs root or sudo: port 443,
#                                  /etc/hosts)
# Env: FEDIREACH_BIN (default: cargo build, then $CARGO_TARGET_DIR/debug/fedireach),
#      FEDIREACH_INTEROP=required (fail instead of skipping without root; CI sets it),
#      PEERS (default ../shared/peers), PAIR_DIR (default /tmp/fedireach-interop-pair:
#      the pair's venv and CA, kept across runs), KEEP_RUN=1 (keep the run's files).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
PAIR_DIR=${PAIR_DIR:-/tmp/fedireach-interop-pair}
HOST=fedireach.test
IP=127.0.0.23
TAG="# fedireach-interop $PAIR_DIR"
A_HOST=a.bovine.test
B_HOST=b.bovine.test
start=$(date +%s)

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    elif [ "${FEDIREACH_INTEROP:-}" = required ]; then
        echo "interop: needs root or passwordless sudo (port 443, /etc/hosts)" >&2
        exit 1
    else
        # A developer's machine: say so loudly, fail nothing. CI sets
        # FEDIREACH_INTEROP=required, so there it can never be skipped.
        echo "interop: SKIPPED: needs root or passwordless sudo (port 443, /etc/hosts); CI runs it" >&2
        exit 0
    fi
fi
[ -x "$PEERS/bovine_pair.sh" ] || [ -f "$PEERS/bovine_pair.sh" ] || {
    echo "interop: $PEERS/bovine_pair.sh is missing: the shared/ folder must sit beside the clone" >&2
    exit 1
}
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
    echo "interop: nginx is missing: apt-get install nginx (.ci/run does)" >&2
    exit 1
}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [ -z "${FEDIREACH_BIN:-}" ]; then
    cargo build --locked --quiet --bin fedireach
    FEDIREACH_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/fedireach"
fi

RUN=$(mktemp -d /tmp/fedireach-interop.XXXXXX)
chmod 755 "$RUN"
SERVE_PID=""
cleanup() {
    status=$?
    set +e
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    [ -f "$RUN/nginx.pid" ] && $SUDO kill "$(cat "$RUN/nginx.pid")" 2>/dev/null
    $SUDO bash "$PEERS/bovine_pair.sh" down "$PAIR_DIR" >/dev/null 2>&1
    $SUDO sed -i "\|$TAG|d" /etc/hosts
    if [ "$status" != 0 ]; then
        echo "interop: FAILED after $(( $(date +%s) - start ))s; logs:" >&2
        for f in "$RUN"/*.log "$PAIR_DIR"/a/server.log "$PAIR_DIR"/b/server.log; do
            [ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
        done
    fi
    if [ -n "${KEEP_RUN:-}" ]; then echo "interop: kept $RUN" >&2; else rm -rf "$RUN"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# fedireach.test must be in /etc/hosts before bovine starts: its resolver (c-ares)
# may not see a line added later within the same second.
$SUDO sed -i "\|$TAG|d" /etc/hosts
echo "$IP $HOST $TAG" | $SUDO tee -a /etc/hosts >/dev/null

echo "== interop: bringing up the bovine pair ($PAIR_DIR)"
# Fresh instances every run (one post, one reply, like and boost); the venv and the CA
# are kept, so a later run takes seconds. A second `up` over old databases seeds again
# and can fail on its own old state.
$SUDO rm -rf "$PAIR_DIR/a" "$PAIR_DIR/b" "$PAIR_DIR/samples"
$SUDO bash "$PEERS/bovine_pair.sh" up "$PAIR_DIR" > "$RUN/pair.log" 2>&1 || {
    cat "$RUN/pair.log" >&2
    exit 1
}
PY=$PAIR_DIR/venv/bin/python

# fedireach.test: a name bovine resolves, a certificate from the pair's CA (kept).
CA=$PAIR_DIR/ca
if [ ! -f "$CA/$HOST.crt" ]; then
    $SUDO openssl req -newkey rsa:2048 -nodes -keyout "$CA/$HOST.key" -out "$CA/$HOST.csr" \
        -subj "/CN=$HOST" 2>/dev/null
    printf "subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n" "$HOST" | $SUDO tee "$CA/$HOST.ext" >/dev/null
    $SUDO openssl x509 -req -in "$CA/$HOST.csr" -CA "$CA/ca.crt" -CAkey "$CA/ca.key" \
        -CAcreateserial -out "$CA/$HOST.crt" -days 30 -extfile "$CA/$HOST.ext" 2>/dev/null
fi

# fedireach: its config, then `serve` (the instance actor) on a free loopback port.
cat > "$RUN/fedireach.toml" <<TOML
public_url = "https://$HOST"

[crawl]
rate_per_host = 20.0
contact_url = "https://$HOST/contact"
policy_url = "https://$HOST/policy"

[network]
allow_loopback = true
extra_ca_file = "$CA/ca.crt"
TOML
fr() { (cd "$RUN" && "$FEDIREACH_BIN" --db "sqlite://$RUN/fedireach.db" "$@"); }
(cd "$RUN" && exec "$FEDIREACH_BIN" --db "sqlite://$RUN/fedireach.db" serve \
    --listen 127.0.0.1:0 --no-schedule --dashboards "$ROOT/dashboards" \
    > "$RUN/serve.out" 2> "$RUN/serve.log") &
SERVE_PID=$!
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$RUN/serve.out")
    [ -n "$PORT" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || { echo "interop: serve exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "interop: serve did not say where it listens" >&2; exit 1; }

# nginx terminates TLS for fedireach.test and proxies to serve (README: deploying).
cat > "$RUN/nginx.conf" <<NGINX
worker_processes 1;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log;
events { worker_connections 64; }
http {
    access_log $RUN/nginx-access.log;
    client_body_temp_path $RUN/client_body;
    proxy_temp_path $RUN/proxy;
    server {
        listen $IP:443 ssl;
        server_name $HOST;
        ssl_certificate $CA/$HOST.crt;
        ssl_certificate_key $CA/$HOST.key;
        location / {
            proxy_pass http://127.0.0.1:$PORT;
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
NGINX
$SUDO "$NGINX" -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/nginx-error.log"
curl -sf --cacert "$CA/ca.crt" -H 'Accept: application/activity+json' \
    "https://$HOST/actor" > "$RUN/actor.json" || {
    echo "interop: the instance actor is not reachable at https://$HOST/actor" >&2
    exit 1
}

echo "== interop: crawling alice on $A_HOST"
fr brand add alice "@alice@$A_HOST" > /dev/null
fr crawl --since all > "$RUN/crawl1.out" 2> "$RUN/crawl1.log" || {
    cat "$RUN/crawl1.out" >&2
    exit 1
}
report() {
    for kind in reach posts instances consent; do
        fr report "$kind" --brand alice --format json > "$RUN/$1-$kind.json"
    done
}
report first
"$PY" "$ROOT/tests/interop/check.py" "$RUN" first "$A_HOST" "$B_HOST"

echo "== interop: crawling again"
fr crawl --since all > "$RUN/crawl2.out" 2> "$RUN/crawl2.log" || {
    cat "$RUN/crawl2.out" >&2
    exit 1
}
report second
"$PY" "$ROOT/tests/interop/check.py" "$RUN" second "$A_HOST" "$B_HOST"
echo "interop: done in $(( $(date +%s) - start ))s"
echo "interop: 1 passed, 0 failed"
