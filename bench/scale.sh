#!/usr/bin/env bash
# make bench-scale (issue #15): the simulated world, every host answering after a real
# server's latency (fakeverse --latency, 150 ms by default), crawled into SQLite and into
# PostgreSQL (Debian's postgresql, started here on 127.0.0.1 in a temporary directory),
# side by side in one run. Prints, for each engine: the crawl's wall time and peak
# memory, the politeness violations the simulated servers counted (rate limits exceeded,
# 429s provoked, Crawl-delays cut short), the store's bytes per engagement, and the time
# of `report reach` for every brand (median of 5 runs, cold processes).
#
# Several crawl workers (1 against 3) are not measured yet: `crawl --worker` is the next
# slice of issue #15.
#
# SCALE (medium), SEED (1), LATENCY in ms (150), RATE per host (50) and BURST (10) can be
# set from the environment; CARGO_TARGET_DIR as for every bench.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE="${SCALE:-medium}"
SEED="${SEED:-1}"
LATENCY="${LATENCY:-150}"
RATE="${RATE:-50}"
BURST="${BURST:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fedireach-target}"

pg_bin="${FEDIREACH_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL is missing: apt-get install postgresql"; exit 1; }
command -v psql >/dev/null || { echo "psql is missing: apt-get install postgresql-client"; exit 1; }

echo "== building (release)"
cargo build --locked --release --bin fedireach 2>&1 | tail -1
bin="$CARGO_TARGET_DIR/release/fedireach"

work="$(mktemp -d)"
chmod 755 "$work"
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
cleanup() {
    [ -n "${fakeverse_pid:-}" ] && kill "$fakeverse_pid" 2>/dev/null || true
    [ -d "$work/pg" ] && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" stop -m fast >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== PostgreSQL on 127.0.0.1"
mkdir -p "$work/pg"
[ "${#as_pg[@]}" -gt 0 ] && chown postgres "$work/pg"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pg_bin/initdb" --auth=trust --username=fedireach --encoding=UTF8 --locale=C \
    -D "$work/pg/data" >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -w -D "$work/pg/data" -l "$work/pg/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg" start >/dev/null
psql -q -h 127.0.0.1 -p "$pg_port" -U fedireach -d postgres -c "CREATE DATABASE bench"
pg_url="postgres://fedireach@127.0.0.1:$pg_port/bench"

echo "== the $SCALE world (seed $SEED), every answer after ${LATENCY} ms"
"$bin" fakeverse --seed "$SEED" --scale "$SCALE" --latency "$LATENCY" --listen 127.0.0.1:0 \
    --ca "$work/ca.pem" --truth "$work/truth.json" >"$work/fakeverse.out" 2>"$work/fakeverse.err" &
fakeverse_pid=$!
for _ in $(seq 600); do grep -q "listening on" "$work/fakeverse.out" 2>/dev/null && break; sleep 0.1; done
addr="$(sed -n 's/^listening on //p' "$work/fakeverse.out" | head -1)"
[ -n "$addr" ] || { echo "the fakeverse did not start:"; cat "$work/fakeverse.err"; exit 1; }
for _ in $(seq 600); do [ -s "$work/truth.json" ] && [ -s "$work/ca.pem" ] && break; sleep 0.1; done

python3 - "$work/truth.json" >"$work/brands.txt" <<'PY'
import json, shlex, sys
truth = json.load(open(sys.argv[1]))
for brand in truth["brands"]:
    var = brand["name"].upper() + "_TOKEN" if brand.get("token") else ""
    print("|".join([brand["name"], var, brand.get("token") or "", " ".join(brand["actors"])]))
PY

# The servers' counters of impoliteness, summed over hosts.
violations() {
    curl -fsS --cacert "$work/ca.pem" --resolve "stats.example:${addr##*:}:${addr%:*}" \
        "https://stats.example:${addr##*:}/__fakeverse/stats" | python3 -c '
import json, sys
hosts = json.load(sys.stdin)["hosts"].values()
keys = ("over_limit", "status_429", "crawl_delay_violations", "robots_violations")
print(" ".join(f"{k}={sum(h.get(k, 0) for h in hosts)}" for k in keys))'
}

results=()
for engine in sqlite postgres; do
    if [ "$engine" = sqlite ]; then db="sqlite://$work/bench.db"; else db="$pg_url"; fi
    conf="$work/$engine.toml"
    cat >"$conf" <<CONF
db = "$db"
facts_dir = "$work/$engine.facts"

[crawl]
rate_per_host = $RATE
burst = $BURST

[network]
resolve_all = "$addr"
allow_loopback = true
extra_ca_file = "$work/ca.pem"
CONF
    run() { "$bin" --config "$conf" "$@"; }
    # "|"-separated: a tab is whitespace to `read`, and runs of it would merge empty fields.
    while IFS='|' read -r name var token actors; do
        # shellcheck disable=SC2086
        if [ -n "$var" ]; then
            export "$var=$token"
            run brand add "$name" $actors --token-env "$var" >/dev/null
        else
            run brand add "$name" $actors >/dev/null
        fi
    done <"$work/brands.txt"

    echo "== crawling into $engine (rate $RATE/s per host, burst $BURST)"
    before="$(violations)"
    set +e
    /usr/bin/time -v "$bin" --config "$conf" crawl --since all >"$work/crawl-$engine.out" 2>"$work/crawl-$engine.err"
    code=$?
    set -e
    [ "$code" = 0 ] || [ "$code" = 3 ] || { echo "the crawl failed ($code):"; tail -20 "$work/crawl-$engine.err"; exit 1; }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/crawl-$engine.err")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/crawl-$engine.err")
    after="$(violations)"

    if [ "$engine" = sqlite ]; then
        python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$work/bench.db"
        bytes=$(( $(stat -c %s "$work/bench.db") + $(stat -c %s "$work/bench.db-wal" 2>/dev/null || echo 0) ))
        engagements=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM engagements').fetchone()[0])" "$work/bench.db")
    else
        psql -q -h 127.0.0.1 -p "$pg_port" -U fedireach -d bench -c "VACUUM ANALYZE" >/dev/null
        bytes=$(psql -At -h 127.0.0.1 -p "$pg_port" -U fedireach -d bench -c \
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
        engagements=$(psql -At -h 127.0.0.1 -p "$pg_port" -U fedireach -d bench -c "SELECT count(*) FROM engagements")
    fi

    # report reach for every brand: the first run builds the analytics copy; then 5.
    brands=$(cut -d'|' -f1 "$work/brands.txt")
    for b in $brands; do run report reach --brand "$b" --format json >/dev/null; done
    times=()
    for _ in 1 2 3 4 5; do
        t0=$(date +%s.%N)
        for b in $brands; do run report reach --brand "$b" --format json >/dev/null; done
        times+=("$(echo "$(date +%s.%N) - $t0" | bc)")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
    results+=("$(printf '%-9s %10s %9s MB %11s %10s %8.0f %9.2f s   before: %s after: %s' \
        "$engine" "$wall" "$((rss / 1024))" "$engagements" "$bytes" \
        "$(echo "$bytes / $engagements" | bc -l)" "$median" "$before" "$after")")
done

echo
echo "== results: $SCALE world, latency ${LATENCY} ms, 1 worker"
printf '%-9s %10s %12s %11s %10s %8s %11s\n' engine crawl "peak RSS" engagements bytes "B/engmt" "reach (all)"
for r in "${results[@]}"; do echo "$r"; done
echo "(violations: the simulated servers' counters, summed over hosts, before and after each crawl)"
