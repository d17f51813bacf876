#!/usr/bin/env python3
"""Helpers of bench/analytics.sh (standard library only):

  analytics_util.py period DB [--merchant ID]
      prints "FROM TO MEMBERS PURCHASES WHOLLY_REFUNDED FIRST LAST": the report period, twelve
      calendar months of the merchant's zone ending on the local date of the last counted
      purchase (FROM the first day of the month eleven months before that one's), the
      merchant's row counts, and the local dates of its first and last counted purchase
  analytics_util.py run N OUT CMD...
      runs CMD N times, standard output to OUT (the last run's); prints "<wall seconds> <peak RSS
      kB> <exit code>": the fastest run, the largest peak RSS (os.wait4: the child's own
      ru_maxrss), the first non-zero exit code
  analytics_util.py table DIR
      reads DIR/{kpis,rfm,pareto,churn}.json and .time (loyalty), DIR/ref.json and ref.time
      (pandas); prints the result table and the figure-by-figure comparison
"""
import json
import math
import os
import sqlite3
import subprocess
import sys
import time
import zoneinfo
from datetime import datetime

REPORTS = ["kpis", "rfm", "pareto", "churn"]
SPEEDUP_TARGET = 10.0
MEMORY_TARGET = 0.2


def cmd_period(db, merchant=None):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    if merchant is None:
        merchant = con.execute("SELECT id FROM merchants ORDER BY id LIMIT 1").fetchone()[0]
    body = con.execute("SELECT body FROM programmes WHERE merchant_id = ? ORDER BY version DESC "
                       "LIMIT 1", (merchant,)).fetchone()[0]
    tz = zoneinfo.ZoneInfo(json.loads(body)["merchant"]["timezone"])
    lo, hi = con.execute("SELECT min(occurred_at), max(occurred_at) FROM purchases "
                         "WHERE merchant_id = ? AND refunded < amount", (merchant,)).fetchone()
    if lo is None:
        sys.exit("analytics_util: no purchases in %s" % db)
    first = datetime.fromtimestamp(lo, tz)
    last = datetime.fromtimestamp(hi, tz)
    nm = con.execute("SELECT count(*) FROM members WHERE merchant_id = ?", (merchant,)).fetchone()
    npur, nref = con.execute("SELECT count(*), count(CASE WHEN refunded = amount THEN 1 END) "
                             "FROM purchases WHERE merchant_id = ?", (merchant,)).fetchone()
    m = last.year * 12 + last.month - 1 - 11
    print("%04d-%02d-01 %s %d %d %d %s %s" % (m // 12, m % 12 + 1, last.strftime("%Y-%m-%d"),
                                              nm[0], npur, nref, first.strftime("%Y-%m-%d"),
                                              last.strftime("%Y-%m-%d")))


def cmd_run(n, out, argv):
    best, peak, code = None, 0, 0
    for _ in range(n):
        with open(out, "wb") as f:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=f)
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
        best = wall if best is None else min(best, wall)
        peak = max(peak, ru.ru_maxrss)
        code = code or rc
        if rc:
            break
    print("%.6f %d %d" % (best, peak, code))


# ---------------------------------------------------------------- comparison

def round_half_away(x, d):
    f = 10.0 ** d
    return math.copysign(math.floor(abs(x) * f + 0.5), x) / f


class Cmp:
    """Collects figure-by-figure comparisons of one report."""

    def __init__(self):
        self.n = 0
        self.bad = []

    def exact(self, name, prod, ref):
        self.n += 1
        if prod != ref:
            self.bad.append("%s: loyalty %s, pandas %s" % (name, js(prod), js(ref)))

    def rounded(self, name, prod, ref, decimals):
        """prod is printed with `decimals` decimals; ref is unrounded: they agree when ref rounds
        to prod (a tie at exactly half a unit either way also agrees)."""
        self.n += 1
        if prod is None or ref is None:
            if prod is not None or ref is not None:
                self.bad.append("%s: loyalty %s, pandas %s" % (name, js(prod), js(ref)))
            return
        if abs(ref - prod) > 0.5 * 10.0 ** -decimals + 1e-9 * max(1.0, abs(ref)):
            self.bad.append("%s: loyalty %s, pandas %s (%.12g unrounded; %d decimals)"
                            % (name, js(prod), js(round_half_away(ref, decimals)), ref, decimals))


