#!/bin/sh
# Owner reports against pandas: `loyalty report kpis|rfm|pareto|churn --json` (each its own
# process, timed from start to exit) and bench/analytics_ref.py (the same figures in vectorised
# pandas from the same SQLite file; its compute step timed, the load from SQLite not) on a
# database of --members members from the bulk generator (`loyalty demo generate --history-only`,
# about 10 purchases per member), in one run. The period: the twelve calendar months (merchant's
# zone) ending on the day of the last purchase, so churn's 90-day look-back and new members are
# real; churn with --days 90, pareto with --top 20.
# Targets: every report >= 10 x faster than pandas' compute step; peak memory (max RSS of the
# four loyalty processes) <= 1/5 of the pandas process's. Prints a table with the speed-ups and
# PASS/MISS, then whether every figure agrees (counts and money exactly, rates to the decimals the
# product prints) and each disagreement. A benchmark, not a test: exits 0 whatever the figures,
# non-zero only if it cannot run. It builds nothing:
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-bench -j2 --target loyalty
#   bench/analytics.sh [--loyalty PATH] [--python PATH] [--members N] [--months M] [--seed S]
#                      [--repeat N] [--dir DIR] [--keep] [--db FILE] [--from DATE --to DATE]
#                      [--location CODE] [--quick]
#
# Defaults: build-bench/loyalty, /usr/bin/python3 (Debian python3-pandas: scripts/bench-deps.sh),
# 1,000,000 members, 24 months, seed 7, every measurement 3 times (the fastest run counts, and the
# largest peak RSS), the database in a new directory under $TMPDIR (else /tmp), removed at the end
# unless --keep. --db FILE runs on an existing database (nothing generated); --from/--to set
# another period (dates as the reports take them); --location scopes all four reports.
# --quick: a smoke run, once, on 3,000 members and 12 months made by the small `loyalty demo`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
loyalty=$root/build-bench/loyalty
py=/usr/bin/python3
members=1000000
months=24
seed=7
repeat=3
base=${TMPDIR:-/tmp}
keep=0
db=
quick=0
pfrom=
pto=
location=
while [ $# -gt 0 ]; do
    case $1 in
    --loyalty) loyalty=$2; shift 2 ;;
    --python) py=$2; shift 2 ;;
    --members) members=$2; shift 2 ;;
    --months) months=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --dir) base=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --db) db=$2; shift 2 ;;
    --from) pfrom=$2; shift 2 ;;
    --to) pto=$2; shift 2 ;;
    --location) location=$2; shift 2 ;;
    --quick) quick=1; members=3000; months=12; repeat=1; shift ;;
    -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/analytics.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

fail() { echo "bench/analytics.sh: $*" >&2; exit 1; }
[ -x "$loyalty" ] || fail "no loyalty binary at $loyalty (build it, or give --loyalty)"
"$py" -c 'import pandas' 2>/dev/null ||
    fail "$py lacks pandas (scripts/bench-deps.sh installs python3-pandas)"
[ -z "$db" ] || [ -f "$db" ] || fail "no database $db"
util() { "$py" "$here/analytics_util.py" "$@"; }

work=$(mktemp -d "$base/bench-analytics-XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() { if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 1' INT TERM
out=$work/out
mkdir "$out"

echo "bench/analytics: machine $(uname -srm), $(nproc) CPU," \
    "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')," \
    "$(free -g | awk '/^Mem/ {print $2}') GB"

# ---- the database ------------------------------------------------------------------------------
if [ -z "$db" ]; then
    db=$work/loyalty.db
    "$loyalty" init --db "$db" --programme "$root/examples/kopi-kita.json" >/dev/null
    start=$(date +%s.%N)
    if [ "$quick" = 1 ]; then
        echo "creating $members members, $months months with loyalty demo ..." >&2
        "$loyalty" demo --db "$db" --members "$members" --months "$months" --seed "$seed" >&2
        how="loyalty demo --members $members --months $months --seed $seed"
    else
        echo "generating $members members, $months months with loyalty demo generate ..." >&2
        "$loyalty" demo generate --db "$db" --members "$members" --months "$months" \
            --seed "$seed" --history-only >&2 ||
            fail "loyalty demo generate --history-only failed (not built into $loyalty yet?)"
        how="loyalty demo generate --members $members --months $months --seed $seed"
        how="$how --history-only"
    fi
    gen=$(echo "$start $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
    echo "database ${gen} s $how" >"$out/info"
else
    echo "database $db (given)" >"$out/info"
fi
period=$(util period "$db") || fail "cannot read $db"
# shellcheck disable=SC2086 # FROM TO MEMBERS PURCHASES WHOLLY_REFUNDED FIRST LAST
set -- $period
from=${pfrom:-$1}
to=${pto:-$2}
{
    echo "rows $3 members, $4 purchases ($5 wholly refunded) from $6 to $7;" \
        "$(du -m "$db" | cut -f1) MB"
    echo "period --from $from --to $to${location:+ --location $location}, churn --days 90," \
        "pareto --top 20; best of $repeat runs"
} >>"$out/info"
sed 's/^\([a-z]*\) /\1: /' "$out/info"

set -- --from "$from" --to "$to"
[ -z "$location" ] || set -- "$@" --location "$location"

# ---- the runs ----------------------------------------------------------------------------------
# the file once through the page cache, so neither side pays the first read from disk
cat "$db" >/dev/null
for r in kpis rfm pareto churn; do
    echo "running loyalty report $r ..." >&2
    util run "$repeat" "$out/$r.json" "$loyalty" report "$r" --db "$db" --json "$@" \
        >"$out/$r.time"
    read -r _ _ rc <"$out/$r.time"
    [ "$rc" = 0 ] || echo "bench/analytics.sh: loyalty report $r exited $rc" >&2
done
echo "running analytics_ref.py (pandas) ..." >&2
util run 1 "$out/ref.json" "$py" "$here/analytics_ref.py" --db "$db" "$@" --days 90 --top 20 \
    --repeat "$repeat" >"$out/ref.time"
read -r _ _ rc <"$out/ref.time"
[ "$rc" = 0 ] || fail "analytics_ref.py exited $rc"

util table "$out" || true
exit 0
