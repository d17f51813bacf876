/* Civil dates, IANA zones from TZif v2+ files and their POSIX footer, ISO 8601 text (see time.h).
 */
#include "util/time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ZONEINFO_DIR  "/usr/share/zoneinfo/"
#define TZIF_MAX_SIZE (256 * 1024)
#define NAME_MAX_LEN  200
#define MAX_OFFSET    (26 * 3600) /* sane bound for any UT offset */
/* rules are evaluated within +-300 million years so that no arithmetic can overflow */
#define INSTANT_LIMIT INT64_C(10000000000000000)

/* ---- civil dates (after Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms") ---- */

bool loy_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int loy_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    if (m == 2 && loy_is_leap(y)) return 29;
    return days[m - 1];
}

int64_t loy_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void loy_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    if (y) *y = (int)(yoe + era * 400 + (mm <= 2));
    if (m) *m = (int)mm;
    if (d) *d = (int)dd;
}

int loy_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 with Monday = 0) */
    return (int)((days % 7 + 10) % 7);
}

int64_t loy_day_of(int64_t seconds)
{
    int64_t q = seconds / LOY_DAY;
    if (seconds % LOY_DAY < 0) q--;
    return q;
}

/* ---- POSIX TZ strings (the TZif footer), RFC 8536 section 3.3 ---- */

typedef struct {
    char kind; /* 'J': 1..365 without Feb 29, 'D': 0..365 zero-based, 'M': month.week.day */
    int a, b, c;
    int32_t time; /* local seconds after midnight, may be negative or beyond 24 h */
} tz_date_rule;

typedef struct {
    int32_t std_off; /* east of UTC */
    int32_t dst_off;
    bool has_dst;
    tz_date_rule start, end;
} tz_rule;

struct loy_tz {
    char name[NAME_MAX_LEN + 1];
    size_t ntrans;
    int64_t *trans;      /* ascending UTC instants */
    uint8_t *trans_type; /* index into type_off for each transition */
    size_t ntypes;
    int32_t *type_off;
    bool has_rule;
    tz_rule rule;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *parse_tz_name(const char *p)
{
    const char *start = p;
    if (*p == '<') {
        p++;
        start = p;
        while (is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-') p++;
        if (*p != '>' || p - start < 3) return NULL;
        return p + 1;
    }
    while (is_alpha(*p)) p++;
    return p - start >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours; stores the signed value in seconds. */
static const char *parse_hms(const char *p, int max_hours, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
    if (!is_digit(*p)) return NULL;
    int h = 0, mi = 0, s = 0, n = 0;
    while (is_digit(*p) && n < 3) {
        h = h * 10 + (*p++ - '0');
        n++;
    }
    if (is_digit(*p) || h > max_hours) return NULL;
    if (*p == ':') {
        p++;
        if (!is_digit(p[0]) || !is_digit(p[1])) return NULL;
        mi = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (mi > 59) return NULL;
        if (*p == ':') {
            p++;
            if (!is_digit(p[0]) || !is_digit(p[1])) return NULL;
            s = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
            if (s > 59) return NULL;
        }
    }
    *out = (int32_t)(sign * (h * 3600 + mi * 60 + s));
    return p;
}

static const char *parse_int(const char *p, int lo, int hi, int *out)
{
    if (!is_digit(*p)) return NULL;
    int v = 0;
    while (is_digit(*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > hi) return NULL;
    }
    if (v < lo) return NULL;
    *out = v;
    return p;
}

static const char *parse_date_rule(const char *p, tz_date_rule *r)
{
    r->b = r->c = 0;
    if (*p == 'J') {
        r->kind = 'J';
        p = parse_int(p + 1, 1, 365, &r->a);
    } else if (*p == 'M') {
        r->kind = 'M';
        p = parse_int(p + 1, 1, 12, &r->a);
        if (p && *p == '.')
            p = parse_int(p + 1, 1, 5, &r->b);
        else
            p = NULL;
        if (p && *p == '.')
            p = parse_int(p + 1, 0, 6, &r->c);
        else
            p = NULL;
    } else {
        r->kind = 'D';
        p = parse_int(p, 0, 365, &r->a);
    }
    if (!p) return NULL;
    r->time = 2 * 3600;
    if (*p == '/') p = parse_hms(p + 1, 167, &r->time);
    return p;
}

static bool parse_posix_tz(const char *s, tz_rule *out)
{
    memset(out, 0, sizeof(*out));
    int32_t v;
    const char *p = parse_tz_name(s);
    if (!p || !(p = parse_hms(p, 24, &v))) return false;
    out->std_off = -v;
    if (!*p) return true;
    if (!(p = parse_tz_name(p))) return false;
    out->has_dst = true;
    out->dst_off = out->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = parse_hms(p, 24, &v))) return false;
        out->dst_off = -v;
    }
    if (!*p) {
        /* no rule given: the POSIX default is implementation-defined; use the US rule as glibc */
        out->start = (tz_date_rule){'M', 3, 2, 0, 7200};
        out->end = (tz_date_rule){'M', 11, 1, 0, 7200};
        return true;
    }
    if (*p != ',' || !(p = parse_date_rule(p + 1, &out->start))) return false;
    if (*p != ',' || !(p = parse_date_rule(p + 1, &out->end))) return false;
    return *p == '\0';
}

