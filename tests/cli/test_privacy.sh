# `loyalty member export` and `loyalty member erase` (docs/privacy.md): the export is one JSON
# document with the member and their ledger (stdout, or --out FILE created 0600) and is audited;
# the erase asks for a reason and a confirmation (--yes when not in a terminal), removes the
# personal data from every table and from the file's bytes, keeps the ledger under the pseudonym
# "Erased member ID" (db verify passes, totals unchanged), refuses the member's purchases but
# not refunds of their earlier ones. Bad input (no reason, no confirmation, unknown member, a
# reason naming them, erasing twice) exits non-zero and changes nothing.
source "$(dirname "$0")/lib.sh"

DB=$(new_db privacy)
NAME="Wilhelmina Crumpet-Oyelaran"
EMAIL=wilhelmina.co@example.org
PHONE="+60 19-876 5432"
STORED_PHONE=+60198765432
NOTES="Prefers the corner table"

run member add --db "$DB" --name "$NAME" --email "$EMAIL" --phone "$PHONE" --birthday 1979-12-24 \
    --notes "$NOTES" --tag regular --consent-email --json
expect_rc 0 "member add"
ID=$(printf '%s' "$OUT" | jq -r .member.id)
OLD_CARD=$(printf '%s' "$OUT" | jq -r .member.card_token)
run purchase --db "$DB" --member "$ID" --amount 42.00 --item coffee:KOPI:2:9.00 \
    --reference "for $NAME" --json
expect_rc 0 "purchase"
P1=$(printf '%s' "$OUT" | jq -r .purchase.id)
run purchase --db "$DB" --member "$ID" --amount 18.00 --json
P2=$(printf '%s' "$OUT" | jq -r .purchase.id)
run refund --db "$DB" --purchase "$P1" --amount 2.00 --reason "spilt" --json
expect_rc 0 "refund"
run adjust --db "$DB" --member "$ID" --points 25 --reason "goodwill" --json
expect_rc 0 "adjust"
run member edit "$ID" --db "$DB" --notes "$NOTES, window" --json
expect_rc 0 "member edit"
run member add --db "$DB" --name "Other Person" --email other.person@example.org --json
OTHER=$(printf '%s' "$OUT" | jq -r .member.id)

# ---- --help ----
run member export --help
expect_rc 0 "member export --help"
expect_contains "$OUT" "usage: loyalty member export [options] MEMBER" "export usage line"
expect_contains "$OUT" "--out" "export --help names --out"
run member erase --help
expect_rc 0 "member erase --help"
expect_contains "$OUT" "--reason" "erase --help names --reason"
expect_contains "$OUT" "--yes" "erase --help names --yes"
run --help
expect_contains "$OUT" "member export" "the command list has member export"
expect_contains "$OUT" "member erase" "the command list has member erase"

# ---- export ----
run member export "$ID" --db "$DB"
expect_rc 0 "export to stdout"
expect_jq "$OUT" .format "loyalty.member-export" "export format"
expect_jq "$OUT" .member.name "$NAME" "export has the name"
expect_jq "$OUT" '.tables.ledger | length > 3' true "export has the ledger"
expect_jq "$OUT" '.tables.purchases | length' 2 "export has both purchases"
expect_jq "$OUT" '.tables.refunds[0].reason' spilt "export has the refund"
expect_jq "$OUT" '.tables.purchases[0].lines[0].sku' KOPI "purchase lines embedded as JSON"
expect_jq "$OUT" '[.tables.audit[].action] | index("member.update") != null' true "export has the audit"
run member export "$EMAIL" --db "$DB" --out "$TMP/export.json"
expect_rc 0 "export --out"
expect_eq "$OUT" "" "export --out prints nothing on stdout"
expect_contains "$ERR" "wrote $TMP/export.json" "export --out says where"
expect_eq "$(stat -c %a "$TMP/export.json")" 600 "the export file is private (0600)"
expect_jq "$(cat "$TMP/export.json")" .member.email "$EMAIL" "the file holds the export"
# never over an existing file (its permissions could be wider) nor through a symbolic link
run member export "$EMAIL" --db "$DB" --out "$TMP/export.json"
expect_rc 2 "export --out onto an existing file"
expect_contains "$ERR" "exists" "the refusal says the file exists"
ln -s "$TMP/elsewhere.json" "$TMP/link.json" # (a link to nothing yet: O_EXCL refuses it too)
run member export "$EMAIL" --db "$DB" --out "$TMP/link.json"
expect_rc 2 "export --out through a symbolic link"
[ ! -e "$TMP/elsewhere.json" ] && pass || fail "the export followed the symbolic link"
expect_eq "$(sql "$DB" "SELECT count(*) FROM audit WHERE action = 'member.export' AND target_id = $ID")" 2 \
    "each export is audited"
BEFORE=$(sqlite3 "$DB" .dump)
run member export 987654 --db "$DB" --json
expect_failure 3 member "export of an unknown member"
run member export --db "$DB" --json
expect_failure 2 member "export without a member"
expect_eq "$(sqlite3 "$DB" .dump)" "$BEFORE" "refused exports change nothing"

