# Messages to members by email, end to end (docs/messages.md, RELIABILITY F3): a real SMTP server
# on 127.0.0.1 (tests/support/smtp_sink.py, aiosmtpd) receives what `loyalty serve` and
# `loyalty messages send` send, and every message is parsed with Python's email module: headers
# (From, To, Subject decoded, Date, Message-ID, List-Unsubscribe to /u/TOKEN of that member and
# List-Unsubscribe-Post), both parts in the member's language, HTML escaping of a member's name,
# the postal address in both footers. Respect: no message without consent, consent withdrawn by
# the one-click POST between queue and send, the frequency cap (3 marketing -> 2 sent, 1 skipped
# "cap"), quiet hours in the member's zone (postponed, then sent), the SMS-only member through the
# signed message.send webhook. Delivery: a crash between the SMTP server's acceptance and the
# record (LOYALTY_FAULT=after_smtp_send) leaves exactly one copy and an `uncertain` message; a
# stopped server is retried with backoff and sent once; a 550 fails; STARTTLS with AUTH works
# and a wrong password is retried. Bad settings and bad input change nothing.
source "$(dirname "$0")/lib.sh"

export LOYALTY_NOW=2026-11-20T03:00:00Z # 11:00 in Kuala Lumpur, 22:00 the day before in New York
source "$(dirname "$0")/mail_lib.sh"

DB=$TMP/mail.db
run init --db "$DB" --programme "$ROOT/tests/data/programmes/messages.json"
expect_rc 0 "init with a messages section"

add() { # add NAME EMAIL LOCALE [FLAGS...]: prints the new member's id
    local name=$1 mail=$2 locale=$3
    shift 3
    "$LOY" member add --db "$DB" --name "$name" ${mail:+--email "$mail"} --locale "$locale" "$@" \
        --json | jq -r .member.id
}
A=$(add "Siti Aminah" siti@example.org ms --consent-email)
B=$(add "সুমন রায়" sumon@example.org bn --consent-email)
C=$(add '<b>Tom & "Jerry"</b>' tom@example.org en --consent-email)
D=$(add "Nora Noconsent" nora@example.org en)
E=$(add "Eli Withdraws" eli@example.org en --consent-email)
F=$(add "Fatimah Capped" fatimah@example.org ms --consent-email)
G=$(add "Grace Nightowl" grace@example.org en --consent-email --timezone America/New_York)
H=$(add "Hanna Smsonly" "" hu --phone "+36 30 555 0101" --consent-sms)

# ---- member time zones ----
expect_jq "$("$LOY" member show "$G" --db "$DB" --json)" .member.timezone America/New_York "timezone stored"
before=$(snapshot "$DB")
run member add --db "$DB" --name "Mars Person" --email mars@example.org --timezone Mars/Olympus --json
expect_failure 2 timezone "an unknown time zone is refused"
run member edit "$A" --db "$DB" --timezone "../../etc/passwd" --json
expect_failure 2 timezone "a path is no time zone"
expect_eq "$(snapshot "$DB")" "$before" "refused time zones change nothing"
run member edit "$H" --db "$DB" --timezone Pacific/Kiritimati --json
expect_jq "$OUT" .member.timezone Pacific/Kiritimati "timezone edited"
run member edit "$H" --db "$DB" --timezone "" --json
expect_jq "$OUT" .member.timezone null "an empty timezone means the shop's"

# ---- preview ----
run campaign preview --db "$DB" --trigger welcome --member "$B" --public-url https://kopi.example --json
expect_rc 0 "preview"
expect_jq "$OUT" .lang bn "preview in the member's language"
expect_contains "$(printf '%s' "$OUT" | jq -r .subject)" "স্বাগতম" "Bengali subject"
expect_contains "$(printf '%s' "$OUT" | jq -r .text)" "12 Jalan Telawi 3" "postal address in the text footer"
expect_contains "$(printf '%s' "$OUT" | jq -r .text)" "https://kopi.example/u/" "unsubscribe link in the preview"
run campaign preview --db "$DB" --trigger campaign --template spring-sale --member "$A" --lang en --offer free-coffee --json
expect_jq "$OUT" .subject "Spring at Kopi Kita, Siti" "the owner's template in the asked language"
expect_contains "$(printf '%s' "$OUT" | jq -r .text)" "PREVIEW" "the offer block with the preview code"
run campaign preview --db "$DB" --trigger campaign --template spring-sale --member "$B" --json
expect_jq "$OUT" .lang ms "a template without the member's language falls back to the shop's"
run campaign preview --db "$DB" --trigger nonsense --member "$A" --json
expect_failure 2 trigger "unknown trigger"
run campaign preview --db "$DB" --trigger welcome --member 999 --json
expect_failure 3 member "unknown member"
run campaign preview --db "$DB" --trigger welcome --member "$A" --lang EN --json
expect_failure 2 lang "a bad language"

