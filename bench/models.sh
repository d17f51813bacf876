#!/bin/sh
# Model-fitting time: bench_models (the library's BG/NBD, Pareto/NBD and Gamma-Gamma fits) against
# the numpy/scipy reference bench/models_ref.py, on the CDNOW summary (2,357 customers) and on
# 1,000,000 simulated BG/NBD customers (times in whole days; the same CSV feeds both), in one run.
# Targets: >= 10 x faster than scipy on every fit; each 1M-member fit under 2 s.
# The baseline is scipy Nelder-Mead (the lifetimes library's method; the library fits with BFGS
# and analytic gradients) on one row per customer, as lifetimes does it; "(info)" rows show scipy
# on grouped rows and scipy L-BFGS-B. Prints a table with the speed-ups and PASS/MISS, then
# whether both sides found the same parameters (to 3 significant digits). A benchmark, not a
# test: exits 0 whatever the figures, non-zero only if it cannot run. It builds nothing:
#
#   cmake -S . -B build-bm -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-bm -j2 --target bench_models
#   bench/models.sh [--bench PATH] [--python PATH] [--n N] [--budget SECONDS] [--lbfgs-sim]
#
# Defaults: build-bm/bench_models, /usr/bin/python3 (Debian python3-numpy, python3-scipy),
# 1,000,000 members, a scipy fit given up after 300 s (shown as "> 300"), L-BFGS-B info rows on
# CDNOW only (--lbfgs-sim adds them for the simulated data).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bench=$root/build-bm/bench_models
py=/usr/bin/python3
n=1000000
budget=300
lbfgs_sim=0
while [ $# -gt 0 ]; do
    case $1 in
    --bench) bench=$2; shift 2 ;;
    --python) py=$2; shift 2 ;;
    --n) n=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --lbfgs-sim) lbfgs_sim=1; shift ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/models.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$bench" ] || { echo "bench/models.sh: no $bench (build it first, see --help)" >&2; exit 1; }
