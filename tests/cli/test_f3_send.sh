# RELIABILITY F3: a marketing send to 10,000 members (LOY_F3_MEMBERS to change it). Members are
# enrolled over the HTTP API, 70% with email consent; a campaign (10% holdout) is queued to all;
# 100 consenting members then unsubscribe with the one-click POST to /u/TOKEN (RFC 8058, no
# login; sent twice: idempotent) and 100 others only open the page with a GET (which must change
# nothing); then `loyalty messages send` delivers to a real SMTP server on 127.0.0.1. Checked:
# 0 messages to anyone without consent, none to the 100 who unsubscribed after the campaign was
# queued (honoured before the next send), exactly one to every other consenting member outside
# the holdout, none twice; the figures and the time taken are printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mail_lib.sh"

N=${LOY_F3_MEMBERS:-10000}
export LOYALTY_NOW=2026-11-20T03:00:00Z # 11:00 in Kuala Lumpur: outside the quiet hours
DB=$TMP/f3.db
run init --db "$DB" --programme "$ROOT/tests/data/programmes/messages.json"
expect_rc 0 "init"
KEY=$("$LOY" apikey create --db "$DB" --role owner --name f3 --json | jq -r .key)
"$LOY" serve --db "$DB" --port 0 --quiet >"$TMP/serve.out" 2>"$TMP/serve.err" &
SRV=$!
PIDS+=("$SRV")
URL=""
for _ in $(seq 1 100); do
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$TMP/serve.out" | head -n 1 || true)
    [ -n "$URL" ] && curl -sf "$URL/healthz" >/dev/null && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "FAIL: the server did not start: $(cat "$TMP/serve.err")" >&2; exit 1; }

