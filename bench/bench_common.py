#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers shared by the benchmark scripts of bench/.

Imported by cron_bench.py and kpi_bench.py: the database options, Odoo's
command-line options, creating the benchmark database, loading Odoo, and
writing a part of docs/benchmarks.md. bench/run.sh runs it as a command for
the last two:

    python bench/bench_common.py free-port
    python bench/bench_common.py write-section PAGE NAME FILE

``write-section`` replaces the part of PAGE between ``<!-- NAME:start -->``
and ``<!-- NAME:end -->`` with the text of FILE, and keeps the rest.
"""

import argparse
import datetime
import os
import pathlib
import socket
import subprocess
import sys

PROJECT_ROOT = pathlib.Path(__file__).resolve().parent.parent
ODOO_PATH = pathlib.Path(os.environ.get("ODOO_PATH", "/opt/odoo"))
DEFAULT_PAGE = PROJECT_ROOT / "docs" / "benchmarks.md"


def log(message, *values):
    print("==> " + (message % values if values else message), file=sys.stderr, flush=True)


def free_port():
    """Return a TCP port that is free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------
# Options
# ------------------------------------------------------------
def add_database_arguments(parser, default_db):
    """Add the options that name the benchmark database, the PostgreSQL
    server (default: the project's cluster on 127.0.0.1:5433, or PGHOST,
    PGPORT, PGUSER and PGPASSWORD) and the page the results go to."""
    parser.add_argument(
        "--db", default=default_db,
        help="database to create; it is dropped first (default %s)" % default_db,
    )
    parser.add_argument("--output", default=str(DEFAULT_PAGE),
                        help="page to write the results into (default docs/benchmarks.md)")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-port", default=os.environ.get("PGPORT", "5433"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "odoo"))
    parser.add_argument("--db-password", default=os.environ.get("PGPASSWORD", "odoo"))


def odoo_options(args):
    """Return Odoo's command-line options for the add-ons path and the
    database server of ``args``."""
    addons = "%s,%s,%s" % (ODOO_PATH / "addons", ODOO_PATH / "odoo" / "addons", PROJECT_ROOT)
    return [
        "--addons-path=%s" % addons,
        "--db_host=%s" % args.db_host,
        "--db_port=%s" % args.db_port,
        "--db_user=%s" % args.db_user,
        "--db_password=%s" % args.db_password,
    ]


# ------------------------------------------------------------
# Database and Odoo
# ------------------------------------------------------------
def create_database(args, modules):
    """Drop the database ``args.db`` and create it with ``modules`` (a
    comma-separated list) installed, through odoo-bin."""
    import psycopg2  # noqa: PLC0415 - only the scripts that create a database need it

    connection = psycopg2.connect(
        host=args.db_host, port=args.db_port, user=args.db_user,
        password=args.db_password, dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % args.db)
    connection.close()
    log("installing %s in a new database %s", modules, args.db)
    subprocess.run(
        [sys.executable, str(ODOO_PATH / "odoo-bin"), "-d", args.db, "-i", modules,
         "--stop-after-init", "--no-http", "--log-level=warn", *odoo_options(args)],
        check=True,
    )


def load_odoo(args, extra_options=()):
    """Import Odoo from ODOO_PATH, configure it for ``args`` and return the
    ``odoo`` package and the registry of ``args.db``."""
    sys.path.insert(0, str(ODOO_PATH))
    import odoo  # noqa: PLC0415 - needs ODOO_PATH on sys.path
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(odoo_options(args) + ["--log-level=warn", *extra_options])
    return odoo, Registry(args.db)


# ------------------------------------------------------------
# Page
# ------------------------------------------------------------
def run_time_text():
    """Return the UTC time of now, to the minute."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


def load_average_text():
    """Return the machine's 1, 5 and 15 minute load averages."""
    return ", ".join("%.1f" % value for value in os.getloadavg())


def write_section(page, name, text, heading=None):
    """Put ``text`` between the ``<!-- name:start -->`` and
    ``<!-- name:end -->`` markers of ``page``, keeping the rest of the page.

    A page without the markers gets them at its end, under ``heading`` (a
    second-level title) when one is given.
    """
    page = pathlib.Path(page)
    start, end = "<!-- %s:start -->" % name, "<!-- %s:end -->" % name
    block = "%s\n%s\n%s" % (start, text.rstrip("\n"), end)
    content = page.read_text() if page.exists() else "# Benchmarks\n"
    if start in content and end in content:
        head, _sep, rest = content.partition(start)
        content = head + block + rest.partition(end)[2]
    else:
        title = "## %s\n\n" % heading if heading else ""
        content = content.rstrip("\n") + "\n\n" + title + block + "\n"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("free-port", help="print a free TCP port on 127.0.0.1")
    section = commands.add_parser("write-section", help="write a part of a page")
    section.add_argument("page")
    section.add_argument("name")
    section.add_argument("file", help="file with the text of the part")
    args = parser.parse_args()
    if args.command == "free-port":
        print(free_port())
    else:
        write_section(args.page, args.name, pathlib.Path(args.file).read_text())


if __name__ == "__main__":
    main()
