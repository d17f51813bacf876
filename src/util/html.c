/* HTML text escaping (see html.h). */
#include "util/html.h"

void loy_html_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
}