# enrol N members over one keep-alive connection: member i has email consent when i % 10 < 7
T0=$(date +%s)
"$PY" - "$URL" "$KEY" "$N" <<'PY' || { echo "FAIL: enrolling members" >&2; exit 1; }
import http.client, json, sys, urllib.parse
url, key, n = urllib.parse.urlparse(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
for i in range(n):
    body = json.dumps({"name": f"F3 Member {i}", "email": f"f3.{i}@example.com",
                       "locale": ["en", "ms", "hu", "bn"][i % 4],
                       "consent": {"email": i % 10 < 7}})
    c.request("POST", "/api/v1/members", body, {"Authorization": "Bearer " + key,
              "Content-Type": "application/json", "Idempotency-Key": f"f3-{i}"})
    r = c.getresponse(); r.read()
    if r.status != 201: sys.exit(f"member {i}: HTTP {r.status}")
PY
T1=$(date +%s)

q() { sqlite3 "$DB" "$1"; }
run campaign create f3 --db "$DB" --template campaign --holdout 10 --seed 7 --json
expect_rc 0 "campaign create"
CID=$(jq -r '.campaign.id // .id' <<<"$OUT")
run campaign send "$CID" --db "$DB" --json
expect_rc 0 "campaign send"
T2=$(date +%s)
ARMS="SELECT m.id FROM campaign_members cm JOIN members m ON m.id = cm.member_id WHERE cm.campaign_id = $CID"
expect_eq "$(q "SELECT count(*) FROM campaign_members WHERE campaign_id = $CID")" "$N" "every member has an arm"

# 100 consenting members outside the holdout unsubscribe (one click, twice); 100 others only GET
"$PY" - "$URL" "$KEY" "$DB" "$CID" >"$TMP/unsub.txt" <<'PY' || { echo "FAIL: unsubscribing" >&2; exit 1; }
import http.client, json, sqlite3, sys, urllib.parse
url, key, db, cid = urllib.parse.urlparse(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
d = sqlite3.connect(db)
ids = [r[0] for r in d.execute(
    "SELECT m.id FROM campaign_members cm JOIN members m ON m.id = cm.member_id "
    "WHERE cm.campaign_id = ? AND cm.arm <> 'holdout' AND m.consent_email = 1 ORDER BY m.id LIMIT 200", (cid,))]
d.close()
c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
def call(method, path, body=None, headers={}):
    c.request(method, path, body, headers); r = c.getresponse(); return r.status, r.read()
for n, mid in enumerate(ids):
    s, b = call("GET", f"/api/v1/members/{mid}", headers={"Authorization": "Bearer " + key})
    path = json.loads(b)["member"]["unsubscribe_url"]
    if n < 100:
        for _ in range(2):  # idempotent: the second POST changes nothing and still answers 200
            s, _b = call("POST", path, "List-Unsubscribe=One-Click",
                         {"Content-Type": "application/x-www-form-urlencoded"})
            if s != 200: sys.exit(f"one-click for {mid}: HTTP {s}")
        print(f"UNSUB {mid}")
    else:
        s, _b = call("GET", path)  # the page: never a change
        if s != 200: sys.exit(f"GET {path}: HTTP {s}")
        print(f"LOOKED {mid}")
PY
expect_eq "$(grep -c '^UNSUB' "$TMP/unsub.txt")" 100 "100 members unsubscribed with one click"
UNSUBS=$(sed -n 's/^UNSUB //p' "$TMP/unsub.txt" | paste -sd, -)
LOOKED=$(sed -n 's/^LOOKED //p' "$TMP/unsub.txt" | paste -sd, -)
expect_eq "$(q "SELECT count(*) FROM members WHERE id IN ($UNSUBS) AND consent_email = 0 AND consent_email_source = 'unsubscribe-link'")" 100 \
    "their consent is withdrawn, by the link"
expect_eq "$(q "SELECT count(*) FROM members WHERE id IN ($LOOKED) AND consent_email = 1")" 100 \
    "opening the page (GET) changed nobody's consent"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'consent.withdraw'")" 100 \
    "one audit entry each: the second POST changed nothing"
kill "$SRV"
wait "$SRV" 2>/dev/null

# deliver: the sender in batches of 1,000, as cron would run it, until nothing is due
start_sink "$TMP/mail"
for _ in $(seq 1 $((N / 1000 + 5))); do
    [ "$(q "SELECT count(*) FROM messages WHERE status = 'queued'")" = 0 ] && break
    "$LOY" messages send --db "$DB" --smtp-url "smtp://127.0.0.1:$SPORT" --smtp-starttls off \
        --public-url https://kopi.example --mail-from hello@kopi.example --max 1000 >/dev/null ||
        fail "messages send"
done
T3=$(date +%s)
expect_eq "$(q "SELECT count(*) FROM messages WHERE status = 'queued'")" 0 "nothing left queued"

# the checks, from the database and the received messages
"$PY" - "$DB" "$TMP/mail" "$CID" "$UNSUBS" >"$TMP/check.txt" <<'PY'
import email, email.policy, glob, os, sqlite3, sys
db, mail, cid, unsubs = sys.argv[1], sys.argv[2], int(sys.argv[3]), set(map(int, sys.argv[4].split(',')))
d = sqlite3.connect(db)
members = {r[0]: r for r in d.execute("SELECT id, email, consent_email FROM members")}
by_email = {r[1]: r for r in members.values()}
arms = dict(d.execute("SELECT member_id, arm FROM campaign_members WHERE campaign_id = ?", (cid,)))
# consent as it was when the campaign was queued: member i consented when i % 10 < 7
def consented(mid): return int(members[mid][1].split('.')[1].split('@')[0]) % 10 < 7
to = []
for f in glob.glob(os.path.join(mail, '*.eml')):
    m = email.message_from_bytes(open(f, 'rb').read(), policy=email.policy.default)
    to.append(m['To'].addresses[0].addr_spec)
bad = []
got = set()
for a in to:
    r = by_email.get(a)
    if not r: bad.append(f"{a}: nobody"); continue
    if not consented(r[0]): bad.append(f"{a}: never consented")
    if r[0] in unsubs: bad.append(f"{a}: unsubscribed before the send")
    if arms.get(r[0]) == 'holdout': bad.append(f"{a}: in the holdout")
    if r[0] in got: bad.append(f"{a}: twice")
    got.add(r[0])
want = {mid for mid, arm in arms.items() if arm != 'holdout' and consented(mid) and mid not in unsubs}
missing = want - got
if missing: bad.append(f"{len(missing)} consenting members got nothing, e.g. {sorted(missing)[:5]}")
no_consent = sum(1 for mid, arm in arms.items() if arm != 'holdout' and not consented(mid))
for b in bad[:20]: print("BAD", b)
print(f"RECEIVED {len(to)} WANT {len(want)} NOCONSENT {no_consent} "
      f"HOLDOUT {sum(1 for a in arms.values() if a == 'holdout')}")
PY
expect_eq "$(grep '^BAD' "$TMP/check.txt")" "" "0 messages to anyone without consent or unsubscribed; one to every other member"
read -r _ GOT _ WANT _ NOC _ HOLD < <(grep '^RECEIVED' "$TMP/check.txt")
expect_eq "$GOT" "$WANT" "received = consenting members outside the holdout - 100 unsubscribed"
expect_eq "$(q "SELECT count(*) FROM messages WHERE trigger = 'campaign' AND status = 'sent'")" "$GOT" \
    "sent in the database = received"
expect_eq "$(q "SELECT count(*) FROM messages WHERE trigger = 'campaign' AND status = 'skipped' AND reason = 'no_consent'")" \
    "$((NOC + 100))" "skipped for no consent: those who never gave it and the 100 who withdrew it"
echo "F3: $N members enrolled over HTTP in $((T1 - T0)) s; campaign queued in $((T2 - T1)) s;" \
    "$GOT delivered to the SMTP server in $((T3 - T2)) s; $NOC never consented," \
    "100 unsubscribed, $HOLD held out: 0 messages to any of them"
finish
