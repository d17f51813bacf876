#!/usr/bin/env bash
# Creates the demo database (once) from the example programme with a year of demo data, then
# prints a short tour of the CLI on it.
set -euo pipefail
LOY=${1:-build/loyalty}
DB=${2:-demo/loyalty.db}
mkdir -p "$(dirname "$DB")"
KEYFILE="$(dirname "$DB")/owner-api-key.txt"
if [ ! -f "$DB" ]; then
    "$LOY" init --db "$DB" --programme examples/kopi-kita.json
    "$LOY" demo --db "$DB" --members 150 --months 12
    "$LOY" model fit --db "$DB" >/dev/null # P(alive) and CLV in member views and reports
    "$LOY" apikey create --db "$DB" --role owner --name "demo owner" --json | jq -r .key >"$KEYFILE"
    echo "kopi-kita-demo" | "$LOY" user add --db "$DB" --username owner --name "Demo Owner" \
        --role owner >/dev/null
fi
"$LOY" db verify --db "$DB"
first=$("$LOY" member find --db "$DB" --json a | jq -r '.members[0].id' 2>/dev/null || echo 1)
cat <<TOUR

The demo database is $DB. Try:
  export LOYALTY_DB=$DB                  # or give --db FILE to every command
  $LOY member find zoltan                 # accent- and case-insensitive, any script
  $LOY member find সুমন
  $LOY member show $first                       # balances, stamp card, tier progress, rewards
  $LOY purchase --member $first --amount 18.50 --item coffee:KOPI:2:9.00 --item pastry:CROISSANT:1:9.50 --dry-run
  $LOY purchase --member $first --amount 18.50 --item coffee:KOPI:2:9.00 --key receipt-1
  $LOY redeem --member $first --reward free-coffee --key redeem-1
  $LOY member ledger $first
  $LOY report kpis                        # also churn, cohorts, pareto, rfm, advocacy, economics
  $LOY report clv                         # simple and predictive lifetime value (--csv for CSV)
  $LOY db verify
  $LOY --help
TOUR
PORT=${LOYALTY_PORT:-8080}
cat <<SERVER

The HTTP API is starting on http://127.0.0.1:$PORT (Ctrl-C stops it).
Staff console: http://127.0.0.1:$PORT/console   (log in as owner / kopi-kita-demo)
Demo owner API key:
  $(cat "$KEYFILE")
Try:
  curl -H "Authorization: Bearer $(cat "$KEYFILE")" "http://127.0.0.1:$PORT/api/v1/members?q=zoltan"
  curl -H "Authorization: Bearer $(cat "$KEYFILE")" "http://127.0.0.1:$PORT/api/v1/reports/kpis"
  curl http://127.0.0.1:$PORT/api/openapi.json
SERVER
exec "$LOY" serve --db "$DB" --port "$PORT"
