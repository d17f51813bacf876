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

K2=$(R kpis --csv 2>/dev/null; echo "rc=$?")
expect_contains "$K2" "rc=2" "--csv with --json is refused"
CSV=$("$LOY" report kpis --db "$DB" --csv)
expect_eq "$(echo "$CSV" | head -1 | tr -d '\r')" "figure,value" "kpis CSV header"
expect_eq "$(echo "$CSV" | tr -d '\r' | awk -F, '$1 == "purchases" {print $2}')" "$(echo "$K" | jq '.purchases')" "CSV and JSON agree"
CH=$("$LOY" report churn --db "$DB" --csv | tr -d '\r')
expect_eq "$(echo "$CH" | tail -n +2 | wc -l | tr -d ' ')" "$(R churn | jq '.periods | length')" "one CSV row per churn period"

C=$(R clv)
expect_eq "$(echo "$C" | jq '.predictive')" "null" "no predictive CLV before a fit"
expect_eq "$(echo "$C" | jq '.simple.purchases')" "$(echo "$K" | jq '.purchases')" "simple CLV counts the same purchases"
run report churn --db "$DB" --basis p_alive
expect_rc 2 "p_alive churn needs a model"
expect_contains "$ERR" "basis" "the error names basis"
"$LOY" model fit --db "$DB" >/dev/null
C=$(R clv --limit 1000)
expect_eq "$(echo "$C" | jq '.predictive.members')" "$(echo "$C" | jq '.predictive.top_members | length')" "every scored member listed"
expect_eq "$(echo "$C" | jq '[.predictive.p_alive_bands[].members] | add')" "$(echo "$C" | jq '.predictive.members')" "P(alive) bands add up"
expect_eq "$(echo "$C" | jq '[.predictive.top_members[].clv] as $v | [range(1; $v | length) | $v[.] <= $v[. - 1]] | all')" "true" "members by CLV, descending"
M1=$(echo "$C" | jq '.predictive.top_members[0].member_id')
expect_eq "$("$LOY" model predict "$M1" --db "$DB" --json | jq '.clv')" "$(echo "$C" | jq '.predictive.top_members[0].clv')" "report CLV = member prediction"
CP=$(R churn --basis p_alive)
expect_eq "$(echo "$CP" | jq '.basis')" '"p_alive"' "churn by P(alive)"
expect_eq "$(echo "$CP" | jq '[.periods[] | .lost <= .at_start] | all')" "true" "lost <= at start"

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
U="http://127.0.0.1:$PORT/api/v1/reports"
A=$(curl -s -H "Authorization: Bearer $MK" "$U/clv?limit=1000")
expect_eq "$(echo "$A" | jq '.predictive.clv_total')" "$(echo "$C" | jq '.predictive.clv_total')" "API and CLI agree on CLV"
expect_eq "$(curl -s -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $MK" "$U/kpis?format=csv")" "text/csv; charset=utf-8" "format=csv answers text/csv"
expect_eq "$(curl -s -H "Authorization: Bearer $MK" "$U/kpis?format=csv")" "$("$LOY" report kpis --db "$DB" --csv)" "API CSV = CLI CSV"
B=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $MK" "$U/kpis?form=2026-01-01")
expect_contains "$B" '"field":"form"' "an unknown query parameter is named"
expect_contains "$B" " 400" "and refused with 400"
B=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $MK" "$U/kpis?top=2&top=3")
expect_contains "$B" '"field":"top"' "a repeated query parameter is named"
B=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $MK" "$U/kpis?format=xml")
expect_contains "$B" '"field":"format"' "a bad format is named"
finish
