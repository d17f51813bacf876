/* HTML text escaping for the pages the program prints (card sheets, posters). */
#ifndef LOY_UTIL_HTML_H
#define LOY_UTIL_HTML_H

#include <stdio.h>

/* Writes s to f with < > & " escaped as entities (NULL writes nothing). */
void loy_html_escape(FILE *f, const char *s);

#endif
