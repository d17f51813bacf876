#!/usr/bin/env bash
# The everyday CLI, end to end against a real SQLite file: init, members in several scripts,
# search, purchases with their explanation, dry runs, refunds, redemptions and vouchers,
# adjustments, programme versions, expiry, backup and restore, exit codes and output streams.
# Expected numbers come from examples/kopi-kita.json (docs/programme.md): base 1 point per RM
# (floor, min RM5.00), pastries x2, Mon-Wed 14:00-16:00 x1.5, gold x1.25 from RM500, 1% giving,
# 10-stamp coffee card, welcome 50, rm5-off for 500 points, gold-cake for 300 (gold+).
# LOYALTY_NOW is 2026-11-20T03:00:00Z: a Friday, 11:00 in Kuala Lumpur (no quiet-afternoons).
. "$(dirname "$0")/lib.sh"

DB=$TMP/basic.db

# ---------------------------------------------------------------- init
run init --db "$DB" --programme "$PROGRAMME"
expect_rc 0 "init"
expect_contains "$OUT" "Kopi Kita" "init names the merchant"
expect_contains "$OUT" "MYR" "init names the currency"
expect_eq "$(sql "$DB" "SELECT name || '|' || currency || '|' || timezone FROM merchants")" \
    "Kopi Kita|MYR|Asia/Kuala_Lumpur" "init stored the merchant"
expect_eq "$(sql "$DB" "SELECT count(*) FROM programmes")" "1" "init stored programme version 1"
run init --db "$TMP/init2.db" --programme "$PROGRAMME" --json
expect_rc 0 "init --json"
expect_jq "$OUT" '.merchant + "|" + .currency' "Kopi Kita|MYR" "init --json fields"
before=$(snapshot "$DB")
run init --db "$DB" --programme "$PROGRAMME"
expect_quiet_error 4 "init of an initialised database is a conflict"
expect_eq "$(snapshot "$DB")" "$before" "second init changed nothing"

# ---------------------------------------------------------------- member add
run member add --db "$DB" --name "Zoltán Kovács" --phone "+36 30 123 4567" \
    --email Zoltan.Kovacs@example.hu --locale hu --birthday 1985-03-14 --location BSR
expect_rc 0 "member add Zoltán"
ZOLTAN_LINE=$OUT
expect_contains "$OUT" "Zoltán Kovács joined" "member add prints the name"
expect_contains "$OUT" "welcome: +50 points" "member add explains the welcome bonus"
ZOLTAN=$(printf '%s' "$OUT" | sed -n 's/^Member #\([0-9]*\) .*/\1/p')
expect_eq "$ZOLTAN" "1" "first member is #1"
ZTOKEN=$(printf '%s' "$ZOLTAN_LINE" | sed -n 's/.*; card \([0-9A-Z]*\)$/\1/p' | head -1)
expect_eq "${#ZTOKEN}" "26" "card token printed (26 characters)"

run member add --db "$DB" --name "Siti Nurhaliza" --phone "+60 12-345 6789" --json
expect_rc 0 "member add Siti --json"
SITI=$(printf '%s' "$OUT" | jq -r .member.id)
expect_jq "$OUT" .member.name "Siti Nurhaliza" "member add --json name"
expect_jq "$OUT" .member.phone "+60123456789" "phone is stored normalised"
expect_jq "$OUT" .member.locale "ms" "locale defaults to the programme's (ms)"
expect_jq "$OUT" .member.tier "silver" "new member starts at the first tier"
expect_jq "$OUT" .balances.points "50" "welcome bonus on the balance"
expect_jq "$OUT" '.outcome.bonus_points' "50" "welcome bonus in the outcome"
expect_jq "$OUT" '.outcome.explain[0].text' "welcome: +50 points" "welcome explanation"
expect_jq "$OUT" '.member.card_token | test("^[0-9A-Z]{26}$")' "true" "card token format"

run member add --db "$DB" --name "সুমন হোসেন" --locale bn --json
expect_rc 0 "member add Bengali name"
BENGALI=$(printf '%s' "$OUT" | jq -r .member.id)
expect_jq "$OUT" .member.name "সুমন হোসেন" "Bengali name round-trips byte for byte"
expect_jq "$OUT" .member.locale "bn" "locale bn"
run member add --db "$DB" --name "Sumon Das" --email sumon@example.com --json
expect_rc 0 "member add Sumon Das"
SUMON=$(printf '%s' "$OUT" | jq -r .member.id)
expect_eq "$(sql "$DB" "SELECT count(*) FROM members")" "4" "four members"
expect_eq "$(sql "$DB" "SELECT group_concat(points) FROM balances ORDER BY member_id")" \
    "50,50,50,50" "each member has the welcome bonus"

