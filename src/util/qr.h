/* QR codes as SVG (libqrencode), for member cards the counter scans and for printing. */
#ifndef LOY_UTIL_QR_H
#define LOY_UTIL_QR_H

#include "util/err.h"

/* An SVG document of the QR code of `text` (error correction M, 4-module quiet zone), each
 * module `module_px` user units wide. Returns a malloc'ed string, or NULL with err set. */
char *loy_qr_svg(const char *text, int module_px, loy_err *err);

#endif
