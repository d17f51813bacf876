#!/usr/bin/env bash
# Idempotency keys (RELIABILITY.md guarantee 2, tests B1-B3): the same key and body replays the
# stored response with exactly one effect; the same key with another body (or another
# operation) is a conflict (exit 4) with no effect; no key means a fresh key per call; a key of
# more than 255 characters is refused (exit 2); a replay returns the original response even after
# the balance changed; a failed request or a dry run does not use up its key.
. "$(dirname "$0")/lib.sh"

DB=$(new_db idem)

counts() { # counts: rows of every table a write touches, one line
    sql "$DB" "SELECT (SELECT count(*) FROM members) || ' ' || (SELECT count(*) FROM purchases) || ' ' ||
                      (SELECT count(*) FROM refunds) || ' ' || (SELECT count(*) FROM vouchers) || ' ' ||
                      (SELECT count(*) FROM ledger) || ' ' || (SELECT count(*) FROM idempotency) || ' ' ||
                      (SELECT count(*) FROM outbox) || ' ' || (SELECT count(*) FROM audit)"
}

# repeat10 KEY DESCRIPTION INPUT COMMAND...: runs the command 10 times with --key KEY --json
# (INPUT on stdin with `-`, or @flags), expecting exit 0 and identical stdout every time. Sets
# FIRST to the first stdout and DELTA_LEDGER to the ledger rows added by all 10 calls.
repeat10() {
    local key=$1 desc=$2 input=$3 i ledger_before
    shift 3
    ledger_before=$(sql "$DB" "SELECT count(*) FROM ledger")
    FIRST=""
    local same=0 ok=0
    for i in $(seq 10); do
        if [ "$input" = "@flags" ]; then
            run "$@" --db "$DB" --key "$key" --json
        else
            run_in "$input" "$@" --db "$DB" --key "$key" --json -
        fi
        [ "$RC" -eq 0 ] && ok=$((ok + 1))
        [ "$i" -eq 1 ] && FIRST=$OUT
        [ "$OUT" == "$FIRST" ] && same=$((same + 1))
    done
    expect_eq "$ok" "10" "$desc: 10 calls exit 0 (last stderr: $ERR)"
    expect_eq "$same" "10" "$desc: 10 identical outputs"
    if printf '%s' "$FIRST" | jq -e . >/dev/null 2>&1; then pass; else fail "$desc: output is not JSON"; fi
    DELTA_LEDGER=$(($(sql "$DB" "SELECT count(*) FROM ledger") - ledger_before))
    expect_eq "$(sql "$DB" "SELECT count(*) FROM idempotency WHERE key = '$key'")" "1" \
        "$desc: one idempotency record"
}

# conflict RC DESCRIPTION INPUT COMMAND...: the call must fail with RC and change nothing
conflict() {
    local rc=$1 desc=$2 input=$3 before before_counts
    shift 3
    before=$(snapshot "$DB")
    before_counts=$(counts)
    if [ "$input" = "@flags" ]; then run "$@" --db "$DB" --json; else run_in "$input" "$@" --db "$DB" --json -; fi
    expect_rc "$rc" "$desc"
    expect_eq "$OUT" "" "$desc: stdout empty"
    expect_eq "$(snapshot "$DB")" "$before" "$desc: no effect"
    expect_eq "$(counts)" "$before_counts" "$desc: no row anywhere (audit included)"
    verify "$DB" "$desc"
}

# ---------------------------------------------------------------- member add x10
repeat10 join-1 "member add" @flags member add --name "Nur Aisyah" --phone "+60 13-555 0001"
expect_eq "$(sql "$DB" "SELECT count(*) FROM members")" "1" "member add x10: one member"
expect_eq "$DELTA_LEDGER" "1" "member add x10: one welcome entry"
expect_jq "$FIRST" .balances.points "50" "member add x10: welcome once"
M=$(printf '%s' "$FIRST" | jq -r .member.id)
conflict 4 "member add: same key, another name" @flags member add --name "Somebody Else" --key join-1
conflict 4 "member add: same key, more fields" @flags member add --name "Nur Aisyah" --phone "+60 13-555 0001" --locale en --key join-1

# ---------------------------------------------------------------- purchase x10
BODY='{"member": '$M', "amount": 1850, "location": "BSR", "items": [{"category": "coffee", "sku": "KOPI", "qty": 2, "amount": 900}, {"category": "pastry", "sku": "CROISSANT", "amount": 950}]}'
repeat10 buy-1 "purchase (stdin)" "$BODY" purchase
expect_eq "$(sql "$DB" "SELECT count(*) FROM purchases")" "1" "purchase x10: one purchase"
expect_eq "$DELTA_LEDGER" "4" "purchase x10: one set of ledger entries (base, pastry, stamps, giving)"
expect_jq "$FIRST" .outcome.points_earned "27" "purchase x10: 27 points"
expect_eq "$(sql "$DB" "SELECT points || ' ' || stamps FROM balances WHERE member_id = $M")" "77 2" \
    "purchase x10: balance credited once"
