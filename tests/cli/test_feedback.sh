# Feedback from the command line (docs/cli.md, docs/feedback.md): `loyalty demo` answers some of
# the surveys its purchases invite (seeded: the same seed gives the same answers), with comments
# in the four languages; `loyalty report nps` as a table, JSON and CSV, agreeing with the
# database; `loyalty feedback list` in both orders and with filters; `loyalty case
# list|show|note|set` with the staff member recorded; bad input exits 2 (3 for an unknown case)
# naming the field and changes nothing.
source "$(dirname "$0")/lib.sh"

DB=$(new_db demo)
run demo --db "$DB" --members 120 --months 12 --json
expect_rc 0 "demo"
ANSWERS=$(printf '%s' "$OUT" | jq -r .survey_answers)
expect_eq "$(sql "$DB" "SELECT count(*) FROM surveys WHERE answered_at > 0")" "$ANSWERS" \
    "the demo's survey answers are in the database"
if [ "$ANSWERS" -ge 20 ]; then pass; else fail "only $ANSWERS survey answers in the demo"; fi
expect_eq "$(sql "$DB" "SELECT group_concat(language) FROM (SELECT DISTINCT language FROM surveys
                        WHERE comment IS NOT NULL ORDER BY language)")" "bn,en,hu,ms" \
    "comments in the four languages"
expect_eq "$(sql "$DB" "SELECT count(*) FROM surveys s WHERE s.answered_at > 0 AND s.score <= 6 AND
                        NOT EXISTS (SELECT 1 FROM cases k WHERE k.survey_id = s.id)")" 0 \
    "every detractor answer has a case"
expect_eq "$(sql "$DB" "SELECT count(*) FROM surveys WHERE answered_at > 0 AND score >= 9")" \
    "$(sql "$DB" "SELECT count(*) FROM messages WHERE trigger = 'referral_ask'")" \
    "one referral ask per promoter"
verify "$DB" "the demo's books balance"

# seeded: a second database from the same seed has the same answers
DB2=$(new_db demo2)
run demo --db "$DB2" --members 120 --months 12
Q="SELECT member_id, score, coalesce(comment, ''), answered_at FROM surveys ORDER BY id"
expect_eq "$(sql "$DB2" "$Q" | sha256sum)" "$(sql "$DB" "$Q" | sha256sum)" "the demo is deterministic"

# ---- report nps ----
run report nps --db "$DB" --json --from 2025-01-01 --to 2026-11-20
expect_rc 0 "report nps"
N=$(sql "$DB" "SELECT count(*) FROM surveys WHERE answered_at > 0")
P=$(sql "$DB" "SELECT count(*) FROM surveys WHERE answered_at > 0 AND score >= 9")
D=$(sql "$DB" "SELECT count(*) FROM surveys WHERE answered_at > 0 AND score <= 6")
expect_jq "$OUT" '.overall.responses' "$N" "responses"
expect_jq "$OUT" '.overall.promoters' "$P" "promoters"
expect_jq "$OUT" '.overall.detractors' "$D" "detractors"
WANT=$(python3 -c "print(round(100 * ($P - $D) / $N, 1))")
expect_jq "$OUT" '.overall.nps' "$WANT" "NPS = %promoters - %detractors"
expect_jq "$OUT" '.overall.ci_low < .overall.nps and .overall.nps < .overall.ci_high' true \
    "the NPS inside its interval"
expect_jq "$OUT" '[.by_location[].responses] | add' "$N" "the locations add up"
expect_jq "$OUT" '[.by_month[].responses] | add' "$N" "the months add up"
OPEN=$(sql "$DB" "SELECT count(*) FROM cases WHERE status = 'open'")
expect_jq "$OUT" '.open_cases' "$OPEN" "open cases"
expect_contains "$(printf '%s' "$OUT" | jq -r .sentence)" "responses): more" "the sentence"
expect_contains "$(printf '%s' "$OUT" | jq -r .sentence)" "call the $OPEN open detractor cases" \
    "the sentence says what to do"
