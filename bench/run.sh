#!/usr/bin/env bash
# Inbound email benchmarks of the suite against bare Odoo, in databases of
# their own. Prints a table and writes it into docs/benchmarks.md, keeping the
# other benchmarks' parts of that page. Not part of the tests.
#
# Environment: BENCH_EMAILS (default 500) new-lead emails per database,
# BENCH_LATENCY_EMAILS (default 50) emails for the reply latency.
source "$(dirname "$0")/../setup/common.sh"

check_odoo
ensure_system
ensure_venv
ensure_postgres

emails=${BENCH_EMAILS:-500}
latency_emails=${BENCH_LATENCY_EMAILS:-50}
bench_dir=$PROJECT_ROOT/bench
out=$PROJECT_ROOT/docs/benchmarks.md
free_port() {
    "$VENV_DIR/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A database with the given modules, configured like the demo (offline).
make_db() {
    local db=$1 modules=$2
    drop_db "$db"
    log "creating $db with $modules"
    # shellcheck disable=SC2046
    $(odoo_cmd) -d "$db" -i "$modules" --stop-after-init --log-level=warn >/dev/null 2>&1 \
        || die "installing $modules in $db failed"
    # shellcheck disable=SC2046
    $(odoo_cmd shell) -d "$db" --no-http --log-level=warn \
        <"$PROJECT_ROOT/setup/configure_demo.py" >/dev/null 2>&1
}

# Process the generated emails inside Odoo, with a local SMTP sink for the
# replies, and print the JSON result line.
inbound_run() {
    local db=$1 smtp_port sink result
    smtp_port=$(free_port)
    "$VENV_DIR/bin/python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Sink &
    sink=$!
    # shellcheck disable=SC2046
    result=$(BENCH_EMAILS=$emails BENCH_RUN=$db $(odoo_cmd shell) -d "$db" --no-http \
        --log-level=warn --smtp-port="$smtp_port" <"$bench_dir/bench_inbound.py" 2>/dev/null \
        | sed -n 's/^BENCH_RESULT //p')
    kill "$sink"
    [ -n "$result" ] || die "the inbound benchmark on $db printed no result"
    echo "$result"
}

json() { "$VENV_DIR/bin/python" -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
fmt_ms() { "$VENV_DIR/bin/python" -c "import sys; print('%.1f ms' % (float(sys.argv[1]) * 1000))" "$1"; }

make_db bench_bare crm
make_db bench_suite "$SUITE_MODULES"

log "inbound email cost: $emails emails on each database"
bare=$(inbound_run bench_bare)
suite=$(inbound_run bench_suite)
ratio=$("$VENV_DIR/bin/python" -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" \
    "$(json "$suite" median)" "$(json "$bare" median)")

log "reply latency: $latency_emails emails through a running server"
http_port=$(free_port)
smtp_port=$(free_port)
# shellcheck disable=SC2046
$(odoo_cmd) -d bench_suite --db-filter='^bench_suite$' --http-port="$http_port" \
    --smtp-port="$smtp_port" --max-cron-threads=0 --log-level=warn >/dev/null 2>&1 &
server=$!
for _ in $(seq 120); do
    curl -fs "http://127.0.0.1:$http_port/web/health" >/dev/null 2>&1 && break
    sleep 0.5
done
latency=$("$VENV_DIR/bin/python" "$bench_dir/bench_reply_latency.py" \
    "http://127.0.0.1:$http_port" bench_suite "$smtp_port" "$latency_emails" \
    | sed -n 's/^BENCH_RESULT //p')
kill "$server"; wait "$server" 2>/dev/null || true
[ -n "$latency" ] || die "the reply latency benchmark printed no result"

section=$(mktemp)
{
    echo "## Inbound email and reply latency"
    echo
    echo "Measured by \`bash bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) CPU cores,"
    echo "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)."
    echo "Both databases are measured in the same run, one after the other."
    echo
    echo "| Measure | Bare Odoo (crm) | With the suite | Target | Result |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| Inbound email, median per message ($emails new leads) | $(fmt_ms "$(json "$bare" median)") | $(fmt_ms "$(json "$suite" median)") | suite / bare <= 1.3 | $ratio |"
    echo "| Inbound email, p95 per message | $(fmt_ms "$(json "$bare" p95)") | $(fmt_ms "$(json "$suite" p95)") | | |"
    echo "| Reply latency, message_process start to SMTP ($latency_emails emails), median | | $(fmt_ms "$(json "$latency" median)") | < 1 s | |"
    echo "| Reply latency, p95 | | $(fmt_ms "$(json "$latency" p95)") | < 1 s | |"
    echo
    echo "The suite's time per message includes capture, guard, parsing, intent"
    echo "scoring, routing, SLA and follow-up scheduling, and the instant reply"
    echo "handed to the SMTP server after the commit; bare Odoo only creates the lead."
} >"$section"
# Replace this benchmark's part of the page and keep the rest (the KPI
# benchmark writes its own part).
"$VENV_DIR/bin/python" - "$out" "$section" <<'PY'
import pathlib, sys
page, section = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text()
start, end = "<!-- inbound-results:start -->", "<!-- inbound-results:end -->"
block = "%s\n%s%s" % (start, section, end)
text = page.read_text() if page.exists() else "# Benchmarks\n"
if start in text and end in text:
    head, _sep, rest = text.partition(start)
    text = head + block + rest.partition(end)[2]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
page.parent.mkdir(parents=True, exist_ok=True)
page.write_text(text)
PY
cat "$section"
rm -f "$section"