"$py" -c 'import numpy, scipy' 2>/dev/null ||
    { echo "bench/models.sh: $py lacks numpy/scipy (apt-get install python3-numpy python3-scipy)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/loyalty_models.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cdnow=$root/tests/data/cdnow/cdnow_customers_summary_with_transactions.csv
csv=$work/sim.csv

echo "machine: $(uname -srm), $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "numpy/scipy: $("$py" -c 'import numpy, scipy; print(numpy.__version__, scipy.__version__)')"
echo "running bench_models ($n simulated members) ..." >&2
"$bench" --n "$n" --cdnow "$cdnow" --csv "$csv" >"$work/c.txt"
simarg=
[ "$n" -gt 0 ] && simarg="--sim $csv"
echo "running models_ref.py Nelder-Mead (budget $budget s per fit) ..." >&2
# shellcheck disable=SC2086
"$py" "$here/models_ref.py" --cdnow "$cdnow" $simarg --method Nelder-Mead --grouped \
    --budget "$budget" >"$work/nm.txt"
echo "running models_ref.py L-BFGS-B ..." >&2
if [ "$lbfgs_sim" = 1 ]; then
    # shellcheck disable=SC2086
    "$py" "$here/models_ref.py" --cdnow "$cdnow" $simarg --method L-BFGS-B --budget "$budget" \
        >"$work/lb.txt"
else
    "$py" "$here/models_ref.py" --cdnow "$cdnow" --method L-BFGS-B >"$work/lb.txt"
fi

awk -v budget="$budget" -v n="$n" '
function label(c, m) {
    return (c == "cdnow" ? "CDNOW 2,357" : (n == 1000000 ? "1M" : n) " simulated") " " \
           (m == "bgnbd" ? "BG/NBD" : m == "pnbd" ? "Pareto/NBD" : "Gamma-Gamma")
}
FILENAME ~ /c.txt$/ && $1 == "FIT" { k = $2 SUBSEP $3; cs[k] = $4; cll[k] = $5; crows[k] = $8
    cp[k] = ""; for (i = 9; i <= NF; i++) cp[k] = cp[k] " " $i; order[++no] = k }
FILENAME ~ /nm.txt$/ && $1 == "FIT" { k = $2 SUBSEP $3; ps[k] = $4; pll[k] = $5; prows[k] = $8
    pp[k] = ""; for (i = 9; i <= NF; i++) pp[k] = pp[k] " " $i }
FILENAME ~ /nm.txt$/ && $1 == "TIMEOUT" { k = $2 SUBSEP $3; ps[k] = $4; pto[k] = 1; prows[k] = $5 }
FILENAME ~ /lb.txt$/ && $1 == "FIT" { k = $2 SUBSEP $3; ls[k] = $4; lll[k] = $5; lp[k] = ""
    for (i = 9; i <= NF; i++) lp[k] = lp[k] " " $i }
FILENAME ~ /lb.txt$/ && $1 == "TIMEOUT" { k = $2 SUBSEP $3; ls[k] = $4; lto[k] = 1 }
function ratio(base, to, c) {
    if (base == "") return "-"
    return sprintf("%s%.1f", to ? ">" : "", base / c)
}
function secs(s, to) { return s == "" ? "-" : to ? sprintf("> %.0f", s) : sprintf("%.3f", s) }
END {
    print ""
    print "| case | loyalty s | scipy s | speed-up | target | result |"
    print "| --- | ---: | ---: | ---: | --- | --- |"
    for (j = 1; j <= no; j++) {
        k = order[j]; split(k, a, SUBSEP); c = a[1]; m = a[2]
        t = cs[k] + 0
        r = ps[k] == "" ? 0 : ps[k] / t
        ok = ps[k] != "" && r >= 10
        tgt = ">= 10 x"
        if (c == "sim") { tgt = tgt ", < 2 s"; ok = ok && t < 2 }
        printf "| %s (NM, %s rows) | %.4f | %s | %s | %s | %s |\n", label(c, m), prows[k], t,
            secs(ps[k], pto[k]), ratio(ps[k], pto[k], t), tgt, ok ? "PASS" : "MISS"
        g = k "@grouped"; sub(SUBSEP m "@grouped$", SUBSEP m "@grouped", g)
        g = c SUBSEP m "@grouped"
        if (g in ps)
            printf "| ... scipy NM on the %s grouped rows | %.4f | %s | %s | (info) | - |\n",
                prows[g], t, secs(ps[g], pto[g]), ratio(ps[g], pto[g], t)
        if (k in ls)
            printf "| ... scipy L-BFGS-B, one row per customer | %.4f | %s | %s | (info) | - |\n",
                t, secs(ls[k], lto[k]), ratio(ls[k], lto[k], t)
    }
    print ""
    print "Parameters (loyalty vs scipy Nelder-Mead; \"same\" = every parameter equal to 3 significant digits):"
    for (j = 1; j <= no; j++) {
        k = order[j]; split(k, a, SUBSEP); c = a[1]; m = a[2]
        ref = k; if (!(k in pp)) ref = c SUBSEP m "@grouped"
        if (!(ref in pp)) { printf "  %-24s no scipy result (timed out)\n", label(c, m); continue }
        nc = split(cp[k], x, " "); split(pp[ref], y, " ")
        same = 1; worst = 0; lc = ""; lr = ""
        for (i = 1; i <= nc; i++) {
            split(x[i], u, "="); split(y[i], v, "=")
            if (sprintf("%.3g", u[2]) != sprintf("%.3g", v[2])) same = 0
            d = u[2] - v[2]; if (d < 0) d = -d; d /= (u[2] > 0 ? u[2] : 1); if (d > worst) worst = d
            lc = lc sprintf(" %s=%.4g", u[1], u[2]); lr = lr sprintf(" %.4g", v[2])
        }
        printf "  %-24s %s (max rel. diff %.1e; loglik %.4f vs %.4f%s)\n    loyalty:%s\n    scipy:  %s\n",
            label(c, m), same ? "same" : "DIFFERENT", worst, cll[k], pll[ref],
            ref == k ? "" : ", scipy grouped", lc, lr
    }
}' "$work/c.txt" "$work/nm.txt" "$work/lb.txt"
exit 0