# ---- queue ----
q() { "$LOY" message queue --db "$DB" "$@" --json; }
before=$(sql "$DB" "SELECT count(*) FROM messages")
run message queue --db "$DB" --member "$A" --trigger welcome --offer no-such-reward --json
expect_failure 2 offer "unknown offer reward"
run message queue --db "$DB" --member "$A" --trigger nope --json
expect_failure 2 trigger "unknown trigger when queueing"
run message queue --db "$DB" --member "$A" --trigger campaign --template nope --json
expect_failure 2 template "unknown template when queueing"
run message queue --db "$DB" --member "$A" --trigger welcome --var "bad name=x" --json
expect_failure 2 "vars.bad name" "a bad variable name"
expect_eq "$(sql "$DB" "SELECT count(*) FROM messages")" "$before" "refused queueing writes nothing"

expect_jq "$(q --member "$A" --trigger welcome --key j1 --offer free-coffee)" .queued true "queue A"
expect_jq "$(q --member "$A" --trigger welcome --key j1 --offer free-coffee)" .queued false "the same key twice: once"
q --member "$B" --trigger welcome --key j1 >/dev/null
q --member "$C" --trigger welcome --key j1 >/dev/null
run message queue --db "$DB" --member "$D" --trigger welcome --key j1 --json
expect_jq "$OUT" '[.queued, .message.status, .message.reason] | join(",")' "false,skipped,no_consent" "no consent: skipped at once"
q --member "$E" --trigger welcome --key j1 --not-before 2026-11-20T04:00:00Z >/dev/null
for k in c1 c2 c3; do q --member "$F" --trigger campaign --template spring-sale --key "$k" >/dev/null; done
q --member "$G" --trigger welcome --key j1 >/dev/null
q --member "$H" --trigger welcome --key j1 >/dev/null
expect_eq "$(sql "$DB" "SELECT count(*) FROM messages WHERE status = 'queued'")" "9" "nine queued"

# ---- bad settings: exit 2 naming the setting, nothing sent or changed ----
before=$(sql "$DB" "SELECT * FROM messages ORDER BY id")
run messages send --db "$DB" --smtp-url http://127.0.0.1:25 --mail-from a@b.example --public-url https://x.example --json
expect_failure 2 smtp_url "an http URL is no SMTP server"
run messages send --db "$DB" --smtp-url smtp://u:p@127.0.0.1:25 --mail-from a@b.example --public-url https://x.example --json
expect_failure 2 smtp_url "no credentials in the URL"
run messages send --db "$DB" --smtp-url smtp://127.0.0.1:25 --public-url https://x.example --json
expect_failure 2 mail_from "mail_from required with an SMTP server"
run messages send --db "$DB" --smtp-url smtp://127.0.0.1:25 --mail-from a@b.example --json
expect_failure 2 public_url "public_url required with an SMTP server"
run messages send --db "$DB" --smtp-url smtp://127.0.0.1:25 --mail-from a@b.example --public-url https://x.example --smtp-starttls maybe --json
expect_failure 2 smtp_starttls "a bad STARTTLS mode"
LOYALTY_SMTP_URL=smtp://127.0.0.1:25 run messages send --db "$DB" --mail-from a@b.example --public-url https://x.example --smtp-user u --json
expect_failure 2 smtp_password_file "a user without a password"
run messages send --db "$DB" --smtp-password "x" --json
expect_failure 2 smtp-password "there is no password flag"
expect_eq "$(sql "$DB" "SELECT * FROM messages ORDER BY id")" "$before" "bad settings change nothing"

# ---- loyalty serve sends them ----
MAIL=$TMP/mail
start_sink "$MAIL"
PORT=$(free_port)
KEY=$("$LOY" apikey create --db "$DB" --role manager --name t --json | jq -r .key)
CASHIER=$("$LOY" apikey create --db "$DB" --role cashier --name c --json | jq -r .key)
OWNER=$("$LOY" apikey create --db "$DB" --role owner --name o --json | jq -r .key)
BASE=http://127.0.0.1:$PORT
"$LOY" serve --db "$DB" --port "$PORT" --quiet --smtp-url "smtp://127.0.0.1:$SPORT" \
    --smtp-starttls off --mail-from "news@kopikita.example" --public-url "$BASE" \
    >"$TMP/serve.out" 2>"$TMP/serve.err" &
