#!/bin/sh
# HTTP throughput: `loyalty serve` against a minimal libmicrohttpd + SQLite server
# (bench/http_baseline.c) under wrk, in one run on this machine:
#   (1) member lookup by card token      target: >= 0.7 x baseline req/s, p99 < 5 ms
#   (2) durable purchases, 32 clients    target: >= 0.6 x the raw SQLite batch-100 rate
# Prints a table with the ratios and PASS/MISS. It is a benchmark, not a test: it exits 0
# whatever the figures, and non-zero only if it cannot run (missing binary, server not starting).
# It builds nothing:
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-bench -j2 --target loyalty bench_http_baseline
#   bench/http.sh [--loyalty PATH] [--baseline PATH] [--duration SECONDS] [--threads N]
#                 [--connections N] [--dir DIR] [--keep]
#
# Defaults: build-bench/loyalty, build-bench/bench_http_baseline, 10 s per measurement, wrk with
# 4 threads and 32 connections, databases in a new directory under $TMPDIR (else /tmp), removed
# at the end unless --keep. Needs wrk (Debian package `wrk`).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
loyalty=$root/build-bench/loyalty
baseline=$root/build-bench/bench_http_baseline
duration=10
threads=4
connections=32
base=${TMPDIR:-/tmp}
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --loyalty) loyalty=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --dir) base=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/http.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

fail() { echo "bench/http.sh: $*" >&2; exit 1; }
[ -x "$loyalty" ] || fail "no loyalty binary at $loyalty (build it, or give --loyalty)"
[ -x "$baseline" ] || fail "no baseline binary at $baseline (build bench_http_baseline, or give --baseline)"
command -v wrk >/dev/null 2>&1 || fail "wrk is not installed (apt-get install wrk)"

