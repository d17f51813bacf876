#!/usr/bin/env bash
# Bad input to every write command changes nothing (RELIABILITY.md guarantee 5, test D2): each case
# asserts the exit code, an empty stdout, the "field" of the --json error object on stderr, a
# byte-identical `snapshot` of the database before and after, and a passing `loyalty db verify`.
# Then malformed programme files for `init` (exit 2, nothing but the empty schema) and
# `programme set` (exit 2, database unchanged).
. "$(dirname "$0")/lib.sh"

DB=$(new_db bad)

# bad RC FIELD DESCRIPTION INPUT COMMAND... [ARGS...]
# INPUT is the JSON request given on stdin (with `-`), or @flags for none. --db and --json are
# put right after the command words, so argument errors are reported as JSON too.
bad() {
    local rc=$1 field=$2 desc=$3 input=$4
    shift 4
    local cmd=("$1")
    shift
    case "${cmd[0]}" in member | voucher | programme | db)
        cmd+=("$1")
        shift
        ;;
    esac
    local before
    before=$(snapshot "$DB" | sha256sum)
    if [ "$input" = "@flags" ]; then
        run "${cmd[@]}" --db "$DB" --json "$@"
    else
        run_in "$input" "${cmd[@]}" --db "$DB" --json "$@" -
    fi
    expect_failure "$rc" "$field" "${cmd[*]}: $desc"
    expect_eq "$(snapshot "$DB" | sha256sum)" "$before" "${cmd[*]}: $desc: database unchanged (snapshot hash)"
    verify "$DB" "${cmd[*]}: $desc"
}

long() { head -c "$1" /dev/zero | tr '\0' "${2:-x}"; } # long N [CHAR]: N copies of CHAR

# ---------------------------------------------------------------- the state the cases run against
"$LOY" member add --db "$DB" --name "Ann Lee" --phone "+60 12-111 2222" --email ann@example.com >/dev/null
"$LOY" member add --db "$DB" --name "Bob Tan" >/dev/null
"$LOY" purchase --db "$DB" --member 1 --amount 20.00 --item coffee:KOPI:2:9.00 --location BSR >/dev/null # #1
"$LOY" purchase --db "$DB" --member 1 --amount 10.00 >/dev/null                                          # #2
"$LOY" refund --db "$DB" --purchase 1 --amount 5.00 >/dev/null  # 15.00 left on purchase 1
"$LOY" refund --db "$DB" --purchase 2 >/dev/null                # purchase 2 fully refunded
"$LOY" adjust --db "$DB" --member 1 --points 1000 --reason "test balance" >/dev/null
"$LOY" redeem --db "$DB" --member 1 --reward rm5-off >/dev/null
USED=$(sql "$DB" "SELECT short_code FROM vouchers WHERE id = 1")
"$LOY" voucher use --db "$DB" "$USED" >/dev/null
expect_eq "$(sql "$DB" "SELECT count(*) FROM purchases") $(sql "$DB" "SELECT count(*) FROM vouchers WHERE used_at IS NOT NULL")" \
    "2 1" "setup: 2 purchases, 1 used voucher"
verify "$DB" "setup"

# ---------------------------------------------------------------- invalid JSON on stdin (every command)
for cmd in "member add" purchase refund redeem adjust "voucher use"; do
    # shellcheck disable=SC2086 # the command is one or two words
    {
        bad 2 "" "truncated JSON" '{"member": 1, "amount": 100' $cmd
        bad 2 "" "empty stdin" '' $cmd
        bad 2 "" "trailing garbage" '{"member": 1} x' $cmd
        bad 2 "" "two documents" '{}{}' $cmd
        bad 2 "" "an array, not an object" '[1, 2]' $cmd
        bad 2 "" "a string, not an object" '"hello"' $cmd
        bad 2 "" "null, not an object" 'null' $cmd
        bad 2 "" "duplicate keys" '{"member": 1, "member": 2}' $cmd
        bad 2 "" "invalid UTF-8" $'{"member": "\xff\xfe"}' $cmd
        bad 2 "" "NUL escape" '{"member": "a\u0000b"}' $cmd
        bad 2 "" "number out of range" '{"member": 99999999999999999999}' $cmd
    }
