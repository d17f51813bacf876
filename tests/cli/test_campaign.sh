# Campaigns from the command line (docs/cli.md, docs/campaigns.md): `loyalty campaign create`
# with --variant ID:TEMPLATE[:OFFER], --holdout, --audience, --days and --seed; bad input exits 2
# naming the field and writes nothing; `campaign send` assigns every member an arm (the holdout
# gets no message) and a second send exits 4 changing nothing; `campaign results` counts the
# purchases made after the send, as a table and as JSON; `campaign list`; `loyalty demo` leaves
# one sent campaign with results, the same for the same seed.
source "$(dirname "$0")/lib.sh"

DB=$(new_db campaign)
for i in $(seq 1 36); do
    "$LOY" member add --db "$DB" --name "Ahli $i" --email "ahli$i@example.com" --consent-email \
        --now 2026-10-01T03:00:00Z >/dev/null || fail "member add $i"
done

# ---- bad input: exit 2, the field named, nothing written ----
snap() { sql "$DB" "SELECT count(*) FROM campaigns; SELECT count(*) FROM audit"; }
BEFORE=$(snap)
run campaign create --db "$DB" --json
expect_failure 2 name "no name"
run campaign create "Bad" --db "$DB" --json --variant "A:campaign:no-such-reward"
expect_failure 2 "variants[0].offer" "unknown offer"
run campaign create "Bad" --db "$DB" --json --variant "A:nope"
expect_failure 2 "variants[0].template" "unknown template"
run campaign create "Bad" --db "$DB" --json --variant "A:campaign" --variant "A:campaign"
expect_failure 2 "variants[1].id" "a variant twice"
run campaign create "Bad" --db "$DB" --json --variant ":campaign"
expect_failure 2 variant "a variant without an id"
run campaign create "Bad" --db "$DB" --json --holdout 91
expect_failure 2 holdout_percent "holdout over 90"
run campaign create "Bad" --db "$DB" --json --holdout ten
expect_failure 2 holdout "holdout not a number"
run campaign create "Bad" --db "$DB" --json --audience inactive:never
expect_failure 2 audience "bad audience"
run campaign create "Bad" --db "$DB" --json --days 0
expect_failure 2 conversion_days "zero days"
expect_eq "$(snap)" "$BEFORE" "refused creates wrote nothing"

# ---- create, send ----
run campaign create "Kopi baru" --db "$DB" --json --template campaign --variant A:campaign \
    --variant B::free-coffee --holdout 25 --audience all --days 7 --seed 2026 \
    --now 2026-11-01T03:00:00Z
expect_rc 0 "create"
expect_jq "$OUT" '.campaign.status' draft "a draft"
expect_jq "$OUT" '[.campaign.variants[] | "\(.id):\(.template):\(.offer)"] | join(",")' \
    "A:campaign:null,B:campaign:free-coffee" "the variants (B takes the campaign's template)"
expect_jq "$OUT" '.campaign.holdout_percent' 25 "holdout"
expect_jq "$OUT" '.campaign.conversion_days' 7 "days"
ID=$(printf '%s' "$OUT" | jq -r .campaign.id)
run campaign create "Kopi baru" --db "$DB" --json
expect_failure 4 name "a taken name"

run campaign send "$ID" --db "$DB" --json --now 2026-11-01T04:00:00Z
expect_rc 0 "send"
expect_jq "$OUT" '.sent.members' 36 "every member"
expect_eq "$(sql "$DB" "SELECT count(DISTINCT member_id) FROM campaign_members WHERE campaign_id = $ID")" \
    36 "every member has an arm"
HOLD=$(sql "$DB" "SELECT count(*) FROM campaign_members WHERE campaign_id = $ID AND arm = 'holdout'")
expect_jq "$OUT" '.sent.holdout' "$HOLD" "the holdout's size"
expect_eq "$(sql "$DB" "SELECT count(*) FROM messages m JOIN campaign_members c ON c.member_id = m.member_id
                        WHERE c.campaign_id = $ID AND c.arm = 'holdout' AND m.trigger = 'campaign'")" \
    0 "the holdout gets no message"