def js(v):
    return json.dumps(v)


def compare_kpis(c, p, r):
    for k in ["members", "new_members", "active_30_days", "active_90_days", "buyers",
              "repeat_buyers", "purchases", "revenue", "average_order_value"]:
        c.exact(k, p.get(k), r.get(k))
    c.rounded("repeat_purchase_rate", p.get("repeat_purchase_rate"),
              r.get("repeat_purchase_rate"), 2)
    c.rounded("purchase_frequency", p.get("purchase_frequency"), r.get("purchase_frequency"), 2)
    pl = {x["location"]: x for x in p.get("by_location", [])}
    rl = {x["location"]: x for x in r.get("by_location", [])}
    for loc in sorted(set(pl) | set(rl), key=lambda s: (s is not None, s or "")):
        for k in ["purchases", "buyers", "revenue"]:
            c.exact("by_location[%s].%s" % (loc, k), pl.get(loc, {}).get(k),
                    rl.get(loc, {}).get(k))


def compare_rfm(c, p, r):
    c.exact("scored_members", p.get("scored_members"), r.get("scored_members"))
    ps = {s["segment"]: s for s in p.get("segments", [])}
    rs = {s["segment"]: s for s in r.get("segments", [])}
    for name in [s["segment"] for s in r.get("segments", [])] + sorted(set(ps) - set(rs)):
        for k in ["members", "revenue", "member_ids"]:
            c.exact("%s.%s" % (name, k), ps.get(name, {}).get(k), rs.get(name, {}).get(k))


def compare_pareto(c, p, r):
    for k in ["buyers", "revenue", "top_percent", "top_members", "top_revenue"]:
        c.exact(k, p.get(k), r.get(k))
    c.rounded("top_revenue_share", p.get("top_revenue_share"), r.get("top_revenue_share"), 2)
    c.rounded("gini", p.get("gini"), r.get("gini"), 4)
    pl, rl = p.get("lorenz", []), r.get("lorenz", [])
    c.exact("lorenz points", len(pl), len(rl))
    for i, (a, b) in enumerate(zip(pl, rl)):
        c.rounded("lorenz[%d].population" % i, a["population"], b["population"], 4)
        c.rounded("lorenz[%d].revenue_share" % i, a["revenue_share"], b["revenue_share"], 4)


def compare_churn(c, p, r):
    c.exact("lost_after_days", p.get("lost_after_days"), r.get("lost_after_days"))
    pp, rp = p.get("periods", []), r.get("periods", [])
    c.exact("months", len(pp), len(rp))
    for i, (a, b) in enumerate(zip(pp, rp)):
        tag = "periods[%s]" % b["from"][:10]
        for k in ["from", "to", "at_start", "lost"]:
            c.exact("%s.%s" % (tag, k), a.get(k), b.get(k))
        c.rounded(tag + ".churn_rate", a.get("churn_rate"), b.get("churn_rate"), 2)
    po, ro = p.get("overall", {}), r.get("overall", {})
    for k in ["at_start", "lost"]:
        c.exact("overall." + k, po.get(k), ro.get(k))
    c.rounded("overall.churn_rate", po.get("churn_rate"), ro.get("churn_rate"), 2)


COMPARE = {"kpis": compare_kpis, "rfm": compare_rfm, "pareto": compare_pareto,
           "churn": compare_churn}


def times(x):
    return "%.1f" % x if x >= 10 else "%.2f" % x


def read_time(path):
    with open(path) as f:
        wall, rss, rc = f.read().split()
    return float(wall), int(rss), int(rc)


