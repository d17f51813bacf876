# The public customer endpoints over real HTTP: a card holder's view of their card (no staff
# data in it), the join page's information and joining (consents unticked unless given, home
# location set, idempotent, bad input named and changing nothing, rate limited per address),
# and a second merchant's card and join address answering for that merchant.
source "$(dirname "$0")/lib.sh"

DB=$(new_db public)
"$LOY" demo --db "$DB" --members 20 --months 2 --seed 5 >/dev/null
M2=$("$LOY" merchant add --db "$DB" --programme "$PROGRAMME" --json | jq -r .merchant_id)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$LOY" serve --db "$DB" --port "$PORT" --quiet >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
U="http://127.0.0.1:$PORT/api/v1"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- the card view
MEM=$("$LOY" member show 1 --db "$DB" --json)
TOKEN=$(echo "$MEM" | jq -r .member.card_token)
C=$(curl -s "$U/cards/$TOKEN")
expect_eq "$(echo "$C" | jq -r .member.name)" "$(echo "$MEM" | jq -r .member.name)" "the card shows its holder's name"
expect_eq "$(echo "$C" | jq .balances.points)" "$(echo "$MEM" | jq .balances.points)" "and their points"
expect_eq "$(echo "$C" | jq .stamp_card.on_card)" "$(echo "$MEM" | jq .stamp_card.on_card)" "and their stamp card"
expect_eq "$(echo "$C" | jq -r .qr_svg)" "/card/$TOKEN.svg" "and where its QR code is"
expect_eq "$(echo "$C" | jq '.member | has("phone") or has("email") or has("notes") or has("tags") or has("id")')" "false" "no contact details, notes or ids"
expect_eq "$(echo "$C" | jq 'has("model")')" "false" "no predictions"
expect_eq "$(code "$U/cards/$(echo "$TOKEN" | tr 'A-Z' 'a-z')")" "200" "the token is case-insensitive like the counter's search"
expect_eq "$(code "$U/cards/NOSUCHCARDNOSUCHCARDNOSUCH")" "404" "unknown card: 404"
expect_eq "$(code "$U/cards/1")" "404" "a member id is not a card"
expect_eq "$(code "$U/cards/$(echo "$MEM" | jq -r .member.email)")" "404" "an email is not a card"
# names of the programme (tiers, rewards) in the language asked for, else the member's
EN=$(curl -s "$U/cards/$TOKEN?lang=en")
MS=$(curl -s "$U/cards/$TOKEN?lang=ms")
expect_eq "$(echo "$EN" | jq -r '.rewards[] | select(.id=="free-coffee") | .name')" "Free coffee" "lang=en: English reward names"
expect_eq "$(echo "$MS" | jq -r '.rewards[] | select(.id=="free-coffee") | .name')" "Kopi percuma" "lang=ms: Malay reward names"
expect_eq "$(echo "$EN" | jq .balances)" "$(echo "$C" | jq .balances)" "lang changes names only"
for bad in EN e english 'e%20n' '12'; do
    R=$(curl -s -w ' %{http_code}' "$U/cards/$TOKEN?lang=$bad")
    expect_contains "$R" '"field":"lang"' "lang=$bad is refused, naming lang"
    expect_contains "$R" " 400" "lang=$bad: 400"
done

# --- join
LOCS=$(curl -s -H "Authorization: Bearer $("$LOY" apikey create --db "$DB" --role cashier --name c --json | jq -r .key)" "$U/locations")
LID=$(echo "$LOCS" | jq -r '.locations[0].id')
LCODE=$(echo "$LOCS" | jq -r '.locations[0].code')
expect_eq "$(echo "$LOCS" | jq -r '.locations[0].join')" "/join/$LID" "locations give their join address"
I=$(curl -s "$U/join/$LID")
expect_eq "$(echo "$I" | jq -r .location.code)" "$LCODE" "join info names the location"
expect_eq "$(echo "$I" | jq -r .merchant.name)" "Kopi Kita" "and the merchant"
expect_eq "$(code "$U/join/999999")" "404" "unknown location: 404"
expect_eq "$(code "$U/join/abc")" "404" "a location must be a number"

