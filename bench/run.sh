#!/usr/bin/env bash
# Benchmarks of the suite, each in databases of its own. Prints each part's
# table and writes it into docs/benchmarks.md, keeping the other parts of that
# page. Not part of the tests.
#
#   bash bench/run.sh                      # the parts inbound, sms and crons
#   bash bench/run.sh inbound sms          # only the parts named
#   bash bench/run.sh profile              # py-spy profile of the suite's inbound email
#   bash bench/run.sh kpi                  # the KPI benchmark (bench/kpi_bench.py)
#
# Environment:
#   BENCH_DB_PREFIX (default bench): prefix of the databases created
#   BENCH_EMAILS (default 500): new-lead emails per database (inbound, profile)
#   BENCH_LATENCY_EMAILS (default 50): emails for the reply latency
#   BENCH_SMS_REQUESTS (default 200): new signed webhook requests, then as many duplicates
#   BENCH_CRON_SIZES (default 10000,100000,1000000): lead counts for the cron part
#   BENCH_KPI_LEADS (default 1000000): leads for the KPI part
#   BENCH_HTTP_PORT, BENCH_SMTP_PORT: fixed ports for the servers and the SMTP
#   sink (default: free ports picked at random)
source "$(dirname "$0")/../setup/common.sh"

check_odoo
ensure_system
ensure_venv
ensure_postgres

emails=${BENCH_EMAILS:-500}
latency_emails=${BENCH_LATENCY_EMAILS:-50}
sms_requests=${BENCH_SMS_REQUESTS:-200}
cron_sizes=${BENCH_CRON_SIZES:-10000,100000,1000000}
kpi_leads=${BENCH_KPI_LEADS:-1000000}
prefix=${BENCH_DB_PREFIX:-bench}
bench_dir=$PROJECT_ROOT/bench
out=$PROJECT_ROOT/docs/benchmarks.md
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(inbound sms crons)
for part in "${parts[@]}"; do
    case $part in
        inbound | sms | crons | profile | kpi) ;;
        *) die "unknown benchmark part '$part': expected inbound, sms, crons, profile or kpi" ;;
    esac
done

free_port() { "$VENV_DIR/bin/python" "$bench_dir/bench_common.py" free-port; }
http_port=${BENCH_HTTP_PORT:-$(free_port)}
smtp_port=${BENCH_SMTP_PORT:-$(free_port)}

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
        <"$PROJECT_ROOT/setup/configure_demo.py" >/dev/null 2>&1 \
        || die "configuring $db with setup/configure_demo.py failed"
}

# A local SMTP server that drops every mail, on $smtp_port.
start_sink() {
    "$VENV_DIR/bin/python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Sink &
    sink=$!
}

# Process the generated emails inside Odoo, with the SMTP sink for the
# replies, and print the JSON result line. Extra arguments go before Odoo's
# command line (a profiler).
inbound_run() {
    local db=$1 run=$2 result
    shift 2
    start_sink
    # shellcheck disable=SC2046
    result=$(BENCH_EMAILS=$emails BENCH_RUN=$run "$@" $(odoo_cmd shell) -d "$db" --no-http \
        --log-level=warn --smtp-port="$smtp_port" <"$bench_dir/bench_inbound.py" 2>/dev/null \
        | sed -n 's/^BENCH_RESULT //p')
    kill "$sink"
    [ -n "$result" ] || die "the inbound benchmark on $db printed no result"
    echo "$result"
}

# Start Odoo on the suite's database on 127.0.0.1:$http_port, extra options
# appended, and wait until /web/health responds.
start_server() {
    # shellcheck disable=SC2046
    $(odoo_cmd) -d "${prefix}_suite" --db-filter="^${prefix}_suite\$" --http-port="$http_port" \
        --smtp-port="$smtp_port" --max-cron-threads=0 --log-level=warn "$@" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 120); do
        curl -fs "http://127.0.0.1:$http_port/web/health" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    die "Odoo did not start on port $http_port"
}

stop_server() {
    kill "$server"
    wait "$server" 2>/dev/null || true
}

