#!/usr/bin/env bash
# make bench-web: the brand page and its JSON under 50 concurrent connections from wrk over
# loopback, warm cache, beside the same page's bytes served by nginx, in one run.
# Reports requests per second, p50 and p99 latency for each, and the ratios.
# Goal (issue #6): p99 under 25 ms, and at least a quarter of nginx's throughput.
#
# The data: the simulated fediverse's medium world (seed 1, seen on its last day),
# written into the store by `cargo run --example medium_world` as a correct crawl of it
# would leave it; the page is its first owned brand's, over the last 90 days.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="${CONNECTIONS:-50}"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fedireach-target}"

need() { command -v "$1" >/dev/null; }
if ! need wrk || ! need nginx; then
    echo "== installing wrk and nginx (Debian packages)"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends wrk nginx-light
fi

echo "== building (release)"
cargo build --locked --release --bin fedireach --example medium_world -p fedireach -p fedireach-web 2>&1 | tail -1
bin="$CARGO_TARGET_DIR/release"

work="$(mktemp -d)"
cleanup() {
    [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== world"
"$bin/examples/medium_world" "sqlite://$work/bench.db" >"$work/world.out"
brand="$(sed -n 's/^brand owned //p' "$work/world.out" | head -1)"
window="$(sed -n 's/^window //p' "$work/world.out")"
[ -n "$brand" ] && [ -n "$window" ] || { echo "no owned brand in the world:"; cat "$work/world.out"; exit 1; }
brand_path="$brand"

"$bin/fedireach" --db "sqlite://$work/bench.db" serve --listen 127.0.0.1:0 --no-schedule \
    --dashboards dashboards >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base="$(sed -n 's/^listening on //p' "$work/serve.out" | head -1)"
[ -n "$base" ] || { echo "serve did not start:"; cat "$work/serve.err"; exit 1; }

page="/brands/$brand_path?$window"
json="/api/v1/brands/$brand_path/reach?$window"
# Warm the cache, and keep the page's bytes for nginx.
curl -fsS "$base$page" -o "$work/brand.html"
curl -fsS "$base$json" -o /dev/null

mkdir -p "$work/www"
cp "$work/brand.html" "$work/www/brand.html"
# nginx's workers run as an unprivileged user: let them read the page.
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/brand.html"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:18089;
        root $work/www;
        location / { default_type text/html; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3

run() { # name url -> "rps p50_ms p99_ms"
    local out
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")"
    echo "$out" >"$work/wrk-$1.txt"
    local rps p50 p99
    rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    if grep -q "Non-2xx" <<<"$out"; then echo "$1: errors:"; echo "$out"; exit 1; fi
    echo "$rps $(ms "$p50") $(ms "$p99")"
}
ms() { # wrk latency (123.45us | 1.23ms | 1.02s) -> milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
        printf "%.2f", n }'
}

echo "== load: $CONNECTIONS connections, $DURATION each, wrk with $THREADS threads"
read -r page_rps page_p50 page_p99 < <(run page "$base$page")
read -r json_rps json_p50 json_p99 < <(run json "$base$json")
read -r ngx_rps ngx_p50 ngx_p99 < <(run nginx "http://127.0.0.1:18089/brand.html")

echo "brand $brand, $window"
echo "page: $(wc -c <"$work/brand.html") bytes; reach JSON: $(curl -fsS "$base$json" | wc -c) bytes"
printf "\n%-22s %12s %10s %10s\n" "target" "requests/s" "p50 ms" "p99 ms"
printf "%-22s %12s %10s %10s\n" "brand page (serve)" "$page_rps" "$page_p50" "$page_p99"
printf "%-22s %12s %10s %10s\n" "reach JSON (serve)" "$json_rps" "$json_p50" "$json_p99"
printf "%-22s %12s %10s %10s\n" "brand page (nginx)" "$ngx_rps" "$ngx_p50" "$ngx_p99"
awk -v p="$page_rps" -v j="$json_rps" -v n="$ngx_rps" -v pp="$page_p99" -v jp="$json_p99" 'BEGIN {
    printf "\npage/nginx throughput: %.2f   json/nginx: %.2f   (goal >= 0.25)\n", p / n, j / n
    printf "p99: page %s ms, json %s ms (goal < 25 ms)\n", pp, jp
    printf "goal met: %s\n", (p / n >= 0.25 && pp + 0 < 25 && jp + 0 < 25) ? "yes" : "no"
}'
