/* Pure report arithmetic: quantiles, quintile scores, RFM segments, Lorenz curve and Gini, top-k%
 * share, churn and cohort arithmetic. No I/O, no globals, no allocation. */
#ifndef LOY_ANALYTICS_REPORT_MATH_H
#define LOY_ANALYTICS_REPORT_MATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Quantile q (0..1) of `sorted` (ascending, n > 0) by linear interpolation between order
 * statistics (Hyndman-Fan type 7, the default of R and numpy): h = (n - 1) q. 0 when n == 0. */
double loy_rpt_quantile(const int64_t *sorted, size_t n, double q);
/* The median: loy_rpt_quantile(sorted, n, 0.5). */
double loy_rpt_median(const int64_t *sorted, size_t n);

/* Quintile scores 1..5 where higher values are better: score = 1 + floor(5 * below / n), where
 * `below` counts the values strictly smaller than this one. Equal values get equal scores.
 * `sorted` is an ascending copy of `v` (the caller sorts it). out[i] is the score of v[i]. */
void loy_rpt_quintiles(int *out, const int64_t *v, const int64_t *sorted, size_t n);

typedef enum {
    LOY_SEG_CHAMPIONS = 0,
    LOY_SEG_LOYAL,
    LOY_SEG_POTENTIAL_LOYALISTS,
    LOY_SEG_NEW,
    LOY_SEG_PROMISING,
    LOY_SEG_NEED_ATTENTION,
    LOY_SEG_ABOUT_TO_SLEEP,
    LOY_SEG_AT_RISK,
    LOY_SEG_CANNOT_LOSE,
    LOY_SEG_HIBERNATING,
    LOY_SEG_LOST,
    LOY_SEG_COUNT
} loy_rfm_segment;

/* The segment of recency, frequency and monetary scores (1..5 each): FM = (F + M + 1) / 2
 * (their mean, halves rounded up), then the R x FM grid of docs/reports.md:
 *
 *   R\FM  1               2               3               4            5
 *   5     new             potential       potential       champions    champions
 *   4     promising       potential       potential       loyal        champions
 *   3     about_to_sleep  about_to_sleep  need_attention  loyal        loyal
 *   2     hibernating     hibernating     at_risk         at_risk      cannot_lose
 *   1     lost            lost            at_risk         cannot_lose  cannot_lose */
loy_rfm_segment loy_rpt_rfm_segment(int r, int f, int m);
/* "champions", "loyal", "potential_loyalists", "new", "promising", "need_attention",
 * "about_to_sleep", "at_risk", "cannot_lose_them", "hibernating", "lost". */
const char *loy_rpt_segment_name(loy_rfm_segment s);
/* The segment of a name above; false for any other text. */
bool loy_rpt_segment_parse(const char *name, loy_rfm_segment *out);

/* Lorenz curve of `sorted` (ascending, non-negative, n > 0, positive total) at npoints (>= 2)
 * evenly spaced population shares p_i = i / (npoints - 1): the share of the total held by the
 * poorest p_i of the population, linear between the points (k/n, S_k/S). out[i] in 0..1. */
void loy_rpt_lorenz(double *out, size_t npoints, const int64_t *sorted, size_t n);
/* Gini coefficient of `sorted` (ascending, non-negative): 2 sum(i x_i) / (n S) - (n + 1) / n
 * with i = 1..n; 0 for n == 0 or a zero total. Equals 1 - 2 x the area under the Lorenz curve. */
double loy_rpt_gini(const int64_t *sorted, size_t n);
/* Share (0..1) of the total held by the top `pct` percent (1..100) of `sorted` (ascending): the
 * ceil(n * pct / 100) largest values. *count = how many values that is. 0 for a zero total. */
double loy_rpt_top_share(const int64_t *sorted, size_t n, int pct, size_t *count);

/* Activity at instants: active[i] = some t in times (ascending) lies in [bounds[i] - window,
 * bounds[i]). bounds ascending. O(nt + nb). */
void loy_rpt_active_at(bool *active, const int64_t *bounds, size_t nb, const int64_t *times,
                       size_t nt, int64_t window);

/* Month number of a local wall-clock time (seconds): year * 12 + month - 1. */
int64_t loy_rpt_month_of(int64_t local_seconds);
/* Local wall-clock seconds of the first instant of a month number. */
int64_t loy_rpt_month_start(int64_t month);

/* Churn per month of exposure: sum(lost[i]) / sum(at_start[i] * months[i]) over n periods, where
 * months[i] is the length of period i in months (a partial month counts its fraction); NAN when
 * the exposure is 0. */
double loy_rpt_monthly_churn(const int64_t *lost, const int64_t *at_start, const double *months,
                             size_t n);

/* Net Promoter Score of counts of promoters (9-10), passives (7-8) and detractors (0-6), in
 * points from -100 to 100, with a confidence interval by the adjusted Wald method (Rocks 2016,
 * "Interval estimation for the Net Promoter Score", The American Statistician 70(4)): add 3 to
 * n and 3/4 to the promoters and the detractors, then nps' +/- z sqrt((p' + d' - (p' - d')^2) / n')
 * with p', d' the adjusted shares, clipped to [-100, 100]. z = 1.959964 for 95 %. */
typedef struct {
    int64_t responses;
    double nps;       /* 100 (P - D) / n, NAN when n == 0 */
    double low, high; /* the interval, in points */
} loy_nps;
void loy_rpt_nps(int64_t promoters, int64_t passives, int64_t detractors, double z, loy_nps *out);

/* 100 * num / den; NAN when den == 0. */
double loy_rpt_pct(int64_t num, int64_t den);
/* num / den as a double; NAN when den == 0. */
double loy_rpt_ratio(int64_t num, int64_t den);
/* a * b / d rounded half away from zero, without overflow for |a| < 2^62, 0 <= b < 2^31,
 * 0 < d < 2^31. */
int64_t loy_rpt_muldiv(int64_t a, int64_t b, int64_t d);
/* num / den rounded half away from zero; 0 when den == 0. */
int64_t loy_rpt_div_round(int64_t num, int64_t den);

#endif
