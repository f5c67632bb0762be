#!/usr/bin/env bash
# Feed .eml files (or folders of them) through Odoo's mail gateway on the
# server started by setup/run.sh. Default: the demo emails in demo/emails.
source "$(dirname "$0")/common.sh"
[ -x "$VENV_DIR/bin/python" ] || die "the virtual environment is missing; run setup/run.sh first"
[ $# -gt 0 ] || set -- "$PROJECT_ROOT/demo/emails"
ensure_api_key "$DB_NAME"
exec "$VENV_DIR/bin/python" "$PROJECT_ROOT/setup/feed_emails.py" \
    --url "http://localhost:$HTTP_PORT" --db "$DB_NAME" \
    --api-key-file "$(api_key_file "$DB_NAME")" "$@"