done
bad 2 "-" "flags and stdin together" '{"name": "A"}' member add --name A
bad 2 "-" "flags and stdin together" '{"member": 1, "amount": 100}' purchase --member 1
bad 2 "-" "flags and stdin together" '{"purchase_id": 1}' refund --purchase 1
bad 2 "-" "flags and stdin together" '{"member": 1, "reward": "rm5-off"}' redeem --member 1
bad 2 "-" "flags and stdin together" '{"member": 1, "delta": 5, "reason": "x"}' adjust --member 1
bad 2 "-" "flags and stdin together" '{"code": "NOPE-NOPE"}' voucher use --code NOPE-NOPE

# ---------------------------------------------------------------- member add
bad 2 name "missing name" '{}' member add
bad 2 name "missing name (flags)" @flags member add --phone "+60 12-999 0000"
bad 2 name "empty name" '{"name": ""}' member add
bad 2 name "empty name (flags)" @flags member add --name ""
bad 2 name "name of the wrong type" '{"name": 5}' member add
bad 2 name "name as an array" '{"name": ["Ann"]}' member add
bad 2 name "name longer than 200 bytes" "{\"name\": \"$(long 201)\"}" member add
bad 2 name "name longer than 4 KiB" "{\"name\": \"$(long 5000)\"}" member add
bad 2 name "name with a control character" '{"name": "A\u0007B"}' member add
bad 2 name "name with a newline" '{"name": "A\nB"}' member add
bad 2 email "email without @" '{"name": "A", "email": "nope"}' member add
bad 2 email "email without a domain dot" '{"name": "A", "email": "a@b"}' member add
bad 2 email "email without a local part" '{"name": "A", "email": "@b.com"}' member add
bad 2 email "email with a space" '{"name": "A", "email": "a b@c.com"}' member add
bad 2 email "email of the wrong type" '{"name": "A", "email": 5}' member add
bad 2 email "email longer than 254 bytes" "{\"name\": \"A\", \"email\": \"$(long 250 a)@b.com\"}" member add
bad 2 email "bad email (flags)" @flags member add --name A --email nope
bad 4 email "email of another member, other case" '{"name": "A", "email": "ANN@example.com"}' member add
bad 2 phone "phone of letters" '{"name": "A", "phone": "abc"}' member add
bad 2 phone "phone too short" '{"name": "A", "phone": "123"}' member add
bad 2 phone "phone with two pluses" '{"name": "A", "phone": "+60+12345678"}' member add
bad 2 phone "phone longer than 40 bytes" "{\"name\": \"A\", \"phone\": \"$(long 41 1)\"}" member add
bad 2 phone "bad phone (flags)" @flags member add --name A --phone 12
bad 4 phone "phone of another member, other format" '{"name": "A", "phone": "+60121112222"}' member add
bad 2 birthday "month 13" '{"name": "A", "birthday": "13-01"}' member add
bad 2 birthday "30 February" '{"name": "A", "birthday": "02-30"}' member add
bad 2 birthday "29 February of a common year" '{"name": "A", "birthday": "2001-02-29"}' member add
bad 2 birthday "year 1800" '{"name": "A", "birthday": "1800-01-01"}' member add
bad 2 birthday "a word" '{"name": "A", "birthday": "yesterday"}' member add
bad 2 birthday "empty" '{"name": "A", "birthday": ""}' member add
bad 2 birthday "a number" '{"name": "A", "birthday": 19900101}' member add
bad 2 birthday "bad birthday (flags)" @flags member add --name A --birthday 2-3
bad 2 locale "unknown locale" '{"name": "A", "locale": "fr"}' member add
bad 2 locale "upper-case locale" '{"name": "A", "locale": "EN"}' member add
bad 2 locale "locale of the wrong type" '{"name": "A", "locale": 5}' member add
bad 2 locale "bad locale (flags)" @flags member add --name A --locale xx
bad 2 location "unknown location" '{"name": "A", "location": "KL"}' member add
bad 2 location "unknown location (flags)" @flags member add --name A --location KL
bad 2 tags "tags not an array" '{"name": "A", "tags": "vip"}' member add
bad 2 tags "tag with a comma" '{"name": "A", "tags": ["a,b"]}' member add
bad 2 tags "empty tag" '{"name": "A", "tags": [""]}' member add
bad 2 tags "tag longer than 40" "{\"name\": \"A\", \"tags\": [\"$(long 41)\"]}" member add
bad 2 tags "tag with a comma (flags)" @flags member add --name A --tag "a,b"
bad 2 notes "notes longer than 2000 bytes" "{\"name\": \"A\", \"notes\": \"$(long 2001)\"}" member add
bad 2 consent "consent not an object" '{"name": "A", "consent": true}' member add
bad 2 consent.email "consent of the wrong type" '{"name": "A", "consent": {"email": "yes"}}' member add
bad 2 consent.post "unknown consent channel" '{"name": "A", "consent": {"post": true}}' member add
bad 2 consent_source "consent_source longer than 60" "{\"name\": \"A\", \"consent_source\": \"$(long 61)\"}" member add
bad 2 referred_by "referrer does not exist" '{"name": "A", "referred_by": 999}' member add
bad 2 referred_by "referrer of the wrong type" '{"name": "A", "referred_by": "1"}' member add
bad 2 referred-by "referrer not a number (flags)" @flags member add --name A --referred-by x
bad 2 points "forbidden field points" '{"name": "A", "points": 100}' member add
bad 2 tier "forbidden field tier" '{"name": "A", "tier": "gold"}' member add
bad 2 merchant "forbidden field merchant" '{"name": "A", "merchant": 1}' member add
bad 2 merchant_id "forbidden field merchant_id" '{"name": "A", "merchant_id": 1}' member add
bad 2 balance "forbidden field balance" '{"name": "A", "balance": 1}' member add
bad 2 id "unknown field id" '{"name": "A", "id": 7}' member add
bad 2 card_token "unknown field card_token" '{"name": "A", "card_token": "X"}' member add
bad 2 nmae "misspelt field" '{"nmae": "A"}' member add
bad 2 bogus "unknown option" @flags member add --name A --bogus 1

