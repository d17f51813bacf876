# Shared by the mail tests (test_mail.sh, test_demo_day.sh): a real SMTP server on 127.0.0.1
# (tests/support/smtp_sink.py, Debian's python3-aiosmtpd) and every received message parsed with
# Python's email module. Source after lib.sh. Sets PY; start_sink DIR [ARGS...] sets SINK and
# SPORT; summary DIR prints the messages as JSON; count_to DIR ADDRESS counts those to ADDRESS.
# Processes started are killed on exit (PIDS).
PY=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import aiosmtpd' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    echo "FAIL: python3-aiosmtpd is missing (bash scripts/deps.sh --test installs it)" >&2
    exit 1
fi
SINK_PY=$ROOT/tests/support/smtp_sink.py
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_sink DIR [ARGS...]: an SMTP sink writing to DIR; sets SINK (pid) and SPORT
start_sink() {
    local dir=$1
    shift
    rm -f "$TMP/sink.port"
    "$PY" "$SINK_PY" "$dir" --port-file "$TMP/sink.port" "$@" 2>>"$TMP/sink.log" &
    SINK=$!
    PIDS+=("$SINK")
    for _ in $(seq 1 100); do [ -s "$TMP/sink.port" ] && break; sleep 0.1; done
    SPORT=$(cat "$TMP/sink.port" 2>/dev/null)
    [ -n "$SPORT" ] || { echo "the SMTP sink did not start: $(cat "$TMP/sink.log")" >&2; exit 1; }
}
stop_sink() { kill "$SINK" 2>/dev/null; wait "$SINK" 2>/dev/null; }

# summary DIR: every received message as JSON, parsed by Python's email module
cat >"$TMP/summary.py" <<'PY'
import datetime, email, email.policy, glob, json, os, sys
out = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.eml'))):
    raw = open(f, 'rb').read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    meta = json.load(open(f[:-4] + '.json'))
    text = m.get_body(('plain',))
    html = m.get_body(('html',))
    to = m['To'].addresses[0]
    out.append({
        'file': os.path.basename(f), 'envelope_from': meta['mail_from'], 'rcpt': meta['rcpt_tos'],
        'tls': meta['tls'], 'login': meta['login'],
        'from': str(m['From']), 'from_addr': m['From'].addresses[0].addr_spec,
        'to_name': to.display_name, 'to': to.addr_spec, 'subject': str(m['Subject']),
        'raw_subject': raw.split(b'\r\n\r\n')[0].split(b'\r\nSubject: ')[1].split(b'\r\n')[0].decode(),
        'date': str(m['Date']),
        'date_utc': m['Date'].datetime.astimezone(datetime.timezone.utc).isoformat(),
        'message_id': m['Message-ID'], 'language': m['Content-Language'],
        'list_unsubscribe': m['List-Unsubscribe'], 'list_unsubscribe_post': m['List-Unsubscribe-Post'],
        'multipart': m.get_content_type(), 'parts': [p.get_content_type() for p in m.iter_parts()],
        'text': text.get_content() if text else None, 'html': html.get_content() if html else None,
        'crlf_only': b'\n' not in raw.replace(b'\r\n', b''),
        'max_line': max(len(l) for l in raw.split(b'\r\n')),
    })
print(json.dumps(out, ensure_ascii=False))
PY
summary() { "$PY" "$TMP/summary.py" "$1"; }
count_to() { summary "$1" | jq --arg a "$2" '[.[] | select(.to == $a)] | length'; }