def cmd_table(d):
    ref = json.load(open(os.path.join(d, "ref.json")))
    loy = {}
    for r in REPORTS:
        wall, rss, rc = read_time(os.path.join(d, r + ".time"))
        doc = None
        if rc == 0:
            try:
                doc = json.load(open(os.path.join(d, r + ".json")))
            except ValueError:
                doc = None
        loy[r] = (wall, rss, rc, doc)

    print("")
    print("| report | loyalty s | pandas compute s | speed-up | target | result |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    tl = tp = 0.0
    for r in REPORTS:
        wall, _, rc, _ = loy[r]
        ps = ref["seconds"][r]
        tl += wall
        tp += ps
        sp = ps / wall
        print("| %s | %.3f | %.3f | %s x | >= %g x | %s |"
              % (r, wall, ps, times(sp), SPEEDUP_TARGET,
                 "PASS" if rc == 0 and sp >= SPEEDUP_TARGET else "MISS"))
    ok = all(loy[r][2] == 0 for r in REPORTS)
    print("| total | %.3f | %.3f | %s x | >= %g x | %s |"
          % (tl, tp, times(tp / tl), SPEEDUP_TARGET,
             "PASS" if ok and tp / tl >= SPEEDUP_TARGET else "MISS"))
    lm = max(loy[r][1] for r in REPORTS)
    worst = max(REPORTS, key=lambda r: loy[r][1])
    pm = ref["peak_rss_kb"]
    print("")
    print("| peak memory | loyalty MB (max of 4: %s) | pandas MB (whole process) | ratio "
          "| target | result |" % worst)
    print("| --- | ---: | ---: | ---: | --- | --- |")
    print("| peak RSS | %.1f | %.1f | %.3f (1/%.1f) | <= 1/5 | %s |"
          % (lm / 1024, pm / 1024, lm / pm, pm / lm,
             "PASS" if lm <= MEMORY_TARGET * pm else "MISS"))
    print("")
    print("per report, loyalty peak RSS MB: %s; pandas peak RSS after the load %.1f MB"
          % (", ".join("%s %.1f" % (r, loy[r][1] / 1024) for r in REPORTS),
             ref["peak_rss_kb_after_load"] / 1024))
    k = ref["reports"]["kpis"]
    print("in the period: %d purchases by %d buyers, %d members (%d new)"
          % (k["purchases"], k["buyers"], k["members"], k["new_members"]))
    print("pandas load (sqlite3 -> DataFrames, not compared): %.2f s for %d purchases and %d "
          "members; pandas %s, numpy %s, Python %s, SQLite %s"
          % (ref["load_seconds"], ref["rows"]["purchases"], ref["rows"]["members"],
             ref["versions"]["pandas"], ref["versions"]["numpy"], ref["versions"]["python"],
             ref["versions"]["sqlite"]))

    print("")
    print("Figures (loyalty vs pandas: counts and money exact, rates and shares to the 2 decimals "
          "the product prints, Gini and Lorenz to its 4):")
    total_bad = 0
    for r in REPORTS:
        wall, _, rc, doc = loy[r]
        if doc is None:
            print("  %-7s loyalty failed (exit %d), nothing to compare" % (r, rc))
            total_bad += 1
            continue
        c = Cmp()
        COMPARE[r](c, doc, ref["reports"][r])
        if c.bad:
            print("  %-7s DISAGREE on %d of %d figures:" % (r, len(c.bad), c.n))
            for b in c.bad:
                print("          %s" % b)
        else:
            print("  %-7s agree (%d figures)" % (r, c.n))
        total_bad += len(c.bad)
    return total_bad


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "period":
        merchant = None
        if len(sys.argv) > 4 and sys.argv[3] == "--merchant":
            merchant = int(sys.argv[4])
        cmd_period(sys.argv[2], merchant)
    elif cmd == "run":
        cmd_run(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    elif cmd == "table":
        cmd_table(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
