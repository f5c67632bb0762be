#!/usr/bin/env bash
# Text the demo server as a lead would: sign a Twilio-style webhook request
# with the demo auth token and post it to 127.0.0.1. Odoo's replies stay on
# this machine (see the demo outbox in README.md).
#
# Usage: setup/send_sms.sh "+16175550142" "Need movers in 02139 tomorrow"
source "$(dirname "$0")/common.sh"
[ -x "$VENV_DIR/bin/python" ] || die "the virtual environment is missing; run setup/run.sh first"
[ $# -eq 2 ] || die "usage: $0 \"<from number>\" \"<text>\""
OUTBOX=${PROACTIVE_SMS_OUTBOX:-$STATE_DIR/sms_outbox.jsonl}
count_lines() { if [ -f "$OUTBOX" ]; then wc -l <"$OUTBOX"; else echo 0; fi; }
lines_before=$(count_lines)
"$VENV_DIR/bin/python" "$PROJECT_ROOT/setup/send_sms.py" --port "$HTTP_PORT" "$1" "$2"
# The reply is sent right after the request commits: give it a moment.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ "$(count_lines)" -gt "$lines_before" ] && break
    sleep 0.5
done
if [ "$(count_lines)" -gt "$lines_before" ]; then
    log "texts Odoo sent (from $OUTBOX):"
    tail -n +"$((lines_before + 1))" "$OUTBOX"
else
    log "no text from Odoo yet: see the lead's chatter, or $OUTBOX"
fi
