# `loyalty poster`: a print-ready A4 page for a location's join address. The QR code must decode
# to BASE/join/{location id} (rasterised here from the SVG's squares and read by zbarimg when the
# Debian package zbar-tools is installed; otherwise the code's structure is checked), the page
# names the shop and location and says "Scan to join" in the four languages of web/i18n, and bad
# input (unknown location, bad --url, missing argument) exits 2 or 3, names the field, writes no
# file and changes nothing in the database.
source "$(dirname "$0")/lib.sh"

DB=$(new_db poster)
BASE=https://kopi.example
LOCS=$(sqlite3 "$DB" "SELECT id || ' ' || code || ' ' || name FROM locations ORDER BY id")
LID=$(echo "$LOCS" | head -1 | cut -d' ' -f1)
LCODE=$(echo "$LOCS" | head -1 | cut -d' ' -f2)
LNAME=$(echo "$LOCS" | head -1 | cut -d' ' -f3-)
LID2=$(echo "$LOCS" | sed -n 2p | cut -d' ' -f1)
[ -n "$LID" ] && [ -n "$LID2" ] || { fail "the example programme has two locations: [$LOCS]"; finish; exit; }
SHOP=$(sqlite3 "$DB" "SELECT name FROM merchants LIMIT 1")

# qr_payload HTML: the text of the poster's QR code (zbarimg on a rasterised copy), or "" without zbarimg
qr_payload() {
    command -v zbarimg >/dev/null || return 0
    # the SVG is one path of module squares ("M x yh s v s h -s z"): draw them into a PGM
    python3 - "$1" "$TMP/qr.pgm" <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
svg = re.search(r"<svg[^>]*viewBox=\"0 0 (\d+) (\d+)\".*?</svg>", html, re.S)
size = int(svg.group(1))
px = bytearray([255]) * (size * size)
for x, y, s in re.findall(r"M(\d+) (\d+)h(\d+)v\d+h-\d+z", svg.group(0)):
    x, y, s = int(x), int(y), int(s)
    for yy in range(y, y + s):
        px[yy * size + x:yy * size + x + s] = b"\0" * s
with open(sys.argv[2], "wb") as f:
    f.write(b"P5 %d %d 255\n" % (size, size) + bytes(px))
EOF
    zbarimg --quiet --raw "$TMP/qr.pgm" 2>/dev/null
}

# --- the page, by code and by id
run poster "$LCODE" --url "$BASE/" --db "$DB"
expect_rc 0 "poster by code"
HTML=$OUT
printf '%s\n' "$HTML" >"$TMP/p1.html"
URL="$BASE/join/$LID"
expect_contains "$HTML" "<!doctype html>" "an HTML page"
expect_contains "$HTML" "size:A4" "sized for A4"
expect_contains "$HTML" "<h1 class=\"shop\">$SHOP</h1>" "the shop's name"
expect_contains "$HTML" "$LNAME" "the location's name"
expect_contains "$HTML" "<p class=\"url\">$URL</p>" "the join address in text, without a double slash"
for l in en ms hu bn; do
    S=$(jq -r '."customer.poster.scan"' "$ROOT/web/i18n/$l.json")
    expect_contains "$HTML" "lang=\"$l\">$S</p>" "\"Scan to join\" in $l"
done
expect_eq "$(grep -c '<svg' "$TMP/p1.html")" 1 "one QR code"
expect_contains "$HTML" 'viewBox="0 0 ' "the QR code is an SVG"
N=$(grep -o 'M[0-9]* [0-9]*h10v10h-10z' "$TMP/p1.html" | wc -l)
if [ "$N" -gt 200 ]; then pass; else fail "the QR code has only $N modules"; fi
if command -v zbarimg >/dev/null; then
    expect_eq "$(qr_payload "$TMP/p1.html")" "$URL" "the QR code decodes to the join address"
else
    echo "test_poster: zbarimg not found (Debian package zbar-tools): QR payload not decoded"
fi
run poster "$LID" --url "$BASE" --db "$DB"
expect_rc 0 "poster by id"
expect_eq "$OUT" "$HTML" "by id and by code: the same page"
run poster "$(echo "$LCODE" | tr 'A-Z' 'a-z')" --url "$BASE" --db "$DB"
expect_eq "$OUT" "$HTML" "the code in any case"
run poster "$LID2" --url "http://10.0.0.5:8080/loyalty" --db "$DB"
expect_rc 0 "another location, a base with a port and a path"
printf '%s\n' "$OUT" >"$TMP/p2.html"
expect_contains "$OUT" "http://10.0.0.5:8080/loyalty/join/$LID2" "its own join address"
if command -v zbarimg >/dev/null; then
    expect_eq "$(qr_payload "$TMP/p2.html")" "http://10.0.0.5:8080/loyalty/join/$LID2" "and its QR code"
fi
# no --url: works, and says on stderr that the address is local only
run poster "$LCODE" --db "$DB"
expect_rc 0 "no --url"
expect_contains "$OUT" "http://localhost:8080/join/$LID" "the local address"
expect_contains "$ERR" "--url" "stderr says to give --url"
# the server's join page answers at the printed address's path
expect_eq "$("$LOY" openapi | jq -r '.paths | has("/join/{location}")')" true "the join page is a route"

# --- --out: the same page in a file, nothing on stdout
run poster "$LCODE" --url "$BASE" --out "$TMP/poster.html" --db "$DB"
expect_rc 0 "--out"
expect_eq "$OUT" "" "--out: nothing on stdout"
expect_eq "$(cat "$TMP/poster.html")" "$HTML" "--out: the page"
expect_contains "$ERR" "$TMP/poster.html" "--out: stderr names the file"

# --- bad input: exit code, named field, no file, no change
BEFORE=$(snapshot "$DB" | sha256sum)
bad() { # bad RC FIELD DESCRIPTION ARGS...
    local rc=$1 field=$2 desc=$3
    shift 3
    rm -f "$TMP/bad.html"
    run poster "$@" --out "$TMP/bad.html" --db "$DB" --json
    expect_failure "$rc" "$field" "$desc"
    if [ -e "$TMP/bad.html" ]; then fail "$desc: a file was written"; else pass; fi
}
bad 3 location "unknown code" NOPE --url "$BASE"
expect_contains "$ERR" "$LCODE ($LID)" "the error lists the locations"
bad 3 location "unknown id" 999999 --url "$BASE"
bad 3 location "id zero" 0 --url "$BASE"
bad 2 location "no location" --url "$BASE"
bad 2 url "not http" "$LCODE" --url "ftp://kopi.example"
bad 2 url "no scheme" "$LCODE" --url "kopi.example"
bad 2 url "a space" "$LCODE" --url "https://kopi example"
bad 2 url "a quote" "$LCODE" --url 'https://kopi.example/"><script>'
bad 2 url "a query" "$LCODE" --url "https://kopi.example/?a=1"
bad 2 url "no host" "$LCODE" --url "https:///join"
run poster "$LCODE" --url "$BASE" --out "$TMP/no/such/dir/p.html" --db "$DB" --json
expect_failure 2 out "an unwritable --out"
expect_eq "$(snapshot "$DB" | sha256sum)" "$BEFORE" "bad input changed nothing"
run poster "$LCODE" --url "$BASE" --db "$TMP/none.db" --json
if [ "$RC" -ne 0 ]; then pass; else fail "a database without a merchant: exit 0"; fi
verify "$DB" "after poster"

finish
