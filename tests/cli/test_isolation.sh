# Merchant isolation (RELIABILITY E1): with two merchants in one database, merchant A's key gets
# 404 for every id of merchant B, by path or in a body, and nothing changes in B's data.
source "$(dirname "$0")/lib.sh"

DB=$(new_db iso)
sed 's/Kopi Kita/Budapest Bakery/; s/"MYR"/"HUF"/; s#Asia/Kuala_Lumpur#Europe/Budapest#; s/"ms"/"hu"/' \
    "$PROGRAMME" >"$TMP/b.json"
"$LOY" merchant add --db "$DB" --programme "$TMP/b.json" >/dev/null
KA=$("$LOY" apikey create --db "$DB" --role owner --name a --json | jq -r .key)
KB=$("$LOY" apikey create --db "$DB" --merchant 2 --role owner --name b --json | jq -r .key)
"$LOY" member add --db "$DB" --name "Anna A" --phone "+60111111111" --email a@example.com >/dev/null
B=$("$LOY" member add --db "$DB" --merchant 2 --name "Béla B" --phone "+36222222222" \
    --email b@example.com --json | jq -r .member.id)
BCARD=$("$LOY" member show --db "$DB" --merchant 2 "$B" --json | jq -r .member.card_token)
"$LOY" adjust --db "$DB" --merchant 2 --member "$B" --points 1000 --reason seed >/dev/null
BP=$("$LOY" purchase --db "$DB" --merchant 2 --member "$B" --amount 5000 --json | jq -r .purchase.id)
BV=$("$LOY" redeem --db "$DB" --merchant 2 --member "$B" --reward rm5-off --json | jq -r .voucher.code)
BHOOK=$("$LOY" webhook add --db "$DB" --merchant 2 http://127.0.0.1:9/x --event purchase.recorded \
    --json | jq -r .id)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$LOY" serve --db "$DB" --port "$PORT" --quiet >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

BEFORE=$(snapshot "$DB")
call() { # call METHOD PATH [BODY]: status of merchant A's request
    local m=$1 p=$2 b=${3:-}
    if [ -n "$b" ]; then
        curl -s -o "$TMP/body" -w '%{http_code}' -X "$m" -H "Authorization: Bearer $KA" \
            -H 'Content-Type: application/json' -H "Idempotency-Key: iso-$RANDOM$RANDOM" \
            -d "$b" "http://127.0.0.1:$PORT$p"
    else
        curl -s -o "$TMP/body" -w '%{http_code}' -X "$m" -H "Authorization: Bearer $KA" \
            -H "Idempotency-Key: iso-$RANDOM$RANDOM" "http://127.0.0.1:$PORT$p"
    fi
}
for ref in "$B" "$BCARD" "+36222222222" "b@example.com"; do
    enc=$(jq -rn --arg v "$ref" '$v|@uri')
    expect_eq "$(call GET "/api/v1/members/$enc")" "404" "GET member of B by $ref"
    expect_eq "$(call GET "/api/v1/members/$enc/ledger")" "404" "ledger of B by $ref"
    expect_eq "$(call GET "/api/v1/members/$enc/prediction")" "404" "prediction of B by $ref"
    expect_eq "$(call PATCH "/api/v1/members/$enc" '{"notes": "x"}')" "404" "PATCH member of B by $ref"
    expect_eq "$(call POST "/api/v1/members/$enc/card:rotate")" "404" "rotate card of B by $ref"
    expect_eq "$(call POST /api/v1/purchases "{\"member\": \"$ref\", \"amount\": 100}")" "404" \
        "purchase for B's member $ref"
    expect_eq "$(call POST /api/v1/purchases:simulate "{\"member\": \"$ref\", \"amount\": 100}")" \
        "404" "simulate for B's member $ref"
    expect_eq "$(call POST /api/v1/redemptions "{\"member\": \"$ref\", \"reward\": \"rm5-off\"}")" \
        "404" "redeem for B's member $ref"
    expect_eq "$(call POST /api/v1/adjustments "{\"member\": \"$ref\", \"delta\": 5, \"reason\": \"x\"}")" \
        "404" "adjust B's member $ref"
done
expect_eq "$(call POST "/api/v1/purchases/$BP/refunds" '{}')" "404" "refund B's purchase"
expect_eq "$(call GET "/api/v1/purchases?member=$B")" "404" "list B's member's purchases"
expect_eq "$(call GET "/api/v1/vouchers/$BV")" "404" "check B's voucher"
expect_eq "$(call POST "/api/v1/vouchers/$BV/use")" "404" "use B's voucher"
expect_eq "$(call DELETE "/api/v1/webhooks/$BHOOK")" "404" "delete B's webhook"
LIST=$(curl -s -H "Authorization: Bearer $KA" "http://127.0.0.1:$PORT/api/v1/members?q=b")
expect_eq "$(echo "$LIST" | jq '[.members[] | select(.name == "Béla B")] | length')" "0" \
    "search does not find B's members"
LIST=$(curl -s -H "Authorization: Bearer $KA" "http://127.0.0.1:$PORT/api/v1/purchases")
expect_eq "$(echo "$LIST" | jq "[.purchases[] | select(.id == $BP)] | length")" "0" \
    "purchase list does not show B's purchases"
expect_eq "$(curl -s -H "Authorization: Bearer $KA" "http://127.0.0.1:$PORT/api/v1/programme" | jq -r .programme.merchant.currency)" \
    "MYR" "A sees its own programme"
expect_eq "$(curl -s -H "Authorization: Bearer $KB" "http://127.0.0.1:$PORT/api/v1/members/$B" | jq -r .member.name)" \
    "Béla B" "B's key still reaches B's member"
kill $SRV
wait $SRV 2>/dev/null
AFTER=$(snapshot "$DB")
# B's rows are untouched (A's 404s wrote nothing anywhere, apart from nothing at all)
expect_eq "$(diff <(echo "$BEFORE") <(echo "$AFTER") | wc -l)" "0" "database unchanged by the 404s"
verify "$DB" "after the isolation run"
finish
