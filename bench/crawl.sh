#!/usr/bin/env bash
# make bench-crawl: a crawl of the simulated fediverse's medium world (release build, TLS
# on loopback), against the politeness bound: for each host, the time the requests it
# needed take at the pace it allows (our rate and burst, its own rate-limit buckets, its
# robots.txt Crawl-delay); the bound is the largest of these. Reports wall time / bound,
# requests per engagement found, and the crawler's peak memory (max RSS).
# Goal (issue #4): within 1.25x of the bound, under 200 MB peak.
#
# Rates: the tests' (RATE=50 requests/s per host, BURST=10), not the default 1/s: at
# 1/s the brand origins' thousands of requests take an hour, and rates change how fast,
# never what is found. RATE, BURST, SEED and SCALE can be set from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${RATE:-50}"
BURST="${BURST:-10}"
SEED="${SEED:-1}"
SCALE="${SCALE:-medium}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fedireach-target}"

# PROFILE=debug measures a debug build (quicker to build, slower to run).
PROFILE="${PROFILE:-release}"
echo "== building ($PROFILE)"
if [ "$PROFILE" = release ]; then
    cargo build --locked --release --bin fedireach 2>&1 | tail -1
else
    cargo build --locked --bin fedireach 2>&1 | tail -1
fi
bin="$CARGO_TARGET_DIR/$PROFILE/fedireach"

work="$(mktemp -d)"
cleanup() {
    [ -n "${fakeverse_pid:-}" ] && kill "$fakeverse_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== the $SCALE world (seed $SEED)"
"$bin" fakeverse --seed "$SEED" --scale "$SCALE" --listen 127.0.0.1:0 \
    --ca "$work/ca.pem" --truth "$work/truth.json" >"$work/fakeverse.out" 2>"$work/fakeverse.err" &
fakeverse_pid=$!
for _ in $(seq 600); do grep -q "listening on" "$work/fakeverse.out" 2>/dev/null && break; sleep 0.1; done
addr="$(sed -n 's/^listening on //p' "$work/fakeverse.out" | head -1)"
[ -n "$addr" ] || { echo "the fakeverse did not start:"; cat "$work/fakeverse.err"; exit 1; }
for _ in $(seq 600); do [ -s "$work/truth.json" ] && [ -s "$work/ca.pem" ] && break; sleep 0.1; done

cat >"$work/fedireach.toml" <<CONF
[crawl]
rate_per_host = $RATE
burst = $BURST

[network]
resolve_all = "$addr"
allow_loopback = true
extra_ca_file = "$work/ca.pem"
CONF
run() { "$bin" --config "$work/fedireach.toml" --db "sqlite://$work/bench.db" "$@"; }

# The truth's brands, owned ones with their token in <NAME>_TOKEN.
python3 - "$work/truth.json" >"$work/brands.sh" <<'PY'
import json, shlex, sys
truth = json.load(open(sys.argv[1]))
for brand in truth["brands"]:
    args = ["run", "brand", "add", brand["name"], *brand["actors"]]
    if brand.get("token"):
        var = brand["name"].upper() + "_TOKEN"
        print(f"export {var}={shlex.quote(brand['token'])}")
        args += ["--token-env", var]
    print(" ".join(shlex.quote(a) for a in args) + " >/dev/null")
PY
# shellcheck disable=SC1091
source "$work/brands.sh"

echo "== crawling (rate $RATE/s per host, burst $BURST)"
start=$(date +%s.%N)
set +e
/usr/bin/time -v "$bin" --config "$work/fedireach.toml" --db "sqlite://$work/bench.db" \
    crawl --since all >"$work/crawl.out" 2>"$work/crawl.err"
code=$?
set -e
end=$(date +%s.%N)
if [ "$code" != 0 ] && [ "$code" != 3 ]; then
    echo "the crawl failed ($code):"; tail -20 "$work/crawl.err"; exit 1
fi
sed -n '1,2p' "$work/crawl.out"

# The stats path is answered for any host name; the certificate is the fakeverse's own.
port="${addr##*:}"
curl -fsS --cacert "$work/ca.pem" --resolve "stats.example:$port:${addr%:*}" \
    "https://stats.example:$port/__fakeverse/stats" -o "$work/stats.json"

python3 - "$work/stats.json" "$work/crawl.out" "$work/crawl.err" "$start" "$end" "$RATE" "$BURST" <<'PY'
import json, re, sys
stats_path, out_path, time_path, start, end, rate, burst = sys.argv[1:]
wall = float(end) - float(start)
rate, burst = float(rate), int(burst)
hosts = json.load(open(stats_path))["hosts"]
CRAWL_DELAY_SECS = 1.0  # the fakeverse's crawl-delay hosts
bounds = []
for host, s in hosts.items():
    n = s["requests"]
    ours = max(0, n - burst) / rate
    theirs = max([max(0.0, b["needed_secs"] - b["window_secs"]) for b in s.get("buckets", [])] or [0.0])
    delay = (n - 1) * CRAWL_DELAY_SECS if s["quirk"] == "crawl-delay" else 0.0
    bounds.append((max(ours, theirs, delay), host, n))
bounds.sort(reverse=True)
bound, host, n = bounds[0]
out = open(out_path).read()
requests = int(re.search(r"(\d+) requests", out).group(1))
engagements = int(re.search(r"(\d+) engagements found", out).group(1))
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(time_path).read()).group(1))
print(f"wall time            {wall:8.1f} s")
print(f"politeness bound     {bound:8.1f} s  ({host}: {n} requests)")
print(f"wall / bound         {wall / bound:8.2f} x   (goal: 1.25)")
print(f"requests             {requests:8d}   ({requests / max(engagements, 1):.2f} per engagement found, {engagements} found)")
print(f"peak memory (RSS)    {rss_kb / 1024:8.1f} MB  (goal: 200)")
print("slowest hosts at their allowed pace:")
for b, h, n in bounds[:5]:
    print(f"  {h:40s} {n:6d} requests  {b:7.1f} s")
PY
