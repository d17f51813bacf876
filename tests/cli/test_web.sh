# The web console: (a) the translations are complete (same keys and placeholders in every
# language, no empty text, every key the pages and modules use exists; a missing key fails), and
# (b) the embedded files are served over real HTTP by `loyalty serve` with the right types,
# ETag revalidation, a strict CSP, 404 for unknown names, and nothing outside web/.
source "$(dirname "$0")/lib.sh"
WEB=$ROOT/web
LANGS="en ms hu bn"

# ---- (a) i18n completeness ----
# keys used: data-i18n="k", data-i18n-placeholder="k", data-i18n-aria-label="k" in HTML and JS;
# t('k') or t('k', {...}) in JavaScript (the one convention; see web/console/i18n.js)
used_keys() { # used_keys DIR: every key the files under DIR use, one a line
    grep -rhoE "data-i18n(-placeholder|-aria-label)?=\"[^\"]+\"" "$1" --include='*.html' --include='*.js' |
        sed -E 's/.*="([^"]+)"/\1/'
    grep -rhoE "\bt\('[^']+'" "$1" --include='*.js' | sed -E "s/t\('([^']+)'/\1/"
}
# check_i18n DIR: prints one line per problem in the translations of DIR/i18n for DIR's files
check_i18n() {
    local dir=$1 problems="" l
    for l in $LANGS; do
        [ -f "$dir/i18n/$l.json" ] || { echo "missing $l.json"; continue; }
        jq -e 'type == "object"' "$dir/i18n/$l.json" >/dev/null 2>&1 || { echo "$l.json: not a JSON object"; continue; }
        jq -r 'to_entries[] | select((.value | type) != "string" or (.value | test("^\\s*$"))) | "\(.key): empty or not text"' \
            "$dir/i18n/$l.json" | sed "s/^/$l.json: /"
        if [ "$l" != en ]; then
            diff <(jq -r 'keys[]' "$dir/i18n/en.json") <(jq -r 'keys[]' "$dir/i18n/$l.json") |
                sed -nE "s/^< (.*)/$l.json: missing key \1/p; s/^> (.*)/$l.json: key \1 not in en.json/p"
            # the same {placeholders} in every language
            jq -rn --slurpfile a "$dir/i18n/en.json" --slurpfile b "$dir/i18n/$l.json" \
                '$a[0] | to_entries[] | select($b[0][.key] != null) |
                 select(([.value | scan("\\{[a-z_]+\\}")] | sort) != ([$b[0][.key] | scan("\\{[a-z_]+\\}")] | sort)) |
                 "\(.key): placeholders differ from en"' | sed "s/^/$l.json: /"
        fi
    done
    used_keys "$dir" | sort -u | jq -Rr --slurpfile d "$dir/i18n/en.json" \
        '. as $k | select($d[0] | has($k) | not) | "key \($k) is used but not in en.json"'
}

P=$(check_i18n "$WEB")
expect_eq "$P" "" "translations complete"
N=$(used_keys "$WEB" | sort -u | wc -l)
if [ "$N" -ge 40 ]; then pass; else fail "only $N keys found in web/: the key scan is broken"; fi
expect_eq "$(jq -r '."lang.bn"' "$WEB/i18n/bn.json")" "বাংলা" "Bengali is in Bengali script"
# no text in code: the HTML has no text between tags outside data-i18n elements
T=$(perl -0pe 's/<!--.*?-->//gs; s/<[^>]*>/\n/gs' "$WEB/console/index.html" | grep -vE '^\s*:?\s*$' || true)
expect_eq "$T" "" "index.html holds no text of its own"

