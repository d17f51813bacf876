/* Validation helpers shared by the parsers of the programme file (see programme_check.h). */
#include "core/programme_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"

void loy_pc_child(char *out, size_t n, const char *path, const char *key)
{
    if (*path)
        snprintf(out, n, "%s.%s", path, key);
    else
        snprintf(out, n, "%s", key);
    for (char *q = out; *q; q++)
        if ((unsigned char)*q < 0x20) *q = '?';
}

int loy_pc_fail_shown(loy_err *err, const char *path, const char *shown, const char *what)
{
    if (*path)
        return loy_err_set(err, LOY_EINVALID, path, "%s: expected %s, got %s", path, what, shown);
    return loy_err_set(err, LOY_EINVALID, path, "expected %s, got %s", what, shown);
}

int loy_pc_fail(loy_err *err, const char *path, const loy_jv *got, const char *fmt, ...)
{
    char what[320], shown[LOY_PC_SHOW_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    loy_jv_show(got, shown, sizeof(shown));
    return loy_pc_fail_shown(err, path, shown, what);
}

int loy_pc_nomem(loy_err *err, const char *path)
{
    return loy_err_set(err, LOY_ENOMEM, path, "out of memory");
}

bool loy_pc_known(const char *const *known, const char *s)
{
    for (size_t i = 0; known[i]; i++)
        if (strcmp(known[i], s) == 0) return true;
    return false;
}

/* Optimal string alignment distance, or 3 when it is certainly above 2. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63 || (la > lb ? la - lb : lb - la) > 2) return 3;
    int d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

int loy_pc_unknown(loy_err *err, const char *path, const char *key, const char *const *known)
{
    const char *best = NULL;
    int bestd = 3;
    for (size_t i = 0; known[i]; i++) {
        int d = distance(key, known[i]);
        if (d < bestd) {
            bestd = d;
            best = known[i];
        }
    }
    if (best)
        return loy_err_set(err, LOY_EINVALID, path, "%s: unknown field (did you mean \"%s\"?)",
                           path, best);
    char list[320] = "";
    for (size_t i = 0; known[i]; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "", known[i]);
    }
    return loy_err_set(err, LOY_EINVALID, path, "%s: unknown field (expected %s%s)", path,
                       known[0] && known[1] ? "one of " : "", list);
}

int loy_pc_object(loy_err *err, const char *path, const loy_jv *o, const char *const *known,
                  const char *what)
{
    if (!o || loy_jv_typeof(o) != LOY_JV_OBJECT) return loy_pc_fail(err, path, o, "%s", what);
    for (size_t i = 0; i < loy_jv_len(o); i++) {
        const char *key = loy_jv_key_at(o, i);
        if (loy_pc_known(known, key)) continue;
        char sub[LOY_PC_PATH_MAX];
        loy_pc_child(sub, sizeof(sub), path, key);
        return loy_pc_unknown(err, sub, key, known);
    }
    return 0;
}

int loy_pc_integer(loy_err *err, const char *path, const loy_jv *v, int64_t min, int64_t max,
                   int64_t *out)
{
    if (!v || loy_jv_typeof(v) != LOY_JV_INT || loy_jv_int(v) < min || loy_jv_int(v) > max)
        return loy_pc_fail(err, path, v, "an integer from %lld to %lld", (long long)min,
                           (long long)max);
    *out = loy_jv_int(v);
    return 0;
}

int loy_pc_bool(loy_err *err, const char *path, const loy_jv *v, bool *out)
{
    if (!v || loy_jv_typeof(v) != LOY_JV_BOOL) return loy_pc_fail(err, path, v, "true or false");
    *out = loy_jv_bool(v);
    return 0;
}

int loy_pc_scaled(loy_err *err, const char *path, const loy_jv *v, int decimals, int64_t min,
                  int64_t max, const char *what, int64_t *out)
{
    if (!v || (loy_jv_typeof(v) != LOY_JV_INT && loy_jv_typeof(v) != LOY_JV_REAL))
        return loy_pc_fail(err, path, v, "%s", what);
    double x = loy_jv_real(v) * (double)loy_pow10(decimals);
    if (!(x >= (double)min - 0.5 && x <= (double)max + 0.5))
        return loy_pc_fail(err, path, v, "%s", what);
    double r = round(x);
    if (fabs(x - r) > 1e-6 || r < (double)min || r > (double)max)
        return loy_pc_fail(err, path, v, "%s", what);
    *out = (int64_t)r;
    return 0;
}

bool loy_pc_clock(const char *s, bool allow24, int *out)
{
    if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' && s[3] >= '0' &&
          s[3] <= '9' && s[4] >= '0' && s[4] <= '9'))
        return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (!allow24 || m != 0))) return false;
    *out = h * 60 + m;
    return true;
}

int loy_pc_hhmm(loy_err *err, const char *path, const loy_jv *v, const char *example, int *out)
{
    const char *s = v ? loy_jv_str(v) : NULL;
    if (!s || strlen(s) != 5 || loy_jv_str_len(v) != 5 || !loy_pc_clock(s, false, out))
        return loy_pc_fail(err, path, v, "a local time like \"%s\" (00:00 to 23:59)", example);
    return 0;
}

bool loy_pc_charset_ok(const char *s, size_t maxlen, bool upper, bool dot)
{
    size_t n = strlen(s);
    if (n == 0 || n > maxlen) return false;
    for (; *s; s++) {
        char ch = *s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')
            continue;
        if (upper && ch >= 'A' && ch <= 'Z') continue;
        if (dot && ch == '.') continue;
        return false;
    }
    return true;
}
