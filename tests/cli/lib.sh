# Shared helpers for the CLI tests: each test script sources this, runs the real `loyalty`
# binary ($LOY) against real SQLite files in a fresh directory, and ends with `finish`, which
# prints "N passed, M failed" and exits non-zero on any failure.
set -u
LOY=${1:?usage: test_x.sh PATH/TO/loyalty}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROGRAMME=$ROOT/examples/kopi-kita.json
TMP=$(mktemp -d "${LOY_TEST_TMP:-/tmp}/cli.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export LOYALTY_NOW=${LOYALTY_NOW:-2026-11-20T03:00:00Z}
PASSED=0
FAILED=0
OUT=""
ERR=""
RC=0

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

# run ARGS...: runs loyalty, captures stdout in $OUT, stderr in $ERR, exit code in $RC
run() {
    OUT=$("$LOY" "$@" 2>"$TMP/stderr")
    RC=$?
    ERR=$(cat "$TMP/stderr")
}

# run_in JSON ARGS...: like run, with JSON on standard input
run_in() {
    local input=$1
    shift
    OUT=$(printf '%s' "$input" | "$LOY" "$@" 2>"$TMP/stderr")
    RC=$?
    ERR=$(cat "$TMP/stderr")
}

expect_rc() { # expect_rc CODE DESCRIPTION
    if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, expected $1; stderr: $ERR"; fi
}

expect_eq() { # expect_eq GOT WANT DESCRIPTION
    if [ "$1" == "$2" ]; then pass; else fail "$3: got [$1], expected [$2]"; fi
}

expect_contains() { # expect_contains HAYSTACK NEEDLE DESCRIPTION
    case "$1" in *"$2"*) pass ;; *) fail "$3: [$1] does not contain [$2]" ;; esac
}

# new_db NAME: a fresh database initialised with the example programme; prints its path
new_db() {
    local db="$TMP/$1.db"
    "$LOY" init --db "$db" --programme "$PROGRAMME" >/dev/null || { echo "init failed" >&2; exit 1; }
    echo "$db"
}

# snapshot DB: everything a write could change, as text, for before/after comparison
snapshot() {
    sqlite3 "$1" "SELECT * FROM ledger ORDER BY id; SELECT * FROM balances ORDER BY member_id;
                  SELECT * FROM lots ORDER BY id; SELECT * FROM purchases ORDER BY id;
                  SELECT * FROM refunds ORDER BY id; SELECT * FROM idempotency ORDER BY key;
                  SELECT * FROM vouchers ORDER BY id; SELECT * FROM members ORDER BY id;
                  SELECT * FROM reward_stock; SELECT * FROM outbox ORDER BY id;
                  SELECT * FROM programmes ORDER BY version;"
}

verify() { # verify DB DESCRIPTION: `loyalty db verify` must pass
    if "$LOY" db verify --db "$1" >/dev/null 2>"$TMP/verify.err"; then pass; else
        fail "$2: db verify failed: $(cat "$TMP/verify.err")"
    fi
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

# ---- helpers added for test_cli_*.sh (existing helpers above are unchanged) ----

# expect_jq JSON FILTER WANT DESCRIPTION: `jq -r FILTER` of JSON must equal WANT
expect_jq() {
    local got
    if ! got=$(printf '%s' "$1" | jq -r "$2" 2>&1); then got="(not JSON or jq error: $got)"; fi
    expect_eq "$got" "$3" "$4"
}

expect_not_contains() { # expect_not_contains HAYSTACK NEEDLE DESCRIPTION
    case "$1" in *"$2"*) fail "$3: [$1] contains [$2]" ;; *) pass ;; esac
}

# expect_failure RC FIELD DESCRIPTION: the last `run ... --json` exited RC, printed nothing on
# stdout, and printed a JSON error object on stderr whose "field" is FIELD
expect_failure() {
    expect_rc "$1" "$3"
    expect_eq "$OUT" "" "$3: stdout must be empty on error"
    local f
    if ! f=$(printf '%s' "$ERR" | jq -er '.error.field' 2>/dev/null); then
        f="(stderr is not a JSON error object: $ERR)"
    fi
    expect_eq "$f" "$2" "$3: error field"
}

# expect_quiet_error RC DESCRIPTION: exit RC, empty stdout, non-empty stderr
expect_quiet_error() {
    expect_rc "$1" "$2"
    expect_eq "$OUT" "" "$2: stdout must be empty on error"
    if [ -n "$ERR" ]; then pass; else fail "$2: stderr is empty on error"; fi
}

# sql DB QUERY: prints the result of a read-only query
sql() { sqlite3 "$1" "$2"; }
