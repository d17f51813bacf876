/* Calendar arithmetic, IANA time zones (TZif files from the system's zoneinfo), ISO 8601 text.
 * All stored times are UTC seconds (int64); local time exists only for display and rules. */
#ifndef LOY_UTIL_TIME_H
#define LOY_UTIL_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define LOY_DAY 86400

/* Proleptic Gregorian civil date <-> days since 1970-01-01 (negative before). */
int64_t loy_days_from_civil(int y, int m, int d);
void loy_civil_from_days(int64_t days, int *y, int *m, int *d);
int loy_weekday(int64_t days); /* 0 = monday .. 6 = sunday */
bool loy_is_leap(int y);
int loy_days_in_month(int y, int m);
/* floor division of seconds into days (correct for negatives) */
int64_t loy_day_of(int64_t seconds);

typedef struct loy_tz loy_tz;

/* Loads an IANA zone ("Asia/Kuala_Lumpur", "UTC", "Pacific/Kiritimati") from the system's zoneinfo
 * (TZif v2+ with its POSIX footer for times past the table). LOY_EINVALID for an unknown name.
 * The result is immutable and may be shared between threads. */
int loy_tz_load(loy_tz **out, const char *name, loy_err *err);
void loy_tz_free(loy_tz *tz);
const char *loy_tz_name(const loy_tz *tz);
/* Offset east of UTC in seconds at instant `utc`. */
int32_t loy_tz_offset(const loy_tz *tz, int64_t utc);
/* Local wall-clock seconds (utc + offset). */
int64_t loy_tz_local(const loy_tz *tz, int64_t utc);
/* UTC instant of a local wall-clock time; in a gap the later offset is used, in an overlap the
 * earlier instant. */
int64_t loy_tz_to_utc(const loy_tz *tz, int64_t local_seconds);

/* Parses "2026-11-22T10:05:00Z", "...+08:00", "...-10:00", fractional seconds ignored, or a bare
 * date "2026-11-22" (00:00 UTC). Returns false on anything else. */
bool loy_time_parse(const char *text, int64_t *out);
/* Parses a date "YYYY-MM-DD" into civil days. */
bool loy_date_parse(const char *text, int64_t *days_out);
/* "2026-11-22T10:05:00Z" (needs 21 bytes) */
void loy_time_format(char *out, size_t outsz, int64_t utc);
/* "2026-11-22" */
void loy_date_format(char *out, size_t outsz, int64_t days);

/* Wall clock in UTC seconds. The environment variable LOYALTY_NOW (ISO 8601) overrides it, so
 * tests and demos can run at a fixed instant. */
int64_t loy_time_now(void);

#endif
