# A day of engagement on the demo database, end to end (issue 6, "done when"): `loyalty demo`
# (150 members, a year of purchases, the Kopi Kita programme with its triggers, feedback and
# messages sections), a fitted model, then at 10:30 in Kuala Lumpur the next morning `loyalty
# messages send` (what the history queued) and `loyalty jobs run` + `messages send` (the day's
# birthdays, anniversaries, reminders, win-backs) against a real SMTP server on 127.0.0.1. The
# received messages are parsed and checked against the database, computed independently here:
# only members with email consent get mail, each at their own address and in their language with
# their own unsubscribe link; every birthday message goes to a member whose birthday is today
# (set 30+ days ago) and every such member with consent got one or was capped; every win-back
# goes to a member without a visit for 60 days or with P(alive) < 0.3; no member gets more than
# 2 marketing messages in 7 days; survey links are absolute; what the history queued for
# purchases long past is skipped as stale, never sent; a second run of the jobs and of the
# sender the same day sends nothing more.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mail_lib.sh"

DB=$TMP/demo.db
END=2026-11-21T09:00:00Z  # the demo's history ends here (17:00 in Kuala Lumpur)
DAY=2026-11-22T02:30:00Z  # the next morning, 10:30 in Kuala Lumpur (after triggers.send_at 10:00)
BASE=https://kopi.example # the public URL links are made with
run init --db "$DB" --programme "$ROOT/examples/kopi-kita.json"
expect_rc 0 "init"
run demo --db "$DB" --members 150 --months 12 --now "$END"
expect_rc 0 "demo"
run model fit --db "$DB" --now "$END"
expect_rc 0 "model fit"
start_sink "$TMP/mail"
MAIL=(--smtp-url "smtp://127.0.0.1:$SPORT" --smtp-starttls off --public-url "$BASE"
    --mail-from hello@kopi.example --max 1000)

q() { sqlite3 "$DB" "$1"; }
QUEUED_BEFORE=$(q "SELECT count(*) FROM messages")
expect_eq "$([ "$QUEUED_BEFORE" -gt 50 ] && echo yes)" yes "the demo history queued messages ($QUEUED_BEFORE)"

# 1. what the history queued: only what is at most two days old may go out
run messages send --db "$DB" --now "$DAY" "${MAIL[@]}" --json
expect_rc 0 "messages send (the history's queue)"
STALE_SENT=$(q "SELECT count(*) FROM messages WHERE status = 'sent' AND next_at < strftime('%s','$DAY') - 2*86400")
expect_eq "$STALE_SENT" 0 "nothing due more than two days ago was sent"
STALE=$(q "SELECT count(*) FROM messages WHERE status = 'skipped' AND reason = 'stale'")
expect_eq "$([ "$STALE" -gt 0 ] && echo yes)" yes "the history's old messages are skipped as stale ($STALE)"

# 2. the day's jobs, then the sender
run jobs run --db "$DB" --now "$DAY" --json
expect_rc 0 "jobs run"
DAILY=$(q "SELECT count(*) FROM messages WHERE trigger IN ('birthday','anniversary','reorder','winback','expiring') AND created_at = strftime('%s','$DAY')")
expect_eq "$([ "$DAILY" -gt 0 ] && echo yes)" yes "the jobs queued the day's messages ($DAILY)"
run messages send --db "$DB" --now "$DAY" "${MAIL[@]}" --json
expect_rc 0 "messages send (the day's)"
summary "$TMP/mail" >"$TMP/got.json"
GOT=$(jq length "$TMP/got.json")
SENT=$(q "SELECT count(*) FROM messages WHERE status = 'sent' AND channel = 'email'")
expect_eq "$GOT" "$SENT" "the SMTP server received exactly the messages marked sent"
expect_eq "$([ "$GOT" -gt 0 ] && echo yes)" yes "some messages were sent ($GOT)"

# 3. every received message against the database (Python: the members table, the rules)
"$PY" - "$DB" "$TMP/got.json" "$DAY" "$BASE" >"$TMP/check.txt" <<'PY'
import datetime, json, sqlite3, sys
from zoneinfo import ZoneInfo
db, got, day, base = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4]
c = sqlite3.connect(db)
now = int(datetime.datetime.fromisoformat(day.replace('Z', '+00:00')).timestamp())
zone = c.execute("SELECT timezone FROM merchants").fetchone()[0]
members = {r[0]: r for r in c.execute(
    "SELECT id, email, consent_email, locale, unsub_token, bday_day, bday_month, birthday_set_at, "
    "timezone FROM members")}
by_email = {r[1].lower(): r for r in members.values() if r[1]}
sent = {r[0]: r for r in c.execute(
    "SELECT smtp_message_id, member_id, trigger, class, sent_at FROM messages "
    "WHERE status = 'sent' AND channel = 'email'")}