# ---------------------------------------------------------------- member show
run member show --db "$DB" "$ZOLTAN"
expect_rc 0 "member show"
expect_contains "$OUT" "Zoltán Kovács (#$ZOLTAN), card $ZTOKEN" "member show header"
expect_contains "$OUT" "points   50" "member show points"
expect_contains "$OUT" "card 0/10" "member show stamp card"
expect_contains "$OUT" "tier     Silver" "Hungarian member sees the English tier name (no hu name)"
run member show --db "$DB" "$SITI"
expect_contains "$OUT" "tier     Perak" "Malay member sees the Malay tier name"
expect_contains "$OUT" "Kopi percuma" "Malay member sees Malay reward names"
run member show --db "$DB" "$ZOLTAN" --json
expect_rc 0 "member show --json"
expect_jq "$OUT" .member.email "Zoltan.Kovacs@example.hu" "email stored as given"
expect_jq "$OUT" .member.birthday "1985-03-14" "birthday stored"
expect_jq "$OUT" .member.location "BSR" "join location stored"
expect_jq "$OUT" .balances.points "50" "show --json points"
expect_jq "$OUT" .stamp_card.card_size "10" "show --json card size"
expect_jq "$OUT" .tier.id "silver" "show --json tier"
expect_jq "$OUT" .tier.next.id "gold" "show --json next tier"
expect_jq "$OUT" .tier.next.remaining "50000" "RM500.00 to gold, in sen"
expect_jq "$OUT" '[.rewards[].id] | join(",")' "free-coffee,rm5-off,gold-cake" "rewards listed"
expect_jq "$OUT" '[.rewards[].available] | any' "false" "no reward available with 50 points"
expect_jq "$OUT" .currency "MYR" "show --json currency"
# by card token (also lower case), phone in another format, email in another case
run member show --db "$DB" "$ZTOKEN" --json
expect_jq "$OUT" .member.id "$ZOLTAN" "show by card token"
run member show --db "$DB" "$(printf '%s' "$ZTOKEN" | tr 'A-Z' 'a-z')" --json
expect_jq "$OUT" .member.id "$ZOLTAN" "show by lower-case card token"
run member show --db "$DB" "+36301234567" --json
expect_jq "$OUT" .member.id "$ZOLTAN" "show by phone"
run member show --db "$DB" "zoltan.kovacs@EXAMPLE.hu" --json
expect_jq "$OUT" .member.id "$ZOLTAN" "show by email, any case"

# ---------------------------------------------------------------- member edit
run member edit --db "$DB" "$SUMON" --email sumon.das@example.com --tag vip --tag regular --json
expect_rc 0 "member edit"
expect_jq "$OUT" .member.email "sumon.das@example.com" "edit changed the email"
expect_jq "$OUT" .member.tags "vip,regular" "edit set the tags"
expect_jq "$OUT" .member.name "Sumon Das" "edit kept the name"
run member edit --db "$DB" "$SUMON" --birthday 07-21 --locale en
expect_rc 0 "member edit (human)"
expect_contains "$OUT" "Sumon Das" "member edit prints the member"
run member show --db "$DB" "$SUMON" --json
expect_jq "$OUT" .member.birthday "--07-21" "birthday without a year"
expect_jq "$OUT" .member.locale "en" "locale edited"
expect_jq "$OUT" .balances.points "50" "edit does not touch the balance"
run member show --db "$DB" sumon@example.com
expect_quiet_error 3 "the old email no longer finds the member"