# ---------------------------------------------------------------- member edit (a write without a key)
bad 2 email "bad email" '{"email": "nope"}' member edit 1
bad 2 email "bad email (flags)" @flags member edit 1 --email nope
bad 2 phone "bad phone (flags)" @flags member edit 1 --phone 12
bad 2 name "empty name" '{"name": ""}' member edit 1
bad 2 birthday "bad birthday" '{"birthday": "02-30"}' member edit 1
bad 2 locale "bad locale" '{"locale": "fr"}' member edit 1
bad 2 location "unknown location" '{"location": "KL"}' member edit 1
bad 2 points "forbidden field points" '{"points": 5}' member edit 1
bad 2 tier "forbidden field tier" '{"tier": "gold"}' member edit 1
bad 2 merchant "forbidden field merchant" '{"merchant": 2}' member edit 1
bad 2 referred_by "referrer cannot be changed" '{"referred_by": 2}' member edit 1
bad 4 email "email of another member" '{"email": "ann@example.com"}' member edit 2
bad 3 member "unknown member" '{"name": "B"}' member edit 999
bad 3 member "unknown member (flags)" @flags member edit 999 --name B

# ---------------------------------------------------------------- purchase
bad 2 member "missing member" '{"amount": 100}' purchase
bad 2 member "missing member (flags)" @flags purchase --amount 10.00
bad 2 amount "missing amount" '{"member": 1}' purchase
bad 2 amount "missing amount (flags)" @flags purchase --member 1
bad 2 amount "null amount" '{"member": 1, "amount": null}' purchase
bad 2 amount "zero amount" '{"member": 1, "amount": 0}' purchase
bad 2 amount "negative amount" '{"member": 1, "amount": -100}' purchase
bad 2 amount "amount with decimals" '{"member": 1, "amount": 10.5}' purchase
bad 2 amount "amount as 1e3" '{"member": 1, "amount": 1e3}' purchase
bad 2 amount "amount a boolean" '{"member": 1, "amount": true}' purchase
bad 2 amount "amount too large" '{"member": 1, "amount": 1000000000001}' purchase
bad 2 amount "three decimals (flags)" @flags purchase --member 1 --amount 18.505
bad 2 amount "negative (flags)" @flags purchase --member 1 --amount -5
bad 2 amount "zero (flags)" @flags purchase --member 1 --amount 0
bad 2 amount "0.00 (flags)" @flags purchase --member 1 --amount 0.00
bad 2 amount "letters (flags)" @flags purchase --member 1 --amount abc
bad 2 amount "thousands separator (flags)" @flags purchase --member 1 --amount 1,000
bad 2 amount "exponent (flags)" @flags purchase --member 1 --amount 1e3
bad 2 amount "currency symbol (flags)" @flags purchase --member 1 --amount RM10
bad 2 amount "leading space (flags)" @flags purchase --member 1 --amount " 10"
bad 2 amount "trailing dot (flags)" @flags purchase --member 1 --amount 10.
bad 2 member "member a boolean" '{"member": true, "amount": 100}' purchase
bad 2 member "member id 0" '{"member": 0, "amount": 100}' purchase
bad 2 member "member id negative" '{"member": -1, "amount": 100}' purchase
bad 2 member "member id with decimals" '{"member": 1.5, "amount": 100}' purchase
bad 2 member "member empty" '{"member": "", "amount": 100}' purchase
bad 2 member "member reference longer than 254" "{\"member\": \"$(long 255 1)\", \"amount\": 100}" purchase
bad 3 member "unknown member id" '{"member": 999, "amount": 100}' purchase
bad 3 member "unknown member email" '{"member": "nobody@example.com", "amount": 100}' purchase
bad 3 member "unknown member (flags)" @flags purchase --member 999 --amount 10.00
bad 2 currency "wrong currency" '{"member": 1, "amount": 100, "currency": "USD"}' purchase
bad 2 currency "lower-case currency" '{"member": 1, "amount": 100, "currency": "myr"}' purchase
bad 2 currency "currency longer than 3" '{"member": 1, "amount": 100, "currency": "MYRX"}' purchase
bad 2 currency "currency a number" '{"member": 1, "amount": 100, "currency": 458}' purchase
bad 2 location "unknown location" '{"member": 1, "amount": 100, "location": "KL"}' purchase
bad 2 location "location in the wrong case" '{"member": 1, "amount": 100, "location": "bsr"}' purchase
bad 2 location "location longer than 47" "{\"member\": 1, \"amount\": 100, \"location\": \"$(long 48 B)\"}" purchase
bad 2 location "unknown location (flags)" @flags purchase --member 1 --amount 10.00 --location KL
bad 2 location "unknown location in a dry run" @flags purchase --member 1 --amount 10.00 --location KL --dry-run
bad 2 occurred_at "bad time" '{"member": 1, "amount": 100, "occurred_at": "yesterday"}' purchase
bad 2 occurred_at "time in the future" '{"member": 1, "amount": 100, "occurred_at": "2030-01-01T00:00:00Z"}' purchase
bad 2 occurred_at "bad time (flags)" @flags purchase --member 1 --amount 10.00 --at tomorrow
bad 2 reference "empty reference" '{"member": 1, "amount": 100, "reference": ""}' purchase
bad 2 reference "reference longer than 127" "{\"member\": 1, \"amount\": 100, \"reference\": \"$(long 128)\"}" purchase
bad 2 tender_points "negative tender" '{"member": 1, "amount": 100, "tender_points": -5}' purchase
bad 1 tender_points "tender where points cannot pay" '{"member": 1, "amount": 100, "tender_points": 5}' purchase
bad 2 tender-points "tender not a number (flags)" @flags purchase --member 1 --amount 10.00 --tender-points x
bad 2 items "items not an array" '{"member": 1, "amount": 100, "items": {}}' purchase
bad 2 "items[0]" "item not an object" '{"member": 1, "amount": 100, "items": [1]}' purchase
bad 2 "items[0]" "item nested 40 deep" "{\"member\": 1, \"amount\": 100, \"items\": [$(long 40 '[')$(long 40 ']')]}" purchase
bad 2 "items[0].amount" "item without amount" '{"member": 1, "amount": 100, "items": [{"category": "coffee"}]}' purchase
bad 2 "items[0]" "item without sku or category" '{"member": 1, "amount": 100, "items": [{"amount": 50}]}' purchase
bad 2 "items[0].amount" "item amount above the total" '{"member": 1, "amount": 100, "items": [{"category": "coffee", "amount": 200}]}' purchase
bad 2 items "lines add up to more than the total" '{"member": 1, "amount": 100, "items": [{"category": "a", "amount": 60}, {"category": "b", "amount": 60}]}' purchase
bad 2 "items[0].amount" "negative item amount" '{"member": 1, "amount": 100, "items": [{"sku": "KOPI", "amount": -1}]}' purchase
bad 2 "items[0].qty" "quantity 0" '{"member": 1, "amount": 100, "items": [{"category": "coffee", "amount": 50, "qty": 0}]}' purchase
bad 2 "items[0].qty" "fractional quantity" '{"member": 1, "amount": 100, "items": [{"sku": "KOPI", "amount": 50, "qty": 1.5}]}' purchase
bad 2 "items[0].category" "category a number" '{"member": 1, "amount": 100, "items": [{"category": 5, "amount": 50}]}' purchase
bad 2 "items[0].category" "category longer than 47" "{\"member\": 1, \"amount\": 100, \"items\": [{\"category\": \"$(long 48)\", \"amount\": 50}]}" purchase
bad 2 "items[0].price" "unknown item field" '{"member": 1, "amount": 100, "items": [{"category": "coffee", "amount": 50, "price": 1}]}' purchase
bad 2 "items[0].points" "forbidden item field" '{"member": 1, "amount": 100, "items": [{"category": "coffee", "amount": 50, "points": 1}]}' purchase
bad 2 items "more than 200 lines" "{\"member\": 1, \"amount\": 100, \"items\": [$(printf '{"sku":"K","amount":0},%.0s' $(seq 200)){\"sku\":\"K\",\"amount\":0}]}" purchase
bad 2 "items[0].amount" "item amount above the total (flags)" @flags purchase --member 1 --amount 10.00 --item coffee:KOPI:2:20.00
bad 2 item "item quantity 0 (flags)" @flags purchase --member 1 --amount 10.00 --item coffee:KOPI:0:5.00
bad 2 item "item quantity not a number (flags)" @flags purchase --member 1 --amount 10.00 --item coffee:KOPI:x
bad 2 item "empty item (flags)" @flags purchase --member 1 --amount 10.00 --item ""
bad 2 points "forbidden field points" '{"member": 1, "amount": 100, "points": 5}' purchase
bad 2 tier "forbidden field tier" '{"member": 1, "amount": 100, "tier": "gold"}' purchase
bad 2 merchant "forbidden field merchant" '{"member": 1, "amount": 100, "merchant": 2}' purchase
bad 2 merchant_id "forbidden field merchant_id" '{"member": 1, "amount": 100, "merchant_id": 2}' purchase
bad 2 pending "forbidden field pending" '{"member": 1, "amount": 100, "pending": 2}' purchase
bad 2 bogus "unknown field" '{"member": 1, "amount": 100, "bogus": 2}' purchase
bad 2 bogus "unknown option" @flags purchase --member 1 --amount 10.00 --bogus 2
bad 2 key "--key without a value" @flags purchase --member 1 --amount 10.00 --key