# a broken copy must fail: a key missing in one language, a key used but not defined, an empty value
BAD=$TMP/web
cp -r "$WEB" "$BAD"
jq 'del(."search.label")' "$WEB/i18n/hu.json" >"$BAD/i18n/hu.json"
expect_contains "$(check_i18n "$BAD")" "hu.json: missing key search.label" "a key missing in hu is caught"
cp "$WEB/i18n/hu.json" "$BAD/i18n/hu.json"
printf "const x = t('no.such.key');\n" >"$BAD/console/extra.js"
expect_contains "$(check_i18n "$BAD")" "key no.such.key is used but not in en.json" "an undefined t() key is caught"
rm "$BAD/console/extra.js"
printf '<p data-i18n="nor.this"></p>\n' >>"$BAD/console/index.html"
expect_contains "$(check_i18n "$BAD")" "key nor.this is used" "an undefined data-i18n key is caught"
cp "$WEB/console/index.html" "$BAD/console/index.html"
jq '."search.label" = " "' "$WEB/i18n/ms.json" >"$BAD/i18n/ms.json"
expect_contains "$(check_i18n "$BAD")" "ms.json: search.label: empty" "an empty text is caught"
jq '."search.none" = "Tiada ahli."' "$WEB/i18n/ms.json" >"$BAD/i18n/ms.json"
expect_contains "$(check_i18n "$BAD")" "ms.json: search.none: placeholders differ" "a lost placeholder is caught"
expect_eq "$(check_i18n "$WEB")" "" "the real files still pass"

