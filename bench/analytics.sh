#!/usr/bin/env bash
# make bench-analytics: reach, timeline and best-time over the large simulated world
# (about a million engagements) by the polars pipeline, beside the same reach by one
# SQLite query (tests/sql/reach.sql) over the same database, in the same run. Reports
# both times, their ratio, peak memory, and a brand page's figures.
# Goal (issue #5): the pipeline, loading included, at least 5x faster than the SQL
# query; under 300 MB peak; a brand page's figures in under 0.2 s.
#
# The store is loaded from the large world's truth by bench/large_world.rs
# (`cargo test --test bench_large`, never part of `make test`), which also checks
# that the SQL and polars reach agree on every brand; its first report builds the
# Parquet copy beside the database (fedireach.db.facts/), which every later report
# reads after checking it is current.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fedireach-target}"
command -v sqlite3 >/dev/null || {
    echo "== installing sqlite3 (Debian package)"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends sqlite3
}

echo "== building (release)"
cargo build --locked --release --bin fedireach -p fedireach 2>&1 | tail -1
cargo build --locked --release --example scale -p fedireach-analytics 2>&1 | tail -1
cargo test --locked --release --test it --no-run 2>&1 | tail -1
bin="$CARGO_TARGET_DIR/release"

work="$(mktemp -d)"
cleanup() {
    [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== the large world, loaded into a store; polars and SQL reach agree on every brand"
started=$SECONDS
FEDIREACH_BENCH_DIR="$work" cargo test --locked --release --test bench_large -- --exact \
    the_large_world_loads_and_sql_agrees_with_the_pipeline --nocapture \
    >"$work/crosscheck.log" 2>&1 || { tail -40 "$work/crosscheck.log"; exit 1; }
grep -E "large world|test result" "$work/crosscheck.log"
echo "(generating, loading and cross-checking took $((SECONDS - started))s)"
db="$(ls -d "$work"/.tmp*/fedireach.db 2>/dev/null | head -1)"
[ -f "$db" ] || { echo "the large world was not loaded"; exit 1; }
sqlite3 "$db" "SELECT 'engagements: ' || count(*) FROM engagements;
               SELECT 'brands: ' || count(*) FROM brands;
               SELECT 'posts: ' || count(*) FROM posts;"
echo "database: $(du -sh "$db" | cut -f1), Parquet copy: $(du -sh "$db.facts" | cut -f1)"
month="$(sqlite3 "$db" "SELECT date(max(published_at), 'unixepoch', '-29 days') || ' ' ||
                               date(max(published_at), 'unixepoch') FROM posts")"

# Same run, same database: each command timed from process start to exit, its peak
# memory by GNU time.
python3 - "$bin/fedireach" "$db" "$month" <<'PY'
import json, os, subprocess, sys, time

fedireach, db, month = sys.argv[1], sys.argv[2], sys.argv[3].split()
url = "sqlite://" + db
template = open("tests/sql/reach.sql").read()

def run(cmd, stdin=None):
    started = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out, err = p.communicate(stdin.encode() if stdin else None)
    elapsed = time.perf_counter() - started
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed: {err.decode()}")
    return elapsed, out

def peak_mb(cmd, stdin=None):
    # GNU time's %M: the peak resident set in KiB. SQL goes on stdin: the query starts
    # with a `--` comment, which sqlite3 would read as an option.
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, check=True,
                       input=stdin.encode() if stdin else None)
    return int(r.stderr.decode().strip().splitlines()[-1]) / 1024

def sql_for(brand):
    quoted = "'" + brand.replace("'", "''") + "'"
    return (template.replace("?1", quoted).replace("?2", str(-2**63))
            .replace("?3", str(2**63 - 1)))

brands = subprocess.run(["sqlite3", db, "SELECT name FROM brands ORDER BY name"],
                        capture_output=True, text=True, check=True).stdout.split()

KINDS = ("replies", "boosts", "likes", "quotes")

def rows_of(report):
    # SQL gives the unavailable posts as flat columns; the report nests them.
    rows = []
    for r in report:
        row = {k: (float(v) if k == "share_pct" else v) for k, v in r.items()
               if not k.startswith("unavailable_posts_")}
        nested = r.get("unavailable_posts") or {k: r.get("unavailable_posts_" + k) for k in KINDS}
        row["unavailable_posts"] = {k: nested.get(k) for k in KINDS}
        rows.append(row)
    return rows

# Rebuilding the copy from the store, once (the slow path: a missing or foreign copy).
subprocess.run(["rm", "-rf", db + ".facts"], check=True)
rebuild, _ = run([fedireach, "--db", url, "report", "reach", "--brand", brands[0],
                  "--format", "json"])
print(f"copy rebuilt from the store (row by row, then Parquet) in {rebuild:.2f}s")

sql_total = polars_total = 0.0
for brand in brands:
    sql_time, sql_out = run(["sqlite3", "-json", db], sql_for(brand))
    pl_time, pl_out = run([fedireach, "--db", url, "report", "reach", "--brand", brand,
                           "--format", "json"])
    sql_rows = json.loads(sql_out or b"[]")
    pl_rows = json.loads(pl_out)["rows"]
    if rows_of(sql_rows) != rows_of(pl_rows):
        sys.exit(f"reach of {brand}: SQL and polars disagree")
    sql_total += sql_time
    polars_total += pl_time
    print(f"reach {brand:<12} SQL {sql_time:7.3f}s   polars (process, copy check, load, "
          f"report) {pl_time:6.3f}s   x{sql_time / pl_time:5.1f}")
print(f"reach, every brand ({len(brands)}): SQL {sql_total:.2f}s, polars {polars_total:.2f}s, "
      f"ratio {sql_total / polars_total:.1f}x (goal >= 5x)")

for kind in ["timeline", "best-time"]:
    total = 0.0
    for brand in brands:
        t, _ = run([fedireach, "--db", url, "report", kind, "--brand", brand,
                    "--tz", "Europe/Paris", "--format", "json"])
        total += t
    print(f"{kind}, every brand, all time: {total:.2f}s ({total / len(brands):.3f}s a brand)")

first = brands[0]
print(f"peak memory, report reach --brand {first}: "
      f"{peak_mb([fedireach, '--db', url, 'report', 'reach', '--brand', first, '--format', 'json']):.0f} MB"
      f" (goal < 300 MB); sqlite3's: {peak_mb(['sqlite3', db], sql_for(first)):.0f} MB")
PY

echo "== one process: the copy loaded once, reach, a month's brand page (8 reports),"
echo "   timeline and best-time for every brand"
/usr/bin/time -f "peak memory: %M KiB, wall %e s" "$bin/examples/scale" read "$db.facts" $month