expect_eq "$(sql "$DB" "SELECT count(*) FROM messages WHERE campaign_id = $ID AND key = 'campaign:$ID'
                        AND status = 'queued'")" "$((36 - HOLD))" "one queued message per member outside it"
expect_eq "$(sql "$DB" "SELECT count(*) FROM messages WHERE campaign_id = $ID AND variant = 'B'
                        AND offer_reward = 'free-coffee'")" \
    "$(sql "$DB" "SELECT count(*) FROM campaign_members WHERE campaign_id = $ID AND arm = 'B'")" \
    "B's messages carry the offer"

S1=$(sql "$DB" "SELECT count(*) FROM messages; SELECT count(*) FROM campaign_members; SELECT status FROM campaigns")
run campaign send "$ID" --db "$DB" --json --now 2026-11-02T04:00:00Z
expect_failure 4 status "sending twice"
expect_eq "$(sql "$DB" "SELECT count(*) FROM messages; SELECT count(*) FROM campaign_members; SELECT status FROM campaigns")" \
    "$S1" "the second send changed nothing"
run campaign send 999 --db "$DB" --json
expect_failure 3 id "an unknown campaign"
run campaign send abc --db "$DB" --json
expect_failure 2 id "not an id"

# ---- results: two B members buy within the 7 days, one A member after them ----
B1=$(sql "$DB" "SELECT member_id FROM campaign_members WHERE campaign_id = $ID AND arm = 'B' ORDER BY member_id LIMIT 1")
B2=$(sql "$DB" "SELECT member_id FROM campaign_members WHERE campaign_id = $ID AND arm = 'B' ORDER BY member_id LIMIT 1 OFFSET 1")
A1=$(sql "$DB" "SELECT member_id FROM campaign_members WHERE campaign_id = $ID AND arm = 'A' ORDER BY member_id LIMIT 1")
"$LOY" purchase "$B1" --db "$DB" --amount 12.00 --now 2026-11-03T04:00:00Z >/dev/null || fail "purchase B1"
"$LOY" purchase "$B2" --db "$DB" --amount 9.50 --now 2026-11-08T03:59:59Z >/dev/null || fail "purchase B2"
"$LOY" purchase "$A1" --db "$DB" --amount 9.50 --now 2026-11-08T04:00:00Z >/dev/null || fail "purchase A1"
run campaign results "$ID" --db "$DB" --json --now 2026-11-20T03:00:00Z
expect_rc 0 "results"
expect_jq "$OUT" '[.arms[] | "\(.arm)=\(.conversions)"] | join(",")' "A=0,B=2,holdout=0" \
    "conversions per arm (A's came a second after the window)"
expect_jq "$OUT" '[.arms[].members] | add' 36 "the arms hold every member"
expect_jq "$OUT" '.verdict.code' not_enough_data "36 members are not enough"
expect_jq "$OUT" '.window.until' "2026-11-08T04:00:00Z" "the window ends 7 days after the send"
run campaign results "$ID" --db "$DB" --now 2026-11-20T03:00:00Z
expect_rc 0 "results as a table"
expect_contains "$OUT" "Verdict: not enough data yet" "the verdict in words"
expect_contains "$OUT" "holdout" "the holdout's row"
run campaign list --db "$DB"
expect_contains "$OUT" "Kopi baru" "the list"
expect_contains "$OUT" "sent" "with its status"

# ---- the demo's campaign ----
D1=$(new_db demo1)
"$LOY" demo --db "$D1" --members 150 --months 6 >/dev/null || fail "demo"
run campaign results 1 --db "$D1" --json
expect_rc 0 "the demo has a campaign with results"
expect_jq "$OUT" '.campaign.status' sent "sent"
if [ "$(printf '%s' "$OUT" | jq '[.arms[].conversions] | add')" -gt 0 ]; then pass; else
    fail "the demo campaign has no conversions"
fi
D2=$(new_db demo2)
"$LOY" demo --db "$D2" --members 150 --months 6 >/dev/null || fail "demo 2"
Q="SELECT member_id, arm, assigned_at FROM campaign_members ORDER BY member_id"
expect_eq "$(sql "$D2" "$Q" | sha256sum)" "$(sql "$D1" "$Q" | sha256sum)" "the demo's campaign is deterministic"
finish