# ---------------------------------------------------------------- member find
find_names() { # find_names QUERY: names found, one per line
    "$LOY" member find --db "$DB" --json "$1" | jq -r '.members[].name'
}
expect_eq "$(find_names zoltan)" "Zoltán Kovács" "find 'zoltan' finds Zoltán (accents folded)"
expect_eq "$(find_names ZOLTÁN)" "Zoltán Kovács" "find 'ZOLTÁN' (case folded)"
expect_eq "$(find_names kovacs)" "Zoltán Kovács" "find by surname fragment"
expect_eq "$(find_names nurhal)" "Siti Nurhaliza" "find a Malay name fragment"
expect_eq "$(find_names SUMON)" "Sumon Das" "find 'SUMON' finds Sumon Das"
expect_eq "$(find_names "সুম")" "সুমন হোসেন" "find a Bengali fragment"
expect_eq "$(find_names "হোসেন")" "সুমন হোসেন" "find the Bengali surname"
expect_eq "$(find_names 3630123)" "Zoltán Kovács" "find by phone fragment"
expect_eq "$(find_names "+36 30 123")" "Zoltán Kovács" "find by formatted phone fragment"
expect_eq "$(find_names sumon.das@example.com)" "Sumon Das" "find by email"
expect_eq "$(find_names "$ZTOKEN")" "Zoltán Kovács" "find by card token"
run member find --db "$DB" "nobody-like-this"
expect_rc 0 "find without a match exits 0"
expect_contains "$OUT" "no member matches" "find without a match says so"
run member find --db "$DB" "Zoltán"
expect_contains "$OUT" "+36301234567" "human find lists the phone"
expect_contains "$OUT" "$ZTOKEN" "human find lists the card"

# ---------------------------------------------------------------- purchase: dry run, then real
PURCHASE_ARGS=(--member "$ZOLTAN" --amount 18.50 --item coffee:KOPI:2:9.00
    --item pastry:CROISSANT:1:9.50 --location BSR --reference R-1001)
before=$(snapshot "$DB")
run purchase --db "$DB" "${PURCHASE_ARGS[@]}" --dry-run
expect_rc 0 "purchase --dry-run"
DRY_OUT=$OUT
expect_eq "$(snapshot "$DB")" "$before" "dry run wrote nothing"
expect_contains "$OUT" "Dry run (nothing recorded) for Zoltán Kovács" "dry run says so"
run purchase --db "$DB" "${PURCHASE_ARGS[@]}" --dry-run --json
expect_rc 0 "purchase --dry-run --json"
DRY_JSON=$OUT
expect_jq "$OUT" .dry_run "true" "dry_run true"
expect_jq "$OUT" .purchase.id "null" "a dry run has no purchase id"
expect_eq "$(snapshot "$DB")" "$before" "dry run --json wrote nothing"

run purchase --db "$DB" "${PURCHASE_ARGS[@]}"
expect_rc 0 "purchase"
expect_contains "$OUT" "Purchase #1 for Zoltán Kovács:" "purchase header"
expect_contains "$OUT" "  base: 18 points (RM18.50, floor)" "base line"
expect_contains "$OUT" "  pastry-double: +9 points (pastry RM9.50 x2)" "pastry multiplier line"
expect_contains "$OUT" "  stamps: 2 coffee -> 2 stamps, card 2/10" "stamps line"
expect_contains "$OUT" "  giving: RM0.18 to Rumah Kebajikan Seri Kenangan" "giving line (1%)"
expect_contains "$OUT" "Earned 27 points, 2 stamps. Tier: silver" "earned line"
expect_contains "$OUT" "Balance: 77 points, 2 stamps" "balance line"
expect_not_contains "$OUT" "quiet-afternoons" "no happy hour on a Friday morning"
# the dry run printed the same explanation
expect_eq "$(printf '%s\n' "$DRY_OUT" | sed 1d)" "$(printf '%s\n' "$OUT" | sed 1d)" \
    "dry run prints the same outcome as the real purchase"
PURCHASE1=1
expect_eq "$(sql "$DB" "SELECT amount || '|' || cash || '|' || location_code || '|' || reference FROM purchases WHERE id = 1")" \
    "1850|1850|BSR|R-1001" "purchase row stored in sen"
# BUG: purchases.currency is bound as an integer (store_purchase.c format "iitiii..."): it holds a
# pointer value instead of "MYR".
expect_eq "$(sql "$DB" "SELECT currency FROM purchases WHERE id = 1")" "MYR" \
    "purchases.currency stored as MYR"
expect_eq "$(sql "$DB" "SELECT group_concat(rule || ':' || amount, ' ') FROM (SELECT rule, amount FROM ledger WHERE ref_type = 'purchase' AND ref_id = 1 ORDER BY id)")" \
    "base:18 pastry-double:9 stamps-0:2 giving:18" "ledger entries of the purchase"

run purchase --db "$DB" --member "$SITI" --amount 18.50 --item coffee:KOPI:2:9.00 \
    --item pastry:CROISSANT:1:9.50 --location BSR --json
