# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two deliveries of one platform lead at the same time, with two real
database transactions.

HttpCase serves requests on the test's own transaction, one at a time, so
these tests open connections of their own. They commit, so each one
deletes its rows afterwards.
"""

import threading
import uuid

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged


@tagged("lead_proactive", "lead_proactive_intake", "post_install", "-at_install")
class TestIntakeConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(self.env.cr.dbname)
        self.external_id = "lead-" + uuid.uuid4().hex
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.source_id = env["proactive.intake.source"].create(
                {"name": "Concurrency test", "adapter": "generic"}
            ).id
        self.addCleanup(self._delete_rows)

    def _delete_rows(self):
        with self.db.cursor() as cr:
            cr.execute("DELETE FROM proactive_intake_event WHERE source_id = %s", [self.source_id])
            cr.execute("DELETE FROM proactive_intake_source WHERE id = %s", [self.source_id])

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _deliver(self, env):
        """Do what the webhook does with a delivery's key: insert it, else
        lock the existing one. Returns 'created' or 'known'."""
        Event = env["proactive.intake.event"]
        source = env["proactive.intake.source"].browse(self.source_id)
        if Event._insert_key(source, self.external_id, "hash", "127.0.0.1"):
            return "created"
        Event._lock_key(source, self.external_id)
        return "known"

    def _deliver_in_thread(self, results):
        """Deliver from a thread with its own cursor, which stays open.

        Like Odoo's HTTP layer (odoo.service.model.retrying), the thread
        retries once in a new transaction after a serialization failure.
        """
        cursor = self.db.cursor()
        results["cursor"] = cursor
        # Built here: building an environment takes the registry lock, which
        # the test thread holds.
        env = self._env(cursor)

        def run():
            try:
                results["outcome"] = self._deliver(env)
            except pg_errors.SerializationFailure:
                results["serialization_failure"] = True
                cursor.rollback()
                env.invalidate_all()
                results["outcome"] = self._deliver(env)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def _run_concurrently(self, first_outcome):
        results = {}
        with self.db.cursor() as first_cr:
            self.assertEqual(self._deliver(self._env(first_cr)), first_outcome)
            thread = self._deliver_in_thread(results)
            try:
                thread.join(timeout=1)
                self.assertTrue(thread.is_alive(), "the second delivery waits for the first")
            finally:
                first_cr.commit()
        try:
            thread.join(timeout=20)
            self.assertFalse(thread.is_alive())
            results["cursor"].commit()
        finally:
            results["cursor"].close()
        return results

    def _key_rows(self):
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT delivery_count FROM proactive_intake_event"
                " WHERE source_id = %s AND external_id = %s AND state = 'created'",
                [self.source_id, self.external_id],
            )
            return cr.fetchall()

    def test_two_first_deliveries_make_one_key(self):
        results = self._run_concurrently("created")
        self.assertTrue(results.get("serialization_failure"), "the second one is retried")
        self.assertEqual(results["outcome"], "known", "the retry finds the first one's key")
        self.assertEqual(self._key_rows(), [(2,)])

    def test_two_later_deliveries_are_serialized(self):
        with self.db.cursor() as cr:
            self.assertEqual(self._deliver(self._env(cr)), "created")
        results = self._run_concurrently("known")
        # The second delivery cannot read the key before the first one's
        # appended message, so it is retried and then reads it.
        self.assertTrue(results.get("serialization_failure"))
        self.assertEqual(results["outcome"], "known")
        self.assertEqual(self._key_rows(), [(3,)])
