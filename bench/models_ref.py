#!/usr/bin/env python3
"""numpy/scipy reference for bench/models: the BG/NBD, Pareto/NBD and Gamma-Gamma
log-likelihoods written in vectorised numpy (scipy.special.gammaln, hyp2f1), maximised with
scipy.optimize.minimize over log-parameters from all-ones (Gamma-Gamma: p = q = 1,
gamma = mean zbar), as the lifetimes library does. Prints one line per fit, in the format of
bench_models:

  FIT <case> <model> <seconds> <loglik> <converged> <evals> <rows> <name>=<value> ...

  models_ref.py [--cdnow PATH] [--sim PATH] [--method L-BFGS-B|Nelder-Mead] [--grouped]
                [--only bgnbd,pnbd,gg] [--budget SECONDS] [--skip-cdnow]

--sim is the CSV written by bench_models (x, t_x in days, T in days, zbar); times are turned
into weeks as days / 7.0, the same doubles the C side fits. Each row is one customer (no
grouping), like lifetimes; --grouped adds fits "<model>@grouped" on the distinct (x, t_x, T)
rows with counts as weights (np.unique, timed with the fit), the trick the library uses.
A fit that runs over --budget is abandoned and printed as
  TIMEOUT <case> <model> <seconds so far> <rows>
Seconds are wall-clock for the whole fit, data already in memory.
"""
import argparse
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1


def bgnbd_ll(th, x, tx, T, w):
    r, alpha, a, b = np.exp(th)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    pos = x > 0
    a4 = np.where(pos, np.log(a) - np.log(np.where(pos, b + x - 1.0, 1.0))
                  - (r + x) * np.log(alpha + tx), -np.inf)
    return np.sum(w * (a1 + a2 + np.logaddexp(a3, a4)))


def pnbd_ll(th, x, tx, T, w):
    r, alpha, s, beta = np.exp(th)
    m = r + s + x
    if alpha >= beta:
        M, k, d = alpha, s + 1.0, alpha - beta
    else:
        M, k, d = beta, r + x, beta - alpha
    tx = np.where(x > 0, tx, 0.0)
    l1 = np.log(hyp2f1(m, k, m + 1.0, d / (M + tx))) - m * np.log(M + tx)
    l2 = np.log(hyp2f1(m, k, m + 1.0, d / (M + T))) - m * np.log(M + T)
    with np.errstate(divide="ignore"):
        log_a0 = l1 + np.log(-np.expm1(l2 - l1))  # -inf where t_x = T (A0 = 0)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    a2 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    a3 = np.log(s) - np.log(m) + log_a0
    return np.sum(w * (a1 + np.logaddexp(a2, a3)))


def gg_ll(th, x, z, w):
    p, q, g = np.exp(th)
    px = p * x
    return np.sum(w * (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
                       + (px - 1.0) * np.log(z) + px * np.log(x) - (px + q) * np.log(g + x * z)))


class OverBudget(Exception):
    pass


BUDGET = [0.0]  # seconds per fit; 0: none


def fit(ll, th0, args, wsum, method):
    nevals = [0]
    start = time.perf_counter()

    def f(th):
        nevals[0] += 1
        if BUDGET[0] > 0 and time.perf_counter() - start > BUDGET[0]:
            raise OverBudget()
        with np.errstate(over="ignore", invalid="ignore"):
            v = -ll(th, *args) / wsum
        return v if np.isfinite(v) else np.inf

    if method == "Nelder-Mead":
        res = minimize(f, th0, method="Nelder-Mead",
                       options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20000,
                                "maxfev": 20000})
    else:
        res = minimize(f, th0, method="L-BFGS-B", options={"ftol": 1e-14, "gtol": 1e-9,
                                                           "maxiter": 2000})
    return res, nevals[0]


def report(case, model, secs, res, evals, rows, names, wsum):
    ps = " ".join("%s=%.10g" % (n, v) for n, v in zip(names, np.exp(res.x)))
    print("FIT %s %s %.6f %.10g %d %d %d %s" % (case, model, secs, -res.fun * wsum,
                                               1 if res.success else 0, evals, rows, ps))
    sys.stdout.flush()


def run_case(case, x, tx, T, z, method, grouped, only):
    n = float(len(x))
    w1 = np.ones_like(x)
    variants = [("", (x, tx, T, w1), len(x))]
    if grouped:
        variants.append(("@grouped", None, 0))
    for model, ll, names in (("bgnbd", bgnbd_ll, ("r", "alpha", "a", "b")),
                             ("pnbd", pnbd_ll, ("r", "alpha", "s", "beta"))):
        if model not in only:
            continue
        for suffix, args, rows in variants:
            t0 = time.perf_counter()
            if args is None:
                u, cnt = np.unique(np.stack([x, tx, T], axis=1), axis=0, return_counts=True)
                args, rows = (u[:, 0], u[:, 1], u[:, 2], cnt.astype(float)), len(u)
            try:
                res, ev = fit(ll, np.zeros(4), args, n, method)
            except OverBudget:
                print("TIMEOUT %s %s %.6f %d" % (case, model + suffix, time.perf_counter() - t0,
                                                 rows))
                sys.stdout.flush()
                continue
            secs = time.perf_counter() - t0
            report(case, model + suffix, secs, res, ev, rows, names, n)
    if "gg" in only:
        pos = x > 0
        xp, zp = x[pos], z[pos]
        t0 = time.perf_counter()
        th0 = np.log([1.0, 1.0, zp.mean()])
        res, ev = fit(gg_ll, th0, (xp, zp, np.ones_like(xp)), float(len(xp)), method)
        secs = time.perf_counter() - t0
        report(case, "gg", secs, res, ev, len(xp), ("p", "q", "gamma"), float(len(xp)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cdnow", default="tests/data/cdnow/cdnow_customers_summary_with_transactions.csv")
    ap.add_argument("--sim")
    ap.add_argument("--method", default="L-BFGS-B", choices=["L-BFGS-B", "Nelder-Mead"])
    ap.add_argument("--grouped", action="store_true")
    ap.add_argument("--only", default="bgnbd,pnbd,gg")
    ap.add_argument("--budget", type=float, default=0.0,
                    help="give up a fit after this many seconds (prints TIMEOUT)")
    ap.add_argument("--skip-cdnow", action="store_true")
    o = ap.parse_args()
    BUDGET[0] = o.budget
    only = set(o.only.split(","))
    c = np.loadtxt(o.cdnow, delimiter=",", skiprows=1)
    if not o.skip_cdnow:
        run_case("cdnow", c[:, 1], c[:, 2], c[:, 3], c[:, 4], o.method, o.grouped, only)
    if o.sim:
        s = np.loadtxt(o.sim, delimiter=",", skiprows=1)
        run_case("sim", s[:, 0], s[:, 1] / 7.0, s[:, 2] / 7.0, s[:, 3], o.method, o.grouped, only)


if __name__ == "__main__":
    main()