/* Civil day (since the epoch) on which rule `r` falls in year `y`. */
static int64_t rule_day(const tz_date_rule *r, int y)
{
    int64_t jan1 = loy_days_from_civil(y, 1, 1);
    switch (r->kind) {
    case 'J':
        return jan1 + r->a - 1 + (loy_is_leap(y) && r->a >= 60 ? 1 : 0);
    case 'D':
        return jan1 + r->a;
    default: {
        int64_t first = loy_days_from_civil(y, r->a, 1);
        int first_wd = (loy_weekday(first) + 1) % 7; /* POSIX: 0 = Sunday */
        int64_t day = first + (r->c - first_wd + 7) % 7 + (int64_t)(r->b - 1) * 7;
        int64_t limit = first + loy_days_in_month(y, r->a);
        while (day >= limit) day -= 7;
        return day;
    }
    }
}

static int64_t clamp_instant(int64_t t)
{
    return t > INSTANT_LIMIT ? INSTANT_LIMIT : t < -INSTANT_LIMIT ? -INSTANT_LIMIT : t;
}

static int32_t rule_offset(const tz_rule *r, int64_t utc)
{
    if (!r->has_dst) return r->std_off;
    utc = clamp_instant(utc);
    int y;
    loy_civil_from_days(loy_day_of(utc + r->std_off), &y, NULL, NULL);
    /* the switches of the neighbouring years, sorted; the last one at or before utc wins */
    int64_t best_t = INT64_MIN;
    bool best_dst = false, found = false;
    for (int yy = y - 1; yy <= y + 1; yy++) {
        int64_t on = rule_day(&r->start, yy) * LOY_DAY + r->start.time - r->std_off;
        int64_t off = rule_day(&r->end, yy) * LOY_DAY + r->end.time - r->dst_off;
        /* on equal instants (permanent DST) the start wins */
        if (off <= utc && (!found || off > best_t)) {
            best_t = off;
            best_dst = false;
            found = true;
        }
        if (on <= utc && (!found || on >= best_t)) {
            best_t = on;
            best_dst = true;
            found = true;
        }
    }
    return best_dst ? r->dst_off : r->std_off;
}

/* ---- TZif (RFC 8536) ---- */

static bool valid_zone_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NAME_MAX_LEN || name[0] == '/' || strstr(name, "..")) return false;
    for (const char *p = name; *p; p++)
        if (!(is_alpha(*p) || is_digit(*p) || *p == '_' || *p == '+' || *p == '/' || *p == '-'))
            return false;
    return true;
}

static int64_t be_int(const unsigned char *p, int size)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++) v = v << 8 | p[i];
    if (size == 4) return (int64_t)(int32_t)(uint32_t)v;
    return (int64_t)v;
}

