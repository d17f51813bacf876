/* QR code rendering to SVG (see qr.h): one path with a square per dark module. */
#include "util/qr.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *loy_qr_svg(const char *text, int module_px, loy_err *err)
{
    if (module_px < 1 || module_px > 50) {
        loy_err_set(err, LOY_EINVALID, "module", "module size must be 1 to 50");
        return NULL;
    }
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        loy_err_set(err, LOY_EINVALID, "text", "cannot encode this text as a QR code");
        return NULL;
    }
    int w = qr->width, quiet = 4, size = (w + 2 * quiet) * module_px;
    size_t cap = 256 + (size_t)w * (size_t)w * 24, n = 0;
    char *out = malloc(cap);
    if (!out) {
        QRcode_free(qr);
        loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        return NULL;
    }
    n += (size_t)snprintf(
        out + n, cap - n,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
        "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
        "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
        size, size, size, size);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (qr->data[y * w + x] & 1)
                n +=
                    (size_t)snprintf(out + n, cap - n, "M%d %dh%dv%dh-%dz", (x + quiet) * module_px,
                                     (y + quiet) * module_px, module_px, module_px, module_px);
    snprintf(out + n, cap - n, "\"/></svg>\n");
    QRcode_free(qr);
    return out;
}
