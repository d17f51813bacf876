#!/usr/bin/env bash
# A1/B3, CLI form: kill -9 a writer at random moments, CYCLES times, and retry what was not
# acknowledged with the same key and the same request.
# A writer loop (a bash subshell in its own process group) records purchases k-1, k-2, ... with
# the real binary and appends a key to the "acked" file only after `loyalty purchase` exited 0.
# After a random delay (0-120 ms, microsecond resolution, so kills land between commands, during
# start-up, inside the write transaction, after the commit and before the exit) the whole process
# group - loop and running loyalty process - is frozen with SIGSTOP, inspected, and killed with
# SIGKILL. After every kill `db verify` must pass and every acked key must be stored; the loop then
# restarts from the first key not known to be acked, retrying it with the same key and request.
# At the end: acked keys are exactly k-1..k-M; the stored purchase keys are exactly the acked
# ones; each has exactly one purchase (no purchase without a key, no purchase for two keys), whose
# amount is the one that key asked for, and exactly the ledger entries its stored response lists;
# the totals match and `db verify` passes. Prints how many kills hit a running loyalty process and
# how many retries replayed a write that had committed before the kill.
# Usage: bash tests/cli/test_crash.sh PATH/TO/loyalty   (CRASH_CYCLES=N to change the 50 cycles)
source "$(dirname "$0")/lib.sh"

CYCLES=${CRASH_CYCLES:-50}
MAX_DELAY_US=${CRASH_MAX_DELAY_US:-120000}

db=$(new_db crash)
run member add --db "$db" --name "Crash" --json --key join-crash
expect_rc 0 "member add"
member=$(jq -r '.member.id' <<<"$OUT")

ACKED=$TMP/acked       # keys acknowledged (exit 0), in order
REPLAYED=$TMP/replayed # keys whose retry replayed a stored result
WFAIL=$TMP/writer.fail # unexpected exits of the writer's loyalty
: >"$ACKED"
: >"$REPLAYED"
: >"$WFAIL"

# amount_minor N: the deterministic amount of purchase k-N in sen (5.00 .. 34.99)
amount_minor() { echo $((500 + (($1 * 7919) % 3000))); }

writer() { # writer FIRST [LAST]: purchases k-FIRST, k-FIRST+1, ... (until LAST or killed)
    local i=$1 last=${2:-0} m amt rc
    while [ "$last" -eq 0 ] || [ "$i" -le "$last" ]; do
        m=$((500 + ((i * 7919) % 3000)))
        printf -v amt '%d.%02d' $((m / 100)) $((m % 100))
        "$LOY" purchase --db "$db" --member "$member" --amount "$amt" --key "k-$i" \
            >/dev/null 2>"$TMP/writer.err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "k-$i: exit $rc: $(cat "$TMP/writer.err")" >>"$WFAIL"
            return 1
        fi
        case "$(<"$TMP/writer.err")" in *replayed*) echo "k-$i" >>"$REPLAYED" ;; esac
        echo "k-$i" >>"$ACKED"
        i=$((i + 1))
    done
}

next_key() { # the first key not known to be acked (acked keys are k-1..k-M in order)
    echo $(($(wc -l <"$ACKED") + 1))
}

# group_alive PGID: the live (not zombie) processes of a process group, as "PID COMM" lines
group_alive() {
    local p st
    for p in $(pgrep -g "$1"); do
        st=$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null) || continue
        [ "$st" = Z ] || echo "$p $(cat "/proc/$p/comm" 2>/dev/null)"
    done
}

stored_keys() { sqlite3 "$db" "SELECT key FROM idempotency WHERE key LIKE 'k-%'" | sort; }

kills_inside=0     # kills that hit a running loyalty process
UNACKED=$TMP/committed_unacked # keys stored but not acked after a kill: the retry must replay
: >"$UNACKED"
empty_kills=0
for ((c = 1; c <= CYCLES; c++)); do
    first=$(next_key)
    set -m # the writer gets its own process group (pgid = its pid)
    writer "$first" &
    pid=$!
    set +m
    us=$(((RANDOM * 32768 + RANDOM) % MAX_DELAY_US))
    sleep "$(printf '0.%06d' "$us")"
    kill -STOP -- "-$pid" 2>/dev/null
    inside=0
    case "$(group_alive "$pid")" in *" loyalty"*) inside=1 ;; esac
    kill -KILL -- "-$pid" 2>/dev/null || empty_kills=$((empty_kills + 1))
    wait "$pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do # the killed loyalty is reaped by init
        [ -z "$(group_alive "$pid")" ] && break
        sleep 0.05
    done
    if [ -n "$(group_alive "$pid")" ]; then fail "cycle $c: processes of group $pid survived kill -9"; fi
    kills_inside=$((kills_inside + inside))

    verify "$db" "cycle $c (killed after ${us} us)"
    if [ -s "$WFAIL" ]; then
        fail "cycle $c: the writer got an unexpected exit: $(cat "$WFAIL")"
        : >"$WFAIL"
    fi
    # Every acked key is stored (durability of acknowledged writes) ...
    missing=$(comm -23 <(sort "$ACKED") <(stored_keys) | head -5 | tr '\n' ' ')
    expect_eq "$missing" "" "cycle $c: acked keys missing from the database"
    # ... and at most the one key in flight at the kill is stored without an ack.
    n=$(next_key)
    extra=$(comm -13 <(sort "$ACKED") <(stored_keys) | tr '\n' ' ')
    case "$extra" in
    "") ;;
    "k-$n ") echo "k-$n" >>"$UNACKED" ;;
    *) fail "cycle $c: stored keys that were never acked: $extra (next key k-$n)" ;;
    esac
