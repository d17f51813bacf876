#!/usr/bin/env bash
# Browser tests: drives the staff console (/console) in Debian's headless Chromium through
# playwright-core against a real `loyalty serve` on demo data. Usage: run.sh PATH/TO/loyalty
# [FILE.test.mjs...]: only those files. Screenshots of every test go to $LOY_BROWSER_OUT
# (default BUILD_DIR/test-output/browser).
set -euo pipefail
LOY=$(realpath "${1:?usage: run.sh PATH/TO/loyalty [FILE.test.mjs...]}")
shift
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${LOY_BUILD_DIR:-$(dirname "$LOY")}
OUT=${LOY_BROWSER_OUT:-$BUILD_DIR/test-output/browser}
CHROMIUM=${LOY_CHROMIUM:-/usr/bin/chromium}

die() { echo "browser tests: $*" >&2; exit 1; }

# Never skip silently: a machine without the browser or Node.js fails with the fix.
[ -x "$CHROMIUM" ] || die "$CHROMIUM not found: install it with 'bash scripts/deps.sh' (Debian package chromium)"
command -v node >/dev/null || die "node not found: install it with 'bash scripts/deps.sh' (Debian packages nodejs npm)"
command -v npm >/dev/null || die "npm not found: install it with 'bash scripts/deps.sh' (Debian package npm)"

# playwright-core from the committed lock file, installed again when the lock file changes
STAMP=$HERE/node_modules/.lock-sha256
LOCK_SUM=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$HERE/node_modules/playwright-core/package.json" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$LOCK_SUM" ]; then
    echo "browser tests: npm ci in tests/browser"
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $HERE"
    echo "$LOCK_SUM" >"$STAMP"
fi

mkdir -p "${LOY_TEST_TMP:-/tmp}"
TMP=$(mktemp -d "${LOY_TEST_TMP:-/tmp}/browser.XXXXXX")
SRV=""
cleanup() {
    if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null || true; wait "$SRV" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
rm -rf "$OUT"
mkdir -p "$OUT"

# the demo shop: 150 members with a year of purchases, a fitted model and a staff owner with a
# known password
DB=$TMP/loyalty.db
PASSWORD=browser-test-pw-1
"$LOY" init --db "$DB" --programme "$ROOT/examples/kopi-kita.json" >/dev/null || die "init failed"
"$LOY" demo --db "$DB" --members 150 --months 12 >/dev/null || die "demo failed"
# a fitted model, so that the dashboard's CLV chart has its prediction (P(alive), deciles)
"$LOY" model fit --db "$DB" >/dev/null || die "model fit failed"
printf '%s\n' "$PASSWORD" | "$LOY" user add --db "$DB" --username owner --name "Test Owner" \
    --role owner >/dev/null || die "user add failed"
API_KEY=$("$LOY" apikey create --db "$DB" --role owner --name browser-tests --json | jq -r .key)

# port 0: the server takes a free port and prints its address
# (no daily jobs at start: they would move balances while the tests compare them)
"$LOY" serve --db "$DB" --port 0 --quiet --no-scheduler >"$TMP/serve.out" 2>"$TMP/serve.err" &
SRV=$!
URL=""
for _ in $(seq 1 300); do
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$TMP/serve.out" | head -n 1 || true)
    [ -n "$URL" ] && curl -sf "$URL/healthz" >/dev/null && break
    kill -0 "$SRV" 2>/dev/null || { cat "$TMP/serve.err" >&2; SRV=""; die "the server did not start"; }
    sleep 0.1
done
[ -n "$URL" ] || die "the server printed no address in 30 s: $(cat "$TMP/serve.out")"
curl -sf "$URL/healthz" >/dev/null || die "no /healthz answer from $URL in 30 s"

export LOY_BIN=$LOY LOY_DB=$DB LOY_URL=$URL LOY_API_KEY=$API_KEY LOY_SHOTS=$OUT
export LOY_USER=owner LOY_PASSWORD=$PASSWORD LOY_CHROMIUM=$CHROMIUM
export NO_COLOR=1 FORCE_COLOR=0
# one test file at a time: the server and its database are shared (a Node.js without
# --test-concurrency, such as Debian 12's 18.x, gets one runner per file)
FILES=("$HERE"/*.test.mjs)
[ $# -eq 0 ] || FILES=("$@")
RC=0
if node --test-concurrency=1 -e 0 2>/dev/null; then
    node --test --test-reporter=spec --test-concurrency=1 "${FILES[@]}" || RC=$?
else
    for f in "${FILES[@]}"; do node --test --test-reporter=spec "$f" || RC=$?; done
fi

# the server must stop cleanly (under ASan this is where leaks and errors show up)
kill -TERM "$SRV"
SRC=0
wait "$SRV" || SRC=$?
SRV=""
if [ "$SRC" -ne 0 ]; then
    echo "browser tests: the server exited $SRC after SIGTERM" >&2
    tail -n 40 "$TMP/serve.err" >&2
    RC=1
fi
echo "browser tests: screenshots in $OUT"
exit "$RC"