run report nps --db "$DB" --from 2025-01-01 --to 2026-11-20
expect_contains "$OUT" "95% CI" "the table shows the interval"
expect_contains "$OUT" "overall" "the table has the overall row"
run report nps --db "$DB" --csv --from 2025-01-01 --to 2026-11-20
expect_eq "$(printf '%s' "$OUT" | head -1 | tr -d '\r')" \
    "scope,key,responses,promoters,passives,detractors,nps,ci_low,ci_high" "CSV header"
expect_contains "$OUT" "overall,all,$N,$P," "CSV overall row"
run report nps --db "$DB" --json --location ZZ
expect_failure 2 location "unknown location"
run report nps --db "$DB" --json --days 30
expect_failure 2 days "a parameter of another report"

# ---- feedback list ----
run feedback list --db "$DB" --json --order urgent --limit 200
expect_rc 0 "feedback list"
expect_jq "$OUT" '[.feedback[].urgency] as $u | $u == ($u | sort | reverse)' true \
    "most urgent first"
expect_jq "$OUT" '.feedback | length' "$N" "every answer listed"
expect_jq "$OUT" '[.feedback[] | select(.comment != null and (.triage.words | length) == 0)] | length' \
    0 "every demo comment has deciding words"
run feedback list --db "$DB" --json --group detractor --limit 200
expect_jq "$OUT" '[.feedback[] | select(.score > 6)] | length' 0 "only detractors"
expect_jq "$OUT" '.feedback | length' "$D" "every detractor"
run feedback list --db "$DB" --json --order oldest
expect_failure 2 order "a bad order"
run feedback list --db "$DB" --json --min-urgency 101
expect_failure 2 min_urgency "urgency above 100"

# ---- cases ----
CASE=$(sql "$DB" "SELECT min(id) FROM cases")
run case show "$CASE" --db "$DB" --json
expect_rc 0 "case show"
expect_jq "$OUT" '.case.status' open "a new case is open"
BEFORE=$(sql "$DB" "SELECT * FROM cases; SELECT * FROM case_notes; SELECT count(*) FROM audit")
run case set "$CASE" --db "$DB" --json --status closed
expect_failure 2 status "a bad status"
run case set "$CASE" --db "$DB" --json --assignee ghost
expect_failure 2 assignee "an unknown assignee"
run case set "$CASE" --db "$DB" --json
expect_failure 2 status "nothing to set"
run case note "$CASE" --db "$DB" --json
expect_failure 2 text "a note without text"
run case set 99999 --db "$DB" --json --status resolved
expect_failure 3 id "an unknown case"
run case show abc --db "$DB" --json
expect_failure 2 id "a case id that is no number"
expect_eq "$(sql "$DB" "SELECT * FROM cases; SELECT * FROM case_notes; SELECT count(*) FROM audit")" \
    "$BEFORE" "refused changes changed nothing"
run case note "$CASE" --db "$DB" --json --actor user:tester --text "Called: the machine was broken"
expect_rc 0 "case note"
expect_jq "$OUT" '.case.notes[0].staff + ": " + .case.notes[0].text' \
    "user:tester: Called: the machine was broken" "the note records who wrote it"
run case set "$CASE" --db "$DB" --json --status contacted
expect_jq "$OUT" '.case.status + " " + (.case.contacted_at != null | tostring)' "contacted true" \
    "contacted, with the time"
run case list --db "$DB" --json --status contacted
expect_jq "$OUT" '[.cases[].id] | join(",")' "$CASE" "listed as contacted"
expect_jq "$OUT" '.open' "$((OPEN - 1))" "one fewer open"
run case list --db "$DB"
expect_contains "$OUT" "1 contacted" "the table counts"
verify "$DB" "the books still balance"

finish
