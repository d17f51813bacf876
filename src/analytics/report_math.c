/* Pure report arithmetic: quantiles, quintile scores, RFM segments, Lorenz and Gini, churn and
 * cohort helpers (see report_math.h for the definitions). */
#include "analytics/report_math.h"

#include <math.h>
#include <string.h>

#include "util/time.h"

double loy_rpt_quantile(const int64_t *sorted, size_t n, double q)
{
    if (n == 0) return 0;
    if (q <= 0) return (double)sorted[0];
    if (q >= 1) return (double)sorted[n - 1];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)h;
    double frac = h - (double)lo;
    if (lo + 1 >= n) return (double)sorted[n - 1];
    return (double)sorted[lo] + frac * (double)(sorted[lo + 1] - sorted[lo]);
}

double loy_rpt_median(const int64_t *sorted, size_t n)
{
    return loy_rpt_quantile(sorted, n, 0.5);
}

/* Number of values in sorted[0..n) strictly below v. */
static size_t count_below(const int64_t *sorted, size_t n, int64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void loy_rpt_quintiles(int *out, const int64_t *v, const int64_t *sorted, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = 1 + (int)(5 * count_below(sorted, n, v[i]) / n);
}

static const loy_rfm_segment grid[5][5] = {
    /* R = 1 */ {LOY_SEG_LOST, LOY_SEG_LOST, LOY_SEG_AT_RISK, LOY_SEG_CANNOT_LOSE,
                 LOY_SEG_CANNOT_LOSE},
    /* R = 2 */
    {LOY_SEG_HIBERNATING, LOY_SEG_HIBERNATING, LOY_SEG_AT_RISK, LOY_SEG_AT_RISK,
     LOY_SEG_CANNOT_LOSE},
    /* R = 3 */
    {LOY_SEG_ABOUT_TO_SLEEP, LOY_SEG_ABOUT_TO_SLEEP, LOY_SEG_NEED_ATTENTION, LOY_SEG_LOYAL,
     LOY_SEG_LOYAL},
    /* R = 4 */
    {LOY_SEG_PROMISING, LOY_SEG_POTENTIAL_LOYALISTS, LOY_SEG_POTENTIAL_LOYALISTS, LOY_SEG_LOYAL,
     LOY_SEG_CHAMPIONS},
    /* R = 5 */
    {LOY_SEG_NEW, LOY_SEG_POTENTIAL_LOYALISTS, LOY_SEG_POTENTIAL_LOYALISTS, LOY_SEG_CHAMPIONS,
     LOY_SEG_CHAMPIONS}};

static int clamp5(int s)
{
    return s < 1 ? 1 : s > 5 ? 5 : s;
}

loy_rfm_segment loy_rpt_rfm_segment(int r, int f, int m)
{
    int fm = (clamp5(f) + clamp5(m) + 1) / 2;
    return grid[clamp5(r) - 1][fm - 1];
}

static const char *const segment_names[LOY_SEG_COUNT] = {"champions",
                                                         "loyal",
                                                         "potential_loyalists",
                                                         "new",
                                                         "promising",
                                                         "need_attention",
                                                         "about_to_sleep",
                                                         "at_risk",
                                                         "cannot_lose_them",
                                                         "hibernating",
                                                         "lost"};

const char *loy_rpt_segment_name(loy_rfm_segment s)
{
    return (unsigned)s < LOY_SEG_COUNT ? segment_names[s] : "unknown";
}

bool loy_rpt_segment_parse(const char *name, loy_rfm_segment *out)
{
    for (int i = 0; name && i < LOY_SEG_COUNT; i++)
        if (strcmp(name, segment_names[i]) == 0) {
            *out = (loy_rfm_segment)i;
            return true;
        }
    return false;
}

void loy_rpt_lorenz(double *out, size_t npoints, const int64_t *sorted, size_t n)
{
    double total = 0;
    for (size_t k = 0; k < n; k++) total += (double)sorted[k];
    size_t k = 0;   /* values summed so far */
    double cum = 0; /* their sum */
    for (size_t i = 0; i < npoints; i++) {
        if (n == 0 || total <= 0) {
            out[i] = 0;
            continue;
        }
        double x = (double)n * (double)i / (double)(npoints - 1); /* population position */
        while (k < n && (double)(k + 1) <= x) cum += (double)sorted[k++];
        double frac = x - (double)k;
        double part = k < n && frac > 0 ? frac * (double)sorted[k] : 0;
        out[i] = (cum + part) / total;
    }
    if (npoints && n && total > 0) out[npoints - 1] = 1;
}

double loy_rpt_gini(const int64_t *sorted, size_t n)
{
    double total = 0, weighted = 0;
    for (size_t i = 0; i < n; i++) {
        total += (double)sorted[i];
        weighted += (double)(i + 1) * (double)sorted[i];
    }
    if (n == 0 || total <= 0) return 0;
    double dn = (double)n;
    return 2 * weighted / (dn * total) - (dn + 1) / dn;
}

double loy_rpt_top_share(const int64_t *sorted, size_t n, int pct, size_t *count)
{
    size_t top = (n * (size_t)pct + 99) / 100;
    if (top > n) top = n;
    *count = top;
    double total = 0, part = 0;
    for (size_t i = 0; i < n; i++) {
        total += (double)sorted[i];
        if (i >= n - top) part += (double)sorted[i];
    }
    return total > 0 ? part / total : 0;
}

void loy_rpt_active_at(bool *active, const int64_t *bounds, size_t nb, const int64_t *times,
                       size_t nt, int64_t window)
{
    size_t lo = 0;
    for (size_t i = 0; i < nb; i++) {
        while (lo < nt && times[lo] < bounds[i] - window) lo++;
        active[i] = lo < nt && times[lo] < bounds[i];
    }
}

int64_t loy_rpt_month_of(int64_t local_seconds)
{
    int y, m, d;
    loy_civil_from_days(loy_day_of(local_seconds), &y, &m, &d);
    return (int64_t)y * 12 + m - 1;
}

int64_t loy_rpt_month_start(int64_t month)
{
    int64_t y = month >= 0 ? month / 12 : -((-month + 11) / 12);
    int m = (int)(month - y * 12) + 1;
    return loy_days_from_civil((int)y, m, 1) * LOY_DAY;
}

double loy_rpt_monthly_churn(const int64_t *lost, const int64_t *at_start, const double *months,
                             size_t n)
{
    double l = 0, exposure = 0;
    for (size_t i = 0; i < n; i++) {
        l += (double)lost[i];
        exposure += (double)at_start[i] * months[i];
    }
    return exposure > 0 ? l / exposure : NAN;
}

void loy_rpt_nps(int64_t promoters, int64_t passives, int64_t detractors, double z, loy_nps *out)
{
    int64_t n = promoters + passives + detractors;
    out->responses = n;
    out->nps = n ? 100.0 * (double)(promoters - detractors) / (double)n : NAN;
    double na = (double)n + 3.0, p = ((double)promoters + 0.75) / na,
           d = ((double)detractors + 0.75) / na;
    double mid = p - d, se = sqrt((p + d - mid * mid) / na);
    out->low = fmax(-100.0, 100.0 * (mid - z * se));
    out->high = fmin(100.0, 100.0 * (mid + z * se));
}

double loy_rpt_pct(int64_t num, int64_t den)
{
    return den ? 100.0 * (double)num / (double)den : NAN;
}

double loy_rpt_ratio(int64_t num, int64_t den)
{
    return den ? (double)num / (double)den : NAN;
}

int64_t loy_rpt_div_round(int64_t num, int64_t den)
{
    if (den == 0) return 0;
    if (den < 0) {
        num = -num;
        den = -den;
    }
    return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

int64_t loy_rpt_muldiv(int64_t a, int64_t b, int64_t d)
{
    int64_t q = a / d, r = a % d;
    return q * b + loy_rpt_div_round(r * b, d);
}