expect_rc 0 "purchase --json"
REAL_JSON=$OUT
expect_jq "$OUT" '.purchase.id | type' "number" "purchase id"
expect_jq "$OUT" .purchase.member_id "$SITI" "purchase member_id"
expect_jq "$OUT" .purchase.amount "1850" "amount in minor units"
expect_jq "$OUT" .purchase.currency "MYR" "currency"
expect_jq "$OUT" .purchase.cash "1850" "cash"
expect_jq "$OUT" .purchase.location "BSR" "location"
expect_jq "$OUT" .purchase.occurred_at "2026-11-20T03:00:00Z" "occurred_at defaults to now"
expect_jq "$OUT" '[.purchase.items[] | "\(.category):\(.sku):\(.qty):\(.amount)"] | join(" ")' \
    "coffee:KOPI:2:900 pastry:CROISSANT:1:950" "items normalised"
expect_jq "$OUT" .outcome.points_earned "27" "points_earned"
expect_jq "$OUT" .outcome.stamps_earned "2" "stamps_earned"
expect_jq "$OUT" .outcome.giving "18" "giving in sen"
expect_jq "$OUT" .outcome.tier_after "silver" "tier_after"
expect_jq "$OUT" '[.outcome.explain[].rule] | join(",")' "base,pastry-double,stamps-0,giving" \
    "explain rules"
expect_jq "$OUT" '[.outcome.entries[] | select(.account == "points") | .amount] | add' "27" \
    "points entries add up"
expect_jq "$OUT" .balances.points "77" "balances.points after"
expect_jq "$OUT" .balances.stamps "2" "balances.stamps after"
expect_jq "$OUT" .balances.giving "18" "balances.giving after"
expect_jq "$OUT" .member.name "Siti Nurhaliza" "member name"
expect_jq "$OUT" .dry_run "false" "dry_run false"
expect_eq "$(printf '%s' "$DRY_JSON" | jq -c .outcome)" "$(printf '%s' "$REAL_JSON" | jq -c .outcome)" \
    "dry run outcome equals the real outcome"

# below the RM5.00 minimum: no points, still giving
run purchase --db "$DB" --member "$SUMON" --amount 4.99 --json
expect_rc 0 "small purchase"
expect_jq "$OUT" .outcome.points_earned "0" "no points below min_spend"
expect_jq "$OUT" .outcome.giving "4" "1% of RM4.99 is 4 sen (floor)"

# the worked example of docs/programme.md: a Gold member, Tuesday 15:00 at Bangsar -> 40 points
run member add --db "$DB" --name "Mei Ling" --json
GOLD=$(printf '%s' "$OUT" | jq -r .member.id)
run purchase --db "$DB" --member "$GOLD" --amount 500.00 --location PJ --at 2026-11-16T03:00:00Z --json
expect_rc 0 "RM500 purchase"
expect_jq "$OUT" .outcome.points_earned "500" "RM500 earns 500 at silver (no multiplier yet)"
expect_jq "$OUT" .outcome.tier_after "gold" "RM500 makes the member gold at once"
expect_jq "$OUT" .outcome.tier_changed "true" "tier_changed"
run purchase --db "$DB" --member "$GOLD" --amount 16.00 --item coffee:KOPI:1:8.00 \
    --item pastry:CROISSANT:1:8.00 --location BSR --at 2026-11-17T07:00:00Z
expect_rc 0 "worked example purchase"
expect_contains "$OUT" "base: 16 points (RM16.00, floor)" "worked example: base 16"
expect_contains "$OUT" "pastry-double: +8 points" "worked example: pastry +8"
expect_contains "$OUT" "quiet-afternoons: +8 points" "worked example: quiet afternoons +8"
expect_contains "$OUT" "tier gold x1.25: +8 points" "worked example: tier +8"
expect_contains "$OUT" "stamps: 1 coffee -> 1 stamp, card 1/10" "worked example: one stamp"
expect_contains "$OUT" "giving: RM0.16" "worked example: RM0.16 to the cause"
expect_contains "$OUT" "Earned 40 points, 1 stamps. Tier: gold" "worked example: 40 points"

