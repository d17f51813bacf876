#!/usr/bin/env python3
"""pandas reference for bench/analytics: the kpis, rfm, pareto and churn reports of
docs/reports.md computed with pandas from the same SQLite database the product reads.

  analytics_ref.py --db FILE --from DATE --to DATE [--merchant ID] [--days 90] [--top 20]
                   [--points 11] [--limit 20] [--location CODE] [--repeat N]

LOAD (timed, not part of the compared figure): with Python's sqlite3 module, in chunks of 10^6
rows (pandas.read_sql_query(chunksize=...)), the merchant's purchases that are not wholly
refunded (member_id, amount - refunded, occurred_at, location_code) and its members (id,
joined_at, location_code) into two DataFrames (int64 columns, location codes categorical); the
time zone from the active programme (highest version), as the product reads it.

COMPUTE (timed with time.perf_counter, each report on its own from the two frames, as each
`loyalty report` is its own process; with --repeat N each report N times, the fastest counts):
vectorised pandas -- boolean masks, groupby/agg, nunique,
rank(method="min"), integer arithmetic -- one pass per figure as an analyst would write it.
Period bounds follow the product: a date is local midnight in the merchant's zone (`to`: the
midnight after it), localised with pandas (tz_localize, the IANA zone from tzdata), so zones
with daylight saving time are handled too; calendar months for churn are pandas month starts
in that zone.

Prints one JSON document on standard output: {"load_seconds", "compute_seconds" (the sum),
"seconds": {report: s}, "peak_rss_kb_after_load", "peak_rss_kb" (ru_maxrss of the whole
process at the end), "versions", "reports": {kpis, rfm, pareto, churn}}. Figures are the
product's JSON fields; rates, shares and the Gini coefficient are unrounded (the comparison
rounds them the way the product prints them). A short summary goes to standard error.
"""
import argparse
import json
import resource
import sqlite3
import sys
import time

import numpy as np
import pandas as pd

DAY = 86400

SEGMENTS = ["champions", "loyal", "potential_loyalists", "new", "promising", "need_attention",
            "about_to_sleep", "at_risk", "cannot_lose_them", "hibernating", "lost"]
# docs/reports.md: rows R = 1..5, columns FM = 1..5
GRID = np.array([
    ["lost", "lost", "at_risk", "cannot_lose_them", "cannot_lose_them"],
    ["hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose_them"],
    ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
    ["promising", "potential_loyalists", "potential_loyalists", "loyal", "champions"],
    ["new", "potential_loyalists", "potential_loyalists", "champions", "champions"],
])
GRID_CODES = np.vectorize(SEGMENTS.index)(GRID)


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


# ---------------------------------------------------------------- load

def load(db, merchant):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    if merchant is None:
        merchant = con.execute("SELECT id FROM merchants ORDER BY id LIMIT 1").fetchone()[0]
    body = con.execute("SELECT body FROM programmes WHERE merchant_id = ? ORDER BY version DESC "
                       "LIMIT 1", (merchant,)).fetchone()[0]
    tz = json.loads(body)["merchant"]["timezone"]
    codes = [r[0] for r in con.execute("SELECT code FROM locations WHERE merchant_id = ? "
                                       "ORDER BY code", (merchant,))]
    loc = pd.CategoricalDtype(codes)

    def frame(sql, ints):
        parts = []
        for chunk in pd.read_sql_query(sql, con, params=(merchant,), chunksize=1_000_000):
            chunk = chunk.astype({c: "int64" for c in ints})
            chunk["location_code"] = chunk["location_code"].astype(loc)
            parts.append(chunk)
        if not parts:
            return pd.DataFrame({**{c: pd.Series(dtype="int64") for c in ints},
                                 "location_code": pd.Series(dtype=loc)})
        return pd.concat(parts, ignore_index=True)

    purchases = frame("SELECT member_id, amount - refunded AS revenue, occurred_at, location_code "
                      "FROM purchases WHERE merchant_id = ? AND refunded < amount",
                      ["member_id", "revenue", "occurred_at"])
    members = frame("SELECT id, joined_at, location_code FROM members WHERE merchant_id = ?",
                    ["id", "joined_at"])
    con.close()
    return purchases, members, tz


# ---------------------------------------------------------------- period

