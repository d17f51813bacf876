# `loyalty feedback triage`: sentiment, main topic, urgency and the deciding words of a comment in
# the four languages (given or guessed), as JSON and as text; bad input (no text, unknown --lang,
# --score out of range, invalid UTF-8, unknown flag) exits 2 naming the field and prints nothing on
# stdout. The command needs no database and creates none.
source "$(dirname "$0")/lib.sh"
LOY=$(cd "$(dirname "$LOY")" && pwd)/$(basename "$LOY") # absolute: the test runs in $TMP
cd "$TMP" || exit 1

# --- English: a health complaint is negative, about the product, and urgent
run feedback triage --json "Got food poisoning from the chicken sandwich. Never again!"
expect_rc 0 "english complaint"
expect_jq "$OUT" '.lang + " " + (.lang_guessed|tostring)' "en true" "language guessed"
expect_jq "$OUT" '.sentiment.label' negative "english label"
expect_jq "$OUT" '.main_topic' product "english main topic"
expect_jq "$OUT" '.urgency >= 80' true "food poisoning is urgent"
expect_jq "$OUT" '[.words[] | select(.kind == "urgency") | .text] | join(",")' \
    "food poisoning,never again" "the urgency words"
expect_jq "$OUT" '[.words[] | select(.text == "food poisoning" and .kind == "sentiment")][0].term' \
    "food poisoning" "the phrase is one deciding word"

# --- urgency order: "food poisoning, never again" > "a bit slow" > "lovely"
urgency() { "$LOY" feedback triage --lang en --json "$1" | jq -r .urgency; }
U1=$(urgency "food poisoning, never again")
U2=$(urgency "a bit slow")
U3=$(urgency "lovely")
if [ "$U1" -gt "$U2" ] && [ "$U2" -gt "$U3" ] && [ "$U3" -eq 0 ]; then pass; else
    fail "urgency order: $U1 > $U2 > $U3 expected"
fi
# a detractor's score makes the same comment more urgent
run feedback triage --lang en --score 1 --json "a bit slow"
expect_jq "$OUT" ".urgency > $U2" true "--score 1 adds urgency"
expect_jq "$OUT" '.urgency_parts.score' 30 "(7 - 1) x 5"

# --- negation, with the negator named next to the word it flipped
run feedback triage --lang hu --json "A kávé nem volt finom, és koszos volt a mosdó."
expect_rc 0 "hungarian"
expect_jq "$OUT" '.sentiment.label' negative "hungarian label"
expect_jq "$OUT" '[.words[] | select(.kind == "sentiment" and .negated)][0] | .text + "<" + .negator' \
    "finom<nem" "nem flips finom"
expect_jq "$OUT" '[.words[] | select(.term == "koszos*")][0].text' koszos "a stem entry"

# --- Bengali: the negator comes after the word, the language is guessed from the script
run feedback triage --json "কফিটা একদম ভালো ছিল না।"
expect_jq "$OUT" '.lang' bn "bengali guessed"
expect_jq "$OUT" '.sentiment.label' negative "ভালো ... না is negative"
expect_jq "$OUT" '.main_topic' product "bengali main topic"
expect_jq "$OUT" '[.words[] | select(.negated)][0].negator' "না" "the Bengali negator"

# --- Malay: "but" makes the second half count more
run feedback triage --lang ms --json "Kopi sedap tapi servis lambat."
expect_jq "$OUT" '.sentiment.label + " " + .main_topic + " " + .contrast' "negative wait tapi" \
    "malay contrast"

# --- text output: the deciding words with their lexicon lines
run feedback triage --lang en "The barista was very rude and the toilets were not clean!"
expect_rc 0 "text output"
expect_contains "$OUT" "sentiment  negative" "text: sentiment line"
expect_contains "$OUT" "deciding words" "text: deciding words"
expect_contains "$OUT" '"clean"  (clean, en.tsv:' "text: the word, its term and line"
expect_contains "$OUT" 'negated by "not"' "text: the negator"
expect_contains "$OUT" 'by "very"' "text: the intensifier"

# --- no word of any lexicon: English is the guess
run feedback triage --json "xyzzy plugh"
expect_jq "$OUT" '.lang + " " + .sentiment.label' "en neutral" "the guess when nothing matches"

# --- nothing to go on: neutral, no topic, not urgent
run feedback triage --lang en --json "   😀👍  "
expect_jq "$OUT" '[.sentiment.label, .main_topic, .urgency, (.words|length)] | map(tostring) | join(" ")' \
    "neutral null 0 0" "emoji only"

# --- the request as JSON on stdin
run_in '{"text": "Tandas kotor dan berbau busuk", "lang": "ms", "score": 3}' feedback triage - --json
expect_rc 0 "stdin request"
expect_jq "$OUT" '.main_topic + " " + (.urgency_parts.score|tostring)' "cleanliness 20" "stdin fields"

# --- help
run feedback triage --help
expect_rc 0 "help"
expect_contains "$OUT" "--lang" "help names --lang"
expect_contains "$OUT" "--score" "help names --score"

# --- bad input: exit 2, the field named, nothing on stdout
run feedback triage --json
expect_failure 2 text "missing text"
run feedback triage --lang en --json
expect_failure 2 text "missing text with --lang"
run feedback triage --lang fr --json "très bon"
expect_failure 2 lang "unknown --lang"
expect_contains "$ERR" "--lang" "the message names the flag"
expect_contains "$ERR" "bn, en, hu, ms" "the message lists the languages"
run feedback triage --lang --json
expect_failure 2 text "--lang eats the next word, then no text"
run feedback triage --score 11 --json "ok"
expect_failure 2 score "--score out of range"
run feedback triage --score many --json "ok"
expect_failure 2 score "--score not a number"
run feedback triage --json "$(printf 'good \x80 coffee')"
expect_failure 2 text "invalid UTF-8"
run feedback triage --colour red --json "ok"
expect_failure 2 colour "unknown flag"
run feedback triage --json "one" "two"
expect_rc 2 "two texts"
run_in '{"text": 42}' feedback triage - --json
expect_failure 2 text "text that is not a string"

# --- no database was touched or created
if [ -z "$(ls "$TMP" | grep -v '^stderr$')" ]; then pass; else fail "files appeared: $(ls "$TMP")"; fi

finish