# ---------------------------------------------------------------- refunds
run refund --db "$DB" --purchase "$PURCHASE1" --amount 5.00 --reason "spilt coffee"
expect_rc 0 "partial refund"
# cumulative floor: base 18*500/1850 -> 4, pastry 9*500/1850 -> 2, stamps 2*500/1850 -> 0,
# giving 18*500/1850 -> 4
expect_contains "$OUT" "(500 minor units, 500 refunded in all)" "partial refund amount"
expect_contains "$OUT" "base: -4 points reversed" "partial: base reversed proportionally"
expect_contains "$OUT" "pastry-double: -2 points reversed" "partial: pastry reversed proportionally"
expect_contains "$OUT" "giving: -RM0.04 reversed" "partial: giving reversed proportionally"
expect_not_contains "$OUT" "stamps reversed" "partial: no whole stamp to reverse yet"
expect_contains "$OUT" "Balance: 71 points, 2 stamps" "partial: balance"
run refund --db "$DB" --purchase "$PURCHASE1" --json
expect_rc 0 "refund of the rest"
expect_jq "$OUT" .refund.amount "1350" "rest refunded"
expect_jq "$OUT" .refund.refunded_total "1850" "all refunded"
expect_jq "$OUT" '[.outcome.explain[].text] | join("; ")' \
    "giving: -RM0.14 reversed; base: -14 points reversed; pastry-double: -7 points reversed; stamps-0: -2 stamps reversed" \
    "rest reverses exactly what is left"
expect_jq "$OUT" .balances.points "50" "back to the welcome bonus"
expect_jq "$OUT" .balances.stamps "0" "stamps reversed"
expect_jq "$OUT" .balances.giving "0" "giving reversed"
expect_eq "$(sql "$DB" "SELECT sum(amount) FROM ledger WHERE member_id = $ZOLTAN AND ref_type IN ('purchase', 'refund') AND account IN ('points', 'stamps', 'giving')")" \
    "0" "purchase fully reversed, never twice"
before=$(snapshot "$DB")
run refund --db "$DB" --purchase "$PURCHASE1"
expect_quiet_error 4 "third refund is a conflict"
expect_contains "$ERR" "already refunded" "third refund says why"
run refund --db "$DB" --purchase "$PURCHASE1" --amount 0.01
expect_quiet_error 4 "any further refund is a conflict"
expect_eq "$(snapshot "$DB")" "$before" "refused refunds changed nothing"
verify "$DB" "after refunds"

# ---------------------------------------------------------------- adjust, redeem, vouchers
run adjust --db "$DB" --member "$ZOLTAN" --points 460 --reason "goodwill: broken machine"
expect_rc 0 "adjust"
expect_contains "$OUT" "Adjusted points by +460 (goodwill: broken machine)" "adjust line"
expect_contains "$OUT" "Balance: 510 points" "adjust balance"
expect_eq "$(sql "$DB" "SELECT reason FROM ledger WHERE member_id = $ZOLTAN AND kind = 'adjust' ORDER BY id DESC LIMIT 1")" \
    "goodwill: broken machine" "the reason is on the ledger entry"
run member ledger --db "$DB" "$ZOLTAN" --json
expect_jq "$OUT" '.entries[0].reason' "goodwill: broken machine" "member ledger shows the reason"
run adjust --db "$DB" --member "$ZOLTAN" --stamps 3 --reason "stamp card lost" --json
expect_rc 0 "adjust stamps"
expect_jq "$OUT" .adjustment.account "stamps" "stamp adjustment"
expect_jq "$OUT" .balances.stamps "3" "stamps after adjustment"