typedef struct {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_counts;

static bool read_header(const unsigned char *p, size_t avail, char *version, tzif_counts *c)
{
    if (avail < 44 || memcmp(p, "TZif", 4) != 0) return false;
    *version = (char)p[4];
    c->isutcnt = (uint32_t)be_int(p + 20, 4);
    c->isstdcnt = (uint32_t)be_int(p + 24, 4);
    c->leapcnt = (uint32_t)be_int(p + 28, 4);
    c->timecnt = (uint32_t)be_int(p + 32, 4);
    c->typecnt = (uint32_t)be_int(p + 36, 4);
    c->charcnt = (uint32_t)be_int(p + 40, 4);
    return true;
}

static size_t block_size(const tzif_counts *c, int tsize)
{
    return (size_t)c->timecnt * (size_t)tsize + c->timecnt + (size_t)c->typecnt * 6 + c->charcnt +
           (size_t)c->leapcnt * (size_t)(tsize + 4) + c->isstdcnt + c->isutcnt;
}

static int parse_tzif(loy_tz *tz, const unsigned char *buf, size_t len, loy_err *err)
{
    char version;
    tzif_counts c;
    if (!read_header(buf, len, &version, &c))
        return loy_err_set(err, LOY_EINVALID, "tz", "zone file of %s is not TZif", tz->name);
    const unsigned char *data = buf + 44;
    size_t avail = len - 44;
    int tsize = 4;
    if (version >= '2') {
        /* skip the v1 block; use the 64-bit block that follows */
        size_t skip = block_size(&c, 4);
        if (skip > avail || !read_header(data + skip, avail - skip, &version, &c))
            return loy_err_set(err, LOY_EINVALID, "tz", "zone file of %s is truncated", tz->name);
        data += skip + 44;
        avail -= skip + 44;
        tsize = 8;
    }
    if (c.typecnt == 0 || c.typecnt > 256 || c.timecnt > 100000 || c.charcnt > 65536 ||
        c.leapcnt > 10000 || (c.isstdcnt && c.isstdcnt != c.typecnt) ||
        (c.isutcnt && c.isutcnt != c.typecnt) || block_size(&c, tsize) > avail)
        return loy_err_set(err, LOY_EINVALID, "tz", "zone file of %s is malformed", tz->name);
    if (c.leapcnt)
        return loy_err_set(err, LOY_EINVALID, "tz", "zone %s counts leap seconds", tz->name);

    tz->ntrans = c.timecnt;
    tz->ntypes = c.typecnt;
    tz->trans = malloc(sizeof(int64_t) * (c.timecnt ? c.timecnt : 1));
    tz->trans_type = malloc(c.timecnt ? c.timecnt : 1);
    tz->type_off = malloc(sizeof(int32_t) * c.typecnt);
    if (!tz->trans || !tz->trans_type || !tz->type_off)
        return loy_err_set(err, LOY_ENOMEM, "tz", "out of memory loading %s", tz->name);

    const unsigned char *p = data;
    for (uint32_t i = 0; i < c.timecnt; i++, p += tsize) {
        tz->trans[i] = be_int(p, tsize);
        if (i && tz->trans[i] <= tz->trans[i - 1])
            return loy_err_set(err, LOY_EINVALID, "tz", "zone %s: unordered transitions", tz->name);
    }
    for (uint32_t i = 0; i < c.timecnt; i++, p++) {
        if (*p >= c.typecnt)
            return loy_err_set(err, LOY_EINVALID, "tz", "zone %s: bad type index", tz->name);
        tz->trans_type[i] = *p;
    }
    for (uint32_t i = 0; i < c.typecnt; i++, p += 6) {
        int64_t off = be_int(p, 4);
        if (off < -MAX_OFFSET || off > MAX_OFFSET)
            return loy_err_set(err, LOY_EINVALID, "tz", "zone %s: bad offset", tz->name);
        tz->type_off[i] = (int32_t)off;
    }
    data += block_size(&c, tsize);
    avail -= block_size(&c, tsize);

    if (tsize == 8 && avail >= 2 && data[0] == '\n') {
        const unsigned char *nl = memchr(data + 1, '\n', avail - 1);
        if (!nl) return loy_err_set(err, LOY_EINVALID, "tz", "zone %s: bad footer", tz->name);
        size_t flen = (size_t)(nl - data - 1);
        if (flen > 0) {
            char footer[256];
            if (flen >= sizeof(footer))
                return loy_err_set(err, LOY_EINVALID, "tz", "zone %s: footer too long", tz->name);
            memcpy(footer, data + 1, flen);
            footer[flen] = '\0';
            if (!parse_posix_tz(footer, &tz->rule))
                return loy_err_set(err, LOY_EINVALID, "tz", "zone %s: unsupported rule \"%s\"",
                                   tz->name, footer);
            tz->has_rule = true;
        }
    }
    return 0;
}

static int read_file(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return errno == ENOMEM ? LOY_ENOMEM : LOY_ENOTFOUND;
    int rc = 0;
    unsigned char *buf = malloc(TZIF_MAX_SIZE + 1);
    if (!buf) {
        rc = LOY_ENOMEM;
        goto done;
    }
    *len = fread(buf, 1, TZIF_MAX_SIZE + 1, f);
    if (ferror(f) || *len > TZIF_MAX_SIZE) {
        rc = LOY_EINVALID;
        goto done;
    }
    *out = buf;
    buf = NULL;
done:
    free(buf);
    fclose(f);
    return rc;
}

int loy_tz_load(loy_tz **out, const char *name, loy_err *err)
{
    *out = NULL;
    if (!name || !valid_zone_name(name))
        return loy_err_set(err, LOY_EINVALID, "tz", "invalid time zone name");
    loy_tz *tz = calloc(1, sizeof(*tz));
    if (!tz) return loy_err_set(err, LOY_ENOMEM, "tz", "out of memory");
    snprintf(tz->name, sizeof(tz->name), "%s", name);
    int rc = 0;
    unsigned char *buf = NULL;
    size_t len = 0;

    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
        tz->type_off = calloc(1, sizeof(int32_t));
        if (!tz->type_off) {
            rc = loy_err_set(err, LOY_ENOMEM, "tz", "out of memory");
            goto done;
        }
        tz->ntypes = 1;
        goto done;
    }
    char path[sizeof(ZONEINFO_DIR) + NAME_MAX_LEN];
    snprintf(path, sizeof(path), "%s%s", ZONEINFO_DIR, name);
    rc = read_file(path, &buf, &len);
    if (rc == LOY_ENOMEM) {
        rc = loy_err_set(err, LOY_ENOMEM, "tz", "out of memory");
        goto done;
    }
    if (rc) {
        rc = loy_err_set(err, LOY_EINVALID, "tz", "unknown time zone %s", name);
        goto done;
    }
    rc = parse_tzif(tz, buf, len, err);
done:
    free(buf);
    if (rc) {
        loy_tz_free(tz);
        return rc;
    }
    *out = tz;
    return 0;
}

