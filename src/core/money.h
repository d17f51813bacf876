/* Money: int64 minor units with ISO 4217 exponents; decimal-string parsing and formatting. Pure. */
#ifndef LOY_CORE_MONEY_H
#define LOY_CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ISO 4217 minor-unit exponent of `code` ("MYR" -> 2, "JPY" -> 0, "BHD" -> 3, "HUF" -> 2);
 * -1 if the code is unknown. */
int loy_currency_exponent(const char *code);

/* Decimals shown to people: the ISO exponent except where custom differs (HUF -> 0). */
int loy_currency_display_decimals(const char *code);

/* Parses a non-negative decimal amount such as "18.50", "18.5", "18" with at most `exponent`
 * decimals into minor units. Returns false on any other text, too many decimals or overflow. */
bool loy_money_parse(const char *text, int exponent, int64_t *out);

/* Writes `minor` as a plain decimal with `exponent` decimals ("18.50", "-3.00", "1850"). */
void loy_money_format(char *out, size_t outsz, int64_t minor, int exponent);

/* Shows money as people read it: "RM18.50", "1 850 Ft", "$3.00", "৳185.00"; unknown
 * currencies as "XYZ 18.50". */
void loy_money_display(char *out, size_t outsz, int64_t minor, const char *currency);

/* 10^exponent for exponent 0..6. */
int64_t loy_pow10(int exponent);

#endif
