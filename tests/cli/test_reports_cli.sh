# Reports from the CLI and the API on generated demo data: the identities between figures must
# hold (segments add up, the Lorenz curve rises, the ledger balances), and the API needs a
# manager.
source "$(dirname "$0")/lib.sh"

DB=$(new_db reports)
"$LOY" demo --db "$DB" --members 60 --months 6 --seed 11 >/dev/null
R() { "$LOY" report "$1" --db "$DB" --json "${@:2}"; }

K=$(R kpis)
expect_eq "$(echo "$K" | jq '.members')" "$(sqlite3 "$DB" 'SELECT count(*) FROM members')" "kpis members = members table"
expect_eq "$(echo "$K" | jq '[.by_location[].purchases] | add')" "$(echo "$K" | jq '.purchases')" "locations add up to all purchases"
expect_eq "$(echo "$K" | jq '.repeat_buyers <= .buyers and .active_30_days <= .active_90_days')" "true" "repeat <= buyers, active 30 <= 90"
REV=$(sqlite3 "$DB" "SELECT sum(amount - refunded) FROM purchases WHERE refunded < amount")
expect_eq "$(echo "$K" | jq '.revenue')" "$REV" "revenue = purchases net of refunds"

P=$(R pareto)
expect_eq "$(echo "$P" | jq '[.lorenz[].revenue_share] as $y | [range(1; $y | length) | $y[.] >= $y[. - 1]] | all')" "true" "Lorenz curve never falls"
expect_eq "$(echo "$P" | jq '.gini >= 0 and .gini <= 1')" "true" "Gini in [0, 1]"
expect_eq "$(echo "$P" | jq '.top_revenue_share >= 20')" "true" "top 20% bring at least 20%"

F=$(R rfm)
expect_eq "$(echo "$F" | jq '[.segments[].members] | add')" "$(echo "$F" | jq '.scored_members')" "RFM segments add up to the members scored"

E=$(R economics)
expect_eq "$(echo "$E" | jq '.points.outstanding')" "$(sqlite3 "$DB" 'SELECT sum(points) FROM balances')" "outstanding points = balances"
expect_eq "$(echo "$E" | jq '.points.liability')" "$(sqlite3 "$DB" 'SELECT sum(points) FROM balances')" "liability at 1 minor unit per point"

run report kpis --db "$DB" --from 2026-13-01
expect_rc 2 "bad date"
expect_contains "$ERR" "from" "the error names the parameter"

# the API: managers and owners only
MK=$("$LOY" apikey create --db "$DB" --role manager --name m --json | jq -r .key)
CK=$("$LOY" apikey create --db "$DB" --role cashier --name c --json | jq -r .key)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$LOY" serve --db "$DB" --port "$PORT" --quiet >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
A=$(curl -s -H "Authorization: Bearer $MK" "http://127.0.0.1:$PORT/api/v1/reports/rfm")
expect_eq "$(echo "$A" | jq '.scored_members')" "$(echo "$F" | jq '.scored_members')" "API and CLI agree"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CK" "http://127.0.0.1:$PORT/api/v1/reports/kpis")" "403" "cashier may not read reports"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $MK" "http://127.0.0.1:$PORT/api/v1/reports/nope")" "404" "unknown report"
finish