void loy_tz_free(loy_tz *tz)
{
    if (!tz) return;
    free(tz->trans);
    free(tz->trans_type);
    free(tz->type_off);
    free(tz);
}

const char *loy_tz_name(const loy_tz *tz)
{
    return tz->name;
}

int32_t loy_tz_offset(const loy_tz *tz, int64_t utc)
{
    if (tz->ntrans == 0) return tz->has_rule ? rule_offset(&tz->rule, utc) : tz->type_off[0];
    if (utc < tz->trans[0]) return tz->type_off[0];
    if (utc >= tz->trans[tz->ntrans - 1] && tz->has_rule) return rule_offset(&tz->rule, utc);
    /* last transition at or before utc */
    size_t lo = 0, hi = tz->ntrans;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    return tz->type_off[tz->trans_type[lo]];
}

int64_t loy_tz_local(const loy_tz *tz, int64_t utc)
{
    int32_t off = loy_tz_offset(tz, utc);
    if (off > 0 && utc > INT64_MAX - off) return INT64_MAX;
    if (off < 0 && utc < INT64_MIN - off) return INT64_MIN;
    return utc + off;
}

/* Follows RFC 5545 section 3.3.5: an ambiguous local time means its first occurrence; a local
 * time inside a gap is read with the offset in force before the gap, which lands it after the
 * gap in the later offset (02:30 on a spring-forward night becomes 03:30 summer time). */
