# Shared settings and helpers for the run, test and feed commands.
# Sourced, not executed. Every helper is idempotent: a second call reuses
# what the first one installed or started.

set -euo pipefail

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo}
ODOO_SERIES=19.0

# Everything the commands install or start lives outside the checkout, so
# that fresh clones of the project (CI) reuse the same virtual environment
# and database cluster.
STATE_DIR=${PROACTIVE_STATE_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/proactive-leads}
VENV_DIR=${PROACTIVE_VENV:-$STATE_DIR/venv}
# PostgreSQL refuses to run as root, so for root the cluster belongs to the
# 'postgres' system user and lives where that user can reach it.
if [ "$(id -u)" -eq 0 ]; then
    PG_DIR=${PROACTIVE_PG_DIR:-/var/lib/proactive-leads/postgres}
else
    PG_DIR=${PROACTIVE_PG_DIR:-$STATE_DIR/postgres}
fi
PG_PORT=${PROACTIVE_PG_PORT:-5433}
HTTP_PORT=${PROACTIVE_HTTP_PORT:-8069}
DB_NAME=${PROACTIVE_DB:-proactive}
# Every add-on folder of the project, comma-separated, base module first.
SUITE_MODULES=$(cd "$PROJECT_ROOT" && ls -d */__manifest__.py 2>/dev/null \
    | cut -d/ -f1 | sort | paste -sd, -)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

check_odoo() {
    local release=$ODOO_PATH/odoo/release.py
    if [ ! -f "$ODOO_PATH/odoo-bin" ] || [ ! -f "$release" ]; then
        die "Odoo's source was not found at $ODOO_PATH (looked for odoo-bin and odoo/release.py).
Put Odoo $ODOO_SERIES Community's source there, or point ODOO_PATH at it:
    git clone --depth 1 --branch $ODOO_SERIES https://github.com/odoo/odoo /opt/odoo
    ODOO_PATH=/path/to/odoo $0"
    fi
    local version
    version=$(sed -n 's/^version_info = (\([0-9]*\), *\([0-9]*\),.*/\1.\2/p' "$release")
    if [ "$version" != "$ODOO_SERIES" ]; then
        die "Odoo at $ODOO_PATH is version ${version:-unknown}, but this suite needs $ODOO_SERIES.
Point ODOO_PATH at an Odoo $ODOO_SERIES source tree."
    fi
}

# Install the Debian packages that are missing. Needs root (or sudo) only
# when something is actually missing.
ensure_debian_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_system() {
    ensure_debian_packages postgresql postgresql-client libpq-dev gcc python3-dev \
        python3-venv libldap2-dev libsasl2-dev
}

# pip warns once per package about optional local package indexes that a
# machine may not have. Those lines are dropped and the rest is kept.
pip_install() {
    if ! "$VENV_DIR/bin/pip" install -q "$@" 2>&1 \
            | { grep -v 'is ignored: it is neither a file nor a directory' || true; }; then
        die "installing Python packages failed (see pip's messages above): $*"
    fi
}