P=$(printf '%s' "$FIRST" | jq -r .purchase.id)
PURCHASE_OUT=$FIRST
conflict 4 "purchase: same key, another amount" '{"member": '$M', "amount": 1851}' purchase --key buy-1
conflict 4 "purchase: same key, another location" "$(printf '%s' "$BODY" | jq -c '.location = "PJ"')" purchase --key buy-1
conflict 4 "purchase: same key, another item" "$(printf '%s' "$BODY" | jq -c '.items[1].category = "cake"')" purchase --key buy-1
conflict 4 "purchase: same key, an extra field" "$(printf '%s' "$BODY" | jq -c '.reference = "R-9"')" purchase --key buy-1
conflict 4 "purchase: same key, other member" '{"member": 99, "amount": 1850}' purchase --key buy-1
# the same request with its keys in another order and other spacing is the same request
run_in "$(printf '%s' "$BODY" | jq -S .)" purchase --db "$DB" --key buy-1 --json -
expect_rc 0 "purchase: same body, keys in another order"
expect_eq "$OUT" "$PURCHASE_OUT" "purchase: reordered body replays the original"
expect_eq "$(sql "$DB" "SELECT count(*) FROM purchases")" "1" "purchase: still one purchase"

# flags: --amount 10 and --amount 10.00 are the same request once converted to sen
run purchase --db "$DB" --member "$M" --amount 10 --key buy-flags --json
expect_rc 0 "purchase --amount 10"
FLAGS_OUT=$OUT
run purchase --db "$DB" --member "$M" --amount 10.00 --key buy-flags --json
expect_rc 0 "purchase --amount 10.00, same key"
expect_eq "$OUT" "$FLAGS_OUT" "10 and 10.00 are the same request"
run purchase --db "$DB" --member "$M" --amount 10.01 --key buy-flags --json
expect_rc 4 "purchase --amount 10.01, same key"
expect_jq "$ERR" .error.code "idempotency_mismatch" "mismatch error code"
expect_jq "$ERR" .error.field "idempotency_key" "mismatch error field"
expect_eq "$(sql "$DB" "SELECT count(*) FROM purchases")" "2" "flags: two purchases in all"

# human output of a replay: same stdout, a note on stderr
run purchase --db "$DB" --member "$M" --amount 10 --key buy-flags
expect_rc 0 "human replay"
expect_contains "$ERR" "replayed the result of key buy-flags" "human replay says so on stderr"
expect_contains "$OUT" "Earned 10 points" "human replay prints the original outcome"

# ---------------------------------------------------------------- keys are per operation body
conflict 4 "purchase key reused for a redeem" @flags redeem --member "$M" --reward rm5-off --key buy-1
conflict 4 "purchase key reused for an adjust" @flags adjust --member "$M" --points 5 --reason x --key buy-1
conflict 4 "purchase key reused for a refund" @flags refund --purchase "$P" --key buy-1
conflict 4 "join key reused for a purchase" "$BODY" purchase --key join-1
conflict 4 "purchase key reused for a voucher use" @flags voucher use NOPE-NOPE --key buy-1

# ---------------------------------------------------------------- adjust x10
repeat10 adj-1 "adjust" @flags adjust --member "$M" --points 450 --reason "welcome gift"
expect_eq "$DELTA_LEDGER" "1" "adjust x10: one ledger entry"
expect_jq "$FIRST" .balances.points "537" "adjust x10: 50+27+10+450"
expect_eq "$(sql "$DB" "SELECT points FROM balances WHERE member_id = $M")" "537" "adjust x10: credited once"
conflict 4 "adjust: same key, another delta" @flags adjust --member "$M" --points 451 --reason "welcome gift" --key adj-1
conflict 4 "adjust: same key, another reason" @flags adjust --member "$M" --points 450 --reason "other" --key adj-1
conflict 4 "adjust: same key, stamps instead of points" @flags adjust --member "$M" --stamps 450 --reason "welcome gift" --key adj-1

# ---------------------------------------------------------------- redeem x10
repeat10 red-1 "redeem" @flags redeem --member "$M" --reward rm5-off
expect_eq "$(sql "$DB" "SELECT count(*) FROM vouchers")" "1" "redeem x10: one voucher"
expect_eq "$(sql "$DB" "SELECT points FROM balances WHERE member_id = $M")" "37" "redeem x10: debited once"
CODE=$(printf '%s' "$FIRST" | jq -r .voucher.code)
SHORT=$(printf '%s' "$FIRST" | jq -r .voucher.short_code)
conflict 4 "redeem: same key, another reward" @flags redeem --member "$M" --reward gold-cake --key red-1

