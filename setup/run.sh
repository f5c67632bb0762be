#!/usr/bin/env bash
# Install what is missing, create or upgrade the database with the suite, and
# serve Odoo on http://localhost:8069 (log in as admin / admin).
#
# Environment: ODOO_PATH (default /opt/odoo), PROACTIVE_DB (default proactive),
# PROACTIVE_HTTP_PORT (default 8069), PROACTIVE_PG_PORT (default 5433), or
# PGHOST/PGPORT/PGUSER/PGPASSWORD to use a PostgreSQL server you run yourself.
source "$(dirname "$0")/common.sh"

check_odoo
ensure_system
ensure_venv
ensure_postgres
ensure_database "$DB_NAME"
start_smtp_sink

if port_in_use "$HTTP_PORT"; then
    die "port $HTTP_PORT on 127.0.0.1 is taken, so Odoo cannot serve there.
Stop the program using it, or pick another port: PROACTIVE_HTTP_PORT=8070 $0"
fi
log "Odoo is starting on http://localhost:$HTTP_PORT (database $DB_NAME, login admin / admin)"
log "mail the suite sends is kept in $STATE_DIR/outbox (no mail leaves this machine)"
# The SMTP server started above stops with Odoo.
if [ -n "$SMTP_SINK_PID" ]; then
    trap 'kill "$SMTP_SINK_PID" 2>/dev/null || true' EXIT
fi
set +e
# shellcheck disable=SC2046
$(odoo_cmd) -d "$DB_NAME" --db-filter="^$DB_NAME\$" --http-port="$HTTP_PORT" \
    --smtp-port="$SMTP_PORT" "$@"