run redeem --db "$DB" --member "$ZOLTAN" --reward rm5-off
expect_rc 0 "redeem"
expect_contains "$OUT" "for rm5-off (valid until 2026-12-20T03:00:00Z)" "voucher valid 30 days"
expect_contains "$OUT" "rm5-off: -500 points" "points debited"
expect_contains "$OUT" "Balance: 10 points" "balance after redeem"
SHORT=$(printf '%s' "$OUT" | sed -n 's/^Voucher \([0-9A-Z]\{4\}-[0-9A-Z]\{4\}\) for .*/\1/p')
expect_eq "${#SHORT}" "9" "short code XXXX-XXXX shown"
expect_contains "$OUT" "QR payload: LOYV:" "QR payload shown"
run voucher check --db "$DB" "$SHORT" --json
expect_rc 0 "voucher check"
expect_jq "$OUT" .status "valid" "new voucher is valid"
expect_jq "$OUT" .voucher.reward "rm5-off" "voucher reward"
expect_jq "$OUT" .voucher.member_id "$ZOLTAN" "voucher member"
CODE=$(printf '%s' "$OUT" | jq -r .voucher.code)
run voucher check --db "$DB" "$CODE"
expect_contains "$OUT" "valid" "check by the full code"
run voucher use --db "$DB" "$SHORT"
expect_rc 0 "voucher use"
expect_contains "$OUT" "Voucher $SHORT (rm5-off): used now" "voucher used"
before=$(snapshot "$DB")
run voucher use --db "$DB" "$SHORT"
expect_quiet_error 4 "second voucher use is a conflict"
run voucher use --db "$DB" "$CODE"
expect_quiet_error 4 "second use by the full code is a conflict"
expect_eq "$(snapshot "$DB")" "$before" "refused voucher use changed nothing"
run voucher check --db "$DB" "$SHORT" --json
expect_jq "$OUT" .status "used" "voucher check says used"
run voucher check --db "$DB" "NOPE-NOPE"
expect_quiet_error 3 "unknown voucher"
run redeem --db "$DB" --member "$ZOLTAN" --reward rm5-off
expect_quiet_error 1 "redeem without enough points is refused"
expect_contains "$ERR" "have 10, need 500" "refusal says why"
run redeem --db "$DB" --member "$GOLD" --reward gold-cake --json
expect_rc 0 "gold member redeems gold-cake"
expect_jq "$OUT" .balances.points "290" "gold: 50+500+40-300 = 290"
expect_eq "$(sql "$DB" "SELECT issued FROM reward_stock WHERE reward_id = 'gold-cake'")" "1" \
    "stock of gold-cake taken"
run redeem --db "$DB" --member "$SITI" --reward gold-cake
expect_quiet_error 1 "gold-cake is for gold members only"
verify "$DB" "after redemptions"

# ---------------------------------------------------------------- programme check / set
run programme check "$PROGRAMME"
expect_rc 0 "programme check of the example"
expect_contains "$OUT" ": ok" "programme check says ok"
jq '.tiers.levels[1].threshold = "abc"' "$PROGRAMME" >"$TMP/bad.json"
run programme check "$TMP/bad.json"
expect_quiet_error 2 "programme check of a bad file"
expect_contains "$ERR" 'tiers.levels[1].threshold: expected a decimal amount like "500.00", got "abc"' \
    "JSON path: expected ..., got ..."
run programme check "$TMP/bad.json" --json
expect_failure 2 "tiers.levels[1].threshold" "programme check --json"
jq '.points.earn[0].multipler = 2' "$PROGRAMME" >"$TMP/typo.json"
run programme check "$TMP/typo.json"
expect_contains "$ERR" 'points.earn[0].multipler: unknown field (did you mean "multiplier"?)' \
    "a typo gets a suggestion"

jq '.bonuses.welcome = 75' "$PROGRAMME" >"$TMP/v2.json"
run programme set --db "$DB" "$TMP/v2.json"
expect_rc 0 "programme set"
expect_contains "$OUT" "Programme version 2 is active" "version 2"
run programme history --db "$DB" --json
expect_jq "$OUT" '[.versions[].version] | join(",")' "2,1" "history lists 2 versions"
run programme history --db "$DB"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^v[12] ')" "2" "human history has 2 lines"
run programme show --db "$DB" --json
expect_jq "$OUT" '.version' "2" "programme show: active version"
expect_jq "$OUT" '.programme.bonuses.welcome' "75" "programme show: new body"
run programme show --db "$DB" 1 --json
expect_jq "$OUT" '.programme.bonuses.welcome' "50" "programme show 1: old body kept"
run member add --db "$DB" --name "Ahmad" --json
expect_jq "$OUT" .balances.points "75" "new version is used at once"
before=$(snapshot "$DB")
run programme set --db "$DB" "$TMP/bad.json"
expect_quiet_error 2 "programme set of a bad file"
expect_eq "$(snapshot "$DB")" "$before" "bad programme set changed nothing"