SRV=$!
PIDS+=("$SRV")
for _ in $(seq 1 50); do curl -s "$BASE/healthz" >/dev/null && break; sleep 0.1; done
for _ in $(seq 1 100); do
    [ "$(sql "$DB" "SELECT count(*) FROM messages WHERE status = 'queued' AND next_at <= 1795143600")" = 0 ] && break
    sleep 0.1
done
expect_contains "$(cat "$TMP/serve.out")" "sending messages through smtp://127.0.0.1:$SPORT" "serve says where mail goes"
S=$(summary "$MAIL")
expect_jq "$S" length 5 "five messages received: A, B, C and two of F"
st() { sql "$DB" "SELECT status || ',' || coalesce(reason, '') FROM messages WHERE member_id = $1 ORDER BY id"; }
expect_eq "$(st "$A")" "sent," "A sent"
expect_eq "$(st "$D")" "skipped,no_consent" "D never sent"
expect_eq "$(count_to "$MAIL" nora@example.org)" 0 "nothing to the member without consent"
expect_eq "$(st "$F" | tr '\n' ' ')" "sent, sent, skipped,cap " "cap: 2 sent, the third skipped with reason cap"
expect_eq "$(count_to "$MAIL" fatimah@example.org)" 2 "cap: two received"
expect_eq "$(st "$G")" "queued,quiet_hours" "quiet hours in New York: postponed"
expect_eq "$(sql "$DB" "SELECT next_at FROM messages WHERE member_id = $G")" "1795183200" "postponed to 09:00 New York (14:00 UTC)"
expect_eq "$(st "$H")" "skipped,no_channel" "SMS only, no webhook subscribed: no channel"
expect_eq "$(st "$E")" "queued," "E waits for its time"

# headers and parts of A's message
TA=$(sql "$DB" "SELECT unsub_token FROM members WHERE id = $A")
MA=$(printf '%s' "$S" | jq -c '.[] | select(.to == "siti@example.org")')
expect_jq "$MA" .from 'Kopi Kita <hello@kopikita.example>' "From: the programme's sender"
expect_jq "$MA" .envelope_from news@kopikita.example "envelope sender: mail_from"
expect_jq "$MA" .to_name "Siti Aminah" "To: the member's name"
expect_jq "$MA" .subject "Selamat datang ke Kopi Kita, Siti!" "Subject in Malay"
expect_jq "$MA" .date_utc "2026-11-20T03:00:00+00:00" "Date"
expect_jq "$MA" '.message_id | test("^<loyalty\\.[0-9]+\\.[0-9A-Z]+@kopikita\\.example>$")' true "Message-ID"
expect_jq "$MA" .message_id "<$(sql "$DB" "SELECT smtp_message_id FROM messages WHERE member_id = $A")>" "Message-ID recorded"
expect_jq "$MA" .list_unsubscribe "<$BASE/u/$TA>" "List-Unsubscribe: this member's one-click address"
expect_jq "$MA" .list_unsubscribe_post "List-Unsubscribe=One-Click" "List-Unsubscribe-Post (RFC 8058)"
expect_jq "$MA" .multipart multipart/alternative "multipart/alternative"
expect_jq "$MA" '.parts | join(",")' "text/plain,text/html" "text and HTML parts"
expect_jq "$MA" .language ms "Content-Language"
expect_jq "$MA" '.text | contains("Terima kasih kerana menyertai Kopi Kita")' true "text part in Malay"
expect_jq "$MA" '.html | contains("<p>Hai Siti,</p>")' true "HTML part in Malay"
expect_jq "$MA" '.text | contains("12 Jalan Telawi 3, Bangsar")' true "postal address in the text footer"
expect_jq "$MA" '.html | contains("12 Jalan Telawi 3, Bangsar")' true "postal address in the HTML footer"
expect_jq "$MA" '.text | test("Tunjukkan kod [0-9A-Z]{4}-[0-9A-Z]{4} di kaunter")' true "the offer's voucher code"
expect_jq "$MA" .crlf_only true "CRLF line ends only"
expect_jq "$MA" '.max_line <= 998' true "no line over 998 bytes"
CODE=$(printf '%s' "$MA" | jq -r '.text' | grep -o '[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' | head -1)
run voucher check "$CODE" --db "$DB" --json
expect_jq "$OUT" .status valid "the offer is a real voucher"
expect_jq "$OUT" .voucher.member_id "$A" "issued to the member"
expect_eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE member_id = $A AND kind = 'redeem'")" "0" "the offer cost no points"
expect_eq "$(sql "$DB" "SELECT count(*) FROM audit WHERE action = 'voucher.offer'")" "1" "the offer is audited"