join() { # join KEY BODY: prints the body and status
    curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' -H "Idempotency-Key: $1" \
        --data "$2" "$U/join/$LID"
}
BEFORE=$(snapshot "$DB")
for bad in '{"phone":"+60123456789"}|name' '{"name":"Ali"}|phone' \
    '{"name":"Ali","phone":"+60123456789","admin":true}|admin' \
    '{"name":"Ali","email":"not-an-email"}|email' \
    '{"name":"Ali","phone":"+60123456789","consent":{"email":"yes"}}|consent'; do
    R=$(join "bad-$RANDOM" "${bad%|*}")
    expect_contains "$R" "\"field\":\"${bad#*|}" "bad join names ${bad#*|}"
    expect_contains "$R" " 400" "bad join is a 400"
done
expect_eq "$(code -X POST -H 'Content-Type: application/json' --data '{"name":"Ali","phone":"+60123456789"}' "$U/join/$LID")" "400" "no Idempotency-Key: 400"
expect_eq "$(snapshot "$DB")" "$BEFORE" "refused joins changed nothing"

J=$(join k-1 '{"name":"Nur Aisyah","phone":"+60111222333","locale":"ms","consent":{"email":true}}')
expect_contains "$J" " 201" "join creates a member"
NT=$(echo "${J% *}" | jq -r .member.card_token)
expect_eq "$(echo "${J% *}" | jq -r .card)" "/c/$NT" "and answers the card page"
expect_eq "$(echo "${J% *}" | jq 'has("phone") or (.member | has("phone"))')" "false" "without echoing contact details"
NEW=$("$LOY" member show "$NT" --db "$DB" --json)
expect_eq "$(echo "$NEW" | jq -r .member.location)" "$LCODE" "home location is the join location"
expect_eq "$(sqlite3 "$DB" "SELECT consent_email, consent_sms, consent_email_source FROM members WHERE card_token = '$NT'")" "1|0|join page, location $LCODE" "consents as ticked, with their source"
R=$(join k-1 '{"name":"Nur Aisyah","phone":"+60111222333","locale":"ms","consent":{"email":true}}')
expect_eq "$(echo "${R% *}" | jq -r .member.card_token)" "$NT" "a retry returns the same card"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM members WHERE phone = '+60111222333'")" "1" "and creates nobody"
J2=$(join k-2 '{"name":"Eve","email":"eve@example.com"}')
NT2=$(echo "${J2% *}" | jq -r .member.card_token)
expect_eq "$(sqlite3 "$DB" "SELECT consent_email || consent_sms FROM members WHERE card_token = '$NT2'")" "00" "consents unticked by default"
expect_contains "$(join k-3 '{"name":"Copy","phone":"+60111222333"}')" " 409" "a phone already on a card: 409"
verify "$DB" "after joins"

# --- a second merchant: its card and join address answer for it
"$LOY" member add --db "$DB" --merchant "$M2" --name "Second Shop Customer" >/dev/null
T2=$(sqlite3 "$DB" "SELECT card_token FROM members WHERE merchant_id = $M2 LIMIT 1")
expect_eq "$(curl -s "$U/cards/$T2" | jq -r .member.name)" "Second Shop Customer" "another merchant's card"
L2=$(sqlite3 "$DB" "SELECT id FROM locations WHERE merchant_id = $M2 LIMIT 1")
J3=$(curl -s -X POST -H 'Content-Type: application/json' -H 'Idempotency-Key: m2-1' --data '{"name":"Bob","phone":"+60199999999"}' "$U/join/$L2")
expect_eq "$(sqlite3 "$DB" "SELECT merchant_id FROM members WHERE phone = '+60199999999'")" "$M2" "joins the location's merchant"

# --- rate limit: 20 new cards per address per hour (3 made above, one of them for merchant 2)
for i in $(seq 4 20); do join "r-$i" "{\"name\":\"R$i\",\"email\":\"r$i@example.com\"}" >/dev/null; done
R=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' -H 'Idempotency-Key: r-21' --data '{"name":"R21","email":"r21@example.com"}' "$U/join/$LID")
expect_contains "$R" " 429" "the 21st card from one address within the hour: 429"
expect_contains "$R" "Retry-After:" "with Retry-After"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM members WHERE email = 'r21@example.com'")" "0" "and no member"
finish
