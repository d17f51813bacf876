# The server as an operator sees it: settings validated before the port opens, health and
# metrics, an access log without personal data, webhooks sent by the server itself, and a
# graceful SIGTERM that finishes the requests in flight.
source "$(dirname "$0")/lib.sh"

DB=$(new_db serve)
KEY=$("$LOY" apikey create --db "$DB" --role owner --name t --json | jq -r .key)
"$LOY" member add --db "$DB" --name "Zoltán Kovács" --phone "+36 30 123 4567" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bad settings: exit 2 naming the setting, and nothing listens
PORT=$(free_port)
run serve --db "$DB" --port 70000
expect_rc 2 "port out of range"
expect_contains "$ERR" "port (flag)" "the message names the setting and its source"
LOYALTY_THREADS=0 run serve --db "$DB" --port "$PORT"
expect_rc 2 "threads from the environment"
expect_contains "$ERR" "threads (LOYALTY_THREADS)" "environment source named"
echo '{"port": 1, "bogus": true}' >"$TMP/bad.json"
run serve --db "$DB" --config "$TMP/bad.json"
expect_rc 2 "unknown setting in the file"
expect_contains "$ERR" 'unknown setting "bogus"' "file error names the key"
run serve --db "$TMP/missing.db" --port "$PORT"
expect_rc 3 "missing database"
[ -e "$TMP/missing.db" ] && fail "serve created a database file" || pass

# a webhook receiver on loopback
RPORT=$(free_port)
cat >"$TMP/recv.py" <<PY
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open('$TMP/hooks.log', 'a') as f:
            f.write(self.headers.get('Loyalty-Webhook-Id', '') + ' ' + body.decode() + '\n')
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', $RPORT), H).serve_forever()
PY
python3 "$TMP/recv.py" &
RECV=$!
SRV=
trap 'kill $RECV $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
"$LOY" webhook add --db "$DB" "http://127.0.0.1:$RPORT/hook" --event purchase.recorded >/dev/null

# start with a config file, settings overridden by a flag
printf '{"db": "%s", "port": 1, "threads": 2}\n' "$DB" >"$TMP/cfg.json"
"$LOY" serve --config "$TMP/cfg.json" --port "$PORT" >"$TMP/serve.out" 2>"$TMP/serve.err" &
SRV=$!
for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
expect_contains "$(cat "$TMP/serve.out")" "http://127.0.0.1:$PORT" "the flag's port wins over the file"
H=$(curl -s "http://127.0.0.1:$PORT/healthz")
expect_eq "$(echo "$H" | jq -r .database)" "reachable" "healthz"

api() { curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$@"; }
CODE=$(api -X POST -H 'Content-Type: application/json' -H 'Idempotency-Key: s-1' \
    -d '{"member": "+36301234567", "amount": 1850}' "http://127.0.0.1:$PORT/api/v1/purchases")
expect_eq "$CODE" "201" "purchase over HTTP"
CODE=$(api -X DELETE "http://127.0.0.1:$PORT/api/v1/purchases")
expect_eq "$CODE" "405" "wrong method on a known path"
CODE=$(api "http://127.0.0.1:$PORT/api/v1/nothing")
expect_eq "$CODE" "404" "unknown route"

# the server sends the webhook by itself within a few seconds
for _ in $(seq 1 40); do [ -s "$TMP/hooks.log" ] && break; sleep 0.1; done
expect_contains "$(cat "$TMP/hooks.log" 2>/dev/null)" '"event":"purchase.recorded"' "webhook delivered by the server"
expect_eq "$(wc -l <"$TMP/hooks.log" 2>/dev/null)" "1" "exactly one delivery"

M=$(curl -s "http://127.0.0.1:$PORT/metrics")
expect_contains "$M" 'loyalty_http_requests_total{method="POST",route="/api/v1/purchases",status="201"} 1' "metrics count by route and status"
expect_contains "$M" "loyalty_purchases_total 1" "purchases gauge"
expect_contains "$M" 'loyalty_http_request_duration_seconds_bucket{le="+Inf"}' "latency histogram"

# graceful stop: 20 purchases in flight when SIGTERM arrives all get their answer
CLIENTS=()
for i in $(seq 1 20); do
    api -X POST -H 'Content-Type: application/json' -H "Idempotency-Key: g-$i" \
        -d '{"member": 1, "amount": 500}' "http://127.0.0.1:$PORT/api/v1/purchases" >"$TMP/code.$i" &
    CLIENTS+=($!)
done
sleep 0.05
kill -TERM "$SRV"
wait "$SRV"
expect_eq "$?" "0" "server exits 0 after SIGTERM"
wait "${CLIENTS[@]}"
OK=0
for i in $(seq 1 20); do [ "$(cat "$TMP/code.$i")" = 201 ] && OK=$((OK + 1)); done
ACKED=$(sqlite3 "$DB" "SELECT count(*) FROM idempotency WHERE key LIKE 'g-%'")
[ "$OK" -le "$ACKED" ] && pass || fail "acknowledged $OK but stored $ACKED"
expect_contains "$(cat "$TMP/serve.err")" "SIGTERM received" "shutdown is logged"
kill "$RECV" 2>/dev/null

# the access log has route patterns, never names, phones or card tokens
LOG=$(cat "$TMP/serve.err")
expect_contains "$LOG" "POST /api/v1/purchases 201" "one line per request"
case "$LOG" in *Zolt*|*36301234567*) fail "access log contains personal data" ;; *) pass ;; esac
verify "$DB" "after the server stopped"
finish
