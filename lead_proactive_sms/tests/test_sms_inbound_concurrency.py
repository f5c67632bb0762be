# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The MessageSid insert with two real, concurrent transactions.

HttpCase serves every request on the test's own transaction, one request
at a time, so two concurrent webhook calls cannot race there. These tests
open two database connections of their own instead. They commit, so each
one deletes its rows afterwards.

With the unique index, a concurrent insert of the same MessageSid waits for
the first transaction. If that one commits, the second fails with a
serialization error and its retry inserts nothing. If it rolls back, the
second insert stores the message.
"""

import threading
import uuid

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestInboundConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(self.env.cr.dbname)
        self.message_sid = "SM" + uuid.uuid4().hex
        self.company_id = self.env.ref("base.main_company").id
        self.addCleanup(self._delete_rows)

    def _delete_rows(self):
        with self.db.cursor() as cr:
            cr.execute(
                "DELETE FROM proactive_sms_inbound WHERE message_sid = %s",
                [self.message_sid],
            )

    def _values(self, body):
        return {
            "message_sid": self.message_sid,
            "company_id": self.company_id,
            "from_number": "+16175550142",
            "number": "+16175550142",
            "to_number": "+16175550100",
            "body": body,
            "num_segments": 1,
            "state": "received",
        }

    def _insert_in_thread(self, body, results):
        """Insert from a thread with its own cursor, which stays open."""
        cursor = self.db.cursor()
        results["cursor"] = cursor
        # The environment is built here: building it takes the registry lock,
        # which the test thread holds.
        Inbound = api.Environment(cursor, SUPERUSER_ID, {})["proactive.sms.inbound"]
        values = self._values(body)

        def run():
            # PostgreSQL rejects the second insert of a row that a concurrent
            # transaction committed after this one began (Odoo's cursors run
            # REPEATABLE READ). Odoo's HTTP layer retries such a request in a
            # new transaction (odoo.service.model.retrying); so does this.
            try:
                results["record_ids"] = Inbound._insert_new(values).ids
            except pg_errors.SerializationFailure:
                results["serialization_failure"] = True
                cursor.rollback()
                results["record_ids"] = Inbound._insert_new(values).ids

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def test_second_insert_waits_then_skips(self):
        results = {}
        with self.db.cursor() as first_cr:
            first_env = api.Environment(first_cr, SUPERUSER_ID, {})
            first = first_env["proactive.sms.inbound"]._insert_new(
                self._values("first")
            )
            self.assertTrue(first)
            thread = self._insert_in_thread("second", results)
            try:
                thread.join(timeout=1)
                self.assertTrue(
                    thread.is_alive(), "the second insert waits for the first commit"
                )
            finally:
                first_cr.commit()
        try:
            thread.join(timeout=20)
            self.assertFalse(thread.is_alive())
            self.assertTrue(
                results.get("serialization_failure"), "the first try is retried"
            )
            self.assertEqual(results["record_ids"], [], "the retry inserts nothing")
        finally:
            results["cursor"].rollback()
            results["cursor"].close()
        with self.db.cursor() as check_cr:
            check_cr.execute(
                "SELECT body FROM proactive_sms_inbound WHERE message_sid = %s",
                [self.message_sid],
            )
            self.assertEqual(check_cr.fetchall(), [("first",)])

    def test_second_insert_wins_after_rollback(self):
        results = {}
        first_cr = self.db.cursor()
        try:
            first_env = api.Environment(first_cr, SUPERUSER_ID, {})
            self.assertTrue(
                first_env["proactive.sms.inbound"]._insert_new(self._values("first"))
            )
            thread = self._insert_in_thread("second", results)
            thread.join(timeout=1)
            self.assertTrue(thread.is_alive())
            # The first request failed: the message must not be lost.
            first_cr.rollback()
        finally:
            first_cr.close()
        try:
            thread.join(timeout=20)
            self.assertFalse(results.get("serialization_failure"))
            self.assertEqual(
                len(results["record_ids"]), 1, "the waiting request stores the message"
            )
            results["cursor"].commit()
        finally:
            results["cursor"].close()