# ---------------------------------------------------------------- voucher use x10
repeat10 use-1 "voucher use" @flags voucher use "$SHORT"
expect_eq "$DELTA_LEDGER" "0" "voucher use x10: no ledger entry"
expect_eq "$(sql "$DB" "SELECT count(*) FROM vouchers WHERE used_at IS NOT NULL")" "1" "voucher used once"
conflict 4 "voucher use: same key, the full code" @flags voucher use "$CODE" --key use-1
conflict 4 "voucher use: new key, already used" @flags voucher use "$SHORT" --key use-2

# ---------------------------------------------------------------- refund x10
repeat10 ref-1 "partial refund" @flags refund --purchase "$P" --amount 9.25 --reason "half"
expect_eq "$(sql "$DB" "SELECT count(*) FROM refunds")" "1" "refund x10: one refund"
expect_eq "$(sql "$DB" "SELECT refunded FROM purchases WHERE id = $P")" "925" "refund x10: refunded once"
expect_jq "$FIRST" '[.outcome.entries[] | select(.account == "points") | .amount] | add' "-13" \
    "refund x10: half of 18 + half of 9 (cumulative floor) = 13 points"
conflict 4 "refund: same key, another amount" @flags refund --purchase "$P" --amount 9.24 --reason "half" --key ref-1
run refund --db "$DB" --purchase "$P" --key ref-2 --json
expect_rc 0 "refund of the rest with a new key"
expect_jq "$OUT" .refund.amount "925" "the rest is refunded"
run refund --db "$DB" --purchase "$P" --key ref-2 --json
expect_rc 0 "refund of the rest replayed"
expect_eq "$(sql "$DB" "SELECT count(*) FROM refunds")" "2" "two refunds in all"
conflict 4 "refund: a new key after the full refund" @flags refund --purchase "$P" --key ref-3
expect_eq "$(sql "$DB" "SELECT sum(amount) FROM ledger WHERE ref_type IN ('purchase', 'refund') AND ref_id IN (SELECT $P UNION SELECT id FROM refunds WHERE purchase_id = $P) AND account = 'stamps'")" \
    "0" "stamps of the purchase reversed exactly once"

# ---------------------------------------------------------------- missing key: one effect per call
before=$(sql "$DB" "SELECT count(*) FROM purchases")
before_idem=$(sql "$DB" "SELECT count(*) FROM idempotency")
run purchase --db "$DB" --member "$M" --amount 6.00 --json
expect_rc 0 "purchase without a key (1)"
run purchase --db "$DB" --member "$M" --amount 6.00 --json
expect_rc 0 "purchase without a key (2)"
expect_eq "$(sql "$DB" "SELECT count(*) FROM purchases")" "$((before + 2))" "two calls without a key = two purchases"
expect_eq "$(sql "$DB" "SELECT count(*) FROM idempotency")" "$((before_idem + 2))" "each call got its own fresh key"
run adjust --db "$DB" --member "$M" --points 1 --reason "no key"
run adjust --db "$DB" --member "$M" --points 1 --reason "no key"
expect_eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE reason = 'no key'")" "2" "two adjusts without a key = two effects"

# ---------------------------------------------------------------- key length
conflict 2 "key of 256 characters" @flags purchase --member "$M" --amount 6.00 --key "$(head -c 256 /dev/zero | tr '\0' k)"
expect_jq "$ERR" .error.field "idempotency_key" "long key: error field"
conflict 2 "key of 1000 characters" @flags adjust --member "$M" --points 1 --reason x --key "$(head -c 1000 /dev/zero | tr '\0' k)"
conflict 2 "empty key" @flags purchase --member "$M" --amount 6.00 --key ""
conflict 2 "long key on member add" @flags member add --name "Long Key" --key "$(head -c 256 /dev/zero | tr '\0' k)"
K255=$(head -c 255 /dev/zero | tr '\0' k)
run purchase --db "$DB" --member "$M" --amount 6.00 --key "$K255" --json
expect_rc 0 "key of exactly 255 characters"
K255_OUT=$OUT
run purchase --db "$DB" --member "$M" --amount 6.00 --key "$K255" --json
expect_eq "$OUT" "$K255_OUT" "255-character key replays"
run purchase --db "$DB" --member "$M" --amount 6.00 --key "ключ-☕-キー" --json
expect_rc 0 "a non-ASCII key"
UKEY_OUT=$OUT
run purchase --db "$DB" --member "$M" --amount 6.00 --key "ключ-☕-キー" --json
expect_eq "$OUT" "$UKEY_OUT" "non-ASCII key replays"

