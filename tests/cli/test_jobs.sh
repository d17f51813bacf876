# The daily jobs and engagement triggers as an operator sees them (docs/engagement.md):
# `loyalty jobs run` from cron queues the day's messages once per member-local day; the
# scheduler inside `loyalty serve` runs the same jobs once per merchant-local day at
# triggers.send_at (10:00 in Kuala Lumpur = 02:00 UTC), remembers the day in the database across
# restarts, catches up when the server was down at that time, and can be turned off; a bad
# "triggers" section is refused naming the field and changes nothing.
source "$(dirname "$0")/lib.sh"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

DB=$(new_db jobs)
# members join on 2026-10-01 (more than 30 days before their birthdays), with email consent
export LOYALTY_NOW=2026-10-01T02:00:00Z
"$LOY" member add --db "$DB" --name "Aminah" --email aminah@example.com --consent-email \
    --birthday 11-20 >/dev/null
"$LOY" member add --db "$DB" --name "Keoni" --email keoni@example.com --consent-email \
    --birthday 11-20 --timezone Pacific/Honolulu >/dev/null
"$LOY" member add --db "$DB" --name "Bima" --email bima@example.com --consent-email \
    --birthday 11-21 >/dev/null
birthdays() { sql "$DB" "SELECT member_id || ' ' || key || ' ' || next_at FROM messages WHERE trigger = 'birthday' ORDER BY id"; }

# ---- cron: jobs run ----
# 2026-11-20T03:00Z: 11:00 on 20 November in Kuala Lumpur, 17:00 on the 19th in Honolulu
run jobs run --db "$DB" --now 2026-11-20T03:00:00Z --json
expect_rc 0 "jobs run"
expect_jq "$OUT" '.messages_queued, .messages_by_trigger.birthday' "1
1" "one birthday today (Honolulu is still on the 19th)"
expect_eq "$(birthdays)" "1 2026-11-20 $(date -u -d 2026-11-20T03:00:00Z +%s)" \
    "keyed by the local date, sent at once (10:00 has passed)"
run jobs run --db "$DB" --now 2026-11-20T09:00:00Z --json
expect_jq "$OUT" '.messages_queued' "0" "a second run the same day queues nothing"
expect_eq "$(sql "$DB" "SELECT count(*) FROM messages WHERE trigger = 'birthday'")" "1" "still one"
run jobs run --db "$DB" --now 2026-11-20T09:00:00Z
expect_rc 0 "human output"
expect_contains "$OUT" "messages: 0 queued, birthday 0" "the summary line names the messages"
expect_eq "$(sql "$DB" "SELECT local_date FROM job_runs WHERE job = 'daily'")" "2026-11-20" \
    "the run is recorded with the merchant's local date"

# ---- the scheduler inside serve ----
# start SERVE_NOW [FLAGS]: a server at that instant; waits until it answers
SRV=
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
start() {
    local now=$1
    shift
    PORT=$(free_port)
    LOYALTY_NOW=$now "$LOY" serve --db "$DB" --port "$PORT" --quiet "$@" >"$TMP/serve.out" \
        2>"$TMP/serve.err" &
    SRV=$!
    for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
}
stop() { # SIGTERM: the server (and its scheduler thread) must exit 0 (no sanitizer report)
    kill -TERM "$SRV"
    wait "$SRV"
    RC=$?
    SRV=
    expect_rc 0 "graceful stop: $(tail -n 3 "$TMP/serve.err")"
}
# ran DATE: waits up to 5 s for the scheduler's line about DATE in the server's log
ran() {
    for _ in $(seq 1 50); do grep -q "for $1" "$TMP/serve.err" && return 0; sleep 0.1; done
    return 1
}

# 21 November, 10:05 in Kuala Lumpur (02:05Z): due; Bima's birthday (KL) and Keoni's 20
# November (16:05 on the 20th in Honolulu) are queued by the server itself
start 2026-11-21T02:05:00Z
if ran 2026-11-21; then pass; else fail "the scheduler did not run at 10:05: $(cat "$TMP/serve.err")"; fi
expect_contains "$(cat "$TMP/serve.err")" "daily jobs of merchant 1 for 2026-11-21: 3 members, 2 messages queued" "the log line"
stop
expect_eq "$(birthdays | cut -d' ' -f1,2 | tr '\n' ';')" "1 2026-11-20;2 2026-11-20;3 2026-11-21;" \
    "Keoni's local 20 November, Bima's 21 November"
expect_eq "$(sql "$DB" "SELECT local_date FROM job_runs WHERE job = 'daily'")" "2026-11-21" "recorded"
FIN=$(sql "$DB" "SELECT finished_at FROM job_runs")

# a restart the same day does not run them again
start 2026-11-21T05:00:00Z
sleep 1.5
stop
expect_not_contains "$(cat "$TMP/serve.err")" "daily jobs of merchant" "no second run after a restart"
expect_eq "$(sql "$DB" "SELECT finished_at FROM job_runs")" "$FIN" "job_runs untouched"

# the next day before 10:00 (09:59 in KL): not yet
start 2026-11-22T01:59:00Z
sleep 1.5
stop
expect_not_contains "$(cat "$TMP/serve.err")" "daily jobs of merchant" "not before send_at"
# a server that was down at 10:00 runs them when it comes back the same day (23:00 in KL)
start 2026-11-22T15:00:00Z
if ran 2026-11-22; then pass; else fail "no catch-up run: $(cat "$TMP/serve.err")"; fi
stop
expect_eq "$(sql "$DB" "SELECT local_date FROM job_runs WHERE job = 'daily'")" "2026-11-22" "caught up"

# --no-scheduler (and LOYALTY_SCHEDULER=false): due, but the server leaves it to cron
start 2026-11-23T03:00:00Z --no-scheduler
sleep 1.5
stop
expect_not_contains "$(cat "$TMP/serve.err")" "daily jobs of merchant" "--no-scheduler"
LOYALTY_SCHEDULER=false start 2026-11-23T03:00:00Z
sleep 1.5
stop
expect_not_contains "$(cat "$TMP/serve.err")" "daily jobs of merchant" "LOYALTY_SCHEDULER=false"
expect_eq "$(sql "$DB" "SELECT local_date FROM job_runs WHERE job = 'daily'")" "2026-11-22" "not run"
# cron on that day records it, so a server started later that day does not repeat it
run jobs run --db "$DB" --now 2026-11-23T03:00:00Z
expect_rc 0 "cron run"
start 2026-11-23T04:00:00Z
sleep 1.5
stop
expect_not_contains "$(cat "$TMP/serve.err")" "daily jobs of merchant" "cron's run counts for the scheduler"
verify "$DB" "invariants after the jobs"

# ---- a bad triggers section: field named, nothing changes ----
jq '.triggers.thanks.after_purchases = 0' "$PROGRAMME" >"$TMP/bad.json"
run programme check "$TMP/bad.json" --json
expect_failure 2 "triggers.thanks.after_purchases" "programme check"
expect_contains "$ERR" "expected an integer from 1 to 1000, got 0" "the message says what is expected"
jq '.triggers.send_at = "25:00"' "$PROGRAMME" >"$TMP/bad2.json"
BEFORE=$(snapshot "$DB")
run programme set --db "$DB" "$TMP/bad2.json" --json
expect_failure 2 "triggers.send_at" "programme set"
expect_eq "$(snapshot "$DB")" "$BEFORE" "a refused programme changes nothing"
run programme check "$PROGRAMME"
expect_rc 0 "the example programme is valid"

finish