# totals before the erase
KPIS=$("$LOY" report kpis --db "$DB" --from 2026-01-01 --to 2026-12-31 --json | jq -c 'del(.period)')
ECO=$("$LOY" report economics --db "$DB" --from 2026-01-01 --to 2026-12-31 --json | jq -c 'del(.period)')
expect_jq "$KPIS" '.revenue > 0' true "kpis report before the erase"
expect_jq "$ECO" '.points.outstanding > 0' true "economics report before the erase"

# ---- refused erases change nothing ----
refused() { # refused RC FIELD DESCRIPTION ARGS...: the erase fails and the database is unchanged
    local rc=$1 field=$2 what=$3
    shift 3
    local before
    before=$(sqlite3 "$DB" .dump)
    run member erase --db "$DB" --json "$@" </dev/null
    expect_failure "$rc" "$field" "$what"
    expect_eq "$(sqlite3 "$DB" .dump)" "$before" "$what: nothing changed"
}
refused 2 reason "no reason" "$ID" --yes
refused 1 yes "no confirmation outside a terminal" "$ID" --reason "asked"
refused 3 member "unknown member" 987654 --reason "asked" --yes
refused 2 reason "a reason naming the member" "$ID" --reason "asked by $NAME" --yes
refused 2 reason "a reason with their email" "$ID" --reason "mail from $EMAIL" --yes
refused 2 member "no member" --reason "asked" --yes
# a wrong confirmation on a terminal-less stdin is the same refusal
before=$(sqlite3 "$DB" .dump)
OUT=$(printf '%s\n' "$ID" | "$LOY" member erase "$ID" --db "$DB" --reason asked 2>"$TMP/stderr")
RC=$?
expect_rc 1 "piped confirmation is not a terminal"
expect_eq "$(sqlite3 "$DB" .dump)" "$before" "piped confirmation: nothing changed"

# ---- the erase ----
run member erase "$ID" --db "$DB" --reason "customer asked by phone" --yes
expect_rc 0 "member erase"
expect_contains "$OUT" "Member #$ID erased: now \"Erased member $ID\"" "erase says what it did"
run member show "$ID" --db "$DB" --json
expect_jq "$OUT" .member.name "Erased member $ID" "the pseudonym"
expect_jq "$OUT" '.member.email, .member.phone, .member.birthday' "null
null
null" "contact details and birthday cleared"
expect_jq "$OUT" '.member.notes + .member.tags' "" "notes and tags cleared"
expect_jq "$OUT" '.member.consent.email.granted' false "consent cleared"
expect_jq "$OUT" '.member.erased_at != null' true "erased_at set"
NEW_CARD=$(printf '%s' "$OUT" | jq -r .member.card_token)
if [ "$NEW_CARD" != "$OLD_CARD" ]; then pass; else fail "the card token was not replaced"; fi
run member show "$OLD_CARD" --db "$DB" --json
expect_failure 3 member "the old card stops working"
run member find Crumpet --db "$DB" --json
expect_jq "$OUT" '.members | length' 0 "search no longer finds the old name"

# nowhere in any table, nor in the file's bytes
DUMP=$(sqlite3 "$DB" .dump)
for s in "$NAME" "crumpet" "Crumpet" "$EMAIL" "$STORED_PHONE" "8765432" "1979-12-24" "$NOTES"; do
    expect_not_contains "$DUMP" "$s" "[$s] is in no table after the erase"
    N=$(cat "$DB" "$DB-wal" 2>/dev/null | grep -a -c -F -- "$s")
    expect_eq "$N" 0 "[$s] is not in the database file's bytes"
done
expect_contains "$DUMP" "other.person@example.org" "the other member's data stays"
verify "$DB" "after the erase"
expect_eq "$("$LOY" report kpis --db "$DB" --from 2026-01-01 --to 2026-12-31 --json | jq -c 'del(.period)')" "$KPIS" "kpis unchanged"
expect_eq "$("$LOY" report economics --db "$DB" --from 2026-01-01 --to 2026-12-31 --json | jq -c 'del(.period)')" "$ECO" "economics unchanged"
AUD=$(sql "$DB" "SELECT actor || '|' || reason FROM audit WHERE action = 'member.erase' AND target_id = $ID")
expect_contains "$AUD" "|customer asked by phone" "the erase is audited with its reason"

# erased twice: a clear conflict, nothing changed
refused 4 member "erased twice" "$ID" --reason "again" --yes
run member erase "$ID" --db "$DB" --reason "again" --yes
expect_contains "$ERR" "already erased" "the second erase says so"

# no earning; refunds of earlier purchases still work
before=$(sqlite3 "$DB" .dump)
run purchase --db "$DB" --member "$ID" --amount 10.00 --json
expect_failure 1 member "a purchase of the erased member"
expect_contains "$ERR" "member $ID was erased" "the refusal names the member"
expect_eq "$(sqlite3 "$DB" .dump)" "$before" "the refused purchase changed nothing"
run refund --db "$DB" --purchase "$P2" --json
expect_rc 0 "refund of an erased member's purchase"
verify "$DB" "after the refund"

# the export of an erased member: the pseudonym and the kept ledger
run member export "$ID" --db "$DB"
expect_rc 0 "export after the erase"
expect_jq "$OUT" .member.name "Erased member $ID" "the export shows the pseudonym"
expect_jq "$OUT" '.tables.ledger | length > 3' true "the ledger is kept"
expect_not_contains "$OUT" "$NAME" "the export has no trace of the name"
finish
