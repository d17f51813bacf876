#!/usr/bin/env bash
# C1, CLI form: two `loyalty redeem` processes race for the last 500 points, ROUNDS times.
# Each round the member is topped up to exactly 500 points, two redeem processes (own keys) are
# released at the same instant through a shared fifo, and exactly one must win (exit 0) while the
# other is refused (exit 1, not enough points). The balance must be 0 after every round and never
# negative in the ledger's running sum; at the end `db verify` passes and there is exactly one
# voucher per round. The script measures how many rounds really overlapped (both processes started
# before either finished) and fails if fewer than half did, so it cannot silently stop racing.
# Usage: bash tests/cli/test_race.sh PATH/TO/loyalty   (RACE_ROUNDS=N to change the 200 rounds)
source "$(dirname "$0")/lib.sh"

ROUNDS=${RACE_ROUNDS:-200}
COST=500 # rm5-off in examples/kopi-kita.json

db=$(new_db race)
run member add --db "$db" --name "Racer" --json --key join-racer
expect_rc 0 "member add"
member=$(jq -r '.member.id' <<<"$OUT")

points() { sqlite3 "$db" "SELECT points FROM balances WHERE member_id = $member"; }
usec() { local t=${1//[.,]/}; echo $((10#$t)); } # EPOCHREALTIME (any locale) -> microseconds

# Barrier: GO is held open read-write by this shell, so the racers' reads block without EOF until
# the parent writes one newline per racer in a single write. READY tells the parent both racers
# are waiting. Bash reads pipes one byte at a time, so each racer consumes exactly one newline.
mkfifo "$TMP/go" "$TMP/ready"
exec 3<>"$TMP/go" 4<>"$TMP/ready"

racer() { # racer ROUND NAME: wait at the barrier, then redeem; writes "RC START END" to a file
    local out="$TMP/racer.$2"
    printf 'r\n' >&4
    read -r -u 3 _
    local t0=$EPOCHREALTIME
    "$LOY" redeem --db "$db" --member "$member" --reward rm5-off --key "redeem-$1-$2" --json \
        >"$out.json" 2>"$out.err" 3<&- 4<&-
    local rc=$?
    local t1=$EPOCHREALTIME
    echo "$rc $t0 $t1" >"$out.res"
}

overlapped=0
skew_total=0
bad_rounds=0
declare -a winner_key
for ((r = 1; r <= ROUNDS; r++)); do
    before=$(points)
    if [ "$r" -gt 1 ] && [ "$before" != 0 ]; then fail "round $r: balance before top-up is $before, expected 0"; fi
    "$LOY" adjust --db "$db" --member "$member" --points $((COST - before)) --reason "race round $r" \
        --key "topup-$r" >/dev/null 2>"$TMP/adjust.err" ||
        fail "round $r: adjust failed: $(cat "$TMP/adjust.err")"
    expect_eq "$(points)" "$COST" "round $r: balance after top-up"

    rm -f "$TMP"/racer.*
    racer "$r" a &
    pa=$!
    racer "$r" b &
    pb=$!
    read -r -u 4 _ # both racers are at the barrier
    read -r -u 4 _
    printf '\n\n' >&3 # release both at once
    wait "$pa" "$pb"

    read -r rca sa ea <"$TMP/racer.a.res"
    read -r rcb sb eb <"$TMP/racer.b.res"
    sa=$(usec "$sa") ea=$(usec "$ea") sb=$(usec "$sb") eb=$(usec "$eb")
    last_start=$((sa > sb ? sa : sb))
    first_end=$((ea < eb ? ea : eb))
    [ "$last_start" -lt "$first_end" ] && overlapped=$((overlapped + 1))
    skew_total=$((skew_total + (sa > sb ? sa - sb : sb - sa)))

    ok=1
    if [ "$rca" = 0 ] && [ "$rcb" = 1 ]; then
        win=a lose=b
    elif [ "$rca" = 1 ] && [ "$rcb" = 0 ]; then
        win=b lose=a
    else
        ok=0
        fail "round $r: exits were a=$rca b=$rcb, expected one 0 and one 1; a: $(cat "$TMP/racer.a.err") b: $(cat "$TMP/racer.b.err")"
    fi
    if [ "$ok" = 1 ]; then
        pass
        winner_key[r]="redeem-$r-$win"
        expect_contains "$(cat "$TMP/racer.$lose.err")" "not enough points" "round $r: loser's message"
        expect_eq "$(jq -r '.balances.points' "$TMP/racer.$win.json")" 0 "round $r: winner's balance after"
        jq -r '.voucher.code' "$TMP/racer.$win.json" >"$TMP/voucher.$r"
    else
        bad_rounds=$((bad_rounds + 1))
    fi
    after=$(points)
    expect_eq "$after" 0 "round $r: balance after the race"
    if [ "$after" -lt 0 ]; then fail "round $r: balance went negative: $after"; fi
    if [ "$bad_rounds" -ge 5 ]; then
        fail "stopping after $bad_rounds bad rounds"
        break
    fi
done
rounds_run=$((r > ROUNDS ? ROUNDS : r))

# One voucher per round, all distinct, each the effect of exactly one stored key.
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM vouchers WHERE member_id = $member AND reward_id = 'rm5-off'")" \
    "$rounds_run" "vouchers issued = rounds"
expect_eq "$(sqlite3 "$db" "SELECT count(DISTINCT code) FROM vouchers WHERE member_id = $member")" \
    "$rounds_run" "voucher codes distinct"
expect_eq "$(sqlite3 "$db" "SELECT count(*), count(DISTINCT json_extract(response, '\$.voucher.id'))
                            FROM idempotency WHERE key LIKE 'redeem-%'
                            AND json_extract(response, '\$.voucher.id') IS NOT NULL")" \
    "$rounds_run|$rounds_run" "stored redeem keys with a voucher = rounds, no voucher shared"
# A redemption may consume several lots (one ledger row each), but there is one per round and
# together they take exactly the reward's cost.
expect_eq "$(sqlite3 "$db" "SELECT count(DISTINCT ref_id), sum(amount) FROM ledger
                            WHERE member_id = $member AND ref_type = 'redemption'")" \
    "$rounds_run|$((-COST * rounds_run))" "one redemption of $COST points per round in the ledger"
# The balance is never negative at any point of the ledger's history.
expect_eq "$(sqlite3 "$db" "SELECT min(s) >= 0 FROM (SELECT sum(amount) OVER (ORDER BY id) AS s
                            FROM ledger WHERE member_id = $member AND account = 'points')")" \
    1 "running points balance never negative"
expect_eq "$(points)" 0 "final balance"

# Replaying a winner's key returns the same voucher and has no new effect.
nv=$(sqlite3 "$db" "SELECT count(*) FROM vouchers")
for r in 1 $((rounds_run / 2)) "$rounds_run"; do
    [ -n "${winner_key[r]:-}" ] || continue
    run redeem --db "$db" --member "$member" --reward rm5-off --key "${winner_key[r]}" --json
    expect_rc 0 "replay of ${winner_key[r]}"
    expect_eq "$(jq -r '.voucher.code' <<<"$OUT")" "$(cat "$TMP/voucher.$r")" "replay of ${winner_key[r]}: same voucher"
done
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM vouchers")" "$nv" "replays issued no voucher"
expect_eq "$(points)" 0 "balance after replays"

verify "$db" "after $rounds_run race rounds"

echo "race: $overlapped of $rounds_run rounds overlapped (both redeem processes started before either finished); mean start skew $((skew_total / (rounds_run > 0 ? rounds_run : 1))) us"
if [ $((overlapped * 2)) -lt "$rounds_run" ] || [ "$rounds_run" -lt "$ROUNDS" ]; then
    fail "only $overlapped of $rounds_run rounds overlapped (need at least half of $ROUNDS)"
else
    pass
fi

exec 3>&- 4>&-
finish
