/* Money parsing and formatting (see money.h). */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *code;
    int exponent;
} currencies[] = {
    {"AED", 2}, {"AUD", 2}, {"BDT", 2}, {"BHD", 3}, {"BND", 2}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2},
    {"CLP", 0}, {"CNY", 2}, {"CZK", 2}, {"DKK", 2}, {"EGP", 2}, {"EUR", 2}, {"GBP", 2}, {"HKD", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0},
    {"KRW", 0}, {"KWD", 3}, {"LKR", 2}, {"LYD", 3}, {"MXN", 2}, {"MYR", 2}, {"NGN", 2}, {"NOK", 2},
    {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"QAR", 2}, {"RON", 2},
    {"RSD", 2}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2}, {"TND", 3}, {"TRY", 2}, {"TWD", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"VND", 0}, {"XAF", 0}, {"XOF", 0}, {"ZAR", 2},
};

int loy_currency_exponent(const char *code)
{
    if (!code) return -1;
    for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
        if (strcmp(currencies[i].code, code) == 0) return currencies[i].exponent;
    return -1;
}

int loy_currency_display_decimals(const char *code)
{
    if (code && (strcmp(code, "HUF") == 0 || strcmp(code, "TWD") == 0)) return 0;
    return loy_currency_exponent(code);
}

int64_t loy_pow10(int exponent)
{
    int64_t p = 1;
    for (int i = 0; i < exponent && i < 18; i++) p *= 10;
    return p;
}

bool loy_money_parse(const char *text, int exponent, int64_t *out)
{
    if (!text || !*text || exponent < 0 || exponent > 6) return false;
    const char *p = text;
    int64_t whole = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        if (whole > (INT64_MAX - (*p - '0')) / 10) return false;
        whole = whole * 10 + (*p - '0');
        p++;
        digits++;
    }
    if (!digits) return false;
    int64_t frac = 0;
    int fdigits = 0;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (++fdigits > exponent) return false;
            frac = frac * 10 + (*p - '0');
            p++;
        }
        if (!fdigits) return false;
    }
    if (*p) return false;
    for (int i = fdigits; i < exponent; i++) frac *= 10;
    if (whole > (INT64_MAX - frac) / loy_pow10(exponent)) return false;
    *out = whole * loy_pow10(exponent) + frac;
    return true;
}

void loy_money_format(char *out, size_t outsz, int64_t minor, int exponent)
{
    const char *sign = minor < 0 ? "-" : "";
    uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    if (exponent <= 0) {
        snprintf(out, outsz, "%s%llu", sign, (unsigned long long)m);
        return;
    }
    if (exponent > 6) exponent = 6;
    uint64_t p = (uint64_t)loy_pow10(exponent);
    char frac[8];
    uint64_t f = m % p;
    for (int i = exponent - 1; i >= 0; i--) {
        frac[i] = (char)('0' + f % 10);
        f /= 10;
    }
    frac[exponent] = '\0';
    snprintf(out, outsz, "%s%llu.%s", sign, (unsigned long long)(m / p), frac);
}

void loy_money_display(char *out, size_t outsz, int64_t minor, const char *currency)
{
    static const struct {
        const char *code, *prefix, *suffix;
    } symbols[] = {
        {"MYR", "RM", ""},  {"USD", "$", ""}, {"EUR", "€", ""}, {"GBP", "£", ""},
        {"HUF", "", " Ft"}, {"BDT", "৳", ""}, {"JPY", "¥", ""}, {"SGD", "S$", ""},
    };
    int exp = loy_currency_exponent(currency);
    int shown = loy_currency_display_decimals(currency);
    if (exp < 0) exp = shown = 2;
    /* drop hidden decimals (HUF: ISO exponent 2, shown as whole forints, rounded half away from
     * zero) */
    int64_t v = minor;
    if (shown < exp) {
        int64_t d = loy_pow10(exp - shown), r = minor % d;
        v = minor / d;
        if (r >= d - d / 2)
            v++;
        else if (-r >= d - d / 2)
            v--;
    }
    char num[48];
    loy_money_format(num, sizeof(num), v, shown);
    const char *prefix = NULL, *suffix = "";
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        if (currency && strcmp(symbols[i].code, currency) == 0) {
            prefix = symbols[i].prefix;
            suffix = symbols[i].suffix;
        }
    if (shown == 0 && prefix && !*prefix) {
        /* group thousands with a space: 1 850 Ft */
        char grouped[64];
        const char *digits = num[0] == '-' ? num + 1 : num;
        size_t len = strlen(digits), j = 0;
        if (num[0] == '-') grouped[j++] = '-';
        for (size_t i = 0; i < len && j + 2 < sizeof(grouped); i++) {
            if (i && (len - i) % 3 == 0) grouped[j++] = ' ';
            grouped[j++] = digits[i];
        }
        grouped[j] = '\0';
        snprintf(out, outsz, "%s%s", grouped, suffix);
    } else if (prefix) {
        if (num[0] == '-')
            snprintf(out, outsz, "-%s%s%s", prefix, num + 1, suffix);
        else
            snprintf(out, outsz, "%s%s%s", prefix, num, suffix);
    } else {
        snprintf(out, outsz, "%s %s", currency ? currency : "", num);
    }
}