bad = []
ids = [g['message_id'] for g in got]
if len(set(ids)) != len(ids): bad.append('a Message-ID twice')
for g in got:
    m = by_email.get(g['to'].lower())
    if not m: bad.append(f"{g['to']}: not a member's address"); continue
    mid, email, consent, locale, token = m[0], m[1], m[2], m[3], m[4]
    if consent != 1: bad.append(f"{g['to']}: no email consent")
    if g['language'] != locale: bad.append(f"{g['to']}: language {g['language']}, member {locale}")
    if token is None or g['list_unsubscribe'] != f"<{base}/u/{token}>":
        bad.append(f"{g['to']}: List-Unsubscribe {g['list_unsubscribe']}")
    if g['list_unsubscribe_post'] != 'List-Unsubscribe=One-Click': bad.append('no one-click header')
    row = sent.get(g['message_id'].strip('<>')) or sent.get(g['message_id'])
    if not row: bad.append(f"{g['message_id']}: not recorded as sent"); continue
    if row[1] != mid: bad.append(f"{g['message_id']}: recorded for member {row[1]}, sent to {mid}")
    trig = row[2]
    if trig == 'survey' and f"{base}/f/" not in (g['text'] or ''): bad.append('survey link not absolute')
    if trig == 'birthday':
        tz = ZoneInfo(m[8] or zone)
        local = datetime.datetime.fromtimestamp(now, tz).date()
        bd = (m[5], m[6])
        if bd != (local.day, local.month) and not (bd == (29, 2) and (local.day, local.month) == (28, 2)):
            bad.append(f"birthday message to {mid} born {bd}, local date {local}")
        if m[7] > now - 30 * 86400: bad.append(f"birthday message to {mid}, set less than 30 days ago")
    if trig == 'winback':
        last = c.execute("SELECT max(occurred_at) FROM purchases WHERE member_id = ?", (mid,)).fetchone()[0] or 0
        tz = ZoneInfo(m[8] or zone)  # days as the member counts them: local dates
        since = (datetime.datetime.fromtimestamp(now, tz).date() - datetime.datetime.fromtimestamp(last, tz).date()).days
        if since < 60:
            # then P(alive) must be below 0.3: `loyalty model predict` is asked by the shell below
            print(f"PALIVE {mid}")
# the cap: at most 2 marketing messages a member in the 7 days up to now
for mid, n in c.execute("SELECT member_id, count(*) FROM messages WHERE status IN ('sent','sending','uncertain') "
                        "AND class = 'marketing' AND sent_at > ? GROUP BY member_id", (now - 7 * 86400,)):
    if n > 2: bad.append(f"member {mid}: {n} marketing messages in 7 days")
# every member whose birthday is today (settled, email consent) got one or was capped
for m in members.values():
    if not (m[1] and m[2] == 1 and m[5] and m[7] and m[7] <= now - 30 * 86400): continue
    local = datetime.datetime.fromtimestamp(now, ZoneInfo(m[8] or zone)).date()
    if (m[5], m[6]) != (local.day, local.month): continue
    r = c.execute("SELECT status, reason FROM messages WHERE member_id = ? AND trigger = 'birthday' "
                  "AND created_at > ?", (m[0], now - 86400)).fetchone()
    if not r or not (r[0] == 'sent' or (r[0] == 'skipped' and r[1] == 'cap')):
        bad.append(f"member {m[0]}: birthday today, message {r}")
for b in bad: print(f"BAD {b}")
print(f"CHECKED {len(got)}")
PY
expect_contains "$(cat "$TMP/check.txt")" "CHECKED $GOT" "every received message was checked"
expect_eq "$(grep '^BAD' "$TMP/check.txt")" "" "every received message is right (see the rules above)"
for m in $(sed -n 's/^PALIVE //p' "$TMP/check.txt"); do
    P=$("$LOY" model predict "$m" --db "$DB" --now "$DAY" --json | jq -r '.p_alive // .prediction.p_alive')
    expect_eq "$(awk -v p="$P" 'BEGIN { print (p < 0.3) ? "yes" : "no" }')" yes \
        "win-back to member $m (a recent visit): P(alive) $P < 0.3"
done

echo "demo day: $GOT messages delivered; by trigger and status:"
q "SELECT trigger || ' ' || status || coalesce(' (' || reason || ')', '') || ': ' || count(*) FROM messages GROUP BY trigger, status, reason" | sed 's/^/  /'

# 4. the same day again: nothing more is queued or sent
N_MSG=$(q "SELECT count(*) FROM messages")
run jobs run --db "$DB" --now "$DAY" --json
expect_rc 0 "jobs run again"
expect_eq "$(q "SELECT count(*) FROM messages")" "$N_MSG" "a second run the same day queues nothing"
run messages send --db "$DB" --now "$DAY" "${MAIL[@]}" --json
expect_rc 0 "messages send again"
expect_eq "$(summary "$TMP/mail" | jq length)" "$GOT" "and the SMTP server receives nothing more"
run db verify --db "$DB"
expect_rc 0 "db verify"
finish