# ---------------------------------------------------------------- refund
bad 2 purchase_id "missing purchase" '{}' refund
bad 2 purchase_id "missing purchase (flags)" @flags refund --amount 1.00
bad 2 purchase_id "purchase id as a string" '{"purchase_id": "1"}' refund
bad 2 purchase_id "purchase id 0" '{"purchase_id": 0}' refund
bad 2 purchase_id "purchase id null" '{"purchase_id": null}' refund
bad 2 purchase "purchase not a number (flags)" @flags refund --purchase x
bad 3 purchase_id "unknown purchase" '{"purchase_id": 99}' refund
bad 3 purchase_id "unknown purchase (flags)" @flags refund --purchase 99
bad 4 purchase_id "purchase already fully refunded" '{"purchase_id": 2}' refund
bad 4 purchase_id "purchase already fully refunded (flags)" @flags refund --purchase 2 --amount 1.00
bad 2 amount "zero amount" '{"purchase_id": 1, "amount": 0}' refund
bad 2 amount "negative amount" '{"purchase_id": 1, "amount": -5}' refund
bad 2 amount "amount with decimals" '{"purchase_id": 1, "amount": 5.5}' refund
bad 2 amount "beyond what is left" '{"purchase_id": 1, "amount": 1501}' refund
bad 2 amount "beyond the purchase" '{"purchase_id": 1, "amount": 2001}' refund
bad 2 amount "beyond what is left (flags)" @flags refund --purchase 1 --amount 15.01
bad 2 amount "three decimals (flags)" @flags refund --purchase 1 --amount 5.555
bad 2 amount "zero (flags)" @flags refund --purchase 1 --amount 0
bad 2 amount "negative (flags)" @flags refund --purchase 1 --amount -1
bad 2 reason "empty reason" '{"purchase_id": 1, "reason": ""}' refund
bad 2 reason "reason a number" '{"purchase_id": 1, "reason": 5}' refund
bad 2 reason "reason longer than 500" "{\"purchase_id\": 1, \"reason\": \"$(long 501)\"}" refund
bad 2 points "forbidden field points" '{"purchase_id": 1, "points": 5}' refund
bad 2 merchant "forbidden field merchant" '{"purchase_id": 1, "merchant": 1}' refund
bad 2 member "unknown field member" '{"purchase_id": 1, "member": 1}' refund
bad 2 bogus "unknown option" @flags refund --purchase 1 --bogus