# ---------------------------------------------------------------- expire
EDB=$(new_db expire)
"$LOY" member add --db "$EDB" --name "Expiring" >/dev/null
run expire --db "$EDB" --json
expect_rc 0 "expire now"
expect_jq "$OUT" .expired "0" "nothing expires on day one"
expect_jq "$OUT" .members "1" "expire looked at one member"
LOYALTY_NOW=2027-10-25T03:00:00Z run member show --db "$EDB" 1 --json
expect_jq "$OUT" .expiring.points "50" "30 days before, the points are shown as expiring"
LOYALTY_NOW=2027-11-21T03:00:00Z run expire --db "$EDB"
expect_rc 0 "expire a year later"
expect_contains "$OUT" "50 expired" "the 50 welcome points expire after 365 days"
run member show --db "$EDB" 1 --json
expect_jq "$OUT" .balances.points "0" "balance after expiry"
expect_eq "$(sql "$EDB" "SELECT kind || ':' || amount FROM ledger ORDER BY id DESC LIMIT 1")" \
    "expire:-50" "expiry is a ledger entry"
LOYALTY_NOW=2027-11-22T03:00:00Z run expire --db "$EDB" --json
expect_jq "$OUT" .expired "0" "expiry happens once"
verify "$EDB" "after expiry"

# ---------------------------------------------------------------- backup / restore / verify
run db verify --db "$DB"
expect_rc 0 "db verify"
expect_contains "$OUT" "ok: balances equal their ledgers" "db verify says ok"
run db verify --db "$DB" --json
expect_jq "$OUT" '.ok, (.violations | length)' "$(printf 'true\n0')" "db verify --json"
run backup --db "$DB" --to "$TMP/copy.db"
expect_rc 0 "backup"
expect_contains "$OUT" "Backed up" "backup says so"
run backup --db "$DB" --to "$TMP/copy.db"
expect_quiet_error 4 "backup never overwrites"
run restore --from "$TMP/copy.db" --db "$TMP/restored.db"
expect_rc 0 "restore"
verify "$TMP/restored.db" "restored database"
expect_eq "$(sql "$TMP/restored.db" "SELECT * FROM ledger ORDER BY id")" \
    "$(sql "$DB" "SELECT * FROM ledger ORDER BY id")" "restored ledger is the same"
expect_eq "$(snapshot "$TMP/restored.db")" "$(snapshot "$DB")" "restored snapshot is the same"
run member show --db "$TMP/restored.db" "$ZOLTAN" --json
expect_jq "$OUT" .balances.points "10" "restored member balance"
run restore --from "$TMP/copy.db" --db "$TMP/restored.db"
expect_quiet_error 4 "restore never overwrites"

# ---------------------------------------------------------------- not found, usage, streams
run member show --db "$DB" 999
expect_quiet_error 3 "unknown member: member show"
run member show --db "$DB" 999 --json
expect_failure 3 "member" "unknown member --json"
expect_jq "$ERR" .error.code "not_found" "error code name"
run purchase --db "$DB" --member nobody@example.com --amount 10.00
expect_quiet_error 3 "unknown member: purchase"
run member ledger --db "$DB" 999
expect_quiet_error 3 "unknown member: ledger"
run adjust --db "$DB" --member 999 --points 5 --reason x
expect_quiet_error 3 "unknown member: adjust"
run bogus
expect_quiet_error 2 "unknown command"
run member frobnicate
expect_quiet_error 2 "unknown sub-command"
run purchase --db "$DB" --bogus 1
expect_quiet_error 2 "unknown option"
expect_contains "$ERR" "unknown option --bogus" "unknown option named"
run member show --db "$DB" --frobnicate
expect_quiet_error 2 "unknown option of a read command"
run
expect_quiet_error 2 "no command at all"
run --help
expect_rc 0 "loyalty --help"
expect_contains "$OUT" "usage: loyalty COMMAND" "--help on stdout"
COMMANDS=$(printf '%s\n' "$OUT" | sed -n 's/^  \([a-z]\+\( [a-z]\+\)\?\)  .*/\1/p')
# every command of the foundation is listed (the list grows with later commands)
for c in init "programme check" "member add" "member find" purchase refund redeem adjust \
    "voucher use" expire "db verify" backup restore demo; do
    expect_eq "$(printf '%s\n' "$COMMANDS" | grep -cx "$c")" "1" "--help lists $c"
done
while IFS= read -r cmd; do
    # shellcheck disable=SC2086 # the command name is one or two words
    run $cmd --help
    expect_rc 0 "$cmd --help"
    expect_contains "$OUT" "usage: loyalty $cmd" "$cmd --help prints its usage on stdout"
done <<<"$COMMANDS"
run purchase --db "$DB" --member "$ZOLTAN" --amount 10.00 --dry-run --json
expect_eq "$ERR" "" "stderr empty on success"
verify "$DB" "at the end"

finish
