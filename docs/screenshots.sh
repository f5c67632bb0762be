#!/usr/bin/env bash
# Retake the user guide's screenshots (docs/images/*.png) from the demo server
# started by setup/run.sh, with the same PROACTIVE_HTTP_PORT and PROACTIVE_DB.
#
# Needs Debian's chromium package (installed here when missing) and Python's
# playwright package, which goes into a virtual environment of its own under
# the project's state folder. Playwright only drives /usr/bin/chromium: no
# browser is downloaded. Options go to docs/screenshots.py (see --help).
source "$(dirname "$0")/../setup/common.sh"
ensure_postgres

DOCS_VENV=${PROACTIVE_DOCS_VENV:-$STATE_DIR/docs-venv}

ensure_debian_packages chromium
if [ ! -x "$DOCS_VENV/bin/python" ] || ! "$DOCS_VENV/bin/python" -c "import playwright" 2>/dev/null; then
    log "creating $DOCS_VENV with playwright"
    python3 -m venv "$DOCS_VENV"
    "$DOCS_VENV/bin/pip" install --quiet playwright
fi

url="http://127.0.0.1:$HTTP_PORT"
curl -fs -o /dev/null "$url/web/login" \
    || die "no Odoo server answers on $url. Start it with: PROACTIVE_HTTP_PORT=$HTTP_PORT bash setup/run.sh
then feed the demo leads with: PROACTIVE_HTTP_PORT=$HTTP_PORT bash setup/feed_emails.sh"

log "computing this week's KPI snapshots and weekly report in $DB_NAME"
# shellcheck disable=SC2046
$(odoo_cmd shell) -d "$DB_NAME" --no-http --log-level=warn < "$PROJECT_ROOT/docs/prepare_screenshots.py"

exec "$DOCS_VENV/bin/python" "$PROJECT_ROOT/docs/screenshots.py" \
    --url "$url" --db "$DB_NAME" "$@"