# ---------------------------------------------------------------- replay after the balance changed
run member add --db "$DB" --name "Replay Test" --json
R=$(printf '%s' "$OUT" | jq -r .member.id)
run purchase --db "$DB" --member "$R" --amount 20.00 --key orig-1 --json
expect_rc 0 "original purchase"
ORIG=$OUT
expect_jq "$ORIG" .balances.points "70" "original balance 50+20"
run adjust --db "$DB" --member "$R" --points 100 --reason "change the balance"
run purchase --db "$DB" --member "$R" --amount 30.00 --json
expect_eq "$(sql "$DB" "SELECT points FROM balances WHERE member_id = $R")" "200" "balance has changed to 200"
before=$(snapshot "$DB")
run purchase --db "$DB" --member "$R" --amount 20.00 --key orig-1 --json
expect_rc 0 "replay after the balance changed"
expect_eq "$OUT" "$ORIG" "replay returns the ORIGINAL response"
expect_jq "$OUT" .balances.points "70" "replay shows the original balance, not 200"
expect_eq "$(snapshot "$DB")" "$before" "replay wrote nothing"
# even after the programme changed
jq '.bonuses.welcome = 75 | .points.earn[0].points_per_unit = 2' "$PROGRAMME" >"$TMP/v2.json"
"$LOY" programme set --db "$DB" "$TMP/v2.json" >/dev/null
run purchase --db "$DB" --member "$R" --amount 20.00 --key orig-1 --json
expect_eq "$OUT" "$ORIG" "replay after a programme change returns the original response"
# and a week later (keys are kept at least 7 days, even across `expire`)
LOYALTY_NOW=2026-11-27T03:00:00Z run expire --db "$DB"
expect_rc 0 "expire a week later"
LOYALTY_NOW=2026-11-27T03:00:00Z run purchase --db "$DB" --member "$R" --amount 20.00 --key orig-1 --json
expect_eq "$OUT" "$ORIG" "replay 7 days later returns the original response"
expect_eq "$(sql "$DB" "SELECT count(*) FROM purchases WHERE member_id = $R")" "2" "replays added no purchase"

# ---------------------------------------------------------------- failed requests and dry runs keep the key free
before=$(snapshot "$DB")
run purchase --db "$DB" --member "$R" --amount 5.00 --location KL --key fix-1 --json
expect_rc 2 "a bad request with a key"
expect_eq "$(snapshot "$DB")" "$before" "the bad request stored nothing, not even its key"
run purchase --db "$DB" --member "$R" --amount 5.00 --location BSR --key fix-1 --json
expect_rc 0 "the corrected request with the same key runs"
expect_jq "$OUT" '.purchase.location' "BSR" "the corrected request was recorded"
run redeem --db "$DB" --member "$M" --reward rm5-off --key fix-2
expect_rc 1 "a refused redeem with a key"
run adjust --db "$DB" --member "$M" --points 1 --reason "after refusal" --key fix-2
expect_rc 0 "the key of a refused request is free for another request"
run purchase --db "$DB" --member "$R" --amount 7.00 --key dry-1 --dry-run --json
expect_rc 0 "dry run with a key"
expect_eq "$(sql "$DB" "SELECT count(*) FROM idempotency WHERE key = 'dry-1'")" "0" "a dry run stores no key"
run purchase --db "$DB" --member "$R" --amount 8.00 --key dry-1 --json
expect_rc 0 "the key of a dry run is free for the real purchase"
expect_jq "$OUT" .purchase.amount "800" "the real purchase was recorded"

# ---------------------------------------------------------------- 20 concurrent calls, one key
before=$(sql "$DB" "SELECT count(*) FROM purchases")
for i in $(seq 20); do
    ("$LOY" purchase --db "$DB" --member "$R" --amount 12.34 --key conc-1 --json >"$TMP/conc.$i.out" \
        2>"$TMP/conc.$i.err"
    echo $? >"$TMP/conc.$i.rc") &
done
wait
expect_eq "$(cat "$TMP"/conc.*.rc | sort | uniq -c | tr -s ' ')" " 20 0" "20 concurrent calls all exit 0"
expect_eq "$(cat "$TMP"/conc.*.out | md5sum | cut -c1-32) $(for i in $(seq 20); do md5sum <"$TMP/conc.$i.out"; done | sort -u | wc -l)" \
    "$(for i in $(seq 20); do cat "$TMP/conc.1.out"; done | md5sum | cut -c1-32) 1" "20 concurrent calls: identical responses"
expect_eq "$(sql "$DB" "SELECT count(*) FROM purchases")" "$((before + 1))" "20 concurrent calls: one purchase"
expect_eq "$(sql "$DB" "SELECT count(*) FROM idempotency WHERE key = 'conc-1'")" "1" "20 concurrent calls: one key"

verify "$DB" "at the end"
finish