# ---------------------------------------------------------------- redeem
bad 2 member "missing member" '{"reward": "rm5-off"}' redeem
bad 2 member "missing member (flags)" @flags redeem --reward rm5-off
bad 2 reward "missing reward" '{"member": 1}' redeem
bad 2 reward "missing reward (flags)" @flags redeem --member 1
bad 2 reward "reward a number" '{"member": 1, "reward": 5}' redeem
bad 2 reward "empty reward" '{"member": 1, "reward": ""}' redeem
bad 2 reward "reward longer than 47" "{\"member\": 1, \"reward\": \"$(long 48 a)\"}" redeem
bad 3 reward "unknown reward" '{"member": 1, "reward": "nope"}' redeem
bad 3 reward "unknown reward (flags)" @flags redeem --member 1 --reward nope
bad 3 member "unknown member" '{"member": 999, "reward": "rm5-off"}' redeem
bad 3 member "unknown member (flags)" @flags redeem --member 999 --reward rm5-off
bad 1 reward "not enough points" '{"member": 2, "reward": "rm5-off"}' redeem
bad 1 reward "not enough stamps" '{"member": 1, "reward": "free-coffee"}' redeem
bad 1 reward "reward for another tier" '{"member": 1, "reward": "gold-cake"}' redeem
bad 2 points "forbidden field points" '{"member": 1, "reward": "rm5-off", "points": 500}' redeem
bad 2 tier "forbidden field tier" '{"member": 1, "reward": "rm5-off", "tier": "gold"}' redeem
bad 2 merchant "forbidden field merchant" '{"member": 1, "reward": "rm5-off", "merchant": "x"}' redeem
bad 2 qty "unknown field" '{"member": 1, "reward": "rm5-off", "qty": 2}' redeem