int64_t loy_tz_to_utc(const loy_tz *tz, int64_t local_seconds)
{
    local_seconds = clamp_instant(local_seconds);
    int32_t before = loy_tz_offset(tz, local_seconds - 2 * LOY_DAY);
    int32_t after = loy_tz_offset(tz, local_seconds + 2 * LOY_DAY);
    int32_t cand[4] = {before, after, 0, 0};
    cand[2] = loy_tz_offset(tz, local_seconds - before);
    cand[3] = loy_tz_offset(tz, local_seconds - after);
    bool found = false;
    int64_t best = 0;
    for (int i = 0; i < 4; i++) {
        int64_t u = local_seconds - cand[i];
        if (loy_tz_offset(tz, u) == cand[i] && (!found || u < best)) {
            best = u;
            found = true;
        }
    }
    return found ? best : local_seconds - before;
}

/* ---- ISO 8601 ---- */

static bool digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i])) return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static const char *parse_date_part(const char *p, int64_t *days)
{
    int y, m, d;
    if (!digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &m) || p[7] != '-' ||
        !digits(p + 8, 2, &d))
        return NULL;
    if (m < 1 || m > 12 || d < 1 || d > loy_days_in_month(y, m)) return NULL;
    *days = loy_days_from_civil(y, m, d);
    return p + 10;
}

bool loy_date_parse(const char *text, int64_t *days_out)
{
    int64_t days;
    const char *p = text ? parse_date_part(text, &days) : NULL;
    if (!p || *p) return false;
    *days_out = days;
    return true;
}

bool loy_time_parse(const char *text, int64_t *out)
{
    int64_t days;
    const char *p = text ? parse_date_part(text, &days) : NULL;
    if (!p) return false;
    if (!*p) {
        *out = days * LOY_DAY;
        return true;
    }
    int h, mi, s = 0;
    if (*p != 'T' || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi)) return false;
    p += 6;
    if (*p == ':') {
        if (!digits(p + 1, 2, &s)) return false;
        p += 3;
        if (*p == '.' || *p == ',') {
            p++;
            if (!is_digit(*p)) return false;
            while (is_digit(*p)) p++;
        }
    }
    if (h > 23 || mi > 59 || s > 59) return false;
    int offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om)) return false;
        if (oh > 23 || om > 59) return false;
        offset = sign * (oh * 3600 + om * 60);
        p += 6;
    } else {
        return false;
    }
    if (*p) return false;
    *out = days * LOY_DAY + h * 3600 + mi * 60 + s - offset;
    return true;
}

void loy_time_format(char *out, size_t outsz, int64_t utc)
{
    int64_t days = loy_day_of(utc);
    int64_t secs = utc % LOY_DAY;
    if (secs < 0) secs += LOY_DAY;
    int y, m, d;
    loy_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999 || outsz < 21) { /* rare: let printf handle odd years */
        snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(secs / 3600),
                 (int)(secs / 60 % 60), (int)(secs % 60));
        return;
    }
    /* on the write path for every response: digits by hand, no printf */
    int v[6] = {y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60)};
    char *p = out;
    *p++ = (char)('0' + v[0] / 1000);
    *p++ = (char)('0' + v[0] / 100 % 10);
    *p++ = (char)('0' + v[0] / 10 % 10);
    *p++ = (char)('0' + v[0] % 10);
    static const char sep[] = "--T::Z";
    for (int i = 1; i < 6; i++) {
        *p++ = sep[i - 1];
        *p++ = (char)('0' + v[i] / 10);
        *p++ = (char)('0' + v[i] % 10);
    }
    *p++ = 'Z';
    *p = '\0';
}

void loy_date_format(char *out, size_t outsz, int64_t days)
{
    int y, m, d;
    loy_civil_from_days(days, &y, &m, &d);
    snprintf(out, outsz, "%04d-%02d-%02d", y, m, d);
}

int64_t loy_time_now(void)
{
    const char *fixed = getenv("LOYALTY_NOW");
    int64_t t;
    if (fixed && *fixed && loy_time_parse(fixed, &t)) return t;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}