dir=$(mktemp -d "$base/bench-http-XXXXXX")
loy_pid=
base_pid=
cleanup() {
    [ -n "$loy_pid" ] && kill "$loy_pid" 2>/dev/null && wait "$loy_pid" 2>/dev/null
    [ -n "$base_pid" ] && kill "$base_pid" 2>/dev/null && wait "$base_pid" 2>/dev/null
    if [ "$keep" = 1 ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "bench/http: databases in $dir; wrk ${duration}s per measurement, $threads threads," \
    "$connections connections; nproc $(nproc)"

# ---- set-up: the same 1,000 members on both sides --------------------------------------------
"$loyalty" init --db "$dir/loyalty.db" --programme "$root/examples/kopi-kita.json" >/dev/null
"$loyalty" demo --db "$dir/loyalty.db" --members 1000 --months 1
key=$("$loyalty" apikey create --db "$dir/loyalty.db" --role cashier --name bench --json |
    sed -n 's/.*"key": *"\([^"]*\)".*/\1/p')
[ -n "$key" ] || fail "cannot create an API key"
"$baseline" setup "$dir/loyalty.db" "$dir/baseline.db" "$dir/tokens.txt"

# ---- the raw SQLite rate the purchase target is measured against ------------------------------
raw100=$("$baseline" raw 100 "$dir")
raw1=$("$baseline" raw 1 "$dir")
echo "$raw100"
echo "$raw1"
raw100_rate=$(echo "$raw100" | sed -n 's/^raw batch-100: \([0-9]*\) .*/\1/p')
raw1_rate=$(echo "$raw1" | sed -n 's/^raw batch-1: \([0-9]*\) .*/\1/p')

# ---- the servers ------------------------------------------------------------------------------
# start_server NAME OUTFILE CMD...: runs CMD in the background and waits for its URL line
wait_port() {
    i=0
    while [ $i -lt 100 ]; do
        port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$1" | head -n 1)
        [ -n "$port" ] && { echo "$port"; return 0; }
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
"$loyalty" serve --db "$dir/loyalty.db" --port 0 --quiet >"$dir/loyalty.out" 2>"$dir/loyalty.err" &
loy_pid=$!
"$baseline" serve "$dir/baseline.db" "$key" 4 >"$dir/baseline.out" 2>"$dir/baseline.err" &
base_pid=$!
loy_port=$(wait_port "$dir/loyalty.out") || fail "loyalty serve did not start: $(cat "$dir/loyalty.err")"
base_port=$(wait_port "$dir/baseline.out") || fail "the baseline did not start: $(cat "$dir/baseline.err")"
echo "loyalty on port $loy_port (pid $loy_pid), baseline on port $base_port (pid $base_pid)"

run=$(date +%s)-$$
# measure NAME SECONDS SCRIPT URL ARGS...: runs wrk, keeps its output in $dir/NAME.wrk
measure() {
    name=$1 secs=$2 script=$3 url=$4
    shift 4
    wrk -t "${wrk_t:-$threads}" -c "${wrk_c:-$connections}" -d "${secs}s" --timeout 10s --latency -s "$script" \
        "$url" -- "$@" >"$dir/$name.wrk" 2>&1 || fail "wrk failed: $(cat "$dir/$name.wrk")"
}
# field FILE: "req/s p99_ms non2xx socket_errors"
field() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /m$/) return substr(v, 1, length(v) - 1) * 60000
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        /Requests\/sec:/ { rps = $2 }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { bad = $NF }
        /Socket errors:/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
        END { printf "%.0f %.2f %d %d\n", rps, p99, bad, err }
    ' "$1"
}

tok=$dir/tokens.txt
loy=http://127.0.0.1:$loy_port
bl=http://127.0.0.1:$base_port
echo "warm-up (2 s each side, not counted)"
measure warm-loy 2 "$here/http_lookup.lua" "$loy" "$tok" /api/v1/members/ "$key"
measure warm-base 2 "$here/http_lookup.lua" "$bl" "$tok" /card/ "$key"
echo "lookups: loyalty, then baseline (${duration}s each)"
measure lookup-loy "$duration" "$here/http_lookup.lua" "$loy" "$tok" /api/v1/members/ "$key"
measure lookup-base "$duration" "$here/http_lookup.lua" "$bl" "$tok" /card/ "$key"
light=$(((duration + 1) / 2))
echo "lookups at light load (2 threads, 4 connections, ${light}s each; latency only)"
wrk_t=2 wrk_c=4
measure light-loy "$light" "$here/http_lookup.lua" "$loy" "$tok" /api/v1/members/ "$key"
measure light-base "$light" "$here/http_lookup.lua" "$bl" "$tok" /card/ "$key"
wrk_t='' wrk_c=''
echo "purchases: loyalty, then baseline (${duration}s each)"
loy_rows0=$("$baseline" count "$dir/loyalty.db")
base_rows0=$("$baseline" count "$dir/baseline.db")
measure purchase-loy "$duration" "$here/http_purchase.lua" "$loy" "$tok" /api/v1/purchases "$key" "$run-l"
measure purchase-base "$duration" "$here/http_purchase.lua" "$bl" "$tok" /purchase "$key" "$run-b"

kill "$loy_pid" "$base_pid"
wait "$loy_pid" 2>/dev/null || true
wait "$base_pid" 2>/dev/null || true
loy_pid=
base_pid=
loy_rows=$(($("$baseline" count "$dir/loyalty.db") - loy_rows0))
base_rows=$(($("$baseline" count "$dir/baseline.db") - base_rows0))
answers() { sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p' "$1"; }

# shellcheck disable=SC2046 # the fields are meant to be split
{
set -- $(field "$dir/lookup-loy.wrk");    ll_rps=$1 ll_p99=$2 ll_bad=$3 ll_err=$4
set -- $(field "$dir/lookup-base.wrk");   lb_rps=$1 lb_p99=$2 lb_bad=$3 lb_err=$4
set -- $(field "$dir/light-loy.wrk");     sl_rps=$1 sl_p99=$2 sl_bad=$3 sl_err=$4
set -- $(field "$dir/light-base.wrk");    sb_rps=$1 sb_p99=$2 sb_bad=$3 sb_err=$4
set -- $(field "$dir/purchase-loy.wrk");  pl_rps=$1 pl_p99=$2 pl_bad=$3 pl_err=$4
set -- $(field "$dir/purchase-base.wrk"); pb_rps=$1 pb_p99=$2 pb_bad=$3 pb_err=$4
}


echo
echo "| case | loyalty req/s | baseline req/s | ratio | p99 loyalty | p99 baseline | target | pass |"
echo "|------|--------------:|---------------:|------:|------------:|-------------:|--------|------|"
awk -v l="$ll_rps" -v b="$lb_rps" -v lp="$ll_p99" -v bp="$lb_p99" 'BEGIN {
    r = b > 0 ? l / b : 0
    ok = (r >= 0.7) && (lp < 5)
    printf "| lookup by card token (GET), %s connections | %d | %d | %.2f | %.2f ms | %.2f ms | >= 0.70 x, p99 < 5 ms | %s |\n",
        "'"$connections"'", l, b, r, lp, bp, ok ? "PASS" : "MISS" }'
awk -v l="$sl_rps" -v b="$sb_rps" -v lp="$sl_p99" -v bp="$sb_p99" 'BEGIN {
    r = b > 0 ? l / b : 0
    printf "| lookup, 4 connections (light load) | %d | %d | %.2f | %.2f ms | %.2f ms | (info) | - |\n",
        l, b, r, lp, bp }'
awk -v l="$pl_rps" -v b="$raw100_rate" -v lp="$pl_p99" 'BEGIN {
    r = b > 0 ? l / b : 0
    printf "| purchase, %s clients, vs raw SQLite batch-100 | %d | %d | %.2f | %.2f ms | - | >= 0.60 x | %s |\n",
        "'"$connections"'", l, b, r, lp, (r >= 0.6) ? "PASS" : "MISS" }'
awk -v l="$pl_rps" -v b="$pb_rps" -v lp="$pl_p99" -v bp="$pb_p99" 'BEGIN {
    r = b > 0 ? l / b : 0
    printf "| purchase vs baseline server (1 transaction/request) | %d | %d | %.2f | %.2f ms | %.2f ms | (info) | - |\n",
        l, b, r, lp, bp }'
echo
echo "raw SQLite batch-1 (one fsync per purchase, for reference): $raw1_rate purchases/s"
echo "non-2xx answers / socket errors: lookup loyalty $ll_bad/$ll_err, baseline $lb_bad/$lb_err;" \
    "light lookup loyalty $sl_bad/$sl_err, baseline $sb_bad/$sb_err;" \
    "purchase loyalty $pl_bad/$pl_err, baseline $pb_bad/$pb_err"
echo "purchase rows written: loyalty $loy_rows (wrk counted $(answers "$dir/purchase-loy.wrk")" \
    "answers), baseline $base_rows (wrk counted $(answers "$dir/purchase-base.wrk"))"
exit 0