# ---------------------------------------------------------------- adjust
bad 2 member "missing member" '{"delta": 5, "reason": "x"}' adjust
bad 2 delta "missing delta" '{"member": 1, "reason": "x"}' adjust
bad 2 delta "null delta" '{"member": 1, "delta": null, "reason": "x"}' adjust
bad 2 reason "missing reason" '{"member": 1, "delta": 5}' adjust
bad 2 reason "missing reason (flags)" @flags adjust --member 1 --points 5
bad 2 reason "empty reason" '{"member": 1, "delta": 5, "reason": ""}' adjust
bad 2 reason "empty reason (flags)" @flags adjust --member 1 --points 5 --reason ""
bad 2 reason "reason a number" '{"member": 1, "delta": 5, "reason": 5}' adjust
bad 2 reason "reason longer than 500" "{\"member\": 1, \"delta\": 5, \"reason\": \"$(long 501)\"}" adjust
bad 2 delta "delta 0" '{"member": 1, "delta": 0, "reason": "x"}' adjust
bad 2 delta "points 0 (flags)" @flags adjust --member 1 --points 0 --reason x
bad 2 delta "stamps 0 (flags)" @flags adjust --member 1 --stamps 0 --reason x
bad 2 delta "delta as a string" '{"member": 1, "delta": "5", "reason": "x"}' adjust
bad 2 delta "delta with decimals" '{"member": 1, "delta": 5.5, "reason": "x"}' adjust
bad 2 delta "delta too large" '{"member": 1, "delta": 2000000000, "reason": "x"}' adjust
bad 2 points "points with decimals (flags)" @flags adjust --member 1 --points 1.5 --reason x
bad 2 points "points out of range (flags)" @flags adjust --member 1 --points 99999999999999999999 --reason x
bad 2 account "account giving" '{"member": 1, "delta": 5, "reason": "x", "account": "giving"}' adjust
bad 2 account "account pending" '{"member": 1, "delta": 5, "reason": "x", "account": "pending"}' adjust
bad 2 account "account a number" '{"member": 1, "delta": 5, "reason": "x", "account": 5}' adjust
bad 1 delta "removing more points than the balance" '{"member": 2, "delta": -51, "reason": "x"}' adjust
bad 1 delta "removing stamps that are not there" '{"member": 2, "delta": -1, "reason": "x", "account": "stamps"}' adjust
bad 3 member "unknown member" '{"member": 999, "delta": 5, "reason": "x"}' adjust
bad 3 member "unknown member (flags)" @flags adjust --member 999 --points 5 --reason x
bad 2 points "forbidden field points" '{"member": 1, "delta": 5, "reason": "x", "points": 5}' adjust
bad 2 tier "forbidden field tier" '{"member": 1, "delta": 5, "reason": "x", "tier": "gold"}' adjust
bad 2 merchant "forbidden field merchant" '{"member": 1, "delta": 5, "reason": "x", "merchant": 1}' adjust
bad 2 balance "forbidden field balance" '{"member": 1, "delta": 5, "reason": "x", "balance": 1}' adjust

