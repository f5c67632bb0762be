"""Fixtures for the end-to-end tests: a fresh database with the suite, a real
Odoo server on a free loopback port, and an SMTP server that receives what
Odoo sends. setup/test.sh provides the Odoo command line in the environment.
"""

import os
import pathlib
import queue
import shlex
import socket
import subprocess
import time
import uuid

import pytest
import requests
from aiosmtpd.controller import Controller

PROJECT_ROOT = pathlib.Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collector:
    """aiosmtpd handler that hands every received message to a queue."""

    def __init__(self):
        self.messages = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        self.messages.put((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def odoo_cmd():
    cmd = os.environ.get("PROACTIVE_ODOO_CMD")
    if not cmd:
        pytest.fail("PROACTIVE_ODOO_CMD is not set: run the tests with setup/test.sh")
    return shlex.split(cmd)


@pytest.fixture(scope="session")
def smtp_sink():
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, collector
    controller.stop()


@pytest.fixture(scope="session")
def odoo_server(odoo_cmd, smtp_sink):
    controller, _collector = smtp_sink
    db = "proactive_e2e_%s" % uuid.uuid4().hex[:8]
    modules = os.environ.get("PROACTIVE_MODULES", "lead_proactive")
    subprocess.run(
        odoo_cmd + ["-d", db, "-i", modules, "--stop-after-init", "--log-level=warn"],
        check=True,
    )
    api_key_file = PROJECT_ROOT / (".e2e-api-key-%s" % db)
    shell_cmd = odoo_cmd[:2] + ["shell"] + odoo_cmd[2:] + ["-d", db, "--no-http", "--log-level=warn"]
    for script_name in ("configure_demo.py", "create_api_key.py"):
        with open(PROJECT_ROOT / "setup" / script_name, "rb") as script:
            subprocess.run(
                shell_cmd, stdin=script, stdout=subprocess.DEVNULL, check=True,
                env=dict(os.environ, PROACTIVE_API_KEY_FILE=str(api_key_file)),
            )
    port = _free_port()
    log_path = PROJECT_ROOT / ".e2e-odoo.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            odoo_cmd + [
                "-d", db, "--db-filter", "^%s$" % db, "--http-port", str(port),
                "--smtp", "127.0.0.1", "--smtp-port", str(controller.port),
                "--max-cron-threads", "0", "--logfile", str(log_path),
            ],
            stdout=log, stderr=subprocess.STDOUT,
        )
    url = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(url + "/web/health", timeout=2).ok:
                break
        except (requests.ConnectionError, requests.Timeout):
            # The first request loads the registry, which can take longer
            # than the timeout on a busy machine.
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            server.wait()
            _drop_database(odoo_cmd, db)
            api_key_file.unlink(missing_ok=True)
            pytest.fail("Odoo did not start; see %s" % log_path)
        time.sleep(0.5)
    try:
        yield {"url": url, "db": db, "port": port, "api_key_file": api_key_file}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        _drop_database(odoo_cmd, db)
        api_key_file.unlink(missing_ok=True)


def _drop_database(odoo_cmd, db):
    """Drop the test database with the connection options of the Odoo command."""
    import psycopg2

    options = {}
    for arg in odoo_cmd:
        for name in ("db_host", "db_port", "db_user", "db_password"):
            prefix = "--%s=" % name
            if arg.startswith(prefix):
                options[name] = arg[len(prefix):]
    conn = psycopg2.connect(
        host=options.get("db_host"), port=options.get("db_port"),
        user=options.get("db_user"), password=options.get("db_password"),
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)
    conn.close()


class OdooClient:
    """Client of Odoo 19's JSON-2 API, authenticated with an API key."""

    def __init__(self, url, db, api_key):
        self.url, self.db = url, db
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": "bearer %s" % api_key, "X-Odoo-Database": db}
        )

    def call(self, model, method, ids=None, **kwargs):
        """Call ``model.method`` on ``ids`` (None: on the model) with keyword
        arguments, and return the result. Fails the test on an error."""
        params = dict(kwargs, ids=ids) if ids is not None else kwargs
        response = self.session.post(
            "%s/json/2/%s/%s" % (self.url, model, method), json=params, timeout=60
        )
        assert response.ok, "%s.%s failed: HTTP %s %s" % (
            model, method, response.status_code, response.text[:500]
        )
        return response.json()


@pytest.fixture(scope="session")
def odoo(odoo_server):
    api_key = odoo_server["api_key_file"].read_text().strip()
    return OdooClient(odoo_server["url"], odoo_server["db"], api_key)