done

# Let the loop finish without a kill: it first retries the unacked key, then a few new ones.
n=$(next_key)
writer "$n" $((n + 4))
expect_eq "$?" 0 "final writer pass k-$n..k-$((n + 4)): $(cat "$WFAIL")"

M=$(wc -l <"$ACKED")
expect_eq "$(cat "$ACKED")" "$(seq 1 "$M" | sed 's/^/k-/')" "acked keys are k-1..k-$M in order, each once"
expect_eq "$(stored_keys)" "$(sort "$ACKED")" "stored purchase keys = acked keys"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM purchases")" "$M" "purchases = acked keys"
expect_eq "$(sqlite3 "$db" "SELECT count(DISTINCT json_extract(response, '\$.purchase.id')) FROM idempotency
                            WHERE key LIKE 'k-%'")" "$M" "each key has its own purchase"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM purchases p WHERE (SELECT count(*) FROM idempotency i
                            WHERE json_extract(i.response, '\$.purchase.id') = p.id) != 1")" \
    0 "each purchase is the effect of exactly one key"
expect_eq "$(sqlite3 "$db" "SELECT purchases FROM members WHERE id = $member")" "$M" "member's purchase count"
# Each key's purchase has the amount that key asked for.
want=$(for ((i = 1; i <= M; i++)); do echo "k-$i|$(amount_minor "$i")"; done | sort)
got=$(sqlite3 "$db" "SELECT i.key, p.amount FROM idempotency i
                     JOIN purchases p ON p.id = json_extract(i.response, '\$.purchase.id')
                     WHERE i.key LIKE 'k-%'" | sort)
expect_eq "$got" "$want" "amount of each key's purchase"
total=0
for ((i = 1; i <= M; i++)); do total=$((total + $(amount_minor "$i"))); done
expect_eq "$(sqlite3 "$db" "SELECT sum(amount) FROM purchases")" "$total" "total purchase amount"
# Each purchase has exactly the ledger entries its stored response lists: nothing applied twice.
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM idempotency i WHERE key LIKE 'k-%' AND
                (SELECT count(*) || '/' || total(amount) FROM ledger l WHERE l.ref_type = 'purchase'
                 AND l.ref_id = json_extract(i.response, '\$.purchase.id'))
             != (SELECT count(*) || '/' || total(json_extract(e.value, '\$.amount'))
                 FROM json_each(i.response, '\$.outcome.entries') e)")" \
    0 "ledger entries of each purchase = its stored outcome"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM ledger WHERE ref_type = 'purchase' AND ref_id NOT IN
                            (SELECT id FROM purchases)")" 0 "no ledger entry for an unknown purchase"
# The member's points equal the welcome bonus plus every stored purchase outcome.
earned=$(sqlite3 "$db" "SELECT total(json_extract(e.value, '\$.amount')) FROM idempotency i,
                        json_each(i.response, '\$.outcome.entries') e
                        WHERE i.key LIKE 'k-%' AND json_extract(e.value, '\$.account') = 'points'")
welcome=$(sqlite3 "$db" "SELECT total(amount) FROM ledger WHERE member_id = $member AND ref_type = 'join'
                         AND account = 'points'")
expect_eq "$(sqlite3 "$db" "SELECT points + pending FROM balances WHERE member_id = $member")" \
    "$(awk -v a="$earned" -v b="$welcome" 'BEGIN { printf "%d", a + b }')" "points = welcome + purchase outcomes"
# Replaying an acked key changes nothing.
before=$(snapshot "$db")
m=$(amount_minor 1)
run purchase --db "$db" --member "$member" --amount "$((m / 100)).$(printf '%02d' $((m % 100)))" --key k-1
expect_rc 0 "replay of k-1"
expect_eq "$(snapshot "$db")" "$before" "replay of k-1 changed nothing"
verify "$db" "final"

echo "crash: $CYCLES cycles, $kills_inside killed a running loyalty process, $(sort -u "$UNACKED" | wc -l) killed after the commit but before the ack, $(sort -u "$REPLAYED" | wc -l) retries replayed, $M purchases acked"
if [ "$kills_inside" -lt $((CYCLES / 4)) ]; then
    fail "only $kills_inside of $CYCLES kills hit a running loyalty process"
else
    pass
fi
expect_eq "$(sort -u "$REPLAYED")" "$(sort -u "$UNACKED")" "the retries that replayed = the keys committed but not acked at a kill"
finish