# ---------------------------------------------------------------- voucher use
bad 2 code "missing code" '{}' voucher use
bad 2 code "missing code (flags)" @flags voucher use
bad 2 code "code a number" '{"code": 5}' voucher use
bad 2 code "empty code" '{"code": ""}' voucher use
bad 2 code "code longer than 64" "{\"code\": \"$(long 65 A)\"}" voucher use
bad 3 code "unknown code" '{"code": "NOPE-NOPE"}' voucher use
bad 3 code "unknown code (flags)" @flags voucher use NOPE-NOPE
bad 4 code "voucher already used" "{\"code\": \"$USED\"}" voucher use
bad 4 code "voucher already used (flags)" @flags voucher use "$USED"
bad 2 points "forbidden field points" '{"code": "NOPE-NOPE", "points": 1}' voucher use
bad 2 member "unknown field member" '{"code": "NOPE-NOPE", "member": 1}' voucher use

# ---------------------------------------------------------------- programme set (a write)
jq '.merchant.currency = "USD"' "$PROGRAMME" >"$TMP/usd.json"
bad 2 merchant.currency "currency change on a live programme" @flags programme set "$TMP/usd.json"
jq '.tiers.levels[1].threshold = "abc"' "$PROGRAMME" >"$TMP/threshold.json"
bad 2 "tiers.levels[1].threshold" "bad threshold" @flags programme set "$TMP/threshold.json"
printf '{"merchant": ' >"$TMP/truncated.json"
bad 2 "" "truncated programme" @flags programme set "$TMP/truncated.json"
bad 3 file "missing programme file" @flags programme set "$TMP/does-not-exist.json"