def instant(text, tz, end):
    """A report bound as the product reads it: YYYY-MM-DD is local midnight (end: the next one),
    anything else an ISO 8601 instant. Epoch seconds."""
    if len(text) == 10:
        day = pd.Timestamp(text) + pd.Timedelta(days=1 if end else 0)
        return day.tz_localize(tz).value // 10**9
    ts = pd.Timestamp(text)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.value // 10**9


def month_bounds(f, t, tz):
    """from, each local month start inside (from, to), to -- epoch seconds."""
    local_from = pd.Timestamp(f, unit="s", tz="UTC").tz_convert(tz).tz_localize(None)
    local_to = pd.Timestamp(t, unit="s", tz="UTC").tz_convert(tz).tz_localize(None)
    starts = pd.date_range(local_from.to_period("M").to_timestamp() + pd.offsets.MonthBegin(1),
                           local_to, freq="MS").tz_localize(tz)
    inner = [int(s.value // 10**9) for s in starts if f < s.value // 10**9 < t]
    return [f] + inner + [t]


# ---------------------------------------------------------------- reports

def in_period(p, f, t):
    return p[(p["occurred_at"] >= f) & (p["occurred_at"] < t)]


def report_kpis(p, m, f, t):
    joined = m.loc[m["joined_at"] < t, "joined_at"]
    inp = in_period(p, f, t)
    per_member = inp.groupby("member_id").size()
    recent = p[(p["occurred_at"] >= t - 90 * DAY) & (p["occurred_at"] < t)]
    buyers, purchases = len(per_member), len(inp)
    repeat = int((per_member >= 2).sum())
    revenue = int(inp["revenue"].sum())
    # grouped by the category codes: -1 is a purchase without a location (SQL's NULL group;
    # pandas 1.5 drops NaN categories even with dropna=False)
    codes = inp["location_code"].cat.codes.rename("location")
    by_loc = (inp.groupby(codes).agg(purchases=("member_id", "size"),
                                     buyers=("member_id", "nunique"), revenue=("revenue", "sum")))
    names = inp["location_code"].cat.categories
    return {
        "members": len(joined),
        "new_members": int((joined >= f).sum()),
        "active_30_days": int(recent.loc[recent["occurred_at"] >= t - 30 * DAY, "member_id"]
                              .nunique()),
        "active_90_days": int(recent["member_id"].nunique()),
        "buyers": buyers,
        "repeat_buyers": repeat,
        "repeat_purchase_rate": 100.0 * repeat / buyers if buyers else None,
        "purchases": purchases,
        "purchase_frequency": purchases / buyers if buyers else None,
        "revenue": revenue,
        # revenue / purchases rounded to the minor unit, halves up (revenue is never negative)
        "average_order_value": (revenue + purchases // 2) // purchases if purchases else 0,
        "by_location": [{"location": None if code < 0 else names[code],
                         "purchases": int(r.purchases), "buyers": int(r.buyers),
                         "revenue": int(r.revenue)} for code, r in by_loc.iterrows()],
    }


def report_rfm(p, f, t, limit):
    g = (in_period(p, f, t).groupby("member_id")
         .agg(last=("occurred_at", "max"), frequency=("occurred_at", "size"),
              monetary=("revenue", "sum")))
    n = len(g)
    recency = (t - g["last"]) // DAY

    def quintile(better):  # 1 + floor(5 x (members with a worse value) / n); ties share a score
        worse = better.rank(method="min").astype("int64") - 1
        return 1 + (5 * worse) // n

    r = quintile(-recency)
    fm = (quintile(g["frequency"]) + quintile(g["monetary"]) + 1) // 2
    g["segment"] = pd.Categorical.from_codes(GRID_CODES[r.to_numpy() - 1, fm.to_numpy() - 1],
                                             categories=SEGMENTS)
    seg = g.groupby("segment", observed=False)["monetary"].agg(["size", "sum"])
    ids = g.groupby("segment", observed=False).head(limit)  # index ascending: groupby sorted it
    ids_by = ids.reset_index().groupby("segment", observed=False)["member_id"].agg(list)
    return {
        "scored_members": n,
        "segments": [{"segment": s, "members": int(seg.loc[s, "size"]),
                      "revenue": int(seg.loc[s, "sum"]),
                      "member_ids": [int(x) for x in ids_by.get(s, [])]} for s in SEGMENTS],
    }


def report_pareto(p, f, t, top, points):
    rev = in_period(p, f, t).groupby("member_id")["revenue"].sum()
    x = np.sort(rev[rev > 0].to_numpy())
    n, total = len(x), int(x.sum())
    k = min(n, -(-n * top // 100))  # ceil(n x top / 100)
    top_revenue = int(x[n - k:].sum()) if k else 0
    cum = np.concatenate([[0], np.cumsum(x)]).astype(float)
    pos = n * np.arange(points) / (points - 1)
    lorenz = np.interp(pos, np.arange(n + 1), cum) / total if total else np.zeros(points)
    gini = (2 * np.dot(np.arange(1, n + 1, dtype=float), x.astype(float)) / (n * total)
            - (n + 1) / n) if n else None
    return {
        "buyers": n, "revenue": total, "top_percent": top, "top_members": k,
        "top_revenue": top_revenue,
        "top_revenue_share": 100.0 * top_revenue / total if total else None,
        "gini": gini,
        "lorenz": [{"population": i / (points - 1), "revenue_share": float(v)}
                   for i, v in enumerate(lorenz)],
    }


def report_churn(p, f, t, tz, days):
    w = days * DAY
    bounds = month_bounds(f, t, tz)
    q = p.loc[(p["occurred_at"] >= f - w) & (p["occurred_at"] < t), ["member_id", "occurred_at"]]
    # members active at each boundary b: a counted purchase in [b - w, b)
    active = [q.loc[(q["occurred_at"] >= b - w) & (q["occurred_at"] < b), "member_id"].unique()
              for b in bounds]

    def cell(a, b, lo, hi):
        at_start = len(a)
        lost = len(np.setdiff1d(a, b, assume_unique=True))
        return {"from": iso(lo), "to": iso(hi), "at_start": at_start, "lost": lost,
                "churn_rate": 100.0 * lost / at_start if at_start else None}

    periods = [cell(active[i], active[i + 1], bounds[i], bounds[i + 1])
               for i in range(len(bounds) - 1)]
    overall = cell(active[0], active[-1], f, t)
    del overall["from"], overall["to"]
    return {"lost_after_days": days, "periods": periods, "overall": overall}


def iso(s):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--merchant", type=int)
    ap.add_argument("--from", dest="frm", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--points", type=int, default=11)
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--location", help="purchases made there; kpis: members whose home it is")
    ap.add_argument("--repeat", type=int, default=1,
                    help="compute each report this many times; its time is the fastest")
    o = ap.parse_args()

    t0 = time.perf_counter()
    purchases, members, tz = load(o.db, o.merchant)
    load_s = time.perf_counter() - t0
    rss_load = peak_rss_kb()

    secs, reports = {}, {}

    def timed(name, fn):
        for _ in range(o.repeat):
            c0 = time.perf_counter()
            reports[name] = fn()
            s = time.perf_counter() - c0
            secs[name] = min(s, secs.get(name, s))

    # the period's bounds and the location are part of every report's compute, as in the product
    def bounds():
        return instant(o.frm, tz, False), instant(o.to, tz, True)

    def at(df):
        return df if o.location is None else df[df["location_code"] == o.location]

    timed("kpis", lambda: report_kpis(at(purchases), at(members), *bounds()))
    timed("rfm", lambda: report_rfm(at(purchases), *bounds(), o.limit))
    timed("pareto", lambda: report_pareto(at(purchases), *bounds(), o.top, o.points))
    timed("churn", lambda: report_churn(at(purchases), *bounds(), tz, o.days))
    f, t = bounds()
    out = {
        "db": o.db, "time_zone": tz, "from": iso(f), "to": iso(t), "location": o.location,
        "rows": {"purchases": len(purchases), "members": len(members)},
        "load_seconds": load_s,
        "seconds": secs,
        "compute_seconds": sum(secs.values()),
        "peak_rss_kb_after_load": rss_load,
        "peak_rss_kb": peak_rss_kb(),
        "versions": {"python": sys.version.split()[0], "pandas": pd.__version__,
                     "numpy": np.__version__, "sqlite": sqlite3.sqlite_version},
        "reports": reports,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    print("pandas: load %.2f s (%d purchases, %d members), compute %.3f s (%s), peak RSS %.0f MB"
          % (load_s, len(purchases), len(members), out["compute_seconds"],
             ", ".join("%s %.3f" % kv for kv in secs.items()), out["peak_rss_kb"] / 1024),
          file=sys.stderr)


if __name__ == "__main__":
    main()