# Create the virtual environment, or bring it up to date when Odoo's or the
# project's requirements changed since the last install.
ensure_venv() {
    local python=${PYTHON:-python3}
    local stamp=$VENV_DIR/.requirements.sha256 digest
    digest=$(cat "$ODOO_PATH/requirements.txt" "$PROJECT_ROOT/requirements.txt" | sha256sum | cut -d' ' -f1)
    if [ -x "$VENV_DIR/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
        return 0
    fi
    log "installing Python requirements into $VENV_DIR (first run takes a few minutes)"
    mkdir -p "$STATE_DIR"
    [ -x "$VENV_DIR/bin/python" ] || "$python" -m venv "$VENV_DIR"
    pip_install --upgrade pip wheel 'setuptools<81'
    pip_install -r "$ODOO_PATH/requirements.txt" -r "$PROJECT_ROOT/requirements.txt"
    echo "$digest" >"$stamp"
}

port_in_use() {
    "$VENV_DIR/bin/python" - "$1" <<'PY'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

# Run a PostgreSQL command as the cluster's owner. PostgreSQL refuses to run
# as root, so root hands the cluster to the 'postgres' system user.
as_pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Use the server named by PGHOST when one is configured. Otherwise start a
# cluster owned by the project on 127.0.0.1 only, creating it on first use.
ensure_postgres() {
    if [ -n "${PGHOST:-}" ]; then
        DB_HOST=$PGHOST
        DB_PORT=${PGPORT:-5432}
        DB_USER=${PGUSER:-odoo}
        DB_PASSWORD=${PGPASSWORD:-}
        return 0
    fi
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$bindir" ] || die "PostgreSQL's server programs were not found under /usr/lib/postgresql."
    DB_HOST=127.0.0.1
    DB_PORT=$PG_PORT
    DB_USER=odoo
    DB_PASSWORD=odoo

    mkdir -p "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PG_DIR"
    fi
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        log "creating a PostgreSQL cluster in $PG_DIR/data"
        as_pg_owner "$bindir/initdb" -D "$PG_DIR/data" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if as_pg_owner "$bindir/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        return 0
    fi
    if port_in_use "$PG_PORT"; then
        die "port $PG_PORT on 127.0.0.1 is taken by another program, so the project's PostgreSQL cannot start.
Pick a free port with PROACTIVE_PG_PORT (for example PROACTIVE_PG_PORT=5434 $0),
or use a running server by setting PGHOST, PGPORT, PGUSER and PGPASSWORD."
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg_owner "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR/data" start >/dev/null \
        || die "PostgreSQL did not start; see $PG_DIR/server.log"
    "$bindir/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
SELECT 'CREATE ROLE odoo LOGIN CREATEDB PASSWORD ''odoo'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo') \gexec
SQL
}

addons_path() {
    echo "$ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$PROJECT_ROOT"
}

# Odoo's command line with the project's configuration file, the database
# server and the add-ons path filled in. An argument names a subcommand such
# as shell, which Odoo expects before the options.
odoo_cmd() {
    echo "$VENV_DIR/bin/python" "$ODOO_PATH/odoo-bin" "$@" -c "$PROJECT_ROOT/odoo.conf" \
        --addons-path="$(addons_path)" --db_host="$DB_HOST" --db_port="$DB_PORT" \
        --db_user="$DB_USER" --db_password="$DB_PASSWORD"
}

db_exists() {
    "$VENV_DIR/bin/python" - "$1" <<PY
import sys, time, psycopg2
conn = psycopg2.connect(host="$DB_HOST", port="$DB_PORT", user="$DB_USER",
                        password="$DB_PASSWORD", dbname="postgres")
cur = conn.cursor()
cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (sys.argv[1],))
sys.exit(0 if cur.fetchone() else 1)
PY
}

drop_db() {
    "$VENV_DIR/bin/python" - "$1" <<PY
import sys, time, psycopg2
conn = psycopg2.connect(host="$DB_HOST", port="$DB_PORT", user="$DB_USER",
                        password="$DB_PASSWORD", dbname="postgres")
conn.autocommit = True
# An autovacuum worker on the database cannot be ended by a non-superuser:
# it stops on its own within moments, so try again.
for attempt in range(10):
    try:
        conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
        break
    except psycopg2.errors.InsufficientPrivilege:
        if attempt == 9:
            raise
        time.sleep(1)
PY
}

# A digest of the suite's source: a database installed from another digest
# needs an upgrade.
modules_digest() {
    (cd "$PROJECT_ROOT" && find ${SUITE_MODULES//,/ } -type f ! -name '*.pyc' -print0 \
        | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

# Create the database with the suite installed, or upgrade the suite when its
# source changed since the last run.
ensure_database() {
    local db=$1 stamp=$STATE_DIR/db-$1.sha256 digest
    digest=$(modules_digest)
    if db_exists "$db"; then
        if [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
            return 0
        fi
        log "upgrading the suite in database $db"
        # shellcheck disable=SC2046
        $(odoo_cmd) -d "$db" -u "$SUITE_MODULES" --stop-after-init --log-level=warn \
            || die "upgrading database $db failed (see the log above)"
    else
        log "creating database $db with the suite installed (takes a minute)"
        # shellcheck disable=SC2046
        $(odoo_cmd) -d "$db" -i "$SUITE_MODULES" --stop-after-init --log-level=warn \
            || die "creating database $db failed (see the log above)"
        # shellcheck disable=SC2046
        $(odoo_cmd shell) -d "$db" --no-http --log-level=warn \
            <"$PROJECT_ROOT/setup/configure_demo.py" >/dev/null \
            || die "configuring the demo sales team in $db failed"
        rm -f "$(api_key_file "$db")"
    fi
    echo "$digest" >"$stamp"
}

# File with the admin API key that setup/feed_emails.py sends to the JSON-2 API.
api_key_file() {
    echo "$STATE_DIR/api-key-$1"
}

# Create the admin API key of database $1 unless its file exists already.
ensure_api_key() {
    local db=$1 key_file
    key_file=$(api_key_file "$db")
    [ -s "$key_file" ] && return 0
    ensure_postgres
    db_exists "$db" || die "database $db does not exist; run setup/run.sh first"
    log "creating an API key for admin in database $db ($key_file)"
    # shellcheck disable=SC2046
    PROACTIVE_API_KEY_FILE=$key_file $(odoo_cmd shell) -d "$db" --no-http --log-level=warn \
        <"$PROJECT_ROOT/setup/create_api_key.py" >/dev/null \
        || die "creating an API key in $db failed"
}

SMTP_PORT=${PROACTIVE_SMTP_PORT:-2525}

# A local SMTP server that keeps every mail in a Maildir, so the demo can send
# replies without any mail leaving the machine. SMTP_SINK_PID is the process
# started here, empty when a server already listened on the port.
SMTP_SINK_PID=
start_smtp_sink() {
    if port_in_use "$SMTP_PORT"; then
        return 0
    fi
    mkdir -p "$STATE_DIR/outbox/tmp" "$STATE_DIR/outbox/new" "$STATE_DIR/outbox/cur"
    nohup "$VENV_DIR/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
        -c aiosmtpd.handlers.Mailbox "$STATE_DIR/outbox" \
        >"$STATE_DIR/smtp.log" 2>&1 &
    SMTP_SINK_PID=$!
}