json() { "$VENV_DIR/bin/python" -c "import json, sys; value = json.loads(sys.argv[1])
for key in sys.argv[2:]: value = value[key]
print(value)" "$@"; }
fmt_ms() { "$VENV_DIR/bin/python" -c "import sys; print('%.1f ms' % (float(sys.argv[1]) * 1000))" "$1"; }
fmt_rate() { "$VENV_DIR/bin/python" -c "import sys; print('%.1f' % float(sys.argv[1]))" "$1"; }

machine() {
    echo "Measured by \`bash bench/run.sh $1\` on $(date -u +%Y-%m-%d), $(nproc) CPU cores"
    echo "($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), shared with"
    echo "other jobs; load average $(cut -d' ' -f1-3 /proc/loadavg) after the run."
}

# Replace the part of the page between <!-- NAME:start --> and
# <!-- NAME:end --> with the file SECTION, and keep the rest.
write_section() {
    "$VENV_DIR/bin/python" "$bench_dir/bench_common.py" write-section "$out" "$1" "$2"
    cat "$2"
    rm -f "$2"
}

suite_ready=
ensure_suite_db() {
    [ -n "$suite_ready" ] && return 0
    make_db "${prefix}_suite" "$SUITE_MODULES"
    suite_ready=1
}

part_inbound() {
    make_db "${prefix}_bare" crm
    ensure_suite_db

    log "inbound email cost: $emails emails on each database"
    local bare suite ratio cpu_ratio latency section
    bare=$(inbound_run "${prefix}_bare" inbound)
    suite=$(inbound_run "${prefix}_suite" inbound)
    ratio=$("$VENV_DIR/bin/python" -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" \
        "$(json "$suite" median)" "$(json "$bare" median)")
    cpu_ratio=$("$VENV_DIR/bin/python" -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" \
        "$(json "$suite" cpu_median)" "$(json "$bare" cpu_median)")

    log "reply latency: $latency_emails emails through a running server"
    start_server
    latency=$("$VENV_DIR/bin/python" "$bench_dir/bench_reply_latency.py" \
        "http://127.0.0.1:$http_port" "${prefix}_suite" "$smtp_port" "$latency_emails" \
        | sed -n 's/^BENCH_RESULT //p')
    stop_server
    [ -n "$latency" ] || die "the reply latency benchmark printed no result"

    section=$(mktemp)
    {
        echo "## Inbound email and reply latency"
        echo
        machine inbound
        echo "Both databases are measured in the same run, one after the other."
        echo
        echo "| Measure | Bare Odoo (crm) | With the suite | Target | Result |"
        echo "| --- | --- | --- | --- | --- |"
        echo "| Inbound email, median per message ($emails new leads) | $(fmt_ms "$(json "$bare" median)") | $(fmt_ms "$(json "$suite" median)") | suite / bare <= 1.3 | $ratio |"
        echo "| Inbound email, p95 per message | $(fmt_ms "$(json "$bare" p95)") | $(fmt_ms "$(json "$suite" p95)") | | |"
        echo "| Inbound email, median Odoo CPU time per message | $(fmt_ms "$(json "$bare" cpu_median)") | $(fmt_ms "$(json "$suite" cpu_median)") | | $cpu_ratio |"
        echo "| Inbound email, median SQL queries per message (gateway transaction / all cursors) | $(json "$bare" queries_median) / $(json "$bare" all_queries_median) | $(json "$suite" queries_median) / $(json "$suite" all_queries_median) | | |"
        echo "| Reply latency, message_process start to SMTP ($latency_emails emails), median | | $(fmt_ms "$(json "$latency" median)") | < 1 s | |"
        echo "| Reply latency, p95 | | $(fmt_ms "$(json "$latency" p95)") | < 1 s | |"
        echo
        echo "The suite's time per message includes capture, guard, parsing, intent"
        echo "scoring, routing, SLA and follow-up scheduling, and the instant reply"
        echo "handed to the SMTP server after the commit; bare Odoo only creates the lead."
        echo "The CPU time is the Odoo process's own (time.process_time), without"
        echo "PostgreSQL's; it varies less than the wall-clock time on a shared machine."
        echo "The query counts leave out the first email, which fills Odoo's caches."
        echo "\"All cursors\" adds the cursors that send the mail after the commit."
    } >"$section"
    write_section inbound-results "$section"
}

part_profile() {
    ensure_suite_db
    "$VENV_DIR/bin/python" -m pip show -q py-spy >/dev/null 2>&1 || pip_install py-spy
    local profile=$PROJECT_ROOT/docs/benchmark_plans/inbound_profile.txt raw
    raw=$(mktemp)
    log "profiling $emails inbound emails on ${prefix}_suite with py-spy"
    inbound_run "${prefix}_suite" profile \
        "$VENV_DIR/bin/py-spy" record --rate 200 --format raw -o "$raw" -- >/dev/null
    mkdir -p "$(dirname "$profile")"
    {
        "$VENV_DIR/bin/python" "$bench_dir/profile_summary.py" "$raw" --root "<module>" --top 60
        echo
        "$VENV_DIR/bin/python" "$bench_dir/profile_summary.py" "$raw" --root "<module>" \
            --top 40 --only lead_proactive
    } >"$profile"
    rm -f "$raw"
    log "profile summary written to $profile"
    head -n 40 "$profile"
}

part_sms() {
    ensure_suite_db
    local token stub_port url result section
    token=bench-$(free_port)-auth-token
    stub_port=$(free_port)
    url="http://127.0.0.1:$http_port/lead_sms/twilio/inbound"
    BENCH_SMS_TOKEN=$token BENCH_SMS_STUB_URL="http://127.0.0.1:$stub_port" \
        BENCH_SMS_BASE_URL="http://127.0.0.1:$http_port" \
        $(odoo_cmd shell) -d "${prefix}_suite" --no-http --log-level=warn \
        <"$bench_dir/sms_setup.py" 2>/dev/null | grep -q BENCH_SMS_READY \
        || die "configuring the SMS benchmark in ${prefix}_suite failed"
    log "inbound SMS webhook: $sms_requests new requests, then $sms_requests duplicates"
    start_sink
    # One HTTP worker process (prefork); its gevent port is a free port too.
    start_server --workers=1 --gevent-port="$(free_port)"
    result=$("$VENV_DIR/bin/python" "$bench_dir/bench_sms_webhook.py" "$url" "$token" \
        "$stub_port" "$sms_requests" | sed -n 's/^BENCH_RESULT //p')
    stop_server
    kill "$sink"
    [ -n "$result" ] || die "the SMS webhook benchmark printed no result"

    section=$(mktemp)
    {
        echo "## Inbound SMS webhook"
        echo
        machine sms
        echo "Odoo ran with \`--workers=1\` (one HTTP worker process) and"
        echo "\`--max-cron-threads=0\`; one client sent signed requests one after the other."
        echo
        echo "| Path | Requests | Requests/s | p50 | p95 | Max | Texts sent |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        for path in new duplicate; do
            local texts
            if [ "$path" = new ]; then
                label="New MessageSid (lead created, instant reply texted)"
                texts=$(json "$result" texts_sent_for_new)
            else
                label="Duplicate delivery (same MessageSid again)"
                texts=$(json "$result" texts_sent_for_duplicates)
            fi
            echo "| $label | $(json "$result" "$path" requests) | $(fmt_rate "$(json "$result" "$path" per_second)") | $(fmt_ms "$(json "$result" "$path" p50)") | $(fmt_ms "$(json "$result" "$path" p95)") | $(fmt_ms "$(json "$result" "$path" max)") | $texts |"
        done
        echo
        echo "Texts went to a local stub of Odoo's SMS service (IAP) on 127.0.0.1,"
        echo "which the server called at: $(json "$result" stub_paths)."
    } >"$section"
    write_section sms-results "$section"
}

part_crons() {
    log "cron scaling: $cron_sizes leads"
    "$VENV_DIR/bin/python" "$bench_dir/cron_bench.py" --db "${prefix}_crons" \
        --sizes "$cron_sizes" --modules "$SUITE_MODULES" \
        --db-host "$DB_HOST" --db-port "$DB_PORT" --db-user "$DB_USER" \
        --db-password "$DB_PASSWORD" --output "$out"
}

part_kpi() {
    "$VENV_DIR/bin/python" "$bench_dir/kpi_bench.py" --db "${prefix}_kpi" --leads "$kpi_leads" \
        --db-host "$DB_HOST" --db-port "$DB_PORT" --db-user "$DB_USER" \
        --db-password "$DB_PASSWORD" --output "$out"
}

for part in "${parts[@]}"; do
    "part_$part"
done