MB=$(printf '%s' "$S" | jq -c '.[] | select(.to == "sumon@example.org")')
expect_jq "$MB" .subject "Kopi Kita-এ আপনাকে স্বাগতম, সুমন!" "a Bengali member gets a Bengali subject (RFC 2047 decoded)"
expect_jq "$MB" '.raw_subject | startswith("=?UTF-8?B?")' true "the subject travels encoded"
expect_jq "$MB" .to_name "সুমন রায়" "Bengali display name"
expect_jq "$MB" '.text | contains("যোগ দেওয়ার জন্য ধন্যবাদ")' true "Bengali text part"
expect_jq "$MB" '.html | contains("<html lang=\"bn\">")' true "Bengali HTML part"
expect_jq "$MB" .language bn "Content-Language bn"

MC=$(printf '%s' "$S" | jq -c '.[] | select(.to == "tom@example.org")')
expect_jq "$MC" .to_name '<b>Tom & "Jerry"</b>' "the name travels intact in To"
expect_jq "$MC" '.html | contains("&lt;b&gt;Tom")' true "the name is escaped in the HTML part"
expect_jq "$MC" '.html | contains("<b>Tom")' false "no raw markup from the name in HTML"
expect_jq "$MC" '.text | contains("Hi <b>Tom,")' true "the text part is not escaped"

# the list over HTTP (manager), its errors and roles
api() { curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $1" "$2"; }
expect_eq "$(api "$KEY" "$BASE/api/v1/messages?member=$F&status=skipped")" 200 "GET /api/v1/messages"
expect_jq "$(cat "$TMP/body")" '.messages | map(.reason) | join(",")' cap "filtered by member and status"
expect_eq "$(api "$KEY" "$BASE/api/v1/messages?limit=2")" 200 "limit"
expect_jq "$(cat "$TMP/body")" '.messages | length' 2 "two per page"
N=$(jq -r .next_before "$TMP/body")
expect_eq "$(api "$KEY" "$BASE/api/v1/messages?limit=2&before=$N")" 200 "next page"
expect_jq "$(cat "$TMP/body")" ".messages[0].id < $N" true "the next page is older"
expect_eq "$(api "$KEY" "$BASE/api/v1/messages?status=lost")" 400 "a bad status"
expect_jq "$(cat "$TMP/body")" .error.field status "the error names status"
expect_eq "$(api "$KEY" "$BASE/api/v1/messages?colour=red")" 400 "an unknown parameter"
expect_eq "$(api "$KEY" "$BASE/api/v1/messages?member=999")" 404 "an unknown member"
expect_eq "$(api "$CASHIER" "$BASE/api/v1/messages")" 403 "cashiers do not see messages"

# one-click unsubscribe between queue and send: E's message is then never sent
TE=$(sql "$DB" "SELECT unsub_token FROM members WHERE id = $E")
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d 'List-Unsubscribe=One-Click' "$BASE/u/$TE")
expect_eq "$CODE" 200 "one-click unsubscribe"

# the SMS-only member through the signed webhook
RPORT=$(free_port)
cat >"$TMP/recv.py" <<PY
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open('$TMP/hooks.log', 'ab') as f:
            f.write(body + b'\n')
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', $RPORT), H).serve_forever()
PY
"$PY" "$TMP/recv.py" &
PIDS+=($!)
"$LOY" webhook add --db "$DB" "http://127.0.0.1:$RPORT/hook" --event message.send >/dev/null
q --member "$H" --trigger welcome --key j2 >/dev/null
for _ in $(seq 1 60); do [ -s "$TMP/hooks.log" ] && break; sleep 0.1; done
W=$(head -1 "$TMP/hooks.log" 2>/dev/null)
expect_jq "$W" .event message.send "message.send delivered by the server's webhooks"
expect_jq "$W" .data.to "+36305550101" "to the member's phone"
expect_jq "$W" '.data.text | contains("Kedves Hanna")' true "the rendered text in Hungarian"
expect_jq "$W" '.data.text | contains("/u/")' true "with the unsubscribe link"
expect_eq "$(st "$H" | tail -1)" "sent," "the webhook message is sent"
expect_eq "$(sql "$DB" "SELECT channel FROM messages WHERE member_id = $H AND key = 'j2'")" "webhook" "channel webhook"