# ---------------------------------------------------------------- init with malformed programmes
# each: exit 2, the error names the JSON path, and the new file holds only the empty schema (no
# row in any table but schema_migrations); a good init of the same file works afterwards.
init_bad() { # init_bad NAME FIELD MESSAGE_PART: $TMP/NAME.json must be refused
    local db="$TMP/init-$1.db"
    run init --db "$db" --programme "$TMP/$1.json" --json
    expect_failure 2 "$2" "init $1"
    expect_contains "$(printf '%s' "$ERR" | jq -r .error.message 2>/dev/null)" "$3" "init $1: message"
    local rows=0 t
    if [ -f "$db" ]; then
        for t in $(sql "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'"); do
            rows=$((rows + $(sql "$db" "SELECT count(*) FROM \"$t\"")))
        done
    fi
    expect_eq "$rows" "0" "init $1: no rows written"
    run init --db "$db" --programme "$TMP/$1.json"
    expect_quiet_error 2 "init $1 without --json"
    expect_contains "$ERR" "$3" "init $1: human message"
    run init --db "$db" --programme "$PROGRAMME"
    expect_rc 0 "init $1: the same file takes a good programme afterwards"
}
jq '.merchant.currency = "XXX"' "$PROGRAMME" >"$TMP/currency.json"
init_bad currency merchant.currency 'merchant.currency: expected an ISO 4217 currency code like "MYR", got "XXX"'
jq '.points.earn[0].multipler = 2' "$PROGRAMME" >"$TMP/typo.json"
init_bad typo "points.earn[0].multipler" '(did you mean "multiplier"?)'
jq '.stamps.reward = "nope"' "$PROGRAMME" >"$TMP/reward.json"
init_bad reward stamps.reward 'stamps.reward: expected the id of a reward that costs stamps, got "nope"'
jq 'del(.merchant.name)' "$PROGRAMME" >"$TMP/noname.json"
init_bad noname merchant.name 'merchant.name: expected a non-empty string, got nothing'
init_bad truncated "" "invalid JSON at line 1"
echo '[1,2]' >"$TMP/array.json"
init_bad array "" "expected a JSON object, got [1,2]"
: >"$TMP/empty.json"
init_bad empty "" "invalid JSON"
jq '.rewards[0].cost.points = 5' "$PROGRAMME" >"$TMP/cost.json"
init_bad cost "rewards[0].cost.points" 'expected exactly one of "points" or "stamps"'
jq '.merchant.timezone = "Mars/Olympus"' "$PROGRAMME" >"$TMP/zone.json"
init_bad zone merchant.timezone 'merchant.timezone: expected an IANA time zone'
jq '.bogus = 1' "$PROGRAMME" >"$TMP/unknown.json"
init_bad unknown bogus "bogus: unknown field"
jq '.tiers.levels[1].threshold = 500' "$PROGRAMME" >"$TMP/number.json"
init_bad number "tiers.levels[1].threshold" "got 500"
jq '.points.earn[1].multiplier = 1' "$PROGRAMME" >"$TMP/mult1.json"
init_bad mult1 "points.earn[1].multiplier" "points.earn[1].multiplier"
jq '.giving.percent = 0' "$PROGRAMME" >"$TMP/giving.json"
init_bad giving giving.percent "giving.percent"
jq '.merchant.locale = "fr"' "$PROGRAMME" >"$TMP/locale.json"
init_bad locale merchant.locale "merchant.locale"
printf '%s%s' "$(long 40 '[')" "$(long 40 ']')" >"$TMP/deep.json"
init_bad deep "" "JSON nested deeper than 32 levels"
run init --db "$TMP/init-missing.db" --programme "$TMP/does-not-exist.json" --json
expect_failure 3 file "init with a missing programme file"

# ---------------------------------------------------------------- known bugs (see the report)
# BUG: an argument error met before --json is printed as plain text, not as a JSON error object:
# `loyalty purchase --member 1 --amount 10.00 --item coffee:KOPI:0:5.00 --json`.
before=$(snapshot "$DB")
run purchase --db "$DB" --member 1 --amount 10.00 --item coffee:KOPI:0:5.00 --json
expect_failure 2 item "BUG: --json after a bad --item still gives a JSON error"
expect_eq "$(snapshot "$DB")" "$before" "bad --item changed nothing"
# BUG: a bad amount inside --item is reported with field "amount" (the purchase total).
bad 2 item "BUG: three decimals in an --item amount" @flags purchase --member 1 --amount 10.00 --item coffee:KOPI:1:5.001
# BUG: purchases.currency holds a pointer value (store_purchase.c binds it with "i", not "t"), so
# refund messages show it instead of "RM": "amount: 140... 15.01 is more than the 140... 15.00 left".
run refund --db "$DB" --purchase 1 --amount 15.01
expect_contains "$ERR" "RM15.01 is more than the RM15.00 left to refund" "BUG: refund message shows ringgit"
# BUG: money in a JSON request must be integer minor units; a string amount is converted as if it
# came from a flag ("10.00" -> 1000), so "1000" means RM1000.00 on stdin but RM10.00 as 1000.
bad 2 amount "BUG: purchase amount as a string" '{"member": 1, "amount": "10.00"}' purchase
bad 2 "items[0].amount" "BUG: item amount as a string" '{"member": 1, "amount": 1000, "items": [{"category": "coffee", "amount": "5.00"}]}' purchase
bad 2 amount "BUG: refund amount as a string" '{"purchase_id": 1, "amount": "1.00"}' refund
# BUG: with --json, a "usage: ..." error is followed by the plain-text usage on stderr, so stderr
# is not one JSON error object.
bad 2 member "BUG: no member given (usage error)" @flags member edit --name B
bad 2 stamps "BUG: points and stamps together (usage error)" @flags adjust --member 1 --points 5 --stamps 5 --reason x
# BUG: a stray positional argument is silently ignored by commands that take none.
bad 2 "" "BUG: stray positional argument" @flags adjust --member 1 --points 5 --reason x 500

finish