# the service worker keeps every file of the console for a reload without a network: its SHELL
# list names each of them (a file added to web/console but not to sw.js fails here)
SHELL_LIST=$(sed -n "/^const SHELL = \[/,/^\];/p" "$WEB/console/sw.js")
MISSING=""
for f in "$WEB"/console/*; do
    b=$(basename "$f")
    case $b in sw.js) continue ;; index.html) b="" ;; esac
    path="/console${b:+/$b}"
    grep -qF "'$path'," <<<"$SHELL_LIST" || MISSING="$MISSING $path"
done
for l in $LANGS; do grep -qF "'/console/i18n/$l.json'," <<<"$SHELL_LIST" || MISSING="$MISSING $l.json"; done
expect_eq "$MISSING" "" "sw.js keeps every console file"
expect_contains "$SHELL_LIST" "'/console/chart.min.js'," "sw.js keeps Chart.js"
expect_not_contains "$SHELL_LIST" "/api/" "sw.js keeps no API answer"

# ---- (b) static serving over HTTP ----
DB=$(new_db web)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$LOY" serve --db "$DB" --port "$PORT" --quiet >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
U=http://127.0.0.1:$PORT
# get PATH [CURL ARGS...]: headers in $TMP/h (lower-cased), body in $TMP/b, status in $CODE
get() {
    local p=$1
    shift
    rm -f "$TMP/b"
    touch "$TMP/b"
    CODE=$(curl -s --path-as-is -o "$TMP/b" -D "$TMP/h0" -w '%{http_code}' "$@" "$U$p")
    tr 'A-Z' 'a-z' <"$TMP/h0" | tr -d '\r' >"$TMP/h"
}
hdr() { sed -n "s/^$1: //p" "$TMP/h" | head -1; }

get /console
expect_eq "$CODE" 200 "/console answers"
expect_eq "$(hdr content-type)" "text/html; charset=utf-8" "/console is HTML"
expect_contains "$(hdr content-security-policy)" "default-src 'self'" "CSP: self only"
expect_contains "$(hdr content-security-policy)" "script-src 'self';" "CSP: scripts from self only"
expect_not_contains "$(hdr content-security-policy)" "unsafe" "CSP: nothing unsafe"
expect_eq "$(hdr x-content-type-options)" "nosniff" "nosniff"
if cmp -s "$TMP/b" "$WEB/console/index.html"; then pass; else fail "/console is not web/console/index.html"; fi
expect_contains "$(cat "$TMP/b")" 'id="login-form"' "the console has the login form"
get /console/
expect_eq "$CODE" 200 "/console/ answers too"
get /console/index.html
expect_eq "$CODE" 200 "/console/index.html"

for f in "$WEB"/console/*.js; do
    get "/console/$(basename "$f")"
    expect_eq "$CODE $(hdr content-type)" "200 text/javascript; charset=utf-8" "$(basename "$f") is a JavaScript module"
    if cmp -s "$TMP/b" "$f"; then pass; else fail "$(basename "$f") differs from web/"; fi
done
get /console/console.css
expect_eq "$CODE $(hdr content-type)" "200 text/css; charset=utf-8" "style sheet"
get /console/sw.js
expect_eq "$(hdr service-worker-allowed)" "/console" "the service worker may control /console itself"
get /console/app.js
expect_eq "$(hdr service-worker-allowed)" "" "only sw.js widens a scope"
for l in $LANGS; do
    get "/console/i18n/$l.json"
    expect_eq "$CODE $(hdr content-type)" "200 application/json" "$l.json served"
    if cmp -s "$TMP/b" "$WEB/i18n/$l.json"; then pass; else fail "$l.json differs from web/"; fi
done

get /console/app.js
ETAG=$(hdr etag)
expect_contains "$ETAG" '"' "an ETag is sent"
expect_eq "$(hdr cache-control)" "no-cache" "revalidated with the ETag"
get /console/app.js -H "If-None-Match: $ETAG"
expect_eq "$CODE" 304 "If-None-Match with the ETag: 304"
expect_eq "$(wc -c <"$TMP/b" | tr -d ' ')" 0 "304 has no body"
expect_eq "$(hdr etag)" "$ETAG" "304 repeats the ETag"
get /console/app.js -H 'If-None-Match: "stale", '"$ETAG"
expect_eq "$CODE" 304 "a list that holds the ETag: 304"
get /console/app.js -H 'If-None-Match: "stale"'
expect_eq "$CODE" 200 "another ETag: 200"
get /console/console.css -H "If-None-Match: $ETAG"
expect_eq "$CODE" 200 "one file's ETag does not match another"

get /console/nope.js
expect_eq "$CODE" 404 "unknown file"
expect_eq "$(jq -r .error.code "$TMP/b")" "not_found" "404 is the usual error body"
get /console/i18n/xx.json
expect_eq "$CODE" 404 "unknown language"
get /console/en.json
expect_eq "$CODE" 404 "translations only under i18n/"
get /console/i18n/app.js
expect_eq "$CODE" 404 "modules only under /console/"
# traversal: raw and encoded dot segments, encoded slashes and backslashes; nothing outside web/
for p in "/console/../CMakeLists.txt" "/console/..%2fCMakeLists.txt" "/console/%2e%2e/CMakeLists.txt" \
    "/console/i18n/..%2f..%2fCMakeLists.txt" "/console/i18n/../console/app.js" "/console/..%5cCMakeLists.txt" \
    "/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd" "/console/....//etc/passwd" "/console/i18n/%2e%2e" \
    "/console/.%2fapp.js" "/console/..." "/console/%2fetc%2fpasswd" \
    "/console/i18n/..%2f..%2f..%2fsrc%2fhttp%2fstatic.c"; do
    get "$p"
    expect_eq "$CODE" 404 "traversal $p"
    expect_not_contains "$(cat "$TMP/b")" "cmake_minimum_required" "traversal $p: no file content"
    expect_not_contains "$(cat "$TMP/b")" "root:" "traversal $p: no passwd"
done
# libmicrohttpd decodes %00 and the path ends there: at most a file of web/ comes back
get "/console/app.js%00.json"
if [ "$CODE" = 404 ] || cmp -s "$TMP/b" "$WEB/console/app.js"; then pass; else fail "%00: $CODE"; fi
get /console/app.js -X POST
expect_eq "$CODE" 405 "static files are GET only"
# the API keeps its defaults: no-store, no ETag
get /healthz
expect_eq "$(hdr cache-control)" "no-store" "API responses stay no-store"
expect_eq "$(hdr etag)" "" "API responses carry no ETag"

finish
