#!/usr/bin/env bash
# Run every test of every module of the suite, then the end-to-end tests in
# tests/, each against a fresh database. Prints a summary line per part and
# exits non-zero when any test fails or errors, or when a browser tour was
# skipped because Chromium or websocket-client is missing.
#
# Environment: as setup/run.sh; PROACTIVE_TEST_TAGS narrows the module tests
# (Odoo's --test-tags syntax), PROACTIVE_SAMPLES_DIR points the sample-email
# tests at a folder of samples (default: ../shared/samples when present).
source "$(dirname "$0")/common.sh"

check_odoo
ensure_system
ensure_debian_packages chromium
ensure_venv
ensure_postgres

if [ -z "${PROACTIVE_SAMPLES_DIR:-}" ] && [ -d "$PROJECT_ROOT/../shared/samples" ]; then
    PROACTIVE_SAMPLES_DIR=$(cd "$PROJECT_ROOT/../shared/samples" && pwd)
fi
export PROACTIVE_SAMPLES_DIR

test_db=${PROACTIVE_TEST_DB:-proactive_test_$$}
log_file=$(mktemp -t proactive-test-XXXXXX.log)
tags=${PROACTIVE_TEST_TAGS:-$(echo "$SUITE_MODULES" | sed 's/\([^,]*\)/\/\1/g')}
status=0

drop_db "$test_db"
log "module tests: installing $SUITE_MODULES in fresh database $test_db"
set +e
# shellcheck disable=SC2046
$(odoo_cmd) -d "$test_db" -i "$SUITE_MODULES" --test-enable --test-tags "$tags" \
    --stop-after-init --http-port="${PROACTIVE_TEST_HTTP_PORT:-8169}" \
    --log-level=test 2>&1 | tee "$log_file" | grep -E --line-buffered \
    ' (ERROR|CRITICAL|WARNING) |^(FAIL|ERROR):|Traceback|Starting |tests? (in|when)|failed, '
odoo_rc=${PIPESTATUS[0]}
set -e
drop_db "$test_db"

summary=$(grep -E 'odoo.tests.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log_file" | tail -n 1 || true)
if [ -z "$summary" ]; then
    echo "module tests: no test summary in the log ($log_file)"
    status=1
else
    failed=$(sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error.*/\1/' <<<"$summary")
    errors=$(sed -E 's/.*failed, ([0-9]+) error.*/\1/' <<<"$summary")
    total=$(sed -E 's/.* of ([0-9]+) tests.*/\1/' <<<"$summary")
    echo "module tests: $((total - failed - errors)) passed, $((failed + errors)) failed"
    [ "$total" -gt 0 ] || { echo "module tests: no test ran"; status=1; }
    [ $((failed + errors)) -eq 0 ] || status=1
fi
if grep -qE 'websocket-client module is not installed|Chrome executable not found|Chrome not found' "$log_file"; then
    echo "module tests: a browser tour was skipped (Chromium or websocket-client missing)"
    status=1
fi
if grep -qE ' (ERROR|CRITICAL) ' "$log_file" && [ "$status" -eq 0 ]; then
    echo "module tests: errors were logged outside of tests (see $log_file)"
    status=1
fi
[ "$odoo_rc" -eq 0 ] || status=1

log "end-to-end tests"
set +e
PROACTIVE_ODOO_CMD="$(odoo_cmd)" PROACTIVE_MODULES="$SUITE_MODULES" \
    "$VENV_DIR/bin/python" -m pytest -p no:cacheprovider -q "$PROJECT_ROOT/tests"
pytest_rc=$?
set -e
[ "$pytest_rc" -eq 0 ] || status=1

if [ "$status" -eq 0 ]; then
    log "all tests passed"
else
    log "tests failed (full module test log: $log_file)"
fi
exit "$status"