kill -TERM "$SRV"
wait "$SRV" 2>/dev/null
expect_eq "$?" 0 "serve stops cleanly"
expect_not_contains "$(cat "$TMP/serve.err")" "Sanitizer" "no sanitizer report from the server"
expect_eq "$(summary "$MAIL" | jq length)" 5 "nothing else was mailed"

# after the server: E (unsubscribed) is skipped when its time comes; G goes after quiet hours
MS=(messages send --db "$DB" --smtp-url "smtp://127.0.0.1:$SPORT" --smtp-starttls off --mail-from news@kopikita.example --public-url https://kopi.example --json)
LOYALTY_NOW=2026-11-20T05:00:00Z run "${MS[@]}"
expect_rc 0 "messages send"
expect_eq "$(st "$E")" "skipped,no_consent" "consent withdrawn by the one-click POST: not sent"
expect_eq "$(count_to "$MAIL" eli@example.org)" 0 "nothing to the member who unsubscribed"
expect_eq "$(st "$G")" "queued,quiet_hours" "still quiet hours in New York at 00:00"
LOYALTY_NOW=2026-11-20T14:01:00Z run "${MS[@]}"
expect_jq "$OUT" .sent 1 "after quiet hours: sent"
expect_eq "$(st "$G")" "sent," "G sent"
expect_jq "$(summary "$MAIL" | jq -c '.[] | select(.to == "grace@example.org")')" .date_utc "2026-11-20T14:01:00+00:00" "sent after 09:00 in New York"

# ---- crash between the SMTP server's acceptance and the record ----
I=$(add "Ivan Crash" ivan@example.org en --consent-email)
q --member "$I" --trigger campaign --key crash >/dev/null
LOYALTY_FAULT=after_smtp_send run "${MS[@]}"
expect_rc 75 "the fault hook ended the sender"
expect_eq "$(count_to "$MAIL" ivan@example.org)" 1 "the server has the message"
expect_eq "$(st "$I")" "sending," "left in sending"
run "${MS[@]}"
expect_eq "$(st "$I")" "sending," "within its lease a claim is left alone"
LOYALTY_NOW=2026-11-20T14:10:00Z run "${MS[@]}"
expect_jq "$OUT" .uncertain 1 "the restart finds it"
expect_eq "$(sql "$DB" "SELECT status FROM messages WHERE member_id = $I")" uncertain "uncertain, not sent again"
expect_contains "$(sql "$DB" "SELECT reason FROM messages WHERE member_id = $I")" "crash:" "the reason says why"
expect_eq "$(count_to "$MAIL" ivan@example.org)" 1 "exactly one copy after the restart"
run messages list --db "$DB" --status uncertain --json
expect_jq "$OUT" '.messages[0].member_id' "$I" "visible to the owner"

# ---- temporary failure: the server is down, then back (the next morning in Kuala Lumpur) ----
J=$(add "Julia Retry" julia@example.org en --consent-email)
q --member "$J" --trigger campaign --key retry >/dev/null
stop_sink
LOYALTY_NOW=2026-11-21T02:00:00Z run "${MS[@]}"
expect_jq "$OUT" .retrying 1 "connection refused: retried later"
expect_eq "$(sql "$DB" "SELECT status || ',' || attempts FROM messages WHERE member_id = $J")" "queued,1" "queued again"
expect_eq "$(sql "$DB" "SELECT next_at - 1795226400 FROM messages WHERE member_id = $J")" 30 "after 30 s of backoff"
start_sink "$MAIL" --port "$SPORT"
LOYALTY_NOW=2026-11-21T02:00:10Z run "${MS[@]}"
expect_eq "$(st "$J" | cut -d, -f1)" queued "not before its backoff"
LOYALTY_NOW=2026-11-21T02:01:00Z run "${MS[@]}"
expect_jq "$OUT" .sent 1 "sent once the server is back"
LOYALTY_NOW=2026-11-21T02:10:00Z run "${MS[@]}"
expect_eq "$(count_to "$MAIL" julia@example.org)" 1 "exactly one copy"
expect_eq "$(sql "$DB" "SELECT status || ',' || attempts FROM messages WHERE member_id = $J")" "sent,2" "sent at the second attempt"

# ---- permanent failure: 550 ----
K=$(add "Karl Bounce" karl@example.org en --consent-email)
q --member "$K" --trigger campaign --key bounce >/dev/null
start_sink "$TMP/reject" --reject 550
REJECT_PORT=$SPORT
LOYALTY_NOW=2026-11-21T02:40:00Z run messages send --db "$DB" --smtp-url "smtp://127.0.0.1:$REJECT_PORT" --smtp-starttls off --mail-from news@kopikita.example --public-url https://kopi.example --json
expect_jq "$OUT" .failed 1 "550: failed"
expect_contains "$(st "$K")" "failed,smtp_permanent" "the reason says permanent"
stop_sink

# ---- STARTTLS with AUTH ----
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1; then
    start_sink "$TMP/tls" --tls "$TMP/cert.pem" "$TMP/key.pem" --auth shop:s3cret-pass
    printf 's3cret-pass\n' >"$TMP/pw"
    chmod 600 "$TMP/pw"
    L=$(add "Lena Secure" lena@example.org en --consent-email)
    q --member "$L" --trigger campaign --key tls >/dev/null
    TLS=(messages send --db "$DB" --smtp-url "smtp://127.0.0.1:$SPORT" --smtp-starttls required --smtp-ca-file "$TMP/cert.pem" --mail-from news@kopikita.example --public-url https://kopi.example --smtp-user shop --json)
    printf 'wrong\n' >"$TMP/badpw"
    LOYALTY_NOW=2026-11-21T02:50:00Z run "${TLS[@]}" --smtp-password-file "$TMP/badpw"
    expect_jq "$OUT" .retrying 1 "a wrong password is a setting to fix: retried"
    LOYALTY_NOW=2026-11-21T02:55:00Z LOYALTY_SMTP_PASSWORD=s3cret-pass run "${TLS[@]}"
    expect_jq "$OUT" .sent 1 "STARTTLS and AUTH with the password from the environment"
    T=$(summary "$TMP/tls")
    expect_jq "$T" '.[0].tls' true "the session used TLS"
    expect_jq "$T" '.[0].login' shop "and authenticated"
    expect_jq "$T" length 1 "one copy"
    stop_sink
else
    fail "openssl could not make a test certificate"
fi

# ---- the programme's messages section is validated like the rest ----
bad() { # bad JQ-EDIT FIELD DESCRIPTION
    jq "$1" "$ROOT/tests/data/programmes/messages.json" >"$TMP/bad.json"
    run programme check "$TMP/bad.json" --json
    expect_failure 2 "$2" "$3"
}
bad '.messages.templates["spring-sale"].en.text = "Hi {{frist_name}}"' 'messages.templates.spring-sale.en.text' "an unknown variable"
bad '.messages.templates["spring-sale"].en.html = "{{#offer}}x"' 'messages.templates.spring-sale.en.html' "a section never closed"
bad '.messages.quiet_hours.from = "25:00"' messages.quiet_hours.from "a bad quiet-hours time"
bad '.messages.frequency_cap.messages = 0' messages.frequency_cap.messages "a cap of 0"
bad '.messages.from = "not an address"' messages.from "a bad sender"
bad '.messages.templates.Welcome = {}' messages.templates.Welcome "a bad template id"
bad '.messages.colour = 1' messages.colour "an unknown field"
before=$(sql "$DB" "SELECT count(*) FROM programmes")
jq '.messages.templates["spring-sale"].en.subject = "{{nope}}"' "$ROOT/tests/data/programmes/messages.json" >"$TMP/bad.json"
run programme set "$TMP/bad.json" --db "$DB" --json
expect_failure 2 'messages.templates.spring-sale.en.subject' "programme set refuses it too"
expect_eq "$(sql "$DB" "SELECT count(*) FROM programmes")" "$before" "no new programme version"

# ---- export and erase ----
run member export "$A" --db "$DB" --json
expect_jq "$OUT" '.tables.messages | length' 1 "the export has the member's messages"
run member erase "$F" --db "$DB" --reason "asked by phone" --yes --json
expect_rc 0 "erase"
q --member "$F" --trigger campaign --key after-erase >/dev/null
expect_eq "$(sql "$DB" "SELECT status || ',' || reason FROM messages WHERE member_id = $F AND key = 'after-erase'")" "skipped,erased" "nothing is queued for an erased member"
run member erase "$H" --db "$DB" --reason "asked by text message" --yes --json
expect_rc 0 "erase the SMS member"
expect_eq "$(sqlite3 "$DB" .dump | grep -c -e Hanna -e 5550101)" 0 "no trace of them in the database, message.send events included"
verify "$DB" "invariants after sending"

finish
